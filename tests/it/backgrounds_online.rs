//! Backgrounds Online on Lever, end to end: the tag poll against the fake Lever, the provider
//! and its signed callbacks over HTTP, cancel, and the expiry sweep with a controlled clock.

use screenhub::domain::ats::lever_route::{CANCELLED_NOTE, CLEAR_NOTE, EXPIRED_NOTE, REVIEW_NOTE};
use screenhub::domain::{OrderStatus, ProviderKind};
use screenhub::ports::{Clock, Store};
use screenhub_sandbox::Fault;
use screenhub_tests::bo_scenario::{BoScenario, CANCEL, START};
use screenhub_tests::route;
use time::Duration;

const PENDING: &str = "Backgrounds Online Pending Submission";

/// A candidate whose order is Pending Submission.
async fn pending(s: &BoScenario) -> String {
    let opp = s.candidate(Some("ada.lovelace@example.com"), &[START]);
    s.poll().await;
    assert_eq!(s.bo_tags(&opp), vec![PENDING]);
    opp
}

#[tokio::test]
async fn start_tag_orders_once_and_is_replaced_by_pending_submission() {
    let s = BoScenario::start().await;
    let opp = s.candidate(Some("ada.lovelace@example.com"), &[START]);
    let report = s.poll().await;
    assert_eq!(report.orders_created, 1);

    let orders = s.provider.orders();
    assert_eq!(orders.len(), 1);
    let req = &orders[0].request;
    assert_eq!(req["package"], "Standard");
    assert_eq!(req["candidate"]["email"], "ada.lovelace@example.com");
    assert_eq!(req["candidate"]["name"], "Ada Lovelace");
    assert_eq!(req["candidate"]["phone"], "+1 512 555 0199");
    assert_eq!(
        req["callback_url"],
        format!("{}{}", s.world.hub_url, s.callback_path())
    );
    assert_eq!(
        s.bo_tags(&opp),
        vec![PENDING],
        "Start tag gone, one status tag"
    );
    let order = s.order_of(&opp).await;
    assert_eq!(order.status, OrderStatus::Pending);

    // Polling again, and two polls at once, order nothing more.
    s.poll().await;
    let (a, b) = tokio::join!(s.world.poll.run(None), s.world.poll.run(None));
    assert_eq!(a.unwrap().orders_created + b.unwrap().orders_created, 0);
    s.world.settle().await;
    assert_eq!(s.provider.orders().len(), 1);

    // A recruiter re-adding Start while the order is pending gets no second order.
    s.recruiter_adds(&opp, &[START]).await;
    s.poll().await;
    assert_eq!(s.provider.orders().len(), 1);
    assert_eq!(s.bo_tags(&opp), vec![PENDING]);
    assert!(s.notes(&opp).is_empty());
}

#[tokio::test]
async fn two_polls_racing_on_a_new_start_tag_place_one_order() {
    let s = BoScenario::start().await;
    let opps: Vec<String> = (0..3)
        .map(|i| s.candidate(Some(&format!("c{i}@example.com")), &[START]))
        .collect();
    let (a, b) = tokio::join!(s.world.poll.run(None), s.world.poll.run(None));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.orders_created + b.orders_created, 3);
    assert_eq!(a.already_decided + b.already_decided, 3);
    s.world.settle().await;
    assert_eq!(s.provider.orders().len(), 3);
    for opp in &opps {
        assert_eq!(s.bo_tags(opp), vec![PENDING]);
    }
}

#[tokio::test]
async fn package_tag_overrides_the_default() {
    let s = BoScenario::start().await;
    let opp = s.candidate(Some("a@example.com"), &[START, "Package: Premium"]);
    s.poll().await;
    assert_eq!(s.provider.orders()[0].request["package"], "Premium");
    assert_eq!(s.bo_tags(&opp), vec![PENDING]);
}

