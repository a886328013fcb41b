//! `leapfrog evaluate`: the per-mu efficiency evaluation of a year, computed or saved as a run;
//! `leapfrog evaluation-run`: a saved run's publication workflow.

use anyhow::Context;
use domain::calendar::Date;
use service::{App, Caller, Figures};

pub async fn evaluate(db: &str, caller: &Caller, year: i32, json: bool, provisional: bool, save: bool) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let figures = if provisional { Figures::Provisional } else { Figures::Official };
    if save {
        let id = app.run_evaluation(caller, year, figures).await?;
        let run = app.evaluation_run(caller, id).await?;
        if json {
            println!("{}", serde_json::to_string(&run)?);
        } else {
            println!("已保存 {year}年第 {id} 批次评价(草稿),{} 家企业 / saved run {id}", run.enterprises);
        }
        return Ok(());
    }
    let results = app.evaluate(caller, year, figures).await?;
    if json {
        // Written as it is serialised: 100,000 results are some 50 MB of JSON.
        use std::io::Write;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        serde_json::to_writer(&mut out, &results)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(());
    }
    println!("{year}年度亩产效益综合评价({})", if provisional { "含未审核数据" } else { "正式数据" });
    for scale in ["above", "below"] {
        let of: Vec<_> = results.iter().filter(|r| r.scale == scale).collect();
        let count = |c: &str| of.iter().filter(|r| r.class == c).count();
        println!(
            "{}:{} 家,A {} · B {} · C {} · D {} · 不定等级 {}",
            if scale == "above" { "规上" } else { "规下" },
            of.len(),
            count("A"),
            count("B"),
            count("C"),
            count("D"),
            count("ungraded")
        );
    }
    if results.is_empty() {
        eprintln!("没有可评价的企业(用地达到门槛且有当年数据的工业企业) / nobody to evaluate");
    }
    Ok(())
}

pub async fn step(db: &str, caller: &Caller, id: i64, step: &str, from: Option<String>, reason: &str) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    match step {
        "recompute" => app.rerun_evaluation(caller, id).await?,
        "publish" => {
            let from = from
                .map(|s| Date::parse(&s).with_context(|| format!("--from “{s}” 应为 YYYY-MM-DD / dates are YYYY-MM-DD")))
                .transpose()?;
            let (from, to) = app.publish_evaluation(caller, id, from).await?;
            println!("第 {id} 批次公示 {from} 至 {to} / published for objection");
        }
        "withdraw" => app.withdraw_evaluation(caller, id, reason).await?,
        _ => app.finalise_evaluation(caller, id).await?,
    }
    let run = app.evaluation_run(caller, id).await?;
    println!("第 {id} 批次:{} / run {id} is {}", run.state_zh, run.state);
    Ok(())
}
