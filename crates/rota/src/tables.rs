//! What the search and column generation share: the tables precomputed from a problem
//! (`Tables`: requests, cover rows and room pools per cell, the hard units each value breaks
//! at a fixed cell, the types open to a person), the score of one person's row (`row_cost`)
//! and the price of each value on each day of a row (`priced_row`), which the row DP takes.
use crate::model::{OFF, Problem};

/// What the search precomputes from the problem.
pub struct Tables {
    pub(crate) days: usize,
    pub(crate) shifts: usize,
    /// Per cell `e*days+d`: (shift, weight) of on and off requests.
    pub(crate) on: Vec<Vec<(u16, u32)>>,
    pub(crate) off: Vec<Vec<(u16, u32)>>,
    /// Per cell: the work requests made there (indices into `Problem::work_requests`).
    pub(crate) want: Vec<Vec<u32>>,
    /// Per `d*shifts+s`: where that cell's cover rows begin in `cover_list` (and end, at
    /// the next); read through `covers_at`.
    cover_from: Vec<u32>,
    /// The cover rows counting each cell, cell after cell (a row over several shift types
    /// is listed under each).
    cover_list: Vec<u32>,
    /// Per cover row: what the search reads of it on each change, packed (see `CoverTerm`).
    pub(crate) cover_terms: Vec<CoverTerm>,
    /// Per shift: the room pools using it.
    pub(crate) pools_of: Vec<Vec<u32>>,
    /// Per cell: the locked value, or `NO_LOCK`.
    pub(crate) lock: Vec<u32>,
    /// Per cell with a lock, a required session, a closed or barred shift type: its row in
    /// `fixed_units`, or `NO_FIXED`.
    pub(crate) fixed: Vec<u32>,
    /// Per such row and value (shift, or `shifts` for a day off): the hard units the value
    /// breaks there (a changed lock, each required session it does not meet, a shift type
    /// closed that day or barred to the person). Equal rows
    /// are shared.
    pub(crate) fixed_units: Vec<u32>,
    /// Per person: the shift types they may work at all.
    pub(crate) allowed: Vec<Vec<u16>>,
    /// Per person and shift type (`e*shifts+s`): whether `allowed` holds the type.
    pub(crate) allows: Vec<bool>,
    /// Per cell (`e*days+d`), only when some shift type is closed on some day or barred to
    /// someone (the product's sessions, never the benchmark's): the types the person may work
    /// that day — `allowed` less the types closed or barred to them then, and none on a day
    /// they must not work. The moves draw from
    /// it, so they do not waste time on values that break a hard rule whatever else changes.
    /// Empty otherwise, and `allowed` is used.
    pub(crate) open: Vec<Vec<u16>>,
    /// The common divisor of the shift lengths, the DP's unit of minutes.
    pub(crate) unit: u32,
    /// Per person: their fair shares (indices into `Problem::fair_shares`).
    pub(crate) fair_of: Vec<Vec<u32>>,
    /// Per fair share and shift type (`k*shifts+s`): whether the type counts for the share.
    pub(crate) fair_member: Vec<bool>,
    /// Per person: the indexes of their window limits.
    pub(crate) window_of: Vec<Vec<u32>>,
    /// Per window limit and type: whether the type counts (`windows × shifts`).
    pub(crate) window_member: Vec<bool>,
    /// Per cell: its row in `mark_units`, or `NO_MARK` where it has no request, work
    /// request, fixed value or day off (most cells; `cell_units` then reads nothing more).
    pub(crate) mark: Vec<u32>,
    /// Per such row and value (`value_index`): the (hard units, soft penalty) the value costs
    /// there by the cell's own terms, the skill aside (see `cell_terms`). Equal rows are
    /// shared, so the rows in use stay in cache: reading a cell's request lists took a
    /// tenth of the search's time on a year (2026-12-07).
    pub(crate) mark_units: Vec<(u32, u32)>,
    /// Per person: their class of rest (people with the same least rest share one).
    rest_class: Vec<u32>,
    /// Per class of rest and pair of values (`(class * values + prev) * values + next`, by
    /// `value_index`): the hard units of working `next` the day after `prev`
    /// (`succession_terms`), read four times a change.
    successions: Vec<u8>,
}

