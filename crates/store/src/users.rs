//! Accounts, sessions and API tokens. Every change is appended to the audit trail in its own
//! transaction.

use sqlx::Row;

use crate::audit::AuditRecord;
use crate::migrate::now;
use crate::{Result, Store, StoreError};

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: String,
    pub scope: Option<String>,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub login: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

const USER_COLUMNS: &str = "u.id, u.login, u.name, u.role, u.scope, u.password_hash, u.must_change_password, u.disabled, u.failed_logins, u.locked_until";

fn user(r: &sqlx::any::AnyRow) -> UserRecord {
    UserRecord {
        id: r.get(0),
        login: r.get(1),
        name: r.get(2),
        role: r.get(3),
        scope: r.get(4),
        password_hash: r.get(5),
        must_change_password: r.get::<i64, _>(6) != 0,
        disabled: r.get::<i64, _>(7) != 0,
        failed_logins: r.get(8),
        locked_until: r.get(9),
    }
}

/// A new account.
pub struct NewUser<'a> {
    pub login: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub scope: Option<&'a str>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
}

/// What an account change ends besides itself.
enum Ending<'a> {
    Nothing,
    /// Every session but the one (by token hash) the change was made from.
    SessionsBut(&'a str),
    SessionsAndTokens,
}

impl Store {
    pub async fn create_user(&self, u: &NewUser<'_>, audit: &AuditRecord) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        if sqlx::query("SELECT 1 FROM users WHERE login = $1").bind(u.login).fetch_optional(&mut *tx).await?.is_some() {
            return Err(StoreError::Invalid(format!("用户名“{}”已存在 / login already taken", u.login)));
        }
        let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM users").fetch_one(&mut *tx).await?.get(0);
        sqlx::query(
            "INSERT INTO users (id, login, name, role, scope, password_hash, must_change_password, disabled, failed_logins, \
             locked_until, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, $8)",
        )
        .bind(id)
        .bind(u.login)
        .bind(u.name)
        .bind(u.role)
        .bind(u.scope)
        .bind(u.password_hash)
        .bind(i64::from(u.must_change_password))
        .bind(now())
        .execute(&mut *tx)
        .await?;
        self.commit_audited(tx, audit).await?;
        Ok(id)
    }

    pub async fn users(&self) -> Result<Vec<UserRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.role, u.login")))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(user).collect())
    }

    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users u WHERE u.login = $1")))
            .bind(login)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user))
    }

    /// Sets a password (hash), and whether it must be changed at the next login. Ends the
    /// account's sessions when the password was reset by someone else.
    /// Sets a password. A reset (`must_change`) ends every session of the account and revokes its
    /// API tokens; a user's own change ends every session but the one it was made from.
    pub async fn set_password(
        &self,
        user_id: i64,
        hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = 0 WHERE id = $3",
        )
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        let end = match keep_session {
            Some(kept) if !must_change => Ending::SessionsBut(kept),
            _ => Ending::SessionsAndTokens,
        };
        self.finish_account_change(tx, user_id, end, audit).await
    }

    /// Disables or enables an account; disabling ends its sessions and revokes its tokens for
    /// good (enabling it again does not bring them back).
    pub async fn set_disabled(&self, user_id: i64, disabled: bool, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        let end = if disabled { Ending::SessionsAndTokens } else { Ending::Nothing };
        self.finish_account_change(tx, user_id, end, audit).await
    }

    /// Ends what a change ends, records the change and commits.
    async fn finish_account_change(
        &self,
        mut tx: sqlx::Transaction<'static, sqlx::Any>,
        user_id: i64,
        end: Ending<'_>,
        audit: &AuditRecord,
    ) -> Result<()> {
        match end {
            Ending::Nothing => {}
            Ending::SessionsBut(kept) => {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(user_id)
                    .bind(kept)
                    .execute(&mut *tx)
                    .await?;
            }
            Ending::SessionsAndTokens => {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(now())
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.commit_audited(tx, audit).await
    }

    /// Reserves one password check before it is made, in one statement, so that however many
    /// attempts arrive at once on however many nodes, no more than `lock_after` are ever checked
    /// per lock period: the attempt that reaches `lock_after` starts the lock, and only a correct
    /// password (`open_session`) lifts it early. Returns false while the account is locked.
    pub async fn reserve_login_attempt(&self, user_id: i64, lock_after: i64, lock_secs: i64) -> Result<bool> {
        let t = now();
        // An expired lock starts a new count; the right-hand sides read the row as it was.
        let reserved = sqlx::query(
            "UPDATE users SET \
               failed_logins = CASE WHEN locked_until > 0 THEN 1 ELSE failed_logins + 1 END, \
               locked_until = CASE WHEN (CASE WHEN locked_until > 0 THEN 1 ELSE failed_logins + 1 END) >= $2 THEN $3 ELSE 0 END \
             WHERE id = $1 AND locked_until <= $4 RETURNING failed_logins",
        )
        .bind(user_id)
        .bind(lock_after)
        .bind(t + lock_secs)
        .bind(t)
        .fetch_optional(&self.pool)
        .await?;
        Ok(reserved.is_some())
    }

    /// Opens a session after a good password: resets the failure count.
    pub async fn open_session(&self, user_id: i64, token_hash: &str, csrf: &str, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = 0 WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        self.commit_audited(tx, audit).await
    }

    /// The account and CSRF token of a live session. A session ends after `idle_secs` without
    /// use or `absolute_secs` after login, whichever comes first.
    pub async fn session(&self, token_hash: &str, idle_secs: i64, absolute_secs: i64) -> Result<Option<(UserRecord, String)>> {
        let t = now();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, s.csrf, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.last_seen > $2 AND s.created_at > $3 AND u.disabled = 0"
        )))
        .bind(token_hash)
        .bind(t - idle_secs)
        .bind(t - absolute_secs)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        // Touch at most once a minute: reads should not all become writes.
        if t - row.get::<i64, _>(11) > 60 {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(t)
                .bind(token_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some((user(&row), row.get(10))))
    }

    pub async fn end_session(&self, token_hash: &str, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        self.commit_audited(tx, audit).await
    }

    pub async fn create_token(&self, user_id: i64, token_hash: &str, label: &str, audit: &AuditRecord) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM api_tokens").fetch_one(&mut *tx).await?.get(0);
        sqlx::query("INSERT INTO api_tokens (id, token_hash, user_id, label, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(token_hash)
            .bind(user_id)
            .bind(label)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        self.commit_audited(tx, audit).await?;
        Ok(id)
    }

    /// Revokes a token; false when there is no such live token.
    pub async fn revoke_token(&self, id: i64, audit: &AuditRecord) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        self.commit_audited(tx, audit).await?;
        Ok(true)
    }

    /// The account a live token belongs to.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled = 0"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(user))
    }

    pub async fn tokens(&self) -> Result<Vec<TokenRow>> {
        let rows = sqlx::query(
            "SELECT t.id, u.login, t.label, t.created_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| TokenRow { id: r.get(0), login: r.get(1), label: r.get(2), created_at: r.get(3), revoked_at: r.get(4) })
            .collect())
    }
}
