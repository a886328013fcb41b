//! XLSX out: templates for the import files and exports of on-screen tables.

use std::path::Path;

use domain::Plan;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

use crate::FileError;
use crate::enterprises::ENTERPRISE_COLUMNS;

/// A column of an exported sheet; `decimals` set means a right-aligned number with separators.
#[derive(Debug, Clone)]
pub struct SheetColumn {
    pub header: String,
    pub decimals: Option<u32>,
    pub width: f64,
}

/// A value of an exported cell.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell {
    Text(String),
    Number(f64),
    Empty,
}

/// One worksheet: a title line (e.g. with the data cut-off), then a header row and data rows.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub title: Option<String>,
    pub columns: Vec<SheetColumn>,
    pub rows: Vec<Vec<XCell>>,
}

fn write_err(e: XlsxError) -> FileError {
    FileError::Write(format!("无法写出 XLSX / cannot write XLSX: {e}"))
}

/// Writes sheets to a workbook in memory.
pub fn write_xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, FileError> {
    let mut book = WorkbookWriter::new();
    for sheet in sheets {
        book.add(sheet)?;
    }
    book.finish()
}

/// A workbook written a row at a time: each sheet's rows go to a temporary file as they come,
/// so a sheet of any length takes the memory of one row (rust_xlsxwriter's constant-memory
/// mode), and only the finished, compressed file is held.
pub struct WorkbookWriter {
    book: Workbook,
    header: Format,
    title: Format,
}

/// One sheet of a [`WorkbookWriter`]: rows in order, after its title line and header row.
pub struct SheetWriter<'a> {
    book: &'a mut Workbook,
    index: usize,
    formats: Vec<Format>,
    next: u32,
}

impl Default for WorkbookWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl WorkbookWriter {
    pub fn new() -> Self {
        WorkbookWriter {
            book: Workbook::new(),
            header: Format::new().set_bold().set_background_color("#DDEBF7").set_border(rust_xlsxwriter::FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(14),
        }
    }

    /// Starts a sheet: its name, an optional title line above the header (e.g. with the data
    /// cut-off), and its columns. A sheet is finished when the next one starts.
    pub fn sheet(&mut self, name: &str, title: Option<&str>, columns: &[SheetColumn]) -> Result<SheetWriter<'_>, FileError> {
        let ws = self.book.add_worksheet_with_constant_memory().map_err(write_err)?;
        ws.set_name(name).map_err(write_err)?;
        let mut r = 0u32;
        if let Some(t) = title {
            ws.write_string_with_format(0, 0, t, &self.title).map_err(write_err)?;
            r = 1;
        }
        for (c, col) in columns.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, &col.header, &self.header).map_err(write_err)?;
            ws.set_column_width(c as u16, col.width).map_err(write_err)?;
        }
        ws.set_freeze_panes(r + 1, 0).map_err(write_err)?;
        let formats = columns
            .iter()
            .map(|c| match c.decimals {
                Some(0) => Format::new().set_num_format("#,##0").set_align(FormatAlign::Right),
                Some(d) => {
                    Format::new().set_num_format(format!("#,##0.{}", "0".repeat(d as usize))).set_align(FormatAlign::Right)
                }
                None => Format::new(),
            })
            .collect();
        let index = self.book.worksheets().len() - 1;
        Ok(SheetWriter { book: &mut self.book, index, formats, next: r + 1 })
    }

    /// A sheet already made whole.
    pub fn add(&mut self, sheet: &Sheet) -> Result<(), FileError> {
        let mut out = self.sheet(&sheet.name, sheet.title.as_deref(), &sheet.columns)?;
        for row in &sheet.rows {
            out.row(row)?;
        }
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, FileError> {
        if self.book.worksheets().is_empty() {
            // A workbook needs a sheet; an export of nothing is an empty one.
            self.book.add_worksheet();
        }
        self.book.save_to_buffer().map_err(write_err)
    }
}

