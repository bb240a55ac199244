//! Signing in as a deployment needs it: limits per address and per account that hold under
//! concurrency, `X-Forwarded-For` believed only from trusted proxies, a lock that lifts
//! itself and says when, sessions with an absolute lifetime, redirects after log-in only
//! to this site, and the housekeeping that purges what is no longer needed.
use super::on_both;
use crate::support::*;
use chrono::{DateTime, Utc};
use store::Backend;

const NOW: &str = "2026-11-23T09:00:00Z";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn proxied() -> web::SignInPolicy {
    web::SignInPolicy {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..Default::default()
    }
}

/// Posts `/api/login` for `email` with a wrong password, as if from `forwarded_for`.
async fn wrong_login(t: &TestApp, email: &str, forwarded_for: &str) -> reqwest::Response {
    TestApp::client()
        .post(format!("{}/api/login", t.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&serde_json::json!({ "email": email, "password": "a wrong guess" }))
        .send()
        .await
        .unwrap()
}

/// Sends 40 wrong log-ins at once, from one address to 40 accounts or from 40 addresses
/// (behind the trusted proxy) to one account; the statuses.
async fn forty_at_once(t: &TestApp, one_account: bool) -> Vec<u16> {
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let url = format!("{}/api/login", t.base);
            let (email, from) = if one_account {
                ("someone@example.org".to_string(), format!("198.18.0.{i}"))
            } else {
                (format!("person{i}@example.org"), "203.0.113.1".to_string())
            };
            tokio::spawn(async move {
                TestApp::client()
                    .post(url)
                    .header("x-forwarded-for", from)
                    .json(&serde_json::json!({ "email": email, "password": "a wrong guess" }))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

/// On both databases: of 40 concurrent wrong log-ins, exactly 10 are checked (401) and 30
/// refused (429), whether they share an address or an account.
async fn limits_hold_under_concurrency(backend: Backend) {
    let t = spawn_with(backend, app::clock::Clock::system(), proxied()).await;
    for one_account in [false, true] {
        let statuses = forty_at_once(&t, one_account).await;
        let checked = statuses.iter().filter(|s| **s == 401).count();
        let refused = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!(
            (checked, refused),
            (10, 30),
            "one account: {one_account}: {statuses:?}"
        );
    }
    if backend == Backend::Postgres {
        t.db.cleanup().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_log_ins_pass_exactly_ten_sqlite() {
    limits_hold_under_concurrency(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_log_ins_pass_exactly_ten_postgres() {
    limits_hold_under_concurrency(Backend::Postgres).await;
}

/// A locked account says until when, in England's time, and unlocks itself then.
async fn locked_account_unlocks_itself(backend: Backend) {
    let clock = app::clock::Clock::fixed(at(NOW));
    let t = spawn_with(backend, clock.clone(), proxied()).await;
    let email = t.login_email("staff", Some(OWN_PRACTICE)).await;
    // Ten failures from ten addresses: the account limit, not the address limit.
    for i in 0..10 {
        let r = wrong_login(&t, &email, &format!("198.51.100.{i}")).await;
        assert_eq!(r.status(), 401);
    }
    clock.set(at("2026-11-23T09:05:20Z"));
    // The right password, from a new address, still waits: 15 minutes from the failures.
    let api = TestApp::client()
        .post(format!("{}/api/login", t.base))
        .header("x-forwarded-for", "192.0.2.50")
        .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 429);
    assert_eq!(api.headers()["retry-after"], "580", "until 09:15:00");
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"], "Too many attempts. Try again after 09:15.");
    // The page says so too (November: England is on GMT).
    let client = TestApp::client();
    let (status, _, page) = post_form(
        &t,
        &client,
        "/login",
        &[("email", &email), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(status, 429);
    assert!(
        page.contains("Too many attempts. Try again after 09:15."),
        "{page}"
    );
    clock.set(at("2026-11-23T09:15:00Z"));
    let client = t.logged_in(&email).await;
    let (status, _) = get(&t, &client, "/me").await;
    assert_eq!(status, 200, "unlocked at the time given");
    // A sign-in clears the account's failures: one more wrong password is not a lock.
    let r = wrong_login(&t, &email, "192.0.2.51").await;
    assert_eq!(r.status(), 401);
    if backend == Backend::Postgres {
        t.db.cleanup().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_unlocks_itself_sqlite() {
    locked_account_unlocks_itself(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_account_unlocks_itself_postgres() {
    locked_account_unlocks_itself(Backend::Postgres).await;
}

on_both!(
    forwarded_for_from_an_untrusted_peer_is_ignored,
    async |t: &TestApp| {
        // No trusted proxies: ten failures from "different" forwarded addresses are one
        // address (the test's), so the eleventh is refused.
        for i in 0..10 {
            let r = wrong_login(t, &format!("p{i}@example.org"), &format!("192.0.2.{i}")).await;
            assert_eq!(r.status(), 401);
        }
        let r = wrong_login(t, "other@example.org", "192.0.2.99").await;
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
    }
);

/// A session ends 12 hours after log-in however active; 8 idle hours end it sooner.
async fn session_has_an_absolute_lifetime(backend: Backend) {
    let clock = app::clock::Clock::fixed(at(NOW));
    let t = spawn_at(backend, clock.clone()).await;
    let client = t
        .logged_in(&t.login_email("practice_manager", Some(OWN_PRACTICE)).await)
        .await;
    for hour in ["12", "16", "20"] {
        clock.set(at(&format!("2026-11-23T{hour}:59:59Z")));
        let (status, _) = get_json(&t, &client, "/api/me").await;
        assert_eq!(status, 200, "active at {hour}:59");
    }
    clock.set(at("2026-11-23T21:00:00Z"));
    let (status, _) = get_json(&t, &client, "/api/me").await;
    assert_eq!(status, 401, "12 hours after log-in");
    let (status, _) = get_json(&t, &client, "/api/me").await;
    assert_eq!(status, 401, "the session is gone, not just refused once");
    if backend == Backend::Postgres {
        t.db.cleanup().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_has_an_absolute_lifetime_sqlite() {
    session_has_an_absolute_lifetime(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_has_an_absolute_lifetime_postgres() {
    session_has_an_absolute_lifetime(Backend::Postgres).await;
}

on_both!(
    after_log_in_only_paths_of_this_site_are_followed,
    async |t: &TestApp| {
        let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let start = format!("/practices/{OWN_PRACTICE}");
        let cases = [
            ("/%09/evil.example/phish", start.as_str()),
            ("/\t/evil.example/phish", &start),
            ("/\n/evil.example", &start),
            ("/x\r\nSet-Cookie: a=b", &start),
            ("//evil.example", &start),
            ("/\\evil.example", &start),
            ("/%5C%5Cevil.example", &start),
            ("/%2F%2Fevil.example", &start),
            ("https://evil.example/", &start),
            ("/caf\u{e9}", &start),
            ("/me", "/me"),
        ];
        for (next, expected) in cases {
            let client = TestApp::client();
            let (status, location, _) = post_form(
                t,
                &client,
                "/login",
                &[("email", &email), ("password", PASSWORD), ("next", next)],
            )
            .await;
            assert_eq!(status, 303, "next {next:?}");
            assert_eq!(location, expected, "next {next:?}");
        }
        // The log-in page does not carry a bad `next` into its form.
        let (status, page) = get(t, &TestApp::client(), "/login?next=%2F%09%2Fevil.example").await;
        assert_eq!(status, 200);
        assert!(!page.contains("evil.example"), "{page}");
    }
);

on_both!(
    housekeeping_purges_old_attempts_links_and_expired_sessions,
    async |t: &TestApp| {
        use store::accounts::tokens::{Purpose, TokenRow};
        use tower_sessions::session_store::SessionStore;
        let mut conn = t.app.store().conn().await.unwrap();
        let now = t.app.clock().now();
        let days_ago = |days: i64| store::timestamp(now - chrono::Duration::days(days));
        for (days, client) in [(31, "10.0.0.31"), (29, "10.0.0.29")] {
            store::accounts::record_account_attempt(
                &mut conn,
                client,
                "a@example.org",
                &days_ago(days),
                store::accounts::AttemptOutcome::Failed,
            )
            .await
            .unwrap();
        }
        let token = |name: &str, expires: String, used: Option<String>| TokenRow {
            id: store::new_id(),
            token_hash: format!("hash-{name}"),
            purpose: Purpose::Invitation,
            email: format!("{name}@example.org"),
            role: "staff".into(),
            org_code: OWN_PRACTICE.into(),
            staff_id: None,
            user_id: None,
            created_by: None,
            created_at: days_ago(60),
            expires_at: expires,
            used_at: used,
        };
        for row in [
            token("used-long-ago", days_ago(-5), Some(days_ago(40))),
            token("expired-long-ago", days_ago(35), None),
            token("used-lately", days_ago(-5), Some(days_ago(2))),
            token("expired-lately", days_ago(3), None),
            token("open", days_ago(-5), None),
        ] {
            store::accounts::tokens::insert(&mut conn, &row)
                .await
                .unwrap();
        }
        let sessions = store::accounts::sessions::SessionBackend::connect(&t.db.url)
            .await
            .unwrap();
        let record = |expiry: time::OffsetDateTime| tower_sessions::session::Record {
            id: tower_sessions::session::Id::default(),
            data: Default::default(),
            expiry_date: expiry,
        };
        let mut expired = record(time::OffsetDateTime::now_utc() - time::Duration::hours(1));
        let mut live = record(time::OffsetDateTime::now_utc() + time::Duration::hours(1));
        sessions.create(&mut expired).await.unwrap();
        sessions.create(&mut live).await.unwrap();
        let stored = store::accounts::sessions::count(&mut conn).await.unwrap();

        let purged = t
            .app
            .housekeeping(Some(&sessions), &Default::default())
            .await
            .unwrap();
        assert_eq!(purged.login_attempts, 1, "the 31-day-old attempt");
        for (client, kept) in [("10.0.0.31", 0), ("10.0.0.29", 1)] {
            let left = store::accounts::client_failures(&mut conn, client, "")
                .await
                .unwrap();
            assert_eq!(left.len(), kept, "{client}");
        }
        assert_eq!(purged.account_tokens, 2, "used or expired over 30 days ago");
        for (name, kept) in [
            ("used-long-ago", false),
            ("expired-long-ago", false),
            ("used-lately", true),
            ("expired-lately", true),
            ("open", true),
        ] {
            let found = store::accounts::tokens::find(
                &mut conn,
                Purpose::Invitation,
                &format!("hash-{name}"),
            )
            .await
            .unwrap();
            assert_eq!(found.is_some(), kept, "{name}");
        }
        assert_eq!(
            store::accounts::sessions::count(&mut conn).await.unwrap(),
            stored - 1,
            "the expired session is deleted"
        );
        assert!(sessions.load(&live.id).await.unwrap().is_some());
        // A second run finds nothing more.
        let again = t
            .app
            .housekeeping(Some(&sessions), &Default::default())
            .await
            .unwrap();
        assert_eq!(again, app::housekeeping::Purged::default());
    }
);
