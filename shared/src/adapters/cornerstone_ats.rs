//! Cornerstone as an ATS adapter. Orders arrive pushed (`api::cornerstone` opens them with
//! the candidate Cornerstone sent); their state goes back as a `BackgroundCheckReport` POSTed
//! to the callback URL received at initiation, built by [`crate::domain::ats::cornerstone`].
//!
//! Each Cornerstone status is posted once: before sending, the worker claims the post on the
//! order (a conditional write with a short lease), so a second worker leaves it to the first;
//! once Cornerstone answers 2xx the status is recorded as posted and never sent again. A post
//! whose answer is lost stays claimed and is sent again after the lease (Cornerstone's
//! callback is a status, so a repeat says the same thing).
//!
//! The callback URL came from inbound data: it is checked again against the portal's allowed
//! origins before each post, and redirects are not followed, so the hub is never pointed at
//! an address the tenant did not allow.

use crate::config::{Route, TenantConfig};
use crate::domain::ats::cornerstone::{CornerstoneState, InFlight, report};
use crate::domain::ats::cornerstone_request::{Intake, callback_allowed};
use crate::domain::kinds::AtsKind;
use crate::domain::order::{AdapterData, Order, OrderStatus};
use crate::ports::Clock;
use crate::ports::ats::{AtsAdapter, AtsContext, AtsError, Attempt, Loaded};
use crate::ports::store::{Store, update_order};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How long a worker may hold a post in flight (the HTTP timeout and the writes around it).
const IN_FLIGHT_LEASE: time::Duration = time::Duration::seconds(30);
/// Posts one render sends at most (more than the three statuses).
const MAX_ROUNDS: usize = 4;

pub struct CornerstoneAts {
    timeout: Duration,
    client: OnceLock<reqwest::Client>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

fn state_of(order: &Order) -> Result<CornerstoneState, AtsError> {
    order
        .ats_state
        .as_ref()
        .and_then(AdapterData::read)
        .ok_or_else(|| AtsError::Permanent("the order has no Cornerstone state".into()))
}

fn stored(e: impl std::fmt::Display) -> AtsError {
    AtsError::Transient(e.to_string())
}

impl CornerstoneAts {
    /// `timeout` bounds every callback post.
    pub fn new(timeout: Duration, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            timeout,
            client: OnceLock::new(),
            store,
            clock,
        }
    }

    /// A client that never follows redirects (a redirect could lead off the allowed hosts).
    fn client(&self) -> &reqwest::Client {
        self.client.get_or_init(|| {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(3).min(self.timeout))
                .timeout(self.timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("screenhub/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("static client configuration is valid")
        })
    }

    /// Change the order's Cornerstone state as `change` decides from the latest version
    /// (`None`: leave it).
    async fn write(
        &self,
        order: &Order,
        cause: &str,
        change: impl Fn(&Order, &mut CornerstoneState) -> Option<()>,
    ) -> Result<Option<Order>, AtsError> {
        let now = self.clock.now();
        update_order(self.store.as_ref(), order.clone(), cause, now, 5, |o| {
            let mut state = state_of(o).ok()?;
            change(o, &mut state)?;
            let mut next = o.next(now);
            next.ats_state = Some(AdapterData::of(&state));
            Some((next, Vec::new()))
        })
        .await
        .map_err(stored)
    }

    async fn reread(&self, order: &Order) -> Result<Order, AtsError> {
        self.store
            .get_order(order.id)
            .await
            .map_err(stored)?
            .ok_or_else(|| AtsError::Permanent("order not found".into()))
    }

    /// POST the report; `Ok` on 2xx.
    async fn post(&self, url: &str, body: &serde_json::Value) -> Result<(), AtsError> {
        let resp = self
            .client()
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| {
                AtsError::Transient(if e.is_timeout() {
                    "Cornerstone callback: timeout".into()
                } else {
                    "Cornerstone callback: transport".into()
                })
            })?;
        let status = resp.status().as_u16();
        match status {
            200..=299 => Ok(()),
            408 | 429 | 500..=599 => Err(AtsError::Transient(format!(
                "Cornerstone callback answered {status}"
            ))),
            _ => Err(AtsError::Permanent(format!(
                "Cornerstone callback answered {status}"
            ))),
        }
    }

