//! A seeded generator of instances in the benchmark's shape, at any size (150 staff × 364 days
//! × 32 shift types and beyond), for scale tests and benchmarks. Each is known to be feasible:
//! it is built around a planted roster that breaks no hard rule (`planted`), and its limits
//! are that roster's figures with a little slack (a minutes window of 480–1,080 minutes, as
//! in instances 1–12), and per-type limits a shift or two above the count on every type a
//! person works (`Style::Tight`) or, as in the published instances, on one at most
//! (`Style::Published`).
use crate::model::{Cover, OFF, Problem, Request, Roster, ShiftType, StaffMember, UNLIMITED};
use crate::rng::Rng;

/// How a generated instance limits each person's shifts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Every type a person may work capped a shift or two above their planted count, and
    /// shifts of 8, 10 and 12 hours: harder than the published instances, where several
    /// caps bind at once.
    Tight,
    /// Near the published instances 1–12: a type a person may work is unlimited (capped at
    /// the horizon) but for, in two people of five, one type capped a shift or two above
    /// the count (the published cap a late or night type, for half to nearly all of their
    /// people); shifts of 8 hours, every fourth of 10.
    Published,
}

/// Builds an instance of `staff` people, `weeks` weeks and `shift_types` shift types.
pub fn generate(staff: usize, weeks: usize, shift_types: usize, seed: u64) -> Problem {
    planted(staff, weeks, shift_types, seed).0
}

/// As `generate`, with the planted roster that proves the instance feasible.
pub fn planted(staff: usize, weeks: usize, shift_types: usize, seed: u64) -> (Problem, Roster) {
    planted_in(Style::Tight, staff, weeks, shift_types, seed)
}

/// As `planted`, with the limits of `style`.
pub fn planted_in(
    style: Style,
    staff: usize,
    weeks: usize,
    shift_types: usize,
    seed: u64,
) -> (Problem, Roster) {
    let mut rng = Rng::new(seed);
    let days = weeks * 7;
    let shift_types = shift_types.max(1);
    let length = |i: usize| match style {
        Style::Tight => [480u32, 600, 720][i % 3],
        Style::Published if i % 4 == 3 => 600,
        Style::Published => 480,
    };
    let mut shifts: Vec<ShiftType> = (0..shift_types)
        .map(|i| ShiftType {
            id: format!("S{i}"),
            minutes: length(i),
            forbidden_next: Vec::new(),
            start_minute: 0,
            site: 0,
            skill: None,
            closed_days: Vec::new(),
        })
        .collect();
    // Late shifts forbid early ones the next day, as in the benchmark.
    for (i, shift) in shifts.iter_mut().enumerate() {
        if i % 3 == 2 {
            shift.forbidden_next = (0..shift_types).filter(|j| j % 3 == 0).collect();
        }
    }
    let mut roster = Roster::empty(staff, days);
    let mut people = Vec::with_capacity(staff);
    for e in 0..staff {
        // Two to four shift types a person may work.
        let kinds = (2 + rng.below(3)).min(shift_types);
        let mut allowed: Vec<usize> = Vec::with_capacity(kinds);
        while allowed.len() < kinds {
            let s = rng.below(shift_types);
            if !allowed.contains(&s) {
                allowed.push(s);
            }
        }
        let row = planted_row(&mut rng, days, &allowed);
        for (d, &cell) in row.iter().enumerate() {
            roster.set(e, d, (cell != OFF).then_some(cell as usize));
        }
        let mut person = limits_around(&mut rng, e, &row, &shifts, &allowed);
        if style == Style::Published {
            let capped = rng.chance(0.4).then(|| allowed[rng.below(allowed.len())]);
            for &s in &allowed {
                if Some(s) != capped {
                    person.max_shifts[s] = days as u32;
                }
            }
        }
        people.push(person);
    }
    let mut on_requests = Vec::new();
    let mut off_requests = Vec::new();
    for (e, person) in people.iter().enumerate() {
        // As in the published instances, people ask only for types they may work.
        let types: Vec<usize> = (0..shift_types)
            .filter(|&s| person.max_shifts[s] > 0)
            .collect();
        if types.is_empty() {
            continue;
        }
        for d in 0..days {
            if person.days_off[d] {
                continue;
            }
            if rng.chance(0.05) {
                on_requests.push(Request {
                    staff: e,
                    day: d,
                    shift: types[rng.below(types.len())],
                    weight: 1 + rng.below(3) as u32,
                });
            } else if rng.chance(0.05) {
                off_requests.push(Request {
                    staff: e,
                    day: d,
                    shift: types[rng.below(types.len())],
                    weight: 1 + rng.below(3) as u32,
                });
            }
        }
    }
    // The planted roster's count on each shift, give or take one, so cover costs something.
    let mut cover = Vec::with_capacity(days * shift_types);
    for d in 0..days {
        for s in 0..shift_types {
            let n = (0..staff).filter(|&e| roster.get(e, d) == Some(s)).count() as u32;
            let requirement = match rng.below(10) {
                0..3 => n + 1,
                3..5 => n.saturating_sub(1),
                _ => n,
            };
            cover.push(Cover {
                day: d,
                shifts: vec![s],
                requirement,
                weight_under: 100,
                weight_over: 1,
                skill: None,
            });
        }
    }
    let problem = Problem {
        days,
        shifts,
        staff: people,
        on_requests,
        off_requests,
        cover,
        rooms: Vec::new(),
        locks: Vec::new(),
        required: Vec::new(),
        unavailable: Vec::new(),
        fair_shares: Vec::new(),
        window_limits: Vec::new(),
        work_requests: Vec::new(),
    };
    (problem, roster)
}

