//! What a rota is built from, as a manager sets it: each site's cover template and session
//! times, and each person's rota rules.
use super::{RotaScope, rules_from_row, scope_practices};
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use domain::role::StaffGroup;
use domain::rota::{
    CoverForm, CoverNeed, CoverRequirement, RotaRules, RotaRulesForm, Session, SessionTimes,
};
use domain::{FieldError, FieldErrors};
use std::collections::BTreeMap;
use store::rota::{CoverRow, RulesRow, SiteSessionRow};

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
    /// Forecast appointments of the HCP type in an average weekday session.
    pub hcp_appointments: f64,
    /// The part of them this staff group is to give: all of a GP's; of "Other Practice
    /// staff", the group's share of the sessions the practice's nurses and direct patient
    /// care staff work.
    pub share: f64,
    /// Appointments for this group in an average weekday session (`hcp_appointments ×
    /// share`).
    pub appointments: f64,
    /// Appointments one person gives in a session (the practice's capacity rules).
    pub per_person: f64,
    /// Appointments ÷ per person, rounded up.
    pub people: u32,
}

/// Forecast weeks averaged for a suggestion.
pub const SUGGESTION_WEEKS: usize = 4;

/// The staff groups that give each GPAD HCP type's appointments, as capacity counts them
/// (`analytics::capacity::hcp_type`).
const SUPPLIERS: [(&str, &[StaffGroup]); 2] = [
    (analytics::capacity::GP, &[StaffGroup::Gp]),
    (
        analytics::capacity::OTHER_STAFF,
        &[StaffGroup::Nurses, StaffGroup::DirectPatientCare],
    ),
];

/// Turns forecast appointments a week (`DemandCapacity::weeks`: Monday, HCP type, demand,
/// capacity) into people a weekday session, per staff group.
///
/// A week's demand is spread over its weekday sessions (AM and PM of each working day, so
/// a week with a bank holiday has 8), averaged over the first `SUGGESTION_WEEKS` weeks that
/// have not ended by `today`. GP appointments are for GPs. "Other Practice staff" covers
/// everyone else clinical (nurses, healthcare assistants, pharmacists, physiotherapists…),
/// so it is shared between nurses and direct patient care in proportion to `sessions`, the
/// sessions a week each staff group works at the practice (all to nurses when neither
/// works any). Each group's appointments ÷ what one person gives a session, rounded up.
pub fn suggest_cover(
    weeks: &[(chrono::NaiveDate, String, f64, f64)],
    rules: &analytics::capacity::CapacityRules,
    sessions: &BTreeMap<StaffGroup, f64>,
    today: chrono::NaiveDate,
) -> Vec<SuggestedCover> {
    let mut out = Vec::new();
    for (hcp, groups) in SUPPLIERS {
        let per_session: Vec<f64> = weeks
            .iter()
            .filter(|w| w.1 == hcp && w.0 + chrono::Days::new(6) >= today)
            .filter_map(|w| {
                let working = (0..5)
                    .filter(|d| analytics::calendar::is_working_day(w.0 + chrono::Days::new(*d)))
                    .count();
                (working > 0).then(|| w.2 / (2 * working) as f64)
            })
            .take(SUGGESTION_WEEKS)
            .collect();
        if per_session.is_empty() {
            continue;
        }
        let hcp_appointments = per_session.iter().sum::<f64>() / per_session.len() as f64;
        let worked: f64 = groups
            .iter()
            .map(|g| sessions.get(g).copied().unwrap_or(0.0).max(0.0))
            .sum();
        for (i, group) in groups.iter().enumerate() {
            let share = if worked > 0.0 {
                sessions.get(group).copied().unwrap_or(0.0).max(0.0) / worked
            } else if i == 0 {
                1.0
            } else {
                0.0
            };
            let per_person = rules.per_session.get(group).copied().unwrap_or(0.0);
            if share <= 0.0 || per_person <= 0.0 {
                continue;
            }
            let appointments = hcp_appointments * share;
            // A hair below a whole number (float noise) is that number, not one more person.
            let people = (appointments / per_person - 1e-9).ceil().max(0.0) as u32;
            out.push(SuggestedCover {
                need: CoverNeed::Group(*group),
                hcp_type: hcp.to_string(),
                hcp_appointments,
                share,
                appointments,
                per_person,
                people,
            });
        }
    }
    out
}

