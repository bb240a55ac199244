//! A lower bound on every roster's penalty for one instance (N, or the path of an instance
//! file), from column generation's prices: `bound N [SECONDS]` runs the generation over
//! everyone for at most SECONDS (60 by default) and prints the LP's value and the bound
//! (`ColumnSearch::lower_bound`), so a solve's gap to the optimum can be judged from above
//! on instances whose optimum is not known. It prints the minutes bound
//! (`rota::bound::minutes_bound`) first, which needs no generation. The LP's factorisation is
//! chosen by time (`colgen::Factorisation`); with `QDLDL` set in the environment it is QDLDL
//! throughout.
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = &args[1];
    let secs: f64 = args.get(2).map_or(60.0, |a| a.parse().unwrap());
    let path = if n.parse::<usize>().is_ok() {
        format!(
            "{}/../../../shared/data/shift-scheduling/instances/Instance{n}.txt",
            env!("CARGO_MANIFEST_DIR")
        )
    } else {
        n.clone()
    };
    let p = rota::read_instance(&std::fs::read_to_string(path).unwrap()).unwrap();
    println!(
        "{n} minutes bound {}",
        rota::bound::minutes_bound(&p).map_or("none".to_string(), |b| format!("{b:.1}"))
    );
    let t = rota::tables::Tables::new(&p);
    let start = Instant::now();
    // A person whose limits the prices cannot meet needs a row from some roster to start.
    let search = rota::colgen::ColumnSearch::new(&p, &t, usize::MAX).or_else(|| {
        let seed = rota::solve(
            &p,
            &rota::Options {
                step_limit: Some(2_000_000),
                ..rota::Options::default()
            },
            &|_| {},
        );
        rota::colgen::ColumnSearch::seeded(&p, &t, usize::MAX, Some(&seed.roster))
    });
    let Some(mut search) = search else {
        println!("{n}: column generation cannot start");
        return;
    };
    if std::env::var_os("QDLDL").is_none() {
        search.set_chooser(rota::colgen::FactorisationChooser::timed());
    }
    let limit = Duration::from_secs_f64(secs);
    let bound = search.lower_bound(&|| start.elapsed() >= limit);
    println!(
        "{n} lp {:.1} bound {} solves {} columns {} in {:.1?} ({:?})",
        search.root_objective.unwrap_or(f64::NAN),
        bound.map_or("none".to_string(), |b| format!("{b:.1}")),
        search.lp_solves(),
        search.columns(),
        start.elapsed(),
        search.chooser().chosen()
    );
}
