//! Workforce: headcount and WTE by staff group (non-clinical roles included), open
//! vacancies with their monthly cost, starters and leavers in the twelve months; and the
//! same by practice (a PCN's pack) or by PCN (an ICS's pack). Counted as the practice,
//! PCN and ICS pages count them (`org::count_by_group`, the team employed today).
use super::{PackScope, Part, figure, pounds, round2};
use crate::App;
use crate::access::Actor;
use crate::error::AppResult;
use crate::organisations::dashboards::count_by_group;
use crate::pdf::flow::{Chart, ChartKind, Column, Flow, Series, Table};
use chrono::NaiveDate;
use domain::org::{Employer, OdsCode};
use domain::role::StaffGroup;
use import::{Cell, Sheet};
use serde::{Deserialize, Serialize};
use store::register::{StaffFilter, StaffRecord, StaffScope};
use store::sites::vacancies::VacancyRecord;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupLine {
    pub staff_group: String,
    pub headcount: usize,
    pub wte: f64,
    pub vacancies: usize,
    pub vacancy_wte: f64,
    pub vacancy_monthly_cost_gbp: f64,
    pub starters: usize,
    pub leavers: usize,
}

/// A practice of the PCN, or a PCN of the ICS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitLine {
    pub code: String,
    pub name: String,
    pub headcount: usize,
    pub wte: f64,
    pub vacancies: usize,
    pub vacancy_monthly_cost_gbp: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkforceSection {
    pub headcount: usize,
    pub wte: f64,
    pub groups: Vec<GroupLine>,
    pub vacancies: usize,
    pub vacancy_monthly_cost_gbp: f64,
    pub starters: usize,
    pub leavers: usize,
    /// "Practice" or "PCN": what `units` lists; empty for a practice's pack.
    pub unit_kind: String,
    pub units: Vec<UnitLine>,
}

fn in_period(day: Option<NaiveDate>, from: NaiveDate, to: NaiveDate) -> bool {
    day.is_some_and(|d| d >= from && d <= to)
}

