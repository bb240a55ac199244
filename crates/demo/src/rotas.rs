//! A year of published rotas for a generated system: what `demo --practices N` stores so
//! that an ICS-sized database holds the rota history a real one would.
//!
//! Not the optimiser's work — solving a year for a thousand practices would take hours —
//! but a plain weekly pattern per person: their fixed sessions first, then weekday
//! mornings and afternoons from a day that depends on the person (so a practice's team is
//! spread over the week), as many as their sessions a week, never on a day they never
//! work, on approved leave, or outside their employment. Each session is at the person's
//! first site of that practice and in the next free room there, or no room when the
//! site's rooms are all taken.
use crate::{DemoData, DemoRules};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use domain::leave::LeaveStatus;
use domain::rota::Session;

/// Weeks in one stored rota; a year is 13 of them.
pub const WEEKS_PER_ROTA: i64 = 4;
/// Rotas a practice gets: the past year and the coming four weeks.
pub const ROTAS_PER_PRACTICE: i64 = 14;

/// One practice's rota for four weeks, published.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRota {
    pub starts_on: NaiveDate,
    pub assignments: Vec<DemoAssignment>,
}

/// One person working one session: indices into the demo data.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAssignment {
    pub staff_index: usize,
    pub day: NaiveDate,
    pub session: Session,
    /// Index into the practice's `sites`.
    pub site: usize,
    /// Index into that site's `rooms`.
    pub room: Option<usize>,
}

/// The Monday the first rota of the year starts on: 52 weeks before this week's Monday.
pub fn first_monday(today: NaiveDate) -> NaiveDate {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    monday - Duration::weeks(52)
}

/// The rotas of practice `practice` (an index into `data.practices`).
pub fn practice_rotas(
    data: &DemoData,
    rules: &[DemoRules],
    practice: usize,
    today: NaiveDate,
) -> Vec<DemoRota> {
    let here = &data.practices[practice];
    let team: Vec<usize> = (0..data.staff.len())
        .filter(|&i| data.staff[i].draft.practices.first() == Some(&here.ods_code))
        .collect();
    let start = first_monday(today);
    // Each person's week, leave and site once, not once a week: a thousand practices
    // hold tens of thousands of people and leave records.
    let people: Vec<Person> = team
        .iter()
        .map(|&person| Person {
            index: person,
            pattern: week_pattern(data, rules, person),
            leave: data
                .leave
                .iter()
                .filter(|l| l.staff_index == person && l.status == LeaveStatus::Approved)
                .map(|l| (l.draft.start_date, l.draft.end_date))
                .collect(),
            site: site_of(data, practice, person),
        })
        .collect();
    (0..ROTAS_PER_PRACTICE)
        .map(|r| {
            let starts_on = start + Duration::weeks(r * WEEKS_PER_ROTA);
            let mut assignments = Vec::new();
            for week in 0..WEEKS_PER_ROTA {
                let monday = starts_on + Duration::weeks(week);
                // Rooms taken: (site, day, session) → how many.
                let mut taken = std::collections::BTreeMap::<(usize, i64, Session), usize>::new();
                for person in &people {
                    for &(weekday, session) in &person.pattern {
                        let day =
                            monday + Duration::days(i64::from(weekday.num_days_from_monday()));
                        if !person.works_on(data, day) {
                            continue;
                        }
                        let key = (
                            person.site,
                            i64::from(weekday.num_days_from_monday()),
                            session,
                        );
                        let used = taken.entry(key).or_insert(0);
                        let rooms = here.sites.get(person.site).map_or(0, |s| s.rooms.len());
                        let room = (*used < rooms).then_some(*used);
                        *used += 1;
                        assignments.push(DemoAssignment {
                            staff_index: person.index,
                            day,
                            session,
                            site: person.site,
                            room,
                        });
                    }
                }
            }
            DemoRota {
                starts_on,
                assignments,
            }
        })
        .collect()
}

/// One member of a practice's team, as the rotas need them.
struct Person {
    index: usize,
    pattern: Vec<(Weekday, Session)>,
    /// Approved leave, first and last day.
    leave: Vec<(NaiveDate, NaiveDate)>,
    site: usize,
}

impl Person {
    /// Whether they are employed and not on approved leave on the day.
    fn works_on(&self, data: &DemoData, day: NaiveDate) -> bool {
        let draft = &data.staff[self.index].draft;
        if draft.start_date > day || draft.end_date.is_some_and(|end| end < day) {
            return false;
        }
        !self
            .leave
            .iter()
            .any(|&(from, to)| from <= day && day <= to)
    }
}

