//! A table read from a CSV or XLSX file: a header row and then data rows, both streamed.

use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use calamine::{DataRef, Reader, Xlsx};
use domain::calendar::Date;

use crate::FileError;
use crate::limits::{self, Gb18030, Limits, RowBound};

/// A cell as read: text from CSV, typed values from XLSX. It borrows from the table's current
/// row, so reading a file allocates per row, not per cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    Date(Date),
}

/// A spreadsheet cell kept for the rows not yet read.
#[derive(Debug, Clone, PartialEq)]
enum Owned {
    Empty,
    Text(String),
    Number(f64),
    Date(Date),
}

impl Owned {
    fn of(cell: &Cell) -> Owned {
        match cell {
            Cell::Empty => Owned::Empty,
            Cell::Text(t) => Owned::Text((*t).to_string()),
            Cell::Number(n) => Owned::Number(*n),
            Cell::Date(d) => Owned::Date(*d),
        }
    }

    fn cell(&self) -> Cell<'_> {
        match self {
            Owned::Empty => Cell::Empty,
            Owned::Text(t) => Cell::Text(t),
            Owned::Number(n) => Cell::Number(*n),
            Owned::Date(d) => Cell::Date(*d),
        }
    }
}

impl Cell<'_> {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as a user would read it, for error messages.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

enum Rows {
    Csv { reader: csv::Reader<Box<dyn Read + Send>>, record: csv::StringRecord, since_row: Arc<AtomicU64> },
    Sheet { rx: Receiver<SheetMsg>, current: Vec<Owned>, pending: std::collections::VecDeque<(usize, Vec<Owned>)> },
}

/// What the thread streaming a worksheet hands over.
enum SheetMsg {
    /// The sheet's declared last row, for progress.
    Size(u64),
    /// Rows that are not blank, each with its spreadsheet row number: handed over in batches,
    /// since a hand-over per row costs the two threads more than reading the row.
    Rows(Vec<(usize, Vec<Owned>)>),
    /// Why the rest of the sheet cannot be read.
    Fail(String),
}

/// A readable table with its header. Rows are read one at a time, whatever the file's size.
pub struct Table {
    pub file: String,
    pub headers: Vec<String>,
    /// The spreadsheet row the header was taken from (its first row, for a two-row header).
    pub header_row: usize,
    rows: Rows,
    /// Rows read ahead while looking for the header, served before the stream goes on.
    held: std::collections::VecDeque<Result<(usize, Vec<Owned>), crate::RowError>>,
    /// The held row being served.
    serving: Option<Vec<Owned>>,
    /// Rows passed over as notes or totals, by spreadsheet row number.
    pub skipped: Vec<usize>,
    /// The unit a statistical table states above its header ("单位:万元" gives "万元").
    pub unit: Option<String>,
    /// Spreadsheet row number of the last row returned (header = 1).
    row: usize,
    total: u64,
    bytes_read: u64,
    /// Set once the file cannot be read further; the error has been returned.
    ended: bool,
}

fn detect_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the end of the sample is still UTF-8.
        Err(e) => e.error_len().is_none(),
    }
}

/// The row a CSV record is, as a spreadsheet opening the file numbers it: the CSV reader skips
/// empty lines, which a spreadsheet shows as rows, while a quoted value over several lines stays
/// one row. `after` is the reader's line once the record (and its newline) is read.
fn record_line(previous: usize, record: &csv::StringRecord, after: u64) -> usize {
    let scan_from = record.position().map_or(after.saturating_sub(1), |p| p.line());
    // The usual case: one line, ended by a newline, right after the previous record.
    if after == scan_from + 1 {
        return previous + 1;
    }
    // Every record ends with a newline (the reader is given a final one).
    let inside = record.as_slice().bytes().filter(|b| *b == b'\n').count() as u64;
    let starts_on = after.saturating_sub(inside + 1);
    previous + 1 + starts_on.saturating_sub(scan_from) as usize
}

/// Rows read ahead to find a header.
const LOOKAHEAD: usize = 20;

/// Sub-headers under a header cell: the month's own figure, and the year to date.
pub const MONTH_LABELS: &[&str] = &["本月", "当月", "本月数", "当月数"];
pub const YTD_LABELS: &[&str] = &["本年累计", "累计", "本年累计数", "累计数", "1-本月累计", "年初至本月累计"];

