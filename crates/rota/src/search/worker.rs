//! One worker's loop: construction (or the first worker's column generation), then
//! simulated annealing with strategic oscillation of the hard-rule weight, meeting the other
//! workers over the budget.
use crate::colgen;
use crate::eval::evaluate;
use crate::model::{Problem, Roster};
use crate::rng::Rng;
use crate::tables::Tables;
use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::ColumnForm;
use super::construct::{construct, repair_rows};
use super::feasible::{construct_by_rows, repair};
use super::meeting::{Shared, better, meet};
use super::moves::{MoveKind, random_move};
use super::options::{DIVE_SHARE, DIVE_SHARE_MOST, DIVE_SOLVES, Options, Progress};
use super::state::{State, Undo, undo_move};
use super::windows::{self, Split};

// The worker's context is passed whole; grouping it would only move the list.
#[allow(clippy::too_many_arguments)]
pub(super) fn worker(
    p: &Problem,
    t: &Tables,
    options: &Options,
    index: usize,
    seed: u64,
    start: Instant,
    shared: &Shared,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> (Roster, (i64, i64), Duration, u64) {
    let mut rng = Rng::new(seed);
    let stop = options.stop.as_deref();
    let stopped = || stop.is_some_and(|s| s.load(Ordering::Relaxed));
    let mut initial = first_roster(p, t, options, index, start, &mut rng);
    let report =
        |hard: i64, soft: i64, steps: u64, elapsed: Duration, fraction: f64, cells: &[u16]| {
            let mut shared_best = shared.best.lock().expect("progress lock");
            if (hard, soft) < *shared_best {
                *shared_best = (hard, soft);
                on_progress(&Progress {
                    best_objective: soft as u64,
                    best_hard_units: hard as u64,
                    elapsed,
                    steps,
                    fraction: fraction.min(1.0),
                    cells,
                });
            }
        };
    // With column generation the first worker spends `dive_share` of the time budget on the
    // dive (`colgen`), or more when its pace says it ends in time (`DivePace`), and the
    // meetings fall in the rest, so nobody waits for it.
    let form = ColumnForm::of(p, t);
    let dive_share = if options.column_generation && form == ColumnForm::Whole {
        DIVE_SHARE
    } else {
        0.0
    };
    // When the start roster was found: the dive's time, not the annealing's start.
    let mut found_at = None;
    if index == 0 && dive_share > 0.0 {
        let limit = options.time_limit.filter(|_| options.step_limit.is_none());
        let improved = |(hard, soft): (i64, i64), at: Duration| {
            let fraction = limit.map_or(0.0, |l| at.as_secs_f64() / l.as_secs_f64().max(1e-9));
            report(hard, soft, 0, at, fraction, &[]);
        };
        if let Some((roster, at)) = column_search(
            p, t, options, start, dive_share, &initial, &mut rng, &improved,
        ) {
            let (a, b) = (evaluate(p, &roster), evaluate(p, &initial));
            if (a.hard_units(), a.objective) < (b.hard_units(), b.objective) {
                initial = roster;
                found_at = Some(at);
            }
        }
        // The meetings fall after the column search, which may run past its share.
        let ended = match (options.step_limit, options.time_limit) {
            (None, Some(limit)) => {
                (start.elapsed().as_secs_f64() / limit.as_secs_f64().max(1e-9)).max(dive_share)
            }
            _ => dive_share,
        };
        shared.dive_ended(ended);
    }
    let mut state = State::new(p, t, &initial);
    if options.repair_rows {
        repair_rows(&mut state);
    }
    let mut best_cells = state.cells.clone();
    let mut best = (state.hard, state.soft);
    let mut time_to_best = found_at.unwrap_or_else(|| start.elapsed());
    let mut undo = Undo::new();
    let mut steps = 0u64;
    // Strategic oscillation: the weight of a hard unit rises while the roster breaks hard
    // rules and falls while it keeps them, so the search may cross infeasible ground.
    let mut weight = options.hard_weight as f64;
    let (t0, t1) = (options.start_temperature, options.end_temperature);
    let mut temperature = t0;
    let mut fraction = 0.0f64;
    report(state.hard, state.soft, 0, time_to_best, 0.0, &state.cells);
    let threads = options.threads.max(1);
    let meetings = if threads > 1 { options.meetings } else { 0 };
    // With a step budget a meeting every `meet_every` steps; with a time limit, when the
    // next share of the time is used (and one last when it is all used, where all stop).
    let meet_every = match options.step_limit {
        Some(limit) if meetings > 0 => (limit / meetings).div_ceil(256).max(1) * 256,
        _ => 0,
    };
    let mut met = 0u64;
    // Feasibility first: while the best roster breaks a hard rule, at each tenth of the
    // budget its rows that break one are repaired on hard units alone (`mend_best`). Not
    // where column generation runs: its rows keep every rule already.
    let mend_rows = options.feasibility_first && dive_share == 0.0;
    let mut next_mend = 0.1;
    // Under a time limit, the first worker takes turns of window re-dives with the annealing
    // (`windows::Split`): where the LP over everyone does not suit but a window does, and
    // after the dive where the horizon is over four weeks (`windows::suit_after_dive`).
    let limit = options.time_limit.filter(|_| options.step_limit.is_none());
    let windowed = match form {
        ColumnForm::Windows => true,
        ColumnForm::Whole => windows::suit_after_dive(p, t),
        ColumnForm::Neither => false,
    };
    let mut split = (index == 0 && options.column_generation && limit.is_some() && windowed)
        .then(|| Split::new(Instant::now()));
    // The score of the best roster when the annealing's turn began.
    let mut turn_from = (best, Instant::now());
    let mut row_plans = RowPlanClock {
        share: options.row_plan_share,
        since: options
            .step_limit
            .is_none()
            .then(Instant::now)
            .filter(|_| options.time_limit.is_some()),
        spent: Duration::ZERO,
    };
    loop {
        if steps.is_multiple_of(256) {
            if stopped() {
                break;
            }
            fraction = match (options.step_limit, options.time_limit) {
                (Some(limit), _) => steps as f64 / limit.max(1) as f64,
                (None, Some(limit)) => {
                    start.elapsed().as_secs_f64() / limit.as_secs_f64().max(1e-9)
                }
                (None, None) => (steps as f64 / 1e7).min(0.999),
            };
            let spent = fraction >= 1.0;
            if mend_rows && best.0 > 0 && !spent && fraction >= next_mend {
                next_mend = (fraction * 10.0).floor() / 10.0 + 0.1;
                let mended = mend_best(p, t, options, start, fraction, &best_cells, &mut rng);
                if better(mended.hard, mended.soft, best) {
                    best = (mended.hard, mended.soft);
                    best_cells.clone_from(&mended.cells);
                    time_to_best = start.elapsed();
                    report(best.0, best.1, steps, time_to_best, fraction, &best_cells);
                    state = mended;
                }
            }
            if meetings > 0 {
                let due = if meet_every > 0 {
                    steps > 0 && steps.is_multiple_of(meet_every)
                } else {
                    // While the first worker's column search runs, only the end meets.
                    let began = if dive_share > 0.0 {
                        shared.dive_end()
                    } else {
                        Some(0.0)
                    };
                    spent
                        || began.is_some_and(|began| {
                            fraction >= began + (1.0 - began) * (met + 1) as f64 / meetings as f64
                        })
                };
                if due {
                    met += 1;
                    let (all_spent, adopted) =
                        meet(shared, index, best, &best_cells, time_to_best, spent);
                    if let Some(slot) = adopted {
                        let roster = Roster {
                            days: p.days,
                            cells: slot.cells,
                        };
                        state = State::new(p, t, &roster);
                        best = slot.best;
                        best_cells.clone_from(&state.cells);
                        time_to_best = slot.found_at;
                        // What another worker found is no gain of this one's annealing.
                        turn_from.0 = best;
                    }
                    if all_spent {
                        break;
                    }
                }
                // With a time limit, workers stop only together, at a meeting: one that
                // stopped alone would leave the others waiting at the next.
                if meet_every > 0 && spent {
                    break;
                }
            } else if spent {
                break;
            }
            if let (Some(split), Some(limit)) = (split.as_mut(), limit)
                && best.0 == 0
                && !spent
                && split.due(Instant::now())
            {
                // A re-dive ends by the next meeting, so no other worker waits for it.
                let next = if meetings > 0 {
                    ((met + 1) as f64 / meetings as f64).min(1.0)
                } else {
                    1.0
                };
                let deadline = start + limit.mul_f64(next);
                let began = Instant::now();
                let incumbent = Roster {
                    days: p.days,
                    cells: best_cells.clone(),
                };
                let found = windows::redive(p, t, &incumbent, &mut rng, split, &|| {
                    stopped() || Instant::now() >= deadline
                });
                let before = best;
                if let Some(roster) = found {
                    let e = evaluate(p, &roster);
                    let found = (e.hard_units() as i64, e.objective as i64);
                    if better(found.0, found.1, best) {
                        state = State::new(p, t, &roster);
                        best = found;
                        best_cells.clone_from(&state.cells);
                        time_to_best = start.elapsed();
                        report(best.0, best.1, steps, time_to_best, fraction, &best_cells);
                    }
                }
                let gain = |from: (i64, i64), to: (i64, i64)| {
                    ((from.0 - to.0) * options.hard_weight + from.1 - to.1) as f64
                };
                let now = Instant::now();
                split.record(
                    (gain(turn_from.0, before), began.duration_since(turn_from.1)),
                    (gain(before, best), now.duration_since(began)),
                    now,
                );
                turn_from = (best, now);
            }
            temperature = t0 * (t1 / t0).powf(fraction);
            if state.hard > 0 {
                weight = (weight * 1.02).min(options.hard_weight as f64 * 1000.0);
            } else {
                weight = (weight * 0.99).max(options.hard_weight as f64 * 0.1);
            }
        }
        let (hard0, soft0) = (state.hard, state.soft);
        let mut kind = MoveKind::random(&mut rng, options.row_plan_every);
        let timed = kind == MoveKind::RowPlan && row_plans.timed();
        if timed && !row_plans.may_run() {
            kind = MoveKind::random(&mut rng, 0);
        }
        let began = timed.then(Instant::now);
        random_move(
            &mut state,
            &mut rng,
            &mut undo,
            kind,
            weight,
            options.balanced_cross_swaps,
        );
        if let Some(began) = began {
            row_plans.spent += began.elapsed();
        }
        let delta = (state.hard - hard0) as f64 * weight + (state.soft - soft0) as f64;
        let accept = delta <= 0.0 || rng.chance((-delta / temperature).exp());
        if accept {
            if better(state.hard, state.soft, best) {
                best = (state.hard, state.soft);
                best_cells.clone_from(&state.cells);
                time_to_best = start.elapsed();
                report(
                    state.hard,
                    state.soft,
                    steps,
                    time_to_best,
                    fraction,
                    &state.cells,
                );
            }
        } else {
            undo_move(&mut state, &undo);
        }
        if cfg!(debug_assertions) && options.check_every_move {
            state.check();
        }
        steps += 1;
    }
    // Leave the meetings with this worker's best marked done, so a worker still searching
    // stops at its next meeting and none waits for this one (which matters only when
    // stopped: otherwise every meeting is already over).
    {
        let mut slots = shared.slots.lock().expect("meeting lock");
        let slot = &mut slots[index];
        slot.best = best;
        slot.cells.clone_from(&best_cells);
        slot.found_at = time_to_best;
        slot.done = true;
    }
    shared.barrier.leave();
    (
        Roster {
            days: p.days,
            cells: best_cells,
        },
        best,
        time_to_best,
        steps,
    )
}

/// Under a time limit, the time a worker's re-plans of whole rows (`MoveKind::RowPlan`) take,
/// held to `Options::row_plan_share` of its search: where a row's DP is slow (a long horizon,
/// many minutes to count) a drawn re-plan gives way to another move while the share is
/// spent. Under a step budget every drawn re-plan runs, so the result repeats.
struct RowPlanClock {
    share: f64,
    /// When the search began; `None` under a step budget.
    since: Option<Instant>,
    spent: Duration,
}

impl RowPlanClock {
    fn timed(&self) -> bool {
        self.since.is_some()
    }

    fn may_run(&self) -> bool {
        self.since.is_none_or(|since| {
            self.share >= 1.0
                || self.spent.as_secs_f64() <= self.share * since.elapsed().as_secs_f64()
        })
    }
}

/// The roster a worker starts from: the greedy construction, or, with
/// `Options::feasibility_first` when that breaks a hard rule, the construction by rows if it
/// does better (fewer hard units, then a lower penalty); with `feasibility_first`, every
/// second worker (`index` odd) cuts the greedy pass at a tenth of the time budget. Not where
/// column generation runs: its rows are whole rows keeping every rule, found by the exact DP, and there the greedy
/// start keeps the annealing's workers apart from the dive (on benchmark instance 8 a start
/// by rows gave 1,602–1,877 at 10 s against 1,479–1,591).
fn first_roster(
    p: &Problem,
    t: &Tables,
    options: &Options,
    index: usize,
    start: Instant,
    rng: &mut Rng,
) -> Roster {
    let stop = options.stop.as_deref();
    // Under a time limit (and no step budget) the construction takes at most 60 % of it.
    let deadline = match (options.step_limit, options.time_limit) {
        (None, Some(limit)) => Some(start + limit.mul_f64(0.6)),
        _ => None,
    };
    let by_rows = options.feasibility_first
        && !(options.column_generation && ColumnForm::of(p, t) == ColumnForm::Whole);
    // Every second worker gives the greedy pass at most a tenth of the budget: at the largest
    // sizes it would take a quarter of 10 s and still break a hard rule in every row, and the
    // people it leaves off are the first the construction by rows plans.
    let greedy_deadline = match (options.step_limit, options.time_limit) {
        (None, Some(limit)) if by_rows && index % 2 == 1 => Some(start + limit.mul_f64(0.1)),
        _ => None,
    };
    let greedy = construct(p, t, rng, stop, greedy_deadline);
    if !by_rows {
        return greedy;
    }
    let a = evaluate(p, &greedy);
    if a.is_feasible() {
        return greedy;
    }
    let rows = construct_by_rows(p, t, rng, stop, deadline, &greedy, options.check_every_move);
    let b = evaluate(p, &rows);
    if (b.hard_units(), b.objective) < (a.hard_units(), a.objective) {
        rows
    } else {
        greedy
    }
}

/// The best roster with its rows that break a hard rule repaired on hard units alone
/// (`feasible::repair`), for at most a twentieth of a time budget.
fn mend_best<'p>(
    p: &'p Problem,
    t: &'p Tables,
    options: &Options,
    start: Instant,
    fraction: f64,
    cells: &[u16],
    rng: &mut Rng,
) -> State<'p> {
    let stop = options.stop.as_deref();
    let deadline = match (options.step_limit, options.time_limit) {
        (None, Some(limit)) => Some(start + limit.mul_f64(fraction + 0.05)),
        _ => None,
    };
    let stopped = || {
        stop.is_some_and(|s| s.load(Ordering::Relaxed))
            || deadline.is_some_and(|d| Instant::now() >= d)
    };
    let roster = Roster {
        days: p.days,
        cells: cells.to_vec(),
    };
    let mut state = State::new(p, t, &roster);
    repair(&mut state, rng, &stopped);
    state
}

