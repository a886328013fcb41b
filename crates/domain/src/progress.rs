//! Progress arithmetic (M2): 本月, 累计, 同比, 完成率, 序时进度, 进度差 and status, over the monthly
//! sums the store keeps per industry × zone × month.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::plan::{Indicator, IndicatorKind, Plan};
use crate::{ALL, IndustryCode, Month, ZoneCode};

/// One stored aggregate: the month's sum of an indicator over the enterprises of an industry in a
/// zone (a leaf of the zone tree), in the indicator's smallest kept unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellMonth {
    pub industry: IndustryCode,
    pub zone: ZoneCode,
    pub month: Month,
    pub sum: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ahead,
    SlightlyBehind,
    Behind,
}

impl Status {
    pub fn from_gap(gap_pp: f64, slightly_behind_pp: f64) -> Status {
        if gap_pp >= 0.0 {
            Status::Ahead
        } else if gap_pp >= slightly_behind_pp {
            Status::SlightlyBehind
        } else {
            Status::Behind
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Status::Ahead => "ahead",
            Status::SlightlyBehind => "slightly_behind",
            Status::Behind => "behind",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Status::Ahead => "超序时",
            Status::SlightlyBehind => "略滞后",
            Status::Behind => "滞后",
        }
    }
}

/// A row of the progress table; field names and meanings are a published contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgressRow {
    pub industry: String,
    pub zone: String,
    pub month: String,
    pub value: Option<f64>,
    pub ytd: Option<f64>,
    pub ytd_prev: Option<f64>,
    pub yoy_pct: Option<f64>,
    pub target: Option<f64>,
    pub attainment_pct: Option<f64>,
    pub time_progress_pct: f64,
    pub gap_pp: Option<f64>,
    pub status: Option<Status>,
}

/// Growth over the same period a year earlier, in percent; None without both or from zero.
pub fn yoy_pct(value: Option<f64>, prev: Option<f64>) -> Option<f64> {
    match (value, prev) {
        (Some(a), Some(b)) if b != 0.0 => Some((a / b - 1.0) * 100.0),
        _ => None,
    }
}

/// The annual target of a year on the way to a final target: the final target in the final year;
/// before it, the geometric path from the baseline year's actual, base × (final/base)^(k/n).
pub fn annual_target(final_target: f64, baseline: Option<f64>, baseline_year: i32, final_year: i32, year: i32) -> Option<f64> {
    if year == final_year {
        return Some(final_target);
    }
    let base = baseline.filter(|b| *b > 0.0)?;
    if year <= baseline_year || year > final_year || final_target <= 0.0 {
        return None;
    }
    let k = f64::from(year - baseline_year);
    let n = f64::from(final_year - baseline_year);
    Some(base * (final_target / base).powf(k / n))
}

/// Which industries or zones a cell covers: one code, or every one of a set (`all`).
#[derive(Debug, Clone, Copy)]
pub enum Pick<'a> {
    One(&'a str),
    Any(&'a [String]),
}

impl Pick<'_> {
    fn matches(&self, code: &str) -> bool {
        match self {
            Pick::One(c) => *c == code,
            Pick::Any(set) => set.iter().any(|s| s == code),
        }
    }
}

/// Monthly sums of one indicator, per (industry, top-level zone) cell and month.
pub struct CellIndex<'p> {
    plan: &'p Plan,
    indicator: &'p Indicator,
    /// Wider than the stored i64 totals, so adding cells and months can never wrap.
    sums: HashMap<(String, String), BTreeMap<i32, i128>>,
    industries_with_data: BTreeSet<String>,
    zones_with_data: BTreeSet<String>,
    /// Industries an `all` industry total covers, and every top-level zone.
    pub all_industries: Vec<String>,
    pub all_zones: Vec<String>,
}

