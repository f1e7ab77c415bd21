//! List endpoints: query-parameter parsing, filters, expansion flags, list envelopes.

use serde_json::{Map, Value};

use super::error::ApiError;
use super::paging::{Page, fingerprint, paginate};
use super::state::LeverState;

/// Which references to inline (`expand=`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Expand {
    pub applications: bool,
    pub stage: bool,
}

impl Expand {
    pub fn from_params(params: &[(String, String)]) -> Self {
        let mut e = Expand::default();
        for (_, v) in params.iter().filter(|(k, _)| k == "expand") {
            match v.as_str() {
                "applications" => e.applications = true,
                "stage" => e.stage = true,
                _ => {}
            }
        }
        e
    }
}

pub(super) fn params_all<'a>(params: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    params
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

pub(super) fn param_ms(params: &[(String, String)], key: &str) -> Result<Option<i64>, ApiError> {
    match params_all(params, key).last() {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("Invalid value for {key}: {v}"))),
    }
}

pub(super) fn param_limit(params: &[(String, String)]) -> Result<usize, ApiError> {
    match params_all(params, "limit").last() {
        None => Ok(100),
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(ApiError::bad_request(format!(
                "Invalid limit: {v}. limit must be between 1 and 100"
            ))),
        },
    }
}

pub(super) fn param_bool(params: &[(String, String)], key: &str) -> Result<Option<bool>, ApiError> {
    match params_all(params, key).last() {
        None => Ok(None),
        Some(&"true") => Ok(Some(true)),
        Some(&"false") => Ok(Some(false)),
        Some(v) => Err(ApiError::bad_request(format!(
            "Invalid value for {key}: {v}"
        ))),
    }
}

pub(super) fn in_range(value: i64, start: Option<i64>, end: Option<i64>) -> bool {
    start.is_none_or(|s| value >= s) && end.is_none_or(|e| value <= e)
}

pub(super) fn any_or_all(wanted: &[&str], pred: impl Fn(&str) -> bool) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| pred(w))
}

pub(super) fn list_envelope(data: Vec<Value>, next: Option<String>, has_next: bool) -> Value {
    let mut body = Map::new();
    body.insert("data".into(), Value::Array(data));
    if let Some(next) = next {
        body.insert("next".into(), Value::String(next));
    }
    body.insert("hasNext".into(), Value::Bool(has_next));
    Value::Object(body)
}

impl LeverState {
    pub fn list_opportunities(&self, params: &[(String, String)]) -> Result<Value, ApiError> {
        let tags = params_all(params, "tag");
        let stage_ids = params_all(params, "stage_id");
        let posting_ids = params_all(params, "posting_id");
        let contact_ids = params_all(params, "contact_id");
        let emails = params_all(params, "email");
        let origins = params_all(params, "origin");
        let archived = param_bool(params, "archived")?;
        let (us, ue) = (
            param_ms(params, "updated_at_start")?,
            param_ms(params, "updated_at_end")?,
        );
        let (cs, ce) = (
            param_ms(params, "created_at_start")?,
            param_ms(params, "created_at_end")?,
        );
        let limit = param_limit(params)?;
        let expand = Expand::from_params(params);
        let offset = params_all(params, "offset").last().copied();
        let fp = fingerprint("opportunities", params);

        let mut rows = Vec::new();
        for o in self.opportunities.values() {
            let s = &o.seed;
            let keep = any_or_all(&tags, |t| s.tags.iter().any(|x| x == t))
                && any_or_all(&stage_ids, |st| o.stage == st)
                && any_or_all(&posting_ids, |p| {
                    o.application.as_ref().is_some_and(|a| a.posting == p)
                })
                && any_or_all(&contact_ids, |c| o.contact == c)
                && any_or_all(&emails, |e| {
                    s.emails.iter().any(|x| x.eq_ignore_ascii_case(e))
                })
                && any_or_all(&origins, |or| s.origin.as_deref() == Some(or))
                && archived.is_none_or(|a| a == s.archived.is_some())
                && in_range(o.updated_at, us, ue)
                && in_range(o.created_at, cs, ce);
            if keep {
                rows.push(((o.updated_at, o.id.clone()), o.id.clone()));
            }
        }
        let Page {
            items,
            next,
            has_next,
        } = paginate(rows, &fp, limit, offset)?;
        let data = items
            .iter()
            .map(|id| self.render_opportunity(id, expand))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(list_envelope(data, next, has_next))
    }

    /// `GET /opportunities/deleted`: filters `deleted_at_start`/`deleted_at_end` (ms,
    /// inclusive), paged by `deletedAt`.
    pub fn list_deleted_opportunities(
        &self,
        params: &[(String, String)],
    ) -> Result<Value, ApiError> {
        let (start, end) = (
            param_ms(params, "deleted_at_start")?,
            param_ms(params, "deleted_at_end")?,
        );
        let limit = param_limit(params)?;
        let expand = Expand::from_params(params);
        let offset = params_all(params, "offset").last().copied();
        let fp = fingerprint("opportunities/deleted", params);
        let rows = self
            .deleted
            .values()
            .filter(|d| in_range(d.deleted_at, start, end))
            .map(|d| ((d.deleted_at, d.opportunity.id.clone()), d))
            .collect();
        let page = paginate(rows, &fp, limit, offset)?;
        let data = page
            .items
            .into_iter()
            .map(|d| self.render_deleted(d, expand))
            .collect();
        Ok(list_envelope(data, page.next, page.has_next))
    }

    pub fn list_postings(&self, params: &[(String, String)]) -> Result<Value, ApiError> {
        let states = params_all(params, "state");
        let tags = params_all(params, "tag");
        let teams = params_all(params, "team");
        let departments = params_all(params, "department");
        let locations = params_all(params, "location");
        let commitments = params_all(params, "commitment");
        let limit = param_limit(params)?;
        let offset = params_all(params, "offset").last().copied();
        let fp = fingerprint("postings", params);
        let eq = |field: &Option<String>, v: &str| field.as_deref() == Some(v);
        let mut rows = Vec::new();
        for p in self.postings.values() {
            let s = &p.seed;
            let state = s.state.as_deref().unwrap_or("published");
            let keep = any_or_all(&states, |st| st == state)
                && any_or_all(&tags, |t| s.tags.iter().any(|x| x == t))
                && any_or_all(&teams, |v| eq(&s.categories.team, v))
                && any_or_all(&departments, |v| eq(&s.categories.department, v))
                && any_or_all(&locations, |v| eq(&s.categories.location, v))
                && any_or_all(&commitments, |v| eq(&s.categories.commitment, v));
            if keep {
                rows.push(((p.updated_at, p.id.clone()), p.id.clone()));
            }
        }
        let page = paginate(rows, &fp, limit, offset)?;
        let data = page
            .items
            .iter()
            .map(|id| self.render_posting(id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(list_envelope(data, page.next, page.has_next))
    }
}
