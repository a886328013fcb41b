//! M7 on the web: the service catalogue, ordering an item with its form and files, the tickets
//! (an enterprise's own, a department's queue, everyone's for the coordinator), a ticket's page
//! with its history and the steps the user may take, its files, and the same through the API.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::authz::{Action, Reach, Role, reach};
use domain::services::{AttachmentRule, Channel, FieldKind, Light, ServiceItem, TicketState, TicketStep};
use serde::Deserialize;
use service::{App, Order, StepRequest, TicketQuery, TicketRow, Upload};

use crate::account::china_time;
use crate::auth::Authed;
use crate::pages::{Nav, nav, urlencode};
use crate::upload::{Received, receive_form, safe_name};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/services", &["GET"], get(catalogue))
        .route("/services/{item}", &["GET", "POST"], get(order_form).post(order).layer(files_limit()))
        .route("/tickets", &["GET"], get(list))
        .route("/tickets/stats", &["GET"], get(stats_page))
        .route("/export/tickets.xlsx", &["GET"], get(stats_xlsx))
        .route("/api/v1/ticket-stats", &["GET"], get(stats_api))
        .route("/tickets/{number}", &["GET"], get(detail))
        .route("/tickets/{number}/steps", &["POST"], post(take_step).layer(files_limit()))
        .route("/tickets/{number}/files/{n}", &["GET"], get(file))
        .route("/api/v1/service-items", &["GET"], get(catalogue_api))
        .route("/api/v1/tickets", &["GET", "POST"], get(list_api).post(order_api).layer(files_limit()))
        .route("/api/v1/tickets/{number}", &["GET"], get(detail_api))
        .route("/api/v1/tickets/{number}/steps", &["POST"], post(step_api).layer(files_limit()))
        .route("/api/v1/tickets/{number}/files/{n}", &["GET"], get(file))
}

/// The most a request with files may carry: the plan's bounds at most (50 MB × 20) are far
/// more than an office sends; this holds every request to 64 MB, base64 included.
const FILES_BODY_MAX: usize = 64 << 20;

fn files_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(FILES_BODY_MAX)
}

fn department_name(app: &App, code: &str) -> String {
    app.plan.departments.iter().find(|d| d.code == code).map_or_else(|| code.to_string(), |d| d.name.clone())
}

fn light_class(l: Light) -> &'static str {
    match l {
        Light::None => "",
        Light::Green => "green",
        Light::Blue => "blue",
        Light::Yellow => "yellow",
        Light::Red => "red",
    }
}

/// How long something has waited, in words.
fn waited(since: i64, now: i64) -> String {
    let minutes = (now - since).max(0) / 60;
    match minutes {
        m if m < 60 => format!("{m}分钟"),
        m if m < 24 * 60 => format!("{}小时{}分钟", m / 60, m % 60),
        m => format!("{}天{}小时", m / (24 * 60), m % (24 * 60) / 60),
    }
}

// ------------------------------------------------------------------ the catalogue

pub struct CatalogueItem {
    pub code: String,
    pub name: String,
    pub department: String,
    pub limit_days: u32,
    pub attachment: &'static str,
    pub description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "services.html")]
pub struct CataloguePage {
    pub nav: Nav,
    pub may_order: bool,
    pub categories: Vec<(String, Vec<CatalogueItem>)>,
}

async fn catalogue(State(app): State<App>, authed: Authed) -> Result<CataloguePage, WebError> {
    let actor = authed.actor();
    if !actor.may(Action::OrderService) && !actor.may(Action::ReadTickets) {
        return Err(WebError::forbidden("无权查看服务目录 / not allowed"));
    }
    let mut categories: Vec<(String, Vec<CatalogueItem>)> = Vec::new();
    for i in &app.plan.services.items {
        let item = CatalogueItem {
            code: i.code.clone(),
            name: i.name.clone(),
            department: department_name(&app, &i.department),
            limit_days: i.limit_days,
            attachment: i.attachment.zh(),
            description: i.description.clone(),
        };
        match categories.iter_mut().find(|(c, _)| *c == i.category) {
            Some((_, items)) => items.push(item),
            None => categories.push((i.category.clone(), vec![item])),
        }
    }
    Ok(CataloguePage { nav: nav(&app, &authed, "services"), may_order: actor.may(Action::OrderService), categories })
}

