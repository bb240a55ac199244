//! Wellbeing over HTTP: answering the check-in (once a period, bad answers named, nothing
//! stored on error), results of a closed period only and withheld below the threshold, and
//! the settings. The proofs that an answer cannot be joined back to the person are in
//! `wellbeing_anonymity`.
use super::on_both;
use crate::support::*;
use app::clock::Clock;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use store::Backend;

/// Demo staff log-ins at a practice (role `staff`), in listing order.
pub(crate) async fn staff_at(t: &TestApp, ods: &str) -> Vec<String> {
    t.app
        .demo()
        .demo_logins()
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.role == "staff" && l.organisation == ods)
        .map(|l| l.email)
        .collect()
}

pub(crate) async fn api_client(t: &TestApp, email: &str) -> reqwest::Client {
    let client = TestApp::client();
    let r = client
        .post(format!("{}/api/login", t.base))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "log in as {email}");
    client
}

pub(crate) async fn answer(t: &TestApp, client: &reqwest::Client, body: Value) -> (u16, Value) {
    let r = client
        .post(format!("{}/api/checkins", t.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn count(t: &TestApp, table: &str) -> usize {
    store::testing::rows_as_text(&t.app.store().clone(), table)
        .await
        .unwrap()
        .len()
}

/// 09:00 UTC on a day: Monday 23 November 2026 is in the period 2 to 29 November 2026
/// (4-week periods from 1 January 2024), whose results appear on 30 November.
pub(crate) fn at(day: &str) -> DateTime<Utc> {
    format!("{day}T09:00:00Z").parse().unwrap()
}

/// The application on 23 November 2026, with a clock the test moves.
pub(crate) async fn spawn_in_open_period(backend: Backend) -> (TestApp, Clock) {
    let clock = Clock::fixed(at("2026-11-23"));
    (spawn_at(backend, clock.clone()).await, clock)
}

pub(crate) fn last_period(report: &Value) -> Value {
    report["periods"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone()
}

/// Runs one async test body on both databases, on 23 November 2026 with a movable clock.
macro_rules! on_both_in_open_period {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (t, clock) = spawn_in_open_period(Backend::Sqlite).await;
                ($body)(&t, &clock).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let (t, clock) = spawn_in_open_period(Backend::Postgres).await;
                ($body)(&t, &clock).await;
                t.db.cleanup().await.unwrap();
            }
        }
    };
}
pub(crate) use on_both_in_open_period;

on_both_in_open_period!(
    checkins_are_answered_once_and_shown_only_after_the_close,
    async |t: &TestApp, clock: &Clock| {
        let staff = staff_at(t, OWN_PRACTICE).await;
        assert!(
            staff.len() >= 6,
            "the demo practice has enough staff log-ins"
        );
        let report_path = format!("/api/practices/{OWN_PRACTICE}/wellbeing");
        let pm = api_client(
            t,
            &t.login_email("practice_manager", Some(OWN_PRACTICE)).await,
        )
        .await;
        // The demo's closed periods are there to see; the open one is not.
        let (_, before) = get_json(t, &pm, &report_path).await;
        assert_eq!(before["open_period"]["period_start"], "2026-11-02");
        assert_eq!(before["open_period"]["results_from"], "2026-11-30");
        let demo_last = last_period(&before);
        assert_eq!(demo_last["period_start"], "2026-10-05");
        assert_eq!(demo_last["withheld"], false, "{demo_last}");
        assert!(demo_last["responses"].as_u64().unwrap() >= 5);
        let results_before = count(t, "wellbeing_answers").await;

        let first = api_client(t, &staff[0]).await;
        let (_, current) = get_json(t, &first, "/api/checkins/current").await;
        assert_eq!(current["questions"].as_array().unwrap().len(), 5);
        assert_eq!(current["answered"], false);
        assert_eq!(current["threshold"], 5);

        // Bad answers: each named by field, nothing stored.
        let (status, body) = answer(
            t,
            &first,
            json!({ "answers": [6, null, 3, 4, 5], "comment": "x" }),
        )
        .await;
        assert_eq!(status, 422);
        let fields: Vec<&str> = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["q1", "q2"], "{body}");
        assert_eq!(count(t, "wellbeing_pending").await, 0);
        assert_eq!(count(t, "wellbeing_answered").await, 0);

        // Four answer, then a fifth: all sealed, none of it shown while the period is open.
        for (i, email) in staff.iter().take(4).enumerate() {
            let client = api_client(t, email).await;
            let (status, body) = answer(
                t,
                &client,
                json!({ "answers": [4, 4, 3, 5, 4], "comment": format!("Comment {i}") }),
            )
            .await;
            assert_eq!(status, 201, "{body}");
        }
        // A second answer in the period: 409, nothing more stored.
        let (status, body) = answer(t, &first, json!({ "answers": [1, 1, 1, 1, 1] })).await;
        assert_eq!(status, 409, "{body}");
        assert!(body["error"].as_str().unwrap().contains("already answered"));
        assert_eq!(count(t, "wellbeing_pending").await, 4);
        let fifth = api_client(t, &staff[4]).await;
        let (status, _) = answer(t, &fifth, json!({ "answers": [2, 3, 3, 3, 3] })).await;
        assert_eq!(status, 201);
        assert_eq!(count(t, "wellbeing_pending").await, 5);
        assert_eq!(count(t, "wellbeing_answers").await, results_before);
        let (_, during) = get_json(t, &pm, &report_path).await;
        assert_eq!(
            during, before,
            "an open period changes nothing a manager sees"
        );

        // The period closes: its answers are published once, in one go.
        clock.set(at("2026-11-30"));
        // Weeks later: a new log-in (a session lasts 12 hours).
        let pm = api_client(
            t,
            &t.login_email("practice_manager", Some(OWN_PRACTICE)).await,
        )
        .await;
        let (_, after) = get_json(t, &pm, &report_path).await;
        assert_eq!(after["open_period"]["period_start"], "2026-11-30");
        let closed = last_period(&after);
        assert_eq!(closed["period_start"], "2026-11-02");
        assert_eq!(closed["period_end"], "2026-11-29");
        assert_eq!(closed["responses"], 5);
        assert_eq!(closed["withheld"], false);
        assert_eq!(closed["results"]["questions"][0]["mean"], 3.6);
        assert_eq!(
            closed["results"]["questions"][0]["counts"],
            json!([0, 1, 0, 4, 0])
        );
        // Comments: plain text, alphabetical, dated by the period alone.
        assert_eq!(
            closed["comments"],
            json!(["Comment 0", "Comment 1", "Comment 2", "Comment 3"])
        );
        assert_eq!(count(t, "wellbeing_pending").await, 0);
        assert_eq!(count(t, "wellbeing_answers").await, results_before + 5);
        let (_, again) = get_json(t, &pm, &report_path).await;
        assert_eq!(again, after, "published once");
        let page = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let (status, html) = get(t, &page, &format!("/practices/{OWN_PRACTICE}/wellbeing")).await;
        assert_eq!(status, 200);
        assert!(html.contains("Last closed period: 2 November to 29 November 2026"));
        assert!(html.contains("Comments, 2 November to 29 November 2026"));
        assert!(html.contains("<li>Comment 3</li>"));

        // The other tenant's manager sees nothing of it.
        let other = api_client(t, &t.other.manager_email).await;
        let (status, _) = get(t, &other, &report_path).await;
        assert_eq!(status, 403);
    }
);

