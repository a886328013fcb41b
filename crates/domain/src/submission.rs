//! The monthly submission workflow of a zone: 填报 → 提交 → 审核通过 / 退回 → 锁定, and the
//! correction of a locked month.

use serde::Serialize;

use crate::Month;
use crate::calendar::{Date, WorkingCalendar};

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

/// When a month's figures are due, as the plan gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    /// This day of the following month (1..=28).
    Day(u32),
    /// The end of this working day of the following month, on the plan's calendar (holidays
    /// and make-up working days counted).
    WorkingDay(u32),
}

impl Deadline {
    /// The day `month`'s figures are due.
    pub fn due(self, month: Month, calendar: &WorkingCalendar) -> Date {
        let next = month.next();
        let first = Date::new(next.year(), next.month(), 1).expect("the first of a month");
        match self {
            Deadline::Day(day) => {
                Date::new(next.year(), next.month(), day).expect("deadline_day is 1..=28, checked with the plan")
            }
            Deadline::WorkingDay(n) => {
                let mut d = first;
                let mut counted = u32::from(calendar.is_working_day(d));
                while counted < n.max(1) {
                    d = d.succ();
                    counted += u32::from(calendar.is_working_day(d));
                }
                d
            }
        }
    }
}

/// Whether a month is late on `today`: past its deadline and not yet submitted.
pub fn is_late(state: SubmissionState, due: Date, today: Date) -> bool {
    state.editable() && today > due
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
    fn the_whole_table_of_steps() {
        // Written out by hand: rows are states, columns the steps submit, approve, return, lock,
        // request_correction, approve_correction, reject_correction; "-" is refused.
        const TABLE: [(S, [&str; 7]); 6] = [
            (S::Draft, ["submitted", "-", "-", "-", "-", "-", "-"]),
            (S::Submitted, ["-", "approved", "returned", "-", "-", "-", "-"]),
            (S::Approved, ["-", "-", "returned", "locked", "-", "-", "-"]),
            (S::Returned, ["submitted", "-", "-", "-", "-", "-", "-"]),
            (S::Locked, ["-", "-", "-", "-", "correction_requested", "-", "-"]),
            (S::CorrectionRequested, ["-", "-", "-", "-", "-", "draft", "locked"]),
        ];
        let steps = [
            Step::Submit,
            Step::Approve,
            Step::Return,
            Step::Lock,
            Step::RequestCorrection,
            Step::ApproveCorrection,
            Step::RejectCorrection,
        ];
        assert_eq!(TABLE.len(), S::ALL.len());
        assert_eq!(steps.len(), Step::ALL.len());
        for (from, row) in TABLE {
            for (step, expected) in steps.iter().zip(row) {
                let got = step.apply(from).map(|s| s.code().to_string()).unwrap_or_else(|_| "-".into());
                assert_eq!(got, expected, "{step:?} from {from:?}");
            }
        }
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
        let due = Deadline::Day(5).due(m, &WorkingCalendar::default());
        assert_eq!(due, Date::new(2023, 1, 5).unwrap());
        assert!(!is_late(S::Draft, due, Date::new(2023, 1, 5).unwrap()));
        assert!(is_late(S::Draft, due, Date::new(2023, 1, 6).unwrap()));
        assert!(!is_late(S::Submitted, due, Date::new(2023, 1, 6).unwrap()));
    }

    #[test]
    fn working_day_deadlines_skip_holidays_and_count_make_up_days() {
        let plan = crate::Plan::default_plan();
        let cal = plan.working_calendar();
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        // September 2023's figures, due the 3rd working day of October: the National Day holiday
        // runs to 10-06 and Saturday 10-07 and Sunday 10-08 are make-up working days.
        assert_eq!(Deadline::WorkingDay(3).due(Month::new(2023, 9).unwrap(), &cal), d(2023, 10, 9));
        // January 2023's, the 5th working day of February 2023 (a month starting on a Wednesday).
        assert_eq!(Deadline::WorkingDay(5).due(Month::new(2023, 1).unwrap(), &cal), d(2023, 2, 7));
    }
}
