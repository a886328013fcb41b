//! Imports of the enterprise registry and of monthly facts: validated whole, written in one
//! transaction, nothing changed when any row is wrong.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashSet;
use std::path::Path;

use domain::enterprise::{CumulativeError, monthly_from_cumulative};
use files::{EnterpriseColumns, FactColumns, FactLine, RowError, RowErrors, Table};
use store::{EnterpriseKey, EnterpriseKeys, FactRow};

use domain::authz::{Action, Actor, Target};

use domain::{IndicatorCode, Month};

use crate::{App, Caller, Result, ServiceError, States};

/// A file that touches enterprises outside the caller's reach is refused as a whole.
pub(crate) fn forbidden_rows(denied: &RowErrors) -> ServiceError {
    ServiceError::Forbidden(format!(
        "文件中有 {} 行无权处理的企业,未导入任何数据 / {} rows outside your scope, nothing imported:\n{denied}",
        denied.len(),
        denied.len()
    ))
}

/// Rows outside the caller's scope are listed up to this many; the rest are counted.
pub(crate) const DENIED_SHOWN: usize = 10;

/// The file's name as recorded in the audit trail.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads every row of a table with `parse`, keeping what reads with its row and every error.
pub(crate) fn parse_rows<T>(
    table: &mut Table,
    errors: &mut RowErrors,
    mut parse: impl FnMut(usize, &[files::Cell]) -> std::result::Result<T, Vec<RowError>>,
) -> Vec<(usize, T)> {
    let mut out = Vec::new();
    while let Some(next) = table.next_row() {
        match next {
            Err(e) => errors.push(e),
            Ok((row, cells)) => match parse(row, &cells) {
                Ok(v) => out.push((row, v)),
                Err(e) => errors.extend(e),
            },
        }
    }
    out
}

/// An error of one cell, its value cut to a readable length.
pub(crate) fn row_error(file: &str, row: usize, column: &str, value: &str, reason: String) -> RowError {
    RowError { file: file.to_string(), row, column: Some(column.to_string()), value: domain::shorten(value), reason }
}

/// Called as reading advances: (done, total) in bytes or rows.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub rows: usize,
    /// Enterprises added and updated (registry imports).
    pub inserted: usize,
    pub updated: usize,
    /// The first and last month of a facts file.
    pub months: Option<(String, String)>,
    /// Headers that were not understood and so not read.
    pub ignored_columns: Vec<String>,
    /// The spreadsheet row the header was found in (1 unless a title stood above it).
    pub header_row: usize,
    /// Rows passed over as notes or totals ("注:…", "合计").
    pub skipped_rows: Vec<usize>,
}

impl ImportSummary {
    /// What a file of `rows` records, imported whole, says: where its header was and what it
    /// passed over; the progress brought to the file's end.
    pub(crate) fn of_file(rows: usize, table: &files::Table, progress: Progress<'_>) -> ImportSummary {
        let (done, total) = table.progress();
        progress(done, total);
        ImportSummary {
            rows,
            inserted: 0,
            updated: 0,
            months: None,
            ignored_columns: Vec::new(),
            header_row: table.header_row,
            skipped_rows: table.skipped.clone(),
        }
    }
}

const BATCH: usize = 5_000;
/// Registry rows written at a time.
const ENTERPRISE_BATCH: usize = 2_000;

