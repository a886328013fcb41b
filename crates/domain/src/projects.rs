//! Major projects (M3): the project library's vocabulary and the dispatch lights of PRODUCT.md §6,
//! computed exactly (amounts are integers of 0.01 万元, gaps compared as fractions).

use serde::Serialize;

use crate::calendar::Date;
use crate::{IndustryCode, Month, Uscc, ZoneCode};

/// Investment amounts are kept in hundredths of a 万元 (100 元), exactly.
pub const AMOUNT_DECIMALS: u32 = 2;

coded_enum!(
    /// 类型.
    ProjectKind {
        New = "new", "新建";
        Expansion = "expansion", "扩建";
        Upgrade = "upgrade", "技改";
    }
);

coded_enum!(
    /// 状态: 谋划 → 签约 → 前期 → 在建 → 竣工 → 投产.
    ProjectStatus {
        Planning = "planning", "谋划";
        Signed = "signed", "签约";
        Preparing = "preparing", "前期";
        Building = "building", "在建";
        Completed = "completed", "竣工";
        Operating = "operating", "投产";
    }
);

coded_enum!(
    /// 前置要件.
    RequirementKind {
        Approval = "approval", "立项";
        Siting = "siting", "规划选址";
        Land = "land", "用地";
        Eia = "eia", "环评";
        ConstructionPermit = "construction_permit", "施工许可";
    }
);

coded_enum!(
    /// A problem's state in the 问题清单.
    ProblemStatus {
        Open = "open", "待解决";
        Working = "working", "协调中";
        Resolved = "resolved", "已解决";
    }
);

/// A project of the library.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Project {
    pub code: String,
    pub name: String,
    pub investor_uscc: Option<Uscc>,
    pub zone: ZoneCode,
    pub industry: IndustryCode,
    pub kind: ProjectKind,
    pub provincial_key: bool,
    pub provincial_major: bool,
    pub provincial_300: bool,
    /// 总投资, in hundredths of a 万元.
    pub total_investment: i64,
    pub status: ProjectStatus,
    pub planned_start: Option<Month>,
    pub actual_start: Option<Month>,
    pub planned_completion: Option<Month>,
    pub actual_completion: Option<Month>,
}

/// What makes a project code: letters, digits, `-` and `_`, at most 40 — it appears in URLs.
pub fn check_project_code(s: &str) -> Result<(), String> {
    let ok = !s.is_empty() && s.len() <= 40 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "项目编号“{}”不合法(字母、数字、-、_,至多40字符) / project code is letters, digits, - and _ (at most 40)",
            crate::shorten(s)
        ))
    }
}

impl Project {
    /// 亿元以上工业项目: an industrial project with a total investment at or above the threshold.
    pub fn is_major_industrial(&self, plan: &crate::Plan) -> bool {
        plan.industry(&self.industry).is_some_and(|i| i.tier.is_industrial())
            && self.total_investment >= plan.projects.major_threshold_wan * 100
    }

    /// Whether the project had started by the end of `month`.
    pub fn started_by(&self, month: Month) -> bool {
        self.actual_start.is_some_and(|s| s <= month)
    }
}

/// A pre-construction requirement of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub kind: RequirementKind,
    /// The responsible department's code.
    pub department: String,
    pub planned: Date,
    pub done: Option<Date>,
}

impl Requirement {
    /// Due by the end of `month` and not done by then.
    pub fn overdue_at(&self, month: Month) -> bool {
        let end = last_day(month);
        self.planned <= end && self.done.is_none_or(|d| d > end)
    }
}

/// A problem needing coordination, from a monthly report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub id: i64,
    pub description: String,
    /// The owning department's code.
    pub department: String,
    pub due: Date,
    pub status: ProblemStatus,
    pub resolution: String,
    /// When it was resolved, so a dispatch of an earlier month shows it as it was then.
    pub resolved_on: Option<Date>,
}

impl Problem {
    /// Open at the end of `month` with its due date on or before it.
    pub fn overdue_at(&self, month: Month) -> bool {
        let end = last_day(month);
        self.due <= end && self.resolved_on.is_none_or(|d| d > end)
    }
}

/// One annual investment plan row (of a project file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    pub code: String,
    pub year: i32,
    pub planned: i64,
}

/// One monthly report row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub code: String,
    pub month: Month,
    pub investment: i64,
    pub progress_note: String,
}

/// One requirement row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementLine {
    pub code: String,
    pub kind: RequirementKind,
    pub department: String,
    pub planned: Date,
    pub done: Option<Date>,
}