fn is_sub_header(row: &[String]) -> bool {
    row.iter().any(|c| MONTH_LABELS.contains(&c.trim()) || YTD_LABELS.contains(&c.trim()))
}

/// A two-row header as one: a sub-label joins the cell above it, or, under a merged cell, the
/// nearest filled cell to its left ("营业收入|本年累计").
fn join_header(top: &[String], sub: &[String]) -> Vec<String> {
    let mut parent = String::new();
    (0..top.len().max(sub.len()))
        .map(|c| {
            let t = top.get(c).map_or("", |t| t.trim());
            if !t.is_empty() {
                parent = t.to_string();
            }
            match sub.get(c).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                Some(s) => format!("{parent}|{s}"),
                None => t.to_string(),
            }
        })
        .collect()
}

/// "单位:万元" (or 计量单位, with either colon) alone in its row.
fn unit_of(row: &[String]) -> Option<String> {
    let mut filled = row.iter().map(|c| c.trim()).filter(|c| !c.is_empty());
    let only = filled.next()?;
    if filled.next().is_some() {
        return None;
    }
    let rest = only.strip_prefix("计量单位").or_else(|| only.strip_prefix("单位"))?;
    let unit = rest.trim_start_matches([':', ':', ' ']).trim();
    (!unit.is_empty()).then(|| unit.to_string())
}

/// How notes under a statistical table begin.
const NOTE_PREFIXES: &[&str] = &[
    "注",
    "说明",
    "备注",
    "填表说明",
    "数据来源",
    "资料来源",
    "制表",
    "填报人",
    "填表人",
    "审核人",
    "单位负责人",
    "统计负责人",
    "联系电话",
];

/// A row whose first filled cell is a total, or whose only filled cell is a note.
fn note_of<'a>(mut filled: impl Iterator<Item = &'a str>) -> bool {
    let Some(first) = filled.next().map(str::trim) else { return false };
    let is = |word: &str| first.chars().filter(|c| !c.is_whitespace()).eq(word.chars());
    ["合计", "总计", "小计"].into_iter().any(is)
        || (filled.next().is_none() && NOTE_PREFIXES.iter().any(|p| first.starts_with(p)))
}

/// Excel's sheet extent: 1,048,576 rows × 16,384 columns.
const EXCEL_ROWS: u32 = 1 << 20;
const EXCEL_COLUMNS: u32 = 1 << 14;

/// A column as a spreadsheet names it (0 → A, 16383 → XFD), with its number.
pub fn column_label(index: usize) -> String {
    let (mut n, mut letters) = (index + 1, Vec::new());
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!("{}(第{}列)", String::from_utf8(letters).unwrap_or_default(), index + 1)
}

impl Table {
    /// Opens a CSV or XLSX file, chosen by content (an XLSX file is a ZIP archive), within the
    /// shipped limits. Errors name the file by its name, never by the folder it sits in.
    pub fn open(path: &Path) -> Result<Table, FileError> {
        Table::open_with(path, &Limits::default())
    }

    pub fn open_with(path: &Path, limits: &Limits) -> Result<Table, FileError> {
        let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let io = |source| FileError::Io { file: file.clone(), source };
        let mut f = File::open(path).map_err(io)?;
        let total = f.metadata().map_err(io)?.len();
        let mut head = vec![0u8; 64 * 1024];
        let n = read_up_to(&mut f, &mut head).map_err(io)?;
        head.truncate(n);
        if head.starts_with(b"PK\x03\x04") {
            return Table::open_xlsx(path, file, limits);
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(FileError::Format { file, reason: "旧版 .xls 请另存为 .xlsx / save the old .xls as .xlsx".into() });
        }
        let utf8 = detect_utf8(&head);
        let bom = utf8 && head.starts_with(&[0xEF, 0xBB, 0xBF]);
        let start = if bom { 3 } else { 0 };
        // A final newline, so that every record ends with one and its row is known (see
        // `record_line`); an empty last line is nothing to the CSV reader.
        let raw = Cursor::new(head[start..].to_vec()).chain(BufReader::with_capacity(1 << 20, f)).chain(&b"\n"[..]);
        // Excel on Chinese Windows writes GB18030 (GBK), decoded as it is read.
        let decoded: Box<dyn Read + Send> = if utf8 { Box::new(raw) } else { Box::new(Gb18030::new(raw)) };
        let (bounded, since_row) = RowBound::new(decoded, limits.max_row_bytes);
        let reader: Box<dyn Read + Send> = Box::new(bounded);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut record = csv::StringRecord::new();
        let has = reader.read_record(&mut record).map_err(|e| FileError::Format { file: file.clone(), reason: e.to_string() })?;
        if !has {
            return Err(FileError::Empty { file });
        }
        since_row.store(0, Ordering::Relaxed);
        let headers = record.iter().map(|h| crate::limits::shorten(h.trim())).collect();
        Ok(Table {
            file,
            headers,
            header_row: 1,
            rows: Rows::Csv { reader, record, since_row },
            held: Default::default(),
            serving: None,
            skipped: Vec::new(),
            unit: None,
            row: 1,
            total,
            bytes_read: 0,
            ended: false,
        })
    }

