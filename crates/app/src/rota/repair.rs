//! Repairing a published rota a change broke: a re-solve in which every person-day is
//! locked except those the broken rules must change — the days of the problems (a person's
//! sessions in their leave, after they left, at a closed room or site, and the sessions
//! short of their minimum cover on those days) — and in which every freed day is asked to
//! stay as it was (a keep wish, priced under the minimum cover and over every preference),
//! so the repair moves as few sessions as it can. The proposal is kept with the rota's
//! version it was made from and shown as the days it changes; publishing it is refused
//! once the rota has moved on.
use super::check::{RotaProblem, check};
use super::plan::{self, Assignment, RotaInput};
use super::stale::{self, breaks_rota, parse_keys, rota_state, still_true};
use super::{PublishOutcome, stale_rota, to_row};
use crate::access::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::notifications::{Kind, Notice};
use crate::{Change, commit_with_audit, json};
use chrono::NaiveDate;
use domain::rota::DayPattern;
use rota::model::Request;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// The price of changing one freed person-day from what it holds: over every preference
/// (requested leave, fair shares, the ideal cover) so none of them moves a session, under
/// the minimum cover so a gap below it is filled.
pub const WEIGHT_KEEP: u32 = 60;

/// How long the repair's search may run on the server.
pub const REPAIR_SECONDS: u64 = 3;

/// The person-days a repair may change: every person's on a day with a problem (the
/// sessions that must move, and whoever may fill the gaps they leave), and a person's whole
/// period for a problem of theirs on no one day (a contract).
pub fn cells_to_free(input: &RotaInput, problems: &[RotaProblem]) -> BTreeSet<(String, NaiveDate)> {
    let mut free = BTreeSet::new();
    for p in problems {
        match p.date {
            Some(date) => {
                for person in &input.people {
                    free.insert((person.id.clone(), date));
                }
            }
            None => {
                for id in &p.staff_ids {
                    for date in input.period.days() {
                        free.insert((id.clone(), date));
                    }
                }
            }
        }
    }
    free
}

/// The rota repaired: `current` with only the freed person-days (`cells_to_free` of
/// `problems`) solved again, and rooms kept wherever a session stays. Pure; `options`
/// bounds the search (a step limit makes it repeat exactly).
pub fn repair_assignments(
    input: &RotaInput,
    current: &[Assignment],
    problems: &[RotaProblem],
    options: &rota::Options,
) -> Vec<Assignment> {
    let free = cells_to_free(input, problems);
    let mut input = input.clone();
    input.current = current.to_vec();
    input.locked = input
        .people
        .iter()
        .flat_map(|p| input.period.days().map(move |d| (p.id.clone(), d)))
        .filter(|cell| !free.contains(cell))
        .collect();
    let mut model = plan::build(&input);
    let roster = model.encode(&input, current);
    let shifts = model.problem.shifts.len();
    for (e, person) in input.people.iter().enumerate() {
        for (d, date) in model.dates.iter().enumerate() {
            if !free.contains(&(person.id.clone(), *date)) {
                continue;
            }
            match roster.get(e, d) {
                Some(shift) => model.problem.on_requests.push(Request {
                    staff: e,
                    day: d,
                    shift,
                    weight: WEIGHT_KEEP,
                }),
                None => {
                    for shift in 0..shifts {
                        model.problem.off_requests.push(Request {
                            staff: e,
                            day: d,
                            shift,
                            weight: WEIGHT_KEEP,
                        });
                    }
                }
            }
        }
    }
    let outcome = rota::solve(&model.problem, options, &|_| {});
    let mut out = model.decode(&input, &outcome.roster);
    // A session that stays keeps its room; the others are given rooms around them.
    type Slot<'a> = (&'a str, NaiveDate, domain::rota::Session, &'a str);
    let rooms: BTreeMap<Slot, &Option<String>> = current
        .iter()
        .map(|a| {
            let slot: Slot = (&a.staff_id, a.date, a.session, &a.site_id);
            (slot, &a.room_id)
        })
        .collect();
    for a in &mut out {
        a.room_id = rooms
            .get(&(a.staff_id.as_str(), a.date, a.session, a.site_id.as_str()))
            .and_then(|r| (*r).clone());
    }
    plan::assign_rooms(&input, &mut out);
    out.sort();
    out
}

