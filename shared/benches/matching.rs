//! Matching benchmark (harness = false): quality of ARKiiVE, FiiLTER and REFiiNE on the
//! labelled datasets in `../shared/datasets`, measured on postings held out by job category
//! (every tuned number chosen on the other folds), against a plain TF-IDF cosine baseline;
//! then speed and memory at 100,000 candidate profiles.
//!
//! Run: `cargo bench -p screenhub --bench matching [-- --data <dir>]` (or set
//! `SCREENHUB_MATCHING_DATA=<dir>`); without data it prints why and exits 0. See
//! `docs/matching.md` for the printed table and how to read it.
//!
//! Knobs for experiments: `MATCH_WEIGHTS=skill,text,role,occupation` and
//! `MATCH_FEEDBACK=docs,share,min_score` change the first (shipped) configuration;
//! `MATCH_GRID=1` lets the protocol choose among neighbouring configurations too (weights,
//! feedback) on the other folds, instead of measuring the shipped one; `MATCH_QUALITY_ONLY=1` skips
//! the 100k part; `MATCH_EXPLAIN=<title>` prints the explained ranking for the first posting
//! with that title.

use std::time::Instant;

mod support;

use support::quality::*;
use support::*;

use screenhub::matching::{CandidateIndex, MatchConfig};

/// The configurations the protocol chooses among on the training folds; the first is the
/// shipped one (`MatchConfig::default()`, or the knobs' values), alone unless `MATCH_GRID=1`.
fn grid(base: MatchConfig) -> Vec<(String, MatchConfig)> {
    let w = |s, t, r, o| MatchConfig {
        w_skill: s,
        w_text: t,
        w_role: r,
        w_occ: o,
        ..base
    };
    let mut g = vec![
        ("shipped".to_string(), base),
        ("text 0.55".into(), w(0.05, 0.55, 0.20, 0.20)),
        ("text 0.25".into(), w(0.05, 0.25, 0.35, 0.35)),
        ("skills 0.15".into(), w(0.15, 0.35, 0.25, 0.25)),
        (
            "no feedback".into(),
            MatchConfig {
                feedback_docs: 0,
                ..base
            },
        ),
        (
            "feedback 8 x 0.7".into(),
            MatchConfig {
                feedback_docs: 8,
                feedback_share: 0.7,
                ..base
            },
        ),
    ];
    if !std::env::var("MATCH_GRID").is_ok_and(|v| v == "1") {
        g.truncate(1);
    }
    g
}

