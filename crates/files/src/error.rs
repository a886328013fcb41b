use std::fmt;

/// A problem with one cell or row of a file. Row numbers are the spreadsheet's: the header is
/// row 1, the first data row is row 2.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub file: String,
    pub row: usize,
    pub column: Option<String>,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 第{}行", self.file, self.row)?;
        if let Some(c) = &self.column {
            write!(f, " 列“{c}”")?;
        }
        if !self.value.is_empty() {
            write!(f, " 值“{}”", self.value)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// A file that cannot be read as a table at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{file}: 无法读取 / cannot read: {source}")]
    Io { file: String, source: std::io::Error },
    #[error("{file}: 不是可识别的 CSV 或 XLSX 文件 / not a CSV or XLSX file: {reason}")]
    Format { file: String, reason: String },
    #[error("{file}: 缺少列 {missing} / missing columns {missing}(可用列名 / accepted: {accepted})")]
    MissingColumns { file: String, missing: String, accepted: String },
    #[error("{file}: 列“{column}”出现两次 / column '{column}' appears twice")]
    DuplicateColumn { file: String, column: String },
    #[error("{file}: 文件为空,没有表头 / the file is empty")]
    Empty { file: String },
    #[error("{file}: 文件超出可处理的大小,未导入任何数据 / the file is too large to read, nothing was imported: {reason}")]
    TooLarge { file: String, reason: String },
    #[error("{0}")]
    Write(String),
}

/// The row errors of one file: the first `limit` kept (values shortened), the rest counted, so
/// a file of a million bad rows answers with a readable list and a count.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RowErrors {
    pub shown: Vec<RowError>,
    pub total: usize,
    #[serde(skip)]
    limit: usize,
}

impl RowErrors {
    pub fn new(limit: usize) -> RowErrors {
        RowErrors { shown: Vec::new(), total: 0, limit: limit.max(1) }
    }

    pub fn push(&mut self, mut e: RowError) {
        self.total += 1;
        if self.shown.len() < self.limit {
            e.value = crate::limits::shorten(&e.value);
            self.shown.push(e);
        }
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = RowError>) {
        for e in errors {
            self.push(e);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn len(&self) -> usize {
        self.total
    }

    /// The kept errors in row order.
    pub fn sort(&mut self) {
        self.shown.sort_by_key(|e| e.row);
    }

    /// Errors not shown, for the closing "and N more" line.
    pub fn hidden(&self) -> usize {
        self.total - self.shown.len()
    }
}

impl fmt::Display for RowErrors {
    /// One error a line, then how many were left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.shown.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.hidden() > 0 {
            write!(f, "\n……另有 {} 处错误未列出 / and {} more", self.hidden(), self.hidden())?;
        }
        Ok(())
    }
}
