//! Reviewing a rota as a manager does: the cover of every site, day and session (needed,
//! booked, gap), the gaps below the minimum before those below the ideal, and for each gap
//! "who could cover this": the people free then, allowed there and kept within their
//! contract and safe working — judged by `check`'s own rules, so nobody a hard rule bars is
//! ever offered, and booking someone offered is an ordinary edit (`Rota::edit_rota_day`)
//! that the same rules accept.
use super::check::{EMPLOYMENT, day_text};
use super::plan::{Assignment, PersonInput, RotaInput, contract_halves, is_open};
use super::{RotaDetail, RotaProblem, check, detail_with_input};
use crate::access::{Actor, Permission};
use crate::error::{AppError, AppResult};
use chrono::{Datelike, NaiveDate};
use domain::role::Role;
use domain::rota::{CoverNeed, DayPattern, Session};
use domain::words;
use domain::{FieldError, FieldErrors};
use std::collections::{BTreeMap, BTreeSet};

/// How a requirement's cover stands on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverLevel {
    /// Fewer people than the minimum: unsafe, fixed first.
    BelowMinimum,
    /// The minimum is met, the ideal is not.
    BelowIdeal,
    /// The ideal (or at least the minimum, with no higher ideal) is met.
    Met,
}

impl CoverLevel {
    pub fn label(self) -> &'static str {
        match self {
            CoverLevel::BelowMinimum => "Below minimum",
            CoverLevel::BelowIdeal => "Below ideal",
            CoverLevel::Met => "Covered",
        }
    }
}

/// One cover requirement on one date: whom it counts, how many it needs, how many are
/// booked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CoverLine {
    pub site_id: String,
    pub site_name: String,
    pub date: NaiveDate,
    pub session: Session,
    pub need: CoverNeed,
    pub minimum: u32,
    pub ideal: u32,
    pub booked: u32,
}

impl CoverLine {
    pub fn level(&self) -> CoverLevel {
        if self.booked < self.minimum {
            CoverLevel::BelowMinimum
        } else if self.booked < self.ideal {
            CoverLevel::BelowIdeal
        } else {
            CoverLevel::Met
        }
    }

    /// The people missing to reach the level's mark: the minimum when below it, else the
    /// ideal; 0 when covered.
    pub fn short(&self) -> u32 {
        match self.level() {
            CoverLevel::BelowMinimum => self.minimum - self.booked,
            CoverLevel::BelowIdeal => self.ideal - self.booked,
            CoverLevel::Met => 0,
        }
    }

    /// "Tuesday 5 January 2027 AM at Riverside Surgery".
    pub fn place(&self) -> String {
        format!(
            "{} {} at {}",
            day_text(self.date),
            self.session.label(),
            self.site_name
        )
    }

    /// The gap in words, or `None` when the session is covered.
    pub fn message(&self) -> Option<String> {
        let what = self.need.label();
        let booked = self.booked;
        match self.level() {
            CoverLevel::BelowMinimum => Some(format!(
                "{}: {} short of the minimum of {} ({what}: {booked} booked)",
                self.place(),
                words::people(self.short()),
                self.minimum
            )),
            CoverLevel::BelowIdeal => Some(format!(
                "{}: {} below the ideal of {} ({what}: {booked} booked)",
                self.place(),
                words::people(self.short()),
                self.ideal
            )),
            CoverLevel::Met => None,
        }
    }

    /// The problem `check` reports for a gap: `cover` below the minimum, `cover_ideal`
    /// below the ideal.
    pub fn problem(&self) -> Option<RotaProblem> {
        let rule = match self.level() {
            CoverLevel::BelowMinimum => "cover",
            CoverLevel::BelowIdeal => "cover_ideal",
            CoverLevel::Met => return None,
        };
        Some(RotaProblem {
            hard: false,
            rule,
            message: self.message()?,
            staff_ids: Vec::new(),
            date: Some(self.date),
            session: Some(self.session),
            site_id: Some(self.site_id.clone()),
        })
    }
}

