//! The moves alone, to measure and test them (`MoveProbe`).
use crate::model::{Problem, Roster};
use crate::rng::Rng;
use crate::tables::Tables;

use super::construct::construct;
use super::moves::{MoveKind, random_move};
use super::state::{State, Undo, undo_move};

/// One roster and its incremental score, to measure and test the moves alone: each `try_move`
/// makes a random move of a kind, scores it incrementally and undoes it.
pub struct MoveProbe<'p> {
    state: State<'p>,
    rng: Rng,
    undo: Undo,
    balanced: bool,
}

impl<'p> MoveProbe<'p> {
    /// Starts from the greedy construction for `seed`.
    pub fn new(problem: &'p Problem, tables: &'p Tables, seed: u64) -> MoveProbe<'p> {
        let mut rng = Rng::new(seed);
        let roster = construct(problem, tables, &mut rng, None, None);
        MoveProbe {
            state: State::new(problem, tables, &roster),
            rng,
            undo: Undo::new(),
            balanced: false,
        }
    }

    /// Draws cross swaps as `Options::balanced_cross_swaps` does.
    pub fn balanced(mut self, on: bool) -> MoveProbe<'p> {
        self.balanced = on;
        self
    }

    /// Makes, scores and undoes one move; returns the score change it would have made.
    pub fn try_move(&mut self, kind: MoveKind) -> i64 {
        let before = self.state.total();
        self.make(kind);
        let delta = self.state.total() - before;
        undo_move(&mut self.state, &self.undo);
        delta
    }

    /// Makes one move and keeps it; returns (incremental hard units, soft penalty) after it.
    pub fn apply_move(&mut self, kind: MoveKind) -> (i64, i64) {
        self.make(kind);
        (self.state.hard, self.state.soft)
    }

    /// One random move of a kind, at a fixed hard weight, recorded for `undo_move`.
    fn make(&mut self, kind: MoveKind) {
        let (state, rng, undo) = (&mut self.state, &mut self.rng, &mut self.undo);
        random_move(state, rng, undo, kind, 1000.0, self.balanced);
    }

    /// Undoes the last `apply_move`.
    pub fn undo_last(&mut self) -> (i64, i64) {
        undo_move(&mut self.state, &self.undo);
        (self.state.hard, self.state.soft)
    }

    pub fn roster(&self) -> Roster {
        self.state.roster()
    }
}
