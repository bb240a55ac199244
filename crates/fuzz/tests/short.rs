//! The short fuzz run of CI: every target, its real seed files and a few thousand mutants,
//! with no panic. (The long run is `scripts/fuzz.sh`.)
use std::time::Duration;

#[test]
fn every_reader_survives_a_short_fuzz_run() {
    let executions: u64 = std::env::var("GPTEAM_FUZZ_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3_000);
    let data = fuzz::shared_data();
    let mut failures = Vec::new();
    for target in fuzz::targets() {
        let seeds = (target.seeds)(&data);
        assert!(!seeds.is_empty(), "{}: no seeds", target.name);
        let options = fuzz::RunOptions {
            executions,
            seed: 21,
            time_limit: Some(Duration::from_secs(20)),
            // Debug builds are slow; a hang, not a slow input, is what this run catches.
            slow: Duration::from_secs(10),
            progress_every: 0,
        };
        let report = fuzz::fuzz(&target, seeds, &options, |_| {});
        eprintln!(
            "{}: {} executions in {:.1} s, {} outcomes",
            target.name,
            report.executions,
            report.elapsed.as_secs_f64(),
            report.outcomes
        );
        assert!(
            report.outcomes > 1,
            "{}: the mutants never changed the outcome",
            target.name
        );
        for finding in report.findings {
            failures.push(format!(
                "{} (execution {}): {}\n  input: {:?}",
                target.name,
                finding.execution,
                finding.message,
                String::from_utf8_lossy(&finding.input[..finding.input.len().min(300)])
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_engine_is_deterministic() {
    let mut a = fuzz::Rng::new(5);
    let mut b = fuzz::Rng::new(5);
    let mut x = b"name,email\nA,a@x.example\n".to_vec();
    let mut y = x.clone();
    for _ in 0..100 {
        fuzz::mutate(&mut a, &mut x, &[b","], b"other", 1_000);
        fuzz::mutate(&mut b, &mut y, &[b","], b"other", 1_000);
    }
    assert_eq!(x, y);
}

#[test]
fn a_libfuzzer_dictionary_quotes_each_token_and_escapes_what_it_must() {
    let dictionary =
        fuzz::libfuzzer_dictionary(&[b"Staff ID", b"a\"b\\c", b"\r\n", b"\xEF\xBB\xBF"]);
    assert_eq!(
        dictionary,
        "\"Staff ID\"\n\"a\\x22b\\x5Cc\"\n\"\\x0D\\x0A\"\n\"\\xEF\\xBB\\xBF\"\n"
    );
}
