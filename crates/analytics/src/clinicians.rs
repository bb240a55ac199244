//! The clinician types a practice team has, and the national appointment category each is
//! counted under.
//!
//! NHS England's *Appointments in General Practice* counts appointments by HCP type: `GP`,
//! `Other Practice staff` and `Unknown`. A practice's team is richer than that, so gpteam
//! shows five types — GP, nurse, pharmacist, other direct patient care and admin — and maps
//! each to the national category its appointments fall in: GPs to `GP`; nurses, the pharmacy
//! team and other direct patient care together to `Other Practice staff`; admin and
//! non-clinical staff to none (they give no appointments, though they staff the phones and
//! the front desk). Demand is known only at the national categories' grain, so the three
//! types under `Other Practice staff` meet that demand together.
use domain::role::{Role, StaffGroup};
use serde::Serialize;

/// GPAD's HCP types that a team's staff groups supply.
pub const GP: &str = "GP";
pub const OTHER_STAFF: &str = "Other Practice staff";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClinicianType {
    Gp,
    Nurse,
    Pharmacist,
    OtherDirectPatientCare,
    Admin,
}

impl ClinicianType {
    pub const ALL: [ClinicianType; 5] = [
        ClinicianType::Gp,
        ClinicianType::Nurse,
        ClinicianType::Pharmacist,
        ClinicianType::OtherDirectPatientCare,
        ClinicianType::Admin,
    ];

    /// The type of a role: its staff group, with the pharmacy team (clinical pharmacists
    /// and pharmacy technicians) taken out of direct patient care.
    pub fn of(role: Role) -> ClinicianType {
        match role {
            Role::ClinicalPharmacist | Role::PharmacyTechnician => ClinicianType::Pharmacist,
            _ => match role.staff_group() {
                StaffGroup::Gp => ClinicianType::Gp,
                StaffGroup::Nurses => ClinicianType::Nurse,
                StaffGroup::DirectPatientCare => ClinicianType::OtherDirectPatientCare,
                StaffGroup::AdminNonClinical => ClinicianType::Admin,
            },
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClinicianType::Gp => "GP",
            ClinicianType::Nurse => "Nurse",
            ClinicianType::Pharmacist => "Pharmacist",
            ClinicianType::OtherDirectPatientCare => "Other direct patient care",
            ClinicianType::Admin => "Admin and non-clinical",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            ClinicianType::Gp => "gp",
            ClinicianType::Nurse => "nurse",
            ClinicianType::Pharmacist => "pharmacist",
            ClinicianType::OtherDirectPatientCare => "other_direct_patient_care",
            ClinicianType::Admin => "admin",
        }
    }

    /// The national HCP type its appointments are counted under; none for admin.
    pub fn hcp_type(self) -> Option<&'static str> {
        match self {
            ClinicianType::Gp => Some(GP),
            ClinicianType::Nurse
            | ClinicianType::Pharmacist
            | ClinicianType::OtherDirectPatientCare => Some(OTHER_STAFF),
            ClinicianType::Admin => None,
        }
    }

    /// The types counted under a national HCP type (`GP`, `Other Practice staff`).
    pub fn under(hcp_type: &str) -> Vec<ClinicianType> {
        ClinicianType::ALL
            .into_iter()
            .filter(|t| t.hcp_type() == Some(hcp_type))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_a_type_and_the_types_map_to_the_national_categories() {
        assert_eq!(ClinicianType::of(Role::GpRegistrar), ClinicianType::Gp);
        assert_eq!(
            ClinicianType::of(Role::AdvancedNursePractitioner),
            ClinicianType::Nurse
        );
        assert_eq!(
            ClinicianType::of(Role::PharmacyTechnician),
            ClinicianType::Pharmacist
        );
        assert_eq!(
            ClinicianType::of(Role::Paramedic),
            ClinicianType::OtherDirectPatientCare
        );
        assert_eq!(ClinicianType::of(Role::Receptionist), ClinicianType::Admin);
        // Every clinical role's appointments land in a national category; no admin role's do.
        for role in Role::ALL {
            let t = ClinicianType::of(*role);
            assert_eq!(
                t.hcp_type().is_some(),
                role.staff_group() != StaffGroup::AdminNonClinical,
                "{role:?}"
            );
        }
        assert_eq!(
            ClinicianType::under(OTHER_STAFF),
            [
                ClinicianType::Nurse,
                ClinicianType::Pharmacist,
                ClinicianType::OtherDirectPatientCare
            ]
        );
        assert_eq!(ClinicianType::under("Unknown"), []);
    }
}
