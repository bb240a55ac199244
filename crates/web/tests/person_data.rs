//! A person's data over HTTP on both databases: the export zip holds their records and
//! never a secret; erasing a leaver leaves their name, email, phone and notes nowhere.
use super::on_both;
use crate::support::*;
use std::io::Read;
use store::Backend;

const NAME: &str = "Zebedee Quillfeather";
const PHONE: &str = "07700900461";
const NOTE: &str = "Migraine clinic referral";

/// Every table and text column still holding `needle`.
async fn mentions(t: &TestApp, needle: &str) -> Vec<(String, String, i64)> {
    let mut conn = t.app.store().conn().await.unwrap();
    store::register::person_data::mentions(&mut conn, t.app.store().backend(), needle)
        .await
        .unwrap()
}

/// The person's record through the API, changed by `change`, saved by the manager.
async fn edit(
    t: &TestApp,
    pm: &reqwest::Client,
    id: &str,
    change: impl Fn(&mut serde_json::Value),
) {
    let (status, mut dto) = get_json(t, pm, &format!("/api/staff/{id}")).await;
    assert_eq!(status, 200, "{dto}");
    change(&mut dto);
    let r = pm
        .put(format!("{}/api/staff/{id}", t.base))
        .json(&dto)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

fn zip_files(bytes: Vec<u8>) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = Vec::new();
            file.read_to_end(&mut text).unwrap();
            (
                file.name().unwrap().to_string(),
                String::from_utf8_lossy(&text).into_owned(),
            )
        })
        .collect()
}

on_both!(
    a_leavers_data_is_exported_and_then_erased_everywhere,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let id = t.own_staff().await;
        edit(t, &pm, &id, |dto| {
            dto["name"] = NAME.into();
            dto["phone"] = PHONE.into();
        })
        .await;
        let (_, dto) = get_json(t, &pm, &format!("/api/staff/{id}")).await;
        let email = dto["email"]
            .as_str()
            .expect("the demo person has an email")
            .to_string();

        // Their own account (the demo's, or a new one), with which they ask for sick
        // leave giving a reason.
        let mut conn = t.app.store().conn().await.unwrap();
        let existing = store::accounts::find_by_email(&mut conn, &email)
            .await
            .unwrap();
        drop(conn);
        if existing.is_none() {
            let mut tx = t.app.store().begin().await.unwrap();
            let user = store::accounts::UserRecord {
                id: store::new_id(),
                email: email.clone(),
                password_hash: app::accounts::login::hash_password(PASSWORD).unwrap(),
                role: domain::account::UserRole::Staff,
                org_code: OWN_PRACTICE.into(),
                staff_id: Some(id.clone()),
                display_name: NAME.into(),
                demo: false,
                disabled: false,
                last_login_at: None,
                session_epoch: 0,
            };
            store::accounts::insert(&mut tx, &user, "2026-11-01T09:00:00Z")
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let me = t.logged_in(&email).await;
        let (status, body) = post_json(
            t,
            &me,
            "/api/leave",
            serde_json::json!({ "kind": "sick", "start_date": "2026-10-01", "end_date": "2026-10-02", "note": NOTE }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        t.fresh_training_record(&id).await;
        // Two certificates (ids made in the same millisecond share their first characters).
        t.fresh_evidence(&id).await;
        t.fresh_evidence(&id).await;

        // Not a leaver yet: erasure is refused by name and changes nothing.
        let (status, page) = get(t, &pm, &format!("/staff/{id}/erase")).await;
        assert_eq!(status, 422);
        assert!(page.contains("has no end date"), "{page}");
        let (status, _, page) =
            post_form(t, &pm, &format!("/staff/{id}/erase"), &[("confirm", "yes")]).await;
        assert_eq!(status, 422, "{page}");
        assert!(!mentions(t, NAME).await.is_empty());

        // The export, as their manager: every table, the certificate, never a secret or
        // a coaching note.
        let r = pm
            .get(format!("{}/staff/{id}/export", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/zip");
        let files = zip_files(r.bytes().await.unwrap().to_vec());
        let file = |name: &str| {
            files
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| {
                    panic!(
                        "{name} in {:?}",
                        files.iter().map(|f| &f.0).collect::<Vec<_>>()
                    )
                })
                .1
                .clone()
        };
        assert!(file("staff.json").contains(NAME));
        assert!(file("staff.csv").contains(PHONE));
        assert!(file("leave_requests.json").contains(NOTE));
        assert!(file("account.json").contains(&email));
        assert!(file("training_records.csv").lines().count() >= 2);
        assert!(
            file("audit_log.json").contains(NAME),
            "the update's before and after"
        );
        assert!(file("README.txt").contains(NAME));
        assert_eq!(
            files
                .iter()
                .filter(|(n, text)| n.starts_with("evidence/") && text.starts_with("%PDF"))
                .count(),
            2,
            "the certificates themselves"
        );
        assert!(files.iter().all(|(n, text)| !text.contains("password_hash")
            && !text.contains("$argon2")
            && n != "coaching_notes.json"));
        let (status, _) = get(t, &me, &format!("/api/staff/{id}/export")).await;
        assert_eq!(status, 200, "the person may export their own data");

        // They leave; once the end date has passed their manager erases them.
        let yesterday = t.app.today().pred_opt().unwrap();
        edit(t, &pm, &id, |dto| {
            dto["end_date"] = yesterday.to_string().into();
        })
        .await;
        let (status, page) = get(t, &pm, &format!("/staff/{id}/erase")).await;
        assert_eq!(status, 200);
        assert!(page.contains(&format!("Erase {NAME}")), "{page}");
        for needle in [NAME, email.as_str(), PHONE, NOTE] {
            assert!(
                !mentions(t, needle).await.is_empty(),
                "{needle} is held before"
            );
        }
        let (status, location, _) =
            post_form(t, &pm, &format!("/staff/{id}/erase"), &[("confirm", "yes")]).await;
        assert_eq!(status, 303);
        assert_eq!(
            location,
            format!("/practices/{OWN_PRACTICE}/staff?done=erased")
        );

        for needle in [NAME, email.as_str(), PHONE, NOTE] {
            assert_eq!(mentions(t, needle).await, vec![], "{needle} is left");
        }
        let (_, dto) = get_json(t, &pm, &format!("/api/staff/{id}")).await;
        assert!(
            dto["name"].as_str().unwrap().starts_with("Erased person "),
            "{dto}"
        );
        assert_eq!(
            dto["end_date"],
            yesterday.to_string().as_str(),
            "the contract stays"
        );
        let mut conn = t.app.store().conn().await.unwrap();
        assert!(
            store::register::person_data::evidence(&mut conn, &id)
                .await
                .unwrap()
                .is_empty()
        );
        drop(conn);

        // The trail keeps every change without its content, and the erasure itself.
        let (_, body) = get_json(t, &pm, &format!("/api/audit?person={id}")).await;
        let rows = body["rows"].as_array().unwrap();
        assert!(rows.len() >= 3, "{body}");
        assert_eq!(rows[0]["action"], "erased");
        assert!(
            rows.iter()
                .all(|r| r["before"].is_null() && r["after"].is_null()),
            "{body}"
        );

        // Their account no longer logs in, and their old session has ended.
        let (status, _) = get(t, &me, "/api/me").await;
        assert_eq!(status, 401);
        let client = TestApp::client();
        let token = t.csrf(&client).await;
        let r = client
            .post(format!("{}/login", t.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
);
