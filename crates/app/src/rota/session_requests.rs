//! Session requests: a member of staff (or their manager, for them) asks to work a session
//! ("Tuesday PM on 3 March") or to have one off ("not Friday AM"). The rota weighs them as
//! preferences (`plan::WEIGHT_SESSION_REQUEST`) and lists those it could not meet.
use crate::access::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::notifications::{Kind, Notice};
use crate::{Change, commit_with_audit, json};
use chrono::NaiveDate;
use domain::rota::{Session, SessionRequest, SessionRequestForm, SessionWish};
use store::register::StaffRecord;
use store::rota::SessionRequestRow;

/// A stored request as the rota reads it; `None` for a row it cannot read.
pub(super) fn session_request_from_row(row: &SessionRequestRow) -> Option<SessionRequest> {
    Some(SessionRequest {
        date: NaiveDate::parse_from_str(&row.day, "%Y-%m-%d").ok()?,
        session: Session::parse(&row.session).ok()?,
        wish: SessionWish::parse(&row.wish).ok()?,
        note: row.note.clone(),
    })
}

/// How far ahead a person's requests are listed.
const LISTED_DAYS: u64 = 366;

/// Loads a person whose requests the actor may read and change: their own, or a person they
/// manage. Anyone else's look as if they did not exist.
pub(super) async fn requester(
    conn: &mut store::Conn,
    actor: &Actor,
    staff_id: &str,
) -> AppResult<StaffRecord> {
    let person = access::visible_staff(conn, actor, staff_id).await?;
    if actor.staff_id.as_deref() == Some(staff_id)
        || access::can_manage_staff(conn, actor, &person).await?
    {
        Ok(person)
    } else {
        Err(AppError::NotFound)
    }
}

impl super::Rota<'_> {
    /// A person's session requests from today on, for them or their manager.
    pub async fn session_requests(
        &self,
        actor: &Actor,
        staff_id: &str,
    ) -> AppResult<Vec<SessionRequestRow>> {
        let mut conn = self.store().conn().await?;
        requester(&mut conn, actor, staff_id).await?;
        let today = self.today();
        Ok(store::rota::list_session_requests(
            &mut conn,
            &[staff_id.to_string()],
            &today.to_string(),
            &(today + chrono::Days::new(LISTED_DAYS)).to_string(),
        )
        .await?)
    }

    /// Records a person's request about one session (replacing one they made for the same
    /// session), audited. The person themselves or their manager.
    pub async fn ask_for_session(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &SessionRequestForm,
    ) -> AppResult<SessionRequestRow> {
        let mut tx = self.store().begin().await?;
        // Who may ask first: someone who may not learns nothing from the field errors.
        let person = requester(&mut tx, actor, staff_id).await?;
        let request = form.parse(self.today())?;
        let before = store::rota::list_session_requests(
            &mut tx,
            &[staff_id.to_string()],
            &request.date.to_string(),
            &request.date.to_string(),
        )
        .await?
        .into_iter()
        .find(|r| r.session == request.session.code());
        let now = self.now();
        let stored = store::rota::upsert_session_request(
            &mut tx,
            &SessionRequestRow {
                id: store::new_id(),
                staff_id: staff_id.to_string(),
                day: request.date.to_string(),
                session: request.session.code().to_string(),
                wish: request.wish.code().to_string(),
                note: request.note.clone(),
                created_by: Some(actor.user_id.clone()),
                created_at: now.clone(),
            },
        )
        .await?;
        let change = Change {
            action: if before.is_some() {
                "updated"
            } else {
                "requested"
            },
            entity: "session_request",
            entity_id: &stored.id,
            tenant: &access::tenant_of(&person.draft.employer),
            before: json(&before),
            after: json(&stored),
        };
        if actor.staff_id.as_deref() == Some(staff_id) {
            let notice = Notice::new(
                Kind::Swap,
                format!(
                    "{} asked {} the {} session on {}.",
                    person.draft.name,
                    request.wish.label(),
                    request.session.label(),
                    crate::long_date(request.date)
                ),
                format!("/staff/{staff_id}/rota-rules"),
            )
            .about(staff_id);
            for ods in &person.draft.practices {
                self.notifications()
                    .notify_managers(&mut tx, ods.as_str(), None, &notice)
                    .await?;
            }
            if let domain::org::Employer::Pcn(pcn) = &person.draft.employer {
                self.notifications()
                    .notify_managers(&mut tx, pcn.as_str(), None, &notice)
                    .await?;
            }
        }
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(stored)
    }

    /// Withdraws a session request (the person or their manager), audited; returns whose it was.
    pub async fn withdraw_session_request(&self, actor: &Actor, id: &str) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        let row = store::rota::get_session_request(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = requester(&mut tx, actor, &row.staff_id).await?;
        store::rota::delete_session_request(&mut tx, id).await?;
        let change = Change {
            action: "withdrawn",
            entity: "session_request",
            entity_id: id,
            tenant: &access::tenant_of(&person.draft.employer),
            before: json(&row),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        Ok(row.staff_id)
    }
}
