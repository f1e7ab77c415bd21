//! Lever's data model, as far as the hub reads it. Lever adds fields without notice and many
//! are nullable, so every field is optional or defaulted and unknown fields are ignored.

use serde::{Deserialize, Serialize};

/// A field Lever returns either as an id or, when expanded, as an object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdOr<T> {
    Id(String),
    Object(T),
}

impl<T: HasId> IdOr<T> {
    pub fn id(&self) -> &str {
        match self {
            IdOr::Id(id) => id,
            IdOr::Object(o) => o.id(),
        }
    }
}

pub trait HasId {
    fn id(&self) -> &str;
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Phone {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub id: String,
    #[serde(default)]
    pub text: Option<String>,
}

impl HasId for Stage {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    #[serde(default)]
    pub posting: Option<IdOr<Posting>>,
}

impl HasId for Application {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Opportunity {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub headline: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub phones: Vec<Phone>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub stage: Option<IdOr<Stage>>,
    #[serde(default)]
    pub applications: Vec<IdOr<Application>>,
    #[serde(default)]
    pub archived: Option<serde_json::Value>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
    /// Every stage move, oldest first (Lever's own record, used to confirm a webhook's claim).
    #[serde(default)]
    pub stage_changes: Vec<StageChange>,
    /// Set on deleted opportunities (e.g. from `GET /opportunities/deleted`).
    #[serde(default)]
    pub deleted_at: Option<i64>,
    /// Lever has removed the candidate's personal data.
    #[serde(default)]
    pub is_anonymized: Option<bool>,
    /// The candidate's consent to their data being stored and to being contacted; null when
    /// the account does not record it.
    #[serde(default)]
    pub data_protection: Option<DataProtection>,
}

/// `dataProtection` of an opportunity: `{store, contact}`, each `{allowed, expiresAt}` or null.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataProtection {
    #[serde(default)]
    pub store: Option<Consent>,
    #[serde(default)]
    pub contact: Option<Consent>,
}

/// One consent of a candidate: whether it is given and until when (ms; null: no end).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    #[serde(default)]
    pub allowed: Option<bool>,
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// The canonical subject of an opportunity: the candidate's name, first email and phone,
/// location and tags, and the job of the posting applied for (if any).
pub fn subject(opp: &Opportunity, posting: Option<&Posting>) -> crate::domain::subject::Subject {
    use crate::domain::order::non_blank;
    use crate::domain::subject::{Job, Subject};
    Subject {
        ats: crate::domain::kinds::AtsKind::Lever,
        details: Default::default(),
        name: non_blank(opp.name.as_deref()),
        email: opp.emails.iter().find_map(|e| non_blank(Some(e))),
        phone: opp
            .phones
            .iter()
            .find_map(|p| non_blank(p.value.as_deref())),
        location: non_blank(opp.location.as_deref()),
        labels: opp.tags.clone(),
        package: None,
        job: Job {
            title: posting.and_then(|p| non_blank(p.text.as_deref())),
            department: posting.and_then(|p| non_blank(p.categories.department.as_deref())),
            location: posting.and_then(|p| non_blank(p.categories.location.as_deref())),
        },
    }
}

/// One entry of an opportunity's `stageChanges`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageChange {
    #[serde(default)]
    pub to_stage_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub updated_at: Option<i64>,
}

/// How far apart a webhook's `triggeredAt` and the matching `stageChanges[].updatedAt` may
/// be: both stamp the same move, but Lever documents neither's precision.
pub const STAGE_MOVE_TOLERANCE_MS: u64 = 5 * 60 * 1000;

impl Opportunity {
    /// Whether Lever's own record shows a move onto `stage_id` at about `at_ms` (within
    /// `tolerance_ms`). Lever signs only `token + triggeredAt`, so a delivery's opportunity
    /// and stage are claims until this confirms them. The candidate may have moved on since,
    /// so the current stage is not the test: the recorded move is.
    pub fn shows_move_to(&self, stage_id: &str, at_ms: i64, tolerance_ms: u64) -> bool {
        self.stage_changes.iter().any(|c| {
            c.to_stage_id.as_deref() == Some(stage_id)
                && c.updated_at
                    .is_some_and(|t| t.abs_diff(at_ms) <= tolerance_ms)
        })
    }

    pub fn stage_id(&self) -> Option<&str> {
        self.stage.as_ref().map(IdOr::id)
    }

