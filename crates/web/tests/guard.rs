//! What every response carries and how every refusal looks: the security headers (a CSP
//! with no inline script), the API's one JSON error shape for every failure, text fields
//! refused with the field named (NUL, control and text-direction characters, lengths),
//! and database rules in words with no database text.
use super::on_both;
use crate::support::*;
use serde_json::{Value, json};
use store::Backend;

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn assert_security_headers(r: &reqwest::Response, what: &str) {
    let csp = header(r, "content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert_eq!(header(r, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(r, "referrer-policy"), "same-origin", "{what}");
    assert_eq!(header(r, "x-frame-options"), "DENY", "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_on_a_page_an_api_answer_and_an_error_page() {
    let t = spawn(Backend::Sqlite).await;
    let client = TestApp::client();
    let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
    let manager = t.logged_in(&email).await;
    let cases = [
        (&client, "/login", 200),
        (&manager, &*format!("/practices/{OWN_PRACTICE}"), 200),
        (&manager, "/api/me", 200),
        (&client, "/api/me", 401),
        (&client, "/no/such/page", 404),
        (&client, "/api/no/such/call", 404),
        (&client, "/assets/app.js", 200),
    ];
    for (who, path, status) in cases {
        let r = who.get(format!("{}{path}", t.base)).send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{path}");
        assert_security_headers(&r, path);
        // Served over plain HTTP (cookies not secure): no HSTS.
        assert_eq!(header(&r, "strict-transport-security"), "", "{path}");
    }
    // The pages themselves hold no inline script.
    for path in ["/login", &format!("/practices/{OWN_PRACTICE}")] {
        let (_, page) = get(&t, &manager, path).await;
        assert_no_inline_code(&page, path);
    }
}

/// No `<script>` without `src`, no `on...=` handler attribute, no `style` attribute or
/// element: the Content-Security-Policy would block each.
fn assert_no_inline_code(html: &str, what: &str) {
    let lower = html.to_lowercase();
    for (at, _) in lower.match_indices("<script") {
        let tag_end = lower[at..].find('>').map_or(lower.len(), |e| at + e);
        assert!(
            lower[at..tag_end].contains(" src="),
            "{what}: inline script at {at}: {}",
            &html[at..tag_end.min(at + 120)]
        );
    }
    for pattern in [
        " onclick=",
        " onload=",
        " onchange=",
        " onsubmit=",
        " oninput=",
    ] {
        assert!(!lower.contains(pattern), "{what}: {pattern}");
    }
    assert!(!lower.contains(" style=\""), "{what}: a style attribute");
    assert!(!lower.contains("<style"), "{what}: a style element");
}

#[test]
fn no_template_holds_inline_script_or_style() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_no_inline_code(&text, &path.display().to_string());
        checked += 1;
    }
    assert!(checked > 40, "{checked} templates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_is_sent_when_cookies_are_secure() {
    let db = store::testing::TestDb::new(Backend::Sqlite).await;
    let app = app::App::new(db.store.clone());
    let sessions = store::accounts::sessions::SessionBackend::connect(&db.url)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = web::router(
        app,
        sessions,
        &web::WebConfig {
            secure_cookies: true,
            mailer: std::sync::Arc::new(Outbox::default()),
            public_url: base.clone(),
            sign_in: web::SignInPolicy::default(),
        },
    );
    tokio::spawn(web::serve(listener, router));
    for path in ["/login", "/api/me", "/nothing"] {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        let hsts = header(&r, "strict-transport-security");
        assert!(hsts.starts_with("max-age=31536000"), "{path}: {hsts}");
        assert_security_headers(&r, path);
    }
}

/// The status, content type and body of the answer to a request head sent alone over its
/// own connection, read to the length the answer declares or to the connection's close.
async fn raw_answer(addr: &str, head: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let header_in = |head: &str, name: &str| {
        head.lines().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    };
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let wait = std::time::Duration::from_secs(10);
    while let Ok(Ok(n @ 1..)) = tokio::time::timeout(wait, stream.read(&mut buf)).await {
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = header_in(head, "content-length").and_then(|v| v.parse::<usize>().ok());
            if length.is_some_and(|n| body.len() >= n) {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let content_type = header_in(head, "content-type").unwrap_or_default();
    (status, content_type, body.to_string())
}

/// A failure's body: the API's error shape, or a panic naming what came instead.
async fn error_body(r: reqwest::Response, what: &str) -> (u16, Value) {
    let status = r.status().as_u16();
    let content_type = header(&r, "content-type");
    let text = r.text().await.unwrap();
    (status, error_shape(what, status, &content_type, &text))
}

/// The API's error shape read from an answer's parts, or a panic naming what came instead.
fn error_shape(what: &str, status: u16, content_type: &str, text: &str) -> Value {
    assert!(
        content_type.starts_with("application/json"),
        "{what}: {status} {content_type}: {text}"
    );
    let body: Value = serde_json::from_str(text).unwrap();
    assert!(
        body["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{what}: {body}"
    );
    assert!(body["fields"].is_array(), "{what}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_failure_answers_the_json_error_shape() {
    let t = spawn(Backend::Sqlite).await;
    let client = TestApp::client();
    let url = |path: &str| format!("{}{path}", t.base);
    let json_type = ("content-type", "application/json");

    let bad_json = client
        .post(url("/api/login"))
        .header(json_type.0, json_type.1)
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(bad_json, "bad JSON").await.0, 400);

    let no_type = client
        .post(url("/api/login"))
        .body("{\"email\": \"a@b.example\", \"password\": \"x\"}")
        .send()
        .await
        .unwrap();
    let (status, body) = error_body(no_type, "no content type").await;
    assert_eq!(status, 415);
    assert!(body["error"].as_str().unwrap().contains("application/json"));

    let form = client
        .post(url("/api/login"))
        .form(&[("email", "a@b.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(form, "a form").await.0, 415);

    // Declared, not sent: the server answers 413 from the length alone and closes. A
    // client that sent the 2 MB could meet the closed socket before reading the answer.
    let host = t.base.trim_start_matches("http://");
    let head = format!(
        "POST /api/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        2 * 1024 * 1024
    );
    let (status, content_type, text) = raw_answer(host, &head).await;
    assert_eq!(status, 413, "2 MB of JSON: {content_type}: {text}");
    error_shape("2 MB of JSON", status, &content_type, &text);

    let wrong_shape = client
        .post(url("/api/login"))
        .json(&json!({ "email": 5 }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(wrong_shape, "a number for a text").await.0, 422);

    let unknown = client.get(url("/api/no/such/call")).send().await.unwrap();
    assert_eq!(error_body(unknown, "unknown route").await.0, 404);

    let method = client.get(url("/api/login")).send().await.unwrap();
    assert!(header(&method, "allow").contains("POST"));
    assert_eq!(error_body(method, "wrong method").await.0, 405);

    let unauthenticated = client.get(url("/api/practices")).send().await.unwrap();
    assert_eq!(error_body(unauthenticated, "not logged in").await.0, 401);

    let wrong_password = client
        .post(url("/api/login"))
        .json(&json!({ "email": "nobody@gpteam.example", "password": "wrong" }))
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(wrong_password, "wrong password").await.0, 401);

    // A manager's write of another tenant, and a write sent as a form (what a cross-site
    // page could send, so it stands in for the CSRF check).
    let email = t.login_email("practice_manager", Some(OWN_PRACTICE)).await;
    let manager = t.logged_in(&email).await;
    let other = manager
        .post(url(&format!("/api/practices/{OTHER_PRACTICE}/staff")))
        .json(&json!({ "name": "Ann Other", "role": "salaried_gp", "start_date": "2026-01-05" }))
        .send()
        .await
        .unwrap();
    let (status, _) = error_body(other, "another tenant").await;
    assert!(status == 403 || status == 404, "{status}");
    let cross_site = manager
        .post(url("/api/leave"))
        .form(&[("kind", "annual")])
        .send()
        .await
        .unwrap();
    assert_eq!(error_body(cross_site, "a form to the API").await.0, 415);
    let multipart_without_header = manager
        .post(url("/api/training-records"))
        .multipart(reqwest::multipart::Form::new().text("topic_id", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_body(multipart_without_header, "no X-Requested-With")
            .await
            .0,
        400
    );
    let import_as_manager = manager
        .post(url("/api/imports/ods-practices"))
        .header("content-type", "text/csv")
        .body("a,b\n")
        .send()
        .await
        .unwrap();
    assert_eq!(
        error_body(import_as_manager, "a reference import by a manager")
            .await
            .0,
        403
    );
}

#[test]
fn the_openapi_document_describes_every_failure() {
    let doc = serde_json::to_value(web::openapi_document()).unwrap();
    let schema = &doc["components"]["schemas"]["ApiErrorDto"];
    assert!(schema["properties"]["error"].is_object(), "{schema}");
    assert!(schema["properties"]["fields"].is_object(), "{schema}");
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/") || path == "/api/openapi.json" {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let responses = operation["responses"].as_object().unwrap();
            let mut expected = vec!["400", "401", "404", "405", "default"];
            if operation.get("requestBody").is_some() {
                expected.extend(["413", "415", "422"]);
            }
            for status in expected {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: no {status}"
                );
            }
            for (status, response) in responses {
                if status.starts_with('2') || status.starts_with('3') {
                    continue;
                }
                let schema = &response["content"]["application/json"]["schema"];
                assert!(
                    schema.is_object(),
                    "{method} {path} {status}: no JSON body described"
                );
            }
        }
    }
    assert!(operations > 30, "{operations}");
}

on_both!(
    a_refused_publication_always_has_the_documented_shape,
    async |t: &TestApp| {
        let email = t.login_email("pcn_manager", Some(OWN_PCN)).await;
        let manager = t.logged_in(&email).await;
        let from = next_monday(t.app.today()).to_string();
        let body = json!({ "pcn": OWN_PCN, "from": from, "weeks": 1, "time_limit_seconds": 1 });
        let (status, created) = post_json(t, &manager, "/api/rotas", body).await;
        assert_eq!(status, 202, "{created}");
        let id = created["id"].as_str().unwrap();
        // Still queued: refused with 409, in the body the document gives for 409.
        let (status, refused) =
            post_json(t, &manager, &format!("/api/rotas/{id}/publish"), json!({})).await;
        assert_eq!(status, 409, "{refused}");
        assert!(refused["error"].as_str().is_some(), "{refused}");
        assert_eq!(refused["fields"], json!([]), "{refused}");
        assert_eq!(refused["problems"], json!([]), "{refused}");
        let doc = serde_json::to_value(web::openapi_document()).unwrap();
        let documented = &doc["components"]["schemas"]["PublishRefusedDto"]["required"];
        for key in documented.as_array().unwrap() {
            assert!(
                refused.get(key.as_str().unwrap()).is_some(),
                "{key} missing: {refused}"
            );
        }
    }
);
