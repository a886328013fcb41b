//! The monthly submission board: zones submit their months, the coordinator reviews them.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::Month;
use domain::authz::{Action, Role};
use domain::review::FlagStatus;
use domain::submission::{Step, SubmissionState};
use serde::Deserialize;
use service::{App, BoardCell};

use crate::WebError;
use crate::auth::Authed;
use crate::format::zone_name;
use crate::pages::{Nav, nav};
use crate::upload::{Receiving, safe_name};

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i32>,
    /// Rows just imported, to confirm an upload.
    pub imported: Option<usize>,
}

/// One cell of the board, with the steps this user may take on it.
pub struct BoardView {
    pub month: String,
    pub state: &'static str,
    pub class: &'static str,
    pub late: bool,
    pub reason: String,
    pub deadline: String,
    pub action: String,
    pub steps: Vec<(&'static str, &'static str, bool)>,
    /// The month's kept review flags, where they stand (the tooltip), whether any is still
    /// open, and the page that lists them.
    pub flags: u64,
    pub flag_note: String,
    pub flags_open: bool,
    pub review: String,
}

pub struct BoardRow {
    pub zone: String,
    pub cells: Vec<BoardView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "submissions.html")]
pub struct BoardPage {
    pub nav: Nav,
    pub year: i32,
    pub years: Vec<i32>,
    pub months: Vec<String>,
    pub rows: Vec<BoardRow>,
    pub reminders: Vec<(String, String, String)>,
    pub imported: Option<usize>,
    pub can_upload: bool,
}

/// The year a page shows: the one asked for, within the plan's years up to this one.
pub(crate) fn chosen_year(app: &App, year: Option<i32>) -> i32 {
    let today = app.clock.today();
    year.unwrap_or(today.year).clamp(app.plan.baseline_year, today.year)
}

fn class_of(c: &BoardCell) -> &'static str {
    match c.state {
        SubmissionState::Returned => "yellow",
        _ if c.late => "red",
        SubmissionState::Submitted | SubmissionState::CorrectionRequested => "blue",
        SubmissionState::Approved | SubmissionState::Locked => "green",
        SubmissionState::Draft => "grey",
    }
}

/// The steps a user may offer on a cell: the zone's own steps for its zone, the reviewer's for
/// the coordinator; each says whether it needs a reason.
fn steps_for(authed: &Authed, cell: &BoardCell) -> Vec<(&'static str, &'static str, bool)> {
    let a = authed.actor();
    let own_zone = a.role == Role::Zone && a.scope.as_deref() == Some(cell.zone.as_str());
    let reviewer = a.may(Action::ReviewSubmissions) && !a.operator;
    Step::ALL
        .into_iter()
        .filter(|s| if s.by_zone() { own_zone } else { reviewer })
        .filter(|s| s.apply(cell.state).is_ok())
        .map(|s| (s.code(), s.zh(), s.needs_reason()))
        .collect()
}

/// A month's kept review flags as the board shows them, to the zone itself and its reviewers
/// (who may open them): how many, and where they stand (the tooltip).
fn flags_of(authed: &Authed, cell: &BoardCell) -> (u64, String, bool) {
    let a = authed.actor();
    let readable = (a.role == Role::Zone && a.scope.as_deref() == Some(cell.zone.as_str())) || a.may(Action::ReviewSubmissions);
    let t = cell.flags;
    if !readable || t.total() == 0 {
        return (0, String::new(), false);
    }
    let parts: Vec<String> =
        FlagStatus::ALL.iter().filter(|s| t.count(**s) > 0).map(|s| format!("{} {}", s.zh(), t.count(*s))).collect();
    (t.total(), parts.join("、"), t.total() > t.accepted)
}

