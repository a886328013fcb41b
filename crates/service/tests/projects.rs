//! Major projects (M3) on both engines: the four files all or nothing, scoping of zones and
//! departments, monthly reports through the review workflow, and the dispatch lights.

use domain::Month;
use domain::authz::Role;
use domain::calendar::Date;
use domain::projects::{Light, ProblemStatus, RequirementKind};
use domain::submission::Step;
use files::ProjectFileKind;
use leapfrog_service::{App, Caller, Clock, ServiceError, Settings};

use testkit::uscc;

fn m(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn quiet(_: u64, _: u64) {}

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

async fn import(app: &App, who: &Caller, kind: ProjectFileKind, text: &str) -> Result<usize, ServiceError> {
    let (_g, p) = testkit::file("p.csv", text.as_bytes());
    app.import_project_file(who, kind, &p, &quiet).await.map(|s| s.rows)
}

const PROJECTS: &str = "项目编号,项目名称,投资主体统一社会信用代码,组团,产业,类型,省重点,总投资(万元),状态,计划开工,实际开工\n\
    GJ-001,光电产业园,,etdz,optoelectronics,新建,是,150000,在建,2022-03,2022-03\n\
    GJ-002,有机硅新材料,,yongxiu,silicone,扩建,否,8000,前期,2022-06,\n\
    GJ-003,临空智造基地,,linkong,smart-manufacturing,新建,否,60000,前期,2022-08,\n";

/// A region on 20 September 2022 with three projects, their plans and requirements, and users.
async fn region(url: &str) -> App {
    let settings = Settings { clock: Clock::on(Date::new(2022, 9, 20).unwrap()), ..Default::default() };
    let app = App::open_with(url, settings).await.unwrap();
    let op = Caller::operator();
    let reg = format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1));
    let (_g, p) = testkit::file("e.csv", reg.as_bytes());
    app.import_enterprises(&op, &p, &quiet).await.unwrap();
    assert_eq!(import(&app, &op, ProjectFileKind::Projects, PROJECTS).await.unwrap(), 3);
    let plans = "code,year,planned\nGJ-001,2022,12000\nGJ-002,2022,2400\nGJ-003,2022,6000\n";
    assert_eq!(import(&app, &op, ProjectFileKind::Plans, plans).await.unwrap(), 3);
    let reqs = "项目编号,要件,责任部门,计划办结,实际办结\nGJ-002,环评,ecology,2022-07-31,\nGJ-002,用地,resources,2022-10-31,\nGJ-003,施工许可,approval,2022-08-15,2022-08-10\n";
    assert_eq!(import(&app, &op, ProjectFileKind::Requirements, reqs).await.unwrap(), 3);
    for (login, role, scope) in [
        ("zone-etdz", Role::Zone, Some("etdz")),
        ("zone-yongxiu", Role::Zone, Some("yongxiu")),
        ("ecology", Role::Department, Some("ecology")),
        ("resources", Role::Department, Some("resources")),
        ("leader", Role::Leader, None),
    ] {
        app.add_user(&op, login, login, role, scope, None).await.unwrap();
    }
    app
}

#[tokio::test]
async fn a_file_with_a_bad_row_imports_nothing_and_names_row_and_column() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let op = Caller::operator();
        let text = format!(
            "项目编号,项目名称,投资主体统一社会信用代码,组团,产业,类型,总投资(万元),状态\n\
             GJ-010,好项目,,etdz,optoelectronics,新建,20000,谋划\n\
             GJ-011,坏类型,,etdz,optoelectronics,新造,20000,谋划\n\
             GJ-012,外来投资,{},etdz,optoelectronics,新建,20000,谋划\n\
             GJ 013,空格编号,,etdz,optoelectronics,新建,20000,谋划\n\
             GJ-010,重复,,etdz,optoelectronics,新建,1,谋划\n",
            uscc(9)
        );
        let Err(ServiceError::Rows(errors)) = import(&app, &op, ProjectFileKind::Projects, &text).await else {
            panic!("must fail")
        };
        let got: Vec<(usize, Option<&str>)> = errors.shown.iter().map(|e| (e.row, e.column.as_deref())).collect();
        assert_eq!(
            got,
            vec![(3, Some("类型")), (4, Some("投资主体统一社会信用代码")), (5, Some("项目编号")), (6, Some("项目编号"))],
            "{}: {errors}",
            db.engine
        );
        assert!(app.store.project("GJ-010").await.unwrap().is_none(), "nothing imported");
        // A report for a project the library does not have.
        let Err(ServiceError::Rows(e)) =
            import(&app, &op, ProjectFileKind::Reports, "code,month,investment\nGJ-999,2022-05,10\n").await
        else {
            panic!("must fail")
        };
        assert!(e.shown[0].reason.contains("not in the project library"));
    }
}

