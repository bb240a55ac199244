//! Demand and capacity: appointment data in, forecasts, safe capacity and the gap out.
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::{Change, audit, json};
use import::{AppointmentFile, ImportError};
use std::collections::BTreeMap;
use std::fmt;

pub mod forecast_note;
mod scenarios;
mod team;
pub use scenarios::{POST_FIELDS, POST_ROWS, PostForm, ScenarioEffect, ScenarioForm};
pub use team::TypeSupply;

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

facade! {
    /// Demand and capacity: forecasts, gaps and scenarios (`app.demand()`).
    pub struct Demand => demand;
}

impl Demand<'_> {
    /// Reads a GPAD file (either layout) from `reader` and stores it in one transaction:
    /// each area-month in the file replaces what was stored for it. A file with any bad row
    /// changes nothing. Parsing runs off the async threads.
    pub async fn import_appointments(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        reader: impl std::io::Read + Send + 'static,
    ) -> AppResult<AppointmentImportSummary> {
        crate::organisations::require_system_admin(actor)?;
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
            store::demand::appointments::upsert_area(&mut tx, code, name, &now).await?;
        }
        let mut months_replaced = 0;
        for (area, month) in &file.area_months {
            let month = month.format("%Y-%m").to_string();
            if store::demand::appointments::delete_month(&mut tx, area, &month).await? > 0 {
                months_replaced += 1;
            }
        }
        tracing::debug!(elapsed = ?started.elapsed(), "appointments: replaced months cleared");
        let daily = file.daily();
        let rows: Vec<store::demand::appointments::CountRow> = file
            .counts
            .iter()
            .map(|c| store::demand::appointments::CountRow {
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
        store::demand::appointments::insert_counts(&mut tx, &rows).await?;
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
        store::demand::appointments::record_import(
            &mut tx,
            &store::demand::appointments::ImportRecord {
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

/// The demand-and-capacity answer for a practice or a PCN.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DemandCapacity {
    pub title: String,
    /// Practices covered, with their registered patients.
    pub practices: Vec<(String, String, i64)>,
    /// Areas whose appointment rates are used: code, name, practices in gpteam in the
    /// area, their registered patients.
    pub areas: Vec<AreaBasis>,
    /// History (12 months) and forecast (12 months) by HCP type, in month order.
    pub rows: Vec<analytics::capacity::GapRow>,
    pub last_data_month: Option<analytics::Month>,
    pub level_shifts: Vec<analytics::Month>,
    /// Whether the area data held days, so the weekday profile is estimated; else even.
    pub weekday_profile_estimated: bool,
    /// The next 13 weeks of the forecast: (Monday, HCP type, demand, safe capacity).
    pub weeks: Vec<(chrono::NaiveDate, String, f64, f64)>,
    /// Weeks (their Mondays) whose capacity is published rotas' sessions rather than the
    /// contracts' (for a PCN: at the member practices with a rota that week; the others
    /// keep their estimate).
    pub rota_weeks: Vec<chrono::NaiveDate>,
    /// The practice's capacity rules (for a PCN: the defaults; each practice's own apply).
    pub rules: analytics::capacity::CapacityRules,
    /// How each area's forecast was made and how it did in backtest.
    pub forecast_notes: Vec<forecast_note::ForecastNote>,
    /// The team today by clinician type, with its safe appointments over the months ahead.
    pub team: Vec<TypeSupply>,
}

/// Safe appointments a week by HCP type from a rota's sessions: appointments a session by
/// staff group (an evening is 1.5 hours of a 4 h 10 min session, a Saturday two sessions),
/// a GP's day capped at the safe limit of contacts.
fn rota_capacity(
    rules: &analytics::capacity::CapacityRules,
    assignments: &[store::rota::AssignmentRow],
    groups: &BTreeMap<String, domain::role::StaffGroup>,
) -> BTreeMap<&'static str, f64> {
    let mut days: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    for a in assignments {
        let (Some(group), Ok(session)) = (
            groups.get(&a.staff_id),
            domain::rota::Session::parse(&a.session),
        ) else {
            continue;
        };
        let per_session = rules.per_session.get(group).copied().unwrap_or(0.0);
        let weight = match session {
            domain::rota::Session::Am | domain::rota::Session::Pm => 1.0,
            domain::rota::Session::Evening => 90.0 / 250.0,
            domain::rota::Session::Saturday => 2.0,
        };
        *days
            .entry((a.staff_id.as_str(), a.day.as_str()))
            .or_default() += weight * per_session;
    }
    let mut out = BTreeMap::new();
    for ((staff, _), contacts) in days {
        let Some(group) = groups.get(staff) else {
            continue;
        };
        let Some(hcp) = analytics::capacity::hcp_type(*group) else {
            continue;
        };
        let day = if *group == domain::role::StaffGroup::Gp {
            contacts.min(rules.gp_daily_limit)
        } else {
            contacts
        };
        *out.entry(hcp).or_insert(0.0) += day;
    }
    out
}

/// The staff groups whose appointments a session a practice may set.
pub const SETTABLE_GROUPS: [domain::role::StaffGroup; 3] = [
    domain::role::StaffGroup::Gp,
    domain::role::StaffGroup::Nurses,
    domain::role::StaffGroup::DirectPatientCare,
];

/// The BMA defaults with the practice's own appointments a session where it set them.
async fn practice_rules(
    conn: &mut store::Conn,
    ods: &str,
) -> AppResult<analytics::capacity::CapacityRules> {
    let mut rules = analytics::capacity::CapacityRules::default();
    for (group, n) in store::demand::appointments::capacity_settings(conn, ods).await? {
        if let Some(g) = domain::role::StaffGroup::parse(&group) {
            rules.per_session.insert(g, n);
        }
    }
    Ok(rules)
}

impl Demand<'_> {
    /// Sets a practice's appointments a session by staff group (0–16 each; a session is
    /// 4 h 10 min), audited. `values` are the typed text by staff group code.
    pub async fn set_capacity_rules(
        &self,
        actor: &Actor,
        ods: &str,
        values: &BTreeMap<String, String>,
    ) -> AppResult<()> {
        let mut conn = self.store().conn().await?;
        crate::access::authorize(
            &mut conn,
            actor,
            crate::Permission::Manage,
            crate::Tenant::Practice(ods),
        )
        .await?;
        let before = practice_rules(&mut conn, ods).await?;
        drop(conn);
        let mut errors = domain::error::FieldErrors::default();
        let mut parsed = Vec::new();
        for group in SETTABLE_GROUPS {
            let text = values.get(group.code()).map(|t| t.trim()).unwrap_or("");
            match text.parse::<f64>() {
                Ok(n) if (0.0..=16.0).contains(&n) => parsed.push((group, n)),
                _ => errors.push(domain::error::FieldError::new(
                    group.code(),
                    format!(
                        "Enter appointments a session for {} as a number from 0 to 16",
                        group.label()
                    ),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let now = self.now();
        let mut tx = self.store().begin().await?;
        for (group, n) in &parsed {
            store::demand::appointments::set_capacity_setting(&mut tx, ods, group.code(), *n, &now)
                .await?;
        }
        let after: BTreeMap<&str, f64> = parsed.iter().map(|(g, n)| (g.code(), *n)).collect();
        let before: BTreeMap<&str, f64> = before
            .per_session
            .iter()
            .map(|(g, n)| (g.code(), *n))
            .collect();
        crate::commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: "updated",
                entity: "capacity_settings",
                entity_id: ods,
                tenant: ods,
                before: json(&before),
                after: json(&after),
            },
            &now,
        )
        .await
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AreaBasis {
    pub code: String,
    pub name: String,
    pub practices: usize,
    pub patients: i64,
    pub months: i64,
}

/// Months of history shown before the forecast.
const HISTORY_MONTHS: usize = 12;
/// Months forecast.
pub const HORIZON: usize = 12;

impl Demand<'_> {
    /// Demand (the area's appointments per registered patient × list sizes, forecast 12
    /// months), safe capacity from the team's contracts less approved leave, and the gap,
    /// for a practice or a whole PCN.
    pub async fn demand_capacity(
        &self,
        actor: &Actor,
        tenant: crate::Tenant<'_>,
    ) -> AppResult<DemandCapacity> {
        use analytics::capacity::CapacityRules;
        let mut conn = self.store().conn().await?;
        // No personal data: a PCN's figures are aggregates an ICS viewer may read too.
        let permission = match tenant {
            crate::Tenant::Practice(_) => crate::Permission::View,
            crate::Tenant::Pcn(_) => crate::Permission::ViewAggregates,
        };
        crate::access::authorize(&mut conn, actor, permission, tenant).await?;
        let (title, scope) = match tenant {
            crate::Tenant::Practice(ods) => {
                let p = store::organisations::get(&mut conn, ods)
                    .await?
                    .ok_or(AppError::NotFound)?;
                (
                    p.name.clone(),
                    store::organisations::PracticeScope::One(ods),
                )
            }
            crate::Tenant::Pcn(code) => {
                let p = store::organisations::get_pcn(&mut conn, code)
                    .await?
                    .ok_or(AppError::NotFound)?;
                (
                    p.name.clone(),
                    store::organisations::PracticeScope::Pcn(code),
                )
            }
        };
        let practices = store::organisations::list(&mut conn, scope).await?;
        let all =
            store::organisations::list(&mut conn, store::organisations::PracticeScope::All).await?;
        let today = self.today();
        let rules = CapacityRules::default();

        let AreaDemand {
            mut rows,
            areas,
            last_data_month,
            level_shifts,
            forecast_notes,
            daily,
        } = area_demand(&mut conn, &practices, &all).await?;
        let (by_practice, members) = practice_contracts(&mut conn, &practices, today).await?;
        let ahead: Vec<analytics::Month> = rows
            .iter()
            .filter(|(_, r)| r.forecast)
            .map(|((m, _), _)| *m)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let team = team::by_type(&members, &by_practice, &ahead, today);
        let by_practice_month = monthly_capacity(&mut rows, &by_practice, today);
        // Weeks: each forecast month spread over its working days (by the weekday profile of
        // the daily figures when there are some), the first 13 whole weeks.
        let profile = analytics::capacity::weekday_profile(&daily);
        let (mut weeks, estimates) = weekly_gap(&rows, profile, &by_practice_month);
        let rules = match by_practice.as_slice() {
            [(only, _)] => only.clone(),
            _ => rules,
        };
        let rota_weeks =
            rota_weeks(&mut conn, &practices, &by_practice, &estimates, &mut weeks).await?;
        Ok(DemandCapacity {
            title,
            practices: practices
                .iter()
                .map(|p| (p.ods_code.clone(), p.name.clone(), p.list_size.unwrap_or(0)))
                .collect(),
            areas,
            rows: rows.into_values().collect(),
            last_data_month,
            level_shifts,
            weekday_profile_estimated: profile.is_some(),
            weeks,
            rota_weeks,
            rules,
            forecast_notes,
            team,
        })
    }
}

/// Gap rows by (month, HCP type), as `area_demand` fills them with demand and
/// `monthly_capacity` with capacity.
type GapRows = BTreeMap<(analytics::Month, String), analytics::capacity::GapRow>;
/// Each practice's rules and its people's contracts (their share of it, their leave).
type PracticeContracts = Vec<(
    analytics::capacity::CapacityRules,
    Vec<analytics::capacity::Contract>,
)>;
/// Each practice's own estimate by month and HCP type.
type PracticeMonths = Vec<BTreeMap<analytics::Month, BTreeMap<&'static str, f64>>>;
/// Each practice's estimate by (Monday, HCP type).
type PracticeWeeks = Vec<BTreeMap<(chrono::NaiveDate, &'static str), f64>>;
/// (Monday, HCP type, demand, safe capacity).
type Week = (chrono::NaiveDate, String, f64, f64);

/// What the areas of the practices in scope say about demand.
struct AreaDemand {
    rows: GapRows,
    areas: Vec<AreaBasis>,
    last_data_month: Option<analytics::Month>,
    level_shifts: Vec<analytics::Month>,
    forecast_notes: Vec<forecast_note::ForecastNote>,
    daily: Vec<(chrono::NaiveDate, f64)>,
}

/// Demand: per area of the practices in scope, its appointments by HCP type (history and
/// forecast) × the practices' share of the area's registered patients.
async fn area_demand(
    conn: &mut store::Conn,
    practices: &[store::organisations::PracticeRecord],
    all: &[store::organisations::PracticeRecord],
) -> AppResult<AreaDemand> {
    use analytics::capacity::{GapRow, list_share};
    use analytics::{Month, MonthlyCount, build_series, forecast_all};
    let mut rows: GapRows = BTreeMap::new();
    let mut areas = Vec::new();
    let mut last_data_month = None;
    let mut level_shifts = Vec::new();
    let mut forecast_notes = Vec::new();
    let mut daily: Vec<(chrono::NaiveDate, f64)> = Vec::new();
    let area_codes: std::collections::BTreeSet<&str> =
        practices.iter().map(|p| p.commissioner.as_str()).collect();
    let area_names: BTreeMap<String, (String, i64)> = store::demand::appointments::areas(conn)
        .await?
        .into_iter()
        .map(|(c, n, m)| (c, (n, m)))
        .collect();
    for area in area_codes {
        let in_area: Vec<_> = all.iter().filter(|p| p.commissioner == area).collect();
        let area_patients: i64 = in_area.iter().filter_map(|p| p.list_size).sum();
        let ours: i64 = practices
            .iter()
            .filter(|p| p.commissioner == area)
            .filter_map(|p| p.list_size)
            .sum();
        let Some((name, months)) = area_names.get(area) else {
            continue;
        };
        areas.push(AreaBasis {
            code: area.to_string(),
            name: name.clone(),
            practices: in_area.len(),
            patients: area_patients,
            months: *months,
        });
        let share = list_share(ours as f64, area_patients as f64);
        let counts: Vec<MonthlyCount> = store::demand::appointments::monthly_by_hcp(conn, area)
            .await?
            .into_iter()
            .filter_map(|(month, hcp, n)| {
                Some(MonthlyCount {
                    area_code: area.to_string(),
                    hcp_type: hcp,
                    appt_mode: None,
                    month: Month::parse_iso(&month)?,
                    appointments: n.max(0) as u64,
                })
            })
            .collect();
        for (day, n) in store::demand::appointments::daily_totals(conn, area).await? {
            if let Ok(day) = day.parse::<chrono::NaiveDate>() {
                daily.push((day, n as f64));
            }
        }
        let (series, _) = build_series(&counts);
        let Ok(forecasts) = forecast_all(&series, HORIZON, &Default::default()) else {
            continue;
        };
        forecast_notes.push(forecast_note::note(area, name, &series));
        for (s, f) in series.iter().zip(&forecasts) {
            if analytics::capacity::hcp_type_known(&s.hcp_type).is_none() {
                continue;
            }
            let last = s.values.len();
            last_data_month = last_data_month.max(Some(s.last_month()));
            level_shifts.extend(f.level_shifts.iter().copied());
            for i in last.saturating_sub(HISTORY_MONTHS)..last {
                let m = s.month(i);
                let row = rows
                    .entry((m, s.hcp_type.clone()))
                    .or_insert_with(|| GapRow::empty(m, &s.hcp_type, false));
                row.demand += s.values[i] * share;
            }
            for p in &f.points {
                let row = rows
                    .entry((p.month, s.hcp_type.clone()))
                    .or_insert_with(|| GapRow::empty(p.month, &s.hcp_type, true));
                row.demand += p.forecast * share;
                *row.lower_80.get_or_insert(0.0) += p.lower_80 * share;
                *row.upper_80.get_or_insert(0.0) += p.upper_80 * share;
            }
        }
    }
    level_shifts.sort();
    level_shifts.dedup();
    Ok(AreaDemand {
        rows,
        areas,
        last_data_month,
        level_shifts,
        forecast_notes,
        daily,
    })
}

/// Capacity's inputs: everyone working at a practice in scope, their sessions shared evenly
/// between the practices they work at, each share under that practice's rules; and the
/// team's members for the by-type view.
async fn practice_contracts(
    conn: &mut store::Conn,
    practices: &[store::organisations::PracticeRecord],
    today: chrono::NaiveDate,
) -> AppResult<(PracticeContracts, Vec<team::Member>)> {
    use analytics::capacity::Contract;
    let mut by_practice: PracticeContracts = Vec::new();
    let mut members = Vec::new();
    for p in practices {
        let practice_rules = practice_rules(conn, &p.ods_code).await?;
        let people = store::register::list(
            conn,
            store::register::StaffScope::WorksAt(&p.ods_code),
            &store::register::StaffFilter::default(),
        )
        .await?;
        let mut contracts = Vec::with_capacity(people.len());
        for person in people {
            let d = &person.draft;
            let leave = store::leave::list(conn, store::leave::LeaveScope::Staff(&person.id), None)
                .await?
                .into_iter()
                .filter(|l| l.status == domain::leave::LeaveStatus::Approved)
                .flat_map(|l| {
                    l.leave
                        .start_date
                        .iter_days()
                        .take_while(move |day| *day <= l.leave.end_date)
                })
                .collect();
            let share = d.share_of(|ods| ods.as_str() == p.ods_code);
            let clinician = analytics::clinicians::ClinicianType::of(d.role);
            members.push(team::Member {
                staff_id: person.id.clone(),
                clinician,
                wte: d.wte,
                sessions_per_week: d.sessions_per_week,
                share,
                current: d.employed_on(today),
            });
            contracts.push(Contract {
                group: d.role.staff_group(),
                clinician,
                sessions_per_week: d.sessions_per_week,
                share,
                start: d.start_date,
                end: d.end_date,
                leave,
            });
        }
        by_practice.push((practice_rules, contracts));
    }
    Ok((by_practice, members))
}

/// Fills each row's capacity: the practices' estimates from contracts, month by month; and
/// returns each practice's own estimate by month, kept for the weeks no rota covers.
fn monthly_capacity(
    rows: &mut GapRows,
    by_practice: &PracticeContracts,
    today: chrono::NaiveDate,
) -> PracticeMonths {
    let months: std::collections::BTreeSet<analytics::Month> =
        rows.keys().map(|(m, _)| *m).collect();
    let mut by_practice_month: PracticeMonths = vec![BTreeMap::new(); by_practice.len()];
    for m in months {
        let mut supply: BTreeMap<&str, f64> = BTreeMap::new();
        for ((practice_rules, contracts), estimate) in
            by_practice.iter().zip(&mut by_practice_month)
        {
            let month = practice_rules.month(contracts, m, today);
            for (hcp, v) in &month {
                *supply.entry(*hcp).or_default() += *v;
            }
            estimate.insert(m, month);
        }
        for ((month, hcp), row) in rows.iter_mut() {
            if *month == m {
                row.capacity = supply.get(hcp.as_str()).copied().unwrap_or(0.0);
            }
        }
    }
    by_practice_month
}

/// The first 13 whole weeks of the forecast, demand and capacity spread over working days;
/// and each practice's estimate by week, for the weeks without its rota.
fn weekly_gap(
    rows: &GapRows,
    profile: Option<[f64; 5]>,
    by_practice_month: &PracticeMonths,
) -> (Vec<Week>, PracticeWeeks) {
    use analytics::capacity::GapRow;
    let mut weeks = Vec::new();
    let mut estimates: PracticeWeeks = vec![BTreeMap::new(); by_practice_month.len()];
    for hcp in [analytics::capacity::GP, analytics::capacity::OTHER_STAFF] {
        let forecast: Vec<&GapRow> = rows
            .values()
            .filter(|r| r.forecast && r.hcp_type == hcp)
            .collect();
        let Some(first) = forecast.first() else {
            continue;
        };
        let demand = analytics::capacity::by_week(
            &forecast
                .iter()
                .map(|r| (r.month, r.demand))
                .collect::<Vec<_>>(),
            profile,
        );
        let supply = analytics::capacity::by_week(
            &forecast
                .iter()
                .map(|r| (r.month, r.capacity))
                .collect::<Vec<_>>(),
            None,
        );
        for (estimate, months) in estimates.iter_mut().zip(by_practice_month) {
            let monthly: Vec<(analytics::Month, f64)> = forecast
                .iter()
                .map(|r| {
                    let v = months
                        .get(&r.month)
                        .and_then(|m| m.get(hcp))
                        .copied()
                        .unwrap_or(0.0);
                    (r.month, v)
                })
                .collect();
            for (monday, v) in analytics::capacity::by_week(&monthly, None) {
                estimate.insert((monday, hcp), v);
            }
        }
        for ((monday, d), (_, c)) in demand
            .into_iter()
            .zip(supply)
            .filter(|((m, _), _)| *m >= first.month.first_day())
            .take(13)
        {
            weeks.push((monday, hcp.to_string(), d, c));
        }
    }
    (weeks, estimates)
}

/// Where published rotas cover a week, their sessions are the capacity, practice by
/// practice: at each practice the more recently published of its own rota and its PCN's
/// (the one staff calendars show there), its sessions at that practice's sites under that
/// practice's rules. A practice with neither keeps its estimate, so a PCN's week adds its
/// member practices' rotas where they have them. Returns the weeks a rota covered.
async fn rota_weeks(
    conn: &mut store::Conn,
    practices: &[store::organisations::PracticeRecord],
    by_practice: &PracticeContracts,
    estimates: &PracticeWeeks,
    weeks: &mut [Week],
) -> AppResult<Vec<chrono::NaiveDate>> {
    let mut rota_weeks = Vec::new();
    let practice_codes: Vec<String> = practices.iter().map(|p| p.ods_code.clone()).collect();
    let sites = store::sites::list_sites(conn, &practice_codes).await?;
    let mondays: std::collections::BTreeSet<chrono::NaiveDate> =
        weeks.iter().map(|w| w.0).collect();
    let mut assignments_of: BTreeMap<String, Vec<store::rota::AssignmentRow>> = BTreeMap::new();
    let mut groups: BTreeMap<String, domain::role::StaffGroup> = BTreeMap::new();
    for monday in mondays {
        let (first, last) = (
            monday.to_string(),
            (monday + chrono::Days::new(6)).to_string(),
        );
        let mut supply: BTreeMap<&str, f64> = BTreeMap::new();
        let mut from_rota = false;
        for (i, p) in practices.iter().enumerate() {
            let own =
                store::rota::published_rota_for(conn, "practice", &p.ods_code, &first).await?;
            let pcn = match &p.pcn_code {
                Some(code) => store::rota::published_rota_for(conn, "pcn", code, &first).await?,
                None => None,
            };
            let rota = match (own, pcn) {
                (Some(a), Some(b)) => {
                    Some(if (&a.published_at, &a.id) >= (&b.published_at, &b.id) {
                        a
                    } else {
                        b
                    })
                }
                (a, b) => a.or(b),
            };
            let Some(rota) = rota else {
                for ((week, hcp), v) in &estimates[i] {
                    if *week == monday {
                        *supply.entry(*hcp).or_default() += *v;
                    }
                }
                continue;
            };
            from_rota = true;
            if !assignments_of.contains_key(&rota.id) {
                let list = store::rota::list_assignments(conn, &rota.id).await?;
                assignments_of.insert(rota.id.clone(), list);
            }
            let here: Vec<store::rota::AssignmentRow> = assignments_of[&rota.id]
                .iter()
                .filter(|a| {
                    sites
                        .iter()
                        .any(|s| s.id == a.site_id && s.practice_ods == p.ods_code)
                })
                .filter(|a| a.day >= first && a.day <= last)
                .cloned()
                .collect();
            for a in &here {
                if !groups.contains_key(&a.staff_id)
                    && let Some(person) = store::register::get(conn, &a.staff_id).await?
                {
                    groups.insert(a.staff_id.clone(), person.draft.role.staff_group());
                }
            }
            for (hcp, v) in rota_capacity(&by_practice[i].0, &here, &groups) {
                *supply.entry(hcp).or_default() += v;
            }
        }
        if !from_rota {
            continue;
        }
        rota_weeks.push(monday);
        for w in weeks.iter_mut().filter(|w| w.0 == monday) {
            w.3 = supply.get(w.1.as_str()).copied().unwrap_or(0.0);
        }
    }
    Ok(rota_weeks)
}
