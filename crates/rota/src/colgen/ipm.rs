//! A primal-dual interior-point method (Mehrotra's predictor-corrector) for the master LP
//! where its rows are few: each step solves the normal equations `A D Aᵀ dy = r`, a dense
//! matrix as small as the master has rows (people and cover rows, a few hundred), where
//! `clarabel` factorises the whole KKT system (its variables as well as its rows) and sets
//! it up again for every solve. Its duals are central as `clarabel`'s are, which the
//! pricing and the dive need (a simplex's vertex duals slowed the generation down: see
//! bench/README.md, twenty-third session). The dense factor is `faer`'s (blocked, with the
//! machine's vector instructions), which `clarabel` builds already.
//!
//! It takes the LP in `clarabel`'s form — `min qᵀx` with `Ax + s = b`, the first
//! `equalities` rows' `s` zero and every other `s` at least zero, where row
//! `equalities + k` is variable `k`'s sign (`-x_k + s = 0`) and any later rows are
//! inequalities — and returns `x` and the duals `z` in the same form, so the caller reads
//! them as it reads `clarabel`'s.
use clarabel::algebra::CscMatrix;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::{self, factor::LltRegularization};
use faer::{Conj, Mat, MatMut, Par};

/// The most rows (people, cover rows, room pools' days, a branch's limits on the units
/// short) a master may have for this method; `clarabel` solves larger ones. A step costs
/// about rows³/6 multiplications: on generated 28-day rosters (`bound FILE 60`, release
/// build) the LP over everyone took 0.58 s a solve against `clarabel`'s 1.1 s at 812 rows,
/// and 0.92 s against 0.69 s at 996.
pub(super) const MOST_ROWS: usize = 900;
/// Relative tolerances on the primal and dual residuals and on the gap (as `clarabel`'s).
const TOLERANCE: f64 = 1e-8;
/// Steps at most; a solve that has not converged by then fails.
const MAX_STEPS: usize = 200;
/// The share of the way to the boundary a step takes.
const STEP_SHARE: f64 = 0.9995;

/// The solution in `clarabel`'s form.
pub(super) struct Found {
    pub x: Vec<f64>,
    pub z: Vec<f64>,
    pub objective: f64,
}

/// The LP in standard form: `min cᵀx`, `Ax = b`, `x ≥ 0`, `A` by columns.
struct Standard {
    rows: usize,
    colptr: Vec<usize>,
    rowval: Vec<usize>,
    nzval: Vec<f64>,
    c: Vec<f64>,
    b: Vec<f64>,
}

/// Solves `clarabel`'s form of the LP (see the module's notes); `None` when the steps run
/// out or the numbers fail.
pub(super) fn solve(q: &[f64], a: &CscMatrix<f64>, b: &[f64], equalities: usize) -> Option<Found> {
    let vars = a.n;
    let inequalities = a.m - equalities - vars;
    let lp = standard(q, a, b, equalities);
    let (x, y) = lp.solve()?;
    let objective = q.iter().zip(&x).map(|(q, x)| q * x).sum();
    // Every row's dual is minus the standard form's; a variable's sign row has its reduced
    // cost, which no caller reads.
    let mut z: Vec<f64> = y[..equalities].iter().map(|y| -y).collect();
    z.resize(equalities + vars, 0.0);
    z.extend(y[equalities..equalities + inequalities].iter().map(|y| -y));
    Some(Found {
        x: x[..vars].to_vec(),
        z,
        objective,
    })
}