    fn open_xlsx(path: &Path, file: String, limits: &Limits) -> Result<Table, FileError> {
        measure_workbook(path, &file, limits)?;
        // At most a few batches wait: memory stays bounded by the batches' size, not the sheet's.
        let (tx, rx) = sync_channel::<SheetMsg>(2);
        let (owned_path, max_row) = (path.to_owned(), limits.max_row_bytes);
        std::thread::Builder::new()
            .name("xlsx-rows".into())
            .spawn(move || {
                if let Err(reason) = stream_sheet(&owned_path, max_row, &tx) {
                    let _ = tx.send(SheetMsg::Fail(reason));
                }
            })
            .map_err(|source| FileError::Io { file: file.clone(), source })?;
        let mut total = 0;
        // Rows are numbered as the sheet numbers them, so an offset table still reports real rows.
        let mut pending = std::collections::VecDeque::new();
        let (header_row, header) = loop {
            match rx.recv() {
                Ok(SheetMsg::Size(rows)) => total = rows,
                Ok(SheetMsg::Rows(batch)) => {
                    pending.extend(batch);
                    if let Some(first) = pending.pop_front() {
                        break first;
                    }
                }
                Ok(SheetMsg::Fail(reason)) => return Err(FileError::Format { file, reason }),
                Err(_) => return Err(FileError::Empty { file }),
            }
        };
        let headers = header.iter().map(|c| crate::limits::shorten(&c.cell().shown())).collect();
        Ok(Table {
            file,
            headers,
            header_row,
            rows: Rows::Sheet { rx, current: Vec::new(), pending },
            held: Default::default(),
            serving: None,
            skipped: Vec::new(),
            unit: None,
            row: header_row,
            total: total.saturating_sub(header_row as u64),
            bytes_read: 0,
            ended: false,
        })
    }

    /// The next data row and its spreadsheet row number; fully blank rows are skipped. A value
    /// in a column without a header is an error of its row, never dropped.
    pub fn next_row(&mut self) -> Option<Result<(usize, Vec<Cell<'_>>), crate::RowError>> {
        // Notes under a statistical table and its total rows are neither data nor errors.
        let row = loop {
            match self.advance()? {
                Err(e) => return Some(Err(e)),
                Ok(row) if self.is_note_row() => self.skipped.push(row),
                Ok(row) => break row,
            }
        };
        let cells = self.current();
        let stray = cells.iter().enumerate().find(|(i, c)| !c.is_empty() && self.headers.get(*i).is_none_or(|h| h.is_empty()));
        if let Some((i, c)) = stray {
            return Some(Err(crate::RowError {
                file: self.file.clone(),
                row,
                column: Some(column_label(i)),
                value: c.shown(),
                reason: "此列没有表头,数据无法对应到任何列 / a value in a column without a header".into(),
            }));
        }
        Some(Ok((row, cells)))
    }