pub(crate) const NO_LOCK: u32 = u32::MAX;
pub(crate) const NO_FIXED: u32 = u32::MAX;
pub(crate) const NO_MARK: u32 = u32::MAX;

/// A cover row as each change reads it: its requirement, the weights of a person under and
/// over it, and the skill it counts (a mask; 0 for anyone). Packed, as the search reads
/// one or two on each change.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CoverTerm {
    pub(crate) requirement: u32,
    pub(crate) under: u32,
    pub(crate) over: u32,
    pub(crate) skills: u64,
}

impl CoverTerm {
    /// The penalty of `n` people on the row.
    pub(crate) fn penalty(&self, n: i64) -> i64 {
        let req = i64::from(self.requirement);
        i64::from(self.under) * (req - n).max(0) + i64::from(self.over) * (n - req).max(0)
    }

    /// Whether someone with skills `skills` counts on the row.
    pub(crate) fn counts(&self, skills: u64) -> bool {
        self.skills == 0 || skills & self.skills != 0
    }
}

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
        let mut cover_from = Vec::with_capacity(days * shifts + 1);
        cover_from.push(0);
        for at in &covers_at {
            cover_from.push(cover_from.last().copied().unwrap_or(0) + at.len() as u32);
        }
        let cover_list = covers_at.concat();
        let cover_terms = p
            .cover
            .iter()
            .map(|c| CoverTerm {
                requirement: c.requirement,
                under: c.weight_under,
                over: c.weight_over,
                skills: c.skill.map_or(0, |k| 1 << k),
            })
            .collect();
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
        let allowed: Vec<Vec<u16>> = (0..staff)
            .map(|e| {
                (0..shifts)
                    .filter(|&s| p.may_work(e, s))
                    .map(|s| s as u16)
                    .collect()
            })
            .collect();
        let mut allows = vec![false; staff * shifts];
        for (e, types) in allowed.iter().enumerate() {
            for &s in types {
                allows[e * shifts + s as usize] = true;
            }
        }
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
        let mut window_of = vec![Vec::new(); staff];
        let mut window_member = vec![false; p.window_limits.len() * shifts];
        for (k, w) in p.window_limits.iter().enumerate() {
            window_of[w.staff].push(k as u32);
            for &s in &w.shifts {
                window_member[k * shifts + s] = true;
            }
        }
        let mut t = Tables {
            days,
            shifts,
            mark: Vec::new(),
            mark_units: Vec::new(),
            rest_class: Vec::new(),
            successions: Vec::new(),
            on,
            want,
            off,
            cover_from,
            cover_list,
            cover_terms,
            pools_of,
            lock,
            fixed,
            fixed_units,
            allowed,
            allows,
            open,
            unit,
            fair_of,
            fair_member,
            window_of,
            window_member,
        };
        t.mark_cells(p);
        t.class_rests(p);
        t
    }

    /// Fills `rest_class` and `successions`.
    fn class_rests(&mut self, p: &Problem) {
        let values = self.shifts + 1;
        let mut rests: Vec<u32> = p.staff.iter().map(|m| m.min_rest_minutes).collect();
        rests.sort_unstable();
        rests.dedup();
        self.rest_class = p
            .staff
            .iter()
            .map(|m| rests.binary_search(&m.min_rest_minutes).unwrap_or(0) as u32)
            .collect();
        let value = |v: usize| if v == self.shifts { OFF } else { v as u16 };
        self.successions = rests
            .iter()
            .flat_map(|&rest| {
                (0..values * values).map(move |i| {
                    succession_terms(p, rest, value(i / values), value(i % values)) as u8
                })
            })
            .collect();
    }

    /// Fills `mark` and `mark_units` from the per-cell lists and the days off.
    fn mark_cells(&mut self, p: &Problem) {
        let (days, shifts) = (self.days, self.shifts);
        let mut rows: std::collections::BTreeMap<Vec<(u32, u32)>, u32> = Default::default();
        let mut mark = vec![NO_MARK; p.staff.len() * days];
        let mut mark_units = Vec::new();
        for (cell, at) in mark.iter_mut().enumerate() {
            let (e, d) = (cell / days, cell % days);
            if self.on[cell].is_empty()
                && self.off[cell].is_empty()
                && self.want[cell].is_empty()
                && self.fixed[cell] == NO_FIXED
                && !p.staff[e].days_off[d]
            {
                continue;
            }
            let units: Vec<(u32, u32)> = (0..=shifts)
                .map(|v| self.cell_terms(p, e, d, if v == shifts { OFF } else { v as u16 }))
                .collect();
            let next = rows.len() as u32;
            *at = *rows.entry(units).or_insert_with_key(|units| {
                mark_units.extend_from_slice(units);
                next
            });
        }
        self.mark = mark;
        self.mark_units = mark_units;
    }

    /// The (hard units, soft penalty) of value `cell` on day `d` of person `e`'s row by the
    /// cell's own terms, the skill aside: a day off worked, a fixed cell changed, requests
    /// unmet.
    fn cell_terms(&self, p: &Problem, e: usize, d: usize, cell: u16) -> (u32, u32) {
        let cell_index = e * self.days + d;
        let (mut hard, mut soft) = (0u32, 0u32);
        if cell != OFF && p.staff[e].days_off[d] {
            hard += 1;
        }
        let fixed = self.fixed[cell_index];
        if fixed != NO_FIXED {
            hard += self.fixed_units
                [fixed as usize * (self.shifts + 1) + value_index(cell, self.shifts)];
        }
        for &(s, w) in &self.on[cell_index] {
            if cell != s {
                soft += w;
            }
        }
        soft += self.unmet_wants(p, cell_index, cell);
        if cell != OFF {
            for &(os, w) in &self.off[cell_index] {
                if cell == os {
                    soft += w;
                }
            }
        }
        (hard, soft)
    }

    /// The cover rows that person working shift `s` on day `d` may count in.
    pub(crate) fn covers_at(&self, d: usize, s: usize) -> &[u32] {
        let at = d * self.shifts + s;
        &self.cover_list[self.cover_from[at] as usize..self.cover_from[at + 1] as usize]
    }

    /// The cover rows that type `s` on day `d` meets for someone with skills `skills`.
    pub(crate) fn counted_covers(
        &self,
        d: usize,
        s: usize,
        skills: u64,
    ) -> impl Iterator<Item = usize> + '_ {
        self.covers_at(d, s)
            .iter()
            .map(|&c| c as usize)
            .filter(move |&c| self.cover_terms[c].counts(skills))
    }

    /// Whether person `e` may be given value `v` on day `d` without breaking a hard rule
    /// whatever else changes: a type they may work at all (`allowed`), and open to them that
    /// day where there is a per-day list (`open`).
    pub(crate) fn may_take(&self, e: usize, d: usize, v: u16) -> bool {
        if v == OFF {
            true
        } else if self.open.is_empty() {
            self.allows[e * self.shifts + v as usize]
        } else {
            self.open[e * self.days + d].contains(&v)
        }
    }

    /// The weight of the work requests of a cell that its value does not meet.
    pub(crate) fn unmet_wants(&self, p: &Problem, cell: usize, value: u16) -> u32 {
        self.want[cell]
            .iter()
            .map(|&i| &p.work_requests[i as usize])
            .filter(|r| value == OFF || !r.shifts.contains(&(value as usize)))
            .map(|r| r.weight)
            .sum()
    }

    /// The shift types person `e` may work on day `d` (see `open`).
    pub(crate) fn allowed_on(&self, e: usize, d: usize) -> &[u16] {
        if self.open.is_empty() {
            &self.allowed[e]
        } else {
            &self.open[e * self.days + d]
        }
    }

    /// Shifts of fair share `k` in a row's counts per type.
    pub(crate) fn fair_count(&self, k: usize, per_type: &[u32]) -> i64 {
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
/// one pass so it is cheap enough to run often. Its terms are the helpers below, which
/// `search::totals` reads around one cell to re-score a row after a change.
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
    let mut hard = run_units(m, days, 0, days, |d| row[d] != OFF);
    let mut soft = 0i64;
    let (mut minutes, mut weekends) = (0i64, 0i64);
    let mut prev = OFF;
    for (d, &cell) in row.iter().enumerate() {
        let (h, s) = cell_units(p, t, e, d, cell);
        hard += h + succession_units(t, e, prev, cell);
        soft += s;
        if cell != OFF {
            per_type[cell as usize] += 1;
            minutes += i64::from(p.shifts[cell as usize].minutes);
        }
        weekends += weekend_day(d, prev, cell);
        prev = cell;
    }
    for (s, &count) in per_type.iter().enumerate() {
        hard += type_units(m, s, count);
    }
    hard += minute_units(m, minutes) + weekend_units(m, weekends);
    for &k in &t.window_of[e] {
        let k = k as usize;
        let w = &p.window_limits[k];
        let member = &t.window_member[k * t.shifts..(k + 1) * t.shifts];
        let n = row[w.from.min(days)..w.to.min(days)]
            .iter()
            .filter(|&&c| c != OFF && member[c as usize])
            .count() as i64;
        hard += window_units(w, n);
    }
    soft += fair_penalty(p, t, e, per_type);
    (hard, soft)
}

