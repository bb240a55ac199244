//! Every text a request carries, checked in one place before any handler sees it: form
//! fields (`CsrfForm`, `CsrfMultipart`), JSON bodies (`ApiJson`) and the address itself.
//!
//! A field is refused (422, naming it in the users' words) when it holds a character that
//! cannot be stored or is longer than its limit; see `domain::text` for the rules. Limits
//! come from a small table keyed by field name: multi-line fields (notes, reflections,
//! descriptions) take line breaks and up to `MULTILINE_MAX` characters, every other field
//! is one line of up to `LINE_MAX`.
pub use crate::error::TextProblem;
use crate::error::WebError;
use axum::Json;
use axum::extract::{FromRequest, Request};
use domain::text::{LINE_MAX, MULTILINE_MAX, TextKind, check};
use serde::de::DeserializeOwned;

/// A field whose rules differ from the default (one line of `LINE_MAX`).
struct FieldRule {
    name: &'static str,
    label: &'static str,
    kind: TextKind,
    max: usize,
}

const fn multi(name: &'static str, label: &'static str) -> FieldRule {
    FieldRule {
        name,
        label,
        kind: TextKind::MultiLine,
        max: MULTILINE_MAX,
    }
}

const fn line(name: &'static str, label: &'static str, max: usize) -> FieldRule {
    FieldRule {
        name,
        label,
        kind: TextKind::Line,
        max,
    }
}

const RULES: &[FieldRule] = &[
    multi("note", "Note"),
    multi("notes", "Notes"),
    multi("comment", "Comment"),
    multi("reflection", "Reflection"),
    multi("progress", "Progress"),
    multi("description", "Description"),
    multi("service_description", "What it offers"),
    multi("questions", "Questions"),
    multi("source", "Source"),
    multi("reason", "Reason"),
    // Long secrets and addresses: still one line, but longer than a name.
    line("password", "Password", 1_000),
    line("current_password", "Current password", 1_000),
    line("password_again", "Password again", 1_000),
    line("csrf_token", "The form's security token", 1_000),
    // Where to go after logging in: checked for being a path of this site by the log-in
    // itself; here only what can never be sent on is refused.
    FieldRule {
        name: "next",
        label: "The page to go to next",
        kind: TextKind::MultiLine,
        max: 2_000,
    },
    line("back", "The page to go back to", 2_000),
    line("email", "Email address", 254),
];

/// The rule for a field by its name (a form's `name`, a JSON key).
fn rule(name: &str) -> (String, TextKind, usize) {
    match RULES.iter().find(|r| r.name == name) {
        Some(r) => (r.label.to_string(), r.kind, r.max),
        None => (label_of(name), TextKind::Line, LINE_MAX),
    }
}

/// `start_date` as "Start date": a field name in words.
fn label_of(name: &str) -> String {
    let words = name.replace(['_', '-'], " ");
    let words = words.trim();
    if words.is_empty() || !words.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ') {
        return "A field".into();
    }
    let mut chars = words.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    first.into_iter().chain(chars).collect()
}

/// Checks one named value.
pub(crate) fn check_field(name: &str, value: &str) -> Result<(), TextProblem> {
    let (label, kind, max) = rule(name);
    check(&label, value, kind, max).map_err(|message| TextProblem {
        field: field_name(name),
        message,
    })
}

/// A field name as it may be shown back: without characters that could not be stored.
fn field_name(name: &str) -> String {
    name.chars()
        .filter(|c| !domain::text::forbidden(*c, TextKind::Line))
        .take(LINE_MAX)
        .collect()
}

/// Checks every field of a urlencoded or multipart form.
pub(crate) fn check_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), TextProblem> {
    for (name, value) in pairs {
        check_field("field name", name).map_err(|_| TextProblem {
            field: field_name(name),
            message: "A field's name contains a character that cannot be stored".into(),
        })?;
        check_field(name, value)?;
    }
    Ok(())
}

/// Checks every string in a JSON value; a string in a list is held to its list's field.
pub(crate) fn check_json(value: &serde_json::Value) -> Result<(), TextProblem> {
    walk(value, "value")
}

fn walk(value: &serde_json::Value, field: &str) -> Result<(), TextProblem> {
    match value {
        serde_json::Value::String(text) => check_field(field, text),
        serde_json::Value::Array(items) => items.iter().try_for_each(|item| walk(item, field)),
        serde_json::Value::Object(map) => map.iter().try_for_each(|(key, item)| {
            check_pairs([(key.as_str(), "")])?;
            walk(item, key)
        }),
        _ => Ok(()),
    }
}

/// Checks the address: a path or query holding NUL, another control character (tabs and
/// line breaks aside, which the log-in's `next` check deals with) or a text-direction
/// character, even percent-encoded, is refused before any handler or query sees it.
pub(crate) fn check_uri(uri: &axum::http::Uri) -> Result<(), String> {
    let raw = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    if decoded
        .chars()
        .any(|c| domain::text::forbidden(c, TextKind::MultiLine))
    {
        return Err("The address contains a character that cannot be used".into());
    }
    Ok(())
}

/// A JSON request body: `Content-Type: application/json` required, every text field
/// checked, and every refusal answered in the API's JSON error shape.
pub(crate) struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(|rejection| {
                let status = rejection.status();
                let message = match status {
                    axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                        "send the body as JSON, with the header Content-Type: application/json"
                            .to_string()
                    }
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE => crate::limits::too_large_words(),
                    _ => rejection.body_text(),
                };
                WebError::ApiStatus(status, message)
            })?;
        check_json(&value).map_err(|p| WebError::Refused {
            api: true,
            problem: p,
        })?;
        let body = serde_json::from_value(value).map_err(|e| {
            WebError::ApiStatus(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                format!("The body does not match what this call takes: {e}"),
            )
        })?;
        Ok(ApiJson(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_named_in_words_with_their_limits() {
        let p = check_field("name", &"a".repeat(201)).unwrap_err();
        assert_eq!(p.message, "Name must be 200 characters or fewer");
        assert!(check_field("notes", &"a".repeat(5_000)).is_ok());
        let p = check_field("notes", "a\0b").unwrap_err();
        assert_eq!(p.field, "notes");
        assert!(p.message.starts_with("Notes contain") || p.message.starts_with("Notes contains"));
        assert!(check_field("notes", "line one\nline two").is_ok());
        assert!(check_field("name", "line one\nline two").is_err());
        let p = check_field("start_date", "\u{202e}").unwrap_err();
        assert!(
            p.message.starts_with("Start date contains"),
            "{}",
            p.message
        );
    }

    #[test]
    fn json_is_walked_into_lists_and_objects() {
        let ok = serde_json::json!({"name": "Ann", "skills": ["a", "b"], "n": 3});
        assert!(check_json(&ok).is_ok());
        let bad = serde_json::json!({"person": {"skills": ["ok", "bad\u{0}"]}});
        assert_eq!(check_json(&bad).unwrap_err().field, "skills");
        let key = serde_json::json!({"na\u{0}me": "Ann"});
        assert!(check_json(&key).is_err());
    }

    #[test]
    fn the_address_is_checked_decoded() {
        let ok: axum::http::Uri = "/staff/abc?q=Ann%20Smith&x=%C3%A9".parse().unwrap();
        assert!(check_uri(&ok).is_ok());
        for bad in [
            "/staff/%00",
            "/login?next=/%01/evil",
            "/a?q=%E2%80%AE",
            "/a%7f",
        ] {
            let uri: axum::http::Uri = bad.parse().unwrap();
            assert!(check_uri(&uri).is_err(), "{bad}");
        }
    }
}
