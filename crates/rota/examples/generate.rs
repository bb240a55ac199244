//! Writes a generated instance in the benchmark format:
//! `cargo run -p rota --example generate -- STAFF WEEKS SHIFT_TYPES SEED > instance.txt`, any
//! size (150 52 32 is the benchmark's largest, 150 staff × 364 days × 32 shift types).
//! Every instance it writes is feasible (`rota::generate::planted`).
fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("a number"))
        .collect();
    let [staff, weeks, shifts, seed] = args[..] else {
        eprintln!("usage: generate STAFF WEEKS SHIFT_TYPES SEED");
        std::process::exit(2);
    };
    print!(
        "{}",
        rota::write_instance(&rota::generate::generate(staff, weeks, shifts, seed as u64))
    );
}
