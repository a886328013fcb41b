//! The import and progress use cases on hand-made files whose figures are checked by hand, on
//! SQLite and on PostgreSQL.

use domain::Month;
use leapfrog_service::{App, Caller, Cell, Figures, ServiceError};

fn op() -> Caller {
    Caller::operator()
}

use testkit::uscc;

fn month(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn registry() -> String {
    format!(
        "统一社会信用代码,企业名称,组团,产业,用地面积(亩),规上,成立日期,标签\n\
         {},甲光电有限公司,经开组团,光电信息,120.5,是,2015-03-01,专精特新、高新技术企业\n\
         {},乙光电有限公司,linkong,optoelectronics,80,是,2018-01-01,\n\
         {},丙硅业有限公司,永修组团,有机硅,200,是,2010-05-05,链主\n\
         {},丁数字有限公司,直管区,数字经济,,否,2020-01-01,\n",
        uscc(1),
        uscc(2),
        uscc(3),
        uscc(4)
    )
}

/// U1: 10 万元 a month in 2020 (baseline 120), 100/200 in Jan/Feb 2021, 150/250 in Jan/Feb 2022.
/// U2 (linkong, rolls into etdz): 50 in Jan 2022. U3 (silicone): 300 in Feb 2022.
/// U4 (digital economy, no target): 40 in Feb 2022.
fn facts() -> String {
    let mut s = String::from("统一社会信用代码,月份,营业收入(万元),税收(万元)\n");
    for m in 1..=12 {
        s.push_str(&format!("{},2020-{m:02},10,1\n", uscc(1)));
    }
    s.push_str(&format!("{},2021/1,100,5\n{},2021年2月,200,10\n", uscc(1), uscc(1)));
    s.push_str(&format!("{},2022-01,150,7.5\n{},2022-02,250,12.5\n", uscc(1), uscc(1)));
    s.push_str(&format!("{},2022-01,50,\n", uscc(2)));
    s.push_str(&format!("{},2022-02,300,30\n", uscc(3)));
    s.push_str(&format!("{},2022-02,40,2\n", uscc(4)));
    s
}

fn quiet(_: u64, _: u64) {}

async fn loaded(url: &str) -> (App, Vec<tempfile_guard::Guard>) {
    let app = App::open(url).await.unwrap();
    let (g1, reg) = testkit::file("enterprises.csv", registry().as_bytes());
    let (g2, fac) = testkit::file("facts.csv", facts().as_bytes());
    app.import_enterprises(&op(), &reg, &quiet).await.unwrap();
    app.import_facts(&op(), &fac, false, &quiet).await.unwrap();
    (app, vec![g1, g2])
}

mod tempfile_guard {
    pub type Guard = tempfile::TempDir;
}

fn row<'a>(rows: &'a [domain::ProgressRow], industry: &str, zone: &str) -> &'a domain::ProgressRow {
    rows.iter().find(|r| r.industry == industry && r.zone == zone).unwrap_or_else(|| panic!("no row {industry}/{zone}"))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6 * b.abs().max(1.0))
}

/// The stored aggregates equal a recount from the facts, for every indicator.
async fn assert_aggregates_exact(app: &App) {
    let drifted = testkit::drifted_aggregates(&app.store, &app.plan).await;
    assert!(drifted.is_empty(), "aggregates of {drifted:?} drifted from the facts");
}

