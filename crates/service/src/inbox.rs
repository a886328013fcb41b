//! The in-app inbox (站内消息): each account reads and clears its own messages; the server's sweep
//! reminds of deadlines coming (a ticket with one working day left or due today, a month's figures
//! due within two working days and not yet submitted).

use domain::authz::Role;
use domain::inbox::{Message, Notice, NoticeKind, Recipients};
use domain::services::{Light, TicketState};

use crate::{App, Caller, Result, ServiceError};

/// The most messages an inbox page shows.
const SHOWN: i64 = 200;
/// A month's figures are reminded of this many working days before they are due.
const MONTH_REMINDER_DAYS: u32 = 2;

impl App {
    /// The caller's newest messages and how many it has not read (the command line's operator
    /// has no inbox).
    pub async fn inbox(&self, caller: &Caller) -> Result<(Vec<Message>, i64)> {
        if caller.actor.operator {
            return Ok((Vec::new(), 0));
        }
        Ok(self.store.inbox(&caller.actor.login, SHOWN).await?)
    }

    pub async fn unread(&self, caller: &Caller) -> Result<i64> {
        if caller.actor.operator {
            return Ok(0);
        }
        Ok(self.store.unread(&caller.actor.login).await?)
    }

    /// Marks the caller's messages read: these keys, or all of them. Returns how many changed.
    pub async fn mark_read(&self, caller: &Caller, keys: Option<Vec<String>>) -> Result<u64> {
        if keys.as_ref().is_some_and(|k| k.len() > SHOWN as usize) {
            return Err(ServiceError::BadRequest(format!("一次最多标记{SHOWN}条 / at most {SHOWN} at a time")));
        }
        Ok(self.store.mark_read(&caller.actor.login, keys.as_deref(), self.clock.now()).await?)
    }

    /// Reminds of the deadlines coming, each once: the department of every open ticket with one
    /// working day left or due today, and every zone whose last month's figures are due within
    /// two working days and not yet submitted. Returns how many notices were sent.
    pub async fn remind_deadlines(&self) -> Result<usize> {
        let (calendar, today) = (self.plan.working_calendar(), self.clock.today());
        let mut notices = Vec::new();
        let open = [TicketState::Accepted, TicketState::Working, TicketState::Reopened].to_vec();
        let tickets = self.store.tickets(&store::TicketFilter { states: open, limit: i64::MAX, ..Default::default() }).await?;
        for t in &tickets {
            let light = Light::of(&calendar, today, t.due_on, t.state.open());
            if matches!(light, Light::Blue | Light::Yellow)
                && let Some(due) = t.due_on
            {
                notices.push(Notice {
                    key: format!("deadline:ticket:{}:{due}:{}", t.number, today),
                    kind: NoticeKind::Deadline,
                    title: format!("工单 {}({})应于 {due} 前办结,{}", t.number, t.enterprise_name, light.zh()),
                    link: format!("/tickets/{}", t.number),
                    to: vec![Recipients::Scoped(Role::Department, t.department.clone())],
                });
            }
        }
        let month = self.clock.current_month().prev();
        let due = self.plan.submission_deadline.due(month, &calendar);
        if today <= due && calendar.working_days_between(today, due) <= MONTH_REMINDER_DAYS {
            let period = i64::from(month.yyyymm());
            let states = self.workflow_states(store::ZONE_MONTH, period, period).await?;
            for z in self.plan.top_zones() {
                let state =
                    states.get(&(z.code.to_string(), period)).copied().unwrap_or(domain::submission::SubmissionState::Draft);
                if state.editable() {
                    notices.push(Notice {
                        key: format!("deadline:zone_month:{}:{period}", z.code),
                        kind: NoticeKind::Deadline,
                        title: format!("{}月度数据应于 {due} 前提交(尚未提交)", month.zh()),
                        link: "/submissions".into(),
                        to: vec![Recipients::Scoped(Role::Zone, z.code.to_string())],
                    });
                }
            }
        }
        notices.extend(self.kpi_reminders().await?);
        self.store.send_notices(&notices, self.clock.now()).await?;
        Ok(notices.len())
    }
}
