//! What a rota is built from, as a manager sets it: each site's cover template and session
//! times, and each person's rota rules; and what staff see: their published rota and the
//! private calendar feed of it.
use super::{RotaScope, rules_from_row, scope_practices};
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{App, Change, commit_with_audit, json};
use domain::rota::{CoverForm, CoverRequirement, RotaRules, RotaRulesForm, Session, SessionTimes};
use domain::{FieldError, FieldErrors};
use store::rota::{CoverRow, PublishedAssignment, RulesRow, SiteSessionRow};

/// A practice's (or PCN's) cover template: per site, its sessions and requirements.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CoverTemplate {
    pub sites: Vec<TemplateSite>,
    /// What demand suggests, in plain words, per practice (from the demand forecast).
    pub from_demand: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TemplateSite {
    pub id: String,
    pub name: String,
    pub practice_ods: String,
    /// Each session with its times, or `None` when closed at this site.
    pub sessions: Vec<(Session, Option<SessionTimes>)>,
    pub cover: Vec<CoverRequirement>,
}

impl App {
    /// The cover template of a practice or of every practice of a PCN.
    pub async fn cover_template(
        &self,
        actor: &Actor,
        scope: &RotaScope,
    ) -> AppResult<CoverTemplate> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::Manage, scope.tenant()).await?;
        let practices = scope_practices(&mut conn, scope).await?;
        let sites = store::sites::list_sites(&mut conn, &practices).await?;
        let ids: Vec<String> = sites.iter().map(|s| s.id.clone()).collect();
        let session_rows = store::rota::list_site_sessions(&mut conn, &ids).await?;
        let cover_rows = store::rota::list_cover(&mut conn, &ids).await?;
        drop(conn);
        let mut from_demand = Vec::new();
        for ods in &practices {
            if let Ok(dc) = self.demand_capacity(actor, Tenant::Practice(ods)).await
                && let Some(first) = dc.weeks.first().map(|w| w.0)
            {
                for (monday, hcp, demand, _) in dc.weeks.iter().filter(|w| w.0 == first) {
                    let per_session =
                        demand / 10.0 / f64::from(domain::rota::DEFAULT_APPOINTMENTS_PER_SESSION);
                    from_demand.push(format!(
                        "{}: demand for the week of {} is about {:.0} {} appointments, about {:.1} clinicians a session at {} appointments each",
                        dc.title,
                        crate::long_date(*monday),
                        demand,
                        hcp,
                        per_session,
                        domain::rota::DEFAULT_APPOINTMENTS_PER_SESSION
                    ));
                }
            }
        }
        Ok(CoverTemplate {
            sites: sites
                .into_iter()
                .map(|s| {
                    let sessions = super::site_sessions(&s.id, &session_rows);
                    TemplateSite {
                        sessions: Session::ALL
                            .into_iter()
                            .map(|k| (k, sessions.get(&k).copied()))
                            .collect(),
                        cover: cover_rows
                            .iter()
                            .filter(|c| c.site_id == s.id)
                            .filter_map(super::cover_from_row)
                            .collect(),
                        id: s.id,
                        name: s.site.name,
                        practice_ods: s.practice_ods,
                    }
                })
                .collect(),
            from_demand,
        })
    }

    /// Replaces one site's cover template. Every row is checked first; a bad row names its
    /// number and field, and nothing is changed.
    pub async fn save_cover(
        &self,
        actor: &Actor,
        site_id: &str,
        rows: &[CoverForm],
    ) -> AppResult<()> {
        let mut errors = FieldErrors::default();
        let mut parsed = Vec::new();
        for (i, form) in rows.iter().enumerate() {
            let form = CoverForm {
                site_id: site_id.to_string(),
                ..form.clone()
            };
            match form.parse() {
                Ok(c) => parsed.push(c),
                Err(e) => {
                    for f in e.0 {
                        errors.push(FieldError::new(
                            "cover",
                            format!("Row {}, {}: {}", i + 1, f.field, f.message),
                        ));
                    }
                }
            }
        }
        for (i, a) in parsed.iter().enumerate() {
            if parsed[..i]
                .iter()
                .any(|b| (b.weekday, b.session, &b.need) == (a.weekday, a.session, &a.need))
            {
                errors.push(FieldError::new(
                    "cover",
                    format!(
                        "Row {}: {} {} {} is listed twice",
                        i + 1,
                        domain::rota::weekday_name(a.weekday),
                        a.session.label(),
                        a.need.label()
                    ),
                ));
            }
        }
        errors.into_result()?;
        let mut tx = self.store().begin().await?;
        let site = store::sites::get_site(&mut tx, site_id)
            .await?
            .ok_or(AppError::NotFound)?;
        access::authorize(
            &mut tx,
            actor,
            Permission::Manage,
            Tenant::Practice(&site.practice_ods),
        )
        .await?;
        let before = store::rota::list_cover(&mut tx, &[site_id.to_string()]).await?;
        let rows: Vec<CoverRow> = parsed
            .iter()
            .map(|c| CoverRow {
                id: store::new_id(),
                site_id: site_id.to_string(),
                weekday: i64::from(c.weekday.num_days_from_monday()),
                session: c.session.code().to_string(),
                need: c.need.code(),
                minimum: i64::from(c.minimum),
                ideal: i64::from(c.ideal),
            })
            .collect();
        store::rota::replace_cover(&mut tx, site_id, &rows).await?;
        let change = Change {
            action: "updated",
            entity: "cover_template",
            entity_id: site_id,
            tenant: &site.practice_ods,
            before: json(&before),
            after: json(&rows),
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await
    }

    /// Opens, closes or re-times one session at a site.
    pub async fn save_site_session(
        &self,
        actor: &Actor,
        site_id: &str,
        session: Session,
        open: bool,
        starts: &str,
        ends: &str,
    ) -> AppResult<()> {
        let times = if open {
            Some(SessionTimes::parse(starts, ends)?)
        } else {
            None
        };
        let mut tx = self.store().begin().await?;
        let site = store::sites::get_site(&mut tx, site_id)
            .await?
            .ok_or(AppError::NotFound)?;
        access::authorize(
            &mut tx,
            actor,
            Permission::Manage,
            Tenant::Practice(&site.practice_ods),
        )
        .await?;
        let default = session.default_times();
        let t = times.unwrap_or(default);
        let row = SiteSessionRow {
            site_id: site_id.to_string(),
            session: session.code().to_string(),
            starts: t.starts.format("%H:%M").to_string(),
            ends: t.ends.format("%H:%M").to_string(),
            open,
        };
        store::rota::upsert_site_session(&mut tx, &row).await?;
        let change = Change {
            action: "updated",
            entity: "site_session",
            entity_id: site_id,
            tenant: &site.practice_ods,
            before: None,
            after: json(&row),
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await
    }

    /// A person's rota rules, for a manager who can see them.
    pub async fn rota_rules(&self, actor: &Actor, staff_id: &str) -> AppResult<RotaRules> {
        let mut conn = self.store().conn().await?;
        access::visible_staff(&mut conn, actor, staff_id).await?;
        Ok(store::rota::list_rules(&mut conn, &[staff_id.to_string()])
            .await?
            .first()
            .map(rules_from_row)
            .unwrap_or_default())
    }

    /// Sets a person's rota rules (their manager only), audited.
    pub async fn save_rota_rules(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &RotaRulesForm,
    ) -> AppResult<RotaRules> {
        let rules = form.parse()?;
        let mut tx = self.store().begin().await?;
        let person = access::visible_staff(&mut tx, actor, staff_id).await?;
        if !access::can_manage_staff(&mut tx, actor, &person).await? {
            return Err(AppError::Forbidden);
        }
        let before = store::rota::list_rules(&mut tx, &[staff_id.to_string()]).await?;
        let now = self.now();
        let n = |v: Option<u32>| v.map(i64::from);
        let row = RulesRow {
            staff_id: staff_id.to_string(),
            fixed_sessions: rules.fixed_text(),
            days_never: rules.days_never_text(),
            max_evenings_month: n(rules.max_evenings_month),
            max_saturdays_month: n(rules.max_saturdays_month),
            appointments_per_session: n(rules.appointments_per_session),
            appointment_minutes: n(rules.appointment_minutes),
            updated_at: now.clone(),
        };
        store::rota::upsert_rules(&mut tx, &row).await?;
        let change = Change {
            action: "updated",
            entity: "rota_rules",
            entity_id: staff_id,
            tenant: &crate::access::tenant_of(&person.draft.employer),
            before: json(&before.first()),
            after: json(&row),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(rules)
    }

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

    /// The token of the actor's private calendar feed, made on first use.
    pub async fn my_calendar_token(&self, actor: &Actor) -> AppResult<String> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::NotFound)?;
        let mut tx = self.store().begin().await?;
        if let Some(token) = store::rota::calendar_token(&mut tx, staff_id).await? {
            return Ok(token);
        }
        let token = crate::auth::random_token();
        let now = self.now();
        store::rota::insert_calendar_token(&mut tx, staff_id, &token, &now).await?;
        let change = Change {
            action: "created",
            entity: "calendar_feed",
            entity_id: staff_id,
            tenant: staff_id,
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
        let mut tx = self.store().begin().await?;
        let person = store::staff::get(&mut tx, staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let had = store::rota::calendar_token(&mut tx, staff_id)
            .await?
            .is_some();
        store::rota::delete_calendar_token(&mut tx, staff_id).await?;
        let token = crate::auth::random_token();
        let now = self.now();
        store::rota::insert_calendar_token(&mut tx, staff_id, &token, &now).await?;
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
            chrono::Utc::now(),
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
        let person = store::staff::get(&mut conn, &staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let today = self.today();
        let from = today - chrono::Days::new(28);
        let to = today + chrono::Days::new(366);
        let sessions = store::rota::published_for_staff(
            &mut conn,
            &staff_id,
            &from.to_string(),
            &to.to_string(),
        )
        .await?;
        let mut site_ids: Vec<String> = sessions.iter().map(|s| s.site_id.clone()).collect();
        site_ids.sort();
        site_ids.dedup();
        let rows = store::rota::list_site_sessions(&mut conn, &site_ids).await?;
        let mut events = Vec::new();
        for s in sessions {
            let (Ok(date), Ok(session)) = (
                chrono::NaiveDate::parse_from_str(&s.day, "%Y-%m-%d"),
                Session::parse(&s.session),
            ) else {
                continue;
            };
            let times = super::site_sessions(&s.site_id, &rows)
                .get(&session)
                .copied()
                .unwrap_or(session.default_times());
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
