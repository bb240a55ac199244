//! Annual leave balances and entitlements: the employer's leave rules, a person's own
//! entitlement, and the balance worked out by `domain::leave_balance` with the England and
//! Wales bank holidays of `analytics::calendar`.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use chrono::{Datelike, NaiveDate, Weekday};
use domain::leave::{LeaveKind, LeaveStatus};
use domain::leave_balance::{
    EntitlementDraft, EntitlementForm, LeaveBalance, LeavePerson, LeavePolicy, LeavePolicyForm,
    LeaveSpan, LeaveUnit, LeaveYear, amount, amount_text, balance, carry_over, leave_days,
    working_days,
};
use serde::Serialize;
use std::collections::HashMap;
use store::Conn;
use store::leave::entitlements::EntitlementRow;
use store::leave::{LeaveRecord, LeaveScope};
use store::register::{StaffFilter, StaffRecord, StaffScope};

/// One person's annual leave this leave year, with where its figures come from.
#[derive(Debug, Clone, Serialize)]
pub struct PersonBalance {
    pub staff_id: String,
    pub name: String,
    pub wte: f64,
    /// Whose rules apply: the employer's code.
    pub employer_code: String,
    pub policy: LeavePolicy,
    /// Full-time days a year used (the person's own or the employer's).
    pub full_time_days: f64,
    /// Whether the full-time days were set for the person.
    pub own_days: bool,
    /// Whether the hours carried over were typed by a manager (otherwise worked out from
    /// the year before, up to the cap).
    pub carried_over_set: bool,
    pub balance: LeaveBalance,
    /// The weekdays they work.
    #[serde(skip)]
    pub working_days: Vec<Weekday>,
}

impl PersonBalance {
    pub fn unit(&self) -> LeaveUnit {
        self.policy.unit
    }

    /// Hours in the employer's unit, with the noun: "12.5 days".
    pub fn text(&self, hours: f64) -> String {
        amount_text(hours, self.balance.day_hours, self.policy.unit)
    }

    /// Hours in the employer's unit, as a number.
    pub fn figure(&self, hours: f64) -> f64 {
        amount(hours, self.balance.day_hours, self.policy.unit)
    }

    /// "You have 12.5 days left" in the words of the one reading about themselves.
    pub fn left_text(&self) -> String {
        let b = &self.balance;
        if b.remaining_hours < 0.0 {
            format!(
                "{} more than the entitlement is taken or booked",
                self.text(-b.remaining_hours)
            )
        } else {
            format!("{} left", self.text(b.remaining_hours))
        }
    }

    /// Hours of annual leave from `start` to `end`: their working days that are not bank
    /// holidays.
    pub fn hours_of(&self, start: NaiveDate, end: NaiveDate) -> f64 {
        let holidays: Vec<NaiveDate> = (start.year()..=end.year())
            .flat_map(analytics::calendar::bank_holidays)
            .map(|(d, _)| d)
            .collect();
        leave_days(&self.working_days, &holidays, start, end) as f64 * self.balance.day_hours
    }

    /// The most that may be carried over by this person.
    pub fn carry_cap_hours(&self) -> f64 {
        self.policy.carry_over_cap_hours(self.wte)
    }
}

/// The weekdays someone never works, from their rota rules (`wed;fri`).
fn days_never(text: &str) -> Vec<Weekday> {
    text.split(';')
        .filter_map(|d| domain::rota::parse_weekday("days_never", d.trim()).ok())
        .collect()
}

/// Bank holidays of England and Wales around `year` (its own and the year before).
fn bank_holidays_around(year: LeaveYear) -> Vec<NaiveDate> {
    (year.start.year() - 1..=year.end.year())
        .flat_map(analytics::calendar::bank_holidays)
        .map(|(d, _)| d)
        .collect()
}

/// Works out balances; everything the rules need is loaded once for all the people.
struct Balances {
    policies: HashMap<String, LeavePolicy>,
    rules: HashMap<String, Vec<Weekday>>,
    entitlements: HashMap<String, Vec<EntitlementRow>>,
    today: NaiveDate,
}

impl Balances {
    async fn load(conn: &mut Conn, people: &[&StaffRecord], today: NaiveDate) -> AppResult<Self> {
        let ids: Vec<String> = people.iter().map(|p| p.id.clone()).collect();
        let mut owners: Vec<String> = people
            .iter()
            .map(|p| p.draft.employer.code().to_string())
            .collect();
        owners.sort();
        owners.dedup();
        let policies = store::leave::entitlements::policies(conn, &owners)
            .await?
            .into_iter()
            .collect();
        let rules = store::rota::list_rules(conn, &ids)
            .await?
            .into_iter()
            .map(|r| (r.staff_id.clone(), days_never(&r.days_never)))
            .collect();
        let mut entitlements: HashMap<String, Vec<EntitlementRow>> = HashMap::new();
        for row in store::leave::entitlements::list(conn, &ids).await? {
            entitlements
                .entry(row.staff_id.clone())
                .or_default()
                .push(row);
        }
        Ok(Balances {
            policies,
            rules,
            entitlements,
            today,
        })
    }

