//! The recruiting passes on Lever (DESIGN §1.E): a tenant's settings, what Lever's records
//! become for matching (no contact data), what each pass decides from an explained score, and
//! the note it leaves on the candidate saying which pass acted, for which posting and why.
//! Pure.

use crate::domain::ats::lever::{Opportunity, Posting};
use crate::domain::effects::Notice;
use crate::matching::{CandidateDoc, Explanation, MatchConfig, PostingDoc, PostingList, Profile};
use serde::{Deserialize, Serialize};

/// A recruiting pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    /// New applications scored against the posting applied for; a match is advanced.
    Fiilter,
    /// Each new published posting searched against the candidate database; the best become
    /// leads on it.
    Arkive,
    /// Applications FiiLTER did not advance, scored against the other open postings.
    Refine,
}

impl Pass {
    pub const ALL: [Pass; 3] = [Pass::Fiilter, Pass::Arkive, Pass::Refine];

    /// Persisted (cursors, records, metrics).
    pub fn as_str(self) -> &'static str {
        match self {
            Pass::Fiilter => "fiilter",
            Pass::Arkive => "arkive",
            Pass::Refine => "refine",
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Pass::Fiilter => "FiiLTER",
            Pass::Arkive => "ARKiiVE",
            Pass::Refine => "REFiiNE",
        }
    }
}

fn default_max_leads() -> usize {
    7
}

fn default_source() -> String {
    "CiiVSOFT".to_owned()
}

/// How long an archived candidate's profile is kept when the tenant does not say (two years).
pub const DEFAULT_PROFILE_RETENTION_DAYS: u32 = 730;
/// The longest retention a tenant may set (ten years): a larger number is a typo.
pub const MAX_PROFILE_RETENTION_DAYS: u32 = 3650;

/// `passes` of a tenant's configuration (needs `ats.lever`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PassSettings {
    /// The passes that run for this tenant.
    pub enabled: Vec<Pass>,
    /// The Lever user the passes act as (`perform_as`): leads are created by this user.
    pub service_user: String,
    /// Lever's New Applicant stage: where FiiLTER finds new applications.
    pub new_applicant_stage: String,
    /// The tenant's "CiiVSOFT SCREENED" stage: where FiiLTER moves a match.
    pub screened_stage: String,
    /// ARKiiVE: at most this many leads per posting.
    #[serde(default = "default_max_leads")]
    pub max_leads_per_posting: usize,
    /// Lever source recorded on the leads the passes create.
    #[serde(default = "default_source")]
    pub lead_source: String,
    /// Score thresholds; the engine's defaults when absent.
    #[serde(default)]
    pub thresholds: Thresholds,
    /// The candidate database forgets an archived candidate this many days after Lever last
    /// changed the opportunity (0 or absent: [`DEFAULT_PROFILE_RETENTION_DAYS`]).
    #[serde(default)]
    pub profile_retention_days: u32,
}

/// Minimum scores in [0, 1] (`None`: the engine's default).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    #[serde(default)]
    pub fiilter: Option<f32>,
    #[serde(default)]
    pub arkive: Option<f32>,
    #[serde(default)]
    pub refine: Option<f32>,
}

impl PassSettings {
    pub fn runs(&self, pass: Pass) -> bool {
        self.enabled.contains(&pass)
    }

    /// How many days an archived candidate's profile is kept after Lever last changed it.
    pub fn retention_days(&self) -> u32 {
        match self.profile_retention_days {
            0 => DEFAULT_PROFILE_RETENTION_DAYS,
            days => days,
        }
    }

    /// The engine's configuration with this tenant's thresholds.
    pub fn match_config(&self) -> MatchConfig {
        let mut c = MatchConfig::default();
        if let Some(t) = self.thresholds.fiilter {
            c.filter_threshold = t;
        }
        if let Some(t) = self.thresholds.arkive {
            c.arkive_min_score = t;
        }
        if let Some(t) = self.thresholds.refine {
            c.refine_min_score = t;
        }
        c.top_k = self.max_leads_per_posting;
        c
    }

