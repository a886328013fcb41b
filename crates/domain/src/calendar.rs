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

    /// The Nth working day after `from` (not counting `from` itself): a time limit of N working
    /// days that starts on `from` ends at the end of that day.
    pub fn nth_working_day_after(&self, from: Date, n: u32) -> Date {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            d = d.succ();
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]`: how many are left from `from` until the end of `to`
    /// (zero when `to` is not after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut d = from;
        let mut n = 0;
        while d < to {
            d = d.succ();
            n += u32::from(self.is_working_day(d));
        }
        n
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

    #[test]
    fn time_limits_count_working_days_across_national_day_2023() {
        let plan = crate::Plan::default_plan();
        let cal = plan.working_calendar();
        let day = |s: &str| Date::parse(s).unwrap();
        // Thursday 28 September; 29 September to 6 October off; Saturday 7 and Sunday 8 worked.
        assert_eq!(cal.nth_working_day_after(day("2023-09-28"), 1), day("2023-10-07"));
        assert_eq!(cal.nth_working_day_after(day("2023-09-28"), 3), day("2023-10-09"));
        // Accepted on a holiday: the count starts with the next working day.
        assert_eq!(cal.nth_working_day_after(day("2023-10-01"), 1), day("2023-10-07"));
        assert_eq!(cal.nth_working_day_after(day("2023-09-28"), 0), day("2023-09-28"));
        assert_eq!(cal.working_days_between(day("2023-09-28"), day("2023-10-09")), 3);
        assert_eq!(cal.working_days_between(day("2023-10-09"), day("2023-09-28")), 0);
    }

    #[test]
    fn time_limits_cross_the_year_end() {
        let cal = crate::Plan::default_plan().working_calendar();
        let day = |s: &str| Date::parse(s).unwrap();
        // Friday 29 December 2023; a weekend, then 1 January 2024 off.
        assert_eq!(cal.nth_working_day_after(day("2023-12-29"), 1), day("2024-01-02"));
        // 2021-12-31 is a Friday; 2022-01-01..03 off.
        assert_eq!(cal.nth_working_day_after(day("2021-12-31"), 2), day("2022-01-05"));
        // Spring Festival 2024: Friday 9 February worked, 10 to 17 off, Sunday 18 worked.
        assert_eq!(cal.nth_working_day_after(day("2024-02-08"), 2), day("2024-02-18"));
    }
}
