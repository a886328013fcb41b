//! Issue 6, amounts and months: values outside an indicator's plausible range, totals that would
//! overflow, months not yet begun or before the plan's first year. Each is refused with its
//! reason and changes nothing, on SQLite and on PostgreSQL.

use domain::Month;
use leapfrog_service::{App, Caller, Figures, ServiceError};
use sqlx::Connection;

use testkit::uscc;

fn quiet(_: u64, _: u64) {}

/// The region on 15 May 2023, whatever day the test runs.
async fn with_registry(url: &str) -> App {
    let today = domain::calendar::Date::new(2023, 5, 15).unwrap();
    let settings = leapfrog_service::Settings { clock: leapfrog_service::Clock::on(today), ..Default::default() };
    let app = App::open_with(url, settings).await.unwrap();
    let (_g, reg) = testkit::file(
        "e.csv",
        format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n{},乙,etdz,optoelectronics\n", uscc(1), uscc(2)).as_bytes(),
    );
    app.import_enterprises(&Caller::operator(), &reg, &quiet).await.unwrap();
    app
}

async fn import(app: &App, text: &str) -> Result<leapfrog_service::ImportSummary, ServiceError> {
    let (_g, f) = testkit::file("f.csv", text.as_bytes());
    app.import_facts(&Caller::operator(), &f, false, &quiet).await
}

async fn revenue_total(app: &App, month: &str) -> Option<f64> {
    let rows = app.progress(&Caller::operator(), "revenue", Month::parse(month).unwrap(), Figures::Provisional).await.unwrap();
    rows.iter().find(|r| r.industry == "all" && r.zone == "all").and_then(|r| r.value)
}

#[tokio::test]
async fn values_beyond_an_indicators_range_are_refused_with_the_range() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        // Before: two such values in one cell wrapped the stored total to −2.
        let huge = "922337203685477.5807";
        let err = import(&app, &format!("uscc,month,revenue\n{},2022-06,{huge}\n{},2022-06,{huge}\n", uscc(1), uscc(2)))
            .await
            .unwrap_err();
        let ServiceError::Rows(errors) = err else { panic!("{err}") };
        assert_eq!(errors.len(), 2, "{}", db.engine);
        assert!(errors.shown[0].reason.contains("0 ~ 10000000 万元"), "{}", errors.shown[0].reason);
        assert_eq!(revenue_total(&app, "2022-06").await, None, "nothing imported");
        // The largest plausible value is taken.
        import(&app, &format!("uscc,month,revenue\n{},2022-06,10000000\n", uscc(1))).await.unwrap();
        assert_eq!(revenue_total(&app, "2022-06").await, Some(10_000_000.0));
    }
}

#[tokio::test]
async fn a_total_that_would_overflow_refuses_the_import_and_keeps_the_old_figures() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        import(&app, &format!("uscc,month,revenue\n{},2022-06,100\n", uscc(1))).await.unwrap();
        // A cell already near the integer limit (as years of data at the range's top could make
        // it): one more value must not wrap it or turn it into a float.
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::query("UPDATE cell_months SET total = 9223372036854000000 WHERE indicator = 'revenue'")
            .execute(&mut conn)
            .await
            .unwrap();
        let err = import(&app, &format!("uscc,month,revenue\n{},2022-06,9000000\n", uscc(2))).await.unwrap_err();
        assert!(err.to_string().contains("overflow"), "{}: {err}", db.engine);
        let total: i64 =
            sqlx::query_scalar("SELECT total FROM cell_months WHERE indicator = 'revenue'").fetch_one(&mut conn).await.unwrap();
        assert_eq!(total, 9_223_372_036_854_000_000, "{}: unchanged", db.engine);
    }
}

#[tokio::test]
async fn months_not_yet_begun_or_before_the_plan_are_refused() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        let next = Month::new(2023, 6).unwrap();
        for (month, why) in [(next.to_string(), "future"), ("9998-01".into(), "future"), ("2018-12".into(), "earliest year")] {
            let err = import(&app, &format!("uscc,month,revenue\n{},{month},1\n", uscc(1))).await.unwrap_err();
            let ServiceError::Rows(errors) = err else { panic!("{err}") };
            assert!(errors.shown[0].reason.contains(why), "{month}: {}", errors.shown[0].reason);
        }
        // The plan's first year (the one before the baseline) and this month are taken.
        let now = Month::new(2023, 5).unwrap();
        import(&app, &format!("uscc,month,revenue\n{},2019-01,1\n{},{now},1\n", uscc(1), uscc(1))).await.unwrap();
        // Workflow steps on such months are refused too.
        for month in [Month::parse("9999-12").unwrap(), next, Month::parse("2018-12").unwrap()] {
            let err =
                app.submission_step(&Caller::operator(), "etdz", month, domain::submission::Step::Submit, "").await.unwrap_err();
            assert!(matches!(err, ServiceError::NotFound(_)), "{month}: {err}");
        }
        assert_eq!(app.store.latest_month().await.unwrap(), Some(now));
    }
}

#[tokio::test]
async fn an_indicator_code_reaches_sql_only_when_checked() {
    // Before: only a debug_assert (off in release builds) stood between a code and the SQL text.
    // Now the store takes nothing but an IndicatorCode, whose one constructor admits
    // [a-z][a-z0-9_]*, and the use cases resolve a caller's text against the plan first.
    let hostile = "revenue) IS NOT NULL OR (1=1";
    assert!(domain::IndicatorCode::parse(hostile).unwrap_err().contains("not valid"));
    assert!(domain::IndicatorCode::parse("v_revenue;").is_err());
    assert!(domain::IndicatorCode::parse("revenue").is_ok());
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        let month = Month::new(2023, 5).unwrap();
        let err = app.progress(&Caller::operator(), hostile, month, Figures::Provisional).await.unwrap_err();
        assert!(matches!(&err, ServiceError::BadRequest(m) if m.contains("unknown indicator")), "{}: {err}", db.engine);
        let cell =
            leapfrog_service::Cell { indicator: hostile, industry: "all", zone: "all", month, figures: Figures::Provisional };
        let err = app.drill_down(&Caller::operator(), &cell, 0, 10).await.unwrap_err();
        assert!(matches!(&err, ServiceError::BadRequest(m) if m.contains("unknown indicator")), "{}: {err}", db.engine);
    }
}

#[tokio::test]
async fn a_stored_code_altered_outside_the_program_is_reported_not_carried_on() {
    // Codes are read back through their checked constructors: a zone code changed by hand in
    // the database is an internal error naming the value, never a cell that no plan zone matches.
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        import(&app, &format!("uscc,month,revenue\n{},2023-04,5\n", uscc(1))).await.unwrap();
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        sqlx::query("UPDATE cell_months SET zone = 'ETDZ; --' WHERE zone = 'etdz'").execute(&mut raw).await.unwrap();
        let month = Month::new(2023, 4).unwrap();
        let err = app.progress(&Caller::operator(), "revenue", month, Figures::Provisional).await.unwrap_err();
        assert!(matches!(&err, ServiceError::Internal(m) if m.contains("ETDZ; --")), "{}: {err}", db.engine);
    }
}
