//! Enterprise services (企业点单叫号) on both engines: ordering with a form and files, the
//! departments' queues and who sees what, every step and its refusals, time limits on the
//! working-day calendar, escalation, and ticket numbers under concurrent ordering.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use domain::authz::Role;
use domain::calendar::Date;
use domain::services::{Channel, Light, TicketState, TicketStep};
use leapfrog_service::{App, Caller, Clock, Order, ServiceError, Settings, StepRequest, TicketQuery, Upload};
use testkit::uscc;

fn quiet(_: u64, _: u64) {}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A clock the test moves from day to day (noon in China).
fn clock_at(today: &Arc<AtomicI64>) -> Clock {
    let t = today.clone();
    Clock::from_fn(move || t.load(Ordering::SeqCst))
}

fn set_day(today: &AtomicI64, d: &str) {
    today.store(day(d).days() * 86_400 + 4 * 3600, Ordering::SeqCst);
}

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

/// Two enterprises (经开 and 永修) and an account for each side of a ticket.
async fn region(app: &App) {
    let op = Caller::operator();
    let reg =
        format!("uscc,name,zone,industry\n{},甲公司,etdz,optoelectronics\n{},乙公司,yongxiu,optoelectronics\n", uscc(1), uscc(2));
    let (_f, p) = testkit::file("e.csv", reg.as_bytes());
    app.import_enterprises(&op, &p, &quiet).await.unwrap();
    let accounts = [
        ("ent1", Role::Enterprise, Some(uscc(1))),
        ("ent2", Role::Enterprise, Some(uscc(2))),
        ("finance", Role::Department, Some("finance".to_string())),
        ("economy", Role::Department, Some("economy".to_string())),
        ("approval", Role::Department, Some("approval".to_string())),
        ("etdz", Role::Zone, Some("etdz".to_string())),
        ("yongxiu", Role::Zone, Some("yongxiu".to_string())),
        ("leader", Role::Leader, None),
        ("coordinator", Role::Coordinator, None),
    ];
    for (login, role, scope) in accounts {
        app.add_user(&op, login, login, role, scope.as_deref(), None).await.unwrap();
    }
}

