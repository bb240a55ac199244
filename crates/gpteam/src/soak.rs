//! `gpteam bench soak`: crash safety. Starts `gpteam serve` on a fresh database holding
//! the demo PCN, runs concurrent writes through the JSON API as the demo users (staff
//! imports, new staff, leave requests, wellbeing check-ins, rota requests and
//! publications), and kills the server with SIGKILL at a random moment, again and again.
//! Every write the server acknowledged (a 2xx answer) is recorded; after each kill the
//! database must pass its integrity check (`Store::integrity_problems`), and after each
//! restart every acknowledged write must be there and every rota left running by the
//! killed server must be taken over or ended within the lease — never stuck "running".
use crate::soak_writers::{Acked, Writers};
use anyhow::{Context, bail, ensure};
use clap::Args;
use rand::{Rng, SeedableRng};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct SoakArgs {
    /// A PostgreSQL server (`postgres://USER@HOST:PORT/postgres`) to make a fresh database
    /// on, dropped at the end; without it, a fresh SQLite file.
    #[arg(long)]
    postgres: Option<String>,
    /// How many times the server is killed.
    #[arg(long, default_value_t = 100)]
    kills: usize,
    /// The longest stretch of writes before a kill, in seconds (each is drawn from 0.2 s
    /// up to this).
    #[arg(long, default_value_t = 1.5)]
    max_run: f64,
    /// The rota lease the servers run with, in seconds.
    #[arg(long, default_value_t = 2)]
    lease: u64,
    /// Seed of the kill times.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub const PASSWORD: &str = "soak-password-123";

/// A fresh database for the soak: its URL, and the PostgreSQL one to drop at the end.
async fn fresh_database(args: &SoakArgs, dir: &std::path::Path) -> anyhow::Result<String> {
    Ok(match &args.postgres {
        None => format!("sqlite://{}", dir.join("soak.db").display()),
        Some(server) => {
            let name = format!("gpteam_soak_{}", std::process::id());
            store::testing::create_postgres_database(server, &name).await?
        }
    })
}

/// A running `gpteam serve`.
struct Server {
    child: std::process::Child,
}

impl Server {
    fn start(url: &str, addr: &str, lease: u64, log: &std::path::Path) -> anyhow::Result<Server> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let child = std::process::Command::new(std::env::current_exe()?)
            .args([
                "serve",
                "--reuse-port",
                "--addr",
                addr,
                "--database-url",
                url,
            ])
            .env("GPTEAM_ROTA_LEASE_SECONDS", lease.to_string())
            .env("RUST_LOG", "warn")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("starting gpteam serve")?;
        Ok(Server { child })
    }

    /// SIGKILL: no shutdown, no flush, as a crash or the OOM killer would.
    fn kill(&mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

async fn wait_healthy(client: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(r) = client.get(format!("{base}/health")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the server did not answer /health within 60 s")
}

/// What the soak found, for the closing line.
#[derive(Default)]
struct Tally {
    integrity_checks: usize,
    verified_rounds: usize,
    running_at_kill: usize,
    taken_over: usize,
    failed_for_good: usize,
}

pub async fn run(args: SoakArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let url = fresh_database(&args, dir.path()).await?;
    let engine = if args.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let store = store::Store::connect(&url).await?;
    store.migrate().await?;
    let app = app::App::new(store.clone());
    app.demo()
        .load_demo(&demo::demo_pcn(app.today()), PASSWORD)
        .await?;
    let logins = app.demo().demo_logins().await?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let base = format!("http://{addr}");
    let log = dir.path().join("server.log");
    let mut server = Server::start(&url, &addr, args.lease, &log)?;
    let probe = reqwest::Client::new();
    wait_healthy(&probe, &base).await?;
    let writers = Arc::new(Writers::log_in(&base, &logins, PASSWORD, app.today()).await?);
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let mut tally = Tally::default();
    let started = Instant::now();
    println!(
        "soak on {engine}: {} kills, writes for 0.2–{} s before each (server log: {})",
        args.kills,
        args.max_run,
        log.display()
    );
    let result = async {
        for round in 0..args.kills {
            let up = Arc::new(AtomicBool::new(true));
            let tasks = writers.spawn(up.clone());
            let run = rng.gen_range(0.2..args.max_run.max(0.21));
            tokio::time::sleep(Duration::from_secs_f64(run)).await;
            server.kill()?;
            up.store(false, Ordering::SeqCst);
            for task in tasks {
                task.await?;
            }
            // The server is dead: the database as it left it.
            let problems = store.integrity_problems().await?;
            ensure!(
                problems.is_empty(),
                "kill {}: the database fails its check: {problems:?}",
                round + 1
            );
            tally.integrity_checks += 1;
            let mut conn = store.conn().await?;
            let orphaned = store::rota::running(&mut conn).await?;
            drop(conn);
            tally.running_at_kill += orphaned.len();
            server = Server::start(&url, &addr, args.lease, &log)?;
            wait_healthy(&probe, &base).await?;
            let missing = writers.verify(&store).await?;
            ensure!(
                missing.is_empty(),
                "kill {}: acknowledged writes missing after the restart: {missing:?}",
                round + 1
            );
            tally.verified_rounds += 1;
            let (taken, failed) = rotas_moved_on(&store, &orphaned, args.lease).await?;
            tally.taken_over += taken;
            tally.failed_for_good += failed;
        }
        anyhow::Ok(())
    }
    .await;
    let _ = server.kill();
    let acked = writers.acked();
    let total = acked.total();
    if let Some(server) = &args.postgres {
        store.close().await;
        let name = format!("gpteam_soak_{}", std::process::id());
        store::testing::drop_postgres_database(server, &name).await?;
    }
    result.with_context(|| format!("server log: {}", log.display()))?;
    println!(
        "soak on {engine}: {} kills in {:.0} s; {total} acknowledged writes ({}), every one found after every restart ({} checks); {} integrity checks passed; {} rotas running at a kill, {} taken over or finished within the lease, {} failed after {} attempts, 0 stuck",
        args.kills,
        started.elapsed().as_secs_f64(),
        acked.summary(),
        tally.verified_rounds,
        tally.integrity_checks,
        tally.running_at_kill,
        tally.taken_over,
        tally.failed_for_good,
        store::rota::MAX_ATTEMPTS,
    );
    Ok(ExitCode::SUCCESS)
}

/// Waits (up to the lease and 20 s more) until every rota the killed server was running
/// has been claimed by the new server's worker or has ended. Returns how many moved on
/// and how many of those were failed for good (too many attempts).
async fn rotas_moved_on(
    store: &store::Store,
    orphaned: &[store::rota::RotaRow],
    lease: u64,
) -> anyhow::Result<(usize, usize)> {
    let deadline = Instant::now() + Duration::from_secs(lease + 20);
    let mut conn = store.conn().await?;
    loop {
        let mut stuck = Vec::new();
        let mut failed = 0;
        for old in orphaned {
            let now = store::rota::get_rota(&mut conn, &old.id)
                .await?
                .context("a rota vanished")?;
            if now.status == "running" && now.worker == old.worker {
                stuck.push(old.id.clone());
            } else if now.status == "failed" {
                failed += 1;
            }
        }
        if stuck.is_empty() {
            return Ok((orphaned.len(), failed));
        }
        ensure!(
            Instant::now() < deadline,
            "rotas still running for a killed server {} s after the restart: {stuck:?}",
            lease + 20
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

impl Acked {
    pub fn total(&self) -> usize {
        self.staff.len()
            + self.imported.len()
            + self.leave.len()
            + self.checkins.len()
            + self.rotas.len()
            + self.published.len()
    }

    pub fn summary(&self) -> String {
        format!(
            "{} staff imports, {} staff created, {} leave requests, {} check-ins, {} rota requests, {} publications",
            self.imported.len(),
            self.staff.len(),
            self.leave.len(),
            self.checkins.len(),
            self.rotas.len(),
            self.published.len()
        )
    }
}
