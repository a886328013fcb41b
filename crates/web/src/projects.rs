//! M3 on the web: the project library, a project's page (timeline, reports, problems, photos and
//! the forms of who may use them), the monthly dispatch with the zones' report workflow, and
//! their API.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use domain::Month;
use domain::authz::{Action, Role, Target};
use domain::calendar::Date;
use domain::projects::{Light, ProblemStatus, RequirementKind};
use domain::submission::{Step, SubmissionState};
use serde::Deserialize;
use service::{App, ProjectFileKind};

use crate::auth::Authed;
use crate::pages::{Nav, month_or_last_finished, months_to_pick, nav};
use crate::upload::{UPLOAD_LIMIT, receive_body, receive_form};
use crate::{Routes, WebError};

/// The module's routes, wired into the application in one line.
pub(crate) fn routes(r: Routes) -> Routes {
    // A photo is at most 10 MB; the form around it a little more.
    let photo_limit = DefaultBodyLimit::max(files_limit() + 64 * 1024);
    r.route("/projects", &["GET", "POST"], get(library).post(save_form))
        .route("/projects/{code}", &["GET"], get(page))
        .route("/projects/{code}/report", &["POST"], post(report))
        .route("/projects/{code}/problems", &["POST"], post(add_problem))
        .route("/projects/{code}/problems/{id}", &["POST"], post(update_problem))
        .route("/projects/{code}/requirements/{kind}", &["POST"], post(requirement))
        .route("/projects/{code}/photos", &["POST"], post(photo_upload).layer(photo_limit))
        .route("/projects/{code}/photos/{id}", &["GET"], get(photo))
        .route("/dispatch", &["GET"], get(dispatch_page))
        .route("/dispatch/{zone}/{month}", &["POST"], post(dispatch_step))
        .route("/export/dispatch.xlsx", &["GET"], get(dispatch_xlsx))
        .route("/export/bulletin.docx", &["GET"], get(bulletin_docx))
        .route("/export/bulletin.xlsx", &["GET"], get(bulletin_xlsx))
        .route("/api/v1/projects", &["GET", "POST"], get(list_api).post(save_api))
        .route("/export/project-files/{kind}", &["GET"], get(export_file))
        .route("/api/v1/projects/{code}", &["GET"], get(project_api))
        .route("/api/v1/dispatch", &["GET"], get(dispatch_api))
        .route("/api/v1/project-files/{kind}", &["POST"], post(import_api).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
}

fn files_limit() -> usize {
    files::MAX_PHOTO_BYTES
}

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    pub month: Option<String>,
    pub saved: Option<String>,
    pub thumb: Option<String>,
}

fn light_class(l: Option<Light>) -> &'static str {
    match l {
        Some(Light::Green) => "green",
        Some(Light::Yellow) => "yellow",
        Some(Light::Red) => "red",
        None => "grey",
    }
}

fn light_word(l: Option<Light>) -> &'static str {
    l.map_or("—", Light::zh)
}

fn zone_name(app: &App, code: &str) -> String {
    app.plan.zone(code).map_or(code.to_string(), |z| z.name.clone())
}

/// 万元 with its unit, or 亿元 from ten thousand on.
fn amount(wan: f64) -> String {
    if wan.abs() >= 10_000.0 {
        format!("{}亿元", domain::amount::yi_yuan(wan))
    } else {
        format!("{}万元", domain::amount::wan_yuan(wan))
    }
}

fn csrf_of(authed: &Authed) -> String {
    authed.session.as_ref().map(|(_, c)| c.clone()).unwrap_or_default()
}

// ------------------------------------------------------------------ the library

/// The project form, empty (new) or filled (edit), with the plan's choices.
pub struct ProjectForm {
    pub csrf: String,
    pub editing: bool,
    pub open: bool,
    pub code: String,
    pub name: String,
    pub investor: String,
    pub zone: String,
    pub industry: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub total: String,
    pub key: bool,
    pub major: bool,
    pub p300: bool,
    pub planned_start: String,
    pub actual_start: String,
    pub planned_completion: String,
    pub actual_completion: String,
    pub zones: Vec<(String, String)>,
    pub industries: Vec<(String, String)>,
    pub kinds: Vec<&'static str>,
    pub statuses: Vec<&'static str>,
}

