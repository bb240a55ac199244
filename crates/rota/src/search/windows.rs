//! Re-dives over a window of days — column generation over a block of days × a group of
//! people, every other day and everyone else held (`colgen::ColumnSearch::over_window`) — for
//! problems too large for the LP over everyone (and after the dive over more than four
//! weeks), and the first worker's time split between them and the annealing by what each has
//! gained per second.
use crate::colgen::{ColumnSearch, FactorisationChooser};
use crate::model::{Problem, Roster};
use crate::rng::Rng;
use crate::tables::Tables;
use std::time::{Duration, Instant};

/// The days of a window. On published-style stand-ins of the year-long sizes (150 × 364 × 32)
/// a re-dive over 14 days and 40 people took 1–2.5 s; over everyone, 15–20 s.
const WINDOW_DAYS: usize = 14;
/// The most people freed in a window, drawn at random.
const GROUP: usize = 40;
/// The least and the most share of the split's time the re-dives take.
const LEAST_SHARE: f64 = 0.1;
const MOST_SHARE: f64 = 0.9;
/// How much of what each side gained before counts at each turn: the rates are recent ones.
const KEEP: f64 = 0.5;

/// Whether window re-dives suit the problem: a horizon longer than a window, and a window of
/// every person's row small enough for the DP (`rowplan::window_fits`).
pub(super) fn suits(p: &Problem, t: &Tables) -> bool {
    p.days > WINDOW_DAYS
        && !p.staff.is_empty()
        && (0..p.staff.len()).all(|e| crate::rowplan::window_fits(p, e, t.unit, WINDOW_DAYS))
}

/// Whether window re-dives suit a problem after the dive over whole rows: a horizon longer
/// than two windows (over four weeks), where the dive and its re-dives over whole rows leave
/// the roster above what the windows then reach. Over four weeks or less they gained nothing
/// (instance 12 at 10 s did worse with them).
pub(super) fn suit_after_dive(p: &Problem, t: &Tables) -> bool {
    p.days > 2 * WINDOW_DAYS && suits(p, t)
}

/// A re-dive of `incumbent` over `WINDOW_DAYS` days at a random place and up to `GROUP`
/// people drawn at random, until `stop` (then the people left are fixed at once). `None`
/// when the LP fails, a held row breaks a hard rule, or the LP's bound shows the window holds
/// no cheaper roster. Its LP's factorisation is chosen by time, once for all the windows
/// (`split.factorisation`).
pub(super) fn redive(
    p: &Problem,
    t: &Tables,
    incumbent: &Roster,
    rng: &mut Rng,
    split: &mut Split,
    stop: &dyn Fn() -> bool,
) -> Option<Roster> {
    let staff = p.staff.len();
    let start = rng.below(p.days - WINDOW_DAYS + 1);
    let group = draw_people(rng, staff, GROUP.min(staff));
    let mut search =
        ColumnSearch::over_window(p, t, incumbent, start, start + WINDOW_DAYS, usize::MAX);
    search.set_chooser(split.factorisation);
    let found = search.redive(incumbent, &group, stop);
    split.factorisation = search.chooser();
    found
}

/// `size` people of `staff` drawn at random, none twice (`size` at most `staff`).
pub(super) fn draw_people(rng: &mut Rng, staff: usize, size: usize) -> Vec<usize> {
    let mut people = Vec::with_capacity(size);
    while people.len() < size {
        let e = rng.below(staff);
        if !people.contains(&e) {
            people.push(e);
        }
    }
    people
}

/// Turns between window re-dives and the annealing, by what each gained per second lately:
/// after each re-dive the annealing runs for as long as keeps the re-dives to their share of
/// the time, that share being the re-dives' rate over both rates (between `LEAST_SHARE` and
/// `MOST_SHARE`; a half while neither has gained). Each turn's gain is the fall in the
/// worker's best score over it.
pub(super) struct Split {
    /// What the re-dives and the annealing gained, and in how many seconds, lately.
    redives: (f64, f64),
    annealing: (f64, f64),
    /// When the annealing's turn ends and the next re-dive is due.
    next: Instant,
    /// How the windows' LPs choose their factorisation, carried from one re-dive to the next.
    factorisation: FactorisationChooser,
}

