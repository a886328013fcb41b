//! The project files of PRODUCT.md §6: the library, annual investment plans, monthly reports and
//! pre-construction requirements. Each row is read into a typed record or every problem it has;
//! whether a project code or an investor exists is the importer's question (it needs the store).

use domain::projects::{
    AMOUNT_DECIMALS, PlanLine, Project, ProjectKind, ProjectLine, ProjectStatus, ReportLine, RequirementKind, RequirementLine,
    check_project_code,
};
use domain::{Month, Plan, Uscc};

use crate::cells;
use crate::enterprises::{Column, RowCheck, locate, text};
use crate::table::{Cell, Table};
use crate::{FileError, RowError};

const PROJECT_COLUMNS: &[Column] = &[
    Column { code: "code", zh: "项目编号", required: true },
    Column { code: "name", zh: "项目名称", required: true },
    Column { code: "investor_uscc", zh: "投资主体统一社会信用代码", required: false },
    Column { code: "zone", zh: "组团", required: true },
    Column { code: "industry", zh: "产业", required: true },
    Column { code: "type", zh: "类型", required: true },
    Column { code: "provincial_key", zh: "省重点", required: false },
    Column { code: "provincial_major", zh: "省大中型", required: false },
    Column { code: "provincial_300", zh: "省\"三百\"", required: false },
    Column { code: "total_investment", zh: "总投资(万元)", required: true },
    Column { code: "status", zh: "状态", required: true },
    Column { code: "planned_start", zh: "计划开工", required: false },
    Column { code: "actual_start", zh: "实际开工", required: false },
    Column { code: "planned_completion", zh: "计划竣工", required: false },
    Column { code: "actual_completion", zh: "实际竣工", required: false },
];

const PLAN_COLUMNS: &[Column] = &[
    Column { code: "code", zh: "项目编号", required: true },
    Column { code: "year", zh: "年度", required: true },
    Column { code: "planned", zh: "计划投资(万元)", required: true },
];

const REPORT_COLUMNS: &[Column] = &[
    Column { code: "code", zh: "项目编号", required: true },
    Column { code: "month", zh: "月份", required: true },
    Column { code: "investment", zh: "本月完成投资(万元)", required: true },
    Column { code: "progress_note", zh: "形象进度", required: false },
];

const REQUIREMENT_COLUMNS: &[Column] = &[
    Column { code: "code", zh: "项目编号", required: true },
    Column { code: "requirement", zh: "要件", required: true },
    Column { code: "department", zh: "责任部门", required: true },
    Column { code: "planned", zh: "计划办结", required: true },
    Column { code: "done", zh: "实际办结", required: false },
];

/// The longest 形象进度 or project name kept; more is refused, not cut.
const MAX_TEXT_CHARS: usize = 2000;

/// Which of the four files, and where its columns are.
pub struct ProjectFile {
    kind: ProjectFileKind,
    at: Vec<Option<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectFileKind {
    Projects,
    Plans,
    Reports,
    Requirements,
}

impl ProjectFileKind {
    /// The kind by the name commands and URLs use.
    pub fn from_code(code: &str) -> Option<ProjectFileKind> {
        Some(match code {
            "projects" => ProjectFileKind::Projects,
            "project-plans" => ProjectFileKind::Plans,
            "project-reports" => ProjectFileKind::Reports,
            "requirements" => ProjectFileKind::Requirements,
            _ => return None,
        })
    }

    fn columns(self) -> &'static [Column] {
        match self {
            ProjectFileKind::Projects => PROJECT_COLUMNS,
            ProjectFileKind::Plans => PLAN_COLUMNS,
            ProjectFileKind::Reports => REPORT_COLUMNS,
            ProjectFileKind::Requirements => REQUIREMENT_COLUMNS,
        }
    }

    /// The header row for a template or an export, in the file's column order.
    pub fn headers(self) -> Vec<&'static str> {
        self.columns().iter().map(|c| c.zh).collect()
    }
}