impl ProjectForm {
    fn new(app: &App, authed: &Authed, project: Option<&domain::projects::Project>) -> ProjectForm {
        use domain::projects::{ProjectKind, ProjectStatus};
        let actor = authed.actor();
        let m = |v: Option<Month>| v.map(|m| m.to_string()).unwrap_or_default();
        ProjectForm {
            csrf: csrf_of(authed),
            editing: project.is_some(),
            open: false,
            code: project.map(|p| p.code.clone()).unwrap_or_default(),
            name: project.map(|p| p.name.clone()).unwrap_or_default(),
            investor: project.and_then(|p| p.investor_uscc.as_ref()).map(|u| u.to_string()).unwrap_or_default(),
            zone: project.map(|p| p.zone.to_string()).unwrap_or_default(),
            industry: project.map(|p| p.industry.to_string()).unwrap_or_default(),
            kind: project.map_or(ProjectKind::New.zh(), |p| p.kind.zh()),
            status: project.map_or(ProjectStatus::Planning.zh(), |p| p.status.zh()),
            total: project.map(|p| domain::Amount { raw: p.total_investment, decimals: 2 }.to_string()).unwrap_or_default(),
            key: project.is_some_and(|p| p.provincial_key),
            major: project.is_some_and(|p| p.provincial_major),
            p300: project.is_some_and(|p| p.provincial_300),
            planned_start: m(project.and_then(|p| p.planned_start)),
            actual_start: m(project.and_then(|p| p.actual_start)),
            planned_completion: m(project.and_then(|p| p.planned_completion)),
            actual_completion: m(project.and_then(|p| p.actual_completion)),
            // Only the zones the account may put a project in.
            zones: app
                .plan
                .zones
                .iter()
                .filter(|z| actor.authorize(&app.plan, Action::WriteProjects, Target::Zone(&z.code)).is_ok())
                .map(|z| (z.code.to_string(), z.name.clone()))
                .collect(),
            industries: app.plan.industries.iter().map(|i| (i.code.to_string(), i.name.clone())).collect(),
            kinds: ProjectKind::ALL.iter().map(|k| k.zh()).collect(),
            statuses: ProjectStatus::ALL.iter().map(|k| k.zh()).collect(),
        }
    }
}

pub struct LibraryRow {
    pub code: String,
    pub name: String,
    pub zone: String,
    pub industry: String,
    pub kind: &'static str,
    pub total: String,
    pub status: &'static str,
    pub planned_start: String,
    pub actual_start: String,
    pub major: bool,
    pub light: &'static str,
    pub light_word: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "projects.html")]
pub struct LibraryPage {
    pub nav: Nav,
    /// The form to add a project, for those who may.
    pub form: Option<ProjectForm>,
    pub month: String,
    pub month_zh: String,
    pub rows: Vec<LibraryRow>,
    pub majors: usize,
}

async fn library(State(app): State<App>, authed: Authed, Query(q): Query<MonthQuery>) -> Result<LibraryPage, WebError> {
    let month = month_or_last_finished(&app, q.month.as_deref())?;
    let dispatch = app.dispatch(&authed.caller, month).await?;
    let rows: Vec<LibraryRow> = dispatch
        .projects
        .iter()
        .map(|p| {
            let overall = dispatch.lights.iter().find(|l| l.code == p.code).and_then(|l| l.overall);
            LibraryRow {
                code: p.code.clone(),
                name: p.name.clone(),
                zone: zone_name(&app, &p.zone),
                industry: app.plan.industry_label(&p.industry),
                kind: p.kind.zh(),
                total: amount(p.total_investment as f64 / 100.0),
                status: p.status.zh(),
                planned_start: p.planned_start.map(Month::zh).unwrap_or_default(),
                actual_start: p.actual_start.map(Month::zh).unwrap_or_else(|| "未开工".into()),
                major: p.is_major_industrial(&app.plan),
                light: light_class(overall),
                light_word: light_word(overall),
            }
        })
        .collect();
    Ok(LibraryPage {
        form: authed.actor().may(Action::WriteProjects).then(|| ProjectForm::new(&app, &authed, None)),
        nav: nav(&app, &authed, "projects"),
        month: month.to_string(),
        month_zh: month.zh(),
        majors: rows.iter().filter(|r| r.major).count(),
        rows,
    })
}

// ------------------------------------------------------------------ one project

pub struct RequirementView {
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub department: String,
    pub planned: String,
    pub done: String,
    pub overdue: bool,
    pub editable: bool,
}

pub struct ProblemView {
    pub id: i64,
    pub description: String,
    pub department: String,
    pub due: String,
    pub status: &'static str,
    pub resolution: String,
    pub overdue: bool,
    pub editable: bool,
}

/// One stage or requirement on the timeline: planned against actual, as positions along the
/// project's span (percent).
pub struct TimelineItem {
    pub label: String,
    pub planned: String,
    pub actual: String,
    pub planned_at: f64,
    pub actual_at: Option<f64>,
    pub late: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "project.html")]
