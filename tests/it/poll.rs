//! The Lever tag poll's window and reach: the cursor and its overlap decide what is read,
//! every page is read, and one tenant failing stops no other.

use screenhub::domain::TenantId;
use screenhub::poll::CURSOR;
use screenhub::ports::secrets::{ProviderSecrets, Secret};
use screenhub::ports::{Clock, Store, TenantSecrets};
use screenhub_sandbox::Method;
use screenhub_sandbox::lever::NewOpportunity;
use screenhub_tests::bo_scenario::{BoScenario, START};
use time::{Duration, OffsetDateTime};

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn tagged(s: &BoScenario, email: &str, updated_at: i64) -> String {
    s.lever.add_opportunity(
        NewOpportunity::new("Ada Lovelace")
            .email(email)
            .stage("applicant-new")
            .tag(START)
            .updated_at(updated_at),
    )
}

async fn cursor(s: &BoScenario, tenant: &TenantId) -> Option<String> {
    s.world.store.get_cursor(tenant, CURSOR).await.unwrap()
}

#[tokio::test]
async fn the_next_poll_reads_from_the_last_poll_start_minus_the_overlap() {
    let s = BoScenario::start().await;
    let first = s.world.clock.now();
    let r = s.world.poll.run(None).await.unwrap();
    assert_eq!(r.incomplete_tenants, 0);
    assert_eq!(cursor(&s, &s.tenant).await, Some(ms(first).to_string()));
    let first_list = s.lever.requests().pop().expect("one list call");
    assert!(
        !first_list
            .query
            .unwrap_or_default()
            .contains("updated_at_start"),
        "no cursor yet: the whole list"
    );

    s.world.clock.advance(Duration::minutes(10));
    // Lever shows only now a tag it stamped 2 minutes before the first poll (its index lags):
    // the overlap catches it.
    let late = tagged(&s, "late@example.com", ms(first) - 2 * 60_000);
    // Stamped a day before the cursor: outside this poll's window.
    let old = tagged(&s, "old@example.com", ms(first) - 86_400_000);
    s.lever.clear_requests();
    let r = s.poll().await;
    let lists: Vec<String> = s
        .lever
        .requests()
        .into_iter()
        .filter(|q| q.method == Method::GET && q.path.ends_with("/opportunities"))
        .map(|q| q.query.unwrap_or_default())
        .collect();
    assert_eq!(lists.len(), 1, "{lists:?}");
    let window = format!("updated_at_start={}", ms(first) - 5 * 60_000);
    assert!(lists[0].contains(&window), "{} lacks {window}", lists[0]);
    assert_eq!(r.orders_created, 1);
    assert_eq!(s.orders_of(&late).await.len(), 1);
    assert!(s.orders_of(&old).await.is_empty());
    assert_eq!(
        cursor(&s, &s.tenant).await,
        Some(ms(first + Duration::minutes(10)).to_string())
    );
}

#[tokio::test]
async fn a_poll_reads_every_page() {
    let s = BoScenario::start().await;
    let opps: Vec<String> = (0..101)
        .map(|i| s.candidate(Some(&format!("c{i}@example.com")), &[START]))
        .collect();
    let r = s.world.poll.run(None).await.unwrap();
    assert_eq!((r.lever_list_calls, r.opportunities), (2, 101));
    assert_eq!(r.orders_created, 101);
    for opp in [&opps[0], &opps[100]] {
        assert_eq!(s.orders_of(opp).await.len(), 1);
    }
}

#[tokio::test]
async fn one_tenant_failing_stops_no_other() {
    let s = BoScenario::start().await;
    // A second tenant whose Lever key Lever refuses.
    let broken = TenantId::parse(&screenhub_tests::unique("broken-")).unwrap();
    let mut config = s.world.store.get_tenant(&s.tenant).await.unwrap().unwrap();
    config.id = broken.clone();
    s.world
        .onboard(
            &config,
            &TenantSecrets {
                lever_api_key: Some(Secret::new("revoked-key")),
                backgrounds_online: Some(ProviderSecrets::default()),
                ..TenantSecrets::default()
            },
        )
        .await;
    let opp = s.candidate(Some("a@example.com"), &[START]);
    let r = s.world.poll.run(None).await.unwrap();
    assert_eq!((r.tenants, r.incomplete_tenants), (2, 1));
    assert_eq!(r.orders_created, 1);
    assert_eq!(s.orders_of(&opp).await.len(), 1);
    assert!(cursor(&s, &s.tenant).await.is_some());
    assert!(cursor(&s, &broken).await.is_none(), "re-read next time");
}
