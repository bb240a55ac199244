//! What-if: a post the PCN might add (role, WTE, from a month, optionally a site) — its
//! cost, its claim to 31 March, headroom after it, and its effect on the demand–capacity
//! gap and on rooms (the estates shortfall with the post added). Nothing is stored. The post is a plain struct so the estates shortfall can take
//! the same value.
use super::lines::post_line;
use super::{inputs, summarise};
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::AppResult;
use crate::estates::PlannedPost;
use crate::estates::shortfall::UnhousedSession;
use domain::arrs::{ClaimMonth, Engagement, FinancialYear, Post, Rate, pence, rate_for};
use domain::role::Role;
use domain::{FieldError, FieldErrors};

/// A post that might be added.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WhatIfPost {
    pub role: Role,
    pub wte: f64,
    pub from: ClaimMonth,
    /// The site it would work at, when known (for rooms).
    pub site: Option<String>,
}

/// The what-if form as typed.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
#[serde(default)]
pub struct WhatIfForm {
    pub role: String,
    pub wte: String,
    pub from: String,
    pub site: String,
    /// Salary and on-costs a year for the post, when known; else the role's maximum.
    pub yearly_cost: String,
}

impl WhatIfForm {
    pub fn is_empty(&self) -> bool {
        self.role.trim().is_empty() && self.wte.trim().is_empty() && self.from.trim().is_empty()
    }

    pub fn parse(&self) -> Result<(WhatIfPost, Option<f64>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let role = errors.take(Role::parse(&self.role));
        let wte = errors.take(domain::staff::parse_wte(&self.wte));
        let from = errors.take(ClaimMonth::parse(&self.from).map_err(|e| {
            FieldError::new("from", e.message.replace("month like", "first month like"))
        }));
        let cost = if self.yearly_cost.trim().is_empty() {
            Some(None)
        } else {
            errors.take(
                domain::arrs::parse_money("yearly_cost", "the yearly cost", &self.yearly_cost)
                    .map(Some),
            )
        };
        let site = self.site.trim();
        errors.clone().into_result()?;
        Ok((
            WhatIfPost {
                role: role.expect("checked"),
                wte: wte.expect("checked"),
                from: from.expect("checked"),
                site: (!site.is_empty()).then(|| site.to_string()),
            },
            cost.expect("checked"),
        ))
    }
}

/// The effect on the demand–capacity gap over the forecast months.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GapEffect {
    pub short_months_before: usize,
    pub short_months_after: usize,
    /// Appointments short over the forecast months, before and after.
    pub shortfall_before: f64,
    pub shortfall_after: f64,
}

/// The effect on rooms: room-sessions a week short at the PCN's sites with the team in post,
/// and with the post added; the post's sessions that cannot be housed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RoomEffect {
    pub short_before: u32,
    pub short_after: u32,
    /// The planned post's sessions without a room of its kind (site, session, room kind,
    /// and the other sites with one free then). Names a role, never a person.
    pub unhoused: Vec<UnhousedSession>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WhatIfResult {
    pub post: WhatIfPost,
    pub year: FinancialYear,
    /// The rate used for the first month; `None` when the year has none for the role.
    pub rate: Option<Rate>,
    pub yearly_cost: f64,
    /// Cost and claim from the first month to 31 March.
    pub cost_to_year_end: f64,
    pub claim_to_year_end: f64,
    pub headroom_before: Option<f64>,
    pub headroom_after: Option<f64>,
    pub gap: Option<GapEffect>,
    /// Why the gap is not shown, when it is not.
    pub gap_note: Option<String>,
    pub rooms: Option<RoomEffect>,
    /// Why the room effect is not shown, when it is not.
    pub rooms_note: Option<String>,
}

