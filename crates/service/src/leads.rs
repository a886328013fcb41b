//! Investment attraction (M4): the leads file, the pipeline by stage, the "152" tally of the
//! region and of each zone with the funnel ratios, and turning a signed lead into a project.

use std::collections::HashMap;
use std::path::Path;

use domain::authz::{Action, Target};
use domain::leads::{Lead, Stage, Tally, tally};
use domain::projects::{Project, ProjectKind, ProjectStatus, check_project_code};
use domain::{Month, ZoneCode};
use files::{LeadColumns, RowErrors, Table};
use serde::Serialize;

use crate::import::{DENIED_SHOWN, ImportSummary, Progress, file_name, forbidden_rows, parse_rows, row_error};
use crate::{App, Caller, Result, ServiceError};

/// The pipeline of a year: leads at each stage, the tallies and the funnel.
#[derive(Debug, Clone, Serialize)]
pub struct Pipeline {
    pub year: i32,
    pub stages: Vec<StageCount>,
    /// The region's "152" tally of the leads signed in the year.
    pub region: Tally,
    pub zones: Vec<ZoneTally>,
    /// Of the leads signed in the year: how many have started, and the funds in place against
    /// the amounts signed (%).
    pub signed: usize,
    pub signed_started: usize,
    pub signed_to_started_pct: Option<f64>,
    pub funds_in_place_pct: Option<f64>,
    pub leads: Vec<Lead>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageCount {
    pub stage: Stage,
    pub name: &'static str,
    pub count: usize,
    /// 万元.
    pub amount: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ZoneTally {
    pub zone: ZoneCode,
    pub tally: Tally,
}

impl App {
    /// May the caller change this lead: the coordinator, its owning department, or its zone.
    fn may_write_lead(&self, caller: &Caller, lead: &Lead) -> Result<()> {
        let as_department = self.authorize(caller, Action::WriteLeads, Target::Department(&lead.owner));
        as_department.or_else(|_| self.authorize(caller, Action::WriteLeads, Target::Zone(&lead.zone)))
    }

    /// The leads the caller may see (a zone its own zone's).
    pub async fn leads(&self, caller: &Caller) -> Result<Vec<Lead>> {
        self.require_some(caller, Action::ReadProjects)?;
        let all = self.store.leads().await?;
        Ok(all
            .into_iter()
            .filter(|l| caller.actor.authorize(&self.plan, Action::ReadProjects, Target::Zone(&l.zone)).is_ok())
            .collect())
    }

    /// The year's pipeline of the leads the caller may see.
    pub async fn pipeline(&self, caller: &Caller, year: i32) -> Result<Pipeline> {
        let leads = self.leads(caller).await?;
        let visible = |z: &ZoneCode| caller.actor.authorize(&self.plan, Action::ReadProjects, Target::Zone(z)).is_ok();
        Ok(self.pipeline_of(leads, year, &visible))
    }

    /// The pipeline of these leads, with the tallies of the zones `visible` keeps.
    pub(crate) fn pipeline_of(&self, leads: Vec<Lead>, year: i32, visible: &dyn Fn(&ZoneCode) -> bool) -> Pipeline {
        let stages = Stage::ALL
            .iter()
            .map(|s| {
                let at: Vec<&Lead> = leads.iter().filter(|l| l.stage == *s).collect();
                StageCount {
                    stage: *s,
                    name: s.zh(),
                    count: at.len(),
                    amount: at.iter().map(|l| l.amount).sum::<i64>() as f64 / 100.0,
                }
            })
            .collect();
        let signed: Vec<&Lead> = leads.iter().filter(|l| l.signed_year() == Some(year)).collect();
        let wan = |l: &&Lead| l.amount / 100;
        let region = tally(&signed.iter().map(wan).collect::<Vec<_>>(), &self.plan.leads.region);
        let zones = self
            .plan
            .top_zones()
            .filter(|z| visible(&z.code))
            .map(|z| {
                let amounts: Vec<i64> =
                    signed.iter().filter(|l| self.plan.top_zone(&l.zone) == z.code.as_str()).map(wan).collect();
                ZoneTally { zone: z.code.clone(), tally: tally(&amounts, &self.plan.leads.zone) }
            })
            .collect();
        let started = signed.iter().filter(|l| l.stage >= Stage::Started).count();
        let amount: i64 = signed.iter().map(|l| l.amount).sum();
        let funds: i64 = signed.iter().map(|l| l.funds_in_place).sum();
        let pct = |a: f64, b: f64| (b > 0.0).then(|| (a / b * 1000.0).round() / 10.0);
        Pipeline {
            year,
            stages,
            region,
            zones,
            signed: signed.len(),
            signed_started: started,
            signed_to_started_pct: pct(started as f64, signed.len() as f64),
            funds_in_place_pct: pct(funds as f64, amount as f64),
            leads,
        }
    }

    /// Imports the leads file, all or nothing.
    pub async fn import_leads(&self, caller: &Caller, path: &Path, progress: Progress<'_>) -> Result<ImportSummary> {
        self.require_some(caller, Action::WriteLeads)?;
        let known: HashMap<String, Lead> = self.store.leads().await?.into_iter().map(|l| (l.code.clone(), l)).collect();
        let projects = self.store.project_zones().await?;
        let mut table = Table::open_with(path, &self.limits)?;
        let columns = LeadColumns::map(&mut table)?;
        let file = table.file.clone();
        let mut errors = RowErrors::new(self.limits.max_errors);
        let mut denied = RowErrors::new(DENIED_SHOWN);
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut leads = Vec::new();
        let row_error = |row: usize, column: &str, value: &str, reason: String| row_error(&file, row, column, value, reason);
        let parsed = parse_rows(&mut table, &mut errors, |row, cells| columns.parse(&self.plan, &file, row, cells));
        for (row, lead) in parsed {
            // Both the lead as it is stored and as the file has it must be the caller's.
            for l in [known.get(&lead.code), Some(&lead)].into_iter().flatten() {
                if let Err(e) = self.may_write_lead(caller, l) {
                    denied.push(row_error(row, "责任单位", &l.owner, e.to_string()));
                    break;
                }
            }
            if let Some(p) = &lead.project
                && !projects.contains_key(p)
            {
                errors.push(row_error(row, "项目编号", p, "项目库中没有此项目 / not in the project library".into()));
            }
            if let Some(first) = seen.insert(lead.code.clone(), row) {
                errors.push(row_error(row, "线索编号", &lead.code, format!("与第{first}行重复 / duplicates row {first}")));
            }
            leads.push(lead);
        }
        if !denied.is_empty() {
            return Err(forbidden_rows(&denied));
        }
        if !errors.is_empty() {
            errors.sort();
            return Err(ServiceError::Rows(errors));
        }
        let audit =
            caller.audit("import.leads", "leads", &file_name(path)).after(serde_json::json!({ "rows": leads.len() }).to_string());
        self.store.save_leads(&leads, &audit).await?;
        Ok(self.imported("leads", ImportSummary::of_file(leads.len(), &table, progress)))
    }

    /// Turns a signed lead into a project of the library under `project_code`, keeping the link:
    /// its zone, industry and amount, status 签约, start planned for the month after signing.
    pub async fn convert_lead(&self, caller: &Caller, code: &str, project_code: &str) -> Result<Project> {
        let not_found = || ServiceError::NotFound(format!("没有编号为“{}”的线索 / no such lead", domain::shorten(code)));
        let lead = self.store.lead(code).await?.ok_or_else(not_found)?;
        if caller.actor.authorize(&self.plan, Action::ReadProjects, Target::Zone(&lead.zone)).is_err() {
            return Err(not_found());
        }
        self.may_write_lead(caller, &lead)?;
        self.authorize(caller, Action::WriteProjects, Target::Zone(&lead.zone))?;
        check_project_code(project_code).map_err(ServiceError::BadRequest)?;
        let Some(signed) = lead.dates.get(&Stage::Signed) else {
            return Err(ServiceError::Conflict(format!(
                "线索尚在“{}”阶段,签约后才能转为项目 / only a signed lead becomes a project",
                lead.stage.zh()
            )));
        };
        if let Some(p) = &lead.project {
            return Err(ServiceError::Conflict(format!("线索已转为项目 {p} / already project {p}")));
        }
        let start = Month::new(signed.year, signed.month).map(Month::next);
        let project = Project {
            code: project_code.to_string(),
            name: lead.name.clone(),
            investor_uscc: None,
            zone: lead.zone.clone(),
            industry: lead.industry.clone(),
            kind: ProjectKind::New,
            provincial_key: false,
            provincial_major: false,
            provincial_300: false,
            total_investment: lead.amount,
            status: ProjectStatus::Signed,
            planned_start: start,
            actual_start: None,
            planned_completion: None,
            actual_completion: None,
        };
        let audit = caller.audit("lead.convert", "lead", code).after(serde_json::json!({ "project": project_code }).to_string());
        self.store.convert_lead(code, &project, &audit).await?;
        Ok(project)
    }
}
