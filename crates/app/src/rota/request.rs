//! A rota asked for through the JSON API, and followed there: every field checked here, so each problem names
//! its field, after the actor's right to ask for rotas (and for this PCN or practice) is
//! checked — someone who may not ask learns nothing from the field errors.
use super::{MAX_TIME_LIMIT, RotaScope};
use crate::access::{Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use domain::account::UserRole;
use domain::rota::RotaPeriod;
use domain::{FieldError, FieldErrors};

/// The request as sent: each field's text, `None` when absent (or JSON `null`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotaRequest {
    pub pcn: Option<String>,
    pub practice: Option<String>,
    pub from: Option<String>,
    pub weeks: Option<String>,
    pub time_limit_seconds: Option<String>,
}

/// A field's text, trimmed; `None` when absent or blank.
fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

/// Checks every field at once: which PCN or practice, the period, the time limit.
pub fn parse_request(
    request: &RotaRequest,
) -> Result<(RotaScope, RotaPeriod, Option<u32>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let scope = match (given(&request.pcn), given(&request.practice)) {
        (Some(pcn), None) => Some(RotaScope::Pcn(pcn.to_string())),
        (None, Some(ods)) => Some(RotaScope::Practice(ods.to_string())),
        (Some(_), Some(_)) => {
            for field in ["pcn", "practice"] {
                errors.push(FieldError::new(
                    field,
                    "Give either pcn (a rota for the whole PCN) or practice, not both",
                ));
            }
            None
        }
        (None, None) => {
            errors.push(FieldError::new(
                "pcn",
                "Give pcn (the PCN's code) or practice (the practice's ODS code)",
            ));
            None
        }
    };
    let from = given(&request.from).unwrap_or_default();
    let weeks = given(&request.weeks).unwrap_or_default();
    let period = match RotaPeriod::parse(from, weeks) {
        Ok(period) => Some(period),
        Err(e) => {
            errors.0.extend(e.0);
            None
        }
    };
    let limit = match given(&request.time_limit_seconds) {
        None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(n) if (1..=MAX_TIME_LIMIT).contains(&n) => Some(n),
            _ => {
                errors.push(FieldError::new(
                    "time_limit_seconds",
                    format!("Enter a time limit from 1 to {MAX_TIME_LIMIT} seconds, not '{text}'"),
                ));
                None
            }
        },
    };
    errors.into_result()?;
    Ok((scope.expect("checked"), period.expect("checked"), limit))
}

impl super::Rota<'_> {
    /// The rota's row alone (status, progress, scores so far), for following a solve
    /// without loading and checking the whole rota each time.
    pub async fn rota_summary(&self, actor: &Actor, id: &str) -> AppResult<store::rota::RotaRow> {
        let mut conn = self.store().conn().await?;
        self.rota_row(&mut conn, actor, id, Permission::Manage)
            .await
    }

    /// Queues a rota asked for field by field (the API's request). Only practice and PCN
    /// managers ask for rotas, and only for their own practice or PCN: that is checked
    /// before the fields, so a refusal never depends on what else was sent.
    pub async fn request_rota_fields(
        &self,
        actor: &Actor,
        request: &RotaRequest,
    ) -> AppResult<String> {
        let own = match actor.role {
            UserRole::PracticeManager => Tenant::Practice(&actor.org),
            UserRole::PcnManager => Tenant::Pcn(&actor.org),
            UserRole::Staff | UserRole::IcsViewer | UserRole::SystemAdmin => {
                return Err(AppError::Forbidden);
            }
        };
        self.authorize(actor, Permission::Manage, own).await?;
        let (scope, period, limit) = parse_request(request)?;
        self.request_rota(actor, scope, period, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(errors: FieldErrors) -> Vec<&'static str> {
        errors.0.iter().map(|e| e.field).collect()
    }

    fn good() -> RotaRequest {
        RotaRequest {
            pcn: Some("U99901".into()),
            from: Some("2026-11-30".into()),
            weeks: Some("4".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_request_parses() {
        let (scope, period, limit) = parse_request(&good()).unwrap();
        assert_eq!(scope, RotaScope::Pcn("U99901".into()));
        assert_eq!(period.weeks, 4);
        assert_eq!(limit, None);
    }

    #[test]
    fn each_bad_field_is_named() {
        let missing_from = RotaRequest {
            from: None,
            ..good()
        };
        assert_eq!(fields(parse_request(&missing_from).unwrap_err()), ["from"]);
        for weeks in ["0", "14", "two", "2.5"] {
            let bad = RotaRequest {
                weeks: Some(weeks.into()),
                ..good()
            };
            assert_eq!(
                fields(parse_request(&bad).unwrap_err()),
                ["weeks"],
                "{weeks}"
            );
        }
        let both = RotaRequest {
            practice: Some("Y99901".into()),
            ..good()
        };
        assert_eq!(
            fields(parse_request(&both).unwrap_err()),
            ["pcn", "practice"]
        );
        let neither = RotaRequest {
            pcn: None,
            ..good()
        };
        assert_eq!(fields(parse_request(&neither).unwrap_err()), ["pcn"]);
        let limit = RotaRequest {
            time_limit_seconds: Some("601".into()),
            ..good()
        };
        assert_eq!(
            fields(parse_request(&limit).unwrap_err()),
            ["time_limit_seconds"]
        );
        let tuesday = RotaRequest {
            from: Some("2026-12-01".into()),
            ..good()
        };
        assert_eq!(fields(parse_request(&tuesday).unwrap_err()), ["from"]);
    }
}
