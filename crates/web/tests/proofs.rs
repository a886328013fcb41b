//! What earlier tests left unproven: every form refuses a missing CSRF token and changes
//! nothing; official and provisional figures differ wherever figures are shown; sessions and
//! locks end when they should. On both engines where storage is involved.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use service::{App, Caller};
use sqlx::Executor;
use tower::ServiceExt;

use testkit::uscc;

async fn send(app: &App, req: Request<Body>) -> (StatusCode, String, Vec<u8>) {
    let res = leapfrog_web::router(app.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// One enterprise of 经开组团 with 100 亿元 in a locked June 2022 and 50 亿元 in a draft July 2022.
async fn region(url: &str) -> App {
    let app = App::open(url).await.unwrap();
    let op = Caller::operator();
    let (_a, p) = testkit::file("e.csv", format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1)).as_bytes());
    app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
    let (_b, p) =
        testkit::file("f.csv", format!("uscc,month,revenue\n{u},2022-06,1000000\n{u},2022-07,500000\n", u = uscc(1)).as_bytes());
    app.import_facts(&op, &p, false, &|_, _| {}).await.unwrap();
    app.close_months(&op, domain::Month::new(2022, 6).unwrap(), None, domain::submission::SubmissionState::Locked, "history")
        .await
        .unwrap();
    app.seed_demo_users(&op).await.unwrap();
    app
}

