//! A lower bound on the cover penalty of every roster that keeps the hard rules, from the
//! minutes alone (`minutes_bound`): where the staff's most minutes cannot cover what the
//! cover rows need, some rows stay short whatever the roster. It needs no solve, so it holds
//! at every size, where column generation's bound (`colgen::ColumnSearch::lower_bound`) does
//! not converge: a year of 100 or 150 people.
use crate::model::{Problem, UNLIMITED};

/// The least cover penalty of a roster that keeps every person within their most minutes.
///
/// A relaxation: the staff's minutes are pooled, each person's counted only up to what they
/// could work (their most minutes; every day they may work on their longest type; each
/// type's most shifts), and the pool is spent on the cover rows whose units weigh most per
/// minute first, a fraction of a shift allowed. What is left short is the bound. `None`
/// where a worked shift counts in more than one cover row (then one shift's minutes would
/// meet two rows, and the pooling would not bound them).
pub fn minutes_bound(p: &Problem) -> Option<f64> {
    if shift_in_two_rows(p) {
        return None;
    }
    let mut pool: f64 = p.staff.iter().map(|m| most_minutes(p, m)).sum();
    // (weight of a unit short, minutes a unit takes, units needed) per row.
    let mut rows: Vec<(f64, f64, f64)> = p
        .cover
        .iter()
        .filter(|c| c.weight_under > 0 && c.requirement > 0)
        .map(|c| {
            let minutes = c
                .shifts
                .iter()
                .map(|&s| p.shifts[s].minutes)
                .min()
                .unwrap_or(0);
            (
                f64::from(c.weight_under),
                f64::from(minutes),
                f64::from(c.requirement),
            )
        })
        .collect();
    // Most weight per minute first; a row of shifts without minutes costs none.
    rows.sort_by(|a, b| (b.0 * a.1).total_cmp(&(a.0 * b.1)));
    let mut short = 0.0;
    for (weight, minutes, units) in rows {
        let met = if minutes == 0.0 {
            units
        } else {
            units.min(pool / minutes)
        };
        pool -= met * minutes;
        short += weight * (units - met);
    }
    Some(short)
}

/// Whether a worked shift counts in two cover rows (a shift listed twice in one row counts
/// once there).
fn shift_in_two_rows(p: &Problem) -> bool {
    let mut row_of = std::collections::BTreeMap::new();
    p.cover.iter().enumerate().any(|(i, c)| {
        c.shifts
            .iter()
            .any(|&s| *row_of.entry((c.day, s)).or_insert(i) != i)
    })
}

/// The most minutes person `m` could work: their most minutes, working every day they may on
/// their longest type, and each type's most shifts, whichever is least.
fn most_minutes(p: &Problem, m: &crate::model::StaffMember) -> f64 {
    let open_days = m.days_off.iter().filter(|&&off| !off).count() as u64;
    let (mut longest, mut by_type) = (0u64, 0u64);
    for (s, shift) in p.shifts.iter().enumerate() {
        let most = m.max_shifts[s];
        if most == 0 {
            continue;
        }
        let minutes = u64::from(shift.minutes);
        longest = longest.max(minutes);
        let shifts = if most == UNLIMITED {
            open_days
        } else {
            u64::from(most).min(open_days)
        };
        by_type = by_type.saturating_add(shifts * minutes);
    }
    u64::from(m.max_minutes)
        .min(open_days * longest)
        .min(by_type) as f64
}

#[cfg(test)]
mod tests {
    use super::minutes_bound;

    /// Two people of two 8-hour shifts each at most, over a week; Monday to Wednesday each
    /// need two people on D (weight 100) and Thursday one (weight 30).
    const SHORT_OF_MINUTES: &str = "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\n\
        SECTION_STAFF\nA,D=7,960,0,7,1,1,2\nB,D=7,960,0,7,1,1,2\n\n\
        SECTION_DAYS_OFF\n\nSECTION_SHIFT_ON_REQUESTS\n\nSECTION_SHIFT_OFF_REQUESTS\n\n\
        SECTION_COVER\n0,D,2,100,1\n1,D,2,100,1\n2,D,2,100,1\n3,D,1,30,1\n";

    #[test]
    fn the_minutes_bound_leaves_short_what_the_pooled_minutes_cannot_meet_the_cheapest_first() {
        let p = crate::read_instance(SHORT_OF_MINUTES).expect("a valid instance");
        // Four shifts of minutes meet four of the six units weighing 100; two of them and
        // Thursday's unit stay short.
        assert_eq!(minutes_bound(&p), Some(230.0));
        // With B off all week but Monday, B brings one shift: three shifts meet three of the
        // units weighing 100, so three stay short, and Thursday's.
        let off =
            SHORT_OF_MINUTES.replace("SECTION_DAYS_OFF\n", "SECTION_DAYS_OFF\nB,1,2,3,4,5,6\n");
        let p = crate::read_instance(&off).expect("a valid instance");
        assert_eq!(minutes_bound(&p), Some(330.0));
    }

    #[test]
    fn the_minutes_bound_is_none_where_a_shift_counts_in_two_cover_rows() {
        let mut p = crate::read_instance(SHORT_OF_MINUTES).expect("a valid instance");
        let mut twice = p.cover[0].clone();
        twice.requirement = 1;
        p.cover.push(twice);
        assert_eq!(minutes_bound(&p), None);
    }
}
