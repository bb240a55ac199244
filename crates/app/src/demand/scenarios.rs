//! Saved what-if scenarios of a practice or PCN: posts added or removed from a month on,
//! measured against the forecast gap, with their yearly cost (the ARRS rate table's maximum
//! for a post the manager gave no cost for, see `crate::funding::arrs::rates::indicative_cost_per_wte`).
use super::DemandCapacity;
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::{Change, json};

/// A what-if form as typed: a name and up to [`POST_ROWS`] posts (blank rows are skipped).
/// Form fields are `name` and `post1_role`, `post1_change`, `post1_wte`,
/// `post1_start_month`, `post1_yearly_cost`, then `post2_…`.
#[derive(Debug, Clone, Default)]
pub struct ScenarioForm {
    pub name: String,
    pub posts: Vec<PostForm>,
}

impl ScenarioForm {
    pub fn from_fields(fields: &std::collections::BTreeMap<String, String>) -> ScenarioForm {
        let get = |key: String| fields.get(&key).cloned().unwrap_or_default();
        ScenarioForm {
            name: get("name".into()),
            posts: (1..=POST_ROWS)
                .map(|i| PostForm {
                    change: get(format!("post{i}_change")),
                    role: get(format!("post{i}_role")),
                    wte: get(format!("post{i}_wte")),
                    start_month: get(format!("post{i}_start_month")),
                    yearly_cost: get(format!("post{i}_yearly_cost")),
                })
                .collect(),
        }
    }
}

/// The form field names of each post row: role, WTE, first month, yearly cost.
pub const POST_FIELDS: [[&str; 4]; POST_ROWS] = [
    [
        "post1_role",
        "post1_wte",
        "post1_start_month",
        "post1_yearly_cost",
    ],
    [
        "post2_role",
        "post2_wte",
        "post2_start_month",
        "post2_yearly_cost",
    ],
    [
        "post3_role",
        "post3_wte",
        "post3_start_month",
        "post3_yearly_cost",
    ],
];

#[derive(Debug, Clone, Default)]
pub struct PostForm {
    pub change: String,
    pub role: String,
    pub wte: String,
    pub start_month: String,
    pub yearly_cost: String,
}

pub const POST_ROWS: usize = 3;

/// A saved scenario and what it does over the forecast months.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScenarioEffect {
    pub id: String,
    pub name: String,
    pub posts: Vec<analytics::scenario::Post>,
    /// Safe appointments added (negative: removed) over the 12 forecast months, by HCP type.
    pub capacity_change: Vec<(String, f64)>,
    /// Safe appointments the scenario adds (negative: takes away) in each month ahead, by
    /// HCP type, for drawing its capacity on the chart.
    pub added: Vec<(analytics::Month, String, f64)>,
    /// Forecast months short of safe capacity without and with the scenario.
    pub short_months_before: usize,
    pub short_months_after: usize,
    /// The shortfall over the forecast months without and with the scenario.
    pub shortfall_before: f64,
    pub shortfall_after: f64,
    pub yearly_cost_change: f64,
}

