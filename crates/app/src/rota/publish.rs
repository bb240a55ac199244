//! Changing a solved rota: its PDF, cancelling, publishing, a manager's day edit and a
//! re-solve around the locked days.
use super::*;

impl super::Rota<'_> {
    /// The rota as a PDF: one site (`site`, an id) or every site, one week (`week`, 1-based)
    /// or every week, each site's week on a page of its own. Blank means all.
    pub async fn rota_pdf(
        &self,
        actor: &Actor,
        id: &str,
        site: &str,
        week: &str,
    ) -> AppResult<RotaPdf> {
        let detail = self.rota_to_read(actor, id).await?;
        if !matches!(detail.row.status.as_str(), "done" | "cancelled") {
            return Err(AppError::Conflict(
                "The rota has no result to print yet: wait for the solve to end".into(),
            ));
        }
        let mut errors = FieldErrors::default();
        let site = site.trim();
        let chosen_site = if site.is_empty() {
            None
        } else {
            let found = detail.sites.iter().find(|s| s.id == site);
            if found.is_none() {
                errors.push(FieldError::new("site", "Choose a site of this rota"));
            }
            found
        };
        let week = week.trim();
        let weeks = detail.period.weeks;
        let chosen_week = if week.is_empty() {
            None
        } else {
            match week.parse::<u32>() {
                Ok(w) if (1..=weeks).contains(&w) => Some(w),
                _ => {
                    errors.push(FieldError::new(
                        "week",
                        format!("Enter a week of this rota, from 1 to {weeks}"),
                    ));
                    None
                }
            }
        };
        errors.into_result()?;
        let sites: Vec<&RotaSite> = match chosen_site {
            Some(s) => vec![s],
            None => detail.sites.iter().collect(),
        };
        let week_list: Vec<u32> = match chosen_week {
            Some(w) => vec![w],
            None => (1..=weeks).collect(),
        };
        let bytes = pdf::render(&detail, &sites, &week_list, self.today())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(RotaPdf {
            file_name: pdf::file_name(&detail, chosen_site, chosen_week),
            bytes,
        })
    }

    /// Asks a queued or running solve to stop; a running one keeps its best rota.
    pub async fn cancel_rota(&self, actor: &Actor, id: &str) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "queued" | "running") {
            return Err(AppError::Conflict(format!(
                "Only a rota waiting or being solved can be stopped; this one is {}",
                row.status
            )));
        }
        store::rota::request_cancel(&mut tx, id).await?;
        let change = Change {
            action: "cancelled",
            entity: "rota",
            entity_id: id,
            tenant: &row.scope_code,
            before: Some(row.status.clone()),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await
    }

    /// Publishes a solved rota: staff see it and their calendar feeds carry it. Refused
    /// (`stale_rota`) when the manager saw another `version`; then the rota is checked again
    /// against the inputs as they are now (other practices may have published rotas that
    /// clash with it since it was solved), and while it breaks a hard rule it is not
    /// published unless the manager overrides, which is audited as `overrode` with the
    /// problems it was published with.
    pub async fn publish_rota(
        &self,
        actor: &Actor,
        id: &str,
        request: &PublishRequest,
    ) -> AppResult<PublishOutcome> {
        self.authorize_rota(actor, id, Permission::Manage).await?;
        let mut tx = self.store().begin().await?;
        // The transaction's first write, before it reads the rota (see `bump_version`), so
        // an edit racing the publication waits for it or is refused, and the check below
        // judges the assignments that are published.
        let current = match request.version {
            Some(seen) => store::rota::bump_version(&mut tx, id, seen).await?,
            None => store::rota::bump_version_unchecked(&mut tx, id).await?,
        };
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "done" | "cancelled") {
            return Err(AppError::Conflict(
                "Only a finished rota can be published: wait for the solve to end".into(),
            ));
        }
        if row.started_at.is_none() {
            return Err(AppError::Conflict(
                "This rota was stopped before it was solved, so it has nothing to publish".into(),
            ));
        }
        if !current {
            return Err(stale_rota());
        }
        let period = period_of(&row)?;
        let (mut input, _) = load_input(&mut tx, &RotaScope::of_row(&row), period).await?;
        input.locked = locked_days(&mut tx, id).await?;
        let assignments: Vec<Assignment> = store::rota::list_assignments(&mut tx, id)
            .await?
            .into_iter()
            .map(from_row)
            .collect::<AppResult<_>>()?;
        let problems = check(&input, &assignments);
        let hard_problems: Vec<RotaProblem> = problems.iter().filter(|p| p.hard).cloned().collect();
        if !hard_problems.is_empty() && !request.override_rules {
            // Nothing is written: the version moved above goes back with the transaction.
            return Ok(PublishOutcome {
                published: false,
                hard_problems,
            });
        }
        let problems_json = serde_json::to_string(&problems).unwrap_or_default();
        store::rota::set_scores(
            &mut tx,
            id,
            hard_count(&problems),
            soft_penalty(&input, &assignments) as i64,
            &problems_json,
        )
        .await?;
        let now = self.now();
        store::rota::publish(&mut tx, id, &actor.user_id, &now).await?;
        store::rota::stale::clear(&mut tx, id).await?;
        self.notify_published(&mut tx, &row, &assignments).await?;
        let change = Change {
            action: if hard_problems.is_empty() {
                "published"
            } else {
                "overrode"
            },
            entity: "rota",
            entity_id: id,
            tenant: &row.scope_code,
            before: None,
            after: json(&serde_json::json!({
                "published": true,
                "hard_violations": hard_problems.len(),
                "overridden": hard_problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
            })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(PublishOutcome {
            published: true,
            hard_problems,
        })
    }

    /// Changes one person's day, re-checks every rule at once, and refuses an edit that
    /// brings a new hard problem unless the manager overrides it (audited as an override).
    pub async fn edit_rota_day(
        &self,
        actor: &Actor,
        id: &str,
        edit: &DayEdit,
    ) -> AppResult<EditOutcome> {
        let mut errors = FieldErrors::default();
        let date = errors.take(domain::error::parse_date("date", &edit.date));
        let pattern = errors.take(parse_pattern(&edit.pattern));
        errors.into_result()?;
        let (date, pattern) = (date.expect("checked"), pattern.expect("checked"));
        self.authorize_rota(actor, id, Permission::Manage).await?;
        let mut tx = self.store().begin().await?;
        // The transaction's first write, before it reads the rota (`bump_version`): an edit
        // racing this one waits, then finds the version moved.
        let current = store::rota::bump_version(&mut tx, id, edit.version).await?;
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "done" | "cancelled") {
            return Err(AppError::Conflict("The rota is still being solved".into()));
        }
        if !current {
            return Err(stale_rota());
        }
        let period = period_of(&row)?;
        if !period.days().any(|d| d == date) {
            return Err(FieldErrors::from(FieldError::new(
                "date",
                format!("{date} is not in this rota"),
            ))
            .into());
        }
        let (mut input, _) = load_input(&mut tx, &RotaScope::of_row(&row), period).await?;
        if !input.people.iter().any(|p| p.id == edit.staff_id) {
            return Err(FieldErrors::from(FieldError::new(
                "staff_id",
                "Choose a person on this rota",
            ))
            .into());
        }
        input.locked = locked_days(&mut tx, id).await?;
        let before: Vec<Assignment> = store::rota::list_assignments(&mut tx, id)
            .await?
            .into_iter()
            .map(from_row)
            .collect::<AppResult<_>>()?;
        let (old_day, after) = day_after_edit(&input, &before, edit, date, pattern)?;
        let problems_before = check(&input, &before);
        let problems_after = check(&input, &after);
        // A day outside the person's employment cannot be booked, even by an override, nor
        // kept booked by an edit of that day (a leaver's day can only be made "off").
        let outside_employment = |p: &RotaProblem| {
            p.rule == check::EMPLOYMENT
                && p.date == Some(date)
                && p.staff_ids.iter().any(|s| s == &edit.staff_id)
        };
        let new_problems = cover::new_hard_problems(
            &input,
            (&before, &problems_before),
            (&after, &problems_after),
            &edit.staff_id,
            date,
        );
        let outside = new_problems.iter().any(outside_employment);
        if !new_problems.is_empty() && (!edit.override_rules || outside) {
            return Ok(EditOutcome {
                saved: false,
                new_problems,
            });
        }
        let rows = save_day_edit(&mut tx, id, edit, date, &input, &after, &problems_after).await?;
        let now = self.now();
        let change = Change {
            action: if new_problems.is_empty() {
                "edited"
            } else {
                "overrode"
            },
            entity: "rota_day",
            entity_id: id,
            tenant: &row.scope_code,
            before: json(&old_day),
            after: json(&serde_json::json!({
                "staff_id": edit.staff_id, "date": date, "pattern": edit.pattern, "site_id": edit.site_id,
                "locked": edit.lock,
                "overridden": new_problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
            })),
        };
        if row.published_at.is_some() && old_day.iter().map(to_row).ne(rows.iter().cloned()) {
            let notice = crate::notifications::Notice::new(
                crate::notifications::Kind::Rota,
                format!(
                    "Your sessions on {} in the published rota were changed by {}.",
                    crate::long_date(date),
                    actor.name
                ),
                "/me/rota",
            );
            self.notifications()
                .notify_staff(&mut tx, &edit.staff_id, &notice)
                .await?;
        }
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(EditOutcome {
            saved: true,
            new_problems,
        })
    }

    /// Queues the rota to be solved again, keeping its locked days; refused when the rota
    /// is no longer at `version`, the one the manager saw.
    pub async fn resolve_rota(&self, actor: &Actor, id: &str, version: i64) -> AppResult<()> {
        self.authorize_rota(actor, id, Permission::Manage).await?;
        let mut tx = self.store().begin().await?;
        let current = store::rota::bump_version(&mut tx, id, version).await?;
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "done" | "cancelled" | "failed") {
            return Err(AppError::Conflict(
                "The rota is already being solved".into(),
            ));
        }
        if row.published_at.is_some() {
            // Staff calendars carry a published rota: a new solve must not reach them unseen.
            return Err(AppError::Conflict(
                "This rota is published, so it is not solved again: change its days by hand, or make a new rota for the period".into(),
            ));
        }
        if !current {
            return Err(stale_rota());
        }
        store::rota::requeue(&mut tx, id).await?;
        let change = Change {
            action: "requeued",
            entity: "rota",
            entity_id: id,
            tenant: &row.scope_code,
            before: Some(row.status.clone()),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await
    }
}

