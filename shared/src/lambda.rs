//! The Lambda handlers, one per function, kept in the library so that tests invoke exactly
//! what the deployed functions run, with the events Lambda sends (see `events/`). Each
//! function's `main` only builds its parts once and hands every invocation to one of these.

use crate::api::{self, Endpoint, Hub};
use crate::dispatcher::Dispatcher;
use crate::domain::ats::lever_passes::Pass;
use crate::outbound::deadline;
use crate::passes::PassRunner;
use crate::poll::TagPoll;
use crate::runtime::{ATTEMPT_MARGIN, deadline_before, invocation_deadline};
use crate::status_poll::StatusPoll;
use crate::sweep::ExpirySweep;
use lambda_http::{Body, Request, RequestExt, Response};
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use std::time::Duration;

/// Scheduled passes stop starting new work this long before their deadline.
const PASS_MARGIN: Duration = Duration::from_secs(10);

/// One API Gateway (HTTP API, payload 2.0) request to the function serving `endpoint`. What
/// the path names (tenant, order reference) is read from the path as the route table says,
/// else from API Gateway's path parameters; `GET /health` is the Lever webhook function's too.
pub async fn http(hub: &Hub, endpoint: Endpoint, req: Request) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let resolved = api::resolve(&path);
    let endpoint = match resolved {
        Some((r, _)) if r.endpoint == Endpoint::Health => Endpoint::Health,
        _ => endpoint,
    };
    let given = req.path_parameters_ref();
    let params = match resolved {
        Some((r, params)) if r.endpoint == endpoint => params,
        _ => api::Params {
            tenant: given.and_then(|p| p.first("tenant")).unwrap_or_default(),
            reference: given.and_then(|p| p.first("reference")).unwrap_or_default(),
            query: "",
        },
    };
    let params = api::Params {
        query: req.uri().query().unwrap_or_default(),
        ..params
    };
    api::serve(hub, endpoint, params, req.headers(), req.body().as_ref())
        .await
        .into_http()
        .map(Body::from)
}

/// One API Gateway request to a function serving several routes: the route is the one its
/// method and path name in the route table.
pub async fn http_routed(hub: &Hub, req: Request) -> Response<Body> {
    let target = match req.uri().query() {
        Some(q) => format!("{}?{q}", req.uri().path()),
        None => req.uri().path().to_owned(),
    };
    api::route(
        hub,
        req.method(),
        &target,
        req.headers(),
        req.body().as_ref(),
    )
    .await
    .into_http()
    .map(Body::from)
}

/// The effects dispatcher: a stream batch or the scheduled re-drive, every retry within the
/// invocation's deadline.
pub async fn dispatcher(d: &Dispatcher, event: LambdaEvent<Value>) -> Result<Value, String> {
    let budget = invocation_deadline(event.context.deadline);
    deadline::within(
        budget,
        ATTEMPT_MARGIN,
        crate::stream::handle(d, event.payload),
    )
    .await
}

/// The scheduled Lever tag poll (its input carries nothing it needs). Its Lever calls'
/// retries stay within the invocation's deadline too.
pub async fn tag_poll(poll: &TagPoll, event: LambdaEvent<Value>) -> Result<Value, String> {
    let stop = deadline_before(event.context.deadline, PASS_MARGIN);
    let budget = invocation_deadline(event.context.deadline);
    let report = deadline::within(budget, ATTEMPT_MARGIN, poll.run(Some(stop)))
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(?report, "tag poll finished");
    serde_json::to_value(report).map_err(|e| e.to_string())
}

/// A scheduled recruiting pass (its input carries nothing it needs). Its Lever calls'
/// retries stay within the invocation's deadline too.
pub async fn pass(
    runner: &PassRunner,
    pass: Pass,
    event: LambdaEvent<Value>,
) -> Result<Value, String> {
    let stop = deadline_before(event.context.deadline, PASS_MARGIN);
    let budget = invocation_deadline(event.context.deadline);
    let report = deadline::within(budget, ATTEMPT_MARGIN, runner.run(pass, Some(stop)))
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(?report, "pass finished");
    serde_json::to_value(report).map_err(|e| e.to_string())
}

/// The scheduled expiry and retention sweep (its input carries nothing it needs).
pub async fn expiry_sweep(sweep: &ExpirySweep, event: LambdaEvent<Value>) -> Result<Value, String> {
    let stop = deadline_before(event.context.deadline, PASS_MARGIN);
    let report = sweep.run(Some(stop)).await.map_err(|e| e.to_string())?;
    tracing::info!(?report, "expiry sweep finished");
    serde_json::to_value(report).map_err(|e| e.to_string())
}

/// The scheduled refresh of OAuth-connected tenants' Lever grants.
pub async fn lever_grant_refresh(
    refresh: &crate::lever_refresh::GrantRefresh,
    event: LambdaEvent<Value>,
) -> Result<Value, String> {
    let stop = deadline_before(event.context.deadline, PASS_MARGIN);
    let budget = invocation_deadline(event.context.deadline);
    let report = deadline::within(budget, ATTEMPT_MARGIN, async {
        refresh.run(Some(stop)).await.map_err(|e| e.to_string())
    })
    .await?;
    serde_json::to_value(report).map_err(|e| e.to_string())
}

/// The scheduled provider status poll (its input carries nothing it needs). Each provider
/// call is bounded by the HTTP timeout; no new order is read within the margin.
pub async fn status_poll(poll: &StatusPoll, event: LambdaEvent<Value>) -> Result<Value, String> {
    let stop = deadline_before(event.context.deadline, PASS_MARGIN);
    let report = poll.run(Some(stop)).await.map_err(|e| e.to_string())?;
    tracing::info!(?report, "status poll finished");
    serde_json::to_value(report).map_err(|e| e.to_string())
}
