//! The working calendar: closed days from a holiday file, working days (bdays), and the
//! contract's service window per weekday, evaluated in the contract's time zone.
//!
//! Pure: no clock, no disk. Every instant is UTC; wall-clock rules are applied in `tz`.

pub mod holidays;

use crate::error::{Error, Result};
use bdays::{HolidayCalendar, HolidayCalendarCache};
use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;
pub use holidays::{parse_hhmm, DayKind, HolidayRules, SpecialDay};
use serde::Serialize;
use std::collections::HashSet;

/// First and last year the calendar covers.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2099;

/// Opening hours per weekday (Mon = 0), each half-open `[open, close)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekHours(pub [Option<(NaiveTime, NaiveTime)>; 7]);

const DAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl WeekHours {
    pub fn on(&self, wd: Weekday) -> Option<(NaiveTime, NaiveTime)> {
        self.0[wd.num_days_from_monday() as usize]
    }
}

impl WeekHours {
    /// Reads `{ mon = "07:00-16:15", … }` from a TOML table; an error names the weekday's line.
    pub fn from_table(
        table: &std::collections::BTreeMap<String, toml::Spanned<String>>,
        src: &str,
        file: &str,
    ) -> Result<WeekHours> {
        let mut out = WeekHours::default();
        for (k, v) in table {
            let err = |m: String| crate::config::error_at(src, file, v.span().start, m);
            let idx = DAY_KEYS.iter().position(|d| d == k).ok_or_else(|| {
                err(format!(
                    "unknown weekday '{k}'; use mon, tue, wed, thu, fri, sat, sun"
                ))
            })?;
            let text = v.get_ref();
            let bad = || {
                err(format!(
                    "{k} = '{text}' is not a span of the form \"07:00-16:15\""
                ))
            };
            let (a, b) = text.split_once('-').ok_or_else(bad)?;
            let (a, b) = (
                parse_hhmm(a).ok_or_else(bad)?,
                parse_hhmm(b).ok_or_else(bad)?,
            );
            if a >= b {
                return Err(err(format!(
                    "{k} = '{text}': the window must open before it closes"
                )));
            }
            out.0[idx] = Some((a, b));
        }
        Ok(out)
    }
}

impl Serialize for WeekHours {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        for (i, w) in self.0.iter().enumerate() {
            if let Some((a, b)) = w {
                m.serialize_entry(
                    DAY_KEYS[i],
                    &format!("{}-{}", a.format("%H:%M"), b.format("%H:%M")),
                )?;
            }
        }
        m.end()
    }
}

/// A span of time that a business clock counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// A month as the indexes key it: `yyyymm` (March 2025 → 202503).
pub fn yyyymm(d: NaiveDate) -> u32 {
    d.year().max(0) as u32 * 100 + d.month()
}

/// Converts a local wall-clock time to UTC. A time that exists twice (autumn) means its first
/// occurrence; one in the spring gap moves forward by the gap (02:30 → 03:30).
pub fn local_to_utc(tz: &Tz, n: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&n) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Use the offset in force just before the gap: the wall time keeps its distance
            // from the gap's start, so it lands as far past the gap's end.
            let mut probe = n;
            for _ in 0..16 {
                probe -= TimeDelta::minutes(15);
                if let Some(before) = tz.from_local_datetime(&probe).earliest() {
                    let offset = *before.offset();
                    let off = chrono::Offset::fix(&offset);
                    return (n - TimeDelta::seconds(off.local_minus_utc().into())).and_utc();
                }
            }
            n.and_utc()
        }
    }
}

struct ClosedSet(HashSet<NaiveDate>);

impl HolidayCalendar<NaiveDate> for ClosedSet {
    fn is_holiday(&self, date: NaiveDate) -> bool {
        self.0.contains(&date)
    }
}

/// Minutes from midnight of a day's service window; `(0, 0)` for none.
#[derive(Debug, Clone, Copy)]
struct DayInfo {
    open: u16,
    close: u16,
    special: Option<u16>,
}

/// Closed days, working days and the service window of one contract's calendar.
pub struct WorkCalendar {
    pub tz: Tz,
    pub window: WeekHours,
    first: NaiveDate,
    last: NaiveDate,
    days: Vec<DayInfo>,
    specials: Vec<SpecialDay>,
    bdays: HolidayCalendarCache<NaiveDate>,
}

impl std::fmt::Debug for WorkCalendar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkCalendar")
            .field("tz", &self.tz)
            .field("window", &self.window)
            .finish()
    }
}

