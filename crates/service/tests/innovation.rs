//! Innovation on both engines: platforms and teams imported by the department that keeps them,
//! GDP entered by the coordinator, and the KPIs that read them.

use domain::Month;
use domain::authz::Role;
use domain::calendar::Date;
use domain::tags::EnterpriseTag;
use leapfrog_service::{App, Caller, Clock, Figures, ServiceError, Settings};

use testkit::uscc;

fn quiet(_: u64, _: u64) {}

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

#[tokio::test]
async fn platforms_teams_gdp_and_their_kpis() {
    for db in testkit::engines().await {
        let settings = Settings { clock: Clock::on(Date::new(2023, 7, 10).unwrap()), ..Default::default() };
        let app = App::open_with(&db.url, settings).await.unwrap();
        let op = Caller::operator();
        let (_a, p) =
            testkit::file("e.csv", format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1)).as_bytes());
        app.import_enterprises(&op, &p, &quiet).await.unwrap();
        app.add_user(&op, "innovation", "创新局", Role::Department, Some("innovation"), None).await.unwrap();
        app.add_user(&op, "opening", "开放局", Role::Department, Some("opening"), None).await.unwrap();
        let innovation = caller_of(&app, "innovation").await;

        // Two provincial platforms and a team by the end of 2020; a national one in 2021, one
        // provincial revoked in 2022, a second team in 2023.
        let file = format!(
            "编号,名称,类别,级别,类型,依托单位统一社会信用代码,依托单位,认定日期,撤销日期\n\
             P1,光电工程研究中心,科创平台,省级,工程研究中心,{u},甲,2020-05-01,\n\
             P2,有机硅重点实验室,科创平台,省级,重点实验室,,南昌大学,2020-06-01,2022-06-30\n\
             P3,国家企业技术中心,科创平台,国家级,企业技术中心,{u},甲,2021-03-01,\n\
             T1,光电双创团队,双创团队,省级,,,甲,2020-09-01,\n\
             T2,硅材料双创团队,双创团队,市级,,,乙,2023-02-01,\n",
            u = uscc(1)
        );
        let (_b, p) = testkit::file("i.csv", file.as_bytes());
        let refused = app.import_innovation(&caller_of(&app, "opening").await, &p, &quiet).await;
        assert!(matches!(refused, Err(ServiceError::Forbidden(_))), "only the 创新发展局 keeps them");
        assert_eq!(app.import_innovation(&innovation, &p, &quiet).await.unwrap().rows, 5, "{}", db.engine);
        // A host that is not registered, a revocation before recognition: named, nothing kept.
        let bad = format!(
            "code,name,category,level,host_uscc,host_name,recognised_on,revoked_on\nP8,某中心,科创平台,省级,{},丙,2022-01-01,\nP9,某实验室,科创平台,省级,,丁,2022-01-01,2021-01-01\n",
            uscc(7)
        );
        let (_c, p) = testkit::file("bad.csv", bad.as_bytes());
        let ServiceError::Rows(rows) = app.import_innovation(&innovation, &p, &quiet).await.unwrap_err() else { panic!() };
        assert_eq!(rows.shown.len(), 2, "{:?}", rows.shown.iter().map(|r| r.to_string()).collect::<Vec<_>>());

        // 高新技术企业: one at the end of 2020, two now.
        for (n, from) in [(1, Date::new(2020, 1, 1).unwrap()), (2, Date::new(2022, 1, 1).unwrap())] {
            let (_d, p) = testkit::file(
                "e2.csv",
                format!("uscc,name,zone,industry\n{},企业{n},etdz,optoelectronics\n", uscc(n)).as_bytes(),
            );
            app.import_enterprises(&op, &p, &quiet).await.unwrap();
            let t =
                EnterpriseTag { uscc: uscc(n), tag: "high-tech".into(), valid_from: from, valid_to: None, note: String::new() };
            app.set_enterprise_tag(&op, t).await.unwrap();
        }
        // R&D: 12 亿元 in 2022 over a GDP of 400 亿元 (entered by the coordinator only).
        // And enterprise 1 sells 1,000 亿元 in the twelve months to June 2023: a 千亿级企业.
        let (_e, p) = testkit::file(
            "f.csv",
            format!("uscc,month,rd,revenue\n{u},2022-06,120000,\n{u},2022-09,,4000000\n{u},2023-06,,6000000\n", u = uscc(1))
                .as_bytes(),
        );
        app.import_facts(&op, &p, false, &quiet).await.unwrap();
        assert!(matches!(app.set_gdp(&innovation, 2022, 400.0, "统计局").await, Err(ServiceError::Forbidden(_))));
        app.set_gdp(&op, 2022, 400.0, "统计公报").await.unwrap();
        for (yi, note) in [(0.0, "统计公报"), (400.0, "来".repeat(201).as_str())] {
            assert!(matches!(app.set_gdp(&op, 2023, yi, note).await, Err(ServiceError::BadRequest(_))), "{yi}");
        }

        let s = app.innovation(&op, Month::new(2023, 6).unwrap(), Figures::Provisional).await.unwrap();
        assert_eq!((s.national_platforms, s.provincial_platforms, s.teams, s.high_tech), (1, 2, 2, 2));
        // Base at the end of 2020: 2 provincial+ platforms, 1 高企, 1 team → 1.0, 2.0, 2.0.
        assert_eq!(s.base, [2, 1, 1]);
        assert_eq!(s.doublings, Some((1.0, [1.0, 2.0, 2.0])));
        assert_eq!((s.rd_year, s.rd_share_pct), (Some(2022), Some(3.0)));

        let c = app.cockpit(&op, "revenue", Month::new(2023, 6).unwrap(), Figures::Provisional).await.unwrap();
        let kpi = |code: &str| c.kpis.iter().find(|k| k.code == code).unwrap().actual.clone();
        assert_eq!(kpi("national_innovation_platforms").unwrap().value, 1.0);
        assert_eq!(kpi("provincial_innovation_platforms").unwrap().value, 2.0);
        assert_eq!(kpi("three_doublings").unwrap().value, 1.0);
        let thousand = kpi("hundred_billion_enterprise").unwrap();
        assert_eq!(thousand.value, 1.0, "{}", thousand.basis);
        let may = app.cockpit(&op, "revenue", Month::new(2023, 5).unwrap(), Figures::Provisional).await.unwrap();
        let before = may.kpis.iter().find(|k| k.code == "hundred_billion_enterprise").unwrap().actual.clone().unwrap();
        assert_eq!(before.value, 0.0, "400 亿元 by May");
        let rd = kpi("rd_share_of_gdp").unwrap();
        assert_eq!(rd.value, 3.0, "{}", rd.basis);
        assert!(rd.basis.contains("2022年"));
    }
}
