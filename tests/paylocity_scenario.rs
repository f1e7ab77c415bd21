//! A deployment that is a Paylocity screening partner, with one onboarded tenant on the
//! sandbox's fake Paylocity, fake Alliance 2020 and fake Backgrounds Online: the company's
//! `std` package is fulfilled by Alliance 2020, `bo-std` by Backgrounds Online (two routes, by
//! configuration only), and `retired` is an inactive package.

use crate::{World, WorldOptions, sdk_config, unique};
use screenhub::adapters::paylocity_ats::account;
use screenhub::adapters::paylocity_http::PaylocityHttp;
use screenhub::adapters::secrets_manager::SecretsManager;
use screenhub::config::TenantConfig;
use screenhub::domain::{Order, TenantId};
use screenhub::ports::secrets::{PartnerSecrets, PaylocityPartner, ProviderSecrets, Secret};
use screenhub::ports::{Store, TenantSecrets};
use screenhub_sandbox::alliance::FakeAlliance;
use screenhub_sandbox::backgrounds_online::FakeBackgroundsOnline;
use screenhub_sandbox::paylocity::FakePaylocity;
use serde_json::{Value, json};
use std::sync::Arc;

pub const STD: &str = "std";
pub const BO_STD: &str = "bo-std";
pub const RETIRED: &str = "retired";
pub const STD_SERVICES: [&str; 2] = ["County Criminal", "SSN Trace"];

pub struct PaylocityScenario {
    pub world: World,
    pub paylocity: FakePaylocity,
    pub alliance: FakeAlliance,
    pub bo: FakeBackgroundsOnline,
    pub tenant: TenantId,
    pub company: String,
    pub partner: PaylocityPartner,
    pub operator_key: String,
}

/// The tenant's whole configuration.
pub fn tenant_config(tenant: &TenantId, company: &str, alliance: &str, bo: &str) -> Value {
    json!({
        "id": tenant.as_str(), "name": "Acme Screening",
        "ats": { "paylocity": {
            "company_ids": [company],
            "packages": [
                { "id": STD, "name": "Standard Employment", "summary": "County criminal and SSN trace",
                  "services": [{ "name": STD_SERVICES[0] }, { "name": STD_SERVICES[1] }],
                  "price": { "value": 29.5, "currency": "USD" },
                  "provider_package": "Criminal Package 2" },
                { "id": BO_STD, "name": "Standard (Backgrounds Online)",
                  "services": [{ "name": "Criminal Search" }] },
                { "id": RETIRED, "name": "Retired Package", "active": false,
                  "services": [{ "name": "County Criminal" }] }
            ]
        } },
        "providers": {
            "alliance2020": {
                "api_base": alliance, "client_code": "MAIN",
                "product": { "default": "Standard", "available": ["Criminal Package 2"] }
            },
            "backgrounds_online": { "api_base": bo, "default_package": "Standard" }
        },
        "routes": [
            { "id": "paylocity_alliance", "provider": "alliance2020",
              "trigger": { "kind": "paylocity_order", "packages": [STD, RETIRED] } },
            { "id": "paylocity_bo", "provider": "backgrounds_online",
              "trigger": { "kind": "paylocity_order", "packages": [BO_STD] } }
        ]
    })
}

/// Store the deployment's partner secret in moto under `prefix`.
pub async fn put_partner_secret(prefix: &str, partner: &PartnerSecrets) {
    aws_sdk_secretsmanager::Client::new(&sdk_config().await)
        .create_secret()
        .name(SecretsManager::partner_secret_name(prefix))
        .secret_string(serde_json::to_string(partner).expect("encode"))
        .send()
        .await
        .expect("create partner secret");
}

impl PaylocityScenario {
    pub async fn start() -> PaylocityScenario {
        Self::with(WorldOptions::default()).await
    }

