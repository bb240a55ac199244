//! Where the workers meet: the shared best score for progress reports, a barrier a stopped
//! worker may leave (`Gate`), and `meet`, at which each worker takes the best roster so far.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// Shared between workers: the best score so far, for progress reports, and the meeting
/// place where they exchange their best rosters.
pub(super) struct Shared {
    pub(super) best: Mutex<(i64, i64)>,
    pub(super) barrier: Gate,
    /// Per worker, at a meeting: its best score and roster, and whether its budget is spent.
    pub(super) slots: Mutex<Vec<Slot>>,
    /// The share of a time budget at which the first worker's column search ended (the bits
    /// of an `f64`), or `DIVING` while it runs: the meetings fall after it.
    pub(super) dive_end: AtomicU64,
}

const DIVING: u64 = u64::MAX;

impl Shared {
    pub(super) fn new(workers: usize) -> Shared {
        Shared {
            best: Mutex::new((i64::MAX, i64::MAX)),
            barrier: Gate::new(workers),
            slots: Mutex::new(vec![Slot::default(); workers]),
            dive_end: AtomicU64::new(DIVING),
        }
    }

    pub(super) fn dive_ended(&self, share: f64) {
        self.dive_end.store(share.to_bits(), Ordering::Release);
    }

    /// When the column search ended, as a share of the time budget; `None` while it runs.
    pub(super) fn dive_end(&self) -> Option<f64> {
        let bits = self.dive_end.load(Ordering::Acquire);
        (bits != DIVING).then(|| f64::from_bits(bits))
    }
}

/// A barrier that workers may leave: the others then stop waiting for them. A worker
/// stopped by `Options::stop` leaves at once, so nobody waits at a meeting it will not reach.
pub(super) struct Gate {
    state: Mutex<GateState>,
    turned: Condvar,
}

pub(super) struct GateState {
    members: usize,
    arrived: usize,
    generation: u64,
}

impl Gate {
    pub(super) fn new(members: usize) -> Gate {
        Gate {
            state: Mutex::new(GateState {
                members,
                arrived: 0,
                generation: 0,
            }),
            turned: Condvar::new(),
        }
    }

    /// Opens the gate for everyone waiting once all the members still present have come.
    fn open_if_all_came(&self, g: &mut GateState) -> bool {
        if g.arrived > 0 && g.arrived >= g.members {
            g.arrived = 0;
            g.generation += 1;
            self.turned.notify_all();
            true
        } else {
            false
        }
    }

    pub(super) fn wait(&self) {
        let mut g = self.state.lock().expect("gate lock");
        let generation = g.generation;
        g.arrived += 1;
        if self.open_if_all_came(&mut g) {
            return;
        }
        while g.generation == generation {
            g = self.turned.wait(g).expect("gate lock");
        }
    }

    pub(super) fn leave(&self) {
        let mut g = self.state.lock().expect("gate lock");
        g.members -= 1;
        self.open_if_all_came(&mut g);
    }
}

#[derive(Clone, Default)]
pub(super) struct Slot {
    pub(super) best: (i64, i64),
    pub(super) cells: Vec<u16>,
    /// When that score was first found, by whichever worker found it: a worker that carries
    /// on from another's roster takes this as its time to best.
    pub(super) found_at: Duration,
    pub(super) done: bool,
}

/// Whether `(hard, soft)` is better than `best`: feasible first, then the lower penalty.
pub(super) fn better(hard: i64, soft: i64, best: (i64, i64)) -> bool {
    (hard, soft) < best
}

/// A meeting of the workers: each leaves its best, then takes the best of all (ties to the
/// lowest worker) when it beats its own. Returns whether any worker's budget is spent (then
/// all stop), and the roster to carry on from, if any.
pub(super) fn meet(
    shared: &Shared,
    index: usize,
    best: (i64, i64),
    best_cells: &[u16],
    found_at: Duration,
    done: bool,
) -> (bool, Option<Slot>) {
    {
        let mut slots = shared.slots.lock().expect("meeting lock");
        let slot = &mut slots[index];
        slot.best = best;
        slot.cells.clear();
        slot.cells.extend_from_slice(best_cells);
        slot.found_at = found_at;
        slot.done = done;
    }
    shared.barrier.wait();
    let result = {
        let slots = shared.slots.lock().expect("meeting lock");
        let all_done = slots.iter().any(|s| s.done);
        let (winner, slot) = slots
            .iter()
            .enumerate()
            .min_by_key(|(i, s)| (s.best, *i))
            .expect("at least one worker");
        let adopted =
            (winner != index && better(slot.best.0, slot.best.1, best)).then(|| slot.clone());
        (all_done, adopted)
    };
    // Nobody writes the slots again before everyone has read them.
    shared.barrier.wait();
    result
}
