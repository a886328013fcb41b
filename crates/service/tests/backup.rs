//! Backups taken while the database is being written: each is the database at one moment (the
//! facts and their aggregates agree, the audit trail verifies), on both engines.

use leapfrog_service::{App, Caller};

use testkit::uscc;

#[tokio::test]
async fn a_backup_taken_while_imports_run_is_the_database_at_one_moment() {
    for db in testkit::engines().await {
        let op = Caller::operator();
        let app = App::open(&db.url).await.unwrap();
        let mut reg = String::from("uscc,name,zone,industry\n");
        for n in 1..=200 {
            reg.push_str(&format!("{},企业{n},etdz,optoelectronics\n", uscc(n)));
        }
        let (_a, p) = testkit::file("e.csv", reg.as_bytes());
        app.import_enterprises(&op, &p, &|_, _| {}).await.unwrap();
        // Twelve imports, a month each: every one writes facts, aggregates and an audit entry
        // in one transaction.
        let writer = {
            let app = app.clone();
            tokio::spawn(async move {
                for m in 1..=12u32 {
                    let mut facts = String::from("uscc,month,revenue,tax\n");
                    for n in 1..=200 {
                        facts.push_str(&format!("{},2022-{m:02},{},{}\n", uscc(n), n * m, n));
                    }
                    let (_f, p) = testkit::file("f.csv", facts.as_bytes());
                    app.import_facts(&Caller::operator(), &p, false, &|_, _| {}).await.unwrap();
                }
            })
        };
        let dir = tempfile::tempdir().unwrap();
        let mut taken = Vec::new();
        while !writer.is_finished() {
            let file = dir.path().join(format!("b{}.db", taken.len()));
            leapfrog_service::backup::backup(&db.url, &file, &|_| {}).await.unwrap();
            taken.push(file);
        }
        writer.await.unwrap();
        assert!(!taken.is_empty());
        let mut months_seen = std::collections::BTreeSet::new();
        for file in &taken {
            let copy = App::open(&format!("sqlite://{}", file.display())).await.unwrap();
            assert!(
                testkit::drifted_aggregates(&copy.store, &copy.plan).await.is_empty(),
                "{}: {} is torn",
                db.engine,
                file.display()
            );
            let verified = copy.verify_audit(&op).await.unwrap();
            assert!(verified.is_ok(), "{}: {verified:?}", file.display());
            months_seen.insert(copy.latest_month().await.unwrap());
        }
        // The backups caught the imports at different points (each one whole).
        assert!(months_seen.len() > 1 || taken.len() == 1, "{months_seen:?}");
    }
}
