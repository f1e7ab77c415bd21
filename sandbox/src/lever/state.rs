//! The fake Lever account: stages, postings, opportunities, notes, webhooks.
//! Records, seeding and the write rules; no I/O (HTTP lives in `routes`, deliveries in
//! `webhooks`, JSON shapes in `render`, list filters in `query`).

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use super::error::ApiError;
use super::model::{Consent, DataProtection, DeliveryResult, NewOpportunity, NewPosting};
use super::oauth::OAuthState;
use super::ratelimit::RateLimiter;
use super::resumes::ResumeRec;
use super::users::User;

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
    /// `posting` (seeded: the candidate applied) or `user` (added through the API).
    pub kind: &'static str,
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
    pub resumes: Vec<ResumeRec>,
    /// Lever removed the candidate's personal data (`isAnonymized`).
    pub anonymized: bool,
}

/// An opportunity deleted from the account, as `GET /opportunities/deleted` still lists it.
#[derive(Debug, Clone)]
pub(crate) struct Deleted {
    pub opportunity: Opportunity,
    pub deleted_at: i64,
    pub deleted_by: Option<String>,
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

#[derive(Default)]
pub(crate) struct LeverState {
    pub keys: HashSet<String>,
    pub stages: Vec<Stage>,
    pub postings: HashMap<String, Posting>,
    pub opportunities: HashMap<String, Opportunity>,
    /// Deleted opportunities, by id (gone from every other route).
    pub deleted: HashMap<String, Deleted>,
    pub users: HashMap<String, User>,
    /// Ids of the opportunities created with `POST /opportunities`, in creation order.
    pub created_via_api: Vec<String>,
    pub webhooks: Vec<Webhook>,
    pub deliveries: Vec<DeliveryResult>,
    pub retries: bool,
    pub include_event_id: bool,
    pub rate: Option<RateLimiter>,
    pub clock: crate::server::SandboxClock,
    /// Added to `clock` (`FakeLever::advance_clock`).
    pub clock_offset_ms: i64,
    /// Webhook groups switched on or off in Settings → Webhooks (`set_webhook_group_enabled`).
    pub webhook_groups: HashMap<String, bool>,
    /// Whether a group never switched is on. `true` by default so that subscriptions deliver
    /// at once; real Lever starts API-created groups off.
    pub webhook_groups_default_off: bool,
    pub oauth: OAuthState,
    last_ts: i64,
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl LeverState {
    /// A fresh timestamp, strictly greater than any handed out before.
    pub fn tick(&mut self) -> i64 {
        self.last_ts = self.now_ms().max(self.last_ts + 1);
        self.last_ts
    }

    /// The fake clock: `clock` plus the offset of `advance_clock`.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms().saturating_add(self.clock_offset_ms)
    }

    /// Whether the webhook group of `event` is switched on in Settings → Webhooks.
    pub fn webhook_group_enabled(&self, event: &str) -> bool {
        self.webhook_groups
            .get(event)
            .copied()
            .unwrap_or(!self.webhook_groups_default_off)
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
        let now = self.tick();
        let actor = seed.owner.clone();
        self.insert_opportunity(seed, now, actor, "posting")
    }

    /// Store an opportunity stamped `now`: `actor` makes its first stage change, `kind` is
    /// the type of its application (when it has a posting).
    pub(super) fn insert_opportunity(
        &mut self,
        seed: NewOpportunity,
        now: i64,
        actor: Option<String>,
        kind: &'static str,
    ) -> String {
        let id = seed.id.clone().unwrap_or_else(new_id);
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
            kind,
            posting,
            created_at,
        });
        let stage_changes = vec![json!({
            "toStageId": stage,
            "toStageIndex": self.stage_index(&stage),
            "userId": actor,
            "updatedAt": created_at,
        })];
        let mut seed = seed;
        let resumes = std::mem::take(&mut seed.resumes)
            .into_iter()
            .map(|r| ResumeRec::new(r, created_at))
            .collect();
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
            resumes,
            anonymized: false,
            seed,
        };
        self.opportunities.insert(id.clone(), opp);
        id
    }

    pub fn set_posting_state(&mut self, id: &str, state: String) -> Result<(), ApiError> {
        let now = self.tick();
        let p = self
            .postings
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("postings", id))?;
        p.seed.state = Some(state);
        p.updated_at = now.max(p.updated_at + 1);
        Ok(())
    }

    pub(super) fn stage_index(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    pub(super) fn opp(&self, id: &str) -> Result<&Opportunity, ApiError> {
        self.opportunities
            .get(id)
            .ok_or_else(|| ApiError::not_found("opportunities", id))
    }

    pub(super) fn opp_mut(&mut self, id: &str) -> Result<&mut Opportunity, ApiError> {
        self.opportunities
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("opportunities", id))
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
        // Tag changes bump updatedAt (Lever documents it); never backwards, even past a
        // seeded future timestamp, so `updated_at_start` polls see the change.
        o.updated_at = now.max(o.updated_at + 1);
        Ok(())
    }

    pub fn remove_tags(&mut self, id: &str, tags: &[String]) -> Result<(), ApiError> {
        let now = self.tick();
        let o = self.opp_mut(id)?;
        o.seed.tags.retain(|t| !tags.contains(t));
        o.updated_at = now.max(o.updated_at + 1);
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

    /// Delete an opportunity (as a user does in Lever's UI; the API has no delete), stamped
    /// now and kept for `GET /opportunities/deleted`. Returns the `candidateDeleted` data and
    /// the opportunity's origin.
    pub fn delete_opportunity(
        &mut self,
        id: &str,
        by: Option<String>,
    ) -> Result<(Value, Option<String>), ApiError> {
        let o = self
            .opportunities
            .remove(id)
            .ok_or_else(|| ApiError::not_found("opportunities", id))?;
        let deleted_at = self.tick();
        let origin = o.seed.origin.clone();
        let data = json!({
            "opportunityId": o.id,
            "candidateId": o.id,
            "contactId": o.contact,
            "deletedBy": by,
        });
        self.deleted.insert(
            o.id.clone(),
            Deleted {
                opportunity: o,
                deleted_at,
                deleted_by: by,
            },
        );
        Ok((data, origin))
    }

    /// Anonymize an opportunity as Lever's data-retention tools do: its name, contact
    /// details, headline, location and résumés are gone, `isAnonymized` is true and
    /// `updatedAt` moves.
    pub fn anonymize(&mut self, id: &str) -> Result<(), ApiError> {
        let now = self.tick();
        let o = self.opp_mut(id)?;
        o.seed.name = "Anonymized Candidate".to_owned();
        o.seed.headline = None;
        o.seed.location = None;
        o.seed.emails.clear();
        o.seed.phones.clear();
        o.seed.links.clear();
        o.resumes.clear();
        o.anonymized = true;
        o.updated_at = now.max(o.updated_at + 1);
        Ok(())
    }

    /// Record the candidate's consent to storage (`dataProtection.store`); `updatedAt` moves.
    pub fn set_store_consent(&mut self, id: &str, consent: Consent) -> Result<(), ApiError> {
        let now = self.tick();
        let o = self.opp_mut(id)?;
        o.seed
            .data_protection
            .get_or_insert_with(DataProtection::default)
            .store = Some(consent);
        o.updated_at = now.max(o.updated_at + 1);
        Ok(())
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
            .filter(|_| self.webhook_group_enabled(event))
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