pub async fn board(State(app): State<App>, authed: Authed, Query(q): Query<YearQuery>) -> Result<BoardPage, WebError> {
    let today = app.clock.today();
    let year = chosen_year(&app, q.year);
    let cells = app.submission_board(&authed.caller, year).await?;
    let reminders = app
        .reminders(&authed.caller, year)
        .await?
        .into_iter()
        .map(|c| {
            let m = Month::parse(&c.month).map(|m| m.zh()).unwrap_or_default();
            let what = if c.state == SubmissionState::Returned {
                format!("被退回:{}", c.reason)
            } else {
                format!("已过报送期限 {}", c.deadline)
            };
            (m, c.state.zh().to_string(), what)
        })
        .collect();
    let mut months: Vec<String> = Vec::new();
    let mut rows: Vec<BoardRow> = Vec::new();
    for c in &cells {
        let m = Month::parse(&c.month).map(|m| m.zh()).unwrap_or_default();
        if !months.contains(&m) {
            months.push(m.clone());
        }
        let (flags, flag_note, flags_open) = flags_of(&authed, c);
        let name = zone_name(&app.plan, &c.zone);
        if rows.last().is_none_or(|r| r.zone != name) {
            rows.push(BoardRow { zone: name, cells: Vec::new() });
        }
        rows.last_mut().expect("pushed above").cells.push(BoardView {
            month: m,
            state: c.state.zh(),
            class: class_of(c),
            late: c.late,
            reason: c.reason.clone(),
            deadline: c.deadline.clone(),
            action: format!("/submissions/{}/{}", c.zone, c.month),
            steps: steps_for(&authed, c),
            flags,
            flag_note,
            flags_open,
            review: format!("/submissions/{}/{}/review", c.zone, c.month),
        });
    }
    Ok(BoardPage {
        nav: nav(&app, &authed, "submissions"),
        year,
        years: (app.plan.baseline_year..=today.year).rev().collect(),
        months,
        rows,
        reminders,
        imported: q.imported,
        can_upload: authed.actor().may(Action::WriteFacts),
    })
}

#[derive(Deserialize)]
pub struct StepForm {
    pub csrf: String,
    pub step: String,
    #[serde(default)]
    pub reason: String,
}

fn parse_step(month: &str, step: &str) -> Result<(Month, Step), WebError> {
    let month = Month::parse(month).map_err(|e| WebError::bad_request(e.to_string()))?;
    let step = Step::parse(step).ok_or_else(|| WebError::bad_request(format!("未知操作“{step}” / unknown step")))?;
    Ok((month, step))
}

pub async fn step(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let (m, step) = parse_step(&month, &f.step)?;
    match app.submission_step(&authed.caller, &zone, m, step, &f.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/submissions?year={}", m.year())).into_response()),
        // A submission or approval the month's flags stop: the flags, with why, to act on.
        Err(e @ service::ServiceError::Conflict(_)) if matches!(step, Step::Submit | Step::Approve) => {
            crate::review::refused(&app, &authed, &zone, m, e, None).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct StepJson {
    #[serde(default)]
    pub reason: String,
}

/// POST /api/v1/submissions/{zone}/{month}/{step}
pub async fn step_api(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month, step)): Path<(String, String, String)>,
    body: Option<Json<StepJson>>,
) -> Result<Json<serde_json::Value>, WebError> {
    let (m, step) = parse_step(&month, &step)?;
    let reason = body.map(|b| b.0.reason).unwrap_or_default();
    let state = app.submission_step(&authed.caller, &zone, m, step, &reason).await.map_err(WebError::from)?;
    Ok(Json(serde_json::json!({ "zone": zone, "month": m.to_string(), "state": state })))
}

/// GET /api/v1/submissions?year=
pub async fn board_api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> Result<Json<Vec<BoardCell>>, WebError> {
    let year = q.year.unwrap_or(app.clock.today().year);
    Ok(Json(app.submission_board(&authed.caller, year).await.map_err(WebError::from)?))
}

/// POST /submissions/upload: a zone uploads its monthly facts file from the board.
pub async fn upload(State(app): State<App>, authed: Authed, mut form: axum::extract::Multipart) -> Result<Response, WebError> {
    let broke = |e: axum::extract::multipart::MultipartError| WebError::bad_request(format!("上传失败 / upload failed: {e}"));
    let (mut csrf, mut upload) = (String::new(), None);
    while let Some(mut field) = form.next_field().await.map_err(broke)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let mut receiving = Receiving::new(&safe_name(field.file_name(), "upload.csv")).await?;
                while let Some(chunk) = field.chunk().await.map_err(broke)? {
                    receiving.write(&chunk).await?;
                }
                upload = Some(receiving.done().await?);
            }
            _ => {}
        }
    }
    authed.check_csrf(&csrf)?;
    let Some(upload) = upload.filter(|u| u.bytes > 0) else {
        return Err(WebError::bad_request("请选择要上传的文件 / choose a file"));
    };
    let path = &upload.path;
    let summary = app.import_facts(&authed.caller, path, false, &|_, _| {}).await?;
    let year = summary.months.as_ref().and_then(|(a, _)| Month::parse(a).ok()).map_or(app.clock.today().year, |m| m.year());
    Ok(Redirect::to(&format!("/submissions?year={year}&imported={}", summary.rows)).into_response())
}
