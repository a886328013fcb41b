//! The command line, run as a user runs it.

use std::path::Path;
use std::process::{Command, Output};

fn leapfrog(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leapfrog")).args(args).env_remove("LEAPFROG_DATABASE_URL").output().expect("the binary runs")
}

fn ok(out: &Output) -> String {
    assert!(out.status.success(), "failed: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

use testkit::uscc;

fn plan_file() -> String {
    format!("{}/../../plans/ganjiang-2021-2023.toml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn plan_check_accepts_the_default_and_lists_every_problem_with_its_line() {
    let out = leapfrog(&["plan", "check", &plan_file()]);
    assert!(ok(&out).contains("plan is valid"));

    let broken = std::fs::read_to_string(plan_file())
        .unwrap()
        .replace("zones = { etdz = 330, yongxiu = 80, gongqing = 90 }", "zones = { etdz = 330, yongxiu = 80, gongqing = 91 }")
        .replace("parent = \"direct\"", "parent = \"moon\"");
    let (_d, path) = testkit::file("broken.toml", broken.as_bytes());
    let out = leapfrog(&["plan", "check", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let line = |needle: &str| broken.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert!(err.contains(&format!("line {}", line("parent = \"moon\""))), "{err}");
    assert!(err.contains(&format!("line {}", line("gongqing = 91"))), "{err}");
    assert!(err.contains("2 处问题") || err.contains("2 problems"), "{err}");
}

#[test]
fn plan_show_prints_the_plan_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("p.db").display());
    let out = leapfrog(&["plan", "show", "--json", "--database", &db]);
    let plan: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(plan["industries"].as_array().unwrap().len(), 13);
    assert_eq!(plan["targets"][0]["industry"], "optoelectronics");
    let text = ok(&leapfrog(&["--database", &db, "plan", "show"]));
    assert!(text.contains("光电信息") && text.contains("850"));
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[tokio::test]
async fn import_then_progress_json_on_both_engines() {
    for db in testkit::engines().await {
        let dir = tempfile::tempdir().unwrap();
        let reg = write(
            dir.path(),
            "e.csv",
            &format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n{},乙,永修组团,有机硅\n", uscc(1), uscc(2)),
        );
        let facts = write(
            dir.path(),
            "f.csv",
            &format!(
                "统一社会信用代码,月份,营业收入(万元)\n{u},2021-06,80\n{u},2022-05,100\n{u},2022-06,120\n{v},2022-06,7\n",
                u = uscc(1),
                v = uscc(2)
            ),
        );
        // --database before or after the subcommand.
        ok(&leapfrog(&["--database", &db.url, "import", "enterprises", &reg]));
        let out = ok(&leapfrog(&["import", "facts", &facts, "--database", &db.url]));
        assert!(out.contains("imported: 4 行 rows, 2021-06 … 2022-06"), "{out}");
        let out = ok(&leapfrog(&[
            "progress",
            "--indicator",
            "revenue",
            "--month",
            "2022-06",
            "--json",
            "--provisional",
            "--database",
            &db.url,
        ]));
        let rows: Vec<serde_json::Map<String, serde_json::Value>> = serde_json::from_str(&out).unwrap();
        let keys = [
            "industry",
            "zone",
            "month",
            "value",
            "ytd",
            "ytd_prev",
            "yoy_pct",
            "target",
            "attainment_pct",
            "time_progress_pct",
            "gap_pp",
            "status",
        ];
        for r in &rows {
            let mut got: Vec<&str> = r.keys().map(String::as_str).collect();
            got.sort();
            let mut want = keys.to_vec();
            want.sort();
            assert_eq!(got, want);
        }
        let cell = rows.iter().find(|r| r["industry"] == "optoelectronics" && r["zone"] == "etdz").unwrap();
        assert_eq!(cell["month"], "2022-06");
        assert_eq!(cell["value"], 120.0);
        assert_eq!(cell["ytd"], 220.0);
        assert_eq!(cell["ytd_prev"], 80.0);
        assert_eq!(cell["yoy_pct"], 175.0);
        assert_eq!(cell["time_progress_pct"], 50.0);
        assert!(cell["target"].is_null() && cell["status"].is_null(), "no 2020 baseline, not the final year");
        assert!(rows.iter().any(|r| r["industry"] == "all" && r["zone"] == "all" && r["ytd"] == 227.0), "{}", db.engine);

        // A table for people, in 亿元.
        let out = ok(&leapfrog(&["progress", "--month", "2022年6月", "--provisional", "--database", &db.url]));
        assert!(out.contains("光电信息") && out.contains("0.02"), "{out}");

        // A file with errors: every error named, non-zero exit, nothing imported.
        let bad = write(dir.path(), "bad.csv", &format!("uscc,month,revenue\n{},2022-07,abc\n{},2022-07,5\n", uscc(1), uscc(3)));
        let out = leapfrog(&["import", "facts", &bad, "--database", &db.url]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bad.csv 第2行") && err.contains("bad.csv 第3行") && err.contains("nothing was imported"), "{err}");
        let out = ok(&leapfrog(&["progress", "--month", "2022-07", "--json", "--provisional", "--database", &db.url]));
        assert!(!out.contains("\"value\":5.0"));
    }
}

#[test]
fn database_url_from_the_environment_and_unknown_engines_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("env.db").display());
    let out =
        Command::new(env!("CARGO_BIN_EXE_leapfrog")).args(["plan", "show"]).env("LEAPFROG_DATABASE_URL", &db).output().unwrap();
    ok(&out);
    assert!(dir.path().join("env.db").exists());
    let out = leapfrog(&["plan", "show", "--database", "mysql://x"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}

#[test]
fn templates_have_the_headers_the_importer_reads() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    for kind in ["enterprises", "facts"] {
        let out = dir.path().join(format!("{kind}.xlsx"));
        ok(&leapfrog(&["template", kind, "--out", out.to_str().unwrap(), "--database", &db]));
        let table = files::Table::open(&out).unwrap();
        assert_eq!(table.headers[0], "统一社会信用代码");
        if kind == "facts" {
            assert!(table.headers.contains(&"营业收入(万元)".to_string()));
        }
    }
    for (kind, first) in
        [("projects", "项目编号"), ("project-plans", "项目编号"), ("project-reports", "项目编号"), ("requirements", "项目编号")]
    {
        let out = dir.path().join(format!("{kind}.xlsx"));
        ok(&leapfrog(&["template", kind, "--out", out.to_str().unwrap(), "--database", &db]));
        let table = files::Table::open(&out).unwrap();
        assert_eq!(table.headers[0], first, "{kind}");
        if kind == "requirements" {
            assert_eq!(table.headers, vec!["项目编号", "要件", "责任部门", "计划办结", "实际办结"]);
        }
    }
    assert!(!leapfrog(&["template", "tickets", "--out", "x.xlsx", "--database", &db]).status.success());
}

#[test]
fn demo_files_import_to_the_same_figures_as_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let demo_db = format!("sqlite://{}", dir.path().join("demo.db").display());
    let csv = dir.path().join("csv");
    let out = ok(&leapfrog(&[
        "demo",
        "--no-serve",
        "--enterprises",
        "300",
        "--years",
        "3",
        "--csv",
        csv.to_str().unwrap(),
        "--database",
        &demo_db,
    ]));
    assert!(out.contains("300") && out.contains("10800"), "{out}");
    let fresh = format!("sqlite://{}", dir.path().join("fresh.db").display());
    ok(&leapfrog(&["import", "enterprises", csv.join("enterprises.csv").to_str().unwrap(), "--database", &fresh]));
    ok(&leapfrog(&["import", "facts", csv.join("facts.csv").to_str().unwrap(), "--database", &fresh]));
    for indicator in ["revenue", "tax", "employees"] {
        let a = ok(&leapfrog(&["progress", "--indicator", indicator, "--month", "2022-09", "--json", "--database", &demo_db]));
        let b = ok(&leapfrog(&[
            "progress",
            "--indicator",
            indicator,
            "--month",
            "2022-09",
            "--json",
            "--provisional",
            "--database",
            &fresh,
        ]));
        assert_eq!(a, b, "{indicator}");
    }
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&leapfrog(&["progress", "--month", "2022-12", "--json", "--database", &demo_db]))).unwrap();
    let statuses: std::collections::HashSet<&str> = rows.iter().filter_map(|r| r["status"].as_str()).collect();
    assert!(statuses.contains("ahead") && statuses.contains("behind"), "the demo should show both: {statuses:?}");
}

#[tokio::test]
async fn users_tokens_and_a_tampered_audit_trail_from_the_command_line() {
    for db in testkit::engines().await {
        let reg = format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1));
        let dir = tempfile::tempdir().unwrap();
        let reg = write(dir.path(), "e.csv", &reg);
        ok(&leapfrog(&["import", "enterprises", &reg, "--database", &db.url]));
        let out = ok(&leapfrog(&[
            "user",
            "add",
            "wang",
            "--name",
            "王填报",
            "--role",
            "zone",
            "--scope",
            "经开组团",
            "--database",
            &db.url,
        ]));
        assert!(out.contains("初始密码 / initial password: Lf-"), "{out}");
        let out = leapfrog(&["user", "add", "li", "--name", "李", "--role", "mayor", "--database", &db.url]);
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("unknown role"));
        let list = ok(&leapfrog(&["user", "list", "--database", &db.url]));
        assert!(list.contains("wang\t王填报\tzone\tetdz"), "{list}");
        let token = ok(&leapfrog(&["token", "create", "wang", "--label", "经开月报", "--database", &db.url]));
        assert!(token.trim().starts_with("lf_") && token.trim().len() == 67, "{token}");
        ok(&leapfrog(&["token", "revoke", "1", "--database", &db.url]));
        ok(&leapfrog(&["user", "disable", "wang", "--database", &db.url]));

        let out = ok(&leapfrog(&["audit", "verify", "--database", &db.url]));
        assert!(out.contains("intact: 6"), "plan, import, user, token, revoke, disable: {out}");
        let entries = ok(&leapfrog(&["audit", "list", "--database", &db.url]));
        assert!(entries.contains("user.disable") && entries.contains("cli:"), "{entries}");

        sqlx::any::install_default_drivers();
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        sqlx::Executor::execute(&mut raw, "UPDATE audit_log SET after_json = '{}' WHERE seq = 4").await.unwrap();
        let out = leapfrog(&["audit", "verify", "--database", &db.url]);
        assert!(!out.status.success(), "{}", db.engine);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("entry 4") && err.contains("altered"), "{err}");
    }
}

