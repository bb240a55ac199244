//! Organisations run by the system administrator: ICSs, PCNs, and practice-to-PCN
//! membership with history. A move closes the old membership the day before the new one
//! starts; `practices.pcn_code` is kept as the membership today (`refresh_memberships`).
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json, long_date};
use chrono::{Duration, NaiveDate};
use domain::account::UserRole;
use domain::org::{IcsCode, OdsCode, PcnCode};
use domain::{FieldError, FieldErrors};
use store::Conn;
use store::organisations::memberships::Membership;
use store::organisations::{IcsRecord, NamedTable, PcnRecord, PracticeRecord, PracticeScope};

pub mod dashboards;
pub mod pcn_membership;

/// Only a system administrator (or the command line, `None`) runs the deployment's
/// organisations and reference data.
pub(crate) fn require_system_admin(actor: Option<&Actor>) -> AppResult<()> {
    match actor.map(|a| a.role) {
        None | Some(UserRole::SystemAdmin) => Ok(()),
        Some(_) => Err(AppError::Forbidden),
    }
}

/// A PCN with its practices today.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PcnWithPractices {
    pub pcn: PcnRecord,
    pub practices: Vec<PracticeRecord>,
}

/// An ICS with its PCNs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IcsWithPcns {
    pub ics: IcsRecord,
    pub pcns: Vec<PcnWithPractices>,
}

/// Everything the administrator's start page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdminOverview {
    pub systems: Vec<IcsWithPcns>,
    /// PCNs with no ICS (made before ICSs were kept).
    pub pcns_without_ics: Vec<PcnWithPractices>,
    /// Practices in no PCN today.
    pub unplaced: Vec<PracticeRecord>,
    pub practice_count: usize,
}

/// One membership as people read it: the PCN by name.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MembershipView {
    pub pcn_code: String,
    pub pcn_name: String,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// Why a practice cannot be put into a PCN from a date, in the users' words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The PCN is in another ICS than the practice's current or last PCN.
    OtherIcs(String),
    /// The practice is already there, or the move starts on or before the current
    /// membership's start.
    Date(String),
}

impl Refusal {
    pub(crate) fn message(self) -> String {
        match self {
            Refusal::OtherIcs(m) | Refusal::Date(m) => m,
        }
    }
}

pub(crate) async fn placement_refusal(
    conn: &mut Conn,
    practice: &PracticeRecord,
    pcn: &PcnRecord,
    from: NaiveDate,
) -> AppResult<Option<Refusal>> {
    let history = recorded_history(conn, &practice.ods_code).await?;
    let Some(latest) = history.last() else {
        return Ok(None);
    };
    let name = &practice.name;
    let latest_pcn = store::organisations::get_pcn(conn, &latest.pcn_code)
        .await?
        .ok_or(AppError::NotFound)?;
    if latest_pcn.ics_code != pcn.ics_code
        && let (Some(old), Some(new)) = (&latest_pcn.ics_code, &pcn.ics_code)
    {
        let old = ics_name(conn, old).await?;
        let new = ics_name(conn, new).await?;
        return Ok(Some(Refusal::OtherIcs(format!(
            "{name} is in {old}; {} is in {new}",
            pcn.name
        ))));
    }
    let latest_from = day(&latest.from_date)?;
    if latest.pcn_code == pcn.code && latest.until_date.is_none() {
        return Ok(Some(Refusal::Date(format!(
            "{name} is already in {} since {}",
            pcn.name,
            long_date(latest_from)
        ))));
    }
    if from <= latest_from {
        return Ok(Some(Refusal::Date(format!(
            "{name} is in {} from {}: a move must start after that day",
            latest_pcn.name,
            long_date(latest_from)
        ))));
    }
    Ok(None)
}

/// A practice's memberships; a practice placed in a PCN before memberships were kept (or
/// directly, with no rows) first gets its PCN today as a membership open since it opened.
pub(crate) async fn recorded_history(conn: &mut Conn, ods: &str) -> AppResult<Vec<Membership>> {
    let history = store::organisations::memberships::history(conn, ods).await?;
    if !history.is_empty() {
        return Ok(history);
    }
    let Some(practice) = store::organisations::get(conn, ods).await? else {
        return Ok(history);
    };
    let Some(pcn_code) = practice.pcn_code else {
        return Ok(history);
    };
    let membership = Membership {
        ods_code: ods.to_string(),
        pcn_code,
        from_date: practice.open_date.unwrap_or_else(|| "2019-07-01".into()),
        until_date: None,
    };
    store::organisations::memberships::insert(conn, &membership).await?;
    Ok(vec![membership])
}

