//! The audit trail, readable: who changed what and when, filtered by organisation, person
//! acted on, actor and dates (Europe/London), over the organisations the reader may see.
//!
//! A system administrator reads every row; a PCN manager the PCN's and its practices'; a
//! practice manager the practice's; staff and ICS viewers none. Rows already hold nothing
//! the wellbeing anonymity invariant forbids (a check-in's row says who answered in which
//! period, never what), so they are shown as stored.
use crate::access::{self, Actor, Permission, Tenant};
use crate::clock::show_timestamp;
use crate::error::{AppError, AppResult};
use chrono::{NaiveDate, TimeZone};
use chrono_tz::Europe::London;
use domain::account::UserRole;
use domain::{FieldError, FieldErrors};
use std::collections::BTreeMap;
use store::Conn;
use store::audit::{AuditEntry, AuditFilter};
use store::organisations::PracticeScope;

/// Rows on one page of the trail.
pub const PAGE_SIZE: i64 = 100;
/// The most rows one CSV download holds.
pub const CSV_LIMIT: i64 = 100_000;

/// The filters as typed (query string or form): text, checked by `AuditQuery::parse`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AuditQueryForm {
    pub organisation: String,
    pub person: String,
    pub actor: String,
    pub from: String,
    pub to: String,
    pub page: String,
}

/// Checked filters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    /// A practice's ODS code or a PCN's code.
    pub organisation: Option<String>,
    /// A staff record's id.
    pub person: Option<String>,
    /// An email or a user id.
    pub actor: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// From 1.
    pub page: u32,
}

fn date(field: &'static str, label: &str, text: &str) -> Result<Option<NaiveDate>, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| FieldError::new(field, format!("{label} must be a date like 2026-03-31")))
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl AuditQuery {
    /// Checks the typed filters; each problem names its field.
    pub fn parse(form: &AuditQueryForm) -> Result<AuditQuery, FieldErrors> {
        let mut errors = FieldErrors::default();
        let from = errors.take(date("from", "From", &form.from)).flatten();
        let to = errors.take(date("to", "To", &form.to)).flatten();
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.push(FieldError::new("to", "To must be on or after From"));
        }
        let page = match form.page.trim() {
            "" => 1,
            text => match text.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    errors.push(FieldError::new(
                        "page",
                        "Page must be a whole number from 1",
                    ));
                    1
                }
            },
        };
        errors.into_result()?;
        Ok(AuditQuery {
            organisation: optional(&form.organisation).map(|o| o.to_uppercase()),
            person: optional(&form.person),
            actor: optional(&form.actor),
            from,
            to,
            page,
        })
    }
}

/// The stored instant at which a day in England starts.
fn start_of_day(day: NaiveDate) -> String {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    let at = London
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| midnight.and_utc());
    store::timestamp(at)
}

/// One row of the trail as people read it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditLine {
    /// As stored (RFC 3339, UTC).
    pub at: String,
    /// In England: "3 March 2026, 14:05".
    pub when: String,
    /// The account's email, or "command line".
    pub who: String,
    pub user_id: Option<String>,
    /// A sentence: "Approved the leave request of Jane Smith".
    pub what: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// The organisation's code and name.
    pub organisation: String,
    pub organisation_name: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// One page of the trail.
#[derive(Debug, Clone)]
pub struct AuditPage {
    pub lines: Vec<AuditLine>,
    pub page: u32,
    pub has_next: bool,
    /// The person filtered on, by name.
    pub person_name: Option<String>,
}

/// What a kind of record is called.
fn entity_label(entity: &str) -> String {
    let label = match entity {
        "staff" => "staff record",
        "leave" => "leave request",
        "session_request" => "session request",
        "rota_day" => "day of a rota",
        "rota_swap" => "swap request",
        "cpd_entry" => "CPD entry",
        "professional_dates" => "appraisal and revalidation dates",
        "coaching_attendance" => "coaching attendance",
        "wellbeing_checkin" => "wellbeing check-in",
        "wellbeing_questionnaire" => "wellbeing check-in",
        "site_session" => "site's sessions",
        "scenario" => "what-if scenario",
        "appointment_import" => "appointments import",
        "development_reminders" => "appraisal and revalidation reminders",
        "training_reminders" => "training reminders",
        "leave_entitlement" => "annual leave entitlement",
        "leave_policy" => "leave rules",
        other => return other.replace('_', " "),
    };
    label.to_string()
}

