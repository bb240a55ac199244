//! A person's own time on the rota, on both databases. Session requests over HTTP: a member of
//! staff asks to work a session or to have one off on "My rota" (bad input named by field, a
//! second request for the same session replacing the first), their manager records one for
//! them on their rota rules page, the rota reads them and explains the ones it leaves unmet,
//! and either withdraws them; each change is audited. Coaching booked through the PCN's
//! programmes takes its time: the rota keeps the person out of the sessions it overlaps.
use super::on_both;
use crate::support::*;
use app::rota::{RotaScope, check, load_input};
use domain::rota::{RotaPeriod, Session, SessionWish};
use store::Backend;

on_both!(
    staff_and_managers_ask_about_sessions_and_the_rota_weighs_them,
    async |t: &TestApp| {
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let staff_id = t.user(&staff_email).await.staff_id.unwrap();
        let staff = t.logged_in(&staff_email).await;
        let monday = next_monday(t.app.today());
        let wednesday = monday + chrono::Days::new(2);
        let thursday = monday + chrono::Days::new(3);

        let (status, page) = get(t, &staff, "/me/rota").await;
        assert_eq!(status, 200);
        assert!(page.contains("action=\"/me/session-requests\""), "{page}");
        assert!(page.contains("No requests from today on."), "{page}");

        // Bad input: each field named, beside the field and in the summary; nothing stored.
        let yesterday = (t.app.today() - chrono::Days::new(1)).to_string();
        let (status, _, page) = post_form(
            t,
            &staff,
            "/me/session-requests",
            &[
                ("date", &yesterday),
                ("session", "night"),
                ("note", &"x".repeat(201)),
            ],
        )
        .await;
        assert_eq!(status, 422, "{page}");
        for (field, message) in [
            ("request-date", "Choose today or a later date"),
            ("request-session", "is not a session"),
            ("request-wish", "Choose whether you would like to work"),
            ("request-note", "Keep the note to 200 characters"),
        ] {
            assert!(
                page.contains(&format!("href=\"#{field}\"")),
                "{field}: {page}"
            );
            assert!(page.contains(message), "{message}: {page}");
        }
        // A Saturday session on a Wednesday.
        let (status, _, page) = post_form(
            t,
            &staff,
            "/me/session-requests",
            &[
                ("date", &wednesday.to_string()),
                ("session", "saturday"),
                ("wish", "work"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            page.contains("There is no Saturday session on a Wednesday"),
            "{page}"
        );
        let staff_actor = t
            .app
            .accounts()
            .actor(&t.user(&staff_email).await.id)
            .await
            .unwrap();
        let stored = t
            .app
            .rota()
            .session_requests(&staff_actor, &staff_id)
            .await
            .unwrap();
        assert!(stored.is_empty(), "{stored:?}");

        // Wednesday PM off, then the same session asked for instead: one request, replaced.
        for wish in ["off", "work"] {
            let (status, location, _) = post_form(
                t,
                &staff,
                "/me/session-requests",
                &[
                    ("date", &wednesday.to_string()),
                    ("session", "pm"),
                    ("wish", wish),
                    ("note", "school play"),
                ],
            )
            .await;
            assert_eq!(status, 303);
            assert!(location.contains("done=session-request"), "{location}");
        }
        let (_, page) = get(t, &staff, "/me/rota?done=session-request").await;
        assert!(page.contains("Your session request was saved"), "{page}");
        assert!(
            page.contains("To work it") && page.contains("school play"),
            "{page}"
        );
        assert!(!page.contains("To have it off"), "{page}");

        // Their manager asks for Thursday AM off for them on their rota rules page.
        let manager_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let manager = t.logged_in(&manager_email).await;
        let manager_actor = t
            .app
            .accounts()
            .actor(&t.user(&manager_email).await.id)
            .await
            .unwrap();
        let rules = format!("/staff/{staff_id}/rota-rules");
        let (status, location, _) = post_form(
            t,
            &manager,
            &format!("/staff/{staff_id}/session-requests"),
            &[
                ("date", &thursday.to_string()),
                ("session", "am"),
                ("wish", "off"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert!(location.starts_with(&rules), "{location}");
        let (_, page) = get(t, &manager, &format!("{rules}?done=session-request")).await;
        assert!(page.contains("The session request is saved"), "{page}");
        assert!(
            page.contains("To have it off") && page.contains("To work it"),
            "{page}"
        );
        // A bad request there comes back on the rules page, named.
        let (status, _, page) = post_form(
            t,
            &manager,
            &format!("/staff/{staff_id}/session-requests"),
            &[("date", "next week"), ("session", "am"), ("wish", "off")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("href=\"#request-date\""), "{page}");

        // The rota reads both; what it does not meet is explained in plain words.
        let mut conn = t.app.store().conn().await.unwrap();
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        let scope = RotaScope::Practice(OWN_PRACTICE.into());
        let (input, _) = load_input(&mut conn, &scope, period).await.unwrap();
        drop(conn);
        let person = input.people.iter().find(|p| p.id == staff_id).unwrap();
        let asked: Vec<_> = person
            .session_requests
            .iter()
            .map(|r| (r.date, r.session, r.wish))
            .collect();
        assert_eq!(
            asked,
            vec![
                (wednesday, Session::Pm, SessionWish::Work),
                (thursday, Session::Am, SessionWish::Off)
            ]
        );
        let solved = t
            .app
            .rota()
            .solve_rota_now(scope, period, 2, 2)
            .await
            .unwrap();
        let detail = t
            .app
            .rota()
            .detail(&manager_actor, &solved.id)
            .await
            .unwrap();
        let works = |date, session| {
            detail
                .assignments
                .iter()
                .any(|a| a.staff_id == staff_id && a.date == date && a.session == session)
        };
        let reported = |date| {
            detail
                .problems
                .iter()
                .any(|p| p.rule == "session_request" && p.date == Some(date) && !p.hard)
        };
        assert_eq!(reported(thursday), works(thursday, Session::Am));
        // Moved onto the Thursday morning asked off: explained.
        let mut moved = detail.assignments.clone();
        moved.retain(|a| !(a.staff_id == staff_id && a.date == thursday));
        let site_id = input
            .sites
            .iter()
            .find(|s| person.site_ids.contains(&s.id))
            .unwrap()
            .id
            .clone();
        moved.push(app::rota::Assignment {
            staff_id: staff_id.clone(),
            date: thursday,
            session: Session::Am,
            site_id,
            room_id: None,
        });
        let problems = check(&input, &moved);
        assert!(
            problems.iter().any(|p| p.rule == "session_request"
                && p.date == Some(thursday)
                && p.message.contains("asked to have Thursday AM")
                && p.message.contains("off and is booked at")),
            "{problems:?}"
        );

        // The member of staff withdraws one of their requests (their manager's included).
        let (_, page) = get(t, &staff, "/me/rota").await;
        let at = page.find("/session-requests/").unwrap();
        let id: String = page[at + "/session-requests/".len()..]
            .chars()
            .take_while(|c| *c != '/')
            .collect();
        let (status, location, _) =
            post_form(t, &staff, &format!("/session-requests/{id}/withdraw"), &[]).await;
        assert_eq!(status, 303);
        assert!(
            location.contains("done=session-request-withdrawn"),
            "{location}"
        );
        let (status, _, _) =
            post_form(t, &staff, &format!("/session-requests/{id}/withdraw"), &[]).await;
        assert_eq!(status, 404, "withdrawn once only");
        let left = t
            .app
            .rota()
            .session_requests(&manager_actor, &staff_id)
            .await
            .unwrap();
        assert_eq!(left.len(), 1);

        // Every change is audited.
        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.to_string()], 100)
            .await
            .unwrap();
        let actions: Vec<&str> = audit
            .iter()
            .filter(|a| a.entity == "session_request")
            .map(|a| a.action.as_str())
            .collect();
        for action in ["requested", "updated", "withdrawn"] {
            assert!(actions.contains(&action), "{action}: {actions:?}");
        }
    }
);

on_both!(
    a_rota_keeps_people_out_of_their_booked_coaching,
    async |t: &TestApp| {
        let pcn_email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let pcn = t
            .app
            .accounts()
            .actor(&t.user(&pcn_email).await.id)
            .await
            .unwrap();
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let staff_id = t.user(&staff_email).await.staff_id.unwrap();
        let monday = next_monday(t.app.today());
        let tuesday = monday + chrono::Days::new(1);
        let programme = t
            .app
            .development()
            .add_coaching_programme(
                &pcn,
                OWN_PCN,
                &domain::development::ProgrammeForm {
                    name: "New to practice".into(),
                    description: String::new(),
                    sessions: "3".into(),
                    minutes_per_session: "120".into(),
                },
            )
            .await
            .unwrap();
        let enrolment = t
            .app
            .development()
            .enrol_on_programme(&pcn, OWN_PCN, &programme, &staff_id)
            .await
            .unwrap();
        t.app
            .development()
            .book_coaching_session(
                &pcn,
                OWN_PCN,
                &domain::development::SessionForm {
                    enrolment_id: enrolment,
                    date: tuesday.to_string(),
                    start_time: "09:30".into(),
                    place: "Hub meeting room".into(),
                    coach: "Alex Coach".into(),
                },
            )
            .await
            .unwrap();

        let scope = RotaScope::Practice(OWN_PRACTICE.into());
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        let mut conn = t.app.store().conn().await.unwrap();
        let (input, _) = load_input(&mut conn, &scope, period).await.unwrap();
        drop(conn);
        let person = input.people.iter().find(|p| p.id == staff_id).unwrap();
        assert_eq!(person.coaching.len(), 1);
        assert_eq!(
            (person.coaching[0].date, person.coaching[0].ends.to_string()),
            (tuesday, "11:30:00".to_string())
        );
        let solved = t
            .app
            .rota()
            .solve_rota_now(scope, period, 2, 2)
            .await
            .unwrap();
        let manager_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let manager = t
            .app
            .accounts()
            .actor(&t.user(&manager_email).await.id)
            .await
            .unwrap();
        let detail = t.app.rota().detail(&manager, &solved.id).await.unwrap();
        assert!(
            !detail
                .assignments
                .iter()
                .any(|a| a.staff_id == staff_id && a.date == tuesday && a.session == Session::Am),
            "booked on the morning of their coaching"
        );
        assert!(detail.problems.iter().all(|p| p.rule != "coaching"));
    }
);
