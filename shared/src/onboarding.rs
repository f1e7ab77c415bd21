//! Is a tenant ready to run? Checked when its configuration is written (`screenhub
//! tenant-put`), so a missing secret is found at onboarding, not by the first candidate at
//! 3 a.m. Pure: the caller reads the configuration and the tenant's secret.

use crate::config::TenantConfig;
use crate::config::Trigger;
use crate::domain::{AtsKind, ProviderKind};
use crate::ports::TenantSecrets;

/// Every problem that would stop the tenant's orders, in words an operator can act on; empty
/// when the tenant is ready.
pub fn problems(config: &TenantConfig, secrets: Option<&TenantSecrets>) -> Vec<String> {
    let mut found = config.problems();
    if config.routes.is_empty() {
        found.push(
            "no route is configured: add one to \"routes\" (a trigger and the provider it orders from)"
                .to_owned(),
        );
    }
    let Some(secrets) = secrets else {
        found.push(format!(
            "tenant {} has no secret: write it first (screenhub secrets-put)",
            config.id
        ));
        return found;
    };
    let blank = |s: &crate::ports::secrets::Secret| s.expose().trim().is_empty();
    if config
        .routes
        .iter()
        .any(|r| r.trigger.ats() == AtsKind::Lever)
        || config.ats.lever.is_some()
    {
        if secrets.lever_api_key.as_ref().is_none_or(blank) {
            found.push(
                "the secret has no lever_api_key: nothing can be read from or written to Lever"
                    .into(),
            );
        }
        // Every Lever tenant: a candidate deleted in Lever must be scrubbed at once (DESIGN §3).
        if !secrets
            .lever_webhook_tokens
            .contains_key("candidateDeleted")
        {
            found.push(
                "the secret has no lever_webhook_tokens.candidateDeleted: deletions in Lever would be refused and candidate data kept"
                    .into(),
            );
        }
    }
    if let Some(portal) = &config.ats.cornerstone {
        match &secrets.cornerstone {
            Some(c) if !blank(&c.password) => {
                if portal.status_username.is_some() && c.status_password.as_ref().is_none_or(blank)
                {
                    found.push(
                        "ats.cornerstone has a status_username but the secret has no cornerstone.status_password"
                            .into(),
                    );
                }
            }
            _ => found.push(
                "the secret has no cornerstone.password: every call of the Cornerstone portal would be refused"
                    .into(),
            ),
        }
    }
    for route in &config.routes {
        if matches!(route.trigger, Trigger::LeverStage { .. })
            && !secrets
                .lever_webhook_tokens
                .contains_key("candidateStageChange")
        {
            found.push(format!(
                "route {} is triggered by stage changes but the secret has no lever_webhook_tokens.candidateStageChange",
                route.id
            ));
        }
    }
    let mut providers: Vec<ProviderKind> = config.routes.iter().map(|r| r.provider).collect();
    providers.sort();
    providers.dedup();
    for provider in providers {
        let name = TenantSecrets::provider_field(provider);
        match secrets.provider(provider) {
            None => found.push(format!(
                "routes order from {} but the secret has no {name} credentials",
                provider.display_name()
            )),
            Some(p) => {
                if blank(&p.api_key) {
                    found.push(format!("the secret's {name}.api_key is empty"));
                }
                if provider.needs_api_secret() && p.api_secret.as_ref().is_none_or(blank) {
                    found.push(format!(
                        "the secret has no {name}.api_secret: {} signs in with the key and this password",
                        provider.display_name()
                    ));
                }
                if p.callback_secrets.is_empty() {
                    found.push(format!(
                        "the secret's {name}.callback_secrets is empty: every callback would be refused"
                    ));
                }
            }
        }
    }
    found
}

