//! Development beyond training: a person's CPD log, their appraisal and revalidation dates,
//! coaching programmes (sessions, attendance, the coachee's own notes) and a manager's
//! development plan of goals.
use crate::error::{FieldError, FieldErrors, parse_date, parse_optional_date, parse_required};
use crate::role::{Role, StaffGroup};
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

/// People are reminded by email when an appraisal or revalidation is due within this many days.
pub const REMIND_WITHIN_DAYS: i64 = 30;

/// Whether the role revalidates with a professional regulator gpteam tracks: GPs (GMC) and
/// registered nurses (NMC).
pub fn revalidates(role: Role) -> bool {
    matches!(role.staff_group(), StaffGroup::Gp | StaffGroup::Nurses)
}

fn parse_hours(field: &'static str, text: &str) -> Result<f64, FieldError> {
    match text.trim().parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 && h <= 200.0 => Ok(h),
        _ => Err(FieldError::new(
            field,
            "Hours must be a number more than 0 and at most 200",
        )),
    }
}

fn parse_optional_text(
    field: &'static str,
    label: &str,
    text: &str,
    max: usize,
) -> Result<String, FieldError> {
    let text = text.trim();
    if text.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("{label} must be {max} characters or fewer"),
        ));
    }
    Ok(text.to_string())
}

/// One CPD activity as the person sends it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CpdForm {
    pub done_on: String,
    pub activity: String,
    pub hours: String,
    pub reflection: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpdDraft {
    pub done_on: NaiveDate,
    pub activity: String,
    pub hours: f64,
    pub reflection: String,
}

impl CpdForm {
    /// Checks the form; an activity in the future is refused.
    pub fn parse(&self, today: NaiveDate) -> Result<CpdDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let done_on = if self.done_on.trim().is_empty() {
            errors.push(FieldError::new("done_on", "Enter the date of the activity"));
            None
        } else {
            errors.take(parse_date("done_on", &self.done_on).and_then(|d| {
                if d > today {
                    Err(FieldError::new(
                        "done_on",
                        "The date must be today or in the past",
                    ))
                } else {
                    Ok(d)
                }
            }))
        };
        let activity = errors.take(parse_required(
            "activity",
            "the activity",
            &self.activity,
            200,
        ));
        let hours = errors.take(parse_hours("hours", &self.hours));
        let reflection = errors.take(parse_optional_text(
            "reflection",
            "Reflection",
            &self.reflection,
            4000,
        ));
        errors.into_result()?;
        Ok(CpdDraft {
            done_on: done_on.unwrap_or(today),
            activity: activity.unwrap_or_default(),
            hours: hours.unwrap_or(0.0),
            reflection: reflection.unwrap_or_default(),
        })
    }
}

/// A person's next appraisal and revalidation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfessionalDates {
    pub appraisal_due: Option<NaiveDate>,
    pub revalidation_due: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DatesForm {
    pub appraisal_due: String,
    pub revalidation_due: String,
}

impl DatesForm {
    pub fn from_dates(dates: &ProfessionalDates) -> DatesForm {
        let text = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        DatesForm {
            appraisal_due: text(dates.appraisal_due),
            revalidation_due: text(dates.revalidation_due),
        }
    }

    /// Either date may be empty; a revalidation date is refused for a role that does not
    /// revalidate.
    pub fn parse(&self, role: Role) -> Result<ProfessionalDates, FieldErrors> {
        let mut errors = FieldErrors::default();
        let appraisal_due = errors
            .take(parse_optional_date("appraisal_due", &self.appraisal_due))
            .flatten();
        let revalidation_due = errors
            .take(parse_optional_date(
                "revalidation_due",
                &self.revalidation_due,
            ))
            .flatten();
        if revalidation_due.is_some() && !revalidates(role) {
            errors.push(FieldError::new(
                "revalidation_due",
                "Only GPs and nurses revalidate: leave the revalidation date empty",
            ));
        }
        errors.into_result()?;
        Ok(ProfessionalDates {
            appraisal_due,
            revalidation_due,
        })
    }
}

/// A coaching programme a PCN offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeDraft {
    pub name: String,
    pub description: String,
    pub sessions: u32,
    pub minutes_per_session: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProgrammeForm {
    pub name: String,
    pub description: String,
    pub sessions: String,
    pub minutes_per_session: String,
}

