//! The plan file as written: its TOML shapes, and their validation into a `Plan` that reports
//! every problem at once, each with its line.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::*;
use crate::calendar::Date;
use crate::kpi::{Comparison, InnovationMeasure, Kpi, KpiMeasure, KpiPeriod, KpiSource, ProjectMeasure, TagMeasure};

/// Reads and validates a plan file.
pub(super) fn read(src: &str) -> Result<Plan, Vec<PlanProblem>> {
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
    tags: Vec<Spanned<RawTag>>,
    #[serde(default)]
    parks: Vec<Spanned<RawPark>>,
    #[serde(default)]
    cultivation: Option<Spanned<RawCultivation>>,
    #[serde(default)]
    innovation: Option<Spanned<RawInnovation>>,
    #[serde(default)]
    services: Option<Spanned<crate::services::RawServices>>,
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
    #[serde(default)]
    tasks: Vec<RawTask>,
    #[serde(default)]
    projects: Option<Spanned<RawProjects>>,
    #[serde(default)]
    leads: Option<Spanned<RawLeads>>,
    #[serde(default)]
    review: Option<Spanned<RawReview>>,
    #[serde(default)]
    public: Option<Spanned<RawPublic>>,
    #[serde(default)]
    assessment: Option<Spanned<RawAssessment>>,
    #[serde(default)]
    evaluation: Option<Spanned<RawEvaluation>>,
}

/// `[evaluation]`: the per-mu efficiency evaluation's method (PRODUCT.md §4).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvaluation {
    land_threshold_mu: f64,
    young_years: u32,
    cap_multiple: f64,
    cutoffs: [f64; 3],
    publication_days: u32,
    #[serde(default = "default_low_indicator")]
    low_efficiency_indicator: String,
    #[serde(default = "default_low_share")]
    low_efficiency_share: f64,
    #[serde(default = "default_zombie")]
    zombie_indicators: Vec<String>,
    above: Vec<RawEvalIndicator>,
    below: Vec<RawEvalIndicator>,
    #[serde(default)]
    policies: BTreeMap<String, String>,
}

fn default_low_indicator() -> String {
    "tax_per_mu".into()
}

fn default_low_share() -> f64 {
    0.3
}

fn default_zombie() -> Vec<String> {
    vec!["revenue".into(), "tax".into()]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvalIndicator {
    code: String,
    name: String,
    numerator: String,
    denominator: String,
    weight: f64,
    /// Benchmarks the plan fixes, by year: { 2022 = 25.0 }.
    #[serde(default)]
    benchmarks: BTreeMap<String, f64>,
}

/// `[assessment]`: the annual zone assessment's weighted indicators.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssessment {
    #[serde(default)]
    when_missing: Option<String>,
    #[serde(default)]
    indicators: Vec<RawAssessmentIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAssessmentIndicator {
    code: String,
    name: String,
    weight: f64,
    measure: String,
    #[serde(default)]
    indicator: Option<String>,
    #[serde(default)]
    kpi: Option<String>,
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    cap: Option<f64>,
}

/// `[leads]`: the "152" tiers (亿元 and how many) for the region and each zone, and the sources a
/// lead may come from.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLeads {
    #[serde(default)]
    region_tiers_yi: Option<Vec<(f64, u32)>>,
    #[serde(default)]
    zone_tiers_yi: Option<Vec<(f64, u32)>>,
    #[serde(default)]
    sources: Option<Vec<String>>,
}

/// `[review]`: the thresholds of the review rules and the indicators they check (PRODUCT.md §7).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReview {
    jump_factor: Option<f64>,
    jump_indicators: Option<Vec<String>>,
    zero_after_value_indicators: Option<Vec<String>>,
    copied_min_reported: Option<usize>,
    va_ratio: Option<(f64, f64)>,
    tax_ratio_max: Option<f64>,
}

