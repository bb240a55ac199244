//! Tests of `plan`: the translation to the optimiser's model and back.
use super::fair::apportion;
use super::*;
use crate::rota::check::{RotaProblem, check};
use domain::rota::{CoverNeed, RotaRules};

fn gp(id: &str, role: Role, rules: RotaRules) -> PersonInput {
    PersonInput {
        id: id.into(),
        name: format!("Dr {id}"),
        role,
        skills: Vec::new(),
        sessions_per_week: 6.0,
        share: 1.0,
        elsewhere: Vec::new(),
        site_ids: vec!["hub".into()],
        rules,
        approved_leave: Vec::new(),
        requested_leave: Vec::new(),
        session_requests: Vec::new(),
        coaching: Vec::new(),
        employed: (NaiveDate::MIN, None),
    }
}

/// An enhanced-access hub open AM, PM and evenings, needing one GP each weekday session,
/// four weeks from a Monday with no bank holiday. GPs A and B (6 sessions a week each)
/// may work evenings, A with fixed Monday and Tuesday mornings; C (as contracted) never
/// works evenings; a nurse is counted by no evening cover.
fn hub() -> RotaInput {
    let sessions = [Session::Am, Session::Pm, Session::Evening]
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
        for session in [Session::Am, Session::Pm, Session::Evening] {
            cover.push(CoverRequirement {
                site_id: "hub".into(),
                weekday,
                session,
                need: CoverNeed::Group(StaffGroup::Gp),
                minimum: 1,
                ideal: 1,
            });
        }
    }
    RotaInput {
        period: RotaPeriod {
            from: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
            weeks: 4,
        },
        sites: vec![SiteInput {
            id: "hub".into(),
            name: "Hub".into(),
            practice_ods: "Y00001".into(),
            sessions,
        }],
        rooms: Vec::new(),
        people: vec![
            gp(
                "A",
                Role::SalariedGp,
                RotaRules {
                    fixed_sessions: vec![(Weekday::Mon, Session::Am), (Weekday::Tue, Session::Am)],
                    ..RotaRules::default()
                },
            ),
            gp("B", Role::GpPartner, RotaRules::default()),
            gp(
                "C",
                Role::SalariedGp,
                RotaRules {
                    max_evenings_month: Some(0),
                    ..RotaRules::default()
                },
            ),
            gp("N", Role::PracticeNurse, RotaRules::default()),
        ],
        cover,
        locked: Vec::new(),
        current: Vec::new(),
    }
}

/// A solve of 150 000 steps (seed 1) that must break no hard rule, as assignments.
fn solve_feasibly(input: &RotaInput, model: &Model) -> Vec<Assignment> {
    let options = rota::Options {
        seed: 1,
        time_limit: None,
        step_limit: Some(150_000),
        ..rota::Options::default()
    };
    let outcome = rota::solve(&model.problem, &options, &|_| {});
    assert!(
        outcome.evaluation.is_feasible(),
        "{:?}",
        outcome.evaluation.hard
    );
    model.decode(input, &outcome.roster)
}

fn evenings(assignments: &[Assignment], id: &str) -> usize {
    assignments
        .iter()
        .filter(|a| a.staff_id == id && a.session == Session::Evening)
        .count()
}

#[test]
fn days_outside_employment_are_never_worked_and_shrink_the_contract() {
    let mut input = hub();
    let full = contract_halves(&input.people[1], &input.period);
    // B starts on the second Monday and leaves after the third Friday.
    let start = input.period.from + chrono::Days::new(7);
    let end = input.period.from + chrono::Days::new(18);
    input.people[1].employed = (start, Some(end));
    assert_eq!(
        input.people[1].on_leave(input.period.from),
        Some(NOT_EMPLOYED)
    );
    assert_eq!(input.people[1].on_leave(start), None);
    assert_eq!(contract_halves(&input.people[1], &input.period), full / 2);
    let model = build(&input);
    let days_off = &model.problem.staff[1].days_off;
    for (d, date) in input.period.days().enumerate() {
        let outside = date < start || date > end;
        assert_eq!(days_off[d], outside, "{date}");
    }
    assert!(model.conflicts.is_empty(), "{:?}", model.conflicts);
}

