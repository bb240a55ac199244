//! The rota's rules checked on assignments, in plain words — written apart from the
//! optimiser's evaluator, so each edit is judged the same way whatever made the rota, and
//! the two cross-check each other in tests.
use super::plan::{
    Assignment, BookedElsewhere, MAX_DAYS_IN_A_ROW, PersonInput, RotaInput, can_work,
    contract_halves, fair_targets, is_open,
};
use crate::long_date;
use chrono::{Datelike, NaiveDate};
use domain::room::room_need;
use domain::rota::{
    DayPattern, MAX_CONTACTS_PER_DAY, MIN_REST_HOURS, Session, SessionWish, weekday_name,
};
use std::collections::{BTreeMap, BTreeSet};

mod elsewhere;

use elsewhere::check_elsewhere;

/// One thing wrong with a rota, explained.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RotaProblem {
    /// A hard rule broken (the rota is not safe to publish without an override), or a gap
    /// and a preference (cover short, requested leave worked).
    pub hard: bool,
    /// The rule's code: `cover`, `contacts`, `rest`, `leave`, `employment`, `contract`…
    pub rule: &'static str,
    pub message: String,
    pub staff_ids: Vec<String>,
    pub date: Option<NaiveDate>,
    pub session: Option<Session>,
    pub site_id: Option<String>,
}

/// The rule a session before a person's start date or after their end date breaks; no
/// override books one.
pub const EMPLOYMENT: &str = "employment";

fn problem(hard: bool, rule: &'static str, message: String) -> RotaProblem {
    RotaProblem {
        hard,
        rule,
        message,
        staff_ids: Vec::new(),
        date: None,
        session: None,
        site_id: None,
    }
}

pub(super) fn day_text(date: NaiveDate) -> String {
    format!("{} {}", weekday_name(date.weekday()), long_date(date))
}

fn sessions_text(halves: u32) -> String {
    if halves.is_multiple_of(2) {
        format!("{}", halves / 2)
    } else {
        format!("{}.5", halves / 2)
    }
}

/// "1 session", "4.5 sessions" (`domain::words` for the noun).
fn sessions_words(halves: u32) -> String {
    let noun = if halves == 2 { "session" } else { "sessions" };
    format!("{} {noun}", sessions_text(halves))
}

/// "over these 4 weeks", "over this week".
fn over_weeks(weeks: u32) -> String {
    if weeks == 1 {
        "over this week".into()
    } else {
        format!("over these {weeks} weeks")
    }
}

/// Every problem of the assignments against the rota's inputs: hard rules first, then cover
/// gaps, then preferences.
pub fn check(input: &RotaInput, assignments: &[Assignment]) -> Vec<RotaProblem> {
    let mut problems = Vec::new();
    let sites: BTreeMap<&str, &super::plan::SiteInput> =
        input.sites.iter().map(|s| (s.id.as_str(), s)).collect();
    let site_name = |id: &str| {
        sites
            .get(id)
            .map_or_else(|| id.to_string(), |s| s.name.clone())
    };
    let mut by_person: BTreeMap<&str, BTreeMap<NaiveDate, Vec<&Assignment>>> = BTreeMap::new();
    for a in assignments {
        by_person
            .entry(a.staff_id.as_str())
            .or_default()
            .entry(a.date)
            .or_default()
            .push(a);
    }
    let empty = BTreeMap::new();
    for person in &input.people {
        let days = by_person.get(person.id.as_str()).unwrap_or(&empty);
        check_person(input, person, days, &site_name, &mut problems);
        check_elsewhere(input, person, days, &site_name, &mut problems);
    }

    check_rooms(input, assignments, &site_name, &mut problems);

    // Cover: per requirement and date (`cover::cover_lines`).
    problems.extend(
        super::cover::cover_lines(input, assignments)
            .iter()
            .filter_map(|l| l.problem()),
    );
    fair_shares(input, assignments, &mut problems);
    session_requests(input, assignments, &site_name, &mut problems);
    problems.sort_by_key(|p| {
        (
            !p.hard,
            matches!(p.rule, "leave_requested" | "session_request" | "fair_share"),
            p.date,
            p.session,
        )
    });
    problems
}