/// `[public]`: the public page (PRODUCT.md §7).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublic {
    enabled: Option<bool>,
    zones: Option<bool>,
    min_enterprises: Option<u64>,
    max_share: Option<f64>,
}

/// `[projects]`: what counts as a 亿元以上 project, and the dispatch lights' thresholds.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProjects {
    #[serde(default)]
    major_threshold_wan: Option<i64>,
    #[serde(default)]
    lights: Option<RawLights>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLights {
    start_yellow_months: Option<u32>,
    start_red_months: Option<u32>,
    investment_yellow_pp: Option<i64>,
    investment_red_pp: Option<i64>,
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
    owner: Option<String>,
    every: Option<String>,
    indicator: Option<String>,
    measure: Option<String>,
    threshold: Option<f64>,
    module: Option<String>,
    tag: Option<String>,
    level: Option<String>,
}

/// `[innovation]`: the department that keeps the platforms and teams, the 高新技术企业 tag.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInnovation {
    department: String,
    high_tech_tag: String,
}

/// `[cultivation]`: the 规上 threshold, the 小升规 library's approach share, the 龙头 selections.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCultivation {
    above_scale_threshold_wan: f64,
    approach_share: f64,
    #[serde(default)]
    selections: Vec<RawSelection>,
    #[serde(default)]
    listing_stages: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelection {
    tag: String,
    per: String,
    min: u32,
    max: u32,
}

/// `[[parks]]`: a characteristic park and the zone it is in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPark {
    code: String,
    name: String,
    zone: String,
}

