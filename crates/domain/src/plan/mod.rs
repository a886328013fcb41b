//! The plan as data: industries with tiers, zones as a tree, periods, the target decomposition
//! table, headline KPIs, thresholds and the working-day calendar, read from a TOML plan file and
//! validated as a whole so that every problem is reported at once with its line.

mod file;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::calendar::{Date, WorkingCalendar};
pub use crate::code::{IndicatorCode, IndustryCode, ZoneCode};
use crate::kpi::Kpi;

/// The Ganjiang New Area 2021-2023 plan shipped with the program.
pub const DEFAULT_PLAN_TOML: &str = include_str!("../../../../plans/ganjiang-2021-2023.toml");
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
    pub code: IndustryCode,
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
    pub code: ZoneCode,
    pub name: String,
    pub aliases: Vec<String>,
    pub parent: Option<ZoneCode>,
}

/// Who keeps the innovation platforms and 双创团队 (a department), and the designation the
/// 三个翻番 counts as 高新技术企业.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct InnovationRules {
    pub department: String,
    pub high_tech_tag: String,
}

/// A characteristic park (特色园区) within a zone; enterprises may be assigned to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Park {
    pub code: String,
    pub name: String,
    pub zone: ZoneCode,
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
    pub code: IndicatorCode,
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

/// A key task (四、重点任务) or safeguard (五、保障措施) of the plan and who carries it.
#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub code: String,
    /// "task" or "safeguard".
    pub kind: String,
    pub name: String,
    /// The leading department's code, and those co-operating.
    pub lead: String,
    pub partners: Vec<String>,
    /// The zone committees take part (各组团管委会).
    pub zones: bool,
}

/// One row of the target decomposition table: an industry's final target and its zone cells,
/// in 万元 of the target indicator.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub industry: IndustryCode,
    pub year: i32,
    pub total_wan: f64,
    pub zones: Vec<(ZoneCode, f64)>,
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
    pub target_indicator: IndicatorCode,
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
    pub tasks: Vec<Task>,
    /// The project module's rules (`[projects]`).
    pub projects: ProjectRules,
    /// Investment attraction (`[leads]`).
    pub leads: LeadRules,
    /// 审核规则 on a zone's month (`[review]`).
    pub review: crate::review::ReviewRules,
    /// The public page (`[public]`), off by default.
    pub public: crate::public::PublicSettings,
    /// The annual zone assessment (`[assessment]`).
    pub assessment: crate::assessment::AssessmentRules,
    /// The per-mu efficiency evaluation (`[evaluation]`), when the plan has one.
    pub evaluation: Option<EvaluationRules>,
    /// The designations enterprises hold for a time (M5).
    pub tags: Vec<crate::tags::TagDef>,
    /// The characteristic parks, each in a zone.
    pub parks: Vec<Park>,
    /// 梯次培育: the 规上 threshold, the 小升规 library and the 龙头 selections.
    pub cultivation: crate::cultivation::CultivationRules,
    /// 创新提升: who keeps the platforms and teams, and which designation counts as 高新技术企业.
    pub innovation: InnovationRules,
    /// 企业点单: the service catalogue and the tickets' numbering (`[services]`).
    pub services: crate::services::ServiceRules,
}

/// The per-mu efficiency evaluation's method and its settings (PRODUCT.md §4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationRules {
    pub method: crate::evaluation::Method,
    /// Enterprises with less land are not evaluated (亩).
    pub land_threshold_mu: f64,
    /// Enterprises established fewer years than this before the end of the year are not graded.
    pub young_years: u32,
    /// How long results are published for objection (公示), in days.
    pub publication_days: u32,
    /// The policy attached to each class.
    pub policies: std::collections::BTreeMap<crate::evaluation::Class, String>,
    /// The low-efficiency list's second way in: this indicator under `low_efficiency_share` of
    /// its benchmark two years running (亩均税收 under 30 % by default).
    pub low_efficiency_indicator: String,
    pub low_efficiency_share: f64,
    /// Facts indicators all nil in the year make a land holder a zombie candidate.
    pub zombie_indicators: Vec<String>,
}

/// The assessment when the plan file gives none: revenue attainment 30, 工业投资 20, 亿元以上
/// projects started on time 15, the "152" quota 15, new 规上 enterprises 10, service
/// satisfaction 10.
pub fn default_assessment() -> crate::assessment::AssessmentRules {
    use crate::assessment::{AssessmentIndicator, AssessmentRules, Measure, WhenMissing};
    let ind = |code: &str, name: &str, weight: f64, measure: Measure| AssessmentIndicator {
        code: code.into(),
        name: name.into(),
        weight,
        measure,
        cap: 1.0,
    };
    AssessmentRules {
        indicators: vec![
            ind("revenue", "营业收入目标完成率", 30.0, Measure::TargetAttainment { indicator: "revenue".into() }),
            ind(
                "investment",
                "工业投资目标完成率",
                20.0,
                Measure::KpiShare { indicator: "investment".into(), kpi: "annual_industrial_investment".into() },
            ),
            ind("major_on_time", "亿元以上项目按期开工率", 15.0, Measure::MajorProjectsOnTime),
            ind("quota_152", "“152”项目任务", 15.0, Measure::Quota152),
            ind("new_above_scale", "新增规上企业", 10.0, Measure::Module { module: "M5".into() }),
            ind("satisfaction", "企业服务满意度", 10.0, Measure::ServiceSatisfaction),
        ],
        when_missing: WhenMissing::Average,
    }
}

