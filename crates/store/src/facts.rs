//! Monthly facts, written in bulk, with the month × industry × zone aggregates kept up to date in
//! the same transaction.

use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

use domain::Month;
use domain::progress::CellMonth;
use sqlx::{Any, Executor, Row, Transaction};

use crate::enterprises::{placeholders, value_rows};
use crate::{Engine, EnterpriseKey, Result, Store, fact_column};

/// One enterprise-month of a file: the values of the import's indicators (None = not reported).
#[derive(Debug, Clone, Copy)]
pub struct FactRow<'a> {
    pub enterprise: EnterpriseKey,
    pub month: Month,
    pub values: &'a [Option<i64>],
}

/// An import in progress: one transaction, written batch by batch, committed by `finish`.
pub struct FactsImport {
    tx: Transaction<'static, Any>,
    engine: Engine,
    indicators: Vec<String>,
    cells: Vec<(String, String)>,
    /// Months that had facts before this import began; rows for them replace stored values.
    months_with_data: HashMap<i32, bool>,
    staged: bool,
    /// Sums and counts to add per (cell, month), one pair per indicator.
    delta: FxHashMap<(u32, i32), Vec<(i64, i64)>>,
}

const ROWS_PER_STATEMENT: usize = 500;

impl Store {
    /// Starts an import of facts for `indicators` (the columns the file has). Columns the file
    /// lacks keep their stored values.
    pub async fn begin_facts_import(
        &self,
        indicators: Vec<String>,
        cells: Vec<(String, String)>,
    ) -> Result<FactsImport> {
        let tx = self.pool.begin().await?;
        Ok(FactsImport {
            tx,
            engine: self.engine,
            indicators,
            cells,
            months_with_data: HashMap::new(),
            staged: false,
            delta: FxHashMap::default(),
        })
    }

    /// The stored aggregates of an indicator over a range of months.
    pub async fn cell_months(
        &self,
        indicator: &str,
        from: Month,
        to: Month,
    ) -> Result<Vec<CellMonth>> {
        // One row per cell with its months packed as "yyyymm:total,…": the SQLite driver hands
        // rows over one at a time between threads, so thousands of month rows cost more than
        // the query (measured: 11 ms for 4,200 rows against 1 ms packed).
        let concat = match self.engine {
            Engine::Sqlite => "group_concat",
            Engine::Postgres => "string_agg",
        };
        let sql = format!(
            "SELECT industry, zone, {concat}(CAST(month AS TEXT) || ':' || CAST(total AS TEXT), ',') FROM cell_months \
             WHERE indicator = $1 AND month BETWEEN $2 AND $3 GROUP BY industry, zone"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(indicator)
            .bind(i64::from(from.yyyymm()))
            .bind(i64::from(to.yyyymm()))
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let (industry, zone, packed): (String, String, String) = (r.get(0), r.get(1), r.get(2));
            for item in packed.split(',') {
                let parsed = item.split_once(':').and_then(|(m, t)| {
                    Some((Month::from_yyyymm(m.parse().ok()?)?, t.parse::<i64>().ok()?))
                });
                let Some((month, sum)) = parsed else {
                    return Err(crate::StoreError::Invalid(format!(
                        "cell_months: unreadable aggregate '{item}'"
                    )));
                };
                out.push(CellMonth {
                    industry: industry.clone(),
                    zone: zone.clone(),
                    month,
                    sum,
                });
            }
        }
        Ok(out)
    }

    /// The latest month with any facts.
    pub async fn latest_month(&self) -> Result<Option<Month>> {
        let row = sqlx::query("SELECT MAX(month) FROM cell_months")
            .fetch_one(&self.pool)
            .await?;
        Ok(row
            .get::<Option<i64>, _>(0)
            .and_then(|m| Month::from_yyyymm(m as i32)))
    }

