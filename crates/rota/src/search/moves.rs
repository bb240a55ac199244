//! The move selectors and how one random move of a kind is made (and recorded to undo).
use crate::model::OFF;
use crate::rng::Rng;
use crate::tables::NO_LOCK;

use super::replan::plan_row_or_window;
use super::state::{State, Undo};

/// The move selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveKind {
    /// Change one person's one day.
    Change,
    /// Swap two people's assignments on one day.
    Swap,
    /// Swap a block of 2–7 days between two people.
    BlockSwap,
    /// Give one person the same value on a block of 2–5 days.
    BlockReplan,
    /// Re-plan one person's whole row by dynamic programming (see `rowplan`), or a few weeks
    /// of it where the whole row is too long for the DP.
    RowPlan,
    /// Swap two days of one person's row: a shift moves to another day, the row's totals
    /// (minutes, shifts of each type) kept.
    RowSwap,
    /// Swap two people's assignments on two days at once: the cover is kept, only the two
    /// rows change.
    CrossSwap,
    /// Put someone on a shift short of cover, usually giving up another of their working
    /// days so the row's total stays.
    CoverFill,
    /// Swap two blocks of 2–7 days of one person's row (half the time two weekends): a run
    /// or a worked weekend moves, the row's totals kept.
    RowBlockSwap,
    /// Fill a shift short of cover by a chain of two people: the first takes it and gives up
    /// the working day whose loss costs least among a few; where that leaves the day's own
    /// cover short, a second person takes that shift and gives up a day the same way.
    CoverChain,
    /// Meet a shift-on request not met: the person takes the shift from someone on it that
    /// day, who takes their value; where a second day lets both keep their minutes, usually
    /// that day is swapped too (as `CrossSwap`). A plain `Swap` where there is no shift-on
    /// request (the product's).
    RequestSwap,
}

impl MoveKind {
    pub const ALL: [MoveKind; 11] = [
        MoveKind::Change,
        MoveKind::Swap,
        MoveKind::BlockSwap,
        MoveKind::BlockReplan,
        MoveKind::RowPlan,
        MoveKind::RowSwap,
        MoveKind::CrossSwap,
        MoveKind::CoverFill,
        MoveKind::RowBlockSwap,
        MoveKind::CoverChain,
        MoveKind::RequestSwap,
    ];

    /// Picks a selector with the search's mix: cover fill 5 %, cover chain 2 %, change 23 %,
    /// swap 16 %, request swap 4 %, block swap 10 %, block re-plan 10 %, row swap 12 %, cross
    /// swap 10 %, row block swap 8 %, and a row re-plan once in `row_plan_every` moves.
    pub(super) fn random(rng: &mut Rng, row_plan_every: usize) -> MoveKind {
        if row_plan_every > 0 && rng.below(row_plan_every) == 0 {
            return MoveKind::RowPlan;
        }
        match rng.below(100) {
            0..5 => MoveKind::CoverFill,
            5..7 => MoveKind::CoverChain,
            7..30 => MoveKind::Change,
            30..46 => MoveKind::Swap,
            46..50 => MoveKind::RequestSwap,
            50..60 => MoveKind::BlockSwap,
            60..70 => MoveKind::BlockReplan,
            70..82 => MoveKind::RowSwap,
            82..92 => MoveKind::CrossSwap,
            _ => MoveKind::RowBlockSwap,
        }
    }
}

