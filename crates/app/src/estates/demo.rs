//! The demo PCN's room-use history: a PCN rota of the last four weeks and this one, solved
//! by the optimiser (a fixed seed and step budget, so it repeats) and published; used /
//! not-used marks on its past room-sessions; and a few ad-hoc bookings of free rooms. So
//! the estates pages of a fresh `serve --demo` show figures that follow from real data.
use crate::error::{AppError, AppResult};
use crate::rota::{RotaScope, load_input, plan};
use chrono::{Datelike, NaiveDate};
use domain::rota::{RotaPeriod, Session};
use std::collections::BTreeSet;

/// Steps the demo rota's search takes (about a second in a debug build).
const DEMO_STEPS: u64 = 60_000;

/// Whether a booked room-session of the demo was used: about one in eight was not (the
/// "booked but not used" the NHSPS studies find), chosen by a fixed hash.
fn demo_used(room_index: usize, day: NaiveDate, session: Session) -> bool {
    let h =
        (room_index as u64 * 7919 + day.num_days_from_ce() as u64 * 104_729 + session as u64 * 31)
            % 97;
    h >= 12
}

impl super::Estates<'_> {
    /// Adds the room-use history to every PCN of a freshly loaded demo. Run once after
    /// `load_demo` (by `gpteam serve --demo` and `gpteam demo`), in one transaction.
    pub async fn load_demo_room_use(&self) -> AppResult<usize> {
        let today = self.today();
        let monday = today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()));
        let period = RotaPeriod {
            from: monday - chrono::Days::new(28),
            weeks: 5,
        };
        let mut tx = self.store().begin().await?;
        let pcns = store::organisations::list_pcns(&mut tx, None).await?;
        let now = self.now();
        let mut marked = 0;
        for pcn in pcns {
            let scope = RotaScope::Pcn(pcn.code.clone());
            let (input, _) = load_input(&mut tx, &scope, period).await?;
            if input.people.is_empty() {
                continue;
            }
            let assignments = publish_demo_rota(&mut tx, &pcn.code, &input, period, &now).await?;
            let (taken, count) =
                mark_demo_room_use(&mut tx, &input, &assignments, today, &now).await?;
            marked += count;
            book_demo_rooms(&mut tx, &input, &taken, (period, monday, today), &now).await?;
        }
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(marked)
    }
}

/// Solves the PCN's rota of `period` with the optimiser (a fixed seed and step budget) and
/// stores it as published by the demo.
async fn publish_demo_rota(
    tx: &mut store::Conn,
    pcn: &str,
    input: &crate::rota::RotaInput,
    period: RotaPeriod,
    now: &str,
) -> AppResult<Vec<crate::rota::Assignment>> {
    let model = plan::build(input);
    let options = rota::Options {
        seed: 11,
        time_limit: None,
        step_limit: Some(DEMO_STEPS),
        threads: 1,
        balanced_cross_swaps: true,
        repair_rows: true,
        ..rota::Options::default()
    };
    let outcome = rota::solve(&model.problem, &options, &|_| {});
    let assignments = model.decode(input, &outcome.roster);
    let id = store::new_id();
    store::rota::insert_rota(
        tx,
        &store::rota::NewRota {
            id: id.clone(),
            scope_kind: "pcn".into(),
            scope_code: pcn.to_string(),
            starts_on: period.from.to_string(),
            weeks: i64::from(period.weeks),
            time_limit_seconds: 1,
            created_by: None,
            created_at: now.to_string(),
        },
    )
    .await?;
    let worker = "demo";
    store::rota::claim(tx, &id, worker, now, now)
        .await?
        .ok_or_else(|| AppError::Internal("the demo rota was not claimed".into()))?;
    let rows: Vec<store::rota::AssignmentRow> = assignments
        .iter()
        .map(|a| store::rota::AssignmentRow {
            staff_id: a.staff_id.clone(),
            day: a.date.to_string(),
            session: a.session.code().to_string(),
            site_id: a.site_id.clone(),
            room_id: a.room_id.clone(),
        })
        .collect();
    store::rota::replace_assignments(tx, &id, &rows).await?;
    let problems = crate::rota::check(input, &assignments);
    let problems_json = serde_json::to_string(&problems).unwrap_or_default();
    store::rota::finish(
        tx,
        &id,
        worker,
        "done",
        Some(problems.iter().filter(|p| p.hard).count() as i64),
        Some(outcome.evaluation.objective as i64),
        Some(&problems_json),
        None,
        now,
    )
    .await?;
    store::rota::publish(tx, &id, "demo", now).await?;
    Ok(assignments)
}

