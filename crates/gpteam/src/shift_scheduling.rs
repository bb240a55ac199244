//! `gpteam solve shift-scheduling` and `gpteam bench shift-scheduling`: the optimiser on the
//! public Curtois benchmark instances.
use anyhow::Context;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Flags of `gpteam solve shift-scheduling`.
#[derive(Debug, clap::Args)]
pub struct SolveArgs {
    /// The instance file (benchmark format).
    pub instance: PathBuf,
    /// Wall-clock limit in seconds.
    #[arg(long)]
    pub time_limit: f64,
    /// Seed of the random number generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Stop after this many moves per worker (makes the run repeat exactly for a seed).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Write the best roster here (roster format of FORMAT.md §3).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Flags of `gpteam bench shift-scheduling`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Folder holding `Instance*.txt`.
    #[arg(long)]
    pub dir: PathBuf,
    /// Seconds per instance.
    #[arg(long)]
    pub time_limit: f64,
    /// `best_known.csv` (columns instance,lower_bound,best_known,...) for the gap.
    #[arg(long)]
    pub best_known: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Also give each instance a lower bound on every roster's penalty, the higher of column
    /// generation's (its prices, generating for at most these seconds, where column
    /// generation suits the instance) and the minutes bound (`rota::bound`: the cover the
    /// staff's most minutes cannot meet, at any size), and the gap of the roster to it: a gap
    /// measured from above where no best known value is given.
    #[arg(long)]
    pub bound_seconds: Option<f64>,
    /// `table` for people, `csv` for tools.
    #[arg(long, default_value = "table", value_parser = ["table", "csv"])]
    pub format: String,
}

/// An input problem: the message goes to standard error and the exit code is 1.
fn refused(message: String) -> anyhow::Error {
    anyhow::Error::new(crate::Refused(message))
}

fn load(path: &Path) -> anyhow::Result<rota::Problem> {
    let text =
        std::fs::read_to_string(path).map_err(|e| refused(format!("{}: {e}", path.display())))?;
    rota::read_instance(&text).map_err(|e| refused(format!("{}: {e}", path.display())))
}

fn options(
    time_limit: f64,
    seed: u64,
    threads: usize,
    steps: Option<u64>,
) -> anyhow::Result<rota::Options> {
    if !(time_limit > 0.0 && time_limit.is_finite()) {
        return Err(refused(format!(
            "--time-limit must be a positive number of seconds, not {time_limit}"
        )));
    }
    Ok(rota::Options {
        seed,
        time_limit: Some(Duration::from_secs_f64(time_limit)),
        step_limit: steps,
        threads: threads.max(1),
        column_generation: true,
        ..rota::Options::default()
    })
}