/// Rooms: clinicians needing a kind of room in a session at a site, against the rooms; and
/// a room given to someone in a session an ad-hoc booking takes it.
fn check_rooms(
    input: &RotaInput,
    assignments: &[Assignment],
    site_name: &dyn Fn(&str) -> String,
    problems: &mut Vec<RotaProblem>,
) {
    let mut needing: BTreeMap<(&str, NaiveDate, Session, domain::room::RoomCapability), Vec<&str>> =
        BTreeMap::new();
    let people: BTreeMap<&str, &PersonInput> =
        input.people.iter().map(|p| (p.id.as_str(), p)).collect();
    for a in assignments {
        if let Some(need) = people
            .get(a.staff_id.as_str())
            .and_then(|p| room_need(p.role))
        {
            needing
                .entry((a.site_id.as_str(), a.date, a.session, need))
                .or_default()
                .push(a.staff_id.as_str());
        }
    }
    for ((site, date, session, need), who) in needing {
        // A room an ad-hoc booking takes that session is not the rota's.
        let rooms = input
            .rooms
            .iter()
            .filter(|r| {
                r.site_id == site
                    && r.capabilities.contains(&need)
                    && !r.booked.contains(&(date, session))
            })
            .count();
        let any_rooms = input.rooms.iter().any(|r| r.site_id == site);
        if any_rooms && who.len() > rooms {
            problems.push(RotaProblem {
                staff_ids: who.iter().map(|s| s.to_string()).collect(),
                date: Some(date),
                session: Some(session),
                site_id: Some(site.to_string()),
                ..problem(
                    true,
                    "rooms",
                    format!(
                        "{} {} at {}: {} people need a {} room, there {} {}",
                        day_text(date),
                        session.label(),
                        site_name(site),
                        who.len(),
                        need.label().to_lowercase(),
                        if rooms == 1 { "is" } else { "are" },
                        rooms
                    ),
                )
            });
        }
    }

    // A room given to someone in a session an ad-hoc booking takes it.
    for a in assignments {
        let Some(room) = a
            .room_id
            .as_ref()
            .and_then(|id| input.rooms.iter().find(|r| r.id == *id))
        else {
            continue;
        };
        if room.booked.contains(&(a.date, a.session)) {
            problems.push(RotaProblem {
                staff_ids: vec![a.staff_id.clone()],
                date: Some(a.date),
                session: Some(a.session),
                site_id: Some(a.site_id.clone()),
                ..problem(
                    true,
                    "room_booked",
                    format!(
                        "{} {} at {}: {} is booked for something else then",
                        day_text(a.date),
                        a.session.label(),
                        site_name(&a.site_id),
                        room.name
                    ),
                )
            });
        }
    }
}

/// Evenings and Saturdays spread unevenly: a person two or more away from their fair share
/// (`plan::fair_targets`; one away is the rounding of a share).
fn fair_shares(input: &RotaInput, assignments: &[Assignment], problems: &mut Vec<RotaProblem>) {
    for f in fair_targets(input) {
        let person = &input.people[f.person];
        let days: BTreeSet<NaiveDate> = assignments
            .iter()
            .filter(|a| a.staff_id == person.id && a.session == f.kind.session())
            .map(|a| a.date)
            .collect();
        let worked = days.len() as u32;
        if worked.abs_diff(f.target) < 2 {
            continue;
        }
        let how = if worked > f.target { "more" } else { "fewer" };
        problems.push(RotaProblem {
            staff_ids: vec![person.id.clone()],
            ..problem(
                false,
                "fair_share",
                format!(
                    "{} works {} {}, {} {how} than a fair share of {} \
                     (shared in proportion to contracted sessions)",
                    person.name,
                    f.kind.count(worked),
                    over_weeks(input.period.weeks),
                    worked.abs_diff(f.target),
                    f.target
                ),
            )
        });
    }
}

/// Session requests not met: a session asked off and worked, or a session asked for and not
/// worked though the person could have worked it (`plan::can_work`).
fn session_requests(
    input: &RotaInput,
    assignments: &[Assignment],
    site_name: &dyn Fn(&str) -> String,
    problems: &mut Vec<RotaProblem>,
) {
    for person in &input.people {
        for request in &person.session_requests {
            if !input.period.days().any(|d| d == request.date) {
                continue;
            }
            let worked = assignments.iter().find(|a| {
                a.staff_id == person.id && a.date == request.date && a.session == request.session
            });
            let asked = format!(
                "{} {} on {}",
                weekday_name(request.date.weekday()),
                request.session.label(),
                long_date(request.date)
            );
            let message = match (request.wish, worked) {
                (SessionWish::Off, Some(a)) => format!(
                    "{} asked to have {asked} off and is booked at {}",
                    person.name,
                    site_name(&a.site_id)
                ),
                (SessionWish::Work, None)
                    if can_work(input, person, request.date, request.session) =>
                {
                    format!(
                        "{} asked to work {asked} and is not booked then",
                        person.name
                    )
                }
                _ => continue,
            };
            let mut found = problem(false, "session_request", message);
            found.staff_ids = vec![person.id.clone()];
            found.date = Some(request.date);
            found.session = Some(request.session);
            found.site_id = worked.map(|a| a.site_id.clone());
            problems.push(found);
        }
    }
}

