//! Estates over HTTP and through the app, on both databases, on a fixed Wednesday: room use
//! follows the demo's published rota and marks (counted here straight from the store), the
//! utilisation API refuses bad periods naming the field after the tenant check, a booking
//! that clashes is refused naming the room and session, the optimiser leaves booked rooms
//! free, and the shortfall lists the sessions a planned team cannot house.
use crate::support::*;
use app::Tenant;
use app::estates::PlannedPost;
use app::rota::{RotaScope, load_input, solve_input};
use domain::estates::BookingForm;
use domain::role::Role;
use domain::room::RoomCapability;
use domain::rota::{RotaPeriod, Session};
use std::collections::BTreeSet;
use store::Backend;

/// Wednesday 25 November 2026, 10:00 in England.
fn wednesday() -> app::clock::Clock {
    app::clock::Clock::fixed("2026-11-25T10:00:00Z".parse().unwrap())
}

macro_rules! on_both_on_wednesday {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = spawn_at(Backend::Sqlite, wednesday()).await;
                ($body)(&t).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = spawn_at(Backend::Postgres, wednesday()).await;
                ($body)(&t).await;
                t.db.cleanup().await.unwrap();
            }
        }
    };
}

async fn actor(t: &TestApp, role: &str, org: &str) -> app::Actor {
    let email = t.login_email(role, Some(org)).await;
    t.app
        .accounts()
        .actor(&t.user(&email).await.id)
        .await
        .unwrap()
}

/// The demo's published rota's assignments (room, day, session) at a site, read straight
/// from the store.
async fn published_rooms(t: &TestApp, site: &str) -> BTreeSet<(String, String, String)> {
    let mut conn = t.app.store().conn().await.unwrap();
    let rotas = store::rota::list_rotas_for_scopes(&mut conn, &[], &[OWN_PCN.to_string()], 10)
        .await
        .unwrap();
    let rota = rotas
        .iter()
        .find(|r| r.published_at.is_some())
        .expect("the demo's published rota");
    store::rota::list_assignments(&mut conn, &rota.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.site_id == site)
        .filter_map(|a| Some((a.room_id?, a.day, a.session)))
        .collect()
}

