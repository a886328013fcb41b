//! The enterprise registry: keyed by USCC, each enterprise in one zone and one plan industry.

use std::collections::HashMap;

use sqlx::{Any, Row, Transaction};

use domain::Enterprise;
use rustc_hash::FxHashMap;

use crate::{Engine, Result, Store, fact_column};

/// What an import of facts needs to know of an enterprise: its id and the cell (industry, zone)
/// it counts in, as an index into [`EnterpriseKeys::cells`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnterpriseKey {
    pub id: i64,
    pub cell: u32,
}

/// Every enterprise's key by USCC, and the (industry, zone) cells they fall in.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseKeys {
    pub by_uscc: FxHashMap<String, EnterpriseKey>,
    pub cells: Vec<(String, String)>,
}

/// An enterprise as listed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EnterpriseRow {
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub industry: String,
    pub land_mu: Option<f64>,
    pub above_scale: bool,
    pub established: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Part of the name or of the USCC.
    pub search: Option<String>,
    /// Zones to include (a zone and its sub-zones); empty for all.
    pub zones: Vec<String>,
    pub industry: Option<String>,
    /// Exactly this enterprise.
    pub uscc: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

const TAG_SEPARATOR: &str = "、";

/// Placeholders `($1, $2, …), (…)` for a multi-row statement of `rows` × `cols` values that has
/// no other parameters. SQLite gets anonymous `?`: binding numbered parameters makes SQLite look
/// each name up in a list, which is quadratic in a statement of thousands of values (measured:
/// 89% of an import's time went to `sqlite3_bind_parameter_name`).
pub(crate) fn value_rows(engine: Engine, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 6);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            match engine {
                Engine::Sqlite => s.push('?'),
                Engine::Postgres => {
                    s.push('$');
                    s.push_str(&(1 + r * cols + c).to_string());
                }
            }
        }
        s.push(')');
    }
    s
}

