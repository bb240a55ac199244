//! Accounts people run themselves: invitations, the set-up link, password resets and
//! changes, and account administration — each with its refusals, on both databases.
use super::on_both;
use crate::support::*;
use app::accounts::links::{LinkOutcome, NewAccount, token_hash};
use serde_json::json;
use store::Backend;
use store::accounts::tokens::{Purpose, TokenRow};

const STRONG: &str = "marble otter lantern quietly";

async fn api_me(t: &TestApp, client: &reqwest::Client) -> u16 {
    get_json(t, client, "/api/me").await.0
}

/// Logs in with an email and password through the API: the status.
async fn api_login(t: &TestApp, email: &str, password: &str) -> (u16, reqwest::Client) {
    let client = TestApp::client();
    let (status, _) = post_json(
        t,
        &client,
        "/api/login",
        json!({ "email": email, "password": password }),
    )
    .await;
    (status, client)
}

/// A stored link of a purpose with a known token, expired or not.
async fn stored_link(t: &TestApp, purpose: Purpose, email: &str, expired: bool) -> String {
    let token = format!("test-{}", store::new_id());
    let expires_at = if expired {
        "2020-01-01T00:00:00Z"
    } else {
        "2999-01-01T00:00:00Z"
    };
    let mut conn = t.app.store().conn().await.unwrap();
    let row = TokenRow {
        id: store::new_id(),
        token_hash: token_hash(&token),
        purpose,
        email: email.into(),
        role: "staff".into(),
        org_code: OWN_PRACTICE.into(),
        staff_id: None,
        user_id: None,
        created_by: None,
        created_at: "2020-01-01T00:00:00Z".into(),
        expires_at: expires_at.into(),
        used_at: None,
    };
    store::accounts::tokens::insert(&mut conn, &row)
        .await
        .unwrap();
    token
}