/// Every cover requirement on every date of the period when its session is open at its
/// site, with the people booked who count towards it; by date, session, then site as the
/// input lists them.
pub fn cover_lines(input: &RotaInput, assignments: &[Assignment]) -> Vec<CoverLine> {
    let people: BTreeMap<&str, &PersonInput> =
        input.people.iter().map(|p| (p.id.as_str(), p)).collect();
    let mut booked: BTreeMap<(&str, NaiveDate, Session), Vec<&PersonInput>> = BTreeMap::new();
    for a in assignments {
        if let Some(p) = people.get(a.staff_id.as_str()) {
            booked
                .entry((a.site_id.as_str(), a.date, a.session))
                .or_default()
                .push(p);
        }
    }
    let mut lines = Vec::new();
    for date in input.period.days() {
        for req in input.cover.iter().filter(|c| c.weekday == date.weekday()) {
            let Some(site) = input.sites.iter().find(|s| s.id == req.site_id) else {
                continue;
            };
            let open = DayPattern::ALL
                .into_iter()
                .any(|p| p.sessions().contains(&req.session) && is_open(site, p, date));
            if !open {
                continue;
            }
            let count = booked
                .get(&(req.site_id.as_str(), date, req.session))
                .map_or(0, |who| {
                    who.iter()
                        .filter(|p| req.need.counts(p.role, &p.skills))
                        .count() as u32
                });
            lines.push(CoverLine {
                site_id: req.site_id.clone(),
                site_name: site.name.clone(),
                date,
                session: req.session,
                need: req.need.clone(),
                minimum: req.minimum,
                ideal: req.ideal,
                booked: count,
            });
        }
    }
    lines.sort_by_key(|l| (l.date, l.session));
    lines
}

/// The gaps: lines below the minimum first, then those below the ideal, each by date and
/// session.
pub fn gaps(lines: &[CoverLine]) -> Vec<&CoverLine> {
    let mut gaps: Vec<&CoverLine> = lines
        .iter()
        .filter(|l| l.level() != CoverLevel::Met)
        .collect();
    gaps.sort_by_key(|l| (l.level(), l.date, l.session));
    gaps
}

/// How many sessions are below the minimum and below the ideal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct GapCounts {
    pub below_minimum: u32,
    pub below_ideal: u32,
}

pub fn gap_counts(lines: &[CoverLine]) -> GapCounts {
    let mut counts = GapCounts::default();
    for l in lines {
        match l.level() {
            CoverLevel::BelowMinimum => counts.below_minimum += 1,
            CoverLevel::BelowIdeal => counts.below_ideal += 1,
            CoverLevel::Met => {}
        }
    }
    counts
}

/// Half sessions booked for a person within the period (as `check` counts a contract).
fn booked_halves(input: &RotaInput, assignments: &[Assignment], staff_id: &str) -> u32 {
    let mut sessions: BTreeSet<(NaiveDate, Session)> = BTreeSet::new();
    for a in assignments {
        if a.staff_id == staff_id
            && input.period.from <= a.date
            && a.date <= input.period.last_day()
        {
            sessions.insert((a.date, a.session));
        }
    }
    sessions.iter().map(|(_, s)| s.contract_halves()).sum()
}

/// The hard problems an edit of `staff_id`'s `date` brings: those after it that were not
/// there before, and any session outside the person's employment on that day (never
/// booked, even by an override). A contract problem of the person edited is not counted
/// when the edit brings their booked sessions closer to the contract (a person short of
/// their contract given one more session is still short, but less so).
pub fn new_hard_problems(
    input: &RotaInput,
    before: (&[Assignment], &[RotaProblem]),
    after: (&[Assignment], &[RotaProblem]),
    staff_id: &str,
    date: NaiveDate,
) -> Vec<RotaProblem> {
    let closer_to_contract = || {
        let Some(person) = input.people.iter().find(|p| p.id == staff_id) else {
            return false;
        };
        let target = contract_halves(person, &input.period);
        let was = booked_halves(input, before.0, staff_id).abs_diff(target);
        let is = booked_halves(input, after.0, staff_id).abs_diff(target);
        is < was
    };
    let own_contract = |p: &RotaProblem| p.rule == "contract" && p.staff_ids == [staff_id];
    let had_contract_problem = before.1.iter().any(own_contract);
    after
        .1
        .iter()
        .filter(|p| p.hard)
        .filter(|p| {
            let outside_employment = p.rule == EMPLOYMENT
                && p.date == Some(date)
                && p.staff_ids.iter().any(|s| s == staff_id);
            // New since the edit, unless it is the person's own contract moving closer.
            let known = before.1.contains(p)
                || (own_contract(p) && had_contract_problem && closer_to_contract());
            outside_employment || !known
        })
        .cloned()
        .collect()
}

