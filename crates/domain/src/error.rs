//! Field-level validation errors: what was wrong and in which field, so a form can put the
//! message beside the input and an importer can print `file:row: field: problem`.
use std::fmt;

/// One problem with one named field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's machine name, the same in forms, CSV headers and JSON.
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// All the problems found in one record (a form or a row), in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps the value when it parsed, records the error otherwise.
    pub fn take<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    /// `Ok(())` when nothing was wrong.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

impl From<FieldError> for FieldErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

/// Parses a date for the named field: ISO (`YYYY-MM-DD`) as forms and the API send it, or
/// as people and spreadsheets write it in England (`04/01/2027`, `4 Jan 2027`; see
/// `crate::dates`), never month first.
pub fn parse_date(field: &'static str, text: &str) -> Result<chrono::NaiveDate, FieldError> {
    crate::dates::parse_day(text).map_err(|message| FieldError::new(field, message))
}

/// Parses an optional ISO date: empty text is `None`.
pub fn parse_optional_date(
    field: &'static str,
    text: &str,
) -> Result<Option<chrono::NaiveDate>, FieldError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(field, text).map(Some)
    }
}

/// Requires non-empty text of at most `max` characters.
pub fn parse_required(
    field: &'static str,
    label: &str,
    text: &str,
    max: usize,
) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, format!("Enter {label}")));
    }
    crate::text::check(&capitalise(label), text, crate::text::TextKind::Line, max)
        .map_err(|message| FieldError::new(field, message))?;
    Ok(text.to_string())
}

/// "the person's name" as "The person's name", to start a sentence.
fn capitalise(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
