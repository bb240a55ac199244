//! `gpteam backup` and `gpteam restore`: a consistent copy of an SQLite database taken while
//! the server runs, and putting one back. PostgreSQL is backed up with `pg_dump`, which this
//! command names instead of imitating.
use crate::{DatabaseArgs, Refused, config, redact};
use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use store::{Backend, Store};

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (it must not exist yet).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    db: DatabaseArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `gpteam backup`.
    file: PathBuf,
    /// Replace a database that already has accounts.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    db: DatabaseArgs,
}

fn database_url(db: &DatabaseArgs) -> anyhow::Result<String> {
    let file = config::FileConfig::load()?;
    Ok(config::database_url(db.database_url.clone(), &file))
}

/// The `pg_dump` / `pg_restore` commands for a PostgreSQL URL, password hidden.
fn pg_advice(url: &str, out: &str) -> String {
    let url = redact(url);
    format!(
        "gpteam backs up SQLite only; back up PostgreSQL with pg_dump:\n  \
         pg_dump --format=custom --file={out} '{url}'\n\
         and restore it into an empty database with:\n  \
         pg_restore --no-owner --dbname='{url}' {out}"
    )
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let url = database_url(&args.db)?;
    if Backend::of_url(&url)? == Backend::Postgres {
        eprintln!("{}", pg_advice(&url, &args.out.display().to_string()));
        return Ok(ExitCode::from(2));
    }
    if args.out.exists() {
        return Err(Refused(format!(
            "{} already exists: name a new file for the backup",
            args.out.display()
        ))
        .into());
    }
    let path = store::backup::sqlite_path(&url)
        .ok_or_else(|| Refused(format!("{} names no database file", redact(&url))))?;
    if !path.exists() {
        return Err(Refused(format!("there is no database at {}", path.display())).into());
    }
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("opening the database {}", redact(&url)))?;
    store
        .backup_sqlite(&args.out)
        .await
        .with_context(|| format!("writing the backup {}", args.out.display()))?;
    store.close().await;
    println!("backed up {} to {}", path.display(), args.out.display());
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let url = database_url(&args.db)?;
    if Backend::of_url(&url)? == Backend::Postgres {
        eprintln!("{}", pg_advice(&url, &args.file.display().to_string()));
        return Ok(ExitCode::from(2));
    }
    let target = store::backup::sqlite_path(&url)
        .ok_or_else(|| Refused(format!("{} names no database file", redact(&url))))?;
    if !args.file.is_file() {
        return Err(Refused(format!("{}: no such file", args.file.display())).into());
    }
    let source_url = format!("sqlite://{}?mode=rw", args.file.display());
    let source = Store::connect(&source_url).await.map_err(|e| {
        Refused(format!(
            "{} is not an SQLite database: {e}",
            args.file.display()
        ))
    })?;
    if !source.is_gpteam_database().await.unwrap_or(false) {
        return Err(Refused(format!(
            "{} is not a gpteam database (it has no gpteam migrations)",
            args.file.display()
        ))
        .into());
    }
    if target.exists() {
        let existing = Store::connect(&url)
            .await
            .with_context(|| format!("opening the database {}", target.display()))?;
        let accounts = existing.account_count().await?;
        existing.close().await;
        if accounts > 0 && !args.force {
            return Err(Refused(format!(
                "{} already has {accounts} account(s): stop the server and add --force to replace it",
                target.display()
            ))
            .into());
        }
    }
    store::backup::restore_sqlite(&source, &target)
        .await
        .with_context(|| format!("restoring into {}", target.display()))?;
    source.close().await;
    let restored = Store::connect(&url).await?;
    restored
        .migrate()
        .await
        .context("bringing the restored database up to this version's migrations")?;
    restored.close().await;
    println!("restored {} into {}", args.file.display(), target.display());
    Ok(ExitCode::SUCCESS)
}