fn main() {
    let Some(dir) = data_dir("matching") else {
        return;
    };
    let mut config = MatchConfig::default();
    if let Ok(w) = std::env::var("MATCH_WEIGHTS") {
        let w: Vec<f32> = w.split(',').map(|x| x.parse().expect("weight")).collect();
        (config.w_skill, config.w_text, config.w_role, config.w_occ) = (w[0], w[1], w[2], w[3]);
    }
    if let Ok(f) = std::env::var("MATCH_FEEDBACK") {
        let f: Vec<f32> = f.split(',').map(|x| x.parse().expect("feedback")).collect();
        (
            config.feedback_docs,
            config.feedback_share,
            config.feedback_min_score,
        ) = (f[0] as usize, f[1], f[2]);
    }
    let (resumes, jobs, crosswalk) = load(&dir);
    let data = Data::new(resumes, jobs, crosswalk);
    let folds = Folds::by_category(&data, 5);
    println!(
        "data: {} resumes, {} postings after removing {} near-duplicate resumes and {} near-duplicate postings; {} crosswalk job categories ({})",
        data.resumes.len(),
        data.jobs.len(),
        data.removed_resumes,
        data.removed_jobs,
        data.crosswalk.len(),
        dir.display()
    );
    for (f, cats) in folds.categories.iter().enumerate() {
        println!(
            "  fold {f}: {} postings: {}",
            folds.of_job.iter().filter(|x| **x == f).count(),
            cats.join(", ")
        );
    }

    let t = Instant::now();
    let (profiles, postings) = profiles(&data, true);
    let mut sizes: Vec<usize> = profiles
        .iter()
        .map(|p| serde_json::to_vec(p).expect("json").len())
        .collect();
    sizes.sort_unstable();
    println!(
        "profiles: built {} candidate + {} posting profiles in {:.0} ms; candidate JSON size median {} B, max {} B",
        profiles.len(),
        postings.len(),
        t.elapsed().as_secs_f64() * 1e3,
        sizes[sizes.len() / 2],
        sizes[sizes.len() - 1]
    );

    if let Ok(want) = std::env::var("MATCH_EXPLAIN") {
        let index = CandidateIndex::build(profiles.clone(), config);
        for (qi, job) in data
            .jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.title == want)
            .take(1)
        {
            let query = index.query(&postings[qi]);
            println!(
                "EXPLAIN {} | {} | occ {:?} | roles {:?}",
                job.category, job.title, postings[qi].occupations, postings[qi].roles
            );
            for (rank, e) in index
                .top_candidates_with(&query, profiles.len(), 0.0)
                .iter()
                .enumerate()
            {
                let r = e.candidate_id[1..].parse::<usize>().expect("id");
                if rank < 7 || data.rel(qi, r, false) {
                    println!(
                        "  #{rank} {} {:.3} skill {:.3} text {:.3} role {:.3} occ {:.3} | {:?} | {:?}",
                        data.resumes[r].category,
                        e.score,
                        e.skill_points,
                        e.text_points,
                        e.role_points,
                        e.occupation_points,
                        e.matched_terms
                            .iter()
                            .take(5)
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>(),
                        e.matched_occupations
                            .iter()
                            .take(3)
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                    );
                }
            }
        }
    }

    let t = Instant::now();
    let configs = grid(config);
    let scores: Vec<Scores> = configs
        .iter()
        .map(|(_, c)| Scores::new(&data, &profiles, &postings, *c))
        .collect();
    let tfidf = tfidf_top(&data);
    let results = cross_validate(&data, &folds, &scores, &tfidf);
    println!(
        "scored {} configurations x {} postings x {} resumes in {:.1} s",
        configs.len(),
        data.jobs.len(),
        data.resumes.len(),
        t.elapsed().as_secs_f64()
    );
    let all: Vec<usize> = (0..data.jobs.len()).collect();
    println!("ranking p@7 (close+approximate) of every configuration, all postings / per fold:");
    for (i, (name, _)) in configs.iter().enumerate() {
        let per: Vec<String> = (0..folds.k)
            .map(|f| {
                let jobs: Vec<usize> = all
                    .iter()
                    .copied()
                    .filter(|&j| folds.of_job[j] == f)
                    .collect();
                format!(
                    "{:.3}",
                    p_at_k(&data, &jobs, |j| top_of(&scores[i], j), false).0
                )
            })
            .collect();
        println!(
            "  {name:<18} {:.3} / {}",
            p_at_k(&data, &all, |j| top_of(&scores[i], j), false).0,
            per.join(" ")
        );
    }
    print_folds(&results, &configs);
    let (chosen, a, f, r) = choose_on_all(&data, &scores);
    println!(
        "\nChosen on all the data (what ships): configuration \"{}\", ARKiiVE minimum score {a:.2}, FiiLTER threshold {f:.3}, REFiiNE minimum score {r:.2} (MatchConfig::default(): {:.2} / {:.3} / {:.2})",
        configs[chosen].0,
        MatchConfig::default().arkive_min_score,
        MatchConfig::default().filter_threshold,
        MatchConfig::default().refine_min_score
    );
    // How a tenant trades leads for precision with `thresholds.arkive` (all postings, so
    // in-sample: a guide to the trade-off, not a held-out figure).
    let mut points: Vec<f32> = (8..=14).map(|i| i as f32 * 0.05).collect();
    points.push(MatchConfig::default().arkive_min_score);
    points.sort_by(f32::total_cmp);
    let sweep: Vec<String> = points
        .into_iter()
        .map(|t| {
            let s = shipped(&data, &scores[0], &all, t);
            format!(
                "{t:.2}: {:.2}/{}/{:.2}",
                s.precision, s.leads, s.silent_when_nothing_fits
            )
        })
        .collect();
    println!(
        "ARKiiVE minimum-score sweep, lead precision / leads / silent where nothing fits:  {}",
        sweep.join("  ")
    );
    let near = near_miss_pairs(&data, &profiles, config);
    let (p, rc, n) = precision_recall(&near, f);
    println!(
        "FiiLTER near-miss resume pairs (a side line, not a target): {} pairs, at {f:.3} precision {p:.3} recall {rc:.3} ({n} advanced)",
        near.len()
    );
    // The "no titles" engine: what parsing the position titles brings.
    let untitled = Scores::new(&data, &profiles_untitled(&data), &postings, config);
    println!(
        "All postings, ranking p@7 close+approximate: engine {:.3}, engine without position titles {:.3}, TF-IDF {:.3}",
        p_at_k(&data, &all, |j| top_of(&scores[0], j), false).0,
        p_at_k(&data, &all, |j| top_of(&untitled, j), false).0,
        p_at_k(&data, &all, |j| tfidf[j].clone(), false).0
    );
    let targets = targets(&results);
    if std::env::var("MATCH_QUALITY_ONLY").is_ok() {
        print_targets(&targets);
        return;
    }
    // Speed and memory at 100,000 candidates.
    const N: usize = 100_000;
    println!(
        "\nScale: {N} profiles resampled from the {} real ones (20% of stems dropped, weights x U[0.5,1.5))",
        profiles.len()
    );
    let before = vm_hwm_mb();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let t = Instant::now();
    let big = CandidateIndex::build(
        (0..N).map(|i| {
            let base = &profiles[(rng.next() % profiles.len() as u64) as usize];
            perturb(base, format!("s{i:06}"), &mut rng)
        }),
        config,
    );
    let build_s = t.elapsed().as_secs_f64();
    let peak = vm_hwm_mb();
    println!(
        "  index build (incl. resampling): {build_s:.2} s; peak memory VmHWM {:.0} MB (before build {:.0} MB)",
        peak.unwrap_or(f64::NAN),
        before.unwrap_or(f64::NAN)
    );
    let mut lat = Vec::new();
    for p in &postings {
        let t = Instant::now();
        let q = big.query(p);
        let top = big.top_candidates(&q);
        std::hint::black_box(top);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    lat.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&lat, 0.5), percentile(&lat, 0.99));
    println!(
        "  top-7 over {N} (compile + search + explain), {} postings: p50 {p50:.2} ms, p99 {p99:.2} ms",
        lat.len()
    );
    // 1,000 open postings: the unique ones, repeated under new ids to reach 1,000.
    let open = big.open_postings(
        postings
            .iter()
            .cycle()
            .take(1000)
            .enumerate()
            .map(|(i, p)| {
                let mut q = big.query(p);
                q.posting_id = format!("o{i:04}");
                q
            })
            .collect(),
    );
    let t = Instant::now();
    let mut scored = 0usize;
    while t.elapsed().as_secs_f64() < 2.0 {
        let c = &profiles[scored % profiles.len()];
        std::hint::black_box(big.best_postings(c, &open, None, 3));
        scored += 1;
    }
    println!(
        "  REFiiNE: {:.0} candidates/s against {} postings",
        scored as f64 / t.elapsed().as_secs_f64(),
        open.len()
    );
    let peak_end = vm_hwm_mb().unwrap_or(f64::NAN);

    let mut rows = targets;
    rows.extend([
        (
            format!("top-7 over 100k p99 <= 10 ms: {p99:.2} ms"),
            p99 <= 10.0,
        ),
        (format!("build <= 5 s: {build_s:.2} s"), build_s <= 5.0),
        (
            format!("peak memory <= 512 MB: {peak_end:.0} MB"),
            peak_end <= 512.0,
        ),
    ]);
    print_targets(&rows);
}

