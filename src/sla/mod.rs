//! The clock: which targets apply, deadlines, pauses, timer status and dagsbod (domain §4–§5).
//!
//! Pure: every function takes `now` (where it needs one) as an argument.

pub mod explain;

use crate::calendar::{Span, WorkCalendar};
use crate::contract::{Category, ClockKind, Contract, FineTable, Target};
use crate::error::{Error, Result};
use chrono::{DateTime, TimeDelta, Utc};
pub use explain::{explain_deadlines, explain_timer};
use serde::Serialize;

/// Which of the contract's columns applied to a report (domain §4.7). Whether the report itself
/// fell inside the service window is a separate fact: [`Deadlines::reported_in_window`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Window {
    /// The `day` targets applied: reported inside the service window (dagtimer), or reported
    /// outside it in a category with no `outside` targets (clock from the next opening).
    Day,
    /// The `outside` targets applied: reported outside the window in a category that has them.
    Outside,
}

impl Window {
    /// The word used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::Day => "day",
            Window::Outside => "outside",
        }
    }
}

/// Reaction or resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimerKind {
    Reaction,
    Resolution,
}

/// The clock a single target runs on, after the rules of domain §4.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Clock {
    /// Wall time.
    Continuous,
    /// Service-window time.
    Business,
    /// Same local time on the N-th following working day.
    WorkingDays,
    /// N × 24 h of wall time.
    CalendarDays,
}

impl Clock {
    /// The clock a target of a category with clock `kind` runs on.
    pub fn of(kind: ClockKind, target: Target) -> Clock {
        match (target, kind) {
            (Target::WorkingDays(_), _) => Clock::WorkingDays,
            (Target::CalendarDays(_), _) => Clock::CalendarDays,
            (Target::Minutes(_), ClockKind::Continuous) => Clock::Continuous,
            (Target::Minutes(_), ClockKind::Business) => Clock::Business,
        }
    }

    /// Whether paused time and remaining time are measured inside the service window.
    pub fn counts_window_only(self) -> bool {
        matches!(self, Clock::Business | Clock::WorkingDays)
    }
}

/// One timer's target and deadline before any pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    pub kind: TimerKind,
    pub target: Target,
    pub clock: Clock,
    /// When the clock starts: the report, or the next opening when "not covered".
    pub start: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
}

/// The targets that applied to a report and their deadlines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadlines {
    pub category: String,
    pub reported: DateTime<Utc>,
    /// Which targets applied (domain §4.7).
    pub window: Window,
    /// Whether the report instant fell inside the service window.
    pub reported_in_window: bool,
    /// Whether the category had outside targets (false = "not covered", clock from next opening).
    pub covered_outside: bool,
    pub reaction: Option<Timer>,
    pub resolution: Option<Timer>,
}

impl Deadlines {
    pub fn timer(&self, kind: TimerKind) -> Option<&Timer> {
        match kind {
            TimerKind::Reaction => self.reaction.as_ref(),
            TimerKind::Resolution => self.resolution.as_ref(),
        }
    }
}

/// The deadline of one target from `start` on `clock`; spans counted by a business clock are
/// pushed to `spans` when given.
pub fn deadline_from(
    cal: &WorkCalendar,
    clock: Clock,
    target: Target,
    start: DateTime<Utc>,
    spans: Option<&mut Vec<Span>>,
) -> Result<DateTime<Utc>> {
    match (clock, target) {
        (Clock::WorkingDays, Target::WorkingDays(n)) => {
            let local = cal.local(start);
            let day = cal.add_working_days(local.date(), n)?;
            match cal.window_local(day)? {
                Some((open, close)) => {
                    let t = local.time().clamp(open, close);
                    Ok(cal.to_utc(day.and_time(t)))
                }
                // A working day without a window (a contract without hours that weekday):
                // the day's end.
                None => Ok(cal.to_utc(day.and_time(local.time()))),
            }
        }
        (Clock::Business, Target::Minutes(m)) => {
            cal.add_business(start, TimeDelta::minutes(m.into()), spans)
        }
        (_, t) => {
            let d = t.duration().unwrap_or_default();
            Ok(start + d)
        }
    }
}

