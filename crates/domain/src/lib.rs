//! The rules of Leapfrog and nothing else: the plan model and its validation, codes, amounts,
//! months and the progress arithmetic. No I/O, no async, no database types.

pub mod amount;
pub mod assessment;
pub mod audit;
pub mod authz;
pub mod calendar;
pub mod code;
pub mod cultivation;
pub mod enterprise;
pub mod evaluation;
pub mod innovation;
pub mod kpi;
pub mod leads;
pub mod month;
pub mod password;
pub mod plan;
pub mod progress;
pub mod projects;
pub mod submission;
pub mod tags;
pub mod tasks;
pub mod uscc;

pub use amount::Amount;
pub use code::{IndicatorCode, IndustryCode, ZoneCode};
pub use enterprise::Enterprise;
pub use month::Month;
pub use plan::{Indicator, IndicatorKind, Industry, Plan, PlanProblem, Tier, Zone};
pub use progress::{ProgressRow, Status};
pub use uscc::Uscc;

/// The code used in place of an industry or zone for a total row.
pub const ALL: &str = "all";

/// A value as quoted in a message: long values are cut, so an error never echoes a cell of
/// megabytes back.
pub fn shorten(value: &str) -> String {
    const KEEP: usize = 60;
    match value.char_indices().nth(KEEP) {
        None => value.to_string(),
        Some((at, _)) => {
            let n = value.chars().count();
            format!("{}…(共{n}字符 / {n} chars)", &value[..at])
        }
    }
}
