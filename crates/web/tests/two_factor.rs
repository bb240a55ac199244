//! Two-factor sign-in over HTTP: setting it up, logging in with a code and with a recovery
//! code (each once), the API's log-in, turning it off, and the system administrator who
//! must set it up before anything else.
use super::on_both;
use crate::support::*;
use store::Backend;

/// A 6-digit code that matches none of the steps the server accepts now.
fn wrong_code(secret: &str) -> String {
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap();
    let valid: Vec<String> = (now / 30 - 2..=now / 30 + 2)
        .map(|step| app::accounts::two_factor::code_at(secret, step * 30).unwrap())
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|code| !valid.contains(code))
        .unwrap()
}

/// The recovery codes listed on the page shown right after turning it on.
fn recovery_codes(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .filter_map(|rest| rest.split("</code>").next())
        .map(str::to_string)
        .collect()
}

/// Logs in with the password only: the client, and where it was sent.
async fn password_step(t: &TestApp, email: &str) -> (reqwest::Client, String) {
    let client = TestApp::client();
    let (status, location, _) = post_form(
        t,
        &client,
        "/login",
        &[("email", email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 303, "the password of {email}");
    (client, location)
}

async fn failures(t: &TestApp) -> i64 {
    let mut conn = t.app.store().conn().await.unwrap();
    let since = store::timestamp(chrono::Utc::now() - chrono::Duration::seconds(60));
    store::accounts::failures_since(&mut conn, "127.0.0.1", &since)
        .await
        .unwrap()
}

on_both!(
    two_factor_set_up_then_log_in_with_a_code_and_a_recovery_code_each_once,
    async |t: &TestApp| {
        let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let client = t.logged_in(&email).await;
        let (status, page) = get(t, &client, "/account/two-factor").await;
        assert_eq!(status, 200);
        assert!(page.contains("Set up two-factor sign-in"), "{page}");
        assert!(page.contains("src=\"data:image/png;base64,"), "a QR code");
        let secret = field_value(&page, "secret").expect("the set-up key");
        assert!(page.contains(&format!("<code class=\"app-setup-key\">{secret}</code>")));

        // A wrong code turns nothing on and keeps the same secret to try again.
        let (status, _, page) = post_form(
            t,
            &client,
            "/account/two-factor",
            &[("secret", &secret), ("code", &wrong_code(&secret))],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("The code is not correct"), "{page}");
        assert_eq!(
            field_value(&page, "secret").as_deref(),
            Some(secret.as_str())
        );
        let user = t.user(&email).await;
        let mut conn = t.app.store().conn().await.unwrap();
        let state = store::accounts::two_factor::get(&mut conn, &user.id)
            .await
            .unwrap();
        assert!(!state.unwrap().enabled);
        drop(conn);

        let (status, _, page) = post_form(
            t,
            &client,
            "/account/two-factor",
            &[("secret", &secret), ("code", &t.next_code(&secret).await)],
        )
        .await;
        assert_eq!(status, 200, "{page}");
        let codes = recovery_codes(&page);
        assert_eq!(codes.len(), 10, "{page}");
        assert!(codes.iter().all(|c| c.len() == 11));
        assert_eq!(t.totp_secret(&email).await, secret);

        // Only hashes are stored, and the audit row names neither the secret nor a code.
        let mut conn = t.app.store().conn().await.unwrap();
        assert_eq!(
            store::accounts::two_factor::unused_recovery_codes(&mut conn, &user.id)
                .await
                .unwrap(),
            10
        );
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.into()], 50)
            .await
            .unwrap();
        let enabled = audit
            .iter()
            .find(|a| a.action == "two_factor_enabled" && a.entity_id == user.id)
            .expect("an audit row");
        let text = format!("{enabled:?}");
        assert!(!text.contains(&secret));
        assert!(codes.iter().all(|c| !text.contains(c.as_str())));
        drop(conn);

        // The password alone no longer logs in.
        let (client, location) = password_step(t, &email).await;
        assert_eq!(location, "/login/two-factor");
        let (status, _) = get(t, &client, &format!("/practices/{OWN_PRACTICE}")).await;
        assert_eq!(status, 303, "no session before the code");
        let before = failures(t).await;
        let (status, _, page) = post_form(
            t,
            &client,
            "/login/two-factor",
            &[("code", &wrong_code(&secret))],
        )
        .await;
        assert_eq!(status, 401);
        assert!(page.contains("The code is not correct"), "{page}");
        assert_eq!(
            failures(t).await,
            before + 1,
            "a wrong code is a failed log-in"
        );
        let code = t.next_code(&secret).await;
        let (status, location, _) =
            post_form(t, &client, "/login/two-factor", &[("code", &code)]).await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("/practices/{OWN_PRACTICE}"));
        let (status, _) = get(t, &client, &location).await;
        assert_eq!(status, 200);
        assert!(t.user(&email).await.last_login_at.is_some());

        // The same code again is refused, even within its 30 seconds.
        let (client, _) = password_step(t, &email).await;
        let (status, _, page) =
            post_form(t, &client, "/login/two-factor", &[("code", &code)]).await;
        assert_eq!(status, 401, "a reused code");
        assert!(page.contains("used already"), "{page}");

        // A recovery code works once, however it is typed.
        let typed = codes[0].to_uppercase().replace('-', " ");
        let (status, location, _) =
            post_form(t, &client, "/login/two-factor", &[("code", &typed)]).await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("/practices/{OWN_PRACTICE}"));
        let (client, _) = password_step(t, &email).await;
        let (status, _, _) =
            post_form(t, &client, "/login/two-factor", &[("code", &codes[0])]).await;
        assert_eq!(status, 401, "a used recovery code");

        // The API asks for the code, then takes one.
        let api = TestApp::client();
        let (status, body) = post_json(
            t,
            &api,
            "/api/login",
            serde_json::json!({ "email": email, "password": PASSWORD }),
        )
        .await;
        assert_eq!(status, 401);
        assert_eq!(body["two_factor_required"], true);
        let (status, _) = get(t, &api, "/api/me").await;
        assert_eq!(status, 401);
        let (status, _) = post_json(
            t,
            &api,
            "/api/login",
            serde_json::json!({ "email": email, "password": PASSWORD, "code": code }),
        )
        .await;
        assert_eq!(status, 401, "a reused code through the API");
        let (status, body) = post_json(
            t,
            &api,
            "/api/login",
            serde_json::json!({ "email": email, "password": PASSWORD, "code": codes[1] }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["email"], email);
        let (status, _) = get(t, &api, "/api/me").await;
        assert_eq!(status, 200);

        // Turning it off takes a code; then the password alone logs in again.
        let (client, _) = password_step(t, &email).await;
        let (status, _, _) =
            post_form(t, &client, "/login/two-factor", &[("code", &codes[2])]).await;
        assert_eq!(status, 303);
        let (status, _, page) = post_form(
            t,
            &client,
            "/account/two-factor/disable",
            &[("code", &wrong_code(&secret))],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("The code is not correct"), "{page}");
        let (status, location, _) = post_form(
            t,
            &client,
            "/account/two-factor/disable",
            &[("code", &codes[3])],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(location, "/account/two-factor?done=off");
        let (_, location) = password_step(t, &email).await;
        assert_eq!(location, format!("/practices/{OWN_PRACTICE}"));
        let mut conn = t.app.store().conn().await.unwrap();
        assert_eq!(
            store::accounts::two_factor::unused_recovery_codes(&mut conn, &user.id)
                .await
                .unwrap(),
            0,
            "the recovery codes are gone"
        );
        let audit = store::audit::list(&mut conn, &[OWN_PRACTICE.into()], 50)
            .await
            .unwrap();
        for action in ["two_factor_disabled", "recovery_code_used"] {
            assert!(
                audit
                    .iter()
                    .any(|a| a.action == action && a.entity_id == user.id),
                "{action} audited"
            );
        }
    }
);

