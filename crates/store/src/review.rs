//! The review flags of a zone's month (审核规则, PRODUCT.md §7), kept with the month: the zone's
//! explanation of each and the coordinator's decision.

use domain::Month;
use domain::review::{Decision, Flag, FlagStatus, KeptFlag};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::AuditRecord;
use crate::enterprises::placeholders;
use crate::migrate::now;
use crate::{Result, Store, StoreError, fact_column, stored};

const COLUMNS: &str = "uscc, rule, indicator, value, reference, severity, explanation, explained_by, explained_at, \
    decision, decision_reason, decided_by, decided_at";

/// A flag's key within its month: the enterprise, the rule and the indicator ("" for none).
pub type FlagKey<'a> = (&'a str, &'a str, &'a str);

/// How many flags of a zone's month stand where: one row per rule and status.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagCount {
    pub zone: String,
    pub month: Month,
    pub rule: &'static str,
    pub status: FlagStatus,
    pub count: u64,
}

fn kept_of(r: &AnyRow) -> Result<KeptFlag> {
    let rule: String = r.get(1);
    let indicator: String = r.get(2);
    let severity: String = r.get(5);
    let decision: String = r.get(9);
    Ok(KeptFlag {
        flag: Flag {
            uscc: r.get(0),
            rule: stored_rule(&rule)?,
            indicator: (!indicator.is_empty()).then_some(indicator),
            value: r.get(3),
            reference: r.get(4),
            severity: stored(&severity, |s| match s {
                "blocking" => Ok("blocking"),
                "explain" => Ok("explain"),
                _ => Err(format!("unknown flag severity '{s}'")),
            })?,
        },
        explanation: r.get(6),
        explained_by: r.get(7),
        explained_at: r.get(8),
        decision: match decision.as_str() {
            "" => None,
            d => Some(stored(d, |s| Decision::parse(s).ok_or_else(|| format!("unknown decision '{s}'")))?),
        },
        decision_reason: r.get(10),
        decided_by: r.get(11),
        decided_at: r.get(12),
    })
}

/// Flags in the order they are listed (`domain::review::listing_order`).
fn in_order(mut flags: Vec<KeptFlag>) -> Vec<KeptFlag> {
    flags.sort_by(|a, b| domain::review::listing_order(&a.flag, &b.flag));
    flags
}

/// A zone's month's kept flags, as read ($1 zone, $2 month).
const MONTH_FLAGS: &str = "SELECT uscc, rule, indicator, value, reference, severity, explanation, explained_by, \
    explained_at, decision, decision_reason, decided_by, decided_at FROM review_flags WHERE zone = $1 AND month = $2";

/// A stored rule code this program knows, or corrupt data.
fn stored_rule(code: &str) -> Result<&'static str> {
    stored(code, |s| domain::review::rule_code(s).ok_or_else(|| format!("unknown review rule '{s}'")))
}

fn stored_month(yyyymm: i64) -> Result<Month> {
    Month::from_yyyymm(yyyymm as i32).ok_or_else(|| StoreError::Corrupt(format!("review month {yyyymm}")))
}

impl Store {
    /// The kept flags of a zone's month.
    pub async fn review_flags(&self, zone: &str, month: Month) -> Result<Vec<KeptFlag>> {
        let rows = sqlx::query(MONTH_FLAGS).bind(zone).bind(i64::from(month.yyyymm())).fetch_all(&self.pool).await?;
        Ok(in_order(rows.iter().map(kept_of).collect::<Result<_>>()?))
    }

