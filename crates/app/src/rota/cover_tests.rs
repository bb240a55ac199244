//! "Who could cover this": offers only people no hard rule bars, and does offer the free,
//! allowed ones; the cover view counts as `check` does.
use super::*;
use crate::rota::plan::{BookedElsewhere, SiteInput};
use chrono::Weekday;
use domain::role::StaffGroup;
use domain::rota::{CoverRequirement, RotaPeriod, RotaRules, SessionTimes};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 1, d).unwrap()
}

/// Wednesday 13 January 2027, the gap's day.
fn wednesday() -> NaiveDate {
    day(13)
}

fn person(id: &str, role: Role) -> PersonInput {
    PersonInput {
        id: id.into(),
        name: id.into(),
        role,
        skills: Vec::new(),
        sessions_per_week: 6.0,
        share: 1.0,
        elsewhere: Vec::new(),
        site_ids: vec!["riverside".into()],
        rules: RotaRules::default(),
        approved_leave: Vec::new(),
        requested_leave: Vec::new(),
        session_requests: Vec::new(),
        coaching: Vec::new(),
        employed: (NaiveDate::MIN, None),
    }
}

fn castle(date: NaiveDate, session: Session, ends: (u32, u32)) -> BookedElsewhere {
    let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
    BookedElsewhere {
        date,
        session,
        site_name: "Castle Street".into(),
        times: SessionTimes::new(session.default_times().starts, t(ends.0, ends.1)),
    }
}

fn booked(staff: &str, date: NaiveDate, session: Session, site: &str) -> Assignment {
    Assignment {
        staff_id: staff.into(),
        date,
        session,
        site_id: site.into(),
        room_id: None,
    }
}

/// One week from Monday 11 January 2027 at Riverside and Hill, each needing at least two
/// GPs (ideally three) every weekday AM and PM. Wednesday AM at Riverside has nobody: the
/// gap. Around it, one GP for each hard rule that bars them, and two who are free.
fn practice() -> (RotaInput, Vec<Assignment>) {
    let sessions = [Session::Am, Session::Pm, Session::Evening]
        .into_iter()
        .map(|s| (s, s.default_times()))
        .collect::<BTreeMap<_, _>>();
    let site = |id: &str, name: &str| SiteInput {
        id: id.into(),
        name: name.into(),
        practice_ods: "Y00001".into(),
        sessions: sessions.clone(),
    };
    let mut cover = Vec::new();
    for site_id in ["riverside", "hill"] {
        for weekday in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ] {
            for session in [Session::Am, Session::Pm] {
                cover.push(CoverRequirement {
                    site_id: site_id.into(),
                    weekday,
                    session,
                    need: CoverNeed::Group(StaffGroup::Gp),
                    minimum: 2,
                    ideal: 3,
                });
            }
        }
    }
    let gp = |id: &str| person(id, Role::SalariedGp);
    let mut people = vec![
        // Free: off on Wednesday, well short of a 6-session contract.
        gp("Free"),
        // Works Wednesday PM at Riverside: could add the morning (AM + PM).
        gp("Afternoon"),
    ];
    let mut leave = gp("On leave");
    leave.approved_leave = vec![(day(12), day(14), "Annual leave".into())];
    people.push(leave);
    let mut rest = gp("Short rest");
    rest.elsewhere = vec![castle(day(12), Session::Evening, (21, 30))];
    people.push(rest);
    let mut contacts = gp("Many contacts");
    contacts.rules.appointments_per_session = Some(15);
    people.push(contacts);
    let mut starter = gp("Starter");
    starter.employed = (day(14), None);
    people.push(starter);
    let mut leaver = gp("Leaver");
    leaver.employed = (NaiveDate::MIN, Some(day(12)));
    people.push(leaver);
    let mut hill = gp("Hill only");
    hill.site_ids = vec!["hill".into()];
    people.push(hill);
    people.push(person("Nurse", Role::PracticeNurse));
    let mut full = gp("Full contract");
    full.sessions_per_week = 2.0;
    people.push(full);
    let mut run = gp("Long run");
    run.elsewhere = (7..=10)
        .map(|d| castle(day(d), Session::Am, (13, 0)))
        .collect();
    people.push(run);
    let mut never = gp("Never Wednesday");
    never.rules.days_never = vec![Weekday::Wed];
    people.push(never);
    let mut twice = gp("Castle that morning");
    twice.elsewhere = vec![castle(wednesday(), Session::Am, (13, 0))];
    people.push(twice);
    let mut split = gp("At Hill that day");
    split.site_ids = vec!["riverside".into(), "hill".into()];
    people.push(split);
    let input = RotaInput {
        period: RotaPeriod {
            from: day(11),
            weeks: 1,
        },
        sites: vec![site("riverside", "Riverside"), site("hill", "Hill")],
        rooms: Vec::new(),
        people,
        cover,
        locked: Vec::new(),
        current: Vec::new(),
    };
    let assignments = vec![
        booked("Free", day(11), Session::Am, "riverside"),
        booked("Free", day(12), Session::Am, "riverside"),
        booked("Afternoon", wednesday(), Session::Pm, "riverside"),
        booked("Many contacts", wednesday(), Session::Pm, "riverside"),
        booked("Full contract", day(11), Session::Am, "riverside"),
        booked("Full contract", day(12), Session::Am, "riverside"),
        booked("Long run", day(11), Session::Am, "riverside"),
        booked("Long run", day(12), Session::Am, "riverside"),
        booked("At Hill that day", wednesday(), Session::Pm, "hill"),
    ];
    (input, assignments)
}

