//! Each row's running totals (shifts per type, minutes, weekends, shifts in each window
//! limit), and the change in a row's score when one cell changes, read around that cell alone:
//! its own terms, the successions and weekend it shares with its neighbours, the runs it
//! joins or splits, and the totals. The rules are `tables::row_cost`'s, by the same helpers;
//! a move costs the same on a year as on four weeks (2026-12-05: re-scoring whole rows took
//! three quarters of the search's time on a generated 50 × 364 × 10).
use crate::model::{OFF, Problem};
use crate::tables::{
    Tables, cell_units, fair_penalty, minute_units, row_cost, run_units, succession_units,
    type_units, weekend_day, weekend_units, window_units,
};

#[derive(Clone, PartialEq)]
pub(super) struct RowTotals {
    shifts: usize,
    /// Per person and type (`e * shifts + s`): shifts worked.
    per_type: Vec<u32>,
    minutes: Vec<i64>,
    weekends: Vec<i64>,
    /// Per window limit: its shifts worked.
    windows: Vec<i64>,
}

impl RowTotals {
    /// The totals of every row of `cells`, with each row's (hard, soft) score.
    pub(super) fn new(p: &Problem, t: &Tables, cells: &[u16]) -> (RowTotals, Vec<(i64, i64)>) {
        let (days, shifts, staff) = (t.days, t.shifts, p.staff.len());
        let mut totals = RowTotals {
            shifts,
            per_type: vec![0; staff * shifts],
            minutes: vec![0; staff],
            weekends: vec![0; staff],
            windows: vec![0; p.window_limits.len()],
        };
        let mut scores = Vec::with_capacity(staff);
        for e in 0..staff {
            let row = &cells[e * days..(e + 1) * days];
            let per_type = &mut totals.per_type[e * shifts..(e + 1) * shifts];
            scores.push(row_cost(p, t, e, row, per_type));
            let mut prev = OFF;
            for (d, &cell) in row.iter().enumerate() {
                if cell != OFF {
                    totals.minutes[e] += i64::from(p.shifts[cell as usize].minutes);
                    for &k in &t.window_of[e] {
                        totals.windows[k as usize] += totals.in_window(p, t, k, d, cell);
                    }
                }
                totals.weekends[e] += weekend_day(d, prev, cell);
                prev = cell;
            }
        }
        (totals, scores)
    }

    /// Whether `cell` on day `d` counts in window limit `k`.
    fn in_window(&self, p: &Problem, t: &Tables, k: u32, d: usize, cell: u16) -> i64 {
        let w = &p.window_limits[k as usize];
        i64::from(
            cell != OFF
                && (w.from..w.to).contains(&d)
                && t.window_member[k as usize * self.shifts + cell as usize],
        )
    }

    /// Appends person `e`'s totals to `saved`, for `restore` to put back.
    pub(super) fn save(&self, t: &Tables, e: usize, saved: &mut Vec<i64>) {
        saved.push(self.minutes[e]);
        saved.push(self.weekends[e]);
        let base = e * self.shifts;
        saved.extend(
            self.per_type[base..base + self.shifts]
                .iter()
                .map(|&n| i64::from(n)),
        );
        saved.extend(t.window_of[e].iter().map(|&k| self.windows[k as usize]));
    }

    /// Puts back person `e`'s totals from the front of `saved` (as `save` wrote them);
    /// returns how many values it read.
    pub(super) fn restore(&mut self, t: &Tables, e: usize, saved: &[i64]) -> usize {
        self.minutes[e] = saved[0];
        self.weekends[e] = saved[1];
        let base = e * self.shifts;
        for (n, &v) in self.per_type[base..base + self.shifts]
            .iter_mut()
            .zip(&saved[2..])
        {
            *n = v as u32;
        }
        let windows = &saved[2 + self.shifts..];
        for (&k, &v) in t.window_of[e].iter().zip(windows) {
            self.windows[k as usize] = v;
        }
        2 + self.shifts + t.window_of[e].len()
    }