/// A row of any of the four files.
#[derive(Debug, Clone, PartialEq)]
pub enum ProjectLine {
    Project(Box<Project>),
    Plan(PlanLine),
    Report(ReportLine),
    Requirement(RequirementLine),
}

impl ProjectLine {
    /// The project the row is about.
    pub fn code(&self) -> &str {
        match self {
            ProjectLine::Project(p) => &p.code,
            ProjectLine::Plan(l) => &l.code,
            ProjectLine::Report(l) => &l.code,
            ProjectLine::Requirement(l) => &l.code,
        }
    }
}

/// The last day of a month.
pub fn last_day(month: Month) -> Date {
    let next = month.next();
    let first_of_next = Date::new(next.year(), next.month(), 1).expect("a month's first day");
    Date::from_days(first_of_next.days() - 1)
}

/// The thresholds of the lights, from the plan file's `[projects.lights]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LightRules {
    /// Months after the planned start without a start that turn the light yellow, then red.
    pub start_yellow_months: u32,
    pub start_red_months: u32,
    /// Investment gaps (percentage points behind 序时进度) from which the light is yellow: gap ≤
    /// this; red: gap < `investment_red_pp`.
    pub investment_yellow_pp: i64,
    pub investment_red_pp: i64,
}

impl Default for LightRules {
    fn default() -> Self {
        LightRules { start_yellow_months: 1, start_red_months: 3, investment_yellow_pp: -10, investment_red_pp: -30 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn zh(self) -> &'static str {
        match self {
            Light::Green => "绿",
            Light::Yellow => "黄",
            Light::Red => "红",
        }
    }
}

/// A project's lights at a dispatch month, in the §6 shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lights {
    pub code: String,
    pub zone: ZoneCode,
    pub start: Option<Light>,
    pub investment: Option<Light>,
    pub requirements: Option<Light>,
    pub problems: Option<Light>,
    pub overall: Option<Light>,
    pub gap_pp: Option<f64>,
    pub reasons: Vec<String>,
}

/// What the lights of one project at one month are computed from.
pub struct LightInputs<'a> {
    pub project: &'a Project,
    /// This year's planned investment (hundredths of 万元), if any.
    pub planned: Option<i64>,
    /// Investment reported in months 1..=M of M's year (hundredths of 万元).
    pub reported_ytd: i64,
    pub requirements: &'a [Requirement],
    pub problems: &'a [Problem],
    pub department_name: &'a dyn Fn(&str) -> String,
}

fn months_between(from: Month, to: Month) -> i64 {
    i64::from(to.year() - from.year()) * 12 + i64::from(to.month()) - i64::from(from.month())
}

fn wan(hundredths: i64) -> String {
    crate::Amount { raw: hundredths, decimals: AMOUNT_DECIMALS }.to_string()
}

