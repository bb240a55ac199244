//! A roster with its incremental score: per person (row hard units and soft penalty, and the
//! row's totals), per cover row and per room pool, so a change of one cell re-scores only
//! what it touches; and `Undo`, what a move changed, to take it back.
use crate::eval::evaluate;
use crate::model::{OFF, Problem, Roster};
use crate::tables::Tables;

use super::HARD_WEIGHT;
use super::totals::RowTotals;

/// A roster with its incremental score.
#[derive(Clone)]
pub(super) struct State<'p> {
    pub(super) p: &'p Problem,
    pub(super) t: &'p Tables,
    pub(super) cells: Vec<u16>,
    pub(super) row_hard: Vec<i64>,
    pub(super) row_soft: Vec<i64>,
    pub(super) cover_count: Vec<i64>,
    pub(super) pool_count: Vec<i64>,
    pub(super) hard: i64,
    pub(super) soft: i64,
    totals: RowTotals,
}

pub(super) fn pool_pen(p: &Problem, i: usize, d: usize, n: i64) -> i64 {
    (n - i64::from(p.rooms[i].capacity_on(d))).max(0)
}

impl<'p> State<'p> {
    pub(super) fn new(p: &'p Problem, t: &'p Tables, roster: &Roster) -> State<'p> {
        let (totals, scores) = RowTotals::new(p, t, &roster.cells);
        let mut s = State {
            p,
            t,
            cells: roster.cells.clone(),
            row_hard: scores.iter().map(|s| s.0).collect(),
            row_soft: scores.iter().map(|s| s.1).collect(),
            cover_count: vec![0; p.cover.len()],
            pool_count: vec![0; p.rooms.len() * t.days],
            hard: 0,
            soft: 0,
            totals,
        };
        s.score_shared();
        s
    }

    pub(super) fn total(&self) -> i64 {
        self.hard * HARD_WEIGHT + self.soft
    }

    pub(super) fn counts(&self, e: usize, cover: usize) -> bool {
        self.t.cover_terms[cover].counts(self.p.staff[e].skills)
    }

    /// Whether cover row `i` has fewer people than it requires.
    pub(super) fn short_of(&self, i: usize) -> bool {
        self.cover_count[i] < i64::from(self.t.cover_terms[i].requirement)
    }

    /// Whether person `e` takes a room of `pool` when working one of its shifts.
    pub(super) fn in_pool(&self, e: usize, pool: usize) -> bool {
        crate::tables::takes_room(self.p, e, pool)
    }

    /// Counts the cover rows and room pools from scratch and sums every score, the rows'
    /// scores already set (at the start).
    fn score_shared(&mut self) {
        let days = self.t.days;
        for e in 0..self.p.staff.len() {
            for d in 0..days {
                self.count(e, d, self.cells[e * days + d], 1);
            }
        }
        self.hard = self.row_hard.iter().sum::<i64>()
            + (0..self.pool_count.len())
                .map(|i| pool_pen(self.p, i / days, i % days, self.pool_count[i]))
                .sum::<i64>();
        self.soft = self.row_soft.iter().sum::<i64>()
            + (0..self.p.cover.len())
                .map(|i| self.t.cover_terms[i].penalty(self.cover_count[i]))
                .sum::<i64>();
    }

    /// Changes one cell, updating the row, cover and room scores.
    pub(super) fn set_cell(&mut self, e: usize, d: usize, value: u16) {
        let days = self.t.days;
        let old = self.cells[e * days + d];
        if old == value {
            return;
        }
        let row = &self.cells[e * days..(e + 1) * days];
        let (hard, soft) = self.totals.change(self.p, self.t, e, row, d, value);
        self.row_hard[e] += hard;
        self.row_soft[e] += soft;
        self.hard += hard;
        self.soft += soft;
        self.cells[e * days + d] = value;
        let (t, skills) = (self.t, self.p.staff[e].skills);
        for (cell, step) in [(old, -1i64), (value, 1i64)] {
            if cell == OFF {
                continue;
            }
            for &c in t.covers_at(d, cell as usize) {
                let (c, term) = (c as usize, &t.cover_terms[c as usize]);
                if term.counts(skills) {
                    let before = term.penalty(self.cover_count[c]);
                    self.cover_count[c] += step;
                    self.soft += term.penalty(self.cover_count[c]) - before;
                }
            }
            for i in 0..self.t.pools_of[cell as usize].len() {
                let pool = self.t.pools_of[cell as usize][i] as usize;
                if !self.in_pool(e, pool) {
                    continue;
                }
                let k = pool * days + d;
                let before = pool_pen(self.p, k / days, d, self.pool_count[k]);
                self.pool_count[k] += step;
                self.hard += pool_pen(self.p, k / days, d, self.pool_count[k]) - before;
            }
        }
    }

    /// Sets a cell back to `value` and moves the cover and room counts with it, leaving the
    /// scores and row totals to `undo_move`.
    fn put_back(&mut self, e: usize, d: usize, value: u16) {
        let old = std::mem::replace(&mut self.cells[e * self.t.days + d], value);
        self.count(e, d, old, -1);
        self.count(e, d, value, 1);
    }

    /// Adds `step` to the counts of the cover rows and room pools that person `e` working
    /// `cell` on day `d` counts in (nothing for a day off); the scores are left as they are.
    fn count(&mut self, e: usize, d: usize, cell: u16, step: i64) {
        if cell == OFF {
            return;
        }
        for &c in self.t.covers_at(d, cell as usize) {
            if self.counts(e, c as usize) {
                self.cover_count[c as usize] += step;
            }
        }
        for &pool in &self.t.pools_of[cell as usize] {
            if self.in_pool(e, pool as usize) {
                self.pool_count[pool as usize * self.t.days + d] += step;
            }
        }
    }

    /// Whether two states of the same problem keep the same row totals.
    #[cfg(test)]
    pub(super) fn totals_equal(&self, other: &State) -> bool {
        self.totals == other.totals
    }

    pub(super) fn roster(&self) -> Roster {
        Roster {
            days: self.t.days,
            cells: self.cells.clone(),
        }
    }

    /// Panics where the incremental score differs from the evaluator's
    /// (`Options::check_every_move`).
    pub(super) fn check(&self) {
        let e = evaluate(self.p, &self.roster());
        assert_eq!(
            self.hard,
            e.hard_units() as i64,
            "incremental hard units differ from the evaluator: {:?}",
            e.hard
        );
        assert_eq!(
            self.soft, e.objective as i64,
            "incremental soft penalty differs from the evaluator"
        );
        let (totals, scores) = RowTotals::new(self.p, self.t, &self.cells);
        for (e, &score) in scores.iter().enumerate() {
            assert_eq!(
                (self.row_hard[e], self.row_soft[e]),
                score,
                "row {e}'s score"
            );
        }
        assert!(totals == self.totals, "a row's totals differ from a count");
    }
}

