//! The per-mu efficiency evaluation (M6) over the registry and a year's facts: who is evaluated,
//! their annual values, who is left ungraded and why, and the results each caller may see.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use domain::authz::{Action, Visible};
use domain::evaluation::{Class, Subject};
use domain::{IndicatorKind, Month, ZoneCode};
use serde::Serialize;

use crate::evaluation_runs::{ObjectionView, Source, Stored, shown};
use crate::{App, Caller, Figures, Result, ServiceError};

/// One enterprise's result, in the shape `leapfrog evaluate --json` prints (issue 9).
#[derive(Debug, Clone, Serialize)]
pub struct Evaluated {
    pub uscc: String,
    /// The registry's name and zone, for lists.
    pub name: String,
    pub zone: String,
    /// "above" or "below" (规上 / 规下).
    pub scale: &'static str,
    pub total: f64,
    /// "A" … "D", or "ungraded".
    pub class: &'static str,
    /// By indicator code, each code shared with the method (tens of thousands of results).
    pub scores: BTreeMap<Arc<str>, f64>,
    pub imputed: Vec<Arc<str>>,
    pub values: BTreeMap<Arc<str>, Option<f64>>,
    pub benchmarks: BTreeMap<Arc<str>, Option<f64>>,
    pub rank: Option<usize>,
    pub ranked: usize,
    /// Why it is not graded, if it is not.
    pub exempt: Option<String>,
}

impl From<&domain::evaluation::Result> for Evaluated {
    fn from(r: &domain::evaluation::Result) -> Evaluated {
        Evaluated {
            uscc: r.uscc.clone(),
            name: String::new(),
            zone: String::new(),
            scale: if r.above_scale { "above" } else { "below" },
            total: r.total,
            class: class_code(r.class),
            scores: r.indicators.iter().map(|i| (i.code.clone(), i.score)).collect(),
            imputed: r.indicators.iter().filter(|i| i.imputed).map(|i| i.code.clone()).collect(),
            values: r.indicators.iter().map(|i| (i.code.clone(), i.value)).collect(),
            benchmarks: r.indicators.iter().map(|i| (i.code.clone(), i.benchmark)).collect(),
            rank: r.rank,
            ranked: r.ranked,
            exempt: r.exempt.clone(),
        }
    }
}

pub(crate) fn class_code(c: Option<Class>) -> &'static str {
    match c {
        Some(Class::A) => "A",
        Some(Class::B) => "B",
        Some(Class::C) => "C",
        Some(Class::D) => "D",
        None => "ungraded",
    }
}

/// Where an evaluated enterprise is, as lists and aggregates need it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Place {
    pub name: String,
    pub zone: String,
    pub park: Option<String>,
}

impl App {
    /// Which months of `from..=to` count for each zone: None for every month (provisional
    /// figures), else each zone's official months, zones with the same months together.
    pub(crate) async fn counted_months(
        &self,
        from: Month,
        to: Month,
        figures: Figures,
    ) -> Result<Option<Vec<(Vec<ZoneCode>, Vec<Month>)>>> {
        if figures == Figures::Provisional {
            return Ok(None);
        }
        let states = self.states(from, to).await?;
        let mut groups: BTreeMap<Vec<Month>, Vec<ZoneCode>> = BTreeMap::new();
        for z in &self.plan.zones {
            let top = self.plan.top_zone(&z.code).to_string();
            let months: Vec<Month> = std::iter::successors(Some(from), |m| (*m < to).then(|| m.next()))
                .filter(|m| states.get(&(top.clone(), m.yyyymm())).is_some_and(|s| s.official()))
                .collect();
            groups.entry(months).or_default().push(z.code.clone());
        }
        Ok(Some(groups.into_iter().map(|(months, zones)| (zones, months)).collect()))
    }

