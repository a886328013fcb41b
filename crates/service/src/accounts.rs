//! Accounts, sessions, API tokens and the audit trail's use cases.

use std::sync::Arc;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use domain::authz::{Action, Actor, Role, Target};
use domain::{Uscc, audit::ChainBreak};
use sha2::{Digest, Sha256};
use store::{AuditFilter, AuditRecord, NewUser, TokenRow, UserRecord};

use crate::{App, Caller, Result, ServiceError};

/// Failed logins after which an account is locked, and for how long.
pub const LOCK_AFTER: i64 = 5;
pub const LOCK_SECS: i64 = 15 * 60;
/// Floods of one kind of event are recorded once per window and counted.
pub const EVENT_WINDOW_SECS: i64 = 10 * 60;
/// The actor name failed logins of unknown accounts are counted under.
const UNKNOWN_ACTOR: &str = "(unknown)";
/// A session ends after this long unused, or this long after login.
pub const SESSION_IDLE_SECS: i64 = 30 * 60;
pub const SESSION_ABSOLUTE_SECS: i64 = 12 * 60 * 60;

/// Random bytes as hex, for tokens and initial passwords.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random source");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is stored of a secret token: its SHA-256.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) async fn hash_password(password: String) -> Result<String> {
    // Argon2id is deliberately slow; keep it off the async workers.
    tokio::task::spawn_blocking(move || Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
}

pub(crate) async fn password_matches(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

/// An initial password that passes the policy; shown once, changed at first login.
fn initial_password() -> String {
    format!("Lf-{}-{}", &random_hex(4).to_uppercase(), random_hex(4))
}

/// A live session: the cookie token (secret) and its CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub csrf: String,
    pub must_change_password: bool,
}

/// Why a login failed, in words for the login page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// The same words as a lock, so that neither tells whether a login exists.
    #[error("{}", LOGIN_REFUSED)]
    Wrong,
    #[error("{}", LOGIN_REFUSED)]
    Locked,
    /// The check could not be made (the database failed): said as such, never as a wrong password.
    #[error("暂时无法登录,请稍后再试 / sign-in is unavailable, try again later: {0}")]
    Unavailable(String),
}

const LOGIN_REFUSED: &str =
    "用户名或密码错误;连续失败 5 次的账户将锁定 15 分钟 / wrong login or password; 5 failures lock an account for 15 minutes";

pub fn actor_of(u: &UserRecord) -> Option<Actor> {
    Some(Actor {
        login: u.login.clone(),
        name: u.name.clone(),
        role: Role::parse(&u.role)?,
        scope: u.scope.clone(),
        operator: false,
    })
}

fn denied(e: domain::authz::Denied) -> ServiceError {
    ServiceError::Forbidden(e.to_string())
}

impl App {
    /// The gate every use case passes: the caller may do `action` on `target`, by the one table
    /// in `domain::authz`, or the use case answers 403 with the reason.
    pub(crate) fn authorize(&self, caller: &Caller, action: Action, target: Target) -> Result<()> {
        caller.actor.authorize(&self.plan, action, target).map_err(denied)
    }

    /// The gate for region-wide use cases.
    pub(crate) fn require(&self, caller: &Caller, action: Action) -> Result<()> {
        self.authorize(caller, action, Target::Region)
    }

