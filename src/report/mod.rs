//! The monthly service report (servicerapport, domain §5–§7): reaction and resolution per
//! category, breaches and dagsbod, availability and its fine, response-time faults and the
//! operational-test streak. The rules the domain leaves open are written down in
//! `docs/report.md`.
//!
//! Pure: no clock, no disk. The caller passes the tickets (pre-filtered with [`relevant`] over
//! [`data_window`]), the measurements and `now`.

mod render;
mod svartider;

pub use render::{cells, render, render_csv, render_html, render_json, render_markdown, Format};
pub use svartider::{
    fault_category, parse_measurements_csv, response_times, Fault, FaultCategory, ResponseReport,
    TypeStats,
};

use crate::calendar::WorkCalendar;
use crate::contract::{Contract, Target};
use crate::error::{Error, Result};
use crate::sla::{self, Clock, Measurement, TimerKind};
use crate::ticket::{evaluate, Event, EventKind, Ticket, TicketId};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeSet;

/// Working days in a row the operational test asks for (domain §6).
pub const OPERATIONAL_TEST_DAYS: u32 = 20;

/// Calendar days before the month's first day that the operational-test streak looks back to
/// (≥ 20 working days in every Danish year, even over Easter or Christmas).
pub const LOOKBACK_DAYS: i64 = 42;

/// What a report is built from.
pub struct ReportInput<'a> {
    pub contract: &'a Contract,
    pub calendar: &'a WorkCalendar,
    /// (year, month 1–12).
    pub month: (i32, u32),
    /// Only this municipality's tickets (case-insensitive); `None` for all.
    pub municipality: Option<&'a str>,
    /// Tickets with their events. Downtime incidents use them (their remedy notes) and so does
    /// the list of late recordings; a ticket given with none lists no late step.
    pub tickets: &'a [(Ticket, Vec<Event>)],
    pub measurements: &'a [Measurement],
    pub now: DateTime<Utc>,
    /// The versions of the contract the log keeps (domain §10), oldest first: a ticket is
    /// evaluated with the one in force on its report day. Empty: every ticket with `contract`.
    pub versions: &'a [Version<'a>],
}

/// A kept version of the report's contract and the first report day it applies to (`None`:
/// from the start).
#[derive(Clone, Copy)]
pub struct Version<'a> {
    pub from: Option<NaiveDate>,
    pub contract: &'a Contract,
    pub calendar: &'a WorkCalendar,
}

/// The month a report covers, as UTC instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    /// Local midnight of the month's first day.
    pub start: DateTime<Utc>,
    /// Local midnight of the next month's first day.
    pub end: DateTime<Utc>,
    /// Where the report stops: the month's end, or `now` if earlier (month to date).
    pub until: DateTime<Utc>,
    /// Whether the month is not over yet.
    pub partial: bool,
}

/// Reads `YYYY-MM` (also `YYYY-M`).
pub fn parse_month(s: &str) -> Result<(i32, u32)> {
    let bad = || Error::BadMonth(s.trim().to_string());
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    Ok((y, m))
}

