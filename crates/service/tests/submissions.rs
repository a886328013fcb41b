//! The monthly submission workflow, on both engines.

use domain::submission::{Step, SubmissionState as S};
use domain::{Month, authz::Role};
use leapfrog_service::{App, Caller, Figures, ServiceError};

use testkit::uscc;

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

/// 经开组团's and 永修组团's users and the coordinator.
async fn accounts(app: &App) -> (Caller, Caller, Caller) {
    let op = Caller::operator();
    app.add_user(&op, "zone-etdz", "经开", Role::Zone, Some("etdz"), None).await.unwrap();
    app.add_user(&op, "zone-yongxiu", "永修", Role::Zone, Some("yongxiu"), None).await.unwrap();
    app.add_user(&op, "jfj", "经发局", Role::Coordinator, None, None).await.unwrap();
    (caller_of(app, "zone-etdz").await, caller_of(app, "zone-yongxiu").await, caller_of(app, "jfj").await)
}

/// Registers enterprises `uscc(k)`, named 企业k, in their zone and industry.
async fn register(app: &App, rows: &[(u32, &str, &str)]) {
    let text: String = rows.iter().map(|(k, zone, industry)| format!("{},企业{k},{zone},{industry}\n", uscc(*k))).collect();
    let (_g, p) = testkit::file("e.csv", format!("uscc,name,zone,industry\n{text}").as_bytes());
    app.import_enterprises(&Caller::operator(), &p, &|_, _| {}).await.unwrap();
}

async fn import(app: &App, who: &Caller, text: &str) -> Result<(), ServiceError> {
    let (_g, p) = testkit::file("f.csv", text.as_bytes());
    app.import_facts(who, &p, false, &|_, _| {}).await.map(|_| ())
}

fn etdz_revenue(rows: &[domain::ProgressRow]) -> Option<f64> {
    rows.iter().find(|r| r.industry == "optoelectronics" && r.zone == "etdz").and_then(|r| r.value)
}

