//! The inbox: notices written to the accounts they are for, in the transaction of the change
//! they tell of, once per account and key.

use domain::inbox::{Message, Notice, NoticeKind, Recipients};
use sqlx::{Any, Row, Transaction};

use crate::{Result, Store, stored};

const INSERT: &str =
    "INSERT INTO inbox (login, key, kind, title, link, at, read_at) SELECT login, $1, $2, $3, $4, $5, NULL FROM users";

/// Writes notices to their recipients' inboxes: each enabled account of the role (and scope),
/// or the login; a key an account already holds is left as it is.
pub(crate) async fn notify(tx: &mut Transaction<'static, Any>, notices: &[Notice], at: i64) -> Result<()> {
    for n in notices {
        for to in &n.to {
            let (cond, first, second) = match to {
                Recipients::Role(role) => ("role = $6", role.code().to_string(), None),
                Recipients::Scoped(role, scope) => ("role = $6 AND scope = $7", role.code().to_string(), Some(scope.clone())),
                Recipients::Login(login) => ("login = $6", login.clone(), None),
            };
            let sql = format!("{INSERT} WHERE disabled = 0 AND {cond} ON CONFLICT (login, key) DO NOTHING");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&n.key)
                .bind(n.kind.code())
                .bind(&n.title)
                .bind(&n.link)
                .bind(at)
                .bind(first);
            if let Some(s) = second {
                q = q.bind(s);
            }
            q.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

impl Store {
    /// Sends notices on their own (a sweep's reminders), in one transaction.
    pub async fn send_notices(&self, notices: &[Notice], at: i64) -> Result<()> {
        if notices.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        notify(&mut tx, notices, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An account's newest messages and how many of all it has not read.
    pub async fn inbox(&self, login: &str, limit: i64) -> Result<(Vec<Message>, i64)> {
        let rows =
            sqlx::query("SELECT key, kind, title, link, at, read_at FROM inbox WHERE login = $1 ORDER BY at DESC, key LIMIT $2")
                .bind(login)
                .bind(limit.max(1))
                .fetch_all(&self.pool)
                .await?;
        let messages = rows
            .iter()
            .map(|r| {
                Ok(Message {
                    key: r.get(0),
                    kind: stored(r.get(1), |s| {
                        NoticeKind::parse(s).ok_or_else(|| format!("notice kind '{}'", domain::shorten(s)))
                    })?,
                    title: r.get(2),
                    link: r.get(3),
                    at: r.get(4),
                    read: r.get::<Option<i64>, _>(5).is_some(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((messages, self.unread(login).await?))
    }

    pub async fn unread(&self, login: &str) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE login = $1 AND read_at IS NULL")
            .bind(login)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Marks an account's messages read: these keys, or all. Returns how many changed.
    pub async fn mark_read(&self, login: &str, keys: Option<&[String]>, at: i64) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut changed = 0;
        match keys {
            None => {
                changed += sqlx::query("UPDATE inbox SET read_at = $2 WHERE login = $1 AND read_at IS NULL")
                    .bind(login)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            Some(keys) => {
                for k in keys {
                    changed += sqlx::query("UPDATE inbox SET read_at = $3 WHERE login = $1 AND key = $2 AND read_at IS NULL")
                        .bind(login)
                        .bind(k)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
            }
        }
        tx.commit().await?;
        Ok(changed)
    }
}
