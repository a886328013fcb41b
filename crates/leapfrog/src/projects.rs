//! `leapfrog dispatch`: the monthly dispatch (月调度) of major projects with their lights.

use domain::Month;
use domain::projects::Light;
use service::{App, Caller};

pub async fn dispatch(db: &str, caller: &Caller, month: Option<String>, json: bool) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let month = match month {
        Some(m) => Month::parse(&m)?,
        None => app.clock.current_month().prev(),
    };
    let d = app.dispatch(caller, month).await?;
    if json {
        // The §6 shape: one object per project the caller may see.
        println!("{}", serde_json::to_string(&d.lights)?);
        return Ok(());
    }
    let shown = |l: Option<Light>| l.map_or("—", Light::zh);
    println!("重大项目月调度 · {}", month.zh());
    println!(
        "{:<14} {:<10} {:<4} {:<4} {:<4} {:<4} {:<4} {:>9}",
        "项目", "组团", "开工", "投资", "要件", "问题", "综合", "进度差"
    );
    for l in &d.lights {
        let zone = app.plan.zone(&l.zone).map_or(l.zone.to_string(), |z| z.name.clone());
        let gap = l.gap_pp.map_or("—".to_string(), |g| format!("{g:.1}"));
        println!(
            "{:<14} {:<10} {:<4} {:<4} {:<4} {:<4} {:<4} {:>9}",
            l.code,
            zone,
            shown(l.start),
            shown(l.investment),
            shown(l.requirements),
            shown(l.problems),
            shown(l.overall),
            gap
        );
        for r in &l.reasons {
            println!("{:<16}· {r}", "");
        }
    }
    let target = d.major_target.map_or(String::new(), |t| format!(" / 目标 {t}"));
    println!("亿元以上工业项目 {}年开工 {}{target}", month.year(), d.major_started);
    let red = d.lights.iter().filter(|l| l.overall == Some(Light::Red)).count();
    if red > 0 {
        eprintln!("{red} 个项目亮红灯 / {red} projects red");
    }
    Ok(())
}

/// `leapfrog leads`: the year's investment-attraction pipeline and its "152" tally.
pub async fn leads(db: &str, caller: &Caller, year: Option<i32>, json: bool) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let year = year.unwrap_or(app.clock.today().year);
    let p = app.pipeline(caller, year).await?;
    if json {
        let mut value = serde_json::to_value(&p)?;
        // The pipeline's leads are long; the summary is what this command is for.
        if let Some(o) = value.as_object_mut() {
            o.remove("leads");
        }
        println!("{value}");
        return Ok(());
    }
    println!("招商引资 · {year}年");
    for s in &p.stages {
        println!("{:<6} {:>4} 个 {:>12} 亿元", s.name, s.count, domain::amount::yi_yuan(s.amount));
    }
    let tiers = |t: &domain::leads::Tally| {
        t.tiers
            .iter()
            .map(|x| format!("超{}亿 {}/{}{}", x.at_least_wan / 10_000, x.signed, x.required, if x.met { "" } else { "✗" }))
            .collect::<Vec<_>>()
            .join(",")
    };
    println!("“152”全区:{}{}", tiers(&p.region), if p.region.met { " 达标" } else { " 未达标" });
    for z in &p.zones {
        let name = app.plan.zone(&z.zone).map_or(z.zone.to_string(), |x| x.name.clone());
        println!("  {name}:{}{}", tiers(&z.tally), if z.tally.met { " 达标" } else { " 未达标" });
    }
    let pct = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.1}%"));
    println!(
        "签约 {} 个,已开工 {}(签约→开工 {}),资金到位率 {}",
        p.signed,
        p.signed_started,
        pct(p.signed_to_started_pct),
        pct(p.funds_in_place_pct)
    );
    Ok(())
}

/// `leapfrog assess`: the annual zone assessment, ranked, with each score's computation.
pub async fn assess(db: &str, caller: &Caller, year: i32, json: bool) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let scores = app.assess(caller, year).await?;
    if json {
        println!("{}", serde_json::to_string(&scores)?);
        return Ok(());
    }
    println!("{year}年度组团考核");
    for z in &scores {
        let name = app.plan.zone(&z.zone).map_or(z.zone.to_string(), |x| x.name.clone());
        println!("第{}名 {name} {:.2} 分", z.rank, z.total);
        for l in &z.lines {
            println!("    {}(权重{}):{:.2} — {}", l.name, l.weight, l.score, l.how);
        }
    }
    Ok(())
}

/// `leapfrog report bulletin`: the quarterly bulletin as a DOCX, and its tables as an XLSX beside
/// it (or where `--xlsx` says).
pub async fn bulletin(
    db: &str,
    caller: &Caller,
    quarter: &str,
    out: &std::path::Path,
    xlsx: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let q = service::Quarter::parse(quarter)
        .ok_or_else(|| anyhow::anyhow!("季度“{quarter}”应写作 2022Q3 或 2022年第3季度 / write the quarter as 2022Q3"))?;
    let report = app.bulletin(caller, q).await?;
    std::fs::write(out, files::write_docx(&report)?)?;
    let xlsx = xlsx.map(std::path::Path::to_path_buf).unwrap_or_else(|| out.with_extension("xlsx"));
    std::fs::write(&xlsx, files::write_xlsx(&files::report_sheets(&report))?)?;
    println!("已写出 / written: {} 与 {}", out.display(), xlsx.display());
    Ok(())
}
