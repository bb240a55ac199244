//! Pricing: each person's cheapest row under the master's duals that keeps their limits on
//! shifts of each type, and lower bounds on every row's cost and every roster's penalty
//! from the same DP (a Lagrangian relaxation of the cover and of the type limits).
use super::{Master, PRICING_WEIGHT, Solution};
use crate::mend::mend_row;
use crate::model::OFF;
use crate::rng::Rng;
use crate::rowplan::RowCosts;
use crate::tables::{priced_row, row_cost};

/// The prices of over-used shift types (Lagrangian multipliers): rounds, the first step
/// per shift over or under the limit, how each step shrinks, and the top price (above any
/// cover row's weight, so the top brings the row within its limits).
const PRICE_ROUNDS: usize = 12;
pub(super) const PRICE_STEP: f64 = 40.0;
const PRICE_DECAY: f64 = 0.7;
const PRICE_LEAST_STEP: f64 = 1.0;
const PRICE_TOP: f64 = 400.0;
/// Tries of `mend_row` on a row the prices leave over a limit.
const MEND_TRIES: usize = 5_000;

/// `costs` with every cell priced at the hard weight made impossible.
pub(super) fn strict(mut costs: RowCosts) -> RowCosts {
    for c in &mut costs.cost {
        if *c >= PRICING_WEIGHT / 2.0 {
            *c = f64::INFINITY;
        }
    }
    costs
}

/// The cost of `cells` under `costs`.
fn row_value(costs: &RowCosts, cells: &[u16]) -> f64 {
    cells
        .iter()
        .enumerate()
        .map(|(d, &v)| {
            let v = if v == OFF {
                costs.values - 1
            } else {
                usize::from(v)
            };
            costs.cost[d * costs.values + v]
        })
        .sum()
}

