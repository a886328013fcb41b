//! Tiered cultivation (梯次培育) on the web: the 小升规 library with its workbook, and the 龙头
//! and 链主 selections against the plan's ranges; and their API.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use domain::Month;
use serde::{Deserialize, Serialize};
use service::App;

use crate::auth::Authed;
use crate::format::{industry_name, zone_name};
use crate::pages::{Nav, chosen_month, figures_of, months_to_pick, nav};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/cultivation", &["GET"], get(page)).route("/export/scale-up.xlsx", &["GET"], get(workbook)).route(
        "/api/v1/cultivation",
        &["GET"],
        get(api),
    )
}

#[derive(Deserialize, Serialize, Default)]
pub struct CultivationQuery {
    pub month: Option<String>,
    pub figures: Option<String>,
}

/// The month asked for, else the latest with facts, else the last one ended.
async fn month_of(app: &App, q: &CultivationQuery) -> Result<Month, WebError> {
    Ok(chosen_month(app, q.month.as_deref()).await?.unwrap_or_else(|| app.clock.current_month().prev()))
}

#[derive(Serialize)]
pub struct Cultivation {
    pub scale_up: service::ScaleUpLibrary,
    pub selections: Vec<service::SelectionGroup>,
    pub listing: service::ListingPipeline,
}

async fn cultivation(app: &App, authed: &Authed, q: &CultivationQuery) -> Result<Cultivation, WebError> {
    let month = month_of(app, q).await?;
    let scale_up = app.scale_up_library(&authed.caller, month, figures_of(q.figures.as_deref())?).await?;
    let end = domain::projects::last_day(month);
    let selections = app.selections(&authed.caller, end).await?;
    let listing = app.listing_pipeline(&authed.caller, end).await?;
    Ok(Cultivation { scale_up, selections, listing })
}

pub struct Row {
    pub rank: usize,
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub industry: String,
    pub ttm: String,
    pub previous: String,
    pub growth: String,
    pub gap: String,
    pub crossed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "cultivation.html")]
pub struct Page {
    pub nav: Nav,
    pub month: String,
    pub months: Vec<(String, String)>,
    pub provisional: bool,
    pub threshold: String,
    pub approach: String,
    pub crossed: usize,
    pub rows: Vec<Row>,
    pub selections: Vec<service::SelectionGroup>,
    pub listing: service::ListingPipeline,
    /// Each listing row's zone name and stage dates in words.
    pub listing_rows: Vec<(String, Vec<String>)>,
}

fn wan(v: f64) -> String {
    domain::amount::group_thousands(&format!("{v:.2}"))
}

async fn page(State(app): State<App>, authed: Authed, Query(q): Query<CultivationQuery>) -> Result<Page, WebError> {
    let month = month_of(&app, &q).await?;
    let c = cultivation(&app, &authed, &q).await?;
    let s = &c.scale_up;
    Ok(Page {
        month: month.to_string(),
        months: months_to_pick(&app, month),
        provisional: figures_of(q.figures.as_deref())? == service::Figures::Provisional,
        threshold: wan(s.threshold_wan),
        approach: format!("{:.0}", s.approach_share * 100.0),
        crossed: s.crossed,
        rows: s
            .rows
            .iter()
            .map(|r| Row {
                rank: r.rank,
                uscc: r.uscc.clone(),
                name: r.name.clone(),
                zone: zone_name(&app.plan, &r.zone),
                industry: industry_name(&app.plan, &r.industry),
                ttm: wan(r.reading.ttm_wan),
                previous: r.reading.previous_wan.map_or("—".into(), wan),
                growth: r.reading.growth_pct.map_or("—".into(), |g| format!("{g:+.1}%")),
                gap: if r.reading.crossed { "已达标".into() } else { wan(r.reading.gap_wan) },
                crossed: r.reading.crossed,
            })
            .collect(),
        selections: c.selections,
        listing_rows: c
            .listing
            .rows
            .iter()
            .map(|r| (zone_name(&app.plan, &r.zone), r.reached.iter().map(|d| d.map_or("—".into(), |d| d.to_string())).collect()))
            .collect(),
        listing: c.listing,
        nav: nav(&app, &authed, "cultivation"),
    })
}

