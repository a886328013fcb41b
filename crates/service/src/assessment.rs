//! The annual zone assessment (年考核): each top-level zone's achievements found from the official
//! figures, the projects and the leads, scored by the plan's weighted scheme and ranked.

use std::collections::BTreeMap;

use domain::assessment::{Achievement, Measure, ZoneScore, assess};
use domain::authz::Action;
use domain::{ALL, ZoneCode};

use crate::{App, Caller, Figures, Result, ServiceError};

impl App {
    /// Scores and ranks every top-level zone for `year`, on the official figures through the
    /// year's last month with data (December once the year is over).
    pub async fn assess(&self, caller: &Caller, year: i32) -> Result<Vec<ZoneScore>> {
        // The ranking is published to every reader of the region's figures and projects; what
        // it is computed from is the whole region's.
        self.require(caller, Action::ReadAggregates)?;
        self.require_some(caller, Action::ReadProjects)?;
        let (first, december) = crate::year_months(year)?;
        if !self.plan.years.contains(&year) && year != self.plan.baseline_year {
            return Err(ServiceError::BadRequest(format!(
                "{year} 年不是计划年份({}) / not a year of the plan",
                self.plan.years.iter().map(i32::to_string).collect::<Vec<_>>().join("、")
            )));
        }
        let month = december.min(self.clock.current_month());
        let tops: Vec<ZoneCode> = self.plan.top_zones().map(|z| z.code.clone()).collect();
        let mut found: BTreeMap<ZoneCode, BTreeMap<String, Option<Achievement>>> =
            tops.iter().map(|z| (z.clone(), BTreeMap::new())).collect();

        // The zones' revenue targets, which also share out region KPIs.
        let revenue_rows = self.progress(caller, self.plan.target_indicator.as_str(), month, Figures::Official).await?;
        let target_of =
            |zone: &ZoneCode| revenue_rows.iter().find(|r| r.industry == ALL && r.zone == zone.as_str()).and_then(|r| r.target);
        let all_targets: f64 = tops.iter().filter_map(target_of).sum();
        let projects = self.store.projects(&[]).await?;
        let pipeline = self.pipeline_of(self.store.leads().await?, year, &|_| true);
        let tickets = self.all_tickets_of_year(year).await?;
        let calendar = self.plan.working_calendar();

        for ind in &self.plan.assessment.indicators {
            // The progress table of the indicator the measure reads, once for every zone.
            let rows = match &ind.measure {
                Measure::TargetAttainment { indicator } | Measure::KpiShare { indicator, .. } => {
                    Some(self.progress(caller, indicator, month, Figures::Official).await?)
                }
                _ => None,
            };
            let row_of =
                |zone: &ZoneCode| rows.iter().flat_map(|r| r.iter()).find(|r| r.industry == ALL && r.zone == zone.as_str());
            for zone in &tops {
                let a = match &ind.measure {
                    Measure::TargetAttainment { indicator } => row_of(zone).and_then(|r| {
                        let (ytd, target) = (r.ytd?, r.target.filter(|t| *t > 0.0)?);
                        Some(Achievement {
                            ratio: ytd / target,
                            how: format!(
                                "{}年1-{}月 {} ÷ 年度目标 {}",
                                month.year(),
                                month.month(),
                                self.shown(indicator, ytd),
                                self.shown(indicator, target)
                            ),
                        })
                    }),
                    Measure::KpiShare { indicator, kpi } => {
                        let kpi = self.plan.kpis.iter().find(|k| k.code == *kpi);
                        let ytd = row_of(zone).and_then(|r| r.ytd);
                        match (kpi, ytd, target_of(zone)) {
                            (Some(kpi), Some(ytd), Some(own)) if all_targets > 0.0 => {
                                // The KPI is written in 亿元 where the plan's targets are.
                                let share = own / all_targets;
                                let target = kpi.target * self.plan.target_unit_wan * share;
                                (target > 0.0).then(|| Achievement {
                                    ratio: ytd / target,
                                    how: format!(
                                        "{}年1-{}月 {} ÷ ({} {}{} × 营收目标占比 {:.1}% = {})",
                                        month.year(),
                                        month.month(),
                                        self.shown(indicator, ytd),
                                        kpi.name,
                                        kpi.target,
                                        kpi.unit,
                                        share * 100.0,
                                        self.shown(indicator, target)
                                    ),
                                })
                            }
                            _ => None,
                        }
                    }
                    Measure::MajorProjectsOnTime => {
                        let due: Vec<_> = projects
                            .iter()
                            .filter(|p| self.plan.top_zone(&p.zone) == zone.as_str() && p.is_major_industrial(&self.plan))
                            .filter(|p| p.planned_start.is_some_and(|s| s >= first && s <= month))
                            .collect();
                        let on_time = due
                            .iter()
                            .filter(|p| matches!((p.actual_start, p.planned_start), (Some(a), Some(s)) if a <= s))
                            .count();
                        (!due.is_empty()).then(|| Achievement {
                            ratio: on_time as f64 / due.len() as f64,
                            how: format!("计划{}年开工的亿元以上工业项目 {} 个,按期开工 {} 个", year, due.len(), on_time),
                        })
                    }
                    Measure::Quota152 => pipeline.zones.iter().find(|z| z.zone == *zone).map(|z| {
                        let met = z.tally.tiers.iter().filter(|t| t.met).count();
                        Achievement {
                            ratio: met as f64 / z.tally.tiers.len().max(1) as f64,
                            how: format!("“152”任务 {} 档中完成 {} 档", z.tally.tiers.len(), met),
                        }
                    }),
                    Measure::ServiceSatisfaction => {
                        let mine = tickets.iter().filter(|t| self.plan.top_zone(&t.zone) == zone.as_str());
                        let t = domain::services::tally(mine, &calendar, self.clock.today());
                        (t.rated > 0).then(|| Achievement {
                            ratio: t.satisfied as f64 / t.rated as f64,
                            how: format!("本组团企业评价服务工单 {} 件,满意(4分及以上) {} 件", t.rated, t.satisfied),
                        })
                    }
                    // A module not in use yet gives no data.
                    Measure::Module { .. } => None,
                };
                found.get_mut(zone).expect("every top zone").insert(ind.code.clone(), a);
            }
        }
        let input: Vec<(ZoneCode, BTreeMap<String, Option<Achievement>>)> = found.into_iter().collect();
        Ok(assess(&self.plan.assessment, &input))
    }

    /// An indicator's amount as a reader wants it: money in 亿元, others in their unit.
    fn shown(&self, indicator: &str, value: f64) -> String {
        match self.plan.indicator(indicator).map(|i| i.unit.as_str()) {
            Some("万元") => format!("{}亿元", domain::amount::yi_yuan(value)),
            Some(unit) => format!("{}{unit}", domain::amount::group_thousands(&format!("{value:.2}"))),
            None => format!("{value:.2}"),
        }
    }
}
