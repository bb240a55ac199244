//! Safe working counted with the sessions a person works in other practices' published
//! rotas: rest, a GP's contacts a day, and runs of days in a row.
use super::*;

/// Safe working counted with the sessions the person works in other practices' published
/// rotas (`PersonInput::elsewhere`, loaded a few days either side of the period): rest of
/// `MIN_REST_HOURS` between a day here and a day elsewhere, a GP's planned contacts a day
/// here and elsewhere together, and runs of days worked here and elsewhere together. Each
/// problem names the other site. (Clashing sessions are `booked_elsewhere`, in
/// `check_person`; limits broken here alone are reported there.)
pub(super) fn check_elsewhere(
    input: &RotaInput,
    person: &PersonInput,
    days: &BTreeMap<NaiveDate, Vec<&Assignment>>,
    site_name: &dyn Fn(&str) -> String,
    problems: &mut Vec<RotaProblem>,
) {
    if person.elsewhere.is_empty() {
        return;
    }
    let mut elsewhere: BTreeMap<NaiveDate, Vec<&BookedElsewhere>> = BTreeMap::new();
    for b in &person.elsewhere {
        elsewhere.entry(b.date).or_default().push(b);
    }
    let here_days: Vec<NaiveDate> = days
        .keys()
        .copied()
        .filter(|d| input.period.days().any(|x| x == *d))
        .collect();
    for &date in &here_days {
        day_next_to_elsewhere(
            input,
            person,
            date,
            &days[&date],
            &elsewhere,
            site_name,
            problems,
        );
    }
    runs_with_elsewhere(person, &here_days, &elsewhere, problems);
}

/// A hard problem of the person on `date`, from work elsewhere.
fn at_elsewhere(
    person: &PersonInput,
    rule: &'static str,
    date: NaiveDate,
    message: String,
) -> RotaProblem {
    RotaProblem {
        staff_ids: vec![person.id.clone()],
        date: Some(date),
        ..problem(true, rule, message)
    }
}

/// One day here against the sessions elsewhere: rest from the day before and to the day
/// after, and a GP's planned contacts with that day's sessions elsewhere.
fn day_next_to_elsewhere(
    input: &RotaInput,
    person: &PersonInput,
    date: NaiveDate,
    held: &[&Assignment],
    elsewhere: &BTreeMap<NaiveDate, Vec<&BookedElsewhere>>,
    site_name: &dyn Fn(&str) -> String,
    problems: &mut Vec<RotaProblem>,
) {
    let name = &person.name;
    let times_here = |a: &Assignment| {
        input
            .sites
            .iter()
            .find(|s| s.id == a.site_id)
            .and_then(|s| s.sessions.get(&a.session).copied())
            .unwrap_or(a.session.default_times())
    };
    let rest_text = |minutes: i64| format!("{} h {} min", minutes / 60, minutes % 60);
    let needed = i64::from(MIN_REST_HOURS) * 60;
    let day = day_text(date);
    let here = site_name(&held[0].site_id);
    let (Some(starts), Some(ends)) = (
        held.iter().map(|a| times_here(a).starts).min(),
        held.iter().map(|a| times_here(a).ends).max(),
    ) else {
        return;
    };
    if let Some(before) = date
        .pred_opt()
        .and_then(|d| elsewhere.get(&d))
        .and_then(|list| list.iter().max_by_key(|b| b.times.ends))
    {
        let rest = 24 * 60 + (starts - before.times.ends).num_minutes();
        if rest < needed {
            problems.push(at_elsewhere(
                person,
                "rest",
                date,
                format!(
                    "{name}: {} of rest between the {} session at {} on {} (another published rota) and {day} at {here}, less than the {MIN_REST_HOURS} hours needed",
                    rest_text(rest),
                    before.session.label(),
                    before.site_name,
                    day_text(before.date),
                ),
            ));
        }
    }
    if let Some(after) = date
        .succ_opt()
        .and_then(|d| elsewhere.get(&d))
        .and_then(|list| list.iter().min_by_key(|b| b.times.starts))
    {
        let rest = 24 * 60 + (after.times.starts - ends).num_minutes();
        if rest < needed {
            problems.push(at_elsewhere(
                person,
                "rest",
                date,
                format!(
                    "{name}: {} of rest between {day} at {here} and the {} session at {} on {} (another published rota), less than the {MIN_REST_HOURS} hours needed",
                    rest_text(rest),
                    after.session.label(),
                    after.site_name,
                    day_text(after.date),
                ),
            ));
        }
    }
    if person.is_gp()
        && let Some(there) = elsewhere.get(&date)
    {
        let per_session = person.rules.appointments();
        let mut sessions: Vec<Session> = held.iter().map(|a| a.session).collect();
        sessions.sort();
        sessions.dedup();
        let here_contacts: u32 = sessions.iter().map(|s| s.contacts(per_session)).sum();
        let there_contacts: u32 = there.iter().map(|b| b.session.contacts(per_session)).sum();
        let total = here_contacts + there_contacts;
        if here_contacts <= MAX_CONTACTS_PER_DAY && total > MAX_CONTACTS_PER_DAY {
            let mut sites: Vec<&str> = there.iter().map(|b| b.site_name.as_str()).collect();
            sites.dedup();
            problems.push(at_elsewhere(
                person,
                "contacts",
                date,
                format!(
                    "{name}: {total} planned contacts on {day}, {here_contacts} at {here} and {there_contacts} at {} (another published rota), over the safe limit of {MAX_CONTACTS_PER_DAY}",
                    sites.join(" and ")
                ),
            ));
        }
    }
}

/// Runs of days worked here or elsewhere: one over the limit that takes in a day worked
/// only elsewhere (a run here alone is `days_in_a_row` in `check_person`).
fn runs_with_elsewhere(
    person: &PersonInput,
    here_days: &[NaiveDate],
    elsewhere: &BTreeMap<NaiveDate, Vec<&BookedElsewhere>>,
    problems: &mut Vec<RotaProblem>,
) {
    let name = &person.name;
    let worked: BTreeSet<NaiveDate> = here_days
        .iter()
        .copied()
        .chain(elsewhere.keys().copied())
        .collect();
    let mut run: Vec<NaiveDate> = Vec::new();
    let report = |run: &[NaiveDate], problems: &mut Vec<RotaProblem>| {
        let away: Vec<NaiveDate> = run
            .iter()
            .copied()
            .filter(|d| !here_days.contains(d))
            .collect();
        let Some(last_here) = run.iter().rev().find(|d| here_days.contains(d)) else {
            return;
        };
        if run.len() as u32 <= MAX_DAYS_IN_A_ROW || away.is_empty() {
            return;
        }
        let mut sites: Vec<&str> = away
            .iter()
            .flat_map(|d| elsewhere[d].iter().map(|b| b.site_name.as_str()))
            .collect();
        sites.sort();
        sites.dedup();
        problems.push(at_elsewhere(
            person,
            "days_in_a_row",
            *last_here,
            format!(
                "{name} works {} days in a row from {} to {}, counting {} {} at {} in another published rota; at most {MAX_DAYS_IN_A_ROW}",
                run.len(),
                day_text(run[0]),
                day_text(run[run.len() - 1]),
                away.len(),
                if away.len() == 1 { "day" } else { "days" },
                sites.join(" and ")
            ),
        ));
    };
    for d in worked {
        if run.last().and_then(|l| l.succ_opt()) != Some(d) {
            report(&run, problems);
            run.clear();
        }
        run.push(d);
    }
    report(&run, problems);
}
