//! The cockpit (驾驶舱), the target table and the progress export.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{ALL, Month};
use service::{App, Figures};

use domain::authz::{Action, Role};

use crate::WebError;
use crate::auth::Authed;
use crate::format::{industry_name, light, pct, pp, yi, zone_name};

use super::*;

pub struct MatrixCell {
    pub ytd: String,
    pub attainment: String,
    pub gap: String,
    pub light: &'static str,
    pub word: &'static str,
    pub reason: String,
    pub href: String,
    /// 预计全年 with its odds, labelled as a projection; empty when nothing is projected.
    pub projection: String,
    /// Why nothing is projected, or the years the projection rests on (the cell's tooltip).
    pub projection_note: String,
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
    /// 预计全年 with the odds of the target, "—" where the KPI is not projected.
    pub projection: String,
    /// What the projection rests on (the cell's tooltip).
    pub projection_note: String,
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
    let indicator = q.indicator.unwrap_or_else(|| app.plan.target_indicator.to_string());
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
        provisional: figures_of(q.figures.as_deref())? == Figures::Provisional,
        toggle_href: String::new(),
        figures_param: String::new(),
    };
    let Some(month) = month else { return Ok(page) };
    let figures = figures_of(q.figures.as_deref())?;
    let cockpit = app.cockpit(&authed.caller, &indicator, month, figures).await?;
    let forecast = app.forecast(&authed.caller, &indicator, month, figures).await?;
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
        let (projection, projection_note) = forecast
            .iter()
            .find(|f| f.industry == r.industry && f.zone == r.zone)
            .map(|f| crate::format::projection(f, yi))
            .unwrap_or_default();
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
            projection,
            projection_note,
        });
    }
    page.rows.extend(current);
    page.kpis = kpi_views(&app, &cockpit.kpis);
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

/// The progress table as on screen, as XLSX.
pub async fn export_progress(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<MonthQuery>,
) -> Result<impl IntoResponse, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let indicator = q.indicator.unwrap_or_else(|| app.plan.target_indicator.to_string());
    let month = chosen_month(&app, q.month.as_deref()).await?.ok_or_else(|| WebError::bad_request("还没有月度数据"))?;
    let rows = app.progress(&authed.caller, &indicator, month, figures_of(q.figures.as_deref())?).await?;
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

/// The headline KPIs as the cockpit and the public page show them.
pub(crate) fn kpi_views(app: &App, kpis: &[service::KpiLine]) -> Vec<KpiView> {
    kpis.iter()
        .map(|k| {
            let (light, word) = match (&k.actual, &k.owner) {
                (_, Some(_)) if k.late => ("red", "逾期未报"),
                (Some(a), _) if a.met => ("green", "已达成"),
                (Some(_), _) => ("yellow", "未达成"),
                (None, Some(_)) => ("grey", "待填报"),
                (None, None) => ("grey", "待接入"),
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
                actual: k.actual.as_ref().map_or_else(|| "—".to_string(), |a| crate::format::kpi_value(a.value)),
                projection: k.projection.as_ref().map_or_else(
                    || "—".to_string(),
                    |p| format!("{} · 达标概率 {:.0}%", crate::format::kpi_value(p.value), p.probability * 100.0),
                ),
                projection_note: k.projection.as_ref().map_or_else(String::new, |p| {
                    format!(
                        "按{}年同期完成比例推算,区间 {} ~ {}",
                        p.years.iter().map(i32::to_string).collect::<Vec<_>>().join("、"),
                        crate::format::kpi_value(p.low),
                        crate::format::kpi_value(p.high)
                    )
                }),
                basis: match (&k.actual, &k.supplied_by, &k.owner) {
                    (Some(a), _, _) => a.basis.clone(),
                    (None, Some(m), _) => format!("由 {} 模块提供(建设中)", app.plan.module_name(m)),
                    (None, None, Some(owner)) => format!("由{owner}填报,尚未填报"),
                    (None, None, None) => "数据不足".to_string(),
                },
                light,
                word,
            }
        })
        .collect()
}