/// Sets each cover row's requirement to the planted roster's count, so that roster costs only
/// its requests and its penalty bounds the optimum from above (the generated cover, the
/// count give or take one, gives no such bound).
pub fn exact_cover(problem: &mut Problem, planted: &Roster) {
    for c in &mut problem.cover {
        c.requirement = (0..problem.staff.len())
            .filter(|&e| planted.get(e, c.day).is_some_and(|s| c.shifts.contains(&s)))
            .count() as u32;
    }
}

/// A row of runs of 2–5 working days (one shift type a run, so no forbidden succession)
/// between runs of 2–4 days off.
fn planted_row(rng: &mut Rng, days: usize, allowed: &[usize]) -> Vec<u16> {
    let mut row = vec![OFF; days];
    let mut d = rng.below(3);
    while d < days {
        let len = 2 + rng.below(4);
        let s = allowed[rng.below(allowed.len())] as u16;
        for cell in row.iter_mut().skip(d).take(len) {
            *cell = s;
        }
        d += len + 2 + rng.below(3);
    }
    row
}

/// A person's limits around their planted row: its minutes within a window of 480–1,080
/// minutes, each allowed type's count with 0–2 to spare, its weekends with 0–1 to spare, and
/// fixed days off on a few of its days off.
fn limits_around(
    rng: &mut Rng,
    e: usize,
    row: &[u16],
    shifts: &[ShiftType],
    allowed: &[usize],
) -> StaffMember {
    let mut counts = vec![0u32; shifts.len()];
    let mut minutes = 0u32;
    let mut weekends = 0u32;
    for (d, &cell) in row.iter().enumerate() {
        if cell == OFF {
            continue;
        }
        counts[cell as usize] += 1;
        minutes += shifts[cell as usize].minutes;
        if d % 7 == 5 || (d % 7 == 6 && row[d - 1] == OFF) {
            weekends += 1;
        }
    }
    let max_shifts = (0..shifts.len())
        .map(|s| {
            if allowed.contains(&s) {
                counts[s] + rng.below(3) as u32
            } else {
                0
            }
        })
        .collect();
    let window = 480 + rng.below(601) as u32;
    let above = rng.below(window as usize + 1) as u32;
    StaffMember {
        id: format!("E{e}"),
        max_shifts,
        max_minutes: minutes + above,
        min_minutes: minutes.saturating_sub(window - above),
        max_consecutive: 5,
        min_consecutive: 2,
        min_days_off: 2,
        max_weekends: weekends + rng.below(2) as u32,
        days_off: row.iter().map(|&c| c == OFF && rng.chance(0.1)).collect(),
        skills: 0,
        min_rest_minutes: 0,
    }
}

/// A larger instance built from a published one: `staff_copies` copies of its staff over
/// `horizon_copies` copies of its horizon, each cover row needing `staff_copies` times as
/// many. Copy `c` of a person keeps their limits (counts, minutes and weekends scaled with
/// the horizon) and their days off and requests, moved on `7 × c` days (so the copies are not
/// alike, and each keeps its weekdays). The structure of the published instances (their
/// caps, minutes windows, cover and requests) reaches sizes that only 13–24 have. It reads
/// what the benchmark's format holds; the product's own rules (rooms, locks and the like)
/// are dropped.
pub fn enlarge(problem: &Problem, staff_copies: usize, horizon_copies: usize) -> Problem {
    let (copies, tiles) = (staff_copies.max(1), horizon_copies.max(1));
    let days = problem.days * tiles;
    let scale = tiles as u32;
    // The original day a copy's day `d` takes its days off and requests from.
    let source = |copy: usize, d: usize| (d + 7 * copy) % problem.days;
    let mut staff = Vec::with_capacity(problem.staff.len() * copies);
    let (mut on_requests, mut off_requests) = (Vec::new(), Vec::new());
    for copy in 0..copies {
        for (e, person) in problem.staff.iter().enumerate() {
            let index = staff.len();
            let mut p = person.clone();
            p.id = if copy == 0 {
                person.id.clone()
            } else {
                format!("{}_{copy}", person.id)
            };
            let scaled = |m: u32| {
                if m == UNLIMITED {
                    m
                } else {
                    m.saturating_mul(scale)
                }
            };
            p.max_shifts = person.max_shifts.iter().map(|&m| scaled(m)).collect();
            p.max_minutes = scaled(person.max_minutes);
            p.min_minutes = scaled(person.min_minutes);
            p.max_weekends = scaled(person.max_weekends);
            p.days_off = (0..days)
                .map(|d| person.days_off[source(copy, d)])
                .collect();
            staff.push(p);
            for (from, to) in [
                (&problem.on_requests, &mut on_requests),
                (&problem.off_requests, &mut off_requests),
            ] {
                for r in from.iter().filter(|r| r.staff == e) {
                    // The copy's first day that takes this request's day, in each tile.
                    let first = (r.day + problem.days - (7 * copy) % problem.days) % problem.days;
                    to.extend((0..tiles).map(|t| Request {
                        staff: index,
                        day: first + t * problem.days,
                        ..*r
                    }));
                }
            }
        }
    }
    let cover = (0..tiles)
        .flat_map(|t| {
            problem.cover.iter().map(move |c| Cover {
                day: c.day + t * problem.days,
                requirement: c.requirement * copies as u32,
                ..c.clone()
            })
        })
        .collect();
    Problem {
        days,
        shifts: problem.shifts.clone(),
        staff,
        on_requests,
        off_requests,
        cover,
        ..Problem::default()
    }
}
