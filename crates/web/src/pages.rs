//! Server-rendered pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ALL, Month};
use serde::Deserialize;
use service::{App, Figures};
use store::EnterpriseFilter;

use domain::authz::{Action, Role};

use crate::WebError;
use crate::auth::Authed;
use crate::format::{industry_name, light, pct, pp, wan, yi, zone_name};

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    pub month: Option<String>,
    pub indicator: Option<String>,
    /// `provisional` to include months not yet approved; official figures otherwise.
    pub figures: Option<String>,
}

pub fn figures_of(q: Option<&str>) -> Figures {
    if q == Some("provisional") { Figures::Provisional } else { Figures::Official }
}

/// The month asked for, or the latest month with data.
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
    }
}

pub struct MatrixCell {
    pub ytd: String,
    pub attainment: String,
    pub gap: String,
    pub light: &'static str,
    pub word: &'static str,
    pub reason: String,
    pub href: String,
}

pub struct MatrixRow {
    pub name: String,
    pub tier: String,
    pub total: bool,
    pub cells: Vec<MatrixCell>,
}

pub struct KpiView {
    pub name: String,
    pub target: String,
    pub actual: String,
    pub basis: String,
    pub light: &'static str,
    pub word: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "cockpit.html")]
pub struct CockpitPage {
    pub nav: Nav,
    pub plan_name: String,
    pub matrix_title: String,
    pub month: Option<String>,
    pub month_zh: String,
    pub months: Vec<(String, String)>,
    pub time_progress: String,
    pub zones: Vec<String>,
    pub rows: Vec<MatrixRow>,
    pub kpis: Vec<KpiView>,
    pub indicator: String,
    pub indicator_name: String,
    pub export_href: String,
    pub provisional: bool,
    /// The same page with the other kind of figures.
    pub toggle_href: String,
    /// `&figures=provisional` or nothing, carried by links and the charts' data.
    pub figures_param: String,
}

fn month_options(app: &App, latest: Option<Month>) -> Vec<(String, String)> {
    let Some(latest) = latest else {
        return Vec::new();
    };
    let mut m = Month::new(app.plan.baseline_year, 1).expect("valid year");
    let mut out = Vec::new();
    while m <= latest {
        out.push((m.to_string(), m.zh()));
        m = m.next();
    }
    out.reverse();
    out
}

/// The home page: the cockpit for those who may read the region's figures; an enterprise goes
/// to its own profile and an administrator to the audit trail.
pub async fn home(State(app): State<App>, authed: Authed, q: Query<MonthQuery>) -> Result<Response, WebError> {
    let a = authed.actor();
    if a.may(Action::ReadAggregates) {
        return Ok(cockpit(app, authed, q).await?.into_response());
    }
    match (a.role, &a.scope) {
        (Role::Enterprise, Some(uscc)) => Ok(Redirect::to(&format!("/enterprises/{uscc}")).into_response()),
        _ if a.may(Action::ManageUsers) => Ok(Redirect::to("/admin/users").into_response()),
        _ if a.may(Action::ReadAudit) => Ok(Redirect::to("/audit").into_response()),
        _ => Err(forbidden_home(&authed)),
    }
}

