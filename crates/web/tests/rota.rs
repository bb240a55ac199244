//! Rotas over HTTP and through the app, on both databases: a manager makes a rota (solved by
//! the background job), the plain-words checks agree with the optimiser's evaluator, an edit
//! that breaks a hard rule is refused with the reason unless overridden (audited), a locked
//! day survives solving again, and conflicting rules and impossible cover are explained.
use super::on_both;
use crate::support::*;
use app::rota::{RotaScope, load_input, optimiser_score};
use chrono::NaiveDate;
use domain::rota::RotaPeriod;
use store::Backend;

/// The rota's version, as its pages' forms carry it.
async fn version(t: &TestApp, actor: &app::Actor, id: &str) -> String {
    t.app
        .rota()
        .detail(actor, id)
        .await
        .unwrap()
        .row
        .version
        .to_string()
}

async fn pcn_actor(t: &TestApp) -> app::Actor {
    let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
    let user = t.user(&email).await;
    t.app.accounts().actor(&user.id).await.unwrap()
}

on_both!(
    a_rota_is_made_checked_edited_and_solved_again_around_locks,
    async |t: &TestApp| {
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let client = t.logged_in(&email).await;
        let actor = pcn_actor(t).await;
        let monday = next_monday(t.app.today());
        let scope = format!("pcn:{OWN_PCN}");
        let from = monday.to_string();

        // Bad input names its field; a good request is queued and shown.
        let (status, _, page) = post_form(
            t,
            &client,
            "/rotas",
            &[
                ("scope", &scope),
                ("from", &from),
                ("weeks", "14"),
                ("time_limit", "2"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("from 1 to 13"), "{page}");
        let (status, location, _) = post_form(
            t,
            &client,
            "/rotas",
            &[
                ("scope", &scope),
                ("from", &from),
                ("weeks", "2"),
                ("time_limit", "2"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let id = location.trim_start_matches("/rotas/").to_string();
        let (_, page) = get(t, &client, &location).await;
        assert!(page.contains("Waiting to start"), "{page}");
        assert!(page.contains("<progress"), "a progress bar");

        // The background job (run here in-process) solves it.
        assert_eq!(
            t.app
                .rota()
                .run_next_rota_job("test-worker", 2)
                .await
                .unwrap(),
            Some(id.clone())
        );
        assert_eq!(
            t.app
                .rota()
                .run_next_rota_job("test-worker", 2)
                .await
                .unwrap(),
            None
        );
        let detail = t.app.rota().detail(&actor, &id).await.unwrap();
        assert_eq!(detail.row.status, "done");
        assert_eq!(detail.row.progress, 1.0);
        assert!(
            detail.assignments.len() > 300,
            "{}",
            detail.assignments.len()
        );
        let hard: Vec<_> = detail
            .problems
            .iter()
            .filter(|p| p.hard)
            .map(|p| p.message.clone())
            .collect();
        assert!(hard.is_empty(), "{hard:?}");
        assert_eq!(detail.row.hard_violations, Some(0));

        // The plain-words checks and the optimiser's evaluator agree.
        let period = RotaPeriod {
            from: monday,
            weeks: 2,
        };
        let mut conn = t.app.store().conn().await.unwrap();
        let (input, _) = load_input(&mut conn, &RotaScope::Pcn(OWN_PCN.into()), period)
            .await
            .unwrap();
        drop(conn);
        assert_eq!(optimiser_score(&input, &detail.assignments).0, 0);

        // A GP on a Saturday-only session on a Tuesday: refused with the reason.
        let gp = detail
            .people
            .iter()
            .find(|p| p.role.staff_group() == domain::role::StaffGroup::Gp)
            .unwrap();
        let tuesday = (monday + chrono::Days::new(1)).to_string();
        let site = gp.site_ids[0].clone();
        // The day's form carries the version it shows.
        let (_, form) = get(
            t,
            &client,
            &format!("/rotas/{id}/day?staff={}&date={tuesday}", gp.id),
        )
        .await;
        let shown = field_value(&form, "version").expect("a version field");
        assert_eq!(shown, version(t, &actor, &id).await);
        let (status, _, page) = post_form(
            t,
            &client,
            &format!("/rotas/{id}/day"),
            &[
                ("staff_id", &gp.id),
                ("date", &tuesday),
                ("pattern", "saturday"),
                ("site_id", &site),
                ("version", &shown),
            ],
        )
        .await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("not an open session there"), "{page}");
        assert_eq!(
            field_value(&page, "version").as_deref(),
            Some(shown.as_str()),
            "the refusal keeps the version it was checked at"
        );
        let unchanged = t.app.rota().detail(&actor, &id).await.unwrap();
        assert_eq!(
            unchanged.assignments, detail.assignments,
            "a refused edit changes nothing"
        );

        // With the override it is saved, reported, and audited as an override.
        let (status, location, _) = post_form(
            t,
            &client,
            &format!("/rotas/{id}/day"),
            &[
                ("staff_id", &gp.id),
                ("date", &tuesday),
                ("pattern", "saturday"),
                ("site_id", &site),
                ("override_rules", "yes"),
                ("version", &shown),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert!(location.contains("done=rota-overridden"), "{location}");
        let edited = t.app.rota().detail(&actor, &id).await.unwrap();
        let reported: Vec<_> = edited.problems.iter().filter(|p| p.hard).collect();
        assert!(
            reported
                .iter()
                .any(|p| p.rule == "closed" && p.staff_ids == vec![gp.id.clone()]),
            "{reported:?}"
        );
        assert!(
            optimiser_score(&input, &edited.assignments).0 > 0,
            "the evaluator sees it too"
        );
        assert!(edited.row.hard_violations.unwrap() > 0);
        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PCN.to_string()], 50)
            .await
            .unwrap();
        assert!(
            audit.iter().any(|a| a.action == "overrode"
                && a.entity == "rota_day"
                && a.after_json
                    .as_deref()
                    .unwrap_or("")
                    .contains("not an open session")),
            "the override is audited with the rule it breaks"
        );
        drop(conn);

        // Someone else's day is locked as it is; solving again keeps it and clears the override.
        let other = detail
            .people
            .iter()
            .find(|p| {
                p.id != gp.id
                    && detail
                        .assignments
                        .iter()
                        .any(|a| a.staff_id == p.id && a.date == monday)
            })
            .unwrap();
        let held: Vec<_> = detail
            .assignments
            .iter()
            .filter(|a| a.staff_id == other.id && a.date == monday)
            .cloned()
            .collect();
        let pattern =
            domain::rota::DayPattern::of(&held.iter().map(|a| a.session).collect::<Vec<_>>())
                .unwrap();
        let (status, _, page) = post_form(
            t,
            &client,
            &format!("/rotas/{id}/day"),
            &[
                ("staff_id", &other.id),
                ("date", &monday.to_string()),
                ("pattern", app::rota::pattern_code(pattern)),
                ("site_id", &held[0].site_id),
                ("lock", "yes"),
                ("version", &version(t, &actor, &id).await),
            ],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        let (_, page) = get(t, &client, &format!("/rotas/{id}")).await;
        let shown = version(t, &actor, &id).await;
        assert_eq!(field_value(&page, "version"), Some(shown.clone()));
        let (status, _, _) = post_form(
            t,
            &client,
            &format!("/rotas/{id}/resolve"),
            &[("version", &shown)],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            t.app
                .rota()
                .run_next_rota_job("test-worker", 2)
                .await
                .unwrap(),
            Some(id.clone())
        );
        let again = t.app.rota().detail(&actor, &id).await.unwrap();
        let kept: Vec<_> = again
            .assignments
            .iter()
            .filter(|a| a.staff_id == other.id && a.date == monday)
            .map(|a| (a.session, a.site_id.clone()))
            .collect();
        assert_eq!(
            kept,
            held.iter()
                .map(|a| (a.session, a.site_id.clone()))
                .collect::<Vec<_>>()
        );
        assert!(again.locked.contains(&(other.id.clone(), monday)));
        assert!(
            again.problems.iter().all(|p| !p.hard),
            "{:?}",
            again.problems.iter().filter(|p| p.hard).collect::<Vec<_>>()
        );

        // Publish, from the version the page shows; the grid and the printable page show
        // the team.
        let (_, page) = get(t, &client, &format!("/rotas/{id}")).await;
        let shown = field_value(&page, "version").unwrap();
        let (status, location, _) = post_form(
            t,
            &client,
            &format!("/rotas/{id}/publish"),
            &[("version", &shown)],
        )
        .await;
        assert_eq!(status, 303);
        assert!(location.contains("done=rota-published"), "{location}");
        let (_, page) = get(t, &client, &format!("/rotas/{id}")).await;
        assert!(page.contains("published on"), "published");
        assert!(page.contains(&other.name));
        let (_, print) = get(t, &client, &format!("/rotas/{id}/print")).await;
        assert!(print.contains("app-print-table"));

        // The demand-and-capacity weeks the published rota covers take its sessions as capacity.
        let dc = t
            .app
            .demand()
            .demand_capacity(&actor, app::Tenant::Pcn(OWN_PCN))
            .await
            .unwrap();
        let covered: std::collections::BTreeSet<NaiveDate> = dc
            .weeks
            .iter()
            .map(|w| w.0)
            .filter(|m| *m >= monday && *m <= monday + chrono::Days::new(7))
            .collect();
        assert!(!covered.is_empty(), "the forecast weeks include the rota's");
        assert_eq!(
            dc.rota_weeks
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            covered
        );
        let gp_week = dc
            .weeks
            .iter()
            .find(|w| w.0 == *covered.first().unwrap() && w.1 == "GP")
            .unwrap();
        assert!(gp_week.3 > 0.0, "GP capacity from the rota");

        // Another tenant's manager cannot see it.
        let other_manager = t.logged_in(&t.other.manager_email).await;
        let (status, _) = get(t, &other_manager, &format!("/rotas/{id}")).await;
        assert_eq!(status, 404);
    }
);

on_both!(
    conflicting_rules_and_impossible_cover_are_explained,
    async |t: &TestApp| {
        let actor = pcn_actor(t).await;
        // Two weeks from a Monday two weeks ahead, moved on while either Monday is a bank
        // holiday (the sites close then, and there is no cover to be short of).
        let mut monday = next_monday(t.app.today()) + chrono::Days::new(14);
        while analytics::calendar::is_bank_holiday(monday)
            || analytics::calendar::is_bank_holiday(monday + chrono::Days::new(7))
        {
            monday = monday + chrono::Days::new(7);
        }
        let template = t
            .app
            .rota()
            .cover_template(&actor, &RotaScope::Practice(OWN_PRACTICE.into()))
            .await
            .unwrap();
        let site = &template.sites[0];
        // Far more GPs on Monday morning than the PCN employs.
        let mut rows: Vec<domain::rota::CoverForm> = site
            .cover
            .iter()
            .map(|c| domain::rota::CoverForm {
                site_id: site.id.clone(),
                weekday: domain::rota::weekday_code(c.weekday).into(),
                session: c.session.code().into(),
                need: c.need.code(),
                minimum: c.minimum.to_string(),
                ideal: c.ideal.to_string(),
            })
            .filter(|c| !(c.weekday == "mon" && c.session == "am" && c.need == "group:gp"))
            .collect();
        rows.push(domain::rota::CoverForm {
            site_id: site.id.clone(),
            weekday: "mon".into(),
            session: "am".into(),
            need: "group:gp".into(),
            minimum: "40".into(),
            ideal: "40".into(),
        });
        t.app
            .rota()
            .save_cover(&actor, &site.id, &rows)
            .await
            .unwrap();

        // A bad row names its number and field, and changes nothing.
        let mut bad = rows.clone();
        bad[1].ideal = "0".into();
        bad[1].minimum = "2".into();
        let err = t
            .app
            .rota()
            .save_cover(&actor, &site.id, &bad)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("Row 2, ideal"), "{err}");
        let after = t
            .app
            .rota()
            .cover_template(&actor, &RotaScope::Practice(OWN_PRACTICE.into()))
            .await
            .unwrap();
        assert_eq!(after.sites[0].cover.len(), rows.len());

        // A GP's fixed Monday morning falls on their approved leave.
        let period = RotaPeriod {
            from: monday,
            weeks: 2,
        };
        let mut conn = t.app.store().conn().await.unwrap();
        let (input, _) = load_input(&mut conn, &RotaScope::Pcn(OWN_PCN.into()), period)
            .await
            .unwrap();
        let gp = input
            .people
            .iter()
            .find(|p| p.is_gp() && p.approved_leave.is_empty() && p.rules.fixed_sessions.is_empty())
            .unwrap()
            .clone();
        drop(conn);
        t.app
            .rota()
            .save_rota_rules(
                &actor,
                &gp.id,
                &domain::rota::RotaRulesForm {
                    fixed_sessions: "Monday AM".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut tx = t.app.store().begin().await.unwrap();
        let leave = domain::leave::LeaveDraft {
            kind: domain::leave::LeaveKind::Annual,
            start_date: monday,
            end_date: monday,
            note: None,
        };
        store::leave::insert(
            &mut tx,
            &store::new_id(),
            &gp.id,
            &leave,
            domain::leave::LeaveStatus::Approved,
            "2026-11-23T09:00:00Z",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let solved = t
            .app
            .rota()
            .solve_rota_now(RotaScope::Pcn(OWN_PCN.into()), period, 2, 2)
            .await
            .unwrap();
        assert!(
            solved.conflicts.iter().any(|c| c.contains(&gp.name)
                && c.contains("fixed Monday AM")
                && c.contains("annual leave")),
            "{:?}",
            solved.conflicts
        );
        let short: Vec<_> = solved
            .problems
            .iter()
            .filter(|p| p.rule == "cover" && p.message.contains("short of the minimum of 40"))
            .collect();
        assert_eq!(
            short.len(),
            2,
            "both Mondays are short, and say so: {short:?}"
        );
        assert!(short[0].message.contains("AM at"), "{}", short[0].message);
        assert!(
            solved.problems.iter().all(|p| !p.hard),
            "impossible cover is a gap, not a broken rule"
        );
        // The GP is not booked on their leave day, and works their fixed session the next Monday.
        let next = monday + chrono::Days::new(7);
        let mut conn = t.app.store().conn().await.unwrap();
        let assignments = store::rota::list_assignments(&mut conn, &solved.id)
            .await
            .unwrap();
        assert!(
            !assignments
                .iter()
                .any(|a| a.staff_id == gp.id && a.day == monday.to_string())
        );
        assert!(
            assignments
                .iter()
                .any(|a| a.staff_id == gp.id && a.day == next.to_string() && a.session == "am")
        );
    }
);

on_both!(
    staff_ask_for_swaps_and_managers_decide_them_with_the_rules_checked_again,
    async |t: &TestApp| {
        let manager_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let manager = t.logged_in(&manager_email).await;
        let manager_actor = t
            .app
            .accounts()
            .actor(&t.user(&manager_email).await.id)
            .await
            .unwrap();
        let monday = next_monday(t.app.today());
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        let solved = t
            .app
            .rota()
            .solve_rota_now(RotaScope::Practice(OWN_PRACTICE.into()), period, 2, 2)
            .await
            .unwrap();
        let id = solved.id.clone();
        assert!(
            t.app
                .rota()
                .publish_rota(&manager_actor, &id, &Default::default())
                .await
                .unwrap()
                .published
        );
        let before = t
            .app
            .rota()
            .detail(&manager_actor, &id)
            .await
            .unwrap()
            .assignments;

        // The member of staff sees their published sessions.
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let staff_id = t.user(&staff_email).await.staff_id.unwrap();
        let staff = t.logged_in(&staff_email).await;
        let mine: Vec<_> = before.iter().filter(|a| a.staff_id == staff_id).collect();
        assert!(mine.len() >= 2, "the member of staff works this week");
        let (_, page) = get(t, &staff, "/me/rota").await;
        assert!(page.contains("action=\"/me/swaps\""), "{page}");

        // A session they are not booked for is refused, naming it.
        let free_day = (0..6)
            .map(|d| monday + chrono::Days::new(d))
            .find(|d| !mine.iter().any(|a| a.date == *d))
            .unwrap_or(monday + chrono::Days::new(6));
        let (status, _, page) = post_form(
            t,
            &staff,
            "/me/swaps",
            &[
                ("rota_id", &id),
                ("date", &free_day.to_string()),
                ("session", "am"),
            ],
        )
        .await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("You are not booked"), "{page}");

        // A colleague already working that session cannot take it: refused, naming them.
        let first = mine[0];
        let busy = before
            .iter()
            .find(|a| a.staff_id != staff_id && a.date == first.date && a.session == first.session)
            .expect("someone else works the same session")
            .staff_id
            .clone();
        let (status, _, page) = post_form(
            t,
            &staff,
            "/me/swaps",
            &[
                ("rota_id", &id),
                ("date", &first.date.to_string()),
                ("session", first.session.code()),
                ("with_staff_id", &busy),
            ],
        )
        .await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("already works the"), "{page}");

        // A swap to a colleague on approved leave that day breaks a hard rule: refused with
        // the reason, then approved with the override, which is audited.
        let manager_detail = t.app.rota().detail(&manager_actor, &id).await.unwrap();
        let colleague = manager_detail
            .people
            .iter()
            .find(|p| {
                p.id != staff_id
                    && !before
                        .iter()
                        .any(|a| a.staff_id == p.id && a.date == first.date)
            })
            .expect("someone not working that day")
            .id
            .clone();
        let mut tx = t.app.store().begin().await.unwrap();
        let leave = domain::leave::LeaveDraft {
            kind: domain::leave::LeaveKind::Annual,
            start_date: first.date,
            end_date: first.date,
            note: None,
        };
        store::leave::insert(
            &mut tx,
            &store::new_id(),
            &colleague,
            &leave,
            domain::leave::LeaveStatus::Approved,
            "2026-11-23T09:00:00Z",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (status, location, page) = post_form(
            t,
            &staff,
            "/me/swaps",
            &[
                ("rota_id", &id),
                ("date", &first.date.to_string()),
                ("session", first.session.code()),
                ("with_staff_id", &colleague),
                ("note", "Dentist"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        assert!(location.contains("done=swap-requested"), "{location}");
        let swaps = t.app.rota().rota_swaps(&manager_actor, &id).await.unwrap();
        assert_eq!(swaps.len(), 1);
        let swap_id = swaps[0].row.id.clone();
        let (_, rota_page) = get(t, &manager, &format!("/rotas/{id}")).await;
        assert!(
            rota_page.contains("Dentist"),
            "the request is on the rota page"
        );

        let decide = format!("/swaps/{swap_id}/decision");
        let shown = version(t, &manager_actor, &id).await;
        assert_eq!(field_value(&rota_page, "version"), Some(shown.clone()));
        let (status, _, page) = post_form(
            t,
            &manager,
            &decide,
            &[("decision", "approve"), ("version", &shown)],
        )
        .await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("breaks a rule"), "{page}");
        assert_eq!(field_value(&page, "version"), Some(shown.clone()));
        assert_eq!(
            t.app
                .rota()
                .detail(&manager_actor, &id)
                .await
                .unwrap()
                .assignments,
            before,
            "a refused approval changes nothing"
        );
        let (status, location, page) = post_form(
            t,
            &manager,
            &decide,
            &[
                ("decision", "approve"),
                ("override_rules", "yes"),
                ("version", &shown),
            ],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        assert!(location.contains("done=rota-overridden"), "{location}");
        let after = t.app.rota().detail(&manager_actor, &id).await.unwrap();
        let holds = |who: &str| {
            after
                .assignments
                .iter()
                .any(|a| a.staff_id == who && a.date == first.date && a.session == first.session)
        };
        assert!(!holds(&staff_id), "the session left the person who asked");
        assert!(holds(&colleague), "and went to the colleague");
        assert!(
            after.problems.iter().any(|p| p.hard),
            "the break is reported"
        );
        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.to_string()], 50)
            .await
            .unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.action == "overrode" && a.entity == "rota_swap"),
            "the override is audited"
        );
        drop(conn);

        // A request for cover by anyone, declined: nothing moves; it cannot be decided twice.
        let second = mine[1];
        let (status, _, _) = post_form(
            t,
            &staff,
            "/me/swaps",
            &[
                ("rota_id", &id),
                ("date", &second.date.to_string()),
                ("session", second.session.code()),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let swaps = t.app.rota().rota_swaps(&manager_actor, &id).await.unwrap();
        let cover = swaps
            .iter()
            .find(|s| s.row.status == "requested")
            .unwrap()
            .row
            .id
            .clone();
        let decide = format!("/swaps/{cover}/decision");
        // A decline gives its reason, named by its field when missing.
        let (status, _, page) = post_form(t, &manager, &decide, &[("decision", "decline")]).await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("Enter the reason for declining"), "{page}");
        assert!(
            page.contains(&format!("href=\"#reason-{cover}\"")),
            "{page}"
        );
        let (status, location, _) = post_form(
            t,
            &manager,
            &decide,
            &[("decision", "decline"), ("reason", "Nobody free to cover")],
        )
        .await;
        assert_eq!(status, 303);
        assert!(location.contains("done=swap-declined"), "{location}");
        let (_, mine_page) = get(t, &staff, "/me/rota").await;
        assert!(
            mine_page.contains("Declined: Nobody free to cover"),
            "the person reads the outcome and the reason: {mine_page}"
        );
        let unchanged = t
            .app
            .rota()
            .detail(&manager_actor, &id)
            .await
            .unwrap()
            .assignments;
        assert!(unchanged.iter().any(|a| a.staff_id == staff_id
            && a.date == second.date
            && a.session == second.session));
        let (status, _, _) = post_form(t, &manager, &decide, &[("decision", "approve")]).await;
        assert_eq!(status, 409, "already decided");
        let (status, _, _) = post_form(t, &manager, &decide, &[("decision", "")]).await;
        assert_eq!(status, 400, "no decision is not taken as a decline");

        // A published rota is not solved again (staff calendars carry it), and a finished
        // one cannot be stopped.
        let (status, _, page) = post_form(
            t,
            &manager,
            &format!("/rotas/{id}/resolve"),
            &[("version", &version(t, &manager_actor, &id).await)],
        )
        .await;
        assert_eq!(status, 409);
        assert!(page.contains("is published"), "{page}");
        let (status, _, _) = post_form(t, &manager, &format!("/rotas/{id}/cancel"), &[]).await;
        assert_eq!(status, 409);

        // A rota stopped before it was ever solved has nothing to publish.
        let stopped = t.fresh_rota(OWN_PRACTICE).await;
        let (status, _, _) = post_form(t, &manager, &format!("/rotas/{stopped}/cancel"), &[]).await;
        assert_eq!(status, 303);
        let (status, _, page) =
            post_form(t, &manager, &format!("/rotas/{stopped}/publish"), &[]).await;
        assert_eq!(status, 409);
        assert!(page.contains("nothing to publish"), "{page}");
    }
);

/// The PCN-employed people of the demo who work at both the own practice and its neighbour.
async fn shared_between(t: &TestApp, a: &str, b: &str) -> Vec<store::register::StaffRecord> {
    let mut conn = t.app.store().conn().await.unwrap();
    store::register::list(
        &mut conn,
        store::register::StaffScope::WorksAt(a),
        &Default::default(),
    )
    .await
    .unwrap()
    .into_iter()
    .filter(|s| s.draft.practices.iter().any(|p| p.as_str() == b))
    .collect()
}

on_both!(
    two_practices_rotas_share_a_persons_contract_and_both_stay_in_their_calendar,
    async |t: &TestApp| {
        const NEIGHBOUR: &str = "Y99902";
        let actor = pcn_actor(t).await;
        let monday = next_monday(t.app.today());
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        let shared = shared_between(t, OWN_PRACTICE, NEIGHBOUR).await;
        assert!(
            !shared.is_empty(),
            "the demo PCN team works at several practices"
        );

        // The own practice's rota plans only its share of each shared person's contract.
        let own = t
            .app
            .rota()
            .solve_rota_now(RotaScope::Practice(OWN_PRACTICE.into()), period, 2, 2)
            .await
            .unwrap();
        assert!(
            t.app
                .rota()
                .publish_rota(&actor, &own.id, &Default::default())
                .await
                .unwrap()
                .published
        );
        let mut conn = t.app.store().conn().await.unwrap();
        let (whole, _) = load_input(&mut conn, &RotaScope::Pcn(OWN_PCN.into()), period)
            .await
            .unwrap();
        let (own_input, _) =
            load_input(&mut conn, &RotaScope::Practice(OWN_PRACTICE.into()), period)
                .await
                .unwrap();
        // The neighbour's rota, solved after, cannot have them where the own rota has them.
        let (neighbour_input, _) =
            load_input(&mut conn, &RotaScope::Practice(NEIGHBOUR.into()), period)
                .await
                .unwrap();
        drop(conn);
        let neighbour = t
            .app
            .rota()
            .solve_rota_now(RotaScope::Practice(NEIGHBOUR.into()), period, 2, 2)
            .await
            .unwrap();
        let detail = |id: String| {
            let actor = actor.clone();
            async move { t.app.rota().detail(&actor, &id).await.unwrap().assignments }
        };
        let (own_sessions, neighbour_sessions) = (
            detail(own.id.clone()).await,
            detail(neighbour.id.clone()).await,
        );
        let halves = |list: &[app::rota::Assignment], id: &str| -> u32 {
            list.iter()
                .filter(|a| a.staff_id == id)
                .map(|a| a.session.contract_halves())
                .sum()
        };
        let person = |input: &app::rota::RotaInput, id: &str| {
            input.people.iter().find(|p| p.id == id).unwrap().clone()
        };
        let mut booked_in_both = 0;
        for s in &shared {
            let full = app::rota::plan::contract_halves(&person(&whole, &s.id), &period);
            let own_part = person(&own_input, &s.id);
            assert!(own_part.share < 1.0, "{}: {}", s.draft.name, own_part.share);
            assert!(
                full == 0 || app::rota::plan::contract_halves(&own_part, &period) < full,
                "{}: the practice's share is less than the whole contract",
                s.draft.name
            );
            let (a, b) = (
                halves(&own_sessions, &s.id),
                halves(&neighbour_sessions, &s.id),
            );
            assert!(
                a + b <= full,
                "{}: {a} + {b} half sessions booked, the contract is {full}",
                s.draft.name
            );
            if a > 0 && b > 0 {
                booked_in_both += 1;
            }
            // Never in two places in one session.
            for x in own_sessions.iter().filter(|x| x.staff_id == s.id) {
                assert!(
                    !neighbour_sessions
                        .iter()
                        .any(|y| y.staff_id == s.id && y.date == x.date && y.session == x.session),
                    "{} is booked twice on {} {:?}",
                    s.draft.name,
                    x.date,
                    x.session
                );
                assert!(
                    person(&neighbour_input, &s.id)
                        .booked_elsewhere(x.date, x.session)
                        .is_some(),
                    "the neighbour's rota knows {} works {} {:?} elsewhere",
                    s.draft.name,
                    x.date,
                    x.session
                );
            }
        }
        assert!(booked_in_both > 0, "someone works in both rotas");
        assert!(
            neighbour
                .problems
                .iter()
                .all(|p| !(p.hard && matches!(p.rule, "booked_elsewhere" | "contract"))),
            "{:?}",
            neighbour.problems
        );

        // Publishing the neighbour's rota leaves the own practice's sessions in the shared
        // person's rota page and calendar feed.
        assert!(
            t.app
                .rota()
                .publish_rota(&actor, &neighbour.id, &Default::default())
                .await
                .unwrap()
                .published
        );
        let s = shared
            .iter()
            .find(|s| halves(&own_sessions, &s.id) > 0 && halves(&neighbour_sessions, &s.id) > 0)
            .unwrap();
        let email = format!("shared-{}@example.test", s.id);
        let mut tx = t.app.store().begin().await.unwrap();
        let user = store::accounts::UserRecord {
            id: store::new_id(),
            email: email.clone(),
            password_hash: app::accounts::login::hash_password(PASSWORD).unwrap(),
            role: domain::account::UserRole::Staff,
            org_code: OWN_PCN.into(),
            staff_id: Some(s.id.clone()),
            display_name: s.draft.name.clone(),
            demo: false,
            disabled: false,
            last_login_at: None,
            session_epoch: 0,
        };
        store::accounts::insert(&mut tx, &user, "2026-11-23T09:00:00Z")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let me = t.app.accounts().actor(&user.id).await.unwrap();
        let mut expected: Vec<(String, String, String)> = own_sessions
            .iter()
            .chain(&neighbour_sessions)
            .filter(|a| a.staff_id == s.id)
            .map(|a| {
                (
                    a.date.to_string(),
                    a.session.code().to_string(),
                    a.site_id.clone(),
                )
            })
            .collect();
        expected.sort();
        let mut seen: Vec<(String, String, String)> = t
            .app
            .rota()
            .my_rota(&me, monday, 7)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.day, a.session, a.site_id))
            .collect();
        seen.sort();
        assert_eq!(seen, expected, "both practices' published sessions");

        let site_names: std::collections::BTreeMap<String, String> = whole
            .sites
            .iter()
            .map(|x| (x.id.clone(), x.name.clone()))
            .collect();
        let own_site = &site_names[&own_sessions
            .iter()
            .find(|a| a.staff_id == s.id)
            .unwrap()
            .site_id];
        let neighbour_site = &site_names[&neighbour_sessions
            .iter()
            .find(|a| a.staff_id == s.id)
            .unwrap()
            .site_id];
        assert_ne!(own_site, neighbour_site);
        let page = t
            .logged_in(&email)
            .await
            .get(format!("{}/me/rota", t.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(own_site.as_str()), "{page}");
        assert!(page.contains(neighbour_site.as_str()), "{page}");
        let token = t.app.rota().my_calendar_token(&me).await.unwrap();
        let feed = reqwest::get(format!("{}/ical/{token}.ics", t.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(
            feed.matches("BEGIN:VEVENT").count(),
            expected.len(),
            "{feed}"
        );
        assert!(feed.contains(&format!("session at {own_site}")), "{feed}");
        assert!(
            feed.contains(&format!("session at {neighbour_site}")),
            "{feed}"
        );
    }
);

on_both!(
    a_pcns_week_adds_its_practices_published_rotas_to_the_others_estimates,
    async |t: &TestApp| {
        let actor = pcn_actor(t).await;
        let before = t
            .app
            .demand()
            .demand_capacity(&actor, app::Tenant::Pcn(OWN_PCN))
            .await
            .unwrap();
        let today = t.app.today();
        let monday = before
            .weeks
            .iter()
            .map(|w| w.0)
            .find(|m| *m >= today)
            .unwrap_or(before.weeks[0].0);
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        // Only the own practice publishes a rota for the week; there is no PCN rota.
        let own = t
            .app
            .rota()
            .solve_rota_now(RotaScope::Practice(OWN_PRACTICE.into()), period, 2, 2)
            .await
            .unwrap();
        assert!(
            t.app
                .rota()
                .publish_rota(&actor, &own.id, &Default::default())
                .await
                .unwrap()
                .published
        );

        let pcn = t
            .app
            .demand()
            .demand_capacity(&actor, app::Tenant::Pcn(OWN_PCN))
            .await
            .unwrap();
        assert_eq!(pcn.rota_weeks, vec![monday]);
        // The PCN's week is the own practice's rota plus the other practices' estimates:
        // the sum of the three practices' own views of that week.
        let mut summed: std::collections::BTreeMap<String, f64> = Default::default();
        for ods in [OWN_PRACTICE, "Y99902", "Y99903"] {
            let view = t
                .app
                .demand()
                .demand_capacity(&actor, app::Tenant::Practice(ods))
                .await
                .unwrap();
            let expected = if ods == OWN_PRACTICE {
                vec![monday]
            } else {
                Vec::new()
            };
            assert_eq!(view.rota_weeks, expected, "{ods}");
            for w in view.weeks.iter().filter(|w| w.0 == monday) {
                *summed.entry(w.1.clone()).or_default() += w.3;
            }
        }
        let week: Vec<&(NaiveDate, String, f64, f64)> =
            pcn.weeks.iter().filter(|w| w.0 == monday).collect();
        assert!(!week.is_empty());
        for w in week {
            assert!(
                (w.3 - summed[&w.1]).abs() < 1e-6,
                "{}: the PCN has {}, its practices {}",
                w.1,
                w.3,
                summed[&w.1]
            );
        }
        // The own practice's rota changed the week; the other weeks are as they were.
        let own_gp = |dc: &app::demand::DemandCapacity, m: NaiveDate| {
            dc.weeks
                .iter()
                .find(|w| w.0 == m && w.1 == "GP")
                .map(|w| w.3)
        };
        for w in &before.weeks {
            if w.0 != monday {
                assert_eq!(
                    pcn.weeks
                        .iter()
                        .find(|x| x.0 == w.0 && x.1 == w.1)
                        .map(|x| x.3),
                    Some(w.3)
                );
            }
        }
        assert_ne!(own_gp(&pcn, monday), own_gp(&before, monday));
    }
);

on_both!(
    two_managers_editing_one_rota_from_the_same_version_cannot_both_save,
    async |t: &TestApp| {
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let pcn_email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let (first, second) = (t.logged_in(&pm_email).await, t.logged_in(&pcn_email).await);
        let actor = t
            .app
            .accounts()
            .actor(&t.user(&pm_email).await.id)
            .await
            .unwrap();
        let monday = next_monday(t.app.today());
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        let id = t
            .app
            .rota()
            .solve_rota_now(RotaScope::Practice(OWN_PRACTICE.into()), period, 2, 2)
            .await
            .unwrap()
            .id;
        let detail = t.app.rota().detail(&actor, &id).await.unwrap();
        // Two people's Mondays, each kept as it is and locked: edits that break no rule on
        // their own, so only the version can refuse one.
        let days: Vec<(String, String, String)> = detail
            .people
            .iter()
            .filter_map(|p| {
                let held: Vec<_> = detail
                    .assignments
                    .iter()
                    .filter(|a| a.staff_id == p.id && a.date == monday)
                    .collect();
                let pattern = domain::rota::DayPattern::of(
                    &held.iter().map(|a| a.session).collect::<Vec<_>>(),
                )?;
                Some((
                    p.id.clone(),
                    app::rota::pattern_code(pattern).to_string(),
                    held[0].site_id.clone(),
                ))
            })
            .take(4)
            .collect();
        assert_eq!(days.len(), 4, "four people work on Monday");
        let edit = async |client: &reqwest::Client, day: &(String, String, String), seen: &str| {
            post_form(
                t,
                client,
                &format!("/rotas/{id}/day"),
                &[
                    ("staff_id", &day.0),
                    ("date", &monday.to_string()),
                    ("pattern", &day.1),
                    ("site_id", &day.2),
                    ("lock", "yes"),
                    ("version", seen),
                ],
            )
            .await
        };
        const STALE: &str = "This rota changed since you opened it: reload and try again";

        // Both open their day's form at the same version; the first to save wins.
        let form_version = async |client: &reqwest::Client, day: &(String, String, String)| {
            let (_, page) = get(
                t,
                client,
                &format!("/rotas/{id}/day?staff={}&date={monday}", day.0),
            )
            .await;
            field_value(&page, "version").unwrap()
        };
        let seen = form_version(&first, &days[0]).await;
        assert_eq!(form_version(&second, &days[1]).await, seen);
        let (status, _, page) = edit(&first, &days[0], &seen).await;
        assert_eq!(status, 303, "{page}");
        let after_first = t.app.rota().detail(&actor, &id).await.unwrap();
        let (status, _, page) = edit(&second, &days[1], &seen).await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains(STALE), "{page}");
        let now = t.app.rota().detail(&actor, &id).await.unwrap();
        assert_eq!(
            now.locked, after_first.locked,
            "the refused edit wrote nothing"
        );
        assert_eq!(now.assignments, after_first.assignments);
        assert_eq!(now.row.version, after_first.row.version);
        assert!(!now.locked.contains(&(days[1].0.clone(), monday)));
        // The refusal shows the day as it is now, with the version to try again from.
        let fresh = now.row.version.to_string();
        assert_eq!(field_value(&page, "version"), Some(fresh.clone()));

        // A swap approval and a new solve from the old version are refused the same way.
        let asker = days[2].0.clone();
        let swap = store::rota::SwapRow {
            id: store::new_id(),
            rota_id: id.clone(),
            staff_id: asker,
            day: monday.to_string(),
            session: detail
                .assignments
                .iter()
                .find(|a| a.staff_id == days[2].0 && a.date == monday)
                .unwrap()
                .session
                .code()
                .to_string(),
            with_staff_id: None,
            note: None,
            status: "requested".into(),
            requested_at: "2026-11-23T09:00:00Z".into(),
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        let mut conn = t.app.store().conn().await.unwrap();
        store::rota::insert_swap(&mut conn, &swap).await.unwrap();
        drop(conn);
        let (status, _, page) = post_form(
            t,
            &second,
            &format!("/swaps/{}/decision", swap.id),
            &[
                ("decision", "approve"),
                ("override_rules", "yes"),
                ("version", &seen),
            ],
        )
        .await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains(STALE), "{page}");
        let (status, _, page) = post_form(
            t,
            &second,
            &format!("/rotas/{id}/resolve"),
            &[("version", &seen)],
        )
        .await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains(STALE), "{page}");
        let now = t.app.rota().detail(&actor, &id).await.unwrap();
        assert_eq!(now.assignments, after_first.assignments);
        assert_eq!(now.row.status, "done");
        assert_eq!(
            t.app.rota().rota_swaps(&actor, &id).await.unwrap()[0]
                .row
                .status,
            "requested"
        );

        // Two edits sent at the same moment from the same version: one is saved, the other
        // refused, never both.
        let (a, b) = tokio::join!(
            edit(&first, &days[2], &fresh),
            edit(&second, &days[3], &fresh)
        );
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [303, 409], "{} {}", a.2, b.2);
        let refused = if a.0 == 409 { &a.2 } else { &b.2 };
        assert!(refused.contains(STALE), "{refused}");
        let locked = t.app.rota().detail(&actor, &id).await.unwrap().locked;
        let newly = days[2..]
            .iter()
            .filter(|d| locked.contains(&(d.0.clone(), monday)))
            .count();
        assert_eq!(newly, 1, "exactly one of the two edits was written");

        // The audit trail has the one edit that was saved from each version.
        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.to_string()], 50)
            .await
            .unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.entity == "rota_day" && a.entity_id == id)
                .count(),
            2
        );
    }
);

