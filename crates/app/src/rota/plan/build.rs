//! `build`: the steps from a rota's inputs to the optimiser's `Problem` — skill bits, shift
//! types, each person's row (their member record, barred patterns, fixed sessions, session
//! requests, requested leave), cover rows, room pools, locks and fair shares.
use super::*;

/// The optimiser's problem for a rota's inputs, with the way back to people, sites and
/// sessions.
pub fn build(input: &RotaInput) -> Model {
    let dates: Vec<NaiveDate> = input.period.days().collect();
    let days = dates.len();
    let bits = SkillBits::of(input);
    let (shifts, shift_of) = shift_types(input, &dates);
    let frame = Frame {
        input,
        site_index: input
            .sites
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect(),
        dates,
        shifts,
        shift_of,
        bits,
    };

    let mut rows = PeopleRows::default();
    for (e, person) in input.people.iter().enumerate() {
        frame.person_rows(e, person, &mut rows);
    }
    let (cover, cover_of) = frame.cover_rows();
    let rooms = frame.room_pools();
    let locks = frame.locks();
    let fair_shares = frame.fair_shares();
    let window_limits = frame.month_limits();

    let Frame {
        dates,
        shifts,
        shift_of,
        ..
    } = frame;
    Model {
        problem: Problem {
            days,
            shifts,
            staff: rows.staff,
            on_requests: Vec::new(),
            off_requests: rows.off_requests,
            work_requests: rows.work_requests,
            cover,
            rooms,
            locks,
            required: rows.required,
            unavailable: rows.unavailable,
            fair_shares,
            window_limits,
        },
        shift_of,
        dates,
        cover_of,
        conflicts: rows.conflicts,
    }
}

/// Skill bits: one per cover need, then one per kind of room.
struct SkillBits {
    needs: Vec<CoverNeed>,
}

impl SkillBits {
    fn of(input: &RotaInput) -> SkillBits {
        let mut needs: Vec<CoverNeed> = input.cover.iter().map(|c| c.need.clone()).collect();
        needs.sort();
        needs.dedup();
        needs.truncate(64 - ROOM_KINDS.len());
        SkillBits { needs }
    }

    fn need_bit(&self, n: &CoverNeed) -> Option<usize> {
        self.needs.iter().position(|x| x == n)
    }

    fn room_bit(&self, c: RoomCapability) -> usize {
        self.needs.len()
            + ROOM_KINDS
                .iter()
                .position(|k| *k == c)
                .expect("a room kind")
    }

    /// The person's skills: the needs that count them and the kind of room they need.
    fn of_person(&self, person: &PersonInput) -> u64 {
        let mut skills = 0u64;
        for (k, need) in self.needs.iter().enumerate() {
            if need.counts(person.role, &person.skills) {
                skills |= 1 << k;
            }
        }
        if let Some(cap) = room_need(person.role) {
            skills |= 1 << self.room_bit(cap);
        }
        skills
    }
}

/// One shift type per site × day pattern, with the days it is closed and the types that may
/// not follow it (a rest under `MIN_REST_HOURS`).
fn shift_types(
    input: &RotaInput,
    dates: &[NaiveDate],
) -> (Vec<ShiftType>, Vec<(usize, DayPattern)>) {
    let days = dates.len();
    let mut shifts = Vec::new();
    let mut shift_of = Vec::new();
    for (i, site) in input.sites.iter().enumerate() {
        // Every pattern has a type, so any edit can be scored; a pattern whose sessions are
        // not open at the site is closed every day (and nobody may be given it).
        for pattern in DayPattern::ALL {
            let start = pattern
                .sessions()
                .iter()
                .map(|s| times_at(site, *s).starts)
                .min()
                .expect("a pattern has a session");
            shifts.push(ShiftType {
                id: format!("{} {}", site.name, pattern.label()),
                minutes: pattern.contract_halves() * 30,
                forbidden_next: Vec::new(),
                start_minute: chrono::Timelike::num_seconds_from_midnight(&start) / 60,
                site: i,
                skill: None,
                closed_days: (0..days)
                    .filter(|&d| !is_open(site, pattern, dates[d]))
                    .collect(),
            });
            shift_of.push((i, pattern));
        }
    }
    for a in 0..shifts.len() {
        let (sa, pa) = shift_of[a];
        shifts[a].forbidden_next = (0..shift_of.len())
            .filter(|&b| {
                let (sb, pb) = shift_of[b];
                rest_minutes(&input.sites[sa], pa, &input.sites[sb], pb)
                    < i64::from(MIN_REST_HOURS) * 60
            })
            .collect();
    }
    (shifts, shift_of)
}

