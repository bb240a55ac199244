//! Wellbeing: the anonymous pulse check-in (its questions, periods and answers), the rule
//! that keeps small groups' results hidden, and the support services staff are pointed to.
//!
//! Anonymity is the point of this module. An answer carries only what a report needs —
//! the questionnaire, the period's first day, the practice and the staff group — never the
//! person, and a group's results are shown only when at least `threshold` people in it
//! answered (never fewer than `MIN_THRESHOLD`).
use crate::error::{FieldError, FieldErrors};
use crate::role::StaffGroup;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// The smallest group whose results may be shown: fewer answers could identify someone.
pub const MIN_THRESHOLD: u32 = 5;
/// The most questions a check-in may ask (one answer column each in the store).
pub const MAX_QUESTIONS: usize = 10;
/// Longest optional comment.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Longest question.
pub const MAX_QUESTION_CHARS: usize = 200;
/// Periods count from this Monday, so every practice's periods line up.
pub const PERIOD_ANCHOR: (i32, u32, u32) = (2024, 1, 1);

/// The answer scale: 1 to 5, from strongly disagree to strongly agree.
pub const SCALE: [(u8, &str); 5] = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
];

/// The questions a PCN starts with: statements answered on the agreement scale.
pub const DEFAULT_QUESTIONS: [&str; 5] = [
    "My workload is manageable within my working hours",
    "I feel supported by the people I work with",
    "I am able to take the breaks I need during my working day",
    "I feel valued for the work I do",
    "I would recommend this practice as a place to work",
];

/// How a check-in is set up for a PCN (or a practice outside any PCN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinSettings {
    pub questions: Vec<String>,
    /// 2 or 4: staff answer once a period.
    pub period_weeks: u32,
    /// Results of a group are shown only when at least this many answered (5 or more).
    pub threshold: u32,
}

impl Default for CheckinSettings {
    fn default() -> Self {
        CheckinSettings {
            questions: DEFAULT_QUESTIONS.iter().map(|q| q.to_string()).collect(),
            period_weeks: 4,
            threshold: MIN_THRESHOLD,
        }
    }
}

/// The settings form as typed: one question a line.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SettingsForm {
    pub questions: String,
    pub period_weeks: String,
    pub threshold: String,
}

impl SettingsForm {
    pub fn parse(&self) -> Result<CheckinSettings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let questions: Vec<String> = self
            .questions
            .lines()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_string)
            .collect();
        if questions.is_empty() {
            errors.push(FieldError::new(
                "questions",
                "Enter at least one question, one a line",
            ));
        } else if questions.len() > MAX_QUESTIONS {
            errors.push(FieldError::new(
                "questions",
                format!(
                    "A check-in can ask at most {MAX_QUESTIONS} questions, not {}",
                    questions.len()
                ),
            ));
        } else if let Some(long) = questions
            .iter()
            .position(|q| q.chars().count() > MAX_QUESTION_CHARS)
        {
            errors.push(FieldError::new(
                "questions",
                format!(
                    "Question {} is longer than {MAX_QUESTION_CHARS} characters",
                    long + 1
                ),
            ));
        }
        let period_weeks = match self.period_weeks.trim() {
            "2" => Some(2),
            "4" => Some(4),
            other => {
                errors.push(FieldError::new(
                    "period_weeks",
                    format!("Choose a check-in every 2 or every 4 weeks, not '{other}'"),
                ));
                None
            }
        };
        let threshold = match self.threshold.trim().parse::<u32>() {
            Ok(n) if n < MIN_THRESHOLD => {
                errors.push(FieldError::new(
                    "threshold",
                    format!(
                        "The smallest group shown must be {MIN_THRESHOLD} or more people, so that no one can be identified"
                    ),
                ));
                None
            }
            Ok(n) if n > 100 => {
                errors.push(FieldError::new(
                    "threshold",
                    "The smallest group shown must be 100 people or fewer",
                ));
                None
            }
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new(
                    "threshold",
                    format!(
                        "Enter the smallest group shown as a whole number, {MIN_THRESHOLD} or more"
                    ),
                ));
                None
            }
        };
        errors.into_result()?;
        Ok(CheckinSettings {
            questions,
            period_weeks: period_weeks.expect("checked"),
            threshold: threshold.expect("checked"),
        })
    }
}

