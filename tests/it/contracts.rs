//! The contracts in `docs/contracts` hold: the OpenAPI document lists exactly the routes the
//! hub serves and the SAM template deploys, with every problem code the hub answers. (CI also
//! lints the document and the event schemas; published events are validated against those
//! schemas in `observability`.)

use screenhub::api::{ROUTES, problem_codes};
use screenhub_tests::repo_root;
use serde_json::Value;
use std::collections::BTreeSet;

fn openapi() -> Value {
    let path = repo_root().join("docs/contracts/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("valid JSON")
}

/// `(METHOD, path)` of every `Type: HttpApi` event in the SAM template.
fn template_routes() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(repo_root().join("infra/template.yaml")).unwrap();
    let mut routes = BTreeSet::new();
    let (mut in_event, mut method, mut path) = (false, None::<String>, None::<String>);
    for line in text.lines().map(str::trim) {
        if line == "Type: HttpApi" {
            (in_event, method, path) = (true, None, None);
        } else if in_event {
            if let Some(m) = line.strip_prefix("Method: ") {
                method = Some(m.trim_matches('"').to_uppercase());
            } else if let Some(p) = line.strip_prefix("Path: ") {
                path = Some(p.trim_matches('"').to_owned());
            }
            if let (Some(m), Some(p)) = (&method, &path) {
                routes.insert((m.clone(), p.clone()));
                in_event = false;
            }
        }
    }
    routes
}

#[test]
fn the_openapi_document_the_hub_and_the_template_agree_on_every_route() {
    let doc = openapi();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(documented, served, "openapi.json vs the hub's routes");
    assert_eq!(
        template_routes(),
        served,
        "infra/template.yaml vs the hub's routes"
    );
}

#[test]
fn every_problem_code_the_hub_answers_is_documented() {
    let doc = openapi();
    let documented: BTreeSet<&str> = doc["components"]["schemas"]["ProblemCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let answered: BTreeSet<&str> = problem_codes().collect();
    assert_eq!(documented, answered);
}
