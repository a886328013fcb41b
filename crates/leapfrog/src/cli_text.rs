//! Plain-text tables for a terminal.

use domain::amount::{group_thousands, yi_yuan};
use domain::progress::ForecastRow;
use domain::{Indicator, Month, Plan, ProgressRow};

fn width(s: &str) -> usize {
    // CJK characters take two columns in a terminal.
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    if right { format!("{fill}{s}") } else { format!("{s}{fill}") }
}

fn table(headers: &[&str], rows: &[Vec<String>], right_from: usize) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(width(c));
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| pad(c, widths[i], i >= right_from))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
            + "\n"
    };
    let mut out = line(headers.iter().map(|h| h.to_string()).collect());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    for r in rows {
        out.push_str(&line(r.clone()));
    }
    out
}

fn name_of_industry<'a>(plan: &'a Plan, code: &'a str) -> &'a str {
    if code == domain::ALL { plan.total_label.as_str() } else { plan.industry(code).map_or(code, |i| i.name.as_str()) }
}

fn name_of_zone<'a>(plan: &'a Plan, code: &'a str) -> &'a str {
    if code == domain::ALL { "全区" } else { plan.zone(code).map_or(code, |z| z.name.as_str()) }
}

pub fn progress(plan: &Plan, ind: &Indicator, month: Month, rows: &[ProgressRow]) -> String {
    let money = ind.unit == "万元";
    let amount = |v: Option<f64>| match v {
        None => "-".to_string(),
        Some(v) if money => yi_yuan(v),
        Some(v) => group_thousands(&format!("{v:.0}")),
    };
    let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1}"));
    let unit = if money { "亿元" } else { ind.unit.as_str() };
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                name_of_industry(plan, &r.industry).to_string(),
                name_of_zone(plan, &r.zone).to_string(),
                amount(r.value),
                amount(r.ytd),
                pct(r.yoy_pct),
                amount(r.target),
                pct(r.attainment_pct),
                pct(r.gap_pp),
                r.status.map_or("无数据", |s| s.zh()).to_string(),
            ]
        })
        .collect();
    let title =
        format!("{} {} 进度(单位:{unit};序时进度 {:.1}%)\n", month.zh(), ind.name, f64::from(month.month()) / 12.0 * 100.0);
    let h_month = format!("本月({unit})");
    let h_ytd = format!("累计({unit})");
    let h_target = format!("年度目标({unit})");
    title + &table(&["产业", "组团", &h_month, &h_ytd, "同比%", &h_target, "完成率%", "进度差pp", "状态"], &body, 2)
}

/// The forecast (预计全年) as a table: each cell's year-to-date, projection with its range, target,
/// odds of reaching it, and the earlier years it rests on (or why there is none).
pub fn forecast(plan: &Plan, ind: &Indicator, month: Month, rows: &[ForecastRow]) -> String {
    let money = ind.unit == "万元";
    let amount = |v: Option<f64>| match v {
        None => "-".to_string(),
        Some(v) if money => yi_yuan(v),
        Some(v) => group_thousands(&format!("{v:.0}")),
    };
    let unit = if money { "亿元" } else { ind.unit.as_str() };
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let basis = match (r.reason, r.years.as_slice()) {
                (Some(why), _) => domain::projection::reason_zh(why).to_string(),
                (None, years) => years.iter().map(i32::to_string).collect::<Vec<_>>().join("、"),
            };
            vec![
                name_of_industry(plan, &r.industry).to_string(),
                name_of_zone(plan, &r.zone).to_string(),
                amount(r.ytd),
                amount(r.projected),
                match (r.low, r.high) {
                    (Some(l), Some(h)) => format!("{} ~ {}", amount(Some(l)), amount(Some(h))),
                    _ => "-".to_string(),
                },
                amount(r.target),
                r.probability.map_or("-".to_string(), |p| format!("{:.0}%", p * 100.0)),
                basis,
            ]
        })
        .collect();
    let title = format!("{} {} 预计全年(单位:{unit};按往年同期完成比例推算,非正式统计)\n", month.zh(), ind.name);
    let (h_ytd, h_projected, h_range, h_target) =
        (format!("累计({unit})"), format!("预计全年({unit})"), format!("区间({unit})"), format!("年度目标({unit})"));
    title + &table(&["产业", "组团", &h_ytd, &h_projected, &h_range, &h_target, "达标概率", "依据年份"], &body, 2)
}

