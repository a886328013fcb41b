//! Pages and the JSON API through the router, on both engines.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use service::App;
use tower::ServiceExt;

use testkit::uscc;

async fn app_with_data(url: &str) -> App {
    let app = App::open(url).await.unwrap();
    let (_a, reg) = testkit::file(
        "e.csv",
        format!("uscc,name,zone,industry\n{},甲光电,etdz,optoelectronics\n{},乙光电,linkong,optoelectronics\n{},丙硅业,yongxiu,silicone\n", uscc(1), uscc(2), uscc(3)).as_bytes(),
    );
    let mut facts = String::from("uscc,month,revenue\n");
    for m in 1..=12 {
        facts.push_str(&format!("{},2020-{m:02},100\n", uscc(1)));
    }
    facts.push_str(&format!("{},2022-06,300\n{},2022-06,50\n{},2022-06,70\n", uscc(1), uscc(2), uscc(3)));
    let (_b, f) = testkit::file("f.csv", facts.as_bytes());
    app.import_enterprises(&service::Caller::operator(), &reg, &|_, _| {}).await.unwrap();
    app.import_facts(&service::Caller::operator(), &f, false, &|_, _| {}).await.unwrap();
    common::lock_history(&app).await;
    app
}

/// Signs in as the demo coordinator and returns the session cookie.
async fn signed_in(app: &App) -> String {
    app.seed_demo_users(&service::Caller::operator()).await.unwrap();
    let session = app.login("jfj", service::DEMO_PASSWORD, "test").await.unwrap();
    format!("lf_session={}", session.token)
}