fn check_person(
    input: &RotaInput,
    person: &PersonInput,
    days: &BTreeMap<NaiveDate, Vec<&Assignment>>,
    site_name: &dyn Fn(&str) -> String,
    problems: &mut Vec<RotaProblem>,
) {
    let mut tally = Tally::default();
    for (&date, held) in days {
        if !input.period.days().any(|d| d == date) {
            continue;
        }
        let day = PersonDay {
            input,
            person,
            date,
            site_name,
        };
        day.check(held, &mut tally, problems);
    }
    month_limits(person, &tally, problems);
    fixed_sessions_missed(input, person, days, problems);
    contract_total(input, person, tally.halves, problems);
}

/// What a person's days add up to, as they are checked in date order.
#[derive(Default)]
struct Tally {
    /// Half sessions worked.
    halves: u32,
    /// Evenings and Saturdays worked by (year, month).
    evenings: BTreeMap<(i32, u32), u32>,
    saturdays: BTreeMap<(i32, u32), u32>,
    /// The last day worked with known times, and when it ended.
    previous: Option<(NaiveDate, chrono::NaiveTime)>,
    /// Days worked in a row up to the last one.
    run: u32,
    last_worked: Option<NaiveDate>,
}

/// One person's day, as `check_person` judges it.
struct PersonDay<'a> {
    input: &'a RotaInput,
    person: &'a PersonInput,
    date: NaiveDate,
    site_name: &'a dyn Fn(&str) -> String,
}

