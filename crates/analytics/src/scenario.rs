//! What-if scenarios: posts added or removed from a month on, their safe capacity and
//! their yearly cost.
use crate::calendar::Month;
use crate::capacity::{CapacityRules, Contract, hcp_type};
use domain::role::{Role, StaffGroup};
use serde::Serialize;
use std::collections::BTreeMap;

/// Sessions a week in one whole-time equivalent (37.5 hours, 4 h 10 min a session).
pub const SESSIONS_PER_WTE: f64 = 9.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PostChange {
    Add,
    Remove,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Post {
    pub change: PostChange,
    pub role: Role,
    pub wte: f64,
    pub start: Month,
    /// Yearly cost of one WTE, when the manager gives it; otherwise [`yearly_cost_per_wte`].
    pub yearly_cost_per_wte: Option<f64>,
}

/// The fallback ARRS maximum a WTE a year, 2023/24 from 1 July 2023, outside London (NHS
/// England, as reported by The Pharmacist; `../shared/data/nhs/arrs`), for this pure crate
/// where no rate table is at hand. The product's figures come from the versioned rate table
/// (`store::funding::arrs` rates, `app::funding::arrs::rates::what_if_cost_per_wte`); this constant is used
/// only when that table has no rate for the role. Other ARRS roles have no figure here.
pub fn arrs_maximum(role: Role) -> Option<f64> {
    match role {
        Role::ClinicalPharmacist | Role::FirstContactPhysiotherapist => Some(62_340.0),
        Role::CareCoordinator => Some(33_396.0),
        Role::SocialPrescribingLinkWorker | Role::PharmacyTechnician => Some(40_159.0),
        _ => None,
    }
}

/// The fallback indicative yearly cost of one WTE, before employer on-costs, where no rate
/// table is at hand: the role's fallback ARRS maximum ([`arrs_maximum`]) where it has one,
/// otherwise the midpoint of the 2024/25 pay range usually used (BMA salaried GP model
/// contract £73,113–£110,330; Agenda for Change band 6 £37,338–£44,962 for nurses, band 5
/// £29,970–£36,483 for other direct patient care, band 3 £24,071–£25,674 for admin). The
/// app prefers the ARRS rate table (`app::funding::arrs::rates::what_if_cost_per_wte`), and the
/// what-if forms let the manager enter their own figure instead.
pub fn yearly_cost_per_wte(role: Role) -> f64 {
    if let Some(max) = arrs_maximum(role) {
        return max;
    }
    match role.staff_group() {
        StaffGroup::Gp => 91_722.0,
        StaffGroup::Nurses => 41_150.0,
        StaffGroup::DirectPatientCare => 33_227.0,
        StaffGroup::AdminNonClinical => 24_873.0,
    }
}

impl Post {
    pub fn signed_wte(&self) -> f64 {
        match self.change {
            PostChange::Add => self.wte,
            PostChange::Remove => -self.wte,
        }
    }

    /// The change in yearly cost once the post is in place (negative for a removal), at the
    /// fallback cost when none was given; the app prices posts from the rate table instead.
    pub fn yearly_cost(&self) -> f64 {
        self.signed_wte()
            * self
                .yearly_cost_per_wte
                .unwrap_or_else(|| yearly_cost_per_wte(self.role))
    }

    /// Safe appointments the post adds (or removes) in `month`, by HCP type.
    pub fn capacity(&self, rules: &CapacityRules, month: Month) -> BTreeMap<&'static str, f64> {
        if month < self.start || hcp_type(self.role.staff_group()).is_none() {
            return BTreeMap::new();
        }
        let contract = Contract {
            group: self.role.staff_group(),
            clinician: crate::clinicians::ClinicianType::of(self.role),
            sessions_per_week: self.wte * SESSIONS_PER_WTE,
            share: 1.0,
            start: month.first_day(),
            end: None,
            leave: Vec::new(),
        };
        let sign = self.signed_wte().signum();
        rules
            .month(&[contract], month, month.first_day())
            .into_iter()
            .map(|(h, v)| (h, sign * v))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pharmacist_from_june_adds_other_staff_capacity_at_the_arrs_cost() {
        let post = Post {
            change: PostChange::Add,
            role: Role::ClinicalPharmacist,
            wte: 1.0,
            start: Month::new(2023, 6).unwrap(),
            yearly_cost_per_wte: None,
        };
        let rules = CapacityRules::default();
        assert!(
            post.capacity(&rules, Month::new(2023, 5).unwrap())
                .is_empty()
        );
        // June 2023 has 22 working days; 9 sessions a week is 1.8 a day × 12 appointments.
        let june = post.capacity(&rules, Month::new(2023, 6).unwrap());
        assert!((june["Other Practice staff"] - 22.0 * 1.8 * 12.0).abs() < 1e-9);
        assert_eq!(post.yearly_cost(), 62_340.0);
        let gone = Post {
            change: PostChange::Remove,
            role: Role::SalariedGp,
            wte: 0.5,
            yearly_cost_per_wte: Some(80_000.0),
            ..post
        };
        assert_eq!(gone.yearly_cost(), -40_000.0);
        // Half a GP: 0.9 sessions a day × 12 = 10.8 a day, taken away.
        assert!(
            (gone.capacity(&rules, Month::new(2023, 6).unwrap())["GP"] + 22.0 * 10.8).abs() < 1e-9
        );
    }
}