fn minutes(t: NaiveTime) -> u16 {
    use chrono::Timelike;
    let m = t.hour() * 60 + t.minute();
    // 23:59:59 stands for 24:00.
    if t.second() == 59 && m == 23 * 60 + 59 {
        1440
    } else {
        m as u16
    }
}

fn time_of(m: u16) -> NaiveTime {
    if m >= 1440 {
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)
    } else {
        NaiveTime::from_hms_opt(u32::from(m / 60), u32::from(m % 60), 0).unwrap_or(NaiveTime::MIN)
    }
}

impl WorkCalendar {
    /// Builds the calendar for `FIRST_YEAR..=LAST_YEAR` from holiday rules, the kinds the
    /// contract counts, its zone and its service window.
    pub fn new(rules: &HolidayRules, kinds: &[DayKind], tz: Tz, window: WeekHours) -> WorkCalendar {
        let first = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or(NaiveDate::MIN);
        let last = NaiveDate::from_ymd_opt(LAST_YEAR, 12, 31).unwrap_or(NaiveDate::MAX);
        let mut specials = Vec::new();
        for y in FIRST_YEAR..=LAST_YEAR {
            specials.extend(rules.year(y, kinds));
        }
        let closed: HashSet<NaiveDate> = specials
            .iter()
            .filter(|s| s.closes.is_none())
            .map(|s| s.date)
            .collect();
        let mut days = Vec::with_capacity((last - first).num_days() as usize + 1);
        let mut d = first;
        let mut si = 0;
        while d <= last {
            while si < specials.len() && specials[si].date < d {
                si += 1;
            }
            let special = (si < specials.len() && specials[si].date == d).then_some(si);
            let mut info = DayInfo {
                open: 0,
                close: 0,
                special: special.map(|i| i as u16),
            };
            if let Some((o, c)) = window.on(d.weekday()) {
                let (o, mut c) = (minutes(o), minutes(c));
                match special.map(|i| specials[i].closes) {
                    Some(None) => c = o,
                    Some(Some(early)) => c = c.min(minutes(early)),
                    None => {}
                }
                if c > o {
                    info.open = o;
                    info.close = c;
                }
            }
            days.push(info);
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        let bdays = HolidayCalendarCache::new(ClosedSet(closed), first, last);
        WorkCalendar {
            tz,
            window,
            first,
            last,
            days,
            specials,
            bdays,
        }
    }

    fn index(&self, d: NaiveDate) -> Result<usize> {
        if d < self.first || d > self.last {
            return Err(Error::OutOfRange {
                date: d,
                first: self.first,
                last: self.last,
                first_year: FIRST_YEAR,
                last_year: LAST_YEAR,
            });
        }
        Ok((d - self.first).num_days() as usize)
    }

    /// Local wall-clock time of an instant.
    pub fn local(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.with_timezone(&self.tz).naive_local()
    }

    /// UTC instant of a local wall-clock time (DST resolved as [`local_to_utc`]).
    pub fn to_utc(&self, n: NaiveDateTime) -> DateTime<Utc> {
        local_to_utc(&self.tz, n)
    }

    /// The closed or shortened day on `d`, if any.
    pub fn special(&self, d: NaiveDate) -> Option<&SpecialDay> {
        let i = self.index(d).ok()?;
        self.days[i].special.map(|s| &self.specials[s as usize])
    }

    /// The closed and shortened days of a year.
    pub fn year(&self, year: i32) -> Vec<&SpecialDay> {
        self.specials
            .iter()
            .filter(|s| s.date.year() == year)
            .collect()
    }

    /// A Mon–Fri date that is not closed.
    pub fn is_working_day(&self, d: NaiveDate) -> Result<bool> {
        self.index(d)?;
        Ok(self.bdays.is_bday(d))
    }

    /// The service window of a date in local time, `None` when there is none.
    pub fn window_local(&self, d: NaiveDate) -> Result<Option<(NaiveTime, NaiveTime)>> {
        let info = self.days[self.index(d)?];
        Ok((info.close > info.open).then(|| (time_of(info.open), time_of(info.close))))
    }

    /// The service window of a date as UTC instants.
    pub fn window_utc(&self, d: NaiveDate) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
        Ok(self
            .window_local(d)?
            .map(|(o, c)| (self.to_utc(d.and_time(o)), self.to_utc(d.and_time(c)))))
    }

    /// Whether `t` lies inside the service window.
    pub fn in_window(&self, t: DateTime<Utc>) -> Result<bool> {
        let d = self.local(t).date();
        Ok(self.window_utc(d)?.is_some_and(|(o, c)| o <= t && t < c))
    }