    pub async fn with(opts: WorldOptions) -> PaylocityScenario {
        let world = World::start(opts).await;
        let (paylocity, alliance, bo) = (
            FakePaylocity::start().await,
            FakeAlliance::start().await,
            FakeBackgroundsOnline::start().await,
        );
        paylocity.set_clock(world.sandbox_clock());
        alliance.set_clock(world.sandbox_clock());
        bo.set_clock(world.sandbox_clock());
        let tenant = TenantId::parse(&unique("pcty-")).unwrap();
        let company = unique("C")[..8].to_uppercase();
        let partner = PaylocityPartner {
            api_base: paylocity.base_url(),
            token_url: format!("{}/public/security/v1/token", paylocity.base_url()),
            client_id: unique("client-"),
            client_secret: Secret::new(unique("secret-")),
            api_keys: vec![Secret::new(unique("xkey-"))],
        };
        paylocity.add_client(&partner.client_id, partner.client_secret.expose());
        put_partner_secret(
            &world.secrets_prefix,
            &PartnerSecrets {
                paylocity: Some(partner.clone()),
                lever: None,
            },
        )
        .await;
        let (alliance_key, bo_key) = (unique("a20-key-"), unique("bo-key-"));
        let (alliance_secret, bo_secret) = (
            screenhub_sandbox::signing::new_whsec(),
            screenhub_sandbox::signing::new_whsec(),
        );
        alliance.add_account(&alliance_key, vec![alliance_secret.clone()]);
        bo.add_account(&bo_key, [bo_secret.clone()], ["Standard"]);
        let config: TenantConfig = serde_json::from_value(tenant_config(
            &tenant,
            &company,
            &alliance.base_url(),
            &bo.base_url(),
        ))
        .expect("valid tenant");
        let operator_key = unique("op-");
        let secrets = TenantSecrets {
            alliance: Some(ProviderSecrets {
                api_key: Secret::new(&alliance_key),
                api_secret: None,
                callback_secrets: vec![Secret::new(&alliance_secret)],
            }),
            backgrounds_online: Some(ProviderSecrets {
                api_key: Secret::new(&bo_key),
                api_secret: None,
                callback_secrets: vec![Secret::new(&bo_secret)],
            }),
            operator_api_key: Some(Secret::new(&operator_key)),
            ..TenantSecrets::default()
        };
        assert!(
            screenhub::onboarding::problems(&config, Some(&secrets)).is_empty(),
            "the tenant is ready: {:?}",
            screenhub::onboarding::problems(&config, Some(&secrets))
        );
        world.onboard(&config, &secrets).await;
        let scenario = PaylocityScenario {
            world,
            paylocity,
            alliance,
            bo,
            tenant,
            company,
            partner,
            operator_key,
        };
        // The partner registered its order subscription (as `screenhub paylocity subscribe`).
        scenario
            .client()
            .subscribe(
                &account(&scenario.partner),
                &format!("{}/paylocity/orders", scenario.world.hub_url),
                Some(&format!(
                    "{}/paylocity/order-errors",
                    scenario.world.hub_url
                )),
                &scenario.partner.api_keys[0],
                "Acme Screening",
            )
            .await
            .expect("subscribe");
        scenario
    }

    /// A Paylocity client of the deployment's kind.
    pub fn client(&self) -> Arc<PaylocityHttp> {
        Arc::new(PaylocityHttp::new(
            screenhub::outbound::http::HttpClient::new(std::time::Duration::from_secs(5)),
            self.world.clock.clone(),
        ))
    }

    /// A recruiter orders `package` for a candidate in Paylocity; the hub's answer and the
    /// order id.
    pub async fn order(&self, package: &str) -> (u16, String) {
        self.paylocity
            .send_order(&self.company, package, Some("ada@example.com"))
            .await
    }

    /// The hub's order for a Paylocity screening order.
    pub async fn order_of(&self, screening_order_id: &str) -> Order {
        self.world
            .store
            .orders_of_opportunity(&self.tenant, screening_order_id)
            .await
            .unwrap()
            .pop()
            .expect("an order")
    }

    /// Paylocity's status history of an order: each accepted PATCH's new status.
    pub fn history(&self, screening_order_id: &str) -> Vec<String> {
        self.paylocity
            .order(screening_order_id)
            .expect("an order Paylocity sent")
            .history
            .iter()
            .filter_map(|u| u.new_status.clone())
            .collect()
    }

    /// The Alliance 2020 order placed for a Paylocity screening order.
    pub async fn alliance_order(
        &self,
        screening_order_id: &str,
    ) -> screenhub_sandbox::alliance::Order {
        let order = self.order_of(screening_order_id).await;
        self.alliance
            .order_by_reference(order.id.to_string())
            .expect("placed with Alliance 2020")
    }

    /// Alliance 2020 reports `status` (with `result`) for a Paylocity screening order's
    /// provider order: a signed callback to the hub. Returns the hub's answer.
    pub async fn alliance_reports(
        &self,
        screening_order_id: &str,
        status: &str,
        result: Option<Value>,
    ) -> u16 {
        let placed = self.alliance_order(screening_order_id).await;
        self.alliance
            .advance(&placed.id, status, result, None)
            .await
    }

    /// Every service of the order shows `status` in Paylocity.
    pub fn assert_every_service(&self, screening_order_id: &str, status: &str) {
        let services = self.services(screening_order_id);
        assert!(
            !services.is_empty() && services.iter().all(|(_, v)| v == status),
            "{services:?}"
        );
    }

    /// Paylocity's current status of each service of an order.
    pub fn services(&self, screening_order_id: &str) -> Vec<(String, String)> {
        self.paylocity
            .order(screening_order_id)
            .expect("an order Paylocity sent")
            .services
            .into_iter()
            .collect()
    }

    /// An operator's adverse-action step, through the operator route.
    pub async fn adverse(&self, order: &Order, step: &str) -> (u16, Value) {
        self.world
            .post_raw(
                &format!("/operator/adverse-action/{}", self.tenant),
                &[(
                    "authorization".into(),
                    format!("Bearer {}", self.operator_key),
                )],
                serde_json::to_vec(&json!({ "order_id": order.id.to_string(), "step": step }))
                    .unwrap(),
            )
            .await
    }
}
