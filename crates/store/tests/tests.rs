//! The store's behaviour, run on SQLite and on PostgreSQL alike.
use chrono::NaiveDate;
use domain::leave::{LeaveDraft, LeaveKind, LeaveStatus};
use domain::org::{Employer, OdsCode, PcnCode};
use domain::role::Role;
use domain::room::{RoomCapability, RoomDraft, SiteDraft};
use domain::staff::StaffDraft;
use domain::vacancy::VacancyDraft;
use store::organisations::{PcnRecord, PracticeDetails, PracticeScope};
use store::register::{StaffFilter, StaffScope};
use store::rota::{
    AssignmentRow, CoverRow, NewRota, PublishedAssignment, RotaRow, RulesRow, SiteSessionRow,
    SwapRow,
};
use store::testing::TestDb;
use store::{Backend, StoreError, new_id};

/// Runs one async test body on both databases.
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = TestDb::new(Backend::Sqlite).await;
                ($body)(&db).await;
                db.cleanup().await.unwrap();
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = TestDb::new(Backend::Postgres).await;
                ($body)(&db).await;
                db.cleanup().await.unwrap();
            }
        }
    };
}

const NOW: &str = "2026-11-23T09:00:00Z";

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn details(ods: &str, name: &str) -> PracticeDetails {
    PracticeDetails {
        ods_code: ods.into(),
        name: name.into(),
        address: "1 High Street, Testbury".into(),
        postcode: "TB1 1AA".into(),
        commissioner: "06L".into(),
        phone: None,
        open_date: Some("1974-04-01".into()),
    }
}

async fn seed_pcn(db: &TestDb) {
    let mut tx = db.store.begin().await.unwrap();
    store::organisations::insert_ics(&mut tx, "QZZ", "Test ICS")
        .await
        .unwrap();
    store::organisations::insert_pcn(
        &mut tx,
        &PcnRecord {
            code: "U99901".into(),
            name: "Test PCN".into(),
            ics_code: Some("QZZ".into()),
        },
    )
    .await
    .unwrap();
    for (ods, name) in [("Y99901", "Riverside"), ("Y99902", "Castle Street")] {
        assert!(
            store::organisations::upsert_details(&mut tx, &details(ods, name), NOW)
                .await
                .unwrap()
        );
        store::organisations::set_pcn(&mut tx, ods, Some("U99901"))
            .await
            .unwrap();
    }
    assert!(
        store::organisations::upsert_details(&mut tx, &details("Y88801", "Elsewhere"), NOW)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

fn person(name: &str, email: &str, employer: Employer, practices: &[&str]) -> StaffDraft {
    StaffDraft {
        name: name.into(),
        email: Some(email.into()),
        phone: None,
        role: Role::ClinicalPharmacist,
        employer,
        wte: 0.8,
        sessions_per_week: 7.0,
        skills: vec!["prescribing".into()],
        start_date: day("2024-04-01"),
        end_date: None,
        practices: practices
            .iter()
            .map(|p| OdsCode::parse(p).unwrap())
            .collect(),
    }
}

on_both!(practices_upsert_and_list_by_scope, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut conn = db.store.conn().await.unwrap();
    assert!(
        !store::organisations::upsert_details(
            &mut conn,
            &details("Y99901", "Riverside Surgery"),
            NOW
        )
        .await
        .unwrap()
    );
    let one = store::organisations::get(&mut conn, "Y99901")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one.name, "Riverside Surgery");
    assert_eq!(
        one.pcn_code.as_deref(),
        Some("U99901"),
        "an update keeps PCN membership"
    );
    assert_eq!(
        store::organisations::list(&mut conn, PracticeScope::Pcn("U99901"))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store::organisations::list(&mut conn, PracticeScope::Ics("QZZ"))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store::organisations::list(&mut conn, PracticeScope::All)
            .await
            .unwrap()
            .len(),
        3
    );
    assert!(
        store::organisations::set_list_size(&mut conn, "Y99901", "2021-01-01", 9000)
            .await
            .unwrap()
    );
    assert!(
        store::organisations::set_list_size(&mut conn, "Y99901", "2021-04-01", 9100)
            .await
            .unwrap()
    );
    assert!(
        store::organisations::set_list_size(&mut conn, "Y99901", "2021-04-01", 9150)
            .await
            .unwrap()
    );
    assert!(
        !store::organisations::set_list_size(&mut conn, "Z00000", "2021-04-01", 1)
            .await
            .unwrap()
    );
    let one = store::organisations::get(&mut conn, "Y99901")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (one.list_size, one.list_size_date.as_deref()),
        (Some(9150), Some("2021-04-01"))
    );
});

on_both!(staff_round_trip_scopes_and_filters, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut tx = db.store.begin().await.unwrap();
    let site = new_id();
    store::sites::insert_site(
        &mut tx,
        &site,
        "Y99901",
        &SiteDraft {
            name: "Main".into(),
            address: String::new(),
        },
    )
    .await
    .unwrap();
    let pharmacist = person(
        "Pat Pharma",
        "pat@pcn.example",
        Employer::Pcn(PcnCode::parse("U99901").unwrap()),
        &["Y99901", "Y99902"],
    );
    let mut receptionist = person(
        "Robin Desk",
        "robin@riverside.example",
        Employer::Practice(OdsCode::parse("Y99901").unwrap()),
        &["Y99901"],
    );
    receptionist.role = Role::Receptionist;
    let pat_id = new_id();
    let robin_id = new_id();
    store::register::insert(
        &mut tx,
        &pat_id,
        &pharmacist,
        std::slice::from_ref(&site),
        NOW,
    )
    .await
    .unwrap();
    store::register::insert(&mut tx, &robin_id, &receptionist, &[], NOW)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut conn = db.store.conn().await.unwrap();
    let pat = store::register::get(&mut conn, &pat_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pat.draft, pharmacist);
    assert_eq!(pat.site_ids, vec![site.clone()]);
    let at_castle = store::register::list(
        &mut conn,
        StaffScope::WorksAt("Y99902"),
        &StaffFilter::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        at_castle
            .iter()
            .map(|s| s.draft.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Pat Pharma"]
    );
    let in_pcn = store::register::list(
        &mut conn,
        StaffScope::Pcn("U99901"),
        &StaffFilter::default(),
    )
    .await
    .unwrap();
    assert_eq!(in_pcn.len(), 2);
    let admins = StaffFilter {
        staff_group: Some(domain::role::StaffGroup::AdminNonClinical),
        ..Default::default()
    };
    assert_eq!(
        store::register::list(&mut conn, StaffScope::Pcn("U99901"), &admins)
            .await
            .unwrap()
            .len(),
        1
    );
    let search = StaffFilter {
        search: Some("ROBIN".into()),
        ..Default::default()
    };
    assert_eq!(
        store::register::list(&mut conn, StaffScope::Pcn("U99901"), &search)
            .await
            .unwrap()[0]
            .id,
        robin_id
    );
    let wildcard = StaffFilter {
        search: Some("%".into()),
        ..Default::default()
    };
    assert!(
        store::register::list(&mut conn, StaffScope::Pcn("U99901"), &wildcard)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store::register::list(
            &mut conn,
            StaffScope::WorksAt("Y88801"),
            &StaffFilter::default()
        )
        .await
        .unwrap()
        .is_empty()
    );

    let mut changed = receptionist.clone();
    changed.wte = 1.0;
    changed.practices.push(OdsCode::parse("Y99902").unwrap());
    store::register::update(&mut conn, &robin_id, &changed, &[], NOW)
        .await
        .unwrap();
    assert_eq!(
        store::register::get(&mut conn, &robin_id)
            .await
            .unwrap()
            .unwrap()
            .draft,
        changed
    );
    assert!(matches!(
        store::register::update(&mut conn, "missing", &changed, &[], NOW).await,
        Err(StoreError::NotFound)
    ));
});

on_both!(
    duplicate_email_is_a_conflict_and_the_transaction_leaves_nothing,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let employer = Employer::Practice(OdsCode::parse("Y99901").unwrap());
        let mut tx = db.store.begin().await.unwrap();
        store::register::insert(
            &mut tx,
            &new_id(),
            &person("A", "same@x.example", employer.clone(), &["Y99901"]),
            &[],
            NOW,
        )
        .await
        .unwrap();
        let second = store::register::insert(
            &mut tx,
            &new_id(),
            &person("B", "same@x.example", employer, &["Y99901"]),
            &[],
            NOW,
        )
        .await;
        assert!(matches!(second, Err(StoreError::Conflict(_))), "{second:?}");
        drop(tx);
        let mut conn = db.store.conn().await.unwrap();
        assert_eq!(
            store::register::count(&mut conn).await.unwrap(),
            0,
            "a rolled-back transaction stores nothing"
        );
    }
);

on_both!(an_email_is_unique_per_employer_only, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let mut ids = Vec::new();
    for (name, employer, ods) in [
        (
            "A",
            Employer::Practice(OdsCode::parse("Y99901").unwrap()),
            "Y99901",
        ),
        (
            "B",
            Employer::Practice(OdsCode::parse("Y99902").unwrap()),
            "Y99902",
        ),
        (
            "C",
            Employer::Pcn(PcnCode::parse("U99901").unwrap()),
            "Y99902",
        ),
    ] {
        let id = new_id();
        store::register::insert(
            &mut conn,
            &id,
            &person(name, "same@x.example", employer, &[ods]),
            &[],
            NOW,
        )
        .await
        .unwrap();
        ids.push(id);
    }
    let mut found = store::register::find_ids_by_email(&mut conn, "same@x.example")
        .await
        .unwrap();
    found.sort();
    ids.sort();
    assert_eq!(found, ids);
    assert!(
        store::register::find_id_by_email(&mut conn, "same@x.example")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store::register::find_ids_by_email(&mut conn, "other@x.example")
            .await
            .unwrap()
            .is_empty()
    );
});

on_both!(
    unknown_practice_is_refused_by_foreign_key,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut conn = db.store.conn().await.unwrap();
        let result = store::sites::insert_site(
            &mut conn,
            &new_id(),
            "Z99999",
            &SiteDraft {
                name: "Nowhere".into(),
                address: String::new(),
            },
        )
        .await;
        assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    }
);

on_both!(sites_and_rooms, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let site = new_id();
    store::sites::insert_site(
        &mut conn,
        &site,
        "Y99901",
        &SiteDraft {
            name: "Main".into(),
            address: "1 High St".into(),
        },
    )
    .await
    .unwrap();
    let room = new_id();
    let draft = RoomDraft {
        name: "Room 1".into(),
        capabilities: vec![RoomCapability::Consulting, RoomCapability::Accessible],
    };
    store::sites::insert_room(&mut conn, &room, &site, &draft)
        .await
        .unwrap();
    let dup = store::sites::insert_room(&mut conn, &new_id(), &site, &draft).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))));
    let rooms = store::sites::list_rooms(&mut conn, std::slice::from_ref(&site))
        .await
        .unwrap();
    assert_eq!(rooms.len(), 1);
    assert_eq!(rooms[0].room, draft);
    let changed = RoomDraft {
        name: "Room 1".into(),
        capabilities: vec![RoomCapability::Treatment],
    };
    store::sites::update_room(&mut conn, &room, &changed)
        .await
        .unwrap();
    assert_eq!(
        store::sites::get_room(&mut conn, &room)
            .await
            .unwrap()
            .unwrap()
            .room,
        changed
    );
    store::sites::delete_room(&mut conn, &room).await.unwrap();
    assert!(
        store::sites::list_rooms(&mut conn, &[site])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store::sites::list_sites(&mut conn, &["Y99901".into()])
            .await
            .unwrap()
            .len(),
        1
    );
});

