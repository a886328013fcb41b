//! The plan as data: industries with tiers, zones as a tree, periods, the target decomposition
//! table, headline KPIs, thresholds and the working-day calendar, read from a TOML plan file and
//! validated as a whole so that every problem is reported at once with its line.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::calendar::{Date, WorkingCalendar};
use crate::kpi::{Comparison, Kpi, KpiMeasure, KpiPeriod, KpiSource};

/// The Ganjiang New Area 2021-2023 plan shipped with the program.
pub const DEFAULT_PLAN_TOML: &str = include_str!("../../../plans/ganjiang-2021-2023.toml");
pub const DEFAULT_PLAN_FILE: &str = "plans/ganjiang-2021-2023.toml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Tier {
    #[serde(rename = "1")]
    Leading,
    #[serde(rename = "2")]
    Advantage,
    #[serde(rename = "3")]
    Growth,
    #[serde(rename = "X")]
    Services,
    #[serde(rename = "other")]
    Other,
}

impl Tier {
    fn parse(s: &str) -> Option<Tier> {
        Some(match s {
            "1" => Tier::Leading,
            "2" => Tier::Advantage,
            "3" => Tier::Growth,
            "X" | "x" => Tier::Services,
            "other" => Tier::Other,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Tier::Leading => "1",
            Tier::Advantage => "2",
            Tier::Growth => "3",
            Tier::Services => "X",
            Tier::Other => "其他",
        }
    }

    /// Industrial tiers are the manufacturing ones the plan sets numeric targets for.
    pub fn is_industrial(self) -> bool {
        matches!(self, Tier::Leading | Tier::Advantage | Tier::Growth)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Industry {
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub tier: Tier,
    pub chain_leaders: Vec<String>,
    /// Its colour on every chart (`colour = "#1d5fb8"`, else one of a palette by its place).
    pub colour: String,
}

/// Colours for industries the plan gives none.
const PALETTE: [&str; 10] =
    ["#1d5fb8", "#d9730d", "#2e8540", "#b42318", "#6f42c1", "#0f7c90", "#8a6d0b", "#c2185b", "#455a64", "#5d7a1f"];

fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Debug, Clone, Serialize)]
pub struct Zone {
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub parent: Option<String>,
}

/// A department of the administration: the scope of department accounts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorKind {
    /// Adds up over months (revenue, tax …).
    Flow,
    /// A level measured each month (headcount); a period's value is the mean of its months.
    Stock,
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub unit: String,
    pub decimals: u32,
    pub kind: IndicatorKind,
    /// The largest plausible value of one enterprise-month, in the smallest kept unit (`max` in
    /// the plan file, in the indicator's unit); larger values are refused with the range named.
    pub max_raw: i64,
}

impl Indicator {
    /// The largest value `max` may be given in the plan file: with at most 10^15 smallest units
    /// per value, ninety thousand values make one i64.
    pub const MAX_RAW_LIMIT: i64 = 1_000_000_000_000_000;
    /// What `max` is when the plan file does not say, in the indicator's unit.
    pub const DEFAULT_MAX: f64 = 1e9;

    /// Refuses a value outside the plausible range, naming it.
    pub fn check_value(&self, raw: i64) -> Result<(), String> {
        if (0..=self.max_raw).contains(&raw) {
            Ok(())
        } else {
            Err(format!(
                "超出此指标的合理范围 {} / outside this indicator's plausible range {}",
                self.range_text(),
                self.range_text()
            ))
        }
    }

    /// The plausible range as written, e.g. "0 ~ 10000000 万元".
    pub fn range_text(&self) -> String {
        format!("0 ~ {} {}", crate::Amount { raw: self.max_raw, decimals: self.decimals }, self.unit)
    }
}

/// One row of the target decomposition table: an industry's final target and its zone cells,
/// in 万元 of the target indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub industry: String,
    pub year: i32,
    pub total_wan: f64,
    pub zones: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarYear {
    pub year: i32,
    pub off: Vec<Date>,
    pub work: Vec<Date>,
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub code: String,
    pub name: String,
    pub region: String,
    pub lead_organisation: String,
    pub baseline_year: i32,
    pub years: Vec<i32>,
    /// The earliest year facts may be given for (`data_from_year`, default the year before the
    /// baseline, which 同比 of the baseline year needs).
    pub data_from_year: i32,
    pub target_indicator: String,
    /// The unit the targets are written in (亿元 or 万元) and its size in 万元.
    pub target_unit: String,
    pub target_unit_wan: f64,
    pub slightly_behind_pp: f64,
    /// What the `all` industry row is called, and the progress matrix's title.
    pub total_label: String,
    pub matrix_title: String,
    /// Names of the modules that supply KPIs (`[modules]`, e.g. M3 = "M3 项目调度").
    pub module_names: std::collections::BTreeMap<String, String>,
    pub submission_deadline_day: u32,
    /// When a month's figures are due: `deadline_working_days` (the Nth working day of the next
    /// month, on the plan's calendar) when the plan gives it, else `deadline_day`.
    pub submission_deadline: crate::submission::Deadline,
    pub industries: Vec<Industry>,
    pub zones: Vec<Zone>,
    pub departments: Vec<Department>,
    pub indicators: Vec<Indicator>,
    pub targets: Vec<Target>,
    pub kpis: Vec<Kpi>,
    pub calendar: Vec<CalendarYear>,
}

