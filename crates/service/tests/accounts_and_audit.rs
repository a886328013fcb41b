//! Accounts, logins, the tamper-evident audit trail and scoped imports, on both engines.

use domain::authz::Role;
use leapfrog_service::{App, Caller, LoginError, ServiceError};
use sqlx::Executor;

fn op() -> Caller {
    Caller::operator()
}

use testkit::uscc;

async fn with_registry(url: &str) -> App {
    let app = App::open(url).await.unwrap();
    let text = format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n{},乙,yongxiu,silicone\n", uscc(1), uscc(2));
    let (_g, p) = testkit::file("e.csv", text.as_bytes());
    app.import_enterprises(&op(), &p, &|_, _| {}).await.unwrap();
    app
}

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

#[tokio::test]
async fn accounts_start_with_a_password_to_change_and_policy_applies() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        let initial = app.add_user(&op(), "wang", "王填报", Role::Zone, Some("经开组团"), None).await.unwrap();
        let session = app.login("wang", &initial, "r1").await.unwrap();
        assert!(session.must_change_password, "{}", db.engine);
        let (actor, _, must_change) = app.session_actor(&session.token).await.unwrap().unwrap();
        assert_eq!((actor.role, actor.scope.as_deref(), must_change), (Role::Zone, Some("etdz"), true));

        let me = caller_of(&app, "wang").await;
        let weak = app.change_password(&me, None, &initial, "short").await.unwrap_err();
        assert!(weak.to_string().contains("10"), "{weak}");
        app.change_password(&me, None, &initial, "Ganxin-Zone-88").await.unwrap();
        assert!(!app.login("wang", "Ganxin-Zone-88", "r2").await.unwrap().must_change_password);

        // Scopes are checked against the plan and the registry.
        let err = app.add_user(&op(), "li", "李", Role::Zone, Some("linkong"), None).await.unwrap_err();
        assert!(err.to_string().contains("一级组团"), "{err}");
        assert!(app.add_user(&op(), "qy", "企业", Role::Enterprise, Some(&uscc(9)), None).await.is_err());
        assert!(app.add_user(&op(), "qy", "企业", Role::Enterprise, Some(&uscc(2)), None).await.is_ok());
        assert!(app.add_user(&op(), "wang", "重名", Role::Leader, None, None).await.is_err());
        // Only those who manage users may.
        assert!(matches!(app.add_user(&me, "x", "x", Role::Leader, None, None).await, Err(ServiceError::Forbidden(_))));
    }
}

#[tokio::test]
async fn failed_logins_lock_the_account_for_every_node() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        let pw = app.add_user(&op(), "zhao", "赵", Role::Leader, None, None).await.unwrap();
        // Five checks, then the lock: the sixth is not checked at all.
        for _ in 0..5 {
            assert_eq!(app.login("zhao", "wrong-password", "r").await.unwrap_err(), LoginError::Wrong);
        }
        assert!(matches!(app.login("zhao", "wrong-password", "r").await, Err(LoginError::Locked)));
        // Another node (another pool on the same database) sees the lock: the right password
        // does not open it either.
        let other = App::open(&db.url).await.unwrap();
        assert!(matches!(other.login("zhao", &pw, "r").await, Err(LoginError::Locked)), "{}", db.engine);
        // A reset by an administrator unlocks it.
        let new = app.reset_password(&op(), "zhao").await.unwrap();
        assert!(app.login("zhao", &new, "r").await.is_ok());
        // Disabled accounts cannot log in, and their sessions end.
        let s = app.login("zhao", &new, "r").await.unwrap();
        app.set_user_disabled(&op(), "zhao", true).await.unwrap();
        assert_eq!(app.login("zhao", &new, "r").await.unwrap_err(), LoginError::Wrong);
        assert!(app.session_actor(&s.token).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn api_tokens_act_as_their_owner_until_revoked() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        app.add_user(&op(), "etdz-system", "经开组团系统", Role::Zone, Some("etdz"), None).await.unwrap();
        let token = app.create_token(&op(), "etdz-system", "月报接口").await.unwrap();
        let actor = app.token_actor(&token).await.unwrap().unwrap();
        assert_eq!((actor.login.as_str(), actor.scope.as_deref()), ("etdz-system", Some("etdz")));
        let id = app.tokens(&op()).await.unwrap()[0].id;
        app.revoke_token(&op(), id).await.unwrap();
        assert!(app.token_actor(&token).await.unwrap().is_none(), "{}", db.engine);
        assert!(app.revoke_token(&op(), id).await.is_err());
    }
}

