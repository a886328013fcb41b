//! `leapfrog import`, `template`, `progress` and `months`: monthly statistics from the command line.

use std::path::PathBuf;

use clap::Subcommand;
use domain::Month;
use domain::submission::SubmissionState;
use service::ProjectFileKind;
use service::{App, Caller};

use crate::{bar, cli_text};

#[derive(Subcommand)]
pub enum ImportWhat {
    /// 企业名录: 统一社会信用代码, 企业名称, 组团, 产业, 用地面积(亩), 规上, 成立日期, 标签
    Enterprises { file: PathBuf },
    /// 月度数据: 统一社会信用代码, 月份, then one column per indicator
    Facts {
        file: PathBuf,
        /// Values are year-to-date totals (本年累计)
        #[arg(long)]
        cumulative: bool,
    },
    /// 项目库: 项目编号, 项目名称, 投资主体统一社会信用代码, 组团, 产业, 类型, 省重点, 省大中型,
    /// 省"三百", 总投资(万元), 状态, 计划开工, 实际开工, 计划竣工, 实际竣工
    Projects { file: PathBuf },
    /// 年度投资计划: 项目编号, 年度, 计划投资(万元)
    ProjectPlans { file: PathBuf },
    /// 项目月报: 项目编号, 月份, 本月完成投资(万元), 形象进度
    ProjectReports { file: PathBuf },
    /// 前置要件: 项目编号, 要件, 责任部门, 计划办结, 实际办结
    Requirements { file: PathBuf },
    /// 招商线索: 线索编号, 项目名称, 投资方, 投资额(万元), 产业, 组团, 来源, 目标企业, 责任单位,
    /// 阶段, 签约/注册/开工/投产日期, 到位资金(万元), 项目编号
    Leads { file: PathBuf },
    /// 企业标签(认定): 统一社会信用代码, 标签, 起始日期, 截止日期, 备注
    Tags { file: PathBuf },
    /// 科创平台与双创团队: 编号, 名称, 类别, 级别, 类型, 依托单位统一社会信用代码, 依托单位, 认定日期,
    /// 撤销日期, 备注
    Innovation { file: PathBuf },
}

#[derive(Subcommand)]
pub enum MonthsAction {
    /// Approve every zone-month with facts through MONTH (drafts, submissions, returned months)
    Approve {
        #[command(flatten)]
        range: MonthRange,
    },
    /// Lock every zone-month with facts through MONTH (a pending correction is left as it is)
    Lock {
        #[command(flatten)]
        range: MonthRange,
    },
}

#[derive(clap::Args)]
pub struct MonthRange {
    /// The last month to close: 2022-12, 2022/12 or 2022年12月
    #[arg(long)]
    pub through: String,
    /// Only this top-level zone (code or name); default every zone
    #[arg(long)]
    pub zone: Option<String>,
    /// Why, recorded in the audit trail
    #[arg(long, default_value = "历史数据批量关闭 / history closed in bulk")]
    pub reason: String,
}

pub async fn import(db: &str, caller: &Caller, what: ImportWhat) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let pb = bar("导入 / importing");
    let progress = |done: u64, total: u64| {
        pb.set_length(total);
        pb.set_position(done);
    };
    let summary = match what {
        ImportWhat::Enterprises { file } => app.import_enterprises(caller, &file, &progress).await,
        ImportWhat::Facts { file, cumulative } => app.import_facts(caller, &file, cumulative, &progress).await,
        ImportWhat::Projects { file } => app.import_project_file(caller, ProjectFileKind::Projects, &file, &progress).await,
        ImportWhat::ProjectPlans { file } => app.import_project_file(caller, ProjectFileKind::Plans, &file, &progress).await,
        ImportWhat::ProjectReports { file } => app.import_project_file(caller, ProjectFileKind::Reports, &file, &progress).await,
        ImportWhat::Leads { file } => app.import_leads(caller, &file, &progress).await,
        ImportWhat::Tags { file } => app.import_tags(caller, &file, &progress).await,
        ImportWhat::Innovation { file } => app.import_innovation(caller, &file, &progress).await,
        ImportWhat::Requirements { file } => {
            app.import_project_file(caller, ProjectFileKind::Requirements, &file, &progress).await
        }
    };
    pb.finish_and_clear();
    let summary = summary?;
    if summary.header_row > 1 {
        eprintln!("提示 / note: 表头取自第{}行 / the header is row {}", summary.header_row, summary.header_row);
    }
    for c in &summary.ignored_columns {
        eprintln!("提示 / note: 列“{c}”未读取(不是计划中的指标,或已有本月数)/ column not read");
    }
    if !summary.skipped_rows.is_empty() {
        let rows: Vec<String> = summary.skipped_rows.iter().map(|r| r.to_string()).collect();
        eprintln!("提示 / note: 第{}行为注释或合计行,已跳过 / notes and totals skipped", rows.join("、"));
    }
    match &summary.months {
        Some((first, last)) => println!("导入成功 / imported: {} 行 rows, {first} … {last}", summary.rows),
        None => println!(
            "导入成功 / imported: {} 行 rows ({} 新增 new, {} 更新 updated)",
            summary.rows, summary.inserted, summary.updated
        ),
    }
    app.store.close().await;
    Ok(())
}

