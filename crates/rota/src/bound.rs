//! A lower bound on the penalty of every roster that keeps the hard rules, from the minutes
//! alone (`minutes_bound`): where the staff's most minutes cannot cover what the cover rows
//! need, some rows stay short whatever the roster; and a request for a shift its person may
//! not work is never met. It needs no search and only a
//! small LP (people × kinds of cover row, whatever the horizon), so it holds at every size,
//! where column generation's bound (`colgen::ColumnSearch::lower_bound`) does not converge: a
//! year of 100 or 150 people.
use crate::model::{Problem, UNLIMITED};

/// The least penalty of a roster that keeps the hard rules: what its cover must leave short
/// within the minutes people can work (the higher of the pooled bound and the
/// person-by-person one, `assignment_bound`), and the requests it cannot meet
/// (`unmeetable_requests`).
///
/// A relaxation: each person's minutes count only up to what they could work
/// (`most_minutes`: the most their shifts' lengths can fill within their most minutes, every
/// day they may work and each type's most shifts). Pooled (`pooled_bound`), they are spent on
/// the cover rows whose units weigh most per minute first, a fraction of a shift allowed; what
/// is left short is a bound. `None` where a worked shift counts in more than one cover row
/// (then one shift's minutes would meet two rows, and neither bound would hold).
pub fn minutes_bound(p: &Problem) -> Option<f64> {
    if shift_in_two_rows(p) {
        return None;
    }
    let most: Vec<f64> = p.staff.iter().map(|m| most_minutes(p, m)).collect();
    let pooled = pooled_bound(p, most.iter().sum());
    let cover = assignment_bound(p, &most).map_or(pooled, |b| b.max(pooled));
    Some(cover + unmeetable_requests(p))
}

/// The weight of the requests to work that no roster keeping the hard rules meets: for a
/// shift type the person may not work (none of it allowed, a skill they lack, closed that
/// day) or on one of their days off. The published instances 1–12 hold none; the product's
/// requests may (a session closed that day).
fn unmeetable_requests(p: &Problem) -> f64 {
    let may = |e: usize, d: usize, s: usize| {
        !p.staff[e].days_off[d] && p.may_work(e, s) && !p.shifts[s].closed_days.contains(&d)
    };
    let on = p
        .on_requests
        .iter()
        .filter(|r| !may(r.staff, r.day, r.shift))
        .map(|r| f64::from(r.weight));
    let work = p
        .work_requests
        .iter()
        .filter(|r| !r.shifts.iter().any(|&s| may(r.staff, r.day, s)))
        .map(|r| f64::from(r.weight));
    on.chain(work).sum()
}

/// The pooled minutes `pool` spent on the cover rows that weigh most per minute first, a
/// fraction of a shift allowed: what stays short.
fn pooled_bound(p: &Problem, mut pool: f64) -> f64 {
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
    short
}

/// Cover rows alike (the same shift types, skill and weight short), and their units summed.
type Class = ((Vec<usize>, Option<usize>, u32), f64);

/// A person's share of a class in `assignment_bound`'s LP: the person, the class, the hours a
/// shift of it takes them, and the row of their most shifts of its type, if that is under
/// their days.
type Share = (usize, usize, f64, Option<usize>);

/// Who could meet which cover, person by person: the pooled bound's relaxation with each
/// person's minutes (`most`) kept to themselves and spent only on rows of the types they may
/// work, at most one shift a day they may work and each type's most shifts. Rows alike are
/// one class (`Class`), so the LP is people × classes, whatever the horizon; `clarabel`
/// solves it, and the bound is read from its dual (`dual_bound`). `None` if the solve fails.
fn assignment_bound(p: &Problem, most: &[f64]) -> Option<f64> {
    use clarabel::algebra::CscMatrix;
    use clarabel::solver::{DefaultSettingsBuilder, DefaultSolver, IPSolver, SupportedConeT};
    let mut units: std::collections::BTreeMap<_, f64> = Default::default();
    for c in p
        .cover
        .iter()
        .filter(|c| c.weight_under > 0 && c.requirement > 0)
    {
        *units
            .entry((c.shifts.clone(), c.skill, c.weight_under))
            .or_default() += f64::from(c.requirement);
    }
    let classes: Vec<Class> = units.into_iter().collect();
    // Rows: each class's units, each person's minutes (in hours) and days, each person's
    // most shifts of a type where it is under their days; then every share at least 0.
    let mut limits: Vec<f64> = classes.iter().map(|(_, u)| *u).collect();
    limits.extend(most.iter().map(|m| m / 60.0));
    limits.extend(p.staff.iter().map(|m| open_days(m) as f64));
    let shares = assignment_shares(p, &classes, &mut limits);
    let (count, staff) = (classes.len(), p.staff.len());
    let (mut colptr, mut rowval, mut nzval) = (vec![0], Vec::new(), Vec::new());
    for (j, &(e, k, hours, cap)) in shares.iter().enumerate() {
        let mut entries = vec![(k, 1.0), (count + e, hours), (count + staff + e, 1.0)];
        entries.extend(cap.map(|r| (r, 1.0)));
        entries.push((limits.len() + j, -1.0));
        for (r, v) in entries {
            rowval.push(r);
            nzval.push(v);
        }
        colptr.push(rowval.len());
    }
    let rows = limits.len() + shares.len();
    let a = CscMatrix::new(rows, shares.len(), colptr, rowval, nzval);
    let mut b = limits.clone();
    b.resize(rows, 0.0);
    let q: Vec<f64> = shares
        .iter()
        .map(|&(_, k, _, _)| -f64::from(classes[k].0.2))
        .collect();
    let settings = DefaultSettingsBuilder::default()
        .verbose(false)
        .max_threads(1)
        .build()
        .ok()?;
    let zero = CscMatrix::zeros((shares.len(), shares.len()));
    let cones = [SupportedConeT::NonnegativeConeT(rows)];
    let mut solver = DefaultSolver::new(&zero, &q, &a, &b, &cones, settings).ok()?;
    solver.solve();
    Some(dual_bound(
        &classes,
        &shares,
        &limits,
        &solver.solution.z[..limits.len()],
        staff,
    ))
}