    /// Finds the header of a statistical table among its first rows: the first row — or pair of
    /// rows, a header over 本月/本年累计 sub-headers, joined as "营业收入|本月" — that
    /// `accepts` takes. Title, unit and blank rows above it are passed over (a unit row is kept
    /// in `unit`). Without such a row the first stays the header, and the caller's column check
    /// says what is missing.
    pub fn find_header(&mut self, accepts: impl Fn(&[String]) -> bool) {
        if accepts(&self.headers) {
            return;
        }
        let mut ahead: Vec<(usize, Vec<Owned>)> = Vec::new();
        while ahead.len() < LOOKAHEAD {
            match self.advance() {
                Some(Ok(row)) => {
                    let cells = self.current().iter().map(Owned::of).collect();
                    ahead.push((row, cells));
                }
                Some(Err(e)) => {
                    self.held.push_back(Err(e));
                    break;
                }
                None => break,
            }
        }
        self.serving = None;
        let shown = |cells: &[Owned]| cells.iter().map(|c| crate::limits::shorten(&c.cell().shown())).collect::<Vec<_>>();
        let mut rows: Vec<(usize, Vec<String>)> = vec![(self.header_row, self.headers.clone())];
        rows.extend(ahead.iter().map(|(r, c)| (*r, shown(c))));
        for i in 0..rows.len() {
            let combined = rows.get(i + 1).filter(|(_, sub)| is_sub_header(sub)).map(|(_, sub)| join_header(&rows[i].1, sub));
            let (header, data_from) = match combined {
                Some(h) if accepts(&h) => (h, i + 2),
                _ if accepts(&rows[i].1) => (rows[i].1.clone(), i + 1),
                _ => continue,
            };
            self.unit = rows[..i].iter().find_map(|(_, r)| unit_of(r));
            self.headers = header;
            self.header_row = rows[i].0;
            // The rows after the header are data again, ahead of the rest of the stream.
            let mut requeue: std::collections::VecDeque<_> =
                ahead.into_iter().skip(data_from.saturating_sub(1)).map(Ok).collect();
            requeue.append(&mut self.held);
            self.held = requeue;
            return;
        }
        // No header found: everything read ahead is data under the first row, as before.
        let mut requeue: std::collections::VecDeque<_> = ahead.into_iter().map(Ok).collect();
        requeue.append(&mut self.held);
        self.held = requeue;
    }

    /// Whether the current row is a note ("注:…", "填报人:…", alone in its row) or a total
    /// ("合计", "总计", "小计" first), looked at without copying the row.
    fn is_note_row(&self) -> bool {
        let owned = |cells: &[Owned]| -> bool {
            note_of(cells.iter().filter_map(|c| match c {
                Owned::Empty => None,
                Owned::Text(t) if t.trim().is_empty() => None,
                Owned::Text(t) => Some(t.as_str()),
                _ => Some("#"),
            }))
        };
        match (&self.serving, &self.rows) {
            (Some(cells), _) => owned(cells),
            (None, Rows::Csv { record, .. }) => note_of(record.iter().filter(|v| !v.trim().is_empty())),
            (None, Rows::Sheet { current, .. }) => owned(current),
        }
    }

