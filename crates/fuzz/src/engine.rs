//! The engine: a seeded RNG, the mutations and the run that keeps inputs whose outcome
//! signature is new.
use super::*;

/// SplitMix64: small, fast and the same on every machine, so a run can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

const INTERESTING: &[&[u8]] = &[
    b"0",
    b"-1",
    b"1",
    b"7",
    b"255",
    b"256",
    b"65535",
    b"65536",
    b"2147483647",
    b"2147483648",
    b"4294967295",
    b"4294967296",
    b"9223372036854775807",
    b"18446744073709551615",
    b"18446744073709551616",
    b"99999999999999999999999",
    b"1e309",
    b"-0",
    b"0.000001",
];

/// Changes `input` by one to eight random edits, some from `tokens`, some from `other`.
pub fn mutate(rng: &mut Rng, input: &mut Vec<u8>, tokens: &[&[u8]], other: &[u8], max_len: usize) {
    let edits = 1 + rng.below(8);
    for _ in 0..edits {
        let len = input.len() as u64;
        let at = rng.below(len + 1) as usize;
        match rng.below(12) {
            0 if !input.is_empty() => {
                let i = rng.below(len) as usize;
                input[i] ^= 1 << rng.below(8);
            }
            1 if !input.is_empty() => {
                let i = rng.below(len) as usize;
                input[i] = rng.next_u64() as u8;
            }
            2 | 3 => {
                let token = tokens[rng.below(tokens.len() as u64) as usize];
                input.splice(at..at, token.iter().copied());
            }
            4 if !input.is_empty() => {
                let n = 1 + rng.below(len.min(64)) as usize;
                let start = rng.below(len) as usize;
                let end = (start + n).min(input.len());
                input.drain(start..end);
            }
            5 if !input.is_empty() => {
                // Copy a run of the input somewhere else (rows, cells, sections repeated).
                let start = rng.below(len) as usize;
                let n = 1 + rng.below((len - start as u64).min(512)) as usize;
                let run = input[start..start + n].to_vec();
                let times = if rng.below(8) == 0 {
                    1 + rng.below(16)
                } else {
                    1
                };
                for _ in 0..times {
                    let at = rng.below(input.len() as u64 + 1) as usize;
                    input.splice(at..at, run.iter().copied());
                }
            }
            6 => {
                // Replace a run of digits by an interesting number.
                let digits: Vec<usize> = (0..input.len())
                    .filter(|&i| {
                        input[i].is_ascii_digit() && (i == 0 || !input[i - 1].is_ascii_digit())
                    })
                    .collect();
                if let Some(&start) = digits.get(rng.below(digits.len() as u64) as usize) {
                    let end = start
                        + input[start..]
                            .iter()
                            .take_while(|b| b.is_ascii_digit())
                            .count();
                    let number = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
                    input.splice(start..end, number.iter().copied());
                }
            }
            7 if !other.is_empty() => {
                // Splice: this input's start with another seed's end.
                let from = rng.below(other.len() as u64) as usize;
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            8 if !input.is_empty() => {
                input.truncate(rng.below(len) as usize);
            }
            9 => {
                let n = 1 + rng.below(16) as usize;
                for _ in 0..n {
                    input.insert(at.min(input.len()), rng.next_u64() as u8);
                }
            }
            10 if !input.is_empty() => {
                // Swap a separator for another: commas, quotes and line ends move.
                let i = rng.below(len) as usize;
                const SEPARATORS: [u8; 10] = [
                    b',', b'"', b'\n', b'\r', b'|', b'<', b'>', b' ', b'\t', b'=',
                ];
                input[i] = SEPARATORS[rng.below(10) as usize];
            }
            _ => {
                let token = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
                input.splice(at..at, token.iter().copied());
            }
        }
        if input.len() > max_len {
            input.truncate(max_len);
        }
    }
}

/// A panic (or an input slower than the limit) found by a run.
#[derive(Debug, Clone)]
pub struct Finding {
    pub execution: u64,
    pub message: String,
    pub input: Vec<u8>,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub executions: u64,
    pub elapsed: Duration,
    /// Distinct outcomes seen (and inputs kept in the pool).
    pub outcomes: usize,
    pub findings: Vec<Finding>,
    pub slowest: Duration,
}

/// Options of a run.
pub struct RunOptions {
    pub executions: u64,
    pub seed: u64,
    /// Stop early after this long.
    pub time_limit: Option<Duration>,
    /// An execution slower than this is a finding.
    pub slow: Duration,
    /// Called every `progress_every` executions.
    pub progress_every: u64,
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".into())
}

/// Runs `target` on its seeds, then on `options.executions` mutants.
pub fn fuzz(
    target: &Target,
    seeds: Vec<Vec<u8>>,
    options: &RunOptions,
    mut progress: impl FnMut(&Report),
) -> Report {
    assert!(!seeds.is_empty(), "{}: no seeds", target.name);
    let started = Instant::now();
    let mut rng = Rng::new(options.seed);
    let mut report = Report::default();
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let run = |input: &[u8], report: &mut Report| -> Option<u64> {
        let at = Instant::now();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
        let took = at.elapsed();
        report.executions += 1;
        report.slowest = report.slowest.max(took);
        let execution = report.executions;
        let finding = |message: String| Finding {
            execution,
            message,
            input: input.to_vec(),
        };
        match outcome {
            Ok(signature) => {
                if took > options.slow {
                    report.findings.push(finding(format!("slow: {took:?}")));
                }
                Some(signature)
            }
            Err(payload) => {
                report.findings.push(finding(panic_text(payload.as_ref())));
                None
            }
        }
    };
    for seed in &seeds {
        if let Some(signature) = run(seed, &mut report)
            && seen.insert(signature)
        {
            pool.push(seed.clone());
        }
    }
    if pool.is_empty() {
        pool = seeds.clone();
    }
    while report.executions < options.executions {
        if options
            .time_limit
            .is_some_and(|limit| started.elapsed() > limit)
            || report.findings.len() >= 20
        {
            break;
        }
        // Mostly the seeds and the first outcomes; sometimes the newest finds.
        let base = &pool[rng.below(pool.len() as u64) as usize];
        let other = &seeds[rng.below(seeds.len() as u64) as usize];
        let mut input = base.clone();
        mutate(&mut rng, &mut input, target.tokens, other, target.max_len);
        if let Some(signature) = run(&input, &mut report)
            && seen.insert(signature)
            && pool.len() < 4_096
        {
            pool.push(input);
        }
        if options.progress_every > 0 && report.executions.is_multiple_of(options.progress_every) {
            report.elapsed = started.elapsed();
            report.outcomes = seen.len();
            progress(&report);
        }
    }
    std::panic::set_hook(previous_hook);
    report.elapsed = started.elapsed();
    report.outcomes = seen.len();
    report
}