    /// Whether the opportunity is archived (`archived` is `{reason, archivedAt}`, else null).
    pub fn is_archived(&self) -> bool {
        self.archived.as_ref().is_some_and(|a| !a.is_null())
    }

    /// When Lever last changed the opportunity (its creation on old records without one).
    pub fn changed_at(&self) -> i64 {
        self.updated_at.or(self.created_at).unwrap_or_default()
    }

    /// The posting id of the opportunity's (at most one) application.
    pub fn posting_id(&self) -> Option<&str> {
        self.applications.iter().find_map(|a| match a {
            IdOr::Object(app) => app.posting.as_ref().map(IdOr::id),
            IdOr::Id(_) => None,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostingCategories {
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub commitment: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Posting {
    pub id: String,
    /// The posting's title.
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub categories: PostingCategories,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub state: Option<String>,
    /// The description and lists (what the recruiting passes match against).
    #[serde(default)]
    pub content: Option<PostingContent>,
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// A posting's text (`content`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostingContent {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub description_html: Option<String>,
    #[serde(default)]
    pub lists: Vec<PostingContentList>,
}

/// One list of a posting: a heading (`text`) and its HTML items (`content`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PostingContentList {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub content: Option<String>,
}

impl HasId for Posting {
    fn id(&self) -> &str {
        &self.id
    }
}

/// `{"data": …}` envelope of single-object answers.
#[derive(Clone, Debug, Deserialize)]
pub struct Envelope<T> {
    pub data: T,
}

/// `{"data": […], "next": "…", "hasNext": bool}` envelope of list answers.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub has_next: bool,
}

/// A note to create on an opportunity: the core's notice, as Lever takes it.
pub use crate::domain::effects::Notice as NewNote;

/// A note as Lever lists it (`GET /opportunities/:id/notes`): its text is in `fields`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub secret: Option<bool>,
    #[serde(default)]
    pub fields: Vec<NoteField>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub deleted_at: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NoteField {
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// How long before the effect was queued a note of ours may carry as its creation time
/// (Lever's clock and ours may differ a little).
pub const NOTE_CLOCK_SKEW_MS: i64 = 60_000;

/// Whether `note` is already on the opportunity, created no earlier than `since_ms` (when the
/// effect that posts it was queued): a retry after a lost answer must not post it again.
/// Only notes that appeared after the effect was queued count, so an older note with the same
/// text (an earlier, separate event) does not hide a new one.
pub fn already_posted(notes: &[Note], note: &NewNote, since_ms: i64) -> bool {
    let since = since_ms.saturating_sub(NOTE_CLOCK_SKEW_MS);
    notes.iter().any(|n| {
        n.deleted_at.is_none()
            && n.secret.unwrap_or(false) == note.secret
            && n.created_at.is_none_or(|t| t >= since)
            && n.fields
                .first()
                .and_then(|f| f.value.as_deref())
                .is_some_and(|v| v == note.value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Option<String> {
        let path = format!(
            "{}/../../shared/docs/facts/lever-samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        match std::fs::read_to_string(&path) {
            Ok(s) => Some(s),
            Err(_) => {
                eprintln!("skipped: Lever sample {path} not found (team folder absent)");
                None
            }
        }
    }

    #[test]
    fn documented_opportunity_parses() {
        let Some(text) = sample("opportunity-get.json") else {
            return;
        };
        let env: Envelope<Opportunity> = serde_json::from_str(&text).unwrap();
        let opp = env.data;
        assert!(!opp.id.is_empty());
        assert!(!opp.emails.is_empty());
        assert!(opp.stage_id().is_some());
        let store = opp.data_protection.and_then(|d| d.store).unwrap();
        assert_eq!(
            (store.allowed, store.expires_at),
            (Some(true), Some(1_522_540_800_000))
        );
    }

    #[test]
    fn data_protection_and_anonymization_tolerate_null_and_absence() {
        let opp: Opportunity = serde_json::from_value(serde_json::json!({
            "id": "o1", "isAnonymized": null,
            "dataProtection": {"store": {"allowed": false, "expiresAt": null}, "contact": null}
        }))
        .unwrap();
        assert_eq!(opp.is_anonymized, None);
        let dp = opp.data_protection.unwrap();
        assert_eq!(dp.store.unwrap().allowed, Some(false));
        assert_eq!(dp.contact, None);
        let bare: Opportunity =
            serde_json::from_value(serde_json::json!({"id": "o2", "dataProtection": null}))
                .unwrap();
        assert_eq!((bare.is_anonymized, bare.data_protection), (None, None));
    }

    #[test]
    fn documented_posting_and_list_parse() {
        if let Some(text) = sample("posting-get.json") {
            let p: Envelope<Posting> = serde_json::from_str(&text).unwrap();
            assert!(p.data.text.is_some());
        }
        if let Some(text) = sample("opportunities-list.json") {
            let page: Page<Opportunity> = serde_json::from_str(&text).unwrap();
            assert!(!page.data.is_empty());
        }
    }

    #[test]
    fn a_move_is_confirmed_by_a_matching_stage_change_only() {
        let opp: Opportunity = serde_json::from_value(serde_json::json!({
            "id": "o1",
            "stage": "stage-later",
            "stageChanges": [
                {"toStageId": "applicant-new", "toStageIndex": 0, "userId": null, "updatedAt": 1_000},
                {"toStageId": "bg", "toStageIndex": 3, "userId": "u1", "updatedAt": 600_000},
                {"toStageId": "stage-later", "toStageIndex": 4, "userId": "u1", "updatedAt": 900_000}
            ]
        }))
        .unwrap();
        let tol = STAGE_MOVE_TOLERANCE_MS;
        // Moved on since: the recorded move still counts.
        assert!(opp.shows_move_to("bg", 600_000, tol));
        assert!(opp.shows_move_to("bg", 600_000 + 300_000, tol));
        assert!(!opp.shows_move_to("bg", 600_000 + 300_001, tol));
        assert!(!opp.shows_move_to("other", 600_000, tol));
        // Extreme claims cannot overflow the comparison.
        assert!(!opp.shows_move_to("bg", i64::MIN, tol));
        assert!(!opp.shows_move_to("bg", i64::MAX, tol));
        let never: Opportunity = serde_json::from_value(serde_json::json!({"id": "o2"})).unwrap();
        assert!(!never.shows_move_to("bg", 600_000, tol));
    }

    #[test]
    fn a_note_counts_as_posted_only_if_it_appeared_after_the_effect_was_queued() {
        let notes: Vec<Note> = serde_json::from_value(serde_json::json!([
            {"id": "n1", "secret": false, "createdAt": 1_000_000,
             "fields": [{"type": "note", "value": "Cancelled.", "createdAt": 1_000_000}]},
            {"id": "n2", "secret": true, "createdAt": 5_000_000,
             "fields": [{"type": "note", "value": "Results", "createdAt": 5_000_000}]}
        ]))
        .unwrap();
        let plain = |v: &str| NewNote {
            value: v.into(),
            secret: false,
        };
        let secret = NewNote {
            value: "Results".into(),
            secret: true,
        };
        assert!(already_posted(&notes, &secret, 5_000_000));
        assert!(already_posted(
            &notes,
            &secret,
            5_000_000 + NOTE_CLOCK_SKEW_MS
        ));
        assert!(!already_posted(
            &notes,
            &secret,
            5_000_001 + NOTE_CLOCK_SKEW_MS
        ));
        assert!(
            !already_posted(&notes, &plain("Results"), 5_000_000),
            "secrecy differs"
        );
        assert!(already_posted(&notes, &plain("Cancelled."), 1_000_000));
        assert!(
            !already_posted(&notes, &plain("Cancelled."), 4_000_000),
            "an older note of the same text is another event's"
        );
        assert!(!already_posted(&notes, &plain("Other"), 0));
        assert!(!already_posted(&[], &plain("Cancelled."), 0));
    }

    #[test]
    fn documented_notes_list_parses() {
        if let Some(text) = sample("notes-list.json") {
            let page: Page<Note> = serde_json::from_str(&text).unwrap();
            assert!(page.data[0].fields[0].value.is_some());
        }
    }

    #[test]
    fn expanded_and_plain_references_both_parse() {
        let opp: Opportunity = serde_json::from_value(serde_json::json!({
            "id": "o1",
            "stage": {"id": "s1", "text": "Background check"},
            "applications": [{"id": "a1", "posting": "p1"}],
            "phones": [{"value": "+1 555"}],
            "name": null
        }))
        .unwrap();
        assert_eq!(opp.stage_id(), Some("s1"));
        assert_eq!(opp.posting_id(), Some("p1"));
        let plain: Opportunity = serde_json::from_value(
            serde_json::json!({"id": "o2", "stage": "lead-new", "applications": ["a9"]}),
        )
        .unwrap();
        assert_eq!(plain.stage_id(), Some("lead-new"));
        assert_eq!(plain.posting_id(), None);
    }
}
