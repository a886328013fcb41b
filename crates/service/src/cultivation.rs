//! Tiered cultivation (梯次培育, M5): the 小升规 library over the trailing twelve months, and the
//! 龙头 and 链主 selections against the ranges the plan sets.

use std::collections::BTreeMap;

use domain::authz::{Action, Visible};
use domain::calendar::Date;
use domain::cultivation::{Per, ScaleUp};
use domain::{Month, Tier};
use serde::Serialize;

use crate::evaluation_runs::shown;
use crate::{App, Caller, Figures, Result, ServiceError};

/// A 规下 enterprise of the 小升规 library.
#[derive(Debug, Clone, Serialize)]
pub struct ScaleUpRow {
    pub rank: usize,
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub industry: String,
    #[serde(flatten)]
    pub reading: ScaleUp,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScaleUpLibrary {
    pub month: String,
    pub threshold_wan: f64,
    pub approach_share: f64,
    /// Over the threshold, and near it.
    pub crossed: usize,
    pub rows: Vec<ScaleUpRow>,
}

/// One group of a selection (an industry, the region, a zone) and who holds the designation.
#[derive(Debug, Clone, Serialize)]
pub struct SelectionGroup {
    pub tag: String,
    pub tag_name: String,
    pub per: Per,
    /// The industry's or zone's code; "all" for the region.
    pub group: String,
    pub group_name: String,
    pub holders: Vec<(String, String)>,
    pub min: u32,
    pub max: u32,
    /// 符合, 不足 or 超出.
    pub judgement: &'static str,
}

/// 映山红: who is at which listing stage on a day, with the day each stage was reached.
#[derive(Debug, Clone, Serialize)]
pub struct ListingPipeline {
    /// Each stage's code, name and how many enterprises stand at it.
    pub stages: Vec<(String, String, usize)>,
    pub rows: Vec<ListingRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListingRow {
    pub uscc: String,
    pub name: String,
    pub zone: String,
    pub stage: String,
    pub reached: Vec<Option<Date>>,
    /// The furthest stage's note (the board: 科创板, 新三板 …).
    pub note: String,
}

impl App {
    /// The listing pipeline (映山红) on `day`, the enterprises in the caller's reach, furthest
    /// first.
    pub async fn listing_pipeline(&self, caller: &Caller, day: Date) -> Result<ListingPipeline> {
        self.require(caller, Action::ReadAggregates)?;
        let visible = caller.actor.visible(&self.plan, Action::ReadEnterprise);
        let stages = &self.plan.cultivation.listing_stages;
        let mut by_enterprise: BTreeMap<String, Vec<domain::tags::EnterpriseTag>> = BTreeMap::new();
        for t in self.store.tags_of_kinds(stages).await? {
            by_enterprise.entry(t.uscc.clone()).or_default().push(t);
        }
        let mut rows = Vec::new();
        for (uscc, held) in by_enterprise {
            let Some(progress) = domain::cultivation::listing_progress(stages, &held, day) else { continue };
            let Some(e) = self.store.enterprise(&uscc).await? else { continue };
            if !shown(&visible, &e.uscc, &e.zone) {
                continue;
            }
            let code = &stages[progress.stage];
            let note = held
                .iter()
                .filter(|t| t.tag == *code && t.valid_from <= day)
                .max_by_key(|t| t.valid_from)
                .map(|t| t.note.clone());
            rows.push((
                progress.stage,
                ListingRow {
                    uscc: e.uscc,
                    name: e.name,
                    zone: e.zone,
                    stage: self.plan.resolve_tag(code).map_or(code.clone(), |t| t.name.clone()),
                    reached: progress.reached,
                    note: note.unwrap_or_default(),
                },
            ));
        }
        rows.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.uscc.cmp(&b.1.uscc)));
        let stages = stages
            .iter()
            .enumerate()
            .map(|(k, code)| {
                let name = self.plan.resolve_tag(code).map_or(code.clone(), |t| t.name.clone());
                (code.clone(), name, rows.iter().filter(|(s, _)| *s == k).count())
            })
            .collect();
        Ok(ListingPipeline { stages, rows: rows.into_iter().map(|(_, r)| r).collect() })
    }

    /// The 小升规 library at the end of `month`: every 规下 industrial enterprise in the caller's
    /// reach whose revenue over the twelve months to `month` reaches the plan's share of the 规上
    /// threshold, largest first, with its growth over the twelve months before.
    pub async fn scale_up_library(&self, caller: &Caller, month: Month, figures: Figures) -> Result<ScaleUpLibrary> {
        let visible = caller.actor.visible(&self.plan, Action::ReadEnterprise);
        if visible == Visible::None || !caller.actor.may(Action::ReadAggregates) {
            return Err(ServiceError::Forbidden(format!("角色“{}”无权查看小升规企业库 / not allowed", caller.actor.role.zh())));
        }
        let rules = &self.plan.cultivation;
        let unit =
            domain::amount::scale(self.plan.indicator(self.plan.target_indicator.as_str()).map_or(0, |i| i.decimals)) as f64;
        let revenue = self.plan.target_indicator.clone();
        let now = self.twelve_months(&revenue, month, figures).await?;
        let before: BTreeMap<String, f64> = self
            .twelve_months(&revenue, month.year_before(), figures)
            .await?
            .into_iter()
            .filter(|t| t.totals[0].1 > 0)
            .map(|t| (t.enterprise.uscc, t.totals[0].0 as f64 / unit))
            .collect();
        let mut rows: Vec<ScaleUpRow> = now
            .into_iter()
            .filter(|t| !t.enterprise.above_scale && t.totals[0].1 > 0 && shown(&visible, &t.enterprise.uscc, &t.enterprise.zone))
            .filter_map(|t| {
                let ttm = t.totals[0].0 as f64 / unit;
                let reading = rules.scale_up(ttm, before.get(&t.enterprise.uscc).copied())?;
                let e = t.enterprise;
                Some(ScaleUpRow { rank: 0, uscc: e.uscc, name: e.name, zone: e.zone, industry: e.industry, reading })
            })
            .collect();
        rows.sort_by(|a, b| b.reading.ttm_wan.total_cmp(&a.reading.ttm_wan).then_with(|| a.uscc.cmp(&b.uscc)));
        for (k, r) in rows.iter_mut().enumerate() {
            r.rank = k + 1;
        }
        Ok(ScaleUpLibrary {
            month: month.to_string(),
            threshold_wan: rules.above_scale_threshold_wan,
            approach_share: rules.approach_share,
            crossed: rows.iter().filter(|r| r.reading.crossed).count(),
            rows,
        })
    }

