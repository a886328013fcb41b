//! The annual zone assessment on both engines, on data whose scores are worked out by hand.

use domain::calendar::Date;
use files::ProjectFileKind;
use leapfrog_service::{App, Caller, Clock, Settings};

fn quiet(_: u64, _: u64) {}

async fn file(app: &App, kind: Option<ProjectFileKind>, text: &str) {
    let (_g, p) = testkit::file("f.csv", text.as_bytes());
    let op = Caller::operator();
    match kind {
        Some(k) => app.import_project_file(&op, k, &p, &quiet).await.map(|_| ()),
        None => app.import_leads(&op, &p, &quiet).await.map(|_| ()),
    }
    .unwrap();
}

#[tokio::test]
async fn zones_are_scored_ranked_and_each_score_says_how() {
    for db in testkit::engines().await {
        let settings = Settings { clock: Clock::on(Date::new(2023, 2, 1).unwrap()), ..Default::default() };
        let app = App::open_with(&db.url, settings).await.unwrap();
        // 亿元以上 projects planned for 2022: etdz two (one on time, one late), yongxiu one on time.
        file(
            &app,
            Some(ProjectFileKind::Projects),
            "code,name,zone,industry,type,total_investment,status,planned_start,actual_start\n\
             P1,甲,etdz,optoelectronics,新建,20000,在建,2022-03,2022-03\n\
             P2,乙,linkong,optoelectronics,新建,20000,在建,2022-04,2022-07\n\
             P3,丙,yongxiu,silicone,新建,30000,在建,2022-05,2022-04\n\
             P4,丁,yongxiu,silicone,新建,5000,在建,2022-05,\n",
        )
        .await;
        // Signed in 2022: etdz 60亿 and 25亿 (both tiers), yongxiu 60亿 (one of two tiers).
        file(
            &app,
            None,
            "code,name,investor,amount,industry,zone,source,owner,stage,signed\n\
             L1,甲,甲,600000,optoelectronics,etdz,推介会,etdz,签约,2022-03-01\n\
             L2,乙,乙,250000,optoelectronics,linkong,推介会,etdz,签约,2022-04-01\n\
             L3,丙,丙,600000,silicone,yongxiu,推介会,yongxiu,签约,2022-05-01\n",
        )
        .await;
        let out = app.assess(&Caller::operator(), 2022).await.unwrap();
        let zone = |code: &str| out.iter().find(|z| z.zone == code).unwrap();
        // No facts: revenue 30 and investment 20 are missing everywhere, so full (the plan's
        // "average" with no zone to average); the M5 and M7 indicators likewise (10 + 10).
        // etdz: on time 1 of 2 → 7.5; "152" both tiers → 15: 92.5.
        assert_eq!(zone("etdz").scores["major_on_time"], 7.5, "{}", db.engine);
        assert_eq!(zone("etdz").scores["quota_152"], 15.0);
        assert_eq!(zone("etdz").total, 92.5);
        // yongxiu: 1 of 1 on time → 15 (P4 is below 1亿); one tier of two → 7.5: 92.5.
        assert_eq!((zone("yongxiu").scores["major_on_time"], zone("yongxiu").scores["quota_152"]), (15.0, 7.5));
        // direct and gongqing: no major project due, so the mean of etdz and yongxiu, 11.25;
        // no lead signed, 0 of 2 tiers → 0: 81.25.
        assert_eq!(zone("direct").scores["major_on_time"], 11.25);
        assert_eq!(zone("gongqing").total, 81.25);
        let ranks: Vec<(&str, usize)> = out.iter().map(|z| (z.zone.as_str(), z.rank)).collect();
        assert_eq!(ranks, vec![("etdz", 1), ("yongxiu", 1), ("direct", 3), ("gongqing", 3)]);
        let how = &zone("etdz").lines.iter().find(|l| l.code == "major_on_time").unwrap().how;
        assert!(how.contains("2 个,按期开工 1 个") && how.contains("7.50"), "{how}");
        assert!(zone("direct").lines[0].how.contains("暂无数据"));
        assert!(app.assess(&Caller::operator(), 2030).await.is_err(), "not a plan year");
    }
}
