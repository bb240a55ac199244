//! A seeded generator of large instances in the benchmark's shape (up to 150 staff ×
//! 364 days × 32 shift types and beyond), for scale tests and benchmarks.
use crate::model::{Cover, Problem, Request, ShiftType, StaffMember};
use crate::rng::Rng;

/// Builds an instance of `staff` people, `weeks` weeks and `shift_types` shift types.
pub fn generate(staff: usize, weeks: usize, shift_types: usize, seed: u64) -> Problem {
    let mut rng = Rng::new(seed);
    let days = weeks * 7;
    let lengths = [480u32, 600, 720];
    let mut shifts: Vec<ShiftType> = (0..shift_types)
        .map(|i| ShiftType {
            id: format!("S{i}"),
            minutes: lengths[i % 3],
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
    let people: Vec<StaffMember> = (0..staff)
        .map(|e| {
            let max_minutes = (days as u32 / 7) * 2400;
            StaffMember {
                id: format!("E{e}"),
                max_shifts: (0..shift_types)
                    .map(|_| if rng.chance(0.1) { 0 } else { days as u32 })
                    .collect(),
                max_minutes,
                min_minutes: max_minutes * 3 / 4,
                max_consecutive: 5,
                min_consecutive: 2,
                min_days_off: 2,
                max_weekends: (weeks as u32).div_ceil(2),
                days_off: (0..days).map(|_| rng.chance(0.03)).collect(),
                skills: 0,
                min_rest_minutes: 0,
            }
        })
        .collect();
    let mut on_requests = Vec::new();
    let mut off_requests = Vec::new();
    for (e, person) in people.iter().enumerate() {
        for d in 0..days {
            if person.days_off[d] {
                continue;
            }
            if rng.chance(0.05) {
                on_requests.push(Request {
                    staff: e,
                    day: d,
                    shift: rng.below(shift_types),
                    weight: 1 + rng.below(3) as u32,
                });
            } else if rng.chance(0.05) {
                off_requests.push(Request {
                    staff: e,
                    day: d,
                    shift: rng.below(shift_types),
                    weight: 1 + rng.below(3) as u32,
                });
            }
        }
    }
    // About 70 % of the staff work on a given day, spread over the shift types.
    let per_shift = ((staff as f64 * 0.7) / shift_types as f64).max(1.0);
    let mut cover = Vec::new();
    for d in 0..days {
        for s in 0..shift_types {
            let requirement =
                (per_shift * (0.6 + 0.8 * (rng.below(100) as f64 / 100.0))).round() as u32;
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
    Problem {
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
        work_requests: Vec::new(),
    }
}
