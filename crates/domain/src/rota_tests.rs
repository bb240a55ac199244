//! Tests of `rota.rs`.
use super::*;

#[test]
fn patterns_are_made_of_sessions_and_count_contacts() {
    assert_eq!(
        DayPattern::of(&[Session::Pm, Session::Am]),
        Some(DayPattern::AmPm)
    );
    assert_eq!(DayPattern::of(&[Session::Am, Session::Evening]), None);
    assert_eq!(DayPattern::AmPm.contacts(12), 24);
    assert!(DayPattern::AmPm.contacts(13) > MAX_CONTACTS_PER_DAY);
    assert_eq!(DayPattern::PmEvening.contract_halves(), 3);
    assert!(DayPattern::Saturday.on(Weekday::Sat));
    assert!(!DayPattern::AmPm.on(Weekday::Sat));
}

#[test]
fn cover_needs_round_trip_and_count_people() {
    for text in ["group:gp", "role:practice_nurse", "skill:minor surgery"] {
        assert_eq!(CoverNeed::parse(text).unwrap().code(), text);
    }
    let gp = CoverNeed::parse("group:gp").unwrap();
    assert!(gp.counts(Role::SalariedGp, &[]));
    assert!(!gp.counts(Role::PracticeNurse, &[]));
    let skill = CoverNeed::parse("skill:Minor surgery").unwrap();
    assert!(skill.counts(Role::GpPartner, &["minor surgery".into()]));
    assert_eq!(CoverNeed::parse("wizard").unwrap_err().field, "need");
}

#[test]
fn cover_forms_name_the_field_in_error() {
    let form = CoverForm {
        site_id: "s".into(),
        weekday: "Saturday".into(),
        session: "am".into(),
        need: "group:gp".into(),
        minimum: "3".into(),
        ideal: "2".into(),
    };
    let errors = form.parse().unwrap_err();
    assert!(
        errors
            .message_for("ideal")
            .unwrap()
            .contains("below the minimum")
    );
    assert!(
        errors
            .message_for("session")
            .unwrap()
            .contains("no AM session on Saturday")
    );
    let ok = CoverForm {
        weekday: "tue".into(),
        ideal: String::new(),
        minimum: "2".into(),
        ..form
    }
    .parse()
    .unwrap();
    assert_eq!((ok.weekday, ok.minimum, ok.ideal), (Weekday::Tue, 2, 2));
}

#[test]
fn rules_parse_fixed_sessions_and_refuse_unsafe_consulting() {
    let rules = RotaRulesForm {
        fixed_sessions: "Monday AM; tue:pm".into(),
        days_never: "Wednesday".into(),
        max_evenings_month: "2".into(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    assert_eq!(
        rules.fixed_sessions,
        vec![(Weekday::Mon, Session::Am), (Weekday::Tue, Session::Pm)]
    );
    assert_eq!(rules.fixed_text(), "mon:am;tue:pm");
    assert_eq!(RotaRulesForm::from_rules(&rules).parse().unwrap(), rules);
    let clash = RotaRulesForm {
        fixed_sessions: "Wednesday PM".into(),
        days_never: "wed".into(),
        ..Default::default()
    }
    .parse()
    .unwrap_err();
    assert!(
        clash
            .message_for("fixed_sessions")
            .unwrap()
            .contains("never worked")
    );
    let unsafe_session = RotaRulesForm {
        appointments_per_session: "16".into(),
        appointment_minutes: "15".into(),
        ..Default::default()
    }
    .parse()
    .unwrap_err();
    assert!(
        unsafe_session
            .message_for("appointments_per_session")
            .unwrap()
            .contains("240 minutes")
    );
}

#[test]
fn periods_start_on_a_monday() {
    let p = RotaPeriod::parse("2026-11-30", "4").unwrap();
    assert_eq!(p.days().count(), 28);
    assert_eq!(p.last_day().to_string(), "2026-12-27");
    let e = RotaPeriod::parse("2026-12-01", "14").unwrap_err();
    assert!(e.message_for("from").unwrap().contains("Monday"));
    assert!(e.message_for("weeks").is_some());
}

#[test]
fn a_session_request_names_each_field_it_cannot_take() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let ok = SessionRequestForm {
        date: "2026-12-01".into(),
        session: "PM".into(),
        wish: "off".into(),
        note: "  school play ".into(),
    }
    .parse(today)
    .unwrap();
    assert_eq!(ok.session, Session::Pm);
    assert_eq!(ok.wish, SessionWish::Off);
    assert_eq!(ok.note.as_deref(), Some("school play"));
    let bad = SessionRequestForm {
        date: "2026-11-27".into(),
        session: "night".into(),
        wish: "maybe".into(),
        note: "x".repeat(201),
    }
    .parse(today)
    .unwrap_err();
    for field in ["date", "session", "wish", "note"] {
        assert!(bad.message_for(field).is_some(), "{field}");
    }
    // A Saturday session on a Tuesday.
    let wrong_day = SessionRequestForm {
        date: "2026-12-01".into(),
        session: "saturday".into(),
        wish: "work".into(),
        note: String::new(),
    }
    .parse(today)
    .unwrap_err();
    assert!(
        wrong_day
            .message_for("session")
            .unwrap()
            .contains("Tuesday")
    );
}
