//! The construction phase: a greedy first roster, and the DP repair of each row it leaves
//! breaking a hard rule (`Options::repair_rows`).
use crate::model::{OFF, Problem, Roster};
use crate::rng::Rng;
use crate::tables::{NO_FIXED, NO_LOCK, Tables, value_index};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::HARD_WEIGHT;
use super::replan::plan_row;
use super::state::State;

/// Greedy construction: each person in turn takes, day by day, the value that lowers the
/// score most (one pass), starting from the locked cells, the required sessions and days off.
/// A cell with a required session takes only values that meet it, when the person may work
/// one. When `stop` is raised or the `deadline` passes, the people not yet planned are left
/// off.
pub(super) fn construct(
    p: &Problem,
    t: &Tables,
    rng: &mut Rng,
    stop: Option<&AtomicBool>,
    deadline: Option<Instant>,
) -> Roster {
    let days = p.days;
    let roster = fixed_start(p, t);
    let mut state = State::new(p, t, &roster);
    let mut order: Vec<usize> = (0..p.staff.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let all: Vec<Vec<u16>> = t
        .allowed
        .iter()
        .map(|a| a.iter().chain(std::iter::once(&OFF)).copied().collect())
        .collect();
    for e in order {
        if stop.is_some_and(|s| s.load(Ordering::Relaxed))
            || deadline.is_some_and(|d| Instant::now() >= d)
        {
            break;
        }
        for d in 0..days {
            let cell = e * days + d;
            if t.lock[cell] != NO_LOCK {
                continue;
            }
            let required = if t.fixed[cell] != NO_FIXED {
                meets(t, e, cell)
            } else {
                Vec::new()
            };
            // With per-day lists, only the values open that day (and a day off).
            let open: Vec<u16>;
            let candidates = if !required.is_empty() {
                &required
            } else if t.open.is_empty() {
                &all[e]
            } else {
                open = t.allowed_on(e, d).iter().copied().chain([OFF]).collect();
                &open
            };
            let mut best = (state.total(), state.cells[cell]);
            for &v in candidates {
                state.set_cell(e, d, v);
                if state.total() < best.0 {
                    best = (state.total(), v);
                }
            }
            state.set_cell(e, d, best.1);
        }
    }
    state.roster()
}

/// The roster everyone starts from: the locked cells, and each required session met by the
/// first value that meets it, when the person may work one; every other cell off.
pub(super) fn fixed_start(p: &Problem, t: &Tables) -> Roster {
    let days = p.days;
    let mut roster = Roster::empty(p.staff.len(), days);
    for l in &p.locks {
        roster.set(l.staff, l.day, l.shift);
    }
    for r in &p.required {
        let cell = r.staff * days + r.day;
        if t.lock[cell] == NO_LOCK
            && let Some(&v) = meets(t, r.staff, cell).first()
        {
            roster.set(r.staff, r.day, (v != OFF).then_some(v as usize));
        }
    }
    roster
}

/// The values of person `e` (and a day off) that break nothing fixed at a cell.
fn meets(t: &Tables, e: usize, cell: usize) -> Vec<u16> {
    let row = t.fixed[cell] as usize * (t.shifts + 1);
    t.allowed[e]
        .iter()
        .chain(std::iter::once(&OFF))
        .copied()
        .filter(|&v| t.fixed_units[row + value_index(v, t.shifts)] == 0)
        .collect()
}

/// Re-plans by the DP each row that breaks a hard rule, hard rules weighed `HARD_WEIGHT`;
/// a new row is kept only when it lowers the score.
pub(super) fn repair_rows(state: &mut State) {
    let days = state.t.days;
    for e in 0..state.p.staff.len() {
        if state.row_hard[e] == 0 {
            continue;
        }
        let Some(cells) = plan_row(state, e, HARD_WEIGHT as f64) else {
            continue;
        };
        let before = state.total();
        let old = state.cells[e * days..(e + 1) * days].to_vec();
        for (d, v) in cells.into_iter().enumerate() {
            if state.t.lock[e * days + d] == NO_LOCK {
                state.set_cell(e, d, v);
            }
        }
        if state.total() > before {
            for (d, v) in old.into_iter().enumerate() {
                state.set_cell(e, d, v);
            }
        }
    }
}