impl CheckinSettings {
    pub fn to_form(&self) -> SettingsForm {
        SettingsForm {
            questions: self.questions.join("\n"),
            period_weeks: self.period_weeks.to_string(),
            threshold: self.threshold.to_string(),
        }
    }
}

/// A check-in period: its first and last day. Answers are stored with the first day only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The period of `weeks` weeks holding `day`, counted from `PERIOD_ANCHOR`.
    pub fn containing(day: NaiveDate, weeks: u32) -> Period {
        let (y, m, d) = PERIOD_ANCHOR;
        let anchor = NaiveDate::from_ymd_opt(y, m, d).expect("a valid anchor");
        let length = i64::from(weeks.max(1)) * 7;
        let offset = (day - anchor).num_days().div_euclid(length) * length;
        let start = anchor + Duration::days(offset);
        Period {
            start,
            end: start + Duration::days(length - 1),
        }
    }

    /// The period starting on `start` (as stored), `weeks` long.
    pub fn starting(start: NaiveDate, weeks: u32) -> Period {
        Period {
            start,
            end: start + Duration::days(i64::from(weeks.max(1)) * 7 - 1),
        }
    }

    pub fn next_start(&self) -> NaiveDate {
        self.end + Duration::days(1)
    }
}

/// The answers as typed: `q1`…`q10` hold `1`–`5`, `comment` is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    pub q1: String,
    pub q2: String,
    pub q3: String,
    pub q4: String,
    pub q5: String,
    pub q6: String,
    pub q7: String,
    pub q8: String,
    pub q9: String,
    pub q10: String,
    pub comment: String,
}

/// The names of the answer fields, in question order.
pub const ANSWER_FIELDS: [&str; MAX_QUESTIONS] =
    ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "q10"];

impl AnswerForm {
    fn value(&self, index: usize) -> &str {
        [
            &self.q1, &self.q2, &self.q3, &self.q4, &self.q5, &self.q6, &self.q7, &self.q8,
            &self.q9, &self.q10,
        ][index]
    }

    /// A form from scores by question (for the API, where answers come as numbers).
    pub fn from_scores(scores: &[Option<i64>], comment: Option<String>) -> AnswerForm {
        let mut form = AnswerForm {
            comment: comment.unwrap_or_default(),
            ..Default::default()
        };
        let slots = [
            &mut form.q1,
            &mut form.q2,
            &mut form.q3,
            &mut form.q4,
            &mut form.q5,
            &mut form.q6,
            &mut form.q7,
            &mut form.q8,
            &mut form.q9,
            &mut form.q10,
        ];
        for (slot, score) in slots.into_iter().zip(scores) {
            *slot = score.map(|s| s.to_string()).unwrap_or_default();
        }
        form
    }

    /// Checks every question of `questions` has an answer from 1 to 5; every problem is
    /// named by its field (`q3`) and question number.
    pub fn parse(&self, questions: &[String]) -> Result<Answers, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut scores = Vec::with_capacity(questions.len());
        for (i, question) in questions.iter().enumerate().take(MAX_QUESTIONS) {
            let text = self.value(i).trim();
            match text.parse::<u8>() {
                Ok(score) if (1..=5).contains(&score) => scores.push(score),
                _ if text.is_empty() => errors.push(FieldError::new(
                    ANSWER_FIELDS[i],
                    format!("Question {}: choose an answer for '{question}'", i + 1),
                )),
                _ => errors.push(FieldError::new(
                    ANSWER_FIELDS[i],
                    format!(
                        "Question {}: the answer must be a whole number from 1 to 5, not '{text}'",
                        i + 1
                    ),
                )),
            }
        }
        for (i, field) in ANSWER_FIELDS.iter().enumerate().skip(questions.len()) {
            if !self.value(i).trim().is_empty() {
                errors.push(FieldError::new(
                    field,
                    format!(
                        "This check-in has {} questions: there is no question {}",
                        questions.len(),
                        i + 1
                    ),
                ));
            }
        }
        let comment = self.comment.trim();
        if comment.chars().count() > MAX_COMMENT_CHARS {
            errors.push(FieldError::new(
                "comment",
                format!("The comment must be {MAX_COMMENT_CHARS} characters or fewer"),
            ));
        }
        errors.into_result()?;
        Ok(Answers {
            scores,
            comment: (!comment.is_empty()).then(|| comment.to_string()),
        })
    }
}

