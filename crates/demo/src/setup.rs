//! The rota set-up a demo system starts with: each site's cover template and each
//! person's rota rules.
use super::*;

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