    /// Post each due status once, until Cornerstone was told the order's current one.
    async fn converge(&self, tenant: &TenantConfig, first: &Order) -> Result<(), AtsError> {
        let settings = tenant.ats.cornerstone.as_ref().ok_or_else(|| {
            AtsError::Permanent("the tenant has no ats.cornerstone settings".into())
        })?;
        let holder = uuid::Uuid::new_v4().simple().to_string();
        let mut order = first.clone();
        for _ in 0..MAX_ROUNDS {
            let state = state_of(&order)?;
            let Some(status) = state.due(&order) else {
                return Ok(());
            };
            let now = self.clock.now().unix_timestamp();
            if let Some(f) = &state.in_flight
                && f.holder != holder
                && f.until > now
            {
                tracing::info!(order_id = %order.id, "another worker is posting to Cornerstone");
                return Ok(());
            }
            let url = state.callback.callback_url.clone().unwrap_or_default();
            if !callback_allowed(settings, &url) {
                return Err(AtsError::Permanent(
                    "the order's Cornerstone callback URL is not on an allowed origin".into(),
                ));
            }
            let claim = InFlight {
                status,
                holder: holder.clone(),
                until: now + IN_FLIGHT_LEASE.whole_seconds(),
            };
            let claimed = self
                .write(&order, "cornerstone:posting", |o, s| {
                    let free = s
                        .in_flight
                        .as_ref()
                        .is_none_or(|f| f.holder == holder || f.until <= now);
                    (free && s.due(o) == Some(status)).then(|| {
                        s.in_flight = Some(claim.clone());
                    })
                })
                .await?;
            let Some(claimed) = claimed else {
                order = self.reread(&order).await?;
                continue;
            };
            let body = report(&state, &claimed, status, settings.adjudication);
            match self.post(&url, &body).await {
                Ok(()) => {
                    tracing::info!(order_id = %claimed.id, status = status.as_str(), "Cornerstone told the order's status");
                    let cause = format!("cornerstone:posted:{}", status.as_str());
                    let written = self
                        .write(&claimed, &cause, |_, s| {
                            if !s.posted.contains(&status) {
                                s.posted.push(status);
                            }
                            s.in_flight = None;
                            Some(())
                        })
                        .await?;
                    order = match written {
                        Some(o) => o,
                        None => self.reread(&claimed).await?,
                    };
                }
                Err(e) => {
                    // Give the lease up so the next attempt may post at once.
                    self.write(&claimed, "cornerstone:unanswered", |_, s| {
                        let f = s.in_flight.as_mut()?;
                        f.until = 0;
                        Some(())
                    })
                    .await?;
                    return Err(e);
                }
            }
        }
        Err(AtsError::Transient(
            "Cornerstone was not told the order's state yet".into(),
        ))
    }
}

#[async_trait::async_trait]
impl AtsAdapter for CornerstoneAts {
    fn kind(&self) -> AtsKind {
        AtsKind::Cornerstone
    }

    /// The candidate's link lapses after the portal's `link_valid_days`.
    fn invitation_ttl(&self, tenant: &TenantConfig) -> Option<time::Duration> {
        tenant
            .ats
            .cornerstone
            .as_ref()
            .map(|s| time::Duration::days(i64::from(s.link_valid_days)))
    }

    /// Cornerstone has no API to read an order back: its subject is what the authenticated
    /// initiate body carried (the order's intake), ordering the package's provider package.
    async fn load_subject(&self, ctx: &AtsContext<'_>, order: &Order) -> Result<Loaded, AtsError> {
        let Some(intake) = order.intake.as_ref().and_then(AdapterData::read::<Intake>) else {
            return Ok(Loaded::Unconfirmed(
                "The order holds no candidate data from Cornerstone; nothing was ordered.".into(),
            ));
        };
        let state = state_of(order)?;
        let provider_package = ctx
            .tenant
            .ats
            .cornerstone
            .as_ref()
            .and_then(|s| s.package(&state.package_id))
            .and_then(|p| p.provider_package.clone());
        Ok(Loaded::Subject(Box::new(
            intake.subject(provider_package.as_deref()),
        )))
    }

    async fn render(
        &self,
        ctx: &AtsContext<'_>,
        _route: &Route,
        order: &Order,
        _to: Option<OrderStatus>,
        _attempt: Attempt,
    ) -> Result<(), AtsError> {
        self.converge(ctx.tenant, order).await
    }
}