/// What the plan decides for investment attraction (M4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadRules {
    pub region: crate::leads::TallyRule,
    pub zone: crate::leads::TallyRule,
    /// Where leads come from (推介会, 云招商 …); a lead's source is one of these.
    pub sources: Vec<String>,
}

impl Default for LeadRules {
    fn default() -> Self {
        LeadRules {
            region: crate::leads::TallyRule::region_default(),
            zone: crate::leads::TallyRule::zone_default(),
            sources: ["推介会", "云招商", "校友招商", "以商招商", "驻点招商", "中介招商", "其他"].map(String::from).to_vec(),
        }
    }
}

/// What the plan decides for major projects (M3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProjectRules {
    /// 亿元以上: total investment at or above this many 万元.
    pub major_threshold_wan: i64,
    pub lights: crate::projects::LightRules,
}

impl Default for ProjectRules {
    fn default() -> Self {
        ProjectRules { major_threshold_wan: 10_000, lights: crate::projects::LightRules::default() }
    }
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

impl Plan {
    /// The built-in Ganjiang plan.
    pub fn default_plan() -> Plan {
        Plan::from_toml(DEFAULT_PLAN_TOML).expect("the built-in plan is valid (checked by a test)")
    }

    /// Reads and validates a plan file; on failure returns every problem found, in file order.
    pub fn from_toml(src: &str) -> Result<Plan, Vec<PlanProblem>> {
        file::read(src)
    }

    /// A department's or zone's name, for the organisations that carry tasks.
    pub fn organisation_name(&self, code: &str) -> String {
        let department = self.departments.iter().find(|d| d.code == code).map(|d| d.name.clone());
        department.or_else(|| self.zone(code).map(|z| z.name.clone())).unwrap_or_else(|| code.to_string())
    }

    pub fn task(&self, code: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.code == code)
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

    /// Finds a park by code or name.
    pub fn resolve_park(&self, text: &str) -> Option<&Park> {
        let t = text.trim();
        self.parks.iter().find(|p| p.code == t || p.name == t)
    }

    /// Finds a designation by code or name.
    pub fn resolve_tag(&self, text: &str) -> Option<&crate::tags::TagDef> {
        let t = text.trim();
        self.tags.iter().find(|d| d.code == t || d.name == t)
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
    fn codes_that_would_not_be_safe_everywhere_are_refused_at_their_line() {
        // A zone or industry code travels into URLs, files and SQL parameters, an indicator code
        // into a column name: each is checked once, here, by its type's constructor.
        let src = DEFAULT_PLAN_TOML
            .replacen("code = \"revenue\"\nname = \"营业收入\"", "code = \"revenue; DROP\"\nname = \"营业收入\"", 1)
            .replacen("code = \"etdz\"", "code = \"ETDZ\"", 1)
            .replacen("code = \"optoelectronics\"", "code = \"光电\"", 1);
        let line_of = |needle: &str| src.lines().position(|l| l.contains(needle)).unwrap() + 1;
        let got = problems(&src);
        for (needle, what) in [("revenue; DROP", "indicator code"), ("\"ETDZ\"", "zone code"), ("\"光电\"", "industry code")] {
            assert!(
                got.iter().any(|g| g.starts_with(&format!("第{}行", line_of(needle))) && g.contains(what)),
                "{needle}: {got:#?}"
            );
        }
    }

    #[test]
    fn the_project_rules_come_from_the_plan_and_are_checked() {
        let plan = Plan::default_plan();
        assert_eq!(plan.projects.major_threshold_wan, 10_000);
        assert_eq!(plan.projects.lights, crate::projects::LightRules::default());
        let src = DEFAULT_PLAN_TOML.replace("start_red_months = 3", "start_red_months = 4");
        assert_eq!(Plan::from_toml(&src).unwrap().projects.lights.start_red_months, 4);
        let src = DEFAULT_PLAN_TOML.replace("investment_red_pp = -30", "investment_red_pp = -5");
        assert!(problems(&src).iter().any(|g| g.contains("investment gaps out of order")));
    }

    #[test]
    fn the_evaluation_method_comes_from_the_plan_and_is_checked() {
        let plan = Plan::default_plan();
        let e = plan.evaluation.as_ref().expect("the Ganjiang plan has the evaluation");
        let weights: Vec<(&str, f64)> = e.method.above.iter().map(|i| (&*i.code, i.weight)).collect();
        assert_eq!(
            weights,
            vec![
                ("tax_per_mu", 30.0),
                ("va_per_mu", 20.0),
                ("va_per_energy", 20.0),
                ("va_per_emission", 10.0),
                ("labour_productivity", 10.0),
                ("rd_intensity", 10.0)
            ]
        );
        assert_eq!(e.method.below.iter().map(|i| i.weight).sum::<f64>(), 100.0);
        assert_eq!((e.land_threshold_mu, e.method.cap_multiple, e.method.cutoffs), (3.0, 3.0, [0.25, 0.70, 0.95]));
        assert!(e.policies[&crate::evaluation::Class::D].contains("腾笼换鸟"));
        let src = DEFAULT_PLAN_TOML.replacen("numerator = \"tax\"", "numerator = \"taxes\"", 1);
        assert!(problems(&src).iter().any(|g| g.contains("bad evaluation indicator")));
        let src = DEFAULT_PLAN_TOML.replace("cutoffs = [0.25, 0.70, 0.95]", "cutoffs = [0.7, 0.25, 0.95]");
        assert!(problems(&src).iter().any(|g| g.contains("cut-offs must rise")));
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
