//! What a rota is built from, as a manager sets it: each site's cover template and session
//! times, and each person's rota rules; and what staff see: their published rota and the
//! private calendar feed of it.
use super::{RotaScope, rules_from_row, scope_practices};
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{App, Change, commit_with_audit, json};
use domain::rota::{
    CoverForm, CoverNeed, CoverRequirement, RotaRules, RotaRulesForm, Session, SessionTimes,
};
use domain::{FieldError, FieldErrors};
use store::rota::{CoverRow, PublishedAssignment, RulesRow, SiteSessionRow};

/// A practice's (or PCN's) cover template: per site, its sessions and requirements, and
/// beside them the cover each practice's demand forecast suggests.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CoverTemplate {
    pub sites: Vec<TemplateSite>,
    /// One per practice of the scope, in the order of `sites`' practices.
    pub suggested: Vec<PracticeSuggestion>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TemplateSite {
    pub id: String,
    pub name: String,
    pub practice_ods: String,
    /// Every session of the day, with its times and whether it runs at this site.
    pub sessions: Vec<SiteSession>,
    pub cover: Vec<CoverRequirement>,
}

/// One session at one site.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteSession {
    pub session: Session,
    pub times: SessionTimes,
    pub state: SessionState,
}

/// Whether a session runs at a site, and why: the same rule `load_input` applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SessionState {
    /// Open (AM and PM by default; an evening or Saturday opened by a manager).
    Open,
    /// An evening or Saturday not opened by hand, running because the template asks for
    /// cover in it.
    OpenForCover,
    /// An evening or Saturday not opened: it runs only if the template asks for cover.
    ClosedUnlessCovered,
    /// Closed by a manager: cover asked for in it is ignored.
    Closed,
}

impl SessionState {
    pub fn runs(self) -> bool {
        matches!(self, SessionState::Open | SessionState::OpenForCover)
    }

    pub fn label(self) -> &'static str {
        match self {
            SessionState::Open => "Open",
            SessionState::OpenForCover => "Open: the template asks for cover",
            SessionState::ClosedUnlessCovered => "Closed unless the template asks for cover",
            SessionState::Closed => "Closed",
        }
    }
}

/// The state of each session at a site, from its stored rows and its cover.
pub fn session_states(
    site_id: &str,
    rows: &[SiteSessionRow],
    cover: &[CoverRequirement],
) -> Vec<SiteSession> {
    let times = super::site_sessions(site_id, rows);
    Session::ALL
        .into_iter()
        .map(|session| {
            let row = rows
                .iter()
                .find(|r| r.site_id == site_id && r.session == session.code());
            let covered = cover
                .iter()
                .any(|c| c.site_id == site_id && c.session == session);
            let state = match (row.map(|r| r.open), session) {
                (Some(false), _) => SessionState::Closed,
                (_, Session::Am | Session::Pm) | (Some(true), _) => SessionState::Open,
                (None, _) if covered => SessionState::OpenForCover,
                (None, _) => SessionState::ClosedUnlessCovered,
            };
            let times = times
                .get(&session)
                .copied()
                .or_else(|| row.and_then(|r| SessionTimes::parse(&r.starts, &r.ends).ok()))
                .unwrap_or(session.default_times());
            SiteSession {
                session,
                times,
                state,
            }
        })
        .collect()
}

/// What a practice's demand forecast suggests for its cover.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PracticeSuggestion {
    pub ods: String,
    pub title: String,
    /// The first forecast week used (its Monday); `None` when there is no forecast.
    pub from: Option<chrono::NaiveDate>,
    /// Empty when the practice has no forecast (no appointment data for its area).
    pub cover: Vec<SuggestedCover>,
}

/// People a weekday session that would meet forecast demand for one staff group.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SuggestedCover {
    pub need: CoverNeed,
    /// The GPAD HCP type the demand is counted in (`GP`, `Other Practice staff`).
    pub hcp_type: String,
    /// Forecast appointments in an average weekday session.
    pub appointments: f64,
    /// Appointments one person gives in a session (the practice's capacity rules).
    pub per_person: f64,
    /// Appointments ÷ per person, rounded up.
    pub people: u32,
}

