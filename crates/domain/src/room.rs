//! Sites and rooms, and what each room can be used for.
use crate::error::{FieldError, FieldErrors, parse_required};
use crate::role::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomCapability {
    Consulting,
    Treatment,
    Phlebotomy,
    Accessible,
    DeskOnly,
}

impl RoomCapability {
    pub const ALL: [RoomCapability; 5] = [
        RoomCapability::Consulting,
        RoomCapability::Treatment,
        RoomCapability::Phlebotomy,
        RoomCapability::Accessible,
        RoomCapability::DeskOnly,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RoomCapability::Consulting => "consulting",
            RoomCapability::Treatment => "treatment",
            RoomCapability::Phlebotomy => "phlebotomy",
            RoomCapability::Accessible => "accessible",
            RoomCapability::DeskOnly => "desk_only",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoomCapability::Consulting => "Consulting",
            RoomCapability::Treatment => "Treatment",
            RoomCapability::Phlebotomy => "Phlebotomy",
            RoomCapability::Accessible => "Accessible",
            RoomCapability::DeskOnly => "Desk only",
        }
    }

    pub fn parse(text: &str) -> Result<RoomCapability, FieldError> {
        RoomCapability::ALL
            .into_iter()
            .find(|c| {
                c.code().eq_ignore_ascii_case(text.trim())
                    || c.label().eq_ignore_ascii_case(text.trim())
            })
            .ok_or_else(|| {
                FieldError::new(
                    "capabilities",
                    format!("'{}' is not a room capability", text.trim()),
                )
            })
    }
}

/// A site of a practice (a surgery building).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteForm {
    pub name: String,
    pub address: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteDraft {
    pub name: String,
    pub address: String,
}

impl SiteForm {
    pub fn parse(&self) -> Result<SiteDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take(parse_required("name", "the site's name", &self.name, 120));
        if self.address.trim().chars().count() > 300 {
            errors.push(FieldError::new(
                "address",
                "The address must be 300 characters or fewer",
            ));
        }
        errors.into_result()?;
        Ok(SiteDraft {
            name: name.expect("checked"),
            address: self.address.trim().to_string(),
        })
    }
}

/// A room as typed: name and the capabilities ticked.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RoomForm {
    pub name: String,
    pub capabilities: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomDraft {
    pub name: String,
    pub capabilities: Vec<RoomCapability>,
}

impl RoomForm {
    pub fn parse(&self) -> Result<RoomDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take(parse_required("name", "the room's name", &self.name, 80));
        let mut capabilities = Vec::new();
        for text in &self.capabilities {
            if let Some(c) = errors.take(RoomCapability::parse(text)) {
                capabilities.push(c);
            }
        }
        capabilities.sort();
        capabilities.dedup();
        if capabilities.is_empty() && errors.message_for("capabilities").is_none() {
            errors.push(FieldError::new(
                "capabilities",
                "Choose at least one thing the room can be used for",
            ));
        }
        errors.into_result()?;
        Ok(RoomDraft {
            name: name.expect("checked"),
            capabilities,
        })
    }
}

/// Stores capabilities as a `;`-separated list of codes.
pub fn capabilities_to_text(capabilities: &[RoomCapability]) -> String {
    capabilities
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(";")
}

/// Reads the stored list back; unknown codes are dropped.
pub fn capabilities_from_text(text: &str) -> Vec<RoomCapability> {
    text.split(';')
        .filter_map(|c| RoomCapability::parse(c).ok())
        .collect()
}

/// The room a clinician needs for a session; admin and non-clinical staff need none.
/// Roles that work by phone or at a desk (care coordinators, social prescribers, health and
/// wellbeing coaches, pharmacy technicians, GP assistants) need no clinical room.
pub fn room_need(role: Role) -> Option<RoomCapability> {
    match role {
        Role::PracticeNurse | Role::NursingAssociate | Role::HealthcareAssistant => {
            Some(RoomCapability::Treatment)
        }
        Role::Phlebotomist => Some(RoomCapability::Phlebotomy),
        Role::CareCoordinator
        | Role::SocialPrescribingLinkWorker
        | Role::HealthAndWellbeingCoach
        | Role::PharmacyTechnician
        | Role::GpAssistant => None,
        r if r.is_clinical() => Some(RoomCapability::Consulting),
        _ => None,
    }
}
