//! Typed seed data for [`FakeLever`](super::FakeLever) and the values its helpers return.
//!
//! Seeding is done with plain structs (all fields public, `Default`) plus chainable builder
//! methods, e.g.
//!
//! ```
//! use screenhub_sandbox::lever::{NewOpportunity, NewPosting};
//! let posting = NewPosting::new("Senior Engineer")
//!     .team("Platform")
//!     .department("Engineering")
//!     .location("Austin")
//!     .commitment("Full-time");
//! let opp = NewOpportunity::new("Ada Lovelace")
//!     .email("ada@example.com")
//!     .phone(Some("mobile"), "+1 555 0100")
//!     .tag("Alliance: rush")
//!     .stage("applicant-new");
//! # let _ = (posting, opp);
//! ```

use serde_json::Value;

/// A phone entry of an opportunity, `{type, value}` (`type` may be absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Phone {
    pub kind: Option<String>,
    pub value: String,
}

/// Archive state of an opportunity: `{reason, archivedAt}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Archived {
    /// Archive reason id.
    pub reason: String,
    pub archived_at: i64,
}

/// One consent of a candidate, `{allowed, expiresAt}` (`expires_at` null: no end).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Consent {
    pub allowed: bool,
    pub expires_at: Option<i64>,
}

/// `dataProtection` of an opportunity, `{store, contact}` (each may be null).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataProtection {
    pub store: Option<Consent>,
    pub contact: Option<Consent>,
}

/// Seed for an opportunity. Unset ids are generated (uuid v4); `stage` defaults to the first
/// stage added with `add_stage` (or `lead-new` when there is none); `posting`, when set,
/// creates the opportunity's single application on that posting. Timestamps default to now.
#[derive(Debug, Clone, Default)]
pub struct NewOpportunity {
    pub id: Option<String>,
    pub name: String,
    pub headline: Option<String>,
    /// Contact (person) id; generated when unset.
    pub contact: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<Phone>,
    pub location: Option<String>,
    pub links: Vec<String>,
    pub tags: Vec<String>,
    pub sources: Vec<String>,
    /// `applied|sourced|referred|university|agency|internal`; defaults to `applied` when a
    /// posting is given, else `sourced`.
    pub origin: Option<String>,
    pub stage: Option<String>,
    pub posting: Option<String>,
    pub owner: Option<String>,
    pub followers: Vec<String>,
    pub archived: Option<Archived>,
    /// Defaults to `non-confidential`.
    pub confidentiality: Option<String>,
    /// User who sourced the opportunity (`sourcedBy`); null when unset.
    pub sourced_by: Option<String>,
    /// Resumes on the opportunity (`GET /opportunities/:id/resumes`).
    pub resumes: Vec<NewResume>,
    /// The candidate's consents (`dataProtection`); null when unset.
    pub data_protection: Option<DataProtection>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
}

impl NewOpportunity {
    pub fn new(name: impl Into<String>) -> Self {
        NewOpportunity {
            name: name.into(),
            ..Default::default()
        }
    }
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    pub fn headline(mut self, headline: impl Into<String>) -> Self {
        self.headline = Some(headline.into());
        self
    }
    pub fn contact(mut self, contact: impl Into<String>) -> Self {
        self.contact = Some(contact.into());
        self
    }
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.emails.push(email.into());
        self
    }
    pub fn phone(mut self, kind: Option<&str>, value: impl Into<String>) -> Self {
        self.phones.push(Phone {
            kind: kind.map(str::to_owned),
            value: value.into(),
        });
        self
    }
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }
    pub fn link(mut self, link: impl Into<String>) -> Self {
        self.links.push(link.into());
        self
    }
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.sources.push(source.into());
        self
    }
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }
    pub fn stage(mut self, stage: impl Into<String>) -> Self {
        self.stage = Some(stage.into());
        self
    }
    pub fn posting(mut self, posting: impl Into<String>) -> Self {
        self.posting = Some(posting.into());
        self
    }
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = Some(owner.into());
        self
    }
    pub fn archived(mut self, reason: impl Into<String>, archived_at: i64) -> Self {
        self.archived = Some(Archived {
            reason: reason.into(),
            archived_at,
        });
        self
    }
    pub fn confidentiality(mut self, confidentiality: impl Into<String>) -> Self {
        self.confidentiality = Some(confidentiality.into());
        self
    }
    pub fn sourced_by(mut self, user: impl Into<String>) -> Self {
        self.sourced_by = Some(user.into());
        self
    }
    /// Attach a resume (listed by `GET /opportunities/:id/resumes`).
    pub fn resume(mut self, resume: NewResume) -> Self {
        self.resumes.push(resume);
        self
    }
    /// The candidate's consent to their data being stored (`dataProtection.store`).
    pub fn store_consent(mut self, allowed: bool, expires_at: Option<i64>) -> Self {
        self.data_protection
            .get_or_insert_with(DataProtection::default)
            .store = Some(Consent {
            allowed,
            expires_at,
        });
        self
    }
    pub fn created_at(mut self, ms: i64) -> Self {
        self.created_at = Some(ms);
        self
    }
    pub fn updated_at(mut self, ms: i64) -> Self {
        self.updated_at = Some(ms);
        self
    }
}

