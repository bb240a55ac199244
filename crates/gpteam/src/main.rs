//! The `gpteam` binary: the only place that reads configuration and chooses the database.
//!
//! Flags are read in two stages: clap parses raw flags (`Cli`), then each command turns
//! them into checked arguments and runs. Exit codes: 0 success, 1 the input was refused
//! (a bad file, an unknown practice), 2 usage or setup errors.
mod backup;
mod bench_forecast;
mod bench_import;
#[cfg(feature = "bench")]
mod bench_load;
#[cfg(feature = "bench")]
mod bench_pages;
mod bench_rota;
mod config;
mod demo_cli;
mod forecast;
mod import_cli;
mod listen;
mod mail;
mod rota_cli;
mod serve;
mod shift_scheduling;
#[cfg(feature = "bench")]
mod soak;
#[cfg(feature = "bench")]
mod soak_writers;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use config::FileConfig;
use std::io::Write;
use std::process::ExitCode;

use demo_cli::{demo, print_demo_logins};
use import_cli::import;
use serve::serve;

#[derive(Debug, Parser)]
#[command(
    name = "gpteam",
    version,
    about = "Operations system for general practice and PCN managers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args, Clone)]
struct DatabaseArgs {
    /// `sqlite://PATH` (the default, `sqlite://gpteam.db`) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "GPTEAM_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web application.
    Serve(ServeArgs),
    /// Load demo data, or print the demo log-ins.
    Demo(DemoArgs),
    /// Import a file (all-or-nothing).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export data.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Apply database migrations.
    Migrate(DatabaseArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage system administrators.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Build a rota with the optimiser.
    #[command(subcommand)]
    Solve(SolveCommand),
    /// Measure the optimiser on fixed inputs and print a table.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Forecast appointments from a GPAD file, or backtest the forecaster on it.
    Forecast(forecast::ForecastArgs),
    /// Write a consistent copy of the SQLite database while it runs (PostgreSQL: pg_dump).
    Backup(backup::BackupArgs),
    /// Put back an SQLite database from a backup.
    Restore(backup::RestoreArgs),
    /// Send reminder emails now (the server also sends them hourly when SMTP is set).
    #[command(subcommand)]
    Remind(RemindCommand),
}

#[derive(Debug, Args, Clone)]
struct MailArgs {
    /// The SMTP server: `smtp://host:25`, `smtp://user:pass@host:587?tls=required` or
    /// `smtps://user:pass@host:465`.
    #[arg(long, env = "GPTEAM_SMTP_URL")]
    smtp_url: Option<String>,
    /// The address reminders come from.
    #[arg(
        long,
        env = "GPTEAM_MAIL_FROM",
        default_value = "gpteam <gpteam@localhost>"
    )]
    mail_from: String,
}