impl Split {
    /// The first re-dive is due at once.
    pub(super) fn new(now: Instant) -> Split {
        Split {
            redives: (0.0, 0.0),
            annealing: (0.0, 0.0),
            next: now,
            factorisation: FactorisationChooser::timed(),
        }
    }

    pub(super) fn due(&self, now: Instant) -> bool {
        now >= self.next
    }

    /// The re-dives' share of the time from the rates so far.
    pub(super) fn share(&self) -> f64 {
        let rate = |(gain, secs): (f64, f64)| if secs > 0.0 { gain / secs } else { 0.0 };
        let (r, a) = (rate(self.redives), rate(self.annealing));
        if r + a <= 0.0 {
            return 0.5;
        }
        (r / (r + a)).clamp(LEAST_SHARE, MOST_SHARE)
    }

    /// Records the annealing's turn that ended at the re-dive (`annealed`: its gain and
    /// length) and the re-dive's (`redived`), and sets the annealing's next turn from `now`.
    pub(super) fn record(
        &mut self,
        annealed: (f64, Duration),
        redived: (f64, Duration),
        now: Instant,
    ) {
        let add = |side: &mut (f64, f64), (gain, took): (f64, Duration)| {
            *side = (
                side.0 * KEEP + gain.max(0.0),
                side.1 * KEEP + took.as_secs_f64(),
            );
        };
        add(&mut self.annealing, annealed);
        add(&mut self.redives, redived);
        let share = self.share();
        self.next = now + redived.1.mul_f64((1.0 - share) / share);
    }
}

#[cfg(test)]
mod tests {
    use super::Split;
    use crate::search::ColumnForm;
    use crate::tables::Tables;
    use std::time::{Duration, Instant};

    #[test]
    fn window_re_dives_follow_the_dive_only_over_more_than_four_weeks() {
        for (weeks, after_dive) in [(2, false), (4, false), (5, true), (8, true)] {
            let p = crate::generate::generate(12, weeks, 3, 1);
            let t = Tables::new(&p);
            assert_eq!(ColumnForm::of(&p, &t), ColumnForm::Whole, "{weeks} weeks");
            assert_eq!(super::suit_after_dive(&p, &t), after_dive, "{weeks} weeks");
        }
    }

    #[test]
    fn the_split_gives_more_time_to_whichever_gained_more_per_second() {
        let now = Instant::now();
        let secs = Duration::from_secs;
        let mut split = Split::new(now);
        assert!(split.due(now));
        assert_eq!(split.share(), 0.5);
        // Neither gained: turns of equal length.
        split.record((0.0, secs(0)), (0.0, secs(2)), now);
        assert!(!split.due(now + secs(1)) && split.due(now + secs(2)));
        // Re-dives gained 300 in 2 s, the annealing 100 in 2 s: three quarters to re-dives,
        // so the annealing's turn is a third of the re-dive's.
        let mut split = Split::new(now);
        split.record((100.0, secs(2)), (300.0, secs(2)), now);
        assert!((split.share() - 0.75).abs() < 1e-9);
        assert!(!split.due(now + Duration::from_millis(600)));
        assert!(split.due(now + Duration::from_millis(700)));
        // Re-dives that gain nothing fall to the least share, not to none.
        let mut split = Split::new(now);
        split.record((500.0, secs(1)), (0.0, secs(2)), now);
        assert_eq!(split.share(), 0.1);
        assert!(!split.due(now + secs(17)) && split.due(now + secs(18)));
        // Lately counts more: after a turn where only re-dives gained, they lead again.
        split.record((0.0, secs(18)), (400.0, secs(2)), now);
        assert!(split.share() > 0.5);
    }
}
