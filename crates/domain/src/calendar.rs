//! Civil dates and the working-day calendar (public holidays and 调休 make-up days).

use std::collections::BTreeSet;
use std::fmt;

/// A civil date without time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// Parses YYYY-MM-DD (also YYYY/MM/DD).
    pub fn parse(s: &str) -> Option<Date> {
        let mut it = s.trim().split(['-', '/']);
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if it.next().is_some() || y.len() != 4 {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days(self) -> i64 {
        let y = if self.month <= 2 { self.year - 1 } else { self.year } as i64;
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// ISO weekday, Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u32 {
        ((self.days() + 3).rem_euclid(7) + 1) as u32
    }

    pub fn succ(self) -> Date {
        Date::from_days(self.days() + 1)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Which days are working days: Monday to Friday, except holidays, plus make-up Saturdays and
/// Sundays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    off: BTreeSet<Date>,
    work: BTreeSet<Date>,
}

impl WorkingCalendar {
    pub fn new(off: impl IntoIterator<Item = Date>, work: impl IntoIterator<Item = Date>) -> Self {
        WorkingCalendar { off: off.into_iter().collect(), work: work.into_iter().collect() }
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        if self.work.contains(&d) {
            return true;
        }
        d.weekday() <= 5 && !self.off.contains(&d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_arithmetic_round_trips() {
        let d = Date::new(2024, 2, 29).unwrap();
        assert_eq!(Date::from_days(d.days()), d);
        assert_eq!(Date::new(1970, 1, 1).unwrap().days(), 0);
        assert_eq!(d.succ(), Date::new(2024, 3, 1).unwrap());
        assert!(Date::new(2023, 2, 29).is_none());
        assert_eq!(Date::parse("2022-06-30").unwrap().to_string(), "2022-06-30");
    }

    #[test]
    fn weekdays_are_right() {
        assert_eq!(Date::new(2021, 10, 9).unwrap().weekday(), 6); // a Saturday
        assert_eq!(Date::new(2026, 11, 25).unwrap().weekday(), 3); // a Wednesday
    }

    #[test]
    fn holidays_and_make_up_days_count() {
        let cal = WorkingCalendar::new([Date::new(2021, 10, 1).unwrap()], [Date::new(2021, 10, 9).unwrap()]);
        assert!(!cal.is_working_day(Date::new(2021, 10, 1).unwrap()));
        assert!(cal.is_working_day(Date::new(2021, 10, 9).unwrap()));
        assert!(!cal.is_working_day(Date::new(2021, 10, 10).unwrap()));
        assert!(cal.is_working_day(Date::new(2021, 10, 11).unwrap()));
    }
}
