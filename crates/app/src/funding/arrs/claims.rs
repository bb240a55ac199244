//! A month's claim: drafted from the posts and rates, checked (the figures must not have
//! moved since the draft), submitted (then locked), and exported as CSV or XLSX with one
//! line a post and every field the claim needs.
use super::lines::{self, MissingRate};
use super::{inputs, parse_month_in};
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use domain::FieldError;
use domain::arrs::{ClaimMonth, FinancialYear};
use store::funding::arrs::{ClaimRow, LineRow};

/// A claim as the page and the API show it: stored, or worked out when not yet drafted.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClaimView {
    pub pcn: String,
    pub month: ClaimMonth,
    /// `none` (not drafted: the lines are what a draft would hold), `draft`, `checked` or
    /// `submitted`.
    pub status: String,
    pub claim: Option<ClaimRow>,
    /// Each line with the person's name from the register.
    pub lines: Vec<(String, LineRow)>,
    pub total: f64,
    pub missing: Vec<String>,
    /// Whether the month has begun, so a claim can be drafted.
    pub claimable: bool,
}

fn invalid(field: &'static str, message: String) -> AppError {
    AppError::Invalid(FieldError::new(field, message).into())
}

fn locked(month: ClaimMonth, claim: &ClaimRow) -> AppError {
    invalid(
        "month",
        format!(
            "The claim for {} was submitted{} and is locked: it cannot be changed. A later rate change is claimed as backdated lines in the next month's draft.",
            month.label(),
            claim
                .submitted_at
                .as_deref()
                .map(|at| format!(" on {}", &at[..10.min(at.len())]))
                .unwrap_or_default()
        ),
    )
}

async fn names(conn: &mut store::Conn, lines: Vec<LineRow>) -> AppResult<Vec<(String, LineRow)>> {
    let mut out = Vec::new();
    for line in lines {
        let name = store::register::get(conn, &line.staff_id)
            .await?
            .map(|s| s.draft.name)
            .unwrap_or_else(|| "(no longer in the register)".into());
        out.push((name, line));
    }
    Ok(out)
}

