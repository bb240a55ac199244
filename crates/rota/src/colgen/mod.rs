//! Column generation and a dive: a first roster from the linear relaxation of the whole
//! problem over whole rows, for problems small enough to solve it in seconds.
//!
//! The master LP picks, for each person, a convex mix of rows ("columns") they could work;
//! each cover row's count is the sum over people, and what it lacks or has over its
//! requirement is paid at the cover's weights. The LP is solved by an interior point method,
//! whose central duals suit column generation: `ipm`'s own on the dense normal equations
//! where the master has few rows, `clarabel`'s on larger ones; its duals price each cover
//! row, and the row DP of `rowplan` — with the cover priced by those duals instead of by the
//! current roster — finds each person's cheapest row, which joins the master when its reduced
//! cost is negative. A round prices a third of the free people, from where the last stopped
//! (partial pricing); only a whole round ends the generation. A column is kept only when the
//! exact row score (`tables::row_cost`) finds it breaks no hard rule, so every roster made of
//! columns keeps every rule of a row; only rooms, shared between rows, may be over after a
//! dive, and the search mends them.
//!
//! The dive then fixes, in turn, the people whose mix leans most on one row, generating
//! columns again for the others after each fix, until everyone has a row. A re-dive frees a
//! few people and holds everyone else to the best roster so far: a large-neighbourhood move
//! whose neighbourhood the LP solves (`ColumnSearch::redive`). The search starts from the
//! best roster found. A room pool on a day is one more row of the master, as the cover is:
//! its rooms left free cost nothing and each person over its capacity costs `ROOM_WEIGHT`,
//! and its dual prices the pool's shifts that day in the DP.
//!
//! Where whole rows are too long for the DP (a year of shifts), the same master covers a
//! window of days instead (`ColumnSearch::over_window`): its rows are the window's cover and
//! rooms, its columns rows that differ from a held roster only within the window, priced by
//! `rowplan::plan_window`, and `redive` from that roster is a move over days × people.
//!
//! The pricing is exact when at most one shift type's limit binds (the DP holds every other
//! rule, and that limit is counted in its state), as on the benchmark's instances 1–12; when
//! several bind, each carries a price of its own, moved from one pricing to the next (a
//! Lagrangian multiplier), and a fair share is priced only through the row's exact score, so
//! there the LP may miss rows and its value is no bound. It is no bound either when the
//! generation stops at the time or solve limit. Where the prices find someone no row within
//! their limits, a roster whose rows keep every rule can seed the pool (`ColumnSearch::seeded`).
//! A bound that holds in every case comes from the pricing itself (`pricing`: Lagrangian
//! duality over the cover, the DP relaxing the type limits), for `ColumnSearch::lower_bound`
//! and for stopping a re-dive that cannot beat the incumbent. Where the LP over everyone
//! converges leaving a fraction of a cover unit short in all, `lower_bound` also splits on
//! the whole number of units short: on the benchmark's instance 9 that lifts the bound from
//! 405.7 to the optimum, 439.
use crate::model::{OFF, Problem, Roster};
use crate::rowplan::RowCosts;
use crate::tables::{Tables, priced_row, row_cost, takes_room};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

mod factorise;
mod ipm;
mod lp;
mod pricing;

pub use factorise::{Chooser as FactorisationChooser, Factorisation};

/// The weight of a hard unit in the pricing DP: far above any saving the duals can offer.
const PRICING_WEIGHT: f64 = 1e7;
/// A column joins the master when its reduced cost is below minus this.
const MIN_GAIN: f64 = 1e-6;
/// A person whose mix puts at least this on one row is fixed to it with the one leaning most.
const NEARLY_WHOLE: f64 = 0.98;
/// The price in the master of each person over a room pool's capacity (a hard rule): far
/// above any cover row's weight, far below the pricing DP's weight of a hard unit.
const ROOM_WEIGHT: f64 = 1e4;
/// The price in the master of each cover unit short beyond the most a branch of
/// `ColumnSearch::lower_bound` allows: any price keeps the branch's value a bound.
const SHORT_WEIGHT: f64 = 1e4;
/// A pricing round stops once a third of the free people (and at least `ROUND_LEAST`) gave
/// a column; the next round starts where it stopped. Only a whole round with none joining
/// ends the generation, and only a whole round gives a bound. At 60 s, against pricing
/// everyone each round: instance 8 1,304 against 1,316, a stand-in of 13 1,257 against
/// 1,354 (bound 1,253); see bench/README.md, "Pricing a third of the people a round".
const ROUND_SHARE: usize = 3;
const ROUND_LEAST: usize = 8;

