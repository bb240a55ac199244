//! Workload signals from contracts and leave balances. The signals of the sessions worked
//! are checked on each rota before it is published and shown there (`rota::check`).
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::AppResult;
use crate::leave::balance::{PersonBalance, balance_of, balances_of};
use chrono::NaiveDate;
use domain::leave_balance::FULL_TIME_DAY_HOURS;
use serde::Serialize;
use store::leave::LeaveScope;
use store::register::{StaffFilter, StaffRecord, StaffScope};

/// A workload signal that comes from the rota, named with where it is shown.
#[derive(Debug, Clone, Serialize)]
pub struct UnavailableSignal {
    pub name: &'static str,
    pub why: &'static str,
}

/// The signals that come from the sessions worked: every rota is checked for them
/// (`rota::check`: the contract, days in a row, the month's evenings and Saturdays, contacts
/// a day) before it is published, and its page lists what it breaks; these pages do not
/// repeat them per person.
pub fn rota_signals() -> Vec<UnavailableSignal> {
    const WHY: &str = "Each rota is checked for this before it is published, and the rota's page lists anyone it affects (see Rota).";
    vec![
        UnavailableSignal {
            name: "Sessions booked over contract",
            why: WHY,
        },
        UnavailableSignal {
            name: "Consecutive working days without a rest day",
            why: WHY,
        },
        UnavailableSignal {
            name: "Evenings and Saturdays worked a month over a person's limit",
            why: WHY,
        },
        UnavailableSignal {
            name: "Planned patient contacts a day over the safe limit of 25",
            why: WHY,
        },
    ]
}

/// Annual leave taken against the leave due by this point of the leave year, from the
/// person's balance (their employer's leave rules, their own entitlement, bank holidays and
/// carry-over; see `domain::leave_balance`), in the employer's unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaveSignal {
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
    /// Annual leave for the year: entitlement and carry-over less bank holidays worked.
    pub to_take: String,
    /// The share of it due by today.
    pub due_by_now: String,
    /// Approved annual leave up to today.
    pub taken: String,
    /// Approved annual leave after today in this leave year.
    pub booked: String,
    pub left: String,
    pub behind_by: String,
    /// A working week or more behind.
    pub behind: bool,
    /// Behind by, in full-time days (for the team's total).
    pub behind_full_time_days: f64,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The leave signal of one person from their balance.
pub fn leave_signal(b: &PersonBalance) -> LeaveSignal {
    let l = &b.balance;
    LeaveSignal {
        year_start: l.year.start,
        year_end: l.year.end,
        to_take: b.text(l.entitlement_hours + l.carried_over_hours - l.bank_holiday_hours),
        due_by_now: b.text(l.due_by_now_hours),
        taken: b.text(l.taken_hours),
        booked: b.text(l.booked_hours),
        left: b.left_text(),
        behind_by: b.text(l.behind_by_hours),
        behind: l.behind,
        behind_full_time_days: l.behind_by_hours / FULL_TIME_DAY_HOURS,
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
/// breaches — over the safe limit, no rest — are listed on the rota they are in).
#[derive(Debug, Clone, Serialize)]
pub struct TeamWorkload {
    pub people: usize,
    pub behind_on_leave: usize,
    /// Full-time days (7.5 hours) of leave due by now but not taken, over the whole team.
    pub days_behind: f64,
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
    pub unavailable: Vec<UnavailableSignal>,
}

impl super::Wellbeing<'_> {
    /// The actor's own workload signals.
    pub async fn my_workload(&self, actor: &Actor) -> AppResult<MyWorkload> {
        let mut conn = self.store().conn().await?;
        let me = self.me(&mut conn, actor).await?;
        let balance = balance_of(&mut conn, &me, self.today()).await?;
        Ok(MyWorkload {
            name: me.draft.name.clone(),
            wte: me.draft.wte,
            sessions_per_week: me.draft.sessions_per_week,
            leave: leave_signal(&balance),
            unavailable: rota_signals(),
        })
    }

    /// The workload signals of everyone working at a practice, as counts.
    pub async fn team_workload(&self, actor: &Actor, ods: &str) -> AppResult<TeamWorkload> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        let today = self.today();
        let people: Vec<StaffRecord> = store::register::list(
            &mut conn,
            StaffScope::WorksAt(ods),
            &StaffFilter::employed_on(today),
        )
        .await?;
        let leave = store::leave::list(&mut conn, LeaveScope::WorksAt(ods), None).await?;
        let refs: Vec<&StaffRecord> = people.iter().collect();
        let signals: Vec<LeaveSignal> = balances_of(&mut conn, &refs, &leave, today)
            .await?
            .iter()
            .map(leave_signal)
            .collect();
        let policy = store::leave::entitlements::policy(&mut conn, ods)
            .await?
            .unwrap_or_default();
        let year = policy.year_of(today);
        Ok(TeamWorkload {
            people: people.len(),
            behind_on_leave: signals.iter().filter(|s| s.behind).count(),
            days_behind: round1(signals.iter().map(|s| s.behind_full_time_days).sum()),
            year_start: year.start,
            year_end: year.end,
            unavailable: rota_signals(),
        })
    }
}
