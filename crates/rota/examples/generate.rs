//! Writes a generated instance in the benchmark format:
//! `generate STAFF WEEKS SHIFT_TYPES SEED > instance.txt`.
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