#[tokio::test]
async fn progress_matches_the_definitions_computed_by_hand() {
    for db in testkit::engines().await {
        let (app, _files) = loaded(&db.url).await;
        let rows = app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();

        let r = row(&rows, "optoelectronics", "etdz");
        assert_eq!(r.value, Some(250.0), "{}", db.engine);
        assert_eq!(r.ytd, Some(450.0)); // 150 + 50 (linkong) + 250
        assert_eq!(r.ytd_prev, Some(300.0));
        assert!(close(r.yoy_pct, 50.0));
        let target = 120.0 * (8_500_000.0f64 / 120.0).powf(2.0 / 3.0);
        assert!(close(r.target, target), "{:?} vs {target}", r.target);
        assert!(close(r.attainment_pct, 450.0 / target * 100.0));
        assert!(close(Some(r.time_progress_pct), 200.0 / 12.0));
        assert!(close(r.gap_pp, 450.0 / target * 100.0 - 200.0 / 12.0));
        assert_eq!(r.status, Some(domain::Status::Behind));

        // No baseline and not the final year: no target, so no attainment either.
        let r = row(&rows, "silicone", "yongxiu");
        assert_eq!((r.ytd, r.ytd_prev, r.yoy_pct, r.target, r.status), (Some(300.0), None, None, None, None));

        // Services show up because they have data; `all` industries leave them out.
        assert_eq!(row(&rows, "digital-economy", "direct").ytd, Some(40.0));
        assert_eq!(row(&rows, "digital-economy", "all").ytd, Some(40.0));
        let total = row(&rows, "all", "all");
        assert_eq!(total.ytd, Some(750.0));
        assert!(close(total.target, 120.0 * (31_000_000.0f64 / 120.0).powf(2.0 / 3.0)));
        // A target cell with no data: the target shows, the rest is null.
        let r = row(&rows, "biomedicine", "direct");
        assert_eq!((r.value, r.ytd, r.status), (None, None, None));

        // In the final year the target is the annex figure itself.
        let rows = app.progress(&op(), "revenue", month("2023-06"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&rows, "optoelectronics", "etdz").target, Some(8_500_000.0));
        assert_eq!(row(&rows, "optoelectronics", "all").target, Some(10_000_000.0));

        // Taxes carry no target; 7.5 万元 stays exact.
        let rows = app.progress(&op(), "tax", month("2022-02"), Figures::Provisional).await.unwrap();
        let r = row(&rows, "optoelectronics", "etdz");
        assert_eq!((r.ytd, r.target), (Some(20.0), None));
        assert_aggregates_exact(&app).await;
    }
}

#[tokio::test]
async fn a_file_with_errors_lists_each_and_changes_nothing() {
    for db in testkit::engines().await {
        let (app, _files) = loaded(&db.url).await;
        let before = app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();
        let bad_check = {
            let mut u = uscc(1);
            let last = u.pop().unwrap();
            u.push(if last == '0' { '1' } else { '0' });
            u
        };
        let text = format!(
            "统一社会信用代码,月份,营业收入(万元)\n\
             {u1},2022-02,999\n\
             {bad_check},2022-03,1\n\
             {u1},2022-13,1\n\
             {u1},2022-04,abc\n\
             {u1},2022-05,-5\n\
             {u9},2022-06,1\n\
             {u1},2022-02,1\n",
            u1 = uscc(1),
            u9 = uscc(9)
        );
        let (_g, path) = testkit::file("bad.csv", text.as_bytes());
        let Err(ServiceError::Rows(errors)) = app.import_facts(&op(), &path, false, &quiet).await else { panic!("must fail") };
        let at: Vec<(usize, Option<&str>)> = errors.shown.iter().map(|e| (e.row, e.column.as_deref())).collect();
        assert_eq!(
            at,
            vec![
                (3, Some("统一社会信用代码")),
                (4, Some("月份")),
                (5, Some("营业收入(万元)")),
                (6, Some("营业收入(万元)")),
                (7, Some("统一社会信用代码")),
                (8, Some("月份")),
            ],
            "{errors:#?}"
        );
        assert!(errors.shown[0].reason.contains("check character"));
        assert!(errors.shown[3].reason.contains("negative"));
        assert!(errors.shown[4].reason.contains("unknown enterprise"));
        assert!(errors.shown[5].reason.contains("more than once"));
        assert!(errors.shown.iter().all(|e| e.file.ends_with("bad.csv")));
        // Row 2 was valid and came before the errors; it must not have been kept.
        assert_eq!(app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap(), before);

        let text = format!(
            "统一社会信用代码,企业名称,组团,产业\n{},新企业,火星组团,光电信息\n{},另一家,直管区,造船\n",
            uscc(20),
            uscc(21)
        );
        let (_g, path) = testkit::file("bad-enterprises.csv", text.as_bytes());
        let Err(ServiceError::Rows(errors)) = app.import_enterprises(&op(), &path, &quiet).await else { panic!("must fail") };
        assert_eq!(
            errors.shown.iter().map(|e| (e.row, e.column.clone().unwrap())).collect::<Vec<_>>(),
            vec![(2, "组团".into()), (3, "产业".into())]
        );
        let (list, total) = app.store.enterprises(&store::EnterpriseFilter { limit: 100, ..Default::default() }).await.unwrap();
        assert_eq!((list.len(), total), (4, 4));

        let (_g, path) = testkit::file("no-month.csv", "统一社会信用代码,营业收入\nX,1\n".as_bytes());
        let err = app.import_facts(&op(), &path, false, &quiet).await.unwrap_err();
        assert!(err.to_string().contains("月份"), "{err}");
    }
}