/// The region on a database whose clock the test moves, starting on `day`.
async fn region_on(url: &str, day: &str) -> (App, Arc<AtomicI64>) {
    let today = Arc::new(AtomicI64::new(0));
    set_day(&today, day);
    let app = App::open_with(url, Settings { clock: clock_at(&today), ..Default::default() }).await.unwrap();
    region(&app).await;
    (app, today)
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn pdf(name: &str) -> Upload {
    Upload { file_name: name.into(), bytes: b"%PDF-1.7\n1 0 obj\n".to_vec() }
}

fn loan() -> Order {
    Order {
        item: "loan-caiyuan".into(),
        uscc: None,
        answers: answers(&[("amount", "500"), ("months", "12"), ("purpose", "购买设备")]),
        channel: Channel::Online,
        note: String::new(),
        files: vec![pdf("财务报表.pdf")],
    }
}

fn step(step: TicketStep, version: i64, text: &str) -> StepRequest {
    StepRequest::new(step, version, text)
}

fn rate(version: i64, rating: u8, text: &str) -> StepRequest {
    StepRequest { rating: Some(rating), ..step(TicketStep::Rate, version, text) }
}

#[tokio::test]
async fn a_ticket_goes_from_order_to_rating_and_back_and_every_wrong_step_is_refused() {
    for db in testkit::engines().await {
        let (app, today) = region_on(&db.url, "2023-09-28").await;
        let who = async |login: &str| caller_of(&app, login).await;
        let (ent1, ent2, finance, approval, leader) =
            (who("ent1").await, who("ent2").await, who("finance").await, who("approval").await, who("leader").await);

        // The form and its files are checked before anything is written.
        let no_file = Order { files: Vec::new(), ..loan() };
        assert!(matches!(app.order_service(&ent1, no_file).await, Err(ServiceError::BadRequest(m)) if m.contains("附件")));
        let no_amount = Order { answers: answers(&[("months", "12"), ("purpose", "x")]), ..loan() };
        let err = app.order_service(&ent1, no_amount).await.unwrap_err().to_string();
        assert!(err.contains("申请金额(万元)") && err.contains("必填"), "{}: {err}", db.engine);
        let html = Order { files: vec![Upload { file_name: "a.pdf".into(), bytes: b"<html>".to_vec() }], ..loan() };
        assert!(matches!(app.order_service(&ent1, html).await, Err(ServiceError::BadRequest(_))));
        assert!(app.tickets(&finance, &TicketQuery::default()).await.unwrap().is_empty(), "nothing was written");

        // Ordered: a number at once; the enterprise's own order is online whatever it says.
        let t = app.order_service(&ent1, Order { channel: Channel::Phone, ..loan() }).await.unwrap();
        assert_eq!((t.number.as_str(), t.state, t.channel), ("GJ20230928-0001", TicketState::Ordered, Channel::Online));
        assert_eq!((t.department.as_str(), t.uscc.as_str()), ("finance", uscc(1).as_str()));
        assert_eq!(t.answers["amount"], "500");

        // Who sees it: the enterprise, the finance queue, its zone, the leaders; not another
        // enterprise, department or zone, not even its files.
        for c in [&ent1, &finance, &who("etdz").await, &leader] {
            assert_eq!(app.ticket(c, &t.number).await.unwrap().files.len(), 1, "{}", c.actor.login);
        }
        for c in [&ent2, &approval, &who("yongxiu").await] {
            assert!(matches!(app.ticket(c, &t.number).await, Err(ServiceError::NotFound(_))), "{}", c.actor.login);
            assert!(matches!(app.ticket_file(c, &t.number, 1).await, Err(ServiceError::NotFound(_))));
            assert!(app.tickets(c, &TicketQuery::default()).await.unwrap().is_empty(), "{}", c.actor.login);
        }
        let (file, bytes) = app.ticket_file(&ent1, &t.number, 1).await.unwrap();
        assert_eq!((file.file_name.as_str(), file.content_type.as_str(), bytes.len()), ("财务报表.pdf", "application/pdf", 17));
        let detail = app.ticket(&finance, &t.number).await.unwrap();
        assert_eq!(detail.steps, vec![TicketStep::Accept, TicketStep::Refuse, TicketStep::Transfer]);
        assert_eq!(app.ticket(&ent1, &t.number).await.unwrap().steps, vec![TicketStep::Comment], "only add to it yet");

        // Only the finance department works it; the leader reads, the enterprise cannot accept.
        assert!(matches!(
            app.ticket_step(&leader, &t.number, step(TicketStep::Accept, 1, "")).await,
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            app.ticket_step(&ent1, &t.number, step(TicketStep::Accept, 1, "")).await,
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(
            app.ticket_step(&finance, &t.number, step(TicketStep::Resolve, 1, "好")).await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            app.ticket_step(&finance, &t.number, step(TicketStep::Refuse, 1, " ")).await,
            Err(ServiceError::BadRequest(_))
        ));

        // Two staff accept at once: one succeeds, the other is told it changed.
        let (a, b) = tokio::join!(
            app.ticket_step(&finance, &t.number, step(TicketStep::Accept, 1, "")),
            app.ticket_step(&finance, &t.number, step(TicketStep::Accept, 1, ""))
        );
        assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{}: {a:?} {b:?}", db.engine);
        assert!(matches!(a.err().or(b.err()), Some(ServiceError::Conflict(_))));
        let t = app.store.ticket(&t.number).await.unwrap().unwrap();
        // Ten working days from Thursday 28 September 2023, across the National Day holiday.
        assert_eq!((t.state, t.accepted_on, t.due_on), (TicketState::Accepted, Some(day("2023-09-28")), Some(day("2023-10-18"))));

        // Answered, added to by the enterprise, resolved.
        let t = app.ticket_step(&finance, &t.number, step(TicketStep::Reply, t.version, "已对接合作银行")).await.unwrap();
        assert_eq!(t.state, TicketState::Working);
        let add = StepRequest { files: vec![pdf("补充.pdf")], ..step(TicketStep::Comment, t.version, "补充近两年报表") };
        let t = app.ticket_step(&ent1, &t.number, add).await.unwrap();
        assert!(matches!(app.ticket_step(&ent1, &t.number, rate(t.version, 5, "")).await, Err(ServiceError::Conflict(_))));
        let t = app.ticket_step(&finance, &t.number, step(TicketStep::Resolve, t.version, "贷款已获批")).await.unwrap();
        assert_eq!((t.state, t.resolved_on), (TicketState::Resolved, Some(day("2023-09-28"))));

        // Unsatisfied (2): a reason is required, it goes back with a return visit owed.
        assert!(matches!(app.ticket_step(&ent1, &t.number, rate(t.version, 2, "")).await, Err(ServiceError::BadRequest(_))));
        assert!(matches!(app.ticket_step(&finance, &t.number, rate(t.version, 5, "")).await, Err(ServiceError::Forbidden(_))));
        let t = app.ticket_step(&ent1, &t.number, rate(t.version, 2, "额度不够")).await.unwrap();
        assert_eq!((t.state, t.visit_owed, t.rating, t.resolved_on), (TicketState::Reopened, true, Some(2), None));
        let err = app.ticket_step(&finance, &t.number, step(TicketStep::Resolve, t.version, "再办")).await.unwrap_err();
        assert!(err.to_string().contains("回访"), "{err}");
        let t =
            app.ticket_step(&finance, &t.number, step(TicketStep::Visit, t.version, "电话回访,另行对接科贷通")).await.unwrap();
        let t = app.ticket_step(&finance, &t.number, step(TicketStep::Resolve, t.version, "追加额度已获批")).await.unwrap();
        let t = app.ticket_step(&ent1, &t.number, rate(t.version, 5, "满意")).await.unwrap();
        assert_eq!((t.state, t.rating), (TicketState::Rated, Some(5)));
        assert!(matches!(app.ticket_step(&ent1, &t.number, rate(t.version, 1, "再评")).await, Err(ServiceError::Conflict(_))));
        let events = app.ticket(&ent1, &t.number).await.unwrap().events;
        let steps: Vec<&str> = events.iter().map(|e| e.step.code()).collect();
        assert_eq!(steps, ["order", "accept", "reply", "comment", "resolve", "rate", "visit", "resolve", "rate"]);
        assert_eq!(app.ticket(&ent1, &t.number).await.unwrap().files.len(), 2);

        // The day's second ticket; transferred from the 经发局 to the 财政金融局, it leaves the
        // first queue and starts over in the second.
        let coordinator = who("coordinator").await;
        let policy = Order {
            item: "policy".into(),
            uscc: Some(uscc(2)),
            answers: answers(&[("topic", "技改补贴"), ("question", "申报条件?")]),
            channel: Channel::Visit,
            note: "领导挂点走访时提出".into(),
            files: Vec::new(),
        };
        let p = app.order_service(&coordinator, policy).await.unwrap();
        assert_eq!((p.number.as_str(), p.channel, p.department.as_str()), ("GJ20230928-0002", Channel::Visit, "economy"));
        let economy = who("economy").await;
        let p = app.ticket_step(&economy, &p.number, step(TicketStep::Accept, p.version, "")).await.unwrap();
        assert_eq!(p.due_on, Some(day("2023-10-09")), "three working days: 7, 8 (make-up days) and 9 October");
        let bad = StepRequest { department: Some("economy".into()), ..step(TicketStep::Transfer, p.version, "属财政事项") };
        assert!(matches!(app.ticket_step(&economy, &p.number, bad).await, Err(ServiceError::BadRequest(_))));
        let to = StepRequest { department: Some("finance".into()), ..step(TicketStep::Transfer, p.version, "属财政事项") };
        let p = app.ticket_step(&economy, &p.number, to).await.unwrap();
        assert_eq!((p.state, p.department.as_str(), p.due_on), (TicketState::Ordered, "finance", None));
        assert!(matches!(app.ticket(&economy, &p.number).await, Err(ServiceError::NotFound(_))));
        let queue =
            app.tickets(&finance, &TicketQuery { states: vec![TicketState::Ordered], ..Default::default() }).await.unwrap();
        assert_eq!(queue.iter().map(|r| r.ticket.number.as_str()).collect::<Vec<_>>(), ["GJ20230928-0002"]);

        // Accepted again on 28 September, the item's three days run to 9 October: blue on the
        // 8th (a make-up working day), yellow on the 9th, red and escalated once on the 10th.
        let p = app.ticket_step(&finance, &p.number, step(TicketStep::Accept, p.version, "")).await.unwrap();
        assert_eq!(p.due_on, Some(day("2023-10-09")));
        let number = p.number.clone();
        let row = async || {
            app.tickets(&finance, &TicketQuery::default())
                .await
                .unwrap()
                .iter()
                .find(|r| r.ticket.number == number)
                .unwrap()
                .clone()
        };
        set_day(&today, "2023-10-07");
        assert_eq!((row().await.light, row().await.days_left), (Light::Green, Some(2)));
        set_day(&today, "2023-10-08");
        assert_eq!((row().await.light, row().await.days_left), (Light::Blue, Some(1)));
        set_day(&today, "2023-10-09");
        assert!(app.escalate_overdue().await.unwrap().is_empty());
        assert_eq!(row().await.light, Light::Yellow);
        set_day(&today, "2023-10-10");
        assert_eq!((row().await.light, row().await.days_left), (Light::Red, Some(-1)));
        let escalated = app.escalate_overdue().await.unwrap();
        assert_eq!(escalated.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(), ["GJ20230928-0002"]);
        assert!(app.escalate_overdue().await.unwrap().is_empty(), "once");
        let p = app.store.ticket(&p.number).await.unwrap().unwrap();
        assert!(p.escalated_at.is_some());
        // Escalation does not stand in the way of the department's next step.
        app.ticket_step(&finance, &p.number, step(TicketStep::Reply, p.version, "正在办理")).await.unwrap();

        // A new day starts its numbers again.
        let t = app.order_service(&ent1, loan()).await.unwrap();
        assert_eq!(t.number, "GJ20231010-0001");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_orders_on_two_nodes_get_distinct_numbers() {
    for db in testkit::engines().await {
        let settings = || Settings { clock: Clock::on(day("2023-09-28")), ..Default::default() };
        let first = App::open_with(&db.url, settings()).await.unwrap();
        region(&first).await;
        // A second node on the same database (on SQLite, a second pool on the same file).
        let second = App::open_with(&db.url, settings()).await.unwrap();
        let ent1 = caller_of(&first, "ent1").await;
        let mut orders = tokio::task::JoinSet::new();
        for k in 0..24 {
            let (app, caller) = (if k % 2 == 0 { first.clone() } else { second.clone() }, ent1.clone());
            orders.spawn(async move { app.order_service(&caller, loan()).await });
        }
        let mut numbers = Vec::new();
        while let Some(r) = orders.join_next().await {
            numbers.push(r.unwrap().unwrap().number);
        }
        numbers.sort();
        let expected: Vec<String> = (1..=24).map(|n| format!("GJ20230928-{n:04}")).collect();
        assert_eq!(numbers, expected, "{}", db.engine);
    }
}

#[tokio::test]
async fn statistics_and_the_zone_assessment_count_time_limits_and_ratings() {
    for db in testkit::engines().await {
        let (app, today) = region_on(&db.url, "2023-09-28").await;
        let (ent1, ent2, economy) =
            (caller_of(&app, "ent1").await, caller_of(&app, "ent2").await, caller_of(&app, "economy").await);
        let policy = || Order {
            item: "policy".into(),
            uscc: None,
            answers: answers(&[("topic", "补贴"), ("question", "条件?")]),
            channel: Channel::Online,
            note: String::new(),
            files: Vec::new(),
        };
        // Three policy questions (3 working days from 28 September: due 9 October).
        let mut done = Vec::new();
        for (who, resolve_on, rating) in [(&ent1, "2023-10-09", 5), (&ent1, "2023-10-10", 3), (&ent2, "2023-10-08", 4)] {
            set_day(&today, "2023-09-28");
            let t = app.order_service(who, policy()).await.unwrap();
            let t = app.ticket_step(&economy, &t.number, step(TicketStep::Accept, t.version, "")).await.unwrap();
            set_day(&today, resolve_on);
            let t = app.ticket_step(&economy, &t.number, step(TicketStep::Resolve, t.version, "已答复")).await.unwrap();
            done.push(app.ticket_step(who, &t.number, rate(t.version, rating, "")).await.unwrap());
        }
        // A fourth still open past its due day on 16 October, and one refused.
        set_day(&today, "2023-10-09");
        let open = app.order_service(&ent2, policy()).await.unwrap();
        app.ticket_step(&economy, &open.number, step(TicketStep::Accept, open.version, "")).await.unwrap();
        let refused = app.order_service(&ent1, policy()).await.unwrap();
        app.ticket_step(&economy, &refused.number, step(TicketStep::Refuse, refused.version, "非本局事项")).await.unwrap();
        set_day(&today, "2023-10-16");

        let leader = caller_of(&app, "leader").await;
        let s = app.ticket_stats(&leader, 2023).await.unwrap();
        let t = &s.total;
        assert_eq!((t.received, t.accepted, t.refused, t.resolved, t.on_time, t.overdue), (5, 4, 1, 3, 2, 2), "{}", db.engine);
        // 3 working days (7, 8, 9 October), 4 (… 10 October) and 2 (7, 8 October): mean 3.
        assert_eq!(t.handling_days, Some(3.0));
        assert_eq!((t.rated, t.satisfied, t.satisfaction_pct), (3, 2, Some(66.7)));
        assert_eq!(s.by_department.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), ["economy"]);
        let zone = |code: &str| s.by_zone.iter().find(|r| r.code == code).unwrap().tally.clone();
        assert_eq!((zone("etdz").received, zone("yongxiu").received), (3, 2));
        assert_eq!(s.by_month.len(), 10, "January to October 2023");
        assert_eq!((s.by_month[8].tally.received, s.by_month[9].tally.received), (3, 2));
        // An enterprise's statistics are its own tickets'.
        assert_eq!(app.ticket_stats(&ent2, 2023).await.unwrap().total.received, 2);

        // The zone assessment's 企业服务满意度 (weight 10): etdz 1 of 2 satisfied → 5, yongxiu 1 of 1
        // → 10, the zones without ratings the mean of those (the plan's "average") → 7.5.
        let out = app.assess(&Caller::operator(), 2023).await.unwrap();
        let score = |z: &str| out.iter().find(|x| x.zone == z).unwrap().scores["satisfaction"];
        assert_eq!((score("etdz"), score("yongxiu"), score("direct")), (5.0, 10.0, 7.5));
        let line =
            out.iter().find(|x| x.zone == "etdz").unwrap().lines.iter().find(|l| l.code == "satisfaction").unwrap().how.clone();
        assert!(line.contains("评价服务工单 2 件,满意(4分及以上) 1 件"), "{line}");
    }
}

#[tokio::test]
async fn the_inbox_tells_each_side_what_needs_it_once() {
    for db in testkit::engines().await {
        let (app, today) = region_on(&db.url, "2023-09-28").await;
        let who = async |login: &str| caller_of(&app, login).await;
        let (ent1, ent2, economy, finance, coordinator, leader) = (
            who("ent1").await,
            who("ent2").await,
            who("economy").await,
            who("finance").await,
            who("coordinator").await,
            who("leader").await,
        );
        let titles = async |c: &Caller| app.inbox(c).await.unwrap().0.into_iter().map(|m| m.title).collect::<Vec<_>>();

        // A new ticket lands in the department's inbox, not another's.
        let order = Order {
            item: "policy".into(),
            uscc: None,
            answers: answers(&[("topic", "补贴"), ("question", "条件?")]),
            channel: Channel::Online,
            note: String::new(),
            files: Vec::new(),
        };
        let t = app.order_service(&ent1, order).await.unwrap();
        let got = titles(&economy).await;
        assert_eq!(got.len(), 1, "{}: {got:?}", db.engine);
        assert!(got[0].starts_with("新工单 GJ20230928-0001 · 政策咨询 · 甲公司"), "{got:?}");
        assert!(titles(&finance).await.is_empty());
        assert_eq!(app.unread(&economy).await.unwrap(), 1);

        // Accepted: the enterprise hears of it, the other enterprise does not.
        app.ticket_step(&economy, &t.number, step(TicketStep::Accept, t.version, "")).await.unwrap();
        assert_eq!(titles(&ent1).await, ["您的工单 GJ20230928-0001(政策咨询)受理"]);
        assert!(titles(&ent2).await.is_empty());

        // One working day left on Sunday 8 October (a make-up working day): the department is
        // reminded once however often the sweep runs.
        set_day(&today, "2023-10-08");
        app.remind_deadlines().await.unwrap();
        app.remind_deadlines().await.unwrap();
        let reminders: Vec<String> =
            titles(&economy).await.into_iter().filter(|m| m.contains("应于 2023-10-09 前办结")).collect();
        assert_eq!(reminders.len(), 1, "{reminders:?}");
        assert!(reminders[0].contains("剩1个工作日"));

        // Overdue: escalated to the coordinator, the leaders and the department, once.
        set_day(&today, "2023-10-10");
        app.escalate_overdue().await.unwrap();
        for c in [&coordinator, &leader, &economy] {
            let got: Vec<String> = titles(c).await.into_iter().filter(|m| m.starts_with("督办")).collect();
            assert_eq!(got.len(), 1, "{}: {got:?}", c.actor.login);
            assert!(got[0].contains("GJ20230928-0001") && got[0].contains("2023-10-09"), "{got:?}");
        }
        assert!(!titles(&ent1).await.iter().any(|m| m.starts_with("督办")));

        // Read: one message, then all.
        // (The 经发局 also owns the 5G coverage KPI, late since 5 October: told of that too.)
        let (messages, unread) = app.inbox(&economy).await.unwrap();
        assert_eq!(unread, 4, "{messages:?}");
        assert!(messages.iter().any(|m| m.title.contains("逾期未报")));
        assert_eq!(app.mark_read(&economy, Some(vec![messages[0].key.clone()])).await.unwrap(), 1);
        assert_eq!(app.unread(&economy).await.unwrap(), 3);
        assert_eq!(app.mark_read(&economy, None).await.unwrap(), 3);
        assert_eq!(app.unread(&economy).await.unwrap(), 0);
        assert!(app.inbox(&economy).await.unwrap().0.iter().all(|m| m.read));
        // Another account's messages are untouched by it.
        assert_eq!(app.unread(&ent1).await.unwrap(), 1);

        // A returned month tells the zone; its submission tells the coordinators.
        let op = Caller::operator();
        let month = domain::Month::new(2023, 9).unwrap();
        let etdz = who("etdz").await;
        app.submission_step(&etdz, "etdz", month, domain::submission::Step::Submit, "").await.unwrap();
        assert!(
            titles(&coordinator).await.iter().any(|m| m.contains("已提交2023年9月月度数据,待审核")),
            "{:?}",
            titles(&coordinator).await
        );
        app.submission_step(&op, "etdz", month, domain::submission::Step::Return, "营业收入有误").await.unwrap();
        assert!(
            titles(&etdz).await.iter().any(|m| m.contains("2023年9月月度数据被退回:营业收入有误")),
            "{:?}",
            titles(&etdz).await
        );
        assert!(!titles(&who("yongxiu").await).await.iter().any(|m| m.contains("被退回")));
    }
}