#[tokio::test]
async fn submit_return_fix_resubmit_approve_lock_and_correct() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let (_g, p) =
            testkit::file("e.csv", format!("uscc,name,zone,industry\n{},甲,linkong,optoelectronics\n", uscc(1)).as_bytes());
        app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        let (zone, other_zone, coord) = accounts(&app).await;
        let m = Month::new(2024, 3).unwrap();
        let official = || app.progress(&coord, "revenue", m, Figures::Official);
        let provisional = || app.progress(&coord, "revenue", m, Figures::Provisional);

        // A draft: the zone enters figures; they count provisionally, not officially.
        import(&app, &zone, &format!("uscc,month,revenue\n{},2024-03,100\n", uscc(1))).await.unwrap();
        assert_eq!(etdz_revenue(&provisional().await.unwrap()), Some(100.0), "{}", db.engine);
        assert_eq!(etdz_revenue(&official().await.unwrap()), None);

        // Only the zone (or the coordinator) submits it, and it is then read-only for the zone.
        assert!(matches!(app.submission_step(&other_zone, "etdz", m, Step::Submit, "").await, Err(ServiceError::Forbidden(_))));
        assert!(matches!(app.submission_step(&zone, "etdz", m, Step::Approve, "").await, Err(ServiceError::Forbidden(_))));
        assert_eq!(app.submission_step(&zone, "经开组团", m, Step::Submit, "").await.unwrap(), S::Submitted);
        let refused = import(&app, &zone, &format!("uscc,month,revenue\n{},2024-03,999\n", uscc(1))).await.unwrap_err();
        assert!(
            refused.to_string().contains("errors")
                && matches!(refused, ServiceError::Rows(ref r) if r.shown[0].reason.contains("已提交"))
        );

        // Returned with a reason; the zone fixes the figure and resubmits.
        assert!(app.submission_step(&coord, "etdz", m, Step::Return, " ").await.is_err(), "a return needs a reason");
        assert_eq!(app.submission_step(&coord, "etdz", m, Step::Return, "营业收入偏低,请核实").await.unwrap(), S::Returned);
        let board = app.reminders(&zone, 2024).await.unwrap();
        assert!(board.iter().any(|c| c.month == "2024-03" && c.state == S::Returned && c.reason == "营业收入偏低,请核实"));
        import(&app, &zone, &format!("uscc,month,revenue\n{},2024-03,120\n", uscc(1))).await.unwrap();
        app.submission_step(&zone, "etdz", m, Step::Submit, "").await.unwrap();

        // Approved: now official. Locked: final.
        assert!(app.submission_step(&coord, "etdz", m, Step::Lock, "").await.is_err(), "only an approved month locks");
        app.submission_step(&coord, "etdz", m, Step::Approve, "").await.unwrap();
        assert_eq!(etdz_revenue(&official().await.unwrap()), Some(120.0));
        app.submission_step(&coord, "etdz", m, Step::Lock, "").await.unwrap();
        assert!(import(&app, &zone, &format!("uscc,month,revenue\n{},2024-03,130\n", uscc(1))).await.is_err());

        // A correction: requested with a reason, approved, and the month is a draft again.
        assert!(app.submission_step(&zone, "etdz", m, Step::RequestCorrection, "").await.is_err());
        app.submission_step(&zone, "etdz", m, Step::RequestCorrection, "漏报一家企业").await.unwrap();
        assert_eq!(etdz_revenue(&official().await.unwrap()), Some(120.0), "still official while the request waits");
        assert_eq!(app.submission_step(&coord, "etdz", m, Step::ApproveCorrection, "").await.unwrap(), S::Draft);
        import(&app, &zone, &format!("uscc,month,revenue\n{},2024-03,130\n", uscc(1))).await.unwrap();
        assert_eq!(etdz_revenue(&official().await.unwrap()), None, "a reopened month leaves the official figures");

        // Every step is in the audit trail, with its reason.
        let (entries, _) = app
            .audit_entries(&coord, &store::AuditFilter { entity: Some("submission".into()), limit: 50, ..Default::default() })
            .await
            .unwrap();
        let steps: Vec<(&str, &str)> = entries.iter().rev().map(|e| (e.action.as_str(), e.reason.as_str())).collect();
        assert_eq!(
            steps,
            [
                ("submission.submit", ""),
                ("submission.return", "营业收入偏低,请核实"),
                ("submission.submit", ""),
                ("submission.approve", ""),
                ("submission.lock", ""),
                ("submission.request_correction", "漏报一家企业"),
                ("submission.approve_correction", ""),
            ]
        );
    }
}

#[tokio::test]
async fn the_board_shows_late_months() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        // Every month of 2024 is past its deadline today and nobody submitted: all late.
        let board = app.submission_board(&op, 2024).await.unwrap();
        assert_eq!(board.len(), 4 * 12, "{}", db.engine);
        assert!(board.iter().all(|c| c.late && c.state == S::Draft));
        assert_eq!(board[0].deadline, "2024-02-05");
        app.submission_step(&op, "direct", Month::new(2024, 1).unwrap(), Step::Submit, "").await.unwrap();
        let board = app.submission_board(&op, 2024).await.unwrap();
        let jan = board.iter().find(|c| c.zone == "direct" && c.month == "2024-01").unwrap();
        assert!(!jan.late && jan.state == S::Submitted);
    }
}

