//! Practices, PCNs and the system: dashboards and aggregated figures.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use chrono::{Datelike, Duration, NaiveDate};
use domain::account::UserRole;
use domain::leave::LeaveStatus;
use domain::org::{Employer, OdsCode, PcnCode};
use domain::role::StaffGroup;
use serde::Serialize;
use std::collections::BTreeMap;
use store::leave::{LeaveRecord, LeaveScope};
use store::organisations::{PcnRecord, PracticeRecord, PracticeScope};
use store::register::{StaffFilter, StaffRecord, StaffScope};
use store::sites::vacancies::VacancyRecord;

/// Headcount and WTE of one staff group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCount {
    pub staff_group: StaffGroup,
    pub label: &'static str,
    pub headcount: usize,
    /// A person working at several practices counts their WTE shared evenly between them.
    pub wte: f64,
}

/// Counts people by staff group at one practice (`at = Some(ods)`), or whole (`None`).
pub fn count_by_group(people: &[StaffRecord], at: Option<&str>) -> Vec<GroupCount> {
    StaffGroup::ALL
        .into_iter()
        .map(|group| {
            let members: Vec<&StaffRecord> = people
                .iter()
                .filter(|p| p.draft.role.staff_group() == group)
                .collect();
            let wte = members
                .iter()
                .map(|p| match at {
                    Some(_) => p.draft.wte / p.draft.practices.len().max(1) as f64,
                    None => p.draft.wte,
                })
                .sum::<f64>();
            GroupCount {
                staff_group: group,
                label: group.label(),
                headcount: members.len(),
                wte: (wte * 100.0).round() / 100.0,
            }
        })
        .collect()
}

/// The staff groups of one PCN (`Some(code)`) or of the system's totals (`None`), from
/// counts made in SQL, in the same shape as [`count_by_group`].
fn groups_from_tallies(
    tallies: &[store::register::GroupTally],
    pcn: Option<&str>,
) -> Vec<GroupCount> {
    StaffGroup::ALL
        .into_iter()
        .map(|group| {
            let found = tallies
                .iter()
                .find(|t| t.staff_group == group && t.pcn_code.as_deref() == pcn);
            GroupCount {
                staff_group: group,
                label: group.label(),
                headcount: found.map_or(0, |t| usize::try_from(t.headcount).unwrap_or(0)),
                wte: found.map_or(0.0, |t| round2(t.wte)),
            }
        })
        .collect()
}

/// The Monday and Sunday of the week holding `day`.
pub fn week_of(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    (monday, monday + Duration::days(6))
}

