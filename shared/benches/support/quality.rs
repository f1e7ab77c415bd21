//! The honest quality protocol: postings split into folds by job category; every number the
//! engine is tuned by (configuration, ARKiiVE's minimum score, FiiLTER's threshold,
//! REFiiNE's minimum score) chosen on the other folds and measured on the held-out one.
//! Shared by the matching benchmark (the full table, with a configuration grid) and the
//! quality-floor test (the shipped configuration, thresholds still chosen per fold).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use screenhub::matching::text::tokenize_plain;
use screenhub::matching::{CandidateIndex, MatchConfig, PostingDoc, Profile};

use super::{Crosswalk, Job, Resume, candidate_profile, posting_profile};

/// Leads per posting.
pub const K: usize = 7;
/// Postings REFiiNE suggests at most per application.
pub const REFINE_K: usize = 3;
/// FiiLTER's precision target: the threshold is the lowest reaching it on the other folds.
pub const FILTER_PRECISION: f64 = 0.9;

pub fn relevant(crosswalk: &Crosswalk, job_cat: &str, resume_cat: &str, close_only: bool) -> bool {
    crosswalk
        .get(job_cat)
        .and_then(|m| m.get(resume_cat))
        .is_some_and(|s| s == "close" || !close_only)
}

// ---------------------------------------------------------------------------------------
// Near-duplicates

fn shingles(text: &str) -> BTreeSet<u64> {
    use std::hash::{Hash, Hasher};
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .windows(5.min(words.len().max(1)))
        .map(|w| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect()
}

/// Indexes of the texts to keep: the first of every group of near-duplicates (word 5-gram
/// Jaccard similarity at least 0.8, transitively), so a document copied with small edits
/// counts once.
pub fn near_duplicate_free(texts: &[String]) -> Vec<usize> {
    let sets: Vec<BTreeSet<u64>> = texts.iter().map(|t| shingles(t)).collect();
    let mut parent: Vec<usize> = (0..texts.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for i in 0..sets.len() {
        for j in i + 1..sets.len() {
            let (a, b) = (&sets[i], &sets[j]);
            let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
            // Jaccard >= 0.8 needs sizes within 0.8 of each other.
            if (small.len() as f64) < 0.8 * large.len() as f64 {
                continue;
            }
            let inter = small.intersection(large).count() as f64;
            let union = (a.len() + b.len()) as f64 - inter;
            if union > 0.0 && inter / union >= 0.8 {
                let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
                parent[ri.max(rj)] = ri.min(rj);
            }
        }
    }
    (0..texts.len())
        .filter(|&i| root(&mut parent, i) == i)
        .collect()
}

/// The items left when near-duplicates (by their text) are removed, in order.
fn without_near_duplicates<T>(items: Vec<T>, text: impl Fn(&T) -> String) -> Vec<T> {
    let texts: Vec<String> = items.iter().map(text).collect();
    let keep: BTreeSet<usize> = near_duplicate_free(&texts).into_iter().collect();
    items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, x)| x)
        .collect()
}

/// The labelled data with near-duplicate résumés and postings removed.
pub struct Data {
    pub resumes: Vec<Resume>,
    pub jobs: Vec<Job>,
    pub crosswalk: Crosswalk,
    pub removed_resumes: usize,
    pub removed_jobs: usize,
}

impl Data {
    pub fn new(resumes: Vec<Resume>, jobs: Vec<Job>, crosswalk: Crosswalk) -> Self {
        let n = (resumes.len(), jobs.len());
        let resumes = without_near_duplicates(resumes, |r| r.text.clone());
        let jobs = without_near_duplicates(jobs, |j| {
            format!("{} {} {} {}", j.title, j.lists[0], j.lists[1], j.lists[2])
        });
        Data {
            removed_resumes: n.0 - resumes.len(),
            removed_jobs: n.1 - jobs.len(),
            resumes,
            jobs,
            crosswalk,
        }
    }

    pub fn rel(&self, job: usize, resume: usize, close_only: bool) -> bool {
        relevant(
            &self.crosswalk,
            &self.jobs[job].category,
            &self.resumes[resume].category,
            close_only,
        )
    }

    /// Whether a job's category has relevant résumés at all.
    pub fn answerable(&self, job: usize) -> bool {
        (0..self.resumes.len()).any(|r| self.rel(job, r, false))
    }