impl PersonDay<'_> {
    /// A problem of this person on this day.
    fn at(&self, hard: bool, rule: &'static str, message: String) -> RotaProblem {
        RotaProblem {
            staff_ids: vec![self.person.id.clone()],
            date: Some(self.date),
            ..problem(hard, rule, message)
        }
    }

    /// Every rule of the day, in order: places and sessions, the day's pattern, then its
    /// rules and what it adds to the tally.
    fn check(&self, held: &[&Assignment], tally: &mut Tally, problems: &mut Vec<RotaProblem>) {
        let (site_ids, sessions) = self.places(held, problems);
        let pattern = DayPattern::of(&sessions);
        tally.halves += sessions.iter().map(|s| s.contract_halves()).sum::<u32>();
        let site = held[0].site_id.as_str();
        let Some(pattern) = pattern else {
            problems.push(self.at(
                true,
                "pattern",
                format!(
                    "{} works {} on {}: a day is AM, PM, AM + PM, PM + evening or Saturday",
                    self.person.name,
                    sessions
                        .iter()
                        .map(|s| s.label())
                        .collect::<Vec<_>>()
                        .join(" + "),
                    day_text(self.date)
                ),
            ));
            return;
        };
        self.day_rules(pattern, &site_ids, site, problems);
        self.tally(pattern, site, tally, problems);
    }

    /// One site a day, one booking a session, and no session booked elsewhere or over
    /// coaching. Returns the day's sites and its sessions (sorted, once each).
    fn places<'h>(
        &self,
        held: &[&'h Assignment],
        problems: &mut Vec<RotaProblem>,
    ) -> (BTreeSet<&'h str>, Vec<Session>) {
        let (person, date, site_name) = (self.person, self.date, self.site_name);
        let name = &person.name;
        let day = day_text(date);
        let site_ids: BTreeSet<&str> = held.iter().map(|a| a.site_id.as_str()).collect();
        if site_ids.len() > 1 {
            let names: Vec<String> = site_ids.iter().map(|s| site_name(s)).collect();
            problems.push(self.at(
                true,
                "two_places",
                format!(
                    "{name} is at {} on {day}: a day is worked at one site",
                    names.join(" and ")
                ),
            ));
        }
        let mut sessions: Vec<Session> = held.iter().map(|a| a.session).collect();
        sessions.sort();
        if sessions.windows(2).any(|w| w[0] == w[1]) {
            problems.push(self.at(
                true,
                "two_places",
                format!("{name} is booked twice in one session on {day}"),
            ));
        }
        sessions.dedup();
        for a in held {
            // A hard rule broken by one session worked at one site.
            let in_session = |rule, message| RotaProblem {
                session: Some(a.session),
                site_id: Some(a.site_id.clone()),
                ..self.at(true, rule, message)
            };
            if let Some(booked) = person.booked_elsewhere(date, a.session) {
                problems.push(in_session(
                        "booked_elsewhere",
                        format!(
                            "{name} is booked {} on {day} at {}, but already works that session at {} in another published rota",
                            a.session.label(),
                            site_name(&a.site_id),
                            booked.site_name
                        ),
                ));
            }
            let coaching = self
                .input
                .sites
                .iter()
                .find(|x| x.id == a.site_id)
                .and_then(|x| person.coaching_in(x, a.session, date));
            if let Some(c) = coaching {
                problems.push(in_session(
                        "coaching",
                        format!(
                            "{name} is booked {} on {day} at {}, but has a coaching session ({}) from {} to {}",
                            a.session.label(),
                            site_name(&a.site_id),
                            c.programme,
                            c.starts.format("%H:%M"),
                            c.ends.format("%H:%M")
                        ),
                ));
            }
        }
        (site_ids, sessions)
    }

    /// The person's sites, an open session, leave and employment, days never worked and a
    /// GP's safe limit of contacts.
    fn day_rules(
        &self,
        pattern: DayPattern,
        site_ids: &BTreeSet<&str>,
        site: &str,
        problems: &mut Vec<RotaProblem>,
    ) {
        let (input, person, date, site_name) = (self.input, self.person, self.date, self.site_name);
        let name = &person.name;
        let day = day_text(date);
        for &s in site_ids {
            if !person.site_ids.iter().any(|x| x == s) {
                problems.push(self.at(
                    true,
                    "site",
                    format!("{name} does not work at {} ({day})", site_name(s)),
                ));
            }
        }
        if let Some(site) = input.sites.iter().find(|s| s.id == site)
            && !is_open(site, pattern, date)
        {
            let why = if analytics::calendar::is_bank_holiday(date) {
                "a bank holiday"
            } else {
                "not an open session there"
            };
            problems.push(self.at(
                true,
                "closed",
                format!(
                    "{name} is booked {} at {} on {day}, {why}",
                    pattern.label(),
                    site.name
                ),
            ));
        }
        if let Some(kind) = person.on_leave(date) {
            let employment = kind == super::plan::NOT_EMPLOYED;
            problems.push(self.at(
                true,
                if employment { EMPLOYMENT } else { "leave" },
                if employment {
                    match person.employed {
                        (start, _) if date < start => format!(
                            "{name} starts on {} and is booked on {day}",
                            long_date(start)
                        ),
                        (_, Some(end)) => {
                            format!("{name} left on {} and is booked on {day}", long_date(end))
                        }
                        _ => format!("{name} is booked on {day}, outside their employment"),
                    }
                } else {
                    format!(
                        "{name} is booked on {day} but is on approved {}",
                        kind.to_lowercase()
                    )
                },
            ));
        } else if person.asked_for_leave(date) {
            problems.push(self.at(
                false,
                "leave_requested",
                format!("{name} asked for leave on {day} and is booked to work"),
            ));
        }
        if person.rules.days_never.contains(&date.weekday()) {
            problems.push(self.at(
                true,
                "day_never",
                format!(
                    "{name} never works on a {} but is booked on {day}",
                    weekday_name(date.weekday())
                ),
            ));
        }
        if person.is_gp() {
            let contacts = person.contacts(pattern);
            if contacts > MAX_CONTACTS_PER_DAY {
                problems.push(self.at(
                    true,
                    "contacts",
                    format!(
                        "{name}: {contacts} planned contacts on {day}, over the safe limit of {MAX_CONTACTS_PER_DAY}"
                    ),
                ));
            }
        }
    }

    /// Rest since the day before, evenings and Saturdays a month, and days in a row.
    fn tally(
        &self,
        pattern: DayPattern,
        site: &str,
        tally: &mut Tally,
        problems: &mut Vec<RotaProblem>,
    ) {
        let (input, date) = (self.input, self.date);
        let name = &self.person.name;
        let day = day_text(date);
        let times: Vec<_> = pattern
            .sessions()
            .iter()
            .filter_map(|s| {
                input
                    .sites
                    .iter()
                    .find(|x| x.id == site)
                    .and_then(|x| x.sessions.get(s))
            })
            .collect();
        if let (Some(start), Some(end)) = (
            times.iter().map(|t| t.starts).min(),
            times.iter().map(|t| t.ends).max(),
        ) {
            if let Some((pd, pend)) = tally.previous
                && pd.succ_opt() == Some(date)
            {
                let rest = 24 * 60 + (start - pend).num_minutes();
                if rest < i64::from(MIN_REST_HOURS) * 60 {
                    problems.push(self.at(
                        true,
                        "rest",
                        format!(
                            "{name}: {} h {} min of rest before {day}, less than the {MIN_REST_HOURS} hours needed",
                            rest / 60,
                            rest % 60
                        ),
                    ));
                }
            }
            tally.previous = Some((date, end));
        }
        if pattern.sessions().contains(&Session::Evening) {
            *tally
                .evenings
                .entry((date.year(), date.month()))
                .or_default() += 1;
        }
        if pattern == DayPattern::Saturday {
            *tally
                .saturdays
                .entry((date.year(), date.month()))
                .or_default() += 1;
        }
        tally.run = if tally.last_worked.and_then(|d| d.succ_opt()) == Some(date) {
            tally.run + 1
        } else {
            1
        };
        tally.last_worked = Some(date);
        if tally.run == MAX_DAYS_IN_A_ROW + 1 {
            problems.push(self.at(
                true,
                "days_in_a_row",
                format!("{name} works more than {MAX_DAYS_IN_A_ROW} days in a row up to {day}"),
            ));
        }
    }
}