fn first_day(year: i32, month: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
        .ok_or_else(|| Error::BadMonth(format!("{year}-{month:02}")))
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The month's bounds in the calendar's zone; refused when the month has not begun at `now`.
pub fn period(cal: &WorkCalendar, month: (i32, u32), now: DateTime<Utc>) -> Result<Period> {
    let first = first_day(month.0, month.1)?;
    let start = cal.to_utc(first.and_time(NaiveTime::MIN));
    let end = cal.to_utc(next_month(first).and_time(NaiveTime::MIN));
    if now <= start {
        let (y, m) = month;
        let local = cal.local(now);
        return Err(Error::Said {
            da: format!(
                "måneden {y}-{m:02} er ikke begyndt endnu (nu er {}); angiv en måned, der er begyndt",
                crate::i18n::Lang::Da.datetime(local)
            ),
            en: format!(
                "the month {y}-{m:02} has not begun yet (now is {}); give a month that has begun",
                local.format("%Y-%m-%d %H:%M")
            ),
        });
    }
    Ok(Period {
        start,
        end,
        until: end.min(now),
        partial: now < end,
    })
}

/// The span of time whose tickets a month's report needs: from [`LOOKBACK_DAYS`] before the
/// month (for the operational-test streak) to the month's end or `now`. Pass it to
/// [`relevant`] to pick tickets before loading their events.
pub fn data_window(
    cal: &WorkCalendar,
    month: (i32, u32),
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
    let p = period(cal, month, now)?;
    let first = first_day(month.0, month.1)?;
    let from = cal.to_utc((first - TimeDelta::days(LOOKBACK_DAYS)).and_time(NaiveTime::MIN));
    Ok((from, p.until))
}

/// Whether a ticket can matter to a report over `[from, to)`: reported before `to` and not
/// resolved before `from` (reported, resolved or open in it; open tickets cover downtime
/// spanning months and deadlines that fall due unmet).
pub fn relevant(ticket: &Ticket, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    ticket.reported < to && ticket.resolved.is_none_or(|r| r >= from)
}

/// The whole report. Serializes to the JSON of `frist report --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `YYYY-MM`.
    pub month: String,
    pub municipality: Option<String>,
    pub contract: String,
    pub contract_name: String,
    pub period: Period,
    /// The instant the report was made (`now`).
    pub generated: DateTime<Utc>,
    pub categories: Vec<CategoryRow>,
    pub breaches: Vec<Breach>,
    pub fines: Fines,
    pub availability: AvailabilityReport,
    /// Every paused span in the month of the tickets in this report, with its reason.
    pub pauses: Vec<PauseRow>,
    pub operational_test: OperationalTest,
    pub response_times: ResponseReport,
    /// Steps that took effect in the month but were written down more than
    /// [`crate::ticket::LATE_RECORDING`] later (domain §4.8), oldest first.
    pub late_recordings: Vec<LateRecording>,
    /// The corrections of the month's tickets (retracted steps, edited text, disputed
    /// breaches), whenever written, with their reasons, oldest first (domain §9).
    pub corrections: Vec<CorrectionRow>,
    /// The signed checkpoint of the log taken when the report was made (`frist report` over a
    /// log; `None` when built from tickets alone). `frist verify --checkpoint` reads it back.
    pub checkpoint: Option<crate::checkpoint::Checkpoint>,
    /// The contract's longest service-window day in minutes: one working day when an overrun
    /// of a working-day target is shown in working days.
    pub window_day_minutes: i64,
    /// The contract's zone, for the renderers.
    #[serde(skip)]
    pub tz: Tz,
}

/// One category's line of the table (seed 000's "Indberettede fejl").
#[derive(Debug, Clone, Serialize)]
pub struct CategoryRow {
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// Tickets with at least one timer counted in the month.
    pub count: u32,
    /// `None` when the category has no reaction target.
    pub reaction: Option<TimerStats>,
    pub resolution: Option<TimerStats>,
}

/// The figures of one timer (reaction or resolution) of a category.
#[derive(Debug, Clone, Serialize)]
pub struct TimerStats {
    /// The day target (`3h`, `1wd`, `14d`).
    pub target: String,
    /// The target outside the service window, when the category has one.
    pub target_outside: Option<String>,
    /// The clock the actual times are measured in.
    pub clock: Clock,
    /// Target minutes in that clock (day target; `None` for working days).
    pub target_minutes: Option<i64>,
    /// Average actual time, paused time left out, in whole minutes of the clock (service-window
    /// minutes for business and working-day targets, wall minutes otherwise). `None`: no timers.
    pub average_minutes: Option<i64>,
    pub max_minutes: Option<i64>,
    /// For working-day targets: the averages in working days (one day = the target's window
    /// time ÷ N for that ticket).
    pub average_working_days: Option<f64>,
    pub max_working_days: Option<f64>,
    /// Timers counted.
    pub count: u32,
    pub met: u32,
    pub breached: u32,
    /// Of the breached: still not done when the report was made.
    pub open: u32,
}

