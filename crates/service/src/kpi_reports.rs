//! Headline KPIs that no module computes, entered by the organisation that owns each once a
//! period (value, note, evidence), due as a month's figures are after the period ends: who has
//! reported, who is late, and the reminders before the day.

use domain::authz::{Action, Role, Target};
use domain::calendar::Date;
use domain::inbox::{Notice, NoticeKind, Recipients};
use domain::kpi::{Comparison, Kpi, KpiSource, KpiUpdate, ReportEvery};
use serde::Serialize;

use crate::tickets::TEXT_MAX;
use crate::{App, Caller, Result, ServiceError, Upload};

/// A reported KPI and where its reporting stands today.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedKpi {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub target: f64,
    pub comparison: Comparison,
    pub owner: String,
    pub owner_name: String,
    pub every: ReportEvery,
    /// The newest update (of the latest period reported), and all of them, newest first.
    pub latest: Option<KpiUpdate>,
    pub history: Vec<KpiUpdate>,
    /// The last period that has ended, and the day its value is due.
    pub due_period: String,
    pub due: Date,
    /// Whether that period (or a later one) has been reported.
    pub reported: bool,
    /// Past the due day and not reported.
    pub late: bool,
    /// Whether the caller may report it.
    pub may_report: bool,
}

/// A period's value as entered.
#[derive(Debug, Clone)]
pub struct KpiReport {
    pub period: String,
    pub value: String,
    pub note: String,
    pub evidence: Option<Upload>,
}

/// A reported KPI's owner is reminded this many working days before its value is due.
const REMINDER_DAYS: u32 = 2;