/// Forecast weeks averaged for a suggestion.
pub const SUGGESTION_WEEKS: usize = 4;
/// AM and PM on five weekdays: the sessions a week's demand is spread over.
const WEEKDAY_SESSIONS: f64 = 10.0;

/// Turns forecast appointments a week (`DemandCapacity::weeks`: Monday, HCP type, demand,
/// capacity) into people a weekday session: the average of the first `SUGGESTION_WEEKS`
/// weeks, spread evenly over ten weekday sessions, divided by what one person gives a
/// session, rounded up. GP appointments suggest GPs; other practice staff's suggest nurses.
pub fn suggest_cover(
    weeks: &[(chrono::NaiveDate, String, f64, f64)],
    rules: &analytics::capacity::CapacityRules,
) -> Vec<SuggestedCover> {
    use domain::role::StaffGroup;
    let mut out = Vec::new();
    for (hcp, group) in [
        (analytics::capacity::GP, StaffGroup::Gp),
        (analytics::capacity::OTHER_STAFF, StaffGroup::Nurses),
    ] {
        let demand: Vec<f64> = weeks
            .iter()
            .filter(|w| w.1 == hcp)
            .take(SUGGESTION_WEEKS)
            .map(|w| w.2)
            .collect();
        let per_person = rules.per_session.get(&group).copied().unwrap_or(0.0);
        if demand.is_empty() || per_person <= 0.0 {
            continue;
        }
        let appointments = demand.iter().sum::<f64>() / demand.len() as f64 / WEEKDAY_SESSIONS;
        // A hair below a whole number (float noise) is that number, not one more person.
        let people = (appointments / per_person - 1e-9).ceil().max(0.0) as u32;
        out.push(SuggestedCover {
            need: CoverNeed::Group(group),
            hcp_type: hcp.to_string(),
            appointments,
            per_person,
            people,
        });
    }
    out
}

/// Checks the rows of a site's cover template: the requirements, or each bad row's index
/// (from 0) with its problem. Two rows for the same weekday, session and need are refused.
pub fn check_cover(
    site_id: &str,
    rows: &[CoverForm],
) -> Result<Vec<CoverRequirement>, Vec<(usize, FieldError)>> {
    let mut problems = Vec::new();
    let mut parsed: Vec<CoverRequirement> = Vec::new();
    for (i, form) in rows.iter().enumerate() {
        let form = CoverForm {
            site_id: site_id.to_string(),
            ..form.clone()
        };
        match form.parse() {
            Ok(c) => {
                if parsed
                    .iter()
                    .any(|b| (b.weekday, b.session, &b.need) == (c.weekday, c.session, &c.need))
                {
                    problems.push((
                        i,
                        FieldError::new(
                            "need",
                            format!(
                                "{} {} {} is listed twice",
                                domain::rota::weekday_name(c.weekday),
                                c.session.label(),
                                c.need.label()
                            ),
                        ),
                    ));
                }
                parsed.push(c);
            }
            Err(e) => problems.extend(e.0.into_iter().map(|f| (i, f))),
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        Err(problems)
    }
}

/// A person's rota rules and what else a rota takes from their record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PersonRotaRules {
    pub person: store::staff::StaffRecord,
    pub rules: RotaRules,
    /// Whether the actor manages the person (and so may change the rules).
    pub may_change: bool,
    /// The sites the rota may place them at: "name (ODS)".
    pub sites: Vec<String>,
}

