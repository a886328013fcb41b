//! The OpenAPI document: the paths and schemas written in `web/openapi.json`, with what the plan
//! decides filled in (the indicator, industry and zone codes a parameter may take) and what
//! every route may answer, so that the document tells the truth for the plan the server runs on.
//! Tests check it against the router's routes both ways; schemathesis checks it against the
//! server.

use domain::Plan;
use domain::submission::Step;
use serde_json::{Value, json};

const WRITTEN: &str = include_str!("../../../web/openapi.json");

/// A month as the API takes it (empty for the latest).
const MONTH_PATTERN: &str = "^((19|[2-9][0-9])[0-9]{2}-(0[1-9]|1[0-2]))?$";

fn with_empty<'a>(codes: &[&'a str]) -> Vec<&'a str> {
    codes.iter().copied().chain([""]).collect()
}

pub fn document(plan: &Plan) -> Value {
    let mut doc: Value = serde_json::from_str(WRITTEN).expect("web/openapi.json is JSON (a test reads it)");
    let industries: Vec<&str> = plan.industries.iter().map(|i| i.code.as_str()).chain([domain::ALL]).collect();
    let zones: Vec<&str> = plan.zones.iter().map(|z| z.code.as_str()).chain([domain::ALL]).collect();
    let top_zones: Vec<&str> = plan.top_zones().map(|z| z.code.as_str()).collect();
    let indicators: Vec<&str> = plan.indicators.iter().map(|i| i.code.as_str()).collect();
    let steps: Vec<&str> = Step::ALL.iter().map(|s| s.code()).collect();
    let tasks: Vec<&str> = plan.tasks.iter().map(|t| t.code.as_str()).collect();
    let items: Vec<&str> = plan.services.items.iter().map(|i| i.code.as_str()).collect();
    let reported: Vec<&str> = plan
        .kpis
        .iter()
        .filter(|k| matches!(k.actual, domain::kpi::KpiSource::Reported { .. }))
        .map(|k| k.code.as_str())
        .collect();
    let ticket_states: Vec<&str> =
        ["open", "all"].into_iter().chain(domain::services::TicketState::ALL.iter().map(|s| s.code())).collect();
    let error = |what: &str| json!({ "description": what, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let Some(paths) = doc["paths"].as_object_mut() else { return doc };
    // One path per workflow step: what each needs (a reason, or not) differs.
    let templated: Vec<String> = paths.keys().filter(|p| p.ends_with("/{step}")).cloned().collect();
    for path in templated {
        let Some(mut op) = paths.remove(&path) else { continue };
        if let Some(params) = op.get_mut("post").and_then(|p| p.get_mut("parameters")).and_then(Value::as_array_mut) {
            params.retain(|p| p["name"] != "step");
        }
        for step in Step::ALL {
            let mut this = op.clone();
            this["post"]["summary"] = json!(format!("{}: {}", step.code(), step.zh()));
            if step.needs_reason() {
                this["post"]["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["reason"],
                    "properties": { "reason": { "type": "string", "pattern": "\\S" } } } } } });
            }
            paths.insert(path.replace("{step}", step.code()), this);
        }
    }
    // A project's body takes the plan's codes; months as the API takes them; an investor by USCC.
    if let Some(props) = paths
        .get_mut("/api/v1/projects")
        .and_then(|p| p.pointer_mut("/post/requestBody/content/application~1json/schema/properties"))
    {
        let plan_industries: Vec<&str> = plan.industries.iter().map(|i| i.code.as_str()).collect();
        let plan_zones: Vec<&str> = plan.zones.iter().map(|z| z.code.as_str()).collect();
        props["zone"] = json!({ "type": "string", "enum": plan_zones });
        props["industry"] = json!({ "type": "string", "enum": plan_industries });
        props["investor_uscc"] = json!({ "type": "string", "pattern": "^([0-9A-HJ-NPQRTUWXY]{18})?$" });
        for m in ["planned_start", "actual_start", "planned_completion", "actual_completion"] {
            props[m] = json!({ "type": "string", "pattern": MONTH_PATTERN, "nullable": true });
        }
        for flag in ["provincial_key", "provincial_major", "provincial_300"] {
            props[flag] = json!({ "type": "string", "enum": ["是", "否", null], "nullable": true });
        }
        props["investor_uscc"]["nullable"] = json!(true);
    }
    if let Some(item) = paths
        .get_mut("/api/v1/tickets")
        .and_then(|p| p.pointer_mut("/post/requestBody/content/application~1json/schema/properties/item"))
    {
        *item = json!({ "type": "string", "enum": items });
    }
    for (path, ops) in paths.iter_mut() {
        let public = path == "/healthz";
        let Some(ops) = ops.as_object_mut() else { continue };
        for (method, op) in ops.iter_mut() {
            let writes = method != "get";
            // The registry's list also takes an empty filter, as its page's "全部" sends.
            let list = path == "/api/v1/enterprises" && method == "get";
            // `get_mut`, not indexing: indexing a JSON object inserts what it does not find.
            for p in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                let in_path = p["in"] == "path";
                let schema = match p["name"].as_str() {
                    Some("indicator") => json!({ "type": "string", "enum": indicators }),
                    Some("industry") if list => json!({ "type": "string", "enum": with_empty(&industries) }),
                    Some("industry") => json!({ "type": "string", "enum": industries }),
                    Some("zone") if in_path => json!({ "type": "string", "enum": top_zones }),
                    Some("zone") if list => json!({ "type": "string", "enum": with_empty(&zones) }),
                    Some("zone") => json!({ "type": "string", "enum": zones }),
                    Some("month") => json!({ "type": "string", "pattern": MONTH_PATTERN }),
                    Some("figures") => json!({ "type": "string", "enum": ["official", "provisional"] }),
                    Some("step") => json!({ "type": "string", "enum": steps }),
                    // The assessment is of a plan year only.
                    Some("year") if path == "/api/v1/assessment" => json!({ "type": "integer", "enum": plan.years }),
                    Some("year") => json!({ "type": "integer", "minimum": 1900, "maximum": 9999 }),
                    Some("page") => json!({ "type": "integer", "minimum": 1, "maximum": 1_000_000 }),
                    Some("offset") => json!({ "type": "integer", "minimum": 0, "maximum": 1_000_000_000 }),
                    Some("limit") => json!({ "type": "integer", "minimum": 1, "maximum": 10_000 }),
                    // Row ids (evaluation runs, objections) are 64-bit; beyond that is no id.
                    Some("id" | "run") => json!({ "type": "integer", "minimum": 1, "maximum": 1_000_000_000_000_i64 }),
                    Some("uscc") => json!({ "type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{18}$" }),
                    Some("code") if path.starts_with("/api/v1/tasks/") => json!({ "type": "string", "enum": tasks }),
                    Some("code") if path.starts_with("/api/v1/kpi-reports/") => json!({ "type": "string", "enum": reported }),
                    Some("code") => json!({ "type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$" }),
                    Some("number") => json!({ "type": "string", "pattern": "^[A-Z]{1,6}[0-9]{8}-[0-9]{4,5}$" }),
                    Some("n") => json!({ "type": "integer", "minimum": 1, "maximum": 1_000_000_000_000_i64 }),
                    Some("state") if path == "/api/v1/tickets" => json!({ "type": "string", "enum": with_empty(&ticket_states) }),
                    Some("item") if path == "/api/v1/tickets" => json!({ "type": "string", "enum": with_empty(&items) }),
                    Some("kind") => {
                        json!({ "type": "string", "enum": ["projects", "project-plans", "project-reports", "requirements"] })
                    }
                    _ => continue,
                };
                p["schema"] = schema;
            }
            let has_body = op.get("requestBody").is_some();
            let responses = &mut op["responses"];
            let mut add = |code: &str, what: &str| {
                if responses.get(code).is_none() {
                    responses[code] = error(what);
                }
            };
            add("400", "the request is not valid: the message says which field and why");
            if !public {
                add("401", "no valid session or token");
                add("403", "the caller's role or scope does not allow it");
            }
            if writes && !public {
                add("409", "the data is not in a state that allows it (a month's state changed, a login taken)");
            }
            if path.contains('{') {
                add("404", "no such zone, month or enterprise");
            }
            if has_body {
                add("415", "the body is not sent as the declared media type");
                add("422", "the body is not of the declared type");
            }
            add("500", "internal error, logged with the request id");
            add("503", "busy with another write: try again (Retry-After)");
            if public {
                op["security"] = json!([]);
            }
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plans_codes_are_in_the_document() {
        let doc = document(&Plan::default_plan());
        let params = &doc["paths"]["/api/v1/progress"]["get"]["parameters"];
        let indicator = params.as_array().unwrap().iter().find(|p| p["name"] == "indicator").unwrap();
        assert!(indicator["schema"]["enum"].as_array().unwrap().iter().any(|v| v == "revenue"));
        assert_eq!(doc["paths"]["/healthz"]["get"]["security"], json!([]));
        assert!(doc["paths"]["/api/v1/facts"]["post"]["responses"]["422"].is_object());
    }
}