    /// Résumé categories that some job category maps to: FiiLTER's pairs use only these.
    pub fn mapped_resume_categories(&self) -> BTreeSet<&str> {
        self.crosswalk
            .values()
            .flat_map(|m| m.keys().map(String::as_str))
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Folds

/// Postings split into `k` folds by job category: categories with relevant résumés and
/// categories without are each dealt out largest first to the fold with the fewest postings,
/// so every fold has both kinds and no category is in two folds.
pub struct Folds {
    pub k: usize,
    pub of_job: Vec<usize>,
    pub categories: Vec<Vec<String>>,
}

impl Folds {
    pub fn by_category(data: &Data, k: usize) -> Self {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for j in &data.jobs {
            *counts.entry(j.category.as_str()).or_default() += 1;
        }
        let mut sizes = vec![0usize; k];
        let mut fold_of: HashMap<&str, usize> = HashMap::new();
        let mut categories = vec![Vec::new(); k];
        for answerable in [true, false] {
            let mut cats: Vec<(&str, usize)> = counts
                .iter()
                .filter(|(c, _)| data.crosswalk.contains_key(**c) == answerable)
                .map(|(c, n)| (*c, *n))
                .collect();
            cats.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            for (c, n) in cats {
                let f = (0..k).min_by_key(|&f| (sizes[f], f)).unwrap_or(0);
                sizes[f] += n;
                fold_of.insert(c, f);
                categories[f].push(c.to_string());
            }
        }
        let of_job = data
            .jobs
            .iter()
            .map(|j| fold_of[j.category.as_str()])
            .collect();
        Folds {
            k,
            of_job,
            categories,
        }
    }
}

// ---------------------------------------------------------------------------------------
// One configuration's scores

/// Everything the protocol reads from one engine configuration, computed once.
pub struct Scores {
    pub config: MatchConfig,
    /// Per posting, every résumé's score (the ARKiiVE / REFiiNE score).
    pub matrix: Vec<Vec<f32>>,
    /// Per posting, its best 7 résumés (index, score), best first, ties by index.
    pub top: Vec<Vec<(usize, f32)>>,
    /// Per posting, every résumé's FiiLTER score: as `matrix`, but a résumé that lent the
    /// posting's query its feedback is judged against the query compiled without it.
    pub judged: Vec<Vec<f32>>,
}

impl Scores {
    pub fn new(
        data: &Data,
        profiles: &[Profile],
        postings: &[Profile],
        config: MatchConfig,
    ) -> Self {
        let index = CandidateIndex::build(profiles.to_vec(), config);
        let mut matrix = Vec::with_capacity(postings.len());
        let mut judged = Vec::with_capacity(postings.len());
        for posting in postings {
            let query = index.query(posting);
            let row = index.scores(&query);
            let fair: Vec<f32> = profiles
                .iter()
                .zip(&row)
                .map(|(p, s)| {
                    if query.lent_by(&p.id) {
                        index.judge(p, posting, &query).score
                    } else {
                        *s
                    }
                })
                .collect();
            matrix.push(row);
            judged.push(fair);
        }
        debug_assert_eq!(matrix.len(), data.jobs.len());
        let top = matrix
            .iter()
            .map(|row| {
                let mut r: Vec<(usize, f32)> = row.iter().copied().enumerate().collect();
                // Ties by index, as the index breaks them by id.
                r.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                r.truncate(K);
                r
            })
            .collect();
        Scores {
            config,
            matrix,
            top,
            judged,
        }
    }
}

/// Profiles as the engine sees them (labels never enter).
pub fn profiles(data: &Data, titles: bool) -> (Vec<Profile>, Vec<Profile>) {
    (
        data.resumes
            .iter()
            .enumerate()
            .map(|(i, r)| candidate_profile(i, r, titles))
            .collect(),
        data.jobs
            .iter()
            .enumerate()
            .map(|(i, j)| posting_profile(i, j))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// TF-IDF baseline

/// Plain TF-IDF cosine: unstemmed words without stop words, sublinear tf, smooth idf.
pub struct Tfidf {
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

    pub fn new(texts: &[&str]) -> Self {
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
    pub fn rank(&self, text: &str) -> Vec<usize> {
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

/// TF-IDF's top 7 per posting (résumé indexes).
pub fn tfidf_top(data: &Data) -> Vec<Vec<usize>> {
    let tfidf = Tfidf::new(
        &data
            .resumes
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>(),
    );
    data.jobs
        .iter()
        .map(|j| {
            let text = format!("{} {} {} {}", j.title, j.lists[0], j.lists[1], j.lists[2]);
            tfidf.rank(&text).into_iter().take(K).collect()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Metrics on a set of postings

/// Mean precision@7 of a ranking over the given postings that have relevant résumés.
pub fn p_at_k(
    data: &Data,
    jobs: &[usize],
    top: impl Fn(usize) -> Vec<usize>,
    close_only: bool,
) -> (f64, usize) {
    let mut sum = 0.0;
    let mut n = 0;
    for &j in jobs {
        if !(0..data.resumes.len()).any(|r| data.rel(j, r, close_only)) {
            continue;
        }
        n += 1;
        sum += top(j)
            .into_iter()
            .take(K)
            .filter(|&r| data.rel(j, r, close_only))
            .count() as f64
            / K as f64;
    }
    (if n > 0 { sum / n as f64 } else { 0.0 }, n)
}

/// What ARKiiVE ships at a minimum score, over some postings.
#[derive(Debug, Default, Clone, Copy)]
pub struct Shipped {
    /// Mean over postings with relevant résumés of (relevant leads / 7).
    pub p_at_7: f64,
    /// Relevant leads / leads, over every posting.
    pub precision: f64,
    pub leads: usize,
    /// Share of postings without relevant résumés answered with nobody.
    pub silent_when_nothing_fits: f64,
    /// Relevant leads minus the others: what the minimum score is chosen to maximise.
    pub utility: i64,
}

pub fn shipped(data: &Data, scores: &Scores, jobs: &[usize], min: f32) -> Shipped {
    let (mut p, mut n, mut good, mut leads, mut silent, mut nothing) = (0.0, 0, 0, 0, 0, 0);
    for &j in jobs {
        let picked: Vec<usize> = scores.top[j]
            .iter()
            .filter(|(_, s)| *s >= min && *s > 0.0)
            .map(|(r, _)| *r)
            .collect();
        let hits = picked.iter().filter(|&&r| data.rel(j, r, false)).count();
        good += hits;
        leads += picked.len();
        if data.answerable(j) {
            n += 1;
            p += hits as f64 / K as f64;
        } else {
            nothing += 1;
            silent += usize::from(picked.is_empty());
        }
    }
    Shipped {
        p_at_7: if n > 0 { p / n as f64 } else { 0.0 },
        precision: if leads > 0 {
            good as f64 / leads as f64
        } else {
            0.0
        },
        leads,
        silent_when_nothing_fits: if nothing > 0 {
            silent as f64 / nothing as f64
        } else {
            1.0
        },
        utility: good as i64 - (leads - good) as i64,
    }
}

/// FiiLTER's pairs over some postings: every posting whose category has relevant résumés
/// against every résumé of a category some posting category maps to; (judged score, relevant).
pub fn filter_pairs(data: &Data, scores: &Scores, jobs: &[usize]) -> Vec<(f32, bool)> {
    let mapped = data.mapped_resume_categories();
    let mut pairs = Vec::new();
    for &j in jobs {
        if !data.crosswalk.contains_key(&data.jobs[j].category) {
            continue;
        }
        for (r, resume) in data.resumes.iter().enumerate() {
            let pos = data.rel(j, r, false);
            if pos || mapped.contains(resume.category.as_str()) {
                pairs.push((scores.judged[j][r], pos));
            }
        }
    }
    pairs
}

/// (precision, recall, advanced) at a threshold.
pub fn precision_recall(pairs: &[(f32, bool)], th: f32) -> (f64, f64, usize) {
    let tp = pairs.iter().filter(|(s, p)| *p && *s >= th).count();
    let fp = pairs.iter().filter(|(s, p)| !*p && *s >= th).count();
    let pos = pairs.iter().filter(|(_, p)| *p).count();
    (
        if tp + fp > 0 {
            tp as f64 / (tp + fp) as f64
        } else {
            0.0
        },
        tp as f64 / pos.max(1) as f64,
        tp + fp,
    )
}

/// REFiiNE over some open postings: each résumé against them minus the one it "applied for"
/// (its first relevant posting among all); (has a relevant open posting, top 3 (score,
/// relevant)).
pub fn refine_tops(data: &Data, scores: &Scores, jobs: &[usize]) -> Vec<(bool, Vec<(f32, bool)>)> {
    (0..data.resumes.len())
        .map(|r| {
            let applied = (0..data.jobs.len()).find(|&j| data.rel(j, r, false));
            let open: Vec<usize> = jobs
                .iter()
                .copied()
                .filter(|&j| Some(j) != applied)
                .collect();
            let has = open.iter().any(|&j| data.rel(j, r, false));
            let mut ranked: Vec<(f32, usize)> =
                open.iter().map(|&j| (scores.matrix[j][r], j)).collect();
            ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            (
                has,
                ranked
                    .into_iter()
                    .take(REFINE_K)
                    .map(|(s, j)| (s, data.rel(j, r, false)))
                    .collect(),
            )
        })
        .collect()
}

/// (recall@3 where a relevant posting is open, share correctly suggesting nothing, utility).
pub fn refine_at(tops: &[(bool, Vec<(f32, bool)>)], min: f32) -> (f64, f64, i64) {
    let (mut h, mut hn, mut z, mut zn, mut utility) = (0, 0, 0, 0, 0i64);
    for (has, top) in tops {
        let kept: Vec<&(f32, bool)> = top.iter().filter(|(s, _)| *s >= min && *s > 0.0).collect();
        utility += kept
            .iter()
            .map(|(_, r)| if *r { 1 } else { -1 })
            .sum::<i64>();
        if *has {
            hn += 1;
            h += usize::from(kept.iter().any(|(_, r)| *r));
        } else {
            zn += 1;
            z += usize::from(kept.is_empty());
        }
    }
    (
        h as f64 / f64::from(hn.max(1)),
        z as f64 / f64::from(zn.max(1)),
        utility,
    )
}

// ---------------------------------------------------------------------------------------
// Choosing the tuned numbers on some folds

fn steps(from: f32, to: f32, step: f32) -> impl Iterator<Item = f32> {
    let n = ((to - from) / step).round() as usize;
    (0..=n).map(move |i| from + i as f32 * step)
}

/// ARKiiVE's minimum score: the one whose leads are most often right rather than wrong (the
/// most relevant leads minus irrelevant ones) on these postings.
pub fn choose_arkive_min(data: &Data, scores: &Scores, jobs: &[usize]) -> f32 {
    steps(0.20, 0.80, 0.01)
        .map(|t| (shipped(data, scores, jobs, t).utility, t))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map_or(0.5, |(_, t)| t)
}

/// FiiLTER's threshold: the lowest reaching the precision target on these postings; when
/// none does, the one with the best precision among those advancing at least 10.
pub fn choose_filter_threshold(data: &Data, scores: &Scores, jobs: &[usize]) -> f32 {
    let pairs = filter_pairs(data, scores, jobs);
    let grid: Vec<f32> = steps(0.30, 0.95, 0.005).collect();
    if let Some(t) = grid.iter().copied().find(|&t| {
        let (p, _, n) = precision_recall(&pairs, t);
        n > 0 && p >= FILTER_PRECISION
    }) {
        return t;
    }
    grid.iter()
        .copied()
        .filter(|&t| precision_recall(&pairs, t).2 >= 10)
        .max_by(|a, b| {
            precision_recall(&pairs, *a)
                .0
                .total_cmp(&precision_recall(&pairs, *b).0)
        })
        .unwrap_or(0.65)
}

/// REFiiNE's minimum score: the most right-rather-than-wrong suggestions on these postings.
pub fn choose_refine_min(data: &Data, scores: &Scores, jobs: &[usize]) -> f32 {
    let tops = refine_tops(data, scores, jobs);
    steps(0.20, 0.80, 0.01)
        .map(|t| (refine_at(&tops, t).2, t))
        .max_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)))
        .map_or(0.55, |(_, t)| t)
}

// ---------------------------------------------------------------------------------------
// The protocol

/// One held-out fold's figures.
#[derive(Debug, Clone, Default)]
pub struct FoldResult {
    pub fold: usize,
    pub postings: usize,
    /// Index of the configuration chosen on the other folds.
    pub config: usize,
    pub ranked_p7: f64,
    pub ranked_p7_close: f64,
    pub tfidf_p7: f64,
    pub tfidf_p7_close: f64,
    pub answerable: usize,
    pub arkive_min: f32,
    pub shipped: Shipped,
    pub filter_threshold: f32,
    pub filter_precision: f64,
    pub filter_recall: f64,
    pub filter_advanced: usize,
    pub filter_tp: usize,
    pub refine_min: f32,
    pub refine_recall: f64,
    pub refine_silent: f64,
}

/// Runs the protocol: for each fold, the configuration that serves ARKiiVE and FiiLTER best
/// on the other folds, then the three thresholds chosen there, all measured on the fold.
pub fn cross_validate(
    data: &Data,
    folds: &Folds,
    grid: &[Scores],
    tfidf: &[Vec<usize>],
) -> Vec<FoldResult> {
    (0..folds.k)
        .map(|f| {
            let test: Vec<usize> = (0..data.jobs.len())
                .filter(|&j| folds.of_job[j] == f)
                .collect();
            let train: Vec<usize> = (0..data.jobs.len())
                .filter(|&j| folds.of_job[j] != f)
                .collect();
            let config = choose_config(data, grid, &train);
            let scores = &grid[config];
            let arkive_min = choose_arkive_min(data, scores, &train);
            let filter_threshold = choose_filter_threshold(data, scores, &train);
            let refine_min = choose_refine_min(data, scores, &train);
            let (ranked_p7, answerable) = p_at_k(data, &test, |j| top_of(scores, j), false);
            let pairs = filter_pairs(data, scores, &test);
            let (fp, fr, advanced) = precision_recall(&pairs, filter_threshold);
            let (rr, rs, _) = refine_at(&refine_tops(data, scores, &test), refine_min);
            FoldResult {
                fold: f,
                postings: test.len(),
                config,
                ranked_p7,
                ranked_p7_close: p_at_k(data, &test, |j| top_of(scores, j), true).0,
                tfidf_p7: p_at_k(data, &test, |j| tfidf[j].clone(), false).0,
                tfidf_p7_close: p_at_k(data, &test, |j| tfidf[j].clone(), true).0,
                answerable,
                arkive_min,
                shipped: shipped(data, scores, &test, arkive_min),
                filter_threshold,
                filter_precision: fp,
                filter_recall: fr,
                filter_advanced: advanced,
                filter_tp: (fp * advanced as f64).round() as usize,
                refine_min,
                refine_recall: rr,
                refine_silent: rs,
            }
        })
        .collect()
}

pub fn top_of(scores: &Scores, job: usize) -> Vec<usize> {
    scores.top[job].iter().map(|(r, _)| *r).collect()
}

/// How well a configuration serves ARKiiVE and FiiLTER on some postings: its ranking
/// precision@7 plus FiiLTER's precision at the threshold chosen on the same postings.
fn fitness(data: &Data, scores: &Scores, jobs: &[usize]) -> f64 {
    let ranking = p_at_k(data, jobs, |j| top_of(scores, j), false).0;
    let th = choose_filter_threshold(data, scores, jobs);
    ranking + precision_recall(&filter_pairs(data, scores, jobs), th).0
}

/// The configuration with the best fitness on some postings; ties to the earlier one (the
/// first is the shipped one).
fn choose_config(data: &Data, grid: &[Scores], jobs: &[usize]) -> usize {
    let fit: Vec<f64> = grid.iter().map(|s| fitness(data, s, jobs)).collect();
    (0..grid.len())
        .max_by(|&a, &b| fit[a].total_cmp(&fit[b]).then(b.cmp(&a)))
        .unwrap_or(0)
}

/// What the protocol chooses on all the data: the numbers that ship.
pub fn choose_on_all(data: &Data, grid: &[Scores]) -> (usize, f32, f32, f32) {
    let all: Vec<usize> = (0..data.jobs.len()).collect();
    let config = choose_config(data, grid, &all);
    let s = &grid[config];
    (
        config,
        choose_arkive_min(data, s, &all),
        choose_filter_threshold(data, s, &all),
        choose_refine_min(data, s, &all),
    )
}

/// Mean and sample standard deviation.
pub fn mean_sd(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.into_iter().collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// FiiLTER's near-miss pairs (a side line, never a target): each résumé of a near-miss
/// category used as a posting against résumés of its own category (relevant) and of its
/// near-miss category; its own résumé neither scored nor feeding the query's expansion.
pub fn near_miss_pairs(data: &Data, profiles: &[Profile], config: MatchConfig) -> Vec<(f32, bool)> {
    let near_miss = [
        ("Testing", "Automation Testing"),
        ("Java Developer", "DotNet Developer"),
        ("Python Developer", "Data Science"),
        ("Hadoop", "ETL Developer"),
        ("DevOps Engineer", "Network Security Engineer"),
        ("Database", "ETL Developer"),
    ];
    let index = CandidateIndex::build(profiles.to_vec(), config);
    let mut pairs = Vec::new();
    for (ri, r) in data.resumes.iter().enumerate() {
        for (x, y) in near_miss.iter().flat_map(|(a, b)| [(a, b), (b, a)]) {
            if r.category != **x {
                continue;
            }
            let posting = Profile::from_posting(&PostingDoc {
                id: format!("as-posting-{ri}"),
                description: r.text.clone(),
                ..PostingDoc::default()
            });
            let q = index.query_without(&posting, &profiles[ri].id);
            for (ci, c) in data.resumes.iter().enumerate() {
                if ci != ri && (c.category == **x || c.category == **y) {
                    pairs.push((index.score(&profiles[ci], &q).score, c.category == **x));
                }
            }
        }
    }
    pairs
}