impl Master<'_> {
    /// Person `e`'s cheapest row under `costs` that keeps their limits on shifts of each
    /// type. The DP does not count types, so when its row has too many of one, that type is
    /// counted in its state (`rowplan::plan_within`, exact); when it has too many of several,
    /// or others are still over, each type over carries a price of its own (a Lagrangian
    /// multiplier) and the plain DP plans again until a row keeps every limit, or the row
    /// closest to them is mended.
    /// Also returns a lower bound on every row's cost (`None` when no row keeps the rules the
    /// DP holds): the best of the DP's rows that relax the limits — left out, one counted
    /// exactly, or priced (less each price times its limit, a Lagrangian bound).
    /// The flag says whether the row is the cheapest of all, its cost meeting that bound (so
    /// this pricing was exact).
    pub(super) fn best_row(
        &self,
        e: usize,
        costs: RowCosts,
    ) -> (Option<Vec<u16>>, Option<f64>, bool) {
        let Some(cells) = self.first_row(e, &costs) else {
            return (None, None, false);
        };
        let mut least = row_value(&costs, &cells);
        if !least.is_finite() {
            return (None, None, false);
        }
        let row = self.within_limits(e, &costs, cells, &mut least);
        let cheapest = row
            .as_ref()
            .is_some_and(|row| row_value(&costs, row) <= least + 1e-6 * (1.0 + least.abs()));
        (row, Some(least), cheapest)
    }

    /// The DP's cheapest row under `costs` with the limits on each shift type left out.
    fn first_row(&self, e: usize, costs: &RowCosts) -> Option<Vec<u16>> {
        let strict = strict(RowCosts {
            cost: costs.cost.clone(),
            values: costs.values,
        });
        self.plan(e, &strict, None)
    }

    /// The limits' part of `best_row`, from the DP's row `cells` that leaves them out; raises
    /// `least` to each relaxation's bound on the way.
    fn within_limits(
        &self,
        e: usize,
        costs: &RowCosts,
        cells: Vec<u16>,
        least: &mut f64,
    ) -> Option<Vec<u16>> {
        let (p, t) = (self.p, self.t);
        let max = &p.staff[e].max_shifts;
        // The types a row works more often than the limit, with how far over.
        let over = |cells: &[u16]| -> Vec<(usize, u32)> {
            let mut per_type = vec![0u32; t.shifts];
            for &c in cells.iter().filter(|&&c| c != OFF) {
                per_type[c as usize] += 1;
            }
            (0..t.shifts)
                .filter(|&k| per_type[k] > max[k])
                .map(|k| (k, per_type[k] - max[k]))
                .collect()
        };
        // The DP takes no move that breaks a rule it holds (an infinite weight), and no cell
        // priced at the hard weight, so it need not search the states beyond them.
        let strict = strict(RowCosts {
            cost: costs.cost.clone(),
            values: costs.values,
        });
        // When one type is over its limit, it is counted in the state (when the state stays
        // small enough); when several are, every one goes to the prices below.
        let first_over = over(&cells);
        let limit = match first_over.as_slice() {
            [] => return Some(cells),
            &[(k, _)] => Some((k, max[k])),
            _ => None,
        };
        let plan = |costs: &RowCosts| {
            limit
                .and_then(|_| self.plan(e, costs, limit))
                .or_else(|| self.plan(e, costs, None))
        };
        let cells = if limit.is_some() {
            let cells = plan(&strict)?;
            *least = least.max(row_value(&strict, &cells));
            cells
        } else {
            cells
        };
        let mut priced: Vec<usize> = over(&cells).into_iter().map(|(k, _)| k).collect();
        if priced.is_empty() {
            return Some(cells);
        }
        let mut within: Option<Vec<u16>> = None;
        // The row least over the limits, for `mend_row` when no price brings one within.
        let excess = |cells: &[u16]| over(cells).iter().map(|&(_, x)| x).sum::<u32>();
        let mut closest = (excess(&cells), cells.clone());
        // A price per type, moved by how far the row is over or under its limit (a
        // subgradient step on the Lagrangian multipliers, shorter each round), so several
        // binding types trade one against another; the types priced are those ever over.
        // The prices and the step carry over to the person's next pricing, so after the
        // first iterations a round or two finds a row within the limits.
        let (mut price, mut step) = self.type_prices.borrow()[e].clone();
        for (k, &x) in price.iter().enumerate() {
            if x > 0.0 && !priced.contains(&k) {
                priced.push(k);
            }
        }
        let mut counted = vec![0u32; t.shifts];
        let mut cells = cells;
        for _ in 0..PRICE_ROUNDS {
            counted.iter_mut().for_each(|c| *c = 0);
            for &c in cells.iter().filter(|&&c| c != OFF) {
                counted[c as usize] += 1;
            }
            for &k in &priced {
                let gap = f64::from(counted[k]) - f64::from(max[k]);
                price[k] = (price[k] + step * gap).clamp(0.0, PRICE_TOP);
            }
            step = (step * PRICE_DECAY).max(PRICE_LEAST_STEP);
            let mut trial = RowCosts {
                cost: strict.cost.clone(),
                values: costs.values,
            };
            for d in 0..t.days {
                for &k in &priced {
                    trial.cost[d * trial.values + k] += price[k];
                }
            }
            // Every type priced, none counted in the state: a plain DP, (limit + 1) times
            // quicker than one counting a type (on a generated 45 x 42 x 6, the LP over
            // everyone in 38 s against 118 s; instances 8, 9 and 12 alike).
            cells = self.plan(e, &trial, None)?;
            let held: f64 = priced.iter().map(|&k| price[k] * f64::from(max[k])).sum();
            *least = least.max(row_value(&trial, &cells) - held);
            let still = over(&cells);
            if still.is_empty() {
                within = Some(cells);
                break;
            }
            if excess(&cells) < closest.0 {
                closest = (excess(&cells), cells.clone());
            }
            for (k, _) in still {
                if !priced.contains(&k) {
                    priced.push(k);
                }
            }
        }
        self.type_prices.borrow_mut()[e] = (price, step);
        if within.is_some() {
            return within;
        }
        // Several types bind and one price for all of them cannot trade one for another: mend
        // the row closest to the limits on its hard rules alone (not over a window, whose
        // held days the mending could change).
        if self.window.is_some() {
            return None;
        }
        let mut rng = Rng::new(e as u64 + 1);
        let cells = mend_row(p, t, e, costs, closest.1, MEND_TRIES, &mut rng);
        let mut per_type = vec![0u32; t.shifts];
        (row_cost(p, t, e, &cells, &mut per_type).0 == 0).then_some(cells)
    }

    /// A lower bound on person `e`'s least reduced cost (without their own dual) over every
    /// row that keeps the hard rules, under cover prices `cover_dual`: the DP's cheapest row
    /// with the shift-type limits left out, with their prices (a Lagrangian term, `- price *
    /// limit`), and with the most over-used limit counted exactly; each relaxes the limits,
    /// so each is at most the true least, and the largest is kept. `None` when no row keeps
    /// the rules the DP holds or the DP's state is too large.
    fn least_reduced_cost(&self, e: usize, cover_dual: &[f64]) -> Option<f64> {
        let (p, t) = (self.p, self.t);
        let costs = strict(priced_row(t, e, PRICING_WEIGHT, |d, v| {
            t.counted_covers(d, v, p.staff[e].skills)
                .map(|c| cover_dual[c])
                .sum()
        }));
        let max = &p.staff[e].max_shifts;
        let cells = crate::rowplan::plan(p, e, &costs, f64::INFINITY, t.unit)?;
        let mut best = row_value(&costs, &cells);
        if !best.is_finite() {
            return None;
        }
        let mut per_type = vec![0u32; t.shifts];
        for &c in cells.iter().filter(|&&c| c != OFF) {
            per_type[usize::from(c)] += 1;
        }
        let most_over = (0..t.shifts)
            .filter(|&k| per_type[k] > max[k])
            .max_by_key(|&k| per_type[k] - max[k]);
        if let Some(k) = most_over
            && let Some(cells) =
                crate::rowplan::plan_within(p, e, &costs, f64::INFINITY, t.unit, Some((k, max[k])))
        {
            best = best.max(row_value(&costs, &cells));
        }
        let prices = &self.type_prices.borrow()[e].0;
        if prices.iter().any(|&x| x > 0.0) {
            let mut priced = RowCosts {
                cost: costs.cost.clone(),
                values: costs.values,
            };
            for d in 0..t.days {
                for (k, &x) in prices.iter().enumerate() {
                    priced.cost[d * priced.values + k] += x;
                }
            }
            if let Some(cells) = crate::rowplan::plan(p, e, &priced, f64::INFINITY, t.unit) {
                let held: f64 = prices
                    .iter()
                    .zip(max)
                    .map(|(&x, &m)| x * f64::from(m))
                    .sum();
                best = best.max(row_value(&priced, &cells) - held);
            }
        }
        Some(best)
    }

    /// A lower bound on every roster's penalty from the cover prices of `s` (Lagrangian
    /// duality: any prices between minus the weight over and the weight under give one,
    /// optimal or not): the prices times the requirements, plus each person's least reduced
    /// cost. `None` with room pools (their rows are not priced here) or when someone has no
    /// row.
    pub(super) fn lower_bound(&self, s: &Solution) -> Option<f64> {
        let p = self.p;
        if !p.rooms.is_empty() {
            return None;
        }
        // The code's duals are minus the prices of LP duality (a reduced cost adds them).
        let cover_dual = s.clipped_cover_duals(p);
        let mut bound: f64 = p
            .cover
            .iter()
            .zip(&cover_dual)
            .map(|(c, &z)| -z * f64::from(c.requirement))
            .sum();
        for e in 0..p.staff.len() {
            bound += self.least_reduced_cost(e, &cover_dual)?;
        }
        Some(bound)
    }
}
