//! The seeded generator of fictional PCNs. See README.md.
use chrono::{Datelike, Duration, NaiveDate};
use domain::account::UserRole;
use domain::leave::{LeaveDraft, LeaveKind, LeaveStatus};
use domain::org::{Employer, IcsCode, OdsCode, PcnCode};
use domain::role::Role;
use domain::room::{RoomCapability, RoomDraft, SiteDraft};
use domain::staff::StaffDraft;
use domain::vacancy::VacancyDraft;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

pub mod arrs;
mod leave;
mod payments;
pub mod rotas;
mod training;
mod wellbeing;
pub use leave::{DemoEntitlement, demo_entitlements, demo_past_leave};
pub use payments::{PAYMENTS_FILES, PAYMENTS_STAND_INS, demo_practice_for};
use rand_chacha::ChaCha8Rng;
pub use training::{DemoTraining, demo_training};
pub use wellbeing::{DEMO_PERIODS, DemoCheckin, demo_wellbeing};

#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    /// Total practices, at least 1.
    pub practices: usize,
    pub seed: u64,
    pub today: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub ics: DemoIcs,
    pub pcns: Vec<DemoPcn>,
    pub practices: Vec<DemoPractice>,
    pub staff: Vec<DemoStaff>,
    pub vacancies: Vec<DemoVacancy>,
    pub leave: Vec<DemoLeave>,
    pub accounts: Vec<DemoAccount>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoIcs {
    pub code: IcsCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoPcn {
    pub code: PcnCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoPractice {
    pub ods_code: OdsCode,
    pub name: String,
    pub pcn_code: PcnCode,
    pub address: String,
    pub postcode: String,
    pub list_size: i64,
    pub sites: Vec<DemoSite>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoSite {
    pub site: SiteDraft,
    pub rooms: Vec<RoomDraft>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoStaff {
    /// `email` is always set and unique.
    pub draft: StaffDraft,
    /// (practice, site name) pairs the person works at.
    pub sites: Vec<(OdsCode, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoVacancy {
    pub employer: Employer,
    pub draft: VacancyDraft,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoLeave {
    /// Index into `DemoData::staff`.
    pub staff_index: usize,
    pub draft: LeaveDraft,
    pub status: LeaveStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoAccount {
    pub email: String,
    pub name: String,
    pub role: UserRole,
    /// PCN code for a PCN manager, practice ODS code for practice managers and staff, ICS
    /// code for the ICS viewer.
    pub organisation: String,
    pub staff_index: Option<usize>,
}

const FIRST_NAMES: &[&str] = &[
    "Alex", "Sam", "Jordan", "Priya", "Tomasz", "Amara", "Chen", "Fatima", "Oliver", "Grace",
    "Kwame", "Isla", "Rohan", "Megan", "Yusuf", "Hannah", "Declan", "Aisha", "Lewis", "Zara",
    "Ewan", "Niamh", "Arjun", "Sophie", "Callum", "Leah", "Mateo", "Erin", "Ibrahim", "Freya",
    "Noah", "Ruby", "Femi", "Chloe", "Rhys", "Layla", "Owen", "Maya", "Kieran", "Ada",
];

const SURNAMES: &[&str] = &[
    "Fernbrook",
    "Ashgrove",
    "Millward",
    "Thistleby",
    "Carraway",
    "Oakhurst",
    "Brindle",
    "Kestrelmoor",
    "Hollins",
    "Wrenfield",
    "Marlowe",
    "Penhallow",
    "Quillon",
    "Rookwood",
    "Stainsby",
    "Tenbury",
    "Underhill",
    "Vexley",
    "Whitlow",
    "Yarrowby",
    "Ambleside",
    "Birchall",
    "Coldridge",
    "Dunmore",
    "Elmstead",
    "Foxleigh",
    "Gorsedale",
    "Hartwell",
    "Ivybridge",
    "Juniper",
    "Kingsmere",
    "Larchfield",
    "Moorcroft",
    "Nettleton",
    "Orchardson",
    "Pebworth",
];

/// The 6 × 7 room layouts: a main site and a branch.
fn main_site_rooms(consulting: usize) -> Vec<RoomDraft> {
    let mut rooms = Vec::new();
    for i in 1..=consulting {
        let mut capabilities = vec![RoomCapability::Consulting];
        if i <= 2 {
            capabilities.push(RoomCapability::Accessible);
        }
        rooms.push(RoomDraft {
            name: format!("Consulting room {i}"),
            capabilities,
        });
    }
    rooms.push(RoomDraft {
        name: "Treatment room".into(),
        capabilities: vec![
            RoomCapability::Treatment,
            RoomCapability::Phlebotomy,
            RoomCapability::Accessible,
        ],
    });
    for name in ["Nurses' room", "Minor treatment room"] {
        rooms.push(RoomDraft {
            name: name.into(),
            capabilities: vec![RoomCapability::Treatment],
        });
    }
    rooms.push(RoomDraft {
        name: "Phlebotomy room".into(),
        capabilities: vec![RoomCapability::Phlebotomy],
    });
    rooms.push(RoomDraft {
        name: "Reception office".into(),
        capabilities: vec![RoomCapability::DeskOnly],
    });
    rooms.push(RoomDraft {
        name: "Admin office".into(),
        capabilities: vec![RoomCapability::DeskOnly],
    });
    rooms
}

fn branch_rooms() -> Vec<RoomDraft> {
    vec![
        RoomDraft {
            name: "Consulting room 1".into(),
            capabilities: vec![RoomCapability::Consulting, RoomCapability::Accessible],
        },
        RoomDraft {
            name: "Consulting room 2".into(),
            capabilities: vec![RoomCapability::Consulting],
        },
        RoomDraft {
            name: "Treatment room".into(),
            capabilities: vec![RoomCapability::Treatment, RoomCapability::Phlebotomy],
        },
        RoomDraft {
            name: "Reception".into(),
            capabilities: vec![RoomCapability::DeskOnly],
        },
    ]
}

fn skills_for(role: Role, rng: &mut ChaCha8Rng) -> Vec<String> {
    let pool: &[&str] = match role {
        Role::GpPartner | Role::SalariedGp | Role::LocumGp | Role::GpRegistrar => &[
            "minor surgery",
            "coil fitting",
            "joint injections",
            "dermatology",
            "palliative care",
            "mental health",
        ],
        Role::AdvancedNursePractitioner => {
            &["prescribing", "minor illness", "respiratory", "diabetes"]
        }
        Role::PracticeNurse => &[
            "cervical screening",
            "diabetes",
            "asthma",
            "travel vaccinations",
            "wound care",
            "immunisations",
        ],
        Role::HealthcareAssistant | Role::Phlebotomist => {
            &["phlebotomy", "ECG", "blood pressure", "NHS health checks"]
        }
        Role::ClinicalPharmacist => &["prescribing", "medication reviews", "care home reviews"],
        Role::PharmacyTechnician => &["medicines reconciliation", "repeat prescribing"],
        Role::FirstContactPhysiotherapist => &["musculoskeletal assessment", "injections"],
        Role::Paramedic => &["home visits", "minor illness", "prescribing"],
        Role::MentalHealthPractitioner => &["mental health", "talking therapies"],
        Role::SocialPrescribingLinkWorker
        | Role::CareCoordinator
        | Role::HealthAndWellbeingCoach => &[
            "social prescribing",
            "care planning",
            "motivational interviewing",
        ],
        Role::Receptionist => &["reception", "care navigation", "EMIS", "telephony"],
        Role::Administrator | Role::MedicalSecretary => {
            &["docman", "EMIS", "referrals", "summarising"]
        }
        _ => &["EMIS", "rota planning"],
    };
    let count = rng.gen_range(1..=pool.len().min(3));
    let mut chosen: Vec<String> = pool
        .choose_multiple(rng, count)
        .map(|s| s.to_string())
        .collect();
    chosen.sort();
    chosen
}

/// Sessions a week for a WTE: 9 a week is full time for GPs, 10 for everyone else.
fn sessions_for(role: Role, wte: f64) -> f64 {
    let full = if role.staff_group() == domain::role::StaffGroup::Gp {
        9.0
    } else {
        10.0
    };
    ((wte * full * 2.0).round() / 2.0).clamp(0.5, 11.0)
}

struct Builder {
    rng: ChaCha8Rng,
    today: NaiveDate,
    staff: Vec<DemoStaff>,
    used_names: std::collections::BTreeSet<String>,
}

impl Builder {
    fn name(&mut self, doctor: bool) -> (String, String) {
        loop {
            let first = FIRST_NAMES[self.rng.gen_range(0..FIRST_NAMES.len())];
            let last = SURNAMES[self.rng.gen_range(0..SURNAMES.len())];
            let key = format!("{first} {last}");
            if self.used_names.insert(key.clone()) {
                let shown = if doctor { format!("Dr {key}") } else { key };
                return (
                    shown,
                    format!("{}.{}", first.to_lowercase(), last.to_lowercase()),
                );
            }
            // Large systems run out of pairs: add a middle initial.
            let initial = (b'A' + self.rng.gen_range(0..26)) as char;
            let key = format!("{first} {initial}. {last}");
            if self.used_names.insert(key.clone()) {
                let shown = if doctor { format!("Dr {key}") } else { key };
                return (
                    shown,
                    format!(
                        "{}.{}.{}",
                        first.to_lowercase(),
                        initial.to_ascii_lowercase(),
                        last.to_lowercase()
                    ),
                );
            }
        }
    }

    /// Adds a person and returns their index.
    #[allow(clippy::too_many_arguments)]
    fn person(
        &mut self,
        role: Role,
        employer: Employer,
        wte: f64,
        practices: &[&DemoPractice],
        domain_name: &str,
    ) -> usize {
        let doctor = role.staff_group() == domain::role::StaffGroup::Gp;
        let (name, local) = self.name(doctor);
        let years_ago = self.rng.gen_range(0..15);
        let start = self.today - Duration::days(365 * years_ago + self.rng.gen_range(30..300));
        let end_date = (self.rng.gen_range(0..20) == 0)
            .then(|| self.today + Duration::days(self.rng.gen_range(60..400)));
        let sites = practices
            .iter()
            .flat_map(|p| {
                p.sites
                    .iter()
                    .map(move |s| (p.ods_code.clone(), s.site.name.clone()))
            })
            .collect();
        let draft = StaffDraft {
            name,
            email: Some(format!("{local}@{domain_name}")),
            phone: None,
            role,
            employer,
            wte,
            sessions_per_week: sessions_for(role, wte),
            skills: skills_for(role, &mut self.rng),
            start_date: start,
            end_date,
            practices: practices.iter().map(|p| p.ods_code.clone()).collect(),
        };
        self.staff.push(DemoStaff { draft, sites });
        self.staff.len() - 1
    }

    fn wte(&mut self, choices: &[f64]) -> f64 {
        choices[self.rng.gen_range(0..choices.len())]
    }
}

fn email_domain(name: &str) -> String {
    let slug: String = name
        .to_lowercase()
        .split_whitespace()
        .filter(|w| !["surgery", "practice", "medical", "centre", "the"].contains(w))
        .collect::<Vec<_>>()
        .join("-");
    format!("{slug}.example")
}

/// Patients a GP WTE looks after in the demo. England has about 2,300 patients a full-time
/// fully qualified GP (NHS England's GP workforce statistics) and fewer counting GP
/// registrars and locums; the demo's practices sit between.
pub const PATIENTS_PER_GP_WTE: f64 = 2_150.0;
/// Patients a practice nurse WTE looks after in the demo.
pub const PATIENTS_PER_NURSE_WTE: f64 = 5_500.0;
/// Patients a healthcare assistant WTE looks after in the demo.
pub const PATIENTS_PER_HCA_WTE: f64 = 11_000.0;

impl Builder {
    /// Adds people of `role` (each a WTE drawn from `choices`) while the next one brings
    /// the total nearer `target` WTE; at least `min` of them.
    #[allow(clippy::too_many_arguments)]
    fn fill(
        &mut self,
        role: Role,
        employer: &Employer,
        choices: &[f64],
        target: f64,
        min: usize,
        here: &[&DemoPractice],
        domain_name: &str,
    ) -> f64 {
        let (mut total, mut count) = (0.0, 0);
        loop {
            let wte = self.wte(choices);
            if count >= min && total + wte / 2.0 > target {
                return total;
            }
            self.person(role, employer.clone(), wte, here, domain_name);
            total += wte;
            count += 1;
        }
    }
}

/// Staff of one practice, sized by its list: GPs at about one WTE per
/// [`PATIENTS_PER_GP_WTE`] patients (partners a little over half of it), nurses and
/// healthcare assistants likewise, so its safe capacity is in step with the appointments
/// its list asks for, as a real practice's is.
fn practice_team(b: &mut Builder, practice: &DemoPractice, pm_accounts: &mut Vec<(usize, String)>) {
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
fn pcn_team(b: &mut Builder, pcn: &DemoPcn, practices: &[&DemoPractice]) -> usize {
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

fn leave_for(b: &mut Builder, count: usize) -> Vec<DemoLeave> {
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

fn accounts(
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

fn practice(
    ods: &str,
    name: &str,
    pcn: &PcnCode,
    street: &str,
    postcode: &str,
    list_size: i64,
    branch: Option<&str>,
) -> DemoPractice {
    let consulting = ((list_size / 1_500) as usize).clamp(4, 8);
    let mut sites = vec![DemoSite {
        site: SiteDraft {
            name: name.into(),
            address: format!("{street}, Riverton"),
        },
        rooms: main_site_rooms(consulting),
    }];
    if let Some(branch) = branch {
        sites.push(DemoSite {
            site: SiteDraft {
                name: branch.into(),
                address: "2 Meadow Lane, Riverton".into(),
            },
            rooms: branch_rooms(),
        });
    }
    DemoPractice {
        ods_code: OdsCode::parse(ods).expect("demo ODS code"),
        name: name.into(),
        pcn_code: pcn.clone(),
        address: format!("{street}, Riverton"),
        postcode: domain::org::parse_postcode(postcode).expect("demo postcode"),
        list_size,
        sites,
    }
}

/// The demo PCN: three practices of Riverton, their teams and the PCN's shared team.
pub fn demo_pcn(today: NaiveDate) -> DemoData {
    let ics = DemoIcs {
        code: IcsCode::parse("QZZ").expect("code"),
        name: "Demo Integrated Care System".into(),
    };
    let pcn = DemoPcn {
        code: PcnCode::parse("U99901").expect("code"),
        name: "Riverside and Meadows PCN".into(),
    };
    let practices = vec![
        practice(
            "Y99901",
            "Riverside Surgery",
            &pcn.code,
            "14 River Street",
            "RV1 2AB",
            12_400,
            Some("Meadowbank Branch Surgery"),
        ),
        practice(
            "Y99902",
            "Castle Street Medical Centre",
            &pcn.code,
            "3 Castle Street",
            "RV2 4CD",
            9_300,
            None,
        ),
        practice(
            "Y99903",
            "Orchard Lane Practice",
            &pcn.code,
            "27 Orchard Lane",
            "RV3 6EF",
            8_100,
            None,
        ),
    ];
    let mut b = Builder {
        rng: ChaCha8Rng::seed_from_u64(20261123),
        today,
        staff: Vec::new(),
        used_names: Default::default(),
    };
    let mut pms = Vec::new();
    for p in &practices {
        practice_team(&mut b, p, &mut pms);
    }
    let refs: Vec<&DemoPractice> = practices.iter().collect();
    let manager = pcn_team(&mut b, &pcn, &refs);
    let leave = leave_for(&mut b, 9);
    let vacancies = vec![
        DemoVacancy {
            employer: Employer::Practice(practices[1].ods_code.clone()),
            draft: VacancyDraft {
                role: Role::SalariedGp,
                wte: 0.6,
                opened_on: Some(today - Duration::days(75)),
                monthly_cost_gbp: 9_000.0,
                notes: Some("Covered by locums on Tuesdays and Thursdays".into()),
            },
        },
        DemoVacancy {
            employer: Employer::Practice(practices[0].ods_code.clone()),
            draft: VacancyDraft {
                role: Role::Receptionist,
                wte: 0.8,
                opened_on: Some(today - Duration::days(30)),
                monthly_cost_gbp: 1_800.0,
                notes: Some("Overtime from the reception team".into()),
            },
        },
    ];
    let accounts = accounts(&b, &ics, &[(manager, pcn.code.to_string())], &pms);
    DemoData {
        ics,
        pcns: vec![pcn],
        practices,
        staff: b.staff,
        vacancies,
        leave,
        accounts,
    }
}

/// A synthetic system: `practices` practices in PCNs of 3–6, one ICS.
pub fn generate(options: &DemoOptions) -> DemoData {
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let ics = DemoIcs {
        code: IcsCode::parse("QZG").expect("code"),
        name: format!("Synthetic ICS (seed {})", options.seed),
    };
    let mut pcns = Vec::new();
    let mut practices = Vec::new();
    let total = options.practices.max(1);
    while practices.len() < total {
        let size = rng.gen_range(3..=6).min(total - practices.len());
        let pcn = DemoPcn {
            code: PcnCode::parse(&format!("U{:05}", 10_000 + pcns.len())).expect("code"),
            name: format!("Synthetic PCN {}", pcns.len() + 1),
        };
        for _ in 0..size {
            let n = practices.len();
            let list_size = rng.gen_range(3_000..=20_000);
            let name = format!("Synthetic Practice {}", n + 1);
            let mut p = practice(
                &format!("Y{:05}", 10_000 + n),
                &name,
                &pcn.code,
                &format!("{} High Street", n + 1),
                "SY1 1AA",
                list_size,
                None,
            );
            p.sites[0].site.name = name;
            practices.push(p);
        }
        pcns.push(pcn);
    }
    let mut b = Builder {
        rng,
        today: options.today,
        staff: Vec::new(),
        used_names: Default::default(),
    };
    let mut pms = Vec::new();
    for p in &practices {
        practice_team(&mut b, p, &mut pms);
    }
    let mut managers = Vec::new();
    for pcn in &pcns {
        let members: Vec<&DemoPractice> = practices
            .iter()
            .filter(|p| p.pcn_code == pcn.code)
            .collect();
        let manager = pcn_team(&mut b, pcn, &members);
        managers.push((manager, pcn.code.to_string()));
    }
    let leave = leave_for(&mut b, total * 3);
    let vacancies = practices
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(i, p)| DemoVacancy {
            employer: Employer::Practice(p.ods_code.clone()),
            draft: VacancyDraft {
                role: if i % 2 == 0 {
                    Role::SalariedGp
                } else {
                    Role::Receptionist
                },
                wte: 0.6,
                opened_on: Some(options.today - Duration::days(40)),
                monthly_cost_gbp: if i % 2 == 0 { 8_000.0 } else { 1_500.0 },
                notes: None,
            },
        })
        .collect();
    let accounts = accounts(&b, &ics, &managers, &pms);
    DemoData {
        ics,
        pcns,
        practices,
        staff: b.staff,
        vacancies,
        leave,
        accounts,
    }
}

/// Trims the staff to `target` people (when there are more), for a benchmark that wants a
/// team of a given size from `generate`: one at a time, the last-made member of the largest
/// team of one role at one employer leaves (ties to the team made first), so every role of
/// every employer keeps someone — unless `target` is below the number of such teams, where
/// trimming stops. The people who leave take their leave and log-ins with them.
pub fn keep_staff(data: &mut DemoData, target: usize) {
    let mut teams: Vec<((String, Role), Vec<usize>)> = Vec::new();
    for (i, person) in data.staff.iter().enumerate() {
        let key = (format!("{:?}", person.draft.employer), person.draft.role);
        match teams.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(i),
            None => teams.push((key, vec![i])),
        }
    }
    let mut kept = vec![true; data.staff.len()];
    let mut left = data.staff.len();
    while left > target {
        let Some(largest) = teams
            .iter_mut()
            .filter(|(_, members)| members.len() > 1)
            .reduce(|a, b| if b.1.len() > a.1.len() { b } else { a })
        else {
            break;
        };
        let gone = largest.1.pop().expect("a team of two or more");
        kept[gone] = false;
        left -= 1;
    }
    let mut new_index = vec![None; data.staff.len()];
    let mut next = 0;
    for (i, keep) in kept.iter().enumerate() {
        if *keep {
            new_index[i] = Some(next);
            next += 1;
        }
    }
    let mut i = 0;
    data.staff.retain(|_| {
        i += 1;
        kept[i - 1]
    });
    data.leave.retain_mut(|l| match new_index[l.staff_index] {
        Some(n) => {
            l.staff_index = n;
            true
        }
        None => false,
    });
    data.accounts.retain_mut(|a| match a.staff_index {
        None => true,
        Some(old) => match new_index[old] {
            Some(n) => {
                a.staff_index = Some(n);
                true
            }
            None => false,
        },
    });
}

#[cfg(test)]
mod tests {
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
            let before = full.leave.iter().find(|k| {
                k.draft == l.draft && full.staff[k.staff_index] == data.staff[l.staff_index]
            });
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
        assert!(d.leave.iter().any(|l| l.status == LeaveStatus::Approved
            && l.draft.start_date <= today() + Duration::days(6)));
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
}

/// One cover requirement of a demo site.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCover {
    pub ods: OdsCode,
    pub site_name: String,
    pub weekday: chrono::Weekday,
    pub session: domain::rota::Session,
    pub need: domain::rota::CoverNeed,
    pub minimum: u32,
    pub ideal: u32,
}

/// A demo person's rota rules.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRules {
    pub staff_index: usize,
    pub rules: domain::rota::RotaRules,
}

/// A cover template the team can mostly meet, and a few people's rota rules: each
/// practice's main site needs, every weekday session, about 70 % (minimum) to 90 % (ideal)
/// of the GP, nurse and admin sessions its own staff supply a session on average; a branch
/// site needs one GP and one receptionist in the mornings; the first practice's main site
/// is the PCN's enhanced-access hub (a GP every weekday evening; a GP and a nurse on
/// Saturdays). Some GPs have a fixed Monday morning, a day never worked, and at most two
/// evenings a month.
pub fn rota_setup(data: &DemoData) -> (Vec<DemoCover>, Vec<DemoRules>) {
    use domain::role::StaffGroup;
    use domain::rota::{CoverNeed, ROTA_WEEKDAYS, RotaRules, Session};
    let mut cover = Vec::new();
    for (i, practice) in data.practices.iter().enumerate() {
        let works_here = |s: &&DemoStaff| s.draft.practices.contains(&practice.ods_code);
        let supply = |group: StaffGroup| -> f64 {
            data.staff
                .iter()
                .filter(works_here)
                .filter(|s| s.draft.role.staff_group() == group)
                .map(|s| s.draft.sessions_per_week / s.draft.practices.len() as f64)
                .sum::<f64>()
                / 10.0
        };
        let main = practice.sites[0].site.name.clone();
        let mut push = |site: &str, weekday, session, need: CoverNeed, minimum: u32, ideal: u32| {
            if ideal > 0 {
                cover.push(DemoCover {
                    ods: practice.ods_code.clone(),
                    site_name: site.to_string(),
                    weekday,
                    session,
                    need,
                    minimum,
                    ideal: ideal.max(minimum),
                });
            }
        };
        for group in [
            StaffGroup::Gp,
            StaffGroup::Nurses,
            StaffGroup::AdminNonClinical,
        ] {
            let per_session = supply(group);
            for day in &ROTA_WEEKDAYS[..5] {
                for session in [Session::Am, Session::Pm] {
                    push(
                        &main,
                        *day,
                        session,
                        CoverNeed::Group(group),
                        (per_session * 0.7).floor() as u32,
                        (per_session * 0.9).round() as u32,
                    );
                }
            }
        }
        if let Some(branch) = practice.sites.get(1) {
            for day in &ROTA_WEEKDAYS[..5] {
                push(
                    &branch.site.name,
                    *day,
                    Session::Am,
                    CoverNeed::Group(StaffGroup::Gp),
                    1,
                    1,
                );
                push(
                    &branch.site.name,
                    *day,
                    Session::Am,
                    CoverNeed::Role(domain::role::Role::Receptionist),
                    1,
                    1,
                );
            }
        }
        if i == 0 {
            for day in &ROTA_WEEKDAYS[..5] {
                push(
                    &main,
                    *day,
                    Session::Evening,
                    CoverNeed::Group(StaffGroup::Gp),
                    1,
                    1,
                );
            }
            push(
                &main,
                chrono::Weekday::Sat,
                Session::Saturday,
                CoverNeed::Group(StaffGroup::Gp),
                1,
                1,
            );
            push(
                &main,
                chrono::Weekday::Sat,
                Session::Saturday,
                CoverNeed::Group(StaffGroup::Nurses),
                1,
                1,
            );
        }
    }
    let mut rules = Vec::new();
    let gps: Vec<usize> = (0..data.staff.len())
        .filter(|&i| data.staff[i].draft.role.staff_group() == StaffGroup::Gp)
        .collect();
    for (k, &i) in gps.iter().enumerate() {
        let mut r = RotaRules {
            max_evenings_month: Some(2),
            max_saturdays_month: Some(1),
            ..RotaRules::default()
        };
        if k % 4 == 0 {
            r.fixed_sessions.push((chrono::Weekday::Mon, Session::Am));
        }
        if k % 4 == 1 && data.staff[i].draft.sessions_per_week <= 6.0 {
            r.days_never.push(chrono::Weekday::Wed);
        }
        rules.push(DemoRules {
            staff_index: i,
            rules: r,
        });
    }
    (cover, rules)
}