/// Domain §4.1–4.2: the targets that apply to `category` reported at `reported`, and their
/// deadlines.
pub fn deadlines(
    cal: &WorkCalendar,
    category: &Category,
    reported: DateTime<Utc>,
) -> Result<Deadlines> {
    let inside = cal.in_window(reported)?;
    let (window, targets, start) = match (inside, category.outside) {
        (true, _) => (Window::Day, category.day, reported),
        (false, Some(out)) => (Window::Outside, out, reported),
        // "Not covered" outside the window: the day targets apply, from the next opening.
        (false, None) => (Window::Day, category.day, cal.next_opening(reported)?),
    };
    let make = |kind, target: Option<Target>| -> Result<Option<Timer>> {
        target
            .map(|target| {
                let clock = Clock::of(category.clock, target);
                Ok(Timer {
                    kind,
                    target,
                    clock,
                    start,
                    deadline: deadline_from(cal, clock, target, start, None)?,
                })
            })
            .transpose()
    };
    Ok(Deadlines {
        category: category.id.clone(),
        reported,
        window,
        reported_in_window: inside,
        covered_outside: category.outside.is_some(),
        reaction: make(TimerKind::Reaction, targets.reaction)?,
        resolution: make(TimerKind::Resolution, targets.resolution)?,
    })
}

/// [`deadlines`] by category id; an unknown id lists the valid ones.
pub fn deadlines_for(
    cal: &WorkCalendar,
    contract: &Contract,
    category: &str,
    reported: DateTime<Utc>,
) -> Result<Deadlines> {
    deadlines(cal, contract.category(category)?, reported)
}

/// A pause: from `start` until `end` (`None` while it lasts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Pause {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// The length of `[a, b)` in a clock: service-window time for business and working-day
/// clocks, wall time otherwise.
pub fn measure(
    cal: &WorkCalendar,
    clock: Clock,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
) -> Result<TimeDelta> {
    if b <= a {
        return Ok(TimeDelta::zero());
    }
    if clock.counts_window_only() {
        cal.business_between(a, b)
    } else {
        Ok(b - a)
    }
}

/// Moves an instant later by `amount` of a clock's time.
pub fn shift(
    cal: &WorkCalendar,
    clock: Clock,
    t: DateTime<Utc>,
    amount: TimeDelta,
) -> Result<DateTime<Utc>> {
    if clock.counts_window_only() {
        cal.add_business(t, amount, None)
    } else {
        Ok(t + amount)
    }
}

/// Domain §4.3: the deadline after pauses. Each pause, in order, moves the deadline by the
/// paused span measured in the target's own clock. Only time after the clock started and
/// before the timer was done counts. A pause that begins at or before the deadline (as moved by
/// the pauses before it) moves it — one starting exactly at the deadline counts, since the timer
/// is not breached at that instant (§4.6); a pause begun after the deadline had passed does not
/// undo the breach. An open pause counts up to `now`.
pub fn paused_deadline(
    cal: &WorkCalendar,
    timer: &Timer,
    pauses: &[Pause],
    done: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let mut deadline = timer.deadline;
    for p in pauses {
        let start = p.start.max(timer.start);
        let mut end = p.end.unwrap_or(now);
        if let Some(d) = done {
            end = end.min(d);
        }
        if start > deadline || end <= start {
            continue;
        }
        let amount = measure(cal, timer.clock, start, end)?;
        deadline = shift(cal, timer.clock, deadline, amount)?;
    }
    Ok(deadline)
}