    /// Keeps the flags of a new review of a zone's month in place of the last one's, carrying
    /// over explanations and decisions (`domain::review::carry_over`) as they stand inside the
    /// same transaction, so an explanation written meanwhile is never lost. Returns what is kept.
    pub async fn keep_review_flags(&self, zone: &str, month: Month, fresh: Vec<Flag>) -> Result<Vec<KeptFlag>> {
        let period = i64::from(month.yyyymm());
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(MONTH_FLAGS).bind(zone).bind(period).fetch_all(&mut *tx).await?;
        let before: Vec<KeptFlag> = rows.iter().map(kept_of).collect::<Result<_>>()?;
        let kept = domain::review::carry_over(&before, fresh);
        if kept != in_order(before) {
            sqlx::query("DELETE FROM review_flags WHERE zone = $1 AND month = $2")
                .bind(zone)
                .bind(period)
                .execute(&mut *tx)
                .await?;
            for k in &kept {
                let (uscc, rule, indicator) = k.key();
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO review_flags (zone, month, {COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
                )))
                .persistent(crate::copy::reals_persist(self.engine))
                .bind(zone)
                .bind(period)
                .bind(uscc)
                .bind(rule)
                .bind(indicator)
                .bind(k.flag.value)
                .bind(k.flag.reference)
                .bind(k.flag.severity)
                .bind(&k.explanation)
                .bind(&k.explained_by)
                .bind(k.explained_at)
                .bind(k.decision.map_or("", Decision::code))
                .bind(&k.decision_reason)
                .bind(&k.decided_by)
                .bind(k.decided_at)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(in_order(kept))
    }

    /// Writes the zone's explanation of each of these flags (dropping any decision on the one
    /// before), each with its audit entry, in one transaction. False, and nothing written, when
    /// the month lacks one of them (its figures changed meanwhile) or it is a blocking flag.
    pub async fn explain_review_flags(
        &self,
        zone: &str,
        month: Month,
        keys: &[FlagKey<'_>],
        explanation: &str,
        audits: &[AuditRecord],
    ) -> Result<bool> {
        self.mark_review_flags(
            zone,
            month,
            keys,
            "explanation = $6, explained_by = $7, explained_at = $8, \
             decision = '', decision_reason = '', decided_by = '', decided_at = NULL",
            "severity = 'explain'",
            explanation,
            audits,
        )
        .await
    }

    /// Records the coordinator's decision on each of these explained flags, each with its audit
    /// entry, in one transaction. False, and nothing written, when one is missing or unexplained.
    pub async fn decide_review_flags(
        &self,
        zone: &str,
        month: Month,
        keys: &[FlagKey<'_>],
        decision: Decision,
        reason: &str,
        audits: &[AuditRecord],
    ) -> Result<bool> {
        let set = match decision {
            Decision::Accepted => "decision = 'accepted', decision_reason = $6, decided_by = $7, decided_at = $8",
            Decision::Returned => "decision = 'returned', decision_reason = $6, decided_by = $7, decided_at = $8",
        };
        self.mark_review_flags(zone, month, keys, set, "explanation <> ''", reason, audits).await
    }

    /// Sets `set` ($6 the text, $7 who, $8 when) on each flag meeting `only`, with one audit entry
    /// per flag (the first audit's actor is who).
    #[allow(clippy::too_many_arguments)]
    async fn mark_review_flags(
        &self,
        zone: &str,
        month: Month,
        keys: &[FlagKey<'_>],
        set: &str,
        only: &str,
        text: &str,
        audits: &[AuditRecord],
    ) -> Result<bool> {
        let Some(first) = audits.first() else { return Ok(keys.is_empty()) };
        let sql = format!(
            "UPDATE review_flags SET {set} \
             WHERE zone = $1 AND month = $2 AND uscc = $3 AND rule = $4 AND indicator = $5 AND {only}"
        );
        let at = now();
        let mut tx = self.begin_write().await?;
        let mut last = None;
        for (key, audit) in keys.iter().zip(audits) {
            let done = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(zone)
                .bind(i64::from(month.yyyymm()))
                .bind(key.0)
                .bind(key.1)
                .bind(key.2)
                .bind(text)
                .bind(&first.actor)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 0 {
                // Dropping the transaction rolls it back.
                return Ok(false);
            }
            last = Some(crate::audit::append(&mut tx, self.engine, &self.seal, audit).await?);
        }
        tx.commit().await?;
        if let Some(a) = &last {
            self.seal.committed(a);
        }
        Ok(true)
    }

    /// Every kept flag of the months `from..=to`, with its zone and month, in order.
    pub async fn review_flags_between(&self, from: Month, to: Month) -> Result<Vec<(String, Month, KeptFlag)>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS}, zone, month FROM review_flags WHERE month BETWEEN $1 AND $2"
        )))
        .bind(i64::from(from.yyyymm()))
        .bind(i64::from(to.yyyymm()))
        .fetch_all(&self.pool)
        .await?;
        let mut flags =
            rows.iter().map(|r| Ok((r.get(13), stored_month(r.get(14))?, kept_of(r)?))).collect::<Result<Vec<_>>>()?;
        flags.sort_by(|a: &(String, Month, KeptFlag), b| {
            (a.1, &a.0).cmp(&(b.1, &b.0)).then_with(|| domain::review::listing_order(&a.2.flag, &b.2.flag))
        });
        Ok(flags)
    }

    /// How many flags of each zone-month of `from..=to` stand where, by rule and status.
    pub async fn review_flag_counts(&self, from: Month, to: Month) -> Result<Vec<FlagCount>> {
        let rows = sqlx::query(
            "SELECT zone, month, rule, severity, CAST(CASE WHEN explanation = '' THEN 0 ELSE 1 END AS BIGINT) AS explained, \
             decision, COUNT(*) FROM review_flags WHERE month BETWEEN $1 AND $2 \
             GROUP BY zone, month, rule, severity, CAST(CASE WHEN explanation = '' THEN 0 ELSE 1 END AS BIGINT), decision",
        )
        .bind(i64::from(from.yyyymm()))
        .bind(i64::from(to.yyyymm()))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let month: i64 = r.get(1);
            let rule: String = r.get(2);
            let severity: String = r.get(3);
            let explained = r.get::<i64, _>(4) != 0;
            let decision: String = r.get(5);
            out.push(FlagCount {
                zone: r.get(0),
                month: stored_month(month)?,
                rule: stored_rule(&rule)?,
                status: FlagStatus::of(severity == "blocking", explained, Decision::parse(&decision)),
                count: r.get::<i64, _>(6) as u64,
            });
        }
        Ok(out)
    }

    /// How many of the zones' non-zero amounts of the months `from..=to` begin with each digit,
    /// 1 to 9, over the given indicators (stored in their smallest unit, which keeps the digit).
    pub async fn first_digit_counts(
        &self,
        zones: &[String],
        from: Month,
        to: Month,
        indicators: &[domain::IndicatorCode],
    ) -> Result<[u64; 9]> {
        let mut counts = [0u64; 9];
        if zones.is_empty() || indicators.is_empty() {
            return Ok(counts);
        }
        let parts: Vec<String> = indicators
            .iter()
            .map(|i| {
                let col = format!("f.{}", fact_column(i));
                format!(
                    "SELECT SUBSTR(CAST(ABS({col}) AS TEXT), 1, 1) AS d FROM facts f JOIN enterprises e ON e.id = f.enterprise_id \
                     WHERE f.month BETWEEN $1 AND $2 AND e.zone IN ({}) AND {col} <> 0",
                    placeholders(zones.len(), 3)
                )
            })
            .collect();
        let sql = format!("SELECT d, COUNT(*) FROM ({}) amounts GROUP BY d", parts.join(" UNION ALL "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(from.yyyymm())).bind(i64::from(to.yyyymm()));
        for z in zones {
            q = q.bind(z.clone());
        }
        for r in q.fetch_all(&self.pool).await? {
            let digit: String = r.get(0);
            if let Ok(d @ 1..=9) = digit.parse::<usize>() {
                counts[d - 1] += r.get::<i64, _>(1) as u64;
            }
        }
        Ok(counts)
    }
}
