//! Major projects (M3): the library and its files, monthly reports through the review workflow,
//! requirements and problems their departments resolve, and the monthly dispatch with its lights.
//! Every read is scoped (a zone sees its own projects) and every write audited.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use domain::authz::{Action, Target, Visible};
use domain::calendar::Date;
use domain::projects::{
    LightInputs, Lights, Problem, ProblemStatus, Project, ProjectLine, Requirement, RequirementKind, check_project_code,
};
use domain::submission::{Step, SubmissionState};
use domain::{Month, ZoneCode};
use files::{ProjectFile, ProjectFileKind, RowErrors, Table};
use serde::Serialize;
use store::{PhotoInfo, ProjectReport};

use crate::import::{ImportSummary, Progress, file_name, parse_rows, row_error};
use crate::{App, Caller, Result, ServiceError};

/// The workflow subject of a zone's monthly project reports (scope the top-level zone, period
/// the month).
pub const PROJECT_MONTH: &str = "project_month";

/// One project's page: the project, its year plans, reports with cumulative investment, its
/// requirements, problems, photos and its lights this month.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectDetail {
    pub project: Project,
    pub major_industrial: bool,
    pub reports: Vec<ReportRow>,
    pub requirements: Vec<Requirement>,
    pub problems: Vec<Problem>,
    pub photos: Vec<PhotoRow>,
    pub lights: Lights,
}

/// A monthly report with the year's cumulative investment (computed, never imported).
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub month: Month,
    /// 万元.
    pub investment: f64,
    pub cumulative_year: f64,
    pub cumulative_total: f64,
    pub progress_note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhotoRow {
    pub id: i64,
    pub month: Month,
    pub file_name: String,
    pub author: String,
}

/// The monthly dispatch (月调度): every project the caller may see with its lights, lagging
/// first, open problems by owning department, and the year's counts against the plan.
#[derive(Debug, Clone, Serialize)]
pub struct Dispatch {
    pub month: Month,
    pub lights: Vec<Lights>,
    pub by_zone: Vec<ZoneCount>,
    pub open_problems: Vec<DepartmentProblems>,
    /// 亿元以上工业项目 started in the year through the month, against the plan's yearly target.
    pub major_started: usize,
    pub major_target: Option<f64>,
    /// Investment reported in the year through the month (万元), against the yearly target, and
    /// the share of the year gone (序时进度, %).
    pub investment_ytd_wan: f64,
    pub investment_target_wan: Option<f64>,
    pub time_progress_pct: f64,
    /// The projects the lights are of, for pages that show their names (not in the JSON).
    #[serde(skip)]
    pub projects: Vec<Project>,
}

