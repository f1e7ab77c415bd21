use super::*;
use crate::domain::ats::lever_route::StatusTags;
use serde_json::json;

fn read(v: serde_json::Value) -> Result<TenantConfig, String> {
    serde_json::from_value(v).map_err(|e| e.to_string())
}

#[test]
fn the_shape_before_routes_reads_as_todays_two_routes() {
    let old = read(json!({
        "id": "acme", "name": "Acme", "lever": { "perform_as": "u1" },
        "alliance": {
            "api_base": "https://alliance.example", "trigger_stage_id": "stage-bg",
            "client_code": "ACME", "product": { "default": "Basic" },
            "flag_tag_prefix": "Flag: "
        },
        "backgrounds_online": { "api_base": "https://bo.example", "default_package": "Standard" }
    }))
    .unwrap();
    assert_eq!(
        old.ats.lever.as_ref().unwrap().perform_as.as_deref(),
        Some("u1")
    );
    let ids: Vec<&str> = old.routes.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["alliance2020", "backgrounds_online"]);
    let alliance = &old.routes[0];
    assert_eq!(alliance.provider, ProviderKind::Alliance2020);
    assert_eq!(
        alliance.trigger,
        Trigger::LeverStage {
            stage_id: "stage-bg".into()
        }
    );
    let rendering = alliance.lever_rendering();
    assert_eq!(rendering.flag_tag_prefix.as_deref(), Some("Flag: "));
    assert_eq!(
        rendering.status_tags,
        StatusTags::Standard {
            format: "Background Check Status: {status}".into()
        }
    );
    let bo = &old.routes[1];
    assert_eq!(bo.trigger.start_tag(), Some("Backgrounds Online Start"));
    assert_eq!(
        bo.lever_rendering().status_tags,
        StatusTags::BackgroundsOnline
    );
    // Written back, it is in today's shape and reads the same.
    let again = read(serde_json::to_value(&old).unwrap()).unwrap();
    assert_eq!(again, old);
    assert!(serde_json::to_value(&old).unwrap().get("routes").is_some());
}

#[test]
fn the_documented_example_tenant_is_valid() {
    let cfg: TenantConfig =
        serde_json::from_str(include_str!("../../../docs/tenant.example.json")).unwrap();
    assert!(cfg.problems().is_empty());
    assert!(cfg.routes.len() >= 2);
    for route in &cfg.routes {
        assert!(cfg.providers.has(route.provider), "{}", route.id);
    }
}

