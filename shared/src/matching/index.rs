//! The candidate index and the three passes: ARKiiVE (top-k candidates for a posting),
//! FiiLTER (match / no match for one application) and REFiiNE (best other postings for a
//! candidate).
//!
//! Score = `w_skill` × skill coverage + `w_text` × BM25 text coverage + `w_role` × role
//! overlap + `w_occ` × occupation overlap, each part in [0, 1]:
//! - skill coverage: posting skills weighted by posting field weight and pool IDF, each
//!   credited by the candidate's saturated mention count;
//! - text coverage: BM25 (k1 = 1.2, b = 0.75) over the posting's heaviest stems, divided by
//!   its maximum, so the score is the share of the posting's weighted vocabulary covered;
//! - role overlap: cosine of the O*NET minor-group shares (from the job titles found and the
//!   occupations inferred);
//! - occupation overlap: cosine of the shares of the O*NET occupations both profiles
//!   resemble (see [`super::occupations`]).
//!
//! Results never depend on hash-map iteration order: maps are used for look-ups only, and
//! ties are broken by id.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::occupations::occupation_title;
use super::profile::{Profile, mix};

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Query-side saturation of the posting's field-weighted counts.
const K3: f32 = 1.5;
/// Most posting stems used as the text query.
const MAX_QUERY_TERMS: usize = 40;
/// Most stems pseudo-relevance feedback adds to a query.
const FEEDBACK_TERMS: usize = 20;
/// Candidate mentions at which a skill counts half.
const SKILL_HALF: f32 = 0.5;

/// Weights of the three parts and the pass thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchConfig {
    pub w_skill: f32,
    pub w_text: f32,
    pub w_role: f32,
    pub w_occ: f32,
    /// ARKiiVE: how many candidates at most.
    pub top_k: usize,
    /// ARKiiVE: minimum score to suggest a candidate.
    pub arkive_min_score: f32,
    /// FiiLTER: minimum score to advance an application.
    pub filter_threshold: f32,
    /// REFiiNE: minimum score to suggest another posting.
    pub refine_min_score: f32,
    /// Pseudo-relevance feedback: how many of a posting's best candidates lend their roles
    /// and occupations to the compiled query (0 turns it off).
    pub feedback_docs: usize,
    /// Share of the compiled query's roles and occupations that comes from that feedback.
    pub feedback_share: f32,
    /// Only candidates scoring at least this against the posting alone lend feedback, so a
    /// pool with nobody relevant leaves the query as it was (and yields no suggestion).
    pub feedback_min_score: f32,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            w_skill: 0.05,
            w_text: 0.40,
            w_role: 0.275,
            w_occ: 0.275,
            top_k: 7,
            // Chosen by the held-out protocol of the matching benchmark on all its data
            // (docs/matching.md): ARKiiVE's and REFiiNE's where a suggestion is more often
            // right than wrong, FiiLTER's the lowest reaching precision 0.9.
            arkive_min_score: 0.64,
            filter_threshold: 0.59,
            refine_min_score: 0.64,
            feedback_docs: 5,
            feedback_share: 0.5,
            feedback_min_score: 0.20,
        }
    }
}

/// One matched item and the part of the score it brought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub name: String,
    pub points: f32,
}

/// A score that explains itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub candidate_id: String,
    pub posting_id: String,
    /// Total in [0, 1]: `skill_points + text_points + role_points + occupation_points`.
    pub score: f32,
    pub skill_points: f32,
    pub text_points: f32,
    pub role_points: f32,
    pub occupation_points: f32,

    /// Posting skills the candidate has, heaviest first.
    pub matched_skills: Vec<Contribution>,
    /// Posting skills the candidate lacks, heaviest first.
    pub missing_skills: Vec<String>,
    /// Posting stems the candidate has, heaviest contribution first (at most 10).
    pub matched_terms: Vec<Contribution>,
    /// Heaviest posting stems the candidate lacks (at most 10).
    pub missing_terms: Vec<String>,
    /// O*NET minor groups shared.
    pub matched_roles: Vec<Contribution>,
    /// O*NET occupations shared ("15-1252.00 Software Developers").
    pub matched_occupations: Vec<Contribution>,
}