/// Used / not-used marks on every past booked room-session of the rota; returns the
/// booked room-sessions and how many were marked.
async fn mark_demo_room_use(
    tx: &mut store::Conn,
    input: &crate::rota::RotaInput,
    assignments: &[crate::rota::Assignment],
    today: NaiveDate,
    now: &str,
) -> AppResult<(BTreeSet<(String, NaiveDate, Session)>, usize)> {
    let mut marked = 0;
    let room_index = |room: &str| input.rooms.iter().position(|r| r.id == room);
    let mut taken = BTreeSet::new();
    for a in assignments {
        let Some(room) = &a.room_id else { continue };
        taken.insert((room.clone(), a.date, a.session));
        if a.date >= today {
            continue;
        }
        let used = demo_used(room_index(room).unwrap_or(0), a.date, a.session);
        store::estates::upsert_mark(
            tx,
            &store::estates::MarkRecord {
                room_id: room.clone(),
                day: a.date.to_string(),
                session: a.session.code().to_string(),
                used,
                marked_by: None,
                marked_at: now.to_string(),
            },
        )
        .await?;
        marked += 1;
    }
    Ok((taken, marked))
}

/// A few ad-hoc bookings of free rooms: two visiting services in the past weeks (used),
/// and a training session and a clinic next week and the week after. `when` is the rota's
/// period, this week's Monday and today.
async fn book_demo_rooms(
    tx: &mut store::Conn,
    input: &crate::rota::RotaInput,
    taken: &BTreeSet<(String, NaiveDate, Session)>,
    when: (RotaPeriod, NaiveDate, NaiveDate),
    now: &str,
) -> AppResult<()> {
    let (period, monday, today) = when;
    let bookings = [
        (
            period.from + chrono::Days::new(2),
            Session::Pm,
            "Retinal screening (visiting service)",
        ),
        (
            period.from + chrono::Days::new(16),
            Session::Am,
            "Community midwife clinic",
        ),
        (
            monday + chrono::Days::new(9),
            Session::Pm,
            "Basic life support training",
        ),
        (
            monday + chrono::Days::new(15),
            Session::Am,
            "Diabetes education group",
        ),
    ];
    for (k, (day, session, purpose)) in bookings.into_iter().enumerate() {
        let site = &input.sites[k % input.sites.len()];
        let Some(room) = input
            .rooms
            .iter()
            .find(|r| r.site_id == site.id && !taken.contains(&(r.id.clone(), day, session)))
        else {
            continue;
        };
        let (day_text, id) = (day.to_string(), store::new_id());
        store::estates::insert_booking(
            tx,
            &store::estates::NewBooking {
                id: &id,
                room_id: &room.id,
                day: &day_text,
                session: session.code(),
                purpose,
                booked_by: None,
                created_at: now,
            },
        )
        .await?;
        if day < today {
            store::estates::upsert_mark(
                tx,
                &store::estates::MarkRecord {
                    room_id: room.id.clone(),
                    day: day_text,
                    session: session.code().to_string(),
                    used: true,
                    marked_by: None,
                    marked_at: now.to_string(),
                },
            )
            .await?;
        }
    }
    Ok(())
}
