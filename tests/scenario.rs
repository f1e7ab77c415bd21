//! An onboarded Alliance 2020 tenant on the sandbox's fake Lever and fake provider.

use crate::paylocity_scenario::put_partner_secret;
use crate::route;
use crate::{World, WorldOptions, unique};
use screenhub::config::TenantConfig;
use screenhub::domain::TenantId;
use screenhub::ports::secrets::{LeverPartner, PartnerSecrets, ProviderSecrets, Secret};
use screenhub::ports::{Clock, TenantSecrets};
use screenhub_sandbox::alliance::FakeAlliance;
use screenhub_sandbox::lever::{FakeLever, NewOpportunity, NewPosting};
use serde_json::{Value, json};

pub const TRIGGER: &str = "stage-bg-check";
pub const STATUS_PREFIX: &str = "Background Check Status: ";

pub struct Scenario {
    pub world: World,
    pub lever: FakeLever,
    pub alliance: FakeAlliance,
    pub tenant: TenantId,
    pub lever_key: String,
    pub signature_token: String,
    /// Lever signs each event type with its own token: this one signs `candidateDeleted`.
    pub deletion_token: String,
    pub callback_secret: String,
    pub alliance_key: String,
    pub posting: String,
    /// The tenant's operator key (`Authorization: Bearer` on the operator routes).
    pub operator_key: String,
}

impl Scenario {
    pub async fn start() -> Scenario {
        Self::with(WorldOptions::default(), |_| {}).await
    }

    /// Start with tenant settings adjusted by `tweak` (on the `alliance` JSON object).
    pub async fn with(opts: WorldOptions, tweak: impl FnOnce(&mut Value)) -> Scenario {
        Self::build(opts, tweak, false).await
    }

    /// A tenant that connects to Lever by authorizing the hub (OAuth), not yet connected:
    /// the deployment's Lever app is registered with the fake Lever and in the partner
    /// secret; the tenant's secret has no Lever key and no webhook token.
    pub async fn with_oauth() -> Scenario {
        Self::build(WorldOptions::default(), |_| {}, true).await
    }

    async fn build(opts: WorldOptions, tweak: impl FnOnce(&mut Value), oauth: bool) -> Scenario {
        let world = World::start(opts).await;
        let lever = FakeLever::start().await;
        let alliance = FakeAlliance::start().await;
        lever.set_clock(world.sandbox_clock());
        alliance.set_clock(world.sandbox_clock());
        let tenant = TenantId::parse(&unique("acme-")).unwrap();
        let lever_key = unique("lever-key-");
        let signature_token = unique("sig-token-");
        let deletion_token = unique("del-token-");
        let alliance_key = unique("alliance-key-");
        let callback_secret = screenhub_sandbox::signing::new_whsec();
        lever.add_api_key(&lever_key);
        for (id, text) in [
            ("applicant-new", "New Applicant"),
            (TRIGGER, "Background Check"),
            ("stage-screened", "CiiVSOFT SCREENED"),
        ] {
            lever.add_stage(id, text);
        }
        let posting = lever.add_posting(
            NewPosting::new("Senior Engineer")
                .department("Engineering")
                .team("Platform")
                .location("Austin"),
        );
        alliance.add_account(&alliance_key, vec![callback_secret.clone()]);
        let mut alliance_cfg = json!({
            "api_base": alliance.base_url(),
            "trigger_stage_id": TRIGGER,
            "client_code": "MAIN",
            "product": { "default": "Standard", "available": ["Criminal Package 2"] },
            "forward_tag_prefixes": ["Alliance: "],
            "flag_tag_prefix": "Flag: ",
            "decision_tag_prefix": "Decision: "
        });
        tweak(&mut alliance_cfg);
        let config: TenantConfig = serde_json::from_value(json!({
            "id": tenant.as_str(), "name": "Acme",
            "lever": {
                "api_base": lever.base_url(), "requests_per_second": 10, "burst": 20,
                "connection": if oauth { "oauth" } else { "api_key" }
            },
            "alliance": alliance_cfg
        }))
        .expect("valid tenant");
        let operator_key = unique("operator-");
        if oauth {
            let app = LeverPartner {
                client_id: unique("client-"),
                client_secret: Secret::new(unique("client-secret-")),
                authorize_url: lever.oauth_authorize_url(),
                token_url: lever.oauth_token_url(),
                audience: lever.oauth_audience(),
            };
            lever.register_oauth_client(
                &app.client_id,
                app.client_secret.expose(),
                format!("{}/lever/oauth/callback", world.hub_url),
            );
            put_partner_secret(
                &world.secrets_prefix,
                &PartnerSecrets {
                    paylocity: None,
                    lever: Some(app),
                },
            )
            .await;
        }
        let secrets = TenantSecrets {
            lever_api_key: (!oauth).then(|| Secret::new(&lever_key)),
            lever_webhook_tokens: if oauth {
                Default::default()
            } else {
                [
                    (
                        "candidateStageChange".to_owned(),
                        Secret::new(&signature_token),
                    ),
                    ("candidateDeleted".to_owned(), Secret::new(&deletion_token)),
                ]
                .into()
            },
            alliance: Some(ProviderSecrets {
                api_key: Secret::new(&alliance_key),
                api_secret: None,
                callback_secrets: vec![Secret::new(&callback_secret)],
            }),
            backgrounds_online: None,
            accurate: None,
            operator_api_key: Some(Secret::new(&operator_key)),
            cornerstone: None,
            lever_connection: None,
        };
        world.onboard(&config, &secrets).await;
        Scenario {
            world,
            lever,
            alliance,
            tenant,
            lever_key,
            signature_token,
            deletion_token,
            callback_secret,
            alliance_key,
            posting,
            operator_key,
        }
    }