/// One person's checked answers, without anything that says who they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// 1–5, one a question, in question order.
    pub scores: Vec<u8>,
    pub comment: Option<String>,
}

/// One stored answer as reports read it: where and when (to the period), never who.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub period_start: NaiveDate,
    pub practice_ods: String,
    pub staff_group: StaffGroup,
    pub answers: Answers,
}

/// The results of one question in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub question: String,
    /// Mean on the 1–5 scale, to one decimal place.
    pub mean: f64,
    /// Share answering 4 or 5, in whole per cent.
    pub agree_percent: u32,
    /// How many chose 1, 2, 3, 4 and 5.
    pub counts: [u32; 5],
}

/// Results of a group of answers: per question, and the mean over all questions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupResults {
    pub questions: Vec<QuestionResult>,
    pub overall_mean: f64,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Summarises answers to `questions`. Call only for a group at or above the threshold.
pub fn summarise(questions: &[String], answers: &[&Answers]) -> GroupResults {
    let n = answers.len().max(1) as f64;
    let results: Vec<QuestionResult> = questions
        .iter()
        .enumerate()
        .map(|(i, question)| {
            let mut counts = [0u32; 5];
            let mut sum = 0.0;
            for a in answers {
                if let Some(&s) = a.scores.get(i) {
                    counts[usize::from(s.clamp(1, 5)) - 1] += 1;
                    sum += f64::from(s);
                }
            }
            QuestionResult {
                question: question.clone(),
                mean: round1(sum / n),
                agree_percent: (f64::from(counts[3] + counts[4]) * 100.0 / n).round() as u32,
                counts,
            }
        })
        .collect();
    let overall = answers
        .iter()
        .map(|a| a.scores.iter().map(|&s| f64::from(s)).sum::<f64>() / a.scores.len().max(1) as f64)
        .sum::<f64>()
        / n;
    GroupResults {
        questions: results,
        overall_mean: round1(overall),
    }
}

/// Which parts of a whole may be shown, given each part's count of answers.
///
/// A part is shown when it has at least `threshold` answers — and, because the whole is
/// shown beside its parts, the hidden parts together must also hold none or at least
/// `threshold` answers: otherwise "whole minus the parts shown" would reveal a small group.
/// The smallest shown parts are hidden too until that holds.
pub fn shown_parts(counts: &[usize], threshold: u32) -> Vec<bool> {
    let threshold = threshold.max(MIN_THRESHOLD) as usize;
    let mut shown: Vec<bool> = counts.iter().map(|&c| c >= threshold).collect();
    loop {
        let hidden: usize = counts
            .iter()
            .zip(&shown)
            .filter(|(_, s)| !**s)
            .map(|(c, _)| c)
            .sum();
        if hidden == 0 || hidden >= threshold {
            return shown;
        }
        let smallest = counts
            .iter()
            .enumerate()
            .filter(|(i, _)| shown[*i])
            .min_by_key(|(i, c)| (**c, *i))
            .map(|(i, _)| i);
        match smallest {
            Some(i) => shown[i] = false,
            None => return shown,
        }
    }
}

/// A support service on the signposting page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportService {
    pub name: String,
    pub description: String,
    /// A phone number, text code or web address, as people should use it.
    pub contact: String,
    /// `true` for a service of the PCN or area; `false` for a national one.
    pub local: bool,
}

/// National services for NHS and primary-care staff, shown on every signposting page.
pub fn national_services() -> Vec<SupportService> {
    let s = |name: &str, description: &str, contact: &str| SupportService {
        name: name.into(),
        description: description.into(),
        contact: contact.into(),
        local: false,
    };
    vec![
        s(
            "Samaritans",
            "Someone to talk to, day or night, about anything that is troubling you.",
            "Call 116 123 (free, 24 hours) or visit www.samaritans.org",
        ),
        s(
            "Shout",
            "A free, confidential text support service, available 24 hours.",
            "Text SHOUT to 85258",
        ),
        s(
            "NHS 111 mental health option",
            "Urgent help for your mental health, for you or someone you care for.",
            "Call 111 and choose the mental health option",
        ),
        s(
            "NHS Practitioner Health",
            "A free, confidential NHS mental health and addiction service for health professionals.",
            "www.practitionerhealth.nhs.uk",
        ),
        s(
            "BMA wellbeing support",
            "Confidential counselling and peer support for doctors and medical students.",
            "Call 0330 123 1245 (24 hours)",
        ),
    ]
}

