//! Issue 6 through the HTTP front: hostile uploads, forged requests, stolen sessions. Each test
//! names what it defends against.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use service::{App, Caller};
use tower::ServiceExt;

async fn send(app: &App, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = leapfrog_web::router(app.clone()).oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

/// A demo region's accounts, and a bearer token of the 经开 zone.
async fn zone_token(app: &App) -> String {
    app.seed_demo_users(&Caller::operator()).await.unwrap();
    app.create_token(&Caller::operator(), "zone-etdz", "test").await.unwrap()
}

fn far_cell_xlsx(headers: &[&str]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_sheet_with_a_far_cell_is_refused_with_its_place_not_a_crash() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let token = zone_token(&app).await;
        let files = [
            ("/api/v1/facts", far_cell_xlsx(&["uscc", "month", "revenue"])),
            ("/api/v1/enterprises", far_cell_xlsx(&["uscc", "name", "zone", "industry"])),
        ];
        for (uri, file) in files {
            let req = Request::post(uri).header("authorization", format!("Bearer {token}")).body(Body::from(file)).unwrap();
            let (status, _, body) = send(&app, req).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri} {}: {body}", db.engine);
            assert!(body.contains("XFD") && body.contains("1048576"), "{body}");
            // The temporary folder the upload sat in is never shown.
            assert!(!body.contains("/tmp") && !body.contains("leapfrog-upload-"), "{body}");
        }
    }
}

use testkit::uscc;

async fn coordinator_cookie(app: &App) -> String {
    app.seed_demo_users(&Caller::operator()).await.unwrap();
    format!("lf_session={}", app.login("jfj", service::DEMO_PASSWORD, "t").await.unwrap().token)
}

#[tokio::test]
async fn the_drill_down_export_holds_every_enterprise_of_a_large_cell() {
    // Before: the export stopped at 10,000 rows while its title said it held every enterprise.
    const N: u32 = 10_050;
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let (mut reg, mut facts) = (String::from("uscc,name,zone,industry\n"), String::from("uscc,month,revenue\n"));
        for n in 1..=N {
            reg.push_str(&format!("{},企业{n},etdz,optoelectronics\n", uscc(n)));
            facts.push_str(&format!("{},2022-06,{n}\n", uscc(n)));
        }
        let (_a, r) = testkit::file("e.csv", reg.as_bytes());
        let (_b, f) = testkit::file("f.csv", facts.as_bytes());
        app.import_enterprises(&Caller::operator(), &r, &|_, _| {}).await.unwrap();
        app.import_facts(&Caller::operator(), &f, false, &|_, _| {}).await.unwrap();
        let cookie = coordinator_cookie(&app).await;
        let req = Request::get("/export/drill.xlsx?industry=optoelectronics&zone=etdz&month=2022-06&figures=provisional")
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap();
        let res = leapfrog_web::router(app.clone()).oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let rows = testkit::sheet_rows(&res.into_body().collect().await.unwrap().to_bytes());
        // A title line and the header, then one row per enterprise, largest first.
        assert_eq!(rows.len(), 2 + N as usize, "{}", db.engine);
        assert_eq!(rows[2][2], format!("企业{N}"));
        assert_eq!(rows.last().unwrap()[2], "企业1");
    }
}

fn get_with(uri: &str, auth: (&str, String)) -> Request<Body> {
    Request::get(uri).header(auth.0, auth.1).body(Body::empty()).unwrap()
}

fn cookie(token: &str) -> (&'static str, String) {
    ("cookie", format!("lf_session={token}"))
}

#[tokio::test]
async fn a_one_time_password_session_can_only_change_the_password() {
    // Before: after a reset, the one-time password's cookie read the API and submitted a month.
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        app.seed_demo_users(&Caller::operator()).await.unwrap();
        let initial = app.reset_password(&Caller::operator(), "zone-etdz").await.unwrap();
        let s = app.login("zone-etdz", &initial, "t").await.unwrap();
        assert!(s.must_change_password);
        let (status, _, body) = send(&app, get_with("/api/v1/progress", cookie(&s.token))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{}: {body}", db.engine);
        let req = Request::post("/api/v1/submissions/etdz/2022-06/submit")
            .header("cookie", format!("lf_session={}", s.token))
            .header("x-csrf-token", &s.csrf)
            .body(Body::empty())
            .unwrap();
        assert_eq!(send(&app, req).await.0, StatusCode::FORBIDDEN);
        let (status, headers, _) = send(&app, get_with("/targets", cookie(&s.token))).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers["location"], "/account/password");
        let (status, _, _) = send(&app, get_with("/account/password", cookie(&s.token))).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_password_change_ends_other_sessions_and_disabling_ends_tokens_for_good() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        app.seed_demo_users(&Caller::operator()).await.unwrap();
        let a = app.login("leader", service::DEMO_PASSWORD, "t").await.unwrap();
        let b = app.login("leader", service::DEMO_PASSWORD, "t").await.unwrap();
        let leader = Caller::new(app.session_actor(&a.token).await.unwrap().unwrap().0, "t");
        app.change_password(&leader, Some(&a.token), service::DEMO_PASSWORD, "Ganxin-Boss-2024").await.unwrap();
        assert!(app.session_actor(&a.token).await.unwrap().is_some(), "{}: the session it was changed from stays", db.engine);
        assert!(app.session_actor(&b.token).await.unwrap().is_none(), "{}: every other session ends", db.engine);

        let token = app.create_token(&Caller::operator(), "leader", "feed").await.unwrap();
        assert!(app.token_actor(&token).await.unwrap().is_some());
        app.set_user_disabled(&Caller::operator(), "leader", true).await.unwrap();
        app.set_user_disabled(&Caller::operator(), "leader", false).await.unwrap();
        assert!(app.token_actor(&token).await.unwrap().is_none(), "{}: enabling again does not revive a token", db.engine);
        let (status, _, _) = send(&app, get_with("/api/v1/progress", ("authorization", format!("Bearer {token}")))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        let token = app.create_token(&Caller::operator(), "leader", "feed2").await.unwrap();
        app.reset_password(&Caller::operator(), "leader").await.unwrap();
        assert!(app.token_actor(&token).await.unwrap().is_none(), "{}: a reset revokes tokens", db.engine);
    }
}

