//! 审核提示: a zone's month's review flags, explained by the zone and decided by the coordinator,
//! and the coordinator's data-quality page over a year.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json};
use domain::Month;
use domain::authz::{Action, Role};
use domain::review::{Decision, FlagStatus, rule_zh};
use domain::submission::SubmissionState;
use files::{Sheet, SheetColumn, XCell};
use serde::Deserialize;
use service::{App, FlagRef, ReviewSheet, SheetFlag};

use crate::auth::Authed;
use crate::format::{kpi_value, pct, wan, zone_name};
use crate::pages::{Nav, nav};
use crate::workflow::{YearQuery, chosen_year};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/submissions/{zone}/{month}/review", &["GET"], get(page))
        .route("/submissions/{zone}/{month}/review.xlsx", &["GET"], get(month_xlsx))
        .route("/submissions/{zone}/{month}/review/explain", &["POST"], post(explain))
        .route("/submissions/{zone}/{month}/review/decide", &["POST"], post(decide))
        .route("/data-quality", &["GET"], get(quality))
        .route("/data-quality.xlsx", &["GET"], get(quality_xlsx))
        .route("/api/v1/review/{zone}/{month}", &["GET"], get(sheet_api))
        .route("/api/v1/review/{zone}/{month}/explain", &["POST"], post(explain_api))
        .route("/api/v1/review/{zone}/{month}/decide", &["POST"], post(decide_api))
        .route("/api/v1/data-quality", &["GET"], get(quality_api))
}

/// A flag's value or reference as read: a ratio as a percentage, an amount in its unit.
fn shown(app: &App, f: &SheetFlag, v: Option<f64>) -> String {
    let Some(v) = v else { return "—".into() };
    if matches!(f.kept.flag.rule, "va_ratio" | "tax_ratio") {
        return pct(Some(v * 100.0));
    }
    match f.kept.flag.indicator.as_deref().and_then(|i| app.plan.indicator(i)) {
        Some(ind) if ind.unit == "万元" => format!("{} 万元", wan(Some(v))),
        Some(ind) => format!("{} {}", kpi_value(v), ind.unit),
        None => kpi_value(v),
    }
}

fn indicator_zh(app: &App, f: &SheetFlag) -> String {
    f.kept.flag.indicator.as_deref().map_or("—".into(), |i| app.plan.indicator(i).map_or(i.to_string(), |x| x.name.clone()))
}

fn status_class(s: FlagStatus) -> &'static str {
    match s {
        FlagStatus::Blocking | FlagStatus::Returned => "red",
        FlagStatus::Unexplained => "yellow",
        FlagStatus::Explained => "blue",
        FlagStatus::Accepted => "green",
    }
}

/// One flag as the page lists it.
pub struct FlagView {
    pub uscc: String,
    pub name: String,
    pub rule: &'static str,
    pub rule_zh: &'static str,
    pub indicator: String,
    pub indicator_zh: String,
    pub value: String,
    pub reference: String,
    pub status: &'static str,
    pub class: &'static str,
    pub explanation: String,
    pub decision_reason: String,
    pub may_explain: bool,
    pub may_decide: bool,
    /// What the user typed, kept when the server refused it.
    pub typed: String,
}

/// A rule's flags that a single action may take at once.
pub struct RuleBatch {
    pub rule: &'static str,
    pub rule_zh: &'static str,
    pub count: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub nav: Nav,
    pub zone: String,
    pub zone_name: String,
    pub month: String,
    pub month_zh: String,
    pub state: &'static str,
    pub flags: Vec<FlagView>,
    pub tally: Vec<(&'static str, &'static str, usize)>,
    /// Rules with flags the zone may explain all at once.
    pub to_explain: Vec<RuleBatch>,
    /// Explained flags the coordinator may accept at once.
    pub to_accept: usize,
    pub error: Option<String>,
    pub saved: Option<usize>,
    pub guidance: &'static str,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    pub saved: Option<usize>,
}

fn parse_month(month: &str) -> Result<Month, WebError> {
    Month::parse(month).map_err(|e| WebError::bad_request(e.to_string()))
}