    /// The subjects of year `year`: industrial enterprises holding the plan's minimum land with
    /// facts in the year, their annual values, and what leaves some ungraded.
    pub(crate) async fn evaluation_subjects(
        &self,
        year: i32,
        figures: Figures,
    ) -> Result<(Vec<Subject>, HashMap<String, Place>)> {
        let rules = self.evaluation_rules()?;
        let (from, to) = crate::year_months(year)?;
        let codes: Vec<domain::IndicatorCode> = self.plan.indicators.iter().map(|i| i.code.clone()).collect();
        let months_by_zones = self.counted_months(from, to, figures).await?;
        let filter = store::TotalsFilter {
            industries: self
                .plan
                .industries
                .iter()
                .filter(|i| i.tier != domain::Tier::Services)
                .map(|i| i.code.clone())
                .collect(),
            min_land_mu: rules.land_threshold_mu,
            months_by_zones,
        };
        let totals = self.store.annual_totals(&codes, from, to, &filter).await?;
        // A major project of the enterprise under construction in the year leaves it ungraded.
        let building: std::collections::HashSet<String> = self
            .store
            .projects(&[])
            .await?
            .into_iter()
            .filter(|p| p.is_major_industrial(&self.plan) && p.actual_start.is_some_and(|s| s <= to))
            .filter(|p| p.actual_completion.is_none_or(|c| c > to))
            .filter_map(|p| p.investor_uscc.map(|u| u.to_string()))
            .collect();
        let adjustments: HashMap<String, store::Adjustment> =
            self.store.adjustments(year).await?.into_iter().map(|a| (a.uscc.clone(), a)).collect();
        let end = domain::projects::last_day(to);
        // 公用事业: the registry's tag, or the designation held at the year's end.
        let utilities: std::collections::HashSet<String> = match self.plan.resolve_tag("公用事业") {
            Some(def) => self.store.tag_holder_usccs(&def.code, end).await?.into_iter().collect(),
            None => Default::default(),
        };
        // One key per indicator, shared by every subject's facts.
        let keys: Vec<Arc<str>> = self.plan.indicators.iter().map(|i| Arc::from(i.code.as_str())).collect();
        let mut out = Vec::new();
        let mut zone_of = HashMap::new();
        for store::EnterpriseTotals { enterprise: e, totals: sums } in totals {
            let land = e.land_mu.unwrap_or(0.0);
            if sums.iter().all(|(_, n)| *n == 0) {
                continue;
            }
            let mut facts = BTreeMap::new();
            for (k, (ind, (sum, n))) in self.plan.indicators.iter().zip(&sums).enumerate() {
                if *n == 0 {
                    continue;
                }
                let unit = domain::amount::scale(ind.decimals) as f64;
                let v = match ind.kind {
                    IndicatorKind::Flow => *sum as f64 / unit,
                    IndicatorKind::Stock => *sum as f64 / unit / *n as f64,
                };
                facts.insert(keys[k].clone(), v);
            }
            let young = e.established.as_deref().and_then(domain::calendar::Date::parse).is_some_and(|d| {
                domain::calendar::Date::new(d.year + rules.young_years as i32, d.month, d.day.min(28))
                    .is_some_and(|anniversary| anniversary > end)
            });
            let exempt = if e.tags.iter().any(|t| t == "公用事业") || utilities.contains(&e.uscc) {
                Some("公用事业".to_string())
            } else if young {
                Some(format!("成立不满{}年", rules.young_years))
            } else if building.contains(&e.uscc) {
                Some("重大项目在建".to_string())
            } else {
                None
            };
            zone_of.insert(e.uscc.clone(), Place { name: e.name.clone(), zone: e.zone.clone(), park: e.park.clone() });
            let (adjustment, adjustment_reason) =
                adjustments.get(&e.uscc).map_or((0.0, String::new()), |a| (a.points as f64 / 100.0, a.reason.clone()));
            out.push(Subject {
                uscc: e.uscc,
                above_scale: e.above_scale,
                land_mu: land,
                facts,
                exempt,
                adjustment,
                adjustment_reason,
            });
        }
        Ok((out, zone_of))
    }

    /// The evaluation of `year` computed now and saved nowhere (试算), the enterprises the caller
    /// may see; staff only, as an enterprise sees results once published.
    pub async fn evaluate(&self, caller: &Caller, year: i32, figures: Figures) -> Result<Vec<Evaluated>> {
        let visible = caller.actor.visible(&self.plan, Action::ReadEnterprise);
        if visible == Visible::None {
            return Err(ServiceError::Forbidden(format!("角色“{}”无权查看评价结果 / not allowed", caller.actor.role.zh())));
        }
        self.require_trial(caller)?;
        // Everyone is evaluated against everyone; each caller sees the results in its reach.
        let trial = self.trial(year, figures).await?;
        Ok(trial.stored.iter().filter(|s| shown(&visible, &s.result.uscc, &s.zone)).map(Stored::evaluated).collect())
    }
}

/// One enterprise's evaluation explained: each indicator's value, benchmark, score, cap or
/// imputation, what alone would lift it a class, its class history and the objections to it.
#[derive(Debug, Clone, Serialize)]
pub struct EvaluationDetail {
    pub result: Evaluated,
    /// Share of the ranked that it is ahead of or level with (%), when ranked.
    pub percentile: Option<f64>,
    pub policy: String,
    pub lines: Vec<DetailLine>,
    /// Bonus minus penalty in its total, and why.
    pub adjustment: f64,
    pub adjustment_reason: String,
    /// The run shown; None for a trial computation, saved nowhere.
    pub run: Option<i64>,
    /// Its class in each year's final run, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Years in D running up to this one, if this result stands.
    pub years_in_d: u32,
    pub objections: Vec<ObjectionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub year: i32,
    pub class: &'static str,
    pub total: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DetailLine {
    pub code: String,
    pub name: String,
    pub weight: f64,
    pub value: Option<f64>,
    pub benchmark: Option<f64>,
    pub score: f64,
    pub imputed: bool,
    pub capped: bool,
    /// The numerator's facts indicator (name and unit), its annual value now, and the value that
    /// alone would reach the next class (None: none would, or there is no better class).
    pub numerator: String,
    pub numerator_now: Option<f64>,
    pub numerator_for_next_class: Option<f64>,
}

impl App {
    async fn final_history(&self, uscc: &str) -> Result<Vec<HistoryEntry>> {
        Ok(self
            .store
            .final_results_of(uscc)
            .await?
            .iter()
            .map(|(y, row)| HistoryEntry { year: *y, class: class_code(Class::parse(&row.class)), total: row.total })
            .collect())
    }