/// `[[tags]]`: a designation, the department that keeps it and the group it is shown under.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTag {
    code: String,
    name: String,
    department: String,
    group: String,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    code: Spanned<String>,
    kind: Spanned<String>,
    name: String,
    lead: Spanned<String>,
    #[serde(default)]
    partners: Vec<Spanned<String>>,
    #[serde(default)]
    zones: bool,
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
        let code = match IndustryCode::parse(r.code.get_ref()) {
            Ok(code) => code,
            Err(e) => {
                p.at(r.code.span(), format!("{e}(小写字母开头,小写字母、数字、-、_,至多40字符)"));
                continue;
            }
        };
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
        let code = match ZoneCode::parse(r.code.get_ref()) {
            Ok(code) => code,
            Err(e) => {
                p.at(r.code.span(), e);
                continue;
            }
        };
        if zones.iter().any(|z| z.code == code) {
            p.at(r.code.span(), format!("组团代码“{code}”重复 / duplicate zone code '{code}'"));
        }
        zone_spans.push(r.parent.as_ref().map(|s| s.span()).unwrap_or(r.code.span()));
        let parent = r.parent.and_then(|s| match ZoneCode::parse(s.get_ref()) {
            Ok(parent) => Some(parent),
            Err(e) => {
                p.at(s.span(), e);
                None
            }
        });
        zones.push(Zone { code, name: r.name, aliases: r.aliases, parent });
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
        if !crate::code::is_code(&d.code) || departments.iter().any(|x| x.code == d.code) {
            p.at(span, format!("部门代码“{}”不合法或重复 / department code is invalid or repeated", d.code));
        }
        departments.push(d);
    }

    // Parks, each in a zone of the plan.
    let mut parks: Vec<crate::plan::Park> = Vec::new();
    for r in raw.parks {
        let span = r.span();
        let r = r.into_inner();
        if !crate::code::is_code(&r.code) || parks.iter().any(|x| x.code == r.code || x.name == r.name) {
            p.at(span.clone(), format!("园区“{}”的代码不合法或与其他园区重复 / park code is invalid or repeated", r.name));
        }
        match zones.iter().find(|z| z.code.as_str() == r.zone) {
            Some(z) => parks.push(crate::plan::Park { code: r.code, name: r.name, zone: z.code.clone() }),
            None => p.at(span, format!("园区“{}”的组团“{}”不在 zones 中 / unknown zone", r.name, r.zone)),
        }
    }

    // Designations, each kept by a department of the plan.
    let mut tags: Vec<crate::tags::TagDef> = Vec::new();
    for t in raw.tags {
        let span = t.span();
        let t = t.into_inner();
        if !crate::code::is_code(&t.code) || tags.iter().any(|x| x.code == t.code || x.name == t.name) {
            p.at(span.clone(), format!("标签“{}”的代码不合法或与其他标签重复 / tag code is invalid or repeated", t.name));
        }
        if !departments.iter().any(|d| d.code == t.department) {
            p.at(span, format!("标签“{}”的部门“{}”不在 departments 中 / unknown department", t.name, t.department));
        }
        tags.push(crate::tags::TagDef { code: t.code, name: t.name, department: t.department, group: t.group });
    }

    // Innovation: a department of the plan keeps the platforms; a designation is 高新技术企业.
    let mut innovation = crate::plan::InnovationRules::default();
    if let Some(raw_i) = raw.innovation {
        let span = raw_i.span();
        let i = raw_i.into_inner();
        if !departments.iter().any(|d| d.code == i.department) || !tags.iter().any(|t| t.code == i.high_tech_tag) {
            p.at(span, "innovation.department 应为计划中的部门,high_tech_tag 应在 tags 中 / unknown department or designation");
        }
        innovation = crate::plan::InnovationRules { department: i.department, high_tech_tag: i.high_tech_tag };
    }

    // Services: the catalogue, each item answered by a department of the plan.
    let services = match raw.services {
        Some(raw_s) => {
            let span = raw_s.span();
            crate::services::rules_from(raw_s.into_inner(), span, &departments, &mut |span, msg| p.at(span, msg))
        }
        None => crate::services::ServiceRules::default(),
    };

    // Cultivation: the threshold, the approach share, selections of designations the plan has.
    let mut cultivation = crate::cultivation::CultivationRules::default();
    if let Some(raw_c) = raw.cultivation {
        let span = raw_c.span();
        let c = raw_c.into_inner();
        if c.above_scale_threshold_wan.is_nan() || c.above_scale_threshold_wan <= 0.0 || !(0.0..=1.0).contains(&c.approach_share)
        {
            p.at(
                span.clone(),
                "cultivation.above_scale_threshold_wan 应大于0,approach_share 在0到1之间 / bad threshold or share",
            );
        }
        cultivation.above_scale_threshold_wan = c.above_scale_threshold_wan;
        cultivation.approach_share = c.approach_share;
        for stage in &c.listing_stages {
            if !tags.iter().any(|t| t.code == *stage) {
                p.at(span.clone(), format!("cultivation.listing_stages 的“{stage}”不在 tags 中 / unknown designation"));
            }
        }
        cultivation.listing_stages = c.listing_stages;
        for s in c.selections {
            let per = match s.per.as_str() {
                "industry" => crate::cultivation::Per::Industry,
                "region" => crate::cultivation::Per::Region,
                "zone" => crate::cultivation::Per::Zone,
                other => {
                    p.at(span.clone(), format!("cultivation.selections 的 per“{other}”应为 industry、region 或 zone / unknown"));
                    continue;
                }
            };
            if !tags.iter().any(|t| t.code == s.tag) || s.min > s.max {
                p.at(span.clone(), format!("遴选“{}”的标签应在 tags 中,且 min 不大于 max / bad selection", s.tag));
            }
            cultivation.selections.push(crate::cultivation::Selection { tag: s.tag, per, min: s.min, max: s.max });
        }
    }

    // Indicators.
    let mut indicators: Vec<Indicator> = Vec::new();
    for r in raw.indicators {
        let code = match IndicatorCode::parse(r.code.get_ref()) {
            Ok(code) => code,
            Err(e) => {
                p.at(r.code.span(), format!("{e}(小写字母开头,小写字母、数字、_,至多40字符)"));
                continue;
            }
        };
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
    let target_indicator = match indicators.iter().find(|i| i.code == *h.target_indicator.get_ref()) {
        Some(i) => i.code.clone(),
        None => {
            let named = crate::shorten(h.target_indicator.get_ref());
            p.at(h.target_indicator.span(), format!("目标指标“{named}”不在 indicators 中 / unknown target indicator '{named}'"));
            IndicatorCode::parse("unknown").expect("a valid code")
        }
    };
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
        let year = *r.year.get_ref();
        let Some(industry) = industries.iter().find(|i| i.code == *r.industry.get_ref()).map(|i| i.code.clone()) else {
            let named = crate::shorten(r.industry.get_ref());
            p.at(r.industry.span(), format!("目标中的产业“{named}”未定义 / unknown industry '{named}' in a target"));
            continue;
        };
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
            sum += v;
            match zones.iter().find(|z| z.code == *zone) {
                None => p.at(r.zones.span(), format!("目标中的组团“{zone}”未定义 / unknown zone '{zone}' in a target")),
                Some(z) if z.parent.is_some() => p.at(
                    r.zones.span(),
                    format!(
                        "目标只能分解到一级组团,“{zone}”属于“{}” / targets go to top-level zones; '{zone}' is inside '{}'",
                        z.parent.as_deref().unwrap_or_default(),
                        z.parent.as_deref().unwrap_or_default()
                    ),
                ),
                Some(z) => cells.push((z.code.clone(), v * target_unit_wan)),
            }
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
                    (Some("enterprises_at_least"), Some(t)) => KpiMeasure::EnterprisesAtLeast { threshold: t * target_unit_wan },
                    (m, _) => {
                        p.at(
                            span.clone(),
                            format!(
                                "KPI“{code}”的计算方式“{}”未知(multiple_of_baseline、annual_sum、industries_at_least 或 enterprises_at_least 需 threshold) / unknown measure",
                                m.unwrap_or("")
                            ),
                        );
                        KpiMeasure::AnnualSum
                    }
                };
                KpiSource::Facts { indicator, measure }
            }
            "module" => KpiSource::Module(a.module.clone().unwrap_or_default()),
            // Entered by its owner once a period.
            "reported" => {
                let owner = a.owner.clone().unwrap_or_default();
                let known = departments.iter().any(|d| d.code == owner)
                    || zones.iter().any(|z| z.code.as_str() == owner && z.parent.is_none());
                if !known {
                    p.at(
                        span.clone(),
                        format!("KPI“{code}”的填报单位“{owner}”应为计划中的部门或组团 / owner is not a department or zone"),
                    );
                }
                let every = a.every.as_deref().and_then(crate::kpi::ReportEvery::parse).unwrap_or_else(|| {
                    p.at(span.clone(), format!("KPI“{code}”的 every 应为 month、quarter 或 year / unknown reporting period"));
                    crate::kpi::ReportEvery::Quarter
                });
                KpiSource::Reported { owner, every }
            }
            // Computed by the project module (M3).
            "projects" => match a.measure.as_deref() {
                Some("major_started") => KpiSource::Projects(ProjectMeasure::MajorStarted),
                m => {
                    p.at(
                        span,
                        format!("KPI“{code}”的项目计算方式“{}”未知,应为 major_started / unknown measure", m.unwrap_or("")),
                    );
                    KpiSource::Projects(ProjectMeasure::MajorStarted)
                }
            },
            // Counted from the designations (M5).
            "tags" => {
                let tag = a.tag.clone().unwrap_or_default();
                if !tags.iter().any(|t| t.code == tag) {
                    p.at(span.clone(), format!("KPI“{code}”的标签“{tag}”不在 tags 中 / unknown tag"));
                }
                let measure = match a.measure.as_deref() {
                    Some("holding") => TagMeasure::Holding,
                    Some("new_in_year") => TagMeasure::NewInYear,
                    m => {
                        p.at(
                            span,
                            format!(
                                "KPI“{code}”的标签计算方式“{}”未知,应为 holding 或 new_in_year / unknown measure",
                                m.unwrap_or("")
                            ),
                        );
                        TagMeasure::Holding
                    }
                };
                KpiSource::Tags { tag, measure }
            }
            // Taken from the innovation records (M5).
            "innovation" => match (a.measure.as_deref(), a.level.as_deref().map(crate::innovation::Level::parse)) {
                (Some("platforms"), Some(Some(min_level))) => KpiSource::Innovation(InnovationMeasure::Platforms { min_level }),
                (Some("three_doublings"), None) => KpiSource::Innovation(InnovationMeasure::ThreeDoublings),
                (Some("rd_share_of_gdp"), None) => KpiSource::Innovation(InnovationMeasure::RdShareOfGdp),
                (m, _) => {
                    p.at(
                        span,
                        format!(
                            "KPI“{code}”的创新计算方式“{}”未知,应为 platforms(须 level)、three_doublings 或 rd_share_of_gdp / unknown measure",
                            m.unwrap_or("")
                        ),
                    );
                    KpiSource::Module(String::new())
                }
            },
            other => {
                p.at(
                    span,
                    format!(
                        "KPI 数据来源“{other}”未知,应为 facts、projects、tags、innovation、reported 或 module / unknown source"
                    ),
                );
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

    // Key tasks and safeguards, each carried by departments the plan lists.
    let mut tasks: Vec<Task> = Vec::new();
    for t in raw.tasks {
        let code = t.code.get_ref().clone();
        if !crate::code::is_code(&code) {
            p.at(t.code.span(), format!("任务代码“{code}”不合法 / task code '{code}' is not valid"));
        }
        if tasks.iter().any(|x| x.code == code) {
            p.at(t.code.span(), format!("任务代码“{code}”重复 / duplicate task code '{code}'"));
        }
        if !matches!(t.kind.get_ref().as_str(), "task" | "safeguard") {
            p.at(t.kind.span(), "kind 应为 task 或 safeguard / kind must be task or safeguard");
        }
        for d in std::iter::once(&t.lead).chain(&t.partners) {
            if !departments.iter().any(|x: &Department| &x.code == d.get_ref()) {
                p.at(d.span(), format!("部门“{}”不在 departments 中 / unknown department '{}'", d.get_ref(), d.get_ref()));
            }
        }
        tasks.push(Task {
            code,
            kind: t.kind.get_ref().clone(),
            name: t.name,
            lead: t.lead.get_ref().clone(),
            partners: t.partners.iter().map(|x| x.get_ref().clone()).collect(),
            zones: t.zones,
        });
    }

    let projects = project_rules(raw.projects, p);
    let leads = lead_rules(raw.leads, p);
    let review = review_rules(raw.review, &indicators, p);
    let public = public_settings(raw.public, p);
    let assessment = assessment_rules(raw.assessment, &indicators, &kpis, p);
    let evaluation = evaluation_rules(raw.evaluation, &indicators, p);
    Plan {
        projects,
        leads,
        review,
        public,
        assessment,
        evaluation,
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
        tasks,
        submission_deadline_day: deadline,
        submission_deadline,
        industries,
        zones,
        departments,
        tags,
        parks,
        cultivation,
        innovation,
        services,
        indicators,
        targets,
        kpis,
        calendar,
    }
}

