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
