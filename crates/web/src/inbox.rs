//! The inbox on the web: the account's messages, opened (and so read) one by one or all marked
//! read, and the same through the API.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use domain::inbox::Message;
use serde::Deserialize;
use service::App;

use crate::account::china_time;
use crate::auth::Authed;
use crate::pages::{Nav, nav};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/inbox", &["GET"], get(page))
        .route("/inbox/open", &["POST"], post(open))
        .route("/inbox/read", &["POST"], post(read_all))
        .route("/api/v1/inbox", &["GET"], get(list_api))
        .route("/api/v1/inbox/read", &["POST"], post(read_api))
}

pub struct Line {
    pub key: String,
    pub kind: &'static str,
    pub title: String,
    pub at: String,
    pub read: bool,
    pub link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inbox.html")]
pub struct InboxPage {
    pub nav: Nav,
    pub csrf: String,
    pub unread: i64,
    pub lines: Vec<Line>,
}

async fn page(State(app): State<App>, authed: Authed) -> Result<InboxPage, WebError> {
    let (messages, unread) = app.inbox(&authed.caller).await?;
    let lines = messages
        .into_iter()
        .map(|m| Line { key: m.key, kind: m.kind.zh(), title: m.title, at: china_time(m.at), read: m.read, link: m.link })
        .collect();
    Ok(InboxPage { nav: nav(&app, &authed, "inbox"), csrf: authed.csrf(), unread, lines })
}

#[derive(Deserialize)]
pub struct OpenForm {
    pub csrf: String,
    pub key: String,
}

/// Marks one message read and goes where it leads (a page of this site only).
async fn open(State(app): State<App>, authed: Authed, Form(f): Form<OpenForm>) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let (messages, _) = app.inbox(&authed.caller).await?;
    let Some(m) = messages.into_iter().find(|m| m.key == f.key) else {
        return Err(WebError::not_found("没有这条消息 / no such message"));
    };
    app.mark_read(&authed.caller, Some(vec![m.key])).await?;
    let site_path = m.link.starts_with('/') && !m.link.starts_with("//") && !m.link.contains('\\');
    Ok(Redirect::to(if site_path { &m.link } else { "/inbox" }).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

async fn read_all(State(app): State<App>, authed: Authed, Form(f): Form<CsrfForm>) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    app.mark_read(&authed.caller, None).await?;
    Ok(Redirect::to("/inbox").into_response())
}

#[derive(serde::Serialize)]
pub struct InboxJson {
    pub unread: i64,
    pub messages: Vec<Message>,
}

async fn list_api(State(app): State<App>, authed: Authed) -> Result<Json<InboxJson>, WebError> {
    let (messages, unread) = app.inbox(&authed.caller).await?;
    Ok(Json(InboxJson { unread, messages }))
}

/// `{"keys": [..]}` marks those read, `{}` all of them; anything else is refused (a `null` is
/// not "all").
async fn read_api(
    State(app): State<App>,
    authed: Authed,
    Json(body): Json<serde_json::Map<String, serde_json::Value>>,
) -> Result<Json<serde_json::Value>, WebError> {
    let bad = || WebError::bad_request("应为 {\"keys\": [消息键…]} 或 {} / expected {\"keys\": [...]} or {}");
    if body.keys().any(|k| k != "keys") {
        return Err(bad());
    }
    let keys = match body.get("keys") {
        None => None,
        Some(serde_json::Value::Array(items)) => Some(
            items
                .iter()
                .map(|k| k.as_str().filter(|k| k.chars().count() <= 200).map(String::from).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?,
        ),
        Some(_) => return Err(bad()),
    };
    let changed = app.mark_read(&authed.caller, keys).await?;
    Ok(Json(serde_json::json!({ "changed": changed })))
}
