//! Feasibility first, at any size: starting from the greedy roster, each person's row is
//! planned again by the relaxed row DP (`rowplan::plan_relaxed`) against the cover everyone
//! else leaves, the hardest people first, and kept when the score falls; then a repair, on
//! hard units alone, re-plans and mends each row still breaking a hard rule. Minutes, working weekends and
//! shifts of each type are outside the DP's state, so they are priced by multipliers moved
//! round by round until the row keeps its limits (`plan_feasible`); the exact row score
//! judges every row.
use crate::mend::{mend_row, weekends};
use crate::model::{OFF, Problem, Roster};
use crate::rng::Rng;
use crate::rowplan::{RowCosts, plan_relaxed};
use crate::tables::{NO_LOCK, Tables, row_cost};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::HARD_WEIGHT;
use super::replan::row_costs;
use super::state::State;

/// Rounds of multipliers for a row in the construction, and in the repair.
const BUILD_ROUNDS: usize = 24;
const REPAIR_ROUNDS: usize = 32;
/// Tries of `mend_row` per round of multipliers.
const MEND_TRIES: usize = 100;
/// Tries of `mend_row` for a row still breaking a hard rule after the repair's re-plans.
const LAST_MEND_TRIES: usize = 20_000;
/// The most noise on a working cell's price (a person short on cover is worth 100).
const NOISE: f64 = 30.0;

