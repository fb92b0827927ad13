//! Holiday files (`holidays/*.toml`): the rules for closed and shortened days, as data.

use crate::config::{error_at, parse_toml};
use crate::error::Result;
use chrono::{Datelike, NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use toml::Spanned;

/// The years a rule's `from` and `until` may name.
const RULE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// The Danish holiday file, built into the binary.
pub const BUILTIN_DK: &str = include_str!("../../holidays/dk.toml");

/// Whether a day is closed by law or by custom. A contract chooses the kinds it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum DayKind {
    Public,
    Customary,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Public => "public",
            DayKind::Customary => "customary",
        }
    }
}

/// One closed or shortened day in one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub name: String,
    pub kind: DayKind,
    /// `Some(time)`: a working day whose service window ends at `time`. `None`: closed all day.
    #[serde(serialize_with = "ser_closes")]
    pub closes: Option<NaiveTime>,
}

fn ser_closes<S: serde::Serializer>(t: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&t.format("%H:%M").to_string()),
        None => s.serialize_none(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    name: String,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    extra: Vec<RawExtra>,
    #[serde(default)]
    removed: Vec<RawRemoved>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    kind: DayKind,
    date: Option<MonthDay>,
    easter: Option<i32>,
    from: Option<Spanned<i32>>,
    until: Option<Spanned<i32>>,
    closes: Option<Hhmm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExtra {
    date: Spanned<NaiveDate>,
    name: String,
    kind: DayKind,
    closes: Option<Hhmm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRemoved {
    date: Spanned<NaiveDate>,
    #[allow(dead_code)]
    reason: Option<String>,
}

/// `MM-DD`, checked when the file is read.
#[derive(Debug, Clone, Copy)]
struct MonthDay(u32, u32);

impl<'de> Deserialize<'de> for MonthDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let bad = || {
            serde::de::Error::custom(format!(
                "'{s}' is not a date of the form MM-DD, e.g. \"12-24\""
            ))
        };
        let (m, day) = s.split_once('-').ok_or_else(bad)?;
        let (m, day): (u32, u32) = (
            m.parse().map_err(|_| bad())?,
            day.parse().map_err(|_| bad())?,
        );
        // 2024 is a leap year, so 02-29 is accepted here and skipped in years without it.
        NaiveDate::from_ymd_opt(2024, m, day).ok_or_else(bad)?;
        Ok(MonthDay(m, day))
    }
}

/// `HH:MM`, a wall-clock time in the contract's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hhmm(pub NaiveTime);

impl<'de> Deserialize<'de> for Hhmm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        parse_hhmm(&s).map(Hhmm).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{s}' is not a time of the form HH:MM, e.g. \"12:00\""
            ))
        })
    }
}