/// A zone's month's review flags as a table (none: a line saying so).
pub fn review(plan: &Plan, zone: &str, month: Month, flags: &[domain::review::Flag]) -> String {
    let zone_name = plan.resolve_zone(zone).map_or(zone.to_string(), |z| z.name.clone());
    let title = format!("{zone_name} {} 审核:{} 条需说明的提示\n", month.zh(), flags.len());
    if flags.is_empty() {
        return title;
    }
    let number = |v: Option<f64>| v.map_or("-".to_string(), |v| group_thousands(&format!("{v:.2}")));
    let body: Vec<Vec<String>> = flags
        .iter()
        .map(|f| {
            vec![
                f.uscc.clone(),
                domain::review::RULES.iter().find(|(code, _)| *code == f.rule).map_or(f.rule, |(_, zh)| zh).to_string(),
                f.indicator.as_deref().and_then(|c| plan.indicator(c)).map_or("-".to_string(), |i| i.name.clone()),
                number(f.value),
                number(f.reference),
                if f.severity == "blocking" { "阻断" } else { "需说明" }.to_string(),
            ]
        })
        .collect();
    title + &table(&["统一社会信用代码", "规则", "指标", "本月", "参照", "处理"], &body, 3)
}

pub fn plan(plan: &Plan) -> String {
    let mut out = format!("{}\n代码 {}  基期 {}  计划年份 {:?}\n\n", plan.name, plan.code, plan.baseline_year, plan.years);
    let ind: Vec<Vec<String>> =
        plan.industries.iter().map(|i| vec![i.tier.label().to_string(), i.code.to_string(), i.name.clone()]).collect();
    out += &table(&["层级", "代码", "产业"], &ind, 9);
    out.push('\n');
    let zones: Vec<Vec<String>> = plan
        .zones
        .iter()
        .map(|z| {
            vec![
                z.code.to_string(),
                z.name.clone(),
                z.parent.as_deref().map_or(String::new(), |p| name_of_zone(plan, p).to_string()),
            ]
        })
        .collect();
    out += &table(&["代码", "组团", "上级"], &zones, 9);
    out.push('\n');
    let tops: Vec<&domain::Zone> = plan.top_zones().collect();
    let mut headers = vec!["目标分解表".to_string(), format!("总计({})", plan.target_unit)];
    headers.extend(tops.iter().map(|z| z.name.clone()));
    let rows: Vec<Vec<String>> = plan
        .targets
        .iter()
        .map(|t| {
            let mut r = vec![
                format!("{} {}年", name_of_industry(plan, &t.industry), t.year),
                format!("{}", t.total_wan / plan.target_unit_wan),
            ];
            r.extend(tops.iter().map(|z| {
                t.zones
                    .iter()
                    .find(|(c, _)| *c == z.code)
                    .map_or("-".to_string(), |(_, v)| format!("{}", v / plan.target_unit_wan))
            }));
            r
        })
        .collect();
    let hs: Vec<&str> = headers.iter().map(String::as_str).collect();
    out += &table(&hs, &rows, 1);
    out.push('\n');
    let kpis: Vec<Vec<String>> =
        plan.kpis.iter().map(|k| vec![k.name.clone(), format!("{}", k.target), k.unit.clone()]).collect();
    out += &table(&["主要目标", "目标值", "单位"], &kpis, 1);
    out
}