on_both!(
    check_in_settings_refuse_a_threshold_below_five,
    async |t: &TestApp| {
        let pcn = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let token = t.csrf(&pcn).await;
        let r = pcn
            .post(format!("{}/pcns/{OWN_PCN}/wellbeing/settings", t.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("questions", "I can take my breaks\nI feel valued"),
                ("period_weeks", "2"),
                ("threshold", "3"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("href=\"#threshold\""),
            "the error links to the field"
        );
        assert!(page.contains("5 or more people"));
        let r = pcn
            .post(format!("{}/pcns/{OWN_PCN}/wellbeing/settings", t.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("questions", "I can take my breaks\nI feel valued"),
                ("period_weeks", "2"),
                ("threshold", "6"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let staff = staff_at(t, OWN_PRACTICE).await;
        let client = api_client(t, &staff[0]).await;
        let (_, current) = get_json(t, &client, "/api/checkins/current").await;
        assert_eq!(current["questions"].as_array().unwrap().len(), 2);
        assert_eq!(current["period_weeks"], 2);
        assert_eq!(current["threshold"], 6);
        // A third answer for a two-question check-in is named.
        let (status, body) = answer(t, &client, json!({ "answers": [3, 4, 5] })).await;
        assert_eq!(status, 422);
        assert_eq!(body["fields"][0]["field"], "q3");
    }
);
