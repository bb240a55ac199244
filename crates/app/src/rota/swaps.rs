//! Swap and cover requests: a member of staff asks to give up one published session, to a
//! named colleague or to whoever the manager finds; the manager approves (the rota changes
//! and every rule is checked again, as for an edit) or declines.
use super::{
    Assignment, EditOutcome, RotaProblem, RotaScope, check, from_row, hard_count, load_input,
    period_of, soft_penalty, to_row,
};
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::notifications::{Kind, Notice};
use crate::{Change, commit_with_audit, json};
use chrono::NaiveDate;
use domain::rota::Session;
use domain::{FieldError, FieldErrors};
use store::rota::SwapRow;

/// A request as shown to the manager and to the person who asked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SwapView {
    pub row: SwapRow,
    pub requester: String,
    pub colleague: Option<String>,
}

/// A session a person may ask to swap: one of theirs in a published rota.
#[derive(Debug, Clone, serde::Deserialize, Default)]
#[serde(default)]
pub struct SwapForm {
    pub rota_id: String,
    pub date: String,
    pub session: String,
    /// A colleague who would take it; empty for "anyone".
    pub with_staff_id: String,
    pub note: String,
}

impl super::Rota<'_> {
    /// The actor asks to give up one of their published sessions.
    pub async fn request_swap(&self, actor: &Actor, form: &SwapForm) -> AppResult<String> {
        let staff_id = actor.staff_id.clone().ok_or(AppError::Forbidden)?;
        let mut errors = FieldErrors::default();
        let date = errors.take(domain::error::parse_date("date", &form.date));
        let session = errors.take(Session::parse(&form.session));
        if form.note.chars().count() > 500 {
            errors.push(FieldError::new(
                "note",
                "The note must be 500 characters or fewer",
            ));
        }
        errors.into_result()?;
        let (date, session) = (date.expect("checked"), session.expect("checked"));
        if date < self.today() {
            return Err(FieldErrors::from(FieldError::new(
                "date",
                format!(
                    "The {} session on {} has passed: ask for a swap or cover on a session still to come",
                    session.label(),
                    crate::long_date(date)
                ),
            ))
            .into());
        }
        let mut tx = self.store().begin().await?;
        let rota = store::rota::get_rota(&mut tx, &form.rota_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if rota.published_at.is_none() {
            return Err(AppError::NotFound);
        }
        let assignments = store::rota::list_assignments(&mut tx, &rota.id).await?;
        // Booked in this rota, and this rota is the one that speaks for the day (a newer
        // publication may have replaced it).
        let day = date.to_string();
        let mine = store::rota::published_for_staff(&mut tx, &staff_id, &day, &day)
            .await?
            .iter()
            .any(|a| a.rota_id == rota.id && a.session == session.code());
        if !mine {
            return Err(FieldErrors::from(FieldError::new(
                "session",
                format!(
                    "You are not booked for the {} session on {}",
                    session.label(),
                    crate::long_date(date)
                ),
            ))
            .into());
        }
        let with = form.with_staff_id.trim();
        if !with.is_empty() {
            check_colleague(&mut tx, &rota, &assignments, &staff_id, with, date, session).await?;
        }
        let now = self.now();
        let swap = SwapRow {
            id: store::new_id(),
            rota_id: rota.id.clone(),
            staff_id: staff_id.clone(),
            day: date.to_string(),
            session: session.code().to_string(),
            with_staff_id: (!with.is_empty()).then(|| with.to_string()),
            note: (!form.note.trim().is_empty()).then(|| form.note.trim().to_string()),
            status: "requested".into(),
            requested_at: now.clone(),
            decided_by: None,
            decided_at: None,
            decision_reason: None,
        };
        store::rota::insert_swap(&mut tx, &swap).await?;
        let change = Change {
            action: "requested",
            entity: "rota_swap",
            entity_id: &swap.id,
            tenant: &rota.scope_code,
            before: None,
            after: json(&swap),
        };
        let what = format!(
            "the {} session on {}",
            session.label(),
            crate::long_date(date)
        );
        let notice = Notice::new(
            Kind::Swap,
            format!("{} asked to give up {what}.", actor.name),
            format!("/rotas/{}", rota.id),
        )
        .about(&staff_id);
        self.notifications()
            .notify_managers(&mut tx, &rota.scope_code, Some(&actor.user_id), &notice)
            .await?;
        if !with.is_empty() {
            let notice = Notice::new(
                Kind::Swap,
                format!(
                    "{} asked for you to take {what}, if their manager agrees.",
                    actor.name
                ),
                "/me/rota",
            )
            .about(&staff_id);
            self.notifications()
                .notify_staff(&mut tx, with, &notice)
                .await?;
        }
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(swap.id)
    }

    /// The swap and cover requests on a rota, for its manager, newest first.
    pub async fn rota_swaps(&self, actor: &Actor, rota_id: &str) -> AppResult<Vec<SwapView>> {
        let mut conn = self.store().conn().await?;
        self.rota_row(&mut conn, actor, rota_id, crate::Permission::Manage)
            .await?;
        let rows = store::rota::list_swaps(&mut conn, rota_id).await?;
        let mut out = Vec::new();
        for row in rows {
            let name = |p: Option<store::register::StaffRecord>| {
                p.map(|p| p.draft.name).unwrap_or_default()
            };
            let requester = name(store::register::get(&mut conn, &row.staff_id).await?);
            let colleague = match &row.with_staff_id {
                Some(id) => Some(name(store::register::get(&mut conn, id).await?)),
                None => None,
            };
            out.push(SwapView {
                row,
                requester,
                colleague,
            });
        }
        Ok(out)
    }

    /// Approves (the session moves to the colleague, or is left for cover) or declines a
    /// request, a decline with the reason the person is shown. An approval that would break
    /// a hard rule is refused with the reason unless the manager overrides it, which the
    /// audit row records. An approval changes the rota, so it is refused when the rota is no
    /// longer at `version`, the one the manager saw.
    pub async fn decide_swap(
        &self,
        actor: &Actor,
        swap_id: &str,
        decision: &Decision,
        version: i64,
    ) -> AppResult<EditOutcome> {
        // Authorised before the transaction's first write (a swap stays on its rota).
        let rota_id = {
            let mut conn = self.store().conn().await?;
            store::rota::get_swap(&mut conn, swap_id)
                .await?
                .ok_or(AppError::NotFound)?
                .rota_id
        };
        self.authorize_rota(actor, &rota_id, crate::Permission::Manage)
            .await?;
        let reason = decision.reason()?;
        let approve = decision.approve;
        let mut tx = self.store().begin().await?;
        // First write, before any read (`store::rota::bump_version`).
        let current =
            !approve || store::rota::bump_version_of_swap(&mut tx, swap_id, version).await?;
        let swap = store::rota::get_swap(&mut tx, swap_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let rota = self
            .rota_row(&mut tx, actor, &swap.rota_id, crate::Permission::Manage)
            .await?;
        if !matches!(rota.status.as_str(), "done" | "cancelled") {
            return Err(AppError::Conflict(
                "The rota is being solved again: decide the request once it has finished".into(),
            ));
        }
        if swap.status != "requested" {
            return Err(AppError::Conflict(format!(
                "This request was already {}",
                swap.status
            )));
        }
        if !current {
            return Err(super::stale_rota());
        }
        let now = self.now();
        let mut new_problems: Vec<RotaProblem> = Vec::new();
        if approve {
            let date = NaiveDate::parse_from_str(&swap.day, "%Y-%m-%d")
                .map_err(|_| AppError::Internal("stored swap day is not a date".into()))?;
            let session = Session::parse(&swap.session)
                .map_err(|_| AppError::Internal("stored swap session is not valid".into()))?;
            let change = GiveUp {
                staff_id: &swap.staff_id,
                date,
                session,
                to: swap.with_staff_id.as_deref(),
            };
            let after = rota_after(&mut tx, &rota, &change).await?;
            new_problems = after.new_problems.clone();
            if !new_problems.is_empty() && !decision.override_rules {
                return Ok(EditOutcome {
                    saved: false,
                    new_problems,
                });
            }
            after.write(&mut tx, &rota, &change).await?;
        }
        let status = if approve { "approved" } else { "declined" };
        store::rota::decide_swap(&mut tx, swap_id, status, reason, &actor.user_id, &now).await?;
        let change = Change {
            action: if approve && !new_problems.is_empty() {
                "overrode"
            } else {
                status
            },
            entity: "rota_swap",
            entity_id: swap_id,
            tenant: &rota.scope_code,
            before: json(&swap),
            after: json(&serde_json::json!({
                "status": status,
                "reason": reason,
                "overridden": new_problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
            })),
        };
        let what = format!(
            "the {} session on {}",
            Session::parse(&swap.session).map_or("", |s| s.label()),
            NaiveDate::parse_from_str(&swap.day, "%Y-%m-%d")
                .map(crate::long_date)
                .unwrap_or_default()
        );
        let notice = Notice::new(
            Kind::Swap,
            format!(
                "Your request to give up {what} was {status} by {}.",
                actor.name
            ),
            "/me/rota",
        );
        self.notifications()
            .notify_staff(&mut tx, &swap.staff_id, &notice)
            .await?;
        if approve && let Some(colleague) = &swap.with_staff_id {
            let notice = Notice::new(
                Kind::Rota,
                format!("You now work {what}: {} approved a swap.", actor.name),
                "/me/rota",
            )
            .about(&swap.staff_id);
            self.notifications()
                .notify_staff(&mut tx, colleague, &notice)
                .await?;
        }
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(EditOutcome {
            saved: true,
            new_problems,
        })
    }
}

/// A manager's decision on a request: approve (overriding the hard rules it breaks, if they
/// say so) or decline with a reason.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub approve: bool,
    pub override_rules: bool,
    /// Why it is declined: required for a decline, shown to the person who asked.
    pub reason: String,
}