fn project_rules(raw: Option<Spanned<RawProjects>>, p: &mut Problems) -> crate::plan::ProjectRules {
    let mut rules = crate::plan::ProjectRules::default();
    let Some(raw) = raw else { return rules };
    let span = raw.span();
    let raw = raw.into_inner();
    if let Some(t) = raw.major_threshold_wan {
        rules.major_threshold_wan = t;
    }
    if let Some(l) = raw.lights {
        let d = &mut rules.lights;
        d.start_yellow_months = l.start_yellow_months.unwrap_or(d.start_yellow_months);
        d.start_red_months = l.start_red_months.unwrap_or(d.start_red_months);
        d.investment_yellow_pp = l.investment_yellow_pp.unwrap_or(d.investment_yellow_pp);
        d.investment_red_pp = l.investment_red_pp.unwrap_or(d.investment_red_pp);
    }
    let l = rules.lights;
    if rules.major_threshold_wan <= 0 {
        p.at(span.clone(), "projects.major_threshold_wan 应大于 0 / must be positive");
    }
    if !(1..=l.start_red_months).contains(&l.start_yellow_months) {
        p.at(span.clone(), "projects.lights: 应为 1 ≤ start_yellow_months ≤ start_red_months / start months out of order");
    }
    if !(l.investment_red_pp <= l.investment_yellow_pp && l.investment_yellow_pp <= 0) {
        p.at(span, "projects.lights: 应为 investment_red_pp ≤ investment_yellow_pp ≤ 0 / investment gaps out of order");
    }
    rules
}

