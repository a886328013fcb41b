//! The monthly submission workflow of a zone: 填报 → 提交 → 审核通过 / 退回 → 锁定, and the
//! correction of a locked month.

use serde::Serialize;

use crate::{Month, calendar::Date};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionState {
    /// 填报: facts may be edited or imported.
    Draft,
    /// 提交: read-only for the zone, waiting for review.
    Submitted,
    /// 审核通过.
    Approved,
    /// 退回: editable again, with the reviewer's reason.
    Returned,
    /// 锁定: final; a change needs an approved correction request.
    Locked,
    /// 申请更正: a locked month whose zone asked to change it.
    CorrectionRequested,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Submit,
    Approve,
    Return,
    Lock,
    RequestCorrection,
    ApproveCorrection,
    RejectCorrection,
}

impl SubmissionState {
    pub const ALL: [SubmissionState; 6] = [
        SubmissionState::Draft,
        SubmissionState::Submitted,
        SubmissionState::Approved,
        SubmissionState::Returned,
        SubmissionState::Locked,
        SubmissionState::CorrectionRequested,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SubmissionState::Draft => "draft",
            SubmissionState::Submitted => "submitted",
            SubmissionState::Approved => "approved",
            SubmissionState::Returned => "returned",
            SubmissionState::Locked => "locked",
            SubmissionState::CorrectionRequested => "correction_requested",
        }
    }

    pub fn parse(s: &str) -> Option<SubmissionState> {
        SubmissionState::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            SubmissionState::Draft => "填报中",
            SubmissionState::Submitted => "已提交",
            SubmissionState::Approved => "审核通过",
            SubmissionState::Returned => "已退回",
            SubmissionState::Locked => "已锁定",
            SubmissionState::CorrectionRequested => "申请更正",
        }
    }

    /// Whether the zone may still change the month's facts.
    pub fn editable(self) -> bool {
        matches!(self, SubmissionState::Draft | SubmissionState::Returned)
    }

    /// Whether the month counts in official figures. A locked month with a pending correction
    /// keeps counting as it was locked until the correction is approved.
    pub fn official(self) -> bool {
        matches!(self, SubmissionState::Approved | SubmissionState::Locked | SubmissionState::CorrectionRequested)
    }
}

impl Step {
    pub const ALL: [Step; 7] = [
        Step::Submit,
        Step::RequestCorrection,
        Step::Approve,
        Step::Return,
        Step::Lock,
        Step::ApproveCorrection,
        Step::RejectCorrection,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Approve => "approve",
            Step::Return => "return",
            Step::Lock => "lock",
            Step::RequestCorrection => "request_correction",
            Step::ApproveCorrection => "approve_correction",
            Step::RejectCorrection => "reject_correction",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Step::Submit => "提交",
            Step::Approve => "审核通过",
            Step::Return => "退回",
            Step::Lock => "锁定",
            Step::RequestCorrection => "申请更正",
            Step::ApproveCorrection => "同意更正",
            Step::RejectCorrection => "驳回更正",
        }
    }

    /// Steps taken by the zone; the others are the reviewer's (the coordinator's).
    pub fn by_zone(self) -> bool {
        matches!(self, Step::Submit | Step::RequestCorrection)
    }

    /// Steps that must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Step::Return | Step::RequestCorrection | Step::RejectCorrection)
    }

    /// The state a step leads to from `from`, or why it cannot be taken.
    pub fn apply(self, from: SubmissionState) -> Result<SubmissionState, String> {
        use SubmissionState as S;
        let to = match (self, from) {
            (Step::Submit, S::Draft | S::Returned) => S::Submitted,
            (Step::Approve, S::Submitted) => S::Approved,
            (Step::Return, S::Submitted | S::Approved) => S::Returned,
            (Step::Lock, S::Approved) => S::Locked,
            (Step::RequestCorrection, S::Locked) => S::CorrectionRequested,
            // An approved correction opens the month for editing again.
            (Step::ApproveCorrection, S::CorrectionRequested) => S::Draft,
            (Step::RejectCorrection, S::CorrectionRequested) => S::Locked,
            _ => {
                return Err(format!(
                    "“{}”状态下不能“{}” / cannot {} a month that is {}",
                    from.zh(),
                    self.zh(),
                    self.code(),
                    from.code()
                ));
            }
        };
        Ok(to)
    }
}

/// The day a month's figures are due: the plan's deadline day of the following month.
pub fn deadline(month: Month, deadline_day: u32) -> Date {
    let next = month.next();
    Date::new(next.year(), next.month(), deadline_day).expect("deadline_day is 1..=28, checked with the plan")
}

/// Whether a month is late on `today`: past its deadline and not yet submitted.
pub fn is_late(state: SubmissionState, month: Month, deadline_day: u32, today: Date) -> bool {
    state.editable() && today > deadline(month, deadline_day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubmissionState as S;

    #[test]
    fn the_happy_path_and_a_return() {
        let s = Step::Submit.apply(S::Draft).unwrap();
        assert_eq!(s, S::Submitted);
        assert!(!s.editable());
        let s = Step::Return.apply(s).unwrap();
        assert!(s.editable());
        let s = Step::Approve.apply(Step::Submit.apply(s).unwrap()).unwrap();
        assert!(s.official());
        assert_eq!(Step::Lock.apply(s).unwrap(), S::Locked);
    }

    #[test]
    fn a_locked_month_changes_only_through_an_approved_correction() {
        assert!(Step::Submit.apply(S::Locked).is_err());
        assert!(Step::Return.apply(S::Locked).is_err());
        let pending = Step::RequestCorrection.apply(S::Locked).unwrap();
        assert!(pending.official() && !pending.editable());
        assert_eq!(Step::RejectCorrection.apply(pending).unwrap(), S::Locked);
        assert_eq!(Step::ApproveCorrection.apply(pending).unwrap(), S::Draft);
    }

    #[test]
    fn every_step_from_every_state_is_defined_or_refused_with_words() {
        for from in S::ALL {
            for step in Step::ALL {
                if let Err(e) = step.apply(from) {
                    assert!(e.contains(from.zh()) && e.contains(step.zh()));
                }
            }
        }
    }

    #[test]
    fn deadlines_fall_in_the_next_month() {
        let m = Month::new(2022, 12).unwrap();
        assert_eq!(deadline(m, 5), Date::new(2023, 1, 5).unwrap());
        assert!(!is_late(S::Draft, m, 5, Date::new(2023, 1, 5).unwrap()));
        assert!(is_late(S::Draft, m, 5, Date::new(2023, 1, 6).unwrap()));
        assert!(!is_late(S::Submitted, m, 5, Date::new(2023, 1, 6).unwrap()));
    }
}