on_both!(leave_requests_and_decisions, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let staff = new_id();
    let employer = Employer::Practice(OdsCode::parse("Y99902").unwrap());
    store::register::insert(
        &mut conn,
        &staff,
        &person("Lee Leave", "lee@x.example", employer, &["Y99902"]),
        &[],
        NOW,
    )
    .await
    .unwrap();
    let id = new_id();
    let leave = LeaveDraft {
        kind: LeaveKind::Annual,
        start_date: day("2026-12-01"),
        end_date: day("2026-12-05"),
        note: Some("Family".into()),
    };
    store::leave::insert(&mut conn, &id, &staff, &leave, LeaveStatus::Requested, NOW)
        .await
        .unwrap();
    let this_week = store::leave::list(
        &mut conn,
        store::leave::LeaveScope::WorksAt("Y99902"),
        Some(("2026-11-30", "2026-12-06")),
    )
    .await
    .unwrap();
    assert_eq!(this_week.len(), 1);
    assert_eq!(this_week[0].leave, leave);
    assert!(
        store::leave::list(
            &mut conn,
            store::leave::LeaveScope::WorksAt("Y99902"),
            Some(("2026-12-06", "2026-12-12"))
        )
        .await
        .unwrap()
        .is_empty()
    );
    store::leave::set_status(&mut conn, &id, LeaveStatus::Approved, "manager", NOW)
        .await
        .unwrap();
    let got = store::leave::get(&mut conn, &id).await.unwrap().unwrap();
    assert_eq!(got.status, LeaveStatus::Approved);
    assert_eq!(got.decided_by.as_deref(), Some("manager"));
    assert_eq!(
        store::leave::list(&mut conn, store::leave::LeaveScope::Pcn("U99901"), None)
            .await
            .unwrap()
            .len(),
        1
    );
});

on_both!(
    vacancies_users_attempts_audit_settings,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut conn = db.store.conn().await.unwrap();
        let employer = Employer::Practice(OdsCode::parse("Y99901").unwrap());
        let vacancy = VacancyDraft {
            role: Role::Receptionist,
            wte: 0.8,
            opened_on: Some(day("2026-10-01")),
            monthly_cost_gbp: 1800.0,
            notes: None,
        };
        let id = new_id();
        store::sites::vacancies::insert(&mut conn, &id, &employer, &vacancy, NOW)
            .await
            .unwrap();
        assert_eq!(
            store::sites::vacancies::get(&mut conn, &id)
                .await
                .unwrap()
                .unwrap()
                .vacancy,
            vacancy
        );
        store::sites::vacancies::set_status(&mut conn, &id, "filled")
            .await
            .unwrap();
        assert!(
            store::sites::vacancies::list(&mut conn, &[employer], true)
                .await
                .unwrap()
                .is_empty()
        );

        let user = store::accounts::UserRecord {
            id: new_id(),
            email: "pm@x.example".into(),
            password_hash: "$argon2id$...".into(),
            role: domain::account::UserRole::PracticeManager,
            org_code: "Y99901".into(),
            staff_id: None,
            display_name: "PM".into(),
            demo: true,
            disabled: false,
            last_login_at: None,
            session_epoch: 0,
        };
        store::accounts::insert(&mut conn, &user, NOW)
            .await
            .unwrap();
        assert_eq!(
            store::accounts::find_by_email(&mut conn, "pm@x.example")
                .await
                .unwrap()
                .unwrap(),
            user
        );
        assert_eq!(
            store::accounts::list_demo(&mut conn).await.unwrap().len(),
            1
        );
        store::accounts::record_attempt(&mut conn, "10.0.0.1", "2026-11-23T09:00:00Z", false)
            .await
            .unwrap();
        store::accounts::record_attempt(&mut conn, "10.0.0.1", "2026-11-23T09:00:30Z", false)
            .await
            .unwrap();
        store::accounts::record_attempt(&mut conn, "10.0.0.1", "2026-11-23T09:00:40Z", true)
            .await
            .unwrap();
        store::accounts::record_attempt(&mut conn, "10.0.0.2", "2026-11-23T09:00:40Z", false)
            .await
            .unwrap();
        assert_eq!(
            store::accounts::failures_since(&mut conn, "10.0.0.1", "2026-11-23T09:00:10Z")
                .await
                .unwrap(),
            1
        );

        let entry = store::audit::AuditEntry {
            at: NOW.into(),
            user_id: Some(user.id.clone()),
            user_email: Some(user.email.clone()),
            action: "created".into(),
            entity: "vacancy".into(),
            entity_id: id.clone(),
            tenant: "Y99901".into(),
            before_json: None,
            after_json: Some("{}".into()),
        };
        store::audit::insert(&mut conn, &entry).await.unwrap();
        assert_eq!(
            store::audit::list(&mut conn, &["Y99901".into()], 10)
                .await
                .unwrap(),
            vec![entry]
        );
        assert_eq!(
            store::audit::count_for(&mut conn, "vacancy", &id)
                .await
                .unwrap(),
            1
        );

        assert_eq!(store::settings::get(&mut conn, "demo").await.unwrap(), None);
        store::settings::set(&mut conn, "demo", "1").await.unwrap();
        store::settings::set(&mut conn, "demo", "2").await.unwrap();
        assert_eq!(
            store::settings::get(&mut conn, "demo")
                .await
                .unwrap()
                .as_deref(),
            Some("2")
        );
    }
);

on_both!(migrations_are_idempotent, async |db: &TestDb| {
    db.store.migrate().await.unwrap();
    db.store.ping().await.unwrap();
});