    /// Moves to the next row that is not blank.
    fn advance(&mut self) -> Option<Result<usize, crate::RowError>> {
        self.serving = None;
        if let Some(held) = self.held.pop_front() {
            return Some(held.map(|(row, cells)| {
                self.serving = Some(cells);
                self.row = row;
                row
            }));
        }
        if self.ended {
            return None;
        }
        loop {
            let blank = match &mut self.rows {
                Rows::Csv { reader, record, since_row } => match reader.read_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        since_row.store(0, Ordering::Relaxed);
                        self.bytes_read = reader.position().byte();
                        self.row = record_line(self.row, record, reader.position().line());
                        record.iter().all(|v| v.trim().is_empty())
                    }
                    Err(e) => {
                        self.row += 1;
                        // A broken read (bad encoding underneath, a giant row) leaves nothing
                        // sensible to read after it; a row that is not UTF-8 does.
                        let fatal = !matches!(e.kind(), csv::ErrorKind::Utf8 { .. });
                        self.ended = fatal;
                        let reason = match e.kind() {
                            csv::ErrorKind::Io(io) => io.get_ref().map_or_else(|| io.to_string(), |inner| inner.to_string()),
                            _ => format!("无法读取此行(编码或引号错误) / unreadable row: {e}"),
                        };
                        return Some(Err(crate::RowError {
                            file: self.file.clone(),
                            row: e.position().map(|p| p.line() as usize).unwrap_or(self.row),
                            column: None,
                            value: String::new(),
                            reason,
                        }));
                    }
                },
                Rows::Sheet { rx, current, pending } => match pending.pop_front() {
                    Some((row, cells)) => {
                        *current = cells;
                        self.row = row;
                        self.bytes_read += 1;
                        false
                    }
                    None => match rx.recv() {
                        Ok(SheetMsg::Rows(batch)) => {
                            pending.extend(batch);
                            continue;
                        }
                        Ok(SheetMsg::Size(_)) => continue,
                        Ok(SheetMsg::Fail(reason)) => {
                            self.ended = true;
                            return Some(Err(crate::RowError {
                                file: self.file.clone(),
                                row: self.row + 1,
                                column: None,
                                value: String::new(),
                                reason,
                            }));
                        }
                        Err(_) => return None,
                    },
                },
            };
            if !blank {
                return Some(Ok(self.row));
            }
        }
    }

    fn current(&self) -> Vec<Cell<'_>> {
        if let Some(cells) = &self.serving {
            return cells.iter().map(Owned::cell).collect();
        }
        match &self.rows {
            Rows::Csv { record, .. } => record.iter().map(|v| if v.is_empty() { Cell::Empty } else { Cell::Text(v) }).collect(),
            Rows::Sheet { current, .. } => current.iter().map(Owned::cell).collect(),
        }
    }

    /// How far reading has come: (done, total) in bytes for CSV, rows for XLSX.
    pub fn progress(&self) -> (u64, u64) {
        (self.bytes_read.min(self.total), self.total)
    }
}

/// Inflates every part of a workbook once, counting, before it is opened: the declared sizes in a
/// ZIP can lie, and the reader holds the shared strings whole.
fn measure_workbook(path: &Path, file: &str, limits: &Limits) -> Result<(), FileError> {
    let format = |reason: String| FileError::Format { file: file.to_string(), reason };
    let too_large = |reason: String| FileError::TooLarge { file: file.to_string(), reason };
    let f = File::open(path).map_err(|source| FileError::Io { file: file.to_string(), source })?;
    let mut zip = zip::ZipArchive::new(BufReader::new(f)).map_err(|e| format(e.to_string()))?;
    let mut all = 0u64;
    let mut sink = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| format(e.to_string()))?;
        let name = crate::limits::shorten(&entry.name().map(|n| n.into_owned()).unwrap_or_default());
        let streamed = name.starts_with("xl/worksheets/");
        let cap = if streamed { limits.max_inflated_bytes } else { limits.max_held_bytes.min(limits.max_inflated_bytes) };
        let mut part = 0u64;
        loop {
            let n = entry.read(&mut sink).map_err(|e| format(format!("{name}: {e}")))?;
            if n == 0 {
                break;
            }
            part += n as u64;
            all += n as u64;
            if part > cap {
                return Err(too_large(format!(
                    "部件 {name} 解压后超过 {} / the part {name} inflates beyond {}",
                    limits::mb(cap),
                    limits::mb(cap)
                )));
            }
            if all > limits.max_inflated_bytes {
                return Err(too_large(format!(
                    "工作簿解压后超过 {} / the workbook inflates beyond {}",
                    limits::mb(limits.max_inflated_bytes),
                    limits::mb(limits.max_inflated_bytes)
                )));
            }
        }
    }
    Ok(())
}

/// Reads the first worksheet cell by cell and sends its rows that are not blank, so memory holds
/// one row whatever the sheet's extent.
fn stream_sheet(path: &Path, max_row_bytes: u64, tx: &SyncSender<SheetMsg>) -> Result<(), String> {
    // Rows are sent 256 at a time, or sooner once the batch holds a row's worth of bytes; the
    // rows read before a failure are sent before it, so the failure names its own row.
    let mut batch = Batch { rows: Vec::new(), bytes: 0, max_bytes: max_row_bytes };
    let read = read_sheet(path, max_row_bytes, tx, &mut batch);
    if !batch.rows.is_empty() {
        let _ = tx.send(SheetMsg::Rows(batch.rows));
    }
    read
}

