//! The JSON API under /api/v1/; described by web/openapi.json.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use service::App;

use crate::WebError;
use crate::pages::{DrillQuery, EnterpriseQuery, MonthQuery, chosen_month, enterprise_filter};

const OPENAPI: &str = include_str!("../../../web/openapi.json");

pub async fn healthz(State(app): State<App>) -> Result<Json<serde_json::Value>, WebError> {
    let latest = app
        .latest_month()
        .await
        .map_err(|e| WebError::from(e).for_api())?;
    Ok(Json(
        serde_json::json!({ "status": "ok", "engine": app.store.engine().name(), "plan": app.plan.code, "latest_month": latest.map(|m| m.to_string()) }),
    ))
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

pub async fn plan(State(app): State<App>) -> Json<domain::Plan> {
    Json((*app.plan).clone())
}

async fn month_or_latest(app: &App, month: Option<&str>) -> Result<domain::Month, WebError> {
    chosen_month(app, month)
        .await
        .map_err(WebError::for_api)?
        .ok_or_else(|| WebError::bad_request("还没有月度数据 / no facts yet").for_api())
}

pub async fn progress(
    State(app): State<App>,
    Query(q): Query<MonthQuery>,
) -> Result<Json<Vec<domain::ProgressRow>>, WebError> {
    let month = month_or_latest(&app, q.month.as_deref()).await?;
    let indicator = q
        .indicator
        .unwrap_or_else(|| app.plan.target_indicator.clone());
    Ok(Json(
        app.progress(&indicator, month)
            .await
            .map_err(|e| WebError::from(e).for_api())?,
    ))
}

pub async fn cockpit(
    State(app): State<App>,
    Query(q): Query<MonthQuery>,
) -> Result<Json<service::Cockpit>, WebError> {
    let month = month_or_latest(&app, q.month.as_deref()).await?;
    let indicator = q
        .indicator
        .unwrap_or_else(|| app.plan.target_indicator.clone());
    Ok(Json(
        app.cockpit(&indicator, month)
            .await
            .map_err(|e| WebError::from(e).for_api())?,
    ))
}

pub async fn drill(
    State(app): State<App>,
    Query(q): Query<DrillQuery>,
) -> Result<Json<service::DrillDown>, WebError> {
    let month = month_or_latest(&app, q.month.as_deref()).await?;
    let indicator = q
        .indicator
        .unwrap_or_else(|| app.plan.target_indicator.clone());
    let d = app
        .drill_down(
            &indicator,
            &q.industry,
            &q.zone,
            month,
            q.offset.unwrap_or(0),
            q.limit.unwrap_or(100),
        )
        .await
        .map_err(|e| WebError::from(e).for_api())?;
    Ok(Json(d))
}

pub async fn enterprises(
    State(app): State<App>,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Json<serde_json::Value>, WebError> {
    let filter = enterprise_filter(&app, &q);
    let (items, total) = app
        .store
        .enterprises(&filter)
        .await
        .map_err(|e| WebError::from(service::ServiceError::from(e)).for_api())?;
    Ok(Json(
        serde_json::json!({ "total": total, "offset": filter.offset, "items": items }),
    ))
}

pub async fn enterprise(
    State(app): State<App>,
    Path(uscc): Path<String>,
) -> Result<Json<serde_json::Value>, WebError> {
    let to_web = |e: store::StoreError| WebError::from(service::ServiceError::from(e)).for_api();
    let e = app
        .store
        .enterprise(&uscc)
        .await
        .map_err(to_web)?
        .ok_or_else(|| WebError {
            status: axum::http::StatusCode::NOT_FOUND,
            message: format!("没有企业 {uscc} / no such enterprise"),
            json: true,
        })?;
    let codes: Vec<String> = app.plan.indicators.iter().map(|i| i.code.clone()).collect();
    let months = app
        .store
        .enterprise_months(&uscc, &codes)
        .await
        .map_err(to_web)?;
    let months: Vec<serde_json::Value> = months
        .iter()
        .map(|m| {
            let mut obj = serde_json::Map::new();
            obj.insert("month".into(), m.month.to_string().into());
            for (v, ind) in m.values.iter().zip(&app.plan.indicators) {
                obj.insert(
                    ind.code.clone(),
                    v.map(|v| {
                        domain::Amount {
                            raw: v,
                            decimals: ind.decimals,
                        }
                        .as_f64()
                    })
                    .into(),
                );
            }
            obj.into()
        })
        .collect();
    Ok(Json(
        serde_json::json!({ "enterprise": e, "months": months }),
    ))
}
