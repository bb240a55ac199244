//! The row DP (`rota::rowplan`): limits held exactly, rules kept with many shift types, and a
//! window planned as the whole row with the rest held.
use rota::model::OFF;
use rota::rowplan::{RowCosts, Window, plan, plan_window, plan_within};
use rota::{HardRule, evaluate};

use super::instance;

#[test]
fn a_row_planned_within_a_limit_on_one_shift_type_keeps_it_exactly() {
    // Instance9's person A may work at most 5 nights; nights priced far below everything
    // else make the unlimited DP take more, and the limited one exactly 5.
    let p = instance(9);
    let night = p.shift_index("N").unwrap();
    assert_eq!(p.staff[0].max_shifts[night], 5);
    let values = p.shifts.len() + 1;
    let mut cost = vec![0.0; p.days * values];
    for d in 0..p.days {
        cost[d * values + night] = -50.0;
        // The days A must have off are priced by the caller, as the search does.
        if p.staff[0].days_off[d] {
            for v in 0..values - 1 {
                cost[d * values + v] = 1e7;
            }
        }
    }
    let costs = RowCosts { cost, values };
    // The DP counts minutes in the shifts' common divisor: 120 (480 and 600).
    let unit = 120;
    let nights = |cells: &[u16]| cells.iter().filter(|&&c| c == night as u16).count();
    let free = plan(&p, 0, &costs, 1e7, unit).unwrap();
    assert!(nights(&free) > 5);
    let limited = plan_within(&p, 0, &costs, 1e7, unit, Some((night, 5))).unwrap();
    assert_eq!(nights(&limited), 5);
    let roster_row = |cells: Vec<u16>| {
        let mut r = rota::Roster::empty(p.staff.len(), p.days);
        r.cells[..p.days].copy_from_slice(&cells);
        r
    };
    let hard_of_a = |cells: Vec<u16>| {
        evaluate(&p, &roster_row(cells))
            .hard
            .iter()
            .filter(|v| v.staff == Some(0))
            .count()
    };
    assert_eq!(hard_of_a(limited), 0);
}

#[test]
fn a_row_planned_with_many_shift_types_keeps_every_rule_the_dp_holds() {
    // Instance12 has 10 shift types in 4 classes of successors: the DP keeps only the class
    // of the last day's value, so a wrong class would let a forbidden succession through.
    // Random prices, and every day off priced out as the search does: the planned row
    // breaks no rule the DP holds (per-type limits are the caller's to price).
    let p = instance(12);
    let values = p.shifts.len() + 1;
    let unit = 120;
    let mut rng = rota::rng::Rng::new(7);
    let mut checked = 0;
    for e in 0..p.staff.len() {
        let mut cost = vec![0.0; p.days * values];
        for d in 0..p.days {
            for v in 0..values {
                cost[d * values + v] = if p.staff[e].days_off[d] && v + 1 < values {
                    1e7
                } else {
                    rng.below(100) as f64 - 60.0
                };
            }
        }
        let costs = RowCosts { cost, values };
        let Some(cells) = plan(&p, e, &costs, 1e7, unit) else {
            continue;
        };
        let mut roster = rota::Roster::empty(p.staff.len(), p.days);
        roster.cells[e * p.days..(e + 1) * p.days].copy_from_slice(&cells);
        let broken: Vec<_> = evaluate(&p, &roster)
            .hard
            .into_iter()
            .filter(|v| v.staff == Some(e) && v.rule != HardRule::MaxShiftsOfType)
            .collect();
        assert!(broken.is_empty(), "person {e}: {broken:?}");
        checked += 1;
    }
    assert_eq!(checked, p.staff.len());
}

/// Random prices on every value of every day (`base` plus up to 10, in thousandths), and the
/// days person `e` must have off priced out as the search does.
fn random_costs(p: &rota::Problem, e: usize, rng: &mut rota::rng::Rng, base: f64) -> RowCosts {
    let values = p.shifts.len() + 1;
    let mut cost = vec![0.0; p.days * values];
    for d in 0..p.days {
        for v in 0..values {
            cost[d * values + v] = if p.staff[e].days_off[d] && v + 1 < values {
                1e7
            } else {
                base + rng.below(10_000) as f64 / 1000.0
            };
        }
    }
    RowCosts { cost, values }
}

