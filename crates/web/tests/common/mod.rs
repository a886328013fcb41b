//! Helpers shared by the web tests.

use service::App;

/// Marks every zone's months of 2020-2022 as locked, so official figures include them.
pub async fn lock_history(app: &App) {
    let zones: Vec<&str> = app.plan.top_zones().map(|z| z.code.as_str()).collect();
    let months: Vec<i64> = (2020..=2022).flat_map(|y| (1..=12).map(move |m| i64::from(y * 100 + m))).collect();
    let audit = store::AuditRecord::new("test", "lock", "submission", "all");
    let locked = domain::submission::SubmissionState::Locked;
    app.store.record_states(store::ZONE_MONTH, &zones, &months, locked, &audit).await.unwrap();
}
