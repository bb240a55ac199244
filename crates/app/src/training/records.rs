//! People's training records: reading a person's training, adding a record with its
//! evidence, a manager's verification and the evidence file.
use super::*;

impl super::Training<'_> {
    /// A person's training: what applies to them and every record they hold.
    pub async fn person_training(
        &self,
        actor: &Actor,
        staff_id: &str,
    ) -> AppResult<PersonTraining> {
        let mut tx = self.store().begin().await?;
        let (person, can_verify) = self.training_subject(&mut tx, actor, staff_id).await?;
        let owners = owners_of(&mut tx, &person).await?;
        let now = self.now();
        // Seed each catalogue the person's topics come from (their PCN, or a practice
        // outside any PCN).
        for ods in &person.draft.practices {
            let practice = store::organisations::get(&mut tx, ods.as_str()).await?;
            let seed = practice
                .and_then(|p| p.pcn_code)
                .unwrap_or_else(|| ods.to_string());
            ensure_defaults(&mut tx, Some(actor), &seed, &now).await?;
        }
        let owners: Vec<String> = owners.into_iter().collect();
        let catalogue = store::training::list_topics(&mut tx, &owners).await?;
        let records = store::training::list_records(&mut tx, StaffScope::Id(staff_id)).await?;
        let today = self.today();
        let required = catalogue
            .iter()
            .filter(|t| t.topic.applies_to(person.draft.role))
            .map(|t| {
                // Records come latest first.
                let latest = records.iter().find(|r| r.draft.topic_id == t.id);
                let c = cell(
                    t,
                    person.draft.role,
                    true,
                    latest.map(Completion::from),
                    today,
                );
                (t.clone(), c)
            })
            .collect();
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(PersonTraining {
            person,
            required,
            catalogue,
            records,
            can_verify,
        })
    }

    /// Adds a training record, by the person themselves or a manager, with an optional
    /// evidence file (required when the topic says so). Record and file are one write.
    pub async fn add_training_record(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &RecordForm,
        evidence: Option<EvidenceUpload>,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        let (person, _) = self.training_subject(&mut tx, actor, staff_id).await?;
        let mut errors = match form.parse(self.today()) {
            Ok(_) => domain::FieldErrors::default(),
            Err(errors) => errors,
        };
        let owners = owners_of(&mut tx, &person).await?;
        let topic = if form.topic_id.trim().is_empty() {
            None
        } else {
            let topic = store::training::get_topic(&mut tx, form.topic_id.trim()).await?;
            let topic = topic.filter(|t| owners.contains(&t.owner_code));
            if topic.is_none() {
                errors.push(FieldError::new("topic_id", "Choose a topic from the list"));
            }
            topic
        };
        let checked = match &evidence {
            Some(file) => errors.take(import::check_evidence(
                &file.file_name,
                file.content_type.as_deref(),
                &file.bytes,
            )),
            None => {
                if topic.as_ref().is_some_and(|t| t.topic.evidence_required) {
                    errors.push(FieldError::new(
                        "evidence",
                        "This topic needs evidence: attach the certificate as a PDF, PNG or JPEG file",
                    ));
                }
                None
            }
        };
        errors.into_result()?;
        let draft = form.parse(self.today())?;
        let now = self.now();
        let evidence_id = match (evidence, checked) {
            (Some(file), Some(kind)) => {
                let meta = EvidenceMeta {
                    id: store::new_id(),
                    file_name: import::safe_file_name(&file.file_name),
                    content_type: kind.mime_type().into(),
                    size_bytes: i64::try_from(file.bytes.len()).unwrap_or(i64::MAX),
                };
                store::training::insert_evidence(&mut tx, &meta, staff_id, &file.bytes, &now)
                    .await?;
                Some(meta)
            }
            _ => None,
        };
        let id = store::new_id();
        store::training::insert_record(
            &mut tx,
            &id,
            staff_id,
            &draft,
            evidence_id.as_ref().map(|m| m.id.as_str()),
            &actor.user_id,
            &now,
        )
        .await?;
        let tenant = access::tenant_of(&person.draft.employer);
        let change = Change {
            action: "created",
            entity: "training_record",
            entity_id: &id,
            tenant: &tenant,
            before: None,
            after: json(&(&draft, &evidence_id)),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// A manager confirms a record (and its evidence) is genuine.
    pub async fn verify_training_record(
        &self,
        actor: &Actor,
        record_id: &str,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        let record = store::training::get_record(&mut tx, record_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (person, manages) = self
            .training_subject(&mut tx, actor, &record.staff_id)
            .await?;
        if !manages {
            return Err(AppError::Forbidden);
        }
        let now = self.now();
        store::training::verify_record(&mut tx, record_id, &actor.user_id, &now)
            .await
            .map_err(|e| match e {
                store::StoreError::NotFound => AppError::Conflict("already verified".into()),
                other => other.into(),
            })?;
        let tenant = access::tenant_of(&person.draft.employer);
        let change = Change {
            action: "verified",
            entity: "training_record",
            entity_id: record_id,
            tenant: &tenant,
            before: None,
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(record.staff_id)
    }

    /// An evidence file, for the person it belongs to or their manager.
    pub async fn evidence_file(
        &self,
        actor: &Actor,
        evidence_id: &str,
    ) -> AppResult<(EvidenceMeta, Vec<u8>)> {
        let mut conn = self.store().conn().await?;
        let (meta, staff_id, bytes) = store::training::get_evidence(&mut conn, evidence_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.training_subject(&mut conn, actor, &staff_id).await?;
        Ok((meta, bytes))
    }
}
