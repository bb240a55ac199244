//! Authorise first: a use case refused to its actor writes nothing, not even a row its
//! rollback undoes. SQLite's `total_changes()` counts rolled-back statements, so it sees a
//! write made before the check; on PostgreSQL the write probe (a sequence that row
//! triggers advance, which no rollback undoes) does the same. The access matrix does this for every route with harmless
//! bodies; these are the rota changes, called with the right version so that a version
//! bump before the check would change a row.
use super::on_both;
use crate::support::*;
use app::rota::{DayEdit, PublishRequest};
use app::{Actor, AppError};
use store::Backend;

async fn actor(t: &TestApp, email: &str) -> Actor {
    t.app
        .accounts()
        .actor(&t.user(email).await.id)
        .await
        .unwrap()
}

async fn version(t: &TestApp, rota_id: &str) -> i64 {
    let mut conn = t.app.store().conn().await.unwrap();
    store::rota::get_rota(&mut conn, rota_id)
        .await
        .unwrap()
        .unwrap()
        .version
}

/// Runs `call`, which must be refused, and checks nothing was written on the way.
async fn refused_without_writing<F, T>(t: &TestApp, what: &str, call: F)
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    let before = t.app.store().total_changes().await.unwrap().unwrap();
    let result = call.await;
    let after = t.app.store().total_changes().await.unwrap().unwrap();
    assert!(
        matches!(result, Err(AppError::NotFound | AppError::Forbidden)),
        "{what}: expected a refusal, got {:?}",
        result.err()
    );
    assert_eq!(after, before, "{what}: refused after writing");
}

on_both!(refused_rota_changes_write_nothing, async |t: &TestApp| {
    store::testing::install_write_probe(t.app.store())
        .await
        .unwrap();
    // The other tenant's rota for this practice's manager; this practice's own rota for
    // one of its staff (the wrong role).
    let manager = actor(
        t,
        &t.login_email("practice_manager", Some(OWN_PRACTICE)).await,
    )
    .await;
    let staff = actor(t, &t.login_email("staff", Some(OWN_PRACTICE)).await).await;
    let cases = [
        (
            manager,
            t.fresh_swap(OTHER_PRACTICE, &t.other.staff_id).await,
        ),
        (
            staff,
            t.fresh_swap(OWN_PRACTICE, &t.own_staff().await).await,
        ),
    ];
    for (who, swap_id) in cases {
        let rota_id = {
            let mut conn = t.app.store().conn().await.unwrap();
            store::rota::get_swap(&mut conn, &swap_id)
                .await
                .unwrap()
                .unwrap()
                .rota_id
        };
        let v = version(t, &rota_id).await;
        let label = |what: &str| format!("{what} as {}", who.email);
        let publish = PublishRequest {
            version: Some(v),
            override_rules: true,
        };
        refused_without_writing(
            t,
            &label("publish"),
            t.app.rota().publish_rota(&who, &rota_id, &publish),
        )
        .await;
        let unversioned = PublishRequest {
            version: None,
            override_rules: true,
        };
        refused_without_writing(
            t,
            &label("publish without a version"),
            t.app.rota().publish_rota(&who, &rota_id, &unversioned),
        )
        .await;
        let edit = DayEdit {
            staff_id: t.other.staff_id.clone(),
            date: "2026-12-08".into(),
            pattern: "off".into(),
            site_id: t.other.site_id.clone(),
            lock: true,
            override_rules: true,
            version: v,
        };
        refused_without_writing(
            t,
            &label("edit a day"),
            t.app.rota().edit_rota_day(&who, &rota_id, &edit),
        )
        .await;
        refused_without_writing(
            t,
            &label("solve again"),
            t.app.rota().resolve_rota(&who, &rota_id, v),
        )
        .await;
        refused_without_writing(
            t,
            &label("cancel"),
            t.app.rota().cancel_rota(&who, &rota_id),
        )
        .await;
        refused_without_writing(
            t,
            &label("approve a swap"),
            t.app.rota().decide_swap(
                &who,
                &swap_id,
                &app::rota::swaps::Decision {
                    approve: true,
                    override_rules: true,
                    reason: String::new(),
                },
                v,
            ),
        )
        .await;
        refused_without_writing(
            t,
            &label("decline a swap"),
            t.app.rota().decide_swap(
                &who,
                &swap_id,
                &app::rota::swaps::Decision {
                    approve: false,
                    override_rules: false,
                    reason: "No cover that day".into(),
                },
                v,
            ),
        )
        .await;
        assert_eq!(version(t, &rota_id).await, v);
    }
});
