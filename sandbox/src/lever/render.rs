//! Rendering the fake account's records in Lever's documented JSON shapes.

use serde_json::{Value, json};

use super::error::ApiError;
use super::model::{Consent, DataProtection, Note};
use super::query::Expand;
use super::state::{Application, Deleted, LeverState, Opportunity};

/// `dataProtection`: null when the account records no consent, else `{store, contact}`.
fn render_data_protection(dp: Option<&DataProtection>) -> Value {
    let consent = |c: &Option<Consent>| {
        c.as_ref()
            .map(|c| json!({"allowed": c.allowed, "expiresAt": c.expires_at}))
    };
    dp.map_or(
        Value::Null,
        |dp| json!({"store": consent(&dp.store), "contact": consent(&dp.contact)}),
    )
}

impl LeverState {
    pub fn render_opportunity(&self, id: &str, expand: Expand) -> Result<Value, ApiError> {
        Ok(self.render_opp(self.opp(id)?, expand))
    }

    /// A deleted opportunity as `GET /opportunities/deleted` lists it: as it was, with
    /// `deletedAt` and `deletedBy`.
    pub fn render_deleted(&self, d: &Deleted, expand: Expand) -> Value {
        let mut body = self.render_opp(&d.opportunity, expand);
        body["deletedAt"] = json!(d.deleted_at);
        body["deletedBy"] = json!(d.deleted_by);
        body
    }

    fn render_opp(&self, o: &Opportunity, expand: Expand) -> Value {
        let s = &o.seed;
        let stage = if expand.stage {
            let text = self
                .stages
                .iter()
                .find(|st| st.id == o.stage)
                .map(|st| st.text.clone());
            json!({"id": o.stage, "text": text})
        } else {
            json!(o.stage)
        };
        let applications: Vec<Value> = o
            .application
            .iter()
            .map(|a| {
                if expand.applications {
                    self.render_application(o, a)
                } else {
                    json!(a.id)
                }
            })
            .collect();
        let phones: Vec<Value> = s
            .phones
            .iter()
            .map(|p| match &p.kind {
                Some(kind) => json!({"type": kind, "value": p.value}),
                None => json!({"value": p.value}),
            })
            .collect();
        let archived = s
            .archived
            .as_ref()
            .map(|a| json!({"reason": a.reason, "archivedAt": a.archived_at}));
        let origin = s.origin.clone().unwrap_or_else(|| {
            if o.application.is_some() {
                "applied".into()
            } else {
                "sourced".into()
            }
        });
        json!({
            "id": o.id,
            "name": s.name,
            "headline": s.headline.clone().unwrap_or_default(),
            "contact": o.contact,
            "emails": s.emails,
            "phones": phones,
            "confidentiality": s.confidentiality.clone().unwrap_or_else(|| "non-confidential".into()),
            "location": s.location.clone().unwrap_or_default(),
            "links": s.links,
            "createdAt": o.created_at,
            "updatedAt": o.updated_at,
            "lastInteractionAt": o.last_interaction_at,
            "lastAdvancedAt": o.last_advanced_at,
            "snoozedUntil": null,
            "archivedAt": s.archived.as_ref().map(|a| a.archived_at),
            "archiveReason": s.archived.as_ref().map(|a| a.reason.clone()),
            "archived": archived,
            "stage": stage,
            "stageChanges": o.stage_changes,
            "owner": s.owner,
            "tags": s.tags,
            "sources": s.sources,
            "origin": origin,
            "sourcedBy": s.sourced_by,
            "applications": applications,
            "resume": null,
            "followers": s.followers,
            "urls": {
                "list": "https://hire.lever.co/candidates",
                "show": format!("https://hire.lever.co/candidates/{}", o.id),
            },
            "dataProtection": render_data_protection(s.data_protection.as_ref()),
            "isAnonymized": o.anonymized,
        })
    }

    fn render_application(&self, o: &Opportunity, a: &Application) -> Value {
        let s = &o.seed;
        let posting = self.postings.get(&a.posting);
        json!({
            "id": a.id,
            "opportunityId": o.id,
            "candidateId": o.id,
            "createdAt": a.created_at,
            "type": a.kind,
            "posting": a.posting,
            "postingOwner": posting.and_then(|p| p.seed.owner.clone()),
            "postingHiringManager": posting.and_then(|p| p.seed.hiring_manager.clone()),
            "user": null,
            "name": s.name,
            "email": s.emails.first(),
            "phone": s.phones.first().map(|p| json!({"type": p.kind, "value": p.value})),
            "company": null,
            "links": s.links,
            "comments": null,
            "customQuestions": [],
            "archived": null,
            "requisitionForHire": null,
        })
    }