impl Dispatch {
    /// A project's name, by code.
    pub fn name_of(&self, code: &str) -> String {
        self.projects.iter().find(|p| p.code == code).map_or(String::new(), |p| p.name.clone())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ZoneCount {
    pub zone: ZoneCode,
    pub projects: usize,
    pub red: usize,
    pub yellow: usize,
    pub green: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentProblems {
    pub department: String,
    pub name: String,
    pub problems: Vec<OpenProblem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenProblem {
    pub id: i64,
    pub project: String,
    pub description: String,
    pub due: Date,
    pub overdue: bool,
}

fn wan(hundredths: i64) -> f64 {
    hundredths as f64 / 100.0
}

impl App {
    /// The top-level zones the caller sees projects of (empty: all), or a refusal.
    fn project_zones_visible(&self, caller: &Caller) -> Result<Vec<ZoneCode>> {
        match caller.actor.visible(&self.plan, Action::ReadProjects) {
            Visible::All => Ok(Vec::new()),
            Visible::Zones(zones) => Ok(zones),
            Visible::Enterprise(_) | Visible::None => {
                self.require(caller, Action::ReadProjects)?;
                Ok(Vec::new())
            }
        }
    }

    /// The library as the caller may see it.
    pub async fn projects(&self, caller: &Caller) -> Result<Vec<Project>> {
        let zones = self.project_zones_visible(caller)?;
        Ok(self.store.projects(&zones).await?)
    }

    async fn visible_project(&self, caller: &Caller, code: &str) -> Result<Project> {
        let not_found = || ServiceError::NotFound(format!("没有编号为“{}”的项目 / no such project", domain::shorten(code)));
        let p = self.store.project(code).await?.ok_or_else(not_found)?;
        self.authorize(caller, Action::ReadProjects, Target::Zone(&p.zone))?;
        Ok(p)
    }

    /// One project's page, its lights as of `month`.
    pub async fn project(&self, caller: &Caller, code: &str, month: Month) -> Result<ProjectDetail> {
        let project = self.visible_project(caller, code).await?;
        let reports = self.store.project_reports(code).await?;
        let requirements = self.store.project_requirements(Some(code)).await?.remove(code).unwrap_or_default();
        let problems = self.store.project_problems(Some(code)).await?.remove(code).unwrap_or_default();
        let photos = self.store.photos(code).await?;
        let planned = self.store.project_plans(month.year()).await?.get(code).copied();
        let ytd = reports.iter().filter(|r| r.month >= month.year_start() && r.month <= month).map(|r| r.investment).sum();
        let lights = self.lights_of(&project, month, planned, ytd, &requirements, &problems);
        Ok(ProjectDetail {
            major_industrial: project.is_major_industrial(&self.plan),
            project,
            reports: report_rows(&reports),
            requirements,
            problems,
            photos: photos.into_iter().map(photo_row).collect(),
            lights,
        })
    }

    fn lights_of(
        &self,
        project: &Project,
        month: Month,
        planned: Option<i64>,
        reported_ytd: i64,
        requirements: &[Requirement],
        problems: &[Problem],
    ) -> Lights {
        let name = |d: &str| self.plan.organisation_name(d);
        let inputs = LightInputs { project, planned, reported_ytd, requirements, problems, department_name: &name };
        self.plan.projects.lights.lights(month, &inputs)
    }

    /// The monthly dispatch for `month`, of the projects the caller may see.
    pub async fn dispatch(&self, caller: &Caller, month: Month) -> Result<Arc<Dispatch>> {
        let zones = self.project_zones_visible(caller)?;
        self.dispatch_view(&zones, month).await
    }

    /// The dispatch of the projects of these zones (none: every zone) as kept: callers who see
    /// the same zones see the same dispatch.
    pub(crate) async fn dispatch_view(&self, zones: &[ZoneCode], month: Month) -> Result<Arc<Dispatch>> {
        let key = (month.yyyymm(), zones.iter().map(ZoneCode::to_string).collect());
        let version = self.data_version().await?;
        self.views.dispatch.get_or_compute(key, version, || self.compute_dispatch(zones, month)).await
    }

    async fn compute_dispatch(&self, zones: &[ZoneCode], month: Month) -> Result<Dispatch> {
        let projects = self.store.projects(zones).await?;
        let plans = self.store.project_plans(month.year()).await?;
        let ytd = self.store.project_investment(month.year_start(), month).await?;
        let requirements = self.store.project_requirements(None).await?;
        let problems = self.store.project_problems(None).await?;
        let none_r: Vec<Requirement> = Vec::new();
        let none_p: Vec<Problem> = Vec::new();
        let position = |z: &ZoneCode| self.plan.zones.iter().position(|x| x.code == *z);
        let mut lights: Vec<Lights> = projects
            .iter()
            .map(|p| {
                let reqs = requirements.get(&p.code).unwrap_or(&none_r);
                let probs = problems.get(&p.code).unwrap_or(&none_p);
                self.lights_of(p, month, plans.get(&p.code).copied(), ytd.get(&p.code).copied().unwrap_or(0), reqs, probs)
            })
            .collect();
        // Lagging first: red, then yellow, then the rest; by zone and code within.
        lights.sort_by(|a, b| {
            b.overall.cmp(&a.overall).then_with(|| position(&a.zone).cmp(&position(&b.zone))).then_with(|| a.code.cmp(&b.code))
        });

        let mut by_zone: BTreeMap<ZoneCode, ZoneCount> = BTreeMap::new();
        for l in &lights {
            let top = self.plan.zone(self.plan.top_zone(&l.zone)).map_or_else(|| l.zone.clone(), |z| z.code.clone());
            let c = by_zone.entry(top.clone()).or_insert(ZoneCount { zone: top, projects: 0, red: 0, yellow: 0, green: 0 });
            c.projects += 1;
            match l.overall {
                Some(domain::projects::Light::Red) => c.red += 1,
                Some(domain::projects::Light::Yellow) => c.yellow += 1,
                Some(domain::projects::Light::Green) => c.green += 1,
                None => {}
            }
        }

        let end = domain::projects::last_day(month);
        let mut open: BTreeMap<String, Vec<OpenProblem>> = BTreeMap::new();
        for p in &projects {
            for q in problems.get(&p.code).unwrap_or(&none_p) {
                if q.resolved_on.is_none_or(|d| d > end) {
                    open.entry(q.department.clone()).or_default().push(OpenProblem {
                        id: q.id,
                        project: p.code.clone(),
                        description: q.description.clone(),
                        due: q.due,
                        overdue: q.overdue_at(month),
                    });
                }
            }
        }
        let open_problems = open
            .into_iter()
            .map(|(department, problems)| DepartmentProblems {
                name: self.plan.organisation_name(&department),
                department,
                problems,
            })
            .collect();

        let in_year = |m: Option<Month>| m.is_some_and(|m| m >= month.year_start() && m <= month);
        let major_started = projects.iter().filter(|p| p.is_major_industrial(&self.plan) && in_year(p.actual_start)).count();
        let kpi_target = |code: &str| self.plan.kpis.iter().find(|k| k.code == code).map(|k| k.target);
        let investment_ytd: i64 = projects.iter().map(|p| ytd.get(&p.code).copied().unwrap_or(0)).sum();
        Ok(Dispatch {
            month,
            lights,
            by_zone: {
                let mut v: Vec<ZoneCount> = by_zone.into_values().collect();
                v.sort_by_key(|c| position(&c.zone));
                v
            },
            open_problems,
            major_started,
            major_target: kpi_target("major_industrial_projects"),
            investment_ytd_wan: wan(investment_ytd),
            // The KPI is written in 亿元.
            investment_target_wan: kpi_target("annual_industrial_investment").map(|t| t * 10_000.0),
            time_progress_pct: f64::from(month.month()) / 12.0 * 100.0,
            projects,
        })
    }

    /// Imports one of the four project files, all or nothing.
    pub async fn import_project_file(
        &self,
        caller: &Caller,
        kind: ProjectFileKind,
        path: &Path,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        let action = if kind == ProjectFileKind::Reports { Action::ReportProjects } else { Action::WriteProjects };
        self.require_some(caller, action)?;
        let known = self.store.project_zones().await?;
        let registry = if kind == ProjectFileKind::Projects { Some(self.store.enterprise_keys().await?) } else { None };
        let mut table = Table::open_with(path, &self.limits)?;
        let columns = ProjectFile::map(kind, &mut table)?;
        let file = table.file.clone();
        let mut errors = RowErrors::new(self.limits.max_errors);
        let mut denied = RowErrors::new(crate::import::DENIED_SHOWN);
        let mut lines = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let row_error = |row: usize, column: &str, value: &str, reason: String| row_error(&file, row, column, value, reason);
        let parsed = parse_rows(&mut table, &mut errors, |row, cells| columns.parse(&self.plan, &file, row, cells));
        // The workflow states of every month the reports touch, read once for the file.
        let report_months: Vec<i64> = parsed
            .iter()
            .filter_map(|(_, l)| if let ProjectLine::Report(r) = l { Some(i64::from(r.month.yyyymm())) } else { None })
            .collect();
        let states = match (report_months.iter().min(), report_months.iter().max()) {
            (Some(from), Some(to)) => self.workflow_states(PROJECT_MONTH, *from, *to).await?,
            _ => Default::default(),
        };
        for (row, line) in parsed {
            let code = line.code().to_string();
            // The zone the row touches: a project's own, else the library's for its code.
            let zone = match &line {
                ProjectLine::Project(p) => {
                    if let (Some(u), Some(keys)) = (&p.investor_uscc, &registry)
                        && keys.get(u).is_none()
                    {
                        errors.push(row_error(
                            row,
                            "投资主体统一社会信用代码",
                            u,
                            "企业名录中没有此企业 / not in the registry".into(),
                        ));
                    }
                    if let Some(old) = known.get(&code) {
                        // Moving a project out of a zone is that zone's business too.
                        if let Err(d) = caller.actor.authorize(&self.plan, action, Target::Zone(old)) {
                            denied.push(row_error(row, "组团", old, d.to_string()));
                        }
                    }
                    Some(p.zone.clone())
                }
                _ => match known.get(&code) {
                    Some(z) => Some(z.clone()),
                    None => {
                        errors.push(row_error(row, "项目编号", &code, "项目库中没有此项目 / not in the project library".into()));
                        None
                    }
                },
            };
            if let Some(zone) = &zone
                && let Err(d) = caller.actor.authorize(&self.plan, action, Target::Zone(zone))
            {
                denied.push(row_error(row, "组团", zone, d.to_string()));
            }
            if let ProjectLine::Report(r) = &line {
                if let Err(e) = self.plan.check_data_month(r.month, self.clock.current_month()) {
                    errors.push(row_error(row, "月份", &r.month.to_string(), e));
                } else if let Some(zone) = &zone
                    && !caller.actor.operator
                {
                    let top = self.plan.top_zone(zone).to_string();
                    let state =
                        states.get(&(top.clone(), i64::from(r.month.yyyymm()))).copied().unwrap_or(SubmissionState::Draft);
                    if !state.editable() {
                        errors.push(row_error(
                            row,
                            "月份",
                            &r.month.to_string(),
                            format!(
                                "{top} {} 的项目月报{},不能再修改 / that month's reports are {}",
                                r.month,
                                state.zh(),
                                state.code()
                            ),
                        ));
                    }
                }
            }
            let key = match &line {
                ProjectLine::Project(p) => p.code.clone(),
                ProjectLine::Plan(l) => format!("{} {}", l.code, l.year),
                ProjectLine::Report(l) => format!("{} {}", l.code, l.month),
                ProjectLine::Requirement(l) => format!("{} {}", l.code, l.kind.code()),
            };
            if let Some(first) = seen.insert(key, row) {
                errors.push(row_error(row, "项目编号", &code, format!("与第{first}行重复 / duplicates row {first}")));
            }
            lines.push(line);
        }
        if !denied.is_empty() {
            return Err(crate::import::forbidden_rows(&denied));
        }
        if !errors.is_empty() {
            errors.sort();
            return Err(ServiceError::Rows(errors));
        }
        let what = match kind {
            ProjectFileKind::Projects => "projects",
            ProjectFileKind::Plans => "project_plans",
            ProjectFileKind::Reports => "project_reports",
            ProjectFileKind::Requirements => "project_requirements",
        };
        let audit = caller
            .audit(&format!("import.{what}"), what, &file_name(path))
            .after(serde_json::json!({ "rows": lines.len() }).to_string());
        self.store.save_project_lines(&lines, &audit).await?;
        Ok(self.imported("projects", ImportSummary::of_file(lines.len(), &table, progress)))
    }

    /// Adds or replaces one project of the library (the form and the API).
    pub async fn save_project(&self, caller: &Caller, project: &Project) -> Result<()> {
        check_project_code(&project.code).map_err(ServiceError::BadRequest)?;
        if let Some(old) = self.store.project(&project.code).await? {
            self.authorize(caller, Action::WriteProjects, Target::Zone(&old.zone))?;
        }
        self.authorize(caller, Action::WriteProjects, Target::Zone(&project.zone))?;
        if let Some(u) = &project.investor_uscc
            && self.store.enterprise(u).await?.is_none()
        {
            return Err(ServiceError::NotFound(format!("企业名录中没有 {u} / the investor is not in the registry")));
        }
        let audit =
            caller.audit("project.save", "project", &project.code).after(serde_json::to_string(project).unwrap_or_default());
        self.store.save_project_lines(&[ProjectLine::Project(Box::new(project.clone()))], &audit).await?;
        Ok(())
    }

    /// A zone's project reports of a month: its state in the workflow.
    async fn project_month_state(&self, top_zone: &str, month: Month) -> Result<SubmissionState> {
        let period = i64::from(month.yyyymm());
        Ok(self
            .workflow_states(PROJECT_MONTH, period, period)
            .await?
            .remove(&(top_zone.to_string(), period))
            .unwrap_or(SubmissionState::Draft))
    }

    /// Records a project's month: investment completed (万元, exact to 0.01) and 形象进度.
    pub async fn report_project_month(
        &self,
        caller: &Caller,
        code: &str,
        month: Month,
        investment: i64,
        note: &str,
    ) -> Result<()> {
        let project = self.visible_project(caller, code).await?;
        self.authorize(caller, Action::ReportProjects, Target::Zone(&project.zone))?;
        self.plan.check_data_month(month, self.clock.current_month()).map_err(ServiceError::BadRequest)?;
        let top = self.plan.top_zone(&project.zone).to_string();
        let state = self.project_month_state(&top, month).await?;
        if !state.editable() {
            return Err(ServiceError::Conflict(format!(
                "{top} {month} 的项目月报{},不能再修改 / those reports are {}",
                state.zh(),
                state.code()
            )));
        }
        if investment < 0 {
            return Err(ServiceError::BadRequest("本月完成投资不能为负 / investment cannot be negative".into()));
        }
        let line = ProjectLine::Report(domain::projects::ReportLine {
            code: code.to_string(),
            month,
            investment,
            progress_note: note.trim().to_string(),
        });
        let audit = caller
            .audit("project.report", "project", &format!("{code}/{month}"))
            .after(serde_json::json!({ "investment": wan(investment), "progress_note": note.trim() }).to_string());
        self.store.save_project_lines(&[line], &audit).await?;
        Ok(())
    }

    /// Takes a workflow step on a zone's project reports of a month.
    pub async fn project_month_step(
        &self,
        caller: &Caller,
        zone: &str,
        month: Month,
        step: Step,
        reason: &str,
    ) -> Result<SubmissionState> {
        self.zone_month_step(caller, PROJECT_MONTH, zone, month, step, reason).await
    }

    /// Raises a problem in a project's month, owned by a department.
    pub async fn add_problem(
        &self,
        caller: &Caller,
        code: &str,
        month: Month,
        description: &str,
        department: &str,
        due: Date,
    ) -> Result<i64> {
        let project = self.visible_project(caller, code).await?;
        self.authorize(caller, Action::ReportProjects, Target::Zone(&project.zone))?;
        let description = description.trim();
        if description.is_empty() || description.chars().count() > 500 {
            return Err(ServiceError::BadRequest("问题描述应为1-500字 / the description takes 1-500 characters".into()));
        }
        if !self.plan.departments.iter().any(|d| d.code == department) {
            return Err(ServiceError::BadRequest(format!("未知部门“{}” / unknown department", domain::shorten(department))));
        }
        let audit = caller.audit("project.problem.add", "project", code).after(
            serde_json::json!({ "month": month, "description": description, "department": department, "due": due.to_string() })
                .to_string(),
        );
        Ok(self.store.add_problem(code, month, description, department, due, &audit).await?)
    }

    /// Moves a problem on (协调中, 已解决 with its resolution); only its department or the
    /// coordinator may.
    pub async fn update_problem(&self, caller: &Caller, id: i64, status: ProblemStatus, resolution: &str) -> Result<()> {
        let not_found = || ServiceError::NotFound(format!("没有问题 {id} / no such problem"));
        let (code, problem) = self.store.problem(id).await?.ok_or_else(not_found)?;
        self.visible_project(caller, &code).await.map_err(|_| not_found())?;
        self.authorize(caller, Action::ResolveProjectItems, Target::Department(&problem.department))?;
        let resolution = resolution.trim();
        if status == ProblemStatus::Resolved && resolution.is_empty() {
            return Err(ServiceError::BadRequest("解决问题须写明办理结果 / say how it was resolved".into()));
        }
        if problem.status == status {
            return Err(ServiceError::Conflict(format!("问题已是“{}” / already {}", status.zh(), status.code())));
        }
        let resolved_on = (status == ProblemStatus::Resolved).then(|| self.clock.today());
        let audit = caller
            .audit("project.problem.update", "project_problem", &id.to_string())
            .before(serde_json::json!({ "status": problem.status }).to_string())
            .after(serde_json::json!({ "status": status, "resolution": resolution }).to_string());
        self.store.update_problem(id, problem.status, status, resolution, resolved_on, &audit).await?;
        Ok(())
    }

    /// Records a requirement done on a date (or not done, with `None`); only its department or
    /// the coordinator may.
    pub async fn set_requirement_done(
        &self,
        caller: &Caller,
        code: &str,
        kind: RequirementKind,
        done: Option<Date>,
    ) -> Result<()> {
        self.visible_project(caller, code).await?;
        let reqs = self.store.project_requirements(Some(code)).await?.remove(code).unwrap_or_default();
        let req = reqs
            .iter()
            .find(|r| r.kind == kind)
            .ok_or_else(|| ServiceError::NotFound(format!("项目 {code} 没有要件“{}” / no such requirement", kind.zh())))?;
        self.authorize(caller, Action::ResolveProjectItems, Target::Department(&req.department))?;
        if done.is_some_and(|d| d > self.clock.today()) {
            return Err(ServiceError::BadRequest("办结日期不能晚于今天 / the date cannot be in the future".into()));
        }
        let audit = caller
            .audit("project.requirement", "project", &format!("{code}/{}", kind.code()))
            .before(serde_json::json!({ "done": req.done.map(|d| d.to_string()) }).to_string())
            .after(serde_json::json!({ "done": done.map(|d| d.to_string()) }).to_string());
        self.store.set_requirement_done(code, kind, done, &audit).await?;
        Ok(())
    }

    /// Stores a site photo of a project's month, checked by decoding it, with its thumbnail.
    pub async fn add_photo(&self, caller: &Caller, code: &str, month: Month, file_name: &str, bytes: Vec<u8>) -> Result<i64> {
        let project = self.visible_project(caller, code).await?;
        self.authorize(caller, Action::ReportProjects, Target::Zone(&project.zone))?;
        let (photo, bytes) = tokio::task::spawn_blocking(move || (files::check_photo(&bytes), bytes))
            .await
            .map_err(|e| ServiceError::Internal(format!("the photo check stopped: {e}")))?;
        let photo = photo.map_err(ServiceError::BadRequest)?;
        let name: String = file_name.chars().filter(|c| !c.is_control() && !matches!(c, '/' | '\\')).take(100).collect();
        let audit = caller
            .audit("project.photo", "project", &format!("{code}/{month}"))
            .after(serde_json::json!({ "file": name, "bytes": bytes.len() }).to_string());
        Ok(self.store.add_photo(code, month, &name, photo.content_type, &bytes, &photo.thumbnail, &audit).await?)
    }

    /// A photo's project, type and bytes (or its thumbnail), if the caller may see the project.
    pub async fn photo(&self, caller: &Caller, id: i64, thumbnail: bool) -> Result<(String, String, Vec<u8>)> {
        let not_found = || ServiceError::NotFound(format!("没有照片 {id} / no such photo"));
        let (info, bytes) = self.store.photo(id, thumbnail).await?.ok_or_else(not_found)?;
        self.visible_project(caller, &info.code).await.map_err(|_| not_found())?;
        Ok((info.code, if thumbnail { "image/jpeg".to_string() } else { info.content_type }, bytes))
    }

    /// The state of each visible top-level zone's project reports for a month.
    pub async fn project_month_states(&self, caller: &Caller, month: Month) -> Result<Vec<(ZoneCode, SubmissionState)>> {
        self.require_some(caller, Action::ReadProjects)?;
        let period = i64::from(month.yyyymm());
        let states = self.workflow_states(PROJECT_MONTH, period, period).await?;
        Ok(self
            .plan
            .top_zones()
            .filter(|z| caller.actor.authorize(&self.plan, Action::ReadProjects, Target::Zone(&z.code)).is_ok())
            .map(|z| (z.code.clone(), states.get(&(z.code.to_string(), period)).copied().unwrap_or(SubmissionState::Draft)))
            .collect())
    }
}

/// The four project files as the caller may see them, in their import shape (a download can be
/// edited and imported again).
#[derive(Debug, Clone, Default)]
pub struct ProjectFiles {
    pub projects: Vec<Project>,
    pub plans: Vec<domain::projects::PlanLine>,
    pub reports: Vec<domain::projects::ReportLine>,
    pub requirements: Vec<(String, Requirement)>,
}

impl App {
    pub async fn project_files(&self, caller: &Caller) -> Result<ProjectFiles> {
        let projects = self.projects(caller).await?;
        let visible: std::collections::HashSet<&str> = projects.iter().map(|p| p.code.as_str()).collect();
        let plans = self
            .store
            .all_project_plans()
            .await?
            .into_iter()
            .filter(|(c, _, _)| visible.contains(c.as_str()))
            .map(|(code, year, planned)| domain::projects::PlanLine { code, year, planned })
            .collect();
        let reports = self
            .store
            .all_project_reports()
            .await?
            .into_iter()
            .filter(|r| visible.contains(r.code.as_str()))
            .map(|r| domain::projects::ReportLine {
                code: r.code,
                month: r.month,
                investment: r.investment,
                progress_note: r.progress_note,
            })
            .collect();
        let mut requirements: Vec<(String, Requirement)> = self
            .store
            .project_requirements(None)
            .await?
            .into_iter()
            .filter(|(c, _)| visible.contains(c.as_str()))
            .flat_map(|(c, list)| list.into_iter().map(move |r| (c.clone(), r)))
            .collect();
        requirements.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.planned.cmp(&b.1.planned)));
        Ok(ProjectFiles { projects, plans, reports, requirements })
    }
}

fn photo_row(p: PhotoInfo) -> PhotoRow {
    PhotoRow { id: p.id, month: p.month, file_name: p.file_name, author: p.author }
}

/// Reports with their cumulative figures: over the year, and since the first report.
fn report_rows(reports: &[ProjectReport]) -> Vec<ReportRow> {
    let mut total = 0i64;
    let mut year = (0, 0i64);
    reports
        .iter()
        .map(|r| {
            total += r.investment;
            if year.0 != r.month.year() {
                year = (r.month.year(), 0);
            }
            year.1 += r.investment;
            ReportRow {
                month: r.month,
                investment: wan(r.investment),
                cumulative_year: wan(year.1),
                cumulative_total: wan(total),
                progress_note: r.progress_note.clone(),
            }
        })
        .collect()
}

impl App {
    /// The projects an enterprise invests in that the caller may see (code, name, status,
    /// total investment in 万元).
    pub async fn enterprise_projects(&self, caller: &Caller, uscc: &str) -> Result<Vec<(String, String, &'static str, f64)>> {
        Ok(self
            .store
            .projects(&[])
            .await?
            .into_iter()
            .filter(|p| p.investor_uscc.as_ref().is_some_and(|u| u.as_str() == uscc))
            .filter(|p| caller.actor.authorize(&self.plan, Action::ReadProjects, Target::Zone(&p.zone)).is_ok())
            .map(|p| (p.code, p.name, p.status.zh(), p.total_investment as f64 / 100.0))
            .collect())
    }
}