/// A session at "Castle Street", another practice's site, in its published rota.
fn castle(date: (u32, u32), session: Session, times: (u32, u32, u32, u32)) -> BookedElsewhere {
    let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    BookedElsewhere {
        date: NaiveDate::from_ymd_opt(2027, date.0, date.1).unwrap(),
        session,
        site_name: "Castle Street".into(),
        times: SessionTimes::new(t(times.0, times.1), t(times.2, times.3)),
    }
}

/// The hub, with B and C also working at Castle Street. B: an evening there to 21:30 on
/// Tuesday 12 January and a morning from 06:30 on Friday 15 January. C: the Sunday
/// before the period and Tuesday to Saturday of its first week.
fn hub_with_castle() -> RotaInput {
    let mut input = hub();
    input.people[1].elsewhere = vec![
        castle((1, 12), Session::Evening, (18, 30, 21, 30)),
        castle((1, 15), Session::Am, (6, 30, 12, 0)),
    ];
    input.people[2].elsewhere = vec![castle((1, 10), Session::Am, (8, 0, 13, 0))];
    for day in 12..=15 {
        input.people[2]
            .elsewhere
            .push(castle((1, day), Session::Am, (8, 0, 13, 0)));
    }
    input.people[2]
        .elsewhere
        .push(castle((1, 16), Session::Saturday, (9, 0, 17, 0)));
    input
}

/// B's or C's day (index into the period) as the given pattern at the hub.
fn with_day(
    assignments: &[Assignment],
    who: &str,
    day: u64,
    pattern: DayPattern,
) -> Vec<Assignment> {
    let date = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap() + chrono::Days::new(day);
    let mut out: Vec<Assignment> = assignments
        .iter()
        .filter(|a| !(a.staff_id == who && a.date == date))
        .cloned()
        .collect();
    out.extend(pattern.sessions().iter().map(|&session| Assignment {
        staff_id: who.into(),
        date,
        session,
        site_id: "hub".into(),
        room_id: None,
    }));
    out
}

