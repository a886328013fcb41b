//! Progress tables, the cockpit and drill-downs, all computed from the stored aggregates.

use std::collections::HashMap;

use domain::kpi::KpiActual;
use domain::progress::{CellIndex, ForecastRow, Pick, months_needed, months_with_history, yoy_pct as yoy};
use domain::{ALL, IndicatorCode, Month, ProgressRow};
use serde::Serialize;
use std::sync::Arc;

use domain::authz::{Action, Target, Visible};
use store::{EnterpriseFilter, EnterpriseRow, MonthFacts};

use crate::{App, Caller, Figures, Result, ServiceError};

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
    /// For KPIs their owners enter: who, and whether the last period is overdue.
    pub owner: Option<String>,
    pub late: bool,
    /// 预计全年 of a KPI the facts give as a year's sum or a multiple (PRODUCT.md §7).
    pub projection: Option<domain::kpi::KpiProjection>,
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
    pub figures: Figures,
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

/// One cell of a progress table: an indicator, an industry (or `all`), a top-level zone (or
/// `all`) and a month.
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    pub indicator: &'a str,
    pub industry: &'a str,
    pub zone: &'a str,
    pub month: Month,
    /// Which months the cell's own figures count; the enterprises listed are all they reported.
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrillDown {
    pub row: ProgressRow,
    /// The cell month by month this year, with last year's months.
    pub months: Vec<TrendPoint>,
    pub total: i64,
    pub offset: i64,
    pub enterprises: Vec<DrillRow>,
    /// Part of the cell lies outside what the caller may see, so its enterprises are not all
    /// listed (the cell's figures are).
    pub restricted: bool,
    /// The cell's 预计全年 (PRODUCT.md §7); None for a cell the progress table does not show
    /// (no data and no target).
    pub projection: Option<ForecastRow>,
}

impl App {
    /// The plan the region runs on: its industries, zones, target table and KPIs.
    pub fn plan(&self, caller: &Caller) -> Result<Arc<domain::Plan>> {
        self.require(caller, Action::ReadAggregates)?;
        Ok(self.plan.clone())
    }

    /// The latest month with facts, if any.
    pub async fn latest_month(&self) -> Result<Option<Month>> {
        Ok(self.store.latest_month().await?)
    }

