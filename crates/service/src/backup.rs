//! Backup, restore and moving a database between engines: a whole copy into an empty database,
//! from one snapshot of a source that may be serving meanwhile. For the command line's operator,
//! who holds both databases; no account can ask for it.

use std::path::Path;

pub use store::{CopyReport, TableCopy, redact};
use store::{SealPlaces, Side};

use crate::{Result, ServiceError};

/// The SQLite address of a backup file.
fn sqlite_url(file: &Path) -> String {
    format!("sqlite://{}", file.display())
}

/// Writes the database at `db` to a new SQLite file (with its audit key beside it, whatever
/// `LEAPFROG_AUDIT_KEY_FILE` says of the database's own): consistent
/// as of one moment, while the database is in use.
pub async fn backup(db: &str, file: &Path, progress: &(dyn Fn(&TableCopy) + Sync)) -> Result<CopyReport> {
    if file.exists() {
        return Err(ServiceError::BadRequest(format!(
            "{} 已存在,备份不覆盖已有文件 / {} exists: a backup never overwrites a file",
            file.display(),
            file.display()
        )));
    }
    let to = sqlite_url(file);
    let beside = Side { url: &to, seal: Some(SealPlaces::beside(file)) };
    Ok(store::backup_database(Side::at(db), beside, progress).await?)
}

/// Restores a backup file into the empty database at `db`.
pub async fn restore(file: &Path, db: &str, progress: &(dyn Fn(&TableCopy) + Sync)) -> Result<CopyReport> {
    if !file.is_file() {
        return Err(ServiceError::BadRequest(format!("没有备份文件 {} / no backup file {}", file.display(), file.display())));
    }
    let from = sqlite_url(file);
    let beside = Side { url: &from, seal: Some(SealPlaces::beside(file)) };
    Ok(store::copy_database(beside, Side::at(db), progress).await?)
}

/// Copies every table of one database into another, empty one (either engine each side).
pub async fn copy(from: &str, to: &str, progress: &(dyn Fn(&TableCopy) + Sync)) -> Result<CopyReport> {
    Ok(store::copy_database(Side::at(from), Side::at(to), progress).await?)
}