/// A FiiLTER decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub advance: bool,
    pub threshold: f32,
    pub explanation: Explanation,
}

#[derive(Debug, Clone)]
struct QItem {
    key: String,
    slot: Option<u32>,
    /// Normalised so the items of one part sum to 1, then multiplied by the part weight.
    weight: f32,
}

/// A posting compiled against a pool's statistics.
#[derive(Debug, Clone)]
pub struct Query {
    pub posting_id: String,
    terms: Vec<QItem>,
    skills: Vec<QItem>,
    roles: Vec<QItem>,
    occupations: Vec<QItem>,
    /// The candidates whose profiles lent this query their feedback.
    lenders: Vec<String>,
}

impl Query {
    /// Whether this candidate's own profile widened the query (pseudo-relevance feedback):
    /// then it is judged against [`CandidateIndex::query_without`] instead.
    pub fn lent_by(&self, candidate_id: &str) -> bool {
        self.lenders.iter().any(|l| l == candidate_id)
    }
}

/// Postings of one key: (candidate slot, value), sorted by slot. Term and skill values are
/// saturated (BM25, mentions) once the index is built.
type Postings = Vec<(u32, f32)>;

#[derive(Debug, Default)]
struct Field {
    slots: HashMap<String, u32>,
    keys: Vec<String>,
    postings: Vec<Postings>,
}

impl Field {
    /// Adds a posting and returns the key's slot.
    fn add(&mut self, key: &str, candidate: u32, value: f32) -> u32 {
        let slot = match self.slots.get(key) {
            Some(&s) => s,
            None => {
                let s = self.postings.len() as u32;
                self.slots.insert(key.to_string(), s);
                self.keys.push(key.to_string());
                self.postings.push(Vec::new());
                s
            }
        };
        self.postings[slot as usize].push((candidate, value));
        slot
    }

    fn df(&self, key: &str) -> (Option<u32>, usize) {
        match self.slots.get(key) {
            Some(&s) => (Some(s), self.postings[s as usize].len()),
            None => (None, 0),
        }
    }

    fn value(&self, slot: Option<u32>, candidate: u32) -> Option<f32> {
        let list = &self.postings[slot? as usize];
        list.binary_search_by(|(c, _)| c.cmp(&candidate))
            .ok()
            .map(|i| list[i].1)
    }
}

/// An inverted index over candidate profiles (term → postings of (candidate, weight)).
#[derive(Debug, Default)]
pub struct CandidateIndex {
    config: MatchConfig,
    ids: Vec<String>,
    lengths: Vec<f32>,
    avg_length: f32,
    terms: Field,
    skills: Field,
    roles: Field,
    occupations: Field,
    /// Per candidate: (role slot, share) and (occupation slot, share), for feedback.
    candidate_roles: Vec<Vec<(u32, f32)>>,
    candidate_occupations: Vec<Vec<(u32, f32)>>,
    /// Per candidate: (term slot, weight), for feedback.
    candidate_terms: Vec<Vec<(u32, f32)>>,
}

fn idf(n: usize, df: usize) -> f32 {
    let (n, df) = (n as f32, df as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
}

fn bm25_sat(tf: f32, length: f32, avg_length: f32) -> f32 {
    let norm = 1.0 - B + B * length / avg_length.max(1e-6);
    tf / (tf + K1 * norm)
}

fn skill_sat(mentions: f32) -> f32 {
    mentions / (mentions + SKILL_HALF)
}

fn by_score_then_id(a: (f32, &str), b: (f32, &str)) -> Ordering {
    b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1))
}

/// Normalises item weights to sum to `part` (an empty part stays empty).
fn normalise(mut items: Vec<QItem>, part: f32) -> Vec<QItem> {
    let total: f32 = items.iter().map(|q| q.weight).sum();
    if total > 0.0 {
        for q in &mut items {
            q.weight = q.weight / total * part;
        }
    }
    items
}

