//! The demo region's major projects: a library spread over the zones and the plan's industries,
//! annual plans, monthly reports from each start, requirements with their departments, and
//! problems — some on time, some late, some blocked. Deterministic for a seed.

use domain::calendar::Date;
use domain::projects::{
    PlanLine, Project, ProjectKind, ProjectLine, ProjectStatus, ReportLine, RequirementKind, RequirementLine, last_day,
};
use domain::{Enterprise, Month, Plan};

use crate::demo::Rng;

/// A problem raised in a demo report, and how it ended if it did.
pub(crate) struct DemoProblem {
    pub code: String,
    pub month: Month,
    pub description: String,
    pub department: String,
    pub due: Date,
    pub resolved: Option<(Date, String)>,
}

pub(crate) struct DemoProjects {
    pub lines: Vec<ProjectLine>,
    pub problems: Vec<DemoProblem>,
}

const NAMES: [&str; 12] = [
    "智能制造产业园",
    "新材料生产基地",
    "研发中心",
    "扩能技改",
    "产业化",
    "智慧工厂",
    "总部基地",
    "配套产业园",
    "数字化车间",
    "绿色工厂",
    "检测中心",
    "物流枢纽",
];
const PROBLEMS: [(&str, &str); 6] = [
    ("用地指标待落实", "resources"),
    ("环评批复待出具", "ecology"),
    ("施工图审查进度滞后", "approval"),
    ("配套道路未贯通", "construction"),
    ("项目贷款尚未到位", "finance"),
    ("高压线迁改协调", "construction"),
];
const REQUIREMENT_OWNERS: [(RequirementKind, &str, i64); 5] = [
    (RequirementKind::Approval, "approval", -150),
    (RequirementKind::Siting, "resources", -120),
    (RequirementKind::Land, "resources", -90),
    (RequirementKind::Eia, "ecology", -60),
    (RequirementKind::ConstructionPermit, "approval", -20),
];

fn add_months(m: Month, n: i32) -> Month {
    let idx = m.year() * 12 + m.month() as i32 - 1 + n;
    Month::new(idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32).expect("a month in range")
}

fn first_day(m: Month) -> Date {
    Date::new(m.year(), m.month(), 1).expect("a month's first day")
}

/// The region size the demo's projects, leads and tickets are written for; a larger region gets
/// them in proportion (a stress region of 100,000 enterprises some 66 times as many).
pub(crate) const DEMO_REGION: usize = 1500;

/// How many times the demo's projects, leads and tickets a region of `enterprises` gets.
pub(crate) fn scale(enterprises: usize) -> usize {
    (enterprises / DEMO_REGION).max(1)
}