impl App {
    pub async fn import_enterprises(&self, caller: &Caller, path: &Path, progress: Progress<'_>) -> Result<ImportSummary> {
        self.require_some(caller, Action::WriteEnterprise)?;
        let keys = self.store.enterprise_keys().await?;
        let mut table = Table::open_with(path, &self.limits)?;
        let cols = EnterpriseColumns::map(&mut table)?;
        let indicators: Vec<IndicatorCode> = self.plan.indicators.iter().map(|i| i.code.clone()).collect();
        // Rows are written batch by batch as they are read, so memory holds a batch, not the
        // file; any error leaves the transaction uncommitted.
        let mut import = self.store.begin_enterprises_import(&keys, &indicators).await?;
        let mut errors = RowErrors::new(self.limits.max_errors);
        let mut batch = Vec::with_capacity(ENTERPRISE_BATCH);
        let mut rows = 0usize;
        let mut seen: HashMap<domain::Uscc, usize> = HashMap::new();
        let mut denied = RowErrors::new(DENIED_SHOWN);
        let file = table.file.clone();
        while let Some(next) = table.next_row() {
            match next {
                Err(e) => errors.push(e),
                Ok((row, cells)) => match cols.parse(&self.plan, &file, row, &cells) {
                    Err(e) => errors.extend(e),
                    Ok(ent) => {
                        // Both the zone it is in now and the zone it moves to must be the caller's.
                        let now_in = keys.get(&ent.uscc).map(|k| keys.cells[k.cell as usize].1.as_str());
                        for zone in [Some(ent.zone.as_str()), now_in].into_iter().flatten() {
                            if let Err(d) = caller.actor.authorize(
                                &self.plan,
                                Action::WriteEnterprise,
                                Target::Enterprise { uscc: &ent.uscc, zone },
                            ) {
                                denied.push(RowError {
                                    file: file.clone(),
                                    row,
                                    column: Some("组团".into()),
                                    value: zone.to_string(),
                                    reason: d.to_string(),
                                });
                                break;
                            }
                        }
                        if let Some(first) = seen.insert(ent.uscc.clone(), row) {
                            errors.push(RowError {
                                file: file.clone(),
                                row,
                                column: Some("统一社会信用代码".into()),
                                value: ent.uscc.to_string(),
                                reason: format!("与第{first}行重复 / duplicates row {first}"),
                            });
                        }
                        rows += 1;
                        if errors.is_empty() && denied.is_empty() {
                            batch.push(ent);
                        }
                    }
                },
            }
            if batch.len() == ENTERPRISE_BATCH {
                import.write(&batch).await?;
                batch.clear();
                let (d, t) = table.progress();
                progress(d, t);
            }
        }
        if !denied.is_empty() {
            return Err(forbidden_rows(&denied));
        }
        if !errors.is_empty() {
            errors.sort();
            return Err(ServiceError::Rows(errors));
        }
        import.write(&batch).await?;
        let (inserted, updated) = import.finish(&caller.audit("import.enterprises", "enterprises", &file_name(path))).await?;
        let (d, t) = table.progress();
        progress(d, t);
        Ok(self.imported(
            "enterprises",
            ImportSummary {
                rows,
                inserted,
                updated,
                months: None,
                ignored_columns: Vec::new(),
                header_row: table.header_row,
                skipped_rows: table.skipped.clone(),
            },
        ))
    }

    /// Imports a monthly facts file. With `cumulative`, values are year-to-date totals and are
    /// turned into the months' own amounts. Re-importing an enterprise-month replaces the values
    /// of the indicators the file has.
    ///
    /// Reading and checking run on their own thread and hand over batches while the database
    /// writes the previous one, so a large file keeps both cores busy.
    pub async fn import_facts(
        &self,
        caller: &Caller,
        path: &Path,
        cumulative: bool,
        progress: Progress<'_>,
    ) -> Result<ImportSummary> {
        self.require_some(caller, Action::WriteFacts)?;
        let keys = Arc::new(self.store.enterprise_keys().await?);
        // Months a zone has submitted or that are locked take no more changes, except from the
        // operator of the command line, who holds the database anyway.
        let closed: Arc<States> = Arc::new(if caller.actor.operator {
            States::new()
        } else {
            let all = self.states(Month::new(1900, 1).expect("valid"), Month::new(9999, 12).expect("valid")).await?;
            all.into_iter().filter(|(_, s)| !s.editable()).collect()
        });
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Parsed>(4);
        let reader = {
            let reading = FactsReading {
                plan: self.plan.clone(),
                actor: caller.actor.clone(),
                keys: keys.clone(),
                closed: closed.clone(),
                limits: self.limits,
                current: self.clock.current_month(),
                cumulative,
            };
            let path = path.to_owned();
            tokio::task::spawn_blocking(move || read_facts(&reading, &path, &tx))
        };
        let Some(Parsed::Header { indicators, ignored_columns, header_row }) = rx.recv().await else {
            // The file could not be read as a facts table at all; the reader says why.
            let outcome = reader.await.map_err(|e| ServiceError::Internal(format!("the file reader stopped: {e}")))?;
            return Err(outcome.err().unwrap_or_else(|| ServiceError::BadRequest("empty facts file".into())));
        };
        let mut import = self.store.begin_facts_import(indicators, keys.cells.clone()).await?;
        while let Some(msg) = rx.recv().await {
            if let Parsed::Batch { lines, done, total } = msg {
                write(&mut import, &lines).await?;
                progress(done, total);
            }
        }
        let outcome = reader.await.map_err(|e| ServiceError::Internal(format!("the file reader stopped: {e}")))??;
        if !outcome.denied.is_empty() {
            return Err(forbidden_rows(&outcome.denied));
        }
        if !outcome.errors.is_empty() {
            // Dropping the import rolls the transaction back.
            drop(import);
            return Err(ServiceError::Rows(outcome.errors));
        }
        for chunk in outcome.held.chunks(BATCH) {
            write(&mut import, chunk).await?;
        }
        let months = outcome.months.map(|(a, b)| (a.to_string(), b.to_string()));
        let audit = caller
            .audit("import.facts", "facts", &file_name(path))
            .after(serde_json::json!({ "rows": outcome.rows, "months": months, "cumulative": outcome.cumulative }).to_string());
        // The closed months were read before the import began; they are read again inside its
        // transaction, so a month closed while it ran refuses it (the operator excepted).
        let plan = self.plan.clone();
        let top_zone = move |zone: &str| plan.top_zone(zone).to_string();
        let guard = store::MonthGuard { top_zone: &top_zone };
        import.finish(&audit, (!caller.actor.operator).then_some(&guard)).await?;
        // A zone's import keeps its new month's review flags for the board. The facts are in
        // whatever follows: a month is reviewed again on its page and at its submission. The
        // command-line operator loading history is not made to wait for it (reading a zone's
        // months costs about a second per 100,000 rows).
        if !caller.actor.operator {
            let reviewing = std::time::Instant::now();
            match self.keep_reviews_after_import(&outcome.touched).await {
                Ok(n) => {
                    tracing::info!(
                        zone_months = n,
                        ms = reviewing.elapsed().as_millis() as u64,
                        "review flags kept after an import"
                    )
                }
                Err(e) => tracing::error!(error = %e, "review flags not kept after an import"),
            }
        }
        progress(outcome.total, outcome.total);
        Ok(self.imported(
            "facts",
            ImportSummary {
                rows: outcome.rows,
                inserted: 0,
                updated: 0,
                months,
                ignored_columns,
                header_row,
                skipped_rows: outcome.skipped,
            },
        ))
    }
}

