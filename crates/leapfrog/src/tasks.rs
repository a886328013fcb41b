//! `leapfrog tasks`: the plan's key tasks and safeguards with the month's progress notes.

use domain::Month;
use service::{App, Caller};

pub async fn tasks(db: &str, caller: &Caller, month: Option<String>, json: bool) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let month = match month {
        Some(m) => Month::parse(&m)?,
        None => app.clock.current_month().prev(),
    };
    let lines = app.tasks(caller, month).await?;
    let org = |code: &str| app.plan.organisation_name(code);
    if json {
        println!("{}", serde_json::to_string(&lines)?);
        return Ok(());
    }
    println!("重点任务与保障措施 · {} 进展(报送截止 {})", month.zh(), lines.first().map_or("", |t| t.due.as_str()));
    for t in &lines {
        println!("{:<12} {:<4} {} (牵头 {})", t.task.code, t.status.zh(), t.task.name, org(&t.task.lead));
        for n in &t.notes {
            println!("{:<17} {}:{}", "", org(&n.organisation), n.note);
        }
    }
    let overdue = lines.iter().filter(|t| t.status == domain::tasks::NoteStatus::Overdue).count();
    if overdue > 0 {
        eprintln!("{overdue} 项任务的牵头单位逾期未报进展 / {overdue} tasks overdue");
    }
    Ok(())
}
