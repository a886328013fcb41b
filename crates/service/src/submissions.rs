//! The monthly submission workflow: zones submit, the coordinator approves, returns and locks;
//! locked months change only through an approved correction. Official figures count only
//! approved and locked months.

use std::collections::HashMap;

use domain::Month;
use domain::authz::{Action, Target};
use domain::submission::{Step, SubmissionState, is_late};
use serde::Serialize;

use domain::ZoneCode;
use store::{StateChange, ZONE_MONTH};

use crate::workflow::{Subject, entity};
use crate::{App, Caller, Result, ServiceError};

/// Which months progress figures include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Figures {
    /// Approved and locked months only.
    #[default]
    Official,
    /// Everything reported, drafts included.
    Provisional,
}

/// One zone-month on the board.
#[derive(Debug, Clone, Serialize)]
pub struct BoardCell {
    pub zone: String,
    pub month: String,
    pub state: SubmissionState,
    pub reason: String,
    pub deadline: String,
    pub late: bool,
    /// The month's kept review flags by status (审核提示).
    pub flags: FlagTally,
}

/// A zone-month's kept review flags, counted by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FlagTally {
    pub blocking: u64,
    pub unexplained: u64,
    pub explained: u64,
    pub accepted: u64,
    pub returned: u64,
}

impl FlagTally {
    fn slot(&mut self, status: domain::review::FlagStatus) -> &mut u64 {
        use domain::review::FlagStatus as F;
        match status {
            F::Blocking => &mut self.blocking,
            F::Unexplained => &mut self.unexplained,
            F::Explained => &mut self.explained,
            F::Accepted => &mut self.accepted,
            F::Returned => &mut self.returned,
        }
    }

    pub fn add(&mut self, status: domain::review::FlagStatus, n: u64) {
        *self.slot(status) += n;
    }

    pub fn count(&self, status: domain::review::FlagStatus) -> u64 {
        // A copy: one match serves reading and counting.
        let mut copy = *self;
        *copy.slot(status)
    }

    pub fn total(&self) -> u64 {
        domain::review::FlagStatus::ALL.iter().map(|s| self.count(*s)).sum()
    }
}

/// (top-level zone, yyyymm) → state; absent means draft.
pub type States = HashMap<(String, i32), SubmissionState>;

impl App {
    pub(crate) async fn states(&self, from: Month, to: Month) -> Result<States> {
        let recorded = self.workflow_states(ZONE_MONTH, from.yyyymm().into(), to.yyyymm().into()).await?;
        Ok(recorded.into_iter().map(|((zone, period), state)| ((zone, period as i32), state)).collect())
    }

    pub(crate) fn top_zone_code(&self, zone: &str) -> Result<ZoneCode> {
        match self.plan.resolve_zone(zone) {
            Some(z) if z.parent.is_none() => Ok(z.code.clone()),
            Some(z) => Ok(self.plan.zone(self.plan.top_zone(&z.code)).expect("a zone's top is in the plan").code.clone()),
            None => Err(ServiceError::NotFound(format!("未知组团“{}” / unknown zone", domain::shorten(zone)))),
        }
    }

    /// Takes one workflow step on a zone's month; returns the new state.
    pub async fn submission_step(
        &self,
        caller: &Caller,
        zone: &str,
        month: Month,
        step: Step,
        reason: &str,
    ) -> Result<SubmissionState> {
        self.zone_month_step(caller, ZONE_MONTH, zone, month, step, reason).await
    }

    /// A step on something a zone submits month by month — its statistics (`ZONE_MONTH`) or its
    /// project reports (`PROJECT_MONTH`): submitting and asking to correct are the zone's own
    /// acts, the rest the reviewer's; a month not yet begun or before the plan has nothing to act on.
    pub(crate) async fn zone_month_step(
        &self,
        caller: &Caller,
        kind: &'static str,
        zone: &str,
        month: Month,
        step: Step,
        reason: &str,
    ) -> Result<SubmissionState> {
        let zone = self.top_zone_code(zone)?;
        if step.by_zone() {
            self.authorize(caller, Action::SubmitMonth, Target::Zone(&zone))?;
        } else {
            self.require(caller, Action::ReviewSubmissions)?;
        }
        self.plan.check_data_month(month, self.clock.current_month()).map_err(ServiceError::NotFound)?;
        if kind == ZONE_MONTH {
            self.review_gate(&zone, month, step).await?;
        }
        let label = format!("{zone}/{month}");
        let subject = Subject { kind, scope: &zone, period: month.yyyymm().into(), label: &label };
        self.workflow_step(caller, subject, step, reason).await
    }

