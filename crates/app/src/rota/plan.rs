//! From a practice's or PCN's rota inputs to the optimiser's index model and back.
//!
//! A shift type is one site × one day pattern (AM, PM, AM + PM, PM + evening, Saturday), so a
//! person works at most one site a day and is never in two places in one session. Cover
//! counts the patterns that contain its session; needs (staff groups, roles, skills) and the
//! room a clinician needs are skill bits. Contracts become session totals (in half
//! sessions, as "minutes" of 30 each), approved leave and days never worked become days off,
//! bank holidays and closed sessions close shift types, fixed sessions become required
//! sessions, requested leave becomes off requests, and a GP's safe limit of planned contacts
//! removes the patterns that would pass it. Evenings and Saturdays are shared out fairly: each
//! person who may work them has a soft target in proportion to their contract (`fair_targets`).
//! Someone who works at several practices is planned for this rota's share of their contract
//! only, and the sessions they work in other practices' published rotas are taken and count
//! for safe working (rest, contacts a day, days in a row: `PersonInput::barred_by`).
use analytics::calendar::is_bank_holiday;
use chrono::{Datelike, NaiveDate, Weekday};
use domain::role::{Role, StaffGroup};
use domain::room::{RoomCapability, room_need};
use domain::rota::{
    CoverNeed, CoverRequirement, DayPattern, MAX_CONTACTS_PER_DAY, MIN_REST_HOURS, RotaPeriod,
    RotaRules, Session, SessionRequest, SessionTimes, SessionWish,
};
use rota::model::{
    Cover, FairShare, Lock, Problem, Request, Required, RoomPool, Roster, ShiftType, StaffMember,
    UNLIMITED, Unavailable, WindowLimit, WorkRequest,
};
use std::collections::BTreeMap;

mod build;
mod elsewhere;
mod fair;

pub use build::build;
pub use fair::{FairTarget, Unpopular, fair_targets};

/// Weight of each person short of a requirement's minimum.
pub const WEIGHT_BELOW_MINIMUM: u32 = 100;
/// Weight of each person short of the ideal (on top of the minimum's).
pub const WEIGHT_BELOW_IDEAL: u32 = 10;
/// Weight of working a day of requested (not yet approved) leave.
pub const WEIGHT_REQUESTED_LEAVE: u32 = 50;
/// Weight of a session request not met (working a session asked off, or not working one
/// asked for): above a person short of the ideal cover, so a wish is met before an extra
/// pair of hands, and below fairness, requested leave and the minimum cover.
pub const WEIGHT_SESSION_REQUEST: u32 = 15;
/// Longest run of working days.
pub const MAX_DAYS_IN_A_ROW: u32 = 6;
/// Weight of each evening or Saturday more or fewer than a person's fair share: above a
/// person short of the ideal cover, below requested leave and a person short of the minimum,
/// so fairness never leaves a minimum unmet nor books anyone on leave they asked for.
pub const WEIGHT_FAIR_SHARE: u32 = 20;

/// A site with the sessions open there and their times.
#[derive(Debug, Clone)]
pub struct SiteInput {
    pub id: String,
    pub name: String,
    pub practice_ods: String,
    pub sessions: BTreeMap<Session, SessionTimes>,
}

#[derive(Debug, Clone)]
pub struct RoomInput {
    pub id: String,
    pub site_id: String,
    pub name: String,
    pub capabilities: Vec<RoomCapability>,
    /// Sessions an ad-hoc booking takes the room (`store::estates`): nobody on the rota
    /// gets it then.
    pub booked: Vec<(NaiveDate, Session)>,
}

/// A session a person works in another published rota, at a practice outside this rota's
/// scope: they cannot be in two places in one session, and safe working (rest, contacts a
/// day, days in a row) counts it (`PersonInput::barred_by`).
#[derive(Debug, Clone, PartialEq)]
pub struct BookedElsewhere {
    pub date: NaiveDate,
    pub session: Session,
    pub site_name: String,
    /// The session's times at that site.
    pub times: SessionTimes,
}

/// A coaching session booked for a person: its time is taken, so the rota sessions it
/// overlaps at a site (by that site's times) are barred to them that day.
#[derive(Debug, Clone, PartialEq)]
pub struct Coaching {
    pub date: NaiveDate,
    pub starts: chrono::NaiveTime,
    pub ends: chrono::NaiveTime,
    pub programme: String,
}