#[test]
fn serve_refuses_to_start_while_demo_passwords_exist() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("d.db").display());
    let out = ok(&leapfrog(&["demo", "--no-serve", "--enterprises", "30", "--years", "1", "--database", &db]));
    assert!(out.contains("zone-etdz") && out.contains("Ganjiang-2023!"), "{out}");
    let out = leapfrog(&["serve", "--addr", "127.0.0.1:0", "--database", &db]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("demo password") && err.contains("jfj"), "{err}");
}

#[test]
fn demo_will_not_add_its_accounts_to_a_real_database() {
    // Before: `demo` added the well-known demo accounts to any existing database.
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("real.db").display());
    let reg = write(dir.path(), "e.csv", &format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1)));
    let facts = write(dir.path(), "f.csv", &format!("uscc,month,revenue\n{},2022-06,10\n", uscc(1)));
    ok(&leapfrog(&["import", "enterprises", &reg, "--database", &db]));
    ok(&leapfrog(&["import", "facts", &facts, "--database", &db]));
    let out = leapfrog(&["demo", "--no-serve", "--database", &db]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a demo database"));
    let users = ok(&leapfrog(&["user", "list", "--database", &db]));
    assert!(!users.contains("jfj"), "{users}");
}

#[test]
fn the_operator_closes_history_in_bulk_and_progress_says_what_is_left_out() {
    // Before: on a freshly imported database `progress` printed only "无数据", without why.
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("h.db").display());
    let reg = write(
        dir.path(),
        "e.csv",
        &format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n{},乙,yongxiu,silicone\n", uscc(1), uscc(2)),
    );
    let facts = write(
        dir.path(),
        "f.csv",
        &format!("uscc,month,revenue\n{a},2022-05,10\n{a},2022-06,20\n{b},2022-06,30\n", a = uscc(1), b = uscc(2)),
    );
    ok(&leapfrog(&["import", "enterprises", &reg, "--database", &db]));
    ok(&leapfrog(&["import", "facts", &facts, "--database", &db]));
    let out = leapfrog(&["progress", "--month", "2022-06", "--database", &db]);
    let hint = String::from_utf8_lossy(&out.stderr);
    assert!(hint.contains("3 zone-months") && hint.contains("--provisional"), "{hint}");

    let locked = ok(&leapfrog(&["months", "lock", "--through", "2022-05", "--zone", "etdz", "--database", &db]));
    assert!(locked.contains("etdz\t2022-05") && locked.contains("1 zone-months locked"), "{locked}");
    let approved = ok(&leapfrog(&["months", "approve", "--through", "2022-06", "--database", &db]));
    assert!(approved.contains("2 zone-months approved") && !approved.contains("2022-05"), "{approved}");

    let out = leapfrog(&["progress", "--month", "2022-06", "--json", "--database", &db]);
    assert!(String::from_utf8_lossy(&out.stderr).is_empty(), "nothing left out");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total = rows.as_array().unwrap().iter().find(|r| r["industry"] == "all" && r["zone"] == "all").unwrap();
    assert_eq!(total["ytd"].as_f64(), Some(60.0), "{total}");
    let trail = ok(&leapfrog(&["audit", "list", "--database", &db]));
    assert!(trail.contains("submission.lock") && trail.contains("submission.approve"), "{trail}");
}

