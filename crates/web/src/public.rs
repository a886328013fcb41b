//! `/public`: the plan's progress for everyone, without signing in, when the plan file turns it
//! on (PRODUCT.md §7). Official figures only; cells that could identify an enterprise say so.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::State;
use axum::routing::get;
use domain::Month;
use service::{App, PublicRow};

use crate::format::{industry_name, light, pct, pp, yi, zone_name};
use crate::pages::cockpit::{KpiView, kpi_views};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/public", &["GET"], get(page)).route("/public.json", &["GET"], get(json))
}

/// A row of the public tables: the cell's figures in words and numbers, or why none.
pub struct RowView {
    pub name: String,
    pub suppressed: Option<String>,
    pub ytd: String,
    pub target: String,
    pub attainment: String,
    pub gap: String,
    pub light: &'static str,
    pub word: &'static str,
    pub projected: String,
    pub range: String,
    pub probability: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "public.html")]
pub struct PublicPage {
    pub region: String,
    pub plan_name: String,
    pub month_zh: Option<String>,
    pub indicator_name: String,
    pub time_progress: String,
    pub kpis: Vec<KpiView>,
    pub industries: Vec<RowView>,
    pub zones: Vec<RowView>,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub min_enterprises: u64,
    pub max_share: String,
    /// The chart's data (JSON): industries shown with a target, their attainment, 序时进度 and
    /// projected attainment; empty when there is none to draw.
    pub chart: String,
}

fn row_view(r: &PublicRow, name: String) -> RowView {
    let Some(p) = &r.progress else {
        return RowView {
            name,
            suppressed: r.suppressed.clone(),
            ytd: String::new(),
            target: String::new(),
            attainment: String::new(),
            gap: String::new(),
            light: "grey",
            word: "不予公布",
            projected: String::new(),
            range: String::new(),
            probability: String::new(),
        };
    };
    let (light, word) = light(p.status);
    let f = r.forecast.as_ref();
    RowView {
        name,
        suppressed: None,
        ytd: yi(p.ytd),
        target: yi(p.target),
        attainment: pct(p.attainment_pct),
        gap: pp(p.gap_pp),
        light,
        word,
        projected: yi(f.and_then(|f| f.projected)),
        range: match f.and_then(|f| f.low.zip(f.high)) {
            Some((low, high)) => format!("{} ~ {}", yi(Some(low)), yi(Some(high))),
            None => f.and_then(|f| f.reason).unwrap_or("—").to_string(),
        },
        probability: f.and_then(|f| f.probability).map_or_else(|| "—".to_string(), |p| format!("{:.0}%", p * 100.0)),
    }
}

pub async fn page(State(app): State<App>) -> Result<PublicPage, WebError> {
    let view = app.public_view().await?;
    let month = view.month.as_deref().and_then(|m| Month::parse(m).ok());
    let ind = app.plan.indicator(&view.indicator);
    let time_progress =
        view.industries.iter().find_map(|r| r.progress.as_ref()).map_or_else(String::new, |p| pct(Some(p.time_progress_pct)));
    let settings = &app.plan.public;
    let charted: Vec<&PublicRow> =
        view.industries.iter().filter(|r| r.progress.as_ref().is_some_and(|p| p.attainment_pct.is_some())).collect();
    let chart = if charted.is_empty() {
        String::new()
    } else {
        let round = |v: Option<f64>| v.map(|v| (v * 10.0).round() / 10.0);
        serde_json::json!({
            "names": charted.iter().map(|r| industry_name(&app.plan, &r.industry)).collect::<Vec<_>>(),
            "attainment": charted.iter().map(|r| round(r.progress.as_ref().and_then(|p| p.attainment_pct))).collect::<Vec<_>>(),
            "schedule": charted.first().and_then(|r| r.progress.as_ref()).map(|p| round(Some(p.time_progress_pct))),
            "projected": charted
                .iter()
                .map(|r| round(r.forecast.as_ref().and_then(|f| f.projected.zip(f.target)).map(|(p, t)| p / t * 100.0)))
                .collect::<Vec<_>>(),
        })
        .to_string()
    };
    Ok(PublicPage {
        chart,
        region: app.plan.region.clone(),
        plan_name: app.plan.name.clone(),
        month_zh: month.map(|m| m.zh()),
        indicator_name: ind.map_or(view.indicator.clone(), |i| i.name.clone()),
        time_progress,
        kpis: kpi_views(&app, &view.kpis),
        industries: view.industries.iter().map(|r| row_view(r, industry_name(&app.plan, &r.industry))).collect(),
        zones: view.zones.iter().map(|r| row_view(r, zone_name(&app.plan, &r.zone))).collect(),
        green: view.lights.green,
        yellow: view.lights.yellow,
        red: view.lights.red,
        min_enterprises: settings.min_enterprises,
        max_share: format!("{:.0}%", settings.max_share * 100.0),
    })
}

/// The same as JSON, for the region's own portal.
pub async fn json(State(app): State<App>) -> Result<Json<service::PublicView>, WebError> {
    Ok(Json((*app.public_view().await?).clone()))
}