/// A member of staff with what their rota must respect.
#[derive(Debug, Clone)]
pub struct PersonInput {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub skills: Vec<String>,
    /// The whole contract.
    pub sessions_per_week: f64,
    /// The share of the contract this rota plans: the person's practices in its scope over
    /// all the practices they work at (`StaffDraft::share_of`, as `app::demand` splits
    /// capacity), so two practices' rotas together stay within the contract.
    pub share: f64,
    /// Sessions already worked in other published rotas, outside this rota's practices.
    pub elsewhere: Vec<BookedElsewhere>,
    /// The sites the person works at (resolved: all sites of their practices when none named).
    pub site_ids: Vec<String>,
    pub rules: RotaRules,
    /// Approved leave and requested leave, as inclusive date ranges with their kind's label.
    pub approved_leave: Vec<(NaiveDate, NaiveDate, String)>,
    pub requested_leave: Vec<(NaiveDate, NaiveDate, String)>,
    /// Requests to work or to have off single sessions, within the period.
    pub session_requests: Vec<SessionRequest>,
    /// Coaching sessions booked for them within the period.
    pub coaching: Vec<Coaching>,
    /// First and last day of employment (`None`: no end): days outside are never worked.
    pub employed: (NaiveDate, Option<NaiveDate>),
}

/// What `PersonInput::on_leave` says of a day outside the person's employment.
pub const NOT_EMPLOYED: &str = "Not employed";

impl PersonInput {
    /// Why the person cannot work the day, if they cannot: approved leave (its kind), or
    /// [`NOT_EMPLOYED`] before they start or after they leave.
    pub fn on_leave(&self, day: NaiveDate) -> Option<&str> {
        if day < self.employed.0 || self.employed.1.is_some_and(|end| day > end) {
            return Some(NOT_EMPLOYED);
        }
        self.approved_leave
            .iter()
            .find(|(a, b, _)| *a <= day && day <= *b)
            .map(|(_, _, k)| k.as_str())
    }

    pub fn asked_for_leave(&self, day: NaiveDate) -> bool {
        self.requested_leave
            .iter()
            .any(|(a, b, _)| *a <= day && day <= *b)
    }

    /// Where the person works `session` on `date` in another published rota, if they do.
    pub fn booked_elsewhere(&self, date: NaiveDate, session: Session) -> Option<&BookedElsewhere> {
        self.elsewhere
            .iter()
            .find(|b| b.date == date && b.session == session)
    }

    /// Whether a day pattern on `date` takes a session the person works elsewhere.
    pub fn clashes(&self, pattern: DayPattern, date: NaiveDate) -> bool {
        pattern
            .sessions()
            .iter()
            .any(|s| self.booked_elsewhere(date, *s).is_some())
    }

    /// The coaching session a pattern worked at `site` on `date` would overlap, if any.
    pub fn coaching_clash(
        &self,
        site: &SiteInput,
        pattern: DayPattern,
        date: NaiveDate,
    ) -> Option<&Coaching> {
        pattern
            .sessions()
            .iter()
            .find_map(|s| self.coaching_in(site, *s, date))
    }

    /// The coaching session that overlaps `session` at `site` on `date`, if any.
    pub fn coaching_in(
        &self,
        site: &SiteInput,
        session: Session,
        date: NaiveDate,
    ) -> Option<&Coaching> {
        if !session.on(date.weekday()) {
            return None;
        }
        let t = times_at(site, session);
        self.coaching
            .iter()
            .find(|c| c.date == date && c.starts < t.ends && t.starts < c.ends)
    }

    /// Whether every pattern of the day takes a session the person works elsewhere.
    fn taken_elsewhere(&self, date: NaiveDate) -> bool {
        self.elsewhere.iter().any(|b| b.date == date)
            && DayPattern::ALL
                .into_iter()
                .filter(|p| p.on(date.weekday()))
                .all(|p| self.clashes(p, date))
    }

    pub fn is_gp(&self) -> bool {
        self.role.staff_group() == StaffGroup::Gp
    }

    /// Planned patient contacts of a day pattern, for the safe-working limit.
    pub fn contacts(&self, pattern: DayPattern) -> u32 {
        pattern.contacts(self.rules.appointments())
    }

    /// Whether the pattern would take a GP over the safe limit of contacts a day.
    pub fn over_contacts(&self, pattern: DayPattern) -> bool {
        self.is_gp() && self.contacts(pattern) > MAX_CONTACTS_PER_DAY
    }
}

/// One person's sessions on one day at one site.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Assignment {
    pub staff_id: String,
    pub date: NaiveDate,
    pub session: Session,
    pub site_id: String,
    pub room_id: Option<String>,
}

/// Everything a rota is built from.
#[derive(Debug, Clone)]
pub struct RotaInput {
    pub period: RotaPeriod,
    pub sites: Vec<SiteInput>,
    pub rooms: Vec<RoomInput>,
    pub people: Vec<PersonInput>,
    pub cover: Vec<CoverRequirement>,
    /// Person-days the manager locked, with what they hold (none: a day off).
    pub locked: Vec<(String, NaiveDate)>,
    /// The rota's current assignments, for locked days.
    pub current: Vec<Assignment>,
}