/// A `{year, month}` date of a parsed resume entry (either part may be null).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearMonth {
    pub year: Option<i64>,
    pub month: Option<i64>,
}

impl YearMonth {
    pub fn new(year: i64, month: i64) -> Self {
        YearMonth {
            year: Some(year),
            month: Some(month),
        }
    }
}

/// One `parsedData.positions` entry of a resume. Unset fields render as `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedPosition {
    pub org: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub location: Option<String>,
    pub start: Option<YearMonth>,
    pub end: Option<YearMonth>,
}

impl ParsedPosition {
    pub fn new(org: impl Into<String>, title: impl Into<String>) -> Self {
        ParsedPosition {
            org: Some(org.into()),
            title: Some(title.into()),
            ..Default::default()
        }
    }
    pub fn summary(mut self, v: impl Into<String>) -> Self {
        self.summary = Some(v.into());
        self
    }
    pub fn location(mut self, v: impl Into<String>) -> Self {
        self.location = Some(v.into());
        self
    }
    pub fn start(mut self, year: i64, month: i64) -> Self {
        self.start = Some(YearMonth::new(year, month));
        self
    }
    pub fn end(mut self, year: i64, month: i64) -> Self {
        self.end = Some(YearMonth::new(year, month));
        self
    }
}

/// One `parsedData.schools` entry of a resume. Unset fields render as `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedSchool {
    pub org: Option<String>,
    pub degree: Option<String>,
    pub field: Option<String>,
    pub summary: Option<String>,
    pub start: Option<YearMonth>,
    pub end: Option<YearMonth>,
}

impl ParsedSchool {
    pub fn new(org: impl Into<String>) -> Self {
        ParsedSchool {
            org: Some(org.into()),
            ..Default::default()
        }
    }
    pub fn degree(mut self, v: impl Into<String>) -> Self {
        self.degree = Some(v.into());
        self
    }
    pub fn field(mut self, v: impl Into<String>) -> Self {
        self.field = Some(v.into());
        self
    }
    pub fn summary(mut self, v: impl Into<String>) -> Self {
        self.summary = Some(v.into());
        self
    }
    pub fn start(mut self, year: i64, month: i64) -> Self {
        self.start = Some(YearMonth::new(year, month));
        self
    }
    pub fn end(mut self, year: i64, month: i64) -> Self {
        self.end = Some(YearMonth::new(year, month));
        self
    }
}

/// Seed for a resume (rendered in the shape of `resume-get.json`). `status` defaults to
/// `processed`; `parsedData` is rendered only for a `processed` resume (a `processing`,
/// `unsupported` or `error` file has none). `ext` defaults to the file name's extension,
/// `createdAt` to now (or the opportunity's `createdAt` when seeded with it), `uploadedAt` to
/// `createdAt`.
#[derive(Debug, Clone, Default)]
pub struct NewResume {
    pub id: Option<String>,
    /// File name, e.g. `Ada-Lovelace.pdf`.
    pub name: String,
    pub ext: Option<String>,
    /// `processing|processed|unsupported|error`.
    pub status: Option<String>,
    /// Bytes; defaults to 0.
    pub size: Option<i64>,
    pub positions: Vec<ParsedPosition>,
    pub schools: Vec<ParsedSchool>,
    pub created_at: Option<i64>,
    pub uploaded_at: Option<i64>,
}

