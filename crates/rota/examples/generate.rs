//! Writes a generated instance in the benchmark format:
//! `cargo run -p rota --example generate -- STAFF WEEKS SHIFT_TYPES SEED [exact] [published] >
//! instance.txt`, any size (150 52 32 is the benchmark's largest, 150 staff × 364 days × 32
//! shift types). With `published`, the limits on each type are as loose as the published
//! instances' (`rota::generate::Style`).
//! Every instance it writes is feasible (`rota::generate::planted`). With `exact`, each cover
//! row needs the planted roster's count (`rota::generate::exact_cover`), and the planted
//! roster's penalty, an upper bound on the optimum, is written to standard error.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let exact = args.iter().skip(4).any(|a| a == "exact");
    let style = if args.iter().skip(4).any(|a| a == "published") {
        rota::generate::Style::Published
    } else {
        rota::generate::Style::Tight
    };
    let numbers: Vec<usize> = args
        .iter()
        .take(4)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let [staff, weeks, shifts, seed] = numbers[..] else {
        eprintln!("usage: generate STAFF WEEKS SHIFT_TYPES SEED [exact] [published]");
        std::process::exit(2);
    };
    let (mut problem, planted) =
        rota::generate::planted_in(style, staff, weeks, shifts, seed as u64);
    if exact {
        rota::generate::exact_cover(&mut problem, &planted);
        let e = rota::evaluate(&problem, &planted);
        eprintln!(
            "planted roster: penalty {}, hard units {}",
            e.objective,
            e.hard_units()
        );
    }
    print!("{}", rota::write_instance(&problem));
}
