//! The ePCN core-partner import: creates the PCNs it names that gpteam lacks and records
//! each practice's membership with its dates, all-or-nothing, by the system administrator.
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::organisations::{Refusal, place, placement_refusal, require_system_admin};
use crate::{Change, audit, json};
use import::{EPCN_COLUMNS, ImportError, PcnMembershipRow, RowProblem};
use std::collections::BTreeMap;
use std::fmt;
use store::organisations::PcnRecord;

/// What an ePCN import did (`unmatched`: partner practices not in the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PcnMembershipImportSummary {
    pub created_pcns: usize,
    pub linked: usize,
    pub unmatched: usize,
}

impl fmt::Display for PcnMembershipImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "created {} PCNs, linked {}, unmatched {}",
            self.created_pcns, self.linked, self.unmatched
        )
    }
}

fn problem(row: &PcnMembershipRow, column: usize, message: String) -> RowProblem {
    RowProblem {
        person: None,
        row: Some(row.row),
        field: Some(EPCN_COLUMNS[column].to_string()),
        message,
    }
}

impl crate::organisations::Organisations<'_> {
    /// Imports NHS Digital's ePCN core-partner file (CSV or its workbook). A new PCN takes
    /// `ics` (code or name) when given, otherwise the ICS of the PCNs already holding
    /// practices of its Sub ICB location; a row with an end date closes the membership.
    pub async fn import_pcn_membership(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        bytes: &[u8],
        ics: Option<&str>,
    ) -> AppResult<PcnMembershipImportSummary> {
        require_system_admin(actor)?;
        let mut rows = import::read_pcn_membership(file_name, bytes)?;
        rows.sort_by(|a, b| (&a.ods_code, a.start).cmp(&(&b.ods_code, b.start)));
        let mut tx = self.store().begin().await?;
        let given_ics = ics_named(&mut tx, file_name, ics).await?;
        let now = self.now();
        let mut summary = PcnMembershipImportSummary {
            created_pcns: 0,
            linked: 0,
            unmatched: 0,
        };
        let mut problems = Vec::new();
        let mut ics_of_sub_icb: BTreeMap<String, String> = BTreeMap::new();
        for row in &rows {
            let ods = row.ods_code.as_str();
            let Some(practice) = store::organisations::get(&mut tx, ods).await? else {
                summary.unmatched += 1;
                continue;
            };
            let pcn = match store::organisations::get_pcn(&mut tx, row.pcn_code.as_str()).await? {
                Some(pcn) => pcn,
                None => {
                    let ics = match (&given_ics, ics_of_sub_icb.get(&row.pcn_sub_icb)) {
                        (Some(code), _) | (None, Some(code)) => Some(code.clone()),
                        (None, None) => {
                            store::organisations::ics_of_commissioner(&mut tx, &row.pcn_sub_icb)
                                .await?
                        }
                    };
                    let Some(ics) = ics else {
                        problems.push(problem(
                            row,
                            4,
                            format!(
                                "{} ({}) is a new PCN and no ICS holds Sub ICB location {}: \
                                 give the ICS to import it into",
                                row.pcn_name, row.pcn_code, row.pcn_sub_icb
                            ),
                        ));
                        continue;
                    };
                    let pcn = create_pcn_of_row(&mut tx, actor, row, &ics, &now).await?;
                    ics_of_sub_icb.insert(row.pcn_sub_icb.clone(), ics);
                    summary.created_pcns += 1;
                    pcn
                }
            };
            let history = crate::organisations::recorded_history(&mut tx, ods).await?;
            let start = row.start.to_string();
            let end = row.end.map(|d| d.to_string());
            // The same membership again (a file imported twice, or one already open since
            // an earlier day): only its end can change.
            let same = history.iter().rev().find(|m| {
                m.pcn_code == pcn.code
                    && (m.from_date == start || (m.until_date.is_none() && m.from_date < start))
            });
            if let Some(same) = same {
                if let Some(end) = &end
                    && same.until_date.as_ref() != Some(end)
                {
                    if *end < same.from_date {
                        problems.push(problem(
                            row,
                            9,
                            format!(
                                "{} has been in {} only since {}",
                                practice.name, pcn.name, same.from_date
                            ),
                        ));
                        continue;
                    }
                    store::organisations::memberships::close(&mut tx, ods, &same.from_date, end)
                        .await?;
                }
                summary.linked += 1;
                continue;
            }
            if let Some(refusal) = placement_refusal(&mut tx, &practice, &pcn, row.start).await? {
                let column = match refusal {
                    Refusal::OtherIcs(_) => 4,
                    Refusal::Date(_) => 8,
                };
                problems.push(problem(row, column, refusal.message()));
                continue;
            }
            place(&mut tx, ods, &pcn.code, row.start, row.end).await?;
            let change = Change {
                action: "linked by ePCN import",
                entity: "practice",
                entity_id: ods,
                tenant: ods,
                before: json(&history),
                after: json(&serde_json::json!({
                    "pcn_code": pcn.code, "from_date": start, "until_date": end
                })),
            };
            audit(&mut tx, actor, change, &now).await?;
            summary.linked += 1;
        }
        if !problems.is_empty() {
            // Dropping the transaction rolls back every row written so far.
            return Err(AppError::Import(ImportError {
                file: file_name.to_string(),
                problems,
            }));
        }
        store::organisations::memberships::refresh_current(&mut tx, &self.today().to_string())
            .await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(summary)
    }
}

/// The ICS the import was given (by code or name), if any; an error names the file.
async fn ics_named(
    tx: &mut store::Conn,
    file_name: &str,
    ics: Option<&str>,
) -> AppResult<Option<String>> {
    Ok(match ics.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => {
            let code = match store::organisations::get_ics(tx, &text.to_ascii_uppercase()).await? {
                Some(found) => Some(found.code),
                None => {
                    store::organisations::code_by_name(
                        tx,
                        store::organisations::NamedTable::Ics,
                        text,
                    )
                    .await?
                }
            };
            Some(code.ok_or_else(|| {
                AppError::Import(ImportError::file(
                    file_name,
                    format!("ics: there is no ICS {text} in gpteam"),
                ))
            })?)
        }
    })
}

/// Creates the row's PCN, new to gpteam, in `ics`, and audits it.
async fn create_pcn_of_row(
    tx: &mut store::Conn,
    actor: Option<&Actor>,
    row: &PcnMembershipRow,
    ics: &str,
    now: &str,
) -> AppResult<PcnRecord> {
    let pcn = PcnRecord {
        code: row.pcn_code.to_string(),
        name: row.pcn_name.clone(),
        ics_code: Some(ics.to_string()),
    };
    store::organisations::create_pcn(tx, &pcn).await?;
    let change = Change {
        action: "created by ePCN import",
        entity: "pcn",
        entity_id: &pcn.code,
        tenant: &pcn.code,
        before: None,
        after: json(&pcn),
    };
    audit(tx, actor, change, now).await?;
    Ok(pcn)
}
