//! Property tests of the CSV and XLSX readers on arbitrary and damaged files: every file opens
//! or is refused with a reason, every row reads or fails with its row number, nothing panics and
//! no row is lost without an error. They run with the test suite; `PROPTEST_CASES` runs more.

use domain::Plan;
use leapfrog_files::{Limits, ProjectFile, ProjectFileKind, Table, check_attachment};
use proptest::prelude::*;

/// Reads a whole table; returns (rows read, rows failed).
fn drain(bytes: &[u8], name: &str) -> Option<(usize, usize)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let limits = Limits { max_row_bytes: 4 << 10, ..Limits::default() };
    let mut table = Table::open_with(&path, &limits).ok()?;
    let (mut ok, mut failed) = (0, 0);
    let mut last_row = 1;
    while let Some(next) = table.next_row() {
        match next {
            Ok((row, cells)) => {
                assert!(row >= last_row, "rows go forward");
                assert!(cells.len() <= 16_384);
                last_row = row;
                ok += 1;
            }
            Err(e) => {
                assert!(!e.reason.is_empty());
                assert!(e.to_string().len() < 2_000, "errors are short");
                failed += 1;
            }
        }
        assert!(ok + failed < 100_000);
    }
    Some((ok, failed))
}

fn sample_xlsx() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["统一社会信用代码", "月份", "营业收入"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..20u32 {
        ws.write_string(r, 0, "91360100MA35XXXX0X").unwrap();
        ws.write_string(r, 1, "2022-06").unwrap();
        ws.write_number(r, 2, f64::from(r) * 1.5).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

proptest! {
    #[test]
    fn any_bytes_as_csv_read_or_fail_by_row(bytes in prop::collection::vec(any::<u8>(), 0..4_000)) {
        let _ = drain(&bytes, "fuzz.csv");
    }

    #[test]
    fn csv_like_text_keeps_every_row(rows in prop::collection::vec("[a-z0-9, 数]{0,30}", 1..40)) {
        // Every row with anything in it is read or fails with its row: none is lost (a row with
        // values beyond the three headers fails; one of commas and spaces is blank, as a
        // spreadsheet shows it).
        let text = format!("a,b,c\n{}", rows.join("\n"));
        let filled = rows.iter().filter(|r| r.chars().any(|c| c != ',' && c != ' ')).count();
        let (ok, failed) = drain(text.as_bytes(), "text.csv").expect("a CSV opens");
        prop_assert_eq!(ok + failed, filled);
    }

    #[test]
    fn quoted_and_multi_line_text_reads_or_fails_by_row(rows in prop::collection::vec("[a-z0-9\",\\n 数]{0,30}", 1..40)) {
        let text = format!("a,b,c\n{}", rows.join("\n"));
        let _ = drain(text.as_bytes(), "text.csv");
    }

    #[test]
    fn a_damaged_workbook_is_read_or_refused(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = sample_xlsx();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = drain(&bytes, "damaged.xlsx");
    }

    #[test]
    fn a_cut_workbook_is_read_or_refused(keep in 0usize..6_000) {
        let bytes = sample_xlsx();
        let _ = drain(&bytes[..keep.min(bytes.len())], "cut.xlsx");
    }

    /// Rows of any of the four project files, with plausible and arbitrary cells: each row is a
    /// line or its errors, every error naming that row and saying why.
    #[test]
    fn project_file_rows_parse_or_fail_with_their_row(
        kind in 0usize..4,
        rows in prop::collection::vec(
            prop::collection::vec("\\PC{0,12}|[0-9]{1,9}|-[0-9]{1,3}|20[0-9]{2}-[01][0-9]|P-[0-9]{1,3}|etdz|optoelectronics|新建|在建|是|approval", 0..12),
            1..20,
        ),
    ) {
        let kind = [ProjectFileKind::Projects, ProjectFileKind::Plans, ProjectFileKind::Reports, ProjectFileKind::Requirements][kind];
        let quote = |c: &str| format!("\"{}\"", c.replace('"', "\"\""));
        let mut text = kind.headers().iter().map(|h| quote(h)).collect::<Vec<_>>().join(",");
        for row in &rows {
            text.push('\n');
            text.push_str(&row.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("projects.csv");
        std::fs::write(&path, text).unwrap();
        let mut table = Table::open_with(&path, &Limits::default()).unwrap();
        let file = ProjectFile::map(kind, &mut table).expect("the header row is found");
        let plan = Plan::default_plan();
        while let Some(next) = table.next_row() {
            match next {
                Ok((row, cells)) => {
                    if let Err(errors) = file.parse(&plan, "projects.csv", row, &cells) {
                        prop_assert!(!errors.is_empty());
                        for e in errors {
                            prop_assert_eq!(e.row, row);
                            prop_assert!(!e.reason.is_empty() && e.to_string().len() < 2_000);
                        }
                    }
                }
                Err(e) => prop_assert!(!e.reason.is_empty()),
            }
        }
    }

    /// Any bytes under any name as an attachment: refused with a reason, or accepted as one of
    /// the five kinds whose extension the name has.
    #[test]
    fn any_attachment_is_one_of_the_kinds_its_name_says_or_refused(
        head in prop::sample::select(vec![&b""[..], b"%PDF-1.7\n", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"MZ\x90\x00", b"<html>"]),
        tail in prop::collection::vec(any::<u8>(), 0..600),
        name in "[a-z\\PC]{0,8}(\\.(pdf|PDF|jpg|jpeg|png|docx|xlsx|exe|html|txt))?",
    ) {
        let bytes: Vec<u8> = head.iter().chain(&tail).copied().collect();
        match check_attachment(&name, &bytes, 512) {
            Ok(content_type) => {
                let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
                prop_assert!(["pdf", "jpg", "jpeg", "png"].contains(&ext.as_str()), "{name} accepted as {content_type}");
                prop_assert!(bytes.len() <= 512);
            }
            Err(reason) => prop_assert!(!reason.is_empty() && reason.len() < 1_000),
        }
    }
}

#[test]
fn the_intact_sample_reads_every_row() {
    assert_eq!(drain(&sample_xlsx(), "ok.xlsx"), Some((19, 0)));
}
