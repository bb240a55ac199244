//! Safe working across practices: the sessions a person works in other practices' published
//! rotas, and what they bar here (rest, contacts a day, days in a row).
use super::*;

impl PersonInput {
    /// The sessions the person works elsewhere on `date`.
    fn elsewhere_on(&self, date: NaiveDate) -> impl Iterator<Item = &BookedElsewhere> {
        self.elsewhere.iter().filter(move |b| b.date == date)
    }

    /// Consecutive days with a session elsewhere from `date` going by `step` (`date` itself
    /// not counted).
    fn elsewhere_run(&self, date: NaiveDate, step: fn(&NaiveDate) -> Option<NaiveDate>) -> u32 {
        let mut run = 0;
        let mut day = step(&date);
        while let Some(d) = day {
            if self.elsewhere_on(d).next().is_none() {
                break;
            }
            run += 1;
            day = step(&d);
        }
        run
    }

    /// Why working `pattern` at `site` on `date` is barred by what the person works in other
    /// practices' published rotas: the session of theirs it clashes with, or is unsafe next
    /// to. Barred are a pattern that takes a session worked elsewhere; one that starts less
    /// than `MIN_REST_HOURS` after the last session elsewhere the day before ends, or ends
    /// less than that before the first session elsewhere the next day starts; a GP's pattern
    /// whose contacts with the sessions elsewhere that day pass `MAX_CONTACTS_PER_DAY`; and,
    /// on a day with nothing elsewhere, any pattern that would join the days worked elsewhere
    /// before and after into a run over `MAX_DAYS_IN_A_ROW`. (A run that also needs other
    /// days worked here is left to `check`: with Sundays closed it cannot happen.)
    pub fn barred_by(
        &self,
        site: &SiteInput,
        pattern: DayPattern,
        date: NaiveDate,
    ) -> Option<&BookedElsewhere> {
        if self.elsewhere.is_empty() {
            return None;
        }
        if let Some(b) = pattern
            .sessions()
            .iter()
            .find_map(|s| self.booked_elsewhere(date, *s))
        {
            return Some(b);
        }
        let rest = i64::from(MIN_REST_HOURS) * 60;
        let starts = pattern
            .sessions()
            .iter()
            .map(|s| times_at(site, *s).starts)
            .min()?;
        let ends = pattern
            .sessions()
            .iter()
            .map(|s| times_at(site, *s).ends)
            .max()?;
        if let Some(before) = date
            .pred_opt()
            .and_then(|d| self.elsewhere_on(d).max_by_key(|b| b.times.ends))
            && 24 * 60 + (starts - before.times.ends).num_minutes() < rest
        {
            return Some(before);
        }
        if let Some(after) = date
            .succ_opt()
            .and_then(|d| self.elsewhere_on(d).min_by_key(|b| b.times.starts))
            && 24 * 60 + (after.times.starts - ends).num_minutes() < rest
        {
            return Some(after);
        }
        if self.is_gp() {
            let elsewhere: u32 = self
                .elsewhere_on(date)
                .map(|b| b.session.contacts(self.rules.appointments()))
                .sum();
            if elsewhere > 0 && self.contacts(pattern) + elsewhere > MAX_CONTACTS_PER_DAY {
                return self.elsewhere_on(date).next();
            }
        }
        if self.elsewhere_on(date).next().is_none() {
            let before = self.elsewhere_run(date, NaiveDate::pred_opt);
            let after = self.elsewhere_run(date, NaiveDate::succ_opt);
            if before + 1 + after > MAX_DAYS_IN_A_ROW {
                let near = if before > 0 {
                    date.pred_opt()
                } else {
                    date.succ_opt()
                };
                return near.and_then(|d| self.elsewhere_on(d).next());
            }
        }
        None
    }

    /// Whether some pattern containing `session` can be worked on `date` at one of the
    /// person's sites: open there, within the contacts limit, not barred by what they work
    /// elsewhere (`barred_by`) and clear of their coaching. When none can, a fixed session
    /// then is a named conflict of the model (no required session), not a broken rule.
    pub fn may_work_fixed(&self, sites: &[SiteInput], date: NaiveDate, session: Session) -> bool {
        sites
            .iter()
            .filter(|s| self.site_ids.contains(&s.id))
            .any(|site| {
                DayPattern::ALL.into_iter().any(|pattern| {
                    pattern.sessions().contains(&session)
                        && is_open(site, pattern, date)
                        && !self.over_contacts(pattern)
                        && self.barred_by(site, pattern, date).is_none()
                        && self.coaching_clash(site, pattern, date).is_none()
                })
            })
    }

    /// A fixed session that cannot be worked on `date` only because of the sessions worked
    /// elsewhere: some pattern containing it is open at one of the person's sites (and within
    /// the contacts limit), but every such pattern is barred (`barred_by`). Returns a session
    /// elsewhere that bars it; `None` when the fixed session can be worked, or cannot for
    /// another reason.
    pub fn fixed_session_barred_elsewhere(
        &self,
        sites: &[SiteInput],
        date: NaiveDate,
        session: Session,
    ) -> Option<&BookedElsewhere> {
        let mut barred = None;
        for site in sites.iter().filter(|s| self.site_ids.contains(&s.id)) {
            for pattern in DayPattern::ALL {
                if !pattern.sessions().contains(&session)
                    || !is_open(site, pattern, date)
                    || self.over_contacts(pattern)
                {
                    continue;
                }
                match self.barred_by(site, pattern, date) {
                    None => return None,
                    Some(b) => barred = barred.or(Some(b)),
                }
            }
        }
        barred
    }
}