impl<'p> CellIndex<'p> {
    pub fn new(plan: &'p Plan, indicator: &'p Indicator, cells: &[CellMonth]) -> Self {
        let mut sums = HashMap::new();
        let mut industries_with_data = BTreeSet::new();
        let mut zones_with_data = BTreeSet::new();
        for c in cells {
            let top = plan.top_zone(&c.zone).to_string();
            industries_with_data.insert(c.industry.to_string());
            zones_with_data.insert(top.clone());
            *sums.entry((c.industry.to_string(), top)).or_insert_with(BTreeMap::new).entry(c.month.yyyymm()).or_insert(0) +=
                i128::from(c.sum);
        }
        CellIndex {
            plan,
            indicator,
            sums,
            industries_with_data,
            zones_with_data,
            all_industries: plan.target_industries().into_iter().map(String::from).collect(),
            all_zones: plan.top_zones().map(|z| z.code.to_string()).collect(),
        }
    }

    pub fn pick<'a>(&'a self, industry: &'a str, zone: &'a str) -> (Pick<'a>, Pick<'a>) {
        let i = if industry == ALL { Pick::Any(&self.all_industries) } else { Pick::One(industry) };
        let z = if zone == ALL { Pick::Any(&self.all_zones) } else { Pick::One(zone) };
        (i, z)
    }

    /// Sums per month over the cells a pick covers, for months `from..=to`.
    fn monthly(&self, industry: Pick, zone: Pick, from: Month, to: Month) -> BTreeMap<i32, i128> {
        let mut out = BTreeMap::new();
        for ((i, z), months) in &self.sums {
            if industry.matches(i) && zone.matches(z) {
                for (m, v) in months.range(from.yyyymm()..=to.yyyymm()) {
                    *out.entry(*m).or_insert(0) += v;
                }
            }
        }
        out
    }

    /// The month's sum over a cell, None when nobody in it reported that month.
    pub fn month_sum(&self, industry: Pick, zone: Pick, month: Month) -> Option<i128> {
        self.monthly(industry, zone, month, month).into_values().next()
    }

    /// A period's value over months `from..=to`: the sum for a flow, the mean of the months with
    /// data for a stock.
    pub fn period(&self, industry: Pick, zone: Pick, from: Month, to: Month) -> Option<f64> {
        let monthly = self.monthly(industry, zone, from, to);
        let (total, months) = (monthly.values().sum::<i128>(), monthly.len() as u32);
        if months == 0 {
            return None;
        }
        let unit = crate::amount::scale(self.indicator.decimals) as f64;
        Some(match self.indicator.kind {
            IndicatorKind::Flow => total as f64 / unit,
            IndicatorKind::Stock => total as f64 / unit / f64::from(months),
        })
    }

    /// The twelve months ending with `month`.
    pub fn trailing_year(&self, industry: Pick, zone: Pick, month: Month) -> Option<f64> {
        let from = month.year_before().next();
        self.period(industry, zone, from, month)
    }

    fn year_total(&self, industry: Pick, zone: Pick, year: i32) -> Option<f64> {
        self.period(industry, zone, Month::new(year, 1)?, Month::new(year, 12)?)
    }

    /// The progress row of one cell (`all` allowed for either code).
    pub fn row(&self, industry: &str, zone: &str, month: Month) -> ProgressRow {
        let (pi, pz) = self.pick(industry, zone);
        let unit = crate::amount::scale(self.indicator.decimals) as f64;
        let value = self.month_sum(pi, pz, month).map(|v| v as f64 / unit);
        let ytd = self.period(pi, pz, month.year_start(), month);
        let ytd_prev = self.period(pi, pz, month.year_before().year_start(), month.year_before());
        let yoy_pct = yoy_pct(ytd, ytd_prev);
        let target = if self.indicator.code == self.plan.target_indicator {
            self.plan.final_target(industry, zone).and_then(|fin| {
                let base = self.year_total(pi, pz, self.plan.baseline_year);
                annual_target(fin, base, self.plan.baseline_year, self.plan.final_year(), month.year())
            })
        } else {
            None
        };
        let attainment_pct = match (ytd, target) {
            (Some(y), Some(t)) if t > 0.0 => Some(y / t * 100.0),
            _ => None,
        };
        let time_progress_pct = f64::from(month.month()) / 12.0 * 100.0;
        let gap_pp = attainment_pct.map(|a| a - time_progress_pct);
        ProgressRow {
            industry: industry.to_string(),
            zone: zone.to_string(),
            month: month.to_string(),
            value,
            ytd,
            ytd_prev,
            yoy_pct,
            target,
            attainment_pct,
            time_progress_pct,
            gap_pp,
            status: gap_pp.map(|g| Status::from_gap(g, self.plan.slightly_behind_pp)),
        }
    }

    /// Industries to show: those with data or a target, in plan order.
    pub fn industries_shown(&self) -> Vec<&'p str> {
        let targets = self.plan.target_industries();
        self.plan
            .industries
            .iter()
            .map(|i| i.code.as_str())
            .filter(|c| self.industries_with_data.contains(*c) || targets.contains(c))
            .collect()
    }

    /// Top-level zones to show: those with data or a target, in plan order.
    pub fn zones_shown(&self) -> Vec<&'p str> {
        self.plan
            .top_zones()
            .map(|z| z.code.as_str())
            .filter(|z| {
                self.zones_with_data.contains(*z) || self.plan.targets.iter().any(|t| t.zones.iter().any(|(c, _)| c == z))
            })
            .collect()
    }

    /// The table's cells in order: every shown industry × shown zone, each industry's `all`
    /// zone, then the `all` industry row for each zone and the grand total.
    fn cells(&self) -> Vec<(&'p str, &'p str)> {
        let zones = self.zones_shown();
        self.industries_shown()
            .into_iter()
            .chain([ALL])
            .flat_map(|industry| zones.iter().copied().chain([ALL]).map(move |zone| (industry, zone)))
            .collect()
    }

    /// The whole table, a row per cell.
    pub fn table(&self, month: Month) -> Vec<ProgressRow> {
        self.cells().into_iter().map(|(industry, zone)| self.row(industry, zone, month)).collect()
    }
}

