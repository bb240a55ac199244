//! Tests of the cover template's suggestion and checks.
use super::*;
use chrono::NaiveDate;
use domain::role::StaffGroup;

fn week(day: u32, hcp: &str, demand: f64) -> (NaiveDate, String, f64, f64) {
    (
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
        hcp.to_string(),
        demand,
        0.0,
    )
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

#[test]
fn demand_suggests_people_a_weekday_session() {
    let mut rules = analytics::capacity::CapacityRules::default();
    rules.per_session.insert(StaffGroup::Nurses, 10.0);
    let weeks = vec![
        // Weeks ended before today are not used.
        week(2, "GP", 9000.0),
        week(9, "GP", 300.0),
        week(16, "GP", 340.0),
        week(23, "GP", 320.0),
        week(30, "GP", 320.0),
        // The fifth week from today is beyond the average.
        (
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            "GP".into(),
            9000.0,
            0.0,
        ),
        week(9, "Other Practice staff", 200.0),
        week(9, "Unknown", 5000.0),
    ];
    let nurses_only: BTreeMap<StaffGroup, f64> = [(StaffGroup::Nurses, 20.0)].into();
    let suggested = suggest_cover(&weeks, &rules, &nurses_only, day(13));
    assert_eq!(suggested.len(), 2, "{suggested:?}");
    // GP: 320 a week → 32 a session → 32 / 12 = 2.67 → 3 GPs.
    assert_eq!(suggested[0].need, CoverNeed::Group(StaffGroup::Gp));
    assert!((suggested[0].appointments - 32.0).abs() < 1e-9);
    assert_eq!(suggested[0].people, 3);
    // Other practice staff, all given by nurses here: 200 a week → 20 a session at the
    // practice's 10 each → exactly 2.
    assert_eq!(suggested[1].need, CoverNeed::Group(StaffGroup::Nurses));
    assert_eq!(suggested[1].share, 1.0);
    assert_eq!(suggested[1].per_person, 10.0);
    assert_eq!(suggested[1].people, 2);
    // Nobody works those sessions yet: the nurses are suggested for all of it.
    let none = suggest_cover(&weeks, &rules, &BTreeMap::new(), day(13));
    assert_eq!(none[1].need, CoverNeed::Group(StaffGroup::Nurses));
    assert_eq!(none[1].people, 2);
    assert!(suggest_cover(&[], &rules, &nurses_only, day(13)).is_empty());
}

#[test]
fn other_practice_staff_demand_is_shared_by_the_sessions_each_group_works() {
    let rules = analytics::capacity::CapacityRules::default();
    let weeks = vec![week(9, "Other Practice staff", 840.0)];
    // 84 a session: nurses work 28 of the 64 sessions (43.75 %), direct patient care 36.
    let sessions: BTreeMap<StaffGroup, f64> = [
        (StaffGroup::Nurses, 28.0),
        (StaffGroup::DirectPatientCare, 36.0),
        (StaffGroup::Gp, 23.0),
    ]
    .into();
    let suggested = suggest_cover(&weeks, &rules, &sessions, day(9));
    assert_eq!(suggested.len(), 2);
    assert_eq!(suggested[0].need, CoverNeed::Group(StaffGroup::Nurses));
    assert!((suggested[0].hcp_appointments - 84.0).abs() < 1e-9);
    assert!((suggested[0].appointments - 36.75).abs() < 1e-9);
    assert_eq!(suggested[0].people, 4, "36.75 / 12 = 3.06");
    assert_eq!(
        suggested[1].need,
        CoverNeed::Group(StaffGroup::DirectPatientCare)
    );
    assert!((suggested[1].appointments - 47.25).abs() < 1e-9);
    assert_eq!(suggested[1].people, 4, "47.25 / 12 = 3.94");
}

#[test]
fn a_week_with_a_bank_holiday_has_fewer_sessions() {
    let rules = analytics::capacity::CapacityRules::default();
    // Monday 4 May 2026 is the early May bank holiday: 240 over 8 sessions, not 10.
    let weeks = vec![(
        NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
        "GP".to_string(),
        240.0,
        0.0,
    )];
    let suggested = suggest_cover(
        &weeks,
        &rules,
        &BTreeMap::new(),
        NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
    );
    assert!((suggested[0].appointments - 30.0).abs() < 1e-9);
    assert_eq!(suggested[0].people, 3);
}

fn cover(
    site: &str,
    weekday: chrono::Weekday,
    session: Session,
    need: StaffGroup,
    minimum: u32,
    ideal: u32,
) -> CoverRequirement {
    CoverRequirement {
        site_id: site.into(),
        weekday,
        session,
        need: CoverNeed::Group(need),
        minimum,
        ideal,
    }
}

#[test]
fn a_suggestion_replaces_the_weekday_cover_it_is_for_and_keeps_the_rest() {
    use chrono::Weekday::{Mon, Sat, Tue};
    let suggestion = |need, appointments: f64| SuggestedCover {
        need: CoverNeed::Group(need),
        hcp_type: "GP".into(),
        hcp_appointments: appointments,
        share: 1.0,
        appointments,
        per_person: 12.0,
        people: (appointments / 12.0).ceil() as u32,
    };
    // GPs: 78 a session → 6.5 → ideal 7, minimum 6.
    let suggested = vec![suggestion(StaffGroup::Gp, 78.0)];
    let current = vec![
        cover("main", Mon, Session::Am, StaffGroup::Gp, 1, 2),
        cover("main", Mon, Session::Am, StaffGroup::AdminNonClinical, 3, 4),
        cover("main", Mon, Session::Evening, StaffGroup::Gp, 1, 1),
        cover("main", Sat, Session::Saturday, StaffGroup::Gp, 1, 1),
        // The branch gives a GP every weekday morning already.
        cover("branch", Mon, Session::Am, StaffGroup::Gp, 1, 1),
        cover("branch", Tue, Session::Am, StaffGroup::Gp, 1, 1),
    ];
    let out = cover_from_suggestion("main", &suggested, &current);
    let find = |weekday, session, need| {
        out.iter()
            .find(|c| {
                c.weekday == weekday && c.session == session && c.need == CoverNeed::Group(need)
            })
            .map(|c| (c.minimum, c.ideal))
    };
    assert_eq!(
        find(Mon, Session::Am, StaffGroup::Gp),
        Some((5, 6)),
        "less the branch's GP"
    );
    assert_eq!(find(Mon, Session::Pm, StaffGroup::Gp), Some((6, 7)));
    assert_eq!(find(Tue, Session::Am, StaffGroup::Gp), Some((5, 6)));
    assert_eq!(
        find(chrono::Weekday::Fri, Session::Pm, StaffGroup::Gp),
        Some((6, 7))
    );
    // Other needs, evenings and Saturdays are as they were.
    assert_eq!(
        find(Mon, Session::Am, StaffGroup::AdminNonClinical),
        Some((3, 4))
    );
    assert_eq!(find(Mon, Session::Evening, StaffGroup::Gp), Some((1, 1)));
    assert_eq!(find(Sat, Session::Saturday, StaffGroup::Gp), Some((1, 1)));
    assert_eq!(out.len(), 3 + 10, "ten weekday sessions of GPs");
    assert!(out.iter().all(|c| c.site_id == "main"));
    // A small demand still asks for one.
    let out = cover_from_suggestion("main", &[suggestion(StaffGroup::Nurses, 3.0)], &[]);
    assert_eq!(out.len(), 10);
    assert!(out.iter().all(|c| (c.minimum, c.ideal) == (1, 1)));
}

#[test]
fn evenings_run_when_opened_or_covered_and_a_closed_session_stays_closed() {
    let row = |session: &str, open: bool| SiteSessionRow {
        site_id: "s".into(),
        session: session.into(),
        starts: "18:00".into(),
        ends: "20:30".into(),
        open,
    };
    let saturday_cover = CoverRequirement {
        site_id: "s".into(),
        weekday: chrono::Weekday::Sat,
        session: Session::Saturday,
        need: CoverNeed::Group(StaffGroup::Gp),
        minimum: 1,
        ideal: 1,
    };
    let states = |rows: &[SiteSessionRow], cover: &[CoverRequirement]| {
        session_states("s", rows, cover)
            .into_iter()
            .map(|s| s.state)
            .collect::<Vec<_>>()
    };
    use SessionState::*;
    assert_eq!(
        states(&[], &[]),
        [Open, Open, ClosedUnlessCovered, ClosedUnlessCovered]
    );
    assert_eq!(
        states(
            &[row("evening", true)],
            std::slice::from_ref(&saturday_cover)
        ),
        [Open, Open, Open, OpenForCover]
    );
    assert_eq!(
        states(
            &[row("pm", false), row("saturday", false)],
            &[saturday_cover]
        ),
        [Open, Closed, ClosedUnlessCovered, Closed]
    );
    let evening = &session_states("s", &[row("evening", true)], &[])[2];
    assert_eq!(evening.times.starts.to_string(), "18:00:00");
}