#[tokio::test]
async fn unknown_package_and_missing_email_order_nothing_and_say_so_once() {
    let s = BoScenario::start().await;
    let unknown = s.candidate(Some("a@example.com"), &[START, "Package: Gold"]);
    let no_email = s.candidate(None, &[START]);
    for _ in 0..3 {
        s.poll().await;
    }
    assert!(s.provider.orders().is_empty(), "no provider call");
    let n = s.notes(&unknown);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("\"Package: Gold\"") && n[0].contains("Standard, Premium"));
    let n = s.notes(&no_email);
    assert_eq!(n.len(), 1, "{n:?}");
    assert!(n[0].contains("email is missing"));
    for opp in [&unknown, &no_email] {
        assert!(s.bo_tags(opp).is_empty(), "Start removed, no status tag");
        let active = s
            .world
            .store
            .find_active(&s.tenant, &route(ProviderKind::BackgroundsOnline), opp)
            .await
            .unwrap();
        assert!(active.is_none(), "a rejected order holds no active slot");
    }
    // Once fixed, adding the Start tag again orders.
    s.recruiter_adds(&unknown, &["Package: Premium"]).await;
    s.lever_removes(&unknown, &["Package: Gold"]).await;
    s.recruiter_adds(&unknown, &[START]).await;
    s.poll().await;
    assert_eq!(s.provider.orders().len(), 1);
    assert_eq!(s.provider.orders()[0].request["package"], "Premium");
    assert_eq!(s.bo_tags(&unknown), vec![PENDING]);
}

#[tokio::test]
async fn callbacks_set_one_status_tag_and_the_exact_note_whatever_their_order() {
    let logs = screenhub_tests::logs::capture();
    let s = BoScenario::start().await;
    let clear = pending(&s).await;
    let id = s.provider_order_of(&clear).await.id;
    assert_eq!(s.provider.submit(&id).await, 200);
    s.world.settle().await;
    assert_eq!(s.bo_tags(&clear), vec!["Backgrounds Online In-Process"]);
    assert_eq!(s.provider.complete(&id, true).await, 200);
    assert_eq!(
        s.provider.resend_last(&id).await,
        200,
        "duplicate acknowledged"
    );
    s.world.settle().await;
    assert_eq!(s.bo_tags(&clear), vec!["Backgrounds Online Clear"]);
    assert_eq!(s.notes(&clear), vec![CLEAR_NOTE]);

    // Complete (review) before In-Process: the late In-Process changes nothing.
    let review = s.candidate(Some("grace@example.com"), &[START]);
    s.poll().await;
    let id = s.provider_order_of(&review).await.id;
    assert_eq!(
        s.provider
            .send_callback(&id, "complete", Some("review"))
            .await,
        200
    );
    assert_eq!(s.provider.send_callback(&id, "in_process", None).await, 200);
    s.world.settle().await;
    assert_eq!(s.bo_tags(&review), vec!["Backgrounds Online Review"]);
    assert_eq!(s.notes(&review), vec![REVIEW_NOTE]);
    let order = s.order_of(&review).await;
    assert_eq!(order.status, OrderStatus::Complete);
    let trail = s.world.store.audit_trail(order.id).await.unwrap();
    assert_eq!(
        trail
            .iter()
            .map(|a| (a.to, a.refused.as_deref()))
            .collect::<Vec<_>>(),
        vec![
            (OrderStatus::Requested, None),
            (OrderStatus::Pending, None),
            (OrderStatus::Complete, None),
            (OrderStatus::InProgress, Some("stale")),
        ],
        "the late in_process is refused, recorded, and changes nothing"
    );

    // The whole flow was logged by id, with no candidate data and no secret.
    let logs = logs.text();
    assert!(logs.contains(&order.id.to_string()));
    for needle in [
        "grace@example.com",
        "ada.lovelace@example.com",
        "555 0199",
        s.lever_key.as_str(),
        s.provider_key.as_str(),
        s.callback_secret.as_str(),
    ] {
        assert!(!logs.contains(needle), "log output contains {needle:?}");
    }
}