async fn catalogue_api(State(app): State<App>, authed: Authed) -> Result<Json<Vec<ServiceItem>>, WebError> {
    let actor = authed.actor();
    if !actor.may(Action::OrderService) && !actor.may(Action::ReadTickets) {
        return Err(WebError::forbidden("无权查看服务目录 / not allowed"));
    }
    Ok(Json(app.plan.services.items.clone()))
}

// ------------------------------------------------------------------ ordering

pub struct FieldInput {
    pub name: String,
    pub label: String,
    pub kind: &'static str,
    pub required: bool,
    pub options: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "service_order.html")]
pub struct OrderPage {
    pub nav: Nav,
    pub csrf: String,
    pub item: CatalogueItem,
    pub fields: Vec<FieldInput>,
    pub files: &'static str,
    pub max_files: usize,
    pub max_mb: usize,
    /// Staff register for an enterprise: they name it and say how the request came in.
    pub for_enterprise: bool,
    pub channels: Vec<(&'static str, &'static str)>,
}

async fn order_form(State(app): State<App>, authed: Authed, Path(code): Path<String>) -> Result<OrderPage, WebError> {
    let actor = authed.actor();
    if !actor.may(Action::OrderService) {
        return Err(WebError::forbidden(format!("角色“{}”不能点单 / not allowed to order", actor.role.zh())));
    }
    let i = app.plan.services.item(&code).ok_or_else(|| WebError::not_found("服务目录中没有此事项 / no such item"))?;
    let fields = i
        .fields
        .iter()
        .map(|f| FieldInput {
            name: format!("f.{}", f.code),
            label: f.label.clone(),
            kind: match f.kind {
                FieldKind::Text => "text",
                FieldKind::LongText => "textarea",
                FieldKind::Number => "number",
                FieldKind::Integer => "integer",
                FieldKind::Date => "date",
                FieldKind::Choice => "choice",
            },
            required: f.required,
            options: f.options.clone(),
        })
        .collect();
    let own = reach(actor.role, Action::OrderService) == Reach::OwnEnterprise;
    Ok(OrderPage {
        nav: nav(&app, &authed, "services"),
        csrf: authed.csrf(),
        item: CatalogueItem {
            code: i.code.clone(),
            name: i.name.clone(),
            department: department_name(&app, &i.department),
            limit_days: i.limit_days,
            attachment: i.attachment.zh(),
            description: i.description.clone(),
        },
        fields,
        files: match i.attachment {
            AttachmentRule::Required => "required",
            AttachmentRule::Optional => "optional",
            AttachmentRule::None => "none",
        },
        max_files: app.plan.services.max_attachments,
        max_mb: app.plan.services.max_attachment_mb,
        for_enterprise: !own,
        channels: Channel::ALL.iter().filter(|c| **c != Channel::Online).map(|c| (c.code(), c.zh())).collect(),
    })
}

/// A ticket form's text fields and files (the `file` parts, within the plan's bounds).
async fn receive(app: &App, form: Multipart) -> Result<Received, WebError> {
    let rules = &app.plan.services;
    receive_form(form, "file", rules.max_attachment_mb << 20, rules.max_attachments).await
}