#[tokio::test]
async fn a_month_locked_while_an_import_runs_never_takes_its_rows() {
    // Before (PostgreSQL): a zone's import started, the coordinator locked one of its months a
    // moment later, and the import then committed rows into the locked month.
    const N: u32 = 15_000;
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let (mut reg, mut facts) = (String::from("uscc,name,zone,industry\n"), String::from("uscc,month,revenue\n"));
        for n in 1..=N {
            reg.push_str(&format!("{},企业{n},etdz,optoelectronics\n", uscc(n)));
            for m in 1..=6 {
                facts.push_str(&format!("{},2022-{m:02},{n}\n", uscc(n)));
            }
        }
        let (_g, p) = testkit::file("e.csv", reg.as_bytes());
        app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        app.add_user(&op, "zone-etdz", "经开", Role::Zone, Some("etdz"), None).await.unwrap();
        app.add_user(&op, "jfj", "经发局", Role::Coordinator, None, None).await.unwrap();
        let (zone, coord) = (caller_of(&app, "zone-etdz").await, caller_of(&app, "jfj").await);
        let m = Month::new(2022, 6).unwrap();

        let running = {
            let (app, zone, facts) = (app.clone(), zone.clone(), facts.clone());
            tokio::spawn(async move { import(&app, &zone, &facts).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        app.submission_step(&zone, "etdz", m, Step::Submit, "").await.unwrap();
        app.submission_step(&coord, "etdz", m, Step::Approve, "").await.unwrap();
        app.submission_step(&coord, "etdz", m, Step::Lock, "").await.unwrap();
        let outcome = running.await.unwrap();

        let seq_of = |action: &'static str| {
            let app = app.clone();
            async move {
                let filter = store::AuditFilter { action: Some(action.into()), limit: 1, ..Default::default() };
                app.store.audit_entries(&filter).await.unwrap().0.first().map(|e| e.seq)
            }
        };
        let locked_at = seq_of("submission.lock").await.unwrap();
        match outcome {
            // Landed first: the lock came after it, over its figures.
            Ok(()) => {
                assert!(seq_of("import.facts").await.unwrap() < locked_at, "{}: the import landed after the lock", db.engine)
            }
            // Refused: either the month closed while it ran (the guard), or before it even
            // looked (each row of the month refused) — which one depends on timing.
            Err(e) => {
                let closed_before =
                    matches!(&e, ServiceError::Rows(r) if r.shown.iter().all(|r| r.reason.contains("cannot change")));
                assert!(e.to_string().contains("while the import ran") || closed_before, "{}: {e}", db.engine);
                assert!(seq_of("import.facts").await.is_none());
                let rows = app.progress(&coord, "revenue", m, Figures::Provisional).await.unwrap();
                assert_eq!(etdz_revenue(&rows), None, "{}: nothing of the import is stored", db.engine);
            }
        }
    }
}

#[tokio::test]
async fn a_state_the_program_does_not_know_is_an_error_not_a_draft() {
    // Before: an unknown stored state read as "draft", which made a closed month editable.
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let (_g, p) =
            testkit::file("e.csv", format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1)).as_bytes());
        app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        app.add_user(&op, "zone-etdz", "经开", Role::Zone, Some("etdz"), None).await.unwrap();
        let zone = caller_of(&app, "zone-etdz").await;
        let m = Month::new(2024, 3).unwrap();
        app.submission_step(&zone, "etdz", m, Step::Submit, "").await.unwrap();
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        sqlx::query("UPDATE workflow_states SET state = 'archived' WHERE subject = 'zone_month' AND scope = 'etdz'")
            .execute(&mut raw)
            .await
            .unwrap();
        let err = import(&app, &zone, &format!("uscc,month,revenue\n{},2024-03,5\n", uscc(1))).await.unwrap_err();
        assert!(matches!(err, ServiceError::Internal(_)), "{}: {err}", db.engine);
        assert!(err.to_string().contains("archived"));
        assert!(matches!(app.submission_board(&zone, 2024).await, Err(ServiceError::Internal(_))));
    }
}

