//! One-time account links: found by hash and purpose, spent once, counted per address.
use super::*;
use store::accounts::tokens::{Purpose, TokenRow};

fn token(hash: &str, purpose: Purpose, email: &str, created_at: &str) -> TokenRow {
    TokenRow {
        id: new_id(),
        token_hash: hash.into(),
        purpose,
        email: email.into(),
        role: "staff".into(),
        org_code: "Y99901".into(),
        staff_id: None,
        user_id: None,
        created_by: None,
        created_at: created_at.into(),
        expires_at: "2026-11-30T09:00:00Z".into(),
        used_at: None,
    }
}

on_both!(
    account_tokens_are_found_by_hash_and_spent_once,
    async |db: &TestDb| {
        let mut conn = db.store.conn().await.unwrap();
        let invitation = token("aa11", Purpose::Invitation, "new@example.org", NOW);
        store::accounts::tokens::insert(&mut conn, &invitation)
            .await
            .unwrap();
        let found = store::accounts::tokens::find(&mut conn, Purpose::Invitation, "aa11")
            .await
            .unwrap();
        assert_eq!(found, Some(invitation.clone()));
        // The same hash for another purpose is not this token.
        assert_eq!(
            store::accounts::tokens::find(&mut conn, Purpose::PasswordReset, "aa11")
                .await
                .unwrap(),
            None
        );
        assert!(
            store::accounts::tokens::mark_used(&mut conn, &invitation.id, "2026-11-23T10:00:00Z")
                .await
                .unwrap()
        );
        assert!(
            !store::accounts::tokens::mark_used(&mut conn, &invitation.id, "2026-11-23T11:00:00Z")
                .await
                .unwrap(),
            "a spent token cannot be spent again"
        );
        let spent = store::accounts::tokens::find(&mut conn, Purpose::Invitation, "aa11")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(spent.used_at.as_deref(), Some("2026-11-23T10:00:00Z"));
        // A second token with the same hash is refused.
        let twin = token("aa11", Purpose::PasswordReset, "other@example.org", NOW);
        assert!(
            store::accounts::tokens::insert(&mut conn, &twin)
                .await
                .is_err()
        );
    }
);

on_both!(
    reset_tokens_are_counted_per_address_and_spent_together,
    async |db: &TestDb| {
        let mut conn = db.store.conn().await.unwrap();
        for (hash, at) in [
            ("r1", "2026-11-23T07:00:00Z"),
            ("r2", "2026-11-23T08:30:00Z"),
            ("r3", "2026-11-23T08:45:00Z"),
        ] {
            let row = token(hash, Purpose::PasswordReset, "pm@example.org", at);
            store::accounts::tokens::insert(&mut conn, &row)
                .await
                .unwrap();
        }
        let other = token("r4", Purpose::PasswordReset, "else@example.org", NOW);
        store::accounts::tokens::insert(&mut conn, &other)
            .await
            .unwrap();
        let since = "2026-11-23T08:00:00Z";
        assert_eq!(
            store::accounts::tokens::count_since(
                &mut conn,
                Purpose::PasswordReset,
                "pm@example.org",
                since
            )
            .await
            .unwrap(),
            2
        );
        assert_eq!(
            store::accounts::tokens::count_since(
                &mut conn,
                Purpose::Invitation,
                "pm@example.org",
                since
            )
            .await
            .unwrap(),
            0
        );
        store::accounts::tokens::spend_all(
            &mut conn,
            Purpose::PasswordReset,
            "pm@example.org",
            NOW,
        )
        .await
        .unwrap();
        for hash in ["r1", "r2", "r3"] {
            let row = store::accounts::tokens::find(&mut conn, Purpose::PasswordReset, hash)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.used_at.as_deref(), Some(NOW), "{hash} is spent");
        }
        let untouched = store::accounts::tokens::find(&mut conn, Purpose::PasswordReset, "r4")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(untouched.used_at, None, "another address keeps its link");
    }
);