async fn get(app: &App, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let cookie = signed_in(app).await;
    let req = Request::get(uri).header("cookie", cookie).body(Body::empty()).unwrap();
    let res = leapfrog_web::router(app.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

async fn json(app: &App, uri: &str) -> serde_json::Value {
    let (status, _, body) = get(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn api_gives_progress_cockpit_drill_and_enterprises() {
    for db in testkit::engines().await {
        let app = app_with_data(&db.url).await;
        let health = json(&app, "/healthz").await;
        assert_eq!(health["status"], "ok");
        assert_eq!(health["latest_month"], "2022-06");

        let rows = json(&app, "/api/v1/progress?indicator=revenue&month=2022-06").await;
        let cell = rows.as_array().unwrap().iter().find(|r| r["industry"] == "optoelectronics" && r["zone"] == "etdz").unwrap();
        assert_eq!(cell["ytd"], 350.0, "{}", db.engine);
        // The geometric path from the cell's 2020 actual (12 × 100 万元) to the annex's 2023
        // figure, two years of three along it: base × (final / base)^(2/3).
        let final_wan = app.plan.final_target("optoelectronics", "etdz").unwrap();
        let expected = 1200.0 * (final_wan / 1200.0).powf(2.0 / 3.0);
        let target = cell["target"].as_f64().unwrap();
        assert!((target - expected).abs() < 1e-6 * expected, "{target} ≠ {expected}");

        let cockpit = json(&app, "/api/v1/cockpit?month=2022-06").await;
        assert_eq!(cockpit["trend"].as_array().unwrap().len(), 12);
        let kpi = cockpit["kpis"].as_array().unwrap().iter().find(|k| k["code"] == "annual_industrial_investment").unwrap();
        assert!(kpi["actual"].is_null(), "no investment facts yet");
        let module_kpi = cockpit["kpis"].as_array().unwrap().iter().find(|k| k["code"] == "projects_152").unwrap();
        assert_eq!(module_kpi["supplied_by"], "M4");
        // Entered by its owner: nobody has, so no actual, its owner named and late.
        let reported = cockpit["kpis"].as_array().unwrap().iter().find(|k| k["code"] == "standard_factories").unwrap();
        assert_eq!(
            (reported["actual"].is_null(), &reported["owner"], &reported["late"]),
            (true, &serde_json::json!("城乡建设和交通局"), &serde_json::json!(true))
        );
        // Counted from the designations: none held yet, said as zero with its basis.
        let tags_kpi = cockpit["kpis"].as_array().unwrap().iter().find(|k| k["code"] == "high_tech_enterprises").unwrap();
        assert_eq!(tags_kpi["actual"]["value"], 0.0);
        assert!(tags_kpi["actual"]["basis"].as_str().unwrap().contains("高新技术企业"));

        let drill = json(&app, "/api/v1/drill?industry=optoelectronics&zone=etdz&month=2022-06").await;
        assert_eq!(drill["total"], 2);
        assert_eq!(drill["enterprises"][0]["name"], "甲光电");

        let list = json(&app, "/api/v1/enterprises?q=%E7%A1%85").await; // 硅
        assert_eq!(list["total"], 1);
        let one = json(&app, &format!("/api/v1/enterprises/{}", uscc(1))).await;
        assert_eq!(one["months"][0]["revenue"], 300.0);

        // 预计全年: a row per progress row, with the §7 fields (nothing projected without history).
        let forecast = json(&app, "/api/v1/forecast?indicator=revenue&month=2022-06").await;
        assert_eq!(forecast.as_array().unwrap().len(), rows.as_array().unwrap().len());
        assert!(forecast[0].get("probability").is_some() && forecast[0]["reason"].is_string(), "{}", forecast[0]);
        let (status, _, body) = get(&app, "/api/v1/progress?month=2022-13").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let err: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(err["error"].as_str().unwrap().contains("2022-13"));
        let (status, _, _) = get(&app, "/api/v1/progress?indicator=gdp").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _, _) = get(&app, "/api/v1/enterprises/91361200MA0000099X").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    let doc = json(&app, "/api/openapi.json").await;
    let paths = doc["paths"].as_object().unwrap();
    // Every API route and method the router serves, as registered (not as scanned from source).
    let mut documented = 0;
    for (method, route) in leapfrog_web::route_list() {
        if route.starts_with("/api/v1/") || route == "/healthz" {
            // A route taking a workflow step is documented once per step.
            let concrete: Vec<String> = if route.ends_with("/{step}") {
                domain::submission::Step::ALL.iter().map(|s| route.replace("{step}", s.code())).collect()
            } else {
                vec![route.to_string()]
            };
            for path in concrete {
                let ops = paths.get(&path).unwrap_or_else(|| panic!("{path} is not in openapi.json"));
                assert!(ops.get(method.to_lowercase()).is_some(), "{method} {path} is not in openapi.json");
            }
            documented += 1;
        }
    }
    assert_eq!(documented, 57, "the API routes and /healthz");
    // And nothing is documented that the router does not serve.
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys().filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
        {
            let routed = leapfrog_web::route_list().iter().any(|(m, r)| {
                let same = *r == path
                    || r.strip_suffix("{step}").is_some_and(|prefix| {
                        path.strip_prefix(prefix).is_some_and(|step| domain::submission::Step::parse(step).is_some())
                    });
                same && m.eq_ignore_ascii_case(method)
            });
            assert!(routed, "{method} {path} is documented but not routed");
        }
    }
}

#[tokio::test]
async fn pages_render_in_chinese_with_security_headers() {
    let db = testkit::sqlite();
    let app = app_with_data(&db.url).await;
    let (status, headers, body) = get(&app, "/?month=2022-06").await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("驾驶舱") && html.contains("光电信息") && html.contains("经开组团"));
    assert!(html.replace("&#38;", "&").contains("/drill?indicator=revenue&industry=optoelectronics&zone=etdz&month=2022-06"));
    assert!(!html.contains("<script>"), "no inline scripts under the CSP");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");

    let (_, _, body) = get(&app, "/drill?indicator=revenue&industry=optoelectronics&zone=etdz&month=2022-06").await;
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("甲光电") && html.contains("乙光电") && !html.contains("丙硅业"));
    assert!(html.contains("350.00"), "the cell's year-to-date in 万元");

    let (_, _, body) = get(&app, "/targets").await;
    let html = String::from_utf8(body).unwrap();
    assert!(html.contains("850") && html.contains("现代纺织服装") && html.contains("360"));

    let (_, _, body) = get(&app, "/enterprises?q=%E7%94%B2").await;
    assert!(String::from_utf8(body).unwrap().contains("甲光电"));
    let (status, _, body) = get(&app, &format!("/enterprises/{}", uscc(1))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(body).unwrap().contains("2022年6月"));

    let (status, _, body) = get(&app, "/?month=abc").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8(body).unwrap().contains("月份"));

    let (status, headers, _) = get(&app, "/static/echarts.min.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("javascript"));
}

#[tokio::test]
async fn the_progress_table_exports_to_xlsx() {
    let db = testkit::sqlite();
    let app = app_with_data(&db.url).await;
    let (status, headers, body) = get(&app, "/export/progress.xlsx?indicator=revenue&month=2022-06").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("progress-revenue-2022-06.xlsx"));
    let rows = testkit::sheet_rows(&body);
    // The title line is row 1; the header row follows.
    assert_eq!(rows[1][1], "产业");
    let cell = rows.iter().find(|r| r[1] == "光电信息" && r[2] == "经开组团").expect("the cell's row");
    assert_eq!(cell[4], "350");
}