/// Whether the reader is the zone itself (who explains) and whether a reviewer (who decides).
fn roles(authed: &Authed, zone: &str) -> (bool, bool) {
    let a = authed.actor();
    let own = a.role == Role::Zone && a.scope.as_deref() == Some(zone);
    (own, a.may(Action::ReviewSubmissions) && !a.operator)
}

/// What was typed into one flag's form (or a rule's), to show again with the refusal.
pub(crate) struct Typed<'a> {
    key: (&'a str, &'a str, &'a str),
    text: &'a str,
}

fn render(
    app: &App,
    authed: &Authed,
    sheet: ReviewSheet,
    error: Option<String>,
    typed: Option<Typed<'_>>,
    saved: Option<usize>,
) -> ReviewPage {
    let (own, reviewer) = roles(authed, &sheet.zone);
    let open = sheet.state.editable();
    let submitted = sheet.state == SubmissionState::Submitted;
    let flags: Vec<FlagView> = sheet
        .flags
        .iter()
        .map(|f| {
            let blocking = f.status == FlagStatus::Blocking;
            let key = (f.kept.flag.uscc.as_str(), f.kept.flag.rule, f.kept.flag.indicator.as_deref().unwrap_or(""));
            FlagView {
                uscc: f.kept.flag.uscc.clone(),
                name: f.name.clone(),
                rule: f.kept.flag.rule,
                rule_zh: rule_zh(f.kept.flag.rule),
                indicator: key.2.to_string(),
                indicator_zh: indicator_zh(app, f),
                value: shown(app, f, f.kept.flag.value),
                reference: shown(app, f, f.kept.flag.reference),
                status: f.status.zh(),
                class: status_class(f.status),
                explanation: f.kept.explanation.clone(),
                decision_reason: f.kept.decision_reason.clone(),
                may_explain: own && open && !blocking,
                may_decide: reviewer && submitted && !f.kept.explanation.is_empty() && !blocking,
                typed: typed.as_ref().filter(|t| t.key == key).map_or_else(|| f.kept.explanation.clone(), |t| t.text.to_string()),
            }
        })
        .collect();
    let count = |s: FlagStatus| sheet.flags.iter().filter(|f| f.status == s).count();
    let tally = FlagStatus::ALL.iter().map(|s| (s.zh(), status_class(*s), count(*s))).filter(|t| t.2 > 0).collect();
    let to_explain = if own && open {
        domain::review::RULES
            .iter()
            .map(|(rule, zh)| RuleBatch {
                rule,
                rule_zh: zh,
                count: sheet
                    .flags
                    .iter()
                    .filter(|f| f.kept.flag.rule == *rule && matches!(f.status, FlagStatus::Unexplained | FlagStatus::Returned))
                    .count(),
            })
            .filter(|b| b.count > 1)
            .collect()
    } else {
        Vec::new()
    };
    let to_accept = if reviewer && submitted { count(FlagStatus::Explained) } else { 0 };
    let guidance = match (own, reviewer) {
        (true, _) if open => {
            "请逐条核实:数据有误的,更正后重新导入,提示随之消失;数据无误的,写明原因。全部说明后方可提交。负值等“须更正”的提示只能通过更正数据消除。"
        }
        (true, _) => "本月已提交或已审核,说明不能再修改;如被退回,可重新说明。",
        (_, true) if submitted => "请逐条审核组团的说明:认可,或写明原因退回。全部认可后方可审核通过;有退回的,请将该月退回组团。",
        _ => "审核提示随数据导入生成,组团说明、经发局审核后随该月保存。",
    };
    ReviewPage {
        nav: nav(app, authed, "submissions"),
        zone_name: zone_name(&app.plan, &sheet.zone),
        month_zh: Month::parse(&sheet.month).map(|m| m.zh()).unwrap_or_default(),
        state: sheet.state.zh(),
        zone: sheet.zone,
        month: sheet.month,
        flags,
        tally,
        to_explain,
        to_accept,
        error,
        saved,
        guidance,
    }
}

