//! The fair rota queue: jobs are claimed across organisations in turn, each exactly once by
//! many racing workers, a job whose workers keep dying is failed after `MAX_ATTEMPTS`, and
//! a manager's queued jobs are counted.
use super::*;
use store::rota::{MAX_ATTEMPTS, claim_next, finish, get_rota, insert_rota};

const LONG_AGO: &str = "2000-01-01T00:00:00Z";

fn job(id: &str, practice: &str, created_at: &str) -> NewRota {
    new_rota(id, "practice", practice, "2026-12-07", 1, created_at)
}

async fn done(conn: &mut store::Conn, id: &str, worker: &str) {
    assert!(
        finish(conn, id, worker, "done", Some(0), Some(0), None, None, NOW)
            .await
            .unwrap()
    );
}

on_both!(
    rota_queue_serves_organisations_in_turn,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut conn = db.store.conn().await.unwrap();
        // One practice's manager queues five jobs, then another practice queues one.
        for i in 0..5 {
            let at = format!("2026-11-23T09:0{i}:00Z");
            insert_rota(&mut conn, &job(&format!("a{i}"), "Y99901", &at))
                .await
                .unwrap();
        }
        insert_rota(&mut conn, &job("b0", "Y99902", "2026-11-23T09:10:00Z"))
            .await
            .unwrap();
        let claim = async |conn: &mut store::Conn, worker: &str, now: &str| {
            claim_next(conn, worker, now, LONG_AGO)
                .await
                .unwrap()
                .map(|r| r.id)
        };
        // The oldest job goes first; while it runs, the other practice (none running) is
        // next, not the first practice's second job.
        assert_eq!(
            claim(&mut conn, "A", "2026-11-23T10:00:00Z").await,
            Some("a0".into())
        );
        assert_eq!(
            claim(&mut conn, "B", "2026-11-23T10:00:01Z").await,
            Some("b0".into())
        );
        done(&mut conn, "a0", "A").await;
        done(&mut conn, "b0", "B").await;
        // The second practice queues again. With nothing running anywhere, the practice
        // served least recently goes first, then the other, in turn.
        insert_rota(&mut conn, &job("c0", "Y99902", "2026-11-23T09:59:00Z"))
            .await
            .unwrap();
        // Y99902 was served at 10:00:01, after Y99901 (10:00:00): Y99901 is next.
        assert_eq!(
            claim(&mut conn, "A", "2026-11-23T10:01:00Z").await,
            Some("a1".into())
        );
        assert_eq!(
            claim(&mut conn, "B", "2026-11-23T10:01:01Z").await,
            Some("c0".into()),
            "the other practice's job does not wait behind the first one's queue"
        );
        done(&mut conn, "a1", "A").await;
        done(&mut conn, "c0", "B").await;
        // Within one organisation, oldest first.
        for expected in ["a2", "a3", "a4"] {
            assert_eq!(
                claim(&mut conn, "A", "2026-11-23T10:02:00Z").await,
                Some(expected.into())
            );
            done(&mut conn, expected, "A").await;
        }
        assert_eq!(claim(&mut conn, "A", "2026-11-23T10:03:00Z").await, None);
    }
);

