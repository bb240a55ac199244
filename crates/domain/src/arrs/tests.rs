//! Hand-worked claims: each figure below was worked out on paper from the rule
//! `min(salary + NI + pension, annual max × WTE ÷ 12) × days in post ÷ days in month × share`.
use super::*;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn month(text: &str) -> ClaimMonth {
    ClaimMonth::parse(text).unwrap()
}

fn rate(role: Role, annual_max: f64, share: f64, from: &str, created: &str) -> Rate {
    Rate {
        id: format!("{}-{from}-{created}", role.code()),
        role,
        band: String::new(),
        area: Area::National,
        annual_max,
        share,
        effective_from: day(from),
        source: "hand-worked test".into(),
        created_at: created.into(),
    }
}

fn post(role: Role, wte: f64, start: &str, end: Option<&str>, cost: (f64, f64, f64)) -> Post {
    Post {
        staff_id: "s1".into(),
        name: "Sam Example".into(),
        role,
        band: String::new(),
        wte,
        start: day(start),
        end: end.map(day),
        employer: "U99901".into(),
        engagement: Engagement::Employed,
        monthly_salary: cost.0,
        employer_ni: cost.1,
        employer_pension: cost.2,
        previous_post_ended: None,
    }
}

#[test]
fn a_part_month_is_pro_rata_on_both_sides() {
    // 2025/26 clinical pharmacist national maximum £66,972 (The Pharmacist, Apr 2025).
    let r = rate(Role::ClinicalPharmacist, 66_972.0, 1.0, "2025-04-01", "a");
    let p = post(
        Role::ClinicalPharmacist,
        1.0,
        "2025-06-16",
        None,
        (4_200.0, 520.0, 880.0),
    );
    let c = month_claim(&p, month("2025-06"), &r).unwrap();
    // 15 of June's 30 days: cost £5,600 × ½ = £2,800; maximum £5,581 × ½ = £2,790.50.
    assert_eq!((c.days_in_post, c.days_in_month), (15, 30));
    assert_eq!(c.actual_cost, 2_800.00);
    assert_eq!(c.maximum, 2_790.50);
    assert_eq!(c.claim, 2_790.50);
    // July, a whole month: £5,581 maximum is below the £5,600 cost.
    assert_eq!(
        month_claim(&p, month("2025-07"), &r).unwrap().claim,
        5_581.00
    );
}

#[test]
fn a_mid_year_uplift_backdated_to_april_adds_the_difference_for_april_to_july() {
    let before = rate(
        Role::CareCoordinator,
        36_000.0,
        1.0,
        "2025-04-01",
        "2025-04-01T00:00:00Z",
    );
    // Recorded on 1 August, effective from 1 April: the newer version wins for April on.
    let after = rate(
        Role::CareCoordinator,
        37_800.0,
        1.0,
        "2025-04-01",
        "2025-08-01T00:00:00Z",
    );
    let rates = vec![before.clone(), after.clone()];
    let p = post(
        Role::CareCoordinator,
        1.0,
        "2025-01-06",
        None,
        (2_700.0, 270.0, 330.0),
    );
    // What April–July claimed under the old rate: £36,000 ÷ 12 = £3,000 (cost £3,300).
    let submitted = month_claim(&p, month("2025-04"), &before).unwrap();
    assert_eq!(submitted.claim, 3_000.00);
    let now = rate_for(
        &rates,
        Role::CareCoordinator,
        "",
        Area::National,
        month("2025-04"),
    )
    .unwrap();
    assert_eq!(now.annual_max, 37_800.0);
    // Under the new rate £37,800 ÷ 12 = £3,150: £150 more for each of April–July.
    let total: f64 = ["2025-04", "2025-05", "2025-06", "2025-07"]
        .iter()
        .map(|m| {
            let frozen = month_claim(&p, month(m), &before).unwrap();
            backdated_difference(
                frozen.actual_cost,
                p.wte,
                frozen.days_in_post,
                frozen.days_in_month,
                frozen.claim,
                now,
            )
        })
        .sum();
    assert_eq!(total, 600.00);
    // August is claimed at the new rate directly.
    assert_eq!(
        month_claim(&p, month("2025-08"), now).unwrap().claim,
        3_150.00
    );
}

