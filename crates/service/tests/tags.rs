//! Enterprise designations with their periods, on both engines: kept by the department that
//! recognises each, imported all or nothing, and counted by the KPIs that read them.

use domain::Month;
use domain::authz::Role;
use domain::calendar::Date;
use domain::tags::EnterpriseTag;
use leapfrog_service::{App, Caller, Clock, Figures, ServiceError, Settings};

use testkit::uscc;

fn quiet(_: u64, _: u64) {}

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::new(y, m, day).unwrap()
}

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

#[tokio::test]
async fn designations_are_kept_by_their_department_imported_whole_and_counted() {
    for db in testkit::engines().await {
        let settings = Settings { clock: Clock::on(d(2023, 7, 10)), ..Default::default() };
        let app = App::open_with(&db.url, settings).await.unwrap();
        let op = Caller::operator();
        let mut reg = String::from("uscc,name,zone,industry\n");
        for n in 1..=4 {
            reg.push_str(&format!("{},企业{n},etdz,optoelectronics\n", uscc(n)));
        }
        let (_a, p) = testkit::file("e.csv", reg.as_bytes());
        app.import_enterprises(&op, &p, &quiet).await.unwrap();
        app.add_user(&op, "innovation", "创新局", Role::Department, Some("innovation"), None).await.unwrap();
        app.add_user(&op, "zone", "经开", Role::Zone, Some("etdz"), None).await.unwrap();
        let innovation = caller_of(&app, "innovation").await;

        // The 创新发展局 imports 高新技术企业 (by name or code); a row of the 经发局's 规上工业 in the
        // same file refuses the whole file.
        let file = format!(
            "统一社会信用代码,标签,起始日期,截止日期,备注\n{},高新技术企业,2021-11-03,2024-11-02,GR202136000123\n{},high-tech,2023-02-01,,\n{},规上工业,2023-01-01,,\n",
            uscc(1),
            uscc(2),
            uscc(3)
        );
        let (_b, p) = testkit::file("t.csv", file.as_bytes());
        let err = app.import_tags(&innovation, &p, &quiet).await.unwrap_err();
        assert!(matches!(err, ServiceError::Forbidden(_)), "{}: {err}", db.engine);
        assert!(app.store.enterprise_tags(None).await.unwrap().is_empty(), "nothing imported");
        let ok = file.lines().take(3).collect::<Vec<_>>().join("\n");
        let (_c, p) = testkit::file("t.csv", ok.as_bytes());
        assert_eq!(app.import_tags(&innovation, &p, &quiet).await.unwrap().rows, 2);

        // Bad rows are named and nothing is kept: an unregistered enterprise, a period backwards,
        // a designation the plan does not know.
        let bad = format!(
            "uscc,tag,valid_from,valid_to\n{},high-tech,2022-01-01,\n{},high-tech,2022-05-01,2022-04-30\n{},金牌企业,2022-01-01,\n",
            uscc(9),
            uscc(4),
            uscc(4)
        );
        let (_d, p) = testkit::file("bad.csv", bad.as_bytes());
        let ServiceError::Rows(rows) = app.import_tags(&innovation, &p, &quiet).await.unwrap_err() else { panic!() };
        let text: Vec<String> = rows.shown.iter().map(|r| r.to_string()).collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(text[0].contains("第2行") && text[0].contains("名录"), "{text:?}");
        assert!(text[1].contains("第3行") && text[1].contains("截止日期"), "{text:?}");
        assert!(text[2].contains("第4行") && text[2].contains("未知标签"), "{text:?}");
        assert_eq!(app.store.enterprise_tags(None).await.unwrap().len(), 2);

        // Set by hand: the coordinator sets 规上工业 (new this year for two, from 2022 for one);
        // a zone may not; the 创新发展局 may not set the 经发局's.
        for (n, from) in [(2, d(2023, 3, 1)), (3, d(2023, 6, 30)), (4, d(2022, 1, 1))] {
            let t =
                EnterpriseTag {
                    uscc: uscc(n), tag: "规上工业".into(), valid_from: from, valid_to: None, note: String::new()
                };
            app.set_enterprise_tag(&op, t).await.unwrap();
        }
        let t = EnterpriseTag {
            uscc: uscc(1),
            tag: "above-scale".into(),
            valid_from: d(2023, 1, 1),
            valid_to: None,
            note: String::new(),
        };
        assert!(matches!(
            app.set_enterprise_tag(&caller_of(&app, "zone").await, t.clone()).await,
            Err(ServiceError::Forbidden(_))
        ));
        assert!(matches!(app.set_enterprise_tag(&innovation, t).await, Err(ServiceError::Forbidden(_))));

        // The enterprise's page: current first, each editable by who keeps it.
        let views = app.enterprise_tags(&innovation, &uscc(1)).await.unwrap();
        assert_eq!(views.len(), 1);
        assert!(views[0].current && views[0].editable && views[0].department == "创新发展局");
        let views = app.enterprise_tags(&innovation, &uscc(4)).await.unwrap();
        assert!(!views[0].editable, "规上工业 is the 经发局's");

        // The KPIs: 高新技术企业 held at the end of June 2023 (both), and only one at the end of
        // January 2023 (the second began in February); 新增规上 in 2023 through June: two (the one
        // from 30 June counts, the 2022 one does not).
        let kpi =
            |c: &leapfrog_service::Cockpit, code: &str| c.kpis.iter().find(|k| k.code == code).unwrap().actual.clone().unwrap();
        let june = app.cockpit(&op, "revenue", Month::new(2023, 6).unwrap(), Figures::Provisional).await.unwrap();
        assert_eq!(kpi(&june, "high_tech_enterprises").value, 2.0);
        assert_eq!(kpi(&june, "new_above_scale_enterprises").value, 2.0, "{}", kpi(&june, "new_above_scale_enterprises").basis);
        let january = app.cockpit(&op, "revenue", Month::new(2023, 1).unwrap(), Figures::Provisional).await.unwrap();
        assert_eq!(kpi(&january, "high_tech_enterprises").value, 1.0);
        assert_eq!(kpi(&january, "new_above_scale_enterprises").value, 0.0);

        // A period entered by mistake is removed by who keeps it, and the count follows.
        app.remove_enterprise_tag(&innovation, &uscc(2), "high-tech", d(2023, 2, 1)).await.unwrap();
        assert!(app.remove_enterprise_tag(&innovation, &uscc(2), "high-tech", d(2023, 2, 1)).await.is_err());
        let june = app.cockpit(&op, "revenue", Month::new(2023, 6).unwrap(), Figures::Provisional).await.unwrap();
        assert_eq!(kpi(&june, "high_tech_enterprises").value, 1.0);
    }
}
