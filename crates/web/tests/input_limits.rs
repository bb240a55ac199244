//! Bounded input: text fields refused with the field named (NUL, controls, text-direction
//! overrides, lengths) on both databases; bodies limited before authentication; uploads
//! capped exactly, naming the file; connections that send half a request closed.
use super::on_both;
use crate::support::*;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use store::Backend;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn named(body: &Value) -> (String, String) {
    let field = &body["fields"][0];
    (
        field["field"].as_str().unwrap_or_default().to_string(),
        field["message"].as_str().unwrap_or_default().to_string(),
    )
}

on_both!(
    a_nul_in_the_api_log_in_is_refused_naming_the_field,
    async |t: &TestApp| {
        let email = t.login_email("staff", None).await;
        let client = TestApp::client();
        for (body, field) in [
            (
                json!({ "email": format!("{email}\u{0}"), "password": PASSWORD }),
                "email",
            ),
            (
                json!({ "email": email, "password": "pass\u{0}word" }),
                "password",
            ),
        ] {
            let (status, answer) = post_json(t, &client, "/api/login", body).await;
            assert_eq!(status, 422, "{answer}");
            let (named_field, message) = named(&answer);
            assert_eq!(named_field, field, "{answer}");
            assert!(
                message.contains("contains a character that cannot be stored"),
                "{message}"
            );
        }
        // The address too: a NUL in a path is refused, not passed to the database.
        let (status, answer) = get_json(t, &client, "/api/staff/%00").await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer["error"].is_string(), "{answer}");
        // And the right log-in still works.
        let (status, me) = post_json(
            t,
            &client,
            "/api/login",
            json!({ "email": email, "password": PASSWORD }),
        )
        .await;
        assert_eq!(status, 200, "{me}");
    }
);

on_both!(
    form_fields_with_nul_overrides_or_too_much_text_are_refused,
    async |t: &TestApp| {
        // The log-in form, before anyone is logged in.
        let client = TestApp::client();
        let (status, _, page) = post_form(
            t,
            &client,
            "/login",
            &[("email", "ann\u{0}@example.com"), ("password", "x")],
        )
        .await;
        assert_eq!(status, 422, "{page}");
        assert!(
            page.contains("Email address contains a character that cannot be stored"),
            "{page}"
        );

        // A member of staff asks for leave.
        let email = t.login_email("staff", None).await;
        let staff = t.logged_in(&email).await;
        let (_, before) = get_json(t, &staff, "/api/leave").await;
        let from = next_monday(t.app.today()) + chrono::Days::new(21);
        let to = from + chrono::Days::new(1);
        let (from, to) = (from.to_string(), to.to_string());
        let leave = |note: String| {
            vec![
                ("kind".to_string(), "annual".to_string()),
                ("start_date".to_string(), from.clone()),
                ("end_date".to_string(), to.clone()),
                ("note".to_string(), note),
            ]
        };
        for (note, words) in [
            ("back\u{0}soon".to_string(), "Note contains a character"),
            (
                "see \u{202e}txt.exe".to_string(),
                "Note contains a character",
            ),
            ("a".repeat(5_001), "Note must be 5,000 characters or fewer"),
        ] {
            let fields = leave(note);
            let fields: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (status, _, page) = post_form(t, &staff, "/me/leave", &fields).await;
            assert_eq!(status, 422, "{words}: {page}");
            assert!(page.contains(words), "{words}: {page}");
        }
        let (_, after) = get_json(t, &staff, "/api/leave").await;
        assert_eq!(before, after, "nothing refused was stored");
        // Line breaks are fine in a multi-line note.
        let fields = leave("Back on Thursday.\r\nCover agreed.".into());
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (status, location, page) = post_form(t, &staff, "/me/leave", &fields).await;
        assert_eq!(status, 303, "{page}");
        assert_eq!(location, "/me?done=leave");

        // One-line fields: a phone number of 201 characters, a line break in it.
        for (phone, words) in [
            ("0".repeat(201), "Phone must be 200 characters or fewer"),
            ("0123\n456".to_string(), "Phone contains a character"),
        ] {
            let (status, _, page) = post_form(
                t,
                &staff,
                "/me/contact",
                &[("email", ""), ("phone", &phone)],
            )
            .await;
            assert_eq!(status, 422, "{page}");
            assert!(page.contains(words), "{words}: {page}");
        }
    }
);

