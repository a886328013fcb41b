//! Each enterprise's sums over a span of months: what the per-mu evaluation and the cultivation
//! lists read. A calendar year's sums are kept once read (`fact_years`) and dropped by the import
//! that changes that year's facts, so evaluating a year again reads one row an enterprise.

use domain::{IndicatorCode, IndustryCode, Month, ZoneCode};
use sqlx::{Executor, Row};

use crate::enterprises::{StoredEnterprise, placeholders};
use crate::{Engine, Result, Store, StoreError, fact_column};

/// One enterprise's registry entry and its facts over a span of months: per indicator the sum
/// and how many months had a value, in the indicator's smallest kept unit.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseTotals {
    pub enterprise: crate::EnterpriseRow,
    pub totals: Vec<(i64, i64)>,
}

/// Which enterprises and months `annual_totals` reads: enterprises of some industries holding at
/// least some land, and the months counted — every month of the span, or per group of zones the
/// months that count for them (the official ones).
#[derive(Debug, Clone, Default)]
pub struct TotalsFilter {
    pub industries: Vec<IndustryCode>,
    pub min_land_mu: f64,
    /// None: every month of the span, for every zone.
    pub months_by_zones: Option<Vec<(Vec<ZoneCode>, Vec<Month>)>>,
}

/// Parts the enterprises are read in at once (by id range), each on its own connection.
const PARTS: i64 = 2;

/// Serialises keeping a year's sums with the imports that drop them, on PostgreSQL (SQLite's
/// write lock already does): a year is never kept from facts an import is replacing.
pub(crate) const YEARS_LOCK: &str = "SELECT pg_advisory_xact_lock(7243005)";

/// "sum:count,sum:count,…" as the sums are packed, one pair per column.
fn unpack(packed: &str, n: usize) -> Result<Vec<(i64, i64)>> {
    let bad = || StoreError::Corrupt(format!("annual totals '{}'", domain::shorten(packed)));
    let out: Vec<(i64, i64)> = packed
        .split(',')
        .map(|pair| {
            let (sum, count) = pair.split_once(':').ok_or_else(bad)?;
            let sum = if sum.is_empty() { 0 } else { sum.parse().map_err(|_| bad())? };
            Ok((sum, count.parse().map_err(|_| bad())?))
        })
        .collect::<Result<_>>()?;
    if out.len() == n { Ok(out) } else { Err(bad()) }
}

/// The SQL packing the sums and counts of `columns` of the facts `f` grouped by enterprise.
fn packed_sums<S: AsRef<str>>(columns: &[S]) -> String {
    columns
        .iter()
        .map(|c| {
            let c = c.as_ref();
            format!("COALESCE(CAST(SUM(f.{c}) AS TEXT), '') || ':' || CAST(COUNT(f.{c}) AS TEXT)")
        })
        .collect::<Vec<_>>()
        .join(" || ',' || ")
}

/// Drops the kept sums of the years `first..=last` inside a transaction that changes their facts.
macro_rules! forget_years {
    ($tx:expr, $engine:expr, $first:expr, $last:expr) => {{
        if $engine == crate::Engine::Postgres {
            sqlx::query(crate::annual::YEARS_LOCK).execute(&mut *$tx).await?;
        }
        for table in ["fact_years", "fact_years_kept"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE year BETWEEN $1 AND $2")))
                .bind(i64::from($first))
                .bind(i64::from($last))
                .execute(&mut *$tx)
                .await?;
        }
    }};
}
pub(crate) use forget_years;

/// A year's kept sums as a reader finds them: how many columns each row packs, and the position
/// among them of each indicator asked for.
struct KeptYear {
    columns: usize,
    positions: Vec<usize>,
}

