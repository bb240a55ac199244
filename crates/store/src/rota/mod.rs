//! Rotas: what a manager sets before solving (session times per site, the cover each site
//! needs, each person's rota rules), the optimiser's jobs with their claiming protocol, the
//! assignments and locked person-days of a result, publication, swap requests, and the
//! private calendar tokens staff subscribe with.
//!
//! Jobs are claimed with one conditional `UPDATE` whose row count says who won, so several
//! web processes sharing a database never run the same job twice; a worker that stops
//! sending heartbeats loses its job to the next claimer (its lease ran out), and a job
//! claimed `MAX_ATTEMPTS` times is marked failed. The queue is fair: the next job comes
//! from the organisation with the fewest jobs running, then the one served least recently.
use crate::Result;
use sqlx::{Row, any::AnyRow};

pub mod decisions;
pub mod progress;
pub mod stale;

mod assignments;
mod calendar;
mod jobs;
mod published;
mod requests;
mod setup;
pub use assignments::*;
pub use calendar::*;
pub use jobs::*;
pub use published::*;
pub use requests::*;
pub use setup::*;

/// The session codes, in the order of a day.
pub const SESSIONS: [&str; 4] = ["am", "pm", "evening", "saturday"];

/// Orders a `session` column as the day runs (am, pm, evening, saturday), not alphabetically.
pub(crate) fn session_order(column: &str) -> String {
    format!(
        "CASE {column} WHEN 'am' THEN 0 WHEN 'pm' THEN 1 WHEN 'evening' THEN 2 WHEN 'saturday' THEN 3 ELSE 4 END"
    )
}

/// `$from, $from+1, ...` for `count` values.
pub(crate) fn marks(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn flag(row: &AnyRow, index: usize) -> Result<bool> {
    let value: i64 = row.try_get(index)?;
    Ok(value != 0)
}
