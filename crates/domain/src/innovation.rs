//! Innovation (创新提升行动, PRODUCT.md M5): science and technology platforms and 双创团队 with
//! their level and the day they were recognised (or revoked), and the measures the plan's KPIs
//! take of them — platforms at or above a level, teams, the 三个翻番 over the baseline year, and
//! R&D spending over GDP.

use serde::Serialize;

use crate::calendar::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Municipal,
    Provincial,
    National,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::National, Level::Provincial, Level::Municipal];

    pub fn code(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Provincial => "provincial",
            Level::Municipal => "municipal",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Level::National => "国家级",
            Level::Provincial => "省级",
            Level::Municipal => "市级",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        let t = s.trim();
        Level::ALL.into_iter().find(|l| l.code() == t || l.zh() == t || l.zh().trim_end_matches('级') == t)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 科创平台: 研发中心, 技术创新中心, 重点实验室, 院士工作站 …
    Platform,
    /// 双创团队.
    Team,
}

impl Category {
    pub fn code(self) -> &'static str {
        match self {
            Category::Platform => "platform",
            Category::Team => "team",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Category::Platform => "科创平台",
            Category::Team => "双创团队",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        let t = s.trim();
        [Category::Platform, Category::Team].into_iter().find(|c| c.code() == t || c.zh() == t)
    }
}

/// A platform or team, recognised on a day at a level, hosted by an enterprise of the registry
/// or another institution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InnovationRecord {
    pub code: String,
    pub name: String,
    pub category: Category,
    pub level: Level,
    /// 研发中心, 重点实验室 … (free words, the plan lists the usual ones).
    pub kind: String,
    pub host_uscc: Option<String>,
    pub host_name: String,
    pub recognised_on: Date,
    pub revoked_on: Option<Date>,
    pub note: String,
}

impl InnovationRecord {
    /// Whether it stands on `day`: recognised by then and not revoked by then.
    pub fn active_on(&self, day: Date) -> bool {
        self.recognised_on <= day && self.revoked_on.is_none_or(|r| r > day)
    }

    pub fn check(&self) -> Result<(), String> {
        match self.revoked_on {
            Some(r) if r < self.recognised_on => {
                Err(format!("撤销日期 {r} 早于认定日期 {} / revoked before it was recognised", self.recognised_on))
            }
            _ => Ok(()),
        }
    }
}

/// How many of `category` at `min_level` or above stand on `day`.
pub fn count_active(records: &[InnovationRecord], category: Category, min_level: Level, day: Date) -> usize {
    records.iter().filter(|r| r.category == category && r.level >= min_level && r.active_on(day)).count()
}

/// 三个翻番: each count now as a multiple of the same count at the baseline; the KPI's actual is
/// the smallest (all three must double). None while any baseline count is zero.
pub fn doublings(now: [usize; 3], base: [usize; 3]) -> Option<(f64, [f64; 3])> {
    if base.contains(&0) {
        return None;
    }
    let m = [0, 1, 2].map(|k| ((now[k] as f64 / base[k] as f64) * 100.0).round() / 100.0);
    Some((m.iter().copied().fold(f64::INFINITY, f64::min), m))
}

/// R&D spending (万元) as a share of GDP (亿元), in %.
pub fn rd_share_of_gdp(rd_wan: f64, gdp_yi: f64) -> Option<f64> {
    (gdp_yi > 0.0).then(|| ((rd_wan / 10_000.0 / gdp_yi * 100.0) * 100.0).round() / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::new(y, m, day).unwrap()
    }

    fn record(level: Level, category: Category, on: Date, revoked: Option<Date>) -> InnovationRecord {
        InnovationRecord {
            code: "P".into(),
            name: "平台".into(),
            category,
            level,
            kind: "研发中心".into(),
            host_uscc: None,
            host_name: "南昌大学".into(),
            recognised_on: on,
            revoked_on: revoked,
            note: String::new(),
        }
    }

    #[test]
    fn counts_levels_doublings_and_the_rd_share() {
        let list = vec![
            record(Level::National, Category::Platform, d(2021, 5, 1), None),
            record(Level::Provincial, Category::Platform, d(2020, 5, 1), None),
            record(Level::Provincial, Category::Platform, d(2020, 5, 1), Some(d(2022, 6, 30))),
            record(Level::Municipal, Category::Platform, d(2020, 5, 1), None),
            record(Level::Provincial, Category::Team, d(2020, 1, 1), None),
        ];
        // At the end of 2020: two provincial (national not yet), one team; mid 2022: the revoked
        // one gone the day after its revocation.
        assert_eq!(count_active(&list, Category::Platform, Level::Provincial, d(2020, 12, 31)), 2);
        assert_eq!(count_active(&list, Category::Platform, Level::National, d(2020, 12, 31)), 0);
        assert_eq!(count_active(&list, Category::Platform, Level::Provincial, d(2022, 6, 29)), 3);
        assert_eq!(count_active(&list, Category::Platform, Level::Provincial, d(2022, 6, 30)), 2);
        assert_eq!(count_active(&list, Category::Platform, Level::Municipal, d(2022, 7, 1)), 3);
        assert_eq!(doublings([4, 300, 3], [2, 100, 2]), Some((1.5, [2.0, 3.0, 1.5])));
        assert_eq!(doublings([4, 300, 3], [0, 100, 2]), None);
        // 12 亿元 of R&D over 400 亿元 of GDP: 3 %.
        assert_eq!(rd_share_of_gdp(120_000.0, 400.0), Some(3.0));
        assert_eq!(rd_share_of_gdp(1.0, 0.0), None);
        assert_eq!(
            (Level::parse("省级"), Level::parse("国家"), Level::parse("county")),
            (Some(Level::Provincial), Some(Level::National), None)
        );
        assert!(record(Level::Municipal, Category::Team, d(2022, 1, 1), Some(d(2021, 1, 1))).check().is_err());
    }
}
