//! Candidate-database benchmark (harness = false), against DynamoDB Local: a tenant of
//! 100,000 candidates (resampled from the labelled résumés) is written to the single table,
//! then one ARKiiVE-sized pass is measured in a fresh process — load every profile, build
//! the index, search one new posting, write its leads' records — with its wall time and peak
//! memory (VmHWM).
//!
//! Run with DynamoDB Local up and `AWS_ENDPOINT_URL_DYNAMODB` set (what `scripts/bench
//! candidates` does): `cargo bench -p screenhub --bench candidates [-- --data <dir>]`.
//! `CANDIDATES_N` changes the tenant's size. Without data or without DynamoDB Local it
//! prints why and exits 0.

mod support;

use screenhub::adapters::dynamo::{DynamoStore, create_table};
use screenhub::domain::TenantId;
use screenhub::matching::{CandidateIndex, MatchConfig};
use screenhub::ports::profiles::{CandidateRecord, ProfileStore};
use screenhub::ports::store::{DeliveryRecord, Record, Store};
use std::time::Instant;
use support::*;

const TENANT: &str = "bench";

async fn store(table: &str) -> DynamoStore {
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    DynamoStore::new(aws_sdk_dynamodb::Client::new(&conf), table)
}

/// Seed a fresh table with `n` candidates; returns its name.
async fn seed(n: usize, profiles: &[screenhub::matching::Profile]) -> String {
    let table = format!("bench-candidates-{}", std::process::id());
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    create_table(&aws_sdk_dynamodb::Client::new(&conf), &table)
        .await
        .expect("create the table");
    let store = store(&table).await;
    let tenant = TenantId::parse(TENANT).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let t = Instant::now();
    let records: Vec<CandidateRecord> = (0..n)
        .map(|i| {
            let base = &profiles[(rng.next() % profiles.len() as u64) as usize];
            let id = format!("opp-{i:06}");
            CandidateRecord {
                id: id.clone(),
                contact: format!("contact-{i:06}"),
                posting: None,
                updated_at: 1_796_000_000_000,
                refine: false,
                profile: perturb(base, id, &mut rng),
            }
        })
        .collect();
    store.put_profiles(&tenant, records).await.expect("seed");
    println!(
        "  seeded {n} candidates in {:.1} s ({} DynamoDB calls)",
        t.elapsed().as_secs_f64(),
        store.stats().calls().values().sum::<u64>()
    );
    table
}

/// The measured pass, in its own process (so its peak memory is its own).
async fn pass(table: &str, postings: &[screenhub::matching::Profile]) {
    let posting = &postings[0];
    let store = store(table).await;
    let tenant = TenantId::parse(TENANT).unwrap();
    let t = Instant::now();
    let candidates = store.load_candidates(&tenant).await.expect("load");
    let load_s = t.elapsed().as_secs_f64();
    let packed_mb = candidates.packed_bytes() as f64 / 1e6;
    let t_build = Instant::now();
    // What the pass keeps besides the index: each candidate's ids.
    let mut ids = Vec::new();
    // The applications a FiiLTER or REFiiNE run would score (kept aside, as their passes do).
    let mut sample = Vec::new();
    let index = CandidateIndex::build(
        candidates.records().map(|r| {
            if sample.len() < 1000 {
                sample.push(r.profile.clone());
            }
            ids.push((r.id, r.contact, r.posting));
            r.profile
        }),
        MatchConfig::default(),
    );
    drop(candidates);
    let loaded = ids.len();
    let build_s = t_build.elapsed().as_secs_f64();
    let t_search = Instant::now();
    let top = index.top_candidates(&index.query(posting));
    let search_ms = t_search.elapsed().as_secs_f64() * 1e3;
    let t_write = Instant::now();
    let now = time::OffsetDateTime::now_utc();
    store
        .record(Record {
            deliveries: top
                .iter()
                .map(|e| {
                    DeliveryRecord::new(
                        format!("arkive:{TENANT}:bench-posting:{}", e.candidate_id),
                        now + time::Duration::days(400),
                    )
                })
                .collect(),
            outbox: Vec::new(),
            consumes: None,
            audit: Vec::new(),
            now,
        })
        .await
        .expect("write the leads' records");
    let write_ms = t_write.elapsed().as_secs_f64() * 1e3;
    let total = t.elapsed().as_secs_f64();
    let peak = vm_hwm_mb().unwrap_or(f64::NAN);
    println!("  ARKiiVE pass over {loaded} candidates, one posting (fresh process):");
    println!(
        "    load {load_s:.2} s ({packed_mb:.1} MB packed, {} Query calls), unpack + index build {build_s:.2} s, search {search_ms:.1} ms, {} leads written in {write_ms:.0} ms",
        store.stats().calls().get("Query").copied().unwrap_or(0),
        top.len()
    );
    println!("    total {total:.2} s, peak memory VmHWM {peak:.0} MB");
    // Scoring throughput in a pass over this pool (the Lever calls are the bound: one résumé
    // call per application, about 10 per second per tenant).
    let t = Instant::now();
    let query = index.query(posting);
    let advanced = sample
        .iter()
        .filter(|c| index.decide(c, posting, &query).advance)
        .count();
    let fiilter_per_s = sample.len() as f64 / t.elapsed().as_secs_f64();
    let open = index.open_postings(
        postings
            .iter()
            .cycle()
            .take(100)
            .enumerate()
            .map(|(i, p)| {
                let mut q = index.query(p);
                q.posting_id = format!("open-{i:03}");
                q
            })
            .collect(),
    );
    let t = Instant::now();
    let suggested = sample
        .iter()
        .filter(|c| !index.best_postings(c, &open, None, 3).is_empty())
        .count();
    let refine_per_s = sample.len() as f64 / t.elapsed().as_secs_f64();
    println!(
        "  FiiLTER scoring: {fiilter_per_s:.0} applications/s ({advanced} of {} advanced); REFiiNE: {refine_per_s:.0} candidates/s against {} open postings ({suggested} with a suggestion)",
        sample.len(),
        open.len()
    );
    let met = |ok: bool| if ok { "MET" } else { "MISSED" };
    println!("  {:<7} pass <= 30 s: {total:.2} s", met(total <= 30.0));
    println!("  {:<7} pass <= 512 MB: {peak:.0} MB", met(peak <= 512.0));
}

#[tokio::main]
async fn main() {
    let Some(dir) = data_dir("candidates") else {
        return;
    };
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_none() {
        println!(
            "candidates benchmark skipped: it needs DynamoDB Local (AWS_ENDPOINT_URL_DYNAMODB); \
             run `scripts/bench candidates`."
        );
        return;
    }
    let (resumes, jobs, _) = load(&dir);
    let postings: Vec<_> = jobs
        .iter()
        .take(100)
        .enumerate()
        .map(|(i, j)| posting_profile(i, j))
        .collect();
    if let Ok(table) = std::env::var("CANDIDATES_BENCH_TABLE") {
        pass(&table, &postings).await;
        return;
    }
    let n: usize = std::env::var("CANDIDATES_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let profiles: Vec<_> = resumes
        .iter()
        .enumerate()
        .map(|(i, r)| candidate_profile(i, r, true))
        .collect();
    println!(
        "Candidate database: {n} candidates resampled from {} résumés",
        profiles.len()
    );
    let table = seed(n, &profiles).await;
    let status = std::process::Command::new(std::env::current_exe().expect("this binary"))
        .args(std::env::args().skip(1))
        .env("CANDIDATES_BENCH_TABLE", &table)
        .status()
        .expect("run the pass in a fresh process");
    assert!(status.success());
}
