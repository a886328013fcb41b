//! A table read from a CSV or XLSX file: a header row and then data rows, streamed for CSV.

use std::fs::File;
use std::io::{BufReader, Cursor, Read};
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};
use domain::calendar::Date;

use crate::FileError;

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
    Csv { reader: csv::Reader<Box<dyn Read + Send>>, record: csv::StringRecord },
    Sheet { rows: Vec<Vec<Owned>>, next: usize },
}

/// A readable table with its header.
pub struct Table {
    pub file: String,
    pub headers: Vec<String>,
    rows: Rows,
    /// Spreadsheet row number of the last row returned (header = 1).
    row: usize,
    total: u64,
    bytes_read: u64,
}

fn detect_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        // A multi-byte character cut at the end of the sample is still UTF-8.
        Err(e) => e.error_len().is_none(),
    }
}

impl Table {
    /// Opens a CSV or XLSX file, chosen by content (an XLSX file is a ZIP archive).
    pub fn open(path: &Path) -> Result<Table, FileError> {
        let file = path.display().to_string();
        let io = |source| FileError::Io { file: file.clone(), source };
        let mut f = File::open(path).map_err(io)?;
        let total = f.metadata().map_err(io)?.len();
        let mut head = vec![0u8; 64 * 1024];
        let n = read_up_to(&mut f, &mut head).map_err(io)?;
        head.truncate(n);
        if head.starts_with(b"PK\x03\x04") {
            return Table::open_xlsx(path, file);
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Err(FileError::Format { file, reason: "旧版 .xls 请另存为 .xlsx / save the old .xls as .xlsx".into() });
        }
        let reader: Box<dyn Read + Send> = if detect_utf8(&head) {
            let bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
            let start = if bom { 3 } else { 0 };
            Box::new(Cursor::new(head[start..].to_vec()).chain(BufReader::with_capacity(1 << 20, f)))
        } else {
            // Excel on Chinese Windows writes GB18030 (GBK); such files are office-sized, so
            // decode whole.
            let mut rest = Vec::new();
            f.read_to_end(&mut rest).map_err(io)?;
            head.extend_from_slice(&rest);
            let (text, _, bad) = encoding_rs::GB18030.decode(&head);
            if bad {
                return Err(FileError::Format {
                    file,
                    reason: "既不是 UTF-8 也不是 GB18030 编码 / neither UTF-8 nor GB18030".into(),
                });
            }
            Box::new(Cursor::new(text.into_owned().into_bytes()))
        };
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
        let mut record = csv::StringRecord::new();
        let has = reader.read_record(&mut record).map_err(|e| FileError::Format { file: file.clone(), reason: e.to_string() })?;
        if !has {
            return Err(FileError::Empty { file });
        }
        let headers = record.iter().map(|h| h.trim().to_string()).collect();
        Ok(Table { file, headers, rows: Rows::Csv { reader, record }, row: 1, total, bytes_read: 0 })
    }

    fn open_xlsx(path: &Path, file: String) -> Result<Table, FileError> {
        let fmt = |e: calamine::Error| FileError::Format { file: file.clone(), reason: e.to_string() };
        let mut wb = open_workbook_auto(path).map_err(fmt)?;
        let first = wb.sheet_names().first().cloned().ok_or_else(|| FileError::Empty { file: file.clone() })?;
        let range = wb.worksheet_range(&first).map_err(fmt)?;
        // Rows are numbered from the sheet's first row, so an offset table still reports real rows.
        let mut rows = range.rows().map(|r| r.iter().map(cell_of).collect::<Vec<Owned>>());
        let header = rows.next().ok_or_else(|| FileError::Empty { file: file.clone() })?;
        let headers = header.iter().map(|c| c.cell().shown()).collect();
        let data: Vec<Vec<Owned>> = rows.collect();
        let total = data.len() as u64;
        let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
        Ok(Table { file, headers, rows: Rows::Sheet { rows: data, next: 0 }, row: 1 + first_row, total, bytes_read: 0 })
    }

    /// The next data row and its spreadsheet row number; fully blank rows are skipped.
    pub fn next_row(&mut self) -> Option<Result<(usize, Vec<Cell<'_>>), crate::RowError>> {
        match self.advance()? {
            Err(e) => Some(Err(e)),
            Ok(row) => Some(Ok((row, self.current()))),
        }
    }

    /// Moves to the next row that is not blank.
    fn advance(&mut self) -> Option<Result<usize, crate::RowError>> {
        loop {
            let blank = match &mut self.rows {
                Rows::Csv { reader, record } => match reader.read_record(record) {
                    Ok(false) => return None,
                    Ok(true) => {
                        self.bytes_read = reader.position().byte();
                        record.iter().all(|v| v.trim().is_empty())
                    }
                    Err(e) => {
                        self.row += 1;
                        return Some(Err(crate::RowError {
                            file: self.file.clone(),
                            row: e.position().map(|p| p.line() as usize).unwrap_or(self.row),
                            column: None,
                            value: String::new(),
                            reason: format!("无法读取此行(编码或引号错误) / unreadable row: {e}"),
                        }));
                    }
                },
                Rows::Sheet { rows, next } => {
                    let r = rows.get(*next)?;
                    *next += 1;
                    self.bytes_read += 1;
                    r.iter().all(|c| c.cell().is_empty())
                }
            };
            self.row += 1;
            if !blank {
                return Some(Ok(self.row));
            }
        }
    }

    fn current(&self) -> Vec<Cell<'_>> {
        match &self.rows {
            Rows::Csv { record, .. } => record.iter().map(|v| if v.is_empty() { Cell::Empty } else { Cell::Text(v) }).collect(),
            Rows::Sheet { rows, next } => rows[*next - 1].iter().map(Owned::cell).collect(),
        }
    }

    /// How far reading has come: (done, total) in bytes for CSV, rows for XLSX.
    pub fn progress(&self) -> (u64, u64) {
        (self.bytes_read.min(self.total), self.total)
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

fn cell_of(d: &Data) -> Owned {
    match d {
        Data::Empty => Owned::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Owned::Text(s.clone()),
        Data::Float(f) => Owned::Number(*f),
        Data::Int(i) => Owned::Number(*i as f64),
        Data::Bool(b) => Owned::Text(if *b { "是" } else { "否" }.into()),
        // Excel's day 0 is 1899-12-30 in the 1900 date system.
        Data::DateTime(dt) => Owned::Date(Date::from_days(dt.as_f64().floor() as i64 - 25_569)),
        Data::Error(e) => Owned::Text(format!("#{e:?}")),
    }
}