/// What the reading thread hands to the writer.
enum Parsed {
    Header { indicators: Vec<IndicatorCode>, ignored_columns: Vec<String>, header_row: usize },
    Batch { lines: Vec<(EnterpriseKey, FactLine)>, done: u64, total: u64 },
}

struct ReadOutcome {
    rows: usize,
    /// Rows of enterprises outside the caller's reach.
    denied: RowErrors,
    months: Option<(domain::Month, domain::Month)>,
    total: u64,
    errors: RowErrors,
    /// Rows passed over as notes or totals.
    skipped: Vec<usize>,
    /// The file gave year-to-date totals.
    cumulative: bool,
    /// Lines not yet handed over: all of them for a cumulative file, after differencing.
    held: Vec<(EnterpriseKey, FactLine)>,
    /// The top-level zone-months the file writes.
    touched: std::collections::BTreeSet<(String, Month)>,
}

/// What the reading thread needs besides the file.
struct FactsReading {
    plan: Arc<domain::Plan>,
    actor: Actor,
    keys: Arc<EnterpriseKeys>,
    /// Months that take no more changes.
    closed: Arc<States>,
    limits: files::Limits,
    /// Facts for later months are refused.
    current: Month,
    cumulative: bool,
}

fn read_facts(r: &FactsReading, path: &Path, tx: &tokio::sync::mpsc::Sender<Parsed>) -> Result<ReadOutcome> {
    let FactsReading { plan, actor, keys, closed, limits, current, cumulative } = r;
    let (plan, cumulative) = (&**plan, *cumulative);
    let mut table = Table::open_with(path, limits)?;
    let cols = FactColumns::map(&mut table, plan)?;
    // A table whose columns are all 本年累计 gives year-to-date totals, as --cumulative says.
    let cumulative = cumulative || cols.cumulative;
    let header = Parsed::Header {
        indicators: cols.indicators.iter().map(|(_, i)| i.code.clone()).collect(),
        ignored_columns: cols.ignored(&table).into_iter().map(String::from).collect(),
        header_row: table.header_row,
    };
    if tx.blocking_send(header).is_err() {
        return Err(ServiceError::BadRequest("导入已取消 / import cancelled".into()));
    }
    let mut errors = RowErrors::new(limits.max_errors);
    // Enterprise-months already read; sized from the file so it does not rehash as it grows.
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    seen.reserve((table.progress().1 / 48).min(50_000_000) as usize);
    let mut batch: Vec<(EnterpriseKey, FactLine)> = Vec::with_capacity(BATCH);
    let mut held = Vec::new();
    let mut rows = 0usize;
    let mut months: Option<(domain::Month, domain::Month)> = None;
    let mut denied = RowErrors::new(DENIED_SHOWN);
    // (cell, yyyymm) of the rows read: the zone-months whose review the import changes.
    let mut touched: FxHashSet<(u32, i32)> = FxHashSet::default();
    let file = table.file.clone();
    while let Some(next) = table.next_row() {
        let line = match next.map(|(row, cells)| cols.parse(&file, row, &cells)) {
            Err(e) => {
                errors.push(e);
                continue;
            }
            Ok(Err(e)) => {
                errors.extend(e);
                continue;
            }
            Ok(Ok(line)) => line,
        };
        if let Err(why) = plan.check_data_month(line.month, *current) {
            errors.push(RowError {
                file: file.clone(),
                row: line.row,
                column: Some("月份".into()),
                value: line.month.to_string(),
                reason: why,
            });
            continue;
        }
        rows += 1;
        months = Some(months.map_or((line.month, line.month), |(a, b)| (a.min(line.month), b.max(line.month))));
        let Some(key) = keys.get(&line.uscc) else {
            errors.push(RowError {
                file: file.clone(),
                row: line.row,
                column: Some("统一社会信用代码".into()),
                value: line.uscc.to_string(),
                reason: "企业不在名录中,请先导入企业 / unknown enterprise: import it into the registry first".into(),
            });
            continue;
        };
        let zone = &keys.cells[key.cell as usize].1;
        if let Err(d) = actor.authorize(plan, Action::WriteFacts, Target::Enterprise { uscc: &line.uscc, zone }) {
            denied.push(RowError {
                file: file.clone(),
                row: line.row,
                column: Some("统一社会信用代码".into()),
                value: line.uscc.to_string(),
                reason: d.to_string(),
            });
            continue;
        }
        let state = if closed.is_empty() { None } else { closed.get(&(plan.top_zone(zone).to_string(), line.month.yyyymm())) };
        if let Some(state) = state {
            errors.push(RowError {
                file: file.clone(),
                row: line.row,
                column: Some("月份".into()),
                value: line.month.to_string(),
                reason: format!("该组团此月报送{},不能再修改 / the month is {} and cannot change", state.zh(), state.code()),
            });
            continue;
        }
        touched.insert((key.cell, line.month.yyyymm()));
        if !seen.insert(((key.id as u64) << 32) | line.month.yyyymm() as u64) {
            errors.push(RowError {
                file: file.clone(),
                row: line.row,
                column: Some("月份".into()),
                value: format!("{} {}", line.uscc, line.month),
                reason: "同一企业同一月份在文件中出现多次 / the same enterprise and month appear more than once".into(),
            });
            continue;
        }
        if cumulative {
            held.push((key, line));
        } else if errors.is_empty() && denied.is_empty() {
            batch.push((key, line));
            if batch.len() == BATCH {
                let (done, total) = table.progress();
                let lines = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if tx.blocking_send(Parsed::Batch { lines, done, total }).is_err() {
                    return Err(ServiceError::BadRequest("导入已取消 / import cancelled".into()));
                }
            }
        }
    }
    if cumulative && errors.is_empty() {
        held = decumulate(&table.file, held, &mut errors);
    } else if !cumulative {
        held = batch;
    }
    errors.sort();
    let touched = touched
        .into_iter()
        .filter_map(|(cell, m)| Some((plan.top_zone(&keys.cells[cell as usize].1).to_string(), Month::from_yyyymm(m)?)))
        .collect();
    Ok(ReadOutcome {
        rows,
        months,
        total: table.progress().1,
        errors,
        denied,
        held,
        skipped: table.skipped.clone(),
        cumulative,
        touched,
    })
}

