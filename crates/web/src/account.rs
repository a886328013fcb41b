//! Login, logout, changing one's password, and the audit trail page.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::{App, LoginError};

use crate::WebError;
use crate::auth::{Authed, LOGIN_CSRF_COOKIE, constant_time_eq, is_secure, session_cookie};
use crate::pages::{Nav, nav};

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub region: String,
    pub login: String,
    pub next: String,
    pub csrf: String,
    pub error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// Only paths of this site are followed after login.
fn safe_next(next: Option<&str>) -> String {
    // One leading slash, then nothing a URL parser could read as a host: no second slash or
    // backslash at the start, no whitespace or control characters anywhere (browsers drop a tab
    // and read "/\t/evil.example" as "//evil.example").
    let plain = |n: &str| {
        n.starts_with('/')
            && !n[1..].starts_with(['/', '\\'])
            && n.len() <= 2048
            && n.chars().all(|c| c.is_ascii_graphic() && c != '\\')
    };
    match next {
        Some(n) if plain(n) => n.to_string(),
        _ => "/".into(),
    }
}

fn login_page(app: &App, login: &str, next: &str, error: Option<String>) -> Response {
    // Login forms carry a token matched against a cookie (double submit), as no session exists yet.
    let csrf = service::random_hex(16);
    let page = LoginPage { region: app.plan.region.clone(), login: login.into(), next: next.into(), csrf: csrf.clone(), error };
    let status = if page.error.is_some() { axum::http::StatusCode::UNAUTHORIZED } else { axum::http::StatusCode::OK };
    let cookie = format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict");
    (status, [(header::SET_COOKIE, cookie)], page).into_response()
}

pub async fn login_form(State(app): State<App>, Query(q): Query<NextQuery>) -> Response {
    login_page(&app, "", &safe_next(q.next.as_deref()), None)
}

#[derive(Deserialize)]
pub struct LoginForm {
    pub login: String,
    pub password: String,
    pub next: Option<String>,
    pub csrf: String,
}

pub async fn login(State(app): State<App>, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    let next = safe_next(f.next.as_deref());
    let cookie_csrf = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == LOGIN_CSRF_COOKIE)
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    if cookie_csrf.is_empty() || !constant_time_eq(cookie_csrf.as_bytes(), f.csrf.as_bytes()) {
        return login_page(&app, &f.login, &next, Some("登录页面已过期,请重新输入 / the form expired, try again".into()));
    }
    let rid = crate::error::request_id();
    match app.login(&f.login, &f.password, &rid).await {
        Ok(session) => {
            let to = if session.must_change_password { "/account/password".to_string() } else { next };
            let cookie = session_cookie(&session.token, is_secure(&headers), None);
            ([(header::SET_COOKIE, cookie)], Redirect::to(&to)).into_response()
        }
        Err(e @ (LoginError::Wrong | LoginError::Locked)) => login_page(&app, &f.login, &next, Some(e.to_string())),
        // The database failing is not a wrong password, and is not shown as one.
        Err(LoginError::Unavailable(cause)) => WebError::internal(cause).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub async fn logout(
    State(app): State<App>,
    authed: Authed,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    if let Some((token, _)) = &authed.session {
        app.logout(&authed.caller, token).await?;
    }
    let cookie = session_cookie("", is_secure(&headers), Some(0));
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/login")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub nav: Nav,
    pub error: Option<String>,
    pub done: bool,
}

pub async fn password_form(State(app): State<App>, authed: Authed) -> PasswordPage {
    PasswordPage { nav: nav(&app, &authed, "account"), error: None, done: false }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    pub csrf: String,
    pub old: String,
    pub new: String,
    pub repeat: String,
}

pub async fn change_password(State(app): State<App>, authed: Authed, Form(f): Form<PasswordForm>) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let result = if f.new != f.repeat {
        Err("两次输入的新密码不一致 / the new passwords differ".to_string())
    } else {
        app.change_password(&authed.caller, authed.session.as_ref().map(|(t, _)| t.as_str()), &f.old, &f.new)
            .await
            .map_err(|e| e.to_string())
    };
    let done = result.is_ok();
    let page = PasswordPage { nav: nav(&app, &authed, "account"), error: result.err(), done };
    let status = if done { axum::http::StatusCode::OK } else { axum::http::StatusCode::BAD_REQUEST };
    Ok((status, page).into_response())
}

pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub detail: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub nav: Nav,
    pub actor: String,
    pub entity: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub total: i64,
    pub rows: Vec<AuditRow>,
    pub export_href: String,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub entity: Option<String>,
    pub action: Option<String>,
    /// YYYY-MM-DD, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Seconds of a date's midnight in China (UTC+8), which is when users mean a day to start.
