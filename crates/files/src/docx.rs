//! DOCX out: a report laid out as a Chinese government bulletin (红头 title, issuing body and
//! date, numbered sections of text and tables), written as WordprocessingML in a zip — no office
//! suite needed. The same report also goes to XLSX, one sheet per table.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use crate::FileError;
use crate::xlsx::{Sheet, SheetColumn, XCell};

/// A report: its title, who issues it and when, and its sections.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub title: String,
    /// e.g. 赣江新区经济发展局
    pub issuer: String,
    /// e.g. 2022年10月15日
    pub date: String,
    /// A line under the title, e.g. the document number or the period.
    pub subtitle: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Without its number: 总体情况 (numbered 一、二、… when written).
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub tables: Vec<ReportTable>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportTable {
    pub title: String,
    /// Under the title, right-aligned: the unit and the data's cut-off, e.g. 单位:亿元;数据截至2022年9月30日
    pub note: String,
    pub columns: Vec<String>,
    /// Which columns hold numbers (right-aligned).
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// The text width of an A4 page with the bulletin's margins, in twentieths of a point.
const TEXT_WIDTH: usize = 11906 - 1588 - 1474;

const NUMBERS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A paragraph: style, alignment and runs of text (font, half-point size, bold).
fn para(style: Option<&str>, align: Option<&str>, text: &str, font: &str, half_points: u32, bold: bool) -> String {
    let mut p = String::from("<w:p><w:pPr>");
    if let Some(s) = style {
        p.push_str(&format!("<w:pStyle w:val=\"{s}\"/>"));
    }
    if let Some(a) = align {
        p.push_str(&format!("<w:jc w:val=\"{a}\"/>"));
    }
    p.push_str("</w:pPr>");
    p.push_str(&run(text, font, half_points, bold));
    p.push_str("</w:p>");
    p
}

fn run(text: &str, font: &str, half_points: u32, bold: bool) -> String {
    format!(
        "<w:r><w:rPr><w:rFonts w:ascii=\"{font}\" w:eastAsia=\"{font}\" w:hAnsi=\"{font}\"/>{}<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        if bold { "<w:b/>" } else { "" },
        esc(text)
    )
}

fn table(t: &ReportTable) -> String {
    let mut x = String::new();
    // The title and note stay on the page of the table they head.
    let keep = |p: String| p.replacen("<w:pPr>", "<w:pPr><w:keepNext/>", 1);
    x.push_str(&keep(para(None, Some("center"), &t.title, "SimHei", 24, true)));
    if !t.note.is_empty() {
        x.push_str(&keep(para(None, Some("right"), &t.note, "SimSun", 18, false)));
    }
    x.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>");
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        x.push_str(&format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"));
    }
    x.push_str("</w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr>");
    // Columns as wide as their longest text needs (a CJK character counts twice, about 100 twips
    // a unit at the table's 9 pt): short ones whole, long ones sharing what is left.
    let display = |s: &str| s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
    let needs: Vec<usize> = (0..t.columns.len())
        .map(|k| {
            let longest = t.rows.iter().filter_map(|r| r.get(k)).map(|v| display(v)).max().unwrap_or(0);
            longest.min(60).max(display(&t.columns[k]).min(8)).max(4)
        })
        .collect();
    let whole = |n: usize| n * 100 + 180;
    let short_total: usize = needs.iter().filter(|n| **n <= 16).map(|n| whole(*n)).sum();
    let long_need: usize = needs.iter().filter(|n| **n > 16).sum();
    let left = TEXT_WIDTH.saturating_sub(short_total);
    let widths: Vec<usize> = if long_need == 0 || left < TEXT_WIDTH / 4 {
        let total: usize = needs.iter().sum::<usize>().max(1);
        needs.iter().map(|n| TEXT_WIDTH * n / total).collect()
    } else {
        needs.iter().map(|n| if *n <= 16 { whole(*n) } else { left * n / long_need }).collect()
    };
    x.push_str("<w:tblGrid>");
    for w in &widths {
        x.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    x.push_str("</w:tblGrid>");
    let cell = |k: usize, text: &str, numeric: bool, head: bool| {
        let shade = if head { "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"D9E2F3\"/>" } else { "" };
        let w = widths.get(k).copied().unwrap_or(TEXT_WIDTH / 8);
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>{shade}<w:vAlign w:val=\"center\"/></w:tcPr>{}</w:tc>",
            para(
                None,
                Some(if head {
                    "center"
                } else if numeric {
                    "right"
                } else {
                    "left"
                }),
                text,
                "SimSun",
                18,
                head
            )
        )
    };
    x.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
    for (k, c) in t.columns.iter().enumerate() {
        x.push_str(&cell(k, c, false, true));
    }
    x.push_str("</w:tr>");
    for r in &t.rows {
        x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (k, v) in r.iter().enumerate() {
            x.push_str(&cell(k, v, t.numeric.get(k).copied().unwrap_or(false), false));
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
    x.push_str(&para(None, None, "", "SimSun", 12, false));
    x
}

fn document(r: &Report) -> String {
    let mut body = String::new();
    // The red-head title block of a bulletin: issuer in red, a red rule, then the title.
    body.push_str(&format!(
        "<w:p><w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"120\"/></w:pPr><w:r><w:rPr><w:rFonts w:ascii=\"SimSun\" w:eastAsia=\"SimSun\" w:hAnsi=\"SimSun\"/><w:b/><w:color w:val=\"C00000\"/><w:sz w:val=\"52\"/></w:rPr><w:t>{}</w:t></w:r></w:p>",
        esc(&r.issuer)
    ));
    body.push_str(
        "<w:p><w:pPr><w:pBdr><w:bottom w:val=\"single\" w:sz=\"18\" w:space=\"1\" w:color=\"C00000\"/></w:pBdr></w:pPr></w:p>",
    );
    if !r.subtitle.is_empty() {
        body.push_str(&para(None, Some("center"), &r.subtitle, "FangSong", 28, false));
    }
    body.push_str(&para(None, Some("center"), &r.title, "SimHei", 40, true));
    for (k, s) in r.sections.iter().enumerate() {
        let number = NUMBERS.get(k).copied().unwrap_or("");
        body.push_str(&para(Some("Heading1"), None, &format!("{number}、{}", s.heading), "SimHei", 32, false));
        for p in &s.paragraphs {
            body.push_str(&format!(
                "<w:p><w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:spacing w:line=\"440\" w:lineRule=\"exact\"/><w:jc w:val=\"both\"/></w:pPr>{}</w:p>",
                run(p, "FangSong", 32, false)
            ));
        }
        for t in &s.tables {
            body.push_str(&table(t));
        }
    }
    body.push_str(&para(None, Some("right"), &r.issuer, "FangSong", 32, false));
    body.push_str(&para(None, Some("right"), &r.date, "FangSong", 32, false));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}\
<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>\
</w:body></w:document>"
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"FangSong\" w:eastAsia=\"FangSong\" w:hAnsi=\"FangSong\"/><w:sz w:val=\"32\"/><w:lang w:val=\"zh-CN\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"360\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/>\
<w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/><w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/><w:outlineLvl w:val=\"0\"/></w:pPr></w:style>\
</w:styles>";

/// Writes the report as a DOCX in memory.
pub fn write_docx(r: &Report) -> Result<Vec<u8>, FileError> {
    let err = |e: &dyn std::fmt::Display| FileError::Write(format!("无法写出 DOCX / cannot write DOCX: {e}"));
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator></cp:coreProperties>",
        esc(&r.title),
        esc(&r.issuer)
    );
    let document = document(r);
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS),
        ("word/styles.xml", STYLES),
        ("docProps/core.xml", core.as_str()),
        ("word/document.xml", document.as_str()),
    ] {
        zip.start_file(name, opts).map_err(|e| err(&e))?;
        zip.write_all(text.as_bytes()).map_err(|e| err(&e))?;
    }
    Ok(zip.finish().map_err(|e| err(&e))?.into_inner())
}

