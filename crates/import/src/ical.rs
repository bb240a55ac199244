//! A person's rota sessions as an iCalendar feed (RFC 5545), written with the `icalendar`
//! crate. Times are wall-clock times in England, so every event refers to `Europe/London`
//! by `TZID` and the feed carries that time zone's definition (GMT in winter, BST from the
//! last Sunday of March to the last Sunday of October) for clients that have no zone data.
use chrono::{DateTime, NaiveDateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, Property};

/// The time zone every time in the feed is in.
pub const LONDON: &str = "Europe/London";

/// `icalendar` 0.17 has no time-zone component of its own (its `Other` components would be
/// written with a `DTSTAMP` and a random `UID` they must not carry), so the definition is
/// written here once: the United Kingdom's rules since 1996, as published in the IANA
/// time-zone database.
const LONDON_VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/London\r\n\
X-LIC-LOCATION:Europe/London\r\n\
BEGIN:DAYLIGHT\r\n\
TZNAME:BST\r\n\
TZOFFSETFROM:+0000\r\n\
TZOFFSETTO:+0100\r\n\
DTSTART:19810329T010000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZNAME:GMT\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0000\r\n\
DTSTART:19961027T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// One session in someone's calendar.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CalendarEvent {
    /// Stable across publications, so a calendar updates an event rather than adding one.
    pub uid: String,
    pub summary: String,
    pub location: String,
    /// Wall-clock times in England.
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
}

