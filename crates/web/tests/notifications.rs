//! Notifications over HTTP on both databases: written where the event happens, emailed
//! through a real SMTP exchange (a loopback server), read and marked only by their owner;
//! and the training chase: preview, send, history, and no second reminder within the
//! interval.
use super::on_both;
use crate::smtp_capture::SmtpCapture;
use crate::support::*;
use store::Backend;

async fn actor(t: &TestApp, email: &str) -> app::Actor {
    t.app
        .accounts()
        .actor(&t.user(email).await.id)
        .await
        .unwrap()
}

async fn json(client: &reqwest::Client, url: String) -> (u16, serde_json::Value) {
    let r = client.get(url).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or_default())
}

/// Waits up to 10 s for an email to `to` whose headers and body contain `needle`.
async fn email_to(smtp: &SmtpCapture, to: &str, needle: &str) -> crate::smtp_capture::Captured {
    for _ in 0..200 {
        if let Some(m) = smtp
            .messages()
            .into_iter()
            .find(|m| m.to.iter().any(|a| a.contains(to)) && m.data.contains(needle))
        {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "no email to {to} containing {needle:?}: {:?}",
        smtp.messages()
    );
}

async fn test_leave_notifications(t: &TestApp, smtp: &SmtpCapture) {
    let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
    let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
    let staff = t.logged_in(&staff_email).await;
    let pm = t.logged_in(&pm_email).await;

    // Staff ask for sick leave with a note: the managers are told, without either.
    let r = staff
        .post(format!("{}/api/leave", t.base))
        .json(&serde_json::json!({
            "kind": "sick", "start_date": "2027-03-03", "end_date": "2027-03-05",
            "note": "migraine clinic"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let leave: serde_json::Value = r.json().await.unwrap();
    let leave_id = leave["id"].as_str().unwrap().to_string();
    let (status, pm_list) = json(&pm, format!("{}/api/notifications", t.base)).await;
    assert_eq!(status, 200);
    let asked = pm_list
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "leave")
        .expect("the practice manager is told of the request")
        .clone();
    let text = asked["text"].as_str().unwrap();
    assert!(
        text.contains("asked for leave from 3 March 2027 to 5 March 2027"),
        "{text}"
    );
    assert!(
        !text.to_lowercase().contains("sick") && !text.contains("migraine"),
        "{text}"
    );
    assert_eq!(asked["read"], false);
    assert_eq!(asked["link"], format!("/practices/{OWN_PRACTICE}/leave"));
    // The header shows the unread count.
    let page = pm
        .get(format!("{}/practices/{OWN_PRACTICE}", t.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Notifications <span class=\"app-unread\">"),
        "unread count in the header"
    );

    // The manager approves: the person is told in gpteam and by email (SMTP).
    let r = pm
        .post(format!("{}/api/leave/{leave_id}/decision", t.base))
        .json(&serde_json::json!({ "approve": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, list) = json(&staff, format!("{}/api/notifications", t.base)).await;
    let decision = list
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "leave")
        .expect("the person is told of the decision")
        .clone();
    assert!(
        decision["text"]
            .as_str()
            .unwrap()
            .contains("was approved by"),
        "{decision}"
    );
    let mail = email_to(smtp, &staff_email, "was approved by").await;
    assert!(
        mail.header("Subject").unwrap().starts_with("gpteam:"),
        "{}",
        mail.data
    );
    assert!(
        mail.data.contains(&format!("{}/me", t.base)),
        "a link: {}",
        mail.data
    );
    assert!(!mail.data.contains("migraine"));

    // Only the owner reads and marks a notification: someone else's is not found.
    let id = decision["id"].as_str().unwrap();
    let other = pm
        .post(format!("{}/api/notifications/{id}/read", t.base))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    let (_, still) = json(&staff, format!("{}/api/notifications", t.base)).await;
    assert!(
        still
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == id && n["read"] == false)
    );
    let own = staff
        .post(format!("{}/api/notifications/{id}/read", t.base))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 200);
    let read: serde_json::Value = own.json().await.unwrap();
    assert_eq!(read["read"], true);

    // Leave by inbox only: the next decision is not emailed.
    let staff_actor = actor(t, &staff_email).await;
    t.app
        .notifications()
        .set_notification_emails(&staff_actor, &[app::notifications::Kind::Training])
        .await
        .unwrap();
    let second = t
        .app
        .leave()
        .request_leave(
            &staff_actor,
            &domain::leave::LeaveForm {
                kind: "annual".into(),
                start_date: "2027-04-12".into(),
                end_date: "2027-04-12".into(),
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let before = smtp.messages().len();
    t.app
        .leave()
        .decide_leave(&actor(t, &pm_email).await, &second, false)
        .await
        .unwrap();
    let (_, list) = json(&staff, format!("{}/api/notifications", t.base)).await;
    assert!(
        list[0]["text"]
            .as_str()
            .unwrap()
            .contains("on 12 April 2027 was refused"),
        "newest first: {list}"
    );
    t.app
        .notifications()
        .deliver_notification_emails()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        smtp.messages()[before..]
            .iter()
            .all(|m| !m.to.iter().any(|a| a.contains(&staff_email))),
        "no email for a kind chosen as inbox only"
    );
    // Mark all read from the page.
    let token = t.csrf(&staff).await;
    let r = staff
        .post(format!("{}/notifications/read-all", t.base))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, list) = json(&staff, format!("{}/api/notifications", t.base)).await;
    assert!(list.as_array().unwrap().iter().all(|n| n["read"] == true));
}

mod notifications_are_emailed_and_read_only_by_their_owner {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let smtp = SmtpCapture::start();
        let t = spawn_with_smtp(Backend::Sqlite, &smtp.url()).await;
        test_leave_notifications(&t, &smtp).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let smtp = SmtpCapture::start();
        let t = spawn_with_smtp(Backend::Postgres, &smtp.url()).await;
        test_leave_notifications(&t, &smtp).await;
        t.db.cleanup().await.unwrap();
    }
}

on_both!(
    training_chase_previews_sends_and_does_not_repeat_within_the_interval,
    async |t: &TestApp| {
        let pm_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let pm = t.logged_in(&pm_email).await;
        let base = format!("{}/practices/{OWN_PRACTICE}/training", t.base);
        let preview = pm.get(format!("{base}/remind")).send().await.unwrap();
        assert_eq!(preview.status(), 200);
        let page = preview.text().await.unwrap();
        assert!(
            page.contains(
                "Email is off on this server: reminders appear in people&#x27;s gpteam inbox only"
            ) || page.contains(
                "Email is off on this server: reminders appear in people's gpteam inbox only"
            ),
            "{page}"
        );
        assert!(page.contains("within 7 days"), "{page}");
        let plan = t
            .app
            .training()
            .training_chase_preview(
                &actor(t, &pm_email).await,
                app::Tenant::Practice(OWN_PRACTICE),
                None,
            )
            .await
            .unwrap();
        let first = plan
            .to_remind()
            .next()
            .expect("the demo has training to chase")
            .clone();
        assert!(page.contains(&first.name.replace('\'', "&#x27;")) || page.contains(&first.name));
        // Nothing was sent by looking.
        let mut conn = t.app.store().conn().await.unwrap();
        assert!(
            store::training::chase::history(&mut conn, OWN_PRACTICE, 10)
                .await
                .unwrap()
                .is_empty()
        );
        drop(conn);

        let token = t.csrf(&pm).await;
        let sent = pm
            .post(format!("{base}/remind"))
            .form(&[("csrf_token", token.as_str()), ("staff", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 303);
        let history = pm
            .get(format!(
                "{}{}",
                t.base,
                sent.headers()["location"].to_str().unwrap()
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(history.contains("reminded of"), "{history}");
        assert!(history.contains("sent by"), "{history}");
        let people = plan.to_remind().count();
        let mut conn = t.app.store().conn().await.unwrap();
        let rows = store::training::chase::history(&mut conn, OWN_PRACTICE, 1000)
            .await
            .unwrap();
        assert_eq!(
            rows.len(),
            plan.to_remind().map(|l| l.topics.len()).sum::<usize>()
        );
        drop(conn);

        // The person finds it in their inbox, naming the topic.
        let accounts = {
            let mut conn = t.app.store().conn().await.unwrap();
            store::notifications::accounts_of_staff(&mut conn, &first.staff_id)
                .await
                .unwrap()
        };
        let inbox = t
            .app
            .notifications()
            .list(&t.app.accounts().actor(&accounts[0]).await.unwrap())
            .await
            .unwrap();
        let reminder = inbox
            .iter()
            .find(|n| {
                n.kind == app::notifications::Kind::Training && n.text.contains("asks you to renew")
            })
            .expect("the reminder is in the inbox");
        assert!(
            reminder.text.contains(&first.topics[0].title),
            "{}",
            reminder.text
        );

        // Again within the interval: everyone is held back, and sending refuses.
        let again = t
            .app
            .training()
            .training_chase_preview(
                &actor(t, &pm_email).await,
                app::Tenant::Practice(OWN_PRACTICE),
                None,
            )
            .await
            .unwrap();
        assert_eq!(again.to_remind().count(), 0, "{again:?}");
        assert!(
            again
                .lines
                .iter()
                .filter(|l| !l.held_back.is_empty())
                .count()
                >= people
        );
        let page = pm
            .get(format!("{base}/remind"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("reminded "), "{page}");
        let token = t.csrf(&pm).await;
        let refused = pm
            .post(format!("{base}/remind"))
            .form(&[("csrf_token", token.as_str()), ("staff", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 409);

        // Staff cannot chase.
        let staff = t
            .logged_in(&t.login_email("staff", Some(OWN_PRACTICE)).await)
            .await;
        let r = staff.get(format!("{base}/remind")).send().await.unwrap();
        assert!(matches!(r.status().as_u16(), 403 | 404), "{}", r.status());
    }
);

on_both!(
    erasing_a_leaver_takes_their_notifications,
    async |t: &TestApp| {
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let user = t.user(&staff_email).await;
        let id = t.fresh_notification(&staff_email).await;
        let mut conn = t.app.store().conn().await.unwrap();
        store::register::person_data::erase(
            &mut conn,
            user.staff_id.as_deref().unwrap(),
            "Erased person",
        )
        .await
        .unwrap();
        assert!(
            store::notifications::get_own(&mut conn, &user.id, &id)
                .await
                .unwrap()
                .is_none()
        );
    }
);