/// Euclidean length of a list of shares (1 for an empty list, to divide by).
fn l2(list: &[(String, f32)]) -> f32 {
    let norm = list.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 { norm } else { 1.0 }
}

/// Scales item weights to unit length times `part`, so the part is a cosine.
fn normalise_l2(mut items: Vec<QItem>, part: f32) -> Vec<QItem> {
    let norm = items
        .iter()
        .map(|q| q.weight * q.weight)
        .sum::<f32>()
        .sqrt();
    if norm > 0.0 {
        for q in &mut items {
            q.weight = q.weight / norm * part;
        }
    }
    items
}

impl CandidateIndex {
    /// Builds the index. Profiles are consumed one at a time, so a caller can stream them
    /// (only the postings are kept, not the profiles).
    pub fn build(profiles: impl IntoIterator<Item = Profile>, config: MatchConfig) -> Self {
        let mut index = CandidateIndex {
            config,
            ..Self::default()
        };
        // Slots follow insertion order; results never depend on it (ties go by id).
        for profile in profiles {
            let slot = index.ids.len() as u32;
            let terms = profile
                .terms
                .iter()
                .map(|(t, w)| (index.terms.add(t, slot, *w), *w))
                .collect();
            index.candidate_terms.push(terms);
            for (s, w) in &profile.skills {
                index.skills.add(s, slot, *w);
            }
            // Roles and occupations are stored at unit length: their part is a cosine.
            let norm = l2(&profile.roles);
            let roles = profile
                .roles
                .iter()
                .map(|(r, w)| (index.roles.add(r, slot, w / norm), *w))
                .collect();
            index.candidate_roles.push(roles);
            let norm = l2(&profile.occupations);
            let occupations = profile
                .occupations
                .iter()
                .map(|(o, w)| (index.occupations.add(o, slot, w / norm), *w))
                .collect();
            index.candidate_occupations.push(occupations);
            index.lengths.push(profile.length);
            index.ids.push(profile.id);
        }
        let n = index.lengths.len().max(1) as f32;
        index.avg_length = index.lengths.iter().sum::<f32>() / n;
        // Postings hold the saturated values from here on, so a query only multiplies and
        // adds (the same function the profile path uses, on the same inputs).
        for list in &mut index.terms.postings {
            for (c, v) in list.iter_mut() {
                *v = bm25_sat(*v, index.lengths[*c as usize], index.avg_length);
            }
        }
        for list in &mut index.skills.postings {
            for (_, v) in list.iter_mut() {
                *v = skill_sat(*v);
            }
        }
        index
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn config(&self) -> &MatchConfig {
        &self.config
    }

    /// Compiles a posting profile against this pool (IDF from the pool), then, with
    /// `config.feedback_docs` > 0, widens its roles and occupations with those of its best
    /// candidates (pseudo-relevance feedback): a "Recruiter" posting whose best matches are
    /// HR generalists also looks for what those HR generalists share. The compiled query is
    /// what every score explains itself against.
    pub fn query(&self, posting: &Profile) -> Query {
        self.compile_with_feedback(posting, None)
    }

    /// The posting compiled with no feedback from one candidate: what that candidate is
    /// judged against, so a profile never lifts its own score by widening the query.
    pub fn query_without(&self, posting: &Profile, candidate_id: &str) -> Query {
        self.compile_with_feedback(posting, Some(candidate_id))
    }

    /// FiiLTER's score: the candidate against the posting's query, or against the query
    /// compiled without their feedback when they lent it.
    pub fn judge(&self, candidate: &Profile, posting: &Profile, query: &Query) -> Explanation {
        if query.lent_by(&candidate.id) {
            self.score(candidate, &self.query_without(posting, &candidate.id))
        } else {
            self.score(candidate, query)
        }
    }

    fn compile_with_feedback(&self, posting: &Profile, exclude: Option<&str>) -> Query {
        let base = self.compile(posting, &posting.roles, &posting.occupations);
        let m = self.config.feedback_docs;
        let share = self.config.feedback_share;
        if m == 0 || share <= 0.0 || self.is_empty() {
            return base;
        }
        let mut acc = self.accumulate(&base);
        if let Some(id) = exclude {
            for (slot, _) in self.ids.iter().enumerate().filter(|(_, i)| *i == id) {
                acc[slot] = 0.0;
            }
        }
        let top = self.top_slots(&acc, m, self.config.feedback_min_score);
        if top.is_empty() {
            return base;
        }
        let mean = |field: &Field, per: &[Vec<(u32, f32)>]| {
            let mut sum: std::collections::BTreeMap<&str, f32> = Default::default();
            for &(_, c) in &top {
                for &(slot, w) in &per[c as usize] {
                    *sum.entry(field.keys[slot as usize].as_str()).or_default() +=
                        w / top.len() as f32;
                }
            }
            sum.into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<Vec<_>>()
        };
        let roles = mix(
            &posting.roles,
            &mean(&self.roles, &self.candidate_roles),
            share,
            usize::MAX,
        );
        let occupations = mix(
            &posting.occupations,
            &mean(&self.occupations, &self.candidate_occupations),
            share,
            usize::MAX,
        );
        let mut query = self.compile(posting, &roles, &occupations);
        // Terms: the posting's own (1 - share) and the feedback candidates' most
        // characteristic stems (share), by mean BM25 saturation x IDF.
        let n = self.len();
        let mut fb: HashMap<u32, f32> = HashMap::new();
        for &(_, c) in &top {
            let length = self.lengths[c as usize];
            for &(slot, tf) in &self.candidate_terms[c as usize] {
                let df = self.terms.postings[slot as usize].len();
                *fb.entry(slot).or_default() +=
                    bm25_sat(tf, length, self.avg_length) * idf(n, df) / top.len() as f32;
            }
        }
        let mut fb: Vec<QItem> = fb
            .into_iter()
            .map(|(slot, weight)| QItem {
                key: self.terms.keys[slot as usize].clone(),
                slot: Some(slot),
                weight,
            })
            .collect();
        fb.sort_by(|a, b| by_score_then_id((a.weight, &a.key), (b.weight, &b.key)));
        fb.truncate(FEEDBACK_TERMS);
        let fb = normalise(fb, share * self.config.w_text);
        let mut terms = normalise(std::mem::take(&mut query.terms), 1.0 - share);
        for q in &mut terms {
            q.weight *= self.config.w_text;
        }
        for item in fb {
            match terms.iter_mut().find(|q| q.key == item.key) {
                Some(q) => q.weight += item.weight,
                None => terms.push(item),
            }
        }
        terms.sort_by(|a, b| by_score_then_id((a.weight, &a.key), (b.weight, &b.key)));
        query.terms = terms;
        query.lenders = top
            .iter()
            .map(|&(_, c)| self.ids[c as usize].clone())
            .collect();
        query
    }

    fn compile(
        &self,
        posting: &Profile,
        roles: &[(String, f32)],
        occupations: &[(String, f32)],
    ) -> Query {
        let n = self.len();
        let mut terms: Vec<QItem> = posting
            .terms
            .iter()
            .filter_map(|(t, w)| {
                let (slot, df) = self.terms.df(t);
                // A stem no candidate uses cannot rank anyone.
                slot?;
                let qtf = w * (K3 + 1.0) / (w + K3);
                Some(QItem {
                    key: t.clone(),
                    slot,
                    weight: qtf * idf(n, df),
                })
            })
            .collect();
        terms.sort_by(|a, b| by_score_then_id((a.weight, &a.key), (b.weight, &b.key)));
        terms.truncate(MAX_QUERY_TERMS);
        let skills = posting
            .skills
            .iter()
            .map(|(s, w)| {
                let (slot, df) = self.skills.df(s);
                let qtf = w * (K3 + 1.0) / (w + K3);
                QItem {
                    key: s.clone(),
                    slot,
                    weight: qtf * idf(n, df),
                }
            })
            .collect();
        let roles = roles
            .iter()
            .map(|(r, w)| QItem {
                key: r.clone(),
                slot: self.roles.df(r).0,
                weight: *w,
            })
            .collect();
        let occupations = occupations
            .iter()
            .map(|(o, w)| QItem {
                key: o.clone(),
                slot: self.occupations.df(o).0,
                weight: *w,
            })
            .collect();
        let c = &self.config;
        Query {
            posting_id: posting.id.clone(),
            terms: normalise(terms, c.w_text),
            skills: normalise(skills, c.w_skill),
            roles: normalise_l2(roles, c.w_role),
            occupations: normalise_l2(occupations, c.w_occ),
            lenders: Vec::new(),
        }
    }

    /// ARKiiVE: the best `config.top_k` candidates scoring at least `config.arkive_min_score`,
    /// best first, ties by candidate id.
    pub fn top_candidates(&self, query: &Query) -> Vec<Explanation> {
        self.top_candidates_with(query, self.config.top_k, self.config.arkive_min_score)
    }

    /// ARKiiVE with an explicit `k` and minimum score.
    pub fn top_candidates_with(&self, query: &Query, k: usize, min_score: f32) -> Vec<Explanation> {
        let acc = self.accumulate(query);
        self.top_slots(&acc, k, min_score)
            .into_iter()
            .map(|(_, c)| self.explain_slot(c, query))
            .collect()
    }

    /// Every candidate's score for a query, in the order the pool was built: what ARKiiVE
    /// ranks by, without explanations.
    pub fn scores(&self, query: &Query) -> Vec<f32> {
        self.accumulate(query)
    }

    /// Every candidate's score for a query, by walking the query's postings lists.
    fn accumulate(&self, query: &Query) -> Vec<f32> {
        let mut acc = vec![0.0f32; self.len()];
        for q in &query.terms {
            let Some(slot) = q.slot else { continue };
            for &(c, sat) in &self.terms.postings[slot as usize] {
                acc[c as usize] += q.weight * sat;
            }
        }
        for q in &query.skills {
            let Some(slot) = q.slot else { continue };
            for &(c, sat) in &self.skills.postings[slot as usize] {
                acc[c as usize] += q.weight * sat;
            }
        }
        for q in &query.roles {
            let Some(slot) = q.slot else { continue };
            for &(c, share) in &self.roles.postings[slot as usize] {
                acc[c as usize] += q.weight * share;
            }
        }
        for q in &query.occupations {
            let Some(slot) = q.slot else { continue };
            for &(c, share) in &self.occupations.postings[slot as usize] {
                acc[c as usize] += q.weight * share;
            }
        }
        acc
    }

    /// The best `k` (score, slot) pairs scoring at least `min_score`, best first, ties by id.
    fn top_slots(&self, acc: &[f32], k: usize, min_score: f32) -> Vec<(f32, u32)> {
        let mut hits: Vec<(f32, u32)> = acc
            .iter()
            .enumerate()
            .filter(|(_, s)| **s >= min_score && **s > 0.0)
            .map(|(c, s)| (*s, c as u32))
            .collect();
        let cmp = |a: &(f32, u32), b: &(f32, u32)| {
            by_score_then_id(
                (a.0, &self.ids[a.1 as usize]),
                (b.0, &self.ids[b.1 as usize]),
            )
        };
        if hits.len() > k && k > 0 {
            hits.select_nth_unstable_by(k - 1, cmp);
        }
        hits.truncate(k);
        hits.sort_by(cmp);
        hits
    }

    fn explain_slot(&self, c: u32, query: &Query) -> Explanation {
        explain(
            &self.ids[c as usize],
            query,
            |q| self.terms.value(q.slot, c),
            |q| self.skills.value(q.slot, c),
            |q| self.roles.value(q.slot, c),
            |q| self.occupations.value(q.slot, c),
        )
    }

    /// Scores a candidate profile (in the pool or not) against a compiled posting.
    pub fn score(&self, candidate: &Profile, query: &Query) -> Explanation {
        explain(
            &candidate.id,
            query,
            |q| {
                candidate
                    .term(&q.key)
                    .map(|tf| bm25_sat(tf, candidate.length, self.avg_length))
            },
            |q| candidate.skill(&q.key).map(skill_sat),
            |q| candidate.role(&q.key).map(|s| s / l2(&candidate.roles)),
            |q| {
                candidate
                    .occupation(&q.key)
                    .map(|s| s / l2(&candidate.occupations))
            },
        )
    }

    /// FiiLTER: advance the application when its score ([`Self::judge`]) reaches
    /// `config.filter_threshold`.
    pub fn decide(&self, candidate: &Profile, posting: &Profile, query: &Query) -> Decision {
        let explanation = self.judge(candidate, posting, query);
        let threshold = self.config.filter_threshold;
        Decision {
            advance: explanation.score >= threshold,
            threshold,
            explanation,
        }
    }

    /// Compiles the open postings for REFiiNE: an inverted map from each stem, skill, role
    /// and occupation to the postings that ask for it, so one candidate is scored against
    /// all of them by walking its own (short) profile once.
    pub fn open_postings(&self, queries: Vec<Query>) -> OpenPostings {
        let mut open = OpenPostings::default();
        for (p, q) in queries.iter().enumerate() {
            let p = p as u32;
            for (part, items) in [
                (&mut open.terms, &q.terms),
                (&mut open.skills, &q.skills),
                (&mut open.roles, &q.roles),
                (&mut open.occupations, &q.occupations),
            ] {
                for item in items {
                    part.entry(item.key.clone())
                        .or_default()
                        .push((p, item.weight));
                }
            }
        }
        open.queries = queries;
        open
    }

    /// REFiiNE: the best `k` open postings for a candidate, other than `exclude` (the posting
    /// applied for), scoring at least `config.refine_min_score`; empty when none fits.
    pub fn best_postings(
        &self,
        candidate: &Profile,
        open: &OpenPostings,
        exclude: Option<&str>,
        k: usize,
    ) -> Vec<Explanation> {
        let min = self.config.refine_min_score;
        let mut acc = vec![0.0f32; open.queries.len()];
        for (t, tf) in &candidate.terms {
            if let Some(list) = open.terms.get(t) {
                let sat = bm25_sat(*tf, candidate.length, self.avg_length);
                for &(p, w) in list {
                    acc[p as usize] += w * sat;
                }
            }
        }
        for (s, m) in &candidate.skills {
            if let Some(list) = open.skills.get(s) {
                let sat = skill_sat(*m);
                for &(p, w) in list {
                    acc[p as usize] += w * sat;
                }
            }
        }
        for (parts, mine) in [
            (&open.roles, &candidate.roles),
            (&open.occupations, &candidate.occupations),
        ] {
            let norm = l2(mine);
            for (key, share) in mine {
                if let Some(list) = parts.get(key) {
                    let share = share / norm;
                    for &(p, w) in list {
                        acc[p as usize] += w * share;
                    }
                }
            }
        }
        // Candidates for the top k by the fast sum; the reported score is the explained one.
        let mut hits: Vec<(f32, usize)> = acc
            .iter()
            .enumerate()
            .filter(|(p, s)| {
                **s > 0.0
                    && **s >= min - 1e-4
                    && Some(open.queries[*p].posting_id.as_str()) != exclude
            })
            .map(|(p, s)| (*s, p))
            .collect();
        let cmp = |a: &(f32, usize), b: &(f32, usize)| {
            by_score_then_id(
                (a.0, &open.queries[a.1].posting_id),
                (b.0, &open.queries[b.1].posting_id),
            )
        };
        let keep = (k + 2).min(hits.len());
        if hits.len() > keep && keep > 0 {
            hits.select_nth_unstable_by(keep - 1, cmp);
        }
        hits.truncate(keep);
        let mut scored: Vec<Explanation> = hits
            .into_iter()
            .map(|(_, p)| self.score(candidate, &open.queries[p]))
            .filter(|e| e.score >= min && e.score > 0.0)
            .collect();
        scored.sort_by(|a, b| by_score_then_id((a.score, &a.posting_id), (b.score, &b.posting_id)));
        scored.truncate(k);
        scored
    }
}

/// Open postings compiled for REFiiNE (see [`CandidateIndex::open_postings`]).
#[derive(Debug, Default)]
pub struct OpenPostings {
    queries: Vec<Query>,
    terms: HashMap<String, Vec<(u32, f32)>>,
    skills: HashMap<String, Vec<(u32, f32)>>,
    roles: HashMap<String, Vec<(u32, f32)>>,
    occupations: HashMap<String, Vec<(u32, f32)>>,
}

impl OpenPostings {
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    pub fn queries(&self) -> &[Query] {
        &self.queries
    }
}

/// Scores one candidate against a query through look-up closures (each returns the
/// candidate's saturated value for a query item), in query order, so the index path and the
/// profile path add the same numbers in the same order.
fn explain(
    candidate_id: &str,
    query: &Query,
    term: impl Fn(&QItem) -> Option<f32>,
    skill: impl Fn(&QItem) -> Option<f32>,
    role: impl Fn(&QItem) -> Option<f32>,
    occupation: impl Fn(&QItem) -> Option<f32>,
) -> Explanation {
    let mut score = 0.0f32;
    let (mut text_points, mut skill_points, mut role_points) = (0.0f32, 0.0f32, 0.0f32);
    let mut matched_terms = Vec::new();
    let mut missing_terms = Vec::new();
    for q in &query.terms {
        match term(q) {
            Some(sat) => {
                let p = q.weight * sat;
                score += p;
                text_points += p;
                matched_terms.push(Contribution {
                    name: q.key.clone(),
                    points: p,
                });
            }
            None => missing_terms.push((q.weight, q.key.clone())),
        }
    }
    let mut matched_skills = Vec::new();
    let mut missing_skills = Vec::new();
    for q in &query.skills {
        match skill(q) {
            Some(sat) => {
                let p = q.weight * sat;
                score += p;
                skill_points += p;
                matched_skills.push(Contribution {
                    name: q.key.clone(),
                    points: p,
                });
            }
            None => missing_skills.push((q.weight, q.key.clone())),
        }
    }
    let mut matched_roles = Vec::new();
    for q in &query.roles {
        if let Some(share) = role(q) {
            let p = q.weight * share;
            score += p;
            role_points += p;
            matched_roles.push(Contribution {
                name: q.key.clone(),
                points: p,
            });
        }
    }
    let mut occupation_points = 0.0f32;
    let mut matched_occupations = Vec::new();
    for q in &query.occupations {
        if let Some(share) = occupation(q) {
            let p = q.weight * share;
            score += p;
            occupation_points += p;
            let name = match occupation_title(&q.key) {
                Some(title) => format!("{} {title}", q.key),
                None => q.key.clone(),
            };
            matched_occupations.push(Contribution { name, points: p });
        }
    }
    let by_points = |a: &Contribution, b: &Contribution| {
        by_score_then_id((a.points, &a.name), (b.points, &b.name))
    };
    matched_terms.sort_by(by_points);
    matched_terms.truncate(10);
    matched_skills.sort_by(by_points);
    matched_roles.sort_by(by_points);
    matched_occupations.sort_by(by_points);
    let names = |mut v: Vec<(f32, String)>, cap: usize| {
        v.sort_by(|a, b| by_score_then_id((a.0, &a.1), (b.0, &b.1)));
        v.into_iter().take(cap).map(|(_, k)| k).collect::<Vec<_>>()
    };
    Explanation {
        candidate_id: candidate_id.to_string(),
        posting_id: query.posting_id.clone(),
        score,
        skill_points,
        text_points,
        role_points,
        occupation_points,
        matched_skills,
        missing_skills: names(missing_skills, usize::MAX),
        matched_terms,
        missing_terms: names(missing_terms, 10),
        matched_roles,
        matched_occupations,
    }
}