fn build(
    current: &[StaffRecord],
    register: &[StaffRecord],
    vacancies: &[&VacancyRecord],
    at: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> WorkforceSection {
    let counts = count_by_group(current, at);
    let groups: Vec<GroupLine> = StaffGroup::ALL
        .into_iter()
        .zip(&counts)
        .map(|(group, count)| {
            let open: Vec<&&VacancyRecord> = vacancies
                .iter()
                .filter(|v| v.vacancy.role.staff_group() == group)
                .collect();
            let of_group = |p: &&StaffRecord| p.draft.role.staff_group() == group;
            GroupLine {
                staff_group: group.label().to_string(),
                headcount: count.headcount,
                wte: count.wte,
                vacancies: open.len(),
                vacancy_wte: round2(open.iter().map(|v| v.vacancy.wte).sum()),
                vacancy_monthly_cost_gbp: round2(
                    open.iter().map(|v| v.vacancy.monthly_cost_gbp).sum(),
                ),
                starters: register
                    .iter()
                    .filter(of_group)
                    .filter(|p| in_period(Some(p.draft.start_date), from, to))
                    .count(),
                leavers: register
                    .iter()
                    .filter(of_group)
                    .filter(|p| in_period(p.draft.end_date, from, to))
                    .count(),
            }
        })
        .collect();
    WorkforceSection {
        headcount: current.len(),
        wte: round2(groups.iter().map(|g| g.wte).sum()),
        vacancies: vacancies.len(),
        vacancy_monthly_cost_gbp: round2(groups.iter().map(|g| g.vacancy_monthly_cost_gbp).sum()),
        starters: groups.iter().map(|g| g.starters).sum(),
        leavers: groups.iter().map(|g| g.leavers).sum(),
        groups,
        unit_kind: String::new(),
        units: Vec::new(),
    }
}

pub(crate) async fn gather(
    app: &App,
    actor: &Actor,
    scope: PackScope<'_>,
    today: NaiveDate,
    from: NaiveDate,
) -> AppResult<WorkforceSection> {
    let mut conn = app.store().conn().await?;
    let staff_scope = match scope {
        PackScope::Practice(ods) => StaffScope::WorksAt(ods),
        PackScope::Pcn(code) => StaffScope::Pcn(code),
        PackScope::Ics(code) => StaffScope::Ics(code),
    };
    let current =
        store::register::list(&mut conn, staff_scope, &StaffFilter::employed_on(today)).await?;
    let register = store::register::list(&mut conn, staff_scope, &StaffFilter::default()).await?;
    match scope {
        PackScope::Practice(ods) => {
            let employer = Employer::Practice(
                OdsCode::parse(ods).map_err(|e| crate::AppError::Invalid(e.into()))?,
            );
            let open = store::sites::vacancies::list(&mut conn, &[employer], true).await?;
            let open: Vec<&VacancyRecord> = open.iter().collect();
            Ok(build(&current, &register, &open, Some(ods), from, today))
        }
        PackScope::Pcn(code) => {
            drop(conn);
            let o = app.organisations().pcn_overview(actor, code).await?;
            let open: Vec<&VacancyRecord> = o.vacancies.iter().collect();
            let mut section = build(&current, &register, &open, None, from, today);
            section.unit_kind = "Practice".into();
            section.units = o
                .practices
                .iter()
                .map(|p| UnitLine {
                    code: p.practice.ods_code.clone(),
                    name: p.practice.name.clone(),
                    headcount: p.headcount,
                    wte: p.wte,
                    vacancies: p.open_vacancies,
                    vacancy_monthly_cost_gbp: round2(
                        o.vacancies
                            .iter()
                            .filter(|v| v.employer.code() == p.practice.ods_code)
                            .map(|v| v.vacancy.monthly_cost_gbp)
                            .sum(),
                    ),
                })
                .collect();
            Ok(section)
        }
        PackScope::Ics(code) => {
            let open = store::sites::vacancies::list_open_in_ics(&mut conn, code).await?;
            drop(conn);
            let open: Vec<&VacancyRecord> = open.iter().collect();
            let mut section = build(&current, &register, &open, None, from, today);
            let summary = app.organisations().system_summary(actor).await?;
            section.unit_kind = "PCN".into();
            section.units = summary
                .pcns
                .iter()
                .map(|p| UnitLine {
                    code: p.code.clone(),
                    name: p.name.clone(),
                    headcount: p.headcount,
                    wte: p.wte,
                    vacancies: p.open_vacancies,
                    vacancy_monthly_cost_gbp: round2(p.vacancy_monthly_cost_gbp),
                })
                .collect();
            Ok(section)
        }
    }
}

impl Part for WorkforceSection {
    fn pdf(&self, flow: &mut Flow) {
        flow.heading("Workforce");
        flow.paragraph(&format!(
            "Headcount {}, {} WTE, employed on the day of the snapshot. Open vacancies: {} costing {} a month. Starters in the period: {}; leavers: {}.",
            self.headcount,
            figure(self.wte),
            self.vacancies,
            pounds(self.vacancy_monthly_cost_gbp),
            self.starters,
            self.leavers
        ));
        let mut rows: Vec<Vec<String>> = self
            .groups
            .iter()
            .map(|g| {
                vec![
                    g.staff_group.clone(),
                    g.headcount.to_string(),
                    figure(g.wte),
                    g.vacancies.to_string(),
                    figure(g.vacancy_wte),
                    pounds(g.vacancy_monthly_cost_gbp),
                    g.starters.to_string(),
                    g.leavers.to_string(),
                ]
            })
            .collect();
        rows.push(vec![
            "All staff groups".into(),
            self.headcount.to_string(),
            figure(self.wte),
            self.vacancies.to_string(),
            figure(self.groups.iter().map(|g| g.vacancy_wte).sum()),
            pounds(self.vacancy_monthly_cost_gbp),
            self.starters.to_string(),
            self.leavers.to_string(),
        ]);
        flow.table(&Table {
            columns: vec![
                Column::text("Staff group", 3.2),
                Column::number("Headcount", 1.5),
                Column::number("WTE", 1.2),
                Column::number("Vacancies", 1.5),
                Column::number("Vacant WTE", 1.5),
                Column::number("Vacancy cost a month", 1.9),
                Column::number("Starters", 1.4),
                Column::number("Leavers", 1.4),
            ],
            rows,
        });
        flow.chart(&Chart {
            title: "WTE and vacant WTE by staff group".into(),
            unit: "WTE".into(),
            kind: ChartKind::Bars,
            categories: self.groups.iter().map(|g| g.staff_group.clone()).collect(),
            series: vec![
                Series {
                    name: "WTE in post".into(),
                    values: self.groups.iter().map(|g| g.wte).collect(),
                },
                Series {
                    name: "Vacant WTE".into(),
                    values: self.groups.iter().map(|g| g.vacancy_wte).collect(),
                },
            ],
        });
        if !self.units.is_empty() {
            flow.table(&Table {
                columns: vec![
                    Column::text(&self.unit_kind, 4.0),
                    Column::number("Headcount", 1.5),
                    Column::number("WTE", 1.2),
                    Column::number("Vacancies", 1.5),
                    Column::number("Vacancy cost a month", 2.0),
                ],
                rows: self
                    .units
                    .iter()
                    .map(|u| {
                        vec![
                            format!("{} ({})", u.name, u.code),
                            u.headcount.to_string(),
                            figure(u.wte),
                            u.vacancies.to_string(),
                            pounds(u.vacancy_monthly_cost_gbp),
                        ]
                    })
                    .collect(),
            });
            flow.note("A person working at several practices counts once in the totals and at each practice they work at, with their WTE shared between them.");
        }
    }

    fn sheets(&self) -> Vec<Sheet> {
        let n = |x: usize| Cell::Number(x as f64);
        let mut rows: Vec<Vec<Cell>> = self
            .groups
            .iter()
            .map(|g| {
                vec![
                    Cell::Text(g.staff_group.clone()),
                    n(g.headcount),
                    Cell::Number(g.wte),
                    n(g.vacancies),
                    Cell::Number(g.vacancy_wte),
                    Cell::Number(g.vacancy_monthly_cost_gbp),
                    n(g.starters),
                    n(g.leavers),
                ]
            })
            .collect();
        rows.push(vec![
            Cell::Text("All staff groups".into()),
            n(self.headcount),
            Cell::Number(self.wte),
            n(self.vacancies),
            Cell::Number(round2(self.groups.iter().map(|g| g.vacancy_wte).sum())),
            Cell::Number(self.vacancy_monthly_cost_gbp),
            n(self.starters),
            n(self.leavers),
        ]);
        let mut sheets = vec![Sheet {
            name: "Workforce".into(),
            header: [
                "Staff group",
                "Headcount",
                "WTE",
                "Vacancies",
                "Vacant WTE",
                "Vacancy cost a month (GBP)",
                "Starters",
                "Leavers",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }];
        if !self.units.is_empty() {
            sheets.push(Sheet {
                name: format!("Workforce by {}", self.unit_kind),
                header: [
                    "Code",
                    "Name",
                    "Headcount",
                    "WTE",
                    "Vacancies",
                    "Vacancy cost a month (GBP)",
                ]
                .map(String::from)
                .to_vec(),
                rows: self
                    .units
                    .iter()
                    .map(|u| {
                        vec![
                            Cell::Text(u.code.clone()),
                            Cell::Text(u.name.clone()),
                            n(u.headcount),
                            Cell::Number(u.wte),
                            n(u.vacancies),
                            Cell::Number(u.vacancy_monthly_cost_gbp),
                        ]
                    })
                    .collect(),
            });
        }
        sheets
    }
}
