//! Training: the catalogue of a PCN or practice (seeded from sourced defaults the first time
//! it is needed), people's records with their evidence, the compliance matrix and the
//! reminder emails.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, audit, commit_with_audit, json, long_date};
use chrono::{Datelike, NaiveDate};
use domain::FieldError;
use domain::account::UserRole;
use domain::role::{Role, StaffGroup};
use domain::training::{
    ComplianceStatus, DEFAULT_TOPICS, REMIND_WITHIN_DAYS, RecordForm, TopicForm, status_of_record,
};
use std::collections::{BTreeMap, BTreeSet};
use store::Conn;
use store::register::{StaffFilter, StaffRecord, StaffScope};
use store::training::{EvidenceMeta, RecordBrief, TopicRecord, TrainingRecord};

pub mod chase;

mod records;
mod reminders;

pub use reminders::*;

/// One person's standing on one topic.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MatrixCell {
    pub topic_id: String,
    pub status: ComplianceStatus,
    pub completed_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    /// Whether a manager has verified the record the status comes from.
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MatrixRow {
    pub staff_id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub practices: Vec<String>,
    pub cells: Vec<MatrixCell>,
}

impl MatrixRow {
    pub fn count(&self, status: ComplianceStatus) -> usize {
        self.cells.iter().filter(|c| c.status == status).count()
    }
}

/// People × topics for a practice or PCN.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrainingMatrix {
    /// The practice's or PCN's name.
    pub org_name: String,
    /// The columns shown (one when filtered to a topic).
    pub topics: Vec<TopicRecord>,
    /// Every topic of the catalogue, filtered or not.
    pub catalogue: Vec<TopicRecord>,
    pub people: Vec<MatrixRow>,
}

impl TrainingMatrix {
    /// Cells of each status across the matrix, in `ComplianceStatus::ALL` order.
    pub fn totals(&self) -> Vec<(ComplianceStatus, usize)> {
        ComplianceStatus::ALL
            .into_iter()
            .map(|s| (s, self.people.iter().map(|p| p.count(s)).sum()))
            .collect()
    }
}

/// How a manager narrows the matrix.
#[derive(Debug, Clone, Default)]
pub struct MatrixFilter {
    pub staff_group: Option<StaffGroup>,
    /// Only people with at least one cell in this status (in the chosen topic, if any).
    pub status: Option<ComplianceStatus>,
    /// Only this topic's column.
    pub topic_id: Option<String>,
    /// Only people working at this practice (on the PCN matrix).
    pub practice: Option<String>,
    pub search: Option<String>,
}

/// A person's own training page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonTraining {
    pub person: StaffRecord,
    /// The topics that apply to them, with their standing.
    pub required: Vec<(TopicRecord, MatrixCell)>,
    /// Every topic they may record against (the whole catalogue of their practices).
    pub catalogue: Vec<TopicRecord>,
    pub records: Vec<TrainingRecord>,
    /// Whether the viewer may verify records (a manager of this person).
    pub can_verify: bool,
}

