//! The rules of Leapfrog and nothing else: the plan model and its validation, codes, amounts,
//! months and the progress arithmetic. No I/O, no async, no database types.

/// An enum of fixed codes, each with its code (files, JSON, storage) and its Chinese name.
macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal;)+ }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        $(#[$doc])*
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code in files, JSON and storage.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn zh(self) -> &'static str {
                match self { $($name::$variant => $zh),+ }
            }

            /// By code or Chinese name, as a file may give either.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.code() == s || v.zh() == s)
            }
        }
    };
}

pub mod amount;
pub mod assessment;
pub mod audit;
pub mod authz;
pub mod calendar;
pub mod code;
pub mod cultivation;
pub mod enterprise;
pub mod evaluation;
pub mod inbox;
pub mod innovation;
pub mod kpi;
pub mod leads;
pub mod month;
pub mod password;
pub mod plan;
pub mod progress;
pub mod projection;
pub mod projects;
pub mod public;
pub mod review;
pub mod services;
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
