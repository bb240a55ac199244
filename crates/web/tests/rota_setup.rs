//! Rota set-up over HTTP, on both databases: a cover template saved on the page is the cover
//! the next rota is built from; a bad cell is named by day, session, need and column and
//! changes nothing; sessions open and close at a site; a person's rota rules are saved and
//! read back; another tenant's sites and people are out of reach.
use super::on_both;
use crate::support::*;
use app::rota::{RotaScope, load_input};
use domain::rota::{RotaPeriod, Session};
use store::Backend;

/// The cover a rota of the practice would be built from, at one site, as
/// (weekday from Monday, session, need, minimum, ideal).
async fn rota_cover(t: &TestApp, site_id: &str) -> Vec<(u32, Session, String, u32, u32)> {
    let mut conn = t.app.store().conn().await.unwrap();
    let period = RotaPeriod {
        from: next_monday(t.app.today()),
        weeks: 1,
    };
    let (input, _) = load_input(&mut conn, &RotaScope::Practice(OWN_PRACTICE.into()), period)
        .await
        .unwrap();
    let mut rows: Vec<_> = input
        .cover
        .iter()
        .filter(|c| c.site_id == site_id)
        .map(|c| {
            (
                c.weekday.num_days_from_monday(),
                c.session,
                c.need.code(),
                c.minimum,
                c.ideal,
            )
        })
        .collect();
    rows.sort();
    rows
}

async fn manager(t: &TestApp) -> (reqwest::Client, app::Actor) {
    let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
    let client = t.logged_in(&email).await;
    let user = t.user(&email).await;
    (client, t.app.accounts().actor(&user.id).await.unwrap())
}

const BACK: &str = "/practices/Y99901/rota/cover";

on_both!(
    a_cover_template_saved_on_the_page_is_what_the_rota_uses,
    async |t: &TestApp| {
        let (client, actor) = manager(t).await;
        let site = t.own_site().await;
        let (status, page) = get(t, &client, BACK).await;
        assert_eq!(status, 200);
        assert!(page.contains("Weekly cover at"), "{page}");
        assert!(page.contains("Monday AM, GP minimum"), "labelled inputs");
        assert!(page.contains(">Cover template</"), "the navigation item");

        // What demand suggests is shown beside the template, from the practice's forecast.
        let suggested = t
            .app
            .rota()
            .suggested_cover(&actor, OWN_PRACTICE)
            .await
            .unwrap()
            .cover;
        assert!(!suggested.is_empty(), "the demo has a demand forecast");
        for s in &suggested {
            let line = format!("{}: {} a weekday session", s.need.label(), s.people);
            assert!(page.contains(&line), "{line} in the page");
        }

        let (status, location, _) = post_form(
            t,
            &client,
            &format!("/sites/{site}/cover"),
            &[
                ("back", BACK),
                ("anchor", "site1"),
                ("need_0", "group:gp"),
                ("need_1", "group:nurses"),
                ("min_mon_am_0", "3"),
                ("ideal_mon_am_0", "4"),
                ("min_tue_pm_1", "1"),
                ("ideal_tue_pm_1", ""),
                ("min_wed_am_0", "0"),
                ("ideal_wed_am_0", ""),
                ("min_sat_saturday_0", "1"),
                ("ideal_sat_saturday_0", "2"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("{BACK}?done=cover#site1"));
        assert_eq!(
            rota_cover(t, &site).await,
            vec![
                (0, Session::Am, "group:gp".to_string(), 3, 4),
                (1, Session::Pm, "group:nurses".to_string(), 1, 1),
                (5, Session::Saturday, "group:gp".to_string(), 1, 2),
            ]
        );
        // Saturday cover opens the Saturday session at the site for the rota.
        let mut conn = t.app.store().conn().await.unwrap();
        let period = RotaPeriod {
            from: next_monday(t.app.today()),
            weeks: 1,
        };
        let (input, _) = load_input(&mut conn, &RotaScope::Practice(OWN_PRACTICE.into()), period)
            .await
            .unwrap();
        let at = input.sites.iter().find(|s| s.id == site).unwrap();
        assert!(at.sessions.contains_key(&Session::Saturday));
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.into()], 20)
            .await
            .unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.entity == "cover_template" && a.entity_id == site)
        );
        drop(conn);

        let (_, page) = get(t, &client, &format!("{BACK}?done=cover")).await;
        assert!(page.contains("The cover template is saved"));
        assert!(page.contains(r#"name="min_mon_am_0" type="text" inputmode="numeric" value="3""#));
        assert!(page.contains("Open: the template asks for cover"));
    }
);