    /// The gate for use cases whose rows are checked one by one afterwards (a file of
    /// enterprises): the caller may do `action` somewhere.
    pub(crate) fn require_some(&self, caller: &Caller, action: Action) -> Result<()> {
        if caller.actor.may(action) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(format!("无权{}:角色“{}”没有此权限 / not allowed", action.zh(), caller.actor.role.zh())))
        }
    }

    /// Checks a scope against the plan and the registry: a department or top-level zone code,
    /// or the USCC of a registered enterprise.
    async fn checked_scope(&self, role: Role, scope: Option<&str>) -> Result<Option<String>> {
        let bad = |m: String| Err(ServiceError::BadRequest(m));
        match (role.scope_kind(), scope.map(str::trim).filter(|s| !s.is_empty())) {
            (None, None) => Ok(None),
            (None, Some(_)) => bad(format!("角色“{}”不带范围 / this role takes no scope", role.zh())),
            (Some(kind), None) => bad(format!("角色“{}”需要指定{kind}范围 / this role needs a {kind} scope", role.zh())),
            (Some("department"), Some(s)) => match self.plan.departments.iter().find(|d| d.code == s || d.name == s) {
                Some(d) => Ok(Some(d.code.clone())),
                None => bad(format!("部门“{s}”不在计划中 / unknown department")),
            },
            (Some("zone"), Some(s)) => match self.plan.resolve_zone(s) {
                Some(z) if z.parent.is_none() => Ok(Some(z.code.to_string())),
                Some(z) => bad(format!(
                    "组团账户的范围应为一级组团,“{}”属于“{}” / use the top-level zone",
                    z.name,
                    z.parent.as_deref().unwrap_or("")
                )),
                None => bad(format!("组团“{s}”不在计划中 / unknown zone")),
            },
            (Some(_), Some(s)) => {
                let uscc = Uscc::parse(s).map_err(|e| ServiceError::BadRequest(e.to_string()))?;
                if self.store.enterprise(uscc.as_str()).await?.is_none() {
                    return bad(format!("企业 {uscc} 不在名录中 / not in the registry"));
                }
                Ok(Some(uscc.to_string()))
            }
        }
    }

    /// Adds an account; returns the initial password (given, or generated) to hand over. The
    /// password must be changed at first login.
    pub async fn add_user(
        &self,
        caller: &Caller,
        login: &str,
        name: &str,
        role: Role,
        scope: Option<&str>,
        password: Option<&str>,
    ) -> Result<String> {
        self.require(caller, Action::ManageUsers)?;
        let login = login.trim();
        if login.is_empty() || login.len() > 64 || !login.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c)) {
            return Err(ServiceError::BadRequest("登录名只能包含字母、数字和 . _ - @ / login: letters, digits, . _ - @".into()));
        }
        let scope = self.checked_scope(role, scope).await?;
        let password = password.map(String::from).unwrap_or_else(initial_password);
        domain::password::check(login, &password).map_err(ServiceError::BadRequest)?;
        let hash = hash_password(password.clone()).await?;
        let audit = caller
            .audit("user.add", "user", login)
            .after(serde_json::json!({ "login": login, "name": name, "role": role, "scope": scope }).to_string());
        self.store
            .create_user(
                &NewUser {
                    login,
                    name,
                    role: role.code(),
                    scope: scope.as_deref(),
                    password_hash: &hash,
                    must_change_password: true,
                },
                &audit,
            )
            .await?;
        Ok(password)
    }

    pub async fn users(&self, caller: &Caller) -> Result<Vec<UserRecord>> {
        self.require(caller, Action::ManageUsers)?;
        Ok(self.store.users().await?)
    }

    async fn user(&self, login: &str) -> Result<UserRecord> {
        self.store.user_by_login(login).await?.ok_or_else(|| ServiceError::NotFound(format!("没有用户“{login}” / no such user")))
    }

    pub async fn set_user_disabled(&self, caller: &Caller, login: &str, disabled: bool) -> Result<()> {
        self.require(caller, Action::ManageUsers)?;
        let u = self.user(login).await?;
        let action = if disabled { "user.disable" } else { "user.enable" };
        let audit = caller
            .audit(action, "user", login)
            .before(serde_json::json!({ "disabled": u.disabled }).to_string())
            .after(serde_json::json!({ "disabled": disabled }).to_string());
        Ok(self.store.set_disabled(u.id, disabled, &audit).await?)
    }

    /// Gives an account a new initial password (returned, to hand over), ends its sessions and
    /// revokes its API tokens: a reset is what follows a lost or stolen password.
    pub async fn reset_password(&self, caller: &Caller, login: &str) -> Result<String> {
        self.require(caller, Action::ManageUsers)?;
        let u = self.user(login).await?;
        let password = initial_password();
        let hash = hash_password(password.clone()).await?;
        self.store.set_password(u.id, &hash, true, None, &caller.audit("user.reset_password", "user", login)).await?;
        Ok(password)
    }

    /// A user changes their own password; the old one must be given. Every other session of the
    /// account ends; `session` (the cookie it was changed from) stays signed in.
    pub async fn change_password(&self, caller: &Caller, session: Option<&str>, old: &str, new: &str) -> Result<()> {
        let u = self.user(&caller.actor.login).await?;
        if !password_matches(old.to_string(), u.password_hash.clone()).await {
            return Err(ServiceError::BadRequest("原密码不正确 / the current password is wrong".into()));
        }
        if old == new {
            return Err(ServiceError::BadRequest("新密码不能与原密码相同 / choose a different password".into()));
        }
        domain::password::check(&u.login, new).map_err(ServiceError::BadRequest)?;
        let hash = hash_password(new.to_string()).await?;
        let keep = session.map(token_hash);
        let audit = caller.audit("user.change_password", "user", &u.login);
        Ok(self.store.set_password(u.id, &hash, false, Some(keep.as_deref().unwrap_or("")), &audit).await?)
    }

    /// Checks a login and opens a session. Each attempt on an account is reserved in the
    /// database before the password is checked (see `Store::reserve_login_attempt`), so at most
    /// `LOCK_AFTER` are checked per lock period on any number of nodes. Unknown and locked
    /// logins cost one hash like a real check and get the same words.
    pub async fn login(&self, login: &str, password: &str, request_id: &str) -> Result<Session, LoginError> {
        let login = login.trim();
        // What was typed is recorded, but no more of it than a login can be.
        let typed: String = login.chars().filter(|c| !c.is_control()).take(64).collect();
        let unavailable = |e: store::StoreError| LoginError::Unavailable(e.to_string());
        let user = self.store.user_by_login(login).await.map_err(unavailable)?.filter(|u| !u.disabled);
        let Some(user) = user else {
            let _ = password_matches(password.to_string(), DUMMY_HASH.to_string()).await;
            // Counted under one name per window: strangers' guesses cannot grow the trail.
            let record = AuditRecord::new(UNKNOWN_ACTOR, "login.failed.unknown", "user", &typed).request(request_id);
            let _ = self.store.count_event(&record, EVENT_WINDOW_SECS).await;
            return Err(LoginError::Wrong);
        };
        if !self.store.reserve_login_attempt(user.id, LOCK_AFTER, LOCK_SECS).await.map_err(unavailable)? {
            let _ = password_matches(password.to_string(), DUMMY_HASH.to_string()).await;
            let record = AuditRecord::new(&typed, "login.locked", "user", &typed).request(request_id);
            let _ = self.store.count_event(&record, EVENT_WINDOW_SECS).await;
            return Err(LoginError::Locked);
        }
        if !password_matches(password.to_string(), user.password_hash.clone()).await {
            let record = AuditRecord::new(login, "login.failed", "user", login).request(request_id);
            let _ = self.store.audit(&record).await;
            return Err(LoginError::Wrong);
        }
        let session = Session { token: random_hex(32), csrf: random_hex(16), must_change_password: user.must_change_password };
        let record = AuditRecord::new(login, "login", "user", login).request(request_id);
        self.store.open_session(user.id, &token_hash(&session.token), &session.csrf, &record).await.map_err(unavailable)?;
        Ok(session)
    }

    pub async fn logout(&self, caller: &Caller, session_token: &str) -> Result<()> {
        Ok(self.store.end_session(&token_hash(session_token), &caller.audit("logout", "user", &caller.actor.login)).await?)
    }

    /// The account behind a session cookie: (actor, CSRF token, must change password).
    pub async fn session_actor(&self, session_token: &str) -> Result<Option<(Actor, String, bool)>> {
        let found = self.store.session(&token_hash(session_token), SESSION_IDLE_SECS, SESSION_ABSOLUTE_SECS).await?;
        Ok(found.and_then(|(u, csrf)| Some((actor_of(&u)?, csrf, u.must_change_password))))
    }

    /// The account behind an API token.
    pub async fn token_actor(&self, token: &str) -> Result<Option<Actor>> {
        let hash = token_hash(token);
        let version = self.data_version().await?;
        if let Some(actor) = self.views.tokens.get(&hash, version) {
            return Ok(Some((*actor).clone()));
        }
        let actor = self.store.token_user(&hash).await?.as_ref().and_then(actor_of);
        // Only live tokens are kept: guesses must not push them out.
        if let Some(a) = &actor {
            self.views.tokens.put(hash, version, Arc::new(a.clone()));
        }
        Ok(actor)
    }

    /// Creates an API token for an account (scoped like it); the token is shown only now.
    pub async fn create_token(&self, caller: &Caller, login: &str, label: &str) -> Result<String> {
        self.require(caller, Action::ManageTokens)?;
        let u = self.user(login).await?;
        let token = format!("lf_{}", random_hex(32));
        let audit = caller.audit("token.create", "user", login).after(serde_json::json!({ "label": label }).to_string());
        self.store.create_token(u.id, &token_hash(&token), label, &audit).await?;
        Ok(token)
    }

    pub async fn revoke_token(&self, caller: &Caller, id: i64) -> Result<()> {
        self.require(caller, Action::ManageTokens)?;
        if self.store.revoke_token(id, &caller.audit("token.revoke", "api_token", &id.to_string())).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound(format!("没有有效的令牌 {id} / no live token {id}")))
        }
    }

    pub async fn tokens(&self, caller: &Caller) -> Result<Vec<TokenRow>> {
        self.require(caller, Action::ManageTokens)?;
        Ok(self.store.tokens().await?)
    }

    pub async fn audit_entries(&self, caller: &Caller, filter: &AuditFilter) -> Result<(Vec<domain::audit::AuditEntry>, i64)> {
        self.require(caller, Action::ReadAudit)?;
        Ok(self.store.audit_entries(filter).await?)
    }

    /// Verifies the whole chain: the number of entries, or the first broken one.
    /// Records a request refused for lack of rights. Denials are counted per account and time
    /// window: the first of a window is an audit entry, the rest raise its count, so a flood
    /// cannot bloat the trail.
    pub async fn note_denial(&self, login: &str, request_id: &str, what: &str) -> Result<()> {
        let what: String = what.chars().take(200).collect();
        let record = AuditRecord::new(login, "denied", "request", &what).request(request_id);
        self.store.count_event(&record, EVENT_WINDOW_SECS).await?;
        Ok(())
    }

    /// Records an export of enterprise data: who took which list, with how many rows.
    pub async fn record_export(&self, caller: &Caller, list: &str, filter: &str, rows: usize) -> Result<()> {
        let filter: String = filter.chars().take(500).collect();
        let record =
            caller.audit(&format!("export.{list}"), list, &filter).after(serde_json::json!({ "rows": rows }).to_string());
        Ok(self.store.audit(&record).await?)
    }

    /// Verifies the trail with the key and against the checkpoint kept outside the database;
    /// an intact trail moves the checkpoint to its newest entry.
    pub async fn verify_audit(&self, caller: &Caller) -> Result<Result<domain::audit::Verified, ChainBreak>> {
        self.require(caller, Action::ReadAudit)?;
        let chain = self.store.audit_chain().await?;
        let seal = self.store.seal();
        let checkpoint = seal.checkpoint().map_err(|e| ServiceError::Internal(e.to_string()))?;
        let outcome = domain::audit::verify_chain(&chain, seal.key(), checkpoint.as_ref());
        if outcome.is_ok() {
            self.store.checkpoint_audit().await?;
        }
        Ok(outcome)
    }
}

/// An Argon2id hash of a random password, verified against when the login does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0w8oRUwgrbvuRGDHJLxUjjjmm4pknj/2UFBU5nG+mUA";
