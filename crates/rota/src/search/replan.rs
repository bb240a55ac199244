//! Re-planning one person's whole row by the DP (`rowplan`), everyone else fixed: the prices
//! of the row's values from the current roster, and rounds that price over-used types and
//! fair shares (a Lagrangian relaxation).
use crate::model::{OFF, Problem};
use crate::tables::{Tables, priced_row};

use super::state::{State, pool_pen};

/// The price of each value on each day of person `e`'s row, everyone else as they are.
pub(super) fn row_costs(state: &State, e: usize, weight: f64) -> crate::rowplan::RowCosts {
    let (p, t) = (state.p, state.t);
    let days = t.days;
    priced_row(t, e, weight, |d, v| {
        let cell = e * days + d;
        let current = state.cells[cell];
        let value = v as u16;
        let mut c = 0.0;
        for &i in t.covers_at(d, v) {
            let i = i as usize;
            if state.counts(e, i) {
                // The count without this person, who may count now on another of
                // the row's shifts.
                let now = current == value
                    || (current != OFF && p.cover[i].shifts.contains(&(current as usize)));
                let without = state.cover_count[i] - i64::from(now);
                let term = &t.cover_terms[i];
                c += (term.penalty(without + 1) - term.penalty(without)) as f64;
            }
        }
        for &pool in &t.pools_of[v] {
            if !state.in_pool(e, pool as usize) {
                continue;
            }
            let k = pool as usize * days + d;
            let now = current == value
                || (current != OFF && p.rooms[pool as usize].shifts.contains(&(current as usize)));
            let without = state.pool_count[k] - i64::from(now);
            c += weight
                * (pool_pen(p, pool as usize, d, without + 1)
                    - pool_pen(p, pool as usize, d, without)) as f64;
        }
        c
    })
}

/// Person `e`'s best row by the DP, everyone else fixed. The DP does not count shifts of
/// each type, so when its row has too many of a type, that type is priced higher on every
/// day and the row planned again (a few rounds, each price three times the last), in the
/// manner of a Lagrangian relaxation. The person's fair shares are priced the same way: each
/// share's shifts carry a multiplier, 0 at first, that moves towards `+weight` when the row
/// has more than the target and towards `-weight` when fewer (a step of the weight, then
/// half of it, and so on); within that range the price never exceeds the penalty's slope.
pub(super) fn plan_row(state: &State, e: usize, weight: f64) -> Option<Vec<u16>> {
    plan_priced(
        state.p,
        state.t,
        e,
        row_costs(state, e, weight),
        weight,
        None,
    )
}

/// The longest windows of a row the search re-plans where the whole row is too long for the
/// DP (`rowplan::plan_window`), longest first.
const WINDOW_DAYS: [usize; 6] = [84, 56, 42, 28, 21, 14];

/// Person `e`'s best row by the DP where the whole row fits it; otherwise the best over the
/// longest window that fits (`WINDOW_DAYS`), at a random place, the rest of the row held.
pub(super) fn plan_row_or_window(
    state: &State,
    rng: &mut crate::rng::Rng,
    e: usize,
    weight: f64,
) -> Option<Vec<u16>> {
    let (p, t) = (state.p, state.t);
    if crate::rowplan::state_space(p, e, t.unit).is_some() {
        return plan_row(state, e, weight);
    }
    let len = WINDOW_DAYS
        .into_iter()
        .find(|&len| len < t.days && crate::rowplan::window_fits(p, e, t.unit, len))?;
    let start = rng.below(t.days - len + 1);
    let held = &state.cells[e * t.days..(e + 1) * t.days];
    let window = crate::rowplan::Window {
        start,
        end: start + len,
        held,
    };
    plan_priced(p, t, e, row_costs(state, e, weight), weight, Some(window))
}

/// Person `e`'s best row under `costs` (see `plan_row`).
fn plan_priced(
    p: &Problem,
    t: &Tables,
    e: usize,
    mut costs: crate::rowplan::RowCosts,
    weight: f64,
    window: Option<crate::rowplan::Window>,
) -> Option<Vec<u16>> {
    let plan = |costs: &crate::rowplan::RowCosts| match window {
        Some(w) => crate::rowplan::plan_window(p, e, costs, weight, t.unit, None, w),
        None => crate::rowplan::plan(p, e, costs, weight, t.unit),
    };
    let mut counts = vec![0u32; t.shifts];
    let mut price = 30.0;
    let shares = &t.fair_of[e];
    let mut multiplier = vec![0.0f64; shares.len()];
    let mut step: Vec<f64> = shares
        .iter()
        .map(|&k| f64::from(p.fair_shares[k as usize].weight))
        .collect();
    let mut cells = plan(&costs)?;
    for _ in 0..3 {
        counts.iter_mut().for_each(|c| *c = 0);
        for &c in &cells {
            if c != OFF {
                counts[c as usize] += 1;
            }
        }
        let max = &p.staff[e].max_shifts;
        let off_target: Vec<i64> = shares
            .iter()
            .map(|&k| {
                let target = i64::from(p.fair_shares[k as usize].target);
                (t.fair_count(k as usize, &counts) - target).signum()
            })
            .collect();
        if (0..t.shifts).all(|s| counts[s] <= max[s]) && off_target.iter().all(|&o| o == 0) {
            break;
        }
        for s in (0..t.shifts).filter(|&s| counts[s] > max[s]) {
            for d in 0..t.days {
                costs.cost[d * costs.values + s] += price;
            }
        }
        price *= 3.0;
        for (i, &k) in shares.iter().enumerate() {
            let slope = f64::from(p.fair_shares[k as usize].weight);
            let next = (multiplier[i] + off_target[i] as f64 * step[i]).clamp(-slope, slope);
            let change = next - multiplier[i];
            multiplier[i] = next;
            step[i] /= 2.0;
            if change == 0.0 {
                continue;
            }
            for s in (0..t.shifts).filter(|&s| t.fair_member[k as usize * t.shifts + s]) {
                for d in 0..t.days {
                    costs.cost[d * costs.values + s] += change;
                }
            }
        }
        cells = plan(&costs)?;
    }
    Some(cells)
}
