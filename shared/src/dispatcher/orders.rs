//! Placing and cancelling orders, the same for every pairing: the order's ATS adapter
//! confirms what opened it and reads the subject, its provider adapter prepares and places
//! it; a provider's answer is read the same way for every provider.

use super::{Dispatcher, Done, Failure};
use crate::config::TenantConfig;
use crate::domain::effects::{CancelReason, OutboxItem};
use crate::domain::{Order, OrderStatus, status_poll, transitions};
use crate::ports::TenantSecrets;
use crate::ports::ats::{AtsContext, Loaded};
use crate::ports::provider::{ProviderAccount, ProviderAdapter, ProviderError};
use crate::ports::store::Commit;

impl Dispatcher {
    /// Place the order with its provider, once its ATS confirmed what opened it.
    pub(crate) async fn place_order(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
    ) -> Result<Done, Failure> {
        if order.status != OrderStatus::Requested {
            return Ok(Done::Performed); // already placed, cancelled or failed
        }
        let route = Self::route_of(&tenant, &order)?;
        let provider = self.registry.provider(order.provider);
        let ctx = AtsContext {
            tenant: &tenant,
            secrets: &secrets,
        };
        let loaded = self
            .registry
            .ats(order.ats)
            .load_subject(&ctx, &order)
            .await?;
        let now = self.clock.now();
        let (next, effects, cause) = match loaded {
            Loaded::Unconfirmed(reason) => {
                tracing::warn!("trigger not confirmed by the ATS; nothing ordered");
                crate::metrics::count(
                    "TriggersUnconfirmed",
                    &[
                        ("Integration", order.route.as_str()),
                        ("Ats", order.ats.as_str()),
                    ],
                );
                let (next, effects) = transitions::unconfirmed(&order, &reason, now);
                (next, effects, "dispatcher:trigger_unconfirmed")
            }
            Loaded::Subject(subject) => match provider.prepare(&tenant, &order, &subject) {
                Err(rejection) => {
                    crate::metrics::count(
                        "OrdersRejected",
                        &[
                            ("Integration", order.route.as_str()),
                            ("Reason", rejection.code),
                        ],
                    );
                    let message = format!("{} {}", rejection.message, route.retry_hint());
                    let (next, effects) =
                        transitions::not_ordered(&order, OrderStatus::Rejected, message, now);
                    (next, effects, "dispatcher:rejected")
                }
                Ok(request) => {
                    let acct = self.provider_account(&tenant, &secrets, provider)?;
                    match provider.place(&acct, &request).await {
                        Ok(placed) => {
                            let ats_ttl = self.registry.ats(order.ats).invitation_ttl(&tenant);
                            let expires_at = [provider.invitation_ttl(&tenant), ats_ttl]
                                .into_iter()
                                .flatten()
                                .min()
                                .map(|ttl| now + ttl);
                            let poll_at = (provider.capabilities().status
                                && provider.status_poll(&tenant))
                            .then(|| status_poll::first_poll(now));
                            let (next, effects) = transitions::accepted(
                                &order,
                                placed.provider_ref,
                                request,
                                expires_at,
                                poll_at,
                                now,
                            );
                            (next, effects, "dispatcher:accepted")
                        }
                        Err(ProviderError::Refused { code, message }) => {
                            crate::metrics::count(
                                "OrdersRejected",
                                &[
                                    ("Integration", order.route.as_str()),
                                    ("Reason", "provider_refused"),
                                ],
                            );
                            tracing::info!(code, "provider refused order");
                            let message = format!(
                                "{} rejected the background check order: {}. {}",
                                order.provider.display_name(),
                                message.trim_end_matches('.'),
                                route.retry_hint()
                            );
                            let (next, effects) = transitions::not_ordered(
                                &order,
                                OrderStatus::Rejected,
                                message,
                                now,
                            );
                            (next, effects, "dispatcher:provider_refused")
                        }
                        Err(e) => return Err(provider_failure(provider, e)),
                    }
                }
            },
        };
        let outbox = self.items(&order.tenant, effects);
        self.commit_consuming(Commit::update(&order, next, cause, outbox).consuming(item.id))
            .await
    }

