//! 审核规则 on a zone's month (PRODUCT.md §7): the month as imported, against the month before.
//! The flags are kept with the month — from the zone's import of it, when a flag shown on its
//! page is explained, and at submission; the zone explains each, the coordinator accepts or
//! returns each before the month can be approved.

use std::collections::BTreeMap;

use domain::authz::{Action, Target};
use domain::review::{Benford, Decision, Flag, FlagStatus, KeptFlag, Row};
use domain::submission::{Step, SubmissionState};
use domain::{IndicatorCode, Month};
use serde::Serialize;

use crate::{App, Caller, Figures, Result, ServiceError};

/// How many of a zone's latest months an import reviews at once: its monthly file's. Reading a
/// zone's month costs about a second per 100,000 rows (the SQLite driver hands each row across
/// threads), and an open month's page and its submission review it afresh anyway.
const REVIEWED_AT_IMPORT: usize = 1;

/// The longest explanation or reason taken, in characters.
const MAX_TEXT_CHARS: usize = 2000;

/// A kept flag as listed: with the enterprise's name and where it stands.
#[derive(Debug, Clone, Serialize)]
pub struct SheetFlag {
    #[serde(flatten)]
    pub kept: KeptFlag,
    pub name: String,
    pub status: FlagStatus,
}

impl SheetFlag {
    /// How a caller names this flag.
    pub fn flag_ref(&self) -> FlagRef<'_> {
        FlagRef {
            uscc: &self.kept.flag.uscc,
            rule: self.kept.flag.rule,
            indicator: self.kept.flag.indicator.as_deref().unwrap_or(""),
        }
    }
}

/// A zone's month's kept flags and the month's state.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewSheet {
    pub zone: String,
    pub month: String,
    pub state: SubmissionState,
    pub flags: Vec<SheetFlag>,
}

/// One zone-month of the data-quality page.
#[derive(Debug, Clone, Serialize)]
pub struct QualityMonth {
    pub zone: String,
    pub month: String,
    /// Flags by rule code (every rule, zeros included).
    pub by_rule: BTreeMap<&'static str, u64>,
    pub by_status: crate::FlagTally,
}

/// A top-level zone's year's Benford screen (None: fewer than 500 amounts).
#[derive(Debug, Clone, Serialize)]
pub struct QualityBenford {
    pub zone: String,
    pub screen: Option<Benford>,
}

/// The coordinator's data-quality view of a year.
#[derive(Debug, Clone, Serialize)]
pub struct DataQuality {
    pub year: i32,
    /// Zone-months with kept flags.
    pub months: Vec<QualityMonth>,
    pub benford: Vec<QualityBenford>,
}

/// What a caller names a flag by.
#[derive(Debug, Clone, Copy)]
pub struct FlagRef<'a> {
    pub uscc: &'a str,
    pub rule: &'a str,
    /// Empty for the rules that check a row whole.
    pub indicator: &'a str,
}

impl App {
    /// The review flags of a top-level zone's month (its sub-zones included), for the zone itself
    /// or its reviewer. The month before is compared with as the official figures show it (only
    /// once approved), or as imported with provisional figures.
    pub async fn review(&self, caller: &Caller, zone: &str, month: Month, figures: Figures) -> Result<Vec<Flag>> {
        let zone = self.review_reader(caller, zone)?;
        self.plan.check_data_month(month, self.clock.current_month()).map_err(ServiceError::NotFound)?;
        self.computed_review(&zone, month, figures).await
    }

    /// The top-level zone, when the caller is the zone itself or a reviewer.
    fn review_reader(&self, caller: &Caller, zone: &str) -> Result<String> {
        let zone = self.top_zone_code(zone)?;
        if self.authorize(caller, Action::SubmitMonth, Target::Zone(&zone)).is_err() {
            self.require(caller, Action::ReviewSubmissions)?;
        }
        Ok(zone.to_string())
    }

    async fn computed_review(&self, zone: &str, month: Month, figures: Figures) -> Result<Vec<Flag>> {
        let key = (zone.to_string(), month.yyyymm(), figures);
        let version = self.data_version().await?;
        let flags = self
            .views
            .reviews
            .get_or_compute(key, version, || async {
                let prev = month.prev();
                let compared = figures == Figures::Provisional
                    || self.states(prev, prev).await?.get(&(zone.to_string(), prev.yyyymm())).is_some_and(|s| s.official());
                let (this, before) = self.review_rows(zone, month).await?;
                let before = if compared { before } else { Vec::new() };
                Ok::<_, ServiceError>(domain::review::review(&self.plan.review, &this, &before))
            })
            .await?;
        Ok((*flags).clone())
    }

