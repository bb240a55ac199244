//! Re-planning one person's whole row by dynamic programming, everyone else fixed: the
//! large-neighbourhood move that lets the search change a run pattern in one step.
//!
//! The DP state carries what the row's rules need — the last day's value, the length of the
//! current run and whether it began on day 0, the working weekends so far and the minutes so
//! far (in units of the shifts' common divisor) — and prices each day by the cover it adds or
//! removes, the requests, and the hard rules weighted by the search's current hard weight.
//! The last day's value is kept only as its class: shift types that no type may follow
//! alike (the same forbidden successions and rest) share one, so the state stays small with
//! many types (the benchmark's 10 types are 4 classes), and each state remembers the value
//! it was reached by for the way back.
//! Limits on shifts of each type and fair shares are not in the state: the search prices an
//! over-used type, or a share's shifts, and plans again (`search::replan`), and the exact
//! row score judges the result. Column generation counts one type's limit exactly, as one
//! more dimension of the state (`plan_within`).
use crate::model::{OFF, Problem};

/// What the DP needs per day and value, prepared by the search.
pub struct RowCosts {
    /// `cost[d * values + v]`: value `v` (shift index, or `values - 1` for a day off) on day `d`.
    pub cost: Vec<f64>,
    pub values: usize,
}

/// The largest state space (per day) the DP is run on; bigger rows are left to the other moves.
pub const MAX_STATES: usize = 250_000;

/// The most entries (states × days) of the DP's table of parents, which each thread keeps
/// between runs: 168 MB of `u32`, the most a row of up to twelve weeks needs (twice
/// `MAX_STATES` over 84 days). A longer row whose states fit `MAX_STATES` but whose table would
/// not is planned a window at a time: two threads with a year-long row of 500,000 states would
/// otherwise hold 1.5 GB.
pub const MAX_PARENT_CELLS: usize = 2 * MAX_STATES * 84;

/// Whether working shift `b` the day after shift `a` breaks a rule for person `m`.
fn breaks(p: &Problem, m: &crate::model::StaffMember, a: usize, b: usize) -> bool {
    let (x, y) = (&p.shifts[a], &p.shifts[b]);
    x.forbidden_next.contains(&b)
        || (m.min_rest_minutes > 0
            && (24 * 60 + y.start_minute).saturating_sub(x.start_minute + x.minutes)
                < m.min_rest_minutes)
}

/// The classes of the last day's value for person `e`: shift types that every type may
/// follow alike share one; the day off is the last class.
struct LastClasses {
    /// Per value (shifts, then the day off): its class.
    of: Vec<usize>,
    /// Classes, the day off's included.
    count: usize,
    /// `bad[class * values + v]`: working `v` the day after the class breaks a rule.
    bad: Vec<bool>,
}

fn last_classes(p: &Problem, e: usize) -> LastClasses {
    let m = &p.staff[e];
    let shifts = p.shifts.len();
    let values = shifts + 1;
    let mut keys: Vec<Vec<bool>> = Vec::new();
    let mut of = vec![0usize; values];
    for (a, class) in of.iter_mut().enumerate().take(shifts) {
        let key: Vec<bool> = (0..shifts).map(|b| breaks(p, m, a, b)).collect();
        *class = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            keys.push(key);
            keys.len() - 1
        });
    }
    of[shifts] = keys.len();
    let mut bad = vec![false; (keys.len() + 1) * values];
    for (class, key) in keys.iter().enumerate() {
        bad[class * values..class * values + shifts].copy_from_slice(key);
    }
    LastClasses {
        of,
        count: keys.len() + 1,
        bad,
    }
}

/// Sizes of the state space for a person (runs, weekends, minutes, classes of the last
/// value), or `None` when it is too large.
pub fn state_space(p: &Problem, e: usize, unit: u32) -> Option<(usize, usize, usize, usize)> {
    sizes(p, e, unit, last_classes(p, e).count)
}

fn sizes(p: &Problem, e: usize, unit: u32, lasts: usize) -> Option<(usize, usize, usize, usize)> {
    let m = &p.staff[e];
    let runs = run_states(m);
    let weekends = (m.max_weekends as usize + 2).min(p.weekends() + 1);
    let minutes = (m.max_minutes / unit) as usize + 2;
    let states = lasts * runs * 2 * weekends * minutes;
    (states <= MAX_STATES && states * p.days <= MAX_PARENT_CELLS)
        .then_some((runs, weekends, minutes, lasts))
}