#[test]
fn sessions_worked_at_another_practice_count_for_rest_contacts_and_days_in_a_row() {
    let input = hub_with_castle();
    let model = build(&input);
    let barred = |e: usize, d: usize, p: DayPattern| {
        model.problem.unavailable.iter().any(|u| {
            u.staff == e && u.day == d && u.shifts.iter().any(|&s| model.shift_of[s].1 == p)
        })
    };
    // B, Tuesday: the evening there clashes with PM + evening; AM + PM with it is 28
    // planned contacts. Wednesday: a morning from 08:00 leaves 10 h 30 min after 21:30.
    assert!(barred(1, 1, DayPattern::PmEvening));
    assert!(barred(1, 1, DayPattern::AmPm));
    assert!(!barred(1, 1, DayPattern::Am) && !barred(1, 1, DayPattern::Pm));
    assert!(barred(1, 2, DayPattern::Am) && barred(1, 2, DayPattern::AmPm));
    assert!(!barred(1, 2, DayPattern::Pm) && !barred(1, 2, DayPattern::PmEvening));
    // Thursday: an evening to 20:00 leaves 10 h 30 min before 06:30; Friday: PM +
    // evening with the morning there is 28 contacts, PM alone 24.
    assert!(barred(1, 3, DayPattern::PmEvening) && !barred(1, 3, DayPattern::Pm));
    assert!(barred(1, 4, DayPattern::PmEvening) && !barred(1, 4, DayPattern::Pm));
    // C, Monday 11th: Sunday and Tuesday to Saturday there make a run of 7 with it.
    for p in DayPattern::ALL {
        assert!(barred(2, 0, p), "{p:?}");
    }
    assert!(!barred(2, 7, DayPattern::Am), "the second Monday is free");
    assert!(model.conflicts.is_empty(), "{:?}", model.conflicts);

    // A solved rota keeps clear of them, and the checks and the evaluator both pass it.
    let solved = solve_feasibly(&input, &model);
    let hard: Vec<_> = check(&input, &solved)
        .into_iter()
        .filter(|p| p.hard)
        .collect();
    assert!(hard.is_empty(), "{hard:?}");
    assert_eq!(crate::rota::optimiser_score(&input, &solved).0, 0);

    // Each unsafe day, put in by hand, is a hard problem naming the other site, and the
    // optimiser's evaluator finds a hard rule broken too.
    for (who, day, pattern, rule, words) in [
        (
            "B",
            2,
            DayPattern::Am,
            "rest",
            "10 h 30 min of rest between the Evening session at Castle Street",
        ),
        (
            "B",
            3,
            DayPattern::PmEvening,
            "rest",
            "and the AM session at Castle Street on Friday",
        ),
        (
            "B",
            4,
            DayPattern::PmEvening,
            "contacts",
            "28 planned contacts on Friday",
        ),
        (
            "B",
            1,
            DayPattern::AmPm,
            "contacts",
            "24 at Hub and 4 at Castle Street",
        ),
        (
            "C",
            0,
            DayPattern::Pm,
            "days_in_a_row",
            "works 7 days in a row from Sunday",
        ),
    ] {
        let edited = with_day(&solved, who, day, pattern);
        let problems = check(&input, &edited);
        assert!(
            problems.iter().any(|p| p.hard
                && p.rule == rule
                && p.message.contains(words)
                && p.message.contains("Castle Street")),
            "{who} {day} {pattern:?}: {problems:?}"
        );
        assert!(
            crate::rota::optimiser_score(&input, &edited).0 > 0,
            "{who} {day} {pattern:?}"
        );
    }
    // Days next to the sessions there that are safe stay free of these problems.
    let edited = with_day(&solved, "B", 2, DayPattern::Pm);
    assert!(check(&input, &edited).iter().all(|p| !matches!(
        p.rule,
        "rest" | "contacts" | "days_in_a_row" | "booked_elsewhere"
    )),);
}

#[test]
fn a_fixed_session_that_cannot_be_worked_safely_next_to_another_practices_is_a_conflict() {
    let mut input = hub();
    // A's fixed Tuesday morning, after an evening to 21:30 at Castle Street on Monday 18th.
    input.people[0].elsewhere = vec![castle((1, 18), Session::Evening, (18, 30, 21, 30))];
    let model = build(&input);
    assert!(
        model
            .conflicts
            .iter()
            .any(|c| c.contains("Dr A's fixed Tuesday AM session")
                && c.contains(
                    "cannot be worked safely next to their Evening session at Castle Street"
                )),
        "{:?}",
        model.conflicts
    );
    assert!(
        !model
            .problem
            .required
            .iter()
            .any(|r| r.staff == 0 && r.day == 8),
        "no fixed session is asked for that Tuesday"
    );
    // Nor do the checks ask for it.
    let problems = check(&input, &[]);
    assert!(
        !problems
            .iter()
            .any(|p| p.rule == "fixed_session" && p.date == NaiveDate::from_ymd_opt(2027, 1, 19)),
        "{problems:?}"
    );
}

#[test]
fn shares_are_proportional_capped_and_add_up() {
    assert_eq!(apportion(5, &[1.0, 1.0], &[10, 10]), vec![3, 2]);
    // 5, 2.5, 2.5 with the first capped at 3: the 7 left are 3.5 each, the tie to the first.
    assert_eq!(apportion(10, &[2.0, 1.0, 1.0], &[3, 10, 10]), vec![3, 4, 3]);
    assert_eq!(apportion(30, &[1.0, 1.0], &[4, 5]), vec![4, 5]);
    assert_eq!(apportion(7, &[3.0, 1.0], &[20, 20]), vec![5, 2]);
}

