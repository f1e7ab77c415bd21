//! Matching quality cannot regress silently: the held-out protocol of the matching benchmark
//! (postings in five folds by job category, every threshold chosen on the other folds), run
//! with the shipped configuration, must keep each fold's figures at or above the floors
//! recorded in `benches/quality-floors.json`. Skips, saying why, where the team folder's
//! labelled data is absent.

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::PathBuf;

use screenhub::matching::MatchConfig;
use serde::Deserialize;
use support::quality::*;

#[derive(Deserialize)]
struct Floors {
    folds: Vec<FoldFloor>,
    filter_precision_pooled: f64,
}

#[derive(Deserialize)]
struct FoldFloor {
    ranking_p7: f64,
    ranking_over_tfidf: f64,
    lead_precision: f64,
    refine_recall: f64,
}

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("SCREENHUB_MATCHING_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/datasets"
            ))
        });
    let missing = support::missing_files(&dir);
    if missing.is_empty() {
        return Some(dir);
    }
    eprintln!(
        "matching quality floor skipped: no labelled data at {} (missing {})",
        dir.display(),
        missing.join(", ")
    );
    None
}

#[test]
fn held_out_quality_stays_at_or_above_its_recorded_floor() {
    let Some(dir) = data_dir() else { return };
    let (resumes, jobs, crosswalk) = support::load(&dir);
    let data = Data::new(resumes, jobs, crosswalk);
    let folds = Folds::by_category(&data, 5);
    let (profiles, postings) = profiles(&data, true);
    let scores = [Scores::new(
        &data,
        &profiles,
        &postings,
        MatchConfig::default(),
    )];
    let tfidf = tfidf_top(&data);
    let results = cross_validate(&data, &folds, &scores, &tfidf);
    let floors: Floors = serde_json::from_str(include_str!("../benches/quality-floors.json"))
        .expect("quality-floors.json");
    assert_eq!(floors.folds.len(), results.len(), "one floor per fold");
    let mut below = Vec::new();
    for (r, f) in results.iter().zip(&floors.folds) {
        let figures = [
            ("ranking p@7", r.ranked_p7, f.ranking_p7),
            (
                "ranking p@7 / TF-IDF",
                r.ranked_p7 / r.tfidf_p7.max(1e-9),
                f.ranking_over_tfidf,
            ),
            (
                "ARKiiVE lead precision",
                r.shipped.precision,
                f.lead_precision,
            ),
            ("REFiiNE recall@3", r.refine_recall, f.refine_recall),
        ];
        for (name, got, floor) in figures {
            eprintln!("fold {}: {name} {got:.3} (floor {floor:.3})", r.fold);
            if got < floor {
                below.push(format!(
                    "fold {}: {name} {got:.3} < floor {floor:.3}",
                    r.fold
                ));
            }
        }
    }
    let (tp, advanced) = results
        .iter()
        .fold((0, 0), |(t, a), r| (t + r.filter_tp, a + r.filter_advanced));
    let pooled = tp as f64 / advanced.max(1) as f64;
    eprintln!(
        "FiiLTER precision pooled over folds {pooled:.3} ({advanced} advanced; floor {:.3})",
        floors.filter_precision_pooled
    );
    if pooled < floors.filter_precision_pooled {
        below.push(format!(
            "FiiLTER pooled precision {pooled:.3} < floor {:.3}",
            floors.filter_precision_pooled
        ));
    }
    assert!(
        below.is_empty(),
        "quality fell below its floor:\n{}",
        below.join("\n")
    );
}

#[test]
fn a_document_copied_with_small_edits_counts_once() {
    let base = "Senior Java developer building payment services with Spring Boot, Hibernate, \
                REST web services, SQL databases and Git across distributed teams for five years";
    let texts = vec![
        base.to_string(),
        "An accountant preparing tax returns, audits and the general ledger".to_string(),
        // The same résumé with one word changed.
        base.replace("five", "six"),
    ];
    assert_eq!(near_duplicate_free(&texts), vec![0, 1]);
}
