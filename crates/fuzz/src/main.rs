//! `gpteam-fuzz`: runs the fuzz targets on the stable toolchain.
//!
//! ```text
//! gpteam-fuzz [--runs N] [--seed S] [--time SECONDS] [--out DIR] [TARGET ...]
//! gpteam-fuzz --list
//! gpteam-fuzz --replay FILE TARGET
//! gpteam-fuzz --write-seeds DIR TARGET
//! gpteam-fuzz --write-dict FILE TARGET
//! gpteam-fuzz --max-len TARGET
//! ```
//!
//! The last three feed the same targets to libFuzzer (`scripts/fuzz.sh --libfuzzer`): the
//! real seed files as its corpus, the target's tokens as its dictionary, its input cap.
//!
//! Each target runs its seeds, then N mutants (10,000,000 by default). A panic or an input
//! slower than a second is written to `DIR/<target>-<execution>.bin` (default
//! `target/fuzz-findings`) and counted; the exit status is 1 when anything was found. Runs
//! are deterministic: the same seed gives the same inputs.
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut runs: u64 = 10_000_000;
    let mut seed: u64 = 1;
    let mut time: Option<Duration> = None;
    let mut out = PathBuf::from("target/fuzz-findings");
    let mut names = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--runs" => {
                runs = value()
                    .replace('_', "")
                    .parse()
                    .unwrap_or_else(|_| usage("--runs N"))
            }
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage("--seed S")),
            "--time" => {
                time = Some(Duration::from_secs(
                    value().parse().unwrap_or_else(|_| usage("--time SECONDS")),
                ))
            }
            "--out" => out = PathBuf::from(value()),
            "--list" => {
                for t in fuzz::targets() {
                    println!("{}", t.name);
                }
                return ExitCode::SUCCESS;
            }
            "--write-seeds" => {
                let dir = PathBuf::from(value());
                let name = value();
                let target =
                    fuzz::target(&name).unwrap_or_else(|| usage(&format!("no target {name}")));
                std::fs::create_dir_all(&dir)
                    .unwrap_or_else(|e| usage(&format!("{}: {e}", dir.display())));
                for (i, seed) in (target.seeds)(&fuzz::shared_data()).iter().enumerate() {
                    std::fs::write(dir.join(format!("seed-{i:03}")), seed).expect("a seed written");
                }
                return ExitCode::SUCCESS;
            }
            "--write-dict" => {
                let file = value();
                let name = value();
                let target =
                    fuzz::target(&name).unwrap_or_else(|| usage(&format!("no target {name}")));
                std::fs::write(&file, fuzz::libfuzzer_dictionary(target.tokens))
                    .unwrap_or_else(|e| usage(&format!("{file}: {e}")));
                return ExitCode::SUCCESS;
            }
            "--max-len" => {
                let name = value();
                let target =
                    fuzz::target(&name).unwrap_or_else(|| usage(&format!("no target {name}")));
                println!("{}", target.max_len);
                return ExitCode::SUCCESS;
            }
            "--replay" => {
                let file = value();
                let name = value();
                let target =
                    fuzz::target(&name).unwrap_or_else(|| usage(&format!("no target {name}")));
                let input = std::fs::read(&file).unwrap_or_else(|e| usage(&format!("{file}: {e}")));
                let signature = (target.run)(&input);
                println!("{name}: no panic (outcome {signature:016x})");
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => usage(""),
            name => names.push(name.to_string()),
        }
    }
    let targets: Vec<fuzz::Target> = if names.is_empty() {
        fuzz::targets()
    } else {
        names
            .iter()
            .map(|n| fuzz::target(n).unwrap_or_else(|| usage(&format!("no target {n}"))))
            .collect()
    };
    let data = fuzz::shared_data();
    let mut found = 0;
    println!(
        "{:<20} {:>12} {:>9} {:>10} {:>8} {:>10} findings",
        "target", "executions", "seconds", "exec/s", "outcomes", "slowest"
    );
    for target in &targets {
        let seeds = (target.seeds)(&data);
        let options = fuzz::RunOptions {
            executions: runs,
            seed,
            time_limit: time,
            slow: Duration::from_secs(1),
            progress_every: 1_000_000,
        };
        let report = fuzz::fuzz(target, seeds, &options, |r| {
            eprintln!(
                "  {}: {} executions, {:.0} s, {} outcomes, {} findings",
                target.name,
                r.executions,
                r.elapsed.as_secs_f64(),
                r.outcomes,
                r.findings.len()
            );
        });
        println!(
            "{:<20} {:>12} {:>9.1} {:>10.0} {:>8} {:>10.1?} {}",
            target.name,
            report.executions,
            report.elapsed.as_secs_f64(),
            report.executions as f64 / report.elapsed.as_secs_f64().max(1e-9),
            report.outcomes,
            report.slowest,
            report.findings.len()
        );
        for finding in &report.findings {
            std::fs::create_dir_all(&out).expect("the findings folder");
            let path = out.join(format!("{}-{}.bin", target.name, finding.execution));
            std::fs::write(&path, &finding.input).expect("a finding written");
            println!(
                "  {}: {}",
                path.display(),
                finding.message.lines().next().unwrap_or("")
            );
        }
        found += report.findings.len();
    }
    if found > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("gpteam-fuzz: {problem}");
    }
    eprintln!(
        "usage: gpteam-fuzz [--runs N] [--seed S] [--time SECONDS] [--out DIR] [TARGET ...] | --list | --replay FILE TARGET | --write-seeds DIR TARGET | --write-dict FILE TARGET | --max-len TARGET"
    );
    std::process::exit(2)
}