pub(crate) fn placeholders(n: usize, first: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

impl Store {
    /// Every enterprise's key, by USCC.
    pub async fn enterprise_keys(&self) -> Result<EnterpriseKeys> {
        let rows = sqlx::query("SELECT uscc, id, industry, zone FROM enterprises").fetch_all(&self.pool).await?;
        let mut keys = EnterpriseKeys::default();
        let mut interned: HashMap<(String, String), u32> = HashMap::new();
        for r in &rows {
            let cell_key = (r.get::<String, _>(2), r.get::<String, _>(3));
            let next = interned.len() as u32;
            let cell = *interned.entry(cell_key.clone()).or_insert_with(|| {
                keys.cells.push(cell_key);
                next
            });
            keys.by_uscc.insert(r.get(0), EnterpriseKey { id: r.get(1), cell });
        }
        Ok(keys)
    }

    /// Inserts new enterprises and updates known ones, in one transaction. An enterprise that
    /// moves to another zone or industry takes its facts with it in the aggregates.
    pub async fn upsert_enterprises(
        &self,
        records: &[Enterprise],
        keys: &EnterpriseKeys,
        indicators: &[String],
        audit: &crate::AuditRecord,
    ) -> Result<(usize, usize)> {
        let cell_of = |k: &EnterpriseKey| &keys.cells[k.cell as usize];
        let mut tx = self.begin_write().await?;
        let mut next_id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM enterprises").fetch_one(&mut *tx).await?.get(0);
        let (mut inserted, mut updated) = (0, 0);
        let mut moved = Vec::new();
        // Known enterprises keep their id; one upsert writes new and changed rows alike.
        let mut rows = Vec::with_capacity(records.len());
        for rec in records {
            match keys.by_uscc.get(&rec.uscc) {
                Some(k) => {
                    let (industry, zone) = cell_of(k);
                    if *zone != rec.zone || *industry != rec.industry {
                        moved.push(k.id);
                    }
                    rows.push((k.id, rec));
                    updated += 1;
                }
                None => {
                    next_id += 1;
                    rows.push((next_id, rec));
                    inserted += 1;
                }
            }
        }
        move_cells(&mut tx, self.engine, &moved, indicators, -1).await?;
        for chunk in rows.chunks(500) {
            let sql = format!(
                "INSERT INTO enterprises (id, uscc, name, zone, industry, land_mu_milli, above_scale, established, tags) VALUES {} \
                 ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, zone = excluded.zone, industry = excluded.industry, \
                 land_mu_milli = excluded.land_mu_milli, above_scale = excluded.above_scale, established = excluded.established, \
                 tags = excluded.tags",
                value_rows(self.engine, chunk.len(), 9)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, r) in chunk {
                q = q
                    .bind(*id)
                    .bind(&r.uscc)
                    .bind(&r.name)
                    .bind(&r.zone)
                    .bind(&r.industry)
                    .bind(r.land_mu_milli)
                    .bind(i64::from(r.above_scale))
                    .bind(r.established.clone())
                    .bind(r.tags.join(TAG_SEPARATOR));
            }
            q.execute(&mut *tx).await?;
        }
        move_cells(&mut tx, self.engine, &moved, indicators, 1).await?;
        let mut audit = audit.clone();
        audit.after = format!("{{\"inserted\":{inserted},\"updated\":{updated},\"moved\":{}}}", moved.len());
        crate::audit::append(&mut tx, self.engine, &self.seal, &audit).await?;
        tx.commit().await?;
        Ok((inserted, updated))
    }

    /// A page of enterprises matching a filter, with the number of all matches.
    pub async fn enterprises(&self, f: &EnterpriseFilter) -> Result<(Vec<EnterpriseRow>, i64)> {
        let mut cond = String::from("WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if let Some(s) = f.search.as_ref().filter(|s| !s.trim().is_empty()) {
            args.push(format!("%{}%", s.trim().replace(['%', '_'], "")));
            cond.push_str(&format!(" AND (name LIKE ${n} OR uscc LIKE ${n})", n = args.len()));
        }
        if !f.zones.is_empty() {
            cond.push_str(&format!(" AND zone IN ({})", placeholders(f.zones.len(), args.len() + 1)));
            args.extend(f.zones.iter().cloned());
        }
        if let Some(i) = &f.industry {
            args.push(i.clone());
            cond.push_str(&format!(" AND industry = ${}", args.len()));
        }
        if let Some(u) = &f.uscc {
            args.push(u.clone());
            cond.push_str(&format!(" AND uscc = ${}", args.len()));
        }
        let count_sql = format!("SELECT COUNT(*) FROM enterprises {cond}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(count_sql));
        for a in &args {
            q = q.bind(a.clone());
        }
        let total: i64 = q.fetch_one(&self.pool).await?.get(0);
        let sql = format!(
            "SELECT uscc, name, zone, industry, land_mu_milli, above_scale, established, tags FROM enterprises {cond} \
             ORDER BY zone, industry, uscc LIMIT {} OFFSET {}",
            f.limit.clamp(1, 10_000),
            f.offset.max(0)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for a in &args {
            q = q.bind(a.clone());
        }
        let rows = q.fetch_all(&self.pool).await?;
        Ok((rows.iter().map(enterprise_row).collect(), total))
    }

    pub async fn enterprise(&self, uscc: &str) -> Result<Option<EnterpriseRow>> {
        let row = sqlx::query(
            "SELECT uscc, name, zone, industry, land_mu_milli, above_scale, established, tags FROM enterprises WHERE uscc = $1",
        )
        .bind(uscc)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(enterprise_row))
    }
}

fn enterprise_row(r: &sqlx::any::AnyRow) -> EnterpriseRow {
    let tags: String = r.get(7);
    EnterpriseRow {
        uscc: r.get(0),
        name: r.get(1),
        zone: r.get(2),
        industry: r.get(3),
        land_mu: r.get::<Option<i64>, _>(4).map(|v| v as f64 / 1000.0),
        above_scale: r.get::<i64, _>(5) != 0,
        established: r.get(6),
        tags: tags.split(TAG_SEPARATOR).filter(|t| !t.is_empty()).map(String::from).collect(),
    }
}

/// Adds (sign 1) or removes (sign −1) the facts of some enterprises to or from the aggregates of
/// the cells they are in now.
async fn move_cells(
    tx: &mut Transaction<'static, Any>,
    engine: crate::Engine,
    ids: &[i64],
    indicators: &[String],
    sign: i64,
) -> Result<()> {
    for chunk in ids.chunks(500) {
        for ind in indicators {
            let col = fact_column(ind);
            let sql = format!(
                "INSERT INTO cell_months (indicator, industry, zone, month, total, reporters) \
                 SELECT $1, e.industry, e.zone, f.month, SUM(f.{col}) * $2, COUNT(f.{col}) * $2 \
                 FROM facts f JOIN enterprises e ON e.id = f.enterprise_id \
                 WHERE f.{col} IS NOT NULL AND f.enterprise_id IN ({}) GROUP BY e.industry, e.zone, f.month \
                 ON CONFLICT (indicator, month, industry, zone) DO UPDATE SET \
                 total = cell_months.total + excluded.total, reporters = cell_months.reporters + excluded.reporters",
                placeholders(chunk.len(), 3)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ind.clone()).bind(sign);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(&mut **tx).await.map_err(crate::StoreError::from_write)?;
        }
    }
    if !ids.is_empty() {
        sqlx::query("DELETE FROM cell_months WHERE reporters = 0").execute(&mut **tx).await?;
        crate::check_totals(tx, engine).await?;
    }
    Ok(())
}
