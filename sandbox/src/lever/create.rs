//! `POST /opportunities` (create an opportunity / a lead, facts §2.6.10): body parsing,
//! validation against the account, contact dedupe.

use serde_json::{Map, Value};

use super::error::ApiError;
use super::model::{Archived, NewOpportunity, Phone};
use super::state::{LeverState, Opportunity, new_id};

/// The documented `origin` values.
const ORIGINS: [&str; 6] = [
    "agency",
    "applied",
    "internal",
    "referred",
    "sourced",
    "university",
];

/// The stage an opportunity created without `stage` lands in.
const NEW_LEAD: (&str, &str) = ("lead-new", "New lead");

/// What `POST /opportunities` created.
#[derive(Debug, Clone)]
pub(crate) struct Created {
    pub id: String,
    /// Whether an email matched an existing contact, which the opportunity joined.
    pub deduped: bool,
}

type Body = Map<String, Value>;

/// The request body as an object; an empty body is `{}` (every field is optional).
pub(crate) fn object_body(bytes: &[u8]) -> Result<Body, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Body::new());
    }
    match serde_json::from_slice(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("The body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!("Invalid JSON body: {e}"))),
    }
}

fn opt_str(body: &Body, key: &str) -> Result<Option<String>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!("{key} must be a string"))),
    }
}

fn str_list(body: &Body, key: &str) -> Result<Vec<String>, ApiError> {
    let invalid = || ApiError::bad_request(format!("{key} must be an array of strings"));
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(invalid))
            .collect(),
        Some(_) => Err(invalid()),
    }
}

fn opt_ms(value: Option<&Value>, key: &str) -> Result<Option<i64>, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            ApiError::bad_request(format!("{key} must be a timestamp in milliseconds"))
        }),
    }
}

fn phones(body: &Body) -> Result<Vec<Phone>, ApiError> {
    let invalid = || ApiError::bad_request("phones must be an array of {type?, value}");
    let Some(items) = body.get("phones").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let items = items.as_array().ok_or_else(invalid)?;
    items
        .iter()
        .map(|p| {
            let value = p.get("value").and_then(Value::as_str).ok_or_else(invalid)?;
            let kind = match p.get("type") {
                None | Some(Value::Null) => None,
                Some(Value::String(t)) => Some(t.clone()),
                Some(_) => return Err(invalid()),
            };
            Ok(Phone {
                kind,
                value: value.to_owned(),
            })
        })
        .collect()
}

fn origin(body: &Body) -> Result<Option<String>, ApiError> {
    let origin = opt_str(body, "origin")?;
    match origin {
        Some(o) if !ORIGINS.contains(&o.as_str()) => Err(ApiError::bad_request(format!(
            "Invalid origin: {o}. origin must be one of {}",
            ORIGINS.join(", ")
        ))),
        other => Ok(other),
    }
}

/// `postings`: at most one posting id (Lever refuses more: one request per posting).
fn posting(body: &Body) -> Result<Option<String>, ApiError> {
    let mut postings = str_list(body, "postings")?;
    if postings.len() > 1 {
        return Err(ApiError::bad_request(
            "postings may contain at most one posting id: send one request per posting",
        ));
    }
    Ok(postings.pop())
}

fn archived(body: &Body, now: i64) -> Result<Option<Archived>, ApiError> {
    let Some(a) = body.get("archived").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let reason = a
        .get("reason")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("archived.reason must be an archive reason id"))?;
    let archived_at = opt_ms(a.get("archivedAt"), "archived.archivedAt")?.unwrap_or(now);
    Ok(Some(Archived {
        reason: reason.to_owned(),
        archived_at,
    }))
}

/// Add the items of `extra` that `base` lacks (by `key`), keeping `base` first.
fn union<T: Clone, K: PartialEq>(base: &[T], extra: &[T], key: impl Fn(&T) -> K) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in base.iter().chain(extra) {
        if !out.iter().any(|o| key(o) == key(item)) {
            out.push(item.clone());
        }
    }
    out
}

/// The body's contact-level fields, as a seed (no account checks yet).
fn parse_seed(body: &Body) -> Result<NewOpportunity, ApiError> {
    let emails = str_list(body, "emails")?;
    Ok(NewOpportunity {
        name: opt_str(body, "name")?.unwrap_or_default(),
        headline: opt_str(body, "headline")?,
        stage: opt_str(body, "stage")?,
        location: opt_str(body, "location")?,
        phones: phones(body)?,
        emails: union(&[], &emails, |e| e.to_ascii_lowercase()),
        links: str_list(body, "links")?,
        tags: str_list(body, "tags")?,
        sources: str_list(body, "sources")?,
        origin: origin(body)?,
        owner: opt_str(body, "owner")?,
        followers: str_list(body, "followers")?,
        contact: opt_str(body, "contact")?,
        posting: posting(body)?,
        created_at: opt_ms(body.get("createdAt"), "createdAt")?,
        ..NewOpportunity::default()
    })
}

