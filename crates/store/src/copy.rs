//! Copying a whole database into an empty one, on either engine, from one consistent snapshot:
//! what `backup`, `restore` and `db copy` do. The destination is given the source's schema,
//! every table's rows are copied in one transaction and checked (rows and a checksum of every
//! value, read back from the destination), then the destination is brought up to this program's
//! schema, and its audit trail keeps the source's key and gets its checkpoint. A backup of an
//! SQLite database is SQLite's own copy of its pages instead (`VACUUM INTO`), checked whole.

use std::hash::Hasher;
use std::time::Duration;

use futures_util::TryStreamExt;
use rustc_hash::FxHasher;
use sqlx::any::AnyRow;
use sqlx::{Any, Connection, Executor, Row, Transaction};

use crate::seal::SealPlaces;
use crate::{Engine, Result, Store, StoreError, migrate};

/// One table as copied: its rows and the checksum of their values (None where SQLite copied
/// the file's pages itself, which leaves no row to sum: the copy is checked whole instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableCopy {
    pub table: String,
    pub rows: u64,
    /// A sum of every row's hash: the same whatever order the rows are read in.
    pub checksum: Option<u64>,
}

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// The schema the source had (the destination then moved to this program's).
    pub schema_version: i64,
    pub tables: Vec<TableCopy>,
}

/// The kinds of value a column holds: every column of the schema is one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Text,
    Bytes,
}

/// A value read from one engine, to be written to the other.
enum Value {
    Integer(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Value {
    fn read(row: &AnyRow, i: usize, kind: Kind) -> Result<Value> {
        Ok(match kind {
            Kind::Integer => Value::Integer(row.try_get(i)?),
            Kind::Real => Value::Real(row.try_get(i)?),
            Kind::Text => Value::Text(row.try_get(i)?),
            Kind::Bytes => Value::Bytes(row.try_get(i)?),
        })
    }

    /// Feeds the value to a row's hash; null and each kind are told apart.
    fn hash(&self, h: &mut FxHasher) {
        match self {
            Value::Integer(v) => {
                h.write_u8(1 + v.is_some() as u8);
                h.write_i64(v.unwrap_or(0));
            }
            Value::Real(v) => {
                h.write_u8(3 + v.is_some() as u8);
                h.write_u64(v.unwrap_or(0.0).to_bits());
            }
            Value::Text(v) => {
                h.write_u8(5 + v.is_some() as u8);
                h.write(v.as_deref().unwrap_or("").as_bytes());
                h.write_u8(0xff);
            }
            Value::Bytes(v) => {
                h.write_u8(7 + v.is_some() as u8);
                h.write_usize(v.as_ref().map_or(0, Vec::len));
                h.write(v.as_deref().unwrap_or(&[]));
            }
        }
    }
}

/// A row's values by the columns' kinds; a value of another kind names its table, row and column.
fn read_row(row: &AnyRow, table: &str, n: u64, columns: &[(String, Kind)]) -> Result<Vec<Value>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (column, kind))| {
            Value::read(row, i, *kind).map_err(|e| {
                StoreError::Invalid(format!(
                    "表 {table} 第 {} 行的 {column} 无法按 {kind:?} 读取,未复制任何数据 / table {table}, row {}, column {column}: {e}",
                    n + 1,
                    n + 1
                ))
            })
        })
        .collect()
}

fn row_hash(values: &[Value]) -> u64 {
    let mut h = FxHasher::default();
    for v in values {
        v.hash(&mut h);
    }
    h.finish()
}

/// The kind of a declared column type, as the migrations write them on either engine.
fn kind_of(declared: &str) -> Result<Kind> {
    let t = declared.to_ascii_uppercase();
    Ok(if t.contains("INT") {
        Kind::Integer
    } else if t.contains("DOUBLE") || t.contains("REAL") || t.contains("FLOAT") || t.contains("NUMERIC") {
        Kind::Real
    } else if t.contains("TEXT") || t.contains("CHAR") {
        Kind::Text
    } else if t.contains("BLOB") || t.contains("BYTEA") {
        Kind::Bytes
    } else {
        return Err(StoreError::Config(format!("a column of type '{declared}' cannot be copied")));
    })
}