    /// Closes history in bulk, as the operator does after loading past years: every zone-month
    /// with facts through `through` (of one top-level zone, or all) becomes `to` — approved
    /// (from draft, submitted or returned) or locked (from any state but a pending correction).
    /// Each change is audited like the step it stands for. Returns the months changed.
    pub async fn close_months(
        &self,
        caller: &Caller,
        through: Month,
        zone: Option<&str>,
        to: SubmissionState,
        reason: &str,
    ) -> Result<Vec<(ZoneCode, Month, SubmissionState)>> {
        self.require(caller, Action::ReviewSubmissions)?;
        let only = zone.map(|z| self.top_zone_code(z)).transpose()?;
        let closes = |from: SubmissionState| match to {
            SubmissionState::Approved => {
                matches!(from, SubmissionState::Draft | SubmissionState::Submitted | SubmissionState::Returned)
            }
            SubmissionState::Locked => !matches!(from, SubmissionState::Locked | SubmissionState::CorrectionRequested),
            _ => false,
        };
        if !matches!(to, SubmissionState::Approved | SubmissionState::Locked) {
            return Err(ServiceError::BadRequest("只能批量审核通过或锁定 / only approve or lock in bulk".into()));
        }
        let reported: std::collections::BTreeSet<(ZoneCode, Month)> = self
            .store
            .months_with_facts(through)
            .await?
            .into_iter()
            .map(|(z, m)| Ok((self.top_zone_code(&z)?, m)))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|(z, _)| only.as_ref().is_none_or(|o| o == z))
            .collect();
        let first = reported.iter().map(|(_, m)| *m).min();
        let states = match first {
            Some(first) => self.states(first, through).await?,
            None => States::new(),
        };
        let action = if to == SubmissionState::Locked { "submission.lock" } else { "submission.approve" };
        let mut changes = Vec::new();
        let mut audits = Vec::new();
        for (z, m) in reported {
            let from = states.get(&(z.to_string(), m.yyyymm())).copied().unwrap_or(SubmissionState::Draft);
            if !closes(from) {
                continue;
            }
            let mut audit = caller
                .audit(action, entity(ZONE_MONTH), &format!("{z}/{m}"))
                .before(serde_json::json!({ "state": from }).to_string())
                .after(serde_json::json!({ "state": to, "bulk": true }).to_string());
            audit.reason = reason.to_string();
            audits.push(audit);
            changes.push((z, m, from));
        }
        let rows: Vec<StateChange> = changes
            .iter()
            .map(|(z, m, from)| StateChange { scope: z.to_string(), period: m.yyyymm().into(), from: *from })
            .collect();
        self.store.step_states(ZONE_MONTH, &rows, to, &audits, &[]).await?;
        Ok(changes)
    }

    /// Zone-months with facts through `through` that do not count in official figures yet.
    pub async fn provisional_months(&self, caller: &Caller, through: Month) -> Result<usize> {
        self.require(caller, Action::ReadAggregates)?;
        let reported = self.store.months_with_facts(through).await?;
        let Some(first) = reported.iter().map(|(_, m)| *m).min() else { return Ok(0) };
        let states = self.states(first, through).await?;
        let tops: std::collections::BTreeSet<(String, i32)> =
            reported.into_iter().map(|(z, m)| (self.plan.top_zone(&z).to_string(), m.yyyymm())).collect();
        Ok(tops.into_iter().filter(|k| !states.get(k).is_some_and(|s| s.official())).count())
    }

    /// Every top-level zone's months of a year up to the last finished month.
    pub async fn submission_board(&self, caller: &Caller, year: i32) -> Result<Vec<BoardCell>> {
        self.require(caller, Action::ReadAggregates)?;
        let today = self.clock.today();
        let calendar = self.plan.working_calendar();
        let (from, to) = crate::year_months(year)?;
        // One read: each recorded zone-month's state and reason; the rest are drafts.
        let recorded: HashMap<(String, i64), (SubmissionState, String)> = self
            .store
            .workflow_states(ZONE_MONTH, from.yyyymm().into(), to.yyyymm().into())
            .await?
            .into_iter()
            .map(|r| ((r.scope, r.period), (r.state, r.reason)))
            .collect();
        let mut tallies: HashMap<(String, Month), FlagTally> = HashMap::new();
        for c in self.store.review_flag_counts(from, to).await? {
            tallies.entry((c.zone, c.month)).or_default().add(c.status, c.count);
        }
        let this_month = Month::new(today.year, today.month).expect("valid date");
        let mut out = Vec::new();
        for z in self.plan.top_zones() {
            let mut m = from;
            while m <= to && m < this_month {
                let (state, reason) = recorded
                    .get(&(z.code.to_string(), m.yyyymm().into()))
                    .cloned()
                    .unwrap_or((SubmissionState::Draft, String::new()));
                let due = self.plan.submission_deadline.due(m, &calendar);
                out.push(BoardCell {
                    zone: z.code.to_string(),
                    month: m.to_string(),
                    state,
                    reason,
                    deadline: due.to_string(),
                    late: is_late(state, due, today),
                    flags: tallies.get(&(z.code.to_string(), m)).copied().unwrap_or_default(),
                });
                m = m.next();
            }
        }
        Ok(out)
    }

    /// What a zone user has to do: months returned to them, and months past their deadline.
    pub async fn reminders(&self, caller: &Caller, year: i32) -> Result<Vec<BoardCell>> {
        let Some(zone) = caller.actor.scope.clone().filter(|_| caller.actor.role == domain::authz::Role::Zone) else {
            return Ok(Vec::new());
        };
        Ok(self
            .submission_board(caller, year)
            .await?
            .into_iter()
            .filter(|c| c.zone == zone && (c.late || c.state == SubmissionState::Returned))
            .collect())
    }
}
