//! Room use and shortfall: the share of open room-sessions used (and booked) over the twelve
//! weeks to the snapshot's day, per site and for the scope, the rooms under the threshold,
//! and the room-sessions a week the team in post cannot be housed in, counted by site and
//! room kind — from `Estates::estates_summary` (aggregates; its shortfall is
//! `Estates::room_shortfall` with no planned post). An ICS's pack has one line a PCN. Nobody is
//! named: rooms and sites only, and sessions that cannot be housed are counted, not listed.
use super::{PackScope, Part};
use crate::App;
use crate::access::{Actor, Tenant};
use crate::error::AppResult;
use crate::estates::EstatesSummary;
use crate::pdf::flow::{Chart, ChartKind, Column, Flow, Series, Table};
use chrono::NaiveDate;
use domain::estates::{PeriodForm, RoomUse, percent_text};
use import::{Cell, Sheet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Days in the period of room use: twelve weeks to the snapshot's day.
const PERIOD_DAYS: u64 = 84;

/// The scope itself (a practice's or PCN's pack), or one PCN of an ICS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomsUnit {
    pub code: String,
    pub name: String,
    pub rooms: usize,
    pub room_use: RoomUse,
    pub threshold: u32,
    pub flagged: usize,
    /// Room-sessions a week the team in post cannot be housed in.
    pub short_in_post: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomsSite {
    pub practice: String,
    pub site: String,
    pub rooms: usize,
    pub room_use: RoomUse,
    pub flagged: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlaggedRoom {
    pub site: String,
    pub room: String,
    pub room_use: RoomUse,
}

/// Sessions a week without a room, counted by site and room kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnhousedCount {
    pub site: String,
    pub room_kind: String,
    pub sessions: u32,
    /// Other sites with a room of the kind free in at least one of those sessions.
    pub free_elsewhere: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomsSection {
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// "PCN" when `units` lists an ICS's PCNs; empty otherwise.
    pub unit_kind: String,
    pub units: Vec<RoomsUnit>,
    /// A practice's or PCN's sites (empty for an ICS).
    pub sites: Vec<RoomsSite>,
    pub flagged: Vec<FlaggedRoom>,
    pub unhoused: Vec<UnhousedCount>,
}

fn unit(code: &str, name: &str, s: &EstatesSummary) -> RoomsUnit {
    RoomsUnit {
        code: code.to_string(),
        name: name.to_string(),
        rooms: s.sites.iter().map(|x| x.rooms.len()).sum(),
        room_use: s.total,
        threshold: s.threshold,
        flagged: s.flagged().len(),
        short_in_post: s.shortfall.short_in_post,
    }
}

/// The unhoused sessions of the team in post, counted by site and room kind.
fn count_unhoused(s: &EstatesSummary) -> Vec<UnhousedCount> {
    let mut counts: BTreeMap<(String, String), (u32, Vec<String>)> = BTreeMap::new();
    for u in s.shortfall.unhoused.iter().filter(|u| !u.planned) {
        let entry = counts
            .entry((u.site.clone(), u.room_kind.clone()))
            .or_default();
        entry.0 += 1;
        entry.1.extend(u.free_elsewhere.iter().cloned());
    }
    counts
        .into_iter()
        .map(|((site, room_kind), (sessions, mut free))| {
            free.sort();
            free.dedup();
            UnhousedCount {
                site,
                room_kind,
                sessions,
                free_elsewhere: free,
            }
        })
        .collect()
}

pub(crate) async fn gather(
    app: &App,
    actor: &Actor,
    scope: PackScope<'_>,
    scope_name: &str,
    today: NaiveDate,
) -> AppResult<RoomsSection> {
    let from = today - chrono::Days::new(PERIOD_DAYS - 1);
    let period = PeriodForm {
        from: from.to_string(),
        to: today.to_string(),
    };
    let mut section = RoomsSection {
        period_from: from,
        period_to: today,
        unit_kind: String::new(),
        units: Vec::new(),
        sites: Vec::new(),
        flagged: Vec::new(),
        unhoused: Vec::new(),
    };
    let single = match scope {
        PackScope::Practice(ods) => Some(Tenant::Practice(ods)),
        PackScope::Pcn(code) => Some(Tenant::Pcn(code)),
        PackScope::Ics(_) => None,
    };
    if let Some(tenant) = single {
        let s = app
            .estates()
            .estates_summary(actor, tenant, &period, &[])
            .await?;
        section.units.push(unit(scope.code(), scope_name, &s));
        section.sites = s
            .sites
            .iter()
            .map(|x| RoomsSite {
                practice: x.practice_name.clone(),
                site: x.site.site.name.clone(),
                rooms: x.rooms.len(),
                room_use: x.total,
                flagged: x.rooms.iter().filter(|r| r.flagged).count(),
            })
            .collect();
        section.flagged = s
            .flagged()
            .into_iter()
            .map(|(site, room)| FlaggedRoom {
                site: site.site.site.name.clone(),
                room: room.name.clone(),
                room_use: room.total,
            })
            .collect();
        section.unhoused = count_unhoused(&s);
        return Ok(section);
    }
    let pcns = {
        let mut conn = app.store().conn().await?;
        store::organisations::list_pcns(&mut conn, Some(scope.code())).await?
    };
    section.unit_kind = "PCN".into();
    for pcn in pcns {
        let s = app
            .estates()
            .estates_summary(actor, Tenant::Pcn(&pcn.code), &period, &[])
            .await?;
        section.units.push(unit(&pcn.code, &pcn.name, &s));
    }
    Ok(section)
}

fn long(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// "312 of 480 (65 %)".
fn share(part: u32, whole: u32) -> String {
    format!(
        "{part} of {whole} ({})",
        percent_text(domain::estates::percent(part, whole))
    )
}

impl RoomsSection {
    /// A line a practice or PCN.
    fn units_table(&self) -> Table {
        Table {
            columns: vec![
                Column::text(&self.unit_kind, 3.2),
                Column::number("Rooms", 1.0),
                Column::number("Used", 1.3),
                Column::number("Booked", 1.3),
                Column::number("Rooms flagged", 1.4),
                Column::number("Room-sessions a week short", 1.9),
            ],
            rows: self
                .units
                .iter()
                .map(|u| {
                    vec![
                        format!("{} ({})", u.name, u.code),
                        u.rooms.to_string(),
                        percent_text(u.room_use.used_percent()),
                        percent_text(u.room_use.booked_percent()),
                        u.flagged.to_string(),
                        u.short_in_post.to_string(),
                    ]
                })
                .collect(),
        }
    }

    /// A line a site.
    fn sites_table(&self) -> Table {
        Table {
            columns: vec![
                Column::text("Site", 3.0),
                Column::text("Practice", 2.6),
                Column::number("Rooms", 1.0),
                Column::number("Used", 1.1),
                Column::number("Booked", 1.1),
                Column::number("Rooms flagged", 1.3),
            ],
            rows: self
                .sites
                .iter()
                .map(|s| {
                    vec![
                        s.site.clone(),
                        s.practice.clone(),
                        s.rooms.to_string(),
                        percent_text(s.room_use.used_percent()),
                        percent_text(s.room_use.booked_percent()),
                        s.flagged.to_string(),
                    ]
                })
                .collect(),
        }
    }

    /// The share of open room-sessions used and booked, a bar a site (else a unit).
    fn use_chart(&self) -> Chart {
        let (labels, used, booked): (Vec<String>, Vec<f64>, Vec<f64>) = if self.sites.is_empty() {
            (
                self.units.iter().map(|u| u.name.clone()).collect(),
                self.units
                    .iter()
                    .map(|u| pc(u.room_use.used_percent()))
                    .collect(),
                self.units
                    .iter()
                    .map(|u| pc(u.room_use.booked_percent()))
                    .collect(),
            )
        } else {
            (
                self.sites.iter().map(|s| s.site.clone()).collect(),
                self.sites
                    .iter()
                    .map(|s| pc(s.room_use.used_percent()))
                    .collect(),
                self.sites
                    .iter()
                    .map(|s| pc(s.room_use.booked_percent()))
                    .collect(),
            )
        };
        Chart {
            title: "Share of open room-sessions used and booked".into(),
            unit: "%".into(),
            kind: ChartKind::Bars,
            categories: labels,
            series: vec![
                Series {
                    name: "Used".into(),
                    values: used,
                },
                Series {
                    name: "Booked".into(),
                    values: booked,
                },
            ],
        }
    }

    /// The rooms used less than the threshold.
    fn flagged_table(&self) -> Table {
        Table {
            columns: vec![
                Column::text("Flagged room", 2.5),
                Column::text("Site", 3.0),
                Column::text("Used", 2.4),
            ],
            rows: self
                .flagged
                .iter()
                .map(|f| {
                    vec![
                        f.room.clone(),
                        f.site.clone(),
                        share(f.room_use.used, f.room_use.open),
                    ]
                })
                .collect(),
        }
    }

    /// The sessions a week the team in post cannot house, by site and room kind.
    fn unhoused_table(&self) -> Table {
        Table {
            columns: vec![
                Column::text("Site", 2.6),
                Column::text("Room kind", 1.6),
                Column::number("Sessions a week without a room", 1.8),
                Column::text("A room of the kind free then at", 3.0),
            ],
            rows: self
                .unhoused
                .iter()
                .map(|u| {
                    vec![
                        u.site.clone(),
                        u.room_kind.clone(),
                        u.sessions.to_string(),
                        if u.free_elsewhere.is_empty() {
                            "no other site".into()
                        } else {
                            u.free_elsewhere.join(", ")
                        },
                    ]
                })
                .collect(),
        }
    }

    fn overall(&self) -> (RoomUse, usize, u32) {
        let mut total = RoomUse::default();
        for u in &self.units {
            total.add(&u.room_use);
        }
        (
            total,
            self.units.iter().map(|u| u.flagged).sum(),
            self.units.iter().map(|u| u.short_in_post).sum(),
        )
    }

    fn threshold_words(&self) -> String {
        let mut t: Vec<u32> = self.units.iter().map(|u| u.threshold).collect();
        t.sort();
        t.dedup();
        match t.as_slice() {
            [one] => format!("{one} %"),
            _ => "each PCN's threshold".into(),
        }
    }
}

impl Part for RoomsSection {
    fn pdf(&self, flow: &mut Flow) {
        flow.heading("Room use and shortfall");
        let (total, flagged, short) = self.overall();
        let rooms: usize = self.units.iter().map(|u| u.rooms).sum();
        if rooms == 0 {
            flow.paragraph(
                "No rooms are recorded at these sites, so room use and shortfall cannot be shown.",
            );
            return;
        }
        flow.paragraph(&format!(
            "Room use over the twelve weeks from {} to {}, across {rooms} rooms: {} open room-sessions used, {} booked. Rooms used in less than {} of their open sessions are flagged: {flagged}. With the team in post, {short} room-sessions a week cannot be housed (a typical week, placed as evenly as the rooms allow, so the best case).",
            long(self.period_from),
            long(self.period_to),
            share(total.used, total.open),
            share(total.booked, total.open),
            self.threshold_words(),
        ));
        if !self.units.is_empty() && !self.unit_kind.is_empty() {
            flow.table(&self.units_table());
        }
        if !self.sites.is_empty() {
            flow.table(&self.sites_table());
        }
        flow.chart(&self.use_chart());
        if !self.flagged.is_empty() {
            flow.table(&self.flagged_table());
        }
        if !self.unhoused.is_empty() {
            flow.table(&self.unhoused_table());
        }
        flow.note("Used: booked sessions marked used, out of the sessions the site is open; booked: given to someone in a published rota or booked ad hoc. The shortfall places each clinician's sessions a week in the rooms of their kind (consulting, treatment, phlebotomy).");
    }

    fn sheets(&self) -> Vec<Sheet> {
        let n = |x: u32| Cell::Number(f64::from(x));
        let pct = |v: Option<f64>| v.map_or_else(|| Cell::Text("none open".into()), Cell::Number);
        let header = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut sheets = vec![Sheet {
            name: "Rooms".into(),
            header: header(&[
                "From",
                "To",
                "Code",
                "Name",
                "Site",
                "Rooms",
                "Open sessions",
                "Booked",
                "Used",
                "Not used",
                "Used %",
                "Booked %",
                "Threshold %",
                "Rooms flagged",
                "Room-sessions a week short",
            ]),
            rows: Vec::new(),
        }];
        let dates = [
            Cell::Text(self.period_from.to_string()),
            Cell::Text(self.period_to.to_string()),
        ];
        for u in &self.units {
            let mut row = dates.to_vec();
            row.extend([
                Cell::Text(u.code.clone()),
                Cell::Text(u.name.clone()),
                Cell::Text("All sites".into()),
                Cell::Number(u.rooms as f64),
                n(u.room_use.open),
                n(u.room_use.booked),
                n(u.room_use.used),
                n(u.room_use.not_used),
                pct(u.room_use.used_percent()),
                pct(u.room_use.booked_percent()),
                n(u.threshold),
                Cell::Number(u.flagged as f64),
                n(u.short_in_post),
            ]);
            sheets[0].rows.push(row);
        }
        for s in &self.sites {
            let mut row = dates.to_vec();
            row.extend([
                Cell::Text(String::new()),
                Cell::Text(s.practice.clone()),
                Cell::Text(s.site.clone()),
                Cell::Number(s.rooms as f64),
                n(s.room_use.open),
                n(s.room_use.booked),
                n(s.room_use.used),
                n(s.room_use.not_used),
                pct(s.room_use.used_percent()),
                pct(s.room_use.booked_percent()),
                Cell::Text(String::new()),
                Cell::Number(s.flagged as f64),
                Cell::Text(String::new()),
            ]);
            sheets[0].rows.push(row);
        }
        if !self.flagged.is_empty() {
            sheets.push(Sheet {
                name: "Rooms flagged".into(),
                header: header(&["Site", "Room", "Open sessions", "Used", "Used %"]),
                rows: self
                    .flagged
                    .iter()
                    .map(|f| {
                        vec![
                            Cell::Text(f.site.clone()),
                            Cell::Text(f.room.clone()),
                            n(f.room_use.open),
                            n(f.room_use.used),
                            pct(f.room_use.used_percent()),
                        ]
                    })
                    .collect(),
            });
        }
        if !self.unhoused.is_empty() {
            sheets.push(Sheet {
                name: "Room shortfall".into(),
                header: header(&[
                    "Site",
                    "Room kind",
                    "Sessions a week without a room",
                    "A room of the kind free then at",
                ]),
                rows: self
                    .unhoused
                    .iter()
                    .map(|u| {
                        vec![
                            Cell::Text(u.site.clone()),
                            Cell::Text(u.room_kind.clone()),
                            n(u.sessions),
                            Cell::Text(u.free_elsewhere.join(", ")),
                        ]
                    })
                    .collect(),
            });
        }
        sheets
    }
}

/// A percentage for a chart (0 with no open session).
fn pc(value: Option<f64>) -> f64 {
    value.map_or(0.0, |p| (p * 10.0).round() / 10.0)
}
