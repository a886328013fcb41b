//! M6 on the web: a year's per-mu evaluation runs with their publication workflow, the ranked
//! results, one enterprise's result explained (what would lift it a class, its history, its
//! objections), the lists drawn from a run with their workbook; and their API.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use domain::authz::Action;
use domain::calendar::Date;
use serde::{Deserialize, Serialize};
use service::{App, Source};

use crate::auth::Authed;
use crate::pages::{Nav, figures_of, nav};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/evaluation", &["GET"], get(list))
        .route("/evaluation/lists", &["GET"], get(lists_page))
        .route("/evaluation/runs", &["POST"], post(create))
        .route("/evaluation/runs/{id}/{action}", &["POST"], post(step))
        .route("/evaluation/runs/{id}/objections", &["POST"], post(object))
        .route("/evaluation/objections/{id}", &["POST"], post(decide))
        .route("/evaluation/adjustments", &["POST"], post(adjust))
        .route("/evaluation/{uscc}", &["GET"], get(detail))
        .route("/export/evaluation.xlsx", &["GET"], get(workbook))
        .route("/api/v1/evaluation", &["GET"], get(list_api))
        .route("/api/v1/evaluation/{uscc}", &["GET"], get(detail_api))
        .route("/api/v1/evaluation-runs", &["GET", "POST"], get(runs_api).post(create_api))
        .route("/api/v1/evaluation-runs/{id}/lists", &["GET"], get(lists_api))
        .route("/api/v1/evaluation-runs/{id}/objections", &["POST"], post(object_api))
        .route("/api/v1/evaluation-runs/{id}/{action}", &["POST"], post(step_api))
        .route("/api/v1/evaluation-objections/{id}", &["POST"], post(decide_api))
        .route("/api/v1/evaluation-adjustments", &["POST"], post(adjust_api))
}

#[derive(Deserialize, Default)]
pub struct EvalQuery {
    pub year: Option<i32>,
    pub figures: Option<String>,
    /// A saved run; without it, the year's last final run, else its last run, else a trial.
    pub run: Option<i64>,
    /// "1": compute now, saved nowhere (试算), whatever runs there are.
    pub trial: Option<String>,
}

/// The year asked for, else the last one ended.
fn year_of(app: &App, year: Option<i32>) -> Result<i32, WebError> {
    match year {
        Some(y) if (1900..=9999).contains(&y) => Ok(y),
        Some(y) => Err(WebError::bad_request(format!("年份 {y} 不正确 / bad year"))),
        None => Ok(app.clock.today().year - 1),
    }
}

/// What a page or API call reads: the run asked for, the year's default run, or a trial. An
/// enterprise without a published run gets no source at all.
/// `runs`: the year's runs, when the caller has them already.
async fn source_of(
    app: &App,
    authed: &Authed,
    year: i32,
    q: &EvalQuery,
    runs: Option<&[service::RunView]>,
) -> Result<Option<Source>, WebError> {
    let figures = figures_of(q.figures.as_deref())?;
    if let Some(id) = q.run.filter(|id| !(1..=1_000_000_000_000).contains(id)) {
        return Err(WebError::bad_request(format!("批次号 {id} 不正确 / run is a positive number")));
    }
    match q.trial.as_deref() {
        Some("1") => return Ok(Some(Source::Trial(figures))),
        Some(other) => {
            return Err(WebError::bad_request(format!(
                "trial=“{}”不认识,只能为 1 / trial is 1 or absent",
                domain::shorten(other)
            )));
        }
        None => {}
    }
    if let Some(id) = q.run {
        return Ok(Some(Source::Run(id)));
    }
    let fetched;
    let runs = match runs {
        Some(r) => r,
        None => {
            fetched = app.evaluation_runs(&authed.caller, year).await?;
            &fetched
        }
    };
    Ok(match service::default_run(runs) {
        Some(id) => Some(Source::Run(id)),
        None if authed.caller.actor.may(Action::ReadAggregates) => Some(Source::Trial(figures)),
        None => None,
    })
}

fn not_found(message: String) -> WebError {
    WebError { status: axum::http::StatusCode::NOT_FOUND, message }
}

fn num(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.2}"))
}