    /// Whether `t` lies inside other weekly hours (e.g. the desk's staffed hours) on the same
    /// calendar: none on closed days, cut at a shortened day's closing time.
    pub fn in_hours(&self, t: DateTime<Utc>, hours: &WeekHours) -> Result<bool> {
        let local = self.local(t);
        let d = local.date();
        let i = self.index(d)?;
        let Some((o, mut c)) = hours.on(d.weekday()) else {
            return Ok(false);
        };
        match self.days[i]
            .special
            .map(|s| self.specials[s as usize].closes)
        {
            Some(None) => return Ok(false),
            Some(Some(early)) => c = c.min(early),
            None => {}
        }
        Ok(o <= local.time() && local.time() < c)
    }

    /// `t` itself when inside the window, else the next opening.
    pub fn next_opening(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>> {
        let mut d = self.local(t).date();
        loop {
            if let Some((o, c)) = self.window_utc(d)? {
                if t < c {
                    return Ok(t.max(o));
                }
            }
            d = self.next_date(d)?;
        }
    }

    fn next_date(&self, d: NaiveDate) -> Result<NaiveDate> {
        let n = d.succ_opt().unwrap_or(d);
        self.index(n)?;
        Ok(n)
    }

    fn prev_date(&self, d: NaiveDate) -> Result<NaiveDate> {
        let n = d.pred_opt().unwrap_or(d);
        self.index(n)?;
        Ok(n)
    }

    /// The instant at which `amount` of service-window time has passed since `start`.
    /// The counted spans are pushed to `spans` when given.
    pub fn add_business(
        &self,
        start: DateTime<Utc>,
        amount: TimeDelta,
        mut spans: Option<&mut Vec<Span>>,
    ) -> Result<DateTime<Utc>> {
        if amount <= TimeDelta::zero() {
            return Ok(start);
        }
        let mut left = amount;
        let mut cursor = start;
        let mut d = self.local(start).date();
        loop {
            if let Some((o, c)) = self.window_utc(d)? {
                let from = cursor.max(o);
                if from < c {
                    let avail = c - from;
                    if avail >= left {
                        let end = from + left;
                        if let Some(s) = spans.as_deref_mut() {
                            if end > from {
                                s.push(Span { start: from, end });
                            }
                        }
                        return Ok(end);
                    }
                    if let Some(s) = spans.as_deref_mut() {
                        s.push(Span {
                            start: from,
                            end: c,
                        });
                    }
                    left -= avail;
                    cursor = c;
                }
            }
            d = self.next_date(d)?;
        }
    }

    /// The instant `amount` of service-window time before `end` (the inverse of
    /// [`add_business`](Self::add_business)).
    pub fn sub_business(&self, end: DateTime<Utc>, amount: TimeDelta) -> Result<DateTime<Utc>> {
        if amount <= TimeDelta::zero() {
            return Ok(end);
        }
        let mut left = amount;
        let mut cursor = end;
        let mut d = self.local(end).date();
        loop {
            if let Some((o, c)) = self.window_utc(d)? {
                let to = cursor.min(c);
                if to > o {
                    let avail = to - o;
                    if avail >= left {
                        return Ok(to - left);
                    }
                    left -= avail;
                    cursor = o;
                }
            }
            d = self.prev_date(d)?;
        }
    }

    /// Service-window time between two instants (zero when `b <= a`).
    pub fn business_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Result<TimeDelta> {
        let mut total = TimeDelta::zero();
        if b <= a {
            return Ok(total);
        }
        let mut d = self.local(a).date();
        let last = self.local(b).date();
        while d <= last {
            if let Some((o, c)) = self.window_utc(d)? {
                let (from, to) = (a.max(o), b.min(c));
                if to > from {
                    total += to - from;
                }
            }
            d = self.next_date(d)?;
        }
        Ok(total)
    }

    /// The `n`-th working day after `d` (bdays), range-checked instead of panicking.
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> Result<NaiveDate> {
        self.index(d)?;
        // n working days never span more than 2n + 40 calendar days in any Danish year.
        let span = i64::from(n) * 2 + 40;
        self.index(d + TimeDelta::days(span))?;
        Ok(self.bdays.advance_bdays(d, n as i32))
    }

    /// Working days from `a` to `b` (bdays), range-checked.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i32> {
        self.index(a)?;
        self.index(b + TimeDelta::days(10))?;
        Ok(self.bdays.bdays(a, b))
    }
}
