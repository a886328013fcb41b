//! `leapfrog calendar` and `leapfrog tickets`: the working-day calendar's time limits, the service
//! tickets and their escalation.

use clap::Subcommand;
use domain::calendar::Date;
use domain::services::TicketState;
use service::{App, Caller, TicketQuery};

#[derive(Subcommand)]
pub enum CalendarAction {
    /// The day a time limit of N working days that starts on DATE ends (the Nth working day
    /// after it, on the plan's calendar with its holidays and make-up working days)
    Due { date: String, days: u32 },
}

#[derive(Subcommand)]
pub enum TicketsAction {
    /// The tickets, oldest first: number, item, enterprise, department, state, due day and light
    List {
        /// ordered, accepted, working, resolved, rated, refused or reopened (or 已点单 …)
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Escalate (督办) every open ticket past its due day, each once, and say which
    Escalate,
}

pub async fn calendar(db: &str, action: CalendarAction) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    match action {
        CalendarAction::Due { date, days } => {
            let from = Date::parse(&date).ok_or_else(|| anyhow::anyhow!("日期“{date}”应写作 2023-09-28 / not a date"))?;
            let years: Vec<i32> = app.plan.calendar.iter().map(|c| c.year).collect();
            let due = app.plan.working_calendar().nth_working_day_after(from, days);
            if !years.contains(&from.year) || !years.contains(&due.year) {
                eprintln!(
                    "计划日历未包含 {} 年的节假日,按周一至周五计算 / the plan's calendar lacks that year: weekdays counted",
                    if years.contains(&from.year) { due.year } else { from.year }
                );
            }
            println!("{due}");
        }
    }
    Ok(())
}

pub async fn tickets(db: &str, caller: &Caller, action: TicketsAction) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    match action {
        TicketsAction::List { state, json } => {
            let states = match state {
                Some(s) => vec![TicketState::parse(&s).ok_or_else(|| anyhow::anyhow!("工单状态“{s}”未知 / unknown state"))?],
                None => Vec::new(),
            };
            let rows = app.tickets(caller, &TicketQuery { states, ..TicketQuery::default() }).await?;
            if json {
                println!("{}", serde_json::to_string(&rows)?);
                return Ok(());
            }
            for r in rows.iter() {
                let t = &r.ticket;
                println!(
                    "{}  {:<8} {:<12} {:<10} {:<6} {} {}",
                    t.number,
                    r.item_name,
                    t.enterprise_name,
                    r.department_name,
                    t.state.zh(),
                    t.due_on.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                    r.light.zh()
                );
            }
            eprintln!("共 {} 件 / {} tickets", rows.len(), rows.len());
        }
        TicketsAction::Escalate => {
            let escalated = app.escalate_overdue().await?;
            for t in &escalated {
                println!("{}  督办:应于 {} 前办结", t.number, t.due_on.map(|d| d.to_string()).unwrap_or_default());
            }
            eprintln!("督办 {} 件超期工单 / {} overdue tickets escalated", escalated.len(), escalated.len());
        }
    }
    Ok(())
}