fn profiles_untitled(data: &Data) -> Vec<screenhub::matching::Profile> {
    data.resumes
        .iter()
        .enumerate()
        .map(|(i, r)| candidate_profile(i, r, false))
        .collect()
}

fn print_folds(results: &[FoldResult], configs: &[(String, MatchConfig)]) {
    println!("\nHeld-out folds (every number chosen on the other four folds)");
    println!(
        "  fold postings config            | ARKiiVE rank p@7  close | TF-IDF p@7  close | min   shipped p@7  lead prec  leads silent | FiiLTER th  prec   recall adv | REFiiNE min recall@3 silent"
    );
    for r in results {
        println!(
            "  {:>4} {:>8} {:<17} | {:>14.3} {:>6.3} | {:>10.3} {:>6.3} | {:.2} {:>12.3} {:>10.3} {:>6} {:>6.2} | {:>10.3} {:>6.3} {:>6.3} {:>4} | {:>11.2} {:>8.3} {:>6.3}",
            r.fold,
            r.postings,
            configs[r.config].0,
            r.ranked_p7,
            r.ranked_p7_close,
            r.tfidf_p7,
            r.tfidf_p7_close,
            r.arkive_min,
            r.shipped.p_at_7,
            r.shipped.precision,
            r.shipped.leads,
            r.shipped.silent_when_nothing_fits,
            r.filter_threshold,
            r.filter_precision,
            r.filter_recall,
            r.filter_advanced,
            r.refine_min,
            r.refine_recall,
            r.refine_silent
        );
    }
    let ms = |f: &dyn Fn(&FoldResult) -> f64| {
        let (m, sd) = mean_sd(results.iter().map(f));
        format!("{m:.3} ± {sd:.3}")
    };
    println!("  mean ± sd over folds:");
    println!(
        "    ARKiiVE ranking p@7        {}  (close {})",
        ms(&|r| r.ranked_p7),
        ms(&|r| r.ranked_p7_close)
    );
    println!(
        "    TF-IDF p@7                 {}  (close {})",
        ms(&|r| r.tfidf_p7),
        ms(&|r| r.tfidf_p7_close)
    );
    println!(
        "    ARKiiVE shipped p@7        {}",
        ms(&|r| r.shipped.p_at_7)
    );
    println!(
        "    ARKiiVE lead precision     {}",
        ms(&|r| r.shipped.precision)
    );
    println!(
        "    silent where nothing fits  {}",
        ms(&|r| r.shipped.silent_when_nothing_fits)
    );
    println!(
        "    ratio ranking / TF-IDF     {}",
        ms(&|r| r.ranked_p7 / r.tfidf_p7.max(1e-9))
    );
    println!(
        "    ratio shipped / TF-IDF     {}",
        ms(&|r| r.shipped.p_at_7 / r.tfidf_p7.max(1e-9))
    );
    println!(
        "    FiiLTER precision          {}  recall {}",
        ms(&|r| r.filter_precision),
        ms(&|r| r.filter_recall)
    );
    println!(
        "    REFiiNE recall@3           {}  correctly nothing {}",
        ms(&|r| r.refine_recall),
        ms(&|r| r.refine_silent)
    );
    let (tp, adv): (usize, usize) = results
        .iter()
        .fold((0, 0), |(t, a), r| (t + r.filter_tp, a + r.filter_advanced));
    println!(
        "    FiiLTER pooled over folds: {tp} of {adv} advanced are relevant (precision {:.3})",
        tp as f64 / adv.max(1) as f64
    );
}