/// Tries one random move of a kind and records how to undo it.
pub(super) fn random_move(
    state: &mut State,
    rng: &mut Rng,
    undo: &mut Undo,
    kind: MoveKind,
    weight: f64,
    balanced: bool,
) {
    let (days, staff) = (state.t.days, state.p.staff.len());
    let t = state.t;
    // Whether the two people may take each other's values on day `d`.
    let may_swap = |state: &State, e1: usize, e2: usize, d: usize| {
        let (a, b) = (state.cells[e1 * days + d], state.cells[e2 * days + d]);
        t.may_take(e1, d, b) && t.may_take(e2, d, a)
    };
    undo.begin(state);
    // With no shift-on request (the product's rows ask by `WorkRequest`) a request swap is a
    // plain swap, so the product's mix of moves is as it was.
    let kind = if kind == MoveKind::RequestSwap && state.p.on_requests.is_empty() {
        MoveKind::Swap
    } else {
        kind
    };
    // Half the time a working value is drawn among the shifts still short of cover that day,
    // which is where a change most likely pays.
    let pick_value = |rng: &mut Rng, e: usize, d: usize, state: &State| -> u16 {
        let allowed = state.t.allowed_on(e, d);
        if allowed.is_empty() || rng.chance(0.25) {
            return OFF;
        }
        if rng.chance(0.5) {
            let short: Vec<u16> = allowed
                .iter()
                .copied()
                .filter(|&s| {
                    state
                        .t
                        .covers_at(d, s as usize)
                        .iter()
                        .any(|&c| state.short_of(c as usize))
                })
                .collect();
            if !short.is_empty() {
                return short[rng.below(short.len())];
            }
        }
        allowed[rng.below(allowed.len())]
    };
    let e1 = rng.below(staff);
    if kind == MoveKind::Change {
        // Change one cell.
        let d = rng.below(days);
        let v = pick_value(rng, e1, d, state);
        set(state, undo, e1, d, v);
    } else if kind == MoveKind::Swap {
        // Swap two people's assignments on one day.
        let e2 = rng.below(staff);
        let d = rng.below(days);
        if may_swap(state, e1, e2, d) {
            let (a, b) = (state.cells[e1 * days + d], state.cells[e2 * days + d]);
            set(state, undo, e1, d, b);
            set(state, undo, e2, d, a);
        }
    } else if kind == MoveKind::BlockSwap {
        // Swap a block of days between two people.
        let e2 = rng.below(staff);
        let len = 2 + rng.below(6.min(days - 1));
        let start = rng.below(days - len + 1);
        let may = (start..start + len).all(|d| may_swap(state, e1, e2, d));
        for d in (start..start + len).filter(|_| may) {
            let (a, b) = (state.cells[e1 * days + d], state.cells[e2 * days + d]);
            set(state, undo, e1, d, b);
            set(state, undo, e2, d, a);
        }
    } else if kind == MoveKind::RowSwap {
        // Half the time the other day is within three days, where a run's edge moves.
        let d1 = rng.below(days);
        let d2 = if rng.chance(0.5) {
            (d1 + days + rng.below(7) - 3) % days
        } else {
            rng.below(days)
        };
        let (a, b) = (state.cells[e1 * days + d1], state.cells[e1 * days + d2]);
        if t.may_take(e1, d1, b) && t.may_take(e1, d2, a) {
            set(state, undo, e1, d1, b);
            set(state, undo, e1, d2, a);
        }
    } else if kind == MoveKind::CrossSwap {
        let e2 = rng.below(staff);
        let d1 = rng.below(days);
        let d2 = if balanced {
            balanced_day(state, rng, (e1, e2), d1, days).unwrap_or(d1)
        } else {
            rng.below(days)
        };
        let both = [d1, d2];
        let both = &both[..if d1 == d2 { 1 } else { 2 }];
        let may = both.iter().all(|&d| may_swap(state, e1, e2, d));
        for &d in both.iter().filter(|_| may) {
            let (a, b) = (state.cells[e1 * days + d], state.cells[e2 * days + d]);
            set(state, undo, e1, d, b);
            set(state, undo, e2, d, a);
        }
    } else if kind == MoveKind::RowBlockSwap {
        let (len, a, b) = if days >= 14 && rng.chance(0.5) {
            let weekends = days / 7;
            (2, 7 * rng.below(weekends) + 5, 7 * rng.below(weekends) + 5)
        } else {
            let len = 2 + rng.below(6.min(days / 2 - 1));
            (len, rng.below(days - len + 1), rng.below(days - len + 1))
        };
        let may = (0..len).all(|i| {
            let (x, y) = (
                state.cells[e1 * days + a + i],
                state.cells[e1 * days + b + i],
            );
            t.may_take(e1, a + i, y) && t.may_take(e1, b + i, x)
        });
        if a.abs_diff(b) >= len && may {
            for i in 0..len {
                let (x, y) = (
                    state.cells[e1 * days + a + i],
                    state.cells[e1 * days + b + i],
                );
                set(state, undo, e1, a + i, y);
                set(state, undo, e1, b + i, x);
            }
        }
    } else if kind == MoveKind::CoverFill {
        if let Some((e, d, s)) = short_cover(state, rng).and_then(|i| taker(state, rng, i, None)) {
            if state.cells[e * days + d] == OFF && rng.chance(0.7) {
                let other = (0..8)
                    .map(|_| rng.below(days))
                    .find(|&d2| d2 != d && state.cells[e * days + d2] != OFF);
                if let Some(d2) = other {
                    set(state, undo, e, d2, OFF);
                }
            }
            set(state, undo, e, d, s);
        }
    } else if kind == MoveKind::CoverChain {
        cover_chain(state, rng, undo, weight);
    } else if kind == MoveKind::RequestSwap {
        request_swap(state, rng, undo);
    } else if kind == MoveKind::RowPlan {
        if let Some(cells) = plan_row_or_window(state, rng, e1, weight) {
            for (d, v) in cells.into_iter().enumerate() {
                if state.t.lock[e1 * days + d] == NO_LOCK {
                    set(state, undo, e1, d, v);
                }
            }
        }
    } else {
        // Re-plan a block of one person's days with one value.
        let len = 2 + rng.below(4.min(days - 1));
        let start = rng.below(days - len + 1);
        let v = pick_value(rng, e1, start, state);
        for d in (start..start + len).filter(|&d| t.may_take(e1, d, v)) {
            set(state, undo, e1, d, v);
        }
    }
}

