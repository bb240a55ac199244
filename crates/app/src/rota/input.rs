//! What a rota is made from: the practices, sites, rooms, people, rules and leave of its
//! scope and period, loaded from the store; and assignments to and from their stored rows.
use super::*;

pub(super) fn to_row(a: &Assignment) -> AssignmentRow {
    AssignmentRow {
        staff_id: a.staff_id.clone(),
        day: a.date.to_string(),
        session: a.session.code().to_string(),
        site_id: a.site_id.clone(),
        room_id: a.room_id.clone(),
    }
}

pub(super) fn from_row(r: AssignmentRow) -> AppResult<Assignment> {
    let corrupt = |what: &str| AppError::Internal(format!("stored rota {what} is not valid"));
    Ok(Assignment {
        date: NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").map_err(|_| corrupt("day"))?,
        session: Session::parse(&r.session).map_err(|_| corrupt("session"))?,
        staff_id: r.staff_id,
        site_id: r.site_id,
        room_id: r.room_id,
    })
}

pub(super) fn period_of(row: &RotaRow) -> AppResult<RotaPeriod> {
    let from = NaiveDate::parse_from_str(&row.starts_on, "%Y-%m-%d")
        .map_err(|_| AppError::Internal("stored rota start is not a date".into()))?;
    Ok(RotaPeriod {
        from,
        weeks: row.weeks as u32,
    })
}

/// The sessions of a site with their times: the defaults, changed by the site's own rows.
pub(crate) fn site_sessions(
    site_id: &str,
    rows: &[store::rota::SiteSessionRow],
) -> BTreeMap<Session, SessionTimes> {
    let mut sessions: BTreeMap<Session, SessionTimes> = Session::ALL
        .into_iter()
        .map(|s| (s, s.default_times()))
        .collect();
    for row in rows.iter().filter(|r| r.site_id == site_id) {
        let Ok(session) = Session::parse(&row.session) else {
            continue;
        };
        if !row.open {
            sessions.remove(&session);
        } else if let Ok(times) = SessionTimes::parse(&row.starts, &row.ends) {
            sessions.insert(session, times);
        }
    }
    sessions
}

pub fn rules_from_row(row: &store::rota::RulesRow) -> RotaRules {
    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    RotaRulesForm {
        fixed_sessions: row.fixed_sessions.clone(),
        days_never: row.days_never.clone(),
        max_evenings_month: n(row.max_evenings_month),
        max_saturdays_month: n(row.max_saturdays_month),
        appointments_per_session: n(row.appointments_per_session),
        appointment_minutes: n(row.appointment_minutes),
    }
    .parse()
    .unwrap_or_default()
}

pub(crate) fn cover_from_row(row: &store::rota::CoverRow) -> Option<CoverRequirement> {
    Some(CoverRequirement {
        site_id: row.site_id.clone(),
        weekday: parse_weekday("weekday", &row.weekday.to_string()).ok()?,
        session: Session::parse(&row.session).ok()?,
        need: CoverNeed::parse(&row.need).ok()?,
        minimum: u32::try_from(row.minimum).ok()?,
        ideal: u32::try_from(row.ideal).ok()?,
    })
}

/// The practices of a scope.
pub(super) async fn scope_practices(
    conn: &mut store::Conn,
    scope: &RotaScope,
) -> AppResult<Vec<String>> {
    Ok(match scope {
        RotaScope::Practice(ods) => vec![ods.clone()],
        RotaScope::Pcn(code) => {
            store::organisations::list(conn, store::organisations::PracticeScope::Pcn(code))
                .await?
                .into_iter()
                .map(|p| p.ods_code)
                .collect()
        }
    })
}

/// Loads everything a rota of `scope` over `period` is built from.
pub async fn load_input(
    conn: &mut store::Conn,
    scope: &RotaScope,
    period: RotaPeriod,
) -> AppResult<(RotaInput, Vec<RotaPerson>)> {
    let practices = scope_practices(conn, scope).await?;
    let site_records = store::sites::list_sites(conn, &practices).await?;
    let site_ids: Vec<String> = site_records.iter().map(|s| s.id.clone()).collect();
    let session_rows = store::rota::list_site_sessions(conn, &site_ids).await?;
    let mut sites: Vec<SiteInput> = site_records
        .iter()
        .map(|s| SiteInput {
            id: s.id.clone(),
            name: s.site.name.clone(),
            practice_ods: s.practice_ods.clone(),
            sessions: site_sessions(&s.id, &session_rows),
        })
        .collect();
    let rooms = load_rooms(conn, &site_ids, &period).await?;
    let staff = load_staff(conn, scope, &period).await?;
    let ids: Vec<String> = staff.iter().map(|s| s.id.clone()).collect();
    let facts = PeopleFacts::load(conn, scope, &period, &ids, &practices).await?;
    let (people, shown) = facts.people(&staff, &practices, &site_records);
    let cover: Vec<CoverRequirement> = store::rota::list_cover(conn, &site_ids)
        .await?
        .iter()
        .filter_map(cover_from_row)
        .collect();
    close_enhanced_access(&mut sites, &session_rows, &cover);
    Ok((
        RotaInput {
            period,
            sites,
            rooms,
            people,
            cover,
            locked: Vec::new(),
            current: Vec::new(),
        },
        shown,
    ))
}

