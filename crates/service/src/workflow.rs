//! The review workflow (draft → submitted → approved / returned → locked, corrections) for any
//! subject: one state machine (`domain::submission`), one table (`workflow_states`), one way to
//! take a step. A module decides who may act and names its subject, scope and period; this does
//! the rest, so a zone's month, a project's monthly report and an evaluation run behave alike.

use std::collections::HashMap;

use domain::authz::Role;
use domain::inbox::{Notice, NoticeKind, Recipients};
use domain::submission::{Step, SubmissionState};
use store::StateChange;

use crate::{App, Caller, Result, ServiceError};

/// One thing under review: its subject (e.g. `store::ZONE_MONTH`), scope (a zone code, a
/// project code) and period (yyyymm, or a year).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Subject<'a> {
    pub kind: &'static str,
    pub scope: &'a str,
    pub period: i64,
    /// How the audit trail names it, e.g. `rujiang/2022-06`.
    pub label: &'a str,
}

/// (scope, period) → recorded state; absent means draft.
pub(crate) type StateMap = HashMap<(String, i64), SubmissionState>;

impl App {
    /// The recorded states of a subject kind over periods `from..=to`.
    pub(crate) async fn workflow_states(&self, kind: &str, from: i64, to: i64) -> Result<StateMap> {
        Ok(self.store.workflow_states(kind, from, to).await?.into_iter().map(|r| ((r.scope, r.period), r.state)).collect())
    }

    /// Takes one step on a subject the caller has been authorised for: the step must fit the
    /// state as it is now (else 409), carry a reason where the step needs one (else 400), and is
    /// recorded with its audit entry in one transaction. Returns the new state.
    pub(crate) async fn workflow_step(
        &self,
        caller: &Caller,
        subject: Subject<'_>,
        step: Step,
        reason: &str,
    ) -> Result<SubmissionState> {
        let reason = reason.trim();
        if step.needs_reason() && reason.is_empty() {
            return Err(ServiceError::BadRequest(format!("“{}”须填写原因 / a reason is required", step.zh())));
        }
        let from = self
            .workflow_states(subject.kind, subject.period, subject.period)
            .await?
            .remove(&(subject.scope.to_string(), subject.period))
            .unwrap_or(SubmissionState::Draft);
        let to = step.apply(from).map_err(ServiceError::Conflict)?;
        let mut audit = caller
            .audit(&format!("{}.{}", entity(subject.kind), step.code()), entity(subject.kind), subject.label)
            .before(serde_json::json!({ "state": from }).to_string())
            .after(serde_json::json!({ "state": to }).to_string());
        audit.reason = reason.to_string();
        let change = StateChange { scope: subject.scope.to_string(), period: subject.period, from };
        let notices = self.workflow_notices(subject, step, reason);
        self.store.step_states(subject.kind, &[change], to, std::slice::from_ref(&audit), &notices).await?;
        Ok(to)
    }

    /// What a step tells whom: a zone's month or project reports returned, to the zone; submitted,
    /// to the coordinators who review them. Other subjects send nothing.
    fn workflow_notices(&self, subject: Subject<'_>, step: Step, reason: &str) -> Vec<Notice> {
        let (what, link) = match subject.kind {
            store::ZONE_MONTH => ("月度数据", "/submissions"),
            crate::projects::PROJECT_MONTH => ("项目月报", "/dispatch"),
            _ => return Vec::new(),
        };
        let zone = self.plan.zone(subject.scope).map_or_else(|| subject.scope.to_string(), |z| z.name.clone());
        let month = domain::Month::from_yyyymm(subject.period as i32).map_or_else(|| subject.period.to_string(), |m| m.zh());
        let (kind, title, to) = match step {
            Step::Return => (
                NoticeKind::Returned,
                format!("{zone}{month}{what}被退回:{reason}"),
                Recipients::Scoped(Role::Zone, subject.scope.to_string()),
            ),
            Step::Submit => {
                (NoticeKind::Submitted, format!("{zone}已提交{month}{what},待审核"), Recipients::Role(Role::Coordinator))
            }
            _ => return Vec::new(),
        };
        let key = format!("{}:{}:{}:{}:{}", subject.kind, subject.scope, subject.period, step.code(), self.clock.now());
        vec![Notice { key, kind, title, link: link.into(), to: vec![to] }]
    }
}

/// The audit trail's entity for a subject kind; a zone's month is a "submission", as it always
/// has been in the trail.
pub(crate) fn entity(kind: &str) -> &str {
    if kind == store::ZONE_MONTH { "submission" } else { kind }
}
