//! `gpteam solve shift-scheduling` and `gpteam bench shift-scheduling`: the optimiser on the
//! public Curtois benchmark instances.
use std::path::PathBuf;

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
    #[arg(long)]
    pub time_limit: f64,
    #[arg(long)]
    pub best_known: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    #[arg(long, default_value = "table")]
    pub format: String,
}

pub fn solve(_args: SolveArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not built yet")
}

pub fn bench(_args: BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not built yet")
}
