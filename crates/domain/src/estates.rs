//! Estates: how much rooms are used, ad-hoc bookings of a free room, and the rooms a planned
//! team needs. Pure arithmetic and form checks; the method is in docs/design/estates.md.
//!
//! A room is *open* in every session its site is open (weekdays' AM and PM unless closed,
//! evenings and Saturdays where they run; never on a Sunday or a bank holiday). It is
//! *booked* in a session when a published rota gives it to someone or an ad-hoc booking
//! takes it, and *used* when someone marked the booked session as used; a booked session
//! marked "not used" is counted as such. Utilisation is used ÷ open (and booked ÷ open),
//! per room, site and PCN. HBN 11-01 planning practice aims for at least 60 %.
use crate::error::{FieldError, FieldErrors, parse_date, parse_required};
use crate::role::{Role, StaffGroup};
use crate::room::RoomCapability;
use crate::rota::Session;
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Flag rooms used less than this share of their open sessions, unless a PCN sets its own
/// (the HBN 11-01 planning minimum, research file §3.1).
pub const DEFAULT_THRESHOLD_PERCENT: u32 = 60;
/// The longest period a utilisation figure covers.
pub const MAX_PERIOD_DAYS: i64 = 366;
/// Characters in a booking's purpose.
pub const PURPOSE_MAX: usize = 120;

/// Room-sessions of a room (or a site, or a PCN) over a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomUse {
    /// Sessions the room could be used in.
    pub open: u32,
    /// Open sessions it was booked in (a published rota or an ad-hoc booking).
    pub booked: u32,
    /// Booked sessions marked used.
    pub used: u32,
    /// Booked sessions marked not used.
    pub not_used: u32,
}

impl RoomUse {
    /// Booked sessions nobody has marked yet.
    pub fn unmarked(&self) -> u32 {
        self.booked.saturating_sub(self.used + self.not_used)
    }

    /// Booked ÷ open, as a percentage; `None` with no open session.
    pub fn booked_percent(&self) -> Option<f64> {
        percent(self.booked, self.open)
    }

    /// Used ÷ open, as a percentage; `None` with no open session.
    pub fn used_percent(&self) -> Option<f64> {
        percent(self.used, self.open)
    }

    /// Whether the used share is under `threshold` percent (never for a room with no open
    /// session: nothing to judge).
    pub fn below(&self, threshold: u32) -> bool {
        self.used_percent()
            .is_some_and(|p| p < f64::from(threshold))
    }

    pub fn add(&mut self, other: &RoomUse) {
        self.open += other.open;
        self.booked += other.booked;
        self.used += other.used;
        self.not_used += other.not_used;
    }
}

/// `part ÷ whole × 100`, or `None` when `whole` is 0.
pub fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) * 100.0 / f64::from(whole))
}

/// A percentage as the pages show it: whole numbers, "–" for none.
pub fn percent_text(value: Option<f64>) -> String {
    match value {
        Some(p) => format!("{} %", p.round() as i64),
        None => "–".into(),
    }
}

/// What happened to one open room-session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mark {
    Used,
    NotUsed,
}

/// The sessions a site is open over `from..=to`: each day that is not a Sunday and not
/// `closed_day` (a bank holiday), each of `sessions` that falls on that weekday.
pub fn open_slots(
    from: NaiveDate,
    to: NaiveDate,
    sessions: &[Session],
    closed_day: impl Fn(NaiveDate) -> bool,
) -> Vec<(NaiveDate, Session)> {
    let mut out = Vec::new();
    for day in from.iter_days().take_while(|d| *d <= to) {
        if day.weekday() == Weekday::Sun || closed_day(day) {
            continue;
        }
        for s in sessions {
            if s.on(day.weekday()) {
                out.push((day, *s));
            }
        }
    }
    out
}

/// One room's use over its open slots: `booked` holds each booked slot with its mark
/// (`None`: not marked). Bookings outside the open slots are not counted, so a figure
/// never passes 100 %.
pub fn tally(
    open: &[(NaiveDate, Session)],
    booked: &BTreeMap<(NaiveDate, Session), Option<Mark>>,
) -> RoomUse {
    let mut out = RoomUse {
        open: open.len() as u32,
        ..RoomUse::default()
    };
    for slot in open {
        if let Some(mark) = booked.get(slot) {
            out.booked += 1;
            match mark {
                Some(Mark::Used) => out.used += 1,
                Some(Mark::NotUsed) => out.not_used += 1,
                None => {}
            }
        }
    }
    out
}