/// A row of the forecast (PRODUCT.md §7): a progress row's cell with its year-to-date, target
/// and projection; field names are a published contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastRow {
    pub industry: String,
    pub zone: String,
    pub month: String,
    pub ytd: Option<f64>,
    pub projected: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub target: Option<f64>,
    pub probability: Option<f64>,
    pub years: Vec<i32>,
    /// Why nothing is projected, when nothing is.
    pub reason: Option<&'static str>,
}

impl CellIndex<'_> {
    /// The projection of one cell at `month` from its own earlier years in this index (which must
    /// hold them: see `months_with_history`).
    pub fn forecast_row(&self, industry: &str, zone: &str, month: Month) -> ForecastRow {
        let row = self.row(industry, zone, month);
        let projection = if self.indicator.kind == IndicatorKind::Stock {
            crate::projection::Projection::none(crate::projection::A_LEVEL, Vec::new())
        } else {
            crate::projection::project(month.month(), row.ytd, row.target, &self.past_years(industry, zone, month))
        };
        ForecastRow {
            industry: row.industry,
            zone: row.zone,
            month: row.month,
            ytd: row.ytd,
            projected: projection.projected,
            low: projection.low,
            high: projection.high,
            target: row.target,
            probability: projection.probability,
            years: projection.years,
            reason: projection.reason,
        }
    }

    /// The cell's years before `month`'s, month by month, from the first year facts may be
    /// given for (this index must hold them: see `months_with_history`).
    pub fn past_years(&self, industry: &str, zone: &str, month: Month) -> Vec<crate::projection::PastYear> {
        let (pi, pz) = self.pick(industry, zone);
        let unit = crate::amount::scale(self.indicator.decimals) as f64;
        (self.plan.data_from_year.min(self.plan.baseline_year)..month.year())
            .map(|year| crate::projection::PastYear {
                year,
                months: std::array::from_fn(|i| {
                    Month::new(year, i as u32 + 1).and_then(|m| self.month_sum(pi, pz, m)).map(|v| v as f64 / unit)
                }),
            })
            .collect()
    }

    /// The forecast of every cell of the progress table, in the table's order.
    pub fn forecast(&self, month: Month) -> Vec<ForecastRow> {
        self.cells().into_iter().map(|(industry, zone)| self.forecast_row(industry, zone, month)).collect()
    }
}

