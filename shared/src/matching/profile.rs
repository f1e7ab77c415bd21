//! Candidate and posting profiles: what Lever gives us, normalised into weighted stems,
//! canonical skills, O*NET role groups and O*NET occupations, small enough to store one per
//! candidate (about 1.2 KB of JSON for a typical résumé, 2.1 KB at most on the benchmark's).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::occupations::{MAX_OCCUPATIONS, infer_occupations};
use super::skills::find_skills;
use super::text::{strip_html, tokenize};
use super::titles::find_titles;

/// Most stems kept per candidate profile (the heaviest; ties by stem).
pub const MAX_PROFILE_TERMS: usize = 40;
/// Most title mentions kept for explanations.
const MAX_TITLES: usize = 8;

/// A normalised, storable profile of a candidate or a posting. Every list is sorted by its
/// key so profiles serialise identically and can be binary-searched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Lever id of the candidate (opportunity) or posting.
    pub id: String,
    /// Stem → field-weighted count.
    #[serde(rename = "t")]
    pub terms: Vec<(String, f32)>,
    /// Canonical skill → field-weighted mentions.
    #[serde(rename = "s")]
    pub skills: Vec<(String, f32)>,
    /// O*NET SOC minor group ("15-12") → share (sums to 1 when any): half from the job
    /// titles found (O*NET titles), half from the minor groups of `occupations`.
    #[serde(rename = "r")]
    pub roles: Vec<(String, f32)>,
    /// O*NET-SOC occupation ("15-1252.00") → share of resemblance (at most six, summing to 1
    /// when any), inferred from all the weighted stems and, for half the weight, from the
    /// title fields alone (see [`super::occupations`]).
    #[serde(rename = "o", default)]
    pub occupations: Vec<(String, f32)>,
    /// Job titles recognised, for explanations (first few, in order of weight).
    #[serde(rename = "n")]
    pub titles: Vec<String>,
    /// Field-weighted length in stems (before the term cap), for BM25 length normalisation.
    #[serde(rename = "l")]
    pub length: f32,
}

/// What Lever holds about a candidate (opportunity): parsed resume data, tags and text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CandidateDoc {
    pub id: String,
    /// Headline and position titles from the parsed resume.
    pub titles: Vec<String>,
    /// Position summaries from the parsed resume.
    pub summaries: Vec<String>,
    /// School names and degrees.
    pub schools: Vec<String>,
    /// Lever tags on the opportunity.
    pub tags: Vec<String>,
    /// Free text: resume body, cover letter, notes.
    pub text: String,
}

/// One list of a Lever posting (`content.lists[]`: a heading and an HTML body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostingList {
    pub heading: String,
    pub content: String,
}

/// What Lever holds about a posting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostingDoc {
    pub id: String,
    /// Posting title (`text`).
    pub title: String,
    /// Category values (team, department; location and commitment add little).
    pub categories: Vec<String>,
    /// Description (HTML or plain).
    pub description: String,
    /// Requirement / responsibility lists.
    pub lists: Vec<PostingList>,
    pub tags: Vec<String>,
}

/// Field weights: title and qualifications count more than responsibilities.
mod weight {
    pub const TITLE: f32 = 3.0;
    pub const REQUIRED: f32 = 2.0;
    pub const PREFERRED: f32 = 1.5;
    pub const TAGS: f32 = 1.5;
    pub const CATEGORY: f32 = 1.0;
    pub const BODY: f32 = 1.0;
    pub const DESCRIPTION: f32 = 0.75;
    pub const SCHOOL: f32 = 0.5;
}

/// Accumulates weighted fields into a profile.
#[derive(Default)]
struct Builder {
    terms: BTreeMap<String, f32>,
    skills: BTreeMap<String, f32>,
    roles: BTreeMap<String, f32>,
    titles: Vec<(String, f32)>,
    /// Stems of the title fields alone (position titles, posting title), for occupations.
    title_terms: BTreeMap<String, f32>,
    length: f32,
}

impl Builder {
    /// Adds one field. `role_weight` scales the job titles found in it (0 ignores them);
    /// `title_field` lets single-word titles ("Recruiter") count.
    fn add(&mut self, text: &str, weight: f32, role_weight: f32, title_field: bool) {
        if text.trim().is_empty() {
            return;
        }
        let plain = if text.contains('<') {
            strip_html(text)
        } else {
            text.to_string()
        };
        let tokens = tokenize(&plain);
        for token in &tokens {
            *self.terms.entry(token.stem.clone()).or_default() += weight;
            self.length += weight;
        }
        for skill in find_skills(&tokens) {
            *self.skills.entry(skill.to_string()).or_default() += weight;
        }
        if role_weight > 0.0 {
            for m in find_titles(&tokens, title_field) {
                let share = role_weight / m.groups.len() as f32;
                for g in &m.groups {
                    *self.roles.entry((*g).to_string()).or_default() += share;
                }
                match self.titles.iter_mut().find(|(t, _)| *t == m.title) {
                    Some(entry) => entry.1 += role_weight,
                    None => self.titles.push((m.title, role_weight)),
                }
            }
        }
    }

