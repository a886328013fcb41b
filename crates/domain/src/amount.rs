//! Exact amounts: every indicator value is stored as an integer count of its smallest kept unit
//! (10^-decimals of the indicator's unit), so sums match to the last digit on both engines.

use std::fmt;

/// A value of an indicator in its smallest kept unit, with the number of decimals that unit has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    pub raw: i64,
    pub decimals: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("“{0}”不是数字 / '{0}' is not a number")]
    NotANumber(String),
    #[error("“{0}”为负数,此指标不能为负 / '{0}' is negative, this indicator cannot be")]
    Negative(String),
    #[error("“{value}”小数位过多,最多{decimals}位 / '{value}' has more than {decimals} decimals")]
    TooPrecise { value: String, decimals: u32 },
    #[error("“{0}”超出可表示范围 / '{0}' is too large")]
    TooLarge(String),
}

pub fn scale(decimals: u32) -> i64 {
    10i64.pow(decimals)
}

impl Amount {
    /// Parses a non-negative decimal as typed in a file: thousands separators (, and ,) and
    /// surrounding spaces are accepted; more decimals than the indicator keeps is an error rather
    /// than a silent rounding.
    pub fn parse(text: &str, decimals: u32) -> Result<Self, AmountError> {
        // Byte by byte without allocating: this runs for every cell of multi-million-row files.
        let t = text.trim();
        let orig = || crate::shorten(t);
        let (negative, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (mut raw, mut digits, mut frac, mut in_frac) = (0i64, 0usize, 0u32, false);
        for ch in body.chars() {
            match ch {
                '0'..='9' => {
                    digits += 1;
                    let d = i64::from(ch as u8 - b'0');
                    if in_frac {
                        if frac >= decimals {
                            if d != 0 {
                                return Err(AmountError::TooPrecise { value: orig(), decimals });
                            }
                            continue;
                        }
                        frac += 1;
                    }
                    raw = raw.checked_mul(10).and_then(|r| r.checked_add(d)).ok_or_else(|| AmountError::TooLarge(orig()))?;
                }
                '.' if !in_frac => in_frac = true,
                ',' | '\u{ff0c}' | ' ' if !in_frac && digits > 0 => {}
                _ => return Err(AmountError::NotANumber(orig())),
            }
        }
        if digits == 0 {
            return Err(AmountError::NotANumber(orig()));
        }
        if negative {
            return Err(AmountError::Negative(orig()));
        }
        let raw = raw.checked_mul(scale(decimals - frac)).ok_or_else(|| AmountError::TooLarge(orig()))?;
        Ok(Amount { raw, decimals })
    }

    /// Converts a number read from a spreadsheet cell. Spreadsheet formulas leave binary noise
    /// (1234.5600000000002), which is rounded away; a genuine extra decimal is still an error.
    pub fn from_f64(v: f64, decimals: u32) -> Result<Self, AmountError> {
        if !v.is_finite() {
            return Err(AmountError::NotANumber(v.to_string()));
        }
        if v < 0.0 {
            return Err(AmountError::Negative(v.to_string()));
        }
        let scaled = v * scale(decimals) as f64;
        if scaled > 9.0e18 {
            return Err(AmountError::TooLarge(v.to_string()));
        }
        let rounded = scaled.round();
        if (scaled - rounded).abs() > 1e-6_f64.max(scaled.abs() * 1e-12) {
            return Err(AmountError::TooPrecise { value: v.to_string(), decimals });
        }
        Ok(Amount { raw: rounded as i64, decimals })
    }

    pub fn as_f64(self) -> f64 {
        self.raw as f64 / scale(self.decimals) as f64
    }
}

impl fmt::Display for Amount {
    /// The exact value with its significant decimals, e.g. 1234.5 for raw 12345000 at 4 decimals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.decimals == 0 {
            return write!(f, "{}", self.raw);
        }
        let s = scale(self.decimals);
        let (int, frac) = (self.raw / s, (self.raw % s).abs());
        let frac = format!("{:0width$}", frac, width = self.decimals as usize);
        let frac = frac.trim_end_matches('0');
        if frac.is_empty() { write!(f, "{int}") } else { write!(f, "{int}.{frac}") }
    }
}

/// Groups the integer part of a formatted number in thousands: 1234567.89 → 1,234,567.89.
pub fn group_thousands(formatted: &str) -> String {
    let (sign, rest) = formatted.strip_prefix('-').map_or(("", formatted), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(formatted.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// 万元 as shown in detail tables: thousands separators, two decimals.
pub fn wan_yuan(v: f64) -> String {
    group_thousands(&format!("{v:.2}"))
}

/// 万元 converted to 亿元 as shown in summaries: two decimals.
pub fn yi_yuan(wan: f64) -> String {
    group_thousands(&format!("{:.2}", wan / 10_000.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(Amount::parse("1,234.56", 4).unwrap().raw, 12_345_600);
        assert_eq!(Amount::parse(" 0 ", 4).unwrap().raw, 0);
        assert_eq!(Amount::parse(".5", 2).unwrap().raw, 50);
        assert_eq!(Amount::parse("12.3400", 2).unwrap().raw, 1234);
        assert_eq!(Amount::parse("12.345", 4).unwrap().to_string(), "12.345");
    }

    #[test]
    fn refuses_what_is_not_an_amount() {
        assert_eq!(Amount::parse("-3", 2), Err(AmountError::Negative("-3".into())));
        assert!(matches!(Amount::parse("abc", 2), Err(AmountError::NotANumber(_))));
        assert!(matches!(Amount::parse("1.2.3", 2), Err(AmountError::NotANumber(_))));
        assert!(matches!(Amount::parse("", 2), Err(AmountError::NotANumber(_))));
        assert!(matches!(Amount::parse("1.234", 2), Err(AmountError::TooPrecise { .. })));
        assert!(matches!(Amount::parse("99999999999999999999", 2), Err(AmountError::TooLarge(_))));
    }

    #[test]
    fn spreadsheet_noise_is_rounded_but_real_decimals_are_not() {
        assert_eq!(Amount::from_f64(1234.5600000000002, 2).unwrap().raw, 123_456);
        assert!(Amount::from_f64(1234.567, 2).is_err());
        assert!(Amount::from_f64(-1.0, 2).is_err());
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(group_thousands("1234567.891"), "1,234,567.891");
        assert_eq!(group_thousands("-123"), "-123");
        assert_eq!(wan_yuan(1234.5), "1,234.50");
        assert_eq!(yi_yuan(12_345_678.0), "1,234.57");
    }
}