/// What every step reads: the inputs, the horizon's dates and the shift types.
struct Frame<'a> {
    input: &'a RotaInput,
    site_index: BTreeMap<&'a str, usize>,
    dates: Vec<NaiveDate>,
    shifts: Vec<ShiftType>,
    shift_of: Vec<(usize, DayPattern)>,
    bits: SkillBits,
}

/// The rows the people's rules add to the problem, in the order they are met.
#[derive(Default)]
struct PeopleRows {
    conflicts: Vec<String>,
    staff: Vec<StaffMember>,
    required: Vec<Required>,
    unavailable: Vec<Unavailable>,
    off_requests: Vec<Request>,
    work_requests: Vec<WorkRequest>,
}

impl Frame<'_> {
    /// One person's rows: their member record and barred patterns, then day by day their
    /// fixed sessions, session requests and requested leave.
    fn person_rows(&self, e: usize, person: &PersonInput, rows: &mut PeopleRows) {
        let sites: Vec<usize> = person
            .site_ids
            .iter()
            .filter_map(|id| self.site_index.get(id.as_str()).copied())
            .collect();
        let days_off: Vec<bool> = self
            .dates
            .iter()
            .map(|d| {
                person.on_leave(*d).is_some()
                    || person.rules.days_never.contains(&d.weekday())
                    || person.taken_elsewhere(*d)
            })
            .collect();
        self.barred_patterns(e, person, &days_off, rows);
        rows.staff.push(self.staff_member(person, &sites, days_off));
        for (d, date) in self.dates.iter().enumerate() {
            for &(weekday, session) in &person.rules.fixed_sessions {
                if weekday != date.weekday() || is_bank_holiday(*date) {
                    continue;
                }
                self.fixed_session(e, person, &sites, d, session, rows);
            }
            for request in person.session_requests.iter().filter(|r| r.date == *date) {
                self.session_request(e, person, &sites, d, request, rows);
            }
            if person.asked_for_leave(*date) && person.on_leave(*date).is_none() {
                for s in 0..self.shifts.len() {
                    rows.off_requests.push(Request {
                        staff: e,
                        day: d,
                        shift: s,
                        weight: WEIGHT_REQUESTED_LEAVE,
                    });
                }
            }
        }
    }

    /// The person as the optimiser sees them: the types they may work and how often, their
    /// contract in half sessions, their skills and days off.
    fn staff_member(
        &self,
        person: &PersonInput,
        sites: &[usize],
        days_off: Vec<bool>,
    ) -> StaffMember {
        let input = self.input;
        let evenings = horizon_limit(person.rules.max_evenings_month, &input.period);
        let max_shifts = self
            .shift_of
            .iter()
            .map(|&(site, pattern)| {
                let never_open = !pattern
                    .sessions()
                    .iter()
                    .all(|s| input.sites[site].sessions.contains_key(s));
                if !sites.contains(&site) || person.over_contacts(pattern) || never_open {
                    0
                } else if pattern.sessions().contains(&Session::Evening) {
                    evenings
                } else {
                    UNLIMITED
                }
            })
            .collect();
        let target = contract_halves(person, &input.period);
        StaffMember {
            id: person.name.clone(),
            max_shifts,
            max_minutes: target * 30,
            min_minutes: target.saturating_sub(1) * 30,
            max_consecutive: MAX_DAYS_IN_A_ROW,
            min_consecutive: 1,
            min_days_off: 1,
            max_weekends: horizon_limit(person.rules.max_saturdays_month, &input.period)
                .min(input.period.weeks),
            days_off,
            skills: self.bits.of_person(person),
            min_rest_minutes: 0,
        }
    }

    /// The day's patterns that take a session worked elsewhere, or that would be unsafe next
    /// to one (rest, contacts, days in a row), or that clash with coaching, are barred (hard).
    fn barred_patterns(
        &self,
        e: usize,
        person: &PersonInput,
        days_off: &[bool],
        rows: &mut PeopleRows,
    ) {
        for (d, date) in self.dates.iter().enumerate() {
            if days_off[d] {
                continue;
            }
            let barred: Vec<usize> = (0..self.shift_of.len())
                .filter(|&s| {
                    let (site, pattern) = self.shift_of[s];
                    let site = &self.input.sites[site];
                    person.barred_by(site, pattern, *date).is_some()
                        || person.coaching_clash(site, pattern, *date).is_some()
                })
                .collect();
            if !barred.is_empty() {
                rows.unavailable.push(Unavailable {
                    staff: e,
                    day: d,
                    shifts: barred,
                });
            }
        }
    }

    /// A fixed session on day `d`: a required set of patterns, or a named conflict when
    /// leave, a booking elsewhere, coaching or closed sites stand in its way.
    fn fixed_session(
        &self,
        e: usize,
        person: &PersonInput,
        sites: &[usize],
        d: usize,
        session: Session,
        rows: &mut PeopleRows,
    ) {
        let input = self.input;
        let date = &self.dates[d];
        let weekday = date.weekday();
        if let Some(kind) = person.on_leave(*date) {
            if kind == NOT_EMPLOYED {
                return;
            }
            rows.conflicts.push(format!(
                "{}'s fixed {} {} session falls on {} on {}: the leave is kept",
                person.name,
                domain::rota::weekday_name(weekday),
                session.label(),
                kind.to_lowercase(),
                crate::long_date(*date)
            ));
            return;
        }
        if let Some(booked) = person.booked_elsewhere(*date, session) {
            rows.conflicts.push(format!(
                "{}'s fixed {} {} session on {} is already booked at {} in another published rota: that booking is kept",
                person.name,
                domain::rota::weekday_name(weekday),
                session.label(),
                crate::long_date(*date),
                booked.site_name
            ));
            return;
        }
        let set: Vec<usize> = (0..self.shifts.len())
            .filter(|&s| {
                let (site, pattern) = self.shift_of[s];
                sites.contains(&site)
                    && pattern.sessions().contains(&session)
                    && !self.shifts[s].closed_days.contains(&d)
                    && !person.over_contacts(pattern)
                    && person
                        .barred_by(&input.sites[site], pattern, *date)
                        .is_none()
                    && person
                        .coaching_clash(&input.sites[site], pattern, *date)
                        .is_none()
            })
            .collect();
        let coaching = sites
            .iter()
            .find_map(|&site| person.coaching_in(&input.sites[site], session, *date));
        if let Some(booked) = person.fixed_session_barred_elsewhere(&input.sites, *date, session) {
            rows.conflicts.push(format!(
                "{}'s fixed {} {} session on {} cannot be worked safely next to their {} session at {} in another published rota (rest, contacts a day or days in a row): that booking is kept",
                person.name,
                domain::rota::weekday_name(weekday),
                session.label(),
                crate::long_date(*date),
                booked.session.label(),
                booked.site_name
            ));
        } else if let (true, Some(c)) = (set.is_empty(), coaching) {
            rows.conflicts.push(format!(
                "{}'s fixed {} {} session on {} clashes with their coaching session ({}) at {}: the coaching session is kept",
                person.name,
                domain::rota::weekday_name(weekday),
                session.label(),
                crate::long_date(*date),
                c.programme,
                c.starts.format("%H:%M")
            ));
        } else if set.is_empty() {
            rows.conflicts.push(format!(
                "{}'s fixed {} {} session on {} cannot be worked: none of their sites is open then",
                person.name,
                domain::rota::weekday_name(weekday),
                session.label(),
                crate::long_date(*date)
            ));
        } else {
            rows.required.push(Required {
                staff: e,
                day: d,
                shifts: set,
            });
        }
    }

    /// A session request on day `d`: "off" is an off request on every pattern with the
    /// session (and a named conflict on a fixed session); "work" a work request met by any
    /// pattern with it at the person's sites, when they could work it.
    fn session_request(
        &self,
        e: usize,
        person: &PersonInput,
        sites: &[usize],
        d: usize,
        request: &SessionRequest,
        rows: &mut PeopleRows,
    ) {
        let input = self.input;
        let date = &self.dates[d];
        let with_session: Vec<usize> = (0..self.shifts.len())
            .filter(|&s| self.shift_of[s].1.sessions().contains(&request.session))
            .collect();
        match request.wish {
            SessionWish::Off => {
                let fixed = person
                    .rules
                    .fixed_sessions
                    .contains(&(date.weekday(), request.session))
                    && !is_bank_holiday(*date)
                    && person.on_leave(*date).is_none();
                if fixed {
                    rows.conflicts.push(format!(
                        "{} asked to have {} {} on {} off, but it is one of their fixed sessions: the fixed session is kept",
                        person.name,
                        domain::rota::weekday_name(date.weekday()),
                        request.session.label(),
                        crate::long_date(*date)
                    ));
                }
                rows.off_requests
                    .extend(with_session.iter().map(|&s| Request {
                        staff: e,
                        day: d,
                        shift: s,
                        weight: WEIGHT_SESSION_REQUEST,
                    }));
            }
            SessionWish::Work => {
                let set: Vec<usize> = with_session
                    .into_iter()
                    .filter(|&s| {
                        let (site, pattern) = self.shift_of[s];
                        sites.contains(&site)
                            && !self.shifts[s].closed_days.contains(&d)
                            && !person.over_contacts(pattern)
                            && person
                                .barred_by(&input.sites[site], pattern, *date)
                                .is_none()
                    })
                    .collect();
                if can_work(input, person, *date, request.session) {
                    rows.work_requests.push(WorkRequest {
                        staff: e,
                        day: d,
                        shifts: set,
                        weight: WEIGHT_SESSION_REQUEST,
                    });
                }
            }
        }
    }

    /// Cover rows, a minimum and an ideal row per requirement and day, each counting the
    /// patterns at its site that contain its session and are open that day.
    fn cover_rows(&self) -> (Vec<Cover>, Vec<(usize, usize, bool)>) {
        let mut cover = Vec::new();
        let mut cover_of = Vec::new();
        for (d, date) in self.dates.iter().enumerate() {
            for (i, req) in self.input.cover.iter().enumerate() {
                let Some(&site) = self.site_index.get(req.site_id.as_str()) else {
                    continue;
                };
                if req.weekday != date.weekday() {
                    continue;
                }
                let set: Vec<usize> = (0..self.shifts.len())
                    .filter(|&s| {
                        self.shift_of[s].0 == site
                            && self.shift_of[s].1.sessions().contains(&req.session)
                            && !self.shifts[s].closed_days.contains(&d)
                    })
                    .collect();
                if set.is_empty() {
                    continue;
                }
                let skill = self.bits.need_bit(&req.need);
                if req.minimum > 0 {
                    cover.push(Cover {
                        day: d,
                        shifts: set.clone(),
                        requirement: req.minimum,
                        weight_under: WEIGHT_BELOW_MINIMUM,
                        weight_over: 0,
                        skill,
                    });
                    cover_of.push((i, d, true));
                }
                if req.ideal > 0 {
                    cover.push(Cover {
                        day: d,
                        shifts: set,
                        requirement: req.ideal,
                        weight_under: WEIGHT_BELOW_IDEAL,
                        weight_over: 0,
                        skill,
                    });
                    cover_of.push((i, d, false));
                }
            }
        }
        (cover, cover_of)
    }

    /// Room pools per site × session × kind of room, less the rooms booked for something
    /// else that day; a site with no rooms recorded is not limited.
    fn room_pools(&self) -> Vec<RoomPool> {
        let mut rooms = Vec::new();
        for (i, site) in self.input.sites.iter().enumerate() {
            let here: Vec<&RoomInput> = self
                .input
                .rooms
                .iter()
                .filter(|r| r.site_id == site.id)
                .collect();
            if here.is_empty() {
                // Rooms not recorded: not limited.
                continue;
            }
            for session in Session::ALL {
                let set: Vec<usize> = (0..self.shifts.len())
                    .filter(|&s| {
                        self.shift_of[s].0 == i && self.shift_of[s].1.sessions().contains(&session)
                    })
                    .collect();
                if set.is_empty() {
                    continue;
                }
                for kind in ROOM_KINDS {
                    let of_kind: Vec<&&RoomInput> = here
                        .iter()
                        .filter(|r| r.capabilities.contains(&kind))
                        .collect();
                    let capacity = of_kind.len() as u32;
                    // A room booked for something else that session is not the rota's.
                    let capacity_by_day = if of_kind.iter().any(|r| !r.booked.is_empty()) {
                        self.dates
                            .iter()
                            .map(|date| {
                                let taken = of_kind
                                    .iter()
                                    .filter(|r| r.booked.contains(&(*date, session)))
                                    .count() as u32;
                                capacity - taken
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    rooms.push(RoomPool {
                        shifts: set.clone(),
                        capacity,
                        capacity_by_day,
                        skill: Some(self.bits.room_bit(kind)),
                    });
                }
            }
        }
        rooms
    }

    /// Locked person-days keep the type of what they hold now.
    fn locks(&self) -> Vec<Lock> {
        let input = self.input;
        let person_index: BTreeMap<&str, usize> = input
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i))
            .collect();
        let day_of: BTreeMap<NaiveDate, usize> = self
            .dates
            .iter()
            .enumerate()
            .map(|(i, d)| (*d, i))
            .collect();
        let mut locks = Vec::new();
        for (staff_id, date) in &input.locked {
            let (Some(&e), Some(&d)) = (person_index.get(staff_id.as_str()), day_of.get(date))
            else {
                continue;
            };
            let held: Vec<&Assignment> = input
                .current
                .iter()
                .filter(|a| a.staff_id == *staff_id && a.date == *date)
                .collect();
            locks.push(Lock {
                staff: e,
                day: d,
                shift: encode_day(&self.shift_of, &input.sites, &held),
            });
        }
        locks
    }

    /// Each monthly limit (evenings, Saturdays) as a limit over each calendar month's days in
    /// the rota, as the checks count it; the limit over the whole horizon in `staff_member`
    /// only narrows the search before these are met.
    fn month_limits(&self) -> Vec<WindowLimit> {
        let mut months: Vec<(usize, usize)> = Vec::new();
        for (d, date) in self.dates.iter().enumerate() {
            match months.last_mut() {
                Some((from, to)) if self.dates[*from].month() == date.month() => *to = d + 1,
                _ => months.push((d, d + 1)),
            }
        }
        let of_kind = |wanted: &dyn Fn(DayPattern) -> bool| -> Vec<usize> {
            (0..self.shifts.len())
                .filter(|&s| wanted(self.shift_of[s].1))
                .collect()
        };
        let evenings = of_kind(&|p| p.sessions().contains(&Session::Evening));
        let saturdays = of_kind(&|p| p == DayPattern::Saturday);
        let mut limits = Vec::new();
        for (e, person) in self.input.people.iter().enumerate() {
            for (most, shifts) in [
                (person.rules.max_evenings_month, &evenings),
                (person.rules.max_saturdays_month, &saturdays),
            ] {
                let Some(most) = most else { continue };
                if shifts.is_empty() {
                    continue;
                }
                for &(from, to) in &months {
                    limits.push(WindowLimit {
                        staff: e,
                        shifts: shifts.clone(),
                        from,
                        to,
                        most,
                    });
                }
            }
        }
        limits
    }

    /// Each fair target becomes a soft share over the patterns with its session.
    fn fair_shares(&self) -> Vec<FairShare> {
        fair_targets(self.input)
            .into_iter()
            .map(|f| FairShare {
                staff: f.person,
                shifts: (0..self.shifts.len())
                    .filter(|&s| self.shift_of[s].1.sessions().contains(&f.kind.session()))
                    .collect(),
                target: f.target,
                weight: WEIGHT_FAIR_SHARE,
            })
            .collect()
    }
}
