//! `gpteam bench appointments-import`: builds a large GPAD file by repeating the shared SNEE
//! file under new area codes, then times reading it alone (the baseline) and importing it
//! into SQLite and, when given, PostgreSQL.
use crate::Refused;
use clap::Args;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct ImportBenchArgs {
    /// A GPAD file to repeat (monthly CCG layout).
    #[arg(long)]
    appointments: PathBuf,
    /// Rows of the file to build (at least).
    #[arg(long, default_value_t = 2_000_000)]
    rows: usize,
    /// Also import into this PostgreSQL database (its synthetic areas are replaced each run).
    #[arg(long, env = "GPTEAM_BENCH_POSTGRES_URL")]
    postgres_url: Option<String>,
}

pub async fn run(args: ImportBenchArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::tempdir()?;
    let big = dir.path().join("gpad_repeated.csv");
    let rows = build_file(&args.appointments, &big, args.rows)?;
    let size = std::fs::metadata(&big)?.len();
    println!(
        "file: {rows} rows, {:.0} MB (the shared file repeated under new area codes)",
        size as f64 / 1e6
    );

    let started = Instant::now();
    let parsed = import::read_appointments("gpad_repeated.csv", open(&big)?)
        .map_err(|e| Refused(e.to_string()))?;
    let read_secs = started.elapsed().as_secs_f64();
    println!(
        "{:<28} {:>8.2} s {:>12.0} rows/s  1.00 × (baseline)",
        "read and sum only",
        read_secs,
        rows as f64 / read_secs
    );
    drop(parsed);

    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    let mut targets = vec![("import into SQLite", sqlite)];
    if let Some(url) = args.postgres_url {
        targets.push(("import into PostgreSQL", url));
    }
    for (label, url) in targets {
        let store = store::Store::connect(&url).await?;
        store.migrate().await?;
        let app = app::App::new(store);
        let started = Instant::now();
        let summary = app
            .demand()
            .import_appointments(None, "gpad_repeated.csv", open(&big)?)
            .await
            .map_err(|e| Refused(e.to_string()))?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{label:<28} {secs:>8.2} s {:>12.0} rows/s  {:.2} × ({} counts stored)",
            rows as f64 / secs,
            secs / read_secs,
            summary.rows_stored
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn open(path: &std::path::Path) -> anyhow::Result<BufReader<std::fs::File>> {
    Ok(BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(path)?,
    ))
}

/// Writes the source's rows again and again, each copy under new area codes (`X0001…`),
/// until `want` rows are written. Returns the rows written.
fn build_file(source: &PathBuf, out: &PathBuf, want: usize) -> anyhow::Result<usize> {
    let file =
        std::fs::File::open(source).map_err(|e| Refused(format!("{}: {e}", source.display())))?;
    let mut lines = BufReader::new(file).lines();
    let header = lines
        .next()
        .ok_or_else(|| Refused("the file is empty".into()))??;
    let body: Vec<String> = lines.collect::<Result<_, _>>()?;
    if body.is_empty() {
        return Err(Refused("the file has no rows".into()).into());
    }
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    writeln!(w, "{}", header.trim_end())?;
    let mut written = 0;
    let mut copy = 0;
    while written < want {
        copy += 1;
        for line in &body {
            // The area code is the first field; the rest is kept byte for byte.
            let (area, rest) = line.split_once(',').unwrap_or((line, ""));
            writeln!(w, "X{copy:04}{area},{}", rest.trim_end())?;
            written += 1;
        }
    }
    w.flush()?;
    Ok(written)
}
