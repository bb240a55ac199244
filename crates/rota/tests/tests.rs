//! The optimiser on the public benchmark instances: parsing, the exact evaluator on the
//! validated fixture, incremental scoring against the evaluator, determinism, short solves.
use rota::model::{Lock, RoomPool};
use rota::search::{MoveKind, MoveProbe, Options, Tables};
use rota::{HardRule, evaluate, read_instance, read_roster, write_roster};
use std::time::Duration;

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/shift-scheduling"
);

fn instance(n: usize) -> rota::Problem {
    let text = std::fs::read_to_string(format!("{DATA}/instances/Instance{n}.txt")).unwrap();
    read_instance(&text).unwrap_or_else(|e| panic!("Instance{n}: {e}"))
}

/// The validated Instance1 roster of FORMAT.md, objective 608.
const FIXTURE: &str = "A: - D D D - - - D D D - - D D
B: D D D D D - - D D - - - D D
C: D D D - - D D - - D D D - -
D: D D - - - D D D D D - - - -
E: - D D D D - - D D - - D D D
F: D D D D D - - D D - - D D -
G: - - D D D - - D D - - D D D
H: D D - - D D D - - D D D - -";

#[test]
fn all_twelve_instances_parse_with_the_documented_sizes() {
    let sizes = [
        (14, 8, 1),
        (14, 14, 2),
        (14, 20, 3),
        (28, 10, 2),
        (28, 16, 2),
        (28, 18, 3),
        (28, 20, 3),
        (28, 30, 4),
        (28, 36, 4),
        (28, 40, 5),
        (28, 50, 6),
        (28, 60, 10),
    ];
    for (i, (days, staff, shifts)) in sizes.into_iter().enumerate() {
        let p = instance(i + 1);
        assert_eq!(
            (p.days, p.staff.len(), p.shifts.len()),
            (days, staff, shifts),
            "Instance{}",
            i + 1
        );
        assert_eq!(p.cover.len(), days * shifts);
    }
}

#[test]
fn the_fixture_scores_608_with_no_violation() {
    let p = instance(1);
    let roster = read_roster(&p, FIXTURE).unwrap();
    let e = evaluate(&p, &roster);
    assert!(e.hard.is_empty(), "{:?}", e.hard);
    assert_eq!(e.objective, 608);
    assert_eq!(e.breakdown.on_requests + e.breakdown.off_requests, 7);
    assert_eq!(e.breakdown.cover_under + e.breakdown.cover_over, 601);
    // The written roster reads back the same.
    assert_eq!(read_roster(&p, &write_roster(&p, &roster)).unwrap(), roster);
}

#[test]
fn the_evaluator_names_each_hard_violation() {
    let p = instance(1);
    let mut roster = read_roster(&p, FIXTURE).unwrap();
    // A works on its fixed day off (day 0) and now six days in a row (days 0–3 ... ).
    roster.set(0, 0, Some(0));
    roster.set(0, 4, Some(0));
    roster.set(0, 5, Some(0));
    let e = evaluate(&p, &roster);
    let rules: Vec<HardRule> = e.hard.iter().map(|v| v.rule).collect();
    assert!(rules.contains(&HardRule::DayOff));
    assert!(rules.contains(&HardRule::MaxConsecutive));
    assert!(e.hard.iter().all(|v| v.staff == Some(0)));
    let day_off = e.hard.iter().find(|v| v.rule == HardRule::DayOff).unwrap();
    assert_eq!(day_off.day, Some(0));
}

#[test]
fn bad_files_are_refused_with_the_line() {
    let good = std::fs::read_to_string(format!("{DATA}/instances/Instance1.txt")).unwrap();
    let cases = [
        (
            good.replace("SECTION_COVER", "SECTION_NOPE"),
            "unknown section SECTION_NOPE",
        ),
        (
            good.replace("SECTION_DAYS_OFF\n", ""),
            "the file has no SECTION_DAYS_OFF",
        ),
        (
            good.replace("\n14\n", "\n15\n"),
            "15 days is not a positive multiple of 7",
        ),
        (good.replace("A,2,D,2", "A,2,X,2"), "unknown shift id 'X'"),
        (
            good.replace("A,2,D,2", "A,20,D,2"),
            "day 20 is outside the horizon",
        ),
        (
            good.replace("B,D=14,4320", "A,D=14,4320"),
            "staff id A appears twice",
        ),
        (
            good.replace("A,D=14,4320,3360", "A,D=14,4320,-3"),
            "'-3' is negative",
        ),
        (
            good.replace("0,D,5,100,1", "0,D,5,100"),
            "expected Day,ShiftID,Requirement,WeightUnder,WeightOver",
        ),
    ];
    for (text, expected) in cases {
        let error = read_instance(&text).unwrap_err();
        assert!(
            error.to_string().contains(expected),
            "{error} (expected {expected})"
        );
        if !expected.starts_with("the file has no") {
            assert!(error.line > 0, "{error} names a line");
        }
    }
}

