//! The web application over real HTTP, on SQLite and PostgreSQL: log-in, the main
//! journeys, the JSON API, and the access matrix of every route × role × tenant.
mod access_matrix;
mod accounts;
mod arrs;
mod audit;
mod authorise_first;
mod demand;
mod development;
mod estates;
mod evidence_pack;
mod guard;
mod imports;
mod input_limits;
mod leave_balance;
mod leavers;
mod notifications;
mod organisations;
mod payments;
mod person_data;
mod rota;
mod rota_api;
mod rota_cover;
mod rota_pdf;
mod rota_queue;
mod rota_seen;
mod rota_setup;
mod rota_stale;
mod session_requests;
mod sign_in;
#[path = "../../gpteam/tests/support/smtp_capture.rs"]
mod smtp_capture;
mod staff_emails;
mod support;
mod two_factor;
mod wellbeing;
mod wellbeing_anonymity;

use store::Backend;
use support::*;

/// Runs one async test body on both databases.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = spawn(Backend::Sqlite).await;
                ($body)(&t).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = spawn(Backend::Postgres).await;
                ($body)(&t).await;
                t.db.cleanup().await.unwrap();
            }
        }
    };
}
pub(crate) use on_both;

on_both!(log_in_wrong_password_and_log_out, async |t: &TestApp| {
    let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
    let client = TestApp::client();
    let token = t.csrf(&client).await;
    let wrong = client
        .post(format!("{}/login", t.base))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email.as_str()),
            ("password", "wrong password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let page = wrong.text().await.unwrap();
    assert!(
        page.contains("email address or password is not correct"),
        "{page}"
    );
    assert!(
        page.contains(&format!("value=\"{email}\"")),
        "the email is kept"
    );

    let client = t.logged_in(&email).await;
    let home = client.get(format!("{}/", t.base)).send().await.unwrap();
    assert_eq!(
        home.headers()["location"],
        format!("/practices/{OWN_PRACTICE}")
    );
    let (status, _) = get(t, &client, &format!("/practices/{OWN_PRACTICE}")).await;
    assert_eq!(status, 200);
    let token = t.csrf(&client).await;
    let out = client
        .post(format!("{}/logout", t.base))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    let after = client
        .get(format!("{}/practices/{OWN_PRACTICE}", t.base))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "logged out: back to the log-in page");
    assert!(
        after.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
});

on_both!(
    ten_failed_log_ins_in_a_minute_are_refused,
    async |t: &TestApp| {
        let email = t.login_email("staff", None).await;
        let client = TestApp::client();
        let token = t.csrf(&client).await;
        for _ in 0..10 {
            let r = client
                .post(format!("{}/login", t.base))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("email", email.as_str()),
                    ("password", "guess"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 401);
        }
        let right = client
            .post(format!("{}/login", t.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            right.status(),
            429,
            "even the right password waits after 10 failures"
        );
        let api = TestApp::client()
            .post(format!("{}/api/login", t.base))
            .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), 429);
    }
);