impl Decision {
    /// The reason to record: `None` for an approval; a decline must give one.
    pub fn reason(&self) -> AppResult<Option<&str>> {
        if self.approve {
            return Ok(None);
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err(FieldErrors::from(FieldError::new(
                "reason",
                "Enter the reason for declining: the person who asked will see it",
            ))
            .into());
        }
        if reason.chars().count() > 500 {
            return Err(FieldErrors::from(FieldError::new(
                "reason",
                "The reason must be 500 characters or fewer",
            ))
            .into());
        }
        Ok(Some(reason))
    }
}

/// A person gives up one published session, to a colleague or to whoever covers it.
pub(super) struct GiveUp<'a> {
    pub staff_id: &'a str,
    pub date: NaiveDate,
    pub session: Session,
    /// The colleague who takes it; `None`: left for cover.
    pub to: Option<&'a str>,
}

/// A rota as it would be after a [`GiveUp`], checked but not yet written.
pub(super) struct After {
    input: super::RotaInput,
    assignments: Vec<Assignment>,
    /// The hard rules the change newly breaks.
    pub new_problems: Vec<RotaProblem>,
}

/// The rota after `change`, with the hard rules it newly breaks; nothing is written.
pub(super) async fn rota_after(
    conn: &mut store::Conn,
    rota: &store::rota::RotaRow,
    change: &GiveUp<'_>,
) -> AppResult<After> {
    let (date, session) = (change.date, change.session);
    let (mut input, _) = load_input(conn, &RotaScope::of_row(rota), period_of(rota)?).await?;
    input.locked = super::locked_days(conn, &rota.id).await?;
    let before: Vec<Assignment> = store::rota::list_assignments(conn, &rota.id)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<AppResult<_>>()?;
    let given = before
        .iter()
        .find(|a| a.staff_id == change.staff_id && a.date == date && a.session == session)
        .cloned()
        .ok_or_else(|| {
            AppError::Conflict("The session is no longer booked to the person who asked".into())
        })?;
    if let Some(colleague) = change.to
        && before
            .iter()
            .any(|a| a.staff_id == colleague && a.date == date && a.session == session)
    {
        // Nobody can be in two places at once, even with an override.
        let name = store::register::get(conn, colleague)
            .await?
            .map(|p| p.draft.name)
            .unwrap_or_default();
        return Err(AppError::Conflict(format!(
            "{name} already works the {} session on {}: decline this request",
            session.label(),
            crate::long_date(date)
        )));
    }
    let mut after: Vec<Assignment> = before.iter().filter(|a| **a != given).cloned().collect();
    if let Some(colleague) = change.to {
        after.push(Assignment {
            staff_id: colleague.to_string(),
            room_id: None,
            ..given.clone()
        });
    }
    super::plan::assign_rooms(&input, &mut after);
    let problems_before = check(&input, &before);
    let new_problems = check(&input, &after)
        .into_iter()
        .filter(|p| p.hard && !problems_before.contains(p))
        .collect();
    Ok(After {
        input,
        assignments: after,
        new_problems,
    })
}