#[tokio::test]
async fn forged_stale_and_replayed_callbacks_change_nothing() {
    let s = BoScenario::start().await;
    let opp = pending(&s).await;
    let id = s.provider_order_of(&opp).await.id;
    let before = s.order_of(&opp).await;
    let now = s.world.clock.now().unix_timestamp();

    let forged = s.provider.signed_callback_with(
        &id,
        "complete",
        Some("clear"),
        &[screenhub_sandbox::signing::new_whsec()],
        now,
    );
    assert_eq!(s.provider.send(&forged).await, 403);
    let stale = s.provider.signed_callback_with(
        &id,
        "complete",
        Some("clear"),
        std::slice::from_ref(&s.callback_secret),
        now - 600,
    );
    assert_eq!(s.provider.send(&stale).await, 422);
    s.world.settle().await;
    assert_eq!(s.order_of(&opp).await, before);
    assert_eq!(s.bo_tags(&opp), vec![PENDING]);

    // A genuine callback, then the same message replayed: applied once.
    assert_eq!(s.provider.complete(&id, false).await, 200);
    assert_eq!(s.provider.resend_last(&id).await, 200);
    s.world.settle().await;
    assert_eq!(s.notes(&opp), vec![REVIEW_NOTE]);
    assert_eq!(s.order_of(&opp).await.version, before.version + 1);
}

#[tokio::test]
async fn cancel_while_pending_submission_cancels_at_the_provider() {
    let s = BoScenario::start().await;
    let opp = pending(&s).await;
    s.recruiter_adds(&opp, &[CANCEL]).await;
    let report = s.poll().await;
    assert_eq!(report.cancels_requested, 1);
    assert_eq!(s.provider_order_of(&opp).await.status, "cancelled");
    assert_eq!(s.bo_tags(&opp), vec!["Backgrounds Online Cancelled"]);
    assert_eq!(s.notes(&opp), vec![CANCELLED_NOTE]);
    assert_eq!(s.order_of(&opp).await.status, OrderStatus::Cancelled);
    // The cancelled order never expires.
    s.world.clock.advance(Duration::days(30));
    assert_eq!(s.world.sweep.run(None).await.unwrap().expired, 0);
}

#[tokio::test]
async fn cancel_after_submission_is_refused_with_a_note() {
    let s = BoScenario::start().await;
    let opp = pending(&s).await;
    let id = s.provider_order_of(&opp).await.id;
    s.provider.submit(&id).await;
    s.world.settle().await;
    let before = s.order_of(&opp).await;
    s.recruiter_adds(&opp, &[CANCEL]).await;
    let report = s.poll().await;
    assert_eq!(report.cancels_refused, 1);
    assert_eq!(
        s.bo_tags(&opp),
        vec!["Backgrounds Online In-Process"],
        "Cancel tag removed"
    );
    let notes = s.notes(&opp);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].starts_with("The background check request could not be cancelled: "));
    assert_eq!(s.order_of(&opp).await, before, "order unchanged");
    assert_eq!(s.provider_order_of(&opp).await.status, "in_process");
    s.poll().await;
    assert_eq!(s.notes(&opp).len(), 1, "one note, not one per poll");
}

#[tokio::test]
async fn orders_awaiting_the_candidate_expire_on_day_fourteen() {
    let s = BoScenario::start().await;
    let waiting = pending(&s).await;
    let done = pending(&s).await;
    let done_id = s.provider_order_of(&done).await.id;
    s.provider.complete(&done_id, true).await;
    s.world.settle().await;

    s.world.clock.advance(Duration::days(13));
    let r = s.world.sweep.run(None).await.unwrap();
    assert_eq!((r.due, r.expired), (0, 0));
    s.world.settle().await;
    assert_eq!(s.bo_tags(&waiting), vec![PENDING]);

    s.world.clock.advance(Duration::days(1));
    let r = s.world.sweep.run(None).await.unwrap();
    assert_eq!((r.due, r.expired), (1, 1));
    s.world.settle().await;
    assert_eq!(s.bo_tags(&waiting), vec!["Backgrounds Online Expired"]);
    assert_eq!(s.notes(&waiting), vec![EXPIRED_NOTE]);
    assert_eq!(
        s.provider_order_of(&waiting).await.status,
        "expired",
        "provider order closed"
    );
    assert_eq!(
        s.bo_tags(&done),
        vec!["Backgrounds Online Clear"],
        "complete orders never expire"
    );

    // Sweeping again (and twice at once) changes nothing more.
    let (a, b) = tokio::join!(s.world.sweep.run(None), s.world.sweep.run(None));
    assert_eq!(a.unwrap().expired + b.unwrap().expired, 0);
    s.world.settle().await;
    assert_eq!(s.notes(&waiting).len(), 1);
}