fn day_start(d: &str) -> Option<i64> {
    domain::calendar::Date::parse(d).map(|d| d.days() * 86_400 - 8 * 3600)
}

fn filter_of(q: &AuditQuery, limit: i64) -> Result<service::AuditFilter, WebError> {
    let bad = |what: &str| WebError::bad_request(format!("{what}日期应写作 YYYY-MM-DD / dates are YYYY-MM-DD"));
    let from = match q.from.as_deref().filter(|s| !s.is_empty()) {
        Some(d) => Some(day_start(d).ok_or_else(|| bad("开始"))?),
        None => None,
    };
    let to = match q.to.as_deref().filter(|s| !s.is_empty()) {
        Some(d) => Some(day_start(d).ok_or_else(|| bad("结束"))? + 86_400),
        None => None,
    };
    Ok(service::AuditFilter {
        actor: q.actor.clone(),
        entity: q.entity.clone(),
        action: q.action.clone(),
        from,
        to,
        limit,
        offset: 0,
    })
}

/// Seconds since the epoch as China time: 2023-06-30 14:05:09.
pub fn china_time(at: i64) -> String {
    let t = at + 8 * 3600;
    let d = domain::calendar::Date::from_days(t.div_euclid(86_400));
    let s = t.rem_euclid(86_400);
    format!("{d} {:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

pub async fn audit(State(app): State<App>, authed: Authed, Query(q): Query<AuditQuery>) -> Result<AuditPage, WebError> {
    let (entries, total) = app.audit_entries(&authed.caller, &filter_of(&q, 200)?).await?;
    let export_href = format!(
        "/audit.xlsx?actor={}&entity={}&action={}&from={}&to={}",
        crate::pages::urlencode(q.actor.as_deref().unwrap_or("")),
        crate::pages::urlencode(q.entity.as_deref().unwrap_or("")),
        crate::pages::urlencode(q.action.as_deref().unwrap_or("")),
        q.from.as_deref().unwrap_or(""),
        q.to.as_deref().unwrap_or("")
    );
    Ok(AuditPage {
        nav: nav(&app, &authed, "audit"),
        actor: q.actor.unwrap_or_default(),
        entity: q.entity.unwrap_or_default(),
        action: q.action.unwrap_or_default(),
        from: q.from.unwrap_or_default(),
        to: q.to.unwrap_or_default(),
        total,
        rows: entries
            .into_iter()
            .map(|e| AuditRow {
                seq: e.seq,
                at: china_time(e.at),
                actor: e.actor,
                action: e.action,
                entity: format!("{} {}", e.entity, e.entity_id),
                detail: [e.before, e.after, e.reason].into_iter().filter(|x| !x.is_empty()).collect::<Vec<_>>().join(" → "),
            })
            .collect(),
        export_href,
    })
}

/// The filtered trail as XLSX, every matching entry.
pub async fn audit_xlsx(State(app): State<App>, authed: Authed, Query(q): Query<AuditQuery>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let (entries, _) = app.audit_entries(&authed.caller, &filter_of(&q, 100_000)?).await?;
    let col = |h: &str, w: f64| SheetColumn { header: h.into(), decimals: None, width: w };
    let sheet = Sheet {
        name: "审计日志".into(),
        title: Some(format!("审计日志(导出于 {})", china_time(service::now()))),
        columns: vec![
            col("序号", 8.0),
            col("时间(北京时间)", 20.0),
            col("操作人", 16.0),
            col("操作", 20.0),
            col("对象", 16.0),
            col("对象标识", 24.0),
            col("变更前", 40.0),
            col("变更后", 40.0),
            col("原因", 20.0),
            col("请求号", 18.0),
            col("哈希", 66.0),
        ],
        rows: entries
            .into_iter()
            .map(|e| {
                vec![
                    XCell::Text(e.seq.to_string()),
                    XCell::Text(china_time(e.at)),
                    XCell::Text(e.actor),
                    XCell::Text(e.action),
                    XCell::Text(e.entity),
                    XCell::Text(e.entity_id),
                    XCell::Text(e.before),
                    XCell::Text(e.after),
                    XCell::Text(e.reason),
                    XCell::Text(e.request_id),
                    XCell::Text(e.hash),
                ]
            })
            .collect(),
    };
    crate::pages::xlsx_response("audit.xlsx", sheet)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_site_paths_are_followed_after_login() {
        for ok in ["/", "/drill?industry=a&zone=b", "/enterprises/91360100MA35XXXX0X"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        for bad in ["/\t/evil.example/phish", "//evil.example", "/\\evil.example", "http://evil.example", "/ /x", "evil", "/\n/x"]
        {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
