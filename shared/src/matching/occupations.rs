//! Occupation inference through O*NET: a profile's weighted stems are projected onto the
//! 1,016 O*NET-SOC occupations (explicit semantic analysis), and the few occupations it
//! resembles most become its `occupations`. A "People Operations Partner" posting and a
//! résumé full of payroll, recruitment and employee relations then meet on
//! `13-1071.00 Human Resources Specialists` although they share few words.
//!
//! Data: `shared/data/onet_occupations.tsv`, derived by
//! `shared/data/build_onet_occupations.py` from the O*NET 28.x Database (USDOL/ETA,
//! CC BY 4.0; see `shared/data/ONET-ATTRIBUTION.md`): per occupation, its 32 most
//! characteristic words (title, description, tasks, alternate titles) with TF-IDF weights.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use super::text::tokenize;

const ONET_OCCUPATIONS: &str = include_str!("../../data/onet_occupations.tsv");

/// Most occupations kept per profile.
pub const MAX_OCCUPATIONS: usize = 6;
/// An occupation is kept only if it scores at least this share of the best one.
const RELATIVE_FLOOR: f32 = 0.5;

struct OccupationVocab {
    codes: Vec<&'static str>,
    by_code: HashMap<&'static str, u16>,
    titles: Vec<&'static str>,
    /// Stem → (occupation index, weight), sorted by occupation index.
    by_stem: HashMap<String, Vec<(u16, f32)>>,
}

fn vocab() -> &'static OccupationVocab {
    static VOCAB: OnceLock<OccupationVocab> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let mut codes = Vec::new();
        let mut titles = Vec::new();
        let mut by_stem: HashMap<String, Vec<(u16, f32)>> = HashMap::new();
        for line in ONET_OCCUPATIONS.lines() {
            let mut cols = line.split('\t');
            let (Some(code), Some(title), Some(words)) = (cols.next(), cols.next(), cols.next())
            else {
                continue;
            };
            let index = codes.len() as u16;
            codes.push(code);
            titles.push(title);
            // Words that stem alike ("recruiter", "recruiting") add up; then unit length.
            let mut stems: BTreeMap<String, f32> = BTreeMap::new();
            for pair in words.split(' ') {
                let Some((word, weight)) = pair.split_once(':') else {
                    continue;
                };
                let Ok(weight) = weight.parse::<f32>() else {
                    continue;
                };
                for token in tokenize(word) {
                    *stems.entry(token.stem).or_default() += weight;
                }
            }
            let norm = stems.values().map(|w| w * w).sum::<f32>().sqrt().max(1e-6);
            for (stem, weight) in stems {
                by_stem
                    .entry(stem)
                    .or_default()
                    .push((index, weight / norm));
            }
        }
        OccupationVocab {
            by_code: codes
                .iter()
                .enumerate()
                .map(|(i, c)| (*c, i as u16))
                .collect(),
            codes,
            titles,
            by_stem,
        }
    })
}

/// The O*NET title of an occupation code ("15-1252.00" → "Software Developers").
pub fn occupation_title(code: &str) -> Option<&'static str> {
    let v = vocab();
    v.by_code.get(code).map(|&i| v.titles[i as usize])
}

/// The occupations a bag of weighted stems resembles most: at most [`MAX_OCCUPATIONS`],
/// each scoring at least half the best, as `(code, share)` sorted by code, shares summing
/// to 1. A stem's weight counts sublinearly (1 + ln w), so one repeated word cannot decide.
pub fn infer_occupations<'a>(
    terms: impl IntoIterator<Item = (&'a str, f32)>,
) -> Vec<(String, f32)> {
    let v = vocab();
    let mut scores = vec![0.0f32; v.codes.len()];
    for (stem, weight) in terms {
        let Some(list) = v.by_stem.get(stem) else {
            continue;
        };
        let w = if weight > 1.0 {
            1.0 + weight.ln()
        } else {
            weight
        };
        for &(o, ow) in list {
            scores[o as usize] += w * ow;
        }
    }
    let mut ranked: Vec<(f32, u16)> = scores
        .iter()
        .enumerate()
        .filter(|(_, s)| **s > 0.0)
        .map(|(i, s)| (*s, i as u16))
        .collect();
    ranked.sort_by(|a, b| match b.0.total_cmp(&a.0) {
        Ordering::Equal => a.1.cmp(&b.1),
        other => other,
    });
    let Some(&(best, _)) = ranked.first() else {
        return Vec::new();
    };
    ranked.retain(|(s, _)| *s >= best * RELATIVE_FLOOR);
    ranked.truncate(MAX_OCCUPATIONS);
    let total: f32 = ranked.iter().map(|(s, _)| s).sum();
    let mut out: Vec<(String, f32)> = ranked
        .into_iter()
        .map(|(s, o)| (v.codes[o as usize].to_string(), s / total))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(text: &str) -> Vec<(String, f32)> {
        let mut bag: BTreeMap<String, f32> = BTreeMap::new();
        for t in tokenize(text) {
            *bag.entry(t.stem).or_default() += 1.0;
        }
        infer_occupations(bag.iter().map(|(k, v)| (k.as_str(), *v)))
    }

    fn top(text: &str) -> String {
        let occ = infer(text);
        occ.iter()
            .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map(|(c, _)| c.clone())
            .unwrap_or_default()
    }

    #[test]
    fn obvious_texts_land_on_their_occupation() {
        assert_eq!(
            occupation_title(&top(
                "Recruiter: talent acquisition, hiring, employee onboarding, HR"
            )),
            Some("Human Resources Specialists")
        );
        assert!(
            top("Attorney: litigation, legal counsel, contracts and court filings")
                .starts_with("23-1011"),
        );
        assert!(top("Java software developer, Spring, web applications").starts_with("15-12"));
    }

    #[test]
    fn shares_sum_to_one_and_are_sorted_by_code() {
        let occ = infer("Sales manager: account management, quotas, clients, sales team");
        assert!(!occ.is_empty() && occ.len() <= MAX_OCCUPATIONS);
        assert!((occ.iter().map(|(_, s)| s).sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(occ.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(infer("").is_empty());
    }
}
