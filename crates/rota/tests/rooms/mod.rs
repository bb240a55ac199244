//! Column generation with room pools: a pool on a day is a row of the master, so its dual
//! keeps the dive within the rooms, and the product's problems (which have pools) get it.
use rota::model::RoomPool;
use rota::search::{Options, Tables};
use rota::{HardRule, evaluate};

fn rooms_over(p: &rota::Problem, roster: &rota::Roster) -> u64 {
    evaluate(p, roster)
        .hard
        .iter()
        .filter(|v| v.rule == HardRule::Rooms)
        .map(|v| v.amount)
        .sum()
}

#[test]
fn the_dive_keeps_within_a_room_pool_the_cover_alone_would_overfill() {
    // Instance 2's dive with no rooms, and the most people it has at work on one day.
    let open = super::instance(2);
    let open_tables = Tables::new(&open);
    let unpriced = rota::colgen::ColumnSearch::new(&open, &open_tables, 2_000)
        .unwrap()
        .dive(&|| false)
        .unwrap();
    let at_work = |d: usize| {
        (0..open.staff.len())
            .filter(|&e| unpriced.get(e, d).is_some())
            .count()
    };
    let peak = (0..open.days).map(at_work).max().unwrap() as u32;
    // One pool of rooms, shared by every shift type, a room short of that peak.
    let mut p = open.clone();
    p.rooms.push(RoomPool {
        shifts: (0..p.shifts.len()).collect(),
        capacity: peak - 1,
        capacity_by_day: Vec::new(),
        skill: None,
    });
    assert!(rooms_over(&p, &unpriced) > 0);
    let tables = Tables::new(&p);
    assert!(rota::colgen::suits(&p, &tables));
    let mut search = rota::colgen::ColumnSearch::new(&p, &tables, 2_000).unwrap();
    let roster = search.dive(&|| false).unwrap();
    let e = evaluate(&p, &roster);
    assert!(e.is_feasible(), "{:?}", e.hard);
    // Keeping within the rooms costs some cover, never less than without them.
    let free = evaluate(&open, &unpriced).objective;
    assert!(e.objective >= free, "{} < {free}", e.objective);
}

#[test]
fn a_general_practice_problem_with_rooms_is_solved_with_column_generation() {
    let p = super::general_practice();
    assert!(!p.rooms.is_empty());
    assert!(rota::colgen::suits(&p, &Tables::new(&p)));
    let options = Options {
        column_generation: true,
        time_limit: None,
        step_limit: Some(20_000),
        threads: 2,
        ..Options::default()
    };
    let a = rota::solve(&p, &options, &|_| {});
    assert!(a.evaluation.is_feasible(), "{:?}", a.evaluation.hard);
    // Under a step budget it repeats.
    assert_eq!(rota::solve(&p, &options, &|_| {}).roster, a.roster);
}
