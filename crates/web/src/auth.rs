//! Who is asking: a session cookie (pages) or a bearer token (machine clients), checked on every
//! request. Pages without a session go to the login page; the API answers 401.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::authz::Actor;
use service::{App, Caller};

use crate::WebError;

pub const SESSION_COOKIE: &str = "lf_session";
pub const LOGIN_CSRF_COOKIE: &str = "lf_login_csrf";

/// The signed-in caller of a request.
#[derive(Debug, Clone)]
pub struct Authed {
    pub caller: Caller,
    /// For session callers: the token in the cookie, and the CSRF token forms must carry.
    pub session: Option<(String, String)>,
    /// Unread inbox messages, for the title bar of the page being read (0 elsewhere).
    pub unread: i64,
}

impl Authed {
    pub fn actor(&self) -> &Actor {
        &self.caller.actor
    }

    /// The CSRF token this session's forms carry (none for token callers).
    pub fn csrf(&self) -> String {
        self.session.as_ref().map(|(_, c)| c.clone()).unwrap_or_default()
    }

    /// Checks the CSRF token a form or htmx request sent.
    pub fn check_csrf(&self, sent: &str) -> Result<(), WebError> {
        match &self.session {
            Some((_, csrf)) if constant_time_eq(csrf.as_bytes(), sent.as_bytes()) => Ok(()),
            Some(_) => Err(WebError {
                status: StatusCode::FORBIDDEN,
                message: "表单已过期,请刷新页面后重试 / stale form (CSRF)".into(),
            }),
            // Token callers carry no cookies, so there is nothing to forge.
            None => Ok(()),
        }
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Why a request has no caller.
pub enum AuthRejection {
    Login(String),
    Api,
    ChangePassword,
    Failed(WebError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Login(next) => {
                Redirect::to(&format!("/login?next={}", crate::pages::urlencode(&next))).into_response()
            }
            AuthRejection::ChangePassword => Redirect::to("/account/password").into_response(),
            AuthRejection::Api => WebError {
                status: StatusCode::UNAUTHORIZED,
                message: "需要登录或有效的接口令牌 / sign in or send a valid token (Authorization: Bearer …)".into(),
            }
            .into_response(),
            AuthRejection::Failed(e) => e.into_response(),
        }
    }
}

/// Who a request turned out to be, for what happens after its handler (recording a denial).
#[derive(Debug, Clone, Default)]
pub struct CallerSlot(std::sync::Arc<std::sync::Mutex<Option<(String, String)>>>);

impl CallerSlot {
    fn fill(parts: &Parts, authed: &Authed) {
        if let Some(slot) = parts.extensions.get::<CallerSlot>() {
            *slot.0.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((authed.caller.actor.login.clone(), authed.caller.request_id.clone()));
        }
    }

    /// The caller's login and request id, when one was signed in.
    pub fn take(&self) -> Option<(String, String)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

async fn resolve(parts: &Parts, app: &App) -> Result<Option<(Authed, bool)>, WebError> {
    let found = resolve_caller(parts, app).await?;
    if let Some((authed, _)) = &found {
        CallerSlot::fill(parts, authed);
    }
    Ok(found)
}

async fn resolve_caller(parts: &Parts, app: &App) -> Result<Option<(Authed, bool)>, WebError> {
    let rid = crate::error::request_id();
    if let Some(bearer) =
        parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    {
        return Ok(app
            .token_actor(bearer.trim())
            .await?
            .map(|actor| (Authed { caller: Caller::new(actor, rid), session: None, unread: 0 }, false)));
    }
    let Some(token) = cookie(parts, SESSION_COOKIE) else { return Ok(None) };
    Ok(app.session_actor(token).await?.map(|(actor, csrf, must_change)| {
        (Authed { caller: Caller::new(actor, rid), session: Some((token.to_string(), csrf)), unread: 0 }, must_change)
    }))
}

impl FromRequestParts<App> for Authed {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let api = parts.uri.path().starts_with("/api/");
        match resolve(parts, app).await.map_err(AuthRejection::Failed)? {
            // Until a one-time password is changed, its session can do nothing but change it.
            Some((_, true)) if api => Err(AuthRejection::Failed(WebError {
                status: StatusCode::FORBIDDEN,
                message: "请先修改初始密码 / change the initial password first (/account/password)".into(),
            })),
            Some((_, true)) if parts.uri.path() != "/account/password" && parts.uri.path() != "/logout" => {
                Err(AuthRejection::ChangePassword)
            }
            Some((authed, _)) if api => {
                api_csrf(parts, &authed).map_err(AuthRejection::Failed)?;
                Ok(authed)
            }
            // A page shows the unread count in its title bar.
            Some((mut authed, _)) => {
                if parts.method == axum::http::Method::GET {
                    authed.unread = app.unread(&authed.caller).await.map_err(|e| AuthRejection::Failed(e.into()))?;
                }
                Ok(authed)
            }
            None if api => Err(AuthRejection::Api),
            None => Err(AuthRejection::Login(parts.uri.path_and_query().map_or("/".into(), |p| p.to_string()))),
        }
    }
}

/// A write to the API on a session cookie must come from this site's own pages: it carries the
/// session's CSRF token in `X-CSRF-Token`, or an `Origin` of this host. SameSite=Lax alone lets
/// a sibling subdomain through. Bearer tokens are not sent by browsers on their own.
fn api_csrf(parts: &Parts, authed: &Authed) -> Result<(), WebError> {
    let Some((_, csrf)) = &authed.session else { return Ok(()) };
    if parts.method.is_safe() {
        return Ok(());
    }
    let header_token = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    if constant_time_eq(header_token.as_bytes(), csrf.as_bytes()) {
        return Ok(());
    }
    let host = parts.headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|o| o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")));
    match (origin_host, host) {
        (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => Ok(()),
        _ => Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: "跨站请求被拒绝:须带 X-CSRF-Token 或来自本站 / cross-site request refused: send X-CSRF-Token or come from this site".into(),
        }),
    }
}

impl OptionalFromRequestParts<App> for Authed {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Option<Self>, Self::Rejection> {
        // A session that must change its password counts as no session here.
        Ok(resolve(parts, app).await?.and_then(|(a, must_change)| (!must_change).then_some(a)))
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when the request came over TLS (directly
/// or as a proxy says with X-Forwarded-Proto).
pub fn session_cookie(value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

pub fn is_secure(headers: &axum::http::HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
        || std::env::var("LEAPFROG_SECURE_COOKIES").is_ok_and(|v| v == "1" || v == "true")
}
