//! The platforms and teams file: one science and technology platform or 双创团队 a row.

use domain::innovation::{Category, InnovationRecord, Level};
use domain::projects::check_project_code;
use domain::{Plan, Uscc};

use crate::cells;
use crate::enterprises::{Column, RowCheck, locate, text};
use crate::table::{Cell, Table};
use crate::{FileError, RowError};

pub(crate) const INNOVATION_COLUMNS: &[Column] = &[
    Column { code: "code", zh: "编号", required: true },
    Column { code: "name", zh: "名称", required: true },
    Column { code: "category", zh: "类别", required: true },
    Column { code: "level", zh: "级别", required: true },
    Column { code: "kind", zh: "类型", required: false },
    Column { code: "host_uscc", zh: "依托单位统一社会信用代码", required: false },
    Column { code: "host_name", zh: "依托单位", required: true },
    Column { code: "recognised_on", zh: "认定日期", required: true },
    Column { code: "revoked_on", zh: "撤销日期", required: false },
    Column { code: "note", zh: "备注", required: false },
];

/// Where the platforms file's columns are.
pub struct InnovationColumns {
    at: Vec<Option<usize>>,
}

impl InnovationColumns {
    pub fn map(table: &mut Table) -> Result<Self, FileError> {
        Ok(InnovationColumns { at: locate(table, INNOVATION_COLUMNS)? })
    }

    pub fn headers() -> Vec<&'static str> {
        INNOVATION_COLUMNS.iter().map(|c| c.zh).collect()
    }

    pub fn parse(&self, _plan: &Plan, file: &str, row: usize, cells: &[Cell]) -> Result<InnovationRecord, Vec<RowError>> {
        let empty = Cell::Empty;
        let get = |k: usize| self.at[k].and_then(|i| cells.get(i)).unwrap_or(&empty);
        let mut check = RowCheck { file, row, errors: Vec::new() };
        macro_rules! read {
            ($k:expr, $read:expr) => {
                cells::read(&mut check, INNOVATION_COLUMNS[$k].zh, get($k), $read)
            };
        }
        let words = cells::words;
        let code = read!(0, |c: &Cell| {
            let t = text(c).trim().to_string();
            check_project_code(&t).map(|()| t).map_err(|e| e.replace("项目编号", "编号"))
        });
        let name = read!(1, words("名称", true));
        let category = read!(2, |c: &Cell| Category::parse(&text(c))
            .ok_or_else(|| "类别应为 科创平台 或 双创团队 / unknown category".to_string()));
        let level = read!(3, |c: &Cell| Level::parse(&text(c))
            .ok_or_else(|| "级别应为 国家级、省级 或 市级 / unknown level".to_string()));
        let kind = read!(4, words("类型", false));
        let host_uscc = read!(5, |c: &Cell| {
            let t = text(c);
            if t.trim().is_empty() { Ok(None) } else { Uscc::parse(&t).map(|u| Some(u.to_string())).map_err(|e| e.to_string()) }
        });
        let host_name = read!(6, words("依托单位", true));
        let recognised_on =
            read!(7, |c: &Cell| cells::date(c).and_then(|d| d.ok_or_else(|| "认定日期不能为空 / required".to_string())));
        let revoked_on = read!(8, cells::date);
        let note = read!(9, words("备注", false));
        match (code, name, category, level, kind, host_uscc, host_name, recognised_on, revoked_on, note) {
            (
                Some(code),
                Some(name),
                Some(category),
                Some(level),
                Some(kind),
                Some(host_uscc),
                Some(host_name),
                Some(recognised_on),
                Some(revoked_on),
                Some(note),
            ) if check.errors.is_empty() => {
                let r =
                    InnovationRecord { code, name, category, level, kind, host_uscc, host_name, recognised_on, revoked_on, note };
                match r.check() {
                    Ok(()) => Ok(r),
                    Err(e) => {
                        check.fail(INNOVATION_COLUMNS[8].zh, get(8), e);
                        Err(check.errors)
                    }
                }
            }
            _ => Err(check.errors),
        }
    }
}
