//! The exact evaluator: scores any roster from scratch, independently of the search, and
//! lists every hard violation with the person and day it concerns.
//!
//! Hard violations are counted in units (one per forbidden succession, one per extra shift,
//! one per hour over or under the minutes limits, one per day a run is too long or short…);
//! the search weighs each unit by `HARD_WEIGHT`, and `Options::check_every_move` compares the two.
use crate::model::{Problem, Roster};
use std::fmt;

/// The hard rules, H1–H9 of the benchmark and the product's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HardRule {
    /// H2: a shift followed the next day by a shift it forbids.
    ShiftRotation,
    /// H3: more shifts of one type than allowed.
    MaxShiftsOfType,
    /// H4: total minutes above the maximum.
    MaxMinutes,
    /// H4: total minutes below the minimum.
    MinMinutes,
    /// H5: a run of working days longer than allowed.
    MaxConsecutive,
    /// H6: a run of working days, inside the horizon, shorter than required.
    MinConsecutive,
    /// H7: a run of days off, inside the horizon, shorter than required.
    MinDaysOff,
    /// H8: more working weekends than allowed.
    MaxWeekends,
    /// H9: work on a fixed day off.
    DayOff,
    /// A locked cell changed.
    Locked,
    /// A shift needing a skill the person lacks.
    Skill,
    /// Less rest between two days than the minimum.
    Rest,
    /// More people than rooms in a room pool.
    Rooms,
    /// A shift type worked on a day it is closed.
    Closed,
    /// A required (fixed) session not worked: the person is off or on another shift type.
    Required,
    /// A shift type worked on a day it is barred to the person (`Problem::unavailable`).
    Unavailable,
    /// More shifts of a set of types within a run of days than allowed
    /// (`Problem::window_limits`).
    WindowLimit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardViolation {
    pub rule: HardRule,
    pub staff: Option<usize>,
    pub day: Option<usize>,
    /// How many units this violation counts.
    pub amount: u64,
    pub detail: String,
}

impl fmt::Display for HardViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.rule)?;
        if let Some(s) = self.staff {
            write!(f, " staff #{s}")?;
        }
        if let Some(d) = self.day {
            write!(f, " day {d}")?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// The soft objective by constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Breakdown {
    pub on_requests: u64,
    pub off_requests: u64,
    pub cover_under: u64,
    pub cover_over: u64,
    /// Shifts more or fewer than a person's fair share, by their weights (`FairShare`).
    pub fairness: u64,
}

impl Breakdown {
    pub fn total(&self) -> u64 {
        self.on_requests + self.off_requests + self.cover_under + self.cover_over + self.fairness
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The benchmark's objective: the soft penalty.
    pub objective: u64,
    pub breakdown: Breakdown,
    pub hard: Vec<HardViolation>,
}

impl Evaluation {
    /// Sum of the units of every hard violation.
    pub fn hard_units(&self) -> u64 {
        self.hard.iter().map(|v| v.amount).sum()
    }

