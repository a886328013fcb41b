//! Innovation (创新提升) on the web: platforms and 双创团队, the 三个翻番 and the R&D share of
//! GDP at a month's end; GDP entered per year; the platforms file; and their API.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use domain::Month;
use domain::authz::Action;
use serde::Deserialize;
use service::App;

use crate::auth::Authed;
use crate::cultivation::CultivationQuery;
use crate::pages::{Nav, chosen_month, figures_of, months_to_pick, nav};
use crate::upload::{UPLOAD_LIMIT, receive_body};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/innovation", &["GET"], get(page))
        .route("/innovation/gdp", &["POST"], post(gdp))
        .route("/export/innovation.xlsx", &["GET"], get(workbook))
        .route("/api/v1/innovation", &["GET"], get(api))
        .route("/api/v1/innovation-files", &["POST"], post(import_api).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route("/api/v1/gdp", &["POST"], post(gdp_api))
}

async fn summary(app: &App, authed: &Authed, q: &CultivationQuery) -> Result<(Month, service::InnovationSummary), WebError> {
    let month = chosen_month(app, q.month.as_deref()).await?.unwrap_or_else(|| app.clock.current_month().prev());
    Ok((month, app.innovation(&authed.caller, month, figures_of(q.figures.as_deref())?).await?))
}

fn times(v: f64) -> String {
    format!("{v:.2} 倍")
}

#[derive(Template, WebTemplate)]
#[template(path = "innovation.html")]
pub struct Page {
    pub nav: Nav,
    pub month: String,
    pub months: Vec<(String, String)>,
    pub s: service::InnovationSummary,
    /// (名称, 类别, 级别, 类型, 依托单位, host uscc, 认定, 撤销, 有效)
    pub rows: Vec<[String; 9]>,
    pub doublings: Vec<(&'static str, usize, usize, String)>,
    pub rd: String,
    pub may_enter_gdp: bool,
    pub year: i32,
}

async fn page(State(app): State<App>, authed: Authed, Query(q): Query<CultivationQuery>) -> Result<Page, WebError> {
    let (month, s) = summary(&app, &authed, &q).await?;
    let now = [s.provincial_platforms, s.high_tech as usize, s.teams];
    let names = ["省级以上科创平台", "高新技术企业", "双创团队"];
    let doublings = (0..3)
        .map(|k| {
            let multiple = s.doublings.map_or("—(基期为0)".into(), |(_, m)| times(m[k]));
            (names[k], s.base[k], now[k], multiple)
        })
        .collect();
    let rd = match (s.rd_year, s.rd_wan, s.gdp_yi, s.rd_share_pct) {
        (Some(y), Some(rd), Some(gdp), Some(p)) => {
            format!("{y}年:研发经费 {:.2} 亿元 ÷ 地区生产总值 {gdp:.2} 亿元 = {p:.2}%", rd / 10_000.0)
        }
        (Some(y), _, None, _) => format!("{y}年地区生产总值尚未填报"),
        (Some(y), None, _, _) => format!("{y}年尚无研发经费数据"),
        _ => "—".into(),
    };
    let rows = s
        .records
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.category.zh().to_string(),
                r.level.zh().to_string(),
                r.kind.clone(),
                r.host_name.clone(),
                r.host_uscc.clone().unwrap_or_default(),
                r.recognised_on.to_string(),
                r.revoked_on.map_or(String::new(), |d| d.to_string()),
                if r.active_on(s.day) { "有效".into() } else { String::new() },
            ]
        })
        .collect();
    Ok(Page {
        month: month.to_string(),
        months: months_to_pick(&app, month),
        year: if month.month() == 12 { month.year() } else { month.year() - 1 },
        may_enter_gdp: authed.caller.actor.may(Action::EnterFigures),
        doublings,
        rd,
        rows,
        s,
        nav: nav(&app, &authed, "innovation"),
    })
}

#[derive(Deserialize)]
pub struct GdpForm {
    #[serde(default)]
    pub csrf: String,
    pub year: i32,
    /// 亿元.
    pub value: f64,
    #[serde(default)]
    pub note: String,
}

async fn gdp(State(app): State<App>, authed: Authed, Form(f): Form<GdpForm>) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    app.set_gdp(&authed.caller, f.year, f.value, &f.note).await?;
    Ok(Redirect::to("/innovation#rd").into_response())
}

async fn gdp_api(State(app): State<App>, authed: Authed, Json(f): Json<GdpForm>) -> Result<Json<serde_json::Value>, WebError> {
    app.set_gdp(&authed.caller, f.year, f.value, &f.note).await?;
    Ok(Json(serde_json::json!({ "year": f.year, "gdp_yi": f.value })))
}

async fn api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<CultivationQuery>,
) -> Result<Json<service::InnovationSummary>, WebError> {
    Ok(Json(summary(&app, &authed, &q).await?.1))
}

async fn import_api(
    State(app): State<App>,
    authed: Authed,
    body: axum::body::Body,
) -> Result<Json<service::ImportSummary>, WebError> {
    let upload = receive_body(body, "innovation-upload").await?;
    Ok(Json(app.import_innovation(&authed.caller, &upload.path, &|_, _| {}).await?))
}

/// GET /export/innovation.xlsx: the platforms and teams in the columns the import reads.
async fn workbook(State(app): State<App>, authed: Authed, Query(q): Query<CultivationQuery>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let (_, s) = summary(&app, &authed, &q).await?;
    let columns = files::InnovationColumns::headers()
        .into_iter()
        .map(|h| SheetColumn { header: h.into(), decimals: None, width: 18.0 })
        .collect();
    let text = |t: &str| XCell::Text(t.to_string());
    let rows = s
        .records
        .iter()
        .map(|r| {
            vec![
                text(&r.code),
                text(&r.name),
                text(r.category.zh()),
                text(r.level.zh()),
                text(&r.kind),
                text(r.host_uscc.as_deref().unwrap_or("")),
                text(&r.host_name),
                text(&r.recognised_on.to_string()),
                r.revoked_on.map_or(XCell::Empty, |d| text(&d.to_string())),
                text(&r.note),
            ]
        })
        .collect();
    let sheet = Sheet { name: "科创平台与双创团队".into(), title: None, columns, rows };
    crate::pages::xlsx_response("innovation.xlsx", sheet)
}