/// The sessions a person works in an ordinary week.
fn week_pattern(data: &DemoData, rules: &[DemoRules], person: usize) -> Vec<(Weekday, Session)> {
    const DAYS: [Weekday; 5] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let draft = &data.staff[person].draft;
    let wanted = draft.sessions_per_week.round().clamp(0.0, 10.0) as usize;
    let rule = rules
        .iter()
        .find(|r| r.staff_index == person)
        .map(|r| &r.rules);
    let never: &[Weekday] = rule.map_or(&[], |r| r.days_never.as_slice());
    let mut pattern: Vec<(Weekday, Session)> = rule
        .map(|r| r.fixed_sessions.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|(d, _)| !never.contains(d))
        .take(wanted)
        .collect();
    let first = person % DAYS.len();
    for offset in 0..DAYS.len() * 2 {
        if pattern.len() >= wanted {
            break;
        }
        let day = DAYS[(first + offset / 2) % DAYS.len()];
        let session = if offset % 2 == 0 {
            Session::Am
        } else {
            Session::Pm
        };
        if !never.contains(&day) && !pattern.contains(&(day, session)) {
            pattern.push((day, session));
        }
    }
    pattern
}

/// The person's first site at the practice, or its main site.
fn site_of(data: &DemoData, practice: usize, person: usize) -> usize {
    let here = &data.practices[practice];
    data.staff[person]
        .sites
        .iter()
        .filter(|(ods, _)| *ods == here.ods_code)
        .find_map(|(_, name)| here.sites.iter().position(|s| &s.site.name == name))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DemoOptions, generate, rota_setup};

    #[test]
    fn a_year_of_rotas_keeps_each_persons_sessions_days_never_and_leave() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let data = generate(&DemoOptions {
            practices: 3,
            seed: 7,
            today,
        });
        let (_, rules) = rota_setup(&data);
        let rotas = practice_rotas(&data, &rules, 0, today);
        assert_eq!(rotas.len() as i64, ROTAS_PER_PRACTICE);
        assert_eq!(rotas[0].starts_on.weekday(), Weekday::Mon);
        assert!(rotas[0].starts_on <= today - Duration::weeks(52));
        assert!(rotas.last().unwrap().starts_on >= today - Duration::weeks(4));
        let all: Vec<&DemoAssignment> = rotas.iter().flat_map(|r| &r.assignments).collect();
        assert!(!all.is_empty());
        let mut seen = std::collections::BTreeSet::new();
        for a in &all {
            assert!(
                seen.insert((a.staff_index, a.day, a.session)),
                "twice: {a:?}"
            );
            let draft = &data.staff[a.staff_index].draft;
            assert!(draft.start_date <= a.day, "{a:?}");
            assert!(draft.end_date.is_none_or(|end| a.day <= end), "{a:?}");
            assert!(
                !data.leave.iter().any(|l| l.staff_index == a.staff_index
                    && l.status == LeaveStatus::Approved
                    && l.draft.start_date <= a.day
                    && a.day <= l.draft.end_date),
                "on leave: {a:?}"
            );
            if let Some(rule) = rules.iter().find(|r| r.staff_index == a.staff_index) {
                assert!(!rule.rules.days_never.contains(&a.day.weekday()), "{a:?}");
            }
        }
        // A full-time person in an ordinary week works about their sessions.
        let person = (0..data.staff.len())
            .find(|&i| {
                data.staff[i].draft.practices.first() == Some(&data.practices[0].ods_code)
                    && data.staff[i].draft.sessions_per_week >= 8.0
                    && !rules.iter().any(|r| r.staff_index == i)
                    && !data.leave.iter().any(|l| l.staff_index == i)
                    && data.staff[i].draft.end_date.is_none()
                    && data.staff[i].draft.start_date < today - Duration::weeks(60)
            })
            .expect("a full-time person with no rules or leave");
        let week = rotas[1].starts_on;
        let worked = all
            .iter()
            .filter(|a| {
                a.staff_index == person && a.day >= week && a.day < week + Duration::weeks(1)
            })
            .count();
        assert_eq!(
            worked as f64,
            data.staff[person].draft.sessions_per_week.round().min(10.0)
        );
    }
}