    /// A candidate on the posting with a name, an email and a phone, plus `tags`.
    pub fn candidate(&self, tags: &[&str]) -> String {
        let mut o = NewOpportunity::new("Ada Lovelace")
            .email("ada.lovelace@example.com")
            .phone(Some("mobile"), "+1 512 555 0199")
            .stage("applicant-new")
            .posting(self.posting.clone());
        for t in tags {
            o = o.tag(*t);
        }
        self.lever.add_opportunity(o)
    }

    pub fn now_ms(&self) -> i64 {
        (self.world.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// A correctly signed stage-change delivery, as Lever sends it.
    pub fn stage_change(&self, opp: &str, to_stage: &str, triggered_at_ms: i64) -> Value {
        self.lever.signed_delivery(
            "candidateStageChange",
            json!({ "opportunityId": opp, "candidateId": opp, "contactId": "contact-1",
                    "toStageId": to_stage, "fromStageId": "applicant-new" }),
            &self.signature_token,
            triggered_at_ms,
        )
    }

    /// A correctly signed `candidateDeleted` delivery, as Lever sends it.
    pub fn candidate_deleted(&self, opp: &str) -> Value {
        candidate_deleted(&self.lever, &self.deletion_token, opp, self.now_ms())
    }

    /// A user deletes the candidate in Lever, and Lever reports it to the hub's webhook (not
    /// settled). Deleting again (Lever retrying) only re-sends the report.
    pub async fn lever_deletes(&self, opp: &str) -> (u16, Value) {
        if self.lever.opportunity(opp).is_some() {
            self.lever.delete_opportunity(opp).await;
        }
        let d = self.candidate_deleted(opp);
        self.world.post_json(&self.webhook_path(), &d).await
    }

    /// The opportunity's active Alliance 2020 order, if any.
    pub async fn active_order(&self, opp: &str) -> Option<screenhub::domain::Order> {
        use screenhub::domain::ProviderKind;
        use screenhub::ports::Store;
        self.world
            .store
            .find_active(&self.tenant, &route(ProviderKind::Alliance2020), opp)
            .await
            .expect("store")
    }

    /// Every order of an opportunity, oldest first.
    pub async fn orders_of(&self, opp: &str) -> Vec<screenhub::domain::Order> {
        use screenhub::ports::Store;
        self.world
            .store
            .orders_of_opportunity(&self.tenant, opp)
            .await
            .expect("store")
    }

    pub fn webhook_path(&self) -> String {
        format!("/lever/webhooks/{}", self.tenant)
    }

    pub fn callback_path(&self) -> String {
        format!("/callbacks/alliance2020/{}", self.tenant)
    }

    /// A user moves the candidate to `stage` in Lever; returns the stage-change delivery
    /// Lever sends for it (signed, stamped with the move's time), not yet posted.
    pub async fn moved(&self, opp: &str, stage: &str) -> Value {
        self.lever.move_stage(opp, stage).await;
        let at = self.lever.opportunity(opp).expect("opportunity")["stageChanges"]
            .as_array()
            .and_then(|c| c.last())
            .and_then(|c| c["updatedAt"].as_i64())
            .expect("a recorded stage change");
        self.stage_change(opp, stage, at)
    }

    /// Move the candidate onto the trigger stage in Lever, deliver Lever's webhook and
    /// perform every effect. A candidate already there is first moved back to New Applicant.
    pub async fn trigger(&self, opp: &str) -> (u16, Value) {
        if self.lever.stage_of(opp).as_deref() == Some(TRIGGER) {
            self.lever.move_stage(opp, "applicant-new").await;
        }
        let d = self.moved(opp, TRIGGER).await;
        let r = self.world.post_json(&self.webhook_path(), &d).await;
        self.world.settle().await;
        r
    }

    pub fn status_tags(&self, opp: &str) -> Vec<String> {
        self.lever
            .tags(opp)
            .into_iter()
            .filter(|t| t.starts_with(STATUS_PREFIX))
            .collect()
    }
}

/// A `candidateDeleted` delivery signed with `token` (data fields per facts/lever.md).
pub fn candidate_deleted(lever: &FakeLever, token: &str, opp: &str, triggered_at_ms: i64) -> Value {
    lever.signed_delivery(
        "candidateDeleted",
        json!({ "opportunityId": opp, "candidateId": opp, "contactId": "contact-1",
                "deletedBy": "user-1" }),
        token,
        triggered_at_ms,
    )
}