pub struct ProjectPage {
    pub nav: Nav,
    /// The form to edit the project, for those who may.
    pub form: Option<ProjectForm>,
    pub csrf: String,
    pub month: String,
    pub month_zh: String,
    pub months: Vec<(String, String)>,
    pub code: String,
    pub name: String,
    pub zone: String,
    pub industry: String,
    pub investor: String,
    pub kind: &'static str,
    pub flags: String,
    pub total: String,
    pub status: &'static str,
    pub major: bool,
    pub lights: Vec<(&'static str, &'static str, &'static str)>,
    pub reasons: Vec<String>,
    pub timeline: Vec<TimelineItem>,
    pub reports: Vec<service::ReportRow>,
    pub requirements: Vec<RequirementView>,
    pub problems: Vec<ProblemView>,
    pub photos: Vec<service::PhotoRow>,
    pub may_report: bool,
    /// Whether the zone's reports of the month may still change, and their state in words.
    pub month_open: bool,
    pub month_state: &'static str,
    pub departments: Vec<(String, String)>,
    pub today: String,
    pub saved: Option<String>,
}

async fn page(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<ProjectPage, WebError> {
    let month = month_or_last_finished(&app, q.month.as_deref())?;
    let d = app.project(&authed.caller, &code, month).await?;
    let p = &d.project;
    let actor = authed.actor();
    let own_department = |dept: &str| actor.authorize(&app.plan, Action::ResolveProjectItems, Target::Department(dept)).is_ok();
    let end = domain::projects::last_day(month);
    let mut flags = Vec::new();
    for (on, label) in [(p.provincial_key, "省重点"), (p.provincial_major, "省大中型"), (p.provincial_300, "省“三百”")]
    {
        if on {
            flags.push(label);
        }
    }
    let l = &d.lights;
    let top = app.plan.top_zone(&p.zone).to_string();
    let state = app
        .project_month_states(&authed.caller, month)
        .await?
        .into_iter()
        .find(|(z, _)| *z == top)
        .map_or(SubmissionState::Draft, |(_, s)| s);
    let form = actor
        .authorize(&app.plan, Action::WriteProjects, Target::Zone(&p.zone))
        .is_ok()
        .then(|| ProjectForm::new(&app, &authed, Some(p)));
    Ok(ProjectPage {
        form,
        month_open: state.editable(),
        month_state: state.zh(),
        csrf: csrf_of(&authed),
        month: month.to_string(),
        month_zh: month.zh(),
        months: months_to_pick(&app, month),
        code: p.code.clone(),
        name: p.name.clone(),
        zone: zone_name(&app, &p.zone),
        industry: app.plan.industry_label(&p.industry),
        investor: p.investor_uscc.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        kind: p.kind.zh(),
        flags: flags.join("、"),
        total: amount(p.total_investment as f64 / 100.0),
        status: p.status.zh(),
        major: d.major_industrial,
        lights: vec![
            ("开工", light_class(l.start), light_word(l.start)),
            ("投资", light_class(l.investment), light_word(l.investment)),
            ("要件", light_class(l.requirements), light_word(l.requirements)),
            ("问题", light_class(l.problems), light_word(l.problems)),
            ("综合", light_class(l.overall), light_word(l.overall)),
        ],
        reasons: l.reasons.clone(),
        timeline: timeline(&d),
        requirements: d
            .requirements
            .iter()
            .map(|r| RequirementView {
                kind: r.kind.zh(),
                kind_code: r.kind.code(),
                department: app.plan.organisation_name(&r.department),
                planned: r.planned.to_string(),
                done: r.done.map(|x| x.to_string()).unwrap_or_default(),
                overdue: r.overdue_at(month),
                editable: own_department(&r.department),
            })
            .collect(),
        problems: d
            .problems
            .iter()
            .map(|q| ProblemView {
                id: q.id,
                description: q.description.clone(),
                department: app.plan.organisation_name(&q.department),
                due: q.due.to_string(),
                status: q.status.zh(),
                resolution: q.resolution.clone(),
                overdue: q.due <= end && q.resolved_on.is_none_or(|r| r > end),
                editable: q.status != ProblemStatus::Resolved && own_department(&q.department),
            })
            .collect(),
        may_report: actor.authorize(&app.plan, Action::ReportProjects, Target::Zone(&p.zone)).is_ok(),
        departments: app.plan.departments.iter().map(|x| (x.code.clone(), x.name.clone())).collect(),
        today: app.clock.today().to_string(),
        reports: d.reports.clone(),
        photos: d.photos.clone(),
        saved: q.saved.map(|_| "已保存 / saved".to_string()),
        nav: nav(&app, &authed, "projects"),
    })
}

/// Stages and requirements placed along the span from the first planned date to the last date
/// known, so that planned and actual can be read against each other.
fn timeline(d: &service::ProjectDetail) -> Vec<TimelineItem> {
    let p = &d.project;
    let first_day = |m: Month| Date::new(m.year(), m.month(), 1).expect("a month's first day");
    let mut items: Vec<(String, Date, Option<Date>)> =
        d.requirements.iter().map(|r| (r.kind.zh().to_string(), r.planned, r.done)).collect();
    if let Some(s) = p.planned_start {
        items.push(("开工".into(), first_day(s), p.actual_start.map(first_day)));
    }
    if let Some(c) = p.planned_completion {
        items.push(("竣工".into(), first_day(c), p.actual_completion.map(first_day)));
    }
    items.sort_by_key(|(_, planned, _)| *planned);
    let days = items.iter().flat_map(|(_, a, b)| [Some(a.days()), b.map(Date::days)]).flatten();
    let (lo, hi) = days.fold((i64::MAX, i64::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
    let span = (hi - lo).max(1) as f64;
    let at = |d: Date| ((d.days() - lo) as f64 / span * 100.0 * 10.0).round() / 10.0;
    items
        .into_iter()
        .map(|(label, planned, actual)| TimelineItem {
            label,
            planned: planned.to_string(),
            actual: actual.map(|a| a.to_string()).unwrap_or_else(|| "未完成".into()),
            planned_at: at(planned),
            actual_at: actual.map(at),
            late: actual.is_none_or(|a| a > planned),
        })
        .collect()
}

#[derive(Deserialize)]
pub struct ReportForm {
    pub csrf: String,
    pub month: String,
    pub investment: String,
    #[serde(default)]
    pub note: String,
}

fn parse_month(s: &str) -> Result<Month, WebError> {
    Month::parse(s).map_err(|e| WebError::bad_request(e.to_string()))
}

fn back(code: &str, month: Month) -> Response {
    Redirect::to(&format!("/projects/{code}?month={month}&saved=1")).into_response()
}

async fn report(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    Form(f): Form<ReportForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let month = parse_month(&f.month)?;
    let investment = domain::Amount::parse(&f.investment, domain::projects::AMOUNT_DECIMALS)
        .map_err(|e| WebError::bad_request(format!("本月完成投资:{e}")))?;
    app.report_project_month(&authed.caller, &code, month, investment.raw, &f.note).await?;
    Ok(back(&code, month))
}

#[derive(Deserialize)]
pub struct ProblemForm {
    pub csrf: String,
    pub month: String,
    pub description: String,
    pub department: String,
    pub due: String,
}

async fn add_problem(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    Form(f): Form<ProblemForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let month = parse_month(&f.month)?;
    let due = Date::parse(&f.due).ok_or_else(|| WebError::bad_request("期限应写作 YYYY-MM-DD / the due date is YYYY-MM-DD"))?;
    app.add_problem(&authed.caller, &code, month, &f.description, &f.department, due).await?;
    Ok(back(&code, month))
}

#[derive(Deserialize)]
pub struct ProblemUpdateForm {
    pub csrf: String,
    pub month: String,
    pub status: String,
    #[serde(default)]
    pub resolution: String,
}

async fn update_problem(
    State(app): State<App>,
    authed: Authed,
    Path((code, id)): Path<(String, i64)>,
    Form(f): Form<ProblemUpdateForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let month = parse_month(&f.month)?;
    let status = ProblemStatus::parse(&f.status).ok_or_else(|| WebError::bad_request("未知的问题状态 / unknown status"))?;
    app.update_problem(&authed.caller, id, status, &f.resolution).await?;
    Ok(back(&code, month))
}

#[derive(Deserialize)]
pub struct RequirementForm {
    pub csrf: String,
    pub month: String,
    #[serde(default)]
    pub done: String,
}

async fn requirement(
    State(app): State<App>,
    authed: Authed,
    Path((code, kind)): Path<(String, String)>,
    Form(f): Form<RequirementForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let month = parse_month(&f.month)?;
    let kind = RequirementKind::parse(&kind).ok_or_else(|| WebError::bad_request("未知要件 / unknown requirement"))?;
    let done = match f.done.trim() {
        "" => None,
        d => Some(Date::parse(d).ok_or_else(|| WebError::bad_request("日期应写作 YYYY-MM-DD / dates are YYYY-MM-DD"))?),
    };
    app.set_requirement_done(&authed.caller, &code, kind, done).await?;
    Ok(back(&code, month))
}

/// POST /projects/{code}/photos: one photo of the month, read into memory up to its limit.
async fn photo_upload(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<Response, WebError> {
    let mut got = receive_form(form, "photo", files::MAX_PHOTO_BYTES, 1).await?;
    authed.check_csrf(got.text.get("csrf").map_or("", String::as_str))?;
    let month = parse_month(got.text.get("month").map_or("", String::as_str))?;
    let Some(service::Upload { file_name: name, bytes }) = got.files.pop() else {
        return Err(WebError::bad_request("请选择照片 / choose a photo"));
    };
    app.add_photo(&authed.caller, &code, month, &name, bytes).await?;
    Ok(back(&code, month))
}

/// A photo or its thumbnail, to those who may see the project; never rendered as anything but
/// the image type it was checked to be.
async fn photo(
    State(app): State<App>,
    authed: Authed,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    let (photo_code, content_type, bytes) = app.photo(&authed.caller, id, q.thumb.is_some()).await?;
    if photo_code != code {
        return Err(WebError {
            status: axum::http::StatusCode::NOT_FOUND, message: format!("没有照片 {id} / no such photo")
        });
    }
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
            (header::CONTENT_DISPOSITION, "inline".to_string()),
        ],
        bytes,
    )
        .into_response())
}

// ------------------------------------------------------------------ the dispatch

pub struct DispatchRow {
    pub code: String,
    pub name: String,
    pub zone: String,
    pub lights: Vec<(&'static str, &'static str)>,
    pub overall: &'static str,
    pub gap: String,
    pub reasons: Vec<String>,
}

pub struct ZoneRow {
    pub code: String,
    pub name: String,
    pub projects: usize,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
    pub state: &'static str,
    pub steps: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "dispatch.html")]
pub struct DispatchPage {
    pub nav: Nav,
    pub csrf: String,
    pub month: String,
    pub month_zh: String,
    pub months: Vec<(String, String)>,
    pub rows: Vec<DispatchRow>,
    pub zones: Vec<ZoneRow>,
    pub problems: Vec<service::DepartmentProblems>,
    pub major_started: usize,
    pub major_target: String,
    pub investment: String,
    pub investment_target: String,
    pub investment_pct: String,
    pub time_pct: String,
    pub saved: Option<String>,
    /// Finished quarters for the bulletin, newest first, when the account may have it.
    pub quarters: Vec<(String, String)>,
}

async fn dispatch_page(State(app): State<App>, authed: Authed, Query(q): Query<MonthQuery>) -> Result<DispatchPage, WebError> {
    let month = month_or_last_finished(&app, q.month.as_deref())?;
    let d = app.dispatch(&authed.caller, month).await?;
    let states = app.project_month_states(&authed.caller, month).await?;
    let actor = authed.actor();
    let reviewer = actor.may(Action::ReviewSubmissions);
    let zones = d
        .by_zone
        .iter()
        .map(|c| {
            let state = states.iter().find(|(z, _)| *z == c.zone).map_or(SubmissionState::Draft, |(_, s)| *s);
            let own = actor.role == Role::Zone && actor.scope.as_deref() == Some(c.zone.as_str());
            let steps = Step::ALL
                .iter()
                .filter(|s| s.apply(state).is_ok() && if s.by_zone() { own } else { reviewer })
                .map(|s| (s.code(), s.zh(), s.needs_reason()))
                .collect();
            ZoneRow {
                code: c.zone.to_string(),
                name: zone_name(&app, &c.zone),
                projects: c.projects,
                red: c.red,
                yellow: c.yellow,
                green: c.green,
                state: state.zh(),
                steps,
            }
        })
        .collect();
    let pct = |a: f64, b: Option<f64>| b.filter(|b| *b > 0.0).map_or("—".into(), |b| format!("{:.1}%", a / b * 100.0));
    Ok(DispatchPage {
        csrf: csrf_of(&authed),
        month: month.to_string(),
        month_zh: month.zh(),
        months: months_to_pick(&app, month),
        rows: d
            .lights
            .iter()
            .map(|l| DispatchRow {
                code: l.code.clone(),
                name: d.name_of(&l.code),
                zone: zone_name(&app, &l.zone),
                lights: [l.start, l.investment, l.requirements, l.problems]
                    .into_iter()
                    .map(|x| (light_class(x), light_word(x)))
                    .collect(),
                overall: light_class(l.overall),
                gap: l.gap_pp.map_or("—".into(), |g| format!("{g:.1}")),
                reasons: l.reasons.clone(),
            })
            .collect(),
        zones,
        problems: d.open_problems.clone(),
        major_started: d.major_started,
        major_target: d.major_target.map_or("—".into(), |t| format!("{t}")),
        investment: amount(d.investment_ytd_wan),
        investment_target: d.investment_target_wan.map_or("—".into(), amount),
        investment_pct: pct(d.investment_ytd_wan, d.investment_target_wan),
        time_pct: format!("{:.1}%", d.time_progress_pct),
        saved: q.saved.map(|_| "已办理 / done".to_string()),
        quarters: if actor.authorize(&app.plan, Action::ReadProjects, Target::Region).is_ok() {
            finished_quarters(&app)
        } else {
            Vec::new()
        },
        nav: nav(&app, &authed, "dispatch"),
    })
}

/// The dispatch as a workbook: every project's lights with reasons, the zones, open problems.
async fn dispatch_xlsx(State(app): State<App>, authed: Authed, Query(q): Query<MonthQuery>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let month = month_or_last_finished(&app, q.month.as_deref())?;
    let d = app.dispatch(&authed.caller, month).await?;
    let col = |h: &str, decimals: Option<u32>, width: f64| SheetColumn { header: h.into(), decimals, width };
    let text = |s: String| XCell::Text(s);
    let word = |l: Option<Light>| XCell::Text(light_word(l).to_string());
    let lights = Sheet {
        name: "项目调度灯".into(),
        title: Some(format!("{} {}重大项目月调度(数据截至{})", app.plan.region, month.zh(), domain::projects::last_day(month))),
        columns: vec![
            col("项目编号", None, 14.0),
            col("项目名称", None, 28.0),
            col("组团", None, 10.0),
            col("开工", None, 6.0),
            col("投资", None, 6.0),
            col("要件", None, 6.0),
            col("问题", None, 6.0),
            col("综合", None, 6.0),
            col("进度差(百分点)", Some(1), 12.0),
            col("原因", None, 90.0),
        ],
        rows: d
            .lights
            .iter()
            .map(|l| {
                vec![
                    text(l.code.clone()),
                    text(d.name_of(&l.code)),
                    text(zone_name(&app, &l.zone)),
                    word(l.start),
                    word(l.investment),
                    word(l.requirements),
                    word(l.problems),
                    word(l.overall),
                    l.gap_pp.map_or(XCell::Empty, XCell::Number),
                    text(l.reasons.join(";")),
                ]
            })
            .collect(),
    };
    let zones = Sheet {
        name: "各组团".into(),
        title: Some(format!("{}各组团项目调度情况", month.zh())),
        columns: vec![
            col("组团", None, 12.0),
            col("项目", Some(0), 8.0),
            col("红灯", Some(0), 8.0),
            col("黄灯", Some(0), 8.0),
            col("绿灯", Some(0), 8.0),
        ],
        rows: d
            .by_zone
            .iter()
            .map(|z| {
                vec![
                    text(zone_name(&app, &z.zone)),
                    XCell::Number(z.projects as f64),
                    XCell::Number(z.red as f64),
                    XCell::Number(z.yellow as f64),
                    XCell::Number(z.green as f64),
                ]
            })
            .collect(),
    };
    let problems = Sheet {
        name: "待解决问题".into(),
        title: Some(format!("截至{}待解决问题(按责任部门)", domain::projects::last_day(month))),
        columns: vec![
            col("责任部门", None, 18.0),
            col("项目编号", None, 14.0),
            col("问题", None, 40.0),
            col("期限", None, 12.0),
            col("是否逾期", None, 8.0),
        ],
        rows: d
            .open_problems
            .iter()
            .flat_map(|dept| {
                dept.problems.iter().map(move |q| {
                    vec![
                        XCell::Text(dept.name.clone()),
                        XCell::Text(q.project.clone()),
                        XCell::Text(q.description.clone()),
                        XCell::Text(q.due.to_string()),
                        XCell::Text(if q.overdue { "逾期" } else { "" }.to_string()),
                    ]
                })
            })
            .collect(),
    };
    crate::pages::workbook_response(&format!("dispatch-{month}.xlsx"), &[lights, zones, problems])
}

#[derive(Deserialize)]
pub struct QuarterQuery {
    pub quarter: String,
}

async fn bulletin_of(app: &App, authed: &Authed, quarter: &str) -> Result<(service::Quarter, files::Report), WebError> {
    let q = service::Quarter::parse(quarter).ok_or_else(|| {
        WebError::bad_request(format!("季度“{}”应写作 2022Q3 / write the quarter as 2022Q3", domain::shorten(quarter)))
    })?;
    Ok((q, app.bulletin(&authed.caller, q).await?))
}

/// The quarterly bulletin as a DOCX.
async fn bulletin_docx(State(app): State<App>, authed: Authed, Query(q): Query<QuarterQuery>) -> Result<Response, WebError> {
    let (quarter, report) = bulletin_of(&app, &authed, &q.quarter).await?;
    let bytes = files::write_docx(&report).map_err(WebError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"bulletin-{quarter}.docx\"")),
        ],
        bytes,
    )
        .into_response())
}