/// A period asked for (`from`, `to`: YYYY-MM-DD, both included).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PeriodForm {
    pub from: String,
    pub to: String,
}

/// A checked period of at most a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UsePeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl UsePeriod {
    /// Empty fields take the defaults given (the page's "last four weeks"); an end alone
    /// takes the four weeks before it.
    pub fn parse(form: &PeriodForm, default: UsePeriod) -> Result<UsePeriod, FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = |field, text: &str, fallback| {
            if text.trim().is_empty() {
                Ok(fallback)
            } else {
                parse_date(field, text)
            }
        };
        let to = errors.take(date("to", &form.to, default.to));
        // With only an end given, the four weeks before it.
        let from_default = match to {
            Some(to) if !form.to.trim().is_empty() => UsePeriod::last_four_weeks(to).from,
            _ => default.from,
        };
        let from = errors.take(date("from", &form.from, from_default));
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.push(FieldError::new(
                    "from",
                    "The start of the period must be on or before its end",
                ));
            } else if (to - from).num_days() + 1 > MAX_PERIOD_DAYS {
                errors.push(FieldError::new(
                    "to",
                    "The period must be a year (366 days) or shorter",
                ));
            }
        }
        errors.into_result()?;
        Ok(UsePeriod {
            from: from.expect("checked"),
            to: to.expect("checked"),
        })
    }

    /// The four weeks ending on `today`.
    pub fn last_four_weeks(today: NaiveDate) -> UsePeriod {
        UsePeriod {
            from: today - chrono::Days::new(27),
            to: today,
        }
    }
}

/// A PCN's own threshold, as typed.
pub fn parse_threshold(text: &str) -> Result<u32, FieldError> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|t| (1..=100).contains(t))
        .ok_or_else(|| {
            FieldError::new(
                "threshold",
                format!(
                    "Enter a whole percentage from 1 to 100, not '{}'",
                    text.trim()
                ),
            )
        })
}

/// An ad-hoc booking of a room, as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BookingForm {
    pub room_id: String,
    pub date: String,
    pub session: String,
    pub purpose: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingDraft {
    pub room_id: String,
    pub date: NaiveDate,
    pub session: Session,
    pub purpose: String,
}

impl BookingForm {
    /// Checks the fields alone; whether the room is free and the site open is the use
    /// case's to say. `today`: a booking cannot start in the past.
    pub fn parse(&self, today: NaiveDate) -> Result<BookingDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.room_id.trim().is_empty() {
            errors.push(FieldError::new("room_id", "Choose a room"));
        }
        let date = errors.take(parse_date("date", &self.date));
        if let Some(d) = date
            && d < today
        {
            errors.push(FieldError::new("date", "A booking cannot be in the past"));
        }
        let session = errors.take(Session::parse(&self.session));
        if let (Some(d), Some(s)) = (date, session)
            && !s.on(d.weekday())
        {
            errors.push(FieldError::new(
                "session",
                format!("There is no {} session on a {}", s.label(), d.format("%A")),
            ));
        }
        let purpose = errors.take(parse_required(
            "purpose",
            "what the room is booked for",
            &self.purpose,
            PURPOSE_MAX,
        ));
        errors.into_result()?;
        Ok(BookingDraft {
            room_id: self.room_id.trim().to_string(),
            date: date.expect("checked"),
            session: session.expect("checked"),
            purpose: purpose.expect("checked"),
        })
    }
}

// ---------------------------------------------------------------- shortfall

/// Sessions a week of a post: GPs plan in 9 sessions a full-time week, everyone else in
/// 10 (37.5 hours of 3.75-hour sessions).
pub fn sessions_a_week(role: Role, wte: f64) -> f64 {
    let full = if role.staff_group() == StaffGroup::Gp {
        9.0
    } else {
        10.0
    };
    wte * full
}

/// A weekday core session (Monday AM … Friday PM): the shortfall plans a typical week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct WeekSlot {
    /// 0 Monday … 4 Friday.
    pub weekday: u8,
    pub session: Session,
}