/// Whether column generation suits the problem: every person's DP small enough, few enough
/// cells that the LP solves quickly, and a horizon of at most twelve weeks (the DP keeps a
/// parent per state and day).
pub fn suits(p: &Problem, t: &Tables) -> bool {
    !p.staff.is_empty()
        && p.staff.len() * p.days <= 4_000
        && p.days <= 84
        && (0..p.staff.len()).all(|e| crate::rowplan::state_space(p, e, t.unit).is_some())
}

struct Column {
    cells: Vec<u16>,
    /// The row's own soft penalty (requests, fair shares).
    cost: f64,
    /// The cover rows it counts in.
    covers: Vec<u32>,
    /// The rooms it takes: a room pool's row on a day, `pool * days + day`.
    rooms: Vec<u32>,
}

/// The LP's solution: each column's weight, and the duals of the one-row-each and cover rows.
struct Solution {
    objective: f64,
    weights: Vec<Vec<f64>>,
    person_dual: Vec<f64>,
    cover_dual: Vec<f64>,
    /// Per room pool and day (`pool * days + day`): what taking a room there costs.
    room_dual: Vec<f64>,
    /// Each cover row's requirement less what the fixed people's rows give it.
    need: Vec<f64>,
    /// The best Lagrangian bound on the LP's value found while generating it (minus
    /// infinity when none).
    bound: f64,
    /// The cover units short in all, summed over the cover rows.
    short: f64,
    /// Whether the generation ended because no column joined and every pricing of its last
    /// round was exact, so the LP's value is its optimum over every row.
    converged: bool,
    /// In a branch on the units short (`Master::short_range`), the duals of its rows: the
    /// fewest short and the most (0 where there is no such row).
    short_duals: (f64, f64),
}

impl Solution {
    /// The cover's duals clipped to between minus each row's weight under and its weight
    /// over: any duals in that box give a Lagrangian bound (see `pricing`). In a branch on
    /// the units short, the dual of its fewest raises the box's floor and that of its most
    /// lowers it: a unit short then costs its weight less the one plus the other.
    fn clipped_cover_duals(&self, p: &Problem) -> Vec<f64> {
        let (fewest, most) = self.short_duals;
        p.cover
            .iter()
            .zip(&self.cover_dual)
            .map(|(c, &z)| {
                let over = f64::from(c.weight_over);
                z.clamp((fewest - most - f64::from(c.weight_under)).min(over), over)
            })
            .collect()
    }
}

struct Master<'p> {
    p: &'p Problem,
    t: &'p Tables,
    columns: Vec<Vec<Column>>,
    /// Per person: each column's index by its cells.
    seen: Vec<BTreeMap<Vec<u16>, usize>>,
    /// Per person: the column the dive fixed them to.
    fixed: Vec<Option<usize>>,
    /// Per person: the prices of over-used shift types and the step they last moved by
    /// (`best_row`).
    type_prices: RefCell<Vec<(Vec<f64>, f64)>>,
    /// The fewest and the most cover units short in all that the master allows (a branch
    /// of `ColumnSearch::lower_bound`); units over the most are priced at `SHORT_WEIGHT`.
    short_range: (f64, f64),
    /// For a re-dive over a window of days, the days and the roster every row is held to
    /// outside them (`ColumnSearch::over_window`); `None` for whole rows.
    window: Option<HeldWindow>,
    /// Which factorisation the LP's solves use (`factorise`).
    factorise: Cell<factorise::Chooser>,
    /// Where the next pricing round starts among the free people (`price`).
    priced_from: usize,
}

