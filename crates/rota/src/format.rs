//! Readers and writers for the shift-scheduling benchmark (see FORMAT.md of the data set):
//! the instance format, and the roster format (one line per person in `SECTION_STAFF`
//! order, one tab-separated cell per day holding a shift id or nothing for a day off).
use crate::model::{Cover, Problem, Request, Roster, ShiftType, StaffMember, UNLIMITED};
use std::collections::BTreeMap;
use std::fmt;

/// A problem in a file, with the 1-based line it was found on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}: {}: {}", self.line, self.field, self.message)
        }
    }
}

/// Characters of a file's text quoted in a message at most.
const SHOWN_CHARS: usize = 40;

/// Text from the file as a message quotes it: cut after `SHOWN_CHARS` characters, control
/// characters as `?`, so a message stays short and on one line whatever the file holds.
fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(SHOWN_CHARS)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(SHOWN_CHARS).is_some() {
        out.push('…');
    }
    out
}

fn err(line: usize, field: &str, message: impl Into<String>) -> ParseError {
    let message: String = message.into();
    ParseError {
        line,
        field: shown(field),
        // Every quote is already cut; this bounds a message quoting several.
        message: message.chars().take(400).collect(),
    }
}

/// A record's fields: split at commas, each trimmed, and the empty fields after the last
/// value dropped down to `needed` (a trailing separator, `D,480,`, leaves an empty last field
/// the record's grammar may allow).
fn fields(line: &str, needed: usize) -> Vec<&str> {
    let mut fields: Vec<&str> = line.split(',').map(str::trim).collect();
    while fields.len() > needed && fields.last() == Some(&"") {
        fields.pop();
    }
    fields
}

fn number(line: usize, field: &str, text: &str) -> Result<u32, ParseError> {
    let text = text.trim();
    if text.starts_with('-') {
        return Err(err(
            line,
            field,
            format!(
                "'{}' is negative: numbers are non-negative integers",
                shown(text)
            ),
        ));
    }
    text.parse::<u32>().map_err(|_| {
        err(
            line,
            field,
            format!("'{}' is not a non-negative integer", shown(text)),
        )
    })
}

const SECTIONS: [&str; 7] = [
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
];

