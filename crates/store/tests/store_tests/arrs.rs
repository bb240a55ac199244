//! The ARRS tables on both engines: the seeded rates and £ per weighted patient, rate
//! versions, posts joined to the register, and claims — a submitted claim is never replaced
//! and moves only forward.
use super::*;
use domain::arrs::{Area, ClaimMonth, Engagement, FinancialYear, PostTerms, RateForm};
use store::funding::arrs::{ClaimRow, PcnYear};

on_both!(arrs_rates_posts_and_claims, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut conn = db.store.conn().await.unwrap();
    // The research file's figures are there, each with a source; 2026/27 is missing.
    let rates = store::funding::arrs::list_rates(&mut conn).await.unwrap();
    assert!(rates.iter().all(|r| !r.rate.source.is_empty()));
    let cp_2526 = rates
        .iter()
        .find(|r| {
            r.rate.role == Role::ClinicalPharmacist
                && r.rate.area == Area::National
                && r.rate.effective_from == day("2025-04-01")
        })
        .unwrap();
    assert_eq!(cp_2526.rate.annual_max, 66_972.0);
    assert!(
        rates
            .iter()
            .all(|r| r.rate.effective_from < day("2026-04-01"))
    );
    let sums = store::funding::arrs::list_sum_rates(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        sums.iter()
            .map(|s| (s.year.code(), s.gbp_per_weighted_patient))
            .collect::<Vec<_>>(),
        vec![
            ("2023-24".to_string(), 22.671),
            ("2024-25".into(), 22.894),
            ("2025-26".into(), 26.631)
        ]
    );
    // A new version is a new row.
    let draft = RateForm {
        role: "clinical_pharmacist".into(),
        band: "7–8a".into(),
        area: "national".into(),
        annual_max: "70000".into(),
        share: String::new(),
        effective_from: "2025-04-01".into(),
        source: "test".into(),
    }
    .parse()
    .unwrap();
    store::funding::arrs::insert_rate(&mut conn, "r1", &draft, NOW, "admin@test")
        .await
        .unwrap();
    assert_eq!(
        store::funding::arrs::list_rates(&mut conn)
            .await
            .unwrap()
            .len(),
        rates.len() + 1
    );

    // A PCN's year settings.
    let year = FinancialYear(2025);
    let settings = PcnYear {
        weighted_population: Some(30_000.5),
        area: Area::OuterLondon,
    };
    store::funding::arrs::upsert_pcn_year(&mut conn, "U99901", year, &settings, NOW)
        .await
        .unwrap();
    assert_eq!(
        store::funding::arrs::pcn_year(&mut conn, "U99901", year)
            .await
            .unwrap(),
        Some(settings)
    );

    // A post joins the register's person.
    let staff_id = new_id();
    let employer = Employer::Pcn(PcnCode::parse("U99901").unwrap());
    store::register::insert(
        &mut conn,
        &staff_id,
        &person("Pat Pharmacist", "pat@test.example", employer, &["Y99901"]),
        &[],
        NOW,
    )
    .await
    .unwrap();
    let terms = PostTerms {
        band: String::new(),
        wte: 0.8,
        engagement: Engagement::Employed,
        monthly_salary: 3_500.0,
        employer_ni: 400.0,
        employer_pension: 720.0,
        previous_post_ended: None,
    };
    store::funding::arrs::upsert_post(&mut conn, &staff_id, "U99901", &terms, NOW)
        .await
        .unwrap();
    let posts = store::funding::arrs::list_posts(&mut conn, "U99901")
        .await
        .unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        (posts[0].name.as_str(), posts[0].role, posts[0].start),
        (
            "Pat Pharmacist",
            Role::ClinicalPharmacist,
            day("2024-04-01")
        )
    );
    assert_eq!(posts[0].monthly_cost(), 4_620.0);

    // A claim: drafted, checked, submitted; then never replaced.
    let month = ClaimMonth::parse("2025-07").unwrap();
    let claim = ClaimRow {
        pcn_code: "U99901".into(),
        month,
        status: "draft".into(),
        total: 4_465.0,
        drafted_at: NOW.into(),
        drafted_by: "pm@test".into(),
        checked_at: None,
        checked_by: None,
        submitted_at: None,
        submitted_by: None,
    };
    let line = store::funding::arrs::LineRow {
        staff_id: staff_id.clone(),
        for_month: month,
        backdated: false,
        role: Role::ClinicalPharmacist,
        band: String::new(),
        wte: 0.8,
        engagement: Engagement::Employed,
        employer: "U99901".into(),
        start_date: day("2024-04-01"),
        end_date: None,
        days_in_post: 31,
        days_in_month: 31,
        monthly_salary: 3_500.0,
        employer_ni: 400.0,
        employer_pension: 720.0,
        actual_cost: 4_620.0,
        annual_max: 66_972.0,
        maximum: 4_464.8,
        share: 1.0,
        claim: 4_464.8,
        rate_id: "seed-2526-cp-n".into(),
        rate_source: "test".into(),
    };
    store::funding::arrs::replace_draft(&mut conn, &claim, std::slice::from_ref(&line))
        .await
        .unwrap();
    store::funding::arrs::replace_draft(&mut conn, &claim, std::slice::from_ref(&line))
        .await
        .unwrap();
    assert_eq!(
        store::funding::arrs::claim_lines(&mut conn, "U99901", month)
            .await
            .unwrap(),
        vec![line.clone()]
    );
    assert!(
        !store::funding::arrs::set_status(
            &mut conn,
            "U99901",
            month,
            "checked",
            "submitted",
            NOW,
            "pm"
        )
        .await
        .unwrap()
    );
    assert!(
        store::funding::arrs::set_status(&mut conn, "U99901", month, "draft", "checked", NOW, "pm")
            .await
            .unwrap()
    );
    assert!(
        store::funding::arrs::set_status(
            &mut conn,
            "U99901",
            month,
            "checked",
            "submitted",
            NOW,
            "pm"
        )
        .await
        .unwrap()
    );
    assert!(matches!(
        store::funding::arrs::replace_draft(&mut conn, &claim, &[]).await,
        Err(StoreError::Invalid(m)) if m.contains("submitted")
    ));
    assert_eq!(
        store::funding::arrs::claim_lines(&mut conn, "U99901", month)
            .await
            .unwrap()
            .len(),
        1
    );
    let submitted = store::funding::arrs::submitted_lines(&mut conn, "U99901", year)
        .await
        .unwrap();
    assert_eq!(submitted, vec![(month, line)]);
    let claims = store::funding::arrs::list_claims(&mut conn, "U99901", year)
        .await
        .unwrap();
    assert_eq!(claims[0].status, "submitted");
});
