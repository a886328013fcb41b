//! Investment attraction (M4) on both engines: the leads file all or nothing, scoping, the
//! "152" tally and funnel on hand-computed data, and a signed lead becoming a project.

use domain::authz::Role;
use domain::leads::Stage;
use leapfrog_service::{App, Caller, ServiceError};

fn quiet(_: u64, _: u64) {}

async fn caller_of(app: &App, login: &str) -> Caller {
    let u = app.store.user_by_login(login).await.unwrap().unwrap();
    Caller::new(leapfrog_service::actor_of(&u).unwrap(), "test")
}

async fn import(app: &App, who: &Caller, text: &str) -> Result<usize, ServiceError> {
    let (_g, p) = testkit::file("leads.csv", text.as_bytes());
    app.import_leads(who, &p, &quiet).await.map(|s| s.rows)
}

const HEAD: &str = "线索编号,项目名称,投资方,投资额(万元),产业,组团,来源,目标企业,责任单位,阶段,签约日期,注册日期,开工日期,投产日期,到位资金(万元)\n";

/// 2022: signed 120亿, 60亿, 55亿, 52亿 and 25亿 ×6 in the region; etdz has 120亿 and 25亿.
fn leads_2022() -> String {
    let mut rows = vec![
        "ZS-01,光电显示基地,京东方,1200000,光电信息,经开组团,推介会,世界500强,opening,开工,2022-03-01,2022-04-01,2022-06-01,,600000".to_string(),
        "ZS-02,新材料产业园,中国建材,600000,新材料,永修组团,以商招商,中国500强,yongxiu,签约,2022-05-01,,,,0".to_string(),
        "ZS-03,锂电池项目,宁德时代,550000,高端智能制造(含新能源汽车),共青组团,云招商,,gongqing,注册,2022-06-01,2022-07-01,,,110000".to_string(),
        "ZS-04,有机硅深加工,江西蓝星,520000,有机硅,永修组团,推介会,,yongxiu,开工,2022-02-01,2022-03-01,2022-05-01,,260000".to_string(),
        "ZS-05,意向项目,某企业,3000000,光电信息,直管区,推介会,,opening,洽谈,,,,,".to_string(),
        "ZS-06,2021年签约,某企业,2000000,光电信息,直管区,推介会,,opening,签约,2021-12-31,,,,0".to_string(),
    ];
    for k in 0..6 {
        let zone = if k == 0 { "经开组团" } else { "直管区" };
        rows.push(format!("ZS-1{k},配套项目{k},配套企业,250000,新材料,{zone},校友招商,,opening,签约,2022-0{}-01,,,,0", k + 1));
    }
    format!("{HEAD}{}\n", rows.join("\n"))
}

#[tokio::test]
async fn the_152_tally_and_the_funnel_from_a_hand_computed_year() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        assert_eq!(import(&app, &op, &leads_2022()).await.unwrap(), 12);
        let p = app.pipeline(&op, 2022).await.unwrap();
        // Signed in 2022: ZS-01..04 and the six 25亿 ones; not ZS-05 (talks) nor ZS-06 (2021).
        assert_eq!(p.signed, 10, "{}", db.engine);
        let counts: Vec<u32> = p.region.tiers.iter().map(|t| t.signed).collect();
        assert_eq!(counts, vec![1, 3, 6]);
        assert!(p.region.met);
        // Started: ZS-01 and ZS-04 → 2 of 10.
        assert_eq!((p.signed_started, p.signed_to_started_pct), (2, Some(20.0)));
        // Funds: 60亿 + 11亿 + 26亿 = 97亿 of 120 + 60 + 55 + 52 + 6 × 25 = 437亿 → 22.2 %.
        assert_eq!(p.funds_in_place_pct, Some(22.2));
        let zone = |code: &str| p.zones.iter().find(|z| z.zone == code).unwrap().tally.clone();
        assert!(zone("etdz").met, "120亿 counts as over 50亿, 25亿 as over 20亿");
        assert!(zone("yongxiu").met, "60亿 and 52亿: the second over 50亿 fills the 20亿 place");
        assert!(!zone("gongqing").met, "55亿 alone has nothing over 20亿 beside it");
        assert!(zone("direct").tiers[1].met && !zone("direct").tiers[0].met);
        let stage = |s: Stage| p.stages.iter().find(|x| x.stage == s).unwrap().count;
        assert_eq!((stage(Stage::Talks), stage(Stage::Signed), stage(Stage::Started)), (1, 8, 2));
    }
}

