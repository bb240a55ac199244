//! Organisations: the PCN, its member practices (by ODS code), and the system (ICS) above.
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(code: $name) -> String {
                code.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(text: String) -> Result<Self, FieldError> {
                Self::parse(&text)
            }
        }
    };
}

code_type!(
    /// An Organisation Data Service code of a GP practice, like `A81001`: a letter and five
    /// digits for practices in England (other ODS organisations use 3–6 letters and digits).
    OdsCode
);
code_type!(
    /// A Primary Care Network code, like `U12345`.
    PcnCode
);
code_type!(
    /// An Integrated Care System / ICB code, like `QJG`.
    IcsCode
);

fn alnum_code(
    field: &'static str,
    what: &str,
    text: &str,
    len: std::ops::RangeInclusive<usize>,
) -> Result<String, FieldError> {
    let code = text.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err(FieldError::new(field, format!("Enter the {what}")));
    }
    if !len.contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(FieldError::new(
            field,
            format!(
                "'{}' is not a valid {what} ({} to {} letters and digits)",
                text.trim(),
                len.start(),
                len.end()
            ),
        ));
    }
    Ok(code)
}

impl OdsCode {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        alnum_code("ods_code", "ODS code", text, 3..=6).map(Self)
    }
}

impl PcnCode {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let code = alnum_code("pcn_code", "PCN code", text, 6..=6)?;
        if !code.starts_with('U') || !code[1..].chars().all(|c| c.is_ascii_digit()) {
            return Err(FieldError::new(
                "pcn_code",
                format!("'{code}' is not a PCN code (U and five digits)"),
            ));
        }
        Ok(Self(code))
    }
}

impl IcsCode {
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        alnum_code("ics_code", "ICS code", text, 3..=9).map(Self)
    }
}

/// A UK postcode, normalised to upper case with one space before the inward code.
pub fn parse_postcode(text: &str) -> Result<String, FieldError> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let valid = (5..=7).contains(&compact.len())
        && compact.chars().all(|c| c.is_ascii_alphanumeric())
        && compact
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && compact[compact.len() - 3..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
    if !valid {
        return Err(FieldError::new(
            "postcode",
            format!("'{}' is not a UK postcode", text.trim()),
        ));
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    Ok(format!("{outward} {inward}"))
}

/// Which organisation employs a person or owns a record: the PCN or one practice.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Employer {
    Practice(OdsCode),
    Pcn(PcnCode),
}

impl Employer {
    /// `practice` or `pcn`, as stored and as written in import files.
    pub fn kind(&self) -> &'static str {
        match self {
            Employer::Practice(_) => "practice",
            Employer::Pcn(_) => "pcn",
        }
    }

    pub fn code(&self) -> &str {
        match self {
            Employer::Practice(code) => code.as_str(),
            Employer::Pcn(code) => code.as_str(),
        }
    }

    /// Parses the pair stored in the database or given in a file: kind and code.
    pub fn parse(kind: &str, code: &str) -> Result<Self, FieldError> {
        match kind.trim().to_ascii_lowercase().as_str() {
            "practice" => OdsCode::parse(code)
                .map(Employer::Practice)
                .map_err(|e| FieldError::new("employer_code", e.message)),
            "pcn" => PcnCode::parse(code)
                .map(Employer::Pcn)
                .map_err(|e| FieldError::new("employer_code", e.message)),
            other => Err(FieldError::new(
                "employer",
                format!("'{other}' is not an employer kind: use practice or pcn"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_are_normalised_and_checked() {
        assert_eq!(OdsCode::parse(" d81001 ").unwrap().as_str(), "D81001");
        assert!(OdsCode::parse("D8-001").is_err());
        assert!(OdsCode::parse("").is_err());
        assert!(OdsCode::parse("ABCDEFG").is_err());
    }

    #[test]
    fn pcn_codes_are_u_and_five_digits() {
        assert!(PcnCode::parse("U12345").is_ok());
        assert!(PcnCode::parse("X12345").is_err());
        assert!(PcnCode::parse("U1234A").is_err());
    }

    #[test]
    fn postcodes_get_one_space() {
        assert_eq!(parse_postcode("ip41ab").unwrap(), "IP4 1AB");
        assert_eq!(parse_postcode("CO4 5JR").unwrap(), "CO4 5JR");
        assert!(parse_postcode("12345").is_err());
    }
}
