//! One list of what staff ask of published rotas, for the managers who decide it: swap and
//! cover requests, and requests for a session off that fall on a session a published rota
//! books. Approving a session off takes the session out of the rota (every rule checked
//! again, as for a swap); declining records the reason the person reads on My rota.
use super::swaps::{Decision, GiveUp, rota_after};
use super::{EditOutcome, RotaProblem, RotaScope, scope_practices};
use crate::access::{self, Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use chrono::NaiveDate;
use domain::account::UserRole;
use domain::rota::{Session, SessionWish};
use std::collections::BTreeMap;
use store::rota::decisions::SessionRequestDecision;
use store::rota::{PublishedAssignment, RotaRow, SessionRequestRow};

/// What kind of request a line of the list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum RequestKind {
    /// Give a session to a colleague, or have it covered.
    Swap,
    /// Have a booked session off.
    SessionOff,
}

/// One request waiting for a decision.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RequestToDecide {
    pub kind: RequestKind,
    pub id: String,
    /// The published rota that books the session, and its version (an approval changes it).
    pub rota_id: String,
    pub version: i64,
    pub staff_id: String,
    pub requester: String,
    pub date: NaiveDate,
    pub session: Session,
    pub site_name: String,
    /// The colleague who would take it (a swap), if named.
    pub colleague: Option<String>,
    pub note: Option<String>,
}

/// The practices and PCNs whose rotas a manager changes.
async fn managed_scopes(
    conn: &mut store::Conn,
    actor: &Actor,
) -> AppResult<(Vec<String>, Vec<String>)> {
    Ok(match actor.role {
        UserRole::PracticeManager => (vec![actor.org.clone()], Vec::new()),
        UserRole::PcnManager => {
            let practices = scope_practices(conn, &RotaScope::Pcn(actor.org.clone())).await?;
            (practices, vec![actor.org.clone()])
        }
        _ => return Err(AppError::Forbidden),
    })
}

/// The published session of `staff_id` on `day` and `session`, as the rotas speak for it.
async fn booked(
    conn: &mut store::Conn,
    staff_id: &str,
    day: &str,
    session: &str,
) -> AppResult<Option<PublishedAssignment>> {
    Ok(store::rota::published_for_staff(conn, staff_id, day, day)
        .await?
        .into_iter()
        .find(|a| a.session == session))
}

fn parse_day(text: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| AppError::Internal(format!("stored day '{text}' is not a date")))
}

fn parse_session(text: &str) -> AppResult<Session> {
    Session::parse(text).map_err(|_| AppError::Internal(format!("stored session '{text}'")))
}

