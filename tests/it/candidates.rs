//! The candidate database of the recruiting passes, run against the embedded store and
//! against DynamoDB Local: profiles added, replaced and removed by id; many per bucket;
//! concurrent writers of the same buckets lose nothing.

use screenhub::adapters::embedded_store::EmbeddedStore;
use screenhub::domain::TenantId;
use screenhub::matching::{CandidateDoc, Profile};
use screenhub::ports::profiles::{CandidateRecord, ProfileStore};

fn record(id: &str, title: &str) -> CandidateRecord {
    let doc = CandidateDoc {
        id: id.into(),
        titles: vec![title.into()],
        summaries: vec![format!(
            "{title} building distributed systems in Rust and Go"
        )],
        ..CandidateDoc::default()
    };
    CandidateRecord {
        id: id.into(),
        contact: format!("contact-{id}"),
        posting: None,
        updated_at: 1,
        refine: false,
        profile: Profile::from_candidate(&doc),
    }
}

async fn suite<S: ProfileStore + Clone + 'static>(store: S) {
    let t = TenantId::parse(&screenhub_tests::unique("t")).unwrap();
    let other = TenantId::parse(&screenhub_tests::unique("t")).unwrap();
    store
        .put_profiles(
            &t,
            vec![
                record("a", "Software Engineer"),
                record("b", "Recruiter"),
                record("c", "Accountant"),
            ],
        )
        .await
        .unwrap();
    store
        .put_profiles(&other, vec![record("z", "Nurse")])
        .await
        .unwrap();
    let mut replaced = record("b", "Senior Recruiter");
    replaced.updated_at = 2;
    store
        .put_profiles(&t, vec![replaced.clone()])
        .await
        .unwrap();
    let mut held = store.load_profiles(&t).await.unwrap();
    held.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(
        held.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"],
        "tenants are apart"
    );
    assert_eq!(held[1], replaced, "a profile is replaced by id");
    // A pass's REFiiNE mark survives a profile rebuilt from a stale read.
    store.mark_refine(&t, &["b".into()], true).await.unwrap();
    store
        .put_profiles(&t, vec![record("b", "Recruiting Lead")])
        .await
        .unwrap();
    let b = |held: Vec<CandidateRecord>| held.into_iter().find(|r| r.id == "b").unwrap();
    let kept = b(store.load_profiles(&t).await.unwrap());
    assert!(kept.refine, "the mark is kept");
    assert_eq!(
        kept.profile,
        record("b", "Recruiting Lead").profile,
        "the profile is replaced"
    );
    store
        .mark_refine(&t, &["b".into(), "nobody".into()], false)
        .await
        .unwrap();
    assert!(!b(store.load_profiles(&t).await.unwrap()).refine);
    let removed = store
        .remove_profiles(&t, &["a".into(), "c".into(), "nobody".into()])
        .await
        .unwrap();
    assert_eq!(removed, 2);
    let held = store.load_profiles(&t).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(store.load_profiles(&other).await.unwrap().len(), 1);

    // Eight writers at once, 60 candidates each: every bucket they share keeps all of them.
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8 {
        let (store, t) = (store.clone(), t.clone());
        tasks.spawn(async move {
            let batch = (0..60)
                .map(|i| record(&format!("w{w}-{i}"), "Data Analyst"))
                .collect();
            store.put_profiles(&t, batch).await.unwrap();
        });
    }
    tasks.join_all().await;
    assert_eq!(store.load_profiles(&t).await.unwrap().len(), 1 + 8 * 60);
    assert_eq!(
        store.remove_profiles(&t, &["b".into()]).await.unwrap(),
        1,
        "removed at once"
    );
}

#[tokio::test]
async fn the_embedded_candidate_database_keeps_the_contract() {
    suite(EmbeddedStore::new()).await;
}

#[tokio::test]
async fn the_dynamodb_candidate_database_keeps_the_contract() {
    let store = screenhub_tests::fresh_table().await;
    suite(store.clone()).await;
    // Packed: a tenant of 481 candidates is loaded with one Query per key range.
    let t = TenantId::parse(&screenhub_tests::unique("t")).unwrap();
    let batch: Vec<_> = (0..481)
        .map(|i| record(&format!("p{i}"), "Welder"))
        .collect();
    store.put_profiles(&t, batch).await.unwrap();
    let before_load = store.stats().calls();
    assert_eq!(store.load_profiles(&t).await.unwrap().len(), 481);
    let (calls, by_op) = screenhub_tests::calls_since(&store, &before_load);
    assert_eq!(
        calls,
        u64::from(screenhub::adapters::dynamo::SEGMENTS),
        "{by_op:?}"
    );
}