/// A timer that fell due unmet in the month.
#[derive(Debug, Clone, Serialize)]
pub struct Breach {
    pub ticket: TicketId,
    pub municipality: String,
    pub title: String,
    pub category: String,
    pub timer: TimerKind,
    pub clock: Clock,
    pub target: String,
    /// The deadline after pauses.
    pub deadline: DateTime<Utc>,
    /// When the timer was met (late); `None` while still open.
    pub done: Option<DateTime<Utc>>,
    /// Overrun in the timer's own clock, whole minutes (up to `now` while open): wall minutes
    /// for continuous and calendar-day targets, service-window minutes otherwise.
    pub overrun_minutes: i64,
    /// For a working-day target: the overrun in working days (window minutes ÷ the
    /// contract's full window day, as the board counts them), one decimal.
    pub overrun_working_days: Option<f64>,
    /// Dagsbod (resolution only), up to `now` while open, capped by the contract.
    pub fine: u64,
    /// Started fine days charged.
    pub fine_days: u32,
    /// Times the municipality rejected a resolution (the clock runs from the original report).
    pub rejections: u32,
    /// A supervisor's reason for disputing the breach, when disputed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disputed: Option<String>,
}

/// The month's fines ("Samlet bodsbeløb").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Fines {
    /// Dagsbod for late resolutions.
    pub resolution: u64,
    pub availability: u64,
    pub response_times: u64,
    pub total: u64,
}

/// Availability (driftseffektivitet, domain §6).
#[derive(Debug, Clone, Serialize)]
pub struct AvailabilityReport {
    /// 100 × (period − downtime) / period, unrounded.
    pub percent: f64,
    pub downtime_minutes: i64,
    pub downtime_seconds: i64,
    /// The period measured, in wall minutes (the whole month, or month to date).
    pub period_minutes: i64,
    pub target_percent: Option<f64>,
    /// Started half percentage points below the target.
    pub half_points_below: u64,
    pub fine: u64,
    pub incidents: Vec<Incident>,
}

/// One downtime incident (seed 003 §3.1.1: start, end, kind, cause, remedy).
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    pub ticket: TicketId,
    pub municipality: String,
    pub category: String,
    /// The report instant.
    pub start: DateTime<Utc>,
    /// The resolution that counts; `None` while still down.
    pub end: Option<DateTime<Utc>>,
    /// This incident's downtime inside the month, pauses left out (overlaps with other
    /// incidents count once in the total).
    pub minutes_in_month: i64,
    /// The ticket's title and description.
    pub cause: String,
    /// The resolution notes (last first), else the reaction note.
    pub remedy: String,
    /// Pause reasons of this incident.
    pub pauses: Vec<PauseRow>,
}

/// A paused span (waiting for the municipality) and its reason.
#[derive(Debug, Clone, Serialize)]
pub struct PauseRow {
    pub ticket: TicketId,
    pub start: DateTime<Utc>,
    /// `None` while it lasts.
    pub end: Option<DateTime<Utc>>,
    /// Wall minutes of the pause inside the month.
    pub minutes_in_month: i64,
    pub reason: String,
}

/// A step recorded long after it took effect: the municipality may dispute it.
#[derive(Debug, Clone, Serialize)]
pub struct LateRecording {
    pub ticket: TicketId,
    /// The event's number within its ticket (`seq`).
    pub event: u32,
    /// The step's name in the log (`resolved`, `accepted`, …).
    pub step: String,
    pub user: String,
    /// When the step took effect.
    pub effective: DateTime<Utc>,
    /// When it was written down.
    pub recorded: DateTime<Utc>,
    /// `recorded − effective` in whole minutes.
    pub minutes_later: i64,
}

/// A correction: a step withdrawn, a ticket's text mended or a breach disputed, and why.
#[derive(Debug, Clone, Serialize)]
pub struct CorrectionRow {
    pub ticket: TicketId,
    /// The correction's own number within its ticket (`seq`).
    pub event: u32,
    pub user: String,
    pub recorded: DateTime<Utc>,
    /// The correction as the log holds it, with its reason.
    #[serde(flatten)]
    pub correction: EventKind,
}

/// The operational test (driftsprøve, domain §6).
#[derive(Debug, Clone, Serialize)]
pub struct OperationalTest {
    /// Working days in a row, ending at `ends`, on which no target fell due unmet.
    pub streak_working_days: u32,
    /// Passed: at least `required` days, and something to judge (see `deadlines_fell_due`).
    pub passed: bool,
    pub required: u32,
    /// Deadlines that fell due in the look-back. With none (an empty log, a new contract)
    /// there is nothing to judge: the streak is only the calendar, and the test is not
    /// called passed.
    pub deadlines_fell_due: usize,
    /// The last day counted: the month's last day, or today while the month runs.
    pub ends: NaiveDate,
    /// The first day of the streak.
    pub since: Option<NaiveDate>,
    /// The working day that broke the streak, if within the look-back.
    pub broken_on: Option<NaiveDate>,
    /// The streak reached the look-back limit: it is at least this long.
    pub at_least: bool,
}

