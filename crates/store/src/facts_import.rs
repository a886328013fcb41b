//! Writing monthly facts in bulk, with the month × industry × zone aggregates kept up to date in
//! the same transaction. SQLite takes multi-row INSERTs; PostgreSQL takes COPY into a staging
//! table, merged at the end.

use domain::IndicatorCode;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use domain::Month;
use rustc_hash::FxHashMap;
use sqlx::{Any, Executor, Postgres, Row, Transaction};

use crate::annual::forget_years;
use crate::enterprises::value_rows;
use crate::{EnterpriseKey, Result, Store, StoreError, fact_column};

/// One enterprise-month of a file: the values of the import's indicators (None = not reported).
#[derive(Debug, Clone, Copy)]
pub struct FactRow<'a> {
    pub enterprise: EnterpriseKey,
    pub month: Month,
    pub values: &'a [Option<i64>],
}

enum ImportTx {
    Sqlite {
        tx: Transaction<'static, Any>,
        /// Months that had facts before this import began, as checked so far.
        months_with_data: HashMap<i32, bool>,
        staged: bool,
    },
    Postgres {
        tx: Transaction<'static, Postgres>,
        months_with_data: HashMap<i32, bool>,
        /// Months of the rows that went to the staging table to be merged at the end.
        staged_months: BTreeSet<i32>,
    },
}

/// Whether any month of a batch had facts before the import began (cached per month): only such
/// rows can replace stored values. One macro serves both drivers' transactions.
macro_rules! batch_overlaps {
    ($tx:expr, $cache:expr, $rows:expr) => {{
        let mut overlap = false;
        for m in $rows.iter().map(|r| r.month.yyyymm()).collect::<BTreeSet<_>>() {
            let had = match $cache.get(&m) {
                Some(h) => *h,
                None => {
                    let h = sqlx::query("SELECT 1 FROM cell_months WHERE month = $1 LIMIT 1")
                        .bind(i64::from(m))
                        .fetch_optional(&mut **$tx)
                        .await?
                        .is_some();
                    $cache.insert(m, h);
                    h
                }
            };
            overlap |= had;
        }
        overlap
    }};
}

/// Months a facts import must not land in, checked inside its transaction under the lock that
/// workflow steps take: a month submitted or locked while the import ran refuses it whole.
pub struct MonthGuard<'a> {
    /// The top-level zone of a zone code (a zone submits its sub-zones' months with its own).
    pub top_zone: &'a (dyn Fn(&str) -> String + Sync),
}

/// Reads the states of the months an import touches and refuses the first closed one; the same
/// SQL through either driver's transaction.
macro_rules! refuse_closed {
    ($tx:expr, $guard:expr, $touched:expr) => {{
        if let (Some(_), Some(first), Some(last)) =
            ($guard, $touched.iter().map(|t: &(String, i32)| t.1).min(), $touched.iter().map(|t: &(String, i32)| t.1).max())
        {
            let rows = sqlx::query(
                "SELECT scope, period, state FROM workflow_states WHERE subject = $1 AND period BETWEEN $2 AND $3",
            )
                .bind(crate::workflow::ZONE_MONTH)
                .bind(i64::from(first))
                .bind(i64::from(last))
                .fetch_all(&mut *$tx)
                .await?;
            for r in &rows {
                let (zone, month): (String, i64) = (r.get(0), r.get(1));
                let state = crate::workflow::stored_state(r.get(2))?;
                if !state.editable() && $touched.contains(&(zone.clone(), month as i32)) {
                    let state = state.zh();
                    return Err(StoreError::Invalid(format!(
                        "组团 {zone} 的 {} 在导入期间已转为“{state}”,本次导入未生效 / {zone} {} became {state} while the import ran; nothing was imported",
                        Month::from_yyyymm(month as i32).map_or(month.to_string(), |m| m.to_string()),
                        Month::from_yyyymm(month as i32).map_or(month.to_string(), |m| m.to_string()),
                    )));
                }
            }
        }
    }};
}