async fn order(State(app): State<App>, authed: Authed, Path(code): Path<String>, form: Multipart) -> Result<Response, WebError> {
    let mut got = receive(&app, form).await?;
    authed.check_csrf(got.text.get("csrf").map_or("", String::as_str))?;
    let answers: BTreeMap<String, String> =
        got.text.iter().filter_map(|(k, v)| k.strip_prefix("f.").map(|k| (k.to_string(), v.clone()))).collect();
    let channel = got.text.get("channel").and_then(|c| Channel::parse(c)).unwrap_or(Channel::Phone);
    let uscc = got.text.remove("uscc").filter(|u| !u.trim().is_empty());
    let note = got.text.remove("note").unwrap_or_default();
    let t = app.order_service(&authed.caller, Order { item: code, uscc, answers, channel, note, files: got.files }).await?;
    Ok(Redirect::to(&format!("/tickets/{}?saved=ordered", urlencode(&t.number))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileJson {
    pub file_name: String,
    pub content_base64: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderJson {
    pub item: String,
    pub uscc: Option<String>,
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    pub channel: Option<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub files: Vec<FileJson>,
}

pub(crate) fn decoded(files: Vec<FileJson>) -> Result<Vec<Upload>, WebError> {
    use base64::Engine as _;
    files
        .into_iter()
        .map(|f| {
            let bytes = base64::engine::general_purpose::STANDARD.decode(f.content_base64.as_bytes()).map_err(|_| {
                WebError::bad_request(format!(
                    "附件“{}”的 content_base64 不是 Base64 / not base64",
                    safe_name(Some(&f.file_name), "?")
                ))
            })?;
            Ok(Upload { file_name: safe_name(Some(&f.file_name), "attachment"), bytes })
        })
        .collect()
}

async fn order_api(State(app): State<App>, authed: Authed, Json(o): Json<OrderJson>) -> Result<Response, WebError> {
    let channel = match o.channel.as_deref() {
        None => Channel::Phone,
        Some(c) => Channel::parse(c)
            .ok_or_else(|| WebError::bad_request("channel 应为 online、phone、visit 或 center / unknown channel"))?,
    };
    let order = Order { item: o.item, uscc: o.uscc, answers: o.answers, channel, note: o.note, files: decoded(o.files)? };
    let t = app.order_service(&authed.caller, order).await?;
    Ok((axum::http::StatusCode::CREATED, Json(t)).into_response())
}

// ------------------------------------------------------------------ lists

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub state: Option<String>,
    pub item: Option<String>,
}

fn query_of(app: &App, q: &ListQuery) -> Result<TicketQuery, WebError> {
    if let Some(i) = q.item.as_deref().filter(|i| !i.is_empty())
        && app.plan.services.item(i).is_none()
    {
        return Err(WebError::bad_request(format!("服务目录中没有“{}” / no such service item", domain::shorten(i))));
    }
    let states = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None | Some("all") => Vec::new(),
        Some("open") => TicketState::ALL.iter().copied().filter(|s| s.open()).collect(),
        Some(s) => vec![TicketState::parse(s).ok_or_else(|| WebError::bad_request("未知的工单状态 / unknown state"))?],
    };
    Ok(TicketQuery { states, item: q.item.clone().filter(|i| !i.is_empty()) })
}

pub struct ListRow {
    pub number: String,
    pub item: String,
    pub enterprise: String,
    pub department: String,
    pub state: &'static str,
    pub channel: &'static str,
    pub ordered: String,
    pub waited: String,
    pub due: String,
    pub light: &'static str,
    pub light_text: String,
    pub escalated: bool,
    pub rating: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "tickets.html")]
pub struct ListPage {
    pub nav: Nav,
    pub title: String,
    pub state: String,
    pub states: Vec<(&'static str, &'static str)>,
    pub counts: Vec<(&'static str, usize)>,
    pub rows: Vec<ListRow>,
    pub may_order: bool,
}

fn list_row(r: &TicketRow, now: i64) -> ListRow {
    let t = &r.ticket;
    let light_text = match r.days_left {
        Some(d) if d > 1 => format!("剩{d}个工作日"),
        Some(d) if d < 0 => format!("超期{}个工作日", -d),
        _ => r.light.zh().to_string(),
    };
    ListRow {
        number: t.number.clone(),
        item: r.item_name.clone(),
        enterprise: t.enterprise_name.clone(),
        department: r.department_name.clone(),
        state: t.state.zh(),
        channel: t.channel.zh(),
        ordered: china_time(t.ordered_at),
        waited: if t.state == TicketState::Ordered { waited(t.ordered_at, now) } else { String::new() },
        due: t.due_on.map(|d| d.to_string()).unwrap_or_default(),
        light: light_class(r.light),
        light_text,
        escalated: t.escalated_at.is_some() && t.state.open(),
        rating: t.rating.map(|r| format!("{r}分")).unwrap_or_default(),
    }
}

async fn list(State(app): State<App>, authed: Authed, Query(q): Query<ListQuery>) -> Result<ListPage, WebError> {
    let actor = authed.actor();
    let all = app.tickets(&authed.caller, &TicketQuery::default()).await?;
    let query = query_of(&app, &q)?;
    let rows: Vec<&TicketRow> = all
        .iter()
        .filter(|r| query.states.is_empty() || query.states.contains(&r.ticket.state))
        .filter(|r| query.item.as_ref().is_none_or(|i| *i == r.ticket.item))
        .collect();
    let title = match (actor.role, actor.scope.as_deref()) {
        (Role::Enterprise, _) => "我的服务工单".to_string(),
        (Role::Department, Some(d)) => format!("{} · 工单队列(按到达先后)", department_name(&app, d)),
        (Role::Zone, _) => "本组团企业的服务工单".to_string(),
        _ => "全部服务工单".to_string(),
    };
    let counts = TicketState::ALL.iter().map(|s| (s.zh(), all.iter().filter(|r| r.ticket.state == *s).count())).collect();
    let mut states = vec![("open", "未办结"), ("all", "全部")];
    states.extend(TicketState::ALL.iter().map(|s| (s.code(), s.zh())));
    let now = app.clock.now();
    Ok(ListPage {
        nav: nav(&app, &authed, "tickets"),
        title,
        state: q.state.clone().unwrap_or_else(|| "all".into()),
        states,
        counts,
        rows: rows.iter().map(|r| list_row(r, now)).collect(),
        may_order: actor.may(Action::OrderService),
    })
}

async fn list_api(
    State(app): State<App>,
    axum::Extension(memos): axum::Extension<std::sync::Arc<crate::memo::Memos>>,
    authed: Authed,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    Ok(memos.tickets.respond(&app.tickets(&authed.caller, &query_of(&app, &q)?).await?))
}

// ------------------------------------------------------------------ one ticket

pub struct EventLine {
    pub at: String,
    pub who: String,
    pub step: &'static str,
    pub state: &'static str,
    pub department: String,
    pub text: String,
    pub rating: String,
}

pub struct FileLine {
    pub n: i64,
    pub name: String,
    pub size: String,
    pub at: String,
}

pub struct StepForm {
    pub code: &'static str,
    pub name: &'static str,
    pub needs_text: bool,
    pub takes_files: bool,
    pub rating: bool,
    pub transfer: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "ticket.html")]
pub struct DetailPage {
    pub nav: Nav,
    pub csrf: String,
    pub saved: Option<String>,
    pub row: ListRow,
    pub version: i64,
    pub zone: String,
    pub uscc: String,
    pub limit_days: u32,
    pub accepted: String,
    pub resolved: String,
    pub visit_owed: bool,
    pub answers: Vec<(String, String)>,
    pub files: Vec<FileLine>,
    pub events: Vec<EventLine>,
    pub steps: Vec<StepForm>,
    pub departments: Vec<(String, String)>,
    pub max_files: usize,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub saved: Option<String>,
}

fn saved_text(code: &str) -> Option<String> {
    if code == "ordered" {
        return Some("已点单,请记下工单号;办理进展会在此页显示 / ordered".into());
    }
    TicketStep::parse(code).map(|s| format!("已{} / done", s.zh()))
}

async fn detail(
    State(app): State<App>,
    authed: Authed,
    Path(number): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Result<DetailPage, WebError> {
    let d = app.ticket(&authed.caller, &number).await?;
    let t = &d.row.ticket;
    let answers = d.item.fields.iter().filter_map(|f| t.answers.get(&f.code).map(|v| (f.label.clone(), v.clone()))).collect();
    let steps = d
        .steps
        .iter()
        .map(|s| StepForm {
            code: s.code(),
            name: s.zh(),
            needs_text: s.needs_text(),
            takes_files: matches!(s, TicketStep::Reply | TicketStep::Resolve | TicketStep::Comment),
            rating: *s == TicketStep::Rate,
            transfer: *s == TicketStep::Transfer,
        })
        .collect();
    let events = d
        .events
        .iter()
        .map(|e| EventLine {
            at: china_time(e.at),
            who: e.actor_name.clone(),
            step: e.step.zh(),
            state: e.state.zh(),
            // Where a transfer sent it; otherwise the department is the one it was already with.
            department: if e.step == TicketStep::Transfer { department_name(&app, &e.department) } else { String::new() },
            text: e.text.clone(),
            rating: e.rating.map(|r| format!("{r}分")).unwrap_or_default(),
        })
        .collect();
    let files = d
        .files
        .iter()
        .map(|f| FileLine {
            n: f.n,
            name: f.file_name.clone(),
            size: format!("{:.1} KB", f.size as f64 / 1024.0),
            at: china_time(f.at),
        })
        .collect();
    Ok(DetailPage {
        nav: nav(&app, &authed, "tickets"),
        csrf: authed.csrf(),
        saved: q.saved.as_deref().and_then(saved_text),
        row: list_row(&d.row, app.clock.now()),
        version: t.version,
        zone: crate::format::zone_name(&app.plan, &t.zone),
        uscc: t.uscc.clone(),
        limit_days: d.item.limit_days,
        accepted: t.accepted_on.map(|d| d.to_string()).unwrap_or_default(),
        resolved: t.resolved_on.map(|d| d.to_string()).unwrap_or_default(),
        visit_owed: t.visit_owed,
        answers,
        files,
        events,
        steps,
        departments: app
            .plan
            .departments
            .iter()
            .filter(|x| x.code != t.department)
            .map(|x| (x.code.clone(), x.name.clone()))
            .collect(),
        max_files: app.plan.services.max_attachments,
    })
}

async fn detail_api(
    State(app): State<App>,
    authed: Authed,
    Path(number): Path<String>,
) -> Result<Json<service::TicketDetail>, WebError> {
    Ok(Json(app.ticket(&authed.caller, &number).await?))
}

fn step_of(code: &str) -> Result<TicketStep, WebError> {
    TicketStep::parse(code).filter(|s| s.asked()).ok_or_else(|| {
        WebError::bad_request("step 应为 accept、refuse、transfer、reply、resolve、visit、rate 或 comment / unknown step")
    })
}

fn rating_of(text: Option<&str>) -> Result<Option<u8>, WebError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.parse::<u8>().map(Some).map_err(|_| WebError::bad_request("评价应为1到5分 / a rating is 1 to 5")),
    }
}