/// The first worker's column generation (see `Options::column_generation`), with the rows of
/// `seed` that keep every rule for those the prices find no row: a dive (paced by `DivePace`
/// under a time limit), then re-dives over 6–15 people drawn at random with everyone else
/// held to the best roster so far, keeping each that is better. Re-dives begin until
/// `dive_share` of the time is used, or later while the last one gained, and each may run on
/// to `DIVE_SHARE_MOST`: a dive that ends just before its share with a poor roster (on
/// instance 9, 539 against the optimum 439) is mended by the next re-dive or two.
/// Each better roster is passed to `improved` with its time; the best is returned with it.
// As `worker`: the context is passed whole.
#[allow(clippy::too_many_arguments)]
fn column_search(
    p: &Problem,
    t: &Tables,
    options: &Options,
    start: Instant,
    dive_share: f64,
    seed: &Roster,
    rng: &mut Rng,
    improved: &dyn Fn((i64, i64), Duration),
) -> Option<(Roster, Duration)> {
    // A step budget is bounded by steps, not the clock, even when a time limit is set too.
    let limit = options.time_limit.filter(|_| options.step_limit.is_none());
    let deadline = limit.map(|limit| start + limit.mul_f64(dive_share));
    let stop = options.stop.as_deref();
    let stopped = || stop.is_some_and(|s| s.load(Ordering::Relaxed));
    let latest = limit.map(|limit| start + limit.mul_f64(DIVE_SHARE_MOST));
    let redive_over = || stopped() || latest.is_some_and(|l| Instant::now() >= l);
    let pace = limit.map(|limit| {
        DivePace::new(
            start + limit.mul_f64(dive_share),
            start + limit.mul_f64(DIVE_SHARE_MOST),
        )
    });
    let dive_over = |fixed: f64| {
        stopped()
            || pace
                .as_ref()
                .is_some_and(|pace| pace.over(fixed, Instant::now()))
    };
    let max_solves = if deadline.is_some() {
        usize::MAX
    } else {
        DIVE_SOLVES
    };
    let mut search = colgen::ColumnSearch::seeded(p, t, max_solves, Some(seed))?;
    if deadline.is_some() {
        search.set_chooser(colgen::FactorisationChooser::timed());
    }
    let mut best = search.paced_dive(&dive_over)?;
    let score = |r: &Roster| {
        let e = evaluate(p, r);
        (e.hard_units() as i64, e.objective as i64)
    };
    let mut best_score = score(&best);
    let mut best_at = start.elapsed();
    improved(best_score, best_at);
    let staff = p.staff.len();
    let mut gained = false;
    while let Some(deadline) = deadline
        && !redive_over()
        && (gained || Instant::now() < deadline)
    {
        let size = (6 + rng.below(10)).min(staff);
        let free = windows::draw_people(rng, staff, size);
        gained = false;
        if let Some(roster) = search.redive(&best, &free, &redive_over) {
            let s = score(&roster);
            if s < best_score {
                (best, best_score, best_at) = (roster, s, start.elapsed());
                improved(best_score, best_at);
                gained = true;
            }
        }
    }
    Some((best, best_at))
}

