//! The plan's key tasks and safeguards (M8): who carries each, the month's progress notes, and
//! which are overdue.

use domain::Month;
use domain::authz::{Action, Role, Target};
use domain::tasks::{MAX_NOTE_CHARS, NoteStatus};

use crate::{App, Caller, Result, ServiceError};

/// A task as a month shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskLine {
    #[serde(flatten)]
    pub task: domain::plan::Task,
    pub month: String,
    /// When the month's notes are due.
    pub due: String,
    pub status: NoteStatus,
    pub notes: Vec<store::TaskNote>,
    /// The caller's organisation carries it: they may write its note.
    pub writable: bool,
}

impl App {
    /// Every key task and safeguard with its notes for `month`.
    pub async fn tasks(&self, caller: &Caller, month: Month) -> Result<Vec<TaskLine>> {
        self.require(caller, Action::ReadAggregates)?;
        let notes = self.store.task_notes(month).await?;
        let due = self.plan.submission_deadline.due(month, &self.plan.working_calendar());
        let today = self.clock.today();
        Ok(self
            .plan
            .tasks
            .iter()
            .map(|t| {
                let notes: Vec<store::TaskNote> = notes.iter().filter(|n| n.task == t.code).cloned().collect();
                let lead_wrote = notes.iter().any(|n| n.organisation == t.lead);
                TaskLine {
                    task: t.clone(),
                    month: month.to_string(),
                    due: due.to_string(),
                    status: NoteStatus::of(lead_wrote, due, today),
                    writable: self.task_target(caller, &t.code).is_ok(),
                    notes,
                }
            })
            .collect())
    }

    /// Checks the caller may write `code`'s note; gives the organisation the note is from.
    fn task_target(&self, caller: &Caller, code: &str) -> Result<String> {
        let task = self.plan.task(code).ok_or_else(|| ServiceError::NotFound(format!("没有任务“{code}” / no such task")))?;
        let departments: Vec<&str> =
            std::iter::once(task.lead.as_str()).chain(task.partners.iter().map(String::as_str)).collect();
        self.authorize(caller, Action::WriteTaskNote, Target::Task { departments: &departments, zones: task.zones })?;
        Ok(match caller.actor.role {
            Role::Department | Role::Zone => caller.actor.scope.clone().unwrap_or_default(),
            // The coordinator (or the operator) writes as the 经济发展局, the plan's lead office.
            _ => task.lead.clone(),
        })
    }

    /// Writes the caller's organisation's note on a task for a month (replacing an earlier one).
    pub async fn write_task_note(&self, caller: &Caller, code: &str, month: Month, note: &str) -> Result<()> {
        let organisation = self.task_target(caller, code)?;
        // A month not yet begun, or before the plan, has no note to write.
        self.plan.check_data_month(month, self.clock.current_month()).map_err(ServiceError::NotFound)?;
        let note = note.trim();
        if note.is_empty() {
            return Err(ServiceError::BadRequest("进展说明不能为空 / the note is empty".into()));
        }
        if note.chars().count() > MAX_NOTE_CHARS {
            return Err(ServiceError::BadRequest(format!(
                "进展说明最多 {MAX_NOTE_CHARS} 字 / a note is at most {MAX_NOTE_CHARS} characters"
            )));
        }
        let audit = caller
            .audit("task.note", "task", &format!("{code}/{month}"))
            .after(serde_json::json!({ "organisation": organisation, "chars": note.chars().count() }).to_string());
        Ok(self.store.save_task_note(code, month, &organisation, note, &audit).await?)
    }
}
