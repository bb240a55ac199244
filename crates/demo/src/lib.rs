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
mod setup;
mod team;
mod training;
mod wellbeing;
pub use leave::{DemoEntitlement, demo_entitlements, demo_past_leave};
pub use payments::{PAYMENTS_FILES, PAYMENTS_STAND_INS, demo_practice_for};
use rand_chacha::ChaCha8Rng;
pub use setup::{DemoCover, DemoRules, rota_setup};
use team::{accounts, leave_for, pcn_team, practice_team};
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
    fit_rooms(&mut practices, &b.staff);
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

/// Sessions a week a room can hold: mornings and afternoons, Monday to Friday.
const ROOM_SESSIONS_A_WEEK: f64 = 10.0;
/// Room-sessions a practice keeps per contracted session that needs its kind of room.
const ROOM_SLACK: f64 = 1.25;

/// Adds rooms to each practice's main site until every kind of clinical room holds the
/// contracted sessions of the people who work there (a person at several practices counts
/// a share at each) with a quarter to spare, as a practice that employs them must: a
/// generated system whose nurses outnumber its treatment rooms has no rota at all.
fn fit_rooms(practices: &mut [DemoPractice], staff: &[DemoStaff]) {
    for practice in practices.iter_mut() {
        for kind in [
            RoomCapability::Consulting,
            RoomCapability::Treatment,
            RoomCapability::Phlebotomy,
        ] {
            let sessions: f64 = staff
                .iter()
                .filter(|s| domain::room::room_need(s.draft.role) == Some(kind))
                .filter_map(|s| {
                    let here = s
                        .sites
                        .iter()
                        .filter(|(ods, _)| *ods == practice.ods_code)
                        .count();
                    (here > 0)
                        .then(|| s.draft.sessions_per_week * here as f64 / s.sites.len() as f64)
                })
                .sum();
            let rooms = practice
                .sites
                .iter()
                .flat_map(|site| &site.rooms)
                .filter(|room| room.capabilities.contains(&kind))
                .count();
            let wanted = (sessions * ROOM_SLACK / ROOM_SESSIONS_A_WEEK).ceil() as usize;
            let name = match kind {
                RoomCapability::Consulting => "Consulting room",
                RoomCapability::Treatment => "Treatment room",
                _ => "Phlebotomy room",
            };
            for n in rooms..wanted {
                practice.sites[0].rooms.push(RoomDraft {
                    name: format!("{name} {}", n + 1),
                    capabilities: vec![kind],
                });
            }
        }
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
#[path = "lib_tests.rs"]
mod tests;