    /// Every problem of these settings, in words an operator can act on.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        for (what, id) in [
            ("service_user", &self.service_user),
            ("new_applicant_stage", &self.new_applicant_stage),
            ("screened_stage", &self.screened_stage),
        ] {
            if crate::domain::ids::external_id(id).is_err() {
                found.push(format!("passes.{what} is not a Lever id"));
            }
        }
        if self.new_applicant_stage == self.screened_stage {
            found
                .push("passes: the screened stage must differ from the New Applicant stage".into());
        }
        if !(1..=50).contains(&self.max_leads_per_posting) {
            found.push("passes.max_leads_per_posting must be between 1 and 50".into());
        }
        if self.profile_retention_days > MAX_PROFILE_RETENTION_DAYS {
            found.push(format!(
                "passes.profile_retention_days must be at most {MAX_PROFILE_RETENTION_DAYS} \
                 (0 means {DEFAULT_PROFILE_RETENTION_DAYS})"
            ));
        }
        for (what, t) in [
            ("fiilter", self.thresholds.fiilter),
            ("arkive", self.thresholds.arkive),
            ("refine", self.thresholds.refine),
        ] {
            if t.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
                found.push(format!("passes.thresholds.{what} must be between 0 and 1"));
            }
        }
        found
    }
}

/// A résumé as Lever lists it (`GET /opportunities/:id/resumes`), the parts matching reads.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resume {
    pub id: String,
    #[serde(default)]
    pub parsed_data: Option<ParsedData>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedData {
    #[serde(default)]
    pub positions: Vec<ParsedPosition>,
    #[serde(default)]
    pub schools: Vec<ParsedSchool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedPosition {
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParsedSchool {
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default)]
    pub degree: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// What matching reads of a candidate: the headline and the parsed résumés' position titles
/// and summaries, schools and the opportunity's tags. Names, emails, phones, links and
/// employers are not read.
pub fn candidate_doc(opp: &Opportunity, resumes: &[Resume]) -> CandidateDoc {
    let parsed = resumes.iter().filter_map(|r| r.parsed_data.as_ref());
    let mut doc = CandidateDoc {
        id: opp.id.clone(),
        tags: opp.tags.clone(),
        ..CandidateDoc::default()
    };
    doc.titles.extend(text(&opp.headline));
    for p in parsed {
        for pos in &p.positions {
            doc.titles.extend(text(&pos.title));
            doc.summaries.extend(text(&pos.summary));
        }
        for s in &p.schools {
            let parts: Vec<String> = [&s.degree, &s.field, &s.org]
                .into_iter()
                .filter_map(text)
                .collect();
            if !parts.is_empty() {
                doc.schools.push(parts.join(", "));
            }
        }
    }
    doc
}

/// A candidate's profile, from Lever's records.
pub fn candidate_profile(opp: &Opportunity, resumes: &[Resume]) -> Profile {
    Profile::from_candidate(&candidate_doc(opp, resumes))
}

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Why the candidate database must not hold an opportunity's profile (DESIGN §3: candidate
/// data goes a configurable time after the candidate's process ends, and as soon as Lever
/// says it must).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unkept {
    /// Lever has anonymized the candidate.
    Anonymized,
    /// The candidate does not allow their data to be stored (`dataProtection.store.allowed`).
    StorageRefused,
    /// The candidate's consent to storage has run out (`dataProtection.store.expiresAt`).
    ConsentExpired,
    /// Archived, and unchanged in Lever for longer than the tenant's retention.
    PastRetention,
}

impl Unkept {
    /// For logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Unkept::Anonymized => "anonymized",
            Unkept::StorageRefused => "storage_refused",
            Unkept::ConsentExpired => "consent_expired",
            Unkept::PastRetention => "past_retention",
        }
    }
}