    /// The enterprises behind a cell: each one's month value, year-to-date and the same months a
    /// year earlier, largest year-to-date first.
    pub async fn cell_enterprises(
        &self,
        indicator: &str,
        industries: &[String],
        zones: &[String],
        month: Month,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<CellEnterprise>, i64)> {
        let col = fact_column(indicator);
        let cond = |first: usize| {
            format!(
                "e.industry IN ({}) AND e.zone IN ({})",
                placeholders(industries.len(), first),
                placeholders(zones.len(), first + industries.len())
            )
        };
        let (from, to) = (
            i64::from(month.year_before().year_start().yyyymm()),
            i64::from(month.yyyymm()),
        );
        let count_sql = format!(
            "SELECT COUNT(*) FROM enterprises e WHERE {} AND EXISTS \
             (SELECT 1 FROM facts f WHERE f.enterprise_id = e.id AND f.month BETWEEN $1 AND $2 AND f.{col} IS NOT NULL)",
            cond(3)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(count_sql))
            .bind(from)
            .bind(to);
        for v in industries.iter().chain(zones) {
            q = q.bind(v.clone());
        }
        let total: i64 = q.fetch_one(&self.pool).await?.get(0);
        let sql = format!(
            "SELECT e.uscc, e.name, e.industry, e.zone, \
               CAST(SUM(CASE WHEN f.month = $1 THEN f.{col} END) AS BIGINT), \
               CAST(SUM(CASE WHEN f.month BETWEEN $2 AND $1 THEN f.{col} END) AS BIGINT), \
               CAST(SUM(CASE WHEN f.month BETWEEN $3 AND $4 THEN f.{col} END) AS BIGINT), \
               COUNT(CASE WHEN f.month BETWEEN $2 AND $1 THEN f.{col} END), \
               COUNT(CASE WHEN f.month BETWEEN $3 AND $4 THEN f.{col} END) \
             FROM facts f JOIN enterprises e ON e.id = f.enterprise_id \
             WHERE f.month BETWEEN $3 AND $1 AND f.{col} IS NOT NULL AND {} \
             GROUP BY e.uscc, e.name, e.industry, e.zone \
             ORDER BY 6 DESC NULLS LAST, e.uscc LIMIT {} OFFSET {}",
            cond(5),
            limit.clamp(1, 10_000),
            offset.max(0)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(to)
            .bind(i64::from(month.year_start().yyyymm()))
            .bind(from)
            .bind(i64::from(month.year_before().yyyymm()));
        for v in industries.iter().chain(zones) {
            q = q.bind(v.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let list = rows
            .iter()
            .map(|r| CellEnterprise {
                uscc: r.get(0),
                name: r.get(1),
                industry: r.get(2),
                zone: r.get(3),
                value: r.get(4),
                ytd: r.get(5),
                ytd_prev: r.get(6),
                ytd_months: r.get(7),
                prev_months: r.get(8),
            })
            .collect();
        Ok((list, total))
    }

    /// Every reported month of one enterprise, all indicators, newest first.
    pub async fn enterprise_months(
        &self,
        uscc: &str,
        indicators: &[String],
    ) -> Result<Vec<MonthFacts>> {
        let cols: Vec<String> = indicators
            .iter()
            .map(|i| format!("f.{}", fact_column(i)))
            .collect();
        let sql = format!(
            "SELECT f.month, {} FROM facts f JOIN enterprises e ON e.id = f.enterprise_id WHERE e.uscc = $1 ORDER BY f.month DESC",
            cols.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(uscc)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(MonthFacts {
                    month: Month::from_yyyymm(r.get::<i64, _>(0) as i32)?,
                    values: (0..indicators.len())
                        .map(|i| r.get::<Option<i64>, _>(i + 1))
                        .collect(),
                })
            })
            .collect())
    }

    /// Recomputes every aggregate from the facts; the check that incremental upkeep is exact.
    pub async fn recount_cells(&self, indicator: &str) -> Result<Vec<CellMonth>> {
        let col = fact_column(indicator);
        let sql = format!(
            "SELECT e.industry, e.zone, f.month, CAST(SUM(f.{col}) AS BIGINT) FROM facts f JOIN enterprises e ON e.id = f.enterprise_id \
             WHERE f.{col} IS NOT NULL GROUP BY e.industry, e.zone, f.month"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(CellMonth {
                    industry: r.get(0),
                    zone: r.get(1),
                    month: Month::from_yyyymm(r.get::<i64, _>(2) as i32)?,
                    sum: r.get(3),
                })
            })
            .collect())
    }
}