    /// A top-level zone and the zones under it.
    pub(crate) fn zones_under(&self, top: &str) -> Vec<String> {
        self.plan.zones.iter().filter(|z| self.plan.top_zone(&z.code) == top).map(|z| z.code.to_string()).collect()
    }

    /// Reviews a zone's month as the workflow checks it — against the month before as imported,
    /// whatever its state — and keeps the flags with the month.
    pub(crate) async fn keep_review(&self, zone: &str, month: Month) -> Result<Vec<KeptFlag>> {
        let fresh = self.computed_review(zone, month, Figures::Provisional).await?;
        Ok(self.store.keep_review_flags(zone, month, fresh).await?)
    }

    /// Keeps the review of the latest open (draft or returned) month an import wrote of each
    /// zone, and of the month after where reported, whose comparison it changes: what an import
    /// does once its facts are in, so the board counts a zone's new month's flags at once. Older
    /// months an import wrote (history, corrections) are reviewed on their page and when submitted.
    /// Returns how many zone-months were reviewed.
    pub(crate) async fn keep_reviews_after_import(&self, touched: &std::collections::BTreeSet<(String, Month)>) -> Result<usize> {
        let current = self.clock.current_month();
        let mut months: std::collections::BTreeSet<(String, Month)> = std::collections::BTreeSet::new();
        for top in self.plan.top_zones() {
            let latest = touched.iter().rev().filter(|(z, _)| z == top.code.as_str()).take(REVIEWED_AT_IMPORT);
            for (zone, month) in latest {
                months.insert((zone.clone(), *month));
                // A month nobody has reported yet is not reviewed until it is submitted: its
                // every enterprise would be a missing reporter.
                let next = month.next();
                if next <= current
                    && (touched.contains(&(zone.clone(), next))
                        || self.store.month_reported(&self.zones_under(zone), next).await?)
                {
                    months.insert((zone.clone(), next));
                }
            }
        }
        let (Some(first), Some(last)) = (months.iter().map(|(_, m)| *m).min(), months.iter().map(|(_, m)| *m).max()) else {
            return Ok(0);
        };
        let states = self.states(first, last).await?;
        let mut reviewed = 0;
        for (zone, month) in months {
            let state = states.get(&(zone.clone(), month.yyyymm())).copied().unwrap_or(SubmissionState::Draft);
            if state.editable() && self.plan.check_data_month(month, current).is_ok() {
                self.keep_review(&zone, month).await?;
                reviewed += 1;
            }
        }
        Ok(reviewed)
    }

    /// What the review asks before a step on a zone's month: a submission reviews the month
    /// afresh and is refused while a flag blocks or lacks an explanation; an approval while an
    /// explanation is not accepted.
    pub(crate) async fn review_gate(&self, zone: &str, month: Month, step: Step) -> Result<()> {
        let state = self.zone_month_state(zone, month).await?;
        let refusal = match step {
            Step::Submit if state.editable() => domain::review::submit_refusal(&self.keep_review(zone, month).await?),
            Step::Approve if state == SubmissionState::Submitted => {
                domain::review::approve_refusal(&self.store.review_flags(zone, month).await?)
            }
            _ => None,
        };
        match refusal {
            Some(why) => Err(ServiceError::Conflict(format!("{zone}/{month}:{why}"))),
            None => Ok(()),
        }
    }

    /// A zone's month's kept flags, with the enterprises' names, for the zone or its reviewer.
    pub async fn review_sheet(&self, caller: &Caller, zone: &str, month: Month) -> Result<ReviewSheet> {
        let zone = self.review_reader(caller, zone)?;
        self.plan.check_data_month(month, self.clock.current_month()).map_err(ServiceError::NotFound)?;
        let state = self.zone_month_state(&zone, month).await?;
        let mut kept = self.store.review_flags(&zone, month).await?;
        // An open month is shown as a submission would find it now (a month an import did not
        // review, or whose month before changed since), with what was kept of each flag.
        if state.editable() {
            kept = domain::review::carry_over(&kept, self.computed_review(&zone, month, Figures::Provisional).await?);
        }
        let usccs: Vec<&str> = kept.iter().map(|k| k.flag.uscc.as_str()).collect();
        let mut names = self.store.enterprise_names(&usccs).await?;
        let flags = kept
            .into_iter()
            .map(|kept| SheetFlag { name: names.remove(&kept.flag.uscc).unwrap_or_default(), status: kept.status(), kept })
            .collect();
        Ok(ReviewSheet { zone, month: month.to_string(), state, flags })
    }