/// The shifts' common divisor, the DP's unit of minutes.
fn unit(p: &rota::Problem) -> u32 {
    let gcd = |a: u32, b: u32| {
        (0..).try_fold(
            (a, b),
            |(a, b), _| if b == 0 { Err(a) } else { Ok((b, a % b)) },
        )
    };
    p.shifts
        .iter()
        .fold(0, |g, s| gcd(g, s.minutes).unwrap_err())
}

#[test]
fn a_window_is_planned_as_the_whole_row_with_the_rest_held() {
    // `plan_window` runs the DP over the window's days alone, entering in the state the held
    // days before leave and charging each way out by what the held days after then break. Its
    // row must be the whole-row DP's with every held day's other values barred. Prices are
    // random and distinct, so one row is best. Held rows come two ways: random values, which
    // break runs, successions, weekends and minutes, under a finite weight so every charge
    // counts; and rows the DP planned, under an infinite weight, as column generation prices.
    // Windows lie anywhere, the first and last days included, with and without a limit on one
    // shift type. Instance 12 has 10 types in 4 classes; the generated one 8- and 10-hour
    // shifts, so minutes count in 2-hour units.
    let generated = rota::generate::planted_in(rota::generate::Style::Published, 6, 6, 4, 3).0;
    let mut rng = rota::rng::Rng::new(11);
    let mut compared = 0;
    for p in [instance(1), instance(12), generated] {
        let unit = unit(&p);
        let (days, values) = (p.days, p.shifts.len() + 1);
        for e in 0..p.staff.len().min(8) {
            for trial in 0..6 {
                let finite = trial % 2 == 0;
                let weight = if finite { 25.0 } else { f64::INFINITY };
                let held: Vec<u16> = if finite {
                    (0..days)
                        .map(|_| match rng.below(values) {
                            v if v + 1 == values => OFF,
                            v => v as u16,
                        })
                        .collect()
                } else {
                    let planned = plan(&p, e, &random_costs(&p, e, &mut rng, -5.0), weight, unit);
                    planned.expect("a row within the rules")
                };
                let start = match trial {
                    0 | 1 => 0,
                    _ => rng.below(days - 1),
                };
                let end = match trial {
                    2 | 3 => days,
                    _ => (start + 1 + rng.below(21)).min(days),
                };
                let limit = (trial >= 4).then(|| {
                    let k = rng.below(values - 1);
                    let worked = held.iter().filter(|&&c| c as usize == k).count();
                    (k, (worked + rng.below(3)) as u32)
                });
                let costs = random_costs(&p, e, &mut rng, 0.0);
                let mut barred = RowCosts {
                    cost: costs.cost.clone(),
                    values,
                };
                for d in (0..days).filter(|d| !(start..end).contains(d)) {
                    for v in 0..values {
                        let cell = if v + 1 == values { OFF } else { v as u16 };
                        if cell != held[d] {
                            barred.cost[d * values + v] = f64::INFINITY;
                        }
                    }
                }
                let whole = plan_within(&p, e, &barred, weight, unit, limit);
                let window = Window {
                    start,
                    end,
                    held: &held,
                };
                let planned = plan_window(&p, e, &costs, weight, unit, limit, window);
                let what = format!("person {e}, days {start}..{end}, limit {limit:?}");
                if let Some(row) = &planned {
                    assert_eq!(&row[..start], &held[..start], "{what}");
                    assert_eq!(&row[end..], &held[end..], "{what}");
                }
                assert_eq!(planned, whole, "{what}");
                compared += usize::from(whole.is_some());
            }
        }
    }
    // Most comparisons have a row to compare.
    assert!(compared >= 90, "{compared} rows compared");
}

