//! Delta evaluations per second for each move type, on benchmark Instance 12 and on a
//! generated 150 staff × 364 days × 32 shift types instance. divan reports time per move;
//! moves per second is its reciprocal. The baseline in the same run is the `Change` move
//! on Instance 12 (compare the other rows to it).
use rota::search::{MoveKind, MoveProbe, Tables};

fn main() {
    divan::main();
}

fn instance12() -> rota::Problem {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/shift-scheduling/instances/Instance12.txt"
    );
    rota::read_instance(&std::fs::read_to_string(path).expect("Instance12")).expect("parses")
}

const KINDS: [MoveKind; MoveKind::ALL.len()] = MoveKind::ALL;

#[divan::bench(args = KINDS)]
fn instance12_delta(bencher: divan::Bencher, kind: MoveKind) {
    let problem = instance12();
    let tables = Tables::new(&problem);
    let mut probe = MoveProbe::new(&problem, &tables, 1);
    bencher.bench_local(|| probe.try_move(kind));
}

#[divan::bench(args = KINDS, sample_count = 20)]
fn generated_150x364x32_delta(bencher: divan::Bencher, kind: MoveKind) {
    let problem = rota::generate::generate(150, 52, 32, 7);
    let tables = Tables::new(&problem);
    let mut probe = MoveProbe::new(&problem, &tables, 1);
    bencher.bench_local(|| probe.try_move(kind));
}