#[tokio::test]
async fn a_deadline_in_working_days_follows_the_plans_calendar() {
    let db = testkit::sqlite();
    let src = domain::plan::DEFAULT_PLAN_TOML.replacen("deadline_day = 5", "deadline_working_days = 3", 1);
    let mut app = App::init(&db.url, &src, &Caller::operator()).await.unwrap();
    app.add_user(&Caller::operator(), "zone-etdz", "经开", Role::Zone, Some("etdz"), None).await.unwrap();
    let zone = caller_of(&app, "zone-etdz").await;
    let cell =
        |board: &[leapfrog_service::BoardCell]| board.iter().find(|c| c.zone == "etdz" && c.month == "2023-09").cloned().unwrap();
    // September's figures are due on the 3rd working day of October 2023: the 9th, after the
    // National Day holiday and its two make-up days.
    app.clock = leapfrog_service::Clock::on(domain::calendar::Date::new(2023, 10, 9).unwrap());
    let on_the_day = cell(&app.submission_board(&zone, 2023).await.unwrap());
    assert_eq!((on_the_day.deadline.as_str(), on_the_day.late), ("2023-10-09", false));
    app.clock = leapfrog_service::Clock::on(domain::calendar::Date::new(2023, 10, 10).unwrap());
    assert!(cell(&app.submission_board(&zone, 2023).await.unwrap()).late);
}

/// 审核规则 on a zone's month (sub-zones included), against the month before: for the zone and
/// its reviewer only, and the month before counts only once approved (or with provisional figures).
#[tokio::test]
async fn a_zones_month_is_reviewed_against_the_month_before() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let registry = format!(
            "uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n{},乙,linkong,optoelectronics\n{},丙,etdz,optoelectronics\n{},丁,yongxiu,silicone\n",
            uscc(1),
            uscc(2),
            uscc(3),
            uscc(4)
        );
        let (_g, p) = testkit::file("e.csv", registry.as_bytes());
        app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        let (zone, other_zone, coord) = accounts(&app).await;
        // May: 1 and 2 report; 3 reports. June: 1 jumps fourfold, 2 (in 临空, under 经开) stops
        // reporting, 3's value added is 70% of its revenue; 4 (永修) is another zone's.
        let facts = format!(
            "uscc,month,revenue,value_added,tax\n\
             {u1},2024-05,100,20,3\n{u2},2024-05,50,10,2\n{u3},2024-05,80,40,2\n{u4},2024-05,10,1,1\n\
             {u1},2024-06,400,80,12\n{u3},2024-06,100,70,3\n{u4},2024-06,90,1,1\n",
            u1 = uscc(1),
            u2 = uscc(2),
            u3 = uscc(3),
            u4 = uscc(4)
        );
        import(&app, &op, &facts).await.unwrap();
        let june = Month::new(2024, 6).unwrap();
        let hits = |flags: &[domain::review::Flag]| {
            flags.iter().map(|f| (f.uscc.clone(), f.rule, f.indicator.clone())).collect::<Vec<_>>()
        };
        let flags = app.review(&zone, "etdz", june, Figures::Provisional).await.unwrap();
        let revenue = Some("revenue".to_string());
        assert_eq!(
            hits(&flags),
            vec![
                (uscc(1), "jump", revenue.clone()),
                (uscc(1), "jump", Some("tax".to_string())),
                (uscc(1), "jump", Some("value_added".to_string())),
                (uscc(2), "missing_reporter", None),
                (uscc(3), "va_ratio", Some("value_added".to_string())),
            ],
            "{}",
            db.engine
        );
        let jump = &flags[0];
        assert_eq!((jump.value, jump.reference, jump.severity), (Some(400.0), Some(100.0), "explain"));
        // Officially, May is not approved yet: only what needs no month before.
        let official = app.review(&coord, "经开组团", june, Figures::Official).await.unwrap();
        assert_eq!(hits(&official), vec![(uscc(3), "va_ratio", Some("value_added".to_string()))]);
        // Once May is approved, the official review compares with it at once.
        let may = Month::new(2024, 5).unwrap();
        app.close_months(&op, may, Some("etdz"), S::Approved, "").await.unwrap();
        let official = app.review(&coord, "etdz", june, Figures::Official).await.unwrap();
        assert_eq!(hits(&official), hits(&flags), "{}", db.engine);
        // Another zone's user may not review it; a zone not in the plan is not found.
        assert!(matches!(app.review(&other_zone, "etdz", june, Figures::Provisional).await, Err(ServiceError::Forbidden(_))));
        assert!(matches!(app.review(&coord, "nowhere", june, Figures::Provisional).await, Err(ServiceError::NotFound(_))));
    }
}

