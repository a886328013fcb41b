//! Property tests of the parsers every file cell goes through: whatever the text, they answer
//! with a value or an error, never a panic, and what they accept means what it says. They run
//! with the test suite (a few hundred cases each); `PROPTEST_CASES` runs more.

use leapfrog_domain::{Amount, Month};
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
}
