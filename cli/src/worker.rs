//! The in-process dispatcher for local runs: woken when the embedded store commits outbox
//! items, and on a timer as a safety net (the DynamoDB stream's role on AWS).

use screenhub::dispatcher::Dispatcher;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub fn spawn(dispatcher: Dispatcher, wake: Option<Arc<Notify>>, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match dispatcher.drain(100).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(handled = n, "outbox drained"),
                Err(e) => tracing::error!(error = %e, "outbox drain failed"),
            }
            match &wake {
                Some(n) => {
                    let _ = tokio::time::timeout(every, n.notified()).await;
                }
                None => tokio::time::sleep(every).await,
            }
        }
    })
}

/// The schedules of the deployed stack, on timers: the Lever tag poll and the expiry sweep.
pub fn spawn_schedules(
    poll: screenhub::poll::TagPoll,
    poll_every: Duration,
    sweep: screenhub::sweep::ExpirySweep,
    sweep_every: Duration,
) -> (JoinHandle<()>, JoinHandle<()>) {
    let polling = tokio::spawn(async move {
        let mut tick = tokio::time::interval(poll_every);
        loop {
            tick.tick().await;
            match poll.run(None).await {
                Ok(r) if r.opportunities > 0 => tracing::info!(?r, "tag poll"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "tag poll failed"),
            }
        }
    });
    let sweeping = tokio::spawn(async move {
        let mut tick = tokio::time::interval(sweep_every);
        loop {
            tick.tick().await;
            match sweep.run(None).await {
                Ok(r) if r.due > 0 => tracing::info!(?r, "expiry sweep"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "expiry sweep failed"),
            }
        }
    });
    (polling, sweeping)
}
