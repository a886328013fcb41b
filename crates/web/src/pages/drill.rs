//! The drill-down from a progress cell to the enterprises behind it, and its export.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Response;
use domain::Month;
use serde::Deserialize;
use service::App;

use crate::WebError;
use crate::auth::Authed;
use crate::format::{industry_name, light, pct, pp, wan, zone_name};

use super::*;

impl DrillQuery {
    pub fn cell<'a>(&'a self, indicator: &'a str, month: Month) -> Result<service::Cell<'a>, WebError> {
        Ok(service::Cell {
            indicator,
            industry: &self.industry,
            zone: &self.zone,
            month,
            figures: figures_of(self.figures.as_deref())?,
        })
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
    /// 预计全年 and what it rests on, or why there is none.
    pub projection: String,
    pub projection_note: String,
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
    let indicator = q.indicator.clone().unwrap_or_else(|| app.plan.target_indicator.to_string());
    let month = chosen_month(&app, q.month.as_deref()).await?.ok_or_else(|| WebError::bad_request("还没有月度数据"))?;
    let page = q.page.unwrap_or(1).max(1);
    let d = app.drill_down(&authed.caller, &q.cell(&indicator, month)?, (page - 1) * PAGE_SIZE, PAGE_SIZE).await?;
    let ind = app.plan.indicator(&indicator).expect("checked by drill_down");
    let (light, word) = light(d.row.status);
    let (projection, projection_note) = d.projection.as_ref().map(|f| crate::format::projection(f, wan)).unwrap_or_default();
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
        projection,
        projection_note,
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

/// The enterprises behind a cell, every one, as XLSX with the page's columns.
pub async fn export_drill(State(app): State<App>, authed: Authed, Query(q): Query<DrillQuery>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let indicator = q.indicator.clone().unwrap_or_else(|| app.plan.target_indicator.to_string());
    let month = chosen_month(&app, q.month.as_deref()).await?.ok_or_else(|| WebError::bad_request("还没有月度数据"))?;
    // Page after page until the cell's count: a cell can hold more enterprises than one query
    // returns, and an export that says "every one" must hold every one.
    let cell = q.cell(&indicator, month)?;
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