/// An uploaded evidence file, as received.
#[derive(Debug, Clone)]
pub struct EvidenceUpload {
    pub file_name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// The catalogue owners a tenant sees, and the owner the defaults are seeded into.
struct Catalogue {
    owners: Vec<String>,
    seed_owner: String,
}

async fn catalogue_of(conn: &mut Conn, tenant: Tenant<'_>) -> AppResult<Catalogue> {
    match tenant {
        Tenant::Practice(ods) => {
            let practice = store::organisations::get(conn, ods)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut owners = vec![ods.to_string()];
            let seed_owner = match practice.pcn_code {
                Some(pcn) => {
                    owners.insert(0, pcn.clone());
                    pcn
                }
                None => ods.to_string(),
            };
            Ok(Catalogue { owners, seed_owner })
        }
        Tenant::Pcn(code) => {
            let mut owners = vec![code.to_string()];
            for p in
                store::organisations::list(conn, store::organisations::PracticeScope::Pcn(code))
                    .await?
            {
                owners.push(p.ods_code);
            }
            Ok(Catalogue {
                owners,
                seed_owner: code.to_string(),
            })
        }
    }
}

/// Seeds the sourced defaults into an owner that has no catalogue yet (idempotent: a
/// default already there is left alone, so two requests at once cannot double it).
async fn ensure_defaults(
    conn: &mut Conn,
    actor: Option<&Actor>,
    owner: &str,
    now: &str,
) -> AppResult<()> {
    if store::training::has_catalogue(conn, owner).await? {
        return Ok(());
    }
    let mut added = Vec::new();
    for default in DEFAULT_TOPICS {
        let draft = default.draft();
        if store::training::insert_topic(
            conn,
            &store::new_id(),
            owner,
            Some(default.key),
            &draft,
            now,
        )
        .await?
        {
            added.push(default.key);
        }
    }
    if !added.is_empty() {
        let change = Change {
            action: "seeded",
            entity: "training_catalogue",
            entity_id: owner,
            tenant: owner,
            before: None,
            after: json(&added),
        };
        audit(conn, actor, change, now).await?;
    }
    Ok(())
}

/// Seeds the defaults into the catalogue a tenant works to, if it has none yet (for jobs
/// that build the matrix without a person acting).
pub(crate) async fn seed_catalogue(
    conn: &mut Conn,
    tenant: Tenant<'_>,
    now: &str,
) -> AppResult<()> {
    let catalogue = catalogue_of(conn, tenant).await?;
    ensure_defaults(conn, None, &catalogue.seed_owner, now).await
}

/// Whose catalogue a topic is in: a practice's own, or a PCN's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicOwner {
    Practice(String),
    Pcn(String),
}

impl TopicOwner {
    pub fn tenant(&self) -> Tenant<'_> {
        match self {
            TopicOwner::Practice(ods) => Tenant::Practice(ods),
            TopicOwner::Pcn(code) => Tenant::Pcn(code),
        }
    }
}

/// A practice when one has the owner's code, else a PCN.
async fn owner_of(conn: &mut Conn, topic: &TopicRecord) -> AppResult<TopicOwner> {
    let code = topic.owner_code.clone();
    Ok(if store::organisations::get(conn, &code).await?.is_some() {
        TopicOwner::Practice(code)
    } else {
        TopicOwner::Pcn(code)
    })
}

/// The owners whose topics apply to a person: their practices and those practices' PCNs,
/// and the PCN that employs them.
async fn owners_of(conn: &mut Conn, person: &StaffRecord) -> AppResult<BTreeSet<String>> {
    let mut owners = BTreeSet::new();
    if let domain::org::Employer::Pcn(code) = &person.draft.employer {
        owners.insert(code.to_string());
    }
    for ods in &person.draft.practices {
        owners.insert(ods.to_string());
        if let Some(p) = store::organisations::get(conn, ods.as_str()).await?
            && let Some(pcn) = p.pcn_code
        {
            owners.insert(pcn);
        }
    }
    Ok(owners)
}

/// What a cell's status is computed from: a record's completion, stated expiry and whether
/// a manager verified it.
#[derive(Debug, Clone, Copy)]
struct Completion {
    completed_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    verified: bool,
}

impl From<&TrainingRecord> for Completion {
    fn from(record: &TrainingRecord) -> Completion {
        Completion {
            completed_on: record.draft.completed_on,
            expires_on: record.draft.expires_on,
            verified: record.verified_at.is_some(),
        }
    }
}

impl From<&RecordBrief> for Completion {
    fn from(record: &RecordBrief) -> Completion {
        Completion {
            completed_on: record.completed_on,
            expires_on: record.expires_on,
            verified: record.verified,
        }
    }
}

fn cell(
    topic: &TopicRecord,
    role: Role,
    concerns: bool,
    latest: Option<Completion>,
    today: NaiveDate,
) -> MatrixCell {
    let (status, expires_on) = if concerns {
        status_of_record(
            &topic.topic,
            role,
            latest.map(|r| (r.completed_on, r.expires_on)),
            today,
        )
    } else {
        (ComplianceStatus::NotRequired, None)
    };
    let shown = latest.filter(|_| status != ComplianceStatus::NotRequired);
    MatrixCell {
        topic_id: topic.id.clone(),
        status,
        completed_on: shown.map(|r| r.completed_on),
        expires_on,
        verified: shown.is_some_and(|r| r.verified),
    }
}

