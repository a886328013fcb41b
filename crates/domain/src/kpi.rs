//! Headline KPIs (三、主要目标): targets, and actuals where the monthly facts supply them.

use serde::Serialize;

use crate::progress::{CellIndex, Pick};
use crate::{ALL, Month, Plan};

#[cfg(test)]
mod report_tests {
    use super::*;

    #[test]
    fn report_periods_end_label_and_parse() {
        let m = |s: &str| Month::parse(s).unwrap();
        assert_eq!(ReportEvery::Quarter.period_end(m("2023-08")), m("2023-09"));
        assert_eq!(ReportEvery::Quarter.label(m("2023-08")), "2023Q3");
        assert_eq!(ReportEvery::Quarter.last_ended(m("2023-08")), m("2023-06"));
        assert_eq!(ReportEvery::Quarter.last_ended(m("2023-01")), m("2022-12"));
        assert_eq!(ReportEvery::Month.last_ended(m("2023-01")), m("2022-12"));
        assert_eq!(ReportEvery::Year.last_ended(m("2023-11")), m("2022-12"));
        assert_eq!(ReportEvery::Quarter.parse_period("2023q2"), Some(m("2023-06")));
        assert_eq!(ReportEvery::Quarter.parse_period("2023Q5"), None);
        assert_eq!(ReportEvery::Year.parse_period("2023"), Some(m("2023-12")));
        assert_eq!(ReportEvery::Month.parse_period("2023/9"), Some(m("2023-09")));
        assert_eq!(ReportEvery::Year.parse_period("2023-09"), None);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Comparison {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = ">")]
    MoreThan,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KpiPeriod {
    /// A target to meet every plan year.
    Annual,
    /// A target to meet by the given year.
    Year(i32),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiMeasure {
    /// The last twelve months of the 1+2+3 industries as a multiple of the baseline year.
    MultipleOfBaseline,
    /// This year's total so far, in the plan's target unit.
    AnnualSum,
    /// How many industries reached the threshold (万元) over the last twelve months.
    IndustriesAtLeast { threshold: f64 },
    /// How many enterprises reached the threshold (万元) over the last twelve months (千亿级企业):
    /// counted from each enterprise's facts, not the cell sums.
    EnterprisesAtLeast { threshold: f64 },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiSource {
    Facts {
        indicator: String,
        measure: KpiMeasure,
    },
    /// Computed from the major projects (M3).
    Projects(ProjectMeasure),
    /// Counted from the enterprises' designations (M5), by the tag's code.
    Tags {
        tag: String,
        measure: TagMeasure,
    },
    /// Taken from the innovation platforms, teams and the R&D spending (M5).
    Innovation(InnovationMeasure),
    /// Entered once a period by the organisation that owns it (a department or a zone code):
    /// floor space built, network coverage, what no module computes.
    Reported {
        owner: String,
        every: ReportEvery,
    },
    /// Supplied by a later module (M4 investment, M5 enterprises …).
    Module(String),
}

/// A period's value of a reported KPI, as its owner entered it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiUpdate {
    pub kpi: String,
    /// The update's number for the KPI (1, 2, …): a period entered again keeps the earlier one.
    pub n: i64,
    /// The period's label (2023Q3) and its last month.
    pub period: String,
    pub period_end: Month,
    pub value: f64,
    pub note: String,
    /// The evidence file sent with it, if any.
    pub file_name: Option<String>,
    pub by: String,
    pub by_name: String,
    pub at: i64,
}

coded_enum!(
    /// How often an owner reports a KPI.
    #[serde(rename_all = "snake_case")]
    ReportEvery {
        Month = "month", "每月";
        Quarter = "quarter", "每季度";
        Year = "year", "每年";
    }
);

impl ReportEvery {
    fn months(self) -> u32 {
        match self {
            ReportEvery::Month => 1,
            ReportEvery::Quarter => 3,
            ReportEvery::Year => 12,
        }
    }

    /// The last month of the period `m` falls in.
    pub fn period_end(self, m: Month) -> Month {
        let n = self.months();
        let last = (m.month() - 1) / n * n + n;
        Month::new(m.year(), last).expect("a month of the year")
    }

    /// A period's label: 2023-09, 2023Q3 or 2023.
    pub fn label(self, m: Month) -> String {
        match self {
            ReportEvery::Month => m.to_string(),
            ReportEvery::Quarter => format!("{}Q{}", m.year(), (m.month() - 1) / 3 + 1),
            ReportEvery::Year => m.year().to_string(),
        }
    }

    /// The period a label names, as its last month (2023-09, 2023/9, 2023Q3, 2023).
    pub fn parse_period(self, s: &str) -> Option<Month> {
        let s = s.trim();
        match self {
            ReportEvery::Month => Month::parse(s).ok(),
            ReportEvery::Quarter => {
                let (y, q) = s.to_uppercase().split_once('Q').map(|(y, q)| (y.to_string(), q.to_string()))?;
                let q: u32 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
                Month::new(y.parse().ok().filter(|y| (1900..=9999).contains(y))?, q * 3)
            }
            ReportEvery::Year => Month::new(s.parse().ok().filter(|y| (1900..=9999).contains(y))?, 12),
        }
    }

    /// The last period that has ended before the month `now`, as its last month.
    pub fn last_ended(self, now: Month) -> Month {
        let mut m = self.period_end(now);
        for _ in 0..self.months() {
            m = m.prev();
        }
        m
    }
}

/// What an innovation KPI takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InnovationMeasure {
    /// Platforms standing at the month's end at this level or above.
    Platforms { min_level: crate::innovation::Level },
    /// 三个翻番: 省级以上平台, 高新技术企业 and 双创团队 as multiples of the baseline year's end; the
    /// smallest of the three.
    ThreeDoublings,
    /// The year's R&D spending (the facts' 研发经费) over the year's GDP, in %.
    RdShareOfGdp,
}

/// What a designations KPI counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TagMeasure {
    /// Enterprises holding it at the month's end.
    Holding,
    /// Enterprises whose designation began in the year, through the month's end (新增).
    NewInYear,
}