on_both_on_wednesday!(
    room_use_follows_the_published_rota_and_the_marks,
    async |t: &TestApp| {
        let marked = t.app.estates().load_demo_room_use().await.unwrap();
        assert!(marked > 100, "the demo marks its past sessions: {marked}");
        let site = t.own_site().await;
        let (from, to) = ("2026-10-26", "2026-11-24");

        // Counted from the store: booked room-sessions in the period (rota and ad-hoc), and
        // the marks.
        let booked: BTreeSet<(String, String, String)> = published_rooms(t, &site)
            .await
            .into_iter()
            .filter(|(_, d, _)| d.as_str() >= from && d.as_str() <= to)
            .collect();
        let mut conn = t.app.store().conn().await.unwrap();
        let adhoc = store::estates::list_bookings(&mut conn, std::slice::from_ref(&site), from, to)
            .await
            .unwrap();
        let marks = store::estates::list_marks(&mut conn, std::slice::from_ref(&site), from, to)
            .await
            .unwrap();
        let rooms = store::sites::list_rooms(&mut conn, std::slice::from_ref(&site))
            .await
            .unwrap();
        drop(conn);
        let all_booked = booked.len() + adhoc.len();
        let used = marks.iter().filter(|m| m.used).count();
        assert!(used > 0 && used < marks.len(), "some used, some not");

        let pm = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let client = t.logged_in(&pm).await;
        let (status, json) = get_json(
            t,
            &client,
            &format!("/api/sites/{site}/utilisation?from={from}&to={to}"),
        )
        .await;
        assert_eq!(status, 200, "{json}");
        let total = &json["total"];
        assert_eq!(total["booked"], all_booked, "{json}");
        assert_eq!(total["used"], used);
        assert_eq!(total["not_used"], marks.len() - used);
        // Every past booked session is marked, so nothing is left unmarked.
        assert_eq!(total["unmarked"], 0);
        let per_room = json["rooms"].as_array().unwrap();
        assert_eq!(per_room.len(), rooms.len());
        // 22 weekdays, AM and PM at least, for every room alike.
        let open = per_room[0]["open"].as_u64().unwrap();
        assert!(open >= 44, "{open}");
        assert!(per_room.iter().all(|r| r["open"].as_u64() == Some(open)));
        assert_eq!(total["open"].as_u64(), Some(open * rooms.len() as u64));
        let percent = (used as f64 * 1000.0 / (open * rooms.len() as u64) as f64).round() / 10.0;
        assert_eq!(total["used_percent"].as_f64(), Some(percent));
        let threshold = json["threshold_percent"].as_u64().unwrap();
        assert_eq!(threshold, 60);
        for r in per_room {
            let flagged = r["used_percent"].as_f64().unwrap() < threshold as f64;
            assert_eq!(r["below_threshold"].as_bool(), Some(flagged), "{r}");
        }

        // The page shows the same figure in a real table.
        let (status, page) = get(
            t,
            &client,
            &format!("/sites/{site}/utilisation?from={from}&to={to}"),
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("Heat map"), "{page}");
        assert!(page.contains(&format!("{} %", percent.round() as i64)));
        assert!(page.contains("<th scope=\"col\" class=\"nhsuk-table__header\">Monday AM</th>"));

        // Bad input names the field; the tenant is checked first.
        for (query, field) in [
            ("from=2026-11-10&to=2026-11-01", "from"),
            ("from=2025-01-01&to=2026-01-02", "to"),
            ("from=yesterday", "from"),
        ] {
            let (status, json) = get_json(
                t,
                &client,
                &format!("/api/sites/{site}/utilisation?{query}"),
            )
            .await;
            assert_eq!(status, 422, "{query}: {json}");
            let named = json["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field);
            assert!(named, "{query}: {json}");
        }
        let (status, _) = get_json(t, &client, "/api/sites/no-such-site/utilisation").await;
        assert_eq!(status, 404);
        let other = &t.other.site_id;
        let (status, _) = get_json(
            t,
            &client,
            &format!("/api/sites/{other}/utilisation?from=2026-11-10&to=2026-11-01"),
        )
        .await;
        assert!(matches!(status, 403 | 404), "another PCN's site: {status}");

        // The PCN's own threshold flags more rooms.
        let pcn = actor(t, "pcn_manager", OWN_PCN).await;
        assert!(
            t.app
                .estates()
                .set_estates_threshold(&pcn, OWN_PCN, "101")
                .await
                .is_err()
        );
        t.app
            .estates()
            .set_estates_threshold(&pcn, OWN_PCN, "100")
            .await
            .unwrap();
        let (_, json) = get_json(t, &client, &format!("/api/sites/{site}/utilisation")).await;
        assert_eq!(json["threshold_percent"], 100);
        let summary = t
            .app
            .estates()
            .estates_summary(&pcn, Tenant::Pcn(OWN_PCN), &Default::default(), &[])
            .await
            .unwrap();
        assert!(summary.sites.len() > 1);
        assert_eq!(
            summary.flagged().len(),
            summary.sites.iter().map(|s| s.rooms.len()).sum::<usize>()
        );
    }
);

on_both_on_wednesday!(
    a_clashing_booking_is_refused_and_the_rota_leaves_booked_rooms_free,
    async |t: &TestApp| {
        t.app.estates().load_demo_room_use().await.unwrap();
        let site = t.own_site().await;
        let mut conn = t.app.store().conn().await.unwrap();
        let rooms = store::sites::list_rooms(&mut conn, std::slice::from_ref(&site))
            .await
            .unwrap();
        drop(conn);
        let in_rota = published_rooms(t, &site).await;
        let thursday = "2026-11-26";
        let taken =
            |room: &str, s: &str| in_rota.contains(&(room.into(), thursday.into(), s.into()));
        let free = rooms
            .iter()
            .find(|r| !taken(&r.id, "pm"))
            .expect("a room free on Thursday afternoon");
        let busy = rooms
            .iter()
            .find(|r| taken(&r.id, "am"))
            .expect("a room in the rota on Thursday morning");

        // Someone who works at the practice books a free room.
        let staff = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let client = t.logged_in(&staff).await;
        let path = format!("/sites/{site}/bookings");
        let fields = |room: &str, session: &str| {
            vec![
                ("room_id".to_string(), room.to_string()),
                ("date".to_string(), thursday.to_string()),
                ("session".to_string(), session.to_string()),
                ("purpose".to_string(), "Retinal screening".to_string()),
            ]
        };
        let post = |f: Vec<(String, String)>| {
            let client = client.clone();
            let path = path.clone();
            async move {
                let f: Vec<(&str, &str)> =
                    f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                post_form(t, &client, &path, &f).await
            }
        };
        let (status, location, _) = post(fields(&free.id, "pm")).await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("{path}?done=booked").as_str())
        );
        // The same room and session again, and a room the published rota gives to someone.
        let (status, _, page) = post(fields(&free.id, "pm")).await;
        assert_eq!(status, 422);
        assert!(
            page.contains(&format!(
                "{} is already booked on Thursday 26 November 2026 PM",
                free.room.name
            )),
            "{page}"
        );
        let (status, _, page) = post(fields(&busy.id, "am")).await;
        assert_eq!(status, 422);
        assert!(
            page.contains(&format!(
                "{} is given to someone in the published rota on Thursday 26 November 2026 AM",
                busy.room.name
            )),
            "{page}"
        );
        let (_, page) = get(t, &client, &path).await;
        assert!(page.contains("Retinal screening"));

        // Next week, half the consulting rooms are booked on Tuesday morning: a rota of the
        // practice gives none of them to anyone, and houses everyone it puts there.
        let pm = actor(t, "practice_manager", OWN_PRACTICE).await;
        let tuesday = "2026-12-01";
        let consulting: Vec<_> = rooms
            .iter()
            .filter(|r| r.room.capabilities.contains(&RoomCapability::Consulting))
            .collect();
        let booked: Vec<String> = consulting
            .iter()
            .take(consulting.len().div_ceil(2))
            .map(|r| r.id.clone())
            .collect();
        for room in &booked {
            let form = BookingForm {
                room_id: room.clone(),
                date: tuesday.into(),
                session: "am".into(),
                purpose: "Basic life support training".into(),
            };
            t.app.estates().book_room(&pm, &site, &form).await.unwrap();
        }
        let mut conn = t.app.store().conn().await.unwrap();
        let period = RotaPeriod {
            from: day("2026-11-30"),
            weeks: 1,
        };
        let (input, _) = load_input(&mut conn, &RotaScope::Practice(OWN_PRACTICE.into()), period)
            .await
            .unwrap();
        drop(conn);
        let model = app::rota::plan::build(&input);
        assert!(
            model
                .problem
                .rooms
                .iter()
                .any(|p| !p.capacity_by_day.is_empty()),
            "the optimiser sees fewer rooms that morning"
        );
        let solved = solve_input(
            &input,
            std::time::Duration::from_secs(2),
            1,
            3,
            None,
            &|_| {},
        );
        let there: Vec<_> = solved
            .assignments
            .iter()
            .filter(|a| a.site_id == site && a.date == day(tuesday) && a.session == Session::Am)
            .collect();
        assert!(!there.is_empty(), "people still work there that morning");
        for a in &there {
            assert!(
                a.room_id.as_ref().is_none_or(|r| !booked.contains(r)),
                "a booked room given to {}",
                a.staff_id
            );
        }
        let clashes: Vec<_> = solved
            .problems
            .iter()
            .filter(|p| {
                matches!(p.rule, "rooms" | "room_booked")
                    && p.date == Some(day(tuesday))
                    && p.site_id.as_deref() == Some(site.as_str())
            })
            .collect();
        assert!(clashes.is_empty(), "{clashes:?}");

        // The booker cancels their own booking; an empty cancel names the field.
        let bookings = t.app.estates().site_bookings(&pm, &site).await.unwrap();
        let mine = bookings
            .bookings
            .iter()
            .find(|b| b.purpose == "Retinal screening")
            .unwrap();
        let (status, _, _) = post_form(
            t,
            &client,
            &format!("{path}/cancel"),
            &[("booking_id", mine.id.as_str())],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _, _) = post_form(t, &client, &format!("{path}/cancel"), &[]).await;
        assert_eq!(status, 422);
    }
);

