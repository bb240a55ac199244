//! Estates: how much each room is used (from the published rotas, ad-hoc bookings and the
//! used / not-used marks), per room, site and PCN over a period; ad-hoc bookings of a free
//! room (`bookings`); and the rooms a planned team needs (`shortfall`). The arithmetic is
//! `domain::estates`; the method is in docs/design/estates.md.
pub mod bookings;
pub mod demo;
pub mod shortfall;

use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use analytics::calendar::is_bank_holiday;
use chrono::{Datelike, NaiveDate, Weekday};
use domain::estates::{
    DEFAULT_THRESHOLD_PERCENT, Mark, PeriodForm, RoomUse, UsePeriod, open_slots, parse_threshold,
    tally,
};
use domain::room::RoomCapability;
use domain::rota::Session;
use std::collections::BTreeMap;
use store::sites::SiteRecord;

pub use shortfall::{PlannedPost, Shortfall};

/// One room's use over the period, in total and per weekday session (the heat map's row).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RoomUtilisation {
    pub room_id: String,
    pub name: String,
    pub capabilities: Vec<RoomCapability>,
    pub total: RoomUse,
    /// One per column of `SiteUtilisation::columns`.
    pub cells: Vec<RoomUse>,
    /// Used less than the threshold.
    pub flagged: bool,
}

/// A site's rooms over a period: a heat map of room × weekday session.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteUtilisation {
    pub site: SiteRecord,
    pub practice_name: String,
    pub period: UsePeriod,
    /// Percent used under which a room is flagged (the PCN's own, or 60).
    pub threshold: u32,
    /// The weekday sessions the site is open in during the period, Monday AM first.
    pub columns: Vec<(Weekday, Session)>,
    pub rooms: Vec<RoomUtilisation>,
    pub total: RoomUse,
}

/// The sessions a site runs (`rota::setup::session_states`: AM and PM unless closed,
/// evenings and Saturdays when opened or asked for in the cover template).
pub(crate) async fn open_sessions(
    conn: &mut store::Conn,
    site_id: &str,
) -> AppResult<Vec<Session>> {
    let ids = [site_id.to_string()];
    let rows = store::rota::list_site_sessions(conn, &ids).await?;
    let cover: Vec<_> = store::rota::list_cover(conn, &ids)
        .await?
        .iter()
        .filter_map(crate::rota::cover_from_row)
        .collect();
    Ok(crate::rota::setup::session_states(site_id, &rows, &cover)
        .into_iter()
        .filter(|s| s.state.runs())
        .map(|s| s.session)
        .collect())
}

/// The room-sessions booked at a site in a period, with their marks: from the published
/// rotas (the publication that wins each person-day, as calendars show it) and from ad-hoc
/// bookings.
pub(crate) async fn booked_at(
    conn: &mut store::Conn,
    site_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<BTreeMap<String, BTreeMap<(NaiveDate, Session), Option<Mark>>>> {
    let (from, to) = (from.to_string(), to.to_string());
    let ids = [site_id.to_string()];
    let mut booked: BTreeMap<String, BTreeMap<(NaiveDate, Session), Option<Mark>>> =
        BTreeMap::new();
    let staff = store::estates::staff_published_at(conn, &ids, &from, &to).await?;
    for a in store::rota::published_sessions(conn, &staff, &from, &to, &[]).await? {
        if a.site_id != site_id {
            continue;
        }
        if let (Some(room), Some(slot)) = (a.room_id, slot(&a.day, &a.session)) {
            booked.entry(room).or_default().insert(slot, None);
        }
    }
    for b in store::estates::list_bookings(conn, &ids, &from, &to).await? {
        if let Some(slot) = slot(&b.day, &b.session) {
            booked.entry(b.room_id).or_default().insert(slot, None);
        }
    }
    for m in store::estates::list_marks(conn, &ids, &from, &to).await? {
        if let Some(slot) = slot(&m.day, &m.session)
            && let Some(entry) = booked.get_mut(&m.room_id).and_then(|b| b.get_mut(&slot))
        {
            *entry = Some(if m.used { Mark::Used } else { Mark::NotUsed });
        }
    }
    Ok(booked)
}

/// A stored day and session, if both parse.
pub fn slot(day: &str, session: &str) -> Option<(NaiveDate, Session)> {
    Some((
        NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?,
        Session::parse(session).ok()?,
    ))
}

/// The threshold that applies to a practice: its PCN's own, or the default.
async fn threshold_of_practice(conn: &mut store::Conn, ods: &str) -> AppResult<u32> {
    let pcn = store::organisations::get(conn, ods)
        .await?
        .and_then(|p| p.pcn_code);
    Ok(match pcn {
        Some(code) => store::estates::threshold(conn, &code)
            .await?
            .unwrap_or(DEFAULT_THRESHOLD_PERCENT),
        None => DEFAULT_THRESHOLD_PERCENT,
    })
}

/// A site's utilisation once the actor's right to it is checked.
pub(crate) async fn site_utilisation(
    conn: &mut store::Conn,
    site: SiteRecord,
    period: UsePeriod,
) -> AppResult<SiteUtilisation> {
    let threshold = threshold_of_practice(conn, &site.practice_ods).await?;
    let practice_name = store::organisations::get(conn, &site.practice_ods)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    let sessions = open_sessions(conn, &site.id).await?;
    let open = open_slots(period.from, period.to, &sessions, is_bank_holiday);
    let columns: Vec<(Weekday, Session)> = open
        .iter()
        .map(|(d, s)| (d.weekday().num_days_from_monday(), *s))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter_map(|(d, s)| Some((Weekday::try_from(d as u8).ok()?, s)))
        .collect();
    let booked = booked_at(conn, &site.id, period.from, period.to).await?;
    let empty = BTreeMap::new();
    let mut rooms = Vec::new();
    let mut total = RoomUse::default();
    for room in store::sites::list_rooms(conn, std::slice::from_ref(&site.id)).await? {
        let mine = booked.get(&room.id).unwrap_or(&empty);
        let room_total = tally(&open, mine);
        let cells = columns
            .iter()
            .map(|(day, session)| {
                let slots: Vec<(NaiveDate, Session)> = open
                    .iter()
                    .filter(|(d, s)| d.weekday() == *day && s == session)
                    .copied()
                    .collect();
                tally(&slots, mine)
            })
            .collect();
        total.add(&room_total);
        rooms.push(RoomUtilisation {
            room_id: room.id,
            name: room.room.name,
            capabilities: room.room.capabilities,
            flagged: room_total.below(threshold),
            total: room_total,
            cells,
        });
    }
    Ok(SiteUtilisation {
        site,
        practice_name,
        period,
        threshold,
        columns,
        rooms,
        total,
    })
}

/// Room use across a practice or a PCN: each site's figures, the total and the rooms under
/// the threshold — what the estates pages and the evidence pack show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EstatesSummary {
    pub period: UsePeriod,
    pub threshold: u32,
    pub sites: Vec<SiteUtilisation>,
    pub total: RoomUse,
    /// The shortfall of the team in post (and of the planned posts given).
    pub shortfall: Shortfall,
}

