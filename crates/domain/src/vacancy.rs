//! Vacancies: posts the practice or PCN wants filled, and what not filling them costs.
use crate::error::{FieldError, FieldErrors, parse_optional_date};
use crate::role::Role;
use crate::staff::parse_wte;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VacancyForm {
    pub role: String,
    pub wte: String,
    pub opened_on: String,
    /// Monthly cost of not filling the post (locum or overtime backfill), in pounds.
    pub monthly_cost_gbp: String,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VacancyDraft {
    pub role: Role,
    pub wte: f64,
    pub opened_on: Option<NaiveDate>,
    pub monthly_cost_gbp: f64,
    pub notes: Option<String>,
}

impl VacancyForm {
    pub fn parse(&self) -> Result<VacancyDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let role = errors.take(Role::parse(&self.role));
        let wte = errors.take(parse_wte(&self.wte));
        let opened_on = errors.take(parse_optional_date("opened_on", &self.opened_on));
        let cost_text = self
            .monthly_cost_gbp
            .trim()
            .trim_start_matches('£')
            .replace(',', "");
        let cost = if cost_text.is_empty() {
            Some(0.0)
        } else {
            match cost_text.parse::<f64>() {
                Ok(v) if v >= 0.0 && v.is_finite() && v < 1e7 => Some(v),
                _ => {
                    errors.push(FieldError::new(
                        "monthly_cost_gbp",
                        format!(
                            "'{}' is not an amount in pounds",
                            self.monthly_cost_gbp.trim()
                        ),
                    ));
                    None
                }
            }
        };
        errors.into_result()?;
        let notes = self.notes.trim();
        Ok(VacancyDraft {
            role: role.expect("checked"),
            wte: wte.expect("checked"),
            opened_on: opened_on.expect("checked"),
            monthly_cost_gbp: cost.expect("checked"),
            notes: (!notes.is_empty()).then(|| notes.to_string()),
        })
    }
}
