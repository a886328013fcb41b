//! Every role × action × own/other scope, through the HTTP API, on both engines. The expected
//! outcome of each request comes from the same table the program enforces.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::Uscc;
use domain::authz::{Action, Reach, Role, reach};
use http_body_util::BodyExt;
use service::{App, Caller};
use tower::ServiceExt;

fn uscc(n: u32) -> String {
    Uscc::complete(&format!("91361200MA{n:07}")).unwrap().to_string()
}

/// Own = an enterprise in 经开组团 (the zone user's zone and the enterprise user's own);
/// other = one in 永修组团.
struct Fixture {
    app: App,
    own: String,
    other: String,
}

async fn fixture(url: &str) -> Fixture {
    let app = App::open(url).await.unwrap();
    let op = Caller::operator();
    let (own, other) = (uscc(1), uscc(2));
    let reg = format!("uscc,name,zone,industry\n{own},本组团企业,linkong,optoelectronics\n{other},外组团企业,yongxiu,silicone\n");
    let (_a, p) = testkit::file("e.csv", reg.as_bytes());
    app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
    let facts = format!("uscc,month,revenue\n{own},2022-01,10\n{other},2022-01,20\n");
    let (_b, p) = testkit::file("f.csv", facts.as_bytes());
    app.import_facts(&op, &p, false, &|_, _| {}).await.unwrap();
    app.seed_demo_users(&op).await.unwrap();
    common::lock_history(&app).await;
    for m in 1..=6 {
        let month = domain::Month::new(2023, m).unwrap();
        app.submission_step(&op, "yongxiu", month, domain::submission::Step::Submit, "").await.unwrap();
    }
    Fixture { app, own, other }
}

fn login_of(role: Role) -> &'static str {
    match role {
        Role::Coordinator => "jfj",
        Role::Department => "dept-approval",
        Role::Zone => "zone-etdz",
        Role::Enterprise => "qiye",
        Role::Leader => "leader",
        Role::Admin => "admin",
    }
}

