//! Loading the demo PCN (or a larger generated one) into an empty database, and listing
//! the demo log-ins.
use crate::error::{AppError, AppResult};
use demo::DemoData;
use store::accounts::UserRecord;
use store::organisations::{PcnRecord, PracticeDetails};

/// What the demo loader wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub practices: usize,
    pub staff: usize,
    pub accounts: usize,
    /// Published rotas written (a generated system's year of them; none for the demo PCN).
    pub rotas: usize,
    /// Sessions in those rotas.
    pub rota_sessions: usize,
}

/// Whether the loader also writes a year of published rotas (`demo --practices N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoRotas {
    None,
    YearPublished,
}

/// The ids the loader gave the demo's people, sites (by practice and name) and rooms (by
/// site id, in the demo's order).
struct DemoIds<'a> {
    staff: &'a [String],
    sites: &'a std::collections::BTreeMap<(String, String), String>,
    rooms: &'a std::collections::BTreeMap<String, Vec<String>>,
}

/// One demo log-in as `gpteam demo logins` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoLogin {
    pub email: String,
    pub role: String,
    pub organisation: String,
}

facade! {
    /// The demo PCN and generated systems: loading them and their log-ins (`app.demo()`).
    pub struct Demo => demo;
}

impl Demo<'_> {
    /// Whether the database holds no organisations yet.
    pub async fn is_empty(&self) -> AppResult<bool> {
        let mut conn = self.store().conn().await?;
        Ok(store::organisations::count(&mut conn).await? == 0
            && store::accounts::count(&mut conn).await? == 0)
    }

    /// Writes the demo data in one transaction. Every demo account gets `password`; its
    /// argon2 hash is computed once and shared, which is fine for throw-away demo accounts
    /// and keeps loading a 1,000-practice system fast.
    pub async fn load_demo(&self, data: &DemoData, password: &str) -> AppResult<DemoSummary> {
        self.load_demo_with(data, password, DemoRotas::None).await
    }

    /// [`Demo::load_demo`], and with `DemoRotas::YearPublished` a year of published rotas.
    pub async fn load_demo_with(
        &self,
        data: &DemoData,
        password: &str,
        rotas: DemoRotas,
    ) -> AppResult<DemoSummary> {
        let hash = crate::accounts::credentials::hash_password(password)?;
        let mut tx = self.store().begin().await?;
        let now = self.now();
        let places = self.load_demo_places(&mut tx, data, &now).await?;
        let staff_ids = load_demo_staff(&mut tx, data, &places.sites, &now).await?;
        let (cover, rules) = demo::rota_setup(data);
        load_demo_rota_setup(&mut tx, &cover, &rules, &places.sites, &staff_ids, &now).await?;
        load_demo_vacancies_and_leave(&mut tx, data, &staff_ids, &now).await?;
        // Leave taken so far this leave year and own entitlements, so balances look real;
        // not beside a year of published rotas, which were made without that leave.
        if matches!(rotas, DemoRotas::None) {
            crate::leave::balance::load_demo_leave(&mut tx, data, &staff_ids, self.today(), &now)
                .await?;
        }
        self.load_demo_training(&mut tx, data, &staff_ids, &now)
            .await?;
        self.load_demo_wellbeing(&mut tx, data, &now).await?;
        self.funding()
            .load_demo_arrs(&mut tx, data, &staff_ids, &now)
            .await?;
        load_demo_accounts(&mut tx, data, &staff_ids, &hash, &now).await?;
        self.load_demo_appointments(&mut tx, data, &now).await?;
        let (rota_count, rota_sessions) = match rotas {
            DemoRotas::None => (0, 0),
            DemoRotas::YearPublished => {
                let ids = DemoIds {
                    staff: &staff_ids,
                    sites: &places.sites,
                    rooms: &places.rooms,
                };
                self.load_demo_rotas(&mut tx, data, &rules, &ids, &now)
                    .await?
            }
        };
        store::settings::set(&mut tx, "demo", "1").await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        self.load_demo_payments(data).await?;
        self.store().refresh_statistics().await?;
        Ok(DemoSummary {
            practices: data.practices.len(),
            staff: data.staff.len(),
            accounts: data.accounts.len(),
            rotas: rota_count,
            rota_sessions,
        })
    }

    /// The ICS, its PCNs and practices (with their membership and list size), and their
    /// sites and rooms.
    async fn load_demo_places(
        &self,
        tx: &mut store::Conn,
        data: &DemoData,
        now: &str,
    ) -> AppResult<DemoPlaces> {
        store::organisations::insert_ics(tx, data.ics.code.as_str(), &data.ics.name).await?;
        for pcn in &data.pcns {
            let record = PcnRecord {
                code: pcn.code.to_string(),
                name: pcn.name.clone(),
                ics_code: Some(data.ics.code.to_string()),
            };
            store::organisations::insert_pcn(tx, &record).await?;
        }
        let mut places = DemoPlaces::default();
        let list_date = self.today().with_day(1).unwrap_or(self.today()).to_string();
        for practice in &data.practices {
            let details = PracticeDetails {
                ods_code: practice.ods_code.to_string(),
                name: practice.name.clone(),
                address: practice.address.clone(),
                postcode: practice.postcode.clone(),
                commissioner: data.ics.code.to_string(),
                phone: None,
                open_date: None,
            };
            store::organisations::upsert_details(tx, &details, now).await?;
            store::organisations::set_pcn(
                tx,
                practice.ods_code.as_str(),
                Some(practice.pcn_code.as_str()),
            )
            .await?;
            // The demo's practices have been in their PCN since PCNs began.
            store::organisations::memberships::insert(
                tx,
                &store::organisations::memberships::Membership {
                    ods_code: practice.ods_code.to_string(),
                    pcn_code: practice.pcn_code.to_string(),
                    from_date: "2019-07-01".into(),
                    until_date: None,
                },
            )
            .await?;
            store::organisations::set_list_size(
                tx,
                practice.ods_code.as_str(),
                &list_date,
                practice.list_size,
            )
            .await?;
            for site in &practice.sites {
                let id = store::new_id();
                store::sites::insert_site(tx, &id, practice.ods_code.as_str(), &site.site).await?;
                for room in &site.rooms {
                    let room_id = store::new_id();
                    store::sites::insert_room(tx, &room_id, &id, room).await?;
                    places.rooms.entry(id.clone()).or_default().push(room_id);
                }
                places
                    .sites
                    .insert((practice.ods_code.to_string(), site.site.name.clone()), id);
            }
        }
        Ok(places)
    }

    /// A year of appointment counts for the demo's area, sized by its patients.
    async fn load_demo_appointments(
        &self,
        tx: &mut store::Conn,
        data: &DemoData,
        now: &str,
    ) -> AppResult<()> {
        let area = data.ics.code.to_string();
        let patients: i64 = data.practices.iter().map(|p| p.list_size).sum();
        store::demand::appointments::upsert_area(
            tx,
            &area,
            &format!("{} (demo area)", data.ics.name),
            now,
        )
        .await?;
        let counts = demo_appointments(&area, patients as f64, self.today());
        store::demand::appointments::insert_counts(tx, &counts).await?;
        Ok(())
    }

    /// A year of published rotas, a practice at a time (see `demo::rotas`).
    async fn load_demo_rotas(
        &self,
        tx: &mut store::Conn,
        data: &DemoData,
        rules: &[demo::DemoRules],
        ids: &DemoIds<'_>,
        now: &str,
    ) -> AppResult<(usize, usize)> {
        let (mut rotas, mut sessions) = (0, 0);
        for (p, practice) in data.practices.iter().enumerate() {
            for rota in demo::rotas::practice_rotas(data, rules, p, self.today()) {
                let id = store::new_id();
                let new = store::rota::NewRota {
                    id: id.clone(),
                    scope_kind: "practice".into(),
                    scope_code: practice.ods_code.to_string(),
                    starts_on: rota.starts_on.to_string(),
                    weeks: demo::rotas::WEEKS_PER_ROTA,
                    time_limit_seconds: 0,
                    created_by: None,
                    created_at: now.to_string(),
                };
                store::rota::insert_published_rota(tx, &new, "demo").await?;
                let rows: Vec<store::rota::AssignmentRow> = rota
                    .assignments
                    .iter()
                    .filter_map(|a| {
                        let site = &practice.sites.get(a.site)?.site.name;
                        let site_id = ids
                            .sites
                            .get(&(practice.ods_code.to_string(), site.clone()))?;
                        Some(store::rota::AssignmentRow {
                            staff_id: ids.staff[a.staff_index].clone(),
                            day: a.day.to_string(),
                            session: a.session.code().to_string(),
                            site_id: site_id.clone(),
                            room_id: a.room.and_then(|r| ids.rooms.get(site_id)?.get(r).cloned()),
                        })
                    })
                    .collect();
                store::rota::replace_assignments(tx, &id, &rows).await?;
                rotas += 1;
                sessions += rows.len();
            }
        }
        Ok((rotas, sessions))
    }

    /// The demo practices' income: the published payments of the real practices standing in
    /// for them (`demo::PAYMENTS_STAND_INS`), read from the published files as any import is.
    async fn load_demo_payments(&self, data: &DemoData) -> AppResult<()> {
        let ours: std::collections::BTreeSet<&str> =
            data.practices.iter().map(|p| p.ods_code.as_str()).collect();
        if !demo::PAYMENTS_STAND_INS
            .iter()
            .any(|(demo, _)| ours.contains(demo))
        {
            return Ok(());
        }
        for (name, bytes) in demo::PAYMENTS_FILES {
            let file = import::read_payments(name, bytes, None)?;
            self.funding()
                .store_payments(
                    None,
                    name,
                    &file,
                    |code| demo::demo_practice_for(code).map(str::to_string),
                    false,
                )
                .await?;
        }
        Ok(())
    }

    /// The demo accounts in the order they were made: `email,role,organisation`.
    pub async fn demo_logins(&self) -> AppResult<Vec<DemoLogin>> {
        let mut conn = self.store().conn().await?;
        let users = store::accounts::list_demo(&mut conn).await?;
        Ok(users
            .into_iter()
            .map(|u| DemoLogin {
                email: u.email,
                role: u.role.code().to_string(),
                organisation: u.org_code,
            })
            .collect())
    }

    /// Whether this database was created with `--demo`.
    pub async fn is_demo(&self) -> AppResult<bool> {
        let mut conn = self.store().conn().await?;
        Ok(store::settings::get(&mut conn, "demo").await?.is_some())
    }
}

