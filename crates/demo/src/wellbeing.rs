//! Demo wellbeing answers for the last closed check-in periods, so a manager's first look
//! shows believable results (the open period, as ever, shows nothing). Each practice has
//! its own mood, each question its own lean, each person their own outlook; about two in
//! three people answer a period, and some leave a comment.
use crate::DemoData;
use chrono::NaiveDate;
use domain::org::{Employer, OdsCode};
use domain::role::StaffGroup;
use domain::staff::Employment;
use domain::wellbeing::{Answers, CheckinSettings, DEFAULT_QUESTIONS, Period};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One demo answer, already anonymous: where and when (to the period), never who.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCheckin {
    pub practice_ods: OdsCode,
    pub period_start: NaiveDate,
    pub staff_group: StaffGroup,
    pub answers: Answers,
}

/// Closed periods given answers, most recent last.
pub const DEMO_PERIODS: usize = 3;
/// Practices given answers: the demo PCN's all, a large system's first few (answers for an
/// ICS of 1,000 practices would only slow its loading).
const MAX_PRACTICES: usize = 30;

const COMMENTS: &[&str] = &[
    "Reception needs another person on Monday mornings",
    "Good team, but the phones never stop",
    "I rarely get a proper lunch break",
    "Thank you for the new rota, it helps",
    "Home visits overrun most afternoons",
    "Supportive colleagues make the difference",
    "Would welcome more time for training",
    "Winter pressures are starting to show",
];

/// The answers of every person of `data` at the first `MAX_PRACTICES` practices in each of
/// the last `DEMO_PERIODS` closed periods of the default check-in, as of `today`. Seeded.
pub fn demo_wellbeing(data: &DemoData, today: NaiveDate, seed: u64) -> Vec<DemoCheckin> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weeks = CheckinSettings::default().period_weeks;
    let open = Period::containing(today, weeks);
    let mut periods = Vec::with_capacity(DEMO_PERIODS);
    let mut start = open.start;
    for _ in 0..DEMO_PERIODS {
        start -= chrono::Duration::days(i64::from(weeks) * 7);
        periods.push(Period::starting(start, weeks));
    }
    periods.reverse();
    let practices: Vec<&OdsCode> = data
        .practices
        .iter()
        .take(MAX_PRACTICES)
        .map(|p| &p.ods_code)
        .collect();
    let moods: Vec<f64> = practices.iter().map(|_| rng.gen_range(3.0..4.0)).collect();
    let leans: Vec<f64> = DEFAULT_QUESTIONS
        .iter()
        .map(|_| rng.gen_range(-0.6..0.4))
        .collect();
    let mut out = Vec::new();
    for person in &data.staff {
        let home = match &person.draft.employer {
            Employer::Practice(ods) => Some(ods),
            Employer::Pcn(_) => person.draft.practices.first(),
        };
        let Some(index) = home.and_then(|h| practices.iter().position(|p| *p == h)) else {
            continue;
        };
        let outlook: f64 = rng.gen_range(-0.8..0.8);
        for (n, period) in periods.iter().enumerate() {
            let answers_now = rng.gen_bool(0.7);
            if !answers_now || person.draft.employment_on(period.end) != Employment::Current {
                continue;
            }
            // A gentle slide into winter over the periods shown.
            let drift = -0.15 * n as f64;
            let scores = leans
                .iter()
                .map(|lean| {
                    let x = moods[index] + lean + outlook + drift + rng.gen_range(-0.7..0.7);
                    x.round().clamp(1.0, 5.0) as u8
                })
                .collect();
            let comment = rng
                .gen_bool(0.25)
                .then(|| COMMENTS[rng.gen_range(0..COMMENTS.len())].to_string());
            out.push(DemoCheckin {
                practice_ods: practices[index].clone(),
                period_start: period.start,
                staff_group: person.draft.role.staff_group(),
                answers: Answers { scores, comment },
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_fill_closed_periods_only_and_enough_to_show() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let data = crate::demo_pcn(today);
        let answers = demo_wellbeing(&data, today, 7);
        let open = Period::containing(today, 4);
        assert!(answers.iter().all(|a| a.period_start < open.start));
        let last = Period::containing(open.start - chrono::Duration::days(1), 4);
        for practice in &data.practices {
            let n = answers
                .iter()
                .filter(|a| a.practice_ods == practice.ods_code && a.period_start == last.start)
                .count();
            assert!(
                n >= 5,
                "{} has {n} answers in the last period",
                practice.ods_code
            );
        }
        assert!(
            answers.iter().all(|a| a.answers.scores.len() == 5
                && a.answers.scores.iter().all(|s| (1..=5).contains(s)))
        );
        assert_eq!(answers, demo_wellbeing(&data, today, 7), "seeded");
    }
}
