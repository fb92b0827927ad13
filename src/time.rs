//! Reading and writing instants as users and scripts write them.

use crate::calendar::{local_to_utc, FIRST_YEAR, LAST_YEAR};
use crate::error::{Error, Result, TimeProblem};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use chrono_tz::Tz;

/// The first year a typed time may fall in: the calendar's first.
pub const INPUT_FIRST_YEAR: i32 = FIRST_YEAR;
/// The last year a typed time may fall in: one before the calendar's last, so every deadline
/// (at most a few weeks after a report) and every fine day of a ticket reported in it still
/// lies inside the calendar, and no stored ticket can make a report fail.
pub const INPUT_LAST_YEAR: i32 = LAST_YEAR - 1;

/// Refuses an instant whose local date lies outside [`INPUT_FIRST_YEAR`]–[`INPUT_LAST_YEAR`].
fn in_years(t: DateTime<Utc>, tz: &Tz) -> Result<DateTime<Utc>> {
    let date = t.with_timezone(tz).date_naive();
    if (INPUT_FIRST_YEAR..=INPUT_LAST_YEAR).contains(&date.year()) {
        return Ok(t);
    }
    Err(Error::OutOfRange {
        date,
        first: NaiveDate::from_ymd_opt(INPUT_FIRST_YEAR, 1, 1).unwrap_or(NaiveDate::MIN),
        last: NaiveDate::from_ymd_opt(INPUT_LAST_YEAR, 12, 31).unwrap_or(NaiveDate::MAX),
        first_year: INPUT_FIRST_YEAR,
        last_year: INPUT_LAST_YEAR,
    })
}

/// Parses `YYYY-MM-DD HH:MM` (local to `tz`; also with `T` or seconds), `DD.MM.YYYY HH:MM`
/// (local), or RFC 3339. A local time in the DST gap moves forward by the gap; one that exists
/// twice means its first occurrence. A time outside the years frist computes for
/// ([`INPUT_FIRST_YEAR`]–[`INPUT_LAST_YEAR`]) is refused here, where it is typed.
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
        return in_years(t.with_timezone(&Utc), tz);
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
            return in_years(local_to_utc(tz, n), tz);
        }
    }
    if NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        || NaiveDate::parse_from_str(s, "%d.%m.%Y").is_ok()
    {
        return Err(bad(TimeProblem::NoTimeOfDay));
    }
    // Say what part is off where we can tell. `get`, not slicing: the tenth byte may fall
    // inside a multi-byte character ("2025-03-0ø 10:00"), and then it is simply not a date.
    let reason = if s
        .get(..10)
        .is_some_and(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err())
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

#[cfg(test)]
mod tests {
    use super::*;

    const TZ: Tz = chrono_tz::Europe::Copenhagen;

    #[test]
    fn a_multi_byte_character_near_the_tenth_byte_is_an_error_not_a_panic() {
        for s in [
            "2025-03-0ø 10:00",
            "2025-03-ø1 10:00",
            "2025-03-1€",
            "2025-0ø",
            "ååååååååååå",
            "2025-03-03ø10:00",
        ] {
            assert!(parse_time(s, &TZ).is_err(), "{s}");
        }
    }

    #[test]
    fn times_outside_the_calendars_years_are_refused_where_typed() {
        for s in [
            "0001-01-01 00:00",
            "1999-12-31 23:59",
            "9999-12-31 23:59",
            "2099-06-01 10:00",
            "9999-12-31T23:59:59Z",
        ] {
            match parse_time(s, &TZ) {
                Err(Error::OutOfRange {
                    first_year,
                    last_year,
                    ..
                }) => assert_eq!((first_year, last_year), (2000, 2098), "{s}"),
                other => panic!("{s}: {other:?}"),
            }
        }
        assert!(parse_time("2000-01-01 00:00", &TZ).is_ok());
        assert!(parse_time("2098-12-31 23:59", &TZ).is_ok());
    }
}
