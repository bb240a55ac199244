//! The optimiser's own index-based model of a rostering problem.
//!
//! It is a superset of the Curtois shift-scheduling benchmark (shift types with lengths and
//! forbidden successions, per-person limits, requests, soft cover) with what general practice
//! needs: cover per skill over a set of shift types, sites, rooms as a limited resource per
//! session (counting everyone or one skill), locked assignments, required (fixed) sessions,
//! sessions barred to one person on one day (booked elsewhere) and a minimum rest between
//! days, and a soft fair share of unpopular sessions per person.
//! Everything is addressed by index; names are kept only to read and write files.

/// Index of a member of staff in `Problem::staff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StaffIdx(pub u32);
/// Index of a day of the horizon; day 0 is a Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayIdx(pub u32);
/// Index of a shift type (a session, in general practice) in `Problem::shifts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShiftIdx(pub u32);

/// No limit, where a limit is a count.
pub const UNLIMITED: u32 = u32::MAX;

#[derive(Debug, Clone, PartialEq)]
pub struct ShiftType {
    pub id: String,
    pub minutes: u32,
    /// Shift types that may not be worked the day after this one.
    pub forbidden_next: Vec<usize>,
    /// Minute of the day the shift starts (for the minimum rest); 0 when unknown.
    pub start_minute: u32,
    /// The site the shift is worked at (0 when there is one site).
    pub site: usize,
    /// A skill a person must have to work it.
    pub skill: Option<usize>,
    /// Days of the horizon the shift is not worked (a site closed on a bank holiday, a
    /// Saturday session on a weekday), sorted; working it then breaks a hard rule.
    pub closed_days: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StaffMember {
    pub id: String,
    /// Most shifts of each type over the horizon (`UNLIMITED`, or 0 to forbid a type).
    pub max_shifts: Vec<u32>,
    pub max_minutes: u32,
    pub min_minutes: u32,
    pub max_consecutive: u32,
    pub min_consecutive: u32,
    pub min_days_off: u32,
    pub max_weekends: u32,
    /// `true` on days the person must not work.
    pub days_off: Vec<bool>,
    /// Skills as a bit set (bit `k` is skill `k`).
    pub skills: u64,
    /// Minimum minutes between the end of one day's shift and the start of the next; 0 for none.
    pub min_rest_minutes: u32,
}

/// A wish to work (on) or not work (off) a shift on a day, with its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub staff: usize,
    pub day: usize,
    pub shift: usize,
    pub weight: u32,
}

/// A wish to work on a day, met by any of a set of shift types: a GP who asks for "Tuesday PM"
/// is happy with the PM or AM + PM type at any of their sites. The weight is paid when they
/// are off that day or on a type outside the set. The benchmark's on request is the case of
/// one type; this one is the product's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkRequest {
    pub staff: usize,
    pub day: usize,
    /// The shift types that meet it, sorted and without duplicates.
    pub shifts: Vec<usize>,
    pub weight: u32,
}

/// How many people a set of shift types needs on a day (optionally with a skill), and what
/// each person short or over costs. A person counts when their shift that day is any of
/// `shifts`: "Tuesday AM at site 1" counts the AM and the AM+PM types of site 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub day: usize,
    /// The shift types that count, sorted and without duplicates (one in the benchmark).
    pub shifts: Vec<usize>,
    pub requirement: u32,
    pub weight_under: u32,
    pub weight_over: u32,
    /// Count only people with this skill.
    pub skill: Option<usize>,
}

/// Rooms shared by some shift types at the same time: on any day, at most `capacity`
/// people may work those shifts (fewer on a day of `capacity_by_day`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomPool {
    pub shifts: Vec<usize>,
    pub capacity: u32,
    /// The rooms free on each day when some are booked for something else (an ad-hoc
    /// booking); empty: `capacity` every day. None in the benchmark.
    pub capacity_by_day: Vec<u32>,
    /// Count only people with this skill (a consulting-room pool counts clinicians, not
    /// receptionists); `None` counts everyone.
    pub skill: Option<usize>,
}

impl RoomPool {
    /// The rooms of the pool free on day `d`.
    pub fn capacity_on(&self, d: usize) -> u32 {
        self.capacity_by_day
            .get(d)
            .copied()
            .unwrap_or(self.capacity)
    }
}