use chrono::Datelike;

/// The ids the loader gave the demo's sites (by practice and name) and rooms (by site id).
#[derive(Default)]
struct DemoPlaces {
    sites: std::collections::BTreeMap<(String, String), String>,
    rooms: std::collections::BTreeMap<String, Vec<String>>,
}

/// The demo's people, each given an id (returned in the demo's order) and their sites.
async fn load_demo_staff(
    tx: &mut store::Conn,
    data: &DemoData,
    site_ids: &std::collections::BTreeMap<(String, String), String>,
    now: &str,
) -> AppResult<Vec<String>> {
    let mut staff_ids = Vec::with_capacity(data.staff.len());
    for person in &data.staff {
        let id = store::new_id();
        let sites: Vec<String> = person
            .sites
            .iter()
            .filter_map(|(ods, name)| site_ids.get(&(ods.to_string(), name.clone())).cloned())
            .collect();
        store::register::insert(tx, &id, &person.draft, &sites, now).await?;
        staff_ids.push(id);
    }
    Ok(staff_ids)
}

/// The cover each site needs and each person's rota rules.
async fn load_demo_rota_setup(
    tx: &mut store::Conn,
    cover: &[demo::DemoCover],
    rules: &[demo::DemoRules],
    site_ids: &std::collections::BTreeMap<(String, String), String>,
    staff_ids: &[String],
    now: &str,
) -> AppResult<()> {
    let mut cover_by_site: std::collections::BTreeMap<String, Vec<store::rota::CoverRow>> =
        Default::default();
    for c in cover {
        let Some(site_id) = site_ids.get(&(c.ods.to_string(), c.site_name.clone())) else {
            continue;
        };
        cover_by_site
            .entry(site_id.clone())
            .or_default()
            .push(store::rota::CoverRow {
                id: store::new_id(),
                site_id: site_id.clone(),
                weekday: i64::from(c.weekday.num_days_from_monday()),
                session: c.session.code().to_string(),
                need: c.need.code(),
                minimum: i64::from(c.minimum),
                ideal: i64::from(c.ideal),
            });
    }
    for (site_id, rows) in &cover_by_site {
        store::rota::replace_cover(tx, site_id, rows).await?;
    }
    for r in rules {
        let n = |v: Option<u32>| v.map(i64::from);
        store::rota::upsert_rules(
            tx,
            &store::rota::RulesRow {
                staff_id: staff_ids[r.staff_index].clone(),
                fixed_sessions: r.rules.fixed_text(),
                days_never: r.rules.days_never_text(),
                max_evenings_month: n(r.rules.max_evenings_month),
                max_saturdays_month: n(r.rules.max_saturdays_month),
                appointments_per_session: n(r.rules.appointments_per_session),
                appointment_minutes: n(r.rules.appointment_minutes),
                updated_at: now.to_string(),
            },
        )
        .await?;
    }
    Ok(())
}

