//! The evidence pack: one click gives a practice's, a PCN's or (for an ICS viewer) an ICS's
//! figures for a PCN or ICS meeting as a PDF and an XLSX annex of the same figures.
//! Aggregates only — no person is named.
//!
//! The pack is a list of [`Section`]s. Each section is one file here: a figures struct (what
//! the snapshot stores), how it is gathered, and its PDF part and XLSX sheet (the [`Part`]
//! trait). Adding a section is adding a file and a variant of [`Section`].
//!
//! Every pack produced stores its figures as a snapshot (`evidence_snapshots`) under a
//! fresh id, then is drawn from the stored figures; `snapshot = Some(id)` draws the same
//! figures again, so the same id gives the same bytes. See docs/design/evidence-pack.md.
mod arrs;
mod demand;
mod render;
mod rooms;
mod training;
mod wellbeing;
mod workforce;

pub use arrs::{ArrsLine, ArrsMonth, ArrsSection};
pub use demand::{DemandLine, DemandSection};
pub use rooms::{FlaggedRoom, RoomsSection, RoomsSite, RoomsUnit, UnhousedCount};
pub use training::{TopicLine, TrainingSection};
pub use wellbeing::{WellbeingLine, WellbeingSection, whole_may_show};
pub use workforce::{GroupLine, UnitLine, WorkforceSection};

use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::pdf::flow::Flow;
pub use crate::pdf::flow::figure;
use crate::{Change, commit_with_audit, json};
use chrono::NaiveDate;
use domain::account::UserRole;
use serde::{Deserialize, Serialize};