/// Every table of the quarterly bulletin as an XLSX.
async fn bulletin_xlsx(State(app): State<App>, authed: Authed, Query(q): Query<QuarterQuery>) -> Result<Response, WebError> {
    let (quarter, report) = bulletin_of(&app, &authed, &q.quarter).await?;
    crate::pages::workbook_response(&format!("bulletin-{quarter}.xlsx"), &files::report_sheets(&report))
}

#[derive(Deserialize)]
pub struct StepForm {
    pub csrf: String,
    pub step: String,
    #[serde(default)]
    pub reason: String,
}

async fn dispatch_step(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let month = parse_month(&month)?;
    let step = Step::parse(&f.step).ok_or_else(|| WebError::bad_request("未知的操作 / unknown step"))?;
    app.project_month_step(&authed.caller, &zone, month, step, &f.reason).await?;
    Ok(Redirect::to(&format!("/dispatch?month={month}&saved=1")).into_response())
}

/// The quarters of the plan's years that have ended, newest first.
fn finished_quarters(app: &App) -> Vec<(String, String)> {
    let now = app.clock.current_month();
    let first = app.plan.baseline_year;
    let mut out = Vec::new();
    for year in (first..=now.year()).rev() {
        for q in (1..=4).rev() {
            let quarter = service::Quarter { year, q };
            if quarter.last_month() < now {
                out.push((quarter.to_string(), format!("{year}年第{q}季度")));
            }
        }
    }
    out
}