/// A cover row short of its requirement, drawn among 16 (`None` when none of them is short).
fn short_cover(state: &State, rng: &mut Rng) -> Option<usize> {
    let covers = state.p.cover.len();
    (0..16)
        .map(|_| rng.below(covers.max(1)))
        .find(|&i| i < covers && state.short_of(i))
}

/// Someone, drawn among 8 (never `except`), who counts for cover row `i`, does not already work
/// one of its shifts that day and may work one: the person, the day and one of the row's
/// shifts they may work (no draw when there is one).
fn taker(
    state: &State,
    rng: &mut Rng,
    i: usize,
    except: Option<usize>,
) -> Option<(usize, usize, u16)> {
    let (p, days, staff) = (state.p, state.t.days, state.p.staff.len());
    let (d, row) = (p.cover[i].day, &p.cover[i].shifts);
    let may = |e: usize, s: &usize| state.t.allowed_on(e, d).contains(&(*s as u16));
    let e = (0..8).map(|_| rng.below(staff)).find(|&e| {
        let cell = state.cells[e * days + d];
        Some(e) != except
            && (cell == OFF || !row.contains(&(cell as usize)))
            && row.iter().any(|s| may(e, s))
            && state.counts(e, i)
    })?;
    let options = row.iter().filter(|s| may(e, s)).count();
    let k = if options > 1 { rng.below(options) } else { 0 };
    let s = row.iter().filter(|s| may(e, s)).nth(k).map(|&s| s as u16)?;
    Some((e, d, s))
}

/// Sets a cell, recording its old value to undo.
fn set(state: &mut State, undo: &mut Undo, e: usize, d: usize, v: u16) {
    if state.cells[e * state.t.days + d] != v {
        undo.record(state, e, d);
        state.set_cell(e, d, v);
    }
}

/// `MoveKind::CoverChain`: a short cover row filled by one person, then the shift they give
/// up filled by a second where its cover falls short.
fn cover_chain(state: &mut State, rng: &mut Rng, undo: &mut Undo, weight: f64) {
    let Some((a, d, s)) = short_cover(state, rng).and_then(|i| taker(state, rng, i, None)) else {
        return;
    };
    set(state, undo, a, d, s);
    let Some((d2, s2)) = give_up(state, rng, undo, a, d, weight) else {
        return;
    };
    let t = state.t;
    let short = t
        .covers_at(d2, s2 as usize)
        .iter()
        .map(|&c| c as usize)
        .find(|&c| state.counts(a, c) && state.short_of(c));
    let Some((b, _, s3)) = short.and_then(|c| taker(state, rng, c, Some(a))) else {
        return;
    };
    set(state, undo, b, d2, s3);
    give_up(state, rng, undo, b, d2, weight);
}