/// `clarabel`'s form in standard form: the sign rows dropped, and each inequality row an
/// equality with a slack of its own.
fn standard(q: &[f64], a: &CscMatrix<f64>, b: &[f64], equalities: usize) -> Standard {
    let vars = a.n;
    let first_inequality = equalities + vars;
    let inequalities = a.m - first_inequality;
    let mut lp = Standard {
        rows: equalities + inequalities,
        colptr: vec![0],
        rowval: Vec::with_capacity(a.nzval.len()),
        nzval: Vec::with_capacity(a.nzval.len()),
        c: q.to_vec(),
        b: b[..equalities].to_vec(),
    };
    lp.b.extend_from_slice(&b[first_inequality..]);
    for k in 0..vars {
        for i in a.colptr[k]..a.colptr[k + 1] {
            let row = a.rowval[i];
            if row < equalities {
                lp.rowval.push(row);
            } else if row >= first_inequality {
                lp.rowval.push(row - vars);
            } else {
                debug_assert!(row == equalities + k && a.nzval[i] == -1.0);
                continue;
            }
            lp.nzval.push(a.nzval[i]);
        }
        lp.colptr.push(lp.rowval.len());
    }
    for i in 0..inequalities {
        lp.rowval.push(equalities + i);
        lp.nzval.push(1.0);
        lp.colptr.push(lp.rowval.len());
        lp.c.push(0.0);
    }
    lp
}

/// A dense symmetric matrix's Cholesky factor: `faer`'s blocked one (with the machine's
/// vector instructions) where every pivot is well above zero, as in most steps; else one
/// row by row that sets each pivot too small huge.
enum Factor {
    Blocked(Mat<f64>),
    /// The lower triangle by rows, `n` × `n`.
    Rows {
        n: usize,
        l: Vec<f64>,
    },
}

impl Factor {
    /// Factorises the symmetric matrix whose lower triangle `lower` holds. A pivot too
    /// small next to the largest diagonal is set huge, which drops that direction from the
    /// step (as in LIPSOL) where the matrix is nearly singular at the end of the steps.
    /// (`faer`'s own regularisation of such pivots gave steps that were not finite on
    /// benchmark instance 7, so those factors are made row by row here.)
    fn new(lower: Mat<f64>) -> Option<Factor> {
        let n = lower.nrows();
        let top = (0..n).map(|i| lower[(i, i)]).fold(0.0, f64::max);
        let tiny = top * 1e-30 + 1e-300;
        // `faer` factorises in place; the row-by-row factor needs the matrix as it was.
        let mut l = lower.clone();
        let par = Par::Seq;
        let mut buffer = MemBuffer::new(llt::factor::cholesky_in_place_scratch::<f64>(
            n,
            par,
            Default::default(),
        ));
        let stack = MemStack::new(&mut buffer);
        let unregularised = LltRegularization::default();
        let factored = llt::factor::cholesky_in_place(
            l.as_mut(),
            unregularised,
            par,
            stack,
            Default::default(),
        );
        // `sqrt(tiny)` as the factor's diagonal is the pivot `tiny`.
        if factored.is_ok() && (0..n).all(|i| l[(i, i)].is_finite() && l[(i, i)] > tiny.sqrt()) {
            return Some(Factor::Blocked(l));
        }
        let by_rows = (0..n)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| if j <= i { lower[(i, j)] } else { 0.0 })
            .collect();
        Factor::by_rows(n, by_rows, tiny)
    }

    /// Factorises row by row the lower triangle `l` (`n` × `n`, by rows), setting each pivot
    /// at most `tiny` huge.
    fn by_rows(n: usize, mut l: Vec<f64>, tiny: f64) -> Option<Factor> {
        for j in 0..n {
            let (above, rest) = l.split_at_mut(j * n + n);
            let row_j = &mut above[j * n..];
            let pivot = row_j[j] - dot(&row_j[..j], &row_j[..j]);
            let pivot = if pivot > tiny { pivot.sqrt() } else { 1e64 };
            if !pivot.is_finite() {
                return None;
            }
            row_j[j] = pivot;
            let row_j = &row_j[..j];
            for row_i in rest.chunks_exact_mut(n) {
                let value = (row_i[j] - dot(&row_i[..j], row_j)) / pivot;
                row_i[j] = value;
            }
        }
        Some(Factor::Rows { n, l })
    }

    /// Solves `L Lᵀ x = r` in place.
    fn solve(&self, r: &mut [f64]) {
        match self {
            Factor::Blocked(l) => {
                let n = r.len();
                llt::solve::solve_in_place_with_conj(
                    l.as_ref(),
                    Conj::No,
                    MatMut::from_column_major_slice_mut(r, n, 1),
                    Par::Seq,
                    // Its scratch is empty (`solve_in_place_scratch`).
                    MemStack::new(&mut []),
                );
            }
            &Factor::Rows { n, ref l } => {
                for i in 0..n {
                    let row = &l[i * n..i * n + i];
                    r[i] = (r[i] - dot(row, &r[..i])) / l[i * n + i];
                }
                for i in (0..n).rev() {
                    r[i] /= l[i * n + i];
                    let value = r[i];
                    for k in 0..i {
                        r[k] -= l[i * n + k] * value;
                    }
                }
            }
        }
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    // Four sums, so the compiler can keep them in vector registers.
    let mut sums = [0.0; 4];
    let (a4, b4) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a4
        .remainder()
        .iter()
        .zip(b4.remainder())
        .map(|(a, b)| a * b)
        .sum();
    for (a, b) in a4.zip(b4) {
        for k in 0..4 {
            sums[k] += a[k] * b[k];
        }
    }
    sums.iter().sum::<f64>() + tail
}