/// The length of a timer's target in its own clock (working days: the window time from start
/// to the unpaused deadline).
pub fn target_length(cal: &WorkCalendar, timer: &Timer) -> Result<TimeDelta> {
    match timer.target {
        Target::WorkingDays(_) => cal.business_between(timer.start, timer.deadline),
        t => Ok(t.duration().unwrap_or_default()),
    }
}

/// The last instant at which a running timer still has a quarter of its target left, in its own
/// clock, before `deadline`; it is at risk only after this instant (domain §4.6: strictly less
/// than 25 % left). For window clocks this is the latest such instant (a window's opening rather
/// than the previous close, when the quarter begins at an opening).
pub fn at_risk_from(
    cal: &WorkCalendar,
    timer: &Timer,
    deadline: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let quarter = target_length(cal, timer)? / 4;
    if timer.clock.counts_window_only() {
        cal.sub_business(deadline, quarter)
    } else {
        Ok(deadline - quarter)
    }
}

/// The status of a timer (domain §4.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Breached,
    AtRisk,
    Running,
    Met,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::AtRisk => "at-risk",
            Status::Met => "met",
            Status::Breached => "breached",
        }
    }
}

/// Domain §4.6, given the deadline after pauses and the at-risk instant ([`at_risk_from`]):
/// `met` (done at or before the deadline) or `breached` (met late) once done; else `breached`
/// only after the deadline — at the deadline instant itself the timer still runs —, `at-risk`
/// after `risk_from` (exactly 25 % left is still `running`), `running` before.
pub fn status(
    deadline: DateTime<Utc>,
    risk_from: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Status {
    match done {
        Some(d) if d <= deadline => Status::Met,
        Some(_) => Status::Breached,
        None if now > deadline => Status::Breached,
        None if now > risk_from => Status::AtRisk,
        None => Status::Running,
    }
}

/// Time left until the deadline in the timer's own clock (negative: overrun, in wall time for
/// continuous clocks and window time for business clocks).
pub fn remaining(
    cal: &WorkCalendar,
    clock: Clock,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<TimeDelta> {
    if now <= deadline {
        measure(cal, clock, now, deadline)
    } else {
        Ok(-measure(cal, clock, deadline, now)?)
    }
}

/// One started day of a fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FineDay {
    pub begins: DateTime<Utc>,
    pub amount: u64,
}

/// The dagsbod for one overrun.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Fine {
    pub overrun_minutes: i64,
    pub days: Vec<FineDay>,
    pub total: u64,
}

/// Domain §5: the fine for resolving at `end` (or still open at `end` = now) a target due at
/// `deadline`.
pub fn fine(
    cal: &WorkCalendar,
    table: &FineTable,
    deadline: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Fine> {
    let overrun = end - deadline;
    let mut out = Fine {
        overrun_minutes: overrun.num_minutes().max(0),
        ..Fine::default()
    };
    if overrun <= TimeDelta::zero() || overrun < table.grace() {
        return Ok(out);
    }
    let rate = |begins: DateTime<Utc>| {
        if begins - deadline < TimeDelta::hours(24) {
            table.lower
        } else {
            table.higher
        }
    };
    out.days.push(FineDay {
        begins: deadline,
        amount: rate(deadline),
    });
    let mut date = cal.local(deadline).date();
    while (out.days.len() as u32) < table.cap_days {
        date = date
            .succ_opt()
            .ok_or_else(|| Error::NotFound("date overflow".into()))?;
        let midnight = cal.to_utc(date.and_time(chrono::NaiveTime::MIN));
        if midnight >= end {
            break;
        }
        if midnight > deadline && cal.is_working_day(date)? {
            out.days.push(FineDay {
                begins: midnight,
                amount: rate(midnight),
            });
        }
    }
    // Contract amounts are bounded (contract::MAX_KRONER), so this never saturates in practice.
    out.total = out
        .days
        .iter()
        .fold(0u64, |sum, d| sum.saturating_add(d.amount));
    Ok(out)
}

/// One response-time measurement (domain §7): a transaction type from the contract's table,
/// when it was measured and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Measurement {
    /// The transaction type, as named in the contract's `[[response_time]]` table.
    pub kind: String,
    pub at: DateTime<Utc>,
    pub seconds: f64,
}

