//! Uploaded files go to disk as they arrive, in a folder only this process's user can read, and
//! are gone when the request ends: an upload never sits in memory whole.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use http_body_util::BodyExt;
use tokio::io::AsyncWriteExt;

use crate::WebError;

/// The largest file the import endpoints take; other requests are held to axum's 2 MB default.
pub const UPLOAD_LIMIT: usize = 256 * 1024 * 1024;

/// A file received to disk; removed with its folder on drop.
pub struct Upload {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
    pub bytes: u64,
}

fn failed(e: impl std::fmt::Display) -> WebError {
    WebError::internal(format!("an upload could not be stored: {e}"))
}

fn too_large() -> WebError {
    WebError {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        message: format!("文件超过 {} MB / the file is larger than {} MB", UPLOAD_LIMIT >> 20, UPLOAD_LIMIT >> 20),
    }
}

/// Keeps only a safe base name of what the browser sent: it names the file in errors and in the
/// audit trail, never a path.
pub fn safe_name(sent: Option<&str>, fallback: &str) -> String {
    let base = sent.and_then(|n| n.rsplit(['/', '\\']).next()).unwrap_or("");
    let name: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if name.is_empty() || name == "." || name == ".." { fallback.to_string() } else { name }
}

/// The text fields and the files of a small multipart form (a ticket's, a KPI entry's), the files
/// read into memory within their bounds.
pub struct Received {
    pub text: std::collections::BTreeMap<String, String>,
    pub files: Vec<service::Upload>,
}

/// Reads a multipart form: the parts named `file_field` as files of at most `max_bytes` each and
/// `max_files` in all (an empty file input sends an empty part, which is skipped), the others as
/// text.
pub async fn receive_form(
    mut form: axum::extract::Multipart,
    file_field: &str,
    max_bytes: usize,
    max_files: usize,
) -> Result<Received, WebError> {
    let broke = |e: axum::extract::multipart::MultipartError| WebError::bad_request(format!("上传失败 / upload failed: {e}"));
    let mut out = Received { text: std::collections::BTreeMap::new(), files: Vec::new() };
    while let Some(mut field) = form.next_field().await.map_err(broke)? {
        let name = field.name().unwrap_or("").to_string();
        if name != file_field {
            out.text.insert(name, field.text().await.map_err(broke)?);
            continue;
        }
        let file_name = safe_name(field.file_name(), "attachment");
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broke)? {
            if bytes.len() + chunk.len() > max_bytes {
                let mb = max_bytes >> 20;
                return Err(WebError::bad_request(format!("附件“{file_name}”超过{mb}MB / larger than {mb} MB")));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            continue;
        }
        if out.files.len() >= max_files {
            return Err(WebError::bad_request(format!("附件最多{max_files}个 / too many files")));
        }
        out.files.push(service::Upload { file_name, bytes });
    }
    Ok(out)
}

/// A place for one upload: a private folder and a file only the owner may read.
pub struct Receiving {
    upload: Upload,
    file: tokio::fs::File,
}

impl Receiving {
    pub async fn new(name: &str) -> Result<Receiving, WebError> {
        let dir = tempfile::Builder::new()
            .prefix("leapfrog-upload-")
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir()
            .map_err(failed)?;
        let path = dir.path().join(name);
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).await.map_err(failed)?;
        Ok(Receiving { upload: Upload { _dir: dir, path, bytes: 0 }, file })
    }

    pub async fn write(&mut self, chunk: &Bytes) -> Result<(), WebError> {
        self.upload.bytes += chunk.len() as u64;
        if self.upload.bytes > UPLOAD_LIMIT as u64 {
            return Err(too_large());
        }
        self.file.write_all(chunk).await.map_err(failed)
    }

    pub async fn done(mut self) -> Result<Upload, WebError> {
        self.file.flush().await.map_err(failed)?;
        Ok(self.upload)
    }
}

/// Receives a request body to disk.
pub async fn receive_body(body: Body, name: &str) -> Result<Upload, WebError> {
    let mut receiving = Receiving::new(name).await?;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| WebError::bad_request(format!("上传中断 / the upload broke off: {e}")))?;
        if let Ok(data) = frame.into_data() {
            receiving.write(&data).await?;
        }
    }
    receiving.done().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn uploads_are_private_to_the_server_and_gone_afterwards() {
        let mut r = Receiving::new("f.csv").await.unwrap();
        r.write(&Bytes::from_static(b"uscc,month\n")).await.unwrap();
        let upload = r.done().await.unwrap();
        let dir = upload.path.parent().unwrap().to_owned();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(&upload.path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(upload.bytes, 11);
        drop(upload);
        assert!(!dir.exists());
    }

    #[test]
    fn only_a_base_name_of_the_sent_name_is_kept() {
        assert_eq!(safe_name(Some("C:\\Users\\a\\月报.xlsx"), "x"), "月报.xlsx");
        assert_eq!(safe_name(Some("../../etc/passwd"), "x"), "passwd");
        assert_eq!(safe_name(Some(".."), "x"), "x");
        assert_eq!(safe_name(None, "x"), "x");
    }
}
