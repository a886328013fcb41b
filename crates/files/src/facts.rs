//! The monthly facts file (PRODUCT.md §5): 统一社会信用代码, 月份, then one column per indicator.

use domain::month::MonthError;
use domain::{Amount, Indicator, Month, Plan, Uscc};

use crate::enterprises::{Column, RowCheck, bare, map_columns, text};
use crate::table::{Cell, Table};
use crate::{FileError, RowError};

const KEY_COLUMNS: &[Column] =
    &[Column { code: "uscc", zh: "统一社会信用代码", required: true }, Column { code: "month", zh: "月份", required: true }];

/// One row of a facts file: values in each indicator's smallest kept unit, None where blank.
#[derive(Debug, Clone, PartialEq)]
pub struct FactLine {
    pub row: usize,
    pub uscc: String,
    pub month: Month,
    pub values: Vec<Option<i64>>,
}

/// Where the key columns and each indicator are in a file.
pub struct FactColumns<'p> {
    uscc: usize,
    month: usize,
    pub indicators: Vec<(usize, &'p Indicator)>,
}

impl<'p> FactColumns<'p> {
    pub fn map(table: &Table, plan: &'p Plan) -> Result<Self, FileError> {
        let keys = map_columns(table, KEY_COLUMNS)?;
        let mut indicators: Vec<(usize, &Indicator)> = Vec::new();
        for (i, h) in table.headers.iter().enumerate() {
            if keys.contains(&Some(i)) {
                continue;
            }
            if let Some(ind) = plan.resolve_indicator(h) {
                if indicators.iter().any(|(_, x)| x.code == ind.code) {
                    return Err(FileError::DuplicateColumn { file: table.file.clone(), column: h.clone() });
                }
                indicators.push((i, ind));
            }
        }
        if indicators.is_empty() {
            return Err(FileError::MissingColumns {
                file: table.file.clone(),
                missing: "指标列 / indicator columns".into(),
                accepted: plan
                    .indicators
                    .iter()
                    .map(|i| format!("{}({})/{}", i.name, i.unit, i.code))
                    .collect::<Vec<_>>()
                    .join("、"),
            });
        }
        Ok(FactColumns { uscc: keys[0].expect("required"), month: keys[1].expect("required"), indicators })
    }

    /// Headers the file has that are neither keys nor indicators (ignored, and said so).
    pub fn ignored<'t>(&self, table: &'t Table) -> Vec<&'t str> {
        table
            .headers
            .iter()
            .enumerate()
            .filter(|(i, h)| *i != self.uscc && *i != self.month && !self.indicators.iter().any(|(k, _)| k == i) && !h.is_empty())
            .map(|(_, h)| h.as_str())
            .collect()
    }

    pub fn parse(&self, file: &str, row: usize, cells: &[Cell]) -> Result<FactLine, Vec<RowError>> {
        let empty = Cell::Empty;
        let get = |i: usize| cells.get(i).unwrap_or(&empty);
        let mut check = RowCheck { file, row, errors: Vec::new() };
        let uscc = match Uscc::parse(&text(get(self.uscc))) {
            Ok(u) => u.to_string(),
            Err(e) => {
                check.fail("统一社会信用代码", get(self.uscc), e.to_string());
                String::new()
            }
        };
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
        match (check.errors.is_empty(), month) {
            (true, Ok(month)) => Ok(FactLine { row, uscc, month, values }),
            _ => Err(check.errors),
        }
    }
}
