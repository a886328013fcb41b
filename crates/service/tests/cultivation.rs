//! Tiered cultivation on both engines: the 小升规 library over the trailing twelve months, and
//! the 龙头 selections against the plan's ranges.

use domain::Month;
use domain::authz::Role;
use domain::calendar::Date;
use domain::tags::EnterpriseTag;
use leapfrog_service::{App, Caller, Clock, Figures, ServiceError, Settings};

use testkit::uscc;

fn quiet(_: u64, _: u64) {}

#[tokio::test]
async fn the_scale_up_library_and_the_selections() {
    for db in testkit::engines().await {
        let settings = Settings { clock: Clock::on(Date::new(2023, 7, 10).unwrap()), ..Default::default() };
        let app = App::open_with(&db.url, settings).await.unwrap();
        let op = Caller::operator();
        // 1-3 规下 光电 in etdz; 4 规上; 5 a service company; 6 规下 in yongxiu.
        let mut reg = String::from("uscc,name,zone,industry,above_scale\n");
        for (n, zone, industry, above) in [
            (1, "etdz", "optoelectronics", "否"),
            (2, "etdz", "optoelectronics", "否"),
            (3, "etdz", "optoelectronics", "否"),
            (4, "etdz", "optoelectronics", "是"),
            (5, "etdz", "digital-economy", "否"),
            (6, "yongxiu", "silicone", "否"),
        ] {
            reg.push_str(&format!("{},企业{n},{zone},{industry},{above}\n", uscc(n)));
        }
        let (_a, p) = testkit::file("e.csv", reg.as_bytes());
        app.import_enterprises(&op, &p, &quiet).await.unwrap();
        // Twelve months to June 2023 at a monthly rate, and the twelve before at 80 % of it:
        // 1 → 2,100 (over 2,000), 2 → 1,700, 3 → 1,500 (under 80 % of 2,000), 6 → 1,800.
        let rate = |n: u32| match n {
            1 => 175.0,
            2 => 1700.0 / 12.0,
            3 => 125.0,
            6 => 150.0,
            _ => 300.0,
        };
        let mut facts = String::from("uscc,month,revenue\n");
        for n in 1..=6 {
            let mut m = Month::new(2021, 7).unwrap();
            while m <= Month::new(2023, 6).unwrap() {
                let v = if m >= Month::new(2022, 7).unwrap() { rate(n) } else { rate(n) * 0.8 };
                facts.push_str(&format!("{},{m},{v:.4}\n", uscc(n)));
                m = m.next();
            }
        }
        let (_b, p) = testkit::file("f.csv", facts.as_bytes());
        app.import_facts(&op, &p, false, &quiet).await.unwrap();

        let lib = app.scale_up_library(&op, Month::new(2023, 6).unwrap(), Figures::Provisional).await.unwrap();
        let got: Vec<(String, bool)> = lib.rows.iter().map(|r| (r.uscc.clone(), r.reading.crossed)).collect();
        assert_eq!(got, vec![(uscc(1), true), (uscc(6), false), (uscc(2), false)], "{}", db.engine);
        assert_eq!(lib.crossed, 1);
        let first = &lib.rows[0];
        assert!((first.reading.ttm_wan - 2100.0).abs() < 1e-6 && first.reading.growth_pct == Some(25.0));
        assert!((lib.rows[2].reading.gap_wan - 300.0).abs() < 1e-3);
        // Official figures: nothing approved yet, nothing counted.
        assert!(app.scale_up_library(&op, Month::new(2023, 6).unwrap(), Figures::Official).await.unwrap().rows.is_empty());
        // A zone sees its own; an enterprise account is refused.
        app.add_user(&op, "zone", "永修", Role::Zone, Some("yongxiu"), None).await.unwrap();
        app.add_user(&op, "qiye", "企业", Role::Enterprise, Some(&uscc(1)), None).await.unwrap();
        let caller_of = |login: &'static str| {
            let app = app.clone();
            async move {
                let u = app.store.user_by_login(login).await.unwrap().unwrap();
                Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
            }
        };
        let zone =
            app.scale_up_library(&caller_of("zone").await, Month::new(2023, 6).unwrap(), Figures::Provisional).await.unwrap();
        assert_eq!(zone.rows.iter().map(|r| r.uscc.clone()).collect::<Vec<_>>(), vec![uscc(6)]);
        let refused = app.scale_up_library(&caller_of("qiye").await, Month::new(2023, 6).unwrap(), Figures::Provisional).await;
        assert!(matches!(refused, Err(ServiceError::Forbidden(_))));

        // Selections: two 行业龙头 in 光电 (符合), one 新区龙头 (不足 of 3-5), one lapsed.
        let set = |n: u32, tag: &str, to: Option<Date>| EnterpriseTag {
            uscc: uscc(n),
            tag: tag.into(),
            valid_from: Date::new(2021, 1, 1).unwrap(),
            valid_to: to,
            note: String::new(),
        };
        for t in [
            set(4, "leading-industry", None),
            set(1, "leading-industry", None),
            set(4, "leading-region", None),
            set(2, "leading-region", Some(Date::new(2022, 12, 31).unwrap())),
        ] {
            app.set_enterprise_tag(&op, t).await.unwrap();
        }
        let groups = app.selections(&op, Date::new(2023, 6, 30).unwrap()).await.unwrap();
        let find = |tag: &str, group: &str| groups.iter().find(|g| g.tag == tag && g.group == group).unwrap();
        assert_eq!(
            (find("leading-industry", "optoelectronics").holders.len(), find("leading-industry", "optoelectronics").judgement),
            (2, "符合")
        );
        assert_eq!(find("leading-industry", "silicone").judgement, "不足");
        assert_eq!((find("leading-region", "all").holders.len(), find("leading-region", "all").judgement), (1, "不足"));
        assert_eq!(find("leading-zone", "etdz").judgement, "不足");

        // 映山红: enterprise 2 entered the reserve in 2022 and the tutoring in March 2023 (科创板).
        let stage = |n: u32, tag: &str, from: Date, note: &str| EnterpriseTag {
            uscc: uscc(n),
            tag: tag.into(),
            valid_from: from,
            valid_to: None,
            note: note.into(),
        };
        app.set_enterprise_tag(&op, stage(2, "listing-reserve", Date::new(2022, 1, 1).unwrap(), "")).await.unwrap();
        app.set_enterprise_tag(&op, stage(2, "listing-tutoring", Date::new(2023, 3, 1).unwrap(), "科创板")).await.unwrap();
        let june = app.listing_pipeline(&op, Date::new(2023, 6, 30).unwrap()).await.unwrap();
        assert_eq!(june.stages.iter().map(|(_, _, n)| *n).collect::<Vec<_>>(), vec![0, 1, 0, 0]);
        let row = &june.rows[0];
        assert_eq!((row.uscc.as_str(), row.stage.as_str(), row.note.as_str()), (uscc(2).as_str(), "辅导备案", "科创板"));
        assert_eq!(row.reached, vec![Some(Date::new(2022, 1, 1).unwrap()), Some(Date::new(2023, 3, 1).unwrap()), None, None]);
        let before = app.listing_pipeline(&op, Date::new(2023, 2, 28).unwrap()).await.unwrap();
        assert_eq!(before.rows[0].stage, "上市后备");
        // The 财政金融局 keeps these: the zone of the enterprise does not see another zone's.
        let zone = app.listing_pipeline(&caller_of("zone").await, Date::new(2023, 6, 30).unwrap()).await.unwrap();
        assert!(zone.rows.is_empty());
    }
}