impl ProjectFile {
    /// Finds the header row (a title or unit row may sit above it) and the columns.
    pub fn map(kind: ProjectFileKind, table: &mut Table) -> Result<Self, FileError> {
        Ok(ProjectFile { kind, at: locate(table, kind.columns())? })
    }

    pub fn parse(&self, plan: &Plan, file: &str, row: usize, cells: &[Cell]) -> Result<ProjectLine, Vec<RowError>> {
        let empty = Cell::Empty;
        let columns = self.kind.columns();
        let get = |k: usize| self.at[k].and_then(|i| cells.get(i)).unwrap_or(&empty);
        let mut check = RowCheck { file, row, errors: Vec::new() };
        // Reads column k, noting its error under the column's Chinese name.
        macro_rules! read {
            ($k:expr, $read:expr) => {
                cells::read(&mut check, columns[$k].zh, get($k), $read)
            };
        }
        let code = read!(0, |c: &Cell| {
            let t = text(c).trim().to_string();
            check_project_code(&t).map(|()| t)
        });
        let line = match self.kind {
            ProjectFileKind::Projects => {
                let name = read!(1, |c: &Cell| non_empty_text(c, "项目名称"));
                let investor = read!(2, |c: &Cell| {
                    let t = text(c);
                    if t.trim().is_empty() { Ok(None) } else { Uscc::parse(&t).map(Some).map_err(|e| e.to_string()) }
                });
                let zone = read!(3, |c: &Cell| plan
                    .resolve_zone(&text(c))
                    .map(|z| z.code.clone())
                    .ok_or_else(|| "未知组团,应为计划中的组团名称或代码 / unknown zone".to_string()));
                let industry = read!(4, |c: &Cell| plan
                    .resolve_industry(&text(c))
                    .map(|i| i.code.clone())
                    .ok_or_else(|| "未知产业,应为计划中的产业名称或代码 / unknown industry".to_string()));
                let kind = read!(5, |c: &Cell| ProjectKind::parse(&text(c))
                    .ok_or_else(|| "类型应为 新建、扩建 或 技改 / type is 新建, 扩建 or 技改".to_string()));
                let key = read!(6, |c: &Cell| cells::yes_no(c, "是", "否"));
                let major = read!(7, |c: &Cell| cells::yes_no(c, "是", "否"));
                let p300 = read!(8, |c: &Cell| cells::yes_no(c, "是", "否"));
                let total = read!(9, |c: &Cell| cells::amount(c, AMOUNT_DECIMALS).and_then(required("总投资")));
                let status = read!(10, |c: &Cell| ProjectStatus::parse(&text(c))
                    .ok_or_else(|| "状态应为 谋划、签约、前期、在建、竣工 或 投产 / unknown status".to_string()));
                let months: Vec<Option<Option<Month>>> = (11..=14).map(|k| read!(k, cells::month)).collect();
                match (code, name, investor, zone, industry, kind, key, major, p300, total, status) {
                    (
                        Some(code),
                        Some(name),
                        Some(investor_uscc),
                        Some(zone),
                        Some(industry),
                        Some(kind),
                        Some(provincial_key),
                        Some(provincial_major),
                        Some(provincial_300),
                        Some(total_investment),
                        Some(status),
                    ) if check.errors.is_empty() => {
                        let m = |k: usize| months[k].flatten();
                        let project = Project {
                            code,
                            name,
                            investor_uscc,
                            zone,
                            industry,
                            kind,
                            provincial_key,
                            provincial_major,
                            provincial_300,
                            total_investment,
                            status,
                            planned_start: m(0),
                            actual_start: m(1),
                            planned_completion: m(2),
                            actual_completion: m(3),
                        };
                        order_checks(&project, &mut check, get(12), get(14));
                        ProjectLine::Project(Box::new(project))
                    }
                    _ => return Err(check.errors),
                }
            }
            ProjectFileKind::Plans => {
                let year = read!(1, |c: &Cell| {
                    let t = text(c);
                    t.trim()
                        .trim_end_matches('年')
                        .parse::<i32>()
                        .ok()
                        .filter(|y| (1900..=9999).contains(y))
                        .ok_or_else(|| "年度应写作 2022 / the year is written 2022".to_string())
                });
                let planned = read!(2, |c: &Cell| cells::amount(c, AMOUNT_DECIMALS).and_then(required("计划投资")));
                match (code, year, planned) {
                    (Some(code), Some(year), Some(planned)) => ProjectLine::Plan(PlanLine { code, year, planned }),
                    _ => return Err(check.errors),
                }
            }
            ProjectFileKind::Reports => {
                let month = read!(1, |c: &Cell| cells::month(c).and_then(required("月份")));
                let investment = read!(2, |c: &Cell| cells::amount(c, AMOUNT_DECIMALS).and_then(required("本月完成投资")));
                let note = read!(3, |c: &Cell| bounded_text(c, "形象进度"));
                match (code, month, investment, note) {
                    (Some(code), Some(month), Some(investment), Some(progress_note)) => {
                        ProjectLine::Report(ReportLine { code, month, investment, progress_note })
                    }
                    _ => return Err(check.errors),
                }
            }
            ProjectFileKind::Requirements => {
                let kind = read!(1, |c: &Cell| {
                    RequirementKind::parse(&text(c)).ok_or_else(|| {
                    "要件应为 立项、规划选址、用地、环评 或 施工许可 / requirement is approval, siting, land, eia or construction_permit"
                        .to_string()
                })
                });
                let department = read!(2, |c: &Cell| {
                    let t = text(c);
                    plan.departments
                        .iter()
                        .find(|d| d.code == t.trim() || d.name == t.trim())
                        .map(|d| d.code.clone())
                        .ok_or_else(|| "未知部门,应为计划中的部门代码或名称 / unknown department".to_string())
                });
                let planned = read!(3, |c: &Cell| cells::date(c).and_then(required("计划办结")));
                let done = read!(4, cells::date);
                match (code, kind, department, planned, done) {
                    (Some(code), Some(kind), Some(department), Some(planned), Some(done)) => {
                        ProjectLine::Requirement(RequirementLine { code, kind, department, planned, done })
                    }
                    _ => return Err(check.errors),
                }
            }
        };
        if check.errors.is_empty() { Ok(line) } else { Err(check.errors) }
    }
}