fn review_rules(raw: Option<Spanned<RawReview>>, indicators: &[Indicator], p: &mut Problems) -> crate::review::ReviewRules {
    let mut rules = crate::review::ReviewRules::default();
    let Some(raw) = raw else { return rules };
    let span = raw.span();
    let raw = raw.into_inner();
    let mut known = |given: Option<Vec<String>>, into: &mut Vec<String>, what: &str| {
        let Some(given) = given else { return };
        for code in &given {
            if !indicators.iter().any(|i| i.code == code.as_str()) {
                p.at(span.clone(), format!("review.{what}: 未知指标“{code}” / unknown indicator"));
            }
        }
        *into = given;
    };
    known(raw.jump_indicators, &mut rules.jump_indicators, "jump_indicators");
    known(raw.zero_after_value_indicators, &mut rules.zero_after_value_indicators, "zero_after_value_indicators");
    if let Some(f) = raw.jump_factor {
        if !(f > 1.0 && f.is_finite()) {
            p.at(span.clone(), "review.jump_factor 应大于 1 / must be above 1");
        }
        rules.jump_factor = f;
    }
    if let Some(n) = raw.copied_min_reported {
        if n == 0 {
            p.at(span.clone(), "review.copied_min_reported 至少为 1 / at least 1");
        }
        rules.copied_min_reported = n;
    }
    if let Some((low, high)) = raw.va_ratio {
        if !(0.0 <= low && low < high && high <= 1.0) {
            p.at(span.clone(), "review.va_ratio 应为 [下限, 上限],0 ≤ 下限 < 上限 ≤ 1 / [low, high] within 0..1");
        }
        rules.va_ratio = (low, high);
    }
    if let Some(t) = raw.tax_ratio_max {
        if !(t > 0.0 && t <= 1.0) {
            p.at(span, "review.tax_ratio_max 应在 0 与 1 之间 / between 0 and 1");
        }
        rules.tax_ratio_max = t;
    }
    rules
}

