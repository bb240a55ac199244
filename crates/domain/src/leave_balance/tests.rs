//! Hand-worked balances for the leave year 1 April 2026 – 31 March 2027.
use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// England and Wales bank holidays of 2026 and 2027 as gov.uk/bank-holidays lists them.
/// The leave year from 1 April 2026 holds ten of them: Easter falls in it twice.
fn bank_holidays() -> Vec<NaiveDate> {
    [
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",
        "2027-12-28",
    ]
    .into_iter()
    .map(day)
    .collect()
}

fn year() -> LeaveYear {
    LeaveYear::containing(day("2026-06-15"), 4)
}

fn full_time() -> LeavePerson {
    LeavePerson {
        wte: 1.0,
        working_days: working_days(&[]),
        employed_from: day("2015-09-01"),
        employed_to: None,
        full_time_days: 27.0,
        carried_over_hours: 0.0,
    }
}

fn approved(start: &str, end: &str) -> LeaveSpan {
    LeaveSpan {
        start: day(start),
        end: day(end),
        status: LeaveStatus::Approved,
    }
}

#[test]
fn the_leave_year_starts_in_the_chosen_month() {
    assert_eq!(year().start, day("2026-04-01"));
    assert_eq!(year().end, day("2027-03-31"));
    assert_eq!(year().days(), 365);
    let march = LeaveYear::containing(day("2027-03-15"), 4);
    assert_eq!(march.start, day("2026-04-01"));
    let calendar = LeaveYear::containing(day("2026-06-15"), 1);
    assert_eq!(
        (calendar.start, calendar.end),
        (day("2026-01-01"), day("2026-12-31"))
    );
    assert_eq!(year().previous().start, day("2025-04-01"));
    assert_eq!(year().label(), "1 April 2026 to 31 March 2027");
}

#[test]
fn full_time_is_27_days_after_the_bank_holidays() {
    let b = balance(
        year(),
        &full_time(),
        &bank_holidays(),
        &[],
        day("2026-04-01"),
    );
    // (27 + 10 bank holidays) × 7.5 hours.
    assert_eq!(b.entitlement_hours, 277.5);
    assert_eq!(b.bank_holidays_worked_days, 10);
    assert_eq!(b.bank_holiday_hours, 75.0);
    assert_eq!(b.remaining_hours, 202.5);
    assert_eq!(b.text(b.remaining_hours, LeaveUnit::Days), "27 days");
    assert_eq!(b.text(b.remaining_hours, LeaveUnit::Hours), "202.5 hours");
}

#[test]
fn part_time_is_pro_rata_and_a_bank_holiday_on_a_day_off_is_kept() {
    // 0.6 WTE over three days: 22.5 hours a week, 7.5 hours a day.
    let mon_to_wed = LeavePerson {
        wte: 0.6,
        working_days: working_days(&[Weekday::Thu, Weekday::Fri]),
        ..full_time()
    };
    let b = balance(
        year(),
        &mon_to_wed,
        &bank_holidays(),
        &[],
        day("2026-04-01"),
    );
    // 37 days × 7.5 × 0.6 = 166.5 hours.
    assert_eq!(b.day_hours, 7.5);
    assert_eq!(b.entitlement_hours, 166.5);
    // Six of the ten fall on a Monday; the four Fridays are days off.
    assert_eq!(b.bank_holidays_worked_days, 6);
    assert_eq!(b.remaining_hours, 121.5);
    assert_eq!(b.text(b.remaining_hours, LeaveUnit::Days), "16.2 days");

    let wed_to_fri = LeavePerson {
        working_days: working_days(&[Weekday::Mon, Weekday::Tue]),
        ..mon_to_wed.clone()
    };
    let b = balance(
        year(),
        &wed_to_fri,
        &bank_holidays(),
        &[],
        day("2026-04-01"),
    );
    // Good Friday twice, Christmas Day and New Year's Day fall on a Friday: 4 × 7.5.
    assert_eq!(b.bank_holidays_worked_days, 4);
    assert_eq!(b.remaining_hours, 136.5);
    assert_eq!(b.text(b.remaining_hours, LeaveUnit::Days), "18.2 days");

    // Five short days: 3.75 hours a day; 37 × 7.5 × 0.5 = 138.75, rounded up to 139.
    let half = LeavePerson {
        wte: 0.5,
        ..full_time()
    };
    let b = balance(year(), &half, &bank_holidays(), &[], day("2026-04-01"));
    assert_eq!(b.day_hours, 3.75);
    assert_eq!(b.entitlement_hours, 139.0);
    assert_eq!(b.remaining_hours, 139.0 - 37.5);
}

#[test]
fn a_starter_mid_year_gets_the_share_of_the_year_employed() {
    let starter = LeavePerson {
        employed_from: day("2026-10-01"),
        ..full_time()
    };
    let b = balance(year(), &starter, &bank_holidays(), &[], day("2026-10-01"));
    // 182 of 365 days: 277.5 × 182 / 365 = 138.37, rounded up to 138.5 hours.
    assert_eq!(b.entitlement_hours, 138.5);
    // Christmas, Boxing Day (moved), New Year's Day and Easter 2027's two.
    assert_eq!(b.bank_holidays_worked_days, 5);
    assert_eq!(b.remaining_hours, 101.0);
    assert_eq!(b.text(b.remaining_hours, LeaveUnit::Days), "13.5 days");
    assert!(!b.behind, "a starter on their first day is not behind");
}

