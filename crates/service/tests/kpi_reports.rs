//! Headline KPIs entered by their owners, on both engines: only the owner (or the coordinator)
//! enters a period's value once it has ended, with a note and evidence; the standing says who
//! is late; the cockpit shows the latest value, the owner and the lateness; reminders go to the
//! owner before the due day and once late.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use domain::Month;
use domain::authz::Role;
use domain::calendar::Date;
use leapfrog_service::{App, Caller, Clock, Figures, KpiReport, ServiceError, Settings, Upload};

fn set_day(today: &AtomicI64, d: &str) {
    today.store(Date::parse(d).unwrap().days() * 86_400 + 4 * 3600, Ordering::SeqCst);
}

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

fn report(period: &str, value: &str, evidence: Option<Upload>) -> KpiReport {
    KpiReport { period: period.into(), value: value.into(), note: "累计竣工".into(), evidence }
}

#[tokio::test]
async fn owners_report_their_kpis_and_the_cockpit_says_who_is_late() {
    for db in testkit::engines().await {
        let today = Arc::new(AtomicI64::new(0));
        set_day(&today, "2023-10-04");
        let t = today.clone();
        let clock = Clock::from_fn(move || t.load(Ordering::SeqCst));
        let app = App::open_with(&db.url, Settings { clock, ..Default::default() }).await.unwrap();
        let op = Caller::operator();
        for (login, role, scope) in [
            ("construction", Role::Department, Some("construction")),
            ("economy", Role::Department, Some("economy")),
            ("leader", Role::Leader, None),
        ] {
            app.add_user(&op, login, login, role, scope, None).await.unwrap();
        }
        let (construction, economy, leader) =
            (caller_of(&app, "construction").await, caller_of(&app, "economy").await, caller_of(&app, "leader").await);

        // 2023Q3 ended; its values are due on 5 October (the plan's deadline_day).
        let standing = app.reported_kpis(&leader).await.unwrap();
        let factories = standing.iter().find(|k| k.code == "standard_factories").unwrap();
        assert_eq!((factories.due_period.as_str(), factories.due), ("2023Q3", Date::new(2023, 10, 5).unwrap()), "{}", db.engine);
        assert_eq!((factories.reported, factories.late, factories.owner_name.as_str()), (false, false, "城乡建设和交通局"));
        assert!(!factories.may_report, "leaders read");
        // One working day or less before the due day: the owner is reminded, once.
        app.remind_deadlines().await.unwrap();
        app.remind_deadlines().await.unwrap();
        let inbox = |c: Caller| {
            let app = app.clone();
            async move { app.inbox(&c).await.unwrap().0.into_iter().map(|m| m.title).collect::<Vec<_>>() }
        };
        let got = inbox(construction.clone()).await;
        assert_eq!(
            got.iter().filter(|m| m.contains("“3个300”:新建标准厂房”2023Q3的数值应于 2023-10-05 前填报")).count(),
            1,
            "{got:?}"
        );

        // Only the owner (or the coordinator) enters it, for an ended period, a number.
        let pdf = Upload { file_name: "竣工验收.pdf".into(), bytes: b"%PDF-1.7\n".to_vec() };
        for (who, r) in [(&economy, report("2023Q3", "120", None)), (&leader, report("2023Q3", "120", None))] {
            assert!(matches!(app.report_kpi(who, "standard_factories", r).await, Err(ServiceError::Forbidden(_))));
        }
        for bad in [
            report("2023Q4", "120", None),
            report("2023-09", "120", None),
            report("2023Q3", "-1", None),
            report("2023Q3", "很多", None),
        ] {
            assert!(matches!(app.report_kpi(&construction, "standard_factories", bad).await, Err(ServiceError::BadRequest(_))));
        }
        assert!(matches!(
            app.report_kpi(&construction, "revenue", report("2023Q3", "1", None)).await,
            Err(ServiceError::NotFound(_))
        ));
        let u = app.report_kpi(&construction, "standard_factories", report("2023q3", "1,120.5", Some(pdf))).await.unwrap();
        assert_eq!((u.n, u.period.as_str(), u.value, u.period_end), (1, "2023Q3", 1120.5, Month::new(2023, 9).unwrap()));
        let (name, content_type, bytes) = app.kpi_evidence(&leader, "standard_factories", 1).await.unwrap();
        assert_eq!((name.as_str(), content_type.as_str(), bytes.len()), ("竣工验收.pdf", "application/pdf", 9));
        // Entered again: both kept, the newest counts.
        let u = app.report_kpi(&construction, "standard_factories", report("2023Q3", "1130", None)).await.unwrap();
        assert_eq!(u.n, 2);

        // 6 October: the 5G coverage (the 经发局's) is late, the factories are not.
        set_day(&today, "2023-10-06");
        let standing = app.reported_kpis(&economy).await.unwrap();
        let k = |code: &str| standing.iter().find(|k| k.code == code).unwrap().clone();
        assert_eq!((k("standard_factories").reported, k("standard_factories").late), (true, false));
        assert_eq!(k("standard_factories").latest.unwrap().value, 1130.0);
        assert_eq!(k("standard_factories").history.len(), 2);
        assert_eq!((k("direct_5g_coverage").late, k("direct_5g_coverage").may_report), (true, true));
        let cockpit = app.cockpit(&leader, "revenue", Month::new(2023, 9).unwrap(), Figures::Official).await.unwrap();
        let line = |code: &str| cockpit.kpis.iter().find(|l| l.code == code).unwrap().clone();
        let f = line("standard_factories");
        assert_eq!(
            (f.actual.as_ref().map(|a| a.value), f.owner.as_deref(), f.late),
            (Some(1130.0), Some("城乡建设和交通局"), false)
        );
        assert!(f.actual.unwrap().basis.contains("城乡建设和交通局填报 2023Q3"));
        let g = line("direct_5g_coverage");
        assert_eq!((g.actual.is_none(), g.owner.as_deref(), g.late), (true, Some("新区经济发展局"), true));
        // Late: its owner is told, once.
        app.remind_deadlines().await.unwrap();
        app.remind_deadlines().await.unwrap();
        let got = inbox(economy.clone()).await;
        assert_eq!(got.iter().filter(|m| m.contains("5G网络直管区深度覆盖”2023Q3的数值已逾期未报")).count(), 1, "{got:?}");
    }
}
