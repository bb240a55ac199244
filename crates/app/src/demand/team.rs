//! The team behind a demand page, by clinician type: people, WTE, sessions a week and the
//! safe appointments they give, each type with the national category it is counted under.
use analytics::Month;
use analytics::capacity::{CapacityRules, Contract};
use analytics::clinicians::ClinicianType;
use std::collections::{BTreeMap, BTreeSet};

/// One clinician type of the team today.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TypeSupply {
    pub clinician: ClinicianType,
    /// People of this type working at the practice (or PCN) today.
    pub people: usize,
    /// Their WTE given to the practice (or PCN): a person shared with practices outside
    /// counts their share.
    pub wte: f64,
    pub sessions_per_week: f64,
    /// Safe appointments a month over the months ahead, on average (0 for admin).
    pub appointments_a_month: f64,
}

/// One person's part in a practice's team, as the team table counts it.
#[derive(Debug, Clone)]
pub(super) struct Member {
    pub staff_id: String,
    pub clinician: ClinicianType,
    pub wte: f64,
    pub sessions_per_week: f64,
    pub share: f64,
    pub current: bool,
}

/// The team by clinician type: every type, in order, even one the team lacks (so a
/// manager sees the gap), with each practice's contracts under its own rules for `months`.
pub(super) fn by_type(
    members: &[Member],
    practices: &[(CapacityRules, Vec<Contract>)],
    months: &[Month],
    today: chrono::NaiveDate,
) -> Vec<TypeSupply> {
    let mut people: BTreeMap<ClinicianType, BTreeSet<&str>> = BTreeMap::new();
    let mut wte: BTreeMap<ClinicianType, f64> = BTreeMap::new();
    let mut sessions: BTreeMap<ClinicianType, f64> = BTreeMap::new();
    for m in members.iter().filter(|m| m.current && m.share > 0.0) {
        people.entry(m.clinician).or_default().insert(&m.staff_id);
        *wte.entry(m.clinician).or_default() += m.wte * m.share;
        *sessions.entry(m.clinician).or_default() += m.sessions_per_week * m.share;
    }
    let mut appointments: BTreeMap<ClinicianType, f64> = BTreeMap::new();
    for month in months {
        for (rules, contracts) in practices {
            for (t, v) in rules.month_by_type(contracts, *month, today) {
                *appointments.entry(t).or_default() += v;
            }
        }
    }
    let n = months.len().max(1) as f64;
    ClinicianType::ALL
        .into_iter()
        .map(|t| TypeSupply {
            clinician: t,
            people: people.get(&t).map_or(0, BTreeSet::len),
            wte: wte.get(&t).copied().unwrap_or(0.0),
            sessions_per_week: sessions.get(&t).copied().unwrap_or(0.0),
            appointments_a_month: appointments.get(&t).copied().unwrap_or(0.0) / n,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::role::StaffGroup;

    fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_shared_pharmacist_counts_once_with_their_share() {
        let member = |id: &str, clinician, wte, share| Member {
            staff_id: id.into(),
            clinician,
            wte,
            sessions_per_week: wte * 10.0,
            share,
            current: true,
        };
        let members = [
            member("gp", ClinicianType::Gp, 1.0, 1.0),
            // Works at two practices, both in scope: counted once, whole.
            member("ph", ClinicianType::Pharmacist, 0.8, 0.5),
            member("ph", ClinicianType::Pharmacist, 0.8, 0.5),
            member("rx", ClinicianType::Admin, 0.6, 1.0),
        ];
        let contract = |group, clinician, sessions_per_week, share| Contract {
            group,
            clinician,
            sessions_per_week,
            share,
            start: d(2020, 1, 1),
            end: None,
            leave: vec![],
        };
        let practice = (
            CapacityRules::default(),
            vec![
                contract(StaffGroup::Gp, ClinicianType::Gp, 9.0, 1.0),
                contract(
                    StaffGroup::DirectPatientCare,
                    ClinicianType::Pharmacist,
                    8.0,
                    0.5,
                ),
                contract(StaffGroup::AdminNonClinical, ClinicianType::Admin, 6.0, 1.0),
            ],
        );
        // June 2027: 22 working days.
        let june = Month::new(2027, 6).unwrap();
        let team = by_type(&members, &[practice], &[june], d(2027, 5, 1));
        assert_eq!(team.len(), 5, "every type, even one the team lacks");
        let of = |t| team.iter().find(|s| s.clinician == t).unwrap();
        assert_eq!(of(ClinicianType::Pharmacist).people, 1);
        assert!((of(ClinicianType::Pharmacist).wte - 0.8).abs() < 1e-9);
        // 8 sessions a week, half here: 0.8 a day × 12 appointments × 22 days.
        assert!(
            (of(ClinicianType::Pharmacist).appointments_a_month - 0.8 * 12.0 * 22.0).abs() < 1e-9
        );
        // 9 sessions: 1.8 a day × 12 = 21.6, under the 25 a day limit.
        assert!((of(ClinicianType::Gp).appointments_a_month - 21.6 * 22.0).abs() < 1e-9);
        assert_eq!(of(ClinicianType::Admin).appointments_a_month, 0.0);
        assert_eq!(of(ClinicianType::Admin).people, 1);
        assert_eq!(of(ClinicianType::Nurse).people, 0);
    }
}
