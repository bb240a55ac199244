//! Training and development: the catalogue of topics a practice or PCN expects, the records
//! people hold, and whether each person is in date.
//!
//! There is no single national mandatory list, so the catalogue is configurable; it starts
//! from [`DEFAULT_TOPICS`], each naming the source its roles and renewal period follow.
use crate::error::{FieldError, FieldErrors, parse_date, parse_required};
use crate::role::{Role, StaffGroup};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A training record expiring within this many days shows as `expiring` in the matrix.
pub const EXPIRING_WITHIN_DAYS: i64 = 60;
/// People are reminded by email when a record expires within this many days.
pub const REMIND_WITHIN_DAYS: i64 = 30;

/// One topic of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicDraft {
    pub name: String,
    /// "Level 1", "Level 3"... or empty.
    pub level: String,
    /// The roles that must hold it; empty means everyone.
    pub roles: Vec<Role>,
    /// Months until it must be renewed; `None` when it never expires.
    pub renewal_months: Option<u32>,
    pub evidence_required: bool,
    /// Where the roles and renewal period come from.
    pub source: String,
}

impl TopicDraft {
    /// The name with its level, as a column heading.
    pub fn title(&self) -> String {
        if self.level.is_empty() {
            self.name.clone()
        } else {
            format!("{} ({})", self.name, self.level)
        }
    }

    pub fn applies_to(&self, role: Role) -> bool {
        self.roles.is_empty() || self.roles.contains(&role)
    }

    /// The roles in words: "Everyone", or the staff groups covered whole and single roles.
    pub fn roles_text(&self) -> String {
        if self.roles.is_empty() {
            return "Everyone".into();
        }
        let mut parts = Vec::new();
        for group in StaffGroup::ALL {
            let in_group: Vec<Role> = Role::ALL
                .iter()
                .copied()
                .filter(|r| r.staff_group() == group)
                .collect();
            let held: Vec<Role> = in_group
                .iter()
                .copied()
                .filter(|r| self.roles.contains(r))
                .collect();
            if held.len() == in_group.len() {
                parts.push(format!("all {}", group.label()));
            } else {
                parts.extend(held.iter().map(|r| r.label().to_string()));
            }
        }
        parts.join(", ")
    }

    /// Roles as stored: codes separated by `;`.
    pub fn roles_code(&self) -> String {
        self.roles
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// Roles stored as codes separated by `;` (empty for everyone).
pub fn roles_from_code(text: &str) -> Result<Vec<Role>, FieldError> {
    text.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(Role::parse)
        .collect()
}

/// The topic form as sent by a manager. `roles` holds role codes (checkboxes); `everyone`
/// is `yes` when the topic applies to all staff.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicForm {
    pub name: String,
    pub level: String,
    pub everyone: String,
    pub roles: Vec<String>,
    pub renewal_months: String,
    pub evidence_required: String,
    pub source: String,
}

impl TopicForm {
    pub fn from_draft(draft: &TopicDraft) -> TopicForm {
        TopicForm {
            name: draft.name.clone(),
            level: draft.level.clone(),
            everyone: if draft.roles.is_empty() {
                "yes".into()
            } else {
                String::new()
            },
            roles: draft.roles.iter().map(|r| r.code().to_string()).collect(),
            renewal_months: draft
                .renewal_months
                .map(|m| m.to_string())
                .unwrap_or_default(),
            evidence_required: if draft.evidence_required {
                "yes".into()
            } else {
                String::new()
            },
            source: draft.source.clone(),
        }
    }

    pub fn parse(&self) -> Result<TopicDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take(parse_required("name", "the topic's name", &self.name, 120));
        let level = self.level.trim().to_string();
        if level.chars().count() > 40 {
            errors.push(FieldError::new(
                "level",
                "Level must be 40 characters or fewer",
            ));
        }
        let everyone = self.everyone == "yes";
        let mut roles = Vec::new();
        if !everyone {
            for code in &self.roles {
                if let Some(role) = errors.take(Role::parse(code).map_err(|e| FieldError {
                    field: "roles",
                    message: e.message,
                })) {
                    roles.push(role);
                }
            }
            if roles.is_empty() && errors.message_for("roles").is_none() {
                errors.push(FieldError::new(
                    "roles",
                    "Choose the roles that need this training, or everyone",
                ));
            }
        }
        roles.sort();
        roles.dedup();
        let renewal = self.renewal_months.trim();
        let renewal_months = if renewal.is_empty() {
            None
        } else {
            match renewal.parse::<u32>() {
                Ok(m) if (1..=120).contains(&m) => Some(m),
                _ => {
                    errors.push(FieldError::new(
                        "renewal_months",
                        "Renewal must be a whole number of months from 1 to 120, or empty if it never expires",
                    ));
                    None
                }
            }
        };
        let source = self.source.trim().to_string();
        if source.chars().count() > 500 {
            errors.push(FieldError::new(
                "source",
                "Source must be 500 characters or fewer",
            ));
        }
        errors.into_result()?;
        Ok(TopicDraft {
            name: name.unwrap_or_default(),
            level,
            roles,
            renewal_months,
            evidence_required: self.evidence_required == "yes",
            source,
        })
    }
}

