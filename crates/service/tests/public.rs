//! The public page's view (PRODUCT.md §7), on both engines: off unless the plan turns it on;
//! official figures only; a cell of fewer than three enterprises or dominated by one says why
//! instead of its figures, and a total that would give a hidden cell away is hidden too.

use domain::Month;
use domain::submission::SubmissionState;
use leapfrog_service::{App, Caller, ServiceError};
use testkit::uscc;

fn plan(public: &str) -> String {
    format!("{}\n{public}\n", domain::plan::DEFAULT_PLAN_TOML)
}

#[tokio::test]
async fn the_public_view_shows_official_cells_that_identify_no_enterprise() {
    for db in testkit::engines().await {
        let op = Caller::operator();
        let off = App::init(&db.url, &plan(""), &op).await.unwrap();
        assert!(matches!(off.public_view().await, Err(ServiceError::NotFound(_))), "{}: off by default", db.engine);
        drop(off);
        let app = App::init(&db.url, &plan("[public]\nenabled = true\nzones = true"), &op).await.unwrap();
        // 光电: two enterprises. 有机硅: three, one with 90 of 100. 新材料: three alike.
        let registry = [
            (1, "optoelectronics", "etdz", 50),
            (2, "optoelectronics", "etdz", 50),
            (3, "silicone", "yongxiu", 90),
            (4, "silicone", "yongxiu", 5),
            (5, "silicone", "yongxiu", 5),
            (6, "new-materials", "etdz", 30),
            (7, "new-materials", "linkong", 30),
            (8, "new-materials", "gongqing", 30),
        ];
        let mut e = String::from("uscc,name,zone,industry\n");
        let mut f = String::from("uscc,month,revenue\n");
        for (k, industry, zone, revenue) in registry {
            e.push_str(&format!("{},企业{k},{zone},{industry}\n", uscc(k)));
            f.push_str(&format!("{},2024-05,{revenue}\n", uscc(k)));
        }
        // June is reported but not approved: the page stays on May.
        f.push_str(&format!("{},2024-06,1000\n", uscc(6)));
        let (_a, p) = testkit::file("e.csv", e.as_bytes());
        app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        let (_b, p) = testkit::file("f.csv", f.as_bytes());
        app.import_facts(&op, &p, false, &|_, _| {}).await.unwrap();
        app.close_months(&op, Month::new(2024, 5).unwrap(), None, SubmissionState::Approved, "").await.unwrap();

        let view = app.public_view().await.unwrap();
        assert_eq!(view.month.as_deref(), Some("2024-05"), "{}", db.engine);
        let industry = |code: &str| view.industries.iter().find(|r| r.industry == code).unwrap();
        assert!(industry("optoelectronics").suppressed.as_deref().unwrap().contains("少于 3 家"));
        assert!(industry("optoelectronics").progress.is_none() && industry("optoelectronics").forecast.is_none());
        assert!(industry("silicone").suppressed.as_deref().unwrap().contains("80%"));
        let shown = industry("new-materials");
        assert_eq!((shown.suppressed.as_deref(), shown.progress.as_ref().and_then(|p| p.ytd)), (None, Some(90.0)));
        // Two parts hidden: the total (eight enterprises, none above 80%) is shown.
        assert_eq!(industry(domain::ALL).progress.as_ref().and_then(|p| p.ytd), Some(290.0), "{}", db.engine);
        // Zones: 经开 (1, 2, 6, 7 with 临空) four, 永修 three with one at 90%, 共青 one.
        let zone = |code: &str| view.zones.iter().find(|r| r.zone == code).unwrap();
        assert_eq!(zone("etdz").progress.as_ref().and_then(|p| p.ytd), Some(160.0));
        assert!(zone("yongxiu").suppressed.is_some() && zone("gongqing").suppressed.is_some());
        assert!(view.industries.iter().chain(&view.zones).all(|r| r.progress.is_some() != r.suppressed.is_some()));
    }
}

#[tokio::test]
async fn a_total_with_one_hidden_part_is_hidden_too() {
    for db in testkit::engines().await {
        let op = Caller::operator();
        let app = App::init(&db.url, &plan("[public]\nenabled = true"), &op).await.unwrap();
        // 光电 two enterprises, hidden; 新材料 three: the total less 新材料 would be 光电's figure.
        let rows = [
            (1, "optoelectronics", 50),
            (2, "optoelectronics", 50),
            (3, "new-materials", 30),
            (4, "new-materials", 30),
            (5, "new-materials", 30),
        ];
        let mut e = String::from("uscc,name,zone,industry\n");
        let mut f = String::from("uscc,month,revenue\n");
        for (k, industry, revenue) in rows {
            e.push_str(&format!("{},企业{k},etdz,{industry}\n", uscc(k)));
            f.push_str(&format!("{},2024-05,{revenue}\n", uscc(k)));
        }
        let (_a, p) = testkit::file("e.csv", e.as_bytes());
        app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        let (_b, p) = testkit::file("f.csv", f.as_bytes());
        app.import_facts(&op, &p, false, &|_, _| {}).await.unwrap();
        app.close_months(&op, Month::new(2024, 5).unwrap(), None, SubmissionState::Locked, "").await.unwrap();
        let view = app.public_view().await.unwrap();
        let total = view.industries.iter().find(|r| r.industry == domain::ALL).unwrap();
        assert!(total.suppressed.as_deref().unwrap().contains("合计一并不予公布"), "{}: {total:?}", db.engine);
        assert!(view.zones.is_empty(), "zones only when the plan shows them");
    }
}