#[test]
fn progress_defaults_to_the_indicator_the_plans_targets_are_written_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let plan = write(
        dir.path(),
        "plan.toml",
        &domain::plan::DEFAULT_PLAN_TOML.replacen("target_indicator = \"revenue\"", "target_indicator = \"tax\"", 1),
    );
    ok(&leapfrog(&["init", "--plan", &plan, "--database", &db]));
    let reg = write(dir.path(), "e.csv", &format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1)));
    let facts = write(dir.path(), "f.csv", &format!("uscc,month,revenue,tax\n{},2022-06,100,7\n", uscc(1)));
    ok(&leapfrog(&["import", "enterprises", &reg, "--database", &db]));
    ok(&leapfrog(&["import", "facts", &facts, "--database", &db]));
    let rows: serde_json::Value =
        serde_json::from_str(&ok(&leapfrog(&["progress", "--month", "2022-06", "--json", "--provisional", "--database", &db])))
            .unwrap();
    let total = rows.as_array().unwrap().iter().find(|r| r["industry"] == "all" && r["zone"] == "all").unwrap();
    assert_eq!(total["value"].as_f64(), Some(7.0), "{total}");
}

#[test]
fn tasks_lists_the_plans_tasks_and_says_which_are_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("k.db").display());
    let out = leapfrog(&["tasks", "--month", "2023-06", "--database", &db]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("task-2") && text.contains("实施项目提速行动") && text.contains("safeguard-4"), "{text}");
    // Long past its due day and nobody has written: every one is overdue.
    assert!(String::from_utf8_lossy(&out.stderr).contains("12 tasks overdue"));
    let lines: serde_json::Value =
        serde_json::from_str(&ok(&leapfrog(&["tasks", "--month", "2023-06", "--json", "--database", &db]))).unwrap();
    assert_eq!(lines.as_array().unwrap().len(), 12);
    assert_eq!(lines[1]["lead"], "economy");
}