/// Where a person stands on one topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplianceStatus {
    InDate,
    Expiring,
    Expired,
    Missing,
    NotRequired,
}

impl ComplianceStatus {
    pub const ALL: [ComplianceStatus; 5] = [
        ComplianceStatus::InDate,
        ComplianceStatus::Expiring,
        ComplianceStatus::Expired,
        ComplianceStatus::Missing,
        ComplianceStatus::NotRequired,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ComplianceStatus::InDate => "in_date",
            ComplianceStatus::Expiring => "expiring",
            ComplianceStatus::Expired => "expired",
            ComplianceStatus::Missing => "missing",
            ComplianceStatus::NotRequired => "not_required",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ComplianceStatus::InDate => "In date",
            ComplianceStatus::Expiring => "Expiring soon",
            ComplianceStatus::Expired => "Expired",
            ComplianceStatus::Missing => "Missing",
            ComplianceStatus::NotRequired => "Not required",
        }
    }

    pub fn parse(text: &str) -> Option<ComplianceStatus> {
        ComplianceStatus::ALL.into_iter().find(|s| s.code() == text)
    }
}

/// The day a record completed on `completed` stops being valid.
pub fn expires_on(completed: NaiveDate, renewal_months: Option<u32>) -> Option<NaiveDate> {
    renewal_months.and_then(|m| completed.checked_add_months(Months::new(m)))
}

/// A person's status on a topic, from the latest completion they hold (if any).
/// A record is valid up to the day before it expires; it is `expiring` when that day is
/// within [`EXPIRING_WITHIN_DAYS`].
pub fn status(
    topic: &TopicDraft,
    role: Role,
    latest_completed: Option<NaiveDate>,
    today: NaiveDate,
) -> (ComplianceStatus, Option<NaiveDate>) {
    status_of_record(topic, role, latest_completed.map(|c| (c, None)), today)
}

/// As [`status`], for a record that may carry its own expiry date (a certificate that
/// states one), which then wins over the topic's renewal period.
pub fn status_of_record(
    topic: &TopicDraft,
    role: Role,
    latest: Option<(NaiveDate, Option<NaiveDate>)>,
    today: NaiveDate,
) -> (ComplianceStatus, Option<NaiveDate>) {
    if !topic.applies_to(role) {
        return (ComplianceStatus::NotRequired, None);
    }
    let Some((completed, stated)) = latest else {
        return (ComplianceStatus::Missing, None);
    };
    match stated.or_else(|| expires_on(completed, topic.renewal_months)) {
        None => (ComplianceStatus::InDate, None),
        Some(expiry) if expiry <= today => (ComplianceStatus::Expired, Some(expiry)),
        Some(expiry) if (expiry - today).num_days() <= EXPIRING_WITHIN_DAYS => {
            (ComplianceStatus::Expiring, Some(expiry))
        }
        Some(expiry) => (ComplianceStatus::InDate, Some(expiry)),
    }
}

/// A training record as sent by a person or their manager.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordForm {
    pub topic_id: String,
    pub completed_on: String,
    pub provider: String,
    pub hours: String,
    /// The expiry the certificate states, if it states one (optional).
    pub expires_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordDraft {
    pub topic_id: String,
    pub completed_on: NaiveDate,
    pub provider: String,
    pub hours: f64,
    /// The expiry the certificate states; `None` to compute it from the topic.
    #[serde(default)]
    pub expires_on: Option<NaiveDate>,
}

