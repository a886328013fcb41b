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
    #[error("{0}")]
    Write(String),
}