fn form(uri: &str, cookie: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn every_form_refuses_a_missing_csrf_token_and_changes_nothing() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let zone = app.login("zone-etdz", service::DEMO_PASSWORD, "t").await.unwrap();
        let admin = app.login("admin", service::DEMO_PASSWORD, "t").await.unwrap();
        let coordinator = app.login("jfj", service::DEMO_PASSWORD, "t").await.unwrap();
        let (zc, ac) = (format!("lf_session={}", zone.token), format!("lf_session={}", admin.token));
        let jc = format!("lf_session={}", coordinator.token);
        let audit_before = app.store.data_version().await.unwrap();
        let cases = [
            form("/logout", &zc, "csrf=wrong".into()),
            form("/account/password", &zc, "csrf=wrong&old=Ganjiang-2023!&new=Ganxin-Zone-99&repeat=Ganxin-Zone-99".into()),
            form("/admin/users", &ac, "csrf=wrong&op=disable&login=leader".into()),
            form("/submissions/etdz/2022-07", &zc, "csrf=wrong&step=submit".into()),
            form(
                "/submissions/etdz/2022-07/review/explain",
                &zc,
                format!("csrf=wrong&uscc={}&rule=jump&indicator=revenue&explanation=x", uscc(1)),
            ),
            form("/submissions/etdz/2022-07/review/explain", &zc, "csrf=wrong&rule=jump&all=1&explanation=x".into()),
            form(
                "/submissions/etdz/2022-07/review/decide",
                &jc,
                format!("csrf=wrong&uscc={}&rule=jump&indicator=revenue&decision=accepted", uscc(1)),
            ),
            form("/tasks/task-2", &zc, "csrf=wrong&month=2022-07&note=进展".into()),
            form("/projects/P1/report", &zc, "csrf=wrong&month=2022-07&investment=1&note=x".into()),
            form("/projects/P1/problems", &zc, "csrf=wrong&month=2022-07&description=x&department=approval&due=2022-08-01".into()),
            form("/projects/P1/problems/1", &zc, "csrf=wrong&month=2022-07&status=resolved&resolution=x".into()),
            form("/projects/P1/requirements/eia", &zc, "csrf=wrong&month=2022-07&done=2022-07-01".into()),
            form("/dispatch/etdz/2022-07", &zc, "csrf=wrong&step=submit".into()),
            form("/leads/L1/convert", &zc, "csrf=wrong&project=P9&year=2022".into()),
            // The evaluation's forms, as the coordinator who may use them all.
            form("/evaluation/runs", &jc, "csrf=wrong&year=2022".into()),
            form("/evaluation/runs/1/recompute", &jc, "csrf=wrong".into()),
            form("/evaluation/runs/1/objections", &jc, format!("csrf=wrong&uscc={}&text=x", uscc(1))),
            form("/evaluation/objections/1", &jc, "csrf=wrong&outcome=rejected&decision=x".into()),
            form("/evaluation/adjustments", &jc, format!("csrf=wrong&year=2022&uscc={}&points=1&reason=x", uscc(1))),
            form(&format!("/enterprises/{}/tags", uscc(1)), &jc, "csrf=wrong&tag=high-tech&valid_from=2022-01-01".into()),
            form(&format!("/enterprises/{}/tags/remove", uscc(1)), &jc, "csrf=wrong&tag=high-tech&valid_from=2022-01-01".into()),
            form("/innovation/gdp", &jc, "csrf=wrong&year=2022&value=400".into()),
            form(
                "/projects",
                &zc,
                "csrf=wrong&code=P9&name=x&zone=etdz&industry=optoelectronics&type=新建&total_investment=1&status=谋划".into(),
            ),
            Request::post("/projects/P1/photos")
                .header("cookie", &zc)
                .header("content-type", "multipart/form-data; boundary=b")
                .body(Body::from(
                    "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--b\r\nContent-Disposition: form-data; name=\"month\"\r\n\r\n2022-07\r\n--b\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.png\"\r\n\r\n\u{89}PNG\r\n--b--\r\n",
                ))
                .unwrap(),
            Request::post("/submissions/upload")
                .header("cookie", &zc)
                .header("content-type", "multipart/form-data; boundary=b")
                .body(Body::from(format!(
                    "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\n\r\nuscc,month,revenue\n{},2022-07,1\r\n--b--\r\n",
                    uscc(1)
                )))
                .unwrap(),
            form("/inbox/open", &zc, "csrf=wrong&key=x".into()),
            Request::post("/kpis/standard_factories")
                .header("cookie", &jc)
                .header("content-type", "multipart/form-data; boundary=b")
                .body(Body::from(
                    "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--b\r\nContent-Disposition: form-data; name=\"period\"\r\n\r\n2022Q2\r\n--b\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\n1\r\n--b--\r\n",
                ))
                .unwrap(),
            form("/inbox/read", &zc, "csrf=wrong".into()),
            // Ordering a service and taking a ticket's step (multipart: they carry files).
            Request::post("/services/policy")
                .header("cookie", &jc)
                .header("content-type", "multipart/form-data; boundary=b")
                .body(Body::from(format!(
                    "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--b\r\nContent-Disposition: form-data; name=\"uscc\"\r\n\r\n{}\r\n--b\r\nContent-Disposition: form-data; name=\"f.topic\"\r\n\r\nx\r\n--b\r\nContent-Disposition: form-data; name=\"f.question\"\r\n\r\nx\r\n--b--\r\n",
                    uscc(1)
                )))
                .unwrap(),
            Request::post("/tickets/GJ20220701-0001/steps")
                .header("cookie", &jc)
                .header("content-type", "multipart/form-data; boundary=b")
                .body(Body::from(
                    "--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nwrong\r\n--b\r\nContent-Disposition: form-data; name=\"step\"\r\n\r\naccept\r\n--b\r\nContent-Disposition: form-data; name=\"version\"\r\n\r\n1\r\n--b--\r\n",
                ))
                .unwrap(),
            // The login form's own token is the cookie it was given with the form.
            form("/login", "lf_login_csrf=one", "csrf=another&login=jfj&password=Ganjiang-2023!".into()),
        ];
        for req in cases {
            let uri = req.uri().to_string();
            let (status, location, body) = send(&app, req).await;
            let text = String::from_utf8_lossy(&body);
            if uri == "/login" {
                assert!(text.contains("已过期") && location.is_empty(), "{}: {uri} signed in without its token", db.engine);
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{} {uri}: {text}", db.engine);
            }
        }
        // Nothing happened: no audit entry beyond the denials counted for these requests.
        let f = store::AuditFilter { limit: 100, ..Default::default() };
        let (entries, _) = app.store.audit_entries(&f).await.unwrap();
        let changed: Vec<&str> =
            entries.iter().filter(|e| e.seq > audit_before && e.action != "denied").map(|e| e.action.as_str()).collect();
        assert!(changed.is_empty(), "{}: {changed:?}", db.engine);
        assert!(app.session_actor(&zone.token).await.unwrap().is_some(), "still signed in");
        assert!(!app.store.user_by_login("leader").await.unwrap().unwrap().disabled);
    }
}