/// A session opened, closed or re-timed at a site, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct SiteSessionForm {
    /// `am`, `pm`, `evening`, `saturday`.
    pub session: String,
    /// `yes` or `no`.
    pub open: String,
    /// HH:MM; may be left empty when closing.
    pub starts: String,
    pub ends: String,
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
        let cover: Vec<CoverRequirement> = store::rota::list_cover(&mut conn, &ids)
            .await?
            .iter()
            .filter_map(super::cover_from_row)
            .collect();
        drop(conn);
        let mut suggested = Vec::new();
        for ods in &practices {
            // A practice whose area has no appointment data has no forecast: it is shown
            // as such rather than failing the page.
            let dc = self.demand_capacity(actor, Tenant::Practice(ods)).await;
            let (title, from, suggestion) = match dc {
                Ok(dc) => (
                    dc.title.clone(),
                    dc.weeks.first().map(|w| w.0),
                    suggest_cover(&dc.weeks, &dc.rules),
                ),
                Err(_) => (ods.clone(), None, Vec::new()),
            };
            suggested.push(PracticeSuggestion {
                ods: ods.clone(),
                title,
                from: from.filter(|_| !suggestion.is_empty()),
                cover: suggestion,
            });
        }
        Ok(CoverTemplate {
            sites: sites
                .into_iter()
                .map(|s| TemplateSite {
                    sessions: session_states(&s.id, &session_rows, &cover),
                    cover: cover
                        .iter()
                        .filter(|c| c.site_id == s.id)
                        .cloned()
                        .collect(),
                    id: s.id,
                    name: s.site.name,
                    practice_ods: s.practice_ods,
                })
                .collect(),
            suggested,
        })
    }

    /// Replaces one site's cover template in one transaction, audited. The manager's right
    /// to the site is checked first; then every row, and a bad row (its number, field and
    /// problem) changes nothing.
    pub async fn save_cover(
        &self,
        actor: &Actor,
        site_id: &str,
        rows: &[CoverForm],
    ) -> AppResult<()> {
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
        let parsed = check_cover(site_id, rows).map_err(|problems| {
            FieldErrors(
                problems
                    .into_iter()
                    .map(|(i, f)| {
                        FieldError::new(
                            "cover",
                            format!("Row {}, {}: {}", i + 1, f.field, f.message),
                        )
                    })
                    .collect(),
            )
        })?;
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

    /// Opens, closes or re-times one session at a site, audited. Closing keeps the times
    /// stored (or the defaults) for when it opens again.
    pub async fn save_site_session(
        &self,
        actor: &Actor,
        site_id: &str,
        form: &SiteSessionForm,
    ) -> AppResult<()> {
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
        let mut errors = FieldErrors::default();
        let session = errors.take(Session::parse(&form.session));
        let open = match form.open.trim() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.push(FieldError::new("open", "Choose open or closed"));
                None
            }
        };
        let before = store::rota::list_site_sessions(&mut tx, &[site_id.to_string()]).await?;
        let stored = |s: Session| {
            before
                .iter()
                .find(|r| r.session == s.code())
                .and_then(|r| SessionTimes::parse(&r.starts, &r.ends).ok())
                .unwrap_or(s.default_times())
        };
        let times = match (session, open) {
            (Some(s), Some(false))
                if form.starts.trim().is_empty() && form.ends.trim().is_empty() =>
            {
                Some(stored(s))
            }
            _ => match SessionTimes::parse(&form.starts, &form.ends) {
                Ok(t) => Some(t),
                Err(e) => {
                    errors.0.extend(e.0);
                    None
                }
            },
        };
        errors.into_result()?;
        let (session, open, t) = (
            session.expect("checked"),
            open.expect("checked"),
            times.expect("checked"),
        );
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
            before: json(&before.iter().find(|r| r.session == row.session)),
            after: json(&row),
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await
    }

    /// A person's rota rules with what else the rota takes from their record (contract,
    /// practices and sites), for someone who can see them; `may_change` for their manager.
    pub async fn rota_rules(&self, actor: &Actor, staff_id: &str) -> AppResult<PersonRotaRules> {
        let mut conn = self.store().conn().await?;
        let person = access::visible_staff(&mut conn, actor, staff_id).await?;
        let may_change = access::can_manage_staff(&mut conn, actor, &person).await?;
        let rules = store::rota::list_rules(&mut conn, &[staff_id.to_string()])
            .await?
            .first()
            .map(rules_from_row)
            .unwrap_or_default();
        let practices: Vec<String> = person
            .draft
            .practices
            .iter()
            .map(|p| p.as_str().to_string())
            .collect();
        let sites = store::sites::list_sites(&mut conn, &practices)
            .await?
            .into_iter()
            .filter(|s| person.site_ids.is_empty() || person.site_ids.contains(&s.id))
            .map(|s| format!("{} ({})", s.site.name, s.practice_ods))
            .collect();
        Ok(PersonRotaRules {
            person,
            rules,
            may_change,
            sites,
        })
    }

    /// Sets a person's rota rules (their manager only), audited.
    pub async fn save_rota_rules(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &RotaRulesForm,
    ) -> AppResult<RotaRules> {
        let mut tx = self.store().begin().await?;
        let person = access::visible_staff(&mut tx, actor, staff_id).await?;
        if !access::can_manage_staff(&mut tx, actor, &person).await? {
            return Err(AppError::Forbidden);
        }
        let rules = form.parse()?;
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
        let person = store::staff::get(&mut tx, staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let token = crate::auth::random_token();
        let now = self.now();
        store::rota::insert_calendar_token(&mut tx, staff_id, &token, &now).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::role::StaffGroup;

    fn week(day: u32, hcp: &str, demand: f64) -> (NaiveDate, String, f64, f64) {
        (
            NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            hcp.to_string(),
            demand,
            0.0,
        )
    }

    #[test]
    fn demand_suggests_people_a_weekday_session() {
        let mut rules = analytics::capacity::CapacityRules::default();
        rules.per_session.insert(StaffGroup::Nurses, 10.0);
        let weeks = vec![
            week(2, "GP", 300.0),
            week(9, "GP", 340.0),
            week(16, "GP", 320.0),
            week(23, "GP", 320.0),
            // The fifth week is beyond the average.
            week(30, "GP", 9000.0),
            week(2, "Other Practice staff", 200.0),
            week(9, "Unknown", 5000.0),
        ];
        let suggested = suggest_cover(&weeks, &rules);
        assert_eq!(suggested.len(), 2);
        // GP: 320 a week → 32 a session → 32 / 12 = 2.67 → 3 GPs.
        assert_eq!(suggested[0].need, CoverNeed::Group(StaffGroup::Gp));
        assert!((suggested[0].appointments - 32.0).abs() < 1e-9);
        assert_eq!(suggested[0].people, 3);
        // Nurses: 200 a week → 20 a session at the practice's 10 each → exactly 2.
        assert_eq!(suggested[1].need, CoverNeed::Group(StaffGroup::Nurses));
        assert_eq!(suggested[1].per_person, 10.0);
        assert_eq!(suggested[1].people, 2);
        assert!(suggest_cover(&[], &rules).is_empty());
    }

    #[test]
    fn evenings_run_when_opened_or_covered_and_a_closed_session_stays_closed() {
        let row = |session: &str, open: bool| SiteSessionRow {
            site_id: "s".into(),
            session: session.into(),
            starts: "18:00".into(),
            ends: "20:30".into(),
            open,
        };
        let saturday_cover = CoverRequirement {
            site_id: "s".into(),
            weekday: chrono::Weekday::Sat,
            session: Session::Saturday,
            need: CoverNeed::Group(StaffGroup::Gp),
            minimum: 1,
            ideal: 1,
        };
        let states = |rows: &[SiteSessionRow], cover: &[CoverRequirement]| {
            session_states("s", rows, cover)
                .into_iter()
                .map(|s| s.state)
                .collect::<Vec<_>>()
        };
        use SessionState::*;
        assert_eq!(
            states(&[], &[]),
            [Open, Open, ClosedUnlessCovered, ClosedUnlessCovered]
        );
        assert_eq!(
            states(
                &[row("evening", true)],
                std::slice::from_ref(&saturday_cover)
            ),
            [Open, Open, Open, OpenForCover]
        );
        assert_eq!(
            states(
                &[row("pm", false), row("saturday", false)],
                &[saturday_cover]
            ),
            [Open, Closed, ClosedUnlessCovered, Closed]
        );
        let evening = &session_states("s", &[row("evening", true)], &[])[2];
        assert_eq!(evening.times.starts.to_string(), "18:00:00");
    }
}
