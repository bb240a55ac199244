//! The one password rule, used wherever a password is chosen: at least 12 characters and
//! not guessable by `zxcvbn` (score 3 or more, with the person's name and email counted
//! as guessable), refused with zxcvbn's advice in plain words.
use domain::FieldError;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 12;
/// Lowest zxcvbn score accepted (0–4; 3 is "safely unguessable").
pub const MIN_SCORE: u8 = 3;

/// Checks a new password (and, from a form, its repetition). `known` are words about the
/// person (name, email) that a guesser would try first.
pub fn check(password: &str, again: Option<&str>, known: &[&str]) -> Result<(), FieldError> {
    if password.is_empty() {
        return Err(FieldError::new("password", "Enter a new password"));
    }
    if password.chars().count() < MIN_LENGTH {
        return Err(FieldError::new(
            "password",
            format!("The password must be at least {MIN_LENGTH} characters"),
        ));
    }
    let mut inputs: Vec<&str> = Vec::new();
    for text in known {
        inputs.push(text);
        // "jo.bloggs@example.org" is guessed as "jo", "bloggs" and "example" too.
        inputs.extend(
            text.split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.len() > 2),
        );
    }
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) < MIN_SCORE {
        let mut advice: Vec<String> = Vec::new();
        if let Some(feedback) = estimate.feedback() {
            advice.extend(feedback.warning().map(|w| w.to_string()));
            advice.extend(feedback.suggestions().iter().map(|s| s.to_string()));
        }
        if advice.is_empty() {
            advice.push("Use three or four unusual words together.".into());
        }
        let reason = format!("The password is too easy to guess. {}", advice.join(" "));
        return Err(FieldError::new("password", reason));
    }
    if let Some(again) = again
        && again != password
    {
        return Err(FieldError::new(
            "password_again",
            "The two passwords are not the same",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_guessable_and_personal_passwords_are_refused_with_the_reason() {
        let short = check("Tr0ub4dor&3", None, &[]).unwrap_err();
        assert!(short.message.contains("at least 12"), "{}", short.message);
        let common = check("password1234", None, &[]).unwrap_err();
        assert!(
            common
                .message
                .starts_with("The password is too easy to guess")
        );
        assert!(
            common.message.len() > "The password is too easy to guess. ".len(),
            "the reason carries zxcvbn's advice: {}",
            common.message
        );
        // Strong on its own, weak for the person whose name and email it is.
        let name = "Jo Bloggsworthy";
        let personal = check(
            "BloggsworthyJo",
            None,
            &[name, "jo.bloggsworthy@example.org"],
        );
        assert!(personal.is_err(), "the person's own name is guessable");
    }

    #[test]
    fn a_strong_password_must_be_typed_the_same_twice() {
        assert!(check("correct horse battery staple", None, &[]).is_ok());
        let differ = check(
            "correct horse battery staple",
            Some("correct horse battery stapel"),
            &[],
        )
        .unwrap_err();
        assert_eq!(differ.field, "password_again");
        assert!(check("", None, &[]).unwrap_err().message.contains("Enter"));
    }
}
