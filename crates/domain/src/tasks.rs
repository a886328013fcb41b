//! Progress notes on the plan's key tasks and safeguards (M8): each organisation that carries a
//! task writes one a month, due when the month's figures are.

use serde::Serialize;

use crate::calendar::Date;

/// Where a task's note for a month stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteStatus {
    /// The lead has written its note.
    Written,
    /// Not yet written, and not yet due.
    Due,
    /// Not written, and past its due day.
    Overdue,
}

impl NoteStatus {
    /// From whether the leading department has written, and the due day.
    pub fn of(lead_wrote: bool, due: Date, today: Date) -> NoteStatus {
        match (lead_wrote, today > due) {
            (true, _) => NoteStatus::Written,
            (false, false) => NoteStatus::Due,
            (false, true) => NoteStatus::Overdue,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            NoteStatus::Written => "已报",
            NoteStatus::Due => "待报",
            NoteStatus::Overdue => "逾期",
        }
    }
}

/// The longest note kept (a page of text).
pub const MAX_NOTE_CHARS: usize = 2000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_overdue_only_after_its_day_and_only_if_the_lead_has_not_written() {
        let due = Date::new(2023, 7, 5).unwrap();
        assert_eq!(NoteStatus::of(false, due, due), NoteStatus::Due);
        assert_eq!(NoteStatus::of(false, due, due.succ()), NoteStatus::Overdue);
        assert_eq!(NoteStatus::of(true, due, due.succ()), NoteStatus::Written);
    }
}
