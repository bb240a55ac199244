//! The rooms a planned team needs: the team in post today plus what-if posts, each post's
//! room sessions a week placed in its site's weekday core sessions (`domain::estates::
//! plan_rooms`), against the rooms of each kind there; the sessions that cannot be housed,
//! and where another site has a free room then.
use super::practices_of;
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::AppResult;
use chrono::NaiveDate;
use domain::estates::{RoomNeed, ShortfallPlan, SiteRooms, WeekSlot, plan_rooms, sessions_a_week};
use domain::role::Role;
use domain::room::room_need;
use domain::rota::Session;
use domain::{FieldError, FieldErrors};
use std::collections::BTreeMap;

/// A what-if post: a role, its WTE and, optionally, the site it would work at (none: the
/// site of the practice or PCN with the most rooms of its kind free).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlannedPost {
    pub role: Role,
    pub wte: f64,
    pub site_id: Option<String>,
}

/// One session that cannot be housed, in words: a post by role, never a person's name.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UnhousedSession {
    /// "Clinical pharmacist (planned)", "Practice nurse (in post)".
    pub post: String,
    pub planned: bool,
    pub site: String,
    /// "Tuesday AM", or "no session left this week".
    pub session: String,
    /// "consulting", "treatment"...
    pub room_kind: String,
    /// Other sites with a room of the kind free in that session.
    pub free_elsewhere: Vec<String>,
}

/// Rooms needed against rooms there are, in a typical week, for a practice or PCN.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Shortfall {
    /// Site id → name, in the order of the plan.
    pub sites: Vec<(String, String)>,
    /// Room-sessions a week short with the team in post alone.
    pub short_in_post: u32,
    /// … and with the planned posts added.
    pub short_planned: u32,
    pub plan: ShortfallPlan,
    pub unhoused: Vec<UnhousedSession>,
}

impl Shortfall {
    pub fn site_name(&self, id: &str) -> String {
        self.sites
            .iter()
            .find(|(s, _)| s == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    }
}

/// Checks what-if posts against the scope's sites: WTE over 0 and at most 1.5, a known site.
fn check_posts(posts: &[PlannedPost], sites: &[(String, String)]) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    for p in posts {
        if !(p.wte > 0.0 && p.wte <= 1.5) {
            errors.push(FieldError::new(
                "wte",
                format!("Enter a WTE over 0 and at most 1.5, not {}", p.wte),
            ));
        }
        if let Some(site) = &p.site_id
            && !site.is_empty()
            && !sites.iter().any(|(id, _)| id == site)
        {
            errors.push(FieldError::new(
                "site",
                "Choose a site of this practice or PCN",
            ));
        }
    }
    errors.into_result()
}

/// The shortfall of a scope the actor's right to is already checked.
pub(crate) async fn compute(
    conn: &mut store::Conn,
    tenant: Tenant<'_>,
    today: NaiveDate,
    extra: &[PlannedPost],
) -> AppResult<Shortfall> {
    let practices = practices_of(conn, tenant).await?;
    let site_records = store::sites::list_sites(conn, &practices).await?;
    let sites: Vec<(String, String)> = site_records
        .iter()
        .map(|s| (s.id.clone(), s.site.name.clone()))
        .collect();
    check_posts(extra, &sites)?;
    let rooms_at = rooms_at_sites(conn, &site_records).await?;

    // The team in post today: each person's sessions in this scope, shared evenly over
    // their sites here (or the practice's sites when none is recorded).
    let scope = match tenant {
        Tenant::Practice(ods) => store::register::StaffScope::WorksAt(ods),
        Tenant::Pcn(code) => store::register::StaffScope::Pcn(code),
    };
    let staff = store::register::list(
        conn,
        scope,
        &store::register::StaffFilter::employed_on(today),
    )
    .await?;
    let mut needs = in_post_needs(&staff, &site_records, &practices);
    let in_post = plan_rooms(&rooms_at, &needs);

    // What-if posts, each at its site or where its kind of room is most free.
    needs.extend(planned_needs(extra, &rooms_at, &in_post));
    let plan = plan_rooms(&rooms_at, &needs);
    let name = |id: &str| {
        sites
            .iter()
            .find(|(s, _)| s == id)
            .map_or_else(|| id.to_string(), |(_, n)| n.clone())
    };
    let unhoused = plan
        .unhoused
        .iter()
        .map(|u| UnhousedSession {
            post: u.label.clone(),
            planned: u.planned,
            site: name(&u.site_id),
            session: u
                .slot
                .map_or_else(|| "no session left this week".to_string(), |s| s.label()),
            room_kind: u.capability.label().to_lowercase(),
            free_elsewhere: u.free_elsewhere.iter().map(|s| name(s)).collect(),
        })
        .collect();
    Ok(Shortfall {
        short_in_post: in_post.short_sessions(),
        short_planned: plan.short_sessions(),
        sites,
        plan,
        unhoused,
    })
}

