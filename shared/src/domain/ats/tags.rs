//! Converging an opportunity's tags on what the hub wants, touching only tags the hub owns.

/// Which tags the hub owns for one integration: every tag matching one of these patterns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedTags {
    /// (prefix, suffix) pairs: a tag is managed when it starts with the prefix and ends with the suffix.
    patterns: Vec<(String, String)>,
    /// Tags managed by their exact text.
    exact: Vec<String>,
}

impl ManagedTags {
    pub fn new() -> Self {
        Self {
            patterns: Vec::new(),
            exact: Vec::new(),
        }
    }

    /// Add a format with one `{placeholder}`; without one the whole text is a prefix.
    pub fn with_format(mut self, format: &str, placeholder: &str) -> Self {
        let (prefix, suffix) = match format.split_once(placeholder) {
            Some((p, s)) => (p.to_owned(), s.to_owned()),
            None => (format.to_owned(), String::new()),
        };
        self.patterns.push((prefix, suffix));
        self
    }

    pub fn with_prefix(mut self, prefix: &str) -> Self {
        self.patterns.push((prefix.to_owned(), String::new()));
        self
    }

    pub fn with_exact(mut self, tag: &str) -> Self {
        self.exact.push(tag.to_owned());
        self
    }

    pub fn owns(&self, tag: &str) -> bool {
        self.exact.iter().any(|t| t == tag)
            || self.patterns.iter().any(|(p, s)| {
                tag.len() >= p.len() + s.len()
                    && tag.starts_with(p.as_str())
                    && tag.ends_with(s.as_str())
            })
    }
}

impl Default for ManagedTags {
    fn default() -> Self {
        Self::new()
    }
}

/// The calls that bring `current` to `desired` for the managed tags.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagDiff {
    pub remove: Vec<String>,
    pub add: Vec<String>,
}

impl TagDiff {
    pub fn is_empty(&self) -> bool {
        self.remove.is_empty() && self.add.is_empty()
    }
}

/// Remove every managed tag that is not desired, add every desired tag that is missing.
/// Unmanaged tags (the recruiters' own) are never touched. Output order is deterministic.
pub fn diff(current: &[String], desired: &[String], managed: &ManagedTags) -> TagDiff {
    let mut remove: Vec<String> = current
        .iter()
        .filter(|t| managed.owns(t) && !desired.contains(t))
        .cloned()
        .collect();
    let mut add: Vec<String> = desired
        .iter()
        .filter(|t| !current.contains(t))
        .cloned()
        .collect();
    remove.sort();
    remove.dedup();
    add.sort();
    add.dedup();
    TagDiff { remove, add }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn replaces_the_previous_status_and_keeps_recruiter_tags() {
        let managed =
            ManagedTags::new().with_format("Background Check Status: {status}", "{status}");
        let d = diff(
            &s(&["Background Check Status: Pending", "Senior", "Product: X"]),
            &s(&["Background Check Status: Complete"]),
            &managed,
        );
        assert_eq!(d.remove, s(&["Background Check Status: Pending"]));
        assert_eq!(d.add, s(&["Background Check Status: Complete"]));
    }

    #[test]
    fn formats_with_suffixes_and_prefix_families_are_recognised() {
        let managed = ManagedTags::new()
            .with_format("[BG] {status} (Alliance)", "{status}")
            .with_prefix("Flag: ");
        assert!(managed.owns("[BG] Pending (Alliance)"));
        assert!(!managed.owns("[BG] Pending"));
        assert!(managed.owns("Flag: True"));
        assert!(!managed.owns("Flagged"));
    }

    #[test]
    fn converged_tags_need_no_call() {
        let managed = ManagedTags::new().with_prefix("S: ");
        assert!(diff(&s(&["S: A", "x"]), &s(&["S: A"]), &managed).is_empty());
    }

    #[test]
    fn duplicate_managed_tags_are_all_removed_once() {
        let managed = ManagedTags::new().with_prefix("S: ");
        let d = diff(&s(&["S: A", "S: B", "S: C"]), &s(&["S: C"]), &managed);
        assert_eq!(d.remove, s(&["S: A", "S: B"]));
        assert!(d.add.is_empty());
    }
}