/// When the dive stops under a time limit: at its share of the time (`DIVE_SHARE`), unless
/// its pace then — the share of people fixed since its first fix — says it ends by
/// `DIVE_SHARE_MOST` even at half that pace (the last people take longest); then it runs on,
/// but never past that. A dive let run on is judged once more, halfway to that latest end,
/// by its pace since its share ended: it stops there unless that pace ends it in time. (The
/// rounds lengthen as a dive goes on on some problems: on a stand-in for benchmark instance
/// 13 at 60 s they grew from 0.12 s to 1.5 s, so a dive judged to end in time at 24 s was
/// still a seventh short of its end at 48 s, and its worker had annealed for only 12 s.) A
/// dive still on the LP over everyone at its share stops there (its pace is unknown).
struct DivePace {
    share_end: Instant,
    latest: Instant,
    /// When the dive was first seen to have fixed someone, and the share fixed then.
    began: Cell<Option<(Instant, f64)>>,
    /// Whether the dive runs on past its share, once judged.
    runs_on: Cell<Option<bool>>,
    /// When the dive was judged at its share's end and the share fixed then, until judged
    /// again halfway to `latest`.
    judged_at: Cell<Option<(Instant, f64)>>,
}

impl DivePace {
    fn new(share_end: Instant, latest: Instant) -> DivePace {
        DivePace {
            share_end,
            latest,
            began: Cell::new(None),
            runs_on: Cell::new(None),
            judged_at: Cell::new(None),
        }
    }