fn names(choice: &CoverChoice) -> Vec<&str> {
    choice.offers.iter().map(|o| o.name.as_str()).collect()
}

fn reason<'a>(choice: &'a CoverChoice, name: &str) -> &'a str {
    choice
        .barred
        .iter()
        .find(|b| b.name == name)
        .map(|b| b.reason.as_str())
        .unwrap_or_else(|| panic!("{name} is not barred: {choice:#?}"))
}

#[test]
fn the_free_allowed_people_are_offered_and_nobody_a_hard_rule_bars() {
    let (input, assignments) = practice();
    let gp = CoverNeed::Group(StaffGroup::Gp);
    let choice = who_could_cover(
        &input,
        &assignments,
        "riverside",
        wednesday(),
        Session::Am,
        Some(&gp),
    );
    let mut offered = names(&choice);
    offered.sort();
    assert_eq!(offered, ["Afternoon", "Free"], "{choice:#?}");
    let free = choice.offers.iter().find(|o| o.name == "Free").unwrap();
    assert_eq!(free.pattern, DayPattern::Am);
    assert_eq!(free.now, None);
    assert_eq!((free.booked_halves, free.contract_halves), (4, 12));
    let afternoon = choice
        .offers
        .iter()
        .find(|o| o.name == "Afternoon")
        .unwrap();
    assert_eq!(afternoon.now, Some(DayPattern::Pm));
    assert_eq!(afternoon.pattern, DayPattern::AmPm);

    // Each barred person is barred by the rule set up for them, in check's words.
    assert!(reason(&choice, "On leave").contains("approved annual leave"));
    assert!(reason(&choice, "Short rest").contains("of rest"));
    assert!(reason(&choice, "Many contacts").contains("planned contacts"));
    assert!(reason(&choice, "Starter").contains("starts on 14 January 2027"));
    assert!(reason(&choice, "Leaver").contains("left on 12 January 2027"));
    assert!(reason(&choice, "Full contract").contains("at most 2"));
    assert!(reason(&choice, "Long run").contains("days in a row"));
    assert!(reason(&choice, "Never Wednesday").contains("never works on a Wednesday"));
    assert!(reason(&choice, "Castle that morning").contains("another published rota"));
    assert!(reason(&choice, "At Hill that day").contains("a day is worked at one site"));
    // Not at the site, or not a GP: never offered, and not listed as barred either.
    assert_eq!(choice.elsewhere, 1);
    for name in ["Hill only", "Nurse"] {
        assert!(!names(&choice).contains(&name));
        assert!(choice.barred.iter().all(|b| b.name != name));
    }
}

