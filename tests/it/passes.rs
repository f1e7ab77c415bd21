//! The recruiting passes end to end over HTTP against DynamoDB Local, moto and the fake Lever:
//! FiiLTER advances the new applications that match their posting (a stage move with a note
//! saying why, once), leaves the others where they are queued for REFiiNE, never rejects or
//! archives anyone, and survives re-runs, overlapping runs, a deadline and a Lever 429 storm.

use screenhub::config::TenantConfig;
use screenhub::domain::TenantId;
use screenhub::domain::ats::lever_passes::Pass;
use screenhub::ports::secrets::Secret;
use screenhub::ports::{Clock, ProfileStore, Store, TenantSecrets};
use screenhub_sandbox::lever::{
    FakeLever, NewOpportunity, NewPosting, NewResume, ParsedPosition, ParsedSchool,
};
use screenhub_sandbox::{Fault, Method};
use screenhub_tests::{World, WorldOptions, unique};
use serde_json::json;

const NEW: &str = "applicant-new";
const SCREENED: &str = "stage-ciivsoft-screened";
const BACKGROUND: &str = "stage-background-check";

struct Passes {
    world: World,
    lever: FakeLever,
    tenant: TenantId,
    posting: String,
    service_user: String,
}

fn rust_engineer() -> NewResume {
    NewResume::new("cv.pdf")
        .position(
            ParsedPosition::new("Acme", "Senior Backend Engineer").summary(
                "Designed Rust microservices on AWS Lambda and DynamoDB; built REST APIs, \
                 Kubernetes deployments and CI pipelines; mentored backend engineers.",
            ),
        )
        .position(
            ParsedPosition::new("Initech", "Software Engineer")
                .summary("Go and Rust services, PostgreSQL, distributed systems."),
        )
        .school(
            ParsedSchool::new("MIT")
                .degree("BSc")
                .field("Computer Science"),
        )
}

fn nurse() -> NewResume {
    NewResume::new("cv.pdf").position(
        ParsedPosition::new("General Hospital", "Registered Nurse").summary(
            "Patient care in the intensive care unit, medication administration, wound care \
             and triage; trained new nurses.",
        ),
    )
}

impl Passes {
    /// A tenant running FiiLTER on a fake Lever; `screened_is_trigger` makes the screened
    /// stage also the trigger of a background-check route.
    async fn start(screened_is_trigger: bool) -> Passes {
        Self::with(&["fiilter"], screened_is_trigger).await
    }

    async fn with(enabled: &[&str], screened_is_trigger: bool) -> Passes {
        Self::configured(enabled, screened_is_trigger, json!({})).await
    }

    /// `settings` are added to the tenant's `passes` settings.
    async fn configured(
        enabled: &[&str],
        screened_is_trigger: bool,
        settings: serde_json::Value,
    ) -> Passes {
        let world = World::start(WorldOptions::default()).await;
        let lever = FakeLever::start().await;
        lever.set_clock(world.sandbox_clock());
        let tenant = TenantId::parse(&unique("pass-")).unwrap();
        let key = unique("lever-");
        lever.add_api_key(&key);
        for (id, text) in [
            (NEW, "New Applicant"),
            (SCREENED, "CiiVSOFT SCREENED"),
            (BACKGROUND, "Background Check"),
        ] {
            lever.add_stage(id, text);
        }
        let service_user = lever.add_user("CiiVSOFT", "ciivsoft@acme.example", "admin");
        let posting = lever.add_posting(
            NewPosting::new("Backend Engineer (Rust)")
                .team("Platform")
                .department("Engineering")
                .description("We build Rust services on AWS Lambda and DynamoDB.")
                .list(
                    "Requirements",
                    "<li>Rust or Go backend development</li><li>AWS Lambda, DynamoDB</li>\
                     <li>REST APIs and distributed systems</li><li>Kubernetes</li>",
                ),
        );
        let webhook = format!("{}/lever/webhooks/{tenant}", world.hub_url);
        let stage_token = lever.subscribe(&webhook, "candidateStageChange");
        let deletion_token = lever.subscribe(&webhook, "candidateDeleted");
        let trigger = if screened_is_trigger {
            SCREENED
        } else {
            BACKGROUND
        };
        let mut config = json!({
            "id": tenant.as_str(), "name": "Acme",
            "ats": { "lever": { "api_base": lever.base_url(), "requests_per_second": 10, "burst": 20 } },
            "providers": { "backgrounds_online": { "api_base": "http://127.0.0.1:9", "default_package": "Standard" } },
            "routes": [{ "id": "bg", "provider": "backgrounds_online",
                         "trigger": { "kind": "lever_stage", "stage_id": trigger } }],
            "passes": {
                "enabled": enabled,
                "service_user": service_user,
                "new_applicant_stage": NEW,
                "screened_stage": SCREENED
            }
        });
        for (k, v) in settings.as_object().expect("settings are an object") {
            config["passes"][k] = v.clone();
        }
        let config: TenantConfig = serde_json::from_value(config).expect("valid tenant");
        let secrets = TenantSecrets {
            lever_api_key: Some(Secret::new(&key)),
            lever_webhook_tokens: [
                ("candidateStageChange".to_owned(), Secret::new(stage_token)),
                ("candidateDeleted".to_owned(), Secret::new(deletion_token)),
            ]
            .into(),
            backgrounds_online: Some(Default::default()),
            ..TenantSecrets::default()
        };
        world.onboard(&config, &secrets).await;
        Passes {
            world,
            lever,
            tenant,
            posting,
            service_user,
        }
    }