impl WeekSlot {
    pub fn label(&self) -> String {
        let day = Weekday::try_from(self.weekday).map_or("?".to_string(), |d| {
            match d {
                Weekday::Mon => "Monday",
                Weekday::Tue => "Tuesday",
                Weekday::Wed => "Wednesday",
                Weekday::Thu => "Thursday",
                Weekday::Fri => "Friday",
                Weekday::Sat => "Saturday",
                Weekday::Sun => "Sunday",
            }
            .to_string()
        });
        format!("{day} {}", self.session.label())
    }
}

/// A site as the shortfall sees it: its open core slots and rooms of each kind.
#[derive(Debug, Clone)]
pub struct SiteRooms {
    pub site_id: String,
    pub slots: Vec<WeekSlot>,
    pub rooms: BTreeMap<RoomCapability, u32>,
}

/// A post's room sessions a week at one site.
#[derive(Debug, Clone)]
pub struct RoomNeed {
    /// How the post is named in the list of sessions that cannot be housed.
    pub label: String,
    pub site_id: String,
    pub capability: RoomCapability,
    pub sessions: u32,
    /// A what-if post rather than someone in post.
    pub planned: bool,
}

/// Rooms of one kind needed against rooms there are, in one slot of one site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlotLoad {
    pub site_id: String,
    pub slot: WeekSlot,
    pub capability: RoomCapability,
    pub needed: u32,
    pub rooms: u32,
}

impl SlotLoad {
    pub fn short(&self) -> u32 {
        self.needed.saturating_sub(self.rooms)
    }
}

/// A post's session that finds no room.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unhoused {
    pub label: String,
    pub planned: bool,
    pub site_id: String,
    /// `None`: the post has more sessions than the site has slots in a week.
    pub slot: Option<WeekSlot>,
    pub capability: RoomCapability,
    /// Other sites with a room of the kind free in that slot.
    pub free_elsewhere: Vec<String>,
}

/// The rooms a team needs against the rooms there are, in a typical week.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ShortfallPlan {
    /// Every slot of every site and kind with a need or a room.
    pub loads: Vec<SlotLoad>,
    pub unhoused: Vec<Unhoused>,
}

impl ShortfallPlan {
    /// Room-sessions short over the week.
    pub fn short_sessions(&self) -> u32 {
        self.loads.iter().map(SlotLoad::short).sum()
    }
}

