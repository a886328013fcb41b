//! Months as integer yyyymm, the way they are stored and compared on both engines.

use std::fmt;

/// A calendar month, stored as yyyymm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("月份“{0}”无法识别,应写作 2022-06、2022/6 或 2022年6月 / month '{0}' not understood: write 2022-06, 2022/6 or 2022年6月")]
pub struct MonthError(pub String);

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Self> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then(|| Month(year * 100 + month as i32))
    }

    pub fn from_yyyymm(v: i32) -> Option<Self> {
        Self::new(v / 100, (v % 100) as u32)
    }

    /// Accepts 2022-06, 2022-6, 2022/6, 2022/06, 2022.6, 2022年6月 and 202206.
    pub fn parse(raw: &str) -> Result<Self, MonthError> {
        let s = raw.trim();
        let err = || MonthError(crate::shorten(s));
        let s2 = s.strip_suffix('月').unwrap_or(s);
        let parts: Vec<&str> = s2.split(['-', '/', '.', '年']).collect();
        let (y, m) = match parts.as_slice() {
            [y, m] => (y.trim(), m.trim()),
            [ym] if ym.len() == 6 && ym.bytes().all(|b| b.is_ascii_digit()) => (&ym[..4], &ym[4..]),
            _ => return Err(err()),
        };
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        Month::new(year, month).ok_or_else(err)
    }

    pub fn yyyymm(self) -> i32 {
        self.0
    }
    pub fn year(self) -> i32 {
        self.0 / 100
    }
    pub fn month(self) -> u32 {
        (self.0 % 100) as u32
    }

    /// The same month a year earlier.
    pub fn year_before(self) -> Month {
        Month(self.0 - 100)
    }

    pub fn next(self) -> Month {
        if self.month() == 12 { Month((self.year() + 1) * 100 + 1) } else { Month(self.0 + 1) }
    }

    pub fn prev(self) -> Month {
        if self.month() == 1 { Month((self.year() - 1) * 100 + 12) } else { Month(self.0 - 1) }
    }

    /// January of this month's year.
    pub fn year_start(self) -> Month {
        Month(self.year() * 100 + 1)
    }

    /// The Chinese form used on pages: 2022年6月.
    pub fn zh(self) -> String {
        format!("{}年{}月", self.year(), self.month())
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.year(), self.month())
    }
}

/// As written everywhere else: `2022-06`.
impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_offices_write() {
        for s in ["2022-06", "2022-6", "2022/6", "2022/06", "2022年6月", " 2022年06月 ", "202206", "2022.6"] {
            assert_eq!(Month::parse(s).unwrap(), Month::new(2022, 6).unwrap(), "{s}");
        }
    }

    #[test]
    fn rejects_impossible_months() {
        for s in ["2022-13", "2022-00", "22-6", "2022", "六月", "", "2022-06-30"] {
            assert!(Month::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn steps_over_year_ends() {
        let dec = Month::new(2021, 12).unwrap();
        assert_eq!(dec.next(), Month::new(2022, 1).unwrap());
        assert_eq!(dec.next().prev(), dec);
        assert_eq!(dec.year_before().to_string(), "2020-12");
        assert_eq!(dec.zh(), "2021年12月");
    }
}
