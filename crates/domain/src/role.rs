//! Roles of the national general-practice workforce taxonomy and the staff group each
//! belongs to (GP, Nurses, Direct Patient Care, Admin/Non-clinical).
use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The four staff groups of the NHS England general-practice workforce statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffGroup {
    Gp,
    Nurses,
    DirectPatientCare,
    AdminNonClinical,
}

impl StaffGroup {
    pub const ALL: [StaffGroup; 4] = [
        StaffGroup::Gp,
        StaffGroup::Nurses,
        StaffGroup::DirectPatientCare,
        StaffGroup::AdminNonClinical,
    ];

    pub fn label(self) -> &'static str {
        match self {
            StaffGroup::Gp => "GP",
            StaffGroup::Nurses => "Nurses",
            StaffGroup::DirectPatientCare => "Direct Patient Care",
            StaffGroup::AdminNonClinical => "Admin/Non-clinical",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            StaffGroup::Gp => "gp",
            StaffGroup::Nurses => "nurses",
            StaffGroup::DirectPatientCare => "direct_patient_care",
            StaffGroup::AdminNonClinical => "admin_non_clinical",
        }
    }

    pub fn parse(text: &str) -> Option<StaffGroup> {
        StaffGroup::ALL
            .into_iter()
            .find(|g| g.code() == text || g.label().eq_ignore_ascii_case(text))
    }
}

macro_rules! roles {
    ($($variant:ident = $code:literal, $label:literal, $group:ident, $arrs:literal;)*) => {
        /// A role in the national workforce taxonomy. `arrs` marks the roles the Additional
        /// Roles Reimbursement Scheme can fund when the PCN employs them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Role {
            $($variant,)*
        }

        impl Role {
            pub const ALL: &'static [Role] = &[$(Role::$variant,)*];

            /// The stable machine name used in files, the database and the API.
            pub fn code(self) -> &'static str {
                match self { $(Role::$variant => $code,)* }
            }

            pub fn label(self) -> &'static str {
                match self { $(Role::$variant => $label,)* }
            }

            pub fn staff_group(self) -> StaffGroup {
                match self { $(Role::$variant => StaffGroup::$group,)* }
            }

            /// Whether the role is one of the ARRS roles.
            pub fn is_arrs(self) -> bool {
                match self { $(Role::$variant => $arrs,)* }
            }
        }
    };
}

roles! {
    GpPartner = "gp_partner", "GP partner", Gp, false;
    SalariedGp = "salaried_gp", "Salaried GP", Gp, false;
    LocumGp = "locum_gp", "Locum GP", Gp, false;
    GpRegistrar = "gp_registrar", "GP registrar", Gp, false;
    AdvancedNursePractitioner = "advanced_nurse_practitioner", "Advanced nurse practitioner", Nurses, false;
    PracticeNurse = "practice_nurse", "Practice nurse", Nurses, false;
    NursingAssociate = "nursing_associate", "Nursing associate", DirectPatientCare, true;
    HealthcareAssistant = "healthcare_assistant", "Healthcare assistant", DirectPatientCare, false;
    Phlebotomist = "phlebotomist", "Phlebotomist", DirectPatientCare, false;
    ClinicalPharmacist = "clinical_pharmacist", "Clinical pharmacist", DirectPatientCare, true;
    PharmacyTechnician = "pharmacy_technician", "Pharmacy technician", DirectPatientCare, true;
    FirstContactPhysiotherapist = "first_contact_physiotherapist", "First-contact physiotherapist", DirectPatientCare, true;
    Paramedic = "paramedic", "Paramedic", DirectPatientCare, true;
    PhysicianAssociate = "physician_associate", "Physician associate", DirectPatientCare, true;
    MentalHealthPractitioner = "mental_health_practitioner", "Mental health practitioner", DirectPatientCare, true;
    SocialPrescribingLinkWorker = "social_prescribing_link_worker", "Social prescribing link worker", DirectPatientCare, true;
    CareCoordinator = "care_coordinator", "Care coordinator", DirectPatientCare, true;
    HealthAndWellbeingCoach = "health_and_wellbeing_coach", "Health and wellbeing coach", DirectPatientCare, true;
    Dietitian = "dietitian", "Dietitian", DirectPatientCare, true;
    Podiatrist = "podiatrist", "Podiatrist", DirectPatientCare, true;
    OccupationalTherapist = "occupational_therapist", "Occupational therapist", DirectPatientCare, true;
    AdvancedPractitioner = "advanced_practitioner", "Advanced practitioner", DirectPatientCare, true;
    GpAssistant = "gp_assistant", "GP assistant", DirectPatientCare, true;
    DigitalTransformationLead = "digital_transformation_lead", "Digital and transformation lead", AdminNonClinical, true;
    PracticeManager = "practice_manager", "Practice manager", AdminNonClinical, false;
    DeputyPracticeManager = "deputy_practice_manager", "Deputy practice manager", AdminNonClinical, false;
    AssistantPracticeManager = "assistant_practice_manager", "Assistant practice manager", AdminNonClinical, false;
    PcnManager = "pcn_manager", "PCN manager", AdminNonClinical, false;
    Receptionist = "receptionist", "Receptionist / care navigator", AdminNonClinical, false;
    Administrator = "administrator", "Administrator", AdminNonClinical, false;
    MedicalSecretary = "medical_secretary", "Medical secretary", AdminNonClinical, false;
    DataIt = "data_it", "Data and IT", AdminNonClinical, false;
    Estates = "estates", "Estates and facilities", AdminNonClinical, false;
}

