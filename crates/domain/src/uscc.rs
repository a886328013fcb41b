//! 统一社会信用代码 (unified social credit code), GB 32100-2015.

use std::fmt;

/// The 31 characters a USCC may use, in the order that gives each its value (I, O, Z, S, V are
/// left out so they cannot be misread).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A validated unified social credit code: 18 characters whose last is the check character.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Uscc(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("统一社会信用代码应为18位,实为{0}位 / a USCC has 18 characters, this has {0}")]
    Length(usize),
    #[error("第{position}位字符“{found}”不是合法字符 / character {position} '{found}' is not allowed")]
    Character { position: usize, found: char },
    #[error("校验位应为“{expected}”,实为“{found}” / check character should be '{expected}', is '{found}'")]
    CheckDigit { expected: char, found: char },
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters of a code.
pub fn check_char(body: &str) -> Result<char, UsccError> {
    let bytes = body.as_bytes();
    if bytes.len() != 17 {
        return Err(UsccError::Length(bytes.len() + 1));
    }
    let mut sum = 0u32;
    for (i, &b) in bytes.iter().enumerate() {
        let v = value_of(b).ok_or(UsccError::Character { position: i + 1, found: b as char })?;
        sum += v * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Ok(ALPHABET[check as usize] as char)
}

impl Uscc {
    /// Parses a code as typed: surrounding spaces are dropped and lower case letters accepted.
    pub fn parse(raw: &str) -> Result<Self, UsccError> {
        let code = raw.trim().to_ascii_uppercase();
        let n = code.chars().count();
        if n != 18 {
            return Err(UsccError::Length(n));
        }
        if let Some((i, c)) = code.chars().enumerate().find(|(_, c)| !c.is_ascii() || value_of(*c as u8).is_none()) {
            return Err(UsccError::Character { position: i + 1, found: c });
        }
        let expected = check_char(&code[..17])?;
        let found = code.as_bytes()[17] as char;
        if expected != found {
            return Err(UsccError::CheckDigit { expected, found });
        }
        Ok(Uscc(code))
    }

    /// Completes a 17-character body with its check character (used to make demo codes).
    pub fn complete(body: &str) -> Result<Self, UsccError> {
        let c = check_char(body)?;
        Ok(Uscc(format!("{body}{c}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Uscc {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Uscc {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for Uscc {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Uscc {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Well-formed codes as they appear in public examples of the standard's use.
        for code in ["91350100M000100Y43", "91110000802100433B", "91440300708461136T"] {
            assert!(Uscc::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn rejects_a_wrong_check_character() {
        let err = Uscc::parse("91110000802100433C").unwrap_err();
        assert_eq!(err, UsccError::CheckDigit { expected: 'B', found: 'C' });
    }

    #[test]
    fn rejects_bad_length_and_letters() {
        assert_eq!(Uscc::parse("9136000015826950").unwrap_err(), UsccError::Length(16));
        assert!(matches!(Uscc::parse("9136000015826950IC").unwrap_err(), UsccError::Character { position: 17, found: 'I' }));
    }

    #[test]
    fn completes_a_body_into_a_valid_code() {
        // The check character worked out by hand from the standard's weights: B.
        let code = Uscc::complete("91360100MA3500001").unwrap();
        assert_eq!(code.as_str(), "91360100MA3500001B");
        assert_eq!(Uscc::parse(&code.as_str().to_lowercase()).unwrap(), code);
    }
}