#[derive(Debug, Subcommand)]
enum RemindCommand {
    /// Email people whose training expires within 30 days, and managers their weekly
    /// digest. Each reminder goes once, however often this runs.
    Training {
        #[command(flatten)]
        mail: MailArgs,
        /// Run as of this day (YYYY-MM-DD) instead of today.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Email people whose appraisal or revalidation is due within 30 days. Each reminder
    /// goes once per person and date, however often this runs.
    Development {
        #[command(flatten)]
        mail: MailArgs,
        /// Run as of this day (YYYY-MM-DD) instead of today.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Load the demo PCN when the database is empty.
    #[arg(long)]
    demo: bool,
    /// Address to listen on.
    #[arg(long, env = "GPTEAM_ADDR")]
    addr: Option<String>,
    #[command(flatten)]
    db: DatabaseArgs,
    /// Send cookies only over HTTPS. On by default unless listening on a loopback address.
    #[arg(long, env = "GPTEAM_SECURE_COOKIES")]
    secure_cookies: Option<bool>,
    #[command(flatten)]
    mail: MailArgs,
    /// The address people reach gpteam at, for the links in invitations and password
    /// resets (default: http://<listen address>).
    #[arg(long, env = "GPTEAM_PUBLIC_URL")]
    public_url: Option<String>,
    #[command(flatten)]
    sign_in: config::SignInArgs,
    /// Share the port with other `gpteam serve` processes on this machine (SO_REUSEPORT).
    #[arg(long)]
    reuse_port: bool,
    /// Seconds without a heartbeat after which a running rota counts as abandoned (its
    /// server died) and another worker takes it over.
    #[arg(long, env = "GPTEAM_ROTA_LEASE_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(2..=3600))]
    rota_lease_seconds: u64,
    /// Seconds an ICS's aggregate figures are kept before they are counted again (0: count
    /// on every look). Counting a whole ICS reads every person of it.
    #[arg(long, env = "GPTEAM_ICS_FIGURES_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=3600))]
    ics_figures_seconds: u64,
    /// Days within which a manager's training reminder is not sent again to the same
    /// person for the same topic.
    #[arg(long, env = "GPTEAM_TRAINING_REMINDER_DAYS", default_value_t = 7, value_parser = clap::value_parser!(i64).range(1..=365))]
    training_reminder_days: i64,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
struct DemoArgs {
    #[command(subcommand)]
    command: Option<DemoCommand>,
    /// Generate a synthetic system of this many practices, with a year of published rotas,
    /// instead of the demo PCN.
    #[arg(long)]
    practices: Option<usize>,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
enum DemoCommand {
    /// Print the demo accounts as CSV: email,role,organisation.
    Logins(DatabaseArgs),
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// The team register from CSV or XLSX (header documented in the README).
    Staff(ImportArgs),
    /// The ODS `epraccur` file of GP practices, as published.
    OdsPractices(ImportArgs),
    /// The `gp-reg-pat-prac-all` file of registered list sizes.
    ListSizes(ImportArgs),
    /// A GPAD appointments file (monthly CCG or daily sub-ICB layout), streamed.
    Appointments(ImportArgs),
    /// NHS Digital's ePCN core-partner file (CSV, or the workbook): PCNs and which practice
    /// is in which, from when.
    PcnMembership(PcnMembershipArgs),
    /// NHS Digital's "NHS Payments to General Practice" file (CSV as published), one
    /// financial year: replaces that year for each practice in the file.
    Payments(PaymentsArgs),
}

#[derive(Debug, Args)]
struct PaymentsArgs {
    file: std::path::PathBuf,
    /// The financial year, like 2022-23, when the file's name does not say it.
    #[arg(long)]
    year: Option<String>,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Args)]
struct PcnMembershipArgs {
    file: std::path::PathBuf,
    /// The ICS (code or name) of PCNs the file names that gpteam does not have yet.
    #[arg(long)]
    ics: Option<String>,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Args)]
struct ImportArgs {
    file: std::path::PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Everyone working at a practice, in the import file's layout.
    Staff {
        /// The practice's ODS code.
        #[arg(long)]
        practice: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a system administrator. The password is read from GPTEAM_PASSWORD or the
    /// first line of standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account. The password is read from GPTEAM_PASSWORD or the first line of
    /// standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// system_admin, pcn_manager, practice_manager, staff or ics_viewer.
        #[arg(long)]
        role: String,
        /// The PCN code, practice ODS code or ICS code the account belongs to (none for
        /// a system administrator).
        #[arg(long, default_value = "")]
        organisation: String,
        /// Link the account to the staff member with this email.
        #[arg(long)]
        staff_email: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
enum SolveCommand {
    /// Solve one instance of the public shift-scheduling benchmark.
    ShiftScheduling(shift_scheduling::SolveArgs),
    /// Solve a rota for a PCN or practice in the database; exit 0 when no hard rule is
    /// broken, 1 otherwise.
    Rota(rota_cli::SolveRotaArgs),
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Run every instance of a folder of the shift-scheduling benchmark.
    ShiftScheduling(shift_scheduling::BenchArgs),
    /// Time importing a large GPAD file into SQLite (and PostgreSQL).
    AppointmentsImport(bench_import::ImportBenchArgs),
    /// Time the training matrix page of a generated 1,000-person PCN on SQLite.
    #[cfg(feature = "bench")]
    TrainingMatrix(bench_pages::MatrixBenchArgs),
    /// The rota of the demo PCN and of a generated 5-practice PCN: time to no hard rule
    /// broken, and short budgets against a long one.
    Rota(bench_rota::RotaBenchArgs),
    /// Crash safety: kill -9 a server under concurrent writes, again and again, and check
    /// every acknowledged write and the database after each restart.
    #[cfg(feature = "bench")]
    Soak(soak::SoakArgs),
    /// Load a running server at a fixed rate and report p50/p99/errors per page.
    #[cfg(feature = "bench")]
    Load(bench_load::LoadArgs),
    /// The rolling-origin backtest of the demand forecaster over every GPAD file in a
    /// folder, beside the working-day naive, naive and seasonal-naive benchmarks.
    Forecast(bench_forecast::ForecastBenchArgs),
}

#[cfg(feature = "bench")]
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")
}

/// An error the user caused (bad input): exit code 1, not 2.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GPTEAM_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Solve(SolveCommand::ShiftScheduling(args)) => shift_scheduling::solve(args),
        Command::Bench(BenchCommand::ShiftScheduling(args)) => shift_scheduling::bench(args),
        Command::Bench(BenchCommand::AppointmentsImport(args)) => {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the runtime")
                .and_then(|rt| rt.block_on(bench_import::run(args)))
        }
        #[cfg(feature = "bench")]
        Command::Bench(BenchCommand::TrainingMatrix(args)) => {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the runtime")
                .and_then(|rt| rt.block_on(bench_pages::run(args)))
        }
        Command::Bench(BenchCommand::Rota(args)) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the runtime")
            .and_then(|rt| rt.block_on(bench_rota::run(args))),
        #[cfg(feature = "bench")]
        Command::Bench(BenchCommand::Soak(args)) => {
            runtime().and_then(|rt| rt.block_on(soak::run(args)))
        }
        Command::Bench(BenchCommand::Forecast(args)) => bench_forecast::run(args),
        #[cfg(feature = "bench")]
        Command::Bench(BenchCommand::Load(args)) => {
            runtime().and_then(|rt| rt.block_on(bench_load::run(args)))
        }
        Command::Forecast(args) => forecast::run(args),
        other => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the runtime")
            .and_then(|rt| rt.block_on(run(other))),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("gpteam: {err:#}");
            if err.downcast_ref::<Refused>().is_some() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

async fn open(db: &DatabaseArgs) -> anyhow::Result<(app::App, String)> {
    let file = FileConfig::load()?;
    let url = config::database_url(db.database_url.clone(), &file);
    let store = store::Store::connect(&url)
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))?;
    store
        .migrate()
        .await
        .context("applying database migrations")?;
    let mut app = app::App::with_clock(store, clock_from_env()?);
    if let Some(path) = config::wellbeing_key_file(&url) {
        app = app.with_wellbeing_key(app::wellbeing::SealKey::load_or_create(&path)?);
    }
    Ok((app, url))
}

/// The system clock, or for tests and walk-throughs the instant in `GPTEAM_NOW`
/// (RFC 3339), held still.
fn clock_from_env() -> anyhow::Result<app::clock::Clock> {
    match std::env::var("GPTEAM_NOW") {
        Ok(text) if !text.trim().is_empty() => {
            let at = chrono::DateTime::parse_from_rfc3339(text.trim())
                .with_context(|| format!("GPTEAM_NOW '{text}' is not an RFC 3339 time"))?;
            Ok(app::clock::Clock::fixed(at.with_timezone(&chrono::Utc)))
        }
        _ => Ok(app::clock::Clock::system()),
    }
}

/// Hides a password in a database URL before printing it.
fn redact(url: &str) -> String {
    app::mail::redact_url(url)
}

/// The demo password: from GPTEAM_DEMO_PASSWORD, or made up and printed once.
fn demo_password() -> (String, bool) {
    match std::env::var("GPTEAM_DEMO_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => {
            use rand::Rng;
            let p: String = rand::thread_rng()
                .sample_iter(&rand::distributions::Alphanumeric)
                .take(16)
                .map(char::from)
                .collect();
            (p, true)
        }
    }
}