pub async fn page(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Result<ReviewPage, WebError> {
    let m = parse_month(&month)?;
    let sheet = app.review_sheet(&authed.caller, &zone, m).await?;
    Ok(render(&app, &authed, sheet, None, None, q.saved))
}

#[derive(Deserialize)]
pub struct ExplainForm {
    pub csrf: String,
    /// One flag: its enterprise, rule and indicator; or, with `all`, every flag of the rule
    /// that needs an explanation.
    #[serde(default)]
    pub uscc: String,
    pub rule: String,
    #[serde(default)]
    pub indicator: String,
    #[serde(default)]
    pub all: String,
    #[serde(default)]
    pub explanation: String,
}

#[derive(Deserialize)]
pub struct DecideForm {
    pub csrf: String,
    #[serde(default)]
    pub uscc: String,
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub indicator: String,
    /// `accepted` or `returned`.
    pub decision: String,
    /// With `all`, every explained flag awaiting a decision.
    #[serde(default)]
    pub all: String,
    #[serde(default)]
    pub reason: String,
}

/// After a refused form: the page again, with why and what was typed, under the refusal's status.
pub(crate) async fn refused(
    app: &App,
    authed: &Authed,
    zone: &str,
    m: Month,
    e: service::ServiceError,
    typed: Option<Typed<'_>>,
) -> Result<Response, WebError> {
    let err = WebError::from(e);
    if err.status == StatusCode::INTERNAL_SERVER_ERROR || err.status == StatusCode::FORBIDDEN {
        return Err(err);
    }
    let sheet = app.review_sheet(&authed.caller, zone, m).await?;
    Ok((err.status, render(app, authed, sheet, Some(err.message), typed, None)).into_response())
}

/// The flags a form acts on: the one it names, or with `all` every flag of the sheet that `keep`s.
fn chosen<'a>(sheet: &'a ReviewSheet, all: bool, one: FlagRef<'a>, keep: impl Fn(&SheetFlag) -> bool) -> Vec<FlagRef<'a>> {
    if all { sheet.flags.iter().filter(|x| keep(x)).map(SheetFlag::flag_ref).collect() } else { vec![one] }
}

pub async fn explain(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
    Form(f): Form<ExplainForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let m = parse_month(&month)?;
    let sheet = app.review_sheet(&authed.caller, &zone, m).await?;
    let one = FlagRef { uscc: &f.uscc, rule: &f.rule, indicator: &f.indicator };
    let chosen = chosen(&sheet, f.all == "1", one, |x| {
        x.kept.flag.rule == f.rule && matches!(x.status, FlagStatus::Unexplained | FlagStatus::Returned)
    });
    match app.explain_flags(&authed.caller, &zone, m, &chosen, &f.explanation).await {
        Ok(()) => Ok(Redirect::to(&format!("/submissions/{}/{m}/review?saved={}", sheet.zone, chosen.len())).into_response()),
        Err(e) => {
            let typed = (f.all != "1").then_some(Typed { key: (&f.uscc, &f.rule, &f.indicator), text: &f.explanation });
            refused(&app, &authed, &zone, m, e, typed).await
        }
    }
}

pub async fn decide(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
    Form(f): Form<DecideForm>,
) -> Result<Response, WebError> {
    authed.check_csrf(&f.csrf)?;
    let m = parse_month(&month)?;
    let decision = Decision::parse(&f.decision).ok_or_else(|| WebError::bad_request("未知审核意见 / unknown decision"))?;
    let sheet = app.review_sheet(&authed.caller, &zone, m).await?;
    let one = FlagRef { uscc: &f.uscc, rule: &f.rule, indicator: &f.indicator };
    let chosen = chosen(&sheet, f.all == "1", one, |x| x.status == FlagStatus::Explained);
    match app.decide_flags(&authed.caller, &zone, m, &chosen, decision, &f.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/submissions/{}/{m}/review?saved={}", sheet.zone, chosen.len())).into_response()),
        Err(e) => refused(&app, &authed, &zone, m, e, None).await,
    }
}

/// The flags as a sheet: one row a flag, with the zone and month, the explanation and decision.
fn flags_sheet(app: &App, title: String, rows: &[(String, Month, SheetFlag)]) -> Sheet {
    let col = |h: &str, w: f64| SheetColumn { header: h.into(), decimals: None, width: w };
    Sheet {
        name: "审核提示".into(),
        title: Some(title),
        columns: vec![
            col("序号", 6.0),
            col("组团", 12.0),
            col("月份", 10.0),
            col("统一社会信用代码", 22.0),
            col("企业名称", 28.0),
            col("审核规则", 16.0),
            col("指标", 12.0),
            col("本月值", 16.0),
            col("比较值", 16.0),
            col("状态", 8.0),
            col("组团说明", 40.0),
            col("说明人", 12.0),
            col("审核意见", 20.0),
            col("审核人", 12.0),
        ],
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, (zone, month, f))| {
                let opinion = match f.kept.decision {
                    Some(Decision::Accepted) => format!("认可 {}", f.kept.decision_reason).trim().to_string(),
                    Some(Decision::Returned) => format!("退回:{}", f.kept.decision_reason),
                    None => String::new(),
                };
                [
                    (i + 1).to_string(),
                    zone_name(&app.plan, zone),
                    month.zh(),
                    f.kept.flag.uscc.clone(),
                    f.name.clone(),
                    rule_zh(f.kept.flag.rule).to_string(),
                    indicator_zh(app, f),
                    shown(app, f, f.kept.flag.value),
                    shown(app, f, f.kept.flag.reference),
                    f.status.zh().to_string(),
                    f.kept.explanation.clone(),
                    f.kept.explained_by.clone(),
                    opinion,
                    f.kept.decided_by.clone(),
                ]
                .into_iter()
                .map(XCell::Text)
                .collect()
            })
            .collect(),
    }
}