on_both!(
    json_text_fields_are_limited_and_named,
    async |t: &TestApp| {
        let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let manager = t.logged_in(&email).await;
        let path = format!("/api/practices/{OWN_PRACTICE}/staff");
        let person = |name: &str| {
            json!({ "name": name, "role": "salaried_gp", "start_date": "2026-01-05", "wte": 0.5,
                    "sessions_per_week": 4 })
        };
        for (name, message) in [
            ("a".repeat(201), "Name must be 200 characters or fewer"),
            ("Ann \u{202e}htimS".into(), "Name contains a character"),
            ("Ann\u{7}".into(), "Name contains a character"),
        ] {
            let (status, answer) = post_json(t, &manager, &path, person(&name)).await;
            assert_eq!(status, 422, "{answer}");
            let (field, words) = named(&answer);
            assert_eq!(field, "name");
            assert!(words.starts_with(message), "{words}");
        }
        // A string inside a list is held to its list's field.
        let mut body = person("Ann Smith");
        body["skills"] = json!(["ok", "bad\u{0}"]);
        let (status, answer) = post_json(t, &manager, &path, body).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(named(&answer).0, "skills");
        let (status, answer) = post_json(t, &manager, &path, person("Ann Smith")).await;
        assert_eq!(status, 201, "{answer}");
    }
);

on_both!(
    a_database_rule_is_answered_in_words_without_database_text,
    async |t: &TestApp| {
        let mut conn = t.app.store().conn().await.unwrap();
        let error = store::organisations::create_ics(&mut conn, OWN_ICS, "Again")
            .await
            .unwrap_err();
        let app_error = app::AppError::from(error);
        let words = app_error.to_string();
        assert!(
            matches!(app_error, app::AppError::Conflict(_)),
            "{app_error:?}"
        );
        assert_eq!(words, "An ICS with that code already exists");
        for raw in [
            "constraint",
            "UNIQUE",
            "duplicate key",
            "ics.code",
            "violates",
        ] {
            assert!(!words.contains(raw), "{words}");
        }
        // A PCN of an ICS that does not exist: a foreign key, in words.
        let pcn = store::organisations::PcnRecord {
            code: "U77777".into(),
            name: "Nowhere PCN".into(),
            ics_code: Some("QXX".into()),
        };
        let error = store::organisations::create_pcn(&mut conn, &pcn)
            .await
            .unwrap_err();
        let words = app::AppError::from(error).to_string();
        assert!(
            words.starts_with("This refers to something that does not exist"),
            "{words}"
        );
        // A duplicate email through the API: the manager's words, beside the field.
        let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
        let manager = t.logged_in(&email).await;
        let body = json!({ "name": "Bea Twice", "email": "bea.twice@example.com",
                           "role": "salaried_gp", "start_date": "2026-01-05",
                           "wte": 0.5, "sessions_per_week": 4 });
        let path = format!("/api/practices/{OWN_PRACTICE}/staff");
        let (status, _) = post_json(t, &manager, &path, body.clone()).await;
        assert_eq!(status, 201);
        let (status, answer) = post_json(t, &manager, &path, body).await;
        let text = answer.to_string();
        assert!(status == 409 || status == 422, "{status} {text}");
        for raw in [
            "constraint",
            "UNIQUE",
            "duplicate key",
            "staff.email",
            "violates",
        ] {
            assert!(!text.contains(raw), "{text}");
        }
    }
);