#[tokio::test]
async fn reimporting_replaces_and_keeps_aggregates_exact() {
    for db in testkit::engines().await {
        let (app, files) = loaded(&db.url).await;
        let first = app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();
        // The same file again is idempotent.
        let path = files[1].path().join("facts.csv");
        app.import_facts(&op(), &path, false, &quiet).await.unwrap();
        assert_eq!(app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap(), first, "{}", db.engine);

        // A changed value replaces the old one; a file with only tax leaves revenue alone;
        // a blank cell means "not reported".
        let text = format!("统一社会信用代码,月份,营业收入\n{},2022-02,300\n", uscc(1));
        let (_g, p) = testkit::file("fix.csv", text.as_bytes());
        app.import_facts(&op(), &p, false, &quiet).await.unwrap();
        let text = format!("uscc,month,tax\n{},2022-02,99\n", uscc(1));
        let (_g2, p2) = testkit::file("tax.csv", text.as_bytes());
        app.import_facts(&op(), &p2, false, &quiet).await.unwrap();
        let rows = app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&rows, "optoelectronics", "etdz").ytd, Some(500.0));
        let tax = app.progress(&op(), "tax", month("2022-02"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&tax, "optoelectronics", "etdz").value, Some(99.0));

        let text = format!("统一社会信用代码,月份,营业收入\n{},2022-02,\n", uscc(3));
        let (_g3, p3) = testkit::file("blank.csv", text.as_bytes());
        app.import_facts(&op(), &p3, false, &quiet).await.unwrap();
        let rows = app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&rows, "silicone", "yongxiu").value, None);
        assert_aggregates_exact(&app).await;

        // An enterprise that moves zone takes its figures along.
        let moved = registry().replace("乙光电有限公司,linkong", "乙光电有限公司,永修组团");
        let (_g4, p4) = testkit::file("moved.csv", moved.as_bytes());
        let summary = app.import_enterprises(&op(), &p4, &quiet).await.unwrap();
        assert_eq!((summary.inserted, summary.updated), (0, 4));
        let rows = app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&rows, "optoelectronics", "etdz").ytd, Some(450.0));
        assert_eq!(row(&rows, "optoelectronics", "yongxiu").ytd, Some(50.0));
        assert_aggregates_exact(&app).await;
    }
}

#[tokio::test]
async fn cumulative_files_are_differenced_by_month() {
    for db in testkit::engines().await {
        let (app, _files) = loaded(&db.url).await;
        let text = format!("统一社会信用代码,月份,营业收入\n{u},2023-02,250\n{u},2023-01,100\n{u},2023-03,400\n", u = uscc(3));
        let (_g, p) = testkit::file("ytd.csv", text.as_bytes());
        app.import_facts(&op(), &p, true, &quiet).await.unwrap();
        let rows = app.progress(&op(), "revenue", month("2023-03"), Figures::Provisional).await.unwrap();
        let r = row(&rows, "silicone", "yongxiu");
        assert_eq!((r.value, r.ytd), (Some(150.0), Some(400.0)), "{}", db.engine);
        let feb = app.progress(&op(), "revenue", month("2023-02"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&feb, "silicone", "yongxiu").value, Some(150.0));

        let text = format!("统一社会信用代码,月份,营业收入\n{u},2023-05,250\n", u = uscc(3));
        let (_g, p) = testkit::file("gap.csv", text.as_bytes());
        let Err(ServiceError::Rows(errors)) = app.import_facts(&op(), &p, true, &quiet).await else { panic!("must fail") };
        assert!(errors.shown[0].reason.contains("previous month"));
    }
}

