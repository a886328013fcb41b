//! Reading one cell as a value of the domain: yes/no, a date, a month, an exact amount. Each
//! answers the reason in words when the cell cannot be read, for the row's error list.

use domain::calendar::Date;
use domain::{Amount, Month};

use crate::table::Cell;

/// 是/否 and the usual spellings; blank is no.
pub(crate) fn yes_no(cell: &Cell, yes_word: &str, no_word: &str) -> Result<bool, String> {
    let t = crate::enterprises::text(cell);
    match t.trim() {
        "是" | "Y" | "y" | "yes" | "true" | "1" => Ok(true),
        "否" | "N" | "n" | "no" | "false" | "0" | "" => Ok(false),
        w if w == yes_word => Ok(true),
        w if w == no_word => Ok(false),
        _ => Err("应为“是”或“否” / must be 是 or 否".into()),
    }
}

/// A date as typed (YYYY-MM-DD, 2022/6/1) or as a spreadsheet date; blank is none.
pub(crate) fn date(cell: &Cell) -> Result<Option<Date>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) if (1.0..=2_958_465.0).contains(n) => Ok(Some(Date::from_days(*n as i64 - 25_569))),
        Cell::Number(_) => Err("不是有效日期 / not a valid date".into()),
        Cell::Text(t) if t.trim().is_empty() => Ok(None),
        Cell::Text(t) => Date::parse(t).map(Some).ok_or_else(|| "日期应写作 YYYY-MM-DD / dates are written YYYY-MM-DD".into()),
    }
}

/// A month as the facts file writes it (2022-06, 2022/6, 2022年6月, a spreadsheet date); blank is
/// none.
pub(crate) fn month(cell: &Cell) -> Result<Option<Month>, String> {
    match cell {
        c if c.is_empty() => Ok(None),
        Cell::Date(d) => Month::new(d.year, d.month).map(Some).ok_or_else(|| format!("月份“{}”无法识别", cell.shown())),
        other => Month::parse(&crate::enterprises::text(other)).map(Some).map_err(|e| e.to_string()),
    }
}

/// An exact amount with `decimals` places, not negative; blank is none.
pub(crate) fn amount(cell: &Cell, decimals: u32) -> Result<Option<i64>, String> {
    let parsed = match cell {
        c if c.is_empty() => return Ok(None),
        Cell::Number(n) => Amount::from_f64(*n, decimals),
        Cell::Text(t) => Amount::parse(t, decimals),
        other => Amount::parse(&other.shown(), decimals),
    };
    parsed.map(|a| Some(a.raw)).map_err(|e| e.to_string())
}

/// Words of at most 200 characters, trimmed; `required` refuses a blank cell. `what` names the
/// column in the reason.
pub(crate) fn words(what: &'static str, required: bool) -> impl Fn(&Cell) -> Result<String, String> {
    move |c: &Cell| {
        let t = crate::enterprises::text(c).trim().to_string();
        if required && t.is_empty() {
            Err(format!("{what}不能为空 / required"))
        } else if t.chars().count() > 200 {
            Err(format!("{what}超过200字 / longer than 200 characters"))
        } else {
            Ok(t)
        }
    }
}

/// Reads one cell with `read`, noting its error under the column's name in the row's check.
pub(crate) fn read<T>(
    check: &mut crate::enterprises::RowCheck,
    column: &str,
    cell: &Cell,
    read: impl FnOnce(&Cell) -> Result<T, String>,
) -> Option<T> {
    match read(cell) {
        Ok(v) => Some(v),
        Err(e) => {
            check.fail(column, cell, e);
            None
        }
    }
}
