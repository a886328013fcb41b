//! Every route of the router × every role × own/other scope, on both engines, against outcomes
//! written out by hand: a route the matrix does not know fails it, and so does a wrong cell of
//! the table the program enforces.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::authz::Role;
use http_body_util::BodyExt;
use service::{App, Caller};
use tower::ServiceExt;

use testkit::uscc;

/// Own = an enterprise in 经开组团 (the zone user's zone and the enterprise user's own);
/// other = one in 永修组团.
struct Fixture {
    app: App,
    own: String,
    other: String,
    /// A problem per role (by its index in ROLES) on the own and on the other zone's project.
    own_problems: Vec<i64>,
    other_problems: Vec<i64>,
    own_photo: i64,
    other_photo: i64,
    /// A draft evaluation run of 2022, a published one, and two objections per role (one for the
    /// page, one for the API) to the own enterprise's result in the published one.
    draft_run: i64,
    published_run: i64,
    objections: Vec<i64>,
    /// Two service tickets per role (page and API) for the own enterprise in the 行政审批局's
    /// queue (the department user's), and for the other in the 财政金融局's; each with a file.
    own_tickets: Vec<String>,
    other_tickets: Vec<String>,
}

async fn fixture(url: &str) -> Fixture {
    let app = App::open(url).await.unwrap();
    let op = Caller::operator();
    let (own, other) = (uscc(1), uscc(2));
    let reg = format!(
        "uscc,name,zone,industry,land_mu\n{own},本组团企业,linkong,optoelectronics,10\n{other},外组团企业,yongxiu,silicone,10\n"
    );
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
        app.project_month_step(&op, "yongxiu", month, domain::submission::Step::Submit, "").await.unwrap();
    }
    // December 2025: each enterprise's revenue a hundredfold November's, a review flag in each
    // zone; 永修's explained and submitted (for the coordinator to decide), 经开's open (for the zone
    // to explain).
    let jumps = format!("uscc,month,revenue\n{own},2025-11,10\n{own},2025-12,1000\n{other},2025-11,20\n{other},2025-12,2000\n");
    let (_j, p) = testkit::file("j.csv", jumps.as_bytes());
    app.import_facts(&op, &p, false, &|_, _| {}).await.unwrap();
    let december = domain::Month::new(2025, 12).unwrap();
    let jump = service::FlagRef { uscc: &other, rule: "jump", indicator: "revenue" };
    app.explain_flags(&op, "yongxiu", december, &[jump], "新增订单").await.unwrap();
    app.submission_step(&op, "yongxiu", december, domain::submission::Step::Submit, "").await.unwrap();
    // Projects: P-OWN in 临空 (the zone user's etdz), P-OTHER in 永修; the own requirement and
    // problems are the 行政审批局's (the department user's), the other ones not.
    let projects = "code,name,zone,industry,type,total_investment,status\nP-OWN,本组团项目,linkong,optoelectronics,新建,20000,在建\n\
                    P-OTHER,外组团项目,yongxiu,silicone,新建,20000,在建\n";
    let (_c, p) = testkit::file("p.csv", projects.as_bytes());
    app.import_project_file(&op, service::ProjectFileKind::Projects, &p, &|_, _| {}).await.unwrap();
    let reqs = "code,requirement,department,planned\nP-OWN,施工许可,approval,2023-01-31\nP-OTHER,环评,ecology,2023-01-31\n";
    let (_d, p) = testkit::file("r.csv", reqs.as_bytes());
    app.import_project_file(&op, service::ProjectFileKind::Requirements, &p, &|_, _| {}).await.unwrap();
    let due = domain::calendar::Date::new(2023, 3, 1).unwrap();
    let month = domain::Month::new(2023, 1).unwrap();
    let (mut own_problems, mut other_problems) = (Vec::new(), Vec::new());
    for _ in ROLES {
        own_problems.push(app.add_problem(&op, "P-OWN", month, "用地待协调", "approval", due).await.unwrap());
        other_problems.push(app.add_problem(&op, "P-OTHER", month, "环评待批", "resources", due).await.unwrap());
    }
    // Leads: L-OWN-k in 经开 followed by the zone, L-OTHER-k in 永修 followed by the 开放发展局, one
    // of each per role (a lead turns into a project once).
    let mut leads = String::from("code,name,investor,amount,industry,zone,source,owner,stage,signed\n");
    for k in 0..ROLES.len() {
        leads.push_str(&format!("L-OWN-{k},本组团线索,某企业,300000,optoelectronics,etdz,推介会,etdz,签约,2023-02-01\n"));
        leads.push_str(&format!("L-OTHER-{k},外组团线索,某企业,300000,silicone,yongxiu,推介会,opening,签约,2023-02-01\n"));
    }
    let (_e, p) = testkit::file("l.csv", leads.as_bytes());
    app.import_leads(&op, &p, &|_, _| {}).await.unwrap();
    let own_photo = app.add_photo(&op, "P-OWN", month, "a.png", png()).await.unwrap();
    let other_photo = app.add_photo(&op, "P-OTHER", month, "b.png", png()).await.unwrap();
    for e in [&own, &other] {
        let t = domain::tags::EnterpriseTag {
            uscc: e.clone(),
            tag: "high-tech".into(),
            valid_from: domain::calendar::Date::new(2020, 1, 1).unwrap(),
            valid_to: None,
            note: String::new(),
        };
        app.set_enterprise_tag(&op, t).await.unwrap();
    }
    let draft_run = app.run_evaluation(&op, 2022, service::Figures::Official).await.unwrap();
    let published_run = app.run_evaluation(&op, 2022, service::Figures::Official).await.unwrap();
    app.publish_evaluation(&op, published_run, None).await.unwrap();
    let mut objections = Vec::new();
    for _ in 0..2 * ROLES.len() {
        objections.push(app.object_to_evaluation(&op, published_run, &own, "数据有误").await.unwrap());
    }
    let (mut own_tickets, mut other_tickets) = (Vec::new(), Vec::new());
    for _ in 0..2 * ROLES.len() {
        let order = |uscc: &str, item: &str, answers: &[(&str, &str)]| service::Order {
            item: item.into(),
            uscc: Some(uscc.into()),
            answers: answers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            channel: domain::services::Channel::Phone,
            note: String::new(),
            files: vec![service::Upload { file_name: "材料.pdf".into(), bytes: b"%PDF-1.7\n".to_vec() }],
        };
        let own_order = order(&own, "project-approval", &[("project", "扩建"), ("matter", "施工许可"), ("investment", "100")]);
        own_tickets.push(app.order_service(&op, own_order).await.unwrap().number);
        let other_order = order(&other, "loan-caiyuan", &[("amount", "100"), ("months", "12"), ("purpose", "设备")]);
        other_tickets.push(app.order_service(&op, other_order).await.unwrap().number);
    }
    // A reported KPI's value with its evidence (the 城乡建设和交通局's, entered by the operator).
    let pdf = service::Upload { file_name: "验收.pdf".into(), bytes: b"%PDF-1.7\n".to_vec() };
    let report = service::KpiReport { period: "2025Q4".into(), value: "100".into(), note: String::new(), evidence: Some(pdf) };
    app.report_kpi(&op, "standard_factories", report).await.unwrap();
    Fixture {
        app,
        own,
        other,
        own_problems,
        other_problems,
        own_photo,
        other_photo,
        draft_run,
        published_run,
        objections,
        own_tickets,
        other_tickets,
    }
}

