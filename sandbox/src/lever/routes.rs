//! HTTP surface of the fake Lever: the Data API v1 (everything under `/v1`, authenticated)
//! and the OAuth authorization server's `/authorize` and `/oauth/token` (see `oauth_routes`).

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, http::Uri};
use base64::Engine as _;
use serde_json::{Value, json};

use super::Inner;
use super::create::object_body;
use super::error::ApiError;
use super::oauth::AccessRefusal;
use super::oauth_routes;
use super::query::Expand;
use super::webhooks;
use crate::fault::traffic_layer;
use crate::server::lock;

type Params = Query<Vec<(String, String)>>;
type Shared = State<Arc<Inner>>;
type ApiResult = Result<Response, ApiError>;

pub(crate) fn router(inner: Arc<Inner>) -> Router {
    let v1 = Router::new()
        .route(
            "/opportunities",
            get(list_opportunities).post(create_opportunity),
        )
        .route("/opportunities/deleted", get(list_deleted_opportunities))
        .route("/opportunities/{id}", get(get_opportunity))
        .route("/opportunities/{id}/addTags", post(add_tags))
        .route("/opportunities/{id}/removeTags", post(remove_tags))
        .route(
            "/opportunities/{id}/notes",
            post(create_note).get(list_notes),
        )
        .route("/opportunities/{id}/stage", put(put_stage))
        .route("/opportunities/{id}/resumes", get(list_resumes))
        .route("/opportunities/{id}/resumes/{resume}", get(get_resume))
        .route("/postings", get(list_postings))
        .route("/postings/{id}", get(get_posting))
        .route("/stages", get(list_stages))
        .route("/stages/{id}", get(get_stage))
        .route("/tags", get(list_tags))
        .route("/users", get(list_users))
        .route("/users/{id}", get(get_user))
        .route("/webhooks", post(create_webhook).get(list_webhooks))
        .route("/webhooks/{id}", delete(delete_webhook))
        .fallback(not_found);
    let data_api = Router::new()
        .nest("/v1", v1)
        // Not Lever's API (which cannot delete): what a user does in Lever's UI, for the
        // local run. `?notify=false` deletes without the `candidateDeleted` webhook (a
        // delivery Lever never made or the hub never got).
        .route(
            "/sandbox/opportunities/{id}/delete",
            post(admin_delete_opportunity),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(inner.clone(), auth_layer));
    // Lever's authorization server (`auth.lever.co`), at the root: no API credential, but
    // logged and faultable like everything else.
    Router::new()
        .route("/authorize", get(oauth_routes::authorize))
        .route("/oauth/token", post(oauth_routes::token))
        .merge(data_api)
        .layer(middleware::from_fn_with_state(
            inner.traffic.clone(),
            traffic_layer,
        ))
        .with_state(inner)
}

/// The credential of a request: Basic username (the API key; password ignored, Lever's is
/// empty) or a Bearer token (OAuth style).
pub(crate) fn key_of(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    if let Some(encoded) = value.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let user = text.split_once(':').map_or(text.as_str(), |(u, _)| u);
        return Some(user.to_owned());
    }
    value.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

/// How a Data API request was authenticated (a request extension set by `auth_layer`).
#[derive(Debug, Clone)]
pub(crate) enum Credential {
    /// A customer's API key: every endpoint (the fake does not model per-key permissions).
    ApiKey,
    /// An OAuth access token carrying its grant's scopes.
    OAuth { scopes: Vec<String> },
}