/// The run after a day that works (`works`) or not, when the run so far (`run` days, begun on
/// day 0 when `s0` is 1) worked (`prev_works`) or not: its length (capped at `runs - 1`),
/// whether it began on day 0, and the hard units the step breaks (a run over the most
/// consecutive shifts, or a run ended short of its minimum; the first run is exempt).
fn next_run(
    m: &crate::model::StaffMember,
    runs: usize,
    prev_works: bool,
    works: bool,
    run: usize,
    s0: usize,
) -> (usize, usize, usize) {
    if works == prev_works {
        let over = works && run + 1 > m.max_consecutive as usize;
        return ((run + 1).min(runs - 1), s0, usize::from(over));
    }
    let min = if prev_works {
        m.min_consecutive
    } else {
        m.min_days_off
    } as usize;
    let short = if s0 == 0 { min.saturating_sub(run) } else { 0 };
    (1, 0, short)
}

/// The best row for person `e` under `costs` and hard weight `weight`, as cells.
pub fn plan(p: &Problem, e: usize, costs: &RowCosts, weight: f64, unit: u32) -> Option<Vec<u16>> {
    plan_within(p, e, costs, weight, unit, None)
}

/// As `plan`, and with `limit = Some((k, most))` the row works shift type `k` at most `most`
/// times: the count is one more dimension of the state, so the limit holds exactly (at
/// `most + 1` times the work). `None` when the state space is too large.
pub fn plan_within(
    p: &Problem,
    e: usize,
    costs: &RowCosts,
    weight: f64,
    unit: u32,
    limit: Option<(usize, u32)>,
) -> Option<Vec<u16>> {
    plan_span(p, e, costs, weight, unit, limit, None)
}

/// Days `start..end` of person `e`'s row to plan, the other days held at `held`'s values:
/// the DP runs over the window alone, entering it in the state the held days before it leave
/// and charging each way out by what the held days after it then break, so a row too long
/// for the whole-row DP (a year of shifts) can still be re-planned a few weeks at a time.
#[derive(Clone, Copy)]
pub struct Window<'a> {
    pub start: usize,
    pub end: usize,
    /// The whole row; only the days outside `start..end` are read.
    pub held: &'a [u16],
}

/// As `plan_within` over the days of `window` alone, the rest of the row held: the same row
/// as the whole-row DP would plan with every held day's other values barred. `None` when the
/// state space is too large, or when the held days alone already work the limited type more
/// than `limit` allows.
pub fn plan_window(
    p: &Problem,
    e: usize,
    costs: &RowCosts,
    weight: f64,
    unit: u32,
    limit: Option<(usize, u32)>,
    window: Window,
) -> Option<Vec<u16>> {
    plan_span(p, e, costs, weight, unit, limit, Some(window))
}

/// Whether a window of `len` days of person `e`'s row fits the DP's state space wherever it
/// lies (`plan_window` without a limit).
pub fn window_fits(p: &Problem, e: usize, unit: u32, len: usize) -> bool {
    let m = &p.staff[e];
    let most_units = p.shifts.iter().map(|s| (s.minutes / unit) as usize).max();
    let minutes = ((m.max_minutes / unit) as usize + 2).min(len * most_units.unwrap_or(0) + 1);
    let weekends = (m.max_weekends as usize + 2).min(len / 7 + 2);
    last_classes(p, e).count * run_states(m) * 2 * weekends * minutes <= MAX_STATES
}

/// The lengths a run's state counts up to (see `next_run`).
fn run_states(m: &crate::model::StaffMember) -> usize {
    (m.max_consecutive + 1)
        .max(m.min_consecutive)
        .max(m.min_days_off) as usize
        + 1
}

/// Where the held days before a window leave the row: the last value's class, the run and
/// whether it began on day 0, and the weekends, minutes (in units) and shifts of the limited
/// type worked so far.
struct Entry {
    last: usize,
    run: usize,
    s0: usize,
    weekends: usize,
    units: usize,
    tally: usize,
}