#[test]
fn incremental_scores_match_the_evaluator_after_every_move() {
    // A property test over random moves on several instances, including the product's
    // extensions (locks, rooms, rest, skills) that the benchmark does not use.
    let mut extended = instance(3);
    extended.locks.push(Lock {
        staff: 0,
        day: 2,
        shift: Some(0),
    });
    extended.locks.push(Lock {
        staff: 1,
        day: 3,
        shift: None,
    });
    extended.rooms.push(RoomPool {
        shifts: vec![0, 1],
        capacity: 6,
    });
    extended.shifts[1].start_minute = 14 * 60;
    extended.shifts[0].start_minute = 7 * 60;
    extended.shifts[2].skill = Some(0);
    for m in extended.staff.iter_mut().step_by(2) {
        m.skills = 1;
        m.min_rest_minutes = 11 * 60;
    }
    extended.cover[5].skill = Some(0);
    for problem in [
        instance(1),
        instance(4),
        instance(8),
        instance(12),
        extended,
    ] {
        let tables = Tables::new(&problem);
        for seed in 0..3 {
            let mut probe = MoveProbe::new(&problem, &tables, seed);
            for step in 0..1500 {
                let kind = MoveKind::ALL[step % MoveKind::ALL.len()];
                let (hard, soft) = probe.apply_move(kind);
                let e = evaluate(&problem, &probe.roster());
                assert_eq!(
                    (hard, soft),
                    (e.hard_units() as i64, e.objective as i64),
                    "after {kind:?} at step {step}"
                );
                if step % 3 == 0 {
                    let (hard, soft) = probe.undo_last();
                    let e = evaluate(&problem, &probe.roster());
                    assert_eq!(
                        (hard, soft),
                        (e.hard_units() as i64, e.objective as i64),
                        "after undoing {kind:?}"
                    );
                }
            }
        }
    }
}

fn budget(steps: u64, threads: usize, seed: u64) -> Options {
    Options {
        seed,
        time_limit: None,
        step_limit: Some(steps),
        threads,
        ..Options::default()
    }
}

#[test]
fn the_same_seed_and_step_budget_give_the_same_roster() {
    let p = instance(5);
    // Two and three workers meet to exchange rosters (every 10 % of the steps by default).
    for threads in [1, 2, 3] {
        let a = rota::solve(&p, &budget(20_000, threads, 3), &|_| {});
        let b = rota::solve(&p, &budget(20_000, threads, 3), &|_| {});
        assert_eq!(a.roster, b.roster, "{threads} threads");
    }
    let c = rota::solve(&p, &budget(20_000, 1, 4), &|_| {});
    let d = rota::solve(&p, &budget(20_000, 1, 3), &|_| {});
    assert_ne!(c.roster, d.roster, "another seed searches differently");
}

#[test]
#[cfg_attr(
    feature = "debug-checks",
    ignore = "with the evaluator run after every move, 2 s are too few moves to reach feasibility"
)]
fn short_solves_come_back_feasible_and_report_progress() {
    for n in [1, 2, 3, 4, 7] {
        let p = instance(n);
        let reports = std::sync::Mutex::new(Vec::new());
        let options = Options {
            time_limit: Some(Duration::from_secs(2)),
            ..Options::default()
        };
        let outcome = rota::solve(&p, &options, &|progress| {
            reports.lock().unwrap().push(progress.best_objective)
        });
        assert!(
            outcome.evaluation.is_feasible(),
            "Instance{n}: {:?}",
            outcome.evaluation.hard
        );
        let reports = reports.into_inner().unwrap();
        assert!(!reports.is_empty(), "progress was reported");
        assert_eq!(outcome.evaluation, evaluate(&p, &outcome.roster));
    }
}

#[test]
fn workers_that_share_rosters_under_a_time_limit_stop_together() {
    // The workers meet to exchange rosters; under a time limit they must all reach the last
    // meeting, or the search would hang.
    let p = instance(4);
    for meetings in [3, 1000] {
        let options = Options {
            time_limit: Some(Duration::from_millis(700)),
            threads: 3,
            meetings,
            ..Options::default()
        };
        let started = std::time::Instant::now();
        let outcome = rota::solve(&p, &options, &|_| {});
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(outcome.evaluation, evaluate(&p, &outcome.roster));
    }
}

#[test]
fn generated_large_instances_are_consistent() {
    let p = rota::generate::generate(20, 8, 6, 5);
    assert_eq!((p.days, p.staff.len(), p.shifts.len()), (56, 20, 6));
    let tables = Tables::new(&p);
    let mut probe = MoveProbe::new(&p, &tables, 1);
    for step in 0..300 {
        let (hard, soft) = probe.apply_move(MoveKind::ALL[step % MoveKind::ALL.len()]);
        let e = evaluate(&p, &probe.roster());
        assert_eq!((hard, soft), (e.hard_units() as i64, e.objective as i64));
    }
}

#[test]
fn written_instances_read_back_the_same() {
    for p in [instance(10), rota::generate::generate(12, 4, 5, 3)] {
        let again = read_instance(&rota::write_instance(&p)).unwrap();
        assert_eq!(again.days, p.days);
        assert_eq!(again.staff, p.staff);
        assert_eq!(again.cover, p.cover);
        assert_eq!(again.on_requests, p.on_requests);
        assert_eq!(again.off_requests, p.off_requests);
        assert_eq!(again.shifts, p.shifts);
    }
}

/// With `--features debug-checks` the search itself asserts after every move that its
/// incremental score equals the evaluator's (run by scripts/test.sh).
#[cfg(feature = "debug-checks")]
#[test]
fn debug_checks_hold_during_a_search() {
    for n in [2, 6] {
        let outcome = rota::solve(&instance(n), &budget(30_000, 1, 1), &|_| {});
        assert_eq!(outcome.evaluation, evaluate(&instance(n), &outcome.roster));
    }
}
