//! `leapfrog user`, `token` and `audit`: accounts, API tokens and the audit trail.

use clap::Subcommand;
use domain::authz::Role;
use service::{App, Caller};

#[derive(Subcommand)]
pub enum UserAction {
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
pub enum TokenAction {
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
pub enum AuditAction {
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

pub async fn user(db: &str, caller: &Caller, action: UserAction) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    match action {
        UserAction::Add { login, name, role, scope } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow::anyhow!("未知角色“{role}”,应为 coordinator、department、zone、enterprise、leader 或 admin / unknown role")
            })?;
            let password = app.add_user(caller, &login, &name, role, scope.as_deref(), None).await?;
            println!(
                "已添加用户 / user added: {login}\n初始密码 / initial password: {password}\n(首次登录须修改 / must be changed at first login)"
            );
        }
        UserAction::List => {
            for u in app.users(caller).await? {
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
            app.set_user_disabled(caller, &login, true).await?;
            println!("已停用 / disabled: {login}");
        }
        UserAction::Enable { login } => {
            app.set_user_disabled(caller, &login, false).await?;
            println!("已启用 / enabled: {login}");
        }
        UserAction::ResetPassword { login } => {
            let password = app.reset_password(caller, &login).await?;
            println!("新的初始密码 / new initial password for {login}: {password}");
        }
    }
    app.store.close().await;
    Ok(())
}

pub async fn token(db: &str, caller: &Caller, action: TokenAction) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    match action {
        TokenAction::Create { login, label } => {
            let token = app.create_token(caller, &login, &label).await?;
            println!("{token}");
            eprintln!("令牌只显示这一次,请妥善保存 / the token is shown only now");
        }
        TokenAction::List => {
            for t in app.tokens(caller).await? {
                let state = if t.revoked_at.is_some() { "已吊销 revoked" } else { "有效 live" };
                println!("{}\t{}\t{}\t{state}", t.id, t.login, t.label);
            }
        }
        TokenAction::Revoke { id } => {
            app.revoke_token(caller, id).await?;
            println!("已吊销 / revoked: {id}");
        }
    }
    app.store.close().await;
    Ok(())
}

pub async fn audit(db: &str, caller: &Caller, action: AuditAction) -> anyhow::Result<()> {
    let app = App::open(db).await?;
    match action {
        AuditAction::Verify => match app.verify_audit(caller).await? {
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
            let filter = service::AuditFilter { actor, limit, ..Default::default() };
            for e in app.audit_entries(caller, &filter).await?.0 {
                println!("{}\t{}\t{}\t{}\t{} {}\t{}", e.seq, e.at, e.actor, e.action, e.entity, e.entity_id, e.after);
            }
        }
    }
    app.store.close().await;
    Ok(())
}
