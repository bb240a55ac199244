//! Runs the search on one benchmark instance (N, or the path of an instance file) with given
//! parameters (for tuning by hand): `probe N SECONDS [T0 T1 WEIGHT SEED THREADS ROW_PLAN_EVERY MEETINGS ROW_PLAN_SHARE]`; with `STEPS=n` in the
//! environment the budget is n moves per worker instead (the run then repeats exactly); with
//! `PROGRESS` set, each better roster found is printed with its time.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = &args[1];
    let secs: f64 = args[2].parse().unwrap();
    let get = |i: usize, default: f64| args.get(i).map_or(default, |a| a.parse().unwrap());
    let path = if n.parse::<usize>().is_ok() {
        format!(
            "{}/../../../shared/data/shift-scheduling/instances/Instance{n}.txt",
            env!("CARGO_MANIFEST_DIR")
        )
    } else {
        n.clone()
    };
    let p = rota::read_instance(&std::fs::read_to_string(path).unwrap()).unwrap();
    let defaults = rota::Options::default();
    let opts = rota::Options {
        time_limit: Some(std::time::Duration::from_secs_f64(secs)),
        start_temperature: get(3, defaults.start_temperature),
        end_temperature: get(4, defaults.end_temperature),
        hard_weight: get(5, defaults.hard_weight as f64) as i64,
        seed: get(6, 1.0) as u64,
        threads: get(7, 1.0) as usize,
        row_plan_every: get(8, defaults.row_plan_every as f64) as usize,
        row_plan_share: get(10, defaults.row_plan_share),
        meetings: get(9, defaults.meetings as f64) as u64,
        step_limit: std::env::var("STEPS").ok().map(|s| s.parse().unwrap()),
        stop: None,
        balanced_cross_swaps: std::env::var_os("BALANCED").is_some(),
        repair_rows: std::env::var_os("REPAIR").is_some(),
        column_generation: std::env::var_os("CG").is_some(),
        feasibility_first: std::env::var_os("NOFEAS").is_none(),
        check_every_move: false,
    };
    let trace = std::env::var_os("PROGRESS").is_some();
    let out = rota::solve(&p, &opts, &|g| {
        if trace {
            eprintln!(
                "  {:>6.2?} obj {} hard {} steps {}",
                g.elapsed, g.best_objective, g.best_hard_units, g.steps
            );
        }
    });
    println!(
        "{} obj {} hard {} steps {} ttb {:.1?}",
        if n.parse::<usize>().is_ok() {
            format!("Instance{n}")
        } else {
            n.clone()
        },
        out.evaluation.objective,
        out.evaluation.hard_units(),
        out.steps,
        out.time_to_best
    );
    println!("  {:?}", out.evaluation.breakdown);
    if std::env::var("ROSTER").is_ok() {
        print!("{}", rota::write_roster(&p, &out.roster));
    }
    for v in out.evaluation.hard.iter().take(8) {
        println!("  {v}");
    }
}
