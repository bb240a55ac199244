//! Practice income: NHS Digital's *NHS Payments to General Practice* file imported per
//! financial year, and each practice's and PCN's payments over the years.
//!
//! The import is reference data (the system administrator or the command line). Reading:
//! a practice's payment lines by the managers who may view the practice; a PCN's totals by
//! its managers and its ICS's viewers (aggregates of published figures, no person in them).
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::organisations::require_system_admin;
use crate::{Change, audit, json};
use import::{FinancialYear, ImportError, PaymentKind, PaymentsFile};
use std::fmt;

/// What a payments import did (`unmatched`: practice codes not in the register).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PaymentsImportSummary {
    pub year: FinancialYear,
    pub stored: usize,
    pub unmatched: usize,
}

impl fmt::Display for PaymentsImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "stored {} practices, unmatched {}",
            self.stored, self.unmatched
        )
    }
}

/// One money column of a practice's year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PaymentLine {
    /// The column's name as published.
    pub name: String,
    pub kind: PaymentKind,
    pub pence: i64,
}

/// A practice's payments in one financial year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PaymentYear {
    pub year: FinancialYear,
    pub registered_patients: Option<f64>,
    pub weighted_patients: Option<f64>,
    /// "Total NHS Payments to General Practice", in pence.
    pub total_pence: i64,
    /// The practice as the file names it: another practice's code for the demo.
    pub published_code: String,
    pub published_name: String,
    pub file_name: String,
    /// In the published file's column order.
    pub lines: Vec<PaymentLine>,
}

impl PaymentYear {
    /// Pounds per registered patient, when the practice had patients.
    pub fn per_patient(&self) -> Option<f64> {
        per(self.total_pence, self.registered_patients)
    }

    pub fn per_weighted_patient(&self) -> Option<f64> {
        per(self.total_pence, self.weighted_patients)
    }
}

fn per(pence: i64, patients: Option<f64>) -> Option<f64> {
    patients
        .filter(|n| *n > 0.0)
        .map(|n| pence as f64 / 100.0 / n)
}

/// A practice's payments over the years, oldest first.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PracticePayments {
    pub ods_code: String,
    pub name: String,
    pub years: Vec<PaymentYear>,
}

/// One member practice's total in a PCN's year (`None`: not in that year's file).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MemberTotal {
    pub ods_code: String,
    pub name: String,
    pub total_pence: Option<i64>,
    pub registered_patients: Option<f64>,
    /// The practice whose published figures these are (name, code), when not this one:
    /// the demo's.
    pub stand_in: Option<(String, String)>,
}

/// A PCN's year: its member practices' totals and their sum.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PcnPaymentYear {
    pub year: FinancialYear,
    pub total_pence: i64,
    /// Patients of the practices with figures for the year.
    pub registered_patients: f64,
    pub weighted_patients: f64,
    pub practices: Vec<MemberTotal>,
}

impl PcnPaymentYear {
    pub fn per_patient(&self) -> Option<f64> {
        per(self.total_pence, Some(self.registered_patients))
    }

    pub fn per_weighted_patient(&self) -> Option<f64> {
        per(self.total_pence, Some(self.weighted_patients))
    }

    /// Member practices the year's file has no figures for.
    pub fn missing(&self) -> Vec<&str> {
        self.practices
            .iter()
            .filter(|p| p.total_pence.is_none())
            .map(|p| p.name.as_str())
            .collect()
    }
}

/// A PCN's payments: today's member practices, year by year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PcnPayments {
    pub code: String,
    pub name: String,
    pub years: Vec<PcnPaymentYear>,
}