fn targets(results: &[FoldResult]) -> Vec<(String, bool)> {
    let (ranked, _) = mean_sd(results.iter().map(|r| r.ranked_p7));
    let (shipped, _) = mean_sd(results.iter().map(|r| r.shipped.p_at_7));
    let (tfidf, _) = mean_sd(results.iter().map(|r| r.tfidf_p7));
    let (tp, adv): (usize, usize) = results
        .iter()
        .fold((0, 0), |(t, a), r| (t + r.filter_tp, a + r.filter_advanced));
    let fp = tp as f64 / adv.max(1) as f64;
    vec![
        (
            format!(
                "held out: ARKiiVE shipped p@7 >= 2.5x TF-IDF: {shipped:.3} vs {tfidf:.3} ({:.2}x)",
                shipped / tfidf.max(1e-9)
            ),
            shipped >= 2.5 * tfidf,
        ),
        (
            format!(
                "held out: ARKiiVE ranking p@7 >= 2.5x TF-IDF: {ranked:.3} vs {tfidf:.3} ({:.2}x)",
                ranked / tfidf.max(1e-9)
            ),
            ranked >= 2.5 * tfidf,
        ),
        (
            format!(
                "held out: FiiLTER precision >= 0.9 (postings vs resumes, pooled): {fp:.3} ({adv} advanced)"
            ),
            fp >= 0.9,
        ),
    ]
}

fn print_targets(rows: &[(String, bool)]) {
    println!("\nTargets");
    for (line, met) in rows {
        println!("  {:<7} {line}", if *met { "MET" } else { "MISSED" });
    }
}
