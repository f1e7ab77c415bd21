//! An onboarded Backgrounds Online tenant on the sandbox's fake Lever and fake provider.

use crate::{World, WorldOptions, unique};
use screenhub::config::TenantConfig;
use screenhub::domain::{Order, TenantId};
use screenhub::poll::PollReport;
use screenhub::ports::TenantSecrets;
use screenhub::ports::secrets::{ProviderSecrets, Secret};
use screenhub_sandbox::backgrounds_online::FakeBackgroundsOnline;
use screenhub_sandbox::lever::{FakeLever, NewOpportunity};
use serde_json::json;

pub const START: &str = "Backgrounds Online Start";
pub const CANCEL: &str = "Backgrounds Online Cancel";
pub const BO_PREFIX: &str = "Backgrounds Online ";

pub struct BoScenario {
    pub world: World,
    pub lever: FakeLever,
    pub provider: FakeBackgroundsOnline,
    pub tenant: TenantId,
    pub lever_key: String,
    pub provider_key: String,
    pub callback_secret: String,
    /// Signs Lever's `candidateDeleted` deliveries.
    pub deletion_token: String,
    http: reqwest::Client,
}

impl BoScenario {
    pub async fn start() -> BoScenario {
        Self::with(WorldOptions::default()).await
    }

    pub async fn with(opts: WorldOptions) -> BoScenario {
        let world = World::start(opts).await;
        let lever = FakeLever::start().await;
        let provider = FakeBackgroundsOnline::start().await;
        lever.set_clock(world.sandbox_clock());
        provider.set_clock(world.sandbox_clock());
        let tenant = TenantId::parse(&unique("bo-")).unwrap();
        let lever_key = unique("lever-key-");
        let provider_key = unique("bo-key-");
        let callback_secret = screenhub_sandbox::signing::new_whsec();
        let deletion_token = unique("del-token-");
        lever.add_api_key(&lever_key);
        lever.add_stage("applicant-new", "New Applicant");
        provider.add_account(
            &provider_key,
            [callback_secret.clone()],
            ["Standard", "Premium"],
        );
        let config: TenantConfig = serde_json::from_value(json!({
            "id": tenant.as_str(), "name": "Acme",
            "lever": { "api_base": lever.base_url(), "requests_per_second": 10, "burst": 20 },
            "backgrounds_online": {
                "api_base": provider.base_url(),
                "default_package": "Standard",
                "packages": ["Premium"]
            }
        }))
        .expect("valid tenant");
        let secrets = TenantSecrets {
            lever_api_key: Some(Secret::new(&lever_key)),
            lever_webhook_tokens: [("candidateDeleted".to_owned(), Secret::new(&deletion_token))]
                .into(),
            backgrounds_online: Some(ProviderSecrets {
                api_key: Secret::new(&provider_key),
                api_secret: None,
                callback_secrets: vec![Secret::new(&callback_secret)],
            }),
            ..TenantSecrets::default()
        };
        world.onboard(&config, &secrets).await;
        BoScenario {
            world,
            lever,
            provider,
            tenant,
            lever_key,
            provider_key,
            callback_secret,
            deletion_token,
            http: reqwest::Client::new(),
        }
    }

    /// A candidate with a name, a phone, a location, an email (if given) and `tags`.
    pub fn candidate(&self, email: Option<&str>, tags: &[&str]) -> String {
        let mut o = NewOpportunity::new("Ada Lovelace")
            .phone(Some("mobile"), "+1 512 555 0199")
            .location("Austin")
            .stage("applicant-new");
        if let Some(e) = email {
            o = o.email(e);
        }
        for t in tags {
            o = o.tag(*t);
        }
        self.lever.add_opportunity(o)
    }

    /// A recruiter adds tags in Lever (through Lever's API, as the UI does).
    pub async fn recruiter_adds(&self, opp: &str, tags: &[&str]) {
        self.change_tags(opp, "addTags", tags).await;
    }

    /// A recruiter removes tags in Lever.
    pub async fn lever_removes(&self, opp: &str, tags: &[&str]) {
        self.change_tags(opp, "removeTags", tags).await;
    }

    async fn change_tags(&self, opp: &str, action: &str, tags: &[&str]) {
        let status = self
            .http
            .post(format!(
                "{}/opportunities/{opp}/{action}",
                self.lever.base_url()
            ))
            .basic_auth(&self.lever_key, Some(""))
            .json(&json!({ "tags": tags }))
            .send()
            .await
            .expect("fake Lever reachable")
            .status();
        assert!(status.is_success(), "{action} answered {status}");
    }

    /// One scheduled poll, then every effect it caused.
    pub async fn poll(&self) -> PollReport {
        let report = self.world.poll.run(None).await.expect("poll");
        self.world.settle().await;
        report
    }

    /// Every `Backgrounds Online …` tag on the opportunity.
    pub fn bo_tags(&self, opp: &str) -> Vec<String> {
        self.lever
            .tags(opp)
            .into_iter()
            .filter(|t| t.starts_with(BO_PREFIX))
            .collect()
    }

    pub fn notes(&self, opp: &str) -> Vec<String> {
        self.lever.notes(opp).into_iter().map(|n| n.value).collect()
    }

    /// The provider's order for an opportunity (matched on our order's reference).
    pub async fn provider_order_of(
        &self,
        opp: &str,
    ) -> screenhub_sandbox::backgrounds_online::Order {
        let order = self.order_of(opp).await;
        self.provider
            .order_by_reference(order.id.to_string())
            .expect("provider has the order")
    }

    /// The hub's latest order for an opportunity.
    pub async fn order_of(&self, opp: &str) -> Order {
        self.orders_of(opp)
            .await
            .pop()
            .expect("an order for the opportunity")
    }

    /// Every order of an opportunity, oldest first.
    pub async fn orders_of(&self, opp: &str) -> Vec<Order> {
        use screenhub::ports::Store;
        self.world
            .store
            .orders_of_opportunity(&self.tenant, opp)
            .await
            .expect("store")
    }

    /// A user deletes the candidate in Lever, and Lever reports it to the hub's webhook (not
    /// settled).
    pub async fn lever_deletes(&self, opp: &str) -> (u16, serde_json::Value) {
        use screenhub::ports::Clock;
        if self.lever.opportunity(opp).is_some() {
            self.lever.delete_opportunity(opp).await;
        }
        let now_ms = (self.world.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
        let d = crate::scenario::candidate_deleted(&self.lever, &self.deletion_token, opp, now_ms);
        self.world
            .post_json(&format!("/lever/webhooks/{}", self.tenant), &d)
            .await
    }

    pub fn callback_path(&self) -> String {
        format!("/callbacks/backgrounds-online/{}", self.tenant)
    }
}