/// An import in progress: one transaction, written batch by batch, committed by `finish`;
/// dropping it rolls everything back.
pub struct FactsImport {
    tx: ImportTx,
    indicators: Vec<IndicatorCode>,
    cells: Vec<(String, String)>,
    /// Sums and counts to add per (cell, month), one pair per indicator.
    delta: FxHashMap<(u32, i32), Vec<(i64, i64)>>,
    seal: std::sync::Arc<crate::seal::AuditSeal>,
}

const ROWS_PER_STATEMENT: usize = 500;

/// Adds a value to an aggregate, or takes it away: the upsert every path ends with.
const CELL_UPSERT: &str = "ON CONFLICT (indicator, month, industry, zone) DO UPDATE SET \
    total = cell_months.total + excluded.total, reporters = cell_months.reporters + excluded.reporters";

/// The SQL that takes the stored values of one indicator for the keys in `keys` (a table of
/// enterprise_id, month) out of the aggregates.
fn subtract_sql(indicator: &IndicatorCode, keys: &str, filter: &str) -> Result<String> {
    let col = fact_column(indicator);
    // The indicator's code itself is bound as $1.
    Ok(format!(
        "INSERT INTO cell_months (indicator, industry, zone, month, total, reporters) \
         SELECT CAST($1 AS TEXT), e.industry, e.zone, f.month, -SUM(f.{col}), -COUNT(f.{col}) \
         FROM {keys} s JOIN facts f ON f.enterprise_id = s.enterprise_id AND f.month = s.month \
         JOIN enterprises e ON e.id = f.enterprise_id \
         WHERE f.{col} IS NOT NULL {filter} GROUP BY e.industry, e.zone, f.month {CELL_UPSERT}"
    ))
}

impl Store {
    /// Starts an import of facts for `indicators` (the columns the file has). Columns the file
    /// lacks keep their stored values.
    pub async fn begin_facts_import(&self, indicators: Vec<IndicatorCode>, cells: Vec<(String, String)>) -> Result<FactsImport> {
        let tx = match &self.pg {
            Some(pg) => {
                let mut tx = pg.begin().await?;
                let cols: Vec<String> = indicators.iter().map(|i| format!("{} BIGINT", fact_column(i))).collect();
                tx.execute(sqlx::AssertSqlSafe(format!(
                    "CREATE TEMP TABLE staged_facts (enterprise_id BIGINT NOT NULL, month BIGINT NOT NULL, {}) ON COMMIT DROP",
                    cols.join(", ")
                )))
                .await?;
                ImportTx::Postgres { tx, months_with_data: HashMap::new(), staged_months: BTreeSet::new() }
            }
            None => ImportTx::Sqlite { tx: self.begin_write().await?, months_with_data: HashMap::new(), staged: false },
        };
        Ok(FactsImport { tx, indicators, cells, delta: FxHashMap::default(), seal: self.seal.clone() })
    }
}

impl FactsImport {
    /// Writes a batch of rows. Rows for months that already had facts replace what was stored,
    /// and the replaced values leave the aggregates.
    pub async fn write(&mut self, rows: &[FactRow<'_>]) -> Result<()> {
        let columns: Vec<String> = self.indicators.iter().map(fact_column).collect();
        match &mut self.tx {
            ImportTx::Sqlite { tx, months_with_data, staged } => {
                let overlap = batch_overlaps!(tx, months_with_data, rows);
                for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                    if overlap {
                        sqlite_subtract_replaced(tx, staged, &self.indicators, chunk).await?;
                    }
                    sqlite_upsert(tx, &columns, chunk).await?;
                }
            }
            ImportTx::Postgres { tx, months_with_data, staged_months } => {
                // Rows of months that had no facts cannot conflict (the file has no duplicates),
                // so they are copied straight into the table; the others are merged at the end.
                let overlap = batch_overlaps!(tx, months_with_data, rows);
                let target = if overlap { "staged_facts" } else { "facts" };
                // COPY's text format: tab-separated, \N for not reported.
                let mut data = String::with_capacity(rows.len() * (columns.len() + 2) * 10);
                for r in rows {
                    if overlap {
                        staged_months.insert(r.month.yyyymm());
                    }
                    let _ = write!(data, "{}\t{}", r.enterprise.id, r.month.yyyymm());
                    for v in r.values {
                        match v {
                            Some(v) => {
                                let _ = write!(data, "\t{v}");
                            }
                            None => data.push_str("\t\\N"),
                        }
                    }
                    data.push('\n');
                }
                let mut copy =
                    tx.copy_in_raw(&format!("COPY {target} (enterprise_id, month, {}) FROM STDIN", columns.join(", "))).await?;
                copy.send(data.into_bytes()).await?;
                copy.finish().await?;
            }
        }
        let n = self.indicators.len();
        for r in rows {
            let sums = self.delta.entry((r.enterprise.cell, r.month.yyyymm())).or_insert_with(|| vec![(0, 0); n]);
            for (s, v) in sums.iter_mut().zip(r.values) {
                if let Some(v) = v {
                    s.0 = s.0.checked_add(*v).ok_or_else(StoreError::total_overflow)?;
                    s.1 += 1;
                }
            }
        }
        Ok(())
    }