#[tokio::test]
async fn official_and_provisional_figures_differ_on_every_view() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let s = app.login("jfj", service::DEMO_PASSWORD, "t").await.unwrap();
        let cookie = format!("lf_session={}", s.token);
        let get = |uri: String| Request::get(uri).header("cookie", &cookie).body(Body::empty()).unwrap();
        // The draft July counts only in provisional figures: 150 亿元 against 100 year to date.
        for (figures, ytd) in [("", "1,000,000.00"), ("&figures=provisional", "1,500,000.00")] {
            let (status, _, page) =
                send(&app, get(format!("/drill?industry=optoelectronics&zone=etdz&month=2022-07{figures}"))).await;
            assert_eq!(status, StatusCode::OK);
            let page = String::from_utf8(page).unwrap();
            assert!(page.contains(ytd), "{} drill {figures}: {ytd}", db.engine);
            let (_, _, page) = send(&app, get(format!("/?month=2022-07{figures}"))).await;
            let page = String::from_utf8(page).unwrap();
            let wan: f64 = ytd.replace(',', "").parse().unwrap();
            let yi = format!("{:.2}", wan / 10_000.0);
            let other = if wan > 1_000_000.0 { "100.00" } else { "150.00" };
            assert!(page.contains(&yi) && !page.contains(other), "{} cockpit {figures}: {yi}", db.engine);
            let (_, _, xlsx) = send(&app, get(format!("/export/progress.xlsx?month=2022-07{figures}"))).await;
            let rows = testkit::sheet_rows(&xlsx);
            let cell = rows
                .iter()
                .find(|r| r.get(1).is_some_and(|c| c == "光电信息") && r.get(2).is_some_and(|c| c == "经开组团"))
                .unwrap();
            assert_eq!(cell[4].parse::<f64>().unwrap(), wan, "{} export {figures}: {cell:?}", db.engine);
        }
    }
}

#[tokio::test]
async fn sessions_end_after_their_idle_and_absolute_time_and_locks_after_theirs() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        let now = store::now();
        let idle = app.login("leader", service::DEMO_PASSWORD, "t").await.unwrap();
        let old = app.login("leader", service::DEMO_PASSWORD, "t").await.unwrap();
        let fresh = app.login("leader", service::DEMO_PASSWORD, "t").await.unwrap();
        let set = |token: &str, created: i64, seen: i64| {
            format!(
                "UPDATE sessions SET created_at = {created}, last_seen = {seen} WHERE token_hash = '{}'",
                service::token_hash(token)
            )
        };
        // 31 minutes unused; used a minute ago but signed in 13 hours ago; in use for an hour.
        raw.execute(sqlx::AssertSqlSafe(set(&idle.token, now - 3600, now - 31 * 60))).await.unwrap();
        raw.execute(sqlx::AssertSqlSafe(set(&old.token, now - 13 * 3600, now - 60))).await.unwrap();
        raw.execute(sqlx::AssertSqlSafe(set(&fresh.token, now - 3600, now - 29 * 60))).await.unwrap();
        assert!(app.session_actor(&idle.token).await.unwrap().is_none(), "{}: idle", db.engine);
        assert!(app.session_actor(&old.token).await.unwrap().is_none(), "{}: absolute", db.engine);
        assert!(app.session_actor(&fresh.token).await.unwrap().is_some(), "{}: still in use", db.engine);

        // A lock holds for its 15 minutes and ends after them.
        for _ in 0..6 {
            let _ = app.login("dept-approval", "wrong-password", "t").await;
        }
        assert_eq!(app.login("dept-approval", service::DEMO_PASSWORD, "t").await.unwrap_err(), service::LoginError::Locked);
        let locked_until: i64 =
            sqlx::query_scalar("SELECT locked_until FROM users WHERE login = 'dept-approval'").fetch_one(&mut raw).await.unwrap();
        assert!((now + 14 * 60..=now + 16 * 60).contains(&locked_until), "{}: {}", db.engine, locked_until - now);
        raw.execute(sqlx::AssertSqlSafe(format!("UPDATE users SET locked_until = {} WHERE login = 'dept-approval'", now - 1)))
            .await
            .unwrap();
        assert!(app.login("dept-approval", service::DEMO_PASSWORD, "t").await.is_ok(), "{}", db.engine);
    }
}