    pub fn is_feasible(&self) -> bool {
        self.hard.is_empty()
    }
}

/// Scores `roster` against `problem`.
pub fn evaluate(problem: &Problem, roster: &Roster) -> Evaluation {
    let days = problem.days;
    let mut hard = Vec::new();
    let mut push = |rule, staff: Option<usize>, day: Option<usize>, amount: u64, detail: String| {
        if amount > 0 {
            hard.push(HardViolation {
                rule,
                staff,
                day,
                amount,
                detail,
            });
        }
    };
    for (e, person) in problem.staff.iter().enumerate() {
        let work = |d: usize| roster.get(e, d).is_some();
        // H2 and rest between consecutive days.
        for d in 0..days.saturating_sub(1) {
            if let (Some(a), Some(b)) = (roster.get(e, d), roster.get(e, d + 1)) {
                if problem.shifts[a].forbidden_next.contains(&b) {
                    push(
                        HardRule::ShiftRotation,
                        Some(e),
                        Some(d),
                        1,
                        format!("{} then {}", problem.shifts[a].id, problem.shifts[b].id),
                    );
                }
                if person.min_rest_minutes > 0 {
                    let end = problem.shifts[a].start_minute + problem.shifts[a].minutes;
                    let next_start = 24 * 60 + problem.shifts[b].start_minute;
                    let rest = next_start.saturating_sub(end);
                    if rest < person.min_rest_minutes {
                        push(
                            HardRule::Rest,
                            Some(e),
                            Some(d),
                            1,
                            format!(
                                "{rest} minutes of rest, at least {} needed",
                                person.min_rest_minutes
                            ),
                        );
                    }
                }
            }
        }
        // H3 and H4.
        let mut per_type = vec![0u32; problem.shifts.len()];
        let mut minutes = 0u64;
        for d in 0..days {
            if let Some(s) = roster.get(e, d) {
                per_type[s] += 1;
                minutes += u64::from(problem.shifts[s].minutes);
            }
        }
        for (s, &count) in per_type.iter().enumerate() {
            let max = person.max_shifts[s];
            if count > max {
                push(
                    HardRule::MaxShiftsOfType,
                    Some(e),
                    None,
                    u64::from(count - max),
                    format!("{count} shifts {}, at most {max}", problem.shifts[s].id),
                );
            }
        }
        if minutes > u64::from(person.max_minutes) {
            push(
                HardRule::MaxMinutes,
                Some(e),
                None,
                (minutes - u64::from(person.max_minutes)).div_ceil(60),
                format!("{minutes} minutes, at most {}", person.max_minutes),
            );
        }
        if minutes < u64::from(person.min_minutes) {
            push(
                HardRule::MinMinutes,
                Some(e),
                None,
                (u64::from(person.min_minutes) - minutes).div_ceil(60),
                format!("{minutes} minutes, at least {}", person.min_minutes),
            );
        }
        // H5–H7 on maximal runs.
        let mut d = 0;
        while d < days {
            let working = work(d);
            let start = d;
            while d < days && work(d) == working {
                d += 1;
            }
            let len = (d - start) as u32;
            let interior = start > 0 && d < days;
            if working {
                if len > person.max_consecutive {
                    push(
                        HardRule::MaxConsecutive,
                        Some(e),
                        Some(start),
                        u64::from(len - person.max_consecutive),
                        format!("{len} days in a row, at most {}", person.max_consecutive),
                    );
                }
                if interior && len < person.min_consecutive {
                    push(
                        HardRule::MinConsecutive,
                        Some(e),
                        Some(start),
                        u64::from(person.min_consecutive - len),
                        format!("{len} days in a row, at least {}", person.min_consecutive),
                    );
                }
            } else if interior && len < person.min_days_off {
                push(
                    HardRule::MinDaysOff,
                    Some(e),
                    Some(start),
                    u64::from(person.min_days_off - len),
                    format!("{len} days off in a row, at least {}", person.min_days_off),
                );
            }
        }
        // H8.
        let weekends = (0..problem.weekends())
            .filter(|k| (7 * k + 5..7 * k + 7).any(|d| d < days && work(d)))
            .count() as u32;
        if weekends > person.max_weekends {
            push(
                HardRule::MaxWeekends,
                Some(e),
                None,
                u64::from(weekends - person.max_weekends),
                format!(
                    "{weekends} working weekends, at most {}",
                    person.max_weekends
                ),
            );
        }
        // H9 and skills.
        for d in 0..days {
            if let Some(s) = roster.get(e, d) {
                if person.days_off[d] {
                    push(
                        HardRule::DayOff,
                        Some(e),
                        Some(d),
                        1,
                        "works on a fixed day off".into(),
                    );
                }
                if problem.shifts[s].closed_days.contains(&d) {
                    push(
                        HardRule::Closed,
                        Some(e),
                        Some(d),
                        1,
                        format!("{} is closed that day", problem.shifts[s].id),
                    );
                }
                for u in problem
                    .unavailable
                    .iter()
                    .filter(|u| u.staff == e && u.day == d)
                {
                    if u.shifts.contains(&s) {
                        push(
                            HardRule::Unavailable,
                            Some(e),
                            Some(d),
                            1,
                            format!("{} is barred to them that day", problem.shifts[s].id),
                        );
                    }
                }
                if let Some(skill) = problem.shifts[s].skill
                    && person.skills & (1 << skill) == 0
                {
                    push(
                        HardRule::Skill,
                        Some(e),
                        Some(d),
                        1,
                        format!("{} needs skill {skill}", problem.shifts[s].id),
                    );
                }
            }
        }
    }
    for lock in &problem.locks {
        if roster.get(lock.staff, lock.day) != lock.shift {
            push(
                HardRule::Locked,
                Some(lock.staff),
                Some(lock.day),
                1,
                "a locked cell was changed".into(),
            );
        }
    }
    for r in &problem.required {
        let worked = roster.get(r.staff, r.day);
        if !worked.is_some_and(|s| r.shifts.contains(&s)) {
            let ids: Vec<&str> = r
                .shifts
                .iter()
                .map(|&s| problem.shifts[s].id.as_str())
                .collect();
            push(
                HardRule::Required,
                Some(r.staff),
                Some(r.day),
                1,
                format!(
                    "{}, a required session needs one of {}",
                    worked.map_or("off".to_string(), |s| format!(
                        "works {}",
                        problem.shifts[s].id
                    )),
                    ids.join(", ")
                ),
            );
        }
    }
    for pool in &problem.rooms {
        for d in 0..days {
            let used = (0..problem.staff.len())
                .filter(|&e| {
                    roster.get(e, d).is_some_and(|s| pool.shifts.contains(&s))
                        && pool
                            .skill
                            .is_none_or(|k| problem.staff[e].skills & (1 << k) != 0)
                })
                .count() as u32;
            let capacity = pool.capacity_on(d);
            if used > capacity {
                push(
                    HardRule::Rooms,
                    None,
                    Some(d),
                    u64::from(used - capacity),
                    format!("{used} people for {capacity} rooms"),
                );
            }
        }
    }
    for w in &problem.window_limits {
        let n = (w.from..w.to.min(days))
            .filter(|&d| {
                roster
                    .get(w.staff, d)
                    .is_some_and(|s| w.shifts.contains(&s))
            })
            .count() as u32;
        if n > w.most {
            push(
                HardRule::WindowLimit,
                Some(w.staff),
                Some(w.from),
                u64::from(n - w.most),
                format!(
                    "{n} shifts of the limited types on days {}–{}, at most {}",
                    w.from,
                    w.to - 1,
                    w.most
                ),
            );
        }
    }

    let mut breakdown = Breakdown::default();
    for r in &problem.on_requests {
        if roster.get(r.staff, r.day) != Some(r.shift) {
            breakdown.on_requests += u64::from(r.weight);
        }
    }
    for r in &problem.work_requests {
        if !roster
            .get(r.staff, r.day)
            .is_some_and(|s| r.shifts.contains(&s))
        {
            breakdown.on_requests += u64::from(r.weight);
        }
    }
    for r in &problem.off_requests {
        if roster.get(r.staff, r.day) == Some(r.shift) {
            breakdown.off_requests += u64::from(r.weight);
        }
    }
    for c in &problem.cover {
        let n = (0..problem.staff.len())
            .filter(|&e| {
                roster.get(e, c.day).is_some_and(|s| c.shifts.contains(&s))
                    && c.skill
                        .is_none_or(|k| problem.staff[e].skills & (1 << k) != 0)
            })
            .count() as u64;
        let req = u64::from(c.requirement);
        breakdown.cover_under += u64::from(c.weight_under) * req.saturating_sub(n);
        breakdown.cover_over += u64::from(c.weight_over) * n.saturating_sub(req);
    }
    for f in &problem.fair_shares {
        let n = (0..days)
            .filter(|&d| {
                roster
                    .get(f.staff, d)
                    .is_some_and(|s| f.shifts.contains(&s))
            })
            .count() as u64;
        breakdown.fairness += u64::from(f.weight) * n.abs_diff(u64::from(f.target));
    }
    Evaluation {
        objective: breakdown.total(),
        breakdown,
        hard,
    }
}
