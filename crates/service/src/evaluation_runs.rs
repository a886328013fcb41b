//! Evaluation runs (M6, issue 9): a year's evaluation saved as a draft, published for objection
//! (公示), objections recorded and decided, bonuses and penalties set, re-run while not final,
//! then made final through the shared workflow; a final run reads the same ever after. And the
//! lists drawn from a run: zombie candidates, low-efficiency enterprises, D two years or more,
//! and the zones' per-mu aggregates.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use domain::authz::{Action, Target, Visible};
use domain::calendar::Date;
use domain::evaluation::{Class, Denominator, Method, Subject, evaluate};
use domain::submission::{Step, SubmissionState};
use serde::Serialize;
use store::{EVALUATION_RUN, EvaluationRow, EvaluationRun, Objection};

use crate::evaluation::{Evaluated, Place, class_code};
use crate::workflow::Subject as WorkflowSubject;
use crate::{App, Caller, Figures, Result, ServiceError};

/// Which results to read: a computation made now and saved nowhere, or a saved run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Trial(Figures),
    Run(i64),
}

/// A run as lists show it.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    pub id: i64,
    pub year: i32,
    pub figures: String,
    /// The workflow state's code, and its name for an evaluation run.
    pub state: &'static str,
    pub state_zh: &'static str,
    pub created_by: String,
    pub computed_at: i64,
    pub publish_from: Option<String>,
    pub publish_to: Option<String>,
    pub enterprises: usize,
    pub objections: usize,
    pub pending_objections: usize,
}

/// The run a year's pages show unless one is asked for, of the runs the caller may see (newest
/// first): the last final one, else the last.
pub fn default_run(runs: &[RunView]) -> Option<i64> {
    runs.iter().find(|r| r.state == SubmissionState::Locked.code()).or(runs.first()).map(|r| r.id)
}

/// What a run's state is called: the workflow's submit is publication for objection, its lock
/// the final word.
fn run_state_zh(state: SubmissionState) -> &'static str {
    match state {
        SubmissionState::Draft => "草稿",
        SubmissionState::Submitted => "公示中",
        SubmissionState::Approved => "已审定",
        SubmissionState::Returned => "已撤回待重算",
        SubmissionState::Locked => "已定稿",
        SubmissionState::CorrectionRequested => "申请更正",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectionView {
    pub id: i64,
    pub run: i64,
    pub uscc: String,
    pub text: String,
    pub raised_by: String,
    pub raised_at: i64,
    /// "pending", "upheld" or "rejected".
    pub outcome: String,
    pub decision: String,
    pub decided_by: String,
    pub decided_at: Option<i64>,
}

impl From<&Objection> for ObjectionView {
    fn from(o: &Objection) -> ObjectionView {
        ObjectionView {
            id: o.id,
            run: o.run_id,
            uscc: o.uscc.clone(),
            text: o.text.clone(),
            raised_by: o.raised_by.clone(),
            raised_at: o.raised_at,
            outcome: o.outcome.clone().unwrap_or_else(|| "pending".into()),
            decision: o.decision.clone(),
            decided_by: o.decided_by.clone(),
            decided_at: o.decided_at,
        }
    }
}

/// One enterprise as evaluated: its result, the inputs it was computed from, its name and zone.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub subject: Subject,
    pub result: domain::evaluation::Result,
    pub name: String,
    pub zone: String,
    pub park: Option<String>,
}

fn stored_of(r: &EvaluationRow) -> Result<Stored> {
    Ok(Stored {
        subject: serde_json::from_str(&r.subject).map_err(corrupt)?,
        result: serde_json::from_str(&r.result).map_err(corrupt)?,
        name: r.name.clone(),
        zone: r.zone.clone(),
        park: r.park.clone(),
    })
}

/// An evaluation as computed now (a trial) or as a run saved it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ComputedKey {
    Trial(i32, Figures),
    Run(i64),
}

/// An evaluation: the method it was computed with, and every enterprise of it.
pub(crate) struct Computed {
    pub method: Method,
    pub stored: Vec<Stored>,
}