#[test]
fn evenings_are_shared_among_the_gps_who_may_work_them() {
    let input = hub();
    // Twenty evenings asked for, shared by A and B (equal contracts); not C (at most 0
    // evenings a month) nor the nurse (no evening cover counts nurses).
    let targets = fair_targets(&input);
    assert_eq!(
        targets,
        vec![
            FairTarget {
                person: 0,
                kind: Unpopular::Evenings,
                target: 10
            },
            FairTarget {
                person: 1,
                kind: Unpopular::Evenings,
                target: 10
            },
        ]
    );
    let model = build(&input);
    let evening_types: Vec<usize> = (0..model.shift_of.len())
        .filter(|&s| model.shift_of[s].1 == DayPattern::PmEvening)
        .collect();
    assert_eq!(model.problem.fair_shares.len(), 2);
    assert!(
        model
            .problem
            .fair_shares
            .iter()
            .all(|f| f.shifts == evening_types && f.weight == WEIGHT_FAIR_SHARE)
    );

    // A day A never works takes those days out of A's share.
    let mut never_friday = hub();
    never_friday.people[0].rules.days_never = vec![Weekday::Fri];
    never_friday.people[1].approved_leave.push((
        NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
        NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
        "Annual leave".into(),
    ));
    let shares: Vec<u32> = fair_targets(&never_friday)
        .iter()
        .map(|f| f.target)
        .collect();
    // B's contract over the period is 3/4 of A's (a week of leave): 20 × 4/7 and 20 × 3/7.
    assert_eq!(shares, vec![11, 9]);
}

#[test]
fn a_solved_rota_gives_equally_contracted_gps_evenings_within_one() {
    let input = hub();
    let model = build(&input);
    let assignments = solve_feasibly(&input, &model);
    let (a, b) = (evenings(&assignments, "A"), evenings(&assignments, "B"));
    assert!(a + b >= 20, "every evening is covered: {a} + {b}");
    assert!(a.abs_diff(b) <= 1, "A works {a} evenings, B {b}");
    assert_eq!(evenings(&assignments, "C"), 0);
    let problems = check(&input, &assignments);
    assert!(
        problems.iter().all(|p| p.rule != "fair_share"),
        "{problems:?}"
    );

    // The same evenings all given to B are reported, in plain words, as a soft problem.
    let mut unfair = assignments.clone();
    for x in &mut unfair {
        if x.staff_id == "A" && x.session == Session::Evening {
            x.staff_id = "B".into();
        }
    }
    let problems = check(&input, &unfair);
    let fair: Vec<&str> = problems
        .iter()
        .filter(|p| p.rule == "fair_share")
        .map(|p| p.message.as_str())
        .collect();
    assert!(
        problems
            .iter()
            .filter(|p| p.rule == "fair_share")
            .all(|p| !p.hard)
    );
    assert!(
        fair.contains(&"Dr A works 0 evenings over these 4 weeks, 10 fewer than a fair share of 10 (shared in proportion to contracted sessions)"),
        "{fair:?}"
    );
    assert!(
        fair.iter()
            .any(|m| m.starts_with("Dr B works") && m.contains("more than a fair share of 10")),
        "{fair:?}"
    );
}