fn public_settings(raw: Option<Spanned<RawPublic>>, p: &mut Problems) -> crate::public::PublicSettings {
    let mut settings = crate::public::PublicSettings::default();
    let Some(raw) = raw else { return settings };
    let span = raw.span();
    let raw = raw.into_inner();
    settings.enabled = raw.enabled.unwrap_or(settings.enabled);
    settings.zones = raw.zones.unwrap_or(settings.zones);
    if let Some(n) = raw.min_enterprises {
        // 统计法: a figure of fewer than three reporters identifies them.
        if n < 3 {
            p.at(span.clone(), "public.min_enterprises 不得少于 3 / at least 3");
        }
        settings.min_enterprises = n;
    }
    if let Some(share) = raw.max_share {
        if !(share > 0.0 && share <= 0.8) {
            p.at(span, "public.max_share 应在 0 与 0.8 之间 / between 0 and 0.8");
        }
        settings.max_share = share;
    }
    settings
}

fn lead_rules(raw: Option<Spanned<RawLeads>>, p: &mut Problems) -> crate::plan::LeadRules {
    let mut rules = crate::plan::LeadRules::default();
    let Some(raw) = raw else { return rules };
    let span = raw.span();
    let raw = raw.into_inner();
    let mut tiers = |given: Option<Vec<(f64, u32)>>, into: &mut crate::leads::TallyRule, what: &str| {
        let Some(given) = given else { return };
        let wan: Vec<(i64, u32)> = given.iter().map(|(yi, n)| ((yi * 10_000.0).round() as i64, *n)).collect();
        if wan.is_empty() || wan.iter().any(|(w, _)| *w <= 0) || wan.windows(2).any(|x| x[0].0 <= x[1].0) {
            p.at(span.clone(), format!("leads.{what} 应为从大到小的 [亿元, 个数] / tiers go from the largest down"));
        }
        into.tiers = wan;
    };
    tiers(raw.region_tiers_yi, &mut rules.region, "region_tiers_yi");
    tiers(raw.zone_tiers_yi, &mut rules.zone, "zone_tiers_yi");
    if let Some(s) = raw.sources {
        rules.sources = s;
    }
    rules
}

