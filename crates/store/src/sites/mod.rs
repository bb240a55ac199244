//! Sites of a practice and the rooms in them.
use crate::{Result, StoreError};
use domain::room::{RoomDraft, SiteDraft, capabilities_from_text, capabilities_to_text};
use sqlx::{AnyConnection, Row};

pub mod vacancies;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SiteRecord {
    pub id: String,
    pub practice_ods: String,
    pub site: SiteDraft,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RoomRecord {
    pub id: String,
    pub site_id: String,
    pub room: RoomDraft,
}

pub async fn insert_site(
    conn: &mut AnyConnection,
    id: &str,
    practice_ods: &str,
    site: &SiteDraft,
) -> Result<()> {
    sqlx::query("INSERT INTO sites (id, practice_ods, name, address) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(practice_ods)
        .bind(&site.name)
        .bind(&site.address)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_site(conn: &mut AnyConnection, id: &str, site: &SiteDraft) -> Result<()> {
    let done = sqlx::query("UPDATE sites SET name = $2, address = $3 WHERE id = $1")
        .bind(id)
        .bind(&site.name)
        .bind(&site.address)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn get_site(conn: &mut AnyConnection, id: &str) -> Result<Option<SiteRecord>> {
    let row = sqlx::query("SELECT id, practice_ods, name, address FROM sites WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(SiteRecord {
            id: r.try_get(0)?,
            practice_ods: r.try_get(1)?,
            site: SiteDraft {
                name: r.try_get(2)?,
                address: r.try_get(3)?,
            },
        })
    })
    .transpose()
}

/// The sites of some practices, by practice then name.
pub async fn list_sites(conn: &mut AnyConnection, practices: &[String]) -> Result<Vec<SiteRecord>> {
    let mut out = Vec::new();
    for ods in practices {
        let rows = sqlx::query("SELECT id, practice_ods, name, address FROM sites WHERE practice_ods = $1 ORDER BY name")
            .bind(ods)
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            out.push(SiteRecord {
                id: r.try_get(0)?,
                practice_ods: r.try_get(1)?,
                site: SiteDraft {
                    name: r.try_get(2)?,
                    address: r.try_get(3)?,
                },
            });
        }
    }
    Ok(out)
}

pub async fn insert_room(
    conn: &mut AnyConnection,
    id: &str,
    site_id: &str,
    room: &RoomDraft,
) -> Result<()> {
    sqlx::query("INSERT INTO rooms (id, site_id, name, capabilities) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(site_id)
        .bind(&room.name)
        .bind(capabilities_to_text(&room.capabilities))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn update_room(conn: &mut AnyConnection, id: &str, room: &RoomDraft) -> Result<()> {
    let done = sqlx::query("UPDATE rooms SET name = $2, capabilities = $3 WHERE id = $1")
        .bind(id)
        .bind(&room.name)
        .bind(capabilities_to_text(&room.capabilities))
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn delete_room(conn: &mut AnyConnection, id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM rooms WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn get_room(conn: &mut AnyConnection, id: &str) -> Result<Option<RoomRecord>> {
    let row = sqlx::query("SELECT id, site_id, name, capabilities FROM rooms WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        let caps: String = r.try_get(3)?;
        Ok(RoomRecord {
            id: r.try_get(0)?,
            site_id: r.try_get(1)?,
            room: RoomDraft {
                name: r.try_get(2)?,
                capabilities: capabilities_from_text(&caps),
            },
        })
    })
    .transpose()
}

/// The rooms of some sites, by site then name.
pub async fn list_rooms(conn: &mut AnyConnection, site_ids: &[String]) -> Result<Vec<RoomRecord>> {
    let mut out = Vec::new();
    for site in site_ids {
        let rows = sqlx::query(
            "SELECT id, site_id, name, capabilities FROM rooms WHERE site_id = $1 ORDER BY name",
        )
        .bind(site)
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let caps: String = r.try_get(3)?;
            out.push(RoomRecord {
                id: r.try_get(0)?,
                site_id: r.try_get(1)?,
                room: RoomDraft {
                    name: r.try_get(2)?,
                    capabilities: capabilities_from_text(&caps),
                },
            });
        }
    }
    Ok(out)
}
