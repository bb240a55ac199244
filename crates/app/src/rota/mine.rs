//! A member of staff's own published sessions: every published rota that books them, from
//! today to as far ahead as their calendar feed reaches, so "My rota", the JSON API and the
//! feed always agree; and which of them they may still ask to swap.
use super::swaps::SwappableSession;
use super::{RotaScope, load_input, period_of};
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use domain::{FieldError, FieldErrors};
use std::collections::{BTreeMap, BTreeSet};
use store::rota::{PublishedAssignment, SwapRow};

/// How far ahead of today a person's published sessions are shown (the calendar feed too).
pub const AHEAD_DAYS: u64 = 366;

/// The widest range one request may ask for, in days.
pub const MAX_RANGE_DAYS: i64 = 400;

/// A query value's text, trimmed; `None` when absent or blank.
fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|t| !t.is_empty())
}

/// Reads the `from` and `to` of a request for a person's sessions (`YYYY-MM-DD`, both
/// optional): from today, to [`AHEAD_DAYS`] after `from`. Each problem names its field.
pub fn parse_range(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), FieldErrors> {
    let mut errors = FieldErrors::default();
    let from = match given(from) {
        None => Some(today),
        Some(text) => errors.take(domain::error::parse_date("from", text)),
    };
    let to = match (given(to), from) {
        (None, Some(from)) => Some(from + chrono::Days::new(AHEAD_DAYS)),
        (None, None) => None,
        (Some(text), _) => errors.take(domain::error::parse_date("to", text)),
    };
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            errors.push(FieldError::new(
                "to",
                "The last day (to) must be the same as or after the first day (from)",
            ));
        } else if (to - from).num_days() > MAX_RANGE_DAYS {
            errors.push(FieldError::new(
                "to",
                format!("Ask for at most {MAX_RANGE_DAYS} days at a time"),
            ));
        }
    }
    errors.into_result()?;
    Ok((from.expect("checked"), to.expect("checked")))
}

impl super::Rota<'_> {
    /// The actor's own published sessions from `from` to `to` (inclusive), by day and
    /// session. `NotFound` for an account without a staff record.
    pub async fn my_sessions(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<PublishedAssignment>> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::NotFound)?;
        let mut conn = self.store().conn().await?;
        Ok(store::rota::published_for_staff(
            &mut conn,
            staff_id,
            &from.to_string(),
            &to.to_string(),
        )
        .await?)
    }

    /// The actor's published sessions from `from` to `to`, each with the colleagues who
    /// could take it and the actor's request on it, if any.
    pub async fn my_swappable_sessions(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<Vec<SwappableSession>> {
        // Only a log-in linked to a staff record has a rota.
        let staff_id = actor.staff_id.clone().ok_or(AppError::Forbidden)?;
        let sessions = self.my_sessions(actor, from, to).await?;
        let mut conn = self.store().conn().await?;
        let me = store::register::get(&mut conn, &staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let swaps = store::rota::decisions::swaps_of(&mut conn, &staff_id).await?;
        let group = me.draft.role.staff_group();
        let mut colleagues_of: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        // (rota, day, session) → who the rota books then: they cannot take it.
        let mut booked: BTreeSet<(String, String, String, String)> = BTreeSet::new();
        let mut out = Vec::new();
        for s in sessions {
            if !colleagues_of.contains_key(&s.rota_id) {
                for a in store::rota::list_assignments(&mut conn, &s.rota_id).await? {
                    booked.insert((s.rota_id.clone(), a.day, a.session, a.staff_id));
                }
                let rota = store::rota::get_rota(&mut conn, &s.rota_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let (input, _) =
                    load_input(&mut conn, &RotaScope::of_row(&rota), period_of(&rota)?).await?;
                colleagues_of.insert(
                    s.rota_id.clone(),
                    input
                        .people
                        .iter()
                        .filter(|p| p.id != staff_id && p.role.staff_group() == group)
                        .map(|p| (p.id.clone(), p.name.clone()))
                        .collect(),
                );
            }
            // The newest request on this session (an older declined one may be asked again).
            let request: Option<SwapRow> = swaps
                .iter()
                .find(|w| w.rota_id == s.rota_id && w.day == s.day && w.session == s.session)
                .cloned();
            let free = |id: &String| {
                !booked.contains(&(
                    s.rota_id.clone(),
                    s.day.clone(),
                    s.session.clone(),
                    id.clone(),
                ))
            };
            out.push(SwappableSession {
                colleagues: colleagues_of[&s.rota_id]
                    .iter()
                    .filter(|(id, _)| free(id))
                    .cloned()
                    .collect(),
                request,
                session: s,
            });
        }
        Ok(out)
    }

    /// The actor's swap and cover requests for sessions from `from` on, newest first: the
    /// outcome stays in view after an approval has moved the session off their rota.
    pub async fn my_swaps(&self, actor: &Actor, from: NaiveDate) -> AppResult<Vec<SwapRow>> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::NotFound)?;
        let mut conn = self.store().conn().await?;
        let from = from.to_string();
        Ok(store::rota::decisions::swaps_of(&mut conn, staff_id)
            .await?
            .into_iter()
            .filter(|w| w.day >= from)
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_range_defaults_to_a_year_from_today_and_names_each_bad_field() {
        let today = day("2026-11-23");
        assert_eq!(
            parse_range(None, None, today).unwrap(),
            (today, day("2027-11-24"))
        );
        assert_eq!(
            parse_range(Some("2027-01-01"), Some("2027-01-31"), today).unwrap(),
            (day("2027-01-01"), day("2027-01-31"))
        );
        let fields = |e: FieldErrors| e.0.iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(
            fields(parse_range(Some("next week"), None, today).unwrap_err()),
            ["from"]
        );
        assert_eq!(
            fields(parse_range(Some("2027-01-31"), Some("2027-01-01"), today).unwrap_err()),
            ["to"]
        );
        assert_eq!(
            fields(parse_range(Some("2027-01-01"), Some("2028-12-31"), today).unwrap_err()),
            ["to"]
        );
    }
}
