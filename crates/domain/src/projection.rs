//! 预计全年: the year's projection of a progress cell from its year-to-date and its own seasonal
//! pattern, with a range and the odds of reaching the target (PRODUCT.md §7).
//!
//! For month m of year Y, every earlier complete year y of the cell (twelve months present) gives
//! the share s_y of its year done by month m. With two such years or more: projected = YTD /
//! median(s), low = YTD / max(s), high = YTD / min(s), and the probability of reaching the target
//! is the fraction of those years whose pattern would take this year's YTD to the target.

use serde::Serialize;

/// One earlier year of a cell: its twelve months, None where a month has no data.
#[derive(Debug, Clone, PartialEq)]
pub struct PastYear {
    pub year: i32,
    pub months: [Option<f64>; 12],
}

/// The projection of a cell, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    pub projected: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The share of the years used whose pattern reaches the target; None without a target.
    pub probability: Option<f64>,
    /// The complete earlier years the projection rests on.
    pub years: Vec<i32>,
    /// Why nothing is projected, when nothing is.
    pub reason: Option<&'static str>,
}

impl Projection {
    /// Nothing projected, and why.
    pub fn none(reason: &'static str, years: Vec<i32>) -> Projection {
        Projection { projected: None, low: None, high: None, probability: None, years, reason: Some(reason) }
    }
}

/// Why a cell has no projection (Chinese, then English, as the rest of the interface).
pub const JANUARY: &str = "1月不单独预计(1-2月合并发布) / January projects nothing on its own";
pub const TOO_FEW_YEARS: &str = "完整的往年不足两年 / fewer than two complete earlier years";
pub const NO_YTD: &str = "本年尚无数据 / nothing reported this year";
pub const A_LEVEL: &str = "存量指标(如从业人数)不预计全年 / a level such as headcount has no full year";

/// A reason's Chinese part, for a page or a terminal that shows one language.
pub fn reason_zh(reason: &str) -> &str {
    reason.split(" / ").next().unwrap_or(reason)
}

/// Projects the year of a cell at `month` (1-12) from its year-to-date, its target for the year
/// (if any) and its earlier years. Years with a missing month, or whose year or months to date sum
/// to zero or less, give no pattern and are not used.
pub fn project(month: u32, ytd: Option<f64>, target: Option<f64>, past: &[PastYear]) -> Projection {
    if month <= 1 {
        return Projection::none(JANUARY, Vec::new());
    }
    let m = (month as usize).min(12);
    let mut shares: Vec<(i32, f64)> = past
        .iter()
        .filter_map(|y| {
            let months: Vec<f64> = y.months.iter().copied().collect::<Option<Vec<f64>>>()?;
            let (to_date, whole) = (months[..m].iter().sum::<f64>(), months.iter().sum::<f64>());
            (to_date > 0.0 && whole > 0.0).then(|| (y.year, to_date / whole))
        })
        .collect();
    shares.sort_by_key(|(year, _)| *year);
    let years: Vec<i32> = shares.iter().map(|(y, _)| *y).collect();
    if shares.len() < 2 {
        return Projection::none(TOO_FEW_YEARS, years);
    }
    let Some(ytd) = ytd else { return Projection::none(NO_YTD, years) };
    let mut s: Vec<f64> = shares.iter().map(|(_, s)| *s).collect();
    s.sort_by(f64::total_cmp);
    let median = if s.len() % 2 == 1 { s[s.len() / 2] } else { (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0 };
    let probability = target.map(|t| s.iter().filter(|share| ytd / **share >= t).count() as f64 / s.len() as f64);
    Projection {
        projected: Some(ytd / median),
        low: Some(ytd / s[s.len() - 1]),
        high: Some(ytd / s[0]),
        probability,
        years,
        reason: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year(year: i32, months: [f64; 12]) -> PastYear {
        PastYear { year, months: months.map(Some) }
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn two_years_give_the_median_and_the_range() {
        // By June, 2020 had done 600 of 1200 (0.5), 2021 600 of 1000 (0.6).
        let past =
            [year(2020, [100.0; 12]), year(2021, [100.0, 100.0, 100.0, 100.0, 100.0, 100.0, 80.0, 80.0, 80.0, 80.0, 40.0, 40.0])];
        let p = project(6, Some(660.0), Some(1200.0), &past);
        assert!(close(p.projected, 660.0 / 0.55), "{p:?}");
        assert!(close(p.low, 1100.0) && close(p.high, 1320.0), "{p:?}");
        // 660 / 0.5 = 1320 reaches 1200; 660 / 0.6 = 1100 does not.
        assert!(close(p.probability, 0.5));
        assert_eq!((p.years, p.reason), (vec![2020, 2021], None));
    }

    #[test]
    fn three_years_take_the_middle_share() {
        // Shares by March: 0.25 (2019), 0.2 (2020), 0.3 (2021).
        let flat = |q1: f64, rest: f64| {
            let mut m = [rest; 12];
            m[..3].copy_from_slice(&[q1; 3]);
            m
        };
        let past = [
            year(2021, flat(120.0, 93.333_333_333_333_33)),
            year(2019, flat(100.0, 100.0)),
            year(2020, flat(80.0, 106.666_666_666_666_67)),
        ];
        let p = project(3, Some(300.0), Some(1400.0), &past);
        assert!(close(p.projected, 1200.0), "{p:?}");
        assert!(close(p.low, 1000.0) && close(p.high, 1500.0), "{p:?}");
        // Only 2020's pattern (300 / 0.2 = 1500) reaches 1400.
        assert!(close(p.probability, 1.0 / 3.0), "{p:?}");
        assert_eq!(p.years, vec![2019, 2020, 2021]);
    }

    #[test]
    fn a_year_with_a_missing_month_is_not_a_pattern() {
        let mut gap = year(2020, [100.0; 12]);
        gap.months[9] = None;
        let past = [gap, year(2021, [100.0; 12]), year(2022, [100.0; 12])];
        let p = project(6, Some(600.0), None, &past);
        assert_eq!(p.years, vec![2021, 2022]);
        assert!(close(p.projected, 1200.0));
        assert_eq!(p.probability, None, "no target, no odds");
        // With only one complete year left, nothing is projected, and it says why.
        let p = project(6, Some(600.0), Some(1000.0), &past[..2]);
        assert_eq!((p.projected, p.probability, p.reason), (None, None, Some(TOO_FEW_YEARS)));
        assert_eq!(p.years, vec![2021]);
    }

    #[test]
    fn january_projects_nothing() {
        let past = [year(2020, [100.0; 12]), year(2021, [100.0; 12])];
        let p = project(1, Some(100.0), Some(1200.0), &past);
        assert_eq!((p.projected, p.low, p.high, p.probability, p.reason), (None, None, None, None, Some(JANUARY)));
        assert!(close(project(2, Some(200.0), Some(1200.0), &past).projected, 1200.0));
    }

    #[test]
    fn no_year_to_date_or_an_empty_year_projects_nothing() {
        let past = [year(2020, [100.0; 12]), year(2021, [100.0; 12]), year(2019, [0.0; 12])];
        let p = project(6, None, Some(1200.0), &past);
        assert_eq!((p.projected, p.reason), (None, Some(NO_YTD)));
        assert_eq!(p.years, vec![2020, 2021], "a year of zeros has no pattern");
    }
}
