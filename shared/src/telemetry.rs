//! Logging setup: JSON lines (ids, statuses and codes; never payloads, secrets or PII).

use tracing_subscriber::EnvFilter;

/// JSON logs to stdout, level from `RUST_LOG` (default `info`). Safe to call twice.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        // Each line lists its spans: the Lambda runtime's (`requestId`) and ours (tenant,
        // order and outbox ids).
        .with_current_span(false)
        .with_span_list(true)
        .with_target(false)
        .without_time()
        .try_init();
}

/// Human-readable logs for the local run.
pub fn init_pretty() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
