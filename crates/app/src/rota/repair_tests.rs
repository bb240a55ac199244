//! The repair changes only what it must: a published rota, then a person's leave approved;
//! the repair takes them off their leave days, keeps every other person's every other day
//! exactly as it was, and leaves no hard rule broken and no session below its minimum.
use super::*;
use crate::rota::plan::{PersonInput, SiteInput};
use crate::rota::stale::{ProblemKey, breaks_rota};
use chrono::Weekday;
use domain::role::{Role, StaffGroup};
use domain::rota::{CoverNeed, CoverRequirement, RotaPeriod, RotaRules, Session};

fn gp(id: &str) -> PersonInput {
    PersonInput {
        id: id.into(),
        name: format!("Dr {id}"),
        role: Role::SalariedGp,
        skills: Vec::new(),
        sessions_per_week: 6.0,
        share: 1.0,
        elsewhere: Vec::new(),
        site_ids: vec!["hub".into()],
        rules: RotaRules::default(),
        approved_leave: Vec::new(),
        requested_leave: Vec::new(),
        session_requests: Vec::new(),
        coaching: Vec::new(),
        employed: (NaiveDate::MIN, None),
    }
}

/// A surgery open weekday mornings and afternoons needing at least 2 GPs (ideally 3) each
/// session, with five GPs of 6 sessions a week, over two weeks with no bank holiday.
fn surgery() -> RotaInput {
    let sessions = [Session::Am, Session::Pm]
        .into_iter()
        .map(|s| (s, s.default_times()))
        .collect();
    let mut cover = Vec::new();
    for weekday in [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ] {
        for session in [Session::Am, Session::Pm] {
            cover.push(CoverRequirement {
                site_id: "hub".into(),
                weekday,
                session,
                need: CoverNeed::Group(StaffGroup::Gp),
                minimum: 2,
                ideal: 3,
            });
        }
    }
    RotaInput {
        period: RotaPeriod {
            from: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
            weeks: 2,
        },
        sites: vec![SiteInput {
            id: "hub".into(),
            name: "Hub".into(),
            practice_ods: "Y00001".into(),
            sessions,
        }],
        rooms: Vec::new(),
        people: ["A", "B", "C", "D", "E"].into_iter().map(gp).collect(),
        cover,
        locked: Vec::new(),
        current: Vec::new(),
    }
}

fn steps(n: u64) -> rota::Options {
    rota::Options {
        seed: 1,
        time_limit: None,
        step_limit: Some(n),
        balanced_cross_swaps: true,
        repair_rows: true,
        ..rota::Options::default()
    }
}

/// The rota as published: solved, breaking no hard rule and no minimum.
fn published(input: &RotaInput) -> Vec<Assignment> {
    let model = plan::build(input);
    let outcome = rota::solve(&model.problem, &steps(150_000), &|_| {});
    let assignments = model.decode(input, &outcome.roster);
    let broken: Vec<_> = check(input, &assignments)
        .into_iter()
        .filter(breaks_rota)
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
    assignments
}

/// The problems `after` (the inputs changed) brings that `before` had not.
fn new_problems(before: &RotaInput, after: &RotaInput, rota: &[Assignment]) -> Vec<RotaProblem> {
    let old: BTreeSet<ProblemKey> = check(before, rota).iter().map(ProblemKey::of).collect();
    check(after, rota)
        .into_iter()
        .filter(|p| breaks_rota(p) && !old.contains(&ProblemKey::of(p)))
        .collect()
}

#[test]
fn a_repair_of_an_approved_leave_moves_only_that_persons_leave_days_and_cover() {
    let input = surgery();
    let rota = published(&input);
    let tuesday = input.period.from + chrono::Days::new(1);
    let wednesday = input.period.from + chrono::Days::new(2);
    let away: BTreeSet<NaiveDate> = [tuesday, wednesday].into();
    let who = rota
        .iter()
        .find(|a| a.date == tuesday)
        .expect("someone works on the first Tuesday")
        .staff_id
        .clone();
    let mut changed = input.clone();
    let person = changed.people.iter_mut().find(|p| p.id == who).unwrap();
    person
        .approved_leave
        .push((tuesday, wednesday, "Annual leave".into()));

    let problems = new_problems(&input, &changed, &rota);
    assert!(
        problems.iter().any(|p| p.rule == "leave"),
        "the leave breaks the rota: {problems:?}"
    );
    let repaired = repair_assignments(&changed, &rota, &problems, &steps(200_000));

    // No hard rule broken, no session below its minimum.
    let broken: Vec<_> = check(&changed, &repaired)
        .into_iter()
        .filter(breaks_rota)
        .collect();
    assert!(broken.is_empty(), "{broken:?}");
    // Off on their leave days.
    assert!(
        !repaired
            .iter()
            .any(|a| a.staff_id == who && away.contains(&a.date))
    );
    // Every other person's other days are exactly as published; only days of the leave
    // (theirs, and whoever covers) and the person's own days (their contract shrinks with
    // the leave) may change.
    let kept = |list: &[Assignment]| -> Vec<Assignment> {
        list.iter()
            .filter(|a| a.staff_id != who && !away.contains(&a.date))
            .cloned()
            .collect()
    };
    assert_eq!(kept(&repaired), kept(&rota));
    let changes = day_changes(&changed, &rota, &repaired);
    assert!(!changes.is_empty());
    for c in &changes {
        assert!(
            c.staff_id == who || away.contains(&c.date),
            "{} changed on {}: {} -> {}",
            c.name,
            c.date,
            c.before,
            c.after
        );
    }
    // The freed days cost the least change: fewer days changed than were freed.
    let freed = cells_to_free(&changed, &problems).len();
    assert!(changes.len() < freed, "{} of {freed}", changes.len());
}

#[test]
fn a_repair_with_nothing_to_put_right_changes_nothing() {
    let input = surgery();
    let rota = published(&input);
    let repaired = repair_assignments(&input, &rota, &[], &steps(20_000));
    assert_eq!(repaired, rota);
    assert!(day_changes(&input, &rota, &repaired).is_empty());
}

#[test]
fn a_leaver_is_taken_off_every_day_after_their_end_and_no_one_else_moves_elsewhere() {
    let input = surgery();
    let rota = published(&input);
    let last = input.period.from + chrono::Days::new(7);
    let who = rota
        .iter()
        .find(|a| a.date > last)
        .expect("someone works in the second week")
        .staff_id
        .clone();
    let mut changed = input.clone();
    changed
        .people
        .iter_mut()
        .find(|p| p.id == who)
        .unwrap()
        .employed = (NaiveDate::MIN, Some(last));
    let problems = new_problems(&input, &changed, &rota);
    assert!(
        problems
            .iter()
            .any(|p| p.rule == crate::rota::check::EMPLOYMENT),
        "{problems:?}"
    );
    let repaired = repair_assignments(&changed, &rota, &problems, &steps(200_000));
    let hard: Vec<_> = check(&changed, &repaired)
        .into_iter()
        .filter(|p| p.hard)
        .collect();
    assert!(hard.is_empty(), "{hard:?}");
    assert!(!repaired.iter().any(|a| a.staff_id == who && a.date > last));
    let dated: BTreeSet<NaiveDate> = problems.iter().filter_map(|p| p.date).collect();
    for c in day_changes(&changed, &rota, &repaired) {
        assert!(
            c.staff_id == who || dated.contains(&c.date),
            "{} changed on {}",
            c.name,
            c.date
        );
    }
}