/// Days `start..end` free, every row held to `held` outside them: the master's cover and
/// room rows are the window's days alone, and the pricing plans the window alone
/// (`rowplan::plan_window`), so a year-long problem can be re-dived a few weeks at a time.
struct HeldWindow {
    start: usize,
    end: usize,
    held: Roster,
}

impl<'p> Master<'p> {
    fn new(p: &'p Problem, t: &'p Tables) -> Master<'p> {
        let staff = p.staff.len();
        Master {
            p,
            t,
            columns: (0..staff).map(|_| Vec::new()).collect(),
            seen: vec![BTreeMap::new(); staff],
            fixed: vec![None; staff],
            type_prices: RefCell::new(vec![(vec![0.0; t.shifts], pricing::PRICE_STEP); staff]),
            short_range: (0.0, f64::INFINITY),
            window: None,
            factorise: Cell::new(factorise::Chooser::fixed()),
            priced_from: 0,
        }
    }

    /// Whether day `d`'s cover and rooms are rows of the master (every day but outside a
    /// window).
    fn in_scope(&self, d: usize) -> bool {
        self.window
            .as_ref()
            .is_none_or(|w| (w.start..w.end).contains(&d))
    }

    /// Person `e`'s cheapest row under `costs` by the DP (within `limit` of one shift type,
    /// when given), keeping every rule it holds; over a window, the window alone.
    fn plan(&self, e: usize, costs: &RowCosts, limit: Option<(usize, u32)>) -> Option<Vec<u16>> {
        let (p, unit) = (self.p, self.t.unit);
        match &self.window {
            Some(w) => {
                let window = crate::rowplan::Window {
                    start: w.start,
                    end: w.end,
                    held: w.held.row(e),
                };
                crate::rowplan::plan_window(p, e, costs, f64::INFINITY, unit, limit, window)
            }
            None => crate::rowplan::plan_within(p, e, costs, f64::INFINITY, unit, limit),
        }
    }

    /// Adds person `e`'s row `cells` when it is new and breaks no hard rule; its reduced
    /// cost under `duals` (when given) must be negative too.
    fn add(&mut self, e: usize, cells: Vec<u16>, duals: Option<&Solution>) -> bool {
        if self.seen[e].contains_key(&cells) {
            return false;
        }
        let (p, t) = (self.p, self.t);
        let mut per_type = vec![0u32; t.shifts];
        let (hard, soft) = row_cost(p, t, e, &cells, &mut per_type);
        if hard > 0 {
            return false;
        }
        let covers: Vec<u32> = cells
            .iter()
            .enumerate()
            .filter(|&(d, &v)| v != OFF && self.in_scope(d))
            .flat_map(|(d, &v)| t.counted_covers(d, v as usize, p.staff[e].skills))
            .map(|c| c as u32)
            .collect();
        let rooms: Vec<u32> = cells
            .iter()
            .enumerate()
            .filter(|&(d, &v)| v != OFF && self.in_scope(d))
            .flat_map(|(d, &v)| {
                t.pools_of[v as usize]
                    .iter()
                    .filter(|&&pool| takes_room(p, e, pool as usize))
                    .map(move |&pool| pool * t.days as u32 + d as u32)
            })
            .collect();
        let cost = soft as f64;
        if let Some(s) = duals {
            let reduced = cost
                + s.person_dual[e]
                + covers
                    .iter()
                    .map(|&c| s.cover_dual[c as usize])
                    .sum::<f64>()
                + rooms.iter().map(|&r| s.room_dual[r as usize]).sum::<f64>();
            if reduced >= -MIN_GAIN {
                return false;
            }
        }
        self.seen[e].insert(cells.clone(), self.columns[e].len());
        self.columns[e].push(Column {
            cells,
            cost,
            covers,
            rooms,
        });
        true
    }

    /// The index of person `e`'s column `cells`, added when new; `None` when it breaks a
    /// hard rule.
    fn column_of(&mut self, e: usize, cells: &[u16]) -> Option<usize> {
        if let Some(&j) = self.seen[e].get(cells) {
            return Some(j);
        }
        self.add(e, cells.to_vec(), None)
            .then(|| self.columns[e].len() - 1)
    }

    /// Each cover row's requirement and each room pool's capacity on each day, less what
    /// the fixed people's rows take.
    fn left_over(&self) -> (Vec<f64>, Vec<f64>) {
        let p = self.p;
        let mut need: Vec<f64> = p.cover.iter().map(|c| f64::from(c.requirement)).collect();
        let mut free_rooms: Vec<f64> = (0..p.rooms.len() * p.days)
            .map(|r| f64::from(p.rooms[r / p.days].capacity_on(r % p.days)))
            .collect();
        for (e, f) in self.fixed.iter().enumerate() {
            if let Some(j) = f {
                for &c in &self.columns[e][*j].covers {
                    need[c as usize] -= 1.0;
                }
                for &r in &self.columns[e][*j].rooms {
                    free_rooms[r as usize] -= 1.0;
                }
            }
        }
        (need, free_rooms)
    }

    /// What the free people's columns `chosen` (one each, in `free`'s order) cost in the
    /// master's terms: their own penalties and the cover's, the fixed people's rows given.
    /// Only without room pools (the one use is a cutoff, and there rooms give no bound).
    fn value_of(&self, free: &[usize], chosen: &[usize]) -> f64 {
        let (need, _) = self.left_over();
        let mut have = vec![0.0; need.len()];
        let mut value = 0.0;
        for (&e, &j) in free.iter().zip(chosen) {
            let column = &self.columns[e][j];
            value += column.cost;
            for &c in &column.covers {
                have[c as usize] += 1.0;
            }
        }
        for ((c, need), have) in self.p.cover.iter().zip(need).zip(have) {
            if !self.in_scope(c.day) {
                continue;
            }
            value += f64::from(c.weight_under) * (need - have).max(0.0)
                + f64::from(c.weight_over) * (have - need).max(0.0);
        }
        value
    }

    /// The fixed people's own penalties.
    fn fixed_cost(&self) -> f64 {
        self.fixed
            .iter()
            .enumerate()
            .filter_map(|(e, f)| f.map(|j| self.columns[e][j].cost))
            .sum()
    }

    /// Prices the free people's best rows under the duals of `s`, adding each whose reduced
    /// cost is negative, from where the last round stopped until a third of them joined
    /// (`ROUND_SHARE`) or everyone was priced. Returns how many joined and the Lagrangian
    /// bound of the cover's duals on the LP's value (`None` with room pools, or when someone
    /// has no row): the duals times the requirements left, plus each person's least reduced
    /// cost, which a DP relaxing the limits bounds from below (`best_row`). Any duals between
    /// minus the weight over and the weight under give a bound, so they are clipped to that
    /// first. Last, whether every person's row was the cheapest of all (`best_row`): then,
    /// with none joining, the LP's value is its optimum over every row. A round stopped at
    /// its share gives no bound and is not exact.
    fn price(&mut self, s: &Solution) -> (usize, Option<f64>, bool) {
        let (p, t) = (self.p, self.t);
        let cover_dual = s.clipped_cover_duals(p);
        let (mut added, mut exact) = (0, true);
        // In a branch on the units short, its rows' duals times their limits join the bound.
        let (least_short, most_short) = self.short_range;
        let (fewest, most) = s.short_duals;
        let limits = fewest * least_short - if most > 0.0 { most * most_short } else { 0.0 };
        let mut bound = p.rooms.is_empty().then(|| {
            limits
                + cover_dual
                    .iter()
                    .zip(&s.need)
                    .map(|(&z, &need)| -z * need)
                    .sum::<f64>()
        });
        let free: Vec<usize> = (0..p.staff.len())
            .filter(|&e| self.fixed[e].is_none())
            .collect();
        let share = free.len().div_ceil(ROUND_SHARE).max(ROUND_LEAST);
        let from = self.priced_from % free.len().max(1);
        for i in 0..free.len() {
            if added >= share {
                self.priced_from = from + i;
                return (added, None, false);
            }
            let e = free[(from + i) % free.len()];
            let costs = priced_row(t, e, PRICING_WEIGHT, |d, v| {
                let cover: f64 = t
                    .counted_covers(d, v, p.staff[e].skills)
                    .map(|c| cover_dual[c])
                    .sum();
                let rooms: f64 = t.pools_of[v]
                    .iter()
                    .filter(|&&pool| takes_room(p, e, pool as usize))
                    .map(|&pool| s.room_dual[pool as usize * t.days + d])
                    .sum();
                cover + rooms
            });
            // A person whose least reduced cost is not negative has no column to add.
            let (row, least, cheapest) = self.best_row(e, costs);
            exact &= cheapest;
            bound = bound.zip(least).map(|(b, least)| b + least);
            if let Some(cells) = row
                && self.add(e, cells, Some(s))
            {
                added += 1;
            }
        }
        (added, bound, exact)
    }

    /// Solves and prices until no column joins, `done` says to stop, or the best bound found
    /// by the pricing shows no roster costs less than `cutoff`; `None` when the LP fails.
    /// (Stopping also where the bound reaches the LP's value rounded up ended the LP a few
    /// solves early, and the dive from that LP did worse: 1,510 against 1,305 on instance 8,
    /// 539 against 439 on 9.)
    fn generate(&mut self, done: &mut dyn FnMut() -> bool, cutoff: f64) -> Option<Solution> {
        let mut solution = self.solve()?;
        let mut bound = f64::NEG_INFINITY;
        while !done() {
            let (added, found, exact) = self.price(&solution);
            bound = bound.max(found.unwrap_or(f64::NEG_INFINITY));
            solution.bound = bound;
            if added == 0 || whole_above(bound, cutoff) {
                solution.converged = added == 0 && exact;
                break;
            }
            solution = self.solve()?;
            solution.bound = bound;
        }
        Some(solution)
    }
}