    pub(crate) async fn index(&self, indicator: &str, month: Month, figures: Figures) -> Result<CellIndex<'_>> {
        self.index_over(indicator, &months_needed(&self.plan, month), figures).await
    }

    /// The cells of an indicator over the months of `ranges` (first to last, in order).
    async fn index_over(&self, indicator: &str, ranges: &[(Month, Month)], figures: Figures) -> Result<CellIndex<'_>> {
        let ind = self.indicator(indicator)?;
        let mut cells = self.store.cell_months(&ind.code, ranges).await?;
        if figures == Figures::Official {
            let (from, to) = (ranges[0].0, ranges[ranges.len() - 1].1);
            let states = self.states(from, to).await?;
            cells.retain(|c| {
                let key = (self.plan.top_zone(&c.zone).to_string(), c.month.yyyymm());
                states.get(&key).is_some_and(|s| s.official())
            });
        }
        Ok(CellIndex::new(&self.plan, ind, &cells))
    }

    /// The progress table of PRODUCT.md M2 for one indicator and month.
    /// Shared while nothing is written: the same value for every caller until the next write.
    pub async fn progress(
        &self,
        caller: &Caller,
        indicator: &str,
        month: Month,
        figures: Figures,
    ) -> Result<Arc<Vec<ProgressRow>>> {
        self.require(caller, Action::ReadAggregates)?;
        let key = (indicator.to_string(), month.yyyymm(), figures);
        let version = self.data_version().await?;
        self.views
            .progress
            .get_or_compute(key, version, || async { Ok(self.index(indicator, month, figures).await?.table(month)) })
            .await
    }

    /// 预计全年 (PRODUCT.md §7): each cell of the progress table for one indicator and month with
    /// its year projected from its own earlier years, a range and the odds of the target.
    /// Kept by data version as the progress table is.
    pub async fn forecast(&self, caller: &Caller, indicator: &str, month: Month, figures: Figures) -> Result<Vec<ForecastRow>> {
        self.require(caller, Action::ReadAggregates)?;
        Ok((*self.forecast_view(indicator, month, figures).await?).clone())
    }

    /// The forecast as kept, for whoever is allowed it.
    pub(crate) async fn forecast_view(&self, indicator: &str, month: Month, figures: Figures) -> Result<Arc<Vec<ForecastRow>>> {
        let key = (indicator.to_string(), month.yyyymm(), figures);
        let version = self.data_version().await?;
        self.views
            .forecast
            .get_or_compute(key, version, || async {
                Ok::<_, ServiceError>(
                    self.index_over(indicator, &months_with_history(&self.plan, month), figures).await?.forecast(month),
                )
            })
            .await
    }

    /// The cockpit: progress, the year's trend and the headline KPIs, from memory while nothing
    /// has been written since it was computed.
    pub async fn cockpit(&self, caller: &Caller, indicator: &str, month: Month, figures: Figures) -> Result<Arc<Cockpit>> {
        self.require(caller, Action::ReadAggregates)?;
        self.cockpit_view(indicator, month, figures).await
    }

    /// The cockpit as kept, for whoever is allowed it.
    pub(crate) async fn cockpit_view(&self, indicator: &str, month: Month, figures: Figures) -> Result<Arc<Cockpit>> {
        let key = (indicator.to_string(), month.yyyymm(), figures, self.clock.today().days());
        let version = self.data_version().await?;
        self.views.cockpit.get_or_compute(key, version, || self.compute_cockpit(indicator, month, figures)).await
    }

    async fn compute_cockpit(&self, indicator: &str, month: Month, figures: Figures) -> Result<Cockpit> {
        let index = self.index(indicator, month, figures).await?;
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
        // Every earlier year of each indicator a KPI projects from, read once.
        let mut histories: HashMap<String, CellIndex<'_>> = HashMap::new();
        for k in &self.plan.kpis {
            if let domain::kpi::KpiSource::Facts { indicator: ind, .. } = &k.actual
                && !histories.contains_key(ind)
            {
                let history = self.index_over(ind, &months_with_history(&self.plan, month), figures).await?;
                histories.insert(ind.clone(), history);
            }
        }
        let reported = if self.plan.kpis.iter().any(|k| matches!(k.actual, domain::kpi::KpiSource::Reported { .. })) {
            self.reported_standing(&self.store.kpi_updates().await?)
        } else {
            Vec::new()
        };
        for k in &self.plan.kpis {
            let standing = reported.iter().find(|r| r.code == k.code);
            let (actual, supplied_by) = match &k.actual {
                domain::kpi::KpiSource::Facts {
                    indicator: ind,
                    measure: domain::kpi::KpiMeasure::EnterprisesAtLeast { threshold },
                } => {
                    let code = self.plan.indicator(ind).map(|i| (i.code.clone(), domain::amount::scale(i.decimals) as f64));
                    let actual = match code {
                        Some((code, unit)) => {
                            // An enterprise's twelve months are at most its cell's: when no cell
                            // reaches the threshold, none of its enterprises does, and the
                            // enterprises need not be read.
                            let cells = self.index(ind, month, figures).await?;
                            let some_cell = self.plan.industries.iter().any(|i| {
                                self.plan.top_zones().any(|z| {
                                    cells
                                        .trailing_year(Pick::One(i.code.as_str()), Pick::One(z.code.as_str()), month)
                                        .is_some_and(|v| v >= *threshold)
                                })
                            });
                            let n = if some_cell {
                                self.twelve_months(&code, month, figures)
                                    .await?
                                    .iter()
                                    .filter(|t| t.totals[0].1 > 0 && t.totals[0].0 as f64 / unit >= *threshold)
                                    .count() as f64
                            } else {
                                0.0
                            };
                            let basis = format!(
                                "截至{}近12个月{}达到{:.0}亿元的工业企业",
                                month.zh(),
                                self.plan.indicator(ind).map_or(ind.as_str(), |i| i.name.as_str()),
                                threshold / 10_000.0
                            );
                            Some(KpiActual { value: n, met: k.is_met(n), basis })
                        }
                        None => None,
                    };
                    (actual, None)
                }
                domain::kpi::KpiSource::Facts { indicator: ind, .. } => {
                    let own;
                    let idx = if ind == indicator {
                        &index
                    } else {
                        own = self.index(ind, month, figures).await?;
                        &own
                    };
                    (k.actual_from_facts(&self.plan, idx, month), None)
                }
                domain::kpi::KpiSource::Projects(domain::kpi::ProjectMeasure::MajorStarted) => {
                    // Major industrial: as `Project::is_major_industrial` says, counted by the store.
                    let industrial: Vec<&str> =
                        self.plan.industries.iter().filter(|i| i.tier.is_industrial()).map(|i| i.code.as_str()).collect();
                    let threshold = self.plan.projects.major_threshold_wan * 100;
                    let started = self.store.projects_started(&industrial, threshold, month.year_start(), month).await? as f64;
                    let basis = format!(
                        "{}年1-{}月开工的亿元以上工业项目(总投资{}万元及以上)",
                        month.year(),
                        month.month(),
                        self.plan.projects.major_threshold_wan
                    );
                    (Some(KpiActual { value: started, met: k.is_met(started), basis }), None)
                }
                domain::kpi::KpiSource::Tags { tag, measure } => {
                    let end = domain::projects::last_day(month);
                    let name = self.plan.resolve_tag(tag).map_or(tag.as_str(), |t| t.name.as_str());
                    let (value, basis) = match measure {
                        domain::kpi::TagMeasure::Holding => {
                            (self.store.tag_holders(tag, end).await?, format!("{end} 持有“{name}”认定的企业"))
                        }
                        domain::kpi::TagMeasure::NewInYear => {
                            let from = domain::calendar::Date::new(month.year(), 1, 1).expect("January the first");
                            (
                                self.store.tag_starts(tag, from, end).await?,
                                format!("{}年1-{}月新获“{name}”认定的企业", month.year(), month.month()),
                            )
                        }
                    };
                    let value = value as f64;
                    (Some(KpiActual { value, met: k.is_met(value), basis }), None)
                }
                domain::kpi::KpiSource::Innovation(measure) => {
                    let actual = self.innovation_measure(*measure, month, figures).await?;
                    (actual.map(|(value, basis)| KpiActual { value, met: k.is_met(value), basis }), None)
                }
                domain::kpi::KpiSource::Reported { .. } => {
                    // The newest entry of the latest period ended by the cockpit's month.
                    let as_of = |r: &'_ crate::ReportedKpi| {
                        r.history.iter().filter(|u| u.period_end <= month).max_by_key(|u| (u.period_end, u.n)).cloned()
                    };
                    let actual = standing.and_then(|r| as_of(r).map(|u| (r, u))).map(|(r, u)| KpiActual {
                        value: u.value,
                        met: k.is_met(u.value),
                        basis: format!(
                            "{}填报 {}{}",
                            r.owner_name,
                            u.period,
                            if u.note.is_empty() { String::new() } else { format!(":{}", domain::shorten(&u.note)) }
                        ),
                    });
                    (actual, None)
                }
                domain::kpi::KpiSource::Module(m) => (None, Some(m.clone())),
            };
            let projection = match &k.actual {
                domain::kpi::KpiSource::Facts { indicator: ind, .. } => {
                    histories.get(ind).and_then(|h| k.projection_from_facts(&self.plan, h, month))
                }
                _ => None,
            };
            kpis.push(KpiLine {
                projection,
                code: k.code.clone(),
                name: k.name.clone(),
                target: k.target,
                comparison: k.comparison,
                unit: k.unit.clone(),
                period: k.period,
                actual,
                supplied_by,
                owner: standing.map(|r| r.owner_name.clone()),
                late: standing.is_some_and(|r| r.late),
            });
        }
        Ok(Cockpit { month: month.to_string(), indicator: indicator.to_string(), figures, rows, kpis, trend })
    }

    /// The enterprises behind one cell of the progress table, largest year-to-date first.
    pub async fn drill_down(&self, caller: &Caller, cell: &Cell<'_>, offset: i64, limit: i64) -> Result<DrillDown> {
        let Cell { indicator, industry, zone, month, figures } = *cell;
        self.require(caller, Action::ReadAggregates)?;
        self.indicator(indicator)?;
        if industry != ALL && self.plan.industry(industry).is_none() {
            return Err(ServiceError::NotFound(format!("未知产业“{industry}” / unknown industry")));
        }
        if zone != ALL && self.plan.zone(zone).is_none() {
            return Err(ServiceError::NotFound(format!("未知组团“{zone}” / unknown zone")));
        }
        // The cell's figures are region-wide aggregates; the enterprises behind it are listed only
        // as far as the caller may see enterprises.
        let visible = caller.actor.visible(&self.plan, Action::ReadEnterprise);
        let in_cell: Vec<&str> = self
            .plan
            .zones
            .iter()
            .filter(|z| zone == ALL || self.plan.top_zone(&z.code) == zone)
            .map(|z| z.code.as_str())
            .collect();
        let zones: Vec<String> = in_cell
            .iter()
            .filter(|z| match &visible {
                Visible::All => true,
                Visible::Zones(mine) => mine.iter().any(|m| m == *z),
                Visible::Enterprise(_) | Visible::None => false,
            })
            .map(|z| z.to_string())
            .collect();
        let restricted = zones.len() < in_cell.len();
        // Kept by data version, as the other views: paging back and forth through a cell of
        // 20,000 enterprises, or the export after the page, reads the facts once.
        let key = (
            (indicator.to_string(), industry.to_string(), zone.to_string()),
            (month.yyyymm(), figures, zones.clone(), offset, limit),
        );
        let version = self.data_version().await?;
        // The cell's projection from the forecast kept for the whole table.
        let projection = self
            .forecast(caller, indicator, month, figures)
            .await?
            .into_iter()
            .find(|f| f.industry == industry && f.zone == zone);
        let page = self
            .views
            .drill
            .get_or_compute(key, version, || self.compute_drill(cell, &zones, restricted, offset, limit, projection))
            .await?;
        Ok((*page).clone())
    }

    async fn compute_drill(
        &self,
        cell: &Cell<'_>,
        zones: &[String],
        restricted: bool,
        offset: i64,
        limit: i64,
        projection: Option<ForecastRow>,
    ) -> Result<DrillDown> {
        let Cell { indicator, industry, zone, month, figures } = *cell;
        let ind = self.indicator(indicator)?;
        let index = self.index(indicator, month, figures).await?;
        let row = index.row(industry, zone, month);
        let industries: Vec<String> = if industry == ALL { index.all_industries.clone() } else { vec![industry.to_string()] };
        let (list, total) = if zones.is_empty() {
            (Vec::new(), 0)
        } else {
            self.store.cell_enterprises(&ind.code, &industries, zones, month, offset, limit).await?
        };
        let unit = domain::amount::scale(ind.decimals) as f64;
        // A stock (headcount) over several months is their mean, as in the progress table.
        let per = |n: i64| {
            if ind.kind == domain::IndicatorKind::Stock { n.max(1) as f64 } else { 1.0 }
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
                TrendPoint { month: m.to_string(), value, value_prev_year: prev, yoy_pct: yoy(value, prev) }
            })
            .collect();
        Ok(DrillDown { row, months, total, offset, enterprises, restricted, projection })
    }
}

