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

/// Which of the contract's columns applied to a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Window {
    /// Reported inside the service window (dagtimer).
    Day,
    /// Reported outside it.
    Outside,
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
    pub window: Window,
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
        (false, None) => (Window::Outside, category.day, cal.next_opening(reported)?),
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
/// before the timer was done counts; a pause begun after the deadline had already passed does
/// not undo the breach. An open pause counts up to `now`.
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
        if start >= deadline || end <= start {
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

/// The instant from which a running timer is at risk: a quarter of its target left, in its own
/// clock, before `deadline`.
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

/// Domain §4.6, given the deadline after pauses and the at-risk instant: `met` or `breached`
/// (met late) once done; else `breached` once the deadline has passed, `at-risk` from
/// `risk_from`, `running` before.
pub fn status(
    deadline: DateTime<Utc>,
    risk_from: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Status {
    match done {
        Some(d) if d <= deadline => Status::Met,
        Some(_) => Status::Breached,
        None if now >= deadline => Status::Breached,
        None if now >= risk_from => Status::AtRisk,
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
    out.total = out.days.iter().map(|d| d.amount).sum();
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