/// The contact's existing data wins over the request's; extra emails/phones/links are added.
fn merge_contact(seed: &mut NewOpportunity, existing: &Opportunity) {
    let e = &existing.seed;
    if !e.name.is_empty() {
        seed.name.clone_from(&e.name);
    }
    if e.headline.as_deref().is_some_and(|h| !h.is_empty()) {
        seed.headline.clone_from(&e.headline);
    }
    if e.location.as_deref().is_some_and(|l| !l.is_empty()) {
        seed.location.clone_from(&e.location);
    }
    seed.emails = union(&e.emails, &seed.emails, |x| x.to_ascii_lowercase());
    seed.phones = union(&e.phones, &seed.phones, |p| p.value.clone());
    seed.links = union(&e.links, &seed.links, Clone::clone);
    seed.contact = Some(existing.contact.clone());
}

impl LeverState {
    /// `POST /opportunities` by `user` (an already checked `perform_as`). With
    /// `posting_owner` (`perform_as_posting_owner=true`) the posting's owner owns it.
    pub fn create_opportunity(
        &mut self,
        body: &Body,
        user: &str,
        posting_owner: bool,
    ) -> Result<Created, ApiError> {
        let mut seed = parse_seed(body)?;
        self.check_references(&seed)?;
        let now = self.tick();
        if seed.created_at.is_some_and(|ms| ms > now) {
            return Err(ApiError::bad_request(
                "createdAt must be a timestamp in the past",
            ));
        }
        seed.archived = archived(body, now)?;
        let deduped = self.join_contact(&mut seed)?;
        self.default_fields(&mut seed, user, posting_owner);
        seed.updated_at = Some(now);
        let id = self.insert_opportunity(seed, now, Some(user.to_owned()), "user");
        self.created_via_api.push(id.clone());
        Ok(Created { id, deduped })
    }

    /// `stage`, `postings` and `owner` must name existing records.
    fn check_references(&self, seed: &NewOpportunity) -> Result<(), ApiError> {
        if let Some(stage) = &seed.stage
            && self.stage_index(stage).is_none()
        {
            return Err(ApiError::bad_request(format!(
                "Invalid stage: stages {stage} was not found"
            )));
        }
        if let Some(posting) = &seed.posting
            && !self.postings.contains_key(posting)
        {
            return Err(ApiError::bad_request(format!(
                "Invalid postings: postings {posting} was not found"
            )));
        }
        if let Some(owner) = &seed.owner
            && !self.users.contains_key(owner)
        {
            return Err(ApiError::bad_request(format!(
                "Invalid owner: users {owner} was not found"
            )));
        }
        Ok(())
    }

    /// The oldest opportunity matching `pred` (the contact's first one).
    fn first_opportunity(&self, pred: impl Fn(&Opportunity) -> bool) -> Option<&Opportunity> {
        self.opportunities
            .values()
            .filter(|o| pred(o))
            .min_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)))
    }

    /// Put the new opportunity on its contact: the given `contact` (which must exist), else
    /// the contact of an opportunity with one of its emails (deduped), else a new one.
    fn join_contact(&self, seed: &mut NewOpportunity) -> Result<bool, ApiError> {
        if let Some(contact) = seed.contact.clone() {
            let existing = self
                .first_opportunity(|o| o.contact == contact)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Invalid contact: contacts {contact} was not found"
                    ))
                })?;
            merge_contact(seed, existing);
            return Ok(false);
        }
        let matching = self.first_opportunity(|o| {
            o.seed
                .emails
                .iter()
                .any(|x| seed.emails.iter().any(|e| e.eq_ignore_ascii_case(x)))
        });
        match matching {
            Some(existing) => {
                merge_contact(seed, existing);
                Ok(true)
            }
            None => {
                seed.contact = Some(new_id());
                Ok(false)
            }
        }
    }

    /// Stage (New lead), origin, owner and `sourcedBy` defaults.
    fn default_fields(&mut self, seed: &mut NewOpportunity, user: &str, posting_owner: bool) {
        if seed.stage.is_none() {
            let (id, text) = NEW_LEAD;
            if self.stage_index(id).is_none() {
                self.add_stage(id.to_owned(), text.to_owned());
            }
            seed.stage = Some(id.to_owned());
        }
        let default_origin = if seed.posting.is_some() {
            "applied"
        } else {
            "sourced"
        };
        let origin = seed.origin.get_or_insert_with(|| default_origin.to_owned());
        if origin == "sourced" {
            seed.sourced_by = Some(user.to_owned());
        }
        let owner_of_posting = seed
            .posting
            .as_ref()
            .filter(|_| posting_owner)
            .and_then(|p| self.postings.get(p))
            .and_then(|p| p.seed.owner.clone());
        if owner_of_posting.is_some() {
            seed.owner = owner_of_posting;
        }
        seed.owner.get_or_insert_with(|| user.to_owned());
    }
}
