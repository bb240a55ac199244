//! Published rotas: publication and what each person is booked on.
use super::*;
use crate::{Result, corrupt, parse_date};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;

/// A session someone works in a published rota, with the names a calendar shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublishedAssignment {
    pub rota_id: String,
    pub staff_id: String,
    pub day: String,
    pub session: String,
    pub site_id: String,
    pub site_name: String,
    pub practice_ods: String,
    pub room_id: Option<String>,
    pub room_name: Option<String>,
    /// The session's times at the site (HH:MM): the site's own (`site_sessions`), else the
    /// session's default times.
    pub starts: String,
    pub ends: String,
}

/// A published rota's period, publication time and the practices its scope covers, to find
/// which publication wins a session.
struct Publication {
    id: String,
    starts_on: chrono::NaiveDate,
    ends_before: chrono::NaiveDate,
    published_at: String,
    /// The practice itself, or a PCN's member practices.
    practices: Vec<String>,
}

impl Publication {
    fn covers(&self, day: chrono::NaiveDate) -> bool {
        self.starts_on <= day && day < self.ends_before
    }

    /// Later publication first; ties broken by id so the choice is the same every time.
    fn newer_than(&self, published_at: &str, id: &str) -> bool {
        (self.published_at.as_str(), self.id.as_str()) > (published_at, id)
    }
}

/// The published rotas whose period meets `from`..=`to`, each with its scope's practices.
async fn publications(conn: &mut AnyConnection, from: &str, to: &str) -> Result<Vec<Publication>> {
    let from = parse_date(from)?;
    let rows = sqlx::query(
        "SELECT id, starts_on, weeks, published_at, scope_kind, scope_code FROM rotas
         WHERE published_at IS NOT NULL AND starts_on <= $1",
    )
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut out = Vec::new();
    for r in &rows {
        let starts_on: String = r.try_get(1)?;
        let weeks: i64 = r.try_get(2)?;
        let ends_before = period_end(&starts_on, weeks)?;
        if ends_before <= from {
            continue;
        }
        let (kind, code): (String, String) = (r.try_get(4)?, r.try_get(5)?);
        let practices = if kind == "pcn" {
            if !members.contains_key(&code) {
                let list = sqlx::query("SELECT ods_code FROM practices WHERE pcn_code = $1")
                    .bind(&code)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|m| m.try_get(0))
                    .collect::<std::result::Result<Vec<String>, _>>()?;
                members.insert(code.clone(), list);
            }
            members[&code].clone()
        } else {
            vec![code]
        };
        out.push(Publication {
            id: r.try_get(0)?,
            starts_on: parse_date(&starts_on)?,
            ends_before,
            published_at: r.try_get(3)?,
            practices,
        });
    }
    Ok(out)
}

/// What `staff_id` works from `from` to `to` (inclusive, YYYY-MM-DD) in published rotas, by
/// day then session: [`published_sessions`] for one person.
pub async fn published_for_staff(
    conn: &mut AnyConnection,
    staff_id: &str,
    from: &str,
    to: &str,
) -> Result<Vec<PublishedAssignment>> {
    published_sessions(conn, &[staff_id.to_string()], from, to, &[]).await
}