#[tokio::test]
async fn project_files_import_and_dispatch_prints_the_lights_in_the_contract_shape() {
    for db in testkit::engines().await {
        let dir = tempfile::tempdir().unwrap();
        let files = [
            (
                "projects",
                "项目编号,项目名称,组团,产业,类型,总投资(万元),状态,计划开工,实际开工\n\
                 GJ-001,光电产业园,经开组团,光电信息,新建,150000,在建,2022-03,2022-03\n\
                 GJ-002,有机硅项目,永修组团,有机硅,扩建,8000,前期,2022-06,\n",
            ),
            ("project-plans", "项目编号,年度,计划投资(万元)\nGJ-001,2022,12000\n"),
            (
                "project-reports",
                "项目编号,月份,本月完成投资(万元),形象进度\nGJ-001,2022-03,2000,开工\nGJ-001,2022-08,4000,封顶\n",
            ),
            ("requirements", "项目编号,要件,责任部门,计划办结,实际办结\nGJ-002,环评,生态环境分局,2022-07-31,\n"),
        ];
        for (kind, text) in files {
            let path = write(dir.path(), &format!("{kind}.csv"), text);
            let out = ok(&leapfrog(&["import", kind, &path, "--database", &db.url]));
            assert!(out.contains("导入成功"), "{kind}: {out}");
        }
        // A bad row: nothing imported, the row and column named, exit 1.
        let bad = write(dir.path(), "bad.csv", "code,month,investment\nGJ-001,2022-09,abc\n");
        let out = leapfrog(&["import", "project-reports", &bad, "--database", &db.url]);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("第2行"), "{}", String::from_utf8_lossy(&out.stderr));

        let json: serde_json::Value =
            serde_json::from_str(&ok(&leapfrog(&["dispatch", "--month", "2022-09", "--json", "--database", &db.url]))).unwrap();
        let list = json.as_array().unwrap();
        assert_eq!(list.len(), 2, "{}", db.engine);
        let one = list.iter().find(|l| l["code"] == "GJ-001").unwrap();
        let keys: Vec<&str> = one.as_object().unwrap().keys().map(String::as_str).collect();
        for key in ["code", "zone", "start", "investment", "requirements", "problems", "overall", "gap_pp", "reasons"] {
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
        // 6,000 of 12,000 by September: 50 % against 75 % → −25 points, yellow.
        assert_eq!(
            (one["zone"].as_str(), one["investment"].as_str(), one["gap_pp"].as_f64()),
            (Some("etdz"), Some("yellow"), Some(-25.0))
        );
        assert_eq!(one["problems"], serde_json::Value::Null);
        let two = list.iter().find(|l| l["code"] == "GJ-002").unwrap();
        assert_eq!(
            (two["start"].as_str(), two["requirements"].as_str(), two["overall"].as_str()),
            (Some("red"), Some("red"), Some("red"))
        );
        assert_eq!(two["reasons"].as_array().unwrap().len(), 2);
        let text = leapfrog(&["dispatch", "--month", "2022-09", "--database", &db.url]);
        assert!(String::from_utf8_lossy(&text.stdout).contains("重大项目月调度 · 2022年9月"));
        assert!(String::from_utf8_lossy(&text.stderr).contains("1 个项目亮红灯"));
    }
}

