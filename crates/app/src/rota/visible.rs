//! Who may read a rota besides its managers. A practice manager reads — never changes — a
//! PCN rota that covers their practice (a session at one of its sites or for one of its
//! people), narrowed to that practice's people and sites; a practice manager of another
//! practice or PCN finds no such rota (404), as for any rota out of reach.
use super::{RotaDetail, detail_of};
use crate::access::{Actor, Permission};
use crate::error::{AppError, AppResult};
use domain::account::UserRole;
use std::collections::BTreeSet;
use store::rota::RotaRow;

/// How far the actor reaches into a rota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotaReach {
    /// Its managers: all of it, and every change.
    Manage,
    /// A practice manager reading a PCN rota: that practice's part, read only.
    Practice(String),
}

impl super::Rota<'_> {
    /// The rota's row and how far the actor reaches into it; `NotFound` when not at all.
    pub(crate) async fn rota_reach(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        id: &str,
    ) -> AppResult<(RotaRow, RotaReach)> {
        match self.rota_row(conn, actor, id, Permission::Manage).await {
            Ok(row) => Ok((row, RotaReach::Manage)),
            Err(AppError::NotFound) if actor.role == UserRole::PracticeManager => {
                let row = store::rota::get_rota(conn, id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                if row.scope_kind == "pcn"
                    && store::rota::decisions::rota_covers_practice(conn, id, &actor.org).await?
                {
                    Ok((row, RotaReach::Practice(actor.org.clone())))
                } else {
                    Err(AppError::NotFound)
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The rota as the actor may read it: whole for its managers; a PCN rota narrowed to
    /// the practice for a practice manager it covers (`RotaDetail::reader_practice`).
    pub async fn rota_to_read(&self, actor: &Actor, id: &str) -> AppResult<RotaDetail> {
        let mut conn = self.store().conn().await?;
        let (row, reach) = self.rota_reach(&mut conn, actor, id).await?;
        let detail = detail_of(&mut conn, row).await?;
        Ok(match reach {
            RotaReach::Manage => detail,
            RotaReach::Practice(ods) => narrow_to_practice(detail, &ods),
        })
    }

    /// The rota's row alone, for whoever may read it (following a solve through the API).
    pub async fn rota_summary_to_read(&self, actor: &Actor, id: &str) -> AppResult<RotaRow> {
        let mut conn = self.store().conn().await?;
        Ok(self.rota_reach(&mut conn, actor, id).await?.0)
    }

    /// The rotas that cover a practice, newest first: its own and its PCN's with sessions
    /// at its sites or for its people. For the practice's managers (its PCN's too) and the
    /// system administrator.
    pub async fn rotas_covering(&self, actor: &Actor, ods: &str) -> AppResult<Vec<RotaRow>> {
        let mut conn = self.store().conn().await?;
        crate::access::authorize(
            &mut conn,
            actor,
            Permission::View,
            crate::access::Tenant::Practice(ods),
        )
        .await?;
        let mut rows =
            store::rota::list_rotas_for_scopes(&mut conn, &[ods.to_string()], &[], 50).await?;
        rows.extend(store::rota::decisions::pcn_rotas_covering(&mut conn, ods, 50).await?);
        sort_newest_first(&mut rows);
        Ok(rows)
    }
}

/// Newest first, as every list of rotas.
pub(crate) fn sort_newest_first(rows: &mut [RotaRow]) {
    rows.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
}

/// A PCN rota narrowed to one practice: the people who belong to it or work at its sites;
/// the sessions at its sites, and those of the people who work for it alone wherever they
/// are; the practice's sites and those sessions' sites; only the problems about them.
pub fn narrow_to_practice(mut detail: RotaDetail, ods: &str) -> RotaDetail {
    let practice_sites: BTreeSet<String> = detail
        .sites
        .iter()
        .filter(|s| s.practice_ods == ods)
        .map(|s| s.id.clone())
        .collect();
    let shown: BTreeSet<String> = detail
        .people
        .iter()
        .filter(|p| {
            p.practices.iter().any(|x| x == ods)
                || detail
                    .assignments
                    .iter()
                    .any(|a| a.staff_id == p.id && practice_sites.contains(&a.site_id))
        })
        .map(|p| p.id.clone())
        .collect();
    // Its own people (working for it alone) anywhere; anyone else only at its sites.
    let own: BTreeSet<String> = detail
        .people
        .iter()
        .filter(|p| p.practices.len() == 1 && p.practices[0] == ods)
        .map(|p| p.id.clone())
        .collect();
    detail.people.retain(|p| shown.contains(&p.id));
    detail
        .assignments
        .retain(|a| own.contains(&a.staff_id) || practice_sites.contains(&a.site_id));
    let used_sites: BTreeSet<&str> = detail
        .assignments
        .iter()
        .map(|a| a.site_id.as_str())
        .collect();
    detail
        .sites
        .retain(|s| practice_sites.contains(&s.id) || used_sites.contains(s.id.as_str()));
    let used_rooms: BTreeSet<&str> = detail
        .assignments
        .iter()
        .filter_map(|a| a.room_id.as_deref())
        .collect();
    detail
        .rooms
        .retain(|(id, _)| used_rooms.contains(id.as_str()));
    detail.locked.retain(|(staff, _)| shown.contains(staff));
    // A problem about someone else, or a gap at another practice's site, is not theirs.
    detail.problems.retain(|p| {
        if p.staff_ids.is_empty() {
            p.site_id
                .as_ref()
                .is_some_and(|s| practice_sites.contains(s))
        } else {
            p.staff_ids.iter().all(|s| shown.contains(s))
        }
    });
    let kept = detail.problems.clone();
    detail.stale_problems.retain(|p| kept.contains(p));
    // Contradicting rules name people of the whole PCN: the PCN's managers sort those out.
    detail.conflicts.clear();
    detail.reader_practice = Some(ods.to_string());
    detail
}
