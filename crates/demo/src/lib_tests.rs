//! Tests of the demo generator.
use super::*;
use domain::role::StaffGroup;

#[test]
fn keep_staff_trims_the_largest_teams_and_keeps_every_role() {
    let full = generate(&DemoOptions {
        practices: 5,
        seed: 3,
        today: today(),
    });
    let teams = |d: &DemoData| {
        d.staff
            .iter()
            .map(|s| (format!("{:?}", s.draft.employer), s.draft.role))
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert!(full.staff.len() > 60, "{} people", full.staff.len());
    let mut data = full.clone();
    keep_staff(&mut data, 60);
    assert_eq!(data.staff.len(), 60);
    assert_eq!(
        teams(&data),
        teams(&full),
        "every role of every employer kept"
    );
    // Leave and log-ins follow their people to their new places.
    for l in &data.leave {
        let before = full
            .leave
            .iter()
            .find(|k| k.draft == l.draft && full.staff[k.staff_index] == data.staff[l.staff_index]);
        assert!(before.is_some(), "{l:?}");
    }
    for a in &data.accounts {
        if let Some(i) = a.staff_index {
            assert_eq!(data.staff[i].draft.email.as_deref(), Some(a.email.as_str()));
        }
    }
    assert_eq!(
        data.accounts
            .iter()
            .filter(|a| a.staff_index.is_some())
            .count(),
        60
    );
    // The same every time; below the number of teams it stops there.
    let mut again = full.clone();
    keep_staff(&mut again, 60);
    assert_eq!(again, data);
    let mut small = full.clone();
    keep_staff(&mut small, 1);
    assert_eq!(small.staff.len(), teams(&full).len());
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

#[test]
fn the_demo_pcn_is_realistic() {
    let d = demo_pcn(today());
    assert_eq!(d.practices.len(), 3);
    assert!(
        (55..=75).contains(&d.staff.len()),
        "{} people",
        d.staff.len()
    );
    assert_eq!(d.practices.iter().filter(|p| p.sites.len() == 2).count(), 1);
    assert!(
        d.vacancies
            .iter()
            .any(|v| v.draft.role.staff_group() == StaffGroup::AdminNonClinical)
    );
    for role in [
        Role::ClinicalPharmacist,
        Role::FirstContactPhysiotherapist,
        Role::Paramedic,
        Role::SocialPrescribingLinkWorker,
        Role::CareCoordinator,
        Role::MentalHealthPractitioner,
    ] {
        assert!(
            d.staff
                .iter()
                .any(|s| s.draft.role == role && matches!(s.draft.employer, Employer::Pcn(_))),
            "{role:?}"
        );
    }
    for p in &d.practices {
        assert!(
            d.accounts
                .iter()
                .any(|a| a.role == UserRole::PracticeManager
                    && a.organisation == p.ods_code.as_str())
        );
    }
    assert_eq!(
        d.accounts
            .iter()
            .filter(|a| a.role == UserRole::PcnManager)
            .count(),
        1
    );
    assert_eq!(
        d.accounts
            .iter()
            .filter(|a| a.role == UserRole::IcsViewer)
            .count(),
        1
    );
    assert_eq!(
        d.accounts
            .iter()
            .filter(|a| a.staff_index.is_some())
            .count(),
        d.staff.len(),
        "everyone has a log-in"
    );
    // Teams sized to their lists, as England's are: GP WTE within one person of a WTE
    // per PATIENTS_PER_GP_WTE patients, and nurses at every practice.
    for p in &d.practices {
        let wte = |group: StaffGroup| -> f64 {
            d.staff
                .iter()
                .filter(|s| {
                    s.draft.role.staff_group() == group
                        && s.draft.employer == Employer::Practice(p.ods_code.clone())
                })
                .map(|s| s.draft.wte)
                .sum()
        };
        let target = p.list_size as f64 / PATIENTS_PER_GP_WTE;
        assert!(
            (wte(StaffGroup::Gp) - target).abs() <= 1.0,
            "{}: {} GP WTE for {} patients",
            p.name,
            wte(StaffGroup::Gp),
            p.list_size
        );
        assert!(wte(StaffGroup::Nurses) > 0.0, "{}", p.name);
    }
    assert!(d.leave.iter().any(|l| l.status == LeaveStatus::Requested));
    assert!(
        d.leave.iter().any(|l| l.status == LeaveStatus::Approved
            && l.draft.start_date <= today() + Duration::days(6))
    );
}

#[test]
fn every_person_revalidates_and_emails_are_unique() {
    for d in [
        demo_pcn(today()),
        generate(&DemoOptions {
            practices: 40,
            seed: 3,
            today: today(),
        }),
    ] {
        let mut emails = std::collections::BTreeSet::new();
        for s in &d.staff {
            assert_eq!(s.draft.to_form().parse().as_ref(), Ok(&s.draft));
            assert!(
                emails.insert(s.draft.email.clone().unwrap()),
                "duplicate {:?}",
                s.draft.email
            );
        }
        let accounts: std::collections::BTreeSet<_> =
            d.accounts.iter().map(|a| a.email.clone()).collect();
        assert_eq!(accounts.len(), d.accounts.len());
        for l in &d.leave {
            assert!(l.draft.start_date <= l.draft.end_date);
        }
    }
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = generate(&DemoOptions {
        practices: 12,
        seed: 9,
        today: today(),
    });
    assert_eq!(
        a,
        generate(&DemoOptions {
            practices: 12,
            seed: 9,
            today: today()
        })
    );
    assert_ne!(
        a,
        generate(&DemoOptions {
            practices: 12,
            seed: 10,
            today: today()
        })
    );
    assert_eq!(demo_pcn(today()), demo_pcn(today()));
}

#[test]
fn large_systems_scale_with_practices() {
    let d = generate(&DemoOptions {
        practices: 1_000,
        seed: 1,
        today: today(),
    });
    assert_eq!(d.practices.len(), 1_000);
    assert!(d.pcns.len() >= 1_000 / 6 && d.pcns.len() <= 1_000 / 3 + 1);
    assert!(d.staff.len() > 15_000, "{} people", d.staff.len());
}

#[test]
fn every_generated_practice_has_rooms_for_its_contracts() {
    // Each kind of clinical room at a practice holds the contracted sessions of the people
    // who need it there (a share for people at several practices), ten sessions a room a
    // week: a system with more nurses than treatment rooms could have no rota at all.
    let data = generate(&DemoOptions {
        practices: 20,
        seed: 3,
        today: today(),
    });
    let mut fitted = 0;
    for practice in &data.practices {
        for kind in [
            RoomCapability::Consulting,
            RoomCapability::Treatment,
            RoomCapability::Phlebotomy,
        ] {
            let rooms = practice
                .sites
                .iter()
                .flat_map(|s| &s.rooms)
                .filter(|r| r.capabilities.contains(&kind))
                .count();
            let sessions: f64 = data
                .staff
                .iter()
                .filter(|s| domain::room::room_need(s.draft.role) == Some(kind))
                .map(|s| {
                    let here = s
                        .sites
                        .iter()
                        .filter(|(o, _)| *o == practice.ods_code)
                        .count();
                    s.draft.sessions_per_week * here as f64 / s.sites.len().max(1) as f64
                })
                .sum();
            assert!(
                rooms as f64 * 10.0 >= sessions,
                "{} {kind:?}: {rooms} rooms for {sessions} sessions a week",
                practice.name
            );
            fitted += usize::from(rooms > 3 && kind == RoomCapability::Treatment);
        }
    }
    // The seed's larger practices needed more than the layout's three treatment rooms.
    assert!(fitted > 0);
}