/// Builds the matrix for a tenant whose catalogue is already seeded.
pub(crate) async fn build_matrix(
    conn: &mut Conn,
    tenant: Tenant<'_>,
    filter: &MatrixFilter,
    today: NaiveDate,
) -> AppResult<TrainingMatrix> {
    let owners = catalogue_of(conn, tenant).await?.owners;
    let catalogue = store::training::list_topics(conn, &owners).await?;
    let mut topics = catalogue.clone();
    if let Some(topic) = &filter.topic_id {
        topics.retain(|t| &t.id == topic);
    }
    let column: BTreeMap<&str, usize> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let org_name = match tenant {
        Tenant::Practice(ods) => store::organisations::get(conn, ods).await?.map(|p| p.name),
        Tenant::Pcn(code) => store::organisations::get_pcn(conn, code)
            .await?
            .map(|p| p.name),
    }
    .unwrap_or_default();
    let scope = match tenant {
        Tenant::Practice(ods) => StaffScope::WorksAt(ods),
        Tenant::Pcn(code) => StaffScope::Pcn(code),
    };
    // The team on the day the matrix describes: leavers and future starters are not in it.
    let staff_filter = StaffFilter {
        search: filter.search.clone(),
        staff_group: filter.staff_group,
        employed: Some(store::register::Employed::On(today)),
        ..StaffFilter::default()
    };
    let people = store::training::matrix_people(conn, scope, &staff_filter).await?;
    let mut rows = Vec::with_capacity(people.len());
    for person in people {
        if let Some(wanted) = &filter.practice
            && !person.practices.iter().any(|(ods, _)| ods == wanted)
        {
            continue;
        }
        // The catalogues whose topics concern them: their practices', those practices'
        // PCNs', and the PCN employing them.
        let mut owners: BTreeSet<&str> = BTreeSet::new();
        owners.extend(person.employer_pcn.as_deref());
        for (ods, pcn) in &person.practices {
            owners.insert(ods);
            owners.extend(pcn.as_deref());
        }
        // The latest completion in each column (the last added, between two on one day).
        let mut latest: Vec<Option<&RecordBrief>> = vec![None; topics.len()];
        for record in &person.records {
            if let Some(&i) = column.get(record.topic_id.as_str()) {
                match latest[i] {
                    Some(held)
                        if (held.completed_on, &held.added_at)
                            >= (record.completed_on, &record.added_at) => {}
                    _ => latest[i] = Some(record),
                }
            }
        }
        let cells: Vec<MatrixCell> = topics
            .iter()
            .zip(&latest)
            .map(|(topic, latest)| {
                cell(
                    topic,
                    person.role,
                    owners.contains(topic.owner_code.as_str()),
                    latest.map(Completion::from),
                    today,
                )
            })
            .collect();
        if let Some(wanted) = filter.status
            && !cells.iter().any(|c| c.status == wanted)
        {
            continue;
        }
        rows.push(MatrixRow {
            staff_id: person.id,
            name: person.name,
            email: person.email,
            role: person.role,
            practices: person.practices.into_iter().map(|(ods, _)| ods).collect(),
            cells,
        });
    }
    Ok(TrainingMatrix {
        org_name,
        topics,
        catalogue,
        people: rows,
    })
}

facade! {
    /// Training: the matrix, records and reminders (`app.training()`).
    pub struct Training => training;
}