/// The months a forecast for `month` needs: every month from the first year facts may be given
/// for (or the baseline year, if earlier) up to `month`.
pub fn months_with_history(plan: &Plan, month: Month) -> Vec<(Month, Month)> {
    let first = Month::new(plan.data_from_year.min(plan.baseline_year), 1).expect("valid year");
    vec![(first.min(month), month)]
}

/// The months of facts a progress table for `month` needs: the baseline year (for the target
/// path) and January of the previous year up to `month` (year-to-date, last year's, and the
/// trailing twelve months), as at most two ranges.
pub fn months_needed(plan: &Plan, month: Month) -> Vec<(Month, Month)> {
    let base = (Month::new(plan.baseline_year, 1).expect("valid year"), Month::new(plan.baseline_year, 12).expect("valid year"));
    let recent = (month.year_before().year_start(), month);
    if recent.0 <= base.1.next() { vec![(base.0.min(recent.0), base.1.max(recent.1))] } else { vec![base, recent] }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    /// Revenue in 万元 (4 decimals kept, so 1 万元 is 10_000 raw).
    fn cell(industry: &str, zone: &str, month: Month, wan: i64) -> CellMonth {
        CellMonth {
            industry: crate::IndustryCode::parse(industry).unwrap(),
            zone: crate::ZoneCode::parse(zone).unwrap(),
            month,
            sum: wan * 10_000,
        }
    }

    #[test]
    fn geometric_path_between_baseline_and_final_target() {
        let t = annual_target(800.0, Some(100.0), 2020, 2023, 2021).unwrap();
        assert!((t - 200.0).abs() < 1e-9);
        assert!((annual_target(800.0, Some(100.0), 2020, 2023, 2022).unwrap() - 400.0).abs() < 1e-9);
        assert_eq!(annual_target(800.0, Some(100.0), 2020, 2023, 2023), Some(800.0));
        assert_eq!(annual_target(800.0, None, 2020, 2023, 2023), Some(800.0));
        assert_eq!(annual_target(800.0, None, 2020, 2023, 2022), None);
        assert_eq!(annual_target(800.0, Some(0.0), 2020, 2023, 2022), None);
        assert_eq!(annual_target(800.0, Some(100.0), 2020, 2023, 2024), None);
    }

    #[test]
    fn only_the_months_a_table_needs_are_read() {
        let plan = Plan::default_plan();
        assert_eq!(months_needed(&plan, m(2024, 6)), vec![(m(2020, 1), m(2020, 12)), (m(2023, 1), m(2024, 6))]);
        assert_eq!(months_needed(&plan, m(2021, 3)), vec![(m(2020, 1), m(2021, 3))]);
        assert_eq!(months_needed(&plan, m(2020, 3)), vec![(m(2019, 1), m(2020, 12))]);
    }

    #[test]
    fn status_follows_the_gap_and_threshold() {
        assert_eq!(Status::from_gap(0.0, -5.0), Status::Ahead);
        assert_eq!(Status::from_gap(-0.01, -5.0), Status::SlightlyBehind);
        assert_eq!(Status::from_gap(-5.0, -5.0), Status::SlightlyBehind);
        assert_eq!(Status::from_gap(-5.01, -5.0), Status::Behind);
    }

    #[test]
    fn pre_final_years_follow_the_geometric_path_from_the_cell_baseline() {
        let plan = Plan::default_plan();
        let ind = plan.indicator("revenue").unwrap();
        let mut cells: Vec<CellMonth> = (1..=12).map(|mo| cell("silicone", "yongxiu", m(2020, mo), 10_000)).collect();
        cells.push(cell("silicone", "yongxiu", m(2021, 6), 70_000));
        let idx = CellIndex::new(&plan, ind, &cells);
        let r = idx.row("silicone", "yongxiu", m(2021, 6));
        // baseline 120,000 万元, final 4,000,000 万元 in 2023: 2021 = 120000 × (4e6/1.2e5)^(1/3).
        let expect = 120_000.0 * (4_000_000.0f64 / 120_000.0).powf(1.0 / 3.0);
        assert!((r.target.unwrap() - expect).abs() < 1e-6);
        let rows = idx.table(m(2021, 6));
        // 6 target industries + all, × 4 zones with targets + all.
        assert_eq!(rows.len(), 7 * 5);
        assert_eq!(rows.last().map(|r| (r.industry.as_str(), r.zone.as_str())), Some(("all", "all")));
    }

    #[test]
    fn stocks_average_over_months() {
        let plan = Plan::default_plan();
        let ind = plan.indicator("employees").unwrap();
        let cells = vec![
            CellMonth {
                industry: crate::IndustryCode::parse("silicone").unwrap(),
                zone: crate::ZoneCode::parse("yongxiu").unwrap(),
                month: m(2022, 1),
                sum: 100,
            },
            CellMonth {
                industry: crate::IndustryCode::parse("silicone").unwrap(),
                zone: crate::ZoneCode::parse("yongxiu").unwrap(),
                month: m(2022, 2),
                sum: 200,
            },
        ];
        let r = CellIndex::new(&plan, ind, &cells).row("silicone", "yongxiu", m(2022, 2));
        assert_eq!(r.ytd, Some(150.0));
        assert_eq!(r.target, None);
    }

    #[test]
    fn a_cell_by_hand() {
        let plan = Plan::default_plan();
        let ind = plan.indicator("revenue").unwrap();
        // 2023: optoelectronics in etdz (target 850亿 = 8,500,000 万元); linkong rolls into etdz.
        let cells = vec![
            cell("optoelectronics", "etdz", m(2023, 1), 600_000),
            cell("optoelectronics", "linkong", m(2023, 1), 100_000),
            cell("optoelectronics", "etdz", m(2023, 2), 800_000),
            cell("optoelectronics", "etdz", m(2022, 1), 500_000),
            cell("optoelectronics", "etdz", m(2022, 2), 500_000),
            cell("optoelectronics", "etdz", m(2022, 3), 999_999),
            cell("silicone", "yongxiu", m(2023, 2), 300_000),
        ];
        let idx = CellIndex::new(&plan, ind, &cells);
        let r = idx.row("optoelectronics", "etdz", m(2023, 2));
        assert_eq!(r.value, Some(800_000.0));
        assert_eq!(r.ytd, Some(1_500_000.0));
        assert_eq!(r.ytd_prev, Some(1_000_000.0));
        assert!((r.yoy_pct.unwrap() - 50.0).abs() < 1e-9);
        assert_eq!(r.target, Some(8_500_000.0));
        let att = 1_500_000.0 / 8_500_000.0 * 100.0;
        assert!((r.attainment_pct.unwrap() - att).abs() < 1e-9);
        assert!((r.time_progress_pct - 200.0 / 12.0).abs() < 1e-9);
        assert!((r.gap_pp.unwrap() - (att - 200.0 / 12.0)).abs() < 1e-9);
        assert_eq!(r.status, Some(Status::Ahead));
        // No data at all in a target cell: figures are null, the target still shows.
        let r = idx.row("textiles", "gongqing", m(2023, 2));
        assert_eq!((r.value, r.ytd, r.attainment_pct, r.status), (None, None, None, None));
        assert_eq!(r.target, Some(3_600_000.0));
        // Industry `all` sums only target industries; zone `all` sums every zone.
        let r = idx.row("all", "all", m(2023, 2));
        assert_eq!(r.ytd, Some(1_800_000.0));
        assert_eq!(r.target, Some(31_000_000.0));
    }
}