fn gb18030(text: &str) -> Vec<u8> {
    encoding_rs::GB18030.encode(text).0.into_owned()
}

#[tokio::test]
async fn gb18030_csv_with_bom_less_headers_and_xlsx_files_import() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let (_g, p) = testkit::file("企业名录.csv", &gb18030(&registry()));
        app.import_enterprises(&op(), &p, &quiet).await.unwrap();
        let e = app.store.enterprise(&uscc(1)).await.unwrap().unwrap();
        assert_eq!(e.name, "甲光电有限公司");
        assert_eq!(e.land_mu, Some(120.5));
        assert_eq!(e.tags, vec!["专精特新", "高新技术企业"]);
        assert_eq!(e.zone, "etdz");

        // UTF-8 with a BOM, as Excel's "CSV UTF-8" writes.
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(format!("统一社会信用代码,月份,营业收入(万元)\n{},2022-01,1.5\n", uscc(4)).as_bytes());
        let (_g, p) = testkit::file("bom.csv", &bom);
        app.import_facts(&op(), &p, false, &quiet).await.unwrap();

        // XLSX with numbers as numbers and months as Chinese text.
        use files::{Sheet, SheetColumn, XCell};
        let col = |h: &str| SheetColumn { header: h.into(), decimals: None, width: 10.0 };
        let sheet = Sheet {
            name: "数据".into(),
            title: None,
            columns: vec![col("统一社会信用代码"), col("月份"), col("营业收入(万元)"), col("从业人员(人)")],
            rows: vec![
                vec![
                    XCell::Text(uscc(3)),
                    XCell::Text("2022年1月".into()),
                    XCell::Number(1234.5600000000002),
                    XCell::Number(80.0),
                ],
                vec![XCell::Text(uscc(3)), XCell::Text("2022年2月".into()), XCell::Number(100.0), XCell::Number(90.0)],
            ],
        };
        let (_g, p) = testkit::file("facts.xlsx", &files::write_xlsx(&[sheet]).unwrap());
        app.import_facts(&op(), &p, false, &quiet).await.unwrap();
        let rows = app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&rows, "silicone", "yongxiu").ytd, Some(1334.56), "{}", db.engine);
        assert_eq!(row(&rows, "digital-economy", "direct").ytd, Some(1.5));
        let staff = app.progress(&op(), "employees", month("2022-02"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&staff, "silicone", "yongxiu").ytd, Some(85.0)); // a stock: the mean
        assert_aggregates_exact(&app).await;
    }
}