fn largest(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

impl Standard {
    fn vars(&self) -> usize {
        self.c.len()
    }

    /// `A x`.
    fn times(&self, x: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.rows];
        for (j, x) in x.iter().enumerate() {
            for i in self.colptr[j]..self.colptr[j + 1] {
                out[self.rowval[i]] += self.nzval[i] * x;
            }
        }
        out
    }

    /// `Aᵀ y`.
    fn times_transposed(&self, y: &[f64]) -> Vec<f64> {
        (0..self.vars())
            .map(|j| {
                (self.colptr[j]..self.colptr[j + 1])
                    .map(|i| self.nzval[i] * y[self.rowval[i]])
                    .sum()
            })
            .collect()
    }

    /// The factor of `A diag(d) Aᵀ`.
    fn normal(&self, d: &[f64]) -> Option<Factor> {
        let m = self.rows;
        let mut lower = Mat::<f64>::zeros(m, m);
        // A column's rows are in order, so the entries from `i` on are those on or below
        // the diagonal in column `rowval[i]`.
        for (j, &d) in d.iter().enumerate() {
            let first = self.colptr[j];
            let (rows, values) = (
                &self.rowval[first..self.colptr[j + 1]],
                &self.nzval[first..self.colptr[j + 1]],
            );
            debug_assert!(rows.is_sorted());
            for (i, (&row, &value)) in rows.iter().zip(values).enumerate() {
                let (value, column) = (d * value, lower.col_as_slice_mut(row));
                for (&other, &with) in rows[i..].iter().zip(&values[i..]) {
                    column[other] += value * with;
                }
            }
        }
        Factor::new(lower)
    }

    /// Mehrotra's predictor-corrector from his starting point; the primal `x` and the dual
    /// `y` at the tolerances.
    fn solve(&self) -> Option<(Vec<f64>, Vec<f64>)> {
        let n = self.vars();
        let (mut x, mut y, mut s) = self.start()?;
        let (b_size, c_size) = (1.0 + largest(&self.b), 1.0 + largest(&self.c));
        for _ in 0..MAX_STEPS {
            let ax = self.times(&x);
            let rp: Vec<f64> = self.b.iter().zip(&ax).map(|(b, ax)| b - ax).collect();
            let aty = self.times_transposed(&y);
            let rd: Vec<f64> = (0..n).map(|j| self.c[j] - aty[j] - s[j]).collect();
            let primal: f64 = self.c.iter().zip(&x).map(|(c, x)| c * x).sum();
            let dual: f64 = self.b.iter().zip(&y).map(|(b, y)| b * y).sum();
            if largest(&rp) <= TOLERANCE * b_size
                && largest(&rd) <= TOLERANCE * c_size
                && (primal - dual).abs() <= TOLERANCE * (1.0 + primal.abs())
            {
                return Some((x, y));
            }
            let mu = dot(&x, &s) / n as f64;
            let d: Vec<f64> = x.iter().zip(&s).map(|(x, s)| x / s).collect();
            let factor = self.normal(&d)?;
            // The direction for a complementarity target `rc` (`S dx + X ds = rc`).
            let direction = |rc: &[f64]| {
                let shifted: Vec<f64> = (0..n).map(|j| d[j] * rd[j] - rc[j] / s[j]).collect();
                let mut dy = self.times(&shifted);
                dy.iter_mut().zip(&rp).for_each(|(r, p)| *r += p);
                factor.solve(&mut dy);
                let atdy = self.times_transposed(&dy);
                let ds: Vec<f64> = (0..n).map(|j| rd[j] - atdy[j]).collect();
                let dx: Vec<f64> = (0..n).map(|j| rc[j] / s[j] - d[j] * ds[j]).collect();
                (dx, dy, ds)
            };
            let affine: Vec<f64> = (0..n).map(|j| -x[j] * s[j]).collect();
            let (dx, _, ds) = direction(&affine);
            let (ap, ad) = (to_boundary(&x, &dx, 1.0), to_boundary(&s, &ds, 1.0));
            let mu_affine = (0..n)
                .map(|j| (x[j] + ap * dx[j]) * (s[j] + ad * ds[j]))
                .sum::<f64>()
                / n as f64;
            let sigma = (mu_affine / mu).powi(3).min(1.0);
            let target: Vec<f64> = (0..n)
                .map(|j| affine[j] - dx[j] * ds[j] + sigma * mu)
                .collect();
            let (dx, dy, ds) = direction(&target);
            let ap = to_boundary(&x, &dx, STEP_SHARE);
            let ad = to_boundary(&s, &ds, STEP_SHARE);
            x.iter_mut().zip(&dx).for_each(|(x, d)| *x += ap * d);
            y.iter_mut().zip(&dy).for_each(|(y, d)| *y += ad * d);
            s.iter_mut().zip(&ds).for_each(|(s, d)| *s += ad * d);
            if !x.iter().chain(&y).chain(&s).all(|v| v.is_finite()) {
                return None;
            }
        }
        None
    }

    /// Mehrotra's starting point: the least-norm `x` with `Ax = b` and the least-squares
    /// `y`, both moved inside the positive orthant.
    fn start(&self) -> Option<(Vec<f64>, Vec<f64>, Vec<f64>)> {
        let n = self.vars();
        let factor = self.normal(&vec![1.0; n])?;
        let mut w = self.b.clone();
        factor.solve(&mut w);
        let mut x = self.times_transposed(&w);
        let mut y = self.times(&self.c);
        factor.solve(&mut y);
        let aty = self.times_transposed(&y);
        let mut s: Vec<f64> = (0..n).map(|j| self.c[j] - aty[j]).collect();
        let least = |v: &[f64]| v.iter().fold(f64::INFINITY, |m, &x| m.min(x));
        let shift_x = (-1.5 * least(&x)).max(0.0);
        let shift_s = (-1.5 * least(&s)).max(0.0);
        x.iter_mut().for_each(|x| *x += shift_x);
        s.iter_mut().for_each(|s| *s += shift_s);
        let xs = dot(&x, &s);
        let (sum_x, sum_s) = (x.iter().sum::<f64>(), s.iter().sum::<f64>());
        let more_x = 0.5 * xs / sum_s.max(1e-12) + 1e-6;
        let more_s = 0.5 * xs / sum_x.max(1e-12) + 1e-6;
        x.iter_mut().for_each(|x| *x += more_x);
        s.iter_mut().for_each(|s| *s += more_s);
        Some((x, y, s))
    }
}

