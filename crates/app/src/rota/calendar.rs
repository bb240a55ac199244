//! What staff see of published rotas: their own sessions, and the private calendar feed of
//! them (its link, its token, and the feed itself).
use crate::access::{self, Actor};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use domain::rota::{Session, SessionTimes};
use store::rota::PublishedAssignment;

impl super::Rota<'_> {
    /// The actor's own published sessions from `from` for `days` days.
    pub async fn my_rota(
        &self,
        actor: &Actor,
        from: chrono::NaiveDate,
        days: u64,
    ) -> AppResult<Vec<PublishedAssignment>> {
        let Some(staff_id) = actor.staff_id.as_deref() else {
            return Ok(Vec::new());
        };
        let mut conn = self.store().conn().await?;
        let to = from + chrono::Days::new(days);
        Ok(store::rota::published_for_staff(
            &mut conn,
            staff_id,
            &from.to_string(),
            &to.to_string(),
        )
        .await?)
    }

    /// The token of the actor's private calendar feed, if they have one yet. Reads only:
    /// a page shows a button to make one (`my_calendar_token`).
    pub async fn my_calendar_link(&self, actor: &Actor) -> AppResult<Option<String>> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::NotFound)?;
        let mut conn = self.store().conn().await?;
        Ok(store::rota::calendar_token(&mut conn, staff_id).await?)
    }

    /// The token of the actor's private calendar feed, made (and audited) if they have none.
    /// Two first requests at once get the same token, and one audit row.
    pub async fn my_calendar_token(&self, actor: &Actor) -> AppResult<String> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::NotFound)?;
        let mut tx = self.store().begin().await?;
        let now = self.now();
        let (token, made) = store::rota::ensure_calendar_token(
            &mut tx,
            staff_id,
            &crate::accounts::credentials::random_token(),
            &now,
        )
        .await?;
        if !made {
            return Ok(token);
        }
        let person = store::register::get(&mut tx, staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let change = Change {
            action: "created",
            entity: "calendar_feed",
            entity_id: staff_id,
            tenant: &access::tenant_of(&person.draft.employer),
            before: None,
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(token)
    }

    /// Gives the actor a new calendar token: the old feed address stops working at once
    /// (for a link shared by mistake). Audited without either token.
    pub async fn new_calendar_token(&self, actor: &Actor) -> AppResult<String> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::NotFound)?;
        // The actor's own record must exist before anything is written.
        store::register::get(&mut *self.store().conn().await?, staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut tx = self.store().begin().await?;
        let token = crate::accounts::credentials::random_token();
        let now = self.now();
        // The write first, then the reads (see `store::rota::bump_version`).
        let had = store::rota::replace_calendar_token(&mut tx, staff_id, &token, &now).await?;
        let person = store::register::get(&mut tx, staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let change = Change {
            action: "reissued",
            entity: "calendar_feed",
            entity_id: staff_id,
            tenant: &access::tenant_of(&person.draft.employer),
            before: json(&serde_json::json!({ "had_feed": had })),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(token)
    }

    /// The calendar feed of a token as an iCalendar file; `NotFound` for an unknown token.
    pub async fn calendar_ics(&self, token: &str) -> AppResult<String> {
        let feed = self.calendar_feed(token).await?;
        Ok(import::write_calendar(
            &format!("Rota: {}", feed.person_name),
            self.clock().now(),
            &feed.events,
        ))
    }

    /// The published sessions of the person a feed token belongs to, from 4 weeks ago to a
    /// year ahead; `NotFound` for an unknown token.
    pub async fn calendar_feed(&self, token: &str) -> AppResult<CalendarFeed> {
        let mut conn = self.store().conn().await?;
        let staff_id = store::rota::staff_for_calendar_token(&mut conn, token)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = store::register::get(&mut conn, &staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let today = self.today();
        let from = today - chrono::Days::new(28);
        let to = today + chrono::Days::new(super::mine::AHEAD_DAYS);
        let sessions = store::rota::published_for_staff(
            &mut conn,
            &staff_id,
            &from.to_string(),
            &to.to_string(),
        )
        .await?;
        let mut events = Vec::new();
        for s in sessions {
            let (Ok(date), Ok(session)) = (
                chrono::NaiveDate::parse_from_str(&s.day, "%Y-%m-%d"),
                Session::parse(&s.session),
            ) else {
                continue;
            };
            // The session's times at its site, as the store gives them with it.
            let times = SessionTimes::parse(&s.starts, &s.ends).unwrap_or(session.default_times());
            events.push(CalendarEvent {
                uid: format!("{}-{}-{}@gpteam", s.staff_id, s.day, session.code()),
                summary: format!("{} session at {}", session.label(), s.site_name),
                location: match &s.room_name {
                    Some(room) => format!("{}, {room}", s.site_name),
                    None => s.site_name.clone(),
                },
                starts: date.and_time(times.starts),
                ends: date.and_time(times.ends),
            });
        }
        Ok(CalendarFeed {
            person_name: person.draft.name,
            events,
        })
    }
}

/// A person's published sessions as calendar events (times are local to England).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CalendarFeed {
    pub person_name: String,
    pub events: Vec<CalendarEvent>,
}

pub use import::ical::CalendarEvent;
