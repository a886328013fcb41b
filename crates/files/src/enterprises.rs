//! The enterprise file (PRODUCT.md §5): 统一社会信用代码, 企业名称, 组团, 产业, 用地面积(亩), 规上,
//! 成立日期, 标签.

use domain::{Enterprise, Plan, Uscc};

use crate::cells;
use crate::table::{Cell, Table};
use crate::{FileError, RowError};

/// A column of an import file: its English code and its Chinese name (unit in brackets optional).
pub(crate) struct Column {
    pub code: &'static str,
    pub zh: &'static str,
    pub required: bool,
}

pub(crate) const ENTERPRISE_COLUMNS: &[Column] = &[
    Column { code: "uscc", zh: "统一社会信用代码", required: true },
    Column { code: "name", zh: "企业名称", required: true },
    Column { code: "zone", zh: "组团", required: true },
    Column { code: "industry", zh: "产业", required: true },
    Column { code: "land_mu", zh: "用地面积(亩)", required: false },
    Column { code: "above_scale", zh: "规上", required: false },
    Column { code: "established", zh: "成立日期", required: false },
    Column { code: "tags", zh: "标签", required: false },
    Column { code: "park", zh: "园区", required: false },
];

/// A header without its bracketed unit: 营业收入(万元) → 营业收入.
pub(crate) fn bare(header: &str) -> &str {
    header.split(['(', '(']).next().unwrap_or(header).trim()
}

pub(crate) fn matches(header: &str, col: &Column) -> bool {
    let h = header.trim();
    h.eq_ignore_ascii_case(col.code) || h == col.zh || bare(h) == bare(col.zh)
}

/// Finds a file's header row by its columns (a title or unit row may sit above it) and where
/// each column is.
pub(crate) fn locate(table: &mut Table, columns: &[Column]) -> Result<Vec<Option<usize>>, FileError> {
    let file = table.file.clone();
    table.find_header(|h| map_columns(&file, h, columns).is_ok());
    map_columns(&file, &table.headers, columns)
}

/// Finds each known column in a header row; a required column missing is a file error.
pub(crate) fn map_columns(file: &str, headers: &[String], columns: &[Column]) -> Result<Vec<Option<usize>>, FileError> {
    let mut found = vec![None; columns.len()];
    for (i, h) in headers.iter().enumerate() {
        if let Some(k) = columns.iter().position(|c| matches(h, c)) {
            if found[k].is_some() {
                return Err(FileError::DuplicateColumn { file: file.to_string(), column: h.clone() });
            }
            found[k] = Some(i);
        }
    }
    let missing: Vec<String> = columns
        .iter()
        .zip(&found)
        .filter(|(c, f)| c.required && f.is_none())
        .map(|(c, _)| format!("{}({})", c.zh, c.code))
        .collect();
    if !missing.is_empty() {
        return Err(FileError::MissingColumns {
            file: file.to_string(),
            missing: missing.join("、"),
            accepted: columns.iter().map(|c| format!("{}/{}", c.zh, c.code)).collect::<Vec<_>>().join("、"),
        });
    }
    Ok(found)
}

/// Collects the errors of one row.
pub(crate) struct RowCheck<'a> {
    pub file: &'a str,
    pub row: usize,
    pub errors: Vec<RowError>,
}

impl RowCheck<'_> {
    pub fn fail(&mut self, column: &str, cell: &Cell, reason: impl Into<String>) {
        self.errors.push(RowError {
            file: self.file.to_string(),
            row: self.row,
            column: Some(column.to_string()),
            value: cell.shown(),
            reason: reason.into(),
        });
    }
}

pub(crate) fn text(cell: &Cell) -> String {
    match cell {
        Cell::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
        other => other.shown(),
    }
}

/// Longer than any registered company name (the longest run to a few dozen characters).
const MAX_NAME_CHARS: usize = 200;