/// The longest step up to 1 along `dv` that keeps `v` positive, times `share`.
fn to_boundary(v: &[f64], dv: &[f64], share: f64) -> f64 {
    let most = v
        .iter()
        .zip(dv)
        .filter(|(_, d)| **d < 0.0)
        .map(|(v, d)| -v / d)
        .fold(f64::INFINITY, f64::min);
    (share * most).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clarabel::solver::{
        DefaultSettingsBuilder, DefaultSolver, IPSolver, SolverStatus, SupportedConeT,
    };

    /// A small LP in `clarabel`'s form: two people choosing between three columns each,
    /// two cover rows with short and over, and a row saying at least one and a half units
    /// short in all (binding, so its dual is not zero).
    fn small() -> (Vec<f64>, CscMatrix<f64>, Vec<f64>, usize) {
        // Rows: person 0, person 1, cover 0, cover 1 (equalities); then a sign row per
        // variable; last, the inequality `-short0 - short1 ≤ -1.5`.
        let columns: [(f64, &[(usize, f64)]); 10] = [
            (3.0, &[(0, 1.0), (2, 1.0)]),
            (1.0, &[(0, 1.0), (3, 1.0)]),
            (5.0, &[(0, 1.0), (2, 1.0), (3, 1.0)]),
            (2.0, &[(1, 1.0), (2, 1.0)]),
            (4.0, &[(1, 1.0), (3, 1.0)]),
            (0.0, &[(1, 1.0)]),
            (10.0, &[(2, 1.0), (14, -1.0)]),
            (1.0, &[(2, -1.0)]),
            (10.0, &[(3, 1.0), (14, -1.0)]),
            (1.0, &[(3, -1.0)]),
        ];
        let (equalities, vars) = (4, columns.len());
        let (mut colptr, mut rowval, mut nzval, mut q) = (vec![0], vec![], vec![], vec![]);
        for (k, (cost, entries)) in columns.iter().enumerate() {
            q.push(*cost);
            let mut entries = entries.to_vec();
            entries.push((equalities + k, -1.0));
            entries.sort_by_key(|e| e.0);
            for (row, value) in entries {
                rowval.push(row);
                nzval.push(value);
            }
            colptr.push(rowval.len());
        }
        let rows = equalities + vars + 1;
        let a = CscMatrix::new(rows, vars, colptr, rowval, nzval);
        let mut b = vec![1.0, 1.0, 2.0, 2.0];
        b.resize(rows, 0.0);
        b[rows - 1] = -1.5;
        (q, a, b, equalities)
    }

    #[test]
    fn the_dense_interior_point_method_agrees_with_clarabel() {
        let (q, a, b, equalities) = small();
        let found = solve(&q, &a, &b, equalities).expect("solved");
        let cones = [
            SupportedConeT::ZeroConeT(equalities),
            SupportedConeT::NonnegativeConeT(a.m - equalities),
        ];
        let settings = DefaultSettingsBuilder::default()
            .verbose(false)
            .build()
            .unwrap();
        let zero = CscMatrix::zeros((a.n, a.n));
        let mut solver = DefaultSolver::new(&zero, &q, &a, &b, &cones, settings).unwrap();
        solver.solve();
        assert_eq!(solver.solution.status, SolverStatus::Solved);
        let reference = &solver.solution;
        assert!((found.objective - reference.obj_val).abs() < 1e-6);
        // The duals of the people's and cover rows, and of the inequality, as clarabel's.
        for row in (0..equalities).chain([a.m - 1]) {
            assert!(
                (found.z[row] - reference.z[row]).abs() < 1e-5,
                "row {row}: {} against {}",
                found.z[row],
                reference.z[row]
            );
        }
        // The one optimum: person 1 on their first column (cover 0, cost 2); person 0 half
        // on their second (cover 1, cost 1) and half on their third (both, cost 5), which
        // leaves 1.5 units short (cost 15): 20 in all, and 6 for each unit short required.
        let rounded: Vec<f64> = found.x.iter().map(|x| (x * 1e4).round() / 1e4).collect();
        assert_eq!(rounded[..6], [0.0, 0.5, 0.5, 1.0, 0.0, 0.0]);
        assert!((found.objective - 20.0).abs() < 1e-6);
        assert!((found.z[a.m - 1] - 6.0).abs() < 1e-5);
    }
}
