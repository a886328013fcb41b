//! The per-mu evaluation over the registry and a year's facts, on both engines: who is
//! evaluated, who is left ungraded and why, official against provisional months, and scoping.

use domain::Month;
use domain::authz::Role;
use domain::calendar::Date;
use domain::submission::Step;
use leapfrog_service::{App, Caller, Clock, Figures, ProjectFileKind, Settings, Source};

use testkit::uscc;

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
        // A 公用事业 designation held at the year's end exempts as the registry's tag does; one
        // that ended before it does not.
        for (from, to) in [("2019-01-01", Some("2021-12-31")), ("2022-06-01", None)] {
            let t = domain::tags::EnterpriseTag {
                uscc: uscc(4),
                tag: "utility".into(),
                valid_from: Date::parse(from).unwrap(),
                valid_to: to.map(|d| Date::parse(d).unwrap()),
                note: String::new(),
            };
            app.set_enterprise_tag(&op, t).await.unwrap();
            let again = app.evaluate(&op, 2022, Figures::Official).await.unwrap();
            let four = again.iter().find(|r| r.uscc == uscc(4)).unwrap();
            assert_eq!(four.exempt.as_deref(), to.is_none().then_some("公用事业"), "{from}");
        }
        app.remove_enterprise_tag(&op, &uscc(4), "utility", Date::parse("2022-06-01").unwrap()).await.unwrap();
        app.remove_enterprise_tag(&op, &uscc(4), "utility", Date::parse("2019-01-01").unwrap()).await.unwrap();
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
        let d = app.evaluation_detail(&op, 2022, &uscc(1), Source::Trial(Figures::Official)).await.unwrap();
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

        // A zone sees its zone's results (an enterprise sees none until they are published).
        app.add_user(&op, "zone-yongxiu", "永修", Role::Zone, Some("yongxiu"), None).await.unwrap();
        // The investor's page lists its project for who may read etdz's projects, not for 永修.
        let listed = app.enterprise_projects(&op, &uscc(10)).await.unwrap();
        assert_eq!(listed.iter().map(|p| (p.0.as_str(), p.2)).collect::<Vec<_>>(), vec![("P1", "在建")]);
        assert!(app.enterprise_projects(&caller_of(&app, "zone-yongxiu").await, &uscc(10)).await.unwrap().is_empty());
        let zone = app.evaluate(&caller_of(&app, "zone-yongxiu").await, 2022, Figures::Official).await.unwrap();
        assert_eq!(zone.iter().map(|r| r.uscc.clone()).collect::<Vec<_>>(), vec![uscc(9)]);

        // Zones count their own official months: yongxiu's June reopened for a correction leaves
        // its enterprise out of the official figures, and etdz's stay.
        let june = Month::new(2022, 6).unwrap();
        app.submission_step(&op, "yongxiu", june, Step::RequestCorrection, "更正").await.unwrap();
        app.submission_step(&op, "yongxiu", june, Step::ApproveCorrection, "").await.unwrap();
        let official = app.evaluate(&op, 2022, Figures::Official).await.unwrap();
        assert!(official.iter().all(|r| r.uscc != uscc(9)), "{}", db.engine);
        assert_eq!(official.len(), 7);
        let all = app.evaluate(&op, 2022, Figures::Provisional).await.unwrap();
        assert!(all.iter().any(|r| r.uscc == uscc(9)));
    }
}

/// 21 规下 enterprises of 10 亩 (odd in etdz, even in yongxiu) paying n × 10 万元 of tax in June
/// of 2021 and 2022; enterprise 1 has neither revenue nor tax. Twenty-one ranked: A to 6, B to
/// 15, C to 20, the 21st (enterprise 1) D. Both years locked.
async fn ranked_population(app: &App, op: &Caller) {
    let mut reg = String::from("uscc,name,zone,industry,land_mu,above_scale,established,园区\n");
    let mut facts = String::from("uscc,month,revenue,tax\n");
    for n in 1..=21u32 {
        let zone = if n % 2 == 1 { "etdz" } else { "yongxiu" };
        // 3, 7, 11, 15, 19 in the 装备制造产业园 (by name), 5 by its code.
        let park = match n % 4 {
            3 => "装备制造产业园",
            _ if n == 5 => "etdz-equipment",
            _ => "",
        };
        reg.push_str(&format!("{},企业{n},{zone},optoelectronics,10,否,2010-01-01,{park}\n", uscc(n)));
        let (revenue, tax) = if n == 1 { (0, 0) } else { (n * 100, n * 10) };
        for year in [2021, 2022] {
            facts.push_str(&format!("{},{year}-06,{revenue},{tax}\n", uscc(n)));
        }
    }
    let (_a, p) = testkit::file("e.csv", reg.as_bytes());
    app.import_enterprises(op, &p, &quiet).await.unwrap();
    let (_b, p) = testkit::file("f.csv", facts.as_bytes());
    app.import_facts(op, &p, false, &quiet).await.unwrap();
    app.close_months(op, Month::new(2022, 12).unwrap(), None, domain::submission::SubmissionState::Locked, "history")
        .await
        .unwrap();
}