impl super::Funding<'_> {
    /// Works out a what-if post against the PCN's ledger for `year` (the PCN manager).
    pub async fn arrs_what_if(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
        post: &WhatIfPost,
        yearly_cost: Option<f64>,
    ) -> AppResult<WhatIfResult> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Pcn(pcn)).await?;
        let i = inputs(&mut conn, pcn, year).await?;
        drop(conn);
        let (summary, _) = summarise(pcn, year, &i, self.today());
        let first = post.from.max(ClaimMonth::of(year.first_day()));
        let rate = rate_for(&i.rates, post.role, "", i.area, first).cloned();
        let yearly_cost = yearly_cost.unwrap_or_else(|| match &rate {
            Some(r) => r.annual_max * post.wte,
            None => {
                super::rates::what_if_cost_per_wte(&i.rates, post.role, i.area, first) * post.wte
            }
        });
        let planned = Post {
            staff_id: "what-if".into(),
            name: format!("What-if {}", post.role.label()),
            role: post.role,
            band: String::new(),
            wte: post.wte,
            start: post.from.first_day(),
            end: None,
            employer: pcn.to_string(),
            engagement: Engagement::Employed,
            monthly_salary: yearly_cost / 12.0,
            employer_ni: 0.0,
            employer_pension: 0.0,
            previous_post_ended: None,
        };
        let (mut cost, mut claim) = (0.0, 0.0);
        for month in year.months().into_iter().filter(|m| *m >= post.from) {
            cost += yearly_cost / 12.0;
            if let Ok(Some(line)) = post_line(&planned, &i.rates, i.area, month) {
                claim += line.claim;
            }
        }
        let claim = pence(claim);
        let (gap, gap_note) = match self.gap_effect(actor, pcn, post).await {
            Ok(g) => (Some(g), None),
            Err(e) => (
                None,
                Some(format!("The demand–capacity gap cannot be shown: {e}")),
            ),
        };
        let (rooms, rooms_note) = match self.room_effect(actor, pcn, post).await {
            Ok(r) => (Some(r), None),
            Err(e) => (
                None,
                Some(format!("The effect on rooms cannot be shown: {e}")),
            ),
        };
        Ok(WhatIfResult {
            post: post.clone(),
            year,
            rate,
            yearly_cost: pence(yearly_cost),
            cost_to_year_end: pence(cost),
            claim_to_year_end: claim,
            headroom_before: summary.headroom,
            headroom_after: summary.headroom.map(|h| pence(h - claim)),
            gap,
            gap_note,
            rooms,
            rooms_note,
        })
    }

    /// The post's effect on the rooms of the PCN's sites (`room_shortfall` with the post).
    async fn room_effect(
        &self,
        actor: &Actor,
        pcn: &str,
        post: &WhatIfPost,
    ) -> AppResult<RoomEffect> {
        let planned = PlannedPost {
            role: post.role,
            wte: post.wte,
            site_id: post.site.clone(),
        };
        let shortfall = self
            .estates()
            .room_shortfall(actor, Tenant::Pcn(pcn), &[planned])
            .await?;
        Ok(RoomEffect {
            short_before: shortfall.short_in_post,
            short_after: shortfall.short_planned,
            unhoused: shortfall
                .unhoused
                .into_iter()
                .filter(|u| u.planned)
                .collect(),
        })
    }

    /// The post's effect on the PCN's forecast gap (the demand and capacity page's rule).
    async fn gap_effect(
        &self,
        actor: &Actor,
        pcn: &str,
        post: &WhatIfPost,
    ) -> AppResult<GapEffect> {
        let view = self
            .demand()
            .demand_capacity(actor, Tenant::Pcn(pcn))
            .await?;
        let Some(start) = analytics::Month::new(post.from.year, post.from.month) else {
            return Err(crate::AppError::Internal("month out of range".into()));
        };
        let added = analytics::scenario::Post {
            change: analytics::scenario::PostChange::Add,
            role: post.role,
            wte: post.wte,
            start,
            yearly_cost_per_wte: None,
        };
        let mut effect = GapEffect {
            short_months_before: 0,
            short_months_after: 0,
            shortfall_before: 0.0,
            shortfall_after: 0.0,
        };
        for row in view.rows.iter().filter(|r| r.forecast) {
            let extra = added
                .capacity(&view.rules, row.month)
                .get(row.hcp_type.as_str())
                .copied()
                .unwrap_or(0.0);
            let before = row.gap();
            let after = before + extra;
            effect.short_months_before += usize::from(before < 0.0);
            effect.short_months_after += usize::from(after < 0.0);
            effect.shortfall_before += (-before).max(0.0);
            effect.shortfall_after += (-after).max(0.0);
        }
        Ok(effect)
    }
}
