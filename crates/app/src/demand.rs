//! Demand and capacity: appointment data in, forecasts, safe capacity and the gap out.
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::{App, Change, audit, json};
use domain::account::UserRole;
use import::{AppointmentFile, ImportError};
use std::fmt;

/// What an appointments import did.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AppointmentImportSummary {
    pub format: &'static str,
    pub rows_read: u64,
    pub rows_stored: u64,
    pub areas: usize,
    /// Area-months the file replaced (they had data before).
    pub months_replaced: usize,
    pub first_month: String,
    pub last_month: String,
}

impl fmt::Display for AppointmentImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "read {} rows ({}), stored {} counts for {} areas from {} to {}, replaced {} area-months",
            self.rows_read,
            self.format,
            self.rows_stored,
            self.areas,
            self.first_month,
            self.last_month,
            self.months_replaced
        )
    }
}

impl App {
    /// Reads a GPAD file (either layout) from `reader` and stores it in one transaction:
    /// each area-month in the file replaces what was stored for it. A file with any bad row
    /// changes nothing. Parsing runs off the async threads.
    pub async fn import_appointments(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        reader: impl std::io::Read + Send + 'static,
    ) -> AppResult<AppointmentImportSummary> {
        if let Some(actor) = actor
            && !matches!(actor.role, UserRole::PracticeManager | UserRole::PcnManager)
        {
            return Err(AppError::Forbidden);
        }
        let name = file_name.to_string();
        let file = tokio::task::spawn_blocking(move || import::read_appointments(&name, reader))
            .await
            .map_err(|e| {
                AppError::Import(ImportError::file(
                    file_name,
                    format!("reading stopped: {e}"),
                ))
            })??;
        self.store_appointments(actor, file_name, &file).await
    }

    async fn store_appointments(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        file: &AppointmentFile,
    ) -> AppResult<AppointmentImportSummary> {
        let now = self.now();
        let started = std::time::Instant::now();
        let mut tx = self.store().begin().await?;
        for (code, name) in &file.areas {
            store::appointments::upsert_area(&mut tx, code, name, &now).await?;
        }
        let mut months_replaced = 0;
        for (area, month) in &file.area_months {
            let month = month.format("%Y-%m").to_string();
            if store::appointments::delete_month(&mut tx, area, &month).await? > 0 {
                months_replaced += 1;
            }
        }
        tracing::debug!(elapsed = ?started.elapsed(), "appointments: replaced months cleared");
        let daily = file.daily();
        let rows: Vec<store::appointments::CountRow> = file
            .counts
            .iter()
            .map(|c| store::appointments::CountRow {
                area_code: &c.area_code,
                period_start: c.period_start.to_string(),
                month: c.period_start.format("%Y-%m").to_string(),
                daily,
                hcp_type: &c.hcp_type,
                appt_mode: &c.appt_mode,
                appt_status: &c.appt_status,
                appointments: c.appointments as i64,
            })
            .collect();
        store::appointments::insert_counts(&mut tx, &rows).await?;
        tracing::debug!(elapsed = ?started.elapsed(), rows = rows.len(), "appointments: counts inserted");
        let month_of = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
        let first_month = file
            .area_months
            .iter()
            .map(|(_, m)| *m)
            .min()
            .map(month_of)
            .unwrap_or_default();
        let last_month = file
            .area_months
            .iter()
            .map(|(_, m)| *m)
            .max()
            .map(month_of)
            .unwrap_or_default();
        let summary = AppointmentImportSummary {
            format: file.format.code(),
            rows_read: file.rows_read,
            rows_stored: rows.len() as u64,
            areas: file.areas.len(),
            months_replaced,
            first_month,
            last_month,
        };
        let id = uuid::Uuid::now_v7().to_string();
        store::appointments::record_import(
            &mut tx,
            &store::appointments::ImportRecord {
                id: id.clone(),
                file_name: file_name.to_string(),
                format: summary.format.to_string(),
                rows_read: summary.rows_read as i64,
                rows_stored: summary.rows_stored as i64,
                first_month: summary.first_month.clone(),
                last_month: summary.last_month.clone(),
                imported_at: now.clone(),
                imported_by: actor.map(|a| a.user_id.clone()),
            },
        )
        .await?;
        let tenant = actor.map_or("system", |a| a.org.as_str());
        audit(
            &mut tx,
            actor,
            Change {
                action: "appointments imported",
                entity: "appointment_import",
                entity_id: &id,
                tenant,
                before: None,
                after: json(&serde_json::json!({ "file": file_name, "summary": &summary })),
            },
            &now,
        )
        .await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        tracing::debug!(elapsed = ?started.elapsed(), "appointments: committed");
        Ok(summary)
    }
}