impl super::Rota<'_> {
    /// The requests the actor (a practice or PCN manager) decides, soonest first: open swap
    /// and cover requests on the published rotas they manage, and open requests for a
    /// session off that such a rota books, from today on.
    pub async fn requests_to_decide(&self, actor: &Actor) -> AppResult<Vec<RequestToDecide>> {
        let mut conn = self.store().conn().await?;
        let (practices, pcns) = managed_scopes(&mut conn, actor).await?;
        let today = self.today();
        let mut rotas: BTreeMap<String, RotaRow> = BTreeMap::new();
        for row in store::rota::list_rotas_for_scopes(&mut conn, &practices, &pcns, 500).await? {
            if row.published_at.is_some() && row.ends_before()? > today {
                rotas.insert(row.id.clone(), row);
            }
        }
        let ids: Vec<String> = rotas.keys().cloned().collect();
        let mut names: BTreeMap<String, String> = BTreeMap::new();
        let mut out = Vec::new();
        for swap in store::rota::decisions::open_swaps(&mut conn, &ids).await? {
            let date = parse_day(&swap.day)?;
            if date < today {
                continue;
            }
            let site_name = booked(&mut conn, &swap.staff_id, &swap.day, &swap.session)
                .await?
                .filter(|b| b.rota_id == swap.rota_id)
                .map(|b| b.site_name)
                .unwrap_or_default();
            let colleague = match &swap.with_staff_id {
                Some(id) => Some(self.name_of(&mut conn, &mut names, id).await?),
                None => None,
            };
            out.push(RequestToDecide {
                kind: RequestKind::Swap,
                requester: self.name_of(&mut conn, &mut names, &swap.staff_id).await?,
                version: rotas[&swap.rota_id].version,
                date,
                session: parse_session(&swap.session)?,
                site_name,
                colleague,
                note: swap.note,
                id: swap.id,
                rota_id: swap.rota_id,
                staff_id: swap.staff_id,
            });
        }
        let scope = match actor.role {
            UserRole::PcnManager => store::register::StaffScope::Pcn(&actor.org),
            _ => store::register::StaffScope::WorksAt(&actor.org),
        };
        let horizon = today + chrono::Days::new(super::mine::AHEAD_DAYS);
        let during = store::register::StaffFilter::employed_during(today, horizon);
        let staff: Vec<String> = store::register::list(&mut conn, scope, &during)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let (from, to) = (today.to_string(), horizon.to_string());
        for request in
            store::rota::decisions::open_off_requests(&mut conn, &staff, &from, &to).await?
        {
            let Some(b) =
                booked(&mut conn, &request.staff_id, &request.day, &request.session).await?
            else {
                continue;
            };
            let Some(rota) = rotas.get(&b.rota_id) else {
                continue;
            };
            out.push(RequestToDecide {
                kind: RequestKind::SessionOff,
                requester: self
                    .name_of(&mut conn, &mut names, &request.staff_id)
                    .await?,
                version: rota.version,
                rota_id: rota.id.clone(),
                date: parse_day(&request.day)?,
                session: parse_session(&request.session)?,
                site_name: b.site_name,
                colleague: None,
                note: request.note,
                id: request.id,
                staff_id: request.staff_id,
            });
        }
        out.sort_by(|a, b| {
            (a.date, a.session, &a.requester).cmp(&(b.date, b.session, &b.requester))
        });
        Ok(out)
    }

    async fn name_of(
        &self,
        conn: &mut store::Conn,
        names: &mut BTreeMap<String, String>,
        id: &str,
    ) -> AppResult<String> {
        if let Some(name) = names.get(id) {
            return Ok(name.clone());
        }
        let name = store::register::get(conn, id)
            .await?
            .map(|p| p.draft.name)
            .unwrap_or_default();
        names.insert(id.to_string(), name.clone());
        Ok(name)
    }

    /// Approves a request for a session off (the session leaves the published rota that
    /// books it, every rule checked again; refused with the reasons unless overridden) or
    /// declines it with a reason; audited. For the managers of that rota; the rota must
    /// still be at `version` for an approval.
    pub async fn decide_session_request(
        &self,
        actor: &Actor,
        id: &str,
        decision: &Decision,
        version: i64,
    ) -> AppResult<EditOutcome> {
        // Who may decide, before anything is written or any field is judged.
        let (request, rota_id) = {
            let mut conn = self.store().conn().await?;
            let request = store::rota::get_session_request(&mut conn, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let person = access::visible_staff(&mut conn, actor, &request.staff_id).await?;
            if !access::can_manage_staff(&mut conn, actor, &person).await? {
                return Err(AppError::NotFound);
            }
            let rota_id = booked(&mut conn, &request.staff_id, &request.day, &request.session)
                .await?
                .map(|b| b.rota_id);
            (request, rota_id)
        };
        let Some(rota_id) = rota_id else {
            return Err(AppError::Conflict(
                "No published rota books this session: the request is weighed when the next rota is made".into(),
            ));
        };
        if let Err(e) = self
            .authorize_rota(actor, &rota_id, Permission::Manage)
            .await
        {
            return Err(match e {
                AppError::NotFound => AppError::Forbidden,
                other => other,
            });
        }
        if SessionWish::parse(&request.wish).ok() != Some(SessionWish::Off) {
            return Err(AppError::Conflict(
                "Only a request for a session off is approved or declined here: a request to work a session is weighed when the next rota is made".into(),
            ));
        }
        let date = parse_day(&request.day)?;
        if date < self.today() {
            return Err(AppError::Conflict(
                "This session has passed: there is nothing to decide".into(),
            ));
        }
        let reason = decision.reason()?;
        let mut tx = self.store().begin().await?;
        let now = self.now();
        let mut new_problems: Vec<RotaProblem> = Vec::new();
        let rota = if decision.approve {
            // First write, before any read (`store::rota::bump_version`).
            if !store::rota::bump_version(&mut tx, &rota_id, version).await? {
                return Err(super::stale_rota());
            }
            let rota = store::rota::get_rota(&mut tx, &rota_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let change = GiveUp {
                staff_id: &request.staff_id,
                date,
                session: parse_session(&request.session)?,
                to: None,
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
            Some(rota)
        } else {
            None
        };
        let status = if decision.approve {
            "approved"
        } else {
            "declined"
        };
        let stored = SessionRequestDecision {
            request_id: request.id.clone(),
            status: status.into(),
            rota_id: rota.as_ref().map(|r| r.id.clone()),
            reason: reason.map(str::to_string),
            decided_by: actor.user_id.clone(),
            decided_at: now.clone(),
        };
        store::rota::decisions::insert_session_request_decision(&mut tx, &stored).await?;
        let person = store::register::get(&mut tx, &request.staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let change = Change {
            action: if new_problems.is_empty() {
                status
            } else {
                "overrode"
            },
            entity: "session_request",
            entity_id: &request.id,
            tenant: &access::tenant_of(&person.draft.employer),
            before: json(&request),
            after: json(&serde_json::json!({
                "decision": stored,
                "overridden": new_problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
            })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(EditOutcome {
            saved: true,
            new_problems,
        })
    }

    /// A person's session requests from today on with the decision on each, if any, for
    /// them or their manager.
    pub async fn session_requests_decided(
        &self,
        actor: &Actor,
        staff_id: &str,
    ) -> AppResult<Vec<(SessionRequestRow, Option<SessionRequestDecision>)>> {
        let rows = self.session_requests(actor, staff_id).await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut conn = self.store().conn().await?;
        let mut decisions: BTreeMap<String, SessionRequestDecision> =
            store::rota::decisions::session_request_decisions(&mut conn, &ids)
                .await?
                .into_iter()
                .map(|d| (d.request_id.clone(), d))
                .collect();
        Ok(rows
            .into_iter()
            .map(|r| {
                let d = decisions.remove(&r.id);
                (r, d)
            })
            .collect())
    }
}