/// Someone who could cover a gap, and how.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Offer {
    pub staff_id: String,
    pub name: String,
    pub role: Role,
    /// What they work that day now at the gap's site, if anything.
    pub now: Option<DayPattern>,
    /// The day they would work: their day with the gap's session added.
    pub pattern: DayPattern,
    /// Half sessions booked over the period now, and what their contract asks for.
    pub booked_halves: u32,
    pub contract_halves: u32,
    /// Preferences the booking would go against (leave asked for, a session asked off).
    pub notes: Vec<String>,
}

/// Someone who counts towards the gap but may not be booked into it, and why (the rule it
/// would break, in `check`'s words).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Barred {
    pub staff_id: String,
    pub name: String,
    pub reason: String,
}

/// The answer to "who could cover this".
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoverChoice {
    /// People who may be booked: free, allowed there, within contract and safe working.
    /// Those going against no preference first, then the most sessions short of their
    /// contract.
    pub offers: Vec<Offer>,
    /// People who count towards the gap, work at the site and are not offered.
    pub barred: Vec<Barred>,
    /// People who count towards the gap but do not work at its site.
    pub elsewhere: u32,
}

/// The input cut down to what judges one person's edit: that person and the people booked
/// at `site_id` on `date` (for its rooms), with no cover (a gap is not a hard rule).
fn narrowed<'a>(
    input: &RotaInput,
    assignments: &'a [Assignment],
    person: &PersonInput,
    site_id: &str,
    date: NaiveDate,
) -> (RotaInput, Vec<&'a Assignment>) {
    let there: BTreeSet<&str> = assignments
        .iter()
        .filter(|a| a.site_id == site_id && a.date == date)
        .map(|a| a.staff_id.as_str())
        .collect();
    let kept: Vec<&Assignment> = assignments
        .iter()
        .filter(|a| {
            a.staff_id == person.id
                || (a.site_id == site_id && a.date == date && there.contains(a.staff_id.as_str()))
        })
        .collect();
    let small = RotaInput {
        period: input.period,
        sites: input.sites.clone(),
        rooms: input.rooms.clone(),
        people: input
            .people
            .iter()
            .filter(|p| p.id == person.id || there.contains(p.id.as_str()))
            .cloned()
            .collect(),
        cover: Vec::new(),
        locked: Vec::new(),
        current: Vec::new(),
    };
    (small, kept)
}

