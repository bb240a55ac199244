//! A published rota stays true: a change that breaks a published rota (leave approved, a
//! starter, a leaver's end date, a contract, a room or site closed) is checked against it
//! before it is saved. The change's use case opens a `Watch` on the published rotas it may
//! touch, makes its write, and asks the watch what the write broke: while nobody has
//! confirmed, the use case returns the breaks in words and its transaction is dropped
//! (nothing is saved); once confirmed, the rotas are marked (`store::rota::stale`) and their
//! managers told, in the change's transaction. The mark keeps the problems as keys without
//! names, and each view matches them against the rota's live check, so a mark says only
//! what is still wrong. `repair` proposes the smallest re-solve that puts it right.
use super::check::{RotaProblem, check};
use super::plan::{Assignment, RotaInput};
use super::{RotaScope, from_row, load_input, locked_days, period_of};
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::notifications::{Kind, Notice};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use store::rota::RotaRow;

/// A problem without its words: what the mark keeps (no names).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct ProblemKey {
    pub rule: String,
    pub staff_ids: Vec<String>,
    pub date: Option<NaiveDate>,
    pub session: Option<String>,
    pub site_id: Option<String>,
}

impl ProblemKey {
    pub fn of(p: &RotaProblem) -> ProblemKey {
        ProblemKey {
            rule: p.rule.to_string(),
            staff_ids: p.staff_ids.clone(),
            date: p.date,
            session: p.session.map(|s| s.code().to_string()),
            site_id: p.site_id.clone(),
        }
    }
}

/// Whether a problem makes a published rota untrue: a hard rule broken, or a session left
/// below its minimum cover.
pub fn breaks_rota(p: &RotaProblem) -> bool {
    p.hard || p.rule == "cover"
}

/// What one change does to one published rota, in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RotaBreak {
    pub rota_id: String,

    /// "the rota from 4 January to 31 January 2027".
    pub rota: String,
    /// The breaks summed up in the users' words ("Sam Patel is booked on 3 sessions in
    /// their leave", "this leaves Tuesday 5 January 2027 AM at Riverside below the minimum").
    pub lines: Vec<String>,
    /// The new problems themselves.
    pub problems: Vec<RotaProblem>,
}

/// A change that may break a published rota: done, or waiting for the user to confirm
/// (nothing saved) with what it would break.
#[derive(Debug, Clone, PartialEq)]
pub enum Checked<T> {
    Done(T),
    Confirm(Vec<RotaBreak>),
}

impl<T> Checked<T> {
    /// The result, when the change was saved.
    pub fn done(self) -> Option<T> {
        match self {
            Checked::Done(t) => Some(t),
            Checked::Confirm(_) => None,
        }
    }
}

/// The published rotas (of some practices and PCNs, not yet over) a change may touch, with
/// the problems each had before it.
pub(crate) struct Watch {
    rotas: Vec<(RotaRow, BTreeSet<ProblemKey>)>,
}

/// A rota's inputs, assignments and problems as they stand in `conn`.
pub(crate) async fn rota_state(
    conn: &mut store::Conn,
    row: &RotaRow,
) -> AppResult<(RotaInput, Vec<Assignment>, Vec<RotaProblem>)> {
    let period = period_of(row)?;
    let (mut input, _) = load_input(conn, &RotaScope::of_row(row), period).await?;
    input.locked = locked_days(conn, &row.id).await?;
    let assignments: Vec<Assignment> = store::rota::list_assignments(conn, &row.id)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<AppResult<_>>()?;
    let problems = check(&input, &assignments);
    Ok((input, assignments, problems))
}

fn keys_breaking(problems: &[RotaProblem]) -> BTreeSet<ProblemKey> {
    problems
        .iter()
        .filter(|p| breaks_rota(p))
        .map(ProblemKey::of)
        .collect()
}

impl Watch {
    /// Opens a watch on the published rotas of these practices, of their PCNs and of
    /// `pcns`, whose period has not ended by `today`. Call it in the change's transaction,
    /// before the change's write.
    pub(crate) async fn start(
        conn: &mut store::Conn,
        practices: &[String],
        pcns: &[String],
        today: NaiveDate,
    ) -> AppResult<Watch> {
        let mut pcn_codes: BTreeSet<String> = pcns.iter().cloned().collect();
        for ods in practices {
            if let Some(p) = store::organisations::get(conn, ods).await?
                && let Some(pcn) = p.pcn_code
            {
                pcn_codes.insert(pcn);
            }
        }
        let pcn_codes: Vec<String> = pcn_codes.into_iter().collect();
        let rows = store::rota::list_rotas_for_scopes(conn, practices, &pcn_codes, 200).await?;
        let mut rotas = Vec::new();
        for row in rows {
            let open = row.published_at.is_some()
                && matches!(row.status.as_str(), "done" | "cancelled")
                && row.ends_before().is_ok_and(|end| end > today);
            if open {
                let (_, _, problems) = rota_state(conn, &row).await?;
                rotas.push((row, keys_breaking(&problems)));
            }
        }
        Ok(Watch { rotas })
    }

