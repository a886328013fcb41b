//! Headline KPIs entered by their owners on the web: each KPI's owner, latest value, due period
//! and lateness, the owner's form (value, note, evidence), the history, and the same through the
//! API.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use service::{App, KpiReport, ReportedKpi};

use crate::account::china_time;
use crate::auth::Authed;
use crate::pages::{Nav, nav, urlencode};
use crate::upload::receive_form;
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    let limit = || DefaultBodyLimit::max(64 << 20);
    r.route("/kpis", &["GET"], get(page))
        .route("/kpis/{code}", &["POST"], post(report).layer(limit()))
        .route("/kpis/{code}/evidence/{n}", &["GET"], get(evidence))
        .route("/api/v1/kpi-reports", &["GET"], get(list_api))
        .route("/api/v1/kpi-reports/{code}", &["POST"], post(report_api).layer(limit()))
        .route("/api/v1/kpi-reports/{code}/evidence/{n}", &["GET"], get(evidence))
}

pub struct HistoryLine {
    pub n: i64,
    pub period: String,
    pub value: String,
    pub note: String,
    pub by: String,
    pub at: String,
    pub evidence: Option<String>,
}

pub struct KpiRow {
    pub code: String,
    pub name: String,
    pub target: String,
    pub owner: String,
    pub every: &'static str,
    pub latest: String,
    pub due_period: String,
    pub due: String,
    pub status: (&'static str, &'static str),
    pub may_report: bool,
    pub history: Vec<HistoryLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kpis.html")]
pub struct KpisPage {
    pub nav: Nav,
    pub csrf: String,
    pub saved: bool,
    pub rows: Vec<KpiRow>,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

fn row(k: &ReportedKpi) -> KpiRow {
    let cmp = match k.comparison {
        domain::kpi::Comparison::AtLeast => "≥",
        domain::kpi::Comparison::MoreThan => ">",
    };
    KpiRow {
        code: k.code.clone(),
        name: k.name.clone(),
        target: format!("{cmp} {} {}", crate::format::kpi_value(k.target), k.unit),
        owner: k.owner_name.clone(),
        every: k.every.zh(),
        latest: k.latest.as_ref().map_or_else(|| "—".into(), |u| format!("{}({})", crate::format::kpi_value(u.value), u.period)),
        due_period: k.due_period.clone(),
        due: k.due.to_string(),
        status: match (k.reported, k.late) {
            (true, _) => ("green", "已填报"),
            (false, true) => ("red", "逾期未报"),
            (false, false) => ("yellow", "待填报"),
        },
        may_report: k.may_report,
        history: k
            .history
            .iter()
            .map(|u| HistoryLine {
                n: u.n,
                period: u.period.clone(),
                value: crate::format::kpi_value(u.value),
                note: u.note.clone(),
                by: u.by_name.clone(),
                at: china_time(u.at),
                evidence: u.file_name.clone(),
            })
            .collect(),
    }
}

async fn page(
    State(app): State<App>,
    authed: Authed,
    axum::extract::Query(q): axum::extract::Query<SavedQuery>,
) -> Result<KpisPage, WebError> {
    let kpis = app.reported_kpis(&authed.caller).await?;
    Ok(KpisPage {
        nav: nav(&app, &authed, "kpis"),
        csrf: authed.csrf(),
        saved: q.saved.is_some(),
        rows: kpis.iter().map(row).collect(),
    })
}

async fn list_api(State(app): State<App>, authed: Authed) -> Result<Json<Vec<ReportedKpi>>, WebError> {
    Ok(Json(app.reported_kpis(&authed.caller).await?))
}

async fn report(State(app): State<App>, authed: Authed, Path(code): Path<String>, form: Multipart) -> Result<Response, WebError> {
    let mut got = receive_form(form, "evidence", app.plan.services.max_attachment_mb << 20, 1).await?;
    let mut text = |k: &str| got.text.remove(k).unwrap_or_default();
    authed.check_csrf(&text("csrf"))?;
    let report = KpiReport { period: text("period"), value: text("value"), note: text("note"), evidence: got.files.pop() };
    app.report_kpi(&authed.caller, &code, report).await?;
    Ok(Redirect::to(&format!("/kpis?saved=1#kpi-{}", urlencode(&code))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportJson {
    pub period: String,
    pub value: f64,
    #[serde(default)]
    pub note: String,
    pub evidence: Option<crate::tickets::FileJson>,
}

async fn report_api(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    Json(r): Json<ReportJson>,
) -> Result<Json<domain::kpi::KpiUpdate>, WebError> {
    let evidence = r.evidence.map(|f| crate::tickets::decoded(vec![f])).transpose()?.and_then(|mut v| v.pop());
    let report = KpiReport { period: r.period, value: r.value.to_string(), note: r.note, evidence };
    Ok(Json(app.report_kpi(&authed.caller, &code, report).await?))
}

/// An update's evidence: a download of the type it was checked to be.
async fn evidence(State(app): State<App>, authed: Authed, Path((code, n)): Path<(String, i64)>) -> Result<Response, WebError> {
    let (name, content_type, bytes) = app.kpi_evidence(&authed.caller, &code, n).await?;
    let disposition = format!("attachment; filename=\"evidence\"; filename*=UTF-8''{}", urlencode(&name));
    Ok(([(header::CONTENT_TYPE, content_type), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}