#[tokio::test]
async fn cookie_api_writes_need_the_csrf_token_or_this_sites_origin() {
    // Before: a text/plain POST from another origin imported data on the session cookie alone.
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        app.seed_demo_users(&Caller::operator()).await.unwrap();
        let s = app.login("jfj", service::DEMO_PASSWORD, "t").await.unwrap();
        let post = |extra: Option<(&str, &str)>| {
            let mut r = Request::post("/api/v1/facts")
                .header("cookie", format!("lf_session={}", s.token))
                .header("host", "leapfrog.example")
                .header("content-type", "text/plain");
            if let Some((k, v)) = extra {
                r = r.header(k, v);
            }
            r.body(Body::from("uscc,month,revenue\n")).unwrap()
        };
        for forged in [None, Some(("origin", "http://evil.example")), Some(("origin", "http://leapfrog.example.evil.example"))] {
            let (status, _, body) = send(&app, post(forged)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{}: {forged:?} {body}", db.engine);
        }
        // From the site's own page, or with the session's token: the request reaches the
        // importer (an empty file imports nothing).
        for good in [Some(("origin", "http://leapfrog.example")), Some(("x-csrf-token", s.csrf.as_str()))] {
            let (status, _, body) = send(&app, post(good)).await;
            assert_eq!(status, StatusCode::OK, "{}: {good:?} {body}", db.engine);
        }
        // Bearer tokens are not affected.
        let token = app.create_token(&Caller::operator(), "jfj", "feed").await.unwrap();
        let req = Request::post("/api/v1/facts")
            .header("authorization", format!("Bearer {token}"))
            .body(Body::from("uscc,month,revenue\n"))
            .unwrap();
        assert_eq!(send(&app, req).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn signed_in_answers_are_not_cached_and_tls_is_kept() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    let cookie = coordinator_cookie(&app).await;
    for uri in ["/targets", "/api/v1/plan", "/export/enterprises.xlsx", "/login"] {
        let req = Request::get(uri).header("cookie", &cookie).body(Body::empty()).unwrap();
        let (status, headers, _) = send(&app, req).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers["cache-control"], "no-store", "{uri}");
        assert!(headers.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    }
    let (_, headers, _) = send(&app, Request::get("/static/app.css").body(Body::empty()).unwrap()).await;
    assert!(headers["cache-control"].to_str().unwrap().starts_with("public"));
    let req = Request::get("/login").header("x-forwarded-proto", "https").body(Body::empty()).unwrap();
    let (_, headers, _) = send(&app, req).await;
    assert!(headers["strict-transport-security"].to_str().unwrap().contains("max-age="));
}

#[tokio::test]
async fn the_login_redirect_stays_on_the_site() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    app.seed_demo_users(&Caller::operator()).await.unwrap();
    let (_, headers, page) = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let login_cookie = headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let req = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", login_cookie)
        .body(Body::from(format!("csrf={csrf}&login=jfj&password=Ganjiang-2023%21&next=%2F%09%2Fevil.example%2Fphish")))
        .unwrap();
    let (status, headers, body) = send(&app, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers["location"], "/");
}

#[tokio::test]
async fn a_write_that_waits_too_long_on_sqlite_answers_busy_not_500() {
    // Before: a web upload during a long CLI import waited 10 s and answered 500 "database is locked".
    use sqlx::{Connection, Executor};
    let db = testkit::sqlite();
    let settings = service::Settings { busy_timeout: std::time::Duration::from_millis(300), ..Default::default() };
    let app = App::open_with(&db.url, settings).await.unwrap();
    let token = zone_token(&app).await;
    let facts = format!("uscc,month,revenue\n{},2022-06,1\n", uscc(1));
    let (_g, reg) = testkit::file("e.csv", format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1)).as_bytes());
    app.import_enterprises(&Caller::operator(), &reg, &|_, _| {}).await.unwrap();
    // Another process holds the write lock, as a long import does.
    let mut other = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    other.execute("BEGIN IMMEDIATE").await.unwrap();
    let post = || {
        Request::post("/api/v1/facts").header("authorization", format!("Bearer {token}")).body(Body::from(facts.clone())).unwrap()
    };
    let res = leapfrog_web::router(app.clone()).oneshot(post()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()["retry-after"], "5");
    let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert!(body.contains("try again"), "{body}");
    other.execute("ROLLBACK").await.unwrap();
    let res = leapfrog_web::router(app.clone()).oneshot(post()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the same write goes through once the other has finished");
}

