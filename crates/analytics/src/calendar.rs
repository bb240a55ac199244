//! The working-day calendar of England and Wales: bank holidays computed from their rules,
//! the moved and one-off holidays by proclamation, and calendar months.
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A calendar month, ordered in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    /// 1 = January.
    pub month: u32,
}

const MONTH_ABBREVIATIONS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        ((1..=12).contains(&month) && (1900..=2200).contains(&year))
            .then_some(Month { year, month })
    }

    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// GPAD's `MMMYYYY`, e.g. `MAR2019`.
    pub fn parse_gpad(text: &str) -> Option<Month> {
        let text = text.trim();
        if text.len() != 7 || !text.is_ascii() {
            return None;
        }
        let (name, year) = text.split_at(3);
        let month = MONTH_ABBREVIATIONS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(name))?;
        let year: i32 = year.parse().ok()?;
        Month::new(year, month as u32 + 1)
    }

    /// `YYYY-MM`.
    pub fn parse_iso(text: &str) -> Option<Month> {
        let (year, month) = text.trim().split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        Month::new(year.parse().ok()?, month.parse().ok()?)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.plus(1).first_day() - Duration::days(1)
    }

    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        let last = self.last_day();
        self.first_day().iter_days().take_while(move |d| *d <= last)
    }

    pub fn plus(self, months: i32) -> Month {
        let index = self.year * 12 + self.month as i32 - 1 + months;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// Months from `self` to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: Month) -> i32 {
        (later.year - self.year) * 12 + later.month as i32 - self.month as i32
    }

    /// Weekdays that are not bank holidays.
    pub fn working_days(self) -> u32 {
        self.days().filter(|d| is_working_day(*d)).count() as u32
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Holidays proclaimed once, or moved from their usual day, in England and Wales.
const PROCLAIMED: &[(i32, u32, u32, &str)] = &[
    (1999, 12, 31, "Millennium celebrations"),
    (2002, 6, 3, "Golden Jubilee"),
    (2011, 4, 29, "Royal wedding"),
    (2012, 6, 5, "Diamond Jubilee"),
    (2022, 6, 3, "Platinum Jubilee"),
    (2022, 9, 19, "State funeral of Queen Elizabeth II"),
    (2023, 5, 8, "Coronation of King Charles III"),
];

/// The bank holidays of England and Wales in `year`, in date order, with their names.
pub fn bank_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let date = |m, d| NaiveDate::from_ymd_opt(year, m, d).expect("a valid date");
    let mut days = Vec::with_capacity(10);

    days.push((next_weekday(date(1, 1)), "New Year's Day"));
    let easter = easter_sunday(year);
    days.push((easter - Duration::days(2), "Good Friday"));
    days.push((easter + Duration::days(1), "Easter Monday"));

    let early_may = match year {
        1995 | 2020 => date(5, 8),
        _ => first_weekday_on_or_after(date(5, 1), Weekday::Mon),
    };
    days.push((early_may, "Early May bank holiday"));
    let spring = match year {
        2002 | 2012 => date(6, 4),
        2022 => date(6, 2),
        _ => last_weekday_on_or_before(date(5, 31), Weekday::Mon),
    };
    days.push((spring, "Spring bank holiday"));
    days.push((
        last_weekday_on_or_before(date(8, 31), Weekday::Mon),
        "Summer bank holiday",
    ));

    // Christmas and Boxing Day: a day falling at a weekend moves to the next free weekday.
    let christmas = date(12, 25);
    let (christmas_observed, boxing_observed) = match christmas.weekday() {
        Weekday::Fri => (christmas, date(12, 28)),
        Weekday::Sat => (date(12, 27), date(12, 28)),
        Weekday::Sun => (date(12, 27), date(12, 26)),
        _ => (christmas, date(12, 26)),
    };
    days.push((christmas_observed, "Christmas Day"));
    days.push((boxing_observed, "Boxing Day"));

    for &(y, m, d, name) in PROCLAIMED {
        if y == year {
            days.push((date(m, d), name));
        }
    }
    days.sort();
    days
}

