//! The master LP: each free person's columns, the cover rows and room pools' days (a
//! window's alone, over a window). Where it has few rows, `ipm` solves it; otherwise
//! `clarabel`, with the factorisation `factorise` chooses.
use super::{Master, ROOM_WEIGHT, SHORT_WEIGHT, Solution, ipm};
use clarabel::algebra::CscMatrix;
use clarabel::solver::{
    DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
};
use std::time::Instant;

impl Master<'_> {
    /// The master LP over the columns so far, the fixed people's rows taken as given.
    pub(super) fn solve(&self) -> Option<Solution> {
        let (p, staff) = (self.p, self.p.staff.len());
        let free: Vec<usize> = (0..staff).filter(|&e| self.fixed[e].is_none()).collect();
        let mut person_row = vec![usize::MAX; staff];
        for (k, &e) in free.iter().enumerate() {
            person_row[e] = k;
        }
        let (need, free_rooms) = self.left_over();
        // The master's cover rows and room pools' days: over a window, its days alone.
        let cover_rows: Vec<usize> = (0..p.cover.len())
            .filter(|&c| self.in_scope(p.cover[c].day))
            .collect();
        let room_days: Vec<usize> = (0..free_rooms.len())
            .filter(|&r| self.in_scope(r % p.days))
            .collect();
        let (covers, room_rows) = (cover_rows.len(), room_days.len());
        let mut local = vec![usize::MAX; p.cover.len() + free_rooms.len()];
        for (k, &c) in cover_rows.iter().enumerate() {
            local[c] = k;
        }
        for (k, &r) in room_days.iter().enumerate() {
            local[p.cover.len() + r] = k;
        }
        // Variables: each free person's columns, then short and over for each cover row.
        let mut var_of: Vec<(usize, usize)> = Vec::new();
        for &e in &free {
            for j in 0..self.columns[e].len() {
                var_of.push((e, j));
            }
        }
        let lambdas = var_of.len();
        // Then, for each room pool and day, the rooms left free and those taken over the
        // pool's capacity (a hard rule, priced far above any cover); last, with a most
        // allowed short, the units short over it.
        let (least_short, most_short) = self.short_range;
        let capped = most_short.is_finite();
        let vars = lambdas + 2 * covers + 2 * room_rows + usize::from(capped);
        let equalities = free.len() + covers + room_rows;
        let room_row = free.len() + covers;
        // After each variable's sign, a row for the fewest short and one for the most.
        let least_row = equalities + vars;
        let most_row = least_row + usize::from(least_short > 0.0);
        let rows = most_row + usize::from(capped);
        let mut q = Vec::with_capacity(vars);
        let (mut colptr, mut rowval, mut nzval) = (vec![0usize], Vec::new(), Vec::new());
        for (k, &(e, j)) in var_of.iter().enumerate() {
            let column = &self.columns[e][j];
            q.push(column.cost);
            rowval.push(person_row[e]);
            nzval.push(1.0);
            let mut rows_here: Vec<usize> = column
                .covers
                .iter()
                .map(|&c| free.len() + local[c as usize])
                .collect();
            rows_here.extend(
                column
                    .rooms
                    .iter()
                    .map(|&r| room_row + local[p.cover.len() + r as usize]),
            );
            rows_here.sort_unstable();
            for r in rows_here {
                rowval.push(r);
                nzval.push(1.0);
            }
            rowval.push(equalities + k);
            nzval.push(-1.0);
            colptr.push(rowval.len());
        }
        for (c, &cover) in cover_rows.iter().enumerate() {
            let cover = &p.cover[cover];
            for (k, (weight, sign)) in [(cover.weight_under, 1.0), (cover.weight_over, -1.0)]
                .into_iter()
                .enumerate()
            {
                q.push(f64::from(weight));
                rowval.push(free.len() + c);
                nzval.push(sign);
                rowval.push(equalities + lambdas + 2 * c + k);
                nzval.push(-1.0);
                if k == 0 && least_short > 0.0 {
                    rowval.push(least_row);
                    nzval.push(-1.0);
                }
                if k == 0 && capped {
                    rowval.push(most_row);
                    nzval.push(1.0);
                }
                colptr.push(rowval.len());
            }
        }
        for r in 0..room_rows {
            for (k, (weight, sign)) in [(0.0, 1.0), (ROOM_WEIGHT, -1.0)].into_iter().enumerate() {
                q.push(weight);
                rowval.push(room_row + r);
                nzval.push(sign);
                rowval.push(equalities + lambdas + 2 * covers + 2 * r + k);
                nzval.push(-1.0);
                colptr.push(rowval.len());
            }
        }
        if capped {
            q.push(SHORT_WEIGHT);
            rowval.push(equalities + vars - 1);
            nzval.push(-1.0);
            rowval.push(most_row);
            nzval.push(-1.0);
            colptr.push(rowval.len());
        }
        let a = CscMatrix::new(rows, vars, colptr, rowval, nzval);
        let mut b = vec![1.0; free.len()];
        b.extend(cover_rows.iter().map(|&c| need[c]));
        b.extend(room_days.iter().map(|&r| free_rooms[r]));
        b.resize(rows, 0.0);
        if least_short > 0.0 {
            b[least_row] = -least_short;
        }
        if capped {
            b[most_row] = most_short;
        }
        // Few rows: the dense method, and `clarabel` should it fail (its steps run out).
        let found = (rows - vars <= ipm::MOST_ROWS)
            .then(|| ipm::solve(&q, &a, &b, equalities))
            .flatten()
            .or_else(|| self.solve_sparse(&q, a, &b, equalities))?;
        let (x, z) = (&found.x, &found.z);
        let dual = |row: usize, present: bool| if present { z[row].max(0.0) } else { 0.0 };
        let mut weights: Vec<Vec<f64>> = self.columns.iter().map(|c| vec![0.0; c.len()]).collect();
        for (k, &(e, j)) in var_of.iter().enumerate() {
            weights[e][j] = x[k];
        }
        let mut person_dual = vec![0.0; staff];
        for &e in &free {
            person_dual[e] = z[person_row[e]];
        }
        // Rows outside the master (days outside a window) have no price.
        let mut cover_dual = vec![0.0; p.cover.len()];
        for (k, &c) in cover_rows.iter().enumerate() {
            cover_dual[c] = z[free.len() + k];
        }
        let mut room_dual = vec![0.0; free_rooms.len()];
        for (k, &r) in room_days.iter().enumerate() {
            room_dual[r] = z[room_row + k];
        }
        Some(Solution {
            objective: found.objective,
            weights,
            person_dual,
            cover_dual,
            room_dual,
            need,
            bound: f64::NEG_INFINITY,
            short: (0..covers).map(|c| x[lambdas + 2 * c]).sum(),
            converged: false,
            short_duals: (
                dual(least_row, least_short > 0.0),
                dual(most_row, capped).min(SHORT_WEIGHT),
            ),
        })
    }

    /// `clarabel`'s solve of the master in its form (see `ipm`), with the factorisation the
    /// chooser picks, timed for it.
    fn solve_sparse(
        &self,
        q: &[f64],
        a: CscMatrix<f64>,
        b: &[f64],
        equalities: usize,
    ) -> Option<ipm::Found> {
        let cones = [
            SupportedConeT::ZeroConeT(equalities),
            SupportedConeT::NonnegativeConeT(a.m - equalities),
        ];
        let mut chooser = self.factorise.get();
        let factorisation = chooser.next();
        let began = Instant::now();
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .direct_solve_method(factorisation.method().to_owned())
            .max_threads(1)
            .build()
            .ok()?;
        let zero = CscMatrix::zeros((a.n, a.n));
        let mut solver = DefaultSolver::new(&zero, q, &a, b, &cones, settings).ok()?;
        solver.solve();
        chooser.record(factorisation, began.elapsed().as_secs_f64());
        self.factorise.set(chooser);
        if !matches!(
            solver.solution.status,
            SolverStatus::Solved | SolverStatus::AlmostSolved
        ) {
            return None;
        }
        Some(ipm::Found {
            objective: solver.solution.obj_val,
            x: std::mem::take(&mut solver.solution.x),
            z: std::mem::take(&mut solver.solution.z),
        })
    }
}