/// Capabilities that rooms are limited by.
const ROOM_KINDS: [RoomCapability; 3] = [
    RoomCapability::Consulting,
    RoomCapability::Treatment,
    RoomCapability::Phlebotomy,
];

/// Whether a session of a site is open on a day (not Sunday, not a bank holiday, the
/// pattern falls on that weekday).
pub fn is_open(site: &SiteInput, pattern: DayPattern, day: NaiveDate) -> bool {
    day.weekday() != Weekday::Sun
        && !is_bank_holiday(day)
        && pattern.on(day.weekday())
        && pattern
            .sessions()
            .iter()
            .all(|s| site.sessions.contains_key(s))
}

/// Whether `person` could work `session` on `date` at all: employed and not on approved
/// leave, not a day they never work, and a pattern with the session open at one of their
/// sites that keeps a GP within the safe contacts and is not barred by what they work
/// elsewhere (`PersonInput::barred_by`: a clash, or unsafe next to it).
/// A request to work a session they cannot work is neither weighed nor reported unmet.
pub fn can_work(
    input: &RotaInput,
    person: &PersonInput,
    date: NaiveDate,
    session: Session,
) -> bool {
    person.on_leave(date).is_none()
        && !person.rules.days_never.contains(&date.weekday())
        && !person.taken_elsewhere(date)
        && input
            .sites
            .iter()
            .filter(|site| person.site_ids.contains(&site.id))
            .any(|site| {
                DayPattern::ALL.into_iter().any(|p| {
                    p.sessions().contains(&session)
                        && is_open(site, p, date)
                        && !person.over_contacts(p)
                        && person.barred_by(site, p, date).is_none()
                        && person.coaching_clash(site, p, date).is_none()
                })
            })
}

/// Half sessions a person should work over the period: their sessions a week, less the
/// share of each weekday lost to a bank holiday or approved leave; of that, this rota's
/// share (`PersonInput::share`), and never more than is left once the sessions they work in
/// other published rotas over the period are taken off.
pub fn contract_halves(person: &PersonInput, period: &RotaPeriod) -> u32 {
    let mut total = 0.0;
    for week in 0..period.weeks {
        let available = (0..5)
            .map(|i| period.from + chrono::Days::new(u64::from(week * 7 + i)))
            .filter(|d| !is_bank_holiday(*d) && person.on_leave(*d).is_none())
            .count() as f64;
        total += 2.0 * person.sessions_per_week * available / 5.0;
    }
    let elsewhere: u32 = person
        .elsewhere
        .iter()
        .filter(|b| period.from <= b.date && b.date <= period.last_day())
        .map(|b| b.session.contract_halves())
        .sum();
    let share = (total * person.share).round();
    let left = total.round() - f64::from(elsewhere);
    share.min(left).max(0.0) as u32
}

/// Most evenings (or Saturdays) over the period for a monthly limit.
fn horizon_limit(monthly: Option<u32>, period: &RotaPeriod) -> u32 {
    monthly.map_or(UNLIMITED, |m| {
        (f64::from(m) * f64::from(period.weeks * 7) / 30.44).ceil() as u32
    })
}

/// The optimiser's problem with the way back to people, sites and sessions.
pub struct Model {
    pub problem: Problem,
    /// Per shift type: the site (index into `RotaInput::sites`) and pattern.
    pub shift_of: Vec<(usize, DayPattern)>,
    /// Per day of the horizon: the date.
    pub dates: Vec<NaiveDate>,
    /// Cover rows of the problem: the requirement (index into `RotaInput::cover`) and date
    /// each came from, and whether it is the minimum row (else the ideal row).
    pub cover_of: Vec<(usize, usize, bool)>,
    /// Rules that contradict each other, in plain words (a fixed session on approved leave).
    pub conflicts: Vec<String>,
}

/// The rest rule between two patterns worked on consecutive days, at one site each.
/// A session's times at a site: its own, or the defaults where the session is closed.
fn times_at(site: &SiteInput, session: Session) -> SessionTimes {
    site.sessions
        .get(&session)
        .copied()
        .unwrap_or(session.default_times())
}

fn rest_minutes(a: &SiteInput, pa: DayPattern, b: &SiteInput, pb: DayPattern) -> i64 {
    let end = pa.sessions().iter().map(|s| times_at(a, *s).ends).max();
    let start = pb.sessions().iter().map(|s| times_at(b, *s).starts).min();
    match (end, start) {
        (Some(e), Some(s)) => 24 * 60 + (s - e).num_minutes(),
        _ => i64::MAX,
    }
}