#[test]
fn leads_import_and_the_152_tally_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("l.db").display());
    let file = write(
        dir.path(),
        "leads.csv",
        "线索编号,项目名称,投资方,投资额(万元),产业,组团,来源,目标企业,责任单位,阶段,签约日期,开工日期\n\
         ZS-1,光电显示基地,京东方,1200000,光电信息,经开组团,推介会,世界500强,开放发展局,签约,2022-03-01,\n\
         ZS-2,配套项目,配套企业,250000,新材料,经开组团,校友招商,,etdz,签约,2022-04-01,\n",
    );
    assert!(ok(&leapfrog(&["import", "leads", &file, "--database", &db])).contains("导入成功"));
    let p: serde_json::Value =
        serde_json::from_str(&ok(&leapfrog(&["leads", "--year", "2022", "--json", "--database", &db]))).unwrap();
    assert_eq!(p["signed"], 2);
    assert_eq!(p["region"]["met"], false);
    let etdz = p["zones"].as_array().unwrap().iter().find(|z| z["zone"] == "etdz").unwrap();
    assert_eq!(etdz["tally"]["met"], true, "120亿 over 50亿 and 25亿 over 20亿");
    let text = ok(&leapfrog(&["leads", "--year", "2022", "--database", &db]));
    assert!(text.contains("“152”全区") && text.contains("经开组团") && text.contains("达标"), "{text}");
}

#[test]
fn assess_prints_the_ranked_zones_in_the_contract_shape() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("a.db").display());
    let leads = write(
        dir.path(),
        "l.csv",
        "code,name,investor,amount,industry,zone,source,owner,stage,signed\nL1,甲,甲,600000,optoelectronics,etdz,推介会,etdz,签约,2022-03-01\n",
    );
    ok(&leapfrog(&["import", "leads", &leads, "--database", &db]));
    let out: serde_json::Value =
        serde_json::from_str(&ok(&leapfrog(&["assess", "--year", "2022", "--json", "--database", &db]))).unwrap();
    let zones = out.as_array().unwrap();
    assert_eq!(zones.len(), 4, "every top-level zone");
    for z in zones {
        for key in ["zone", "rank", "total", "scores"] {
            assert!(z.get(key).is_some(), "{key} in {z}");
        }
    }
    // Only etdz has a lead over 50亿: its "152" score is half the weight, the others' none.
    assert_eq!(zones[0]["zone"], "etdz");
    assert_eq!((zones[0]["rank"].as_u64(), zones[0]["scores"]["quota_152"].as_f64()), (Some(1), Some(7.5)));
    assert_eq!(zones[1]["rank"], 2);
    assert!(!leapfrog(&["assess", "--year", "2030", "--database", &db]).status.success());
}

#[test]
fn report_bulletin_writes_a_docx_and_its_tables_as_an_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("b.db").display());
    let out = dir.path().join("通报.docx");
    let said = ok(&leapfrog(&["report", "bulletin", "--quarter", "2022Q3", "--out", out.to_str().unwrap(), "--database", &db]));
    assert!(said.contains("通报.xlsx"), "{said}");
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"PK"), "a zip package");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("word/document.xml"));
    let mut table = files::Table::open(&dir.path().join("通报.xlsx")).unwrap();
    table.find_header(|h| h.first().is_some_and(|c| c == "指标"));
    assert_eq!(table.headers[..2], ["指标".to_string(), "目标值".to_string()]);
    let bad = leapfrog(&["report", "bulletin", "--quarter", "2022Q5", "--out", out.to_str().unwrap(), "--database", &db]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("2022Q3"));
}

