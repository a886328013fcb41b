//! Running the server: `/metrics` (who may read it, and that it counts what happened), and a stop
//! that answers the requests in flight before it ends.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use domain::calendar::Date;
use domain::services::TicketStep;
use http_body_util::BodyExt;
use service::{App, Caller, Clock, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

use testkit::uscc;

const METRICS_TOKEN: &str = "scrape-me-0123456789";

async fn call(router: &Router, uri: &str, auth: Option<(&str, &str)>) -> (StatusCode, String) {
    let mut req = Request::get(uri);
    if let Some((name, value)) = auth {
        req = req.header(name, value);
    }
    let res = router.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    (status, String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap())
}

/// The value of one sample, by its name and labels as printed.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' '))).map(|v| v.parse().unwrap())
}

#[tokio::test]
async fn metrics_count_requests_imports_queues_and_caches_for_whom_may_read_them() {
    for db in testkit::engines().await {
        let op = Caller::operator();
        // A ticket accepted on 28 September 2023 (three working days: due 9 October) …
        let then = App::open_with(&db.url, Settings { clock: Clock::on(Date::new(2023, 9, 28).unwrap()), ..Default::default() })
            .await
            .unwrap();
        then.seed_demo_users(&op).await.unwrap();
        let (_a, reg) =
            testkit::file("e.csv", format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1)).as_bytes());
        then.import_enterprises(&op, &reg, &|_, _| {}).await.unwrap();
        let policy = service::Order {
            item: "policy".into(),
            uscc: Some(uscc(1)),
            answers: [("topic", "技改补贴"), ("question", "申报条件?")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            channel: domain::services::Channel::Phone,
            note: String::new(),
            files: Vec::new(),
        };
        let t = then.order_service(&op, policy).await.unwrap();
        let accept = service::StepRequest::new(TicketStep::Accept, t.version, "");
        then.ticket_step(&op, &t.number, accept).await.unwrap();

        // … is overdue by 20 October, when this node imports a facts file of three rows.
        let settings = Settings {
            clock: Clock::on(Date::new(2023, 10, 20).unwrap()),
            metrics_token: Some(METRICS_TOKEN.into()),
            ..Default::default()
        };
        let app = App::open_with(&db.url, settings).await.unwrap();
        let (_b, facts) = testkit::file(
            "f.csv",
            format!("uscc,month,revenue\n{0},2023-07,1\n{0},2023-08,2\n{0},2023-09,3\n", uscc(1)).as_bytes(),
        );
        app.import_facts(&op, &facts, false, &|_, _| {}).await.unwrap();
        let router = leapfrog_web::router(app.clone());
        let cookie = |login: &'static str| {
            let app = app.clone();
            async move { format!("lf_session={}", app.login(login, service::DEMO_PASSWORD, "test").await.unwrap().token) }
        };
        let (leader, admin) = (cookie("leader").await, cookie("admin").await);
        for _ in 0..2 {
            let (status, _) = call(&router, "/api/v1/cockpit?month=2023-09", Some(("cookie", &leader))).await;
            assert_eq!(status, StatusCode::OK);
        }

        // Who may read them: an administrator, or whoever holds the metrics token; that token
        // opens nothing else.
        assert_eq!(call(&router, "/metrics", None).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(call(&router, "/metrics", Some(("cookie", &leader))).await.0, StatusCode::FORBIDDEN);
        let bearer = format!("Bearer {METRICS_TOKEN}");
        assert_eq!(
            call(&router, "/api/v1/cockpit?month=2023-09", Some(("authorization", &bearer))).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            call(&router, "/metrics", Some(("authorization", "Bearer not-the-token-at-all"))).await.0,
            StatusCode::UNAUTHORIZED
        );
        let (status, scraped) = call(&router, "/metrics", Some(("authorization", &bearer))).await;
        assert_eq!(status, StatusCode::OK, "{scraped}");
        let (status, text) = call(&router, "/metrics", Some(("cookie", &admin))).await;
        assert_eq!(status, StatusCode::OK, "{text}");

        // What they say, as of the administrator's reading.
        let cockpit = "{method=\"GET\",route=\"/api/v1/cockpit\"";
        let at = |series: &str| sample(&text, series).unwrap_or_else(|| panic!("{}: no {series} in\n{text}", db.engine));
        assert_eq!(at(&format!("leapfrog_http_requests_total{cockpit},status=\"200\"}}")), 2.0);
        // Timed by route, whatever the answer: the two read and the one refused to the token.
        assert_eq!(at(&format!("leapfrog_http_requests_total{cockpit},status=\"401\"}}")), 1.0);
        assert_eq!(at(&format!("leapfrog_http_request_duration_seconds_count{cockpit}}}")), 3.0);
        assert_eq!(at(&format!("leapfrog_http_request_duration_seconds_bucket{cockpit},le=\"+Inf\"}}")), 3.0);
        assert_eq!(at("leapfrog_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"401\"}"), 2.0);
        assert_eq!(at("leapfrog_http_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"}"), 1.0);
        assert_eq!(at("leapfrog_http_requests_in_flight"), 1.0, "the reading itself");
        assert_eq!(at("leapfrog_imports_total{kind=\"facts\"}"), 1.0);
        assert_eq!(at("leapfrog_import_rows_total{kind=\"facts\"}"), 3.0);
        assert!(sample(&text, "leapfrog_imports_total{kind=\"enterprises\"}").is_none(), "imported by another process");
        assert_eq!(at("leapfrog_tickets_open{department=\"economy\",state=\"accepted\"}"), 1.0);
        assert_eq!(at("leapfrog_tickets_overdue{department=\"economy\"}"), 1.0);
        // The cockpit computed once, then found.
        assert_eq!(
            (at("leapfrog_cache_misses_total{cache=\"cockpit\"}"), at("leapfrog_cache_hits_total{cache=\"cockpit\"}")),
            (1.0, 1.0)
        );
        assert!(at("process_resident_memory_bytes") > 1e6);
        // Every sample line is a name, optional labels and a number.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
    }
}

/// A stop (Ctrl-C, SIGTERM) while a request is half received: the request is answered in full,
/// and then the server ends.
#[tokio::test]
async fn a_stop_answers_the_request_in_flight_then_ends() {
    let db = testkit::engines().await.into_iter().next().unwrap();
    let app = App::open(&db.url).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(leapfrog_web::serve_until(app, listener, async move {
        let _ = stopped.await;
    }));
    let body = "login=nobody&password=wrong-password&csrf=x";
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).await.unwrap();
    conn.write_all(&body.as_bytes()[..5]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(!server.is_finished(), "a request is still being received");
    conn.write_all(&body.as_bytes()[5..]).await.unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    assert!(answer.contains("</html>"), "the whole page: {answer}");
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), server).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "{ended:?}");
}