#[test]
fn the_documented_example_in_the_shape_before_routes_still_reads() {
    let old: TenantConfig =
        serde_json::from_str(include_str!("../../../docs/tenant.legacy.example.json")).unwrap();
    let new: TenantConfig =
        serde_json::from_str(include_str!("../../../docs/tenant.example.json")).unwrap();
    assert_eq!(old.providers, new.providers);
    assert_eq!(old.ats, new.ats);
    let ids = |c: &TenantConfig| {
        c.routes
            .iter()
            .map(|r| (r.id.clone(), r.provider, r.trigger.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&old), ids(&new));
}

#[test]
fn a_route_without_its_providers_or_ats_settings_does_not_load_and_every_problem_is_named() {
    let err = read(json!({
        "id": "acme", "name": "Acme",
        "providers": { "backgrounds_online": { "api_base": "https://bo.example", "default_package": "S" } },
        "routes": [
            { "id": "a", "provider": "alliance2020", "trigger": { "kind": "lever_stage", "stage_id": "s1" } },
            { "id": "a", "provider": "backgrounds_online", "trigger": { "kind": "lever_tag", "start": "Go", "cancel": "Go" } }
        ]
    }))
    .unwrap_err();
    for needle in [
        "route a: it orders from Alliance 2020 but the tenant has no providers.alliance2020 settings",
        "no ats.lever settings",
        "another route has the same id",
        "the cancel tag must be set and differ from the start tag",
    ] {
        assert!(err.contains(needle), "{needle} not in {err}");
    }
}

#[test]
fn unknown_kinds_and_misspelt_settings_are_refused_not_ignored() {
    let base = || {
        json!({
            "id": "acme", "name": "Acme", "ats": { "lever": {} },
            "providers": { "backgrounds_online": { "api_base": "https://bo.example", "default_package": "S" } },
            "routes": [{ "id": "r", "provider": "backgrounds_online", "trigger": { "kind": "lever_tag", "start": "Go" } }]
        })
    };
    assert!(read(base()).is_ok());
    let mut v = base();
    v["routes"][0]["provider"] = json!("cornerstone");
    let err = read(v).unwrap_err();
    assert!(
        err.contains("alliance2020")
            && err.contains("backgrounds_online")
            && err.contains("accurate"),
        "{err}"
    );
    let mut v = base();
    v["routes"][0]["trigger"]["kind"] = json!("lever_tags");
    assert!(read(v).unwrap_err().contains("lever_stage"));
    let mut v = base();
    v["ats"]["lever"] = json!({ "perfrom_as": "u1" });
    assert!(read(v).is_err());
    let mut v = base();
    v["routes"][0]["lever"] = json!({ "status_tags": { "family": "standard", "fromat": "x" } });
    assert!(read(v).is_err());
}

#[test]
fn two_routes_may_not_share_a_start_tag_or_a_stage() {
    let err = read(json!({
        "id": "acme", "name": "Acme", "ats": { "lever": {} },
        "providers": {
            "backgrounds_online": { "api_base": "https://bo.example", "default_package": "S" },
            "alliance2020": { "api_base": "https://a.example", "client_code": "C", "product": { "default": "P" } }
        },
        "routes": [
            { "id": "t1", "provider": "backgrounds_online", "trigger": { "kind": "lever_tag", "start": "Go" } },
            { "id": "t2", "provider": "alliance2020", "trigger": { "kind": "lever_tag", "start": "Go" } },
            { "id": "s1", "provider": "backgrounds_online", "trigger": { "kind": "lever_stage", "stage_id": "st" } },
            { "id": "s2", "provider": "alliance2020", "trigger": { "kind": "lever_stage", "stage_id": "st" } }
        ]
    }))
    .unwrap_err();
    assert!(
        err.contains("route t2: another route is started by the same tag"),
        "{err}"
    );
    assert!(
        err.contains("route s2: another route is started by the same stage"),
        "{err}"
    );
    // Both show the default standard tags: each would remove the other's.
    assert!(
        err.contains("route t2: shows its status with the same tags as route t1"),
        "{err}"
    );
}

#[test]
fn callbacks_are_accepted_only_from_providers_a_route_orders_from() {
    let cfg = read(json!({
        "id": "acme", "name": "Acme", "ats": { "lever": {} },
        "providers": {
            "backgrounds_online": { "api_base": "https://bo.example", "default_package": "S" },
            "alliance2020": { "api_base": "https://a.example", "client_code": "C", "product": { "default": "P" } }
        },
        "routes": [{ "id": "r", "provider": "backgrounds_online", "trigger": { "kind": "lever_stage", "stage_id": "st" } }]
    }))
    .unwrap();
    assert!(cfg.orders_from(ProviderKind::BackgroundsOnline));
    assert!(!cfg.orders_from(ProviderKind::Alliance2020));
}

#[test]
fn the_documented_paylocity_tenant_routes_each_package_to_its_provider() {
    let cfg: TenantConfig =
        serde_json::from_str(include_str!("../../../docs/tenant.paylocity.example.json")).unwrap();
    let route = |package: &str| cfg.paylocity_route(package).map(|r| r.provider);
    assert_eq!(
        route("standard-employment"),
        Some(ProviderKind::Alliance2020)
    );
    assert_eq!(route("driver"), Some(ProviderKind::BackgroundsOnline));
    assert_eq!(route("no-such-package"), None);
    assert!(
        cfg.routes
            .iter()
            .all(|r| r.trigger.ats() == AtsKind::Paylocity)
    );
}

#[test]
fn paylocity_routes_must_name_offered_packages_and_not_overlap() {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../../../docs/tenant.paylocity.example.json")).unwrap();
    v["routes"][1]["trigger"]["packages"] = serde_json::json!(["driver", "standard-employment"]);
    let err = serde_json::from_value::<TenantConfig>(v.clone())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("same package as route paylocity_alliance2020"),
        "{err}"
    );
    v["routes"][1]["trigger"]["packages"] = serde_json::json!(["nope"]);
    let err = serde_json::from_value::<TenantConfig>(v.clone())
        .unwrap_err()
        .to_string();
    assert!(err.contains("package \"nope\" is not one of"), "{err}");
    v["routes"][1]["trigger"]["packages"] = serde_json::json!([]);
    let err = serde_json::from_value::<TenantConfig>(v.clone())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("same package"),
        "a catch-all overlaps every route: {err}"
    );
    v["ats"] = serde_json::json!({});
    v["routes"][1]["trigger"]["packages"] = serde_json::json!(["driver"]);
    let err = serde_json::from_value::<TenantConfig>(v)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no ats.paylocity settings"), "{err}");
}

#[test]
fn the_documented_cornerstone_tenant_routes_each_package_to_its_provider() {
    let cfg: TenantConfig = serde_json::from_str(include_str!(
        "../../../docs/tenant.cornerstone.example.json"
    ))
    .unwrap();
    let route = |package: &str| cfg.cornerstone_route(package).map(|r| r.provider);
    assert_eq!(route("bg-standard"), Some(ProviderKind::Alliance2020));
    assert_eq!(route("bg-driver"), Some(ProviderKind::BackgroundsOnline));
    assert_eq!(route("no-such-package"), None);
    let mut v: serde_json::Value = serde_json::from_str(include_str!(
        "../../../docs/tenant.cornerstone.example.json"
    ))
    .unwrap();
    v["routes"][1]["trigger"]["packages"] = serde_json::json!([]);
    let err = serde_json::from_value::<TenantConfig>(v.clone())
        .unwrap_err()
        .to_string();
    assert!(err.contains("same package as route"), "{err}");
    v["routes"][1]["trigger"]["packages"] = serde_json::json!(["bg-driver"]);
    v["ats"]["cornerstone"]["callback_origins"] = serde_json::json!(["http://10.0.0.1"]);
    let err = serde_json::from_value::<TenantConfig>(v)
        .unwrap_err()
        .to_string();
    assert!(err.contains("callback origin \"http://10.0.0.1\""), "{err}");
}
