//! The search: a greedy construction, then simulated annealing with strategic oscillation of
//! the hard-rule weight, over nine move selectors — change one cell, swap two people's day,
//! swap a block of days between two people, re-plan a block of one person's days, swap two
//! days or two blocks of days (often two weekends) of one row (a shift or a run moves, the
//! row's totals kept), swap two people's cells on two days (the cover kept), put someone on
//! a shift short of cover (giving up another day), and re-plan a whole row by dynamic
//! programming — with incremental (delta) scoring.
//!
//! Scoring is kept per person (the row's hard units and soft penalty, which includes the
//! person's fair shares) and per cover row and room pool, so a move re-scores only the rows
//! it touches, in O(days), and only the cover rows of the days it changes. With the `debug-checks` feature every move is checked
//! against the independent evaluator in `eval`.
//!
//! On the product's model (shift types closed on some days, or barred to someone) the moves
//! draw only values open to the person that day (`Tables::open`), and two options suit its
//! tight contracts: cross swaps that keep both people's minutes, and a DP repair of each row
//! the construction leaves breaking a hard rule. The benchmark uses neither, so its search
//! is unchanged.
//!
//! On problems `colgen::suits` (the benchmark's), `Options::column_generation` has the first
//! worker start from a roster built by column generation and re-dives (`column_search`).
//!
//! Several workers (threads) each anneal their own roster and meet `Options::meetings`
//! times over the budget; a worker behind the best carries on from the best roster. Under a
//! step budget the meetings fall on fixed step counts, so the result repeats. Raising
//! `Options::stop` ends every worker at its next check; a stopped worker leaves the meetings
//! (`Gate`), so none waits for it, and the best roster so far is returned.
use crate::colgen;
use crate::eval::{Evaluation, evaluate};
use crate::model::{OFF, Problem, Roster};
use crate::rng::Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The share of a time budget the dive of column generation may take (see `Options`).
const DIVE_SHARE: f64 = 0.4;
/// Under a step budget, the most LP solves of the dive (Instance9 of the benchmark takes
/// about 220), so it ends, and repeats, without a clock.
const DIVE_SOLVES: usize = 2_000;

/// One hard-violation unit weighs this much in the construction.
pub const HARD_WEIGHT: i64 = 100_000;

/// When to stop and how to search.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub time_limit: Option<Duration>,
    /// Moves tried per worker; with a step limit the result repeats exactly for a seed.
    pub step_limit: Option<u64>,
    /// Independent workers (seeded `seed`, `seed+1`…); the best roster wins, ties to the lowest.
    pub threads: usize,
    /// Weight of one hard-violation unit at the start (it then adapts).
    pub hard_weight: i64,
    /// One move in this many re-plans a whole row by dynamic programming (0: never).
    pub row_plan_every: usize,
    /// The cross swap picks its second day so that both people keep their minutes (a
    /// session given away on one day is taken back on another), where such a day exists.
    /// Suits a model whose contracts are tight (the product's); off for the benchmark.
    pub balanced_cross_swaps: bool,
    /// After the construction, each row that breaks a hard rule is re-planned by the DP
    /// with hard rules weighed as in the construction (kept only when the score improves),
    /// so a first rota keeping every rule comes sooner. Off for the benchmark.
    pub repair_rows: bool,
    /// Simulated-annealing temperature at the start and at the end of the budget.
    pub start_temperature: f64,
    pub end_temperature: f64,
    /// With several workers, how many times over the budget they meet: at each meeting a
    /// worker whose best is worse than another's carries on from that roster (0: never; the
    /// workers are then independent). With a step budget the meetings fall on fixed step
    /// counts, so the result still repeats.
    pub meetings: u64,
    /// Raised (set to `true`) from elsewhere, every worker stops at its next check (every
    /// 256 moves, and between people in the construction) and `solve` returns the best
    /// roster so far: a manager's "stop" keeps the best rota. `None`: run to the budget.
    pub stop: Option<Arc<AtomicBool>>,
    /// The first worker starts from a roster built by column generation and a dive
    /// (`colgen`), on problems it suits (no room pools, small enough), taking up to 40 % of
    /// a time budget for it; the other workers search meanwhile, and the meetings fall in
    /// the rest of the budget. Under a step budget the dive is bounded by its count of LP
    /// solves instead, so the result still repeats. Off by default; the benchmark's CLI
    /// turns it on.
    pub column_generation: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 1,
            time_limit: Some(Duration::from_secs(10)),
            step_limit: None,
            threads: 1,
            hard_weight: 1000,
            row_plan_every: 5000,
            balanced_cross_swaps: false,
            repair_rows: false,
            start_temperature: 60.0,
            end_temperature: 0.2,
            meetings: 10,
            stop: None,
            column_generation: false,
        }
    }
}

/// Anytime progress, reported when the best roster improves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress<'a> {
    pub best_objective: u64,
    pub best_hard_units: u64,
    pub elapsed: Duration,
    pub steps: u64,
    /// Fraction of the time or step budget used, 0–1.
    pub fraction: f64,
    /// The best roster's cells (`Roster::cells`), so a caller can explain it while the
    /// search goes on; empty when the phase that improved holds no roster yet.
    pub cells: &'a [u16],
}

/// The best roster found and how it scores.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub roster: Roster,
    pub evaluation: Evaluation,
    pub time_to_best: Duration,
    pub steps: u64,
}

/// What the search precomputes from the problem.
pub struct Tables {
    pub(crate) days: usize,
    pub(crate) shifts: usize,
    /// Per cell `e*days+d`: (shift, weight) of on and off requests.
    on: Vec<Vec<(u16, u32)>>,
    off: Vec<Vec<(u16, u32)>>,
    /// Per cell: the work requests made there (indices into `Problem::work_requests`).
    want: Vec<Vec<u32>>,
    /// Per `d*shifts+s`: the cover rows counting that cell (a row over several shift types
    /// is listed under each).
    pub(crate) covers_at: Vec<Vec<u32>>,
    /// Per shift: the room pools using it.
    pools_of: Vec<Vec<u32>>,
    /// Per cell: the locked value, or `NO_LOCK`.
    lock: Vec<u32>,
    /// Per cell with a lock, a required session, a closed or barred shift type: its row in
    /// `fixed_units`, or `NO_FIXED`.
    fixed: Vec<u32>,
    /// Per such row and value (shift, or `shifts` for a day off): the hard units the value
    /// breaks there (a changed lock, each required session it does not meet, a shift type
    /// closed that day or barred to the person). Equal rows
    /// are shared.
    fixed_units: Vec<u32>,
    /// Per person: the shift types they may work at all.
    allowed: Vec<Vec<u16>>,
    /// Per cell (`e*days+d`), only when some shift type is closed on some day or barred to
    /// someone (the product's sessions, never the benchmark's): the types the person may work
    /// that day — `allowed` less the types closed or barred to them then, and none on a day
    /// they must not work. The moves draw from
    /// it, so they do not waste time on values that break a hard rule whatever else changes.
    /// Empty otherwise, and `allowed` is used.
    open: Vec<Vec<u16>>,
    /// The common divisor of the shift lengths, the DP's unit of minutes.
    pub(crate) unit: u32,
    /// Per person: their fair shares (indices into `Problem::fair_shares`).
    fair_of: Vec<Vec<u32>>,
    /// Per fair share and shift type (`k*shifts+s`): whether the type counts for the share.
    fair_member: Vec<bool>,
}