#[tokio::test]
async fn a_poll_cut_short_moves_no_cursor_and_the_next_one_catches_up() {
    let s = BoScenario::start().await;
    let opp = s.candidate(Some("a@example.com"), &[START]);
    // Lever fails every attempt of the list call: nothing is decided, the cursor stays.
    s.lever.inject(Fault::status(503, 10));
    let r = s.world.poll.run(None).await.unwrap();
    assert_eq!((r.orders_created, r.incomplete_tenants), (0, 1));
    assert!(
        s.world
            .store
            .get_cursor(&s.tenant, screenhub::poll::CURSOR)
            .await
            .unwrap()
            .is_none()
    );
    s.lever.clear_faults();
    // A deadline already passed: the run stops before its first page.
    let r = s
        .world
        .poll
        .run(Some(std::time::Instant::now()))
        .await
        .unwrap();
    assert_eq!((r.lever_list_calls, r.incomplete_tenants), (0, 1));
    let r = s.poll().await;
    assert_eq!(r.orders_created, 1);
    assert_eq!(s.bo_tags(&opp), vec![PENDING]);

    // With the cursor set and nothing new, a poll costs one Lever call.
    s.poll().await;
    s.lever.clear_requests();
    let r = s.world.poll.run(None).await.unwrap();
    let calls = s.lever.requests().len();
    println!(
        "figures: a Backgrounds Online tag poll with no new tags cost {calls} Lever call(s) ({} list call(s))",
        r.lever_list_calls
    );
    assert_eq!(calls, 1);
}

#[tokio::test]
async fn cancel_before_the_order_reached_the_provider_cancels_it_once_placed() {
    let s = BoScenario::start().await;
    let opp = s.candidate(Some("a@example.com"), &[START]);
    // The poll records the order; before the dispatcher places it, the recruiter cancels.
    s.world.poll.run(None).await.unwrap();
    s.recruiter_adds(&opp, &[CANCEL]).await;
    let r = s.world.poll.run(None).await.unwrap();
    assert_eq!(r.cancels_requested, 1);
    s.world.settle().await;
    assert_eq!(s.provider.orders().len(), 1);
    assert_eq!(s.provider_order_of(&opp).await.status, "cancelled");
    assert_eq!(s.bo_tags(&opp), vec!["Backgrounds Online Cancelled"]);
    assert_eq!(s.notes(&opp), vec![CANCELLED_NOTE]);
}

#[tokio::test]
async fn candidate_data_is_scrubbed_thirty_days_after_the_order_ends() {
    let s = BoScenario::start().await;
    let opp = pending(&s).await;
    let id = s.provider_order_of(&opp).await.id;
    s.provider.complete(&id, true).await;
    s.world.settle().await;
    let ended = s.order_of(&opp).await;
    assert!(ended.request.is_some() && ended.result.as_ref().unwrap().report_url.is_some());

    s.world.clock.advance(Duration::days(29));
    assert_eq!(s.world.sweep.run(None).await.unwrap().scrubbed, 0);
    s.world.clock.advance(Duration::days(1));
    assert_eq!(s.world.sweep.run(None).await.unwrap().scrubbed, 1);
    let scrubbed = s.world.store.get_order(ended.id).await.unwrap().unwrap();
    assert_eq!(
        scrubbed.request, None,
        "no candidate name, email or phone kept"
    );
    assert_eq!(scrubbed.result.as_ref().unwrap().report_url, None);
    assert_eq!(scrubbed.status, OrderStatus::Complete);
    assert_eq!(
        scrubbed.result.unwrap().flag,
        Some(false),
        "the outcome stays"
    );
    assert_eq!(s.world.sweep.run(None).await.unwrap().scrubbed, 0);
    let trail = s.world.store.audit_trail(ended.id).await.unwrap();
    assert_eq!(trail.last().unwrap().cause, "pii_scrubbed");
    assert_eq!(
        s.bo_tags(&opp),
        vec!["Backgrounds Online Clear"],
        "Lever untouched"
    );
}

