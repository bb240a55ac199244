//! `gpteam bench training-matrix`: serves a generated PCN of about 1,000 people (every
//! practice of a synthetic system moved into one PCN, with demo training records) from a
//! fresh SQLite file, logs in as its PCN manager over HTTP, and times the training matrix
//! page of the whole PCN and of one practice against the PCN overview page (the baseline)
//! in the same run.
use anyhow::Context;
use clap::Args;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct MatrixBenchArgs {
    /// People in the generated PCN (at least).
    #[arg(long, default_value_t = 1000)]
    people: usize,
    /// Requests timed per page (after one warm-up request).
    #[arg(long, default_value_t = 20)]
    rounds: usize,
}

const PASSWORD: &str = "bench-password-123";

/// A synthetic system large enough for `people`, every practice in the first PCN.
fn one_big_pcn(people: usize, today: chrono::NaiveDate) -> demo::DemoData {
    let mut practices = people / 15 + 1;
    loop {
        let mut data = demo::generate(&demo::DemoOptions {
            practices,
            seed: 7,
            today,
        });
        if data.staff.len() >= people {
            let pcn = data.pcns[0].code.clone();
            data.pcns.truncate(1);
            for practice in &mut data.practices {
                practice.pcn_code = pcn.clone();
            }
            for person in &mut data.staff {
                if let domain::org::Employer::Pcn(code) = &mut person.draft.employer {
                    *code = pcn.clone();
                }
            }
            data.accounts.retain(|a| {
                a.role != domain::account::UserRole::PcnManager || a.organisation == pcn.as_str()
            });
            return data;
        }
        practices += practices / 4 + 1;
    }
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

pub async fn run(args: MatrixBenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = store::Store::connect(&url).await?;
    store.migrate().await?;
    let app = app::App::new(store);
    let data = one_big_pcn(args.people, app.today());
    let pcn = data.pcns[0].code.to_string();
    let practice = data.practices[0].ods_code.to_string();
    let summary = app.demo().load_demo(&data, PASSWORD).await?;
    let manager = app
        .demo()
        .demo_logins()
        .await?
        .into_iter()
        .find(|l| l.role == "pcn_manager")
        .context("the generated PCN has a manager")?;
    let sessions = store::accounts::sessions::SessionBackend::connect(&url).await?;
    let router = web::router(
        app,
        sessions,
        &web::WebConfig {
            secure_cookies: false,
            mailer: std::sync::Arc::new(app::mail::LogMailer),
            public_url: "http://127.0.0.1".into(),
            sign_in: Default::default(),
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(web::serve(listener, router));

    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let login_page = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let token = login_page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("the log-in page carries a CSRF token")?
        .to_string();
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("email", manager.email.as_str()),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success() || response.status().is_redirection(),
        "log-in failed: {}",
        response.status()
    );

    println!(
        "generated PCN {pcn}: {} practices, {} people (SQLite, {} timed requests a page, median)",
        summary.practices, summary.staff, args.rounds
    );
    let pages = [
        ("PCN overview (baseline)", format!("{base}/pcns/{pcn}")),
        (
            "training matrix, whole PCN",
            format!("{base}/pcns/{pcn}/training"),
        ),
        (
            "training matrix, one practice",
            format!("{base}/practices/{practice}/training"),
        ),
    ];
    let mut baseline = None;
    for (label, page) in pages {
        let first = client.get(&page).send().await?;
        anyhow::ensure!(first.status().is_success(), "{page}: {}", first.status());
        let bytes = first.bytes().await?.len();
        let mut times = Vec::with_capacity(args.rounds);
        for _ in 0..args.rounds {
            let started = Instant::now();
            let body = client.get(&page).send().await?.bytes().await?;
            times.push(started.elapsed());
            anyhow::ensure!(!body.is_empty(), "{page} answered nothing");
        }
        let ms = median(times);
        let base_ms = *baseline.get_or_insert(ms);
        println!(
            "{label:<32} {ms:>8.1} ms  {:>5.2} ×  ({} kB)",
            ms / base_ms,
            bytes / 1024
        );
    }
    Ok(ExitCode::SUCCESS)
}
