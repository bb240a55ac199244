//! `gpteam bench load`: an open-loop load test of a running server. Logs in as the first
//! demo practice manager, PCN manager and ICS viewer (`gpteam demo logins` of the same
//! database), then sends requests at a fixed rate across the dashboards, the PCN and ICS
//! pages, the training matrices and the API, in turn, for a fixed time, and prints each
//! page's requests, p50, p99, max and errors (non-2xx or no answer). A request's time runs
//! from when it was due, not when it was sent, so a server that falls behind is charged
//! for the wait (no coordinated omission).
use anyhow::Context;
use clap::Args;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The server, e.g. http://127.0.0.1:8080 (loopback only).
    #[arg(long)]
    base: String,
    /// Requests a second, all pages together.
    #[arg(long, default_value_t = 200)]
    rate: u32,
    /// Seconds to send for (at most 600).
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// The demo password of the database the server holds.
    #[arg(long, env = "GPTEAM_DEMO_PASSWORD")]
    password: String,
    /// Leave out these pages (comma-separated paths, e.g. `/system,/api/system`).
    #[arg(long, value_delimiter = ',')]
    without: Vec<String>,
    #[command(flatten)]
    db: crate::DatabaseArgs,
}

/// Latencies in ms and errors of one page.
#[derive(Default)]
struct PageTimes {
    ms: Vec<f64>,
    errors: usize,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i]
}

async fn client_for(base: &str, email: &str, password: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(10))
        .build()?;
    let body = serde_json::json!({ "email": email, "password": password }).to_string();
    let r = client
        .post(format!("{base}/api/login"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "log-in of {email}: {}", r.status());
    Ok(client)
}

pub async fn run(args: LoadArgs) -> anyhow::Result<ExitCode> {
    let host = args
        .base
        .trim_start_matches("http://")
        .split([':', '/'])
        .next()
        .unwrap_or_default();
    anyhow::ensure!(
        host == "localhost" || host.starts_with("127.") || host == "[::1]",
        "the load test only targets this machine (127.0.0.1, localhost)"
    );
    anyhow::ensure!(
        args.seconds <= 600 && args.rate > 0,
        "--seconds at most 600, --rate above 0"
    );
    let base = args.base.trim_end_matches('/').to_string();
    let (app, _) = crate::open(&args.db).await?;
    let logins = app.demo().demo_logins().await?;
    let first = |role: &str| {
        logins
            .iter()
            .find(|l| l.role == role)
            .with_context(|| format!("the database has a demo {role}"))
    };
    let (pm, pcn, ics) = (
        first("practice_manager")?,
        first("pcn_manager")?,
        first("ics_viewer")?,
    );
    let pm_client = client_for(&base, &pm.email, &args.password).await?;
    let pcn_client = client_for(&base, &pcn.email, &args.password).await?;
    let ics_client = client_for(&base, &ics.email, &args.password).await?;
    let (ods, code) = (&pm.organisation, &pcn.organisation);
    let pages: Vec<(String, reqwest::Client)> = vec![
        (format!("/practices/{ods}"), pm_client.clone()),
        (format!("/practices/{ods}/staff"), pm_client.clone()),
        (format!("/practices/{ods}/training"), pm_client.clone()),
        (format!("/pcns/{code}"), pcn_client.clone()),
        (format!("/pcns/{code}/training"), pcn_client.clone()),
        ("/system".to_string(), ics_client.clone()),
        ("/api/me".to_string(), pm_client.clone()),
        (format!("/api/practices/{ods}/staff"), pm_client.clone()),
        (
            format!("/api/practices/{ods}/training-matrix"),
            pm_client.clone(),
        ),
        (format!("/api/pcns/{code}"), pcn_client.clone()),
        ("/api/system".to_string(), ics_client.clone()),
    ];
    let pages: Vec<(String, reqwest::Client)> = pages
        .into_iter()
        .filter(|(path, _)| !args.without.contains(path))
        .collect();
    anyhow::ensure!(!pages.is_empty(), "--without left no page");
    for (path, client) in &pages {
        let r = client.get(format!("{base}{path}")).send().await?;
        anyhow::ensure!(r.status().is_success(), "{path}: {}", r.status());
    }
    let times: Arc<Vec<Mutex<PageTimes>>> =
        Arc::new(pages.iter().map(|_| Mutex::default()).collect());
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.rate));
    let total = args.rate as usize * args.seconds as usize;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let due = start + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let page = i % pages.len();
        let (path, client) = (&pages[page].0, pages[page].1.clone());
        let url = format!("{base}{path}");
        let times = times.clone();
        tasks.push(tokio::spawn(async move {
            let ok = match client.get(url).send().await {
                Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                Err(_) => false,
            };
            let mut t = times[page].lock().expect("times");
            if ok {
                t.ms.push(due.elapsed().as_secs_f64() * 1000.0);
            } else {
                t.errors += 1;
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let sent_for = start.elapsed().as_secs_f64();
    println!(
        "{total} requests at {} a second over {sent_for:.1} s to {base} (time from when each was due)",
        args.rate
    );
    println!("| page | requests | p50 ms | p99 ms | max ms | errors |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let mut all = Vec::new();
    let mut errors = 0;
    for ((path, _), t) in pages.iter().zip(times.iter()) {
        let mut t = t.lock().expect("times");
        t.ms.sort_by(f64::total_cmp);
        all.extend_from_slice(&t.ms);
        errors += t.errors;
        println!(
            "| `{path}` | {} | {:.1} | {:.1} | {:.1} | {} |",
            t.ms.len() + t.errors,
            quantile(&t.ms, 0.5),
            quantile(&t.ms, 0.99),
            t.ms.last().copied().unwrap_or(f64::NAN),
            t.errors
        );
    }
    all.sort_by(f64::total_cmp);
    println!(
        "| all | {} | {:.1} | {:.1} | {:.1} | {errors} |",
        all.len() + errors,
        quantile(&all, 0.5),
        quantile(&all, 0.99),
        all.last().copied().unwrap_or(f64::NAN)
    );
    Ok(ExitCode::SUCCESS)
}