impl crate::funding::arrs::Funding<'_> {
    /// Imports one financial year of NHS Payments to General Practice (`year` like
    /// `2022-23`, or taken from the file's name). Each practice in the register gets its
    /// row for that year, replacing what was stored for it; practices not in the register
    /// are counted as unmatched. All or nothing.
    pub async fn import_payments(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        bytes: &[u8],
        year: Option<&str>,
    ) -> AppResult<PaymentsImportSummary> {
        require_system_admin(actor)?;
        let year = match year.map(str::trim).filter(|y| !y.is_empty()) {
            Some(text) => Some(FinancialYear::parse(text).ok_or_else(|| {
                ImportError::file(
                    file_name,
                    format!(
                        "{} is not a financial year like 2022-23",
                        import::quote(text)
                    ),
                )
            })?),
            None => None,
        };
        let file = import::read_payments(file_name, bytes, year)?;
        self.store_payments(actor, file_name, &file, |code| Some(code.to_string()), true)
            .await
    }

    /// Stores a file read whole: each row goes to the practice `practice_for` names for its
    /// code (the code itself for an import; a demo practice for the demo), if it is in the
    /// register. One transaction, with one audit row a practice when `audited` (the demo
    /// loader, like the rest of the demo, writes none).
    pub(crate) async fn store_payments(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        file: &PaymentsFile,
        practice_for: impl Fn(&str) -> Option<String>,
        audited: bool,
    ) -> AppResult<PaymentsImportSummary> {
        let mut tx = self.store().begin().await?;
        let now = self.now();
        let register = store::funding::payments::practice_codes(&mut tx).await?;
        let mut summary = PaymentsImportSummary {
            year: file.year,
            stored: 0,
            unmatched: 0,
        };
        for practice in &file.practices {
            let Some(ods) =
                practice_for(practice.ods_code.as_str()).filter(|ods| register.contains(ods))
            else {
                summary.unmatched += 1;
                continue;
            };
            let lines = file
                .columns
                .iter()
                .zip(&practice.amounts)
                .filter_map(|(column, amount)| {
                    Some(store::funding::payments::PaymentLineRow {
                        name: column.name.clone(),
                        kind: column.kind.code().to_string(),
                        amount_pence: (*amount)?,
                    })
                })
                .collect();
            let row = store::funding::payments::PaymentYearRow {
                ods_code: ods.clone(),
                year_start: file.year.0,
                published_code: practice.ods_code.to_string(),
                published_name: practice.name.clone(),
                registered_patients: practice.registered_patients,
                weighted_patients: practice.weighted_patients,
                total_pence: practice.total_pence,
                file_name: file_name.to_string(),
                imported_at: now.clone(),
                lines,
            };
            let before = store::funding::payments::stored_total(&mut tx, &ods, file.year.0).await?;
            store::funding::payments::replace_year(&mut tx, &row).await?;
            let year = file.year.code();
            let change = Change {
                action: "payments imported",
                entity: "practice",
                entity_id: &ods,
                tenant: &ods,
                before: before.and_then(|pence| {
                    json(&serde_json::json!({ "year": year, "total_pence": pence }))
                }),
                after: json(&serde_json::json!({
                    "year": year,
                    "total_pence": practice.total_pence,
                    "file": file_name,
                    "published_code": practice.ods_code.as_str(),
                })),
            };
            if audited {
                audit(&mut tx, actor, change, &now).await?;
            }
            summary.stored += 1;
        }
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(summary)
    }

    /// A practice's payment lines over the years: for whoever may view the practice.
    pub async fn practice_payments(&self, actor: &Actor, ods: &str) -> AppResult<PracticePayments> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        let practice = store::organisations::get(&mut conn, ods)
            .await?
            .ok_or(AppError::NotFound)?;
        let rows = store::funding::payments::years_of(&mut conn, &[ods.to_string()]).await?;
        Ok(PracticePayments {
            ods_code: practice.ods_code,
            name: practice.name,
            years: rows.into_iter().map(year_of).collect::<AppResult<_>>()?,
        })
    }

    /// A PCN's totals per year for today's member practices: for its managers and the
    /// viewers of its ICS.
    pub async fn pcn_payments(&self, actor: &Actor, code: &str) -> AppResult<PcnPayments> {
        let mut conn = self.store().conn().await?;
        access::authorize(
            &mut conn,
            actor,
            Permission::ViewAggregates,
            Tenant::Pcn(code),
        )
        .await?;
        let pcn = store::organisations::get_pcn(&mut conn, code)
            .await?
            .ok_or(AppError::NotFound)?;
        let members = self
            .organisations()
            .practices_of_pcn_on(&mut conn, code, self.today())
            .await?;
        let codes: Vec<String> = members.iter().map(|p| p.ods_code.clone()).collect();
        let rows = store::funding::payments::years_of(&mut conn, &codes).await?;
        let mut years: Vec<i32> = rows.iter().map(|r| r.year_start).collect();
        years.sort_unstable();
        years.dedup();
        let years = years
            .into_iter()
            .map(|year| {
                let of_year: Vec<&store::funding::payments::PaymentYearRow> =
                    rows.iter().filter(|r| r.year_start == year).collect();
                let practices: Vec<MemberTotal> = members
                    .iter()
                    .map(|p| {
                        let row = of_year.iter().find(|r| r.ods_code == p.ods_code);
                        MemberTotal {
                            ods_code: p.ods_code.clone(),
                            name: p.name.clone(),
                            total_pence: row.map(|r| r.total_pence),
                            registered_patients: row.and_then(|r| r.registered_patients),
                            stand_in: row
                                .filter(|r| r.published_code != r.ods_code)
                                .map(|r| (r.published_name.clone(), r.published_code.clone())),
                        }
                    })
                    .collect();
                PcnPaymentYear {
                    year: FinancialYear(year),
                    total_pence: of_year.iter().map(|r| r.total_pence).sum(),
                    registered_patients: of_year.iter().filter_map(|r| r.registered_patients).sum(),
                    weighted_patients: of_year.iter().filter_map(|r| r.weighted_patients).sum(),
                    practices,
                }
            })
            .collect();
        Ok(PcnPayments {
            code: pcn.code,
            name: pcn.name,
            years,
        })
    }
}

fn year_of(row: store::funding::payments::PaymentYearRow) -> AppResult<PaymentYear> {
    let lines = row
        .lines
        .into_iter()
        .map(|l| {
            let kind = PaymentKind::parse(&l.kind).ok_or_else(|| {
                AppError::Store(store::StoreError::Corrupt(format!(
                    "payment line kind '{}'",
                    l.kind
                )))
            })?;
            Ok(PaymentLine {
                name: l.name,
                kind,
                pence: l.amount_pence,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(PaymentYear {
        year: FinancialYear(row.year_start),
        registered_patients: row.registered_patients,
        weighted_patients: row.weighted_patients,
        total_pence: row.total_pence,
        published_code: row.published_code,
        published_name: row.published_name,
        file_name: row.file_name,
        lines,
    })
}