const NO_LOCK: u32 = u32::MAX;
const NO_FIXED: u32 = u32::MAX;

/// The index of a cell's value in a per-value table: the shift, or `shifts` for a day off.
pub(crate) fn value_index(cell: u16, shifts: usize) -> usize {
    if cell == OFF { shifts } else { cell as usize }
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl Tables {
    pub fn new(p: &Problem) -> Tables {
        let (days, shifts, staff) = (p.days, p.shifts.len(), p.staff.len());
        let mut on = vec![Vec::new(); staff * days];
        let mut off = vec![Vec::new(); staff * days];
        for r in &p.on_requests {
            on[r.staff * days + r.day].push((r.shift as u16, r.weight));
        }
        for r in &p.off_requests {
            off[r.staff * days + r.day].push((r.shift as u16, r.weight));
        }
        let mut want = vec![Vec::new(); staff * days];
        for (i, r) in p.work_requests.iter().enumerate() {
            want[r.staff * days + r.day].push(i as u32);
        }
        let mut covers_at = vec![Vec::new(); days * shifts];
        for (i, c) in p.cover.iter().enumerate() {
            for &s in &c.shifts {
                let at = &mut covers_at[c.day * shifts + s];
                // A shift listed twice in a row still counts a person once.
                if at.last() != Some(&(i as u32)) {
                    at.push(i as u32);
                }
            }
        }
        let mut pools_of = vec![Vec::new(); shifts];
        for (i, pool) in p.rooms.iter().enumerate() {
            for &s in &pool.shifts {
                pools_of[s].push(i as u32);
            }
        }
        let mut lock = vec![NO_LOCK; staff * days];
        for l in &p.locks {
            lock[l.staff * days + l.day] = l.shift.map_or(u32::from(OFF), |s| s as u32);
        }
        // Per cell, the units each value breaks; then equal rows shared.
        let values = shifts + 1;
        let mut per_cell: std::collections::BTreeMap<usize, Vec<u32>> = Default::default();
        for l in &p.locks {
            let units = per_cell
                .entry(l.staff * days + l.day)
                .or_insert_with(|| vec![0; values]);
            let keep = l.shift.unwrap_or(shifts);
            for (v, u) in units.iter_mut().enumerate() {
                *u += u32::from(v != keep);
            }
        }
        for (s, shift) in p.shifts.iter().enumerate() {
            for &d in &shift.closed_days {
                for e in 0..staff {
                    let units = per_cell
                        .entry(e * days + d)
                        .or_insert_with(|| vec![0; values]);
                    units[s] += 1;
                }
            }
        }
        for u in &p.unavailable {
            let units = per_cell
                .entry(u.staff * days + u.day)
                .or_insert_with(|| vec![0; values]);
            for &s in &u.shifts {
                units[s] += 1;
            }
        }
        for r in &p.required {
            let units = per_cell
                .entry(r.staff * days + r.day)
                .or_insert_with(|| vec![0; values]);
            for (v, u) in units.iter_mut().enumerate() {
                *u += u32::from(!r.shifts.contains(&v));
            }
        }
        let mut fixed = vec![NO_FIXED; staff * days];
        let mut fixed_units = Vec::new();
        let mut rows: std::collections::BTreeMap<Vec<u32>, u32> = Default::default();
        for (cell, units) in per_cell {
            let next = rows.len() as u32;
            let row = *rows.entry(units).or_insert_with_key(|units| {
                fixed_units.extend_from_slice(units);
                next
            });
            fixed[cell] = row;
        }
        let allowed: Vec<Vec<u16>> = p
            .staff
            .iter()
            .map(|m| {
                (0..shifts)
                    .filter(|&s| {
                        m.max_shifts[s] > 0
                            && p.shifts[s].skill.is_none_or(|k| m.skills & (1 << k) != 0)
                    })
                    .map(|s| s as u16)
                    .collect()
            })
            .collect();
        let any_closed =
            p.shifts.iter().any(|s| !s.closed_days.is_empty()) || !p.unavailable.is_empty();
        let open = if any_closed {
            let mut closed = vec![false; days * shifts];
            for (s, shift) in p.shifts.iter().enumerate() {
                for &d in &shift.closed_days {
                    closed[d * shifts + s] = true;
                }
            }
            let mut open: Vec<Vec<u16>> = (0..staff * days)
                .map(|cell| {
                    let (e, d) = (cell / days, cell % days);
                    if p.staff[e].days_off[d] {
                        return Vec::new();
                    }
                    allowed[e]
                        .iter()
                        .copied()
                        .filter(|&s: &u16| !closed[d * shifts + s as usize])
                        .collect()
                })
                .collect();
            for u in &p.unavailable {
                open[u.staff * days + u.day].retain(|s| !u.shifts.contains(&(*s as usize)));
            }
            open
        } else {
            Vec::new()
        };
        let unit = p
            .shifts
            .iter()
            .map(|s| s.minutes)
            .filter(|&m| m > 0)
            .fold(0, gcd)
            .max(1);
        let mut fair_of = vec![Vec::new(); staff];
        let mut fair_member = vec![false; p.fair_shares.len() * shifts];
        for (k, f) in p.fair_shares.iter().enumerate() {
            fair_of[f.staff].push(k as u32);
            for &s in &f.shifts {
                fair_member[k * shifts + s] = true;
            }
        }
        Tables {
            days,
            shifts,
            on,
            want,
            off,
            covers_at,
            pools_of,
            lock,
            fixed,
            fixed_units,
            allowed,
            open,
            unit,
            fair_of,
            fair_member,
        }
    }

    /// Whether person `e` may be given value `v` on day `d` without breaking a hard rule
    /// whatever else changes (see `open`); always when there is no per-day list.
    fn may_take(&self, e: usize, d: usize, v: u16) -> bool {
        v == OFF || self.open.is_empty() || self.open[e * self.days + d].contains(&v)
    }

    /// The weight of the work requests of a cell that its value does not meet.
    fn unmet_wants(&self, p: &Problem, cell: usize, value: u16) -> u32 {
        self.want[cell]
            .iter()
            .map(|&i| &p.work_requests[i as usize])
            .filter(|r| value == OFF || !r.shifts.contains(&(value as usize)))
            .map(|r| r.weight)
            .sum()
    }

    /// The shift types person `e` may work on day `d` (see `open`).
    fn allowed_on(&self, e: usize, d: usize) -> &[u16] {
        if self.open.is_empty() {
            &self.allowed[e]
        } else {
            &self.open[e * self.days + d]
        }
    }

    /// Shifts of fair share `k` in a row's counts per type.
    fn fair_count(&self, k: usize, per_type: &[u32]) -> i64 {
        let member = &self.fair_member[k * self.shifts..(k + 1) * self.shifts];
        per_type
            .iter()
            .zip(member)
            .filter(|(_, m)| **m)
            .map(|(&c, _)| i64::from(c))
            .sum()
    }
}

/// Hard units and soft penalty of one person's row — the same rules as `eval`, written as
/// one pass so it is cheap enough to run on every move.
pub(crate) fn row_cost(
    p: &Problem,
    t: &Tables,
    e: usize,
    row: &[u16],
    per_type: &mut [u32],
) -> (i64, i64) {
    let m = &p.staff[e];
    let days = t.days;
    per_type.iter_mut().for_each(|c| *c = 0);
    let (mut hard, mut soft) = (0i64, 0i64);
    let mut minutes = 0i64;
    let mut weekends = 0i64;
    let mut run_work = false;
    let mut run_start = 0usize;
    let mut prev = OFF;
    let base = e * days;
    for d in 0..=days {
        let cell = if d < days { row[d] } else { OFF };
        let works = d < days && cell != OFF;
        // Close the previous run when the state flips or the horizon ends.
        if d == days || (d > 0 && works != run_work) {
            let len = (d - run_start) as i64;
            let interior = run_start > 0 && d < days;
            if run_work {
                hard += (len - i64::from(m.max_consecutive)).max(0);
                if interior {
                    hard += (i64::from(m.min_consecutive) - len).max(0);
                }
            } else if interior {
                hard += (i64::from(m.min_days_off) - len).max(0);
            }
            run_start = d;
        }
        if d == days {
            break;
        }
        if d == 0 {
            run_start = 0;
        }
        run_work = works;
        let cell_index = base + d;
        let fixed = t.fixed[cell_index];
        if fixed != NO_FIXED {
            hard += i64::from(
                t.fixed_units[fixed as usize * (t.shifts + 1) + value_index(cell, t.shifts)],
            );
        }
        for &(s, w) in &t.on[cell_index] {
            if cell != s {
                soft += i64::from(w);
            }
        }
        soft += i64::from(t.unmet_wants(p, cell_index, cell));
        if works {
            let s = cell as usize;
            let shift = &p.shifts[s];
            per_type[s] += 1;
            minutes += i64::from(shift.minutes);
            if m.days_off[d] {
                hard += 1;
            }
            if let Some(k) = shift.skill
                && m.skills & (1 << k) == 0
            {
                hard += 1;
            }
            for &(os, w) in &t.off[cell_index] {
                if cell == os {
                    soft += i64::from(w);
                }
            }
            if prev != OFF {
                let ps = &p.shifts[prev as usize];
                if ps.forbidden_next.contains(&s) {
                    hard += 1;
                }
                if m.min_rest_minutes > 0 {
                    let rest =
                        (24 * 60 + shift.start_minute).saturating_sub(ps.start_minute + ps.minutes);
                    if rest < m.min_rest_minutes {
                        hard += 1;
                    }
                }
            }
            // A weekend counts once: on Saturday, or on Sunday when Saturday was off.
            let dow = d % 7;
            if dow == 5 || (dow == 6 && row[d - 1] == OFF) {
                weekends += 1;
            }
        }
        prev = cell;
    }
    for (s, &count) in per_type.iter().enumerate() {
        let max = m.max_shifts[s];
        if max != crate::model::UNLIMITED {
            hard += (i64::from(count) - i64::from(max)).max(0);
        }
    }
    let (max_min, min_min) = (i64::from(m.max_minutes), i64::from(m.min_minutes));
    if minutes > max_min {
        hard += (minutes - max_min + 59) / 60;
    }
    if minutes < min_min {
        hard += (min_min - minutes + 59) / 60;
    }
    hard += (weekends - i64::from(m.max_weekends)).max(0);
    for &k in &t.fair_of[e] {
        let f = &p.fair_shares[k as usize];
        let n = t.fair_count(k as usize, per_type);
        soft += i64::from(f.weight) * (n - i64::from(f.target)).abs();
    }
    (hard, soft)
}

/// A roster with its incremental score.
#[derive(Clone)]
struct State<'p> {
    p: &'p Problem,
    t: &'p Tables,
    cells: Vec<u16>,
    row_hard: Vec<i64>,
    row_soft: Vec<i64>,
    cover_count: Vec<i64>,
    pool_count: Vec<i64>,
    hard: i64,
    soft: i64,
    scratch: Vec<u32>,
}