/// The oldest Lever `updatedAt` an archived candidate's profile may have at `now_ms` (ms):
/// one changed before it is past the retention.
pub fn retained_since(now_ms: i64, retention_days: u32) -> i64 {
    now_ms.saturating_sub(i64::from(retention_days) * DAY_MS)
}

/// Whether the candidate database may hold this opportunity's profile at `now_ms`: not when
/// Lever anonymized the candidate, when their consent to storage is refused or has run out,
/// or when the opportunity is archived and Lever last changed it more than `retention_days`
/// ago. A `dataProtection` Lever does not record (null) restricts nothing.
pub fn keep_profile(opp: &Opportunity, now_ms: i64, retention_days: u32) -> Result<(), Unkept> {
    if opp.is_anonymized == Some(true) {
        return Err(Unkept::Anonymized);
    }
    if let Some(store) = opp.data_protection.as_ref().and_then(|d| d.store.as_ref()) {
        if store.allowed == Some(false) {
            return Err(Unkept::StorageRefused);
        }
        if store.expires_at.is_some_and(|t| t <= now_ms) {
            return Err(Unkept::ConsentExpired);
        }
    }
    if opp.is_archived() && opp.changed_at() < retained_since(now_ms, retention_days) {
        return Err(Unkept::PastRetention);
    }
    Ok(())
}

/// What matching reads of a posting: its title, team and department, description and lists.
pub fn posting_doc(posting: &Posting) -> PostingDoc {
    let content = posting.content.clone().unwrap_or_default();
    PostingDoc {
        id: posting.id.clone(),
        title: text(&posting.text).unwrap_or_default(),
        categories: [&posting.categories.team, &posting.categories.department]
            .into_iter()
            .filter_map(text)
            .collect(),
        description: content
            .description_html
            .or(content.description)
            .unwrap_or_default(),
        lists: content
            .lists
            .into_iter()
            .map(|l| PostingList {
                heading: l.text.unwrap_or_default(),
                content: l.content.unwrap_or_default(),
            })
            .collect(),
        tags: posting.tags.clone(),
    }
}

/// Whether a posting takes new leads: published or internal (Lever's "unlisted"), not
/// closed, draft or pending.
pub fn is_open(posting: &Posting) -> bool {
    matches!(
        posting.state.as_deref(),
        None | Some("published") | Some("internal")
    )
}

/// What FiiLTER does with an application.
#[derive(Clone, Debug, PartialEq)]
pub enum FiilterAction {
    /// Move it to the screened stage, with this note.
    Advance(Notice),
    /// Leave it where it is; REFiiNE looks at it against the other postings.
    Queue,
}

/// FiiLTER's decision on a scored application. It never rejects or archives anyone.
pub fn fiilter(posting_title: &str, explanation: &Explanation, threshold: f32) -> FiilterAction {
    if explanation.score >= threshold {
        FiilterAction::Advance(note(Pass::Fiilter, posting_title, explanation))
    } else {
        FiilterAction::Queue
    }
}

/// ARKiiVE's leads for a posting: the best-ranked candidates first, one per contact, skipping
/// contacts that already have an opportunity for the posting; at most `max`. `contact_of`
/// gives a candidate's contact, `has_one` whether a contact already has an opportunity for
/// the posting.
pub fn pick_leads<'a>(
    ranked: &'a [Explanation],
    contact_of: impl Fn(&str) -> Option<&'a str>,
    has_one: impl Fn(&str) -> bool,
    max: usize,
) -> Vec<(&'a str, &'a Explanation)> {
    let mut picked: Vec<(&str, &Explanation)> = Vec::new();
    for e in ranked {
        if picked.len() == max {
            break;
        }
        let Some(contact) = contact_of(&e.candidate_id) else {
            continue;
        };
        if has_one(contact) || picked.iter().any(|(c, _)| *c == contact) {
            continue;
        }
        picked.push((contact, e));
    }
    picked
}

