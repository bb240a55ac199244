//! The search: a greedy construction (and, when it breaks a hard rule, a construction row by
//! row that keeps the hard rules first, `feasible`), then simulated annealing with strategic oscillation of
//! the hard-rule weight, over eleven move selectors — change one cell, swap two people's day,
//! swap a block of days between two people, re-plan a block of one person's days, swap two
//! days or two blocks of days (often two weekends) of one row (a shift or a run moves, the
//! row's totals kept), swap two people's cells on two days (the cover kept), put someone on
//! a shift short of cover (giving up another day) or a chain of two people on it, meet a
//! shift-on request by a swap with someone on that shift, and re-plan a whole row by dynamic
//! programming — with incremental (delta) scoring.
//!
//! Scoring is kept per person (the row's hard units and soft penalty, which includes the
//! person's fair shares, with the row's totals) and per cover row and room pool, so a change
//! of one cell re-scores only the terms around it (`totals`) and the cover rows of its day.
//! With `Options::check_every_move` (in a build with debug assertions) every move is checked
//! against the independent evaluator in `eval`.
//!
//! On the product's model (shift types closed on some days, or barred to someone) the moves
//! draw only values open to the person that day (`Tables::open`), and two options suit its
//! tight contracts: cross swaps that keep both people's minutes, and a DP repair of each row
//! the construction leaves breaking a hard rule. The benchmark uses neither, so its search
//! is unchanged.
//!
//! On problems `colgen::suits` (the benchmark's), `Options::column_generation` has the first
//! worker start from a roster built by column generation and re-dives (`column_search`); on
//! larger ones, where a window suits, it takes turns of re-dives over a window of days and a
//! group of people with the annealing, split by what each gains per second (`windows`).
//!
//! Several workers (threads) each anneal their own roster and meet `Options::meetings`
//! times over the budget; a worker behind the best carries on from the best roster. Under a
//! step budget the meetings fall on fixed step counts, so the result repeats. Raising
//! `Options::stop` ends every worker at its next check; a stopped worker leaves the meetings
//! (`Gate`), so none waits for it, and the best roster so far is returned.
//!
//! Modules by job: `options` (what the caller asks), `state` (a roster with its incremental
//! score), `totals` (a row's score changed cell by cell), `moves` (the move selectors), `replan` (a row re-planned by the DP),
//! `construct` (the greedy first roster and the repair of its rows), `feasible` (feasibility
//! first, at any size), `windows` (re-dives over a window), `worker` (one worker's loop),
//! `meeting` (where the workers exchange their best rosters) and `probe` (the moves alone,
//! for tests and benchmarks).
mod construct;
mod feasible;
mod meeting;
mod moves;
mod options;
mod probe;
mod replan;
mod state;
mod totals;
mod windows;
mod worker;

pub use crate::tables::Tables;
pub use moves::MoveKind;
pub use options::{HARD_WEIGHT, Options, Outcome, Progress};
pub use probe::MoveProbe;

use crate::eval::evaluate;
use crate::model::{Problem, Roster};
use meeting::Shared;
use std::time::{Duration, Instant};
use worker::worker;

/// The form column generation takes on a problem under `Options::column_generation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnForm {
    /// The LP over everyone and a dive (`colgen::suits`); over more than four weeks, then
    /// window re-dives as in `Windows` (`windows::suit_after_dive`).
    Whole,
    /// Under a time limit, re-dives over a window of days and a group of people in turns
    /// with the annealing (`windows::suits`).
    Windows,
    /// Neither suits: the search runs alone.
    Neither,
}

impl ColumnForm {
    pub fn of(p: &Problem, t: &Tables) -> ColumnForm {
        if crate::colgen::suits(p, t) {
            ColumnForm::Whole
        } else if windows::suits(p, t) {
            ColumnForm::Windows
        } else {
            ColumnForm::Neither
        }
    }

    /// Its name in a report.
    pub fn name(self) -> &'static str {
        match self {
            ColumnForm::Whole => "whole",
            ColumnForm::Windows => "windows",
            ColumnForm::Neither => "none",
        }
    }
}

/// Searches for the best roster within the options' limits.
pub fn solve(
    problem: &Problem,
    options: &Options,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> Outcome {
    let tables = Tables::new(problem);
    let start = Instant::now();
    let threads = options.threads.max(1);
    let shared = Shared::new(threads);
    let results: Vec<(Roster, (i64, i64), Duration, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let (tables, shared) = (&tables, &shared);
                scope.spawn(move || {
                    worker(
                        problem,
                        tables,
                        options,
                        i,
                        options.seed.wrapping_add(i as u64),
                        start,
                        shared,
                        on_progress,
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a search worker panicked"))
            .collect()
    });
    let steps = results.iter().map(|r| r.3).sum();
    let (roster, _, time_to_best, _) = results
        .into_iter()
        .min_by_key(|r| r.1)
        .expect("at least one worker");
    let evaluation = evaluate(problem, &roster);
    Outcome {
        roster,
        evaluation,
        time_to_best,
        steps,
    }
}
