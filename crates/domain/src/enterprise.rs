//! Enterprises of the registry.

/// An enterprise as the registry holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Enterprise {
    pub uscc: crate::Uscc,
    pub name: String,
    /// A zone code of the plan (a leaf or a top-level zone).
    pub zone: crate::ZoneCode,
    /// An industry code of the plan.
    pub industry: crate::IndustryCode,
    /// Land area in thousandths of a 亩, exact.
    pub land_mu_milli: Option<i64>,
    /// 规上: above the designated size (annual main revenue 2000万元).
    pub above_scale: bool,
    /// YYYY-MM-DD.
    pub established: Option<String>,
    pub tags: Vec<String>,
    /// A park code of the plan, in the enterprise's zone.
    pub park: Option<String>,
}

impl Enterprise {
    pub fn land_mu(&self) -> Option<f64> {
        self.land_mu_milli.map(|v| v as f64 / 1000.0)
    }
}

/// Turns year-to-date totals (本年累计) of one enterprise into the months' own amounts.
/// `cumulative` is sorted by month; a month's amount is its total minus the previous month's of
/// the same year. Returns the month index whose total is missing its predecessor or decreases.
pub fn monthly_from_cumulative(cumulative: &[(crate::Month, Option<i64>)]) -> Result<Vec<Option<i64>>, (usize, CumulativeError)> {
    let mut out = Vec::with_capacity(cumulative.len());
    // The last total of the current run of consecutive months, None when the run is broken.
    let mut last_total: Option<i64> = None;
    for (i, (m, v)) in cumulative.iter().enumerate() {
        let base = if m.month() == 1 {
            Some(0)
        } else if i > 0 && cumulative[i - 1].0 == m.prev() {
            last_total
        } else {
            None
        };
        match (v, base) {
            (None, _) => {
                out.push(None);
                last_total = base;
            }
            (Some(_), None) => return Err((i, CumulativeError::MissingPrevious)),
            (Some(v), Some(b)) if *v < b => return Err((i, CumulativeError::Decreasing)),
            (Some(v), Some(b)) => {
                out.push(Some(v - b));
                last_total = Some(*v);
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CumulativeError {
    MissingPrevious,
    Decreasing,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Month;

    #[test]
    fn cumulative_totals_become_monthly_amounts() {
        let m = |mo| Month::new(2022, mo).unwrap();
        let got = monthly_from_cumulative(&[(m(1), Some(10)), (m(2), Some(25)), (m(3), None), (m(4), Some(40))]).unwrap();
        // A blank month counts as nothing added, so April's total is taken against 25.
        assert_eq!(got, vec![Some(10), Some(15), None, Some(15)]);
        assert_eq!(monthly_from_cumulative(&[(m(2), Some(25))]), Err((0, CumulativeError::MissingPrevious)));
        assert_eq!(monthly_from_cumulative(&[(m(1), Some(25)), (m(2), Some(20))]), Err((1, CumulativeError::Decreasing)));
    }
}