fn on(db: &testkit::TestDb, y: i32, m: u32, d: u32) -> impl std::future::Future<Output = App> + '_ {
    let settings = Settings { clock: Clock::on(Date::new(y, m, d).unwrap()), ..Default::default() };
    async move { App::open_with(&db.url, settings).await.unwrap() }
}

#[tokio::test]
async fn a_run_is_published_objected_to_rerun_and_made_final_for_good() {
    for db in testkit::engines().await {
        let app = on(&db, 2023, 3, 1).await;
        let op = Caller::operator();
        ranked_population(&app, &op).await;
        app.add_user(&op, "qiye", "企业", Role::Enterprise, Some(&uscc(1)), None).await.unwrap();
        let qiye = caller_of(&app, "qiye").await;
        let status = |e: leapfrog_service::ServiceError| match e {
            leapfrog_service::ServiceError::Conflict(_) => 409,
            leapfrog_service::ServiceError::NotFound(_) => 404,
            leapfrog_service::ServiceError::Forbidden(_) => 403,
            leapfrog_service::ServiceError::BadRequest(_) => 400,
            other => panic!("{other}"),
        };

        // 2021: saved, published a year ago, made final at once (no objections).
        let y2021 = app.run_evaluation(&op, 2021, Figures::Official).await.unwrap();
        app.publish_evaluation(&op, y2021, Some(Date::new(2022, 3, 1).unwrap())).await.unwrap();
        app.finalise_evaluation(&op, y2021).await.unwrap();
        assert_eq!(app.evaluation_run(&op, y2021).await.unwrap().state, "locked", "{}", db.engine);

        // 2022: a draft the enterprise does not see, and no objection to a draft.
        let run = app.run_evaluation(&op, 2022, Figures::Official).await.unwrap();
        assert!(app.evaluation_runs(&qiye, 2022).await.unwrap().is_empty());
        assert_eq!(status(app.evaluation_results(&qiye, 2022, Source::Run(run)).await.unwrap_err()), 404);
        assert_eq!(status(app.evaluate(&qiye, 2022, Figures::Official).await.unwrap_err()), 403, "no trial for enterprises");
        assert_eq!(status(app.object_to_evaluation(&op, run, &uscc(1), "不服").await.unwrap_err()), 409);

        // Published for the plan's five days from today: the enterprise sees its own result.
        let (from, to) = app.publish_evaluation(&op, run, None).await.unwrap();
        assert_eq!((from.to_string(), to.to_string()), ("2023-03-01".into(), "2023-03-05".into()));
        let own = app.evaluation_results(&qiye, 2022, Source::Run(run)).await.unwrap();
        assert_eq!(own.iter().map(|r| (r.uscc.clone(), r.class)).collect::<Vec<_>>(), vec![(uscc(1), "D")]);
        let objection = app.object_to_evaluation(&qiye, run, &uscc(1), "六月税收漏报,应为 50 万元").await.unwrap();
        assert_eq!(status(app.object_to_evaluation(&qiye, run, &uscc(2), "代人异议").await.unwrap_err()), 403);
        assert_eq!(status(app.finalise_evaluation(&op, run).await.unwrap_err()), 409, "publication not over");
        assert_eq!(status(app.rerun_evaluation(&op, run).await.unwrap_err()), 409, "published runs are not recomputed");

        // After the period: not final while an objection is pending.
        let later = on(&db, 2023, 3, 10).await;
        assert_eq!(status(later.object_to_evaluation(&qiye, run, &uscc(1), "再议").await.unwrap_err()), 409);
        assert_eq!(status(later.finalise_evaluation(&op, run).await.unwrap_err()), 409);
        // Upheld: the input is corrected (a bonus here, with its reason), the run withdrawn,
        // computed again and published again.
        let decided = later.decide_objection(&op, objection, true, "核实后予以加分").await.unwrap();
        assert_eq!(decided.outcome, "upheld");
        assert_eq!(status(later.decide_objection(&op, objection, false, "又改").await.unwrap_err()), 409);
        later.set_evaluation_adjustment(&op, 2022, &uscc(2), 3.0, "技改示范").await.unwrap();
        assert_eq!(status(later.set_evaluation_adjustment(&op, 2022, &uscc(2), 3.0, " ").await.unwrap_err()), 400);
        let before = later.evaluation_results(&op, 2022, Source::Run(run)).await.unwrap();
        later.withdraw_evaluation(&op, run, "异议成立,更正后重算").await.unwrap();
        later.rerun_evaluation(&op, run).await.unwrap();
        let after = later.evaluation_results(&op, 2022, Source::Run(run)).await.unwrap();
        let total = |rs: &[leapfrog_service::Evaluated], n: u32| rs.iter().find(|r| r.uscc == uscc(n)).unwrap().total;
        assert!((total(&after, 2) - total(&before, 2) - 3.0).abs() < 1e-9, "{} → {}", total(&before, 2), total(&after, 2));
        later.publish_evaluation(&op, run, None).await.unwrap();
        let final_day = on(&db, 2023, 3, 20).await;
        final_day.finalise_evaluation(&op, run).await.unwrap();
        assert_eq!(final_day.evaluation_run(&op, run).await.unwrap().state, "locked");

        // Final for good: new facts change a trial, never the final run.
        let kept = final_day.evaluation_results(&op, 2022, Source::Run(run)).await.unwrap();
        let more = format!("uscc,month,tax\n{},2022-06,5000\n", uscc(5));
        let (_d, p) = testkit::file("more.csv", more.as_bytes());
        final_day.import_facts(&op, &p, false, &quiet).await.unwrap();
        let again = final_day.evaluation_results(&op, 2022, Source::Run(run)).await.unwrap();
        assert_eq!(serde_json::to_string(&kept).unwrap(), serde_json::to_string(&again).unwrap());
        let trial = final_day.evaluate(&op, 2022, Figures::Official).await.unwrap();
        assert_ne!(total(&trial, 5), total(&kept, 5));
        assert_eq!(status(final_day.rerun_evaluation(&op, run).await.unwrap_err()), 409);
        assert_eq!(status(final_day.withdraw_evaluation(&op, run, "再改").await.unwrap_err()), 409);

        // The explanation carries the history and the years in D; the lists draw on both years.
        let d = final_day.evaluation_detail(&qiye, 2022, &uscc(1), Source::Run(run)).await.unwrap();
        let history: Vec<(i32, &str)> = d.history.iter().map(|h| (h.year, h.class)).collect();
        assert_eq!(history, vec![(2021, "D"), (2022, "D")]);
        assert_eq!(d.years_in_d, 2);
        assert_eq!(d.objections.len(), 1);
        let lists = final_day.evaluation_lists(&op, run).await.unwrap();
        let ids = |l: &[leapfrog_service::ListEntry]| l.iter().map(|e| e.uscc.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&lists.zombies), vec![uscc(1)]);
        assert_eq!(ids(&lists.d_running), vec![uscc(1)]);
        // D, then 亩均税收 2.0 and 3.0 against a benchmark of 2290 / 210 ≈ 10.90 (under 3.27) in
        // both years; 4.0 is not under.
        assert_eq!(ids(&lists.low_efficiency), vec![uscc(1), uscc(2), uscc(3)]);
        let etdz = lists.zones.iter().find(|z| z.zone == "etdz").unwrap();
        // Odd enterprises 3..21 pay 10 × (3 + 5 + … + 21) = 1200 on 110 亩 (enterprise 1 has no tax).
        assert_eq!((etdz.enterprises, etdz.land_mu), (11, 110.0));
        assert_eq!(etdz.per_mu["tax_per_mu"], Some((1200.0_f64 / 110.0 * 100.0).round() / 100.0));
        assert_eq!(status(final_day.evaluation_lists(&qiye, run).await.unwrap_err()), 403);
        // The park: 3, 5, 7, 11, 15, 19 pay 10 × 60 = 600 on 60 亩.
        assert_eq!(lists.parks.len(), 1);
        let park = &lists.parks[0];
        assert_eq!((park.zone.as_str(), park.enterprises, park.land_mu), ("etdz-equipment", 6, 60.0));
        assert_eq!(park.per_mu["tax_per_mu"], Some(10.0));

        // A park belongs to its zone: an enterprise of 永修 cannot be put in a park of 经开.
        let wrong = format!("uscc,name,zone,industry,园区\n{},企业2,yongxiu,optoelectronics,装备制造产业园\n", uscc(2));
        let (_e, p) = testkit::file("wrong.csv", wrong.as_bytes());
        let err = final_day.import_enterprises(&op, &p, &quiet).await.unwrap_err();
        assert!(err.to_string().contains("错误") || matches!(err, leapfrog_service::ServiceError::Rows(_)), "{err}");
        let leapfrog_service::ServiceError::Rows(rows) = err else { panic!() };
        assert!(
            rows.shown[0].to_string().contains("园区") && rows.shown[0].to_string().contains("组团不符"),
            "{}",
            rows.shown[0]
        );
    }
}

