//! The enterprise registry: keyed by USCC, each enterprise in one zone and one plan industry.

use std::collections::HashMap;

use sqlx::{Any, Row, Transaction};

use domain::{Enterprise, IndicatorCode, IndustryCode, ZoneCode};
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
    /// By the code's 18 bytes: a registry of a million costs tens of megabytes, not hundreds.
    by_uscc: FxHashMap<[u8; 18], EnterpriseKey>,
    pub cells: Vec<(String, String)>,
}

impl EnterpriseKeys {
    /// The key of a registered enterprise.
    pub fn get(&self, uscc: &str) -> Option<EnterpriseKey> {
        let code: &[u8; 18] = uscc.as_bytes().try_into().ok()?;
        self.by_uscc.get(code).copied()
    }

    fn insert(&mut self, uscc: &str, key: EnterpriseKey) {
        // Every stored code passed the import's check: 18 ASCII characters.
        if let Ok(code) = <[u8; 18]>::try_from(uscc.as_bytes()) {
            self.by_uscc.insert(code, key);
        }
    }
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
    pub park: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Part of the name or of the USCC.
    pub search: Option<String>,
    /// Zones to include (a zone and its sub-zones); empty for all.
    pub zones: Vec<ZoneCode>,
    pub industry: Option<IndustryCode>,
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
        // Page by page along the key: the rows as read cost several times the keys they become,
        // and a large registry read whole would cost more than the import that needs it.
        const PAGE: i64 = 20_000;
        let mut keys = EnterpriseKeys::default();
        let mut interned: HashMap<(String, String), u32> = HashMap::new();
        let mut after = i64::MIN;
        loop {
            let rows = sqlx::query("SELECT uscc, id, industry, zone FROM enterprises WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(PAGE)
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                let cell_key = (r.get::<String, _>(2), r.get::<String, _>(3));
                let next = interned.len() as u32;
                let cell = *interned.entry(cell_key.clone()).or_insert_with(|| {
                    keys.cells.push(cell_key);
                    next
                });
                keys.insert(r.get::<&str, _>(0), EnterpriseKey { id: r.get(1), cell });
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == PAGE => after = last.get(1),
                _ => break,
            }
        }
        Ok(keys)
    }

    /// Starts an import of the registry: one transaction, written batch by batch as the file is
    /// read, committed by `EnterprisesImport::finish`; dropping it rolls everything back.
    pub async fn begin_enterprises_import<'k>(
        &self,
        keys: &'k EnterpriseKeys,
        indicators: &'k [IndicatorCode],
    ) -> Result<EnterprisesImport<'k>> {
        let mut tx = self.begin_write().await?;
        let next_id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM enterprises").fetch_one(&mut *tx).await?.get(0);
        Ok(EnterprisesImport { store: self.clone(), tx, keys, indicators, next_id, inserted: 0, updated: 0, moved: 0 })
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
            args.extend(f.zones.iter().map(ZoneCode::to_string));
        }
        if let Some(i) = &f.industry {
            args.push(i.to_string());
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
            "SELECT uscc, name, zone, industry, land_mu_milli, above_scale, established, tags, park FROM enterprises {cond} \
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

    /// The names of the enterprises of these USCCs (those in the registry).
    pub async fn enterprise_names(&self, usccs: &[&str]) -> Result<std::collections::HashMap<String, String>> {
        let mut names = std::collections::HashMap::with_capacity(usccs.len());
        for chunk in usccs.chunks(500) {
            let sql = format!("SELECT uscc, name FROM enterprises WHERE uscc IN ({})", placeholders(chunk.len(), 1));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for u in chunk {
                q = q.bind(*u);
            }
            for r in q.fetch_all(&self.pool).await? {
                names.insert(r.get(0), r.get(1));
            }
        }
        Ok(names)
    }

    pub async fn enterprise(&self, uscc: &str) -> Result<Option<EnterpriseRow>> {
        let row = sqlx::query(
            "SELECT uscc, name, zone, industry, land_mu_milli, above_scale, established, tags, park FROM enterprises WHERE uscc = $1",
        )
        .bind(uscc)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(enterprise_row))
    }
}

fn enterprise_row(r: &sqlx::any::AnyRow) -> EnterpriseRow {
    EnterpriseRow::from(StoredEnterprise(
        r.get(0),
        r.get(1),
        r.get(2),
        r.get(3),
        r.get(4),
        r.get(5),
        r.get(6),
        r.get(7),
        r.get(8),
    ))
}

