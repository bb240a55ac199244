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
use domain::room::RoomCapability;
use domain::rota::{
    CoverNeed, CoverRequirement, DayPattern, MAX_CONTACTS_PER_DAY, MIN_REST_HOURS, RotaPeriod,
    RotaRules, Session, SessionRequest, SessionTimes, SessionWish,
};
use rota::model::{
    Cover, FairShare, Lock, Problem, Request, Required, RoomPool, Roster, ShiftType, StaffMember,
    UNLIMITED, Unavailable, WorkRequest,
};
use std::collections::BTreeMap;

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

/// The room a clinician needs for a session; admin and non-clinical staff need none.
/// Roles that work by phone or at a desk (care coordinators, social prescribers, health and
/// wellbeing coaches, pharmacy technicians, GP assistants) need no clinical room.
pub fn room_need(role: Role) -> Option<RoomCapability> {
    match role {
        Role::PracticeNurse | Role::NursingAssociate | Role::HealthcareAssistant => {
            Some(RoomCapability::Treatment)
        }
        Role::Phlebotomist => Some(RoomCapability::Phlebotomy),
        Role::CareCoordinator
        | Role::SocialPrescribingLinkWorker
        | Role::HealthAndWellbeingCoach
        | Role::PharmacyTechnician
        | Role::GpAssistant => None,
        r if r.is_clinical() => Some(RoomCapability::Consulting),
        _ => None,
    }
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

pub fn build(input: &RotaInput) -> Model {
    let dates: Vec<NaiveDate> = input.period.days().collect();
    let days = dates.len();
    // Skill bits: one per cover need, then one per kind of room.
    let mut needs: Vec<CoverNeed> = input.cover.iter().map(|c| c.need.clone()).collect();
    needs.sort();
    needs.dedup();
    needs.truncate(64 - ROOM_KINDS.len());
    let need_bit = |n: &CoverNeed| needs.iter().position(|x| x == n);
    let room_bit = |c: RoomCapability| {
        needs.len()
            + ROOM_KINDS
                .iter()
                .position(|k| *k == c)
                .expect("a room kind")
    };

    let mut shifts = Vec::new();
    let mut shift_of = Vec::new();
    for (i, site) in input.sites.iter().enumerate() {
        // Every pattern has a type, so any edit can be scored; a pattern whose sessions are
        // not open at the site is closed every day (and nobody may be given it).
        for pattern in DayPattern::ALL {
            let start = pattern
                .sessions()
                .iter()
                .map(|s| times_at(site, *s).starts)
                .min()
                .expect("a pattern has a session");
            shifts.push(ShiftType {
                id: format!("{} {}", site.name, pattern.label()),
                minutes: pattern.contract_halves() * 30,
                forbidden_next: Vec::new(),
                start_minute: chrono::Timelike::num_seconds_from_midnight(&start) / 60,
                site: i,
                skill: None,
                closed_days: (0..days)
                    .filter(|&d| !is_open(site, pattern, dates[d]))
                    .collect(),
            });
            shift_of.push((i, pattern));
        }
    }
    for a in 0..shifts.len() {
        let (sa, pa) = shift_of[a];
        shifts[a].forbidden_next = (0..shift_of.len())
            .filter(|&b| {
                let (sb, pb) = shift_of[b];
                rest_minutes(&input.sites[sa], pa, &input.sites[sb], pb)
                    < i64::from(MIN_REST_HOURS) * 60
            })
            .collect();
    }
    let site_index: BTreeMap<&str, usize> = input
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let day_of: BTreeMap<NaiveDate, usize> =
        dates.iter().enumerate().map(|(i, d)| (*d, i)).collect();

    let mut conflicts = Vec::new();
    let mut staff = Vec::new();
    let mut required = Vec::new();
    let mut unavailable = Vec::new();
    let mut off_requests = Vec::new();
    let mut work_requests = Vec::new();
    for (e, person) in input.people.iter().enumerate() {
        let sites: Vec<usize> = person
            .site_ids
            .iter()
            .filter_map(|id| site_index.get(id.as_str()).copied())
            .collect();
        let evenings = horizon_limit(person.rules.max_evenings_month, &input.period);
        let max_shifts = shift_of
            .iter()
            .map(|&(site, pattern)| {
                let never_open = !pattern
                    .sessions()
                    .iter()
                    .all(|s| input.sites[site].sessions.contains_key(s));
                if !sites.contains(&site) || person.over_contacts(pattern) || never_open {
                    0
                } else if pattern.sessions().contains(&Session::Evening) {
                    evenings
                } else {
                    UNLIMITED
                }
            })
            .collect();
        let target = contract_halves(person, &input.period);
        let mut skills = 0u64;
        for (k, need) in needs.iter().enumerate() {
            if need.counts(person.role, &person.skills) {
                skills |= 1 << k;
            }
        }
        if let Some(cap) = room_need(person.role) {
            skills |= 1 << room_bit(cap);
        }
        let days_off: Vec<bool> = dates
            .iter()
            .map(|d| {
                person.on_leave(*d).is_some()
                    || person.rules.days_never.contains(&d.weekday())
                    || person.taken_elsewhere(*d)
            })
            .collect();
        for (d, date) in dates.iter().enumerate() {
            if days_off[d] {
                continue;
            }
            // The day's patterns that take a session worked elsewhere, or that would be
            // unsafe next to one (rest, contacts, days in a row), are barred (hard).
            let barred: Vec<usize> = (0..shift_of.len())
                .filter(|&s| {
                    let (site, pattern) = shift_of[s];
                    person
                        .barred_by(&input.sites[site], pattern, *date)
                        .is_some()
                        || person
                            .coaching_clash(&input.sites[site], pattern, *date)
                            .is_some()
                })
                .collect();
            if !barred.is_empty() {
                unavailable.push(Unavailable {
                    staff: e,
                    day: d,
                    shifts: barred,
                });
            }
        }
        staff.push(StaffMember {
            id: person.name.clone(),
            max_shifts,
            max_minutes: target * 30,
            min_minutes: target.saturating_sub(1) * 30,
            max_consecutive: MAX_DAYS_IN_A_ROW,
            min_consecutive: 1,
            min_days_off: 1,
            max_weekends: horizon_limit(person.rules.max_saturdays_month, &input.period)
                .min(input.period.weeks),
            days_off,
            skills,
            min_rest_minutes: 0,
        });
        for (d, date) in dates.iter().enumerate() {
            for &(weekday, session) in &person.rules.fixed_sessions {
                if weekday != date.weekday() || is_bank_holiday(*date) {
                    continue;
                }
                if let Some(kind) = person.on_leave(*date) {
                    if kind == NOT_EMPLOYED {
                        continue;
                    }
                    conflicts.push(format!(
                        "{}'s fixed {} {} session falls on {} on {}: the leave is kept",
                        person.name,
                        domain::rota::weekday_name(weekday),
                        session.label(),
                        kind.to_lowercase(),
                        crate::long_date(*date)
                    ));
                    continue;
                }
                if let Some(booked) = person.booked_elsewhere(*date, session) {
                    conflicts.push(format!(
                        "{}'s fixed {} {} session on {} is already booked at {} in another published rota: that booking is kept",
                        person.name,
                        domain::rota::weekday_name(weekday),
                        session.label(),
                        crate::long_date(*date),
                        booked.site_name
                    ));
                    continue;
                }
                let set: Vec<usize> = (0..shifts.len())
                    .filter(|&s| {
                        let (site, pattern) = shift_of[s];
                        sites.contains(&site)
                            && pattern.sessions().contains(&session)
                            && !shifts[s].closed_days.contains(&d)
                            && !person.over_contacts(pattern)
                            && person
                                .barred_by(&input.sites[site], pattern, *date)
                                .is_none()
                            && person
                                .coaching_clash(&input.sites[site], pattern, *date)
                                .is_none()
                    })
                    .collect();
                let coaching = sites
                    .iter()
                    .find_map(|&site| person.coaching_in(&input.sites[site], session, *date));
                if let Some(booked) =
                    person.fixed_session_barred_elsewhere(&input.sites, *date, session)
                {
                    conflicts.push(format!(
                        "{}'s fixed {} {} session on {} cannot be worked safely next to their {} session at {} in another published rota (rest, contacts a day or days in a row): that booking is kept",
                        person.name,
                        domain::rota::weekday_name(weekday),
                        session.label(),
                        crate::long_date(*date),
                        booked.session.label(),
                        booked.site_name
                    ));
                } else if let (true, Some(c)) = (set.is_empty(), coaching) {
                    conflicts.push(format!(
                        "{}'s fixed {} {} session on {} clashes with their coaching session ({}) at {}: the coaching session is kept",
                        person.name,
                        domain::rota::weekday_name(weekday),
                        session.label(),
                        crate::long_date(*date),
                        c.programme,
                        c.starts.format("%H:%M")
                    ));
                } else if set.is_empty() {
                    conflicts.push(format!(
                        "{}'s fixed {} {} session on {} cannot be worked: none of their sites is open then",
                        person.name,
                        domain::rota::weekday_name(weekday),
                        session.label(),
                        crate::long_date(*date)
                    ));
                } else {
                    required.push(Required {
                        staff: e,
                        day: d,
                        shifts: set,
                    });
                }
            }
            for request in person.session_requests.iter().filter(|r| r.date == *date) {
                let with_session: Vec<usize> = (0..shifts.len())
                    .filter(|&s| shift_of[s].1.sessions().contains(&request.session))
                    .collect();
                match request.wish {
                    SessionWish::Off => {
                        let fixed = person
                            .rules
                            .fixed_sessions
                            .contains(&(date.weekday(), request.session))
                            && !is_bank_holiday(*date)
                            && person.on_leave(*date).is_none();
                        if fixed {
                            conflicts.push(format!(
                                "{} asked to have {} {} on {} off, but it is one of their fixed sessions: the fixed session is kept",
                                person.name,
                                domain::rota::weekday_name(date.weekday()),
                                request.session.label(),
                                crate::long_date(*date)
                            ));
                        }
                        off_requests.extend(with_session.iter().map(|&s| Request {
                            staff: e,
                            day: d,
                            shift: s,
                            weight: WEIGHT_SESSION_REQUEST,
                        }));
                    }
                    SessionWish::Work => {
                        let set: Vec<usize> = with_session
                            .into_iter()
                            .filter(|&s| {
                                let (site, pattern) = shift_of[s];
                                sites.contains(&site)
                                    && !shifts[s].closed_days.contains(&d)
                                    && !person.over_contacts(pattern)
                                    && person
                                        .barred_by(&input.sites[site], pattern, *date)
                                        .is_none()
                            })
                            .collect();
                        if can_work(input, person, *date, request.session) {
                            work_requests.push(WorkRequest {
                                staff: e,
                                day: d,
                                shifts: set,
                                weight: WEIGHT_SESSION_REQUEST,
                            });
                        }
                    }
                }
            }
            if person.asked_for_leave(*date) && person.on_leave(*date).is_none() {
                for s in 0..shifts.len() {
                    off_requests.push(Request {
                        staff: e,
                        day: d,
                        shift: s,
                        weight: WEIGHT_REQUESTED_LEAVE,
                    });
                }
            }
        }
    }

    let mut cover = Vec::new();
    let mut cover_of = Vec::new();
    for (d, date) in dates.iter().enumerate() {
        for (i, req) in input.cover.iter().enumerate() {
            let Some(&site) = site_index.get(req.site_id.as_str()) else {
                continue;
            };
            if req.weekday != date.weekday() {
                continue;
            }
            let set: Vec<usize> = (0..shifts.len())
                .filter(|&s| {
                    shift_of[s].0 == site
                        && shift_of[s].1.sessions().contains(&req.session)
                        && !shifts[s].closed_days.contains(&d)
                })
                .collect();
            if set.is_empty() {
                continue;
            }
            let skill = need_bit(&req.need);
            if req.minimum > 0 {
                cover.push(Cover {
                    day: d,
                    shifts: set.clone(),
                    requirement: req.minimum,
                    weight_under: WEIGHT_BELOW_MINIMUM,
                    weight_over: 0,
                    skill,
                });
                cover_of.push((i, d, true));
            }
            if req.ideal > 0 {
                cover.push(Cover {
                    day: d,
                    shifts: set,
                    requirement: req.ideal,
                    weight_under: WEIGHT_BELOW_IDEAL,
                    weight_over: 0,
                    skill,
                });
                cover_of.push((i, d, false));
            }
        }
    }

    let mut rooms = Vec::new();
    for (i, site) in input.sites.iter().enumerate() {
        let here: Vec<&RoomInput> = input
            .rooms
            .iter()
            .filter(|r| r.site_id == site.id)
            .collect();
        if here.is_empty() {
            // Rooms not recorded: not limited.
            continue;
        }
        for session in Session::ALL {
            let set: Vec<usize> = (0..shifts.len())
                .filter(|&s| shift_of[s].0 == i && shift_of[s].1.sessions().contains(&session))
                .collect();
            if set.is_empty() {
                continue;
            }
            for kind in ROOM_KINDS {
                let of_kind: Vec<&&RoomInput> = here
                    .iter()
                    .filter(|r| r.capabilities.contains(&kind))
                    .collect();
                let capacity = of_kind.len() as u32;
                // A room booked for something else that session is not the rota's.
                let capacity_by_day = if of_kind.iter().any(|r| !r.booked.is_empty()) {
                    dates
                        .iter()
                        .map(|date| {
                            let taken = of_kind
                                .iter()
                                .filter(|r| r.booked.contains(&(*date, session)))
                                .count() as u32;
                            capacity - taken
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                rooms.push(RoomPool {
                    shifts: set.clone(),
                    capacity,
                    capacity_by_day,
                    skill: Some(room_bit(kind)),
                });
            }
        }
    }

    let person_index: BTreeMap<&str, usize> = input
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    let mut locks = Vec::new();
    for (staff_id, date) in &input.locked {
        let (Some(&e), Some(&d)) = (person_index.get(staff_id.as_str()), day_of.get(date)) else {
            continue;
        };
        let held: Vec<&Assignment> = input
            .current
            .iter()
            .filter(|a| a.staff_id == *staff_id && a.date == *date)
            .collect();
        locks.push(Lock {
            staff: e,
            day: d,
            shift: encode_day(&shift_of, &input.sites, &held),
        });
    }

    let fair_shares = fair_targets(input)
        .into_iter()
        .map(|f| FairShare {
            staff: f.person,
            shifts: (0..shifts.len())
                .filter(|&s| shift_of[s].1.sessions().contains(&f.kind.session()))
                .collect(),
            target: f.target,
            weight: WEIGHT_FAIR_SHARE,
        })
        .collect();

    Model {
        problem: Problem {
            days,
            shifts,
            staff,
            on_requests: Vec::new(),
            off_requests,
            work_requests,
            cover,
            rooms,
            locks,
            required,
            unavailable,
            fair_shares,
        },
        shift_of,
        dates,
        cover_of,
        conflicts,
    }
}

/// The sessions people would rather not work, shared out in proportion to contracts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unpopular {
    Evenings,
    Saturdays,
}

impl Unpopular {
    pub const ALL: [Unpopular; 2] = [Unpopular::Evenings, Unpopular::Saturdays];

    pub fn session(self) -> Session {
        match self {
            Unpopular::Evenings => Session::Evening,
            Unpopular::Saturdays => Session::Saturday,
        }
    }

    /// A number of them in words: "1 evening", "2 Saturdays".
    pub fn count(self, n: u32) -> String {
        let word = match self {
            Unpopular::Evenings => "evening",
            Unpopular::Saturdays => "Saturday",
        };
        format!("{n} {word}{}", if n == 1 { "" } else { "s" })
    }

    fn monthly_limit(self, rules: &RotaRules) -> Option<u32> {
        match self {
            Unpopular::Evenings => rules.max_evenings_month,
            Unpopular::Saturdays => rules.max_saturdays_month,
        }
    }
}

/// One person's fair share of evenings or Saturdays over the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairTarget {
    /// Index into `RotaInput::people`.
    pub person: usize,
    pub kind: Unpopular,
    pub target: u32,
}

/// The fair shares of evenings and Saturdays. For each site and cover need asking for the
/// session, the sessions asked for over the period (the ideal, or the minimum when higher)
/// are shared among the people the need counts who may work that session there — not on
/// leave or a day they never work, not over a monthly limit of 0 or the safe limit of
/// contacts — in proportion to their contracted half sessions over the period (less leave
/// and bank holidays), no one above what they may work (their monthly limit, the days they
/// are free), by largest remainders so the shares add up to the sessions asked for. A
/// person's shares over several sites and needs are added. People no cover asks for on those
/// sessions get no share.
pub fn fair_targets(input: &RotaInput) -> Vec<FairTarget> {
    let dates: Vec<NaiveDate> = input.period.days().collect();
    let contracts: Vec<f64> = input
        .people
        .iter()
        .map(|p| f64::from(contract_halves(p, &input.period)))
        .collect();
    let mut out = Vec::new();
    for kind in Unpopular::ALL {
        let session = kind.session();
        let patterns: Vec<DayPattern> = DayPattern::ALL
            .into_iter()
            .filter(|p| p.sessions().contains(&session))
            .collect();
        // Whether a person may work the session on a day at a site.
        let free = |person: &PersonInput, site: &SiteInput, d: NaiveDate| {
            kind.monthly_limit(&person.rules) != Some(0)
                && person.site_ids.contains(&site.id)
                && person.on_leave(d).is_none()
                && !person.rules.days_never.contains(&d.weekday())
                && patterns.iter().any(|p| {
                    is_open(site, *p, d)
                        && !person.over_contacts(*p)
                        && person.barred_by(site, *p, d).is_none()
                })
        };
        let free_days = |person: &PersonInput, site: &SiteInput| {
            dates.iter().filter(|d| free(person, site, **d)).count() as u32
        };
        let caps: Vec<u32> = input
            .people
            .iter()
            .map(|person| {
                let days = dates
                    .iter()
                    .filter(|d| input.sites.iter().any(|site| free(person, site, **d)))
                    .count() as u32;
                days.min(horizon_limit(
                    kind.monthly_limit(&person.rules),
                    &input.period,
                ))
            })
            .collect();
        // Sessions asked for per site and need.
        let mut asked: BTreeMap<(usize, &CoverNeed), u32> = BTreeMap::new();
        for (i, site) in input.sites.iter().enumerate() {
            for req in input
                .cover
                .iter()
                .filter(|c| c.session == session && c.site_id == site.id)
            {
                let open = dates
                    .iter()
                    .filter(|d| {
                        d.weekday() == req.weekday
                            && patterns.iter().any(|p| is_open(site, *p, **d))
                    })
                    .count() as u32;
                *asked.entry((i, &req.need)).or_default() += open * req.minimum.max(req.ideal);
            }
        }
        let mut targets: BTreeMap<usize, u32> = BTreeMap::new();
        for ((site, need), total) in asked {
            let site = &input.sites[site];
            let pool: Vec<(usize, u32)> = input
                .people
                .iter()
                .enumerate()
                .filter(|(e, person)| {
                    caps[*e] > 0 && contracts[*e] > 0.0 && need.counts(person.role, &person.skills)
                })
                .map(|(e, person)| (e, caps[e].min(free_days(person, site))))
                .filter(|&(_, cap)| cap > 0)
                .collect();
            let weights: Vec<f64> = pool.iter().map(|&(e, _)| contracts[e]).collect();
            let limits: Vec<u32> = pool.iter().map(|&(_, cap)| cap).collect();
            for ((e, _), share) in pool.iter().zip(apportion(total, &weights, &limits)) {
                *targets.entry(*e).or_default() += share;
            }
        }
        out.extend(targets.into_iter().map(|(person, target)| FairTarget {
            person,
            kind,
            target: target.min(caps[person]),
        }));
    }
    out
}

/// Shares `total` in proportion to `weights` (positive), none above its `caps` entry: those
/// whose share would pass their cap get the cap and the rest is shared again; then the whole
/// parts, and the units left over to the largest remainders (ties to the first).
fn apportion(total: u32, weights: &[f64], caps: &[u32]) -> Vec<u32> {
    let mut out = vec![0u32; weights.len()];
    let mut capped = vec![false; weights.len()];
    let mut left = total.min(caps.iter().sum());
    loop {
        let sum: f64 = (0..weights.len())
            .filter(|&i| !capped[i])
            .map(|i| weights[i])
            .sum();
        if sum <= 0.0 {
            return out;
        }
        let over: Vec<usize> = (0..weights.len())
            .filter(|&i| !capped[i] && f64::from(left) * weights[i] / sum >= f64::from(caps[i]))
            .collect();
        if over.is_empty() {
            let quota = |i: usize| f64::from(left) * weights[i] / sum;
            let open: Vec<usize> = (0..weights.len()).filter(|&i| !capped[i]).collect();
            for &i in &open {
                out[i] = quota(i).floor() as u32;
            }
            let mut rest = left - open.iter().map(|&i| out[i]).sum::<u32>();
            let mut by_remainder = open.clone();
            by_remainder.sort_by(|&a, &b| {
                let (ra, rb) = (quota(a) - quota(a).floor(), quota(b) - quota(b).floor());
                rb.total_cmp(&ra).then(a.cmp(&b))
            });
            for i in by_remainder {
                if rest == 0 {
                    break;
                }
                if out[i] < caps[i] {
                    out[i] += 1;
                    rest -= 1;
                }
            }
            return out;
        }
        for i in over {
            capped[i] = true;
            out[i] = caps[i];
            left -= caps[i];
        }
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

// ---------------------------------------------------------------- safe working across practices

impl PersonInput {
    /// The sessions the person works elsewhere on `date`.
    fn elsewhere_on(&self, date: NaiveDate) -> impl Iterator<Item = &BookedElsewhere> {
        self.elsewhere.iter().filter(move |b| b.date == date)
    }

    /// Consecutive days with a session elsewhere from `date` going by `step` (`date` itself
    /// not counted).
    fn elsewhere_run(&self, date: NaiveDate, step: fn(&NaiveDate) -> Option<NaiveDate>) -> u32 {
        let mut run = 0;
        let mut day = step(&date);
        while let Some(d) = day {
            if self.elsewhere_on(d).next().is_none() {
                break;
            }
            run += 1;
            day = step(&d);
        }
        run
    }

    /// Why working `pattern` at `site` on `date` is barred by what the person works in other
    /// practices' published rotas: the session of theirs it clashes with, or is unsafe next
    /// to. Barred are a pattern that takes a session worked elsewhere; one that starts less
    /// than `MIN_REST_HOURS` after the last session elsewhere the day before ends, or ends
    /// less than that before the first session elsewhere the next day starts; a GP's pattern
    /// whose contacts with the sessions elsewhere that day pass `MAX_CONTACTS_PER_DAY`; and,
    /// on a day with nothing elsewhere, any pattern that would join the days worked elsewhere
    /// before and after into a run over `MAX_DAYS_IN_A_ROW`. (A run that also needs other
    /// days worked here is left to `check`: with Sundays closed it cannot happen.)
    pub fn barred_by(
        &self,
        site: &SiteInput,
        pattern: DayPattern,
        date: NaiveDate,
    ) -> Option<&BookedElsewhere> {
        if self.elsewhere.is_empty() {
            return None;
        }
        if let Some(b) = pattern
            .sessions()
            .iter()
            .find_map(|s| self.booked_elsewhere(date, *s))
        {
            return Some(b);
        }
        let rest = i64::from(MIN_REST_HOURS) * 60;
        let starts = pattern
            .sessions()
            .iter()
            .map(|s| times_at(site, *s).starts)
            .min()?;
        let ends = pattern
            .sessions()
            .iter()
            .map(|s| times_at(site, *s).ends)
            .max()?;
        if let Some(before) = date
            .pred_opt()
            .and_then(|d| self.elsewhere_on(d).max_by_key(|b| b.times.ends))
            && 24 * 60 + (starts - before.times.ends).num_minutes() < rest
        {
            return Some(before);
        }
        if let Some(after) = date
            .succ_opt()
            .and_then(|d| self.elsewhere_on(d).min_by_key(|b| b.times.starts))
            && 24 * 60 + (after.times.starts - ends).num_minutes() < rest
        {
            return Some(after);
        }
        if self.is_gp() {
            let elsewhere: u32 = self
                .elsewhere_on(date)
                .map(|b| b.session.contacts(self.rules.appointments()))
                .sum();
            if elsewhere > 0 && self.contacts(pattern) + elsewhere > MAX_CONTACTS_PER_DAY {
                return self.elsewhere_on(date).next();
            }
        }
        if self.elsewhere_on(date).next().is_none() {
            let before = self.elsewhere_run(date, NaiveDate::pred_opt);
            let after = self.elsewhere_run(date, NaiveDate::succ_opt);
            if before + 1 + after > MAX_DAYS_IN_A_ROW {
                let near = if before > 0 {
                    date.pred_opt()
                } else {
                    date.succ_opt()
                };
                return near.and_then(|d| self.elsewhere_on(d).next());
            }
        }
        None
    }

    /// Whether some pattern containing `session` can be worked on `date` at one of the
    /// person's sites: open there, within the contacts limit, not barred by what they work
    /// elsewhere (`barred_by`) and clear of their coaching. When none can, a fixed session
    /// then is a named conflict of the model (no required session), not a broken rule.
    pub fn may_work_fixed(&self, sites: &[SiteInput], date: NaiveDate, session: Session) -> bool {
        sites
            .iter()
            .filter(|s| self.site_ids.contains(&s.id))
            .any(|site| {
                DayPattern::ALL.into_iter().any(|pattern| {
                    pattern.sessions().contains(&session)
                        && is_open(site, pattern, date)
                        && !self.over_contacts(pattern)
                        && self.barred_by(site, pattern, date).is_none()
                        && self.coaching_clash(site, pattern, date).is_none()
                })
            })
    }

    /// A fixed session that cannot be worked on `date` only because of the sessions worked
    /// elsewhere: some pattern containing it is open at one of the person's sites (and within
    /// the contacts limit), but every such pattern is barred (`barred_by`). Returns a session
    /// elsewhere that bars it; `None` when the fixed session can be worked, or cannot for
    /// another reason.
    pub fn fixed_session_barred_elsewhere(
        &self,
        sites: &[SiteInput],
        date: NaiveDate,
        session: Session,
    ) -> Option<&BookedElsewhere> {
        let mut barred = None;
        for site in sites.iter().filter(|s| self.site_ids.contains(&s.id)) {
            for pattern in DayPattern::ALL {
                if !pattern.sessions().contains(&session)
                    || !is_open(site, pattern, date)
                    || self.over_contacts(pattern)
                {
                    continue;
                }
                match self.barred_by(site, pattern, date) {
                    None => return None,
                    Some(b) => barred = barred.or(Some(b)),
                }
            }
        }
        barred
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rota::check::{RotaProblem, check};
    use domain::rota::{CoverNeed, RotaRules};

    fn gp(id: &str, role: Role, rules: RotaRules) -> PersonInput {
        PersonInput {
            id: id.into(),
            name: format!("Dr {id}"),
            role,
            skills: Vec::new(),
            sessions_per_week: 6.0,
            share: 1.0,
            elsewhere: Vec::new(),
            site_ids: vec!["hub".into()],
            rules,
            approved_leave: Vec::new(),
            requested_leave: Vec::new(),
            session_requests: Vec::new(),
            coaching: Vec::new(),
            employed: (NaiveDate::MIN, None),
        }
    }

    /// An enhanced-access hub open AM, PM and evenings, needing one GP each weekday session,
    /// four weeks from a Monday with no bank holiday. GPs A and B (6 sessions a week each)
    /// may work evenings, A with fixed Monday and Tuesday mornings; C (as contracted) never
    /// works evenings; a nurse is counted by no evening cover.
    fn hub() -> RotaInput {
        let sessions = [Session::Am, Session::Pm, Session::Evening]
            .into_iter()
            .map(|s| (s, s.default_times()))
            .collect();
        let mut cover = Vec::new();
        for weekday in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ] {
            for session in [Session::Am, Session::Pm, Session::Evening] {
                cover.push(CoverRequirement {
                    site_id: "hub".into(),
                    weekday,
                    session,
                    need: CoverNeed::Group(StaffGroup::Gp),
                    minimum: 1,
                    ideal: 1,
                });
            }
        }
        RotaInput {
            period: RotaPeriod {
                from: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
                weeks: 4,
            },
            sites: vec![SiteInput {
                id: "hub".into(),
                name: "Hub".into(),
                practice_ods: "Y00001".into(),
                sessions,
            }],
            rooms: Vec::new(),
            people: vec![
                gp(
                    "A",
                    Role::SalariedGp,
                    RotaRules {
                        fixed_sessions: vec![
                            (Weekday::Mon, Session::Am),
                            (Weekday::Tue, Session::Am),
                        ],
                        ..RotaRules::default()
                    },
                ),
                gp("B", Role::GpPartner, RotaRules::default()),
                gp(
                    "C",
                    Role::SalariedGp,
                    RotaRules {
                        max_evenings_month: Some(0),
                        ..RotaRules::default()
                    },
                ),
                gp("N", Role::PracticeNurse, RotaRules::default()),
            ],
            cover,
            locked: Vec::new(),
            current: Vec::new(),
        }
    }

    /// A solve of 150 000 steps (seed 1) that must break no hard rule, as assignments.
    fn solve_feasibly(input: &RotaInput, model: &Model) -> Vec<Assignment> {
        let options = rota::Options {
            seed: 1,
            time_limit: None,
            step_limit: Some(150_000),
            ..rota::Options::default()
        };
        let outcome = rota::solve(&model.problem, &options, &|_| {});
        assert!(
            outcome.evaluation.is_feasible(),
            "{:?}",
            outcome.evaluation.hard
        );
        model.decode(input, &outcome.roster)
    }

    fn evenings(assignments: &[Assignment], id: &str) -> usize {
        assignments
            .iter()
            .filter(|a| a.staff_id == id && a.session == Session::Evening)
            .count()
    }

    #[test]
    fn days_outside_employment_are_never_worked_and_shrink_the_contract() {
        let mut input = hub();
        let full = contract_halves(&input.people[1], &input.period);
        // B starts on the second Monday and leaves after the third Friday.
        let start = input.period.from + chrono::Days::new(7);
        let end = input.period.from + chrono::Days::new(18);
        input.people[1].employed = (start, Some(end));
        assert_eq!(
            input.people[1].on_leave(input.period.from),
            Some(NOT_EMPLOYED)
        );
        assert_eq!(input.people[1].on_leave(start), None);
        assert_eq!(contract_halves(&input.people[1], &input.period), full / 2);
        let model = build(&input);
        let days_off = &model.problem.staff[1].days_off;
        for (d, date) in input.period.days().enumerate() {
            let outside = date < start || date > end;
            assert_eq!(days_off[d], outside, "{date}");
        }
        assert!(model.conflicts.is_empty(), "{:?}", model.conflicts);
    }

    /// A session at "Castle Street", another practice's site, in its published rota.
    fn castle(date: (u32, u32), session: Session, times: (u32, u32, u32, u32)) -> BookedElsewhere {
        let t = |h, m| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        BookedElsewhere {
            date: NaiveDate::from_ymd_opt(2027, date.0, date.1).unwrap(),
            session,
            site_name: "Castle Street".into(),
            times: SessionTimes::new(t(times.0, times.1), t(times.2, times.3)),
        }
    }

    /// The hub, with B and C also working at Castle Street. B: an evening there to 21:30 on
    /// Tuesday 12 January and a morning from 06:30 on Friday 15 January. C: the Sunday
    /// before the period and Tuesday to Saturday of its first week.
    fn hub_with_castle() -> RotaInput {
        let mut input = hub();
        input.people[1].elsewhere = vec![
            castle((1, 12), Session::Evening, (18, 30, 21, 30)),
            castle((1, 15), Session::Am, (6, 30, 12, 0)),
        ];
        input.people[2].elsewhere = vec![castle((1, 10), Session::Am, (8, 0, 13, 0))];
        for day in 12..=15 {
            input.people[2]
                .elsewhere
                .push(castle((1, day), Session::Am, (8, 0, 13, 0)));
        }
        input.people[2]
            .elsewhere
            .push(castle((1, 16), Session::Saturday, (9, 0, 17, 0)));
        input
    }

    /// B's or C's day (index into the period) as the given pattern at the hub.
    fn with_day(
        assignments: &[Assignment],
        who: &str,
        day: u64,
        pattern: DayPattern,
    ) -> Vec<Assignment> {
        let date = NaiveDate::from_ymd_opt(2027, 1, 11).unwrap() + chrono::Days::new(day);
        let mut out: Vec<Assignment> = assignments
            .iter()
            .filter(|a| !(a.staff_id == who && a.date == date))
            .cloned()
            .collect();
        out.extend(pattern.sessions().iter().map(|&session| Assignment {
            staff_id: who.into(),
            date,
            session,
            site_id: "hub".into(),
            room_id: None,
        }));
        out
    }

    #[test]
    fn sessions_worked_at_another_practice_count_for_rest_contacts_and_days_in_a_row() {
        let input = hub_with_castle();
        let model = build(&input);
        let barred = |e: usize, d: usize, p: DayPattern| {
            model.problem.unavailable.iter().any(|u| {
                u.staff == e && u.day == d && u.shifts.iter().any(|&s| model.shift_of[s].1 == p)
            })
        };
        // B, Tuesday: the evening there clashes with PM + evening; AM + PM with it is 28
        // planned contacts. Wednesday: a morning from 08:00 leaves 10 h 30 min after 21:30.
        assert!(barred(1, 1, DayPattern::PmEvening));
        assert!(barred(1, 1, DayPattern::AmPm));
        assert!(!barred(1, 1, DayPattern::Am) && !barred(1, 1, DayPattern::Pm));
        assert!(barred(1, 2, DayPattern::Am) && barred(1, 2, DayPattern::AmPm));
        assert!(!barred(1, 2, DayPattern::Pm) && !barred(1, 2, DayPattern::PmEvening));
        // Thursday: an evening to 20:00 leaves 10 h 30 min before 06:30; Friday: PM +
        // evening with the morning there is 28 contacts, PM alone 24.
        assert!(barred(1, 3, DayPattern::PmEvening) && !barred(1, 3, DayPattern::Pm));
        assert!(barred(1, 4, DayPattern::PmEvening) && !barred(1, 4, DayPattern::Pm));
        // C, Monday 11th: Sunday and Tuesday to Saturday there make a run of 7 with it.
        for p in DayPattern::ALL {
            assert!(barred(2, 0, p), "{p:?}");
        }
        assert!(!barred(2, 7, DayPattern::Am), "the second Monday is free");
        assert!(model.conflicts.is_empty(), "{:?}", model.conflicts);

        // A solved rota keeps clear of them, and the checks and the evaluator both pass it.
        let solved = solve_feasibly(&input, &model);
        let hard: Vec<_> = check(&input, &solved)
            .into_iter()
            .filter(|p| p.hard)
            .collect();
        assert!(hard.is_empty(), "{hard:?}");
        assert_eq!(crate::rota::optimiser_score(&input, &solved).0, 0);

        // Each unsafe day, put in by hand, is a hard problem naming the other site, and the
        // optimiser's evaluator finds a hard rule broken too.
        for (who, day, pattern, rule, words) in [
            (
                "B",
                2,
                DayPattern::Am,
                "rest",
                "10 h 30 min of rest between the Evening session at Castle Street",
            ),
            (
                "B",
                3,
                DayPattern::PmEvening,
                "rest",
                "and the AM session at Castle Street on Friday",
            ),
            (
                "B",
                4,
                DayPattern::PmEvening,
                "contacts",
                "28 planned contacts on Friday",
            ),
            (
                "B",
                1,
                DayPattern::AmPm,
                "contacts",
                "24 at Hub and 4 at Castle Street",
            ),
            (
                "C",
                0,
                DayPattern::Pm,
                "days_in_a_row",
                "works 7 days in a row from Sunday",
            ),
        ] {
            let edited = with_day(&solved, who, day, pattern);
            let problems = check(&input, &edited);
            assert!(
                problems.iter().any(|p| p.hard
                    && p.rule == rule
                    && p.message.contains(words)
                    && p.message.contains("Castle Street")),
                "{who} {day} {pattern:?}: {problems:?}"
            );
            assert!(
                crate::rota::optimiser_score(&input, &edited).0 > 0,
                "{who} {day} {pattern:?}"
            );
        }
        // Days next to the sessions there that are safe stay free of these problems.
        let edited = with_day(&solved, "B", 2, DayPattern::Pm);
        assert!(check(&input, &edited).iter().all(|p| !matches!(
            p.rule,
            "rest" | "contacts" | "days_in_a_row" | "booked_elsewhere"
        )),);
    }

    #[test]
    fn a_fixed_session_that_cannot_be_worked_safely_next_to_another_practices_is_a_conflict() {
        let mut input = hub();
        // A's fixed Tuesday morning, after an evening to 21:30 at Castle Street on Monday 18th.
        input.people[0].elsewhere = vec![castle((1, 18), Session::Evening, (18, 30, 21, 30))];
        let model = build(&input);
        assert!(
            model
                .conflicts
                .iter()
                .any(|c| c.contains("Dr A's fixed Tuesday AM session")
                    && c.contains(
                        "cannot be worked safely next to their Evening session at Castle Street"
                    )),
            "{:?}",
            model.conflicts
        );
        assert!(
            !model
                .problem
                .required
                .iter()
                .any(|r| r.staff == 0 && r.day == 8),
            "no fixed session is asked for that Tuesday"
        );
        // Nor do the checks ask for it.
        let problems = check(&input, &[]);
        assert!(
            !problems.iter().any(
                |p| p.rule == "fixed_session" && p.date == NaiveDate::from_ymd_opt(2027, 1, 19)
            ),
            "{problems:?}"
        );
    }

    #[test]
    fn shares_are_proportional_capped_and_add_up() {
        assert_eq!(apportion(5, &[1.0, 1.0], &[10, 10]), vec![3, 2]);
        // 5, 2.5, 2.5 with the first capped at 3: the 7 left are 3.5 each, the tie to the first.
        assert_eq!(apportion(10, &[2.0, 1.0, 1.0], &[3, 10, 10]), vec![3, 4, 3]);
        assert_eq!(apportion(30, &[1.0, 1.0], &[4, 5]), vec![4, 5]);
        assert_eq!(apportion(7, &[3.0, 1.0], &[20, 20]), vec![5, 2]);
    }

    #[test]
    fn evenings_are_shared_among_the_gps_who_may_work_them() {
        let input = hub();
        // Twenty evenings asked for, shared by A and B (equal contracts); not C (at most 0
        // evenings a month) nor the nurse (no evening cover counts nurses).
        let targets = fair_targets(&input);
        assert_eq!(
            targets,
            vec![
                FairTarget {
                    person: 0,
                    kind: Unpopular::Evenings,
                    target: 10
                },
                FairTarget {
                    person: 1,
                    kind: Unpopular::Evenings,
                    target: 10
                },
            ]
        );
        let model = build(&input);
        let evening_types: Vec<usize> = (0..model.shift_of.len())
            .filter(|&s| model.shift_of[s].1 == DayPattern::PmEvening)
            .collect();
        assert_eq!(model.problem.fair_shares.len(), 2);
        assert!(
            model
                .problem
                .fair_shares
                .iter()
                .all(|f| f.shifts == evening_types && f.weight == WEIGHT_FAIR_SHARE)
        );

        // A day A never works takes those days out of A's share.
        let mut never_friday = hub();
        never_friday.people[0].rules.days_never = vec![Weekday::Fri];
        never_friday.people[1].approved_leave.push((
            NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 15).unwrap(),
            "Annual leave".into(),
        ));
        let shares: Vec<u32> = fair_targets(&never_friday)
            .iter()
            .map(|f| f.target)
            .collect();
        // B's contract over the period is 3/4 of A's (a week of leave): 20 × 4/7 and 20 × 3/7.
        assert_eq!(shares, vec![11, 9]);
    }

    #[test]
    fn a_solved_rota_gives_equally_contracted_gps_evenings_within_one() {
        let input = hub();
        let model = build(&input);
        let assignments = solve_feasibly(&input, &model);
        let (a, b) = (evenings(&assignments, "A"), evenings(&assignments, "B"));
        assert!(a + b >= 20, "every evening is covered: {a} + {b}");
        assert!(a.abs_diff(b) <= 1, "A works {a} evenings, B {b}");
        assert_eq!(evenings(&assignments, "C"), 0);
        let problems = check(&input, &assignments);
        assert!(
            problems.iter().all(|p| p.rule != "fair_share"),
            "{problems:?}"
        );

        // The same evenings all given to B are reported, in plain words, as a soft problem.
        let mut unfair = assignments.clone();
        for x in &mut unfair {
            if x.staff_id == "A" && x.session == Session::Evening {
                x.staff_id = "B".into();
            }
        }
        let problems = check(&input, &unfair);
        let fair: Vec<&str> = problems
            .iter()
            .filter(|p| p.rule == "fair_share")
            .map(|p| p.message.as_str())
            .collect();
        assert!(
            problems
                .iter()
                .filter(|p| p.rule == "fair_share")
                .all(|p| !p.hard)
        );
        assert!(
            fair.contains(&"Dr A works 0 evenings over these 4 weeks, 10 fewer than a fair share of 10 (shared in proportion to contracted sessions)"),
            "{fair:?}"
        );
        assert!(
            fair.iter()
                .any(|m| m.starts_with("Dr B works") && m.contains("more than a fair share of 10")),
            "{fair:?}"
        );
    }

    #[test]
    fn session_requests_are_weighed_met_and_explained_when_not() {
        let mut input = hub();
        let day = |d: u32| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
        let ask = |date, session, wish| SessionRequest {
            date,
            session,
            wish,
            note: None,
        };
        // C asks for Wednesday PM and for Friday AM, a day of approved leave; B asks for
        // Thursday AM off; A asks for Monday AM off, one of A's fixed sessions.
        input.people[2].session_requests = vec![
            ask(day(13), Session::Pm, SessionWish::Work),
            ask(day(15), Session::Am, SessionWish::Work),
        ];
        input.people[2]
            .approved_leave
            .push((day(15), day(15), "Annual leave".into()));
        input.people[1].session_requests = vec![ask(day(14), Session::Am, SessionWish::Off)];
        input.people[0].session_requests = vec![ask(day(11), Session::Am, SessionWish::Off)];
        let model = build(&input);
        let p = &model.problem;
        // One work request: C's Wednesday PM, met by any pattern with the PM.
        assert_eq!(p.work_requests.len(), 1);
        let wanted = &p.work_requests[0];
        assert_eq!((wanted.staff, wanted.day), (2, 2));
        let patterns: Vec<DayPattern> =
            wanted.shifts.iter().map(|&s| model.shift_of[s].1).collect();
        assert_eq!(
            patterns,
            vec![DayPattern::Pm, DayPattern::AmPm, DayPattern::PmEvening]
        );
        // B's Thursday AM off weighs every pattern with the AM that day; A's fixed session is
        // kept and the clash named.
        let offs: Vec<(usize, usize, DayPattern)> = p
            .off_requests
            .iter()
            .filter(|r| r.weight == WEIGHT_SESSION_REQUEST)
            .map(|r| (r.staff, r.day, model.shift_of[r.shift].1))
            .collect();
        assert!(offs.contains(&(1, 3, DayPattern::Am)) && offs.contains(&(1, 3, DayPattern::AmPm)));
        assert!(offs.iter().all(|o| o.2.sessions().contains(&Session::Am)));
        assert_eq!(
            model.conflicts,
            vec![format!(
                "Dr A asked to have Monday AM on {} off, but it is one of their fixed sessions: the fixed session is kept",
                crate::long_date(day(11))
            )]
        );

        let assignments = solve_feasibly(&input, &model);
        let works = |a: &[Assignment], id: &str, d: u32, s: Session| {
            a.iter()
                .any(|x| x.staff_id == id && x.date == day(d) && x.session == s)
        };
        assert!(works(&assignments, "C", 13, Session::Pm));
        assert!(!works(&assignments, "B", 14, Session::Am));
        let unmet = |a: &[Assignment]| {
            check(&input, a)
                .into_iter()
                .filter(|p| p.rule == "session_request")
                .collect::<Vec<_>>()
        };
        // A works the fixed Monday AM asked off: the only request left unmet.
        let left = unmet(&assignments);
        assert_eq!(left.len(), 1, "{left:?}");
        assert_eq!(left[0].staff_ids, vec!["A".to_string()]);

        // Moved by hand: C off on Wednesday PM and B on Thursday AM are both explained.
        let mut edited: Vec<Assignment> = assignments
            .into_iter()
            .filter(|x| !(x.staff_id == "C" && x.date == day(13)))
            .filter(|x| !(x.staff_id == "B" && x.date == day(14)))
            .collect();
        edited.push(Assignment {
            staff_id: "B".into(),
            date: day(14),
            session: Session::Am,
            site_id: "hub".into(),
            room_id: None,
        });
        let messages: Vec<String> = unmet(&edited).into_iter().map(|p| p.message).collect();
        assert!(
            messages.contains(&format!(
                "Dr C asked to work Wednesday PM on {} and is not booked then",
                crate::long_date(day(13))
            )),
            "{messages:?}"
        );
        assert!(
            messages.contains(&format!(
                "Dr B asked to have Thursday AM on {} off and is booked at Hub",
                crate::long_date(day(14))
            )),
            "{messages:?}"
        );
        assert!(
            check(&input, &edited)
                .iter()
                .filter(|p| p.rule == "session_request")
                .all(|p| !p.hard)
        );
    }

    #[test]
    fn a_booked_coaching_session_bars_the_sessions_it_overlaps() {
        let mut input = hub();
        let day = |d: u32| NaiveDate::from_ymd_opt(2027, 1, d).unwrap();
        let at = |h: u32, m: u32| chrono::NaiveTime::from_hms_opt(h, m, 0).unwrap();
        let coaching = |date, starts, ends| Coaching {
            date,
            starts,
            ends,
            programme: "New to practice".into(),
        };
        // B: Wednesday 14:00–15:30, in the afternoon. A: Tuesday 09:00–10:00, in A's fixed
        // Tuesday morning.
        input.people[1].coaching = vec![coaching(day(13), at(14, 0), at(15, 30))];
        input.people[0].coaching = vec![coaching(day(12), at(9, 0), at(10, 0))];
        let model = build(&input);
        let barred: Vec<DayPattern> = model
            .problem
            .unavailable
            .iter()
            .filter(|u| (u.staff, u.day) == (1, 2))
            .flat_map(|u| u.shifts.iter().map(|&s| model.shift_of[s].1))
            .collect();
        assert_eq!(
            barred,
            vec![DayPattern::Pm, DayPattern::AmPm, DayPattern::PmEvening]
        );
        assert_eq!(
            model.conflicts,
            vec![format!(
                "Dr A's fixed Tuesday AM session on {} clashes with their coaching session (New to practice) at 09:00: the coaching session is kept",
                crate::long_date(day(12))
            )]
        );
        assert!(
            !model
                .problem
                .required
                .iter()
                .any(|r| (r.staff, r.day) == (0, 1))
        );

        let assignments = solve_feasibly(&input, &model);
        assert!(!assignments.iter().any(|a| a.staff_id == "B"
            && a.date == day(13)
            && matches!(a.session, Session::Pm | Session::Evening)));
        // Nothing broken: A's Tuesday morning is the named conflict, not an unmet fixed session.
        let problems = check(&input, &assignments);
        assert!(
            problems
                .iter()
                .all(|p| p.rule != "coaching" && p.rule != "fixed_session"),
            "{problems:?}"
        );

        // Booked by hand into B's coaching afternoon: a hard problem, in plain words.
        let mut edited = assignments;
        edited.retain(|a| !(a.staff_id == "B" && a.date == day(13)));
        edited.push(Assignment {
            staff_id: "B".into(),
            date: day(13),
            session: Session::Pm,
            site_id: "hub".into(),
            room_id: None,
        });
        let problems: Vec<RotaProblem> = check(&input, &edited)
            .into_iter()
            .filter(|p| p.rule == "coaching")
            .collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].hard);
        assert_eq!(
            problems[0].message,
            format!(
                "Dr B is booked PM on Wednesday {} at Hub, but has a coaching session (New to practice) from 14:00 to 15:30",
                crate::long_date(day(13))
            )
        );
    }
}