/// Entities whose id is the id of the person they are about.
const PERSON_ENTITIES: &[&str] = &[
    "staff",
    "professional_dates",
    "rota_rules",
    "calendar_feed",
    "leave_entitlement",
];

fn sentence(entry: &AuditEntry, person: Option<&str>) -> String {
    let mut action = entry.action.replace('_', " ");
    if let Some(first) = action.get(..1) {
        action = format!("{}{}", first.to_uppercase(), &action[1..]);
    }
    let mut what = format!("{action} the {}", entity_label(&entry.entity));
    if let Some(name) = person {
        what.push_str(&format!(" of {name}"));
    }
    what
}

/// A PCN's code and its practices' codes.
async fn pcn_and_practices(conn: &mut Conn, pcn: &str) -> AppResult<Vec<String>> {
    let mut codes = vec![pcn.to_string()];
    for p in store::organisations::list(conn, PracticeScope::Pcn(pcn)).await? {
        codes.push(p.ods_code);
    }
    Ok(codes)
}

facade! {
    /// The audit trail: searching it and exporting it (`app.audit()`).
    pub struct Audit => audit;
}

impl Audit<'_> {
    /// The audit trail visible to a manager for their organisation.
    pub async fn audit_trail(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
        limit: i64,
    ) -> AppResult<Vec<store::audit::AuditEntry>> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::Manage, tenant).await?;
        let code = match tenant {
            Tenant::Practice(c) | Tenant::Pcn(c) => c.to_string(),
        };
        Ok(store::audit::list(&mut conn, &[code], limit).await?)
    }

    /// The organisations whose rows the actor may read (`None`: all), narrowed to the
    /// organisation asked for.
    async fn audit_tenants(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        organisation: Option<&str>,
    ) -> AppResult<Option<Vec<String>>> {
        if matches!(actor.role, UserRole::Staff | UserRole::IcsViewer) {
            return Err(AppError::Forbidden);
        }
        let Some(code) = organisation else {
            return match actor.role {
                UserRole::SystemAdmin => Ok(None),
                UserRole::PcnManager => Ok(Some(pcn_and_practices(conn, &actor.org).await?)),
                _ => Ok(Some(vec![actor.org.clone()])),
            };
        };
        if store::organisations::get(conn, code).await?.is_some() {
            access::authorize(conn, actor, Permission::Manage, Tenant::Practice(code)).await?;
            Ok(Some(vec![code.to_string()]))
        } else if store::organisations::get_pcn(conn, code).await?.is_some() {
            access::authorize(conn, actor, Permission::Manage, Tenant::Pcn(code)).await?;
            Ok(Some(pcn_and_practices(conn, code).await?))
        } else {
            Err(FieldErrors::from(FieldError::new(
                "organisation",
                format!("Organisation: no practice or PCN has the code {code}"),
            ))
            .into())
        }
    }

    async fn audit_filter(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        query: &AuditQuery,
    ) -> AppResult<(AuditFilter, Option<String>)> {
        let tenants = self
            .audit_tenants(conn, actor, query.organisation.as_deref())
            .await?;
        let person_name = match &query.person {
            Some(id) => match access::visible_staff(conn, actor, id).await {
                Ok(person) => Some(person.draft.name),
                Err(AppError::NotFound) => {
                    return Err(FieldErrors::from(FieldError::new(
                        "person",
                        "Person: no one on your team has this record",
                    ))
                    .into());
                }
                Err(other) => return Err(other),
            },
            None => None,
        };
        let filter = AuditFilter {
            tenants,
            person: query.person.clone(),
            actor: query.actor.clone(),
            from: query.from.map(start_of_day),
            to: query.to.and_then(|d| d.succ_opt()).map(start_of_day),
        };
        Ok((filter, person_name))
    }

    /// Turns stored rows into readable lines, naming people and organisations.
    async fn audit_lines(
        &self,
        conn: &mut Conn,
        entries: Vec<AuditEntry>,
        person_name: Option<&str>,
    ) -> AppResult<Vec<AuditLine>> {
        let mut people: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut orgs: BTreeMap<String, String> = BTreeMap::new();
        let mut lines = Vec::with_capacity(entries.len());
        for entry in entries {
            let person = if PERSON_ENTITIES.contains(&entry.entity.as_str()) {
                if !people.contains_key(&entry.entity_id) {
                    let name = store::register::get(conn, &entry.entity_id)
                        .await?
                        .map(|p| p.draft.name);
                    people.insert(entry.entity_id.clone(), name);
                }
                people[&entry.entity_id].clone()
            } else {
                person_name.map(str::to_string)
            };
            if !orgs.contains_key(&entry.tenant) {
                let name = match store::organisations::get(conn, &entry.tenant).await? {
                    Some(p) => p.name,
                    None => match store::organisations::get_pcn(conn, &entry.tenant).await? {
                        Some(p) => p.name,
                        None if entry.tenant == "system" => "Whole deployment".into(),
                        None => entry.tenant.clone(),
                    },
                };
                orgs.insert(entry.tenant.clone(), name);
            }
            lines.push(AuditLine {
                when: show_timestamp(&entry.at),
                who: entry
                    .user_email
                    .clone()
                    .unwrap_or_else(|| "command line".into()),
                what: sentence(&entry, person.as_deref()),
                organisation_name: orgs[&entry.tenant].clone(),
                at: entry.at,
                user_id: entry.user_id,
                action: entry.action,
                entity: entry.entity,
                entity_id: entry.entity_id,
                organisation: entry.tenant,
                before_json: entry.before_json,
                after_json: entry.after_json,
            });
        }
        Ok(lines)
    }

    /// One page of the audit trail, newest first.
    pub async fn audit_search(&self, actor: &Actor, query: &AuditQuery) -> AppResult<AuditPage> {
        let mut conn = self.store.conn().await?;
        let (filter, person_name) = self.audit_filter(&mut conn, actor, query).await?;
        let offset = i64::from(query.page.saturating_sub(1)) * PAGE_SIZE;
        let mut entries = store::audit::search(&mut conn, &filter, offset, PAGE_SIZE + 1).await?;
        let has_next = entries.len() as i64 > PAGE_SIZE;
        entries.truncate(PAGE_SIZE as usize);
        let lines = self
            .audit_lines(&mut conn, entries, person_name.as_deref())
            .await?;
        Ok(AuditPage {
            lines,
            page: query.page,
            has_next,
            person_name,
        })
    }

    /// The whole filtered trail (up to `CSV_LIMIT` rows, newest first) as CSV.
    pub async fn audit_csv(&self, actor: &Actor, query: &AuditQuery) -> AppResult<Vec<u8>> {
        let mut conn = self.store.conn().await?;
        let (filter, person_name) = self.audit_filter(&mut conn, actor, query).await?;
        let entries = store::audit::search(&mut conn, &filter, 0, CSV_LIMIT).await?;
        let lines = self
            .audit_lines(&mut conn, entries, person_name.as_deref())
            .await?;
        let header: Vec<String> = [
            "when",
            "at_utc",
            "who",
            "what",
            "action",
            "record",
            "record_id",
            "organisation",
            "organisation_name",
            "before",
            "after",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        let rows: Vec<Vec<String>> = lines
            .into_iter()
            .map(|l| {
                vec![
                    l.when,
                    l.at,
                    l.who,
                    l.what,
                    l.action,
                    l.entity,
                    l.entity_id,
                    l.organisation,
                    l.organisation_name,
                    l.before_json.unwrap_or_default(),
                    l.after_json.unwrap_or_default(),
                ]
            })
            .collect();
        Ok(import::write_table_csv(&header, &rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_start_at_midnight_in_england() {
        let summer = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(start_of_day(summer), "2026-06-30T23:00:00Z");
        let winter = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(start_of_day(winter), "2026-12-01T00:00:00Z");
    }

    #[test]
    fn bad_filters_name_their_field() {
        let form = AuditQueryForm {
            from: "2026-05-01".into(),
            to: "1 May".into(),
            page: "0".into(),
            ..Default::default()
        };
        let errors = AuditQuery::parse(&form).unwrap_err();
        assert!(errors.message_for("to").unwrap().contains("date like"));
        assert!(errors.message_for("page").is_some());
        let form = AuditQueryForm {
            from: "2026-05-02".into(),
            to: "2026-05-01".into(),
            ..Default::default()
        };
        let errors = AuditQuery::parse(&form).unwrap_err();
        assert_eq!(
            errors.message_for("to"),
            Some("To must be on or after From")
        );
    }

    #[test]
    fn sentences_read_as_english() {
        let entry = AuditEntry {
            at: "2026-03-03T14:05:00Z".into(),
            user_id: None,
            user_email: None,
            action: "approved".into(),
            entity: "leave".into(),
            entity_id: "x".into(),
            tenant: "Y99901".into(),
            before_json: None,
            after_json: None,
        };
        assert_eq!(
            sentence(&entry, Some("Jane Smith")),
            "Approved the leave request of Jane Smith"
        );
    }
}