pub async fn month_xlsx(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let m = parse_month(&month)?;
    let sheet = app.review_sheet(&authed.caller, &zone, m).await?;
    let title = format!("{} {} 审核提示({})", zone_name(&app.plan, &sheet.zone), m.zh(), sheet.state.zh());
    let name = format!("review-{}-{m}.xlsx", sheet.zone);
    let rows: Vec<(String, Month, SheetFlag)> = sheet.flags.into_iter().map(|f| (sheet.zone.clone(), m, f)).collect();
    crate::pages::xlsx_response(&name, flags_sheet(&app, title, &rows))
}

/// One zone-month's line of the data-quality page.
pub struct QualityLine {
    pub zone: String,
    pub zone_code: String,
    pub month: String,
    pub month_zh: String,
    pub by_rule: Vec<u64>,
    pub by_status: Vec<u64>,
}

/// One zone's Benford screen as shown.
pub struct BenfordLine {
    pub zone: String,
    pub amounts: String,
    pub mad: String,
    pub conformity: &'static str,
    pub shares: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "data_quality.html")]
pub struct QualityPage {
    pub nav: Nav,
    pub year: i32,
    pub years: Vec<i32>,
    pub rules: Vec<&'static str>,
    pub statuses: Vec<&'static str>,
    pub lines: Vec<QualityLine>,
    pub benford: Vec<BenfordLine>,
    pub expected: Vec<String>,
}

fn conformity_zh(c: &str) -> &'static str {
    match c {
        "close" => "高度符合",
        "acceptable" => "可接受",
        "marginal" => "临界",
        _ => "不符合(建议关注)",
    }
}

