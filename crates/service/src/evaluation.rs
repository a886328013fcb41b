//! The per-mu efficiency evaluation (M6) over the registry and a year's facts: who is evaluated,
//! their annual values, who is left ungraded and why, and the results each caller may see.

use std::collections::{BTreeMap, HashMap};

use domain::authz::{Action, Visible};
use domain::evaluation::{Class, Subject, evaluate};
use domain::{IndicatorKind, Month, ZoneCode};
use serde::Serialize;
use store::EnterpriseFilter;

use crate::{App, Caller, Figures, Result, ServiceError};

/// One enterprise's result, in the shape `leapfrog evaluate --json` prints (issue 9).
#[derive(Debug, Clone, Serialize)]
pub struct Evaluated {
    pub uscc: String,
    /// "above" or "below" (规上 / 规下).
    pub scale: &'static str,
    pub total: f64,
    /// "A" … "D", or "ungraded".
    pub class: &'static str,
    pub scores: BTreeMap<String, f64>,
    pub imputed: Vec<String>,
    pub values: BTreeMap<String, Option<f64>>,
    pub benchmarks: BTreeMap<String, Option<f64>>,
    pub rank: Option<usize>,
    pub ranked: usize,
    /// Why it is not graded, if it is not.
    pub exempt: Option<String>,
}

fn class_code(c: Option<Class>) -> &'static str {
    match c {
        Some(Class::A) => "A",
        Some(Class::B) => "B",
        Some(Class::C) => "C",
        Some(Class::D) => "D",
        None => "ungraded",
    }
}

impl App {
    /// The subjects of year `year`: industrial enterprises holding the plan's minimum land with
    /// facts in the year, their annual values, and what leaves some ungraded.
    pub(crate) async fn evaluation_subjects(
        &self,
        year: i32,
        figures: Figures,
    ) -> Result<(Vec<Subject>, HashMap<String, String>)> {
        let rules = self.plan.evaluation.as_ref().ok_or_else(|| {
            ServiceError::BadRequest("计划文件没有亩产效益评价方法([evaluation]) / the plan has no evaluation method".into())
        })?;
        let (Some(from), Some(to)) = (Month::new(year, 1), Month::new(year, 12)) else {
            return Err(ServiceError::BadRequest(format!("年份 {year} 不正确 / bad year")));
        };
        // The registry, page by page.
        let mut registry = Vec::new();
        let mut offset = 0;
        loop {
            let (page, total) = self.store.enterprises(&EnterpriseFilter { offset, limit: 10_000, ..Default::default() }).await?;
            offset += page.len() as i64;
            let done = page.is_empty() || offset >= total;
            registry.extend(page);
            if done {
                break;
            }
        }
        let codes: Vec<domain::IndicatorCode> = self.plan.indicators.iter().map(|i| i.code.clone()).collect();
        let only: Option<Vec<(ZoneCode, Month)>> = match figures {
            Figures::Provisional => None,
            Figures::Official => {
                let states = self.states(from, to).await?;
                let mut pairs = Vec::new();
                for z in &self.plan.zones {
                    let top = self.plan.top_zone(&z.code).to_string();
                    let mut m = from;
                    while m <= to {
                        if states.get(&(top.clone(), m.yyyymm())).is_some_and(|s| s.official()) {
                            pairs.push((z.code.clone(), m));
                        }
                        m = m.next();
                    }
                }
                Some(pairs)
            }
        };
        let totals = self.store.enterprise_totals(&codes, from, to, only.as_deref()).await?;
        let totals: BTreeMap<String, Vec<(i64, i64)>> = totals.into_iter().map(|t| (t.uscc, t.totals)).collect();
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
        let end = domain::projects::last_day(to);
        let mut out = Vec::new();
        let mut zone_of = HashMap::new();
        for e in registry {
            let industrial = self.plan.industry(&e.industry).is_some_and(|i| i.tier != domain::Tier::Services);
            let land = e.land_mu.unwrap_or(0.0);
            let Some(sums) = totals.get(&e.uscc) else { continue };
            if !industrial || land < rules.land_threshold_mu || sums.iter().all(|(_, n)| *n == 0) {
                continue;
            }
            let mut facts = BTreeMap::new();
            for (ind, (sum, n)) in self.plan.indicators.iter().zip(sums) {
                if *n == 0 {
                    continue;
                }
                let unit = domain::amount::scale(ind.decimals) as f64;
                let v = match ind.kind {
                    IndicatorKind::Flow => *sum as f64 / unit,
                    IndicatorKind::Stock => *sum as f64 / unit / *n as f64,
                };
                facts.insert(ind.code.to_string(), v);
            }
            let young = e.established.as_deref().and_then(domain::calendar::Date::parse).is_some_and(|d| {
                domain::calendar::Date::new(d.year + rules.young_years as i32, d.month, d.day.min(28))
                    .is_some_and(|anniversary| anniversary > end)
            });
            let exempt = if e.tags.iter().any(|t| t == "公用事业") {
                Some("公用事业".to_string())
            } else if young {
                Some(format!("成立不满{}年", rules.young_years))
            } else if building.contains(&e.uscc) {
                Some("重大项目在建".to_string())
            } else {
                None
            };
            zone_of.insert(e.uscc.clone(), e.zone.clone());
            out.push(Subject { uscc: e.uscc, above_scale: e.above_scale, land_mu: land, facts, exempt, adjustment: 0.0 });
        }
        Ok((out, zone_of))
    }

    /// The evaluation of `year`, the enterprises the caller may see.
    pub async fn evaluate(&self, caller: &Caller, year: i32, figures: Figures) -> Result<Vec<Evaluated>> {
        let visible = caller.actor.visible(&self.plan, Action::ReadEnterprise);
        if visible == Visible::None {
            return Err(ServiceError::Forbidden(format!("角色“{}”无权查看评价结果 / not allowed", caller.actor.role.zh())));
        }
        let rules = self
            .plan
            .evaluation
            .as_ref()
            .ok_or_else(|| ServiceError::BadRequest("计划文件没有亩产效益评价方法 / no evaluation method".into()))?;
        let (subjects, zone_of) = self.evaluation_subjects(year, figures).await?;
        // Everyone is evaluated against everyone; each caller sees the results in its reach.
        let results = evaluate(&rules.method, year, &subjects);
        let mut out = Vec::new();
        for r in results {
            let keep = match &visible {
                Visible::All => true,
                Visible::Enterprise(own) => *own == r.uscc,
                Visible::Zones(zs) => zone_of.get(&r.uscc).is_some_and(|z| zs.iter().any(|x| x == z)),
                Visible::None => false,
            };
            if !keep {
                continue;
            }
            out.push(Evaluated {
                scale: if r.above_scale { "above" } else { "below" },
                total: r.total,
                class: class_code(r.class),
                scores: r.indicators.iter().map(|i| (i.code.clone(), i.score)).collect(),
                imputed: r.indicators.iter().filter(|i| i.imputed).map(|i| i.code.clone()).collect(),
                values: r.indicators.iter().map(|i| (i.code.clone(), i.value)).collect(),
                benchmarks: r.indicators.iter().map(|i| (i.code.clone(), i.benchmark)).collect(),
                rank: r.rank,
                ranked: r.ranked,
                exempt: r.exempt,
                uscc: r.uscc,
            });
        }
        Ok(out)
    }
}
