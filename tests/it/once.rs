//! Every visible effect happens once: a note, an order at the provider, a dead letter, even
//! when an answer is lost after the vendor applied the request, when a dispatcher dies or runs
//! out of time mid-way, or when two dispatchers see the same item.

use screenhub::domain::{Effect, OrderStatus, OutboxItem};
use screenhub::outbound::{RetryPolicy, deadline};
use screenhub::ports::Store;
use screenhub_sandbox::lever::NewOpportunity;
use screenhub_sandbox::{Fault, FaultKind, Method};
use screenhub_tests::WorldOptions;
use screenhub_tests::scenario::{STATUS_PREFIX, Scenario, TRIGGER};
use std::time::Duration;
use tokio::time::Instant;

/// A candidate without an email: the order is rejected and one (plain) note says why.
fn no_email(s: &Scenario) -> String {
    s.lever.add_opportunity(
        NewOpportunity::new("No Mail")
            .stage("applicant-new")
            .posting(s.posting.clone()),
    )
}

fn count(requests: &[screenhub_sandbox::RequestRecord], method: &str, suffix: &str) -> usize {
    requests
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(suffix))
        .count()
}

/// Retries wait 10 s: a run whose budget is 5 s (1 s kept free for a try) makes exactly one
/// attempt per item and leaves it for the next run, whatever the machine's speed.
fn one_attempt_per_run() -> WorldOptions {
    WorldOptions {
        retry: RetryPolicy::new(3, Duration::from_secs(10), Duration::from_secs(20)),
        http_timeout: Duration::from_millis(400),
        ..WorldOptions::default()
    }
}

async fn one_run(s: &Scenario) -> usize {
    let budget = Instant::now() + Duration::from_secs(5);
    deadline::within(
        budget,
        Duration::from_secs(1),
        s.world.dispatcher.drain(100),
    )
    .await
    .expect("drain")
}

#[tokio::test]
async fn a_note_whose_answer_is_lost_after_lever_applied_it_is_posted_once() {
    let s = Scenario::with(
        WorldOptions {
            http_timeout: Duration::from_millis(400),
            ..WorldOptions::default()
        },
        |_| {},
    )
    .await;
    let opp = no_email(&s);
    // Lever stores the note, then answers only after the client gave up.
    s.lever.inject(
        Fault::new(FaultKind::Delay(Duration::from_millis(1500)), 1)
            .method(Method::POST)
            .path_contains("/notes"),
    );
    s.trigger(&opp).await;
    let notes = s.lever.notes(&opp);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].value.contains("email"));
    let seen = s.lever.requests();
    assert_eq!(
        count(&seen, "POST", "/notes"),
        1,
        "the retry looked before posting"
    );
    assert!(count(&seen, "GET", "/notes") >= 1);
    assert_eq!(
        s.status_tags(&opp),
        vec![format!("{STATUS_PREFIX}Rejected")]
    );
}

#[tokio::test]
async fn two_dispatchers_on_the_same_note_post_it_once() {
    let s = Scenario::start().await;
    let opp = no_email(&s);
    let d = s.moved(&opp, TRIGGER).await;
    assert_eq!(s.world.post_json(&s.webhook_path(), &d).await.0, 200);
    // Perform the submission only: it is rejected and queues the rendering (tags and note).
    let submit = s.world.store.pending_outbox(10).await.unwrap();
    for item in submit
        .iter()
        .filter(|i| matches!(i.effect, Effect::PlaceOrder { .. }))
    {
        s.world.dispatcher.process(item).await.unwrap();
    }
    let note: OutboxItem = s
        .world
        .store
        .pending_outbox(10)
        .await
        .unwrap()
        .into_iter()
        .find(|i| matches!(i.effect, Effect::Render { to: Some(_), .. }))
        .expect("a queued rendering with its note");
    // Lever is slow to answer, so both dispatchers are at it at the same time.
    s.lever.inject(
        Fault::new(FaultKind::Delay(Duration::from_millis(300)), 2)
            .method(Method::POST)
            .path_contains("/notes"),
    );
    let (a, b) = (s.world.dispatcher.clone(), s.world.dispatcher.clone());
    let (ra, rb) = tokio::join!(a.process(&note), b.process(&note));
    let mut outcomes = [ra.unwrap(), rb.unwrap()];
    outcomes.sort_by_key(|o| format!("{o:?}"));
    use screenhub::dispatcher::Outcome;
    assert_eq!(outcomes, [Outcome::Busy, Outcome::Done]);
    s.world.settle().await;
    assert_eq!(s.lever.notes(&opp).len(), 1);
    assert_eq!(count(&s.lever.requests(), "POST", "/notes"), 1);
}