/// The open vacancies and the booked leave.
async fn load_demo_vacancies_and_leave(
    tx: &mut store::Conn,
    data: &DemoData,
    staff_ids: &[String],
    now: &str,
) -> AppResult<()> {
    for vacancy in &data.vacancies {
        store::sites::vacancies::insert(
            tx,
            &store::new_id(),
            &vacancy.employer,
            &vacancy.draft,
            now,
        )
        .await?;
    }
    for leave in &data.leave {
        let staff = staff_ids
            .get(leave.staff_index)
            .ok_or_else(|| AppError::Internal("demo leave for a missing person".into()))?;
        store::leave::insert(tx, &store::new_id(), staff, &leave.draft, leave.status, now).await?;
    }
    Ok(())
}

/// The demo's accounts, all with the one password `hash`.
async fn load_demo_accounts(
    tx: &mut store::Conn,
    data: &DemoData,
    staff_ids: &[String],
    hash: &str,
    now: &str,
) -> AppResult<()> {
    for account in &data.accounts {
        let user = UserRecord {
            id: store::new_id(),
            email: account.email.clone(),
            password_hash: hash.to_string(),
            role: account.role,
            org_code: account.organisation.clone(),
            staff_id: account.staff_index.and_then(|i| staff_ids.get(i).cloned()),
            display_name: account.name.clone(),
            demo: true,
            disabled: false,
            last_login_at: None,
            session_epoch: 0,
        };
        store::accounts::insert(tx, &user, now).await?;
    }
    Ok(())
}

