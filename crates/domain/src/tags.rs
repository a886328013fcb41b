//! Enterprise designations held for a time (梯次培育: 链主, 龙头, 规上工业, 专精特新 …; 创新:
//! 高新技术企业 …; green and digital designations), each kept by the department that recognises
//! it. The plan file lists them; an enterprise holds one from a day to a day, or still.

use serde::Serialize;

use crate::calendar::Date;

/// A designation of the plan: its code, name, the department that keeps it, and the group it is
/// shown under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagDef {
    pub code: String,
    pub name: String,
    pub department: String,
    pub group: String,
}

/// One enterprise holding a designation from `valid_from` to `valid_to` (inclusive; None: still).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnterpriseTag {
    pub uscc: String,
    pub tag: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub note: String,
}

impl EnterpriseTag {
    /// Whether it is held on `day`.
    pub fn valid_on(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|to| day <= to)
    }

    /// Why the period is wrong, if it is: it ends before it begins.
    pub fn check(&self) -> Result<(), String> {
        match self.valid_to {
            Some(to) if to < self.valid_from => {
                Err(format!("截止日期 {to} 早于起始日期 {} / the period ends before it begins", self.valid_from))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::new(y, m, day).unwrap()
    }

    #[test]
    fn a_designation_holds_from_its_first_to_its_last_day() {
        let t = EnterpriseTag {
            uscc: "X".into(),
            tag: "high-tech".into(),
            valid_from: d(2021, 11, 3),
            valid_to: Some(d(2024, 11, 2)),
            note: String::new(),
        };
        assert!(!t.valid_on(d(2021, 11, 2)));
        assert!(t.valid_on(d(2021, 11, 3)) && t.valid_on(d(2024, 11, 2)));
        assert!(!t.valid_on(d(2024, 11, 3)));
        let open = EnterpriseTag { valid_to: None, ..t.clone() };
        assert!(open.valid_on(d(2099, 1, 1)));
        let backwards = EnterpriseTag { valid_to: Some(d(2021, 1, 1)), ..t };
        assert!(backwards.check().unwrap_err().contains("早于"));
    }
}