on_both!(
    a_system_administrator_must_set_up_two_factor_sign_in_first,
    async |t: &TestApp| {
        let email = "second.admin@gpteam.example";
        t.app
            .accounts()
            .create_account(
                email,
                "Second Admin",
                domain::account::UserRole::SystemAdmin,
                "",
                None,
                PASSWORD,
            )
            .await
            .unwrap();
        let client = t.logged_in(email).await;
        let practice = format!("/practices/{OWN_PRACTICE}");
        for path in [practice.as_str(), "/", "/import"] {
            let r = client
                .get(format!("{}{path}", t.base))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{path}");
            assert_eq!(r.headers()["location"], "/account/two-factor", "{path}");
        }
        let (status, body) = get_json(t, &client, "/api/me").await;
        assert_eq!(status, 403);
        assert!(
            body["error"].as_str().unwrap().contains("two-factor"),
            "{body}"
        );
        let (status, _) = get(t, &client, "/assets/app.css").await;
        assert_eq!(status, 200, "assets load");
        let (status, page) = get(t, &client, "/account/two-factor").await;
        assert_eq!(status, 200);
        assert!(page.contains("must log in with two factors"), "{page}");

        let secret = field_value(&page, "secret").unwrap();
        let (status, _, page) = post_form(
            t,
            &client,
            "/account/two-factor",
            &[("secret", &secret), ("code", &t.next_code(&secret).await)],
        )
        .await;
        assert_eq!(status, 200);
        let codes = recovery_codes(&page);
        assert_eq!(codes.len(), 10);
        let (status, _) = get(t, &client, &practice).await;
        assert_eq!(status, 200, "every page opens once it is set up");
        let (status, _) = get(t, &client, "/api/me").await;
        assert_eq!(status, 200);

        // A system administrator cannot turn it off.
        let (status, _, page) = post_form(
            t,
            &client,
            "/account/two-factor/disable",
            &[("code", &codes[0])],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("must keep two-factor sign-in on"), "{page}");
        let (_, location) = password_step(t, email).await;
        assert_eq!(location, "/login/two-factor");

        // Logging out.
        let (status, location, _) = post_form(t, &client, "/logout", &[]).await;
        assert_eq!((status, location.as_str()), (303, "/login"));
    }
);
