//! A roster with its incremental score: per person (row hard units and soft penalty), per
//! cover row and per room pool, so a move re-scores only what it touches; and `Undo`, what
//! a move changed, to take it back.
#[cfg(feature = "debug-checks")]
use crate::eval::evaluate;
use crate::model::{OFF, Problem, Roster};
use crate::tables::{Tables, counts, row_cost};

use super::HARD_WEIGHT;

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
    pub(super) scratch: Vec<u32>,
}

pub(super) fn cover_pen(p: &Problem, i: usize, n: i64) -> i64 {
    let c = &p.cover[i];
    let req = i64::from(c.requirement);
    i64::from(c.weight_under) * (req - n).max(0) + i64::from(c.weight_over) * (n - req).max(0)
}

pub(super) fn pool_pen(p: &Problem, i: usize, d: usize, n: i64) -> i64 {
    (n - i64::from(p.rooms[i].capacity_on(d))).max(0)
}

impl<'p> State<'p> {
    pub(super) fn new(p: &'p Problem, t: &'p Tables, roster: &Roster) -> State<'p> {
        let mut s = State {
            p,
            t,
            cells: roster.cells.clone(),
            row_hard: vec![0; p.staff.len()],
            row_soft: vec![0; p.staff.len()],
            cover_count: vec![0; p.cover.len()],
            pool_count: vec![0; p.rooms.len() * t.days],
            hard: 0,
            soft: 0,
            scratch: vec![0; t.shifts],
        };
        s.rescore();
        s
    }

    pub(super) fn total(&self) -> i64 {
        self.hard * HARD_WEIGHT + self.soft
    }

    pub(super) fn counts(&self, e: usize, cover: usize) -> bool {
        counts(self.p, e, cover)
    }

    /// Whether person `e` takes a room of `pool` when working one of its shifts.
    pub(super) fn in_pool(&self, e: usize, pool: usize) -> bool {
        crate::tables::takes_room(self.p, e, pool)
    }

    /// Scores everything from scratch (used at the start and by checks).
    fn rescore(&mut self) {
        let days = self.t.days;
        self.cover_count.iter_mut().for_each(|c| *c = 0);
        self.pool_count.iter_mut().for_each(|c| *c = 0);
        for e in 0..self.p.staff.len() {
            let row = &self.cells[e * days..(e + 1) * days];
            let (h, s) = row_cost(self.p, self.t, e, row, &mut self.scratch);
            self.row_hard[e] = h;
            self.row_soft[e] = s;
            for (d, &cell) in row.iter().enumerate() {
                if cell != OFF {
                    for &c in &self.t.covers_at[d * self.t.shifts + cell as usize] {
                        if self.counts(e, c as usize) {
                            self.cover_count[c as usize] += 1;
                        }
                    }
                    for &pool in &self.t.pools_of[cell as usize] {
                        if self.in_pool(e, pool as usize) {
                            self.pool_count[pool as usize * days + d] += 1;
                        }
                    }
                }
            }
        }
        self.hard = self.row_hard.iter().sum::<i64>()
            + (0..self.pool_count.len())
                .map(|i| pool_pen(self.p, i / days, i % days, self.pool_count[i]))
                .sum::<i64>();
        self.soft = self.row_soft.iter().sum::<i64>()
            + (0..self.p.cover.len())
                .map(|i| cover_pen(self.p, i, self.cover_count[i]))
                .sum::<i64>();
    }

    /// Changes one cell, updating the cover and room scores (not the row score).
    pub(super) fn set_cell(&mut self, e: usize, d: usize, value: u16) {
        let days = self.t.days;
        let old = std::mem::replace(&mut self.cells[e * days + d], value);
        if old == value {
            return;
        }
        for (cell, step) in [(old, -1i64), (value, 1i64)] {
            if cell == OFF {
                continue;
            }
            for i in 0..self.t.covers_at[d * self.t.shifts + cell as usize].len() {
                let c = self.t.covers_at[d * self.t.shifts + cell as usize][i] as usize;
                if self.counts(e, c) {
                    let before = cover_pen(self.p, c, self.cover_count[c]);
                    self.cover_count[c] += step;
                    self.soft += cover_pen(self.p, c, self.cover_count[c]) - before;
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

    /// Re-scores one person's row after its cells changed.
    pub(super) fn rescore_row(&mut self, e: usize) {
        let days = self.t.days;
        let (h, s) = row_cost(
            self.p,
            self.t,
            e,
            &self.cells[e * days..(e + 1) * days],
            &mut self.scratch,
        );
        self.hard += h - self.row_hard[e];
        self.soft += s - self.row_soft[e];
        self.row_hard[e] = h;
        self.row_soft[e] = s;
    }

    pub(super) fn roster(&self) -> Roster {
        Roster {
            days: self.t.days,
            cells: self.cells.clone(),
        }
    }

    #[cfg(feature = "debug-checks")]
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
    }
}

/// A move, remembered so it can be undone: the cells it changed with their old values.
pub(super) struct Undo {
    pub(super) cells: Vec<(u32, u32, u16)>,
    pub(super) rows: [usize; 2],
    pub(super) row_scores: [(i64, i64); 2],
    pub(super) hard: i64,
    pub(super) soft: i64,
}

pub(super) fn undo_move(state: &mut State, undo: &Undo) {
    for &(e, d, old) in undo.cells.iter().rev() {
        state.set_cell(e as usize, d as usize, old);
    }
    for (i, &e) in undo.rows.iter().enumerate() {
        state.row_hard[e] = undo.row_scores[i].0;
        state.row_soft[e] = undo.row_scores[i].1;
    }
    state.hard = undo.hard;
    state.soft = undo.soft;
}
