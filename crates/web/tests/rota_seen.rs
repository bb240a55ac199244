//! Rotas people see and act on, on both databases: a member of staff sees every published
//! session ahead on My rota, by month, exactly as their calendar feed and the API hold them,
//! and asks for a swap on any session still to come (never on one passed); a manager decides
//! swaps and sessions off in one list, a decline with a reason the person reads; a practice
//! manager reads the PCN rota narrowed to their practice, and changes nothing.
use super::on_both;
use crate::support::*;
use app::rota::{PublishRequest, RotaScope};
use domain::rota::RotaPeriod;
use std::collections::BTreeSet;
use store::Backend;

async fn actor_of(t: &TestApp, email: &str) -> app::Actor {
    t.app
        .accounts()
        .actor(&t.user(email).await.id)
        .await
        .unwrap()
}

/// A PCN rota solved and published from `from` for `weeks`; its id.
async fn published_pcn_rota(t: &TestApp, from: chrono::NaiveDate, weeks: u32) -> String {
    let period = RotaPeriod { from, weeks };
    let id = t
        .app
        .rota()
        .solve_rota_now(RotaScope::Pcn(OWN_PCN.into()), period, 2, 2)
        .await
        .unwrap()
        .id;
    let manager = actor_of(t, &t.login_email("pcn_manager", Some(OWN_PCN)).await).await;
    let publish = PublishRequest {
        version: None,
        override_rules: true,
    };
    assert!(
        t.app
            .rota()
            .publish_rota(&manager, &id, &publish)
            .await
            .unwrap()
            .published
    );
    id
}

/// The days (`YYYY-MM-DD`) of the events of an iCalendar feed, from `from` on.
fn feed_days(ics: &str, from: chrono::NaiveDate) -> Vec<String> {
    let from = from.format("%Y%m%d").to_string();
    let mut days: Vec<String> = ics
        .lines()
        .filter(|l| l.starts_with("DTSTART"))
        .filter_map(|l| l.rsplit(':').next())
        .map(|v| v[..8].to_string())
        .filter(|d| *d >= from)
        .map(|d| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]))
        .collect();
    days.sort();
    days
}