    pub fn render_posting(&self, id: &str) -> Result<Value, ApiError> {
        let p = self
            .postings
            .get(id)
            .ok_or_else(|| ApiError::not_found("postings", id))?;
        let s = &p.seed;
        let c = &s.categories;
        let all_locations = if c.all_locations.is_empty() {
            c.location.iter().cloned().collect()
        } else {
            c.all_locations.clone()
        };
        let lists: Vec<Value> = s
            .content
            .lists
            .iter()
            .map(|l| json!({"text": l.text, "content": l.content}))
            .collect();
        let html = |plain: &str| {
            if plain.is_empty() {
                String::new()
            } else {
                format!("<div>{plain}</div>")
            }
        };
        let channels = if s.distribution_channels.is_empty() {
            vec!["internal".to_owned(), "public".to_owned()]
        } else {
            s.distribution_channels.clone()
        };
        Ok(json!({
            "id": p.id,
            "text": s.text,
            "createdAt": p.created_at,
            "updatedAt": p.updated_at,
            "user": s.owner,
            "owner": s.owner,
            "hiringManager": s.hiring_manager,
            "confidentiality": s.confidentiality.clone().unwrap_or_else(|| "non-confidential".into()),
            "categories": {
                "team": c.team,
                "department": c.department,
                "location": c.location,
                "allLocations": all_locations,
                "commitment": c.commitment,
                "level": c.level,
            },
            "content": {
                "description": s.content.description,
                "descriptionHtml": s.content.description_html.clone().unwrap_or_else(|| html(&s.content.description)),
                "lists": lists,
                "closing": s.content.closing,
                "closingHtml": s.content.closing_html.clone().unwrap_or_else(|| html(&s.content.closing)),
            },
            "country": s.country,
            "tags": s.tags,
            "state": s.state.clone().unwrap_or_else(|| "published".into()),
            "distributionChannels": channels,
            "reqCode": null,
            "requisitionCodes": [],
            "urls": {
                "list": "https://jobs.lever.co/example",
                "show": format!("https://jobs.lever.co/example/{}", p.id),
                "apply": format!("https://jobs.lever.co/example/{}/apply", p.id),
            },
            "workplaceType": s.workplace_type.clone().unwrap_or_else(|| "unspecified".into()),
        }))
    }

    pub fn render_stages(&self) -> Value {
        let data: Vec<Value> = self
            .stages
            .iter()
            .map(|s| json!({"id": s.id, "text": s.text}))
            .collect();
        json!({ "data": data })
    }

    pub fn render_stage(&self, id: &str) -> Result<Value, ApiError> {
        self.stages
            .iter()
            .find(|s| s.id == id)
            .map(|s| json!({"data": {"id": s.id, "text": s.text}}))
            .ok_or_else(|| ApiError::not_found("stages", id))
    }

    pub fn render_tags(&self) -> Value {
        let mut counts: Vec<(String, usize)> = Vec::new();
        let all = self
            .opportunities
            .values()
            .flat_map(|o| o.seed.tags.iter())
            .chain(self.postings.values().flat_map(|p| p.seed.tags.iter()));
        for tag in all {
            match counts.iter_mut().find(|(t, _)| t == tag) {
                Some((_, n)) => *n += 1,
                None => counts.push((tag.clone(), 1)),
            }
        }
        let data: Vec<Value> = counts
            .into_iter()
            .map(|(text, count)| json!({"text": text, "count": count}))
            .collect();
        json!({ "data": data })
    }

    pub fn notes(&self, id: &str) -> Result<Vec<Note>, ApiError> {
        Ok(self
            .opp(id)?
            .notes
            .iter()
            .map(|n| Note {
                id: n.id.clone(),
                value: n
                    .fields
                    .first()
                    .map(|f| f.value.clone())
                    .unwrap_or_default(),
                secret: n.secret,
                score: n.fields.first().and_then(|f| f.score),
                created_at: n.created_at,
                user: n.user.clone(),
                replies: n.fields.iter().skip(1).map(|f| f.value.clone()).collect(),
            })
            .collect())
    }

    pub fn render_notes(&self, id: &str) -> Result<Value, ApiError> {
        let data: Vec<Value> = self
            .opp(id)?
            .notes
            .iter()
            .map(|n| {
                let fields: Vec<Value> = n
                    .fields
                    .iter()
                    .map(|f| {
                        json!({
                            "type": "note",
                            "text": "Comment",
                            "value": f.value,
                            "createdAt": f.created_at,
                            "user": f.user,
                            "score": f.score,
                            "stage": f.stage,
                        })
                    })
                    .collect();
                json!({
                    "id": n.id,
                    "text": "Note",
                    "fields": fields,
                    "user": n.user,
                    "secret": n.secret,
                    "completedAt": n.created_at,
                    "createdAt": n.created_at,
                    "deletedAt": null,
                })
            })
            .collect();
        Ok(json!({"data": data, "hasNext": false}))
    }
}
