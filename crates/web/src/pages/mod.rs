//! Server-rendered pages: the shared parts (month choice, navigation, downloads) here, each
//! page family in its own file.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::Month;
use serde::Deserialize;
use service::{App, Figures};

use domain::authz::{Action, Role};

use crate::WebError;
use crate::auth::Authed;
use crate::format::zone_name;

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    pub month: Option<String>,
    pub indicator: Option<String>,
    /// `provisional` to include months not yet approved; official figures otherwise.
    pub figures: Option<String>,
}

/// `figures=official` (or none) or `figures=provisional`; anything else is refused, not guessed.
pub fn figures_of(q: Option<&str>) -> Result<Figures, WebError> {
    match q {
        None | Some("official") => Ok(Figures::Official),
        Some("provisional") => Ok(Figures::Provisional),
        Some(other) => Err(WebError::bad_request(format!(
            "figures=“{}”不认识,应为 official 或 provisional / figures must be official or provisional",
            domain::shorten(other)
        ))),
    }
}

/// A window of a list as asked for: an offset from 0 and a size from 1 to 10,000; anything else
/// is refused rather than quietly clamped.
pub fn window(offset: Option<i64>, limit: Option<i64>, default_limit: i64) -> Result<(i64, i64), WebError> {
    let offset = offset.unwrap_or(0);
    let limit = limit.unwrap_or(default_limit);
    if !(0..=1_000_000_000).contains(&offset) {
        return Err(WebError::bad_request(format!("offset={offset} 应在 0 到 1000000000 之间 / offset out of range")));
    }
    if !(1..=10_000).contains(&limit) {
        return Err(WebError::bad_request(format!("limit={limit} 应在 1 到 10000 之间 / limit out of range")));
    }
    Ok((offset, limit))
}

/// The month asked for, or the latest month with data.
/// The month asked for, else the last finished one (a month's notes and dispatch come after it).
pub fn month_or_last_finished(app: &App, month: Option<&str>) -> Result<Month, WebError> {
    match month.filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m).map_err(|e| WebError::bad_request(e.to_string())),
        None => Ok(app.clock.current_month().prev()),
    }
}

/// Every month from the plan's baseline year to the last finished one (or `month`, if later),
/// newest first, for a month picker.
pub fn months_to_pick(app: &App, month: Month) -> Vec<(String, String)> {
    let first = Month::new(app.plan.baseline_year, 1).unwrap_or(month);
    let mut out = Vec::new();
    let mut m = app.clock.current_month().prev().max(month);
    while m >= first.min(month) {
        out.push((m.to_string(), m.zh()));
        m = m.prev();
    }
    out
}

pub async fn chosen_month(app: &App, month: Option<&str>) -> Result<Option<Month>, WebError> {
    match month.filter(|m| !m.is_empty()) {
        Some(m) => Month::parse(m).map(Some).map_err(|e| WebError::bad_request(e.to_string())),
        None => Ok(app.latest_month().await?),
    }
}

/// The frame of every page: the menu as the role sees it, and who is signed in.
pub struct Nav {
    pub active: &'static str,
    pub region: String,
    pub user_name: String,
    pub user_role: String,
    pub user_scope: String,
    /// What the account may do, in words (shown on hover of the name).
    pub may: String,
    pub csrf: String,
    pub show_cockpit: bool,
    pub show_enterprises: bool,
    pub own_enterprise: Option<String>,
    pub show_audit: bool,
    pub show_users: bool,
    pub show_tasks: bool,
    pub show_projects: bool,
    /// The service catalogue and the tickets (企业点单叫号).
    pub show_services: bool,
    /// The coordinator's data-quality page (审核提示, Benford screen).
    pub show_quality: bool,
    pub unread: i64,
}

pub fn nav(app: &App, authed: &Authed, active: &'static str) -> Nav {
    let a = authed.actor();
    let scope = match (&a.role, a.scope.as_deref()) {
        (_, None) => String::new(),
        (Role::Zone, Some(z)) => zone_name(&app.plan, z),
        (Role::Department, Some(d)) => {
            app.plan.departments.iter().find(|x| x.code == d).map_or(d.to_string(), |x| x.name.clone())
        }
        (_, Some(s)) => s.to_string(),
    };
    Nav {
        active,
        region: app.plan.region.clone(),
        user_name: a.name.clone(),
        user_role: a.role.zh().to_string(),
        user_scope: scope,
        may: Action::ALL.iter().filter(|x| a.may(**x)).map(|x| x.zh()).collect::<Vec<_>>().join("、"),
        csrf: authed.session.as_ref().map(|(_, c)| c.clone()).unwrap_or_default(),
        show_cockpit: a.may(Action::ReadAggregates),
        show_enterprises: a.may(Action::ReadEnterprise) && a.role != Role::Enterprise,
        own_enterprise: (a.role == Role::Enterprise).then(|| a.scope.clone()).flatten(),
        show_audit: a.may(Action::ReadAudit),
        show_users: a.may(Action::ManageUsers) && !a.operator,
        show_tasks: a.may(Action::ReadAggregates),
        show_projects: a.may(Action::ReadProjects),
        show_services: a.may(Action::ReadTickets),
        show_quality: a.may(Action::ReviewSubmissions) && !a.operator,
        unread: authed.unread,
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where an account without the cockpit goes instead: an enterprise to its own profile.
fn forbidden_home(authed: &Authed) -> WebError {
    let a = authed.actor();
    WebError {
        status: axum::http::StatusCode::FORBIDDEN, message: format!("角色“{}”无权查看驾驶舱 / not allowed", a.role.zh())
    }
}

/// A sheet as a download.
pub fn xlsx_response(filename: &str, sheet: files::Sheet) -> Result<Response, WebError> {
    workbook_response(filename, &[sheet])
}

/// Sheets as one workbook to download.
pub fn workbook_response(filename: &str, sheets: &[files::Sheet]) -> Result<Response, WebError> {
    Ok(xlsx_bytes(filename, files::write_xlsx(sheets).map_err(WebError::internal)?))
}

/// A written workbook as a download.
pub fn xlsx_bytes(filename: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// Rows an export asks the store for at a time (the store's largest page).
pub(super) const EXPORT_PAGE: i64 = 10_000;

pub(crate) mod cockpit;
mod drill;
mod registry;

pub use cockpit::*;
pub use drill::*;
pub use registry::*;