/// The hard units of the runs (of work, or of days off) that lie within days `from..to` of a
/// row whose days work as `works` says; `from` and `to` must be the edges of runs (or of the
/// horizon). A run of work over the most consecutive shifts breaks a unit a day over, and
/// a run short of its minimum (of work, or of days off) a unit a day short, unless it
/// touches the horizon's start or end.
pub(crate) fn run_units(
    m: &crate::model::StaffMember,
    days: usize,
    from: usize,
    to: usize,
    works: impl Fn(usize) -> bool,
) -> i64 {
    let mut hard = 0i64;
    let mut start = from;
    while start < to {
        let working = works(start);
        let mut end = start + 1;
        while end < to && works(end) == working {
            end += 1;
        }
        let len = (end - start) as i64;
        let interior = start > 0 && end < days;
        if working {
            hard += (len - i64::from(m.max_consecutive)).max(0);
            if interior {
                hard += (i64::from(m.min_consecutive) - len).max(0);
            }
        } else if interior {
            hard += (i64::from(m.min_days_off) - len).max(0);
        }
        start = end;
    }
    hard
}

/// The hard units and soft penalty of value `cell` on day `d` of person `e`'s row on its own:
/// a skill missing, and the cell's own terms (`Tables::cell_terms`: a day off worked, a fixed
/// cell changed, requests unmet).
pub(crate) fn cell_units(p: &Problem, t: &Tables, e: usize, d: usize, cell: u16) -> (i64, i64) {
    let mut hard = 0i64;
    if cell != OFF
        && let Some(k) = p.shifts[cell as usize].skill
        && p.staff[e].skills & (1 << k) == 0
    {
        hard += 1;
    }
    let mark = t.mark[e * t.days + d];
    if mark == NO_MARK {
        return (hard, 0);
    }
    let (h, s) = t.mark_units[mark as usize * (t.shifts + 1) + value_index(cell, t.shifts)];
    (hard + i64::from(h), i64::from(s))
}

