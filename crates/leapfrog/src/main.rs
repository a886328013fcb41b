//! `leapfrog`: the command line of the industrial-development dispatch platform.

mod accounts;
mod cli_text;
mod evaluation;
mod monthly;
mod projects;
mod tasks;
mod tickets;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use domain::Plan;
use indicatif::{ProgressBar, ProgressStyle};
use service::{App, Caller, DemoSpec, ServiceError};

use accounts::{AuditAction, TokenAction, UserAction};
use monthly::{ImportWhat, MonthsAction};

#[derive(Subcommand)]
enum ReportWhat {
    /// The quarterly bulletin: 2022Q3 or 2022年第3季度; the XLSX goes beside the DOCX unless --xlsx
    Bulletin {
        #[arg(long)]
        quarter: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
}

#[derive(Parser)]
#[command(name = "leapfrog", version, about = "产业跨越发展调度平台 / Leapfrog: run a regional industrial-development plan")]
struct Cli {
    /// Database: sqlite://FILE or postgres://USER@HOST/DB [default: sqlite://leapfrog.db;
    /// for `demo`, sqlite://leapfrog-demo.db]
    #[arg(long, global = true, env = "LEAPFROG_DATABASE_URL")]
    database: Option<String>,
    /// Log lines as text, or as one JSON object a line for a log collector (with each request's
    /// id); what is logged is set by LEAPFROG_LOG (default warn; info logs every request)
    #[arg(long, global = true, env = "LEAPFROG_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check or show a plan file
    Plan {
        #[command(subcommand)]
        action: PlanAction,
    },
    /// Load a plan file into the database (a new database gets the built-in Ganjiang plan)
    Init {
        #[arg(long)]
        plan: PathBuf,
    },
    /// Import the enterprise registry or monthly facts from CSV or XLSX
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Write an empty XLSX import template
    Template {
        /// enterprises, facts, projects, project-plans, project-reports, requirements, leads, tags or innovation
        kind: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Progress of one indicator in one month, by industry and zone
    Progress(monthly::CellArgs),
    /// Accounts: add, list, disable, enable, reset-password
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// API tokens for machine clients: create, list, revoke
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// The audit trail: verify the hash chain, or list entries
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
    /// 预计全年: each progress cell's year projected from its own earlier years, with a range and
    /// the odds of reaching its target
    Forecast(monthly::CellArgs),
    /// 审核规则: the flags of a zone's month against the month before (PRODUCT.md §7)
    Review {
        /// A top-level zone (its sub-zones included), by code or name
        #[arg(long)]
        zone: String,
        /// 2022-06, 2022/6 or 2022年6月
        #[arg(long)]
        month: String,
        #[arg(long)]
        json: bool,
        /// Compare with the month before as imported, approved or not (only once approved otherwise)
        #[arg(long)]
        provisional: bool,
    },
    /// Close history in bulk: approve or lock every zone's months with facts through a month
    Months {
        #[command(subcommand)]
        action: MonthsAction,
    },
    /// The plan's key tasks and safeguards with a month's progress notes (default the last
    /// finished month); overdue ones are said on stderr
    Tasks {
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// The monthly dispatch of major projects: each project's lights (start, investment,
    /// requirements, problems) with their reasons (default the last finished month)
    Dispatch {
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Investment attraction: leads by stage, the year's "152" tally for the region and each zone,
    /// and the funnel (default this year)
    Leads {
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        json: bool,
    },
    /// The annual zone assessment (年考核): every zone scored on the plan's weighted indicators
    /// and ranked, each score with its computation
    Assess {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// The per-mu efficiency evaluation (亩产效益综合评价) of a year: every evaluated enterprise's
    /// values, scores, total and class (official figures unless --provisional)
    Evaluate {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        provisional: bool,
        /// Save the computation as a new draft run (评价批次) and print its id
        #[arg(long)]
        save: bool,
    },
    /// A step of a saved evaluation run: recompute (a draft or withdrawn run), publish (公示,
    /// from --from or today for the plan's days), withdraw (--reason), finalise (定稿)
    EvaluationRun {
        id: i64,
        #[arg(value_parser = ["recompute", "publish", "withdraw", "finalise"])]
        step: String,
        #[arg(long)]
        from: Option<String>,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Reports: the quarterly bulletin (季通报) as a DOCX with its tables as an XLSX
    Report {
        #[command(subcommand)]
        what: ReportWhat,
    },
    /// The working-day calendar: when a time limit of working days ends
    Calendar {
        #[command(subcommand)]
        action: tickets::CalendarAction,
    },
    /// Service tickets (企业点单叫号): list them, escalate the overdue
    Tickets {
        #[command(subcommand)]
        action: tickets::TicketsAction,
    },
    /// Back the database up to a new SQLite file, consistent while it is in use (the audit key
    /// goes beside it: keep both)
    Backup { file: PathBuf },
    /// Restore a backup file into the database, which must be new (empty)
    Restore { file: PathBuf },
    /// Move a database: copy every table into a new, empty one (SQLite or PostgreSQL either side)
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
    /// Serve the web pages and the JSON API
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Build a demo region (or reuse one) and serve it
    Demo {
        #[arg(long, default_value_t = 1500)]
        enterprises: usize,
        /// Years of monthly facts from 2020
        #[arg(long, default_value_t = 4)]
        years: i32,
        #[arg(long, default_value_t = 20210407)]
        seed: u64,
        /// Build the database and exit
        #[arg(long)]
        no_serve: bool,
        /// Also write the generated registry and facts as import files into DIR
        #[arg(long)]
        csv: Option<PathBuf>,
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
}

#[derive(Subcommand)]
enum DbAction {
    /// Copy every table of --from into the empty database --to, and check each
    Copy {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum PlanAction {
    /// Validate a plan file and list every problem with its line
    Check { file: PathBuf },
    /// Print the plan the database runs on (or FILE)
    Show {
        file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("LEAPFROG_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        // The request's span (its id, method and path) on every line, not the list of spans.
        LogFormat::Json => logs.json().with_current_span(true).with_span_list(false).init(),
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::FAILURE
        }
    }
}

/// One line per table as it is copied and checked.
fn copied(t: &service::backup::TableCopy) {
    eprintln!("  {:<28} {:>12} 行 / rows  ✓", t.table, t.rows);
}

fn done_copying(report: &service::backup::CopyReport, to: &str) {
    let rows: u64 = report.tables.iter().map(|t| t.rows).sum();
    println!(
        "已复制 {} 张表、{rows} 行到 {to},逐表核对一致(数据库结构 {}) / copied and checked {} tables, {rows} rows",
        report.tables.len(),
        report.schema_version,
        report.tables.len()
    );
}

fn report(e: &anyhow::Error) {
    if let Some(ServiceError::Rows(errors)) = e.downcast_ref::<ServiceError>() {
        eprintln!("{errors}");
    }
    eprintln!("错误 / error: {e}");
}

fn bar(label: &str) -> ProgressBar {
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {percent}% {elapsed}").expect("a valid template").progress_chars("=> "),
    );
    pb.set_message(label.to_string());
    pb
}

fn read_plan(path: &PathBuf) -> anyhow::Result<(String, Plan)> {
    let src = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: 无法读取 / cannot read: {e}", path.display()))?;
    let plan = Plan::from_toml(&src).map_err(|problems| {
        anyhow::anyhow!(
            "{} 有 {} 处问题 / has {} problems:\n{}",
            path.display(),
            problems.len(),
            problems.len(),
            problems.iter().map(|p| format!("  {}:{p}", path.display())).collect::<Vec<_>>().join("\n")
        )
    })?;
    Ok((src, plan))
}

/// The database a command works on: the one given, or the default (the demo keeps its own file so
/// that it never fills a real database with invented figures).
fn database(cli: &Cli) -> String {
    cli.database.clone().unwrap_or_else(|| {
        if matches!(cli.command, Command::Demo { .. }) { "sqlite://leapfrog-demo.db" } else { "sqlite://leapfrog.db" }.to_string()
    })
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let db = database(&cli);
    // The command line acts with the reach of whoever can open the database, and is recorded
    // in the audit trail under the operating-system account that ran it.
    let caller = Caller::operator();
    match cli.command {
        Command::Plan { action: PlanAction::Check { file } } => {
            let (_, plan) = read_plan(&file)?;
            println!(
                "{}: 计划有效 / plan is valid — {} 个产业, {} 个组团, {} 个指标, {} 行目标, {} 项 KPI",
                file.display(),
                plan.industries.len(),
                plan.zones.len(),
                plan.indicators.len(),
                plan.targets.len(),
                plan.kpis.len()
            );
        }
        Command::Plan { action: PlanAction::Show { file, json } } => {
            let plan = match file {
                Some(f) => read_plan(&f)?.1,
                None => (*App::open(&db).await?.plan).clone(),
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&plan)?);
            } else {
                print!("{}", cli_text::plan(&plan));
            }
        }
        Command::Init { plan } => {
            let (src, _) = read_plan(&plan)?;
            let app = App::init(&db, &src, &caller).await?;
            println!("已载入计划 / plan loaded: {} ({})", app.plan.name, app.plan.code);
        }
        Command::Import { what } => monthly::import(&db, &caller, what).await?,
        Command::Template { kind, out } => monthly::template(&db, &kind, &out).await?,
        Command::Progress(args) => monthly::cells(&db, &caller, monthly::CellView::Progress, args).await?,
        Command::Forecast(args) => monthly::cells(&db, &caller, monthly::CellView::Forecast, args).await?,
        Command::Review { zone, month, json, provisional } => {
            monthly::review(&db, &caller, &zone, &month, json, provisional).await?
        }
        Command::Months { action } => monthly::months(&db, &caller, action).await?,
        Command::Tasks { month, json } => tasks::tasks(&db, &caller, month, json).await?,
        Command::Dispatch { month, json } => projects::dispatch(&db, &caller, month, json).await?,
        Command::Leads { year, json } => projects::leads(&db, &caller, year, json).await?,
        Command::Assess { year, json } => projects::assess(&db, &caller, year, json).await?,
        Command::Evaluate { year, json, provisional, save } => {
            evaluation::evaluate(&db, &caller, year, json, provisional, save).await?
        }
        Command::EvaluationRun { id, step, from, reason } => evaluation::step(&db, &caller, id, &step, from, &reason).await?,
        Command::Report { what: ReportWhat::Bulletin { quarter, out, xlsx } } => {
            projects::bulletin(&db, &caller, &quarter, &out, xlsx.as_deref()).await?
        }
        Command::Serve { addr } => {
            let app = App::open(&db).await?;
            let demo = app.logins_with_demo_password().await?;
            if !demo.is_empty() {
                anyhow::bail!(
                    "这些账户仍在使用演示密码,拒绝以正式模式启动 / accounts still have the demo password: {}\n\
                     请先 `leapfrog user reset-password LOGIN` 或 `leapfrog user disable LOGIN`;演示请用 `leapfrog demo`",
                    demo.join(", ")
                );
            }
            web::serve(app.clone(), &addr).await?;
            app.store.close().await;
        }
        Command::Backup { file } => {
            let report = service::backup::backup(&db, &file, &copied).await?;
            done_copying(&report, &file.display().to_string());
        }
        Command::Restore { file } => {
            let report = service::backup::restore(&file, &db, &copied).await?;
            done_copying(&report, &service::backup::redact(&db));
        }
        Command::Db { action: DbAction::Copy { from, to } } => {
            let report = service::backup::copy(&from, &to, &copied).await?;
            done_copying(&report, &service::backup::redact(&to));
        }
        Command::Calendar { action } => tickets::calendar(&db, action).await?,
        Command::Tickets { action } => tickets::tickets(&db, &caller, action).await?,
        Command::User { action } => accounts::user(&db, &caller, action).await?,
        Command::Token { action } => accounts::token(&db, &caller, action).await?,
        Command::Audit { action } => accounts::audit(&db, &caller, action).await?,
        Command::Demo { enterprises, years, seed, no_serve, csv, addr } => {
            let app = App::open(&db).await?;
            if !app.may_hold_demo_accounts().await? {
                anyhow::bail!(
                    "{db} 不是演示数据库:演示账户(公开的密码)只加入 demo 生成的数据库 / not a demo database: demo adds its \
                     well-known accounts only to a database it built"
                );
            }
            let reuse = app.latest_month().await?.is_some() && csv.is_none();
            if reuse {
                println!(
                    "复用已有演示数据库 / reusing the demo database at {db} (删除该文件可重新生成 / delete it to regenerate)"
                );
            } else {
                let pb = bar("生成演示数据 / generating demo data");
                let spec = DemoSpec { enterprises, first_year: app.plan.baseline_year, years, seed };
                let (n, facts) = app
                    .generate_demo(&caller, &spec, csv.as_deref(), &|d, t| {
                        pb.set_length(t);
                        pb.set_position(d);
                    })
                    .await?;
                pb.finish_and_clear();
                println!("演示数据 / demo data: {n} 家企业 enterprises, {facts} 条月度数据 fact rows");
            }
            let accounts = app.seed_demo_users(&caller).await?;
            if !reuse {
                app.generate_demo_services(&caller, seed).await?;
            }
            println!("演示账户(密码均为 / every password: {}):", service::DEMO_PASSWORD);
            for (login, role, scope) in accounts {
                println!("  {login:<16} {}{}", role.zh(), scope.map(|s| format!(" · {s}")).unwrap_or_default());
            }
            if !no_serve {
                web::serve(app.clone(), &addr).await?;
            }
            app.store.close().await;
        }
    }
    Ok(())
}
