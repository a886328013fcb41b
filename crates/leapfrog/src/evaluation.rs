//! `leapfrog evaluate`: the per-mu efficiency evaluation of a year.

use service::{App, Caller, Figures};

pub async fn evaluate(db: &str, caller: &Caller, year: i32, json: bool, provisional: bool) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let figures = if provisional { Figures::Provisional } else { Figures::Official };
    let results = app.evaluate(caller, year, figures).await?;
    if json {
        println!("{}", serde_json::to_string(&results)?);
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