/// The hard units of person `e` working `next` the day after `prev` (`succession_terms`).
pub(crate) fn succession_units(t: &Tables, e: usize, prev: u16, next: u16) -> i64 {
    let values = t.shifts + 1;
    let at = (t.rest_class[e] as usize * values + value_index(prev, t.shifts)) * values
        + value_index(next, t.shifts);
    i64::from(t.successions[at])
}

/// The hard units of working `next` the day after `prev` with at least `min_rest` minutes'
/// rest between shifts: a forbidden succession, too little rest.
fn succession_terms(p: &Problem, min_rest: u32, prev: u16, next: u16) -> i64 {
    if prev == OFF || next == OFF {
        return 0;
    }
    let (ps, shift) = (&p.shifts[prev as usize], &p.shifts[next as usize]);
    let mut hard = i64::from(ps.forbidden_next.contains(&(next as usize)));
    if min_rest > 0 {
        let rest = (24 * 60 + shift.start_minute).saturating_sub(ps.start_minute + ps.minutes);
        hard += i64::from(rest < min_rest);
    }
    hard
}

/// Whether day `d`, worked as `cell` after `prev`, starts a working weekend: a weekend counts
/// once, on Saturday, or on Sunday when Saturday was off.
pub(crate) fn weekend_day(d: usize, prev: u16, cell: u16) -> i64 {
    let dow = d % 7;
    i64::from(cell != OFF && (dow == 5 || (dow == 6 && prev == OFF)))
}

