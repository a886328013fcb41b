//! The JSON API under /api/v1/; described by web/openapi.json.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::{Extension, Json};
use service::App;

use crate::WebError;
use crate::auth::Authed;
use crate::memo::Memos;
use crate::pages::{DrillQuery, EnterpriseQuery, MonthQuery, chosen_month, enterprise_filter, figures_of, window};
use crate::upload::receive_body;

pub async fn healthz(State(app): State<App>) -> Result<Json<serde_json::Value>, WebError> {
    let latest = app.latest_month().await.map_err(WebError::from)?;
    Ok(Json(
        serde_json::json!({ "status": "ok", "engine": app.store.engine().name(), "plan": app.plan.code, "latest_month": latest.map(|m| m.to_string()) }),
    ))
}

/// The OpenAPI document for the plan the server runs on (public: it says nothing of the data).
pub async fn openapi(State(app): State<App>) -> Json<serde_json::Value> {
    Json(crate::openapi::document(&app.plan))
}

pub async fn plan(State(app): State<App>, authed: Authed) -> Result<Json<domain::Plan>, WebError> {
    Ok(Json((*app.plan(&authed.caller).map_err(WebError::from)?).clone()))
}

async fn month_or_latest(app: &App, month: Option<&str>) -> Result<domain::Month, WebError> {
    chosen_month(app, month).await?.ok_or_else(|| WebError::bad_request("还没有月度数据 / no facts yet"))
}

pub async fn progress(
    State(app): State<App>,
    Extension(memos): Extension<Arc<Memos>>,
    authed: Authed,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    let month = month_or_latest(&app, q.month.as_deref()).await?;
    let indicator = q.indicator.unwrap_or_else(|| app.plan.target_indicator.to_string());
    let rows =
        app.progress(&authed.caller, &indicator, month, figures_of(q.figures.as_deref())?).await.map_err(WebError::from)?;
    Ok(memos.progress.respond(&rows))
}

/// 预计全年 for every progress cell (PRODUCT.md §7).
pub async fn forecast(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<MonthQuery>,
) -> Result<Json<Vec<domain::progress::ForecastRow>>, WebError> {
    let month = month_or_latest(&app, q.month.as_deref()).await?;
    let indicator = q.indicator.unwrap_or_else(|| app.plan.target_indicator.to_string());
    let figures = figures_of(q.figures.as_deref())?;
    Ok(Json(app.forecast(&authed.caller, &indicator, month, figures).await.map_err(WebError::from)?))
}

pub async fn cockpit(
    State(app): State<App>,
    Extension(memos): Extension<Arc<Memos>>,
    authed: Authed,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    let month = month_or_latest(&app, q.month.as_deref()).await?;
    let indicator = q.indicator.unwrap_or_else(|| app.plan.target_indicator.to_string());
    let view = app.cockpit(&authed.caller, &indicator, month, figures_of(q.figures.as_deref())?).await.map_err(WebError::from)?;
    Ok(memos.cockpit.respond(&view))
}

pub async fn drill(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<DrillQuery>,
) -> Result<Json<service::DrillDown>, WebError> {
    let window = window(q.offset, q.limit, 100)?;
    let month = month_or_latest(&app, q.month.as_deref()).await?;
    let indicator = q.indicator.clone().unwrap_or_else(|| app.plan.target_indicator.to_string());
    let d = app.drill_down(&authed.caller, &q.cell(&indicator, month)?, window.0, window.1).await.map_err(WebError::from)?;
    Ok(Json(d))
}

pub async fn enterprises(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let filter = enterprise_filter(&app, &q)?;
    let (items, total) = app.enterprises(&authed.caller, &filter).await.map_err(WebError::from)?;
    Ok(Json(serde_json::json!({ "total": total, "offset": filter.offset, "items": items })))
}

pub async fn enterprise(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    let (e, months) = app.enterprise(&authed.caller, &uscc).await.map_err(WebError::from)?;
    let months: Vec<serde_json::Value> = months
        .iter()
        .map(|m| {
            let mut obj = serde_json::Map::new();
            obj.insert("month".into(), m.month.to_string().into());
            for (v, ind) in m.values.iter().zip(&app.plan.indicators) {
                obj.insert(ind.code.to_string(), v.map(|v| domain::Amount { raw: v, decimals: ind.decimals }.as_f64()).into());
            }
            obj.into()
        })
        .collect();
    Ok(Json(serde_json::json!({ "enterprise": e, "months": months })))
}

#[derive(serde::Deserialize)]
pub struct ImportQuery {
    /// Facts only: the values are year-to-date totals.
    #[serde(default)]
    pub cumulative: bool,
}

/// POST /api/v1/enterprises: import a registry file, all or nothing.
pub async fn import_enterprises(
    State(app): State<App>,
    authed: Authed,
    body: axum::body::Body,
) -> Result<Json<service::ImportSummary>, WebError> {
    let upload = receive_body(body, "enterprises-upload").await?;
    Ok(Json(app.import_enterprises(&authed.caller, &upload.path, &|_, _| {}).await.map_err(WebError::from)?))
}

/// POST /api/v1/facts: import a monthly facts file, all or nothing.
pub async fn import_facts(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<ImportQuery>,
    body: axum::body::Body,
) -> Result<Json<service::ImportSummary>, WebError> {
    let upload = receive_body(body, "facts-upload").await?;
    Ok(Json(app.import_facts(&authed.caller, &upload.path, q.cumulative, &|_, _| {}).await.map_err(WebError::from)?))
}

pub async fn users(State(app): State<App>, authed: Authed) -> Result<Json<Vec<service::UserRecord>>, WebError> {
    Ok(Json(app.users(&authed.caller).await.map_err(WebError::from)?))
}

pub async fn tokens(State(app): State<App>, authed: Authed) -> Result<Json<Vec<service::TokenRow>>, WebError> {
    Ok(Json(app.tokens(&authed.caller).await.map_err(WebError::from)?))
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub action: Option<String>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
}

pub async fn audit(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<AuditQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let window = window(q.offset, q.limit, 100)?;
    let filter = service::AuditFilter {
        actor: q.actor,
        entity: q.entity,
        action: q.action,
        offset: window.0,
        limit: window.1,
        ..Default::default()
    };
    let (items, total) = app.audit_entries(&authed.caller, &filter).await.map_err(WebError::from)?;
    Ok(Json(serde_json::json!({ "total": total, "items": items })))
}
