//! The public page (PRODUCT.md §7): the headline KPIs, progress by industry against 序时进度,
//! the projections and the projects by light, without signing in, when the plan file turns it on.
//! Official figures only, from the views the cockpit keeps; a cell that could identify an
//! enterprise says so instead of its figures (统计法第二十五条).

use std::collections::HashMap;

use domain::progress::ForecastRow;
use domain::public::Spread;
use domain::{ALL, Month, ProgressRow};
use serde::Serialize;

use crate::{App, Figures, KpiLine, Result, ServiceError};

/// One cell as the public sees it: its figures, or why they are not shown.
#[derive(Debug, Clone, Serialize)]
pub struct PublicRow {
    pub industry: String,
    pub zone: String,
    /// None when suppressed.
    pub progress: Option<ProgressRow>,
    pub forecast: Option<ForecastRow>,
    /// Why the cell's figures are not shown.
    pub suppressed: Option<String>,
}

/// The region's major projects by dispatch light.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct LightCounts {
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
}

/// What `/public` shows.
#[derive(Debug, Clone, Serialize)]
pub struct PublicView {
    /// The latest month every reporting zone has had approved; None before any.
    pub month: Option<String>,
    pub indicator: String,
    pub kpis: Vec<KpiLine>,
    /// Each industry (and all) over the region.
    pub industries: Vec<PublicRow>,
    /// Each top-level zone's total, when the plan file shows zones.
    pub zones: Vec<PublicRow>,
    pub lights: LightCounts,
}

impl App {
    /// The public page's view, when the plan file turns it on (not found otherwise), kept by data
    /// version like the cockpit it is computed from.
    pub async fn public_view(&self) -> Result<std::sync::Arc<PublicView>> {
        if !self.plan.public.enabled {
            return Err(ServiceError::NotFound("没有这个页面 / no such page".into()));
        }
        let version = self.data_version().await?;
        self.views.public.get_or_compute((), version, || self.compute_public()).await
    }

    async fn compute_public(&self) -> Result<PublicView> {
        let indicator = self.plan.target_indicator.to_string();
        let empty = |month| PublicView {
            month,
            indicator: indicator.clone(),
            kpis: Vec::new(),
            industries: Vec::new(),
            zones: Vec::new(),
            lights: LightCounts::default(),
        };
        let Some(month) = self.latest_official_month().await? else { return Ok(empty(None)) };
        let cockpit = self.cockpit_view(&indicator, month, Figures::Official).await?;
        let forecast = self.forecast_view(&indicator, month, Figures::Official).await?;
        let spreads = self.public_spreads(&indicator, month).await?;
        let settings = &self.plan.public;
        let row = |p: &ProgressRow| {
            let spread = spreads
                .iter()
                .filter(|((i, z), _)| (p.industry == ALL || *i == p.industry) && (p.zone == ALL || *z == p.zone))
                .fold(Spread::default(), |s, (_, x)| s.merge(*x));
            let suppressed = settings.suppressed(spread);
            PublicRow {
                industry: p.industry.clone(),
                zone: p.zone.clone(),
                progress: suppressed.is_none().then(|| p.clone()),
                forecast: suppressed
                    .is_none()
                    .then(|| forecast.iter().find(|f| f.industry == p.industry && f.zone == p.zone).cloned())
                    .flatten(),
                suppressed,
            }
        };
        let mut industries: Vec<PublicRow> = cockpit.rows.iter().filter(|r| r.zone == ALL).map(row).collect();
        let zones: Vec<PublicRow> = if settings.zones {
            cockpit.rows.iter().filter(|r| r.industry == ALL && r.zone != ALL).map(row).collect()
        } else {
            Vec::new()
        };
        // A total with one hidden part would give that part away by subtraction: the total is
        // hidden too (with two or more hidden, none can be told from the others).
        let summed = self.plan.target_industries();
        let hidden_industries =
            industries.iter().filter(|r| summed.contains(&r.industry.as_str()) && r.suppressed.is_some()).count();
        let hidden_zones = zones.iter().filter(|r| r.suppressed.is_some()).count();
        if hidden_industries == 1 || hidden_zones == 1 {
            for total in industries.iter_mut().filter(|r| r.industry == ALL && r.suppressed.is_none()) {
                total.progress = None;
                total.forecast = None;
                total.suppressed = Some("其中一项不予公布,合计一并不予公布,以免推算".into());
            }
        }
        let dispatch = self.dispatch_view(&[], month).await?;
        let lights = dispatch.by_zone.iter().fold(LightCounts::default(), |c, z| LightCounts {
            green: c.green + z.green,
            yellow: c.yellow + z.yellow,
            red: c.red + z.red,
        });
        Ok(PublicView { month: Some(month.to_string()), indicator, kpis: cockpit.kpis.clone(), industries, zones, lights })
    }

    /// The latest month whose every reporting top-level zone is approved or locked.
    async fn latest_official_month(&self) -> Result<Option<Month>> {
        let Some(latest) = self.latest_month().await? else { return Ok(None) };
        let reported = self.store.months_with_facts(latest).await?;
        let first = reported.iter().map(|(_, m)| *m).min().unwrap_or(latest);
        let states = self.states(first, latest).await?;
        let mut month = latest;
        while month >= first {
            let mut zones = reported.iter().filter(|(_, m)| *m == month).map(|(z, _)| self.plan.top_zone(z)).peekable();
            let any = zones.peek().is_some();
            if any && zones.all(|z| states.get(&(z.to_string(), month.yyyymm())).is_some_and(|s| s.official())) {
                return Ok(Some(month));
            }
            month = month.prev();
        }
        Ok(None)
    }

    /// The enterprises behind each (industry, top-level zone) of the year to `month`, official
    /// months only: what decides which cells the public sees.
    async fn public_spreads(&self, indicator: &str, month: Month) -> Result<HashMap<(String, String), Spread>> {
        let ind = self.indicator(indicator)?;
        let states = self.states(month.year_start(), month).await?;
        let mut out: HashMap<(String, String), Spread> = HashMap::new();
        for top in self.plan.top_zones() {
            let mut months = Vec::new();
            let mut m = month.year_start();
            while m <= month {
                if states.get(&(top.code.to_string(), m.yyyymm())).is_some_and(|s| s.official()) {
                    months.push(m);
                }
                m = m.next();
            }
            let zones = self.zones_under(&top.code);
            for (industry, _, n, largest, total) in self.store.cell_spreads(&ind.code, &zones, &months).await? {
                let s = Spread { enterprises: n as u64, largest: largest as f64, total: total as f64 };
                let entry = out.entry((industry, top.code.to_string())).or_default();
                *entry = entry.merge(s);
            }
        }
        Ok(out)
    }
}
