//! Ad-hoc bookings of a free room for one session (by anyone allowed at the site: its
//! practice's managers and the people who work there), and the used / not-used marks of
//! booked room-sessions (by the practice's managers, or by the person for their own
//! session or booking).
use super::{booked_at, hidden, open_sessions, slot};
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use analytics::calendar::is_bank_holiday;
use chrono::{Datelike, NaiveDate, Weekday};
use domain::estates::{BookingForm, Mark};
use domain::rota::Session;
use domain::{FieldError, FieldErrors};
use store::estates::{BookingRecord, MarkRecord, NewBooking};
use store::sites::{RoomRecord, SiteRecord};

/// How the actor reaches a site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Reach {
    /// Manages the site's practice (its managers, the PCN's, the administrator).
    Manager,
    /// Works at the site's practice: may book a room and mark their own sessions.
    Staff(String),
}

/// The site and how the actor reaches it: `NotFound` for an unknown site and for one the
/// actor is not allowed at (nothing is revealed).
pub(crate) async fn site_reach(
    conn: &mut store::Conn,
    actor: &Actor,
    site_id: &str,
) -> AppResult<(SiteRecord, Reach)> {
    let site = store::sites::get_site(conn, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    match access::authorize(
        conn,
        actor,
        Permission::Manage,
        Tenant::Practice(&site.practice_ods),
    )
    .await
    {
        Ok(()) => return Ok((site, Reach::Manager)),
        Err(AppError::Forbidden) => {}
        Err(other) => return Err(other),
    }
    if let Some(staff_id) = &actor.staff_id
        && let Some(person) = store::register::get(conn, staff_id).await?
        && person
            .draft
            .practices
            .iter()
            .any(|p| p.as_str() == site.practice_ods)
    {
        return Ok((site, Reach::Staff(staff_id.clone())));
    }
    Err(AppError::NotFound)
}

/// A site's bookings page: its rooms, the bookings from four weeks ago on, and whether the
/// actor may cancel any (a manager) or only their own.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteBookings {
    pub site: SiteRecord,
    pub rooms: Vec<RoomRecord>,
    pub bookings: Vec<BookingRecord>,
    pub reach: Reach,
}

impl SiteBookings {
    /// Whether `actor` may cancel `booking`.
    pub fn may_cancel(&self, actor: &Actor, booking: &BookingRecord) -> bool {
        self.reach == Reach::Manager || booking.booked_by.as_deref() == Some(&actor.user_id)
    }
}

/// One booked room-session of a day, for marking.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BookedSession {
    pub room_id: String,
    pub room_name: String,
    pub session: Session,
    /// Who the published rota gives the room to, or what an ad-hoc booking is for.
    pub what: String,
    pub mark: Option<Mark>,
    /// Whether the actor may mark it.
    pub may_mark: bool,
}

/// What a mark form sends.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MarkForm {
    pub room_id: String,
    pub day: String,
    pub session: String,
    /// `used` or `not_used`.
    pub used: String,
}

fn day_text(day: NaiveDate) -> String {
    day.format("%A %-d %B %Y").to_string()
}

/// Whether the site runs `session` on `day` (not a Sunday or bank holiday, and open there).
async fn site_open(
    conn: &mut store::Conn,
    site_id: &str,
    day: NaiveDate,
    session: Session,
) -> AppResult<bool> {
    Ok(day.weekday() != Weekday::Sun
        && !is_bank_holiday(day)
        && open_sessions(conn, site_id).await?.contains(&session))
}

/// Who the published rotas give a room to in a session: (room id, staff id).
async fn rota_rooms(
    conn: &mut store::Conn,
    site_id: &str,
    day: NaiveDate,
) -> AppResult<Vec<(String, Session, String)>> {
    let text = day.to_string();
    let ids = [site_id.to_string()];
    let staff = store::estates::staff_published_at(conn, &ids, &text, &text).await?;
    let mut out = Vec::new();
    for a in store::rota::published_sessions(conn, &staff, &text, &text, &[]).await? {
        if a.site_id == site_id
            && let (Some(room), Some((_, session))) = (a.room_id, slot(&a.day, &a.session))
        {
            out.push((room, session, a.staff_id));
        }
    }
    Ok(out)
}