pub async fn quality(State(app): State<App>, authed: Authed, Query(q): Query<YearQuery>) -> Result<QualityPage, WebError> {
    let year = chosen_year(&app, q.year);
    let dq = app.data_quality(&authed.caller, year).await?;
    let lines = dq
        .months
        .iter()
        .map(|l| QualityLine {
            zone: zone_name(&app.plan, &l.zone),
            zone_code: l.zone.clone(),
            month: l.month.clone(),
            month_zh: Month::parse(&l.month).map(|m| m.zh()).unwrap_or_default(),
            by_rule: domain::review::RULES.iter().map(|(r, _)| l.by_rule.get(r).copied().unwrap_or(0)).collect(),
            by_status: FlagStatus::ALL.iter().map(|s| l.by_status.count(*s)).collect(),
        })
        .collect();
    let benford = dq
        .benford
        .iter()
        .map(|b| match &b.screen {
            Some(s) => BenfordLine {
                zone: zone_name(&app.plan, &b.zone),
                amounts: domain::amount::group_thousands(&s.amounts.to_string()),
                mad: format!("{:.4}", s.mad),
                conformity: conformity_zh(s.conformity),
                shares: s.shares.iter().map(|x| pct(Some(x * 100.0))).collect(),
            },
            None => BenfordLine {
                zone: zone_name(&app.plan, &b.zone),
                amounts: "不足 500 个".into(),
                mad: "—".into(),
                conformity: "不作筛查",
                shares: Vec::new(),
            },
        })
        .collect();
    Ok(QualityPage {
        nav: nav(&app, &authed, "data-quality"),
        year,
        years: (app.plan.baseline_year..=app.clock.today().year).rev().collect(),
        rules: domain::review::RULES.iter().map(|(_, zh)| *zh).collect(),
        statuses: FlagStatus::ALL.iter().map(|s| s.zh()).collect(),
        lines,
        benford,
        expected: (1..=9).map(|d| pct(Some((1.0 + 1.0 / f64::from(d)).log10() * 100.0))).collect(),
    })
}

pub async fn quality_xlsx(State(app): State<App>, authed: Authed, Query(q): Query<YearQuery>) -> Result<Response, WebError> {
    let year = chosen_year(&app, q.year);
    let rows = app.review_flags_of_year(&authed.caller, year).await?;
    crate::pages::xlsx_response(&format!("review-{year}.xlsx"), flags_sheet(&app, format!("{year}年审核提示及说明"), &rows))
}

/// GET /api/v1/review/{zone}/{month}
pub async fn sheet_api(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
) -> Result<Json<ReviewSheet>, WebError> {
    let m = parse_month(&month)?;
    Ok(Json(app.review_sheet(&authed.caller, &zone, m).await?))
}

#[derive(Deserialize)]
pub struct FlagJson {
    pub uscc: String,
    pub rule: String,
    #[serde(default)]
    pub indicator: Option<String>,
}

#[derive(Deserialize)]
pub struct ExplainJson {
    pub flags: Vec<FlagJson>,
    pub explanation: String,
}

#[derive(Deserialize)]
pub struct DecideJson {
    pub flags: Vec<FlagJson>,
    pub decision: String,
    #[serde(default)]
    pub reason: String,
}

fn refs(flags: &[FlagJson]) -> Vec<FlagRef<'_>> {
    flags.iter().map(|f| FlagRef { uscc: &f.uscc, rule: &f.rule, indicator: f.indicator.as_deref().unwrap_or("") }).collect()
}

/// POST /api/v1/review/{zone}/{month}/explain
pub async fn explain_api(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
    Json(body): Json<ExplainJson>,
) -> Result<Json<ReviewSheet>, WebError> {
    let m = parse_month(&month)?;
    app.explain_flags(&authed.caller, &zone, m, &refs(&body.flags), &body.explanation).await?;
    Ok(Json(app.review_sheet(&authed.caller, &zone, m).await?))
}

/// POST /api/v1/review/{zone}/{month}/decide
pub async fn decide_api(
    State(app): State<App>,
    authed: Authed,
    Path((zone, month)): Path<(String, String)>,
    Json(body): Json<DecideJson>,
) -> Result<Json<ReviewSheet>, WebError> {
    let m = parse_month(&month)?;
    let decision = Decision::parse(&body.decision)
        .ok_or_else(|| WebError::bad_request("decision 应为 accepted 或 returned / decision must be accepted or returned"))?;
    app.decide_flags(&authed.caller, &zone, m, &refs(&body.flags), decision, &body.reason).await?;
    Ok(Json(app.review_sheet(&authed.caller, &zone, m).await?))
}

/// GET /api/v1/data-quality?year=
pub async fn quality_api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<YearQuery>,
) -> Result<Json<service::DataQuality>, WebError> {
    // The year as asked (one no month can be in is refused), not brought into range as the page does.
    let year = q.year.unwrap_or(app.clock.today().year);
    Ok(Json(app.data_quality(&authed.caller, year).await?))
}