fn class_zh(code: &str) -> &'static str {
    match code {
        "A" => "A类(优先发展)",
        "B" => "B类(鼓励提升)",
        "C" => "C类(规范转型)",
        "D" => "D类(调控帮扶)",
        _ => "不定等级",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation.html")]
pub struct ListPage {
    pub nav: Nav,
    pub year: i32,
    pub years: Vec<i32>,
    /// What the list shows, in words.
    pub showing: String,
    pub run: Option<i64>,
    /// The run shown, 0 for none (for the template's comparisons).
    pub current: i64,
    pub runs: Vec<service::RunView>,
    pub may_run: bool,
    pub today: String,
    pub counts: Vec<(&'static str, String)>,
    /// Each result with its zone's name.
    pub rows: Vec<(service::Evaluated, String)>,
    pub message: String,
    /// Whether the caller reads the lists and the workbook (not an enterprise).
    pub staff: bool,
}

async fn list(State(app): State<App>, authed: Authed, Query(q): Query<EvalQuery>) -> Result<ListPage, WebError> {
    let year = year_of(&app, q.year)?;
    let runs = app.evaluation_runs(&authed.caller, year).await?;
    let source = source_of(&app, &authed, year, &q, Some(&runs)).await?;
    let mut rows = match source {
        Some(s) => app.evaluation_results(&authed.caller, year, s).await?,
        None => Vec::new(),
    };
    rows.sort_by(|a, b| a.scale.cmp(b.scale).then(a.rank.unwrap_or(usize::MAX).cmp(&b.rank.unwrap_or(usize::MAX))));
    let count = |scale: &str| {
        let of: Vec<_> = rows.iter().filter(|r| r.scale == scale).collect();
        let c = |k: &str| of.iter().filter(|r| r.class == k).count();
        format!("{} 家:A {} · B {} · C {} · D {} · 不定等级 {}", of.len(), c("A"), c("B"), c("C"), c("D"), c("ungraded"))
    };
    let showing = match source {
        Some(Source::Run(id)) => match runs.iter().find(|r| r.id == id) {
            Some(r) => format!("第 {id} 批次 · {}", r.state_zh),
            None => return Err(not_found(format!("{year}年没有第 {id} 批次 / no such run in {year}"))),
        },
        Some(Source::Trial(f)) => {
            format!("试算(未保存){}", if f == service::Figures::Provisional { ",含未审核数据" } else { ",正式数据" })
        }
        None => "尚未公示".into(),
    };
    Ok(ListPage {
        year,
        years: (app.plan.baseline_year..app.clock.today().year).rev().collect(),
        showing,
        run: match source {
            Some(Source::Run(id)) => Some(id),
            _ => None,
        },
        current: match source {
            Some(Source::Run(id)) => id,
            _ => 0,
        },
        runs,
        may_run: authed.caller.actor.may(Action::RunEvaluation),
        today: app.clock.today().to_string(),
        counts: vec![("规上", count("above")), ("规下", count("below"))],
        message: if source.is_none() { format!("{year}年的评价结果尚未公示。") } else { String::new() },
        rows: rows
            .into_iter()
            .map(|r| {
                let zone = crate::format::zone_name(&app.plan, &r.zone);
                (r, zone)
            })
            .collect(),
        staff: authed.caller.actor.may(Action::ReadAggregates),
        nav: nav(&app, &authed, "evaluation"),
    })
}

pub struct LineView {
    pub name: String,
    pub weight: String,
    pub value: String,
    pub benchmark: String,
    pub score: String,
    pub note: String,
    pub what_if: String,
}

pub struct ObjectionRow {
    pub id: i64,
    pub text: String,
    pub raised: String,
    pub outcome: &'static str,
    pub decision: String,
    pub pending: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation_detail.html")]
pub struct DetailPage {
    pub nav: Nav,
    pub year: i32,
    pub run: Option<i64>,
    pub name: String,
    pub uscc: String,
    pub scale: &'static str,
    pub class: &'static str,
    pub total: String,
    pub rank: String,
    pub policy: String,
    pub exempt: String,
    pub adjustment: String,
    pub history: Vec<(i32, &'static str, String)>,
    /// Years in D running, in words (empty when not in D).
    pub in_d: String,
    pub lines: Vec<LineView>,
    pub objections: Vec<ObjectionRow>,
    /// The run is under publication and the caller may object.
    pub may_object: bool,
    pub may_run: bool,
}

async fn detail(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
    Query(q): Query<EvalQuery>,
) -> Result<DetailPage, WebError> {
    let year = year_of(&app, q.year)?;
    let Some(source) = source_of(&app, &authed, year, &q, None).await? else {
        return Err(not_found(format!("{year}年的评价结果尚未公示 / not published")));
    };
    let d = app.evaluation_detail(&authed.caller, year, &uscc, source).await?;
    let r = &d.result;
    let state = match d.run {
        Some(id) => app.evaluation_run(&authed.caller, id).await?.state,
        None => "trial",
    };
    Ok(DetailPage {
        year,
        run: d.run,
        name: r.name.clone(),
        uscc: r.uscc.clone(),
        scale: if r.scale == "above" { "规上" } else { "规下" },
        class: class_zh(r.class),
        total: format!("{:.2}", r.total),
        rank: match (r.rank, d.percentile) {
            (Some(k), Some(p)) => format!("第 {k} / {} 名,超过或持平 {p:.1}% 的企业", r.ranked),
            _ => "不参与排名".into(),
        },
        policy: d.policy.clone(),
        exempt: r.exempt.clone().unwrap_or_default(),
        adjustment: if d.adjustment == 0.0 {
            String::new()
        } else {
            format!("{:+.2} 分({})", d.adjustment, d.adjustment_reason)
        },
        history: d.history.iter().map(|h| (h.year, class_zh(h.class), format!("{:.2}", h.total))).collect(),
        in_d: match (d.years_in_d, state) {
            (0, _) => String::new(),
            (n, "locked") => format!("连续 {n} 年D类"),
            (n, _) => format!("连续 {n} 年D类(含本次结果)"),
        },
        lines: d
            .lines
            .iter()
            .map(|l| LineView {
                name: l.name.clone(),
                weight: format!("{}", l.weight),
                value: num(l.value),
                benchmark: num(l.benchmark),
                score: format!("{:.2}", l.score),
                note: if l.imputed {
                    "缺数据,取有数据企业的平均分".into()
                } else if l.capped {
                    "已封顶".into()
                } else {
                    String::new()
                },
                what_if: match (r.class, l.numerator_for_next_class, l.numerator_now) {
                    ("A" | "ungraded", _, _) => "—".into(),
                    (_, Some(v), now) => format!("{}达到 {v:.2}(现为 {})即可升一级", l.numerator, num(now)),
                    (_, None, _) => "仅靠此项无法升级".into(),
                },
            })
            .collect(),
        objections: d
            .objections
            .iter()
            .map(|o| ObjectionRow {
                id: o.id,
                text: o.text.clone(),
                raised: format!("{} {}", o.raised_by, crate::account::china_time(o.raised_at)),
                outcome: match o.outcome.as_str() {
                    "upheld" => "异议成立",
                    "rejected" => "异议不成立",
                    _ => "待处理",
                },
                decision: o.decision.clone(),
                pending: o.outcome == "pending",
            })
            .collect(),
        may_object: state == "submitted" && authed.caller.actor.may(Action::ObjectEvaluation),
        may_run: authed.caller.actor.may(Action::RunEvaluation),
        nav: nav(&app, &authed, "evaluation"),
    })
}

// ------------------------------------------------------------------ runs and their steps

#[derive(Deserialize, Serialize)]
pub struct CreateForm {
    #[serde(default)]
    pub csrf: String,
    pub year: i32,
    #[serde(default)]
    pub figures: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct StepForm {
    #[serde(default)]
    pub csrf: String,
    /// The first day of publication (YYYY-MM-DD), today if absent.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub reason: String,
}

#[derive(Deserialize)]
pub struct ObjectionForm {
    #[serde(default)]
    pub csrf: String,
    pub uscc: String,
    pub text: String,
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub csrf: String,
    /// "upheld" or "rejected".
    pub outcome: String,
    pub decision: String,
}

#[derive(Deserialize)]
pub struct AdjustmentForm {
    #[serde(default)]
    pub csrf: String,
    pub year: i32,
    pub uscc: String,
    pub points: f64,
    #[serde(default)]
    pub reason: String,
}

/// What a step did, for the API.
#[derive(Serialize)]
pub struct Done {
    pub run: i64,
    pub state: &'static str,
}

async fn take_step(app: &App, authed: &Authed, id: i64, step: &str, f: &StepForm) -> Result<(), WebError> {
    let c = &authed.caller;
    match step {
        "recompute" => app.rerun_evaluation(c, id).await?,
        "publish" => {
            let from = match f.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                Some(s) => Some(
                    Date::parse(s)
                        .ok_or_else(|| WebError::bad_request(format!("日期“{}”应为 YYYY-MM-DD", domain::shorten(s))))?,
                ),
                None => None,
            };
            app.publish_evaluation(c, id, from).await?;
        }
        "withdraw" => app.withdraw_evaluation(c, id, &f.reason).await?,
        "finalise" => app.finalise_evaluation(c, id).await?,
        other => {
            return Err(not_found(format!(
                "没有“{}”这一步(recompute、publish、withdraw、finalise) / no such step",
                domain::shorten(other)
            )));
        }
    }
    Ok(())
}

async fn run_year(app: &App, authed: &Authed, id: i64) -> Result<(i32, &'static str), WebError> {
    let run = app.evaluation_run(&authed.caller, id).await?;
    Ok((run.year, run.state))
}

async fn create(State(app): State<App>, authed: Authed, Form(f): Form<CreateForm>) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let id = app.run_evaluation(&authed.caller, f.year, figures_of(f.figures.as_deref())?).await?;
    Ok(Redirect::to(&format!("/evaluation?year={}&run={id}", f.year)).into_response())
}

async fn step(
    State(app): State<App>,
    authed: Authed,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<StepForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    take_step(&app, &authed, id, &action, &f).await?;
    let (year, _) = run_year(&app, &authed, id).await?;
    Ok(Redirect::to(&format!("/evaluation?year={year}&run={id}")).into_response())
}

async fn object(
    State(app): State<App>,
    authed: Authed,
    Path(id): Path<i64>,
    Form(f): Form<ObjectionForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    app.object_to_evaluation(&authed.caller, id, f.uscc.trim(), &f.text).await?;
    let (year, _) = run_year(&app, &authed, id).await?;
    Ok(Redirect::to(&format!("/evaluation/{}?year={year}&run={id}", f.uscc.trim())).into_response())
}

fn upheld(outcome: &str) -> Result<bool, WebError> {
    match outcome {
        "upheld" => Ok(true),
        "rejected" => Ok(false),
        other => Err(WebError::bad_request(format!("处理结果应为 upheld 或 rejected,不是“{}”", domain::shorten(other)))),
    }
}

async fn decide(
    State(app): State<App>,
    authed: Authed,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let o = app.decide_objection(&authed.caller, id, upheld(&f.outcome)?, &f.decision).await?;
    let (year, _) = run_year(&app, &authed, o.run).await?;
    Ok(Redirect::to(&format!("/evaluation/{}?year={year}&run={}", o.uscc, o.run)).into_response())
}

async fn adjust(State(app): State<App>, authed: Authed, Form(f): Form<AdjustmentForm>) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    app.set_evaluation_adjustment(&authed.caller, f.year, f.uscc.trim(), f.points, &f.reason).await?;
    Ok(Redirect::to(&format!("/evaluation/{}?year={}&trial=1", f.uscc.trim(), f.year)).into_response())
}

// ------------------------------------------------------------------ lists and their workbook

#[derive(Deserialize)]
pub struct RunQuery {
    pub run: i64,
}

fn aggregate_row(z: &service::ZoneAggregate) -> (String, usize, String, Vec<String>) {
    (z.name.clone(), z.enterprises, format!("{:.2}", z.land_mu), z.per_mu.values().map(|v| num(*v)).collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation_lists.html")]
pub struct ListsPage {
    pub nav: Nav,
    pub lists: service::EvaluationLists,
    pub sections: Vec<(&'static str, &'static str, Vec<service::ListEntry>)>,
    /// The zones' and the parks' per-mu tables: (id, what a row is, title, rows).
    #[allow(clippy::type_complexity)]
    pub per_mu: Vec<(&'static str, &'static str, &'static str, Vec<(String, usize, String, Vec<String>)>)>,
}

async fn lists_page(State(app): State<App>, authed: Authed, Query(q): Query<RunQuery>) -> Result<ListsPage, WebError> {
    let mut lists = app.evaluation_lists(&authed.caller, q.run).await?;
    for e in lists.zombies.iter_mut().chain(&mut lists.low_efficiency).chain(&mut lists.d_running) {
        e.zone = crate::format::zone_name(&app.plan, &e.zone);
    }
    Ok(ListsPage {
        sections: vec![
            ("zombies", "僵尸企业候选(用地但当年无营业收入、无税收)", lists.zombies.clone()),
            ("low-efficiency", "低效企业(D类,或亩均税收连续两年低于基准三成)", lists.low_efficiency.clone()),
            ("d-running", "连续两年及以上D类", lists.d_running.clone()),
        ],
        per_mu: [("zones", "组团", "各组团亩均效益", &lists.zones), ("parks", "园区", "各特色园区亩均效益", &lists.parks)]
            .into_iter()
            .filter(|(_, _, _, of)| !of.is_empty())
            .map(|(id, what, title, of)| (id, what, title, of.iter().map(aggregate_row).collect()))
            .collect(),
        lists,
        nav: nav(&app, &authed, "evaluation"),
    })
}

/// GET /export/evaluation.xlsx?run=N: the run's results and every list, one sheet each.
async fn workbook(State(app): State<App>, authed: Authed, Query(q): Query<RunQuery>) -> Result<Response, WebError> {
    use files::{Sheet, SheetColumn, XCell};
    let lists = app.evaluation_lists(&authed.caller, q.run).await?;
    let year = lists.year;
    let col = |header: &str, decimals: Option<u32>, width: f64| SheetColumn { header: header.into(), decimals, width };
    let zone_name = |z: &str| app.plan.zones.iter().find(|x| x.code.as_str() == z).map_or(z.to_string(), |x| x.name.clone());
    let text = |s: &str| XCell::Text(s.to_string());
    let mut result_columns = vec![
        col("规模", None, 6.0),
        col("排名", Some(0), 6.0),
        col("统一社会信用代码", None, 22.0),
        col("企业名称", None, 28.0),
        col("组团", None, 10.0),
        col("总分", Some(2), 8.0),
        col("等级", None, 8.0),
    ];
    let codes: Vec<std::sync::Arc<str>> = app
        .plan
        .evaluation
        .as_ref()
        .map(|r| {
            let mut v: Vec<std::sync::Arc<str>> = Vec::new();
            for i in r.method.above.iter().chain(&r.method.below) {
                if !v.contains(&i.code) {
                    v.push(i.code.clone());
                }
            }
            v
        })
        .unwrap_or_default();
    for c in &codes {
        result_columns.push(col(&format!("{c} 得分"), Some(2), 12.0));
    }
    // The results, some 100,000 rows in a large region, go to the workbook as they are read.
    let mut book = files::WorkbookWriter::new();
    let title = format!("{} {year}年亩产效益综合评价结果(第 {} 批次)", app.plan.region, q.run);
    let mut sheet = book.sheet("评价结果", Some(&title), &result_columns).map_err(WebError::internal)?;
    let mut row = Vec::with_capacity(result_columns.len());
    for r in app.run_lines(&authed.caller, q.run).await? {
        row.clear();
        row.extend([
            text(if r.scale == "above" { "规上" } else { "规下" }),
            r.rank.map_or(XCell::Empty, |k| XCell::Number(k as f64)),
            text(&r.uscc),
            text(&r.name),
            text(&zone_name(&r.zone)),
            XCell::Number(r.total),
            text(if r.class == "ungraded" { "不定等级" } else { r.class }),
        ]);
        row.extend(codes.iter().map(|c| r.scores.iter().find(|(k, _)| k == c).map_or(XCell::Empty, |(_, v)| XCell::Number(*v))));
        sheet.row(&row).map_err(WebError::internal)?;
    }
    let list_sheet = |name: &str, entries: &[service::ListEntry]| Sheet {
        name: name.into(),
        title: Some(format!("{} {year}年 {name}", app.plan.region)),
        columns: vec![
            col("统一社会信用代码", None, 22.0),
            col("企业名称", None, 28.0),
            col("组团", None, 10.0),
            col("规模", None, 6.0),
            col("等级", None, 8.0),
            col("总分", Some(2), 8.0),
            col("连续D类年数", Some(0), 10.0),
            col("原因", None, 36.0),
        ],
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    text(&e.uscc),
                    text(&e.name),
                    text(&zone_name(&e.zone)),
                    text(if e.scale == "above" { "规上" } else { "规下" }),
                    text(if e.class == "ungraded" { "不定等级" } else { e.class }),
                    XCell::Number(e.total),
                    XCell::Number(f64::from(e.years_in_d)),
                    text(&e.reason),
                ]
            })
            .collect(),
    };
    let mut zone_columns = vec![col("组团", None, 12.0), col("企业数", Some(0), 8.0), col("用地(亩)", Some(2), 12.0)];
    for (_, name) in &lists.per_mu_indicators {
        zone_columns.push(col(name, Some(2), 14.0));
    }
    let per_mu_sheet = |name: &str, what: &str, of: &[service::ZoneAggregate]| {
        let mut columns = zone_columns.clone();
        columns[0].header = what.into();
        Sheet {
            name: name.into(),
            title: Some(format!("{} {year}年 各{what}亩均效益(万元/亩)", app.plan.region)),
            columns,
            rows: of
                .iter()
                .map(|z| {
                    let mut row = vec![text(&z.name), XCell::Number(z.enterprises as f64), XCell::Number(z.land_mu)];
                    row.extend(z.per_mu.values().map(|v| v.map_or(XCell::Empty, XCell::Number)));
                    row
                })
                .collect(),
        }
    };
    for sheet in [
        list_sheet("僵尸企业候选", &lists.zombies),
        list_sheet("低效企业", &lists.low_efficiency),
        list_sheet("连续D类", &lists.d_running),
        per_mu_sheet("组团亩均", "组团", &lists.zones),
        per_mu_sheet("园区亩均", "园区", &lists.parks),
    ] {
        book.add(&sheet).map_err(WebError::internal)?;
    }
    let bytes = book.finish().map_err(WebError::internal)?;
    Ok(crate::pages::xlsx_bytes(&format!("evaluation-{year}-run{}.xlsx", q.run), bytes))
}

// ------------------------------------------------------------------ API

async fn list_api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<EvalQuery>,
) -> Result<Json<Vec<service::Evaluated>>, WebError> {
    let year = year_of(&app, q.year)?;
    Ok(Json(match source_of(&app, &authed, year, &q, None).await? {
        Some(s) => app.evaluation_results(&authed.caller, year, s).await?,
        None => Vec::new(),
    }))
}

async fn detail_api(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
    Query(q): Query<EvalQuery>,
) -> Result<Json<service::EvaluationDetail>, WebError> {
    let year = year_of(&app, q.year)?;
    let Some(source) = source_of(&app, &authed, year, &q, None).await? else {
        return Err(not_found(format!("{year}年的评价结果尚未公示 / not published")));
    };
    Ok(Json(app.evaluation_detail(&authed.caller, year, &uscc, source).await?))
}

async fn runs_api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<EvalQuery>,
) -> Result<Json<Vec<service::RunView>>, WebError> {
    let year = year_of(&app, q.year)?;
    Ok(Json(app.evaluation_runs(&authed.caller, year).await?))
}