async fn cockpit(app: App, authed: Authed, Query(q): Query<MonthQuery>) -> Result<CockpitPage, WebError> {
    let indicator = q.indicator.unwrap_or_else(|| app.plan.target_indicator.clone());
    let ind = app.plan.indicator(&indicator).ok_or_else(|| WebError::bad_request(format!("未知指标“{indicator}”")))?.clone();
    let latest = app.latest_month().await?;
    let month = chosen_month(&app, q.month.as_deref()).await?;
    let mut page = CockpitPage {
        nav: nav(&app, &authed, "cockpit"),
        plan_name: app.plan.name.clone(),
        matrix_title: app.plan.matrix_title.clone(),
        month: month.map(|m| m.to_string()),
        month_zh: month.map(|m| m.zh()).unwrap_or_default(),
        months: month_options(&app, latest),
        time_progress: month.map(|m| format!("{:.1}%", f64::from(m.month()) / 12.0 * 100.0)).unwrap_or_default(),
        zones: Vec::new(),
        rows: Vec::new(),
        kpis: Vec::new(),
        indicator: indicator.clone(),
        indicator_name: ind.name.clone(),
        export_href: String::new(),
        provisional: figures_of(q.figures.as_deref()) == Figures::Provisional,
        toggle_href: String::new(),
        figures_param: String::new(),
    };
    let Some(month) = month else { return Ok(page) };
    let figures = figures_of(q.figures.as_deref());
    let cockpit = app.cockpit(&authed.caller, &indicator, month, figures).await?;
    page.figures_param = if page.provisional { "&figures=provisional".into() } else { String::new() };
    page.toggle_href =
        format!("/?indicator={indicator}&month={month}{}", if page.provisional { "" } else { "&figures=provisional" });
    let mut zones: Vec<String> = Vec::new();
    for r in &cockpit.rows {
        if !zones.contains(&r.zone) {
            zones.push(r.zone.clone());
        }
    }
    page.zones = zones.iter().map(|z| zone_name(&app.plan, z)).collect();
    let mut current: Option<MatrixRow> = None;
    for r in &cockpit.rows {
        if current.as_ref().is_none_or(|c| c.name != industry_name(&app.plan, &r.industry)) {
            if let Some(done) = current.take() {
                page.rows.push(done);
            }
            current = Some(MatrixRow {
                name: industry_name(&app.plan, &r.industry),
                tier: app.plan.industry(&r.industry).map_or("", |i| i.tier.label()).to_string(),
                total: r.industry == ALL,
                cells: Vec::new(),
            });
        }
        let (light, word) =
            if r.status.is_none() && r.ytd.is_some() && r.target.is_none() { ("grey", "无目标") } else { light(r.status) };
        let reason = match (r.attainment_pct, r.target) {
            (Some(a), Some(_)) => {
                format!("完成率 {a:.1}%,序时进度 {:.1}%,进度差 {:+.1} 个百分点", r.time_progress_pct, a - r.time_progress_pct)
            }
            (_, None) => "该单元格没有目标,只跟踪规模与增长".to_string(),
            _ => "尚无数据".to_string(),
        };
        current.as_mut().expect("set above").cells.push(MatrixCell {
            ytd: yi(r.ytd),
            attainment: pct(r.attainment_pct),
            gap: pp(r.gap_pp),
            light,
            word,
            reason,
            href: format!(
                "/drill?indicator={indicator}&industry={}&zone={}&month={month}{}",
                r.industry, r.zone, page.figures_param
            ),
        });
    }
    page.rows.extend(current);
    page.kpis = cockpit
        .kpis
        .iter()
        .map(|k| {
            let (light, word) = match (&k.actual, &k.supplied_by) {
                (Some(a), _) if a.met => ("green", "已达成"),
                (Some(_), _) => ("yellow", "未达成"),
                (None, _) => ("grey", "待接入"),
            };
            let cmp = match k.comparison {
                domain::kpi::Comparison::AtLeast => "≥",
                domain::kpi::Comparison::MoreThan => ">",
            };
            let period = match k.period {
                domain::kpi::KpiPeriod::Annual => "每年".to_string(),
                domain::kpi::KpiPeriod::Year(y) => format!("{y}年"),
            };
            KpiView {
                name: k.name.clone(),
                target: format!("{period} {cmp} {} {}", k.target, k.unit),
                actual: k.actual.as_ref().map_or_else(|| "—".to_string(), |a| format!("{:.2}", a.value)),
                basis: match (&k.actual, &k.supplied_by) {
                    (Some(a), _) => a.basis.clone(),
                    (None, Some(m)) => format!("由 {} 模块提供(建设中)", app.plan.module_name(m)),
                    (None, None) => "数据不足".to_string(),
                },
                light,
                word,
            }
        })
        .collect();
    page.export_href = format!("/export/progress.xlsx?indicator={indicator}&month={month}{}", page.figures_param);
    Ok(page)
}

pub struct TargetRowView {
    pub index: usize,
    pub industry: String,
    pub tier: String,
    pub total: String,
    pub cells: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "targets.html")]
pub struct TargetsPage {
    pub nav: Nav,
    pub plan_name: String,
    pub year: i32,
    pub unit: String,
    pub zones: Vec<String>,
    pub rows: Vec<TargetRowView>,
}