/// Three years of monthly GPAD-like counts for the demo area, to the month before `today`:
/// appointments per registered patient per working day with a yearly profile (winter high,
/// August low), 3 % growth a year and a little noise, split by HCP type, mode and status.
fn demo_appointments(
    area: &str,
    patients: f64,
    today: chrono::NaiveDate,
) -> Vec<store::demand::appointments::CountRow<'_>> {
    use analytics::Month;
    // Relative demand by calendar month.
    const PROFILE: [f64; 12] = [
        1.06, 1.02, 1.03, 0.97, 0.98, 0.99, 0.98, 0.90, 1.02, 1.07, 1.05, 0.94,
    ];
    // Per patient per working day: GP, then other practice staff (about 0.21 and 0.27 a
    // month). The real Suffolk and North East Essex file (`../shared/data/nhs/appointments_gp`)
    // records 0.0098 GP and 0.0114 other-staff appointments a patient a working day over
    // March 2019 to February 2020, before COVID-19; GP appointments have stayed about level
    // since, while other staff's grew with the PCN's additional roles. The demo's teams are
    // sized to it (`demo::PATIENTS_PER_GP_WTE`), so the gap is the few per cent a real
    // practice sees, short in winter and in surplus in August.
    const RATES: [(&str, f64); 2] = [("GP", 0.0102), ("Other Practice staff", 0.0128)];
    const MODES: [(&str, f64, f64); 4] = [
        ("Face-to-Face", 0.64, 0.80),
        ("Telephone", 0.30, 0.17),
        ("Video/Online", 0.03, 0.01),
        ("Home Visit", 0.03, 0.02),
    ];
    const STATUSES: [(&str, f64); 2] = [("Attended", 0.955), ("DNA", 0.045)];
    let end = Month::of(today).plus(-1);
    let mut noise_state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut noise = move || {
        noise_state ^= noise_state << 13;
        noise_state ^= noise_state >> 7;
        noise_state ^= noise_state << 17;
        1.0 + ((noise_state % 2001) as f64 / 1000.0 - 1.0) * 0.02
    };
    let mut rows = Vec::new();
    for back in (0..36).rev() {
        let month = end.plus(-back);
        let growth = 1.03f64.powf(-(back as f64) / 12.0);
        let days = month.working_days() as f64;
        for (hcp, rate) in RATES {
            let total =
                patients * rate * days * PROFILE[month.month as usize - 1] * growth * noise();
            for (mode, gp_share, other_share) in MODES {
                let share = if hcp == "GP" { gp_share } else { other_share };
                for (status, status_share) in STATUSES {
                    rows.push(store::demand::appointments::CountRow {
                        area_code: area,
                        period_start: month.first_day().to_string(),
                        month: month.to_string(),
                        daily: false,
                        hcp_type: hcp,
                        appt_mode: mode,
                        appt_status: status,
                        appointments: (total * share * status_share).round() as i64,
                    });
                }
            }
        }
    }
    rows
}