/// Places each need's sessions in its site's slots, at most one a slot, in the slot with the
/// most rooms of its kind still free (ties: the earlier slot), needs in the order given (the
/// team in post before planned posts). A session placed where no room is free is unhoused,
/// and so is one for which the site has no slot left. This spreads work evenly, so it is the
/// best case: a real rota with fixed sessions may need more.
pub fn plan_rooms(sites: &[SiteRooms], needs: &[RoomNeed]) -> ShortfallPlan {
    let mut load: BTreeMap<(&str, WeekSlot, RoomCapability), u32> = BTreeMap::new();
    let rooms_of = |site: &SiteRooms, cap| site.rooms.get(&cap).copied().unwrap_or(0);
    let mut unhoused = Vec::new();
    for need in needs {
        let Some(site) = sites.iter().find(|s| s.site_id == need.site_id) else {
            continue;
        };
        let rooms = rooms_of(site, need.capability);
        let mut free: Vec<(i64, usize, WeekSlot)> = site
            .slots
            .iter()
            .enumerate()
            .map(|(i, slot)| {
                let used = load
                    .get(&(site.site_id.as_str(), *slot, need.capability))
                    .copied()
                    .unwrap_or(0);
                (i64::from(rooms) - i64::from(used), i, *slot)
            })
            .collect();
        free.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for k in 0..need.sessions as usize {
            let Some(&(spare, _, slot)) = free.get(k) else {
                // More sessions than the site has slots: the rest cannot be housed there.
                unhoused.push(Unhoused {
                    label: need.label.clone(),
                    planned: need.planned,
                    site_id: site.site_id.clone(),
                    slot: None,
                    capability: need.capability,
                    free_elsewhere: Vec::new(),
                });
                continue;
            };
            *load
                .entry((site.site_id.as_str(), slot, need.capability))
                .or_default() += 1;
            if spare <= 0 {
                unhoused.push(Unhoused {
                    label: need.label.clone(),
                    planned: need.planned,
                    site_id: site.site_id.clone(),
                    slot: Some(slot),
                    capability: need.capability,
                    free_elsewhere: Vec::new(),
                });
            }
        }
    }
    for u in &mut unhoused {
        u.free_elsewhere = sites
            .iter()
            .filter(|s| s.site_id != u.site_id)
            .filter(|s| {
                let Some(slot) = u.slot.filter(|slot| s.slots.contains(slot)) else {
                    return false;
                };
                let used = load
                    .get(&(s.site_id.as_str(), slot, u.capability))
                    .copied()
                    .unwrap_or(0);
                rooms_of(s, u.capability) > used
            })
            .map(|s| s.site_id.clone())
            .collect();
    }
    let mut loads = Vec::new();
    for site in sites {
        let kinds: Vec<RoomCapability> = needs
            .iter()
            .filter(|n| n.site_id == site.site_id)
            .map(|n| n.capability)
            .chain(site.rooms.keys().copied())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        for capability in kinds {
            for slot in &site.slots {
                loads.push(SlotLoad {
                    site_id: site.site_id.clone(),
                    slot: *slot,
                    capability,
                    needed: load
                        .get(&(site.site_id.as_str(), *slot, capability))
                        .copied()
                        .unwrap_or(0),
                    rooms: rooms_of(site, capability),
                });
            }
        }
    }
    ShortfallPlan { loads, unhoused }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn open_slots_skip_sundays_and_holidays() {
        // Monday 4 May 2026 is a bank holiday; Saturday 9 May opens only with the session.
        let slots = open_slots(
            d("2026-05-04"),
            d("2026-05-10"),
            &[Session::Am, Session::Pm, Session::Saturday],
            |day| day == d("2026-05-04"),
        );
        // Tuesday to Friday: 4 days × AM, PM = 8, and the Saturday session: 9.
        assert_eq!(slots.len(), 9);
        assert_eq!(slots[0], (d("2026-05-05"), Session::Am));
        assert_eq!(slots[8], (d("2026-05-09"), Session::Saturday));
    }

    #[test]
    fn a_worked_week_of_one_room() {
        // Week of 2 March 2026, AM and PM open: 10 open sessions. Booked in 7: 4 marked
        // used, 2 not used, 1 not marked; one booking on the Sunday is not an open session.
        let open = open_slots(
            d("2026-03-02"),
            d("2026-03-08"),
            &[Session::Am, Session::Pm],
            |_| false,
        );
        let mut booked = BTreeMap::new();
        for (day, s, mark) in [
            ("2026-03-02", Session::Am, Some(Mark::Used)),
            ("2026-03-02", Session::Pm, Some(Mark::Used)),
            ("2026-03-03", Session::Am, Some(Mark::NotUsed)),
            ("2026-03-04", Session::Am, Some(Mark::Used)),
            ("2026-03-05", Session::Pm, Some(Mark::NotUsed)),
            ("2026-03-06", Session::Am, Some(Mark::Used)),
            ("2026-03-06", Session::Pm, None),
            ("2026-03-08", Session::Am, Some(Mark::Used)),
        ] {
            booked.insert((d(day), s), mark);
        }
        let use_ = tally(&open, &booked);
        assert_eq!(
            use_,
            RoomUse {
                open: 10,
                booked: 7,
                used: 4,
                not_used: 2
            }
        );
        assert_eq!(use_.unmarked(), 1);
        assert_eq!(use_.booked_percent(), Some(70.0));
        assert_eq!(use_.used_percent(), Some(40.0));
        assert!(use_.below(60));
        assert!(!use_.below(40));
        assert_eq!(percent_text(use_.used_percent()), "40 %");
    }

    #[test]
    fn a_site_adds_its_rooms() {
        let mut site = RoomUse::default();
        site.add(&RoomUse {
            open: 10,
            booked: 9,
            used: 8,
            not_used: 1,
        });
        site.add(&RoomUse {
            open: 10,
            booked: 3,
            used: 1,
            not_used: 0,
        });
        // 9 of 20 used: 45 %, 12 of 20 booked: 60 %.
        assert_eq!(site.used_percent(), Some(45.0));
        assert_eq!(site.booked_percent(), Some(60.0));
        assert_eq!(RoomUse::default().used_percent(), None);
        assert!(!RoomUse::default().below(60));
    }

    #[test]
    fn periods_name_the_field() {
        let default = UsePeriod::last_four_weeks(d("2026-03-31"));
        assert_eq!(default.from, d("2026-03-04"));
        let p = |from: &str, to: &str| {
            UsePeriod::parse(
                &PeriodForm {
                    from: from.into(),
                    to: to.into(),
                },
                default,
            )
        };
        assert_eq!(p("", "").unwrap(), default);
        let e = p("2026-03-10", "2026-03-01").unwrap_err();
        assert!(e.message_for("from").is_some());
        let e = p("2025-01-01", "2026-01-02").unwrap_err();
        assert!(e.message_for("to").unwrap().contains("year"));
        assert!(p("2025-01-01", "2026-01-01").is_ok());
        assert!(p("soon", "").unwrap_err().message_for("from").is_some());
    }

    #[test]
    fn bookings_are_checked() {
        let today = d("2026-03-02");
        let form = BookingForm {
            room_id: "r1".into(),
            date: "2026-03-07".into(),
            session: "pm".into(),
            purpose: "Retinal screening".into(),
        };
        let e = form.parse(today).unwrap_err();
        assert!(e.message_for("session").unwrap().contains("Saturday"));
        let ok = BookingForm {
            date: "2026-03-06".into(),
            ..form.clone()
        };
        assert_eq!(ok.parse(today).unwrap().session, Session::Pm);
        let past = BookingForm {
            date: "2026-03-01".into(),
            ..form.clone()
        };
        assert!(past.parse(today).unwrap_err().message_for("date").is_some());
        let blank = BookingForm::default().parse(today).unwrap_err();
        for field in ["room_id", "date", "session", "purpose"] {
            assert!(blank.message_for(field).is_some(), "{field}");
        }
    }

    fn site(id: &str, consulting: u32, slots: usize) -> SiteRooms {
        let all: Vec<WeekSlot> = (0..5u8)
            .flat_map(|weekday| {
                [Session::Am, Session::Pm]
                    .into_iter()
                    .map(move |session| WeekSlot { weekday, session })
            })
            .collect();
        SiteRooms {
            site_id: id.into(),
            slots: all.into_iter().take(slots).collect(),
            rooms: BTreeMap::from([(RoomCapability::Consulting, consulting)]),
        }
    }

    fn need(label: &str, site: &str, sessions: u32, planned: bool) -> RoomNeed {
        RoomNeed {
            label: label.into(),
            site_id: site.into(),
            capability: RoomCapability::Consulting,
            sessions,
            planned,
        }
    }

    #[test]
    fn a_worked_shortfall() {
        // Site A: 2 consulting rooms, 4 slots (Mon AM, Mon PM, Tue AM, Tue PM) = 8
        // room-sessions. In post: 4 + 3 sessions; planned: 3 more. 10 sessions for 8: two
        // cannot be housed, both of the planned post, and site B has a free room in both.
        let sites = [site("A", 2, 4), site("B", 1, 4)];
        let needs = [
            need("GP one", "A", 4, false),
            need("GP two", "A", 3, false),
            need("Planned clinical pharmacist", "A", 3, true),
        ];
        let plan = plan_rooms(&sites, &needs);
        assert_eq!(plan.short_sessions(), 2);
        assert_eq!(plan.unhoused.len(), 2);
        for u in &plan.unhoused {
            assert_eq!(u.label, "Planned clinical pharmacist");
            assert!(u.planned);
            assert_eq!(u.free_elsewhere, vec!["B".to_string()]);
        }
        let a: u32 = plan
            .loads
            .iter()
            .filter(|l| l.site_id == "A")
            .map(|l| l.needed)
            .sum();
        assert_eq!(a, 10);
        // Every slot of A holds 2 or 3: spread evenly.
        assert!(
            plan.loads
                .iter()
                .filter(|l| l.site_id == "A")
                .all(|l| (2..=3).contains(&l.needed))
        );
    }

    #[test]
    fn no_shortfall_within_the_rooms() {
        let plan = plan_rooms(&[site("A", 2, 10)], &[need("Nurse", "A", 10, false)]);
        assert_eq!(plan.short_sessions(), 0);
        assert!(plan.unhoused.is_empty());
        // More sessions than slots: the rest cannot be housed.
        let plan = plan_rooms(&[site("A", 2, 2)], &[need("GP", "A", 3, false)]);
        assert_eq!(plan.unhoused.len(), 1);
    }

    #[test]
    fn posts_count_sessions() {
        assert_eq!(sessions_a_week(Role::SalariedGp, 1.0), 9.0);
        assert_eq!(sessions_a_week(Role::ClinicalPharmacist, 0.6), 6.0);
    }
}
