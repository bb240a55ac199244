//! The people of a practice and of a PCN, their leave and their accounts.
use super::*;

/// Staff of one practice, sized by its list: GPs at about one WTE per
/// [`PATIENTS_PER_GP_WTE`] patients (partners a little over half of it), nurses and
/// healthcare assistants likewise, so its safe capacity is in step with the appointments
/// its list asks for, as a real practice's is.
pub(super) fn practice_team(
    b: &mut Builder,
    practice: &DemoPractice,
    pm_accounts: &mut Vec<(usize, String)>,
) {
    let domain_name = email_domain(&practice.name);
    let employer = Employer::Practice(practice.ods_code.clone());
    let list = practice.list_size as f64;
    let scale = list / 10_000.0;
    let receptionists = ((3.5 * scale).round() as usize).clamp(3, 12);
    let admins = ((1.2 * scale).round() as usize).clamp(1, 5);
    let here = [practice];
    let pm = b.person(
        Role::PracticeManager,
        employer.clone(),
        1.0,
        &here,
        &domain_name,
    );
    pm_accounts.push((pm, practice.ods_code.to_string()));
    b.person(
        Role::DeputyPracticeManager,
        employer.clone(),
        0.8,
        &here,
        &domain_name,
    );
    let gp_wte = list / PATIENTS_PER_GP_WTE;
    let partners = b.fill(
        Role::GpPartner,
        &employer,
        &[0.67, 0.78, 0.89, 1.0],
        gp_wte * 0.55,
        2,
        &here,
        &domain_name,
    );
    b.fill(
        Role::SalariedGp,
        &employer,
        &[0.44, 0.56, 0.67, 0.78],
        gp_wte - partners,
        1,
        &here,
        &domain_name,
    );
    if scale >= 1.0 {
        b.person(
            Role::AdvancedNursePractitioner,
            employer.clone(),
            0.8,
            &here,
            &domain_name,
        );
    }
    b.fill(
        Role::PracticeNurse,
        &employer,
        &[0.6, 0.8, 1.0],
        list / PATIENTS_PER_NURSE_WTE,
        1,
        &here,
        &domain_name,
    );
    b.fill(
        Role::HealthcareAssistant,
        &employer,
        &[0.5, 0.8, 1.0],
        list / PATIENTS_PER_HCA_WTE,
        1,
        &here,
        &domain_name,
    );
    for _ in 0..receptionists {
        let wte = b.wte(&[0.4, 0.5, 0.6, 0.8, 1.0]);
        b.person(
            Role::Receptionist,
            employer.clone(),
            wte,
            &here,
            &domain_name,
        );
    }
    for _ in 0..admins {
        let wte = b.wte(&[0.6, 0.8, 1.0]);
        b.person(
            Role::Administrator,
            employer.clone(),
            wte,
            &here,
            &domain_name,
        );
    }
    b.person(Role::MedicalSecretary, employer, 0.8, &here, &domain_name);
}

/// The PCN-employed team shared across its practices; returns the PCN manager's index.
pub(super) fn pcn_team(b: &mut Builder, pcn: &DemoPcn, practices: &[&DemoPractice]) -> usize {
    let domain_name = format!(
        "{}.example",
        pcn.name
            .to_lowercase()
            .replace(" and ", "-")
            .replace(' ', "-")
    );
    let employer = Employer::Pcn(pcn.code.clone());
    let manager = b.person(
        Role::PcnManager,
        employer.clone(),
        1.0,
        &practices[..1],
        &domain_name,
    );
    let roles = [
        (Role::ClinicalPharmacist, 1.0),
        (Role::ClinicalPharmacist, 0.8),
        (Role::PharmacyTechnician, 0.8),
        (Role::FirstContactPhysiotherapist, 0.6),
        (Role::Paramedic, 1.0),
        (Role::SocialPrescribingLinkWorker, 1.0),
        (Role::CareCoordinator, 1.0),
        (Role::CareCoordinator, 0.6),
        (Role::MentalHealthPractitioner, 0.8),
    ];
    for (i, (role, wte)) in roles.into_iter().enumerate() {
        // Each works at two or three of the member practices, rotating the first one.
        let count = if practices.len() <= 2 {
            practices.len()
        } else {
            2 + (i % 2)
        };
        let mut chosen: Vec<&DemoPractice> = (0..count)
            .map(|k| practices[(i + k) % practices.len()])
            .collect();
        chosen.sort_by(|a, b| a.ods_code.cmp(&b.ods_code));
        b.person(role, employer.clone(), wte, &chosen, &domain_name);
    }
    manager
}

pub(super) fn leave_for(b: &mut Builder, count: usize) -> Vec<DemoLeave> {
    let monday = b.today - Duration::days(i64::from(b.today.weekday().num_days_from_monday()));
    let mut out = Vec::new();
    let people = b.staff.len();
    for i in 0..count {
        let staff_index = b.rng.gen_range(0..people);
        let (kind, start, days, status) = match i % 6 {
            0 => (LeaveKind::Annual, monday, 4, LeaveStatus::Approved),
            1 => (
                LeaveKind::Annual,
                monday + Duration::days(7),
                4,
                LeaveStatus::Approved,
            ),
            2 => (
                LeaveKind::Annual,
                monday + Duration::days(21),
                4,
                LeaveStatus::Requested,
            ),
            3 => (
                LeaveKind::Study,
                monday + Duration::days(16),
                0,
                LeaveStatus::Requested,
            ),
            4 => (
                LeaveKind::Annual,
                monday + Duration::days(2),
                1,
                LeaveStatus::Refused,
            ),
            _ => (
                LeaveKind::Annual,
                monday + Duration::days(35),
                2,
                LeaveStatus::Requested,
            ),
        };
        let draft = LeaveDraft {
            kind,
            start_date: start,
            end_date: start + Duration::days(days),
            note: None,
        };
        out.push(DemoLeave {
            staff_index,
            draft,
            status,
        });
    }
    out
}

pub(super) fn accounts(
    b: &Builder,
    ics: &DemoIcs,
    managers: &[(usize, String)],
    pms: &[(usize, String)],
) -> Vec<DemoAccount> {
    let mut out = Vec::new();
    let staff_email = |i: usize| {
        b.staff[i]
            .draft
            .email
            .clone()
            .expect("demo staff have emails")
    };
    for (i, pcn) in managers {
        out.push(DemoAccount {
            email: staff_email(*i),
            name: b.staff[*i].draft.name.clone(),
            role: UserRole::PcnManager,
            organisation: pcn.clone(),
            staff_index: Some(*i),
        });
    }
    for (i, ods) in pms {
        out.push(DemoAccount {
            email: staff_email(*i),
            name: b.staff[*i].draft.name.clone(),
            role: UserRole::PracticeManager,
            organisation: ods.clone(),
            staff_index: Some(*i),
        });
    }
    out.push(DemoAccount {
        email: format!("ics.viewer@{}.example", ics.code.as_str().to_lowercase()),
        name: "ICS Analyst (demo)".into(),
        role: UserRole::IcsViewer,
        organisation: ics.code.to_string(),
        staff_index: None,
    });
    let taken: std::collections::BTreeSet<usize> =
        managers.iter().chain(pms).map(|(i, _)| *i).collect();
    for (i, person) in b.staff.iter().enumerate() {
        if taken.contains(&i) {
            continue;
        }
        out.push(DemoAccount {
            email: staff_email(i),
            name: person.draft.name.clone(),
            role: UserRole::Staff,
            organisation: person.draft.practices[0].to_string(),
            staff_index: Some(i),
        });
    }
    out
}