/// Whose pack it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackScope<'a> {
    Practice(&'a str),
    Pcn(&'a str),
    /// Every PCN of an ICS, for its viewer: aggregates only.
    Ics(&'a str),
}

impl PackScope<'_> {
    pub fn kind(&self) -> &'static str {
        match self {
            PackScope::Practice(_) => "practice",
            PackScope::Pcn(_) => "pcn",
            PackScope::Ics(_) => "ics",
        }
    }

    pub fn code(&self) -> &str {
        match self {
            PackScope::Practice(c) | PackScope::Pcn(c) | PackScope::Ics(c) => c,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackFormat {
    Pdf,
    Xlsx,
}

impl PackFormat {
    /// `pdf` or `xlsx`; anything else is refused naming the field.
    pub fn parse(text: &str) -> AppResult<PackFormat> {
        match text {
            "pdf" | "" => Ok(PackFormat::Pdf),
            "xlsx" => Ok(PackFormat::Xlsx),
            _ => Err(AppError::Invalid(
                domain::FieldError::new("format", "The format must be pdf or xlsx").into(),
            )),
        }
    }
}

/// One section of the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "section", rename_all = "snake_case")]
pub enum Section {
    Workforce(WorkforceSection),
    Demand(DemandSection),
    Arrs(ArrsSection),
    Rooms(RoomsSection),
    Training(TrainingSection),
    Wellbeing(WellbeingSection),
}

/// What every section gives the pack: a part of the PDF and sheets of the annex.
pub(crate) trait Part {
    fn pdf(&self, flow: &mut Flow);
    fn sheets(&self) -> Vec<import::Sheet>;
}

impl Section {
    fn part(&self) -> &dyn Part {
        match self {
            Section::Workforce(s) => s,
            Section::Demand(s) => s,
            Section::Arrs(s) => s,
            Section::Rooms(s) => s,
            Section::Training(s) => s,
            Section::Wellbeing(s) => s,
        }
    }
}

/// The figures of one pack, as its snapshot stores them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceFigures {
    pub snapshot_id: String,
    /// `practice`, `pcn` or `ics`.
    pub scope_kind: String,
    pub scope_code: String,
    pub scope_name: String,
    /// The day the figures describe.
    pub taken_on: NaiveDate,
    /// The period of starters and leavers: the twelve months to `taken_on`.
    pub period_from: NaiveDate,
    pub sections: Vec<Section>,
}

impl EvidenceFigures {
    pub fn workforce(&self) -> Option<&WorkforceSection> {
        self.sections.iter().find_map(|s| match s {
            Section::Workforce(w) => Some(w),
            _ => None,
        })
    }

    pub fn demand(&self) -> Option<&DemandSection> {
        self.sections.iter().find_map(|s| match s {
            Section::Demand(d) => Some(d),
            _ => None,
        })
    }

    pub fn arrs(&self) -> Option<&ArrsSection> {
        self.sections.iter().find_map(|s| match s {
            Section::Arrs(a) => Some(a),
            _ => None,
        })
    }

    pub fn rooms(&self) -> Option<&RoomsSection> {
        self.sections.iter().find_map(|s| match s {
            Section::Rooms(r) => Some(r),
            _ => None,
        })
    }

    pub fn training(&self) -> Option<&TrainingSection> {
        self.sections.iter().find_map(|s| match s {
            Section::Training(t) => Some(t),
            _ => None,
        })
    }

    pub fn wellbeing(&self) -> Option<&WellbeingSection> {
        self.sections.iter().find_map(|s| match s {
            Section::Wellbeing(w) => Some(w),
            _ => None,
        })
    }
}

/// A pack ready to download.
#[derive(Debug, Clone)]
pub struct EvidencePack {
    pub figures: EvidenceFigures,
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub content_type: &'static str,
}

/// The twelve months to `day`: from the day after the same date a year before.
pub fn period_from(day: NaiveDate) -> NaiveDate {
    day.checked_sub_months(chrono::Months::new(12))
        .map(|d| d + chrono::Days::new(1))
        .unwrap_or(day)
}

facade! {
    /// The evidence pack (`app.evidence()`).
    pub struct Evidence => evidence;
}

impl Evidence<'_> {
    /// Checks the actor may have this scope's pack: a practice's needs sight of the practice,
    /// a PCN's its aggregates (so an ICS viewer of its system may), an ICS's is for that
    /// ICS's viewer. Staff are refused.
    async fn authorize_pack(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        scope: PackScope<'_>,
    ) -> AppResult<()> {
        match scope {
            PackScope::Practice(ods) => {
                access::authorize(conn, actor, Permission::View, Tenant::Practice(ods)).await
            }
            PackScope::Pcn(code) => {
                access::authorize(conn, actor, Permission::ViewAggregates, Tenant::Pcn(code)).await
            }
            PackScope::Ics(code) => {
                if actor.role == UserRole::IcsViewer && actor.org == code {
                    Ok(())
                } else if store::organisations::get_ics(conn, code).await?.is_none() {
                    Err(AppError::NotFound)
                } else {
                    Err(AppError::Forbidden)
                }
            }
        }
    }

    /// The evidence pack of a scope in `format`: new figures (stored as a snapshot), or
    /// with `snapshot` the stored figures of that id drawn again. Audited either way.
    pub async fn evidence_pack(
        &self,
        actor: &Actor,
        scope: PackScope<'_>,
        format: PackFormat,
        snapshot: Option<&str>,
    ) -> AppResult<EvidencePack> {
        {
            let mut conn = self.store().conn().await?;
            self.authorize_pack(&mut conn, actor, scope).await?;
        }
        let (record, new) = match snapshot {
            Some(id) => {
                let mut conn = self.store().conn().await?;
                let record = store::evidence::get(&mut conn, scope.kind(), scope.code(), id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                (record, false)
            }
            None => {
                let figures = self.gather_figures(actor, scope).await?;
                let figures_json = serde_json::to_string(&figures)
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let record = store::evidence::SnapshotRecord {
                    id: figures.snapshot_id.clone(),
                    scope_kind: scope.kind().into(),
                    scope_code: scope.code().into(),
                    taken_on: figures.taken_on.to_string(),
                    created_at: self.now(),
                    created_by: Some(actor.user_id.clone()),
                    figures_json,
                };
                (record, true)
            }
        };
        // Drawn from the stored text, so a later `?snapshot=` gives the very same bytes.
        let figures: EvidenceFigures = serde_json::from_str(&record.figures_json)
            .map_err(|e| AppError::Internal(format!("snapshot {}: {e}", record.id)))?;
        let (bytes, extension, content_type) = match format {
            PackFormat::Pdf => (render::pdf(&figures)?, "pdf", "application/pdf"),
            PackFormat::Xlsx => (
                render::xlsx(&figures)?,
                "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        };
        let mut tx = self.store().begin().await?;
        if new {
            store::evidence::insert(&mut tx, &record).await?;
        }
        #[derive(Serialize)]
        struct Produced<'a> {
            format: &'a str,
            snapshot: &'a str,
            taken_on: &'a str,
            again: bool,
        }
        let after = json(&Produced {
            format: extension,
            snapshot: &record.id,
            taken_on: &record.taken_on,
            again: !new,
        });
        let change = Change {
            action: "produced",
            entity: "evidence_pack",
            entity_id: &record.id,
            tenant: scope.code(),
            before: None,
            after,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        Ok(EvidencePack {
            file_name: format!(
                "evidence-pack-{}-{}-{}.{extension}",
                figures.scope_code.to_ascii_lowercase(),
                figures.taken_on,
                &figures.snapshot_id[figures.snapshot_id.len().saturating_sub(8)..]
            ),
            figures,
            bytes,
            content_type,
        })
    }

    /// Gathers every section's figures for the scope, as of today.
    async fn gather_figures(
        &self,
        actor: &Actor,
        scope: PackScope<'_>,
    ) -> AppResult<EvidenceFigures> {
        let today = self.today();
        let from = period_from(today);
        let scope_name = {
            let mut conn = self.store().conn().await?;
            match scope {
                PackScope::Practice(ods) => {
                    store::organisations::get(&mut conn, ods)
                        .await?
                        .ok_or(AppError::NotFound)?
                        .name
                }
                PackScope::Pcn(code) => {
                    store::organisations::get_pcn(&mut conn, code)
                        .await?
                        .ok_or(AppError::NotFound)?
                        .name
                }
                PackScope::Ics(code) => {
                    store::organisations::get_ics(&mut conn, code)
                        .await?
                        .ok_or(AppError::NotFound)?
                        .name
                }
            }
        };
        let sections = vec![
            Section::Workforce(workforce::gather(self, actor, scope, today, from).await?),
            Section::Demand(demand::gather(self, actor, scope).await?),
            Section::Arrs(arrs::gather(self, actor, scope, today).await?),
            Section::Rooms(rooms::gather(self, actor, scope, &scope_name, today).await?),
            Section::Training(training::gather(self, scope, today).await?),
            Section::Wellbeing(wellbeing::gather(self, scope, today).await?),
        ];
        Ok(EvidenceFigures {
            snapshot_id: store::new_id(),
            scope_kind: scope.kind().into(),
            scope_code: scope.code().into(),
            scope_name,
            taken_on: today,
            period_from: from,
            sections,
        })
    }
}

/// Pounds, whole: £12,500.
pub(crate) fn pounds(value: f64) -> String {
    format!("£{}", figure(value.round()))
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(figure(12500.0), "12,500");
        assert_eq!(figure(-1234.4), "-1,234.4");
        assert_eq!(figure(3.456), "3.46");
        assert_eq!(pounds(4166.67), "£4,167");
        assert_eq!(
            period_from(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()),
            NaiveDate::from_ymd_opt(2025, 12, 4).unwrap()
        );
    }
}