impl super::Estates<'_> {
    /// The site's rooms and bookings, for its managers and the people who work there.
    pub async fn site_bookings(&self, actor: &Actor, site_id: &str) -> AppResult<SiteBookings> {
        let mut conn = self.store().conn().await?;
        let (site, reach) = site_reach(&mut conn, actor, site_id).await?;
        let rooms = store::sites::list_rooms(&mut conn, std::slice::from_ref(&site.id)).await?;
        let from = (self.today() - chrono::Days::new(28)).to_string();
        let to = (self.today() + chrono::Days::new(400)).to_string();
        let bookings =
            store::estates::list_bookings(&mut conn, std::slice::from_ref(&site.id), &from, &to)
                .await?;
        Ok(SiteBookings {
            site,
            rooms,
            bookings,
            reach,
        })
    }

    /// Books a free room of the site for one session. A room the published rota gives to
    /// someone then, or booked already, is refused naming the room and session.
    pub async fn book_room(
        &self,
        actor: &Actor,
        site_id: &str,
        form: &BookingForm,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        let (site, _) = site_reach(&mut tx, actor, site_id).await?;
        let draft = form.parse(self.today())?;
        let room = store::sites::get_room(&mut tx, &draft.room_id)
            .await?
            .filter(|r| r.site_id == site.id)
            .ok_or_else(|| {
                FieldErrors::from(FieldError::new("room_id", "Choose a room at this site"))
            })?;
        let when = format!("{} {}", day_text(draft.date), draft.session.label());
        if !site_open(&mut tx, &site.id, draft.date, draft.session).await? {
            return Err(FieldErrors::from(FieldError::new(
                "session",
                format!("{} is closed on {when}", site.site.name),
            ))
            .into());
        }
        let day = draft.date.to_string();
        if let Some(other) =
            store::estates::booking_at(&mut tx, &room.id, &day, draft.session.code()).await?
        {
            return Err(FieldErrors::from(FieldError::new(
                "session",
                format!(
                    "{} is already booked on {when} ({})",
                    room.room.name, other.purpose
                ),
            ))
            .into());
        }
        if rota_rooms(&mut tx, &site.id, draft.date)
            .await?
            .iter()
            .any(|(r, s, _)| *r == room.id && *s == draft.session)
        {
            return Err(FieldErrors::from(FieldError::new(
                "session",
                format!(
                    "{} is given to someone in the published rota on {when}",
                    room.room.name
                ),
            ))
            .into());
        }
        let id = store::new_id();
        let now = self.now();
        store::estates::insert_booking(
            &mut tx,
            &NewBooking {
                id: &id,
                room_id: &room.id,
                day: &day,
                session: draft.session.code(),
                purpose: &draft.purpose,
                booked_by: Some(&actor.user_id),
                created_at: &now,
            },
        )
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Invalid(FieldErrors::from(FieldError::new(
                "session",
                format!("{} is already booked on {when}", room.room.name),
            ))),
            other => other,
        })?;
        let change = Change {
            action: "booked",
            entity: "room_booking",
            entity_id: &id,
            tenant: &site.practice_ods,
            before: None,
            after: json(&serde_json::json!({
                "room": room.room.name, "day": day, "session": draft.session.code(),
                "purpose": draft.purpose,
            })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// Cancels a booking of the site: the site's managers, or whoever made it. A booking of
    /// another site is not found.
    pub async fn cancel_room_booking(
        &self,
        actor: &Actor,
        site_id: &str,
        booking_id: &str,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let (site, reach) = site_reach(&mut tx, actor, site_id).await?;
        if booking_id.trim().is_empty() {
            return Err(FieldErrors::from(FieldError::new(
                "booking_id",
                "Choose a booking to cancel",
            ))
            .into());
        }
        let booking = store::estates::get_booking(&mut tx, booking_id.trim())
            .await?
            .filter(|b| b.site_id == site.id)
            .ok_or(AppError::NotFound)?;
        if reach != Reach::Manager && booking.booked_by.as_deref() != Some(&actor.user_id) {
            return Err(AppError::Forbidden);
        }
        store::estates::delete_booking(&mut tx, &booking.id).await?;
        let now = self.now();
        let change = Change {
            action: "cancelled",
            entity: "room_booking",
            entity_id: &booking.id,
            tenant: &site.practice_ods,
            before: json(&booking),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(())
    }

    /// The room-sessions booked at a site on a day, with their marks. People who work there
    /// see only their own sessions and bookings.
    pub async fn room_use_day(
        &self,
        actor: &Actor,
        site_id: &str,
        day: NaiveDate,
    ) -> AppResult<(SiteRecord, Vec<BookedSession>)> {
        let mut conn = self.store().conn().await?;
        let (site, reach) = site_reach(&mut conn, actor, site_id).await?;
        let rooms = store::sites::list_rooms(&mut conn, std::slice::from_ref(&site.id)).await?;
        let room_name = |id: &str| {
            rooms
                .iter()
                .find(|r| r.id == id)
                .map_or_else(String::new, |r| r.room.name.clone())
        };
        let marks = booked_at(&mut conn, &site.id, day, day).await?;
        let mark_of = |room: &str, session: Session| {
            marks
                .get(room)
                .and_then(|m| m.get(&(day, session)))
                .copied()
                .flatten()
        };
        let past = day <= self.today();
        let mut out = Vec::new();
        for (room, session, staff_id) in rota_rooms(&mut conn, &site.id, day).await? {
            let own = reach == Reach::Staff(staff_id.clone());
            if reach != Reach::Manager && !own {
                continue;
            }
            let name = store::register::get(&mut conn, &staff_id)
                .await?
                .map(|p| p.draft.name)
                .unwrap_or_default();
            out.push(BookedSession {
                mark: mark_of(&room, session),
                room_name: room_name(&room),
                room_id: room,
                session,
                what: name,
                may_mark: past,
            });
        }
        let text = day.to_string();
        for b in
            store::estates::list_bookings(&mut conn, std::slice::from_ref(&site.id), &text, &text)
                .await?
        {
            let own = b.booked_by.as_deref() == Some(&actor.user_id);
            if reach != Reach::Manager && !own {
                continue;
            }
            let Ok(session) = Session::parse(&b.session) else {
                continue;
            };
            out.push(BookedSession {
                mark: mark_of(&b.room_id, session),
                room_name: b.room_name.clone(),
                room_id: b.room_id,
                session,
                what: format!("Booked: {}", b.purpose),
                may_mark: past,
            });
        }
        out.sort_by(|a, b| (a.session, &a.room_name).cmp(&(b.session, &b.room_name)));
        Ok((site, out))
    }

    /// Marks a booked room-session as used or not used (changing an earlier mark). The
    /// practice's managers mark any; a person marks their own rota session or booking.
    pub async fn mark_room_use(
        &self,
        actor: &Actor,
        site_id: &str,
        form: &MarkForm,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let (site, reach) = site_reach(&mut tx, actor, site_id).await?;
        let mut errors = FieldErrors::default();
        let day = errors.take(domain::error::parse_date("day", &form.day));
        let session = errors.take(Session::parse(&form.session));
        let used = match form.used.trim() {
            "used" => Some(true),
            "not_used" => Some(false),
            _ => {
                errors.push(FieldError::new("used", "Choose used or not used"));
                None
            }
        };
        let room = store::sites::get_room(&mut tx, form.room_id.trim())
            .await?
            .filter(|r| r.site_id == site.id);
        if room.is_none() {
            errors.push(FieldError::new("room_id", "Choose a room at this site"));
        }
        if let Some(d) = day
            && d > self.today()
        {
            errors.push(FieldError::new(
                "day",
                "A session can be marked once it has happened",
            ));
        }
        errors.into_result()?;
        let (day, session, used, room) = (
            day.expect("checked"),
            session.expect("checked"),
            used.expect("checked"),
            room.expect("checked"),
        );
        let in_rota = rota_rooms(&mut tx, &site.id, day)
            .await?
            .into_iter()
            .find(|(r, s, _)| *r == room.id && *s == session);
        let booking =
            store::estates::booking_at(&mut tx, &room.id, &day.to_string(), session.code()).await?;
        if in_rota.is_none() && booking.is_none() {
            return Err(FieldErrors::from(FieldError::new(
                "session",
                format!(
                    "{} was not booked on {} {}: only booked sessions are marked",
                    room.room.name,
                    day_text(day),
                    session.label()
                ),
            ))
            .into());
        }
        let own = match &reach {
            Reach::Manager => true,
            Reach::Staff(me) => {
                in_rota.as_ref().is_some_and(|(_, _, s)| s == me)
                    || booking
                        .as_ref()
                        .is_some_and(|b| b.booked_by.as_deref() == Some(&actor.user_id))
            }
        };
        if !own {
            return Err(hidden(AppError::Forbidden));
        }
        let before =
            store::estates::get_mark(&mut tx, &room.id, &day.to_string(), session.code()).await?;
        let now = self.now();
        let mark = MarkRecord {
            room_id: room.id.clone(),
            day: day.to_string(),
            session: session.code().to_string(),
            used,
            marked_by: Some(actor.user_id.clone()),
            marked_at: now.clone(),
        };
        store::estates::upsert_mark(&mut tx, &mark).await?;
        let change = Change {
            action: if used {
                "marked_used"
            } else {
                "marked_not_used"
            },
            entity: "room_use",
            entity_id: &room.id,
            tenant: &site.practice_ods,
            before: before.and_then(|b| json(&b)),
            after: json(&mark),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(())
    }
}