impl Stored {
    pub(crate) fn evaluated(&self) -> Evaluated {
        Evaluated { name: self.name.clone(), zone: self.zone.clone(), ..Evaluated::from(&self.result) }
    }
}

/// One result of a saved run as a line of a table.
#[derive(Debug, Clone)]
pub struct ResultLine {
    pub uscc: String,
    pub name: String,
    pub zone: String,
    /// "above" or "below".
    pub scale: &'static str,
    /// "A" … "D", or "ungraded".
    pub class: &'static str,
    pub rank: Option<usize>,
    pub total: f64,
    /// Each indicator's score, by code.
    pub scores: Vec<(std::sync::Arc<str>, f64)>,
}

/// An entry of a list drawn from a run.
#[derive(Debug, Clone, Serialize)]
pub struct ListEntry {
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub scale: &'static str,
    pub class: &'static str,
    pub total: f64,
    pub reason: String,
    pub years_in_d: u32,
}

/// A zone's (or a park's) per-mu figures over the enterprises evaluated in it: for each
/// land-based indicator of the method (亩均税收, 亩均增加值 …), the sum of numerators over the land.
#[derive(Debug, Clone, Serialize)]
pub struct ZoneAggregate {
    pub zone: String,
    pub name: String,
    pub enterprises: usize,
    pub land_mu: f64,
    pub per_mu: BTreeMap<String, Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvaluationLists {
    pub run: i64,
    pub year: i32,
    pub zombies: Vec<ListEntry>,
    pub low_efficiency: Vec<ListEntry>,
    pub d_running: Vec<ListEntry>,
    /// The land-based indicators' codes and names, in the order of `per_mu`'s columns.
    pub per_mu_indicators: Vec<(String, String)>,
    pub zones: Vec<ZoneAggregate>,
    /// The same per park (特色园区), for the parks with evaluated enterprises.
    pub parks: Vec<ZoneAggregate>,
}

fn corrupt(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(format!("stored evaluation: {e}"))
}

fn label(run: &EvaluationRun) -> String {
    format!("{}/{}", run.year, run.id)
}

impl App {
    pub(crate) fn evaluation_rules(&self) -> Result<&domain::plan::EvaluationRules> {
        self.plan.evaluation.as_ref().ok_or_else(|| {
            ServiceError::BadRequest("计划文件没有亩产效益评价方法([evaluation]) / the plan has no evaluation method".into())
        })
    }