pub async fn targets(State(app): State<App>, authed: Authed) -> Result<TargetsPage, WebError> {
    let plan = &app.plan(&authed.caller)?;
    let tops: Vec<&domain::Zone> = plan.top_zones().collect();
    let fmt = |v: f64| format!("{}", v / plan.target_unit_wan);
    let rows = plan
        .targets
        .iter()
        .enumerate()
        .map(|(i, t)| TargetRowView {
            index: i + 1,
            industry: industry_name(plan, &t.industry),
            tier: plan.industry(&t.industry).map_or("", |x| x.tier.label()).to_string(),
            total: fmt(t.total_wan),
            cells: tops
                .iter()
                .map(|z| t.zones.iter().find(|(c, _)| *c == z.code).map_or("-".to_string(), |(_, v)| fmt(*v)))
                .collect(),
        })
        .collect();
    Ok(TargetsPage {
        nav: nav(&app, &authed, "targets"),
        plan_name: plan.name.clone(),
        year: plan.final_year(),
        unit: plan.target_unit.clone(),
        zones: tops.iter().map(|z| z.name.clone()).collect(),
        rows,
    })
}

#[derive(Deserialize, serde::Serialize, Default)]
pub struct EnterpriseQuery {
    pub q: Option<String>,
    pub zone: Option<String>,
    pub industry: Option<String>,
    pub page: Option<i64>,
}

