//! Demand and capacity on the demo, on both databases: the demo's demand is in step with
//! its teams (the shortfall a real practice sees, not a threefold one), the page shows the
//! team by clinician type, and a saved what-if is drawn on the charts and in the table.
use super::on_both;
use crate::support::*;
use store::Backend;

on_both!(
    the_demo_practices_demand_is_in_step_with_their_teams,
    async |t: &TestApp| {
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let actor = t
            .app
            .accounts()
            .actor(&t.user(&email).await.id)
            .await
            .unwrap();
        let mut short_months = 0;
        let mut surplus_months = 0;
        for ods in ["Y99901", "Y99902", "Y99903"] {
            let view = t
                .app
                .demand()
                .demand_capacity(&actor, app::Tenant::Practice(ods))
                .await
                .unwrap();
            for hcp in ["GP", "Other Practice staff"] {
                let ahead: Vec<_> = view
                    .rows
                    .iter()
                    .filter(|r| r.forecast && r.hcp_type == hcp)
                    .collect();
                assert_eq!(ahead.len(), 12, "{ods} {hcp}");
                let demand: f64 = ahead.iter().map(|r| r.demand).sum();
                let capacity: f64 = ahead.iter().map(|r| r.capacity).sum();
                let ratio = capacity / demand;
                // A real practice's safe capacity is a little short of what its list asks
                // for over a year, or a little over (within 15 % either way): never a third
                // or threefold.
                assert!(
                    (0.85..=1.15).contains(&ratio),
                    "{ods} {hcp}: safe capacity is {:.0} % of demand over the year",
                    ratio * 100.0
                );
                short_months += ahead.iter().filter(|r| r.gap() < 0.0).count();
                surplus_months += ahead.iter().filter(|r| r.gap() >= 0.0).count();
            }
            // Every clinician type is listed, and each clinical one the practice has gives
            // appointments; admin gives none.
            assert_eq!(view.team.len(), 5, "{ods}");
            for supply in &view.team {
                let clinical = supply.clinician.hcp_type().is_some();
                if clinical && supply.people > 0 {
                    assert!(supply.appointments_a_month > 0.0, "{ods} {supply:?}");
                }
                if !clinical {
                    assert!(supply.people > 0, "{ods}: the admin team is there");
                    assert_eq!(supply.appointments_a_month, 0.0);
                }
            }
            // The GP type's appointments are the GP category's capacity, month for month on
            // average.
            let gp_type = view
                .team
                .iter()
                .find(|s| s.clinician == analytics::clinicians::ClinicianType::Gp)
                .unwrap();
            let gp_rows: Vec<_> = view
                .rows
                .iter()
                .filter(|r| r.forecast && r.hcp_type == "GP")
                .collect();
            let mean = gp_rows.iter().map(|r| r.capacity).sum::<f64>() / gp_rows.len() as f64;
            assert!(
                (gp_type.appointments_a_month - mean).abs() < 1e-6,
                "{ods}: {gp_type:?} against {mean}"
            );
        }
        assert!(short_months > 0, "some months are short");
        assert!(surplus_months > 0, "some months are in surplus");
        // The PCN-employed pharmacists give appointments at the practices they work at.
        let pcn = t
            .app
            .demand()
            .demand_capacity(&actor, app::Tenant::Pcn(OWN_PCN))
            .await
            .unwrap();
        let pharmacists = pcn
            .team
            .iter()
            .find(|s| s.clinician == analytics::clinicians::ClinicianType::Pharmacist)
            .unwrap();
        assert_eq!(
            pharmacists.people, 3,
            "two clinical pharmacists and a technician"
        );
        assert!(pharmacists.appointments_a_month > 0.0);
    }
);

on_both!(
    a_saved_what_if_is_drawn_on_the_charts_and_in_the_table,
    async |t: &TestApp| {
        let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let client = t.logged_in(&email).await;
        let path = format!("/practices/{OWN_PRACTICE}/demand");
        let (status, page) = get(t, &client, &path).await;
        assert_eq!(status, 200);
        assert!(page.contains("The team by clinician type"), "{page}");
        for label in [
            "GP",
            "Nurse",
            "Pharmacist",
            "Other direct patient care",
            "Admin and non-clinical",
        ] {
            assert!(page.contains(&format!(">{label}</th>")), "{label}");
        }
        assert!(
            !page.contains("gpteam-chart__what-if"),
            "nothing to draw yet"
        );
        assert!(page.contains("Forecast from "));
        let next = app::clock::Clock::system().today() + chrono::Days::new(40);
        let month = next.format("%Y-%m").to_string();
        for (name, role) in [
            ("A salaried GP", "salaried_gp"),
            ("A paramedic", "paramedic"),
        ] {
            let (status, location, _) = post_form(
                t,
                &client,
                &format!("/practices/{OWN_PRACTICE}/scenarios"),
                &[
                    ("name", name),
                    ("post1_change", "add"),
                    ("post1_role", role),
                    ("post1_wte", "1"),
                    ("post1_start_month", &month),
                ],
            )
            .await;
            assert_eq!(status, 303, "{name}");
            assert!(location.contains("done=saved"), "{location}");
        }
        // The newest scenario is drawn, on the chart whose capacity it changes: a
        // paramedic gives other practice staff appointments, not GP ones.
        let (_, page) = get(t, &client, &path).await;
        assert_eq!(page.matches(r#"class="gpteam-chart__what-if""#).count(), 1);
        let other_chart = &page[page.find(r#"id="other-appointments""#).unwrap()..];
        assert!(other_chart.contains("gpteam-chart__what-if"));
        assert!(page.contains("Safe capacity with “A paramedic”"));
        assert!(
            page.contains("With “A paramedic”"),
            "a column in the monthly tables"
        );
        // Each scenario can be drawn instead, from its row.
        let link = page
            .split("href=\"")
            .find(|s| s.starts_with(&format!("{path}?scenario=")))
            .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
            .expect("a link to draw the other scenario");
        let (status, other) = get(t, &client, &link).await;
        assert_eq!(status, 200);
        assert!(
            other.contains("Safe capacity with “A salaried GP”"),
            "{link}"
        );
        let gp_chart = &other[other.find(r#"id="gp-appointments""#).unwrap()
            ..other.find(r#"id="other-appointments""#).unwrap()];
        assert!(
            gp_chart.contains("gpteam-chart__what-if"),
            "the GP's line is on the GP chart"
        );
        // An id that is not one of this practice's scenarios draws the newest.
        let (_, unknown) = get(t, &client, &format!("{path}?scenario=nonsense")).await;
        assert!(unknown.contains("Safe capacity with “A paramedic”"));
    }
);
