//! Which managed tags an order wants on its Lever opportunity, per integration.

use crate::domain::ats::tags::ManagedTags;
use crate::domain::order::{Integration, Order};
use crate::domain::providers::{alliance, backgrounds_online};
use crate::domain::tenant::TenantConfig;

/// (desired tags, tags the integration owns) for the order, or `None` when the tenant no
/// longer has the order's integration configured.
pub fn for_order(tenant: &TenantConfig, order: &Order) -> Option<(Vec<String>, ManagedTags)> {
    match order.integration {
        Integration::Alliance2020 => tenant.alliance.as_ref().map(|settings| {
            (
                alliance::desired_tags(settings, order),
                alliance::managed_tags(settings),
            )
        }),
        Integration::BackgroundsOnline => tenant.backgrounds_online.as_ref().map(|_| {
            (
                backgrounds_online::desired_tags(order),
                backgrounds_online::managed_tags(),
            )
        }),
    }
}