/// Reads an instance of the benchmark. Every error names the line and field.
///
/// The reader takes every file the format allows, and a little more: LF or CRLF line ends,
/// a byte-order mark, comment and blank lines anywhere, spaces or tabs around a field,
/// trailing separators on any record (`A,2,D,2,`, `D,480`, `E=14|L=0|`), numbers with
/// leading zeros, and the sections in any order.
pub fn read_instance(text: &str) -> Result<Problem, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    let mut current: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r').trim();
        let n = i + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with("SECTION_") {
            let line = line.trim_end_matches(|c: char| c == ',' || c.is_whitespace());
            if !SECTIONS.contains(&line) {
                return Err(err(
                    n,
                    "section",
                    format!("unknown section {}", shown(line)),
                ));
            }
            if sections.contains_key(line) {
                return Err(err(n, "section", format!("{} appears twice", shown(line))));
            }
            sections.insert(
                SECTIONS.iter().find(|s| **s == line).expect("known"),
                Vec::new(),
            );
            current = Some(SECTIONS.iter().find(|s| **s == line).expect("known"));
            continue;
        }
        match current {
            Some(section) => sections.get_mut(section).expect("opened").push((n, line)),
            None => return Err(err(n, "", "data before the first SECTION_ line")),
        }
    }
    for section in SECTIONS {
        if !sections.contains_key(section) {
            return Err(err(0, "", format!("the file has no {section}")));
        }
    }

    let horizon = &sections["SECTION_HORIZON"];
    let Some(&(hline, htext)) = horizon.first() else {
        return Err(err(0, "", "SECTION_HORIZON is empty"));
    };
    if horizon.len() > 1 {
        return Err(err(
            horizon[1].0,
            "horizon",
            "SECTION_HORIZON has more than one line",
        ));
    }
    let days = match fields(htext, 1)[..] {
        [h] => number(hline, "horizon", h)? as usize,
        _ => return Err(err(hline, "horizon", "expected one number, the days")),
    };
    if days == 0 || !days.is_multiple_of(7) {
        return Err(err(
            hline,
            "horizon",
            format!("{days} days is not a positive multiple of 7"),
        ));
    }

    let mut shifts = Vec::new();
    let mut forbidden_text = Vec::new();
    for &(n, line) in &sections["SECTION_SHIFTS"] {
        let mut fields = fields(line, 3);
        // An empty ForbiddenNext may be written without its comma: `D,480`.
        if fields.len() == 2 {
            fields.push("");
        }
        if fields.len() != 3 {
            return Err(err(
                n,
                "shift",
                format!(
                    "expected ShiftID,LengthMins,ForbiddenNext (3 fields), found {}",
                    fields.len()
                ),
            ));
        }
        let id = fields[0].trim();
        if id.is_empty() {
            return Err(err(n, "ShiftID", "empty shift id"));
        }
        if shifts.iter().any(|s: &ShiftType| s.id == id) {
            return Err(err(
                n,
                "ShiftID",
                format!("shift {} is defined twice", shown(id)),
            ));
        }
        let minutes = number(n, "LengthMins", fields[1])?;
        shifts.push(ShiftType {
            id: id.to_string(),
            minutes,
            forbidden_next: Vec::new(),
            start_minute: 0,
            site: 0,
            skill: None,
            closed_days: Vec::new(),
        });
        forbidden_text.push((n, fields[2].trim()));
    }
    if shifts.is_empty() {
        return Err(err(0, "", "SECTION_SHIFTS has no shifts"));
    }
    if shifts.len() >= crate::model::OFF as usize {
        return Err(err(0, "", "too many shift types"));
    }
    let shift_of = |n: usize, field: &str, id: &str, shifts: &[ShiftType]| {
        shifts
            .iter()
            .position(|s| s.id == id.trim())
            .ok_or_else(|| err(n, field, format!("unknown shift id '{}'", shown(id.trim()))))
    };
    for (i, (n, text)) in forbidden_text.iter().enumerate() {
        let mut next = Vec::new();
        for id in text.split('|').filter(|t| !t.trim().is_empty()) {
            next.push(shift_of(*n, "ForbiddenNext", id, &shifts)?);
        }
        shifts[i].forbidden_next = next;
    }

    let mut staff: Vec<StaffMember> = Vec::new();
    for &(n, line) in &sections["SECTION_STAFF"] {
        let fields = fields(line, 8);
        if fields.len() != 8 {
            return Err(err(
                n,
                "staff",
                format!(
                    "expected 8 fields (ID,MaxShifts,MaxTotalMinutes,MinTotalMinutes,MaxConsecutiveShifts,MinConsecutiveShifts,MinConsecutiveDaysOff,MaxWeekends), found {}",
                    fields.len()
                ),
            ));
        }
        let id = fields[0].trim();
        if id.is_empty() {
            return Err(err(n, "ID", "empty staff id"));
        }
        if staff.iter().any(|s| s.id == id) {
            return Err(err(
                n,
                "ID",
                format!("staff id {} appears twice", shown(id)),
            ));
        }
        let mut max_shifts = vec![UNLIMITED; shifts.len()];
        for item in fields[1].split('|').filter(|t| !t.trim().is_empty()) {
            let (sid, count) = item.split_once('=').ok_or_else(|| {
                err(
                    n,
                    "MaxShifts",
                    format!("'{}' is not ShiftID=n", shown(item)),
                )
            })?;
            max_shifts[shift_of(n, "MaxShifts", sid, &shifts)?] = number(n, "MaxShifts", count)?;
        }
        let max_minutes = number(n, "MaxTotalMinutes", fields[2])?;
        let min_minutes = number(n, "MinTotalMinutes", fields[3])?;
        if min_minutes > max_minutes {
            return Err(err(
                n,
                "MinTotalMinutes",
                format!("{min_minutes} is more than MaxTotalMinutes {max_minutes}"),
            ));
        }
        staff.push(StaffMember {
            id: id.to_string(),
            max_shifts,
            max_minutes,
            min_minutes,
            max_consecutive: number(n, "MaxConsecutiveShifts", fields[4])?,
            min_consecutive: number(n, "MinConsecutiveShifts", fields[5])?,
            min_days_off: number(n, "MinConsecutiveDaysOff", fields[6])?,
            max_weekends: number(n, "MaxWeekends", fields[7])?,
            days_off: vec![false; days],
            skills: 0,
            min_rest_minutes: 0,
        });
    }
    if staff.is_empty() {
        return Err(err(0, "", "SECTION_STAFF has no staff"));
    }
    let staff_of = |n: usize, id: &str, staff: &[StaffMember]| {
        staff.iter().position(|s| s.id == id.trim()).ok_or_else(|| {
            err(
                n,
                "EmployeeID",
                format!("unknown staff id '{}'", shown(id.trim())),
            )
        })
    };
    let day_of = |n: usize, field: &str, text: &str| -> Result<usize, ParseError> {
        let d = number(n, field, text)? as usize;
        if d >= days {
            return Err(err(
                n,
                field,
                format!(
                    "day {d} is outside the horizon of {days} days (0 to {})",
                    days - 1
                ),
            ));
        }
        Ok(d)
    };

    for &(n, line) in &sections["SECTION_DAYS_OFF"] {
        let mut fields = line.split(',');
        let e = staff_of(n, fields.next().unwrap_or_default(), &staff)?;
        for d in fields.filter(|t| !t.trim().is_empty()) {
            let d = day_of(n, "DayIndexes", d)?;
            staff[e].days_off[d] = true;
        }
    }

    let read_requests =
        |section: &str, staff: &[StaffMember]| -> Result<Vec<Request>, ParseError> {
            let mut out = Vec::new();
            for &(n, line) in &sections[section] {
                let fields = fields(line, 4);
                if fields.len() != 4 {
                    return Err(err(
                        n,
                        "request",
                        format!(
                            "expected EmployeeID,Day,ShiftID,Weight, found {} fields",
                            fields.len()
                        ),
                    ));
                }
                out.push(Request {
                    staff: staff_of(n, fields[0], staff)?,
                    day: day_of(n, "Day", fields[1])?,
                    shift: shift_of(n, "ShiftID", fields[2], &shifts)?,
                    weight: number(n, "Weight", fields[3])?,
                });
            }
            Ok(out)
        };
    let on_requests = read_requests("SECTION_SHIFT_ON_REQUESTS", &staff)?;
    let off_requests = read_requests("SECTION_SHIFT_OFF_REQUESTS", &staff)?;

    // The benchmark names one shift type per cover row; `A|B` (this crate's extension, as in
    // the forbidden successions) names a cover over a set of types.
    let mut cover = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for &(n, line) in &sections["SECTION_COVER"] {
        let fields = fields(line, 5);
        if fields.len() != 5 {
            return Err(err(
                n,
                "cover",
                format!(
                    "expected Day,ShiftID,Requirement,WeightUnder,WeightOver, found {} fields",
                    fields.len()
                ),
            ));
        }
        let day = day_of(n, "Day", fields[0])?;
        let mut set = Vec::new();
        for id in fields[1].split('|').filter(|t| !t.trim().is_empty()) {
            set.push(shift_of(n, "ShiftID", id, &shifts)?);
        }
        if set.is_empty() {
            return Err(err(n, "ShiftID", "empty shift id"));
        }
        set.sort_unstable();
        set.dedup();
        if !seen.insert((day, set.clone())) {
            return Err(err(
                n,
                "cover",
                format!(
                    "day {day} shift {} has two cover rows",
                    shown(fields[1].trim())
                ),
            ));
        }
        cover.push(Cover {
            day,
            shifts: set,
            requirement: number(n, "Requirement", fields[2])?,
            weight_under: number(n, "WeightUnder", fields[3])?,
            weight_over: number(n, "WeightOver", fields[4])?,
            skill: None,
        });
    }
    Ok(Problem {
        days,
        shifts,
        staff,
        on_requests,
        off_requests,
        cover,
        rooms: Vec::new(),
        locks: Vec::new(),
        required: Vec::new(),
        unavailable: Vec::new(),
        fair_shares: Vec::new(),
        window_limits: Vec::new(),
        work_requests: Vec::new(),
    })
}