#[test]
fn the_search_re_plans_a_year_long_row_a_window_at_a_time() {
    // Over a year of 8- and 10-hour shifts the whole-row DP's state space is too large for
    // anyone, so the search's row re-plan plans a window of a few weeks with the rest of the
    // row held: each move changes one person's days within at most 84 days in a row. From the
    // greedy roster, far over some people's most minutes, many lower the score and none
    // raises it much: minutes past the DP's cap are charged as they are worked (a window of
    // a row already over its most once came back full of shifts, 38 % worse).
    let p = rota::generate::planted_in(rota::generate::Style::Published, 6, 52, 4, 5).0;
    let unit = unit(&p);
    assert!((0..p.staff.len()).all(|e| rota::rowplan::state_space(&p, e, unit).is_none()));
    let tables = rota::search::Tables::new(&p);
    let mut probe = rota::search::MoveProbe::new(&p, &tables, 1);
    let score = |r: &rota::Roster| {
        let e = evaluate(&p, r);
        e.hard_units() * 1000 + e.objective
    };
    let moves = 30;
    let mut lowered = 0;
    for _ in 0..moves {
        let before = probe.roster();
        probe.apply_move(rota::search::MoveKind::RowPlan);
        let after = probe.roster();
        let changed: Vec<usize> = (0..after.cells.len())
            .filter(|&i| after.cells[i] != before.cells[i])
            .collect();
        if let (Some(&first), Some(&last)) = (changed.first(), changed.last()) {
            assert_eq!(first / p.days, last / p.days, "one person's row");
            assert!(last - first < 84, "days {first}..={last} of the rows");
        }
        let (was, now) = (score(&before), score(&after));
        assert!(
            now * 100 <= was * 101,
            "a re-plan took the score from {was} to {now}"
        );
        lowered += usize::from(now < was);
    }
    assert!(
        lowered * 3 >= moves,
        "{lowered} of {moves} re-plans lowered the score"
    );
}

#[test]
fn a_year_long_row_whose_table_of_parents_is_too_large_is_planned_a_window_at_a_time() {
    // One shift type, at most 100 shifts' minutes and every weekend allowed: about 151,000
    // states a day, under `MAX_STATES`, but over 364 days the DP's table of parents would
    // hold 55 million entries (220 MB a thread). The whole row is refused and a window of 84
    // days planned instead; over 12 weeks the same person's whole row fits.
    let shaped = |weeks: usize| {
        let mut p = rota::generate::generate(1, weeks, 1, 3);
        let m = &mut p.staff[0];
        m.max_minutes = 100 * p.shifts[0].minutes;
        m.max_weekends = 52;
        p
    };
    let quarter = shaped(12);
    let unit = unit(&quarter);
    let (runs, weekends, minutes, lasts) = rota::rowplan::state_space(&quarter, 0, unit).unwrap();
    assert_eq!(weekends, quarter.weekends() + 1);
    // Over the year the weekends worked count to 52, the rest of the state as over 12 weeks.
    let year = shaped(52);
    let states = lasts * runs * 2 * (year.weekends() + 1) * minutes;
    assert!(states <= rota::rowplan::MAX_STATES, "{states} states");
    assert!(
        states * 364 > rota::rowplan::MAX_PARENT_CELLS,
        "{states} states"
    );
    assert!(rota::rowplan::state_space(&year, 0, unit).is_none());
    assert!(rota::rowplan::window_fits(&year, 0, unit, 84));
    let values = year.shifts.len() + 1;
    let costs = RowCosts {
        cost: vec![0.0; year.days * values],
        values,
    };
    assert_eq!(plan(&year, 0, &costs, 1e4, unit), None);
    let held = vec![OFF; year.days];
    let window = Window {
        start: 140,
        end: 224,
        held: &held,
    };
    let row = plan_window(&year, 0, &costs, 1e4, unit, None, window).unwrap();
    assert!(row[..140].iter().chain(&row[224..]).all(|&c| c == OFF));
}
