//! The wellbeing anonymity leaks, one test each (docs/design/wellbeing-anonymity.md):
//! repeated looks at an open period, counts below the threshold, comments, and storage
//! that could join an answer to the "who answered" marker (rows, order, the write-ahead
//! log).
use crate::support::*;
use crate::wellbeing::{
    answer, api_client, at, count, last_period, on_both_in_open_period, spawn_in_open_period,
    staff_at,
};
use app::clock::Clock;
use serde_json::{Value, json};
use store::Backend;

/// A page with its per-request parts (CSRF tokens) taken out, for comparing two looks.
fn stable(html: &str) -> String {
    html.lines()
        .filter(|l| !l.contains("csrf"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every text value of every table that can be read as text, with its table.
async fn every_value(t: &TestApp) -> Vec<(String, String)> {
    let mut conn = t.app.store().conn().await.unwrap();
    let tables = store::backup::table_names(&mut conn, t.app.store().backend())
        .await
        .unwrap();
    drop(conn);
    let mut out = Vec::new();
    let mut read = Vec::new();
    for table in tables {
        if let Ok(rows) = store::testing::rows_as_text(t.app.store(), &table).await {
            for row in rows {
                out.extend(row.into_values().flatten().map(|v| (table.clone(), v)));
            }
            read.push(table);
        }
    }
    for needed in [
        "wellbeing_pending",
        "wellbeing_answers",
        "wellbeing_answered",
        "audit_log",
    ] {
        assert!(read.iter().any(|t| t == needed), "{needed} was read");
    }
    out
}

on_both_in_open_period!(
    repeated_looks_at_an_open_period_reveal_nothing,
    async |t: &TestApp, _clock: &Clock| {
        let staff = staff_at(t, OWN_PRACTICE).await;
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let pm = api_client(t, &pm_email).await;
        let pm_page = t.logged_in(&pm_email).await;
        let pcn_page = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let api_path = format!("/api/practices/{OWN_PRACTICE}/wellbeing");
        let page_path = format!("/practices/{OWN_PRACTICE}/wellbeing");
        let pcn_path = format!("/pcns/{OWN_PCN}/wellbeing");
        let mut looks: Vec<(Value, String, String)> = Vec::new();
        // Look, answer, look again — six times, across the threshold.
        for (i, email) in staff.iter().take(6).enumerate() {
            let (_, api) = get_json(t, &pm, &api_path).await;
            let (_, page) = get(t, &pm_page, &page_path).await;
            let (_, pcn) = get(t, &pcn_page, &pcn_path).await;
            looks.push((api, stable(&page), stable(&pcn)));
            let client = api_client(t, email).await;
            let scores = if i % 2 == 0 {
                [1, 1, 1, 1, 1]
            } else {
                [5, 5, 5, 5, 5]
            };
            let (status, _) = answer(t, &client, json!({ "answers": scores })).await;
            assert_eq!(status, 201);
        }
        let (_, api) = get_json(t, &pm, &api_path).await;
        let (_, page) = get(t, &pm_page, &page_path).await;
        let (_, pcn) = get(t, &pcn_page, &pcn_path).await;
        looks.push((api, stable(&page), stable(&pcn)));
        for look in &looks[1..] {
            assert_eq!(
                look.0, looks[0].0,
                "the API changed while the period was open"
            );
            assert_eq!(
                look.1, looks[0].1,
                "the practice page changed while the period was open"
            );
            assert_eq!(
                look.2, looks[0].2,
                "the PCN page changed while the period was open"
            );
        }
        let api = &looks[0].0;
        assert!(
            api["periods"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["period_start"] != "2026-11-02"),
            "the open period is not among the results: {api}"
        );
        assert!(
            looks[0]
                .1
                .contains("not even how many people have answered")
        );
    }
);

on_both_in_open_period!(
    below_the_threshold_no_count_and_no_comment_appears_anywhere,
    async |t: &TestApp, clock: &Clock| {
        let staff = staff_at(t, OWN_PRACTICE).await;
        for (i, email) in staff.iter().take(4).enumerate() {
            let client = api_client(t, email).await;
            let (status, _) = answer(
                t,
                &client,
                json!({ "answers": [3, 3, 3, 3, 3], "comment": format!("Quiet remark {i}") }),
            )
            .await;
            assert_eq!(status, 201);
        }
        clock.set(at("2026-11-30"));
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let pm = api_client(t, &pm_email).await;
        let (_, report) =
            get_json(t, &pm, &format!("/api/practices/{OWN_PRACTICE}/wellbeing")).await;
        let closed = last_period(&report);
        assert_eq!(closed["period_start"], "2026-11-02");
        assert_eq!(closed["withheld"], true);
        assert!(closed.get("responses").is_none(), "no count: {closed}");
        assert!(closed.get("results").is_none());
        assert_eq!(closed["comments"], json!([]));
        for group in closed["groups"].as_array().unwrap() {
            assert_eq!(group["withheld"], true);
            assert!(group.get("responses").is_none(), "no count: {group}");
        }
        // Every period the API lists has either no count or one at the threshold or more.
        for period in report["periods"].as_array().unwrap() {
            if let Some(n) = period["responses"].as_u64() {
                assert!(n >= 5, "{period}");
            }
            for group in period["groups"].as_array().unwrap() {
                if let Some(n) = group["responses"].as_u64() {
                    assert!(n >= 5, "{group}");
                }
            }
        }
        let text = report.to_string();
        assert!(!text.contains("Quiet remark"));

        // The pages: the period is withheld without a number; the PCN's line too.
        let page = t.logged_in(&pm_email).await;
        let (_, html) = get(t, &page, &format!("/practices/{OWN_PRACTICE}/wellbeing")).await;
        assert!(html.contains("Last closed period: 2 November to 29 November 2026"));
        assert!(html.contains("id=\"withheld\""));
        assert!(html.contains("fewer than 5 people answered"));
        assert!(!html.contains("Quiet remark"));
        assert!(!html.contains("4 people"));
        let trend_row = html
            .split("<tr")
            .find(|row| row.contains("2 November to 29 November 2026"))
            .expect("the period in the trend table");
        assert!(trend_row.contains("fewer than 5"), "{trend_row}");
        assert!(!trend_row.contains(">4<"), "{trend_row}");
        let pcn = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let (_, html) = get(t, &pcn, &format!("/pcns/{OWN_PCN}/wellbeing")).await;
        let line = html
            .split("<tr")
            .find(|row| row.contains(&format!("/practices/{OWN_PRACTICE}/wellbeing")))
            .expect("the practice's line");
        assert!(line.contains("fewer than 5"), "{line}");
    }
);

on_both_in_open_period!(
    an_answer_cannot_be_joined_back_to_the_person,
    async |t: &TestApp, clock: &Clock| {
        let staff = staff_at(t, OWN_PRACTICE).await;
        let mut people = Vec::new();
        // Eight people answer in turn; each comment records the order of answering.
        for (i, email) in staff.iter().take(8).enumerate() {
            let client = api_client(t, email).await;
            let (status, body) = answer(
                t,
                &client,
                json!({ "answers": [1 + i % 5, 3, 3, 3, 3], "comment": format!("Zq answer {i:02}") }),
            )
            .await;
            assert_eq!(status, 201, "{body}");
            let user = t.user(email).await;
            people.push(user);
        }

        // While the period is open, no table holds an answer in readable form.
        for (table, value) in every_value(t).await {
            assert!(
                !value.contains("Zq answer"),
                "{table} holds a comment: {value}"
            );
        }
        // …nor does the SQLite file or its write-ahead log (the old design failed here).
        if let Some(path) = store::backup::sqlite_path(&t.db.url) {
            for file in [path.clone(), path.with_extension("db-wal")] {
                if let Ok(bytes) = std::fs::read(&file) {
                    assert!(
                        !bytes.windows(9).any(|w| w == b"Zq answer"),
                        "{} holds a comment",
                        file.display()
                    );
                }
            }
        }
        let pending = store::testing::rows_as_text(t.app.store(), "wellbeing_pending")
            .await
            .unwrap();
        assert_eq!(pending.len(), 8);
        let lengths: std::collections::BTreeSet<usize> = pending
            .iter()
            .map(|r| r["sealed"].as_ref().unwrap().len())
            .collect();
        assert_eq!(lengths.len(), 1, "every box has one length");
        for row in &pending {
            let columns: Vec<&String> = row.keys().collect();
            assert_eq!(
                columns,
                ["id", "period_start", "questionnaire_id", "sealed"]
            );
            for user in &people {
                let sealed = row["sealed"].as_ref().unwrap();
                assert!(!sealed.contains(&user.id));
                assert!(!sealed.contains(user.staff_id.as_deref().unwrap()));
            }
        }
        // Ids are random, so their order is not the order of answering (1 in 8! by chance).
        let stored = store::wellbeing::ids_in_storage_order(t.app.store(), "wellbeing_pending")
            .await
            .unwrap();
        let mut by_id = stored.clone();
        by_id.sort();
        assert_ne!(
            by_id, stored,
            "pending ids follow the order they were written in"
        );

        // The markers and the audit trail hold no answer: only who, and which period.
        let markers = store::testing::rows_as_text(t.app.store(), "wellbeing_answered")
            .await
            .unwrap();
        assert_eq!(markers.len(), 8);
        let audit = store::testing::rows_as_text(t.app.store(), "audit_log")
            .await
            .unwrap();
        let pending_ids: Vec<&String> = pending.iter().map(|r| r["id"].as_ref().unwrap()).collect();
        for row in markers.iter().chain(&audit) {
            for value in row.values().flatten() {
                for id in &pending_ids {
                    assert!(!value.contains(id.as_str()), "{value} names an answer");
                }
            }
        }
        let answered: Vec<_> = audit
            .iter()
            .filter(|r| r["entity"].as_deref() == Some("wellbeing_checkin"))
            .collect();
        assert_eq!(answered.len(), 8, "each answer is audited as 'answered'");
        for row in answered {
            let after: Value = serde_json::from_str(row["after_json"].as_ref().unwrap()).unwrap();
            assert_eq!(after, json!({ "period_start": "2026-11-02" }));
        }

        // The period closes: the answers become results in shuffled order, new ids.
        let before: Vec<String> =
            store::wellbeing::ids_in_storage_order(t.app.store(), "wellbeing_answers")
                .await
                .unwrap();
        clock.set(at("2026-11-30"));
        assert_eq!(
            t.app.wellbeing().close_wellbeing_periods().await.unwrap(),
            8
        );
        assert_eq!(count(t, "wellbeing_pending").await, 0);
        let results = store::testing::rows_as_text(t.app.store(), "wellbeing_answers")
            .await
            .unwrap();
        let comment_of: std::collections::BTreeMap<String, String> = results
            .iter()
            .filter_map(|r| Some((r["id"].clone()?, r["comment"].clone()?)))
            .collect();
        let order: Vec<String> =
            store::wellbeing::ids_in_storage_order(t.app.store(), "wellbeing_answers")
                .await
                .unwrap()
                .into_iter()
                .filter(|id| !before.contains(id))
                .map(|id| comment_of.get(&id).cloned().unwrap_or_default())
                .collect();
        assert_eq!(order.len(), 8);
        let mut answering_order = order.clone();
        answering_order.sort();
        assert_ne!(
            order, answering_order,
            "results are stored in the order of answering (1 in 8! by chance)"
        );
        for row in results.iter().filter(|r| {
            r["comment"]
                .as_deref()
                .is_some_and(|c| c.starts_with("Zq answer"))
        }) {
            let id = row["id"].as_ref().unwrap();
            assert!(!pending_ids.contains(&id), "a result keeps its box's id");
            // A version-4 UUID: random, not time-ordered like the v7 ids of other records.
            assert_eq!(id.len(), 36, "{id}");
            assert_eq!(&id[14..15], "4", "random, not time-ordered, ids: {id}");
            // No person and no time finer than the period.
            for user in &people {
                assert!(!row.values().flatten().any(|v| v == &user.id
                    || Some(v.as_str()) == user.staff_id.as_deref()
                    || v == &user.email));
            }
            let dates: Vec<&String> = row
                .values()
                .flatten()
                .filter(|v| v.len() >= 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-')
                .collect();
            assert_eq!(dates, [row["period_start"].as_ref().unwrap()]);
        }
    }
);

/// A second process of the same deployment (same key) publishes the answers; one with
/// another key leaves them sealed rather than lose them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_without_the_key_keeps_the_boxes() {
    let (t, clock) = spawn_in_open_period(Backend::Sqlite).await;
    let staff = staff_at(&t, OWN_PRACTICE).await;
    for email in staff.iter().take(5) {
        let client = api_client(&t, email).await;
        let (status, _) = answer(&t, &client, json!({ "answers": [4, 4, 4, 4, 4] })).await;
        assert_eq!(status, 201);
    }
    clock.set(at("2026-11-30"));
    let stranger = app::App::with_clock(t.app.store().clone(), clock.clone());
    assert_eq!(
        stranger
            .wellbeing()
            .close_wellbeing_periods()
            .await
            .unwrap(),
        0
    );
    assert_eq!(count(&t, "wellbeing_pending").await, 5, "kept, not lost");
    let sibling = app::App::with_clock(t.app.store().clone(), clock.clone())
        .with_wellbeing_key(t.app.wellbeing_key().clone());
    assert_eq!(
        sibling.wellbeing().close_wellbeing_periods().await.unwrap(),
        5
    );
    assert_eq!(
        t.app.wellbeing().close_wellbeing_periods().await.unwrap(),
        0,
        "once only"
    );
}