pub struct EnterpriseView {
    pub index: i64,
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub industry: String,
    pub land: String,
    pub above_scale: &'static str,
    pub tags: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprises.html")]
pub struct EnterprisesPage {
    pub nav: Nav,
    pub q: String,
    pub zone: String,
    pub industry: String,
    pub zones: Vec<(String, String)>,
    pub industries: Vec<(String, String)>,
    pub rows: Vec<EnterpriseView>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub export_href: String,
}

pub const PAGE_SIZE: i64 = 50;

pub fn enterprise_filter(app: &App, q: &EnterpriseQuery) -> EnterpriseFilter {
    let zones = match q.zone.as_deref().filter(|z| !z.is_empty()) {
        Some(z) => {
            app.plan.zones.iter().filter(|x| x.code == z || app.plan.top_zone(&x.code) == z).map(|x| x.code.clone()).collect()
        }
        None => Vec::new(),
    };
    EnterpriseFilter {
        search: q.q.clone(),
        zones,
        industry: q.industry.clone().filter(|i| !i.is_empty()),
        uscc: None,
        offset: (q.page.unwrap_or(1).max(1) - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    }
}

pub async fn enterprises(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<EnterpriseQuery>,
) -> Result<EnterprisesPage, WebError> {
    let filter = enterprise_filter(&app, &q);
    let (list, total) = app.enterprises(&authed.caller, &filter).await?;
    let page = q.page.unwrap_or(1).max(1);
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let href = |p: i64| {
        format!(
            "/enterprises?q={}&zone={}&industry={}&page={p}",
            urlencode(q.q.as_deref().unwrap_or("")),
            q.zone.as_deref().unwrap_or(""),
            q.industry.as_deref().unwrap_or("")
        )
    };
    Ok(EnterprisesPage {
        nav: nav(&app, &authed, "enterprises"),
        q: q.q.clone().unwrap_or_default(),
        zone: q.zone.clone().unwrap_or_default(),
        industry: q.industry.clone().unwrap_or_default(),
        zones: app.plan.zones.iter().map(|z| (z.code.clone(), z.name.clone())).collect(),
        industries: app.plan.industries.iter().map(|i| (i.code.clone(), i.name.clone())).collect(),
        rows: list
            .into_iter()
            .enumerate()
            .map(|(i, e)| EnterpriseView {
                index: filter.offset + i as i64 + 1,
                zone: zone_name(&app.plan, &e.zone),
                industry: industry_name(&app.plan, &e.industry),
                land: e.land_mu.map_or("—".into(), |v| format!("{v:.1}")),
                above_scale: if e.above_scale { "是" } else { "否" },
                tags: e.tags.join("、"),
                uscc: e.uscc,
                name: e.name,
            })
            .collect(),
        total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        export_href: href(1).replacen("/enterprises?", "/export/enterprises.xlsx?", 1),
    })
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct MonthView {
    pub month: String,
    pub values: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprise.html")]
pub struct EnterprisePage {
    pub nav: Nav,
    pub e: store::EnterpriseRow,
    pub zone: String,
    pub industry: String,
    pub headers: Vec<String>,
    pub months: Vec<MonthView>,
}

pub async fn enterprise(State(app): State<App>, authed: Authed, Path(uscc): Path<String>) -> Result<EnterprisePage, WebError> {
    let (e, rows) = app.enterprise(&authed.caller, &uscc).await?;
    let months = rows
        .into_iter()
        .map(|r| MonthView {
            month: r.month.zh(),
            values: r
                .values
                .iter()
                .zip(&app.plan.indicators)
                .map(|(v, ind)| {
                    v.map_or("—".to_string(), |v| {
                        let x = domain::Amount { raw: v, decimals: ind.decimals }.as_f64();
                        if ind.decimals == 0 { domain::amount::group_thousands(&format!("{x:.0}")) } else { wan(Some(x)) }
                    })
                })
                .collect(),
        })
        .collect();
    Ok(EnterprisePage {
        nav: nav(&app, &authed, "enterprises"),
        zone: zone_name(&app.plan, &e.zone),
        industry: industry_name(&app.plan, &e.industry),
        headers: app.plan.indicators.iter().map(|i| format!("{}({})", i.name, i.unit)).collect(),
        e,
        months,
    })
}

impl DrillQuery {
    pub fn cell<'a>(&'a self, indicator: &'a str, month: Month) -> service::Cell<'a> {
        service::Cell {
            indicator,
            industry: &self.industry,
            zone: &self.zone,
            month,
            figures: figures_of(self.figures.as_deref()),
        }
    }
}

/// A cell to drill into; pages use `page`, the API `offset` and `limit`.
#[derive(Deserialize)]
pub struct DrillQuery {
    pub indicator: Option<String>,
    pub industry: String,
    pub zone: String,
    pub month: Option<String>,
    pub page: Option<i64>,
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    pub figures: Option<String>,
}

pub struct DrillView {
    pub index: i64,
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub industry: String,
    pub value: String,
    pub ytd: String,
    pub ytd_prev: String,
    pub yoy: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "drill.html")]
pub struct DrillPage {
    pub nav: Nav,
    pub title: String,
    pub month_zh: String,
    pub indicator_name: String,
    pub value: String,
    pub ytd: String,
    pub ytd_prev: String,
    pub yoy: String,
    pub target: String,
    pub attainment: String,
    pub gap: String,
    pub light: &'static str,
    pub word: &'static str,
    pub total: i64,
    /// Some of the cell's enterprises are outside what the user may see.
    pub restricted: bool,
    pub page: i64,
    pub pages: i64,
    /// The cell month by month: (month, value, last year's, growth).
    pub months: Vec<(String, String, String, String)>,
    pub rows: Vec<DrillView>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub back_href: String,
    pub export_href: String,
}

pub async fn drill(State(app): State<App>, authed: Authed, Query(q): Query<DrillQuery>) -> Result<DrillPage, WebError> {
    let indicator = q.indicator.clone().unwrap_or_else(|| app.plan.target_indicator.clone());
    let month = chosen_month(&app, q.month.as_deref()).await?.ok_or_else(|| WebError::bad_request("还没有月度数据"))?;
    let page = q.page.unwrap_or(1).max(1);
    let d = app.drill_down(&authed.caller, &q.cell(&indicator, month), (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let ind = app.plan.indicator(&indicator).expect("checked by drill_down");
    let (light, word) = light(d.row.status);
    let href = |p: i64| format!("/drill?indicator={indicator}&industry={}&zone={}&month={month}&page={p}", q.industry, q.zone);
    let pages = ((d.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    Ok(DrillPage {
        nav: nav(&app, &authed, "cockpit"),
        title: format!("{} · {}", industry_name(&app.plan, &q.industry), zone_name(&app.plan, &q.zone)),
        month_zh: month.zh(),
        indicator_name: format!("{}({})", ind.name, ind.unit),
        value: wan(d.row.value),
        ytd: wan(d.row.ytd),
        ytd_prev: wan(d.row.ytd_prev),
        yoy: pct(d.row.yoy_pct),
        target: wan(d.row.target),
        attainment: pct(d.row.attainment_pct),
        gap: pp(d.row.gap_pp),
        light,
        word,
        total: d.total,
        restricted: d.restricted,
        page,
        pages,
        months: d
            .months
            .iter()
            .map(|t| {
                let m = Month::parse(&t.month).map(|m| m.zh()).unwrap_or_else(|_| t.month.clone());
                (m, wan(t.value), wan(t.value_prev_year), pct(t.yoy_pct))
            })
            .collect(),
        rows: d
            .enterprises
            .into_iter()
            .enumerate()
            .map(|(i, e)| DrillView {
                index: d.offset + i as i64 + 1,
                zone: zone_name(&app.plan, &e.zone),
                industry: industry_name(&app.plan, &e.industry),
                value: wan(e.value),
                ytd: wan(e.ytd),
                ytd_prev: wan(e.ytd_prev),
                yoy: pct(domain::progress::yoy_pct(e.ytd, e.ytd_prev)),
                uscc: e.uscc,
                name: e.name,
            })
            .collect(),
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        back_href: format!("/?indicator={indicator}&month={month}"),
        export_href: href(1).replacen("/drill?", "/export/drill.xlsx?", 1),
    })
}

/// The progress table as on screen, as XLSX.
pub async fn export_progress(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<MonthQuery>,
) -> Result<impl IntoResponse, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let indicator = q.indicator.unwrap_or_else(|| app.plan.target_indicator.clone());
    let month = chosen_month(&app, q.month.as_deref()).await?.ok_or_else(|| WebError::bad_request("还没有月度数据"))?;
    let rows = app.progress(&authed.caller, &indicator, month, figures_of(q.figures.as_deref())).await?;
    let ind = app.plan.indicator(&indicator).expect("checked by progress");
    let col = |h: &str, d: Option<u32>| SheetColumn {
        header: h.to_string(),
        decimals: d,
        width: if d.is_some() { 14.0 } else { 24.0 },
    };
    let unit = format!("({})", ind.unit);
    let columns = vec![
        col("序号", Some(0)),
        col("产业", None),
        col("组团", None),
        col(&format!("本月{unit}"), Some(2)),
        col(&format!("累计{unit}"), Some(2)),
        col(&format!("上年同期{unit}"), Some(2)),
        col("同比(%)", Some(1)),
        col(&format!("年度目标{unit}"), Some(2)),
        col("完成率(%)", Some(1)),
        col("序时进度(%)", Some(1)),
        col("进度差(百分点)", Some(1)),
        col("状态", None),
    ];
    let n = |v: Option<f64>| v.map_or(XCell::Empty, XCell::Number);
    let data = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                XCell::Number((i + 1) as f64),
                XCell::Text(industry_name(&app.plan, &r.industry)),
                XCell::Text(zone_name(&app.plan, &r.zone)),
                n(r.value),
                n(r.ytd),
                n(r.ytd_prev),
                n(r.yoy_pct),
                n(r.target),
                n(r.attainment_pct),
                XCell::Number(r.time_progress_pct),
                n(r.gap_pp),
                XCell::Text(light(r.status).1.to_string()),
            ]
        })
        .collect();
    let sheet = Sheet {
        name: "产业进度".into(),
        title: Some(format!("{} {} 进度(数据截至{})", app.plan.region, ind.name, month.zh())),
        columns,
        rows: data,
    };
    xlsx_response(&format!("progress-{indicator}-{month}.xlsx"), sheet)
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
    let bytes = files::write_xlsx(&[sheet]).map_err(WebError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// Rows an export asks the store for at a time (the store's largest page).
const EXPORT_PAGE: i64 = 10_000;

/// The registry as filtered on screen, every match, as XLSX.
pub async fn export_enterprises(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let mut filter = enterprise_filter(&app, &q);
    (filter.offset, filter.limit) = (0, EXPORT_PAGE);
    let mut rows = Vec::new();
    loop {
        let (list, total) = app.enterprises(&authed.caller, &filter).await?;
        let n = list.len() as i64;
        for e in list {
            rows.push(vec![
                XCell::Number((rows.len() + 1) as f64),
                XCell::Text(e.uscc),
                XCell::Text(e.name),
                XCell::Text(zone_name(&app.plan, &e.zone)),
                XCell::Text(industry_name(&app.plan, &e.industry)),
                e.land_mu.map_or(XCell::Empty, XCell::Number),
                XCell::Text(if e.above_scale { "是" } else { "否" }.into()),
                XCell::Text(e.established.unwrap_or_default()),
                XCell::Text(e.tags.join("、")),
            ]);
        }
        filter.offset += n;
        if n == 0 || filter.offset >= total {
            break;
        }
    }
    let col = |h: &str, d: Option<u32>, w: f64| SheetColumn { header: h.into(), decimals: d, width: w };
    let sheet = Sheet {
        name: "企业名录".into(),
        title: Some(format!("{} 企业名录(共 {} 家)", app.plan.region, rows.len())),
        columns: vec![
            col("序号", Some(0), 8.0),
            col("统一社会信用代码", None, 22.0),
            col("企业名称", None, 30.0),
            col("组团", None, 12.0),
            col("产业", None, 24.0),
            col("用地面积(亩)", Some(1), 14.0),
            col("规上", None, 8.0),
            col("成立日期", None, 12.0),
            col("标签", None, 30.0),
        ],
        rows,
    };
    app.record_export(&authed.caller, "enterprises", &serde_json::to_string(&q).unwrap_or_default(), sheet.rows.len()).await?;
    xlsx_response("enterprises.xlsx", sheet)
}

/// The enterprises behind a cell, every one, as XLSX with the page's columns.
pub async fn export_drill(State(app): State<App>, authed: Authed, Query(q): Query<DrillQuery>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let indicator = q.indicator.clone().unwrap_or_else(|| app.plan.target_indicator.clone());
    let month = chosen_month(&app, q.month.as_deref()).await?.ok_or_else(|| WebError::bad_request("还没有月度数据"))?;
    // Page after page until the cell's count: a cell can hold more enterprises than one query
    // returns, and an export that says "every one" must hold every one.
    let cell = q.cell(&indicator, month);
    let mut d = app.drill_down(&authed.caller, &cell, 0, EXPORT_PAGE).await?;
    while (d.enterprises.len() as i64) < d.total {
        let next = app.drill_down(&authed.caller, &cell, d.enterprises.len() as i64, EXPORT_PAGE).await?;
        if next.enterprises.is_empty() {
            break;
        }
        d.enterprises.extend(next.enterprises);
    }
    let ind = app.plan.indicator(&indicator).expect("checked by drill_down");
    let unit = format!("({})", ind.unit);
    let col = |h: String, d: Option<u32>, w: f64| SheetColumn { header: h, decimals: d, width: w };
    let n = |v: Option<f64>| v.map_or(XCell::Empty, XCell::Number);
    let sheet = Sheet {
        name: "构成企业".into(),
        title: Some(format!(
            "{} · {} {} {}(数据截至{})",
            industry_name(&app.plan, &q.industry),
            zone_name(&app.plan, &q.zone),
            ind.name,
            unit,
            month.zh()
        )),
        columns: vec![
            col("序号".into(), Some(0), 8.0),
            col("统一社会信用代码".into(), None, 22.0),
            col("企业名称".into(), None, 30.0),
            col("组团".into(), None, 12.0),
            col("产业".into(), None, 24.0),
            col(format!("本月{unit}"), Some(2), 14.0),
            col(format!("累计{unit}"), Some(2), 14.0),
            col(format!("上年同期{unit}"), Some(2), 14.0),
            col("同比(%)".into(), Some(1), 10.0),
        ],
        rows: d
            .enterprises
            .iter()
            .enumerate()
            .map(|(i, e)| {
                vec![
                    XCell::Number((i + 1) as f64),
                    XCell::Text(e.uscc.clone()),
                    XCell::Text(e.name.clone()),
                    XCell::Text(zone_name(&app.plan, &e.zone)),
                    XCell::Text(industry_name(&app.plan, &e.industry)),
                    n(e.value),
                    n(e.ytd),
                    n(e.ytd_prev),
                    n(domain::progress::yoy_pct(e.ytd, e.ytd_prev)),
                ]
            })
            .collect(),
    };
    let filter = format!("{indicator} {} {} {month}", q.industry, q.zone);
    app.record_export(&authed.caller, "drill", &filter, sheet.rows.len()).await?;
    xlsx_response(&format!("drill-{}-{}-{month}.xlsx", q.industry, q.zone), sheet)
}