#[tokio::test]
async fn zones_see_and_change_only_their_own_projects() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let etdz = caller_of(&app, "zone-etdz").await;
        let codes: Vec<String> = app.projects(&etdz).await.unwrap().into_iter().map(|p| p.code).collect();
        assert_eq!(codes, vec!["GJ-001", "GJ-003"], "{}: etdz and its linkong", db.engine);
        assert!(matches!(app.project(&etdz, "GJ-002", m("2022-09")).await, Err(ServiceError::Forbidden(_))));
        let other = "code,month,investment\nGJ-002,2022-08,100\n";
        assert!(matches!(import(&app, &etdz, ProjectFileKind::Reports, other).await, Err(ServiceError::Forbidden(_))));
        assert!(app.store.project_reports("GJ-002").await.unwrap().is_empty(), "nothing written");
        assert!(matches!(
            app.report_project_month(&etdz, "GJ-002", m("2022-08"), 100, "").await,
            Err(ServiceError::Forbidden(_))
        ));
        // Moving its own project into another zone is refused as well.
        let moved = PROJECTS.lines().take(2).collect::<Vec<_>>().join("\n").replace(",etdz,", ",yongxiu,");
        assert!(matches!(import(&app, &etdz, ProjectFileKind::Projects, &moved).await, Err(ServiceError::Forbidden(_))));
        let leader = caller_of(&app, "leader").await;
        assert_eq!(app.projects(&leader).await.unwrap().len(), 3);
        assert!(app.report_project_month(&leader, "GJ-001", m("2022-08"), 100, "").await.is_err());

        // The dispatch is kept per month and per zones seen: the zone's (asked first, then
        // kept) never shows the leader another zone's project, nor the other way round; a
        // report changes both at once.
        let codes = |d: &leapfrog_service::Dispatch| d.lights.iter().map(|l| l.code.clone()).collect::<Vec<_>>();
        let zone_view = app.dispatch(&etdz, m("2022-09")).await.unwrap();
        let mut seen = codes(&zone_view);
        seen.sort();
        assert_eq!(seen, vec!["GJ-001", "GJ-003"]);
        assert_eq!(app.dispatch(&leader, m("2022-09")).await.unwrap().lights.len(), 3);
        assert_eq!(codes(&app.dispatch(&etdz, m("2022-09")).await.unwrap()).len(), 2);
        let before = app.dispatch(&leader, m("2022-09")).await.unwrap().investment_ytd_wan;
        app.report_project_month(&etdz, "GJ-001", m("2022-08"), 100, "").await.unwrap();
        let reported = app.dispatch(&leader, m("2022-09")).await.unwrap().investment_ytd_wan - before;
        assert!(reported > 0.0, "{}", db.engine);
        let zone_now = app.dispatch(&etdz, m("2022-09")).await.unwrap().investment_ytd_wan;
        assert!((zone_now - zone_view.investment_ytd_wan - reported).abs() < 1e-9);
    }
}

