//! Which sparse LDL factorisation the master LP's interior-point solves use. Most of a
//! solve's time is factorising its KKT matrix, and neither of `clarabel`'s two is the faster
//! everywhere. On the LP over everyone (`bound FILE`, release build, one run at a time):
//! benchmark instances 1–11 the same to 18 % slower with faer; instance 12, QDLDL 7.6 s
//! against 10.4 s; published-style stand-ins of 13, 16, 18 and 19, the supernodal one (faer)
//! 10.4 s against 18.9 s, 1.9 s against 2.4 s, 9.3 s against 20.3 s, and converged in 55.9 s
//! where QDLDL had not in 67.7 s. What decides it is the fill of the factor, which the
//! problem's shape does not tell simply, and it changes as columns join and people are fixed
//! (on instance 12 the first solves are quicker with faer, on the 22 × 84 × 3 with QDLDL), so
//! a timed search measures it as it goes: in a trial each factorisation takes two of four
//! solves, in the order QDLDL, faer, faer, QDLDL (so the columns added between solves weigh on
//! both alike), and the faster in all is kept until the solves since have taken `TRIAL_GAP`
//! times as long as the trial, then tried again. A search not timed keeps QDLDL, so that its
//! runs repeat exactly.

/// One of `clarabel`'s direct LDL factorisations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factorisation {
    /// QDLDL, up-looking and simplicial: quickest where the factor stays sparse.
    Qdldl,
    /// faer's supernodal LDLᵀ, on one thread: quickest where the factor fills in.
    Faer,
}

impl Factorisation {
    /// `clarabel`'s name for it (`direct_solve_method`).
    pub(super) fn method(self) -> &'static str {
        match self {
            Factorisation::Qdldl => "qdldl",
            Factorisation::Faer => "faer",
        }
    }
}

/// The trial's order: each factorisation twice, the second pair reversed.
const TRIAL: [Factorisation; 4] = [
    Factorisation::Qdldl,
    Factorisation::Faer,
    Factorisation::Faer,
    Factorisation::Qdldl,
];

/// A trial starts again once the solves since the last took this many times as long as it.
/// A trial spends about half its time on the slower factorisation, so at most about a tenth
/// of the time goes on trials that find nothing new.
const TRIAL_GAP: f64 = 4.0;

/// The choice for one master (and, passed on, for the next master of the same problem):
/// QDLDL unless timed, else trials with the faster between them.
#[derive(Clone, Copy, Debug)]
pub struct Chooser {
    timed: bool,
    /// Solves of the current trial so far, and the seconds each factorisation took in them.
    tried: usize,
    seconds: [f64; 2],
    /// The faster in the last trial.
    chosen: Option<Factorisation>,
    /// Between trials: how long the last took and the seconds of solves since (`None`
    /// during a trial).
    between: Option<(f64, f64)>,
}

impl Chooser {
    /// QDLDL for every solve.
    pub(super) fn fixed() -> Chooser {
        Chooser {
            timed: false,
            tried: 0,
            seconds: [0.0; 2],
            chosen: None,
            between: None,
        }
    }

    /// Timed: a trial first.
    pub fn timed() -> Chooser {
        Chooser {
            timed: true,
            ..Chooser::fixed()
        }
    }

    /// The factorisation for the next solve.
    pub(super) fn next(&self) -> Factorisation {
        match (self.timed, self.between, self.chosen) {
            (false, _, _) => Factorisation::Qdldl,
            (true, None, _) => TRIAL[self.tried],
            (true, Some(_), chosen) => chosen.unwrap_or(Factorisation::Qdldl),
        }
    }

    /// Records that a solve with `used` took `seconds`: after a trial's last, the faster is
    /// chosen until the next trial is due.
    pub(super) fn record(&mut self, used: Factorisation, seconds: f64) {
        if !self.timed {
            return;
        }
        if let Some((trial, since)) = &mut self.between {
            *since += seconds;
            if *since >= TRIAL_GAP * *trial {
                self.between = None;
            }
            return;
        }
        self.seconds[usize::from(used == Factorisation::Faer)] += seconds;
        self.tried += 1;
        if self.tried == TRIAL.len() {
            let [qdldl, faer] = self.seconds;
            self.chosen = Some(if faer < qdldl {
                Factorisation::Faer
            } else {
                Factorisation::Qdldl
            });
            (self.tried, self.seconds) = (0, [0.0; 2]);
            self.between = Some((qdldl + faer, 0.0));
        }
    }

    /// The factorisation the last trial chose.
    pub fn chosen(&self) -> Option<Factorisation> {
        self.chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `solves` timed solves from `chooser` where QDLDL's take `qdldl(k)` seconds at
    /// solve `k` and faer's `faer(k)`, and returns the factorisations used.
    fn run(
        mut chooser: Chooser,
        solves: usize,
        qdldl: impl Fn(f64) -> f64,
        faer: impl Fn(f64) -> f64,
    ) -> (Vec<Factorisation>, Chooser) {
        let mut used = Vec::new();
        for k in 0..solves {
            let f = chooser.next();
            used.push(f);
            let took = if f == Factorisation::Faer {
                faer(k as f64)
            } else {
                qdldl(k as f64)
            };
            chooser.record(f, took);
        }
        (used, chooser)
    }

    #[test]
    fn a_timed_search_tries_each_factorisation_twice_and_keeps_the_faster() {
        use Factorisation::{Faer, Qdldl};
        // Each solve a second longer than the one before (the columns grow).
        let (used, chooser) = run(Chooser::timed(), 6, |k| 1.0 + k, |k| 0.5 + k);
        assert_eq!(used, [Qdldl, Faer, Faer, Qdldl, Faer, Faer]);
        assert_eq!(chooser.chosen(), Some(Faer));
        // With the growth balanced, a small lead is enough either way.
        let (used, chooser) = run(Chooser::timed(), 6, |k| 0.5 + k, |k| 0.6 + k);
        assert_eq!(used[4..], [Qdldl, Qdldl]);
        assert_eq!(chooser.chosen(), Some(Qdldl));
        // Faer quicker on the first, small solves, slower from the fifth on. The trial took
        // 3 s, so the next comes after 12 s of faer (6 solves), and turns to QDLDL.
        let slow_later = |k: f64| if k < 4.0 { 0.5 } else { 2.0 };
        let (used, chooser) = run(Chooser::timed(), 16, |_| 1.0, slow_later);
        assert_eq!(used[4..10], [Faer; 6]);
        assert_eq!(used[10..], [Qdldl, Faer, Faer, Qdldl, Qdldl, Qdldl]);
        assert_eq!(chooser.chosen(), Some(Qdldl));
        // Passed on to the next master, the choice holds until its trial is due.
        let (used, _) = run(chooser, 3, |_| 1.0, |_| 2.0);
        assert_eq!(used, [Qdldl; 3]);
        // Not timed: QDLDL throughout, and no choice to pass on.
        let (used, fixed) = run(Chooser::fixed(), 8, |_| 1.0, |_| 0.1);
        assert_eq!(used, [Qdldl; 8]);
        assert_eq!(fixed.chosen(), None);
    }
}