impl Role {
    /// Accepts the machine code (`clinical_pharmacist`) or the label ("Clinical
    /// pharmacist"), in any case and with any spacing or punctuation between the words
    /// ("clinical  pharmacist", "Clinical-Pharmacist").
    pub fn parse(text: &str) -> Result<Role, FieldError> {
        let wanted = text.trim();
        let key = role_key(wanted);
        Role::ALL
            .iter()
            .copied()
            .find(|r| role_key(r.code()) == key || role_key(r.label()) == key)
            .ok_or_else(|| {
                if wanted.is_empty() {
                    FieldError::new("role", "Choose a role")
                } else {
                    FieldError::new(
                        "role",
                        format!("'{wanted}' is not a role in the national workforce taxonomy"),
                    )
                }
            })
    }

    /// Every role's label, in the register's order, for messages and templates.
    pub fn labels() -> Vec<&'static str> {
        Role::ALL.iter().map(|r| r.label()).collect()
    }

    /// Clinical roles see patients and need a consulting or treatment room.
    pub fn is_clinical(self) -> bool {
        self.staff_group() != StaffGroup::AdminNonClinical
    }
}

/// A role's words compared without case, spacing or punctuation: "Receptionist / care
/// navigator" and "receptionist care navigator" match, as do `salaried_gp` and "Salaried GP".
fn role_key(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_labels_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()).unwrap(), *role);
            assert_eq!(Role::parse(&role.label().to_uppercase()).unwrap(), *role);
        }
    }

    #[test]
    fn staff_group_follows_role() {
        assert_eq!(Role::SalariedGp.staff_group(), StaffGroup::Gp);
        assert_eq!(
            Role::ClinicalPharmacist.staff_group(),
            StaffGroup::DirectPatientCare
        );
        assert!(Role::ClinicalPharmacist.is_arrs());
        assert!(!Role::Receptionist.is_arrs());
        assert_eq!(
            Role::Receptionist.staff_group(),
            StaffGroup::AdminNonClinical
        );
    }

    #[test]
    fn labels_are_read_in_any_case_and_spacing() {
        for text in [
            "Clinical pharmacist",
            "clinical pharmacist",
            "  CLINICAL   PHARMACIST ",
            "Clinical-Pharmacist",
            "clinical_pharmacist",
        ] {
            assert_eq!(
                Role::parse(text).unwrap(),
                Role::ClinicalPharmacist,
                "{text:?}"
            );
        }
        assert_eq!(
            Role::parse("receptionist care navigator").unwrap(),
            Role::Receptionist
        );
        assert_eq!(
            Role::parse("first contact physiotherapist").unwrap(),
            Role::FirstContactPhysiotherapist
        );
        assert!(Role::parse("pharmacist").is_err());
        assert_eq!(Role::labels().len(), Role::ALL.len());
    }

    #[test]
    fn unknown_roles_are_named() {
        let err = Role::parse("wizard").unwrap_err();
        assert_eq!(err.field, "role");
        assert!(err.message.contains("wizard"));
    }
}
