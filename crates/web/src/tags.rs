//! Enterprise designations on the web: set and removed on the enterprise's page by the
//! department that keeps each, imported from a file, and their API.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use domain::calendar::Date;
use domain::tags::EnterpriseTag;
use serde::Deserialize;
use service::App;

use crate::auth::Authed;
use crate::upload::{UPLOAD_LIMIT, receive_body};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/enterprises/{uscc}/tags", &["POST"], post(set))
        .route("/enterprises/{uscc}/tags/remove", &["POST"], post(remove))
        .route("/api/v1/enterprises/{uscc}/tags", &["GET", "POST"], get(list_api).post(set_api))
        .route("/api/v1/tag-files", &["POST"], post(import_api).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
}

#[derive(Deserialize)]
pub struct TagForm {
    #[serde(default)]
    pub csrf: String,
    pub tag: String,
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub note: String,
}

fn date(what: &str, text: &str) -> Result<Date, WebError> {
    Date::parse(text.trim())
        .ok_or_else(|| WebError::bad_request(format!("{what}“{}”应为 YYYY-MM-DD / dates are YYYY-MM-DD", domain::shorten(text))))
}

impl TagForm {
    fn tag(&self, uscc: &str) -> Result<EnterpriseTag, WebError> {
        Ok(EnterpriseTag {
            uscc: uscc.trim().to_string(),
            tag: self.tag.trim().to_string(),
            valid_from: date("起始日期", &self.valid_from)?,
            valid_to: match self.valid_to.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                Some(t) => Some(date("截止日期", t)?),
                None => None,
            },
            note: self.note.trim().to_string(),
        })
    }
}

async fn set(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
    Form(f): Form<TagForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    app.set_enterprise_tag(&authed.caller, f.tag(&uscc)?).await?;
    Ok(Redirect::to(&format!("/enterprises/{}#tags", uscc.trim())).into_response())
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    pub csrf: String,
    pub tag: String,
    pub valid_from: String,
}

async fn remove(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
    Form(f): Form<RemoveForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    app.remove_enterprise_tag(&authed.caller, uscc.trim(), &f.tag, date("起始日期", &f.valid_from)?).await?;
    Ok(Redirect::to(&format!("/enterprises/{}#tags", uscc.trim())).into_response())
}

async fn list_api(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
) -> Result<Json<Vec<service::TagView>>, WebError> {
    Ok(Json(app.enterprise_tags(&authed.caller, &uscc).await?))
}

async fn set_api(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
    Json(f): Json<TagForm>,
) -> Result<Json<Vec<service::TagView>>, WebError> {
    app.set_enterprise_tag(&authed.caller, f.tag(&uscc)?).await?;
    Ok(Json(app.enterprise_tags(&authed.caller, &uscc).await?))
}

async fn import_api(
    State(app): State<App>,
    authed: Authed,
    body: axum::body::Body,
) -> Result<Json<service::ImportSummary>, WebError> {
    let upload = receive_body(body, "tags-upload").await?;
    Ok(Json(app.import_tags(&authed.caller, &upload.path, &|_, _| {}).await?))
}