/// `MoveKind::RequestSwap`: a shift-on request not met, drawn among 8, met by a swap with
/// someone on that shift that day (the first found from a random place), and 70 % of the
/// time a second day swapped too where that keeps both people's minutes. Where nobody is on
/// the shift that day the person simply takes it.
fn request_swap(state: &mut State, rng: &mut Rng, undo: &mut Undo) {
    let (p, t, days) = (state.p, state.t, state.t.days);
    let requests = p.on_requests.len();
    let unmet = (0..8)
        .map(|_| &p.on_requests[rng.below(requests)])
        .find(|r| state.cells[r.staff * days + r.day] != r.shift as u16);
    let Some(&crate::model::Request {
        staff: e,
        day: d,
        shift,
        ..
    }) = unmet
    else {
        return;
    };
    let s = shift as u16;
    if !t.may_take(e, d, s) {
        return;
    }
    let mine = state.cells[e * days + d];
    let staff = p.staff.len();
    let from = rng.below(staff);
    let holder = (0..staff)
        .map(|i| (from + i) % staff)
        .find(|&f| f != e && state.cells[f * days + d] == s && t.may_take(f, d, mine));
    let Some(f) = holder else {
        set(state, undo, e, d, s);
        return;
    };
    let second =
        balanced_day(state, rng, (e, f), d, REQUEST_SWAP_REACH).filter(|_| rng.chance(0.7));
    set(state, undo, e, d, s);
    set(state, undo, f, d, mine);
    if let Some(d2) = second {
        let (a, b) = (state.cells[e * days + d2], state.cells[f * days + d2]);
        set(state, undo, e, d2, b);
        set(state, undo, f, d2, a);
    }
}

/// Person `e`, just put on day `kept`, gives up the working day whose loss leaves the score
/// lowest among up to 10 (the days within three of `kept` first), or none where keeping them
/// all is lower still: the day and the shift given up.
fn give_up(
    state: &mut State,
    rng: &mut Rng,
    undo: &mut Undo,
    e: usize,
    kept: usize,
    weight: f64,
) -> Option<(usize, u16)> {
    let days = state.t.days;
    let score = |state: &State| state.hard as f64 * weight + state.soft as f64;
    let may_drop = |state: &State, d: usize| {
        d != kept && state.cells[e * days + d] != OFF && state.t.lock[e * days + d] == NO_LOCK
    };
    // At most six days lie within three of `kept`, so the ten fit on the stack.
    let (mut candidates, mut n) = ([0usize; 10], 0);
    for d in kept.saturating_sub(3)..(kept + 4).min(days) {
        if may_drop(state, d) {
            candidates[n] = d;
            n += 1;
        }
    }
    for _ in 0..10 {
        if n >= 10 {
            break;
        }
        let d = rng.below(days);
        if may_drop(state, d) && !candidates[..n].contains(&d) {
            candidates[n] = d;
            n += 1;
        }
    }
    let mut best = (score(state), None);
    for &d in &candidates[..n] {
        let cell = state.cells[e * days + d];
        state.set_cell(e, d, OFF);
        let after = score(state);
        state.set_cell(e, d, cell);
        if after < best.0 {
            best = (after, Some((d, cell)));
        }
    }
    let (d, cell) = best.1?;
    set(state, undo, e, d, OFF);
    Some((d, cell))
}

/// How far from the request's day a request swap seeks its second day (`balanced_day`): on a
/// horizon of four weeks or less, every day. On a year, seeking it among every day took a
/// sixth of the search's time (a profile of the 120 × 364 enlarged instance 12).
const REQUEST_SWAP_REACH: usize = 27;

/// For a cross swap of people `e1` and `e2` on day `d1`: a second day at most `reach` days
/// from it, drawn evenly among those where swapping them too leaves both with the minutes
/// they had and breaks nothing fixed by the day (see `Tables::may_take`); `None` when there
/// is none.
fn balanced_day(
    state: &State,
    rng: &mut Rng,
    (e1, e2): (usize, usize),
    d1: usize,
    reach: usize,
) -> Option<usize> {
    let (t, days) = (state.t, state.t.days);
    let near = d1.saturating_sub(reach)..d1.saturating_add(reach).saturating_add(1).min(days);
    let length = |cell: u16| {
        if cell == OFF {
            0
        } else {
            i64::from(state.p.shifts[cell as usize].minutes)
        }
    };
    let cell = |e: usize, d: usize| state.cells[e * days + d];
    let given = length(cell(e2, d1)) - length(cell(e1, d1));
    let fits = |d: usize| {
        let (a, b) = (cell(e1, d), cell(e2, d));
        d != d1
            && a != b
            && length(b) - length(a) == -given
            && t.may_take(e1, d, b)
            && t.may_take(e2, d, a)
    };
    // One pass keeps the first 64 days that fit (a request swap's reach holds 55); a draw
    // past them walks the days again.
    let (mut first, mut count) = ([0usize; 64], 0);
    for d in near.clone().filter(|&d| fits(d)) {
        if count < first.len() {
            first[count] = d;
        }
        count += 1;
    }
    if count == 0 {
        return None;
    }
    let k = rng.below(count);
    if k < first.len() {
        Some(first[k])
    } else {
        near.filter(|&d| fits(d)).nth(k)
    }
}

