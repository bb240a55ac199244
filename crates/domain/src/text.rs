//! Free text as people type it: which characters can be stored and how long a field may be.
//!
//! Every text a person or a file gives is held to these rules before it is stored: a NUL
//! byte cannot be stored in PostgreSQL at all, other control characters break exports and
//! feeds, and the bidirectional override characters can make a name read differently from
//! what is stored (a "Trojan Source" trick). The web tier checks every field of every form
//! and JSON body with [`check`]; `parse_required` checks the same for the use cases that
//! the command line and imports reach.

/// The longest one-line text (a name, a title, an address line), in characters.
pub const LINE_MAX: usize = 200;

/// The longest multi-line text (a note, a reflection, a description), in characters.
pub const MULTILINE_MAX: usize = 5_000;

/// Whether a field may hold line breaks and tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: no control characters at all.
    Line,
    /// Several lines: line feeds, carriage returns and tabs are allowed.
    MultiLine,
}

/// A character that can never be stored: NUL and the other C0 and C1 controls (except
/// line breaks and tabs in multi-line text), and the bidirectional embedding, override and
/// isolate characters.
pub fn forbidden(c: char, kind: TextKind) -> bool {
    match c {
        '\n' | '\r' | '\t' => kind == TextKind::Line,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// Checks one text against the character rules and a length in characters; the message
/// names the field by `label` ("Name", "Notes").
pub fn check(label: &str, text: &str, kind: TextKind, max: usize) -> Result<(), String> {
    if text.chars().any(|c| forbidden(c, kind)) {
        let what = match kind {
            TextKind::Line => {
                "contains a character that cannot be stored (a control character, a line break or a text-direction override)"
            }
            TextKind::MultiLine => {
                "contains a character that cannot be stored (a control character or a text-direction override)"
            }
        };
        return Err(format!("{label} {what}"));
    }
    if text.chars().count() > max {
        return Err(format!(
            "{label} must be {} characters or fewer",
            thousands(max)
        ));
    }
    Ok(())
}

/// 5000 as "5,000".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_controls_are_refused_with_the_field_named() {
        let error = check("Name", "Ann\0", TextKind::Line, LINE_MAX).unwrap_err();
        assert!(
            error.starts_with("Name contains a character that cannot be stored"),
            "{error}"
        );
        assert!(check("Name", "Ann\u{7}", TextKind::Line, LINE_MAX).is_err());
        assert!(check("Name", "Ann\u{85}", TextKind::Line, LINE_MAX).is_err());
        assert!(check("Notes", "a\0b", TextKind::MultiLine, MULTILINE_MAX).is_err());
    }

    #[test]
    fn line_breaks_and_tabs_only_in_multi_line_text() {
        assert!(check("Name", "Ann\nSmith", TextKind::Line, LINE_MAX).is_err());
        assert!(check("Name", "Ann\tSmith", TextKind::Line, LINE_MAX).is_err());
        assert!(
            check(
                "Notes",
                "one\r\ntwo\tthree",
                TextKind::MultiLine,
                MULTILINE_MAX
            )
            .is_ok()
        );
    }

    #[test]
    fn bidirectional_overrides_are_refused() {
        for c in ['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}'] {
            let text = format!("invoice{c}fdp.exe");
            assert!(
                check("Name", &text, TextKind::Line, LINE_MAX).is_err(),
                "{c:?}"
            );
        }
        // Right-to-left script itself is fine, and so are accents and emoji.
        assert!(check("Name", "שלום Zoë 🙂", TextKind::Line, LINE_MAX).is_ok());
    }

    #[test]
    fn length_is_counted_in_characters_and_named() {
        let at_limit = "é".repeat(LINE_MAX);
        assert!(check("Name", &at_limit, TextKind::Line, LINE_MAX).is_ok());
        let over = "a".repeat(MULTILINE_MAX + 1);
        assert_eq!(
            check("Notes", &over, TextKind::MultiLine, MULTILINE_MAX).unwrap_err(),
            "Notes must be 5,000 characters or fewer"
        );
        assert_eq!(thousands(200), "200");
        assert_eq!(thousands(100_000), "100,000");
    }
}

#[cfg(test)]
mod required_tests {
    /// What the command line and the importers reach: `parse_required` holds to the rules.
    #[test]
    fn required_text_is_held_to_the_character_rules() {
        let error =
            crate::error::parse_required("name", "the person's name", "Ann\u{202e}nimS", 120)
                .unwrap_err();
        assert_eq!(error.field, "name");
        assert!(
            error
                .message
                .starts_with("The person's name contains a character"),
            "{}",
            error.message
        );
        let error =
            crate::error::parse_required("name", "the person's name", &"a".repeat(121), 120)
                .unwrap_err();
        assert_eq!(
            error.message,
            "The person's name must be 120 characters or fewer"
        );
        assert!(crate::error::parse_required("name", "the name", " Zoë ", 120).is_ok());
    }
}
