//! M4 and the annual assessment on the web: the investment-attraction pipeline with its "152"
//! tally, turning a signed lead into a project, the zones' yearly ranking, and their API.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use domain::authz::{Action, Target};
use domain::leads::{Stage, TARGET_FLAGS, Tally};
use serde::Deserialize;
use service::App;

use crate::auth::Authed;
use crate::pages::{Nav, nav};
use crate::upload::{UPLOAD_LIMIT, receive_body};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/leads", &["GET"], get(page))
        .route("/leads/{code}/convert", &["POST"], post(convert))
        .route("/api/v1/leads", &["GET"], get(pipeline_api))
        .route("/api/v1/lead-files", &["POST"], post(import_api).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route("/assessment", &["GET"], get(assessment_page))
        .route("/export/assessment.xlsx", &["GET"], get(assessment_xlsx))
        .route("/api/v1/assessment", &["GET"], get(assessment_api))
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i32>,
    pub saved: Option<String>,
}

fn year_of(app: &App, year: Option<i32>) -> Result<i32, WebError> {
    match year {
        Some(y) if (1900..=9999).contains(&y) => Ok(y),
        Some(y) => Err(WebError::bad_request(format!("年份 {y} 不正确 / bad year"))),
        None => Ok(app.clock.today().year),
    }
}

pub struct TallyRow {
    pub name: String,
    pub tiers: Vec<(String, bool)>,
    pub met: bool,
}

fn tally_row(name: String, t: &Tally) -> TallyRow {
    TallyRow {
        name,
        tiers: t
            .tiers
            .iter()
            .map(|x| (format!("超{}亿 {} / {}", x.at_least_wan / 10_000, x.signed, x.required), x.met))
            .collect(),
        met: t.met,
    }
}

pub struct LeadCard {
    pub code: String,
    pub name: String,
    pub investor: String,
    pub amount: String,
    pub zone: String,
    pub source: String,
    pub flags: String,
    pub owner: String,
    pub dates: String,
    pub project: String,
    pub convertible: bool,
}

pub struct StageColumn {
    pub name: &'static str,
    pub count: usize,
    pub amount: String,
    pub leads: Vec<LeadCard>,
}

#[derive(Template, WebTemplate)]
#[template(path = "leads.html")]
pub struct LeadsPage {
    pub nav: Nav,
    pub csrf: String,
    pub year: i32,
    pub years: Vec<i32>,
    pub tier_heads: Vec<String>,
    pub tallies: Vec<TallyRow>,
    pub zone_heads: Vec<String>,
    pub signed: usize,
    pub started: usize,
    pub started_pct: String,
    pub funds_pct: String,
    pub stages: Vec<StageColumn>,
    pub saved: Option<String>,
}

async fn page(State(app): State<App>, authed: Authed, Query(q): Query<YearQuery>) -> Result<LeadsPage, WebError> {
    let year = year_of(&app, q.year)?;
    let p = app.pipeline(&authed.caller, year).await?;
    let actor = authed.actor();
    let zone_name = |z: &str| app.plan.zone(z).map_or(z.to_string(), |x| x.name.clone());
    let yi = |hundredths: i64| format!("{}亿元", domain::amount::yi_yuan(hundredths as f64 / 100.0));
    let pct = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.1}%"));
    let mut tallies = vec![tally_row("全区".into(), &p.region)];
    tallies.extend(p.zones.iter().map(|z| tally_row(zone_name(&z.zone), &z.tally)));
    let stages = Stage::ALL
        .iter()
        .zip(&p.stages)
        .map(|(s, c)| StageColumn {
            name: c.name,
            count: c.count,
            amount: format!("{}亿元", domain::amount::yi_yuan(c.amount)),
            leads: p
                .leads
                .iter()
                .filter(|l| l.stage == *s)
                .map(|l| LeadCard {
                    code: l.code.clone(),
                    name: l.name.clone(),
                    investor: l.investor.clone(),
                    amount: yi(l.amount),
                    zone: zone_name(&l.zone),
                    source: l.source.clone(),
                    flags: l
                        .flags
                        .iter()
                        .filter_map(|f| TARGET_FLAGS.iter().find(|(c, _)| c == f).map(|(_, zh)| *zh))
                        .collect::<Vec<_>>()
                        .join("、"),
                    owner: app.plan.organisation_name(&l.owner),
                    dates: l.dates.iter().map(|(s, d)| format!("{}{}", s.zh(), d)).collect::<Vec<_>>().join(" · "),
                    project: l.project.clone().unwrap_or_default(),
                    convertible: l.stage >= Stage::Signed
                        && l.project.is_none()
                        && actor.authorize(&app.plan, Action::WriteProjects, Target::Zone(&l.zone)).is_ok()
                        && (actor.authorize(&app.plan, Action::WriteLeads, Target::Department(&l.owner)).is_ok()
                            || actor.authorize(&app.plan, Action::WriteLeads, Target::Zone(&l.zone)).is_ok()),
                })
                .collect(),
        })
        .collect();
    let this_year = app.clock.today().year;
    Ok(LeadsPage {
        csrf: authed.session.as_ref().map(|(_, c)| c.clone()).unwrap_or_default(),
        year,
        years: (app.plan.baseline_year..=this_year.max(year)).rev().collect(),
        tier_heads: app.plan.leads.region.tiers.iter().map(|(w, _)| format!("超{}亿", w / 10_000)).collect(),
        zone_heads: app.plan.leads.zone.tiers.iter().map(|(w, _)| format!("超{}亿", w / 10_000)).collect(),
        tallies,
        signed: p.signed,
        started: p.signed_started,
        started_pct: pct(p.signed_to_started_pct),
        funds_pct: pct(p.funds_in_place_pct),
        stages,
        saved: q.saved.map(|p| format!("已转为项目 {p} / converted")),
        nav: nav(&app, &authed, "leads"),
    })
}

