//! What keeps the audit trail honest from outside the database: the key its entries are sealed
//! with (HMAC), and a checkpoint of its newest entry. Whoever can write to the database alone can
//! neither recompute the chain nor cut its tail unseen.
//!
//! By default both sit beside an SQLite file (`FILE.audit-key`, `FILE.audit-head`), or for
//! PostgreSQL in `$LEAPFROG_AUDIT_DIR` (default `~/.local/share/leapfrog`) named after the
//! server and database; `LEAPFROG_AUDIT_KEY_FILE` and `LEAPFROG_AUDIT_CHECKPOINT` choose other
//! places (nodes sharing a database must share the key).

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use domain::audit::Checkpoint;

/// The key and checkpoint of one database's trail.
#[derive(Debug, Default)]
pub struct AuditSeal {
    key: Option<Vec<u8>>,
    checkpoint: Option<PathBuf>,
    /// The newest sequence number this process has written to the checkpoint.
    written: Mutex<i64>,
}

/// Where a database's key and checkpoint are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealPlaces {
    pub key_file: PathBuf,
    pub checkpoint: PathBuf,
}

impl SealPlaces {
    /// The places the environment names, else the defaults for the database at `url`; None for
    /// an in-memory database.
    pub fn for_url(url: &str) -> Option<SealPlaces> {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let beside = SealPlaces::beside(&default_base(url)?);
        Some(SealPlaces {
            key_file: env("LEAPFROG_AUDIT_KEY_FILE").unwrap_or(beside.key_file),
            checkpoint: env("LEAPFROG_AUDIT_CHECKPOINT").unwrap_or(beside.checkpoint),
        })
    }

    /// Beside a file (an SQLite database, or a backup), whatever the environment says.
    pub fn beside(file: &Path) -> SealPlaces {
        SealPlaces { key_file: with_suffix(file, ".audit-key"), checkpoint: with_suffix(file, ".audit-head") }
    }
}

fn with_suffix(base: &Path, suffix: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The file of an SQLite address (None for another engine or a database in memory).
pub(crate) fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && !path.contains(":memory:")).then(|| PathBuf::from(path))
}

/// The database file itself for SQLite; for PostgreSQL a name for server and database in the
/// audit folder.
fn default_base(url: &str) -> Option<PathBuf> {
    if url.starts_with("sqlite:") {
        return sqlite_file(url);
    }
    let rest = url.split_once("://")?.1;
    let host_db = rest.rsplit_once('@').map_or(rest, |(_, h)| h).split('?').next().unwrap_or("");
    let name: String = host_db.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    let dir = std::env::var_os("LEAPFROG_AUDIT_DIR").filter(|v| !v.is_empty()).map(PathBuf::from).or_else(|| {
        let data = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
        data.or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share"))).map(|d| d.join("leapfrog"))
    })?;
    Some(dir.join(name))
}

impl AuditSeal {
    /// A trail kept without key or checkpoint (an in-memory database).
    pub fn none() -> AuditSeal {
        AuditSeal::default()
    }

    /// Reads the key at `places`, creating a random one (readable by its owner only) when there
    /// is none yet.
    pub fn open(places: &SealPlaces) -> std::io::Result<AuditSeal> {
        let key = read_or_create_key(&places.key_file)?;
        Ok(AuditSeal { key: Some(key), checkpoint: Some(places.checkpoint.clone()), written: Mutex::new(0) })
    }

    pub fn key(&self) -> Option<&[u8]> {
        self.key.as_deref()
    }

    /// The checkpoint as last written, if any.
    pub fn checkpoint(&self) -> std::io::Result<Option<Checkpoint>> {
        let Some(path) = &self.checkpoint else { return Ok(None) };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut parts = text.split_whitespace();
        match (parts.next().and_then(|s| s.parse().ok()), parts.next()) {
            (Some(seq), Some(hash)) => Ok(Some(Checkpoint { seq, hash: hash.to_string() })),
            _ => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: 检查点文件无法读取 / the checkpoint file is unreadable", path.display()),
            )),
        }
    }

    /// Records `seq` and its hash as the newest entry known to be committed. Written while the
    /// trail's write lock is held, so checkpoints only move forward.
    pub(crate) fn record(&self, seq: i64, hash: &str) {
        let Some(path) = &self.checkpoint else { return };
        let mut written = self.written.lock().unwrap_or_else(|p| p.into_inner());
        if seq <= *written {
            return;
        }
        match write_atomically(path, format!("{seq} {hash}\n").as_bytes()) {
            Ok(()) => *written = seq,
            // The trail itself is intact; verification will say the checkpoint lags.
            Err(e) => tracing::error!(error = %e, path = %path.display(), "audit checkpoint not written"),
        }
    }
}

fn read_or_create_key(path: &Path) -> std::io::Result<Vec<u8>> {
    match key_at(path)? {
        Some(key) if !key.is_empty() => return Ok(key),
        Some(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: 审计密钥文件为空 / the audit key file is empty", path.display()),
            ));
        }
        None => {}
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    let key: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
        Ok(mut f) => {
            f.write_all(key.as_bytes())?;
            f.sync_all()?;
            Ok(key.into_bytes())
        }
        // Another process starting at the same moment made it first.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_or_create_key(path),
        Err(e) => Err(e),
    }
}

/// The key kept at `path`, if there is one.
pub(crate) fn key_at(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.trim().as_bytes().to_vec())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Puts a copied database's key where the copy's trail will be verified with it.
pub(crate) fn write_key(path: &Path, key: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    write_atomically(path, key)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = with_suffix(path, &format!(".tmp-{}", std::process::id()));
    {
        let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
        f.write_all(bytes)?;
    }
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_default_beside_an_sqlite_file() {
        let p = SealPlaces::for_url("sqlite:///var/lib/lf/leapfrog.db?mode=rwc").unwrap();
        if std::env::var_os("LEAPFROG_AUDIT_KEY_FILE").is_none() {
            assert_eq!(p.key_file, PathBuf::from("/var/lib/lf/leapfrog.db.audit-key"));
        }
        assert!(SealPlaces::for_url("sqlite::memory:").is_none());
    }

    #[test]
    fn a_key_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let places = SealPlaces { key_file: dir.path().join("k"), checkpoint: dir.path().join("h") };
        let a = AuditSeal::open(&places).unwrap();
        let b = AuditSeal::open(&places).unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key().unwrap().len(), 64);
        assert_eq!(std::fs::metadata(&places.key_file).unwrap().permissions().mode() & 0o777, 0o600);
        a.record(3, "abc");
        a.record(2, "older");
        assert_eq!(a.checkpoint().unwrap(), Some(Checkpoint { seq: 3, hash: "abc".into() }));
    }
}