/// An assignment as a kept repair stores it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    staff_id: String,
    date: NaiveDate,
    session: String,
    site_id: String,
    room_id: Option<String>,
}

fn store_repair(list: &[Assignment]) -> String {
    let stored: Vec<Stored> = list
        .iter()
        .map(|a| Stored {
            staff_id: a.staff_id.clone(),
            date: a.date,
            session: a.session.code().to_string(),
            site_id: a.site_id.clone(),
            room_id: a.room_id.clone(),
        })
        .collect();
    serde_json::to_string(&stored).unwrap_or_default()
}

fn read_repair(json: &str) -> AppResult<Vec<Assignment>> {
    let corrupt = || AppError::Internal("a stored repair is not valid".into());
    let stored: Vec<Stored> = serde_json::from_str(json).map_err(|_| corrupt())?;
    stored
        .into_iter()
        .map(|s| {
            Ok(Assignment {
                session: domain::rota::Session::parse(&s.session).map_err(|_| corrupt())?,
                staff_id: s.staff_id,
                date: s.date,
                site_id: s.site_id,
                room_id: s.room_id,
            })
        })
        .collect()
}

/// One person's day a repair changes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DayChange {
    pub staff_id: String,
    pub name: String,
    pub date: NaiveDate,
    /// "AM + PM at Riverside Surgery", or "Off".
    pub before: String,
    pub after: String,
}

/// The days `after` changes from `before`, by date then name.
pub fn day_changes(
    input: &RotaInput,
    before: &[Assignment],
    after: &[Assignment],
) -> Vec<DayChange> {
    type Days<'a> = BTreeMap<(&'a str, NaiveDate), Vec<&'a Assignment>>;
    fn by_day(list: &[Assignment]) -> Days<'_> {
        let mut days: Days = BTreeMap::new();
        for a in list {
            days.entry((a.staff_id.as_str(), a.date))
                .or_default()
                .push(a);
        }
        days
    }
    let (old, new) = (by_day(before), by_day(after));
    let text = |held: Option<&Vec<&Assignment>>| match held {
        None => "Off".to_string(),
        Some(held) => {
            let mut sessions: Vec<_> = held.iter().map(|a| a.session).collect();
            sessions.sort();
            let what = DayPattern::of(&sessions).map_or_else(
                || {
                    sessions
                        .iter()
                        .map(|s| s.label())
                        .collect::<Vec<_>>()
                        .join(" + ")
                },
                |p| p.label().to_string(),
            );
            let site = input
                .sites
                .iter()
                .find(|s| s.id == held[0].site_id)
                .map_or(held[0].site_id.as_str(), |s| s.name.as_str());
            format!("{what} at {site}")
        }
    };
    let keys: BTreeSet<(&str, NaiveDate)> = old.keys().chain(new.keys()).copied().collect();
    let mut out: Vec<DayChange> = keys
        .into_iter()
        .filter_map(|key| {
            let (b, a) = (text(old.get(&key)), text(new.get(&key)));
            let same_sessions = |x: Option<&Vec<&Assignment>>, y: Option<&Vec<&Assignment>>| {
                let strip = |v: Option<&Vec<&Assignment>>| {
                    let mut v: Vec<_> = v
                        .map(|v| v.iter().map(|a| (a.session, a.site_id.clone())).collect())
                        .unwrap_or_default();
                    v.sort();
                    v
                };
                strip(x) == strip(y)
            };
            if same_sessions(old.get(&key), new.get(&key)) {
                return None;
            }
            Some(DayChange {
                staff_id: key.0.to_string(),
                name: input
                    .people
                    .iter()
                    .find(|p| p.id == key.0)
                    .map_or_else(|| key.0.to_string(), |p| p.name.clone()),
                date: key.1,
                before: b,
                after: a,
            })
        })
        .collect();
    out.sort_by(|x, y| (x.date, &x.name).cmp(&(y.date, &y.name)));
    out
}