pub fn is_bank_holiday(day: NaiveDate) -> bool {
    bank_holidays(day.year()).iter().any(|(d, _)| *d == day)
}

/// Monday to Friday and not a bank holiday.
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !is_bank_holiday(day)
}

/// Easter Sunday (Gregorian), by the anonymous Gregorian algorithm.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).expect("Easter is a valid date")
}

fn next_weekday(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + Duration::days(2),
        Weekday::Sun => day + Duration::days(1),
        _ => day,
    }
}

fn first_weekday_on_or_after(day: NaiveDate, weekday: Weekday) -> NaiveDate {
    let ahead = (7 + weekday.num_days_from_monday() - day.weekday().num_days_from_monday()) % 7;
    day + Duration::days(ahead as i64)
}

fn last_weekday_on_or_before(day: NaiveDate, weekday: Weekday) -> NaiveDate {
    let back = (7 + day.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
    day - Duration::days(back as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn dates(year: i32) -> Vec<NaiveDate> {
        bank_holidays(year).into_iter().map(|(d, _)| d).collect()
    }

    #[test]
    fn published_holidays_of_2020_to_2023() {
        // As published on gov.uk/bank-holidays for England and Wales.
        assert_eq!(
            dates(2020),
            [
                d(2020, 1, 1),
                d(2020, 4, 10),
                d(2020, 4, 13),
                d(2020, 5, 8),
                d(2020, 5, 25),
                d(2020, 8, 31),
                d(2020, 12, 25),
                d(2020, 12, 28)
            ]
        );
        assert_eq!(
            dates(2022),
            [
                d(2022, 1, 3),
                d(2022, 4, 15),
                d(2022, 4, 18),
                d(2022, 5, 2),
                d(2022, 6, 2),
                d(2022, 6, 3),
                d(2022, 8, 29),
                d(2022, 9, 19),
                d(2022, 12, 26),
                d(2022, 12, 27)
            ]
        );
        assert_eq!(
            dates(2023),
            [
                d(2023, 1, 2),
                d(2023, 4, 7),
                d(2023, 4, 10),
                d(2023, 5, 1),
                d(2023, 5, 8),
                d(2023, 5, 29),
                d(2023, 8, 28),
                d(2023, 12, 25),
                d(2023, 12, 26)
            ]
        );
        assert_eq!(
            dates(2021),
            [
                d(2021, 1, 1),
                d(2021, 4, 2),
                d(2021, 4, 5),
                d(2021, 5, 3),
                d(2021, 5, 31),
                d(2021, 8, 30),
                d(2021, 12, 27),
                d(2021, 12, 28)
            ]
        );
    }

    #[test]
    fn easter_dates() {
        assert_eq!(easter_sunday(2019), d(2019, 4, 21));
        assert_eq!(easter_sunday(2024), d(2024, 3, 31));
        assert_eq!(easter_sunday(2025), d(2025, 4, 20));
        assert_eq!(easter_sunday(2038), d(2038, 4, 25));
    }

    #[test]
    fn working_days_of_months() {
        let m = |y, mo| Month::new(y, mo).unwrap().working_days();
        assert_eq!(m(2020, 12), 21); // 23 weekdays less 25 and 28 December
        assert_eq!(m(2020, 5), 19); // 21 weekdays less 8 and 25 May
        assert_eq!(m(2022, 6), 20); // 22 weekdays less 2 and 3 June
        assert_eq!(m(2022, 9), 21); // 22 weekdays less the state funeral
        assert_eq!(m(2019, 8), 21);
    }

    #[test]
    fn months_parse_and_step() {
        let mar = Month::parse_gpad("MAR2019").unwrap();
        assert_eq!(mar.to_string(), "2019-03");
        assert_eq!(mar.plus(10).to_string(), "2020-01");
        assert_eq!(mar.plus(-3).to_string(), "2018-12");
        assert_eq!(mar.months_until(Month::parse_iso("2021-02").unwrap()), 23);
        assert!(Month::parse_gpad("FOO2020").is_none());
        assert!(Month::parse_gpad("MAR20").is_none());
        assert!(Month::parse_iso("2020-13").is_none());
    }
}