/// Text made fit for a content line: carriage returns, line feeds, tabs and every other
/// control character, and the invisible direction marks and overrides that could make a
/// room or site name read differently, become one space each run; the ends are trimmed.
/// (`icalendar` escapes backslash, `;`, `,` and a line feed, but passes a carriage return
/// through as it is, which splits the line for a strict reader.)
pub fn ical_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        let invisible = matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if c.is_control() || c.is_whitespace() || invisible {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// RFC 5545 TEXT escaping (3.3.11) of text already made fit by `ical_text`, for the
/// calendar's `NAME`, which `icalendar` writes without escaping.
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | ';' | ',') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The feed named `name` with `events`, each stamped `stamp` (when the feed was made).
/// Lines end in CRLF and are folded at 75 octets; text is cleaned by `ical_text` and escaped.
pub fn write_calendar(name: &str, stamp: DateTime<Utc>, events: &[CalendarEvent]) -> String {
    let name = ical_text(name);
    let mut calendar = Calendar::empty();
    calendar
        .append_property(Property::new("VERSION", "2.0"))
        .append_property(Property::new("PRODID", "-//gpteam//rota//EN"))
        .append_property(Property::new("CALSCALE", "GREGORIAN"))
        .append_property(Property::new("METHOD", "PUBLISH"))
        // `icalendar` escapes X-WR-CALNAME but not NAME (RFC 7986), so NAME is escaped here.
        .append_property(Property::new("NAME", escape_text(&name)))
        .append_property(Property::new("X-WR-CALNAME", name.as_str()))
        .timezone(LONDON)
        // Clients that honour it (Outlook, Apple) look for changes hourly.
        .ttl(&chrono::Duration::hours(1));
    let at = |time: NaiveDateTime| CalendarDateTime::WithTimezone {
        date_time: time,
        tzid: LONDON.to_string(),
    };
    for e in events {
        calendar.push(
            icalendar::Event::new()
                .uid(&ical_text(&e.uid))
                .timestamp(stamp)
                .summary(&ical_text(&e.summary))
                .location(&ical_text(&e.location))
                .starts(at(e.starts))
                .ends(at(e.ends))
                .done(),
        );
    }
    let text = calendar.to_string();
    // The time zone goes after the calendar's properties, before its first event.
    let insert_at = text
        .find("BEGIN:VEVENT")
        .or_else(|| text.rfind("END:VCALENDAR"))
        .unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + LONDON_VTIMEZONE.len());
    out.push_str(&text[..insert_at]);
    out.push_str(LONDON_VTIMEZONE);
    out.push_str(&text[insert_at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use icalendar::parser::{read_calendar, unfold};

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    fn events() -> Vec<CalendarEvent> {
        vec![
            CalendarEvent {
                uid: "s1-2026-03-27-am@gpteam".into(),
                summary: "AM session at Riverside Surgery".into(),
                location: "Riverside Surgery, Room 2; upstairs".into(),
                starts: at(2026, 3, 27, 8, 0),
                ends: at(2026, 3, 27, 13, 0),
            },
            // After the clocks go forward: the same wall-clock times, in BST.
            CalendarEvent {
                uid: "s1-2026-03-30-pm@gpteam".into(),
                summary: "PM session at Hill Road".into(),
                location: "Hill Road".into(),
                starts: at(2026, 3, 30, 13, 0),
                ends: at(2026, 3, 30, 18, 30),
            },
        ]
    }

    #[test]
    fn the_feed_is_icalendar_with_london_times_and_its_time_zone() {
        let stamp = DateTime::parse_from_rfc3339("2026-03-20T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let text = write_calendar("Rota: Dr Ada Example", stamp, &events());

        // Every line ends in CRLF and none is longer than 75 octets.
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        for line in text.split("\r\n") {
            assert!(!line.contains('\n'), "{line:?}");
            assert!(line.len() <= 75, "{line:?}");
        }
        assert!(text.contains("DTSTART;TZID=Europe/London:20260327T080000\r\n"));
        assert!(text.contains("DTEND;TZID=Europe/London:20260330T183000\r\n"));
        assert!(text.contains("DTSTAMP:20260320T090000Z\r\n"));
        // Commas and semicolons in text are escaped.
        assert!(
            text.contains("LOCATION:Riverside Surgery\\, Room 2\\; upstairs\r\n"),
            "{text}"
        );

        // It reads back: the time zone first, then one event a session.
        let unfolded = unfold(&text);
        let parsed = read_calendar(&unfolded).unwrap();
        let names: Vec<&str> = parsed.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["VTIMEZONE", "VEVENT", "VEVENT"]);
        let zone = &parsed.components[0];
        assert_eq!(zone.find_prop("TZID").unwrap().val.as_str(), LONDON);
        assert!(zone.find_prop("DTSTAMP").is_none() && zone.find_prop("UID").is_none());
        let rule = |name: &str| {
            let part = zone
                .components
                .iter()
                .find(|c| c.name.as_str() == name)
                .unwrap();
            let prop = |p: &str| part.find_prop(p).unwrap().val.as_str().to_string();
            (
                prop("TZNAME"),
                prop("TZOFFSETFROM"),
                prop("TZOFFSETTO"),
                prop("RRULE"),
            )
        };
        assert_eq!(
            rule("DAYLIGHT"),
            (
                "BST".into(),
                "+0000".into(),
                "+0100".into(),
                "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU".into()
            )
        );
        assert_eq!(
            rule("STANDARD"),
            (
                "GMT".into(),
                "+0100".into(),
                "+0000".into(),
                "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU".into()
            )
        );

        let calendar: Calendar = text.parse().unwrap();
        let read: Vec<_> = calendar.events().collect();
        assert_eq!(read.len(), 2);
        assert_eq!(
            read[0].get_location(),
            Some("Riverside Surgery, Room 2; upstairs")
        );
        assert_eq!(read[1].get_uid(), Some("s1-2026-03-30-pm@gpteam"));
        assert_eq!(
            read[1].get_start(),
            Some(icalendar::DatePerhapsTime::DateTime(
                CalendarDateTime::WithTimezone {
                    date_time: at(2026, 3, 30, 13, 0),
                    tzid: LONDON.into()
                }
            ))
        );
        assert_eq!(calendar.get_name(), Some("Rota: Dr Ada Example"));
    }

    #[test]
    fn names_with_line_breaks_semicolons_and_commas_cannot_break_the_feed() {
        let stamp = Utc::now();
        let site = "Riverside\r\nSurgery; Room 2,\rEND:VEVENT\nBEGIN:VEVENT\u{202E}\\x";
        let long = format!("{site} {}", "Long site name ".repeat(10));
        let text = write_calendar(
            "Rota: Ada\r\nX-INJECTED:1; Example, Dr",
            stamp,
            &[CalendarEvent {
                uid: "s1\r\n@gpteam".into(),
                summary: format!("AM session at {site}"),
                location: long.clone(),
                starts: at(2026, 3, 27, 8, 0),
                ends: at(2026, 3, 27, 13, 0),
            }],
        );
        // No bare CR or LF: every line break is a CRLF, and every line fits 75 octets.
        assert!(!text.replace("\r\n", "").contains(['\r', '\n']), "{text:?}");
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
            assert!(!line.starts_with("X-INJECTED"), "{text}");
            assert!(
                !line.starts_with("END:VEVENT") || line == "END:VEVENT",
                "{text}"
            );
        }
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(), 1);
        assert_eq!(lines.iter().filter(|l| **l == "END:VEVENT").count(), 1);
        assert!(
            unfold(&text).contains(
                "LOCATION:Riverside Surgery\\; Room 2\\, END:VEVENT BEGIN:VEVENT \\\\x Long"
            ),
            "{text}"
        );
        for key in ["NAME", "X-WR-CALNAME"] {
            assert!(
                text.contains(&format!(
                    "\r\n{key}:Rota: Ada X-INJECTED:1\\; Example\\, Dr\r\n"
                )),
                "{text}"
            );
        }
        // It reads back as the cleaned text.
        let calendar: Calendar = text.parse().unwrap();
        let event = calendar.events().next().unwrap();
        assert_eq!(
            event.get_summary(),
            Some("AM session at Riverside Surgery; Room 2, END:VEVENT BEGIN:VEVENT \\x")
        );
        assert_eq!(event.get_location(), Some(ical_text(&long).as_str()));
        assert_eq!(event.get_uid(), Some("s1 @gpteam"));
        // `icalendar` reads NAME back without unescaping it (as it writes it without escaping).
        assert_eq!(
            calendar.get_name(),
            Some("Rota: Ada X-INJECTED:1\\; Example\\, Dr")
        );
    }

    #[test]
    fn ical_text_turns_controls_and_direction_overrides_into_spaces() {
        assert_eq!(ical_text("  a\r\n\tb\u{7}c\u{202E}d\u{2066} "), "a b c d");
        assert_eq!(
            ical_text("Room 2; upstairs, left"),
            "Room 2; upstairs, left"
        );
    }

    #[test]
    fn an_empty_feed_still_defines_its_time_zone() {
        let text = write_calendar("Rota", Utc::now(), &[]);
        let unfolded = unfold(&text);
        let parsed = read_calendar(&unfolded).unwrap();
        assert_eq!(parsed.components.len(), 1);
        assert_eq!(parsed.components[0].name.as_str(), "VTIMEZONE");
    }
}