#[tokio::test]
async fn a_provider_that_took_the_order_before_the_dispatcher_lost_it_gets_it_once() {
    let s = Scenario::with(one_attempt_per_run(), |_| {}).await;
    let opp = s.candidate(&[]);
    // Alliance accepts the order, but its answer comes after the client gave up; the run
    // has no time left to retry, as if the function had died there.
    s.alliance.inject(
        Fault::new(FaultKind::Delay(Duration::from_millis(1200)), 1)
            .method(Method::POST)
            .path_contains("/orders"),
    );
    let d = s.moved(&opp, TRIGGER).await;
    assert_eq!(s.world.post_json(&s.webhook_path(), &d).await.0, 200);
    one_run(&s).await;
    assert_eq!(s.alliance.orders().len(), 1, "the provider has it");
    let order = s.active_order(&opp).await.unwrap();
    assert_eq!(
        order.status,
        OrderStatus::Requested,
        "we do not know it yet"
    );
    // The next run places it again: the provider answers with the order it already has.
    one_run(&s).await;
    s.world.settle().await;
    assert_eq!(s.alliance.orders().len(), 1);
    assert_eq!(count(&s.alliance.requests(), "POST", "/orders"), 2);
    let order = s.active_order(&opp).await.unwrap();
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(
        order.provider_ref.as_deref(),
        Some(s.alliance.orders()[0].id.as_str())
    );
    assert_eq!(s.status_tags(&opp), vec![format!("{STATUS_PREFIX}Pending")]);
}

#[tokio::test]
async fn a_long_outage_reaches_the_dead_letter_and_error_across_runs() {
    let s = Scenario::with(one_attempt_per_run(), |_| {}).await;
    let opp = s.candidate(&[]);
    s.alliance.inject(Fault::status(503, 100));
    let d = s.moved(&opp, TRIGGER).await;
    assert_eq!(s.world.post_json(&s.webhook_path(), &d).await.0, 200);
    // Each run makes one attempt and counts it in the store.
    for run in 1..=2 {
        one_run(&s).await;
        assert_eq!(count(&s.alliance.requests(), "POST", "/orders"), run);
        let pending = s.world.store.pending_outbox(10).await.unwrap();
        let submit = pending
            .iter()
            .find(|i| matches!(i.effect, Effect::PlaceOrder { .. }))
            .expect("still pending");
        assert_eq!(submit.attempts, run as u32);
        assert_eq!(
            s.active_order(&opp).await.unwrap().status,
            OrderStatus::Requested
        );
    }
    // The third and last attempt fails too: dead letter, Error tag and note.
    one_run(&s).await;
    s.world.settle().await;
    assert_eq!(count(&s.alliance.requests(), "POST", "/orders"), 3);
    let order = s.orders_of(&opp).await.pop().unwrap();
    assert_eq!(order.status, OrderStatus::Error);
    let letters = s.world.store.dead_letters(100).await.unwrap();
    let mine: Vec<_> = letters
        .iter()
        .filter(|l| l.item.tenant == s.tenant)
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].item.attempts, 3);
    assert_eq!(s.status_tags(&opp), vec![format!("{STATUS_PREFIX}Error")]);
    assert_eq!(s.lever.notes(&opp).len(), 1);
}

#[tokio::test]
async fn no_item_is_started_without_room_for_it_in_the_budget() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    let d = s.moved(&opp, TRIGGER).await;
    assert_eq!(s.world.post_json(&s.webhook_path(), &d).await.0, 200);
    let budget = Instant::now() + Duration::from_millis(500);
    let listed = deadline::within(
        budget,
        Duration::from_secs(2),
        s.world.dispatcher.drain(100),
    )
    .await
    .unwrap();
    assert!(listed > 0);
    assert!(s.alliance.requests().is_empty(), "nothing started");
    let pending = s.world.store.pending_outbox(10).await.unwrap();
    assert!(pending.iter().all(|i| i.attempts == 0), "{pending:?}");
    s.world.settle().await;
    assert_eq!(s.alliance.orders().len(), 1);
}

#[tokio::test]
async fn an_unreadable_oldest_outbox_item_is_set_aside_and_the_rest_drained() {
    let s = Scenario::start().await;
    screenhub_tests::put_raw(
        &s.world.store,
        &[
            ("pk", "OUTBOX#corrupt"),
            ("sk", "OUTBOX"),
            ("kind", "outbox"),
            ("id", "not-an-id"),
            ("effect", "{\"type\":\"no_such_effect\"}"),
            ("gsi2pk", "OUTBOX"),
            ("gsi2sk", "0000000000000#corrupt"),
        ],
    )
    .await;
    let opp = s.candidate(&[]);
    s.trigger(&opp).await;
    assert_eq!(s.alliance.orders().len(), 1);
    assert_eq!(s.status_tags(&opp), vec![format!("{STATUS_PREFIX}Pending")]);
    assert!(s.world.store.pending_outbox(10).await.unwrap().is_empty());
    assert_eq!(
        screenhub_tests::raw_list(&s.world.store, "OUTBOX#corrupt", "OUTBOX").await,
        Some("ASIDE".to_owned()),
        "kept for inspection, out of the pending list"
    );
}
