//! Tiered cultivation (梯次培育行动, PRODUCT.md M5): the 小升规 library — enterprises below the
//! 规上 threshold ranked by their trailing twelve months' revenue — and the 龙头 selections the
//! plan asks for (each industry 2-3, the new area 3-5, each zone 1-2).

use serde::Serialize;

/// What a selection is counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Industry,
    Region,
    Zone,
}

/// A selection the plan sets: how many enterprises should hold a designation, per industry, in
/// the region, or per zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    pub tag: String,
    pub per: Per,
    pub min: u32,
    pub max: u32,
}

impl Selection {
    /// The count against the range, in words.
    pub fn judge(&self, held: u32) -> &'static str {
        if held < self.min {
            "不足"
        } else if held > self.max {
            "超出"
        } else {
            "符合"
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CultivationRules {
    /// 规上工业: annual main revenue at or above this (万元).
    pub above_scale_threshold_wan: f64,
    /// An enterprise below the threshold is in the library once its trailing twelve months
    /// reach this share of it.
    pub approach_share: f64,
    pub selections: Vec<Selection>,
    /// 映山红: the listing pipeline's stages in order, as designation codes.
    pub listing_stages: Vec<String>,
}

impl Default for CultivationRules {
    fn default() -> Self {
        CultivationRules {
            above_scale_threshold_wan: 2000.0,
            approach_share: 0.8,
            selections: Vec::new(),
            listing_stages: Vec::new(),
        }
    }
}

/// Where an enterprise is in the listing pipeline on a day: the furthest stage reached, and the
/// day it reached each stage (the first day of its designation), in the stages' order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListingProgress {
    pub stage: usize,
    pub reached: Vec<Option<crate::calendar::Date>>,
}

/// An enterprise's listing progress on `day` from its designations, if it is in the pipeline:
/// stage k is reached on the first day of any period of stage k's designation begun by `day`.
pub fn listing_progress(
    stages: &[String],
    held: &[crate::tags::EnterpriseTag],
    day: crate::calendar::Date,
) -> Option<ListingProgress> {
    let reached: Vec<Option<crate::calendar::Date>> = stages
        .iter()
        .map(|code| held.iter().filter(|t| t.tag == *code && t.valid_from <= day).map(|t| t.valid_from).min())
        .collect();
    let stage = reached.iter().rposition(Option::is_some)?;
    Some(ListingProgress { stage, reached })
}

/// Where a 规下 enterprise stands against the threshold: its trailing twelve months (万元), the
/// twelve before, growth (%), and whether it has crossed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScaleUp {
    pub ttm_wan: f64,
    pub previous_wan: Option<f64>,
    pub growth_pct: Option<f64>,
    pub crossed: bool,
    /// What is left to the threshold (0 once crossed).
    pub gap_wan: f64,
}

impl CultivationRules {
    /// The 小升规 reading of an enterprise's revenue, if it belongs in the library (at or over
    /// the approach share of the threshold).
    pub fn scale_up(&self, ttm_wan: f64, previous_wan: Option<f64>) -> Option<ScaleUp> {
        if ttm_wan < self.approach_share * self.above_scale_threshold_wan {
            return None;
        }
        let growth_pct = previous_wan.filter(|p| *p > 0.0).map(|p| ((ttm_wan / p - 1.0) * 1000.0).round() / 10.0);
        Some(ScaleUp {
            ttm_wan,
            previous_wan,
            growth_pct,
            crossed: ttm_wan >= self.above_scale_threshold_wan,
            gap_wan: (self.above_scale_threshold_wan - ttm_wan).max(0.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_stage_is_the_furthest_reached() {
        use crate::calendar::Date;
        let stages: Vec<String> = ["reserve", "tutoring", "filed", "listed"].map(String::from).to_vec();
        let d = |m: u32| Date::new(2023, m, 1).unwrap();
        let tag = |code: &str, from: Date| crate::tags::EnterpriseTag {
            uscc: "X".into(),
            tag: code.into(),
            valid_from: from,
            valid_to: None,
            note: String::new(),
        };
        let held = vec![tag("reserve", d(1)), tag("tutoring", d(4)), tag("filed", d(9))];
        let p = listing_progress(&stages, &held, d(6)).unwrap();
        assert_eq!(p.stage, 1, "辅导 by June; 申报 only in September");
        assert_eq!(p.reached, vec![Some(d(1)), Some(d(4)), None, None]);
        assert_eq!(listing_progress(&stages, &held, d(10)).unwrap().stage, 2);
        assert_eq!(listing_progress(&stages, &[], d(10)), None);
    }

    #[test]
    fn the_library_takes_those_near_or_over_the_threshold() {
        let rules = CultivationRules::default();
        // 80 % of 2,000 is 1,600: just under is out, at it is in.
        assert_eq!(rules.scale_up(1599.99, None), None);
        let near = rules.scale_up(1600.0, Some(1280.0)).unwrap();
        assert_eq!((near.crossed, near.gap_wan, near.growth_pct), (false, 400.0, Some(25.0)));
        let over = rules.scale_up(2000.0, Some(0.0)).unwrap();
        assert_eq!((over.crossed, over.gap_wan, over.growth_pct), (true, 0.0, None));
        let s = Selection { tag: "leading-industry".into(), per: Per::Industry, min: 2, max: 3 };
        assert_eq!([1, 2, 3, 4].map(|n| s.judge(n)), ["不足", "符合", "符合", "超出"]);
    }
}