/// The hard units of working `count` shifts of type `s` (over its most).
pub(crate) fn type_units(m: &crate::model::StaffMember, s: usize, count: u32) -> i64 {
    let max = m.max_shifts[s];
    if max == crate::model::UNLIMITED {
        0
    } else {
        (i64::from(count) - i64::from(max)).max(0)
    }
}

/// The hard units of working `minutes` in all: an hour or part over the most or under the least.
pub(crate) fn minute_units(m: &crate::model::StaffMember, minutes: i64) -> i64 {
    let (max, min) = (i64::from(m.max_minutes), i64::from(m.min_minutes));
    ((minutes - max).max(0) + 59) / 60 + ((min - minutes).max(0) + 59) / 60
}

/// The hard units of working `weekends` weekends (over the most).
pub(crate) fn weekend_units(m: &crate::model::StaffMember, weekends: i64) -> i64 {
    (weekends - i64::from(m.max_weekends)).max(0)
}

/// The hard units of working `n` of a window limit's shifts (over its most).
pub(crate) fn window_units(w: &crate::model::WindowLimit, n: i64) -> i64 {
    (n - i64::from(w.most)).max(0)
}

/// The soft penalty of person `e`'s fair shares, given their shifts per type.
pub(crate) fn fair_penalty(p: &Problem, t: &Tables, e: usize, per_type: &[u32]) -> i64 {
    t.fair_of[e]
        .iter()
        .map(|&k| {
            let f = &p.fair_shares[k as usize];
            let n = t.fair_count(k as usize, per_type);
            i64::from(f.weight) * (n - i64::from(f.target)).abs()
        })
        .sum()
}

/// Whether person `e` takes a room of `pool` when working one of its shifts.
pub(crate) fn takes_room(p: &Problem, e: usize, pool: usize) -> bool {
    p.rooms[pool]
        .skill
        .is_none_or(|k| p.staff[e].skills & (1 << k) != 0)
}

/// The price of each value on each day of person `e`'s row: the row's own terms (requests,
/// days off, fixed cells, hard rules at `weight`) plus `shared(d, shift)`, what working that
/// shift on day `d` adds to the terms the row shares with others (cover, rooms).
pub(crate) fn priced_row(
    t: &Tables,
    e: usize,
    weight: f64,
    shared: impl Fn(usize, usize) -> f64,
) -> crate::rowplan::RowCosts {
    priced_days(t, e, 0..t.days, weight, shared)
}

/// As `priced_row`, for days `span` only (the costs' day 0 is `span.start`).
pub(crate) fn priced_days(
    t: &Tables,
    e: usize,
    span: std::ops::Range<usize>,
    weight: f64,
    shared: impl Fn(usize, usize) -> f64,
) -> crate::rowplan::RowCosts {
    let (days, shifts) = (t.days, t.shifts);
    let values = shifts + 1;
    let first = span.start;
    let mut cost = vec![0.0f64; span.len() * values];
    for d in span {
        let at = (d - first) * values;
        let mark = t.mark[e * days + d] as usize;
        for v in 0..values {
            let value = if v == shifts { OFF } else { v as u16 };
            if !t.may_take(e, d, value) {
                cost[at + v] = f64::INFINITY;
                continue;
            }
            let shared = if value == OFF { 0.0 } else { shared(d, v) };
            // The cell's own terms (`cell_terms`), hard units at `weight`.
            cost[at + v] = if mark == NO_MARK as usize {
                shared
            } else {
                let (hard, soft) = t.mark_units[mark * values + v];
                shared + weight * f64::from(hard) + f64::from(soft)
            };
        }
    }
    crate::rowplan::RowCosts { cost, values }
}
