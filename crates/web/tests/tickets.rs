//! Enterprise services over HTTP: ordering through the API with a base64 file, a stale step
//! answering 409, the file served only as a download of its checked type, and the statistics
//! workbook holding what the page shows.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use http_body_util::BodyExt;
use service::{App, Caller};
use tower::ServiceExt;

use testkit::uscc;

async fn call(
    app: &App,
    token: &str,
    method: &str,
    uri: &str,
    json: Option<String>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {token}"));
    if json.is_some() {
        req = req.header("content-type", "application/json");
    }
    let res =
        leapfrog_web::router(app.clone()).oneshot(req.body(json.map_or_else(Body::empty, Body::from)).unwrap()).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn value(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap_or_else(|_| panic!("JSON: {}", String::from_utf8_lossy(body)))
}

#[tokio::test]
async fn a_ticket_through_the_api_with_its_file_and_the_statistics_workbook() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let (_f, p) =
            testkit::file("e.csv", format!("uscc,name,zone,industry\n{},甲公司,etdz,optoelectronics\n", uscc(1)).as_bytes());
        app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        app.seed_demo_users(&op).await.unwrap();
        let ent = app.create_token(&op, "qiye", "t").await.unwrap();
        let dept = app.create_token(&op, "dept-approval", "t").await.unwrap();

        // Ordered by the enterprise, a PDF as base64; a file that is not what its name says is
        // refused with the reason and nothing is written.
        let pdf = b"%PDF-1.7\n%demo\n";
        let order = |name: &str, bytes: &[u8]| {
            serde_json::json!({
                "item": "project-approval",
                "answers": { "project": "二期厂房", "matter": "施工许可", "investment": "12000" },
                "files": [{ "file_name": name, "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes) }]
            })
            .to_string()
        };
        let (status, _, body) = call(&app, &ent, "POST", "/api/v1/tickets", Some(order("a.pdf", b"MZ\x90\x00"))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {}", db.engine, String::from_utf8_lossy(&body));
        assert!(value(&body)["error"].as_str().unwrap().contains("PDF、JPG"));
        let (status, _, body) = call(&app, &ent, "POST", "/api/v1/tickets", Some(order("施工图.pdf", pdf))).await;
        assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
        let ticket = value(&body);
        let number = ticket["number"].as_str().unwrap().to_string();
        assert_eq!((ticket["state"].as_str(), ticket["channel"].as_str()), (Some("ordered"), Some("online")));
        let (_, _, body) = call(&app, &ent, "GET", "/api/v1/tickets?state=open", None).await;
        assert_eq!(value(&body).as_array().unwrap().len(), 1);

        // The department's pages show the new ticket in the title bar's unread count; its
        // inbox holds it, and opening it reads it and leads to the ticket.
        let session = app.login("dept-approval", service::DEMO_PASSWORD, "t").await.unwrap();
        let page =
            |uri: &str| Request::get(uri).header("cookie", format!("lf_session={}", session.token)).body(Body::empty()).unwrap();
        let res = leapfrog_web::router(app.clone()).oneshot(page("/tickets")).await.unwrap();
        let html = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        assert!(html.contains(r#"<span class="badge" aria-label="1条未读">1</span>"#), "{}", db.engine);
        let (_, _, body) = call(&app, &dept, "GET", "/api/v1/inbox", None).await;
        let inbox = value(&body);
        assert_eq!(inbox["unread"], 1);
        let key = inbox["messages"][0]["key"].as_str().unwrap().to_string();
        assert!(inbox["messages"][0]["title"].as_str().unwrap().contains(&number));
        let open = Request::post("/inbox/open")
            .header("cookie", format!("lf_session={}", session.token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={}&key={}", session.csrf, key.replace(':', "%3A"))))
            .unwrap();
        let res = leapfrog_web::router(app.clone()).oneshot(open).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], format!("/tickets/{number}"));
        assert_eq!(value(&call(&app, &dept, "GET", "/api/v1/inbox", None).await.2)["unread"], 0);

        // The department accepts at version 1; a second accept at version 1 is told it changed.
        let accept = Some(r#"{"step":"accept","version":1}"#.to_string());
        let uri = format!("/api/v1/tickets/{number}/steps");
        let (status, _, body) = call(&app, &dept, "POST", &uri, accept.clone()).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert_eq!(value(&body)["state"], "accepted");
        let (status, _, body) = call(&app, &dept, "POST", &uri, accept).await;
        assert_eq!(status, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&body));
        let (status, _, _) = call(&app, &dept, "POST", &uri, Some(r#"{"step":"order","version":2}"#.into())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "ordering is not a step");

        // The file: a download of the checked type, the same bytes.
        let (status, headers, bytes) = call(&app, &dept, "GET", &format!("/api/v1/tickets/{number}/files/1"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/pdf");
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment;"));
        assert_eq!(bytes, pdf);

        // Resolved and rated: the statistics and their workbook agree.
        let resolve = Some(r#"{"step":"resolve","version":2,"text":"已核发"}"#.to_string());
        assert_eq!(call(&app, &dept, "POST", &uri, resolve).await.0, StatusCode::OK);
        let rate = Some(r#"{"step":"rate","version":3,"rating":4}"#.to_string());
        assert_eq!(call(&app, &ent, "POST", &uri, rate).await.0, StatusCode::OK);
        let year = app.clock.today().year;
        let (_, _, body) = call(&app, &dept, "GET", &format!("/api/v1/ticket-stats?year={year}"), None).await;
        let stats = value(&body);
        assert_eq!((stats["total"]["received"].as_u64(), stats["total"]["satisfaction_pct"].as_f64()), (Some(1), Some(100.0)));
        let (status, _, xlsx) = call(&app, &dept, "GET", &format!("/export/tickets.xlsx?year={year}"), None).await;
        assert_eq!(status, StatusCode::OK);
        let rows = testkit::sheet_rows(&xlsx);
        assert_eq!(rows[1][0], "承办部门");
        let line = rows.iter().find(|r| r[0] == "行政审批局").expect("the department's row");
        assert_eq!((line[1].as_str(), line[4].as_str(), line[10].as_str()), ("1", "1", "100"));
        assert_eq!(rows.last().unwrap()[0], "合计");
    }
}