on_both!(
    a_csrf_token_belongs_to_one_session_and_is_replaced_at_sign_in,
    async |t: &TestApp| {
        let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        // The token the sign-in page showed before signing in.
        let client = TestApp::client();
        let before = t.csrf(&client).await;
        let r = client
            .post(format!("{}/login", t.base))
            .form(&[
                ("csrf_token", before.as_str()),
                ("email", email.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let add_site = async |client: &reqwest::Client, token: &str, name: &str| {
            client
                .post(format!("{}/practices/{OWN_PRACTICE}/sites", t.base))
                .form(&[("name", name), ("csrf_token", token)])
                .send()
                .await
                .unwrap()
                .status()
        };
        assert_eq!(add_site(&client, &before, "Before sign-in").await, 403);
        // Another signed-in session's token is refused too.
        let other = t.logged_in(&email).await;
        let others_token = t.csrf(&other).await;
        assert_ne!(others_token, before);
        assert_eq!(add_site(&client, &others_token, "Other session").await, 403);
        // This session's own token, from a page after signing in, is taken.
        let after = t.csrf(&client).await;
        assert_ne!(after, before);
        assert_eq!(add_site(&client, &after, "After sign-in").await, 303);
        assert_eq!(add_site(&other, &others_token, "Other's own").await, 303);
    }
);

on_both!(
    a_form_without_its_csrf_token_is_refused,
    async |t: &TestApp| {
        let client = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let r = client
            .post(format!("{}/practices/{OWN_PRACTICE}/sites", t.base))
            .form(&[("name", "Sneaky site")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = client
            .post(format!("{}/practices/{OWN_PRACTICE}/sites", t.base))
            .form(&[("name", "Sneaky site"), ("csrf_token", "forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let sites = t
            .app
            .sites()
            .list_sites(
                &t.app
                    .accounts()
                    .actor(
                        &t.user(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
                            .await
                            .id,
                    )
                    .await
                    .unwrap(),
                OWN_PRACTICE,
            )
            .await
            .unwrap();
        assert!(sites.iter().all(|s| s.site.site.name != "Sneaky site"));
    }
);

on_both!(
    add_a_person_with_a_mistake_then_fix_it,
    async |t: &TestApp| {
        let pm = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let client = t.logged_in(&pm).await;
        let token = t.csrf(&client).await;
        let mut form = vec![
            ("csrf_token", token.clone()),
            ("name", "Dr Robin Testwell".to_string()),
            ("email", "robin.testwell@riverside.example".to_string()),
            ("role", "salaried_gp".to_string()),
            ("employer", "practice".to_string()),
            ("employer_code", OWN_PRACTICE.to_string()),
            ("wte", "2".to_string()),
            ("sessions_per_week", "6".to_string()),
            ("practices", OWN_PRACTICE.to_string()),
            ("skills", "minor surgery".to_string()),
            ("start_date", "2026-12-01".to_string()),
            ("end_date", String::new()),
        ];
        let bad = client
            .post(format!("{}/practices/{OWN_PRACTICE}/staff", t.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 422);
        let page = bad.text().await.unwrap();
        assert!(
            page.contains("nhsuk-error-summary"),
            "the NHS error summary is shown"
        );
        assert!(
            page.contains("href=\"#wte\""),
            "the summary links to the field"
        );
        assert!(page.contains("WTE must be more than 0 and at most 1.5"));
        assert!(
            page.contains("value=\"Dr Robin Testwell\""),
            "what the user typed is kept"
        );
        form[6].1 = "0.7".into();
        let good = client
            .post(format!("{}/practices/{OWN_PRACTICE}/staff", t.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(good.status(), 303);
        let (_, list) = get(
            t,
            &client,
            &format!("/practices/{OWN_PRACTICE}/staff?q=testwell"),
        )
        .await;
        assert!(list.contains("Dr Robin Testwell"));
        assert!(list.contains("1 person"));
        // The same email again is refused beside the field.
        let again = client
            .post(format!("{}/practices/{OWN_PRACTICE}/staff", t.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 422);
        assert!(
            again
                .text()
                .await
                .unwrap()
                .contains("already used by another person")
        );
        // Audit row for the change.
        let mut conn = t.app.store().conn().await.unwrap();
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.into()], 50)
            .await
            .unwrap();
        assert!(audit.iter().any(|a| a.entity == "staff"
            && a.action == "created"
            && a.user_email.as_deref() == Some(pm.as_str())));
    }
);

on_both!(
    staff_request_leave_and_the_manager_approves_it,
    async |t: &TestApp| {
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let staff = t.logged_in(&staff_email).await;
        let token = t.csrf(&staff).await;
        let bad = staff
            .post(format!("{}/me/leave", t.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("kind", "annual"),
                ("start_date", "2027-03-10"),
                ("end_date", "2027-03-01"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 422);
        assert!(
            bad.text()
                .await
                .unwrap()
                .contains("is before the first day")
        );
        let ok = staff
            .post(format!("{}/me/leave", t.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("kind", "annual"),
                ("start_date", "2027-03-01"),
                ("end_date", "2027-03-05"),
                ("note", "Half term"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 303);
        let (_, mine) = get_json(t, &staff, "/api/leave").await;
        let request = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["start_date"] == "2027-03-01")
            .expect("the request")
            .clone();
        assert_eq!(request["status"], "requested");

        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let (_, page) = get(t, &pm, &format!("/practices/{OWN_PRACTICE}/leave")).await;
        assert!(page.contains(request["id"].as_str().unwrap()));
        let token = t.csrf(&pm).await;
        let id = request["id"].as_str().unwrap();
        let decided = pm
            .post(format!("{}/leave/{id}/decision", t.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("decision", "approve"),
                ("back", &format!("/practices/{OWN_PRACTICE}/leave")),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(decided.status(), 303);
        let (_, mine) = get_json(t, &staff, "/api/leave").await;
        let request = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap();
        assert_eq!(request["status"], "approved");
        // A staff member cannot decide.
        let token = t.csrf(&staff).await;
        let refused = staff
            .post(format!("{}/leave/{id}/decision", t.base))
            .form(&[("csrf_token", token.as_str()), ("decision", "refuse")])
            .send()
            .await
            .unwrap();
        assert!(matches!(refused.status().as_u16(), 403 | 404));
    }
);

on_both!(
    the_ics_viewer_sees_counts_and_no_names,
    async |t: &TestApp| {
        let ics = t.logged_in(&t.login_email("ics_viewer", None).await).await;
        let (status, page) = get(t, &ics, "/system").await;
        assert_eq!(status, 200);
        let (_, pcn) = get_json(t, &ics, &format!("/api/pcns/{OWN_PCN}")).await;
        assert!(
            pcn["team"].is_null(),
            "no PCN team by name for the ICS viewer"
        );
        assert!(pcn["headcount"].as_u64().unwrap() >= 45);
        let mut conn = t.app.store().conn().await.unwrap();
        let everyone = store::register::list(
            &mut conn,
            store::register::StaffScope::Pcn(OWN_PCN),
            &Default::default(),
        )
        .await
        .unwrap();
        let pcn_text = pcn.to_string();
        for person in &everyone {
            assert!(
                !page.contains(&person.draft.name),
                "{} is named on the system page",
                person.draft.name
            );
            assert!(!pcn_text.contains(&person.draft.name));
        }
        for path in [
            format!("/practices/{OWN_PRACTICE}/staff"),
            format!("/api/practices/{OWN_PRACTICE}/staff"),
            format!("/staff/{}", everyone[0].id),
        ] {
            let (status, _) = get(t, &ics, &path).await;
            assert!(matches!(status, 403 | 404), "{path}: {status}");
        }
    }
);

on_both!(json_api_login_resources_and_tenancy, async |t: &TestApp| {
    let api = TestApp::client();
    let (status, _) = get(t, &api, "/api/practices").await;
    assert_eq!(status, 401);
    let email = t.login_email("pcn_manager", None).await;
    let login = api
        .post(format!("{}/api/login", t.base))
        .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let (_, practices) = get_json(t, &api, "/api/practices").await;
    let practices = practices.as_array().unwrap();
    assert_eq!(practices.len(), 3);
    for p in practices {
        for key in ["ods_code", "name", "postcode", "list_size"] {
            assert!(p.get(key).is_some(), "{key} in {p}");
        }
    }
    let (_, staff) = get_json(t, &api, &format!("/api/practices/{OWN_PRACTICE}/staff")).await;
    assert!(staff.as_array().unwrap().len() >= 10);
    let created = api
        .post(format!("{}/api/practices/{OWN_PRACTICE}/staff", t.base))
        .json(&serde_json::json!({ "name": "Alex Apiperson", "email": "alex.api@riverside.example", "role": "practice_nurse",
            "wte": 0.5, "sessions_per_week": 4.5, "start_date": "2026-12-01" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.unwrap();
    assert_eq!(created["staff_group"], "nurses");
    let invalid = api
        .post(format!("{}/api/practices/{OWN_PRACTICE}/staff", t.base))
        .json(&serde_json::json!({ "name": "", "role": "wizard", "wte": 3, "start_date": "soon" }))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 422);
    let body: serde_json::Value = invalid.json().await.unwrap();
    let fields: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"role")
            && fields.contains(&"wte")
            && fields.contains(&"name")
            && fields.contains(&"start_date"),
        "{body}"
    );
    // Another tenant's data answers 403 or 404 and reveals nothing.
    for path in [
        format!("/api/practices/{OTHER_PRACTICE}/staff"),
        format!("/api/pcns/{OTHER_PCN}"),
        format!("/api/staff/{}", t.other.staff_id),
    ] {
        let (status, body) = get(t, &api, &path).await;
        assert!(matches!(status, 403 | 404), "{path}");
        assert!(!body.contains("Elsewhere"));
    }
    let (_, pcn) = get_json(t, &api, &format!("/api/pcns/{OWN_PCN}")).await;
    assert_eq!(pcn["practices"].as_array().unwrap().len(), 3);
    assert!(!pcn["team"].as_array().unwrap().is_empty());
    let out = api
        .post(format!("{}/api/logout", t.base))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(get(t, &api, "/api/practices").await.0, 401);
});

on_both!(openapi_document_lists_the_api, async |t: &TestApp| {
    let doc: serde_json::Value = reqwest::get(format!("{}/api/openapi.json", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/health",
        "/api/login",
        "/api/logout",
        "/api/practices",
        "/api/practices/{ods}/staff",
        "/api/leave",
        "/api/pcns/{code}",
        "/api/checkins/current",
        "/api/checkins",
        "/api/practices/{ods}/wellbeing",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(paths["/api/practices/{ods}/staff"].get("post").is_some());
    assert!(paths["/api/leave"].get("post").is_some());
    let health = reqwest::get(format!("{}/health", t.base)).await.unwrap();
    assert_eq!(health.status(), 200);
});

on_both!(
    import_a_staff_file_with_a_bad_row_changes_nothing,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let before = t.app.demo().demo_logins().await.unwrap().len();
        let header = import::STAFF_HEADER.join(",");
        let csv = format!(
            "{header}\nJo Good,jo.good@riverside.example,,receptionist,practice,{OWN_PRACTICE},0.8,7,,2026-01-05,,{OWN_PRACTICE}\nBad Row,bad.row@riverside.example,,receptionist,practice,{OWN_PRACTICE},9,7,,2026-01-05,,{OWN_PRACTICE}\n"
        );
        let token = t.csrf(&pm).await;
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", token)
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.into_bytes())
                    .file_name("team.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
        let r = pm
            .post(format!("{}/import/staff", t.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let result = r.headers()["location"].to_str().unwrap().to_string();
        let (status, page) = get(t, &pm, &result).await;
        assert_eq!(status, 422);
        assert!(
            page.contains("Row 3, Bad Row, WTE"),
            "row-level error: {page}"
        );
        let (_, list) = get(
            t,
            &pm,
            &format!("/practices/{OWN_PRACTICE}/staff?q=jo.good"),
        )
        .await;
        assert!(
            !list.contains("Jo Good"),
            "the good row was not stored either"
        );
        assert_eq!(t.app.demo().demo_logins().await.unwrap().len(), before);
    }
);

on_both!(
    an_upload_over_20_mb_is_refused_naming_the_file,
    async |t: &TestApp| {
        let pm = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let token = t.csrf(&pm).await;
        // Over the importers' 20 MB (a body over 40 MB is refused before it is read).
        let big = vec![b'a'; 25 * 1024 * 1024];
        let form = reqwest::multipart::Form::new()
            .text("csrf_token", token)
            .part(
                "file",
                reqwest::multipart::Part::bytes(big)
                    .file_name("huge.csv")
                    .mime_str("text/csv")
                    .unwrap(),
            );
        let r = pm
            .post(format!("{}/import/staff", t.base))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413);
        let page = r.text().await.unwrap();
        assert!(
            page.replace("&#39;", "'")
                .contains("'huge.csv' is larger than 20 MB: files up to 20 MB can be imported"),
            "{page}"
        );
    }
);
