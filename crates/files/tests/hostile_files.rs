//! Files built to hurt: sheets with a far-away cell, workbooks that inflate a thousandfold,
//! rows of megabytes, dates before Excel's first day. Each is refused or reported by row, within
//! bounded memory; none may abort the process or lose a row silently.

use std::io::Write;
use std::path::{Path, PathBuf};

use domain::Plan;
use leapfrog_files::{FactColumns, FileError, Limits, RowError, RowErrors, Table};
use rust_xlsxwriter::{Format, Workbook};

fn temp(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    (dir, path)
}

/// A minimal workbook written part by part, so a test can put anything in the sheet's XML.
fn raw_xlsx(path: &Path, sheet_xml: &[u8], shared_strings: Option<&[u8]>) {
    let f = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, body: &[u8]| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body).unwrap();
    };
    part(
        "[Content_Types].xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    let rels: &[u8] = if shared_strings.is_some() {
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
    } else {
        br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
    };
    part("xl/_rels/workbook.xml.rels", rels);
    part("xl/worksheets/sheet1.xml", sheet_xml);
    if let Some(ss) = shared_strings {
        part("xl/sharedStrings.xml", ss);
    }
    zip.finish().unwrap();
}

fn sheet(rows: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
    .into_bytes()
}

fn all_rows(table: &mut Table) -> (Vec<usize>, Vec<RowError>) {
    let (mut ok, mut errors) = (Vec::new(), Vec::new());
    while let Some(next) = table.next_row() {
        match next {
            Ok((row, _)) => ok.push(row),
            Err(e) => errors.push(e),
        }
    }
    (ok, errors)
}

#[test]
fn a_cell_at_the_last_excel_address_is_reported_not_allocated() {
    // Before: the reader reserved every cell of A1:XFD1048576 (512 GB) and the process aborted.
    let (_d, path) = temp("far.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "统一社会信用代码").unwrap();
    ws.write_string(0, 1, "月份").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save(&path).unwrap();
    let mut table = Table::open(&path).unwrap();
    let (ok, errors) = all_rows(&mut table);
    assert!(ok.is_empty());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].row, 1_048_576);
    assert!(errors[0].column.as_deref().unwrap().starts_with("XFD"), "{errors:?}");
}

#[test]
fn a_row_number_beyond_excel_is_refused_with_the_sheet_extent() {
    let (_d, path) = temp("huge-row.xlsx");
    raw_xlsx(
        &path,
        &sheet(
            r#"<row r="1"><c r="A1" t="inlineStr"><is><t>uscc</t></is></c></row><row r="4294967290"><c r="A4294967290"><v>1</v></c></row>"#,
        ),
        None,
    );
    let err = match Table::open(&path) {
        Err(e) => e.to_string(),
        Ok(mut t) => all_rows(&mut t).1.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"),
    };
    assert!(err.contains("1,048,576"), "{err}");
}

#[test]
fn a_workbook_that_inflates_past_the_cap_is_refused_before_reading() {
    let (_d, path) = temp("bomb.xlsx");
    let filler = "<row><c t=\"inlineStr\"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>".repeat(100_000);
    raw_xlsx(&path, &sheet(&filler), None);
    assert!(std::fs::metadata(&path).unwrap().len() < 200_000, "the test file is small on disk");
    let limits = Limits { max_inflated_bytes: 1 << 20, ..Limits::default() };
    match Table::open_with(&path, &limits) {
        Err(FileError::TooLarge { reason, .. }) => assert!(reason.contains("1 MB"), "{reason}"),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("a bomb was opened"),
    }
}