/// One site's cover with its practice's suggestion applied: the weekday AM and PM rows of
/// each need suggested are replaced, every other row is kept. `practice_cover` is the
/// current cover of all the practice's sites (the suggestion is for them together), so
/// with several sites this one takes what the others do not already give: its ideal is the
/// people suggested less the other sites' ideals in that session, its minimum the whole
/// people the demand fully occupies (rounded down, at least one when there is any) less
/// the other sites' minimums. A session left needing nobody has no row.
pub fn cover_from_suggestion(
    site_id: &str,
    suggestion: &[SuggestedCover],
    practice_cover: &[CoverRequirement],
) -> Vec<CoverRequirement> {
    let weekday_slot = |c: &CoverRequirement| {
        matches!(c.session, Session::Am | Session::Pm) && c.weekday.num_days_from_monday() < 5
    };
    let mut out: Vec<CoverRequirement> = practice_cover
        .iter()
        .filter(|c| c.site_id == site_id)
        .filter(|c| !(weekday_slot(c) && suggestion.iter().any(|s| s.need == c.need)))
        .cloned()
        .collect();
    for s in suggestion {
        let ideal = s.people.min(domain::rota::MAX_COVER);
        let whole = (s.appointments / s.per_person + 1e-9).floor().max(0.0) as u32;
        let minimum = whole.max(u32::from(ideal > 0)).min(ideal);
        for weekday in &domain::rota::ROTA_WEEKDAYS[..5] {
            for session in [Session::Am, Session::Pm] {
                let others = practice_cover.iter().filter(|c| {
                    c.site_id != site_id
                        && c.weekday == *weekday
                        && c.session == session
                        && c.need == s.need
                });
                let (others_min, others_ideal) =
                    others.fold((0u32, 0u32), |(m, i), c| (m + c.minimum, i + c.ideal));
                let ideal = ideal.saturating_sub(others_ideal);
                let minimum = minimum.saturating_sub(others_min).min(ideal);
                if ideal > 0 {
                    out.push(CoverRequirement {
                        site_id: site_id.to_string(),
                        weekday: *weekday,
                        session,
                        need: s.need.clone(),
                        minimum,
                        ideal,
                    });
                }
            }
        }
    }
    out
}

/// A site's cover requirements as the rows the store keeps.
fn cover_rows(site_id: &str, cover: &[CoverRequirement]) -> Vec<CoverRow> {
    cover
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
        .collect()
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
    pub person: store::register::StaffRecord,
    pub rules: RotaRules,
    /// Whether the actor manages the person (and so may change the rules).
    pub may_change: bool,
    /// The sites the rota may place them at: "name (ODS)".
    pub sites: Vec<String>,
}

/// A session opened, closed or re-timed at a site, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
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

/// The site a cover or session change is about, once the actor's right to manage its
/// practice is checked: `NotFound` for no such site, `Forbidden` for someone else's.
async fn managed_site(
    conn: &mut store::Conn,
    actor: &Actor,
    site_id: &str,
) -> AppResult<store::sites::SiteRecord> {
    crate::access::site_checked(conn, actor, site_id, Permission::Manage).await
}

