//! The enterprise registry, one enterprise's months, and the registry export.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use service::App;
use service::EnterpriseFilter;

use crate::WebError;
use crate::auth::Authed;
use crate::format::{industry_name, wan, zone_name};

use super::*;

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

/// The list's filter from the page's query; a zone or industry the plan does not have is an
/// error, not an empty filter that would list everything.
pub fn enterprise_filter(app: &App, q: &EnterpriseQuery) -> Result<EnterpriseFilter, WebError> {
    let zones = match q.zone.as_deref().filter(|z| !z.is_empty() && *z != domain::ALL) {
        Some(z) if app.plan.zone(z).is_some() => {
            app.plan.zones.iter().filter(|x| x.code == z || app.plan.top_zone(&x.code) == z).map(|x| x.code.clone()).collect()
        }
        Some(z) => return Err(WebError::bad_request(format!("未知组团“{}” / unknown zone", domain::shorten(z)))),
        None => Vec::new(),
    };
    let industry = match q.industry.as_deref().filter(|i| !i.is_empty() && *i != domain::ALL) {
        Some(i) => match app.plan.industry(i) {
            Some(known) => Some(known.code.clone()),
            None => return Err(WebError::bad_request(format!("未知产业“{}” / unknown industry", domain::shorten(i)))),
        },
        None => None,
    };
    Ok(EnterpriseFilter {
        search: q.q.clone(),
        zones,
        industry,
        uscc: None,
        offset: match q.page.unwrap_or(1) {
            page @ 1..=1_000_000 => (page - 1) * PAGE_SIZE,
            page => return Err(WebError::bad_request(format!("page={page} 应在 1 到 1000000 之间 / page out of range"))),
        },
        limit: PAGE_SIZE,
    })
}

pub async fn enterprises(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<EnterpriseQuery>,
) -> Result<EnterprisesPage, WebError> {
    let filter = enterprise_filter(&app, &q)?;
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
        zones: app.plan.zones.iter().map(|z| (z.code.to_string(), z.name.clone())).collect(),
        industries: app.plan.industries.iter().map(|i| (i.code.to_string(), i.name.clone())).collect(),
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

pub struct MonthView {
    pub month: String,
    pub values: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "enterprise.html")]
pub struct EnterprisePage {
    pub nav: Nav,
    pub e: service::EnterpriseRow,
    pub zone: String,
    pub industry: String,
    pub park: String,
    pub headers: Vec<String>,
    pub months: Vec<MonthView>,
    pub tags: Vec<service::TagView>,
    /// The designations the caller may set here, and today for the form.
    pub writable: Vec<domain::tags::TagDef>,
    pub today: String,
    /// Its class in each year's final evaluation: (year, class, total).
    pub history: Vec<(i32, &'static str, String)>,
    /// The monthly series of the chart, as JSON: {months, series: [{name, values}]}.
    pub chart: String,
    /// The projects it invests in that the caller may see: (code, name, status, total 万元).
    pub projects: Vec<(String, String, &'static str, String)>,
}

pub async fn enterprise(State(app): State<App>, authed: Authed, Path(uscc): Path<String>) -> Result<EnterprisePage, WebError> {
    let (e, rows) = app.enterprise(&authed.caller, &uscc).await?;
    let tags = app.enterprise_tags(&authed.caller, &e.uscc).await?;
    let history = app
        .evaluation_history(&authed.caller, &e.uscc)
        .await?
        .iter()
        .map(|h| (h.year, h.class, format!("{:.2}", h.total)))
        .collect();
    // The chart: the amounts in 万元 (营业收入, 税收 …), month by month, oldest first (the table
    // below lists the newest first).
    let amounts: Vec<(usize, &domain::Indicator)> =
        app.plan.indicators.iter().enumerate().filter(|(_, i)| i.unit == "万元").take(3).collect();
    let chart = serde_json::json!({
        "months": rows.iter().rev().map(|r| r.month.to_string()).collect::<Vec<_>>(),
        "series": amounts.iter().map(|(k, ind)| serde_json::json!({
            "name": format!("{}({})", ind.name, ind.unit),
            "values": rows.iter().rev().map(|r| r.values[*k].map(|v| domain::Amount { raw: v, decimals: ind.decimals }.as_f64())).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
    .to_string();
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
        park: e.park.as_deref().and_then(|p| app.plan.resolve_park(p)).map_or("—".into(), |p| p.name.clone()),
        headers: app.plan.indicators.iter().map(|i| format!("{}({})", i.name, i.unit)).collect(),
        e,
        months,
        tags,
        writable: app.writable_tags(&authed.caller),
        today: app.clock.today().to_string(),
        history,
        chart,
        projects: app
            .enterprise_projects(&authed.caller, &uscc)
            .await?
            .into_iter()
            .map(|(c, n, s, t)| (c, n, s, wan(Some(t))))
            .collect(),
    })
}

/// The registry as filtered on screen, every match, as XLSX: written a page of the store at a
/// time, so the registry of a large region never sits in memory whole.
pub async fn export_enterprises(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Response, WebError> {
    use files::{SheetColumn, XCell};
    let mut filter = enterprise_filter(&app, &q)?;
    (filter.offset, filter.limit) = (0, EXPORT_PAGE);
    let (first, total) = app.enterprises(&authed.caller, &filter).await?;
    let col = |h: &str, d: Option<u32>, w: f64| SheetColumn { header: h.into(), decimals: d, width: w };
    let columns = [
        col("序号", Some(0), 8.0),
        col("统一社会信用代码", None, 22.0),
        col("企业名称", None, 30.0),
        col("组团", None, 12.0),
        col("产业", None, 24.0),
        col("用地面积(亩)", Some(1), 14.0),
        col("规上", None, 8.0),
        col("成立日期", None, 12.0),
        col("标签", None, 30.0),
        col("园区", None, 26.0),
    ];
    let mut book = files::WorkbookWriter::new();
    let title = format!("{} 企业名录(共 {total} 家)", app.plan.region);
    let mut sheet = book.sheet("企业名录", Some(&title), &columns).map_err(WebError::internal)?;
    let mut page = first;
    let mut written = 0usize;
    loop {
        let n = page.len() as i64;
        for e in page {
            written += 1;
            let park = e.park.as_deref().and_then(|p| app.plan.resolve_park(p)).map_or(String::new(), |p| p.name.clone());
            let row = [
                XCell::Number(written as f64),
                XCell::Text(e.uscc),
                XCell::Text(e.name),
                XCell::Text(zone_name(&app.plan, &e.zone)),
                XCell::Text(industry_name(&app.plan, &e.industry)),
                e.land_mu.map_or(XCell::Empty, XCell::Number),
                XCell::Text(if e.above_scale { "是" } else { "否" }.into()),
                XCell::Text(e.established.unwrap_or_default()),
                XCell::Text(e.tags.join("、")),
                XCell::Text(park),
            ];
            sheet.row(&row).map_err(WebError::internal)?;
        }
        filter.offset += n;
        if n == 0 || filter.offset >= total {
            break;
        }
        page = app.enterprises(&authed.caller, &filter).await?.0;
    }
    let bytes = book.finish().map_err(WebError::internal)?;
    app.record_export(&authed.caller, "enterprises", &serde_json::to_string(&q).unwrap_or_default(), written).await?;
    Ok(super::xlsx_bytes("enterprises.xlsx", bytes))
}