#[derive(Debug, Clone, Serialize)]
pub struct PracticeDashboard {
    pub practice: PracticeRecord,
    pub pcn: Option<PcnRecord>,
    pub groups: Vec<GroupCount>,
    pub headcount: usize,
    pub wte: f64,
    pub vacancies: Vec<VacancyRecord>,
    /// Approved leave overlapping this week.
    pub on_leave: Vec<LeaveRecord>,
    pub pending_leave: usize,
    pub week: (NaiveDate, NaiveDate),
    pub sites: usize,
    pub rooms: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PracticeSummary {
    pub practice: PracticeRecord,
    pub headcount: usize,
    pub wte: f64,
    pub open_vacancies: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PcnOverview {
    pub pcn: PcnRecord,
    pub practices: Vec<PracticeSummary>,
    /// Everyone employed by the PCN or a member practice, counted once.
    pub groups: Vec<GroupCount>,
    pub headcount: usize,
    pub wte: f64,
    pub list_size: i64,
    pub vacancies: Vec<VacancyRecord>,
    /// The PCN-employed team, for managers; `None` for aggregate-only viewers.
    pub team: Option<Vec<StaffRecord>>,
}

/// Aggregated figures for one PCN: counts only, no names.
#[derive(Debug, Clone, Serialize)]
pub struct PcnAggregate {
    pub code: String,
    pub name: String,
    pub practices: usize,
    pub list_size: i64,
    pub groups: Vec<GroupCount>,
    pub headcount: usize,
    pub wte: f64,
    pub open_vacancies: usize,
    pub vacancy_wte: f64,
    pub vacancy_monthly_cost_gbp: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SystemSummary {
    pub ics_code: String,
    /// The ICS's name ("NHS Suffolk and North East Essex ICB"), its code when it has none.
    pub ics_name: String,
    /// When these figures were counted (they may be kept for a short time).
    pub counted_at: chrono::DateTime<chrono::Utc>,
    pub pcns: Vec<PcnAggregate>,
    pub totals: Vec<GroupCount>,
}

/// ICS figures kept for a short time, per ICS (see `App::with_ics_figures_kept_for`).
#[derive(Debug, Default)]
pub(crate) struct IcsFigures {
    keep: std::time::Duration,
    kept: std::sync::Mutex<BTreeMap<String, (std::time::Instant, NaiveDate, SystemSummary)>>,
}

impl IcsFigures {
    pub(crate) fn keeping(keep: std::time::Duration) -> IcsFigures {
        IcsFigures {
            keep,
            kept: Default::default(),
        }
    }

    /// The kept figures of `ics` if counted within the keeping time and on `today`.
    fn get(&self, ics: &str, today: NaiveDate) -> Option<SystemSummary> {
        if self.keep.is_zero() {
            return None;
        }
        let kept = self.kept.lock().expect("ICS figures");
        kept.get(ics)
            .filter(|(at, day, _)| at.elapsed() < self.keep && *day == today)
            .map(|(_, _, s)| s.clone())
    }

    fn put(&self, summary: &SystemSummary, today: NaiveDate) {
        if !self.keep.is_zero() {
            let mut kept = self.kept.lock().expect("ICS figures");
            kept.insert(
                summary.ics_code.clone(),
                (std::time::Instant::now(), today, summary.clone()),
            );
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub(crate) fn employers_of(pcn: &str, practices: &[PracticeRecord]) -> Vec<Employer> {
    let mut employers: Vec<Employer> = practices
        .iter()
        .filter_map(|p| OdsCode::parse(&p.ods_code).ok())
        .map(Employer::Practice)
        .collect();
    if let Ok(code) = PcnCode::parse(pcn) {
        employers.push(Employer::Pcn(code));
    }
    employers
}

impl crate::organisations::Organisations<'_> {
    /// The practices of a PCN on a day, by their membership that day, in name order.
    pub(crate) async fn practices_of_pcn_on(
        &self,
        conn: &mut store::Conn,
        pcn: &str,
        on: NaiveDate,
    ) -> AppResult<Vec<PracticeRecord>> {
        let mut out = Vec::new();
        for ods in
            store::organisations::memberships::practices_on(conn, pcn, &on.to_string()).await?
        {
            out.extend(store::organisations::get(conn, &ods).await?);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The practices the actor can see, for lists and the API.
    pub async fn visible_practices(&self, actor: &Actor) -> AppResult<Vec<PracticeRecord>> {
        let mut conn = self.store().conn().await?;
        let scope = match actor.role {
            UserRole::PracticeManager => PracticeScope::One(&actor.org),
            UserRole::PcnManager => PracticeScope::Pcn(&actor.org),
            UserRole::IcsViewer => PracticeScope::Ics(&actor.org),
            UserRole::SystemAdmin => PracticeScope::All,
            UserRole::Staff => {
                let Some(staff_id) = &actor.staff_id else {
                    return Ok(Vec::new());
                };
                let me = store::register::get(&mut conn, staff_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let mut out = Vec::new();
                for ods in &me.draft.practices {
                    out.extend(store::organisations::get(&mut conn, ods.as_str()).await?);
                }
                return Ok(out);
            }
        };
        Ok(store::organisations::list(&mut conn, scope).await?)
    }

    /// Names by code of the practices the actor can see and of their PCNs (public NHS
    /// data), so pages name organisations instead of showing their codes.
    pub async fn organisation_names(&self, actor: &Actor) -> AppResult<BTreeMap<String, String>> {
        let practices = self.visible_practices(actor).await?;
        let mut conn = self.store().conn().await?;
        let mut pcns = std::collections::BTreeSet::new();
        if actor.role == UserRole::PcnManager {
            pcns.insert(actor.org.clone());
        }
        let mut names = BTreeMap::new();
        for practice in practices {
            pcns.extend(practice.pcn_code.clone());
            names.insert(practice.ods_code, practice.name);
        }
        for code in pcns {
            if let Some(pcn) = store::organisations::get_pcn(&mut conn, &code).await? {
                names.insert(pcn.code, pcn.name);
            }
        }
        Ok(names)
    }

    pub async fn practice_dashboard(
        &self,
        actor: &Actor,
        ods: &str,
    ) -> AppResult<PracticeDashboard> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        let practice = store::organisations::get(&mut conn, ods)
            .await?
            .ok_or(AppError::NotFound)?;
        let pcn = match &practice.pcn_code {
            Some(code) => store::organisations::get_pcn(&mut conn, code).await?,
            None => None,
        };
        let people = store::register::list(
            &mut conn,
            StaffScope::WorksAt(ods),
            &StaffFilter::employed_on(self.today()),
        )
        .await?;
        let groups = count_by_group(&people, Some(ods));
        let week = week_of(self.today());
        let (from, to) = (week.0.to_string(), week.1.to_string());
        let leave =
            store::leave::list(&mut conn, LeaveScope::WorksAt(ods), Some((&from, &to))).await?;
        let pending_leave = store::leave::list(&mut conn, LeaveScope::WorksAt(ods), None)
            .await?
            .iter()
            .filter(|l| l.status == LeaveStatus::Requested)
            .count();
        let employer =
            Employer::Practice(OdsCode::parse(ods).map_err(|e| AppError::Invalid(e.into()))?);
        let vacancies = store::sites::vacancies::list(&mut conn, &[employer], true).await?;
        let sites = store::sites::list_sites(&mut conn, &[ods.to_string()]).await?;
        let site_ids: Vec<String> = sites.iter().map(|s| s.id.clone()).collect();
        let rooms = store::sites::list_rooms(&mut conn, &site_ids).await?.len();
        Ok(PracticeDashboard {
            headcount: people.len(),
            wte: round2(groups.iter().map(|g| g.wte).sum()),
            groups,
            practice,
            pcn,
            vacancies,
            on_leave: leave
                .into_iter()
                .filter(|l| l.status == LeaveStatus::Approved)
                .collect(),
            pending_leave,
            week,
            sites: sites.len(),
            rooms,
        })
    }

    /// The PCN page: member practices, the whole team by group, vacancies and, for managers,
    /// the PCN-employed team by name.
    pub async fn pcn_overview(&self, actor: &Actor, code: &str) -> AppResult<PcnOverview> {
        let mut conn = self.store().conn().await?;
        access::authorize(
            &mut conn,
            actor,
            Permission::ViewAggregates,
            Tenant::Pcn(code),
        )
        .await?;
        let named = access::authorize(&mut conn, actor, Permission::View, Tenant::Pcn(code))
            .await
            .is_ok();
        let pcn = store::organisations::get_pcn(&mut conn, code)
            .await?
            .ok_or(AppError::NotFound)?;
        let practices = self
            .practices_of_pcn_on(&mut conn, code, self.today())
            .await?;
        let everyone = store::register::list(
            &mut conn,
            StaffScope::Pcn(code),
            &StaffFilter::employed_on(self.today()),
        )
        .await?;
        let vacancies =
            store::sites::vacancies::list(&mut conn, &employers_of(code, &practices), true).await?;
        let mut summaries = Vec::new();
        for practice in &practices {
            let here: Vec<StaffRecord> = everyone
                .iter()
                .filter(|s| {
                    s.draft
                        .practices
                        .iter()
                        .any(|p| p.as_str() == practice.ods_code)
                })
                .cloned()
                .collect();
            let groups = count_by_group(&here, Some(&practice.ods_code));
            summaries.push(PracticeSummary {
                practice: practice.clone(),
                headcount: here.len(),
                wte: round2(groups.iter().map(|g| g.wte).sum()),
                open_vacancies: vacancies
                    .iter()
                    .filter(|v| v.employer.code() == practice.ods_code)
                    .count(),
            });
        }
        let groups = count_by_group(&everyone, None);
        let team = named.then(|| {
            everyone
                .iter()
                .filter(|s| s.draft.employer.code() == code)
                .cloned()
                .collect()
        });
        Ok(PcnOverview {
            headcount: everyone.len(),
            wte: round2(groups.iter().map(|g| g.wte).sum()),
            list_size: practices.iter().filter_map(|p| p.list_size).sum(),
            groups,
            practices: summaries,
            vacancies,
            team,
            pcn,
        })
    }

    /// The ICS viewer's page: counts per PCN, never a name.
    pub async fn system_summary(&self, actor: &Actor) -> AppResult<SystemSummary> {
        if actor.role != UserRole::IcsViewer {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.store().conn().await?;
        let pcns = store::organisations::list_pcns(&mut conn, Some(&actor.org)).await?;
        for pcn in &pcns {
            access::authorize_read_pcn(actor, Permission::ViewAggregates, pcn)?;
        }
        if let Some(kept) = self.ics_figures.get(&actor.org, self.today()) {
            return Ok(kept);
        }
        // The whole ICS in four queries, counted in SQL: with 1,000 practices the page once
        // made about 3,700 queries, and then read all 19,000 people to count them.
        let practices =
            store::organisations::list(&mut conn, PracticeScope::Ics(&actor.org)).await?;
        let tallies =
            store::register::group_tallies_in_ics(&mut conn, &actor.org, self.today()).await?;
        let vacancies = store::sites::vacancies::list_open_in_ics(&mut conn, &actor.org).await?;
        let pcn_of: std::collections::BTreeMap<&str, &str> = practices
            .iter()
            .filter_map(|p| Some((p.ods_code.as_str(), p.pcn_code.as_deref()?)))
            .collect();
        let mut out = Vec::with_capacity(pcns.len());
        for pcn in &pcns {
            let members: Vec<&PracticeRecord> = practices
                .iter()
                .filter(|p| p.pcn_code.as_deref() == Some(pcn.code.as_str()))
                .collect();
            let open: Vec<&VacancyRecord> = vacancies
                .iter()
                .filter(|v| match &v.employer {
                    Employer::Pcn(code) => code.as_str() == pcn.code,
                    Employer::Practice(ods) => pcn_of.get(ods.as_str()) == Some(&pcn.code.as_str()),
                })
                .collect();
            let groups = groups_from_tallies(&tallies, Some(&pcn.code));
            out.push(PcnAggregate {
                code: pcn.code.clone(),
                name: pcn.name.clone(),
                practices: members.len(),
                list_size: members.iter().filter_map(|p| p.list_size).sum(),
                headcount: groups.iter().map(|g| g.headcount).sum(),
                wte: round2(groups.iter().map(|g| g.wte).sum()),
                groups,
                open_vacancies: open.len(),
                vacancy_wte: round2(open.iter().map(|v| v.vacancy.wte).sum()),
                vacancy_monthly_cost_gbp: open.iter().map(|v| v.vacancy.monthly_cost_gbp).sum(),
            });
        }
        let summary = SystemSummary {
            ics_code: actor.org.clone(),
            ics_name: store::organisations::get_ics(&mut conn, &actor.org)
                .await?
                .map(|ics| ics.name)
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| actor.org.clone()),
            counted_at: self.clock().now(),
            totals: groups_from_tallies(&tallies, None),
            pcns: out,
        };
        self.ics_figures.put(&summary, self.today());
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let thursday = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let (mon, sun) = week_of(thursday);
        assert_eq!(mon, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(sun, NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
    }
}