    /// Adds a title field: like [`Builder::add`], and its stems also feed the title-only
    /// occupation inference.
    fn add_title(&mut self, text: &str, weight: f32, role_weight: f32, single_words: bool) {
        self.add(text, weight, role_weight, single_words);
        for token in tokenize(&strip_html(text)) {
            *self.title_terms.entry(token.stem).or_default() += 1.0;
        }
    }

    fn finish(self, id: &str, max_terms: usize) -> Profile {
        // Occupations: what the whole text resembles, and (half the weight, when the titles
        // name any) what the titles alone resemble.
        let body = infer_occupations(self.terms.iter().map(|(k, v)| (k.as_str(), *v)));
        let from_titles = infer_occupations(self.title_terms.iter().map(|(k, v)| (k.as_str(), *v)));
        let occupations = mix(&body, &from_titles, TITLE_SHARE, MAX_OCCUPATIONS);
        let mut terms: Vec<(String, f32)> = self.terms.into_iter().collect();
        if terms.len() > max_terms {
            terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            terms.truncate(max_terms);
            terms.sort_by(|a, b| a.0.cmp(&b.0));
        }
        // Roles: the SOC minor groups of the job titles found, mixed half and half with the
        // minor groups of the occupations inferred (so a title O*NET does not list still
        // lands in a group).
        let role_total: f32 = self.roles.values().sum();
        let title_roles: Vec<(String, f32)> = self
            .roles
            .into_iter()
            .filter(|_| role_total > 0.0)
            .map(|(g, w)| (g, w / role_total))
            .collect();
        let mut groups: BTreeMap<String, f32> = BTreeMap::new();
        for (code, share) in &occupations {
            *groups.entry(code.chars().take(5).collect()).or_default() += share;
        }
        let groups: Vec<(String, f32)> = groups.into_iter().collect();
        let roles = mix(&groups, &title_roles, 0.5, usize::MAX);
        let mut titles = self.titles;
        titles.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Profile {
            id: id.to_string(),
            terms,
            skills: self.skills.into_iter().collect(),
            roles,
            occupations,
            titles: titles
                .into_iter()
                .take(MAX_TITLES)
                .map(|(t, _)| t)
                .collect(),
            length: self.length,
        }
    }
}

impl Profile {
    /// Builds a candidate profile, keeping the [`MAX_PROFILE_TERMS`] heaviest stems.
    pub fn from_candidate(doc: &CandidateDoc) -> Self {
        let mut b = Builder::default();
        for title in &doc.titles {
            b.add_title(title, weight::TITLE, 3.0, true);
        }
        for tag in &doc.tags {
            b.add(tag, weight::TAGS, 1.0, true);
        }
        for summary in &doc.summaries {
            b.add(summary, weight::BODY, 1.0, false);
        }
        for school in &doc.schools {
            b.add(school, weight::SCHOOL, 0.0, false);
        }
        // As for postings: when the position titles (or tags, summaries) name a role, the job
        // titles merely mentioned in the résumé body ("reported to the project manager") add
        // none; otherwise the body's titles are all there is.
        let body_role = if b.roles.is_empty() { 1.0 } else { 0.0 };
        b.add(&doc.text, weight::BODY, body_role, false);
        b.finish(&doc.id, MAX_PROFILE_TERMS)
    }

    /// Builds a posting profile. Lists whose heading speaks of requirements or
    /// qualifications weigh more than responsibilities; roles come from the title (and
    /// from the body only when the title names none).
    pub fn from_posting(doc: &PostingDoc) -> Self {
        let mut b = Builder::default();
        b.add_title(&doc.title, weight::TITLE, 1.0, false);
        let title_has_role = !b.roles.is_empty();
        let body_roles = if title_has_role { 0.0 } else { 0.2 };
        for category in &doc.categories {
            b.add(category, weight::CATEGORY, 0.0, false);
        }
        for tag in &doc.tags {
            b.add(tag, weight::TAGS, 0.0, false);
        }
        b.add(&doc.description, weight::DESCRIPTION, body_roles, false);
        for list in &doc.lists {
            let heading = list.heading.to_lowercase();
            let w = if ["prefer", "nice", "bonus", "plus"]
                .iter()
                .any(|k| heading.contains(k))
            {
                weight::PREFERRED
            } else if [
                "qualif",
                "require",
                "skill",
                "must",
                "need",
                "you have",
                "about you",
            ]
            .iter()
            .any(|k| heading.contains(k))
            {
                weight::REQUIRED
            } else {
                weight::BODY
            };
            b.add(&list.content, w, body_roles, false);
        }
        b.finish(&doc.id, usize::MAX)
    }