/// Who could cover `session` on `date` at `site_id`, counting towards `need` (everyone when
/// `None`). Each person who counts is tried with their day and the session added (the
/// smallest day pattern holding both) and offered only when `check` finds no hard problem
/// the booking brings (`new_hard_problems`): not on leave or outside their employment, at
/// one of their sites, open then, within their contract, rest, days in a row, contacts and
/// limits, and not working that session elsewhere.
pub fn who_could_cover(
    input: &RotaInput,
    assignments: &[Assignment],
    site_id: &str,
    date: NaiveDate,
    session: Session,
    need: Option<&CoverNeed>,
) -> CoverChoice {
    let mut choice = CoverChoice {
        offers: Vec::new(),
        barred: Vec::new(),
        elsewhere: 0,
    };
    for person in &input.people {
        if need.is_some_and(|n| !n.counts(person.role, &person.skills)) {
            continue;
        }
        if !person.site_ids.iter().any(|s| s == site_id) {
            choice.elsewhere += 1;
            continue;
        }
        let held: Vec<&Assignment> = assignments
            .iter()
            .filter(|a| a.staff_id == person.id && a.date == date)
            .collect();
        let bar = |reason: String| Barred {
            staff_id: person.id.clone(),
            name: person.name.clone(),
            reason,
        };
        if let Some(a) = held.iter().find(|a| a.session == session) {
            if a.site_id != site_id {
                let there = input
                    .sites
                    .iter()
                    .find(|s| s.id == a.site_id)
                    .map_or(a.site_id.as_str(), |s| s.name.as_str());
                choice.barred.push(bar(format!(
                    "{} already works this session at {there}",
                    person.name
                )));
            }
            continue;
        }
        if let Some(a) = held.iter().find(|a| a.site_id != site_id) {
            let there = input
                .sites
                .iter()
                .find(|s| s.id == a.site_id)
                .map_or(a.site_id.as_str(), |s| s.name.as_str());
            choice.barred.push(bar(format!(
                "{} works at {there} that day, and a day is worked at one site",
                person.name
            )));
            continue;
        }
        match offer_for(input, assignments, person, &held, site_id, date, session) {
            Ok(offer) => choice.offers.push(offer),
            Err(first_refusal) => choice.barred.push(bar(first_refusal.unwrap_or_else(|| {
                format!(
                    "{} cannot work {} on {}",
                    person.name,
                    session.label(),
                    day_text(date)
                )
            }))),
        }
    }
    choice.offers.sort_by(|a, b| {
        let slack = |o: &Offer| o.contract_halves.saturating_sub(o.booked_halves);
        (a.notes.is_empty(), slack(a))
            .cmp(&(b.notes.is_empty(), slack(b)))
            .reverse()
            .then_with(|| a.name.cmp(&b.name))
    });
    choice.barred.sort_by(|a, b| a.name.cmp(&b.name));
    choice
}

/// The smallest day pattern with `session` at the site that brings the person no new hard
/// problem, as an offer; else the first refusal met (none when no pattern was tried).
fn offer_for(
    input: &RotaInput,
    assignments: &[Assignment],
    person: &PersonInput,
    held: &[&Assignment],
    site_id: &str,
    date: NaiveDate,
    session: Session,
) -> Result<Offer, Option<String>> {
    let mut wanted: Vec<Session> = held.iter().map(|a| a.session).collect();
    wanted.push(session);
    let mut patterns: Vec<DayPattern> = DayPattern::ALL
        .into_iter()
        .filter(|p| wanted.iter().all(|s| p.sessions().contains(s)))
        .collect();
    patterns.sort_by_key(|p| p.sessions().len());
    let (small, kept) = narrowed(input, assignments, person, site_id, date);
    let before: Vec<Assignment> = kept.iter().map(|a| (*a).clone()).collect();
    let problems_before = check(&small, &before);
    let mut first_refusal = None;
    for pattern in patterns {
        let mut after: Vec<Assignment> = before
            .iter()
            .filter(|a| !(a.staff_id == person.id && a.date == date))
            .cloned()
            .collect();
        after.extend(pattern.sessions().iter().map(|&s| {
            let room_id = held
                .iter()
                .find(|a| a.session == s)
                .and_then(|a| a.room_id.clone());
            Assignment {
                staff_id: person.id.clone(),
                date,
                session: s,
                site_id: site_id.to_string(),
                room_id,
            }
        }));
        let problems_after = check(&small, &after);
        let brought = new_hard_problems(
            &small,
            (&before, &problems_before),
            (&after, &problems_after),
            &person.id,
            date,
        );
        if let Some(first) = brought.first() {
            first_refusal.get_or_insert_with(|| first.message.clone());
            continue;
        }
        let notes = problems_after
            .iter()
            .filter(|p| {
                !p.hard
                    && matches!(p.rule, "leave_requested" | "session_request")
                    && p.staff_ids.contains(&person.id)
                    && !problems_before.contains(p)
            })
            .map(|p| p.message.clone())
            .collect();
        return Ok(Offer {
            staff_id: person.id.clone(),
            name: person.name.clone(),
            role: person.role,
            now: DayPattern::of(&held.iter().map(|a| a.session).collect::<Vec<_>>()),
            pattern,
            booked_halves: booked_halves(input, assignments, &person.id),
            contract_halves: contract_halves(person, &input.period),
            notes,
        });
    }
    Err(first_refusal)
}

