//! Lambda: the daily refresh of every OAuth-connected tenant's Lever grant not refreshed for a
//! week, so a quiet tenant never reaches Lever's 90-day idle expiry; also counts the tenants
//! still disconnected for the alarm (`screenhub::lambda::lever_grant_refresh`).

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let refresh = screenhub::runtime::aws_lever_refresh().await?;
    run(service_fn(|event: LambdaEvent<Value>| async {
        screenhub::lambda::lever_grant_refresh(&refresh, event)
            .await
            .map_err(Error::from)
    }))
    .await
}