impl App {
    fn owner_target<'a>(&self, owner: &'a str) -> Target<'a> {
        if self.plan.departments.iter().any(|d| d.code == owner) { Target::Department(owner) } else { Target::Zone(owner) }
    }

    fn owner_recipients(&self, owner: &str) -> Recipients {
        let role = if self.plan.departments.iter().any(|d| d.code == owner) { Role::Department } else { Role::Zone };
        Recipients::Scoped(role, owner.to_string())
    }

    /// The KPIs of the plan entered by their owners.
    fn reported_sources(&self) -> impl Iterator<Item = (&Kpi, &str, ReportEvery)> {
        self.plan.kpis.iter().filter_map(|k| match &k.actual {
            KpiSource::Reported { owner, every } => Some((k, owner.as_str(), *every)),
            _ => None,
        })
    }

    /// Every reported KPI with its updates and its standing today.
    pub async fn reported_kpis(&self, caller: &Caller) -> Result<Vec<ReportedKpi>> {
        self.require(caller, Action::ReadAggregates)?;
        let updates = self.store.kpi_updates().await?;
        let mut standing = self.reported_standing(&updates);
        for k in &mut standing {
            k.may_report = caller.actor.authorize(&self.plan, Action::ReportKpi, self.owner_target(&k.owner)).is_ok();
        }
        Ok(standing)
    }

    /// Where each reported KPI stands today, from its updates (`may_report` left false).
    pub(crate) fn reported_standing(&self, updates: &[KpiUpdate]) -> Vec<ReportedKpi> {
        let (calendar, today, now) = (self.plan.working_calendar(), self.clock.today(), self.clock.current_month());
        self.reported_sources()
            .map(|(k, owner, every)| {
                let history: Vec<KpiUpdate> = updates.iter().filter(|u| u.kpi == k.code).cloned().collect();
                // The newest update of the latest period reported.
                let latest = history.iter().max_by_key(|u| (u.period_end, u.n)).cloned();
                let ended = every.last_ended(now);
                let due = self.plan.submission_deadline.due(ended, &calendar);
                let reported = latest.as_ref().is_some_and(|u| u.period_end >= ended);
                ReportedKpi {
                    code: k.code.clone(),
                    name: k.name.clone(),
                    unit: k.unit.clone(),
                    target: k.target,
                    comparison: k.comparison,
                    owner: owner.to_string(),
                    owner_name: self.plan.organisation_name(owner),
                    every,
                    latest,
                    history,
                    due_period: every.label(ended),
                    due,
                    reported,
                    late: !reported && today > due,
                    may_report: false,
                }
            })
            .collect()
    }

    /// Enters a period's value of a KPI the caller's organisation owns, with a note and an
    /// optional evidence file. A period entered again keeps the earlier entry in the history.
    pub async fn report_kpi(&self, caller: &Caller, code: &str, report: KpiReport) -> Result<KpiUpdate> {
        let not_found =
            || ServiceError::NotFound(format!("没有由单位填报的主要目标“{}” / no such reported KPI", domain::shorten(code)));
        let (kpi, owner, every) = self.reported_sources().find(|(k, _, _)| k.code == code).ok_or_else(not_found)?;
        self.authorize(caller, Action::ReportKpi, self.owner_target(owner))?;
        let end = every.parse_period(&report.period).ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "期间“{}”应写作 {}(本目标{}填报) / bad period",
                domain::shorten(&report.period),
                every.label(self.clock.current_month()),
                every.zh()
            ))
        })?;
        if end >= every.period_end(self.clock.current_month()) {
            return Err(ServiceError::BadRequest(format!("{} 尚未结束,期满后填报 / the period has not ended", every.label(end))));
        }
        let value: f64 =
            report.value.trim().replace(',', "").parse().ok().filter(|v: &f64| (0.0..1e12).contains(v)).ok_or_else(|| {
                ServiceError::BadRequest(format!(
                    "数值“{}”应为不小于0的数 / not a number of 0 or more",
                    domain::shorten(&report.value)
                ))
            })?;
        let note = report.note.trim();
        if note.chars().count() > TEXT_MAX {
            return Err(ServiceError::BadRequest(format!("说明不超过{TEXT_MAX}字 / at most {TEXT_MAX} characters")));
        }
        let evidence = match report.evidence {
            Some(u) => {
                let content_type = files::check_attachment(&u.file_name, &u.bytes, self.plan.services.max_attachment_mb << 20)
                    .map_err(ServiceError::BadRequest)?;
                Some(store::NewFile { file_name: u.file_name, content_type: content_type.into(), bytes: u.bytes })
            }
            None => None,
        };
        let update = KpiUpdate {
            kpi: kpi.code.clone(),
            n: 0,
            period: every.label(end),
            period_end: end,
            value,
            note: note.to_string(),
            file_name: evidence.as_ref().map(|f| f.file_name.clone()),
            by: caller.actor.login.clone(),
            by_name: caller.actor.name.clone(),
            at: self.clock.now(),
        };
        let audit = caller.audit("kpi.report", "kpi", &kpi.code).after(
            serde_json::json!({ "period": update.period, "value": value, "note": domain::shorten(note), "evidence": update.file_name })
                .to_string(),
        );
        let n = self.store.add_kpi_update(&update, evidence.as_ref(), &audit).await?;
        Ok(KpiUpdate { n, ..update })
    }

    /// An update's evidence, for whoever reads the region's figures.
    pub async fn kpi_evidence(&self, caller: &Caller, code: &str, n: i64) -> Result<(String, String, Vec<u8>)> {
        self.require(caller, Action::ReadAggregates)?;
        self.store
            .kpi_evidence(code, n)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("没有此佐证材料 / no such evidence ({}#{n})", domain::shorten(code))))
    }

    /// The reminders of reported KPIs: the owner of each not yet reported, within two working
    /// days of its due day, and once late.
    pub(crate) async fn kpi_reminders(&self) -> Result<Vec<Notice>> {
        let updates = self.store.kpi_updates().await?;
        let calendar = self.plan.working_calendar();
        let today = self.clock.today();
        Ok(self
            .reported_standing(&updates)
            .into_iter()
            .filter(|k| !k.reported)
            .filter_map(|k| {
                let (key, title) = if k.late {
                    (
                        format!("kpi:late:{}:{}", k.code, k.due_period),
                        format!("主要目标“{}”{}的数值已逾期未报(应于 {} 前填报)", k.name, k.due_period, k.due),
                    )
                } else if calendar.working_days_between(today, k.due) <= REMINDER_DAYS {
                    (
                        format!("kpi:due:{}:{}", k.code, k.due_period),
                        format!("主要目标“{}”{}的数值应于 {} 前填报", k.name, k.due_period, k.due),
                    )
                } else {
                    return None;
                };
                Some(Notice {
                    key,
                    kind: NoticeKind::Deadline,
                    title,
                    link: "/kpis".into(),
                    to: vec![self.owner_recipients(&k.owner)],
                })
            })
            .collect())
    }
}
