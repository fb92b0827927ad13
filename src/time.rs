//! Reading and writing instants as users and scripts write them.

use crate::calendar::local_to_utc;
use crate::error::{Error, Result, TimeProblem};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

/// Parses `YYYY-MM-DD HH:MM` (local to `tz`; also with `T` or seconds), `DD.MM.YYYY HH:MM`
/// (local), or RFC 3339. A local time in the DST gap moves forward by the gap; one that exists
/// twice means its first occurrence.
pub fn parse_time(input: &str, tz: &Tz) -> Result<DateTime<Utc>> {
    let s = input.trim();
    let bad = |reason: TimeProblem| Error::BadTime {
        input: input.to_string(),
        reason,
    };
    if s.is_empty() {
        return Err(bad(TimeProblem::Empty));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    const LOCAL: &[&str] = &[
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d.%m.%Y %H:%M",
        "%d.%m.%Y %H.%M",
        "%d-%m-%Y %H:%M",
    ];
    for f in LOCAL {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(local_to_utc(tz, n));
        }
    }
    if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        || NaiveDate::parse_from_str(s, "%d.%m.%Y").is_ok()
    {
        return Err(bad(TimeProblem::NoTimeOfDay));
    }
    // Say what part is off where we can tell.
    let reason = if s.len() >= 10
        && NaiveDate::parse_from_str(&s[..10], "%Y-%m-%d").is_err()
        && s.as_bytes().get(4) == Some(&b'-')
    {
        TimeProblem::NoSuchDate
    } else {
        TimeProblem::Format
    };
    Err(bad(reason))
}

/// RFC 3339 with the zone's offset at that instant, whole seconds.
pub fn rfc3339(t: DateTime<Utc>, tz: &Tz) -> String {
    t.with_timezone(tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}