#[test]
fn evaluate_prints_every_result_in_the_contract_shape() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("e.db").display());
    let reg = write(
        dir.path(),
        "e.csv",
        &format!(
            "uscc,name,zone,industry,land_mu,above_scale\n{},甲,etdz,光电信息,10,是\n{},乙,etdz,光电信息,20,是\n",
            uscc(1),
            uscc(2)
        ),
    );
    ok(&leapfrog(&["import", "enterprises", &reg, "--database", &db]));
    let facts = write(
        dir.path(),
        "f.csv",
        &format!("uscc,month,revenue,tax,value_added\n{},2022-06,100,10,30\n{},2022-06,100,10,30\n", uscc(1), uscc(2)),
    );
    ok(&leapfrog(&["import", "facts", &facts, "--database", &db]));
    // Loaded facts are drafts: the official evaluation has nobody, the provisional one both.
    let official: serde_json::Value =
        serde_json::from_str(&ok(&leapfrog(&["evaluate", "--year", "2022", "--json", "--database", &db]))).unwrap();
    assert_eq!(official.as_array().unwrap().len(), 0);
    let out: serde_json::Value =
        serde_json::from_str(&ok(&leapfrog(&["evaluate", "--year", "2022", "--json", "--provisional", "--database", &db])))
            .unwrap();
    let list = out.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for r in list {
        for key in ["uscc", "scale", "total", "class", "scores", "imputed", "values"] {
            assert!(r.get(key).is_some(), "{key} in {r}");
        }
        assert_eq!(r["scale"], "above");
        // No energy, emissions, staff or R&D: those four indicators are imputed (from nobody: 0).
        assert_eq!(r["imputed"].as_array().unwrap().len(), 4, "{r}");
    }
    // Tax per mu 1 against 0.5: the smaller holding ranks first.
    let first = list.iter().find(|r| r["uscc"] == uscc(1)).unwrap();
    assert_eq!(first["values"]["tax_per_mu"], 1.0);
    assert_eq!(first["class"], "A");
}

#[test]
fn calendar_due_counts_working_days_on_the_plans_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("c.db").display());
    // Across the 2023 National Day holiday (29 September to 6 October off, 7 and 8 worked).
    let out = leapfrog(&["--database", &db, "calendar", "due", "2023-09-28", "3"]);
    assert_eq!(ok(&out), "2023-10-09\n");
    // Across the year's end: Friday 29 December 2023, a weekend, 1 January 2024 off.
    let out = leapfrog(&["--database", &db, "calendar", "due", "2023-12-29", "1"]);
    assert_eq!(ok(&out), "2024-01-02\n");
    let out = leapfrog(&["--database", &db, "calendar", "due", "2023-13-01", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2023-13-01"));
    // A year the plan has no holidays for is counted on weekdays, and said so.
    let out = leapfrog(&["--database", &db, "calendar", "due", "2030-09-27", "1"]);
    assert_eq!(ok(&out), "2030-09-30\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("2030"));
}

#[test]
fn tickets_escalate_and_list_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("t.db").display());
    let out = leapfrog(&["--database", &db, "tickets", "escalate"]);
    ok(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("督办 0 件"));
    let out = leapfrog(&["--database", &db, "tickets", "list", "--json"]);
    assert_eq!(ok(&out).trim(), "[]");
    let out = leapfrog(&["--database", &db, "tickets", "list", "--state", "nonsense"]);
    assert!(!out.status.success());
}

