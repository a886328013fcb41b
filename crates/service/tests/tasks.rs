//! The plan's key tasks and safeguards (M8): the organisations that carry a task write its
//! monthly note; others cannot; a lead's missing note turns overdue after the due day. On both
//! engines.

use domain::Month;
use domain::authz::Role;
use domain::calendar::Date;
use domain::tasks::NoteStatus;
use leapfrog_service::{App, Caller, Clock, ServiceError};

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

#[tokio::test]
async fn notes_come_from_the_organisations_that_carry_a_task_and_missing_ones_turn_overdue() {
    for db in testkit::engines().await {
        let mut app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        app.add_user(&op, "approval", "审批局", Role::Department, Some("approval"), None).await.unwrap();
        app.add_user(&op, "finance", "财金局", Role::Department, Some("finance"), None).await.unwrap();
        app.add_user(&op, "zone-etdz", "经开", Role::Zone, Some("etdz"), None).await.unwrap();
        app.add_user(&op, "leader", "领导", Role::Leader, None, None).await.unwrap();
        let (approval, finance, zone, leader) = (
            caller_of(&app, "approval").await,
            caller_of(&app, "finance").await,
            caller_of(&app, "zone-etdz").await,
            caller_of(&app, "leader").await,
        );
        let june = Month::new(2023, 6).unwrap();
        app.clock = Clock::on(Date::new(2023, 7, 5).unwrap());
        let all = app.tasks(&leader, june).await.unwrap();
        assert_eq!(all.len(), 12, "eight tasks and four safeguards");
        let speed = all.iter().find(|t| t.task.code == "task-2").unwrap();
        assert_eq!(
            (speed.task.name.as_str(), speed.task.lead.as_str(), speed.status),
            ("实施项目提速行动", "economy", NoteStatus::Due)
        );

        // 项目提速 is led by the 经济发展局 with the 行政审批局 and the zones.
        app.write_task_note(&approval, "task-2", june, "审批提速:前置要件并联办理 12 件").await.unwrap();
        app.write_task_note(&zone, "task-2", june, "经开组团新开工亿元项目 3 个").await.unwrap();
        let refused = app.write_task_note(&finance, "task-2", june, "不是本部门的任务").await.unwrap_err();
        assert!(matches!(refused, ServiceError::Forbidden(_)), "{}: {refused}", db.engine);
        assert!(matches!(app.write_task_note(&leader, "task-2", june, "x").await, Err(ServiceError::Forbidden(_))));
        assert!(matches!(app.write_task_note(&approval, "task-2", june, "   ").await, Err(ServiceError::BadRequest(_))));
        assert!(matches!(app.write_task_note(&approval, "task-99", june, "x").await, Err(ServiceError::NotFound(_))));
        let next_year = Month::new(2024, 1).unwrap();
        assert!(matches!(app.write_task_note(&approval, "task-2", next_year, "x").await, Err(ServiceError::NotFound(_))));

        // The day after the due day, without the lead's note: overdue.
        app.clock = Clock::on(Date::new(2023, 7, 6).unwrap());
        let speed = app.tasks(&leader, june).await.unwrap().into_iter().find(|t| t.task.code == "task-2").unwrap();
        assert_eq!(speed.status, NoteStatus::Overdue, "{}", db.engine);
        let by: Vec<&str> = speed.notes.iter().map(|n| n.organisation.as_str()).collect();
        assert_eq!(by, ["approval", "etdz"]);
        // The coordinator writes as the lead; a second note of the same organisation replaces its first.
        app.write_task_note(&op, "task-2", june, "项目大会战:亿元以上项目 102 个").await.unwrap();
        app.write_task_note(&op, "task-2", june, "项目大会战:亿元以上项目 103 个").await.unwrap();
        let speed = app.tasks(&leader, june).await.unwrap().into_iter().find(|t| t.task.code == "task-2").unwrap();
        assert_eq!(speed.status, NoteStatus::Written);
        let lead: Vec<&str> = speed.notes.iter().filter(|n| n.organisation == "economy").map(|n| n.note.as_str()).collect();
        assert_eq!(lead, ["项目大会战:亿元以上项目 103 个"], "{}", db.engine);
        // Every note is in the audit trail.
        let f = store::AuditFilter { action: Some("task.note".into()), limit: 10, ..Default::default() };
        assert_eq!(app.store.audit_entries(&f).await.unwrap().1, 4);
    }
}