on_both!(
    the_suggested_cover_is_applied_in_one_click,
    async |t: &TestApp| {
        let (client, actor) = manager(t).await;
        let mut conn = t.app.store().conn().await.unwrap();
        let sites: Vec<String> = store::sites::list_sites(&mut conn, &[OWN_PRACTICE.into()])
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        let practice_cover: Vec<_> = store::rota::list_cover(&mut conn, &sites).await.unwrap();
        drop(conn);
        // The practice's main site: the one with the most cover (its branch has a little,
        // which the main site's share of the suggestion leaves out).
        let (index, site) = sites
            .iter()
            .enumerate()
            .max_by_key(|(_, id)| practice_cover.iter().filter(|c| &c.site_id == *id).count())
            .map(|(i, id)| (i, id.clone()))
            .unwrap();
        let anchor = format!("site{}", index + 1);
        let before = rota_cover(t, &site).await;
        let suggested = t
            .app
            .rota()
            .suggested_cover(&actor, OWN_PRACTICE)
            .await
            .unwrap()
            .cover;
        assert!(!suggested.is_empty(), "the demo has a demand forecast");
        let (_, page) = get(t, &client, BACK).await;
        assert!(page.contains("Use the suggested cover"), "{page}");
        assert!(
            page.contains(&format!("action=\"/sites/{site}/cover/suggested\"")),
            "a form per site"
        );

        let (status, location, _) = post_form(
            t,
            &client,
            &format!("/sites/{site}/cover/suggested"),
            &[("back", BACK), ("anchor", &anchor)],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("{BACK}?done=suggested#{anchor}"));

        // The weekday AM and PM rows of the suggested groups are the suggestion (less what
        // the practice's other sites give); every other row is as it was.
        let current: Vec<_> = practice_cover
            .iter()
            .map(|c| domain::rota::CoverRequirement {
                site_id: c.site_id.clone(),
                weekday: domain::rota::parse_weekday("weekday", &c.weekday.to_string()).unwrap(),
                session: Session::parse(&c.session).unwrap(),
                need: domain::rota::CoverNeed::parse(&c.need).unwrap(),
                minimum: c.minimum as u32,
                ideal: c.ideal as u32,
            })
            .collect();
        let mut expected: Vec<_> =
            app::rota::setup::cover_from_suggestion(&site, &suggested, &current)
                .iter()
                .map(|c| {
                    (
                        c.weekday.num_days_from_monday(),
                        c.session,
                        c.need.code(),
                        c.minimum,
                        c.ideal,
                    )
                })
                .collect();
        expected.sort();
        let after = rota_cover(t, &site).await;
        assert_eq!(after, expected);
        assert_ne!(
            after, before,
            "the demo's template is not already the suggestion"
        );
        let suggested_needs: Vec<String> = suggested.iter().map(|s| s.need.code()).collect();
        let weekday = |r: &(u32, Session, String, u32, u32)| {
            r.0 < 5 && matches!(r.1, Session::Am | Session::Pm) && suggested_needs.contains(&r.2)
        };
        assert_eq!(
            after.iter().filter(|r| !weekday(r)).collect::<Vec<_>>(),
            before.iter().filter(|r| !weekday(r)).collect::<Vec<_>>(),
            "the rest of the template is kept"
        );
        for s in &suggested {
            let monday_pm = after
                .iter()
                .find(|r| r.0 == 0 && r.1 == Session::Pm && r.2 == s.need.code());
            assert!(
                monday_pm.is_some_and(|r| r.4 == s.people && r.3 <= r.4),
                "{monday_pm:?} for {s:?}: nobody else gives Monday afternoons"
            );
        }

        // Audited with the suggestion it came from; the page shows the result.
        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.into()], 20)
            .await
            .unwrap();
        assert!(audit.iter().any(|a| a.action == "suggested"
            && a.entity == "cover_template"
            && a.entity_id == site
            && a.after_json.as_deref().unwrap_or("").contains("per_person")));
        drop(conn);
        let (_, page) = get(t, &client, &format!("{BACK}?done=suggested")).await;
        assert!(page.contains("The suggested cover is now"), "{page}");
        let gp_column = after
            .iter()
            .find(|r| r.0 == 0 && r.1 == Session::Pm && r.2 == "group:gp")
            .unwrap();
        let at = page
            .find(&format!("id=\"{anchor}-ideal_mon_pm_0\""))
            .expect("the site's grid");
        let cell = field_value(&page[at..], "ideal_mon_pm_0");
        assert_eq!(cell, Some(gp_column.4.to_string()), "the grid shows it");
    }
);

