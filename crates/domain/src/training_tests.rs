//! Tests of `training.rs`.
use super::*;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn topic(months: Option<u32>, roles: Vec<Role>) -> TopicDraft {
    TopicDraft {
        name: "Fire safety".into(),
        level: String::new(),
        roles,
        renewal_months: months,
        evidence_required: false,
        source: String::new(),
    }
}

#[test]
fn status_follows_expiry_and_role() {
    let today = date("2026-11-23");
    let yearly = topic(Some(12), vec![Role::PracticeNurse]);
    let s = |role, done: Option<&str>| status(&yearly, role, done.map(date), today);
    assert_eq!(s(Role::Receptionist, None).0, ComplianceStatus::NotRequired);
    assert_eq!(s(Role::PracticeNurse, None).0, ComplianceStatus::Missing);
    assert_eq!(
        s(Role::PracticeNurse, Some("2026-03-01")),
        (ComplianceStatus::InDate, Some(date("2027-03-01")))
    );
    // Expires 2027-01-22: 60 days away, so expiring.
    assert_eq!(
        s(Role::PracticeNurse, Some("2026-01-22")).0,
        ComplianceStatus::Expiring
    );
    assert_eq!(
        s(Role::PracticeNurse, Some("2026-01-23")).0,
        ComplianceStatus::InDate
    );
    // Valid to the day before it expires.
    assert_eq!(
        s(Role::PracticeNurse, Some("2025-11-23")).0,
        ComplianceStatus::Expired
    );
    let once = topic(None, Vec::new());
    assert_eq!(
        status(&once, Role::Receptionist, Some(date("2001-01-01")), today),
        (ComplianceStatus::InDate, None)
    );
    // A month-end completion expires at the end of the shorter month.
    assert_eq!(
        expires_on(date("2024-02-29"), Some(12)),
        Some(date("2025-02-28"))
    );
}

#[test]
fn topic_form_names_each_bad_field() {
    let form = TopicForm {
        name: " ".into(),
        renewal_months: "0".into(),
        roles: vec!["wizard".into()],
        ..TopicForm::default()
    };
    let errors = form.parse().unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
    assert_eq!(fields, vec!["name", "roles", "renewal_months"]);
    assert!(errors.message_for("roles").unwrap().contains("wizard"));
    let none = TopicForm {
        name: "Chaperoning".into(),
        ..TopicForm::default()
    };
    assert_eq!(
        none.parse().unwrap_err().message_for("roles"),
        Some("Choose the roles that need this training, or everyone")
    );
    let everyone = TopicForm {
        name: "Chaperoning".into(),
        everyone: "yes".into(),
        renewal_months: "36".into(),
        ..TopicForm::default()
    };
    let draft = everyone.parse().unwrap();
    assert!(draft.roles.is_empty());
    assert_eq!(TopicForm::from_draft(&draft).parse().unwrap(), draft);
}

#[test]
fn record_form_refuses_future_dates_and_bad_hours() {
    let today = date("2026-11-23");
    let form = RecordForm {
        topic_id: "t".into(),
        completed_on: "2026-11-24".into(),
        provider: "".into(),
        hours: "-1".into(),
        expires_on: String::new(),
    };
    let errors = form.parse(today).unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field).collect();
    assert_eq!(fields, vec!["completed_on", "provider", "hours"]);
    let ok = RecordForm {
        topic_id: "t".into(),
        completed_on: "2026-11-23".into(),
        provider: "e-Learning for Healthcare".into(),
        hours: "1.5".into(),
        expires_on: String::new(),
    };
    assert_eq!(ok.parse(today).unwrap().hours, 1.5);
    assert_eq!(ok.parse(today).unwrap().expires_on, None);
    let before = RecordForm {
        expires_on: "2026-11-01".into(),
        completed_on: "2026-11-02".into(),
        ..ok.clone()
    };
    assert_eq!(
        before.parse(today).unwrap_err().message_for("expires_on"),
        Some("The expiry date must be after the completion date")
    );
    let stated = RecordForm {
        expires_on: "2027-01-20".into(),
        ..ok
    };
    let draft = stated.parse(today).unwrap();
    assert_eq!(draft.expires_on, Some(date("2027-01-20")));
    // A stated expiry wins over the topic's renewal period.
    let yearly = topic(Some(12), Vec::new());
    assert_eq!(
        status_of_record(
            &yearly,
            Role::Receptionist,
            Some((draft.completed_on, draft.expires_on)),
            today
        ),
        (ComplianceStatus::Expiring, Some(date("2027-01-20")))
    );
}

#[test]
fn defaults_are_sourced_and_levels_do_not_overlap() {
    let mut keys: Vec<&str> = DEFAULT_TOPICS.iter().map(|t| t.key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), DEFAULT_TOPICS.len());
    for topic in DEFAULT_TOPICS {
        assert!(!topic.source.is_empty(), "{} has no source", topic.key);
    }
    // Each role needs exactly one level of safeguarding children and of adults.
    for prefix in ["safeguarding_children_", "safeguarding_adults_"] {
        for role in Role::ALL {
            let levels: Vec<&str> = DEFAULT_TOPICS
                .iter()
                .filter(|t| t.key.starts_with(prefix) && t.draft().applies_to(*role))
                .map(|t| t.level)
                .collect();
            assert_eq!(levels.len(), 1, "{prefix} {role:?}: {levels:?}");
        }
    }
    let level_3 = DEFAULT_TOPICS
        .iter()
        .find(|t| t.key == "safeguarding_children_3")
        .unwrap()
        .draft();
    assert!(level_3.applies_to(Role::SalariedGp));
    assert!(level_3.applies_to(Role::Paramedic));
    assert!(!level_3.applies_to(Role::HealthcareAssistant));
    assert_eq!(
        level_3.roles_text(),
        "all GP, all Nurses, Paramedic, Physician associate, Advanced practitioner"
    );
}