/// A registry row's columns as stored (uscc, name, zone, industry, land in 1/1000 亩, above
/// scale 0/1, established, tags joined, park), as a query returns them or as JSON.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct StoredEnterprise(
    pub String,
    pub String,
    pub String,
    pub String,
    pub Option<i64>,
    pub i64,
    pub Option<String>,
    pub String,
    pub Option<String>,
);

impl From<StoredEnterprise> for EnterpriseRow {
    fn from(StoredEnterprise(uscc, name, zone, industry, land, above, established, tags, park): StoredEnterprise) -> Self {
        EnterpriseRow {
            uscc,
            name,
            zone,
            industry,
            land_mu: land.map(|v| v as f64 / 1000.0),
            above_scale: above != 0,
            established,
            tags: tags.split(TAG_SEPARATOR).filter(|t| !t.is_empty()).map(String::from).collect(),
            park,
        }
    }
}

/// Adds (sign 1) or removes (sign −1) the facts of some enterprises to or from the aggregates of
/// the cells they are in now.
async fn move_cells(
    tx: &mut Transaction<'static, Any>,
    engine: crate::Engine,
    ids: &[i64],
    indicators: &[IndicatorCode],
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
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ind.to_string()).bind(sign);
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

/// A registry import in progress (see `Store::begin_enterprises_import`).
pub struct EnterprisesImport<'k> {
    store: Store,
    tx: Transaction<'static, Any>,
    keys: &'k EnterpriseKeys,
    indicators: &'k [IndicatorCode],
    next_id: i64,
    inserted: usize,
    updated: usize,
    moved: usize,
}

impl EnterprisesImport<'_> {
    /// Inserts new enterprises and updates known ones. An enterprise that moves to another zone
    /// or industry takes its facts with it in the aggregates.
    pub async fn write(&mut self, records: &[Enterprise]) -> Result<()> {
        let mut moved = Vec::new();
        // Known enterprises keep their id; one upsert writes new and changed rows alike.
        let mut rows = Vec::with_capacity(records.len());
        for rec in records {
            match self.keys.get(&rec.uscc) {
                Some(k) => {
                    let (industry, zone) = &self.keys.cells[k.cell as usize];
                    if *zone != rec.zone || *industry != rec.industry {
                        moved.push(k.id);
                    }
                    rows.push((k.id, rec));
                    self.updated += 1;
                }
                None => {
                    self.next_id += 1;
                    rows.push((self.next_id, rec));
                    self.inserted += 1;
                }
            }
        }
        let engine = self.store.engine;
        move_cells(&mut self.tx, engine, &moved, self.indicators, -1).await?;
        for chunk in rows.chunks(500) {
            let sql = format!(
                "INSERT INTO enterprises (id, uscc, name, zone, industry, land_mu_milli, above_scale, established, tags, park) \
                 VALUES {} ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, zone = excluded.zone, industry = excluded.industry, \
                 land_mu_milli = excluded.land_mu_milli, above_scale = excluded.above_scale, established = excluded.established, \
                 tags = excluded.tags, park = excluded.park",
                value_rows(engine, chunk.len(), 10)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, r) in chunk {
                q = q
                    .bind(*id)
                    .bind(r.uscc.as_str())
                    .bind(&r.name)
                    .bind(r.zone.as_str())
                    .bind(r.industry.as_str())
                    .bind(r.land_mu_milli)
                    .bind(i64::from(r.above_scale))
                    .bind(r.established.clone())
                    .bind(r.tags.join(TAG_SEPARATOR))
                    .bind(r.park.clone());
            }
            q.execute(&mut *self.tx).await?;
        }
        move_cells(&mut self.tx, engine, &moved, self.indicators, 1).await?;
        self.moved += moved.len();
        Ok(())
    }

    /// Records the import and commits it; returns (inserted, updated).
    pub async fn finish(mut self, audit: &crate::AuditRecord) -> Result<(usize, usize)> {
        let mut audit = audit.clone();
        audit.after = format!("{{\"inserted\":{},\"updated\":{},\"moved\":{}}}", self.inserted, self.updated, self.moved);
        let appended = crate::audit::append(&mut self.tx, self.store.engine, &self.store.seal, &audit).await?;
        self.tx.commit().await?;
        self.store.seal.committed(&appended);
        Ok((self.inserted, self.updated))
    }
}
