//! M8 on the web: the key tasks and safeguards page, its form, and its API.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use domain::Month;
use serde::Deserialize;
use service::App;

use crate::auth::Authed;
use crate::pages::{Nav, month_or_last_finished, months_to_pick, nav};
use crate::{Routes, WebError};

/// The module's routes, wired into the application in one line.
pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/tasks", &["GET"], get(page))
        .route("/tasks/{code}", &["POST"], post(write))
        .route("/api/v1/tasks", &["GET"], get(list))
        .route("/api/v1/tasks/{code}/notes", &["POST"], post(write_api))
}

#[derive(Deserialize, Default)]
pub struct TasksQuery {
    pub month: Option<String>,
    pub saved: Option<String>,
}

pub struct TaskView {
    pub code: String,
    pub kind: &'static str,
    pub name: String,
    pub lead: String,
    pub partners: String,
    pub status: &'static str,
    pub light: &'static str,
    pub notes: Vec<(String, String)>,
    pub writable: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
pub struct TasksPage {
    pub nav: Nav,
    pub month: String,
    pub month_zh: String,
    pub due: String,
    pub months: Vec<(String, String)>,
    pub tasks: Vec<TaskView>,
    pub csrf: String,
    pub saved: Option<String>,
}

async fn page(State(app): State<App>, authed: Authed, Query(q): Query<TasksQuery>) -> Result<TasksPage, WebError> {
    let month = month_or_last_finished(&app, q.month.as_deref())?;
    let lines = app.tasks(&authed.caller, month).await?;
    let org = |code: &str| app.plan.organisation_name(code);
    let months = months_to_pick(&app, month);
    Ok(TasksPage {
        nav: nav(&app, &authed, "tasks"),
        month: month.to_string(),
        month_zh: month.zh(),
        due: lines.first().map(|t| t.due.clone()).unwrap_or_default(),
        months,
        tasks: lines
            .into_iter()
            .map(|line| {
                let t = &line.task;
                let mut partners: Vec<String> = t.partners.iter().map(|p| org(p)).collect();
                if t.zones {
                    partners.push("各组团管委会".into());
                }
                TaskView {
                    kind: if t.kind == "safeguard" { "保障" } else { "任务" },
                    name: t.name.clone(),
                    lead: org(&t.lead),
                    partners: partners.join("、"),
                    status: line.status.zh(),
                    light: match line.status {
                        domain::tasks::NoteStatus::Written => "green",
                        domain::tasks::NoteStatus::Due => "grey",
                        domain::tasks::NoteStatus::Overdue => "red",
                    },
                    code: t.code.to_string(),
                    notes: line.notes.into_iter().map(|n| (org(&n.organisation), n.note)).collect(),
                    writable: line.writable,
                }
            })
            .collect(),
        csrf: authed.session.as_ref().map(|(_, c)| c.clone()).unwrap_or_default(),
        saved: q.saved.map(|_| "已保存 / saved".to_string()),
    })
}

#[derive(Deserialize)]
pub struct NoteForm {
    pub csrf: String,
    pub month: String,
    pub note: String,
}

async fn write(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    Form(f): Form<NoteForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let month = save(&app, &authed, &code, &f.month, &f.note).await?;
    Ok(Redirect::to(&format!("/tasks?month={month}&saved=1")).into_response())
}

/// Saves a note from the page or the API. A note is always for a month said; only reading
/// defaults to the last one.
async fn save(app: &App, authed: &Authed, code: &str, month: &str, note: &str) -> Result<Month, WebError> {
    let month = Month::parse(month).map_err(|e| WebError::bad_request(e.to_string()))?;
    app.write_task_note(&authed.caller, code, month, note).await?;
    Ok(month)
}

async fn list(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<TasksQuery>,
) -> Result<Json<Vec<service::TaskLine>>, WebError> {
    let month = month_or_last_finished(&app, q.month.as_deref())?;
    Ok(Json(app.tasks(&authed.caller, month).await?))
}

#[derive(Deserialize)]
pub struct NoteJson {
    pub month: String,
    pub note: String,
}

async fn write_api(
    State(app): State<App>,
    authed: Authed,
    Path(code): Path<String>,
    Json(body): Json<NoteJson>,
) -> Result<Json<serde_json::Value>, WebError> {
    let month = save(&app, &authed, &code, &body.month, &body.note).await?;
    Ok(Json(serde_json::json!({ "task": code, "month": month.to_string(), "saved": true })))
}