on_both!(
    a_bad_cell_is_named_and_nothing_is_saved,
    async |t: &TestApp| {
        let (client, _) = manager(t).await;
        let site = t.own_site().await;
        let before = rota_cover(t, &site).await;
        assert!(!before.is_empty(), "the demo has a template");
        let (status, _, page) = post_form(
            t,
            &client,
            &format!("/sites/{site}/cover"),
            &[
                ("back", BACK),
                ("anchor", "site1"),
                ("need_0", "group:gp"),
                ("min_mon_am_0", "x"),
                ("min_tue_am_0", "3"),
                ("ideal_tue_am_0", "1"),
                ("min_wed_pm_0", "2"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("nhsuk-error-summary"), "{page}");
        assert!(
            page.contains("Monday AM, GP minimum: Enter a whole number from 0 to 60"),
            "{page}"
        );
        assert!(
            page.contains("Tuesday AM, GP ideal: The ideal (1) cannot be below the minimum (3)")
        );
        assert!(
            page.contains("href=\"#site1-min_mon_am_0\""),
            "the summary links to the input"
        );
        assert!(page.contains(r#"id="site1-min_mon_am_0" name="min_mon_am_0" type="text" inputmode="numeric" value="x""#), "what was typed is kept");
        assert_eq!(rota_cover(t, &site).await, before, "nothing was saved");
    }
);

on_both!(sessions_open_and_close_at_a_site, async |t: &TestApp| {
    let (client, _) = manager(t).await;
    let site = t.own_site().await;
    let runs = async |session: Session| {
        let mut conn = t.app.store().conn().await.unwrap();
        let period = RotaPeriod {
            from: next_monday(t.app.today()),
            weeks: 1,
        };
        let (input, _) = load_input(&mut conn, &RotaScope::Practice(OWN_PRACTICE.into()), period)
            .await
            .unwrap();
        input
            .sites
            .iter()
            .find(|s| s.id == site)
            .unwrap()
            .sessions
            .get(&session)
            .map(|t| t.starts.format("%H:%M").to_string())
    };
    let path = format!("/sites/{site}/sessions");
    let (status, _, page) = post_form(
        t,
        &client,
        &path,
        &[
            ("back", BACK),
            ("session", "evening"),
            ("open", "yes"),
            ("starts", "19:00"),
            ("ends", "18:00"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Evening session: The session must end after it starts"));

    let (status, location, _) = post_form(
        t,
        &client,
        &path,
        &[
            ("back", BACK),
            ("anchor", "site1"),
            ("session", "evening"),
            ("open", "yes"),
            ("starts", "18:45"),
            ("ends", "20:00"),
        ],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (303, &*format!("{BACK}?done=session#site1"))
    );
    assert_eq!(runs(Session::Evening).await.as_deref(), Some("18:45"));

    // Closing the morning keeps its times for later, and the rota has no morning there.
    let (status, _, _) = post_form(
        t,
        &client,
        &path,
        &[
            ("session", "am"),
            ("open", "no"),
            ("starts", ""),
            ("ends", ""),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(runs(Session::Am).await, None);
    let (_, page) = get(t, &client, BACK).await;
    assert!(page.contains("Monday AM <span class=\"app-muted\">(closed)</span>"));
});

on_both!(rota_rules_are_saved_and_read_back, async |t: &TestApp| {
    let (client, actor) = manager(t).await;
    let person = t.own_staff().await;
    let (status, page) = get(t, &client, &format!("/staff/{person}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/staff/{person}/rota-rules\"")));
    let path = format!("/staff/{person}/rota-rules");
    let (status, page) = get(t, &client, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains("sessions a week"), "the contract is shown");

    // A bad limit is named and nothing changes.
    let before = t
        .app
        .rota()
        .rota_rules(&actor, &person)
        .await
        .unwrap()
        .rules;
    let (status, _, page) = post_form(
        t,
        &client,
        &path,
        &[
            ("fixed_sessions", "mon:am"),
            ("days_never", "mon"),
            ("max_saturdays_month", "9"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("href=\"#max_saturdays_month\""), "{page}");
    assert!(page.contains("Enter a whole number from 0 to 5"));
    assert!(page.contains("Monday AM is a fixed session but Monday is a day never worked"));
    assert_eq!(
        t.app
            .rota()
            .rota_rules(&actor, &person)
            .await
            .unwrap()
            .rules,
        before
    );

    let (status, location, _) = post_form(
        t,
        &client,
        &path,
        &[
            ("fixed_sessions", "mon:am"),
            ("fixed_sessions", "wed:pm"),
            ("days_never", "fri"),
            ("max_evenings_month", "2"),
            ("max_saturdays_month", "1"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location, format!("{path}?done=saved"));
    let rules = t
        .app
        .rota()
        .rota_rules(&actor, &person)
        .await
        .unwrap()
        .rules;
    assert_eq!(
        rules.fixed_sessions,
        vec![
            (chrono::Weekday::Mon, Session::Am),
            (chrono::Weekday::Wed, Session::Pm)
        ]
    );
    assert_eq!(rules.days_never, vec![chrono::Weekday::Fri]);
    assert_eq!(
        (rules.max_evenings_month, rules.max_saturdays_month),
        (Some(2), Some(1))
    );
    let (_, page) = get(t, &client, &format!("{path}?done=saved")).await;
    assert!(page.contains("Their rota rules are saved"));
    assert!(page.contains(r#"value="wed:pm" checked"#), "{page}");
    assert!(page.contains(r#"value="fri" checked"#));
    // The rota takes them.
    let mut conn = t.app.store().conn().await.unwrap();
    let period = RotaPeriod {
        from: next_monday(t.app.today()),
        weeks: 1,
    };
    let (input, _) = load_input(&mut conn, &RotaScope::Practice(OWN_PRACTICE.into()), period)
        .await
        .unwrap();
    let p = input.people.iter().find(|p| p.id == person).unwrap();
    assert_eq!(p.rules, rules);
});

on_both!(
    another_tenants_cover_and_people_are_out_of_reach,
    async |t: &TestApp| {
        let (client, _) = manager(t).await;
        for path in [
            format!("/practices/{OTHER_PRACTICE}/rota/cover"),
            format!("/pcns/{OTHER_PCN}/rota/cover"),
            format!("/pcns/{OWN_PCN}/rota/cover"),
            format!("/staff/{}/rota-rules", t.other.staff_id),
        ] {
            let (status, page) = get(t, &client, &path).await;
            assert!(matches!(status, 403 | 404), "{path}: {status}");
            assert!(!page.contains("Elsewhere"), "{path} reveals nothing");
        }
        let other_site = t.other.site_id.clone();
        let (status, _, _) = post_form(
            t,
            &client,
            &format!("/sites/{other_site}/cover"),
            &[("need_0", "group:gp"), ("min_mon_am_0", "x")],
        )
        .await;
        assert!(
            matches!(status, 403 | 404),
            "refused before the form is read: {status}"
        );
        let (status, _, _) = post_form(
            t,
            &client,
            &format!("/sites/{other_site}/cover"),
            &[("need_0", "group:gp"), ("min_mon_am_0", "2")],
        )
        .await;
        assert!(matches!(status, 403 | 404));
        let (status, _, _) = post_form(
            t,
            &client,
            &format!("/sites/{other_site}/sessions"),
            &[
                ("session", "saturday"),
                ("open", "yes"),
                ("starts", "09:00"),
                ("ends", "12:00"),
            ],
        )
        .await;
        assert!(matches!(status, 403 | 404));
        let (status, _, _) = post_form(
            t,
            &client,
            &format!("/staff/{}/rota-rules", t.other.staff_id),
            &[("days_never", "mon")],
        )
        .await;
        assert!(matches!(status, 403 | 404));
        let mut conn = t.app.store().conn().await.unwrap();
        assert!(
            store::rota::list_cover(&mut conn, std::slice::from_ref(&other_site))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store::rota::list_site_sessions(&mut conn, &[other_site])
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store::rota::list_rules(&mut conn, std::slice::from_ref(&t.other.staff_id))
                .await
                .unwrap()
                .is_empty()
        );
        // A staff log-in has no cover page either.
        let staff = t
            .logged_in(&t.login_email("staff", Some(OWN_PRACTICE)).await)
            .await;
        let (status, _) = get(t, &staff, BACK).await;
        assert!(matches!(status, 403 | 404));
        // The PCN manager sees every practice of the PCN on the PCN's page.
        let pcn = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let (status, page) = get(t, &pcn, &format!("/pcns/{OWN_PCN}/rota/cover")).await;
        assert_eq!(status, 200);
        let pcn_practices = {
            let mut conn = t.app.store().conn().await.unwrap();
            store::organisations::list(&mut conn, store::organisations::PracticeScope::Pcn(OWN_PCN))
                .await
                .unwrap()
        };
        assert!(pcn_practices.len() > 1);
        for p in pcn_practices {
            assert!(
                page.contains(&format!("Practice {}</span>", p.ods_code)),
                "{}",
                p.ods_code
            );
        }
    }
);
