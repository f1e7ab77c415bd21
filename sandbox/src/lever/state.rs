//! The fake Lever account: stages, postings, opportunities, notes, webhooks.
//! Pure data and rules; no I/O (HTTP lives in `routes`, deliveries in `webhooks`).

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::model::{DeliveryResult, NewOpportunity, NewPosting, Note};
use super::paging::{Page, fingerprint, paginate};
use super::ratelimit::RateLimiter;
use crate::server::now_ms;

/// The ten event names Lever accepts for `POST /webhooks`.
pub(crate) const EVENTS: [&str; 10] = [
    "applicationCreated",
    "candidateHired",
    "candidateStageChange",
    "candidateArchiveChange",
    "candidateDeleted",
    "interviewCreated",
    "interviewUpdated",
    "interviewDeleted",
    "contactCreated",
    "contactUpdated",
];

#[derive(Debug, Clone)]
pub(crate) struct Stage {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Application {
    pub id: String,
    pub posting: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct NoteField {
    pub value: String,
    pub created_at: i64,
    pub score: Option<i64>,
    pub user: Option<String>,
    pub stage: String,
}

#[derive(Debug, Clone)]
pub(crate) struct NoteRec {
    pub id: String,
    pub secret: bool,
    pub user: Option<String>,
    pub created_at: i64,
    pub fields: Vec<NoteField>,
}

#[derive(Debug, Clone)]
pub(crate) struct Opportunity {
    pub seed: NewOpportunity,
    pub id: String,
    pub contact: String,
    pub stage: String,
    pub stage_changes: Vec<Value>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_advanced_at: i64,
    pub last_interaction_at: i64,
    pub application: Option<Application>,
    pub notes: Vec<NoteRec>,
}

#[derive(Debug, Clone)]
pub(crate) struct Posting {
    pub seed: NewPosting,
    pub id: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    pub id: String,
    pub url: String,
    pub event: String,
    pub signature_token: String,
    pub configuration: Value,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Webhook {
    /// Whether this subscription wants an event about an opportunity of this origin.
    pub fn accepts_origin(&self, origin: Option<&str>) -> bool {
        let Some(origins) = self.configuration["conditions"]["origins"].as_array() else {
            return true;
        };
        origin.is_some_and(|o| origins.iter().any(|v| v.as_str() == Some(o)))
    }

    pub fn render(&self, with_token: bool) -> Value {
        let mut configuration = self.configuration.clone();
        if with_token {
            if !configuration.is_object() {
                configuration = json!({});
            }
            configuration["signatureToken"] = json!(self.signature_token);
        }
        json!({
            "id": self.id,
            "event": self.event,
            "url": self.url,
            "configuration": configuration,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        })
    }
}

/// What a stage move produced, for the `candidateStageChange` webhook.
#[derive(Debug, Clone)]
pub(crate) struct StageMove {
    pub data: Value,
    pub origin: Option<String>,
}

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

#[derive(Default)]
pub(crate) struct LeverState {
    pub keys: HashSet<String>,
    pub stages: Vec<Stage>,
    pub postings: HashMap<String, Posting>,
    pub opportunities: HashMap<String, Opportunity>,
    pub webhooks: Vec<Webhook>,
    pub deliveries: Vec<DeliveryResult>,
    pub retries: bool,
    pub include_event_id: bool,
    pub rate: Option<RateLimiter>,
    last_ts: i64,
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn params_all<'a>(params: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    params
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

fn param_ms(params: &[(String, String)], key: &str) -> Result<Option<i64>, ApiError> {
    match params_all(params, key).last() {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("Invalid value for {key}: {v}"))),
    }
}

fn param_limit(params: &[(String, String)]) -> Result<usize, ApiError> {
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

fn param_bool(params: &[(String, String)], key: &str) -> Result<Option<bool>, ApiError> {
    match params_all(params, key).last() {
        None => Ok(None),
        Some(&"true") => Ok(Some(true)),
        Some(&"false") => Ok(Some(false)),
        Some(v) => Err(ApiError::bad_request(format!(
            "Invalid value for {key}: {v}"
        ))),
    }
}

fn in_range(value: i64, start: Option<i64>, end: Option<i64>) -> bool {
    start.is_none_or(|s| value >= s) && end.is_none_or(|e| value <= e)
}

fn any_or_all(wanted: &[&str], pred: impl Fn(&str) -> bool) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| pred(w))
}

impl LeverState {
    /// A fresh timestamp, strictly greater than any handed out before.
    pub fn tick(&mut self) -> i64 {
        self.last_ts = now_ms().max(self.last_ts + 1);
        self.last_ts
    }