pub async fn template(db: &str, kind: &str, out: &std::path::Path) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    files::template(kind, &app.plan, out)?;
    println!("已写出模板 / template written: {}", out.display());
    Ok(())
}

/// What `progress` and `forecast` take: an indicator, a month and the kind of figures.
#[derive(clap::Args)]
pub struct CellArgs {
    /// An indicator code; default the one the plan's targets are written in
    #[arg(long)]
    indicator: Option<String>,
    /// 2022-06, 2022/6 or 2022年6月; default the latest month with data
    #[arg(long)]
    month: Option<String>,
    #[arg(long)]
    json: bool,
    /// Include months not yet approved (drafts and submissions); official figures otherwise
    #[arg(long)]
    provisional: bool,
}

/// The views of every cell of the progress table.
pub enum CellView {
    Progress,
    /// 预计全年 (PRODUCT.md §7).
    Forecast,
}

/// The progress table or its forecast, as JSON or a terminal table.
pub async fn cells(db: &str, caller: &Caller, view: CellView, args: CellArgs) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let month = match args.month {
        Some(m) => Month::parse(&m)?,
        None => app.latest_month().await?.ok_or_else(|| anyhow::anyhow!("数据库中还没有月度数据 / no facts yet"))?,
    };
    let figures = if args.provisional { service::Figures::Provisional } else { service::Figures::Official };
    let indicator = args.indicator.unwrap_or_else(|| app.plan.target_indicator.to_string());
    // Known once the rows are read: an unknown indicator is refused there.
    let ind = || app.plan.indicator(&indicator).expect("checked by the service");
    match view {
        CellView::Progress => {
            let rows = app.progress(caller, &indicator, month, figures).await?;
            if args.json {
                println!("{}", serde_json::to_string(&rows)?);
            } else {
                print!("{}", cli_text::progress(&app.plan, ind(), month, &rows));
            }
        }
        CellView::Forecast => {
            let rows = app.forecast(caller, &indicator, month, figures).await?;
            if args.json {
                println!("{}", serde_json::to_string(&rows)?);
            } else {
                print!("{}", cli_text::forecast(&app.plan, ind(), month, &rows));
            }
        }
    }
    warn_provisional(&app, caller, month, args.provisional).await
}

/// 审核规则: a zone's month's flags, as JSON or a table.
pub async fn review(db: &str, caller: &Caller, zone: &str, month: &str, json: bool, provisional: bool) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let month = Month::parse(month)?;
    let figures = if provisional { service::Figures::Provisional } else { service::Figures::Official };
    let flags = app.review(caller, zone, month, figures).await?;
    if json {
        println!("{}", serde_json::to_string(&flags)?);
    } else {
        print!("{}", cli_text::review(&app.plan, zone, month, &flags));
    }
    Ok(())
}

/// Official figures leave out months nobody has approved: say so, and what to do.
async fn warn_provisional(app: &App, caller: &Caller, month: Month, provisional: bool) -> anyhow::Result<()> {
    let open = if provisional { 0 } else { app.provisional_months(caller, month).await? };
    if open > 0 {
        eprintln!(
            "注意:截至 {month} 有 {open} 个组团月份尚未审核,不计入正式数据;用 --provisional 查看,或用 \
                 `leapfrog months approve|lock --through {month}` 关闭 / {open} zone-months through {month} are not \
                 approved and are left out: see them with --provisional, or close them with `leapfrog months approve|lock`"
        );
    }
    Ok(())
}

pub async fn months(db: &str, caller: &Caller, action: MonthsAction) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    let (range, to) = match action {
        MonthsAction::Approve { range } => (range, SubmissionState::Approved),
        MonthsAction::Lock { range } => (range, SubmissionState::Locked),
    };
    let through = Month::parse(&range.through)?;
    let changed = app.close_months(caller, through, range.zone.as_deref(), to, &range.reason).await?;
    for (zone, month, from) in &changed {
        println!("{zone}\t{month}\t{} → {}", from.zh(), to.zh());
    }
    println!("{} 个组团月份已{} / {} zone-months {}", changed.len(), to.zh(), changed.len(), to.code());
    app.store.close().await;
    Ok(())
}