#[tokio::test]
async fn denials_and_exports_of_enterprise_data_leave_a_trace_without_flooding_the_trail() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let coordinator = coordinator_cookie(&app).await;
        let leader = app.login("leader", service::DEMO_PASSWORD, "t").await.unwrap();
        let audit_count = |action: &'static str| {
            let app = app.clone();
            async move {
                let f = store::AuditFilter { action: Some(action.into()), limit: 10, ..Default::default() };
                app.store.audit_entries(&f).await.unwrap().1
            }
        };
        for _ in 0..30 {
            let (status, _, _) = send(&app, get_with("/audit", cookie(&leader.token))).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        assert_eq!(audit_count("denied").await, 1, "{}: one entry for the window", db.engine);
        let counted: i64 = app.store.event_counts(10).await.unwrap().iter().filter(|c| c.2 == "denied").map(|c| c.3).sum();
        assert_eq!(counted, 30, "{}: every denial counted", db.engine);

        let req = Request::get("/export/enterprises.xlsx?zone=etdz").header("cookie", &coordinator).body(Body::empty()).unwrap();
        assert_eq!(send(&app, req).await.0, StatusCode::OK);
        let f = store::AuditFilter { action: Some("export.enterprises".into()), limit: 1, ..Default::default() };
        let (entries, _) = app.store.audit_entries(&f).await.unwrap();
        assert_eq!(entries.len(), 1, "{}", db.engine);
        assert_eq!(entries[0].actor, "jfj");
        assert!(entries[0].entity_id.contains("etdz") && entries[0].after.contains("\"rows\""), "{:?}", entries[0]);

        // Attempts on a locked account are recorded too.
        for _ in 0..6 {
            let _ = app.login("leader", "wrong-password", "t").await;
        }
        assert_eq!(audit_count("login.locked").await, 1, "{}", db.engine);
    }
}

#[tokio::test]
async fn errors_say_what_happened_and_api_errors_are_json() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    let cookie = coordinator_cookie(&app).await;
    let token = app.create_token(&Caller::operator(), "jfj", "t").await.unwrap();
    let api = |uri: &str| get_with(uri, ("authorization", format!("Bearer {token}")));
    // axum's own refusal of a query it cannot read, an unknown API path: JSON with the request id.
    for (uri, status) in [("/api/v1/audit?limit=lots", StatusCode::BAD_REQUEST), ("/api/v1/nothing", StatusCode::NOT_FOUND)] {
        let (got, headers, body) = send(&app, api(uri)).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_eq!(headers["content-type"], "application/json", "{uri}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()), "{body}");
        assert_eq!(v["request_id"].as_str(), headers["x-request-id"].to_str().ok());
    }
    // A fault of the data: 500, the cause logged not shown, the request id given on page and API.
    let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO workflow_states (subject, scope, period, state, reason, updated_at, updated_by) \
         VALUES ('zone_month', 'etdz', 202401, 'archived', '', 0, 'x')",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    let (status, headers, body) = send(&app, api("/api/v1/submissions?year=2024")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!body.contains("archived"), "the cause is not shown: {body}");
    let id = headers["x-request-id"].to_str().unwrap().to_string();
    assert!(body.contains(&format!("request {id}")), "{body}");
    let req = Request::get("/submissions?year=2024")
        .header("cookie", &cookie)
        .header("x-request-id", "trace-42")
        .body(Body::empty())
        .unwrap();
    let (status, headers, page) = send(&app, req).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers["x-request-id"], "trace-42");
    assert!(page.contains("trace-42") && page.contains("<html") && !page.contains("archived"), "{page}");
    // An unknown page: the error page, 404.
    let (status, _, page) = send(&app, Request::get("/nowhere").header("cookie", &cookie).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("<html") && page.contains("404"));
}

#[tokio::test]
async fn a_database_failure_at_sign_in_is_not_a_wrong_password() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    app.seed_demo_users(&Caller::operator()).await.unwrap();
    app.store.close().await;
    let err = app.login("jfj", service::DEMO_PASSWORD, "t").await.unwrap_err();
    assert!(matches!(err, service::LoginError::Unavailable(_)), "{err}");
    assert!(!err.to_string().contains("wrong"));
}
