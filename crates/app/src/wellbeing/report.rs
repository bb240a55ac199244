//! The results a manager sees: closed periods only, each shown only when at least the
//! threshold answered. Of the period open now nothing is shown but its dates — not even how
//! many have answered, since two looks either side of one person's answer would tell what
//! they answered, and a count below the threshold narrows down who.
use super::close::has_closed;
use super::{checkin_tenant, questionnaire};
use crate::access::{Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use chrono::Duration;
use domain::role::StaffGroup;
use domain::wellbeing::{
    CheckinSettings, GroupResults, Period, StoredAnswer, shown_parts, summarise,
};
use serde::Serialize;
use store::wellbeing::ServiceRecord;

/// One staff group's results in one closed period.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    pub staff_group: StaffGroup,
    /// `None` when withheld: a count could still narrow down who answered.
    pub responses: Option<usize>,
    pub results: Option<GroupResults>,
}

/// One closed period of a practice's check-in.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodReport {
    pub period: Period,
    /// How many answered; `None` when fewer than the threshold did (no count is shown
    /// below the threshold, not even of the whole practice).
    pub responses: Option<usize>,
    /// `None` when fewer than the threshold answered.
    pub results: Option<GroupResults>,
    pub groups: Vec<GroupReport>,
    /// Shown only with the results, sorted so their order says nothing about who or when;
    /// dated by the period alone.
    pub comments: Vec<String>,
}