#[test]
fn session_requests_are_weighed_met_and_explained_when_not() {
    let mut input = hub();
    let day = |d: u32| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
    let ask = |date, session, wish| SessionRequest {
        date,
        session,
        wish,
        note: None,
    };
    // C asks for Wednesday PM and for Friday AM, a day of approved leave; B asks for
    // Thursday AM off; A asks for Monday AM off, one of A's fixed sessions.
    input.people[2].session_requests = vec![
        ask(day(13), Session::Pm, SessionWish::Work),
        ask(day(15), Session::Am, SessionWish::Work),
    ];
    input.people[2]
        .approved_leave
        .push((day(15), day(15), "Annual leave".into()));
    input.people[1].session_requests = vec![ask(day(14), Session::Am, SessionWish::Off)];
    input.people[0].session_requests = vec![ask(day(11), Session::Am, SessionWish::Off)];
    let model = build(&input);
    let p = &model.problem;
    // One work request: C's Wednesday PM, met by any pattern with the PM.
    assert_eq!(p.work_requests.len(), 1);
    let wanted = &p.work_requests[0];
    assert_eq!((wanted.staff, wanted.day), (2, 2));
    let patterns: Vec<DayPattern> = wanted.shifts.iter().map(|&s| model.shift_of[s].1).collect();
    assert_eq!(
        patterns,
        vec![DayPattern::Pm, DayPattern::AmPm, DayPattern::PmEvening]
    );
    // B's Thursday AM off weighs every pattern with the AM that day; A's fixed session is
    // kept and the clash named.
    let offs: Vec<(usize, usize, DayPattern)> = p
        .off_requests
        .iter()
        .filter(|r| r.weight == WEIGHT_SESSION_REQUEST)
        .map(|r| (r.staff, r.day, model.shift_of[r.shift].1))
        .collect();
    assert!(offs.contains(&(1, 3, DayPattern::Am)) && offs.contains(&(1, 3, DayPattern::AmPm)));
    assert!(offs.iter().all(|o| o.2.sessions().contains(&Session::Am)));
    assert_eq!(
        model.conflicts,
        vec![format!(
            "Dr A asked to have Monday AM on {} off, but it is one of their fixed sessions: the fixed session is kept",
            crate::long_date(day(11))
        )]
    );

    let assignments = solve_feasibly(&input, &model);
    let works = |a: &[Assignment], id: &str, d: u32, s: Session| {
        a.iter()
            .any(|x| x.staff_id == id && x.date == day(d) && x.session == s)
    };
    assert!(works(&assignments, "C", 13, Session::Pm));
    assert!(!works(&assignments, "B", 14, Session::Am));
    let unmet = |a: &[Assignment]| {
        check(&input, a)
            .into_iter()
            .filter(|p| p.rule == "session_request")
            .collect::<Vec<_>>()
    };
    // A works the fixed Monday AM asked off: the only request left unmet.
    let left = unmet(&assignments);
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].staff_ids, vec!["A".to_string()]);

    // Moved by hand: C off on Wednesday PM and B on Thursday AM are both explained.
    let mut edited: Vec<Assignment> = assignments
        .into_iter()
        .filter(|x| !(x.staff_id == "C" && x.date == day(13)))
        .filter(|x| !(x.staff_id == "B" && x.date == day(14)))
        .collect();
    edited.push(Assignment {
        staff_id: "B".into(),
        date: day(14),
        session: Session::Am,
        site_id: "hub".into(),
        room_id: None,
    });
    let messages: Vec<String> = unmet(&edited).into_iter().map(|p| p.message).collect();
    assert!(
        messages.contains(&format!(
            "Dr C asked to work Wednesday PM on {} and is not booked then",
            crate::long_date(day(13))
        )),
        "{messages:?}"
    );
    assert!(
        messages.contains(&format!(
            "Dr B asked to have Thursday AM on {} off and is booked at Hub",
            crate::long_date(day(14))
        )),
        "{messages:?}"
    );
    assert!(
        check(&input, &edited)
            .iter()
            .filter(|p| p.rule == "session_request")
            .all(|p| !p.hard)
    );
}

