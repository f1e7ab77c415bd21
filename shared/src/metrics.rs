//! CloudWatch embedded metric format (EMF): one JSON line on stdout per data point, which
//! Lambda's log pipeline turns into metrics without any API call. Metric names are the same
//! for every integration; what differs is in named dimensions (`Integration`, `Provider`,
//! `Reason`, `Effect`, `Tenant`, …) whose values are kinds, codes and tenant ids, never order
//! ids or PII.

use std::io::Write;

pub const NAMESPACE: &str = "Screenhub";

/// The EMF line for one count (pure, for tests).
pub fn emf_line(metric: &str, dims: &[(&str, &str)], value: u64, timestamp_ms: i64) -> String {
    let names: Vec<&str> = dims.iter().map(|(k, _)| *k).collect();
    let mut line = serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": [{ "Name": metric, "Unit": "Count" }]
            }]
        },
        metric: value
    });
    for (k, v) in dims {
        line[*k] = serde_json::Value::from(*v);
    }
    line.to_string()
}

/// Emit `metric` += 1 with these dimensions.
pub fn count(metric: &str, dims: &[(&str, &str)]) {
    count_n(metric, dims, 1);
}

/// Emit `metric` += `n` with these dimensions.
pub fn count_n(metric: &str, dims: &[(&str, &str)], n: usize) {
    let ts = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let line = emf_line(metric, dims, n as u64, ts);
    let _ = writeln!(std::io::stdout().lock(), "{line}");
    // The same data point in the (debug) log, where a test or an operator can follow it.
    let dimensions = dims
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    tracing::debug!(target: "screenhub::metrics", metric, dimensions, value = n, "metric");
}

#[cfg(test)]
mod tests {
    #[test]
    fn emf_line_names_the_metric_its_dimensions_and_value() {
        let line = super::emf_line(
            "OrdersRejected",
            &[("Integration", "alliance2020"), ("Reason", "missing_email")],
            1,
            7,
        );
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["OrdersRejected"], 1);
        let declared = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(declared["Metrics"][0]["Name"], "OrdersRejected");
        assert_eq!(
            declared["Dimensions"],
            serde_json::json!([["Integration", "Reason"]])
        );
        assert_eq!(v["Integration"], "alliance2020");
        assert_eq!(v["Reason"], "missing_email");
        let bare: serde_json::Value =
            serde_json::from_str(&super::emf_line("OrdersExpired", &[], 3, 7)).unwrap();
        assert_eq!(
            bare["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            serde_json::json!([[]])
        );
    }
}