impl Credential {
    /// 403 `ForbiddenError` for an OAuth token holding none of `any_of`. Only the webhook
    /// routes check scopes (Lever's endpoint↔scope table is not published for the rest).
    fn require(&self, any_of: &[&str]) -> Result<(), ApiError> {
        match self {
            Credential::ApiKey => Ok(()),
            Credential::OAuth { scopes } if scopes.iter().any(|s| any_of.contains(&s.as_str())) => {
                Ok(())
            }
            Credential::OAuth { .. } => Err(ApiError {
                status: 403,
                code: "ForbiddenError",
                message: format!(
                    "Insufficient scope: this endpoint requires {}",
                    any_of.join(" or ")
                ),
            }),
        }
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError {
        status: 401,
        code: "UnauthorizedError",
        message: message.into(),
    }
}

/// 401 unless the credential is a known API key (Basic username or Bearer) or a live OAuth
/// access token (Bearer); then the token bucket, if enabled: per API key, per grant for
/// OAuth (Lever's OAuth bucket is UNCONFIRMED).
async fn auth_layer(State(inner): Shared, mut req: Request, next: Next) -> Response {
    let key = key_of(req.headers());
    let is_bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    let verdict = {
        let mut state = lock(&inner.state);
        let now = state.now_ms();
        let who = match key {
            Some(k) if state.keys.contains(&k) => Ok((k, Credential::ApiKey)),
            Some(k) if is_bearer => match state.oauth.access(&k, now) {
                Ok(grant) => Ok((
                    format!("oauth-grant:{}", grant.id),
                    Credential::OAuth {
                        scopes: grant.scopes.clone(),
                    },
                )),
                Err(AccessRefusal::Expired) => Err(unauthorized("The access token has expired")),
                Err(AccessRefusal::Revoked) => Err(unauthorized(
                    "The access token has been revoked: this app's access was revoked",
                )),
                Err(AccessRefusal::Unknown) => Err(unauthorized("Invalid access token")),
            },
            _ => Err(unauthorized(
                "Invalid API key: use HTTP Basic auth with the API key as username and an empty password",
            )),
        };
        who.and_then(|(bucket, credential)| {
            let allowed = state
                .rate
                .as_mut()
                .is_none_or(|rl| rl.allow(&bucket, Instant::now()));
            if allowed {
                Ok(credential)
            } else {
                Err(ApiError {
                    status: 429,
                    code: "TooManyRequests",
                    message: "Rate limit exceeded, retry with exponential backoff".into(),
                })
            }
        })
    };
    match verdict {
        Ok(credential) => {
            req.extensions_mut().insert(credential);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError {
        status: 404,
        code: "ResourceNotFound",
        message: format!("{} was not found", uri.path()),
    }
}

fn ok(body: Value) -> ApiResult {
    Ok(Json(body).into_response())
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn json_body(bytes: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))
}

fn tags_of(body: &Value) -> Result<Vec<String>, ApiError> {
    body.get("tags")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .map(|t| t.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
        })
        .ok_or_else(|| ApiError::bad_request("tags must be an array of strings"))
}

async fn get_opportunity(
    State(inner): Shared,
    Path(id): Path<String>,
    Query(p): Params,
) -> ApiResult {
    let data = lock(&inner.state).render_opportunity(&id, Expand::from_params(&p))?;
    ok(json!({ "data": data }))
}

async fn list_opportunities(State(inner): Shared, Query(p): Params) -> ApiResult {
    ok(lock(&inner.state).list_opportunities(&p)?)
}

async fn list_deleted_opportunities(State(inner): Shared, Query(p): Params) -> ApiResult {
    ok(lock(&inner.state).list_deleted_opportunities(&p)?)
}

/// `POST /opportunities?perform_as=…`: 201 `{"data": <opportunity>, "deduped": bool}`. No
/// webhook is sent (creation is not a stage change).
async fn create_opportunity(State(inner): Shared, Query(p): Params, body: Bytes) -> ApiResult {
    let mut state = lock(&inner.state);
    let user = state.perform_as(param(&p, "perform_as"))?;
    let body = object_body(&body)?;
    let posting_owner = param(&p, "perform_as_posting_owner") == Some("true");
    let created = state.create_opportunity(&body, &user, posting_owner)?;
    let data = state.render_opportunity(&created.id, Expand::from_params(&p))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"data": data, "deduped": created.deduped})),
    )
        .into_response())
}

async fn list_resumes(State(inner): Shared, Path(id): Path<String>, Query(p): Params) -> ApiResult {
    ok(lock(&inner.state).list_resumes(&id, &p)?)
}

async fn get_resume(State(inner): Shared, Path((id, resume)): Path<(String, String)>) -> ApiResult {
    let data = lock(&inner.state).render_resume(&id, &resume)?;
    ok(json!({ "data": data }))
}

async fn list_users(State(inner): Shared, Query(p): Params) -> ApiResult {
    ok(lock(&inner.state).list_users(&p)?)
}

async fn get_user(State(inner): Shared, Path(id): Path<String>) -> ApiResult {
    let data = lock(&inner.state).render_user(&id)?;
    ok(json!({ "data": data }))
}

async fn add_tags(
    State(inner): Shared,
    Path(id): Path<String>,
    Query(p): Params,
    body: Bytes,
) -> ApiResult {
    let tags = tags_of(&json_body(&body)?)?;
    let mut state = lock(&inner.state);
    state.add_tags(&id, &tags)?;
    let data = state.render_opportunity(&id, Expand::from_params(&p))?;
    ok(json!({ "data": data }))
}

async fn remove_tags(
    State(inner): Shared,
    Path(id): Path<String>,
    Query(p): Params,
    body: Bytes,
) -> ApiResult {
    let tags = tags_of(&json_body(&body)?)?;
    let mut state = lock(&inner.state);
    state.remove_tags(&id, &tags)?;
    let data = state.render_opportunity(&id, Expand::from_params(&p))?;
    ok(json!({ "data": data }))
}