#[tokio::test]
async fn the_dispatch_lights_follow_the_reports_requirements_and_problems() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let op = Caller::operator();
        // GJ-001: 12,000 planned, 6,000 by September (50 % against 75 %: −25 → yellow).
        import(
            &app,
            &op,
            ProjectFileKind::Reports,
            "code,month,investment,progress_note\nGJ-001,2022-03,2000,开工\nGJ-001,2022-08,4000,主体封顶\n",
        )
        .await
        .unwrap();
        let d = app.dispatch(&op, m("2022-09")).await.unwrap();
        let light = |code: &str| d.lights.iter().find(|l| l.code == code).unwrap().clone();
        let one = light("GJ-001");
        assert_eq!(
            (one.start, one.investment, one.gap_pp),
            (Some(Light::Green), Some(Light::Yellow), Some(-25.0)),
            "{}",
            db.engine
        );
        // GJ-002: planned start June, not started by September: 3 months → red; the 环评 due in
        // July is not done → red; nothing reported against 2,400 planned → red.
        let two = light("GJ-002");
        assert_eq!((two.start, two.investment, two.requirements), (Some(Light::Red), Some(Light::Red), Some(Light::Red)));
        assert!(two.reasons.iter().any(|r| r.contains("环评") && r.contains("生态环境分局")), "{:?}", two.reasons);
        // GJ-003: planned start August, one month late → yellow; its permit was done in time.
        let three = light("GJ-003");
        assert_eq!((three.start, three.requirements), (Some(Light::Yellow), Some(Light::Green)));
        let order: Vec<&str> = d.lights.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(order, vec!["GJ-003", "GJ-002", "GJ-001"], "red first, then by the plan's zone order");
        assert_eq!((d.major_started, d.investment_ytd_wan), (1, 6000.0));
        // The cockpit's KPI row for 亿元以上工业项目 counts the same, from this module.
        let cockpit = app.cockpit(&op, "revenue", m("2022-09"), leapfrog_service::Figures::Provisional).await.unwrap();
        let kpi = cockpit.kpis.iter().find(|k| k.code == "major_industrial_projects").unwrap();
        let actual = kpi.actual.as_ref().expect("an actual from the projects");
        assert_eq!((actual.value, actual.met, kpi.supplied_by.as_deref()), (1.0, false, None));
        assert!(actual.basis.contains("2022年1-9月"), "{}", actual.basis);

        // The responsible department marks the 环评 done; another department cannot.
        let resources = caller_of(&app, "resources").await;
        let ecology = caller_of(&app, "ecology").await;
        let done = Some(Date::new(2022, 9, 5).unwrap());
        assert!(matches!(
            app.set_requirement_done(&resources, "GJ-002", RequirementKind::Eia, done).await,
            Err(ServiceError::Forbidden(_))
        ));
        app.set_requirement_done(&ecology, "GJ-002", RequirementKind::Eia, done).await.unwrap();
        let two = app.dispatch(&op, m("2022-09")).await.unwrap().lights.iter().find(|l| l.code == "GJ-002").unwrap().clone();
        assert_eq!(two.requirements, Some(Light::Green));
        // As it stood in August, the 环评 was still open.
        let aug = app.dispatch(&op, m("2022-08")).await.unwrap().lights.iter().find(|l| l.code == "GJ-002").unwrap().clone();
        assert_eq!(aug.requirements, Some(Light::Red));
    }
}

#[tokio::test]
async fn a_zone_reports_its_month_and_the_owning_department_resolves_the_problem() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let etdz = caller_of(&app, "zone-etdz").await;
        app.report_project_month(&etdz, "GJ-003", m("2022-09"), 150_050, "场平完成").await.unwrap();
        let due = Date::new(2022, 9, 15).unwrap();
        let id = app.add_problem(&etdz, "GJ-003", m("2022-09"), "用地指标待落实", "resources", due).await.unwrap();
        let three = |app: &App| {
            let app = app.clone();
            async move {
                app.dispatch(&Caller::operator(), m("2022-09"))
                    .await
                    .unwrap()
                    .lights
                    .iter()
                    .find(|l| l.code == "GJ-003")
                    .unwrap()
                    .clone()
            }
        };
        let l = three(&app).await;
        assert_eq!(l.problems, Some(Light::Red), "{}", db.engine);
        assert!(l.reasons.iter().any(|r| r.contains("用地指标待落实") && r.contains("自然资源和规划分局")), "{:?}", l.reasons);

        // Submitted: the zone can no longer change that month; the coordinator returns it.
        app.project_month_step(&etdz, "etdz", m("2022-09"), Step::Submit, "").await.unwrap();
        assert!(matches!(app.report_project_month(&etdz, "GJ-003", m("2022-09"), 1, "").await, Err(ServiceError::Conflict(_))));
        // Nor through a file: the submitted month is named, the open one would have been taken.
        let file = "code,month,investment\nGJ-003,2022-08,5\nGJ-003,2022-09,1\n";
        let Err(ServiceError::Rows(e)) = import(&app, &etdz, ProjectFileKind::Reports, file).await else { panic!("must fail") };
        assert_eq!((e.len(), e.shown[0].row), (1, 3), "{}: {e}", db.engine);
        assert!(e.shown[0].reason.contains("已提交"), "{e}");
        let yongxiu = caller_of(&app, "zone-yongxiu").await;
        assert!(matches!(
            app.project_month_step(&yongxiu, "etdz", m("2022-09"), Step::Submit, "").await,
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            app.project_month_step(&etdz, "etdz", m("2022-09"), Step::Approve, "").await,
            Err(ServiceError::Forbidden(_))
        ));

        let ecology = caller_of(&app, "ecology").await;
        assert!(matches!(
            app.update_problem(&ecology, id, ProblemStatus::Resolved, "已协调").await,
            Err(ServiceError::Forbidden(_))
        ));
        let resources = caller_of(&app, "resources").await;
        assert!(matches!(
            app.update_problem(&resources, id, ProblemStatus::Resolved, "").await,
            Err(ServiceError::BadRequest(_))
        ));
        app.update_problem(&resources, id, ProblemStatus::Resolved, "已调剂用地指标").await.unwrap();
        assert_eq!(three(&app).await.problems, Some(Light::Green));
        let detail = app.project(&etdz, "GJ-003", m("2022-09")).await.unwrap();
        assert_eq!(detail.reports[0].cumulative_year, 1500.5);
        assert_eq!(detail.problems[0].resolution, "已调剂用地指标");
        let trail = app.store.audit_entries(&store::AuditFilter { limit: 1000, ..Default::default() }).await.unwrap().0;
        for action in ["project.report", "project.problem.add", "project.problem.update", "project_month.submit"] {
            assert!(trail.iter().any(|e| e.action == action), "{action} audited");
        }
    }
}

