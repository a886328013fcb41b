//! The monthly facts file (PRODUCT.md §5): 统一社会信用代码, 月份, then one column per indicator.

use domain::month::MonthError;
use domain::{Amount, Indicator, Month, Plan, Uscc};

use crate::enterprises::{Column, RowCheck, bare, map_columns, text};
use crate::table::{Cell, MONTH_LABELS, Table, YTD_LABELS};
use crate::{FileError, RowError};

const KEY_COLUMNS: &[Column] =
    &[Column { code: "uscc", zh: "统一社会信用代码", required: true }, Column { code: "month", zh: "月份", required: true }];

/// One row of a facts file: values in each indicator's smallest kept unit, None where blank.
#[derive(Debug, Clone, PartialEq)]
pub struct FactLine {
    pub row: usize,
    pub uscc: Uscc,
    pub month: Month,
    pub values: Vec<Option<i64>>,
}

/// Where the key columns and each indicator are in a file.
pub struct FactColumns<'p> {
    uscc: usize,
    month: usize,
    pub indicators: Vec<(usize, &'p Indicator)>,
    /// The file gives year-to-date totals (its indicator columns are all 本年累计).
    pub cumulative: bool,
    /// Columns read, for telling which were not.
    used: Vec<usize>,
}

/// What an indicator column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Month,
    YearToDate,
}

impl<'p> FactColumns<'p> {
    /// Finds the columns, and first the header row itself: a statistical table's title and unit
    /// rows are passed over, and a two-row header (营业收入 over 本月 / 本年累计) understood —
    /// the month's own column is read where there is one, else the year to date.
    pub fn map(table: &mut Table, plan: &'p Plan) -> Result<Self, FileError> {
        let file = table.file.clone();
        table.find_header(|h| Self::locate(&file, h, plan).is_ok());
        let cols = Self::locate(&file, &table.headers, plan)?;
        if let Some(unit) = &table.unit
            && !cols.indicators.iter().any(|(_, i)| &i.unit == unit)
        {
            return Err(FileError::Format {
                file,
                reason: format!(
                    "表上注明单位为“{unit}”,而各指标按其自身单位(如营业收入为万元)导入,请换算后再导入 / the table states its unit as {unit}; convert to each indicator's unit"
                ),
            });
        }
        Ok(cols)
    }

    fn locate(file: &str, headers: &[String], plan: &'p Plan) -> Result<Self, FileError> {
        let keys = map_columns(file, headers, KEY_COLUMNS)?;
        // (column, indicator, period) of every indicator column.
        let mut found: Vec<(usize, &Indicator, Period)> = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            if keys.contains(&Some(i)) {
                continue;
            }
            let (name, period) = match h.split_once('|') {
                None => (h.as_str(), Some(Period::Month)),
                Some((name, sub)) if MONTH_LABELS.contains(&sub) => (name, Some(Period::Month)),
                Some((name, sub)) if YTD_LABELS.contains(&sub) => (name, Some(Period::YearToDate)),
                Some((name, _)) => (name, None),
            };
            let (Some(ind), Some(period)) = (plan.resolve_indicator(name), period) else { continue };
            if found.iter().any(|(_, x, p)| x.code == ind.code && *p == period) {
                return Err(FileError::DuplicateColumn { file: file.to_string(), column: h.clone() });
            }
            found.push((i, ind, period));
        }
        // The month's own figure where the file has it; the year to date only where it has not.
        let chosen: Vec<(usize, &Indicator, Period)> = found
            .iter()
            .filter(|(_, ind, p)| *p == Period::Month || !found.iter().any(|(_, x, q)| x.code == ind.code && *q == Period::Month))
            .copied()
            .collect();
        if chosen.is_empty() {
            return Err(FileError::MissingColumns {
                file: file.to_string(),
                missing: "指标列 / indicator columns".into(),
                accepted: plan
                    .indicators
                    .iter()
                    .map(|i| format!("{}({})/{}", i.name, i.unit, i.code))
                    .collect::<Vec<_>>()
                    .join("、"),
            });
        }
        let ytd = chosen.iter().filter(|(_, _, p)| *p == Period::YearToDate).count();
        if ytd > 0 && ytd < chosen.len() {
            return Err(FileError::Format {
                file: file.to_string(),
                reason: "有的指标只有本月数、有的只有本年累计数,无法一并导入 / some indicators give the month, others only the year to date".into(),
            });
        }
        let (uscc, month) = (keys[0].expect("required"), keys[1].expect("required"));
        let mut used = vec![uscc, month];
        used.extend(chosen.iter().map(|(i, _, _)| *i));
        Ok(FactColumns {
            uscc,
            month,
            indicators: chosen.iter().map(|(i, ind, _)| (*i, *ind)).collect(),
            cumulative: ytd > 0,
            used,
        })
    }

    /// Headers the file has that are not read (ignored, and said so).
    pub fn ignored<'t>(&self, table: &'t Table) -> Vec<&'t str> {
        table
            .headers
            .iter()
            .enumerate()
            .filter(|(i, h)| !self.used.contains(i) && !h.is_empty())
            .map(|(_, h)| h.as_str())
            .collect()
    }

    pub fn parse(&self, file: &str, row: usize, cells: &[Cell]) -> Result<FactLine, Vec<RowError>> {
        let empty = Cell::Empty;
        let get = |i: usize| cells.get(i).unwrap_or(&empty);
        let mut check = RowCheck { file, row, errors: Vec::new() };
        let uscc = Uscc::parse(&text(get(self.uscc))).map_err(|e| check.fail("统一社会信用代码", get(self.uscc), e.to_string()));
        let month_cell = get(self.month);
        let month = match month_cell {
            Cell::Date(d) => Month::new(d.year, d.month)
                .ok_or_else(|| check.fail("月份", month_cell, MonthError(month_cell.shown()).to_string())),
            other => Month::parse(&text(other)).map_err(|e| check.fail("月份", other, e.to_string())),
        };
        let mut values = Vec::with_capacity(self.indicators.len());
        for (i, ind) in &self.indicators {
            let cell = get(*i);
            let parsed = match cell {
                c if c.is_empty() => Ok(None),
                Cell::Number(n) => Amount::from_f64(*n, ind.decimals).map(|a| Some(a.raw)),
                Cell::Text(t) => Amount::parse(t, ind.decimals).map(|a| Some(a.raw)),
                other => Amount::parse(&other.shown(), ind.decimals).map(|a| Some(a.raw)),
            };
            let parsed = parsed.map_err(|e| e.to_string()).and_then(|v| match v {
                Some(raw) => ind.check_value(raw).map(|()| Some(raw)),
                None => Ok(None),
            });
            match parsed {
                Ok(v) => values.push(v),
                Err(e) => {
                    check.fail(&format!("{}({})", bare(&ind.name), ind.unit), cell, e);
                    values.push(None);
                }
            }
        }
        match (uscc, month) {
            (Ok(uscc), Ok(month)) if check.errors.is_empty() => Ok(FactLine { row, uscc, month, values }),
            _ => Err(check.errors),
        }
    }
}
