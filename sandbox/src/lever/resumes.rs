//! Resumes of an opportunity (`GET /opportunities/:id/resumes[/:resume]`), in the shape of
//! `resume-get.json` / `resumes-list.json`.

use serde_json::{Value, json};

use super::error::ApiError;
use super::model::{NewResume, ParsedPosition, ParsedSchool, YearMonth};
use super::query::{in_range, param_ms};
use super::state::{LeverState, new_id};

#[derive(Debug, Clone)]
pub(crate) struct ResumeRec {
    pub id: String,
    pub created_at: i64,
    pub uploaded_at: i64,
    pub seed: NewResume,
}

impl ResumeRec {
    /// Store a seed; `created_at` is used when the seed has none.
    pub fn new(seed: NewResume, created_at: i64) -> Self {
        let created_at = seed.created_at.unwrap_or(created_at);
        ResumeRec {
            id: seed.id.clone().unwrap_or_else(new_id),
            created_at,
            uploaded_at: seed.uploaded_at.unwrap_or(created_at),
            seed,
        }
    }

    fn status(&self) -> &str {
        self.seed.status.as_deref().unwrap_or("processed")
    }

    fn render(&self, opportunity: &str) -> Value {
        let s = &self.seed;
        let ext = s.ext.clone().unwrap_or_else(|| {
            s.name
                .rsplit_once('.')
                .map(|(_, ext)| ext.to_owned())
                .unwrap_or_default()
        });
        let mut body = json!({
            "id": self.id,
            "createdAt": self.created_at,
            "file": {
                "name": s.name,
                "ext": ext,
                "downloadUrl": format!(
                    "https://hire.lever.co/candidates/{opportunity}/resumes/{}/download",
                    self.id
                ),
                "uploadedAt": self.uploaded_at,
                "status": self.status(),
                "size": s.size.unwrap_or(0),
            },
        });
        if self.status() == "processed" {
            body["parsedData"] = json!({
                "positions": s.positions.iter().map(position).collect::<Vec<_>>(),
                "schools": s.schools.iter().map(school).collect::<Vec<_>>(),
            });
        }
        body
    }
}

fn year_month(d: Option<YearMonth>) -> Value {
    d.map_or(Value::Null, |d| json!({"year": d.year, "month": d.month}))
}

fn position(p: &ParsedPosition) -> Value {
    json!({
        "org": p.org,
        "title": p.title,
        "summary": p.summary,
        "location": p.location,
        "start": year_month(p.start),
        "end": year_month(p.end),
    })
}

fn school(s: &ParsedSchool) -> Value {
    json!({
        "org": s.org,
        "degree": s.degree,
        "field": s.field,
        "summary": s.summary,
        "start": year_month(s.start),
        "end": year_month(s.end),
    })
}

impl LeverState {
    /// Attach a resume to an existing opportunity (bumps its `updatedAt`); returns its id.
    pub fn add_resume(&mut self, id: &str, seed: NewResume) -> Result<String, ApiError> {
        self.opp(id)?;
        let now = self.tick();
        let o = self.opp_mut(id)?;
        let resume = ResumeRec::new(seed, now);
        let resume_id = resume.id.clone();
        o.resumes.push(resume);
        o.updated_at = now.max(o.updated_at + 1);
        Ok(resume_id)
    }

    pub fn render_resume(&self, id: &str, resume: &str) -> Result<Value, ApiError> {
        let o = self.opp(id)?;
        o.resumes
            .iter()
            .find(|r| r.id == resume)
            .map(|r| r.render(&o.id))
            .ok_or_else(|| ApiError::not_found("resumes", resume))
    }

    /// `GET /opportunities/:id/resumes`: `{"data": [...]}` (not paged, as documented), newest
    /// first, filtered by `uploaded_at_start/_end` (ms, inclusive).
    pub fn list_resumes(&self, id: &str, params: &[(String, String)]) -> Result<Value, ApiError> {
        let (start, end) = (
            param_ms(params, "uploaded_at_start")?,
            param_ms(params, "uploaded_at_end")?,
        );
        let o = self.opp(id)?;
        let mut kept: Vec<&ResumeRec> = o
            .resumes
            .iter()
            .filter(|r| in_range(r.uploaded_at, start, end))
            .collect();
        kept.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        let data: Vec<Value> = kept.iter().map(|r| r.render(&o.id)).collect();
        Ok(json!({ "data": data }))
    }
}
