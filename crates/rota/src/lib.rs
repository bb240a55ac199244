//! The rota optimiser: an index-based rostering model (`model`), readers and writers for the
//! public shift-scheduling benchmark (`format`), an exact evaluator independent of the
//! search (`eval`), the search itself (`search`), and a generator of large instances
//! (`generate`). It depends on nothing else in the workspace. See README.md.

pub mod bound;
pub mod colgen;
pub mod eval;
pub mod format;
pub mod generate;
mod mend;
pub mod model;
pub mod rng;
pub mod rowplan;
pub mod search;
pub mod tables;

pub use eval::{Evaluation, HardRule, HardViolation, evaluate};
pub use format::{ParseError, read_instance, read_roster, write_instance, write_roster};
pub use model::{Problem, Roster};
pub use search::{Options, Outcome, Progress, solve};