fn png() -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(8, 8, image::Rgb([10, 120, 60])).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
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

/// One request of the matrix: a route of the router, for one scope case.
struct Case {
    method: &'static str,
    route: &'static str,
    /// "own" or "other" scope (an enterprise, zone or month of the caller's zone, or not), or "-".
    scope: &'static str,
    uri: String,
    body: Body,
    content_type: Option<String>,
}

const ROLES: [Role; 6] = [Role::Coordinator, Role::Department, Role::Zone, Role::Enterprise, Role::Leader, Role::Admin];

/// What each role gets, written out by hand from the README's table of roles (not read from the
/// table the program enforces): coordinator, department, zone (etdz), enterprise (the own
/// enterprise), leader, admin. 303 is a redirect: a page's form done, or the home page sending
/// a role to the page it has.
const EXPECTED: &[(&str, &str, &str, [u16; 6])] = &[
    //  method  route                                        scope     coord dept zone  ent  lead admin
    ("GET", "/", "-", [200, 200, 200, 303, 200, 303]),
    ("GET", "/login", "-", [200, 200, 200, 200, 200, 200]),
    ("POST", "/login", "-", [401, 401, 401, 401, 401, 401]),
    ("POST", "/logout", "-", [303, 303, 303, 303, 303, 303]),
    ("GET", "/account/password", "-", [200, 200, 200, 200, 200, 200]),
    ("POST", "/account/password", "-", [400, 400, 400, 400, 400, 400]),
    ("GET", "/audit", "-", [200, 403, 403, 403, 403, 200]),
    ("GET", "/audit.xlsx", "-", [200, 403, 403, 403, 403, 200]),
    ("GET", "/admin/users", "-", [403, 403, 403, 403, 403, 200]),
    ("POST", "/admin/users", "-", [403, 403, 403, 403, 403, 200]),
    ("GET", "/submissions", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/submissions/{zone}/{month}", "own", [403, 403, 303, 403, 403, 403]),
    ("POST", "/submissions/{zone}/{month}", "other", [403, 403, 403, 403, 403, 403]),
    ("GET", "/submissions/{zone}/{month}/review", "own", [200, 403, 200, 403, 403, 403]),
    ("GET", "/submissions/{zone}/{month}/review", "other", [200, 403, 403, 403, 403, 403]),
    ("GET", "/submissions/{zone}/{month}/review.xlsx", "own", [200, 403, 200, 403, 403, 403]),
    ("GET", "/submissions/{zone}/{month}/review.xlsx", "other", [200, 403, 403, 403, 403, 403]),
    ("POST", "/submissions/{zone}/{month}/review/explain", "own", [403, 403, 303, 403, 403, 403]),
    ("POST", "/submissions/{zone}/{month}/review/explain", "other", [403, 403, 403, 403, 403, 403]),
    // 经开's December is open: nothing to decide yet (409); 永修's is submitted.
    ("POST", "/submissions/{zone}/{month}/review/decide", "own", [409, 403, 403, 403, 403, 403]),
    ("POST", "/submissions/{zone}/{month}/review/decide", "other", [303, 403, 403, 403, 403, 403]),
    ("GET", "/data-quality", "-", [200, 403, 403, 403, 403, 403]),
    // The public page is off unless the plan file turns it on (tests/http.rs: on, for anyone).
    ("GET", "/public", "-", [404, 404, 404, 404, 404, 404]),
    ("GET", "/public.json", "-", [404, 404, 404, 404, 404, 404]),
    ("GET", "/data-quality.xlsx", "-", [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/review/{zone}/{month}", "own", [200, 403, 200, 403, 403, 403]),
    ("GET", "/api/v1/review/{zone}/{month}", "other", [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/review/{zone}/{month}/explain", "own", [403, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/review/{zone}/{month}/explain", "other", [403, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/review/{zone}/{month}/decide", "own", [409, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/review/{zone}/{month}/decide", "other", [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/data-quality", "-", [200, 403, 403, 403, 403, 403]),
    ("POST", "/submissions/upload", "own", [303, 403, 303, 403, 403, 403]),
    ("POST", "/submissions/upload", "other", [303, 403, 403, 403, 403, 403]),
    ("GET", "/targets", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/enterprises", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/enterprises/{uscc}", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/enterprises/{uscc}", "other", [200, 200, 403, 403, 200, 403]),
    ("GET", "/drill", "own", [200, 200, 200, 403, 200, 403]),
    ("GET", "/drill", "other", [200, 200, 200, 403, 200, 403]),
    ("GET", "/export/progress.xlsx", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/export/enterprises.xlsx", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/export/drill.xlsx", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/healthz", "-", [200, 200, 200, 200, 200, 200]),
    ("GET", "/metrics", "-", [403, 403, 403, 403, 403, 200]),
    ("GET", "/api/openapi.json", "-", [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/plan", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/progress", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/forecast", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/cockpit", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/drill", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/enterprises", "-", [200, 200, 200, 200, 200, 403]),
    ("POST", "/api/v1/enterprises", "own", [200, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/enterprises", "other", [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/enterprises/{uscc}", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/enterprises/{uscc}", "other", [200, 200, 403, 403, 200, 403]),
    // Designations: read with the enterprise; set, removed and imported by the department that
    // keeps each (the fixture's 行政审批局 keeps none) and by the coordinator.
    ("GET", "/api/v1/enterprises/{uscc}/tags", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/enterprises/{uscc}/tags", "other", [200, 200, 403, 403, 200, 403]),
    ("POST", "/api/v1/enterprises/{uscc}/tags", "own", [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/enterprises/{uscc}/tags", "other", [200, 403, 403, 403, 403, 403]),
    ("POST", "/enterprises/{uscc}/tags", "own", [303, 403, 403, 403, 403, 403]),
    ("POST", "/enterprises/{uscc}/tags", "other", [303, 403, 403, 403, 403, 403]),
    ("POST", "/enterprises/{uscc}/tags/remove", "own", [303, 403, 403, 403, 403, 403]),
    ("POST", "/enterprises/{uscc}/tags/remove", "other", [303, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/tag-files", "-", [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/facts", "own", [200, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/facts", "other", [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/submissions", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/api/v1/submissions/{zone}/{month}/{step}", "own", [403, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/submissions/{zone}/{month}/{step}", "other", [403, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/submissions/{zone}/{month}/{step}", "review", [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/users", "-", [403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v1/tokens", "-", [403, 403, 403, 403, 403, 200]),
    ("GET", "/api/v1/audit", "-", [200, 403, 403, 403, 403, 200]),
    ("GET", "/static/{*path}", "-", [200, 200, 200, 200, 200, 200]),
    // 重点任务: read with the region's figures; a note by the organisations that carry the task.
    // The department here is the 行政审批局, which co-operates on 项目提速 (own) but not on 拓宽融资
    // (other, 财政金融局 alone); the plan names the zone committees on every task.
    ("GET", "/tasks", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/tasks/{code}", "own", [303, 303, 303, 403, 403, 403]),
    ("POST", "/tasks/{code}", "other", [303, 403, 303, 403, 403, 403]),
    ("GET", "/api/v1/tasks", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/api/v1/tasks/{code}/notes", "own", [200, 200, 200, 403, 403, 403]),
    ("POST", "/api/v1/tasks/{code}/notes", "other", [200, 403, 200, 403, 403, 403]),
    // 重大项目: read by the region's readers (a zone its own zone's); written, reported and
    // photographed by the coordinator and the project's zone; a requirement or problem resolved
    // by the coordinator and the department that owns it. Another zone's problem or photo is
    // not found for those who cannot see the project.
    ("GET", "/projects", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/projects", "own", [303, 403, 303, 403, 403, 403]),
    ("POST", "/projects", "other", [303, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/projects", "own", [200, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/projects", "other", [200, 403, 403, 403, 403, 403]),
    ("GET", "/export/project-files/{kind}", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/projects/{code}", "own", [200, 200, 200, 403, 200, 403]),
    ("GET", "/projects/{code}", "other", [200, 200, 403, 403, 200, 403]),
    ("POST", "/projects/{code}/report", "own", [303, 403, 303, 403, 403, 403]),
    ("POST", "/projects/{code}/report", "other", [303, 403, 403, 403, 403, 403]),
    ("POST", "/projects/{code}/problems", "own", [303, 403, 303, 403, 403, 403]),
    ("POST", "/projects/{code}/problems", "other", [303, 403, 403, 403, 403, 403]),
    ("POST", "/projects/{code}/problems/{id}", "own", [303, 303, 403, 404, 403, 404]),
    ("POST", "/projects/{code}/problems/{id}", "other", [303, 403, 404, 404, 403, 404]),
    ("POST", "/projects/{code}/requirements/{kind}", "own", [303, 303, 403, 403, 403, 403]),
    ("POST", "/projects/{code}/requirements/{kind}", "other", [303, 403, 403, 403, 403, 403]),
    ("POST", "/projects/{code}/photos", "own", [303, 403, 303, 403, 403, 403]),
    ("POST", "/projects/{code}/photos", "other", [303, 403, 403, 403, 403, 403]),
    ("GET", "/projects/{code}/photos/{id}", "own", [200, 200, 200, 404, 200, 404]),
    ("GET", "/projects/{code}/photos/{id}", "other", [200, 200, 404, 404, 200, 404]),
    ("GET", "/dispatch", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/export/dispatch.xlsx", "-", [200, 200, 200, 403, 200, 403]),
    // The quarterly bulletin is the region's document: not a zone's, which sees only its part.
    ("GET", "/export/bulletin.docx", "-", [200, 200, 403, 403, 200, 403]),
    ("GET", "/export/bulletin.xlsx", "-", [200, 200, 403, 403, 200, 403]),
    ("POST", "/dispatch/{zone}/{month}", "own", [403, 403, 303, 403, 403, 403]),
    ("POST", "/dispatch/{zone}/{month}", "other", [403, 403, 403, 403, 403, 403]),
    ("POST", "/dispatch/{zone}/{month}", "review", [303, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/projects", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/projects/{code}", "own", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/projects/{code}", "other", [200, 200, 403, 403, 200, 403]),
    ("GET", "/api/v1/dispatch", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/api/v1/project-files/{kind}", "own", [200, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/project-files/{kind}", "other", [200, 403, 403, 403, 403, 403]),
    // 招商引资: read as projects are; a lead written and converted by the coordinator and by those
    // who follow it (the zone's own; the department here is not the 开放发展局, which follows the
    // other one). Another zone's lead is not found for the zone.
    ("GET", "/leads", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/leads/{code}/convert", "own", [303, 403, 303, 404, 403, 404]),
    ("POST", "/leads/{code}/convert", "other", [303, 403, 404, 404, 403, 404]),
    ("GET", "/api/v1/leads", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/api/v1/lead-files", "own", [200, 403, 200, 403, 403, 403]),
    ("POST", "/api/v1/lead-files", "other", [200, 403, 403, 403, 403, 403]),
    // 亩产效益评价: each sees the results in its reach (an enterprise its own once published, a
    // zone its zone's); the lists and their workbook are the staff's; the coordinator runs,
    // publishes, decides and adjusts; an enterprise or its zone objects to its own result.
    ("GET", "/evaluation", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/evaluation/{uscc}", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/evaluation/{uscc}", "other", [200, 200, 403, 403, 200, 403]),
    ("GET", "/evaluation/lists", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/export/evaluation.xlsx", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/evaluation/runs", "-", [303, 403, 403, 403, 403, 403]),
    ("POST", "/evaluation/runs/{id}/{action}", "-", [303, 403, 403, 403, 403, 403]),
    ("POST", "/evaluation/runs/{id}/objections", "own", [303, 403, 303, 303, 403, 403]),
    ("POST", "/evaluation/runs/{id}/objections", "other", [303, 403, 403, 403, 403, 403]),
    ("POST", "/evaluation/objections/{id}", "-", [303, 403, 403, 403, 403, 403]),
    ("POST", "/evaluation/adjustments", "-", [303, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/evaluation", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/evaluation/{uscc}", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/evaluation/{uscc}", "other", [200, 200, 403, 403, 200, 403]),
    ("GET", "/api/v1/evaluation-runs", "-", [200, 200, 200, 200, 200, 403]),
    ("POST", "/api/v1/evaluation-runs", "-", [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/v1/evaluation-runs/{id}/lists", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/api/v1/evaluation-runs/{id}/objections", "own", [200, 403, 200, 200, 403, 403]),
    ("POST", "/api/v1/evaluation-runs/{id}/objections", "other", [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/evaluation-runs/{id}/{action}", "-", [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/evaluation-objections/{id}", "-", [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/evaluation-adjustments", "-", [200, 403, 403, 403, 403, 403]),
    // 梯次培育: the 小升规 library and the selections, for every reader of the region's figures.
    ("GET", "/cultivation", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/export/scale-up.xlsx", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/cultivation", "-", [200, 200, 200, 403, 200, 403]),
    // 创新提升: read with the region's figures; the platforms file is the 创新发展局's (the
    // fixture's department is another), GDP the coordinator's.
    ("GET", "/innovation", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/export/innovation.xlsx", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/innovation", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/innovation/gdp", "-", [303, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/gdp", "-", [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/innovation-files", "-", [200, 403, 403, 403, 403, 403]),
    // 年度考核: published to every reader of the region's figures and projects.
    ("GET", "/assessment", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/export/assessment.xlsx", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/assessment", "-", [200, 200, 200, 403, 200, 403]),
    // 企业点单叫号: the catalogue for whoever sees tickets; ordering by an enterprise (always for
    // itself, whatever it names) and by staff for an enterprise in their reach; a ticket seen by
    // its enterprise, its zone, the department that has it, the coordinator and the leaders
    // (others: not found); worked by that department and the coordinator alone.
    ("GET", "/services", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/service-items", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/services/{item}", "-", [200, 200, 200, 200, 403, 403]),
    ("POST", "/services/{item}", "own", [303, 303, 303, 303, 403, 403]),
    ("POST", "/services/{item}", "other", [303, 303, 403, 303, 403, 403]),
    ("POST", "/api/v1/tickets", "own", [201, 201, 201, 201, 403, 403]),
    ("POST", "/api/v1/tickets", "other", [201, 201, 403, 201, 403, 403]),
    ("GET", "/tickets", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/tickets/stats", "-", [200, 200, 200, 200, 200, 403]),
    // Reported KPIs: read with the region's figures; entered by their owner (here none of the
    // fixture's department or zone) and the coordinator.
    ("GET", "/kpis", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/kpi-reports", "-", [200, 200, 200, 403, 200, 403]),
    ("POST", "/kpis/{code}", "-", [303, 403, 403, 403, 403, 403]),
    ("POST", "/api/v1/kpi-reports/{code}", "-", [200, 403, 403, 403, 403, 403]),
    ("GET", "/kpis/{code}/evidence/{n}", "-", [200, 200, 200, 403, 200, 403]),
    ("GET", "/api/v1/kpi-reports/{code}/evidence/{n}", "-", [200, 200, 200, 403, 200, 403]),
    // The inbox: every account its own; a key it does not hold is not found.
    ("GET", "/inbox", "-", [200, 200, 200, 200, 200, 200]),
    ("POST", "/inbox/open", "-", [404, 404, 404, 404, 404, 404]),
    ("POST", "/inbox/read", "-", [303, 303, 303, 303, 303, 303]),
    ("GET", "/api/v1/inbox", "-", [200, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/inbox/read", "-", [200, 200, 200, 200, 200, 200]),
    ("GET", "/export/tickets.xlsx", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/ticket-stats", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/tickets", "-", [200, 200, 200, 200, 200, 403]),
    ("GET", "/tickets/{number}", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/tickets/{number}", "other", [200, 404, 404, 404, 200, 403]),
    ("GET", "/api/v1/tickets/{number}", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/tickets/{number}", "other", [200, 404, 404, 404, 200, 403]),
    ("GET", "/tickets/{number}/files/{n}", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/tickets/{number}/files/{n}", "other", [200, 404, 404, 404, 200, 403]),
    ("GET", "/api/v1/tickets/{number}/files/{n}", "own", [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/v1/tickets/{number}/files/{n}", "other", [200, 404, 404, 404, 200, 403]),
    ("POST", "/tickets/{number}/steps", "own", [303, 303, 403, 403, 403, 403]),
    ("POST", "/tickets/{number}/steps", "other", [303, 404, 404, 404, 403, 403]),
    ("POST", "/api/v1/tickets/{number}/steps", "own", [200, 200, 403, 403, 403, 403]),
    ("POST", "/api/v1/tickets/{number}/steps", "other", [200, 404, 404, 404, 403, 403]),
];

fn json(text: String) -> (Body, Option<String>) {
    (Body::from(text), Some("application/json".into()))
}

fn form(text: String) -> (Body, Option<String>) {
    (Body::from(text), Some("application/x-www-form-urlencoded".into()))
}

fn multipart(csrf: &str, file: &str) -> (Body, Option<String>) {
    let b = "matrixboundary";
    let text = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{b}--\r\n"
    );
    (Body::from(text), Some(format!("multipart/form-data; boundary={b}")))
}

/// The ticket page's accept form, as multipart (its forms carry files).
fn step_form(csrf: &str) -> (Body, Option<String>) {
    let b = "matrixboundary";
    let part = |name: &str, value: &str| format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
    let text = [part("csrf", csrf), part("step", "accept"), part("version", "1")].concat();
    (Body::from(format!("{text}--{b}--\r\n")), Some(format!("multipart/form-data; boundary={b}")))
}

fn photo_form(csrf: &str, month: &str) -> (Body, Option<String>) {
    let b = "matrixboundary";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{b}\r\nContent-Disposition: form-data; name=\"month\"\r\n\r\n{month}\r\n--{b}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&png());
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (Body::from(body), Some(format!("multipart/form-data; boundary={b}")))
}

/// The requests for one route, own and other scope where it has one. `k` keeps each role's
/// writes on months of its own, so one role's step leaves the next role's case as it was.
fn cases(f: &Fixture, method: &'static str, route: &'static str, k: usize, csrf: &str) -> Vec<Case> {
    let case = |scope: &'static str, uri: String, (body, content_type): (Body, Option<String>)| Case {
        method,
        route,
        scope,
        uri,
        body,
        content_type,
    };
    let none = || (Body::empty(), None);
    // Facts go to one month of the role's, page steps to another.
    let month = format!("2024-{:02}", k + 1);
    let step_month = format!("2024-{:02}", k + 7);
    let review_month = format!("2023-{:02}", k + 1);
    let facts = |e: &str| format!("uscc,month,revenue\n{e},{month},1\n");
    let registry =
        |e: &str, zone: &str, industry: &str| format!("uscc,name,zone,industry,land_mu\n{e},改名企业,{zone},{industry},10\n");
    match (method, route) {
        ("GET", "/") => vec![case("-", "/".into(), none())],
        ("GET", "/login") => vec![case("-", "/login".into(), none())],
        // A wrong password: the form answers on its own page, 401.
        ("POST", "/login") => vec![case("-", "/login".into(), form("login=jfj&password=wrong&csrf=x".into()))],
        ("POST", "/logout") => vec![case("-", "/logout".into(), form(format!("csrf={csrf}")))],
        ("GET", "/account/password") => vec![case("-", "/account/password".into(), none())],
        ("POST", "/account/password") => {
            vec![case("-", "/account/password".into(), form(format!("csrf={csrf}&old=wrong&new=x&repeat=x")))]
        }
        ("GET", "/audit" | "/audit.xlsx" | "/admin/users" | "/submissions" | "/targets" | "/enterprises") => {
            vec![case("-", route.into(), none())]
        }
        ("POST", "/admin/users") => vec![case("-", route.into(), form(format!("csrf={csrf}&op=enable&login=leader")))],
        ("POST", "/submissions/{zone}/{month}") => vec![
            case("own", format!("/submissions/etdz/{step_month}"), form(format!("csrf={csrf}&step=submit"))),
            case("other", format!("/submissions/yongxiu/{step_month}"), form(format!("csrf={csrf}&step=submit"))),
        ],
        (
            "GET",
            "/submissions/{zone}/{month}/review" | "/submissions/{zone}/{month}/review.xlsx" | "/api/v1/review/{zone}/{month}",
        ) => {
            let suffix = route.rsplit_once("{month}").map_or("", |(_, s)| s);
            let base = if route.starts_with("/api") { "/api/v1/review" } else { "/submissions" };
            vec![
                case("own", format!("{base}/etdz/2025-12{suffix}"), none()),
                case("other", format!("{base}/yongxiu/2025-12{suffix}"), none()),
            ]
        }
        ("POST", "/submissions/{zone}/{month}/review/explain") => {
            let body = |e: &str| form(format!("csrf={csrf}&uscc={e}&rule=jump&indicator=revenue&explanation=x"));
            vec![
                case("own", "/submissions/etdz/2025-12/review/explain".into(), body(&f.own)),
                case("other", "/submissions/yongxiu/2025-12/review/explain".into(), body(&f.other)),
            ]
        }
        ("POST", "/submissions/{zone}/{month}/review/decide") => {
            let body = |e: &str| form(format!("csrf={csrf}&uscc={e}&rule=jump&indicator=revenue&decision=accepted"));
            vec![
                case("own", "/submissions/etdz/2025-12/review/decide".into(), body(&f.own)),
                case("other", "/submissions/yongxiu/2025-12/review/decide".into(), body(&f.other)),
            ]
        }
        ("POST", "/api/v1/review/{zone}/{month}/explain") => {
            let body = |e: &str| {
                json(format!(r#"{{"flags":[{{"uscc":"{e}","rule":"jump","indicator":"revenue"}}],"explanation":"x"}}"#))
            };
            vec![
                case("own", "/api/v1/review/etdz/2025-12/explain".into(), body(&f.own)),
                case("other", "/api/v1/review/yongxiu/2025-12/explain".into(), body(&f.other)),
            ]
        }
        ("POST", "/api/v1/review/{zone}/{month}/decide") => {
            let body = |e: &str| {
                json(format!(r#"{{"flags":[{{"uscc":"{e}","rule":"jump","indicator":"revenue"}}],"decision":"accepted"}}"#))
            };
            vec![
                case("own", "/api/v1/review/etdz/2025-12/decide".into(), body(&f.own)),
                case("other", "/api/v1/review/yongxiu/2025-12/decide".into(), body(&f.other)),
            ]
        }
        ("GET", "/public" | "/public.json") => vec![case("-", route.into(), none())],
        ("GET", "/data-quality" | "/data-quality.xlsx" | "/api/v1/data-quality") => {
            vec![case("-", format!("{route}?year=2025"), none())]
        }
        ("POST", "/submissions/upload") => vec![
            case("own", route.into(), multipart(csrf, &facts(&f.own))),
            case("other", route.into(), multipart(csrf, &facts(&f.other))),
        ],
        ("GET", "/enterprises/{uscc}") => vec![
            case("own", format!("/enterprises/{}", f.own), none()),
            case("other", format!("/enterprises/{}", f.other), none()),
        ],
        ("GET", "/drill") => vec![
            case("own", "/drill?industry=optoelectronics&zone=etdz&month=2022-01".into(), none()),
            case("other", "/drill?industry=silicone&zone=yongxiu&month=2022-01".into(), none()),
        ],
        ("GET", "/export/progress.xlsx") => vec![case("-", "/export/progress.xlsx?month=2022-01".into(), none())],
        ("GET", "/export/enterprises.xlsx") => vec![case("-", route.into(), none())],
        ("GET", "/export/drill.xlsx") => {
            vec![case("-", "/export/drill.xlsx?industry=optoelectronics&zone=etdz&month=2022-01".into(), none())]
        }
        (
            "GET",
            "/healthz"
            | "/metrics"
            | "/api/openapi.json"
            | "/api/v1/plan"
            | "/api/v1/enterprises"
            | "/api/v1/users"
            | "/api/v1/tokens"
            | "/api/v1/audit",
        ) => {
            vec![case("-", route.into(), none())]
        }
        ("GET", "/api/v1/progress" | "/api/v1/cockpit" | "/api/v1/forecast") => {
            vec![case("-", format!("{route}?month=2022-01"), none())]
        }
        ("GET", "/api/v1/drill") => {
            vec![case("-", "/api/v1/drill?industry=optoelectronics&zone=etdz&month=2022-01".into(), none())]
        }
        ("POST", "/api/v1/enterprises") => vec![
            case("own", route.into(), (Body::from(registry(&f.own, "linkong", "optoelectronics")), None)),
            case("other", route.into(), (Body::from(registry(&f.other, "yongxiu", "silicone")), None)),
        ],
        ("GET", "/api/v1/enterprises/{uscc}/tags") => vec![
            case("own", format!("/api/v1/enterprises/{}/tags", f.own), none()),
            case("other", format!("/api/v1/enterprises/{}/tags", f.other), none()),
        ],
        ("POST", "/api/v1/enterprises/{uscc}/tags") => {
            let body = || json(r#"{"tag":"high-tech","valid_from":"2023-01-01"}"#.into());
            vec![
                case("own", format!("/api/v1/enterprises/{}/tags", f.own), body()),
                case("other", format!("/api/v1/enterprises/{}/tags", f.other), body()),
            ]
        }
        ("POST", "/enterprises/{uscc}/tags") => {
            let body = || form(format!("csrf={csrf}&tag=high-tech&valid_from=2023-02-01"));
            vec![
                case("own", format!("/enterprises/{}/tags", f.own), body()),
                case("other", format!("/enterprises/{}/tags", f.other), body()),
            ]
        }
        // The fixture's 2020 designations, removed once by the coordinator.
        ("POST", "/enterprises/{uscc}/tags/remove") => {
            let body = || form(format!("csrf={csrf}&tag=high-tech&valid_from=2020-01-01"));
            vec![
                case("own", format!("/enterprises/{}/tags/remove", f.own), body()),
                case("other", format!("/enterprises/{}/tags/remove", f.other), body()),
            ]
        }
        ("POST", "/api/v1/tag-files") => {
            let file = format!("uscc,tag,valid_from\n{},high-tech,2023-03-0{}\n", f.own, k + 1);
            vec![case("-", route.into(), (Body::from(file), None))]
        }
        ("GET", "/api/v1/enterprises/{uscc}") => vec![
            case("own", format!("/api/v1/enterprises/{}", f.own), none()),
            case("other", format!("/api/v1/enterprises/{}", f.other), none()),
        ],
        ("POST", "/api/v1/facts") => vec![
            case("own", route.into(), (Body::from(facts(&f.own)), None)),
            case("other", route.into(), (Body::from(facts(&f.other)), None)),
        ],
        ("GET", "/api/v1/submissions") => vec![case("-", "/api/v1/submissions?year=2023".into(), none())],
        ("POST", "/api/v1/submissions/{zone}/{month}/{step}") => {
            let m = format!("2025-{:02}", k + 1);
            vec![
                case("own", format!("/api/v1/submissions/etdz/{m}/submit"), none()),
                case("other", format!("/api/v1/submissions/yongxiu/{m}/submit"), none()),
                case("review", format!("/api/v1/submissions/yongxiu/{review_month}/approve"), none()),
            ]
        }
        ("GET", "/static/{*path}") => vec![case("-", "/static/app.css".into(), none())],
        // task-2 (项目提速) is carried with the 行政审批局; safeguard-3 (融资) by the 财政金融局 and
        // the zones.
        ("GET", "/tasks") => vec![case("-", "/tasks?month=2023-06".into(), none())],
        ("POST", "/tasks/{code}") => vec![
            case("own", "/tasks/task-2".into(), form(format!("csrf={csrf}&month=2023-06&note=进展"))),
            case("other", "/tasks/safeguard-3".into(), form(format!("csrf={csrf}&month=2023-06&note=进展"))),
        ],
        ("GET", "/api/v1/tasks") => vec![case("-", "/api/v1/tasks?month=2023-06".into(), none())],
        ("POST", "/api/v1/tasks/{code}/notes") => {
            let body = || (Body::from(r#"{"month":"2023-06","note":"进展"}"#), Some("application/json".to_string()));
            vec![
                case("own", "/api/v1/tasks/task-2/notes".into(), body()),
                case("other", "/api/v1/tasks/safeguard-3/notes".into(), body()),
            ]
        }
        ("GET", "/projects" | "/dispatch" | "/export/dispatch.xlsx" | "/api/v1/projects" | "/api/v1/dispatch") => {
            vec![case("-", format!("{route}?month=2023-06"), none())]
        }
        ("GET", "/projects/{code}" | "/api/v1/projects/{code}") => {
            let prefix = route.trim_end_matches("/{code}");
            vec![
                case("own", format!("{prefix}/P-OWN?month=2023-06"), none()),
                case("other", format!("{prefix}/P-OTHER?month=2023-06"), none()),
            ]
        }
        ("POST", "/projects") => {
            let body = |code: String, zone: &str| {
                form(format!(
                    "csrf={csrf}&code={code}&name=新项目&zone={zone}&industry=optoelectronics&type=新建&total_investment=100&status=谋划"
                ))
            };
            vec![
                case("own", route.into(), body(format!("PN-OWN-{k}"), "linkong")),
                case("other", route.into(), body(format!("PN-OTHER-{k}"), "yongxiu")),
            ]
        }
        ("POST", "/api/v1/projects") => {
            let body = |code: String, zone: &str| {
                let json = format!(
                    r#"{{"code":"{code}","name":"新项目","zone":"{zone}","industry":"optoelectronics","type":"新建","total_investment":"100","status":"谋划"}}"#
                );
                (Body::from(json), Some("application/json".to_string()))
            };
            vec![
                case("own", route.into(), body(format!("PA-OWN-{k}"), "linkong")),
                case("other", route.into(), body(format!("PA-OTHER-{k}"), "yongxiu")),
            ]
        }
        ("GET", "/export/project-files/{kind}") => vec![case("-", "/export/project-files/projects.xlsx".into(), none())],
        ("GET", "/export/bulletin.docx" | "/export/bulletin.xlsx") => vec![case("-", format!("{route}?quarter=2023Q2"), none())],
        ("POST", "/projects/{code}/report") => {
            let body = || form(format!("csrf={csrf}&month={month}&investment=12.5&note=施工"));
            vec![case("own", "/projects/P-OWN/report".into(), body()), case("other", "/projects/P-OTHER/report".into(), body())]
        }
        ("POST", "/projects/{code}/problems") => {
            let body = || form(format!("csrf={csrf}&month={month}&description=待协调&department=approval&due=2024-12-31"));
            vec![
                case("own", "/projects/P-OWN/problems".into(), body()),
                case("other", "/projects/P-OTHER/problems".into(), body()),
            ]
        }
        ("POST", "/projects/{code}/problems/{id}") => {
            let body = || form(format!("csrf={csrf}&month=2023-06&status=working"));
            vec![
                case("own", format!("/projects/P-OWN/problems/{}", f.own_problems[k]), body()),
                case("other", format!("/projects/P-OTHER/problems/{}", f.other_problems[k]), body()),
            ]
        }
        ("POST", "/projects/{code}/requirements/{kind}") => {
            let body = || form(format!("csrf={csrf}&month=2023-06&done=2023-02-01"));
            vec![
                case("own", "/projects/P-OWN/requirements/construction_permit".into(), body()),
                case("other", "/projects/P-OTHER/requirements/eia".into(), body()),
            ]
        }
        ("POST", "/projects/{code}/photos") => vec![
            case("own", "/projects/P-OWN/photos".into(), photo_form(csrf, &month)),
            case("other", "/projects/P-OTHER/photos".into(), photo_form(csrf, &month)),
        ],
        ("GET", "/projects/{code}/photos/{id}") => vec![
            case("own", format!("/projects/P-OWN/photos/{}", f.own_photo), none()),
            case("other", format!("/projects/P-OTHER/photos/{}", f.other_photo), none()),
        ],
        ("POST", "/dispatch/{zone}/{month}") => {
            let m = format!("2025-{:02}", k + 1);
            vec![
                case("own", format!("/dispatch/etdz/{m}"), form(format!("csrf={csrf}&step=submit"))),
                case("other", format!("/dispatch/yongxiu/{m}"), form(format!("csrf={csrf}&step=submit"))),
                case("review", format!("/dispatch/yongxiu/{review_month}"), form(format!("csrf={csrf}&step=approve"))),
            ]
        }
        ("POST", "/api/v1/project-files/{kind}") => {
            let file = |code: &str| format!("code,month,investment\n{code},{month},3\n");
            vec![
                case("own", "/api/v1/project-files/project-reports".into(), (Body::from(file("P-OWN")), None)),
                case("other", "/api/v1/project-files/project-reports".into(), (Body::from(file("P-OTHER")), None)),
            ]
        }
        ("GET", "/leads" | "/api/v1/leads") => vec![case("-", format!("{route}?year=2023"), none())],
        ("GET", "/evaluation" | "/api/v1/evaluation") => vec![case("-", format!("{route}?year=2022"), none())],
        ("GET", "/evaluation/{uscc}" | "/api/v1/evaluation/{uscc}") => {
            let prefix = route.trim_end_matches("/{uscc}");
            vec![
                case("own", format!("{prefix}/{}?year=2022", f.own), none()),
                case("other", format!("{prefix}/{}?year=2022", f.other), none()),
            ]
        }
        ("GET", "/innovation" | "/export/innovation.xlsx" | "/api/v1/innovation") => {
            vec![case("-", format!("{route}?month=2022-12"), none())]
        }
        ("POST", "/innovation/gdp") => vec![case("-", route.into(), form(format!("csrf={csrf}&year=2022&value=400&note=x")))],
        ("POST", "/api/v1/gdp") => vec![case("-", route.into(), json(r#"{"year":2022,"value":400}"#.into()))],
        ("POST", "/api/v1/innovation-files") => {
            let file = format!("code,name,category,level,host_name,recognised_on\nP{k},平台,科创平台,省级,南昌大学,2022-01-01\n");
            vec![case("-", route.into(), (Body::from(file), None))]
        }
        ("GET", "/cultivation" | "/export/scale-up.xlsx" | "/api/v1/cultivation") => {
            vec![case("-", format!("{route}?month=2022-06"), none())]
        }
        ("GET", "/evaluation/lists" | "/export/evaluation.xlsx") => {
            vec![case("-", format!("{route}?run={}", f.published_run), none())]
        }
        ("GET", "/api/v1/evaluation-runs") => vec![case("-", format!("{route}?year=2022"), none())],
        ("GET", "/api/v1/evaluation-runs/{id}/lists") => {
            vec![case("-", format!("/api/v1/evaluation-runs/{}/lists", f.published_run), none())]
        }
        ("POST", "/evaluation/runs") => vec![case("-", route.into(), form(format!("csrf={csrf}&year=2022")))],
        ("POST", "/api/v1/evaluation-runs") => vec![case("-", route.into(), json(r#"{"year":2022}"#.into()))],
        ("POST", "/evaluation/runs/{id}/{action}") => {
            vec![case("-", format!("/evaluation/runs/{}/recompute", f.draft_run), form(format!("csrf={csrf}")))]
        }
        ("POST", "/api/v1/evaluation-runs/{id}/{action}") => {
            vec![case("-", format!("/api/v1/evaluation-runs/{}/recompute", f.draft_run), json("{}".into()))]
        }
        ("POST", "/evaluation/runs/{id}/objections") => vec![
            case(
                "own",
                format!("/evaluation/runs/{}/objections", f.published_run),
                form(format!("csrf={csrf}&uscc={}&text=异议", f.own)),
            ),
            case(
                "other",
                format!("/evaluation/runs/{}/objections", f.published_run),
                form(format!("csrf={csrf}&uscc={}&text=异议", f.other)),
            ),
        ],
        ("POST", "/api/v1/evaluation-runs/{id}/objections") => {
            let body = |u: &str| json(format!(r#"{{"uscc":"{u}","text":"异议"}}"#));
            vec![
                case("own", format!("/api/v1/evaluation-runs/{}/objections", f.published_run), body(&f.own)),
                case("other", format!("/api/v1/evaluation-runs/{}/objections", f.published_run), body(&f.other)),
            ]
        }
        // One pending objection per role: the page decides it, or else the API.
        ("POST", "/evaluation/objections/{id}") => vec![case(
            "-",
            format!("/evaluation/objections/{}", f.objections[k]),
            form(format!("csrf={csrf}&outcome=rejected&decision=不成立")),
        )],
        ("POST", "/api/v1/evaluation-objections/{id}") => vec![case(
            "-",
            format!("/api/v1/evaluation-objections/{}", f.objections[ROLES.len() + k]),
            json(r#"{"outcome":"rejected","decision":"不成立"}"#.into()),
        )],
        ("POST", "/evaluation/adjustments") => {
            vec![case("-", route.into(), form(format!("csrf={csrf}&year=2022&uscc={}&points=1.5&reason=示范", f.own)))]
        }
        ("POST", "/api/v1/evaluation-adjustments") => {
            vec![case("-", route.into(), json(format!(r#"{{"year":2022,"uscc":"{}","points":1.5,"reason":"示范"}}"#, f.own)))]
        }
        ("GET", "/assessment" | "/export/assessment.xlsx" | "/api/v1/assessment") => {
            vec![case("-", format!("{route}?year=2022"), none())]
        }
        ("POST", "/leads/{code}/convert") => vec![
            case("own", format!("/leads/L-OWN-{k}/convert"), form(format!("csrf={csrf}&project=PL-OWN-{k}&year=2023"))),
            case("other", format!("/leads/L-OTHER-{k}/convert"), form(format!("csrf={csrf}&project=PL-OTHER-{k}&year=2023"))),
        ],
        ("POST", "/api/v1/lead-files") => {
            let file = |code: &str, zone: &str, owner: &str| {
                format!(
                    "code,name,investor,amount,industry,zone,source,owner,stage\n{code},新线索,某企业,1000,optoelectronics,{zone},推介会,{owner},洽谈\n"
                )
            };
            vec![
                case("own", route.into(), (Body::from(file(&format!("N-OWN-{k}"), "etdz", "etdz")), None)),
                case("other", route.into(), (Body::from(file(&format!("N-OTHER-{k}"), "yongxiu", "opening")), None)),
            ]
        }
        ("GET", "/services" | "/api/v1/service-items" | "/tickets" | "/api/v1/tickets") => vec![case("-", route.into(), none())],
        ("GET", "/inbox" | "/api/v1/inbox" | "/kpis" | "/api/v1/kpi-reports") => vec![case("-", route.into(), none())],
        ("POST", "/kpis/{code}") => {
            let b = "matrixboundary";
            let part =
                |name: &str, value: &str| format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
            let text = [part("csrf", csrf), part("period", "2025Q4"), part("value", "101")].concat();
            let body = (Body::from(format!("{text}--{b}--\r\n")), Some(format!("multipart/form-data; boundary={b}")));
            vec![case("-", "/kpis/standard_factories".into(), body)]
        }
        ("POST", "/api/v1/kpi-reports/{code}") => {
            vec![case("-", "/api/v1/kpi-reports/standard_factories".into(), json(r#"{"period":"2025Q4","value":102}"#.into()))]
        }
        ("GET", "/kpis/{code}/evidence/{n}" | "/api/v1/kpi-reports/{code}/evidence/{n}") => {
            vec![case("-", route.replace("{code}", "standard_factories").replace("{n}", "1"), none())]
        }
        ("POST", "/inbox/open") => vec![case("-", route.into(), form(format!("csrf={csrf}&key=nobody")))],
        ("POST", "/inbox/read") => vec![case("-", route.into(), form(format!("csrf={csrf}")))],
        ("POST", "/api/v1/inbox/read") => vec![case("-", route.into(), json(r#"{"keys":["nobody"]}"#.into()))],
        ("GET", "/tickets/stats" | "/export/tickets.xlsx" | "/api/v1/ticket-stats") => {
            vec![case("-", format!("{route}?year=2023"), none())]
        }
        ("GET", "/services/{item}") => vec![case("-", "/services/policy".into(), none())],
        ("POST", "/services/{item}") => {
            let body = |e: &str| {
                let b = "matrixboundary";
                let part = |name: &str, value: &str| {
                    format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                };
                let text =
                    [part("csrf", csrf), part("uscc", e), part("f.topic", "技改补贴"), part("f.question", "条件?")].concat();
                (Body::from(format!("{text}--{b}--\r\n")), Some(format!("multipart/form-data; boundary={b}")))
            };
            vec![case("own", "/services/policy".into(), body(&f.own)), case("other", "/services/policy".into(), body(&f.other))]
        }
        ("POST", "/api/v1/tickets") => {
            let body = |e: &str| {
                json(format!(r#"{{"item":"policy","uscc":"{e}","answers":{{"topic":"技改补贴","question":"条件?"}}}}"#))
            };
            vec![case("own", route.into(), body(&f.own)), case("other", route.into(), body(&f.other))]
        }
        ("GET", "/tickets/{number}" | "/api/v1/tickets/{number}") => {
            let prefix = route.trim_end_matches("/{number}");
            vec![
                case("own", format!("{prefix}/{}", f.own_tickets[0]), none()),
                case("other", format!("{prefix}/{}", f.other_tickets[0]), none()),
            ]
        }
        ("GET", "/tickets/{number}/files/{n}" | "/api/v1/tickets/{number}/files/{n}") => {
            let prefix = route.trim_end_matches("/{number}/files/{n}");
            vec![
                case("own", format!("{prefix}/{}/files/1", f.own_tickets[0]), none()),
                case("other", format!("{prefix}/{}/files/1", f.other_tickets[0]), none()),
            ]
        }
        // Each role accepts a ticket of its own (the page's and the API's apart), at version 1.
        ("POST", "/tickets/{number}/steps") => vec![
            case("own", format!("/tickets/{}/steps", f.own_tickets[2 * k]), step_form(csrf)),
            case("other", format!("/tickets/{}/steps", f.other_tickets[2 * k]), step_form(csrf)),
        ],
        ("POST", "/api/v1/tickets/{number}/steps") => {
            let body = || json(r#"{"step":"accept","version":1}"#.into());
            vec![
                case("own", format!("/api/v1/tickets/{}/steps", f.own_tickets[2 * k + 1]), body()),
                case("other", format!("/api/v1/tickets/{}/steps", f.other_tickets[2 * k + 1]), body()),
            ]
        }
        _ => panic!("the matrix has no case for {method} {route}: add one, with what each role gets"),
    }
}

#[tokio::test]
async fn every_route_for_every_role_and_scope() {
    for db in testkit::engines().await {
        let f = fixture(&db.url).await;
        let op = Caller::operator();
        let routes = leapfrog_web::route_list();
        let mut failures = Vec::new();
        let mut checked = 0;
        for (k, role) in ROLES.into_iter().enumerate() {
            let token = f.app.create_token(&op, login_of(role), "matrix").await.unwrap();
            for &(method, route) in &routes {
                // The sign-out ends its session: it gets a session of its own.
                let session = f.app.login(login_of(role), service::DEMO_PASSWORD, "matrix").await.unwrap();
                for c in cases(&f, method, route, k, &session.csrf) {
                    let expected = EXPECTED
                        .iter()
                        .find(|(m, r, s, _)| *m == c.method && *r == c.route && *s == c.scope)
                        .unwrap_or_else(|| panic!("no expected outcome for {} {} ({})", c.method, c.route, c.scope))
                        .3[k];
                    let mut req = Request::builder().method(c.method).uri(&c.uri);
                    req = if c.uri.starts_with("/api/v1/") {
                        req.header("authorization", format!("Bearer {token}"))
                    } else {
                        req.header("cookie", format!("lf_session={}", session.token))
                    };
                    if let Some(ct) = &c.content_type {
                        req = req.header("content-type", ct);
                    }
                    let res = leapfrog_web::router(f.app.clone()).oneshot(req.body(c.body).unwrap()).await.unwrap();
                    let status = res.status().as_u16();
                    let text = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
                    if status != expected {
                        failures.push(format!(
                            "{role:?} {} {} ({}) → {status}, expected {expected}: {}",
                            c.method,
                            c.uri,
                            c.scope,
                            text.chars().take(160).collect::<String>()
                        ));
                    } else if status == 403 {
                        assert!(text.contains("无权") || text.contains("not allowed"), "a denial says why: {text}");
                    }
                    checked += 1;
                }
            }
        }
        assert!(failures.is_empty(), "{}: {} of {checked} requests differ:\n{}", db.engine, failures.len(), failures.join("\n"));
        // Every expected row stands for a route the router has.
        for (m, r, _, _) in EXPECTED {
            assert!(routes.contains(&(*m, *r)), "{m} {r} is expected but not routed");
        }
        // Nothing denied was written: the other zone's enterprise was renamed by the coordinator only.
        let other = f.app.store.enterprise(&f.other).await.unwrap().unwrap();
        assert_eq!(other.name, "改名企业");
        let (entries, _) = f
            .app
            .audit_entries(
                &op,
                &store::AuditFilter { action: Some("import.enterprises".into()), limit: 100, ..Default::default() },
            )
            .await
            .unwrap();
        let by: Vec<&str> = entries.iter().filter(|e| !e.actor.starts_with("cli:")).map(|e| e.actor.as_str()).collect();
        assert_eq!(by.len(), 3, "{}: coordinator twice and the zone once: {by:?}", db.engine);
        assert_eq!(f.app.verify_audit(&op).await.unwrap().map(|_| ()), Ok(()));
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
    assert_eq!(status, StatusCode::CONFLICT, "a step the month's state does not allow is a conflict with it");
    assert!(text.contains("已锁定") && !text.contains("SQL") && !text.contains("sqlx"), "{text}");
    let (status, _) = call(&f.app, &token, "POST", "/api/v1/submissions/mars/2022-01/approve", String::new()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