    /// An enterprise's class in each year's final run, oldest first, if the caller may see it.
    pub async fn evaluation_history(&self, caller: &Caller, uscc: &str) -> Result<Vec<HistoryEntry>> {
        let e = self.store.enterprise(uscc).await?.ok_or_else(|| {
            ServiceError::NotFound(format!("没有统一社会信用代码为 {} 的企业 / no such enterprise", domain::shorten(uscc)))
        })?;
        self.authorize(caller, Action::ReadEnterprise, domain::authz::Target::Enterprise { uscc: &e.uscc, zone: &e.zone })?;
        self.final_history(&e.uscc).await
    }

    /// One enterprise's result for `year`: in run `run`, or else in the trial computation, if
    /// the caller may see it.
    pub async fn evaluation_detail(&self, caller: &Caller, year: i32, uscc: &str, source: Source) -> Result<EvaluationDetail> {
        let not_found = || ServiceError::NotFound(format!("{year}年没有对 {} 的评价 / not evaluated", domain::shorten(uscc)));
        let e = self.store.enterprise(uscc).await?.ok_or_else(not_found)?;
        self.authorize(caller, Action::ReadEnterprise, domain::authz::Target::Enterprise { uscc: &e.uscc, zone: &e.zone })?;
        let (computed, run) = match source {
            Source::Trial(figures) => {
                self.require_trial(caller)?;
                (self.trial(year, figures).await?, None)
            }
            Source::Run(id) => {
                let run = self.visible_run(caller, id).await?;
                if run.year != year {
                    return Err(not_found());
                }
                (self.run_data(&run).await?, Some(id))
            }
        };
        let Some(mine) = computed.stored.iter().find(|s| s.result.uscc == e.uscc) else { return Err(not_found()) };
        let (r, me, method) = (&mine.result, &mine.subject, &computed.method);
        let indicators = if r.above_scale { &method.above } else { &method.below };
        let lifts = match r.class {
            Some(_) => {
                let subjects: Vec<&Subject> = computed.stored.iter().map(|s| &s.subject).collect();
                domain::evaluation::values_for_next_class(method, year, &subjects, &e.uscc)
            }
            None => BTreeMap::new(),
        };
        let lines = indicators
            .iter()
            .zip(&r.indicators)
            .map(|(ind, got)| {
                let numerator =
                    self.plan.indicator(&ind.numerator).map_or(ind.numerator.clone(), |i| format!("{}({})", i.name, i.unit));
                DetailLine {
                    code: ind.code.to_string(),
                    name: ind.name.clone(),
                    weight: ind.weight,
                    value: got.value,
                    benchmark: got.benchmark,
                    score: got.score,
                    imputed: got.imputed,
                    capped: got.capped,
                    numerator,
                    numerator_now: me.facts.get(ind.numerator.as_str()).copied(),
                    numerator_for_next_class: lifts.get(&ind.code).copied().flatten(),
                }
            })
            .collect();
        let percentile = r.rank.map(|k| ((r.ranked - k + 1) as f64 / r.ranked as f64 * 1000.0).round() / 10.0);
        let policy = r
            .class
            .and_then(|c| self.evaluation_rules().ok().and_then(|rules| rules.policies.get(&c).cloned()))
            .unwrap_or_else(|| "不定等级,按B类管理。".into());
        let finals = self.store.final_results_of(&e.uscc).await?;
        let mut classes: BTreeMap<i32, Option<Class>> = finals.iter().map(|(y, row)| (*y, Class::parse(&row.class))).collect();
        let history = finals
            .iter()
            .map(|(y, row)| HistoryEntry { year: *y, class: class_code(Class::parse(&row.class)), total: row.total })
            .collect();
        classes.insert(year, r.class);
        let objections = match run {
            Some(id) => self.store.objections(id, Some(&e.uscc)).await?.iter().map(ObjectionView::from).collect(),
            None => Vec::new(),
        };
        Ok(EvaluationDetail {
            result: Evaluated { name: e.name.clone(), zone: e.zone.clone(), ..Evaluated::from(r) },
            percentile,
            policy,
            lines,
            adjustment: me.adjustment,
            adjustment_reason: me.adjustment_reason.clone(),
            run,
            history,
            years_in_d: domain::evaluation::years_in_d(&classes, year),
            objections,
        })
    }
}
