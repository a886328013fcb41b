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

fn uscc(n: u32) -> String {
    domain::Uscc::complete(&format!("91361200MA{n:07}")).unwrap().to_string()
}

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