/// Where each enterprise column is in a file.
pub struct EnterpriseColumns {
    at: Vec<Option<usize>>,
}

impl EnterpriseColumns {
    /// Finds the columns, and first the header row itself (a statistical table may have a title
    /// and a unit row above it).
    pub fn map(table: &mut Table) -> Result<Self, FileError> {
        Ok(EnterpriseColumns { at: locate(table, ENTERPRISE_COLUMNS)? })
    }

    /// Reads one row into an enterprise, or every problem the row has.
    pub fn parse(&self, plan: &Plan, file: &str, row: usize, cells: &[Cell]) -> Result<Enterprise, Vec<RowError>> {
        let empty = Cell::Empty;
        let get = |k: usize| self.at[k].and_then(|i| cells.get(i)).unwrap_or(&empty);
        let header = |k: usize| ENTERPRISE_COLUMNS[k].zh;
        let mut check = RowCheck { file, row, errors: Vec::new() };

        let uscc = match Uscc::parse(&text(get(0))) {
            Ok(u) => Some(u),
            Err(e) => {
                check.fail(header(0), get(0), e.to_string());
                None
            }
        };
        let name = text(get(1));
        if name.is_empty() {
            check.fail(header(1), get(1), "企业名称不能为空 / the name is required");
        } else if name.chars().count() > MAX_NAME_CHARS {
            check.fail(
                header(1),
                get(1),
                format!("企业名称超过{MAX_NAME_CHARS}字 / the name is longer than {MAX_NAME_CHARS} characters"),
            );
        }
        let zone = match plan.resolve_zone(&text(get(2))) {
            Some(z) => Some(z.code.clone()),
            None => {
                let known: Vec<&str> = plan.zones.iter().map(|z| z.name.as_str()).collect();
                check.fail(header(2), get(2), format!("未知组团,应为 {} 或其代码 / unknown zone", known.join("、")));
                None
            }
        };
        let industry = match plan.resolve_industry(&text(get(3))) {
            Some(i) => Some(i.code.clone()),
            None => {
                check.fail(header(3), get(3), "未知产业,应为计划中的产业名称或代码 / unknown industry");
                None
            }
        };
        let land_mu_milli = cells::amount(get(4), 3).unwrap_or_else(|e| {
            check.fail(header(4), get(4), e);
            None
        });
        let above_scale = cells::yes_no(get(5), "规上", "规下").unwrap_or_else(|e| {
            check.fail(header(5), get(5), e);
            false
        });
        let established = cells::date(get(6)).map(|d| d.map(|d| d.to_string())).unwrap_or_else(|e| {
            check.fail(header(6), get(6), e);
            None
        });
        let tags = text(get(7)).split(['、', ';', ';']).map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect();
        // A park of the plan, in the enterprise's own zone.
        let park_text = text(get(8));
        let park = match park_text.trim() {
            "" => None,
            t => match plan.resolve_park(t) {
                Some(p) if zone.as_ref().is_none_or(|z| *z == p.zone) => Some(p.code.clone()),
                Some(p) => {
                    let zone_name = plan.zones.iter().find(|z| z.code == p.zone).map_or(p.zone.as_str(), |z| z.name.as_str());
                    check.fail(
                        header(8),
                        get(8),
                        format!("园区“{}”属于{zone_name},与企业所在组团不符 / the park is in another zone", p.name),
                    );
                    None
                }
                None => {
                    let known: Vec<&str> = plan.parks.iter().map(|p| p.name.as_str()).collect();
                    check.fail(header(8), get(8), format!("未知园区,应为 {} 或其代码 / unknown park", known.join("、")));
                    None
                }
            },
        };
        match (uscc, zone, industry) {
            (Some(uscc), Some(zone), Some(industry)) if check.errors.is_empty() => {
                Ok(Enterprise { uscc, name, zone, industry, land_mu_milli, above_scale, established, tags, park })
            }
            _ => Err(check.errors),
        }
    }
}