    async fn zone_month_state(&self, zone: &str, month: Month) -> Result<SubmissionState> {
        Ok(self.states(month, month).await?.remove(&(zone.to_string(), month.yyyymm())).unwrap_or(SubmissionState::Draft))
    }

    /// The zone explains flags of its month (one, or several with the same words), while the
    /// month is open to it; a returned explanation is written again the same way. Each flag's
    /// explanation is audited; all are written or none.
    pub async fn explain_flags(
        &self,
        caller: &Caller,
        zone: &str,
        month: Month,
        flags: &[FlagRef<'_>],
        text: &str,
    ) -> Result<()> {
        let zone = self.top_zone_code(zone)?;
        self.authorize(caller, Action::SubmitMonth, Target::Zone(&zone))?;
        self.plan.check_data_month(month, self.clock.current_month()).map_err(ServiceError::NotFound)?;
        let text = bounded_text(text, "说明 / explanation")?;
        none_chosen(flags)?;
        let state = self.zone_month_state(&zone, month).await?;
        if !state.editable() {
            return Err(ServiceError::Conflict(format!(
                "{zone}/{month} {}:只有填报中或已退回的月份可以填写说明 / only an open month takes explanations",
                state.zh()
            )));
        }
        // The flags as the page showed them, kept before they are explained.
        self.keep_review(&zone, month).await?;
        let audits: Vec<_> = flags
            .iter()
            .map(|f| {
                caller
                    .audit("review.explain", "review_flag", &flag_id(&zone, month, *f))
                    .after(serde_json::json!({ "explanation": text }).to_string())
            })
            .collect();
        let keys: Vec<_> = flags.iter().map(|f| (f.uscc, f.rule, f.indicator)).collect();
        if !self.store.explain_review_flags(&zone, month, &keys, text, &audits).await? {
            return Err(gone(&zone, month, flags.len()));
        }
        Ok(())
    }

    /// The coordinator accepts or returns the explanations of flags of a submitted month;
    /// returning says why. Each decision is audited; all are written or none.
    pub async fn decide_flags(
        &self,
        caller: &Caller,
        zone: &str,
        month: Month,
        flags: &[FlagRef<'_>],
        decision: Decision,
        reason: &str,
    ) -> Result<()> {
        self.require(caller, Action::ReviewSubmissions)?;
        let zone = self.top_zone_code(zone)?;
        self.plan.check_data_month(month, self.clock.current_month()).map_err(ServiceError::NotFound)?;
        let reason = reason.trim();
        if decision == Decision::Returned || !reason.is_empty() {
            bounded_text(reason, "退回原因 / the reason")?;
        }
        none_chosen(flags)?;
        let state = self.zone_month_state(&zone, month).await?;
        if state != SubmissionState::Submitted {
            return Err(ServiceError::Conflict(format!(
                "{zone}/{month} {}:只有已提交的月份可以审核说明 / only a submitted month's explanations are decided",
                state.zh()
            )));
        }
        let action = if decision == Decision::Accepted { "review.accept" } else { "review.return" };
        let audits: Vec<_> = flags
            .iter()
            .map(|f| {
                let mut audit = caller
                    .audit(action, "review_flag", &flag_id(&zone, month, *f))
                    .after(serde_json::json!({ "decision": decision }).to_string());
                audit.reason = reason.to_string();
                audit
            })
            .collect();
        let keys: Vec<_> = flags.iter().map(|f| (f.uscc, f.rule, f.indicator)).collect();
        if !self.store.decide_review_flags(&zone, month, &keys, decision, reason, &audits).await? {
            return Err(gone(&zone, month, flags.len()));
        }
        Ok(())
    }

    /// The coordinator's view of a year: each zone-month's kept flags by rule and by status, and
    /// each top-level zone's Benford screen of its amounts (flow indicators) for the year.
    pub async fn data_quality(&self, caller: &Caller, year: i32) -> Result<DataQuality> {
        self.require(caller, Action::ReviewSubmissions)?;
        let (from, to) = crate::year_months(year)?;
        let counts = self.store.review_flag_counts(from, to).await?;
        let mut months: Vec<QualityMonth> = Vec::new();
        for top in self.plan.top_zones() {
            let mut m = from;
            while m <= to {
                let here: Vec<&store::FlagCount> =
                    counts.iter().filter(|c| c.month == m && c.zone == top.code.as_str()).collect();
                if !here.is_empty() {
                    let mut by_rule: BTreeMap<&'static str, u64> = domain::review::RULES.iter().map(|(r, _)| (*r, 0)).collect();
                    let mut by_status = crate::FlagTally::default();
                    for c in here {
                        *by_rule.entry(c.rule).or_default() += c.count;
                        by_status.add(c.status, c.count);
                    }
                    months.push(QualityMonth { zone: top.code.to_string(), month: m.to_string(), by_rule, by_status });
                }
                m = m.next();
            }
        }
        let version = self.data_version().await?;
        let amounts: Vec<IndicatorCode> =
            self.plan.indicators.iter().filter(|i| i.kind == domain::IndicatorKind::Flow).map(|i| i.code.clone()).collect();
        let mut benford = Vec::new();
        for top in self.plan.top_zones() {
            let zone = top.code.to_string();
            let screen = self
                .views
                .benford
                .get_or_compute((zone.clone(), year), version, || async {
                    let counts = self.store.first_digit_counts(&self.zones_under(&zone), from, to, &amounts).await?;
                    Ok::<_, ServiceError>(domain::review::benford_of_counts(counts))
                })
                .await?;
            benford.push(QualityBenford { zone, screen: (*screen).clone() });
        }
        Ok(DataQuality { year, months, benford })
    }

    /// Every kept flag of a year, for the coordinator's export: (zone, month, flag, name).
    pub async fn review_flags_of_year(&self, caller: &Caller, year: i32) -> Result<Vec<(String, Month, SheetFlag)>> {
        self.require(caller, Action::ReviewSubmissions)?;
        let (from, to) = crate::year_months(year)?;
        let kept = self.store.review_flags_between(from, to).await?;
        let usccs: Vec<&str> = kept.iter().map(|(_, _, k)| k.flag.uscc.as_str()).collect();
        let names = self.store.enterprise_names(&usccs).await?;
        Ok(kept
            .into_iter()
            .map(|(zone, month, kept)| {
                let name = names.get(&kept.flag.uscc).cloned().unwrap_or_default();
                (zone, month, SheetFlag { name, status: kept.status(), kept })
            })
            .collect())
    }

    /// A top-level zone's rows (its sub-zones included) of a month and of the month before, each
    /// value in its indicator's unit.
    async fn review_rows(&self, zone: &str, month: Month) -> Result<(Vec<Row>, Vec<Row>)> {
        let codes: Vec<IndicatorCode> = self.plan.indicators.iter().map(|i| i.code.clone()).collect();
        let row = |uscc: &str, values: Vec<Option<i64>>| Row {
            uscc: uscc.to_string(),
            values: self
                .plan
                .indicators
                .iter()
                .zip(values)
                .filter_map(|(ind, v)| v.map(|v| (ind.code.to_string(), v as f64 / domain::amount::scale(ind.decimals) as f64)))
                .collect(),
        };
        let (mut this, mut before) = (Vec::new(), Vec::new());
        for pair in self.store.zone_month_pairs(&self.zones_under(zone), month, month.prev(), &codes).await? {
            if let Some(values) = pair.this {
                this.push(row(&pair.uscc, values));
            }
            if let Some(values) = pair.before {
                before.push(row(&pair.uscc, values));
            }
        }
        Ok((this, before))
    }
}

/// A text a user writes, trimmed: not empty, not over the limit.
fn bounded_text<'a>(text: &'a str, what: &str) -> Result<&'a str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ServiceError::BadRequest(format!("请填写{what}")));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(ServiceError::BadRequest(format!("{what}最多 {MAX_TEXT_CHARS} 字 / at most {MAX_TEXT_CHARS} characters")));
    }
    Ok(text)
}

fn none_chosen(flags: &[FlagRef<'_>]) -> Result<()> {
    if flags.is_empty() {
        return Err(ServiceError::BadRequest("未选择审核提示 / no flags given".into()));
    }
    Ok(())
}

/// How a flag is named in the audit trail.
fn flag_id(zone: &str, month: Month, f: FlagRef<'_>) -> String {
    format!("{zone}/{month}/{}/{}/{}", f.uscc, f.rule, f.indicator)
}

fn gone(zone: &str, month: Month, n: usize) -> ServiceError {
    ServiceError::NotFound(format!(
        "{zone}/{month}:所选 {n} 条审核提示中有的已不存在(数据已更改),或不能这样处理(须更正的提示不能说明,未说明的不能审核),未作任何更改 / \
         a flag is gone or cannot take this: nothing was changed"
    ))
}