impl TimerStats {
    /// The average actual time as a share of the target (1.0 = exactly the target), for bar
    /// charts; `None` when nothing was measured. Working-day targets compare working days.
    pub fn ratio_to_target(&self) -> Option<f64> {
        match (
            self.average_working_days,
            self.average_minutes,
            self.target_minutes,
        ) {
            (Some(wd), _, _) => match Target::parse(&self.target) {
                Some(Target::WorkingDays(n)) if n > 0 => Some(wd / f64::from(n)),
                _ => None,
            },
            (None, Some(m), Some(t)) if t > 0 => Some(m as f64 / t as f64),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Acc {
    seconds: Vec<i64>,
    working_days: Vec<f64>,
    met: u32,
    breached: u32,
    open: u32,
}

impl Acc {
    fn stats(&self, target: Option<Target>, outside: Option<Target>, clock: Clock) -> TimerStats {
        let n = self.seconds.len() as i64;
        let avg =
            |v: &[f64]| (!v.is_empty()).then(|| round1(v.iter().sum::<f64>() / v.len() as f64));
        TimerStats {
            target: target.map(|t| t.to_string()).unwrap_or_default(),
            target_outside: outside.map(|t| t.to_string()),
            clock,
            target_minutes: target.and_then(|t| t.duration()).map(|d| d.num_minutes()),
            average_minutes: (n > 0).then(|| div_round(self.seconds.iter().sum::<i64>(), n * 60)),
            max_minutes: self.seconds.iter().max().map(|s| div_round(*s, 60)),
            average_working_days: avg(&self.working_days),
            max_working_days: self
                .working_days
                .iter()
                .copied()
                .reduce(f64::max)
                .map(round1),
            count: n as u32,
            met: self.met,
            breached: self.breached,
            open: self.open,
        }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `a / b` rounded half up (b > 0, a ≥ 0).
fn div_round(a: i64, b: i64) -> i64 {
    (2 * a + b) / (2 * b)
}

fn clip(
    a: DateTime<Utc>,
    b: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<(i64, i64)> {
    let (a, b) = (a.max(from).timestamp(), b.min(to).timestamp());
    (b > a).then_some((a, b))
}

/// `[a, b)` minus the ticket's paused spans (open pauses up to `now`).
fn minus_pauses(
    t: &Ticket,
    a: DateTime<Utc>,
    b: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = vec![(a, b)];
    for p in &t.pauses {
        let (ps, pe) = (p.start, p.end.unwrap_or(now));
        if pe <= ps {
            continue;
        }
        out = out
            .into_iter()
            .flat_map(|(s, e)| {
                let mut v = Vec::with_capacity(2);
                if ps > s {
                    v.push((s, e.min(ps)));
                }
                if pe < e {
                    v.push((s.max(pe), e));
                }
                v.into_iter().filter(|(s, e)| e > s)
            })
            .collect();
    }
    out
}

pub fn same_municipality(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

fn remedy(events: &[Event]) -> String {
    let resolved: Vec<&str> = events
        .iter()
        .rev()
        .filter_map(|e| match &e.kind {
            EventKind::Resolved { note } if !note.trim().is_empty() => Some(note.trim()),
            _ => None,
        })
        .collect();
    if !resolved.is_empty() {
        return resolved.join(" / ");
    }
    events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Reacted { note } if !note.trim().is_empty() => Some(note.trim().to_string()),
            _ => None,
        })
        .unwrap_or_default()
}

fn cause(t: &Ticket) -> String {
    match (t.title.trim(), t.description.trim()) {
        (a, "") => a.to_string(),
        (a, b) => format!("{a}: {b}"),
    }
}

fn pause_rows(t: &Ticket, p: &Period, now: DateTime<Utc>) -> Vec<PauseRow> {
    t.pauses
        .iter()
        .filter_map(|ps| {
            let end = ps.end.unwrap_or(now);
            let overlaps = ps.start < p.until && end > p.start;
            overlaps.then(|| PauseRow {
                ticket: t.id,
                start: ps.start,
                end: ps.end,
                minutes_in_month: clip(ps.start, end, p.start, p.until)
                    .map_or(0, |(a, b)| div_round(b - a, 60)),
                reason: ps.reason.clone(),
            })
        })
        .collect()
}

/// Builds the month's report.
pub fn build(input: &ReportInput) -> Result<Report> {
    let (contract, cal, now) = (input.contract, input.calendar, input.now);
    let p = period(cal, input.month, now)?;
    let (look_from, _) = data_window(cal, input.month, now)?;
    let cats = &contract.categories;
    let mut acc: Vec<[Acc; 2]> = cats.iter().map(|_| Default::default()).collect();
    let mut counted: Vec<u32> = vec![0; cats.len()];
    let mut breaches = Vec::new();
    let mut failing: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut fell_due = 0usize;
    let mut down: Vec<(i64, i64)> = Vec::new();
    let mut incidents = Vec::new();
    let mut pauses = Vec::new();
    let mut late_recordings = Vec::new();
    let mut corrections = Vec::new();

    for (t, events) in input.tickets {
        if t.contract != contract.id
            || !relevant(t, look_from, p.until)
            || input
                .municipality
                .is_some_and(|m| !same_municipality(m, &t.municipality))
        {
            continue;
        }
        let ci =
            cats.iter()
                .position(|c| c.id == t.category)
                .ok_or_else(|| {
                    Error::Invalid(format!(
                "ticket {}: unknown category '{}' in contract {}; reclassify it to one of: {}",
                t.id,
                t.category,
                contract.id,
                cats.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
            ))
                })?;
        let category = &cats[ci];
        late_recordings.extend(
            events
                .iter()
                .filter(|e| e.effective >= p.start && e.effective < p.until)
                .filter_map(|e| {
                    let lag = e.recorded_late()?;
                    Some(LateRecording {
                        ticket: t.id,
                        event: e.seq,
                        step: e.kind.name().to_string(),
                        user: e.user.clone(),
                        effective: e.effective,
                        recorded: e.recorded,
                        minutes_later: lag.num_minutes(),
                    })
                }),
        );
        corrections.extend(
            events
                .iter()
                // Every correction of a ticket of the month, whenever written: a report made
                // again later shows what was withdrawn since, and why.
                .filter(|_| relevant(t, p.start, p.until))
                .filter(|e| e.kind.correction_text(crate::i18n::Lang::En).is_some())
                .map(|e| CorrectionRow {
                    ticket: t.id,
                    event: e.seq,
                    user: e.user.clone(),
                    recorded: e.recorded,
                    correction: e.kind.clone(),
                }),
        );
        let day = cal.local(t.reported).date();
        let (c, k) = input
            .versions
            .iter()
            .rev()
            .find(|v| v.from.is_none_or(|f| f <= day))
            .map_or((contract, cal), |v| (v.contract, v.calendar));
        let ev = evaluate(t, c, k, now)?;
        let mut in_report = false;

        for (slot, te) in [(0usize, &ev.reaction), (1, &ev.resolution)] {
            let (Some(timer), Some(deadline)) = (te.timer, te.deadline) else {
                continue;
            };
            let breached = match te.done {
                Some(d) => d > deadline,
                // At the deadline instant itself the timer is not yet breached (§4.6).
                None => now > deadline,
            };
            if deadline >= look_from && deadline < p.until && deadline <= now {
                fell_due += 1;
            }
            if breached && deadline >= look_from && deadline < p.until {
                failing.insert(cal.local(deadline).date());
            }
            // A timer belongs to the month it was decided in: a breach to the month its
            // deadline fell in, a met timer to the month it was met in.
            let decided = match (breached, te.done) {
                (true, _) => deadline,
                (false, Some(d)) => d,
                (false, None) => continue,
            };
            if decided < p.start || decided >= p.until {
                continue;
            }
            in_report = true;
            let end = te.done.unwrap_or(now);
            let mut net = sla::measure(cal, timer.clock, timer.start, end)?;
            for ps in &t.pauses {
                let a = ps.start.max(timer.start);
                let b = ps.end.unwrap_or(now).min(end);
                net -= sla::measure(cal, timer.clock, a, b)?;
            }
            let net = net.max(TimeDelta::zero());
            let a = &mut acc[ci][slot];
            a.seconds.push(net.num_seconds());
            if let Target::WorkingDays(n) = timer.target {
                let day = sla::target_length(cal, &timer)?.num_seconds() as f64 / f64::from(n);
                if day > 0.0 {
                    a.working_days.push(net.num_seconds() as f64 / day);
                }
            }
            if breached {
                a.breached += 1;
                if te.done.is_none() {
                    a.open += 1;
                }
                let overrun = sla::measure(cal, timer.clock, deadline, end)?;
                let (fine, fine_days) = match timer.kind {
                    TimerKind::Resolution => (ev.fine.total, ev.fine.days.len() as u32),
                    TimerKind::Reaction => (0, 0),
                };
                breaches.push(Breach {
                    ticket: t.id,
                    municipality: t.municipality.clone(),
                    title: t.title.clone(),
                    category: category.id.clone(),
                    timer: timer.kind,
                    clock: timer.clock,
                    target: timer.target.to_string(),
                    deadline,
                    done: te.done,
                    overrun_minutes: overrun.num_minutes(),
                    overrun_working_days: (timer.clock == Clock::WorkingDays).then(|| {
                        round1(
                            overrun.num_minutes() as f64
                                / contract.full_window_day().num_minutes().max(1) as f64,
                        )
                    }),
                    fine,
                    fine_days,
                    rejections: t.rejections.len() as u32,
                    disputed: t.disputed.as_ref().map(|d| d.text.clone()),
                });
            } else {
                a.met += 1;
            }
        }
        if in_report {
            counted[ci] += 1;
        }

        if category.downtime {
            let end = t.resolved.unwrap_or(now);
            let pieces: Vec<(i64, i64)> = minus_pauses(t, t.reported, end, now)
                .into_iter()
                .filter_map(|(a, b)| clip(a, b, p.start, p.until))
                .collect();
            if !pieces.is_empty() {
                in_report = true;
                let secs: i64 = pieces.iter().map(|(a, b)| b - a).sum();
                down.extend(pieces);
                incidents.push(Incident {
                    ticket: t.id,
                    municipality: t.municipality.clone(),
                    category: category.id.clone(),
                    start: t.reported,
                    end: t.resolved,
                    minutes_in_month: div_round(secs, 60),
                    cause: cause(t),
                    remedy: remedy(events),
                    pauses: pause_rows(t, &p, now),
                });
            }
        }
        if in_report {
            pauses.extend(pause_rows(t, &p, now));
        }
    }

    let categories = cats
        .iter()
        .zip(&acc)
        .zip(&counted)
        .map(|((c, a), n)| {
            let out = c.outside;
            CategoryRow {
                id: c.id.clone(),
                name: c.name.clone(),
                name_en: c.name_en.clone(),
                count: *n,
                reaction: c.day.reaction.map(|t| {
                    let clock = sla::Clock::of(c.clock, t);
                    a[0].stats(Some(t), out.and_then(|o| o.reaction), clock)
                }),
                resolution: c.day.resolution.map(|t| {
                    let clock = sla::Clock::of(c.clock, t);
                    a[1].stats(Some(t), out.and_then(|o| o.resolution), clock)
                }),
            }
        })
        .collect();

    breaches.sort_by_key(|b| (b.deadline, b.ticket));
    incidents.sort_by_key(|i| (i.start, i.ticket));
    pauses.sort_by_key(|p| (p.start, p.ticket));
    late_recordings.sort_by_key(|x| (x.effective, x.ticket, x.event));
    corrections.sort_by_key(|x| (x.recorded, x.ticket, x.event));
    let availability = availability(contract, &p, down, incidents);
    let operational_test = streak(cal, &p, look_from, &failing, fell_due)?;
    let response_times = response_times(contract, cal, &p, input.measurements);
    let resolution = breaches
        .iter()
        .fold(0u64, |sum, b| sum.saturating_add(b.fine));
    let fines = Fines {
        resolution,
        availability: availability.fine,
        response_times: response_times.fine,
        total: resolution
            .saturating_add(availability.fine)
            .saturating_add(response_times.fine),
    };
    Ok(Report {
        month: format!("{}-{:02}", input.month.0, input.month.1),
        municipality: input.municipality.map(|m| m.trim().to_string()),
        contract: contract.id.clone(),
        contract_name: contract.name.clone(),
        period: p,
        generated: now,
        categories,
        breaches,
        fines,
        availability,
        pauses,
        operational_test,
        response_times,
        late_recordings,
        corrections,
        checkpoint: None,
        window_day_minutes: contract.full_window_day().num_minutes(),
        tz: contract.tz,
    })
}

/// Total length of the union of half-open second intervals.
fn union_seconds(mut v: Vec<(i64, i64)>) -> i64 {
    v.sort_unstable();
    let mut total = 0;
    let mut cur: Option<(i64, i64)> = None;
    for (a, b) in v {
        match cur {
            Some((s, e)) if a <= e => cur = Some((s, e.max(b))),
            Some((s, e)) => {
                total += e - s;
                cur = Some((a, b));
            }
            None => cur = Some((a, b)),
        }
    }
    total + cur.map_or(0, |(s, e)| e - s)
}

/// Started half points below the target, in exact integer arithmetic: the shortfall is
/// `down/period − (100 − target)/100`; a half point is 0.5/100.
pub fn half_points_below(target_percent: f64, down_seconds: i64, period_seconds: i64) -> u64 {
    if period_seconds <= 0 {
        return 0;
    }
    // Target in hundredths of a percent (99 % → 9900), so 1 bp = 1/10000.
    let target_bp = (target_percent * 100.0).round() as i128;
    let (down, period) = (i128::from(down_seconds), i128::from(period_seconds));
    // shortfall in bp × period: down × 10000 − period × (10000 − target_bp)
    let short = down * 10_000 - period * (10_000 - target_bp);
    if short <= 0 {
        return 0;
    }
    let half = 50 * period;
    ((short + half - 1) / half) as u64
}

fn availability(
    contract: &Contract,
    p: &Period,
    down: Vec<(i64, i64)>,
    incidents: Vec<Incident>,
) -> AvailabilityReport {
    let period_seconds = (p.until - p.start).num_seconds();
    let down_seconds = union_seconds(down);
    let percent = if period_seconds > 0 {
        100.0 * (period_seconds - down_seconds) as f64 / period_seconds as f64
    } else {
        100.0
    };
    let (target, halves, fine) = match contract.availability {
        Some(a) => {
            let h = half_points_below(a.target_percent, down_seconds, period_seconds);
            (Some(a.target_percent), h, h * a.fine_per_half_point)
        }
        None => (None, 0, 0),
    };
    AvailabilityReport {
        percent,
        downtime_minutes: div_round(down_seconds, 60),
        downtime_seconds: down_seconds,
        period_minutes: div_round(period_seconds, 60),
        target_percent: target,
        half_points_below: halves,
        fine,
        incidents,
    }
}

/// Domain §6: working days in a row, ending at the report's end, on which no target fell due
/// unmet. A breach on a closed day breaks the streak on the next working day.
fn streak(
    cal: &WorkCalendar,
    p: &Period,
    look_from: DateTime<Utc>,
    failing: &BTreeSet<NaiveDate>,
    fell_due: usize,
) -> Result<OperationalTest> {
    let ends = cal.local(p.until - TimeDelta::seconds(1)).date();
    let floor = cal.local(look_from).date();
    // Move each failing date to the working day it shows on (itself, or the next one).
    let mut bad: BTreeSet<NaiveDate> = BTreeSet::new();
    for d in failing {
        let mut d = *d;
        while d <= ends && !cal.is_working_day(d)? {
            d = d.succ_opt().unwrap_or(d);
        }
        bad.insert(d.min(ends));
    }
    let mut n = 0;
    let mut since = None;
    let mut broken_on = None;
    let mut d = ends;
    let mut at_least = false;
    loop {
        if d < floor {
            at_least = true;
            break;
        }
        if cal.is_working_day(d)? || bad.contains(&d) {
            if bad.contains(&d) {
                broken_on = Some(d);
                break;
            }
            n += 1;
            since = Some(d);
        }
        d = match d.pred_opt() {
            Some(x) => x,
            None => break,
        };
    }
    Ok(OperationalTest {
        streak_working_days: n,
        passed: n >= OPERATIONAL_TEST_DAYS && fell_due > 0,
        required: OPERATIONAL_TEST_DAYS,
        deadlines_fell_due: fell_due,
        ends,
        since,
        broken_on,
        at_least,
    })
}
