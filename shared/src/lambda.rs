//! The Lambda handlers, one per function, kept in the library so that tests invoke exactly
//! what the deployed functions run, with the events Lambda sends (see `events/`). Each
//! function's `main` only builds its parts once and hands every invocation to one of these.

use crate::api::{self, Hub};
use crate::dispatcher::Dispatcher;
use crate::outbound::deadline;
use crate::poll::TagPoll;
use crate::runtime::{ATTEMPT_MARGIN, deadline_before, invocation_deadline};
use crate::sweep::ExpirySweep;
use lambda_http::{Body, Request, RequestExt, Response};
use lambda_runtime::LambdaEvent;
use serde_json::Value;
use std::time::Duration;

/// Scheduled passes stop starting new work this long before their deadline.
const PASS_MARGIN: Duration = Duration::from_secs(10);

/// The HTTP routes, each served by its own function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpRoute {
    /// `POST /lever/webhooks/{tenant}` (and `GET /health`).
    LeverWebhook,
    /// `POST /callbacks/alliance2020/{tenant}`.
    AllianceCallback,
    /// `POST /callbacks/backgrounds-online/{tenant}`.
    BackgroundsOnlineCallback,
}

/// One API Gateway (HTTP API, payload 2.0) request to `route`'s function.
pub async fn http(hub: &Hub, route: HttpRoute, req: Request) -> Response<Body> {
    if route == HttpRoute::LeverWebhook && req.uri().path() == api::HEALTH_PATH {
        return api::health().into_http().map(Body::from);
    }
    let prefix = match route {
        HttpRoute::LeverWebhook => api::LEVER_WEBHOOK_PREFIX,
        HttpRoute::AllianceCallback => api::ALLIANCE_CALLBACK_PREFIX,
        HttpRoute::BackgroundsOnlineCallback => api::BACKGROUNDS_ONLINE_CALLBACK_PREFIX,
    };
    let tenant = api::tenant_of(
        req.path_parameters_ref().and_then(|p| p.first("tenant")),
        req.uri().path(),
        prefix,
    );
    let body = req.body().as_ref();
    let reply = match route {
        HttpRoute::LeverWebhook => api::lever_webhook::handle(hub, &tenant, body).await,
        HttpRoute::AllianceCallback => {
            api::alliance_callback::handle(hub, &tenant, req.headers(), body).await
        }
        HttpRoute::BackgroundsOnlineCallback => {
            api::backgrounds_online_callback::handle(hub, &tenant, req.headers(), body).await
        }
    };
    reply.into_http().map(Body::from)
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

/// The scheduled expiry and retention sweep (its input carries nothing it needs).
pub async fn expiry_sweep(sweep: &ExpirySweep, event: LambdaEvent<Value>) -> Result<Value, String> {
    let stop = deadline_before(event.context.deadline, PASS_MARGIN);
    let report = sweep.run(Some(stop)).await.map_err(|e| e.to_string())?;
    tracing::info!(?report, "expiry sweep finished");
    serde_json::to_value(report).map_err(|e| e.to_string())
}