/// The review's flags are kept with the month from its import: the zone explains each before it
/// can submit, the coordinator accepts or returns each before approving, every act audited; a
/// corrected figure takes its flag away; a blocking flag stops the submission whatever is written.
#[tokio::test]
async fn flags_are_explained_by_the_zone_and_decided_by_the_coordinator() {
    use domain::review::{Decision, FlagStatus};
    use leapfrog_service::FlagRef;
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        register(&app, &[(1, "etdz", "optoelectronics"), (2, "linkong", "optoelectronics"), (3, "yongxiu", "silicone")]).await;
        let (zone, other_zone, coord) = accounts(&app).await;
        let facts = format!(
            "uscc,month,revenue,tax\n{u1},2024-05,100,3\n{u2},2024-05,50,2\n{u1},2024-06,400,3\n{u2},2024-06,50,2\n",
            u1 = uscc(1),
            u2 = uscc(2)
        );
        import(&app, &zone, &facts).await.unwrap();
        let june = Month::new(2024, 6).unwrap();
        let sheet = app.review_sheet(&zone, "etdz", june).await.unwrap();
        let statuses =
            |s: &leapfrog_service::ReviewSheet| s.flags.iter().map(|f| (f.kept.flag.rule, f.status)).collect::<Vec<_>>();
        assert_eq!(statuses(&sheet), vec![("jump", FlagStatus::Unexplained)], "kept at import: {}", db.engine);
        assert_eq!(sheet.flags[0].name, "企业1");
        let jump = FlagRef { uscc: &sheet.flags[0].kept.flag.uscc, rule: "jump", indicator: "revenue" };
        assert!(matches!(app.review_sheet(&other_zone, "etdz", june).await, Err(ServiceError::Forbidden(_))));

        // Unexplained: the submission is refused and says why.
        let refused = app.submission_step(&zone, "etdz", june, Step::Submit, "").await.unwrap_err();
        assert!(matches!(refused, ServiceError::Conflict(ref m) if m.contains("1 条")), "{refused}");
        // Only the zone explains, with words, a flag that exists.
        assert!(matches!(app.explain_flags(&coord, "etdz", june, &[jump], "x").await, Err(ServiceError::Forbidden(_))));
        assert!(matches!(app.explain_flags(&zone, "etdz", june, &[jump], "  ").await, Err(ServiceError::BadRequest(_))));
        let nothing = FlagRef { rule: "copied", indicator: "", ..jump };
        assert!(matches!(app.explain_flags(&zone, "etdz", june, &[nothing], "x").await, Err(ServiceError::NotFound(_))));
        assert!(matches!(app.explain_flags(&zone, "etdz", june, &[], "x").await, Err(ServiceError::BadRequest(_))));
        // All or nothing: one flag that is not there, and the one that is stays unexplained.
        assert!(matches!(app.explain_flags(&zone, "etdz", june, &[jump, nothing], "x").await, Err(ServiceError::NotFound(_))));
        assert_eq!(app.review_sheet(&zone, "etdz", june).await.unwrap().flags[0].status, FlagStatus::Unexplained);
        // The coordinator decides only on a submitted month.
        app.explain_flags(&zone, "etdz", june, &[jump], "新增海外订单").await.unwrap();
        assert!(matches!(
            app.decide_flags(&coord, "etdz", june, &[jump], Decision::Accepted, "").await,
            Err(ServiceError::Conflict(_))
        ));
        app.submission_step(&zone, "etdz", june, Step::Submit, "").await.unwrap();
        assert!(matches!(app.explain_flags(&zone, "etdz", june, &[jump], "改").await, Err(ServiceError::Conflict(_))));

        // Returned with a reason: the month cannot be approved; it goes back to the zone.
        assert!(matches!(app.submission_step(&coord, "etdz", june, Step::Approve, "").await, Err(ServiceError::Conflict(_))));
        assert!(matches!(
            app.decide_flags(&coord, "etdz", june, &[jump], Decision::Returned, " ").await,
            Err(ServiceError::BadRequest(_))
        ));
        assert!(matches!(
            app.decide_flags(&zone, "etdz", june, &[jump], Decision::Accepted, "").await,
            Err(ServiceError::Forbidden(_))
        ));
        app.decide_flags(&coord, "etdz", june, &[jump], Decision::Returned, "请附订单合同").await.unwrap();
        let sheet = app.review_sheet(&coord, "etdz", june).await.unwrap();
        assert_eq!((sheet.flags[0].status, sheet.flags[0].kept.decision_reason.as_str()), (FlagStatus::Returned, "请附订单合同"));
        assert!(matches!(app.submission_step(&coord, "etdz", june, Step::Approve, "").await, Err(ServiceError::Conflict(_))));
        app.submission_step(&coord, "etdz", june, Step::Return, "说明被退回").await.unwrap();
        assert!(
            matches!(app.submission_step(&zone, "etdz", june, Step::Submit, "").await, Err(ServiceError::Conflict(_))),
            "a returned explanation is written again before the month is submitted again"
        );
        app.explain_flags(&zone, "etdz", june, &[jump], "新增海外订单,合同已上传").await.unwrap();
        app.submission_step(&zone, "etdz", june, Step::Submit, "").await.unwrap();
        app.decide_flags(&coord, "etdz", june, &[jump], Decision::Accepted, "").await.unwrap();
        assert_eq!(app.submission_step(&coord, "etdz", june, Step::Approve, "").await.unwrap(), S::Approved);
        assert_eq!(app.review_sheet(&zone, "etdz", june).await.unwrap().flags[0].status, FlagStatus::Accepted);

        // Every explanation and decision is in the audit trail.
        let (entries, _) = app
            .audit_entries(&coord, &store::AuditFilter { entity: Some("review_flag".into()), limit: 50, ..Default::default() })
            .await
            .unwrap();
        let acts: Vec<(&str, &str)> = entries.iter().rev().map(|e| (e.action.as_str(), e.reason.as_str())).collect();
        assert_eq!(
            acts,
            [("review.explain", ""), ("review.return", "请附订单合同"), ("review.explain", ""), ("review.accept", "")],
            "{}",
            db.engine
        );

        // July: 1 jumps, then the zone corrects the figure and the flag is gone with it.
        let july = Month::new(2024, 7).unwrap();
        import(&app, &zone, &format!("uscc,month,revenue,tax\n{},2024-07,4000,3\n", uscc(1))).await.unwrap();
        let rules = |s: &leapfrog_service::ReviewSheet| s.flags.iter().map(|f| f.kept.flag.rule).collect::<Vec<_>>();
        assert_eq!(rules(&app.review_sheet(&zone, "etdz", july).await.unwrap()), ["jump", "missing_reporter"]);
        import(&app, &zone, &format!("uscc,month,revenue,tax\n{},2024-07,410,3\n{},2024-07,50,2\n", uscc(1), uscc(2)))
            .await
            .unwrap();
        assert!(app.review_sheet(&zone, "etdz", july).await.unwrap().flags.is_empty());

        // A negative amount that came by another way than an import blocks, explained or not.
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        sqlx::query("UPDATE facts SET v_tax = -20000 WHERE month = 202407 AND enterprise_id = (SELECT id FROM enterprises WHERE uscc = $1)")
            .bind(uscc(2))
            .execute(&mut raw)
            .await
            .unwrap();
        // (Another write, so the review cached at the last one is computed afresh.)
        import(&app, &other_zone, &format!("uscc,month,revenue\n{},2024-07,1\n", uscc(3))).await.unwrap();
        let refused = app.submission_step(&zone, "etdz", july, Step::Submit, "").await.unwrap_err();
        assert!(matches!(refused, ServiceError::Conflict(ref m) if m.contains("须更正")), "{}: {refused}", db.engine);
        let sheet = app.review_sheet(&zone, "etdz", july).await.unwrap();
        assert_eq!(statuses(&sheet), vec![("negative", FlagStatus::Blocking)]);
        let negative = FlagRef { uscc: &sheet.flags[0].kept.flag.uscc, rule: "negative", indicator: "tax" };
        assert!(matches!(app.explain_flags(&zone, "etdz", july, &[negative], "系统问题").await, Err(ServiceError::NotFound(_))));
    }
}