on_both!(
    appointments_scenarios_and_capacity_settings,
    async |db: &TestDb| {
        let mut tx = db.store.begin().await.unwrap();
        store::demand::appointments::upsert_area(&mut tx, "06L", "NHS Ipswich", NOW)
            .await
            .unwrap();
        let row = |day: &str, hcp: &'static str, n: i64| store::demand::appointments::CountRow {
            area_code: "06L",
            period_start: day.to_string(),
            month: day[..7].to_string(),
            daily: true,
            hcp_type: hcp,
            appt_mode: "Face-to-Face",
            appt_status: "Attended",
            appointments: n,
        };
        let rows = [
            row("2024-01-03", "GP", 10),
            row("2024-01-04", "GP", 5),
            row("2024-01-04", "Other Practice staff", 7),
            row("2024-02-01", "GP", 1),
        ];
        store::demand::appointments::insert_counts(&mut tx, &rows)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = db.store.conn().await.unwrap();
        assert_eq!(
            store::demand::appointments::monthly_by_hcp(&mut conn, "06L")
                .await
                .unwrap(),
            vec![
                ("2024-01".to_string(), "GP".to_string(), 15),
                ("2024-01".to_string(), "Other Practice staff".to_string(), 7),
                ("2024-02".to_string(), "GP".to_string(), 1),
            ]
        );
        assert_eq!(
            store::demand::appointments::daily_totals(&mut conn, "06L")
                .await
                .unwrap(),
            vec![
                ("2024-01-03".to_string(), 10),
                ("2024-01-04".to_string(), 12),
                ("2024-02-01".to_string(), 1)
            ]
        );
        assert_eq!(
            store::demand::appointments::delete_month(&mut conn, "06L", "2024-01")
                .await
                .unwrap(),
            3
        );
        assert_eq!(
            store::demand::appointments::count_rows(&mut conn)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            store::demand::appointments::areas(&mut conn).await.unwrap(),
            vec![("06L".to_string(), "NHS Ipswich".to_string(), 1)]
        );

        // Scenarios of a tenant, with their posts.
        let scenario = store::demand::scenarios::ScenarioRecord {
            id: new_id(),
            tenant_kind: "practice".into(),
            tenant_code: "Y99901".into(),
            name: "A pharmacist".into(),
            created_at: NOW.into(),
            created_by: None,
            posts: vec![store::demand::scenarios::PostRecord {
                id: new_id(),
                change: "add".into(),
                role: "clinical_pharmacist".into(),
                wte: 0.8,
                start_month: "2027-04".into(),
                yearly_cost_per_wte: None,
            }],
        };
        store::demand::scenarios::insert(&mut conn, &scenario)
            .await
            .unwrap();
        assert_eq!(
            store::demand::scenarios::list(&mut conn, "practice", "Y99901")
                .await
                .unwrap(),
            vec![scenario]
        );
        assert!(
            store::demand::scenarios::list(&mut conn, "pcn", "Y99901")
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both!(
    training_topics_records_evidence_and_reminder_claims,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut tx = db.store.begin().await.unwrap();
        let robin = new_id();
        let mut receptionist = person(
            "Robin Desk",
            "robin@riverside.example",
            Employer::Practice(OdsCode::parse("Y99901").unwrap()),
            &["Y99901"],
        );
        receptionist.role = Role::Receptionist;
        store::register::insert(&mut tx, &robin, &receptionist, &[], NOW)
            .await
            .unwrap();
        let fire = domain::training::DEFAULT_TOPICS
            .iter()
            .find(|t| t.key == "fire_safety")
            .unwrap();
        let topic_id = new_id();
        assert!(
            store::training::insert_topic(
                &mut tx,
                &topic_id,
                "U99901",
                Some(fire.key),
                &fire.draft(),
                NOW
            )
            .await
            .unwrap()
        );
        // The same default again for the same owner is left alone.
        assert!(
            !store::training::insert_topic(
                &mut tx,
                &new_id(),
                "U99901",
                Some(fire.key),
                &fire.draft(),
                NOW
            )
            .await
            .unwrap()
        );
        let own = domain::training::TopicDraft {
            name: "Chaperoning".into(),
            level: String::new(),
            roles: vec![Role::Receptionist, Role::PracticeNurse],
            renewal_months: None,
            evidence_required: true,
            source: String::new(),
        };
        let own_id = new_id();
        store::training::insert_topic(&mut tx, &own_id, "Y99901", None, &own, NOW)
            .await
            .unwrap();
        let pdf = b"%PDF-1.4 certificate".to_vec();
        let meta = store::training::EvidenceMeta {
            id: new_id(),
            file_name: "chaperone.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: pdf.len() as i64,
        };
        store::training::insert_evidence(&mut tx, &meta, &robin, &pdf, NOW)
            .await
            .unwrap();
        let record = domain::training::RecordDraft {
            topic_id: own_id.clone(),
            completed_on: day("2026-02-01"),
            provider: "In-house".into(),
            hours: 1.5,
            expires_on: Some(day("2029-01-31")),
        };
        let record_id = new_id();
        store::training::insert_record(
            &mut tx,
            &record_id,
            &robin,
            &record,
            Some(&meta.id),
            "u1",
            NOW,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let mut conn = db.store.conn().await.unwrap();
        let topics = store::training::list_topics(&mut conn, &["U99901".into(), "Y99901".into()])
            .await
            .unwrap();
        assert_eq!(topics.len(), 2);
        assert_eq!(topics[0].topic, own, "ordered by name");
        assert_eq!(topics[1].default_key.as_deref(), Some("fire_safety"));
        assert!(
            store::training::has_catalogue(&mut conn, "U99901")
                .await
                .unwrap()
        );
        assert!(
            !store::training::has_catalogue(&mut conn, "Y99902")
                .await
                .unwrap()
        );

        let (stored, owner, bytes) = store::training::get_evidence(&mut conn, &meta.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((stored, owner, bytes), (meta.clone(), robin.clone(), pdf));

        let records = store::training::list_records(&mut conn, StaffScope::WorksAt("Y99901"))
            .await
            .unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].draft, record);
        assert_eq!(records[0].evidence.as_ref(), Some(&meta));
        assert_eq!(records[0].verified_at, None);
        store::training::verify_record(&mut conn, &record_id, "manager", NOW)
            .await
            .unwrap();
        assert!(matches!(
            store::training::verify_record(&mut conn, &record_id, "manager", NOW).await,
            Err(StoreError::NotFound)
        ));
        let again = store::training::get_record(&mut conn, &record_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.verified_by.as_deref(), Some("manager"));

        // The matrix reads one row a person, their practices and records packed into it.
        let sam = new_id();
        let pharmacist = person(
            "Sam Pill",
            "sam@riverside.example",
            Employer::Practice(OdsCode::parse("Y99901").unwrap()),
            &["Y99901", "Y88801"],
        );
        store::register::insert(&mut conn, &sam, &pharmacist, &[], NOW)
            .await
            .unwrap();
        for completed in ["2023-05-02", "2025-05-01"] {
            let draft = domain::training::RecordDraft {
                topic_id: topic_id.clone(),
                completed_on: day(completed),
                provider: "Fire service".into(),
                hours: 1.0,
                expires_on: None,
            };
            store::training::insert_record(&mut conn, &new_id(), &sam, &draft, None, "u1", NOW)
                .await
                .unwrap();
        }
        let people = store::training::matrix_people(
            &mut conn,
            StaffScope::WorksAt("Y99901"),
            &StaffFilter::default(),
        )
        .await
        .unwrap();
        let names: Vec<&str> = people.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Robin Desk", "Sam Pill"], "ordered by name");
        assert_eq!(people[0].role, Role::Receptionist);
        assert_eq!(people[0].employer_pcn, None);
        assert_eq!(
            people[0].records,
            [store::training::RecordBrief {
                topic_id: own_id.clone(),
                completed_on: day("2026-02-01"),
                expires_on: Some(day("2029-01-31")),
                added_at: NOW.into(),
                verified: true,
            }]
        );
        let mut practices = people[1].practices.clone();
        practices.sort();
        assert_eq!(
            practices,
            [
                ("Y88801".to_string(), None),
                ("Y99901".to_string(), Some("U99901".to_string()))
            ]
        );
        let mut completed: Vec<_> = people[1].records.iter().map(|r| r.completed_on).collect();
        completed.sort();
        assert_eq!(completed, [day("2023-05-02"), day("2025-05-01")]);
        assert!(
            people[1]
                .records
                .iter()
                .all(|r| r.expires_on.is_none() && !r.verified)
        );
        let narrowed = store::training::matrix_people(
            &mut conn,
            StaffScope::Pcn("U99901"),
            &StaffFilter {
                search: Some("pill".into()),
                ..StaffFilter::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(narrowed.len(), 1);
        assert_eq!(narrowed[0].id, sam);

        store::training::retire_topic(&mut conn, &own_id)
            .await
            .unwrap();
        let topics = store::training::list_topics(&mut conn, &["Y99901".into()])
            .await
            .unwrap();
        assert!(topics.is_empty(), "retired topics leave the catalogue");

        assert!(
            store::training::claim_reminder(
                &mut conn,
                "training_expiry",
                &robin,
                "t:2026-12-01",
                NOW
            )
            .await
            .unwrap()
        );
        assert!(
            !store::training::claim_reminder(
                &mut conn,
                "training_expiry",
                &robin,
                "t:2026-12-01",
                NOW
            )
            .await
            .unwrap()
        );
        store::training::release_reminder(&mut conn, "training_expiry", &robin, "t:2026-12-01")
            .await
            .unwrap();
        assert!(
            store::training::claim_reminder(
                &mut conn,
                "training_expiry",
                &robin,
                "t:2026-12-01",
                NOW
            )
            .await
            .unwrap()
        );
    }
);

// The anonymity invariant, in the schema and in storage: an answer row names no person
// and no time finer than the period, the answered-marker holds no answer, and neither ids
// nor storage order follow the order people answered in.
on_both!(
    wellbeing_answers_cannot_be_joined_to_a_person,
    async |db: &TestDb| {
        let answers = store::wellbeing::table_columns(&db.store, "wellbeing_answers")
            .await
            .unwrap();
        assert_eq!(
            answers,
            [
                "id",
                "questionnaire_id",
                "period_start",
                "practice_ods",
                "staff_group",
                "q1",
                "q2",
                "q3",
                "q4",
                "q5",
                "q6",
                "q7",
                "q8",
                "q9",
                "q10",
                "comment"
            ]
        );
        for column in &answers {
            for banned in ["staff_id", "user", "person", "email", "name", "_at", "time"] {
                assert!(
                    !column.contains(banned),
                    "{column} could link an answer to a person or a moment"
                );
            }
        }
        assert_eq!(
            store::wellbeing::table_columns(&db.store, "wellbeing_answered")
                .await
                .unwrap(),
            ["staff_id", "period_start"],
            "the marker holds who and which period, nothing of the answer"
        );

        assert_eq!(
            store::wellbeing::table_columns(&db.store, "wellbeing_pending")
                .await
                .unwrap(),
            ["id", "questionnaire_id", "period_start", "sealed"],
            "an open period's answer: a sealed box, its period, nothing else"
        );

        seed_pcn(db).await;
        let mut tx = db.store.begin().await.unwrap();
        let q = store::wellbeing::QuestionnaireRecord {
            id: "q-test".into(),
            tenant_code: "U99901".into(),
            settings: domain::wellbeing::CheckinSettings::default(),
            created_at: NOW.into(),
        };
        store::wellbeing::insert_questionnaire(&mut tx, &q)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // Twelve sealed boxes, one transaction each as in the product; the box records the
        // order they were given in.
        for i in 0..12u8 {
            let mut tx = db.store.begin().await.unwrap();
            store::wellbeing::insert_pending(
                &mut tx,
                "q-test",
                "2026-03-23",
                &format!("box {i:02}"),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }
        let mut conn = db.store.conn().await.unwrap();
        assert_eq!(
            store::wellbeing::pending_periods(&mut conn).await.unwrap(),
            [("q-test".to_string(), "2026-03-23".to_string(), 4)]
        );
        let pending = store::wellbeing::pending(&mut conn, "q-test", "2026-03-23")
            .await
            .unwrap();
        assert_eq!(pending.len(), 12);
        for row in &pending {
            assert_eq!(row.id.len(), 32, "128 random bits");
            let parsed = uuid::Uuid::parse_str(&row.id).unwrap();
            assert_eq!(parsed.get_version_num(), 4, "random ids, not time-ordered");
        }
        let by_id: Vec<&str> = pending.iter().map(|r| r.sealed.as_str()).collect();
        let mut given_order = by_id.clone();
        given_order.sort();
        assert_ne!(
            by_id, given_order,
            "id order does not follow the order of answering (1 in 12! chance of a false alarm)"
        );
        // Taken once: a second process closing the period takes nothing.
        assert!(
            store::wellbeing::take_pending(&mut conn, &pending[0].id)
                .await
                .unwrap()
        );
        assert!(
            !store::wellbeing::take_pending(&mut conn, &pending[0].id)
                .await
                .unwrap()
        );
        drop(conn);

        // Results, as a closed period writes them: random (v4) ids, stored in the order
        // given (the app shuffles them first).
        let mut tx = db.store.begin().await.unwrap();
        for i in 0..12u8 {
            let answers = domain::wellbeing::Answers {
                scores: vec![1 + i % 5; 5],
                comment: Some(format!("answer {i:02}")),
            };
            store::wellbeing::insert_answer(
                &mut tx,
                "q-test",
                "2026-03-02",
                "Y99901",
                domain::role::StaffGroup::Nurses,
                &answers,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let rows = store::testing::rows_as_text(&db.store, "wellbeing_answers")
            .await
            .unwrap();
        assert_eq!(rows.len(), 12);
        for row in &rows {
            let parsed = uuid::Uuid::parse_str(row["id"].as_ref().unwrap()).unwrap();
            assert_eq!(parsed.get_version_num(), 4, "random ids, not time-ordered");
        }
        let stored = store::wellbeing::ids_in_storage_order(&db.store, "wellbeing_answers")
            .await
            .unwrap();
        assert_eq!(stored.len(), 12);
        assert!(
            store::wellbeing::ids_in_storage_order(&db.store, "staff")
                .await
                .is_err(),
            "only the wellbeing tables"
        );

        // The marker refuses a second answer in the period, and is per person.
        let mut conn = db.store.conn().await.unwrap();
        let staff_id = new_id();
        store::register::insert(
            &mut conn,
            &staff_id,
            &person(
                "Nia Nurse",
                "nia@example.nhs.uk",
                Employer::Practice(OdsCode::parse("Y99901").unwrap()),
                &["Y99901"],
            ),
            &[],
            NOW,
        )
        .await
        .unwrap();
        assert!(
            store::wellbeing::mark_answered(&mut conn, &staff_id, "2026-03-02")
                .await
                .unwrap()
        );
        assert!(
            !store::wellbeing::mark_answered(&mut conn, &staff_id, "2026-03-02")
                .await
                .unwrap()
        );
        assert!(
            store::wellbeing::has_answered(&mut conn, &staff_id, "2026-03-02")
                .await
                .unwrap()
        );
        assert!(
            !store::wellbeing::has_answered(&mut conn, &staff_id, "2026-03-30")
                .await
                .unwrap()
        );
        let read = store::wellbeing::answers(&mut conn, "q-test", &["Y99901".into()])
            .await
            .unwrap();
        assert_eq!(read.len(), 12);
        assert!(
            store::wellbeing::answers(&mut conn, "q-test", &["Y99902".into()])
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both!(
    development_cpd_dates_coaching_notes_and_goals,
    async |db: &TestDb| {
        use domain::development::*;
        seed_pcn(db).await;
        let mut conn = db.store.conn().await.unwrap();
        let kim = new_id();
        let mut gp = person(
            "Kim Doctor",
            "kim@riverside.example",
            Employer::Practice(OdsCode::parse("Y99901").unwrap()),
            &["Y99901"],
        );
        gp.role = Role::SalariedGp;
        store::register::insert(&mut conn, &kim, &gp, &[], NOW)
            .await
            .unwrap();

        // CPD, newest first; hours as DOUBLE PRECISION.
        for (date, hours) in [("2026-03-01", 1.5), ("2026-06-01", 2.25)] {
            let draft = CpdDraft {
                done_on: day(date),
                activity: format!("Course {date}"),
                hours,
                reflection: "Learned".into(),
            };
            store::development::insert_cpd(&mut conn, &new_id(), &kim, &draft, NOW)
                .await
                .unwrap();
        }
        let cpd = store::development::list_cpd(&mut conn, &kim).await.unwrap();
        assert_eq!(cpd.len(), 2);
        assert_eq!(cpd[0].draft.done_on, day("2026-06-01"));
        assert_eq!(cpd[0].draft.hours, 2.25);

        // Dates: none until set, then replaced; due within a window.
        assert_eq!(
            store::development::get_dates(&mut conn, &kim)
                .await
                .unwrap(),
            ProfessionalDates::default()
        );
        for appraisal in ["2026-12-01", "2026-12-10"] {
            let dates = ProfessionalDates {
                appraisal_due: Some(day(appraisal)),
                revalidation_due: Some(day("2029-01-01")),
            };
            store::development::set_dates(&mut conn, &kim, &dates, "u", NOW)
                .await
                .unwrap();
        }
        let due = store::development::dates_due(&mut conn, day("2026-11-23"), day("2026-12-23"))
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].dates.appraisal_due, Some(day("2026-12-10")));
        assert!(
            store::development::dates_due(&mut conn, day("2026-12-11"), day("2027-01-10"))
                .await
                .unwrap()
                .is_empty()
        );

        // Coaching: a second enrolment is a conflict; a note is read only by get_note.
        let programme = new_id();
        let draft = ProgrammeDraft {
            name: "Coaching".into(),
            description: String::new(),
            sessions: 3,
            minutes_per_session: 90,
        };
        store::development::insert_programme(&mut conn, &programme, "U99901", &draft, NOW)
            .await
            .unwrap();
        let enrolment = new_id();
        store::development::insert_enrolment(&mut conn, &enrolment, &programme, &kim, "u", NOW)
            .await
            .unwrap();
        assert!(matches!(
            store::development::insert_enrolment(&mut conn, &new_id(), &programme, &kim, "u", NOW)
                .await,
            Err(StoreError::Conflict(_))
        ));
        let session = new_id();
        let booked = SessionDraft {
            date: day("2026-12-03"),
            start_time: chrono::NaiveTime::from_hms_opt(14, 30, 0).unwrap(),
            place: "Room 2, Riverside".into(),
            coach: "Alex Coach".into(),
        };
        store::development::insert_session(&mut conn, &session, &enrolment, &booked, NOW)
            .await
            .unwrap();
        store::development::set_attendance(&mut conn, &session, Attendance::DidNotAttend)
            .await
            .unwrap();
        store::development::set_note(&mut conn, &session, "first", NOW)
            .await
            .unwrap();
        store::development::set_note(&mut conn, &session, "second", NOW)
            .await
            .unwrap();
        let sessions =
            store::development::list_sessions(&mut conn, std::slice::from_ref(&enrolment))
                .await
                .unwrap();
        assert_eq!(sessions.len(), 1);
        assert_eq!(sessions[0].draft, booked);
        assert_eq!(sessions[0].attendance, Some(Attendance::DidNotAttend));
        assert_eq!(
            store::development::get_note(&mut conn, &session)
                .await
                .unwrap()
                .as_deref(),
            Some("second")
        );
        // The rota reads the booking with its programme's length, for the dates asked only.
        let booked_for = |from: &'static str, to: &'static str| {
            let ids = vec![kim.clone()];
            async move {
                let mut conn = db.store.conn().await.unwrap();
                store::development::booked_coaching(&mut conn, &ids, from, to)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            booked_for("2026-11-30", "2026-12-06").await,
            vec![store::development::BookedCoaching {
                staff_id: kim.clone(),
                date: day("2026-12-03"),
                start_time: booked.start_time,
                minutes: 90,
                programme: "Coaching".into(),
            }]
        );
        assert!(booked_for("2026-12-04", "2026-12-31").await.is_empty());

        // Goals keep their links.
        let goal = new_id();
        let mut draft = GoalDraft {
            title: "Lead QI".into(),
            target_date: Some(day("2027-03-31")),
            status: GoalStatus::NotStarted,
            progress: String::new(),
            topic_ids: vec!["t1".into(), "t2".into()],
            enrolment_id: Some(enrolment.clone()),
        };
        store::development::insert_goal(&mut conn, &goal, &kim, &draft, NOW)
            .await
            .unwrap();
        draft.status = GoalStatus::Done;
        draft.topic_ids.clear();
        store::development::update_goal(&mut conn, &goal, &draft, NOW)
            .await
            .unwrap();
        let goals = store::development::list_goals(&mut conn, &kim)
            .await
            .unwrap();
        assert_eq!(goals.len(), 1);
        assert_eq!(goals[0].draft, draft);
    }
);

// ---------------------------------------------------------------- rotas

/// A practice site with one room and three people working at Riverside.
struct RotaWorld {
    site: String,
    room: String,
    staff: Vec<String>,
}

async fn seed_rota_world(db: &TestDb) -> RotaWorld {
    seed_pcn(db).await;
    let mut tx = db.store.begin().await.unwrap();
    let site = new_id();
    store::sites::insert_site(
        &mut tx,
        &site,
        "Y99901",
        &SiteDraft {
            name: "Riverside Main".into(),
            address: String::new(),
        },
    )
    .await
    .unwrap();
    let room = new_id();
    store::sites::insert_room(
        &mut tx,
        &room,
        &site,
        &RoomDraft {
            name: "Room 1".into(),
            capabilities: vec![RoomCapability::Consulting],
        },
    )
    .await
    .unwrap();
    let mut staff = Vec::new();
    for name in ["Ash", "Bo", "Cy"] {
        let id = new_id();
        let draft = person(
            name,
            &format!("{}@riverside.example", name.to_lowercase()),
            Employer::Practice(OdsCode::parse("Y99901").unwrap()),
            &["Y99901"],
        );
        store::register::insert(&mut tx, &id, &draft, &[], NOW)
            .await
            .unwrap();
        staff.push(id);
    }
    tx.commit().await.unwrap();
    RotaWorld { site, room, staff }
}

fn new_rota(
    id: &str,
    scope_kind: &str,
    scope_code: &str,
    starts_on: &str,
    weeks: i64,
    created_at: &str,
) -> NewRota {
    NewRota {
        id: id.into(),
        scope_kind: scope_kind.into(),
        scope_code: scope_code.into(),
        starts_on: starts_on.into(),
        weeks,
        time_limit_seconds: 60,
        created_by: Some("manager".into()),
        created_at: created_at.into(),
    }
}

/// Queues, runs and finishes a rota as worker "w", so it can be published.
async fn done_rota(conn: &mut store::Conn, rota: &NewRota) {
    store::rota::insert_rota(conn, rota).await.unwrap();
    let claimed = store::rota::claim_next(conn, "w", &rota.created_at, "2000-01-01T00:00:00Z")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed.id, rota.id);
    assert!(
        store::rota::finish(
            conn,
            &rota.id,
            "w",
            "done",
            Some(0),
            Some(0),
            Some("[]"),
            None,
            &rota.created_at
        )
        .await
        .unwrap()
    );
}

fn assignment(
    staff: &str,
    day: &str,
    session: &str,
    site: &str,
    room: Option<&str>,
) -> AssignmentRow {
    AssignmentRow {
        staff_id: staff.into(),
        day: day.into(),
        session: session.into(),
        site_id: site.into(),
        room_id: room.map(Into::into),
    }
}

on_both!(rota_site_sessions_upsert_and_list, async |db: &TestDb| {
    let world = seed_rota_world(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let evening = SiteSessionRow {
        site_id: world.site.clone(),
        session: "evening".into(),
        starts: "18:30".into(),
        ends: "20:00".into(),
        open: true,
    };
    let mut am = SiteSessionRow {
        site_id: world.site.clone(),
        session: "am".into(),
        starts: "08:00".into(),
        ends: "12:30".into(),
        open: true,
    };
    store::rota::upsert_site_session(&mut conn, &evening)
        .await
        .unwrap();
    store::rota::upsert_site_session(&mut conn, &am)
        .await
        .unwrap();
    am.starts = "08:30".into();
    am.open = false;
    store::rota::upsert_site_session(&mut conn, &am)
        .await
        .unwrap();
    let rows = store::rota::list_site_sessions(&mut conn, std::slice::from_ref(&world.site))
        .await
        .unwrap();
    assert_eq!(rows, vec![am, evening], "one row a session, in day order");
    assert!(
        store::rota::list_site_sessions(&mut conn, &[])
            .await
            .unwrap()
            .is_empty()
    );
    let bad = SiteSessionRow {
        site_id: world.site.clone(),
        session: "night".into(),
        starts: "22:00".into(),
        ends: "23:00".into(),
        open: true,
    };
    assert!(
        store::rota::upsert_site_session(&mut conn, &bad)
            .await
            .is_err()
    );
});

on_both!(rota_cover_replace_is_a_replacement, async |db: &TestDb| {
    let world = seed_rota_world(db).await;
    let mut tx = db.store.begin().await.unwrap();
    let other = new_id();
    store::sites::insert_site(
        &mut tx,
        &other,
        "Y99902",
        &SiteDraft {
            name: "Castle".into(),
            address: String::new(),
        },
    )
    .await
    .unwrap();
    let cover = |site: &str, weekday: i64, session: &str, need: &str, minimum: i64| CoverRow {
        id: new_id(),
        site_id: site.into(),
        weekday,
        session: session.into(),
        need: need.into(),
        minimum,
        ideal: minimum + 1,
    };
    store::rota::replace_cover(
        &mut tx,
        &world.site,
        &[
            cover(&world.site, 0, "am", "group:gp", 2),
            cover(&world.site, 1, "pm", "role:practice_nurse", 1),
        ],
    )
    .await
    .unwrap();
    store::rota::replace_cover(
        &mut tx,
        &other,
        &[cover(&other, 5, "saturday", "group:gp", 1)],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.store.begin().await.unwrap();
    let replacement = vec![
        cover(&world.site, 0, "pm", "skill:minor surgery", 1),
        cover(&world.site, 0, "am", "role:practice_nurse", 1),
        cover(&world.site, 0, "am", "group:gp", 3),
    ];
    store::rota::replace_cover(&mut tx, &world.site, &replacement)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut conn = db.store.conn().await.unwrap();
    let listed = store::rota::list_cover(&mut conn, std::slice::from_ref(&world.site))
        .await
        .unwrap();
    assert_eq!(
        listed,
        vec![
            replacement[2].clone(),
            replacement[1].clone(),
            replacement[0].clone()
        ],
        "the old rows are gone, the new ones ordered by weekday, session, need"
    );
    assert_eq!(
        store::rota::list_cover(&mut conn, &[world.site.clone(), other.clone()])
            .await
            .unwrap()
            .len(),
        4,
        "another site's cover is untouched"
    );
    let duplicate = vec![
        cover(&world.site, 0, "am", "group:gp", 1),
        cover(&world.site, 0, "am", "group:gp", 2),
    ];
    assert!(matches!(
        store::rota::replace_cover(&mut conn, &world.site, &duplicate).await,
        Err(StoreError::Conflict(_))
    ));
});

on_both!(rota_rules_upsert, async |db: &TestDb| {
    let world = seed_rota_world(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let mut rules = RulesRow {
        staff_id: world.staff[1].clone(),
        fixed_sessions: "mon:am;tue:pm".into(),
        days_never: "wed".into(),
        max_evenings_month: Some(2),
        max_saturdays_month: None,
        appointments_per_session: Some(16),
        appointment_minutes: Some(10),
        updated_at: NOW.into(),
    };
    store::rota::upsert_rules(&mut conn, &rules).await.unwrap();
    rules.days_never = "wed;fri".into();
    rules.max_evenings_month = None;
    rules.max_saturdays_month = Some(1);
    rules.updated_at = "2026-11-24T09:00:00Z".into();
    store::rota::upsert_rules(&mut conn, &rules).await.unwrap();
    assert_eq!(
        store::rota::list_rules(&mut conn, &world.staff)
            .await
            .unwrap(),
        vec![rules.clone()],
        "one row a person, the latest values; people without rules are left out"
    );
    assert!(
        store::rota::list_rules(&mut conn, &[])
            .await
            .unwrap()
            .is_empty()
    );
});

on_both!(rota_job_lifecycle, async |db: &TestDb| {
    seed_pcn(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let rota = |id: &str, created_at: &str| {
        new_rota(id, "practice", "Y99901", "2026-12-07", 4, created_at)
    };

    // Queued, claimed by A; B finds nothing.
    store::rota::insert_rota(&mut conn, &rota("r1", "2026-11-23T09:00:00Z"))
        .await
        .unwrap();
    let queued = store::rota::get_rota(&mut conn, "r1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            queued.status.as_str(),
            queued.progress,
            queued.cancel_requested
        ),
        ("queued", 0.0, false)
    );
    let claimed = store::rota::claim_next(
        &mut conn,
        "A",
        "2026-11-23T10:00:00Z",
        "2026-11-23T09:55:00Z",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(claimed.id, "r1");
    assert_eq!(claimed.status, "running");
    assert_eq!(claimed.worker.as_deref(), Some("A"));
    assert_eq!(claimed.started_at.as_deref(), Some("2026-11-23T10:00:00Z"));
    assert_eq!(
        claimed.heartbeat_at.as_deref(),
        Some("2026-11-23T10:00:00Z")
    );
    assert_eq!(
        store::rota::claim_next(
            &mut conn,
            "B",
            "2026-11-23T10:00:01Z",
            "2026-11-23T09:55:01Z"
        )
        .await
        .unwrap(),
        None
    );

    // Heartbeats: A's are recorded, B's are refused and tell B to stop.
    assert!(
        !store::rota::heartbeat(
            &mut conn,
            "r1",
            "A",
            "2026-11-23T10:00:30Z",
            0.5,
            Some(3),
            Some(100)
        )
        .await
        .unwrap()
    );
    assert!(
        store::rota::heartbeat(
            &mut conn,
            "r1",
            "B",
            "2026-11-23T10:00:30Z",
            0.9,
            Some(0),
            Some(1)
        )
        .await
        .unwrap()
    );
    assert!(
        !store::rota::heartbeat(
            &mut conn,
            "r1",
            "A",
            "2026-11-23T10:00:40Z",
            0.6,
            None,
            None
        )
        .await
        .unwrap()
    );
    let running = store::rota::get_rota(&mut conn, "r1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(running.progress, 0.6);
    assert_eq!(
        (running.hard_violations, running.soft_penalty),
        (Some(3), Some(100)),
        "no scores keeps the last"
    );
    assert_eq!(
        running.heartbeat_at.as_deref(),
        Some("2026-11-23T10:00:40Z")
    );

    // Cancel a running job: the worker hears it at its next heartbeat and finishes.
    store::rota::request_cancel(&mut conn, "r1").await.unwrap();
    assert!(
        store::rota::heartbeat(
            &mut conn,
            "r1",
            "A",
            "2026-11-23T10:00:50Z",
            0.7,
            None,
            None
        )
        .await
        .unwrap()
    );
    assert!(
        !store::rota::finish(
            &mut conn,
            "r1",
            "B",
            "cancelled",
            None,
            None,
            None,
            None,
            "2026-11-23T10:01:00Z"
        )
        .await
        .unwrap(),
        "only the owner finishes"
    );
    assert!(
        store::rota::finish(
            &mut conn,
            "r1",
            "A",
            "cancelled",
            None,
            None,
            None,
            None,
            "2026-11-23T10:01:00Z"
        )
        .await
        .unwrap()
    );
    let cancelled = store::rota::get_rota(&mut conn, "r1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cancelled.status, "cancelled");
    assert!(cancelled.cancel_requested);
    assert_eq!(
        cancelled.finished_at.as_deref(),
        Some("2026-11-23T10:01:00Z")
    );
    assert!(
        !store::rota::finish(
            &mut conn,
            "r1",
            "A",
            "done",
            None,
            None,
            None,
            None,
            "2026-11-23T10:02:00Z"
        )
        .await
        .unwrap(),
        "a finished job stays finished"
    );
    store::rota::request_cancel(&mut conn, "r1").await.unwrap();

    // A worker that stops sending heartbeats loses its job once they are stale.
    store::rota::insert_rota(&mut conn, &rota("r2", "2026-11-23T11:00:00Z"))
        .await
        .unwrap();
    store::rota::claim_next(
        &mut conn,
        "A",
        "2026-11-23T11:00:00Z",
        "2026-11-23T10:55:00Z",
    )
    .await
    .unwrap()
    .unwrap();
    assert!(
        !store::rota::heartbeat(
            &mut conn,
            "r2",
            "A",
            "2026-11-23T11:00:10Z",
            0.1,
            Some(5),
            Some(500)
        )
        .await
        .unwrap()
    );
    assert_eq!(
        store::rota::claim_next(
            &mut conn,
            "B",
            "2026-11-23T11:05:00Z",
            "2026-11-23T11:00:05Z"
        )
        .await
        .unwrap(),
        None,
        "a fresh heartbeat keeps the job"
    );
    let taken = store::rota::claim_next(
        &mut conn,
        "B",
        "2026-11-23T11:10:00Z",
        "2026-11-23T11:05:00Z",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(taken.id, "r2");
    assert_eq!(taken.worker.as_deref(), Some("B"));
    assert_eq!(
        taken.started_at.as_deref(),
        Some("2026-11-23T11:00:00Z"),
        "the first start is kept"
    );
    assert_eq!(taken.heartbeat_at.as_deref(), Some("2026-11-23T11:10:00Z"));
    assert!(
        store::rota::heartbeat(
            &mut conn,
            "r2",
            "A",
            "2026-11-23T11:10:01Z",
            0.2,
            None,
            None
        )
        .await
        .unwrap(),
        "the old worker is told to stop"
    );
    assert!(
        !store::rota::finish(
            &mut conn,
            "r2",
            "A",
            "done",
            Some(9),
            Some(9),
            Some("[]"),
            None,
            "2026-11-23T11:10:02Z"
        )
        .await
        .unwrap()
    );
    assert!(
        store::rota::finish(
            &mut conn,
            "r2",
            "B",
            "done",
            Some(0),
            Some(42),
            Some(r#"[{"rule":"cover"}]"#),
            None,
            "2026-11-23T11:11:00Z"
        )
        .await
        .unwrap()
    );
    let done = store::rota::get_rota(&mut conn, "r2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, "done");
    assert_eq!(done.progress, 1.0);
    assert_eq!(
        (done.hard_violations, done.soft_penalty),
        (Some(0), Some(42))
    );
    assert_eq!(done.problems_json.as_deref(), Some(r#"[{"rule":"cover"}]"#));
    store::rota::set_scores(&mut conn, "r2", 1, 50, "[]")
        .await
        .unwrap();
    let edited = store::rota::get_rota(&mut conn, "r2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            edited.hard_violations,
            edited.soft_penalty,
            edited.problems_json.as_deref()
        ),
        (Some(1), Some(50), Some("[]"))
    );
    assert!(matches!(
        store::rota::set_scores(&mut conn, "nope", 0, 0, "[]").await,
        Err(StoreError::NotFound)
    ));

    // A failed run keeps its error.
    store::rota::insert_rota(&mut conn, &rota("r3", "2026-11-23T12:00:00Z"))
        .await
        .unwrap();
    store::rota::claim_next(
        &mut conn,
        "A",
        "2026-11-23T12:00:00Z",
        "2026-11-23T11:55:00Z",
    )
    .await
    .unwrap()
    .unwrap();
    assert!(
        store::rota::finish(
            &mut conn,
            "r3",
            "A",
            "failed",
            None,
            None,
            None,
            Some("no staff"),
            "2026-11-23T12:00:05Z"
        )
        .await
        .unwrap()
    );
    let failed = store::rota::get_rota(&mut conn, "r3")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            failed.status.as_str(),
            failed.error.as_deref(),
            failed.progress
        ),
        ("failed", Some("no staff"), 0.0)
    );

    // Cancelling a queued job ends it at once; nothing is left to claim.
    store::rota::insert_rota(&mut conn, &rota("r4", "2026-11-23T13:00:00Z"))
        .await
        .unwrap();
    store::rota::request_cancel(&mut conn, "r4").await.unwrap();
    let r4 = store::rota::get_rota(&mut conn, "r4")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r4.status, "cancelled");
    assert!(r4.finished_at.is_some());
    assert_eq!(
        store::rota::claim_next(
            &mut conn,
            "A",
            "2026-11-23T13:00:01Z",
            "2026-11-23T12:55:00Z"
        )
        .await
        .unwrap(),
        None
    );
    assert!(matches!(
        store::rota::request_cancel(&mut conn, "nope").await,
        Err(StoreError::NotFound)
    ));

    // A dead worker's job whose cancellation was asked for is cancelled, not claimed.
    store::rota::insert_rota(&mut conn, &rota("r5", "2026-11-23T14:00:00Z"))
        .await
        .unwrap();
    store::rota::claim_next(
        &mut conn,
        "A",
        "2026-11-23T14:00:00Z",
        "2026-11-23T13:55:00Z",
    )
    .await
    .unwrap()
    .unwrap();
    store::rota::request_cancel(&mut conn, "r5").await.unwrap();
    assert_eq!(
        store::rota::claim_next(
            &mut conn,
            "B",
            "2026-11-23T15:00:00Z",
            "2026-11-23T14:55:00Z"
        )
        .await
        .unwrap(),
        None
    );
    assert_eq!(
        store::rota::get_rota(&mut conn, "r5")
            .await
            .unwrap()
            .unwrap()
            .status,
        "cancelled"
    );

    // The oldest queued job goes first.
    store::rota::insert_rota(&mut conn, &rota("r7", "2026-11-23T16:00:01Z"))
        .await
        .unwrap();
    store::rota::insert_rota(&mut conn, &rota("r6", "2026-11-23T16:00:00Z"))
        .await
        .unwrap();
    let next = store::rota::claim_next(
        &mut conn,
        "A",
        "2026-11-23T16:01:00Z",
        "2026-11-23T15:56:00Z",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(next.id, "r6");

    // Lists, newest first.
    store::rota::insert_rota(
        &mut conn,
        &new_rota(
            "p1",
            "pcn",
            "U99901",
            "2026-12-07",
            2,
            "2026-11-23T17:00:00Z",
        ),
    )
    .await
    .unwrap();
    store::rota::insert_rota(
        &mut conn,
        &new_rota(
            "o1",
            "practice",
            "Y99902",
            "2026-12-07",
            2,
            "2026-11-23T18:00:00Z",
        ),
    )
    .await
    .unwrap();
    let ids = |rows: Vec<RotaRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        ids(store::rota::list_rotas(&mut conn, "practice", "Y99901", 3)
            .await
            .unwrap()),
        ["r7", "r6", "r5"]
    );
    assert_eq!(
        ids(store::rota::list_rotas_for_scopes(
            &mut conn,
            &["Y99901".into()],
            &["U99901".into()],
            3
        )
        .await
        .unwrap()),
        ["p1", "r7", "r6"]
    );
    assert_eq!(
        ids(
            store::rota::list_rotas_for_scopes(&mut conn, &[], &["U99901".into()], 10)
                .await
                .unwrap()
        ),
        ["p1"]
    );
    assert!(
        store::rota::list_rotas_for_scopes(&mut conn, &[], &[], 10)
            .await
            .unwrap()
            .is_empty()
    );
});

on_both!(rota_claim_race_has_one_winner, async |db: &TestDb| {
    seed_pcn(db).await;
    for round in 0..5 {
        let id = format!("race{round}");
        {
            let mut conn = db.store.conn().await.unwrap();
            store::rota::insert_rota(
                &mut conn,
                &new_rota(&id, "practice", "Y99901", "2026-12-07", 1, NOW),
            )
            .await
            .unwrap();
        }
        let mut a = db.store.conn().await.unwrap();
        let mut b = db.store.conn().await.unwrap();
        let (won_a, won_b) = tokio::join!(
            store::rota::claim_next(&mut a, "A", NOW, "2026-11-23T08:55:00Z"),
            store::rota::claim_next(&mut b, "B", NOW, "2026-11-23T08:55:00Z"),
        );
        let winners: Vec<RotaRow> = [won_a.unwrap(), won_b.unwrap()]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one claimer wins");
        assert_eq!(winners[0].id, id);
        let stored = store::rota::get_rota(&mut a, &id).await.unwrap().unwrap();
        assert_eq!(stored.worker, winners[0].worker);
        let worker = stored.worker.unwrap();
        assert!(
            store::rota::finish(
                &mut a,
                &id,
                &worker,
                "done",
                Some(0),
                Some(0),
                None,
                None,
                NOW
            )
            .await
            .unwrap()
        );
    }
});

on_both!(
    rota_version_moves_only_from_the_version_seen,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut conn = db.store.conn().await.unwrap();
        async fn version(conn: &mut store::Conn) -> i64 {
            store::rota::get_rota(conn, "v1")
                .await
                .unwrap()
                .unwrap()
                .version
        }
        let rota = new_rota("v1", "practice", "Y99901", "2026-12-07", 1, NOW);
        store::rota::insert_rota(&mut conn, &rota).await.unwrap();
        assert_eq!(version(&mut conn).await, 0);
        // A solve's result is a new version.
        store::rota::claim_next(&mut conn, "w", NOW, "2000-01-01T00:00:00Z")
            .await
            .unwrap()
            .unwrap();
        assert!(
            store::rota::finish(
                &mut conn,
                "v1",
                "w",
                "done",
                Some(0),
                Some(0),
                None,
                None,
                NOW
            )
            .await
            .unwrap()
        );
        assert_eq!(version(&mut conn).await, 1);
        // An edit from the version shown moves it on; a second edit from the same version
        // finds it moved and changes nothing.
        assert!(store::rota::bump_version(&mut conn, "v1", 1).await.unwrap());
        assert!(!store::rota::bump_version(&mut conn, "v1", 1).await.unwrap());
        assert_eq!(version(&mut conn).await, 2);
        assert!(
            !store::rota::bump_version(&mut conn, "nope", 0)
                .await
                .unwrap()
        );
        drop(conn);

        // Two changes at once, each in its own transaction, from the same version: one wins.
        for round in 0..5 {
            let seen = 2 + round;
            let attempt = async || {
                let mut tx = db.store.begin().await.unwrap();
                let won = store::rota::bump_version(&mut tx, "v1", seen)
                    .await
                    .unwrap();
                tokio::task::yield_now().await;
                tx.commit().await.unwrap();
                won
            };
            let (a, b) = tokio::join!(attempt(), attempt());
            assert!(
                a ^ b,
                "round {round}: exactly one of two changes from version {seen} wins"
            );
            let mut conn = db.store.conn().await.unwrap();
            assert_eq!(version(&mut conn).await, seen + 1);
        }
        // A change sent without a version (the API's publish) moves it on whatever it is.
        let mut conn = db.store.conn().await.unwrap();
        assert!(
            store::rota::bump_version_unchecked(&mut conn, "v1")
                .await
                .unwrap()
        );
        assert_eq!(version(&mut conn).await, 8);
        assert!(
            !store::rota::bump_version_unchecked(&mut conn, "nope")
                .await
                .unwrap()
        );
    }
);

on_both!(rota_assignments_and_locks, async |db: &TestDb| {
    let world = seed_rota_world(db).await;
    let (site, room) = (world.site.as_str(), world.room.as_str());
    let [ash, bo, _] = [&world.staff[0], &world.staff[1], &world.staff[2]];
    let mut tx = db.store.begin().await.unwrap();
    store::rota::insert_rota(
        &mut tx,
        &new_rota("r1", "practice", "Y99901", "2026-12-07", 1, NOW),
    )
    .await
    .unwrap();
    store::rota::replace_assignments(
        &mut tx,
        "r1",
        &[
            assignment(bo, "2026-12-07", "am", site, None),
            assignment(ash, "2026-12-08", "am", site, None),
            assignment(ash, "2026-12-07", "evening", site, None),
            assignment(ash, "2026-12-07", "am", site, Some(room)),
            assignment(ash, "2026-12-07", "pm", site, Some(room)),
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let mut conn = db.store.conn().await.unwrap();
    let mut first = vec![
        assignment(ash, "2026-12-07", "am", site, Some(room)),
        assignment(ash, "2026-12-07", "pm", site, Some(room)),
        assignment(ash, "2026-12-07", "evening", site, None),
        assignment(ash, "2026-12-08", "am", site, None),
        assignment(bo, "2026-12-07", "am", site, None),
    ];
    if bo < ash {
        first.rotate_left(4);
    }
    assert_eq!(
        store::rota::list_assignments(&mut conn, "r1")
            .await
            .unwrap(),
        first,
        "by person, day, then am < pm < evening"
    );

    // One person-day replaced; the rest stays.
    store::rota::set_staff_day(
        &mut conn,
        "r1",
        ash,
        "2026-12-07",
        &[assignment(ash, "2026-12-07", "pm", site, None)],
    )
    .await
    .unwrap();
    let listed = store::rota::list_assignments(&mut conn, "r1")
        .await
        .unwrap();
    let ash_rows: Vec<_> = listed
        .iter()
        .filter(|a| &a.staff_id == ash)
        .cloned()
        .collect();
    assert_eq!(
        ash_rows,
        vec![
            assignment(ash, "2026-12-07", "pm", site, None),
            assignment(ash, "2026-12-08", "am", site, None)
        ]
    );
    store::rota::set_staff_day(&mut conn, "r1", ash, "2026-12-08", &[])
        .await
        .unwrap();
    assert_eq!(
        store::rota::list_assignments(&mut conn, "r1")
            .await
            .unwrap()
            .len(),
        2,
        "a day off"
    );

    // Replacing the whole rota.
    store::rota::replace_assignments(
        &mut conn,
        "r1",
        &[assignment(bo, "2026-12-12", "saturday", site, None)],
    )
    .await
    .unwrap();
    assert_eq!(
        store::rota::list_assignments(&mut conn, "r1")
            .await
            .unwrap(),
        vec![assignment(bo, "2026-12-12", "saturday", site, None)]
    );

    // A deleted room leaves the session without a room.
    store::rota::set_staff_day(
        &mut conn,
        "r1",
        ash,
        "2026-12-09",
        &[assignment(ash, "2026-12-09", "am", site, Some(room))],
    )
    .await
    .unwrap();
    store::sites::delete_room(&mut conn, room).await.unwrap();
    assert!(
        store::rota::list_assignments(&mut conn, "r1")
            .await
            .unwrap()
            .iter()
            .all(|a| a.room_id.is_none())
    );

    // Locks: idempotent both ways.
    store::rota::set_lock(&mut conn, "r1", ash, "2026-12-08", true)
        .await
        .unwrap();
    store::rota::set_lock(&mut conn, "r1", ash, "2026-12-08", true)
        .await
        .unwrap();
    store::rota::set_lock(&mut conn, "r1", ash, "2026-12-07", true)
        .await
        .unwrap();
    store::rota::set_lock(&mut conn, "r1", bo, "2026-12-07", true)
        .await
        .unwrap();
    store::rota::set_lock(&mut conn, "r1", bo, "2026-12-07", false)
        .await
        .unwrap();
    store::rota::set_lock(&mut conn, "r1", bo, "2026-12-11", false)
        .await
        .unwrap();
    assert_eq!(
        store::rota::list_locks(&mut conn, "r1").await.unwrap(),
        vec![
            (ash.clone(), "2026-12-07".to_string()),
            (ash.clone(), "2026-12-08".to_string())
        ]
    );
    assert!(matches!(
        store::rota::set_lock(&mut conn, "nope", ash, "2026-12-07", true).await,
        Err(StoreError::Conflict(_))
    ));
});

on_both!(
    rota_publish_and_the_later_publication_wins,
    async |db: &TestDb| {
        let world = seed_rota_world(db).await;
        let (site, room) = (world.site.as_str(), world.room.as_str());
        let ash = world.staff[0].as_str();
        let mut conn = db.store.conn().await.unwrap();

        // Two weeks from 7 December: Ash works the 7th am, the 8th pm in Room 1 and the 15th am.
        done_rota(
            &mut conn,
            &new_rota(
                "two",
                "practice",
                "Y99901",
                "2026-12-07",
                2,
                "2026-11-20T09:00:00Z",
            ),
        )
        .await;
        store::rota::replace_assignments(
            &mut conn,
            "two",
            &[
                assignment(ash, "2026-12-07", "am", site, None),
                assignment(ash, "2026-12-08", "pm", site, Some(room)),
                assignment(ash, "2026-12-15", "am", site, None),
            ],
        )
        .await
        .unwrap();
        // A later one-week rota: the 7th pm only, so the 8th is a day off.
        done_rota(
            &mut conn,
            &new_rota(
                "one",
                "practice",
                "Y99901",
                "2026-12-07",
                1,
                "2026-11-21T09:00:00Z",
            ),
        )
        .await;
        store::rota::replace_assignments(
            &mut conn,
            "one",
            &[assignment(ash, "2026-12-07", "pm", site, None)],
        )
        .await
        .unwrap();
        // Never published: never shown.
        store::rota::insert_rota(
            &mut conn,
            &new_rota(
                "draft",
                "practice",
                "Y99901",
                "2026-12-07",
                2,
                "2026-11-22T09:00:00Z",
            ),
        )
        .await
        .unwrap();
        store::rota::replace_assignments(
            &mut conn,
            "draft",
            &[assignment(ash, "2026-12-09", "am", site, None)],
        )
        .await
        .unwrap();

        assert!(
            store::rota::published_for_staff(&mut conn, ash, "2026-12-01", "2026-12-31")
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            store::rota::publish(&mut conn, "draft", "manager", NOW).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store::rota::publish(&mut conn, "nope", "manager", NOW).await,
            Err(StoreError::NotFound)
        ));

        store::rota::publish(&mut conn, "two", "manager", "2026-11-23T10:00:00Z")
            .await
            .unwrap();
        let seen = |rows: Vec<PublishedAssignment>| {
            rows.into_iter()
                .map(|a| (a.rota_id, a.day, a.session))
                .collect::<Vec<_>>()
        };
        let t = |r: &str, d: &str, s: &str| (r.to_string(), d.to_string(), s.to_string());
        let rows = store::rota::published_for_staff(&mut conn, ash, "2026-12-01", "2026-12-31")
            .await
            .unwrap();
        assert_eq!(rows[1].site_name, "Riverside Main");
        assert_eq!(rows[1].practice_ods, "Y99901");
        assert_eq!(rows[1].room_name.as_deref(), Some("Room 1"));
        // Each session carries its times there: the defaults, or the site's own.
        assert_eq!(
            (rows[0].starts.as_str(), rows[0].ends.as_str()),
            ("08:00", "13:00")
        );
        assert_eq!(
            (rows[1].starts.as_str(), rows[1].ends.as_str()),
            ("13:00", "18:30")
        );
        store::rota::upsert_site_session(
            &mut conn,
            &SiteSessionRow {
                site_id: site.to_string(),
                session: "pm".into(),
                starts: "13:30".into(),
                ends: "19:00".into(),
                open: true,
            },
        )
        .await
        .unwrap();
        let timed = store::rota::published_for_staff(&mut conn, ash, "2026-12-08", "2026-12-08")
            .await
            .unwrap();
        assert_eq!(
            (timed[0].starts.as_str(), timed[0].ends.as_str()),
            ("13:30", "19:00")
        );
        assert_eq!(
            seen(rows),
            [
                t("two", "2026-12-07", "am"),
                t("two", "2026-12-08", "pm"),
                t("two", "2026-12-15", "am")
            ]
        );

        store::rota::publish(&mut conn, "one", "manager", "2026-11-23T11:00:00Z")
            .await
            .unwrap();
        let published = store::rota::get_rota(&mut conn, "one")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            published.published_at.as_deref(),
            Some("2026-11-23T11:00:00Z")
        );
        assert_eq!(published.published_by.as_deref(), Some("manager"));
        assert_eq!(
            seen(
                store::rota::published_for_staff(&mut conn, ash, "2026-12-01", "2026-12-31")
                    .await
                    .unwrap()
            ),
            [t("one", "2026-12-07", "pm"), t("two", "2026-12-15", "am")],
            "the later rota owns its week, day off included"
        );
        assert_eq!(
            seen(
                store::rota::published_for_staff(&mut conn, ash, "2026-12-08", "2026-12-15")
                    .await
                    .unwrap()
            ),
            [t("two", "2026-12-15", "am")],
            "the range is inclusive"
        );
        assert!(
            store::rota::published_for_staff(
                &mut conn,
                &world.staff[1],
                "2026-12-01",
                "2026-12-31"
            )
            .await
            .unwrap()
            .is_empty()
        );

        let found = |rota: Option<RotaRow>| rota.map(|r| r.id);
        assert_eq!(
            found(
                store::rota::published_rota_for(&mut conn, "practice", "Y99901", "2026-12-10")
                    .await
                    .unwrap()
            )
            .as_deref(),
            Some("one")
        );
        assert_eq!(
            found(
                store::rota::published_rota_for(&mut conn, "practice", "Y99901", "2026-12-14")
                    .await
                    .unwrap()
            )
            .as_deref(),
            Some("two")
        );

        // Publishing again after edits makes the older rota the latest.
        store::rota::publish(&mut conn, "two", "manager", "2026-11-23T12:00:00Z")
            .await
            .unwrap();
        assert_eq!(
            seen(
                store::rota::published_for_staff(&mut conn, ash, "2026-12-01", "2026-12-31")
                    .await
                    .unwrap()
            ),
            [
                t("two", "2026-12-07", "am"),
                t("two", "2026-12-08", "pm"),
                t("two", "2026-12-15", "am")
            ]
        );
        assert_eq!(
            found(
                store::rota::published_rota_for(&mut conn, "practice", "Y99901", "2026-12-10")
                    .await
                    .unwrap()
            )
            .as_deref(),
            Some("two")
        );
        assert_eq!(
            found(
                store::rota::published_rota_for(&mut conn, "practice", "Y99901", "2026-12-20")
                    .await
                    .unwrap()
            )
            .as_deref(),
            Some("two")
        );
        assert_eq!(
            found(
                store::rota::published_rota_for(&mut conn, "practice", "Y99901", "2026-12-21")
                    .await
                    .unwrap()
            ),
            None
        );
        assert_eq!(
            found(
                store::rota::published_rota_for(&mut conn, "practice", "Y99901", "2026-12-06")
                    .await
                    .unwrap()
            ),
            None
        );
        assert_eq!(
            found(
                store::rota::published_rota_for(&mut conn, "pcn", "U99901", "2026-12-10")
                    .await
                    .unwrap()
            ),
            None
        );
    }
);

on_both!(
    rota_a_publication_hides_only_rotas_whose_scope_covers_the_practice,
    async |db: &TestDb| {
        let world = seed_rota_world(db).await;
        let (main, ash, bo) = (
            world.site.as_str(),
            world.staff[0].as_str(),
            world.staff[1].as_str(),
        );
        let mut conn = db.store.conn().await.unwrap();
        let castle = new_id();
        store::sites::insert_site(
            &mut conn,
            &castle,
            "Y99902",
            &SiteDraft {
                name: "Castle Street".into(),
                address: String::new(),
            },
        )
        .await
        .unwrap();
        let week = |id: &str, kind: &str, code: &str, created: &str| {
            new_rota(id, kind, code, "2026-12-07", 1, created)
        };
        // Ash works mornings at Riverside (Y99901) and a Monday afternoon at Castle Street
        // (Y99902), each practice on its own rota; Bo only at Riverside.
        done_rota(
            &mut conn,
            &week("a", "practice", "Y99901", "2026-11-20T09:00:00Z"),
        )
        .await;
        store::rota::replace_assignments(
            &mut conn,
            "a",
            &[
                assignment(ash, "2026-12-07", "am", main, None),
                assignment(ash, "2026-12-08", "am", main, None),
                assignment(bo, "2026-12-07", "am", main, None),
            ],
        )
        .await
        .unwrap();
        done_rota(
            &mut conn,
            &week("b", "practice", "Y99902", "2026-11-21T09:00:00Z"),
        )
        .await;
        store::rota::replace_assignments(
            &mut conn,
            "b",
            &[assignment(ash, "2026-12-07", "pm", &castle, None)],
        )
        .await
        .unwrap();
        store::rota::publish(&mut conn, "a", "manager", "2026-11-23T10:00:00Z")
            .await
            .unwrap();
        store::rota::publish(&mut conn, "b", "manager", "2026-11-23T11:00:00Z")
            .await
            .unwrap();
        let seen = |rows: Vec<PublishedAssignment>| {
            rows.into_iter()
                .map(|a| (a.rota_id, a.day, a.session))
                .collect::<Vec<_>>()
        };
        let t = |r: &str, d: &str, s: &str| (r.to_string(), d.to_string(), s.to_string());
        let ash_sees = async |conn: &mut store::Conn| {
            seen(
                store::rota::published_for_staff(conn, ash, "2026-12-01", "2026-12-31")
                    .await
                    .unwrap(),
            )
        };
        assert_eq!(
            ash_sees(&mut conn).await,
            [
                t("a", "2026-12-07", "am"),
                t("b", "2026-12-07", "pm"),
                t("a", "2026-12-08", "am")
            ],
            "the later practice rota leaves the other practice's sessions"
        );

        // A later PCN rota covers both practices: it hides both for the people in it.
        done_rota(
            &mut conn,
            &week("p", "pcn", "U99901", "2026-11-22T09:00:00Z"),
        )
        .await;
        store::rota::replace_assignments(
            &mut conn,
            "p",
            &[assignment(ash, "2026-12-09", "am", &castle, None)],
        )
        .await
        .unwrap();
        store::rota::publish(&mut conn, "p", "manager", "2026-11-23T12:00:00Z")
            .await
            .unwrap();
        assert_eq!(ash_sees(&mut conn).await, [t("p", "2026-12-09", "am")]);
        assert_eq!(
            seen(
                store::rota::published_for_staff(&mut conn, bo, "2026-12-01", "2026-12-31")
                    .await
                    .unwrap()
            ),
            [t("a", "2026-12-07", "am")],
            "someone not in the PCN rota keeps their practice's"
        );

        // Riverside publishes its rota again: it wins at Riverside, the PCN's still at Castle.
        store::rota::publish(&mut conn, "a", "manager", "2026-11-23T13:00:00Z")
            .await
            .unwrap();
        assert_eq!(
            ash_sees(&mut conn).await,
            [
                t("a", "2026-12-07", "am"),
                t("a", "2026-12-08", "am"),
                t("p", "2026-12-09", "am")
            ]
        );
        // Several people at once, leaving out a practice's sites.
        let both = [ash.to_string(), bo.to_string()];
        let everyone =
            store::rota::published_sessions(&mut conn, &both, "2026-12-01", "2026-12-31", &[])
                .await
                .unwrap();
        assert_eq!(
            everyone
                .iter()
                .map(|a| (a.staff_id.as_str(), a.day.as_str()))
                .collect::<Vec<_>>(),
            {
                let mut rows = vec![
                    (ash, "2026-12-07"),
                    (ash, "2026-12-08"),
                    (ash, "2026-12-09"),
                    (bo, "2026-12-07"),
                ];
                rows.sort();
                rows
            }
        );
        let away = store::rota::published_sessions(
            &mut conn,
            &both,
            "2026-12-01",
            "2026-12-31",
            &["Y99901".to_string()],
        )
        .await
        .unwrap();
        assert_eq!(
            away.iter()
                .map(|a| (a.staff_id.as_str(), a.day.as_str(), a.site_name.as_str()))
                .collect::<Vec<_>>(),
            [(ash, "2026-12-09", "Castle Street")]
        );
    }
);

on_both!(rota_calendar_tokens, async |db: &TestDb| {
    let world = seed_rota_world(db).await;
    let mut conn = db.store.conn().await.unwrap();
    let ash = &world.staff[0];
    assert_eq!(
        store::rota::calendar_token(&mut conn, ash).await.unwrap(),
        None
    );
    assert_eq!(
        store::rota::ensure_calendar_token(&mut conn, ash, "tok-ash", NOW)
            .await
            .unwrap(),
        ("tok-ash".to_string(), true)
    );
    assert_eq!(
        store::rota::staff_for_calendar_token(&mut conn, "tok-ash")
            .await
            .unwrap()
            .as_deref(),
        Some(ash.as_str())
    );
    assert_eq!(
        store::rota::staff_for_calendar_token(&mut conn, "tok-other")
            .await
            .unwrap(),
        None
    );
    // A second request keeps the first token.
    assert_eq!(
        store::rota::ensure_calendar_token(&mut conn, ash, "tok-again", NOW)
            .await
            .unwrap(),
        ("tok-ash".to_string(), false)
    );
    // Someone else's token is never shared.
    assert!(matches!(
        store::rota::ensure_calendar_token(&mut conn, &world.staff[1], "tok-ash", NOW).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store::rota::replace_calendar_token(&mut conn, ash, "tok-new", NOW)
            .await
            .unwrap(),
        "Ash had a token"
    );
    assert_eq!(
        store::rota::staff_for_calendar_token(&mut conn, "tok-ash")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store::rota::calendar_token(&mut conn, ash)
            .await
            .unwrap()
            .as_deref(),
        Some("tok-new")
    );
    assert!(
        !store::rota::replace_calendar_token(&mut conn, &world.staff[2], "tok-cy", NOW)
            .await
            .unwrap(),
        "Cy had none"
    );
    drop(conn);

    // Two first requests at once, each in its own transaction: one token, both told it.
    let bo = world.staff[1].as_str();
    let attempt = async |token: &'static str| {
        let mut tx = db.store.begin().await.unwrap();
        let got = store::rota::ensure_calendar_token(&mut tx, bo, token, NOW)
            .await
            .unwrap();
        tokio::task::yield_now().await;
        tx.commit().await.unwrap();
        got
    };
    let (a, b) = tokio::join!(attempt("tok-bo-a"), attempt("tok-bo-b"));
    assert_eq!(a.0, b.0, "both see the same token");
    assert!(a.1 ^ b.1, "exactly one made it: {a:?} {b:?}");
    // Two replacements at once both succeed; one token is left.
    let replace = async |token: &'static str| {
        let mut tx = db.store.begin().await.unwrap();
        store::rota::replace_calendar_token(&mut tx, bo, token, NOW)
            .await
            .unwrap();
        tokio::task::yield_now().await;
        tx.commit().await.unwrap();
    };
    tokio::join!(replace("tok-bo-c"), replace("tok-bo-d"));
    let mut conn = db.store.conn().await.unwrap();
    let left = store::rota::calendar_token(&mut conn, bo).await.unwrap();
    assert!(
        matches!(left.as_deref(), Some("tok-bo-c" | "tok-bo-d")),
        "{left:?}"
    );
});

on_both!(rota_swaps_requested_and_decided, async |db: &TestDb| {
    let world = seed_rota_world(db).await;
    let mut conn = db.store.conn().await.unwrap();
    store::rota::insert_rota(
        &mut conn,
        &new_rota("r1", "practice", "Y99901", "2026-12-07", 1, NOW),
    )
    .await
    .unwrap();
    let swap = |id: &str, with: Option<&String>, requested_at: &str| SwapRow {
        id: id.into(),
        rota_id: "r1".into(),
        staff_id: world.staff[0].clone(),
        day: "2026-12-08".into(),
        session: "pm".into(),
        with_staff_id: with.cloned(),
        note: Some("school play".into()),
        status: "requested".into(),
        requested_at: requested_at.into(),
        decided_by: None,
        decided_at: None,
        decision_reason: None,
    };
    let first = swap("s1", Some(&world.staff[1]), "2026-11-23T09:00:00Z");
    let second = swap("s2", None, "2026-11-24T09:00:00Z");
    store::rota::insert_swap(&mut conn, &first).await.unwrap();
    store::rota::insert_swap(&mut conn, &second).await.unwrap();
    assert_eq!(
        store::rota::get_swap(&mut conn, "s1").await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store::rota::get_swap(&mut conn, "s9").await.unwrap(), None);
    assert_eq!(
        store::rota::list_swaps(&mut conn, "r1").await.unwrap(),
        vec![second.clone(), first.clone()]
    );

    store::rota::decide_swap(
        &mut conn,
        "s1",
        "approved",
        None,
        "manager",
        "2026-11-25T09:00:00Z",
    )
    .await
    .unwrap();
    let decided = store::rota::get_swap(&mut conn, "s1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(decided.status, "approved");
    assert_eq!(decided.decided_by.as_deref(), Some("manager"));
    assert_eq!(decided.decided_at.as_deref(), Some("2026-11-25T09:00:00Z"));
    assert!(matches!(
        store::rota::decide_swap(
            &mut conn,
            "s9",
            "declined",
            Some("no cover"),
            "manager",
            NOW
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(
        store::rota::decide_swap(&mut conn, "s2", "maybe", None, "manager", NOW)
            .await
            .is_err()
    );
    // A decline keeps its reason, for the person who asked.
    store::rota::decide_swap(
        &mut conn,
        "s2",
        "declined",
        Some("no cover"),
        "manager",
        NOW,
    )
    .await
    .unwrap();
    let declined = store::rota::get_swap(&mut conn, "s2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(declined.decision_reason.as_deref(), Some("no cover"));
});

on_both!(
    session_requests_replace_list_and_withdraw,
    async |db: &TestDb| {
        let world = seed_rota_world(db).await;
        let mut conn = db.store.conn().await.unwrap();
        let request = |id: &str, staff: usize, day: &str, session: &str, wish: &str| {
            store::rota::SessionRequestRow {
                id: id.into(),
                staff_id: world.staff[staff].clone(),
                day: day.into(),
                session: session.into(),
                wish: wish.into(),
                note: Some("school run".into()),
                created_by: Some("user-1".into()),
                created_at: NOW.into(),
            }
        };
        let pm = request("q1", 0, "2026-12-08", "pm", "off");
        let am = request("q2", 0, "2026-12-08", "am", "work");
        let other = request("q3", 1, "2026-12-09", "am", "work");
        for r in [&pm, &am, &other] {
            assert_eq!(
                store::rota::upsert_session_request(&mut conn, r)
                    .await
                    .unwrap(),
                *r
            );
        }
        // A second request for the same person, day and session replaces the first, keeping
        // its id.
        let mut again = request("q4", 0, "2026-12-08", "pm", "work");
        again.note = None;
        let stored = store::rota::upsert_session_request(&mut conn, &again)
            .await
            .unwrap();
        assert_eq!(stored.id, "q1");
        assert_eq!((stored.wish.as_str(), stored.note), ("work", None));
        // Listed in the order of a day, for the people and dates asked.
        let listed = store::rota::list_session_requests(
            &mut conn,
            &world.staff[..2],
            "2026-12-08",
            "2026-12-08",
        )
        .await
        .unwrap();
        assert_eq!(
            listed.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            ["q2", "q1"]
        );
        assert_eq!(
            store::rota::list_session_requests(&mut conn, &world.staff, "2026-12-01", "2026-12-31")
                .await
                .unwrap()
                .len(),
            3
        );
        assert!(
            store::rota::list_session_requests(&mut conn, &[], "2026-12-01", "2026-12-31")
                .await
                .unwrap()
                .is_empty()
        );
        // A session that is not one is refused by the database.
        assert!(
            store::rota::upsert_session_request(
                &mut conn,
                &request("q5", 2, "2026-12-08", "night", "work")
            )
            .await
            .is_err()
        );
        // Withdrawn once; a second time it is not found.
        store::rota::delete_session_request(&mut conn, "q2")
            .await
            .unwrap();
        assert_eq!(
            store::rota::get_session_request(&mut conn, "q2")
                .await
                .unwrap(),
            None
        );
        assert!(matches!(
            store::rota::delete_session_request(&mut conn, "q2").await,
            Err(StoreError::NotFound)
        ));
    }
);

on_both!(
    start_and_end_dates_filter_the_team_and_find_leavers,
    async |db: &TestDb| {
        use domain::staff::Employment;
        use store::register::Employed;
        seed_pcn(db).await;
        let practice = Employer::Practice(OdsCode::parse("Y99901").unwrap());
        let current = person(
            "Cam Current",
            "cam@x.example",
            practice.clone(),
            &["Y99901"],
        );
        let mut leaver = person("Lee Leaver", "lee@x.example", practice.clone(), &["Y99901"]);
        leaver.end_date = Some(day("2026-11-30"));
        let mut starter = person("Sol Starter", "sol@x.example", practice, &["Y99901"]);
        starter.start_date = day("2027-01-04");
        let mut conn = db.store.conn().await.unwrap();
        let mut ids = Vec::new();
        for draft in [&current, &leaver, &starter] {
            let id = new_id();
            store::register::insert(&mut conn, &id, draft, &[], NOW)
                .await
                .unwrap();
            ids.push(id);
        }
        let names = |employed: Option<Employed>| {
            let store = db.store.clone();
            async move {
                let mut conn = store.conn().await.unwrap();
                let filter = StaffFilter {
                    employed,
                    ..Default::default()
                };
                store::register::list(&mut conn, StaffScope::Pcn("U99901"), &filter)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|s| s.draft.name)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            names(None).await,
            ["Cam Current", "Lee Leaver", "Sol Starter"]
        );
        // The end date is the last day employed; the start date the first.
        assert_eq!(
            names(Some(Employed::On(day("2026-11-30")))).await,
            ["Cam Current", "Lee Leaver"]
        );
        assert_eq!(
            names(Some(Employed::On(day("2026-12-01")))).await,
            ["Cam Current"]
        );
        assert_eq!(
            names(Some(Employed::On(day("2027-01-04")))).await,
            ["Cam Current", "Sol Starter"]
        );
        assert_eq!(
            names(Some(Employed::During(day("2026-12-01"), day("2027-01-04")))).await,
            ["Cam Current", "Sol Starter"]
        );
        let on = day("2026-12-01");
        assert_eq!(
            names(Some(Employed::Standing(Employment::Left, on))).await,
            ["Lee Leaver"]
        );
        assert_eq!(
            names(Some(Employed::Standing(Employment::Starting, on))).await,
            ["Sol Starter"]
        );
        // The SQL rule and the domain rule agree on every person.
        for (draft, want) in [&current, &leaver, &starter].into_iter().zip([
            Employment::Current,
            Employment::Left,
            Employment::Starting,
        ]) {
            assert_eq!(draft.employment_on(on), want);
        }

        // A leaver with an open account is pending from the day after the end date, once.
        let user = store::accounts::UserRecord {
            id: new_id(),
            email: "lee@x.example".into(),
            password_hash: "$argon2id$...".into(),
            role: domain::account::UserRole::Staff,
            org_code: "Y99901".into(),
            staff_id: Some(ids[1].clone()),
            display_name: "Lee".into(),
            demo: false,
            disabled: false,
            last_login_at: None,
            session_epoch: 0,
        };
        store::accounts::insert(&mut conn, &user, NOW)
            .await
            .unwrap();
        assert!(
            store::register::leavers::pending(&mut conn, day("2026-11-30"))
                .await
                .unwrap()
                .is_empty()
        );
        let pending = store::register::leavers::pending(&mut conn, on)
            .await
            .unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].staff_id, ids[1]);
        assert_eq!(pending[0].end_date, day("2026-11-30"));
        assert_eq!(
            store::register::leavers::disable_accounts(&mut conn, &ids[1])
                .await
                .unwrap(),
            ["lee@x.example"]
        );
        let after = store::accounts::get(&mut conn, &user.id)
            .await
            .unwrap()
            .unwrap();
        assert!(after.disabled);
        assert_eq!(after.session_epoch, 1, "its sessions end");
        assert!(
            store::register::leavers::disable_accounts(&mut conn, &ids[1])
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store::register::leavers::pending(&mut conn, on)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both!(
    membership_history_answers_for_any_day,
    async |db: &TestDb| {
        seed_pcn(db).await;
        let mut tx = db.store.begin().await.unwrap();
        store::organisations::create_pcn(
            &mut tx,
            &PcnRecord {
                code: "U99902".into(),
                name: "Second PCN".into(),
                ics_code: Some("QZZ".into()),
            },
        )
        .await
        .unwrap();
        let member = |pcn: &str, from: &str, until: Option<&str>| {
            store::organisations::memberships::Membership {
                ods_code: "Y99901".into(),
                pcn_code: pcn.into(),
                from_date: from.into(),
                until_date: until.map(str::to_string),
            }
        };
        store::organisations::memberships::insert(
            &mut tx,
            &member("U99901", "2019-07-01", Some("2026-03-31")),
        )
        .await
        .unwrap();
        store::organisations::memberships::insert(&mut tx, &member("U99902", "2026-04-01", None))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut conn = db.store.conn().await.unwrap();
        // Two memberships from one day for one practice are refused, and a duplicate ICS
        // code is refused, never overwritten.
        assert!(matches!(
            store::organisations::memberships::insert(
                &mut conn,
                &member("U99901", "2026-04-01", None)
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store::organisations::create_ics(&mut conn, "QZZ", "Another").await,
            Err(StoreError::Conflict(_))
        ));
        let on = async |conn: &mut store::Conn, date: &str| {
            store::organisations::memberships::pcn_on(conn, "Y99901", date)
                .await
                .unwrap()
        };
        assert_eq!(on(&mut conn, "2019-06-30").await, None);
        assert_eq!(on(&mut conn, "2019-07-01").await.as_deref(), Some("U99901"));
        assert_eq!(on(&mut conn, "2026-03-31").await.as_deref(), Some("U99901"));
        assert_eq!(on(&mut conn, "2026-04-01").await.as_deref(), Some("U99902"));
        // Y99902 has no membership rows: it counts by its pcn_code.
        assert_eq!(
            store::organisations::memberships::pcn_on(&mut conn, "Y99902", "2020-01-01")
                .await
                .unwrap()
                .as_deref(),
            Some("U99901")
        );
        assert_eq!(
            store::organisations::memberships::practices_on(&mut conn, "U99901", "2026-03-31")
                .await
                .unwrap(),
            ["Y99901", "Y99902"]
        );
        assert_eq!(
            store::organisations::memberships::practices_on(&mut conn, "U99901", "2026-04-01")
                .await
                .unwrap(),
            ["Y99902"]
        );
        assert_eq!(
            store::organisations::memberships::practices_on(&mut conn, "U99902", "2026-04-01")
                .await
                .unwrap(),
            ["Y99901"]
        );
        // The membership today follows the day asked for; only changed practices count.
        assert_eq!(
            store::organisations::memberships::refresh_current(&mut conn, "2026-03-31")
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            store::organisations::memberships::refresh_current(&mut conn, "2026-04-01")
                .await
                .unwrap(),
            1
        );
        let practice = store::organisations::get(&mut conn, "Y99901")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(practice.pcn_code.as_deref(), Some("U99902"));
        let history = store::organisations::memberships::history(&mut conn, "Y99901")
            .await
            .unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].until_date.as_deref(), Some("2026-03-31"));
    }
);

on_both!(
    two_factor_steps_and_recovery_codes_are_used_once,
    async |db: &TestDb| {
        let mut conn = db.store.conn().await.unwrap();
        let user = store::accounts::UserRecord {
            id: new_id(),
            email: "admin@x.example".into(),
            password_hash: "$argon2id$...".into(),
            role: domain::account::UserRole::SystemAdmin,
            org_code: String::new(),
            staff_id: None,
            display_name: "Admin".into(),
            demo: false,
            disabled: false,
            last_login_at: None,
            session_epoch: 0,
        };
        store::accounts::insert(&mut conn, &user, NOW)
            .await
            .unwrap();
        let off = store::accounts::two_factor::get(&mut conn, &user.id)
            .await
            .unwrap();
        assert_eq!(off, Some(store::accounts::two_factor::TotpState::default()));
        assert_eq!(
            store::accounts::two_factor::get(&mut conn, "nobody")
                .await
                .unwrap(),
            None
        );

        store::accounts::two_factor::set(&mut conn, &user.id, Some("JBSWY3DPEHPK3PXP"))
            .await
            .unwrap();
        let on = store::accounts::two_factor::get(&mut conn, &user.id)
            .await
            .unwrap()
            .unwrap();
        assert!(on.enabled);
        assert_eq!(on.secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));

        // A step works once, and never one before the last used.
        assert!(
            store::accounts::two_factor::use_step(&mut conn, &user.id, 100)
                .await
                .unwrap()
        );
        assert!(
            !store::accounts::two_factor::use_step(&mut conn, &user.id, 100)
                .await
                .unwrap()
        );
        assert!(
            !store::accounts::two_factor::use_step(&mut conn, &user.id, 99)
                .await
                .unwrap()
        );
        assert!(
            store::accounts::two_factor::use_step(&mut conn, &user.id, 101)
                .await
                .unwrap()
        );

        let hashes = vec!["h1".to_string(), "h2".to_string()];
        store::accounts::two_factor::replace_recovery_codes(&mut conn, &user.id, &hashes, NOW)
            .await
            .unwrap();
        assert!(
            store::accounts::two_factor::use_recovery_code(&mut conn, &user.id, "h1", NOW)
                .await
                .unwrap()
        );
        assert!(
            !store::accounts::two_factor::use_recovery_code(&mut conn, &user.id, "h1", NOW)
                .await
                .unwrap()
        );
        assert!(
            !store::accounts::two_factor::use_recovery_code(&mut conn, "someone else", "h2", NOW)
                .await
                .unwrap()
        );
        assert_eq!(
            store::accounts::two_factor::unused_recovery_codes(&mut conn, &user.id)
                .await
                .unwrap(),
            1
        );

        // Off: the secret, the codes and the last step are forgotten.
        store::accounts::two_factor::set(&mut conn, &user.id, None)
            .await
            .unwrap();
        assert_eq!(
            store::accounts::two_factor::get(&mut conn, &user.id)
                .await
                .unwrap(),
            Some(store::accounts::two_factor::TotpState::default())
        );
        assert_eq!(
            store::accounts::two_factor::unused_recovery_codes(&mut conn, &user.id)
                .await
                .unwrap(),
            0
        );
        assert!(
            store::accounts::two_factor::use_step(&mut conn, &user.id, 50)
                .await
                .unwrap()
        );
    }
);

#[path = "store_tests/account_tokens.rs"]
mod account_tokens;

#[path = "store_tests/held_imports.rs"]
mod held_imports;

#[path = "store_tests/rota_queue.rs"]
mod rota_queue;

#[path = "store_tests/arrs.rs"]
mod arrs;
#[path = "store_tests/estates.rs"]
mod estates;
#[path = "store_tests/leave_entitlements.rs"]
mod leave_entitlements;

// The write count tests use to prove "refused, wrote nothing": a write undone by a
// rollback still counts (SQLite's `total_changes()`; PostgreSQL's write probe), a read
// does not.
on_both!(a_rolled_back_write_is_still_counted, async |db: &TestDb| {
    seed_pcn(db).await;
    store::testing::install_write_probe(&db.store)
        .await
        .unwrap();
    let before = db.store.total_changes().await.unwrap().expect("counted");
    {
        let mut conn = db.store.conn().await.unwrap();
        store::organisations::list_pcns(&mut conn, None)
            .await
            .unwrap();
    }
    assert_eq!(
        db.store.total_changes().await.unwrap(),
        Some(before),
        "a read"
    );
    let mut tx = db.store.begin().await.unwrap();
    store::organisations::set_pcn(&mut tx, "Y99902", None)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let after = db.store.total_changes().await.unwrap().expect("counted");
    assert!(after > before, "a rolled-back write: {before} → {after}");
});
