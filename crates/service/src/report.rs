//! Progress tables, the cockpit and drill-downs, all computed from the stored aggregates.

use domain::kpi::KpiActual;
use domain::progress::{CellIndex, months_needed, yoy_pct as yoy};
use domain::{ALL, Month, ProgressRow};
use serde::Serialize;

use crate::{App, Result, ServiceError};

#[derive(Debug, Clone, Serialize)]
pub struct KpiLine {
    pub code: String,
    pub name: String,
    pub target: f64,
    pub comparison: domain::kpi::Comparison,
    pub unit: String,
    pub period: domain::kpi::KpiPeriod,
    pub actual: Option<KpiActual>,
    /// For KPIs the facts do not give: the module that will supply the actual.
    pub supplied_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub month: String,
    pub value: Option<f64>,
    pub value_prev_year: Option<f64>,
    pub yoy_pct: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cockpit {
    pub month: String,
    pub indicator: String,
    pub rows: Vec<ProgressRow>,
    pub kpis: Vec<KpiLine>,
    /// The months of the year for the whole region (1+2+3 industries), with last year's.
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillRow {
    pub uscc: String,
    pub name: String,
    pub industry: String,
    pub zone: String,
    pub value: Option<f64>,
    pub ytd: Option<f64>,
    pub ytd_prev: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillDown {
    pub row: ProgressRow,
    /// The cell month by month this year, with last year's months.
    pub months: Vec<TrendPoint>,
    pub total: i64,
    pub offset: i64,
    pub enterprises: Vec<DrillRow>,
}

impl App {
    /// The latest month with facts, if any.
    pub async fn latest_month(&self) -> Result<Option<Month>> {
        Ok(self.store.latest_month().await?)
    }

    async fn index(&self, indicator: &str, month: Month) -> Result<CellIndex<'_>> {
        let ind = self.indicator(indicator)?;
        let cells = self
            .store
            .cell_months(indicator, &months_needed(&self.plan, month))
            .await?;
        Ok(CellIndex::new(&self.plan, ind, &cells))
    }

    /// The progress table of PRODUCT.md M2 for one indicator and month.
    pub async fn progress(&self, indicator: &str, month: Month) -> Result<Vec<ProgressRow>> {
        Ok(self.index(indicator, month).await?.table(month))
    }

    pub async fn cockpit(&self, indicator: &str, month: Month) -> Result<Cockpit> {
        let index = self.index(indicator, month).await?;
        let rows = index.table(month);
        let (ai, az) = index.pick(ALL, ALL);
        let trend = (1..=12)
            .filter_map(|m| Month::new(month.year(), m))
            .map(|m| {
                let value = index.period(ai, az, m, m);
                let prev = index.period(ai, az, m.year_before(), m.year_before());
                TrendPoint {
                    month: m.to_string(),
                    value: if m <= month { value } else { None },
                    value_prev_year: prev,
                    yoy_pct: if m <= month { yoy(value, prev) } else { None },
                }
            })
            .collect();
        let mut kpis = Vec::new();
        for k in &self.plan.kpis {
            let (actual, supplied_by) = match &k.actual {
                domain::kpi::KpiSource::Facts { indicator: ind, .. } => {
                    let own;
                    let idx = if ind == indicator {
                        &index
                    } else {
                        own = self.index(ind, month).await?;
                        &own
                    };
                    (k.actual_from_facts(&self.plan, idx, month), None)
                }
                domain::kpi::KpiSource::Module(m) => (None, Some(m.clone())),
            };
            kpis.push(KpiLine {
                code: k.code.clone(),
                name: k.name.clone(),
                target: k.target,
                comparison: k.comparison,
                unit: k.unit.clone(),
                period: k.period,
                actual,
                supplied_by,
            });
        }
        Ok(Cockpit {
            month: month.to_string(),
            indicator: indicator.to_string(),
            rows,
            kpis,
            trend,
        })
    }

    /// The enterprises behind one cell of the progress table, largest year-to-date first.
    pub async fn drill_down(
        &self,
        indicator: &str,
        industry: &str,
        zone: &str,
        month: Month,
        offset: i64,
        limit: i64,
    ) -> Result<DrillDown> {
        let ind = self.indicator(indicator)?;
        if industry != ALL && self.plan.industry(industry).is_none() {
            return Err(ServiceError::NotFound(format!(
                "未知产业“{industry}” / unknown industry"
            )));
        }
        if zone != ALL && self.plan.zone(zone).is_none() {
            return Err(ServiceError::NotFound(format!(
                "未知组团“{zone}” / unknown zone"
            )));
        }
        let index = self.index(indicator, month).await?;
        let row = index.row(industry, zone, month);
        let industries: Vec<String> = if industry == ALL {
            index.all_industries.clone()
        } else {
            vec![industry.to_string()]
        };
        let zones: Vec<String> = self
            .plan
            .zones
            .iter()
            .filter(|z| zone == ALL || self.plan.top_zone(&z.code) == zone)
            .map(|z| z.code.clone())
            .collect();
        let (list, total) = self
            .store
            .cell_enterprises(indicator, &industries, &zones, month, offset, limit)
            .await?;
        let unit = domain::amount::scale(ind.decimals) as f64;
        // A stock (headcount) over several months is their mean, as in the progress table.
        let per = |n: i64| {
            if ind.kind == domain::IndicatorKind::Stock {
                n.max(1) as f64
            } else {
                1.0
            }
        };
        let f = |v: Option<i64>, n: i64| v.map(|v| v as f64 / unit / per(n));
        let enterprises = list
            .into_iter()
            .map(|e| DrillRow {
                value: f(e.value, 1),
                ytd: f(e.ytd, e.ytd_months),
                ytd_prev: f(e.ytd_prev, e.prev_months),
                uscc: e.uscc,
                name: e.name,
                industry: e.industry,
                zone: e.zone,
            })
            .collect();
        let (pi, pz) = index.pick(industry, zone);
        let months = (1..=month.month())
            .filter_map(|m| Month::new(month.year(), m))
            .map(|m| {
                let value = index.period(pi, pz, m, m);
                let prev = index.period(pi, pz, m.year_before(), m.year_before());
                TrendPoint {
                    month: m.to_string(),
                    value,
                    value_prev_year: prev,
                    yoy_pct: yoy(value, prev),
                }
            })
            .collect();
        Ok(DrillDown {
            row,
            months,
            total,
            offset,
            enterprises,
        })
    }
}