async fn create_api(State(app): State<App>, authed: Authed, Json(f): Json<CreateForm>) -> Result<Json<Done>, WebError> {
    let id = app.run_evaluation(&authed.caller, f.year, figures_of(f.figures.as_deref())?).await?;
    let (_, state) = run_year(&app, &authed, id).await?;
    Ok(Json(Done { run: id, state }))
}

async fn step_api(
    State(app): State<App>,
    authed: Authed,
    Path((id, action)): Path<(i64, String)>,
    Json(f): Json<StepForm>,
) -> Result<Json<Done>, WebError> {
    take_step(&app, &authed, id, &action, &f).await?;
    let (_, state) = run_year(&app, &authed, id).await?;
    Ok(Json(Done { run: id, state }))
}

async fn lists_api(
    State(app): State<App>,
    authed: Authed,
    Path(id): Path<i64>,
) -> Result<Json<service::EvaluationLists>, WebError> {
    Ok(Json(app.evaluation_lists(&authed.caller, id).await?))
}

async fn object_api(
    State(app): State<App>,
    authed: Authed,
    Path(id): Path<i64>,
    Json(f): Json<ObjectionForm>,
) -> Result<Json<service::ObjectionView>, WebError> {
    let oid = app.object_to_evaluation(&authed.caller, id, f.uscc.trim(), &f.text).await?;
    Ok(Json(app.objection(&authed.caller, oid).await?))
}

async fn decide_api(
    State(app): State<App>,
    authed: Authed,
    Path(id): Path<i64>,
    Json(f): Json<DecisionForm>,
) -> Result<Json<service::ObjectionView>, WebError> {
    Ok(Json(app.decide_objection(&authed.caller, id, upheld(&f.outcome)?, &f.decision).await?))
}

async fn adjust_api(
    State(app): State<App>,
    authed: Authed,
    Json(f): Json<AdjustmentForm>,
) -> Result<Json<serde_json::Value>, WebError> {
    app.set_evaluation_adjustment(&authed.caller, f.year, f.uscc.trim(), f.points, &f.reason).await?;
    Ok(Json(serde_json::json!({ "year": f.year, "uscc": f.uscc.trim(), "points": f.points })))
}