/// GET /export/scale-up.xlsx: the 小升规 library and the selections, a sheet each.
async fn workbook(State(app): State<App>, authed: Authed, Query(q): Query<CultivationQuery>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let c = cultivation(&app, &authed, &q).await?;
    let s = &c.scale_up;
    let col = |header: &str, decimals: Option<u32>, width: f64| SheetColumn { header: header.into(), decimals, width };
    let text = |t: &str| XCell::Text(t.to_string());
    let library = Sheet {
        name: "小升规企业库".into(),
        title: Some(format!(
            "{} 小升规企业库(截至{},近12个月营业收入达规上标准{}万元的{}%以上)",
            app.plan.region,
            s.month,
            wan(s.threshold_wan),
            (s.approach_share * 100.0).round()
        )),
        columns: vec![
            col("排名", Some(0), 6.0),
            col("统一社会信用代码", None, 22.0),
            col("企业名称", None, 28.0),
            col("组团", None, 10.0),
            col("产业", None, 18.0),
            col("近12个月营业收入(万元)", Some(2), 18.0),
            col("上年同期12个月(万元)", Some(2), 18.0),
            col("增长(%)", Some(1), 10.0),
            col("距规上标准(万元)", Some(2), 16.0),
            col("状态", None, 12.0),
        ],
        rows: s
            .rows
            .iter()
            .map(|r| {
                vec![
                    XCell::Number(r.rank as f64),
                    text(&r.uscc),
                    text(&r.name),
                    text(&zone_name(&app.plan, &r.zone)),
                    text(&industry_name(&app.plan, &r.industry)),
                    XCell::Number(r.reading.ttm_wan),
                    r.reading.previous_wan.map_or(XCell::Empty, XCell::Number),
                    r.reading.growth_pct.map_or(XCell::Empty, XCell::Number),
                    XCell::Number(r.reading.gap_wan),
                    text(if r.reading.crossed { "已达规上标准" } else { "接近规上标准" }),
                ]
            })
            .collect(),
    };
    let selections = Sheet {
        name: "龙头与链主".into(),
        title: Some(format!("{} 龙头企业遴选与产业链链主(截至{})", app.plan.region, s.month)),
        columns: vec![
            col("称号", None, 12.0),
            col("范围", None, 26.0),
            col("应选(家)", None, 10.0),
            col("已认定(家)", Some(0), 10.0),
            col("判断", None, 8.0),
            col("企业", None, 60.0),
        ],
        rows: c
            .selections
            .iter()
            .map(|g| {
                vec![
                    text(&g.tag_name),
                    text(&g.group_name),
                    text(&if g.min == g.max { g.min.to_string() } else { format!("{}-{}", g.min, g.max) }),
                    XCell::Number(g.holders.len() as f64),
                    text(g.judgement),
                    text(&g.holders.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("、")),
                ]
            })
            .collect(),
    };
    let mut listing_columns = vec![
        col("统一社会信用代码", None, 22.0),
        col("企业名称", None, 28.0),
        col("组团", None, 10.0),
        col("当前阶段", None, 12.0),
    ];
    for (_, name, _) in &c.listing.stages {
        listing_columns.push(col(&format!("{name}日期"), None, 12.0));
    }
    listing_columns.push(col("板块/备注", None, 20.0));
    let listing = Sheet {
        name: "映山红".into(),
        title: Some(format!("{} 企业上市“映山红”行动(截至{})", app.plan.region, s.month)),
        columns: listing_columns,
        rows: c
            .listing
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![text(&r.uscc), text(&r.name), text(&zone_name(&app.plan, &r.zone)), text(&r.stage)];
                row.extend(r.reached.iter().map(|d| d.map_or(XCell::Empty, |d| XCell::Text(d.to_string()))));
                row.push(text(&r.note));
                row
            })
            .collect(),
    };
    crate::pages::workbook_response(&format!("cultivation-{}.xlsx", s.month), &[library, selections, listing])
}

async fn api(State(app): State<App>, authed: Authed, Query(q): Query<CultivationQuery>) -> Result<Json<Cultivation>, WebError> {
    Ok(Json(cultivation(&app, &authed, &q).await?))
}