on_both_on_wednesday!(
    the_shortfall_lists_the_sessions_a_planned_team_cannot_house,
    async |t: &TestApp| {
        let pcn = actor(t, "pcn_manager", OWN_PCN).await;
        let site = t.own_site().await;
        let mut conn = t.app.store().conn().await.unwrap();
        let consulting = store::sites::list_rooms(&mut conn, std::slice::from_ref(&site))
            .await
            .unwrap()
            .iter()
            .filter(|r| r.room.capabilities.contains(&RoomCapability::Consulting))
            .count();
        let site_name = store::sites::get_site(&mut conn, &site)
            .await
            .unwrap()
            .unwrap()
            .site
            .name;
        drop(conn);
        let before = t
            .app
            .estates()
            .room_shortfall(&pcn, Tenant::Pcn(OWN_PCN), &[])
            .await
            .unwrap();
        assert!(before.unhoused.iter().all(|u| !u.planned));
        // One full-time pharmacist more than the site has consulting rooms: their 10
        // sessions a week each cannot all fit in its 10 weekday sessions.
        let posts: Vec<PlannedPost> = (0..=consulting)
            .map(|_| PlannedPost {
                role: Role::ClinicalPharmacist,
                wte: 1.0,
                site_id: Some(site.clone()),
            })
            .collect();
        let after = t
            .app
            .estates()
            .room_shortfall(&pcn, Tenant::Pcn(OWN_PCN), &posts)
            .await
            .unwrap();
        assert_eq!(after.short_in_post, before.short_in_post);
        assert!(
            after.short_planned >= before.short_in_post + 10,
            "{after:?}"
        );
        let planned: Vec<_> = after.unhoused.iter().filter(|u| u.planned).collect();
        assert!(planned.len() >= 10, "{planned:?}");
        for u in &planned {
            assert_eq!(u.post, "Clinical pharmacist (planned)");
            assert_eq!(u.site, site_name);
            assert_eq!(u.room_kind, "consulting");
            assert!(
                ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
                    .iter()
                    .any(|d| u.session.starts_with(d)),
                "{}",
                u.session
            );
            assert!(!u.free_elsewhere.contains(&site_name));
        }
        // Bad input names the field; an ICS viewer sees the same aggregates.
        let bad = [PlannedPost {
            role: Role::Paramedic,
            wte: 1.6,
            site_id: Some("elsewhere".into()),
        }];
        match t
            .app
            .estates()
            .room_shortfall(&pcn, Tenant::Pcn(OWN_PCN), &bad)
            .await
        {
            Err(app::AppError::Invalid(e)) => {
                assert!(e.message_for("wte").is_some() && e.message_for("site").is_some());
            }
            other => panic!("expected field errors, got {other:?}"),
        }
        let ics = actor(t, "ics_viewer", OWN_ICS).await;
        let seen = t
            .app
            .estates()
            .room_shortfall(&ics, Tenant::Pcn(OWN_PCN), &posts)
            .await
            .unwrap();
        assert_eq!(seen.short_planned, after.short_planned);

        // The PCN page with a what-if post lists them.
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let client = t.logged_in(&email).await;
        let (status, page) = get(
            t,
            &client,
            &format!("/pcns/{OWN_PCN}/estates?role=clinical_pharmacist&wte=1&site={site}"),
        )
        .await;
        assert_eq!(status, 200);
        assert!(
            page.contains("Sessions that cannot be housed")
                || page.contains("Every session can be housed")
        );
        assert!(
            page.contains("with a 1 WTE clinical pharmacist added"),
            "{page}"
        );
        let (status, page) = get(
            t,
            &client,
            &format!("/pcns/{OWN_PCN}/estates?role=clinical_pharmacist&wte=lots"),
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("Enter the WTE as a number"), "{page}");
    }
);
