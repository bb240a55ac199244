//! ARRS posts as a CSV file: one row a person, named by their staff id or email, with the
//! terms the claim needs. Every row is checked (by `domain::arrs::PostForm`) before any is
//! stored; problems name the file, the row and the column.
use crate::problems::{ImportError, Problems, quote};
use crate::rows::{Limits, csv_rows};
use domain::arrs::PostForm;

/// The columns, in the template's order. `staff_id` or `email` names the person; one of
/// `hours_per_week`, `gp_sessions` or `wte` may give the WTE (else the register's).
pub const POSTS_HEADER: [&str; 11] = [
    "staff_id",
    "email",
    "band",
    "hours_per_week",
    "gp_sessions",
    "wte",
    "engagement",
    "monthly_salary",
    "employer_ni",
    "employer_pension",
    "previous_post_ended",
];

/// One row as read: who, the typed terms and the row number for messages.
#[derive(Debug, Clone, PartialEq)]
pub struct PostRow {
    pub row: usize,
    pub staff_id: String,
    pub email: String,
    pub form: PostForm,
}

const LIMITS: Limits = Limits {
    what: "an ARRS posts file",
    max_rows: 5_000,
    max_cell_chars: 200,
    header: true,
};

/// Reads the rows; the terms are checked by the caller (which knows each person's WTE).
pub fn read_arrs_posts(file_name: &str, bytes: &[u8]) -> Result<Vec<PostRow>, ImportError> {
    let text = crate::published_csv(file_name, bytes, "an ARRS posts file")?;
    let mut columns: Option<Vec<Option<usize>>> = None;
    let mut problems = Problems::default();
    let mut out = Vec::new();
    csv_rows(file_name, text, LIMITS, |row, record| {
        if record.iter().all(|f| f.trim().is_empty()) {
            return Ok(());
        }
        let Some(c) = &columns else {
            let found: Vec<Option<usize>> = POSTS_HEADER
                .iter()
                .map(|name| {
                    record
                        .iter()
                        .position(|h| h.trim().eq_ignore_ascii_case(name))
                })
                .collect();
            for required in [
                "engagement",
                "monthly_salary",
                "employer_ni",
                "employer_pension",
            ] {
                let at = POSTS_HEADER
                    .iter()
                    .position(|h| *h == required)
                    .expect("known");
                if found[at].is_none() {
                    problems.add(
                        row,
                        required,
                        format!("the header has no column '{required}'"),
                    );
                }
            }
            if found[0].is_none() && found[1].is_none() {
                problems.add(
                    row,
                    "staff_id",
                    "the header needs a staff_id or an email column",
                );
            }
            columns = Some(found);
            return problems.stop_if_full(file_name);
        };
        let get = |name: &str| {
            let at = POSTS_HEADER.iter().position(|h| *h == name).expect("known");
            c[at]
                .and_then(|i| record.get(i))
                .map(|v| v.trim().trim_start_matches('\'').to_string())
                .unwrap_or_default()
        };
        let (staff_id, email) = (get("staff_id"), get("email"));
        if staff_id.is_empty() && email.is_empty() {
            problems.add(row, "staff_id", "give the person's staff id or email");
            return problems.stop_if_full(file_name);
        }
        if email.chars().any(char::is_control) || staff_id.chars().any(char::is_control) {
            problems.add(row, "email", format!("{} is not an email", quote(&email)));
            return problems.stop_if_full(file_name);
        }
        out.push(PostRow {
            row,
            staff_id,
            email,
            form: PostForm {
                band: get("band"),
                hours_per_week: get("hours_per_week"),
                gp_sessions: get("gp_sessions"),
                wte: get("wte"),
                engagement: get("engagement"),
                monthly_salary: get("monthly_salary"),
                employer_ni: get("employer_ni"),
                employer_pension: get("employer_pension"),
                previous_post_ended: get("previous_post_ended"),
            },
        });
        Ok(())
    })?;
    if columns.is_none() {
        return Err(ImportError::file(file_name, "the file is empty"));
    }
    problems.finish(file_name, out)
}

/// Problems found after reading (an unknown person, a bad field), as one import error.
pub fn post_problems(file_name: &str, problems: Vec<(usize, String, String)>) -> ImportError {
    let mut p = Problems::default();
    for (row, field, message) in problems {
        p.add(row, &field, message);
    }
    p.finish(file_name, ()).expect_err("at least one problem")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_with_the_row_number_and_a_missing_column_is_named() {
        let file = "email,engagement,monthly_salary,employer_ni,employer_pension,hours_per_week\n\
                    a@example.nhs.uk,employed,\"4,100\",480,850,30\n";
        let rows = read_arrs_posts("posts.csv", file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].form.monthly_salary, "4,100");
        assert_eq!(rows[0].form.hours_per_week, "30");
        let bad = read_arrs_posts("posts.csv", b"email,engagement\nx@y.uk,employed\n").unwrap_err();
        let text = bad.to_string();
        assert!(text.contains("posts.csv:1: monthly_salary:"), "{text}");
    }
}