/// The report's tables as a workbook: one sheet per table, its note as the sheet's title line.
pub fn report_sheets(r: &Report) -> Vec<Sheet> {
    let mut sheets = Vec::new();
    for s in &r.sections {
        for t in &s.tables {
            // Sheet names are at most 31 characters and unique.
            let mut name: String = t.title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(28).collect();
            if sheets.iter().any(|x: &Sheet| x.name == name) {
                name = format!("{}{}", name.chars().take(25).collect::<String>(), sheets.len() + 1);
            }
            sheets.push(Sheet {
                name,
                title: Some(format!("{}({})", t.title, t.note)),
                columns: t
                    .columns
                    .iter()
                    .zip(t.numeric.iter().chain(std::iter::repeat(&false)))
                    .map(|(c, numeric)| SheetColumn {
                        header: c.clone(),
                        decimals: numeric.then_some(2),
                        width: if *numeric { 14.0 } else { 20.0 },
                    })
                    .collect(),
                rows: t
                    .rows
                    .iter()
                    .map(|row| {
                        row.iter()
                            .zip(t.numeric.iter().chain(std::iter::repeat(&false)))
                            .map(|(v, numeric)| match (numeric, v.replace([',', '%'], "").parse::<f64>()) {
                                (true, Ok(n)) => XCell::Number(n),
                                _ if v.is_empty() || v == "—" => XCell::Empty,
                                _ => XCell::Text(v.clone()),
                            })
                            .collect()
                    })
                    .collect(),
            });
        }
    }
    sheets
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn report() -> Report {
        Report {
            title: "季度通报".into(),
            issuer: "新区经济发展局".into(),
            date: "2022年10月15日".into(),
            subtitle: "2022年第3季度".into(),
            sections: vec![Section {
                heading: "总体情况".into(),
                paragraphs: vec!["营收 <增长> & 投资".into()],
                tables: vec![ReportTable {
                    title: "产业进度".into(),
                    note: "单位:亿元".into(),
                    columns: vec!["产业".into(), "累计".into()],
                    numeric: vec![false, true],
                    rows: vec![vec!["光电".into(), "1,234.50".into()]],
                }],
            }],
        }
    }

    #[test]
    fn a_report_is_a_docx_word_reads_with_its_text_escaped() {
        let bytes = write_docx(&report()).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut doc = String::new();
        zip.by_name("word/document.xml").unwrap().read_to_string(&mut doc).unwrap();
        assert!(doc.contains("一、总体情况"));
        assert!(doc.contains("营收 &lt;增长&gt; &amp; 投资"));
        assert!(doc.contains("<w:tbl>") && doc.contains("1,234.50"));
        assert!(zip.by_name("[Content_Types].xml").is_ok());
        let sheets = report_sheets(&report());
        assert_eq!(sheets[0].rows[0], vec![XCell::Text("光电".into()), XCell::Number(1234.5)]);
    }
}