    /// The change in person `e`'s (hard, soft) row score when day `d` of `row` (still holding
    /// the old value) becomes `new`; the totals move with it.
    pub(super) fn change(
        &mut self,
        p: &Problem,
        t: &Tables,
        e: usize,
        row: &[u16],
        d: usize,
        new: u16,
    ) -> (i64, i64) {
        let old = row[d];
        if old == new {
            return (0, 0);
        }
        let m = &p.staff[e];
        let days = t.days;
        let (h0, s0) = cell_units(p, t, e, d, old);
        let (h1, s1) = cell_units(p, t, e, d, new);
        let (mut hard, mut soft) = (h1 - h0, s1 - s0);
        let prev = if d > 0 { row[d - 1] } else { OFF };
        let next = if d + 1 < days { row[d + 1] } else { OFF };
        hard += succession_units(t, e, prev, new) + succession_units(t, e, new, next)
            - succession_units(t, e, prev, old)
            - succession_units(t, e, old, next);
        let mut weekends = weekend_day(d, prev, new) - weekend_day(d, prev, old);
        if d + 1 < days {
            weekends += weekend_day(d + 1, new, next) - weekend_day(d + 1, old, next);
        }
        if weekends != 0 {
            let before = self.weekends[e];
            self.weekends[e] += weekends;
            hard += weekend_units(m, self.weekends[e]) - weekend_units(m, before);
        }
        if (old == OFF) != (new == OFF) {
            hard += run_change(p, t, e, row, d, new);
        }
        let base = e * self.shifts;
        let fair_before = if t.fair_of[e].is_empty() {
            0
        } else {
            fair_penalty(p, t, e, &self.per_type[base..base + self.shifts])
        };
        for (cell, step) in [(old, -1i64), (new, 1)] {
            if cell == OFF {
                continue;
            }
            let s = cell as usize;
            let before = self.per_type[base + s];
            let after = (i64::from(before) + step) as u32;
            self.per_type[base + s] = after;
            hard += type_units(m, s, after) - type_units(m, s, before);
            let minutes = self.minutes[e];
            self.minutes[e] += step * i64::from(p.shifts[s].minutes);
            hard += minute_units(m, self.minutes[e]) - minute_units(m, minutes);
        }
        if !t.fair_of[e].is_empty() {
            soft += fair_penalty(p, t, e, &self.per_type[base..base + self.shifts]) - fair_before;
        }
        for &k in &t.window_of[e] {
            let change = self.in_window(p, t, k, d, new) - self.in_window(p, t, k, d, old);
            if change != 0 {
                let w = &p.window_limits[k as usize];
                let before = self.windows[k as usize];
                self.windows[k as usize] += change;
                hard += window_units(w, self.windows[k as usize]) - window_units(w, before);
            }
        }
        (hard, soft)
    }
}

/// The change in the hard units of the runs around day `d` of person `e`'s row when the day
/// turns from working to off or back (to `new`): the runs from the start of the one holding
/// the day before to the end of the one holding the day after, which are the same edges
/// either way.
fn run_change(p: &Problem, t: &Tables, e: usize, row: &[u16], d: usize, new: u16) -> i64 {
    let days = t.days;
    let works = |x: usize| row[x] != OFF;
    let mut from = d;
    if d > 0 {
        from = d - 1;
        while from > 0 && works(from - 1) == works(d - 1) {
            from -= 1;
        }
    }
    let mut to = d + 1;
    if d + 1 < days {
        while to + 1 < days && works(to + 1) == works(d + 1) {
            to += 1;
        }
        to += 1;
    }
    let m = &p.staff[e];
    let after = run_units(m, days, from, to, |x| {
        if x == d { new != OFF } else { works(x) }
    });
    after - run_units(m, days, from, to, works)
}

#[cfg(test)]
mod tests {
    use super::super::moves::{MoveKind, random_move};
    use super::super::state::{State, Undo, undo_move};
    use crate::model::{FairShare, Lock, OFF, WindowLimit, WorkRequest};
    use crate::rng::Rng;
    use crate::tables::{Tables, row_cost};

