//! `gpteam bench rota`: the rota for the demo PCN and for a generated PCN (five practices,
//! every practice of a synthetic system moved into one PCN, its staff trimmed to 60 people
//! with every role of every employer kept, with their rooms, skills, cover template and rota
//! rules), 4 weeks (`--weeks`) from the next Monday: the time to the first rota with no hard
//! rule broken, and the penalty after short budgets as a ratio of the penalty after a long
//! budget (the baseline, the product's configuration) in the same run. Each case is solved in
//! both configurations side by side: the product's (column generation over everyone or a
//! window at a time where the problem suits it, `rota::search::ColumnForm`, which the CSV
//! names) and the search alone.
use anyhow::Context;
use clap::Args;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
pub struct RotaBenchArgs {
    /// Short budgets to report, in seconds.
    #[arg(long, value_delimiter = ',', default_value = "1,10")]
    budgets: Vec<f64>,
    /// The long budget whose penalty is the baseline, in seconds.
    #[arg(long, default_value_t = 600.0)]
    baseline: f64,
    /// Practices of the generated PCN.
    #[arg(long, default_value_t = 5)]
    practices: usize,
    /// Seed of the generated PCN.
    #[arg(long, default_value_t = 3)]
    seed: u64,
    /// People of the generated PCN: its staff are trimmed to this many (0: keep them all).
    #[arg(long, default_value_t = 60)]
    staff: usize,
    /// Optimiser threads.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Weeks of the rota.
    #[arg(long, default_value_t = 4)]
    weeks: u32,
    /// Only the demo PCN, or only the generated one.
    #[arg(long)]
    only: Option<String>,
}

/// A synthetic system of `practices` practices, all in its first PCN, with `staff` people
/// (0: as generated).
fn generated_pcn(
    practices: usize,
    seed: u64,
    staff: usize,
    today: chrono::NaiveDate,
) -> demo::DemoData {
    let mut data = demo::generate(&demo::DemoOptions {
        practices,
        seed,
        today,
    });
    let pcn = data.pcns[0].code.clone();
    data.pcns.truncate(1);
    for practice in &mut data.practices {
        practice.pcn_code = pcn.clone();
    }
    for person in &mut data.staff {
        if let domain::org::Employer::Pcn(code) = &mut person.draft.employer {
            *code = pcn.clone();
        }
    }
    data.accounts.retain(|a| {
        a.role != domain::account::UserRole::PcnManager || a.organisation == pcn.as_str()
    });
    if staff > 0 {
        demo::keep_staff(&mut data, staff);
    }
    data
}

struct Run {
    first_feasible: Option<Duration>,
    hard: usize,
    penalty: u64,
    /// The hard problems left, counted by rule, with one message of each as an example.
    hard_rules: std::collections::BTreeMap<&'static str, (usize, String)>,
}

fn solve(
    input: &app::rota::RotaInput,
    budget: f64,
    threads: usize,
    column_generation: bool,
) -> Run {
    let started = Instant::now();
    let feasible_at: Mutex<Option<Duration>> = Mutex::new(None);
    let options = rota::Options {
        column_generation,
        ..app::rota::solver_options(Duration::from_secs_f64(budget), threads, 1, None)
    };
    let solved = app::rota::solve_with(input, &options, &|p: &rota::Progress| {
        let mut at = feasible_at.lock().expect("progress");
        if p.best_hard_units == 0 && at.is_none() {
            *at = Some(started.elapsed());
        }
    });
    let mut hard_rules = std::collections::BTreeMap::new();
    for p in solved.problems.iter().filter(|p| p.hard) {
        hard_rules.entry(p.rule).or_insert((0, p.message.clone())).0 += 1;
    }
    Run {
        first_feasible: *feasible_at.lock().expect("progress"),
        hard: hard_rules.values().map(|(count, _)| count).sum(),
        penalty: solved.soft_penalty,
        hard_rules,
    }
}

pub async fn run(args: RotaBenchArgs) -> anyhow::Result<ExitCode> {
    let today = chrono::Utc::now().date_naive();
    let monday = today
        + chrono::Days::new(u64::from(
            7 - chrono::Datelike::weekday(&today).num_days_from_monday(),
        ));
    let period = domain::rota::RotaPeriod {
        from: monday,
        weeks: args.weeks,
    };
    let mut cases = Vec::new();
    if args.only.as_deref() != Some("generated") {
        cases.push(("demo PCN".to_string(), demo::demo_pcn(today)));
    }
    if args.only.as_deref() != Some("demo") {
        let data = generated_pcn(args.practices, args.seed, args.staff, today);
        cases.push((
            format!(
                "generated PCN ({} practices; {} staff; seed {})",
                args.practices,
                data.staff.len(),
                args.seed
            ),
            data,
        ));
    }
    println!(
        "case,configuration,people,sites,rooms,cover_rows,column_generation_form,{},baseline_{}s_penalty",
        args.budgets
            .iter()
            .map(|b| format!("first_no_hard_{b}s,penalty_{b}s,hard_{b}s,ratio_{b}s"))
            .collect::<Vec<_>>()
            .join(","),
        args.baseline
    );
    for (name, data) in cases {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        let store = store::Store::connect(&url).await?;
        store.migrate().await?;
        let app = app::App::new(store);
        app.demo()
            .load_demo(&data, "bench-password-123")
            .await
            .context("loading the data")?;
        let pcn = data.pcns[0].code.to_string();
        let mut conn = app.store().conn().await?;
        let (input, people) =
            app::rota::load_input(&mut conn, &app::rota::RotaScope::Pcn(pcn), period).await?;
        drop(conn);
        let threads = args.threads;
        let form = app::rota::column_generation_form(&input).name();
        let baseline_input = input.clone();
        let baseline = args.baseline;
        let base =
            tokio::task::spawn_blocking(move || solve(&baseline_input, baseline, threads, true))
                .await?;
        if base.hard > 0 {
            eprintln!("{name}: the baseline run left {} hard problems", base.hard);
            for (rule, (count, example)) in &base.hard_rules {
                eprintln!("  {rule}: {count} (e.g. {example})");
            }
        }
        for (configuration, column_generation) in
            [("column generation", true), ("search alone", false)]
        {
            // Each short run reports its own time to the first rota with no hard rule
            // broken ("none" when it found none within its budget).
            let mut cells = Vec::new();
            for &b in &args.budgets {
                let short_input = input.clone();
                let r = tokio::task::spawn_blocking(move || {
                    solve(&short_input, b, threads, column_generation)
                })
                .await?;
                cells.push(format!(
                    "{},{},{},{:.4}",
                    r.first_feasible
                        .map_or("none".into(), |d| format!("{:.3}", d.as_secs_f64())),
                    r.penalty,
                    r.hard,
                    r.penalty as f64 / base.penalty.max(1) as f64
                ));
            }
            // The search alone runs no column generation, whatever would suit.
            let form = if column_generation { form } else { "none" };
            println!(
                "{name},{configuration},{},{},{},{},{form},{},{}",
                people.len(),
                input.sites.len(),
                input.rooms.len(),
                input.cover.len(),
                cells.join(","),
                base.penalty
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