#[derive(Deserialize)]
pub struct ConvertForm {
    pub csrf: String,
    pub project: String,
    pub year: Option<i32>,
}

async fn convert(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    Form(f): Form<ConvertForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let project = app.convert_lead(&authed.caller, &code, f.project.trim()).await?;
    let year = year_of(&app, f.year)?;
    Ok(Redirect::to(&format!("/leads?year={year}&saved={}", project.code)).into_response())
}

async fn pipeline_api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> Result<Json<service::Pipeline>, WebError> {
    let year = year_of(&app, q.year)?;
    Ok(Json(app.pipeline(&authed.caller, year).await?))
}

async fn import_api(
    State(app): State<App>,
    authed: Authed,
    body: axum::body::Body,
) -> Result<Json<service::ImportSummary>, WebError> {
    let upload = receive_body(body, "leads-upload").await?;
    Ok(Json(app.import_leads(&authed.caller, &upload.path, &|_, _| {}).await?))
}

// ------------------------------------------------------------------ the annual assessment

pub struct AssessedZone {
    pub rank: usize,
    pub name: String,
    pub total: String,
    pub lines: Vec<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "assessment.html")]
pub struct AssessmentPage {
    pub nav: Nav,
    pub year: i32,
    pub years: Vec<i32>,
    pub heads: Vec<(String, String)>,
    pub zones: Vec<AssessedZone>,
}

/// The plan years that can be assessed, newest first.
fn assessable(app: &App) -> Vec<i32> {
    app.plan.years.iter().rev().copied().collect()
}

fn assessment_year(app: &App, year: Option<i32>) -> i32 {
    year.unwrap_or_else(|| {
        let last_finished = app.clock.today().year - 1;
        app.plan.years.iter().copied().filter(|y| *y <= last_finished).max().unwrap_or(app.plan.baseline_year + 1)
    })
}

pub(crate) async fn assessment_page(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> Result<AssessmentPage, WebError> {
    let year = assessment_year(&app, q.year);
    let scores = app.assess(&authed.caller, year).await?;
    Ok(AssessmentPage {
        year,
        years: assessable(&app),
        heads: app.plan.assessment.indicators.iter().map(|i| (i.name.clone(), format!("{}", i.weight))).collect(),
        zones: scores
            .iter()
            .map(|z| AssessedZone {
                rank: z.rank,
                name: app.plan.zone(&z.zone).map_or(z.zone.to_string(), |x| x.name.clone()),
                total: format!("{:.2}", z.total),
                lines: z.lines.iter().map(|l| (l.name.clone(), format!("{:.2}", l.score), l.how.clone())).collect(),
            })
            .collect(),
        nav: nav(&app, &authed, "assessment"),
    })
}

pub(crate) async fn assessment_xlsx(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let year = assessment_year(&app, q.year);
    let scores = app.assess(&authed.caller, year).await?;
    let mut columns = vec![
        SheetColumn { header: "名次".into(), decimals: Some(0), width: 6.0 },
        SheetColumn { header: "组团".into(), decimals: None, width: 12.0 },
        SheetColumn { header: "总分".into(), decimals: Some(2), width: 8.0 },
    ];
    for i in &app.plan.assessment.indicators {
        columns.push(SheetColumn { header: format!("{}(权重{})", i.name, i.weight), decimals: Some(2), width: 14.0 });
        columns.push(SheetColumn { header: format!("{} 计算过程", i.name), decimals: None, width: 60.0 });
    }
    let rows = scores
        .iter()
        .map(|z| {
            let mut row = vec![
                XCell::Number(z.rank as f64),
                XCell::Text(app.plan.zone(&z.zone).map_or(z.zone.to_string(), |x| x.name.clone())),
                XCell::Number(z.total),
            ];
            for l in &z.lines {
                row.push(XCell::Number(l.score));
                row.push(XCell::Text(l.how.clone()));
            }
            row
        })
        .collect();
    let sheet =
        Sheet {
            name: "组团考核".into(), title: Some(format!("{} {year}年度组团考核排名", app.plan.region)), columns, rows
        };
    crate::pages::xlsx_response(&format!("assessment-{year}.xlsx"), sheet)
}

pub(crate) async fn assessment_api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<domain::assessment::ZoneScore>>, WebError> {
    let year = assessment_year(&app, q.year);
    Ok(Json(app.assess(&authed.caller, year).await?))
}