/// One thing wrong with a plan file, at a line when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanProblem {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "第{l}行 / line {l}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

// ------------------------------------------------------------------ the file as written

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    plan: RawHeader,
    #[serde(default)]
    thresholds: RawThresholds,
    #[serde(default)]
    submission: RawSubmission,
    #[serde(default)]
    industries: Vec<RawIndustry>,
    #[serde(default)]
    zones: Vec<RawZone>,
    #[serde(default)]
    departments: Vec<Spanned<Department>>,
    #[serde(default)]
    indicators: Vec<RawIndicator>,
    #[serde(default)]
    targets: Vec<RawTarget>,
    #[serde(default)]
    kpis: Vec<RawKpi>,
    #[serde(default)]
    calendar: Vec<RawCalendarYear>,
    #[serde(default)]
    modules: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    code: String,
    name: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    lead_organisation: String,
    baseline_year: Spanned<i32>,
    years: Spanned<Vec<i32>>,
    #[serde(default)]
    data_from_year: Option<Spanned<i32>>,
    target_indicator: Spanned<String>,
    #[serde(default = "default_target_unit")]
    target_unit: Spanned<String>,
    /// What the `all` row of the industries is called ("1+2+3 合计").
    #[serde(default)]
    total_label: Option<String>,
    /// The title of the progress matrix.
    #[serde(default)]
    matrix_title: Option<String>,
}

fn spanned_default<T: Default>() -> Spanned<T> {
    Spanned::new(0..0, T::default())
}

fn default_target_unit() -> Spanned<String> {
    Spanned::new(0..0, "亿元".to_string())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    slightly_behind_pp: Spanned<f64>,
}

