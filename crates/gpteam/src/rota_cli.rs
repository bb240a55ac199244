//! `gpteam solve rota`: a rota for a PCN or practice from the command line, and the
//! background worker `gpteam serve` runs for rotas asked for on the web.
use crate::{DatabaseArgs, Refused, open, refused};
use clap::Args;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Args)]
pub struct SolveRotaArgs {
    /// The PCN's code (its whole team across its practices).
    #[arg(
        long,
        conflicts_with = "practice",
        required_unless_present = "practice"
    )]
    pcn: Option<String>,
    /// A practice's ODS code (the people who work there).
    #[arg(long)]
    practice: Option<String>,
    /// The first day, a Monday (YYYY-MM-DD).
    #[arg(long)]
    from: String,
    /// How many weeks, 1–13.
    #[arg(long, default_value = "4")]
    weeks: String,
    /// Seconds the optimiser may run.
    #[arg(long, default_value_t = app::rota::DEFAULT_TIME_LIMIT)]
    time_limit: u32,
    /// Optimiser threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    #[command(flatten)]
    db: DatabaseArgs,
}

/// Solves, prints the score and every problem, and exits 0 when no hard rule is broken.
pub async fn solve(args: SolveRotaArgs) -> anyhow::Result<ExitCode> {
    let period = domain::rota::RotaPeriod::parse(&args.from, &args.weeks)
        .map_err(|e| anyhow::Error::new(Refused(e.to_string())))?;
    let scope = match (args.pcn, args.practice) {
        (Some(pcn), _) => app::rota::RotaScope::Pcn(pcn.trim().to_uppercase()),
        (None, Some(ods)) => app::rota::RotaScope::Practice(ods.trim().to_uppercase()),
        (None, None) => return Err(Refused("give --pcn or --practice".into()).into()),
    };
    let (app, _) = open(&args.db).await?;
    let started = std::time::Instant::now();
    let solved = app
        .rota()
        .solve_rota_now(scope.clone(), period, args.time_limit, args.threads)
        .await
        .map_err(|e| match e {
            app::AppError::NotFound => anyhow::Error::new(Refused(format!(
                "no {} '{}' in the database",
                scope.kind(),
                scope.code()
            ))),
            other => refused(other),
        })?;
    let hard = solved.problems.iter().filter(|p| p.hard).count();
    println!(
        "Rota {} for {} {} from {} for {} weeks: {} people, {} sessions booked, in {:.1} s",
        solved.id,
        scope.kind(),
        scope.code(),
        period.from,
        period.weeks,
        solved.people,
        solved.assignments,
        started.elapsed().as_secs_f64()
    );
    println!(
        "Hard rules broken: {hard}; soft penalty: {}",
        solved.row.soft_penalty.unwrap_or(0)
    );
    for c in &solved.conflicts {
        println!("conflict: {c}");
    }
    for p in &solved.problems {
        println!("{}: {}", if p.hard { "hard" } else { "gap" }, p.message);
    }
    Ok(if hard == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Runs queued rota jobs one after another for as long as the server runs. Each process
/// has its own worker name; the database decides which one takes a job, fairly across
/// organisations, and a job whose worker sent no heartbeat for `lease` is taken over.
pub async fn worker_loop(app: app::App, threads: usize, lease: Duration) {
    let worker = format!(
        "{}-{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "gpteam".into()),
        std::process::id(),
        app::accounts::login::random_token().get(..6).unwrap_or("0")
    );
    loop {
        match app
            .rota()
            .run_next_rota_job_with_lease(&worker, threads, lease)
            .await
        {
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(error) => tracing::warn!("rota worker: {error}"),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