async fn take_step(
    State(app): State<App>,
    authed: Authed,
    Path(number): Path<String>,
    form: Multipart,
) -> Result<Response, WebError> {
    let got = receive(&app, form).await?;
    let text = |k: &str| got.text.get(k).map_or("", String::as_str);
    authed.check_csrf(text("csrf"))?;
    let step = step_of(text("step"))?;
    let version = text("version").trim().parse().map_err(|_| WebError::bad_request("version 应为整数 / bad version"))?;
    let req = StepRequest {
        step,
        version,
        text: text("text").to_string(),
        rating: rating_of(got.text.get("rating").map(String::as_str))?,
        department: got.text.get("department").cloned(),
        files: got.files,
    };
    let t = app.ticket_step(&authed.caller, &number, req).await?;
    Ok(Redirect::to(&format!("/tickets/{}?saved={}", urlencode(&t.number), step.code())).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepJson {
    pub step: String,
    pub version: i64,
    #[serde(default)]
    pub text: String,
    pub rating: Option<u8>,
    pub department: Option<String>,
    #[serde(default)]
    pub files: Vec<FileJson>,
}

async fn step_api(
    State(app): State<App>,
    authed: Authed,
    Path(number): Path<String>,
    Json(s): Json<StepJson>,
) -> Result<Json<domain::services::Ticket>, WebError> {
    let req = StepRequest {
        step: step_of(&s.step)?,
        version: s.version,
        text: s.text,
        rating: s.rating,
        department: s.department,
        files: decoded(s.files)?,
    };
    Ok(Json(app.ticket_step(&authed.caller, &number, req).await?))
}

/// A ticket's file, to whoever may see the ticket: always as a download of the type it was
/// checked to be, never shown in the page.
async fn file(State(app): State<App>, authed: Authed, Path((number, n)): Path<(String, i64)>) -> Result<Response, WebError> {
    let (f, bytes) = app.ticket_file(&authed.caller, &number, n).await?;
    let disposition = format!("attachment; filename=\"attachment\"; filename*=UTF-8''{}", urlencode(&f.file_name));
    Ok(([(header::CONTENT_TYPE, f.content_type), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

// ------------------------------------------------------------------ statistics

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<i32>,
}

fn stats_year(app: &App, year: Option<i32>) -> Result<i32, WebError> {
    match year {
        Some(y) if (1900..=9999).contains(&y) => Ok(y),
        Some(y) => Err(WebError::bad_request(format!("年份 {y} 不正确 / bad year"))),
        None => Ok(app.clock.today().year),
    }
}

/// A tally as the page and the workbook show it.
pub struct StatLine {
    pub name: String,
    pub received: usize,
    pub accepted: usize,
    pub refused: usize,
    pub resolved: usize,
    pub on_time: usize,
    pub overdue: usize,
    pub on_time_pct: String,
    pub handling_days: String,
    pub rated: usize,
    pub satisfaction_pct: String,
}

fn stat_line(name: &str, t: &domain::services::TicketTally) -> StatLine {
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
    StatLine {
        name: name.to_string(),
        received: t.received,
        accepted: t.accepted,
        refused: t.refused,
        resolved: t.resolved,
        on_time: t.on_time,
        overdue: t.overdue,
        on_time_pct: pct(t.on_time_pct),
        handling_days: t.handling_days.map_or_else(|| "—".to_string(), |d| format!("{d:.1}")),
        rated: t.rated,
        satisfaction_pct: pct(t.satisfaction_pct),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ticket_stats.html")]
pub struct StatsPage {
    pub nav: Nav,
    pub year: i32,
    pub years: Vec<i32>,
    pub total: StatLine,
    pub groups: Vec<(&'static str, Vec<StatLine>)>,
    /// The months for the chart, as JSON: {months, received, resolved, satisfaction}.
    pub chart: String,
}

const GROUPS: [&str; 4] = ["按承办部门", "按服务事项", "按组团", "按月份"];

fn groups(s: &service::TicketStats) -> [&Vec<service::TallyRow>; 4] {
    [&s.by_department, &s.by_item, &s.by_zone, &s.by_month]
}

async fn stats_page(State(app): State<App>, authed: Authed, Query(q): Query<YearQuery>) -> Result<StatsPage, WebError> {
    let year = stats_year(&app, q.year)?;
    let s = app.ticket_stats(&authed.caller, year).await?;
    let chart = serde_json::json!({
        "months": s.by_month.iter().map(|r| r.name.clone()).collect::<Vec<_>>(),
        "received": s.by_month.iter().map(|r| r.tally.received).collect::<Vec<_>>(),
        "resolved": s.by_month.iter().map(|r| r.tally.resolved).collect::<Vec<_>>(),
        "satisfaction": s.by_month.iter().map(|r| r.tally.satisfaction_pct).collect::<Vec<_>>(),
    });
    let this_year = app.clock.today().year;
    Ok(StatsPage {
        nav: nav(&app, &authed, "tickets"),
        year,
        years: (this_year - 4..=this_year).rev().collect(),
        total: stat_line("合计", &s.total),
        groups: GROUPS
            .iter()
            .zip(groups(&s))
            .map(|(g, rows)| (*g, rows.iter().map(|r| stat_line(&r.name, &r.tally)).collect()))
            .collect(),
        chart: chart.to_string(),
    })
}

async fn stats_api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> Result<Json<service::TicketStats>, WebError> {
    let year = stats_year(&app, q.year)?;
    Ok(Json(app.ticket_stats(&authed.caller, year).await?))
}

async fn stats_xlsx(State(app): State<App>, authed: Authed, Query(q): Query<YearQuery>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let year = stats_year(&app, q.year)?;
    let s = app.ticket_stats(&authed.caller, year).await?;
    let heads: [(&str, Option<u32>, f64); 11] = [
        ("", None, 24.0),
        ("受理量(件)", Some(0), 10.0),
        ("已受理", Some(0), 8.0),
        ("不予受理", Some(0), 8.0),
        ("已办结", Some(0), 8.0),
        ("按时办结", Some(0), 8.0),
        ("超期", Some(0), 8.0),
        ("按时办结率(%)", Some(1), 12.0),
        ("平均办理时长(工作日)", Some(1), 16.0),
        ("已评价", Some(0), 8.0),
        ("满意率(%)", Some(1), 10.0),
    ];
    let number = |v: Option<f64>| v.map_or(XCell::Empty, XCell::Number);
    let row = |name: &str, t: &domain::services::TicketTally| {
        vec![
            XCell::Text(name.to_string()),
            XCell::Number(t.received as f64),
            XCell::Number(t.accepted as f64),
            XCell::Number(t.refused as f64),
            XCell::Number(t.resolved as f64),
            XCell::Number(t.on_time as f64),
            XCell::Number(t.overdue as f64),
            number(t.on_time_pct),
            number(t.handling_days),
            XCell::Number(t.rated as f64),
            number(t.satisfaction_pct),
        ]
    };
    let today = app.clock.today();
    let sheets: Vec<Sheet> = GROUPS
        .iter()
        .zip(groups(&s))
        .map(|(g, rows)| {
            let by = g.trim_start_matches('按');
            let mut columns: Vec<SheetColumn> = heads
                .iter()
                .map(|(h, decimals, width)| SheetColumn { header: h.to_string(), decimals: *decimals, width: *width })
                .collect();
            columns[0].header = by.to_string();
            let mut out: Vec<Vec<XCell>> = rows.iter().map(|r| row(&r.name, &r.tally)).collect();
            out.push(row("合计", &s.total));
            Sheet {
                name: by.to_string(),
                title: Some(format!("{} {year}年企业服务统计({g},截至 {today};满意为4分及以上)", app.plan.region)),
                columns,
                rows: out,
            }
        })
        .collect();
    crate::pages::workbook_response(&format!("tickets-{year}.xlsx"), &sheets)
}