#[test]
fn a_leaver_who_took_more_than_accrued_owes_it() {
    let leaver = LeavePerson {
        employed_to: Some(day("2026-09-30")),
        ..full_time()
    };
    let leave = [
        approved("2026-07-06", "2026-07-17"), // 10 working days
        approved("2026-08-24", "2026-09-04"), // 9: Monday 31 August is a bank holiday
        approved("2026-09-28", "2026-10-09"), // 3 before leaving, none after
    ];
    let b = balance(year(), &leaver, &bank_holidays(), &leave, day("2026-09-15"));
    // 183 of 365 days: 277.5 × 183 / 365 = 139.13, rounded up to 139.5.
    assert_eq!(b.entitlement_hours, 139.5);
    assert_eq!(b.bank_holidays_worked_days, 5);
    assert_eq!(b.taken_hours, 19.0 * 7.5);
    assert_eq!(b.booked_hours, 3.0 * 7.5);
    // 139.5 − 37.5 − 142.5 − 22.5.
    assert_eq!(b.remaining_hours, -63.0);
    assert_eq!(b.text(b.remaining_hours, LeaveUnit::Days), "-8.4 days");
}

#[test]
fn requested_leave_is_apart_and_refused_leave_counts_for_nothing() {
    let leave = [
        LeaveSpan {
            status: LeaveStatus::Requested,
            ..approved("2026-08-24", "2026-09-04")
        },
        LeaveSpan {
            status: LeaveStatus::Refused,
            ..approved("2026-06-01", "2026-06-05")
        },
    ];
    let b = balance(
        year(),
        &full_time(),
        &bank_holidays(),
        &leave,
        day("2026-06-15"),
    );
    assert_eq!(b.requested_hours, 67.5);
    assert_eq!((b.taken_hours, b.booked_hours), (0.0, 0.0));
    assert_eq!(b.remaining_hours, 202.5);
}

#[test]
fn behind_is_a_working_week_short_of_the_leave_due_by_now() {
    // 184 of 365 days gone: 202.5 × 184 / 365 = 102.08 hours due.
    let none = balance(
        year(),
        &full_time(),
        &bank_holidays(),
        &[],
        day("2026-10-01"),
    );
    assert_eq!(none.due_by_now_hours, 102.08);
    assert!(none.behind);
    let two_weeks = [approved("2026-07-06", "2026-07-17")];
    let some = balance(
        year(),
        &full_time(),
        &bank_holidays(),
        &two_weeks,
        day("2026-10-01"),
    );
    assert_eq!(some.behind_by_hours, 27.08);
    assert!(!some.behind, "27 hours behind is under a 37.5-hour week");
}

#[test]
fn carry_over_is_capped_pro_rata_and_never_negative() {
    let policy = LeavePolicy::default();
    // 5 full-time days × 7.5 × 0.8.
    let cap = policy.carry_over_cap_hours(0.8);
    assert_eq!(cap, 30.0);
    assert_eq!(carry_over(40.0, cap), 30.0);
    assert_eq!(carry_over(12.0, cap), 12.0);
    assert_eq!(carry_over(-3.0, cap), 0.0);
    let carried = LeavePerson {
        carried_over_hours: 30.0,
        ..full_time()
    };
    let b = balance(year(), &carried, &bank_holidays(), &[], day("2026-04-01"));
    assert_eq!(b.remaining_hours, 232.5);
    // A manager may type up to the cap, in the practice's unit.
    let form = |text: &str| EntitlementForm {
        full_time_days: "29".into(),
        carried_over: text.into(),
    };
    let ok = form("5").parse(LeaveUnit::Days, 6.0, cap).unwrap();
    assert_eq!(ok.carried_over_hours, Some(30.0));
    assert_eq!(ok.full_time_days, Some(29.0));
    let over = form("6").parse(LeaveUnit::Days, 6.0, cap).unwrap_err();
    assert_eq!(over.0[0].field, "carried_over");
    assert!(
        over.0[0].message.contains("At most 5 days"),
        "{}",
        over.0[0].message
    );
    let blank = EntitlementForm::default()
        .parse(LeaveUnit::Hours, 6.0, cap)
        .unwrap();
    assert_eq!(
        blank,
        EntitlementDraft {
            full_time_days: None,
            carried_over_hours: None
        }
    );
}

#[test]
fn the_policy_form_names_the_field_at_fault() {
    let good = LeavePolicyForm {
        year_start_month: "January".into(),
        full_time_days: "27".into(),
        carry_over_days: "5".into(),
        unit: "hours".into(),
    }
    .parse()
    .unwrap();
    assert_eq!(good.year_start_month, 1);
    assert_eq!(good.unit, LeaveUnit::Hours);
    let bad = LeavePolicyForm {
        year_start_month: "13".into(),
        full_time_days: "27.3".into(),
        carry_over_days: "5".into(),
        unit: "weeks".into(),
    }
    .parse()
    .unwrap_err();
    let fields: Vec<_> = bad.0.iter().map(|e| e.field).collect();
    assert_eq!(fields, ["year_start_month", "full_time_days", "unit"]);
}

#[test]
fn a_request_uses_the_working_days_that_are_not_bank_holidays() {
    let holidays = bank_holidays();
    let mon_to_wed = working_days(&[Weekday::Thu, Weekday::Fri]);
    // Monday 24 August to Friday 4 September 2026; Monday 31 August is a bank holiday.
    let (start, end) = (day("2026-08-24"), day("2026-09-04"));
    assert_eq!(leave_days(&working_days(&[]), &holidays, start, end), 9);
    assert_eq!(leave_days(&mon_to_wed, &holidays, start, end), 5);
    assert_eq!(leave_days(&mon_to_wed, &holidays, end, start), 0);
}