/// Walks the held days `0..start` as the DP steps them.
fn entry(
    p: &Problem,
    e: usize,
    classes: &LastClasses,
    held: &[u16],
    start: usize,
    unit: u32,
    limited: usize,
) -> Entry {
    let m = &p.staff[e];
    let runs = run_states(m);
    let off = p.shifts.len();
    let value = |d: usize| {
        if held[d] == OFF {
            off
        } else {
            held[d] as usize
        }
    };
    let mut at = Entry {
        last: classes.of[value(0)],
        run: 1,
        s0: 1,
        weekends: 0,
        units: 0,
        tally: 0,
    };
    for d in 0..start {
        let v = value(d);
        let works = v != off;
        if works {
            at.units += (p.shifts[v].minutes / unit) as usize;
        }
        at.tally += usize::from(v == limited);
        if d == 0 {
            continue;
        }
        let prev_works = at.last != classes.count - 1;
        let (run, s0, _) = next_run(m, runs, prev_works, works, at.run, at.s0);
        if works && (d % 7 == 5 || (d % 7 == 6 && !prev_works)) {
            at.weekends += 1;
        }
        (at.last, at.run, at.s0) = (classes.of[v], run, s0);
    }
    at
}

/// What the held days `end..` add to a row that leaves its window in (last class, run,
/// began on day 0): per such state, `(hard units broken, working weekends)`.
fn exits(
    p: &Problem,
    e: usize,
    classes: &LastClasses,
    held: &[u16],
    end: usize,
) -> Vec<(usize, usize)> {
    let m = &p.staff[e];
    let runs = run_states(m);
    let values = p.shifts.len() + 1;
    let off = values - 1;
    let mut out = Vec::with_capacity(classes.count * runs * 2);
    for last0 in 0..classes.count {
        for run0 in 0..runs {
            for s00 in 0..2 {
                let (mut last, mut run, mut s0) = (last0, run0.max(1), s00);
                let (mut broken, mut weekends) = (0, 0);
                for (d, &cell) in held.iter().enumerate().skip(end) {
                    let v = if cell == OFF { off } else { cell as usize };
                    let (works, prev_works) = (v != off, last != classes.count - 1);
                    let (nrun, ns0, short) = next_run(m, runs, prev_works, works, run, s0);
                    broken += short;
                    broken += usize::from(works && prev_works && classes.bad[last * values + v]);
                    if works && (d % 7 == 5 || (d % 7 == 6 && !prev_works)) {
                        weekends += 1;
                    }
                    (last, run, s0) = (classes.of[v], nrun, ns0);
                }
                out.push((broken, weekends));
            }
        }
    }
    out
}

