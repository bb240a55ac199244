//! Starts the real application on a free port with a fresh database (SQLite or PostgreSQL),
//! loaded with the demo PCN and a second, separate system ("the other tenant").
#![allow(dead_code)]
use app::App;
use chrono::NaiveDate;
use domain::leave::{LeaveDraft, LeaveKind, LeaveStatus};
use domain::org::{Employer, OdsCode};
use domain::role::Role;
use domain::room::{RoomCapability, RoomDraft, SiteDraft};
use domain::staff::StaffDraft;
use store::Backend;
use store::organisations::{PcnRecord, PracticeDetails};
use store::testing::TestDb;

pub const PASSWORD: &str = "demo-password-123";
pub const OWN_PRACTICE: &str = "Y99901";
pub const OWN_PCN: &str = "U99901";
pub const OWN_ICS: &str = "QZZ";
pub const OTHER_PRACTICE: &str = "Y88801";
pub const OTHER_PCN: &str = "U88801";
pub const OTHER_ICS: &str = "QZY";
const NOW: &str = "2026-11-23T09:00:00Z";
/// The system administrator of every test application, with two-factor sign-in on (as a
/// system administrator must have) from this secret.
pub const ADMIN_EMAIL: &str = "admin@gpteam.example";
pub const ADMIN_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub db: TestDb,
    pub other: OtherTenant,
    /// The last TOTP time step a test used, so each code given is new.
    last_step: std::sync::Mutex<u64>,
    pub outbox: Outbox,
}

/// Records of the other system, made directly in the store.
pub struct OtherTenant {
    pub staff_id: String,
    pub site_id: String,
    pub manager_email: String,
}

pub fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub async fn spawn(backend: Backend) -> TestApp {
    spawn_at(backend, app::clock::Clock::system()).await
}

/// The application reading "now" from `clock`; a fixed clock moved by the test moves the
/// server's "today" too.
pub async fn spawn_at(backend: Backend, clock: app::clock::Clock) -> TestApp {
    spawn_with(backend, clock, web::SignInPolicy::default()).await
}

/// The application with its own sign-in policy (trusted proxies, session lifetime).
pub async fn spawn_with(
    backend: Backend,
    clock: app::clock::Clock,
    sign_in: web::SignInPolicy,
) -> TestApp {
    spawn_full(backend, clock, sign_in, None).await
}

/// The application sending notification emails through the SMTP server at `smtp_url`
/// (the queue is sent in the background, as `gpteam serve` does).
pub async fn spawn_with_smtp(backend: Backend, smtp_url: &str) -> TestApp {
    spawn_full(
        backend,
        app::clock::Clock::system(),
        web::SignInPolicy::default(),
        Some(smtp_url),
    )
    .await
}

async fn spawn_full(
    backend: Backend,
    clock: app::clock::Clock,
    sign_in: web::SignInPolicy,
    smtp_url: Option<&str>,
) -> TestApp {
    let db = TestDb::new(backend).await;
    let app = App::with_clock(db.store.clone(), clock);
    app.demo()
        .load_demo(&demo::demo_pcn(app.today()), PASSWORD)
        .await
        .expect("load the demo");
    let other = other_tenant(&app).await;
    system_admin(&app).await;
    let sessions = store::accounts::sessions::SessionBackend::connect(&db.url)
        .await
        .expect("session store");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let outbox = Outbox::default();
    let app = match smtp_url {
        Some(url) => {
            let mailer = app::mail::SmtpMailer::new(url, "gpteam <gpteam@test.example>").unwrap();
            let app = app.with_email(app::notifications::EmailSetup {
                mailer: std::sync::Arc::new(mailer),
                via: url.to_string(),
                public_url: base.clone(),
            });
            tokio::spawn(app.clone().run_email_delivery());
            app
        }
        None => app,
    };
    let router = web::router(
        app.clone(),
        sessions,
        &web::WebConfig {
            secure_cookies: false,
            mailer: std::sync::Arc::new(outbox.clone()),
            public_url: base.clone(),
            sign_in,
        },
    );
    tokio::spawn(web::serve(listener, router));
    TestApp {
        base,
        app,
        db,
        other,
        last_step: std::sync::Mutex::new(0),
        outbox,
    }
}

