//! A tenant whose Cornerstone portal (the sandbox's fake) orders through the hub's connector:
//! package `std` is fulfilled by Alliance 2020, `bo-std` by Backgrounds Online (two routes,
//! by configuration only). The portal's callback origin is the fake's loopback address,
//! allowed by the tenant's configuration as any deployment allows its portal's host.

use crate::{World, WorldOptions, unique};
use screenhub::config::TenantConfig;
use screenhub::domain::{Order, TenantId};
use screenhub::ports::secrets::{CornerstoneSecrets, ProviderSecrets, Secret};
use screenhub::ports::{Store, TenantSecrets};
use screenhub_sandbox::alliance::FakeAlliance;
use screenhub_sandbox::backgrounds_online::FakeBackgroundsOnline;
use screenhub_sandbox::cornerstone::{Applicant, FakeCornerstone};
use serde_json::{Value, json};

pub const STD: &str = "std";
pub const BO_STD: &str = "bo-std";
pub const USER: &str = "acme-portal";
pub const VIEWER: &str = "acme-viewer";

pub struct CornerstoneScenario {
    pub world: World,
    pub portal: FakeCornerstone,
    pub alliance: FakeAlliance,
    pub bo: FakeBackgroundsOnline,
    pub tenant: TenantId,
    pub password: String,
    pub status_password: String,
}

/// The tenant's whole configuration.
pub fn tenant_config(tenant: &TenantId, portal: &str, alliance: &str, bo: &str) -> Value {
    json!({
        "id": tenant.as_str(), "name": "Acme Screening",
        "ats": { "cornerstone": {
            "username": USER, "status_username": VIEWER,
            "packages": [
                { "id": STD, "name": "Account 1 - Standard", "provider_package": "Criminal Package 2" },
                { "id": BO_STD, "name": "Account 1 - Standard (Backgrounds Online)" }
            ],
            "callback_origins": [portal, "https://*.csod.com"],
            "adjudication": true,
            "progress_url": "https://alliance.example/orders/{provider_reference}"
        } },
        "providers": {
            "alliance2020": {
                "api_base": alliance, "client_code": "MAIN",
                "product": { "default": "Standard", "available": ["Criminal Package 2"] }
            },
            "backgrounds_online": { "api_base": bo, "default_package": "Standard" }
        },
        "routes": [
            { "id": "cornerstone_alliance", "provider": "alliance2020",
              "trigger": { "kind": "cornerstone_initiate", "packages": [STD] } },
            { "id": "cornerstone_bo", "provider": "backgrounds_online",
              "trigger": { "kind": "cornerstone_initiate", "packages": [BO_STD] } }
        ]
    })
}

impl CornerstoneScenario {
    pub async fn start() -> CornerstoneScenario {
        let world = World::start(WorldOptions::default()).await;
        let (portal, alliance, bo) = (
            FakeCornerstone::start().await,
            FakeAlliance::start().await,
            FakeBackgroundsOnline::start().await,
        );
        alliance.set_clock(world.sandbox_clock());
        bo.set_clock(world.sandbox_clock());
        let tenant = TenantId::parse(&unique("csod-")).unwrap();
        let (alliance_key, bo_key) = (unique("a20-key-"), unique("bo-key-"));
        let (alliance_secret, bo_secret) = (
            screenhub_sandbox::signing::new_whsec(),
            screenhub_sandbox::signing::new_whsec(),
        );
        alliance.add_account(&alliance_key, vec![alliance_secret.clone()]);
        bo.add_account(&bo_key, [bo_secret.clone()], ["Standard"]);
        let config: TenantConfig = serde_json::from_value(tenant_config(
            &tenant,
            &portal.base_url(),
            &alliance.base_url(),
            &bo.base_url(),
        ))
        .expect("valid tenant");
        let (password, status_password) = (unique("pw-"), unique("view-"));
        let secrets = TenantSecrets {
            alliance: Some(ProviderSecrets {
                api_key: Secret::new(&alliance_key),
                callback_secrets: vec![Secret::new(&alliance_secret)],
                api_secret: None,
            }),
            backgrounds_online: Some(ProviderSecrets {
                api_key: Secret::new(&bo_key),
                callback_secrets: vec![Secret::new(&bo_secret)],
                api_secret: None,
            }),
            cornerstone: Some(CornerstoneSecrets {
                password: Secret::new(&password),
                status_password: Some(Secret::new(&status_password)),
            }),
            ..TenantSecrets::default()
        };
        assert!(
            screenhub::onboarding::problems(&config, Some(&secrets)).is_empty(),
            "the tenant is ready: {:?}",
            screenhub::onboarding::problems(&config, Some(&secrets))
        );
        world.onboard(&config, &secrets).await;
        portal.connect(
            &format!("{}/cornerstone/{}", world.hub_url, tenant),
            USER,
            &password,
        );
        CornerstoneScenario {
            world,
            portal,
            alliance,
            bo,
            tenant,
            password,
            status_password,
        }
    }

    /// A recruiter assigns `package` to Ada: the connector's answer, and the order ref.
    pub async fn assign(&self, package: &str) -> (u16, Value, String) {
        self.portal.assign(&Applicant::new(package)).await
    }

    /// Every order of a Cornerstone order ref.
    pub async fn orders(&self, order_ref: &str) -> Vec<Order> {
        self.world
            .store
            .orders_of_opportunity(&self.tenant, order_ref)
            .await
            .unwrap()
    }

    /// The hub's order for a Cornerstone order ref.
    pub async fn order_of(&self, order_ref: &str) -> Order {
        let mut orders = self
            .world
            .store
            .orders_of_opportunity(&self.tenant, order_ref)
            .await
            .unwrap();
        assert!(orders.len() <= 1, "one order per ApplicantRefOrderId");
        orders.pop().expect("an order")
    }

    /// Alliance 2020 reports `status` for the order's provider order (a signed callback).
    pub async fn alliance_reports(&self, order_ref: &str, status: &str, result: Option<Value>) {
        let order = self.order_of(order_ref).await;
        let placed = self
            .alliance
            .order_by_reference(order.id.to_string())
            .expect("placed with Alliance 2020");
        assert_eq!(
            self.alliance
                .advance(&placed.id, status, result, None)
                .await,
            200
        );
    }

    pub fn viewer(&self) -> String {
        FakeCornerstone::basic(VIEWER, &self.status_password)
    }
}
