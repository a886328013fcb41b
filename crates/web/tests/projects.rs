//! The project module's downloads read back as a user would open them, on both engines.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use service::{App, Caller};
use tower::ServiceExt;

async fn get(app: &App, cookie: &str, uri: &str) -> (StatusCode, Vec<u8>) {
    let req = Request::get(uri).header("cookie", cookie).body(Body::empty()).unwrap();
    let res = leapfrog_web::router(app.clone()).oneshot(req).await.unwrap();
    (res.status(), res.into_body().collect().await.unwrap().to_bytes().to_vec())
}

/// Every row of a workbook's first sheet under the header that has `first`.
fn rows(bytes: &[u8], first: &str) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let mut table = files::Table::open(&path).unwrap();
    table.find_header(|h| h.first().is_some_and(|c| c == first));
    let mut out = vec![table.headers.clone()];
    while let Some(Ok((_, cells))) = table.next_row() {
        out.push(cells.iter().map(|c| c.shown()).collect());
    }
    out
}

#[tokio::test]
async fn the_dispatch_and_the_assessment_download_with_their_figures() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let text = "code,name,zone,industry,type,total_investment,status,planned_start\nGJ-1,光电产业园,etdz,optoelectronics,新建,150000,前期,2022-05\n";
        let (_g, p) = testkit::file("p.csv", text.as_bytes());
        app.import_project_file(&op, service::ProjectFileKind::Projects, &p, &|_, _| {}).await.unwrap();
        app.seed_demo_users(&op).await.unwrap();
        let s = app.login("jfj", service::DEMO_PASSWORD, "t").await.unwrap();
        let cookie = format!("lf_session={}", s.token);

        let (status, bytes) = get(&app, &cookie, "/export/dispatch.xlsx?month=2022-09").await;
        assert_eq!(status, StatusCode::OK, "{}", db.engine);
        let sheet = rows(&bytes, "项目编号");
        assert_eq!(sheet[0][..8], ["项目编号", "项目名称", "组团", "开工", "投资", "要件", "问题", "综合"].map(String::from));
        assert_eq!(sheet[1][..4], ["GJ-1", "光电产业园", "经开组团", "红"].map(String::from));
        assert!(sheet[1][9].contains("已逾期4个月"), "{:?}", sheet[1]);

        let (status, bytes) = get(&app, &cookie, "/export/assessment.xlsx?year=2022").await;
        assert_eq!(status, StatusCode::OK);
        let sheet = rows(&bytes, "名次");
        assert_eq!(sheet[0][..3], ["名次", "组团", "总分"].map(String::from));
        assert_eq!(sheet.len(), 5, "a row per top-level zone");
        // The project was due to start in May and has not: etdz's on-time share is 0 of 1.
        let etdz = sheet.iter().find(|r| r[1] == "经开组团").unwrap();
        assert!(etdz.iter().any(|c| c.contains("1 个,按期开工 0 个")), "{etdz:?}");
    }
}

#[tokio::test]
async fn the_four_project_files_download_and_import_again_unchanged() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let files = [
            (
                service::ProjectFileKind::Projects,
                "code,name,zone,industry,type,provincial_key,total_investment,status,planned_start,actual_start\n\
                 GJ-1,光电产业园,etdz,optoelectronics,新建,是,150000.5,在建,2022-03,2022-04\nGJ-2,硅材料,yongxiu,silicone,技改,否,800,前期,2023-01,\n",
            ),
            (service::ProjectFileKind::Plans, "code,year,planned\nGJ-1,2022,12000.25\n"),
            (service::ProjectFileKind::Reports, "code,month,investment,progress_note\nGJ-1,2022-04,300.5,开工\n"),
            (service::ProjectFileKind::Requirements, "code,requirement,department,planned,done\nGJ-2,环评,ecology,2022-12-01,\n"),
        ];
        for (kind, text) in files {
            let (_g, p) = testkit::file("p.csv", text.as_bytes());
            app.import_project_file(&op, kind, &p, &|_, _| {}).await.unwrap();
        }
        app.seed_demo_users(&op).await.unwrap();
        let s = app.login("jfj", service::DEMO_PASSWORD, "t").await.unwrap();
        let cookie = format!("lf_session={}", s.token);
        let spare = testkit::sqlite();
        let again = App::open(&spare.url).await.unwrap();
        for (name, kind) in [
            ("projects", service::ProjectFileKind::Projects),
            ("project-plans", service::ProjectFileKind::Plans),
            ("project-reports", service::ProjectFileKind::Reports),
            ("requirements", service::ProjectFileKind::Requirements),
        ] {
            let (status, bytes) = get(&app, &cookie, &format!("/export/project-files/{name}.xlsx")).await;
            assert_eq!(status, StatusCode::OK, "{name}");
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(format!("{name}.xlsx"));
            std::fs::write(&path, bytes).unwrap();
            again.import_project_file(&op, kind, &path, &|_, _| {}).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert_eq!(again.store.projects(&[]).await.unwrap(), app.store.projects(&[]).await.unwrap(), "{}", db.engine);
        // The CSV of the library imports the same.
        let (status, bytes) = get(&app, &cookie, "/export/project-files/projects.csv").await;
        assert_eq!(status, StatusCode::OK);
        let spare_csv = testkit::sqlite();
        let from_csv = App::open(&spare_csv.url).await.unwrap();
        let (_c, path) = testkit::file("projects.csv", &bytes);
        from_csv.import_project_file(&op, service::ProjectFileKind::Projects, &path, &|_, _| {}).await.unwrap();
        assert_eq!(from_csv.store.projects(&[]).await.unwrap(), app.store.projects(&[]).await.unwrap());
        assert_eq!(again.store.all_project_plans().await.unwrap(), app.store.all_project_plans().await.unwrap());
        assert_eq!(again.store.all_project_reports().await.unwrap(), app.store.all_project_reports().await.unwrap());
        assert_eq!(again.store.project_requirements(None).await.unwrap(), app.store.project_requirements(None).await.unwrap());
    }
}