#[tokio::test]
async fn a_token_kept_in_memory_stops_working_when_another_node_revokes_it_or_disables_its_owner() {
    // Nodes keep the accounts behind tokens in memory by data version: a revocation or a disabled
    // account elsewhere is a write, so the very next request here is refused.
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        let other_node = App::open(&db.url).await.unwrap();
        app.add_user(&op(), "etdz-system", "经开组团系统", Role::Zone, Some("etdz"), None).await.unwrap();
        let first = app.create_token(&op(), "etdz-system", "一").await.unwrap();
        let second = app.create_token(&op(), "etdz-system", "二").await.unwrap();
        for _ in 0..2 {
            assert!(app.token_actor(&first).await.unwrap().is_some());
            assert!(app.token_actor(&second).await.unwrap().is_some());
        }
        let id = other_node.tokens(&op()).await.unwrap()[0].id;
        other_node.revoke_token(&op(), id).await.unwrap();
        assert!(app.token_actor(&first).await.unwrap().is_none(), "{}: revoked on the other node", db.engine);
        assert!(app.token_actor(&second).await.unwrap().is_some());
        other_node.set_user_disabled(&op(), "etdz-system", true).await.unwrap();
        assert!(app.token_actor(&second).await.unwrap().is_none(), "{}: owner disabled on the other node", db.engine);
    }
}

#[tokio::test]
async fn zone_users_import_only_their_zone() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        app.add_user(&op(), "zone-etdz", "经开", Role::Zone, Some("etdz"), None).await.unwrap();
        let zone = caller_of(&app, "zone-etdz").await;
        let own = format!("uscc,month,revenue\n{},2022-01,10\n", uscc(1));
        let (_g, p) = testkit::file("own.csv", own.as_bytes());
        app.import_facts(&zone, &p, false, &|_, _| {}).await.unwrap();
        let mixed = format!("uscc,month,revenue\n{},2022-02,10\n{},2022-02,99\n", uscc(1), uscc(2));
        let (_g, p) = testkit::file("mixed.csv", mixed.as_bytes());
        let Err(ServiceError::Forbidden(msg)) = app.import_facts(&zone, &p, false, &|_, _| {}).await else {
            panic!("must be refused")
        };
        assert!(msg.contains("第3行"), "{msg}");
        let rows = app
            .progress(&op(), "revenue", domain::Month::new(2022, 2).unwrap(), leapfrog_service::Figures::Provisional)
            .await
            .unwrap();
        assert!(rows.iter().all(|r| r.value.is_none()), "nothing of the refused file was kept ({})", db.engine);
        // Moving an enterprise out of another zone is refused too.
        let moved = format!("uscc,name,zone,industry\n{},乙,etdz,silicone\n", uscc(2));
        let (_g, p) = testkit::file("move.csv", moved.as_bytes());
        assert!(matches!(app.import_enterprises(&zone, &p, &|_, _| {}).await, Err(ServiceError::Forbidden(_))));
        // Leaders write nothing.
        app.add_user(&op(), "leader", "领导", Role::Leader, None, None).await.unwrap();
        let leader = caller_of(&app, "leader").await;
        let (_g, p) = testkit::file("own2.csv", own.as_bytes());
        assert!(matches!(app.import_facts(&leader, &p, false, &|_, _| {}).await, Err(ServiceError::Forbidden(_))));
    }
}

