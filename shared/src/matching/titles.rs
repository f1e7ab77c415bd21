//! Job-title normalisation through O*NET: every known title (occupation titles and
//! alternate titles, 1 to 3 words) maps to the SOC minor group(s) it belongs to, e.g.
//! "java developer" and "software engineer" → `15-12` (computer occupations), "recruiter" →
//! `13-10`, "counsel" → `23-10`. A profile's roles are the minor groups of the titles it
//! mentions, so "Account Executive" and "Sales Manager" meet even with no word in common.
//!
//! Data: `shared/data/onet_titles.tsv`, derived by `shared/data/build_onet_titles.py` from the
//! O*NET 28.x Database (USDOL/ETA, CC BY 4.0; see `shared/data/ONET-ATTRIBUTION.md`).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::text::{Token, phrase_key, scan_phrases};

const ONET_TITLES: &str = include_str!("../../data/onet_titles.tsv");

/// Longest title, in stemmed tokens.
const MAX_TITLE_TOKENS: usize = 3;

struct TitleVocab {
    /// Stemmed title key → indexes into `groups`.
    by_key: HashMap<String, Vec<u16>>,
    /// SOC minor-group codes in file order ("11-10", "11-20", …).
    groups: Vec<&'static str>,
}

fn vocab() -> &'static TitleVocab {
    static VOCAB: OnceLock<TitleVocab> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let mut by_key: HashMap<String, Vec<u16>> = HashMap::new();
        let mut groups = Vec::new();
        for line in ONET_TITLES.lines() {
            let Some((group, titles)) = line.split_once('\t') else {
                continue;
            };
            let index = groups.len() as u16;
            groups.push(group);
            for title in titles.split('|') {
                let key = phrase_key(title);
                if key.is_empty() || key.split(' ').count() > MAX_TITLE_TOKENS {
                    continue;
                }
                let entry = by_key.entry(key).or_default();
                if !entry.contains(&index) {
                    entry.push(index);
                }
            }
        }
        TitleVocab { by_key, groups }
    })
}

/// One job title found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleMatch {
    /// The title as written (lower-case words joined by spaces).
    pub title: String,
    /// SOC minor groups the title belongs to (one or two).
    pub groups: Vec<&'static str>,
}

/// Job titles in `tokens`, longest first at each position, never across punctuation.
/// Only multi-word titles are taken from running text unless `single_words` is set (a
/// position-title field, where "Recruiter" alone is a title).
pub fn find_titles(tokens: &[Token], single_words: bool) -> Vec<TitleMatch> {
    let vocab = vocab();
    let mut found = Vec::new();
    let min_len = if single_words { 1 } else { 2 };
    scan_phrases(
        tokens,
        min_len,
        MAX_TITLE_TOKENS,
        |key| vocab.by_key.get(key),
        |run, groups| {
            let title = run
                .iter()
                .map(|t| t.word.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let groups = groups.iter().map(|&g| vocab.groups[g as usize]).collect();
            found.push(TitleMatch { title, groups });
        },
    );
    found
}

#[cfg(test)]
mod tests {
    use super::super::text::tokenize;
    use super::*;

    #[test]
    fn software_titles_share_a_group_and_chef_does_not() {
        let dev = find_titles(&tokenize("Senior Java Developer"), true);
        let swe = find_titles(&tokenize("Software Engineer"), true);
        let chef = find_titles(&tokenize("Chef"), true);
        assert!(dev.iter().any(|m| m.groups.contains(&"15-12")), "{dev:?}");
        assert!(swe.iter().any(|m| m.groups.contains(&"15-12")), "{swe:?}");
        assert!(
            !chef.is_empty() && chef.iter().all(|m| !m.groups.contains(&"15-12")),
            "{chef:?}"
        );
    }

    #[test]
    fn running_text_needs_multi_word_titles() {
        assert!(find_titles(&tokenize("the chef cooked"), false).is_empty());
        assert_eq!(
            find_titles(&tokenize("worked as a software engineer"), false).len(),
            1
        );
    }
}