fn assessment_rules(
    raw: Option<Spanned<RawAssessment>>,
    indicators: &[Indicator],
    kpis: &[Kpi],
    p: &mut Problems,
) -> crate::assessment::AssessmentRules {
    use crate::assessment::{AssessmentIndicator, Measure, WhenMissing};
    let Some(raw) = raw else { return crate::plan::default_assessment() };
    let span = raw.span();
    let raw = raw.into_inner();
    let when_missing = match raw.when_missing.as_deref() {
        None => WhenMissing::Average,
        Some(w) => WhenMissing::parse(w).unwrap_or_else(|| {
            p.at(span.clone(), format!("assessment.when_missing“{w}”应为 zero、full 或 average / unknown"));
            WhenMissing::Average
        }),
    };
    let mut out = Vec::new();
    for r in raw.indicators {
        let code = r.code.clone();
        let known_indicator =
            |i: &Option<String>| i.as_ref().filter(|i| indicators.iter().any(|x| x.code == i.as_str())).cloned();
        let measure = match r.measure.as_str() {
            "target_attainment" => known_indicator(&r.indicator).map(|indicator| Measure::TargetAttainment { indicator }),
            "kpi_share" => match (known_indicator(&r.indicator), r.kpi.as_ref().filter(|k| kpis.iter().any(|x| &x.code == *k))) {
                (Some(indicator), Some(kpi)) => Some(Measure::KpiShare { indicator, kpi: kpi.clone() }),
                _ => None,
            },
            "major_projects_on_time" => Some(Measure::MajorProjectsOnTime),
            "quota_152" => Some(Measure::Quota152),
            "service_satisfaction" => Some(Measure::ServiceSatisfaction),
            "module" => Some(Measure::Module { module: r.module.clone().unwrap_or_default() }),
            _ => None,
        };
        let Some(measure) = measure else {
            p.at(
                span.clone(),
                format!(
                    "考核指标“{code}”的 measure 未知或缺少 indicator/kpi(target_attainment、kpi_share、major_projects_on_time、quota_152、service_satisfaction、module) / unknown measure"
                ),
            );
            continue;
        };
        let cap = r.cap.unwrap_or(1.0);
        if r.weight.is_nan() || r.weight <= 0.0 || cap.is_nan() || cap <= 0.0 {
            p.at(span.clone(), format!("考核指标“{code}”的 weight 与 cap 应大于0 / weight and cap must be positive"));
        }
        out.push(AssessmentIndicator { code, name: r.name, weight: r.weight, measure, cap });
    }
    crate::assessment::AssessmentRules { indicators: out, when_missing }
}