impl SheetWriter<'_> {
    /// Writes the next data row; a cell beyond the columns takes the last column's format.
    pub fn row(&mut self, cells: &[XCell]) -> Result<(), FileError> {
        let ws = self.book.worksheet_from_index(self.index).map_err(write_err)?;
        let r = self.next;
        for (c, v) in cells.iter().enumerate() {
            match v {
                XCell::Text(t) => ws.write_string(r, c as u16, t).map(|_| ()),
                XCell::Number(n) => match self.formats.get(c).or(self.formats.last()) {
                    Some(f) => ws.write_number_with_format(r, c as u16, *n, f).map(|_| ()),
                    None => ws.write_number(r, c as u16, *n).map(|_| ()),
                },
                XCell::Empty => Ok(()),
            }
            .map_err(write_err)?;
        }
        self.next += 1;
        Ok(())
    }
}

fn text_col(header: impl Into<String>, width: f64) -> SheetColumn {
    SheetColumn { header: header.into(), decimals: None, width }
}

/// An empty import template with the headers the importer reads, and a sheet explaining them.
pub fn template(kind: &str, plan: &Plan, out: &Path) -> Result<(), FileError> {
    let (columns, notes): (Vec<SheetColumn>, Vec<(String, String)>) = match kind {
        "enterprises" => (
            ENTERPRISE_COLUMNS.iter().map(|c| text_col(c.zh, 18.0)).collect(),
            vec![
                ("统一社会信用代码".into(), "18位,校验位按 GB 32100-2015 检查".into()),
                ("组团".into(), plan.zones.iter().map(|z| format!("{}({})", z.name, z.code)).collect::<Vec<_>>().join("、")),
                ("产业".into(), plan.industries.iter().map(|i| format!("{}({})", i.name, i.code)).collect::<Vec<_>>().join("、")),
                ("用地面积(亩)".into(), "数字,最多3位小数;可空".into()),
                ("规上".into(), "是 / 否".into()),
                ("成立日期".into(), "YYYY-MM-DD".into()),
                ("标签".into(), "以“、”或“;”分隔,如 专精特新、高新技术企业".into()),
            ],
        ),
        "facts" => {
            let mut cols = vec![text_col("统一社会信用代码", 22.0), text_col("月份", 10.0)];
            cols.extend(plan.indicators.iter().map(|i| text_col(format!("{}({})", i.name, i.unit), 16.0)));
            let mut notes = vec![
                ("月份".to_string(), "2022-06、2022/6 或 2022年6月".to_string()),
                ("数值".to_string(), "当月数(非累计);累计数请用 --cumulative 导入;空白表示未填报,不等于0".to_string()),
            ];
            notes.extend(
                plan.indicators
                    .iter()
                    .map(|i| (format!("{}({})", i.name, i.unit), format!("代码 {},最多{}位小数", i.code, i.decimals))),
            );
            (cols, notes)
        }
        "projects" | "project-plans" | "project-reports" | "requirements" => {
            let kind = crate::projects::ProjectFileKind::from_code(kind).expect("one of the four");
            let cols = kind.headers().into_iter().map(|h| text_col(h, 16.0)).collect();
            let departments = plan.departments.iter().map(|d| format!("{}({})", d.name, d.code)).collect::<Vec<_>>().join("、");
            let notes = vec![
                ("项目编号".to_string(), "字母、数字、-、_,至多40字符;同一编号再次导入即更新".to_string()),
                ("月份".to_string(), "2022-06、2022/6 或 2022年6月;计划/实际开工竣工空白表示尚无".to_string()),
                ("金额".to_string(), "万元,最多2位小数;累计数由系统计算,不导入".to_string()),
                ("类型 / 状态".to_string(), "新建、扩建、技改 / 谋划、签约、前期、在建、竣工、投产".to_string()),
                ("要件".to_string(), "立项、规划选址、用地、环评、施工许可".to_string()),
                ("责任部门".to_string(), departments),
                ("组团".to_string(), plan.zones.iter().map(|z| format!("{}({})", z.name, z.code)).collect::<Vec<_>>().join("、")),
            ];
            (cols, notes)
        }
        "leads" => {
            let cols = crate::leads::LeadColumns::headers().into_iter().map(|h| text_col(h, 14.0)).collect();
            let notes = vec![
                ("线索编号".to_string(), "字母、数字、-、_,至多40字符;同一编号再次导入即更新".to_string()),
                ("来源".to_string(), plan.leads.sources.join("、")),
                ("目标企业".to_string(), "世界500强、中国500强、民营500强、行业100强,以“、”分隔;可空".to_string()),
                ("责任单位".to_string(), "部门(如 开放发展局)或一级组团".to_string()),
                ("阶段".to_string(), "线索、洽谈、签约、注册、开工、投产;到达签约及以后各阶段须填写对应日期".to_string()),
                ("金额".to_string(), "万元,最多2位小数".to_string()),
            ];
            (cols, notes)
        }
        "tags" => {
            let cols = crate::tags::TagColumns::headers().into_iter().map(|h| text_col(h, 18.0)).collect();
            let departments =
                |code: &str| plan.departments.iter().find(|d| d.code == code).map_or(code.to_string(), |d| d.name.clone());
            let notes = vec![
                (
                    "标签".to_string(),
                    plan.tags
                        .iter()
                        .map(|t| format!("{}({},{}认定)", t.name, t.code, departments(&t.department)))
                        .collect::<Vec<_>>()
                        .join("、"),
                ),
                (
                    "起始日期 / 截止日期".to_string(),
                    "YYYY-MM-DD;截止日期空白表示仍有效;同一企业、标签、起始日期再次导入即更新".to_string(),
                ),
                ("权限".to_string(), "每个标签只能由认定它的部门(或经发局统筹)导入".to_string()),
            ];
            (cols, notes)
        }
        "innovation" => {
            let cols = crate::innovation::InnovationColumns::headers().into_iter().map(|h| text_col(h, 16.0)).collect();
            let notes = vec![
                ("编号".to_string(), "字母、数字、-、_,至多40字符;同一编号再次导入即更新".to_string()),
                ("类别 / 级别".to_string(), "科创平台 或 双创团队 / 国家级、省级 或 市级".to_string()),
                (
                    "类型".to_string(),
                    "如 企业技术中心、工程研究中心、重点实验室、技术创新中心、院士工作站、新型研发机构".to_string(),
                ),
                ("依托单位".to_string(), "企业请同时填写统一社会信用代码;高校、院所可只填名称".to_string()),
                ("认定日期 / 撤销日期".to_string(), "YYYY-MM-DD;撤销日期空白表示仍有效".to_string()),
            ];
            (cols, notes)
        }
        other => {
            return Err(FileError::Write(format!(
                "未知模板“{other}”,应为 enterprises、facts、projects、project-plans、project-reports、requirements、leads、tags 或 innovation / unknown template"
            )));
        }
    };
    let sheets = [
        Sheet { name: "数据".into(), title: None, columns, rows: Vec::new() },
        Sheet {
            name: "填写说明".into(),
            title: Some(format!("{} — 导入模板说明", plan.name)),
            columns: vec![text_col("列", 24.0), text_col("说明", 90.0)],
            rows: notes.into_iter().map(|(a, b)| vec![XCell::Text(a), XCell::Text(b)]).collect(),
        },
    ];
    let bytes = write_xlsx(&sheets)?;
    std::fs::write(out, bytes).map_err(|source| FileError::Io { file: out.display().to_string(), source })
}

/// A sheet as CSV (UTF-8 with a BOM, as Excel on Chinese Windows opens it): the header row, then
/// the rows; numbers as plain decimals. The title line is left out so the file imports again.
pub fn write_csv(sheet: &Sheet) -> Result<Vec<u8>, FileError> {
    let err = |e: csv::Error| FileError::Write(format!("无法写出 CSV / cannot write CSV: {e}"));
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(sheet.columns.iter().map(|c| c.header.as_str())).map_err(err)?;
    for row in &sheet.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                XCell::Text(t) => t.clone(),
                XCell::Number(n) => format!("{n}"),
                XCell::Empty => String::new(),
            })
            .collect();
        w.write_record(&cells).map_err(err)?;
    }
    w.into_inner().map_err(|e| FileError::Write(format!("无法写出 CSV / cannot write CSV: {e}")))
}
