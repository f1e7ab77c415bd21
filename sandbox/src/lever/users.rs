//! Lever users (`GET /users[/:user]`) and the `perform_as` check of writes that require it.

use serde_json::{Value, json};

use super::error::ApiError;
use super::paging::{fingerprint, paginate};
use super::query::{any_or_all, list_envelope, param_bool, param_limit, params_all};
use super::state::{LeverState, new_id};

/// A user of the fake account (shape of `users-list.json`).
#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub access_role: String,
    pub created_at: i64,
    pub deactivated_at: Option<i64>,
}

impl User {
    fn render(&self) -> Value {
        let username = self.email.split('@').next().unwrap_or_default();
        json!({
            "id": self.id,
            "name": self.name,
            "username": username,
            "email": self.email,
            "createdAt": self.created_at,
            "deactivatedAt": self.deactivated_at,
            "externalDirectoryId": null,
            "accessRole": self.access_role,
            "photo": null,
            "linkedContactIds": null,
            "jobTitle": null,
            "managerId": null,
        })
    }
}

impl LeverState {
    pub fn add_user(&mut self, name: String, email: String, access_role: String) -> String {
        let id = new_id();
        let created_at = self.tick();
        self.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                name,
                email,
                access_role,
                created_at,
                deactivated_at: None,
            },
        );
        id
    }

    pub fn deactivate_user(&mut self, id: &str) -> Result<(), ApiError> {
        let now = self.tick();
        let user = self
            .users
            .get_mut(id)
            .ok_or_else(|| ApiError::not_found("users", id))?;
        user.deactivated_at.get_or_insert(now);
        Ok(())
    }

    /// The `perform_as` user of a write that requires one: known and not deactivated.
    pub fn perform_as(&self, perform_as: Option<&str>) -> Result<String, ApiError> {
        let id = perform_as.filter(|id| !id.is_empty()).ok_or_else(|| {
            ApiError::bad_request("Missing perform_as parameter: perform_as is required")
        })?;
        match self.users.get(id) {
            None => Err(ApiError::bad_request(format!(
                "perform_as user not found: {id}"
            ))),
            Some(u) if u.deactivated_at.is_some() => Err(ApiError::bad_request(format!(
                "perform_as user not found: user {id} is deactivated"
            ))),
            Some(u) => Ok(u.id.clone()),
        }
    }

    pub fn render_user(&self, id: &str) -> Result<Value, ApiError> {
        self.users
            .get(id)
            .map(User::render)
            .ok_or_else(|| ApiError::not_found("users", id))
    }

    /// `GET /users`: `email` (exact, case-insensitive), `accessRole` (also `accessRole[]`),
    /// `includeDeactivated` (default false), paged by `createdAt`.
    pub fn list_users(&self, params: &[(String, String)]) -> Result<Value, ApiError> {
        let emails = params_all(params, "email");
        let mut roles = params_all(params, "accessRole");
        roles.extend(params_all(params, "accessRole[]"));
        let include_deactivated = param_bool(params, "includeDeactivated")?.unwrap_or(false);
        let limit = param_limit(params)?;
        let offset = params_all(params, "offset").last().copied();
        let fp = fingerprint("users", params);
        let rows = self
            .users
            .values()
            .filter(|u| {
                any_or_all(&emails, |e| u.email.eq_ignore_ascii_case(e))
                    && any_or_all(&roles, |r| u.access_role == r)
                    && (include_deactivated || u.deactivated_at.is_none())
            })
            .map(|u| ((u.created_at, u.id.clone()), u.render()))
            .collect();
        let page = paginate(rows, &fp, limit, offset)?;
        Ok(list_envelope(page.items, page.next, page.has_next))
    }
}