fn evaluation_rules(
    raw: Option<Spanned<RawEvaluation>>,
    indicators: &[Indicator],
    p: &mut Problems,
) -> Option<crate::plan::EvaluationRules> {
    use crate::evaluation::{Class, Denominator, EvalIndicator, Method};
    let raw = raw?;
    let span = raw.span();
    let raw = raw.into_inner();
    let known = |code: &str| indicators.iter().any(|i| i.code == code);
    let mut convert = |list: Vec<RawEvalIndicator>, scale: &str| -> Vec<EvalIndicator> {
        let mut out = Vec::new();
        for r in list {
            let denominator = match r.denominator.as_str() {
                "land" => Some(Denominator::Land),
                code if known(code) => Some(Denominator::Fact(code.to_string())),
                _ => None,
            };
            let benchmarks: Option<BTreeMap<i32, f64>> =
                r.benchmarks.iter().map(|(y, v)| y.parse::<i32>().ok().map(|y| (y, *v))).collect();
            match (known(&r.numerator), denominator, benchmarks) {
                (true, Some(denominator), Some(fixed_benchmarks)) if r.weight > 0.0 => out.push(EvalIndicator {
                    code: r.code.into(),
                    name: r.name,
                    numerator: r.numerator,
                    denominator,
                    weight: r.weight,
                    fixed_benchmarks,
                }),
                _ => p.at(
                    span.clone(),
                    format!(
                        "评价指标“{}”({scale})的 numerator/denominator 应为计划中的指标(denominator 也可为 land),weight 应大于0,benchmarks 的键为年份 / bad evaluation indicator",
                        r.code
                    ),
                ),
            }
        }
        out
    };
    let above = convert(raw.above, "规上");
    let below = convert(raw.below, "规下");
    let c = raw.cutoffs;
    if !(0.0 < c[0] && c[0] <= c[1] && c[1] <= c[2] && c[2] <= 1.0) {
        p.at(span.clone(), "evaluation.cutoffs 应为递增的比例,如 [0.25, 0.70, 0.95] / cut-offs must rise within 0..1");
    }
    if raw.cap_multiple.is_nan() || raw.cap_multiple <= 0.0 || raw.land_threshold_mu.is_nan() || raw.land_threshold_mu < 0.0 {
        p.at(span.clone(), "evaluation.cap_multiple 应大于0,land_threshold_mu 不能为负 / bad cap or land threshold");
    }
    if !above.iter().chain(&below).any(|i| *i.code == *raw.low_efficiency_indicator)
        || !(0.0..=1.0).contains(&raw.low_efficiency_share)
        || raw.zombie_indicators.iter().any(|c| !known(c))
    {
        p.at(
            span.clone(),
            "evaluation.low_efficiency_indicator 应为评价指标之一,low_efficiency_share 在0到1之间,zombie_indicators 应为计划中的指标 / bad low-efficiency or zombie rule",
        );
    }
    let mut policies = BTreeMap::new();
    for (k, v) in raw.policies {
        let class = match k.as_str() {
            "A" => Class::A,
            "B" => Class::B,
            "C" => Class::C,
            "D" => Class::D,
            other => {
                p.at(
                    span.clone(),
                    format!("evaluation.policies 的键应为 A、B、C、D,不是“{other}” / policies are keyed by class"),
                );
                continue;
            }
        };
        policies.insert(class, v);
    }
    Some(crate::plan::EvaluationRules {
        method: Method { above, below, cap_multiple: raw.cap_multiple, cutoffs: c },
        land_threshold_mu: raw.land_threshold_mu,
        young_years: raw.young_years,
        publication_days: raw.publication_days,
        policies,
        low_efficiency_indicator: raw.low_efficiency_indicator,
        low_efficiency_share: raw.low_efficiency_share,
        zombie_indicators: raw.zombie_indicators,
    })
}
