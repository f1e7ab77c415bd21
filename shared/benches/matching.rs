//! Matching benchmark (harness = false): quality of ARKiiVE, FiiLTER and REFiiNE on the
//! labelled datasets in `../shared/datasets`, against a plain TF-IDF cosine baseline, then
//! speed and memory at 100,000 candidate profiles.
//!
//! Run: `cargo bench -p screenhub --bench matching [-- --data <dir>]` (or set
//! `SCREENHUB_MATCHING_DATA=<dir>`); without data it prints why and exits 0. See
//! `docs/matching.md` for the printed table and how to read it.
//!
//! Tuning knobs for experiments (the defaults are `MatchConfig::default()`):
//! `MATCH_WEIGHTS=skill,text,role,occupation`, `MATCH_FEEDBACK=docs,share,min_score`,
//! `MATCH_THRESHOLDS=arkive,filter,refine`; `MATCH_QUALITY_ONLY=1` skips the 100k part;
//! `MATCH_DEBUG=1` prints the categories ranked for each posting; `MATCH_EXPLAIN=<title>`
//! prints the explained ranking for the first posting with that title.

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

mod support;

use support::*;

use screenhub::matching::text::tokenize_plain;
use screenhub::matching::{CandidateIndex, MatchConfig, PostingDoc, Profile, Query};

const K: usize = 7;

fn relevant(crosswalk: &Crosswalk, job_cat: &str, resume_cat: &str, close_only: bool) -> bool {
    crosswalk
        .get(job_cat)
        .and_then(|m| m.get(resume_cat))
        .is_some_and(|s| s == "close" || !close_only)
}

/// Plain TF-IDF cosine: unstemmed words without stop words, sublinear tf, smooth idf.
struct Tfidf {
    idf: HashMap<String, f32>,
    docs: Vec<HashMap<String, f32>>,
}

impl Tfidf {
    fn counts(text: &str) -> HashMap<String, f32> {
        let mut m = HashMap::new();
        for t in tokenize_plain(text) {
            *m.entry(t.word).or_insert(0.0) += 1.0;
        }
        m
    }

    fn new(texts: &[&str]) -> Self {
        let counts: Vec<_> = texts.iter().map(|t| Self::counts(t)).collect();
        let mut df: HashMap<String, f32> = HashMap::new();
        for c in &counts {
            for k in c.keys() {
                *df.entry(k.clone()).or_insert(0.0) += 1.0;
            }
        }
        let n = texts.len() as f32;
        let idf: HashMap<String, f32> = df
            .into_iter()
            .map(|(k, d)| (k, ((1.0 + n) / (1.0 + d)).ln() + 1.0))
            .collect();
        let mut me = Tfidf {
            idf,
            docs: Vec::new(),
        };
        me.docs = counts.into_iter().map(|c| me.vector(c)).collect();
        me
    }

    fn vector(&self, counts: HashMap<String, f32>) -> HashMap<String, f32> {
        let mut v: HashMap<String, f32> = counts
            .into_iter()
            .filter_map(|(k, c)| self.idf.get(&k).map(|i| (k, (1.0 + c.ln()) * i)))
            .collect();
        let norm = v.values().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
        v.values_mut().for_each(|x| *x /= norm);
        v
    }

    /// Document indexes, best first, ties by index.
    fn rank(&self, text: &str) -> Vec<usize> {
        let q = self.vector(Self::counts(text));
        let mut scores: Vec<(f32, usize)> = self
            .docs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                (
                    q.iter()
                        .map(|(k, w)| w * d.get(k).copied().unwrap_or(0.0))
                        .sum(),
                    i,
                )
            })
            .collect();
        scores.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scores.into_iter().map(|(_, i)| i).collect()
    }
}

#[derive(Default)]
struct Ranking {
    queries: usize,
    p: f64,
    best: f64,
    ndcg: f64,
}