fn required<T>(what: &'static str) -> impl Fn(Option<T>) -> Result<T, String> {
    move |o| o.ok_or_else(|| format!("{what}不能为空 / required"))
}

fn non_empty_text(c: &Cell, what: &str) -> Result<String, String> {
    let t = bounded_text(c, what)?;
    if t.is_empty() { Err(format!("{what}不能为空 / required")) } else { Ok(t) }
}

fn bounded_text(c: &Cell, what: &str) -> Result<String, String> {
    let t = text(c).trim().to_string();
    if t.chars().count() > MAX_TEXT_CHARS {
        Err(format!("{what}超过{MAX_TEXT_CHARS}字 / longer than {MAX_TEXT_CHARS} characters"))
    } else {
        Ok(t)
    }
}

/// Dates that contradict each other: a start after the completion.
fn order_checks(p: &Project, check: &mut RowCheck, actual_start: &Cell, actual_completion: &Cell) {
    if let (Some(s), Some(c)) = (p.actual_start, p.actual_completion)
        && c < s
    {
        check.fail("实际竣工", actual_completion, "实际竣工早于实际开工 / completed before it started");
    }
    if p.actual_start.is_none() && p.actual_completion.is_some() {
        check.fail("实际开工", actual_start, "已竣工的项目须填写实际开工 / a completed project needs its start");
    }
}
