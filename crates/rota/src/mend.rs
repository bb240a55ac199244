//! Mending one person's row on its hard rules alone: changes of one cell (a run grows or
//! shrinks, a type over its limit gives way to another) kept when the row breaks fewer hard
//! units. The construction by rows (`search::feasible`) mends the rows its multipliers leave
//! breaking a rule, and column generation (`colgen`) a first column no price made keep them.
use crate::model::{OFF, Problem};
use crate::rng::Rng;
use crate::rowplan::RowCosts;
use crate::tables::{NO_LOCK, Tables, row_cost};

/// Mends a row the multipliers left breaking a hard rule, alone, by changes of one cell kept
/// when the row breaks fewer hard units, or as many at no higher price under `base` (the
/// cover and the requests), until it breaks none or `tries` run out. While a type is worked
/// more than the person's limit, a cell of it changes to another type they may work that day
/// (the runs kept); otherwise a cell at the edge of a run changes (a run grows or shrinks).
pub(crate) fn mend_row(
    p: &Problem,
    t: &Tables,
    e: usize,
    base: &RowCosts,
    mut row: Vec<u16>,
    tries: usize,
    rng: &mut Rng,
) -> Vec<u16> {
    let (days, shifts) = (t.days, t.shifts);
    let max = &p.staff[e].max_shifts;
    let mut scratch = vec![0u32; shifts];
    let price =
        |d: usize, v: u16| base.cost[d * base.values + if v == OFF { shifts } else { v as usize }];
    let mut hard = row_cost(p, t, e, &row, &mut scratch).0;
    let mut counts = scratch.clone();
    for _ in 0..tries {
        if hard == 0 {
            break;
        }
        if weekends(&row) > p.staff[e].max_weekends && rng.chance(0.5) {
            // Move a run that works a weekend one or two days either way.
            let w = 7 * rng.below(days / 7) + 5 + rng.below(2);
            if row[w] == OFF {
                continue;
            }
            let (mut a, mut b) = (w, w);
            while a > 0 && row[a - 1] != OFF {
                a -= 1;
            }
            while b + 1 < days && row[b + 1] != OFF {
                b += 1;
            }
            let by = [-2i64, -1, 1, 2][rng.below(4)];
            let (na, nb) = (a as i64 + by, b as i64 + by);
            if na < 0 || nb >= days as i64 || (a..=b).any(|d| t.lock[e * days + d] != NO_LOCK) {
                continue;
            }
            let old = row.clone();
            let run: Vec<u16> = row[a..=b].to_vec();
            row[a..=b].iter_mut().for_each(|c| *c = OFF);
            row[na as usize..=nb as usize].copy_from_slice(&run);
            let now = row_cost(p, t, e, &row, &mut scratch).0;
            if now < hard {
                hard = now;
                counts.copy_from_slice(&scratch);
            } else {
                row = old;
            }
            continue;
        }
        let over: Vec<usize> = (0..shifts).filter(|&s| counts[s] > max[s]).collect();
        let (d, v) = if !over.is_empty() && rng.chance(0.7) {
            let s = over[rng.below(over.len())] as u16;
            let Some(d) = (0..16).map(|_| rng.below(days)).find(|&d| row[d] == s) else {
                continue;
            };
            let open: Vec<u16> = t
                .allowed_on(e, d)
                .iter()
                .copied()
                .filter(|&v| counts[v as usize] < max[v as usize])
                .filter(|&v| {
                    let follows = |a: u16, b: u16| {
                        a != OFF
                            && b != OFF
                            && p.shifts[a as usize].forbidden_next.contains(&(b as usize))
                    };
                    let after = d > 0 && follows(row[d - 1], v);
                    let before = d + 1 < days && follows(v, row[d + 1]);
                    !after && !before
                })
                .collect();
            if open.is_empty() {
                continue;
            }
            (d, open[rng.below(open.len())])
        } else {
            let mut d = rng.below(days);
            // The nearest day where the row turns from work to off or back.
            let works = |d: usize| row[d] != OFF;
            while d + 1 < days && works(d) == works(d + 1) {
                d += 1;
            }
            if d + 1 < days && rng.chance(0.5) {
                d += 1;
            }
            let open = t.allowed_on(e, d);
            let v = if open.is_empty() || rng.chance(0.5) {
                OFF
            } else {
                open[rng.below(open.len())]
            };
            (d, v)
        };
        let old = row[d];
        if v == old || t.lock[e * days + d] != NO_LOCK {
            continue;
        }
        row[d] = v;
        let now = row_cost(p, t, e, &row, &mut scratch).0;
        if now < hard || (now == hard && price(d, v) <= price(d, old)) {
            hard = now;
            counts.copy_from_slice(&scratch);
        } else {
            row[d] = old;
        }
    }
    row
}

/// A row's working weekends, counted as the row score counts them.
pub(crate) fn weekends(row: &[u16]) -> u32 {
    (0..row.len())
        .filter(|&d| row[d] != OFF && (d % 7 == 5 || (d % 7 == 6 && row[d - 1] == OFF)))
        .count() as u32
}