impl Training<'_> {
    /// The catalogue a practice or PCN works to, seeded from the defaults the first time.
    pub async fn training_catalogue(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
    ) -> AppResult<Vec<TopicRecord>> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::View, tenant).await?;
        let catalogue = catalogue_of(&mut tx, tenant).await?;
        ensure_defaults(&mut tx, Some(actor), &catalogue.seed_owner, &self.now()).await?;
        let topics = store::training::list_topics(&mut tx, &catalogue.owners).await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(topics)
    }

    /// The compliance matrix of a practice or PCN.
    pub async fn training_matrix(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
        filter: &MatrixFilter,
    ) -> AppResult<TrainingMatrix> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::View, tenant).await?;
        let catalogue = catalogue_of(&mut tx, tenant).await?;
        ensure_defaults(&mut tx, Some(actor), &catalogue.seed_owner, &self.now()).await?;
        let matrix = build_matrix(&mut tx, tenant, filter, self.today()).await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(matrix)
    }

    /// Adds a topic to a practice's or PCN's own catalogue.
    pub async fn add_training_topic(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
        form: &TopicForm,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, tenant).await?;
        let draft = form.parse()?;
        let owner = match tenant {
            Tenant::Practice(c) | Tenant::Pcn(c) => c,
        };
        let now = self.now();
        let catalogue = catalogue_of(&mut tx, tenant).await?;
        ensure_defaults(&mut tx, Some(actor), &catalogue.seed_owner, &now).await?;
        let id = store::new_id();
        store::training::insert_topic(&mut tx, &id, owner, None, &draft, &now).await?;
        let change = Change {
            action: "created",
            entity: "training_topic",
            entity_id: &id,
            tenant: owner,
            before: None,
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// A topic the actor may change, with the tenant it belongs to.
    async fn managed_topic(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        topic_id: &str,
    ) -> AppResult<(TopicRecord, TopicOwner)> {
        let topic = store::training::get_topic(conn, topic_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let owner = owner_of(conn, &topic).await?;
        access::authorize(conn, actor, Permission::Manage, owner.tenant())
            .await
            .map_err(|e| match e {
                AppError::Forbidden => AppError::NotFound,
                other => other,
            })?;
        Ok((topic, owner))
    }

    pub async fn get_training_topic(
        &self,
        actor: &Actor,
        topic_id: &str,
    ) -> AppResult<TopicRecord> {
        let mut conn = self.store().conn().await?;
        Ok(self.managed_topic(&mut conn, actor, topic_id).await?.0)
    }

    pub async fn update_training_topic(
        &self,
        actor: &Actor,
        topic_id: &str,
        form: &TopicForm,
    ) -> AppResult<TopicOwner> {
        let mut tx = self.store().begin().await?;
        let (before, owner) = self.managed_topic(&mut tx, actor, topic_id).await?;
        let draft = form.parse()?;
        store::training::update_topic(&mut tx, topic_id, &draft).await?;
        let change = Change {
            action: "updated",
            entity: "training_topic",
            entity_id: topic_id,
            tenant: &before.owner_code,
            before: json(&before.topic),
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        Ok(owner)
    }

    /// Takes a topic out of the catalogue; records against it are kept.
    pub async fn retire_training_topic(
        &self,
        actor: &Actor,
        topic_id: &str,
    ) -> AppResult<TopicOwner> {
        let mut tx = self.store().begin().await?;
        let (before, owner) = self.managed_topic(&mut tx, actor, topic_id).await?;
        store::training::retire_topic(&mut tx, topic_id).await?;
        let change = Change {
            action: "retired",
            entity: "training_topic",
            entity_id: topic_id,
            tenant: &before.owner_code,
            before: json(&before.topic),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        Ok(owner)
    }

    /// A person and whether the actor may manage their training (verify, add for them).
    async fn training_subject(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        staff_id: &str,
    ) -> AppResult<(StaffRecord, bool)> {
        let person = access::visible_staff(conn, actor, staff_id).await?;
        let is_self = actor.staff_id.as_deref() == Some(staff_id);
        // `visible_staff` has checked the actor may see them; a manager manages the training
        // of the people they see, not their own (no one verifies their own records).
        let manages =
            !is_self && matches!(actor.role, UserRole::PracticeManager | UserRole::PcnManager);
        if !is_self && !manages {
            return Err(AppError::NotFound);
        }
        Ok((person, manages))
    }
}