#[tokio::test]
async fn provider_down_after_every_retry_says_so_and_frees_the_start_tag() {
    let s = BoScenario::start().await;
    s.provider.inject(Fault::status(503, 100));
    let opp = s.candidate(Some("a@example.com"), &[START]);
    s.poll().await;
    assert!(s.provider.requests().len() >= 3, "retried with backoff");
    assert!(s.provider.orders().is_empty());
    assert!(s.bo_tags(&opp).is_empty(), "Start removed, no status tag");
    let notes = s.notes(&opp);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("could not be ordered") && notes[0].contains(START));
    let dead = s.world.store.dead_letters(10).await.unwrap();
    assert!(dead.iter().any(|d| d.item.effect.name() == "place_order"));
    assert!(
        s.world
            .store
            .find_active(&s.tenant, &route(ProviderKind::BackgroundsOnline), &opp)
            .await
            .unwrap()
            .is_none(),
        "the failed order holds no slot: adding Start again retries"
    );

    // Once the provider is back, adding Start again orders.
    s.provider.clear_faults();
    s.recruiter_adds(&opp, &[START]).await;
    s.poll().await;
    assert_eq!(s.provider.orders().len(), 1);
    assert_eq!(s.bo_tags(&opp), vec![PENDING]);
}

#[tokio::test]
async fn a_cancel_that_loses_the_race_with_the_candidates_submission_is_refused() {
    let s = BoScenario::start().await;
    let opp = pending(&s).await;
    s.recruiter_adds(&opp, &[CANCEL]).await;
    // The poll decides to ask the provider (the order awaits the candidate)...
    let report = s.world.poll.run(None).await.unwrap();
    assert_eq!(report.cancels_requested, 1);
    // ...but the candidate submits before the dispatcher gets to it.
    let id = s.provider_order_of(&opp).await.id;
    assert_eq!(s.provider.submit(&id).await, 200);
    s.world.settle().await;
    assert_eq!(s.order_of(&opp).await.status, OrderStatus::InProgress);
    assert_eq!(s.provider_order_of(&opp).await.status, "in_process");
    assert_eq!(s.bo_tags(&opp), vec!["Backgrounds Online In-Process"]);
    let notes = s.notes(&opp);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("already submitted"), "{notes:?}");
}

#[tokio::test]
async fn a_cancel_the_provider_refuses_leaves_the_order_and_says_why() {
    let s = BoScenario::start().await;
    let opp = pending(&s).await;
    let id = s.provider_order_of(&opp).await.id;
    // The candidate submitted at the provider, but its callback never got through (signed
    // ten minutes late: refused as stale), so the hub still thinks the order is waiting.
    s.provider.set_clock_skew(-600);
    assert_eq!(s.provider.submit(&id).await, 422);
    s.provider.set_clock_skew(0);
    assert_eq!(s.order_of(&opp).await.status, OrderStatus::Pending);
    s.recruiter_adds(&opp, &[CANCEL]).await;
    s.poll().await;
    assert_eq!(s.provider_order_of(&opp).await.status, "in_process");
    let order = s.order_of(&opp).await;
    assert_eq!(
        order.status,
        OrderStatus::Pending,
        "the order stays as it is"
    );
    assert_eq!(s.bo_tags(&opp), vec![PENDING], "Cancel tag removed");
    let notes = s.notes(&opp);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("The background check request could not be cancelled: ")
            && notes[0].contains("refused"),
        "{notes:?}"
    );
}