impl Demo<'_> {
    /// Seeds each demo PCN's training catalogue from the sourced defaults and gives people
    /// records in every state (in date, expiring, expired, missing).
    async fn load_demo_training(
        &self,
        tx: &mut store::Conn,
        data: &DemoData,
        staff_ids: &[String],
        now: &str,
    ) -> AppResult<()> {
        let mut topic_ids = std::collections::BTreeMap::new();
        for pcn in &data.pcns {
            for default in domain::training::DEFAULT_TOPICS {
                let id = store::new_id();
                store::training::insert_topic(
                    tx,
                    &id,
                    pcn.code.as_str(),
                    Some(default.key),
                    &default.draft(),
                    now,
                )
                .await?;
                topic_ids.insert((pcn.code.to_string(), default.key), id);
            }
        }
        let pcn_of: std::collections::BTreeMap<String, String> = data
            .practices
            .iter()
            .map(|p| (p.ods_code.to_string(), p.pcn_code.to_string()))
            .collect();
        for record in demo::demo_training(data, self.today(), 11) {
            let person = &data.staff[record.staff_index];
            let pcn = match &person.draft.employer {
                domain::org::Employer::Pcn(code) => Some(code.to_string()),
                domain::org::Employer::Practice(ods) => pcn_of.get(ods.as_str()).cloned(),
            };
            let Some(topic_id) = pcn.and_then(|pcn| topic_ids.get(&(pcn, record.default_key)))
            else {
                continue;
            };
            let id = store::new_id();
            let draft = domain::training::RecordDraft {
                topic_id: topic_id.clone(),
                completed_on: record.completed_on,
                provider: record.provider.into(),
                hours: record.hours,
                expires_on: None,
            };
            let staff_id = &staff_ids[record.staff_index];
            store::training::insert_record(tx, &id, staff_id, &draft, None, "demo", now).await?;
            if record.verified {
                store::training::verify_record(tx, &id, "demo", now).await?;
            }
        }
        Ok(())
    }

    /// Gives the demo's last closed check-in periods their answers, as results (those
    /// periods are over, so nothing is sealed), in shuffled order under random ids like any
    /// closed period's. No "who answered" markers: the demo people are fictional.
    async fn load_demo_wellbeing(
        &self,
        tx: &mut store::Conn,
        data: &DemoData,
        now: &str,
    ) -> AppResult<()> {
        use rand::seq::SliceRandom;
        let mut answers = demo::demo_wellbeing(data, self.today(), 17);
        answers.shuffle(&mut rand::rngs::OsRng);
        let pcn_of: std::collections::BTreeMap<String, String> = data
            .practices
            .iter()
            .map(|p| (p.ods_code.to_string(), p.pcn_code.to_string()))
            .collect();
        let mut stored = std::collections::BTreeSet::new();
        for answer in &answers {
            let Some(pcn) = pcn_of.get(answer.practice_ods.as_str()) else {
                continue;
            };
            // The questionnaire `questionnaire()` would store on first use: the defaults.
            let id = format!("default-{pcn}");
            if stored.insert(id.clone()) {
                let record = store::wellbeing::QuestionnaireRecord {
                    id: id.clone(),
                    tenant_code: pcn.clone(),
                    settings: domain::wellbeing::CheckinSettings::default(),
                    created_at: now.to_string(),
                };
                store::wellbeing::insert_questionnaire(tx, &record).await?;
            }
            store::wellbeing::insert_answer(
                tx,
                &id,
                &answer.period_start.to_string(),
                answer.practice_ods.as_str(),
                answer.staff_group,
                &answer.answers,
            )
            .await?;
        }
        Ok(())
    }
}