/// `serve --log-format json`: one JSON object a line, each line logged while answering a request
/// carrying its id; SIGTERM stops the server cleanly.
#[test]
fn serve_logs_json_lines_with_request_ids_and_stops_on_sigterm() {
    use std::io::{BufRead, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("s.db").display());
    let mut server = Command::new(env!("CARGO_BIN_EXE_leapfrog"))
        .args(["--log-format", "json", "serve", "--addr", "127.0.0.1:0", "--database", &db])
        .env_remove("LEAPFROG_DATABASE_URL")
        .env("LEAPFROG_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let addr = first.split("http://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_else(|| panic!("{first}")).to_string();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    write!(conn, "GET /healthz HTTP/1.1\r\nHost: {addr}\r\nX-Request-Id: probe-42\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let term = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(term.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
    let mut logs = String::new();
    server.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    let lines: Vec<serde_json::Value> =
        logs.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    let answered = lines
        .iter()
        .find(|l| l["fields"]["message"] == "answered" && l["span"]["id"] == "probe-42")
        .unwrap_or_else(|| panic!("no line for the request in\n{logs}"));
    assert_eq!(answered["fields"]["status"], 200);
    assert_eq!(answered["span"]["path"], "/healthz");
    assert!(lines.iter().any(|l| l["fields"]["message"].as_str().is_some_and(|m| m.contains("stopped"))), "{logs}");
}

/// backup → restore into PostgreSQL → db copy back to SQLite: every table the same rows (by a
/// checksum of every value), the same figures, and an audit trail that verifies at each step;
/// what would lose data is refused.
#[tokio::test]
async fn backup_restore_and_copy_between_engines_keep_every_row_figure_and_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let original = format!("sqlite://{}", at("a.db").display());
    ok(&leapfrog(&["demo", "--no-serve", "--enterprises", "40", "--years", "2", "--database", &original]));
    let saved = ok(&leapfrog(&["evaluate", "--year", "2020", "--save", "--database", &original]));
    assert!(saved.contains("已保存"), "{saved}");
    let figures = |db: &str| {
        let progress = ok(&leapfrog(&["progress", "--indicator", "revenue", "--month", "2021-06", "--json", "--database", db]));
        let evaluation = ok(&leapfrog(&["evaluate", "--year", "2020", "--json", "--database", db]));
        (progress, evaluation)
    };
    // Review flags, with and without values, across several statements of the copy: a null
    // real once fixed the prepared statement's type on PostgreSQL and failed the next real.
    sqlx::any::install_default_drivers();
    let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&original).await.unwrap();
    for k in 0..300 {
        let value = if k % 3 == 0 { "NULL".to_string() } else { format!("{}.25", k) };
        sqlx::Executor::execute(
            &mut raw,
            sqlx::AssertSqlSafe(format!(
                "INSERT INTO review_flags VALUES ('etdz', 202106, 'U{k}', 'jump', 'revenue', {value}, {value}, 'explain', \
                 '', '', NULL, '', '', '', NULL)"
            )),
        )
        .await
        .unwrap();
    }
    drop(raw);
    let before = store::table_checksums(&original).await.unwrap();
    assert!(before.iter().any(|t| t.table == "facts" && t.rows >= 40 * 24), "{before:?}");
    assert!(before.iter().any(|t| t.table == "review_flags" && t.rows >= 300), "{before:?}");
    assert!(before.iter().any(|t| t.table == "evaluation_results" && t.rows > 0));

    let backup = at("backup.db");
    let out = ok(&leapfrog(&["--database", &original, "backup", backup.to_str().unwrap()]));
    assert!(out.contains("逐表核对一致"), "{out}");
    assert!(dir.path().join("backup.db.audit-key").exists(), "the key goes beside the backup");
    let again = leapfrog(&["--database", &original, "backup", backup.to_str().unwrap()]);
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("never overwrites"));

    // A copy that fails writes nothing, and the same destination takes the next one: a damaged
    // backup (text where a number belongs) first, then the sound one.
    let damaged = at("damaged.db");
    std::fs::copy(&backup, &damaged).unwrap();
    std::fs::copy(dir.path().join("backup.db.audit-key"), dir.path().join("damaged.db.audit-key")).unwrap();
    let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("sqlite://{}", damaged.display())).await.unwrap();
    sqlx::Executor::execute(
        &mut raw,
        "UPDATE enterprises SET land_mu_milli = 'lots' WHERE id = (SELECT MIN(id) FROM enterprises)",
    )
    .await
    .unwrap();
    drop(raw);
    let retried = format!("sqlite://{}", at("c.db").display());
    let failed = leapfrog(&["--database", &retried, "restore", damaged.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success() && err.contains("table enterprises, row 1, column land_mu_milli"), "{err}");
    assert!(store::table_checksums(&retried).await.unwrap().iter().all(|t| t.rows == 0), "nothing written");
    ok(&leapfrog(&["--database", &retried, "restore", backup.to_str().unwrap()]));
    assert_eq!(store::table_checksums(&retried).await.unwrap(), before);

    // Into PostgreSQL when there is one (a second SQLite file otherwise).
    let pg = testkit::postgres().await;
    let second = format!("sqlite://{}", at("b.db").display());
    let middle = pg.as_ref().map_or(second.as_str(), |d| d.url.as_str());
    ok(&leapfrog(&["--database", middle, "restore", backup.to_str().unwrap()]));
    let twice = leapfrog(&["--database", middle, "restore", backup.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&twice.stderr);
    assert!(!twice.status.success() && err.contains("不是空的"), "a restore never writes over a database: {err}");
    assert_eq!(store::table_checksums(middle).await.unwrap(), before, "restored into {middle}");

    let back = format!("sqlite://{}", at("back.db").display());
    ok(&leapfrog(&["db", "copy", "--from", middle, "--to", &back]));
    assert_eq!(store::table_checksums(&back).await.unwrap(), before);
    let same = leapfrog(&["db", "copy", "--from", &back, "--to", &back]);
    assert!(!same.status.success());

    for db in [&original, middle, &back] {
        let out = ok(&leapfrog(&["audit", "verify", "--database", db]));
        assert!(out.contains("intact"), "{db}: {out}");
    }
    let (progress, evaluation) = figures(&original);
    for db in [middle, back.as_str()] {
        let (p, e) = figures(db);
        assert_eq!(p, progress, "{db}");
        assert_eq!(e, evaluation, "{db}");
    }
}

/// A database whose key is kept elsewhere (LEAPFROG_AUDIT_KEY_FILE) is backed up with that key
/// beside the backup, so the backup verifies on its own.
#[test]
fn a_backup_carries_the_key_kept_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("keys").join("audit-key");
    let db = format!("sqlite://{}", dir.path().join("a.db").display());
    let with_key = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_leapfrog"))
            .args(args)
            .env_remove("LEAPFROG_DATABASE_URL")
            .env("LEAPFROG_AUDIT_KEY_FILE", &key)
            .output()
            .unwrap()
    };
    ok(&with_key(&["--database", &db, "user", "add", "wang", "--name", "王", "--role", "leader"]));
    let backup = dir.path().join("b.db");
    ok(&with_key(&["--database", &db, "backup", backup.to_str().unwrap()]));
    assert_eq!(std::fs::read(dir.path().join("b.db.audit-key")).unwrap(), std::fs::read(&key).unwrap());
    let out = ok(&leapfrog(&["audit", "verify", "--database", &format!("sqlite://{}", backup.display())]));
    assert!(out.contains("intact: 2"), "{out}");
}