/// A move, remembered so it can be undone without scoring anything again: the score before
/// it, the cells it changed with their old values, and each row it changed as it was before
/// (its score and totals). Undoing a move the search turns down, most of its moves, then costs
/// a count per cell rather than a second scoring (2026-12-07).
pub(super) struct Undo {
    pub(super) cells: Vec<(u32, u32, u16)>,
    score: (i64, i64),
    /// Per row changed: (person, row hard units, row soft penalty); its totals in `totals`.
    rows: Vec<(u32, i64, i64)>,
    totals: Vec<i64>,
}

impl Undo {
    pub(super) fn new() -> Undo {
        Undo {
            cells: Vec::with_capacity(16),
            score: (0, 0),
            rows: Vec::with_capacity(4),
            totals: Vec::with_capacity(64),
        }
    }

    /// Starts recording a move from `state`.
    pub(super) fn begin(&mut self, state: &State) {
        self.cells.clear();
        self.rows.clear();
        self.totals.clear();
        self.score = (state.hard, state.soft);
    }

    /// Records that the move is about to set cell (`e`, `d`), and the row as it is the
    /// first time the move touches it.
    pub(super) fn record(&mut self, state: &State, e: usize, d: usize) {
        let old = state.cells[e * state.t.days + d];
        self.cells.push((e as u32, d as u32, old));
        if !self.rows.iter().any(|r| r.0 as usize == e) {
            self.rows
                .push((e as u32, state.row_hard[e], state.row_soft[e]));
            state.totals.save(state.t, e, &mut self.totals);
        }
    }
}

/// Puts the roster back as it was before the move `undo` recorded.
pub(super) fn undo_move(state: &mut State, undo: &Undo) {
    for &(e, d, old) in undo.cells.iter().rev() {
        state.put_back(e as usize, d as usize, old);
    }
    let mut at = 0;
    for &(e, hard, soft) in &undo.rows {
        let e = e as usize;
        state.row_hard[e] = hard;
        state.row_soft[e] = soft;
        at += state.totals.restore(state.t, e, &undo.totals[at..]);
    }
    (state.hard, state.soft) = undo.score;
}
