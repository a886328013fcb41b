//! `leapfrog`: the command line of the industrial-development dispatch platform.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use domain::authz::Role;
use domain::submission::SubmissionState;
use domain::{Month, Plan};
use indicatif::{ProgressBar, ProgressStyle};
use service::{App, Caller, DemoSpec, ServiceError};

#[derive(Parser)]
#[command(name = "leapfrog", version, about = "产业跨越发展调度平台 / Leapfrog: run a regional industrial-development plan")]
struct Cli {
    /// Database: sqlite://FILE or postgres://USER@HOST/DB [default: sqlite://leapfrog.db;
    /// for `demo`, sqlite://leapfrog-demo.db]
    #[arg(long, global = true, env = "LEAPFROG_DATABASE_URL")]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
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
        /// enterprises or facts
        kind: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Progress of one indicator in one month, by industry and zone
    Progress {
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
    },
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
    /// Close history in bulk: approve or lock every zone's months with facts through a month
    Months {
        #[command(subcommand)]
        action: MonthsAction,
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

#[derive(Subcommand)]
enum UserAction {
    /// Add an account; prints its initial password, to be changed at first login
    Add {
        login: String,
        #[arg(long)]
        name: String,
        /// coordinator, department, zone, enterprise, leader or admin
        #[arg(long)]
        role: String,
        /// Department code, top-level zone code or name, or the enterprise's USCC
        #[arg(long)]
        scope: Option<String>,
    },
    List,
    Disable {
        login: String,
    },
    Enable {
        login: String,
    },
    /// Give an account a new initial password and end its sessions
    ResetPassword {
        login: String,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Create a token for an account (scoped like it); prints the token once
    Create {
        login: String,
        #[arg(long, default_value = "")]
        label: String,
    },
    List,
    Revoke {
        id: i64,
    },
}

#[derive(Subcommand)]
enum MonthsAction {
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
struct MonthRange {
    /// The last month to close: 2022-12, 2022/12 or 2022年12月
    #[arg(long)]
    through: String,
    /// Only this top-level zone (code or name); default every zone
    #[arg(long)]
    zone: Option<String>,
    /// Why, recorded in the audit trail
    #[arg(long, default_value = "历史数据批量关闭 / history closed in bulk")]
    reason: String,
}

#[derive(Subcommand)]
enum AuditAction {
    /// Check the hash chain; names the first entry altered, removed or out of order
    Verify,
    /// The latest entries
    List {
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long)]
        actor: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// 企业名录: 统一社会信用代码, 企业名称, 组团, 产业, 用地面积(亩), 规上, 成立日期, 标签
    Enterprises { file: PathBuf },
    /// 月度数据: 统一社会信用代码, 月份, then one column per indicator
    Facts {
        file: PathBuf,
        /// Values are year-to-date totals (本年累计)
        #[arg(long)]
        cumulative: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("LEAPFROG_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::FAILURE
        }
    }
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
        Command::Import { what } => {
            let app = App::open(&db).await?;
            let pb = bar("导入 / importing");
            let progress = |done: u64, total: u64| {
                pb.set_length(total);
                pb.set_position(done);
            };
            let summary = match what {
                ImportWhat::Enterprises { file } => app.import_enterprises(&caller, &file, &progress).await,
                ImportWhat::Facts { file, cumulative } => app.import_facts(&caller, &file, cumulative, &progress).await,
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
        }
        Command::Template { kind, out } => {
            let app = App::open(&db).await?;
            files::template(&kind, &app.plan, &out)?;
            println!("已写出模板 / template written: {}", out.display());
        }
        Command::Progress { indicator, month, json, provisional } => {
            let app = App::open(&db).await?;
            let month = match month {
                Some(m) => Month::parse(&m)?,
                None => app.latest_month().await?.ok_or_else(|| anyhow::anyhow!("数据库中还没有月度数据 / no facts yet"))?,
            };
            let figures = if provisional { service::Figures::Provisional } else { service::Figures::Official };
            let indicator = indicator.unwrap_or_else(|| app.plan.target_indicator.clone());
            let rows = app.progress(&caller, &indicator, month, figures).await?;
            if json {
                println!("{}", serde_json::to_string(&rows)?);
            } else {
                let ind = app.plan.indicator(&indicator).expect("checked by progress");
                print!("{}", cli_text::progress(&app.plan, ind, month, &rows));
            }
            // Official figures leave out months nobody has approved: say so, and what to do.
            let open = if provisional { 0 } else { app.provisional_months(&caller, month).await? };
            if open > 0 {
                eprintln!(
                    "注意:截至 {month} 有 {open} 个组团月份尚未审核,不计入正式数据;用 --provisional 查看,或用 \
                     `leapfrog months approve|lock --through {month}` 关闭 / {open} zone-months through {month} are not \
                     approved and are left out: see them with --provisional, or close them with `leapfrog months approve|lock`"
                );
            }
        }
        Command::Months { action } => {
            let app = App::open(&db).await?;
            let (range, to) = match action {
                MonthsAction::Approve { range } => (range, SubmissionState::Approved),
                MonthsAction::Lock { range } => (range, SubmissionState::Locked),
            };
            let through = Month::parse(&range.through)?;
            let changed = app.close_months(&caller, through, range.zone.as_deref(), to, &range.reason).await?;
            for (zone, month, from) in &changed {
                println!("{zone}\t{month}\t{} → {}", from.zh(), to.zh());
            }
            println!("{} 个组团月份已{} / {} zone-months {}", changed.len(), to.zh(), changed.len(), to.code());
            app.store.close().await;
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
        Command::User { action } => {
            let app = App::open(&db).await?;
            match action {
                UserAction::Add { login, name, role, scope } => {
                    let role = Role::parse(&role).ok_or_else(|| {
                        anyhow::anyhow!(
                            "未知角色“{role}”,应为 coordinator、department、zone、enterprise、leader 或 admin / unknown role"
                        )
                    })?;
                    let password = app.add_user(&caller, &login, &name, role, scope.as_deref(), None).await?;
                    println!(
                        "已添加用户 / user added: {login}\n初始密码 / initial password: {password}\n(首次登录须修改 / must be changed at first login)"
                    );
                }
                UserAction::List => {
                    for u in app.users(&caller).await? {
                        let state = if u.disabled {
                            "已停用 disabled"
                        } else if u.must_change_password {
                            "待改密 must change password"
                        } else {
                            "正常 active"
                        };
                        println!("{}\t{}\t{}\t{}\t{state}", u.login, u.name, u.role, u.scope.unwrap_or_default());
                    }
                }
                UserAction::Disable { login } => {
                    app.set_user_disabled(&caller, &login, true).await?;
                    println!("已停用 / disabled: {login}");
                }
                UserAction::Enable { login } => {
                    app.set_user_disabled(&caller, &login, false).await?;
                    println!("已启用 / enabled: {login}");
                }
                UserAction::ResetPassword { login } => {
                    let password = app.reset_password(&caller, &login).await?;
                    println!("新的初始密码 / new initial password for {login}: {password}");
                }
            }
            app.store.close().await;
        }
        Command::Token { action } => {
            let app = App::open(&db).await?;
            match action {
                TokenAction::Create { login, label } => {
                    let token = app.create_token(&caller, &login, &label).await?;
                    println!("{token}");
                    eprintln!("令牌只显示这一次,请妥善保存 / the token is shown only now");
                }
                TokenAction::List => {
                    for t in app.tokens(&caller).await? {
                        let state = if t.revoked_at.is_some() { "已吊销 revoked" } else { "有效 live" };
                        println!("{}\t{}\t{}\t{state}", t.id, t.login, t.label);
                    }
                }
                TokenAction::Revoke { id } => {
                    app.revoke_token(&caller, id).await?;
                    println!("已吊销 / revoked: {id}");
                }
            }
            app.store.close().await;
        }
        Command::Audit { action } => {
            let app = App::open(&db).await?;
            match action {
                AuditAction::Verify => match app.verify_audit(&caller).await? {
                    Ok(v) => {
                        println!("审计链完整 / audit chain intact: {} 条 entries", v.entries);
                        if v.unkeyed > 0 {
                            println!(
                                "  其中前 {} 条写于启用审计密钥之前,仅以 SHA-256 链接 / the first {} were written before the audit key existed (plain SHA-256)",
                                v.unkeyed, v.unkeyed
                            );
                        }
                    }
                    Err(b) => anyhow::bail!("审计链在第 {} 条断开 / audit chain broken at entry {}: {}", b.seq, b.seq, b.reason),
                },
                AuditAction::List { limit, actor } => {
                    let filter = store::AuditFilter { actor, limit, ..Default::default() };
                    for e in app.audit_entries(&caller, &filter).await?.0 {
                        println!("{}\t{}\t{}\t{}\t{} {}\t{}", e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.after);
                    }
                }
            }
            app.store.close().await;
        }
        Command::Demo { enterprises, years, seed, no_serve, csv, addr } => {
            let app = App::open(&db).await?;
            if !app.may_hold_demo_accounts().await? {
                anyhow::bail!(
                    "{db} 不是演示数据库:演示账户(公开的密码)只加入 demo 生成的数据库 / not a demo database: demo adds its \
                     well-known accounts only to a database it built"
                );
            }
            if app.latest_month().await?.is_some() && csv.is_none() {
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

mod cli_text;
