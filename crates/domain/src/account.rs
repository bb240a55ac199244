//! Accounts: the five kinds of user and the organisation each one belongs to.
use serde::{Deserialize, Serialize};

/// What a user is, which decides what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    /// Runs the deployment: organisations, reference data (ODS, list sizes, appointments)
    /// and every account. Reaches every organisation.
    SystemAdmin,
    /// Manages the PCN: every member practice and the PCN-employed team.
    PcnManager,
    /// Owns one practice's data.
    PracticeManager,
    /// Any member of staff: own details, rota and leave.
    Staff,
    /// Reads aggregated figures for a system (ICS); never personal data.
    IcsViewer,
}

impl UserRole {
    pub const ALL: [UserRole; 5] = [
        UserRole::SystemAdmin,
        UserRole::PcnManager,
        UserRole::PracticeManager,
        UserRole::Staff,
        UserRole::IcsViewer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UserRole::SystemAdmin => "system_admin",
            UserRole::PcnManager => "pcn_manager",
            UserRole::PracticeManager => "practice_manager",
            UserRole::Staff => "staff",
            UserRole::IcsViewer => "ics_viewer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UserRole::SystemAdmin => "System administrator",
            UserRole::PcnManager => "PCN manager",
            UserRole::PracticeManager => "Practice manager",
            UserRole::Staff => "Staff",
            UserRole::IcsViewer => "ICS viewer",
        }
    }

    pub fn parse(text: &str) -> Option<UserRole> {
        UserRole::ALL.into_iter().find(|r| r.code() == text)
    }
}