fn read_sheet(path: &Path, max_row_bytes: u64, tx: &SyncSender<SheetMsg>, batch: &mut Batch) -> Result<(), String> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).map_err(|e: calamine::XlsxError| e.to_string())?;
    let first = wb.sheet_names().first().cloned().ok_or("工作簿没有工作表 / the workbook has no worksheet")?;
    let mut cells = wb.worksheet_cells_reader(&first).map_err(|e| e.to_string())?;
    if tx.send(SheetMsg::Size(u64::from(cells.dimensions().end.0) + 1)).is_err() {
        return Ok(());
    }
    let (mut row, mut current, mut bytes): (Option<u32>, Vec<Owned>, u64) = (None, Vec::new(), 0);
    while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
        let (r, c) = cell.get_position();
        if r >= EXCEL_ROWS || c >= EXCEL_COLUMNS {
            return Err(format!(
                "单元格位于第{}行第{}列,超出 Excel 工作表范围(1,048,576 行 × 16,384 列) / a cell at row {}, column {} lies outside a worksheet's 1,048,576 rows × 16,384 columns",
                u64::from(r) + 1,
                u64::from(c) + 1,
                u64::from(r) + 1,
                u64::from(c) + 1
            ));
        }
        if row != Some(r) {
            if let Some(prev) = row
                && !current.is_empty()
                && !batch.push(prev as usize + 1, std::mem::take(&mut current), bytes, tx)
            {
                return Ok(());
            }
            (row, bytes) = (Some(r), 0);
        }
        let value = owned(cell.get_value());
        if value == Owned::Empty {
            continue;
        }
        bytes += match &value {
            Owned::Text(t) => t.len() as u64,
            _ => 8,
        };
        if bytes > max_row_bytes {
            return Err(limits::RowTooLong(max_row_bytes).to_string());
        }
        let c = c as usize;
        if c >= current.len() {
            current.resize(c + 1, Owned::Empty);
        }
        current[c] = value;
    }
    if let Some(prev) = row
        && !current.is_empty()
    {
        batch.rows.push((prev as usize + 1, current));
    }
    Ok(())
}

/// Rows read and not yet handed over.
struct Batch {
    rows: Vec<(usize, Vec<Owned>)>,
    bytes: u64,
    max_bytes: u64,
}

impl Batch {
    const ROWS: usize = 256;

    /// Adds a row, and hands the batch over when it is full; false once the reader is gone.
    fn push(&mut self, row: usize, cells: Vec<Owned>, bytes: u64, tx: &SyncSender<SheetMsg>) -> bool {
        // The row's cells count as they are held, so wide rows of few values fill a batch too.
        self.bytes += bytes + (cells.len() * std::mem::size_of::<Owned>()) as u64;
        self.rows.push((row, cells));
        if self.rows.len() < Self::ROWS && self.bytes < self.max_bytes {
            return true;
        }
        self.bytes = 0;
        tx.send(SheetMsg::Rows(std::mem::take(&mut self.rows))).is_ok()
    }
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Excel's serials for 1900-01-01 and 9999-12-31; anything else is no date Excel can show.
const FIRST_SERIAL: f64 = 1.0;
const LAST_SERIAL: f64 = 2_958_465.0;

fn owned(d: &DataRef) -> Owned {
    match d {
        DataRef::Empty => Owned::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Owned::Text(s.clone()),
        DataRef::SharedString(s) => Owned::Text((*s).to_string()),
        DataRef::Float(f) => Owned::Number(*f),
        DataRef::Int(i) => Owned::Number(*i as f64),
        DataRef::Bool(b) => Owned::Text(if *b { "是" } else { "否" }.into()),
        DataRef::DateTime(dt) => {
            let serial = dt.as_f64();
            if !(FIRST_SERIAL..LAST_SERIAL + 1.0).contains(&serial) {
                // Kept as the number the cell holds, so the row fails with it rather than vanish.
                return Owned::Text(format!("{serial}"));
            }
            // Day 0 is 1899-12-30 from serial 61 on; below it Excel counts a 1900-02-29 that
            // never was.
            let days = serial.floor() as i64 + if serial < 61.0 { 1 } else { 0 };
            Owned::Date(Date::from_days(days - 25_569))
        }
        DataRef::Error(e) => Owned::Text(format!("#{e:?}")),
    }
}