/// The sites' rooms, less the sessions ad-hoc bookings (`app::estates`) take: those are not
/// the rota's.
async fn load_rooms(
    conn: &mut store::Conn,
    site_ids: &[String],
    period: &RotaPeriod,
) -> AppResult<Vec<RoomInput>> {
    let mut booked: BTreeMap<String, Vec<(NaiveDate, Session)>> = BTreeMap::new();
    for b in store::estates::list_bookings(
        conn,
        site_ids,
        &period.from.to_string(),
        &period.last_day().to_string(),
    )
    .await?
    {
        if let (Ok(day), Ok(session)) = (
            NaiveDate::parse_from_str(&b.day, "%Y-%m-%d"),
            Session::parse(&b.session),
        ) {
            booked.entry(b.room_id).or_default().push((day, session));
        }
    }
    Ok(store::sites::list_rooms(conn, site_ids)
        .await?
        .into_iter()
        .map(|r| RoomInput {
            booked: booked.remove(&r.id).unwrap_or_default(),
            id: r.id,
            site_id: r.site_id,
            name: r.room.name,
            capabilities: r.room.capabilities,
        })
        .collect())
}

/// The people employed on some day of the period, and anyone a published rota of the scope
/// still books then (a leaver whose end date came after publishing), so the check flags each
/// of their sessions outside their employment.
async fn load_staff(
    conn: &mut store::Conn,
    scope: &RotaScope,
    period: &RotaPeriod,
) -> AppResult<Vec<store::register::StaffRecord>> {
    let staff_scope = match scope {
        RotaScope::Practice(ods) => store::register::StaffScope::WorksAt(ods),
        RotaScope::Pcn(code) => store::register::StaffScope::Pcn(code),
    };
    let during = store::register::StaffFilter::employed_during(period.from, period.last_day());
    let mut staff = store::register::list(conn, staff_scope, &during).await?;
    for id in store::register::leavers::booked_in_published(
        conn,
        scope.kind(),
        scope.code(),
        period.from,
        period.last_day(),
    )
    .await?
    {
        if !staff.iter().any(|s| s.id == id)
            && let Some(person) = store::register::get(conn, &id).await?
        {
            staff.push(person);
        }
    }
    Ok(staff)
}

/// What the rota needs to know of its people beyond their records, each by staff id.
struct PeopleFacts {
    rules: BTreeMap<String, RotaRules>,
    leave: Vec<store::leave::LeaveRecord>,
    coaching: BTreeMap<String, Vec<plan::Coaching>>,
    session_requests: BTreeMap<String, Vec<SessionRequest>>,
    elsewhere: BTreeMap<String, Vec<plan::BookedElsewhere>>,
}

impl PeopleFacts {
    async fn load(
        conn: &mut store::Conn,
        scope: &RotaScope,
        period: &RotaPeriod,
        ids: &[String],
        practices: &[String],
    ) -> AppResult<PeopleFacts> {
        let rules: BTreeMap<String, RotaRules> = store::rota::list_rules(conn, ids)
            .await?
            .iter()
            .map(|r| (r.staff_id.clone(), rules_from_row(r)))
            .collect();
        let leave_scope = match scope {
            RotaScope::Practice(ods) => store::leave::LeaveScope::WorksAt(ods),
            RotaScope::Pcn(code) => store::leave::LeaveScope::Pcn(code),
        };
        let (from, to) = (period.from.to_string(), period.last_day().to_string());
        let leave = store::leave::list(conn, leave_scope, Some((&from, &to))).await?;
        let mut coaching: BTreeMap<String, Vec<plan::Coaching>> = BTreeMap::new();
        for c in store::development::booked_coaching(conn, ids, &from, &to).await? {
            coaching
                .entry(c.staff_id)
                .or_default()
                .push(plan::Coaching {
                    date: c.date,
                    starts: c.start_time,
                    ends: c.start_time + chrono::Duration::minutes(i64::from(c.minutes)),
                    programme: c.programme,
                });
        }
        let mut session_requests: BTreeMap<String, Vec<SessionRequest>> = BTreeMap::new();
        for r in store::rota::list_session_requests(conn, ids, &from, &to).await? {
            if let Some(request) = session_request_from_row(&r) {
                session_requests
                    .entry(r.staff_id)
                    .or_default()
                    .push(request);
            }
        }
        let elsewhere = load_elsewhere(conn, period, ids, practices).await?;
        Ok(PeopleFacts {
            rules,
            leave,
            coaching,
            session_requests,
            elsewhere,
        })
    }

