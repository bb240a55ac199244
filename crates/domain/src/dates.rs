//! Dates as people and spreadsheets write them in England: ISO `2027-01-04`, day first
//! `04/01/2027` (also `4/1/2027`, `04-01-2027`, `04.01.2027`) and with the month's name
//! (`4 January 2027`, `4 Jan 2027`, `04-Jan-2027`). A date is never read month first:
//! `04/01/2027` is 4 January 2027. A two-digit year is refused rather than guessed (a start
//! date of `01/04/98` could be 1998 or 2098), and an impossible date is named as such.
//! See docs/design/imports.md.
use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// An example of each accepted form, for messages.
pub const DATE_FORMS: &str = "dd/mm/yyyy (04/01/2027) or yyyy-mm-dd (2027-01-04)";

/// Reads a day in any of the forms above. The error is a sentence about `text` (quoted),
/// without the field's name.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let shown = shown(text);
    let bare = strip_midnight(text);
    let parts: Vec<&str> = bare
        .split(['/', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let not_a_date = || format!("'{shown}' is not a date: write it as {DATE_FORMS}");
    let [a, b, c] = parts[..] else {
        return Err(not_a_date());
    };
    let number = |p: &str| {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    let (year_text, month, day_text) = if a.len() == 4 && number(a).is_some() {
        // ISO: year, month, day.
        (a, number(b).ok_or_else(not_a_date)?, c)
    } else {
        let month = match number(b) {
            Some(m) => m,
            None => month_named(b).ok_or_else(not_a_date)?,
        };
        (c, month, a)
    };
    let (Some(year), Some(day)) = (number(year_text), number(day_text)) else {
        return Err(not_a_date());
    };
    if day_text.len() > 2 {
        return Err(not_a_date());
    }
    if year_text.len() != 4 {
        let example = format!("{day:02}/{month:02}/20{year:02}");
        return Err(if year_text.len() == 2 {
            format!("'{shown}' has a two-digit year: write the year in full, as in {example}")
        } else {
            not_a_date()
        });
    }
    if !(1..=12).contains(&month) {
        return Err(format!(
            "'{shown}' is not a date: there is no month {month} (dates are read day first, as dd/mm/yyyy)"
        ));
    }
    if year < 1000 {
        return Err(not_a_date());
    }
    let year = year as i32;
    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        let days = days_in_month(year, month);
        let name = MONTHS[month as usize - 1];
        format!("'{shown}' is not a real date: {name} {year} has {days} days")
    })
}

/// The text for a message: at most 40 characters, control characters as `?`.
fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(40).is_some() {
        out.push('…');
    }
    out
}

/// Takes off a time of midnight, as spreadsheets add to a date (`04/01/2027 00:00`,
/// `2027-01-04T00:00:00`); any other time stays and makes the text not a date.
fn strip_midnight(text: &str) -> &str {
    for cut in [" ", "T"] {
        if let Some((date, time)) = text.rsplit_once(cut) {
            let zero = time.trim().trim_end_matches(".000");
            if zero == "00:00" || zero == "00:00:00" {
                return date.trim_end();
            }
        }
    }
    text
}

/// A month by its English name or an abbreviation of at least three letters (`Sept`).
fn month_named(text: &str) -> Option<u32> {
    let wanted = text.trim_end_matches('.').to_ascii_lowercase();
    if wanted.len() < 3 || !wanted.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.to_ascii_lowercase().starts_with(&wanted))
        .map(|i| i as u32 + 1)
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("a valid month");
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("a valid month");
    next.signed_duration_since(first).num_days() as u32
}

/// The day Excel numbers `serial` (its 1900 date system, which Windows Excel and most
/// exports use): 1 is 1 January 1900, and 60 is the 29 February 1900 Excel believes in.
/// A time of day (the fraction) is dropped. `None` for a serial that is not a day.
pub fn excel_serial_day(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let whole = serial.floor() as i64;
    let base = if whole < 60 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else if whole == 60 {
        return None;
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let day = base.checked_add_days(chrono::Days::new(whole as u64))?;
    (day.year() <= 9999).then_some(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_written_form_of_4_january_2027_is_read_day_first() {
        for text in [
            "2027-01-04",
            "2027-1-4",
            "04/01/2027",
            "4/1/2027",
            " 04/01/2027 ",
            "04-01-2027",
            "04.01.2027",
            "4 January 2027",
            "4 Jan 2027",
            "04-Jan-2027",
            "4 JAN. 2027",
            "04/01/2027 00:00",
            "04/01/2027 00:00:00",
            "2027-01-04T00:00:00",
            "2027-01-04 00:00:00.000",
        ] {
            assert_eq!(parse_day(text), Ok(d(2027, 1, 4)), "{text:?}");
        }
        assert_eq!(parse_day("13/04/2027"), Ok(d(2027, 4, 13)));
        assert_eq!(parse_day("1 Sept 2026"), Ok(d(2026, 9, 1)));
        assert_eq!(parse_day("29/02/2028"), Ok(d(2028, 2, 29)));
    }

    #[test]
    fn a_month_first_date_is_never_guessed() {
        let error = parse_day("04/13/2027").unwrap_err();
        assert_eq!(
            error,
            "'04/13/2027' is not a date: there is no month 13 (dates are read day first, as dd/mm/yyyy)"
        );
    }

    #[test]
    fn impossible_dates_are_named() {
        assert_eq!(
            parse_day("31/02/2027").unwrap_err(),
            "'31/02/2027' is not a real date: February 2027 has 28 days"
        );
        assert_eq!(
            parse_day("2026-04-31").unwrap_err(),
            "'2026-04-31' is not a real date: April 2026 has 30 days"
        );
        assert_eq!(
            parse_day("00/01/2027").unwrap_err(),
            "'00/01/2027' is not a real date: January 2027 has 31 days"
        );
    }

    #[test]
    fn two_digit_years_and_other_text_are_refused() {
        assert_eq!(
            parse_day("04/01/27").unwrap_err(),
            "'04/01/27' has a two-digit year: write the year in full, as in 04/01/2027"
        );
        for text in [
            "",
            "next week",
            "04/01",
            "04/01/2027 09:30",
            "2027/01/04/1",
            "123/01/2027",
            "4 Smarch 2027",
            "0999-01-01",
            "46391",
        ] {
            let error = parse_day(text).unwrap_err();
            assert!(error.contains("is not a date"), "{text:?}: {error}");
        }
    }

    #[test]
    fn excel_serials_are_days_of_the_1900_system() {
        assert_eq!(excel_serial_day(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_day(59.0), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial_day(60.0), None);
        assert_eq!(excel_serial_day(61.0), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_day(46391.0), Some(d(2027, 1, 4)));
        assert_eq!(excel_serial_day(46391.75), Some(d(2027, 1, 4)));
        assert_eq!(excel_serial_day(2_958_465.0), Some(d(9999, 12, 31)));
        for bad in [0.0, -3.0, f64::NAN, f64::INFINITY, 2_958_466.0] {
            assert_eq!(excel_serial_day(bad), None, "{bad}");
        }
    }
}