/// What some people work from `from` to `to` (inclusive, YYYY-MM-DD) in published rotas, by
/// person, day and session, leaving out sessions at sites of `except_practices`.
///
/// A published rota speaks for a person-day at a practice when the day is in its period,
/// the person is in it (has an assignment or lock anywhere in it) and its scope covers the
/// practice (the practice's own rota, or its PCN's). A session at a practice's site counts
/// unless a more recently published rota speaks for that person-day at that practice: so a
/// day off in a newer rota hides an older rota's sessions there, a PCN rota and its member
/// practices' rotas hide each other's sessions at those practices, and one practice's rota
/// never hides another practice's.
pub async fn published_sessions(
    conn: &mut AnyConnection,
    staff_ids: &[String],
    from: &str,
    to: &str,
    except_practices: &[String],
) -> Result<Vec<PublishedAssignment>> {
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let publications = publications(conn, from, to).await?;
    if publications.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = publications.iter().map(|p| p.id.as_str()).collect();
    let (rota_marks, staff_marks) = (marks(1, ids.len()), marks(ids.len() + 1, staff_ids.len()));
    let sql = format!(
        "SELECT rota_id, staff_id FROM rota_assignments
         WHERE rota_id IN ({rota_marks}) AND staff_id IN ({staff_marks})
         UNION SELECT rota_id, staff_id FROM rota_locks
         WHERE rota_id IN ({rota_marks}) AND staff_id IN ({staff_marks})"
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    for id in staff_ids {
        query = query.bind(id);
    }
    let members: std::collections::BTreeSet<(String, String)> = query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_>>()?;

    let except = if except_practices.is_empty() {
        String::new()
    } else {
        format!(
            "AND s.practice_ods NOT IN ({})",
            marks(staff_ids.len() + 3, except_practices.len())
        )
    };
    let sql = format!(
        "SELECT a.rota_id, a.staff_id, a.day, a.session, a.site_id, s.name, s.practice_ods,
                a.room_id, m.name, r.published_at, t.starts, t.ends
         FROM rota_assignments a JOIN rotas r ON r.id = a.rota_id JOIN sites s ON s.id = a.site_id
              LEFT JOIN rooms m ON m.id = a.room_id
              LEFT JOIN site_sessions t ON t.site_id = a.site_id AND t.session = a.session
         WHERE a.staff_id IN ({}) AND a.day >= ${} AND a.day <= ${} AND r.published_at IS NOT NULL
               {except}
         ORDER BY a.staff_id, a.day, {}, a.rota_id",
        marks(1, staff_ids.len()),
        staff_ids.len() + 1,
        staff_ids.len() + 2,
        session_order("a.session")
    );
    let mut query = sqlx::query(&sql);
    for id in staff_ids {
        query = query.bind(id);
    }
    query = query.bind(from).bind(to);
    for code in except_practices {
        query = query.bind(code);
    }
    let rows = query.fetch_all(conn).await?;

    let mut out = Vec::new();
    for r in &rows {
        let session: String = r.try_get(3)?;
        let (starts, ends): (Option<String>, Option<String>) = (r.try_get(10)?, r.try_get(11)?);
        let (starts, ends) = match (starts, ends) {
            (Some(starts), Some(ends)) => (starts, ends),
            _ => {
                let times = domain::rota::Session::parse(&session)
                    .map_err(|_| corrupt(format!("rota session '{session}'")))?
                    .default_times();
                (
                    times.starts.format("%H:%M").to_string(),
                    times.ends.format("%H:%M").to_string(),
                )
            }
        };
        let assignment = PublishedAssignment {
            rota_id: r.try_get(0)?,
            staff_id: r.try_get(1)?,
            day: r.try_get(2)?,
            session,
            site_id: r.try_get(4)?,
            site_name: r.try_get(5)?,
            practice_ods: r.try_get(6)?,
            room_id: r.try_get(7)?,
            room_name: r.try_get(8)?,
            starts,
            ends,
        };
        let published_at: String = r.try_get(9)?;
        let day = parse_date(&assignment.day)?;
        let hidden = publications.iter().any(|p| {
            p.id != assignment.rota_id
                && p.covers(day)
                && p.newer_than(&published_at, &assignment.rota_id)
                && p.practices.contains(&assignment.practice_ods)
                && members.contains(&(p.id.clone(), assignment.staff_id.clone()))
        });
        if !hidden {
            out.push(assignment);
        }
    }
    Ok(out)
}

/// The most recently published rota of a practice or PCN whose period contains `day`.
pub async fn published_rota_for(
    conn: &mut AnyConnection,
    scope_kind: &str,
    scope_code: &str,
    day: &str,
) -> Result<Option<RotaRow>> {
    let wanted = parse_date(day)?;
    let candidates = sqlx::query(&format!(
        "SELECT {ROTA_COLUMNS} FROM rotas
         WHERE scope_kind = $1 AND scope_code = $2 AND published_at IS NOT NULL AND starts_on <= $3
         ORDER BY published_at DESC, id DESC"
    ))
    .bind(scope_kind)
    .bind(scope_code)
    .bind(day)
    .fetch_all(conn)
    .await?;
    for row in &candidates {
        let rota = rota_from_row(row)?;
        if parse_date(&rota.starts_on)? <= wanted && wanted < rota.ends_before()? {
            return Ok(Some(rota));
        }
    }
    Ok(None)
}
