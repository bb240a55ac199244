//! Problems found in a file: each names the row (as a spreadsheet numbers it, the header
//! being row 1) and the field (the column's header name).
use std::fmt;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RowProblem {
    pub row: Option<usize>,
    pub field: Option<String>,
    pub message: String,
}

/// Every problem of one file. Display prints one line per problem:
/// `file:row: field: problem`, or `file: problem` for the file as a whole.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ImportError {
    pub file: String,
    pub problems: Vec<RowProblem>,
}

/// Problems listed at most; the rest are counted.
pub const MAX_PROBLEMS: usize = 200;

impl ImportError {
    pub fn file(file: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            file: file.to_string(),
            problems: vec![RowProblem {
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
        self.0.push(RowProblem {
            row: Some(row),
            field: Some(field.to_string()),
            message: message.into(),
        });
    }

    pub fn add_row(&mut self, row: usize, message: impl Into<String>) {
        self.0.push(RowProblem {
            row: Some(row),
            field: None,
            message: message.into(),
        });
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