    /// Each industrial enterprise's sum of `indicator` over the twelve months to `to`.
    pub(crate) async fn twelve_months(
        &self,
        indicator: &domain::IndicatorCode,
        to: Month,
        figures: Figures,
    ) -> Result<Vec<store::EnterpriseTotals>> {
        let from = (0..11).fold(to, |m, _| m.prev());
        let filter = store::TotalsFilter {
            industries: self.plan.industries.iter().filter(|i| i.tier != Tier::Services).map(|i| i.code.clone()).collect(),
            min_land_mu: 0.0,
            months_by_zones: self.counted_months(from, to, figures).await?,
        };
        Ok(self.store.annual_totals(std::slice::from_ref(indicator), from, to, &filter).await?)
    }

    /// The plan's selections (行业龙头 per industry, 新区龙头, 组团龙头 per zone) on `day`: who holds
    /// each, against its range; and each 1-2 tier industry's 链主.
    pub async fn selections(&self, caller: &Caller, day: Date) -> Result<Vec<SelectionGroup>> {
        self.require(caller, Action::ReadAggregates)?;
        let mut kinds: Vec<String> = self.plan.cultivation.selections.iter().map(|s| s.tag.clone()).collect();
        kinds.push("chain-leader".into());
        let held: Vec<domain::tags::EnterpriseTag> =
            self.store.tags_of_kinds(&kinds).await?.into_iter().filter(|t| t.valid_on(day)).collect();
        // The holders are few: their registry entries one by one.
        let mut registry: BTreeMap<String, store::EnterpriseRow> = BTreeMap::new();
        for t in &held {
            if !registry.contains_key(&t.uscc)
                && let Some(e) = self.store.enterprise(&t.uscc).await?
            {
                registry.insert(e.uscc.clone(), e);
            }
        }
        let holders = |tag: &str| -> Vec<&store::EnterpriseRow> {
            let mut v: Vec<&store::EnterpriseRow> =
                held.iter().filter(|t| t.tag == tag).filter_map(|t| registry.get(&t.uscc)).collect();
            v.dedup_by(|a, b| a.uscc == b.uscc);
            v
        };
        let mut out = Vec::new();
        let group = |tag: &str, per: Per, code: &str, name: &str, of: Vec<&store::EnterpriseRow>, min: u32, max: u32| {
            let sel = domain::cultivation::Selection { tag: tag.to_string(), per, min, max };
            SelectionGroup {
                tag: tag.to_string(),
                tag_name: self.plan.resolve_tag(tag).map_or(tag.to_string(), |t| t.name.clone()),
                per,
                group: code.to_string(),
                group_name: name.to_string(),
                judgement: sel.judge(of.len() as u32),
                holders: of.iter().map(|e| (e.uscc.clone(), e.name.clone())).collect(),
                min,
                max,
            }
        };
        for s in &self.plan.cultivation.selections {
            let all = holders(&s.tag);
            match s.per {
                Per::Region => out.push(group(&s.tag, s.per, "all", &self.plan.region, all, s.min, s.max)),
                Per::Industry => {
                    for i in self.plan.industries.iter().filter(|i| i.tier != Tier::Services) {
                        let of = all.iter().copied().filter(|e| e.industry == i.code.as_str()).collect();
                        out.push(group(&s.tag, s.per, i.code.as_str(), &i.name, of, s.min, s.max));
                    }
                }
                Per::Zone => {
                    for z in self.plan.top_zones() {
                        let of = all.iter().copied().filter(|e| self.plan.top_zone(&e.zone) == z.code.as_str()).collect();
                        out.push(group(&s.tag, s.per, z.code.as_str(), &z.name, of, s.min, s.max));
                    }
                }
            }
        }
        // 链主 of each chain (1- and 2-tier industries): one each.
        if self.plan.tags.iter().any(|t| t.code == "chain-leader") {
            let all = holders("chain-leader");
            for i in self.plan.industries.iter().filter(|i| matches!(i.tier, Tier::Leading | Tier::Advantage)) {
                let of = all.iter().copied().filter(|e| e.industry == i.code.as_str()).collect();
                out.push(group("chain-leader", Per::Industry, i.code.as_str(), &i.name, of, 1, 1));
            }
        }
        Ok(out)
    }
}
