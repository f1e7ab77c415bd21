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
    pub fn created_at(mut self, ms: i64) -> Self {
        self.created_at = Some(ms);
        self
    }
    pub fn updated_at(mut self, ms: i64) -> Self {
        self.updated_at = Some(ms);
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