on_both!(
    an_invitation_is_accepted_once_and_starts_a_session,
    async |t: &TestApp| {
        let manager = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let invited = "new.receptionist@example.org";
        let (status, body) = post_json(
            t,
            &manager,
            "/api/invitations",
            json!({ "email": invited, "role": "staff", "organisation": OWN_PRACTICE }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert!(body["id"].is_string());
        let link = t.outbox.link_to(invited, &t.base).await;
        assert!(link.starts_with("/invitations/"), "{link}");
        // The link's page says what the invitation is for.
        let guest = TestApp::client();
        let (status, page) = get(t, &guest, &link).await;
        assert_eq!(status, 200);
        assert!(page.contains(invited) && page.contains("staff"), "{page}");
        // A weak password is refused with the reason, and makes no account.
        let (status, _, page) = post_form(
            t,
            &guest,
            &link,
            &[
                ("name", "Nia New"),
                ("password", "password1234"),
                ("password_again", "password1234"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("too easy to guess"), "{page}");
        let (status, _, page) = post_form(
            t,
            &guest,
            &link,
            &[
                ("name", "Nia New"),
                ("password", "short"),
                ("password_again", "short"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("at least 12 characters"));
        // A strong one creates the account and logs the person in.
        let (status, location, _) = post_form(
            t,
            &guest,
            &link,
            &[
                ("name", "Nia New"),
                ("password", STRONG),
                ("password_again", STRONG),
            ],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, "/me"));
        let (status, me) = get_json(t, &guest, "/api/me").await;
        assert_eq!(status, 200);
        assert_eq!(me["role"], "staff");
        assert_eq!(me["organisation"], OWN_PRACTICE);
        // The link is spent: its page and the API say so.
        let (status, page) = get(t, &TestApp::client(), &link).await;
        assert_eq!(status, 410);
        assert!(page.contains("already been used") && page.contains("invite you again"));
        let token = link.trim_start_matches("/invitations/");
        let (status, body) = post_json(
            t,
            &TestApp::client(),
            &format!("/api/invitations/{token}/accept"),
            json!({ "name": "Someone Else", "password": STRONG }),
        )
        .await;
        assert_eq!(status, 410, "{body}");
        // An unknown link is 404, an expired one 410, each saying how to ask again.
        let (status, page) = get(t, &TestApp::client(), "/invitations/not-a-real-token").await;
        assert_eq!(status, 404);
        assert!(page.contains("ask the person who invited you"));
        let (status, _) = post_json(
            t,
            &TestApp::client(),
            "/api/invitations/not-a-real-token/accept",
            json!({ "name": "X", "password": STRONG }),
        )
        .await;
        assert_eq!(status, 404);
        let expired = stored_link(t, Purpose::Invitation, "late@example.org", true).await;
        let (status, page) = get(t, &TestApp::client(), &format!("/invitations/{expired}")).await;
        assert_eq!(status, 410);
        assert!(page.contains("expired"));
        // Through the API too: a fresh invitation accepted by JSON.
        let (status, _) = post_json(
        t,
        &manager,
        "/api/invitations",
        json!({ "email": "api.staff@example.org", "role": "staff", "organisation": OWN_PRACTICE }),
    )
    .await;
        assert_eq!(status, 201);
        let link = t.outbox.link_to("api.staff@example.org", &t.base).await;
        let (status, body) = post_json(
            t,
            &TestApp::client(),
            &format!("/api/{}/accept", link.trim_start_matches('/')),
            json!({ "name": "Api Staff", "password": STRONG }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(api_login(t, "api.staff@example.org", STRONG).await.0, 200);
    }
);

on_both!(
    invitations_respect_the_inviters_authority,
    async |t: &TestApp| {
        let invite = async |client: &reqwest::Client, email: &str, role: &str, org: &str| {
            post_json(
                t,
                client,
                "/api/invitations",
                json!({ "email": email, "role": role, "organisation": org }),
            )
            .await
        };
        let practice = t
            .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
            .await;
        let pcn = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let staff = t
            .logged_in(&t.login_email("staff", Some(OWN_PRACTICE)).await)
            .await;
        let admin = t.logged_in(ADMIN_EMAIL).await;
        // Above the inviter's authority: 403, and nothing is sent.
        for (client, role, org) in [
            (&practice, "practice_manager", OWN_PRACTICE),
            (&practice, "staff", OTHER_PRACTICE),
            (&practice, "system_admin", ""),
            (&pcn, "practice_manager", OTHER_PRACTICE),
            (&pcn, "system_admin", ""),
            (&pcn, "ics_viewer", OWN_ICS),
            (&staff, "staff", OWN_PRACTICE),
        ] {
            let (status, body) = invite(client, "refused@example.org", role, org).await;
            assert_eq!(status, 403, "{role} at {org}: {body}");
        }
        assert!(t.outbox.to("refused@example.org").is_empty());
        // Within it: 201.
        for (client, email, role, org) in [
            (&pcn, "pm2@example.org", "practice_manager", OWN_PRACTICE),
            (&pcn, "pcn2@example.org", "pcn_manager", OWN_PCN),
            (&admin, "viewer@example.org", "ics_viewer", OWN_ICS),
            (&admin, "admin2@example.org", "system_admin", ""),
        ] {
            let (status, body) = invite(client, email, role, org).await;
            assert_eq!(status, 201, "{email}: {body}");
        }
        // An address that already has an account is invited like any other (see
        // `inviting_never_tells_whether_an_address_has_an_account`).
        let existing = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let (status, body) = invite(&practice, &existing, "staff", OWN_PRACTICE).await;
        assert_eq!(status, 201, "{body}");
        let (status, location, _) = post_form(
            t,
            &practice,
            "/accounts/invite",
            &[
                ("email", "form.invite@example.org"),
                ("role", "staff"),
                ("organisation", OWN_PRACTICE),
            ],
        )
        .await;
        assert_eq!((status, location.as_str()), (303, "/accounts?done=invited"));
        assert_eq!(t.outbox.to("form.invite@example.org").len(), 1);
    }
);

on_both!(
    a_reset_says_the_same_for_unknown_addresses_and_ends_sessions,
    async |t: &TestApp| {
        let email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let before = t.logged_in(&email).await;
        assert_eq!(api_me(t, &before).await, 200);
        // The form answers the same words whether or not the address has an account.
        let guest = TestApp::client();
        let (status, _, known) =
            post_form(t, &guest, "/password-reset", &[("email", email.as_str())]).await;
        assert_eq!(status, 200);
        let (status, _, unknown) = post_form(
            t,
            &guest,
            "/password-reset",
            &[("email", "nobody@example.org")],
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(known, unknown, "the page reveals nothing");
        for address in [email.as_str(), "nobody@example.org"] {
            let (status, _) = post_json(
                t,
                &guest,
                "/api/password-resets",
                json!({ "email": address }),
            )
            .await;
            assert_eq!(status, 202);
        }
        let link = t.outbox.link_to(&email, &t.base).await;
        assert!(link.starts_with("/password-reset/"));
        // Nothing to the address without an account (the sends run in the background).
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(t.outbox.to("nobody@example.org").is_empty());
        // At most three links an hour to one address.
        for _ in 0..3 {
            post_json(t, &guest, "/api/password-resets", json!({ "email": email })).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        assert_eq!(
            t.outbox.to(&email).len(),
            3,
            "the fourth and fifth are not sent"
        );
        // A weak password is refused; a strong one is set, and every session ends.
        let (status, _, page) = post_form(
            t,
            &guest,
            &link,
            &[
                ("password", "staffstaff12"),
                ("password_again", "staffstaff12"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("too easy to guess"), "{page}");
        let (status, _, page) = post_form(
            t,
            &guest,
            &link,
            &[("password", STRONG), ("password_again", STRONG)],
        )
        .await;
        assert_eq!(status, 200);
        assert!(page.contains("Your password was changed"));
        assert_eq!(api_me(t, &before).await, 401, "the old session ended");
        assert_eq!(api_login(t, &email, PASSWORD).await.0, 401);
        assert_eq!(api_login(t, &email, STRONG).await.0, 200);
        // Spent: this link and the other links sent in the same hour.
        let (status, page) = get(t, &guest, &link).await;
        assert_eq!(status, 410);
        assert!(page.contains("Ask for a new link"));
        let (status, _) = post_json(
            t,
            &guest,
            &format!(
                "/api/{}",
                link.trim_start_matches('/')
                    .replace("password-reset", "password-resets")
            ),
            json!({ "password": "another long passphrase here" }),
        )
        .await;
        assert_eq!(status, 410);
        let unknown = "/api/password-resets/not-a-real-token";
        assert_eq!(
            post_json(t, &guest, unknown, json!({ "password": STRONG }))
                .await
                .0,
            404
        );
        let expired = stored_link(t, Purpose::PasswordReset, &email, true).await;
        let (status, page) = get(t, &guest, &format!("/password-reset/{expired}")).await;
        assert_eq!(status, 410);
        assert!(page.contains("expired"));
    }
);

on_both!(
    a_password_change_ends_other_sessions_but_keeps_this_one,
    async |t: &TestApp| {
        let email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let here = t.logged_in(&email).await;
        let elsewhere = t.logged_in(&email).await;
        let (status, _, page) = post_form(
            t,
            &here,
            "/account/password",
            &[
                ("current_password", "wrong-password"),
                ("password", STRONG),
                ("password_again", STRONG),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("current password is not right"));
        let (status, _, page) = post_form(
            t,
            &here,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", STRONG),
                ("password_again", "not the same"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(page.contains("not the same"));
        let (status, location, _) = post_form(
            t,
            &here,
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("password", STRONG),
                ("password_again", STRONG),
            ],
        )
        .await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/account/password?done=password")
        );
        assert_eq!(api_me(t, &here).await, 200, "this session goes on");
        assert_eq!(
            api_me(t, &elsewhere).await,
            401,
            "every other session ended"
        );
        assert_eq!(api_login(t, &email, STRONG).await.0, 200);
    }
);

on_both!(
    disabling_an_account_ends_its_sessions_and_is_audited,
    async |t: &TestApp| {
        let staff_email = t.login_email("staff", Some(OWN_PRACTICE)).await;
        let staff = t.logged_in(&staff_email).await;
        let manager_email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let manager = t.logged_in(&manager_email).await;
        let (status, list) = get_json(t, &manager, "/api/accounts").await;
        assert_eq!(status, 200);
        let accounts = list.as_array().unwrap();
        assert!(
            accounts
                .iter()
                .all(|a| a["role"] == "staff" && a["organisation_code"] == OWN_PRACTICE)
        );
        let row = accounts
            .iter()
            .find(|a| a["email"] == staff_email.as_str())
            .unwrap();
        assert_eq!(row["status"], "active");
        assert!(
            !row["organisation"].as_str().unwrap().is_empty(),
            "a name, not a code"
        );
        assert!(row["last_login"].as_str().unwrap().contains(" 20"), "{row}");
        let id = row["id"].as_str().unwrap().to_string();
        let (status, _) = post_json(
            t,
            &manager,
            &format!("/api/accounts/{id}/disable"),
            json!({}),
        )
        .await;
        assert_eq!(status, 204);
        assert_eq!(api_me(t, &staff).await, 401, "the session ended");
        assert_eq!(api_login(t, &staff_email, PASSWORD).await.0, 401);
        let (_, list) = get_json(t, &manager, "/api/accounts").await;
        let row = list
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id.as_str())
            .cloned()
            .unwrap();
        assert_eq!(row["status"], "disabled");
        // Nobody disables themselves; another tenant's account is not found.
        let own = t.user(&manager_email).await.id;
        let admin = t.logged_in(ADMIN_EMAIL).await;
        let admin_id = t.user(ADMIN_EMAIL).await.id;
        assert_eq!(
            post_json(
                t,
                &admin,
                &format!("/api/accounts/{admin_id}/disable"),
                json!({})
            )
            .await
            .0,
            409
        );
        let other = t.user(&t.other.manager_email).await.id;
        assert_eq!(
            post_json(
                t,
                &manager,
                &format!("/api/accounts/{other}/disable"),
                json!({})
            )
            .await
            .0,
            404
        );
        assert_eq!(
            post_json(
                t,
                &manager,
                &format!("/api/accounts/{own}/disable"),
                json!({})
            )
            .await
            .0,
            404
        );
        // Enabled again through the page, the person logs in again.
        let (status, location, _) =
            post_form(t, &manager, &format!("/accounts/{id}/enable"), &[]).await;
        assert_eq!(
            (status, location.as_str()),
            (303, "/accounts?done=account-enabled")
        );
        assert_eq!(api_login(t, &staff_email, PASSWORD).await.0, 200);
        // The PCN manager makes the member of staff a practice manager; the practice manager
        // could not.
        let (status, _, _) = post_form(
            t,
            &manager,
            &format!("/accounts/{id}/role"),
            &[("role", "practice_manager")],
        )
        .await;
        assert_eq!(status, 403);
        let pcn = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let (status, page) = get(t, &pcn, "/accounts").await;
        assert_eq!(status, 200);
        assert!(page.contains(&staff_email) && page.contains("Change role"));
        let (status, _, _) = post_form(
            t,
            &pcn,
            &format!("/accounts/{id}/role"),
            &[("role", "practice_manager")],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(
            t.user(&staff_email).await.role,
            domain::account::UserRole::PracticeManager
        );
        // Every change is in the audit trail, without a password or token.
        let mut conn = t.app.store().conn().await.unwrap();
        let trail = store::audit::list(&mut conn, &[OWN_PRACTICE.to_string()], 100)
            .await
            .unwrap();
        let actions: Vec<&str> = trail
            .iter()
            .filter(|e| e.entity_id == id)
            .map(|e| e.action.as_str())
            .collect();
        for action in ["disabled", "enabled", "changed role"] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
    }
);

on_both!(
    the_set_up_link_works_once_on_an_empty_database,
    async |t: &TestApp| {
        // The test app has accounts: no link is made, and a stored one is dead.
        assert_eq!(t.app.accounts().create_setup_link().await.unwrap(), None);
        let stale = stored_link(t, Purpose::Setup, "", false).await;
        let (status, page) = get(t, &TestApp::client(), &format!("/setup/{stale}")).await;
        assert_eq!(status, 410);
        assert!(page.contains("set-up link no longer works"));
        // An empty database gets one, which makes the first administrator once.
        let db = store::testing::TestDb::new(if t.db.url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        })
        .await;
        let app = app::App::new(db.store.clone());
        let token = app
            .accounts()
            .create_setup_link()
            .await
            .unwrap()
            .expect("a set-up link");
        let weak = NewAccount {
            name: "Ada".into(),
            email: "ada@example.org".into(),
            password: "ada@example.org1".into(),
            password_again: None,
        };
        assert!(
            app.accounts().complete_setup(&token, &weak).await.is_err(),
            "a weak password is refused"
        );
        let form = NewAccount {
            password: STRONG.into(),
            ..weak
        };
        let LinkOutcome::Done(actor) = app.accounts().complete_setup(&token, &form).await.unwrap()
        else {
            panic!("the set-up link works");
        };
        assert_eq!(actor.role, domain::account::UserRole::SystemAdmin);
        assert_eq!(actor.org, "");
        assert_eq!(
            app.accounts().complete_setup(&token, &form).await.unwrap(),
            LinkOutcome::Dead(app::accounts::links::DeadLink::Used)
        );
        assert_eq!(app.accounts().create_setup_link().await.unwrap(), None);
        db.cleanup().await.unwrap();
    }
);

on_both!(
    inviting_never_tells_whether_an_address_has_an_account,
    async |t: &TestApp| {
        // A manager of PCN A invites an address that has an account in PCN B, and one that
        // has none: every answer, email count and audit row is alike.
        let manager = t
            .logged_in(&t.login_email("pcn_manager", Some(OWN_PCN)).await)
            .await;
        let elsewhere = t.other.manager_email.clone();
        let nowhere = "nobody.yet@example.org".to_string();
        let mut answers = Vec::new();
        for email in [&elsewhere, &nowhere] {
            let (status, body) = post_json(
                t,
                &manager,
                "/api/invitations",
                json!({ "email": email, "role": "staff", "organisation": OWN_PRACTICE }),
            )
            .await;
            let keys: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
            let (form_status, location, _) = post_form(
                t,
                &manager,
                "/accounts/invite",
                &[
                    ("email", email.as_str()),
                    ("role", "practice_manager"),
                    ("organisation", OWN_PRACTICE),
                ],
            )
            .await;
            answers.push((status, keys, form_status, location));
            // Both addresses are emailed, once for each invitation.
            assert_eq!(t.outbox.to(email).len(), 2, "{email}");
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[0].0, 201);
        // The audit trail the manager reads shows the same for both.
        let (status, audit) = get_json(t, &manager, "/api/audit").await;
        assert_eq!(status, 200);
        let rows = |email: &str| -> Vec<(String, String)> {
            audit["rows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["after"].as_str().unwrap_or_default().contains(email))
                .map(|e| {
                    (
                        e["action"].to_string(),
                        e["what"].to_string().replace(email, "EMAIL"),
                    )
                })
                .collect()
        };
        assert_eq!(rows(&elsewhere), rows(&nowhere));
        assert_eq!(rows(&nowhere).len(), 2, "{audit}");
        // The account holder is told they have been added, with the log-in link; the new
        // address gets a set-up link.
        let added = t.outbox.to(&elsewhere);
        assert!(
            added[0].body.contains(&format!("{}/login", t.base)),
            "{}",
            added[0].body
        );
        assert!(!added[0].body.contains("/invitations/"));
        let invited = t.outbox.to(&nowhere);
        assert!(
            invited[0].body.contains("/invitations/"),
            "{}",
            invited[0].body
        );
    }
);
