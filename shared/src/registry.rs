//! The registry of adapters: which ATS adapter and which provider adapter serve each kind.
//! Built once, in the composition root ([`crate::runtime`]); the dispatcher asks it by the
//! kinds an order carries and never names a vendor. One exhaustive `match` per side, so a
//! new kind does not compile until its line exists here.

use crate::domain::kinds::{AtsKind, ProviderKind};
use crate::ports::ats::AtsAdapter;
use crate::ports::provider::ProviderAdapter;
use std::sync::Arc;

#[derive(Clone)]
pub struct Registry {
    pub lever: Arc<dyn AtsAdapter>,
    pub paylocity: Arc<dyn AtsAdapter>,
    pub cornerstone: Arc<dyn AtsAdapter>,
    pub alliance2020: Arc<dyn ProviderAdapter>,
    pub backgrounds_online: Arc<dyn ProviderAdapter>,
    pub accurate: Arc<dyn ProviderAdapter>,
}

impl Registry {
    pub fn ats(&self, kind: AtsKind) -> &dyn AtsAdapter {
        match kind {
            AtsKind::Lever => self.lever.as_ref(),
            AtsKind::Paylocity => self.paylocity.as_ref(),
            AtsKind::Cornerstone => self.cornerstone.as_ref(),
        }
    }

    pub fn provider(&self, kind: ProviderKind) -> &dyn ProviderAdapter {
        match kind {
            ProviderKind::Alliance2020 => self.alliance2020.as_ref(),
            ProviderKind::BackgroundsOnline => self.backgrounds_online.as_ref(),
            ProviderKind::Accurate => self.accurate.as_ref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each slot holds the adapter of its own kind (a swapped line would send one provider's
    /// orders to another).
    #[cfg(feature = "http-client")]
    #[test]
    fn every_kind_resolves_to_its_own_adapter() {
        use crate::adapters::accurate::Accurate;
        use crate::adapters::cornerstone_ats::CornerstoneAts;
        use crate::adapters::{alliance2020::Alliance2020, backgrounds_online::BackgroundsOnline};
        use crate::adapters::{embedded_store::EmbeddedStore, secrets_cache::CachedSecrets};
        use crate::adapters::{lever_ats::LeverAts, lever_http::LeverHttp};
        use crate::adapters::{paylocity_ats::PaylocityAts, paylocity_http::PaylocityHttp};
        use crate::outbound::{RetryPolicy, http::HttpClient};
        use crate::ports::{Clock, SystemClock};
        let http = HttpClient::new(std::time::Duration::from_secs(1));
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let secrets = Arc::new(CachedSecrets::new(
            Arc::new(crate::adapters::local_secrets::FileSecrets::new(
                "/nonexistent",
            )),
            clock.clone(),
            time::Duration::minutes(1),
        ));
        let registry = Registry {
            lever: Arc::new(LeverAts::new(Arc::new(LeverHttp::new(
                http.clone(),
                RetryPolicy::default(),
            )))),
            paylocity: Arc::new(PaylocityAts::new(
                Arc::new(PaylocityHttp::new(http.clone(), clock.clone())),
                Arc::new(EmbeddedStore::new()),
                secrets,
                clock.clone(),
            )),
            cornerstone: Arc::new(CornerstoneAts::new(
                std::time::Duration::from_secs(1),
                Arc::new(EmbeddedStore::new()),
                clock,
            )),
            alliance2020: Arc::new(Alliance2020::new(http.clone())),
            backgrounds_online: Arc::new(BackgroundsOnline::new(http.clone())),
            accurate: Arc::new(Accurate::new(http)),
        };
        for kind in AtsKind::ALL {
            assert_eq!(registry.ats(kind).kind(), kind);
        }
        for kind in ProviderKind::ALL {
            assert_eq!(registry.provider(kind).kind(), kind);
        }
    }
}