/// An import keeps the flags of each zone's latest month it writes (and of the month after, once
/// reported): loading history reviews each older month on its page and when it is submitted, and
/// a month nobody has reported yet is not a list of missing reporters until then.
#[tokio::test]
async fn an_import_reviews_each_zones_latest_months_and_submission_the_rest() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        register(&app, &[(1, "etdz", "optoelectronics")]).await;
        let (zone, _, _) = accounts(&app).await;
        // January to June 2024: February jumps fourfold over January, the rest steady.
        let values = [100, 400, 400, 400, 400, 400];
        let facts: String = values.iter().enumerate().map(|(i, v)| format!("{},2024-{:02},{v}\n", uscc(1), i + 1)).collect();
        import(&app, &zone, &format!("uscc,month,revenue\n{facts}")).await.unwrap();
        // What the board counts is what is kept.
        let kept = |m: u32| {
            let app = &app;
            let zone = &zone;
            async move {
                let board = app.submission_board(zone, 2024).await.unwrap();
                board.iter().find(|c| c.zone == "etdz" && c.month == format!("2024-{m:02}")).unwrap().flags.total()
            }
        };
        assert_eq!(kept(2).await, 0, "{}: February is older than the latest month", db.engine);
        assert_eq!(kept(7).await, 0, "July is not reported yet");
        // The month's page shows an open month as a submission would find it: February's jump.
        let february = Month::new(2024, 2).unwrap();
        let sheet = app.review_sheet(&zone, "etdz", february).await.unwrap();
        assert_eq!(sheet.flags.iter().map(|f| f.kept.flag.rule).collect::<Vec<_>>(), ["jump"]);
        // Submitting February reviews it: its jump stops the submission, kept to be explained.
        assert!(matches!(app.submission_step(&zone, "etdz", february, Step::Submit, "").await, Err(ServiceError::Conflict(_))));
        assert_eq!(kept(2).await, 1);
        // July reported: the import reviews it and the month after it is not.
        import(&app, &zone, &format!("uscc,month,revenue\n{},2024-07,1600\n", uscc(1))).await.unwrap();
        assert_eq!(kept(7).await, 1, "{}: July jumps fourfold over June", db.engine);
        assert_eq!(kept(8).await, 0);
        // August, open and unreported: its page lists the missing reporter, and the flag the page
        // shows is explained all the same (kept first).
        let august = Month::new(2024, 8).unwrap();
        let sheet = app.review_sheet(&zone, "etdz", august).await.unwrap();
        assert_eq!(sheet.flags.iter().map(|f| f.kept.flag.rule).collect::<Vec<_>>(), ["missing_reporter"]);
        let missing = leapfrog_service::FlagRef { uscc: &sheet.flags[0].kept.flag.uscc, rule: "missing_reporter", indicator: "" };
        app.explain_flags(&zone, "etdz", august, &[missing], "8月停产检修").await.unwrap();
        assert_eq!(kept(8).await, 1, "{}", db.engine);
        let explained = app.review_sheet(&zone, "etdz", august).await.unwrap();
        assert_eq!(explained.flags[0].status, domain::review::FlagStatus::Explained);
    }
}