fn names(items: impl Iterator<Item = String>, max: usize) -> String {
    let list: Vec<String> = items.take(max).collect();
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

/// The note a pass leaves on the candidate: which pass, for which posting, what it did and
/// why (the score with the matched and missing skills, the roles and occupations shared).
pub fn note(pass: Pass, posting_title: &str, e: &Explanation) -> Notice {
    let did = match pass {
        Pass::Fiilter => format!("advanced this application for \"{posting_title}\" to screened"),
        Pass::Arkive | Pass::Refine => format!("suggested this candidate for \"{posting_title}\""),
    };
    let roles = e
        .matched_occupations
        .iter()
        .map(|c| c.name.clone())
        .chain(e.matched_roles.iter().map(|c| c.name.clone()));
    Notice {
        value: format!(
            "{}: {did} (score {:.2}). Matched skills: {}. Missing skills: {}. Matched roles: {}. \
             Matched terms: {}.",
            pass.display_name(),
            e.score,
            names(e.matched_skills.iter().map(|c| c.name.clone()), 8),
            names(e.missing_skills.iter().cloned(), 8),
            names(roles, 3),
            names(e.matched_terms.iter().map(|c| c.name.clone()), 6),
        ),
        secret: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::{CandidateIndex, Profile};

    fn settings() -> PassSettings {
        serde_json::from_value(serde_json::json!({
            "enabled": ["fiilter"],
            "service_user": "user-1",
            "new_applicant_stage": "applicant-new",
            "screened_stage": "stage-screened"
        }))
        .unwrap()
    }

    fn opp(headline: &str) -> Opportunity {
        Opportunity {
            id: "opp-1".into(),
            name: Some("Ada Lovelace".into()),
            emails: vec!["ada@example.com".into()],
            headline: Some(headline.into()),
            tags: vec!["Referral".into()],
            ..Opportunity::default()
        }
    }

    fn resume() -> Resume {
        serde_json::from_value(serde_json::json!({
            "id": "r1",
            "parsedData": {
                "positions": [{ "org": "Acme Corp", "title": "Backend Engineer",
                                "summary": "Built Rust services on AWS Lambda and DynamoDB" }],
                "schools": [{ "org": "MIT", "degree": "BSc", "field": "Computer Science" }]
            }
        }))
        .unwrap()
    }

    #[test]
    fn defaults_and_checks() {
        let s = settings();
        assert!(s.problems().is_empty(), "{:?}", s.problems());
        assert_eq!(s.max_leads_per_posting, 7);
        assert!(s.runs(Pass::Fiilter) && !s.runs(Pass::Arkive));
        assert_eq!(s.match_config().top_k, 7);
        let mut bad = s.clone();
        bad.screened_stage = bad.new_applicant_stage.clone();
        bad.thresholds.fiilter = Some(1.5);
        assert_eq!(bad.problems().len(), 2, "{:?}", bad.problems());
    }

    #[test]
    fn profile_retention_defaults_to_two_years_and_is_bounded() {
        let mut s = settings();
        assert_eq!(s.retention_days(), 730, "absent");
        s.profile_retention_days = 0;
        assert_eq!(s.retention_days(), 730, "0 is the default");
        s.profile_retention_days = 90;
        assert_eq!(s.retention_days(), 90);
        assert!(s.problems().is_empty());
        s.profile_retention_days = 3651;
        assert_eq!(s.problems().len(), 1, "{:?}", s.problems());
        let set: PassSettings = serde_json::from_value(serde_json::json!({
            "enabled": ["arkive"], "service_user": "user-1",
            "new_applicant_stage": "applicant-new", "screened_stage": "stage-screened",
            "profile_retention_days": 365
        }))
        .unwrap();
        assert_eq!(set.retention_days(), 365);
    }

    const NOW: i64 = 1_800_000_000_000;

    fn lever_opp(fields: serde_json::Value) -> Opportunity {
        let mut o = serde_json::json!({"id": "o1", "updatedAt": NOW - 1_000});
        for (k, v) in fields.as_object().unwrap() {
            o[k] = v.clone();
        }
        serde_json::from_value(o).unwrap()
    }

    #[test]
    fn an_anonymized_candidate_or_one_without_consent_to_storage_is_not_kept() {
        use serde_json::json;
        assert_eq!(keep_profile(&lever_opp(json!({})), NOW, 730), Ok(()));
        let kept = [
            json!({"isAnonymized": false, "dataProtection": null}),
            json!({"isAnonymized": null}),
            json!({"dataProtection": {"store": null, "contact": {"allowed": false}}}),
            json!({"dataProtection": {"store": {"allowed": true, "expiresAt": null}}}),
            json!({"dataProtection": {"store": {"allowed": true, "expiresAt": NOW + 1}}}),
            json!({"dataProtection": {"store": {"allowed": null, "expiresAt": null}}}),
        ];
        for fields in kept {
            assert_eq!(
                keep_profile(&lever_opp(fields.clone()), NOW, 730),
                Ok(()),
                "{fields}"
            );
        }
        let unkept = [
            (json!({"isAnonymized": true}), Unkept::Anonymized),
            (
                json!({"dataProtection": {"store": {"allowed": false, "expiresAt": null}}}),
                Unkept::StorageRefused,
            ),
            (
                json!({"dataProtection": {"store": {"allowed": true, "expiresAt": NOW}}}),
                Unkept::ConsentExpired,
            ),
            (
                json!({"dataProtection": {"store": {"expiresAt": 1_522_540_800_000_i64}}}),
                Unkept::ConsentExpired,
            ),
        ];
        for (fields, why) in unkept {
            assert_eq!(
                keep_profile(&lever_opp(fields.clone()), NOW, 730),
                Err(why),
                "{fields}"
            );
        }
    }

    #[test]
    fn an_archived_candidate_is_kept_for_the_retention_after_lever_last_changed_it() {
        use serde_json::json;
        let day = 24 * 3600 * 1000_i64;
        let archived = json!({"reason": "r1", "archivedAt": NOW - 800 * day});
        let at = |updated: i64, archived: serde_json::Value| {
            lever_opp(json!({"updatedAt": updated, "archived": archived}))
        };
        // Untouched for longer than the retention: gone.
        assert_eq!(
            keep_profile(&at(NOW - 731 * day, archived.clone()), NOW, 730),
            Err(Unkept::PastRetention)
        );
        // Exactly at the retention, or more recent: kept.
        assert_eq!(
            keep_profile(&at(NOW - 730 * day, archived.clone()), NOW, 730),
            Ok(())
        );
        assert_eq!(
            keep_profile(&at(NOW - 10 * day, archived.clone()), NOW, 730),
            Ok(())
        );
        // The tenant's retention decides.
        assert_eq!(
            keep_profile(&at(NOW - 100 * day, archived.clone()), NOW, 90),
            Err(Unkept::PastRetention)
        );
        // Not archived: an old candidate stays, however long ago Lever changed them.
        assert_eq!(
            keep_profile(&at(NOW - 3000 * day, json!(null)), NOW, 730),
            Ok(())
        );
        // An old record without `updatedAt` is as old as its creation.
        let created_only = lever_opp(json!({
            "updatedAt": null, "createdAt": NOW - 800 * day, "archived": archived
        }));
        assert_eq!(
            keep_profile(&created_only, NOW, 730),
            Err(Unkept::PastRetention)
        );
        assert_eq!(retained_since(NOW, 730), NOW - 730 * day);
    }

    #[test]
    fn matching_reads_no_contact_data() {
        let doc = candidate_doc(&opp("Senior Rust Engineer"), &[resume()]);
        assert_eq!(doc.titles, vec!["Senior Rust Engineer", "Backend Engineer"]);
        assert_eq!(doc.schools, vec!["BSc, Computer Science, MIT"]);
        let all = format!("{doc:?}");
        for private in ["Ada", "ada@example.com", "Acme"] {
            assert!(!all.contains(private), "{private} in {all}");
        }
        // A résumé Lever could not parse adds nothing.
        let unparsed = Resume {
            id: "r2".into(),
            parsed_data: None,
        };
        assert_eq!(
            candidate_doc(&opp("x"), &[unparsed]).summaries,
            Vec::<String>::new()
        );
    }

    #[test]
    fn fiilter_advances_a_match_with_a_note_that_says_why_and_queues_the_rest() {
        let posting = Posting {
            id: "p1".into(),
            text: Some("Backend Engineer (Rust)".into()),
            content: Some(crate::domain::ats::lever::PostingContent {
                description: Some("We build Rust services on AWS Lambda.".into()),
                lists: vec![crate::domain::ats::lever::PostingContentList {
                    text: Some("Requirements".into()),
                    content: Some("<li>Rust</li><li>DynamoDB</li><li>Kubernetes</li>".into()),
                }],
                ..Default::default()
            }),
            ..Posting::default()
        };
        let candidate = candidate_profile(&opp("Backend Engineer"), &[resume()]);
        let index = CandidateIndex::build([candidate.clone()], MatchConfig::default());
        let query = index.query(&Profile::from_posting(&posting_doc(&posting)));
        let e = index.score(&candidate, &query);
        match fiilter("Backend Engineer (Rust)", &e, e.score) {
            FiilterAction::Advance(n) => {
                assert!(
                    n.value.starts_with(
                        "FiiLTER: advanced this application for \"Backend Engineer (Rust)\""
                    ),
                    "{}",
                    n.value
                );
                assert!(n.value.contains("Matched skills: "), "{}", n.value);
                assert!(n.value.contains("Missing skills: "), "{}", n.value);
                assert!(!n.secret);
            }
            FiilterAction::Queue => panic!("at its own score it advances"),
        }
        assert_eq!(fiilter("x", &e, e.score + 0.01), FiilterAction::Queue);
    }

    #[test]
    fn leads_are_the_best_one_per_contact_without_an_opportunity_for_the_posting() {
        let ranked: Vec<Explanation> = ["a", "b", "c", "d", "e"]
            .iter()
            .enumerate()
            .map(|(i, id)| Explanation {
                candidate_id: (*id).into(),
                posting_id: "p".into(),
                score: 1.0 - i as f32 / 10.0,
                skill_points: 0.0,
                text_points: 0.0,
                role_points: 0.0,
                occupation_points: 0.0,
                matched_skills: Vec::new(),
                missing_skills: Vec::new(),
                matched_terms: Vec::new(),
                missing_terms: Vec::new(),
                matched_roles: Vec::new(),
                matched_occupations: Vec::new(),
            })
            .collect();
        // a and b are one person; c already has an opportunity for the posting.
        let contact = |id: &str| match id {
            "a" | "b" => Some("ca"),
            "c" => Some("cc"),
            "d" => Some("cd"),
            "e" => Some("ce"),
            _ => None,
        };
        let picked = pick_leads(&ranked, contact, |c| c == "cc", 2);
        let ids: Vec<(&str, &str)> = picked
            .iter()
            .map(|(c, e)| (*c, e.candidate_id.as_str()))
            .collect();
        assert_eq!(ids, vec![("ca", "a"), ("cd", "d")]);
    }

    #[test]
    fn only_published_and_internal_postings_take_leads() {
        let with = |state: &str| Posting {
            state: Some(state.into()),
            ..Posting::default()
        };
        assert!(is_open(&with("published")) && is_open(&with("internal")));
        for closed in ["closed", "draft", "pending", "rejected"] {
            assert!(!is_open(&with(closed)), "{closed}");
        }
    }
}