/// Where one part reads its sums: the facts of the span (only some months of it, or all), or a
/// year's kept sums.
enum Source<'a> {
    Facts { from: i64, to: i64, months: &'a [i64] },
    Kept { year: i64, kept: &'a KeptYear },
}

impl Store {
    /// Each enterprise's sums over `from..=to` with its registry entry, for those of `filter`
    /// with facts. Driven by the enterprises (one index seek each into the facts of the span, or
    /// into the year's kept sums), so the time does not grow with the years of history; read in
    /// parts at once, each part's rows as one JSON array, since a driver's cost per row and value
    /// outweighs the reading itself.
    pub async fn annual_totals(
        &self,
        indicators: &[IndicatorCode],
        from: Month,
        to: Month,
        filter: &TotalsFilter,
    ) -> Result<Vec<EnterpriseTotals>> {
        if filter.industries.is_empty() {
            return Ok(Vec::new());
        }
        // A group counting every month of the span needs no month list.
        let span: Vec<Month> = std::iter::successors(Some(from), |m| (*m < to).then(|| m.next())).collect();
        let groups: Vec<(Vec<String>, Vec<i64>)> = match &filter.months_by_zones {
            None => vec![(Vec::new(), Vec::new())],
            Some(groups) => groups
                .iter()
                .filter(|(zones, months)| !zones.is_empty() && !months.is_empty())
                .map(|(zones, months)| {
                    let months =
                        if *months == span { Vec::new() } else { months.iter().map(|m| i64::from(m.yyyymm())).collect() };
                    (zones.iter().map(ZoneCode::to_string).collect(), months)
                })
                .collect(),
        };
        // A group counting a whole calendar year reads the year's kept sums.
        let whole_year = from.month() == 1 && Month::new(from.year(), 12) == Some(to);
        let kept = match whole_year && groups.iter().any(|(_, months)| months.is_empty()) {
            true => Some(self.kept_year(from.year(), indicators).await?),
            false => None,
        };
        let (low, high): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(id), MAX(id) FROM enterprises").fetch_one(&self.pool).await?;
        let (Some(low), Some(high)) = (low, high) else { return Ok(Vec::new()) };
        let step = (high - low) / PARTS + 1;
        let columns: Vec<String> = indicators.iter().map(fact_column).collect();
        let mut parts = tokio::task::JoinSet::new();
        for (zones, months) in groups {
            for k in 0..PARTS {
                let ids = (low + k * step, (low + (k + 1) * step - 1).min(high));
                let source = match (&kept, months.is_empty()) {
                    (Some(kept), true) => Source::Kept { year: i64::from(from.year()), kept },
                    _ => Source::Facts { from: i64::from(from.yyyymm()), to: i64::from(to.yyyymm()), months: &months },
                };
                let part = self.totals_part(&source, &columns, ids, filter, &zones);
                parts.spawn(part);
            }
        }
        let mut out = Vec::new();
        while let Some(part) = parts.join_next().await {
            out.extend(part.map_err(|e| StoreError::Config(format!("a reading task failed: {e}")))??);
        }
        // The same order whatever part finished first.
        out.sort_unstable_by(|a, b| a.enterprise.uscc.cmp(&b.enterprise.uscc));
        Ok(out)
    }

    /// The query of one part (enterprises with ids in `ids`), ready to run on its own.
    fn totals_part(
        &self,
        source: &Source<'_>,
        columns: &[String],
        ids: (i64, i64),
        filter: &TotalsFilter,
        zones: &[String],
    ) -> impl std::future::Future<Output = Result<Vec<EnterpriseTotals>>> + Send + 'static {
        // The source's own parameters first, then the ids, the land, the industries and zones.
        let (join, head, sums, group) = match source {
            Source::Facts { from, to, months } => {
                let month_cond = if months.is_empty() {
                    String::new()
                } else {
                    format!(" AND f.month IN ({})", placeholders(months.len(), 3))
                };
                let head: Vec<i64> = [*from, *to].into_iter().chain(months.iter().copied()).collect();
                (
                    format!("JOIN facts f ON f.enterprise_id = e.id AND f.month BETWEEN $1 AND $2{month_cond}"),
                    head,
                    packed_sums(columns),
                    " GROUP BY e.id",
                )
            }
            Source::Kept { year, .. } => (
                "JOIN fact_years y ON y.year = $1 AND y.enterprise_id = e.id".to_string(),
                vec![*year],
                "y.totals".to_string(),
                "",
            ),
        };
        let next = head.len() + 1;
        let industries = placeholders(filter.industries.len(), next + 3);
        // `|| ''` keeps the planner on the id range (in id order, so no sort for the grouping)
        // rather than the industry × zone index.
        let zone_cond = match zones.is_empty() {
            true => String::new(),
            false => format!(" AND (e.zone || '') IN ({})", placeholders(zones.len(), next + 3 + filter.industries.len())),
        };
        let inner = format!(
            "SELECT e.uscc, e.name, e.zone, e.industry, e.land_mu_milli, e.above_scale, e.established, e.tags, e.park, {sums} AS t \
             FROM enterprises e {join} WHERE e.id BETWEEN ${} AND ${} AND COALESCE(e.land_mu_milli, 0) >= ${} \
             AND (e.industry || '') IN ({industries}){zone_cond}{group}",
            next,
            next + 1,
            next + 2
        );
        let (array, of) = match self.engine {
            Engine::Sqlite => ("json_group_array", "json_array"),
            Engine::Postgres => ("json_agg", "json_build_array"),
        };
        let sql = format!(
            "SELECT CAST(COALESCE({array}({of}({of}(uscc, name, zone, industry, land_mu_milli, above_scale, established, tags, park), t)), \
             '[]') AS TEXT) FROM ({inner}) x"
        );
        let texts: Vec<String> = filter.industries.iter().map(IndustryCode::to_string).chain(zones.iter().cloned()).collect();
        let land = (filter.min_land_mu * 1000.0).ceil() as i64;
        // The packed sums hold every kept column; keep those asked, in the order asked.
        let pick: Option<(usize, Vec<usize>)> = match source {
            Source::Kept { kept, .. } => Some((kept.columns, kept.positions.clone())),
            Source::Facts { .. } => None,
        };
        let (pool, n) = (self.pool.clone(), columns.len());
        async move {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for v in head.into_iter().chain([ids.0, ids.1, land]) {
                q = q.bind(v);
            }
            for t in texts {
                q = q.bind(t);
            }
            let json: String = q.fetch_one(&pool).await?.get(0);
            let rows: Vec<(StoredEnterprise, String)> =
                serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("annual totals: {e}")))?;
            rows.into_iter()
                .map(|(stored, packed)| {
                    let totals = match &pick {
                        None => unpack(&packed, n)?,
                        Some((columns, positions)) => {
                            let all = unpack(&packed, *columns)?;
                            positions.iter().map(|p| all[*p]).collect()
                        }
                    };
                    Ok(EnterpriseTotals { enterprise: stored.into(), totals })
                })
                .collect::<Result<Vec<_>>>()
        }
    }

    /// Keeps the year's sums of every facts column if they are not kept (or were kept before the
    /// plan added a column), and gives the position of each of `indicators` among those columns.
    async fn kept_year(&self, year: i32, indicators: &[IndicatorCode]) -> Result<KeptYear> {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT code FROM indicator_columns ORDER BY code").fetch_all(&self.pool).await?;
        let positions =
            indicators.iter().map(|i| columns.iter().position(|c| c == i.as_str())).collect::<Option<Vec<usize>>>().ok_or_else(
                || StoreError::Corrupt(format!("an indicator of the evaluation has no facts column ({})", columns.join(","))),
            )?;
        let wanted = columns.join(",");
        let kept = |c: Option<String>| c.as_deref() == Some(wanted.as_str());
        let header =
            || sqlx::query_scalar::<_, String>("SELECT columns FROM fact_years_kept WHERE year = $1").bind(i64::from(year));
        let found = KeptYear { columns: columns.len(), positions };
        if kept(header().fetch_optional(&self.pool).await?) {
            return Ok(found);
        }
        let mut tx = self.begin_write().await?;
        if self.engine == Engine::Postgres {
            tx.execute(YEARS_LOCK).await?;
        }
        // Another process may have kept it while this one waited for the lock.
        if !kept(header().fetch_optional(&mut *tx).await?) {
            let (first, last) = (i64::from(year) * 100 + 1, i64::from(year) * 100 + 12);
            // (Taking the lock again: PostgreSQL's advisory locks nest within a transaction.)
            forget_years!(tx, self.engine, year, year);
            let cols = columns
                .iter()
                .map(|c| IndicatorCode::parse(c).map(|c| fact_column(&c)).map_err(StoreError::Corrupt))
                .collect::<Result<Vec<_>>>()?;
            let sql = format!(
                "INSERT INTO fact_years (year, enterprise_id, totals) SELECT $1, e.id, {} \
                 FROM enterprises e JOIN facts f ON f.enterprise_id = e.id AND f.month BETWEEN $2 AND $3 GROUP BY e.id",
                packed_sums(&cols)
            );
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year)).bind(first).bind(last).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO fact_years_kept (year, columns, kept_at) VALUES ($1, $2, $3)")
                .bind(i64::from(year))
                .bind(&wanted)
                .bind(crate::now())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(found)
    }
}
