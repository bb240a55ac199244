//! Demo training records: most people in date, some expiring soon, some expired, a few
//! missing — so the matrix and the reminders have something real to show.
use crate::DemoData;
use chrono::{Duration, Months, NaiveDate};
use domain::training::DEFAULT_TOPICS;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One completed training, against a default topic by its key.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoTraining {
    pub staff_index: usize,
    pub default_key: &'static str,
    pub completed_on: NaiveDate,
    pub provider: &'static str,
    pub hours: f64,
    pub verified: bool,
}

const PROVIDERS: &[&str] = &[
    "e-Learning for Healthcare",
    "Blue Stream Academy",
    "Practice in-house session",
    "ICB training hub",
];

/// Records for every person of `data` against the default topics their role needs, as of
/// `today`. Seeded, so the same data gives the same records.
pub fn demo_training(data: &DemoData, today: NaiveDate, seed: u64) -> Vec<DemoTraining> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for (staff_index, person) in data.staff.iter().enumerate() {
        for topic in DEFAULT_TOPICS {
            let draft = topic.draft();
            if !draft.applies_to(person.draft.role) {
                continue;
            }
            let months = draft.renewal_months.unwrap_or(36);
            let roll = rng.gen_range(0..100);
            // 6 % missing, 8 % expired, 10 % expiring within 60 days, the rest in date.
            let completed = if roll < 6 {
                continue;
            } else if roll < 14 {
                let overdue = rng.gen_range(1..120);
                today
                    .checked_sub_months(Months::new(months))
                    .unwrap_or(today)
                    - Duration::days(overdue)
            } else if roll < 24 {
                let left = rng.gen_range(1..=59);
                today
                    .checked_sub_months(Months::new(months))
                    .unwrap_or(today)
                    + Duration::days(left)
            } else {
                let age = rng.gen_range(0..i64::from(months) * 30 - 70);
                today - Duration::days(age.max(1))
            };
            out.push(DemoTraining {
                staff_index,
                default_key: topic.key,
                completed_on: completed.min(today),
                provider: PROVIDERS[rng.gen_range(0..PROVIDERS.len())],
                hours: f64::from(rng.gen_range(1..=6)) / 2.0,
                verified: rng.gen_range(0..10) < 8,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::training::{ComplianceStatus, status};

    #[test]
    fn the_demo_has_every_status() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let data = crate::demo_pcn(today);
        let records = demo_training(&data, today, 7);
        assert_eq!(records, demo_training(&data, today, 7));
        let mut seen = std::collections::BTreeSet::new();
        for r in &records {
            let topic = DEFAULT_TOPICS
                .iter()
                .find(|t| t.key == r.default_key)
                .unwrap();
            let role = data.staff[r.staff_index].draft.role;
            seen.insert(status(&topic.draft(), role, Some(r.completed_on), today).0);
            assert!(r.completed_on <= today);
        }
        assert!(seen.contains(&ComplianceStatus::InDate));
        assert!(seen.contains(&ComplianceStatus::Expiring));
        assert!(seen.contains(&ComplianceStatus::Expired));
    }
}