/// Sends a request head and part of a body on a raw connection; returns the status line of
/// the answer and how long it took.
async fn raw_post(base: &str, head: &str, body_sent: usize) -> (String, Duration) {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'a'; body_sent];
    // The server may answer and close before all of this is sent: that is the point.
    let _ = stream.write_all(&chunk).await;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => {
                answer.extend_from_slice(&buf[..n]);
                if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&answer);
    (
        text.lines().next().unwrap_or_default().to_string(),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_megabytes_without_a_log_in_are_refused_unread() {
    let t = spawn(Backend::Sqlite).await;
    let sixty = 60 * 1024 * 1024;
    for path in [
        "/import/appointments",
        "/api/imports/appointments",
        "/login",
        "/api/login",
    ] {
        let content_type = if path.contains("imports") {
            "text/csv"
        } else if path.starts_with("/api") {
            "application/json"
        } else if path.starts_with("/import") {
            "multipart/form-data; boundary=x"
        } else {
            "application/x-www-form-urlencoded"
        };
        let host = t.base.trim_start_matches("http://");
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nContent-Length: {sixty}\r\n\r\n"
        );
        // Only 64 KB of the 60 MB is sent: an answer proves the rest was never waited for.
        let (status, took) = raw_post(&t.base, &head, 64 * 1024).await;
        assert!(
            ["401", "403", "413", "303"]
                .iter()
                .any(|s| status.contains(&format!(" {s} "))),
            "{path}: {status}"
        );
        assert!(took < Duration::from_secs(5), "{path}: {took:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_upload_is_named_with_its_limit() {
    let t = spawn(Backend::Sqlite).await;
    let admin = t.logged_in(ADMIN_EMAIL).await;
    // 21 MB: over the 20 MB the importers take, under nothing else.
    let mut csv = b"header\n".to_vec();
    csv.resize(21 * 1024 * 1024, b'1');
    let r = admin
        .post(format!("{}/api/imports/appointments", t.base))
        .header("content-type", "text/csv")
        .body(csv.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("'appointments.csv'"), "{error}");
    assert!(error.contains("20 MB"), "{error}");

    let token = t.csrf(&admin).await;
    let form = reqwest::multipart::Form::new()
        .text("csrf_token", token)
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv).file_name("big-gpad.csv"),
        );
    let r = admin
        .post(format!("{}/import/appointments", t.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let page = r.text().await.unwrap();
    let shown = page.replace("&#39;", "'").replace("&#x27;", "'");
    assert!(
        shown.contains("'big-gpad.csv' is larger than 20 MB"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_request_line_is_closed_after_the_header_timeout() {
    let db = store::testing::TestDb::new(Backend::Sqlite).await;
    let app = app::App::new(db.store.clone());
    let sessions = store::accounts::sessions::SessionBackend::connect(&db.url)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = web::router(
        app,
        sessions,
        &web::WebConfig {
            secure_cookies: false,
            mailer: std::sync::Arc::new(Outbox::default()),
            public_url: format!("http://{addr}"),
            sign_in: web::SignInPolicy::default(),
        },
    );
    let limits = web::ServeLimits {
        header_timeout: Duration::from_millis(500),
        max_connections: 4,
        ..web::ServeLimits::default()
    };
    tokio::spawn(web::serve_with(
        listener,
        router,
        limits,
        std::future::pending(),
    ));

    // Half a request line, then nothing: closed within the timeout (plus slack).
    let mut half = tokio::net::TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /hea").await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match half.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the half-open connection was not closed");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(400), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");

    // An idle connection (nothing sent) is closed too, so the cap of 4 is not used up by
    // connections that never send anything: after the timeout a fifth client is served.
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let health = tokio::time::timeout(
        Duration::from_secs(5),
        reqwest::get(format!("http://{addr}/health")),
    )
    .await
    .expect("served after the idle connections were closed")
    .unwrap();
    assert_eq!(health.status(), 200);
    drop(idle);
}