    fn applicant(&self, name: &str, resume: NewResume) -> String {
        self.lever
            .add_opportunity(self.new_application(name).resume(resume))
    }

    /// A new application to the posting, in the New Applicant stage, before its résumé.
    fn new_application(&self, name: &str) -> NewOpportunity {
        NewOpportunity::new(name)
            .email(format!(
                "{}@example.com",
                name.to_lowercase().replace(' ', ".")
            ))
            .stage(NEW)
            .posting(self.posting.clone())
    }

    async fn run(&self) -> screenhub::passes::PassReport {
        self.run_pass(Pass::Fiilter).await
    }

    async fn run_pass(&self, pass: Pass) -> screenhub::passes::PassReport {
        let report = self
            .world
            .passes
            .run(pass, None)
            .await
            .expect("the pass runs");
        self.world.settle().await;
        report
    }

    /// The leads the passes created: (contact, posting, origin, creator).
    fn leads(&self) -> Vec<(String, String, String, String)> {
        self.lever
            .created_opportunities()
            .iter()
            .map(|o| {
                (
                    o["contact"].as_str().unwrap_or_default().to_owned(),
                    o["applications"][0]["posting"]
                        .as_str()
                        .or_else(|| o["applications"][0]["posting"]["id"].as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    o["origin"].as_str().unwrap_or_default().to_owned(),
                    o["sourcedBy"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    fn contact_of(&self, opp: &str) -> String {
        self.lever.opportunity(opp).unwrap()["contact"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn stage_moves(&self) -> usize {
        self.lever
            .requests()
            .iter()
            .filter(|r| r.method == Method::PUT && r.path.ends_with("/stage"))
            .count()
    }
}

#[tokio::test]
async fn fiilter_advances_a_match_once_with_a_note_and_leaves_the_rest_for_refiine() {
    let p = Passes::start(false).await;
    let tap = screenhub_tests::BusTap::new(&p.world.bus).await;
    let ada = p.applicant("Ada Lovelace", rust_engineer());
    let florence = p.applicant("Florence Nightingale", nurse());
    let report = p.run().await;
    println!("{report:?}");
    assert_eq!((report.items, report.actions, report.queued), (2, 1, 1));
    assert_eq!(p.lever.stage_of(&ada).as_deref(), Some(SCREENED));
    assert_eq!(
        p.lever.stage_of(&florence).as_deref(),
        Some(NEW),
        "never rejected or archived"
    );
    let notes = p.lever.notes(&ada);
    assert_eq!(notes.len(), 1, "{notes:?}");
    let text = &notes[0].value;
    assert!(
        text.starts_with("FiiLTER: advanced this application for \"Backend Engineer (Rust)\""),
        "{text}"
    );
    assert!(
        text.contains("Matched skills: ") && text.contains("rust"),
        "{text}"
    );
    assert!(p.lever.notes(&florence).is_empty());
    // The stage move was made as the service user.
    let change = p.lever.opportunity(&ada).unwrap()["stageChanges"]
        .as_array()
        .and_then(|c| c.last().cloned())
        .unwrap();
    assert_eq!(change["userId"], p.service_user.as_str());
    // No archive, reject or any other write to Lever but the one move and its note.
    for r in p.lever.requests() {
        assert!(!r.path.contains("archive"), "{} {}", r.method, r.path);
        assert!(
            r.method == Method::GET || r.path.ends_with("/stage") || r.path.ends_with("/notes"),
            "unexpected write {} {}",
            r.method,
            r.path
        );
    }
    // Both candidates are in the database; the one left is queued for REFiiNE.
    let held = p.world.store.load_profiles(&p.tenant).await.unwrap();
    let queued: Vec<&str> = held
        .iter()
        .filter(|r| r.refine)
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(queued, vec![florence.as_str()]);
    assert_eq!(held.len(), 2);
    // The move reached the hub as a webhook: the screened stage is not a trigger, no order.
    assert!(
        p.world
            .store
            .orders_of_opportunity(&p.tenant, &ada)
            .await
            .unwrap()
            .is_empty()
    );

    // The bus hears of both screenings (ids and a score, no candidate data).
    let screened: Vec<(String, bool)> = tap
        .drain()
        .await
        .into_iter()
        .filter(|e| e["detail-type"] == "Application Screened")
        .map(|e| {
            (
                e["detail"]["opportunity_id"].as_str().unwrap().to_owned(),
                e["detail"]["advanced"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(screened.contains(&(ada.clone(), true)), "{screened:?}");
    assert!(
        screened.contains(&(florence.clone(), false)),
        "{screened:?}"
    );
    // Again: nothing new is decided, nothing is written to Lever.
    let moves = p.stage_moves();
    let again = p.run().await;
    assert_eq!((again.actions, again.queued), (0, 0), "{again:?}");
    assert_eq!(p.stage_moves(), moves);
    assert_eq!(p.lever.notes(&ada).len(), 1);
}

#[tokio::test]
async fn overlapping_runs_advance_once_and_a_run_cut_short_resumes() {
    let p = Passes::start(false).await;
    let applicants: Vec<String> = (0..4)
        .map(|i| p.applicant(&format!("Engineer {i}"), rust_engineer()))
        .collect();
    // A run whose deadline has passed does nothing and keeps its cursor.
    let cut = p
        .world
        .passes
        .run(Pass::Fiilter, Some(std::time::Instant::now()))
        .await
        .unwrap();
    assert_eq!((cut.actions, cut.incomplete_tenants), (0, 1), "{cut:?}");
    // Two runs at once (two schedule ticks overlapping).
    let (a, b) = tokio::join!(
        p.world.passes.run(Pass::Fiilter, None),
        p.world.passes.run(Pass::Fiilter, None)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    p.world.settle().await;
    assert_eq!(
        a.actions + b.actions,
        applicants.len(),
        "each application advanced by one run: {a:?} {b:?}"
    );
    for opp in &applicants {
        assert_eq!(p.lever.stage_of(opp).as_deref(), Some(SCREENED));
        assert_eq!(p.lever.notes(opp).len(), 1, "one note each");
    }
    assert_eq!(p.stage_moves(), applicants.len(), "one move each");
}

#[tokio::test]
async fn a_lever_429_storm_delays_fiilter_but_moves_and_notes_once() {
    let p = Passes::start(false).await;
    let ada = p.applicant("Ada Lovelace", rust_engineer());
    p.lever
        .inject(Fault::status(429, 3).path_contains("/stage"));
    p.lever
        .inject(Fault::status(429, 2).path_contains("/resumes"));
    p.run().await;
    assert_eq!(p.lever.stage_of(&ada).as_deref(), Some(SCREENED));
    assert_eq!(p.lever.notes(&ada).len(), 1);
}

#[tokio::test]
async fn a_candidate_deleted_in_lever_is_not_moved_and_leaves_the_candidate_database_at_once() {
    let p = Passes::start(false).await;
    let ada = p.applicant("Ada Lovelace", rust_engineer());
    let grace = p.applicant("Grace Hopper", rust_engineer());
    p.world.passes.run(Pass::Fiilter, None).await.unwrap();
    assert_eq!(
        p.world.store.load_profiles(&p.tenant).await.unwrap().len(),
        2
    );
    // Lever deletes Ada (and tells the hub by webhook) before her move is performed.
    let delivered = p.lever.delete_opportunity(&ada).await;
    assert!(delivered.iter().all(|d| d.ok()), "{delivered:?}");
    p.world.settle().await;
    assert!(p.world.store.dead_letters(10).await.unwrap().is_empty());
    assert_eq!(p.stage_moves(), 1, "only Grace is moved");
    let held: Vec<String> = p
        .world
        .store
        .load_profiles(&p.tenant)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(held, vec![grace], "Ada's profile is gone");
}

#[tokio::test]
async fn a_screened_stage_that_is_a_trigger_starts_a_background_check_by_design() {
    let p = Passes::start(true).await;
    let ada = p.applicant("Ada Lovelace", rust_engineer());
    p.run().await;
    assert_eq!(p.lever.stage_of(&ada).as_deref(), Some(SCREENED));
    let orders = p
        .world
        .store
        .orders_of_opportunity(&p.tenant, &ada)
        .await
        .unwrap();
    assert_eq!(
        orders.len(),
        1,
        "the tenant made the screened stage a trigger"
    );
}

#[tokio::test]
async fn arkive_suggests_the_best_existing_candidates_for_a_new_posting_once() {
    let p = Passes::with(&["fiilter", "arkive"], false).await;
    let ada = p.applicant("Ada Lovelace", rust_engineer());
    let grace = p.applicant("Grace Hopper", rust_engineer());
    let florence = p.applicant("Florence Nightingale", nurse());
    p.run().await; // the three join the candidate database
    // A new posting, and one candidate who already applied to it.
    let rust = p.lever.add_posting(
        NewPosting::new("Senior Rust Developer")
            .department("Engineering")
            .description("Rust microservices on AWS Lambda and DynamoDB.")
            .list(
                "Requirements",
                "<li>Rust</li><li>AWS Lambda</li><li>distributed systems</li>",
            ),
    );
    let applied = p.lever.add_opportunity(
        NewOpportunity::new("Linus Torvalds")
            .email("linus@example.com")
            .stage(NEW)
            .posting(rust.clone())
            .resume(rust_engineer()),
    );
    p.run().await; // Linus joins the database too (applied to the new posting)
    let closed = p
        .lever
        .add_posting(NewPosting::new("Rust Engineer (closed)").state("closed"));
    let report = p.run_pass(Pass::Arkive).await;
    println!("{report:?}");
    let leads = p.leads();
    let on_rust: Vec<&String> = leads
        .iter()
        .filter(|(_, posting, ..)| *posting == rust)
        .map(|(contact, ..)| contact)
        .collect();
    assert!(on_rust.contains(&&p.contact_of(&ada)), "{leads:?}");
    assert!(on_rust.contains(&&p.contact_of(&grace)), "{leads:?}");
    assert!(
        !on_rust.contains(&&p.contact_of(&florence)),
        "not a match: {leads:?}"
    );
    assert!(
        !on_rust.contains(&&p.contact_of(&applied)),
        "already applied: {leads:?}"
    );
    assert!(
        leads.iter().all(|(_, posting, ..)| *posting != closed),
        "closed postings take none"
    );
    for (_, _, origin, by) in &leads {
        assert_eq!(
            (origin.as_str(), by.as_str()),
            ("sourced", p.service_user.as_str())
        );
    }
    // Each lead carries the note that says why.
    for lead in p.lever.created_opportunities() {
        let id = lead["id"].as_str().unwrap();
        let notes = p.lever.notes(id);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0]
                .value
                .starts_with("ARKiiVE: suggested this candidate for"),
            "{}",
            notes[0].value
        );
    }
    // Again: the posting was handled; no new lead.
    let before = p.lever.created_opportunities().len();
    let again = p.run_pass(Pass::Arkive).await;
    assert_eq!(again.actions, 0, "{again:?}");
    assert_eq!(p.lever.created_opportunities().len(), before);
}

#[tokio::test]
async fn refiine_suggests_another_open_posting_for_an_application_fiilter_left() {
    let p = Passes::with(&["fiilter", "refine"], false).await;
    let icu = p.lever.add_posting(
        NewPosting::new("ICU Registered Nurse")
            .department("Nursing")
            .description(
                "Intensive care unit nursing: patient care, medication administration, triage.",
            )
            .list(
                "Requirements",
                "<li>Registered Nurse</li><li>ICU experience</li><li>wound care</li>",
            ),
    );
    let florence = p.applicant("Florence Nightingale", nurse());
    let ada = p.applicant("Ada Lovelace", rust_engineer());
    let fiilter = p.run().await;
    assert_eq!(fiilter.queued, 1, "{fiilter:?}");
    let report = p.run_pass(Pass::Refine).await;
    println!("{report:?}");
    let leads = p.leads();
    assert_eq!(leads.len(), 1, "{leads:?}");
    assert_eq!((&leads[0].0, &leads[0].1), (&p.contact_of(&florence), &icu));
    let lead = p.lever.created_opportunities()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let notes = p.lever.notes(&lead);
    assert!(
        notes[0]
            .value
            .starts_with("REFiiNE: suggested this candidate for \"ICU Registered Nurse\""),
        "{}",
        notes[0].value
    );
    assert_eq!(p.lever.stage_of(&ada).as_deref(), Some(SCREENED));
    // No longer queued: a second run suggests nothing.
    let again = p.run_pass(Pass::Refine).await;
    assert_eq!((again.items, again.actions), (0, 0), "{again:?}");
    assert_eq!(p.leads().len(), 1);
    // A run that died after deciding but before clearing the mark: the next one clears it
    // and suggests nothing twice.
    p.world
        .store
        .mark_refine(&p.tenant, std::slice::from_ref(&florence), true)
        .await
        .unwrap();
    let resumed = p.run_pass(Pass::Refine).await;
    assert_eq!(
        (resumed.actions, resumed.already_handled),
        (0, 1),
        "{resumed:?}"
    );
    assert_eq!(p.leads().len(), 1);
    let held = p.world.store.load_profiles(&p.tenant).await.unwrap();
    assert!(held.iter().all(|r| !r.refine), "the mark is cleared");
}

#[tokio::test]
async fn arkive_finds_candidates_of_any_stage_through_the_database_sync_and_reads_each_once() {
    let p = Passes::with(&["arkive"], false).await;
    // Candidates FiiLTER never saw: in other stages, archived, from long ago.
    let old = p.lever.add_opportunity(
        NewOpportunity::new("Margaret Hamilton")
            .email("margaret@example.com")
            .stage(SCREENED)
            .created_at(1_600_000_000_000)
            .updated_at(1_600_000_000_000)
            .resume(rust_engineer()),
    );
    let archived = p.lever.add_opportunity(
        NewOpportunity::new("Barbara Liskov")
            .email("barbara@example.com")
            .stage(NEW)
            .archived("reason-1", 1_700_000_000_000)
            .resume(rust_engineer()),
    );
    let rust = p.lever.add_posting(
        NewPosting::new("Senior Rust Developer")
            .department("Engineering")
            .description("Rust microservices on AWS Lambda and DynamoDB.")
            .list(
                "Requirements",
                "<li>Rust</li><li>AWS Lambda</li><li>distributed systems</li>",
            ),
    );
    let report = p.run_pass(Pass::Arkive).await;
    println!("{report:?}");
    assert_eq!(report.synced, 2, "{report:?}");
    let on_rust: Vec<String> = p
        .leads()
        .into_iter()
        .filter(|(_, posting, ..)| *posting == rust)
        .map(|(contact, ..)| contact)
        .collect();
    assert!(on_rust.contains(&p.contact_of(&old)), "{on_rust:?}");
    assert!(on_rust.contains(&p.contact_of(&archived)), "{on_rust:?}");
    // Nothing changed in Lever: the next run reads no résumé again.
    let resumes = |p: &Passes| {
        p.lever
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/resumes"))
            .count()
    };
    let before = resumes(&p);
    let again = p.run_pass(Pass::Arkive).await;
    assert_eq!((again.synced, again.actions), (0, 0), "{again:?}");
    assert_eq!(resumes(&p), before);
}

const DAY_MS: i64 = 24 * 3600 * 1000;

impl Passes {
    /// The ids the candidate database holds, sorted.
    async fn held(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .world
            .store
            .load_profiles(&self.tenant)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        ids.sort();
        ids
    }

    fn now_ms(&self) -> i64 {
        (self.world.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// A new posting every Rust engineer matches.
    fn rust_posting(&self) -> String {
        self.lever.add_posting(
            NewPosting::new("Senior Rust Developer")
                .department("Engineering")
                .description("Rust microservices on AWS Lambda and DynamoDB.")
                .list(
                    "Requirements",
                    "<li>Rust</li><li>AWS Lambda</li><li>distributed systems</li>",
                ),
        )
    }

    /// The contacts suggested as leads on `posting`.
    fn suggested_for(&self, posting: &str) -> Vec<String> {
        self.leads()
            .into_iter()
            .filter(|(_, on, ..)| on == posting)
            .map(|(contact, ..)| contact)
            .collect()
    }

    /// How many times the passes read an opportunity's résumés, by opportunity.
    fn resume_reads(&self, opp: &str) -> usize {
        let path = format!("/opportunities/{opp}/resumes");
        self.lever
            .requests()
            .iter()
            .filter(|r| r.path.ends_with(&path))
            .count()
    }
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn a_candidate_deleted_in_lever_without_a_webhook_leaves_the_database_at_the_next_sync_and_is_never_suggested()
 {
    let p = Passes::with(&["arkive"], false).await;
    let ada = p.applicant("Ada Lovelace", rust_engineer());
    let grace = p.applicant("Grace Hopper", rust_engineer());
    let (ada_contact, grace_contact) = (p.contact_of(&ada), p.contact_of(&grace));
    let first = p.run_pass(Pass::Arkive).await;
    assert_eq!(first.synced, 2, "{first:?}");
    assert_eq!(p.held().await, sorted(vec![ada.clone(), grace.clone()]));
    // Ada is deleted in Lever, and no webhook ever tells the hub.
    p.lever.delete_opportunity_silently(&ada);
    assert!(p.lever.deliveries().is_empty());
    // The next scheduled run, with a new posting both would match.
    p.world.clock.advance(time::Duration::minutes(5));
    let rust = p.rust_posting();
    let report = p.run_pass(Pass::Arkive).await;
    println!("{report:?}");
    assert_eq!((report.removed, report.failed), (1, 0), "{report:?}");
    assert_eq!(p.held().await, vec![grace.clone()], "Ada's profile is gone");
    let suggested = p.suggested_for(&rust);
    assert!(suggested.contains(&grace_contact), "{suggested:?}");
    assert!(!suggested.contains(&ada_contact), "{suggested:?}");
    let deletion_reads = |p: &Passes| {
        p.lever
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/opportunities/deleted"))
            .count()
    };
    assert_eq!(deletion_reads(&p), 1, "one page of deletions");
    // Nothing more to remove next time.
    p.world.clock.advance(time::Duration::minutes(5));
    let again = p.run_pass(Pass::Arkive).await;
    assert_eq!((again.removed, again.failed), (0, 0), "{again:?}");
    let held = p.held().await;
    assert!(
        held.contains(&grace) && !held.contains(&ada),
        "{held:?} (Grace's new lead joins it)"
    );
}

#[tokio::test]
async fn an_anonymized_candidate_or_one_without_consent_to_storage_is_not_kept_nor_suggested() {
    let p = Passes::with(&["arkive"], false).await;
    let ada = p.applicant("Ada Lovelace", rust_engineer());
    let grace = p.applicant("Grace Hopper", rust_engineer());
    let linus = p.applicant("Linus Torvalds", rust_engineer());
    let without_consent = |name: &str, consent_until: Option<i64>, allowed: bool| {
        p.lever.add_opportunity(
            p.new_application(name)
                .resume(rust_engineer())
                .store_consent(allowed, consent_until),
        )
    };
    let refused = without_consent("Mary Jackson", None, false);
    let lapsed = without_consent("Katherine Johnson", Some(p.now_ms() - DAY_MS), true);
    let first = p.run_pass(Pass::Arkive).await;
    assert_eq!(first.synced, 3, "{first:?}");
    assert_eq!(
        p.held().await,
        sorted(vec![ada.clone(), grace.clone(), linus.clone()]),
        "no profile without consent to storage"
    );
    assert_eq!(
        (p.resume_reads(&refused), p.resume_reads(&lapsed)),
        (0, 0),
        "their résumés are not even read"
    );
    // Lever anonymizes Ada; Grace withdraws her consent.
    let contacts: Vec<String> = [&ada, &grace, &refused, &lapsed]
        .iter()
        .map(|o| p.contact_of(o))
        .collect();
    p.lever.anonymize(&ada);
    p.lever.set_store_consent(&grace, false, None);
    p.world.clock.advance(time::Duration::minutes(5));
    let rust = p.rust_posting();
    let report = p.run_pass(Pass::Arkive).await;
    println!("{report:?}");
    assert_eq!((report.removed, report.failed), (2, 0), "{report:?}");
    assert_eq!(p.held().await, vec![linus.clone()]);
    let suggested = p.suggested_for(&rust);
    assert!(suggested.contains(&p.contact_of(&linus)), "{suggested:?}");
    for contact in &contacts {
        assert!(!suggested.contains(contact), "{contact} in {suggested:?}");
    }
}

#[tokio::test]
async fn an_archived_candidate_untouched_for_longer_than_the_retention_leaves_the_database_and_a_recent_one_stays()
 {
    let p = Passes::configured(&["arkive"], false, json!({"profile_retention_days": 30})).await;
    let now = p.now_ms();
    let candidate = |name: &str, archived: bool, updated: i64| {
        let mut opp = p
            .new_application(name)
            .created_at(updated)
            .updated_at(updated)
            .resume(rust_engineer());
        if archived {
            opp = opp.archived("reason-withdrew", updated);
        }
        p.lever.add_opportunity(opp)
    };
    let long_archived = candidate("Margaret Hamilton", true, now - 40 * DAY_MS);
    let archived = candidate("Barbara Liskov", true, now - 2 * DAY_MS);
    let old_but_active = candidate("Frances Allen", false, now - 400 * DAY_MS);
    let first = p.run_pass(Pass::Arkive).await;
    assert_eq!(first.synced, 2, "{first:?}");
    assert_eq!(
        p.held().await,
        sorted(vec![archived.clone(), old_but_active.clone()]),
        "archived for longer than the retention: never stored"
    );
    assert_eq!(p.resume_reads(&long_archived), 0);
    let reads = p.lever.requests().len();
    // 29 days after Lever last changed her, Barbara is still kept.
    p.world.clock.advance(time::Duration::days(27));
    let kept = p.run_pass(Pass::Arkive).await;
    assert_eq!((kept.removed, kept.failed), (0, 0), "{kept:?}");
    assert_eq!(p.held().await.len(), 2);
    // 31 days: past the retention, though nothing changed in Lever.
    p.world.clock.advance(time::Duration::days(2));
    let report = p.run_pass(Pass::Arkive).await;
    println!("{report:?}");
    assert_eq!((report.removed, report.failed), (1, 0), "{report:?}");
    assert_eq!(
        p.held().await,
        vec![old_but_active.clone()],
        "not archived: kept however old"
    );
    let resume_reads = p.lever.requests()[reads..]
        .iter()
        .filter(|r| r.path.ends_with("/resumes"))
        .count();
    assert_eq!(resume_reads, 0, "no résumé is read again");
    let rust = p.rust_posting();
    p.run_pass(Pass::Arkive).await;
    let suggested = p.suggested_for(&rust);
    assert_eq!(suggested, vec![p.contact_of(&old_but_active)]);
}

#[tokio::test]
async fn the_local_demo_shows_each_pass_acting() {
    use screenhub_cli::demo;
    let run = screenhub_tests::start_local_demo().await;
    let (alan, _) = run.applicants[0].clone();
    let (florence, _) = run.applicants[1].clone();
    // As typing Enter in `screenhub local` does (the timer does it every 30 s).
    for pass in Pass::ALL {
        let report = run.passes.run(pass, None).await.expect("the pass runs");
        assert_eq!(report.failed, 0, "{report:?}");
    }
    screenhub_tests::eventually("FiiLTER's move", || {
        run.lever.stage_of(&alan).as_deref() == Some(demo::SCREENED_STAGE)
            && !run.lever.notes(&alan).is_empty()
    })
    .await;
    assert_eq!(
        run.lever.stage_of(&florence).as_deref(),
        Some(demo::NEW_APPLICANT_STAGE)
    );
    screenhub_tests::eventually("the leads", || {
        let notes: Vec<String> = run
            .lever
            .created_opportunities()
            .iter()
            .flat_map(|o| run.lever.notes(o["id"].as_str().unwrap_or_default()))
            .map(|n| n.value)
            .collect();
        notes.iter().any(|n| n.starts_with("ARKiiVE"))
            && notes.iter().any(|n| n.starts_with("REFiiNE"))
    })
    .await;
}