#[test]
fn a_booked_coaching_session_bars_the_sessions_it_overlaps() {
    let mut input = hub();
    let day = |d: u32| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
    let at = |h: u32, m: u32| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    let coaching = |date, starts, ends| Coaching {
        date,
        starts,
        ends,
        programme: "New to practice".into(),
    };
    // B: Wednesday 14:00–15:30, in the afternoon. A: Tuesday 09:00–10:00, in A's fixed
    // Tuesday morning.
    input.people[1].coaching = vec![coaching(day(13), at(14, 0), at(15, 30))];
    input.people[0].coaching = vec![coaching(day(12), at(9, 0), at(10, 0))];
    let model = build(&input);
    let barred: Vec<DayPattern> = model
        .problem
        .unavailable
        .iter()
        .filter(|u| (u.staff, u.day) == (1, 2))
        .flat_map(|u| u.shifts.iter().map(|&s| model.shift_of[s].1))
        .collect();
    assert_eq!(
        barred,
        vec![DayPattern::Pm, DayPattern::AmPm, DayPattern::PmEvening]
    );
    assert_eq!(
        model.conflicts,
        vec![format!(
            "Dr A's fixed Tuesday AM session on {} clashes with their coaching session (New to practice) at 09:00: the coaching session is kept",
            crate::long_date(day(12))
        )]
    );
    assert!(
        !model
            .problem
            .required
            .iter()
            .any(|r| (r.staff, r.day) == (0, 1))
    );

    let assignments = solve_feasibly(&input, &model);
    assert!(!assignments.iter().any(|a| a.staff_id == "B"
        && a.date == day(13)
        && matches!(a.session, Session::Pm | Session::Evening)));
    // Nothing broken: A's Tuesday morning is the named conflict, not an unmet fixed session.
    let problems = check(&input, &assignments);
    assert!(
        problems
            .iter()
            .all(|p| p.rule != "coaching" && p.rule != "fixed_session"),
        "{problems:?}"
    );

    // Booked by hand into B's coaching afternoon: a hard problem, in plain words.
    let mut edited = assignments;
    edited.retain(|a| !(a.staff_id == "B" && a.date == day(13)));
    edited.push(Assignment {
        staff_id: "B".into(),
        date: day(13),
        session: Session::Pm,
        site_id: "hub".into(),
        room_id: None,
    });
    let problems: Vec<RotaProblem> = check(&input, &edited)
        .into_iter()
        .filter(|p| p.rule == "coaching")
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].hard);
    assert_eq!(
        problems[0].message,
        format!(
            "Dr B is booked PM on Wednesday {} at Hub, but has a coaching session (New to practice) from 14:00 to 15:30",
            crate::long_date(day(13))
        )
    );
}

#[test]
fn a_quarters_rota_keeps_each_calendar_months_evenings_within_the_limit() {
    // 13 weeks from 11 January: four calendar months. A and B may work 4 evenings a month,
    // and the hub wants a GP every weekday evening, so the search wants every evening it may
    // have; over the horizon alone the limit would be 12 each, in any month.
    let mut input = hub();
    input.period.weeks = 13;
    for person in &mut input.people[..2] {
        person.rules.max_evenings_month = Some(4);
    }
    let model = build(&input);
    let months = model
        .problem
        .window_limits
        .iter()
        .filter(|w| w.staff == 0)
        .count();
    assert_eq!(months, 4, "one evening limit a month for A");
    let month_problems = |assignments: &[Assignment]| -> Vec<String> {
        check(&input, assignments)
            .into_iter()
            .filter(|p| p.rule == "month_limit")
            .map(|p| p.message)
            .collect()
    };
    let assignments = solve_feasibly(&input, &model);
    assert!(
        month_problems(&assignments).is_empty(),
        "{:?}",
        month_problems(&assignments)
    );
    let worked = evenings(&assignments, "A") + evenings(&assignments, "B");
    assert!(worked >= 20, "{worked} evenings");
    // Without the monthly limits in the model, the same solve breaks them.
    let mut loose = build(&input);
    loose.problem.window_limits.clear();
    let outcome = rota::solve(
        &loose.problem,
        &rota::Options {
            seed: 1,
            time_limit: None,
            step_limit: Some(150_000),
            ..rota::Options::default()
        },
        &|_| {},
    );
    assert!(!month_problems(&loose.decode(&input, &outcome.roster)).is_empty());
}
