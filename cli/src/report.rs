//! What `screenhub orders` prints: an opportunity's orders and their audit trails, with ids,
//! statuses and causes only (no candidate data, which stays in the table).

use screenhub::domain::{AuditEntry, Order};
use std::fmt::Write;

fn time(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// One block per order: a header line, the recruiter-facing reason if any, then the trail.
pub fn order_report(order: &Order, trail: &[AuditEntry]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "order {} route={} provider={} status={} version={} provider_ref={} created={} updated={}{}",
        order.id,
        order.route,
        order.provider.as_str(),
        order.status.as_str(),
        order.version,
        order.provider_ref.as_deref().unwrap_or("-"),
        time(order.created_at),
        time(order.updated_at),
        order
            .scrubbed_at
            .map(|t| format!(" scrubbed={}", time(t)))
            .unwrap_or_default(),
    );
    if let Some(expires) = order.expires_at {
        let _ = writeln!(out, "  expires {}", time(expires));
    }
    if let Some(percent) = order.percent_complete {
        let _ = writeln!(out, "  provider progress {percent}%");
    }
    if let Some(reason) = &order.reason {
        let _ = writeln!(out, "  reason: {reason}");
    }
    if let Some(why) = &order.attention {
        let _ = writeln!(out, "  ATTENTION: {why}");
    }
    for warning in &order.warnings {
        let _ = writeln!(out, "  warning: {warning}");
    }
    for line in &order.services {
        let _ = writeln!(out, "  service {}: {}", line.name, line.status.as_str());
    }
    if let Some(adverse) = &order.adverse {
        let _ = writeln!(
            out,
            "  adverse action: pre-adverse notice {}{}",
            adverse
                .pre_notice_at
                .map(time)
                .unwrap_or_else(|| "-".into()),
            if adverse.dispute_open {
                ", dispute open"
            } else {
                ""
            }
        );
    }
    for e in trail {
        let _ = writeln!(
            out,
            "  v{} {} {} -> {} ({}){}",
            e.version,
            time(e.at),
            e.from.map_or("-", |s| s.as_str()),
            e.to.as_str(),
            e.cause,
            e.refused
                .as_deref()
                .map(|why| format!(" REFUSED: {why}, nothing changed"))
                .unwrap_or_default()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use screenhub::domain::order::ScreeningResult;
    use screenhub::domain::{AtsKind, OrderStatus, Pairing, ProviderKind, TenantId};
    use time::macros::datetime;

    #[test]
    fn shows_statuses_and_causes_but_no_candidate_data() {
        let mut before = Order::new(
            TenantId::parse("acme").unwrap(),
            &Pairing::new("alliance2020", AtsKind::Lever, ProviderKind::Alliance2020),
            "opp-1".into(),
            datetime!(2026-11-01 09:00 UTC),
        );
        let mut order = before.next(datetime!(2026-11-02 10:00 UTC));
        order.status = OrderStatus::Complete;
        order.provider_ref = Some("A20-7".into());
        order.result = Some(ScreeningResult {
            summary: Some("No records for Ada Lovelace".into()),
            report_url: Some("https://reports.example/ada@example.com".into()),
            ..ScreeningResult::default()
        });
        before.status = OrderStatus::Requested;
        let trail = vec![
            AuditEntry::for_change(None, &before, "lever_webhook"),
            AuditEntry::for_change(Some(&before), &order, "provider_callback:msg_1"),
        ];
        let text = order_report(&order, &trail);
        assert!(text.contains(
            "route=alliance2020 provider=alliance2020 status=complete version=2 provider_ref=A20-7"
        ));
        order.attention = Some("Paylocity no longer shows this order as InProgress".into());
        order.services = vec![screenhub::domain::order::ServiceLine {
            name: "County Criminal - Travis".into(),
            status: OrderStatus::InProgress,
        }];
        order.percent_complete = Some(40);
        let text = order_report(&order, &trail);
        assert!(text.contains("provider progress 40%"), "{text}");
        assert!(
            text.contains("ATTENTION: Paylocity no longer shows"),
            "{text}"
        );
        assert!(text.contains("service County Criminal - Travis: in_progress"));
        assert!(text.contains("-> requested (lever_webhook)"));
        assert!(text.contains("requested -> complete (provider_callback:msg_1)"));
        assert!(
            !text.contains("Ada") && !text.contains("@example.com"),
            "{text}"
        );
    }
}
