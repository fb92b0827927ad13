//! The user's language: Danish by default (the contract's own words), English with `--lang en`.

use chrono::{Datelike, NaiveDateTime, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Da,
    En,
}

impl Lang {
    /// Picks the Danish or English text.
    pub fn t<'a>(self, da: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Da => da,
            Lang::En => en,
        }
    }

    pub fn weekday(self, wd: Weekday) -> &'static str {
        let i = wd.num_days_from_monday() as usize;
        match self {
            Lang::Da => ["man", "tir", "ons", "tor", "fre", "lør", "søn"][i],
            Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][i],
        }
    }

    pub fn month_name(self, m: u32) -> &'static str {
        let i = (m.clamp(1, 12) - 1) as usize;
        match self {
            Lang::Da => [
                "januar",
                "februar",
                "marts",
                "april",
                "maj",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "december",
            ][i],
            Lang::En => [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ][i],
        }
    }

    /// A local date and time as the users write it: `man 03.03.2025 15:30` / `Mon 2025-03-03 15:30`.
    pub fn datetime(self, n: NaiveDateTime) -> String {
        match self {
            Lang::Da => format!(
                "{} {}",
                self.weekday(n.weekday()),
                n.format("%d.%m.%Y %H:%M")
            ),
            Lang::En => format!(
                "{} {}",
                self.weekday(n.weekday()),
                n.format("%Y-%m-%d %H:%M")
            ),
        }
    }

    /// A local date: `03.03.2025` / `2025-03-03`.
    pub fn date(self, d: chrono::NaiveDate) -> String {
        match self {
            Lang::Da => d.format("%d.%m.%Y").to_string(),
            Lang::En => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// A duration in hours and minutes: `1t 25m` / `1h 25m`; negative as `-2t 10m`.
    pub fn duration(self, d: TimeDelta) -> String {
        let neg = d < TimeDelta::zero();
        let total = d.num_minutes().unsigned_abs();
        let (days, h, m) = (total / 1440, (total % 1440) / 60, total % 60);
        let hu = self.t("t", "h");
        let du = self.t("d", "d");
        let body = if days > 0 && h == 0 && m == 0 {
            format!("{days}{du}")
        } else if days > 0 {
            format!("{days}{du} {h}{hu} {m}m")
        } else if h > 0 && m > 0 {
            format!("{h}{hu} {m}m")
        } else if h > 0 {
            format!("{h}{hu}")
        } else {
            format!("{m}m")
        };
        if neg {
            format!("-{body}")
        } else {
            body
        }
    }

    /// How late a step was recorded, in words: `registreret 3 dage senere` / `recorded 3 days
    /// later` (whole days from a day on, else whole hours).
    pub fn recorded_later(self, lag: TimeDelta) -> String {
        let (days, hours) = (lag.num_days(), lag.num_hours());
        let span = match (self, days, hours) {
            (Lang::Da, 1, _) => "1 dag".to_string(),
            (Lang::Da, d, _) if d > 1 => format!("{d} dage"),
            (Lang::Da, _, 1) => "1 time".to_string(),
            (Lang::Da, _, h) => format!("{h} timer"),
            (Lang::En, 1, _) => "1 day".to_string(),
            (Lang::En, d, _) if d > 1 => format!("{d} days"),
            (Lang::En, _, 1) => "1 hour".to_string(),
            (Lang::En, _, h) => format!("{h} hours"),
        };
        match self {
            Lang::Da => format!("registreret {span} senere"),
            Lang::En => format!("recorded {span} later"),
        }
    }

    /// Whole working days: `1 arbejdsdag`, `10 arbejdsdage` / `1 working day`.
    pub fn working_days(self, n: u32) -> String {
        match (self, n) {
            (Lang::Da, 1) => "1 arbejdsdag".into(),
            (Lang::Da, n) => format!("{n} arbejdsdage"),
            (Lang::En, 1) => "1 working day".into(),
            (Lang::En, n) => format!("{n} working days"),
        }
    }

    /// Calendar days: `14 dage` / `14 days`.
    pub fn calendar_days(self, n: u32) -> String {
        match (self, n) {
            (Lang::Da, 1) => "1 dag".into(),
            (Lang::Da, n) => format!("{n} dage"),
            (Lang::En, 1) => "1 day".into(),
            (Lang::En, n) => format!("{n} days"),
        }
    }
}

/// Danish kroner with thousands dots: `65.000 kr.` (both languages: it is the contract's currency).
/// A count with its noun in the right number: `1 overskreden frist`, `2 overskredne frister`.
pub fn count(l: Lang, n: usize, da: (&str, &str), en: (&str, &str)) -> String {
    let (one, many) = match l {
        Lang::Da => da,
        Lang::En => en,
    };
    let digits = integer(l, i64::try_from(n).unwrap_or(i64::MAX));
    format!("{digits} {}", if n == 1 { one } else { many })
}

/// Working days with one decimal and the language's decimal mark, a window time divided by a
/// full window day: `0,5 arbejdsdage`, `2,3 arbejdsdage`, `-0,5 arbejdsdage`. Always the
/// plural: a number written with decimals takes it in Danish and in English (`1,0
/// arbejdsdage`, `0.5 working days`); only a bare `1` is singular (see [`Lang::working_days`]).
pub fn working_days_decimal(l: Lang, time: TimeDelta, full_day: TimeDelta) -> String {
    let days = time.num_minutes() as f64 / full_day.num_minutes().max(1) as f64;
    let n = format!("{:.1}", (days * 10.0).round() / 10.0);
    let n = if n == "-0.0" { "0.0".to_string() } else { n };
    match l {
        Lang::Da => format!("{} arbejdsdage", n.replace('.', ",")),
        Lang::En => format!("{n} working days"),
    }
}

/// An overrun in its target's own clock, with the unit: working days for a working-day
/// target (`11,4 arbejdsdage`), hours and minutes of service-window time for a business
/// target (`107t 34m dagtimer`: never days, which would read as 24 hours), wall time for a
/// continuous or calendar-day target (`1d 7t 30m`). `minutes` are in that clock (window
/// minutes for the first two).
pub fn overrun(l: Lang, clock: crate::sla::Clock, minutes: i64, full_day: TimeDelta) -> String {
    use crate::sla::Clock;
    match clock {
        Clock::WorkingDays => working_days_decimal(l, TimeDelta::minutes(minutes), full_day),
        Clock::Business => {
            let (h, m) = (minutes / 60, minutes % 60);
            let hm = match (h, m) {
                (0, m) => format!("{m}m"),
                (h, 0) => format!("{h}{}", l.t("t", "h")),
                (h, m) => format!("{h}{} {m}m", l.t("t", "h")),
            };
            format!("{hm} {}", l.t("dagtimer", "window"))
        }
        Clock::Continuous | Clock::CalendarDays => l.duration(TimeDelta::minutes(minutes)),
    }
}

/// A whole number with the language's thousands separator: `9.588` / `9,588`.
pub fn integer(l: Lang, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = l.t(".", ",");
    let mut out = String::with_capacity(digits.len() + 4);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// A decimal number with the language's decimal mark: `0,1` / `0.1`.
pub fn decimal(l: Lang, x: f64, places: usize) -> String {
    let s = format!("{x:.places$}");
    match l {
        Lang::Da => s.replace('.', ","),
        Lang::En => s,
    }
}

pub fn kroner(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + 6);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out.push_str(" kr.");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overrun_is_shown_in_its_targets_own_clock_with_the_unit() {
        use crate::sla::Clock;
        let day = TimeDelta::minutes(555);
        let cases = [
            (Clock::WorkingDays, 6440, Lang::Da, "11,6 arbejdsdage"),
            (Clock::WorkingDays, 555, Lang::Da, "1,0 arbejdsdage"),
            (Clock::Business, 6454, Lang::Da, "107t 34m dagtimer"),
            (Clock::Business, 45, Lang::En, "45m window"),
            (Clock::Continuous, 6454, Lang::Da, "4d 11t 34m"),
            (Clock::CalendarDays, 60, Lang::En, "1h"),
        ];
        for (clock, m, l, want) in cases {
            assert_eq!(overrun(l, clock, m, day), want);
        }
    }

    #[test]
    fn numbers_are_written_the_languages_way() {
        assert_eq!(integer(Lang::Da, 9588), "9.588");
        assert_eq!(integer(Lang::En, 9588), "9,588");
        assert_eq!(integer(Lang::Da, 958), "958");
        assert_eq!(integer(Lang::Da, -1234567), "-1.234.567");
        assert_eq!(decimal(Lang::Da, 0.1, 1), "0,1");
        assert_eq!(decimal(Lang::En, 0.1, 1), "0.1");
        assert_eq!(
            count(Lang::Da, 1, ("sag", "sager"), ("ticket", "tickets")),
            "1 sag"
        );
        assert_eq!(
            count(Lang::Da, 2, ("sag", "sager"), ("ticket", "tickets")),
            "2 sager"
        );
    }

    #[test]
    fn kroner_has_thousands_dots() {
        assert_eq!(kroner(0), "0 kr.");
        assert_eq!(kroner(200), "200 kr.");
        assert_eq!(kroner(5000), "5.000 kr.");
        assert_eq!(kroner(65000), "65.000 kr.");
        assert_eq!(kroner(1234567), "1.234.567 kr.");
    }

    #[test]
    fn durations_read_like_the_board() {
        assert_eq!(Lang::Da.duration(TimeDelta::minutes(85)), "1t 25m");
        assert_eq!(Lang::Da.duration(TimeDelta::minutes(-130)), "-2t 10m");
        assert_eq!(Lang::En.duration(TimeDelta::minutes(45)), "45m");
        assert_eq!(Lang::Da.duration(TimeDelta::minutes(180)), "3t");
    }

    #[test]
    fn a_late_recording_reads_in_days_or_hours() {
        let l = |m| TimeDelta::minutes(m);
        assert_eq!(
            Lang::Da.recorded_later(l(3 * 1440 + 5)),
            "registreret 3 dage senere"
        );
        assert_eq!(Lang::Da.recorded_later(l(1440)), "registreret 1 dag senere");
        assert_eq!(Lang::Da.recorded_later(l(61)), "registreret 1 time senere");
        assert_eq!(Lang::En.recorded_later(l(5 * 60)), "recorded 5 hours later");
        assert_eq!(
            Lang::En.recorded_later(l(2 * 1440)),
            "recorded 2 days later"
        );
    }
}
