//! Writes a published instance enlarged, in the benchmark format:
//! `cargo run -p rota --example enlarge -- INSTANCE STAFF_COPIES HORIZON_COPIES > larger.txt`.
//! `enlarge Instance12.txt 2 1` gives 120 staff over 4 weeks, the size of the published
//! instance 13, with instance 12's caps, cover and requests (`rota::generate::enlarge`).
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, staff, horizon] = &args[..] else {
        eprintln!("usage: enlarge INSTANCE STAFF_COPIES HORIZON_COPIES");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    let problem = rota::read_instance(&text).unwrap_or_else(|e| {
        eprintln!("{path}: {e}");
        std::process::exit(1)
    });
    let count = |a: &str| -> usize {
        a.parse().unwrap_or_else(|_| {
            eprintln!("{a}: not a number of copies");
            std::process::exit(2)
        })
    };
    let larger = rota::generate::enlarge(&problem, count(staff), count(horizon));
    print!("{}", rota::write_instance(&larger));
}