/// A local support service as typed by a manager.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceForm {
    pub service_name: String,
    pub service_description: String,
    pub service_contact: String,
}

impl ServiceForm {
    pub fn parse(&self) -> Result<SupportService, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take(crate::error::parse_required(
            "service_name",
            "the service's name",
            &self.service_name,
            120,
        ));
        let contact = errors.take(crate::error::parse_required(
            "service_contact",
            "how to contact the service",
            &self.service_contact,
            200,
        ));
        let description = self.service_description.trim();
        if description.chars().count() > 500 {
            errors.push(FieldError::new(
                "service_description",
                "The description must be 500 characters or fewer",
            ));
        }
        errors.into_result()?;
        Ok(SupportService {
            name: name.expect("checked"),
            description: description.to_string(),
            contact: contact.expect("checked"),
            local: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_line_up_from_the_anchor() {
        let p = Period::containing(day("2024-01-15"), 2);
        assert_eq!((p.start, p.end), (day("2024-01-15"), day("2024-01-28")));
        let p = Period::containing(day("2024-01-14"), 2);
        assert_eq!(p.start, day("2024-01-01"));
        let p = Period::containing(day("2026-03-04"), 4);
        assert_eq!((p.end - p.start).num_days(), 27);
        assert!(p.start <= day("2026-03-04") && day("2026-03-04") <= p.end);
        assert_eq!((p.start - day("2024-01-01")).num_days() % 28, 0);
        // Before the anchor too.
        let p = Period::containing(day("2023-12-31"), 4);
        assert_eq!(p.end, day("2023-12-31"));
    }

    #[test]
    fn answers_out_of_range_or_missing_are_named() {
        let questions: Vec<String> = DEFAULT_QUESTIONS.iter().map(|q| q.to_string()).collect();
        let form = AnswerForm {
            q1: "4".into(),
            q2: "6".into(),
            q3: "".into(),
            q4: "x".into(),
            q5: "1".into(),
            ..Default::default()
        };
        let errors = form.parse(&questions).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["q2", "q3", "q4"]);
        assert!(errors.0[1].message.contains("I am able to take the breaks"));
        let good = AnswerForm {
            q2: "5".into(),
            q3: "3".into(),
            q4: "2".into(),
            comment: "  ".into(),
            ..form
        };
        let answers = good.parse(&questions).unwrap();
        assert_eq!(answers.scores, vec![4, 5, 3, 2, 1]);
        assert_eq!(answers.comment, None);
    }

    #[test]
    fn the_threshold_is_never_below_five() {
        let form = SettingsForm {
            questions: "One\nTwo".into(),
            period_weeks: "3".into(),
            threshold: "4".into(),
        };
        let errors = form.parse().unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["period_weeks", "threshold"]);
        let ok = SettingsForm {
            period_weeks: "2".into(),
            threshold: "7".into(),
            ..form
        }
        .parse()
        .unwrap();
        assert_eq!(ok.questions, vec!["One", "Two"]);
        assert_eq!(
            shown_parts(&[9], 3),
            vec![true],
            "a lower threshold counts as 5"
        );
        assert_eq!(shown_parts(&[4], 3), vec![false]);
    }

    #[test]
    fn a_small_hidden_group_cannot_be_found_by_subtraction() {
        // 6 GPs and 2 nurses: hiding the nurses alone would let "all minus GPs" show them.
        assert_eq!(shown_parts(&[6, 2], 5), vec![false, false]);
        assert_eq!(shown_parts(&[6, 7, 2], 5), vec![false, true, false]);
        assert_eq!(shown_parts(&[6, 7, 0], 5), vec![true, true, false]);
        assert_eq!(shown_parts(&[6, 3, 2], 5), vec![true, false, false]);
    }

    #[test]
    fn summaries_count_and_average() {
        let a = Answers {
            scores: vec![5, 1],
            comment: None,
        };
        let b = Answers {
            scores: vec![4, 2],
            comment: None,
        };
        let r = summarise(&["A".into(), "B".into()], &[&a, &b]);
        assert_eq!(r.questions[0].mean, 4.5);
        assert_eq!(r.questions[0].agree_percent, 100);
        assert_eq!(r.questions[1].counts, [1, 1, 0, 0, 0]);
        assert_eq!(r.overall_mean, 3.0);
    }
}