/// Whether every whole number at least `bound` is at least `value`: with whole-number
/// penalties, no roster costs less than `value` (less a rounding slack).
fn whole_above(bound: f64, value: f64) -> bool {
    (bound - 1e-6).ceil() >= value - 1e-6
}

/// Column generation over a pool of rows kept between dives: a first dive over everyone,
/// then re-dives over a few people at a time with the rest held to the best roster (a
/// large-neighbourhood search whose neighbourhoods are solved by the LP).
pub struct ColumnSearch<'p> {
    master: Master<'p>,
    /// LP solves so far, and the most allowed (a bound on the work under a step budget).
    solves: usize,
    max_solves: usize,
    /// The root LP's value: a lower bound on the objective when the pricing is exact and the
    /// generation ran to its end (see the module's notes).
    pub root_objective: Option<f64>,
}

impl<'p> ColumnSearch<'p> {
    /// A pool holding, for each person, the DP's best row with no cover priced; `None` when
    /// the DP finds someone no row keeping the hard rules (or their state space is too
    /// large).
    pub fn new(p: &'p Problem, t: &'p Tables, max_solves: usize) -> Option<ColumnSearch<'p>> {
        ColumnSearch::seeded(p, t, max_solves, None)
    }

    /// As `new`, and a person whose limits the DP's prices cannot meet gets their row of
    /// `seed` when it breaks no hard rule. (Seeding everyone changes the LP's path: on
    /// benchmark instance 9 it led two seeds of four to a dive of 544 against 439.)
    pub fn seeded(
        p: &'p Problem,
        t: &'p Tables,
        max_solves: usize,
        seed: Option<&Roster>,
    ) -> Option<ColumnSearch<'p>> {
        let mut master = Master::new(p, t);
        for e in 0..p.staff.len() {
            let costs = priced_row(t, e, PRICING_WEIGHT, |_, _| 0.0);
            if let (Some(cells), _, _) = master.best_row(e, costs) {
                master.add(e, cells, None);
            }
            if let Some(seed) = seed.filter(|_| master.columns[e].is_empty()) {
                master.column_of(e, seed.row(e));
            }
            if master.columns[e].is_empty() {
                return None;
            }
        }
        Some(ColumnSearch {
            master,
            solves: 0,
            max_solves,
            root_objective: None,
        })
    }

    /// An empty pool for re-dives over days `start..end` alone, every row held to `held`
    /// outside them (`redive` from the same roster): the master's rows are the window's cover
    /// and rooms, and the pricing plans the window alone (`rowplan::plan_window`), so it
    /// suits problems whose whole rows are too long for the DP, as over a year.
    pub fn over_window(
        p: &'p Problem,
        t: &'p Tables,
        held: &Roster,
        start: usize,
        end: usize,
        max_solves: usize,
    ) -> ColumnSearch<'p> {
        let mut master = Master::new(p, t);
        master.window = Some(HeldWindow {
            start,
            end,
            held: held.clone(),
        });
        ColumnSearch {
            master,
            solves: 0,
            max_solves,
            root_objective: None,
        }
    }

    /// Column generation over everyone (no dive) until `stop` says so or no column joins,
    /// then a lower bound on every roster's penalty from the LP's prices (`Master::
    /// lower_bound`, valid wherever the generation stopped). `None` when the LP fails or the
    /// bound cannot be given (room pools; a person's DP too large).
    pub fn lower_bound(&mut self, stop: &dyn Fn() -> bool) -> Option<f64> {
        self.master.fixed.iter_mut().for_each(|f| *f = None);
        let solves = Cell::new(self.solves);
        let max = self.max_solves;
        let mut done = || {
            solves.set(solves.get() + 1);
            solves.get() >= max || stop()
        };
        let solution = self.master.generate(&mut done, f64::INFINITY);
        let bound = solution.and_then(|solution| {
            self.root_objective = Some(solution.objective);
            let bound = self.master.lower_bound(&solution)?.max(solution.bound);
            Some(bound.max(self.split_on_short(&solution, &mut done).unwrap_or(bound)))
        });
        self.solves = solves.get();
        bound
    }

    /// Where the LP over everyone ends with a fractional number of cover units short in all
    /// (say 0.4), every roster has either at most the whole part short (0) or at least one
    /// more (1): the lesser of the two branches' bounds bounds every roster's penalty, and
    /// often lies well above the LP's (instances whose cover cannot quite be met). A branch's
    /// bound is its Lagrangian bound (the branch's rows priced in), or its LP's value where
    /// its generation converged with every pricing exact. `None` when the units short are
    /// whole already, or a branch's LP fails or gives no bound.
    fn split_on_short(&mut self, root: &Solution, done: &mut dyn FnMut() -> bool) -> Option<f64> {
        let whole = root.short.floor();
        if root.short - whole < 1e-6 || whole + 1.0 - root.short < 1e-6 {
            return None;
        }
        // Each branch's Lagrangian bound holds however its generation ends; its LP's value
        // only where it converged.
        let mut branch = |range: (f64, f64)| {
            self.master.short_range = range;
            let solution = self.master.generate(done, f64::INFINITY);
            self.master.short_range = (0.0, f64::INFINITY);
            let s = solution?;
            let value = if s.converged {
                s.objective.max(s.bound)
            } else {
                s.bound
            };
            value.is_finite().then_some(value)
        };
        let fewer = branch((0.0, whole))?;
        let more = branch((whole + 1.0, f64::INFINITY))?;
        Some(fewer.min(more))
    }

    /// Under a time limit: the LP's factorisation chosen by timing both as the solves go
    /// (`FactorisationChooser::timed`, or an earlier search's of the same problem, `chooser`).
    /// Without this every solve uses QDLDL, so a run repeats.
    pub fn set_chooser(&mut self, chooser: FactorisationChooser) {
        self.master.factorise.set(chooser);
    }

    /// The choice of factorisation as it stands, to carry on to the next search.
    pub fn chooser(&self) -> FactorisationChooser {
        self.master.factorise.get()
    }

    pub fn lp_solves(&self) -> usize {
        self.solves
    }

    pub fn columns(&self) -> usize {
        self.master.columns.iter().map(Vec::len).sum()
    }

    /// Column generation over everyone, then the dive. `stop` is asked between LP solves
    /// (about every 50 ms on the benchmark's larger instances); once it says yes (or the
    /// solves run out) the dive fixes everyone left to the row they lean on most at once.
    /// `None` when the LP fails.
    pub fn dive(&mut self, stop: &dyn Fn() -> bool) -> Option<Roster> {
        self.paced_dive(&|_| stop())
    }

    /// As `dive`, with `stop` given the share of people the dive has fixed so far (0 while
    /// the LP over everyone is generated), so the caller can judge its pace.
    pub fn paced_dive(&mut self, stop: &dyn Fn(f64) -> bool) -> Option<Roster> {
        self.master.fixed.iter_mut().for_each(|f| *f = None);
        self.run(stop, true, f64::INFINITY)
    }

    /// The same over the people in `free` only, everyone else held to their row in
    /// `incumbent`; `None` when the LP fails, an incumbent row breaks a hard rule, or the
    /// LP's bound shows no roster of this neighbourhood costs less than `incumbent` (then
    /// the generation stops there: most neighbourhoods hold no better roster, and the bound
    /// says so long before the LP is solved to its end).
    pub fn redive(
        &mut self,
        incumbent: &Roster,
        free: &[usize],
        stop: &dyn Fn() -> bool,
    ) -> Option<Roster> {
        for e in 0..self.master.p.staff.len() {
            self.master.fixed[e] = if free.contains(&e) {
                None
            } else {
                Some(self.master.column_of(e, incumbent.row(e))?)
            };
        }
        // The freed people's incumbent rows join the pool, so the LP can keep them.
        let mut chosen = Vec::with_capacity(free.len());
        for &e in free {
            chosen.push(self.master.column_of(e, incumbent.row(e))?);
        }
        let cutoff = if self.master.p.rooms.is_empty() {
            self.master.value_of(free, &chosen) + self.master.fixed_cost()
        } else {
            f64::INFINITY
        };
        self.run(&|_| stop(), false, cutoff)
    }

    /// The dive from the people fixed now; `None` when the LP's bound shows no roster of it
    /// costs less than `cutoff` (a whole roster's penalty).
    fn run(&mut self, stop: &dyn Fn(f64) -> bool, root: bool, cutoff: f64) -> Option<Roster> {
        let (p, max) = (self.master.p, self.max_solves);
        let solves = Cell::new(self.solves);
        let fixed_share = Cell::new(0.0);
        let over = || solves.get() >= max || stop(fixed_share.get());
        let mut done = || {
            solves.set(solves.get() + 1);
            over()
        };
        let master = &mut self.master;
        // The cutoff in the master's terms, which leave out the fixed people's own penalties.
        let generate = |master: &mut Master, done: &mut dyn FnMut() -> bool| {
            let cutoff = cutoff - master.fixed_cost();
            master
                .generate(done, cutoff)
                .map(|s| (whole_above(s.bound, cutoff), s))
        };
        let mut solution = generate(master, &mut done);
        if root && let Some((_, s)) = &solution {
            self.root_objective = Some(s.objective);
        }
        while let Some((pruned, s)) = solution {
            if pruned {
                self.solves = solves.get();
                return None;
            }
            let mut picks: Vec<(f64, usize, usize)> = (0..p.staff.len())
                .filter(|&e| master.fixed[e].is_none())
                .map(|e| {
                    let (j, w) = s.weights[e]
                        .iter()
                        .copied()
                        .enumerate()
                        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                        .expect("every person has a column");
                    (w, e, j)
                })
                .collect();
            picks.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let whole = if over() {
                picks.len()
            } else {
                picks.iter().filter(|x| x.0 >= NEARLY_WHOLE).count().max(1)
            };
            for &(_, e, j) in &picks[..whole] {
                master.fixed[e] = Some(j);
            }
            let fixed = master.fixed.iter().filter(|f| f.is_some()).count();
            fixed_share.set(fixed as f64 / p.staff.len() as f64);
            if master.fixed.iter().all(Option::is_some) {
                break;
            }
            solution = generate(master, &mut done);
        }
        self.solves = solves.get();
        if master.fixed.iter().any(Option::is_none) {
            return None;
        }
        let mut roster = Roster::empty(p.staff.len(), p.days);
        for (e, f) in master.fixed.iter().enumerate() {
            let j = f.expect("everyone fixed");
            roster.cells[e * p.days..(e + 1) * p.days].copy_from_slice(&master.columns[e][j].cells);
        }
        Some(roster)
    }
}