impl PeriodReport {
    pub fn withheld(&self) -> bool {
        self.results.is_none()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct WellbeingReport {
    pub practice_ods: String,
    pub practice_name: String,
    pub tenant: String,
    pub questionnaire_id: String,
    pub settings: CheckinSettings,
    /// The period open now: its dates only, never its answers.
    pub open: Period,
    /// Closed periods, oldest first, from the first with an answer to the last closed.
    pub periods: Vec<PeriodReport>,
}

impl WellbeingReport {
    /// The most recent closed period, if any has answers.
    pub fn latest(&self) -> Option<&PeriodReport> {
        self.periods.last()
    }
}

/// The period before `open`, of `weeks` weeks: the last one closed.
fn previous(open: Period, weeks: u32) -> Period {
    Period::starting(
        open.start - Duration::days(i64::from(weeks.max(1)) * 7),
        weeks,
    )
}

fn period_report(
    settings: &CheckinSettings,
    here: &[&StoredAnswer],
    period: Period,
) -> PeriodReport {
    let responses = here.len();
    let shown = shown_parts(&[responses], settings.threshold)[0];
    let results = shown.then(|| {
        summarise(
            &settings.questions,
            &here.iter().map(|a| &a.answers).collect::<Vec<_>>(),
        )
    });
    let counts: Vec<usize> = StaffGroup::ALL
        .iter()
        .map(|g| here.iter().filter(|a| a.staff_group == *g).count())
        .collect();
    let group_shown = shown_parts(&counts, settings.threshold);
    let groups = StaffGroup::ALL
        .iter()
        .zip(counts.iter().zip(&group_shown))
        .map(|(group, (&count, &show))| {
            let show = shown && show;
            GroupReport {
                staff_group: *group,
                responses: show.then_some(count),
                results: show.then(|| {
                    summarise(
                        &settings.questions,
                        &here
                            .iter()
                            .filter(|a| a.staff_group == *group)
                            .map(|a| &a.answers)
                            .collect::<Vec<_>>(),
                    )
                }),
            }
        })
        .collect();
    let mut comments: Vec<String> = if shown {
        here.iter()
            .filter_map(|a| a.answers.comment.clone())
            .collect()
    } else {
        Vec::new()
    };
    comments.sort();
    PeriodReport {
        period,
        responses: shown.then_some(responses),
        results,
        groups,
        comments,
    }
}

/// Builds a practice's closed periods from its answers: pure, so the rules can be tested
/// alone. Answers of `open` (or later) are left out whatever they hold. Every period from
/// the first with an answer to the last closed one is listed, answered or not, so a row's
/// presence does not say that someone answered in it.
pub fn build_periods(
    settings: &CheckinSettings,
    answers: &[StoredAnswer],
    open: Period,
) -> Vec<PeriodReport> {
    let weeks = settings.period_weeks;
    let closed: Vec<&StoredAnswer> = answers
        .iter()
        .filter(|a| a.period_start < open.start)
        .collect();
    let Some(first) = closed.iter().map(|a| a.period_start).min() else {
        return Vec::new();
    };
    let last = previous(open, weeks);
    let mut out = Vec::new();
    let mut period = Period::containing(first, weeks);
    while period.start <= last.start {
        let here: Vec<&StoredAnswer> = closed
            .iter()
            .copied()
            .filter(|a| a.period_start == period.start)
            .collect();
        out.push(period_report(settings, &here, period));
        period = Period::starting(period.next_start(), weeks);
    }
    out
}

/// One practice's line on the PCN's page, for the last closed period.
#[derive(Debug, Clone, Serialize)]
pub struct PracticeLine {
    pub ods_code: String,
    pub name: String,
    /// How many answered, when the practice's answers may be shown.
    pub responses: Option<usize>,
    /// The mean over all questions, when the practice's answers may be shown.
    pub overall_mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PcnWellbeing {
    pub pcn_code: String,
    pub pcn_name: String,
    pub settings: CheckinSettings,
    /// The period open now: its dates only.
    pub open: Period,
    /// The last closed period, which the practice lines describe.
    pub closed: Period,
    pub practices: Vec<PracticeLine>,
    pub services: Vec<ServiceRecord>,
}

impl super::Wellbeing<'_> {
    /// A practice's check-in results by closed period, each group withheld below the
    /// threshold; of the open period only its dates.
    pub async fn wellbeing_report(&self, actor: &Actor, ods: &str) -> AppResult<WellbeingReport> {
        self.authorize(actor, Permission::View, Tenant::Practice(ods))
            .await?;
        self.close_wellbeing_periods().await?;
        let mut conn = self.store().conn().await?;
        let practice = store::organisations::get(&mut conn, ods)
            .await?
            .ok_or(AppError::NotFound)?;
        let tenant = checkin_tenant(&mut conn, ods).await?;
        let (q, _) = questionnaire(&mut conn, &tenant).await?;
        let answers =
            store::wellbeing::answers(&mut conn, &q.id, std::slice::from_ref(&practice.ods_code))
                .await?;
        let open = Period::containing(self.today(), q.settings.period_weeks);
        debug_assert!(!has_closed(&open, self.today()));
        Ok(WellbeingReport {
            practice_ods: practice.ods_code,
            practice_name: practice.name,
            tenant,
            questionnaire_id: q.id,
            periods: build_periods(&q.settings, &answers, open),
            open,
            settings: q.settings,
        })
    }

    /// The PCN's check-in settings, its practices' results in the last closed period and
    /// its services.
    pub async fn pcn_wellbeing(&self, actor: &Actor, pcn: &str) -> AppResult<PcnWellbeing> {
        self.authorize(actor, Permission::Manage, Tenant::Pcn(pcn))
            .await?;
        self.close_wellbeing_periods().await?;
        let mut conn = self.store().conn().await?;
        let record = store::organisations::get_pcn(&mut conn, pcn)
            .await?
            .ok_or(AppError::NotFound)?;
        let (q, _) = questionnaire(&mut conn, pcn).await?;
        let open = Period::containing(self.today(), q.settings.period_weeks);
        let closed = previous(open, q.settings.period_weeks);
        let practices =
            store::organisations::list(&mut conn, store::organisations::PracticeScope::Pcn(pcn))
                .await?;
        let answers = store::wellbeing::answers(&mut conn, &q.id, &[]).await?;
        let here: Vec<&StoredAnswer> = answers
            .iter()
            .filter(|a| a.period_start == closed.start)
            .collect();
        let counts: Vec<usize> = practices
            .iter()
            .map(|p| here.iter().filter(|a| a.practice_ods == p.ods_code).count())
            .collect();
        let shown = shown_parts(&counts, q.settings.threshold);
        let lines = practices
            .iter()
            .zip(counts.iter().zip(&shown))
            .map(|(p, (&responses, &show))| PracticeLine {
                ods_code: p.ods_code.clone(),
                name: p.name.clone(),
                responses: show.then_some(responses),
                overall_mean: show.then(|| {
                    let mine: Vec<_> = here
                        .iter()
                        .filter(|a| a.practice_ods == p.ods_code)
                        .map(|a| &a.answers)
                        .collect();
                    summarise(&q.settings.questions, &mine).overall_mean
                }),
            })
            .collect();
        let services = store::wellbeing::services(&mut conn, pcn).await?;
        Ok(PcnWellbeing {
            pcn_code: record.code,
            pcn_name: record.name,
            settings: q.settings,
            open,
            closed,
            practices: lines,
            services,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::wellbeing::Answers;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn answer(start: &str, group: StaffGroup, score: u8, comment: Option<&str>) -> StoredAnswer {
        StoredAnswer {
            period_start: day(start),
            practice_ods: "Y99901".into(),
            staff_group: group,
            answers: Answers {
                scores: vec![score; 5],
                comment: comment.map(str::to_string),
            },
        }
    }

    #[test]
    fn four_answers_are_withheld_without_a_count_and_five_are_shown() {
        let settings = CheckinSettings::default();
        // 23 February 2026 starts a period; the report is read in the next one.
        let open = Period::starting(day("2026-03-23"), 4);
        let mut answers: Vec<StoredAnswer> = (0..4)
            .map(|i| {
                answer(
                    "2026-02-23",
                    StaffGroup::AdminNonClinical,
                    3 + (i % 2),
                    Some("Busy"),
                )
            })
            .collect();
        let report = build_periods(&settings, &answers, open);
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].responses, None, "no count below the threshold");
        assert!(report[0].withheld());
        assert!(
            report[0].comments.is_empty(),
            "no comments below the threshold"
        );
        assert!(report[0].groups.iter().all(|g| g.responses.is_none()));

        answers.push(answer("2026-02-23", StaffGroup::Gp, 5, None));
        let report = build_periods(&settings, &answers, open);
        assert!(!report[0].withheld());
        assert_eq!(report[0].responses, Some(5));
        assert_eq!(report[0].comments.len(), 4);
        // 4 admin answers and 1 GP: each group is below 5, so neither is shown.
        assert!(report[0].groups.iter().all(|g| g.results.is_none()));
    }

    #[test]
    fn the_open_period_shows_nothing_whatever_it_holds() {
        let settings = CheckinSettings::default();
        let open = Period::starting(day("2026-03-23"), 4);
        let answers: Vec<StoredAnswer> = (0..9)
            .map(|_| answer("2026-03-23", StaffGroup::Gp, 4, Some("Open")))
            .collect();
        assert!(build_periods(&settings, &answers, open).is_empty());
        // With an earlier answer, the closed periods are listed up to the open one,
        // answered or not, and the open one is still left out.
        let mut with_old = answers.clone();
        with_old.push(answer("2026-01-26", StaffGroup::Gp, 2, None));
        let report = build_periods(&settings, &with_old, open);
        let starts: Vec<NaiveDate> = report.iter().map(|p| p.period.start).collect();
        assert_eq!(starts, [day("2026-01-26"), day("2026-02-23")]);
        assert!(
            report
                .iter()
                .all(|p| p.responses.is_none() && p.comments.is_empty())
        );
    }
}
