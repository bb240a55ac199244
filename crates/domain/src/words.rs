//! Counted nouns in plain English: "1 gap", "3 gaps", "1 person", "2 people". Every page and
//! message that puts a number before a noun goes through here, so none says "1 gaps".

/// `n` and the noun agreeing with it: `count(1, "rule", "rules")` is "1 rule".
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", plural(n, one, many))
}

/// The noun alone, agreeing with `n`.
pub fn plural<'a>(n: impl Into<u64>, one: &'a str, many: &'a str) -> &'a str {
    if n.into() == 1 { one } else { many }
}

/// People: "1 person", "2 people".
pub fn people(n: impl Into<u64>) -> String {
    count(n, "person", "people")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_number_plural() {
        assert_eq!(count(1u32, "gap", "gaps"), "1 gap");
        assert_eq!(count(0u32, "gap", "gaps"), "0 gaps");
        assert_eq!(count(12u64, "gap", "gaps"), "12 gaps");
        assert_eq!(people(1u32), "1 person");
        assert_eq!(people(40u32), "40 people");
        assert_eq!(plural(2u32, "is", "are"), "are");
    }
}
