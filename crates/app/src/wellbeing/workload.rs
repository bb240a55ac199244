//! Workload signals that contracts and leave allow. The signals that need hours and days
//! worked are not yet worked out from the published rota; they say so rather than guess.
use crate::App;
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::AppResult;
use chrono::{Datelike, Duration, NaiveDate};
use domain::leave::{LeaveKind, LeaveStatus};
use serde::Serialize;
use store::leave::{LeaveRecord, LeaveScope};
use store::staff::{StaffFilter, StaffRecord, StaffScope};

/// A workload signal that needs the rota, named with the reason it is not shown.
#[derive(Debug, Clone, Serialize)]
pub struct UnavailableSignal {
    pub name: &'static str,
    pub why: &'static str,
}

/// The signals that need the days and hours worked, which are not yet worked out from the
/// published rota.
pub fn rota_signals() -> Vec<UnavailableSignal> {
    const WHY: &str = "Needs the rota: gpteam holds the published rota (see My rota) but does not yet work this signal out from it, and contracts give only sessions a week.";
    vec![
        UnavailableSignal {
            name: "Hours planned over contract",
            why: WHY,
        },
        UnavailableSignal {
            name: "Consecutive working days without a rest day",
            why: WHY,
        },
        UnavailableSignal {
            name: "Evenings and Saturdays worked a month",
            why: WHY,
        },
        UnavailableSignal {
            name: "Planned patient contacts a day over the safe limit of 25",
            why: WHY,
        },
    ]
}

/// Annual leave days a year for a full-time contract when gpteam holds no entitlement:
/// the NHS Agenda for Change entitlement on joining, bank holidays not included.
pub const DEFAULT_ANNUAL_LEAVE_DAYS: f64 = 27.0;
/// Behind on leave by at least this many days (a working week, pro rata) raises the signal.
pub const LEAVE_BEHIND_DAYS: f64 = 5.0;

/// Annual leave taken against the entitlement expected by this point of the leave year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaveSignal {
    /// The leave year: 1 April to 31 March.
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
    /// Days for the year, pro rata to WTE (at most 1) and to the part of the year employed.
    pub entitlement: f64,
    /// The share of the entitlement due by today.
    pub expected_by_now: f64,
    /// Approved annual leave up to today, in working days × WTE.
    pub taken: f64,
    /// Approved annual leave after today in this leave year.
    pub booked: f64,
    pub behind_by: f64,
    pub behind: bool,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The leave year (1 April – 31 March) holding `today`.
pub fn leave_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let year = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    let start = NaiveDate::from_ymd_opt(year, 4, 1).expect("a valid date");
    let end = NaiveDate::from_ymd_opt(year + 1, 3, 31).expect("a valid date");
    (start, end)
}

/// The leave signal of one person from their contract and their approved annual leave.
pub fn leave_signal(person: &StaffRecord, leave: &[LeaveRecord], today: NaiveDate) -> LeaveSignal {
    let (year_start, year_end) = leave_year(today);
    let wte = person.draft.wte.min(1.0);
    let employed_from = person.draft.start_date.max(year_start);
    let employed_to = person.draft.end_date.unwrap_or(year_end).min(year_end);
    let year_days = (year_end - year_start).num_days() as f64 + 1.0;
    let employed_days = ((employed_to - employed_from).num_days() as f64 + 1.0).max(0.0);
    let entitlement = DEFAULT_ANNUAL_LEAVE_DAYS * wte * employed_days / year_days;
    let elapsed = ((today.min(employed_to) - employed_from).num_days() as f64 + 1.0).max(0.0);
    let expected_by_now = if employed_days > 0.0 {
        entitlement * (elapsed / employed_days).min(1.0)
    } else {
        0.0
    };
    let (mut taken, mut booked) = (0.0, 0.0);
    for l in leave.iter().filter(|l| {
        l.staff_id == person.id
            && l.status == LeaveStatus::Approved
            && l.leave.kind == LeaveKind::Annual
    }) {
        let mut day = l.leave.start_date.max(year_start);
        let last = l.leave.end_date.min(year_end);
        while day <= last {
            if analytics::calendar::is_working_day(day) {
                if day <= today {
                    taken += wte;
                } else {
                    booked += wte;
                }
            }
            day += Duration::days(1);
        }
    }
    let behind_by = (expected_by_now - taken).max(0.0);
    LeaveSignal {
        year_start,
        year_end,
        entitlement: round1(entitlement),
        expected_by_now: round1(expected_by_now),
        taken: round1(taken),
        booked: round1(booked),
        behind_by: round1(behind_by),
        behind: behind_by >= LEAVE_BEHIND_DAYS * wte && wte > 0.0,
    }
}

