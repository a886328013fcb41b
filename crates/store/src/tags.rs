//! Enterprise designations with their periods (M5).

use domain::calendar::Date;
use domain::tags::EnterpriseTag;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::AuditRecord;
use crate::migrate::now;
use crate::{Result, Store, StoreError, stored};

fn tag_of(r: &AnyRow) -> Result<EnterpriseTag> {
    let date = |s: String| stored(&s, |t| Date::parse(t).ok_or_else(|| format!("tag date '{}'", domain::shorten(t))));
    Ok(EnterpriseTag {
        uscc: r.get(0),
        tag: r.get(1),
        valid_from: date(r.get(2))?,
        valid_to: r.get::<Option<String>, _>(3).map(date).transpose()?,
        note: r.get(4),
    })
}

impl Store {
    /// Writes designations in one transaction with its audit entry; one of the same enterprise,
    /// tag and first day is replaced.
    pub async fn save_tags(&self, tags: &[EnterpriseTag], audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let at = now();
        for t in tags {
            sqlx::query(
                "INSERT INTO enterprise_tags (uscc, tag, valid_from, valid_to, note, set_by, set_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (uscc, tag, valid_from) DO UPDATE SET \
                 valid_to = excluded.valid_to, note = excluded.note, set_by = excluded.set_by, set_at = excluded.set_at",
            )
            .bind(&t.uscc)
            .bind(&t.tag)
            .bind(t.valid_from.to_string())
            .bind(t.valid_to.map(|d| d.to_string()))
            .bind(&t.note)
            .bind(&audit.actor)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        self.commit_audited(tx, audit).await
    }

    /// Removes one designation period; refuses if there is none.
    pub async fn delete_tag(&self, uscc: &str, tag: &str, valid_from: Date, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM enterprise_tags WHERE uscc = $1 AND tag = $2 AND valid_from = $3")
            .bind(uscc)
            .bind(tag)
            .bind(valid_from.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Invalid("该标签记录不存在或已删除 / no such designation".into()));
        }
        self.commit_audited(tx, audit).await
    }

    /// The designations of one enterprise (or all), by enterprise, tag and first day.
    pub async fn enterprise_tags(&self, uscc: Option<&str>) -> Result<Vec<EnterpriseTag>> {
        let rows = sqlx::query(
            "SELECT uscc, tag, valid_from, valid_to, note FROM enterprise_tags WHERE $1 IS NULL OR uscc = $1 \
             ORDER BY uscc, tag, valid_from",
        )
        .bind(uscc)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(tag_of).collect()
    }

    /// The enterprises holding `tag` on `day`.
    pub async fn tag_holder_usccs(&self, tag: &str, day: Date) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT uscc FROM enterprise_tags WHERE tag = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)",
        )
        .bind(tag)
        .bind(day.to_string())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every period of the designations `tags` (by code), whoever holds them.
    pub async fn tags_of_kinds(&self, tags: &[String]) -> Result<Vec<EnterpriseTag>> {
        if tags.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT uscc, tag, valid_from, valid_to, note FROM enterprise_tags WHERE tag IN ({}) ORDER BY uscc, tag, valid_from",
            crate::enterprises::placeholders(tags.len(), 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for t in tags {
            q = q.bind(t);
        }
        q.fetch_all(&self.pool).await?.iter().map(tag_of).collect()
    }

    /// How many enterprises hold `tag` on `day`.
    pub async fn tag_holders(&self, tag: &str, day: Date) -> Result<i64> {
        let d = day.to_string();
        Ok(sqlx::query_scalar(
            "SELECT COUNT(DISTINCT uscc) FROM enterprise_tags WHERE tag = $1 AND valid_from <= $2 \
             AND (valid_to IS NULL OR valid_to >= $2)",
        )
        .bind(tag)
        .bind(d)
        .fetch_one(&self.pool)
        .await?)
    }

    /// How many enterprises began holding `tag` within `from..=to`.
    pub async fn tag_starts(&self, tag: &str, from: Date, to: Date) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(DISTINCT uscc) FROM enterprise_tags WHERE tag = $1 AND valid_from BETWEEN $2 AND $3")
            .bind(tag)
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_one(&self.pool)
            .await?)
    }
}