async fn write(import: &mut store::FactsImport, lines: &[(EnterpriseKey, FactLine)]) -> Result<()> {
    let rows: Vec<FactRow> = lines.iter().map(|(k, l)| FactRow { enterprise: *k, month: l.month, values: &l.values }).collect();
    import.write(&rows).await?;
    Ok(())
}

/// Groups year-to-date rows per enterprise and indicator and turns them into monthly amounts.
fn decumulate(
    file: &str,
    mut held: Vec<(store::EnterpriseKey, FactLine)>,
    errors: &mut RowErrors,
) -> Vec<(store::EnterpriseKey, FactLine)> {
    held.sort_by_key(|(k, l)| (k.id, l.month));
    let n_ind = held.first().map(|(_, l)| l.values.len()).unwrap_or(0);
    let mut start = 0;
    while start < held.len() {
        let id = held[start].0.id;
        let end = held[start..].iter().position(|(k, _)| k.id != id).map_or(held.len(), |p| start + p);
        for ind in 0..n_ind {
            let series: Vec<_> = held[start..end].iter().map(|(_, l)| (l.month, l.values[ind])).collect();
            match monthly_from_cumulative(&series) {
                Ok(monthly) => {
                    for (i, v) in monthly.into_iter().enumerate() {
                        held[start + i].1.values[ind] = v;
                    }
                }
                Err((i, why)) => {
                    let line = &held[start + i].1;
                    errors.push(RowError {
                        file: file.to_string(),
                        row: line.row,
                        column: Some("月份".into()),
                        value: format!("{} {}", line.uscc, line.month),
                        reason: match why {
                            CumulativeError::MissingPrevious => {
                                "累计数需要同一文件中该企业上月的累计数 / a year-to-date total needs the previous month's in the same file"
                            }
                            CumulativeError::Decreasing => "累计数小于上月累计数 / the year-to-date total is below the previous month's",
                        }
                        .into(),
                    });
                }
            }
        }
        start = end;
    }
    held
}
