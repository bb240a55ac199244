//! The demo's leave history and entitlements, so balances look like a real practice's part
//! way through the leave year: most people have taken about their share so far, some are
//! ahead, a few are well behind; some have more days for long service and some carried
//! leave over from last year.
use crate::{DemoData, DemoLeave};
use chrono::{Datelike, Duration, NaiveDate};
use domain::leave::{LeaveDraft, LeaveKind, LeaveStatus};
use domain::leave_balance::{
    DEFAULT_FULL_TIME_DAYS, DEFAULT_YEAR_START_MONTH, FULL_TIME_DAY_HOURS, LeaveYear,
};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A person's own entitlement for the current leave year.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoEntitlement {
    pub staff_index: usize,
    pub year_start: NaiveDate,
    pub full_time_days: Option<f64>,
    pub carried_over_hours: Option<f64>,
}

/// Approved annual leave already taken this leave year (weeks and short breaks, Monday
/// first, ending at least a week before `today`), for every person employed long enough.
/// Seeded, so the same data gives the same leave.
pub fn demo_past_leave(data: &DemoData, today: NaiveDate, seed: u64) -> Vec<DemoLeave> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let year = LeaveYear::containing(today, DEFAULT_YEAR_START_MONTH);
    let this_monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let last_start = this_monday - Duration::weeks(1);
    let mut out = Vec::new();
    for (staff_index, person) in data.staff.iter().enumerate() {
        let from = person.draft.start_date.max(year.start);
        // Mondays from the first full week employed to a week before this one.
        let first_monday =
            from + Duration::days(i64::from((7 - from.weekday().num_days_from_monday()) % 7));
        let mut mondays: Vec<NaiveDate> = (0..)
            .map(|w| first_monday + Duration::weeks(w))
            .take_while(|m| *m + Duration::days(4) < last_start)
            .collect();
        if mondays.len() < 3 {
            continue;
        }
        // Their share of the year so far, in their own days: one in six well behind, one in
        // six ahead, the rest about on track.
        let share = (today - from).num_days() as f64 / year.days() as f64;
        let pace = match rng.gen_range(0..6) {
            0 => rng.gen_range(0.0..0.3),
            1 => rng.gen_range(1.05..1.25),
            _ => rng.gen_range(0.75..1.0),
        };
        let mut days = (DEFAULT_FULL_TIME_DAYS * share * pace).round() as i64;
        mondays.shuffle(&mut rng);
        let mut weeks = mondays.into_iter();
        while days > 0 {
            let Some(monday) = weeks.next() else { break };
            let length = days.min(5);
            days -= length;
            out.push(DemoLeave {
                staff_index,
                draft: LeaveDraft {
                    kind: LeaveKind::Annual,
                    start_date: monday,
                    end_date: monday + Duration::days(length - 1),
                    note: None,
                },
                status: LeaveStatus::Approved,
            });
        }
    }
    out
}

/// Own entitlements: about one in four on 29 days (five years' NHS service) and one in ten
/// on 33 (ten years), and one in five carrying over one to three days.
pub fn demo_entitlements(data: &DemoData, today: NaiveDate, seed: u64) -> Vec<DemoEntitlement> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let year = LeaveYear::containing(today, DEFAULT_YEAR_START_MONTH);
    let mut out = Vec::new();
    for (staff_index, person) in data.staff.iter().enumerate() {
        let roll = rng.gen_range(0..100);
        let carry = rng.gen_range(0..100);
        let long_service = person.draft.start_date < year.start - Duration::days(365 * 5);
        let full_time_days = match roll {
            0..10 if long_service => Some(33.0),
            10..35 if long_service => Some(29.0),
            _ => None,
        };
        let carried_over_hours = (carry < 20 && person.draft.start_date < year.start)
            .then(|| f64::from(carry % 3 + 1) * FULL_TIME_DAY_HOURS * person.draft.wte);
        if full_time_days.is_some() || carried_over_hours.is_some() {
            out.push(DemoEntitlement {
                staff_index,
                year_start: year.start,
                full_time_days,
                carried_over_hours: carried_over_hours.map(|h| (h * 100.0).round() / 100.0),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_has_taken_leave_and_some_own_entitlements() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let data = crate::demo_pcn(today);
        let leave = demo_past_leave(&data, today, 5);
        assert!(leave.len() > data.staff.len(), "{} blocks", leave.len());
        for l in &leave {
            assert_eq!(l.draft.start_date.weekday(), chrono::Weekday::Mon);
            assert!(l.draft.start_date >= NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
            assert!(l.draft.end_date < today - Duration::days(7));
            let person = &data.staff[l.staff_index].draft;
            assert!(l.draft.start_date >= person.start_date);
        }
        // No one's blocks overlap.
        for (i, a) in leave.iter().enumerate() {
            for b in &leave[i + 1..] {
                assert!(
                    a.staff_index != b.staff_index
                        || a.draft.end_date < b.draft.start_date
                        || b.draft.end_date < a.draft.start_date
                );
            }
        }
        let own = demo_entitlements(&data, today, 6);
        assert!(own.iter().any(|e| e.full_time_days == Some(29.0)));
        assert!(own.iter().any(|e| e.carried_over_hours.is_some()));
        assert_eq!(demo_past_leave(&data, today, 5), leave, "seeded");
    }
}