#[tokio::test]
async fn audit_verify_names_the_entry_that_was_tampered_with() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        app.add_user(&op(), "sun", "孙", Role::Leader, None, None).await.unwrap();
        let _ = app.login("sun", "not-the-password", "r").await;
        let (entries, total) = app.audit_entries(&op(), &store::AuditFilter { limit: 100, ..Default::default() }).await.unwrap();
        let actions: Vec<&str> = entries.iter().rev().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["plan.load", "import.enterprises", "user.add", "login.failed"], "{}", db.engine);
        assert_eq!(
            app.verify_audit(&Caller::operator()).await.unwrap(),
            Ok(domain::audit::Verified { entries: total as usize, unkeyed: 0 })
        );

        // Edit a stored entry behind the program's back.
        sqlx::any::install_default_drivers();
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        let original: String = sqlx::query_scalar("SELECT actor FROM audit_log WHERE seq = 2").fetch_one(&mut raw).await.unwrap();
        raw.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").await.unwrap();
        let broken = app.verify_audit(&Caller::operator()).await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 2, "{}", db.engine);

        // Removing an entry is found too.
        sqlx::query("UPDATE audit_log SET actor = $1 WHERE seq = 2").bind(original).execute(&mut raw).await.unwrap();
        assert!(app.verify_audit(&Caller::operator()).await.unwrap().is_ok(), "restored");
        raw.execute("DELETE FROM audit_log WHERE seq = 3").await.unwrap();
        let broken = app.verify_audit(&Caller::operator()).await.unwrap().unwrap_err();
        assert_eq!(broken.seq, 3);
    }
}

#[tokio::test]
async fn a_burst_of_guesses_on_two_nodes_checks_no_more_than_five_and_the_lock_holds() {
    // Before: 29 wrong passwords at once and the right one 0.3 s later signed in, and a failure
    // still in flight cleared the lock.
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        let other = App::open(&db.url).await.unwrap();
        let pw = app.add_user(&op(), "qian", "钱", Role::Leader, None, None).await.unwrap();
        let guesses = (0..29).map(|i| {
            let node = if i % 2 == 0 { app.clone() } else { other.clone() };
            tokio::spawn(async move { node.login("qian", "wrong-password", "burst").await })
        });
        let right = {
            let node = other.clone();
            let pw = pw.clone();
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                node.login("qian", &pw, "right").await
            })
        };
        let outcomes: Vec<_> = futures_join(guesses.collect()).await;
        assert!(outcomes.iter().all(|o| o.is_err()));
        assert!(matches!(right.await.unwrap(), Err(LoginError::Locked)), "{}: the lock holds", db.engine);
        let checked = app
            .store
            .audit_entries(&store::AuditFilter { action: Some("login.failed".into()), limit: 100, ..Default::default() })
            .await
            .unwrap()
            .1;
        assert_eq!(checked, 5, "{}: only five passwords were checked", db.engine);
        // After the lock period a new count begins (simulated by ending the lock in the data).
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        conn.execute("UPDATE users SET locked_until = 1 WHERE login = 'qian'").await.unwrap();
        assert!(app.login("qian", &pw, "later").await.is_ok(), "{}", db.engine);
    }
}

async fn futures_join<T>(handles: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn unknown_logins_get_the_same_words_and_cannot_grow_the_trail() {
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        app.add_user(&op(), "sun", "孙", Role::Leader, None, None).await.unwrap();
        let known = app.login("sun", "wrong-password", "r").await.unwrap_err();
        let unknown = app.login("nobody-here", "wrong-password", "r").await.unwrap_err();
        assert_eq!(known.to_string(), unknown.to_string());
        assert_eq!(LoginError::Locked.to_string(), known.to_string());
        let before = app.store.audit_entries(&store::AuditFilter { limit: 1, ..Default::default() }).await.unwrap().1;
        for i in 0..40 {
            let _ = app.login(&format!("stranger-{i}"), "x", "r").await;
        }
        let after = app.store.audit_entries(&store::AuditFilter { limit: 1, ..Default::default() }).await.unwrap().1;
        assert!(after - before <= 1, "{}: {} entries for 40 strangers", db.engine, after - before);
        let counts = app.store.event_counts(10).await.unwrap();
        let strangers: i64 = counts.iter().filter(|c| c.2 == "login.failed.unknown").map(|c| c.3).sum();
        assert_eq!(strangers, 41, "{}: every attempt is counted", db.engine);
    }
}