on_both!(
    rota_queue_fails_a_job_whose_workers_keep_dying,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut conn = db.store.conn().await.unwrap();
        insert_rota(&mut conn, &job("r", "Y99901", "2026-11-23T09:00:00Z"))
            .await
            .unwrap();
        // Each worker claims it and dies (sends no heartbeat): after the lease, the next
        // worker takes it over, up to MAX_ATTEMPTS claims in all.
        for attempt in 1..=MAX_ATTEMPTS {
            let now = format!("2026-11-23T1{attempt}:00:00Z");
            let stale = format!("2026-11-23T1{attempt}:00:00Z");
            let worker = format!("w{attempt}");
            let claimed = claim_next(&mut conn, &worker, &now, &stale)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (claimed.id.as_str(), claimed.status.as_str()),
                ("r", "running")
            );
            assert_eq!(claimed.worker.as_deref(), Some(worker.as_str()));
            assert_eq!(
                store::rota::attempts(&mut conn, "r").await.unwrap(),
                attempt
            );
            // Still within the lease: nobody else takes it.
            assert_eq!(
                claim_next(&mut conn, "other", &now, "2026-11-23T09:30:00Z")
                    .await
                    .unwrap(),
                None
            );
        }
        // The next claimer after the last lease runs out marks it failed, not running.
        assert_eq!(
            claim_next(
                &mut conn,
                "last",
                "2026-11-23T19:00:00Z",
                "2026-11-23T19:00:00Z"
            )
            .await
            .unwrap(),
            None
        );
        let failed = get_rota(&mut conn, "r").await.unwrap().unwrap();
        assert_eq!(failed.status, "failed");
        assert!(
            failed.error.as_deref().unwrap().contains("started 3 times"),
            "{:?}",
            failed.error
        );
        // Asking again starts the count afresh.
        store::rota::requeue(&mut conn, "r").await.unwrap();
        assert_eq!(store::rota::attempts(&mut conn, "r").await.unwrap(), 0);
        assert!(
            claim_next(&mut conn, "w", "2026-11-23T20:00:00Z", LONG_AGO)
                .await
                .unwrap()
                .is_some()
        );
    }
);

on_both!(
    rota_queue_jobs_are_claimed_once_by_racing_workers,
    async |db: &TestDb| {
        seed_pcn(db).await;
        {
            let mut conn = db.store.conn().await.unwrap();
            for i in 0..24 {
                let practice = if i % 3 == 0 { "Y99902" } else { "Y99901" };
                let at = format!("2026-11-23T09:{i:02}:00Z");
                insert_rota(&mut conn, &job(&format!("j{i:02}"), practice, &at))
                    .await
                    .unwrap();
            }
        }
        let mut workers = Vec::new();
        for w in 0..4 {
            let store = db.store.clone();
            workers.push(tokio::spawn(async move {
                let worker = format!("w{w}");
                let mut conn = store.conn().await.unwrap();
                let mut mine = Vec::new();
                while let Some(row) = claim_next(&mut conn, &worker, NOW, LONG_AGO).await.unwrap() {
                    assert!(
                        finish(
                            &mut conn, &row.id, &worker, "done", None, None, None, None, NOW
                        )
                        .await
                        .unwrap(),
                        "{worker} owns {} until it finishes it",
                        row.id
                    );
                    mine.push(row.id);
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for w in workers {
            all.extend(w.await.unwrap());
        }
        all.sort();
        let expected: Vec<String> = (0..24).map(|i| format!("j{i:02}")).collect();
        assert_eq!(all, expected, "every job claimed exactly once");
        let mut conn = db.store.conn().await.unwrap();
        for id in &expected {
            assert_eq!(store::rota::attempts(&mut conn, id).await.unwrap(), 1);
        }
    }
);

on_both!(
    rota_queue_counts_a_managers_queued_jobs,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut conn = db.store.conn().await.unwrap();
        assert_eq!(
            store::rota::queued_by(&mut conn, "manager").await.unwrap(),
            0
        );
        for i in 0..3 {
            insert_rota(&mut conn, &job(&format!("q{i}"), "Y99901", NOW))
                .await
                .unwrap();
        }
        assert_eq!(
            store::rota::queued_by(&mut conn, "manager").await.unwrap(),
            3
        );
        assert_eq!(
            store::rota::queued_by(&mut conn, "someone").await.unwrap(),
            0
        );
        claim_next(&mut conn, "w", NOW, LONG_AGO)
            .await
            .unwrap()
            .unwrap();
        store::rota::request_cancel(&mut conn, "q1").await.unwrap();
        assert_eq!(
            store::rota::queued_by(&mut conn, "manager").await.unwrap(),
            1,
            "running and cancelled jobs are not waiting"
        );
        // Locking the queue of an account that is not stored changes nothing.
        store::rota::lock_queue_of(&mut conn, "nobody")
            .await
            .unwrap();
    }
);