    /// Adds the new values to the aggregates and commits the whole import; with a guard, first
    /// makes sure none of its months was closed meanwhile.
    pub async fn finish(mut self, audit: &crate::AuditRecord, guard: Option<&MonthGuard<'_>>) -> Result<()> {
        let touched: BTreeSet<(String, i32)> = match guard {
            Some(g) => self.delta.keys().map(|(cell, month)| ((g.top_zone)(&self.cells[*cell as usize].1), *month)).collect(),
            None => BTreeSet::new(),
        };
        let months = self.delta.keys().map(|(_, month)| *month);
        let years = months.clone().min().zip(months.max()).map(|(first, last)| (first / 100, last / 100));
        // ((indicator, cell, month), (sum, count))
        #[allow(clippy::type_complexity)]
        let delta: Vec<((usize, u32, i32), (i64, i64))> = self
            .delta
            .drain()
            .flat_map(|((cell, month), sums)| {
                sums.into_iter().enumerate().filter(|(_, (_, n))| *n > 0).map(move |(i, s)| ((i, cell, month), s))
            })
            .collect();
        let columns: Vec<String> = self.indicators.iter().map(fact_column).collect();
        match self.tx {
            ImportTx::Sqlite { mut tx, staged, .. } => {
                refuse_closed!(tx, guard, touched);
                for chunk in delta.chunks(ROWS_PER_STATEMENT) {
                    let sql = format!(
                        "INSERT INTO cell_months (indicator, industry, zone, month, total, reporters) VALUES {} {CELL_UPSERT}",
                        value_rows(crate::Engine::Sqlite, chunk.len(), 6)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for ((ind, cell, month), (sum, n)) in chunk {
                        let (industry, zone) = &self.cells[*cell as usize];
                        q = q
                            .bind(self.indicators[*ind].to_string())
                            .bind(industry.clone())
                            .bind(zone.clone())
                            .bind(i64::from(*month))
                            .bind(*sum)
                            .bind(*n);
                    }
                    q.execute(&mut *tx).await?;
                }
                tx.execute("DELETE FROM cell_months WHERE reporters = 0").await?;
                crate::check_totals(&mut tx, crate::Engine::Sqlite).await?;
                if let Some((first, last)) = years {
                    forget_years!(tx, crate::Engine::Sqlite, first, last);
                }
                if staged {
                    tx.execute("DROP TABLE staged_keys").await?;
                }
                let appended = crate::audit::append(&mut tx, crate::Engine::Sqlite, &self.seal, audit).await?;
                tx.commit().await?;
                self.seal.committed(&appended);
            }
            ImportTx::Postgres { mut tx, staged_months, .. } => {
                if guard.is_some() {
                    tx.execute(crate::MONTHS_LOCK).await?;
                }
                refuse_closed!(tx, guard, touched);
                if !staged_months.is_empty() {
                    // Everything staged belongs to months that had facts: take the values it
                    // replaces out of the aggregates, then merge.
                    for ind in &self.indicators {
                        sqlx::query(sqlx::AssertSqlSafe(subtract_sql(ind, "staged_facts", "")?))
                            .bind(ind.as_str())
                            .execute(&mut *tx)
                            .await?;
                    }
                    let updates: Vec<String> = columns.iter().map(|c| format!("{c} = excluded.{c}")).collect();
                    tx.execute(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO facts (enterprise_id, month, {cols}) SELECT enterprise_id, month, {cols} FROM staged_facts \
                         ON CONFLICT (enterprise_id, month) DO UPDATE SET {}",
                        updates.join(", "),
                        cols = columns.join(", ")
                    )))
                    .await?;
                }
                tx.execute(
                    "CREATE TEMP TABLE staged_cells (indicator TEXT, industry TEXT, zone TEXT, month BIGINT, total BIGINT, reporters BIGINT) \
                     ON COMMIT DROP",
                )
                .await?;
                // Codes are plan codes (letters, digits, - and _), safe in COPY's text format.
                let mut data = String::with_capacity(delta.len() * 48);
                for ((ind, cell, month), (sum, n)) in &delta {
                    let (industry, zone) = &self.cells[*cell as usize];
                    let _ = writeln!(data, "{}\t{industry}\t{zone}\t{month}\t{sum}\t{n}", self.indicators[*ind]);
                }
                let mut copy = tx.copy_in_raw("COPY staged_cells FROM STDIN").await?;
                copy.send(data.into_bytes()).await?;
                copy.finish().await?;
                tx.execute(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO cell_months (indicator, industry, zone, month, total, reporters) \
                     SELECT indicator, industry, zone, month, total, reporters FROM staged_cells {CELL_UPSERT}"
                )))
                .await
                .map_err(StoreError::from_write)?;
                tx.execute("DELETE FROM cell_months WHERE reporters = 0").await?;
                if let Some((first, last)) = years {
                    forget_years!(tx, crate::Engine::Postgres, first, last);
                }
                let appended = crate::audit::append_pg(&mut tx, &self.seal, audit).await?;
                tx.commit().await?;
                self.seal.committed(&appended);
            }
        }
        Ok(())
    }
}

