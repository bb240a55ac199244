//! A published rota stays true, on both databases: approving leave that breaks a published
//! rota says so before anything is saved and saves only when confirmed (a second submit);
//! the rota is then marked on its page, in the list and in the API, its managers are told,
//! and its repair changes only the days it must before it is published again. The same holds
//! for the person form (an end date inside the rota), removing a booked room and closing a
//! site's session.
use super::on_both;
use crate::support::*;
use app::rota::{PublishRequest, RotaScope};
use domain::leave::{LeaveDraft, LeaveKind, LeaveStatus};
use domain::rota::RotaPeriod;
use std::collections::BTreeSet;
use store::Backend;

on_both!(
    leave_that_breaks_a_published_rota_is_confirmed_marked_told_and_repaired,
    async |t: &TestApp| {
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let client = t.logged_in(&email).await;
        let user = t.user(&email).await;
        let actor = t.app.accounts().actor(&user.id).await.unwrap();
        let monday = next_monday(t.app.today());
        let period = RotaPeriod {
            from: monday,
            weeks: 1,
        };
        let id = t
            .app
            .rota()
            .request_rota(&actor, RotaScope::Pcn(OWN_PCN.into()), period, Some(2))
            .await
            .unwrap();
        t.app
            .rota()
            .run_next_rota_job("test-worker", 2)
            .await
            .unwrap();
        let published = t.app.rota().detail(&actor, &id).await.unwrap();
        let request = PublishRequest {
            version: Some(published.row.version),
            override_rules: false,
        };
        let outcome = t
            .app
            .rota()
            .publish_rota(&actor, &id, &request)
            .await
            .unwrap();
        assert!(outcome.published, "{:?}", outcome.hard_problems);

        // Someone booked on Tuesday asks for Tuesday and Wednesday off.
        let tuesday = monday + chrono::Days::new(1);
        let wednesday = monday + chrono::Days::new(2);
        let away: BTreeSet<_> = [tuesday, wednesday].into();
        let who = published
            .assignments
            .iter()
            .find(|a| a.date == tuesday)
            .expect("someone works on Tuesday")
            .staff_id
            .clone();
        let name = published
            .people
            .iter()
            .find(|p| p.id == who)
            .unwrap()
            .name
            .clone();
        let leave_id = store::new_id();
        let mut conn = t.app.store().conn().await.unwrap();
        let leave = LeaveDraft {
            kind: LeaveKind::Annual,
            start_date: tuesday,
            end_date: wednesday,
            note: None,
        };
        store::leave::insert(
            &mut conn,
            &leave_id,
            &who,
            &leave,
            LeaveStatus::Requested,
            "2026-11-23T09:00:00Z",
        )
        .await
        .unwrap();
        drop(conn);
        let status_of = async |id: &str| {
            let mut conn = t.app.store().conn().await.unwrap();
            store::leave::get(&mut conn, id)
                .await
                .unwrap()
                .unwrap()
                .status
        };

        // Approving says what it breaks, in words, and saves nothing.
        let path = format!("/leave/{leave_id}/decision");
        let back = format!("/practices/{OWN_PRACTICE}/leave");
        let decision = [("decision", "approve"), ("back", back.as_str())];
        let (status, _, page) = post_form(t, &client, &path, &decision).await;
        assert_eq!(status, 409, "{page}");
        let booked = published
            .assignments
            .iter()
            .filter(|a| a.staff_id == who && away.contains(&a.date))
            .count();
        let plural = if booked == 1 { "session" } else { "sessions" };
        let said = format!("{name} is booked on {booked} {plural} in their leave");
        assert!(page.contains(&said), "{said} in {page}");
        assert!(
            page.contains("name=\"confirm_rota\" value=\"yes\""),
            "{page}"
        );
        assert_eq!(status_of(&leave_id).await, LeaveStatus::Requested);
        assert!(
            t.app
                .rota()
                .detail(&actor, &id)
                .await
                .unwrap()
                .stale_problems
                .is_empty(),
            "not marked before it is confirmed"
        );

        // Confirmed: saved, the rota marked on its page, in the list and in the API.
        let mut confirmed = decision.to_vec();
        confirmed.push(("confirm_rota", "yes"));
        let (status, _, _) = post_form(t, &client, &path, &confirmed).await;
        assert_eq!(status, 303);
        assert_eq!(status_of(&leave_id).await, LeaveStatus::Approved);
        let (_, page) = get(t, &client, &format!("/rotas/{id}")).await;
        assert!(page.contains("Changed since publishing"), "{page}");
        assert!(page.contains("Repair the rota"), "{page}");
        let (_, list) = get(t, &client, "/rotas").await;
        assert!(list.contains("Changed since publishing"), "{list}");
        let (status, body) = get_json(t, &client, &format!("/api/rotas/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["stale"], serde_json::json!(true), "{body}");
        let stale = body["stale_problems"].as_array().unwrap();
        assert!(stale.iter().any(|p| p["rule"] == "leave"), "{stale:?}");

        // The rota's managers are told.
        let inbox = t.app.notifications().list(&actor).await.unwrap();
        assert!(
            inbox
                .iter()
                .any(|n| n.kind == app::notifications::Kind::RotaChanged
                    && n.link == format!("/rotas/{id}")
                    && n.text.contains("broke the rota")),
            "{inbox:?}"
        );

        // The repair: proposed, shown, published; only the days it must change change.
        let (status, location, _) =
            post_form(t, &client, &format!("/rotas/{id}/repair"), &[]).await;
        assert_eq!(
            (status, location.as_str()),
            (303, format!("/rotas/{id}/repair").as_str())
        );
        let (status, page) = get(t, &client, &location).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Publish the repaired rota"), "{page}");
        assert!(page.contains(&name), "the changed days name {name}: {page}");
        let version = field_value(&page, "version").unwrap();
        let (status, location, page) = post_form(
            t,
            &client,
            &format!("/rotas/{id}/repair/publish"),
            &[("version", &version)],
        )
        .await;
        assert_eq!(status, 303, "{page}");
        assert!(location.ends_with("done=rota-repaired"), "{location}");
        let repaired = t.app.rota().detail(&actor, &id).await.unwrap();
        assert!(repaired.stale_problems.is_empty());
        let hard: Vec<_> = repaired.problems.iter().filter(|p| p.hard).collect();
        assert!(hard.is_empty(), "{hard:?}");
        assert!(
            !repaired
                .assignments
                .iter()
                .any(|a| a.staff_id == who && away.contains(&a.date))
        );
        // Every other person's session on the other days is as published (the person away
        // may lose a session elsewhere: their contract shrinks with the leave).
        let other_days = |list: &[app::rota::Assignment]| -> Vec<app::rota::Assignment> {
            list.iter()
                .filter(|a| !away.contains(&a.date) && a.staff_id != who)
                .cloned()
                .collect()
        };
        assert_eq!(
            other_days(&repaired.assignments),
            other_days(&published.assignments)
        );
        let (_, page) = get(t, &client, &format!("/rotas/{id}")).await;
        assert!(!page.contains("Changed since publishing"), "{page}");
    }
);

/// A PCN rota of the week `ahead` weeks after next Monday, solved and published; its id and
/// what it booked.
async fn published_week(
    t: &TestApp,
    actor: &app::Actor,
    ahead: u64,
) -> (String, app::rota::RotaDetail) {
    let monday = next_monday(t.app.today()) + chrono::Days::new(7 * ahead);
    let period = RotaPeriod {
        from: monday,
        weeks: 1,
    };
    let id = t
        .app
        .rota()
        .request_rota(actor, RotaScope::Pcn(OWN_PCN.into()), period, Some(2))
        .await
        .unwrap();
    t.app
        .rota()
        .run_next_rota_job("test-worker", 2)
        .await
        .unwrap();
    let solved = t.app.rota().detail(actor, &id).await.unwrap();
    let request = PublishRequest {
        version: Some(solved.row.version),
        override_rules: true,
    };
    let outcome = t
        .app
        .rota()
        .publish_rota(actor, &id, &request)
        .await
        .unwrap();
    assert!(outcome.published);
    let published = t.app.rota().detail(actor, &id).await.unwrap();
    (id, published)
}

/// The problems found since publishing, over the rotas `ids`.
async fn stale_count(t: &TestApp, actor: &app::Actor, ids: &[&str]) -> usize {
    let mut count = 0;
    for id in ids {
        count += t
            .app
            .rota()
            .detail(actor, id)
            .await
            .unwrap()
            .stale_problems
            .len();
    }
    count
}

/// Posts `fields` to `path`: first refused with the confirmation page (nothing saved, no
/// rota of `rota_ids` marked), then, with `confirm_rota=yes`, saved and a rota marked.
async fn confirm_then_save(
    t: &TestApp,
    client: &reqwest::Client,
    actor: &app::Actor,
    rota_ids: &[&str],
    path: &str,
    fields: &[(&str, &str)],
    said: &str,
) {
    let before = stale_count(t, actor, rota_ids).await;
    let (status, _, page) = post_form(t, client, path, fields).await;
    assert_eq!(status, 409, "{path}: {page}");
    assert!(page.contains(said), "{path}: '{said}' in {page}");
    assert!(
        page.contains("name=\"confirm_rota\" value=\"yes\""),
        "{page}"
    );
    assert_eq!(
        stale_count(t, actor, rota_ids).await,
        before,
        "{path}: marked before it was confirmed"
    );
    let mut confirmed = fields.to_vec();
    confirmed.push(("confirm_rota", "yes"));
    let (status, _, page) = post_form(t, client, path, &confirmed).await;
    assert_eq!(status, 303, "{path}: {page}");
    assert!(
        stale_count(t, actor, rota_ids).await > before,
        "{path}: a rota is marked"
    );
}

on_both!(
    a_leaver_a_removed_room_and_a_closed_session_are_each_confirmed_before_saving,
    async |t: &TestApp| {
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let client = t.logged_in(&email).await;
        let user = t.user(&email).await;
        let actor = t.app.accounts().actor(&user.id).await.unwrap();
        let (id0, published) = published_week(t, &actor, 0).await;
        let monday = published.period.from;

        // A person booked from Wednesday on is given an end date of Tuesday.
        let wednesday = monday + chrono::Days::new(2);
        let who = published
            .assignments
            .iter()
            .find(|a| a.date >= wednesday)
            .expect("someone works from Wednesday")
            .staff_id
            .clone();
        let person = t.app.register().get_staff(&actor, &who).await.unwrap();
        let mut form = person.draft.to_form();
        form.end_date = (monday + chrono::Days::new(1)).to_string();
        let value = serde_json::to_value(&form).unwrap();
        let mut fields: Vec<(&str, &str)> = value
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap()))
            .collect();
        fields.extend(person.site_ids.iter().map(|s| ("sites", s.as_str())));
        confirm_then_save(
            t,
            &client,
            &actor,
            &[&id0],
            &format!("/staff/{who}"),
            &fields,
            &person.draft.name,
        )
        .await;
        let saved = t.app.register().get_staff(&actor, &who).await.unwrap();
        assert_eq!(saved.draft.end_date, Some(monday + chrono::Days::new(1)));

        // The rooms of a site the rota books are removed one by one: a room whose loss still
        // leaves a room for everyone who needs one goes at once; the first whose loss leaves
        // someone booked without one is confirmed first.
        let (id1, published) = published_week(t, &actor, 1).await;
        let booked_room = published
            .assignments
            .iter()
            .find_map(|a| a.room_id.clone())
            .expect("the demo rota books rooms");
        let (site, _) = t.app.sites().get_room(&actor, &booked_room).await.unwrap();
        let rooms: Vec<String> = t
            .app
            .sites()
            .list_sites(&actor, &site.practice_ods)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.site.id == site.id)
            .unwrap()
            .rooms
            .into_iter()
            .map(|r| r.id)
            .collect();
        let mut confirmed = false;
        for room in &rooms[..rooms.len() - 1] {
            let path = format!("/rooms/{room}/delete");
            let (status, _, page) = post_form(t, &client, &path, &[]).await;
            if status == 409 {
                assert!(
                    t.app.sites().get_room(&actor, room).await.is_ok(),
                    "kept until confirmed"
                );
                confirm_then_save(
                    t,
                    &client,
                    &actor,
                    &[&id0, &id1],
                    &path,
                    &[],
                    "Remove this room?",
                )
                .await;
                assert!(
                    t.app.sites().get_room(&actor, room).await.is_err(),
                    "the room is gone"
                );
                confirmed = true;
                break;
            }
            assert_eq!(status, 303, "{page}");
        }
        assert!(
            confirmed,
            "removing all but one of {} rooms broke the rota",
            rooms.len()
        );

        // A site's morning session is closed while the rota books mornings there.
        let (id2, published) = published_week(t, &actor, 2).await;
        let site = published
            .assignments
            .iter()
            .find(|a| a.session == domain::rota::Session::Am)
            .expect("someone works a morning")
            .site_id
            .clone();
        let fields = [
            ("session", "am"),
            ("open", "no"),
            ("starts", ""),
            ("ends", ""),
        ];
        confirm_then_save(
            t,
            &client,
            &actor,
            &[&id0, &id1, &id2],
            &format!("/sites/{site}/sessions"),
            &fields,
            "Close this session?",
        )
        .await;
    }
);