impl Default for RawThresholds {
    fn default() -> Self {
        RawThresholds { slightly_behind_pp: Spanned::new(0..0, -5.0) }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubmission {
    #[serde(default = "default_deadline_day")]
    deadline_day: Spanned<u32>,
    #[serde(default)]
    deadline_working_days: Option<Spanned<u32>>,
}

fn default_deadline_day() -> Spanned<u32> {
    Spanned::new(0..0, 5)
}

impl Default for RawSubmission {
    fn default() -> Self {
        RawSubmission { deadline_day: default_deadline_day(), deadline_working_days: None }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndustry {
    code: Spanned<String>,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    tier: Spanned<String>,
    #[serde(default)]
    chain_leaders: Vec<String>,
    #[serde(default)]
    colour: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZone {
    code: Spanned<String>,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    parent: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    code: Spanned<String>,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    unit: String,
    #[serde(default = "spanned_default")]
    decimals: Spanned<u32>,
    kind: Spanned<String>,
    #[serde(default)]
    max: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    industry: Spanned<String>,
    year: Spanned<i32>,
    total: Spanned<f64>,
    #[serde(default = "spanned_default")]
    zones: Spanned<BTreeMap<String, f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKpi {
    code: Spanned<String>,
    name: String,
    target: f64,
    #[serde(default)]
    comparison: Option<Spanned<String>>,
    unit: String,
    period: Spanned<String>,
    actual: Spanned<RawKpiActual>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKpiActual {
    source: String,
    indicator: Option<String>,
    measure: Option<String>,
    threshold: Option<f64>,
    module: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendarYear {
    year: Spanned<i32>,
    #[serde(default)]
    off: Vec<Spanned<String>>,
    #[serde(default)]
    work: Vec<Spanned<String>>,
}

// ------------------------------------------------------------------ validation

struct Problems<'a> {
    src: &'a str,
    list: Vec<PlanProblem>,
}

impl Problems<'_> {
    fn at(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        let line = (span.end > 0).then(|| self.src[..span.start.min(self.src.len())].matches('\n').count() + 1);
        self.list.push(PlanProblem { line, message: message.into() });
    }
}

fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Indicator codes become column names in storage, so they are stricter than other codes.
/// An indicator's code, checked: a lower-case letter, then lower-case letters, digits and `_`, at
/// most 40 — the only text that may become part of a column name in SQL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndicatorCode(String);

impl IndicatorCode {
    pub fn parse(s: &str) -> Result<IndicatorCode, String> {
        if is_indicator_code(s) {
            Ok(IndicatorCode(s.to_string()))
        } else {
            Err(format!("指标代码“{}”不合法 / indicator code '{}' is not valid", crate::shorten(s), crate::shorten(s)))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn is_indicator_code(s: &str) -> bool {
    is_code(s) && !s.contains('-') && s.len() <= 40
}

fn parse_day_or_range(s: &str) -> Option<Vec<Date>> {
    let (a, b) = match s.split_once("..") {
        Some((a, b)) => (Date::parse(a)?, Date::parse(b)?),
        None => {
            let d = Date::parse(s)?;
            (d, d)
        }
    };
    if b < a || b.days() - a.days() > 60 {
        return None;
    }
    let mut out = vec![a];
    let mut d = a;
    while d < b {
        d = d.succ();
        out.push(d);
    }
    Some(out)
}

impl Plan {
    /// The built-in Ganjiang plan.
    pub fn default_plan() -> Plan {
        Plan::from_toml(DEFAULT_PLAN_TOML).expect("the built-in plan is valid (checked by a test)")
    }

    /// Reads and validates a plan file; on failure returns every problem found, in file order.
    pub fn from_toml(src: &str) -> Result<Plan, Vec<PlanProblem>> {
        let raw: RawPlan = toml::from_str(src).map_err(|e| {
            let line = e.span().map(|s| src[..s.start.min(src.len())].matches('\n').count() + 1);
            vec![PlanProblem { line, message: e.message().trim().to_string() }]
        })?;
        let mut p = Problems { src, list: Vec::new() };
        let plan = validate(raw, &mut p);
        let mut list = p.list;
        if list.is_empty() {
            Ok(plan)
        } else {
            list.sort_by_key(|x| x.line.unwrap_or(0));
            Err(list)
        }
    }

    pub fn industry(&self, code: &str) -> Option<&Industry> {
        self.industries.iter().find(|i| i.code == code)
    }
    pub fn zone(&self, code: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.code == code)
    }
    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    /// Finds an industry by code, name or alias.
    pub fn resolve_industry(&self, text: &str) -> Option<&Industry> {
        let t = text.trim();
        self.industries.iter().find(|i| i.code == t || i.name == t || i.aliases.iter().any(|a| a == t))
    }

    /// Finds a zone by code, name or alias.
    pub fn resolve_zone(&self, text: &str) -> Option<&Zone> {
        let t = text.trim();
        self.zones.iter().find(|z| z.code == t || z.name == t || z.aliases.iter().any(|a| a == t))
    }

    /// Finds an indicator from a column header: its code, or its Chinese name or alias with or
    /// without the unit in brackets, e.g. 营业收入(万元).
    pub fn resolve_indicator(&self, header: &str) -> Option<&Indicator> {
        let h = header.trim();
        let bare = h.split(['(', '(']).next().unwrap_or(h).trim();
        self.indicators.iter().find(|i| i.code == h || i.name == bare || i.aliases.iter().any(|a| a == bare))
    }

    /// A module's name for readers: the plan's `[modules]` entry, else its code.
    pub fn module_name(&self, code: &str) -> String {
        self.module_names.get(code).cloned().unwrap_or_else(|| code.to_string())
    }

    /// An industry's name, or the plan's label for the `all` total.
    pub fn industry_label(&self, code: &str) -> String {
        if code == crate::ALL {
            self.total_label.clone()
        } else {
            self.industry(code).map_or_else(|| code.to_string(), |i| i.name.clone())
        }
    }

    /// The top-level zone a zone rolls up into.
    pub fn top_zone<'a>(&'a self, code: &'a str) -> &'a str {
        let mut cur = code;
        // The tree was checked for cycles when the plan was loaded.
        while let Some(parent) = self.zone(cur).and_then(|z| z.parent.as_deref()) {
            cur = parent;
        }
        cur
    }

    pub fn top_zones(&self) -> impl Iterator<Item = &Zone> {
        self.zones.iter().filter(|z| z.parent.is_none())
    }

    pub fn final_year(&self) -> i32 {
        *self.years.last().expect("a plan has at least one year")
    }

    /// Industries that carry targets: the ones an `all` industry total adds up.
    pub fn target_industries(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in &self.targets {
            if !out.contains(&t.industry.as_str()) {
                out.push(&t.industry);
            }
        }
        out
    }

    /// The final target of a cell (industry or `all`, top-level zone or `all`), in 万元 of the
    /// target indicator, for the final year.
    pub fn final_target(&self, industry: &str, zone: &str) -> Option<f64> {
        let year = self.final_year();
        let rows = self.targets.iter().filter(|t| t.year == year && (industry == crate::ALL || t.industry == industry));
        let mut sum = None;
        for t in rows {
            let v = if zone == crate::ALL { Some(t.total_wan) } else { t.zones.iter().find(|(z, _)| z == zone).map(|(_, v)| *v) };
            if let Some(v) = v {
                *sum.get_or_insert(0.0) += v;
            }
        }
        sum
    }

    /// Whether facts or a workflow step may concern `month` when it is now `current`: never a
    /// month not yet begun, never one before `data_from_year`.
    pub fn check_data_month(&self, month: crate::Month, current: crate::Month) -> Result<(), String> {
        if month > current {
            return Err(format!("月份 {month} 尚未到来(当前为 {current}) / {month} lies in the future (it is now {current})"));
        }
        if month.year() < self.data_from_year {
            return Err(format!(
                "月份 {month} 早于计划允许的 {} 年 / {month} is before {}, the earliest year the plan takes",
                self.data_from_year, self.data_from_year
            ));
        }
        Ok(())
    }

    pub fn working_calendar(&self) -> WorkingCalendar {
        WorkingCalendar::new(
            self.calendar.iter().flat_map(|c| c.off.iter().copied()),
            self.calendar.iter().flat_map(|c| c.work.iter().copied()),
        )
    }
}

fn validate(raw: RawPlan, p: &mut Problems) -> Plan {
    let h = raw.plan;

    // Periods.
    let baseline_year = *h.baseline_year.get_ref();
    let years = h.years.get_ref().clone();
    if !(1901..=9990).contains(&baseline_year) {
        p.at(h.baseline_year.span(), format!("基期 {baseline_year} 不是合理的年份 / baseline_year is not a plausible year"));
    }
    let data_from_year = h.data_from_year.as_ref().map_or(baseline_year - 1, |y| *y.get_ref());
    if let Some(y) = &h.data_from_year
        && !(1900..=baseline_year).contains(y.get_ref())
    {
        p.at(y.span(), format!("data_from_year 应在 1900 与基期 {baseline_year} 之间 / data_from_year must lie between 1900 and the baseline year"));
    }
    if years.is_empty() {
        p.at(h.years.span(), "plan.years 不能为空 / plan.years must list at least one year");
    } else if years.windows(2).any(|w| w[1] != w[0] + 1) || years[0] != baseline_year + 1 {
        p.at(
            h.years.span(),
            format!("plan.years 应为基期({baseline_year})之后的连续年份 / plan.years must be consecutive years after the baseline year"),
        );
    }

    // Industries.
    let mut industries = Vec::new();
    let mut seen = HashMap::new();
    for r in raw.industries {
        let code = r.code.get_ref().clone();
        if !is_code(&code) {
            p.at(
                r.code.span(),
                format!("产业代码“{code}”不合法(小写字母、数字、-、_) / industry code '{code}' is not a valid code"),
            );
        }
        if seen.insert(code.clone(), ()).is_some() {
            p.at(r.code.span(), format!("产业代码“{code}”重复 / duplicate industry code '{code}'"));
        }
        let tier = Tier::parse(r.tier.get_ref()).unwrap_or_else(|| {
            p.at(r.tier.span(), format!("产业层级“{}”未知,应为 1、2、3、X 或 other / unknown tier", r.tier.get_ref()));
            Tier::Other
        });
        let colour = match &r.colour {
            Some(c) if is_colour(c.get_ref()) => c.get_ref().to_ascii_lowercase(),
            Some(c) => {
                p.at(c.span(), format!("颜色“{}”应写作 #RRGGBB / colour must be #RRGGBB", c.get_ref()));
                String::new()
            }
            None => PALETTE[industries.len() % PALETTE.len()].to_string(),
        };
        industries.push(Industry { code, name: r.name, aliases: r.aliases, tier, chain_leaders: r.chain_leaders, colour });
    }
    if industries.is_empty() {
        p.at(0..0, "计划中没有产业 / the plan lists no industries");
    }

    // Zones, as a tree.
    let mut zones: Vec<Zone> = Vec::new();
    let mut zone_spans = Vec::new();
    for r in raw.zones {
        let code = r.code.get_ref().clone();
        if !is_code(&code) {
            p.at(r.code.span(), format!("组团代码“{code}”不合法 / zone code '{code}' is not a valid code"));
        }
        if zones.iter().any(|z| z.code == code) {
            p.at(r.code.span(), format!("组团代码“{code}”重复 / duplicate zone code '{code}'"));
        }
        zone_spans.push(r.parent.as_ref().map(|s| s.span()).unwrap_or(r.code.span()));
        zones.push(Zone { code, name: r.name, aliases: r.aliases, parent: r.parent.map(|s| s.into_inner()) });
    }
    let zone_codes: HashSet<&str> = zones.iter().map(|z| z.code.as_str()).collect();
    for (z, span) in zones.iter().zip(&zone_spans) {
        if let Some(parent) = &z.parent {
            if !zone_codes.contains(parent.as_str()) {
                p.at(
                    span.clone(),
                    format!("组团“{}”的上级“{parent}”不存在 / parent zone '{parent}' of '{}' does not exist", z.code, z.code),
                );
                continue;
            }
            // Walk up; a chain longer than the number of zones is a cycle.
            let mut cur = parent.as_str();
            for _ in 0..=zones.len() {
                match zones.iter().find(|x| x.code == cur).and_then(|x| x.parent.as_deref()) {
                    Some(next) => cur = next,
                    None => break,
                }
                if cur == z.code {
                    p.at(span.clone(), format!("组团“{}”的上级形成循环 / the parents of zone '{}' form a cycle", z.code, z.code));
                    break;
                }
            }
        }
    }
    if zones.is_empty() {
        p.at(0..0, "计划中没有组团 / the plan lists no zones");
    }

    // Departments.
    let mut departments: Vec<Department> = Vec::new();
    for d in raw.departments {
        let span = d.span();
        let d = d.into_inner();
        if !is_code(&d.code) || departments.iter().any(|x| x.code == d.code) {
            p.at(span, format!("部门代码“{}”不合法或重复 / department code is invalid or repeated", d.code));
        }
        departments.push(d);
    }

    // Indicators.
    let mut indicators: Vec<Indicator> = Vec::new();
    for r in raw.indicators {
        let code = r.code.get_ref().clone();
        if !is_indicator_code(&code) {
            p.at(r.code.span(), format!("指标代码“{code}”不合法(小写字母、数字、_) / indicator code '{code}' is not valid"));
        }
        if indicators.iter().any(|i| i.code == code) {
            p.at(r.code.span(), format!("指标代码“{code}”重复 / duplicate indicator code '{code}'"));
        }
        let kind = match r.kind.get_ref().as_str() {
            "flow" => IndicatorKind::Flow,
            "stock" => IndicatorKind::Stock,
            other => {
                p.at(r.kind.span(), format!("指标类型“{other}”未知,应为 flow 或 stock / unknown indicator kind"));
                IndicatorKind::Flow
            }
        };
        if *r.decimals.get_ref() > 6 {
            p.at(r.decimals.span(), "decimals 最多为 6 / decimals is at most 6");
        }
        let decimals = (*r.decimals.get_ref()).min(6);
        let max = r.max.as_ref().map_or(Indicator::DEFAULT_MAX, |m| *m.get_ref());
        let max_raw = max * crate::amount::scale(decimals) as f64;
        if !(max_raw >= 1.0 && max_raw <= Indicator::MAX_RAW_LIMIT as f64) {
            let span = r.max.as_ref().map_or(0..0, |m| m.span());
            p.at(
                span,
                format!(
                    "指标“{code}”的 max 应大于 0 且不超过 {} / max of '{code}' must be positive and at most {}",
                    Indicator::MAX_RAW_LIMIT / crate::amount::scale(decimals),
                    Indicator::MAX_RAW_LIMIT / crate::amount::scale(decimals)
                ),
            );
        }
        indicators.push(Indicator {
            code,
            name: r.name,
            aliases: r.aliases,
            unit: r.unit,
            decimals: *r.decimals.get_ref(),
            kind,
            max_raw: max_raw.clamp(1.0, Indicator::MAX_RAW_LIMIT as f64) as i64,
        });
    }
    let target_indicator = h.target_indicator.get_ref().clone();
    if !indicators.iter().any(|i| i.code == target_indicator) {
        p.at(
            h.target_indicator.span(),
            format!("目标指标“{target_indicator}”不在 indicators 中 / unknown target indicator '{target_indicator}'"),
        );
    }
    let target_unit = h.target_unit.get_ref().clone();
    let target_unit_wan = match target_unit.as_str() {
        "亿元" => 10_000.0,
        "万元" => 1.0,
        other => {
            p.at(h.target_unit.span(), format!("目标单位“{other}”未知,应为 亿元 或 万元 / unknown target unit"));
            1.0
        }
    };

    // The target decomposition table.
    let mut targets: Vec<Target> = Vec::new();
    for r in raw.targets {
        let industry = r.industry.get_ref().clone();
        let year = *r.year.get_ref();
        if !industries.iter().any(|i| i.code == industry) {
            p.at(r.industry.span(), format!("目标中的产业“{industry}”未定义 / unknown industry '{industry}' in a target"));
        }
        if !years.contains(&year) {
            p.at(r.year.span(), format!("目标年份 {year} 不是计划年份 / target year {year} is not a plan year"));
        }
        if targets.iter().any(|t| t.industry == industry && t.year == year) {
            p.at(r.industry.span(), format!("产业“{industry}”{year}年的目标重复 / duplicate target for '{industry}' in {year}"));
        }
        let total = *r.total.get_ref();
        if total < 0.0 {
            p.at(r.total.span(), "目标不能为负 / a target cannot be negative");
        }
        let mut cells = Vec::new();
        let mut sum = 0.0;
        for (zone, v) in r.zones.get_ref() {
            match zones.iter().find(|z| &z.code == zone) {
                None => p.at(r.zones.span(), format!("目标中的组团“{zone}”未定义 / unknown zone '{zone}' in a target")),
                Some(z) if z.parent.is_some() => p.at(
                    r.zones.span(),
                    format!(
                        "目标只能分解到一级组团,“{zone}”属于“{}” / targets go to top-level zones; '{zone}' is inside '{}'",
                        z.parent.as_deref().unwrap_or_default(),
                        z.parent.as_deref().unwrap_or_default()
                    ),
                ),
                Some(_) => {}
            }
            sum += v;
            cells.push((zone.clone(), v * target_unit_wan));
        }
        if !cells.is_empty() && (sum - total).abs() > 1e-6 * total.abs().max(1.0) {
            p.at(
                r.zones.span(),
                format!("产业“{industry}”各组团目标之和 {sum} 不等于总计 {total} / zone cells add up to {sum}, not to the total {total}"),
            );
        }
        // Keep the plan's zone order so tables read as the annex does.
        cells.sort_by_key(|(z, _)| zones.iter().position(|x| &x.code == z));
        targets.push(Target { industry, year, total_wan: total * target_unit_wan, zones: cells });
    }

    // KPIs.
    let mut kpis: Vec<Kpi> = Vec::new();
    for r in raw.kpis {
        let code = r.code.get_ref().clone();
        if kpis.iter().any(|k| k.code == code) {
            p.at(r.code.span(), format!("KPI 代码“{code}”重复 / duplicate KPI code '{code}'"));
        }
        let comparison = match r.comparison.as_ref().map(|c| c.get_ref().as_str()) {
            None | Some(">=") => Comparison::AtLeast,
            Some(">") => Comparison::MoreThan,
            Some(other) => {
                p.at(r.comparison.as_ref().unwrap().span(), format!("比较方式“{other}”未知,应为 >= 或 > / unknown comparison"));
                Comparison::AtLeast
            }
        };
        let period = match r.period.get_ref().as_str() {
            "annual" => KpiPeriod::Annual,
            y => match y.parse::<i32>() {
                Ok(y) if years.contains(&y) => KpiPeriod::Year(y),
                _ => {
                    p.at(
                        r.period.span(),
                        format!("KPI 期间“{y}”应为 annual 或计划年份 / period must be 'annual' or a plan year"),
                    );
                    KpiPeriod::Annual
                }
            },
        };
        let a = r.actual.get_ref();
        let span = r.actual.span();
        let actual = match a.source.as_str() {
            "facts" => {
                let indicator = a.indicator.clone().unwrap_or_default();
                if !indicators.iter().any(|i| i.code == indicator) {
                    p.at(span.clone(), format!("KPI“{code}”的指标“{indicator}”未定义 / unknown indicator '{indicator}'"));
                }
                let measure = match (a.measure.as_deref(), a.threshold) {
                    (Some("multiple_of_baseline"), _) => KpiMeasure::MultipleOfBaseline,
                    (Some("annual_sum"), _) => KpiMeasure::AnnualSum,
                    (Some("industries_at_least"), Some(t)) => KpiMeasure::IndustriesAtLeast { threshold: t * target_unit_wan },
                    (m, _) => {
                        p.at(
                            span.clone(),
                            format!(
                                "KPI“{code}”的计算方式“{}”未知(multiple_of_baseline、annual_sum、industries_at_least 需 threshold) / unknown measure",
                                m.unwrap_or("")
                            ),
                        );
                        KpiMeasure::AnnualSum
                    }
                };
                KpiSource::Facts { indicator, measure }
            }
            "module" => KpiSource::Module(a.module.clone().unwrap_or_default()),
            other => {
                p.at(span, format!("KPI 数据来源“{other}”未知,应为 facts 或 module / unknown source"));
                KpiSource::Module(String::new())
            }
        };
        kpis.push(Kpi { code, name: r.name, target: r.target, comparison, unit: r.unit, period, actual });
    }

    // Calendar.
    let mut calendar: Vec<CalendarYear> = Vec::new();
    for r in raw.calendar {
        let year = *r.year.get_ref();
        if calendar.iter().any(|c| c.year == year) {
            p.at(r.year.span(), format!("日历年份 {year} 重复 / calendar year {year} appears twice"));
        }
        let days = |list: Vec<Spanned<String>>, p: &mut Problems| -> Vec<Date> {
            let mut out = Vec::new();
            for s in list {
                match parse_day_or_range(s.get_ref()) {
                    Some(d) => out.extend(d),
                    None => p.at(
                        s.span(),
                        format!("日期“{}”无法识别,应写作 2023-01-02 或 2023-01-21..2023-01-27 / bad date", s.get_ref()),
                    ),
                }
            }
            out
        };
        let off = days(r.off, p);
        let work = days(r.work, p);
        calendar.push(CalendarYear { year, off, work });
    }

    let slightly_behind_pp = *raw.thresholds.slightly_behind_pp.get_ref();
    if slightly_behind_pp > 0.0 {
        p.at(raw.thresholds.slightly_behind_pp.span(), "slightly_behind_pp 应不大于 0 / must be zero or negative");
    }
    let deadline = *raw.submission.deadline_day.get_ref();
    if !(1..=28).contains(&deadline) {
        p.at(raw.submission.deadline_day.span(), "deadline_day 应在 1 到 28 之间 / must be between 1 and 28");
    }
    let submission_deadline = match &raw.submission.deadline_working_days {
        Some(n) if !(1..=15).contains(n.get_ref()) => {
            p.at(n.span(), "deadline_working_days 应在 1 到 15 之间 / must be between 1 and 15");
            crate::submission::Deadline::Day(deadline)
        }
        Some(n) if raw.submission.deadline_day.span() != (0..0) => {
            p.at(
                n.span(),
                "deadline_day 与 deadline_working_days 只能给一个 / give deadline_day or deadline_working_days, not both",
            );
            crate::submission::Deadline::Day(deadline)
        }
        Some(n) => crate::submission::Deadline::WorkingDay(*n.get_ref()),
        None => crate::submission::Deadline::Day(deadline),
    };

    Plan {
        code: h.code,
        name: h.name,
        region: h.region,
        lead_organisation: h.lead_organisation,
        baseline_year,
        data_from_year,
        years,
        target_indicator,
        target_unit,
        target_unit_wan,
        slightly_behind_pp,
        total_label: h.total_label.clone().unwrap_or_else(|| "合计".to_string()),
        matrix_title: h.matrix_title.clone().unwrap_or_else(|| "产业进度矩阵".to_string()),
        module_names: raw.modules.clone(),
        submission_deadline_day: deadline,
        submission_deadline,
        industries,
        zones,
        departments,
        indicators,
        targets,
        kpis,
        calendar,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_plan_is_the_annex() {
        let plan = Plan::default_plan();
        assert_eq!(plan.baseline_year, 2020);
        assert_eq!(plan.years, vec![2021, 2022, 2023]);
        let codes: Vec<&str> = plan.industries.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "optoelectronics",
                "smart-manufacturing",
                "new-materials",
                "biomedicine",
                "silicone",
                "textiles",
                "digital-economy",
                "aviation-logistics",
                "green-finance",
                "headquarters",
                "cultural-creative",
                "health",
                "other"
            ]
        );
        assert_eq!(plan.final_target("optoelectronics", ALL_), Some(1000.0 * 10_000.0));
        assert_eq!(plan.final_target("optoelectronics", "etdz"), Some(850.0 * 10_000.0));
        assert_eq!(plan.final_target("biomedicine", "direct"), Some(100.0 * 10_000.0));
        assert_eq!(plan.final_target("silicone", "etdz"), None);
        assert_eq!(plan.final_target(ALL_, ALL_), Some(3100.0 * 10_000.0));
        assert_eq!(plan.final_target(ALL_, "yongxiu"), Some((85.0 + 80.0 + 100.0 + 400.0 + 40.0) * 10_000.0));
        assert_eq!(plan.top_zone("linkong"), "etdz");
        assert_eq!(plan.top_zone("tcm-city"), "direct");
        assert_eq!(plan.resolve_zone("经开组团(含临空组团)").unwrap().code, "etdz");
        assert_eq!(plan.resolve_industry("现代纺织").unwrap().code, "textiles");
        assert_eq!(plan.resolve_indicator("营业收入(万元)").unwrap().code, "revenue");
        assert_eq!(plan.resolve_indicator("综合能耗(吨标准煤)").unwrap().code, "energy");
        assert!(plan.working_calendar().is_working_day(Date::new(2023, 10, 7).unwrap()));
    }
    const ALL_: &str = crate::ALL;

    fn problems(src: &str) -> Vec<String> {
        Plan::from_toml(src).unwrap_err().into_iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let src = DEFAULT_PLAN_TOML
            .replace("zones = { etdz = 850, yongxiu = 85, gongqing = 65 }", "zones = { etdz = 850, yongxiu = 85, gongqing = 60 }")
            .replacen("code = \"new-materials\"", "code = \"optoelectronics\"", 1)
            .replace("parent = \"etdz\"", "parent = \"nowhere\"")
            .replace("zones = { yongxiu = 400 }", "zones = { mars = 400 }");
        let line_of = |needle: &str| src.lines().position(|l| l.contains(needle)).unwrap() + 1;
        let got = problems(&src);
        // The duplicate code also leaves new-materials undefined, so its target is reported too.
        assert_eq!(got.len(), 5, "{got:#?}");
        assert!(got.iter().any(|g| g.contains("duplicate industry code 'optoelectronics'")));
        assert!(
            got.iter()
                .any(|g| { g.starts_with(&format!("第{}行", line_of("parent = \"nowhere\""))) && g.contains("'nowhere'") })
        );
        assert!(got.iter().any(|g| g.starts_with(&format!("第{}行", line_of("gongqing = 60"))) && g.contains("add up to 995")));
        assert!(
            got.iter().any(|g| g.starts_with(&format!("第{}行", line_of("mars = 400"))) && g.contains("unknown zone 'mars'"))
        );
    }

    #[test]
    fn ranges_and_the_first_data_year_are_checked() {
        let src = DEFAULT_PLAN_TOML.replacen("max = 10000000", "max = -1", 1).replacen(
            "data_from_year = 2019",
            "data_from_year = 2021",
            1,
        );
        let found = problems(&src);
        assert!(found.iter().any(|p| p.contains("max of 'revenue' must be positive")), "{found:?}");
        assert!(found.iter().any(|p| p.contains("data_from_year must lie between")), "{found:?}");

        let plan = Plan::default_plan();
        let revenue = plan.indicator("revenue").unwrap();
        assert_eq!(revenue.max_raw, 10_000_000 * 10_000);
        assert!(revenue.check_value(revenue.max_raw).is_ok());
        assert!(revenue.check_value(revenue.max_raw + 1).unwrap_err().contains("0 ~ 10000000 万元"));
        let m = |s| crate::Month::parse(s).unwrap();
        assert!(plan.check_data_month(m("2019-01"), m("2023-05")).is_ok());
        assert!(plan.check_data_month(m("2023-05"), m("2023-05")).is_ok());
        assert!(plan.check_data_month(m("2023-06"), m("2023-05")).unwrap_err().contains("future"));
        assert!(plan.check_data_month(m("2018-12"), m("2023-05")).unwrap_err().contains("2019"));
    }

    #[test]
    fn a_sub_zone_cannot_carry_a_target_and_cycles_are_caught() {
        let src = DEFAULT_PLAN_TOML.replace("zones = { yongxiu = 400 }", "zones = { linkong = 400 }");
        assert!(problems(&src).iter().any(|g| g.contains("inside 'etdz'")));
        let src = DEFAULT_PLAN_TOML
            .replace("code = \"direct\"\nname = \"直管区\"", "code = \"direct\"\nname = \"直管区\"\nparent = \"tcm-city\"");
        assert!(problems(&src).iter().any(|g| g.contains("form a cycle")));
    }

    #[test]
    fn toml_syntax_errors_carry_a_line() {
        let got = Plan::from_toml("[plan]\ncode = \"x\"\nname = \n").unwrap_err();
        assert_eq!(got[0].line, Some(3));
        // An unknown key (the American spelling) is named; a colour that is not #RRGGBB too.
        let got = Plan::from_toml(&DEFAULT_PLAN_TOML.replace("tier = \"1\"", "tier = \"1\"\ncolor = \"red\"")).unwrap_err();
        assert!(got[0].message.contains("color"), "{got:?}");
        let got = problems(&DEFAULT_PLAN_TOML.replacen("colour = \"#1d5fb8\"", "colour = \"red\"", 1));
        assert!(got.iter().any(|g| g.contains("#RRGGBB")), "{got:?}");
    }
}