impl super::Rota<'_> {
    /// What a practice's demand forecast suggests for its cover (`suggest_cover`), from the
    /// sessions its team works. A practice whose area has no appointment data has no
    /// forecast: its suggestion is empty rather than an error.
    pub async fn suggested_cover(&self, actor: &Actor, ods: &str) -> AppResult<PracticeSuggestion> {
        let dc = match self
            .demand()
            .demand_capacity(actor, Tenant::Practice(ods))
            .await
        {
            Ok(dc) => dc,
            Err(AppError::Forbidden) => return Err(AppError::Forbidden),
            Err(_) => {
                return Ok(PracticeSuggestion {
                    ods: ods.to_string(),
                    title: ods.to_string(),
                    from: None,
                    cover: Vec::new(),
                });
            }
        };
        // Sessions a week by staff group, shared evenly by people at several practices,
        // as capacity counts them.
        let mut conn = self.store().conn().await?;
        let today = self.today();
        let team = store::register::list(
            &mut conn,
            store::register::StaffScope::WorksAt(ods),
            &store::register::StaffFilter::employed_on(today),
        )
        .await?;
        let mut sessions: BTreeMap<StaffGroup, f64> = BTreeMap::new();
        for person in &team {
            let d = &person.draft;
            *sessions.entry(d.role.staff_group()).or_default() +=
                d.sessions_per_week / d.practices.len().max(1) as f64;
        }
        let cover = suggest_cover(&dc.weeks, &dc.rules, &sessions, today);
        let from = dc
            .weeks
            .iter()
            .map(|w| w.0)
            .find(|monday| *monday + chrono::Days::new(6) >= today);
        Ok(PracticeSuggestion {
            ods: ods.to_string(),
            title: dc.title,
            from: from.filter(|_| !cover.is_empty()),
            cover,
        })
    }

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
            suggested.push(self.suggested_cover(actor, ods).await?);
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
        let site = managed_site(&mut tx, actor, site_id).await?;
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
        let rows = cover_rows(site_id, &parsed);
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

    /// Sets one site's weekday AM and PM cover from its practice's demand forecast
    /// (`suggest_cover`, applied by `cover_from_suggestion`) in one transaction, audited;
    /// returns the site's cover as saved. The suggestion is worked out here, not taken from
    /// the form. `Conflict` when the practice has no forecast.
    pub async fn apply_suggested_cover(
        &self,
        actor: &Actor,
        site_id: &str,
    ) -> AppResult<Vec<CoverRequirement>> {
        // The right to the site first, before the forecast is worked out.
        let ods = {
            let mut conn = self.store().conn().await?;
            let site = managed_site(&mut conn, actor, site_id).await?;
            site.practice_ods
        };
        let suggested = self.suggested_cover(actor, &ods).await?;
        if suggested.cover.is_empty() {
            return Err(AppError::Conflict(format!(
                "{} has no demand forecast to suggest cover from: import GPAD appointments for its area first",
                suggested.title
            )));
        }
        let suggestion = suggested.cover;
        let mut tx = self.store().begin().await?;
        let site = managed_site(&mut tx, actor, site_id).await?;
        let practice_sites: Vec<String> =
            store::sites::list_sites(&mut tx, std::slice::from_ref(&ods))
                .await?
                .into_iter()
                .map(|s| s.id)
                .collect();
        let stored = store::rota::list_cover(&mut tx, &practice_sites).await?;
        let current: Vec<CoverRequirement> =
            stored.iter().filter_map(super::cover_from_row).collect();
        let cover = cover_from_suggestion(site_id, &suggestion, &current);
        let before: Vec<&CoverRow> = stored.iter().filter(|c| c.site_id == site_id).collect();
        let rows = cover_rows(site_id, &cover);
        store::rota::replace_cover(&mut tx, site_id, &rows).await?;
        let change = Change {
            action: "suggested",
            entity: "cover_template",
            entity_id: site_id,
            tenant: &site.practice_ods,
            before: json(&before),
            after: json(&serde_json::json!({ "cover": rows, "suggestion": suggestion })),
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        Ok(cover)
    }

    /// Opens, closes or re-times one session at a site, audited. Closing keeps the times
    /// stored (or the defaults) for when it opens again.
    pub async fn save_site_session(
        &self,
        actor: &Actor,
        site_id: &str,
        form: &SiteSessionForm,
    ) -> AppResult<()> {
        self.save_site_session_checked(actor, site_id, form, true)
            .await?
            .done()
            .ok_or_else(|| AppError::Internal("a confirmed change was not saved".into()))
    }

    /// `save_site_session`, checked against the published rotas first: closing a session
    /// a published rota books is saved only when `confirmed` (`super::stale`).
    pub async fn save_site_session_checked(
        &self,
        actor: &Actor,
        site_id: &str,
        form: &SiteSessionForm,
        confirmed: bool,
    ) -> AppResult<super::stale::Checked<()>> {
        let mut tx = self.store().begin().await?;
        let site = managed_site(&mut tx, actor, site_id).await?;
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
        let practices = [site.practice_ods.clone()];
        let watch = super::stale::Watch::start(&mut tx, &practices, &[], self.today()).await?;
        store::rota::upsert_site_session(&mut tx, &row).await?;
        let what = format!("Changing the {} session", session.label());
        if let Some(breaks) = self
            .settle_watch(&mut tx, &watch, confirmed, &what, None)
            .await?
        {
            return Ok(super::stale::Checked::Confirm(breaks));
        }
        let change = Change {
            action: "updated",
            entity: "site_session",
            entity_id: site_id,
            tenant: &site.practice_ods,
            before: json(&before.iter().find(|r| r.session == row.session)),
            after: json(&row),
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        self.notifications().email_nudge();
        Ok(super::stale::Checked::Done(()))
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
}

#[cfg(test)]
#[path = "setup_tests.rs"]
mod tests;