#[test]
fn an_uplift_from_july_changes_only_later_months() {
    // 2023/24 clinical pharmacist: £59,312, then £62,340 from 1 July 2023 (NHS England via
    // The Pharmacist, ../shared/data/nhs/arrs).
    let rates = vec![
        rate(Role::ClinicalPharmacist, 59_312.0, 1.0, "2023-04-01", "a"),
        rate(Role::ClinicalPharmacist, 62_340.0, 1.0, "2023-07-01", "a"),
    ];
    let at = |m: &str| {
        rate_for(
            &rates,
            Role::ClinicalPharmacist,
            "",
            Area::National,
            month(m),
        )
        .unwrap()
        .annual_max
    };
    assert_eq!(at("2023-06"), 59_312.0);
    assert_eq!(at("2023-07"), 62_340.0);
    assert_eq!(at("2024-03"), 62_340.0);
    // 2024/25 has no rate of its own here: missing, not carried over.
    assert!(
        rate_for(
            &rates,
            Role::ClinicalPharmacist,
            "",
            Area::National,
            month("2024-04")
        )
        .is_none()
    );
}

#[test]
fn a_jointly_funded_mental_health_practitioner_claims_half() {
    let r = rate(
        Role::MentalHealthPractitioner,
        50_000.0,
        0.5,
        "2025-04-01",
        "a",
    );
    let mut p = post(
        Role::MentalHealthPractitioner,
        1.0,
        "2024-09-01",
        None,
        (3_100.0, 350.0, 450.0),
    );
    p.engagement = Engagement::MentalHealthTrust;
    let c = month_claim(&p, month("2025-05"), &r).unwrap();
    // Cost £3,900 is under the £4,166.67 maximum; half of it is claimed.
    assert_eq!(c.actual_cost, 3_900.00);
    assert_eq!(c.maximum, 4_166.67);
    assert_eq!(c.claim, 1_950.00);
}

#[test]
fn a_post_above_the_maximum_claims_the_maximum() {
    // 2025/26 pharmacy technician national maximum £43,352, 0.8 WTE.
    let r = rate(Role::PharmacyTechnician, 43_352.0, 1.0, "2025-04-01", "a");
    let p = post(
        Role::PharmacyTechnician,
        0.8,
        "2024-01-01",
        None,
        (2_750.0, 290.0, 360.0),
    );
    let c = month_claim(&p, month("2025-09"), &r).unwrap();
    // £43,352 × 0.8 ÷ 12 = £2,890.13; the cost £3,400 is above it.
    assert_eq!(c.maximum, 2_890.13);
    assert_eq!(c.actual_cost, 3_400.00);
    assert_eq!(c.claim, 2_890.13);
}

#[test]
fn a_leaver_is_claimed_to_the_last_day_and_not_after() {
    // 2023/24 social prescribing link worker £40,159 from 1 July 2023; left 10 October.
    let r = rate(
        Role::SocialPrescribingLinkWorker,
        40_159.0,
        1.0,
        "2023-07-01",
        "a",
    );
    let p = post(
        Role::SocialPrescribingLinkWorker,
        1.0,
        "2022-05-01",
        Some("2023-10-10"),
        (2_500.0, 260.0, 340.0),
    );
    let c = month_claim(&p, month("2023-10"), &r).unwrap();
    // 10 of 31 days: cost £3,100 × 10/31 = £1,000; maximum £3,346.58 × 10/31 = £1,079.54.
    assert_eq!((c.days_in_post, c.days_in_month), (10, 31));
    assert_eq!(c.actual_cost, 1_000.00);
    assert_eq!(c.maximum, 1_079.54);
    assert_eq!(c.claim, 1_000.00);
    let after = month_claim(&p, month("2023-11"), &r).unwrap_err();
    assert_eq!(after.field, "month");
    assert!(after.message.contains("November 2023"), "{}", after.message);
}