async fn create_note(
    State(inner): Shared,
    Path(id): Path<String>,
    Query(p): Params,
    body: Bytes,
) -> ApiResult {
    let body = json_body(&body)?;
    let user = param(&p, "perform_as").map(str::to_owned);
    let note_id = lock(&inner.state).add_note(&id, &body, user, param(&p, "note_id"))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"data": {"noteId": note_id}})),
    )
        .into_response())
}

async fn list_notes(State(inner): Shared, Path(id): Path<String>) -> ApiResult {
    ok(lock(&inner.state).render_notes(&id)?)
}

/// Move the stage, answer at once, and deliver `candidateStageChange` in the background
/// (Lever notifies asynchronously; tests can wait with `FakeLever::wait_for_deliveries`).
async fn put_stage(
    State(inner): Shared,
    Path(id): Path<String>,
    Query(p): Params,
    body: Bytes,
) -> ApiResult {
    let body = json_body(&body)?;
    let stage = body
        .get("stage")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::bad_request("Missing required field: stage"))?;
    let user = param(&p, "perform_as").map(str::to_owned);
    let (moved, data) = {
        let mut state = lock(&inner.state);
        let moved = state.set_stage(&id, stage, user)?;
        (
            moved,
            state.render_opportunity(&id, Expand::from_params(&p))?,
        )
    };
    if let Some(mv) = moved {
        let inner = inner.clone();
        tokio::spawn(async move {
            webhooks::fire(
                &inner,
                "candidateStageChange",
                mv.data,
                mv.origin.as_deref(),
            )
            .await;
        });
    }
    ok(json!({ "data": data }))
}

/// Delete the opportunity, answer at once, and deliver `candidateDeleted` in the background
/// (unless `notify=false`).
async fn admin_delete_opportunity(
    State(inner): Shared,
    Path(id): Path<String>,
    Query(p): Params,
) -> ApiResult {
    let notify = match param(&p, "notify") {
        None | Some("true") => true,
        Some("false") => false,
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "Invalid value for notify: {v}"
            )));
        }
    };
    let (data, origin) = lock(&inner.state).delete_opportunity(&id, None)?;
    if notify {
        let inner = inner.clone();
        tokio::spawn(async move {
            webhooks::fire(&inner, "candidateDeleted", data, origin.as_deref()).await;
        });
    }
    ok(json!({ "data": { "deleted": id } }))
}

async fn get_posting(State(inner): Shared, Path(id): Path<String>) -> ApiResult {
    let data = lock(&inner.state).render_posting(&id)?;
    ok(json!({ "data": data }))
}

async fn list_postings(State(inner): Shared, Query(p): Params) -> ApiResult {
    ok(lock(&inner.state).list_postings(&p)?)
}

async fn list_stages(State(inner): Shared) -> ApiResult {
    ok(lock(&inner.state).render_stages())
}

async fn get_stage(State(inner): Shared, Path(id): Path<String>) -> ApiResult {
    ok(lock(&inner.state).render_stage(&id)?)
}

async fn list_tags(State(inner): Shared) -> ApiResult {
    ok(lock(&inner.state).render_tags())
}

const WEBHOOKS_WRITE: &str = "webhooks:write:admin";
const WEBHOOKS_READ: &str = "webhooks:read:admin";

/// `POST /webhooks`: 201 `{"data": {id, event, url, configuration: {…, signatureToken},
/// createdAt, updatedAt}}` (single `data`, as clients read it). OAuth: `webhooks:write:admin`.
async fn create_webhook(
    State(inner): Shared,
    Extension(credential): Extension<Credential>,
    body: Bytes,
) -> ApiResult {
    credential.require(&[WEBHOOKS_WRITE])?;
    let body = json_body(&body)?;
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ApiError::bad_request(format!("Missing required field: {name}")))
    };
    let (url, event) = (field("url")?, field("event")?);
    let configuration = body.get("configuration").cloned().unwrap_or(Value::Null);
    let hook = lock(&inner.state).create_webhook(url, event, configuration)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"data": hook.render(true)})),
    )
        .into_response())
}

/// `GET /webhooks`, without signature tokens. OAuth: `webhooks:read:admin` (or write).
async fn list_webhooks(
    State(inner): Shared,
    Extension(credential): Extension<Credential>,
) -> ApiResult {
    credential.require(&[WEBHOOKS_READ, WEBHOOKS_WRITE])?;
    let data: Vec<Value> = lock(&inner.state)
        .webhooks
        .iter()
        .map(|w| w.render(false))
        .collect();
    ok(json!({ "data": data }))
}

/// `DELETE /webhooks/:id`: 204. OAuth: `webhooks:write:admin`.
async fn delete_webhook(
    State(inner): Shared,
    Extension(credential): Extension<Credential>,
    Path(id): Path<String>,
) -> ApiResult {
    credential.require(&[WEBHOOKS_WRITE])?;
    lock(&inner.state).delete_webhook(&id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