    /// Whether the dive, with the share `fixed` of the people fixed, stops `now`.
    fn over(&self, fixed: f64, now: Instant) -> bool {
        if fixed > 0.0 && self.began.get().is_none() {
            self.began.set(Some((now, fixed)));
        }
        if now < self.share_end {
            return false;
        }
        if now >= self.latest {
            return true;
        }
        // Whether the pace since `since`, the share `gained` in that time, ends the dive by
        // `latest` even when `slower` times slower.
        let ends_by_latest = |since: Instant, gained: f64, slower: f64| {
            let per_share = now.duration_since(since).as_secs_f64() / gained;
            now + Duration::from_secs_f64(slower * per_share * (1.0 - fixed)) <= self.latest
        };
        let runs_on = self.runs_on.get().unwrap_or_else(|| {
            let judged = self
                .began
                .get()
                // One round since the first fix has no pace yet: judge by that round alone.
                .is_some_and(|(began, first)| {
                    ends_by_latest(began, (fixed - first).max(first), 2.0)
                });
            self.runs_on.set(Some(judged));
            self.judged_at.set(Some((now, fixed)));
            judged
        });
        let halfway = self.share_end + self.latest.duration_since(self.share_end) / 2;
        if let Some((since, then)) = self.judged_at.get()
            && runs_on
            && now >= halfway
        {
            self.judged_at.set(None);
            let judged = fixed > then && ends_by_latest(since, fixed - then, 1.0);
            self.runs_on.set(Some(judged));
            return !judged;
        }
        !runs_on
    }
}