    /// Weight of a stem, by binary search.
    pub fn term(&self, stem: &str) -> Option<f32> {
        lookup(&self.terms, stem)
    }

    /// Mentions of a canonical skill.
    pub fn skill(&self, name: &str) -> Option<f32> {
        lookup(&self.skills, name)
    }

    /// Share of a role group.
    pub fn role(&self, group: &str) -> Option<f32> {
        lookup(&self.roles, group)
    }

    /// Share of an O*NET-SOC occupation.
    pub fn occupation(&self, code: &str) -> Option<f32> {
        lookup(&self.occupations, code)
    }
}

/// Share of the title-only occupations in a profile's occupations (when titles name any).
const TITLE_SHARE: f32 = 0.5;

/// `(1 - share) × base + share × extra` over two key → share lists (just `base` when
/// `extra` is empty), the `keep` heaviest entries renormalised to sum to 1, sorted by key.
pub(super) fn mix(
    base: &[(String, f32)],
    extra: &[(String, f32)],
    share: f32,
    keep: usize,
) -> Vec<(String, f32)> {
    let share = if extra.is_empty() { 0.0 } else { share };
    let mut sum: BTreeMap<&str, f32> = BTreeMap::new();
    for (k, v) in base {
        *sum.entry(k).or_default() += (1.0 - share) * v;
    }
    for (k, v) in extra {
        *sum.entry(k).or_default() += share * v;
    }
    let mut out: Vec<(String, f32)> = sum
        .into_iter()
        .filter(|(_, v)| *v > 0.0)
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    if out.len() > keep {
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(keep);
        out.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let total: f32 = out.iter().map(|(_, v)| v).sum();
    for entry in &mut out {
        entry.1 /= total;
    }
    out
}

fn lookup(list: &[(String, f32)], key: &str) -> Option<f32> {
    list.binary_search_by(|(k, _)| k.as_str().cmp(key))
        .ok()
        .map(|i| list[i].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_titles_count_only_when_the_position_titles_name_no_role() {
        let body = "Worked with the project manager and the recruiter on releases.";
        let titled = Profile::from_candidate(&CandidateDoc {
            id: "a".into(),
            titles: vec!["Java Developer".into()],
            text: body.into(),
            ..CandidateDoc::default()
        });
        assert_eq!(titled.titles, vec!["java developer".to_string()]);
        let untitled = Profile::from_candidate(&CandidateDoc {
            id: "b".into(),
            text: body.into(),
            ..CandidateDoc::default()
        });
        assert!(
            untitled.titles.contains(&"project manager".to_string()),
            "{:?}",
            untitled.titles
        );
    }

    fn java_dev() -> CandidateDoc {
        CandidateDoc {
            id: "c-java".into(),
            titles: vec!["Java Developer".into()],
            summaries: vec!["Built REST APIs with Java, Spring Boot and SQL.".into()],
            schools: vec!["State University".into()],
            tags: vec!["backend".into()],
            text: "Core Java, J2EE, Hibernate, MySQL, Git.".into(),
        }
    }

    #[test]
    fn candidate_profile_is_normalised_sorted_and_round_trips() {
        let p = Profile::from_candidate(&java_dev());
        assert!(p.skill("java").unwrap() >= 3.0, "{:?}", p.skills);
        assert!(p.skill("spring").is_some() && p.skill("databases").is_some());
        assert!(p.roles.iter().any(|(g, _)| g == "15-12"), "{:?}", p.roles);
        assert!(p.terms.windows(2).all(|w| w[0].0 < w[1].0));
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Profile>(&json).unwrap(), p);
    }

    #[test]
    fn posting_qualifications_outweigh_responsibilities() {
        let posting = PostingDoc {
            id: "p".into(),
            title: "Software Engineer".into(),
            lists: vec![
                PostingList {
                    heading: "Responsibilities".into(),
                    content: "<li>Write Python</li>".into(),
                },
                PostingList {
                    heading: "Minimum qualifications".into(),
                    content: "<li>Java</li>".into(),
                },
            ],
            ..PostingDoc::default()
        };
        let p = Profile::from_posting(&posting);
        assert!(p.skill("java").unwrap() > p.skill("python").unwrap());
        assert_eq!(p.titles, vec!["software engineer".to_string()]);
    }

    #[test]
    fn term_cap_keeps_the_heaviest_stems() {
        let text: String = (0..300).map(|i| format!("word{i} ")).collect();
        let doc = CandidateDoc {
            id: "c".into(),
            titles: vec!["Accountant".into()],
            text,
            ..CandidateDoc::default()
        };
        let p = Profile::from_candidate(&doc);
        assert_eq!(p.terms.len(), MAX_PROFILE_TERMS);
        assert!(p.term(&super::super::text::stem("accountant")).is_some());
    }
}