impl App {
    /// A page of the registry, filtered to what the caller may see.
    pub async fn enterprises(&self, caller: &Caller, filter: &EnterpriseFilter) -> Result<(Vec<EnterpriseRow>, i64)> {
        let mut filter = filter.clone();
        match caller.actor.visible(&self.plan, Action::ReadEnterprise) {
            Visible::All => {}
            Visible::Zones(mine) => {
                filter.zones =
                    if filter.zones.is_empty() { mine } else { filter.zones.into_iter().filter(|z| mine.contains(z)).collect() };
                if filter.zones.is_empty() {
                    return Ok((Vec::new(), 0));
                }
            }
            Visible::Enterprise(uscc) => filter.uscc = Some(uscc),
            Visible::None => {
                return Err(ServiceError::Forbidden(format!("角色“{}”无权查看企业名录 / not allowed", caller.actor.role.zh())));
            }
        }
        Ok(self.store.enterprises(&filter).await?)
    }

    /// One enterprise and its months, if the caller may see it.
    pub async fn enterprise(&self, caller: &Caller, uscc: &str) -> Result<(EnterpriseRow, Vec<MonthFacts>)> {
        let not_found = || ServiceError::NotFound(format!("没有统一社会信用代码为 {uscc} 的企业 / no such enterprise"));
        let e = self.store.enterprise(uscc).await?.ok_or_else(not_found)?;
        self.authorize(caller, Action::ReadEnterprise, Target::Enterprise { uscc: &e.uscc, zone: &e.zone })?;
        let codes: Vec<IndicatorCode> = self.plan.indicators.iter().map(|i| i.code.clone()).collect();
        let months = self.store.enterprise_months(uscc, &codes).await?;
        Ok((e, months))
    }
}