async fn send(app: &App, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = leapfrog_web::router(app.clone()).oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

fn set_cookie(headers: &axum::http::HeaderMap) -> String {
    headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn login_sessions_csrf_and_first_password_change() {
    for db in testkit::engines().await {
        let app = app_with_data(&db.url).await;
        // No session: pages go to the login page, keeping where the user was going.
        let (status, headers, _) = send(&app, Request::get("/targets").body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers["location"], "/login?next=%2Ftargets");

        let initial =
            app.add_user(&service::Caller::operator(), "chen", "陈", domain::authz::Role::Leader, None, None).await.unwrap();
        let (_, headers, page) = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
        let login_cookie = set_cookie(&headers);
        let csrf = login_cookie.split_once('=').unwrap().1.to_string();
        assert!(page.contains(&csrf) && page.contains("登录"));
        let form = |pw: &str, csrf: &str| format!("login=chen&password={}&next=%2Ftargets&csrf={csrf}", urlencode(pw));
        let post = |body: String, cookie: String| {
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(Body::from(body))
                .unwrap()
        };
        // A form without the matching cookie is refused before the password is even looked at.
        let (status, _, page) = send(&app, post(form(&initial, "forged"), login_cookie.clone())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(page.contains("已过期"), "{}", db.engine);
        let (status, _, page) = send(&app, post(form("wrong-Password-1", &csrf), login_cookie.clone())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(page.contains("用户名或密码错误") && page.contains("value=\"chen\""), "the login typed is kept");

        // The right password: a session cookie, and first the password must change.
        let (status, headers, _) = send(&app, post(form(&initial, &csrf), login_cookie.clone())).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers["location"], "/account/password");
        let cookie_header = headers["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie_header.contains("HttpOnly") && cookie_header.contains("SameSite=Lax"));
        let session = set_cookie(&headers);
        let (status, headers, _) = send(&app, Request::get("/").header("cookie", &session).body(Body::empty()).unwrap()).await;
        assert_eq!((status, headers["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/account/password"));

        let (_, _, page) =
            send(&app, Request::get("/account/password").header("cookie", &session).body(Body::empty()).unwrap()).await;
        let session_csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let change = |csrf: &str| {
            Request::post("/account/password")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &session)
                .body(Body::from(format!("csrf={csrf}&old={}&new=Lingdao-2023x&repeat=Lingdao-2023x", urlencode(&initial))))
                .unwrap()
        };
        let (status, _, _) = send(&app, change("forged")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a state change without the session's CSRF token is refused");
        let (status, _, page) = send(&app, change(&session_csrf)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let (status, _, page) = send(&app, Request::get("/").header("cookie", &session).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("陈 · 领导"), "the title bar says who is signed in");

        // Logging out ends the session on the server.
        let logout = Request::post("/logout")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &session)
            .body(Body::from(format!("csrf={session_csrf}")))
            .unwrap();
        assert_eq!(send(&app, logout).await.0, StatusCode::SEE_OTHER);
        let (status, _, _) = send(&app, Request::get("/").header("cookie", &session).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn the_audit_trail_page_filters_and_exports() {
    let db = testkit::sqlite();
    let app = app_with_data(&db.url).await;
    let (status, _, body) = get(&app, "/audit?action=import.facts").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("import.facts") && page.contains("f.csv") && !page.contains("import.enterprises"), "{page}");
    let (status, headers, body) = get(&app, "/audit.xlsx?action=import.enterprises").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("audit.xlsx"));
    let rows = testkit::sheet_rows(&body);
    assert_eq!(rows[1][2], "操作人");
    assert_eq!((rows[2][3].as_str(), rows[2][5].as_str()), ("import.enterprises", "e.csv"));
    assert_eq!(rows.len(), 3, "only the filtered entries");

    // A leader reads the region's figures but not the audit trail.
    let leader = app.login("leader", service::DEMO_PASSWORD, "t").await.unwrap();
    let req = Request::get("/audit").header("cookie", format!("lf_session={}", leader.token)).body(Body::empty()).unwrap();
    let (status, _, page) = send(&app, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("无权"), "{page}");
}

#[tokio::test]
async fn enterprise_and_drill_lists_export_what_the_screen_shows() {
    let db = testkit::sqlite();
    let app = app_with_data(&db.url).await;
    // Under the title line.
    let rows_of = |body: Vec<u8>| testkit::sheet_rows(&body).split_off(1);
    let (status, _, body) = get(&app, "/export/enterprises.xlsx?zone=etdz").await;
    assert_eq!(status, StatusCode::OK);
    let rows = rows_of(body);
    // Under the title line: the header, then the two enterprises of 经开组团 (临空 rolls into it).
    assert_eq!(rows[0][1], "统一社会信用代码");
    assert_eq!(rows.len(), 3, "{rows:?}");
    let (_, _, body) = get(&app, "/export/drill.xlsx?industry=optoelectronics&zone=etdz&month=2022-06").await;
    let rows = rows_of(body);
    assert_eq!(rows[0][6], "累计(万元)");
    assert_eq!((rows[1][2].as_str(), rows[1][6].as_str()), ("甲光电", "300"));
}

#[tokio::test]
async fn administrators_manage_accounts_and_tokens_on_the_web() {
    for db in testkit::engines().await {
        let app = app_with_data(&db.url).await;
        signed_in(&app).await;
        let admin = app.login("admin", service::DEMO_PASSWORD, "t").await.unwrap();
        let cookie = format!("lf_session={}", admin.token);
        let (_, _, page) = send(&app, Request::get("/admin/users").header("cookie", &cookie).body(Body::empty()).unwrap()).await;
        assert!(page.contains("zone-etdz") && page.contains("新增用户"), "{}", db.engine);
        let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
        let post = |body: String| {
            Request::post("/admin/users")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &cookie)
                .body(Body::from(format!("csrf={csrf}&{body}")))
                .unwrap()
        };
        // A wrong scope: the error beside the form, the typed values kept.
        let (status, _, page) = send(&app, post("op=add&login=liu&name=%E5%88%98&role=zone&scope=mars".into())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("组团“mars”不在计划中") && page.contains("value=\"liu\""), "{page}");
        let (status, _, page) = send(&app, post("op=add&login=liu&name=%E5%88%98&role=zone&scope=yongxiu".into())).await;
        assert_eq!(status, StatusCode::OK);
        let initial = page.split("<code id=\"secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert!(app.login("liu", &initial, "t").await.unwrap().must_change_password);
        let (_, _, page) = send(&app, post("op=token&login=liu&label=%E6%9C%88%E6%8A%A5".into())).await;
        let token = page.split("<code id=\"secret\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert_eq!(app.token_actor(&token).await.unwrap().unwrap().login, "liu");
        let id = app.tokens(&service::Caller::operator()).await.unwrap().iter().find(|t| t.login == "liu").unwrap().id;
        send(&app, post(format!("op=revoke&id={id}"))).await;
        assert!(app.token_actor(&token).await.unwrap().is_none());
        let (_, _, page) = send(&app, post("op=disable&login=liu".into())).await;
        assert!(page.contains("已停用"));

        // The coordinator runs the plan, not the accounts.
        let jfj = signed_in(&app).await;
        let (status, _, _) = send(&app, Request::get("/admin/users").header("cookie", jfj).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn another_regions_plan_shows_its_own_words() {
    let db = testkit::sqlite();
    let src = domain::plan::DEFAULT_PLAN_TOML
        .replacen("total_label = \"1+2+3 合计\"", "total_label = \"主导产业合计\"", 1)
        .replacen("matrix_title = \"“1+2+3+X”产业进度矩阵\"", "matrix_title = \"主导产业进度一览\"", 1)
        .replacen("M4 = \"M4 招商引资\"", "M4 = \"招商库\"", 1)
        .replacen("colour = \"#1d5fb8\"", "colour = \"#123456\"", 1)
        .replacen("name = \"赣江新区“1+2+3+X”产业高质量跨越式发展行动计划(2021-2023年)\"", "name = \"某新区产业行动计划\"", 1);
    service::App::init(&db.url, &src, &service::Caller::operator()).await.unwrap();
    let app = app_with_data(&db.url).await;
    let (status, _, page) = get(&app, "/?month=2022-06").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("主导产业进度一览") && page.contains("主导产业合计") && page.contains("由 招商库 模块提供"), "{page}");
    // What the code used to write in Ganjiang's words (KPI names are the plan's own data).
    for word in ["1+2+3 合计", "“1+2+3+X”产业进度矩阵", "M4 招商引资"] {
        assert!(!page.contains(word), "{word} is left");
    }
    let plan = json(&app, "/api/v1/plan").await;
    assert_eq!(plan["total_label"], "主导产业合计");
    assert_eq!(plan["industries"][0]["colour"], "#123456");
    assert!(plan["industries"].as_array().unwrap().iter().all(|i| i["colour"].as_str().is_some_and(|c| c.starts_with('#'))));
}

/// The evaluation workbook holds every result of the run, in the run's order (scale, then rank),
/// each with its class and scores as the run has them: a run longer than one page of the store
/// (5,000 results) included.
#[tokio::test]
async fn the_evaluation_workbook_holds_the_whole_run_in_its_order() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    let op = service::Caller::operator();
    let spec = service::DemoSpec { enterprises: 7_000, first_year: 2020, years: 1, seed: 5 };
    app.generate_demo(&op, &spec, None, &|_, _| {}).await.unwrap();
    let run = app.store.evaluation_runs(Some(2020)).await.unwrap()[0].id;
    let results = app.evaluation_results(&op, 2020, service::Source::Run(run)).await.unwrap();
    assert!(results.len() > 5_000, "{} results", results.len());

    let (status, _, body) = get(&app, &format!("/export/evaluation.xlsx?run={run}")).await;
    assert_eq!(status, StatusCode::OK);
    let rows = testkit::sheet_rows(&body);
    // The title line, the header, then one line per result.
    assert_eq!(rows[1][2], "统一社会信用代码");
    let lines = &rows[2..];
    assert_eq!(lines.len(), results.len());
    let score_columns: Vec<(usize, &str)> =
        rows[1].iter().enumerate().filter_map(|(i, h)| h.strip_suffix(" 得分").map(|code| (i, code))).collect();
    assert!(!score_columns.is_empty());
    for (line, r) in lines.iter().zip(&results) {
        assert_eq!(line[2], r.uscc);
        assert_eq!(line[0], if r.scale == "above" { "规上" } else { "规下" });
        assert_eq!(line[1], r.rank.map_or(String::new(), |k| k.to_string()), "{}", r.uscc);
        assert_eq!(line[6], if r.class == "ungraded" { "不定等级" } else { r.class });
        for (i, code) in &score_columns {
            let want = r.scores.get(*code).copied();
            let got = (!line[*i].is_empty()).then(|| line[*i].parse::<f64>().unwrap());
            assert_eq!(got, want, "{} {code}", r.uscc);
        }
    }
}

/// The cockpit shows each cell's 预计全年 (and its odds where the cell has a target) apart from
/// the official figures, with the years it rests on in the cell's tooltip.
#[tokio::test]
async fn the_cockpit_shows_the_projection_apart_from_the_figures() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    let spec = service::DemoSpec { enterprises: 300, first_year: 2020, years: 3, seed: 9 };
    app.generate_demo(&service::Caller::operator(), &spec, None, &|_, _| {}).await.unwrap();
    let (status, _, body) = get(&app, "/?month=2022-06").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("<span class=\"projection\">预计全年 "), "a projected cell");
    assert!(page.contains(" · 达标概率 "), "the odds of a cell with a target");
    assert!(page.contains("按2020、2021年同期完成比例推算"), "the years a projection rests on");
    assert!(page.contains("是预测而非统计数"), "the legend says what a projection is");
    // The headline KPIs given as a year's sum or a multiple are projected too.
    assert!(page.contains("<th class=\"num\">预计全年(预测)</th>"));
    assert!(page.contains("class=\"num projected\" title=\"按2020、2021年同期完成比例推算"), "a projected KPI");
    // January projects nothing, and says why.
    let (_, _, body) = get(&app, "/?month=2022-01").await;
    let page = String::from_utf8(body).unwrap();
    assert!(!page.contains("<span class=\"projection\">") && page.contains("1月不单独预计"));
}

/// The drill-down shows its cell's projection, and the API carries it.
#[tokio::test]
async fn the_drill_down_shows_its_cells_projection() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    let spec = service::DemoSpec { enterprises: 300, first_year: 2020, years: 3, seed: 9 };
    app.generate_demo(&service::Caller::operator(), &spec, None, &|_, _| {}).await.unwrap();
    let drill = json(&app, "/api/v1/drill?industry=all&zone=all&month=2022-06").await;
    let forecast = json(&app, "/api/v1/forecast?month=2022-06").await;
    let total = forecast.as_array().unwrap().iter().find(|r| r["industry"] == "all" && r["zone"] == "all").unwrap();
    assert_eq!(&drill["projection"], total);
    assert!(drill["projection"]["projected"].is_number());
    let (_, _, body) = get(&app, "/drill?industry=all&zone=all&month=2022-06").await;
    let page = String::from_utf8(body).unwrap();
    assert!(
        page.contains("(预测,非统计数;金额单位:万元)")
            && page.contains("预计全年 ")
            && page.contains("按2020、2021年同期完成比例推算")
    );
}

/// The submission board shows each month's kept review flags and links to them; the month's
/// page lists each flag with its enterprise, values and status, and exports them.
#[tokio::test]
async fn the_submission_board_links_each_months_review_flags() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    let op = service::Caller::operator();
    let (_a, reg) =
        testkit::file("e.csv", format!("uscc,name,zone,industry\n{},甲光电,etdz,optoelectronics\n", uscc(1)).as_bytes());
    let facts = format!("uscc,month,revenue\n{u},2024-05,10\n{u},2024-06,300\n", u = uscc(1));
    let (_b, f) = testkit::file("f.csv", facts.as_bytes());
    app.import_enterprises(&op, &reg, &|_, _| {}).await.unwrap();
    // The zone's own import keeps its month's flags for the board.
    app.seed_demo_users(&op).await.unwrap();
    let user = app.store.user_by_login("zone-etdz").await.unwrap().unwrap();
    let zone = service::Caller::new(service::actor_of(&user).unwrap(), "test");
    app.import_facts(&zone, &f, false, &|_, _| {}).await.unwrap();
    let (status, _, body) = get(&app, "/submissions?year=2024").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    let cell = |m: &str| format!("href=\"/submissions/etdz/{m}/review\">审核提示 1 条<span class=\"sub\">待说明 1</span></a>");
    assert!(page.contains(&cell("2024-06")), "the June cell's flag: {page}");
    // May had nothing before it; July, which nobody has reported yet, is reviewed when submitted.
    assert_eq!(page.matches("审核提示 1 条").count(), 1);

    let (status, _, body) = get(&app, "/submissions/etdz/2024-06/review").await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    for shown in ["甲光电", "环比异常波动", "营业收入", "300.00 万元", "10.00 万元", "待说明"] {
        assert!(page.contains(shown), "{shown} on the month's page");
    }
    let (status, headers, body) = get(&app, "/submissions/etdz/2024-06/review.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-disposition"].to_str().unwrap().contains("review-etdz-2024-06.xlsx"));
    let sheet = testkit::sheet_rows(&body);
    assert!(sheet.iter().any(|r| r.contains(&"甲光电".to_string()) && r.contains(&"环比异常波动".to_string())), "{sheet:?}");

    // The zone explains it on the page: an empty explanation comes back with why, beside the
    // flag; a written one is kept and shown to the coordinator.
    let session = app.login("zone-etdz", service::DEMO_PASSWORD, "test").await.unwrap();
    let explain = |text: &str| {
        Request::post("/submissions/etdz/2024-06/review/explain")
            .header("cookie", format!("lf_session={}", session.token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "csrf={}&uscc={}&rule=jump&indicator=revenue&explanation={}",
                session.csrf,
                uscc(1),
                urlencode(text)
            )))
            .unwrap()
    };
    let (status, _, page) = send(&app, explain("   ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("role=\"alert\"") && page.contains("请填写说明") && page.contains("保存说明"), "{page}");
    let (status, headers, _) = send(&app, explain("新增海外订单")).await;
    assert_eq!(
        (status, headers["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/submissions/etdz/2024-06/review?saved=1")
    );
    let (_, _, body) = get(&app, "/submissions/etdz/2024-06/review").await;
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("新增海外订单") && page.contains("待审核"), "{page}");
}

/// The public page, once the plan file turns it on: for anyone, without signing in, official
/// figures only, a hidden cell saying why; JSON beside it.
#[tokio::test]
async fn the_public_page_is_for_anyone_once_the_plan_turns_it_on() {
    let db = testkit::sqlite();
    let op = service::Caller::operator();
    let src = format!("{}\n[public]\nenabled = true\n", domain::plan::DEFAULT_PLAN_TOML);
    let app = App::init(&db.url, &src, &op).await.unwrap();
    let reg: String =
        (1..=4).map(|k| format!("{},企业{k},etdz,{}\n", uscc(k), if k == 1 { "silicone" } else { "optoelectronics" })).collect();
    let (_a, p) = testkit::file("e.csv", format!("uscc,name,zone,industry\n{reg}").as_bytes());
    app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
    let facts: String = (1..=4).map(|k| format!("{},2024-05,{}\n", uscc(k), k * 100_000)).collect();
    let (_b, p) = testkit::file("f.csv", format!("uscc,month,revenue\n{facts}").as_bytes());
    app.import_facts(&op, &p, false, &|_, _| {}).await.unwrap();
    app.close_months(&op, domain::Month::new(2024, 5).unwrap(), None, domain::submission::SubmissionState::Locked, "")
        .await
        .unwrap();
    let anonymous = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let (status, headers, page) = send(&app, anonymous("/public")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(headers.get("content-security-policy").is_some());
    assert!(page.contains("数据截至2024年5月") && page.contains("光电信息") && page.contains("90.00"), "{page}");
    // 有机硅 is one enterprise's figure.
    assert!(page.contains("涉及企业少于 3 家"), "{page}");
    assert!(!page.contains("企业1"), "no enterprise is named");
    let (status, _, json) = send(&app, anonymous("/public.json")).await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["month"], "2024-05");
}