#[tokio::test]
async fn a_photo_is_taken_only_as_a_real_image() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let etdz = caller_of(&app, "zone-etdz").await;
        let img = image_bytes();
        let id = app.add_photo(&etdz, "GJ-001", m("2022-09"), "现场/照片.png", img.clone()).await.unwrap();
        let (code, kind, bytes) = app.photo(&etdz, id, false).await.unwrap();
        assert_eq!((code.as_str(), kind.as_str(), bytes), ("GJ-001", "image/png", img), "{}", db.engine);
        let (_, kind, thumb) = app.photo(&etdz, id, true).await.unwrap();
        assert_eq!(kind, "image/jpeg");
        assert!(thumb.starts_with(&[0xFF, 0xD8]));
        let detail = app.project(&etdz, "GJ-001", m("2022-09")).await.unwrap();
        assert_eq!(detail.photos[0].file_name, "现场照片.png", "no path separators kept");
        let refused = app.add_photo(&etdz, "GJ-001", m("2022-09"), "x.html", b"<html><script>".to_vec()).await;
        assert!(matches!(refused, Err(ServiceError::BadRequest(_))));
        let yongxiu = caller_of(&app, "zone-yongxiu").await;
        assert!(matches!(app.photo(&yongxiu, id, false).await, Err(ServiceError::NotFound(_))), "another zone's photo");
    }
}

fn image_bytes() -> Vec<u8> {
    // A 2×2 PNG written by hand would prove less than one from an image library.
    let mut out = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(40, 30, image::Rgb([200, 80, 20])).write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_project_workbook_with_a_title_and_notes_is_read_from_its_header_row() {
    // As a zone office sends it: a merged title, a unit line, the table, a note under it.
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let center = Format::new().set_align(rust_xlsxwriter::FormatAlign::Center);
    ws.merge_range(0, 0, 0, 3, "2022年9月重大项目进展月报", &center).unwrap();
    ws.write_string(1, 0, "单位:万元").unwrap();
    for (c, h) in ["项目编号", "月份", "本月完成投资(万元)", "形象进度"].iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    ws.write_string(3, 0, "GJ-001").unwrap();
    ws.write_string(3, 1, "2022-09").unwrap();
    ws.write_number(3, 2, 1500.5).unwrap();
    ws.write_string(3, 3, "主体封顶").unwrap();
    ws.write_string(5, 0, "注:本表由经开组团管委会填报。").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let (_g, p) = testkit::file("月报.xlsx", &bytes);
        let summary = app.import_project_file(&Caller::operator(), ProjectFileKind::Reports, &p, &quiet).await.unwrap();
        assert_eq!((summary.rows, summary.header_row, summary.skipped_rows.clone()), (1, 3, vec![6]), "{}", db.engine);
        let reports = app.store.project_reports("GJ-001").await.unwrap();
        assert_eq!((reports[0].investment, reports[0].progress_note.as_str()), (150_050, "主体封顶"));
    }
}