impl super::Rota<'_> {
    /// Tells everyone with sessions in a rota just published how many they work.
    pub(crate) async fn notify_published(
        &self,
        conn: &mut store::Conn,
        rota: &store::rota::RotaRow,
        assignments: &[Assignment],
    ) -> AppResult<()> {
        let Ok(from) = chrono::NaiveDate::parse_from_str(&rota.starts_on, "%Y-%m-%d") else {
            return Ok(());
        };
        let last = from + chrono::Duration::days(7 * rota.weeks.max(1) - 1);
        let mut sessions: std::collections::BTreeMap<&str, usize> = Default::default();
        for a in assignments {
            *sessions.entry(a.staff_id.as_str()).or_default() += 1;
        }
        for (staff_id, n) in sessions {
            let notice = crate::notifications::Notice::new(
                crate::notifications::Kind::Rota,
                format!(
                    "The rota {} was published: you work {n} {} in it.",
                    crate::notifications::days_text(from, last),
                    if n == 1 { "session" } else { "sessions" }
                ),
                "/me/rota",
            );
            self.notifications()
                .notify_staff(conn, staff_id, &notice)
                .await?;
        }
        Ok(())
    }
}

/// The person's day before the edit, and the whole rota after it (rooms given again).
fn day_after_edit(
    input: &RotaInput,
    before: &[Assignment],
    edit: &DayEdit,
    date: NaiveDate,
    pattern: Option<DayPattern>,
) -> AppResult<(Vec<Assignment>, Vec<Assignment>)> {
    let old_day: Vec<Assignment> = before
        .iter()
        .filter(|a| a.staff_id == edit.staff_id && a.date == date)
        .cloned()
        .collect();
    let mut new_day = Vec::new();
    if let Some(pattern) = pattern {
        if !input.sites.iter().any(|s| s.id == edit.site_id) {
            return Err(FieldErrors::from(FieldError::new(
                "site_id",
                "Choose a site of this rota",
            ))
            .into());
        }
        for &session in pattern.sessions() {
            let kept_room = old_day
                .iter()
                .find(|a| a.session == session && a.site_id == edit.site_id)
                .and_then(|a| a.room_id.clone());
            new_day.push(Assignment {
                staff_id: edit.staff_id.clone(),
                date,
                session,
                site_id: edit.site_id.clone(),
                room_id: kept_room,
            });
        }
    }
    let mut after: Vec<Assignment> = before
        .iter()
        .filter(|a| !(a.staff_id == edit.staff_id && a.date == date))
        .cloned()
        .chain(new_day)
        .collect();
    plan::assign_rooms(input, &mut after);
    Ok((old_day, after))
}

/// Stores an accepted edit: the person's day, its lock, the stale marks and the scores.
/// Returns the day's rows as stored.
async fn save_day_edit(
    tx: &mut store::Conn,
    id: &str,
    edit: &DayEdit,
    date: NaiveDate,
    input: &RotaInput,
    after: &[Assignment],
    problems_after: &[RotaProblem],
) -> AppResult<Vec<AssignmentRow>> {
    let rows: Vec<AssignmentRow> = after
        .iter()
        .filter(|a| a.staff_id == edit.staff_id && a.date == date)
        .map(to_row)
        .collect();
    store::rota::set_staff_day(tx, id, &edit.staff_id, &date.to_string(), &rows).await?;
    // Rooms given out again elsewhere on that day and session are kept as they were.
    store::rota::set_lock(tx, id, &edit.staff_id, &date.to_string(), edit.lock).await?;
    stale::refresh(tx, id, problems_after).await?;
    let soft = soft_penalty(input, after);
    let problems_json = serde_json::to_string(problems_after).unwrap_or_default();
    store::rota::set_scores(
        tx,
        id,
        hard_count(problems_after),
        soft as i64,
        &problems_json,
    )
    .await?;
    Ok(rows)
}
