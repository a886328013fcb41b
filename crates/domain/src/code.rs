//! Codes of the plan as types: a zone, industry or indicator code is only ever made by a checked
//! constructor, so text that reached storage, a URL or a SQL identifier as one of these has been
//! checked once, where it entered.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// A lower-case letter, then lower-case letters, digits, `-` and `_`, at most 40 characters.
pub(crate) fn is_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// Indicator codes become column names in storage, so they may not hold `-` either.
pub(crate) fn is_indicator_code(s: &str) -> bool {
    is_code(s) && !s.contains('-')
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $check:path, $what_zh:literal, $what_en:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks the text's form; whether the plan knows the code is the plan's question.
            pub fn parse(s: &str) -> Result<$name, String> {
                if $check(s) {
                    Ok($name(s.to_string()))
                } else {
                    let s = crate::shorten(s);
                    Err(format!(concat!($what_zh, "“{}”不合法 / ", $what_en, " '{}' is not valid"), s, s))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

code_type!(
    /// A zone's code (组团), e.g. `rujiang`; also `all` for the total row.
    ZoneCode,
    is_code,
    "组团代码",
    "zone code"
);
code_type!(
    /// An industry's code, e.g. `lighting`; also `all` for the total row.
    IndustryCode,
    is_code,
    "产业代码",
    "industry code"
);
code_type!(
    /// An indicator's code: a lower-case letter, then lower-case letters, digits and `_`, at most
    /// 40 — the only text that may become part of a column name in SQL.
    IndicatorCode,
    is_indicator_code,
    "指标代码",
    "indicator code"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_where_they_are_made() {
        assert_eq!(ZoneCode::parse("rujiang").unwrap(), "rujiang");
        assert!(ZoneCode::parse("Rujiang").unwrap_err().contains("zone code 'Rujiang'"));
        assert!(IndustryCode::parse("1abc").is_err());
        assert!(IndustryCode::parse("").is_err());
        assert!(IndustryCode::parse(&"a".repeat(41)).is_err());
        assert!(IndustryCode::parse("new-materials").is_ok());
        // A hyphen or a quote could end an identifier in SQL text.
        assert!(IndicatorCode::parse("new-materials").is_err());
        assert!(IndicatorCode::parse("v_revenue;").is_err());
        assert!(IndicatorCode::parse("revenue\"").is_err());
        assert_eq!(IndicatorCode::parse("main_revenue").unwrap().as_str(), "main_revenue");
    }

    #[test]
    fn a_code_reads_as_its_text() {
        let z = ZoneCode::parse("rujiang").unwrap();
        assert_eq!(z.to_string(), "rujiang");
        assert_eq!(serde_json::to_string(&z).unwrap(), "\"rujiang\"");
        let mut set = std::collections::HashSet::new();
        set.insert(z.clone());
        assert!(set.contains("rujiang"));
    }
}