impl super::Funding<'_> {
    /// What a fresh draft for the month would hold (lines and the roles without a rate).
    async fn worked_out(
        &self,
        conn: &mut store::Conn,
        pcn: &str,
        month: ClaimMonth,
    ) -> AppResult<(Vec<LineRow>, Vec<MissingRate>)> {
        let i = inputs(conn, pcn, month.financial_year()).await?;
        Ok(lines::month_lines(
            &i.posts,
            &i.rates,
            i.area,
            &i.submitted,
            month,
        ))
    }

    /// The claim for a month: stored lines once drafted, otherwise what a draft would hold.
    pub async fn arrs_claim(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
        month: &str,
    ) -> AppResult<ClaimView> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Pcn(pcn)).await?;
        let month = parse_month_in(month, year)?;
        let claim = store::funding::arrs::get_claim(&mut conn, pcn, month).await?;
        let (lines, missing) = match &claim {
            Some(_) => (
                store::funding::arrs::claim_lines(&mut conn, pcn, month).await?,
                Vec::new(),
            ),
            None => self.worked_out(&mut conn, pcn, month).await?,
        };
        let total = lines::total(&lines);
        Ok(ClaimView {
            pcn: pcn.to_string(),
            month,
            status: claim.as_ref().map_or("none".into(), |c| c.status.clone()),
            claim,
            lines: names(&mut conn, lines).await?,
            total,
            missing: missing.iter().map(MissingRate::words).collect(),
            claimable: month.first_day() <= self.today(),
        })
    }

    /// Drafts (or drafts again) the month's claim from the posts and rates in force,
    /// audited. A submitted month is refused, as is a month not yet begun or one with
    /// nothing to claim.
    pub async fn draft_arrs_claim(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
        month: &str,
    ) -> AppResult<f64> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let month = parse_month_in(month, year)?;
        let existing = store::funding::arrs::get_claim(&mut tx, pcn, month).await?;
        if let Some(c) = existing.as_ref().filter(|c| c.status == "submitted") {
            return Err(locked(month, c));
        }
        if month.first_day() > self.today() {
            return Err(invalid(
                "month",
                format!(
                    "{} has not begun: its claim can be drafted from {}",
                    month.label(),
                    crate::long_date(month.first_day())
                ),
            ));
        }
        let (lines, missing) = self.worked_out(&mut tx, pcn, month).await?;
        if lines.is_empty() {
            let why = missing
                .first()
                .map(MissingRate::words)
                .unwrap_or_else(|| "no ARRS post is in post in the month".into());
            return Err(invalid(
                "month",
                format!("There is nothing to claim for {}: {why}", month.label()),
            ));
        }
        let now = self.now();
        let claim = ClaimRow {
            pcn_code: pcn.to_string(),
            month,
            status: "draft".into(),
            total: lines::total(&lines),
            drafted_at: now.clone(),
            drafted_by: actor.email.clone(),
            checked_at: None,
            checked_by: None,
            submitted_at: None,
            submitted_by: None,
        };
        store::funding::arrs::replace_draft(&mut tx, &claim, &lines).await?;
        commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: "drafted",
                entity: "arrs_claim",
                entity_id: &format!("{pcn}/{month}"),
                tenant: pcn,
                before: existing.as_ref().and_then(json),
                after: json(&serde_json::json!({
                    "month": month.to_string(), "total": claim.total, "lines": lines.len()
                })),
            },
            &now,
        )
        .await?;
        Ok(claim.total)
    }

    /// Marks a drafted claim checked: refused when the posts or rates have moved since the
    /// draft (draft it again), or when it is not a draft.
    pub async fn check_arrs_claim(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
        month: &str,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let month = parse_month_in(month, year)?;
        let claim = self.claim_in(&mut tx, pcn, month, "draft", "check").await?;
        let stored = store::funding::arrs::claim_lines(&mut tx, pcn, month).await?;
        let (now_lines, _) = self.worked_out(&mut tx, pcn, month).await?;
        if stored != now_lines {
            return Err(invalid(
                "month",
                format!(
                    "The posts or rates changed since the claim for {} was drafted ({} then, {} now): draft it again, then check it",
                    month.label(),
                    domain::arrs::money(claim.total),
                    domain::arrs::money(lines::total(&now_lines))
                ),
            ));
        }
        self.move_claim(tx, actor, pcn, month, "draft", "checked")
            .await
    }

    /// Marks a checked claim submitted: from then on the month is locked.
    pub async fn submit_arrs_claim(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
        month: &str,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let month = parse_month_in(month, year)?;
        self.claim_in(&mut tx, pcn, month, "checked", "submit")
            .await?;
        self.move_claim(tx, actor, pcn, month, "checked", "submitted")
            .await
    }

    async fn claim_in(
        &self,
        conn: &mut store::Conn,
        pcn: &str,
        month: ClaimMonth,
        status: &str,
        verb: &str,
    ) -> AppResult<ClaimRow> {
        let claim = store::funding::arrs::get_claim(conn, pcn, month).await?;
        match claim {
            Some(c) if c.status == "submitted" => Err(locked(month, &c)),
            Some(c) if c.status == status => Ok(c),
            Some(c) => Err(invalid(
                "month",
                format!(
                    "The claim for {} is {}: only a {status} claim can be marked to {verb}",
                    month.label(),
                    c.status
                ),
            )),
            None => Err(invalid(
                "month",
                format!("Draft the claim for {} first", month.label()),
            )),
        }
    }

    async fn move_claim(
        &self,
        mut tx: store::Tx,
        actor: &Actor,
        pcn: &str,
        month: ClaimMonth,
        from: &str,
        to: &str,
    ) -> AppResult<()> {
        let now = self.now();
        if !store::funding::arrs::set_status(&mut tx, pcn, month, from, to, &now, &actor.email)
            .await?
        {
            return Err(AppError::Conflict(format!(
                "The claim for {} changed while you were looking at it: open it again",
                month.label()
            )));
        }
        commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: to,
                entity: "arrs_claim",
                entity_id: &format!("{pcn}/{month}"),
                tenant: pcn,
                before: json(&serde_json::json!({ "status": from })),
                after: json(&serde_json::json!({ "status": to })),
            },
            &now,
        )
        .await
    }

    /// The month's drafted claim as a file: `csv` or `xlsx`, one line a post. A month not
    /// drafted is refused.
    pub async fn export_arrs_claim(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
        month: &str,
        format: &str,
    ) -> AppResult<(String, Vec<u8>)> {
        let view = self.arrs_claim(actor, pcn, year, month).await?;
        if view.claim.is_none() {
            return Err(invalid(
                "month",
                format!(
                    "Draft the claim for {} before exporting it",
                    view.month.label()
                ),
            ));
        }
        let (header, rows) = export_table(&view);
        let base = format!("arrs-claim-{pcn}-{}", view.month);
        match format {
            "xlsx" => Ok((
                format!("{base}.xlsx"),
                import::write_table_xlsx("Claim", &header, &rows)?,
            )),
            "csv" | "" => Ok((
                format!("{base}.csv"),
                import::write_table_csv(&header, &rows),
            )),
            other => Err(invalid(
                "format",
                format!(
                    "'{}' is not a format: choose csv or xlsx",
                    other.chars().take(10).collect::<String>()
                ),
            )),
        }
    }
}

/// The export's header and rows: every field a claim line needs, then the total.
pub fn export_table(view: &ClaimView) -> (Vec<String>, Vec<Vec<String>>) {
    let header = [
        "PCN",
        "Claim month",
        "Status",
        "Staff id",
        "Name",
        "Role",
        "Band",
        "Employer",
        "Engagement",
        "Start date",
        "End date",
        "WTE",
        "For month",
        "Backdated",
        "Days in post",
        "Days in month",
        "Monthly salary",
        "Employer NI",
        "Employer pension",
        "Actual cost",
        "Annual maximum per WTE",
        "Maximum for the month",
        "Funding share",
        "Claim",
        "Rate source",
    ]
    .map(String::from)
    .to_vec();
    let money = |v: f64| format!("{v:.2}");
    let mut rows: Vec<Vec<String>> = view
        .lines
        .iter()
        .map(|(name, l)| {
            vec![
                view.pcn.clone(),
                view.month.to_string(),
                view.status.clone(),
                l.staff_id.clone(),
                name.clone(),
                l.role.label().to_string(),
                l.band.clone(),
                l.employer.clone(),
                l.engagement.label().to_string(),
                l.start_date.to_string(),
                l.end_date.map(|d| d.to_string()).unwrap_or_default(),
                domain::staff::format_number(l.wte),
                l.for_month.to_string(),
                if l.backdated { "yes" } else { "no" }.to_string(),
                l.days_in_post.to_string(),
                l.days_in_month.to_string(),
                money(l.monthly_salary),
                money(l.employer_ni),
                money(l.employer_pension),
                money(l.actual_cost),
                money(l.annual_max),
                money(l.maximum),
                format!("{}", l.share),
                money(l.claim),
                l.rate_source.clone(),
            ]
        })
        .collect();
    let mut total = vec![String::new(); header.len()];
    total[0] = view.pcn.clone();
    total[1] = view.month.to_string();
    total[4] = "Total".into();
    total[23] = money(view.total);
    rows.push(total);
    (header, rows)
}
