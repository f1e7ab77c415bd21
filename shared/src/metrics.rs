//! CloudWatch embedded metric format (EMF): one JSON line on stdout per data point, which
//! Lambda's log pipeline turns into metrics without any API call. Dimensions are integration
//! names and reason codes only, never ids or PII.

use std::io::Write;

pub const NAMESPACE: &str = "Screenhub";

/// The EMF line for one count (pure, for tests).
pub fn emf_line(metric: &str, dimension: &str, value: u64, timestamp_ms: i64) -> String {
    serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["Dimension"]],
                "Metrics": [{ "Name": metric, "Unit": "Count" }]
            }]
        },
        "Dimension": dimension,
        metric: value
    })
    .to_string()
}

/// Emit `metric` += 1 for `dimension` (e.g. an integration or a reason code).
pub fn count(metric: &str, dimension: &str) {
    count_n(metric, dimension, 1);
}

/// Emit `metric` += `n` for `dimension`.
pub fn count_n(metric: &str, dimension: &str, n: usize) {
    let ts = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let line = emf_line(metric, dimension, n as u64, ts);
    let _ = writeln!(std::io::stdout().lock(), "{line}");
    // The same data point in the (debug) log, where a test or an operator can follow it.
    tracing::debug!(target: "screenhub::metrics", metric, dimension, value = n, "metric");
}

#[cfg(test)]
mod tests {
    #[test]
    fn emf_line_names_the_metric_and_its_value() {
        let v: serde_json::Value =
            serde_json::from_str(&super::emf_line("OrdersCreated", "alliance2020", 1, 7)).unwrap();
        assert_eq!(v["OrdersCreated"], 1);
        assert_eq!(
            v["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"],
            "OrdersCreated"
        );
        assert_eq!(v["Dimension"], "alliance2020");
    }
}