/// What a repaired rota still breaks that is the repair's to answer for: every hard rule,
/// and each session below its minimum that the published rota had not left short.
pub fn problems_left(
    input: &RotaInput,
    current: &[Assignment],
    repaired: &[Assignment],
) -> Vec<RotaProblem> {
    let before: BTreeSet<stale::ProblemKey> = check(input, current)
        .iter()
        .filter(|p| p.rule == "cover")
        .map(stale::ProblemKey::of)
        .collect();
    check(input, repaired)
        .into_iter()
        .filter(|p| p.hard || (breaks_rota(p) && !before.contains(&stale::ProblemKey::of(p))))
        .collect()
}

/// A repair proposed for a marked rota, not yet published.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RepairProposal {
    pub rota_id: String,
    /// The rota's version it was made from: publishing it needs the rota still there.
    pub version: i64,
    pub changes: Vec<DayChange>,
    /// Hard rules and minimum cover the repaired rota still breaks.
    pub problems_left: Vec<RotaProblem>,
}

impl super::Rota<'_> {
    /// Proposes a repair of a marked published rota (`repair_assignments` of the problems
    /// changes brought and that are still true) and keeps it to be published; nothing of
    /// the rota changes yet.
    pub async fn propose_repair(&self, actor: &Actor, id: &str) -> AppResult<RepairProposal> {
        self.authorize_rota(actor, id, Permission::Manage).await?;
        let mut conn = self.store().conn().await?;
        let row = self
            .rota_row(&mut conn, actor, id, Permission::Manage)
            .await?;
        let Some(mark) = store::rota::stale::get(&mut conn, id).await? else {
            return Err(AppError::Conflict(
                "Nothing has changed this rota since it was published: there is nothing to repair"
                    .into(),
            ));
        };
        let (input, current, problems) = rota_state(&mut conn, &row).await?;
        let must = still_true(&parse_keys(&mark.problems), &problems);
        let repaired = {
            let (input, current, must) = (input.clone(), current.clone(), must.clone());
            tokio::task::spawn_blocking(move || {
                let options = rota::Options {
                    seed: 1,
                    time_limit: Some(Duration::from_secs(REPAIR_SECONDS)),
                    step_limit: Some(2_000_000),
                    threads: 1,
                    balanced_cross_swaps: true,
                    repair_rows: true,
                    ..rota::Options::default()
                };
                repair_assignments(&input, &current, &must, &options)
            })
            .await
            .map_err(|e| AppError::Internal(format!("the repair stopped: {e}")))?
        };
        drop(conn);
        let proposal = RepairProposal {
            rota_id: id.to_string(),
            version: row.version,
            changes: day_changes(&input, &current, &repaired),
            problems_left: problems_left(&input, &current, &repaired),
        };
        let mut tx = self.store().begin().await?;
        let now = self.now();
        let kept = store::rota::stale::set_repair(
            &mut tx,
            id,
            &store_repair(&repaired),
            row.version,
            &now,
        )
        .await?;
        if !kept {
            return Err(stale_rota());
        }
        let change = Change {
            action: "repair_proposed",
            entity: "rota",
            entity_id: id,
            tenant: &row.scope_code,
            before: None,
            after: json(&serde_json::json!({
                "version": row.version, "days_changed": proposal.changes.len(),
                "problems_left": proposal.problems_left.len(),
            })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(proposal)
    }

    /// The repair last proposed for a rota, while the rota is still as it was then.
    pub async fn repair_proposal(
        &self,
        actor: &Actor,
        id: &str,
    ) -> AppResult<Option<RepairProposal>> {
        let mut conn = self.store().conn().await?;
        let row = self
            .rota_row(&mut conn, actor, id, Permission::Manage)
            .await?;
        let Some(mark) = store::rota::stale::get(&mut conn, id).await? else {
            return Ok(None);
        };
        let (Some(repair), Some(version)) = (mark.repair, mark.repair_version) else {
            return Ok(None);
        };
        if version != row.version {
            return Ok(None);
        }
        let repaired = read_repair(&repair)?;
        let (input, current, _) = rota_state(&mut conn, &row).await?;
        Ok(Some(RepairProposal {
            rota_id: id.to_string(),
            version,
            changes: day_changes(&input, &current, &repaired),
            problems_left: problems_left(&input, &current, &repaired),
        }))
    }

    /// Publishes the proposed repair: the rota's assignments become the repair's, its mark
    /// goes, and each person whose days it changed is told. Refused when the rota changed
    /// since the repair was made (`version`), and, without a word written, while the
    /// repaired rota still breaks a hard rule.
    pub async fn publish_repair(
        &self,
        actor: &Actor,
        id: &str,
        version: i64,
    ) -> AppResult<PublishOutcome> {
        self.authorize_rota(actor, id, Permission::Manage).await?;
        let mut tx = self.store().begin().await?;
        let current_version = store::rota::bump_version(&mut tx, id, version).await?;
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !current_version {
            return Err(stale_rota());
        }
        let mark = store::rota::stale::get(&mut tx, id).await?;
        let Some((Some(repair), Some(made_from))) = mark.map(|m| (m.repair, m.repair_version))
        else {
            return Err(AppError::Conflict(
                "There is no repair to publish: ask for a repair first".into(),
            ));
        };
        if made_from != version {
            return Err(stale_rota());
        }
        let repaired = read_repair(&repair)?;
        let (input, before, _) = rota_state(&mut tx, &row).await?;
        let problems = check(&input, &repaired);
        let hard_problems: Vec<RotaProblem> = problems.iter().filter(|p| p.hard).cloned().collect();
        if !hard_problems.is_empty() {
            return Ok(PublishOutcome {
                published: false,
                hard_problems,
            });
        }
        let changes = day_changes(&input, &before, &repaired);
        let rows: Vec<_> = repaired.iter().map(to_row).collect();
        store::rota::replace_assignments(&mut tx, id, &rows).await?;
        let (_, soft) = super::optimiser_score(&input, &repaired);
        store::rota::set_scores(
            &mut tx,
            id,
            0,
            soft as i64,
            &serde_json::to_string(&problems).unwrap_or_default(),
        )
        .await?;
        let now = self.now();
        store::rota::publish(&mut tx, id, &actor.user_id, &now).await?;
        store::rota::stale::clear(&mut tx, id).await?;
        let mut told: BTreeMap<&str, Vec<NaiveDate>> = BTreeMap::new();
        for c in &changes {
            told.entry(c.staff_id.as_str()).or_default().push(c.date);
        }
        for (staff_id, days) in told {
            let list: Vec<String> = days.iter().map(|d| crate::long_date(*d)).collect();
            let notice = Notice::new(
                Kind::Rota,
                format!(
                    "Your sessions in the published rota were changed by {} on {}.",
                    actor.name,
                    list.join(", ")
                ),
                "/me/rota",
            );
            self.notifications()
                .notify_staff(&mut tx, staff_id, &notice)
                .await?;
        }
        let change = Change {
            action: "repaired",
            entity: "rota",
            entity_id: id,
            tenant: &row.scope_code,
            before: None,
            after: json(&serde_json::json!({
                "published": true,
                "days_changed": changes.iter().map(|c| serde_json::json!({
                    "staff_id": c.staff_id, "date": c.date, "before": c.before, "after": c.after,
                })).collect::<Vec<_>>(),
            })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(PublishOutcome {
            published: true,
            hard_problems: Vec::new(),
        })
    }
}

#[cfg(test)]
#[path = "repair_tests.rs"]
mod tests;
