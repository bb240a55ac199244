//! Problems found in a file: each names the row (as a spreadsheet numbers it, the header
//! being row 1) and the field (the column's header name).
use std::fmt;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowProblem {
    pub row: Option<usize>,
    /// The person the row is about, by the name on it (team register rows), so a manager
    /// finds the row by who it is as well as by its number.
    pub person: Option<String>,
    pub field: Option<String>,
    pub message: String,
}

/// Every problem of one file. Display prints one line per problem:
/// `file:row: field: problem` (`file:row (name): field: problem` when the row names a
/// person), or `file: problem` for the file as a whole.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ImportError {
    pub file: String,
    pub problems: Vec<RowProblem>,
}

/// Problems listed at most; the rest are counted.
pub const MAX_PROBLEMS: usize = 200;

/// Problems kept while reading a file; reading stops after this many.
pub const MAX_KEPT_PROBLEMS: usize = 1_000;

/// Characters of a cell quoted in a message at most.
pub const QUOTE_CHARS: usize = 40;

/// Characters of one message at most: a message longer than this (one quoting a long cell
/// from elsewhere, such as the domain's checks) is cut.
pub const MAX_MESSAGE_CHARS: usize = 600;

/// A cell's text quoted for a message: `'…'`, cut after `QUOTE_CHARS` characters (saying how
/// long it was), with control characters shown as `?` so a message stays on one line.
pub fn quote(text: &str) -> String {
    let mut out = String::from("'");
    let mut chars = text.chars();
    for c in chars.by_ref().take(QUOTE_CHARS) {
        out.push(if c.is_control() { '?' } else { c });
    }
    if chars.next().is_some() {
        out.push_str(&format!("…' ({} characters)", text.chars().count()));
    } else {
        out.push('\'');
    }
    out
}

/// A cell's text for a message, unquoted: cut after `QUOTE_CHARS` characters as `quote` does.
pub fn clip(text: &str) -> String {
    let quoted = quote(text);
    let inner = quoted.strip_prefix('\'').unwrap_or(&quoted);
    match inner.strip_suffix('\'') {
        Some(whole) => whole.to_string(),
        None => inner.replacen("…'", "…", 1),
    }
}

/// A message cut to `MAX_MESSAGE_CHARS` characters, control characters shown as `?`.
pub(crate) fn shorten(message: String) -> String {
    if message.len() <= MAX_MESSAGE_CHARS && !message.chars().any(char::is_control) {
        return message;
    }
    let mut out: String = message
        .chars()
        .take(MAX_MESSAGE_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if message.chars().count() > MAX_MESSAGE_CHARS {
        out.push('…');
    }
    out
}

impl ImportError {
    pub fn file(file: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            file: file.to_string(),
            problems: vec![RowProblem {
                person: None,
                row: None,
                field: None,
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().take(MAX_PROBLEMS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", self.file)?;
            if let Some(row) = p.row {
                write!(f, ":{row}")?;
            }
            if let Some(person) = &p.person {
                write!(f, " ({person})")?;
            }
            write!(f, ":")?;
            if let Some(field) = &p.field {
                write!(f, " {field}:")?;
            }
            write!(f, " {}", p.message)?;
        }
        if self.problems.len() > MAX_PROBLEMS {
            write!(
                f,
                "\n{}: and {} more problems",
                self.file,
                self.problems.len() - MAX_PROBLEMS
            )?;
        }
        Ok(())
    }
}

/// Collects problems while reading rows.
#[derive(Default)]
pub(crate) struct Problems(pub Vec<RowProblem>);

impl Problems {
    pub fn add(&mut self, row: usize, field: &str, message: impl Into<String>) {
        self.push(RowProblem {
            person: None,
            row: Some(row),
            field: Some(shorten(field.to_string())),
            message: shorten(message.into()),
        });
    }

    /// A problem on a row about a person (`person`: the name on the row, if any).
    pub fn add_for(
        &mut self,
        row: usize,
        person: Option<&str>,
        field: &str,
        message: impl Into<String>,
    ) {
        self.push(RowProblem {
            row: Some(row),
            person: person.map(|p| shorten(p.to_string())),
            field: Some(shorten(field.to_string())),
            message: shorten(message.into()),
        });
    }

    /// A note about the whole file, after its rows' problems (such as the list of role
    /// names), kept whole: it is the program's own words, not a cell's.
    pub fn add_note(&mut self, message: String) {
        self.push(RowProblem {
            row: None,
            person: None,
            field: None,
            message,
        });
    }

    pub fn add_row(&mut self, row: usize, message: impl Into<String>) {
        self.push(RowProblem {
            person: None,
            row: Some(row),
            field: None,
            message: shorten(message.into()),
        });
    }

    fn push(&mut self, problem: RowProblem) {
        if self.0.len() < MAX_KEPT_PROBLEMS {
            self.0.push(problem);
        } else if self.0.len() == MAX_KEPT_PROBLEMS {
            self.0.push(RowProblem {
                person: None,
                row: None,
                field: None,
                message: format!("reading stopped after {MAX_KEPT_PROBLEMS} problems"),
            });
        }
    }

    /// Whether so many problems are kept that reading should stop.
    pub fn full(&self) -> bool {
        self.0.len() > MAX_KEPT_PROBLEMS
    }

    /// Stops the reading (as an error) once `full`.
    pub fn stop_if_full(&self, file: &str) -> Result<(), ImportError> {
        if self.full() {
            Err(ImportError {
                file: file.to_string(),
                problems: self.0.clone(),
            })
        } else {
            Ok(())
        }
    }

    pub fn finish<T>(self, file: &str, value: T) -> Result<T, ImportError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ImportError {
                file: file.to_string(),
                problems: self.0,
            })
        }
    }
}