/// The Paylocity companies `config` lists that another tenant already serves: a company's
/// orders arrive at one partner URL and must resolve to one tenant.
pub fn company_conflicts(config: &TenantConfig, others: &[TenantConfig]) -> Vec<String> {
    let Some(mine) = &config.ats.paylocity else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for other in others.iter().filter(|o| o.id != config.id) {
        for company in &mine.company_ids {
            if other
                .ats
                .paylocity
                .as_ref()
                .is_some_and(|p| p.serves(company))
            {
                found.push(format!(
                    "Paylocity company {company} is already served by tenant {}",
                    other.id
                ));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::secrets::{ProviderSecrets, Secret};

    fn config(alliance: bool, bo: bool) -> TenantConfig {
        let mut v = serde_json::json!({ "id": "acme", "name": "Acme", "lever": {} });
        if alliance {
            v["alliance"] = serde_json::json!({
                "api_base": "https://alliance.example", "trigger_stage_id": "s1",
                "client_code": "A", "product": { "default": "Standard" }
            });
        }
        if bo {
            v["backgrounds_online"] = serde_json::json!({
                "api_base": "https://bo.example", "default_package": "Standard"
            });
        }
        serde_json::from_value(v).unwrap()
    }

    fn creds() -> ProviderSecrets {
        ProviderSecrets {
            api_key: Secret::new("k"),
            api_secret: None,
            callback_secrets: vec![Secret::new("whsec_x")],
        }
    }

    fn ready() -> TenantSecrets {
        TenantSecrets {
            lever_api_key: Some(Secret::new("lever")),
            lever_webhook_tokens: [
                ("candidateStageChange".to_owned(), Secret::new("t1")),
                ("candidateDeleted".to_owned(), Secret::new("t2")),
            ]
            .into(),
            alliance: Some(creds()),
            backgrounds_online: Some(creds()),
            accurate: None,
            operator_api_key: None,
            cornerstone: None,
            lever_connection: None,
        }
    }

    #[test]
    fn an_accurate_account_without_its_password_is_reported() {
        let mut v = serde_json::to_value(config(false, false)).unwrap();
        v["providers"] = serde_json::json!({
            "accurate": { "api_base": "https://acc.example", "default_package": "PKG_BASIC" }
        });
        v["routes"] = serde_json::json!([{ "id": "stage_acc", "provider": "accurate",
            "trigger": { "kind": "lever_stage", "stage_id": "s-acc" } }]);
        let config: TenantConfig = serde_json::from_value(v).unwrap();
        let mut s = ready();
        s.accurate = Some(creds());
        let found = problems(&config, Some(&s));
        assert!(
            found.iter().any(|p| p.contains("accurate.api_secret")),
            "{found:#?}"
        );
        s.accurate.as_mut().unwrap().api_secret = Some(Secret::new("pw"));
        assert_eq!(problems(&config, Some(&s)), Vec::<String>::new());
    }

    #[test]
    fn a_complete_tenant_is_ready() {
        assert_eq!(
            problems(&config(true, true), Some(&ready())),
            Vec::<String>::new()
        );
    }

    #[test]
    fn every_missing_piece_is_reported_at_once() {
        let mut s = ready();
        s.alliance = None;
        s.backgrounds_online
            .as_mut()
            .unwrap()
            .callback_secrets
            .clear();
        s.lever_webhook_tokens.clear();
        let found = problems(&config(true, true), Some(&s));
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found.iter().any(|p| p.contains("no alliance credentials")));
        assert!(
            found
                .iter()
                .any(|p| p.contains("backgrounds_online.callback_secrets"))
        );
        assert!(found.iter().any(|p| p.contains("candidateDeleted")));
        assert!(found.iter().any(|p| p.contains("candidateStageChange")));
        // A tag-driven tenant needs no stage-change token.
        let mut bo_only = ready();
        bo_only.lever_webhook_tokens.remove("candidateStageChange");
        assert!(problems(&config(false, true), Some(&bo_only)).is_empty());
    }

    #[test]
    fn no_secret_or_no_route_is_not_ready() {
        assert_eq!(problems(&config(true, false), None).len(), 1);
        assert_eq!(problems(&config(false, false), Some(&ready())).len(), 1);
    }

    #[test]
    fn a_new_pairing_needs_the_secrets_of_its_own_provider_and_trigger() {
        // Lever stage → Backgrounds Online: the stage-change token and BO's credentials.
        let cfg: TenantConfig = serde_json::from_value(serde_json::json!({
            "id": "acme", "name": "Acme", "ats": { "lever": {} },
            "providers": { "backgrounds_online": { "api_base": "https://bo.example", "default_package": "Standard" } },
            "routes": [{ "id": "stage_bo", "provider": "backgrounds_online",
                         "trigger": { "kind": "lever_stage", "stage_id": "s1" } }]
        }))
        .unwrap();
        let mut s = ready();
        s.backgrounds_online = None;
        s.lever_webhook_tokens.remove("candidateStageChange");
        let found = problems(&cfg, Some(&s));
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(
            found
                .iter()
                .any(|p| p.contains("no backgrounds_online credentials"))
        );
        assert!(
            found
                .iter()
                .any(|p| p.contains("route stage_bo") && p.contains("candidateStageChange"))
        );
        assert!(problems(&cfg, Some(&ready())).is_empty());
    }

    #[test]
    fn a_paylocity_company_belongs_to_one_tenant() {
        let tenant = |id: &str, companies: serde_json::Value| -> TenantConfig {
            serde_json::from_value(serde_json::json!({
                "id": id, "name": id,
                "ats": { "paylocity": { "company_ids": companies } }
            }))
            .unwrap()
        };
        let acme = tenant("acme", serde_json::json!(["A1", "A2"]));
        let globex = tenant("globex", serde_json::json!(["G1", "A2"]));
        let problems = company_conflicts(&acme, &[globex.clone(), acme.clone()]);
        assert_eq!(
            problems,
            vec!["Paylocity company A2 is already served by tenant globex"]
        );
        let alone = tenant("acme", serde_json::json!(["A1"]));
        assert!(company_conflicts(&alone, &[globex]).is_empty());
    }
}