    fn policy(&self, person: &StaffRecord) -> LeavePolicy {
        self.policies
            .get(person.draft.employer.code())
            .copied()
            .unwrap_or_default()
    }

    /// The person's full-time days for `year`: that year's own, else the latest earlier
    /// year's, else the employer's.
    fn full_time_days(&self, person: &StaffRecord, year: LeaveYear) -> (f64, bool) {
        self.entitlements
            .get(&person.id)
            .and_then(|rows| {
                rows.iter()
                    .filter(|r| r.year_start <= year.start)
                    .filter_map(|r| r.draft.full_time_days)
                    .next_back()
            })
            .map_or((self.policy(person).full_time_days, false), |d| (d, true))
    }

    fn set_carry(&self, person: &StaffRecord, year: LeaveYear) -> Option<f64> {
        self.entitlements.get(&person.id).and_then(|rows| {
            rows.iter()
                .find(|r| r.year_start == year.start)
                .and_then(|r| r.draft.carried_over_hours)
        })
    }

    fn person_in(
        &self,
        person: &StaffRecord,
        year: LeaveYear,
        carried_over_hours: f64,
    ) -> LeavePerson {
        LeavePerson {
            wte: person.draft.wte,
            working_days: working_days(self.rules.get(&person.id).map_or(&[][..], |d| d)),
            employed_from: person.draft.start_date,
            employed_to: person.draft.end_date,
            full_time_days: self.full_time_days(person, year).0,
            carried_over_hours,
        }
    }

    fn of(&self, person: &StaffRecord, leave: &[LeaveRecord]) -> PersonBalance {
        let policy = self.policy(person);
        let year = policy.year_of(self.today);
        let holidays = bank_holidays_around(year);
        let spans: Vec<LeaveSpan> = leave
            .iter()
            .filter(|l| l.staff_id == person.id && l.leave.kind == LeaveKind::Annual)
            .map(|l| LeaveSpan {
                start: l.leave.start_date,
                end: l.leave.end_date,
                status: l.status,
            })
            .collect();
        let set_carry = self.set_carry(person, year);
        let carried = match set_carry {
            Some(hours) => hours,
            // Worked out from the year before: what was left at its end, up to the cap —
            // only when gpteam holds that year's annual leave (without it, last year's
            // balance is not known and nothing is carried until a manager says so).
            None if person.draft.start_date < year.start
                && spans.iter().any(|s| {
                    s.status == LeaveStatus::Approved
                        && s.start <= year.previous().end
                        && s.end >= year.previous().start
                }) =>
            {
                let previous = year.previous();
                let before = self.person_in(
                    person,
                    previous,
                    self.set_carry(person, previous).unwrap_or(0.0),
                );
                let last = balance(previous, &before, &holidays, &spans, previous.end);
                carry_over(
                    last.remaining_hours,
                    policy.carry_over_cap_hours(person.draft.wte),
                )
            }
            None => 0.0,
        };
        let (full_time_days, own_days) = self.full_time_days(person, year);
        let inputs = self.person_in(person, year, carried);
        let working_days = inputs.working_days.clone();
        PersonBalance {
            staff_id: person.id.clone(),
            name: person.draft.name.clone(),
            wte: person.draft.wte,
            employer_code: person.draft.employer.code().to_string(),
            policy,
            full_time_days,
            own_days,
            carried_over_set: set_carry.is_some(),
            balance: balance(year, &inputs, &holidays, &spans, self.today),
            working_days,
        }
    }
}

/// Balances of `people` from their leave (any status; only annual leave counts).
pub(crate) async fn balances_of(
    conn: &mut Conn,
    people: &[&StaffRecord],
    leave: &[LeaveRecord],
    today: NaiveDate,
) -> AppResult<Vec<PersonBalance>> {
    let balances = Balances::load(conn, people, today).await?;
    Ok(people.iter().map(|p| balances.of(p, leave)).collect())
}

/// The balance of one person.
pub(crate) async fn balance_of(
    conn: &mut Conn,
    person: &StaffRecord,
    today: NaiveDate,
) -> AppResult<PersonBalance> {
    let leave = store::leave::list(conn, LeaveScope::Staff(&person.id), None).await?;
    Ok(balances_of(conn, &[person], &leave, today)
        .await?
        .pop()
        .expect("one person, one balance"))
}

/// A practice's team with their balances, for its managers.
#[derive(Debug, Clone, Serialize)]
pub struct TeamBalances {
    pub policy: LeavePolicy,
    pub year: LeaveYear,
    pub people: Vec<PersonBalance>,
    /// Whether the actor may change the practice's rules.
    pub can_manage: bool,
}