on_both!(
    publishing_carries_the_version_and_is_refused_while_another_practices_rota_clashes,
    async |t: &TestApp| {
        const NEIGHBOUR: &str = "Y99902";
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let client = t.logged_in(&email).await;
        let actor = pcn_actor(t).await;
        let monday = next_monday(t.app.today());
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        let shared = shared_between(t, OWN_PRACTICE, NEIGHBOUR).await;
        // Both practices' rotas are solved before either is published, so neither knows
        // what the other books.
        let own = t
            .app
            .rota()
            .solve_rota_now(RotaScope::Practice(OWN_PRACTICE.into()), period, 2, 2)
            .await
            .unwrap();
        let neighbour = t
            .app
            .rota()
            .solve_rota_now(RotaScope::Practice(NEIGHBOUR.into()), period, 2, 2)
            .await
            .unwrap();
        let own_detail = t.app.rota().detail(&actor, &own.id).await.unwrap();
        let (person, date, pattern) = shared
            .iter()
            .find_map(|s| {
                let held: Vec<_> = own_detail
                    .assignments
                    .iter()
                    .filter(|a| a.staff_id == s.id)
                    .collect();
                let first = held.first()?;
                let day: Vec<_> = held
                    .iter()
                    .filter(|a| a.date == first.date)
                    .map(|a| a.session)
                    .collect();
                Some((s, first.date, domain::rota::DayPattern::of(&day)?))
            })
            .expect("a person at both practices works in the own practice's rota");
        // The neighbour's manager books them for the same sessions there (saved with an
        // override, whatever else it breaks) and publishes.
        let neighbour_detail = t.app.rota().detail(&actor, &neighbour.id).await.unwrap();
        let there = neighbour_detail
            .people
            .iter()
            .find(|p| p.id == person.id)
            .unwrap()
            .site_ids[0]
            .clone();
        let edit = app::rota::DayEdit {
            staff_id: person.id.clone(),
            date: date.to_string(),
            pattern: app::rota::pattern_code(pattern).into(),
            site_id: there.clone(),
            lock: false,
            override_rules: true,
            version: neighbour_detail.row.version,
        };
        let edited = t
            .app
            .rota()
            .edit_rota_day(&actor, &neighbour.id, &edit)
            .await
            .unwrap();
        assert!(edited.saved);
        let published = t
            .app
            .rota()
            .publish_rota(
                &actor,
                &neighbour.id,
                &app::rota::PublishRequest {
                    version: Some(
                        t.app
                            .rota()
                            .detail(&actor, &neighbour.id)
                            .await
                            .unwrap()
                            .row
                            .version,
                    ),
                    override_rules: true,
                },
            )
            .await
            .unwrap();
        assert!(published.published);
        let there_name = neighbour_detail
            .sites
            .iter()
            .find(|s| s.id == there)
            .unwrap()
            .name
            .clone();

        // The own practice's rota, checked again, now clashes: publishing is refused and
        // the page names the clash; nothing is published.
        let (_, page) = get(t, &client, &format!("/rotas/{}", own.id)).await;
        let shown = field_value(&page, "version").unwrap();
        assert!(
            page.contains("id=\"override_publish\""),
            "the page offers the override: {page}"
        );
        let (status, _, page) = post_form(
            t,
            &client,
            &format!("/rotas/{}/publish", own.id),
            &[("version", &shown)],
        )
        .await;
        assert_eq!(status, 422, "{page}");
        assert!(page.contains("id=\"publish-refused\""), "{page}");
        let clash = format!("already works that session at {there_name} in another published rota");
        assert!(page.contains(&clash), "{page}");
        let not_yet = t.app.rota().detail(&actor, &own.id).await.unwrap().row;
        assert!(not_yet.published_at.is_none());
        assert_eq!(
            not_yet.version.to_string(),
            shown,
            "a refusal writes nothing"
        );

        // The JSON API: a wrong version type names the field, an old version is stale, and
        // without the override the clash is refused with the problems listed.
        let publish = format!("/api/rotas/{}/publish", own.id);
        let api = async |body: serde_json::Value| post_json(t, &client, &publish, body).await;
        let (status, body) = api(serde_json::json!({ "version": "x" })).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["fields"][0]["field"], "version", "{body}");
        let old = not_yet.version - 1;
        let (status, body) = api(serde_json::json!({ "version": old, "override": true })).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"], app::rota::STALE_ROTA, "{body}");
        let (status, body) = api(serde_json::json!({ "version": not_yet.version })).await;
        assert_eq!(status, 409, "{body}");
        assert!(body["error"].as_str().unwrap().contains(&clash), "{body}");
        assert!(
            body["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["rule"] == "booked_elsewhere" && p["hard"] == true),
            "{body}"
        );
        // An old version is refused by the page too, showing the rota as it is now.
        let (status, _, page) = post_form(
            t,
            &client,
            &format!("/rotas/{}/publish", own.id),
            &[("version", &old.to_string()), ("override_rules", "yes")],
        )
        .await;
        assert_eq!(status, 409, "{page}");
        assert!(page.contains(app::rota::STALE_ROTA), "{page}");
        assert!(
            t.app
                .rota()
                .detail(&actor, &own.id)
                .await
                .unwrap()
                .row
                .published_at
                .is_none()
        );

        // "Publish anyway": published, and the override is audited with the clash.
        let (status, location, page) = post_form(
            t,
            &client,
            &format!("/rotas/{}/publish", own.id),
            &[("version", &shown), ("override_rules", "yes")],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        assert!(
            location.contains("done=rota-published-overridden"),
            "{location}"
        );
        let after = t.app.rota().detail(&actor, &own.id).await.unwrap().row;
        assert!(after.published_at.is_some());
        assert!(
            after.version > not_yet.version,
            "publishing moves the version"
        );
        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.to_string()], 50)
            .await
            .unwrap();
        let row = audit
            .iter()
            .find(|a| a.entity == "rota" && a.entity_id == own.id && a.action == "overrode")
            .expect("the override is audited");
        assert!(
            row.after_json.as_deref().unwrap_or("").contains(&clash),
            "{:?}",
            row.after_json
        );
    }
);