/// Each person's shares of the classes they may meet (`Share`), adding a row to `limits`
/// for each most shifts of a type that is under the person's days.
fn assignment_shares(p: &Problem, classes: &[Class], limits: &mut Vec<f64>) -> Vec<Share> {
    let mut cap_row = std::collections::BTreeMap::new();
    let mut shares = Vec::new();
    for (e, m) in p.staff.iter().enumerate() {
        let days = open_days(m);
        for (k, ((shifts, skill, _), _)) in classes.iter().enumerate() {
            if skill.is_some_and(|k| m.skills & (1 << k) == 0) {
                continue;
            }
            let Some(minutes) = shifts
                .iter()
                .filter(|&&s| p.may_work(e, s))
                .map(|&s| p.shifts[s].minutes)
                .min()
            else {
                continue;
            };
            let cap = match shifts[..] {
                [s] if u64::from(m.max_shifts[s]) < days => {
                    Some(*cap_row.entry((e, s)).or_insert_with(|| {
                        limits.push(f64::from(m.max_shifts[s]));
                        limits.len() - 1
                    }))
                }
                _ => None,
            };
            shares.push((e, k, f64::from(minutes) / 60.0, cap));
        }
    }
    shares
}

/// The bound from a dual `z` of `assignment_bound`'s LP (one price per row of `limits`),
/// made feasible: each price at least 0, and each class's raised until no person's shift of
/// it pays more than its weight. By weak duality the priced limits bound the weight of cover
/// any roster meets, so what is left of the cover's weight bounds what stays short, however
/// accurate the solve.
fn dual_bound(classes: &[Class], shares: &[Share], limits: &[f64], z: &[f64], staff: usize) -> f64 {
    let count = classes.len();
    let z: Vec<f64> = z
        .iter()
        .map(|z| if z.is_finite() { z.max(0.0) } else { 0.0 })
        .collect();
    let weight = |k: usize| f64::from(classes[k].0.2);
    let mut price = z.clone();
    for &(e, k, hours, cap) in shares {
        let paid = hours * z[count + e] + z[count + staff + e] + cap.map_or(0.0, |r| z[r]);
        price[k] = price[k].max(weight(k) - paid);
    }
    let most_met: f64 = price.iter().zip(limits).map(|(p, l)| p * l).sum();
    let demand: f64 = (0..count).map(|k| weight(k) * classes[k].1).sum();
    (demand - most_met).max(0.0)
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

/// The most minutes person `m` could work: the largest sum of their shifts' lengths (each
/// type at most its most shifts, and at most one shift a day they may work) within their
/// most minutes and within every day they may work on their longest type. A person whose
/// shifts are all 8 hours long cannot use the last 7 hours 59 minutes of their most.
fn most_minutes(p: &Problem, m: &crate::model::StaffMember) -> f64 {
    let open_days = open_days(m);
    // (minutes, most shifts) per length of shift the person may work.
    let mut lengths: Vec<(u64, u64)> = Vec::new();
    for (s, shift) in p.shifts.iter().enumerate() {
        let most = m.max_shifts[s];
        if most == 0 || shift.minutes == 0 {
            continue;
        }
        let shifts = if most == UNLIMITED {
            open_days
        } else {
            u64::from(most).min(open_days)
        };
        let minutes = u64::from(shift.minutes);
        match lengths.iter_mut().find(|(l, _)| *l == minutes) {
            Some((_, n)) => *n = n.saturating_add(shifts).min(open_days),
            None => lengths.push((minutes, shifts)),
        }
    }
    let longest = lengths.iter().map(|&(l, _)| l).max().unwrap_or(0);
    let by_type = lengths
        .iter()
        .fold(0u64, |sum, &(l, n)| sum.saturating_add(l * n));
    let limit = u64::from(m.max_minutes)
        .min(open_days * longest)
        .min(by_type);
    largest_sum_within(&lengths, limit) as f64
}

/// The days person `m` may work.
fn open_days(m: &crate::model::StaffMember) -> u64 {
    m.days_off.iter().filter(|&&off| !off).count() as u64
}

/// The largest sum within `limit` of the lengths `(minutes, most of it)`, each used at most
/// its most times (the bounded knapsack's reachable sums, in steps of the lengths' common
/// divisor).
fn largest_sum_within(lengths: &[(u64, u64)], limit: u64) -> u64 {
    let step = lengths.iter().fold(0, |g, &(l, _)| gcd(g, l));
    if step == 0 {
        return 0;
    }
    let top = (limit / step) as usize;
    let mut reached = vec![false; top + 1];
    reached[0] = true;
    // Per sum, the shifts of the current length used to reach it (0 if reached without).
    let mut used = vec![0u64; top + 1];
    for &(minutes, most) in lengths {
        let size = (minutes / step) as usize;
        used.iter_mut().for_each(|u| *u = 0);
        for sum in size..=top {
            if !reached[sum] && reached[sum - size] && used[sum - size] < most {
                reached[sum] = true;
                used[sum] = used[sum - size] + 1;
            }
        }
    }
    reached.iter().rposition(|&r| r).unwrap_or(0) as u64 * step
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
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
    fn a_person_counts_only_the_minutes_their_shifts_can_fill() {
        // Most 1,000 minutes of 8-hour shifts: 960 of them can be worked, so the four shifts
        // of minutes are the same as at 960.
        let loose = SHORT_OF_MINUTES.replace(",960,0,7,", ",1000,0,7,");
        let p = crate::read_instance(&loose).expect("a valid instance");
        assert_eq!(minutes_bound(&p), Some(230.0));
        // With a 10-hour type too, 480 + 480 is still the most within 1,000 minutes, as a
        // 600 leaves no room for another shift.
        assert_eq!(super::largest_sum_within(&[(480, 7), (600, 7)], 1000), 960);
        assert_eq!(super::largest_sum_within(&[(480, 7), (600, 7)], 1100), 1080);
        // Each length at most its most shifts.
        assert_eq!(super::largest_sum_within(&[(480, 1), (600, 1)], 5000), 1080);
        assert_eq!(super::largest_sum_within(&[], 5000), 0);
    }

    #[test]
    fn minutes_go_only_to_the_cover_of_types_their_person_may_work() {
        // A may work only D, B only N; D needs two people every day, N no one. Pooled,
        // B's seven shifts of minutes would meet D; person by person they cannot.
        let p = crate::read_instance(&two_types("", "")).expect("a valid instance");
        assert_eq!(super::pooled_bound(&p, 2.0 * 3360.0), 0.0);
        let bound = minutes_bound(&p).expect("one cover row a cell");
        assert!((bound - 700.0).abs() < 1e-3, "{bound}");
    }

    #[test]
    fn a_request_no_roster_can_meet_adds_its_weight() {
        // A asks for an N they may not work (3), B for an N on their day off (5); B's
        // request for an N on another day (2) can be met.
        let p = crate::read_instance(&two_types("B,2\n", "A,0,N,3\nB,2,N,5\nB,1,N,2\n"))
            .expect("a valid instance");
        let bound = minutes_bound(&p).expect("one cover row a cell");
        assert!((bound - 708.0).abs() < 1e-3, "{bound}");
    }

    /// A week in which A may work only D and B only N, and D needs two people every day, with
    /// the lines of days off and on requests given.
    fn two_types(days_off: &str, on_requests: &str) -> String {
        let cover: String = (0..7).map(|d| format!("{d},D,2,100,1\n")).collect();
        format!(
            "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\nN,480,\n\n\
             SECTION_STAFF\nA,D=7|N=0,3360,0,7,1,1,2\nB,D=0|N=7,3360,0,7,1,1,2\n\n\
             SECTION_DAYS_OFF\n{days_off}\nSECTION_SHIFT_ON_REQUESTS\n{on_requests}\n\
             SECTION_SHIFT_OFF_REQUESTS\n\nSECTION_COVER\n{cover}"
        )
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