async fn ics_name(conn: &mut Conn, code: &str) -> AppResult<String> {
    Ok(store::organisations::get_ics(conn, code)
        .await?
        .map(|i| i.name)
        .unwrap_or_else(|| code.to_string()))
}

fn day(text: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| AppError::Internal(format!("stored date '{text}': {e}")))
}

/// Puts a practice into a PCN from `from` (to `until`, when given), closing the open
/// membership the day before. Call `placement_refusal` first.
pub(crate) async fn place(
    conn: &mut Conn,
    ods: &str,
    pcn: &str,
    from: NaiveDate,
    until: Option<NaiveDate>,
) -> AppResult<()> {
    let history = recorded_history(conn, ods).await?;
    if let Some(latest) = history.last() {
        let open_on_from = match &latest.until_date {
            None => true,
            Some(until) => day(until)? >= from,
        };
        if open_on_from {
            let eve = (from - Duration::days(1)).to_string();
            store::organisations::memberships::close(conn, ods, &latest.from_date, &eve).await?;
        }
    }
    store::organisations::memberships::insert(
        conn,
        &Membership {
            ods_code: ods.to_string(),
            pcn_code: pcn.to_string(),
            from_date: from.to_string(),
            until_date: until.map(|d| d.to_string()),
        },
    )
    .await?;
    Ok(())
}

fn required_name(field: &'static str, what: &str, text: &str) -> Result<String, FieldError> {
    let name = text.trim();
    if name.is_empty() {
        return Err(FieldError::new(field, format!("Enter the {what}'s name")));
    }
    if name.chars().count() > 200 {
        return Err(FieldError::new(
            field,
            format!("The {what}'s name must be 200 characters or fewer"),
        ));
    }
    Ok(name.to_string())
}

facade! {
    /// Organisations: ICSs, PCNs, practices, their memberships and overviews (`app.organisations()`).
    pub struct Organisations => organisations;
}