impl After {
    /// Writes the change into the rota (the day of each person it touches) with the
    /// rota's new scores and problems.
    pub(super) async fn write(
        &self,
        conn: &mut store::Conn,
        rota: &store::rota::RotaRow,
        change: &GiveUp<'_>,
    ) -> AppResult<()> {
        let mut people = vec![change.staff_id.to_string()];
        people.extend(change.to.map(str::to_string));
        let day = change.date.to_string();
        for person in &people {
            let rows: Vec<_> = self
                .assignments
                .iter()
                .filter(|a| a.staff_id == *person && a.date == change.date)
                .map(to_row)
                .collect();
            store::rota::set_staff_day(conn, &rota.id, person, &day, &rows).await?;
        }
        let problems_after = check(&self.input, &self.assignments);
        let soft = soft_penalty(&self.input, &self.assignments);
        let json_problems = serde_json::to_string(&problems_after).unwrap_or_default();
        store::rota::set_scores(
            conn,
            &rota.id,
            hard_count(&problems_after),
            soft as i64,
            &json_problems,
        )
        .await?;
        Ok(())
    }
}

/// A published session of the actor's, with the colleagues who could take it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SwappableSession {
    pub session: store::rota::PublishedAssignment,
    /// (staff id, name) of people on the same rota in the same staff group who are not
    /// booked on that session already.
    pub colleagues: Vec<(String, String)>,
    /// The actor's latest request on this session, if any.
    pub request: Option<SwapRow>,
}