/// Adds `n` entries to the trail.
async fn entries(app: &App, n: usize) {
    for i in 0..n {
        app.store.audit(&store::AuditRecord::new("test", "test.entry", "test", &i.to_string())).await.unwrap();
    }
}

#[tokio::test]
async fn a_cut_tail_is_found_against_the_checkpoint_outside_the_database() {
    // Before: deleting the newest 20 entries, or all of them, verified as intact.
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        entries(&app, 25).await;
        let total = app.verify_audit(&Caller::operator()).await.unwrap().unwrap().entries as i64;
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        sqlx::query("DELETE FROM audit_log WHERE seq > $1").bind(total - 20).execute(&mut raw).await.unwrap();
        let broken = app.verify_audit(&Caller::operator()).await.unwrap().unwrap_err();
        assert_eq!(broken.seq, total - 19, "{}", db.engine);
        assert!(broken.reason.contains("newest entries were removed"), "{}", broken.reason);
        raw.execute("DELETE FROM audit_log").await.unwrap();
        assert_eq!(app.verify_audit(&Caller::operator()).await.unwrap().unwrap_err().seq, 1, "{}: an emptied trail", db.engine);
    }
}

#[tokio::test]
async fn a_chain_recomputed_with_plain_sha256_is_found() {
    // Before: an edit whose chain was recomputed with plain SHA-256 verified as intact.
    for db in testkit::engines().await {
        let app = with_registry(&db.url).await;
        entries(&app, 5).await;
        app.verify_audit(&Caller::operator()).await.unwrap().unwrap();
        let mut chain = app.store.audit_chain().await.unwrap();
        chain[1].actor = "mallory".into();
        for i in 1..chain.len() {
            chain[i].prev_hash = chain[i - 1].hash.clone();
            chain[i].keyed = false;
            chain[i].hash = domain::audit::entry_hash(&chain[i], None);
        }
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        for e in &chain[1..] {
            sqlx::query("UPDATE audit_log SET actor = $1, prev_hash = $2, hash = $3, keyed = 0 WHERE seq = $4")
                .bind(&e.actor)
                .bind(&e.prev_hash)
                .bind(&e.hash)
                .bind(e.seq)
                .execute(&mut raw)
                .await
                .unwrap();
        }
        assert_eq!(app.verify_audit(&Caller::operator()).await.unwrap().unwrap_err().seq, 2, "{}", db.engine);
    }
}

/// A transaction that appends several audit entries (a bulk workflow step) and then fails: the
/// checkpoint kept outside the database names no entry the database does not have. (Writing it
/// before the commit named the transaction's own first entry: a crash then read as a cut trail.)
#[tokio::test]
async fn a_failed_bulk_step_leaves_the_checkpoint_at_what_was_committed() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let change = |scope: &str, from| store::StateChange { scope: scope.into(), period: 202206, from };
        let audit = |scope: &str| store::AuditRecord::new("test", "submission.lock", "zone_month", &format!("{scope}/2022-06"));
        let draft = domain::submission::SubmissionState::Draft;
        // The third change expects a state its month is not in: the whole step fails.
        let changes =
            [change("etdz", draft), change("yongxiu", draft), change("gongqing", domain::submission::SubmissionState::Locked)];
        let audits = [audit("etdz"), audit("yongxiu"), audit("gongqing")];
        let failed =
            app.store.step_states(store::ZONE_MONTH, &changes, domain::submission::SubmissionState::Locked, &audits, &[]).await;
        assert!(failed.is_err(), "{}", db.engine);
        let verified = app.verify_audit(&op).await.unwrap();
        assert!(verified.is_ok(), "{}: {verified:?}", db.engine);
    }
}
