//! ARRS posts: the register's people the PCN claims for, with their pay and on-costs,
//! entered per person or imported as CSV (all rows checked before any is stored).
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use domain::FieldError;
use domain::arrs::{Post, PostForm, PostTerms};
use domain::org::Employer;
use store::Conn;
use store::register::{StaffFilter, StaffRecord, StaffScope};

/// The posts page: the PCN's posts and the people who could have one.
#[derive(Debug, Clone, PartialEq)]
pub struct PostsView {
    pub pcn: String,
    pub posts: Vec<Post>,
    /// People of the PCN and its practices in reimbursable roles with no post yet.
    pub candidates: Vec<StaffRecord>,
}

/// A person's post form: who they are, their post if any and the PCN that claims it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostEdit {
    pub person: StaffRecord,
    pub pcn: String,
    pub post: Option<Post>,
}

/// Whether ARRS can reimburse the role in some year (the DES's roles, GPs from October
/// 2024, nurses and healthcare support workers from 2025/26).
pub fn reimbursable(role: domain::role::Role) -> bool {
    use domain::role::Role;
    role.is_arrs()
        || matches!(
            role,
            Role::SalariedGp | Role::PracticeNurse | Role::HealthcareAssistant
        )
}

/// The PCN that would claim for a person: their employer PCN, or their employing
/// practice's PCN.
async fn claiming_pcn(conn: &mut Conn, person: &StaffRecord) -> AppResult<Option<String>> {
    Ok(match &person.draft.employer {
        Employer::Pcn(code) => Some(code.to_string()),
        Employer::Practice(ods) => store::organisations::get(conn, ods.as_str())
            .await?
            .and_then(|p| p.pcn_code),
    })
}