#[cfg(test)]
mod tests {
    use super::{DivePace, RowPlanClock};
    use std::time::{Duration, Instant};

    const SHARE: f64 = 0.2;

    #[test]
    fn row_plans_give_way_once_they_have_taken_their_share_of_the_search() {
        let since = Instant::now() - Duration::from_secs(10);
        let within = RowPlanClock {
            share: SHARE,
            since: Some(since),
            spent: Duration::from_secs_f64(10.0 * SHARE * 0.9),
        };
        assert!(within.timed() && within.may_run());
        let spent = RowPlanClock {
            share: SHARE,
            since: Some(since),
            spent: Duration::from_secs_f64(10.0 * SHARE * 1.1),
        };
        assert!(!spent.may_run());
        // A share of 1 is no limit.
        let unlimited = RowPlanClock {
            share: 1.0,
            ..spent
        };
        assert!(unlimited.may_run());
        // Under a step budget there is no clock: every drawn re-plan runs.
        let steps = RowPlanClock {
            share: SHARE,
            since: None,
            spent: Duration::from_secs(1_000),
        };
        assert!(!steps.timed() && steps.may_run());
    }

    #[test]
    fn a_dive_runs_past_its_share_only_when_its_pace_ends_it_in_time() {
        let t0 = Instant::now();
        let at = |secs: f64| t0 + Duration::from_secs_f64(secs);
        // A 10 s budget: the dive's share ends at 4 s, and it never runs past 8 s.
        let pace = || DivePace::new(at(4.0), at(8.0));
        // Within its share it goes on; still on the LP over everyone at 4 s, it stops.
        let still_on_the_lp = pace();
        assert!(!still_on_the_lp.over(0.0, at(3.9)));
        assert!(still_on_the_lp.over(0.0, at(4.1)));
        // Half more fixed in 1.5 s since the first fix: the rest by 8 s even at half the pace.
        let quick = pace();
        assert!(!quick.over(0.1, at(3.0)));
        assert!(!quick.over(0.6, at(4.5)));
        // Judged again halfway to 8 s: 0.2 more in 1.6 s ends the rest by 7.7 s at that pace.
        assert!(!quick.over(0.7, at(5.5)));
        assert!(!quick.over(0.8, at(6.1)));
        // Judged no more: a slower round later does not cut it short, but 8 s does.
        assert!(!quick.over(0.82, at(7.5)));
        assert!(quick.over(0.95, at(8.0)));
        // Judged to run on at 4.5 s, then slowing: 0.05 more in 1.6 s would take until 17 s.
        let slowing = pace();
        assert!(!slowing.over(0.1, at(3.0)));
        assert!(!slowing.over(0.6, at(4.5)));
        assert!(!slowing.over(0.62, at(5.9)));
        assert!(slowing.over(0.65, at(6.1)));
        // A tenth in two seconds: the rest would take until 21 s at half the pace.
        let slow = pace();
        assert!(!slow.over(0.1, at(3.0)));
        assert!(slow.over(0.2, at(5.0)));
        // Nothing fixed since the first fix: the first round alone (0.1 in 4.2 s) is slow.
        let first_only = pace();
        assert!(!first_only.over(0.1, at(0.3)));
        assert!(first_only.over(0.1, at(4.5)));
    }
}
