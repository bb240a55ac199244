//! The demo PCN's ARRS posts: pay and on-costs for the PCN-employed team in reimbursable
//! roles, from Agenda for Change pay points of 2025/26 (a fictional but plausible point in
//! each role's usual band), employer NI at 15% above £5,000 a year and the NHS Pension
//! Scheme employer rate of 20.6%.
use crate::DemoData;
use domain::arrs::{Engagement, PostTerms, pence};
use domain::org::Employer;
use domain::role::Role;

/// A post for the demo person at `staff_index`.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoArrsPost {
    pub staff_index: usize,
    pub terms: PostTerms,
}

/// A full-time salary a year for the role (an Agenda for Change 2025/26 pay point).
fn salary(role: Role) -> Option<(f64, &'static str)> {
    Some(match role {
        Role::ClinicalPharmacist => (52_809.0, ""),
        Role::PharmacyTechnician => (31_049.0, ""),
        Role::FirstContactPhysiotherapist => (50_962.0, ""),
        Role::Paramedic => (47_810.0, ""),
        Role::SocialPrescribingLinkWorker => (31_049.0, ""),
        Role::CareCoordinator => (27_898.0, ""),
        Role::MentalHealthPractitioner => (40_823.0, ""),
        _ => return None,
    })
}

/// The posts of every PCN-employed person in a role with a demo salary.
pub fn arrs_posts(data: &DemoData) -> Vec<DemoArrsPost> {
    data.staff
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.draft.employer, Employer::Pcn(_)))
        .filter_map(|(i, s)| {
            let (full_time, band) = salary(s.draft.role)?;
            let yearly = full_time * s.draft.wte;
            let engagement = if s.draft.role == Role::MentalHealthPractitioner {
                Engagement::MentalHealthTrust
            } else {
                Engagement::Employed
            };
            Some(DemoArrsPost {
                staff_index: i,
                terms: PostTerms {
                    band: band.to_string(),
                    wte: s.draft.wte,
                    engagement,
                    monthly_salary: pence(yearly / 12.0),
                    employer_ni: pence((yearly - 5_000.0).max(0.0) * 0.15 / 12.0),
                    employer_pension: pence(yearly * 0.206 / 12.0),
                    previous_post_ended: None,
                },
            })
        })
        .collect()
}

/// The PCN's weighted population (Carr-Hill) on 1 January: fictional, a little above the
/// registered list as for a PCN with an older population.
pub fn weighted_population(data: &DemoData) -> f64 {
    let registered: i64 = data.practices.iter().map(|p| p.list_size).sum();
    (registered as f64 * 1.037 * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_pcn_has_posts_in_at_least_three_roles() {
        let data = crate::demo_pcn(chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
        let posts = arrs_posts(&data);
        let mut roles: Vec<Role> = posts
            .iter()
            .map(|p| data.staff[p.staff_index].draft.role)
            .collect();
        roles.sort_by_key(|r| r.code());
        roles.dedup();
        assert!(roles.len() >= 3, "{roles:?}");
        assert!(posts.iter().all(|p| p.terms.monthly_salary > 0.0));
    }
}
