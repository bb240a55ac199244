//! Estates: ad-hoc room bookings (one a room and session), the used / not-used marks, the
//! PCN's threshold and the people a published rota places at a site.
use super::*;
use store::estates::{MarkRecord, NewBooking};

async fn a_site_with_rooms(conn: &mut store::Conn) -> (String, String, String) {
    let site = new_id();
    store::sites::insert_site(
        conn,
        &site,
        "Y99901",
        &SiteDraft {
            name: "Main".into(),
            address: String::new(),
        },
    )
    .await
    .unwrap();
    let (one, two) = (new_id(), new_id());
    for (id, name) in [(&one, "Room 1"), (&two, "Room 2")] {
        store::sites::insert_room(
            conn,
            id,
            &site,
            &RoomDraft {
                name: name.into(),
                capabilities: vec![RoomCapability::Consulting],
            },
        )
        .await
        .unwrap();
    }
    (site, one, two)
}

fn booking<'a>(id: &'a str, room: &'a str) -> NewBooking<'a> {
    NewBooking {
        id,
        room_id: room,
        day: "2026-12-08",
        session: "pm",
        purpose: "Retinal screening",
        booked_by: None,
        created_at: NOW,
    }
}

on_both!(room_bookings_one_a_room_and_session, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let (site, one, two) = a_site_with_rooms(&mut conn).await;
    let (one, two) = (one.as_str(), two.as_str());
    store::estates::insert_booking(&mut conn, &booking("b1", one))
        .await
        .unwrap();
    // The same room and session again: refused by the database, in the users' words.
    let clash = store::estates::insert_booking(&mut conn, &booking("b2", one)).await;
    match clash {
        Err(StoreError::Conflict(words)) => assert!(words.contains("already booked"), "{words}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Another room, or another session of the same room, is free.
    store::estates::insert_booking(&mut conn, &booking("b3", two))
        .await
        .unwrap();
    store::estates::insert_booking(
        &mut conn,
        &NewBooking {
            session: "am",
            ..booking("b4", one)
        },
    )
    .await
    .unwrap();
    let listed = store::estates::list_bookings(
        &mut conn,
        std::slice::from_ref(&site),
        "2026-12-01",
        "2026-12-31",
    )
    .await
    .unwrap();
    let order: Vec<(&str, &str)> = listed
        .iter()
        .map(|b| (b.session.as_str(), b.room_name.as_str()))
        .collect();
    assert_eq!(
        order,
        [("am", "Room 1"), ("pm", "Room 1"), ("pm", "Room 2")]
    );
    assert!(listed.iter().all(|b| b.site_id == site));
    let at = store::estates::booking_at(&mut conn, one, "2026-12-08", "pm")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(at.id, "b1");
    assert!(
        store::estates::list_bookings(
            &mut conn,
            std::slice::from_ref(&site),
            "2026-12-09",
            "2026-12-31"
        )
        .await
        .unwrap()
        .is_empty()
    );
    assert!(
        store::estates::delete_booking(&mut conn, "b1")
            .await
            .unwrap()
    );
    assert!(
        !store::estates::delete_booking(&mut conn, "b1")
            .await
            .unwrap()
    );
    assert!(
        store::estates::get_booking(&mut conn, "b1")
            .await
            .unwrap()
            .is_none()
    );
});

on_both!(room_use_marks_and_thresholds, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let (site, one, _) = a_site_with_rooms(&mut conn).await;
    let mark = |used: bool, at: &str| MarkRecord {
        room_id: one.clone(),
        day: "2026-11-20".into(),
        session: "am".into(),
        used,
        marked_by: Some("u1".into()),
        marked_at: at.into(),
    };
    store::estates::upsert_mark(&mut conn, &mark(true, NOW))
        .await
        .unwrap();
    // A second mark changes the first: one row a room-session.
    store::estates::upsert_mark(&mut conn, &mark(false, "2026-11-23T10:00:00Z"))
        .await
        .unwrap();
    let marks = store::estates::list_marks(
        &mut conn,
        std::slice::from_ref(&site),
        "2026-11-01",
        "2026-11-30",
    )
    .await
    .unwrap();
    assert_eq!(marks, vec![mark(false, "2026-11-23T10:00:00Z")]);
    assert!(
        store::estates::list_marks(&mut conn, &[site], "2026-11-21", "2026-11-30")
            .await
            .unwrap()
            .is_empty()
    );

    assert_eq!(
        store::estates::threshold(&mut conn, "U99901")
            .await
            .unwrap(),
        None
    );
    store::estates::set_threshold(&mut conn, "U99901", 55, NOW)
        .await
        .unwrap();
    store::estates::set_threshold(&mut conn, "U99901", 45, NOW)
        .await
        .unwrap();
    assert_eq!(
        store::estates::threshold(&mut conn, "U99901")
            .await
            .unwrap(),
        Some(45)
    );
    // Out of range is refused by the database too.
    assert!(
        store::estates::set_threshold(&mut conn, "U99901", 0, NOW)
            .await
            .is_err()
    );
});