#[tokio::test]
async fn drill_down_lists_the_enterprises_behind_a_cell() {
    for db in testkit::engines().await {
        let (app, _files) = loaded(&db.url).await;
        let d = app
            .drill_down(
                &op(),
                &Cell {
                    indicator: "revenue",
                    industry: "optoelectronics",
                    zone: "etdz",
                    month: month("2022-02"),
                    figures: Figures::Provisional,
                },
                0,
                10,
            )
            .await
            .unwrap();
        assert_eq!(d.total, 2, "{}", db.engine);
        let got: Vec<_> = d.enterprises.iter().map(|e| (e.zone.as_str(), e.value, e.ytd, e.ytd_prev)).collect();
        assert_eq!(got, vec![("etdz", Some(250.0), Some(400.0), Some(300.0)), ("linkong", None, Some(50.0), None)]);
        // The enterprises add up to the cell.
        let sum: f64 = d.enterprises.iter().filter_map(|e| e.ytd).sum();
        assert_eq!(Some(sum), d.row.ytd);
        assert!(matches!(
            app.drill_down(
                &op(),
                &Cell {
                    indicator: "revenue",
                    industry: "shipbuilding",
                    zone: "etdz",
                    month: month("2022-02"),
                    figures: Figures::Provisional
                },
                0,
                10
            )
            .await,
            Err(ServiceError::NotFound(_))
        ));
        // Month by month, with last year's months.
        let months: Vec<(Option<f64>, Option<f64>)> = d.months.iter().map(|t| (t.value, t.value_prev_year)).collect();
        assert_eq!(months, vec![(Some(200.0), Some(100.0)), (Some(250.0), Some(200.0))]);

        // Pages: the second alone, and one past the end, both with the cell's count.
        let cell = Cell {
            indicator: "revenue",
            industry: "optoelectronics",
            zone: "etdz",
            month: month("2022-02"),
            figures: Figures::Provisional,
        };
        let second = app.drill_down(&op(), &cell, 1, 1).await.unwrap();
        assert_eq!((second.total, second.enterprises.len(), second.enterprises[0].zone.as_str()), (2, 1, "linkong"));
        let past = app.drill_down(&op(), &cell, 5, 10).await.unwrap();
        assert_eq!((past.total, past.enterprises.len()), (2, 0), "{}", db.engine);
        // A page is kept until the next write: an import shows at once.
        let more = format!("uscc,month,revenue\n{},2022-02,1000\n", uscc(1));
        let (_g, p) = testkit::file("more.csv", more.as_bytes());
        app.import_facts(&op(), &p, false, &quiet).await.unwrap();
        let after = app.drill_down(&op(), &cell, 0, 10).await.unwrap();
        assert_ne!(after.enterprises[0].value, d.enterprises[0].value, "{}", db.engine);
        assert_eq!(after.enterprises[0].value, Some(1000.0));

        // Headcount is a stock: an enterprise's year-to-date is its mean month.
        let staff = format!("uscc,month,employees\n{u},2022-01,100\n{u},2022-02,300\n", u = uscc(1));
        let (_g, p) = testkit::file("staff.csv", staff.as_bytes());
        app.import_facts(&op(), &p, false, &quiet).await.unwrap();
        let d = app
            .drill_down(
                &op(),
                &Cell {
                    indicator: "employees",
                    industry: "optoelectronics",
                    zone: "all",
                    month: month("2022-02"),
                    figures: Figures::Provisional,
                },
                0,
                10,
            )
            .await
            .unwrap();
        assert_eq!(d.enterprises[0].ytd, Some(200.0), "{}", db.engine);
    }
}

#[tokio::test]
async fn another_region_runs_on_its_own_plan_file() {
    for db in testkit::engines().await {
        let src = domain::plan::DEFAULT_PLAN_TOML
            .replace("code = \"ganjiang-2021-2023\"", "code = \"other-region\"")
            .replace("[[indicators]]\ncode = \"revenue\"", "[[indicators]]\ncode = \"exports\"\nname = \"出口额\"\nunit = \"万元\"\ndecimals = 2\nkind = \"flow\"\n\n[[indicators]]\ncode = \"revenue\"");
        let app = App::init(&db.url, &src, &op()).await.unwrap();
        assert_eq!(app.plan.code, "other-region");
        let reopened = App::open(&db.url).await.unwrap();
        assert!(reopened.plan.indicator("exports").is_some(), "{}", db.engine);
        let (_g, reg) = testkit::file("e.csv", registry().as_bytes());
        reopened.import_enterprises(&op(), &reg, &quiet).await.unwrap();
        let (_g, f) = testkit::file("f.csv", format!("uscc,month,出口额(万元)\n{},2022-01,12.34\n", uscc(1)).as_bytes());
        reopened.import_facts(&op(), &f, false, &quiet).await.unwrap();
        let rows = reopened.progress(&op(), "exports", month("2022-01"), Figures::Provisional).await.unwrap();
        assert_eq!(row(&rows, "optoelectronics", "etdz").ytd, Some(12.34));
    }
}

#[tokio::test]
async fn several_nodes_can_start_on_a_new_database_at_once() {
    for db in testkit::engines().await {
        let opens: Vec<_> = (0..4)
            .map(|_| {
                let url = db.url.clone();
                tokio::spawn(async move { App::open(&url).await.map(|app| app.plan.code.clone()) })
            })
            .collect();
        for o in opens {
            assert_eq!(o.await.unwrap().unwrap(), "ganjiang-2021-2023", "{}", db.engine);
        }
    }
}