/// A whole year's sums are kept once read (one row an enterprise instead of its months): they
/// equal the sums of the months, and an import into the year drops them, so the next
/// evaluation sees the new figures; an import into another year leaves them.
#[tokio::test]
async fn kept_annual_sums_follow_every_import_of_their_year() {
    for db in testkit::engines().await {
        let app = on(&db, 2023, 3, 1).await;
        let op = Caller::operator();
        ranked_population(&app, &op).await;
        let class_of = |rs: &[leapfrog_service::Evaluated], n: u32| rs.iter().find(|r| r.uscc == uscc(n)).unwrap().class;
        let first = app.evaluate(&op, 2022, Figures::Official).await.unwrap();
        assert_eq!(class_of(&first, 1), "D", "{}", db.engine);

        // Read whole (kept) and in two halves (from the facts): the same sums.
        let codes: Vec<domain::IndicatorCode> =
            ["revenue", "tax"].iter().map(|c| domain::IndicatorCode::parse(c).unwrap()).collect();
        let filter = store::TotalsFilter {
            industries: app.plan.industries.iter().map(|i| i.code.clone()).collect(),
            ..Default::default()
        };
        let read = |from: (i32, u32), to: (i32, u32)| {
            let (codes, filter) = (&codes, &filter);
            let store = &app.store;
            async move {
                let (from, to) = (Month::new(from.0, from.1).unwrap(), Month::new(to.0, to.1).unwrap());
                store.annual_totals(codes, from, to, filter).await.unwrap()
            }
        };
        let whole = read((2022, 1), (2022, 12)).await;
        let (h1, h2) = (read((2022, 1), (2022, 6)).await, read((2022, 7), (2022, 12)).await);
        assert_eq!(whole.len(), 21);
        assert!(h2.is_empty(), "no facts in the second half");
        assert_eq!(whole, h1, "{}", db.engine);
        assert_eq!(whole, read((2022, 1), (2022, 12)).await, "read again from the kept sums");
        let json = |rs: &[leapfrog_service::Evaluated]| serde_json::to_string(rs).unwrap();
        assert_eq!(json(&first), json(&app.evaluate(&op, 2022, Figures::Official).await.unwrap()));

        // Enterprise 1's June tax corrected: out of D at once.
        let more = format!("uscc,month,tax\n{},2022-06,150\n", uscc(1));
        let (_a, p) = testkit::file("more.csv", more.as_bytes());
        app.import_facts(&op, &p, false, &quiet).await.unwrap();
        let after = app.evaluate(&op, 2022, Figures::Official).await.unwrap();
        assert_ne!(class_of(&after, 1), "D", "{}", db.engine);
        let one =
            |totals: Vec<store::EnterpriseTotals>| totals.into_iter().find(|t| t.enterprise.uscc == uscc(1)).unwrap().totals;
        let (was, now) = (one(whole)[1], one(read((2022, 1), (2022, 12)).await)[1]);
        assert_eq!((was.0, was.1, now.1), (0, 1, 1));
        assert!(now.0 > 0, "{now:?}");

        // An import into 2021 leaves 2022 as it was, and is seen in 2021's evaluation.
        let y2021 = app.evaluate(&op, 2021, Figures::Official).await.unwrap();
        let more = format!("uscc,month,tax\n{},2021-06,150\n", uscc(1));
        let (_b, p) = testkit::file("more.csv", more.as_bytes());
        app.import_facts(&op, &p, false, &quiet).await.unwrap();
        assert_eq!(json(&app.evaluate(&op, 2022, Figures::Official).await.unwrap()), json(&after));
        assert_eq!(class_of(&y2021, 1), "D");
        assert_ne!(class_of(&app.evaluate(&op, 2021, Figures::Official).await.unwrap(), 1), "D");
    }
}