impl RecordForm {
    /// Checks the form; a completion date in the future is refused.
    pub fn parse(&self, today: NaiveDate) -> Result<RecordDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.topic_id.trim().is_empty() {
            errors.push(FieldError::new("topic_id", "Choose the training topic"));
        }
        let completed_on = if self.completed_on.trim().is_empty() {
            errors.push(FieldError::new(
                "completed_on",
                "Enter the date the training was completed",
            ));
            None
        } else {
            errors.take(
                parse_date("completed_on", &self.completed_on).and_then(|d| {
                    if d > today {
                        Err(FieldError::new(
                            "completed_on",
                            "The completion date must be today or in the past",
                        ))
                    } else {
                        Ok(d)
                    }
                }),
            )
        };
        let provider = errors.take(parse_required(
            "provider",
            "who provided the training",
            &self.provider,
            200,
        ));
        let hours_text = self.hours.trim();
        let hours = if hours_text.is_empty() {
            Some(0.0)
        } else {
            match hours_text.parse::<f64>() {
                Ok(h) if h.is_finite() && (0.0..=200.0).contains(&h) => Some(h),
                _ => {
                    errors.push(FieldError::new(
                        "hours",
                        "Hours must be a number from 0 to 200",
                    ));
                    None
                }
            }
        };
        let expires = errors.take(crate::error::parse_optional_date(
            "expires_on",
            &self.expires_on,
        ));
        if let (Some(Some(expiry)), Some(done)) = (expires, completed_on)
            && expiry <= done
        {
            errors.push(FieldError::new(
                "expires_on",
                "The expiry date must be after the completion date",
            ));
        }
        errors.into_result()?;
        Ok(RecordDraft {
            topic_id: self.topic_id.trim().to_string(),
            completed_on: completed_on.unwrap_or(today),
            provider: provider.unwrap_or_default(),
            hours: hours.unwrap_or(0.0),
            expires_on: expires.flatten(),
        })
    }
}

/// One topic of the default catalogue, with a stable key so seeding twice is harmless.
#[derive(Debug, Clone, Copy)]
pub struct DefaultTopic {
    pub key: &'static str,
    pub name: &'static str,
    pub level: &'static str,
    /// `None` for everyone, else the staff groups (whole) and extra single roles.
    pub groups: Option<&'static [StaffGroup]>,
    pub extra_roles: &'static [Role],
    /// Roles of those groups left out (they hold another level).
    pub except_roles: &'static [Role],
    pub renewal_months: Option<u32>,
    pub evidence_required: bool,
    pub source: &'static str,
}

impl DefaultTopic {
    pub fn draft(&self) -> TopicDraft {
        let roles = match self.groups {
            None => Vec::new(),
            Some(groups) => {
                let mut roles: Vec<Role> = Role::ALL
                    .iter()
                    .copied()
                    .filter(|r| groups.contains(&r.staff_group()))
                    .filter(|r| !self.except_roles.contains(r))
                    .chain(self.extra_roles.iter().copied())
                    .collect();
                roles.sort();
                roles.dedup();
                roles
            }
        };
        TopicDraft {
            name: self.name.into(),
            level: self.level.into(),
            roles,
            renewal_months: self.renewal_months,
            evidence_required: self.evidence_required,
            source: self.source.into(),
        }
    }
}

/// Direct-patient-care roles who assess and plan care on their own and so train to level 3
/// in safeguarding, like GPs and nurses.
const LEVEL_3_DPC: &[Role] = &[
    Role::AdvancedPractitioner,
    Role::Paramedic,
    Role::PhysicianAssociate,
];

const CLINICAL: &[StaffGroup] = &[
    StaffGroup::Gp,
    StaffGroup::Nurses,
    StaffGroup::DirectPatientCare,
];
const NON_CLINICAL: &[StaffGroup] = &[StaffGroup::AdminNonClinical];
const GP_AND_NURSES: &[StaffGroup] = &[StaffGroup::Gp, StaffGroup::Nurses];
const DPC: &[StaffGroup] = &[StaffGroup::DirectPatientCare];

const CHILDREN: &str = "Intercollegiate document 'Safeguarding children and young people: roles and competencies for healthcare staff' (RCPCH and partners, 2019): level 1 for all staff, level 2 for staff in contact with patients, level 3 for GPs, practice nurses and clinicians who assess and plan care; refresh at least every 3 years.";
const ADULTS: &str = "Intercollegiate document 'Adult safeguarding: roles and competencies for health care staff' (RCN and partners, 2018): levels by role as for children; refresh at least every 3 years.";
const CSTF: &str = "Skills for Health, Core Skills Training Framework (CSTF), subject guide: recommended refresher period.";