impl Organisations<'_> {
    /// Adds an ICS by its ICB's ODS code (like `QJG`) and name. A code or a name already
    /// used is refused, naming the ICS that has it.
    pub async fn create_ics(&self, actor: Option<&Actor>, code: &str, name: &str) -> AppResult<()> {
        require_system_admin(actor)?;
        let mut errors = FieldErrors::default();
        let code =
            errors.take(IcsCode::parse(code).map_err(|e| FieldError::new("code", e.message)));
        let name = errors.take(required_name("name", "ICS", name));
        let mut tx = self.store().begin().await?;
        if let Some(code) = &code
            && let Some(existing) = store::organisations::get_ics(&mut tx, code.as_str()).await?
        {
            errors.push(FieldError::new(
                "code",
                format!("{code} is already the code of {}", existing.name),
            ));
        }
        if let Some(name) = &name
            && let Some(other) =
                store::organisations::code_by_name(&mut tx, NamedTable::Ics, name).await?
        {
            errors.push(FieldError::new(
                "name",
                format!("There is already an ICS called {name} (code {other})"),
            ));
        }
        errors.clone().into_result()?;
        let (Some(code), Some(name)) = (code, name) else {
            return Err(AppError::Invalid(errors));
        };
        store::organisations::create_ics(&mut tx, code.as_str(), &name).await?;
        let change = Change {
            action: "created",
            entity: "ics",
            entity_id: code.as_str(),
            tenant: code.as_str(),
            before: None,
            after: json(&serde_json::json!({ "code": code.as_str(), "name": name })),
        };
        commit_with_audit(tx, actor, change, &self.now()).await
    }

    /// Adds a PCN (`U` and five digits) in an ICS, given by code or by name.
    pub async fn create_pcn(
        &self,
        actor: Option<&Actor>,
        code: &str,
        name: &str,
        ics: &str,
    ) -> AppResult<()> {
        require_system_admin(actor)?;
        let mut errors = FieldErrors::default();
        let code =
            errors.take(PcnCode::parse(code).map_err(|e| FieldError::new("code", e.message)));
        let name = errors.take(required_name("name", "PCN", name));
        let mut tx = self.store().begin().await?;
        let ics_code = self.find_ics(&mut tx, ics).await?;
        if ics_code.is_none() {
            errors.push(FieldError::new(
                "ics",
                if ics.trim().is_empty() {
                    "Choose the PCN's ICS".to_string()
                } else {
                    format!("There is no ICS called {}", ics.trim())
                },
            ));
        }
        if let Some(code) = &code
            && let Some(existing) = store::organisations::get_pcn(&mut tx, code.as_str()).await?
        {
            errors.push(FieldError::new(
                "code",
                format!("{code} is already the code of {}", existing.name),
            ));
        }
        if let Some(name) = &name
            && let Some(other) =
                store::organisations::code_by_name(&mut tx, NamedTable::Pcns, name).await?
        {
            errors.push(FieldError::new(
                "name",
                format!("There is already a PCN called {name} (code {other})"),
            ));
        }
        errors.clone().into_result()?;
        let (Some(code), Some(name), Some(ics_code)) = (code, name, ics_code) else {
            return Err(AppError::Invalid(errors));
        };
        let pcn = PcnRecord {
            code: code.to_string(),
            name,
            ics_code: Some(ics_code),
        };
        store::organisations::create_pcn(&mut tx, &pcn).await?;
        let change = Change {
            action: "created",
            entity: "pcn",
            entity_id: &pcn.code,
            tenant: &pcn.code,
            before: None,
            after: json(&pcn),
        };
        commit_with_audit(tx, actor, change, &self.now()).await
    }

    async fn find_ics(&self, conn: &mut Conn, text: &str) -> AppResult<Option<String>> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if let Some(ics) = store::organisations::get_ics(conn, &text.to_ascii_uppercase()).await? {
            return Ok(Some(ics.code));
        }
        Ok(store::organisations::code_by_name(conn, NamedTable::Ics, text).await?)
    }

    /// Puts a practice (by ODS code or name) into a PCN (by code or name) from a date
    /// (`YYYY-MM-DD`), closing its current membership the day before.
    pub async fn set_practice_pcn(
        &self,
        actor: Option<&Actor>,
        practice: &str,
        pcn: &str,
        from: &str,
    ) -> AppResult<()> {
        require_system_admin(actor)?;
        let mut errors = FieldErrors::default();
        let mut tx = self.store().begin().await?;
        let found = find_practice(&mut tx, practice).await?;
        if found.is_none() {
            errors.push(FieldError::new(
                "practice",
                if practice.trim().is_empty() {
                    "Enter the practice's ODS code or name".to_string()
                } else {
                    format!("There is no practice {} in gpteam", practice.trim())
                },
            ));
        }
        let pcn_record = find_pcn(&mut tx, pcn).await?;
        if pcn_record.is_none() {
            errors.push(FieldError::new(
                "pcn",
                if pcn.trim().is_empty() {
                    "Choose the PCN".to_string()
                } else {
                    format!("There is no PCN {} in gpteam", pcn.trim())
                },
            ));
        }
        let from_date = NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d").ok();
        if from_date.is_none() {
            errors.push(FieldError::new(
                "from",
                if from.trim().is_empty() {
                    "Enter the date the practice joins the PCN".to_string()
                } else {
                    format!("'{}' is not a date like 2026-04-01", from.trim())
                },
            ));
        }
        errors.clone().into_result()?;
        let (Some(practice), Some(pcn), Some(from)) = (found, pcn_record, from_date) else {
            return Err(AppError::Invalid(errors));
        };
        if let Some(reason) = placement_refusal(&mut tx, &practice, &pcn, from).await? {
            let field = match reason {
                Refusal::OtherIcs(_) => "pcn",
                Refusal::Date(_) => "from",
            };
            return Err(AppError::Invalid(
                FieldError::new(field, reason.message()).into(),
            ));
        }
        let before =
            store::organisations::memberships::history(&mut tx, &practice.ods_code).await?;
        place(&mut tx, &practice.ods_code, &pcn.code, from, None).await?;
        store::organisations::memberships::refresh_practice(
            &mut tx,
            &practice.ods_code,
            &self.today().to_string(),
        )
        .await?;
        let after = store::organisations::memberships::history(&mut tx, &practice.ods_code).await?;
        let change = Change {
            action: "moved to a PCN",
            entity: "practice",
            entity_id: &practice.ods_code,
            tenant: &practice.ods_code,
            before: json(&before),
            after: json(&after),
        };
        commit_with_audit(tx, actor, change, &self.now()).await
    }

    /// Sets every practice's PCN today from the memberships (run at start-up and hourly,
    /// so a move dated in the future takes effect on its day). Returns how many changed.
    pub async fn refresh_memberships(&self) -> AppResult<u64> {
        let mut tx = self.store().begin().await?;
        let changed =
            store::organisations::memberships::refresh_current(&mut tx, &self.today().to_string())
                .await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(changed)
    }

    /// The administrator's start page: ICSs, PCNs and their practices today.
    pub async fn admin_overview(&self, actor: &Actor) -> AppResult<AdminOverview> {
        require_system_admin(Some(actor))?;
        let mut conn = self.store().conn().await?;
        let practices = store::organisations::list(&mut conn, PracticeScope::All).await?;
        let with_practices = |pcn: PcnRecord| PcnWithPractices {
            practices: practices
                .iter()
                .filter(|p| p.pcn_code.as_deref() == Some(pcn.code.as_str()))
                .cloned()
                .collect(),
            pcn,
        };
        let pcns = store::organisations::list_pcns(&mut conn, None).await?;
        let mut systems = Vec::new();
        for ics in store::organisations::list_ics(&mut conn).await? {
            let here = pcns
                .iter()
                .filter(|p| p.ics_code.as_deref() == Some(ics.code.as_str()))
                .cloned()
                .map(with_practices)
                .collect();
            systems.push(IcsWithPcns { ics, pcns: here });
        }
        let pcns_without_ics = pcns
            .iter()
            .filter(|p| p.ics_code.is_none())
            .cloned()
            .map(with_practices)
            .collect();
        Ok(AdminOverview {
            systems,
            pcns_without_ics,
            unplaced: practices
                .iter()
                .filter(|p| p.pcn_code.is_none())
                .cloned()
                .collect(),
            practice_count: practices.len(),
        })
    }

    /// A practice and its memberships, oldest first, for the administrator.
    pub async fn membership_history(
        &self,
        actor: &Actor,
        ods: &str,
    ) -> AppResult<(PracticeRecord, Vec<MembershipView>)> {
        require_system_admin(Some(actor))?;
        let mut conn = self.store().conn().await?;
        let practice = store::organisations::get(&mut conn, ods)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut out = Vec::new();
        for m in store::organisations::memberships::history(&mut conn, ods).await? {
            let pcn_name = store::organisations::get_pcn(&mut conn, &m.pcn_code)
                .await?
                .map(|p| p.name)
                .unwrap_or_else(|| m.pcn_code.clone());
            out.push(MembershipView {
                pcn_name,
                from: day(&m.from_date)?,
                until: m.until_date.as_deref().map(day).transpose()?,
                pcn_code: m.pcn_code,
            });
        }
        Ok((practice, out))
    }
}

/// A practice by ODS code, or by its name (ignoring case) when that names exactly one.
async fn find_practice(conn: &mut Conn, text: &str) -> AppResult<Option<PracticeRecord>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Ok(code) = OdsCode::parse(text)
        && let Some(p) = store::organisations::get(conn, code.as_str()).await?
    {
        return Ok(Some(p));
    }
    let all = store::organisations::list(conn, PracticeScope::All).await?;
    let mut named = all
        .into_iter()
        .filter(|p| p.name.eq_ignore_ascii_case(text));
    match (named.next(), named.next()) {
        (Some(one), None) => Ok(Some(one)),
        _ => Ok(None),
    }
}

/// A PCN by code or by name.
async fn find_pcn(conn: &mut Conn, text: &str) -> AppResult<Option<PcnRecord>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(p) = store::organisations::get_pcn(conn, &text.to_ascii_uppercase()).await? {
        return Ok(Some(p));
    }
    match store::organisations::code_by_name(conn, NamedTable::Pcns, text).await? {
        Some(code) => Ok(store::organisations::get_pcn(conn, &code).await?),
        None => Ok(None),
    }
}
