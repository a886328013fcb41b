//! The per-mu evaluation over the registry and a year's facts, on both engines: who is
//! evaluated, who is left ungraded and why, official against provisional months, and scoping.

use domain::authz::Role;
use domain::calendar::Date;
use domain::{Month, Uscc};
use leapfrog_service::{App, Caller, Clock, Figures, ProjectFileKind, Settings};

fn uscc(n: u32) -> String {
    Uscc::complete(&format!("91361200MA{n:07}")).unwrap().to_string()
}

fn quiet(_: u64, _: u64) {}

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

#[tokio::test]
async fn the_population_exemptions_figures_and_scopes() {
    for db in testkit::engines().await {
        let settings = Settings { clock: Clock::on(Date::new(2023, 3, 1).unwrap()), ..Default::default() };
        let app = App::open_with(&db.url, settings).await.unwrap();
        let op = Caller::operator();
        // 1-4 规下 光电 in etdz with 10 亩; 5 a utility; 6 founded in 2021; 7 holds 2 亩; 8 a
        // service company; 9 规下 in yongxiu; 10 the investor of a major project building in 2022.
        let mut reg = String::from("uscc,name,zone,industry,land_mu,above_scale,established,tags\n");
        for n in 1..=10u32 {
            let (zone, industry, land, est, tags) = match n {
                5 => ("etdz", "optoelectronics", "10", "2010-01-01", "公用事业"),
                6 => ("etdz", "optoelectronics", "10", "2021-06-01", ""),
                7 => ("etdz", "optoelectronics", "2", "2010-01-01", ""),
                8 => ("etdz", "digital-economy", "10", "2010-01-01", ""),
                9 => ("yongxiu", "silicone", "10", "2010-01-01", ""),
                _ => ("etdz", "optoelectronics", "10", "2010-01-01", ""),
            };
            reg.push_str(&format!("{},企业{n},{zone},{industry},{land},否,{est},{tags}\n", uscc(n)));
        }
        let (_a, p) = testkit::file("e.csv", reg.as_bytes());
        app.import_enterprises(&op, &p, &quiet).await.unwrap();
        // Tax and revenue in June 2022: enterprise n pays n × 10 万元 of tax.
        let mut facts = String::from("uscc,month,revenue,tax\n");
        for n in 1..=10u32 {
            facts.push_str(&format!("{},2022-06,{},{}\n", uscc(n), n * 100, n * 10));
        }
        // December is a draft: only provisional figures count it.
        facts.push_str(&format!("{},2022-12,100,1000\n", uscc(1)));
        let (_b, p) = testkit::file("f.csv", facts.as_bytes());
        app.import_facts(&op, &p, false, &quiet).await.unwrap();
        app.close_months(&op, Month::new(2022, 11).unwrap(), None, domain::submission::SubmissionState::Locked, "history")
            .await
            .unwrap();
        let project = format!(
            "code,name,investor_uscc,zone,industry,type,total_investment,status,planned_start,actual_start\nP1,扩建,{},etdz,optoelectronics,扩建,50000,在建,2022-03,2022-03\n",
            uscc(10)
        );
        let (_c, p) = testkit::file("p.csv", project.as_bytes());
        app.import_project_file(&op, ProjectFileKind::Projects, &p, &quiet).await.unwrap();

        let all = app.evaluate(&op, 2022, Figures::Official).await.unwrap();
        let of = |n: u32| all.iter().find(|r| r.uscc == uscc(n));
        assert!(of(7).is_none() && of(8).is_none(), "{}: below the land threshold, or a service company", db.engine);
        assert_eq!(all.len(), 8);
        assert_eq!(of(5).unwrap().class, "ungraded");
        assert_eq!(of(5).unwrap().exempt.as_deref(), Some("公用事业"));
        assert_eq!(of(6).unwrap().exempt.as_deref(), Some("成立不满2年"));
        assert_eq!(of(10).unwrap().exempt.as_deref(), Some("重大项目在建"));
        // Benchmark tax per mu over all eight (ungraded ones count): (1+2+3+4+5+6+9+10) × 10 / 80.
        assert_eq!(of(1).unwrap().benchmarks["tax_per_mu"], Some(5.0));
        assert_eq!(of(9).unwrap().values["tax_per_mu"], Some(9.0));
        assert_eq!(of(1).unwrap().ranked, 5, "five graded");
        // Five ranked: A to ceil(1.25) = 2, B to ceil(3.5) = 4, C to ceil(4.75) = 5 — no D.
        let classes: Vec<&str> = [9, 4, 3, 2, 1].iter().map(|n| of(*n).unwrap().class).collect();
        assert_eq!(classes, vec!["A", "A", "B", "B", "C"]);
        // What lifts enterprise 1 from C: its tax at the stated value moves it up, as recomputed.
        let d = app.evaluation_detail(&op, 2022, &uscc(1), Figures::Official).await.unwrap();
        let tax = d.lines.iter().find(|l| l.code == "tax_per_mu").unwrap();
        let needed = tax.numerator_for_next_class.expect("a tax that lifts it");
        assert!(needed > 10.0 && tax.numerator_now == Some(10.0), "{needed}");
        assert!(d.policy.contains("规范转型"), "{}", d.policy);
        // June is locked; the operator's import replaces its tax (a zone's would be refused).
        let more = format!("uscc,month,tax\n{},2022-06,{needed}\n", uscc(1));
        let (_d, p) = testkit::file("more.csv", more.as_bytes());
        app.import_facts(&op, &p, false, &quiet).await.unwrap();
        let lifted = app.evaluate(&op, 2022, Figures::Official).await.unwrap();
        assert_eq!(lifted.iter().find(|r| r.uscc == uscc(1)).unwrap().class, "B", "{}", db.engine);

        // Provisional figures add the draft December: enterprise 1 then leads.
        let prov = app.evaluate(&op, 2022, Figures::Provisional).await.unwrap();
        assert_eq!(prov.iter().find(|r| r.uscc == uscc(1)).unwrap().class, "A");

        // An enterprise sees only its own result; a zone its zone's.
        app.add_user(&op, "qiye", "企业", Role::Enterprise, Some(&uscc(1)), None).await.unwrap();
        app.add_user(&op, "zone-yongxiu", "永修", Role::Zone, Some("yongxiu"), None).await.unwrap();
        let own = app.evaluate(&caller_of(&app, "qiye").await, 2022, Figures::Official).await.unwrap();
        assert_eq!(own.iter().map(|r| r.uscc.clone()).collect::<Vec<_>>(), vec![uscc(1)]);
        let zone = app.evaluate(&caller_of(&app, "zone-yongxiu").await, 2022, Figures::Official).await.unwrap();
        assert_eq!(zone.iter().map(|r| r.uscc.clone()).collect::<Vec<_>>(), vec![uscc(9)]);
    }
}
