//! The rota queue's cap per manager over HTTP, on both databases: a manager may have three
//! rotas waiting; the fourth is refused with a message naming the limit, and a place frees
//! when one is cancelled or starts. Another manager's queue is their own.
use super::on_both;
use crate::support::*;
use serde_json::json;
use store::Backend;

on_both!(
    a_manager_may_queue_three_rotas_and_the_fourth_is_refused,
    async |t: &TestApp| {
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let manager = t.logged_in(&email).await;
        let from = next_monday(t.app.today()).to_string();
        let body = json!({ "pcn": OWN_PCN, "from": from, "weeks": 1, "time_limit_seconds": 1 });
        let mut ids = Vec::new();
        for _ in 0..3 {
            let (status, created) = post_json(t, &manager, "/api/rotas", body.clone()).await;
            assert_eq!(status, 202, "{created}");
            ids.push(created["id"].as_str().unwrap().to_string());
        }
        let (status, refused) = post_json(t, &manager, "/api/rotas", body.clone()).await;
        assert_eq!(status, 409, "{refused}");
        let message = refused["error"].as_str().unwrap();
        assert!(
            message.contains("3 rotas waiting") && message.contains("(3)"),
            "{message}"
        );

        // Another manager queues as usual.
        let other_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let other = t.logged_in(&other_email).await;
        let practice =
            json!({ "practice": OWN_PRACTICE, "from": from, "weeks": 1, "time_limit_seconds": 1 });
        let (status, created) = post_json(t, &other, "/api/rotas", practice).await;
        assert_eq!(status, 202, "{created}");

        // Cancelling one frees a place.
        let (status, _) = post_json(
            t,
            &manager,
            &format!("/api/rotas/{}/cancel", ids[0]),
            json!({}),
        )
        .await;
        assert_eq!(status, 204);
        let (status, created) = post_json(t, &manager, "/api/rotas", body.clone()).await;
        assert_eq!(status, 202, "{created}");
        let (status, _) = post_json(t, &manager, "/api/rotas", body.clone()).await;
        assert_eq!(status, 409);

        // A rota that has started is no longer waiting: a place frees.
        let started = t
            .app
            .rota()
            .run_next_rota_job("test-worker", 1)
            .await
            .unwrap()
            .unwrap();
        assert!(ids.contains(&started), "the oldest waiting rota ran first");
        let (status, created) = post_json(t, &manager, "/api/rotas", body).await;
        assert_eq!(status, 202, "{created}");
    }
);