/// Whether person `e` counts towards cover row `cover` (they have its skill, if any).
pub(crate) fn counts(p: &Problem, e: usize, cover: usize) -> bool {
    p.cover[cover]
        .skill
        .is_none_or(|k| p.staff[e].skills & (1 << k) != 0)
}

fn cover_pen(p: &Problem, i: usize, n: i64) -> i64 {
    let c = &p.cover[i];
    let req = i64::from(c.requirement);
    i64::from(c.weight_under) * (req - n).max(0) + i64::from(c.weight_over) * (n - req).max(0)
}

fn pool_pen(p: &Problem, i: usize, d: usize, n: i64) -> i64 {
    (n - i64::from(p.rooms[i].capacity_on(d))).max(0)
}

impl<'p> State<'p> {
    fn new(p: &'p Problem, t: &'p Tables, roster: &Roster) -> State<'p> {
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

    fn total(&self) -> i64 {
        self.hard * HARD_WEIGHT + self.soft
    }

    fn counts(&self, e: usize, cover: usize) -> bool {
        counts(self.p, e, cover)
    }

    /// Whether person `e` takes a room of `pool` when working one of its shifts.
    fn in_pool(&self, e: usize, pool: usize) -> bool {
        self.p.rooms[pool]
            .skill
            .is_none_or(|k| self.p.staff[e].skills & (1 << k) != 0)
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
    fn set_cell(&mut self, e: usize, d: usize, value: u16) {
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
    fn rescore_row(&mut self, e: usize) {
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

    fn roster(&self) -> Roster {
        Roster {
            days: self.t.days,
            cells: self.cells.clone(),
        }
    }

    #[cfg(feature = "debug-checks")]
    fn check(&self) {
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
struct Undo {
    cells: Vec<(u32, u32, u16)>,
    rows: [usize; 2],
    row_scores: [(i64, i64); 2],
    hard: i64,
    soft: i64,
}

/// The price of each value on each day of person `e`'s row, everyone else as they are.
fn row_costs(state: &State, e: usize, weight: f64) -> crate::rowplan::RowCosts {
    let (p, t) = (state.p, state.t);
    let days = t.days;
    priced_row(p, t, e, weight, |d, v| {
        let cell = e * days + d;
        let current = state.cells[cell];
        let value = v as u16;
        let mut c = 0.0;
        for &i in &t.covers_at[d * t.shifts + v] {
            let i = i as usize;
            if state.counts(e, i) {
                // The count without this person, who may count now on another of
                // the row's shifts.
                let now = current == value
                    || (current != OFF && p.cover[i].shifts.contains(&(current as usize)));
                let without = state.cover_count[i] - i64::from(now);
                c += (cover_pen(p, i, without + 1) - cover_pen(p, i, without)) as f64;
            }
        }
        for &pool in &t.pools_of[v] {
            if !state.in_pool(e, pool as usize) {
                continue;
            }
            let k = pool as usize * days + d;
            let now = current == value
                || (current != OFF && p.rooms[pool as usize].shifts.contains(&(current as usize)));
            let without = state.pool_count[k] - i64::from(now);
            c += weight
                * (pool_pen(p, pool as usize, d, without + 1)
                    - pool_pen(p, pool as usize, d, without)) as f64;
        }
        c
    })
}

/// The price of each value on each day of person `e`'s row: the row's own terms (requests,
/// days off, fixed cells, hard rules at `weight`) plus `shared(d, shift)`, what working that
/// shift on day `d` adds to the terms the row shares with others (cover, rooms).
pub(crate) fn priced_row(
    p: &Problem,
    t: &Tables,
    e: usize,
    weight: f64,
    shared: impl Fn(usize, usize) -> f64,
) -> crate::rowplan::RowCosts {
    let (days, shifts) = (t.days, t.shifts);
    let values = shifts + 1;
    let person = &p.staff[e];
    let mut cost = vec![0.0f64; days * values];
    for d in 0..days {
        let cell = e * days + d;
        for v in 0..values {
            let value = if v == shifts { OFF } else { v as u16 };
            let mut c = 0.0;
            if value != OFF {
                if !t.allowed[e].contains(&value) || !t.may_take(e, d, value) {
                    cost[d * values + v] = f64::INFINITY;
                    continue;
                }
                c += shared(d, v);
                if person.days_off[d] {
                    c += weight;
                }
                for &(s, w) in &t.off[cell] {
                    if s == value {
                        c += f64::from(w);
                    }
                }
            }
            for &(s, w) in &t.on[cell] {
                if s != value {
                    c += f64::from(w);
                }
            }
            c += f64::from(t.unmet_wants(p, cell, value));
            // A changed lock or an unmet required session, priced as the row score counts it.
            let fixed = t.fixed[cell];
            if fixed != NO_FIXED {
                c += weight * f64::from(t.fixed_units[fixed as usize * values + v]);
            }
            cost[d * values + v] = c;
        }
    }
    crate::rowplan::RowCosts { cost, values }
}

/// Person `e`'s best row by the DP, everyone else fixed. The DP does not count shifts of
/// each type, so when its row has too many of a type, that type is priced higher on every
/// day and the row planned again (a few rounds, each price three times the last), in the
/// manner of a Lagrangian relaxation. The person's fair shares are priced the same way: each
/// share's shifts carry a multiplier, 0 at first, that moves towards `+weight` when the row
/// has more than the target and towards `-weight` when fewer (a step of the weight, then
/// half of it, and so on); within that range the price never exceeds the penalty's slope.
fn plan_row(state: &State, e: usize, weight: f64) -> Option<Vec<u16>> {
    plan_priced(state.p, state.t, e, row_costs(state, e, weight), weight)
}

/// Person `e`'s best row under `costs` (see `plan_row`).
fn plan_priced(
    p: &Problem,
    t: &Tables,
    e: usize,
    mut costs: crate::rowplan::RowCosts,
    weight: f64,
) -> Option<Vec<u16>> {
    let mut counts = vec![0u32; t.shifts];
    let mut price = 30.0;
    let shares = &t.fair_of[e];
    let mut multiplier = vec![0.0f64; shares.len()];
    let mut step: Vec<f64> = shares
        .iter()
        .map(|&k| f64::from(p.fair_shares[k as usize].weight))
        .collect();
    let mut cells = crate::rowplan::plan(p, e, &costs, weight, t.unit)?;
    for _ in 0..3 {
        counts.iter_mut().for_each(|c| *c = 0);
        for &c in &cells {
            if c != OFF {
                counts[c as usize] += 1;
            }
        }
        let max = &p.staff[e].max_shifts;
        let off_target: Vec<i64> = shares
            .iter()
            .map(|&k| {
                let target = i64::from(p.fair_shares[k as usize].target);
                (t.fair_count(k as usize, &counts) - target).signum()
            })
            .collect();
        if (0..t.shifts).all(|s| counts[s] <= max[s]) && off_target.iter().all(|&o| o == 0) {
            break;
        }
        for s in (0..t.shifts).filter(|&s| counts[s] > max[s]) {
            for d in 0..t.days {
                costs.cost[d * costs.values + s] += price;
            }
        }
        price *= 3.0;
        for (i, &k) in shares.iter().enumerate() {
            let slope = f64::from(p.fair_shares[k as usize].weight);
            let next = (multiplier[i] + off_target[i] as f64 * step[i]).clamp(-slope, slope);
            let change = next - multiplier[i];
            multiplier[i] = next;
            step[i] /= 2.0;
            if change == 0.0 {
                continue;
            }
            for s in (0..t.shifts).filter(|&s| t.fair_member[k as usize * t.shifts + s]) {
                for d in 0..t.days {
                    costs.cost[d * costs.values + s] += change;
                }
            }
        }
        cells = crate::rowplan::plan(p, e, &costs, weight, t.unit)?;
    }
    Some(cells)
}

/// The move selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// Change one person's one day.
    Change,
    /// Swap two people's assignments on one day.
    Swap,
    /// Swap a block of 2–7 days between two people.
    BlockSwap,
    /// Give one person the same value on a block of 2–5 days.
    BlockReplan,
    /// Re-plan one person's whole row by dynamic programming (see `rowplan`).
    RowPlan,
    /// Swap two days of one person's row: a shift moves to another day, the row's totals
    /// (minutes, shifts of each type) kept.
    RowSwap,
    /// Swap two people's assignments on two days at once: the cover is kept, only the two
    /// rows change.
    CrossSwap,
    /// Put someone on a shift short of cover, usually giving up another of their working
    /// days so the row's total stays.
    CoverFill,
    /// Swap two blocks of 2–7 days of one person's row (half the time two weekends): a run
    /// or a worked weekend moves, the row's totals kept.
    RowBlockSwap,
}

impl MoveKind {
    pub const ALL: [MoveKind; 9] = [
        MoveKind::Change,
        MoveKind::Swap,
        MoveKind::BlockSwap,
        MoveKind::BlockReplan,
        MoveKind::RowPlan,
        MoveKind::RowSwap,
        MoveKind::CrossSwap,
        MoveKind::CoverFill,
        MoveKind::RowBlockSwap,
    ];

    /// Picks a selector with the search's mix: cover fill 5 %, change 25 %, swap 20 %, block
    /// swap 10 %, block re-plan 10 %, row swap 12 %, cross swap 10 %, row block swap 8 %, and
    /// a row re-plan once in `row_plan_every` moves.
    fn random(rng: &mut Rng, row_plan_every: usize) -> MoveKind {
        if row_plan_every > 0 && rng.below(row_plan_every) == 0 {
            return MoveKind::RowPlan;
        }
        match rng.below(100) {
            0..5 => MoveKind::CoverFill,
            5..30 => MoveKind::Change,
            30..50 => MoveKind::Swap,
            50..60 => MoveKind::BlockSwap,
            60..70 => MoveKind::BlockReplan,
            70..82 => MoveKind::RowSwap,
            82..92 => MoveKind::CrossSwap,
            _ => MoveKind::RowBlockSwap,
        }
    }
}

/// Tries one random move of a kind and records how to undo it.
fn random_move(
    state: &mut State,
    rng: &mut Rng,
    undo: &mut Undo,
    kind: MoveKind,
    weight: f64,
    balanced: bool,
) {
    let (days, staff) = (state.t.days, state.p.staff.len());
    let t = state.t;
    // Whether the two people may take each other's values on day `d`.
    let may_swap = |state: &State, e1: usize, e2: usize, d: usize| {
        let (a, b) = (state.cells[e1 * days + d], state.cells[e2 * days + d]);
        t.may_take(e1, d, b) && t.may_take(e2, d, a)
    };
    undo.cells.clear();
    undo.hard = state.hard;
    undo.soft = state.soft;
    // Half the time a working value is drawn among the shifts still short of cover that day,
    // which is where a change most likely pays.
    let pick_value = |rng: &mut Rng, e: usize, d: usize, state: &State| -> u16 {
        let allowed = state.t.allowed_on(e, d);
        if allowed.is_empty() || rng.chance(0.25) {
            return OFF;
        }
        if rng.chance(0.5) {
            let short: Vec<u16> = allowed
                .iter()
                .copied()
                .filter(|&s| {
                    state.t.covers_at[d * state.t.shifts + s as usize]
                        .iter()
                        .any(|&c| {
                            state.cover_count[c as usize]
                                < i64::from(state.p.cover[c as usize].requirement)
                        })
                })
                .collect();
            if !short.is_empty() {
                return short[rng.below(short.len())];
            }
        }
        allowed[rng.below(allowed.len())]
    };
    let change = |state: &mut State, undo: &mut Undo, e: usize, d: usize, v: u16| {
        let old = state.cells[e * days + d];
        if old != v {
            undo.cells.push((e as u32, d as u32, old));
            state.set_cell(e, d, v);
        }
    };
    let mut e1 = rng.below(staff);
    let mut e2 = e1;
    if kind == MoveKind::Change {
        // Change one cell.
        let d = rng.below(days);
        let v = pick_value(rng, e1, d, state);
        change(state, undo, e1, d, v);
    } else if kind == MoveKind::Swap {
        // Swap two people's assignments on one day.
        e2 = rng.below(staff);
        let d = rng.below(days);
        if may_swap(state, e1, e2, d) {
            let (a, b) = (state.cells[e1 * days + d], state.cells[e2 * days + d]);
            change(state, undo, e1, d, b);
            change(state, undo, e2, d, a);
        }
    } else if kind == MoveKind::BlockSwap {
        // Swap a block of days between two people.
        e2 = rng.below(staff);
        let len = 2 + rng.below(6.min(days - 1));
        let start = rng.below(days - len + 1);
        let may = (start..start + len).all(|d| may_swap(state, e1, e2, d));
        for d in (start..start + len).filter(|_| may) {
            let (a, b) = (state.cells[e1 * days + d], state.cells[e2 * days + d]);
            change(state, undo, e1, d, b);
            change(state, undo, e2, d, a);
        }
    } else if kind == MoveKind::RowSwap {
        // Half the time the other day is within three days, where a run's edge moves.
        let d1 = rng.below(days);
        let d2 = if rng.chance(0.5) {
            (d1 + days + rng.below(7) - 3) % days
        } else {
            rng.below(days)
        };
        let (a, b) = (state.cells[e1 * days + d1], state.cells[e1 * days + d2]);
        if t.may_take(e1, d1, b) && t.may_take(e1, d2, a) {
            change(state, undo, e1, d1, b);
            change(state, undo, e1, d2, a);
        }
    } else if kind == MoveKind::CrossSwap {
        e2 = rng.below(staff);
        let d1 = rng.below(days);
        let d2 = if balanced {
            balanced_day(state, rng, e1, e2, d1).unwrap_or(d1)
        } else {
            rng.below(days)
        };
        let both = [d1, d2];
        let both = &both[..if d1 == d2 { 1 } else { 2 }];
        let may = both.iter().all(|&d| may_swap(state, e1, e2, d));
        for &d in both.iter().filter(|_| may) {
            let (a, b) = (state.cells[e1 * days + d], state.cells[e2 * days + d]);
            change(state, undo, e1, d, b);
            change(state, undo, e2, d, a);
        }
    } else if kind == MoveKind::RowBlockSwap {
        let (len, a, b) = if days >= 14 && rng.chance(0.5) {
            let weekends = days / 7;
            (2, 7 * rng.below(weekends) + 5, 7 * rng.below(weekends) + 5)
        } else {
            let len = 2 + rng.below(6.min(days / 2 - 1));
            (len, rng.below(days - len + 1), rng.below(days - len + 1))
        };
        let may = (0..len).all(|i| {
            let (x, y) = (
                state.cells[e1 * days + a + i],
                state.cells[e1 * days + b + i],
            );
            t.may_take(e1, a + i, y) && t.may_take(e1, b + i, x)
        });
        if a.abs_diff(b) >= len && may {
            for i in 0..len {
                let (x, y) = (
                    state.cells[e1 * days + a + i],
                    state.cells[e1 * days + b + i],
                );
                change(state, undo, e1, a + i, y);
                change(state, undo, e1, b + i, x);
            }
        }
    } else if kind == MoveKind::CoverFill {
        let covers = state.p.cover.len();
        let short = (0..16).map(|_| rng.below(covers.max(1))).find(|&i| {
            i < covers && state.cover_count[i] < i64::from(state.p.cover[i].requirement)
        });
        if let Some(i) = short {
            let p = state.p;
            let (d, row) = (p.cover[i].day, &p.cover[i].shifts);
            let may = |e: usize, s: &usize| state.t.allowed_on(e, d).contains(&(*s as u16));
            let who = (0..8).map(|_| rng.below(staff)).find(|&e| {
                let cell = state.cells[e * days + d];
                (cell == OFF || !row.contains(&(cell as usize)))
                    && row.iter().any(|s| may(e, s))
                    && state.counts(e, i)
            });
            if let Some(e) = who {
                // One of the row's shifts the person may work (no draw when there is one).
                let options = row.iter().filter(|s| may(e, s)).count();
                let k = if options > 1 { rng.below(options) } else { 0 };
                let s = row
                    .iter()
                    .filter(|s| may(e, s))
                    .nth(k)
                    .map(|&s| s as u16)
                    .expect("the person may work one of the row's shifts");
                (e1, e2) = (e, e);
                if state.cells[e * days + d] == OFF && rng.chance(0.7) {
                    let other = (0..8)
                        .map(|_| rng.below(days))
                        .find(|&d2| d2 != d && state.cells[e * days + d2] != OFF);
                    if let Some(d2) = other {
                        change(state, undo, e, d2, OFF);
                    }
                }
                change(state, undo, e, d, s);
            }
        }
    } else if kind == MoveKind::RowPlan {
        if let Some(cells) = plan_row(state, e1, weight) {
            for (d, v) in cells.into_iter().enumerate() {
                if state.t.lock[e1 * days + d] == NO_LOCK {
                    change(state, undo, e1, d, v);
                }
            }
        }
    } else {
        // Re-plan a block of one person's days with one value.
        let len = 2 + rng.below(4.min(days - 1));
        let start = rng.below(days - len + 1);
        let v = pick_value(rng, e1, start, state);
        for d in (start..start + len).filter(|&d| t.may_take(e1, d, v)) {
            change(state, undo, e1, d, v);
        }
    }
    undo.rows = [e1, e2];
    undo.row_scores = [
        (state.row_hard[e1], state.row_soft[e1]),
        (state.row_hard[e2], state.row_soft[e2]),
    ];
    if !undo.cells.is_empty() {
        state.rescore_row(e1);
        if e2 != e1 {
            state.rescore_row(e2);
        }
    }
}

/// For a cross swap of people `e1` and `e2` on day `d1`: a second day, drawn evenly among
/// those where swapping them too leaves both with the minutes they had and breaks nothing
/// fixed by the day (see `Tables::may_take`); `None` when there is none.
fn balanced_day(state: &State, rng: &mut Rng, e1: usize, e2: usize, d1: usize) -> Option<usize> {
    let (t, days) = (state.t, state.t.days);
    let length = |cell: u16| {
        if cell == OFF {
            0
        } else {
            i64::from(state.p.shifts[cell as usize].minutes)
        }
    };
    let cell = |e: usize, d: usize| state.cells[e * days + d];
    let given = length(cell(e2, d1)) - length(cell(e1, d1));
    let fits = |d: usize| {
        let (a, b) = (cell(e1, d), cell(e2, d));
        d != d1
            && a != b
            && length(b) - length(a) == -given
            && t.may_take(e1, d, b)
            && t.may_take(e2, d, a)
    };
    let count = (0..days).filter(|&d| fits(d)).count();
    if count == 0 {
        return None;
    }
    let k = rng.below(count);
    (0..days).filter(|&d| fits(d)).nth(k)
}

fn undo_move(state: &mut State, undo: &Undo) {
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

/// Greedy construction: each person in turn takes, day by day, the value that lowers the
/// score most (one pass), starting from the locked cells, the required sessions and days off.
/// A cell with a required session takes only values that meet it, when the person may work
/// one. When `stop` is raised the people not yet planned are left off.
fn construct(p: &Problem, t: &Tables, rng: &mut Rng, stop: Option<&AtomicBool>) -> Roster {
    let days = p.days;
    let values = t.shifts + 1;
    let mut roster = Roster::empty(p.staff.len(), days);
    for l in &p.locks {
        roster.set(l.staff, l.day, l.shift);
    }
    // The values of person `e` (and a day off) that break nothing fixed at a cell.
    let meets = |e: usize, cell: usize| -> Vec<u16> {
        let row = t.fixed[cell] as usize * values;
        t.allowed[e]
            .iter()
            .chain(std::iter::once(&OFF))
            .copied()
            .filter(|&v| t.fixed_units[row + value_index(v, t.shifts)] == 0)
            .collect()
    };
    for r in &p.required {
        let cell = r.staff * days + r.day;
        if t.lock[cell] == NO_LOCK
            && let Some(&v) = meets(r.staff, cell).first()
        {
            roster.set(r.staff, r.day, (v != OFF).then_some(v as usize));
        }
    }
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
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            break;
        }
        for d in 0..days {
            let cell = e * days + d;
            if t.lock[cell] != NO_LOCK {
                continue;
            }
            let required = if t.fixed[cell] != NO_FIXED {
                meets(e, cell)
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
                state.rescore_row(e);
                if state.total() < best.0 {
                    best = (state.total(), v);
                }
            }
            state.set_cell(e, d, best.1);
            state.rescore_row(e);
        }
    }
    state.roster()
}

/// Re-plans by the DP each row that breaks a hard rule, hard rules weighed `HARD_WEIGHT`;
/// a new row is kept only when it lowers the score.
fn repair_rows(state: &mut State) {
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
        state.rescore_row(e);
        if state.total() > before {
            for (d, v) in old.into_iter().enumerate() {
                state.set_cell(e, d, v);
            }
            state.rescore_row(e);
        }
    }
}

/// Shared between workers: the best score so far, for progress reports, and the meeting
/// place where they exchange their best rosters.
struct Shared {
    best: Mutex<(i64, i64)>,
    barrier: Gate,
    /// Per worker, at a meeting: its best score and roster, and whether its budget is spent.
    slots: Mutex<Vec<Slot>>,
}

/// A barrier that workers may leave: the others then stop waiting for them. A worker
/// stopped by `Options::stop` leaves at once, so nobody waits at a meeting it will not reach.
struct Gate {
    state: Mutex<GateState>,
    turned: Condvar,
}

struct GateState {
    members: usize,
    arrived: usize,
    generation: u64,
}

impl Gate {
    fn new(members: usize) -> Gate {
        Gate {
            state: Mutex::new(GateState {
                members,
                arrived: 0,
                generation: 0,
            }),
            turned: Condvar::new(),
        }
    }

    /// Opens the gate for everyone waiting once all the members still present have come.
    fn open_if_all_came(&self, g: &mut GateState) -> bool {
        if g.arrived > 0 && g.arrived >= g.members {
            g.arrived = 0;
            g.generation += 1;
            self.turned.notify_all();
            true
        } else {
            false
        }
    }

    fn wait(&self) {
        let mut g = self.state.lock().expect("gate lock");
        let generation = g.generation;
        g.arrived += 1;
        if self.open_if_all_came(&mut g) {
            return;
        }
        while g.generation == generation {
            g = self.turned.wait(g).expect("gate lock");
        }
    }

    fn leave(&self) {
        let mut g = self.state.lock().expect("gate lock");
        g.members -= 1;
        self.open_if_all_came(&mut g);
    }
}

#[derive(Clone, Default)]
struct Slot {
    best: (i64, i64),
    cells: Vec<u16>,
    done: bool,
}

/// Whether `(hard, soft)` is better than `best`: feasible first, then the lower penalty.
fn better(hard: i64, soft: i64, best: (i64, i64)) -> bool {
    (hard, soft) < best
}

// The worker's context is passed whole; grouping it would only move the list.
#[allow(clippy::too_many_arguments)]
fn worker(
    p: &Problem,
    t: &Tables,
    options: &Options,
    index: usize,
    seed: u64,
    start: Instant,
    shared: &Shared,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> (Roster, (i64, i64), Duration, u64) {
    let mut rng = Rng::new(seed);
    let stop = options.stop.as_deref();
    let stopped = || stop.is_some_and(|s| s.load(Ordering::Relaxed));
    let mut initial = construct(p, t, &mut rng, stop);
    let report =
        |hard: i64, soft: i64, steps: u64, elapsed: Duration, fraction: f64, cells: &[u16]| {
            let mut shared_best = shared.best.lock().expect("progress lock");
            if (hard, soft) < *shared_best {
                *shared_best = (hard, soft);
                on_progress(&Progress {
                    best_objective: soft as u64,
                    best_hard_units: hard as u64,
                    elapsed,
                    steps,
                    fraction: fraction.min(1.0),
                    cells,
                });
            }
        };
    // With column generation the first worker spends up to `dive_share` of the time budget
    // on the dive (`colgen`), and the meetings fall in the rest, so nobody waits for it.
    let dive_share = if options.column_generation && colgen::suits(p, t) {
        DIVE_SHARE
    } else {
        0.0
    };
    // When the start roster was found: the dive's time, not the annealing's start.
    let mut found_at = None;
    if index == 0 && dive_share > 0.0 {
        let limit = options.time_limit.filter(|_| options.step_limit.is_none());
        let improved = |(hard, soft): (i64, i64), at: Duration| {
            let fraction = limit.map_or(0.0, |l| at.as_secs_f64() / l.as_secs_f64().max(1e-9));
            report(hard, soft, 0, at, fraction, &[]);
        };
        if let Some((roster, at)) =
            column_search(p, t, options, start, dive_share, &mut rng, &improved)
        {
            let (a, b) = (evaluate(p, &roster), evaluate(p, &initial));
            if (a.hard_units(), a.objective) < (b.hard_units(), b.objective) {
                initial = roster;
                found_at = Some(at);
            }
        }
    }
    let mut state = State::new(p, t, &initial);
    if options.repair_rows {
        repair_rows(&mut state);
    }
    let mut best_cells = state.cells.clone();
    let mut best = (state.hard, state.soft);
    let mut time_to_best = found_at.unwrap_or_else(|| start.elapsed());
    let mut undo = Undo {
        cells: Vec::with_capacity(16),
        rows: [0, 0],
        row_scores: [(0, 0); 2],
        hard: 0,
        soft: 0,
    };
    let mut steps = 0u64;
    // Strategic oscillation: the weight of a hard unit rises while the roster breaks hard
    // rules and falls while it keeps them, so the search may cross infeasible ground.
    let mut weight = options.hard_weight as f64;
    let (t0, t1) = (options.start_temperature, options.end_temperature);
    let mut temperature = t0;
    let mut fraction = 0.0f64;
    report(state.hard, state.soft, 0, time_to_best, 0.0, &state.cells);
    let threads = options.threads.max(1);
    let meetings = if threads > 1 { options.meetings } else { 0 };
    // With a step budget a meeting every `meet_every` steps; with a time limit, when the
    // next share of the time is used (and one last when it is all used, where all stop).
    let meet_every = match options.step_limit {
        Some(limit) if meetings > 0 => (limit / meetings).div_ceil(256).max(1) * 256,
        _ => 0,
    };
    let mut met = 0u64;
    loop {
        if steps.is_multiple_of(256) {
            if stopped() {
                break;
            }
            fraction = match (options.step_limit, options.time_limit) {
                (Some(limit), _) => steps as f64 / limit.max(1) as f64,
                (None, Some(limit)) => {
                    start.elapsed().as_secs_f64() / limit.as_secs_f64().max(1e-9)
                }
                (None, None) => (steps as f64 / 1e7).min(0.999),
            };
            let spent = fraction >= 1.0;
            if meetings > 0 {
                let due = if meet_every > 0 {
                    steps > 0 && steps.is_multiple_of(meet_every)
                } else {
                    let next = dive_share + (1.0 - dive_share) * (met + 1) as f64 / meetings as f64;
                    spent || fraction >= next
                };
                if due {
                    met += 1;
                    let (all_spent, adopted) = meet(shared, index, best, &best_cells, spent);
                    if let Some(slot) = adopted {
                        let roster = Roster {
                            days: p.days,
                            cells: slot.cells,
                        };
                        state = State::new(p, t, &roster);
                        best = slot.best;
                        best_cells.clone_from(&state.cells);
                    }
                    if all_spent {
                        break;
                    }
                }
                // With a time limit, workers stop only together, at a meeting: one that
                // stopped alone would leave the others waiting at the next.
                if meet_every > 0 && spent {
                    break;
                }
            } else if spent {
                break;
            }
            temperature = t0 * (t1 / t0).powf(fraction);
            if state.hard > 0 {
                weight = (weight * 1.02).min(options.hard_weight as f64 * 1000.0);
            } else {
                weight = (weight * 0.99).max(options.hard_weight as f64 * 0.1);
            }
        }
        let (hard0, soft0) = (state.hard, state.soft);
        let kind = MoveKind::random(&mut rng, options.row_plan_every);
        random_move(
            &mut state,
            &mut rng,
            &mut undo,
            kind,
            weight,
            options.balanced_cross_swaps,
        );
        let delta = (state.hard - hard0) as f64 * weight + (state.soft - soft0) as f64;
        let accept = delta <= 0.0 || rng.chance((-delta / temperature).exp());
        if accept {
            if better(state.hard, state.soft, best) {
                best = (state.hard, state.soft);
                best_cells.clone_from(&state.cells);
                time_to_best = start.elapsed();
                report(
                    state.hard,
                    state.soft,
                    steps,
                    time_to_best,
                    fraction,
                    &state.cells,
                );
            }
        } else {
            undo_move(&mut state, &undo);
        }
        #[cfg(feature = "debug-checks")]
        state.check();
        steps += 1;
    }
    // Leave the meetings with this worker's best marked done, so a worker still searching
    // stops at its next meeting and none waits for this one (which matters only when
    // stopped: otherwise every meeting is already over).
    {
        let mut slots = shared.slots.lock().expect("meeting lock");
        let slot = &mut slots[index];
        slot.best = best;
        slot.cells.clone_from(&best_cells);
        slot.done = true;
    }
    shared.barrier.leave();
    (
        Roster {
            days: p.days,
            cells: best_cells,
        },
        best,
        time_to_best,
        steps,
    )
}

/// The first worker's column generation (see `Options::column_generation`): a dive, then,
/// under a time limit and until `dive_share` of it is used, re-dives over 6–15 people drawn
/// at random with everyone else held to the best roster so far, keeping each that is better.
/// Each better roster is passed to `improved` with its time; the best is returned with it.
fn column_search(
    p: &Problem,
    t: &Tables,
    options: &Options,
    start: Instant,
    dive_share: f64,
    rng: &mut Rng,
    improved: &dyn Fn((i64, i64), Duration),
) -> Option<(Roster, Duration)> {
    // A step budget is bounded by steps, not the clock, even when a time limit is set too.
    let deadline = match (options.step_limit, options.time_limit) {
        (None, Some(limit)) => Some(start + limit.mul_f64(dive_share)),
        _ => None,
    };
    let stop = options.stop.as_deref();
    let over = || {
        stop.is_some_and(|s| s.load(Ordering::Relaxed))
            || deadline.is_some_and(|d| Instant::now() >= d)
    };
    let max_solves = if deadline.is_some() {
        usize::MAX
    } else {
        DIVE_SOLVES
    };
    let mut search = colgen::ColumnSearch::new(p, t, max_solves)?;
    let mut best = search.dive(&over)?;
    let score = |r: &Roster| {
        let e = evaluate(p, r);
        (e.hard_units() as i64, e.objective as i64)
    };
    let mut best_score = score(&best);
    let mut best_at = start.elapsed();
    improved(best_score, best_at);
    let staff = p.staff.len();
    while deadline.is_some() && !over() {
        let size = (6 + rng.below(10)).min(staff);
        let mut free: Vec<usize> = Vec::with_capacity(size);
        while free.len() < size {
            let e = rng.below(staff);
            if !free.contains(&e) {
                free.push(e);
            }
        }
        if let Some(roster) = search.redive(&best, &free, &over) {
            let s = score(&roster);
            if s < best_score {
                (best, best_score, best_at) = (roster, s, start.elapsed());
                improved(best_score, best_at);
            }
        }
    }
    Some((best, best_at))
}

/// A meeting of the workers: each leaves its best, then takes the best of all (ties to the
/// lowest worker) when it beats its own. Returns whether any worker's budget is spent (then
/// all stop), and the roster to carry on from, if any.
fn meet(
    shared: &Shared,
    index: usize,
    best: (i64, i64),
    best_cells: &[u16],
    done: bool,
) -> (bool, Option<Slot>) {
    {
        let mut slots = shared.slots.lock().expect("meeting lock");
        let slot = &mut slots[index];
        slot.best = best;
        slot.cells.clear();
        slot.cells.extend_from_slice(best_cells);
        slot.done = done;
    }
    shared.barrier.wait();
    let result = {
        let slots = shared.slots.lock().expect("meeting lock");
        let all_done = slots.iter().any(|s| s.done);
        let (winner, slot) = slots
            .iter()
            .enumerate()
            .min_by_key(|(i, s)| (s.best, *i))
            .expect("at least one worker");
        let adopted =
            (winner != index && better(slot.best.0, slot.best.1, best)).then(|| slot.clone());
        (all_done, adopted)
    };
    // Nobody writes the slots again before everyone has read them.
    shared.barrier.wait();
    result
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
    let shared = Shared {
        best: Mutex::new((i64::MAX, i64::MAX)),
        barrier: Gate::new(threads),
        slots: Mutex::new(vec![Slot::default(); threads]),
    };
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

/// One roster and its incremental score, to measure and test the moves alone: each `try_move`
/// makes a random move of a kind, scores it incrementally and undoes it.
pub struct MoveProbe<'p> {
    state: State<'p>,
    rng: Rng,
    undo: Undo,
    balanced: bool,
}

impl<'p> MoveProbe<'p> {
    /// Starts from the greedy construction for `seed`.
    pub fn new(problem: &'p Problem, tables: &'p Tables, seed: u64) -> MoveProbe<'p> {
        let mut rng = Rng::new(seed);
        let roster = construct(problem, tables, &mut rng, None);
        MoveProbe {
            state: State::new(problem, tables, &roster),
            rng,
            undo: Undo {
                cells: Vec::new(),
                rows: [0, 0],
                row_scores: [(0, 0); 2],
                hard: 0,
                soft: 0,
            },
            balanced: false,
        }
    }

    /// Draws cross swaps as `Options::balanced_cross_swaps` does.
    pub fn balanced(mut self, on: bool) -> MoveProbe<'p> {
        self.balanced = on;
        self
    }

    /// Makes, scores and undoes one move; returns the score change it would have made.
    pub fn try_move(&mut self, kind: MoveKind) -> i64 {
        let before = self.state.total();
        self.make(kind);
        let delta = self.state.total() - before;
        undo_move(&mut self.state, &self.undo);
        delta
    }

    /// Makes one move and keeps it; returns (incremental hard units, soft penalty) after it.
    pub fn apply_move(&mut self, kind: MoveKind) -> (i64, i64) {
        self.make(kind);
        (self.state.hard, self.state.soft)
    }

    /// One random move of a kind, at a fixed hard weight, recorded for `undo_move`.
    fn make(&mut self, kind: MoveKind) {
        let (state, rng, undo) = (&mut self.state, &mut self.rng, &mut self.undo);
        random_move(state, rng, undo, kind, 1000.0, self.balanced);
    }

    /// Undoes the last `apply_move`.
    pub fn undo_last(&mut self) -> (i64, i64) {
        undo_move(&mut self.state, &self.undo);
        (self.state.hard, self.state.soft)
    }

    pub fn roster(&self) -> Roster {
        self.state.roster()
    }
}
