//! Counts in words: the one plural rule every page uses, so no page says "1 Nurses" or
//! "1 hard rules broken".
use crate::staff::format_number;

/// A whole count with its noun: `plural(1, "person", "people")` is "1 person",
/// `plural(3, "person", "people")` is "3 people", `plural(0, "gap", "gaps")` is "0 gaps".
pub fn plural(n: impl Count, one: &str, many: &str) -> String {
    let n = n.count();
    format!("{n} {}", noun(n == 1, one, many))
}

/// The same as [`plural`]: `count(3, "gap", "gaps")` is "3 gaps".
pub fn count(n: impl Count, one: &str, many: &str) -> String {
    plural(n, one, many)
}

/// People: "1 person", "2 people".
pub fn people(n: impl Count) -> String {
    plural(n, "person", "people")
}

/// A whole number that counts things (any integer type).
pub trait Count: Copy {
    fn count(self) -> i128;
}

macro_rules! count_for {
    ($($t:ty),*) => {$(
        impl Count for $t {
            fn count(self) -> i128 {
                self as i128
            }
        }
    )*};
}
count_for!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

impl<T: Count> Count for &T {
    fn count(self) -> i128 {
        (*self).count()
    }
}

/// A count that may have a fraction (days, hours, WTE): "1 day", "12.5 days", "0.5 days".
/// Only exactly one takes the singular, as in "1 day" but "0.5 days" and "1.5 days".
pub fn plural_f(n: impl std::borrow::Borrow<f64>, one: &str, many: &str) -> String {
    let text = format_number((*n.borrow() * 100.0).round() / 100.0);
    let singular = text == "1" || text == "-1";
    format!("{text} {}", noun(singular, one, many))
}

/// Just the noun for a count: "hard rule" for 1, "hard rules" otherwise.
pub fn noun<'a>(singular: bool, one: &'a str, many: &'a str) -> &'a str {
    if singular { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_count_is_plural() {
        assert_eq!(plural(1, "person", "people"), "1 person");
        assert_eq!(plural(0, "person", "people"), "0 people");
        assert_eq!(
            plural(2u32, "hard rule broken", "hard rules broken"),
            "2 hard rules broken"
        );
        assert_eq!(plural(1usize, "nurse", "nurses"), "1 nurse");
        assert_eq!(count(12u64, "gap", "gaps"), "12 gaps");
        assert_eq!(people(1u32), "1 person");
        assert_eq!(people(40u32), "40 people");
        assert_eq!(noun(false, "is", "are"), "are");
    }

    #[test]
    fn fractions_are_plural_and_trailing_zeros_go() {
        assert_eq!(plural_f(1.0, "day", "days"), "1 day");
        assert_eq!(plural_f(12.5, "day", "days"), "12.5 days");
        assert_eq!(plural_f(0.5, "day", "days"), "0.5 days");
        assert_eq!(plural_f(7.50, "hour", "hours"), "7.5 hours");
        assert_eq!(plural_f(-1.0, "day", "days"), "-1 day");
    }
}