/// A cell the search may not change: the person works `shift` (or is off when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    pub staff: usize,
    pub day: usize,
    pub shift: Option<usize>,
}

/// A fixed session of a contract: on `day` the person must work one of `shifts` (a GP's
/// "Monday AM" is every AM-containing type at any of their sites).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    pub staff: usize,
    pub day: usize,
    /// The shift types that satisfy it, sorted and without duplicates.
    pub shifts: Vec<usize>,
}

/// Shift types a person may not work on a day (a session they already work elsewhere): each
/// one worked there is a hard violation (`HardRule::Unavailable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub staff: usize,
    pub day: usize,
    /// The shift types they may not work that day, sorted and without duplicates.
    pub shifts: Vec<usize>,
}

/// A soft fair share: person `staff` should work `target` shifts of the types `shifts` over
/// the horizon (their share of the evenings, in proportion to their contract); each shift
/// more or fewer costs `weight`. The penalty is linear, `weight × |count − target|`: it is
/// convex, so the row re-plan prices it with one multiplier, and it never outweighs the cover
/// a caller weighs more per person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FairShare {
    pub staff: usize,
    /// The shift types that count (a type listed twice still counts a day once).
    pub shifts: Vec<usize>,
    pub target: u32,
    pub weight: u32,
}

/// At most `most` shifts of the types in `shifts` for one person over days `from..to` (the
/// product's evenings or Saturdays a calendar month); none in the benchmark. Each shift over
/// is a hard unit (`HardRule::WindowLimit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowLimit {
    pub staff: usize,
    pub shifts: Vec<usize>,
    pub from: usize,
    pub to: usize,
    pub most: u32,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problem {
    pub days: usize,
    pub shifts: Vec<ShiftType>,
    pub staff: Vec<StaffMember>,
    pub on_requests: Vec<Request>,
    pub off_requests: Vec<Request>,
    /// Wishes to work one of several shift types; none in the benchmark. Their penalty counts
    /// with the on requests (`Breakdown::on_requests`).
    pub work_requests: Vec<WorkRequest>,
    pub cover: Vec<Cover>,
    pub rooms: Vec<RoomPool>,
    pub locks: Vec<Lock>,
    /// Fixed sessions; each unmet one is a hard violation (`HardRule::Required`).
    pub required: Vec<Required>,
    /// Shift types barred to one person on one day; none in the benchmark.
    pub unavailable: Vec<Unavailable>,
    /// Soft fair shares of unpopular shifts; none in the benchmark (its files do not hold them).
    pub fair_shares: Vec<FairShare>,
    /// Limits on a set of types within a run of days; none in the benchmark.
    pub window_limits: Vec<WindowLimit>,
}

impl Problem {
    pub fn shift_index(&self, id: &str) -> Option<usize> {
        self.shifts.iter().position(|s| s.id == id)
    }

    /// Whether person `e` may work shift type `s` at all: some of it allowed and its skill held.
    pub fn may_work(&self, e: usize, s: usize) -> bool {
        let (m, shift) = (&self.staff[e], &self.shifts[s]);
        m.max_shifts[s] > 0 && shift.skill.is_none_or(|k| m.skills & (1 << k) != 0)
    }

    /// Weekend `k` is days `7k+5` (Saturday) and `7k+6` (Sunday).
    pub fn weekends(&self) -> usize {
        self.days.div_ceil(7)
    }
}

/// An assignment: for each person and day, a shift type or a day off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    pub days: usize,
    /// Row-major `[staff][day]`; `OFF` for a day off.
    pub cells: Vec<u16>,
}

/// A day off in `Roster::cells`.
pub const OFF: u16 = u16::MAX;

impl Roster {
    pub fn empty(staff: usize, days: usize) -> Roster {
        Roster {
            days,
            cells: vec![OFF; staff * days],
        }
    }

    pub fn get(&self, staff: usize, day: usize) -> Option<usize> {
        let v = self.cells[staff * self.days + day];
        (v != OFF).then_some(v as usize)
    }

    pub fn set(&mut self, staff: usize, day: usize, shift: Option<usize>) {
        self.cells[staff * self.days + day] = shift.map_or(OFF, |s| s as u16);
    }

    pub fn row(&self, staff: usize) -> &[u16] {
        &self.cells[staff * self.days..(staff + 1) * self.days]
    }

    pub fn staff_count(&self) -> usize {
        self.cells.len() / self.days.max(1)
    }
}
