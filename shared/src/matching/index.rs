//! The candidate index and the three passes: ARKiiVE (top-k candidates for a posting),
//! FiiLTER (match / no match for one application) and REFiiNE (best other postings for a
//! candidate).
//!
//! Score = `W_SKILL` × skill coverage + `W_TEXT` × BM25 text coverage + `W_ROLE` × role
//! overlap, each part in [0, 1]:
//! - skill coverage: posting skills weighted by posting field weight and pool IDF, each
//!   credited by the candidate's saturated mention count;
//! - text coverage: BM25 (k1 = 1.2, b = 0.75) over the posting's heaviest stems, divided by
//!   its maximum, so the score is the share of the posting's weighted vocabulary covered;
//! - role overlap: histogram intersection of O*NET minor groups (posting title vs candidate
//!   titles).
//!
//! Results never depend on hash-map iteration order: maps are used for look-ups only, and
//! ties are broken by id.

use std::cmp::Ordering;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::profile::Profile;

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// Query-side saturation of the posting's field-weighted counts.
const K3: f32 = 1.5;
/// Most posting stems used as the text query.
const MAX_QUERY_TERMS: usize = 24;
/// Candidate mentions at which a skill counts half.
const SKILL_HALF: f32 = 0.5;

/// Weights of the three parts and the pass thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchConfig {
    pub w_skill: f32,
    pub w_text: f32,
    pub w_role: f32,
    /// ARKiiVE: how many candidates at most.
    pub top_k: usize,
    /// ARKiiVE: minimum score to suggest a candidate.
    pub arkive_min_score: f32,
    /// FiiLTER: minimum score to advance an application.
    pub filter_threshold: f32,
    /// REFiiNE: minimum score to suggest another posting.
    pub refine_min_score: f32,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            w_skill: 0.10,
            w_text: 0.70,
            w_role: 0.20,
            top_k: 7,
            arkive_min_score: 0.25,
            filter_threshold: 0.40,
            refine_min_score: 0.35,
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
    /// Total in [0, 1]: `skill_points + text_points + role_points`.
    pub score: f32,
    pub skill_points: f32,
    pub text_points: f32,
    pub role_points: f32,
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
}

/// Postings of one key: (candidate slot, value), sorted by slot.
type Postings = Vec<(u32, f32)>;

#[derive(Debug, Default)]
struct Field {
    slots: HashMap<String, u32>,
    postings: Vec<Postings>,
}

impl Field {
    fn add(&mut self, key: &str, candidate: u32, value: f32) {
        let slot = match self.slots.get(key) {
            Some(&s) => s,
            None => {
                let s = self.postings.len() as u32;
                self.slots.insert(key.to_string(), s);
                self.postings.push(Vec::new());
                s
            }
        };
        self.postings[slot as usize].push((candidate, value));
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
            for (t, w) in &profile.terms {
                index.terms.add(t, slot, *w);
            }
            for (s, w) in &profile.skills {
                index.skills.add(s, slot, *w);
            }
            for (r, w) in &profile.roles {
                index.roles.add(r, slot, *w);
            }
            index.lengths.push(profile.length);
            index.ids.push(profile.id);
        }
        let n = index.lengths.len().max(1) as f32;
        index.avg_length = index.lengths.iter().sum::<f32>() / n;
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

    /// Compiles a posting profile against this pool (IDF from the pool).
    pub fn query(&self, posting: &Profile) -> Query {
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
        let roles = posting
            .roles
            .iter()
            .map(|(r, w)| QItem {
                key: r.clone(),
                slot: self.roles.df(r).0,
                weight: *w,
            })
            .collect();
        let c = &self.config;
        Query {
            posting_id: posting.id.clone(),
            terms: normalise(terms, c.w_text),
            skills: normalise(skills, c.w_skill),
            roles: normalise(roles, c.w_role),
        }
    }

    /// ARKiiVE: the best `config.top_k` candidates scoring at least `config.arkive_min_score`,
    /// best first, ties by candidate id.
    pub fn top_candidates(&self, query: &Query) -> Vec<Explanation> {
        self.top_candidates_with(query, self.config.top_k, self.config.arkive_min_score)
    }

    /// ARKiiVE with an explicit `k` and minimum score.
    pub fn top_candidates_with(&self, query: &Query, k: usize, min_score: f32) -> Vec<Explanation> {
        let mut acc = vec![0.0f32; self.len()];
        for q in &query.terms {
            let Some(slot) = q.slot else { continue };
            for &(c, tf) in &self.terms.postings[slot as usize] {
                acc[c as usize] +=
                    q.weight * bm25_sat(tf, self.lengths[c as usize], self.avg_length);
            }
        }
        for q in &query.skills {
            let Some(slot) = q.slot else { continue };
            for &(c, m) in &self.skills.postings[slot as usize] {
                acc[c as usize] += q.weight * skill_sat(m);
            }
        }
        for q in &query.roles {
            let Some(slot) = q.slot else { continue };
            for &(c, share) in &self.roles.postings[slot as usize] {
                acc[c as usize] += q.weight.min(share * self.config.w_role);
            }
        }
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
        hits.into_iter()
            .map(|(_, c)| self.explain_slot(c, query))
            .collect()
    }

    fn explain_slot(&self, c: u32, query: &Query) -> Explanation {
        let length = self.lengths[c as usize];
        explain(
            &self.ids[c as usize],
            query,
            |q| {
                self.terms
                    .value(q.slot, c)
                    .map(|tf| bm25_sat(tf, length, self.avg_length))
            },
            |q| self.skills.value(q.slot, c).map(skill_sat),
            |q| self.roles.value(q.slot, c),
            self.config.w_role,
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
            |q| candidate.role(&q.key),
            self.config.w_role,
        )
    }

    /// FiiLTER: advance the application when its score reaches `config.filter_threshold`.
    pub fn decide(&self, candidate: &Profile, query: &Query) -> Decision {
        let explanation = self.score(candidate, query);
        let threshold = self.config.filter_threshold;
        Decision {
            advance: explanation.score >= threshold,
            threshold,
            explanation,
        }
    }

    /// REFiiNE: the best `k` of `postings` for a candidate, other than `exclude` (the posting
    /// applied for), scoring at least `config.refine_min_score`; empty when none fits.
    pub fn best_postings(
        &self,
        candidate: &Profile,
        postings: &[Query],
        exclude: Option<&str>,
        k: usize,
    ) -> Vec<Explanation> {
        let min = self.config.refine_min_score;
        let mut scored: Vec<Explanation> = postings
            .iter()
            .filter(|q| Some(q.posting_id.as_str()) != exclude)
            .map(|q| self.score(candidate, q))
            .filter(|e| e.score >= min && e.score > 0.0)
            .collect();
        scored.sort_by(|a, b| by_score_then_id((a.score, &a.posting_id), (b.score, &b.posting_id)));
        scored.truncate(k);
        scored
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
    w_role: f32,
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
            let p = q.weight.min(share * w_role);
            score += p;
            role_points += p;
            matched_roles.push(Contribution {
                name: q.key.clone(),
                points: p,
            });
        }
    }
    let by_points = |a: &Contribution, b: &Contribution| {
        by_score_then_id((a.points, &a.name), (b.points, &b.name))
    };
    matched_terms.sort_by(by_points);
    matched_terms.truncate(10);
    matched_skills.sort_by(by_points);
    matched_roles.sort_by(by_points);
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
        matched_skills,
        missing_skills: names(missing_skills, usize::MAX),
        matched_terms,
        missing_terms: names(missing_terms, 10),
        matched_roles,
    }
}