/// Tables of the database (not the migrations' own record), with their columns and kinds.
async fn tables(conn: &mut sqlx::AnyConnection, engine: Engine) -> Result<Vec<(String, Vec<(String, Kind)>)>> {
    let names: Vec<String> = match engine {
        Engine::Sqlite => {
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
                .fetch_all(&mut *conn)
                .await?
        }
        Engine::Postgres => {
            sqlx::query_scalar(
                "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    };
    let mut out = Vec::new();
    for name in names.into_iter().filter(|n| n != "schema_migrations") {
        let columns: Vec<(String, String)> = match engine {
            Engine::Sqlite => {
                sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                    .bind(&name)
                    .fetch_all(&mut *conn)
                    .await?
            }
            Engine::Postgres => {
                sqlx::query_as(
                    "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                )
                .bind(&name)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        let columns = columns.into_iter().map(|(c, t)| Ok((c, kind_of(&t)?))).collect::<Result<Vec<_>>>()?;
        out.push((name, columns));
    }
    Ok(out)
}

/// Pairs (table, the table it refers to) of the foreign keys.
async fn references(conn: &mut sqlx::AnyConnection, engine: Engine) -> Result<Vec<(String, String)>> {
    Ok(match engine {
        Engine::Sqlite => {
            sqlx::query_as(
                "SELECT m.name, p.\"table\" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) p WHERE m.type = 'table'",
            )
            .fetch_all(&mut *conn)
            .await?
        }
        Engine::Postgres => {
            sqlx::query_as(
                "SELECT CAST(t.relname AS TEXT), CAST(r.relname AS TEXT) FROM pg_constraint c \
                 JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid \
                 JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = current_schema()",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    })
}

/// Tables in an order that writes every referred-to row before the rows that refer to it.
fn in_reference_order(mut tables: Vec<String>, references: &[(String, String)]) -> Vec<String> {
    let mut ordered = Vec::with_capacity(tables.len());
    while !tables.is_empty() {
        let ready = tables
            .iter()
            .position(|t| !references.iter().any(|(from, to)| from == t && to != t && tables.contains(to)))
            .unwrap_or(0);
        ordered.push(tables.remove(ready));
    }
    ordered
}

/// The schema versions a database has applied (empty: not a Leapfrog database, or a new one).
async fn applied(conn: &mut sqlx::AnyConnection, engine: Engine) -> Result<Vec<i64>> {
    let exists: Option<String> = match engine {
        Engine::Sqlite => sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
            .fetch_optional(&mut *conn)
            .await?,
        Engine::Postgres => sqlx::query_scalar(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
        )
        .fetch_optional(&mut *conn)
        .await?,
    };
    if exists.is_none() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_scalar("SELECT version FROM schema_migrations ORDER BY version").fetch_all(&mut *conn).await?)
}

/// A read-only transaction that sees one moment of the database throughout (SQLite's read
/// transactions always do).
fn snapshot(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "BEGIN",
        Engine::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    }
}

/// Statement parameters per INSERT: the SQLite driver looks parameters up by name, at a cost
/// that grows with their number.
const PARAMETERS_PER_STATEMENT: usize = 960;

/// Whether a statement binding nullable reals may be kept prepared. sqlx 0.9's Any driver sends
/// a null f64 as a null f32: on PostgreSQL the statement prepared with it takes its parameter
/// as float4, and the same statement kept and given a real f64 later fails ("incorrect binary
/// data format"). Such statements are prepared afresh each time there.
pub(crate) fn reals_persist(engine: Engine) -> bool {
    engine != Engine::Postgres
}

async fn insert(
    tx: &mut Transaction<'static, Any>,
    engine: Engine,
    table: &str,
    columns: &[(String, Kind)],
    rows: &mut Vec<Vec<Value>>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        names.join(", "),
        crate::enterprises::value_rows(engine, rows.len(), columns.len())
    );
    let reals = columns.iter().any(|(_, k)| *k == Kind::Real);
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(!reals || reals_persist(engine));
    for row in rows.drain(..) {
        for v in row {
            q = match v {
                Value::Integer(v) => q.bind(v),
                Value::Real(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::Bytes(v) => q.bind(v),
            };
        }
    }
    q.execute(&mut **tx).await.map_err(StoreError::from_write)?;
    Ok(())
}

/// Rows and checksum of one table as `conn` sees it.
async fn summary(conn: &mut sqlx::AnyConnection, table: &str, columns: &[(String, Kind)]) -> Result<TableCopy> {
    let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
    let sql = format!("SELECT {} FROM {table}", names.join(", "));
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *conn);
    let (mut n, mut checksum) = (0u64, 0u64);
    while let Some(row) = rows.try_next().await? {
        let values = read_row(&row, table, n, columns)?;
        checksum = checksum.wrapping_add(row_hash(&values));
        n += 1;
    }
    Ok(TableCopy { table: table.to_string(), rows: n, checksum: Some(checksum) })
}

/// One side of a copy: the database, and where its audit key and checkpoint are kept.
pub struct Side<'a> {
    pub url: &'a str,
    pub seal: Option<SealPlaces>,
}

impl<'a> Side<'a> {
    /// A database with its key where it is kept when it serves.
    pub fn at(url: &'a str) -> Side<'a> {
        Side { url, seal: SealPlaces::for_url(url) }
    }
}

/// Copies the database at `from` into the empty one at `to` (an SQLite file is created), and
/// reports each table as it finishes. All or nothing: on any failure the destination keeps no
/// row. The source may be in use: it is read from one snapshot.
pub async fn copy_database(from: Side<'_>, to: Side<'_>, progress: &(dyn Fn(&TableCopy) + Sync)) -> Result<CopyReport> {
    copy(from, to, progress, false).await
}

/// A backup of the database at `from` into the new SQLite file at `to`: as `copy_database`,
/// but from an SQLite database SQLite copies the pages itself (`VACUUM INTO`). Only for a
/// backup: the database it reads is the one serving, whose rows were checked as they were
/// written; a restore or a move reads a file that may have been altered, and checks each value.
pub async fn backup_database(from: Side<'_>, to: Side<'_>, progress: &(dyn Fn(&TableCopy) + Sync)) -> Result<CopyReport> {
    copy(from, to, progress, true).await
}

async fn copy(from: Side<'_>, to: Side<'_>, progress: &(dyn Fn(&TableCopy) + Sync), pages: bool) -> Result<CopyReport> {
    let (from_seal, to_seal) = (from.seal, to.seal);
    let (from, to) = (from.url, to.url);
    if from == to {
        return Err(StoreError::Invalid("源与目标是同一个数据库 / the source and the destination are the same database".into()));
    }
    let source = Store::connect(from, Duration::from_secs(30)).await?;
    // A backup of SQLite into a file not there yet: SQLite's own copy (below), not row by row.
    let new_file =
        crate::seal::sqlite_file(to).filter(|f| pages && source.engine == Engine::Sqlite && std::fs::metadata(f).is_err());
    let mut read = source.pool.acquire().await?;
    let versions = applied(&mut read, source.engine).await?;
    let Some(&version) = versions.last() else {
        return Err(StoreError::Invalid(format!(
            "{} 不是本平台(产业跨越发展调度平台)的数据库 / not a Leapfrog database",
            redact(from)
        )));
    };
    if version > migrate::latest() {
        return Err(StoreError::Invalid(format!(
            "{} 由更新版本的程序建立(数据库结构 {version},本程序 {}) / made by a newer Leapfrog",
            redact(from),
            migrate::latest()
        )));
    }
    let carry = key_to_carry(from_seal.as_ref(), to_seal.as_ref())?;
    if let Some(file) = new_file {
        let report = vacuum_into(&mut read, source.engine, &file, to, progress).await;
        if report.is_err() {
            // Nothing is left of a backup that failed: the file and what SQLite kept beside it.
            for suffix in ["", "-wal", "-shm"] {
                let mut part = file.clone().into_os_string();
                part.push(suffix);
                let _ = std::fs::remove_file(part);
            }
        }
        drop(read);
        source.pool.close().await;
        return finish(report?.with_version(version), carry, to, to_seal).await;
    }
    let destination = Store::connect(to, Duration::from_secs(30)).await?;
    ensure_empty(&destination, version, to).await?;

    migrate::run(&destination, Some(version)).await?;
    // One snapshot of the source for every table.
    let mut snapshot = read.begin_with(snapshot(source.engine)).await?;
    let source_tables = tables(&mut snapshot, source.engine).await?;
    let mut write = destination.begin_write().await?;
    // The facts table has a column per indicator the plans added: the same ones here.
    let indicators: Vec<String> = sqlx::query_scalar("SELECT code FROM indicator_columns").fetch_all(&mut *snapshot).await?;
    for code in &indicators {
        let code = domain::IndicatorCode::parse(code).map_err(StoreError::Corrupt)?;
        write.execute(sqlx::AssertSqlSafe(format!("ALTER TABLE facts ADD COLUMN {} BIGINT", crate::fact_column(&code)))).await?;
    }
    let destination_tables = tables(&mut write, destination.engine).await?;
    for (name, columns) in &source_tables {
        let Some((_, theirs)) = destination_tables.iter().find(|(n, _)| n == name) else {
            return Err(StoreError::Invalid(format!(
                "表 {name} 不属于数据库结构 {version} / table {name} is not of schema {version}"
            )));
        };
        let mut ours: Vec<&String> = columns.iter().map(|(c, _)| c).collect();
        let mut wanted: Vec<&String> = theirs.iter().map(|(c, _)| c).collect();
        ours.sort();
        wanted.sort();
        if ours != wanted {
            return Err(StoreError::Invalid(format!(
                "表 {name} 的列与数据库结构 {version} 不符 / table {name} differs from schema {version}"
            )));
        }
    }
    let references = references(&mut write, destination.engine).await?;
    let order = in_reference_order(source_tables.iter().map(|(n, _)| n.clone()).collect(), &references);
    let mut report = CopyReport { schema_version: version, tables: Vec::new() };
    for name in &order {
        // The destination's kinds: the same schema, the destination's own words for it.
        let columns = &destination_tables.iter().find(|(n, _)| n == name).expect("checked above").1;
        let per_statement = (PARAMETERS_PER_STATEMENT / columns.len().max(1)).max(1);
        let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
        let sql = format!("SELECT {} FROM {name}", names.join(", "));
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *snapshot);
        let (mut batch, mut n, mut checksum) = (Vec::with_capacity(per_statement), 0u64, 0u64);
        while let Some(row) = rows.try_next().await? {
            let values = read_row(&row, name, n, columns)?;
            checksum = checksum.wrapping_add(row_hash(&values));
            n += 1;
            batch.push(values);
            if batch.len() == per_statement {
                insert(&mut write, destination.engine, name, columns, &mut batch).await?;
            }
        }
        drop(rows);
        insert(&mut write, destination.engine, name, columns, &mut batch).await?;
        // Read back inside the writing transaction: what will be committed is what was read.
        let written = summary(&mut write, name, columns).await?;
        let copied = TableCopy { table: name.clone(), rows: n, checksum: Some(checksum) };
        if written != copied {
            return Err(StoreError::Corrupt(format!(
                "表 {name} 复制后不一致({} 行读出,{} 行写入)/ table {name} did not copy exactly",
                copied.rows, written.rows
            )));
        }
        progress(&copied);
        report.tables.push(copied);
    }
    snapshot.commit().await?;
    write.commit().await?;
    // Closing a pool waits for its connections to come back.
    drop(read);
    destination.pool.close().await;
    source.pool.close().await;
    finish(report, carry, to, to_seal).await
}

/// The source's key beside the copy, then this program's schema and a checkpoint of the
/// copied trail.
async fn finish(
    report: CopyReport,
    carry: Option<(Vec<u8>, std::path::PathBuf)>,
    to: &str,
    to_seal: Option<SealPlaces>,
) -> Result<CopyReport> {
    if let Some((key, path)) = carry {
        crate::seal::write_key(&path, &key)
            .map_err(|e| StoreError::Config(format!("审计密钥 {} 无法写入 / cannot write the audit key: {e}", path.display())))?;
    }
    let opened = Store::open(to, Duration::from_secs(30), to_seal).await?;
    opened.close().await;
    Ok(report)
}

impl CopyReport {
    fn with_version(mut self, version: i64) -> CopyReport {
        self.schema_version = version;
        self
    }
}

/// Copies an SQLite database into the new file `file` with `VACUUM INTO`: one read snapshot,
/// which writers serving meanwhile do not wait for, written page by page by SQLite itself
/// (some twenty times the speed of rows through the driver, the rows' sums included); then the
/// copy must pass SQLite's own check of its structure, and its tables are counted.
async fn vacuum_into(
    read: &mut sqlx::pool::PoolConnection<Any>,
    engine: Engine,
    file: &std::path::Path,
    to: &str,
    progress: &(dyn Fn(&TableCopy) + Sync),
) -> Result<CopyReport> {
    let path =
        file.to_str().ok_or_else(|| StoreError::Invalid(format!("{} 不是 UTF-8 路径 / not a UTF-8 path", file.display())))?;
    read.execute(sqlx::AssertSqlSafe(format!("VACUUM INTO '{}'", path.replace('\'', "''")))).await?;
    let written = Store::connect(to, Duration::from_secs(30)).await?;
    let mut conn = written.pool.acquire().await?;
    let check: Vec<String> = sqlx::query_scalar("PRAGMA quick_check").fetch_all(&mut *conn).await?;
    if check != ["ok"] {
        return Err(StoreError::Corrupt(format!("{} 未通过完整性检查 / failed its check: {}", file.display(), check.join("; "))));
    }
    let mut report = CopyReport { schema_version: 0, tables: Vec::new() };
    for (name, _) in tables(&mut conn, engine).await? {
        let rows: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {name}"))).fetch_one(&mut *conn).await?;
        let copied = TableCopy { table: name, rows: rows as u64, checksum: None };
        progress(&copied);
        report.tables.push(copied);
    }
    drop(conn);
    written.pool.close().await;
    Ok(report)
}

/// Refuses a destination that holds anything: it may have no schema yet, or one no newer than
/// the source's without a row in any table (what a copy that failed leaves behind).
async fn ensure_empty(destination: &Store, version: i64, to: &str) -> Result<()> {
    let mut conn = destination.pool.acquire().await?;
    let theirs = applied(&mut conn, destination.engine).await?;
    let mut holds_rows = theirs.last().is_some_and(|v| *v > version);
    if !theirs.is_empty() && !holds_rows {
        for (table, _) in tables(&mut conn, destination.engine).await? {
            let sql = format!("SELECT 1 FROM {table} LIMIT 1");
            holds_rows |= sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(&mut *conn).await?.is_some();
        }
    }
    if holds_rows {
        return Err(StoreError::Invalid(format!(
            "目标数据库 {} 不是空的,请换一个新的数据库 / the destination already holds a Leapfrog database: copy into a new one",
            redact(to)
        )));
    }
    Ok(())
}

/// The source's audit key and where the destination will look for it, when it must be written
/// there (the destination has none yet): the copied trail verifies only with the key it was
/// sealed with. A different key already at the destination is refused.
fn key_to_carry(from: Option<&SealPlaces>, to: Option<&SealPlaces>) -> Result<Option<(Vec<u8>, std::path::PathBuf)>> {
    let read = |p: &SealPlaces| {
        crate::seal::key_at(&p.key_file).map_err(|e| {
            StoreError::Config(format!("审计密钥 {} 无法读取 / cannot read the audit key: {e}", p.key_file.display()))
        })
    };
    let (Some(from), Some(to)) = (from, to) else { return Ok(None) };
    let Some(key) = read(from)? else { return Ok(None) };
    match read(to)? {
        None => Ok(Some((key, to.key_file.clone()))),
        Some(theirs) if theirs == key => Ok(None),
        Some(_) => Err(StoreError::Invalid(format!(
            "目标已有另一把审计密钥 {},复制过去的审计记录将无法核验 / the destination has another audit key",
            to.key_file.display()
        ))),
    }
}

/// Every table's rows and checksum, from one snapshot: two databases holding the same rows give
/// the same list, whatever their engines.
pub async fn table_checksums(url: &str) -> Result<Vec<TableCopy>> {
    let store = Store::connect(url, Duration::from_secs(30)).await?;
    let mut conn = store.pool.acquire().await?;
    let mut snapshot = conn.begin_with(snapshot(store.engine)).await?;
    let mut out = Vec::new();
    for (name, columns) in tables(&mut snapshot, store.engine).await? {
        out.push(summary(&mut snapshot, &name, &columns).await?);
    }
    snapshot.commit().await?;
    drop(conn);
    store.pool.close().await;
    Ok(out)
}

/// A database address without its password, for messages.
pub fn redact(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| rest.split_once('@').map(|(who, host)| (scheme, who, host))) {
        Some((scheme, who, host)) => format!("{scheme}://{}@{host}", who.split(':').next().unwrap_or("")),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referred_to_tables_come_first() {
        let tables = vec!["api_tokens".to_string(), "facts".into(), "sessions".into(), "users".into()];
        let refs = vec![("api_tokens".to_string(), "users".to_string()), ("sessions".into(), "users".into())];
        let order = in_reference_order(tables, &refs);
        let at = |t: &str| order.iter().position(|x| x == t).unwrap();
        assert!(at("users") < at("api_tokens") && at("users") < at("sessions"), "{order:?}");
        assert_eq!(order.len(), 4);
    }

    #[test]
    fn the_checksum_tells_null_from_empty_and_kinds_apart() {
        let h = |v: Vec<Value>| row_hash(&v);
        assert_ne!(h(vec![Value::Text(None)]), h(vec![Value::Text(Some(String::new()))]));
        assert_ne!(h(vec![Value::Integer(Some(0))]), h(vec![Value::Integer(None)]));
        assert_ne!(
            h(vec![Value::Text(Some("ab".into())), Value::Text(Some("c".into()))]),
            h(vec![Value::Text(Some("a".into())), Value::Text(Some("bc".into()))])
        );
        assert_eq!(redact("postgres://lf:secret@db/x"), "postgres://lf@db/x");
    }
}