    /// Each person as the plan sees them, and as the rota's page shows them.
    fn people(
        mut self,
        staff: &[store::register::StaffRecord],
        practices: &[String],
        site_records: &[store::sites::SiteRecord],
    ) -> (Vec<PersonInput>, Vec<RotaPerson>) {
        let mut people = Vec::new();
        let mut shown = Vec::new();
        for s in staff {
            let works_at: Vec<String> = s
                .draft
                .practices
                .iter()
                .map(|p| p.as_str().to_string())
                .filter(|p| practices.contains(p))
                .collect();
            let mut person_sites: Vec<String> = site_records
                .iter()
                .filter(|site| s.site_ids.contains(&site.id))
                .map(|site| site.id.clone())
                .collect();
            if person_sites.is_empty() {
                person_sites = site_records
                    .iter()
                    .filter(|site| works_at.contains(&site.practice_ods))
                    .map(|site| site.id.clone())
                    .collect();
            }
            let leave_of = |status: LeaveStatus| {
                self.leave
                    .iter()
                    .filter(|l| l.staff_id == s.id && l.status == status)
                    .map(|l| {
                        (
                            l.leave.start_date,
                            l.leave.end_date,
                            l.leave.kind.label().to_string(),
                        )
                    })
                    .collect::<Vec<_>>()
            };
            let (approved_leave, requested_leave) = (
                leave_of(LeaveStatus::Approved),
                leave_of(LeaveStatus::Requested),
            );
            shown.push(RotaPerson {
                id: s.id.clone(),
                name: s.draft.name.clone(),
                role: s.draft.role,
                practices: works_at,
                site_ids: person_sites.clone(),
            });
            people.push(PersonInput {
                id: s.id.clone(),
                name: s.draft.name.clone(),
                role: s.draft.role,
                skills: s.draft.skills.clone(),
                sessions_per_week: s.draft.sessions_per_week,
                share: s
                    .draft
                    .share_of(|p| practices.iter().any(|x| x == p.as_str())),
                elsewhere: self.elsewhere.remove(&s.id).unwrap_or_default(),
                site_ids: person_sites,
                rules: self.rules.get(&s.id).cloned().unwrap_or_default(),
                approved_leave,
                requested_leave,
                session_requests: self.session_requests.remove(&s.id).unwrap_or_default(),
                coaching: self.coaching.remove(&s.id).unwrap_or_default(),
                employed: (s.draft.start_date, s.draft.end_date),
            });
        }
        (people, shown)
    }
}

/// Sessions these people work in published rotas at practices outside the scope: this rota
/// cannot have them then (a rota of the scope replaces the scope's own sessions). Safe
/// working counts them too, so the days around the period are read as well: the day before
/// and after for rest, a run's length for days in a row.
async fn load_elsewhere(
    conn: &mut store::Conn,
    period: &RotaPeriod,
    ids: &[String],
    practices: &[String],
) -> AppResult<BTreeMap<String, Vec<plan::BookedElsewhere>>> {
    let margin = chrono::Days::new(u64::from(plan::MAX_DAYS_IN_A_ROW));
    let (around_from, around_to) = (
        (period.from - margin).to_string(),
        (period.last_day() + margin).to_string(),
    );
    let mut elsewhere: BTreeMap<String, Vec<plan::BookedElsewhere>> = BTreeMap::new();
    for b in store::rota::published_sessions(conn, ids, &around_from, &around_to, practices).await?
    {
        let (Ok(date), Ok(session)) = (
            NaiveDate::parse_from_str(&b.day, "%Y-%m-%d"),
            Session::parse(&b.session),
        ) else {
            continue;
        };
        elsewhere
            .entry(b.staff_id)
            .or_default()
            .push(plan::BookedElsewhere {
                date,
                session,
                site_name: b.site_name,
                times: SessionTimes::parse(&b.starts, &b.ends).unwrap_or(session.default_times()),
            });
    }
    Ok(elsewhere)
}

/// Enhanced access (evenings, Saturdays) runs at the sites that ask for cover then or were
/// opened then by hand; elsewhere those sessions are closed.
fn close_enhanced_access(
    sites: &mut [SiteInput],
    session_rows: &[store::rota::SiteSessionRow],
    cover: &[CoverRequirement],
) {
    for site in sites {
        for session in [Session::Evening, Session::Saturday] {
            let opened = session_rows
                .iter()
                .any(|r| r.site_id == site.id && r.open && r.session == session.code());
            let covered = cover
                .iter()
                .any(|c| c.site_id == site.id && c.session == session);
            if !opened && !covered {
                site.sessions.remove(&session);
            }
        }
    }
}