impl Ranking {
    fn add(&mut self, ranked: &[bool], total_relevant: usize) {
        let hits = ranked.iter().take(K).filter(|r| **r).count();
        let dcg: f64 = ranked
            .iter()
            .take(K)
            .enumerate()
            .filter(|(_, r)| **r)
            .map(|(i, _)| 1.0 / (i as f64 + 2.0).log2())
            .sum();
        let idcg: f64 = (0..total_relevant.min(K))
            .map(|i| 1.0 / (i as f64 + 2.0).log2())
            .sum();
        self.queries += 1;
        self.p += hits as f64 / K as f64;
        self.best += total_relevant.min(K) as f64 / K as f64;
        self.ndcg += if idcg > 0.0 { dcg / idcg } else { 0.0 };
    }

    fn p(&self) -> f64 {
        self.p / self.queries.max(1) as f64
    }

    fn line(&self, name: &str) -> String {
        let q = self.queries.max(1) as f64;
        format!(
            "  {name:<36} queries {:>4}  p@7 {:.3}  p@7/best {:.3}  nDCG@7 {:.3}",
            self.queries,
            self.p / q,
            self.p / self.best.max(1e-9),
            self.ndcg / q
        )
    }
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
    if let Ok(t) = std::env::var("MATCH_THRESHOLDS") {
        let t: Vec<f32> = t
            .split(',')
            .map(|x| x.parse().expect("threshold"))
            .collect();
        (
            config.arkive_min_score,
            config.filter_threshold,
            config.refine_min_score,
        ) = (t[0], t[1], t[2]);
    }
    let (resumes, jobs, crosswalk) = load(&dir);
    println!(
        "data: {} unique resumes, {} unique postings, {} crosswalk job categories ({})",
        resumes.len(),
        jobs.len(),
        crosswalk.len(),
        dir.display()
    );

    let t = Instant::now();
    let profiles: Vec<Profile> = resumes
        .iter()
        .enumerate()
        .map(|(i, r)| candidate_profile(i, r, true))
        .collect();
    let postings: Vec<Profile> = jobs
        .iter()
        .enumerate()
        .map(|(i, j)| posting_profile(i, j))
        .collect();
    let sizes: Vec<usize> = profiles
        .iter()
        .map(|p| serde_json::to_vec(p).expect("json").len())
        .collect();
    let mut sorted_sizes = sizes.clone();
    sorted_sizes.sort_unstable();
    println!(
        "profiles: built {} candidate + {} posting profiles in {:.0} ms; candidate JSON size median {} B, max {} B",
        profiles.len(),
        postings.len(),
        t.elapsed().as_secs_f64() * 1e3,
        sorted_sizes[sorted_sizes.len() / 2],
        sorted_sizes[sorted_sizes.len() - 1]
    );
    let index = CandidateIndex::build(profiles.clone(), config);
    let queries: Vec<Query> = postings.iter().map(|p| index.query(p)).collect();
    let tfidf = Tfidf::new(&resumes.iter().map(|r| r.text.as_str()).collect::<Vec<_>>());