/// The sourced starting catalogue. Roles and periods are defaults a practice may change.
pub const DEFAULT_TOPICS: &[DefaultTopic] = &[
    DefaultTopic {
        key: "safeguarding_children_1",
        name: "Safeguarding children",
        level: "Level 1",
        groups: Some(NON_CLINICAL),
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: false,
        source: CHILDREN,
    },
    DefaultTopic {
        key: "safeguarding_children_2",
        name: "Safeguarding children",
        level: "Level 2",
        groups: Some(DPC),
        extra_roles: &[],
        except_roles: LEVEL_3_DPC,
        renewal_months: Some(36),
        evidence_required: false,
        source: CHILDREN,
    },
    DefaultTopic {
        key: "safeguarding_children_3",
        name: "Safeguarding children",
        level: "Level 3",
        groups: Some(GP_AND_NURSES),
        extra_roles: LEVEL_3_DPC,
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: true,
        source: CHILDREN,
    },
    DefaultTopic {
        key: "safeguarding_adults_1",
        name: "Safeguarding adults",
        level: "Level 1",
        groups: Some(NON_CLINICAL),
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: false,
        source: ADULTS,
    },
    DefaultTopic {
        key: "safeguarding_adults_2",
        name: "Safeguarding adults",
        level: "Level 2",
        groups: Some(DPC),
        extra_roles: &[],
        except_roles: LEVEL_3_DPC,
        renewal_months: Some(36),
        evidence_required: false,
        source: ADULTS,
    },
    DefaultTopic {
        key: "safeguarding_adults_3",
        name: "Safeguarding adults",
        level: "Level 3",
        groups: Some(GP_AND_NURSES),
        extra_roles: LEVEL_3_DPC,
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: true,
        source: ADULTS,
    },
    DefaultTopic {
        key: "basic_life_support_clinical",
        name: "Basic life support and anaphylaxis",
        level: "Clinical",
        groups: Some(CLINICAL),
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(12),
        evidence_required: true,
        source: "Resuscitation Council UK, 'Quality standards: primary care': clinical staff update their resuscitation skills every year.",
    },
    DefaultTopic {
        key: "basic_life_support_non_clinical",
        name: "Basic life support",
        level: "Non-clinical",
        groups: Some(NON_CLINICAL),
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(12),
        evidence_required: false,
        source: "Resuscitation Council UK, 'Quality standards: primary care': all staff trained in recognising cardiorespiratory arrest and starting CPR, with regular updates (default here: yearly).",
    },
    DefaultTopic {
        key: "fire_safety",
        name: "Fire safety",
        level: "",
        groups: None,
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(12),
        evidence_required: false,
        source: "Regulatory Reform (Fire Safety) Order 2005 (staff must be given adequate safety training, repeated periodically) and CSTF subject 'Fire safety'; default here: yearly, as most practice fire policies set.",
    },
    DefaultTopic {
        key: "infection_control_1",
        name: "Infection prevention and control",
        level: "Level 1",
        groups: Some(NON_CLINICAL),
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: false,
        source: CSTF,
    },
    DefaultTopic {
        key: "infection_control_2",
        name: "Infection prevention and control",
        level: "Level 2",
        groups: Some(CLINICAL),
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(12),
        evidence_required: false,
        source: CSTF,
    },
    DefaultTopic {
        key: "information_governance",
        name: "Data security awareness (information governance)",
        level: "Level 1",
        groups: None,
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(12),
        evidence_required: false,
        source: "NHS England Data Security and Protection Toolkit: every member of staff completes data security awareness training each year; CSTF subject 'Data security awareness'.",
    },
    DefaultTopic {
        key: "equality_diversity",
        name: "Equality, diversity and human rights",
        level: "",
        groups: None,
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: false,
        source: CSTF,
    },
    DefaultTopic {
        key: "health_safety",
        name: "Health, safety and welfare",
        level: "",
        groups: None,
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: false,
        source: CSTF,
    },
    DefaultTopic {
        key: "conflict_resolution",
        name: "Conflict resolution",
        level: "",
        groups: None,
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: false,
        source: CSTF,
    },
    DefaultTopic {
        key: "moving_handling",
        name: "Moving and handling",
        level: "Level 1",
        groups: None,
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: false,
        source: CSTF,
    },
    DefaultTopic {
        key: "prevent",
        name: "Preventing radicalisation (Prevent)",
        level: "",
        groups: None,
        extra_roles: &[],
        except_roles: &[],
        renewal_months: Some(36),
        evidence_required: false,
        source: "NHS England 'Prevent training and competencies framework' and CSTF subject 'Preventing radicalisation': refresh every 3 years.",
    },
    DefaultTopic {
        key: "immunisation_update",
        name: "Immunisation and vaccination update",
        level: "",
        groups: Some(&[StaffGroup::Nurses]),
        extra_roles: &[Role::HealthcareAssistant, Role::NursingAssociate],
        except_roles: &[],
        renewal_months: Some(12),
        evidence_required: true,
        source: "UKHSA 'National minimum standards and core curriculum for immunisation training' (2018): immunisers attend an update at least every year.",
    },
];

#[cfg(test)]
#[path = "training_tests.rs"]
mod tests;