/// Loads a person the actor manages as PCN manager (or administrator) of their PCN.
async fn managed_person(
    conn: &mut Conn,
    actor: &Actor,
    staff_id: &str,
) -> AppResult<(StaffRecord, String)> {
    let person = store::register::get(conn, staff_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pcn = claiming_pcn(conn, &person)
        .await?
        .ok_or(AppError::NotFound)?;
    access::authorize(conn, actor, Permission::Manage, Tenant::Pcn(&pcn)).await?;
    if !access::can_manage_staff(conn, actor, &person).await? {
        return Err(AppError::Forbidden);
    }
    Ok((person, pcn))
}

impl super::Funding<'_> {
    pub async fn arrs_posts(&self, actor: &Actor, pcn: &str) -> AppResult<PostsView> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Pcn(pcn)).await?;
        let posts = store::funding::arrs::list_posts(&mut conn, pcn).await?;
        let candidates = store::register::list(
            &mut conn,
            StaffScope::Pcn(pcn),
            &StaffFilter::employed_on(self.today()),
        )
        .await?
        .into_iter()
        .filter(|s| reimbursable(s.draft.role) && !posts.iter().any(|p| p.staff_id == s.id))
        .collect();
        Ok(PostsView {
            pcn: pcn.to_string(),
            posts,
            candidates,
        })
    }

    /// A person's ARRS post for the form (the PCN manager of the PCN that claims it).
    pub async fn arrs_post(&self, actor: &Actor, staff_id: &str) -> AppResult<PostEdit> {
        let mut conn = self.store().conn().await?;
        let (person, pcn) = managed_person(&mut conn, actor, staff_id).await?;
        let post = store::funding::arrs::get_post(&mut conn, staff_id)
            .await?
            .map(|(_, p)| p);
        Ok(PostEdit { person, pcn, post })
    }

    /// Saves a person's ARRS terms, audited; returns the PCN.
    pub async fn save_arrs_post(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &PostForm,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        let (person, pcn) = managed_person(&mut tx, actor, staff_id).await?;
        if !reimbursable(person.draft.role) {
            return Err(AppError::Invalid(
                FieldError::new(
                    "role",
                    format!(
                        "{} is not a role ARRS reimburses: change the role in the register first",
                        person.draft.role.label()
                    ),
                )
                .into(),
            ));
        }
        let terms = form.parse(person.draft.wte)?;
        let before = store::funding::arrs::get_post(&mut tx, staff_id).await?;
        let now = self.now();
        store::funding::arrs::upsert_post(&mut tx, staff_id, &pcn, &terms, &now).await?;
        commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: if before.is_some() {
                    "updated"
                } else {
                    "created"
                },
                entity: "arrs_post",
                entity_id: staff_id,
                tenant: &pcn,
                before: before.as_ref().and_then(|(_, p)| json(p)),
                after: json(&terms),
            },
            &now,
        )
        .await?;
        Ok(pcn)
    }

    /// Imports ARRS posts from CSV for a PCN: every row is checked (the person must be in
    /// the PCN's register in a reimbursable role) before any is stored, in one transaction
    /// with one audit row. Returns the posts stored.
    pub async fn import_arrs_posts(
        &self,
        actor: &Actor,
        pcn: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<usize> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        drop(conn);
        let rows = import::read_arrs_posts(file_name, bytes)?;
        let mut tx = self.store().begin().await?;
        let register =
            store::register::list(&mut tx, StaffScope::Pcn(pcn), &StaffFilter::default()).await?;
        let mut problems = Vec::new();
        let mut ready: Vec<(String, PostTerms)> = Vec::new();
        for row in &rows {
            let person = register.iter().find(|s| {
                (!row.staff_id.is_empty() && s.id == row.staff_id)
                    || (row.staff_id.is_empty()
                        && s.draft.email.as_deref() == Some(row.email.to_lowercase().as_str()))
            });
            let field = if row.staff_id.is_empty() {
                "email"
            } else {
                "staff_id"
            };
            let Some(person) = person else {
                problems.push((
                    row.row,
                    field.to_string(),
                    format!(
                        "{} is not a person in the register of {pcn} or its practices",
                        import::quote(if row.staff_id.is_empty() {
                            &row.email
                        } else {
                            &row.staff_id
                        })
                    ),
                ));
                continue;
            };
            if claiming_pcn(&mut tx, person).await?.as_deref() != Some(pcn)
                || !access::can_manage_staff(&mut tx, actor, person).await?
            {
                problems.push((
                    row.row,
                    field.to_string(),
                    format!(
                        "{} is not employed by {pcn} or one of its practices",
                        person.draft.name
                    ),
                ));
                continue;
            }
            if !reimbursable(person.draft.role) {
                problems.push((
                    row.row,
                    field.to_string(),
                    format!(
                        "{} is a {}, not a role ARRS reimburses",
                        person.draft.name,
                        person.draft.role.label()
                    ),
                ));
                continue;
            }
            if ready.iter().any(|(id, _)| *id == person.id) {
                problems.push((
                    row.row,
                    field.to_string(),
                    format!("{} is on an earlier row too", person.draft.name),
                ));
                continue;
            }
            match row.form.parse(person.draft.wte) {
                Ok(terms) => ready.push((person.id.clone(), terms)),
                Err(errors) => problems.extend(
                    errors
                        .0
                        .into_iter()
                        .map(|e| (row.row, e.field.to_string(), e.message)),
                ),
            }
        }
        if !problems.is_empty() {
            return Err(AppError::Import(import::post_problems(file_name, problems)));
        }
        let now = self.now();
        for (staff_id, terms) in &ready {
            store::funding::arrs::upsert_post(&mut tx, staff_id, pcn, terms, &now).await?;
        }
        commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: "imported",
                entity: "arrs_posts",
                entity_id: pcn,
                tenant: pcn,
                before: None,
                after: json(&serde_json::json!({ "file": file_name, "posts": ready.len() })),
            },
            &now,
        )
        .await?;
        Ok(ready.len())
    }
}
