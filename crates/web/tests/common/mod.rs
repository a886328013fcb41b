//! Helpers shared by the web tests.

use service::App;

/// Marks every zone's months of 2020-2022 as locked, so official figures include them.
pub async fn lock_history(app: &App) {
    let zones: Vec<String> = app.plan.top_zones().map(|z| z.code.clone()).collect();
    let months: Vec<domain::Month> =
        (2020..=2022).flat_map(|y| (1..=12).map(move |m| domain::Month::new(y, m).unwrap())).collect();
    app.store.lock_months(&zones, &months, &store::AuditRecord::new("test", "lock", "submission", "all")).await.unwrap();
}