#[tokio::test]
async fn a_bad_row_after_several_written_batches_leaves_nothing_behind() {
    // Rows are written batch by batch as the file is read (5,000 facts, 2,000 enterprises at a
    // time): one bad row at the end must still leave the database as it was.
    for db in testkit::engines().await {
        let (app, _files) = loaded(&db.url).await;
        let total_before = app.store.enterprises(&store::EnterpriseFilter { limit: 1, ..Default::default() }).await.unwrap().1;

        // 2,500 new enterprises and a rename of a stored one, then a row with an unknown zone.
        let mut reg = String::from("uscc,name,zone,industry\n");
        reg.push_str(&format!("{},改了名字的甲,etdz,optoelectronics\n", uscc(1)));
        for n in 100..2_600 {
            reg.push_str(&format!("{},新企业{n},etdz,optoelectronics\n", uscc(n)));
        }
        reg.push_str(&format!("{},坏行,火星组团,optoelectronics\n", uscc(2_600)));
        let (_g, p) = testkit::file("big-registry.csv", reg.as_bytes());
        let Err(ServiceError::Rows(errors)) = app.import_enterprises(&op(), &p, &quiet).await else { panic!("must fail") };
        assert_eq!(errors.len(), 1, "{}", db.engine);
        let after = app.store.enterprises(&store::EnterpriseFilter { limit: 1, ..Default::default() }).await.unwrap().1;
        assert_eq!(after, total_before, "{}: no new enterprise stayed", db.engine);
        assert_eq!(
            app.store.enterprise(&uscc(1)).await.unwrap().unwrap().name,
            "甲光电有限公司",
            "{}: the rename was undone",
            db.engine
        );

        // 6,000 good facts (months already stored and new ones), then one bad value.
        let mut reg = String::from("uscc,name,zone,industry\n");
        for n in 100..200 {
            reg.push_str(&format!("{},新企业{n},etdz,optoelectronics\n", uscc(n)));
        }
        let (_g, p) = testkit::file("registry.csv", reg.as_bytes());
        app.import_enterprises(&op(), &p, &quiet).await.unwrap();
        let before = app.progress(&op(), "revenue", month("2021-01"), Figures::Provisional).await.unwrap();
        let mut facts = String::from("uscc,month,revenue\n");
        for n in 100..200 {
            for m in (2019..=2023).flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}"))) {
                facts.push_str(&format!("{},{m},1\n", uscc(n)));
            }
        }
        facts.push_str(&format!("{},2021-01,-1\n", uscc(100)));
        let (_g, p) = testkit::file("big-facts.csv", facts.as_bytes());
        let Err(ServiceError::Rows(errors)) = app.import_facts(&op(), &p, false, &quiet).await else { panic!("must fail") };
        assert_eq!((errors.len(), errors.shown[0].row), (1, 6_002), "{}", db.engine);
        assert_eq!(
            app.progress(&op(), "revenue", month("2021-01"), Figures::Provisional).await.unwrap(),
            before,
            "{}",
            db.engine
        );
        let none_kept = app.enterprise(&op(), &uscc(150)).await.unwrap().1;
        assert!(none_kept.is_empty(), "{}: no fact of the file stayed", db.engine);
    }
}