/// A person's own workload signals.
#[derive(Debug, Clone, Serialize)]
pub struct MyWorkload {
    pub name: String,
    pub wte: f64,
    pub sessions_per_week: f64,
    pub leave: LeaveSignal,
    pub unavailable: Vec<UnavailableSignal>,
}

/// A team's workload signals: counts only, no names (leave is not a hard breach; hard
/// breaches — over the safe limit, no rest — are not yet worked out from the rota).
#[derive(Debug, Clone, Serialize)]
pub struct TeamWorkload {
    pub people: usize,
    pub behind_on_leave: usize,
    /// Working days of leave due by now but not taken, over the whole team.
    pub days_behind: f64,
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
    pub unavailable: Vec<UnavailableSignal>,
}

impl App {
    /// The actor's own workload signals.
    pub async fn my_workload(&self, actor: &Actor) -> AppResult<MyWorkload> {
        let mut conn = self.store().conn().await?;
        let me = self.me(&mut conn, actor).await?;
        let leave = store::leave::list(&mut conn, LeaveScope::Staff(&me.id), None).await?;
        Ok(MyWorkload {
            name: me.draft.name.clone(),
            wte: me.draft.wte,
            sessions_per_week: me.draft.sessions_per_week,
            leave: leave_signal(&me, &leave, self.today()),
            unavailable: rota_signals(),
        })
    }

    /// The workload signals of everyone working at a practice, as counts.
    pub async fn team_workload(&self, actor: &Actor, ods: &str) -> AppResult<TeamWorkload> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        let today = self.today();
        let people: Vec<StaffRecord> = store::staff::list(
            &mut conn,
            StaffScope::WorksAt(ods),
            &StaffFilter::employed_on(today),
        )
        .await?;
        let leave = store::leave::list(&mut conn, LeaveScope::WorksAt(ods), None).await?;
        let signals: Vec<LeaveSignal> = people
            .iter()
            .map(|p| leave_signal(p, &leave, today))
            .collect();
        let (year_start, year_end) = leave_year(today);
        Ok(TeamWorkload {
            people: people.len(),
            behind_on_leave: signals.iter().filter(|s| s.behind).count(),
            days_behind: round1(signals.iter().map(|s| s.behind_by).sum()),
            year_start,
            year_end,
            unavailable: rota_signals(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::leave::LeaveDraft;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn leave_behind_pro_rata() {
        let draft = domain::staff::StaffForm {
            name: "A".into(),
            role: "receptionist".into(),
            employer: "practice".into(),
            employer_code: "Y99901".into(),
            wte: "1".into(),
            sessions_per_week: "10".into(),
            start_date: "2020-01-01".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let person = StaffRecord {
            id: "p".into(),
            draft,
            site_ids: vec![],
            created_at: String::new(),
            updated_at: String::new(),
        };
        let today = day("2026-10-01");
        let none = leave_signal(&person, &[], today);
        assert_eq!(none.year_start, day("2026-04-01"));
        // 184 of 365 days gone (1 April to 1 October, both counted): 27 × 184 / 365 = 13.6.
        assert_eq!(none.expected_by_now, 13.6);
        assert!(none.behind);
        let week = LeaveRecord {
            id: "l".into(),
            staff_id: "p".into(),
            staff_name: "A".into(),
            leave: LeaveDraft {
                kind: LeaveKind::Annual,
                start_date: day("2026-07-06"),
                end_date: day("2026-07-17"),
                note: None,
            },
            status: LeaveStatus::Approved,
            requested_at: String::new(),
            decided_by: None,
            decided_at: None,
        };
        let some = leave_signal(&person, &[week], today);
        assert_eq!(some.taken, 10.0);
        assert!(!some.behind, "3.6 days behind is under a week");
    }
}