/// What a projects KPI counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectMeasure {
    /// 亿元以上工业项目 started in the year through the month.
    MajorStarted,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kpi {
    pub code: String,
    pub name: String,
    pub target: f64,
    pub comparison: Comparison,
    pub unit: String,
    pub period: KpiPeriod,
    pub actual: KpiSource,
}

/// A KPI's actual at a month, with the basis a reader needs to trust it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiActual {
    pub value: f64,
    pub met: bool,
    pub basis: String,
}

impl Kpi {
    pub fn is_met(&self, value: f64) -> bool {
        match self.comparison {
            Comparison::AtLeast => value >= self.target,
            Comparison::MoreThan => value > self.target,
        }
    }

    /// The actual at `month` from an index over the KPI's indicator; None for module KPIs or
    /// when the facts needed are missing.
    pub fn actual_from_facts(&self, plan: &Plan, index: &CellIndex, month: Month) -> Option<KpiActual> {
        let KpiSource::Facts { measure, .. } = &self.actual else {
            return None;
        };
        let (all_i, all_z) = index.pick(ALL, ALL);
        let (value, basis) = match measure {
            KpiMeasure::EnterprisesAtLeast { .. } => return None,
            KpiMeasure::MultipleOfBaseline => {
                let base = index.period(all_i, all_z, Month::new(plan.baseline_year, 1)?, Month::new(plan.baseline_year, 12)?)?;
                let last12 = index.trailing_year(all_i, all_z, month)?;
                if base <= 0.0 {
                    return None;
                }
                (last12 / base, format!("截至{}近12个月合计 ÷ {}年全年(1+2+3产业)", month.zh(), plan.baseline_year))
            }
            KpiMeasure::AnnualSum => (
                index.period(all_i, all_z, month.year_start(), month)? / plan.target_unit_wan,
                format!("{}年1-{}月累计(1+2+3产业)", month.year(), month.month()),
            ),
            KpiMeasure::IndustriesAtLeast { threshold } => {
                let n = index
                    .all_industries
                    .iter()
                    .filter(|i| index.trailing_year(Pick::One(i), all_z, month).is_some_and(|v| v >= *threshold))
                    .count();
                (n as f64, format!("截至{}近12个月达到门槛的产业数", month.zh()))
            }
        };
        Some(KpiActual { value, met: self.is_met(value), basis })
    }
}

/// A headline KPI projected to the year's end (PRODUCT.md §7), in the KPI's unit, with the odds
/// of reaching its target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KpiProjection {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub probability: f64,
    pub years: Vec<i32>,
}