fn parse_posts(
    form: &ScenarioForm,
) -> Result<Vec<analytics::scenario::Post>, domain::error::FieldErrors> {
    use analytics::scenario::{Post, PostChange};
    let mut errors = domain::error::FieldErrors::default();
    if form.name.trim().is_empty() {
        errors.push(domain::error::FieldError::new(
            "name",
            "Enter a name for the scenario",
        ));
    }
    let mut posts = Vec::new();
    for (i, p) in form.posts.iter().enumerate().take(POST_ROWS) {
        if p.role.trim().is_empty() && p.wte.trim().is_empty() && p.start_month.trim().is_empty() {
            continue;
        }
        let [role_field, wte_field, start_field, cost_field] = POST_FIELDS[i];
        let n = i + 1;
        let change = match p.change.as_str() {
            "remove" => PostChange::Remove,
            _ => PostChange::Add,
        };
        let role = domain::role::Role::parse(&p.role).map_err(|e| {
            domain::error::FieldError::new(role_field, format!("Post {n}: {}", e.message))
        });
        let wte = match p.wte.trim().parse::<f64>() {
            Ok(w) if w > 0.0 && w <= 1.5 => Ok(w),
            _ => Err(domain::error::FieldError::new(
                wte_field,
                format!("Post {n}: enter a WTE above 0 and up to 1.5, like 0.6"),
            )),
        };
        let start = analytics::Month::parse_iso(&p.start_month).ok_or_else(|| {
            domain::error::FieldError::new(
                start_field,
                format!("Post {n}: enter the first month as YYYY-MM, like 2027-04"),
            )
        });
        let cost = match p.yearly_cost.trim().replace([',', '£'], "") {
            t if t.is_empty() => Ok(None),
            t => match t.parse::<f64>() {
                Ok(c) if c >= 0.0 => Ok(Some(c)),
                _ => Err(domain::error::FieldError::new(
                    cost_field,
                    format!(
                        "Post {n}: enter the yearly cost of one WTE in pounds, or leave it blank"
                    ),
                )),
            },
        };
        match (role, wte, start, cost) {
            (Ok(role), Ok(wte), Ok(start), Ok(yearly_cost_per_wte)) => posts.push(Post {
                change,
                role,
                wte,
                start,
                yearly_cost_per_wte,
            }),
            (role, wte, start, cost) => {
                for e in [role.err(), wte.err(), start.err(), cost.err()]
                    .into_iter()
                    .flatten()
                {
                    errors.push(e);
                }
            }
        }
    }
    if posts.is_empty() && errors.is_empty() {
        errors.push(domain::error::FieldError::new(
            "post1_role",
            "Add at least one post",
        ));
    }
    if errors.is_empty() {
        Ok(posts)
    } else {
        Err(errors)
    }
}

fn tenant_key(tenant: crate::Tenant<'_>) -> (&'static str, String) {
    match tenant {
        crate::Tenant::Practice(ods) => ("practice", ods.to_string()),
        crate::Tenant::Pcn(code) => ("pcn", code.to_string()),
    }
}

