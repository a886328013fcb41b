//! The rules of Leapfrog and nothing else: the plan model and its validation, codes, amounts,
//! months and the progress arithmetic. No I/O, no async, no database types.

pub mod amount;
pub mod audit;
pub mod authz;
pub mod calendar;
pub mod enterprise;
pub mod kpi;
pub mod month;
pub mod password;
pub mod plan;
pub mod progress;
pub mod submission;
pub mod uscc;

pub use amount::Amount;
pub use enterprise::Enterprise;
pub use month::Month;
pub use plan::{Indicator, IndicatorKind, Industry, Plan, PlanProblem, Tier, Zone};
pub use progress::{ProgressRow, Status};
pub use uscc::Uscc;

/// The code used in place of an industry or zone for a total row.
pub const ALL: &str = "all";
