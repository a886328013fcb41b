//! Property tests of the parsers every file cell goes through: whatever the text, they answer
//! with a value or an error, never a panic, and what they accept means what it says. They run
//! with the test suite (a few hundred cases each); `PROPTEST_CASES` runs more.

use std::collections::BTreeMap;

use leapfrog_domain::plan::DEFAULT_PLAN_TOML;
use leapfrog_domain::{Amount, Month, Plan};
use proptest::prelude::*;

proptest! {
    #[test]
    fn month_parse_never_panics_and_round_trips(text in "\\PC{0,40}") {
        if let Ok(m) = Month::parse(&text) {
            prop_assert!((1900..=9999).contains(&m.year()));
            prop_assert!((1..=12).contains(&m.month()));
            prop_assert_eq!(Month::parse(&m.to_string()), Ok(m));
        }
    }

    #[test]
    fn month_like_text_parses_to_its_month(y in 1900i32..=9999, m in 1u32..=12, sep in prop::sample::select(vec!["-", "/", ".", "年"])) {
        let text = if sep == "年" { format!("{y}年{m}月") } else { format!("{y}{sep}{m:02}") };
        let parsed = Month::parse(&text).unwrap();
        prop_assert_eq!((parsed.year(), parsed.month()), (y, m));
    }

    #[test]
    fn amount_parse_never_panics_and_keeps_the_value(text in "[-+0-9.,, ]{0,40}|\\PC{0,40}", decimals in 0u32..=6) {
        if let Ok(a) = Amount::parse(&text, decimals) {
            prop_assert!(a.raw >= 0);
            // What was accepted reads back to the same amount.
            prop_assert_eq!(Amount::parse(&a.to_string(), decimals), Ok(a));
        }
    }

    #[test]
    fn amounts_written_with_their_decimals_are_exact(int in 0i64..1_000_000_000, frac in 0i64..10_000) {
        let a = Amount::parse(&format!("{int}.{frac:04}"), 4).unwrap();
        prop_assert_eq!(a.raw, int * 10_000 + frac);
    }

    #[test]
    fn spreadsheet_numbers_never_panic(v in any::<f64>(), decimals in 0u32..=6) {
        if let Ok(a) = Amount::from_f64(v, decimals) {
            prop_assert!(a.raw >= 0);
            prop_assert!((a.as_f64() - v).abs() <= v.abs() * 1e-9 + 1e-6);
        }
    }

    /// Any text as a plan file: a plan, or problems each with its reason and, when it has one, a
    /// line of the file.
    #[test]
    fn any_text_as_a_plan_is_a_plan_or_its_problems(text in "\\PC{0,400}") {
        problems_have_lines(&text);
    }

    /// The shipped plan damaged: lines dropped, or characters changed.
    #[test]
    fn a_damaged_plan_is_a_plan_or_its_problems(
        drops in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        flips in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec!['=', '"', '[', ']', '\n', '0', '-', 'x', '{', ','])), 0..6),
    ) {
        let mut lines: Vec<&str> = DEFAULT_PLAN_TOML.lines().collect();
        for d in drops {
            if !lines.is_empty() {
                lines.remove(d.index(lines.len()));
            }
        }
        let mut chars: Vec<char> = lines.join("\n").chars().collect();
        for (at, c) in flips {
            if !chars.is_empty() {
                let i = at.index(chars.len());
                chars[i] = c;
            }
        }
        problems_have_lines(&chars.into_iter().collect::<String>());
    }

    /// Any answers to any form of the shipped catalogue: kept as checked, or refused field by
    /// field, each refusal naming a field of the form.
    #[test]
    fn any_answers_to_a_form_are_checked_field_by_field(
        item in any::<prop::sample::Index>(),
        answers in prop::collection::vec(("[a-z_]{1,10}", "\\PC{0,40}"), 0..10),
        fill in prop::collection::vec("\\PC{0,20}", 0..10),
    ) {
        let plan = Plan::default_plan();
        let item = &plan.services.items[item.index(plan.services.items.len())];
        // Random keys, and the form's own fields with random values.
        let mut given: BTreeMap<String, String> = answers.into_iter().collect();
        for (field, value) in item.fields.iter().zip(fill) {
            given.insert(field.code.clone(), value);
        }
        match item.check_form(&given) {
            Ok(kept) => {
                for code in kept.keys() {
                    prop_assert!(item.fields.iter().any(|f| &f.code == code), "kept an answer to no field: {code}");
                }
                for f in item.fields.iter().filter(|f| f.required) {
                    prop_assert!(kept.get(&f.code).is_some_and(|v| !v.trim().is_empty()), "required {} missing", f.code);
                }
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    prop_assert!(!e.reason.is_empty());
                    // A field of the form by its label, or an answer given to no field.
                    let named = item.fields.iter().any(|f| f.label == e.field) || given.contains_key(&e.field);
                    prop_assert!(named, "refused no field: {}", e.field);
                }
            }
        }
    }
}

/// Parsing never panics; each problem says why, and its line is one of the file's.
fn problems_have_lines(text: &str) {
    if let Err(problems) = Plan::from_toml(text) {
        assert!(!problems.is_empty());
        let lines = text.lines().count().max(1);
        for p in problems {
            assert!(!p.message.is_empty());
            if let Some(line) = p.line {
                assert!(line >= 1 && line <= lines + 1, "line {line} of {lines}: {}", p.message);
            }
        }
    }
}