impl super::Demand<'_> {
    /// Saves a what-if scenario for a practice or PCN (managers only), audited.
    pub async fn save_scenario(
        &self,
        actor: &Actor,
        tenant: crate::Tenant<'_>,
        form: &ScenarioForm,
    ) -> AppResult<String> {
        let mut conn = self.store().conn().await?;
        crate::access::authorize(&mut conn, actor, crate::Permission::Manage, tenant).await?;
        drop(conn);
        let posts = parse_posts(form).map_err(AppError::Invalid)?;
        let (kind, code) = tenant_key(tenant);
        let now = self.now();
        let record = store::demand::scenarios::ScenarioRecord {
            id: store::new_id(),
            tenant_kind: kind.into(),
            tenant_code: code.clone(),
            name: form.name.trim().to_string(),
            created_at: now.clone(),
            created_by: Some(actor.user_id.clone()),
            posts: posts
                .iter()
                .map(|p| store::demand::scenarios::PostRecord {
                    id: store::new_id(),
                    change: match p.change {
                        analytics::scenario::PostChange::Add => "add".into(),
                        analytics::scenario::PostChange::Remove => "remove".into(),
                    },
                    role: p.role.code().into(),
                    wte: p.wte,
                    start_month: p.start.to_string(),
                    yearly_cost_per_wte: p.yearly_cost_per_wte,
                })
                .collect(),
        };
        let mut tx = self.store().begin().await?;
        store::demand::scenarios::insert(&mut tx, &record).await?;
        crate::commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: "created",
                entity: "scenario",
                entity_id: &record.id,
                tenant: &code,
                before: None,
                after: json(&serde_json::json!({ "name": record.name, "posts": record.posts })),
            },
            &now,
        )
        .await?;
        Ok(record.id)
    }

    /// The saved scenarios of a practice or PCN, each measured against the forecast gap.
    pub async fn scenario_effects(
        &self,
        tenant: crate::Tenant<'_>,
        view: &DemandCapacity,
    ) -> AppResult<Vec<ScenarioEffect>> {
        use analytics::scenario::{Post, PostChange};
        let (kind, code) = tenant_key(tenant);
        let mut conn = self.store().conn().await?;
        let saved = store::demand::scenarios::list(&mut conn, kind, &code).await?;
        let rates: Vec<domain::arrs::Rate> = store::funding::arrs::list_rates(&mut conn)
            .await?
            .into_iter()
            .map(|r| r.rate)
            .collect();
        let pcn = match tenant {
            crate::Tenant::Pcn(code) => Some(code.to_string()),
            crate::Tenant::Practice(ods) => store::organisations::get(&mut conn, ods)
                .await?
                .and_then(|p| p.pcn_code),
        };
        let mut areas = std::collections::BTreeMap::new();
        for s in &saved {
            for p in &s.posts {
                let Some(start) = analytics::Month::parse_iso(&p.start_month) else {
                    continue;
                };
                let year = domain::arrs::FinancialYear::of(start.first_day());
                if let (Some(pcn), std::collections::btree_map::Entry::Vacant(e)) =
                    (&pcn, areas.entry(year))
                {
                    let settings = store::funding::arrs::pcn_year(&mut conn, pcn, year).await?;
                    e.insert(settings.map_or(domain::arrs::Area::National, |s| s.area));
                }
            }
        }
        drop(conn);
        // The change in yearly cost: the manager's figure, else the rate table's maximum.
        let yearly_cost = |p: &Post| -> f64 {
            let per_wte = p.yearly_cost_per_wte.unwrap_or_else(|| {
                let year = domain::arrs::FinancialYear::of(p.start.first_day());
                let area = areas
                    .get(&year)
                    .copied()
                    .unwrap_or(domain::arrs::Area::National);
                let month = domain::arrs::ClaimMonth {
                    year: p.start.year,
                    month: p.start.month,
                };
                crate::funding::arrs::rates::what_if_cost_per_wte(&rates, p.role, area, month)
            });
            p.signed_wte() * per_wte
        };
        let forecast: Vec<&analytics::capacity::GapRow> =
            view.rows.iter().filter(|r| r.forecast).collect();
        let mut out = Vec::new();
        for s in saved {
            let posts: Vec<Post> = s
                .posts
                .iter()
                .filter_map(|p| {
                    Some(Post {
                        change: if p.change == "remove" {
                            PostChange::Remove
                        } else {
                            PostChange::Add
                        },
                        role: domain::role::Role::parse(&p.role).ok()?,
                        wte: p.wte,
                        start: analytics::Month::parse_iso(&p.start_month)?,
                        yearly_cost_per_wte: p.yearly_cost_per_wte,
                    })
                })
                .collect();
            let mut change: std::collections::BTreeMap<String, f64> = Default::default();
            let mut by_month = Vec::new();
            let (mut short_before, mut short_after, mut shortfall_before, mut shortfall_after) =
                (0, 0, 0.0, 0.0);
            for row in &forecast {
                let added: f64 = posts
                    .iter()
                    .map(|p| {
                        p.capacity(&view.rules, row.month)
                            .get(row.hcp_type.as_str())
                            .copied()
                            .unwrap_or(0.0)
                    })
                    .sum();
                *change.entry(row.hcp_type.clone()).or_default() += added;
                by_month.push((row.month, row.hcp_type.clone(), added));
                let before = row.gap();
                let after = before + added;
                short_before += usize::from(before < 0.0);
                short_after += usize::from(after < 0.0);
                shortfall_before += (-before).max(0.0);
                shortfall_after += (-after).max(0.0);
            }
            out.push(ScenarioEffect {
                id: s.id,
                name: s.name,
                yearly_cost_change: posts.iter().map(yearly_cost).sum(),
                posts,
                capacity_change: change.into_iter().collect(),
                added: by_month,
                short_months_before: short_before,
                short_months_after: short_after,
                shortfall_before,
                shortfall_after,
            });
        }
        Ok(out)
    }
}
