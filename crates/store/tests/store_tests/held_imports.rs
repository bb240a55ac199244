//! Held imports: read only by their account and kind until they expire, one a kind per
//! account, purged once expired.
use super::*;
use store::imports::HeldImport;

async fn user(conn: &mut store::Conn, email: &str) -> String {
    let user = store::accounts::UserRecord {
        id: new_id(),
        email: email.into(),
        password_hash: "$argon2id$...".into(),
        role: domain::account::UserRole::PracticeManager,
        org_code: "Y99901".into(),
        staff_id: None,
        display_name: "PM".into(),
        demo: false,
        disabled: false,
        last_login_at: None,
        session_epoch: 0,
    };
    store::accounts::insert(conn, &user, NOW).await.unwrap();
    user.id
}

fn held(user_id: &str, kind: &str) -> HeldImport {
    HeldImport {
        id: new_id(),
        user_id: user_id.into(),
        org_code: "Y99901".into(),
        kind: kind.into(),
        file_name: "team.csv".into(),
        rows_json: "[]".into(),
        outcome_json: "{}".into(),
        created_at: "2026-11-23T09:00:00Z".into(),
        expires_at: "2026-11-23T10:00:00Z".into(),
    }
}

on_both!(
    held_imports_are_read_by_their_account_until_they_expire,
    async |db: &TestDb| {
        let mut conn = db.store.conn().await.unwrap();
        let pm = user(&mut conn, "pm@held.example").await;
        let other = user(&mut conn, "other@held.example").await;
        let first = held(&pm, "staff");
        store::imports::replace(&mut conn, &first).await.unwrap();
        let get = async |conn: &mut store::Conn, id: &str, user: &str, kind: &str, now: &str| {
            store::imports::get(conn, id, user, kind, now)
                .await
                .unwrap()
        };
        let early = "2026-11-23T09:30:00Z";
        assert_eq!(
            get(&mut conn, &first.id, &pm, "staff", early).await,
            Some(first.clone())
        );
        assert_eq!(
            get(&mut conn, &first.id, &other, "staff", early).await,
            None
        );
        assert_eq!(
            get(&mut conn, &first.id, &pm, "payments", early).await,
            None
        );
        assert_eq!(
            get(&mut conn, &first.id, &pm, "staff", "2026-11-23T10:00:00Z").await,
            None
        );
        store::imports::update(
            &mut conn,
            &first.id,
            &pm,
            "[1]",
            "{\"ok\":1}",
            "2026-11-23T11:00:00Z",
        )
        .await
        .unwrap();
        let updated = get(&mut conn, &first.id, &pm, "staff", "2026-11-23T10:30:00Z")
            .await
            .unwrap();
        assert_eq!(
            (updated.rows_json.as_str(), updated.outcome_json.as_str()),
            ("[1]", "{\"ok\":1}")
        );
        // A second file of the same kind replaces the first; another kind does not.
        let second = held(&pm, "staff");
        store::imports::replace(&mut conn, &second).await.unwrap();
        store::imports::replace(&mut conn, &held(&pm, "payments"))
            .await
            .unwrap();
        store::imports::replace(&mut conn, &held(&other, "staff"))
            .await
            .unwrap();
        assert_eq!(get(&mut conn, &first.id, &pm, "staff", early).await, None);
        assert!(
            get(&mut conn, &second.id, &pm, "staff", early)
                .await
                .is_some()
        );
        assert_eq!(
            store::imports::purge(&mut conn, "2026-11-23T10:00:00Z")
                .await
                .unwrap(),
            3
        );
    }
);
