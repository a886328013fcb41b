//! Files sent with a service request: only the kinds an office sends (PDF, JPEG, PNG, Word and
//! Excel documents), recognised by their content rather than their name, within a size. Whatever
//! the browser said the type was is ignored: the type served back is the one found here.

use std::io::Cursor;

/// The kinds taken, as (extension, content type).
const KINDS: [(&str, &str); 5] = [
    ("pdf", "application/pdf"),
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
];

/// What the content is, by its first bytes (and, for Word and Excel, the part every such package
/// holds).
fn kind_of(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Some("pdf");
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some("jpg");
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Some("png");
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let has = |name: &str| archive.index_for_name(name).is_some();
        if has("word/document.xml") {
            return Some("docx");
        }
        if has("xl/workbook.xml") {
            return Some("xlsx");
        }
    }
    None
}

/// Checks an attachment: its name ends with the extension of what its content is (`.jpeg` is
/// `.jpg`), and it is at most `max_bytes`. Returns the content type to serve it with, or why not
/// in words.
pub fn check_attachment(file_name: &str, bytes: &[u8], max_bytes: usize) -> Result<&'static str, String> {
    let name = crate::shorten(file_name);
    if bytes.is_empty() {
        return Err(format!("附件“{name}”是空文件 / the file is empty"));
    }
    if bytes.len() > max_bytes {
        return Err(format!("附件“{name}”超过{}MB / larger than {} MB", max_bytes >> 20, max_bytes >> 20));
    }
    let allowed = "附件应为 PDF、JPG、PNG、DOCX 或 XLSX 文件 / attachments are PDF, JPG, PNG, DOCX or XLSX";
    let kind = kind_of(bytes).ok_or_else(|| format!("附件“{name}”:{allowed}"))?;
    let ext = file_name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let ext = if ext == "jpeg" { "jpg".to_string() } else { ext };
    if ext != kind {
        return Err(format!("附件“{name}”的扩展名与内容不符(内容为 {kind}) / the name's extension does not match its content"));
    }
    Ok(KINDS.iter().find(|(e, _)| *e == kind).map(|(_, t)| *t).expect("every kind has a type"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(part: &str) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        let mut w = zip::ZipWriter::new(&mut out);
        w.start_file(part, zip::write::SimpleFileOptions::default()).unwrap();
        std::io::Write::write_all(&mut w, b"<x/>").unwrap();
        w.finish().unwrap();
        out.into_inner()
    }

    #[test]
    fn office_files_are_recognised_by_their_content() {
        assert_eq!(check_attachment("营业执照.PDF", b"%PDF-1.7\n...", 100), Ok("application/pdf"));
        assert_eq!(check_attachment("a.jpeg", &[0xFF, 0xD8, 0xFF, 0xE0, 0], 100), Ok("image/jpeg"));
        assert!(check_attachment("报表.xlsx", &zip_with("xl/workbook.xml"), 10_000).unwrap().contains("spreadsheetml"));
        assert!(check_attachment("说明.docx", &zip_with("word/document.xml"), 10_000).unwrap().contains("wordprocessingml"));
    }

    #[test]
    fn other_content_a_wrong_name_or_too_many_bytes_are_refused() {
        let html = check_attachment("a.pdf", b"<html><script>alert(1)</script>", 100).unwrap_err();
        assert!(html.contains("PDF、JPG"), "{html}");
        assert!(check_attachment("a.html", b"%PDF-1.7", 100).unwrap_err().contains("扩展名"));
        assert!(check_attachment("a.docx", &zip_with("other.xml"), 10_000).is_err());
        assert!(check_attachment("a.pdf", b"%PDF-1.7 and more", 8).unwrap_err().contains("MB"));
        assert!(check_attachment("a.pdf", b"", 8).unwrap_err().contains("空"));
    }
}