/// Projects from `first_year` whose story runs to the end of `last`, in proportion to the region.
pub(crate) fn generate(plan: &Plan, registry: &[Enterprise], first_year: i32, last: Month, rng: &mut Rng) -> DemoProjects {
    let mut lines = Vec::new();
    // A project's investor is one of the first three enterprises of its cell.
    let mut investors: std::collections::HashMap<(&str, &str), Vec<&Enterprise>> = std::collections::HashMap::new();
    for e in registry {
        let cell = investors.entry((e.zone.as_str(), e.industry.as_str())).or_default();
        if cell.len() < 3 {
            cell.push(e);
        }
    }
    let times = scale(registry.len());
    let mut problems = Vec::new();
    // A demo of a single early year still gets its projects in that year.
    let first_year = first_year.min(last.year());
    let industries: Vec<_> = plan.industries.iter().filter(|i| i.tier.is_industrial()).collect();
    let mut n = 0;
    for zone in plan.top_zones() {
        let subs: Vec<_> = plan.zones.iter().filter(|z| plan.top_zone(&z.code) == zone.code.as_str()).collect();
        let count = times * if zone.code == "etdz" { 24 } else { 12 };
        for _ in 0..count {
            n += 1;
            let z = rng.pick(&subs);
            let industry = rng.pick(&industries);
            let year = first_year + (rng.next() % (last.year() - first_year + 1) as u64) as i32;
            let code = format!("GJ{year}-{n:03}");
            // Totals are heavy-tailed: most a few 亿, a handful of 百亿 anchors.
            let total_wan = (3_000.0 * (1.0 / rng.range(0.02, 1.0)).powf(1.3)).min(1_500_000.0).round();
            // Most start in the spring campaign (集中开工), a few later in the year.
            let planned_start = Month::new(year, 1 + (rng.next() % 12).min(rng.next() % 6) as u32).expect("a month");
            let build_months = 12 + (total_wan / 20_000.0).min(24.0) as i32;
            let fate = rng.unit();
            // On time, late, or not started at all (blocked).
            let actual_start = match fate {
                f if f < 0.6 => Some(planned_start),
                f if f < 0.85 => Some(add_months(planned_start, 1 + (rng.next() % 4) as i32)),
                _ => None,
            }
            .filter(|s| *s <= last);
            let planned_completion = add_months(planned_start, build_months);
            let actual_completion =
                actual_start.map(|s| add_months(s, build_months + (rng.next() % 3) as i32)).filter(|c| *c <= last);
            let status = match (actual_start, actual_completion) {
                (_, Some(c)) if add_months(c, 3) <= last => ProjectStatus::Operating,
                (_, Some(_)) => ProjectStatus::Completed,
                (Some(_), None) => ProjectStatus::Building,
                (None, None) if fate < 0.95 => ProjectStatus::Preparing,
                _ => ProjectStatus::Signed,
            };
            let k = (rng.next() % 3) as usize;
            let investor = investors.get(&(z.code.as_str(), industry.code.as_str())).and_then(|c| c.get(k)).copied();
            let name = format!("{}{}", industry.name.split(['(', '(']).next().unwrap_or(&industry.name), rng.pick(&NAMES));
            let project = Project {
                code: code.clone(),
                name,
                investor_uscc: investor.map(|e| e.uscc.clone()),
                zone: z.code.clone(),
                industry: industry.code.clone(),
                kind: *rng.pick(&[ProjectKind::New, ProjectKind::New, ProjectKind::Expansion, ProjectKind::Upgrade]),
                provincial_key: total_wan >= 100_000.0 && rng.unit() < 0.7,
                provincial_major: total_wan >= 50_000.0,
                provincial_300: rng.unit() < 0.2,
                total_investment: (total_wan * 100.0) as i64,
                status,
                planned_start: Some(planned_start),
                actual_start,
                planned_completion: Some(planned_completion),
                actual_completion,
            };
            lines.push(ProjectLine::Project(Box::new(project)));

            // Each year of the build gets its share of the total as the year's plan.
            let per_month = total_wan / f64::from(build_months);
            for y in planned_start.year()..=planned_completion.year().min(last.year()) {
                let months_in_year =
                    (1..=12).filter_map(|m| Month::new(y, m)).filter(|m| *m >= planned_start && *m < planned_completion).count();
                if months_in_year > 0 {
                    let planned = (per_month * months_in_year as f64 * 100.0).round() as i64;
                    lines.push(ProjectLine::Plan(PlanLine { code: code.clone(), year: y, planned }));
                }
            }
            // Reports from the start: a pace from well behind to a little ahead of the plan.
            if let Some(start) = actual_start {
                let pace = rng.range(0.45, 1.15);
                let end = actual_completion.unwrap_or(last);
                let mut m = start;
                while m <= end {
                    let amount = (per_month * pace * rng.range(0.7, 1.3) * 100.0).round() as i64;
                    let note = match m {
                        m if m == start => "项目开工,场地平整".to_string(),
                        m if Some(m) == actual_completion => "主体竣工,设备调试".to_string(),
                        _ => rng
                            .pick(&["基础施工", "主体结构施工", "钢结构吊装", "设备采购安装", "厂房封顶", "室外配套施工"])
                            .to_string(),
                    };
                    lines.push(ProjectLine::Report(ReportLine {
                        code: code.clone(),
                        month: m,
                        investment: amount,
                        progress_note: note,
                    }));
                    m = m.next();
                }
            }
            // Requirements fall due before the planned start; a blocked project has one undone.
            let start_day = first_day(planned_start).days();
            for (i, (kind, owner, before)) in REQUIREMENT_OWNERS.iter().enumerate() {
                let planned = Date::from_days(start_day + before);
                let done = match actual_start {
                    None if i >= 3 => None,
                    _ => Some(Date::from_days(planned.days() + (rng.next() % 40) as i64 - 20)),
                }
                .filter(|d| *d <= last_day(last));
                lines.push(ProjectLine::Requirement(RequirementLine {
                    code: code.clone(),
                    kind: *kind,
                    department: owner.to_string(),
                    planned,
                    done,
                }));
            }
            // Problems: a third of the projects raise one; most get resolved.
            if rng.unit() < 0.35 {
                let (description, department) = *rng.pick(&PROBLEMS);
                let raised = actual_start.unwrap_or(planned_start).min(last);
                let due = Date::from_days(last_day(raised).days() + 20 + (rng.next() % 40) as i64);
                let resolved = (rng.unit() < 0.6).then(|| (Date::from_days(due.days() - 10), "已协调解决".to_string()));
                let resolved = resolved.filter(|(d, _)| *d <= last_day(last));
                problems.push(DemoProblem {
                    code: code.clone(),
                    month: raised,
                    description: description.to_string(),
                    department: department.to_string(),
                    due,
                    resolved,
                });
            }
        }
    }
    DemoProjects { lines, problems }
}