/// Parses `HH:MM` (also `H:MM`, `HH.MM`). `24:00` means the end of the day.
pub fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.trim().split_once([':', '.'])?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    if h == 24 && m == 0 {
        return NaiveTime::from_hms_opt(23, 59, 59);
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// A holiday file, checked and ready to expand per year.
#[derive(Debug, Clone)]
pub struct HolidayRules {
    pub name: String,
    rules: Vec<Rule>,
    extra: Vec<SpecialDay>,
    removed: Vec<NaiveDate>,
}

#[derive(Debug, Clone)]
struct Rule {
    name: String,
    kind: DayKind,
    when: When,
    from: Option<i32>,
    until: Option<i32>,
    closes: Option<NaiveTime>,
}

#[derive(Debug, Clone, Copy)]
enum When {
    Fixed(u32, u32),
    Easter(i32),
}

impl HolidayRules {
    /// The built-in Danish rules.
    pub fn danish() -> HolidayRules {
        Self::parse(BUILTIN_DK, "holidays/dk.toml").expect("the built-in holiday file is valid")
    }

    /// Reads a holiday file; `file` names it in error messages.
    pub fn parse(src: &str, file: &str) -> Result<HolidayRules> {
        let raw: RawFile = parse_toml(src, file)?;
        let mut rules = Vec::with_capacity(raw.rule.len());
        for spanned in raw.rule {
            let at = spanned.span().start;
            let r = spanned.into_inner();
            let when = match (r.date, r.easter) {
                (Some(MonthDay(m, d)), None) => When::Fixed(m, d),
                (None, Some(off)) if (-100..=100).contains(&off) => When::Easter(off),
                (None, Some(off)) => {
                    return Err(error_at(src, file, at, format!("easter offset {off} for '{}' is out of range; use a number of days from -100 to 100", r.name)))
                }
                (Some(_), Some(_)) => {
                    return Err(error_at(src, file, at, format!("rule '{}' has both `date` and `easter`; give one of them", r.name)))
                }
                (None, None) => {
                    return Err(error_at(src, file, at, format!("rule '{}' needs `date = \"MM-DD\"` or `easter = N`", r.name)))
                }
            };
            // A rule's years: wide enough for any history a file may record, narrow enough to
            // be a year someone meant (the calendar itself serves FIRST_YEAR..=LAST_YEAR).
            for y in [&r.from, &r.until].into_iter().flatten() {
                if !(RULE_YEARS).contains(y.get_ref()) {
                    return Err(error_at(
                        src,
                        file,
                        y.span().start,
                        format!(
                            "year {} for '{}' is out of range; use a year from {} to {}",
                            y.get_ref(),
                            r.name,
                            RULE_YEARS.start(),
                            RULE_YEARS.end()
                        ),
                    ));
                }
            }
            let (from, until) = (r.from.map(|y| *y.get_ref()), r.until.map(|y| *y.get_ref()));
            if let (Some(f), Some(u)) = (from, until) {
                if f > u {
                    return Err(error_at(
                        src,
                        file,
                        at,
                        format!("rule '{}' has from = {f} after until = {u}", r.name),
                    ));
                }
            }
            rules.push(Rule {
                name: r.name,
                kind: r.kind,
                when,
                from,
                until,
                closes: r.closes.map(|h| h.0),
            });
        }
        // A single date outside the calendar's years would never take effect: say so.
        let in_calendar = |d: &Spanned<NaiveDate>| {
            let y = d.get_ref().year();
            if (crate::calendar::FIRST_YEAR..=crate::calendar::LAST_YEAR).contains(&y) {
                Ok(*d.get_ref())
            } else {
                Err(error_at(
                    src,
                    file,
                    d.span().start,
                    format!(
                        "{} is outside the calendar; use a date from {} to {}",
                        d.get_ref(),
                        crate::calendar::FIRST_YEAR,
                        crate::calendar::LAST_YEAR
                    ),
                ))
            }
        };
        let mut extra = Vec::with_capacity(raw.extra.len());
        for e in raw.extra {
            extra.push(SpecialDay {
                date: in_calendar(&e.date)?,
                name: e.name,
                kind: e.kind,
                closes: e.closes.map(|h| h.0),
            });
        }
        let removed = raw
            .removed
            .iter()
            .map(|r| in_calendar(&r.date))
            .collect::<Result<Vec<_>>>()?;
        Ok(HolidayRules {
            name: raw.name,
            rules,
            extra,
            removed,
        })
    }

    /// The closed and shortened days of `year` of the given kinds, sorted by date. Where two
    /// rules fall on the same date, a closed day wins over a shortened one.
    pub fn year(&self, year: i32, kinds: &[DayKind]) -> Vec<SpecialDay> {
        let easter = bdays::easter::easter_naive_date(year).ok();
        let mut days: Vec<SpecialDay> = Vec::new();
        for r in &self.rules {
            if !kinds.contains(&r.kind)
                || r.from.is_some_and(|f| year < f)
                || r.until.is_some_and(|u| year > u)
            {
                continue;
            }
            let date = match r.when {
                When::Fixed(m, d) => NaiveDate::from_ymd_opt(year, m, d),
                When::Easter(off) => {
                    easter.and_then(|e| e.checked_add_signed(chrono::TimeDelta::days(off.into())))
                }
            };
            if let Some(date) = date {
                days.push(SpecialDay {
                    date,
                    name: r.name.clone(),
                    kind: r.kind,
                    closes: r.closes,
                });
            }
        }
        days.extend(
            self.extra
                .iter()
                .filter(|e| e.date.year() == year && kinds.contains(&e.kind))
                .cloned(),
        );
        days.retain(|d| !self.removed.contains(&d.date));
        days.sort_by_key(|d| (d.date, d.closes.is_some()));
        days.dedup_by_key(|d| d.date);
        days
    }
}
