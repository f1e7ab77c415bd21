//! The in-process dispatcher for local runs: woken when the embedded store commits outbox
//! items, and on a timer as a safety net (the DynamoDB stream's role on AWS).

use screenhub::dispatcher::Dispatcher;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Each drain runs within `budget`, as one invocation of the deployed dispatcher runs within
/// its Lambda deadline: retries that do not fit are left for the next drain.
pub fn spawn(
    dispatcher: Dispatcher,
    wake: Option<Arc<Notify>>,
    every: Duration,
    budget: Duration,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let deadline = tokio::time::Instant::now() + budget;
            let drained = screenhub::outbound::deadline::within(
                deadline,
                screenhub::runtime::ATTEMPT_MARGIN,
                dispatcher.drain(100),
            )
            .await;
            match drained {
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
    let polling = spawn_every(poll_every, "tag poll", move || {
        let poll = poll.clone();
        async move {
            poll.run(None)
                .await
                .map(|r| (r.opportunities > 0).then_some(r))
        }
    });
    let sweeping = spawn_every(sweep_every, "expiry sweep", move || {
        let sweep = sweep.clone();
        async move {
            sweep
                .run(None)
                .await
                .map(|r| (r.due + r.scrubbed > 0).then_some(r))
        }
    });
    (polling, sweeping)
}

/// The provider status poll, every `every` (5 minutes when deployed): orders in flight
/// whose next poll is due are read at their provider.
pub fn spawn_status_poll(
    poll: screenhub::status_poll::StatusPoll,
    every: Duration,
) -> JoinHandle<()> {
    spawn_every(every, "status poll", move || {
        let poll = poll.clone();
        async move { poll.run(None).await.map(|r| (r.due > 0).then_some(r)) }
    })
}

/// The recruiting passes, each every `every` (5 minutes when deployed).
pub fn spawn_passes(
    passes: std::sync::Arc<screenhub::passes::PassRunner>,
    every: Duration,
) -> Vec<JoinHandle<()>> {
    use screenhub::domain::ats::lever_passes::Pass;
    Pass::ALL
        .into_iter()
        .map(|pass| {
            let passes = passes.clone();
            spawn_every(every, pass.display_name(), move || {
                let passes = passes.clone();
                async move {
                    passes
                        .run(pass, None)
                        .await
                        .map(|r| (r.actions + r.queued + r.synced > 0).then_some(r))
                }
            })
        })
        .collect()
}

/// Run `pass` every `period`; log its report when it did something, and its failures.
fn spawn_every<F, Fut, R, E>(period: Duration, what: &'static str, pass: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<Option<R>, E>> + Send,
    R: std::fmt::Debug,
    E: std::fmt::Display,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            match pass().await {
                Ok(Some(report)) => tracing::info!(?report, "{what}"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "{what} failed"),
            }
        }
    })
}