fn parse_count(
    field: &'static str,
    text: &str,
    range: std::ops::RangeInclusive<u32>,
    message: &str,
) -> Result<u32, FieldError> {
    match text.trim().parse::<u32>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(FieldError::new(field, message)),
    }
}

impl ProgrammeForm {
    pub fn parse(&self) -> Result<ProgrammeDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take(parse_required(
            "name",
            "the programme's name",
            &self.name,
            120,
        ));
        let description = errors.take(parse_optional_text(
            "description",
            "Description",
            &self.description,
            2000,
        ));
        let sessions = errors.take(parse_count(
            "sessions",
            &self.sessions,
            1..=50,
            "Number of sessions must be a whole number from 1 to 50",
        ));
        let minutes = errors.take(parse_count(
            "minutes_per_session",
            &self.minutes_per_session,
            15..=480,
            "Minutes per session must be a whole number from 15 to 480",
        ));
        errors.into_result()?;
        Ok(ProgrammeDraft {
            name: name.unwrap_or_default(),
            description: description.unwrap_or_default(),
            sessions: sessions.unwrap_or(1),
            minutes_per_session: minutes.unwrap_or(60),
        })
    }
}

/// One coaching session booked for an enrolment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDraft {
    pub date: NaiveDate,
    pub start_time: NaiveTime,
    /// A room and address, or a video link.
    pub place: String,
    pub coach: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionForm {
    /// The enrolment the session is for (checked by the use case).
    pub enrolment_id: String,
    pub date: String,
    pub start_time: String,
    pub place: String,
    pub coach: String,
}

impl SessionForm {
    pub fn parse(&self) -> Result<SessionDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = if self.date.trim().is_empty() {
            errors.push(FieldError::new("date", "Enter the date of the session"));
            None
        } else {
            errors.take(parse_date("date", &self.date))
        };
        let start_time = errors.take(
            NaiveTime::parse_from_str(self.start_time.trim(), "%H:%M").map_err(|_| {
                FieldError::new(
                    "start_time",
                    "Enter the start time as HH:MM, for example 14:30",
                )
            }),
        );
        let place = errors.take(parse_required(
            "place",
            "the place or video link",
            &self.place,
            300,
        ));
        let coach = errors.take(parse_required(
            "coach",
            "the coach's name",
            &self.coach,
            120,
        ));
        errors.into_result()?;
        Ok(SessionDraft {
            date: date.unwrap_or_default(),
            start_time: start_time.unwrap_or_default(),
            place: place.unwrap_or_default(),
            coach: coach.unwrap_or_default(),
        })
    }
}

impl SessionDraft {
    /// Whether the place is a video link rather than a room.
    pub fn is_video(&self) -> bool {
        self.place.starts_with("https://") || self.place.starts_with("http://")
    }
}

/// Whether the coachee came to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Attended,
    DidNotAttend,
}

impl Attendance {
    pub fn code(self) -> &'static str {
        match self {
            Attendance::Attended => "attended",
            Attendance::DidNotAttend => "did_not_attend",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Attendance::Attended => "Attended",
            Attendance::DidNotAttend => "Did not attend",
        }
    }

    pub fn parse(text: &str) -> Result<Attendance, FieldError> {
        match text.trim() {
            "attended" => Ok(Attendance::Attended),
            "did_not_attend" => Ok(Attendance::DidNotAttend),
            _ => Err(FieldError::new(
                "attendance",
                "Choose attended or did not attend",
            )),
        }
    }
}

/// The coachee's private note on a session.
pub fn parse_note(text: &str) -> Result<String, FieldErrors> {
    parse_optional_text("note", "The note", text, 8000).map_err(FieldErrors::from)
}

/// Where a development goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    NotStarted,
    InProgress,
    Done,
}

impl GoalStatus {
    pub const ALL: [GoalStatus; 3] = [
        GoalStatus::NotStarted,
        GoalStatus::InProgress,
        GoalStatus::Done,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GoalStatus::NotStarted => "not_started",
            GoalStatus::InProgress => "in_progress",
            GoalStatus::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalStatus::NotStarted => "Not started",
            GoalStatus::InProgress => "In progress",
            GoalStatus::Done => "Done",
        }
    }

    pub fn parse(text: &str) -> Option<GoalStatus> {
        GoalStatus::ALL
            .into_iter()
            .find(|s| s.code() == text.trim())
    }
}