/// The shift type of one person's sessions on one day (the first site's, when a day was
/// edited into two sites, which the checks report).
fn encode_day(
    shift_of: &[(usize, DayPattern)],
    sites: &[SiteInput],
    held: &[&Assignment],
) -> Option<usize> {
    let first = held.first()?;
    let site = sites.iter().position(|s| s.id == first.site_id)?;
    let sessions: Vec<Session> = held
        .iter()
        .filter(|a| a.site_id == first.site_id)
        .map(|a| a.session)
        .collect();
    let pattern = DayPattern::of(&sessions).or_else(|| DayPattern::of(&sessions[..1]))?;
    shift_of
        .iter()
        .position(|&(s, p)| s == site && p == pattern)
}

impl Model {
    /// The roster a set of assignments makes, for scoring an edited rota.
    pub fn encode(&self, input: &RotaInput, assignments: &[Assignment]) -> Roster {
        let mut roster = Roster::empty(input.people.len(), self.dates.len());
        let mut by_day: BTreeMap<(&str, NaiveDate), Vec<&Assignment>> = BTreeMap::new();
        for a in assignments {
            by_day
                .entry((a.staff_id.as_str(), a.date))
                .or_default()
                .push(a);
        }
        for (e, person) in input.people.iter().enumerate() {
            for (d, date) in self.dates.iter().enumerate() {
                if let Some(held) = by_day.get(&(person.id.as_str(), *date)) {
                    roster.set(e, d, encode_day(&self.shift_of, &input.sites, held));
                }
            }
        }
        roster
    }

    /// The assignments of a roster, with rooms given out per site and session.
    pub fn decode(&self, input: &RotaInput, roster: &Roster) -> Vec<Assignment> {
        let mut out = Vec::new();
        for (e, person) in input.people.iter().enumerate() {
            for (d, date) in self.dates.iter().enumerate() {
                if let Some(s) = roster.get(e, d) {
                    let (site, pattern) = self.shift_of[s];
                    for &session in pattern.sessions() {
                        out.push(Assignment {
                            staff_id: person.id.clone(),
                            date: *date,
                            session,
                            site_id: input.sites[site].id.clone(),
                            room_id: None,
                        });
                    }
                }
            }
        }
        assign_rooms(input, &mut out);
        out.sort();
        out
    }
}

/// Gives each clinician a room with the capability they need, per site, day and session:
/// rooms with fewer other uses first, and the same room all day where it can, never a room
/// an ad-hoc booking takes that session. Rooms kept from an edit are respected; a person
/// left without one is reported by the checks.
pub fn assign_rooms(input: &RotaInput, assignments: &mut [Assignment]) {
    let people: BTreeMap<&str, &PersonInput> =
        input.people.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut order: Vec<usize> = (0..assignments.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&assignments[a], &assignments[b]);
        (&x.site_id, x.date, x.session, &x.staff_id).cmp(&(
            &y.site_id,
            y.date,
            y.session,
            &y.staff_id,
        ))
    });
    let mut used: BTreeMap<(String, NaiveDate, Session), Vec<String>> = BTreeMap::new();
    for a in assignments.iter() {
        if let Some(room) = &a.room_id {
            used.entry((a.site_id.clone(), a.date, a.session))
                .or_default()
                .push(room.clone());
        }
    }
    let mut morning_room: BTreeMap<(String, NaiveDate), String> = BTreeMap::new();
    for i in order {
        if assignments[i].room_id.is_some() {
            continue;
        }
        let Some(need) = people
            .get(assignments[i].staff_id.as_str())
            .and_then(|p| room_need(p.role))
        else {
            continue;
        };
        let a = &assignments[i];
        let key = (a.site_id.clone(), a.date, a.session);
        let taken = used.get(&key).cloned().unwrap_or_default();
        let mut candidates: Vec<&RoomInput> = input
            .rooms
            .iter()
            .filter(|r| {
                r.site_id == a.site_id
                    && r.capabilities.contains(&need)
                    && !taken.contains(&r.id)
                    && !r.booked.contains(&(a.date, a.session))
            })
            .collect();
        candidates.sort_by_key(|r| (r.capabilities.len(), r.name.clone()));
        let earlier = morning_room.get(&(a.staff_id.clone(), a.date));
        let chosen = candidates
            .iter()
            .find(|r| Some(&r.id) == earlier)
            .or(candidates.first())
            .map(|r| r.id.clone());
        if let Some(room) = chosen {
            used.entry(key).or_default().push(room.clone());
            morning_room.insert((a.staff_id.clone(), a.date), room.clone());
            assignments[i].room_id = Some(room);
        }
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
