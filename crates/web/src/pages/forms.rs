//! Form view models: each form is a list of fields rendered by `form_fields.html` in the NHS
//! design system's patterns (label, hint, error message, kept value), plus an error summary.
use crate::error::WebError;
use app::AppError;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;

#[derive(Debug, Clone)]
pub struct OptionView {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct FieldView {
    /// The input's `name` and `id`.
    pub name: String,
    pub label: String,
    pub hint: String,
    /// `text`, `email`, `tel`, `date`, `number`, `select`, `checkboxes`, `textarea`, `file`.
    pub kind: &'static str,
    pub value: String,
    pub options: Vec<OptionView>,
    pub error: Option<String>,
    /// An NHS width class such as `nhsuk-input--width-10`, or empty.
    pub width: &'static str,
    pub autocomplete: &'static str,
    pub step: &'static str,
    /// For a file input: the types offered, as the `accept` attribute.
    pub accept: &'static str,
}

impl FieldView {
    pub fn new(name: &str, label: &str, kind: &'static str, value: &str) -> FieldView {
        FieldView {
            name: name.into(),
            label: label.into(),
            hint: String::new(),
            kind,
            value: value.into(),
            options: Vec::new(),
            error: None,
            width: "",
            autocomplete: "off",
            step: "any",
            accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn hint(mut self, hint: &str) -> FieldView {
        self.hint = hint.into();
        self
    }

    pub fn width(mut self, width: &'static str) -> FieldView {
        self.width = width;
        self
    }

    pub fn autocomplete(mut self, autocomplete: &'static str) -> FieldView {
        self.autocomplete = autocomplete;
        self
    }

    pub fn accept(mut self, accept: &'static str) -> FieldView {
        self.accept = accept;
        self
    }

    pub fn step(mut self, step: &'static str) -> FieldView {
        self.step = step;
        self
    }

    /// A select (one value) or checkboxes (values separated by `;`) over `options`.
    pub fn options<'a>(
        mut self,
        options: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> FieldView {
        let chosen: Vec<String> = self
            .value
            .split(';')
            .map(|v| v.trim().to_string())
            .collect();
        self.options = options
            .into_iter()
            .map(|(value, label)| OptionView {
                selected: chosen.iter().any(|c| c == value),
                value: value.into(),
                label: label.into(),
            })
            .collect();
        self
    }

    /// The value as a reader sees it: a choice's label (labels joined for ticked boxes).
    pub fn shown(&self) -> String {
        if self.options.is_empty() {
            return self.value.clone();
        }
        let labels: Vec<&str> = self
            .options
            .iter()
            .filter(|o| o.selected)
            .map(|o| o.label.as_str())
            .collect();
        labels.join(", ")
    }

    pub fn has_hint(&self) -> bool {
        !self.hint.is_empty()
    }

    /// `aria-describedby` ids for the hint and error, space separated.
    pub fn described_by(&self) -> String {
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-hint", self.name));
        }
        if self.error.is_some() {
            ids.push(format!("{}-error", self.name));
        }
        ids.join(" ")
    }
}

/// A form's fields and the problems found when it was last sent.
#[derive(Debug, Clone, Default)]
pub struct FormView {
    pub fields: Vec<FieldView>,
    /// (field name, message), in field order, for the error summary.
    pub errors: Vec<(String, String)>,
}

impl FormView {
    pub fn new(fields: Vec<FieldView>) -> FormView {
        FormView {
            fields,
            errors: Vec::new(),
        }
    }

    /// Puts each error beside its field and in the summary (in field order; errors for
    /// fields the form does not show go to the end of the summary).
    pub fn with_errors(self, errors: &FieldErrors) -> FormView {
        self.with_prefixed_errors(errors, "")
    }

    /// As `with_errors`, for a form whose field names carry a prefix (several forms of the
    /// same kind on one page need distinct ids).
    pub fn with_prefixed_errors(mut self, errors: &FieldErrors, prefix: &str) -> FormView {
        let mut summary = Vec::new();
        for field in &mut self.fields {
            let plain = field.name.strip_prefix(prefix).unwrap_or(&field.name);
            if let Some(message) = errors.message_for(plain) {
                field.error = Some(message.to_string());
                summary.push((field.name.clone(), message.to_string()));
            }
        }
        for error in &errors.0 {
            if !self
                .fields
                .iter()
                .any(|f| f.name == format!("{prefix}{}", error.field))
            {
                summary.push((String::new(), error.message.clone()));
            }
        }
        self.errors = summary;
        self
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The message for one field, for forms written out by hand in a template.
    pub fn message_for(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }
}

/// A form's answer once the use case has run: on to `done` when it saved, the page again
/// (`again`, with the form's errors) when a field was refused, any other error as it is.
pub(crate) async fn saved_or_again<T, Again>(
    result: Result<T, AppError>,
    done: &str,
    again: impl FnOnce(FieldErrors) -> Again,
) -> Result<Response, WebError>
where
    Again: Future<Output = Result<Response, WebError>>,
{
    match result {
        Ok(_) => Ok(Redirect::to(done).into_response()),
        Err(AppError::Invalid(errors)) => again(errors).await,
        Err(other) => Err(other.into()),
    }
}
