//! `gpteam bench forecast`: the rolling-origin backtest over every GPAD appointments file in
//! a folder (and its subfolders): the forecaster in use, the one before it, and the
//! working-day naive, naive and seasonal-naive benchmarks in the same run.
use crate::Refused;
use crate::forecast::read_checked_series;
use analytics::england::{ENGLAND_2019_20, EnglandProfile, HCP_TYPES, profile_year_start};
use analytics::rolling::{
    CONTENDERS, MethodSummary, RollingBacktest, interval_calibration, rolling_backtest_held_out,
};
use analytics::{ForecastOptions, Month, Series};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, Args)]
pub struct ForecastBenchArgs {
    /// A folder of GPAD appointments CSVs (subfolders are read too).
    #[arg(long)]
    dir: PathBuf,
    /// Months to forecast from, e.g. 2020-08,2020-09 (default: the last 8 months with at
    /// least 13 months up to them and 1 after them).
    #[arg(long, value_delimiter = ',')]
    origins: Vec<String>,
    /// Months forecast from each origin (fewer where the data ends sooner).
    #[arg(long, default_value_t = 6)]
    horizon: usize,
    /// `table`: the per-method summary, then the forecaster against the working-day naive
    /// origin by origin; `csv`: one row per series, origin and method on standard output,
    /// the summary on standard error.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Also print, per horizon, the forecaster's errors as multiples of its 80 % range
    /// (the figures `analytics::rate::INTERVAL_MULTIPLES` is set from) and the coverage
    /// when each area's range is calibrated on the other areas only.
    #[arg(long)]
    calibrate: bool,
    /// Also print England's yearly profile read from these files (March 2019 – February
    /// 2020, the sum of every area, by HCP type) and how far it is from the built-in one
    /// (`analytics::england::ENGLAND_2019_20`).
    #[arg(long)]
    england_profile: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum Format {
    Csv,
    Table,
}

/// Every `.csv` under `dir`, sorted.
fn csv_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| Refused(format!("{}: {e}", d.display())))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

