//! Numbers as the pages show them: 亿元 with two decimals in summaries, 万元 in detail tables,
//! percentages with one decimal, months as 2022年6月.

use domain::amount::{wan_yuan, yi_yuan};
use domain::{ALL, Plan, Status};

pub fn yi(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), yi_yuan)
}

pub fn wan(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), wan_yuan)
}

pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"))
}

pub fn pp(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:+.1}"))
}

/// A KPI's value or target: a count as a whole number (3 家, not 3.00), anything else to two
/// decimals without trailing zeros (2.45 倍, 1120.5 万平方米).
pub fn kpi_value(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The CSS class and word of a status light; grey "无数据" when there is nothing to judge.
pub fn light(status: Option<Status>) -> (&'static str, &'static str) {
    match status {
        Some(Status::Ahead) => ("green", "超序时"),
        Some(Status::SlightlyBehind) => ("yellow", "略滞后"),
        Some(Status::Behind) => ("red", "滞后"),
        None => ("grey", "无数据"),
    }
}

pub fn industry_name(plan: &Plan, code: &str) -> String {
    plan.industry_label(code)
}

pub fn zone_name(plan: &Plan, code: &str) -> String {
    if code == ALL { "全区".into() } else { plan.zone(code).map_or(code.to_string(), |z| z.name.clone()) }
}

/// A cell's 预计全年 as two texts: the projection with its odds of the target ("" when nothing is
/// projected), and what it rests on with its range, or why there is none. `amount` writes an
/// amount in the page's unit.
pub fn projection(f: &domain::progress::ForecastRow, amount: impl Fn(Option<f64>) -> String) -> (String, String) {
    match f.projected {
        Some(_) => (
            format!(
                "预计全年 {}{}",
                amount(f.projected),
                f.probability.map_or(String::new(), |p| format!(" · 达标概率 {:.0}%", p * 100.0))
            ),
            format!(
                "按{}年同期完成比例推算,区间 {} ~ {}",
                f.years.iter().map(i32::to_string).collect::<Vec<_>>().join("、"),
                amount(f.low),
                amount(f.high)
            ),
        ),
        None => (String::new(), f.reason.map_or(String::new(), |w| domain::projection::reason_zh(w).to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kpi_values_drop_the_decimals_they_do_not_need() {
        let shown: Vec<String> = [3.0, 2.45, 1120.5, 1.7725, 0.0].into_iter().map(kpi_value).collect();
        assert_eq!(shown, ["3", "2.45", "1120.5", "1.77", "0"]);
    }
}
