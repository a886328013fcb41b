//! 审核规则 on a zone's month (PRODUCT.md §7): the month as imported, against the month before.

use domain::authz::{Action, Target};
use domain::review::{Flag, Row};
use domain::{IndicatorCode, Month};

use crate::{App, Caller, Figures, Result};

impl App {
    /// The review flags of a top-level zone's month (its sub-zones included), for the zone itself
    /// or its reviewer. The month before is compared with as the official figures show it (only
    /// once approved), or as imported with provisional figures.
    pub async fn review(&self, caller: &Caller, zone: &str, month: Month, figures: Figures) -> Result<Vec<Flag>> {
        let zone = self.top_zone_code(zone)?;
        if self.authorize(caller, Action::SubmitMonth, Target::Zone(&zone)).is_err() {
            self.require(caller, Action::ReviewSubmissions)?;
        }
        self.plan.check_data_month(month, self.clock.current_month()).map_err(crate::ServiceError::NotFound)?;
        // Kept by data version: the submission board asks for every open month of every zone.
        let key = (zone.to_string(), month.yyyymm(), figures);
        let version = self.data_version().await?;
        let flags = self
            .views
            .reviews
            .get_or_compute(key, version, || async {
                let zones: Vec<String> = self
                    .plan
                    .zones
                    .iter()
                    .filter(|z| self.plan.top_zone(&z.code) == zone.as_str())
                    .map(|z| z.code.to_string())
                    .collect();
                let this = self.review_rows(&zones, month).await?;
                let prev = month.prev();
                let compared = figures == Figures::Provisional
                    || self.states(prev, prev).await?.get(&(zone.to_string(), prev.yyyymm())).is_some_and(|s| s.official());
                let before = if compared { self.review_rows(&zones, prev).await? } else { Vec::new() };
                Ok::<_, crate::ServiceError>(domain::review::review(&self.plan.review, &this, &before))
            })
            .await?;
        Ok((*flags).clone())
    }

    /// The zones' rows of a month, each value in its indicator's unit.
    async fn review_rows(&self, zones: &[String], month: Month) -> Result<Vec<Row>> {
        let codes: Vec<IndicatorCode> = self.plan.indicators.iter().map(|i| i.code.clone()).collect();
        let rows = self.store.zone_month_rows(zones, month, &codes).await?;
        Ok(rows
            .into_iter()
            .map(|(uscc, values)| Row {
                uscc,
                values: self
                    .plan
                    .indicators
                    .iter()
                    .zip(values)
                    .filter_map(|(ind, v)| {
                        v.map(|v| (ind.code.to_string(), v as f64 / domain::amount::scale(ind.decimals) as f64))
                    })
                    .collect(),
            })
            .collect())
    }
}
