//! Property tests of the arithmetic every figure rests on: year-to-date progress and its status,
//! the yearly targets on the way to a final one, the project lights, and the per-mu evaluation's
//! invariants. They run with the test suite; `PROPTEST_CASES` runs more.

use std::collections::BTreeMap;
use std::sync::Arc;

use leapfrog_domain::evaluation::{Denominator, EvalIndicator, Method, Subject, evaluate_scale};
use leapfrog_domain::progress::{CellIndex, CellMonth, Status, annual_target, yoy_pct};
use leapfrog_domain::projects::{Light, LightInputs, LightRules, Project, ProjectKind, ProjectStatus};
use leapfrog_domain::{IndustryCode, Month, Plan, ZoneCode};
use proptest::prelude::*;

fn plan() -> Plan {
    Plan::default_plan()
}

proptest! {
    /// Whatever the monthly sums, a cell's year-to-date is the sum of its months, a zone's
    /// all-industries row is the sum of its industries' rows, and the status follows the gap.
    #[test]
    fn progress_adds_up_and_its_status_follows_the_gap(
        sums in prop::collection::vec((0usize..4, 0usize..3, 1u32..=12, 0i64..1_000_000_000), 1..60),
        month in 1u32..=12,
    ) {
        let plan = plan();
        let industries: Vec<&str> = plan.industries.iter().map(|i| i.code.as_str()).take(4).collect();
        let zones: Vec<&str> = plan.zones.iter().filter(|z| z.parent.is_none()).map(|z| z.code.as_str()).take(3).collect();
        let cells: Vec<CellMonth> = sums
            .iter()
            .map(|(i, z, m, v)| CellMonth {
                industry: IndustryCode::parse(industries[*i % industries.len()]).unwrap(),
                zone: ZoneCode::parse(zones[*z % zones.len()]).unwrap(),
                month: Month::new(2022, *m).unwrap(),
                sum: *v,
            })
            .collect();
        let revenue = plan.indicator("revenue").unwrap();
        let index = CellIndex::new(&plan, revenue, &cells);
        let at = Month::new(2022, month).unwrap();
        let rows = index.table(at);
        let unit = 10f64.powi(revenue.decimals as i32);
        for row in &rows {
            let by_hand: i64 = cells
                .iter()
                .filter(|c| c.month <= at && c.industry.as_str() == row.industry && c.zone.as_str() == row.zone)
                .map(|c| c.sum)
                .sum();
            if industries.contains(&row.industry.as_str()) && zones.contains(&row.zone.as_str()) {
                let ytd = row.ytd.unwrap_or(0.0);
                prop_assert!((ytd - by_hand as f64 / unit).abs() <= 1e-6 * ytd.abs().max(1.0), "{row:?}");
            }
            if let (Some(gap), Some(status)) = (row.gap_pp, row.status) {
                prop_assert_eq!(status, Status::from_gap(gap, plan.slightly_behind_pp));
            }
            if let (Some(ytd), Some(target), Some(pct)) = (row.ytd, row.target, row.attainment_pct) {
                prop_assert!((pct - ytd / target * 100.0).abs() < 1e-6 * pct.abs().max(1.0));
            }
        }
    }

    /// A smaller gap behind 序时进度 never gives a worse status.
    #[test]
    fn status_never_worsens_as_the_gap_closes(a in -200.0f64..200.0, b in -200.0f64..200.0, slightly in -20.0f64..0.0) {
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        prop_assert!(rank(Status::from_gap(high, slightly)) <= rank(Status::from_gap(low, slightly)));
    }

    /// The yearly targets climb geometrically from the baseline to the final target, and reach it.
    #[test]
    fn yearly_targets_follow_the_geometric_path(base in 1.0f64..1e9, final_target in 1.0f64..1e9, years in 1i32..8) {
        let (from, to) = (2020, 2020 + years);
        prop_assert_eq!(annual_target(final_target, Some(base), from, to, to), Some(final_target));
        let path: Vec<f64> = (from + 1..=to).map(|y| annual_target(final_target, Some(base), from, to, y).unwrap()).collect();
        let ratio = (final_target / base).powf(1.0 / f64::from(years));
        let mut previous = base;
        for t in &path {
            prop_assert!((t / previous - ratio).abs() < 1e-6 * ratio.max(1.0), "{path:?}");
            previous = *t;
        }
        prop_assert_eq!(annual_target(final_target, None, from, to, from + 1).is_none(), years > 1);
    }

    /// Growth is positive exactly when the value rose.
    #[test]
    fn growth_has_the_sign_of_the_change(value in 0.0f64..1e12, prev in 0.0f64..1e12) {
        match yoy_pct(Some(value), Some(prev)) {
            None => prop_assert_eq!(prev, 0.0),
            Some(pct) => prop_assert_eq!(pct > 0.0, value > prev),
        }
    }

    /// More investment reported never turns a light worse; a light that is not green says why;
    /// the overall light is the worst of the others.
    #[test]
    fn project_lights_are_monotone_and_explained(
        planned in 1i64..1_000_000_000,
        low in 0i64..1_000_000_000,
        more in 0i64..1_000_000_000,
        month in 1u32..=12,
        late in 0i32..10,
        started in any::<bool>(),
    ) {
        let at = Month::new(2023, month).unwrap();
        let planned_start = Month::new(2023 - late / 12 - 1, 1 + (late % 12) as u32);
        let project = Project {
            code: "P1".into(),
            name: "项目".into(),
            investor_uscc: None,
            zone: ZoneCode::parse("etdz").unwrap(),
            industry: IndustryCode::parse("optoelectronics").unwrap(),
            kind: ProjectKind::New,
            provincial_key: false,
            provincial_major: false,
            provincial_300: false,
            total_investment: planned * 2,
            status: ProjectStatus::Preparing,
            planned_start,
            actual_start: started.then_some(at),
            planned_completion: None,
            actual_completion: None,
        };
        let name = |c: &str| c.to_string();
        let light = |ytd: i64| {
            let inputs = LightInputs { project: &project, planned: Some(planned), reported_ytd: ytd, requirements: &[], problems: &[], department_name: &name };
            LightRules::default().lights(at, &inputs)
        };
        let (before, after) = (light(low), light(low.saturating_add(more)));
        prop_assert!(after.investment <= before.investment, "{before:?} → {after:?}");
        for l in [&before, &after] {
            let worst = [l.start, l.investment, l.requirements, l.problems].into_iter().flatten().max();
            prop_assert_eq!(l.overall, worst);
            prop_assert_eq!(l.reasons.is_empty(), l.overall.is_none_or(|o| o == Light::Green), "{:?}", l);
        }
    }

    /// Every score lies between 0 and its cap, the total is the scores plus the adjustment, the
    /// ungraded are not ranked, and within a scale a higher total never has a worse class.
    #[test]
    fn evaluation_invariants_hold(
        people in prop::collection::vec((0.5f64..500.0, prop::option::of(0.0f64..10_000.0), prop::option::of(0.0f64..50_000.0), any::<bool>(), -5i32..5), 1..60),
    ) {
        let ind = |code: &str, numerator: &str, denominator: Denominator, weight: f64| EvalIndicator {
            code: Arc::from(code),
            name: code.into(),
            numerator: numerator.into(),
            denominator,
            weight,
            fixed_benchmarks: BTreeMap::new(),
        };
        let indicators = vec![
            ind("tax_per_mu", "tax", Denominator::Land, 60.0),
            ind("va_per_mu", "value_added", Denominator::Land, 40.0),
        ];
        let method = Method { above: indicators.clone(), below: indicators.clone(), cap_multiple: 3.0, cutoffs: [0.25, 0.70, 0.95] };
        let subjects: Vec<Subject> = people
            .iter()
            .enumerate()
            .map(|(k, (land, tax, va, exempt, adjustment))| {
                let mut facts = BTreeMap::new();
                if let Some(t) = tax {
                    facts.insert(Arc::from("tax"), *t);
                }
                if let Some(v) = va {
                    facts.insert(Arc::from("value_added"), *v);
                }
                Subject {
                    uscc: format!("E{k:03}"),
                    above_scale: true,
                    land_mu: *land,
                    facts,
                    exempt: exempt.then(|| "公用事业".to_string()),
                    adjustment: f64::from(*adjustment),
                    adjustment_reason: String::new(),
                }
            })
            .collect();
        let population: Vec<&Subject> = subjects.iter().collect();
        let results = evaluate_scale(&method, &indicators, 2022, &population);
        prop_assert_eq!(results.len(), subjects.len());
        for (r, s) in results.iter().zip(&subjects) {
            let mut sum = 0.0;
            for (line, ind) in r.indicators.iter().zip(&indicators) {
                prop_assert!(line.score >= 0.0 && line.score <= ind.weight * method.cap_multiple + 1e-9, "{line:?}");
                sum += line.score;
            }
            prop_assert!((r.total - (sum + s.adjustment)).abs() < 1e-3, "{} ≠ {} + {}", r.total, sum, s.adjustment);
            prop_assert_eq!(r.class.is_none(), s.exempt.is_some());
            prop_assert_eq!(r.rank.is_none(), s.exempt.is_some());
        }
        let graded: Vec<_> = results.iter().filter(|r| r.class.is_some()).collect();
        for a in &graded {
            for b in &graded {
                if a.total > b.total + 1e-9 {
                    prop_assert!(a.class <= b.class, "{} ({:?}) above {} ({:?})", a.total, a.class, b.total, b.class);
                }
            }
        }
    }
}

fn rank(s: Status) -> u8 {
    match s {
        Status::Ahead => 0,
        Status::SlightlyBehind => 1,
        Status::Behind => 2,
    }
}
