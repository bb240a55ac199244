//! Development over HTTP: a PCN manager defines a coaching programme, enrols a practice
//! manager and books a session; the coachee's note is theirs alone — not on the PCN
//! manager's pages, not in the audit trail, and nobody else may write it.
use super::on_both;
use crate::support::*;
use store::Backend;

on_both!(
    a_coachees_note_is_hidden_from_their_managers,
    async |t: &TestApp| {
        const NOTE: &str = "Private: I find the partners' meeting hard to chair";
        let pcn_email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let pm_staff = t.user(&pm_email).await.staff_id.unwrap();
        let pcn = t.logged_in(&pcn_email).await;
        let pm = t.logged_in(&pm_email).await;

        // A bad programme names its fields.
        let (status, _, page) = post_form(
            t,
            &pcn,
            &format!("/pcns/{OWN_PCN}/coaching/programmes"),
            &[
                ("name", ""),
                ("sessions", "0"),
                ("minutes_per_session", "90"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("href=\"#name\""), "{page}");
        assert!(page.contains("href=\"#sessions\""), "{page}");

        let (status, _, _) = post_form(
            t,
            &pcn,
            &format!("/pcns/{OWN_PCN}/coaching/programmes"),
            &[
                ("name", "Coaching for practice managers"),
                ("description", "Three 90-minute sessions"),
                ("sessions", "3"),
                ("minutes_per_session", "90"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let mut conn = t.app.store().conn().await.unwrap();
        let programme = store::development::list_programmes(&mut conn, OWN_PCN)
            .await
            .unwrap()[0]
            .id
            .clone();
        drop(conn);
        let (status, _, _) = post_form(
            t,
            &pcn,
            &format!("/pcns/{OWN_PCN}/coaching/enrolments"),
            &[("programme_id", &programme), ("staff_id", &pm_staff)],
        )
        .await;
        assert_eq!(status, 303);
        // Enrolling twice is refused.
        let (status, _, _) = post_form(
            t,
            &pcn,
            &format!("/pcns/{OWN_PCN}/coaching/enrolments"),
            &[("programme_id", &programme), ("staff_id", &pm_staff)],
        )
        .await;
        assert_eq!(status, 409);
        let mut conn = t.app.store().conn().await.unwrap();
        let enrolment = store::development::list_enrolments_of_staff(&mut conn, &pm_staff)
            .await
            .unwrap()[0]
            .id
            .clone();
        drop(conn);
        let (status, _, _) = post_form(
            t,
            &pcn,
            &format!("/pcns/{OWN_PCN}/coaching/sessions"),
            &[
                ("enrolment_id", &enrolment),
                ("date", "2026-12-03"),
                ("start_time", "14:30"),
                ("place", "https://meet.example/pm-coaching"),
                ("coach", "Alex Coach"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let mut conn = t.app.store().conn().await.unwrap();
        let session =
            store::development::list_sessions(&mut conn, std::slice::from_ref(&enrolment))
                .await
                .unwrap()[0]
                .id
                .clone();
        drop(conn);

        // The PCN manager may not write the coachee's note.
        let note_path = format!("/coaching-sessions/{session}/note");
        let (status, _, _) = post_form(t, &pcn, &note_path, &[("note", "from the PCN")]).await;
        assert_eq!(status, 404);
        // The coachee writes it and sees it.
        let (status, _, _) = post_form(t, &pm, &note_path, &[("note", NOTE)]).await;
        assert_eq!(status, 303);
        let (status, mine) = get(t, &pm, "/me/development").await;
        assert_eq!(status, 200);
        assert!(mine.contains("3 December 2026 at 14:30"), "{mine}");
        assert!(mine.contains("Private: I find the partners"), "{mine}");

        // The PCN manager records attendance; neither of their pages shows the note.
        let (status, _, _) = post_form(
            t,
            &pcn,
            &format!("/coaching-sessions/{session}/attendance"),
            &[("attendance", "attended")],
        )
        .await;
        assert_eq!(status, 303);
        for path in [
            format!("/pcns/{OWN_PCN}/coaching"),
            format!("/staff/{pm_staff}/development"),
        ] {
            let (status, page) = get(t, &pcn, &path).await;
            assert_eq!(status, 200, "{path}");
            assert!(page.contains("3 December 2026 at 14:30"), "{path}: {page}");
            assert!(!page.contains("partners"), "{path} shows the note");
            assert!(!page.contains("My notes"), "{path} offers the note form");
        }
        // The audit trail says a note was saved, never what it says.
        let audit = store::testing::rows_as_text(t.app.store(), "audit_log")
            .await
            .unwrap();
        assert!(
            audit
                .iter()
                .any(|row| row.values().any(|v| v.as_deref() == Some("noted"))),
            "the note is audited"
        );
        for row in &audit {
            for value in row.values().flatten() {
                assert!(
                    !value.contains("partners"),
                    "audit row holds the note: {row:?}"
                );
            }
        }
    }
);

on_both!(cpd_dates_and_a_managers_plan, async |t: &TestApp| {
    let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
    let pm = t.logged_in(&pm_email).await;
    let (status, _, page) = post_form(
        t,
        &pm,
        "/me/cpd",
        &[("done_on", "2999-01-01"), ("activity", ""), ("hours", "x")],
    )
    .await;
    assert_eq!(status, 422);
    for field in ["done_on", "activity", "hours"] {
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "{field}: {page}"
        );
    }
    let (status, _, _) = post_form(
        t,
        &pm,
        "/me/cpd",
        &[
            ("done_on", "2026-10-01"),
            ("activity", "NHS leadership webinar"),
            ("hours", "1.5"),
            ("reflection", "Delegation"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    // A practice manager does not revalidate.
    let pm_staff = t.user(&pm_email).await.staff_id.unwrap();
    let dates = format!("/staff/{pm_staff}/professional-dates");
    let (status, _, page) = post_form(
        t,
        &pm,
        &dates,
        &[
            ("appraisal_due", "2027-02-01"),
            ("revalidation_due", "2028-01-01"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Only GPs and nurses revalidate"), "{page}");
    let (status, _, _) = post_form(t, &pm, &dates, &[("appraisal_due", "2027-02-01")]).await;
    assert_eq!(status, 303);
    let (status, _, _) = post_form(
        t,
        &pm,
        "/me/goals",
        &[
            ("title", "Chair the partners' meeting"),
            ("status", "in_progress"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = get(t, &pm, "/me/development").await;
    assert!(page.contains("NHS leadership webinar"), "{page}");
    assert!(page.contains("1 February 2027"), "{page}");
    assert!(page.contains("Chair the partners"), "{page}");
    assert!(page.contains("In progress"), "{page}");

    // A member of staff keeps a CPD log but no plan.
    let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
    let staff = t.logged_in(&staff_email).await;
    let (status, page) = get(t, &staff, "/me/development").await;
    assert_eq!(status, 200);
    assert!(!page.contains("Add a goal"), "{page}");
    let (status, _, _) = post_form(t, &staff, "/me/goals", &[("title", "A goal")]).await;
    assert_eq!(status, 404);
});