/// Evenings and Saturdays a month over the person's limits.
fn month_limits(person: &PersonInput, tally: &Tally, problems: &mut Vec<RotaProblem>) {
    let name = &person.name;
    for (limit, counts, what) in [
        (person.rules.max_evenings_month, &tally.evenings, "evenings"),
        (
            person.rules.max_saturdays_month,
            &tally.saturdays,
            "Saturdays",
        ),
    ] {
        if let Some(limit) = limit {
            for (&(y, m), &n) in counts {
                if n > limit {
                    let month = NaiveDate::from_ymd_opt(y, m, 1).expect("a month");
                    problems.push(RotaProblem {
                        staff_ids: vec![person.id.clone()],
                        ..problem(
                            true,
                            "month_limit",
                            format!(
                                "{name}: {n} {what} in {}, at most {limit} a month",
                                month.format("%B %Y")
                            ),
                        )
                    });
                }
            }
        }
    }
}

/// Fixed sessions the person could work but is not booked on.
fn fixed_sessions_missed(
    input: &RotaInput,
    person: &PersonInput,
    days: &BTreeMap<NaiveDate, Vec<&Assignment>>,
    problems: &mut Vec<RotaProblem>,
) {
    for &(weekday, session) in &person.rules.fixed_sessions {
        for date in input.period.days().filter(|d| d.weekday() == weekday) {
            if analytics::calendar::is_bank_holiday(date)
                || person.on_leave(date).is_some()
                || person.booked_elsewhere(date, session).is_some()
                || !person.may_work_fixed(&input.sites, date, session)
            {
                continue;
            }
            let works = days
                .get(&date)
                .is_some_and(|held| held.iter().any(|a| a.session == session));
            if !works {
                problems.push(RotaProblem {
                    staff_ids: vec![person.id.clone()],
                    date: Some(date),
                    ..problem(
                        true,
                        "fixed_session",
                        format!(
                            "{} has a fixed {} {} session but is not booked on {}",
                            person.name,
                            weekday_name(weekday),
                            session.label(),
                            day_text(date)
                        ),
                    )
                });
            }
        }
    }
}

/// The half sessions booked against the contract's, with one half of slack below.
fn contract_total(
    input: &RotaInput,
    person: &PersonInput,
    halves: u32,
    problems: &mut Vec<RotaProblem>,
) {
    let name = &person.name;
    let target = contract_halves(person, &input.period);
    if halves > target || halves + 1 < target {
        let (word, bound) = if halves > target {
            ("most", target)
        } else {
            ("least", target - 1)
        };
        let in_period = |d: NaiveDate| input.period.from <= d && d <= input.period.last_day();
        let contract = if person.share < 1.0 || person.elsewhere.iter().any(|b| in_period(b.date)) {
            "their share of the contract for this rota's practices (less leave, bank holidays and sessions in other published rotas)"
        } else {
            "the contract (less leave and bank holidays)"
        };
        problems.push(RotaProblem {
            staff_ids: vec![person.id.clone()],
            ..problem(
                true,
                "contract",
                format!(
                    "{name}: {} booked {}; {contract} asks for at {word} {}",
                    sessions_words(halves),
                    over_weeks(input.period.weeks),
                    sessions_text(bound)
                ),
            )
        });
    }
}
