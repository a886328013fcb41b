//! M6 on the web: the year's per-mu evaluation as a ranked list, and one enterprise's result
//! explained with what would lift it a class; and their API.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use serde::Deserialize;
use service::App;

use crate::auth::Authed;
use crate::pages::{Nav, figures_of, nav};
use crate::{Routes, WebError};

pub(crate) fn routes(r: Routes) -> Routes {
    r.route("/evaluation", &["GET"], get(list))
        .route("/evaluation/{uscc}", &["GET"], get(detail))
        .route("/api/v1/evaluation", &["GET"], get(list_api))
        .route("/api/v1/evaluation/{uscc}", &["GET"], get(detail_api))
}

#[derive(Deserialize, Default)]
pub struct EvalQuery {
    pub year: Option<i32>,
    pub figures: Option<String>,
}

/// The year asked for, else the last one ended.
fn year_of(app: &App, year: Option<i32>) -> Result<i32, WebError> {
    match year {
        Some(y) if (1900..=9999).contains(&y) => Ok(y),
        Some(y) => Err(WebError::bad_request(format!("年份 {y} 不正确 / bad year"))),
        None => Ok(app.clock.today().year - 1),
    }
}

fn num(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.2}"))
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation.html")]
pub struct ListPage {
    pub nav: Nav,
    pub year: i32,
    pub years: Vec<i32>,
    pub provisional: bool,
    pub counts: Vec<(&'static str, String)>,
    pub rows: Vec<service::Evaluated>,
}

async fn list(State(app): State<App>, authed: Authed, Query(q): Query<EvalQuery>) -> Result<ListPage, WebError> {
    let year = year_of(&app, q.year)?;
    let figures = figures_of(q.figures.as_deref())?;
    let mut rows = app.evaluate(&authed.caller, year, figures).await?;
    rows.sort_by(|a, b| a.scale.cmp(b.scale).then(a.rank.unwrap_or(usize::MAX).cmp(&b.rank.unwrap_or(usize::MAX))));
    let count = |scale: &str| {
        let of: Vec<_> = rows.iter().filter(|r| r.scale == scale).collect();
        let c = |k: &str| of.iter().filter(|r| r.class == k).count();
        format!("{} 家:A {} · B {} · C {} · D {} · 不定等级 {}", of.len(), c("A"), c("B"), c("C"), c("D"), c("ungraded"))
    };
    Ok(ListPage {
        year,
        years: (app.plan.baseline_year..app.clock.today().year).rev().collect(),
        provisional: figures == service::Figures::Provisional,
        counts: vec![("规上", count("above")), ("规下", count("below"))],
        rows,
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

#[derive(Template, WebTemplate)]
#[template(path = "evaluation_detail.html")]
pub struct DetailPage {
    pub nav: Nav,
    pub year: i32,
    pub name: String,
    pub uscc: String,
    pub scale: &'static str,
    pub class: &'static str,
    pub total: String,
    pub rank: String,
    pub policy: String,
    pub exempt: String,
    pub lines: Vec<LineView>,
}

async fn detail(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
    Query(q): Query<EvalQuery>,
) -> Result<DetailPage, WebError> {
    let year = year_of(&app, q.year)?;
    let d = app.evaluation_detail(&authed.caller, year, &uscc, figures_of(q.figures.as_deref())?).await?;
    let r = &d.result;
    Ok(DetailPage {
        year,
        name: r.name.clone(),
        uscc: r.uscc.clone(),
        scale: if r.scale == "above" { "规上" } else { "规下" },
        class: match r.class {
            "A" => "A类(优先发展)",
            "B" => "B类(鼓励提升)",
            "C" => "C类(规范转型)",
            "D" => "D类(调控帮扶)",
            _ => "不定等级",
        },
        total: format!("{:.2}", r.total),
        rank: match (r.rank, d.percentile) {
            (Some(k), Some(p)) => format!("第 {k} / {} 名,超过或持平 {p:.1}% 的企业", r.ranked),
            _ => "不参与排名".into(),
        },
        policy: d.policy.clone(),
        exempt: r.exempt.clone().unwrap_or_default(),
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
        nav: nav(&app, &authed, "evaluation"),
    })
}

async fn list_api(
    State(app): State<App>,
    authed: Authed,
    Query(q): Query<EvalQuery>,
) -> Result<Json<Vec<service::Evaluated>>, WebError> {
    let year = year_of(&app, q.year)?;
    Ok(Json(app.evaluate(&authed.caller, year, figures_of(q.figures.as_deref())?).await?))
}

async fn detail_api(
    State(app): State<App>,
    authed: Authed,
    Path(uscc): Path<String>,
    Query(q): Query<EvalQuery>,
) -> Result<Json<service::EvaluationDetail>, WebError> {
    let year = year_of(&app, q.year)?;
    Ok(Json(app.evaluation_detail(&authed.caller, year, &uscc, figures_of(q.figures.as_deref())?).await?))
}