impl super::Rota<'_> {
    /// The rota a request belongs to, for its manager.
    pub async fn swap_rota(&self, actor: &Actor, swap_id: &str) -> AppResult<String> {
        let mut conn = self.store().conn().await?;
        let swap = store::rota::get_swap(&mut conn, swap_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.rota_row(&mut conn, actor, &swap.rota_id, crate::Permission::Manage)
            .await?;
        Ok(swap.rota_id)
    }
}

/// Checks the colleague a swap asks for: on the rota, and free that session.
async fn check_colleague(
    tx: &mut store::Conn,
    rota: &store::rota::RotaRow,
    assignments: &[store::rota::AssignmentRow],
    staff_id: &str,
    with: &str,
    date: NaiveDate,
    session: Session,
) -> AppResult<()> {
    let (input, _) = load_input(tx, &RotaScope::of_row(rota), period_of(rota)?).await?;
    let Some(colleague) = input
        .people
        .iter()
        .find(|p| p.id == with && p.id != staff_id)
    else {
        return Err(FieldErrors::from(FieldError::new(
            "with_staff_id",
            "Choose a colleague on this rota",
        ))
        .into());
    };
    if assignments
        .iter()
        .any(|a| a.staff_id == with && a.day == date.to_string() && a.session == session.code())
    {
        return Err(FieldErrors::from(FieldError::new(
            "with_staff_id",
            format!(
                "{} already works the {} session on {}: choose someone else, or anyone",
                colleague.name,
                session.label(),
                crate::long_date(date)
            ),
        ))
        .into());
    }
    Ok(())
}