// ------------------------------------------------------------------ the API

async fn list_api(State(app): State<App>, authed: Authed) -> Result<Json<Vec<domain::projects::Project>>, WebError> {
    Ok(Json(app.projects(&authed.caller).await?))
}

async fn project_api(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Json<service::ProjectDetail>, WebError> {
    let month = month_or_last_finished(&app, q.month.as_deref())?;
    Ok(Json(app.project(&authed.caller, &code, month).await?))
}

async fn dispatch_api(
    State(app): State<App>,
    axum::Extension(memos): axum::Extension<std::sync::Arc<crate::memo::Memos>>,
    authed: Authed,
    Query(q): Query<MonthQuery>,
) -> Result<Response, WebError> {
    let month = month_or_last_finished(&app, q.month.as_deref())?;
    Ok(memos.dispatch.respond(&app.dispatch(&authed.caller, month).await?))
}

/// POST /api/v1/project-files/{kind}: one of the four project files as the body.
async fn import_api(
    State(app): State<App>,
    authed: Authed,
    Path(kind): Path<String>,
    body: axum::body::Body,
) -> Result<Json<service::ImportSummary>, WebError> {
    let kind = match ProjectFileKind::from_code(&kind) {
        Some(kind) => kind,
        None => {
            return Err(WebError {
                status: axum::http::StatusCode::NOT_FOUND,
                message: "文件类型应为 projects、project-plans、project-reports 或 requirements / unknown file kind".into(),
            });
        }
    };
    let upload = receive_body(body, "project-upload").await?;
    Ok(Json(app.import_project_file(&authed.caller, kind, &upload.path, &|_, _| {}).await?))
}

// ------------------------------------------------------------------ create and edit, export

/// A project as a form or a JSON body gives it: codes or Chinese names, amounts in 万元, months as
/// in the files.
#[derive(Deserialize)]
pub struct ProjectInput {
    #[serde(default)]
    pub csrf: String,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub investor_uscc: Option<String>,
    pub zone: String,
    pub industry: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub provincial_key: Option<String>,
    #[serde(default)]
    pub provincial_major: Option<String>,
    #[serde(default)]
    pub provincial_300: Option<String>,
    pub total_investment: String,
    pub status: String,
    #[serde(default)]
    pub planned_start: Option<String>,
    #[serde(default)]
    pub actual_start: Option<String>,
    #[serde(default)]
    pub planned_completion: Option<String>,
    #[serde(default)]
    pub actual_completion: Option<String>,
}

impl ProjectInput {
    /// The project, or a 400 naming the field and why.
    fn project(&self, app: &App) -> Result<domain::projects::Project, WebError> {
        use domain::projects::{ProjectKind, ProjectStatus};
        let bad = |field: &str, why: String| WebError::bad_request(format!("{field}:{why}"));
        let month = |field: &str, v: &Option<String>| -> Result<Option<Month>, WebError> {
            match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => Month::parse(s).map(Some).map_err(|e| bad(field, e.to_string())),
            }
        };
        // 是 or 否 (a ticked box sends 是, an unticked one nothing).
        let yes = |field: &str, v: &Option<String>| match v.as_deref().map(str::trim) {
            None | Some("" | "否") => Ok(false),
            Some("是") => Ok(true),
            Some(other) => Err(bad(field, format!("应为“是”或“否”,不是“{}” / must be 是 or 否", domain::shorten(other)))),
        };
        let investor = match self.investor_uscc.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(u) => Some(domain::Uscc::parse(u).map_err(|e| bad("投资主体统一社会信用代码", e.to_string()))?),
        };
        Ok(domain::projects::Project {
            code: self.code.trim().to_string(),
            name: match self.name.trim() {
                "" => return Err(bad("项目名称", "不能为空 / required".into())),
                // Refused, never cut: nothing entered is silently lost.
                _ if self.name.chars().count() > 200 => {
                    return Err(bad("项目名称", "超过200字 / longer than 200 characters".into()));
                }
                n => n.to_string(),
            },
            investor_uscc: investor,
            zone: app
                .plan
                .resolve_zone(&self.zone)
                .map(|z| z.code.clone())
                .ok_or_else(|| bad("组团", "未知组团 / unknown zone".into()))?,
            industry: app
                .plan
                .resolve_industry(&self.industry)
                .map(|i| i.code.clone())
                .ok_or_else(|| bad("产业", "未知产业 / unknown industry".into()))?,
            kind: ProjectKind::parse(&self.kind).ok_or_else(|| bad("类型", "应为 新建、扩建 或 技改".into()))?,
            provincial_key: yes("省重点", &self.provincial_key)?,
            provincial_major: yes("省大中型", &self.provincial_major)?,
            provincial_300: yes("省“三百”", &self.provincial_300)?,
            total_investment: domain::Amount::parse(&self.total_investment, domain::projects::AMOUNT_DECIMALS)
                .map_err(|e| bad("总投资(万元)", e.to_string()))?
                .raw,
            status: ProjectStatus::parse(&self.status)
                .ok_or_else(|| bad("状态", "应为 谋划、签约、前期、在建、竣工 或 投产".into()))?,
            planned_start: month("计划开工", &self.planned_start)?,
            actual_start: month("实际开工", &self.actual_start)?,
            planned_completion: month("计划竣工", &self.planned_completion)?,
            actual_completion: month("实际竣工", &self.actual_completion)?,
        })
    }
}