    /// A computation saved nowhere is for the staff; an enterprise sees results once published.
    pub(crate) fn require_trial(&self, caller: &Caller) -> Result<()> {
        if caller.actor.operator || caller.actor.may(Action::ReadAggregates) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "无权查看未公示的评价结果:公示后方可查看 / not allowed: results are shown once published".into(),
            ))
        }
    }

    /// A run the caller may see: any for the staff, published or final ones for an enterprise.
    pub(crate) async fn visible_run(&self, caller: &Caller, id: i64) -> Result<EvaluationRun> {
        let not_found = || ServiceError::NotFound(format!("评价批次 {id} 不存在 / no such evaluation run"));
        let run = self.store.evaluation_run(id).await?.ok_or_else(not_found)?;
        let published = !matches!(run.state, SubmissionState::Draft | SubmissionState::Returned);
        if published || self.require_trial(caller).is_ok() { Ok(run) } else { Err(not_found()) }
    }

    /// The year computed now and saved nowhere, kept until the next write.
    pub(crate) async fn trial(&self, year: i32, figures: Figures) -> Result<Arc<Computed>> {
        let version = self.data_version().await?;
        self.views
            .evaluations
            .get_or_compute(ComputedKey::Trial(year, figures), version, || async {
                let method = self.evaluation_rules()?.method.clone();
                let (subjects, mut zone_of) = self.evaluation_subjects(year, figures).await?;
                let results = evaluate(&method, year, &subjects);
                let stored = results
                    .into_iter()
                    .zip(subjects)
                    .map(|(result, subject)| {
                        let Place { name, zone, park } = zone_of.remove(&result.uscc).unwrap_or_default();
                        Stored { subject, result, name, zone, park }
                    })
                    .collect();
                Ok(Computed { method, stored })
            })
            .await
    }

    /// A saved run as stored, kept until the next write.
    pub(crate) async fn run_data(&self, run: &EvaluationRun) -> Result<Arc<Computed>> {
        let version = self.data_version().await?;
        self.views
            .evaluations
            .get_or_compute(ComputedKey::Run(run.id), version, || async {
                let method: Method = serde_json::from_str(&run.method).map_err(corrupt)?;
                let mut stored = Vec::new();
                self.each_result(run.id, |s| stored.push(s)).await?;
                stored.sort_by(|a, b| {
                    let key = |s: &Stored| run_order(s.result.above_scale, s.result.rank);
                    key(a).cmp(&key(b)).then_with(|| a.result.uscc.cmp(&b.result.uscc))
                });
                Ok(Computed { method, stored })
            })
            .await
    }

    /// Every result of a saved run, read and parsed a page at a time.
    async fn each_result(&self, run: i64, mut f: impl FnMut(Stored)) -> Result<()> {
        const PAGE: i64 = 5_000;
        let mut after = String::new();
        loop {
            let rows = self.store.evaluation_results_after(run, &after, PAGE).await?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = last.uscc.clone();
            let full = rows.len() as i64 == PAGE;
            for row in &rows {
                f(stored_of(row)?);
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// One enterprise's result in a saved run.
    async fn stored_one(&self, run: &EvaluationRun, uscc: &str) -> Result<Option<Stored>> {
        self.store.evaluation_result(run.id, uscc).await?.as_ref().map(stored_of).transpose()
    }

    /// Computes the year now, as rows to save, with the method used (JSON).
    async fn computed_rows(&self, year: i32, figures: Figures) -> Result<(String, Vec<EvaluationRow>)> {
        let computed = self.trial(year, figures).await?;
        let rows = computed
            .stored
            .iter()
            .map(|s| {
                Ok(EvaluationRow {
                    uscc: s.result.uscc.clone(),
                    zone: s.zone.clone(),
                    name: s.name.clone(),
                    park: s.park.clone(),
                    scale: if s.result.above_scale { "above" } else { "below" }.into(),
                    class: class_code(s.result.class).into(),
                    total: s.result.total,
                    rank: s.result.rank.map(|k| k as i64),
                    result: serde_json::to_string(&s.result).map_err(corrupt)?,
                    subject: serde_json::to_string(&s.subject).map_err(corrupt)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((serde_json::to_string(&computed.method).map_err(corrupt)?, rows))
    }

    /// Computes the year's evaluation and saves it as a draft run; returns the run's id.
    pub async fn run_evaluation(&self, caller: &Caller, year: i32, figures: Figures) -> Result<i64> {
        self.require(caller, Action::RunEvaluation)?;
        let (method, rows) = self.computed_rows(year, figures).await?;
        if rows.is_empty() {
            return Err(ServiceError::BadRequest(format!(
                "{year}年没有可评价的企业(用地达到门槛、当年有数据的工业企业) / nobody to evaluate in {year}"
            )));
        }
        let figures = match figures {
            Figures::Official => "official",
            Figures::Provisional => "provisional",
        };
        let audit = caller.audit("evaluation_run.create", EVALUATION_RUN, "").after(format!("{} enterprises", rows.len()));
        Ok(self.store.save_evaluation_run(year, figures, &method, &rows, &audit).await?)
    }

    /// Computes a draft or withdrawn run again from today's registry, facts and adjustments.
    pub async fn rerun_evaluation(&self, caller: &Caller, id: i64) -> Result<()> {
        self.require(caller, Action::RunEvaluation)?;
        let run = self.visible_run(caller, id).await?;
        let figures = if run.figures == "provisional" { Figures::Provisional } else { Figures::Official };
        let (method, rows) = self.computed_rows(run.year, figures).await?;
        let audit =
            caller.audit("evaluation_run.recompute", EVALUATION_RUN, &label(&run)).after(format!("{} enterprises", rows.len()));
        Ok(self.store.replace_evaluation_results(id, &method, &rows, &audit).await?)
    }

    fn run_subject<'a>(run: &EvaluationRun, scope: &'a str, label: &'a str) -> WorkflowSubject<'a> {
        WorkflowSubject { kind: EVALUATION_RUN, scope, period: i64::from(run.year), label }
    }

    /// Publishes a run for objection (公示) from `from` (today if None) for the plan's number of
    /// days.
    pub async fn publish_evaluation(&self, caller: &Caller, id: i64, from: Option<Date>) -> Result<(Date, Date)> {
        self.require(caller, Action::RunEvaluation)?;
        let days = self.evaluation_rules()?.publication_days.max(1);
        let run = self.visible_run(caller, id).await?;
        let from = from.unwrap_or_else(|| self.clock.today());
        let mut to = from;
        for _ in 1..days {
            to = to.succ();
        }
        self.store.set_publication(id, &from.to_string(), &to.to_string()).await?;
        let (scope, label) = (id.to_string(), label(&run));
        self.workflow_step(caller, Self::run_subject(&run, &scope, &label), Step::Submit, "").await?;
        Ok((from, to))
    }

    /// Withdraws a published run so that it can be computed again (e.g. after an upheld
    /// objection changed an input).
    pub async fn withdraw_evaluation(&self, caller: &Caller, id: i64, reason: &str) -> Result<()> {
        self.require(caller, Action::RunEvaluation)?;
        if reason.chars().count() > 2000 {
            return Err(ServiceError::BadRequest("撤回原因超过2000字 / the reason is longer than 2000 characters".into()));
        }
        let run = self.visible_run(caller, id).await?;
        let (scope, label) = (id.to_string(), label(&run));
        self.workflow_step(caller, Self::run_subject(&run, &scope, &label), Step::Return, reason).await?;
        Ok(())
    }

    /// Makes a published run final once its publication period is over and every objection is
    /// decided. A final run is never computed again.
    pub async fn finalise_evaluation(&self, caller: &Caller, id: i64) -> Result<()> {
        self.require(caller, Action::RunEvaluation)?;
        let run = self.visible_run(caller, id).await?;
        if run.state == SubmissionState::Submitted {
            let ends = run.publish_to.as_deref().and_then(Date::parse);
            if ends.is_none_or(|end| self.clock.today() <= end) {
                return Err(ServiceError::Conflict(format!(
                    "公示期至 {} 结束后方可定稿 / the publication period is not over",
                    run.publish_to.as_deref().unwrap_or("—")
                )));
            }
            let pending = self.store.objections(id, None).await?.iter().filter(|o| o.outcome.is_none()).count();
            if pending > 0 {
                return Err(ServiceError::Conflict(format!("还有 {pending} 条异议未处理 / {pending} objections are pending")));
            }
        }
        let (scope, label) = (id.to_string(), label(&run));
        let subject = Self::run_subject(&run, &scope, &label);
        if run.state == SubmissionState::Submitted {
            self.workflow_step(caller, subject, Step::Approve, "").await?;
        }
        self.workflow_step(caller, subject, Step::Lock, "").await?;
        Ok(())
    }

    /// Records an enterprise's objection to its result in a run under publication.
    pub async fn object_to_evaluation(&self, caller: &Caller, id: i64, uscc: &str, text: &str) -> Result<i64> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 2000 {
            return Err(ServiceError::BadRequest(
                "异议内容不能为空,且不超过2000字 / the objection needs 1-2000 characters".into(),
            ));
        }
        let run = self.visible_run(caller, id).await?;
        let Some(mine) = self.stored_one(&run, uscc).await? else {
            return Err(ServiceError::NotFound(format!("评价批次 {id} 中没有该企业 / not in this run")));
        };
        self.authorize(caller, Action::ObjectEvaluation, Target::Enterprise { uscc, zone: &mine.zone })?;
        let today = self.clock.today().to_string();
        let open = run.state == SubmissionState::Submitted
            && run.publish_from.as_deref().is_some_and(|f| f <= today.as_str())
            && run.publish_to.as_deref().is_some_and(|t| today.as_str() <= t);
        if !open {
            return Err(ServiceError::Conflict(
                "不在公示期内,不能提出异议 / objections are taken during publication only".into(),
            ));
        }
        let audit = caller
            .audit("evaluation_objection.create", "evaluation_objection", &format!("{}/{uscc}", label(&run)))
            .after(text.to_string());
        Ok(self.store.add_objection(id, uscc, text, &audit).await?)
    }

    /// One objection, if the caller may see the enterprise it is about.
    pub async fn objection(&self, caller: &Caller, id: i64) -> Result<ObjectionView> {
        let not_found = || ServiceError::NotFound(format!("异议 {id} 不存在 / no such objection"));
        let o = self.store.objection(id).await?.ok_or_else(not_found)?;
        let run = self.visible_run(caller, o.run_id).await?;
        let zone = self.stored_one(&run, &o.uscc).await?.map(|s| s.zone).unwrap_or_default();
        self.authorize(caller, Action::ReadEnterprise, Target::Enterprise { uscc: &o.uscc, zone: &zone })?;
        Ok(ObjectionView::from(&o))
    }

    /// Decides an objection: upheld (the input is to be corrected and the run withdrawn and
    /// computed again) or rejected, with the reason either way. Returns it as decided.
    pub async fn decide_objection(&self, caller: &Caller, objection: i64, upheld: bool, decision: &str) -> Result<ObjectionView> {
        self.require(caller, Action::RunEvaluation)?;
        let decision = decision.trim();
        if decision.is_empty() || decision.chars().count() > 2000 {
            return Err(ServiceError::BadRequest(
                "处理意见不能为空,且不超过2000字 / the decision needs its reason, 2000 characters at most".into(),
            ));
        }
        let o = self
            .store
            .objection(objection)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("异议 {objection} 不存在 / no such objection")))?;
        let outcome = if upheld { "upheld" } else { "rejected" };
        let audit = caller
            .audit("evaluation_objection.decide", "evaluation_objection", &format!("{}/{}", o.run_id, o.uscc))
            .after(format!("{outcome}: {decision}"));
        self.store.decide_objection(objection, outcome, decision, &audit).await?;
        self.objection(caller, objection).await
    }

    /// Sets an enterprise's bonus (positive) or penalty (negative) points for a year's
    /// evaluation, with the reason; zero clears it. It counts from the next computation.
    pub async fn set_evaluation_adjustment(
        &self,
        caller: &Caller,
        year: i32,
        uscc: &str,
        points: f64,
        reason: &str,
    ) -> Result<()> {
        self.require(caller, Action::RunEvaluation)?;
        let reason = reason.trim();
        if !(1900..=9999).contains(&year) || !points.is_finite() || points.abs() > 100.0 {
            return Err(ServiceError::BadRequest(
                "年份应为 1900-9999,加减分应在 -100 到 100 之间 / a year and points of -100..100".into(),
            ));
        }
        if points != 0.0 && reason.is_empty() {
            return Err(ServiceError::BadRequest("加减分须写明理由 / a bonus or penalty needs its reason".into()));
        }
        if reason.chars().count() > 500 {
            return Err(ServiceError::BadRequest("理由超过500字 / the reason is longer than 500 characters".into()));
        }
        let e = self
            .store
            .enterprise(uscc)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("企业 {} 不存在 / no such enterprise", domain::shorten(uscc))))?;
        let points = (points * 100.0).round() as i64;
        let audit = caller
            .audit("evaluation_adjustment.set", "evaluation_adjustment", &format!("{year}/{}", e.uscc))
            .after(format!("{:.2} {reason}", points as f64 / 100.0));
        Ok(self.store.set_adjustment(year, &e.uscc, points, reason, &audit).await?)
    }

    async fn run_view(&self, run: EvaluationRun) -> Result<RunView> {
        let objections = self.store.objections(run.id, None).await?;
        Ok(RunView {
            id: run.id,
            year: run.year,
            figures: run.figures.clone(),
            state: run.state.code(),
            state_zh: run_state_zh(run.state),
            created_by: run.created_by.clone(),
            computed_at: run.computed_at,
            publish_from: run.publish_from.clone(),
            publish_to: run.publish_to.clone(),
            enterprises: self.store.evaluation_count(run.id).await? as usize,
            objections: objections.len(),
            pending_objections: objections.iter().filter(|o| o.outcome.is_none()).count(),
        })
    }

    fn require_results(&self, caller: &Caller) -> Result<()> {
        if caller.actor.visible(&self.plan, Action::ReadEnterprise) == Visible::None {
            return Err(ServiceError::Forbidden(format!("角色“{}”无权查看评价结果 / not allowed", caller.actor.role.zh())));
        }
        Ok(())
    }

    /// The runs of a year the caller may see, newest first.
    pub async fn evaluation_runs(&self, caller: &Caller, year: i32) -> Result<Vec<RunView>> {
        self.require_results(caller)?;
        let staff = self.require_trial(caller).is_ok();
        let mut out = Vec::new();
        for run in self.store.evaluation_runs(Some(year)).await? {
            if staff || !matches!(run.state, SubmissionState::Draft | SubmissionState::Returned) {
                out.push(self.run_view(run).await?);
            }
        }
        Ok(out)
    }

    /// One run, if the caller may see it.
    pub async fn evaluation_run(&self, caller: &Caller, id: i64) -> Result<RunView> {
        self.require_results(caller)?;
        let run = self.visible_run(caller, id).await?;
        self.run_view(run).await
    }

    /// The results of `source` the caller may see.
    pub async fn evaluation_results(&self, caller: &Caller, year: i32, source: Source) -> Result<Vec<Evaluated>> {
        match source {
            Source::Trial(figures) => self.evaluate(caller, year, figures).await,
            Source::Run(id) => {
                let visible = caller.actor.visible(&self.plan, Action::ReadEnterprise);
                let run = self.visible_run(caller, id).await?;
                let data = self.run_data(&run).await?;
                Ok(data.stored.iter().filter(|s| shown(&visible, &s.result.uscc, &s.zone)).map(Stored::evaluated).collect())
            }
        }
    }

    /// The results of saved run `id` the caller may see, as lines of a table in the run's order
    /// (by scale, then rank): read from the store a page at a time and kept only as the line,
    /// so exporting a run of 100,000 results holds neither the run nor its texts.
    pub async fn run_lines(&self, caller: &Caller, id: i64) -> Result<Vec<ResultLine>> {
        let visible = caller.actor.visible(&self.plan, Action::ReadEnterprise);
        let run = self.visible_run(caller, id).await?;
        let mut lines = Vec::new();
        self.each_result(run.id, |s| {
            if shown(&visible, &s.result.uscc, &s.zone) {
                let r = s.result;
                lines.push(ResultLine {
                    scale: if r.above_scale { "above" } else { "below" },
                    class: crate::evaluation::class_code(r.class),
                    rank: r.rank,
                    total: r.total,
                    scores: r.indicators.into_iter().map(|i| (i.code, i.score)).collect(),
                    uscc: r.uscc,
                    name: s.name,
                    zone: s.zone,
                });
            }
        })
        .await?;
        lines.sort_by(|a, b| {
            let key = |l: &ResultLine| run_order(l.scale == "above", l.rank);
            key(a).cmp(&key(b)).then_with(|| a.uscc.cmp(&b.uscc))
        });
        Ok(lines)
    }

    /// Every enterprise's final classes by year before `year` (the last final run of each year
    /// back to the first year without one).
    async fn finals_before(&self, year: i32) -> Result<HashMap<String, BTreeMap<i32, Option<Class>>>> {
        let runs = self.store.evaluation_runs(None).await?;
        let mut out: HashMap<String, BTreeMap<i32, Option<Class>>> = HashMap::new();
        let mut y = year - 1;
        while let Some(run) = runs.iter().find(|r| r.year == y && r.state == SubmissionState::Locked) {
            for (uscc, class) in self.store.run_classes(run.id).await? {
                out.entry(uscc).or_default().insert(y, Class::parse(&class));
            }
            y -= 1;
        }
        Ok(out)
    }

    /// The lists drawn from a run: zombie candidates, low-efficiency enterprises, D two or more
    /// years running, and the zones' per-mu aggregates; what the caller may see of them.
    pub async fn evaluation_lists(&self, caller: &Caller, id: i64) -> Result<EvaluationLists> {
        self.require_trial(caller)?;
        let visible = caller.actor.visible(&self.plan, Action::ReadEnterprise);
        let run = self.visible_run(caller, id).await?;
        // Kept by data version per what the reader sees: a run's lists are read through the
        // whole run once, a page at a time, rather than from the run held in memory.
        let key = (run.id, format!("{visible:?}"));
        let version = self.data_version().await?;
        let lists = self.views.lists.get_or_compute(key, version, || self.compute_lists(&run, &visible)).await?;
        Ok((*lists).clone())
    }

    async fn compute_lists(&self, run: &EvaluationRun, visible: &Visible) -> Result<EvaluationLists> {
        let rules = self.evaluation_rules()?;
        let method: Method = serde_json::from_str(&run.method).map_err(corrupt)?;
        let mut finals = self.finals_before(run.year).await?;
        // The low indicator's (value, benchmark) in the year before, from its final run.
        let mut before: HashMap<String, (f64, f64)> = HashMap::new();
        if let Some(prev) =
            self.store.evaluation_runs(Some(run.year - 1)).await?.into_iter().find(|r| r.state == SubmissionState::Locked)
        {
            // Only one indicator of each result is wanted: read through, not kept whole.
            self.each_result(prev.id, |s| {
                if let Some(vb) = low_pair(&s.result, &rules.low_efficiency_indicator) {
                    before.insert(s.result.uscc, vb);
                }
            })
            .await?;
        }
        // Zones and parks: the land-based indicators' numerators summed over the land.
        let land_based: Vec<(String, String, String)> = {
            let mut seen = Vec::new();
            for ind in method.above.iter().chain(&method.below) {
                if ind.denominator == Denominator::Land
                    && !seen.iter().any(|(c, _, _): &(String, String, String)| **c == *ind.code)
                {
                    seen.push((ind.code.to_string(), ind.name.clone(), ind.numerator.clone()));
                }
            }
            seen
        };
        let mut lists = EvaluationLists {
            run: run.id,
            year: run.year,
            zombies: Vec::new(),
            low_efficiency: Vec::new(),
            d_running: Vec::new(),
            per_mu_indicators: land_based.iter().map(|(c, n, _)| (c.clone(), n.clone())).collect(),
            zones: Vec::new(),
            parks: Vec::new(),
        };
        let mut by_zone: HashMap<String, LandSums> = HashMap::new();
        let mut by_park: HashMap<String, LandSums> = HashMap::new();
        self.each_result(run.id, |s| {
            if !shown(visible, &s.result.uscc, &s.zone) {
                return;
            }
            let r = &s.result;
            let history = finals.entry(r.uscc.clone()).or_default();
            history.insert(run.year, r.class);
            let years_in_d = domain::evaluation::years_in_d(history, run.year);
            let entry = |reason: String| ListEntry {
                uscc: r.uscc.clone(),
                name: s.name.clone(),
                zone: s.zone.clone(),
                scale: if r.above_scale { "above" } else { "below" },
                class: crate::evaluation::class_code(r.class),
                total: r.total,
                reason,
                years_in_d,
            };
            if domain::evaluation::zombie(&s.subject, &rules.zombie_indicators) {
                lists.zombies.push(entry("当年无营业收入、无税收".into()));
            }
            let this = low_pair(r, &rules.low_efficiency_indicator);
            if let Some(why) =
                domain::evaluation::low_efficiency(r.class, rules.low_efficiency_share, this, before.get(&r.uscc).copied())
            {
                lists.low_efficiency.push(entry(why.into()));
            }
            if years_in_d >= 2 {
                lists.d_running.push(entry(format!("连续 {years_in_d} 年D类")));
            }
            by_zone.entry(s.zone.clone()).or_insert_with(|| LandSums::new(land_based.len())).add(&s.subject, &land_based);
            if let Some(park) = &s.park {
                by_park.entry(park.clone()).or_insert_with(|| LandSums::new(land_based.len())).add(&s.subject, &land_based);
            }
        })
        .await?;
        // Worst first: the lists are for acting on.
        for list in [&mut lists.zombies, &mut lists.low_efficiency, &mut lists.d_running] {
            list.sort_by(|a, b| a.total.total_cmp(&b.total).then_with(|| a.uscc.cmp(&b.uscc)));
        }
        for zone in &self.plan.zones {
            if let Some(sums) = by_zone.get(zone.code.as_str()) {
                lists.zones.push(sums.aggregate(zone.code.as_str(), &zone.name, &land_based));
            }
        }
        for park in &self.plan.parks {
            if let Some(sums) = by_park.get(park.code.as_str()) {
                lists.parks.push(sums.aggregate(&park.code, &park.name, &land_based));
            }
        }
        Ok(lists)
    }
}

/// A zone's or park's evaluated enterprises, their land, and for each land-based indicator the
/// land of those reporting its numerator and the numerator's sum.
struct LandSums {
    enterprises: usize,
    land: f64,
    per_indicator: Vec<(f64, f64)>,
}

impl LandSums {
    fn new(indicators: usize) -> LandSums {
        LandSums { enterprises: 0, land: 0.0, per_indicator: vec![(0.0, 0.0); indicators] }
    }

    fn add(&mut self, subject: &Subject, land_based: &[(String, String, String)]) {
        self.enterprises += 1;
        self.land += subject.land_mu;
        for ((_, _, numerator), (area, sum)) in land_based.iter().zip(&mut self.per_indicator) {
            if let Some(v) = subject.facts.get(numerator.as_str()) {
                *area += subject.land_mu;
                *sum += v;
            }
        }
    }

    fn aggregate(&self, code: &str, name: &str, land_based: &[(String, String, String)]) -> ZoneAggregate {
        ZoneAggregate {
            zone: code.to_string(),
            name: name.to_string(),
            enterprises: self.enterprises,
            land_mu: (self.land * 100.0).round() / 100.0,
            per_mu: land_based
                .iter()
                .zip(&self.per_indicator)
                .map(|((code, _, _), (area, sum))| (code.clone(), (*area > 0.0).then(|| (sum / area * 100.0).round() / 100.0)))
                .collect(),
        }
    }
}

/// Where a result stands in its run as the run is shown: 规上 first, then by rank, the ungraded
/// last (ties by credit code).
fn run_order(above_scale: bool, rank: Option<usize>) -> (bool, bool, Option<usize>) {
    (!above_scale, rank.is_none(), rank)
}

/// The (value, benchmark) of an indicator in a result, when both are known.
fn low_pair(r: &domain::evaluation::Result, code: &str) -> Option<(f64, f64)> {
    let i = r.indicators.iter().find(|i| *i.code == *code)?;
    Some((i.value?, i.benchmark?))
}

/// Whether a result is within what the caller may see.
pub(crate) fn shown(visible: &Visible, uscc: &str, zone: &str) -> bool {
    match visible {
        Visible::All => true,
        Visible::Enterprise(own) => own == uscc,
        Visible::Zones(zs) => zs.iter().any(|z| z.as_str() == zone),
        Visible::None => false,
    }
}