#[cfg(test)]
mod tests {
    use super::{MoveKind, random_move};
    use crate::model::{OFF, Roster};
    use crate::rng::Rng;
    use crate::search::state::{State, Undo};
    use crate::tables::Tables;

    const TWO_PEOPLE: &str = "SECTION_HORIZON\n7\n\nSECTION_SHIFTS\nD,480,\n\n\
        SECTION_STAFF\nA,D=7,3360,0,7,1,1,2\nB,D=7,3360,0,7,1,1,2\n\n\
        SECTION_DAYS_OFF\n\nSECTION_SHIFT_ON_REQUESTS\nA,2,D,3\n\n\
        SECTION_SHIFT_OFF_REQUESTS\n\nSECTION_COVER\n2,D,1,100,1\n";

    #[test]
    fn a_request_swap_gives_the_shift_to_the_person_who_asked_for_it() {
        let p = crate::read_instance(TWO_PEOPLE).expect("a valid instance");
        let t = Tables::new(&p);
        // B works the day-2 shift that A asked for; A is off all week.
        let mut roster = Roster::empty(2, 7);
        roster.cells[7 + 2] = 0;
        let mut state = State::new(&p, &t, &roster);
        let before = state.soft;
        let mut undo = Undo::new();
        random_move(
            &mut state,
            &mut Rng::new(1),
            &mut undo,
            MoveKind::RequestSwap,
            1e3,
            false,
        );
        assert_eq!((state.cells[2], state.cells[7 + 2]), (0, OFF));
        // The cover is kept and the request met.
        assert_eq!(state.soft, before - 3);
    }

    #[test]
    fn a_request_swap_seeks_its_second_day_within_four_weeks_and_a_cross_swap_anywhere() {
        // Ten weeks; B works day 2, which A asked for. A works day 10 and day 60, where B is
        // off, so either day gives B back the shift A takes.
        let p = two_people_over(70);
        let t = Tables::new(&p);
        let mut roster = Roster::empty(2, 70);
        roster.cells[70 + 2] = 0;
        roster.cells[10] = 0;
        roster.cells[60] = 0;
        let state = State::new(&p, &t, &roster);
        assert_eq!(
            second_days(&state, super::REQUEST_SWAP_REACH, 200),
            vec![10]
        );
        assert_eq!(second_days(&state, 70, 200), vec![10, 60]);
    }

    /// `TWO_PEOPLE` over `days` days, each able to work them all.
    fn two_people_over(days: usize) -> crate::Problem {
        let instance = TWO_PEOPLE
            .replace("SECTION_HORIZON\n7", &format!("SECTION_HORIZON\n{days}"))
            .replace("D=7,3360", &format!("D={days},{}", 480 * days));
        crate::read_instance(&instance).expect("a valid instance")
    }

    /// The second days `draws` draws of A and B's swap on day 2 gave, each once, in order.
    fn second_days(state: &State, reach: usize, draws: usize) -> Vec<usize> {
        let mut rng = Rng::new(1);
        let mut seen: Vec<usize> = (0..draws)
            .filter_map(|_| super::balanced_day(state, &mut rng, (0, 1), 2, reach))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    }

    #[test]
    fn a_cross_swap_draws_its_second_day_among_every_day_that_fits_past_the_first_64() {
        // Twenty weeks; B works day 2, A every other day from day 3, where B is off: 69 days
        // fit, more than the one pass keeps.
        let p = two_people_over(140);
        let t = Tables::new(&p);
        let mut roster = Roster::empty(2, 140);
        roster.cells[140 + 2] = 0;
        let fitting: Vec<usize> = (3..140).step_by(2).collect();
        for &d in &fitting {
            roster.cells[d] = 0;
        }
        let state = State::new(&p, &t, &roster);
        assert_eq!(second_days(&state, 140, 5_000), fitting);
    }
}