/// A progress bar on a terminal (none when output is redirected).
fn progress_bar(label: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(1000);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {elapsed_precise} {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn run(problem: &rota::Problem, options: &rota::Options, label: &str) -> rota::Outcome {
    let bar = progress_bar(label);
    let outcome = rota::solve(problem, options, &|p: &rota::Progress| {
        bar.set_position((p.fraction * 1000.0) as u64);
        bar.set_message(format!(
            "best {} (hard {}) at {:.1}s",
            p.best_objective,
            p.best_hard_units,
            p.elapsed.as_secs_f64()
        ));
    });
    bar.finish_and_clear();
    outcome
}

pub fn solve(args: SolveArgs) -> anyhow::Result<ExitCode> {
    let problem = load(&args.instance)?;
    let options = options(args.time_limit, args.seed, args.threads, args.steps)?;
    let outcome = run(&problem, &options, "solving");
    let e = &outcome.evaluation;
    println!("objective {}", e.objective);
    println!("hard violations {}", e.hard.len());
    println!("seconds to best {:.2}", outcome.time_to_best.as_secs_f64());
    for v in e.hard.iter().take(20) {
        let who = v.staff.map(|s| problem.staff[s].id.as_str()).unwrap_or("-");
        eprintln!(
            "  {:?} staff {who} day {}: {}",
            v.rule,
            v.day.map_or("-".into(), |d| d.to_string()),
            v.detail
        );
    }
    if let Some(out) = &args.out {
        std::fs::write(out, rota::write_roster(&problem, &outcome.roster))
            .with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(if e.is_feasible() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

/// `Instance12.txt` → 12, to run the instances in their natural order.
fn instance_number(path: &Path) -> Option<u64> {
    path.file_stem()?
        .to_str()?
        .strip_prefix("Instance")?
        .parse()
        .ok()
}

fn read_best_known(path: &Path) -> anyhow::Result<BTreeMap<String, u64>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| refused(format!("{}: {e}", path.display())))?;
    let headers = reader.headers()?.clone();
    let name = headers
        .iter()
        .position(|h| h == "instance")
        .ok_or_else(|| refused(format!("{}: no column instance", path.display())))?;
    let best = headers
        .iter()
        .position(|h| h == "best_known")
        .ok_or_else(|| refused(format!("{}: no column best_known", path.display())))?;
    let mut out = BTreeMap::new();
    for (i, row) in reader.records().enumerate() {
        let row = row?;
        let value = row.get(best).unwrap_or_default();
        let value = value.parse().map_err(|_| {
            refused(format!(
                "{}:{}: best_known: '{value}' is not a number",
                path.display(),
                i + 2
            ))
        })?;
        out.insert(row.get(name).unwrap_or_default().to_string(), value);
    }
    Ok(out)
}

/// A lower bound on every roster's penalty for `problem`, rounded up to a whole number (0 at
/// least): the higher of column generation's, run for at most `seconds`
/// (`rota::colgen::ColumnSearch::lower_bound`, its pool seeded with the rows of `roster`
/// where the prices find someone none), and the minutes bound (`rota::bound::minutes_bound`);
/// `None` where neither gives one.
fn lower_bound(problem: &rota::Problem, roster: &rota::Roster, seconds: f64) -> Option<f64> {
    let generated = || {
        let tables = rota::tables::Tables::new(problem);
        if !rota::colgen::suits(problem, &tables) {
            return None;
        }
        let mut search =
            rota::colgen::ColumnSearch::seeded(problem, &tables, usize::MAX, Some(roster))?;
        search.set_chooser(rota::colgen::FactorisationChooser::timed());
        let start = std::time::Instant::now();
        let limit = std::time::Duration::from_secs_f64(seconds.max(0.0));
        search.lower_bound(&|| start.elapsed() >= limit)
    };
    let bound = [rota::bound::minutes_bound(problem), generated()]
        .into_iter()
        .flatten()
        .max_by(f64::total_cmp)?;
    // Penalties are never negative: a bound below nothing says nothing more than 0.
    Some((bound - 1e-6).ceil().max(0.0))
}

pub fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.dir)
        .map_err(|e| refused(format!("{}: {e}", args.dir.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| instance_number(p).is_some() && p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort_by_key(|p| instance_number(p));
    if files.is_empty() {
        return Err(refused(format!(
            "{} holds no Instance*.txt",
            args.dir.display()
        )));
    }
    let best_known = match &args.best_known {
        Some(path) => read_best_known(path)?,
        None => BTreeMap::new(),
    };
    // Parse every file first: a bad one stops the run before any result is printed.
    let problems: Vec<(String, rota::Problem)> = files
        .iter()
        .map(|f| {
            Ok((
                f.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .to_string(),
                load(f)?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let options = options(args.time_limit, args.seed, args.threads, None)?;
    let csv = args.format == "csv";
    let bounds = args.bound_seconds.is_some();
    if csv {
        print!("instance,objective,hard_violations,best_known,gap_percent,seconds_to_best");
        println!(
            "{}",
            if bounds {
                ",lower_bound,gap_to_bound_percent"
            } else {
                ""
            }
        );
    } else {
        print!(
            "{:<12} {:>10} {:>5} {:>10} {:>8} {:>8}",
            "instance", "objective", "hard", "best known", "gap %", "s to best"
        );
        if bounds {
            print!(" {:>11} {:>10}", "lower bound", "gap to it %");
        }
        println!();
    }
    let mut gaps = Vec::new();
    for (name, problem) in &problems {
        let outcome = run(problem, &options, name);
        let e = &outcome.evaluation;
        let best = best_known.get(name).copied();
        let gap = best.map(|b| 100.0 * (e.objective as f64 - b as f64) / b as f64);
        if let Some(g) = gap {
            gaps.push(g);
        }
        let best_text = best.map_or(String::new(), |b| b.to_string());
        let gap_text = gap.map_or(String::new(), |g| format!("{g:.2}"));
        if csv {
            print!(
                "{name},{},{},{best_text},{gap_text},{:.2}",
                e.objective,
                e.hard.len(),
                outcome.time_to_best.as_secs_f64()
            );
        } else {
            print!(
                "{name:<12} {:>10} {:>5} {best_text:>10} {gap_text:>8} {:>8.2}",
                e.objective,
                e.hard.len(),
                outcome.time_to_best.as_secs_f64()
            );
        }
        if let Some(seconds) = args.bound_seconds {
            let bound = lower_bound(problem, &outcome.roster, seconds);
            let bound_text = bound.map_or(String::new(), |b| format!("{b:.0}"));
            let gap_text = bound.filter(|&b| b > 0.0).map_or(String::new(), |b| {
                format!("{:.2}", 100.0 * (e.objective as f64 - b) / b)
            });
            if csv {
                print!(",{bound_text},{gap_text}");
            } else {
                print!(" {bound_text:>11} {gap_text:>10}");
            }
        }
        println!();
    }
    if !gaps.is_empty() {
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        if csv {
            eprintln!("mean gap {mean:.2} %");
        } else {
            println!("mean gap {mean:.2} % over {} instances", gaps.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