const INVESTORS: [&str; 10] = [
    "京东方科技集团",
    "宁德时代新能源",
    "中国建材集团",
    "华为技术有限公司",
    "江西铜业集团",
    "晶科能源",
    "立讯精密工业",
    "比亚迪股份",
    "欧菲光集团",
    "正邦科技",
];

/// Leads over the stages, from 线索 to 投产, in every year of the demo (fourteen a year in the
/// demo region, in proportion `times` in a larger one); about a third signed.
pub(crate) fn generate_leads(plan: &Plan, first_year: i32, last: Month, times: usize, rng: &mut Rng) -> Vec<domain::leads::Lead> {
    use domain::leads::{Lead, Stage};
    let industries: Vec<_> = plan.industries.iter().filter(|i| i.tier.is_industrial()).collect();
    let tops: Vec<_> = plan.top_zones().collect();
    let first_year = first_year.min(last.year());
    let mut out = Vec::new();
    for year in first_year..=last.year() {
        for k in 0..14 * times {
            let zone = rng.pick(&tops);
            let industry = rng.pick(&industries);
            // 5亿 to 150亿: a few very large ones, as the "152" rule looks for.
            let amount_wan = (50_000.0 * (1.0 / rng.range(0.033, 1.0)).powf(1.0)).min(1_500_000.0).round();
            let stage = Stage::ALL[(rng.next() % 6) as usize];
            let signed = Date::new(year, 1 + (rng.next() % 11) as u32, 1 + (rng.next() % 28) as u32).expect("a date");
            let mut dates = std::collections::BTreeMap::new();
            let mut day = signed.days();
            for s in [Stage::Signed, Stage::Registered, Stage::Started, Stage::Producing] {
                if s <= stage && Date::from_days(day) <= last_day(last) {
                    dates.insert(s, Date::from_days(day));
                    day += 30 + (rng.next() % 150) as i64;
                }
            }
            // A stage whose date would fall after the demo's end is not reached yet.
            let stage = dates.keys().next_back().copied().filter(|_| stage >= Stage::Signed).unwrap_or(stage.min(Stage::Talks));
            let flags = match rng.next() % 6 {
                0 => vec!["world500".to_string()],
                1 => vec!["china500".to_string()],
                2 => vec!["industry100".to_string()],
                _ => Vec::new(),
            };
            let funds = if stage >= Stage::Registered { (amount_wan * rng.range(0.1, 0.8) * 100.0) as i64 } else { 0 };
            out.push(Lead {
                code: format!("ZS{year}-{:03}", k + 1),
                name: format!("{}{}", industry.name.split(['(', '(']).next().unwrap_or(&industry.name), rng.pick(&NAMES)),
                investor: rng.pick(&INVESTORS).to_string(),
                amount: (amount_wan * 100.0) as i64,
                industry: industry.code.clone(),
                zone: zone.code.clone(),
                source: rng.pick(&plan.leads.sources).clone(),
                flags,
                // The 开放发展局 where the plan has it, else the zone.
                owner: match plan.departments.iter().find(|d| d.code == "opening") {
                    Some(d) if rng.unit() < 0.5 => d.code.clone(),
                    _ => zone.code.to_string(),
                },
                stage,
                dates,
                funds_in_place: funds,
                project: None,
            });
        }
    }
    out
}