#[test]
fn a_rate_needs_a_source_and_an_effective_date() {
    let form = RateForm {
        role: "clinical_pharmacist".into(),
        area: "national".into(),
        annual_max: "66,972".into(),
        ..RateForm::default()
    };
    let errors = form.parse().unwrap_err();
    assert!(errors.message_for("source").is_some());
    assert!(errors.message_for("effective_from").is_some());
    let ok = RateForm {
        effective_from: "2025-04-01".into(),
        source: "The Pharmacist, April 2025".into(),
        share: "50%".into(),
        ..form
    }
    .parse()
    .unwrap();
    assert_eq!((ok.annual_max, ok.share), (66_972.0, 0.5));
}

#[test]
fn a_post_form_refuses_bad_wte_and_a_zero_salary() {
    let form = PostForm {
        hours_per_week: "60".into(),
        engagement: "employed".into(),
        monthly_salary: "0".into(),
        employer_ni: "0".into(),
        employer_pension: "0".into(),
        ..PostForm::default()
    };
    let errors = form.parse(1.0).unwrap_err();
    assert!(
        errors
            .message_for("hours_per_week")
            .unwrap()
            .contains("1.6")
    );
    assert!(errors.message_for("monthly_salary").is_some());
    let ok = PostForm {
        hours_per_week: String::new(),
        gp_sessions: "6".into(),
        monthly_salary: "£4,100".into(),
        ..form
    }
    .parse(1.0)
    .unwrap();
    assert!((ok.wte - 0.6667).abs() < 1e-9);
    assert_eq!(ok.monthly_salary, 4_100.0);
}

#[test]
fn years_and_months_read_and_print() {
    let y = FinancialYear::parse("2025-26").unwrap();
    assert_eq!(
        (y.code(), y.label()),
        ("2025-26".to_string(), "2025/26".to_string())
    );
    assert!(FinancialYear::parse("2025-27").is_err());
    assert_eq!(y.months()[0], month("2025-04"));
    assert_eq!(y.months()[11], month("2026-03"));
    assert_eq!(month("2026-03").month_of_year(), 12);
    assert_eq!(month("2025-09").month_of_year(), 6);
    assert_eq!(FinancialYear::of(day("2026-02-01")), y);
    assert!(ClaimMonth::parse("2025-13").is_err());
}

#[test]
fn forecast_warnings_start_in_the_sixth_month() {
    let y = FinancialYear(2025);
    assert!(forecast_warnings(y, 100_000.0, 80_000.0, day("2025-08-31")).is_empty());
    let w = forecast_warnings(y, 100_000.0, 80_000.0, day("2025-09-01"));
    assert_eq!(
        w,
        vec!["At this rate £20,000.00 of £100,000.00 goes unclaimed on 31 March 2026.".to_string()]
    );
    assert!(forecast_warnings(y, 100_000.0, 96_000.0, day("2025-10-01")).is_empty());
    assert!(forecast_warnings(y, 100_000.0, 101_000.0, day("2025-10-01"))[0].contains("exceed"));
}

#[test]
fn a_nurse_from_a_member_practice_within_12_months_is_flagged() {
    let mut p = post(
        Role::PracticeNurse,
        1.0,
        "2025-06-01",
        None,
        (3_000.0, 300.0, 400.0),
    );
    p.previous_post_ended = Some(day("2025-01-31"));
    assert_eq!(additionality_flags(&p, FinancialYear(2025)).len(), 1);
    assert!(additionality_flags(&p, FinancialYear(2024)).is_empty());
    p.previous_post_ended = Some(day("2024-04-30"));
    assert!(additionality_flags(&p, FinancialYear(2025)).is_empty());
}