impl Kpi {
    /// The KPI at the year's end, from the year's projection of the 1+2+3 total, for the
    /// measures a year's projection applies to: the year's sum and the multiple of the baseline
    /// year. `history` must hold every earlier year (`months_with_history`). None for the counts
    /// of industries or enterprises, and wherever the total itself projects nothing.
    pub fn projection_from_facts(&self, plan: &Plan, history: &CellIndex, month: Month) -> Option<KpiProjection> {
        let KpiSource::Facts { measure, .. } = &self.actual else {
            return None;
        };
        let (all_i, all_z) = history.pick(ALL, ALL);
        // The KPI's unit in the indicator's: 亿 for the year's sum, the baseline year for a multiple.
        let per = match measure {
            KpiMeasure::AnnualSum => plan.target_unit_wan,
            KpiMeasure::MultipleOfBaseline => history
                .period(all_i, all_z, Month::new(plan.baseline_year, 1)?, Month::new(plan.baseline_year, 12)?)
                .filter(|b| *b > 0.0)?,
            KpiMeasure::IndustriesAtLeast { .. } | KpiMeasure::EnterprisesAtLeast { .. } => return None,
        };
        let ytd = history.period(all_i, all_z, month.year_start(), month);
        let p = crate::projection::project(month.month(), ytd, Some(self.target * per), &history.past_years(ALL, ALL, month));
        Some(KpiProjection {
            value: p.projected? / per,
            low: p.low? / per,
            high: p.high? / per,
            probability: p.probability?,
            years: p.years,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::CellMonth;

    #[test]
    fn a_years_sum_is_projected_with_the_odds_of_its_target() {
        let plan = Plan::default_plan();
        let mut kpi = plan
            .kpis
            .iter()
            .find(|k| matches!(&k.actual, KpiSource::Facts { measure: KpiMeasure::AnnualSum, .. }))
            .expect("the default plan has a year's-sum KPI")
            .clone();
        let KpiSource::Facts { indicator, .. } = &kpi.actual else { unreachable!() };
        let ind = plan.indicator(indicator).unwrap();
        let raw = crate::amount::scale(ind.decimals);
        // 万元 a month in one target industry: 2020 flat (half by June), 2021 doubling in the
        // second half (a third by June), 2022 900 to June.
        let mut cells = Vec::new();
        let mut put = |y: i32, m: u32, wan: i64| {
            cells.push(CellMonth {
                industry: crate::IndustryCode::parse("optoelectronics").unwrap(),
                zone: crate::ZoneCode::parse("etdz").unwrap(),
                month: Month::new(y, m).unwrap(),
                sum: wan * raw,
            })
        };
        (1..=12).for_each(|m| put(2020, m, 100));
        (1..=12).for_each(|m| put(2021, m, if m <= 6 { 100 } else { 200 }));
        (1..=6).for_each(|m| put(2022, m, 150));
        let index = CellIndex::new(&plan, ind, &cells);
        // In 亿元: 900 / (5/12) = 2160 万元; the range 1800 to 2700; a target of 0.2 亿 is reached
        // by 2020's pattern only.
        kpi.target = 0.2;
        let p = kpi.projection_from_facts(&plan, &index, Month::new(2022, 6).unwrap()).expect("projected");
        assert!((p.value - 0.216).abs() < 1e-9 && (p.low - 0.18).abs() < 1e-9 && (p.high - 0.27).abs() < 1e-9, "{p:?}");
        assert_eq!((p.probability, p.years), (0.5, vec![2020, 2021]));
        // January projects nothing.
        assert_eq!(kpi.projection_from_facts(&plan, &index, Month::new(2022, 1).unwrap()), None);
    }

    #[test]
    fn doubling_and_thousand_billion_industry_from_facts() {
        let plan = Plan::default_plan();
        let rev = plan.indicator("revenue").unwrap();
        let m = |y, mo| Month::new(y, mo).unwrap();
        let mut cells = Vec::new();
        for mo in 1..=12 {
            // 2020: 50亿/month in optoelectronics; 2023: 100亿/month.
            cells.push(CellMonth {
                industry: crate::IndustryCode::parse("optoelectronics").unwrap(),
                zone: crate::ZoneCode::parse("etdz").unwrap(),
                month: m(2020, mo),
                sum: 500_000 * 10_000,
            });
            cells.push(CellMonth {
                industry: crate::IndustryCode::parse("optoelectronics").unwrap(),
                zone: crate::ZoneCode::parse("etdz").unwrap(),
                month: m(2023, mo),
                sum: 1_000_000 * 10_000,
            });
        }
        let idx = CellIndex::new(&plan, rev, &cells);
        let kpi = |c: &str| plan.kpis.iter().find(|k| k.code == c).unwrap();
        let doubling = kpi("industrial_revenue_doubling").actual_from_facts(&plan, &idx, m(2023, 12)).unwrap();
        assert!((doubling.value - 2.0).abs() < 1e-9);
        assert!(doubling.met);
        let thousand = kpi("hundred_billion_industry").actual_from_facts(&plan, &idx, m(2023, 12)).unwrap();
        assert_eq!(thousand.value, 1.0);
        let not_yet = kpi("hundred_billion_industry").actual_from_facts(&plan, &idx, m(2023, 9)).unwrap(); // 9 × 100亿
        assert_eq!(not_yet.value, 0.0);
        assert!(kpi("high_tech_enterprises").actual_from_facts(&plan, &idx, m(2023, 12)).is_none());
    }
}