    /// A generated instance with every rule of a row the product adds: rest between shifts,
    /// a skill, a closed day, locks, fair shares, window limits and work requests.
    fn every_rule(seed: u64) -> crate::Problem {
        let mut p = crate::generate::generate(6, 3, 4, seed);
        p.shifts[1].start_minute = 20 * 60;
        p.shifts[0].skill = Some(0);
        p.shifts[2].closed_days = vec![3, 10];
        for (e, m) in p.staff.iter_mut().enumerate() {
            m.min_rest_minutes = if e % 2 == 0 { 11 * 60 } else { 0 };
            m.skills = u64::from(e % 3 != 0);
        }
        p.locks.push(Lock {
            staff: 1,
            day: 4,
            shift: Some(3),
        });
        p.locks.push(Lock {
            staff: 2,
            day: 9,
            shift: None,
        });
        for e in 0..3 {
            p.fair_shares.push(FairShare {
                staff: e,
                shifts: vec![1, 2],
                target: 4,
                weight: 9,
            });
            p.window_limits.push(WindowLimit {
                staff: e,
                shifts: vec![0, 3],
                from: 2,
                to: 12,
                most: 3,
            });
        }
        p.work_requests.push(WorkRequest {
            staff: 4,
            day: 6,
            shifts: vec![0, 1],
            weight: 30,
        });
        p
    }

    #[test]
    fn a_row_score_kept_cell_by_cell_equals_the_row_scored_whole() {
        for seed in 1..=4 {
            let p = every_rule(seed);
            let t = Tables::new(&p);
            let roster = crate::model::Roster::empty(p.staff.len(), p.days);
            let mut state = State::new(&p, &t, &roster);
            let mut rng = Rng::new(seed);
            let mut per_type = vec![0u32; t.shifts];
            for step in 0..20_000 {
                let (e, d) = (rng.below(p.staff.len()), rng.below(p.days));
                let v = if rng.chance(0.4) {
                    OFF
                } else {
                    rng.below(t.shifts) as u16
                };
                state.set_cell(e, d, v);
                let row = &state.cells[e * p.days..(e + 1) * p.days];
                let whole = row_cost(&p, &t, e, row, &mut per_type);
                assert_eq!(
                    (state.row_hard[e], state.row_soft[e]),
                    whole,
                    "seed {seed}, step {step}"
                );
            }
            let (hard, soft) = (state.hard, state.soft);
            let fresh = State::new(&p, &t, &state.roster());
            assert_eq!((hard, soft), (fresh.hard, fresh.soft), "seed {seed}");
            assert!(state.totals_equal(&fresh), "seed {seed}");
        }
    }

    #[test]
    fn an_undone_move_puts_back_every_count_score_and_total() {
        for seed in 1..=3 {
            let p = every_rule(seed);
            let t = Tables::new(&p);
            let mut rng = Rng::new(seed);
            let roster = super::super::construct::construct(&p, &t, &mut rng, None, None);
            let mut state = State::new(&p, &t, &roster);
            let mut undo = Undo::new();
            for step in 0..6_000 {
                let kind = MoveKind::ALL[step % MoveKind::ALL.len()];
                let before = state.clone();
                random_move(&mut state, &mut rng, &mut undo, kind, 1e3, seed == 2);
                if step % 3 == 0 {
                    // Kept, so the moves go on from a changing roster.
                    continue;
                }
                undo_move(&mut state, &undo);
                let what = format!("seed {seed}, step {step}, {kind:?}");
                assert_eq!(state.cells, before.cells, "{what}");
                assert_eq!(state.cover_count, before.cover_count, "{what}");
                assert_eq!(state.pool_count, before.pool_count, "{what}");
                assert_eq!(state.row_hard, before.row_hard, "{what}");
                assert_eq!(state.row_soft, before.row_soft, "{what}");
                assert_eq!(
                    (state.hard, state.soft),
                    (before.hard, before.soft),
                    "{what}"
                );
                assert!(state.totals_equal(&before), "{what}");
            }
            let fresh = State::new(&p, &t, &state.roster());
            assert_eq!(
                (state.hard, state.soft),
                (fresh.hard, fresh.soft),
                "seed {seed}"
            );
            assert!(state.totals_equal(&fresh), "seed {seed}");
        }
    }
}