/// A rota with its cover, for the review page.
pub struct RotaReview {
    pub detail: RotaDetail,
    /// Every requirement on every open date (empty until the rota is solved).
    pub lines: Vec<CoverLine>,
}

/// One gap chosen on the review page, with who could cover it.
pub struct GapChoice {
    pub detail: RotaDetail,
    pub line: CoverLine,
    pub choice: CoverChoice,
}

impl super::Rota<'_> {
    /// Checks the actor manages the rota (404 when not), before a form about it is read.
    pub async fn may_change_rota(&self, actor: &Actor, id: &str) -> AppResult<()> {
        self.authorize_rota(actor, id, Permission::Manage).await
    }

    /// The rota as the actor may read it (`rota_to_read`) with its cover by site, day and
    /// session; a practice manager reading a PCN rota sees their practice's sites only.
    pub async fn rota_review(&self, actor: &Actor, id: &str) -> AppResult<RotaReview> {
        let mut conn = self.store().conn().await?;
        let (row, reach) = self.rota_reach(&mut conn, actor, id).await?;
        let solved = matches!(row.status.as_str(), "done" | "cancelled");
        let (detail, input) = detail_with_input(&mut conn, row).await?;
        let mut lines = if solved {
            cover_lines(&input, &detail.assignments)
        } else {
            Vec::new()
        };
        let detail = match reach {
            super::visible::RotaReach::Manage => detail,
            super::visible::RotaReach::Practice(ods) => {
                let own: BTreeSet<&str> = input
                    .sites
                    .iter()
                    .filter(|s| s.practice_ods == ods)
                    .map(|s| s.id.as_str())
                    .collect();
                lines.retain(|l| own.contains(l.site_id.as_str()));
                super::visible::narrow_to_practice(detail, &ods)
            }
        };
        Ok(RotaReview { detail, lines })
    }

    /// Who could cover one session of a solved rota, for its managers: `site` (an id),
    /// `date` (`YYYY-MM-DD`), `session` (`am`, `pm`…) and `need` (`group:gp`…, the
    /// requirement's code). Refused (422, naming the session) for one the rota asks no cover of.
    pub async fn rota_cover_choice(
        &self,
        actor: &Actor,
        id: &str,
        site: &str,
        date: &str,
        session: &str,
        need: &str,
    ) -> AppResult<GapChoice> {
        let mut conn = self.store().conn().await?;
        let row = self
            .rota_row(&mut conn, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "done" | "cancelled") {
            return Err(AppError::Conflict(
                "The rota is still being solved: wait for it to end".into(),
            ));
        }
        let (detail, input) = detail_with_input(&mut conn, row).await?;
        let date = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok();
        let session = Session::parse(session).ok();
        let need = CoverNeed::parse(need).ok();
        let line = cover_lines(&input, &detail.assignments)
            .into_iter()
            .find(|l| {
                l.site_id == site
                    && Some(l.date) == date
                    && Some(l.session) == session
                    && Some(&l.need) == need.as_ref()
            })
            .ok_or_else(|| {
                AppError::from(FieldErrors::from(FieldError::new(
                    "session",
                    "Choose a session of this rota that asks for cover: the site, date, session and need given match none",
                )))
            })?;
        let choice = who_could_cover(
            &input,
            &detail.assignments,
            &line.site_id,
            line.date,
            line.session,
            Some(&line.need),
        );
        Ok(GapChoice {
            detail,
            line,
            choice,
        })
    }
}

#[cfg(test)]
#[path = "cover_tests.rs"]
mod tests;
