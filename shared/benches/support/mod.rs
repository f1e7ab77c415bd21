//! What the benchmarks share: the labelled datasets of `../shared/datasets` (read as the
//! matching benchmark reads them), profiles built from them as from Lever's data, and
//! measuring helpers.

#![allow(dead_code)] // each benchmark uses its part

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub mod quality;

use screenhub::matching::{CandidateDoc, PostingDoc, PostingList, Profile};

/// The files the benchmark reads, relative to the data folder.
pub const REQUIRED_FILES: [&str; 3] = [
    "kaggle-resume-dataset/UpdatedResumeDataSet.csv",
    "google-job-skills/job_skills.csv",
    "crosswalk/category_crosswalk.csv",
];

pub struct Resume {
    pub category: String,
    pub text: String,
}

pub struct Job {
    pub title: String,
    pub category: String,
    pub lists: [String; 3],
}

/// Job category → resume category → "close" / "approximate".
pub type Crosswalk = BTreeMap<String, BTreeMap<String, String>>;

pub fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader.records().map(|r| r.expect("csv record")).collect()
}

pub fn load(dir: &Path) -> (Vec<Resume>, Vec<Job>, Crosswalk) {
    let mut seen = BTreeSet::new();
    let resumes = read_csv(&dir.join("kaggle-resume-dataset/UpdatedResumeDataSet.csv"))
        .into_iter()
        .filter(|r| seen.insert(r[1].to_string()))
        .map(|r| Resume {
            category: r[0].to_string(),
            text: r[1].to_string(),
        })
        .collect();
    let mut seen = BTreeSet::new();
    let jobs = read_csv(&dir.join("google-job-skills/job_skills.csv"))
        .into_iter()
        .filter(|r| {
            seen.insert((
                r[1].to_string(),
                r[2].to_string(),
                r[4].to_string(),
                r[5].to_string(),
                r[6].to_string(),
            ))
        })
        .map(|r| Job {
            title: r[1].to_string(),
            category: r[2].to_string(),
            lists: [r[4].to_string(), r[5].to_string(), r[6].to_string()],
        })
        .collect();
    let mut crosswalk = Crosswalk::new();
    for r in read_csv(&dir.join("crosswalk/category_crosswalk.csv")) {
        crosswalk
            .entry(r[1].to_string())
            .or_default()
            .insert(r[2].to_string(), r[3].to_string());
    }
    (resumes, jobs, crosswalk)
}

/// The position title of a Kaggle resume, as Lever's resume parser would give it. These
/// resumes are flattened from a fixed layout: "… Education Details <schools> <designation>
/// <title> - <company> Skill Details …"; the title is the last non-empty line before
/// "Skill Details", cut at " - <company>", when at most 8 words.
/// Layout only: the category label is never read.
pub fn position_title(text: &str) -> Option<String> {
    let head = &text[..text.find("Skill Details")?];
    let line = head.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    let title = line.split_once(" - ").map_or(line, |(t, _)| t).trim();
    (!title.is_empty() && title.split_whitespace().count() <= 8).then(|| title.to_string())
}

pub fn candidate_profile(i: usize, r: &Resume, titles: bool) -> Profile {
    // The resume category is the label: it never enters the profile.
    Profile::from_candidate(&CandidateDoc {
        id: format!("r{i:04}"),
        titles: if titles {
            position_title(&r.text).into_iter().collect()
        } else {
            Vec::new()
        },
        text: r.text.clone(),
        ..CandidateDoc::default()
    })
}

pub fn posting_profile(i: usize, j: &Job) -> Profile {
    // The posting category is the label: it never enters the profile.
    let headings = [
        "Responsibilities",
        "Minimum qualifications",
        "Preferred qualifications",
    ];
    Profile::from_posting(&PostingDoc {
        id: format!("j{i:04}"),
        title: j.title.clone(),
        lists: headings
            .iter()
            .zip(&j.lists)
            .map(|(h, c)| PostingList {
                heading: (*h).to_string(),
                content: c.clone(),
            })
            .collect(),
        ..PostingDoc::default()
    })
}

pub fn vm_hwm_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// xorshift64*: deterministic resampling without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A resampled, perturbed copy of a real profile: each stem dropped with probability 0.2,
/// kept weights scaled by a factor in [0.5, 1.5), length scaled by the share kept.
pub fn perturb(base: &Profile, id: String, rng: &mut Rng) -> Profile {
    let mut p = base.clone();
    p.id = id;
    let before = p.terms.len().max(1) as f32;
    p.terms.retain(|_| rng.unit() >= 0.2);
    for t in &mut p.terms {
        t.1 *= 0.5 + rng.unit();
    }
    p.length *= p.terms.len() as f32 / before;
    p
}

pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// The required files a data folder lacks.
pub fn missing_files(dir: &Path) -> Vec<&'static str> {
    REQUIRED_FILES
        .iter()
        .copied()
        .filter(|f| !dir.join(f).is_file())
        .collect()
}

/// The data folder: `--data <dir>` (after `--` under cargo bench), else the environment
/// variable SCREENHUB_MATCHING_DATA, else the team folder's datasets. `None` (after saying
/// why) when the files are not there.
pub fn data_dir(bench: &str) -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("SCREENHUB_MATCHING_DATA").map(PathBuf::from))
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../shared/datasets"
            ))
        });
    let dir = dir.canonicalize().unwrap_or(dir);
    let missing = missing_files(&dir);
    if missing.is_empty() {
        return Some(dir);
    }
    println!(
        "{bench} benchmark skipped: no labelled data at {} (missing {}). Pass another folder of \
         the same layout with `cargo bench -p screenhub --bench {bench} -- --data <dir>` or \
         SCREENHUB_MATCHING_DATA=<dir>.",
        dir.display(),
        missing.join(", ")
    );
    None
}
