//! The quarterly bulletin on both engines: its tables hold the figures the region's data give,
//! each section says in words what they show, and the DOCX and XLSX carry them.

use std::io::Read;

use domain::Month;
use domain::calendar::Date;
use files::ProjectFileKind;
use leapfrog_service::{App, Caller, Clock, Quarter, Settings};

use testkit::uscc;

fn quiet(_: u64, _: u64) {}

async fn load(app: &App, name: &str, text: &str, kind: Option<ProjectFileKind>) {
    let (_g, p) = testkit::file(name, text.as_bytes());
    let op = Caller::operator();
    match (name, kind) {
        (_, Some(k)) => app.import_project_file(&op, k, &p, &quiet).await.map(|_| ()),
        ("e.csv", None) => app.import_enterprises(&op, &p, &quiet).await.map(|_| ()),
        ("l.csv", None) => app.import_leads(&op, &p, &quiet).await.map(|_| ()),
        _ => app.import_facts(&op, &p, false, &quiet).await.map(|_| ()),
    }
    .unwrap();
}

#[tokio::test]
async fn the_bulletin_of_a_quarter_holds_the_figures_and_says_what_they_show() {
    for db in testkit::engines().await {
        let settings = Settings { clock: Clock::on(Date::new(2022, 10, 15).unwrap()), ..Default::default() };
        let app = App::open_with(&db.url, settings).await.unwrap();
        let op = Caller::operator();
        load(
            &app,
            "e.csv",
            &format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n{},乙,yongxiu,silicone\n", uscc(1), uscc(2)),
            None,
        )
        .await;
        // Nine months of 2022 (光电 100 亿元 a month in etdz, 有机硅 10 亿元 in yongxiu) and of 2021 at 90 %.
        let mut facts = String::from("uscc,month,revenue\n");
        for y in [2021, 2022] {
            for m in 1..=9 {
                let (opto, silicone) = if y == 2022 { (1_000_000, 100_000) } else { (900_000, 90_000) };
                facts.push_str(&format!("{},{y}-{m:02},{opto}\n{},{y}-{m:02},{silicone}\n", uscc(1), uscc(2)));
            }
        }
        load(&app, "f.csv", &facts, None).await;
        app.close_months(&op, Month::new(2022, 9).unwrap(), None, domain::submission::SubmissionState::Locked, "history")
            .await
            .unwrap();
        load(
            &app,
            "p.csv",
            "code,name,zone,industry,type,total_investment,status,planned_start\nGJ-1,光电产业园,etdz,optoelectronics,新建,150000,前期,2022-04\n",
            Some(ProjectFileKind::Projects),
        )
        .await;
        load(&app, "l.csv", "code,name,investor,amount,industry,zone,source,owner,stage,signed\nL1,甲,甲,600000,optoelectronics,etdz,推介会,etdz,签约,2022-03-01\n", None).await;

        // Two policy questions of August (a node whose day is 10 August): one answered in time
        // and rated 5, one accepted and still open on the bulletin's day, long past its 3 days.
        let summer =
            App::open_with(&db.url, Settings { clock: Clock::on(Date::new(2022, 8, 10).unwrap()), ..Default::default() })
                .await
                .unwrap();
        for answered in [true, false] {
            let order = leapfrog_service::Order {
                item: "policy".into(),
                uscc: Some(uscc(1)),
                answers: [("topic", "补贴"), ("question", "条件?")].into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
                channel: domain::services::Channel::Phone,
                note: String::new(),
                files: Vec::new(),
            };
            let t = summer.order_service(&op, order).await.unwrap();
            let step = |step, version, rating| leapfrog_service::StepRequest {
                rating,
                ..leapfrog_service::StepRequest::new(step, version, "已答复")
            };
            use domain::services::TicketStep::{Accept, Rate, Resolve};
            let t = summer.ticket_step(&op, &t.number, step(Accept, t.version, None)).await.unwrap();
            if answered {
                let t = summer.ticket_step(&op, &t.number, step(Resolve, t.version, None)).await.unwrap();
                summer.ticket_step(&op, &t.number, step(Rate, t.version, Some(5))).await.unwrap();
            }
        }

        let q = Quarter::parse("2022Q3").unwrap();
        let report = app.bulletin(&op, q).await.unwrap();
        assert!(report.title.contains("2022年第3季度"), "{}", report.title);
        let headings: Vec<&str> = report.sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(
            headings,
            vec!["总体情况", "产业发展情况", "各组团推进情况", "重大项目推进情况", "招商引资“152”进展", "企业服务(点单叫号)情况"]
        );
        let services = &report.sections[5];
        assert!(
            services.paragraphs[0].contains("本季度企业点单2件,受理2件,不予受理0件,办结1件,按时办结率100.0%")
                && services.paragraphs[0].contains("满意率100.0%")
                && services.paragraphs[0].contains("超期工单:新区经济发展局1件"),
            "{}",
            services.paragraphs[0]
        );
        assert_eq!(
            services.tables[0].rows,
            vec![["新区经济发展局", "2", "1", "100.0%", "1", "0.0", "100.0%"].map(String::from).to_vec()]
        );
        // 光电: 9 × 100 亿元 = 900 亿元 this year against 810 last year: +11.1 %.
        let industries = &report.sections[1].tables[0];
        let opto = industries.rows.iter().find(|r| r[0] == "光电信息").unwrap();
        assert_eq!((opto[1].as_str(), opto[2].as_str()), ("900.00", "11.1"), "{}: {opto:?}", db.engine);
        assert!(industries.note.contains("数据截至2022-09-30"));
        // The zones ranked by attainment, a rank in the first column.
        let zones = &report.sections[2].tables[0];
        assert_eq!(zones.rows[0][0], "1");
        // The project due in April and not started: red, with its reason, in the lagging list.
        let lagging = &report.sections[3].tables[1];
        assert_eq!(lagging.rows.len(), 1);
        assert!(lagging.rows[0][3].contains("已逾期5个月"), "{:?}", lagging.rows[0]);
        assert!(report.sections[3].paragraphs[0].contains("红灯1个"));
        // One lead of 60亿 in etdz: the region's "152" not met, etdz's tier over 50亿 met.
        assert!(
            report.sections[4].paragraphs[0].contains("签约项目1个") && report.sections[4].paragraphs[0].contains("尚未完成")
        );
        // Industries behind 序时进度 are named with their gap.
        let analysis = &report.sections[1].paragraphs[0];
        assert!(analysis.contains("滞后于序时进度") || analysis.contains("均达到"), "{analysis}");

        // The DOCX: a Word package whose document has the sections and figures.
        let docx = files::write_docx(&report).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut xml = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
        for text in ["一、总体情况", "五、招商引资“152”进展", "900.00", "光电产业园"] {
            assert!(xml.contains(text), "{text} in the DOCX");
        }
        // The XLSX: every table a sheet, numbers as numbers.
        let sheets = files::report_sheets(&report);
        assert_eq!(sheets.len(), report.sections.iter().map(|s| s.tables.len()).sum::<usize>());
        let sheet = sheets.iter().find(|s| s.name.contains("产业进度")).unwrap();
        let row = sheet.rows.iter().find(|r| r[0] == files::XCell::Text("光电信息".into())).unwrap();
        assert_eq!(row[1], files::XCell::Number(900.0));

        // A quarter not yet over has no bulletin.
        assert!(app.bulletin(&op, Quarter::parse("2022Q4").unwrap()).await.is_err());
    }
}