/// Catches the emails the web tier sends (invitations, password resets).
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    sent: std::sync::Arc<std::sync::Mutex<Vec<app::training::Email>>>,
}

impl app::mail::Mailer for Outbox {
    fn send<'a>(&'a self, email: &'a app::training::Email) -> app::mail::Sending<'a> {
        self.sent.lock().unwrap().push(email.clone());
        Box::pin(async { Ok(()) })
    }
}

impl Outbox {
    /// Every email sent so far to an address.
    pub fn to(&self, address: &str) -> Vec<app::training::Email> {
        let sent = self.sent.lock().unwrap();
        sent.iter().filter(|e| e.to == address).cloned().collect()
    }

    /// The path (`/invitations/<token>`…) of the link in the latest email to an address,
    /// waiting up to 5 s for it (resets are sent in the background).
    pub async fn link_to(&self, address: &str, base: &str) -> String {
        for _ in 0..100 {
            if let Some(email) = self.to(address).last() {
                let at = email.body.find(base).expect("a link in the email");
                let rest = &email.body[at + base.len()..];
                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                return rest[..end].to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no email to {address}");
    }
}

/// The system administrator, with two-factor sign-in on from `ADMIN_TOTP_SECRET`.
async fn system_admin(app: &App) {
    let id = app
        .accounts()
        .create_account(
            ADMIN_EMAIL,
            "Ada Admin",
            domain::account::UserRole::SystemAdmin,
            "",
            None,
            PASSWORD,
        )
        .await
        .expect("create the system administrator");
    let mut conn = app.store().conn().await.unwrap();
    store::accounts::two_factor::set(&mut conn, &id, Some(ADMIN_TOTP_SECRET))
        .await
        .unwrap();
}

async fn other_tenant(app: &App) -> OtherTenant {
    let mut tx = app.store().begin().await.unwrap();
    store::organisations::insert_ics(&mut tx, OTHER_ICS, "Other ICS")
        .await
        .unwrap();
    let pcn = PcnRecord {
        code: OTHER_PCN.into(),
        name: "Other PCN".into(),
        ics_code: Some(OTHER_ICS.into()),
    };
    store::organisations::insert_pcn(&mut tx, &pcn)
        .await
        .unwrap();
    let details = PracticeDetails {
        ods_code: OTHER_PRACTICE.into(),
        name: "Elsewhere Surgery".into(),
        address: "1 Far Road".into(),
        postcode: "EL1 1SE".into(),
        commissioner: OTHER_ICS.into(),
        phone: None,
        open_date: None,
    };
    store::organisations::upsert_details(&mut tx, &details, NOW)
        .await
        .unwrap();
    store::organisations::set_pcn(&mut tx, OTHER_PRACTICE, Some(OTHER_PCN))
        .await
        .unwrap();
    let site_id = store::new_id();
    store::sites::insert_site(
        &mut tx,
        &site_id,
        OTHER_PRACTICE,
        &SiteDraft {
            name: "Elsewhere".into(),
            address: String::new(),
        },
    )
    .await
    .unwrap();
    let staff_id = store::new_id();
    let draft = StaffDraft {
        name: "Sam Elsewhere".into(),
        email: Some("sam@elsewhere.example".into()),
        phone: None,
        role: Role::SalariedGp,
        employer: Employer::Practice(OdsCode::parse(OTHER_PRACTICE).unwrap()),
        wte: 0.6,
        sessions_per_week: 5.0,
        skills: vec![],
        start_date: day("2024-01-01"),
        end_date: None,
        practices: vec![OdsCode::parse(OTHER_PRACTICE).unwrap()],
    };
    store::register::insert(&mut tx, &staff_id, &draft, &[], NOW)
        .await
        .unwrap();
    let manager_email = "pm@elsewhere.example".to_string();
    let user = store::accounts::UserRecord {
        id: store::new_id(),
        email: manager_email.clone(),
        password_hash: app::accounts::login::hash_password(PASSWORD).unwrap(),
        role: domain::account::UserRole::PracticeManager,
        org_code: OTHER_PRACTICE.into(),
        staff_id: None,
        display_name: "Other manager".into(),
        demo: false,
        disabled: false,
        last_login_at: None,
        session_epoch: 0,
    };
    store::accounts::insert(&mut tx, &user, NOW).await.unwrap();
    tx.commit().await.unwrap();
    OtherTenant {
        staff_id,
        site_id,
        manager_email,
    }
}

impl TestApp {
    /// The first demo log-in with this role (and organisation, when given).
    pub async fn login_email(&self, role: &str, org: Option<&str>) -> String {
        self.app
            .demo()
            .demo_logins()
            .await
            .unwrap()
            .into_iter()
            .find(|l| l.role == role && org.is_none_or(|o| l.organisation == o))
            .unwrap_or_else(|| panic!("no demo {role} log-in"))
            .email
    }

    pub async fn user(&self, email: &str) -> store::accounts::UserRecord {
        let mut conn = self.app.store().conn().await.unwrap();
        store::accounts::find_by_email(&mut conn, email)
            .await
            .unwrap()
            .unwrap()
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// The CSRF token the client's pages carry.
    pub async fn csrf(&self, client: &reqwest::Client) -> String {
        let (_, page) = get(self, client, "/login").await;
        field_value(&page, "csrf_token").expect("a csrf_token field on the login page")
    }

    /// Logs in through the form and returns the logged-in client.
    pub async fn logged_in(&self, email: &str) -> reqwest::Client {
        let client = Self::client();
        let token = self.csrf(&client).await;
        let response = client
            .post(format!("{}/login", self.base))
            .form(&[
                ("csrf_token", token.as_str()),
                ("email", email),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "log-in as {email}");
        if response.headers()["location"] == "/login/two-factor" {
            let secret = self.totp_secret(email).await;
            let code = self.next_code(&secret).await;
            let (status, location, _) =
                post_form(self, &client, "/login/two-factor", &[("code", &code)]).await;
            assert_eq!(status, 303, "the code of {email}");
            assert_ne!(location, "/login", "the code of {email}");
        }
        client
    }

    /// The account's TOTP secret, as stored.
    pub async fn totp_secret(&self, email: &str) -> String {
        let user = self.user(email).await;
        let mut conn = self.app.store().conn().await.unwrap();
        store::accounts::two_factor::get(&mut conn, &user.id)
            .await
            .unwrap()
            .and_then(|state| state.secret)
            .expect("a TOTP secret")
    }

    /// A code an authenticator app would show for `secret`, of a time step no test has
    /// used yet: the current step, or the next (the server allows one step of skew),
    /// waiting for the clock when both were used.
    pub async fn next_code(&self, secret: &str) -> String {
        loop {
            let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap();
            let step = {
                let mut last = self.last_step.lock().unwrap();
                let step = (now / 30).max(*last + 1);
                if step <= now / 30 + 1 {
                    *last = step;
                    Some(step)
                } else {
                    None
                }
            };
            match step {
                Some(step) => {
                    return app::accounts::two_factor::code_at(secret, step * 30).unwrap();
                }
                None => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            }
        }
    }

    pub async fn own_site(&self) -> String {
        let mut conn = self.app.store().conn().await.unwrap();
        store::sites::list_sites(&mut conn, &[OWN_PRACTICE.into()])
            .await
            .unwrap()[0]
            .id
            .clone()
    }

    /// A fresh room at a site, for requests that change or remove it.
    pub async fn fresh_room(&self, site_id: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let room = RoomDraft {
            name: format!("Room {id}"),
            capabilities: vec![RoomCapability::Consulting],
        };
        store::sites::insert_room(&mut conn, &id, site_id, &room)
            .await
            .unwrap();
        id
    }

    /// A fresh training topic in a practice's own catalogue.
    pub async fn fresh_topic(&self, ods: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let topic = domain::training::TopicDraft {
            name: format!("Topic {id}"),
            level: String::new(),
            roles: Vec::new(),
            renewal_months: Some(12),
            evidence_required: false,
            source: "test".into(),
        };
        store::training::insert_topic(&mut conn, &id, ods, None, &topic, NOW)
            .await
            .unwrap();
        id
    }

    /// A fresh, unverified training record of a person, against a topic of their practice.
    pub async fn fresh_training_record(&self, staff_id: &str) -> String {
        let mut conn = self.app.store().conn().await.unwrap();
        let person = store::register::get(&mut conn, staff_id)
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        let topic_id = self.fresh_topic(person.draft.practices[0].as_str()).await;
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let draft = domain::training::RecordDraft {
            topic_id,
            completed_on: day("2026-01-05"),
            provider: "test".into(),
            hours: 1.0,
            expires_on: None,
        };
        store::training::insert_record(&mut conn, &id, staff_id, &draft, None, "test", NOW)
            .await
            .unwrap();
        id
    }

    /// A fresh evidence file of a person.
    pub async fn fresh_evidence(&self, staff_id: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let meta = store::training::EvidenceMeta {
            id: id.clone(),
            file_name: "certificate.pdf".into(),
            content_type: "application/pdf".into(),
            size_bytes: 9,
        };
        store::training::insert_evidence(&mut conn, &meta, staff_id, b"%PDF-1.4\n", NOW)
            .await
            .unwrap();
        id
    }

    /// A fresh coaching session for a person, on a fresh programme of a PCN.
    pub async fn fresh_coaching_session(&self, pcn: &str, staff_id: &str) -> String {
        let mut conn = self.app.store().conn().await.unwrap();
        let programme = store::new_id();
        let draft = domain::development::ProgrammeDraft {
            name: format!("Programme {programme}"),
            description: String::new(),
            sessions: 3,
            minutes_per_session: 90,
        };
        store::development::insert_programme(&mut conn, &programme, pcn, &draft, NOW)
            .await
            .unwrap();
        let enrolment = store::new_id();
        store::development::insert_enrolment(
            &mut conn, &enrolment, &programme, staff_id, "test", NOW,
        )
        .await
        .unwrap();
        let id = store::new_id();
        let session = domain::development::SessionDraft {
            date: day("2026-12-01"),
            start_time: chrono::NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
            place: "https://meet.example/coaching".into(),
            coach: "Alex Coach".into(),
        };
        store::development::insert_session(&mut conn, &id, &enrolment, &session, NOW)
            .await
            .unwrap();
        id
    }

    /// A fresh unread notification of the account with this email.
    pub async fn fresh_notification(&self, email: &str) -> String {
        let user = self.user(email).await;
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let row = store::notifications::NotificationRow {
            id: id.clone(),
            user_id: user.id,
            kind: "rota".into(),
            text: "The rota was published.".into(),
            link: "/me/rota".into(),
            about_staff_id: None,
            created_at: NOW.into(),
            read_at: None,
            email_state: "none".into(),
        };
        store::notifications::insert(&mut conn, &row).await.unwrap();
        id
    }

    /// A fresh goal of a person's development plan.
    pub async fn fresh_goal(&self, staff_id: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let draft = domain::development::GoalDraft {
            title: format!("Goal {id}"),
            target_date: None,
            status: domain::development::GoalStatus::NotStarted,
            progress: String::new(),
            topic_ids: Vec::new(),
            enrolment_id: None,
        };
        store::development::insert_goal(&mut conn, &id, staff_id, &draft, NOW)
            .await
            .unwrap();
        id
    }

    /// A fresh pending leave request for a person.
    pub async fn fresh_leave(&self, staff_id: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let leave = LeaveDraft {
            kind: LeaveKind::Annual,
            start_date: day("2027-01-04"),
            end_date: day("2027-01-05"),
            note: None,
        };
        store::leave::insert(
            &mut conn,
            &id,
            staff_id,
            &leave,
            LeaveStatus::Requested,
            NOW,
        )
        .await
        .unwrap();
        id
    }

    /// A fresh open vacancy of a practice.
    pub async fn fresh_vacancy(&self, ods: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let draft = domain::vacancy::VacancyDraft {
            role: Role::Receptionist,
            wte: 0.5,
            opened_on: None,
            monthly_cost_gbp: 100.0,
            notes: None,
        };
        store::sites::vacancies::insert(
            &mut conn,
            &id,
            &Employer::Practice(OdsCode::parse(ods).unwrap()),
            &draft,
            NOW,
        )
        .await
        .unwrap();
        id
    }

    /// A fresh team register import held for the account `email` of practice `ods`: one
    /// row refused for its role, so it can be corrected and imported again.
    pub async fn fresh_held_import(&self, email: &str, ods: &str) -> String {
        let user = self.user(email).await;
        let row = import::StaffFormRow {
            row: 2,
            form: domain::staff::StaffForm {
                name: "Held Person".into(),
                role: "wizard".into(),
                employer: "practice".into(),
                employer_code: ods.into(),
                wte: "0.5".into(),
                sessions_per_week: "4".into(),
                start_date: "04/01/2027".into(),
                practices: ods.into(),
                ..Default::default()
            },
        };
        let outcome = app::imports::held::Outcome::Refused {
            problems: vec![import::RowProblem {
                row: Some(2),
                person: Some("Held Person".into()),
                field: Some("role".into()),
                message: "'wizard' is not a role".into(),
            }],
        };
        let id = store::new_id();
        let held = store::imports::HeldImport {
            id: id.clone(),
            user_id: user.id,
            org_code: ods.into(),
            kind: "staff".into(),
            file_name: "team.csv".into(),
            rows_json: serde_json::to_string(&[row]).unwrap(),
            outcome_json: serde_json::to_string(&outcome).unwrap(),
            created_at: NOW.into(),
            expires_at: "2999-01-01T00:00:00Z".into(),
        };
        let mut conn = self.app.store().conn().await.unwrap();
        store::imports::replace(&mut conn, &held).await.unwrap();
        id
    }

    /// A fresh rota of a practice, queued for two weeks from 7 December 2026.
    pub async fn fresh_rota(&self, ods: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let rota = store::rota::NewRota {
            id: id.clone(),
            scope_kind: "practice".into(),
            scope_code: ods.into(),
            starts_on: "2026-12-07".into(),
            weeks: 2,
            time_limit_seconds: 1,
            created_by: None,
            created_at: NOW.into(),
        };
        store::rota::insert_rota(&mut conn, &rota).await.unwrap();
        id
    }

    /// A fresh published PCN rota of `pcn` with one session, `staff_id`'s at `site_id`.
    pub async fn fresh_pcn_rota(&self, pcn: &str, site_id: &str, staff_id: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let rota = store::rota::NewRota {
            id: id.clone(),
            scope_kind: "pcn".into(),
            scope_code: pcn.into(),
            starts_on: "2026-12-07".into(),
            weeks: 2,
            time_limit_seconds: 1,
            created_by: None,
            created_at: NOW.into(),
        };
        store::rota::insert_published_rota(&mut conn, &rota, "test")
            .await
            .unwrap();
        let session = store::rota::AssignmentRow {
            staff_id: staff_id.into(),
            day: "2026-12-08".into(),
            session: "am".into(),
            site_id: site_id.into(),
            room_id: None,
        };
        store::rota::replace_assignments(&mut conn, &id, &[session])
            .await
            .unwrap();
        id
    }

    /// A fresh swap request by `staff_id` on a fresh rota of the practice `ods`.
    pub async fn fresh_swap(&self, ods: &str, staff_id: &str) -> String {
        let rota_id = self.fresh_rota(ods).await;
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let swap = store::rota::SwapRow {
            id: id.clone(),
            rota_id,
            staff_id: staff_id.into(),
            day: "2026-12-08".into(),
            session: "am".into(),
            with_staff_id: None,
            note: None,
            status: "requested".into(),
            requested_at: NOW.into(),
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        store::rota::insert_swap(&mut conn, &swap).await.unwrap();
        id
    }

    /// A new request by this person to work a morning a week from today.
    pub async fn fresh_session_request(&self, staff_id: &str) -> String {
        let mut conn = self.app.store().conn().await.unwrap();
        let day = next_monday(self.app.today()) + chrono::Days::new(1);
        let row = store::rota::upsert_session_request(
            &mut conn,
            &store::rota::SessionRequestRow {
                id: store::new_id(),
                staff_id: staff_id.into(),
                day: day.to_string(),
                session: "am".into(),
                wish: "work".into(),
                note: None,
                created_by: None,
                created_at: NOW.into(),
            },
        )
        .await
        .unwrap();
        row.id
    }

    /// The calendar feed file (`<token>.ics`) of the person behind the own practice's
    /// first staff log-in.
    pub async fn own_calendar_file(&self) -> String {
        let email = self.login_email("staff", Some(OWN_PRACTICE)).await;
        let user = self.user(&email).await;
        let actor = self.app.accounts().actor(&user.id).await.unwrap();
        format!(
            "{}.ics",
            self.app.rota().my_calendar_token(&actor).await.unwrap()
        )
    }

    /// A fresh staff account of a practice, for requests that disable or change it.
    pub async fn fresh_account(&self, ods: &str) -> String {
        let id = store::new_id();
        let mut conn = self.app.store().conn().await.unwrap();
        let user = store::accounts::UserRecord {
            id: id.clone(),
            email: format!("{id}@example.org"),
            password_hash: "not a hash".into(),
            role: domain::account::UserRole::Staff,
            org_code: ods.into(),
            staff_id: None,
            display_name: "Fresh Account".into(),
            demo: false,
            disabled: false,
            last_login_at: None,
            session_epoch: 0,
        };
        store::accounts::insert(&mut conn, &user, NOW)
            .await
            .unwrap();
        id
    }

    /// A fresh, unused one-time link's token (for a reset, of a fresh staff account).
    pub async fn fresh_link(&self, purpose: store::accounts::tokens::Purpose) -> String {
        let account = self.fresh_account(OWN_PRACTICE).await;
        let email = format!("{account}@example.org");
        let token = format!("link-{}", store::new_id());
        let mut conn = self.app.store().conn().await.unwrap();
        let row = store::accounts::tokens::TokenRow {
            id: store::new_id(),
            token_hash: app::accounts::links::token_hash(&token),
            purpose,
            email,
            role: "staff".into(),
            org_code: OWN_PRACTICE.into(),
            staff_id: None,
            user_id: Some(account),
            created_by: None,
            created_at: NOW.into(),
            expires_at: "2999-01-01T00:00:00Z".into(),
            used_at: None,
        };
        store::accounts::tokens::insert(&mut conn, &row)
            .await
            .unwrap();
        token
    }

    /// Someone employed by the demo practice who is not the practice manager.
    /// (Not the person behind the first staff log-in, who may see their own record.)
    pub async fn own_staff(&self) -> String {
        let staff_login = self.login_email("staff", Some(OWN_PRACTICE)).await;
        let own_record = self.user(&staff_login).await.staff_id;
        let mut conn = self.app.store().conn().await.unwrap();
        let people = store::register::list(
            &mut conn,
            store::register::StaffScope::WorksAt(OWN_PRACTICE),
            &Default::default(),
        )
        .await
        .unwrap();
        people
            .into_iter()
            .find(|p| {
                p.draft.employer.code() == OWN_PRACTICE
                    && p.draft.role == Role::Receptionist
                    && Some(&p.id) != own_record.as_ref()
            })
            .expect("a receptionist at the demo practice")
            .id
    }
}

/// GETs a path with a client: status and body.
pub async fn get(t: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let r = client
        .get(format!("{}{path}", t.base))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// GETs a path with a client: status and the body as JSON (`Null` when it is not JSON).
pub async fn get_json(
    t: &TestApp,
    client: &reqwest::Client,
    path: &str,
) -> (u16, serde_json::Value) {
    let (status, text) = get(t, client, path).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// POSTs a JSON body with a client: status and the answer as JSON (`Null` when it is not).
pub async fn post_json(
    t: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let r = client
        .post(format!("{}{path}", t.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// Posts a form with the client's CSRF token: status, `Location` and body.
pub async fn post_form(
    t: &TestApp,
    client: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let token = t.csrf(client).await;
    let mut body: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    body.extend_from_slice(fields);
    let r = client
        .post(format!("{}{path}", t.base))
        .form(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, location, r.text().await.unwrap())
}

/// The Monday after `today` (a week later when `today` is a Monday).
pub fn next_monday(today: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    today + chrono::Days::new(u64::from(7 - today.weekday().num_days_from_monday()))
}

/// The `value` of the first input named `name` in an HTML page.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let start = rest.find("value=\"")? + 7;
    let end = rest[start..].find('"')?;
    Some(
        rest[start..start + end]
            .replace("&#x2b;", "+")
            .replace("&#43;", "+")
            .replace("&#x2f;", "/")
            .replace("&#47;", "/")
            .replace("&#x3d;", "=")
            .replace("&#61;", "="),
    )
}
