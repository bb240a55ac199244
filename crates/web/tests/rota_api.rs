//! The rota JSON API and the calendar feeds over HTTP, on both databases: a manager asks for
//! a rota, follows the background job to the end, reads and publishes it; a member of staff
//! then finds their feed, which carries exactly their published sessions, and replaces its
//! address. Bad input is named by field; another tenant's manager learns nothing.
use super::on_both;
use crate::support::*;
use icalendar::Component;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use store::Backend;

/// The fields a 422 answer names.
fn fields(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

/// Fetches a feed without logging in; returns the status, content type and body.
async fn fetch_feed(t: &TestApp, url: &str) -> (u16, String, String) {
    let r = TestApp::client()
        .get(format!("{}{url}", t.base))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|c| c.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, r.text().await.unwrap())
}

/// The events of a feed, read back by the `icalendar` parser.
fn events(text: &str) -> Vec<icalendar::Event> {
    let calendar: icalendar::Calendar = text.parse().unwrap();
    calendar.events().cloned().collect()
}

on_both!(
    a_rota_is_asked_for_followed_read_and_published_through_the_api,
    async |t: &TestApp| {
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let manager = t.logged_in(&email).await;
        let monday = next_monday(t.app.today());
        let from = monday.to_string();

        // Bad input is refused, each problem named by its field.
        let good = json!({ "pcn": OWN_PCN, "from": from, "weeks": 1, "time_limit_seconds": 1 });
        let with = |key: &str, value: Value| {
            let mut body = good.clone();
            body[key] = value;
            body
        };
        let mut missing_from = good.clone();
        missing_from.as_object_mut().unwrap().remove("from");
        let cases = [
            (missing_from, vec!["from"]),
            (with("weeks", json!(0)), vec!["weeks"]),
            (with("weeks", json!(14)), vec!["weeks"]),
            (
                with("practice", json!(OWN_PRACTICE)),
                vec!["pcn", "practice"],
            ),
            (
                with("time_limit_seconds", json!(0)),
                vec!["time_limit_seconds"],
            ),
            (with("from", json!("next week")), vec!["from"]),
        ];
        for (body, expected) in cases {
            let (status, answer) = post_json(t, &manager, "/api/rotas", body.clone()).await;
            assert_eq!(status, 422, "{body} → {answer}");
            assert_eq!(fields(&answer), expected, "{body} → {answer}");
        }
        // A form post (what a cross-site page could send) is refused before anything runs.
        let form = manager
            .post(format!("{}/api/rotas", t.base))
            .form(&[("pcn", OWN_PCN), ("from", from.as_str()), ("weeks", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(form.status(), 415);
        // Another tenant's PCN is not the manager's to plan.
        let (status, _) = post_json(t, &manager, "/api/rotas", with("pcn", json!(OTHER_PCN))).await;
        assert_eq!(status, 403);
        assert!(
            t.app
                .rota()
                .run_next_rota_job("test-worker", 1)
                .await
                .unwrap()
                .is_none(),
            "nothing refused was queued"
        );

        // A good request is queued.
        let (status, created) = post_json(t, &manager, "/api/rotas", good.clone()).await;
        assert_eq!(status, 202, "{created}");
        let id = created["id"].as_str().unwrap().to_string();
        let (status, queued) = get_json(t, &manager, &format!("/api/rotas/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(queued["status"], "queued");
        assert_eq!(queued["progress"], 0.0);
        assert_eq!(queued["scope_kind"], "pcn");
        assert_eq!(queued["from"], from.as_str());
        assert_eq!(queued["problems"], json!([]));

        // The background job runs while the client follows it until it is done.
        let worker = {
            let app = t.app.clone();
            tokio::spawn(async move { app.rota().run_next_rota_job("test-worker", 2).await })
        };
        let started = Instant::now();
        let mut last_progress = 0.0;
        let done = loop {
            let (status, now) = get_json(t, &manager, &format!("/api/rotas/{id}")).await;
            assert_eq!(status, 200);
            let progress = now["progress"].as_f64().unwrap();
            assert!(
                (last_progress..=1.0).contains(&progress),
                "{last_progress} then {progress}"
            );
            last_progress = progress;
            match now["status"].as_str().unwrap() {
                "done" => break now,
                "queued" | "running" => {}
                other => panic!("the rota ended {other}: {now}"),
            }
            assert!(started.elapsed() < Duration::from_secs(120), "{now}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(worker.await.unwrap().unwrap(), Some(id.clone()));
        assert_eq!(done["progress"], 1.0);
        let problems = done["problems"].as_array().unwrap();
        let hard = problems.iter().filter(|p| p["hard"] == true).count();
        assert_eq!(done["hard_violations"], json!(hard));
        assert!(done["soft_penalty"].is_i64(), "{done}");
        for p in problems {
            assert!(!p["message"].as_str().unwrap().is_empty(), "{p}");
            assert!(!p["rule"].as_str().unwrap().is_empty(), "{p}");
        }
        // The same problems as the rota page judges by.
        let actor = {
            let user = t.user(&email).await;
            t.app.accounts().actor(&user.id).await.unwrap()
        };
        let detail = t.app.rota().detail(&actor, &id).await.unwrap();
        assert_eq!(
            problems
                .iter()
                .map(|p| p["message"].as_str().unwrap())
                .collect::<Vec<_>>(),
            detail
                .problems
                .iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
        );

        // The assignments, one a person a session.
        let (status, assignments) =
            get_json(t, &manager, &format!("/api/rotas/{id}/assignments")).await;
        assert_eq!(status, 200);
        let assignments = assignments.as_array().unwrap().clone();
        assert_eq!(assignments.len(), detail.assignments.len());
        assert!(assignments.len() > 50, "{}", assignments.len());
        let last = monday + chrono::Days::new(6);
        for a in &assignments {
            let date = day(a["date"].as_str().unwrap());
            assert!(monday <= date && date <= last, "{a}");
            assert!(
                ["am", "pm", "evening", "saturday"].contains(&a["session"].as_str().unwrap()),
                "{a}"
            );
            assert!(!a["site"].as_str().unwrap().is_empty(), "{a}");
            assert!(!a["site_name"].as_str().unwrap().is_empty(), "{a}");
            assert!(!a["staff_name"].as_str().unwrap().is_empty(), "{a}");
        }

        // A member of staff on the rota: before it is published their feed is empty.
        let mut on_rota = None;
        for login in t.app.demo().demo_logins().await.unwrap() {
            if login.role != "staff" {
                continue;
            }
            let staff_id = t.user(&login.email).await.staff_id.unwrap();
            let theirs = assignments
                .iter()
                .filter(|a| a["staff_id"] == staff_id.as_str())
                .count();
            if theirs > 0 {
                on_rota = Some((login.email, staff_id, theirs));
                break;
            }
        }
        let (staff_email, staff_id, theirs) = on_rota.expect("a staff log-in on the rota");
        let staff = t.logged_in(&staff_email).await;
        let (status, calendar) = get_json(t, &staff, "/api/me/calendar").await;
        assert_eq!(status, 200);
        let url = calendar["ical_url"].as_str().unwrap().to_string();
        assert!(url.starts_with("/ical/") && url.ends_with(".ics"), "{url}");
        let (status, again) = get_json(t, &staff, "/api/me/calendar").await;
        assert_eq!(
            (status, again["ical_url"].as_str()),
            (200, Some(url.as_str()))
        );
        let (status, content_type, text) = fetch_feed(t, &url).await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with("text/calendar"), "{content_type}");
        assert!(events(&text).is_empty(), "nothing published yet:\n{text}");
        // Staff cannot read or publish the rota.
        let (status, _) = get_json(t, &staff, &format!("/api/rotas/{id}")).await;
        assert_eq!(status, 404);
        let (status, _) =
            post_json(t, &staff, &format!("/api/rotas/{id}/publish"), json!({})).await;
        assert_eq!(status, 404);

        // Published: the feed carries exactly the person's sessions, in London time.
        let (status, _) =
            post_json(t, &manager, &format!("/api/rotas/{id}/publish"), json!({})).await;
        assert_eq!(status, 204);
        let (_, published) = get_json(t, &manager, &format!("/api/rotas/{id}")).await;
        assert!(published["published_at"].is_string(), "{published}");
        let (status, _, text) = fetch_feed(t, &url).await;
        assert_eq!(status, 200);
        let read = events(&text);
        assert_eq!(read.len(), theirs, "{text}");
        assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"));
        assert!(text.contains("DTSTART;TZID=Europe/London:"));
        for event in &read {
            assert!(
                event.get_summary().unwrap().contains(" session at "),
                "{event:?}"
            );
            let uid = event.get_uid().unwrap();
            assert!(uid.starts_with(&staff_id), "{uid}");
            let (Some(starts), Some(ends)) = (event.get_start(), event.get_end()) else {
                panic!("{event:?}");
            };
            let (
                icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
                    date_time: starts,
                    tzid,
                }),
                icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
                    date_time: ends,
                    ..
                }),
            ) = (starts, ends)
            else {
                panic!("{event:?}");
            };
            assert_eq!(tzid, "Europe/London");
            assert!(starts < ends);
            assert!(monday <= starts.date() && starts.date() <= last);
        }

        // A new address: the old one stops working, the new one carries the same feed.
        let token = t.csrf(&staff).await;
        let reset = staff
            .post(format!("{}/me/calendar", t.base))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(reset.status(), 303);
        assert_eq!(reset.headers()["location"], "/me?done=calendar-reset");
        let (status, _, _) = fetch_feed(t, &url).await;
        assert_eq!(status, 404);
        let (_, calendar) = get_json(t, &staff, "/api/me/calendar").await;
        let new_url = calendar["ical_url"].as_str().unwrap().to_string();
        assert_ne!(new_url, url);
        let (status, _, text) = fetch_feed(t, &new_url).await;
        assert_eq!(status, 200);
        assert_eq!(events(&text).len(), theirs);
        let (_, page) = get(t, &staff, "/me").await;
        assert!(page.contains(&format!("href=\"{new_url}\"")), "{page}");
        assert!(page.contains("Your rota"));
        let mut conn = t.app.store().conn().await.unwrap();
        let person = store::register::get(&mut conn, &staff_id)
            .await
            .unwrap()
            .unwrap();
        let audit = store::audit::list(&mut conn, &[person.draft.employer.code().to_string()], 50)
            .await
            .unwrap();
        assert!(
            audit.iter().any(|a| a.action == "reissued"
                && a.entity == "calendar_feed"
                && a.entity_id == staff_id),
            "the new address is audited"
        );
        drop(conn);
        for wrong in ["/ical/not-a-token.ics", "/ical/.ics"] {
            assert_eq!(fetch_feed(t, wrong).await.0, 404, "{wrong}");
        }
        let bare = new_url.trim_end_matches(".ics");
        assert_eq!(fetch_feed(t, bare).await.0, 404, "the file must end .ics");

        // Stopping a queued rota.
        let (_, second) = post_json(t, &manager, "/api/rotas", good.clone()).await;
        let second = second["id"].as_str().unwrap().to_string();
        let (status, _) = post_json(
            t,
            &manager,
            &format!("/api/rotas/{second}/cancel"),
            json!({}),
        )
        .await;
        assert_eq!(status, 204);
        let (_, stopped) = get_json(t, &manager, &format!("/api/rotas/{second}")).await;
        assert_eq!(stopped["status"], "cancelled");

        // Another tenant's manager finds none of it.
        let other = t.logged_in(&t.other.manager_email).await;
        for path in [
            format!("/api/rotas/{id}"),
            format!("/api/rotas/{id}/assignments"),
        ] {
            let (status, body) = get_json(t, &other, &path).await;
            assert_eq!(status, 404, "{path}: {body}");
        }
        for path in [
            format!("/api/rotas/{id}/publish"),
            format!("/api/rotas/{id}/cancel"),
        ] {
            let (status, _) = post_json(t, &other, &path, json!({})).await;
            assert_eq!(status, 404, "{path}");
        }
    }
);

on_both!(
    a_calendar_link_is_made_by_a_button_or_the_api_never_twice,
    async |t: &TestApp| {
        let email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let user = t.user(&email).await;
        let staff_id = user.staff_id.clone().unwrap();
        let staff = t.logged_in(&email).await;
        let stored = async || {
            let mut conn = t.app.store().conn().await.unwrap();
            store::rota::calendar_token(&mut conn, &staff_id)
                .await
                .unwrap()
        };
        let created = async || {
            let mut conn = t.app.store().conn().await.unwrap();
            let person = store::register::get(&mut conn, &staff_id)
                .await
                .unwrap()
                .unwrap();
            store::audit::list(&mut conn, &[person.draft.employer.code().to_string()], 200)
                .await
                .unwrap()
                .iter()
                .filter(|a| {
                    a.action == "created" && a.entity == "calendar_feed" && a.entity_id == staff_id
                })
                .count()
        };

        // Looking at the page makes nothing: it offers a button.
        let (status, page) = get(t, &staff, "/me").await;
        assert_eq!(status, 200);
        assert!(page.contains("Create my calendar link"), "{page}");
        assert!(!page.contains("id=\"calendar-feed\""), "{page}");
        assert_eq!(stored().await, None, "a GET of /me writes no token");
        assert_eq!(created().await, 0);

        // The button makes it, once: pressed again (a double click) it keeps the same link.
        for _ in 0..2 {
            let (status, location, _) =
                post_form(t, &staff, "/me/calendar", &[("link", "create")]).await;
            assert_eq!(
                (status, location.as_str()),
                (303, "/me?done=calendar-created")
            );
        }
        let token = stored().await.expect("a token");
        assert_eq!(created().await, 1, "made and audited once");
        let (_, page) = get(t, &staff, "/me?done=calendar-created").await;
        assert!(page.contains("Your calendar link was made"), "{page}");
        assert!(
            page.contains(&format!("href=\"/ical/{token}.ics\"")),
            "{page}"
        );
        assert!(page.contains("Get a new calendar link"), "{page}");
        let (_, calendar) = get_json(t, &staff, "/api/me/calendar").await;
        assert_eq!(calendar["ical_url"], format!("/ical/{token}.ics"));

        // Through the API, a person's first calls at once race safely: one link, one audit
        // row, the same answer to both.
        let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let manager_staff = t.user(&email).await.staff_id.unwrap();
        let manager = t.logged_in(&email).await;
        let (a, b) = tokio::join!(
            get_json(t, &manager, "/api/me/calendar"),
            get_json(t, &manager, "/api/me/calendar")
        );
        assert_eq!((a.0, b.0), (200, 200));
        assert!(a.1["ical_url"].is_string(), "{}", a.1);
        assert_eq!(a.1["ical_url"], b.1["ical_url"]);
        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.to_string()], 200)
            .await
            .unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|a| a.action == "created"
                    && a.entity == "calendar_feed"
                    && a.entity_id == manager_staff)
                .count(),
            1
        );
    }
);

#[tokio::test]
async fn the_rota_api_is_in_the_openapi_document() {
    let doc = serde_json::to_value(web::openapi_document()).unwrap();
    for (path, method) in [
        ("/api/rotas", "post"),
        ("/api/rotas/{id}", "get"),
        ("/api/rotas/{id}/assignments", "get"),
        ("/api/rotas/{id}/publish", "post"),
        ("/api/rotas/{id}/cancel", "post"),
        ("/api/me/calendar", "get"),
        ("/ical/{file}", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    assert!(doc["components"]["schemas"]["RotaStatusDto"]["properties"]["problems"].is_object());
    // Publishing documents its optional version and override, and the refusal's problems.
    let publish_input = &doc["components"]["schemas"]["PublishInput"]["properties"];
    assert!(publish_input["version"].is_object(), "{publish_input}");
    assert!(publish_input["override"].is_object(), "{publish_input}");
    assert!(
        doc["components"]["schemas"]["PublishRefusedDto"]["properties"]["problems"].is_object()
    );
    assert!(doc["components"]["schemas"]["RotaStatusDto"]["properties"]["version"].is_object());
}