/// Writes a roster: one line per person, one tab-separated cell per day.
pub fn write_roster(problem: &Problem, roster: &Roster) -> String {
    let mut out = String::new();
    for e in 0..problem.staff.len() {
        let cells: Vec<&str> = (0..problem.days)
            .map(|d| {
                roster
                    .get(e, d)
                    .map_or("", |s| problem.shifts[s].id.as_str())
            })
            .collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
    out
}

/// Reads a roster written in the same format (also accepts `-` for a day off and spaces
/// between cells, as the fixture in FORMAT.md is printed).
pub fn read_roster(problem: &Problem, text: &str) -> Result<Roster, ParseError> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    if lines.len() != problem.staff.len() {
        return Err(err(
            0,
            "",
            format!(
                "expected {} lines (one per person), found {}",
                problem.staff.len(),
                lines.len()
            ),
        ));
    }
    let mut roster = Roster::empty(problem.staff.len(), problem.days);
    for (e, (n, line)) in lines.into_iter().enumerate() {
        let body = line.split_once(": ").map_or(line, |(_, rest)| rest);
        let cells: Vec<&str> = if body.contains('\t') {
            body.split('\t').collect()
        } else {
            body.split_whitespace().collect()
        };
        if cells.len() != problem.days {
            return Err(err(
                n,
                &problem.staff[e].id,
                format!("expected {} cells, found {}", problem.days, cells.len()),
            ));
        }
        for (d, cell) in cells.iter().enumerate() {
            let cell = cell.trim();
            if cell.is_empty() || cell == "-" {
                continue;
            }
            let s = problem.shift_index(cell).ok_or_else(|| {
                err(
                    n,
                    &problem.staff[e].id,
                    format!("day {d}: unknown shift id '{}'", shown(cell)),
                )
            })?;
            roster.set(e, d, Some(s));
        }
    }
    Ok(roster)
}

