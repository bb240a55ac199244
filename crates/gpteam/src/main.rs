//! The `gpteam` binary: the only place that reads configuration and chooses the database.
mod shift_scheduling;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

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

#[derive(Debug, Subcommand)]
enum Command {
    /// Build a rota with the optimiser.
    #[command(subcommand)]
    Solve(SolveCommand),
    /// Measure the optimiser on fixed inputs and print a table.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
enum SolveCommand {
    /// Solve one instance of the public shift-scheduling benchmark.
    ShiftScheduling(shift_scheduling::SolveArgs),
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Run every instance of a folder of the shift-scheduling benchmark.
    ShiftScheduling(shift_scheduling::BenchArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Solve(SolveCommand::ShiftScheduling(args)) => shift_scheduling::solve(args),
        Command::Bench(BenchCommand::ShiftScheduling(args)) => shift_scheduling::bench(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("gpteam: {err:#}");
            ExitCode::from(2)
        }
    }
}