impl crate::leave::Leave<'_> {
    /// A person's balance: their own, or one the actor may see.
    pub async fn leave_balance(&self, actor: &Actor, staff_id: &str) -> AppResult<PersonBalance> {
        let mut conn = self.store().conn().await?;
        let person = access::visible_staff(&mut conn, actor, staff_id).await?;
        balance_of(&mut conn, &person, self.today()).await
    }

    /// The actor's own balance, if they are a member of staff.
    pub async fn my_leave_balance(&self, actor: &Actor) -> AppResult<Option<PersonBalance>> {
        let Some(staff_id) = actor.staff_id.as_deref() else {
            return Ok(None);
        };
        let mut conn = self.store().conn().await?;
        let Some(person) = store::register::get(&mut conn, staff_id).await? else {
            return Ok(None);
        };
        Ok(Some(balance_of(&mut conn, &person, self.today()).await?))
    }

    /// Balances of everyone working at a practice today, by name.
    pub async fn team_leave_balances(&self, actor: &Actor, ods: &str) -> AppResult<TeamBalances> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        let can_manage =
            access::authorize(&mut conn, actor, Permission::Manage, Tenant::Practice(ods))
                .await
                .is_ok();
        let today = self.today();
        let people = store::register::list(
            &mut conn,
            StaffScope::WorksAt(ods),
            &StaffFilter::employed_on(today),
        )
        .await?;
        let leave = store::leave::list(&mut conn, LeaveScope::WorksAt(ods), None).await?;
        let refs: Vec<&StaffRecord> = people.iter().collect();
        let policy = store::leave::entitlements::policy(&mut conn, ods)
            .await?
            .unwrap_or_default();
        Ok(TeamBalances {
            policy,
            year: policy.year_of(today),
            people: balances_of(&mut conn, &refs, &leave, today).await?,
            can_manage,
        })
    }

    /// An employer's leave rules (the defaults when none are set).
    pub async fn leave_policy(&self, actor: &Actor, tenant: Tenant<'_>) -> AppResult<LeavePolicy> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, tenant).await?;
        let code = match tenant {
            Tenant::Practice(code) | Tenant::Pcn(code) => code,
        };
        Ok(store::leave::entitlements::policy(&mut conn, code)
            .await?
            .unwrap_or_default())
    }

    /// Sets an employer's leave rules: its managers only.
    pub async fn set_leave_policy(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
        form: &LeavePolicyForm,
    ) -> AppResult<LeavePolicy> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, tenant).await?;
        let policy = form.parse()?;
        let code = match tenant {
            Tenant::Practice(code) | Tenant::Pcn(code) => code,
        };
        let before = store::leave::entitlements::policy(&mut tx, code).await?;
        let now = self.now();
        store::leave::entitlements::set_policy(&mut tx, code, &policy, &now).await?;
        let change = Change {
            action: "updated",
            entity: "leave_policy",
            entity_id: code,
            tenant: code,
            before: before.as_ref().and_then(json),
            after: json(&policy),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(policy)
    }

    /// Sets a person's own entitlement for the current leave year: those who manage them.
    pub async fn set_leave_entitlement(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &EntitlementForm,
    ) -> AppResult<PersonBalance> {
        let mut tx = self.store().begin().await?;
        let person = access::visible_staff(&mut tx, actor, staff_id).await?;
        if !access::can_manage_staff(&mut tx, actor, &person).await? {
            return Err(AppError::Forbidden);
        }
        let today = self.today();
        let current = balance_of(&mut tx, &person, today).await?;
        let draft: EntitlementDraft = form.parse(
            current.unit(),
            current.balance.day_hours,
            current.carry_cap_hours(),
        )?;
        let year = current.balance.year;
        let before = store::leave::entitlements::list(&mut tx, std::slice::from_ref(&person.id))
            .await?
            .into_iter()
            .find(|r| r.year_start == year.start)
            .map(|r| r.draft);
        let now = self.now();
        store::leave::entitlements::set(&mut tx, &person.id, year.start, &draft, &now).await?;
        let change = Change {
            action: "updated",
            entity: "leave_entitlement",
            entity_id: &person.id,
            tenant: person.draft.employer.code(),
            before: before.as_ref().and_then(json),
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        let mut conn = self.store().conn().await?;
        balance_of(&mut conn, &person, today).await
    }
}

/// The demo's leave taken so far this leave year and its own entitlements
/// (`demo::demo_past_leave`, `demo::demo_entitlements`), written in the demo's transaction.
pub(crate) async fn load_demo_leave(
    tx: &mut Conn,
    data: &demo::DemoData,
    staff_ids: &[String],
    today: NaiveDate,
    now: &str,
) -> AppResult<()> {
    let id_of = |i: usize| {
        staff_ids
            .get(i)
            .ok_or_else(|| AppError::Internal("demo leave for a missing person".into()))
    };
    for leave in demo::demo_past_leave(data, today, 17) {
        store::leave::insert(
            tx,
            &store::new_id(),
            id_of(leave.staff_index)?,
            &leave.draft,
            leave.status,
            now,
        )
        .await?;
    }
    for own in demo::demo_entitlements(data, today, 19) {
        let draft = EntitlementDraft {
            full_time_days: own.full_time_days,
            carried_over_hours: own.carried_over_hours,
        };
        store::leave::entitlements::set(tx, id_of(own.staff_index)?, own.year_start, &draft, now)
            .await?;
    }
    Ok(())
}