/// A goal of a manager's development plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalDraft {
    pub title: String,
    pub target_date: Option<NaiveDate>,
    pub status: GoalStatus,
    pub progress: String,
    /// Training topics the goal relies on.
    pub topic_ids: Vec<String>,
    /// The coaching enrolment the goal relies on.
    pub enrolment_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct GoalForm {
    pub title: String,
    pub target_date: String,
    pub status: String,
    pub progress: String,
    pub topic_ids: Vec<String>,
    pub enrolment_id: String,
}

impl GoalForm {
    pub fn from_draft(draft: &GoalDraft) -> GoalForm {
        GoalForm {
            title: draft.title.clone(),
            target_date: draft.target_date.map(|d| d.to_string()).unwrap_or_default(),
            status: draft.status.code().into(),
            progress: draft.progress.clone(),
            topic_ids: draft.topic_ids.clone(),
            enrolment_id: draft.enrolment_id.clone().unwrap_or_default(),
        }
    }

    /// Checks the form's own fields; whether the linked topics and enrolment belong to the
    /// person is the use case's check.
    pub fn parse(&self) -> Result<GoalDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = errors.take(parse_required("title", "the goal", &self.title, 200));
        let target_date = errors
            .take(parse_optional_date("target_date", &self.target_date))
            .flatten();
        let status = if self.status.trim().is_empty() {
            Some(GoalStatus::NotStarted)
        } else {
            let status = GoalStatus::parse(&self.status);
            if status.is_none() {
                errors.push(FieldError::new(
                    "status",
                    "Choose not started, in progress or done",
                ));
            }
            status
        };
        let progress = errors.take(parse_optional_text(
            "progress",
            "Progress",
            &self.progress,
            4000,
        ));
        errors.into_result()?;
        let mut topic_ids: Vec<String> = self
            .topic_ids
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        topic_ids.sort();
        topic_ids.dedup();
        let enrolment = self.enrolment_id.trim();
        Ok(GoalDraft {
            title: title.unwrap_or_default(),
            target_date,
            status: status.unwrap_or(GoalStatus::NotStarted),
            progress: progress.unwrap_or_default(),
            topic_ids,
            enrolment_id: (!enrolment.is_empty()).then(|| enrolment.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn cpd_errors_name_each_field() {
        let form = CpdForm {
            done_on: "2030-01-01".into(),
            activity: String::new(),
            hours: "0".into(),
            reflection: String::new(),
        };
        let errors = form.parse(day("2026-11-23")).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["done_on", "activity", "hours"]);
    }

    #[test]
    fn only_gps_and_nurses_revalidate() {
        let form = DatesForm {
            appraisal_due: "2027-03-01".into(),
            revalidation_due: "2028-03-01".into(),
        };
        assert!(form.parse(Role::SalariedGp).is_ok());
        assert!(form.parse(Role::PracticeNurse).is_ok());
        let errors = form.parse(Role::PracticeManager).unwrap_err();
        assert!(errors.message_for("revalidation_due").is_some());
    }

    #[test]
    fn sessions_need_a_time_place_and_coach() {
        let form = SessionForm {
            enrolment_id: String::new(),
            date: "2026-12-01".into(),
            start_time: "25:00".into(),
            place: String::new(),
            coach: "Alex Coach".into(),
        };
        let errors = form.parse().unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["start_time", "place"]);
        let ok = SessionForm {
            start_time: "09:30".into(),
            place: "https://meet.example/abc".into(),
            ..form
        }
        .parse()
        .unwrap();
        assert!(ok.is_video());
    }

    #[test]
    fn a_goal_keeps_its_links_once_each() {
        let form = GoalForm {
            title: "Lead the practice through CQC".into(),
            status: "in_progress".into(),
            topic_ids: vec!["b".into(), "a".into(), "b".into()],
            enrolment_id: " ".into(),
            ..GoalForm::default()
        };
        let draft = form.parse().unwrap();
        assert_eq!(draft.topic_ids, ["a", "b"]);
        assert_eq!(draft.enrolment_id, None);
        assert_eq!(draft.status, GoalStatus::InProgress);
    }
}
