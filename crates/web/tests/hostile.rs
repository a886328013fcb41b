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