    // ---------- seeding ----------

    pub fn add_stage(&mut self, id: String, text: String) {
        match self.stages.iter_mut().find(|s| s.id == id) {
            Some(s) => s.text = text,
            None => self.stages.push(Stage { id, text }),
        }
    }

    pub fn add_posting(&mut self, seed: NewPosting) -> String {
        let id = seed.id.clone().unwrap_or_else(new_id);
        let now = self.tick();
        let created_at = seed.created_at.unwrap_or(now);
        let updated_at = seed.updated_at.unwrap_or(created_at);
        self.postings.insert(
            id.clone(),
            Posting {
                seed,
                id: id.clone(),
                created_at,
                updated_at,
            },
        );
        id
    }

    pub fn add_opportunity(&mut self, seed: NewOpportunity) -> String {
        let id = seed.id.clone().unwrap_or_else(new_id);
        let now = self.tick();
        let created_at = seed.created_at.unwrap_or(now);
        let updated_at = seed.updated_at.unwrap_or(created_at);
        let stage = seed
            .stage
            .clone()
            .or_else(|| self.stages.first().map(|s| s.id.clone()))
            .unwrap_or_else(|| "lead-new".to_owned());
        if !self.stages.iter().any(|s| s.id == stage) {
            self.add_stage(stage.clone(), stage.clone());
        }
        let application = seed.posting.clone().map(|posting| Application {
            id: new_id(),
            posting,
            created_at,
        });
        let stage_changes = vec![json!({
            "toStageId": stage,
            "toStageIndex": self.stage_index(&stage),
            "userId": seed.owner,
            "updatedAt": created_at,
        })];
        let mut seed = seed;
        let mut tags = Vec::new();
        for t in std::mem::take(&mut seed.tags) {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        seed.tags = tags;
        let opp = Opportunity {
            contact: seed.contact.clone().unwrap_or_else(new_id),
            id: id.clone(),
            stage,
            stage_changes,
            created_at,
            updated_at,
            last_advanced_at: created_at,
            last_interaction_at: updated_at,
            application,
            notes: Vec::new(),
            seed,
        };
        self.opportunities.insert(id.clone(), opp);
        id
    }

    fn stage_index(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    // ---------- reading ----------

    fn opp(&self, id: &str) -> Result<&Opportunity, ApiError> {
        self.opportunities
            .get(id)
            .ok_or_else(|| ApiError::not_found("opportunities", id))
    }

    fn opp_mut(&mut self, id: &str) -> Result<&mut Opportunity, ApiError> {
        self.opportunities
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("opportunities", id))
    }

    pub fn render_opportunity(&self, id: &str, expand: Expand) -> Result<Value, ApiError> {
        let o = self.opp(id)?;
        let s = &o.seed;
        let stage = if expand.stage {
            let text = self
                .stages
                .iter()
                .find(|st| st.id == o.stage)
                .map(|st| st.text.clone());
            json!({"id": o.stage, "text": text})
        } else {
            json!(o.stage)
        };
        let applications: Vec<Value> = o
            .application
            .iter()
            .map(|a| {
                if expand.applications {
                    self.render_application(o, a)
                } else {
                    json!(a.id)
                }
            })
            .collect();
        let phones: Vec<Value> = s
            .phones
            .iter()
            .map(|p| match &p.kind {
                Some(kind) => json!({"type": kind, "value": p.value}),
                None => json!({"value": p.value}),
            })
            .collect();
        let archived = s
            .archived
            .as_ref()
            .map(|a| json!({"reason": a.reason, "archivedAt": a.archived_at}));
        let origin = s.origin.clone().unwrap_or_else(|| {
            if o.application.is_some() {
                "applied".into()
            } else {
                "sourced".into()
            }
        });
        Ok(json!({
            "id": o.id,
            "name": s.name,
            "headline": s.headline.clone().unwrap_or_default(),
            "contact": o.contact,
            "emails": s.emails,
            "phones": phones,
            "confidentiality": s.confidentiality.clone().unwrap_or_else(|| "non-confidential".into()),
            "location": s.location.clone().unwrap_or_default(),
            "links": s.links,
            "createdAt": o.created_at,
            "updatedAt": o.updated_at,
            "lastInteractionAt": o.last_interaction_at,
            "lastAdvancedAt": o.last_advanced_at,
            "snoozedUntil": null,
            "archivedAt": s.archived.as_ref().map(|a| a.archived_at),
            "archiveReason": s.archived.as_ref().map(|a| a.reason.clone()),
            "archived": archived,
            "stage": stage,
            "stageChanges": o.stage_changes,
            "owner": s.owner,
            "tags": s.tags,
            "sources": s.sources,
            "origin": origin,
            "sourcedBy": null,
            "applications": applications,
            "resume": null,
            "followers": s.followers,
            "urls": {
                "list": "https://hire.lever.co/candidates",
                "show": format!("https://hire.lever.co/candidates/{}", o.id),
            },
            "dataProtection": null,
            "isAnonymized": false,
        }))
    }

    fn render_application(&self, o: &Opportunity, a: &Application) -> Value {
        let s = &o.seed;
        let posting = self.postings.get(&a.posting);
        json!({
            "id": a.id,
            "opportunityId": o.id,
            "candidateId": o.id,
            "createdAt": a.created_at,
            "type": "posting",
            "posting": a.posting,
            "postingOwner": posting.and_then(|p| p.seed.owner.clone()),
            "postingHiringManager": posting.and_then(|p| p.seed.hiring_manager.clone()),
            "user": null,
            "name": s.name,
            "email": s.emails.first(),
            "phone": s.phones.first().map(|p| json!({"type": p.kind, "value": p.value})),
            "company": null,
            "links": s.links,
            "comments": null,
            "customQuestions": [],
            "archived": null,
            "requisitionForHire": null,
        })
    }

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

    pub fn render_posting(&self, id: &str) -> Result<Value, ApiError> {
        let p = self
            .postings
            .get(id)
            .ok_or_else(|| ApiError::not_found("postings", id))?;
        let s = &p.seed;
        let c = &s.categories;
        let all_locations = if c.all_locations.is_empty() {
            c.location.iter().cloned().collect()
        } else {
            c.all_locations.clone()
        };
        let lists: Vec<Value> = s
            .content
            .lists
            .iter()
            .map(|l| json!({"text": l.text, "content": l.content}))
            .collect();
        let html = |plain: &str| {
            if plain.is_empty() {
                String::new()
            } else {
                format!("<div>{plain}</div>")
            }
        };
        let channels = if s.distribution_channels.is_empty() {
            vec!["internal".to_owned(), "public".to_owned()]
        } else {
            s.distribution_channels.clone()
        };
        Ok(json!({
            "id": p.id,
            "text": s.text,
            "createdAt": p.created_at,
            "updatedAt": p.updated_at,
            "user": s.owner,
            "owner": s.owner,
            "hiringManager": s.hiring_manager,
            "confidentiality": s.confidentiality.clone().unwrap_or_else(|| "non-confidential".into()),
            "categories": {
                "team": c.team,
                "department": c.department,
                "location": c.location,
                "allLocations": all_locations,
                "commitment": c.commitment,
                "level": c.level,
            },
            "content": {
                "description": s.content.description,
                "descriptionHtml": s.content.description_html.clone().unwrap_or_else(|| html(&s.content.description)),
                "lists": lists,
                "closing": s.content.closing,
                "closingHtml": s.content.closing_html.clone().unwrap_or_else(|| html(&s.content.closing)),
            },
            "country": s.country,
            "tags": s.tags,
            "state": s.state.clone().unwrap_or_else(|| "published".into()),
            "distributionChannels": channels,
            "reqCode": null,
            "requisitionCodes": [],
            "urls": {
                "list": "https://jobs.lever.co/example",
                "show": format!("https://jobs.lever.co/example/{}", p.id),
                "apply": format!("https://jobs.lever.co/example/{}/apply", p.id),
            },
            "workplaceType": s.workplace_type.clone().unwrap_or_else(|| "unspecified".into()),
        }))
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

    pub fn render_stages(&self) -> Value {
        let data: Vec<Value> = self
            .stages
            .iter()
            .map(|s| json!({"id": s.id, "text": s.text}))
            .collect();
        json!({ "data": data })
    }

    pub fn render_stage(&self, id: &str) -> Result<Value, ApiError> {
        self.stages
            .iter()
            .find(|s| s.id == id)
            .map(|s| json!({"data": {"id": s.id, "text": s.text}}))
            .ok_or_else(|| ApiError::not_found("stages", id))
    }

    pub fn render_tags(&self) -> Value {
        let mut counts: Vec<(String, usize)> = Vec::new();
        let all = self
            .opportunities
            .values()
            .flat_map(|o| o.seed.tags.iter())
            .chain(self.postings.values().flat_map(|p| p.seed.tags.iter()));
        for tag in all {
            match counts.iter_mut().find(|(t, _)| t == tag) {
                Some((_, n)) => *n += 1,
                None => counts.push((tag.clone(), 1)),
            }
        }
        let data: Vec<Value> = counts
            .into_iter()
            .map(|(text, count)| json!({"text": text, "count": count}))
            .collect();
        json!({ "data": data })
    }

    pub fn notes(&self, id: &str) -> Result<Vec<Note>, ApiError> {
        Ok(self
            .opp(id)?
            .notes
            .iter()
            .map(|n| Note {
                id: n.id.clone(),
                value: n
                    .fields
                    .first()
                    .map(|f| f.value.clone())
                    .unwrap_or_default(),
                secret: n.secret,
                score: n.fields.first().and_then(|f| f.score),
                created_at: n.created_at,
                user: n.user.clone(),
                replies: n.fields.iter().skip(1).map(|f| f.value.clone()).collect(),
            })
            .collect())
    }

    pub fn render_notes(&self, id: &str) -> Result<Value, ApiError> {
        let data: Vec<Value> = self
            .opp(id)?
            .notes
            .iter()
            .map(|n| {
                let fields: Vec<Value> = n
                    .fields
                    .iter()
                    .map(|f| {
                        json!({
                            "type": "note",
                            "text": "Comment",
                            "value": f.value,
                            "createdAt": f.created_at,
                            "user": f.user,
                            "score": f.score,
                            "stage": f.stage,
                        })
                    })
                    .collect();
                json!({
                    "id": n.id,
                    "text": "Note",
                    "fields": fields,
                    "user": n.user,
                    "secret": n.secret,
                    "completedAt": n.created_at,
                    "createdAt": n.created_at,
                    "deletedAt": null,
                })
            })
            .collect();
        Ok(json!({"data": data, "hasNext": false}))
    }

    // ---------- writing ----------

    pub fn add_tags(&mut self, id: &str, tags: &[String]) -> Result<(), ApiError> {
        let now = self.tick();
        let o = self.opp_mut(id)?;
        for t in tags {
            if !o.seed.tags.contains(t) {
                o.seed.tags.push(t.clone());
            }
        }
        o.updated_at = now;
        Ok(())
    }

    pub fn remove_tags(&mut self, id: &str, tags: &[String]) -> Result<(), ApiError> {
        let now = self.tick();
        let o = self.opp_mut(id)?;
        o.seed.tags.retain(|t| !tags.contains(t));
        o.updated_at = now;
        Ok(())
    }

    /// `POST /opportunities/:id/notes`; returns the note id. `reply_to` is `?note_id=`.
    pub fn add_note(
        &mut self,
        id: &str,
        body: &Value,
        user: Option<String>,
        reply_to: Option<&str>,
    ) -> Result<String, ApiError> {
        self.opp(id)?;
        let value = match body.get("value") {
            Some(Value::String(v)) if !v.is_empty() => v.clone(),
            _ => return Err(ApiError::bad_request("Missing required field: value")),
        };
        let secret = match body.get("secret") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(ApiError::bad_request("secret must be a boolean")),
        };
        let score = match body.get("score") {
            None | Some(Value::Null) => None,
            Some(v) => match v.as_i64() {
                Some(n @ 1..=4) => Some(n),
                _ => {
                    return Err(ApiError::bad_request(
                        "score must be an integer from 1 to 4",
                    ));
                }
            },
        };
        let now = self.tick();
        let created_at = match body.get("createdAt") {
            None | Some(Value::Null) => now,
            Some(v) => match v.as_i64() {
                Some(ms) if ms <= now => ms,
                _ => {
                    return Err(ApiError::bad_request(
                        "createdAt must be a timestamp in the past",
                    ));
                }
            },
        };
        let o = self.opp_mut(id)?;
        let field = NoteField {
            value,
            created_at,
            score,
            user: user.clone(),
            stage: o.stage.clone(),
        };
        o.updated_at = now;
        o.last_interaction_at = now;
        if let Some(note_id) = reply_to {
            let note = o
                .notes
                .iter_mut()
                .find(|n| n.id == note_id)
                .ok_or_else(|| ApiError::not_found("notes", note_id))?;
            note.fields.push(field);
            return Ok(note.id.clone());
        }
        let note_id = new_id();
        o.notes.push(NoteRec {
            id: note_id.clone(),
            secret,
            user,
            created_at,
            fields: vec![field],
        });
        Ok(note_id)
    }

    /// Move an opportunity; returns the `candidateStageChange` data when the stage changed.
    pub fn set_stage(
        &mut self,
        id: &str,
        stage: &str,
        user: Option<String>,
    ) -> Result<Option<StageMove>, ApiError> {
        self.opp(id)?;
        let index = self.stage_index(stage).ok_or_else(|| {
            ApiError::bad_request(format!("Invalid stage: stages {stage} was not found"))
        })?;
        let now = self.tick();
        let o = self.opp_mut(id)?;
        if o.stage == stage {
            return Ok(None);
        }
        let from = std::mem::replace(&mut o.stage, stage.to_owned());
        o.stage_changes.push(json!({
            "toStageId": stage,
            "toStageIndex": index,
            "userId": user,
            "updatedAt": now,
        }));
        o.updated_at = now;
        o.last_advanced_at = now;
        Ok(Some(StageMove {
            data: json!({
                "opportunityId": o.id,
                "candidateId": o.id,
                "contactId": o.contact,
                "toStageId": stage,
                "fromStageId": from,
            }),
            origin: o.seed.origin.clone().or_else(|| {
                Some(if o.application.is_some() {
                    "applied".into()
                } else {
                    "sourced".into()
                })
            }),
        }))
    }

    pub fn create_webhook(
        &mut self,
        url: String,
        event: String,
        configuration: Value,
    ) -> Result<Webhook, ApiError> {
        if !EVENTS.contains(&event.as_str()) {
            return Err(ApiError::bad_request(format!("Invalid event: {event}")));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(ApiError::bad_request(format!("Invalid url: {url}")));
        }
        let now = self.tick();
        let hook = Webhook {
            id: new_id(),
            url,
            event,
            signature_token: crate::signing::random_hex(48),
            configuration: if configuration.is_null() {
                json!({})
            } else {
                configuration
            },
            created_at: now,
            updated_at: now,
        };
        self.webhooks.push(hook.clone());
        Ok(hook)
    }

    pub fn delete_webhook(&mut self, id: &str) -> Result<(), ApiError> {
        let before = self.webhooks.len();
        self.webhooks.retain(|w| w.id != id);
        if self.webhooks.len() == before {
            return Err(ApiError::not_found("webhooks", id));
        }
        Ok(())
    }

    pub fn subscribers(&self, event: &str, origin: Option<&str>) -> Vec<Webhook> {
        self.webhooks
            .iter()
            .filter(|w| w.event == event && w.accepts_origin(origin))
            .cloned()
            .collect()
    }

    pub fn tags(&self, id: &str) -> Vec<String> {
        self.opportunities
            .get(id)
            .map(|o| o.seed.tags.clone())
            .unwrap_or_default()
    }

    pub fn stage_of(&self, id: &str) -> Option<String> {
        self.opportunities.get(id).map(|o| o.stage.clone())
    }
}

fn list_envelope(data: Vec<Value>, next: Option<String>, has_next: bool) -> Value {
    let mut body = Map::new();
    body.insert("data".into(), Value::Array(data));
    if let Some(next) = next {
        body.insert("next".into(), Value::String(next));
    }
    body.insert("hasNext".into(), Value::Bool(has_next));
    Value::Object(body)
}
