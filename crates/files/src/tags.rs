//! The designations file: one period of one designation of one enterprise a row.

use domain::Plan;
use domain::Uscc;
use domain::tags::EnterpriseTag;

use crate::cells;
use crate::enterprises::{Column, RowCheck, locate, text};
use crate::table::{Cell, Table};
use crate::{FileError, RowError};

pub(crate) const TAG_COLUMNS: &[Column] = &[
    Column { code: "uscc", zh: "统一社会信用代码", required: true },
    Column { code: "tag", zh: "标签", required: true },
    Column { code: "valid_from", zh: "起始日期", required: true },
    Column { code: "valid_to", zh: "截止日期", required: false },
    Column { code: "note", zh: "备注", required: false },
];

/// Where the designations file's columns are.
pub struct TagColumns {
    at: Vec<Option<usize>>,
}

impl TagColumns {
    pub fn map(table: &mut Table) -> Result<Self, FileError> {
        Ok(TagColumns { at: locate(table, TAG_COLUMNS)? })
    }

    /// The header row of a template or an export.
    pub fn headers() -> Vec<&'static str> {
        TAG_COLUMNS.iter().map(|c| c.zh).collect()
    }

    pub fn parse(&self, plan: &Plan, file: &str, row: usize, cells: &[Cell]) -> Result<EnterpriseTag, Vec<RowError>> {
        let empty = Cell::Empty;
        let get = |k: usize| self.at[k].and_then(|i| cells.get(i)).unwrap_or(&empty);
        let mut check = RowCheck { file, row, errors: Vec::new() };
        macro_rules! read {
            ($k:expr, $read:expr) => {
                cells::read(&mut check, TAG_COLUMNS[$k].zh, get($k), $read)
            };
        }
        let uscc = read!(0, |c: &Cell| Uscc::parse(&text(c)).map(|u| u.to_string()).map_err(|e| e.to_string()));
        let tag = read!(1, |c: &Cell| plan.resolve_tag(&text(c)).map(|t| t.code.clone()).ok_or_else(|| {
            format!(
                "未知标签,应为 {} 之一 / unknown designation",
                plan.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join("、")
            )
        }));
        let from = read!(2, |c: &Cell| cells::date(c).and_then(|d| d.ok_or_else(|| "起始日期不能为空 / required".to_string())));
        let to = read!(3, cells::date);
        let note = read!(4, cells::words("备注", false));
        match (uscc, tag, from, to, note) {
            (Some(uscc), Some(tag), Some(valid_from), Some(valid_to), Some(note)) if check.errors.is_empty() => {
                let t = EnterpriseTag { uscc, tag, valid_from, valid_to, note };
                match t.check() {
                    Ok(()) => Ok(t),
                    Err(e) => {
                        check.fail(TAG_COLUMNS[3].zh, get(3), e);
                        Err(check.errors)
                    }
                }
            }
            _ => Err(check.errors),
        }
    }
}