/// Booking anyone offered for any gap of the week brings no hard problem by the whole
/// rota's check, so `Rota::edit_rota_day` saves it without an override.
#[test]
fn every_offer_for_every_gap_keeps_every_hard_rule() {
    let (input, assignments) = practice();
    let before = check(&input, &assignments);
    let lines = cover_lines(&input, &assignments);
    let mut tried = 0;
    for line in gaps(&lines) {
        let choice = who_could_cover(
            &input,
            &assignments,
            &line.site_id,
            line.date,
            line.session,
            Some(&line.need),
        );
        for offer in &choice.offers {
            let mut after: Vec<Assignment> = assignments
                .iter()
                .filter(|a| !(a.staff_id == offer.staff_id && a.date == line.date))
                .cloned()
                .collect();
            after.extend(
                offer
                    .pattern
                    .sessions()
                    .iter()
                    .map(|&s| booked(&offer.staff_id, line.date, s, &line.site_id)),
            );
            let brought = new_hard_problems(
                &input,
                (&assignments, &before),
                (&after, &check(&input, &after)),
                &offer.staff_id,
                line.date,
            );
            assert!(
                brought.is_empty(),
                "{} {}: {brought:#?}",
                offer.name,
                line.place()
            );
            tried += 1;
        }
        // And each barred person really would break a hard rule there.
        for barred in &choice.barred {
            assert!(!barred.reason.is_empty());
        }
    }
    assert!(tried > 10, "only {tried} offers tried");
}

#[test]
fn someone_short_of_their_contract_may_be_given_one_more_session() {
    let (input, assignments) = practice();
    let before = check(&input, &assignments);
    assert!(
        before
            .iter()
            .any(|p| p.rule == "contract" && p.staff_ids == ["Free"]),
        "Free starts short of the contract"
    );
    let mut after = assignments.clone();
    after.push(booked("Free", wednesday(), Session::Am, "riverside"));
    let brought = new_hard_problems(
        &input,
        (&assignments, &before),
        (&after, &check(&input, &after)),
        "Free",
        wednesday(),
    );
    assert!(brought.is_empty(), "{brought:#?}");
    // Taking a session away from someone short of the contract is a new problem.
    let fewer: Vec<Assignment> = assignments
        .iter()
        .filter(|a| !(a.staff_id == "Free" && a.date == day(11)))
        .cloned()
        .collect();
    let brought = new_hard_problems(
        &input,
        (&assignments, &before),
        (&fewer, &check(&input, &fewer)),
        "Free",
        day(11),
    );
    assert_eq!(brought.len(), 1, "{brought:#?}");
    assert_eq!(brought[0].rule, "contract");
}

#[test]
fn the_cover_view_counts_needed_booked_and_gaps_as_the_check_does() {
    let (input, assignments) = practice();
    let lines = cover_lines(&input, &assignments);
    // Two sites × 5 weekdays × AM and PM.
    assert_eq!(lines.len(), 20);
    let wednesday_pm = lines
        .iter()
        .find(|l| l.site_id == "riverside" && l.date == wednesday() && l.session == Session::Pm)
        .unwrap();
    assert_eq!(wednesday_pm.booked, 2);
    assert_eq!(wednesday_pm.level(), CoverLevel::BelowIdeal);
    assert_eq!(wednesday_pm.short(), 1);
    assert_eq!(
        wednesday_pm.message().unwrap(),
        "Wednesday 13 January 2027 PM at Riverside: 1 person below the ideal of 3 (GP: 2 booked)"
    );
    // Monday and Tuesday AM at Riverside have their three; Wednesday PM there two.
    let counts = gap_counts(&lines);
    assert_eq!(counts.below_minimum, 17);
    assert_eq!(counts.below_ideal, 1);
    let listed = gaps(&lines);
    assert_eq!(listed.len(), 18);
    assert!(
        listed[..17]
            .iter()
            .all(|l| l.level() == CoverLevel::BelowMinimum)
    );
    assert_eq!(listed[17].level(), CoverLevel::BelowIdeal);
    // The check's cover problems are the gaps, one for one.
    let problems = check(&input, &assignments);
    let cover: Vec<&RotaProblem> = problems
        .iter()
        .filter(|p| p.rule == "cover" || p.rule == "cover_ideal")
        .collect();
    assert_eq!(cover.len(), 18);
    assert!(cover.iter().any(|p| p.message
        == "Monday 11 January 2027 PM at Riverside: 2 people short of the minimum of 2 (GP: 0 booked)"));
}