/// The DP of `plan_within` over the whole row, or over a window with the rest held.
// The loops index several tables (costs, lengths, states) by the same value.
#[allow(clippy::needless_range_loop)]
fn plan_span(
    p: &Problem,
    e: usize,
    costs: &RowCosts,
    weight: f64,
    unit: u32,
    limit: Option<(usize, u32)>,
    window: Option<Window>,
) -> Option<Vec<u16>> {
    let classes = last_classes(p, e);
    let m = &p.staff[e];
    let days = p.days;
    let values = p.shifts.len() + 1;
    let off = values - 1;
    let off_class = classes.count - 1;
    let lasts = classes.count;
    let runs = run_states(m);
    let limited = limit.map_or(usize::MAX, |(k, _)| k);
    let shift_units: Vec<usize> = p
        .shifts
        .iter()
        .map(|s| (s.minutes / unit) as usize)
        .collect();
    let (start, end) = window.map_or((0, days), |w| (w.start, w.end));
    if start >= end || end > days {
        return None;
    }
    // The held days before the window, and the minutes and limited shifts of those after.
    let (before, exit) = match window {
        Some(w) if start > 0 => (
            Some(entry(p, e, &classes, w.held, start, unit, limited)),
            Some(exits(p, e, &classes, w.held, end)),
        ),
        Some(w) => (None, Some(exits(p, e, &classes, w.held, end))),
        None => (None, None),
    };
    let (mut outside_units, mut outside_tally) =
        before.as_ref().map_or((0, 0), |b| (b.units, b.tally));
    let held_weekends = before.as_ref().map_or(0, |b| b.weekends);
    if let Some(w) = window {
        for &cell in &w.held[end..] {
            if cell != OFF {
                outside_units += shift_units[cell as usize];
                outside_tally += usize::from(cell as usize == limited);
            }
        }
    }
    // The minutes are counted from the window's start, up to where the row's total reaches
    // one unit over its most (`cap`), as the whole-row DP caps them.
    let cap = (m.max_minutes / unit) as usize + 1;
    let most_step = shift_units.iter().copied().max().unwrap_or(0);
    let minutes = (cap + 1)
        .saturating_sub(outside_units)
        .max(1)
        .min((end - start) * most_step + 1);
    let weekend_days = (start..end)
        .filter(|d| d % 7 == 5 || (d % 7 == 6 && *d == start))
        .count();
    let weekends = (m.max_weekends as usize + 2)
        .saturating_sub(held_weekends)
        .max(1)
        .min(weekend_days + 1);
    let tallies = match limit {
        Some((_, most)) => (most as usize + 1)
            .checked_sub(outside_tally)
            .filter(|&t| t > 0)?,
        None => 1,
    };
    // The whole row is planned where `state_space` allows it; a window where it fits.
    if window.is_none() {
        sizes(p, e, unit, lasts)?;
    }
    let inner = lasts * runs * 2 * weekends * minutes;
    if inner > MAX_STATES || inner * tallies > MAX_STATES * 2 {
        return None;
    }
    let states = inner * tallies;
    if states * values > u32::MAX as usize || states * (end - start) > MAX_PARENT_CELLS {
        return None;
    }
    let index = |last: usize, run: usize, s0: usize, wk: usize, mi: usize| {
        (((last * runs + run) * 2 + s0) * weekends + wk) * minutes + mi
    };
    // The minutes past the cap are charged as they are worked, at the weight per hour, so a
    // row already over its most pays for every further shift (the state stops counting).
    let top = minutes - 1;
    let over_price = weight * f64::from(unit) / 60.0;
    let mut dp = vec![f64::INFINITY; states];
    // Per day of the window and state: the state before it and the value taken,
    // `from * values + v`. Only the entries of states reached are read, each written first in
    // this run, so the table is kept between runs on the thread and never cleared.
    let mut parent = PARENTS.with_borrow_mut(std::mem::take);
    let span_days = end - start;
    if parent.len() < states * span_days {
        parent.resize(states * span_days, 0);
    }
    // A block is every state but the minutes: per block, the minutes counts it may have
    // reached, so the days skip the blocks not reached and clear only what they wrote.
    let blocks = states / minutes;
    let mut spans = vec![Span::EMPTY; blocks];
    let mut next_spans = vec![Span::EMPTY; blocks];
    if let Some(at) = &before {
        // The window's first day is stepped from where the held days leave the row.
        let i = index(at.last, at.run, at.s0, 0, 0);
        dp[i] = 0.0;
        spans[i / minutes].widen(0, 1);
    } else {
        // Day 0: the day before the horizon counts as off, and the first run is exempt from
        // minima.
        for v in 0..values {
            let mut c = costs.cost[v];
            let works = v != off;
            let reached = if works { shift_units[v] } else { 0 };
            if reached > top {
                c += over_price * (reached - top) as f64;
            }
            if !c.is_finite() {
                continue;
            }
            let mi = reached.min(top);
            // Day 0 is a Monday: no weekend yet.
            let tally = usize::from(v == limited);
            if tally >= tallies {
                continue;
            }
            let i = tally * inner + index(classes.of[v], 1, 1, 0, mi);
            if c < dp[i] {
                dp[i] = c;
                parent[i] = v as u32;
                spans[i / minutes].widen(mi, mi + 1);
            }
        }
    }
    let mut next = vec![f64::INFINITY; states];
    let first = if before.is_some() { start } else { start + 1 };
    for d in first..end {
        for (b, span) in next_spans.iter_mut().enumerate() {
            if span.lo < span.hi {
                next[b * minutes + span.lo..b * minutes + span.hi].fill(f64::INFINITY);
            }
            *span = Span::EMPTY;
        }
        let dow = d % 7;
        let row_parent = &mut parent[(d - start) * states..(d - start + 1) * states];
        let day = &costs.cost[d * values..(d + 1) * values];
        // The same moves, with the same cost, apply to each minutes count in a block, so the
        // innermost loop is over the counts reached.
        for tally in 0..tallies {
            for last in 0..lasts {
                let prev_works = last != off_class;
                let bad = &classes.bad[last * values..(last + 1) * values];
                for run in 1..runs {
                    for s0 in 0..2 {
                        for wk in 0..weekends {
                            let from = tally * inner + index(last, run, s0, wk, 0);
                            let Span { lo, hi } = spans[from / minutes];
                            if lo >= hi {
                                continue;
                            }
                            let block = &dp[from..from + minutes];
                            for v in 0..values {
                                let works = v != off;
                                let ntally = tally + usize::from(v == limited);
                                if ntally >= tallies {
                                    continue;
                                }
                                let mut cost = day[v];
                                let (nrun, ns0, broken) =
                                    next_run(m, runs, prev_works, works, run, s0);
                                if broken > 0 {
                                    cost += weight * broken as f64;
                                }
                                if works && prev_works && bad[v] {
                                    cost += weight;
                                }
                                let mut nwk = wk;
                                if works && (dow == 5 || (dow == 6 && !prev_works)) {
                                    if held_weekends + wk + 1 > m.max_weekends as usize {
                                        cost += weight;
                                    }
                                    nwk = (wk + 1).min(weekends - 1);
                                }
                                // An infinite weight makes a broken rule a move not taken.
                                if !cost.is_finite() {
                                    continue;
                                }
                                let step = if works { shift_units[v] } else { 0 };
                                let to = ntally * inner + index(classes.of[v], nrun, ns0, nwk, 0);
                                for mi in lo..hi {
                                    let mut x = block[mi] + cost;
                                    let reached = mi + step;
                                    if reached > top {
                                        x += over_price * (reached - top) as f64;
                                    }
                                    let nmi = to + reached.min(top);
                                    if x < next[nmi] {
                                        next[nmi] = x;
                                        row_parent[nmi] = ((from + mi) * values + v) as u32;
                                    }
                                }
                                next_spans[to / minutes]
                                    .widen((lo + step).min(top), (hi - 1 + step).min(top) + 1);
                            }
                        }
                    }
                }
            }
        }
        std::mem::swap(&mut spans, &mut next_spans);
        std::mem::swap(&mut dp, &mut next);
    }
    // The ways out: what the held days after the window break from each state, and the
    // minutes limits, priced per hour as the evaluator counts them.
    let mut best = (f64::INFINITY, usize::MAX);
    for (i, &c) in dp.iter().enumerate() {
        if !c.is_finite() {
            continue;
        }
        // The minutes are the innermost index, so the tally does not change them.
        let mi = i % minutes;
        let total = (outside_units + mi).min(cap) as u32 * unit;
        let mut cost = c;
        if let Some(exit) = &exit {
            let wk = (i / minutes) % weekends;
            let rest = (i % inner) / (minutes * weekends);
            let (broken, more) = exit[rest];
            let worked = held_weekends + wk;
            let max = m.max_weekends as usize;
            let over = (worked + more).saturating_sub(max) - worked.saturating_sub(max);
            if broken + over > 0 {
                cost += weight * (broken + over) as f64;
            }
        }
        if total < m.min_minutes {
            cost += weight * (m.min_minutes - total).div_ceil(60) as f64;
        }
        if total > m.max_minutes {
            cost += weight * (total - m.max_minutes).div_ceil(60) as f64;
        }
        if cost < best.0 {
            best = (cost, i);
        }
    }
    let found = (best.1 != usize::MAX).then(|| {
        let mut cells = window.map_or_else(|| vec![OFF; days], |w| w.held.to_vec());
        let mut state = best.1;
        for d in (start..end).rev() {
            let came = parent[(d - start) * states + state] as usize;
            let v = came % values;
            cells[d] = if v == off { OFF } else { v as u16 };
            state = came / values;
        }
        cells
    });
    if parent.len() <= KEEP_PARENTS {
        PARENTS.with_borrow_mut(|kept| *kept = parent);
    }
    found
}