    if let Ok(want) = std::env::var("MATCH_EXPLAIN") {
        for (qi, job) in jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.title == want)
            .take(1)
        {
            println!(
                "EXPLAIN {} | {} | occ {:?} | roles {:?}",
                job.category, job.title, postings[qi].occupations, postings[qi].roles
            );
            let all = index.top_candidates_with(&queries[qi], 166, 0.0);
            for (rank, e) in all.iter().enumerate() {
                let r = &resumes[e.candidate_id[1..].parse::<usize>().expect("id")];
                if rank < 7 || relevant(&crosswalk, &job.category, &r.category, false) {
                    println!(
                        "  #{rank} {} {:.3} skill {:.3} text {:.3} role {:.3} occ {:.3} | {:?} | {:?}",
                        r.category,
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
    if let Ok(path) = std::env::var("MATCH_DUMP") {
        let rows: Vec<serde_json::Value> = jobs
            .iter()
            .enumerate()
            .map(|(qi, job)| {
                let mut parts = vec![[0.0f32; 5]; resumes.len()];
                for e in index.top_candidates_with(&queries[qi], resumes.len(), -1.0) {
                    let i = e.candidate_id[1..].parse::<usize>().expect("id");
                    parts[i] = [e.score, e.skill_points, e.text_points, e.role_points, e.occupation_points];
                }
                serde_json::json!({"title": job.title, "category": job.category, "lists": job.lists, "scores": parts})
            })
            .collect();
        let res: Vec<serde_json::Value> = resumes
            .iter()
            .map(|r| serde_json::json!({"category": r.category, "text": r.text}))
            .collect();
        std::fs::write(
            &path,
            serde_json::json!({"jobs": rows, "resumes": res, "crosswalk": crosswalk}).to_string(),
        )
        .expect("dump");
        println!("dumped to {path}");
    }
    // The same engine without the parsed position titles (resume text only), to show what
    // the title parsing brings.
    let untitled = CandidateIndex::build(
        resumes
            .iter()
            .enumerate()
            .map(|(i, r)| candidate_profile(i, r, false)),
        config,
    );
    let untitled_queries: Vec<Query> = postings.iter().map(|p| untitled.query(p)).collect();

    // ARKiiVE quality.
    println!("\nARKiiVE (google-job-skills postings -> deduplicated resumes, ranking top 7)");
    let mut engine_p = [0.0; 2];
    let mut tfidf_p = [0.0; 2];
    for (mode, close_only) in [("close", true), ("close+approximate", false)] {
        let (mut e, mut b, mut t) = (Ranking::default(), Ranking::default(), Ranking::default());
        for (qi, job) in jobs.iter().enumerate() {
            let rel: Vec<bool> = resumes
                .iter()
                .map(|r| relevant(&crosswalk, &job.category, &r.category, close_only))
                .collect();
            let total = rel.iter().filter(|r| **r).count();
            if total == 0 {
                continue;
            }
            let top = index.top_candidates_with(&queries[qi], K, 0.0);
            let ranked: Vec<bool> = top
                .iter()
                .map(|x| rel[x.candidate_id[1..].parse::<usize>().expect("id")])
                .collect();
            e.add(&ranked, total);
            let ranked: Vec<bool> = untitled
                .top_candidates_with(&untitled_queries[qi], K, 0.0)
                .iter()
                .map(|x| rel[x.candidate_id[1..].parse::<usize>().expect("id")])
                .collect();
            t.add(&ranked, total);
            if std::env::var("MATCH_DEBUG").is_ok() && !close_only {
                let cats: Vec<&str> = top
                    .iter()
                    .map(|x| {
                        resumes[x.candidate_id[1..].parse::<usize>().expect("id")]
                            .category
                            .as_str()
                    })
                    .collect();
                println!(
                    "DEBUG {} | {} | roles {:?} | {:?}",
                    job.category, job.title, postings[qi].roles, cats
                );
            }
            let text = format!(
                "{} {} {} {}",
                job.title, job.lists[0], job.lists[1], job.lists[2]
            );
            let ranked: Vec<bool> = tfidf
                .rank(&text)
                .into_iter()
                .take(K)
                .map(|i| rel[i])
                .collect();
            b.add(&ranked, total);
        }
        println!("{}", e.line(&format!("engine {mode}")));
        println!("{}", t.line(&format!("engine, no titles {mode}")));
        println!("{}", b.line(&format!("tf-idf {mode}")));
        // What ships: the leads ARKiiVE suggests at its minimum score, not a ranking cut at 7.
        let min = config.arkive_min_score;
        let (mut leads, mut good, mut with_leads, mut postings_n) =
            (0usize, 0usize, 0usize, 0usize);
        for (qi, job) in jobs.iter().enumerate() {
            let rel =
                |i: usize| relevant(&crosswalk, &job.category, &resumes[i].category, close_only);
            if !(0..resumes.len()).any(rel) {
                continue;
            }
            postings_n += 1;
            let shipped = index.top_candidates_with(&queries[qi], K, min);
            with_leads += usize::from(!shipped.is_empty());
            leads += shipped.len();
            good += shipped
                .iter()
                .filter(|x| rel(x.candidate_id[1..].parse::<usize>().expect("id")))
                .count();
        }
        println!(
            "  engine at the shipped minimum score {min:.2} ({mode}): precision of the leads {:.3} ({good} of {leads}); {with_leads} of {postings_n} postings get any",
            good as f64 / leads.max(1) as f64
        );
        engine_p[usize::from(!close_only)] = e.p();
        tfidf_p[usize::from(!close_only)] = b.p();
    }
    let (mut abstain, mut abstain_n) = (0usize, 0usize);
    // Best score per posting, for the abstention sweep: (best, has a relevant category).
    let mut best_scores = Vec::new();
    for (qi, job) in jobs.iter().enumerate() {
        let best = index
            .top_candidates_with(&queries[qi], 1, 0.0)
            .first()
            .map_or(0.0, |e| e.score);
        best_scores.push((best, crosswalk.contains_key(&job.category)));
        if crosswalk.contains_key(&job.category) {
            continue;
        }
        abstain_n += 1;
        if index.top_candidates(&queries[qi]).is_empty() {
            abstain += 1;
        }
    }
    println!(
        "  no-relevant-category postings answered with nobody at min score {:.2}: {abstain}/{abstain_n} ({:.3})",
        config.arkive_min_score,
        abstain as f64 / abstain_n.max(1) as f64
    );
    let sweep: Vec<String> = (4..=12)
        .map(|i| {
            let t = i as f32 * 0.05;
            let silent = |rel: bool| {
                let all = best_scores.iter().filter(|(_, r)| *r == rel);
                let n = all.clone().count().max(1) as f64;
                all.filter(|(s, _)| *s < t).count() as f64 / n
            };
            format!("{t:.2}: {:.2}/{:.2}", silent(false), silent(true))
        })
        .collect();
    println!(
        "  min-score sweep: share answered with nobody, no-relevant / relevant postings  {}",
        sweep.join("  ")
    );

    // FiiLTER quality.
    println!(
        "\nFiiLTER (advance when score >= {:.2})",
        config.filter_threshold
    );
    let in_crosswalk: BTreeSet<&str> = crosswalk
        .values()
        .flat_map(|m| m.keys().map(String::as_str))
        .collect();
    // (score, positive) pairs. A: postings vs relevant resumes and vs resumes of other mapped
    // categories; B: resume-as-posting, same category vs near-miss category.
    let mut set_a = Vec::new();
    // Which half each pair falls in (by posting for A, by resume-as-posting for B), for a
    // threshold chosen on one half and measured on the other.
    let mut half_a = Vec::new();
    let debug = std::env::var("MATCH_DEBUG").is_ok();
    for (qi, job) in jobs.iter().enumerate() {
        if !crosswalk.contains_key(&job.category) {
            continue;
        }
        for (ri, r) in resumes.iter().enumerate() {
            let pos = relevant(&crosswalk, &job.category, &r.category, false);
            if pos || in_crosswalk.contains(r.category.as_str()) {
                let score = index.score(&profiles[ri], &queries[qi]).score;
                if !pos && score >= config.filter_threshold - 0.05 && debug {
                    println!(
                        "DEBUG FiiLTER false positive {score:.3}: {} | {} <- {} | {:?}",
                        job.category,
                        job.title,
                        r.category,
                        position_title(&r.text)
                    );
                }
                set_a.push((score, pos));
                half_a.push(qi % 2 == 0);
            }
        }
    }
    let near_miss = [
        ("Testing", "Automation Testing"),
        ("Java Developer", "DotNet Developer"),
        ("Python Developer", "Data Science"),
        ("Hadoop", "ETL Developer"),
        ("DevOps Engineer", "Network Security Engineer"),
        ("Database", "ETL Developer"),
    ];
    let mut set_b = Vec::new();
    let mut half_b = Vec::new();
    for (ri, r) in resumes.iter().enumerate() {
        for (x, y) in near_miss.iter().flat_map(|(a, b)| [(a, b), (b, a)]) {
            if r.category != **x {
                continue;
            }
            let posting = Profile::from_posting(&PostingDoc {
                id: format!("as-posting-{ri}"),
                description: r.text.clone(),
                ..PostingDoc::default()
            });
            let q = index.query(&posting);
            for (ci, c) in resumes.iter().enumerate() {
                if ci != ri && (c.category == **x || c.category == **y) {
                    set_b.push((index.score(&profiles[ci], &q).score, c.category == **x));
                    half_b.push(ri % 2 == 0);
                }
            }
        }
    }
    let pr = |set: &[(f32, bool)], th: f32| {
        let tp = set.iter().filter(|(s, p)| *p && *s >= th).count() as f64;
        let fp = set.iter().filter(|(s, p)| !*p && *s >= th).count() as f64;
        let pos = set.iter().filter(|(_, p)| *p).count() as f64;
        (
            if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 },
            tp / pos.max(1.0),
            set.len(),
        )
    };
    let mut all = set_a.clone();
    all.extend_from_slice(&set_b);
    let th = config.filter_threshold;
    for (name, set) in [
        ("A postings vs mapped resumes", &set_a),
        ("B near-miss resume pairs", &set_b),
        ("A+B", &all),
    ] {
        let (p, r, n) = pr(set, th);
        println!("  {name:<30} pairs {n:>6}  precision {p:.3}  recall {r:.3}");
    }
    let filter_precision = pr(&all, th).0;
    let filter_precision_a = pr(&set_a, th).0;
    for (name, set) in [("A", &set_a), ("A+B", &all)] {
        let sweep: Vec<String> = (16..=30)
            .map(|i| {
                let t = i as f32 * 0.025;
                let (p, r, _) = pr(set, t);
                format!("{t:.3}: {p:.2}/{r:.3}")
            })
            .collect();
        println!(
            "  {name} sweep threshold: precision/recall  {}",
            sweep.join("  ")
        );
    }

    // Held out: the lowest threshold (0.005 steps) reaching precision 0.9 on A+B over the
    // even half, measured on the odd half it never saw.
    type Pairs = Vec<(f32, bool)>;
    let split = |even: bool| -> (Pairs, Pairs) {
        let pick = |set: &[(f32, bool)], half: &[bool]| -> Pairs {
            set.iter()
                .zip(half)
                .filter(|(_, h)| **h == even)
                .map(|(x, _)| *x)
                .collect()
        };
        let a = pick(&set_a, &half_a);
        let mut ab = a.clone();
        ab.extend(pick(&set_b, &half_b));
        (a, ab)
    };
    let (_, tune) = split(true);
    let (test_a, test_ab) = split(false);
    match (80..=160)
        .map(|i| i as f32 * 0.005)
        .find(|t| pr(&tune, *t).0 >= 0.9)
    {
        Some(t) => {
            let (p, r, n) = pr(&test_ab, t);
            let (pa, ra, _) = pr(&test_a, t);
            println!(
                "  held out: threshold {t:.3} chosen on the even half (precision {:.3}); on the odd half A+B precision {p:.3} recall {r:.3} ({n} pairs), A precision {pa:.3} recall {ra:.3}",
                pr(&tune, t).0
            );
        }
        None => println!("  held out: no threshold reaches precision 0.9 on the even half"),
    }

    // REFiiNE quality: every resume against all postings, excluding the one "applied for"
    // (the first relevant posting, or the first posting).
    println!(
        "\nREFiiNE (each resume vs {} open postings minus the one applied for, top 3, min score {:.2})",
        jobs.len(),
        config.refine_min_score
    );
    // The same pool with no REFiiNE floor: the threshold sweep filters its top 3 (those
    // at or above a threshold are a prefix of the list, so this equals re-running).
    let floorless = CandidateIndex::build(
        profiles.clone(),
        MatchConfig {
            refine_min_score: 0.0,
            ..config
        },
    );
    let open = floorless.open_postings(queries.clone());
    let (mut hit, mut hit_n, mut none_ok, mut none_n) = (0, 0, 0, 0);
    // Per resume: (has a relevant other posting, [(score, relevant)] of the top 3).
    let mut tops: Vec<(bool, Vec<(f32, bool)>)> = Vec::new();
    for (ri, r) in resumes.iter().enumerate() {
        let rel = |qi: usize| relevant(&crosswalk, &jobs[qi].category, &r.category, false);
        let applied = (0..jobs.len()).find(|&qi| rel(qi)).unwrap_or(0);
        let all = floorless.best_postings(
            &profiles[ri],
            &open,
            Some(queries[applied].posting_id.as_str()),
            3,
        );
        let has_relevant = (0..jobs.len()).any(|qi| qi != applied && rel(qi));
        tops.push((
            has_relevant,
            all.iter()
                .map(|e| {
                    (
                        e.score,
                        rel(e.posting_id[1..].parse::<usize>().expect("id")),
                    )
                })
                .collect(),
        ));
        let best: Vec<_> = all
            .into_iter()
            .filter(|e| e.score >= config.refine_min_score)
            .collect();
        if has_relevant {
            hit_n += 1;
            if best
                .iter()
                .any(|e| rel(e.posting_id[1..].parse::<usize>().expect("id")))
            {
                hit += 1;
            }
        } else {
            none_n += 1;
            if best.is_empty() {
                none_ok += 1;
            }
        }
    }
    println!(
        "  recall@3 (a relevant posting in the top 3): {hit}/{hit_n} ({:.3})",
        hit as f64 / hit_n.max(1) as f64
    );
    println!(
        "  correctly suggests nothing (no relevant posting): {none_ok}/{none_n} ({:.3})",
        none_ok as f64 / none_n.max(1) as f64
    );
    let sweep: Vec<String> = (6..=14)
        .map(|i| {
            let t = i as f32 * 0.05;
            let (mut h, mut hn, mut z, mut zn) = (0, 0, 0, 0);
            for (has, top) in &tops {
                let kept = top.iter().filter(|(s, _)| *s >= t);
                if *has {
                    hn += 1;
                    h += usize::from(kept.clone().any(|(_, r)| *r));
                } else {
                    zn += 1;
                    z += usize::from(kept.count() == 0);
                }
            }
            format!(
                "{t:.2}: {:.2}/{:.2}",
                h as f64 / f64::from(hn.max(1)),
                z as f64 / f64::from(zn.max(1))
            )
        })
        .collect();
    println!(
        "  min-score sweep: recall@3 / correctly-nothing  {}",
        sweep.join("  ")
    );

    if std::env::var("MATCH_QUALITY_ONLY").is_ok() {
        return;
    }
    // Speed and memory at 100,000 candidates.
    const N: usize = 100_000;
    println!(
        "\nScale: {N} profiles resampled from the {} real ones (20% of stems dropped, weights x U[0.5,1.5))",
        profiles.len()
    );
    drop(tfidf);
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

    println!("\nTargets");
    let ratio = engine_p[1] / tfidf_p[1].max(1e-9);
    let rows = [
        (
            format!(
                "ARKiiVE p@7 close+approx >= 2.5x TF-IDF: {:.3} vs {:.3} ({ratio:.2}x)",
                engine_p[1], tfidf_p[1]
            ),
            ratio >= 2.5,
        ),
        (
            format!("FiiLTER precision >= 0.9 (A+B): {filter_precision:.3}"),
            filter_precision >= 0.9,
        ),
        (
            format!("FiiLTER precision >= 0.9 (A alone): {filter_precision_a:.3}"),
            filter_precision_a >= 0.9,
        ),
        (
            format!("top-7 over 100k p99 <= 10 ms: {p99:.2} ms"),
            p99 <= 10.0,
        ),
        (format!("build <= 5 s: {build_s:.2} s"), build_s <= 5.0),
        (
            format!("peak memory <= 512 MB: {peak_end:.0} MB"),
            peak_end <= 512.0,
        ),
    ];
    for (line, met) in rows {
        println!("  {:<7} {line}", if met { "MET" } else { "MISSED" });
    }
}
