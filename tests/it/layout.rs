//! The shape of the spine, checked (docs/ARCHITECTURE.md's properties): the domain core
//! imports no vendor module and nothing above it; each vendor's rules import only the core;
//! the spine (dispatcher, sweep, intake, provider callbacks) names no vendor.

use screenhub_tests::repo_root;
use std::path::PathBuf;

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn rust_files(dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![repo_root().join(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(repo_root())
                    .unwrap()
                    .display()
                    .to_string();
                out.push((rel.clone(), read(&rel)));
            }
        }
    }
    out
}

/// Code lines only (comments say what they like).
fn code(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

const CORE: [&str; 11] = [
    "mod",
    "ids",
    "kinds",
    "order",
    "subject",
    "lifecycle",
    "transitions",
    "effects",
    "events",
    "deletion",
    "expiry",
];

#[test]
fn the_domain_core_imports_no_vendor_module_and_nothing_above_it() {
    for name in CORE {
        let rel = format!("shared/src/domain/{name}.rs");
        let text = code(&read(&rel));
        let text = if name == "mod" {
            // The module list itself names its children.
            text.lines()
                .filter(|l| !l.starts_with("pub mod "))
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            text
        };
        for forbidden in [
            "ats::",
            "providers::",
            "crate::config",
            "crate::ports",
            "crate::adapters",
            "crate::registry",
            "crate::dispatcher",
        ] {
            assert!(!text.contains(forbidden), "{rel} uses {forbidden}");
        }
    }
}

#[test]
fn each_vendors_rules_import_only_the_core_and_their_own_side() {
    for (rel, text) in rust_files("shared/src/domain/providers") {
        let text = code(&text);
        for forbidden in ["ats::", "crate::config", "crate::ports", "crate::adapters"] {
            assert!(!text.contains(forbidden), "{rel} uses {forbidden}");
        }
    }
    for (rel, text) in rust_files("shared/src/domain/ats") {
        let text = code(&text);
        for forbidden in [
            "providers::",
            "crate::config",
            "crate::ports",
            "crate::adapters",
        ] {
            assert!(!text.contains(forbidden), "{rel} uses {forbidden}");
        }
    }
}

#[test]
fn the_spine_names_no_vendor() {
    let mut spine = rust_files("shared/src/dispatcher");
    for rel in [
        "shared/src/sweep.rs",
        "shared/src/intake.rs",
        "shared/src/api/provider_callback.rs",
        "shared/src/api/requesters.rs",
    ] {
        spine.push((rel.to_owned(), read(rel)));
    }
    let vendors = [
        "lever",
        "alliance",
        "backgrounds online",
        "backgrounds_online",
        "backgroundsonline",
        "paylocity",
        "cornerstone",
        "accurate",
    ];
    for (rel, text) in spine {
        let lower = text.to_lowercase();
        for v in vendors {
            assert!(!lower.contains(v), "{rel} names {v}");
        }
    }
}