    /// A watch on the published rotas a change to this person may touch (their practices',
    /// their PCNs', their employer's); none when `active` is false (a refusal breaks nothing).
    pub(crate) async fn of_person(
        conn: &mut store::Conn,
        person: &store::register::StaffRecord,
        active: bool,
        today: NaiveDate,
    ) -> AppResult<Watch> {
        if !active {
            return Ok(Watch { rotas: Vec::new() });
        }
        let (practices, pcns) = person_scopes(&person.draft);
        Watch::start(conn, &practices, &pcns, today).await
    }

    /// What the change (written since `start`, in the same transaction) broke, rota by rota.
    pub(crate) async fn breaks(&self, conn: &mut store::Conn) -> AppResult<Vec<RotaBreak>> {
        let mut out = Vec::new();
        for (row, before) in &self.rotas {
            let (input, assignments, problems) = rota_state(conn, row).await?;
            let new: Vec<RotaProblem> = problems
                .into_iter()
                .filter(|p| breaks_rota(p) && !before.contains(&ProblemKey::of(p)))
                .collect();
            if !new.is_empty() {
                out.push(RotaBreak {
                    rota_id: row.id.clone(),
                    rota: rota_title(row),
                    lines: summary_lines(&input, &assignments, &new),
                    problems: new,
                });
            }
        }
        Ok(out)
    }
}

/// The practices and PCNs a person's record reaches: where they work and who employs them.
pub(crate) fn person_scopes(draft: &domain::staff::StaffDraft) -> (Vec<String>, Vec<String>) {
    let mut practices: Vec<String> = draft
        .practices
        .iter()
        .map(|p| p.as_str().to_string())
        .collect();
    let mut pcns = Vec::new();
    match &draft.employer {
        domain::org::Employer::Practice(ods) => practices.push(ods.as_str().to_string()),
        domain::org::Employer::Pcn(code) => pcns.push(code.as_str().to_string()),
    }
    practices.sort();
    practices.dedup();
    (practices, pcns)
}

