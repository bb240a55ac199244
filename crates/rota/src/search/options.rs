//! What a caller asks of the search (`Options`) and what it gets back (`Progress`, `Outcome`).
use crate::eval::Evaluation;
use crate::model::Roster;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// The share of a time budget the dive of column generation may take (see `Options`).
pub(super) const DIVE_SHARE: f64 = 0.4;
/// The most of a time budget the dive may take when its pace says it ends by then
/// (`worker::DivePace`): a dive cut short leaves a roster well short of its LP's.
pub(super) const DIVE_SHARE_MOST: f64 = 0.8;
/// Under a step budget, the most LP solves of the dive (Instance9 of the benchmark takes
/// about 220), so it ends, and repeats, without a clock.
pub(super) const DIVE_SOLVES: usize = 2_000;

/// One hard-violation unit weighs this much in the construction.
pub const HARD_WEIGHT: i64 = 100_000;

/// When to stop and how to search.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub time_limit: Option<Duration>,
    /// Moves tried per worker; with a step limit the result repeats exactly for a seed.
    pub step_limit: Option<u64>,
    /// Independent workers (seeded `seed`, `seed+1`…); the best roster wins, ties to the lowest.
    pub threads: usize,
    /// Weight of one hard-violation unit at the start (it then adapts).
    pub hard_weight: i64,
    /// One move in this many re-plans a whole row by dynamic programming (0: never).
    pub row_plan_every: usize,
    /// Under a time limit, the most of a worker's search time those re-plans may take
    /// (1: no limit); a drawn re-plan gives way to another move while the share is spent.
    /// Where the DP counts many minutes (12 weeks of 8-, 10- and 12-hour shifts) one run
    /// took 37–59 ms against microseconds for other moves, and took most of the search.
    /// Under a step budget every drawn re-plan runs, so the result repeats.
    pub row_plan_share: f64,
    /// The cross swap picks its second day so that both people keep their minutes (a
    /// session given away on one day is taken back on another), where such a day exists.
    /// Suits a model whose contracts are tight (the product's); off for the benchmark.
    pub balanced_cross_swaps: bool,
    /// After the construction, each row that breaks a hard rule is re-planned by the DP
    /// with hard rules weighed as in the construction (kept only when the score improves),
    /// so a first rota keeping every rule comes sooner. Off for the benchmark.
    pub repair_rows: bool,
    /// Simulated-annealing temperature at the start and at the end of the budget.
    pub start_temperature: f64,
    pub end_temperature: f64,
    /// With several workers, how many times over the budget they meet: at each meeting a
    /// worker whose best is worse than another's carries on from that roster (0: never; the
    /// workers are then independent). With a step budget the meetings fall on fixed step
    /// counts, so the result still repeats.
    pub meetings: u64,
    /// Raised (set to `true`) from elsewhere, every worker stops at its next check (every
    /// 256 moves, and between people in the construction) and `solve` returns the best
    /// roster so far: a manager's "stop" keeps the best rota. `None`: run to the budget.
    pub stop: Option<Arc<AtomicBool>>,
    /// The first worker starts from a roster built by column generation and a dive
    /// (`colgen`), on problems it suits (small enough), taking 40 % of a time budget for it,
    /// or up to 80 % when the dive's pace says it ends by then; the other workers search
    /// meanwhile, and the meetings fall in the rest of the budget. Under a step budget the
    /// dive is bounded by its count of LP solves instead, so the result still repeats. Off
    /// by default; the benchmark's CLI and the product turn it on.
    pub column_generation: bool,
    /// When the greedy construction breaks a hard rule, each worker also builds a roster
    /// person by person with the relaxed row DP, the hardest people first, and repairs the
    /// rows still breaking a rule (`feasible`); it starts from whichever is better. On by
    /// default; left out where column generation runs (see `worker::first_roster`).
    pub feasibility_first: bool,
    /// In a build with debug assertions (the tests'), the search checks its incremental
    /// score against the independent evaluator (`eval`) after every move and panics where
    /// they differ. Ignored in a release build. Off by default: it slows a search many times.
    pub check_every_move: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 1,
            time_limit: Some(Duration::from_secs(10)),
            step_limit: None,
            threads: 1,
            hard_weight: 1000,
            row_plan_every: 5000,
            row_plan_share: 0.2,
            balanced_cross_swaps: false,
            repair_rows: false,
            start_temperature: 60.0,
            end_temperature: 0.2,
            meetings: 10,
            stop: None,
            column_generation: false,
            feasibility_first: true,
            check_every_move: false,
        }
    }
}

/// Anytime progress, reported when the best roster improves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress<'a> {
    pub best_objective: u64,
    pub best_hard_units: u64,
    pub elapsed: Duration,
    pub steps: u64,
    /// Fraction of the time or step budget used, 0–1.
    pub fraction: f64,
    /// The best roster's cells (`Roster::cells`), so a caller can explain it while the
    /// search goes on; empty when the phase that improved holds no roster yet.
    pub cells: &'a [u16],
}

/// The best roster found and how it scores.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub roster: Roster,
    pub evaluation: Evaluation,
    /// When the winning roster's score was first found, by whichever worker found it (a
    /// worker that carried on from another's roster keeps the other's time).
    pub time_to_best: Duration,
    pub steps: u64,
}