fn refused(error: app::AppError) -> anyhow::Error {
    match error {
        app::AppError::Import(_)
        | app::AppError::Invalid(_)
        | app::AppError::NotFound
        | app::AppError::Conflict(_) => anyhow::Error::new(Refused(error.to_string())),
        other => anyhow::Error::new(other),
    }
}

async fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Demo(args) => demo(args).await,
        Command::Import(command) => import(command).await,
        Command::Export(ExportCommand::Staff {
            practice,
            format,
            out,
            db,
        }) => {
            let (app, _) = open(&db).await?;
            let bytes = app
                .imports()
                .export_staff(
                    None,
                    &practice.to_uppercase(),
                    matches!(format, ExportFormat::Xlsx),
                )
                .await
                .map_err(refused)?;
            match out {
                Some(path) => std::fs::write(&path, bytes)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => std::io::stdout().write_all(&bytes)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Migrate(db) => {
            let (_, url) = open(&db).await?;
            println!("migrated {}", redact(&url));
            Ok(ExitCode::SUCCESS)
        }
        Command::User(UserCommand::Add {
            email,
            name,
            role,
            organisation,
            staff_email,
            db,
        }) => {
            let (app, _) = open(&db).await?;
            let password = read_password()?;
            let role = domain::account::UserRole::parse(&role).ok_or_else(|| {
                Refused(format!(
                    "'{role}' is not a role: use system_admin, pcn_manager, practice_manager, staff or ics_viewer"
                ))
            })?;
            let id = app
                .accounts()
                .create_account(
                    &email,
                    &name,
                    role,
                    &organisation,
                    staff_email.as_deref(),
                    &password,
                )
                .await
                .map_err(refused)?;
            println!("created account {email} ({id})");
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin(AdminCommand::Create { email, name, db }) => {
            let (app, _) = open(&db).await?;
            let password = read_password()?;
            let id = app
                .accounts()
                .create_account(
                    &email,
                    &name,
                    domain::account::UserRole::SystemAdmin,
                    "",
                    None,
                    &password,
                )
                .await
                .map_err(refused)?;
            println!("created system administrator {email} ({id})");
            Ok(ExitCode::SUCCESS)
        }
        Command::Remind(RemindCommand::Training { mail, today, db }) => {
            let url = mail
                .smtp_url
                .ok_or_else(|| Refused("set --smtp-url or GPTEAM_SMTP_URL".into()))?;
            let mailer = mail::smtp(&url, &mail.mail_from)?;
            let (app, _) = open(&db).await?;
            let day = today.unwrap_or_else(|| app.today());
            let summary = app
                .training()
                .send_training_reminders(&mailer, day)
                .await
                .map_err(refused)?;
            println!("{summary}");
            Ok(if summary.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Remind(RemindCommand::Development { mail, today, db }) => {
            let url = mail
                .smtp_url
                .ok_or_else(|| Refused("set --smtp-url or GPTEAM_SMTP_URL".into()))?;
            let mailer = mail::smtp(&url, &mail.mail_from)?;
            let (app, _) = open(&db).await?;
            let day = today.unwrap_or_else(|| app.today());
            let summary = app
                .development()
                .send_development_reminders(&mailer, day)
                .await
                .map_err(refused)?;
            println!("{summary}");
            Ok(if summary.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Solve(SolveCommand::Rota(args)) => rota_cli::solve(args).await,
        Command::Solve(_) | Command::Bench(_) | Command::Forecast(_) => {
            unreachable!("run synchronously in main")
        }
    }
}

/// A new account's password: `GPTEAM_PASSWORD`, else the first line of standard input.
fn read_password() -> anyhow::Result<String> {
    match std::env::var("GPTEAM_PASSWORD") {
        Ok(p) => Ok(p),
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok(line.trim_end_matches(['\r', '\n']).to_string())
        }
    }
}