/// "the rota from 4 January to 31 January 2027".
pub fn rota_title(row: &RotaRow) -> String {
    match (period_of(row), row.ends_before()) {
        (Ok(period), Ok(end)) => format!(
            "the rota {}",
            crate::notifications::days_text(period.from, end - chrono::Duration::days(1))
        ),
        _ => "a published rota".into(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The new problems in the users' words: a person's sessions in their leave or outside
/// their employment counted together, and the minimum cover those sessions hold up said
/// as what taking them off leaves; anything else as the check says it.
pub fn summary_lines(
    input: &RotaInput,
    assignments: &[Assignment],
    new: &[RotaProblem],
) -> Vec<String> {
    let name = |id: &str| {
        input
            .people
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| "Someone".to_string(), |p| p.name.clone())
    };
    let mut lines = Vec::new();
    // (person, what) -> days
    let mut away: BTreeMap<(String, &str), BTreeSet<NaiveDate>> = BTreeMap::new();
    for p in new {
        match (p.rule, p.staff_ids.first(), p.date) {
            ("leave" | super::check::EMPLOYMENT, Some(who), Some(date)) => {
                let what = if p.rule == "leave" {
                    "in their leave"
                } else {
                    "outside their employment"
                };
                away.entry((who.clone(), what)).or_default().insert(date);
            }
            _ => lines.push(p.message.clone()),
        }
    }
    let mut taken_off: BTreeSet<(String, NaiveDate)> = BTreeSet::new();
    for ((who, what), days) in &away {
        let sessions = assignments
            .iter()
            .filter(|a| a.staff_id == *who && days.contains(&a.date))
            .count();
        lines.insert(
            0,
            format!(
                "{} is booked on {} {what}",
                name(who),
                plural(sessions, "session", "sessions")
            ),
        );
        taken_off.extend(days.iter().map(|d| (who.clone(), *d)));
    }
    if !taken_off.is_empty() {
        let before: BTreeSet<ProblemKey> = check(input, assignments)
            .iter()
            .filter(|p| p.rule == "cover")
            .map(ProblemKey::of)
            .collect();
        let without: Vec<Assignment> = assignments
            .iter()
            .filter(|a| !taken_off.contains(&(a.staff_id.clone(), a.date)))
            .cloned()
            .collect();
        for p in check(input, &without) {
            if p.rule == "cover" && !before.contains(&ProblemKey::of(&p)) {
                lines.push(format!("Taking them off leaves {}", below_minimum_text(&p)));
            }
        }
    }
    lines
}

/// "Tuesday 5 January 2027 AM at Riverside below the minimum (1 GP short of 2)".
fn below_minimum_text(p: &RotaProblem) -> String {
    match p.message.split_once(": ") {
        Some((place, short)) => format!("{place} below the minimum ({short})"),
        None => p.message.clone(),
    }
}

/// The mark's problems still true of the rota: the stored keys matched against its live
/// check.
pub fn still_true(keys: &[ProblemKey], problems: &[RotaProblem]) -> Vec<RotaProblem> {
    problems
        .iter()
        .filter(|p| keys.contains(&ProblemKey::of(p)))
        .cloned()
        .collect()
}

pub(crate) fn parse_keys(json: &str) -> Vec<ProblemKey> {
    serde_json::from_str(json).unwrap_or_default()
}

/// The problems of a published rota that changes since publishing brought and that are
/// still true (empty when it is not marked).
pub(crate) async fn stale_problems(
    conn: &mut store::Conn,
    rota_id: &str,
    problems: &[RotaProblem],
) -> AppResult<Vec<RotaProblem>> {
    Ok(match store::rota::stale::get(conn, rota_id).await? {
        Some(mark) => still_true(&parse_keys(&mark.problems), problems),
        None => Vec::new(),
    })
}

/// After a manager's edit of a marked rota: keeps only the marked problems still true.
pub(crate) async fn refresh(
    conn: &mut store::Conn,
    rota_id: &str,
    problems: &[RotaProblem],
) -> AppResult<()> {
    if let Some(mark) = store::rota::stale::get(conn, rota_id).await? {
        let keys: Vec<ProblemKey> = still_true(&parse_keys(&mark.problems), problems)
            .iter()
            .map(ProblemKey::of)
            .collect();
        let json = serde_json::to_string(&keys).unwrap_or_default();
        store::rota::stale::set_problems(conn, rota_id, &json).await?;
    }
    Ok(())
}

/// Today's marks of some rotas: each marked rota's id with the problems still true.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct StaleSummary {
    pub rota_id: String,
    pub problems: Vec<RotaProblem>,
}

impl super::Rota<'_> {
    /// After a change's write, in its transaction: what it broke in the watched rotas (`what`
    /// names the change in the managers' notice; `about`, the person it names). When
    /// it broke something and the user has not confirmed, returns the breaks (the caller
    /// returns them and drops the transaction: nothing is saved). Otherwise marks each
    /// broken rota and tells its managers (the notice's email leaves after commit:
    /// `email_nudge`), and returns `None`.
    pub(crate) async fn settle_watch(
        &self,
        conn: &mut store::Conn,
        watch: &Watch,
        confirmed: bool,
        what: &str,
        about: Option<&str>,
    ) -> AppResult<Option<Vec<RotaBreak>>> {
        let breaks = watch.breaks(conn).await?;
        if breaks.is_empty() {
            return Ok(None);
        }
        if !confirmed {
            return Ok(Some(breaks));
        }
        let now = self.now();
        for b in &breaks {
            let mut keys: BTreeSet<ProblemKey> =
                match store::rota::stale::get(conn, &b.rota_id).await? {
                    Some(mark) => parse_keys(&mark.problems).into_iter().collect(),
                    None => BTreeSet::new(),
                };
            keys.extend(b.problems.iter().map(ProblemKey::of));
            let keys: Vec<ProblemKey> = keys.into_iter().collect();
            let json = serde_json::to_string(&keys).unwrap_or_default();
            store::rota::stale::mark(conn, &b.rota_id, &json, &now).await?;
            let row = store::rota::get_rota(conn, &b.rota_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let n = b.problems.len();
            let notice = Notice::new(
                Kind::RotaChanged,
                format!(
                    "{what} broke {}: {}. Open it to repair it.",
                    b.rota,
                    plural(n, "problem", "problems")
                ),
                format!("/rotas/{}", b.rota_id),
            );
            // A notice naming a person goes with them when they are erased.
            let notice = match about {
                Some(staff_id) => notice.about(staff_id),
                None => notice,
            };
            self.notifications()
                .notify_managers(conn, &row.scope_code, None, &notice)
                .await?;
        }
        Ok(None)
    }

    /// The marks of some rotas the actor has listed (`Rota::rotas`), each with the problems
    /// still true; rotas not marked, or whose problems are all put right, are left out.
    pub async fn stale_summaries(
        &self,
        _actor: &Actor,
        rows: &[RotaRow],
    ) -> AppResult<Vec<StaleSummary>> {
        let mut conn = self.store().conn().await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut out = Vec::new();
        for mark in store::rota::stale::list(&mut conn, &ids).await? {
            let Some(row) = rows.iter().find(|r| r.id == mark.rota_id) else {
                continue;
            };
            let (_, _, problems) = rota_state(&mut conn, row).await?;
            let problems = still_true(&parse_keys(&mark.problems), &problems);
            if !problems.is_empty() {
                out.push(StaleSummary {
                    rota_id: mark.rota_id,
                    problems,
                });
            }
        }
        Ok(out)
    }
}