thread_local! {
    /// `plan_within`'s table of parents, kept for the thread's next run.
    static PARENTS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The largest table of parents kept between runs (entries; 256 MB). Allocating it afresh for
/// each run cost a fifth to a third of the LP over everyone on the 84-day stand-ins (page
/// faults).
const KEEP_PARENTS: usize = 64 << 20;

/// The minutes counts a block of states may have reached, `lo..hi`.
#[derive(Clone, Copy)]
struct Span {
    lo: usize,
    hi: usize,
}

impl Span {
    const EMPTY: Span = Span {
        lo: usize::MAX,
        hi: 0,
    };

    fn widen(&mut self, lo: usize, hi: usize) {
        self.lo = self.lo.min(lo);
        self.hi = self.hi.max(hi);
    }
}

/// A row for person `e` with the minutes, weekends and per-type counts left out of the
/// state, so it scales to any horizon: the state is only the last day's value, the current
/// run's length and whether it began on day 0. The runs' limits, days off and forbidden
/// successions are priced at `weight` as in `plan`; a working weekend costs `weekend_price`,
/// and the caller prices minutes and types in `costs` (multipliers it moves until the row
/// keeps its limits, see `search::replan::plan_feasible`). Shift types that follow and are
/// followed by the same types alike share one value of the state (the cheapest of them each
/// day), so the state stays small with many types.
// The loops index several tables (costs, classes, states) by the same value.
#[allow(clippy::needless_range_loop)]
pub fn plan_relaxed(
    p: &Problem,
    e: usize,
    costs: &RowCosts,
    weight: f64,
    weekend_price: f64,
) -> Vec<u16> {
    let m = &p.staff[e];
    let (days, shifts) = (p.days, p.shifts.len());
    let breaks = |a: usize, b: usize| breaks(p, m, a, b);
    let mut keys: Vec<Vec<bool>> = Vec::new();
    let mut class_of = vec![0usize; shifts];
    for s in 0..shifts {
        let key: Vec<bool> = (0..shifts)
            .map(|b| breaks(s, b))
            .chain((0..shifts).map(|a| breaks(a, s)))
            .collect();
        class_of[s] = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
            keys.push(key);
            keys.len() - 1
        });
    }
    let classes = keys.len();
    let off = classes;
    let first_of: Vec<usize> = (0..classes)
        .map(|c| class_of.iter().position(|&k| k == c).expect("a member"))
        .collect();
    let bad: Vec<bool> = (0..classes * classes)
        .map(|i| breaks(first_of[i / classes], first_of[i % classes]))
        .collect();
    // Per day and class: the cheapest member and its cost; the day off last.
    let width = classes + 1;
    let mut pick = vec![(f64::INFINITY, OFF); days * width];
    for d in 0..days {
        for s in 0..shifts {
            let c = costs.cost[d * costs.values + s];
            let slot = &mut pick[d * width + class_of[s]];
            if c < slot.0 {
                *slot = (c, s as u16);
            }
        }
        pick[d * width + off] = (costs.cost[d * costs.values + costs.values - 1], OFF);
    }
    let runs = run_states(m);
    let states = width * runs * 2;
    let index = |last: usize, run: usize, s0: usize| (last * runs + run) * 2 + s0;
    let mut dp = vec![f64::INFINITY; states];
    let mut parent: Vec<u32> = vec![u32::MAX; states * days];
    for v in 0..width {
        let c = pick[v].0;
        if c.is_finite() {
            dp[index(v, 1, 1)] = c;
        }
    }
    let mut next = vec![f64::INFINITY; states];
    for d in 1..days {
        next.iter_mut().for_each(|x| *x = f64::INFINITY);
        let dow = d % 7;
        let row_parent = &mut parent[d * states..(d + 1) * states];
        for last in 0..width {
            let prev_works = last != off;
            for run in 1..runs {
                for s0 in 0..2 {
                    let from = index(last, run, s0);
                    let base = dp[from];
                    if !base.is_finite() {
                        continue;
                    }
                    for v in 0..width {
                        let cell = pick[d * width + v].0;
                        if !cell.is_finite() {
                            continue;
                        }
                        let works = v != off;
                        let mut cost = base + cell;
                        let (nrun, ns0, broken) = next_run(m, runs, prev_works, works, run, s0);
                        if broken > 0 {
                            cost += weight * broken as f64;
                        }
                        if works && prev_works && bad[last * classes + v] {
                            cost += weight;
                        }
                        if works && (dow == 5 || (dow == 6 && !prev_works)) {
                            cost += weekend_price;
                        }
                        let to = index(v, nrun, ns0);
                        if cost < next[to] {
                            next[to] = cost;
                            row_parent[to] = from as u32;
                        }
                    }
                }
            }
        }
        std::mem::swap(&mut dp, &mut next);
    }
    let mut state = (0..states)
        .min_by(|&a, &b| dp[a].total_cmp(&dp[b]))
        .expect("a state");
    let mut cells = vec![OFF; days];
    for d in (0..days).rev() {
        let last = state / (runs * 2);
        cells[d] = pick[d * width + last].1;
        if d > 0 {
            state = parent[d * states + state] as usize;
        }
    }
    cells
}