#[cfg(test)]
mod tests {
    //! The edges of domain §4.3, §4.6 and §4.7, where a minute decides whether money is owed.
    use super::*;
    use crate::calendar::HolidayRules;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
        chrono_tz::Europe::Copenhagen
            .with_ymd_and_hms(y, m, d, h, min, s)
            .single()
            .expect("an unambiguous local time")
            .with_timezone(&Utc)
    }

    fn setup() -> (Contract, WorkCalendar) {
        let c = Contract::default_contract();
        let cal = c.calendar(&HolidayRules::danish());
        (c, cal)
    }

    fn timer_status(cal: &WorkCalendar, t: &Timer, now: DateTime<Utc>) -> Status {
        let deadline = paused_deadline(cal, t, &[], None, now).unwrap();
        let risk = at_risk_from(cal, t, deadline).unwrap();
        status(deadline, risk, None, now)
    }

    #[test]
    fn a_pause_starting_exactly_at_the_deadline_moves_it() {
        let (c, cal) = setup();
        // kritisk Mon 03.03.2025 10:00: resolution 5 h → 15:00.
        let d = deadlines_for(&cal, &c, "kritisk", at(2025, 3, 3, 10, 0, 0)).unwrap();
        let res = d.resolution.unwrap();
        assert_eq!(res.deadline, at(2025, 3, 3, 15, 0, 0));
        let pause = Pause {
            start: at(2025, 3, 3, 15, 0, 0),
            end: Some(at(2025, 3, 3, 16, 0, 0)),
        };
        let done = at(2025, 3, 3, 16, 0, 0);
        let moved = paused_deadline(&cal, &res, &[pause], Some(done), done).unwrap();
        assert_eq!(moved, at(2025, 3, 3, 16, 0, 0));
        assert_eq!(
            status(
                moved,
                at_risk_from(&cal, &res, moved).unwrap(),
                Some(done),
                done
            ),
            Status::Met
        );
        let table = c.category("kritisk").unwrap().fine.unwrap();
        assert_eq!(fine(&cal, &table, moved, done).unwrap().total, 0);
    }

    #[test]
    fn a_pause_starting_a_second_after_the_deadline_does_not_move_it() {
        let (c, cal) = setup();
        let d = deadlines_for(&cal, &c, "kritisk", at(2025, 3, 3, 10, 0, 0)).unwrap();
        let res = d.resolution.unwrap();
        let pause = Pause {
            start: at(2025, 3, 3, 15, 0, 1),
            end: Some(at(2025, 3, 3, 16, 0, 0)),
        };
        let done = at(2025, 3, 3, 16, 0, 0);
        let moved = paused_deadline(&cal, &res, &[pause], Some(done), done).unwrap();
        assert_eq!(moved, res.deadline, "the target was already breached");
        let table = c.category("kritisk").unwrap().fine.unwrap();
        assert_eq!(fine(&cal, &table, moved, done).unwrap().total, 5000);
    }

    #[test]
    fn a_second_pause_at_the_moved_deadline_moves_it_again() {
        let (c, cal) = setup();
        let d = deadlines_for(&cal, &c, "kritisk", at(2025, 3, 3, 10, 0, 0)).unwrap();
        let res = d.resolution.unwrap();
        // 14:00–15:00 moves 15:00 → 16:00; a pause from exactly 16:00 then still counts.
        let pauses = [
            Pause {
                start: at(2025, 3, 3, 14, 0, 0),
                end: Some(at(2025, 3, 3, 15, 0, 0)),
            },
            Pause {
                start: at(2025, 3, 3, 16, 0, 0),
                end: Some(at(2025, 3, 3, 16, 30, 0)),
            },
        ];
        let now = at(2025, 3, 3, 17, 0, 0);
        let moved = paused_deadline(&cal, &res, &pauses, None, now).unwrap();
        assert_eq!(moved, at(2025, 3, 3, 16, 30, 0));
    }

    #[test]
    fn at_the_deadline_instant_a_timer_is_not_breached() {
        let (c, cal) = setup();
        // kritisk Mon 15:30: reaction 3 h → 18:30.
        let d = deadlines_for(&cal, &c, "kritisk", at(2025, 3, 3, 15, 30, 0)).unwrap();
        let r = d.reaction.unwrap();
        assert_eq!(
            timer_status(&cal, &r, at(2025, 3, 3, 18, 30, 0)),
            Status::AtRisk
        );
        assert_eq!(
            timer_status(&cal, &r, at(2025, 3, 3, 18, 30, 1)),
            Status::Breached
        );
        // Done exactly at the deadline is met.
        let dl = r.deadline;
        assert_eq!(status(dl, dl, Some(dl), dl), Status::Met);
    }

    #[test]
    fn exactly_a_quarter_left_is_still_running() {
        let (c, cal) = setup();
        // Continuous: reaction 3 h from 15:30 → 18:30; a quarter (45 min) left at 17:45.
        let d = deadlines_for(&cal, &c, "kritisk", at(2025, 3, 3, 15, 30, 0)).unwrap();
        let r = d.reaction.unwrap();
        assert_eq!(
            timer_status(&cal, &r, at(2025, 3, 3, 17, 45, 0)),
            Status::Running
        );
        assert_eq!(
            timer_status(&cal, &r, at(2025, 3, 3, 17, 45, 1)),
            Status::AtRisk
        );
    }

    #[test]
    fn exactly_a_quarter_of_window_time_left_is_running_overnight() {
        let (c, cal) = setup();
        // laaseenhed Mon 10:15: reaction 8 h of window time → Tue 09:00. A quarter (2 h) is
        // left from Mon 16:15 through the night to Tue 07:00: all of that is still running.
        let d = deadlines_for(&cal, &c, "laaseenhed", at(2025, 3, 3, 10, 15, 0)).unwrap();
        let r = d.reaction.unwrap();
        assert_eq!(r.deadline, at(2025, 3, 4, 9, 0, 0));
        assert_eq!(
            timer_status(&cal, &r, at(2025, 3, 3, 16, 14, 0)),
            Status::Running
        );
        assert_eq!(
            timer_status(&cal, &r, at(2025, 3, 3, 22, 0, 0)),
            Status::Running
        );
        assert_eq!(
            timer_status(&cal, &r, at(2025, 3, 4, 7, 0, 0)),
            Status::Running
        );
        assert_eq!(
            timer_status(&cal, &r, at(2025, 3, 4, 7, 0, 1)),
            Status::AtRisk
        );
    }

    #[test]
    fn window_names_the_targets_that_applied() {
        let (c, cal) = setup();
        // Inside the window: day targets.
        let d = deadlines_for(&cal, &c, "kritisk", at(2025, 3, 3, 10, 0, 0)).unwrap();
        assert_eq!((d.window, d.reported_in_window), (Window::Day, true));
        // Outside, category with outside targets: outside targets.
        let d = deadlines_for(&cal, &c, "kritisk", at(2025, 3, 3, 22, 0, 0)).unwrap();
        assert_eq!((d.window, d.reported_in_window), (Window::Outside, false));
        // Outside, category without outside targets ("not covered"): the day targets applied,
        // from the next opening.
        let d = deadlines_for(&cal, &c, "laaseenhed", at(2025, 3, 3, 22, 0, 0)).unwrap();
        assert_eq!((d.window, d.reported_in_window), (Window::Day, false));
        assert_eq!(d.reaction.unwrap().start, at(2025, 3, 4, 7, 0, 0));
    }
}