#[tokio::test]
async fn a_bad_row_imports_nothing_and_zones_keep_to_their_own_leads() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        let bad = format!(
            "{HEAD}ZS-01,甲,某企业,100000,光电信息,经开组团,路演,,opening,洽谈,,,,,\n\
             ZS-02,乙,某企业,100000,光电信息,经开组团,推介会,,opening,开工,2022-03-01,,2022-05-01,,\n\
             ZS-03,丙,某企业,100000,光电信息,经开组团,推介会,,opening,洽谈,2022-03-01,,,,\n"
        );
        let Err(ServiceError::Rows(e)) = import(&app, &op, &bad).await else { panic!("must fail") };
        let got: Vec<(usize, Option<&str>)> = e.shown.iter().map(|x| (x.row, x.column.as_deref())).collect();
        assert_eq!(got, vec![(2, Some("来源")), (3, Some("注册日期")), (4, Some("签约日期"))], "{}: {e}", db.engine);
        assert!(app.store.leads().await.unwrap().is_empty());

        import(&app, &op, &leads_2022()).await.unwrap();
        app.add_user(&op, "zone-etdz", "经开", Role::Zone, Some("etdz"), None).await.unwrap();
        app.add_user(&op, "opening", "开放局", Role::Department, Some("opening"), None).await.unwrap();
        app.add_user(&op, "finance", "财金局", Role::Department, Some("finance"), None).await.unwrap();
        let etdz = caller_of(&app, "zone-etdz").await;
        let codes: Vec<String> = app.leads(&etdz).await.unwrap().into_iter().map(|l| l.code).collect();
        assert_eq!(codes, vec!["ZS-01", "ZS-10"], "{}", db.engine);
        // A zone cannot write another zone's lead; the 开放发展局 can write the ones it follows.
        let other = format!(
            "{HEAD}ZS-02,新材料产业园,中国建材,600000,新材料,永修组团,以商招商,,yongxiu,注册,2022-05-01,2022-06-01,,,0\n"
        );
        assert!(matches!(import(&app, &etdz, &other).await, Err(ServiceError::Forbidden(_))));
        let opening = caller_of(&app, "opening").await;
        let mine = format!("{HEAD}ZS-05,意向项目,某企业,3000000,光电信息,直管区,推介会,,opening,签约,2022-09-01,,,,0\n");
        assert_eq!(import(&app, &opening, &mine).await.unwrap(), 1);
        let finance = caller_of(&app, "finance").await;
        assert!(matches!(import(&app, &finance, &mine).await, Err(ServiceError::Forbidden(_))));
    }
}

#[tokio::test]
async fn a_signed_lead_becomes_a_project_and_keeps_the_link() {
    for db in testkit::engines().await {
        let app = App::open(&db.url).await.unwrap();
        let op = Caller::operator();
        import(&app, &op, &leads_2022()).await.unwrap();
        assert!(matches!(app.convert_lead(&op, "ZS-05", "GJ-900").await, Err(ServiceError::Conflict(_))), "not signed yet");
        let p = app.convert_lead(&op, "ZS-02", "GJ-901").await.unwrap();
        assert_eq!(
            (p.zone.as_str(), p.total_investment, p.planned_start.map(|m| m.to_string())),
            ("yongxiu", 60_000_000, Some("2022-06".into()))
        );
        assert_eq!(app.store.lead("ZS-02").await.unwrap().unwrap().project.as_deref(), Some("GJ-901"), "{}", db.engine);
        assert!(app.store.project("GJ-901").await.unwrap().is_some());
        assert!(matches!(app.convert_lead(&op, "ZS-02", "GJ-902").await, Err(ServiceError::Conflict(_))), "once only");
        // A project code taken refuses the conversion and leaves the lead as it was.
        assert!(matches!(app.convert_lead(&op, "ZS-04", "GJ-901").await, Err(ServiceError::Conflict(_))));
        assert_eq!(app.store.lead("ZS-04").await.unwrap().unwrap().project, None);
    }
}