pub fn run(args: ForecastBenchArgs) -> anyhow::Result<ExitCode> {
    if !(1..=12).contains(&args.horizon) {
        return Err(Refused(format!("--horizon {} is not 1 to 12 months", args.horizon)).into());
    }
    let mut origins = Vec::new();
    for o in &args.origins {
        origins.push(
            Month::parse_iso(o)
                .ok_or_else(|| Refused(format!("--origins: '{o}' is not a month like 2020-08")))?,
        );
    }
    let load_before = load_average();
    let started = Instant::now();
    let files = csv_files(&args.dir)?;
    if files.is_empty() {
        return Err(Refused(format!("{}: no .csv files", args.dir.display())).into());
    }
    let mut series: Vec<Series> = Vec::new();
    for file in &files {
        match read_checked_series(file) {
            Ok((mut s, problems)) => {
                for p in problems {
                    eprintln!("{p}");
                }
                // An area code in two files would mix its series: keep the first file's.
                s.retain(|x| {
                    let dup = series
                        .iter()
                        .any(|y| y.area_code == x.area_code && y.hcp_type == x.hcp_type);
                    if dup {
                        eprintln!(
                            "{}: {} {} left out: an earlier file has it too",
                            file.display(),
                            x.area_code,
                            x.hcp_type
                        );
                    }
                    !dup
                });
                series.extend(s);
            }
            Err(e) => eprintln!("{e}"),
        }
    }
    if series.is_empty() {
        return Err(Refused(format!(
            "{}: no series could be forecast (see above)",
            args.dir.display()
        ))
        .into());
    }
    series.sort_by(|a, b| (&a.area_code, &a.hcp_type).cmp(&(&b.area_code, &b.hcp_type)));
    if origins.is_empty() {
        origins = default_origins(&series);
    }
    let options = ForecastOptions::default();
    // Each area is scored on England's profile read from the other areas only.
    let run = rolling_backtest_held_out(&series, &origins, args.horizon, &options, &CONTENDERS);
    let summary = run.summary(&CONTENDERS);
    let elapsed = started.elapsed().as_secs_f64();
    for (area, hcp, origin, why) in &run.skipped {
        eprintln!("{area} {hcp}: not scored from {origin}: {why}");
    }
    if summary.is_empty() {
        return Err(Refused("nothing could be scored from those origins".into()).into());
    }
    let areas = {
        let mut a: Vec<&str> = series.iter().map(|s| s.area_code.as_str()).collect();
        a.dedup();
        a.len()
    };
    let origin_list: Vec<String> = origins.iter().map(Month::to_string).collect();
    let heading = format!(
        "{} files, {areas} areas, {} series; origins {}; horizon {}; {:.2} s; load average {load_before} at the start, {} at the end",
        files.len(),
        series.len(),
        origin_list.join(","),
        args.horizon,
        elapsed,
        load_average()
    );
    match args.format {
        Format::Csv => {
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            out.write_record([
                "area_code",
                "hcp_type",
                "origin",
                "horizon",
                "mase",
                "smape",
                "covered_80",
                "method",
            ])?;
            for s in &run.scores {
                out.write_record([
                    s.area_code.as_str(),
                    s.hcp_type.as_str(),
                    &s.origin.to_string(),
                    &s.horizon.to_string(),
                    &format!("{:.4}", s.mase),
                    &format!("{:.4}", s.smape),
                    &s.covered_80.map(|c| format!("{c:.4}")).unwrap_or_default(),
                    s.method,
                ])?;
            }
            out.flush()?;
            eprintln!("{heading}");
            eprint!("{}", summary_table(&summary));
        }
        Format::Table => {
            println!("{heading}\n");
            print!("{}", summary_table(&summary));
            print!("\n{}", by_origin_table(&run, &origins));
        }
    }
    if args.calibrate {
        let rows = interval_calibration(&series, &origins, args.horizon, &options);
        let mut text = format!(
            "\n{:>7} {:>7} {:>7} {:>9} {:>11} {:>19}\n",
            "horizon", "months", "q80", "multiple", "calibrated", "leave_one_area_out"
        );
        for r in rows {
            text.push_str(&format!(
                "{:>7} {:>7} {:>7.3} {:>9.2} {:>11.2} {:>18.1} %\n",
                r.horizon,
                r.months,
                r.q80,
                r.multiple,
                r.calibrated,
                r.leave_one_area_out * 100.0
            ));
        }
        match args.format {
            Format::Csv => eprint!("{text}"),
            Format::Table => print!("{text}"),
        }
    }
    if args.england_profile {
        let text = england_profile_table(&series);
        match args.format {
            Format::Csv => eprint!("{text}"),
            Format::Table => print!("{text}"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// England's profile as these files give it, a line per HCP type, and its largest
/// difference from the built-in one.
fn england_profile_table(series: &[Series]) -> String {
    let year = profile_year_start();
    let Some(read) = EnglandProfile::from_series(series, year) else {
        return format!("\nEngland's profile: no series holds the 12 months from {year}\n");
    };
    let mut out = format!("\nEngland's profile from {year}, log factors January to December\n");
    for (hcp, factors) in HCP_TYPES.iter().zip(&read.by_hcp_type) {
        let Some(factors) = factors else { continue };
        let text: Vec<String> = factors.iter().map(|f| format!("{f:.6}")).collect();
        out.push_str(&format!("{hcp:<22} {}\n", text.join(" ")));
    }
    out.push_str(&format!(
        "largest difference from the built-in profile: {:.6}\n",
        read.largest_difference(&ENGLAND_2019_20)
    ));
    out
}

/// The last 8 months of the longest series with 13 months up to them and 1 after.
fn default_origins(series: &[Series]) -> Vec<Month> {
    let longest = series
        .iter()
        .max_by_key(|s| s.values.len())
        .expect("a series");
    let len = longest.values.len();
    if len < 2 {
        return Vec::new();
    }
    let last = len - 2;
    let first = 12.min(last).max(last.saturating_sub(7));
    (first..=last).map(|i| longest.month(i)).collect()
}

/// One line per origin: the forecaster's and the working-day naive's ratios to the better
/// benchmark at that origin (and which one it was), and the forecaster's 80 % coverage.
fn by_origin_table(run: &RollingBacktest, origins: &[Month]) -> String {
    let mut out = format!(
        "{:<8} {:>7} {:>7} {:>9} {:>12} {:>10} {:>15}\n",
        "origin", "scored", "gpteam", "wd_naive", "ratio_vs_wd", "covered_80", "better_naive"
    );
    for &origin in origins {
        let one = RollingBacktest {
            scores: run
                .scores
                .iter()
                .filter(|s| s.origin == origin)
                .cloned()
                .collect(),
            skipped: Vec::new(),
        };
        let summary = one.summary(&CONTENDERS);
        let find = |code: &str| summary.iter().find(|s| s.method == code);
        let (Some(ours), Some(wd), Some(naive), Some(seasonal)) = (
            find("gpteam"),
            find("wd_naive"),
            find("naive"),
            find("seasonal_naive"),
        ) else {
            continue;
        };
        let better = if naive.mean_mase <= seasonal.mean_mase {
            "naive"
        } else {
            "seasonal_naive"
        };
        out.push_str(&format!(
            "{:<8} {:>7} {:>7.3} {:>9.3} {:>12.3} {:>10} {:>15}\n",
            origin.to_string(),
            ours.scored,
            ours.ratio,
            wd.ratio,
            ours.ratio / wd.ratio,
            ours.coverage_80
                .map(|c| format!("{:.1} %", c * 100.0))
                .unwrap_or_else(|| "-".into()),
            better
        ));
    }
    out
}

fn summary_table(summary: &[MethodSummary]) -> String {
    let wd = summary
        .iter()
        .find(|s| s.method == "wd_naive")
        .map(|s| s.ratio);
    let mut out = format!(
        "{:<20} {:>7} {:>9} {:>7} {:>12} {:>11} {:>10}\n",
        "method", "scored", "mean_mase", "ratio", "ratio_vs_wd", "mean_smape", "covered_80"
    );
    for s in summary {
        out.push_str(&format!(
            "{:<20} {:>7} {:>9.4} {:>7.4} {:>12} {:>11.2} {:>10}\n",
            s.method,
            s.scored,
            s.mean_mase,
            s.ratio,
            wd.map(|w| format!("{:.3}", s.ratio / w))
                .unwrap_or_default(),
            s.mean_smape,
            s.coverage_80
                .map(|c| format!("{:.1} %", c * 100.0))
                .unwrap_or_else(|| "-".into())
        ));
    }
    out
}