/// POST /projects: the library's form adds or edits a project.
async fn save_form(State(app): State<App>, authed: Authed, Form(f): Form<ProjectInput>) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let project = f.project(&app)?;
    app.save_project(&authed.caller, &project).await?;
    Ok(Redirect::to(&format!("/projects/{}?saved=1", project.code)).into_response())
}

/// POST /api/v1/projects: one project as JSON, added or replacing the stored one.
async fn save_api(
    State(app): State<App>,
    authed: Authed,
    Json(body): Json<ProjectInput>,
) -> Result<Json<domain::projects::Project>, WebError> {
    let project = body.project(&app)?;
    app.save_project(&authed.caller, &project).await?;
    Ok(Json(project))
}

/// GET /export/project-files/{kind}: one of the four files as the caller may see it, in the
/// columns the import reads, so that it can be edited and imported again.
async fn export_file(State(app): State<App>, authed: Authed, Path(kind): Path<String>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let csv = kind.ends_with(".csv");
    let name = kind.trim_end_matches(".xlsx").trim_end_matches(".csv");
    let kind_of = ProjectFileKind::from_code(name).ok_or_else(|| WebError {
        status: axum::http::StatusCode::NOT_FOUND,
        message: "文件类型应为 projects、project-plans、project-reports 或 requirements / unknown file kind".into(),
    })?;
    let f = app.project_files(&authed.caller).await?;
    let t = |s: &str| XCell::Text(s.to_string());
    let money = |v: i64| XCell::Number(v as f64 / 100.0);
    let month = |m: Option<Month>| m.map_or(XCell::Empty, |m| XCell::Text(m.to_string()));
    let yes = |b: bool| t(if b { "是" } else { "否" });
    let rows: Vec<Vec<XCell>> = match kind_of {
        ProjectFileKind::Projects => f
            .projects
            .iter()
            .map(|p| {
                vec![
                    t(&p.code),
                    t(&p.name),
                    p.investor_uscc.as_ref().map_or(XCell::Empty, |u| t(u.as_str())),
                    t(p.zone.as_str()),
                    t(p.industry.as_str()),
                    t(p.kind.zh()),
                    yes(p.provincial_key),
                    yes(p.provincial_major),
                    yes(p.provincial_300),
                    money(p.total_investment),
                    t(p.status.zh()),
                    month(p.planned_start),
                    month(p.actual_start),
                    month(p.planned_completion),
                    month(p.actual_completion),
                ]
            })
            .collect(),
        ProjectFileKind::Plans => {
            f.plans.iter().map(|l| vec![t(&l.code), XCell::Number(f64::from(l.year)), money(l.planned)]).collect()
        }
        ProjectFileKind::Reports => f
            .reports
            .iter()
            .map(|l| vec![t(&l.code), t(&l.month.to_string()), money(l.investment), t(&l.progress_note)])
            .collect(),
        ProjectFileKind::Requirements => f
            .requirements
            .iter()
            .map(|(code, r)| {
                vec![
                    t(code),
                    t(r.kind.zh()),
                    t(&r.department),
                    t(&r.planned.to_string()),
                    r.done.map_or(XCell::Empty, |d| t(&d.to_string())),
                ]
            })
            .collect(),
    };
    let money_columns = ["总投资(万元)", "计划投资(万元)", "本月完成投资(万元)"];
    let columns = kind_of
        .headers()
        .into_iter()
        .map(|h| SheetColumn { header: h.to_string(), decimals: money_columns.contains(&h).then_some(2), width: 16.0 })
        .collect();
    let sheet = Sheet { name: "数据".into(), title: None, columns, rows };
    if csv {
        let bytes = files::write_csv(&sheet).map_err(WebError::internal)?;
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.csv\"")),
            ],
            bytes,
        )
            .into_response());
    }
    crate::pages::xlsx_response(&format!("{name}.xlsx"), sheet)
}