#[test]
fn shared_strings_past_their_cap_are_refused() {
    let (_d, path) = temp("strings.xlsx");
    let strings = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}</sst>"#,
        "<si><t>bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb</t></si>".repeat(60_000)
    );
    raw_xlsx(&path, &sheet(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#), Some(strings.as_bytes()));
    let limits = Limits { max_held_bytes: 1 << 20, ..Limits::default() };
    let err = Table::open_with(&path, &limits).err().expect("refused");
    assert!(matches!(err, FileError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("sharedStrings"), "{err}");
}

#[test]
fn a_month_cell_before_excels_first_day_fails_its_row() {
    // Before: a month cell holding the date serial 0 (1899-12-30) dropped its row while the
    // import reported success.
    let (_d, path) = temp("serial.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let month = Format::new().set_num_format("yyyy-mm");
    for (c, h) in ["统一社会信用代码", "月份", "营业收入"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=3u32 {
        ws.write_string(r, 0, "91360100MA35XXXX0X").unwrap();
        ws.write_number_with_format(r, 1, if r == 2 { 0.0 } else { 44_713.0 }, &month).unwrap();
        ws.write_number(r, 2, 10.0).unwrap();
    }
    wb.save(&path).unwrap();
    let plan = Plan::default_plan();
    let mut table = Table::open(&path).unwrap();
    let cols = FactColumns::map(&mut table, &plan).unwrap();
    let file = table.file.clone();
    let mut month_errors = Vec::new();
    let mut rows = 0;
    while let Some(next) = table.next_row() {
        let (row, cells) = next.unwrap();
        rows += 1;
        if let Err(e) = cols.parse(&file, row, &cells) {
            assert!(!e.is_empty(), "row {row} failed without saying why");
            month_errors.extend(e.into_iter().filter(|e| e.column.as_deref() == Some("月份")).map(|e| e.row));
        }
    }
    assert_eq!(rows, 3);
    assert_eq!(month_errors, vec![3], "the row with serial 0 is reported");
}

#[test]
fn values_beyond_the_header_are_reported_not_cut() {
    let (_d, path) = temp("wide.csv");
    let mut text = String::from("uscc,month,revenue\n91360100MA35XXXX0X,2022-06,1\n");
    text.push_str("91360100MA35XXXX0X,2022-07,1");
    text.push_str(&",".repeat(5_000));
    text.push_str("9\n");
    std::fs::write(&path, text).unwrap();
    let mut table = Table::open(&path).unwrap();
    let (ok, errors) = all_rows(&mut table);
    assert_eq!(ok, vec![2]);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 3);
    assert!(errors[0].column.as_deref().unwrap().contains("第5003列"), "{:?}", errors[0]);
}

#[test]
fn a_giant_csv_cell_fails_its_row_and_is_not_echoed() {
    let (_d, path) = temp("giant.csv");
    let mut text = String::from("uscc,month,revenue\n91360100MA35XXXX0X,2022-06,");
    text.push_str(&"9".repeat(3 << 20));
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    let mut table = Table::open(&path).unwrap();
    let (ok, errors) = all_rows(&mut table);
    assert!(ok.is_empty());
    assert_eq!(errors.len(), 1);
    assert!(errors[0].reason.contains("1024 KB"), "{:?}", errors[0].reason);
    assert!(errors[0].to_string().len() < 1_000);
}

#[test]
fn a_gb18030_file_is_read_as_a_stream() {
    let (_d, path) = temp("gbk.csv");
    let mut text = String::from("统一社会信用代码,月份,营业收入\n");
    for _ in 0..50_000 {
        text.push_str("91360100MA35XXXX0X,2022年6月,1\n");
    }
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    std::fs::write(&path, &bytes).unwrap();
    let mut table = Table::open(&path).unwrap();
    assert_eq!(table.headers[0], "统一社会信用代码");
    let (ok, errors) = all_rows(&mut table);
    assert!(errors.is_empty());
    assert_eq!(ok.len(), 50_000);
}

#[test]
fn errors_are_kept_up_to_the_limit_and_the_rest_counted() {
    let mut errors = RowErrors::new(200);
    for row in 0..1_000 {
        errors.push(RowError { file: "f.csv".into(), row, column: None, value: "x".repeat(10_000), reason: "bad".into() });
    }
    assert_eq!(errors.len(), 1_000);
    assert_eq!(errors.shown.len(), 200);
    let text = errors.to_string();
    assert!(text.contains("and 800 more"), "{}", &text[text.len() - 200..]);
    assert!(text.len() < 200 * 200, "values are shortened: {} bytes", text.len());
}

#[test]
fn error_messages_name_the_file_not_its_folder() {
    let (dir, path) = temp("upload-9f3.csv");
    std::fs::write(&path, "uscc,month,revenue\n").unwrap();
    let table = Table::open(&path).unwrap();
    assert_eq!(table.file, "upload-9f3.csv");
    assert!(!table.file.contains(&*dir.path().to_string_lossy()));
}

#[test]
fn a_registry_under_a_title_row_finds_its_header() {
    let (_d, path) = temp("registry.csv");
    std::fs::write(&path, "赣江新区企业名录(2022年)\n\n统一社会信用代码,企业名称,组团,产业\n91360100MA35XXXX0X,甲,etdz,optoelectronics\n注:名称以营业执照为准\n").unwrap();
    let mut table = Table::open(&path).unwrap();
    leapfrog_files::EnterpriseColumns::map(&mut table).unwrap();
    assert_eq!(table.header_row, 3);
    let (ok, errors) = all_rows(&mut table);
    assert_eq!((ok, errors.len()), (vec![4], 0));
    assert_eq!(table.skipped, vec![5]);
}

#[test]
fn csv_rows_are_numbered_as_a_spreadsheet_shows_them() {
    // Empty lines count as rows in a spreadsheet; a quoted value over two lines is one row
    // (lines: a,b / empty / x / "two / lines" / y / empty / z).
    let (_d, path) = temp("lines.csv");
    std::fs::write(&path, "a,b\n\nx,1\n\"two\nlines\",2\ny,3\n\nz,4").unwrap();
    let mut table = Table::open(&path).unwrap();
    let (ok, errors) = all_rows(&mut table);
    assert!(errors.is_empty());
    assert_eq!(ok, vec![3, 4, 5, 7]);
}

/// A sheet's rows cross from the reading thread in batches: every row arrives once, in order,
/// with its own row number, across many batches, blank rows skipped and a row of megabytes
/// still refused by its own number.
#[test]
fn a_long_sheet_arrives_row_by_row_with_its_numbers() {
    let (_d, path) = temp("long.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "n").unwrap();
    // Rows 2..=2001 hold their own number, except every 97th row, left blank.
    for r in 1..=2000u32 {
        if r % 97 != 0 {
            ws.write_number(r, 0, f64::from(r + 1)).unwrap();
        }
    }
    wb.save(&path).unwrap();
    let mut table = Table::open(&path).unwrap();
    let mut seen = Vec::new();
    while let Some(next) = table.next_row() {
        let (row, cells) = next.unwrap();
        assert_eq!(cells[0].shown(), row.to_string(), "row {row} carries its own cells");
        seen.push(row);
    }
    let expected: Vec<usize> = (1..=2000u32).filter(|r| r % 97 != 0).map(|r| r as usize + 1).collect();
    assert_eq!(seen, expected);

    // A row over the limit, deep in the sheet, is reported as the rows before it arrive.
    let (_d, path) = temp("long-wide.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "n").unwrap();
    for r in 1..=1000u32 {
        ws.write_string(r, 0, if r == 900 { "x".repeat(3000) } else { "v".into() }).unwrap();
    }
    wb.save(&path).unwrap();
    let limits = Limits { max_row_bytes: 2048, ..Limits::default() };
    let mut table = Table::open_with(&path, &limits).unwrap();
    let mut good = 0;
    let failure = loop {
        match table.next_row() {
            Some(Ok(_)) => good += 1,
            Some(Err(e)) => break e,
            None => panic!("the long row must be refused"),
        }
    };
    assert_eq!(good, 899, "every row before the refused one arrives");
    assert_eq!(failure.row, 901, "the refusal names the long row: {failure:?}");
    assert!(failure.reason.contains("2 KB"), "{failure:?}");
    assert!(table.next_row().is_none(), "nothing after it");
}