impl LightRules {
    pub fn lights(&self, month: Month, i: &LightInputs) -> Lights {
        let p = i.project;
        let mut reasons = Vec::new();

        let start = p.planned_start.map(|planned| {
            let late = months_between(planned, month);
            if p.started_by(month) || late < i64::from(self.start_yellow_months) {
                Light::Green
            } else {
                let light = if late >= i64::from(self.start_red_months) { Light::Red } else { Light::Yellow };
                reasons.push(format!("计划{}开工,截至{}尚未开工,已逾期{late}个月", planned.zh(), month.zh()));
                light
            }
        });

        // gap = reported / planned × 100 − m / 12 × 100, compared exactly: multiplied by
        // 12 × planned (> 0) every term is an integer.
        let (investment, gap_pp) = match i.planned.filter(|v| *v > 0) {
            None => (None, None),
            Some(planned) => {
                let (reported, planned_w, m) = (i128::from(i.reported_ytd), i128::from(planned), i128::from(month.month()));
                let scaled_gap = 1200 * reported - 100 * m * planned_w; // gap × 12 × planned
                let at = |pp: i64| i128::from(pp) * 12 * planned_w;
                let light = if scaled_gap > at(self.investment_yellow_pp) {
                    Light::Green
                } else if scaled_gap >= at(self.investment_red_pp) {
                    Light::Yellow
                } else {
                    Light::Red
                };
                let gap = scaled_gap as f64 / (12.0 * planned as f64);
                if light != Light::Green {
                    reasons.push(format!(
                        "年度计划投资{}万元,1-{}月完成{}万元({:.1}%),落后序时进度{:.1}个百分点",
                        wan(planned),
                        month.month(),
                        wan(i.reported_ytd),
                        i.reported_ytd as f64 / planned as f64 * 100.0,
                        -gap
                    ));
                }
                (Some(light), Some((gap * 10.0).round() / 10.0))
            }
        };

        let requirements = (!i.requirements.is_empty()).then(|| {
            let overdue: Vec<&Requirement> = i.requirements.iter().filter(|r| r.overdue_at(month)).collect();
            for r in &overdue {
                reasons.push(format!(
                    "要件“{}”计划{}办结,截至{}未办结(责任部门:{})",
                    r.kind.zh(),
                    r.planned,
                    last_day(month),
                    (i.department_name)(&r.department)
                ));
            }
            if overdue.is_empty() { Light::Green } else { Light::Red }
        });

        let problems = (!i.problems.is_empty()).then(|| {
            let overdue: Vec<&Problem> = i.problems.iter().filter(|q| q.overdue_at(month)).collect();
            for q in &overdue {
                reasons.push(format!(
                    "问题“{}”应于{}前解决,尚未解决(责任部门:{})",
                    crate::shorten(&q.description),
                    q.due,
                    (i.department_name)(&q.department)
                ));
            }
            if overdue.is_empty() { Light::Green } else { Light::Red }
        });

        let overall = [start, investment, requirements, problems].into_iter().flatten().max();
        Lights { code: p.code.clone(), zone: p.zone.clone(), start, investment, requirements, problems, overall, gap_pp, reasons }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn project(planned_start: Option<&str>, actual_start: Option<&str>) -> Project {
        Project {
            code: "P1".into(),
            name: "光电产业园".into(),
            investor_uscc: None,
            zone: ZoneCode::parse("etdz").unwrap(),
            industry: IndustryCode::parse("optoelectronics").unwrap(),
            kind: ProjectKind::New,
            provincial_key: false,
            provincial_major: false,
            provincial_300: false,
            total_investment: 5_000_000,
            status: ProjectStatus::Preparing,
            planned_start: planned_start.map(m),
            actual_start: actual_start.map(m),
            planned_completion: None,
            actual_completion: None,
        }
    }

    fn lights(p: &Project, month: &str, planned: Option<i64>, ytd: i64, reqs: &[Requirement], probs: &[Problem]) -> Lights {
        let name = |c: &str| format!("部门{c}");
        let inputs =
            LightInputs { project: p, planned, reported_ytd: ytd, requirements: reqs, problems: probs, department_name: &name };
        LightRules::default().lights(m(month), &inputs)
    }

    #[test]
    fn the_start_light_at_its_boundaries() {
        let p = project(Some("2022-06"), None);
        let at = |month: &str| lights(&p, month, None, 0, &[], &[]).start;
        assert_eq!(at("2022-05"), Some(Light::Green), "planned start after M");
        assert_eq!(at("2022-06"), Some(Light::Green), "the planned month has not passed");
        assert_eq!(at("2022-07"), Some(Light::Yellow), "1 month after");
        assert_eq!(at("2022-08"), Some(Light::Yellow), "2 months after");
        assert_eq!(at("2022-09"), Some(Light::Red), "3 months after");
        assert_eq!(at("2023-09"), Some(Light::Red));
        // Started in M or before: green; a start after M does not count at M.
        let started = project(Some("2022-06"), Some("2022-09"));
        assert_eq!(lights(&started, "2022-09", None, 0, &[], &[]).start, Some(Light::Green));
        assert_eq!(lights(&started, "2022-08", None, 0, &[], &[]).start, Some(Light::Yellow));
        assert_eq!(lights(&project(None, None), "2022-09", None, 0, &[], &[]).start, None);
        let r = lights(&p, "2022-09", None, 0, &[], &[]);
        assert_eq!(r.reasons, vec!["计划2022年6月开工,截至2022年9月尚未开工,已逾期3个月".to_string()]);
    }

    #[test]
    fn the_investment_light_is_exact_at_minus_ten_and_minus_thirty() {
        let p = project(None, None);
        // Planned 1,200 万元 (120,000 hundredths); at June, 序时进度 is 50 %.
        let planned = Some(120_000);
        let at = |ytd: i64| {
            let l = lights(&p, "2022-06", planned, ytd, &[], &[]);
            (l.investment, l.gap_pp)
        };
        assert_eq!(at(60_000), (Some(Light::Green), Some(0.0)));
        assert_eq!(at(48_001), (Some(Light::Green), Some(-10.0)), "−9.999… is above −10");
        assert_eq!(at(48_000), (Some(Light::Yellow), Some(-10.0)), "exactly −10 is yellow");
        assert_eq!(at(24_000), (Some(Light::Yellow), Some(-30.0)), "exactly −30 is yellow");
        assert_eq!(at(23_999), (Some(Light::Red), Some(-30.0)), "just below −30 is red");
        // A third of a year: m/12 is not a finite decimal, yet −10 stays yellow: planned 3 万元
        // (300) at April (33.33… %), reported 0.70 万元 → 23.33… − 33.33… = −10 exactly.
        let l = lights(&p, "2022-04", Some(300), 70, &[], &[]);
        assert_eq!(l.investment, Some(Light::Yellow));
        assert_eq!(lights(&p, "2022-06", None, 10, &[], &[]).investment, None);
        assert_eq!(lights(&p, "2022-06", Some(0), 10, &[], &[]).investment, None);
        let red = lights(&p, "2022-06", planned, 12_000, &[], &[]);
        assert_eq!(red.reasons, vec!["年度计划投资1200万元,1-6月完成120万元(10.0%),落后序时进度40.0个百分点".to_string()]);
    }

    #[test]
    fn requirements_and_problems_are_red_once_due_by_the_end_of_the_month() {
        let p = project(None, None);
        let req = |planned: &str, done: Option<&str>| Requirement {
            kind: RequirementKind::Eia,
            department: "ecology".into(),
            planned: d(planned),
            done: done.map(d),
        };
        let at = |r: Requirement, month: &str| lights(&p, month, None, 0, &[r], &[]).requirements;
        assert_eq!(at(req("2022-09-30", None), "2022-09"), Some(Light::Red), "due on the last day of M");
        assert_eq!(at(req("2022-10-01", None), "2022-09"), Some(Light::Green));
        assert_eq!(at(req("2022-09-15", Some("2022-09-30")), "2022-09"), Some(Light::Green), "done by the end of M");
        assert_eq!(at(req("2022-09-15", Some("2022-10-01")), "2022-09"), Some(Light::Red), "done only after M");
        assert_eq!(lights(&p, "2022-09", None, 0, &[], &[]).requirements, None);

        let prob = |due: &str, resolved: Option<&str>| Problem {
            id: 1,
            description: "用地指标待落实".into(),
            department: "resources".into(),
            due: d(due),
            status: if resolved.is_some() { ProblemStatus::Resolved } else { ProblemStatus::Open },
            resolution: String::new(),
            resolved_on: resolved.map(d),
        };
        let at = |q: Problem, month: &str| lights(&p, month, None, 0, &[], &[q]);
        assert_eq!(at(prob("2022-09-30", None), "2022-09").problems, Some(Light::Red));
        assert_eq!(at(prob("2022-10-01", None), "2022-09").problems, Some(Light::Green));
        assert_eq!(at(prob("2022-09-10", Some("2022-09-20")), "2022-09").problems, Some(Light::Green));
        assert_eq!(at(prob("2022-09-10", Some("2022-10-20")), "2022-09").problems, Some(Light::Red), "open at M's end");
        let r = at(prob("2022-09-30", None), "2022-09");
        assert_eq!(r.reasons, vec!["问题“用地指标待落实”应于2022-09-30前解决,尚未解决(责任部门:部门resources)".to_string()]);
    }

    #[test]
    fn overall_is_the_worst_light_and_null_when_all_are() {
        let p = project(Some("2022-08"), None);
        let l = lights(&p, "2022-09", Some(120_000), 90_000, &[], &[]);
        assert_eq!((l.start, l.investment, l.overall), (Some(Light::Yellow), Some(Light::Green), Some(Light::Yellow)));
        let none = lights(&project(None, None), "2022-09", None, 0, &[], &[]);
        assert_eq!(none.overall, None);
        assert!(none.reasons.is_empty());
        let json = serde_json::to_value(&l).unwrap();
        assert_eq!(json["start"], "yellow");
        assert_eq!(json["requirements"], serde_json::Value::Null);
    }

    #[test]
    fn kinds_and_statuses_read_as_code_or_chinese() {
        assert_eq!(ProjectKind::parse("技改"), Some(ProjectKind::Upgrade));
        assert_eq!(ProjectStatus::parse("building"), Some(ProjectStatus::Building));
        assert_eq!(RequirementKind::parse("施工许可"), Some(RequirementKind::ConstructionPermit));
        assert_eq!(RequirementKind::parse("规划"), None);
        assert!(check_project_code("GJ-2022-001").is_ok());
        assert!(check_project_code("GJ 2022").is_err());
    }
}