/// Builds a roster person by person (see the module): first the people whose row in `start`
/// breaks a hard rule, then the rest, each group the hardest people first — those with the
/// fewest open cells (days they may work × types they may work) for the shifts their
/// minimum minutes need. People equally hard are taken in an order drawn from `rng`. Each
/// row is planned against everyone else as they are in `start` or already re-planned, and
/// kept only when the roster's score falls, so when `stop` is raised or the `deadline`
/// passes the people not yet planned keep their rows of `start`.
pub(super) fn construct_by_rows(
    p: &Problem,
    t: &Tables,
    rng: &mut Rng,
    stop: Option<&AtomicBool>,
    deadline: Option<Instant>,
    start: &Roster,
    check: bool,
) -> Roster {
    let stopped = || {
        stop.is_some_and(|s| s.load(Ordering::Relaxed))
            || deadline.is_some_and(|d| Instant::now() >= d)
    };
    let mut state = State::new(p, t, start);
    let mut order: Vec<usize> = (0..p.staff.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let choices: Vec<f64> = (0..p.staff.len()).map(|e| choices(p, t, e)).collect();
    // People whose row breaks a hard rule first, so a construction cut short by the deadline
    // leaves the rows that already keep every rule, not the ones that break them.
    let keeps = |e: usize| state.row_hard[e] == 0;
    order.sort_by(|&a, &b| {
        keeps(a)
            .cmp(&keeps(b))
            .then(choices[a].total_cmp(&choices[b]))
    });
    for e in order {
        if stopped() {
            break;
        }
        let before = state.total();
        let old = state.cells[e * p.days..(e + 1) * p.days].to_vec();
        let row = plan_feasible(&state, e, BUILD_ROUNDS, rng);
        put_row(&mut state, e, &row);
        if state.total() > before {
            put_row(&mut state, e, &old);
        }
    }
    repair(&mut state, rng, &stopped);
    if cfg!(debug_assertions) && check {
        state.check();
    }
    state.roster()
}

/// Open cells per shift needed: the days person `e` may work times the types they may work,
/// over the shifts (of their longest type) their minimum minutes need.
fn choices(p: &Problem, t: &Tables, e: usize) -> f64 {
    let m = &p.staff[e];
    let free = (0..p.days).filter(|&d| !m.days_off[d]).count();
    let longest = t.allowed[e]
        .iter()
        .map(|&s| p.shifts[s as usize].minutes)
        .max()
        .unwrap_or(0)
        .max(1);
    let needed = f64::from(m.min_minutes.div_ceil(longest)).max(1.0);
    (free * t.allowed[e].len()) as f64 / needed
}

/// The repair, on hard units alone: each row still breaking a hard rule is re-planned against
/// everyone else as they now are, with more rounds, and kept when the roster's score falls
/// (twice over); then each row still breaking one is mended at length (`mend_row`).
pub(super) fn repair(state: &mut State, rng: &mut Rng, stopped: &dyn Fn() -> bool) {
    for _ in 0..2 {
        for e in 0..state.p.staff.len() {
            if stopped() {
                return;
            }
            if state.row_hard[e] == 0 {
                continue;
            }
            let days = state.t.days;
            let before = state.total();
            let old = state.cells[e * days..(e + 1) * days].to_vec();
            let row = plan_feasible(state, e, REPAIR_ROUNDS, rng);
            put_row(state, e, &row);
            if state.total() > before {
                put_row(state, e, &old);
            }
        }
    }
    let days = state.t.days;
    for e in 0..state.p.staff.len() {
        if stopped() {
            return;
        }
        if state.row_hard[e] > 0 {
            let base = row_costs(state, e, HARD_WEIGHT as f64);
            let old = state.cells[e * days..(e + 1) * days].to_vec();
            let row = mend_row(state.p, state.t, e, &base, old, LAST_MEND_TRIES, rng);
            put_row(state, e, &row);
        }
    }
}

/// Sets person `e`'s row (locked cells kept).
fn put_row(state: &mut State, e: usize, row: &[u16]) {
    let days = state.t.days;
    for (d, &v) in row.iter().enumerate() {
        if state.t.lock[e * days + d] == NO_LOCK {
            state.set_cell(e, d, v);
        }
    }
}

/// Person `e`'s row by the relaxed DP, everyone else as they are, hard rules weighed
/// `HARD_WEIGHT`. Round by round, a price per minute worked moves up while the row works more
/// than the person's maximum and down while less than their minimum (doubling while it moves
/// the same way, halving when it turns), a price per working weekend rises while the row
/// works too many, and a price per shift of a type rises while the row works too many of it.
/// The minute price is found by bisection once a price too low and one too high are known.
/// Each working cell's price carries a little noise (up to `NOISE`, drawn from `rng`): the
/// cover short everywhere at the start prices every cell alike, and then no minute price
/// would make the row work a number of shifts between none and all it can.
/// Returns the row breaking fewest hard units (then the cheapest), at the first that breaks
/// none.
pub(super) fn plan_feasible(state: &State, e: usize, rounds: usize, rng: &mut Rng) -> Vec<u16> {
    let (p, t) = (state.p, state.t);
    let (days, shifts) = (t.days, t.shifts);
    let m = &p.staff[e];
    let base = row_costs(state, e, HARD_WEIGHT as f64);
    let values = base.values;
    let mut costs = RowCosts {
        cost: base.cost.clone(),
        values,
    };
    let noise: Vec<f64> = (0..days * shifts)
        .map(|_| NOISE * rng.below(1024) as f64 / 1024.0)
        .collect();
    let mut minute = Price::new(0.05);
    let mut weekend = Price::new(20.0);
    let mut per_type = vec![Price::new(20.0); shifts];
    let mut scratch = vec![0u32; shifts];
    let mut best: Option<((i64, f64), Vec<u16>)> = None;
    for _ in 0..rounds.max(1) {
        for d in 0..days {
            // The other types are priced out already (infinite).
            for &s in &t.allowed[e] {
                let s = s as usize;
                let b = base.cost[d * values + s];
                costs.cost[d * values + s] = b
                    + noise[d * shifts + s]
                    + minute.price * f64::from(p.shifts[s].minutes)
                    + per_type[s].price;
            }
        }
        let row = plan_relaxed(p, e, &costs, HARD_WEIGHT as f64, weekend.price);
        let (hard, _) = row_cost(p, t, e, &row, &mut scratch);
        let price: f64 = row
            .iter()
            .enumerate()
            .map(|(d, &v)| base.cost[d * values + if v == OFF { shifts } else { v as usize }])
            .sum();
        if best.as_ref().is_none_or(|(b, _)| (hard, price) < *b) {
            best = Some(((hard, price), row.clone()));
        }
        if hard == 0 {
            break;
        }
        // `scratch` holds the row's shifts of each type.
        let minutes: u32 = (0..shifts).map(|s| scratch[s] * p.shifts[s].minutes).sum();
        // The minutes first, the other prices fixed; then the weekends and types, after which
        // the minute price is searched again from where it is.
        let turn = if minutes > m.max_minutes {
            1
        } else if minutes < m.min_minutes {
            -1
        } else {
            0
        };
        if turn != 0 && !minute.settled() {
            minute.update(turn);
            continue;
        }
        let mut moved = weekend.update(i32::from(weekends(&row) > m.max_weekends));
        for (s, price) in per_type.iter_mut().enumerate() {
            moved |= price.update(i32::from(scratch[s] > m.max_shifts[s]));
        }
        if moved {
            minute.restart();
        }
    }
    let (hard, row) = best.map_or((1, vec![OFF; days]), |((h, _), row)| (h, row));
    if hard == 0 {
        row
    } else {
        mend_row(p, t, e, &base, row, rounds * MEND_TRIES, rng)
    }
}

/// A multiplier found by bisection: raised while its limit is broken one way, lowered while
/// broken the other, by a step that doubles until a price on each side is known, then halfway
/// between the nearest two.
#[derive(Clone)]
struct Price {
    price: f64,
    step: f64,
    first_step: f64,
    /// The highest price seen too low, and the lowest seen high enough (or too high).
    low: Option<f64>,
    high: Option<f64>,
}

impl Price {
    fn new(step: f64) -> Price {
        Price {
            price: 0.0,
            step,
            first_step: step,
            low: None,
            high: None,
        }
    }

    /// Whether the bisection has closed in on one price.
    fn settled(&self) -> bool {
        matches!((self.low, self.high), (Some(a), Some(b)) if b - a < 1e-4 * self.step.max(1.0))
    }

    /// Forgets the bounds (the other prices moved), keeping the price.
    fn restart(&mut self) {
        (self.low, self.high, self.step) = (None, None, self.first_step);
    }

    /// `1`: the price was too low; `-1`: too high; `0`: the limit is kept. Returns whether
    /// the price moved.
    fn update(&mut self, turn: i32) -> bool {
        match turn {
            1 => self.low = Some(self.low.map_or(self.price, |l| l.max(self.price))),
            -1 => self.high = Some(self.high.map_or(self.price, |h| h.min(self.price))),
            _ => {
                // Kept at this price: no higher price is needed for it.
                if self.price > 0.0 {
                    self.high = Some(self.high.map_or(self.price, |h| h.min(self.price)));
                }
                return false;
            }
        }
        self.price = match (self.low, self.high) {
            (Some(a), Some(b)) if a < b => (a + b) / 2.0,
            _ => self.price + f64::from(turn) * self.step,
        };
        self.step *= 2.0;
        true
    }
}
