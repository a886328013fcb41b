//! Workbooks as statistics offices send them — a title, a unit row, merged two-row headers
//! (营业收入 over 本月 and 本年累计), a total row and notes under the table — written with a
//! spreadsheet library, imported on SQLite and PostgreSQL.

use domain::Month;
use leapfrog_service::{App, Caller, Figures, ServiceError};
use rust_xlsxwriter::{Format, Workbook};

use testkit::uscc;

/// A report in the office's shape; `rows` are (uscc, month, revenue 本月, revenue 本年累计,
/// tax 本月, tax 本年累计), `None` leaving a column out.
fn report(unit: &str, monthly: bool, rows: &[(String, &str, f64, f64, f64, f64)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let center = Format::new().set_align(rust_xlsxwriter::FormatAlign::Center);
    ws.merge_range(0, 0, 0, 5, "2022年规上工业企业主要指标", &center).unwrap();
    ws.write_string(1, 0, format!("单位:{unit}")).unwrap();
    ws.merge_range(2, 0, 3, 0, "统一社会信用代码", &center).unwrap();
    ws.merge_range(2, 1, 3, 1, "月份", &center).unwrap();
    let (first, second) = if monthly { ("本月", "本年累计") } else { ("本年累计", "上年同期") };
    ws.merge_range(2, 2, 2, 3, "营业收入", &center).unwrap();
    ws.merge_range(2, 4, 2, 5, "税收", &center).unwrap();
    for (c, label) in [(2, first), (3, second), (4, first), (5, second)] {
        ws.write_string(3, c, label).unwrap();
    }
    let mut r = 4;
    for (u, m, a, b, c, d) in rows {
        ws.write_string(r, 0, u).unwrap();
        ws.write_string(r, 1, *m).unwrap();
        for (col, v) in [(2, a), (3, b), (4, c), (5, d)] {
            ws.write_number(r, col, *v).unwrap();
        }
        r += 1;
    }
    ws.write_string(r, 0, "合 计").unwrap();
    ws.write_number(r, 2, rows.iter().map(|x| x.2).sum::<f64>()).unwrap();
    ws.write_string(r + 2, 0, "注:本表由各组团于次月5日前报送。").unwrap();
    ws.write_string(r + 3, 0, "填报人:张三").unwrap();
    wb.save_to_buffer().unwrap()
}

async fn region(url: &str) -> App {
    let app = App::open(url).await.unwrap();
    let reg = format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n{},乙,etdz,optoelectronics\n", uscc(1), uscc(2));
    let (_g, p) = testkit::file("e.csv", reg.as_bytes());
    app.import_enterprises(&Caller::operator(), &p, &|_, _| {}).await.unwrap();
    app
}

async fn revenue(app: &App, month: &str) -> Option<f64> {
    let rows = app.progress(&Caller::operator(), "revenue", Month::parse(month).unwrap(), Figures::Provisional).await.unwrap();
    rows.iter().find(|r| r.industry == "optoelectronics" && r.zone == "etdz").and_then(|r| r.value)
}

#[tokio::test]
async fn a_monthly_report_with_title_unit_two_row_header_total_and_notes() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let file =
            report("万元", true, &[(uscc(1), "2022-06", 100.0, 600.0, 5.0, 30.0), (uscc(2), "2022-06", 50.5, 300.0, 2.0, 12.0)]);
        let (_g, p) = testkit::file("report.xlsx", &file);
        let s = app.import_facts(&Caller::operator(), &p, false, &|_, _| {}).await.unwrap();
        assert_eq!(s.rows, 2, "{}", db.engine);
        assert_eq!(s.header_row, 3, "the header row used is said");
        assert_eq!(s.skipped_rows, vec![7, 9, 10], "the total and the two notes");
        assert_eq!(s.ignored_columns, vec!["营业收入|本年累计".to_string(), "税收|本年累计".to_string()]);
        assert_eq!(revenue(&app, "2022-06").await, Some(150.5), "{}: the month's own figures", db.engine);
    }
}

#[tokio::test]
async fn a_year_to_date_report_is_read_as_cumulative() {
    for db in testkit::engines().await {
        let app = region(&db.url).await;
        let file = report(
            "万元",
            false,
            &[(uscc(1), "2022-01", 100.0, 100.0, 5.0, 5.0), (uscc(1), "2022-02", 250.0, 250.0, 12.0, 12.0)],
        );
        let (_g, p) = testkit::file("ytd.xlsx", &file);
        app.import_facts(&Caller::operator(), &p, false, &|_, _| {}).await.unwrap();
        // 本年累计 250 in February is 150 of February's own.
        assert_eq!(revenue(&app, "2022-02").await, Some(150.0), "{}", db.engine);
    }
}

#[tokio::test]
async fn a_report_in_another_unit_is_refused_with_the_unit() {
    let db = testkit::sqlite();
    let app = region(&db.url).await;
    let file = report("亿元", true, &[(uscc(1), "2022-06", 1.0, 6.0, 0.1, 0.3)]);
    let (_g, p) = testkit::file("yi.xlsx", &file);
    let err = app.import_facts(&Caller::operator(), &p, false, &|_, _| {}).await.unwrap_err();
    assert!(matches!(err, ServiceError::File(_)), "{err}");
    assert!(err.to_string().contains("亿元"), "{err}");
    assert_eq!(revenue(&app, "2022-06").await, None);
}