#[tokio::test]
async fn views_kept_in_memory_change_with_any_write_on_any_node() {
    for db in testkit::engines().await {
        let (app, _files) = loaded(&db.url).await;
        let other_node = App::open(&db.url).await.unwrap();
        let read = |app: App| async move {
            let c = app.cockpit(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();
            let all = c.rows.iter().find(|r| r.industry == "all" && r.zone == "all").unwrap().value;
            let p = app.progress(&op(), "revenue", month("2022-02"), Figures::Provisional).await.unwrap();
            assert_eq!(p.iter().find(|r| r.industry == "all" && r.zone == "all").unwrap().value, all);
            all
        };
        let first = read(app.clone()).await;
        assert_eq!(read(app.clone()).await, first, "the same, from memory");
        // Another node writes: this node's next read sees it.
        let (_g, p) = testkit::file("more.csv", format!("uscc,month,revenue\n{},2022-02,1000\n", uscc(3)).as_bytes());
        other_node.import_facts(&op(), &p, false, &quiet).await.unwrap();
        let after = read(app.clone()).await;
        assert_eq!(after, Some(first.unwrap() - 300.0 + 1000.0), "{}", db.engine);
    }
}

#[tokio::test]
async fn each_rule_of_the_registry_file_names_its_row_and_column() {
    let db = testkit::sqlite();
    let app = App::open(&db.url).await.unwrap();
    let good = |n: u32| format!("{},企业{n},etdz,optoelectronics,10,是,2015-03-01,", uscc(n));
    let bad_check = {
        let mut u = uscc(2);
        let real = u.pop().unwrap();
        u.push(if real == '0' { '1' } else { '0' });
        u
    };
    let rows = [
        (format!("{bad_check},甲,etdz,optoelectronics,,,,"), "统一社会信用代码", "check character"),
        (format!("{},,etdz,optoelectronics,,,,", uscc(3)), "企业名称", "name is required"),
        (format!("{},{},etdz,optoelectronics,,,,", uscc(4), "长".repeat(201)), "企业名称", "longer than 200"),
        (format!("{},丙,火星组团,optoelectronics,,,,", uscc(5)), "组团", "unknown zone"),
        (format!("{},丁,etdz,造船,,,,", uscc(6)), "产业", "unknown industry"),
        (format!("{},戊,etdz,optoelectronics,-3,,,", uscc(7)), "用地面积(亩)", "negative"),
        (format!("{},己,etdz,optoelectronics,,也许,,", uscc(8)), "规上", "是 or 否"),
        (format!("{},庚,etdz,optoelectronics,,,2015/13/45,", uscc(9)), "成立日期", "YYYY-MM-DD"),
        (good(1), "统一社会信用代码", "duplicates row 2"),
    ];
    let mut text = format!("统一社会信用代码,企业名称,组团,产业,用地面积(亩),规上,成立日期,标签\n{}\n", good(1));
    for (row, _, _) in &rows {
        text.push_str(row);
        text.push('\n');
    }
    let (_g, p) = testkit::file("rules.csv", text.as_bytes());
    let Err(ServiceError::Rows(errors)) = app.import_enterprises(&op(), &p, &quiet).await else { panic!("must fail") };
    assert_eq!(errors.len(), rows.len(), "{errors:#?}");
    for (k, (_, column, reason)) in rows.iter().enumerate() {
        let e = &errors.shown[k];
        assert_eq!((e.row, e.column.as_deref()), (k + 3, Some(*column)), "{e:?}");
        assert!(e.reason.contains(reason), "row {}: {} lacks {reason}", e.row, e.reason);
    }
    assert_eq!(app.store.enterprises(&store::EnterpriseFilter { limit: 1, ..Default::default() }).await.unwrap().1, 0);
}

#[tokio::test]
async fn the_demo_is_the_same_for_the_same_seed() {
    let figures = |url: String, seed: u64| async move {
        let app = App::open(&url).await.unwrap();
        let spec = leapfrog_service::DemoSpec { enterprises: 120, first_year: 2020, years: 2, seed };
        app.generate_demo(&op(), &spec, None, &quiet).await.unwrap();
        let rows = app.progress(&op(), "revenue", month("2021-09"), Figures::Official).await.unwrap();
        serde_json::to_string(&rows).unwrap()
    };
    let (a, b, c) = (testkit::sqlite(), testkit::sqlite(), testkit::sqlite());
    let first = figures(a.url.clone(), 7).await;
    assert_eq!(figures(b.url.clone(), 7).await, first);
    assert_ne!(figures(c.url.clone(), 8).await, first, "another seed, another region");
}

/// The stress region `bench/run` builds is the demo at a hundred times its size: its projects,
/// leads and service tickets grow with the registry, not only its facts.
#[tokio::test]
async fn a_larger_demo_region_has_projects_leads_and_tickets_in_proportion() {
    let counts = |enterprises: usize| async move {
        let db = testkit::sqlite();
        let app = App::open(&db.url).await.unwrap();
        let spec = leapfrog_service::DemoSpec { enterprises, first_year: 2020, years: 2, seed: 11 };
        app.generate_demo(&op(), &spec, None, &quiet).await.unwrap();
        app.seed_demo_users(&op()).await.unwrap();
        app.generate_demo_services(&op(), 11).await.unwrap();
        let all = store::TicketFilter { limit: 100_000, ..Default::default() };
        let tickets = app.store.tickets(&all).await.unwrap();
        let distinct: std::collections::BTreeSet<_> = tickets.iter().map(|t| t.uscc.clone()).collect();
        (app.store.projects(&[]).await.unwrap().len(), app.store.leads().await.unwrap().len(), tickets.len(), distinct.len())
    };
    let (projects, leads, tickets, ordering) = counts(1_500).await;
    assert!(projects > 0 && leads > 0 && tickets > 0);
    let (p2, l2, t2, o2) = counts(3_000).await;
    assert_eq!((p2, l2, t2), (2 * projects, 2 * leads, 2 * tickets));
    assert!(o2 > ordering, "the second round of tickets is ordered by other enterprises too: {o2} vs {ordering}");
}

/// 预计全年 on a hand-computed series: 2019 misses a month (no pattern), 2020 did half its year by
/// June, 2021 a third; 2022 has 900 to June. The target is the progress table's own.
#[tokio::test]
async fn the_forecast_projects_each_cell_from_its_own_earlier_years() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let (_g, reg) = testkit::file("e.csv", registry().as_bytes());
        app.import_enterprises(&op(), &reg, &quiet).await.unwrap();
        let mut facts = String::from("统一社会信用代码,月份,营业收入(万元)\n");
        let mut month_of = |year: i32, m: u32, v: f64| facts.push_str(&format!("{},{year}-{m:02},{v}\n", uscc(1)));
        (1..=11).for_each(|m| month_of(2019, m, 100.0));
        (1..=12).for_each(|m| month_of(2020, m, 100.0));
        (1..=12).for_each(|m| month_of(2021, m, if m <= 6 { 100.0 } else { 200.0 }));
        (1..=6).for_each(|m| month_of(2022, m, 150.0));
        let (_f, f) = testkit::file("f.csv", facts.as_bytes());
        app.import_facts(&op(), &f, false, &quiet).await.unwrap();

        let rows = app.forecast(&op(), "revenue", month("2022-06"), Figures::Provisional).await.unwrap();
        let cell = rows.iter().find(|r| r.industry == "optoelectronics" && r.zone == "etdz").unwrap();
        let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-6);
        // Shares by June: 600 / 1200 = 1/2 (2020), 600 / 1800 = 1/3 (2021); their median 5/12.
        assert_eq!((cell.ytd, cell.years.clone(), cell.reason), (Some(900.0), vec![2020, 2021], None), "{}", db.engine);
        assert!(close(cell.projected, 900.0 * 12.0 / 5.0), "{cell:?}");
        assert!(close(cell.low, 1800.0) && close(cell.high, 2700.0), "{cell:?}");
        // The target is the progress table's; the odds are the share of the two years reaching it.
        let progress = app.progress(&op(), "revenue", month("2022-06"), Figures::Provisional).await.unwrap();
        let target = progress.iter().find(|r| r.industry == "optoelectronics" && r.zone == "etdz").unwrap().target;
        assert_eq!(cell.target, target);
        let t = target.expect("a target for 光电信息 in 经开组团");
        let expected = [1800.0, 2700.0].iter().filter(|p| **p >= t).count() as f64 / 2.0;
        assert_eq!(cell.probability, Some(expected));
        // A cell with nothing earlier says why; January projects nothing.
        let yongxiu = rows.iter().find(|r| r.industry == "optoelectronics" && r.zone == "yongxiu").unwrap();
        assert_eq!((yongxiu.projected, yongxiu.reason), (None, Some(domain::projection::TOO_FEW_YEARS)));
        let january = app.forecast(&op(), "revenue", month("2022-01"), Figures::Provisional).await.unwrap();
        assert!(january.iter().all(|r| r.projected.is_none() && r.reason == Some(domain::projection::JANUARY)));
        // Headcount is a level: no full year.
        let staff = app.forecast(&op(), "employees", month("2022-06"), Figures::Provisional).await.unwrap();
        assert!(staff.iter().all(|r| r.reason == Some(domain::projection::A_LEVEL)));
    }
}