on_both!(
    my_rota_shows_every_published_session_ahead_as_the_feed_and_the_api_do,
    async |t: &TestApp| {
        let today = t.app.today();
        // A rota for next month only: beyond the four weeks My rota used to show.
        let first = next_monday(today) + chrono::Days::new(35);
        let id = published_pcn_rota(t, first, 2).await;
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let staff = t.logged_in(&staff_email).await;
        let me = actor_of(t, &staff_email).await;

        let (status, api) = get_json(t, &staff, "/api/me/rota").await;
        assert_eq!(status, 200, "{api}");
        let sessions = api.as_array().unwrap();
        let mut api_days: Vec<String> = sessions
            .iter()
            .map(|s| s["day"].as_str().unwrap().to_string())
            .collect();
        api_days.sort();
        assert!(
            sessions.iter().any(|s| s["rota_id"] == id.as_str()),
            "next month's rota is there: {api}"
        );

        // The page and the feed agree with the API, session for session.
        let token = t.app.rota().my_calendar_token(&me).await.unwrap();
        let (status, ics) = get(t, &TestApp::client(), &format!("/ical/{token}.ics")).await;
        assert_eq!(status, 200);
        assert_eq!(
            feed_days(&ics, today),
            api_days,
            "the feed holds the same sessions"
        );
        let (status, page) = get(t, &staff, "/me/rota").await;
        assert_eq!(status, 200);
        assert!(!page.contains("No published sessions"), "{page}");
        assert_eq!(
            page.matches("name=\"rota_id\"").count(),
            sessions.len(),
            "one swap form a session ahead"
        );
        for day in &api_days {
            let date = day.parse::<chrono::NaiveDate>().unwrap();
            let label = format!("{} {}", date.format("%A"), date.format("%-d %B %Y"));
            assert!(page.contains(&label), "{label} is on My rota");
        }
        let month = first.format("%B %Y").to_string();
        assert!(
            page.contains(&format!(">{month}</h2>")),
            "grouped by month: {page}"
        );

        // One month alone, with links to the months around it.
        let (status, page) = get(
            t,
            &staff,
            &format!("/me/rota?month={}", first.format("%Y-%m")),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.contains(&format!("Your sessions in every published rota in {month}")),
            "{page}"
        );
        assert!(page.contains("Previous month") && page.contains("Next month"));

        // A range from the API: bad dates are named by field.
        let (status, body) =
            get_json(t, &staff, "/api/me/rota?from=2027-02-01&to=2027-01-01").await;
        assert_eq!(status, 422);
        assert_eq!(body["fields"][0]["field"], "to");

        // A swap on a session next month is sent; one on a past day is refused, saying so.
        let ahead = &sessions
            .iter()
            .find(|s| s["rota_id"] == id.as_str())
            .unwrap();
        let (status, location, page) = post_form(
            t,
            &staff,
            "/me/swaps",
            &[
                ("rota_id", &id),
                ("date", ahead["day"].as_str().unwrap()),
                ("session", ahead["session"].as_str().unwrap()),
                ("note", "Wedding"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        assert!(location.contains("done=swap-requested"), "{location}");
        let (_, page) = get(t, &staff, &location).await;
        assert!(page.contains("Asked: waiting for your manager"), "{page}");
        let yesterday = (today - chrono::Days::new(1)).to_string();
        let (status, _, page) = post_form(
            t,
            &staff,
            "/me/swaps",
            &[("rota_id", &id), ("date", &yesterday), ("session", "am")],
        )
        .await;
        assert_eq!(status, 422, "{page}");
        assert!(
            page.contains("has passed: ask for a swap or cover on a session still to come"),
            "{page}"
        );
    }
);

on_both!(
    managers_decide_swaps_and_sessions_off_in_one_list,
    async |t: &TestApp| {
        let monday = next_monday(t.app.today());
        let id = published_pcn_rota(t, monday, 1).await;
        let pcn_email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let manager = t.logged_in(&pcn_email).await;
        let manager_actor = actor_of(t, &pcn_email).await;
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let staff = t.logged_in(&staff_email).await;
        let staff_id = t.user(&staff_email).await.staff_id.unwrap();
        let booked: Vec<_> = t
            .app
            .rota()
            .detail(&manager_actor, &id)
            .await
            .unwrap()
            .assignments
            .into_iter()
            .filter(|a| a.staff_id == staff_id)
            .collect();
        assert!(
            booked.len() >= 3,
            "the member of staff works three sessions"
        );

        // Cover for the first session; the second and third off.
        let (status, _, _) = post_form(
            t,
            &staff,
            "/me/swaps",
            &[
                ("rota_id", &id),
                ("date", &booked[0].date.to_string()),
                ("session", booked[0].session.code()),
            ],
        )
        .await;
        assert_eq!(status, 303);
        for a in &booked[1..3] {
            let (status, _, page) = post_form(
                t,
                &staff,
                "/me/session-requests",
                &[
                    ("date", &a.date.to_string()),
                    ("session", a.session.code()),
                    ("wish", "off"),
                    ("note", "Hospital appointment"),
                ],
            )
            .await;
            assert_eq!(status, 303, "{page}");
        }

        // One list: the cover request and both sessions off, each to approve or decline.
        let (_, rotas) = get(t, &manager, "/rotas").await;
        assert!(rotas.contains("3 requests wait"), "{rotas}");
        let (status, page) = get(t, &manager, "/rotas/requests").await;
        assert_eq!(status, 200);
        let heading = |what: &str| format!("nhsuk-heading-s\">{what}");
        assert_eq!(page.matches(&heading("Session off:")).count(), 2, "{page}");
        assert_eq!(page.matches(&heading("Cover:")).count(), 1, "{page}");
        let list = t
            .app
            .rota()
            .requests_to_decide(&manager_actor)
            .await
            .unwrap();
        assert_eq!(list.len(), 3);
        let offs: Vec<_> = list
            .iter()
            .filter(|r| r.kind == app::rota::requests::RequestKind::SessionOff)
            .collect();
        let version = |v: i64| v.to_string();

        // Approving a session off takes it out of the published rota, audited.
        let first_off = offs
            .iter()
            .find(|r| r.date == booked[1].date && r.session == booked[1].session)
            .unwrap();
        let (status, location, page) = post_form(
            t,
            &manager,
            &format!("/session-requests/{}/decision", first_off.id),
            &[
                ("decision", "approve"),
                ("override_rules", "yes"),
                ("version", &version(first_off.version)),
            ],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        assert!(location.contains("/rotas/requests?done="), "{location}");
        let after = t
            .app
            .rota()
            .detail(&manager_actor, &id)
            .await
            .unwrap()
            .assignments;
        assert!(
            !after.iter().any(|a| a.staff_id == staff_id
                && a.date == booked[1].date
                && a.session == booked[1].session),
            "the session left the rota"
        );
        assert!(
            after.iter().any(|a| a.staff_id == staff_id
                && a.date == booked[2].date
                && a.session == booked[2].session),
            "the other is still booked"
        );
        let (status, _, _) = post_form(
            t,
            &manager,
            &format!("/session-requests/{}/decision", first_off.id),
            &[("decision", "decline"), ("reason", "Too late")],
        )
        .await;
        assert_eq!(status, 409, "decided once");

        // Declining the other needs a reason, which the person reads on My rota.
        let second_off = offs.iter().find(|r| r.id != first_off.id).unwrap();
        let decide = format!("/session-requests/{}/decision", second_off.id);
        let (status, _, page) = post_form(t, &manager, &decide, &[("decision", "decline")]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Enter the reason for declining"), "{page}");
        let (status, _, _) = post_form(
            t,
            &manager,
            &decide,
            &[
                ("decision", "decline"),
                ("reason", "Flu clinic that morning"),
            ],
        )
        .await;
        assert_eq!(status, 303);

        // A practice manager does not change the PCN's rota.
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let practice_manager = t.logged_in(&pm_email).await;
        let cover = list
            .iter()
            .find(|r| r.kind == app::rota::requests::RequestKind::Swap)
            .unwrap();
        let (status, _, _) = post_form(
            t,
            &practice_manager,
            &format!("/swaps/{}/decision", cover.id),
            &[
                ("decision", "approve"),
                ("version", &version(cover.version)),
            ],
        )
        .await;
        assert_eq!(status, 404);
        let (status, page) = get(t, &practice_manager, "/rotas/requests").await;
        assert_eq!(status, 200);
        assert!(page.contains("No requests wait for a decision"), "{page}");

        // The cover request, approved: the session is left for cover.
        let now = t
            .app
            .rota()
            .detail(&manager_actor, &id)
            .await
            .unwrap()
            .row
            .version;
        let (status, _, page) = post_form(
            t,
            &manager,
            &format!("/swaps/{}/decision", cover.id),
            &[
                ("decision", "approve"),
                ("override_rules", "yes"),
                ("version", &now.to_string()),
            ],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        let (_, page) = get(t, &manager, "/rotas/requests").await;
        assert!(page.contains("No requests wait for a decision"), "{page}");

        // The person sees each outcome.
        let (_, mine) = get(t, &staff, "/me/rota").await;
        assert!(
            mine.contains("Approved: the session was taken off the rota"),
            "{mine}"
        );
        assert!(mine.contains("Declined: Flu clinic that morning"), "{mine}");
        let swaps = mine.split("id=\"swap-requests\"").nth(1).unwrap();
        assert!(swaps.contains(": Approved"), "{swaps}");

        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.to_string()], 100)
            .await
            .unwrap();
        let decided: BTreeSet<&str> = audit
            .iter()
            .filter(|a| a.entity == "session_request")
            .map(|a| a.action.as_str())
            .collect();
        assert!(decided.contains("declined"), "{decided:?}");
        assert!(
            decided.contains("approved") || decided.contains("overrode"),
            "{decided:?}"
        );
    }
);

on_both!(
    a_practice_manager_reads_and_prints_the_pcn_rota_for_their_practice,
    async |t: &TestApp| {
        let id = published_pcn_rota(t, next_monday(t.app.today()), 1).await;
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let practice_manager = t.logged_in(&pm_email).await;
        let pm_actor = actor_of(t, &pm_email).await;
        let pcn_actor = actor_of(t, &t.login_email("pcn_manager", Some(OWN_PCN)).await).await;

        let (_, rotas) = get(t, &practice_manager, "/rotas").await;
        assert!(rotas.contains(&format!("/rotas/{id}")), "{rotas}");
        assert!(
            rotas.contains("Your practice&#x27;s part") || rotas.contains("Your practice's part"),
            "{rotas}"
        );

        // Narrowed to the practice's people and sites; read only.
        let whole = t.app.rota().detail(&pcn_actor, &id).await.unwrap();
        let narrowed = t.app.rota().rota_to_read(&pm_actor, &id).await.unwrap();
        assert_eq!(narrowed.reader_practice.as_deref(), Some(OWN_PRACTICE));
        assert!(
            narrowed.people.len() < whole.people.len(),
            "others are left out"
        );
        let ours: BTreeSet<&str> = whole
            .sites
            .iter()
            .filter(|s| s.practice_ods == OWN_PRACTICE)
            .map(|s| s.id.as_str())
            .collect();
        for p in &narrowed.people {
            assert!(
                p.practices.iter().any(|x| x == OWN_PRACTICE)
                    || narrowed
                        .assignments
                        .iter()
                        .any(|a| a.staff_id == p.id && ours.contains(a.site_id.as_str())),
                "{} belongs to the practice or works there",
                p.name
            );
        }
        let outsider = whole
            .people
            .iter()
            .find(|p| !narrowed.people.iter().any(|n| n.id == p.id))
            .unwrap();
        let (status, page) = get(t, &practice_manager, &format!("/rotas/{id}")).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("id=\"read-only\""), "{page}");
        assert!(
            !page.contains(&format!("/rotas/{id}/publish")),
            "no publish form"
        );
        assert!(!page.contains(&format!("/rotas/{id}/day")), "no day edits");
        assert!(
            !page.contains(&outsider.name),
            "{} is not shown",
            outsider.name
        );

        let (status, print) = get(t, &practice_manager, &format!("/rotas/{id}/print")).await;
        assert_eq!(status, 200);
        assert!(!print.contains(&outsider.name));
        let response = practice_manager
            .get(format!("{}/rotas/{id}/pdf", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "application/pdf");

        let (status, _) = get(
            t,
            &practice_manager,
            &format!(
                "/rotas/{id}/day?staff={}&date={}",
                narrowed.people[0].id, narrowed.period.from
            ),
        )
        .await;
        assert_eq!(status, 404);
    }
);

on_both!(
    a_swap_offers_only_colleagues_free_at_that_session,
    async |t: &TestApp| {
        let monday = next_monday(t.app.today());
        let id = published_pcn_rota(t, monday, 1).await;
        let manager = actor_of(t, &t.login_email("pcn_manager", Some(OWN_PCN)).await).await;
        let assignments = t
            .app
            .rota()
            .detail(&manager, &id)
            .await
            .unwrap()
            .assignments;
        let staff = actor_of(t, &t.login_email("staff", Some(OWN_PRACTICE)).await).await;
        let sessions = t
            .app
            .rota()
            .my_swappable_sessions(&staff, monday, monday + chrono::Days::new(6))
            .await
            .unwrap();
        assert!(!sessions.is_empty(), "the member of staff works this week");
        let mut offered = 0;
        for s in &sessions {
            for (colleague, name) in &s.colleagues {
                offered += 1;
                assert!(
                    !assignments.iter().any(|a| a.staff_id == *colleague
                        && a.date.to_string() == s.session.day
                        && a.session.code() == s.session.session),
                    "{name} is offered for {} {} although booked then",
                    s.session.day,
                    s.session.session
                );
            }
        }
        assert!(offered > 0, "someone is free to swap with");
    }
);
