#![allow(dead_code)]
//! Shared helpers for the integration tests.

use chrono::{DateTime, TimeZone, Utc};
use frist::calendar::{HolidayRules, WorkCalendar};
use frist::contract::Contract;

/// The default contract and its calendar, built once per test binary.
pub fn lock_contract() -> (&'static Contract, &'static WorkCalendar) {
    static BUILT: std::sync::OnceLock<(Contract, WorkCalendar)> = std::sync::OnceLock::new();
    let (c, cal) = BUILT.get_or_init(|| {
        let c = Contract::default_contract();
        let cal = c.calendar(&HolidayRules::danish());
        (c, cal)
    });
    (c, cal)
}

/// A Copenhagen wall-clock time that exists exactly once, as UTC.
pub fn cph(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Copenhagen
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}
