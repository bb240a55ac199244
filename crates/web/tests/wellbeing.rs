//! Wellbeing over HTTP: answering the check-in (once a period, bad answers named, nothing
//! stored on error), the report withheld below the threshold, and the proof that an answer
//! cannot be joined back to the person who gave it.
use super::on_both;
use crate::support::*;
use serde_json::{Value, json};
use store::Backend;

/// Demo staff log-ins at a practice (role `staff`), in listing order.
async fn staff_at(t: &TestApp, ods: &str) -> Vec<String> {
    t.app
        .demo_logins()
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.role == "staff" && l.organisation == ods)
        .map(|l| l.email)
        .collect()
}

async fn api_client(t: &TestApp, email: &str) -> reqwest::Client {
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

async fn answer(t: &TestApp, client: &reqwest::Client, body: Value) -> (u16, Value) {
    let r = client
        .post(format!("{}/api/checkins", t.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn count(t: &TestApp, table: &str) -> usize {
    store::testing::rows_as_text(&t.app.store().clone(), table)
        .await
        .unwrap()
        .len()
}

on_both!(
    checkins_are_answered_once_and_reported_only_from_five,
    async |t: &TestApp| {
        let staff = staff_at(t, OWN_PRACTICE).await;
        assert!(
            staff.len() >= 6,
            "the demo practice has enough staff log-ins"
        );
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
        assert_eq!(count(t, "wellbeing_answers").await, 0);
        assert_eq!(count(t, "wellbeing_answered").await, 0);

        // Four answer: withheld.
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
        assert_eq!(count(t, "wellbeing_answers").await, 4);

        let pm = api_client(
            t,
            &t.login_email("practice_manager", Some(OWN_PRACTICE)).await,
        )
        .await;
        let (_, report) =
            get_json(t, &pm, &format!("/api/practices/{OWN_PRACTICE}/wellbeing")).await;
        assert_eq!(report["responses"], 4);
        assert_eq!(report["withheld"], true);
        assert!(report.get("results").is_none());
        let last = report["periods"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["comments"].as_array().unwrap().len(), 0);

        // The fifth: shown, with the comments.
        let fifth = api_client(t, &staff[4]).await;
        assert_eq!(
            answer(t, &fifth, json!({ "answers": [2, 3, 3, 3, 3] }))
                .await
                .0,
            201
        );
        let (_, report) =
            get_json(t, &pm, &format!("/api/practices/{OWN_PRACTICE}/wellbeing")).await;
        assert_eq!(report["responses"], 5);
        assert_eq!(report["withheld"], false);
        assert_eq!(report["results"]["questions"][0]["mean"], 3.6);
        let last = report["periods"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(last["comments"].as_array().unwrap().len(), 4);

        // The other tenant's manager sees nothing of it.
        let other = api_client(t, &t.other.manager_email).await;
        let (status, _) = get(
            t,
            &other,
            &format!("/api/practices/{OWN_PRACTICE}/wellbeing"),
        )
        .await;
        assert_eq!(status, 403);
    }
);

on_both!(
    an_answer_cannot_be_joined_back_to_the_person,
    async |t: &TestApp| {
        let staff = staff_at(t, OWN_PRACTICE).await;
        let mut people = Vec::new();
        for (email, scores) in [(&staff[0], [1, 2, 3, 4, 5]), (&staff[1], [5, 4, 3, 2, 1])] {
            let client = api_client(t, email).await;
            let (status, body) = answer(
                t,
                &client,
                json!({ "answers": scores, "comment": format!("From {}", scores[0]) }),
            )
            .await;
            assert_eq!(status, 201, "{body}");
            let user = t.user(email).await;
            let person = t
                .app
                .get_staff(
                    &t.app.actor(&user.id).await.unwrap(),
                    user.staff_id.as_deref().unwrap(),
                )
                .await
                .unwrap();
            people.push((user, person));
        }
        let answers = store::testing::rows_as_text(t.app.store(), "wellbeing_answers")
            .await
            .unwrap();
        let markers = store::testing::rows_as_text(t.app.store(), "wellbeing_answered")
            .await
            .unwrap();
        let audit = store::testing::rows_as_text(t.app.store(), "audit_log")
            .await
            .unwrap();
        assert_eq!(answers.len(), 2);
        assert_eq!(markers.len(), 2);
        // Nothing in an answer row names either person or account.
        for row in &answers {
            for (user, person) in &people {
                for identifying in [
                    &user.id,
                    &user.email,
                    &person.id,
                    &person.draft.name,
                    person.draft.email.as_ref().unwrap(),
                ] {
                    assert!(
                        !row.values()
                            .any(|v| v.as_deref() == Some(identifying.as_str())),
                        "an answer row holds {identifying}"
                    );
                }
            }
            // No time finer than the period: the only date is the period's first day.
            let dates: Vec<&String> = row
                .values()
                .flatten()
                .filter(|v| v.len() >= 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-')
                .collect();
            assert_eq!(dates, [row["period_start"].as_ref().unwrap()]);
        }
        // Both answers share every column but the random id, the scores and the comment:
        // nothing separates one person's row from the other's but what they answered.
        for column in ["questionnaire_id", "period_start", "practice_ods"] {
            assert_eq!(answers[0][column], answers[1][column]);
        }
        // The marker and the audit trail hold no answer id, score or comment.
        let answer_ids: Vec<&String> = answers.iter().map(|r| r["id"].as_ref().unwrap()).collect();
        for row in markers.iter().chain(&audit) {
            for value in row.values().flatten() {
                for id in &answer_ids {
                    assert!(!value.contains(id.as_str()), "{value} names an answer");
                }
                assert!(!value.contains("From "), "{value} holds a comment");
            }
        }
        let answered: Vec<&std::collections::BTreeMap<String, Option<String>>> = audit
            .iter()
            .filter(|r| r["entity"].as_deref() == Some("wellbeing_checkin"))
            .collect();
        assert_eq!(answered.len(), 2, "each answer is audited as 'answered'");
        for row in answered {
            let after: Value = serde_json::from_str(row["after_json"].as_ref().unwrap()).unwrap();
            assert_eq!(
                after.as_object().unwrap().len(),
                1,
                "only the period: {after}"
            );
        }
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
