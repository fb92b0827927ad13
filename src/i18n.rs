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
}
