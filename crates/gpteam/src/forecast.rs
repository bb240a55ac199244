//! `gpteam forecast` and `gpteam forecast backtest`: demand forecasts straight from a GPAD
//! file, without a database.
use crate::Refused;
use analytics::backtest::{self, METHODS};
use analytics::{ForecastOptions, Month, MonthlyCount, build_series, forecast_all};
use clap::{Args, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ForecastArgs {
    #[command(subcommand)]
    command: Option<ForecastCommand>,
    /// A GPAD appointments CSV (monthly CCG or daily sub-ICB layout).
    #[arg(long)]
    appointments: Option<PathBuf>,
    /// Months to forecast after the file's last month (1–12).
    #[arg(long, default_value_t = 12)]
    horizon: usize,
    /// Series to forecast: by HCP type, or by HCP type and mode.
    #[arg(long, value_enum, default_value = "hcp_type")]
    by: By,
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
}

#[derive(Debug, Subcommand)]
enum ForecastCommand {
    /// Hold out the last months, forecast them and compare with naive and seasonal-naive.
    Backtest(BacktestArgs),
}

#[derive(Debug, Args)]
struct BacktestArgs {
    #[arg(long)]
    appointments: PathBuf,
    /// Months held out at the end of the file.
    #[arg(long, default_value_t = 6)]
    holdout: usize,
    #[arg(long, value_enum, default_value = "hcp_type")]
    by: By,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum By {
    #[value(name = "hcp_type")]
    HcpType,
    #[value(name = "hcp_type,mode")]
    HcpTypeMode,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum Format {
    Csv,
    Table,
}

pub fn run(args: ForecastArgs) -> anyhow::Result<ExitCode> {
    if let Some(ForecastCommand::Backtest(b)) = args.command {
        return run_backtest(b);
    }
    let Some(path) = args.appointments else {
        return Err(Refused("give --appointments FILE (a GPAD appointments CSV)".into()).into());
    };
    if !(1..=12).contains(&args.horizon) {
        return Err(Refused(format!("--horizon {} is not 1 to 12 months", args.horizon)).into());
    }
    let by_mode = args.by == By::HcpTypeMode;
    let series = if by_mode {
        read_series(&path, by_mode)?
    } else {
        // A bad row leaves out its own series only; the rest are forecast.
        let (series, problems) = read_checked_series(&path)?;
        for p in &problems {
            eprintln!("{p}");
        }
        if series.is_empty() {
            return Err(Refused(format!("{}: no series could be forecast", path.display())).into());
        }
        series
    };
    let forecasts = forecast_all(&series, args.horizon, &ForecastOptions::default())
        .map_err(|e| Refused(format!("{}: {e}", path.display())))?;
    let mut rows = Vec::new();
    for f in &forecasts {
        for p in &f.points {
            let mut row = vec![f.area_code.clone(), f.hcp_type.clone()];
            if by_mode {
                row.push(f.appt_mode.clone().unwrap_or_default());
            }
            row.extend([
                p.month.to_string(),
                format!("{:.0}", p.forecast),
                format!("{:.0}", p.lower_80),
                format!("{:.0}", p.upper_80),
            ]);
            rows.push(row);
        }
    }
    let mut header = vec!["area_code", "hcp_type"];
    if by_mode {
        header.push("appt_mode");
    }
    header.extend(["month", "forecast", "lower_80", "upper_80"]);
    print_rows(&header, &rows, args.format)?;
    if args.format == Format::Table {
        for f in forecasts.iter().filter(|f| !f.level_shifts.is_empty()) {
            let shifts: Vec<String> = f.level_shifts.iter().map(Month::to_string).collect();
            eprintln!(
                "{} {}: level shifts from {}",
                f.area_code,
                f.hcp_type,
                shifts.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_backtest(args: BacktestArgs) -> anyhow::Result<ExitCode> {
    let series = read_series(&args.appointments, args.by == By::HcpTypeMode)?;
    let result = backtest::backtest(&series, args.holdout, &ForecastOptions::default())
        .map_err(|e| Refused(format!("{}: {e}", args.appointments.display())))?;
    let mut rows: Vec<Vec<String>> = result
        .scores
        .iter()
        .map(|s| {
            let hcp = match &s.appt_mode {
                Some(mode) => format!("{} / {mode}", s.hcp_type),
                None => s.hcp_type.clone(),
            };
            vec![
                s.area_code.clone(),
                hcp,
                s.method.to_string(),
                format!("{:.4}", s.mase),
                format!("{:.4}", s.smape),
            ]
        })
        .collect();
    for method in METHODS {
        let (mase, smape) = result.mean(method);
        rows.push(vec![
            "mean".into(),
            String::new(),
            method.into(),
            format!("{mase:.4}"),
            format!("{smape:.4}"),
        ]);
    }
    print_rows(
        &["area_code", "hcp_type", "method", "mase", "smape"],
        &rows,
        args.format,
    )?;
    if args.format == Format::Table {
        let (ours, _) = result.mean("gpteam");
        let best = result.mean("naive").0.min(result.mean("seasonal_naive").0);
        println!(
            "\nheld out {} months; mean MASE gpteam {ours:.4} vs the better benchmark {best:.4}: {:+.1} %",
            args.holdout,
            (ours / best - 1.0) * 100.0
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a GPAD file into complete monthly series (daily rows summed to months).
pub fn read_series(path: &Path, by_mode: bool) -> anyhow::Result<Vec<analytics::Series>> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Refused(format!("{name}: {e}")))?;
    let parsed = import::read_appointments(&name, std::io::BufReader::new(file))
        .map_err(|e| Refused(e.to_string()))?;
    let counts = monthly_counts(&parsed, by_mode);
    let (series, skipped) = build_series(&counts);
    for (area, hcp, mode) in skipped {
        eprintln!(
            "{name}: {area} {hcp}{} left out: it misses a month",
            mode.map(|m| format!(" {m}")).unwrap_or_default()
        );
    }
    if series.is_empty() {
        return Err(Refused(format!("{name}: no complete series to forecast")).into());
    }
    Ok(series)
}

/// Reads a GPAD file into checked area × HCP type series: a series with a bad row, a month
/// missing in the middle or under 3 months is left out, and each is said in a line of the
/// returned problems (`file: area HCP type left out: why`). Only a file that cannot be read
/// at all is an error.
pub fn read_checked_series(path: &Path) -> anyhow::Result<(Vec<analytics::Series>, Vec<String>)> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Refused(format!("{name}: {e}")))?;
    let read = import::read_appointment_months(&name, std::io::BufReader::new(file))
        .map_err(|e| Refused(e.to_string()))?;
    let mut problems: Vec<String> = read
        .bad_rows
        .iter()
        .map(|why| format!("{name}: {why}: left out"))
        .collect();
    for ((area, hcp), why) in &read.left_out {
        problems.push(format!("{name}: {area} {hcp} left out: {why}"));
    }
    let months = read
        .months
        .into_iter()
        .map(|(key, by_month)| {
            let by_month = by_month
                .into_iter()
                .map(|(day, n)| (Month::of(day), n))
                .collect();
            (key, by_month)
        })
        .collect();
    let (series, left_out) = analytics::series::checked_series(months);
    for ((area, hcp), why) in left_out {
        problems.push(format!("{name}: {area} {hcp} left out: {why}"));
    }
    Ok((series, problems))
}

/// Sums a parsed file to area × HCP type (× mode) × month.
pub fn monthly_counts(file: &import::AppointmentFile, by_mode: bool) -> Vec<MonthlyCount> {
    let mut sums: BTreeMap<(&str, &str, Option<&str>, Month), u64> = BTreeMap::new();
    for c in &file.counts {
        let mode = by_mode.then_some(c.appt_mode.as_str());
        *sums
            .entry((&c.area_code, &c.hcp_type, mode, Month::of(c.period_start)))
            .or_default() += c.appointments;
    }
    sums.into_iter()
        .map(|((area, hcp, mode, month), appointments)| MonthlyCount {
            area_code: area.to_string(),
            hcp_type: hcp.to_string(),
            appt_mode: mode.map(str::to_string),
            month,
            appointments,
        })
        .collect()
}

fn print_rows(header: &[&str], rows: &[Vec<String>], format: Format) -> anyhow::Result<()> {
    match format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            import::write_csv_record(&mut out, header)?;
            for row in rows {
                import::write_csv_record(&mut out, row)?;
            }
            out.flush()?;
        }
        Format::Table => {
            let widths: Vec<usize> = (0..header.len())
                .map(|i| {
                    rows.iter()
                        .map(|r| r[i].chars().count())
                        .chain([header[i].len()])
                        .max()
                        .unwrap_or(0)
                })
                .collect();
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            println!("{}", line(header.to_vec()));
            for row in rows {
                println!("{}", line(row.iter().map(String::as_str).collect()));
            }
        }
    }
    Ok(())
}