/// `leapfrog forecast --json` prints one row per progress row, with the fields of PRODUCT.md §7.
#[test]
fn forecast_prints_a_projection_per_progress_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("f.db").display());
    ok(&leapfrog(&["demo", "--no-serve", "--enterprises", "60", "--years", "4", "--database", &db]));
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&leapfrog(&["forecast", "--month", "2023-06", "--json", "--database", &db]))).unwrap();
    let progress: Vec<serde_json::Value> =
        serde_json::from_str(&ok(&leapfrog(&["progress", "--month", "2023-06", "--json", "--database", &db]))).unwrap();
    assert_eq!(rows.len(), progress.len());
    let fields = ["industry", "zone", "month", "ytd", "projected", "low", "high", "target", "probability", "years", "reason"];
    for (r, p) in rows.iter().zip(&progress) {
        let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        let mut want = fields.to_vec();
        want.sort();
        assert_eq!(keys, want);
        assert_eq!((&r["industry"], &r["zone"], &r["ytd"], &r["target"]), (&p["industry"], &p["zone"], &p["ytd"], &p["target"]));
    }
    let total = rows.iter().find(|r| r["industry"] == "all" && r["zone"] == "all").unwrap();
    assert_eq!(total["years"], serde_json::json!([2020, 2021, 2022]));
    let (low, projected, high) =
        (total["low"].as_f64().unwrap(), total["projected"].as_f64().unwrap(), total["high"].as_f64().unwrap());
    assert!(low <= projected && projected <= high, "{total}");
    let text = ok(&leapfrog(&["forecast", "--month", "2023-06", "--database", &db]));
    assert!(text.contains("预计全年") && text.contains("达标概率"), "{text}");
}

/// `leapfrog review --json` prints a zone's month's flags with the fields of PRODUCT.md §7, and
/// the terminal table names the rules in Chinese.
#[test]
fn review_prints_a_zones_flags() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("r.db").display());
    let reg = write(dir.path(), "e.csv", &format!("uscc,name,zone,industry\n{},甲,etdz,optoelectronics\n", uscc(1)));
    let facts =
        write(dir.path(), "f.csv", &format!("uscc,month,revenue,tax\n{u},2024-05,100,5\n{u},2024-06,400,150\n", u = uscc(1)));
    ok(&leapfrog(&["--database", &db, "import", "enterprises", &reg]));
    ok(&leapfrog(&["--database", &db, "import", "facts", &facts]));
    let flags: Vec<serde_json::Value> = serde_json::from_str(&ok(&leapfrog(&[
        "--database",
        &db,
        "review",
        "--zone",
        "etdz",
        "--month",
        "2024-06",
        "--json",
        "--provisional",
    ])))
    .unwrap();
    let rules: Vec<&str> = flags.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, vec!["jump", "jump", "tax_ratio"], "{flags:?}");
    let mut keys: Vec<&str> = flags[0].as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["indicator", "reference", "rule", "severity", "uscc", "value"]);
    assert_eq!(
        (&flags[0]["value"], &flags[0]["reference"], &flags[0]["severity"]),
        (&400.0.into(), &100.0.into(), &"explain".into())
    );
    // Officially May is not approved: only the tax ratio, which needs no month before.
    let text = ok(&leapfrog(&["--database", &db, "review", "--zone", "经开组团", "--month", "2024-06"]));
    assert!(text.contains("1 条需说明的提示") && text.contains("税收占比异常"), "{text}");
}