impl NewResume {
    pub fn new(file_name: impl Into<String>) -> Self {
        NewResume {
            name: file_name.into(),
            ..Default::default()
        }
    }
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    pub fn ext(mut self, ext: impl Into<String>) -> Self {
        self.ext = Some(ext.into());
        self
    }
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }
    pub fn size(mut self, bytes: i64) -> Self {
        self.size = Some(bytes);
        self
    }
    pub fn position(mut self, position: ParsedPosition) -> Self {
        self.positions.push(position);
        self
    }
    pub fn school(mut self, school: ParsedSchool) -> Self {
        self.schools.push(school);
        self
    }
    pub fn created_at(mut self, ms: i64) -> Self {
        self.created_at = Some(ms);
        self
    }
    pub fn uploaded_at(mut self, ms: i64) -> Self {
        self.uploaded_at = Some(ms);
        self
    }
}

/// Posting `categories`.
#[derive(Debug, Clone, Default)]
pub struct Categories {
    pub team: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
    /// Defaults to `[location]` when empty.
    pub all_locations: Vec<String>,
    pub commitment: Option<String>,
    pub level: Option<String>,
}

/// One `content.lists` entry: a heading and an HTML `<li>` string.
#[derive(Debug, Clone, Default)]
pub struct PostingList {
    pub text: String,
    pub content: String,
}

/// Posting `content`. The `…Html` fields are derived from the plain ones when unset.
#[derive(Debug, Clone, Default)]
pub struct PostingContent {
    pub description: String,
    pub description_html: Option<String>,
    pub lists: Vec<PostingList>,
    pub closing: String,
    pub closing_html: Option<String>,
}

/// Seed for a posting (rendered in the shape of `posting-get.json`).
#[derive(Debug, Clone, Default)]
pub struct NewPosting {
    pub id: Option<String>,
    /// The title.
    pub text: String,
    /// `published|internal|closed|draft|pending|rejected`; defaults to `published`.
    pub state: Option<String>,
    pub categories: Categories,
    pub content: PostingContent,
    pub tags: Vec<String>,
    /// Defaults to `["internal","public"]`.
    pub distribution_channels: Vec<String>,
    pub owner: Option<String>,
    pub hiring_manager: Option<String>,
    pub confidentiality: Option<String>,
    pub country: Option<String>,
    pub workplace_type: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: Option<i64>,
}

impl NewPosting {
    pub fn new(text: impl Into<String>) -> Self {
        NewPosting {
            text: text.into(),
            ..Default::default()
        }
    }
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }
    pub fn team(mut self, v: impl Into<String>) -> Self {
        self.categories.team = Some(v.into());
        self
    }
    pub fn department(mut self, v: impl Into<String>) -> Self {
        self.categories.department = Some(v.into());
        self
    }
    pub fn location(mut self, v: impl Into<String>) -> Self {
        self.categories.location = Some(v.into());
        self
    }
    pub fn commitment(mut self, v: impl Into<String>) -> Self {
        self.categories.commitment = Some(v.into());
        self
    }
    pub fn level(mut self, v: impl Into<String>) -> Self {
        self.categories.level = Some(v.into());
        self
    }
    pub fn description(mut self, v: impl Into<String>) -> Self {
        self.content.description = v.into();
        self
    }
    pub fn list(mut self, text: impl Into<String>, content: impl Into<String>) -> Self {
        self.content.lists.push(PostingList {
            text: text.into(),
            content: content.into(),
        });
        self
    }
    pub fn closing(mut self, v: impl Into<String>) -> Self {
        self.content.closing = v.into();
        self
    }
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }
    pub fn owner(mut self, user: impl Into<String>) -> Self {
        self.owner = Some(user.into());
        self
    }
    pub fn created_at(mut self, ms: i64) -> Self {
        self.created_at = Some(ms);
        self
    }
    pub fn updated_at(mut self, ms: i64) -> Self {
        self.updated_at = Some(ms);
        self
    }
}

/// A note as the fake stored it (first comment of the note; replies added with
/// `?note_id=` are in `replies`).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: String,
    pub value: String,
    pub secret: bool,
    pub score: Option<i64>,
    pub created_at: i64,
    /// `perform_as` user, if given.
    pub user: Option<String>,
    pub replies: Vec<String>,
}

/// One webhook delivery (after retries, if enabled).
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryResult {
    pub url: String,
    /// Final HTTP status; `0` when no response was received (connection error, timeout).
    pub status: u16,
    /// Number of attempts made (1 without retries).
    pub attempts: u32,
    pub event: String,
    /// The envelope that was POSTed (identical on every attempt).
    pub body: Value,
}

impl DeliveryResult {
    /// Whether the receiver answered 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}