impl EstatesSummary {
    /// The rooms under the threshold: (site, room, used share).
    pub fn flagged(&self) -> Vec<(&SiteUtilisation, &RoomUtilisation)> {
        self.sites
            .iter()
            .flat_map(|s| s.rooms.iter().filter(|r| r.flagged).map(move |r| (s, r)))
            .collect()
    }
}

/// The practices of a practice or PCN tenant.
pub(crate) async fn practices_of(
    conn: &mut store::Conn,
    tenant: Tenant<'_>,
) -> AppResult<Vec<String>> {
    Ok(match tenant {
        Tenant::Practice(ods) => vec![ods.to_string()],
        Tenant::Pcn(code) => {
            store::organisations::list(conn, store::organisations::PracticeScope::Pcn(code))
                .await?
                .into_iter()
                .map(|p| p.ods_code)
                .collect()
        }
    })
}

facade! {
    /// Estates: room use, bookings and shortfalls (`app.estates()`).
    pub struct Estates => estates;
}

impl Estates<'_> {
    /// A site's rooms over a period as a heat map (`GET /api/sites/{id}/utilisation`). The
    /// actor's right to the site is checked before the period's fields.
    pub async fn site_utilisation(
        &self,
        actor: &Actor,
        site_id: &str,
        period: &PeriodForm,
    ) -> AppResult<SiteUtilisation> {
        let mut conn = self.store().conn().await?;
        let site = crate::access::site_checked(&mut conn, actor, site_id, Permission::View).await?;
        let period = UsePeriod::parse(period, UsePeriod::last_four_weeks(self.today()))?;
        site_utilisation(&mut conn, site, period).await
    }

    /// Room use and shortfall of a practice or a PCN for a period: aggregates only (rooms,
    /// sites, sessions; no person), so an ICS viewer of the system may see them too. The
    /// evidence pack calls this; `extra` are what-if posts (none for the pack).
    pub async fn estates_summary(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
        period: &PeriodForm,
        extra: &[PlannedPost],
    ) -> AppResult<EstatesSummary> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::ViewAggregates, tenant).await?;
        let period = UsePeriod::parse(period, UsePeriod::last_four_weeks(self.today()))?;
        let practices = practices_of(&mut conn, tenant).await?;
        let threshold = match tenant {
            Tenant::Pcn(code) => store::estates::threshold(&mut conn, code)
                .await?
                .unwrap_or(DEFAULT_THRESHOLD_PERCENT),
            Tenant::Practice(ods) => threshold_of_practice(&mut conn, ods).await?,
        };
        let mut sites = Vec::new();
        let mut total = RoomUse::default();
        for site in store::sites::list_sites(&mut conn, &practices).await? {
            let used = site_utilisation(&mut conn, site, period).await?;
            total.add(&used.total);
            sites.push(used);
        }
        let shortfall = shortfall::compute(&mut conn, tenant, self.today(), extra).await?;
        Ok(EstatesSummary {
            period,
            threshold,
            sites,
            total,
            shortfall,
        })
    }

    /// Sets the PCN's own threshold (a whole percentage, 1–100) under which rooms are flagged.
    pub async fn set_estates_threshold(
        &self,
        actor: &Actor,
        pcn_code: &str,
        threshold: &str,
    ) -> AppResult<u32> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn_code)).await?;
        let percent = parse_threshold(threshold).map_err(domain::FieldErrors::from)?;
        let before = store::estates::threshold(&mut tx, pcn_code).await?;
        let now = self.now();
        store::estates::set_threshold(&mut tx, pcn_code, percent, &now).await?;
        let change = Change {
            action: "updated",
            entity: "estates_threshold",
            entity_id: pcn_code,
            tenant: pcn_code,
            before: json(&before.unwrap_or(DEFAULT_THRESHOLD_PERCENT)),
            after: json(&percent),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(percent)
    }
}

/// An app error for a site the actor may not reach: not revealed.
pub(crate) fn hidden(error: AppError) -> AppError {
    match error {
        AppError::Forbidden => AppError::NotFound,
        other => other,
    }
}