/// Each site's open week slots and its rooms by capability.
async fn rooms_at_sites(
    conn: &mut store::Conn,
    site_records: &[store::sites::SiteRecord],
) -> AppResult<Vec<SiteRooms>> {
    let mut rooms_at = Vec::new();
    for site in site_records {
        let open = super::open_sessions(conn, &site.id).await?;
        let slots = (0..5u8)
            .flat_map(|weekday| {
                [Session::Am, Session::Pm]
                    .into_iter()
                    .map(move |session| WeekSlot { weekday, session })
            })
            .filter(|s| open.contains(&s.session))
            .collect();
        let mut rooms = BTreeMap::new();
        for room in store::sites::list_rooms(conn, std::slice::from_ref(&site.id)).await? {
            for cap in room.room.capabilities {
                *rooms.entry(cap).or_insert(0u32) += 1;
            }
        }
        rooms_at.push(SiteRooms {
            site_id: site.id.clone(),
            slots,
            rooms,
        });
    }
    Ok(rooms_at)
}

/// The rooms the team in post needs: each person's sessions in this scope, shared evenly
/// over their sites here (or the practice's sites when none is recorded).
fn in_post_needs(
    staff: &[store::register::StaffRecord],
    site_records: &[store::sites::SiteRecord],
    practices: &[String],
) -> Vec<RoomNeed> {
    let mut needs = Vec::new();
    for person in staff {
        let Some(capability) = room_need(person.draft.role) else {
            continue;
        };
        let mut here: Vec<&str> = site_records
            .iter()
            .filter(|s| person.site_ids.contains(&s.id))
            .map(|s| s.id.as_str())
            .collect();
        if here.is_empty() {
            here = site_records
                .iter()
                .filter(|s| {
                    person
                        .draft
                        .practices
                        .iter()
                        .any(|p| p.as_str() == s.practice_ods)
                })
                .map(|s| s.id.as_str())
                .collect();
        }
        if here.is_empty() {
            continue;
        }
        let share = person
            .draft
            .share_of(|p| practices.iter().any(|x| x == p.as_str()));
        let each = person.draft.sessions_per_week * share / here.len() as f64;
        for site in here {
            needs.push(RoomNeed {
                label: format!("{} (in post)", person.draft.role.label()),
                site_id: site.to_string(),
                capability,
                sessions: each.round() as u32,
                planned: false,
            });
        }
    }
    needs
}

/// The rooms the what-if posts need, each at its site or where its kind of room is most
/// free after the team in post.
fn planned_needs(
    extra: &[PlannedPost],
    rooms_at: &[SiteRooms],
    in_post: &ShortfallPlan,
) -> Vec<RoomNeed> {
    let mut needs = Vec::new();
    for post in extra {
        let Some(capability) = room_need(post.role) else {
            continue;
        };
        let site = match post.site_id.as_deref().filter(|s| !s.is_empty()) {
            Some(site) => site.to_string(),
            None => {
                let free = |site: &SiteRooms| -> i64 {
                    in_post
                        .loads
                        .iter()
                        .filter(|l| l.site_id == site.site_id && l.capability == capability)
                        .map(|l| i64::from(l.rooms) - i64::from(l.needed))
                        .sum()
                };
                match rooms_at.iter().max_by_key(|s| free(s)) {
                    Some(s) => s.site_id.clone(),
                    None => continue,
                }
            }
        };
        needs.push(RoomNeed {
            label: format!("{} (planned)", post.role.label()),
            site_id: site,
            capability,
            sessions: sessions_a_week(post.role, post.wte).round() as u32,
            planned: true,
        });
    }
    needs
}

impl super::Estates<'_> {
    /// The rooms the team in post plus `extra` what-if posts need in a typical week at the
    /// sites of a practice or PCN, against the rooms there: the ARRS what-if calls this with
    /// its planned posts, e.g.
    /// `app.room_shortfall(&actor, Tenant::Pcn("U12345"), &[PlannedPost { role:
    /// Role::ClinicalPharmacist, wte: 0.6, site_id: None }])`. Aggregates only (no person),
    /// so an ICS viewer of the system may ask too. A WTE outside 0–1.5 or an unknown site is
    /// refused naming the field (`wte`, `site`).
    pub async fn room_shortfall(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
        extra: &[PlannedPost],
    ) -> AppResult<Shortfall> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::ViewAggregates, tenant).await?;
        compute(&mut conn, tenant, self.today(), extra).await
    }
}

impl super::Estates<'_> {
    /// The sites of a practice or PCN as (id, name), for a what-if post's site choice.
    pub async fn sites_of(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
    ) -> AppResult<Vec<(String, String)>> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::ViewAggregates, tenant).await?;
        let practices = practices_of(&mut conn, tenant).await?;
        Ok(store::sites::list_sites(&mut conn, &practices)
            .await?
            .into_iter()
            .map(|s| (s.id, s.site.name))
            .collect())
    }
}