async fn sqlite_upsert(tx: &mut Transaction<'static, Any>, columns: &[String], chunk: &[FactRow<'_>]) -> Result<()> {
    let updates: Vec<String> = columns.iter().map(|c| format!("{c} = excluded.{c}")).collect();
    let sql = format!(
        "INSERT INTO facts (enterprise_id, month, {}) VALUES {} ON CONFLICT (enterprise_id, month) DO UPDATE SET {}",
        columns.join(", "),
        value_rows(crate::Engine::Sqlite, chunk.len(), columns.len() + 2),
        updates.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for r in chunk {
        q = q.bind(r.enterprise.id).bind(i64::from(r.month.yyyymm()));
        for v in r.values {
            q = q.bind(*v);
        }
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Takes the stored values that the chunk is about to replace out of the aggregates.
async fn sqlite_subtract_replaced(
    tx: &mut Transaction<'static, Any>,
    staged: &mut bool,
    indicators: &[IndicatorCode],
    chunk: &[FactRow<'_>],
) -> Result<()> {
    if !*staged {
        tx.execute("DROP TABLE IF EXISTS staged_keys").await?;
        tx.execute("CREATE TEMP TABLE staged_keys (enterprise_id BIGINT NOT NULL, month BIGINT NOT NULL)").await?;
        *staged = true;
    }
    tx.execute("DELETE FROM staged_keys").await?;
    let sql =
        format!("INSERT INTO staged_keys (enterprise_id, month) VALUES {}", value_rows(crate::Engine::Sqlite, chunk.len(), 2));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for r in chunk {
        q = q.bind(r.enterprise.id).bind(i64::from(r.month.yyyymm()));
    }
    q.execute(&mut **tx).await?;
    for ind in indicators {
        sqlx::query(sqlx::AssertSqlSafe(subtract_sql(ind, "staged_keys", "")?)).bind(ind.as_str()).execute(&mut **tx).await?;
    }
    Ok(())
}