/// Writes a problem in the instance format (the benchmark's fields only, and covers over a
/// set of shift types as `A|B`; rooms, locks, skills, required sessions, barred types, work
/// requests and fair shares are left out).
pub fn write_instance(problem: &Problem) -> String {
    let mut out = String::from("# Written by gpteam's rota crate\nSECTION_HORIZON\n");
    out.push_str(&format!("{}\n\nSECTION_SHIFTS\n", problem.days));
    for s in &problem.shifts {
        let next: Vec<&str> = s
            .forbidden_next
            .iter()
            .map(|&t| problem.shifts[t].id.as_str())
            .collect();
        out.push_str(&format!("{},{},{}\n", s.id, s.minutes, next.join("|")));
    }
    out.push_str("\nSECTION_STAFF\n");
    for m in &problem.staff {
        let max: Vec<String> = problem
            .shifts
            .iter()
            .enumerate()
            .map(|(i, s)| {
                format!(
                    "{}={}",
                    s.id,
                    if m.max_shifts[i] == UNLIMITED {
                        problem.days as u32
                    } else {
                        m.max_shifts[i]
                    }
                )
            })
            .collect();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            m.id,
            max.join("|"),
            m.max_minutes,
            m.min_minutes,
            m.max_consecutive,
            m.min_consecutive,
            m.min_days_off,
            m.max_weekends
        ));
    }
    out.push_str("\nSECTION_DAYS_OFF\n");
    for m in &problem.staff {
        let days: Vec<String> = m
            .days_off
            .iter()
            .enumerate()
            .filter(|(_, off)| **off)
            .map(|(d, _)| d.to_string())
            .collect();
        if !days.is_empty() {
            out.push_str(&format!("{},{}\n", m.id, days.join(",")));
        }
    }
    for (title, requests) in [
        ("SECTION_SHIFT_ON_REQUESTS", &problem.on_requests),
        ("SECTION_SHIFT_OFF_REQUESTS", &problem.off_requests),
    ] {
        out.push_str(&format!("\n{title}\n"));
        for r in requests {
            out.push_str(&format!(
                "{},{},{},{}\n",
                problem.staff[r.staff].id, r.day, problem.shifts[r.shift].id, r.weight
            ));
        }
    }
    out.push_str("\nSECTION_COVER\n");
    for c in &problem.cover {
        let ids: Vec<&str> = c
            .shifts
            .iter()
            .map(|&s| problem.shifts[s].id.as_str())
            .collect();
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            c.day,
            ids.join("|"),
            c.requirement,
            c.weight_under,
            c.weight_over
        ));
    }
    out
}
