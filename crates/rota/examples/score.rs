//! Scores a roster against an instance, as the benchmark's validator would:
//! `cargo run -p rota --example score -- INSTANCE ROSTER` prints the penalty, its parts and the
//! hard rules broken.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [instance, roster] = &args[..] else {
        eprintln!("usage: score INSTANCE ROSTER");
        std::process::exit(2);
    };
    let read = |path: &str| {
        std::fs::read_to_string(path).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(1)
        })
    };
    let fail = |path: &str, e: rota::ParseError| -> ! {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    };
    let problem = rota::read_instance(&read(instance)).unwrap_or_else(|e| fail(instance, e));
    let roster = rota::read_roster(&problem, &read(roster)).unwrap_or_else(|e| fail(roster, e));
    let e = rota::evaluate(&problem, &roster);
    println!("penalty {} {:?}", e.objective, e.breakdown);
    println!("hard units {}", e.hard_units());
    for v in e.hard.iter().take(20) {
        println!("  {v:?}");
    }
}