/// One enterprise behind a cell, amounts in the indicator's smallest kept unit.
#[derive(Debug, Clone, PartialEq)]
pub struct CellEnterprise {
    pub uscc: String,
    pub name: String,
    pub industry: String,
    pub zone: String,
    pub value: Option<i64>,
    pub ytd: Option<i64>,
    pub ytd_prev: Option<i64>,
    /// How many months the year-to-date and last year's figures have.
    pub ytd_months: i64,
    pub prev_months: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonthFacts {
    pub month: Month,
    pub values: Vec<Option<i64>>,
}

impl FactsImport {
    /// Writes a batch of rows. Rows for months that already had facts replace what was stored,
    /// and the replaced values leave the aggregates.
    pub async fn write(&mut self, rows: &[FactRow<'_>]) -> Result<()> {
        let months: HashSet<i32> = rows.iter().map(|r| r.month.yyyymm()).collect();
        let mut overlap = false;
        for m in months {
            let had = match self.months_with_data.get(&m) {
                Some(h) => *h,
                None => {
                    let h = sqlx::query("SELECT 1 FROM cell_months WHERE month = $1 LIMIT 1")
                        .bind(i64::from(m))
                        .fetch_optional(&mut *self.tx)
                        .await?
                        .is_some();
                    self.months_with_data.insert(m, h);
                    h
                }
            };
            overlap |= had;
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            if overlap {
                self.subtract_replaced(chunk).await?;
            }
            self.upsert(chunk).await?;
        }
        let n = self.indicators.len();
        for r in rows {
            let sums = self
                .delta
                .entry((r.enterprise.cell, r.month.yyyymm()))
                .or_insert_with(|| vec![(0, 0); n]);
            for (s, v) in sums.iter_mut().zip(r.values) {
                if let Some(v) = v {
                    s.0 += v;
                    s.1 += 1;
                }
            }
        }
        Ok(())
    }

    fn columns(&self) -> Vec<String> {
        self.indicators.iter().map(|i| fact_column(i)).collect()
    }

    async fn upsert(&mut self, chunk: &[FactRow<'_>]) -> Result<()> {
        let cols = self.columns();
        let updates: Vec<String> = cols.iter().map(|c| format!("{c} = excluded.{c}")).collect();
        let sql = format!(
            "INSERT INTO facts (enterprise_id, month, {}) VALUES {} ON CONFLICT (enterprise_id, month) DO UPDATE SET {}",
            cols.join(", "),
            value_rows(self.engine, chunk.len(), cols.len() + 2),
            updates.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q.bind(r.enterprise.id).bind(i64::from(r.month.yyyymm()));
            for v in r.values {
                q = q.bind(*v);
            }
        }
        q.execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Takes the stored values that the chunk is about to replace out of the aggregates.
    async fn subtract_replaced(&mut self, chunk: &[FactRow<'_>]) -> Result<()> {
        if !self.staged {
            self.tx.execute("DROP TABLE IF EXISTS staged_keys").await?;
            self.tx.execute("CREATE TEMP TABLE staged_keys (enterprise_id BIGINT NOT NULL, month BIGINT NOT NULL)").await?;
            self.staged = true;
        }
        self.tx.execute("DELETE FROM staged_keys").await?;
        let sql = format!(
            "INSERT INTO staged_keys (enterprise_id, month) VALUES {}",
            value_rows(self.engine, chunk.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for r in chunk {
            q = q.bind(r.enterprise.id).bind(i64::from(r.month.yyyymm()));
        }
        q.execute(&mut *self.tx).await?;
        for ind in self.indicators.clone() {
            let col = fact_column(&ind);
            let sql = format!(
                "INSERT INTO cell_months (indicator, industry, zone, month, total, reporters) \
                 SELECT $1, e.industry, e.zone, f.month, -SUM(f.{col}), -COUNT(f.{col}) \
                 FROM staged_keys s JOIN facts f ON f.enterprise_id = s.enterprise_id AND f.month = s.month \
                 JOIN enterprises e ON e.id = f.enterprise_id \
                 WHERE f.{col} IS NOT NULL GROUP BY e.industry, e.zone, f.month \
                 ON CONFLICT (indicator, month, industry, zone) DO UPDATE SET \
                 total = cell_months.total + excluded.total, reporters = cell_months.reporters + excluded.reporters"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(ind)
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// Adds the new values to the aggregates and commits the whole import.
    pub async fn finish(mut self) -> Result<()> {
        // ((indicator, cell, month), (sum, count))
        #[allow(clippy::type_complexity)]
        let delta: Vec<((usize, u32, i32), (i64, i64))> = self
            .delta
            .drain()
            .flat_map(|((cell, month), sums)| {
                sums.into_iter()
                    .enumerate()
                    .filter(|(_, (_, n))| *n > 0)
                    .map(move |(i, s)| ((i, cell, month), s))
            })
            .collect();
        for chunk in delta.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO cell_months (indicator, industry, zone, month, total, reporters) VALUES {} \
                 ON CONFLICT (indicator, month, industry, zone) DO UPDATE SET \
                 total = cell_months.total + excluded.total, reporters = cell_months.reporters + excluded.reporters",
                value_rows(self.engine, chunk.len(), 6)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for ((ind, cell, month), (sum, n)) in chunk {
                let (industry, zone) = &self.cells[*cell as usize];
                q = q
                    .bind(self.indicators[*ind].clone())
                    .bind(industry.clone())
                    .bind(zone.clone())
                    .bind(i64::from(*month))
                    .bind(*sum)
                    .bind(*n);
            }
            q.execute(&mut *self.tx).await?;
        }
        self.tx
            .execute("DELETE FROM cell_months WHERE reporters = 0")
            .await?;
        if self.staged && self.engine == Engine::Postgres {
            self.tx.execute("DROP TABLE staged_keys").await?;
        }
        self.tx.commit().await?;
        Ok(())
    }
}