async fn call(app: &App, token: &str, method: &str, uri: &str, body: String) -> (StatusCode, String) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let res = leapfrog_web::router(app.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

/// The request that exercises an action on an enterprise (or on the region).
fn request(action: Action, e: &str, zone: &str, industry: &str, review_month: &str) -> (&'static str, String, String) {
    match action {
        Action::ReviewSubmissions => ("POST", format!("/api/v1/submissions/yongxiu/{review_month}/approve"), String::new()),
        Action::ReadAggregates => ("GET", "/api/v1/progress?month=2022-01".into(), String::new()),
        Action::ReadEnterprise => ("GET", format!("/api/v1/enterprises/{e}"), String::new()),
        Action::WriteEnterprise => {
            ("POST", "/api/v1/enterprises".into(), format!("uscc,name,zone,industry\n{e},改名企业,{zone},{industry}\n"))
        }
        Action::WriteFacts => ("POST", "/api/v1/facts".into(), format!("uscc,month,revenue\n{e},2024-03,1\n")),
        Action::ManageUsers => ("GET", "/api/v1/users".into(), String::new()),
        Action::ManageTokens => ("GET", "/api/v1/tokens".into(), String::new()),
        Action::ReadAudit => ("GET", "/api/v1/audit".into(), String::new()),
    }
}

fn on_enterprise(action: Action) -> bool {
    matches!(action, Action::ReadEnterprise | Action::WriteEnterprise | Action::WriteFacts)
}

#[tokio::test]
async fn every_role_action_and_scope_through_the_api() {
    for db in testkit::engines().await {
        let f = fixture(&db.url).await;
        let op = Caller::operator();
        let mut checked = 0;
        // Allowed writes per audit action, to check afterwards that exactly those were written.
        let mut allowed_writes: std::collections::HashMap<&str, usize> = Default::default();
        for (k, role) in Role::ALL.into_iter().enumerate() {
            // Each role reviews its own submitted month, so one role's approval leaves the next
            // role's case as it was.
            let review_month = format!("2023-{:02}", k + 1);
            let token = f.app.create_token(&op, login_of(role), "matrix").await.unwrap();
            for action in Action::ALL {
                let cases: Vec<(bool, &str, &str, &str)> = if on_enterprise(action) {
                    vec![(true, &f.own, "linkong", "optoelectronics"), (false, &f.other, "yongxiu", "silicone")]
                } else {
                    vec![(true, "", "", "")]
                };
                for (own, e, zone, industry) in cases {
                    let allowed = match reach(role, action) {
                        Reach::Everything => true,
                        Reach::Nothing => false,
                        Reach::OwnZone | Reach::OwnEnterprise => own,
                    };
                    let (method, uri, body) = request(action, e, zone, industry, &review_month);
                    let (status, text) = call(&f.app, &token, method, &uri, body).await;
                    let expected = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
                    assert_eq!(
                        status,
                        expected,
                        "{} {role:?} {action:?} {} → {method} {uri}: {text}",
                        db.engine,
                        if own { "own" } else { "other" }
                    );
                    if !allowed {
                        assert!(text.contains("无权"), "a denial says why: {text}");
                    }
                    let audited = match action {
                        Action::WriteEnterprise => Some("import.enterprises"),
                        Action::WriteFacts => Some("import.facts"),
                        Action::ReviewSubmissions => Some("submission.approve"),
                        _ => None,
                    };
                    if let (Some(a), true) = (audited, allowed) {
                        *allowed_writes.entry(a).or_default() += 1;
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 6 * (5 + 3 * 2));
        // Exactly the allowed writes happened (each leaves one audit entry; the fixture's own
        // imports are taken from the count), and nothing denied was written.
        for (action, allowed) in allowed_writes {
            let filter = store::AuditFilter { action: Some(action.into()), limit: 1000, ..Default::default() };
            let (entries, _) = f.app.audit_entries(&op, &filter).await.unwrap();
            let by_matrix = entries.iter().filter(|e| !e.actor.starts_with("cli:")).count();
            assert_eq!(by_matrix, allowed, "{} {action}", db.engine);
        }
        let other = f.app.store.enterprise(&f.other).await.unwrap().unwrap();
        let renamed_by_coordinator = reach(Role::Coordinator, Action::WriteEnterprise) == Reach::Everything;
        assert_eq!(other.name == "改名企业", renamed_by_coordinator, "only an allowed role renamed the other zone's enterprise");
        assert_eq!(f.app.verify_audit().await.unwrap().map(|_| ()), Ok(()));
    }
}

#[tokio::test]
async fn lists_are_filtered_not_padded() {
    for db in testkit::engines().await {
        let f = fixture(&db.url).await;
        let op = Caller::operator();
        let list = |token: String| {
            let app = f.app.clone();
            async move {
                let (status, text) = call(&app, &token, "GET", "/api/v1/enterprises", String::new()).await;
                assert_eq!(status, StatusCode::OK, "{text}");
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                v["items"].as_array().unwrap().iter().map(|e| e["uscc"].as_str().unwrap().to_string()).collect::<Vec<_>>()
            }
        };
        let zone = f.app.create_token(&op, "zone-etdz", "t").await.unwrap();
        assert_eq!(list(zone.clone()).await, vec![f.own.clone()], "{}", db.engine);
        let ent = f.app.create_token(&op, "qiye", "t").await.unwrap();
        assert_eq!(list(ent).await, vec![f.own.clone()]);
        let leader = f.app.create_token(&op, "leader", "t").await.unwrap();
        assert_eq!(list(leader).await.len(), 2);
        // A zone user drilling into another zone's cell sees the figures but no enterprises.
        let (_, text) =
            call(&f.app, &zone, "GET", "/api/v1/drill?industry=silicone&zone=yongxiu&month=2022-01", String::new()).await;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (v["row"]["ytd"].as_f64(), v["total"].as_i64(), v["restricted"].as_bool()),
            (Some(20.0), Some(0), Some(true)),
            "{text}"
        );
        // No token, no data.
        let req = Request::get("/api/v1/progress").body(Body::empty()).unwrap();
        assert_eq!(leapfrog_web::router(f.app.clone()).oneshot(req).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_step_on_a_month_in_the_wrong_state_says_why_without_internals() {
    let db = testkit::sqlite();
    let f = fixture(&db.url).await;
    let token = f.app.create_token(&Caller::operator(), "jfj", "t").await.unwrap();
    // 2022-01 is locked: it cannot be approved again.
    let (status, text) = call(&f.app, &token, "POST", "/api/v1/submissions/yongxiu/2022-01/approve", String::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("已锁定") && !text.contains("SQL") && !text.contains("sqlx"), "{text}");
    let (status, _) = call(&f.app, &token, "POST", "/api/v1/submissions/mars/2022-01/approve", String::new()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
