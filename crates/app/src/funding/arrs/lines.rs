//! The lines of a month's claim, worked out from the posts, the rate versions and the
//! submitted months (pure: no store, no clock), so the draft, the check, the ledger's
//! forecast and the what-if all count the same way.
use domain::arrs::{
    Area, ClaimMonth, FinancialYear, Post, Rate, backdated_difference, month_claim, pence, rate_for,
};
use std::collections::BTreeMap;
use store::funding::arrs::LineRow;

/// A role with no rate in force for a month: its claim is not counted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MissingRate {
    pub role: domain::role::Role,
    pub band: String,
    pub month: ClaimMonth,
}

impl MissingRate {
    pub fn words(&self) -> String {
        let band = if self.band.is_empty() {
            String::new()
        } else {
            format!(" band {}", self.band)
        };
        format!(
            "No maximum rate for {}{band} in {} is recorded for {}: its claim is not counted until a system administrator adds the rate with its source.",
            self.role.label(),
            self.month.financial_year().label(),
            self.month.label()
        )
    }
}

/// The line for one post in one month under the rates, or the missing rate.
pub fn post_line(
    post: &Post,
    rates: &[Rate],
    area: Area,
    month: ClaimMonth,
) -> Result<Option<LineRow>, MissingRate> {
    if post.days_in_post(month) == 0 {
        return Ok(None);
    }
    let Some(rate) = rate_for(rates, post.role, &post.band, area, month) else {
        return Err(MissingRate {
            role: post.role,
            band: post.band.clone(),
            month,
        });
    };
    let c = month_claim(post, month, rate).expect("in post this month");
    Ok(Some(LineRow {
        staff_id: post.staff_id.clone(),
        for_month: month,
        backdated: false,
        role: post.role,
        band: post.band.clone(),
        wte: post.wte,
        engagement: post.engagement,
        employer: post.employer.clone(),
        start_date: post.start,
        end_date: post.end,
        days_in_post: c.days_in_post,
        days_in_month: c.days_in_month,
        monthly_salary: post.monthly_salary,
        employer_ni: post.employer_ni,
        employer_pension: post.employer_pension,
        actual_cost: c.actual_cost,
        annual_max: c.annual_max,
        maximum: c.maximum,
        share: c.share,
        claim: c.claim,
        rate_id: rate.id.clone(),
        rate_source: rate.source.clone(),
    }))
}

/// Backdated lines owed for months of `year` in claims submitted before `before`: for each
/// post and month submitted, what the rates now in force give for the figures frozen in
/// the submitted line, less everything claimed for that month so far. Submitted months
/// are never changed; the difference is claimed in the next draft.
pub fn backdated_lines(
    submitted: &[(ClaimMonth, LineRow)],
    rates: &[Rate],
    area: Area,
    year: FinancialYear,
    before: ClaimMonth,
) -> Vec<LineRow> {
    let mut by_post_month: BTreeMap<(String, ClaimMonth), (Option<&LineRow>, f64)> =
        BTreeMap::new();
    for (claim_month, line) in submitted {
        if *claim_month >= before || line.for_month.financial_year() != year {
            continue;
        }
        let entry = by_post_month
            .entry((line.staff_id.clone(), line.for_month))
            .or_insert((None, 0.0));
        if !line.backdated && entry.0.is_none() {
            entry.0 = Some(line);
        }
        entry.1 += line.claim;
    }
    let mut out = Vec::new();
    for ((_, for_month), (first, claimed)) in by_post_month {
        let Some(first) = first else { continue };
        let Some(rate) = rate_for(rates, first.role, &first.band, area, for_month) else {
            continue;
        };
        let difference = backdated_difference(
            first.actual_cost,
            first.wte,
            first.days_in_post,
            first.days_in_month,
            pence(claimed),
            rate,
        );
        if difference.abs() < 0.005 {
            continue;
        }
        let maximum = pence(
            rate.annual_max * first.wte / 12.0 * first.days_in_post as f64
                / first.days_in_month.max(1) as f64,
        );
        out.push(LineRow {
            backdated: true,
            annual_max: rate.annual_max,
            maximum,
            share: rate.share,
            claim: difference,
            rate_id: rate.id.clone(),
            rate_source: rate.source.clone(),
            ..first.clone()
        });
    }
    out
}

/// Every line of the claim for `month`: this month's posts, then backdated differences.
pub fn month_lines(
    posts: &[Post],
    rates: &[Rate],
    area: Area,
    submitted: &[(ClaimMonth, LineRow)],
    month: ClaimMonth,
) -> (Vec<LineRow>, Vec<MissingRate>) {
    let mut lines = Vec::new();
    let mut missing = Vec::new();
    for post in posts {
        match post_line(post, rates, area, month) {
            Ok(Some(line)) => lines.push(line),
            Ok(None) => {}
            Err(m) => missing.push(m),
        }
    }
    lines.extend(backdated_lines(
        submitted,
        rates,
        area,
        month.financial_year(),
        month,
    ));
    (lines, missing)
}

pub fn total(lines: &[LineRow]) -> f64 {
    pence(lines.iter().map(|l| l.claim).sum())
}
