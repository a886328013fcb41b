//! The public page (PRODUCT.md §7): what the plan file lets the public see without signing in,
//! and which cells say nothing so that no enterprise can be identified (统计法第二十五条).

use serde::Serialize;

/// `[public]` in the plan file: off unless turned on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicSettings {
    pub enabled: bool,
    /// Whether the progress by industry is also shown per top-level zone.
    pub zones: bool,
    /// A cell is shown only with at least this many enterprises behind it…
    pub min_enterprises: u64,
    /// …and none of them above this share of its value.
    pub max_share: f64,
}

impl Default for PublicSettings {
    fn default() -> Self {
        PublicSettings { enabled: false, zones: false, min_enterprises: 3, max_share: 0.8 }
    }
}

/// The enterprises behind a cell's figure: how many reported, the largest one's amount and the
/// sum (in one unit, any).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spread {
    pub enterprises: u64,
    pub largest: f64,
    pub total: f64,
}

impl Spread {
    /// Two disjoint sets of enterprises taken together (cells summed over zones or industries).
    pub fn merge(self, other: Spread) -> Spread {
        Spread {
            enterprises: self.enterprises + other.enterprises,
            largest: self.largest.max(other.largest),
            total: self.total + other.total,
        }
    }
}

impl PublicSettings {
    /// Why a cell with these enterprises behind it is not shown, or None when it may be.
    /// A cell nobody reported in has nothing to hide.
    pub fn suppressed(&self, s: Spread) -> Option<String> {
        if s.enterprises > 0 && s.enterprises < self.min_enterprises {
            return Some(format!("涉及企业少于 {} 家,依统计法不予公布", self.min_enterprises));
        }
        if s.total > 0.0 && s.largest > self.max_share * s.total {
            return Some(format!("单一企业占比超过 {}%,依统计法不予公布", (self.max_share * 100.0).round()));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(values: &[f64]) -> Spread {
        values.iter().fold(Spread::default(), |s, v| s.merge(Spread { enterprises: 1, largest: *v, total: *v }))
    }

    #[test]
    fn a_cell_of_two_enterprises_or_dominated_by_one_is_suppressed() {
        let p = PublicSettings::default();
        assert!(p.suppressed(spread(&[50.0, 50.0])).unwrap().contains("少于 3 家"), "two enterprises");
        assert_eq!(p.suppressed(spread(&[40.0, 30.0, 30.0])), None, "three, none dominant");
        // 80 of 100 is at the bound and shown; 80.01 of 100.01 is above it.
        assert_eq!(p.suppressed(spread(&[80.0, 10.0, 10.0])), None);
        assert!(p.suppressed(spread(&[80.01, 10.0, 10.0])).unwrap().contains("80%"), "one above 80%");
        // Zero everywhere identifies nobody's amount, but still needs three enterprises; a cell
        // nobody reported in hides nothing.
        assert_eq!(p.suppressed(spread(&[0.0, 0.0, 0.0])), None);
        assert!(p.suppressed(spread(&[0.0])).is_some());
        assert_eq!(p.suppressed(spread(&[])), None);
        // Zones merged: two enterprises here and two there make four, the largest kept.
        let merged = spread(&[10.0, 10.0]).merge(spread(&[10.0, 90.0]));
        assert_eq!((merged.enterprises, merged.largest, merged.total), (4, 90.0, 120.0));
        assert!(p.suppressed(merged).is_none());
    }
}