    /// Cancel (a recruiter asked) or close (expired, candidate deleted) the order at its
    /// provider, where the provider can.
    pub(crate) async fn cancel_order(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
        reason: CancelReason,
    ) -> Result<Done, Failure> {
        let provider = self.registry.provider(order.provider);
        let asked = reason == CancelReason::Cancelled;
        let refuse = |why: &str| {
            tenant
                .route(&order.route)
                .and_then(|r| r.cancel_refused(&order.ats_ref, why))
                .into_iter()
                .collect::<Vec<_>>()
        };
        if !provider.capabilities().cancel {
            if !asked {
                // Nothing to close there; its late reports are refused by the lifecycle.
                return Ok(Done::Performed);
            }
            let why = format!(
                "{} orders cannot be cancelled from here",
                order.provider.display_name()
            );
            return self
                .record_consuming(item, &order.tenant, refuse(&why))
                .await;
        }
        if asked && order.status == OrderStatus::Requested {
            // The order is still being placed: cancel once the provider has it.
            return Err(Failure::Transient("order not placed yet".into()));
        }
        let Some(provider_ref) = order.provider_ref.clone() else {
            return Ok(Done::Performed); // never reached the provider: nothing to close
        };
        if asked && order.status != OrderStatus::Pending {
            if order.status == OrderStatus::Cancelled {
                return Ok(Done::Performed);
            }
            // The candidate submitted (or the order ended) since the cancel was decided.
            let why = if order.status == OrderStatus::InProgress {
                "the candidate has already submitted their information and the check is in process"
            } else {
                "the request is no longer awaiting the candidate's submission"
            };
            return self
                .record_consuming(item, &order.tenant, refuse(why))
                .await;
        }
        let acct = self.provider_account(&tenant, &secrets, provider)?;
        let outcome = provider.cancel(&acct, &provider_ref, reason).await;
        match (asked, outcome) {
            // The order already ended here: closing it at the provider is all there is to do.
            (false, Ok(())) => Ok(Done::Performed),
            (false, Err(ProviderError::Refused { code, .. })) => {
                tracing::info!(
                    code,
                    reason = reason.as_str(),
                    "provider kept the ended order open"
                );
                Ok(Done::Performed)
            }
            (true, Ok(())) => {
                let (next, effects) = transitions::cancelled(&order, self.clock.now());
                let outbox = self.items(&order.tenant, effects);
                self.commit_consuming(
                    Commit::update(&order, next, "dispatcher:cancelled", outbox).consuming(item.id),
                )
                .await
            }
            (true, Err(ProviderError::Refused { message, .. })) => {
                let why = format!("{} refused: {message}", order.provider.display_name());
                self.record_consuming(item, &order.tenant, refuse(&why))
                    .await
            }
            (_, Err(e)) => Err(provider_failure(provider, e)),
        }
    }

    /// The tenant's account with `provider`: where to call, with which key, where its
    /// callbacks go.
    fn provider_account(
        &self,
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
        provider: &dyn ProviderAdapter,
    ) -> Result<ProviderAccount, Failure> {
        let kind = provider.kind();
        let callback_url = format!(
            "{}{}{}",
            self.public_base_url.trim_end_matches('/'),
            crate::api::callback_prefix(kind),
            tenant.id
        );
        ProviderAccount::of(tenant, secrets, provider, callback_url)
            .map_err(|e| Failure::Permanent(e.to_string()))
    }
}

fn provider_failure(provider: &dyn ProviderAdapter, e: ProviderError) -> Failure {
    let name = provider.kind().display_name();
    if e.is_transient() {
        Failure::Transient(format!("{name}: {e}"))
    } else {
        Failure::Permanent(format!("{name}: {e}"))
    }
}
