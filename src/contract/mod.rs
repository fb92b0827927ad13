//! Contracts as data: categories with their targets, fines and clocks; the service window;
//! availability and response-time rules. `laasesystem` is built in and the default.

pub mod version;

use crate::calendar::{DayKind, HolidayRules, WeekHours, WorkCalendar};
use crate::config::{error_at, parse_toml};
use crate::error::{Error, Result};
use chrono::TimeDelta;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// The built-in contracts: (name, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "laasesystem",
        include_str!("../../contracts/laasesystem.toml"),
    ),
    (
        "ddh-chatbot",
        include_str!("../../contracts/ddh-chatbot.toml"),
    ),
];

/// The default contract's name.
pub const DEFAULT: &str = "laasesystem";

/// How a duration target's clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockKind {
    /// Wall time counts, day and night.
    Continuous,
    /// Only time inside the service window counts.
    Business,
}

/// A service target: a duration, working days or calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `30m`, `3h`, `4h30m`.
    Minutes(u32),
    /// `1wd`: the same local time on the N-th following working day.
    WorkingDays(u32),
    /// `14d`: N × 24 h of wall time.
    CalendarDays(u32),
}

impl Target {
    /// The longest duration target: a year of minutes.
    pub const MAX_MINUTES: u32 = 365 * 24 * 60;
    /// The most working days a target may count: about a year.
    pub const MAX_WORKING_DAYS: u32 = 250;
    /// The most calendar days a target may count: a year.
    pub const MAX_CALENDAR_DAYS: u32 = 365;

    /// Whether the target lies within the sane bounds above. A contract target beyond them is
    /// a typing error (`4294967295d`), and would overflow the date arithmetic.
    pub fn in_bounds(self) -> bool {
        match self {
            Target::Minutes(m) => m <= Self::MAX_MINUTES,
            Target::WorkingDays(n) => n <= Self::MAX_WORKING_DAYS,
            Target::CalendarDays(n) => n <= Self::MAX_CALENDAR_DAYS,
        }
    }

    /// Parses `30m`, `3h`, `4h30m`, `1wd`, `14d`.
    pub fn parse(s: &str) -> Option<Target> {
        let s = s.trim();
        if let Some(n) = s.strip_suffix("wd") {
            return n.parse().ok().filter(|n| *n > 0).map(Target::WorkingDays);
        }
        if let Some(n) = s.strip_suffix('d') {
            return n.parse().ok().filter(|n| *n > 0).map(Target::CalendarDays);
        }
        let mut total: u32 = 0;
        let mut num = String::new();
        let mut seen_h = false;
        let mut seen_m = false;
        for c in s.chars() {
            match c {
                '0'..='9' => num.push(c),
                'h' if !seen_h && !seen_m && !num.is_empty() => {
                    total = total.checked_add(num.parse::<u32>().ok()?.checked_mul(60)?)?;
                    num.clear();
                    seen_h = true;
                }
                'm' if !seen_m && !num.is_empty() => {
                    total = total.checked_add(num.parse().ok()?)?;
                    num.clear();
                    seen_m = true;
                }
                _ => return None,
            }
        }
        (num.is_empty() && total > 0).then_some(Target::Minutes(total))
    }

    /// The target as a duration of its own clock; working days have none.
    pub fn duration(self) -> Option<TimeDelta> {
        match self {
            Target::Minutes(m) => Some(TimeDelta::minutes(m.into())),
            Target::CalendarDays(d) => Some(TimeDelta::days(d.into())),
            Target::WorkingDays(_) => None,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Target::Minutes(m) if m % 60 == 0 => write!(f, "{}h", m / 60),
            Target::Minutes(m) if m < 60 => write!(f, "{m}m"),
            Target::Minutes(m) => write!(f, "{}h{}m", m / 60, m % 60),
            Target::WorkingDays(n) => write!(f, "{n}wd"),
            Target::CalendarDays(n) => write!(f, "{n}d"),
        }
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let range = format!(
            "minutes and hours up to {}h (\"30m\", \"3h\", \"4h30m\"), working days 1–{} (\"1wd\") or calendar days 1–{} (\"14d\")",
            Target::MAX_MINUTES / 60,
            Target::MAX_WORKING_DAYS,
            Target::MAX_CALENDAR_DAYS
        );
        match Target::parse(&s) {
            Some(t) if t.in_bounds() => Ok(t),
            Some(_) => Err(serde::de::Error::custom(format!(
                "'{s}' is out of range; a target is {range}"
            ))),
            // Digits too many for a number at all are out of range too, not a format error.
            None if s.trim().starts_with(|c: char| c.is_ascii_digit())
                && s.trim()
                    .trim_end_matches(['d', 'w', 'h', 'm'])
                    .chars()
                    .all(|c| c.is_ascii_digit()) =>
            {
                Err(serde::de::Error::custom(format!(
                    "'{s}' is out of range; a target is {range}"
                )))
            }
            None => Err(serde::de::Error::custom(format!(
                "'{s}' is not a target; write {range}"
            ))),
        }
    }
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Reaction and resolution targets for one time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    pub reaction: Option<Target>,
    pub resolution: Option<Target>,
}

/// A daily-fine table: per started working day, the lower rate for a day that began within
/// 24 h of the deadline, the higher after; at most `cap_days`; none within `grace`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FineTable {
    pub lower: u64,
    pub higher: u64,
    pub cap_days: u32,
    /// Overruns shorter than this are not fined. Default 15 minutes; "0m" for none.
    #[serde(default = "default_grace")]
    pub grace: Grace,
}

/// A grace period in minutes (`"15m"`, `"0m"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grace(pub u32);

fn default_grace() -> Grace {
    Grace(15)
}

impl<'de> Deserialize<'de> for Grace {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.trim() {
            "0" | "0m" => Ok(Grace(0)),
            t => match Target::parse(t) {
                Some(Target::Minutes(m)) => Ok(Grace(m)),
                _ => Err(serde::de::Error::custom(format!(
                    "grace '{s}' is not a duration; write e.g. \"15m\" or \"0m\""
                ))),
            },
        }
    }
}

impl Serialize for Grace {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{}m", self.0))
    }
}

impl FineTable {
    pub fn grace(&self) -> TimeDelta {
        TimeDelta::minutes(self.grace.0.into())
    }
    /// The most one incident can cost.
    pub fn max_total(&self) -> u64 {
        match self.cap_days {
            0 => 0,
            n => self
                .lower
                .saturating_add(u64::from(n - 1).saturating_mul(self.higher)),
        }
    }
}

/// A category of fault or service order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// A service order (installation, battery change…) rather than a fault.
    #[serde(default)]
    pub service_order: bool,
    pub clock: ClockKind,
    pub day: Targets,
    /// Targets outside the service window; `None` means "not covered": the day targets apply
    /// from the next opening.
    pub outside: Option<Targets>,
    pub fine: Option<FineTable>,
    /// Whether an open ticket of this category makes the solution unavailable.
    #[serde(default)]
    pub downtime: bool,
    /// Which of the classifier's general signals point here ("ingen kan" → `critical`,
    /// "hvordan" → `question`…). Optional: without it only keywords and description count.
    #[serde(default)]
    pub signals: Vec<Signal>,
}

/// A general kind of severity or scope in a ticket's wording, independent of a contract; a
/// contract's category says which kinds point to it (`signals = ["critical"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    /// Everyone or everything is hit, the solution is down: "ingen kan", "hele kommunen", "nede".
    Critical,
    /// Part of the solution fails or is slow: "nogle brugere", "langsom", "timer ud".
    Degraded,
    /// One unit, one citizen, one address: "en enkelt borger", "én lås".
    Single,
    /// A question: "hvordan", "?", "spørgsmål".
    Question,
    /// Minor, with a workaround: "workaround", "kosmetisk", "haster ikke".
    Minor,
}

/// The availability target and its fine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    pub target_percent: f64,
    /// Kroner per started half percentage point below the target.
    pub fine_per_half_point: u64,
}

/// One transaction type of the response-time table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseLimit {
    pub name: String,
    #[serde(default)]
    pub group: String,
    /// Seconds within which 95 % of transactions must answer; `None` for batch.
    pub p95: Option<f64>,
    /// The maximum response time in seconds; `None` for batch.
    pub max: Option<f64>,
}

/// How response-time faults are fined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFine {
    /// The month's fee for hosting and maintenance, in kroner.
    pub monthly_fee: u64,
    /// Percent of the monthly fee per point.
    pub percent_per_point: f64,
    /// The least a point costs, in kroner.
    pub min_per_point: u64,
    /// Measurements a type needs before its 95 % figure is judged.
    #[serde(default = "default_min_measurements")]
    pub min_measurements: u32,
}

fn default_min_measurements() -> u32 {
    20
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    id: String,
    name: String,
    #[serde(default)]
    source: String,
    timezone: Spanned<String>,
    #[serde(default = "default_holidays")]
    holidays: String,
    holiday_kinds: Vec<DayKind>,
    window: BTreeMap<String, Spanned<String>>,
    desk: Option<BTreeMap<String, Spanned<String>>>,
    availability: Option<Spanned<Availability>>,
    response_fine: Option<Spanned<ResponseFine>>,
    #[serde(default)]
    response_time: Vec<Spanned<ResponseLimit>>,
    /// Percent: a classifier suggestion less sure than this is shown but not pre-selected.
    suggest_threshold: Option<Spanned<f64>>,
    /// How long a resolution may wait for the municipality's acceptance before frist reminds
    /// them (a target: `3wd`, `2d`, `8h`); default 3 working days.
    acceptance_reminder: Option<Spanned<String>>,
    category: Vec<Spanned<Category>>,
}

/// The most kroner one amount of a contract may be (a daily rate, a fee, a fine per point): a
/// milliard. Bounded so that a rate times the most days or points it is charged cannot
/// overflow, and a month's sum over millions of tickets neither.
pub const MAX_KRONER: u64 = 1_000_000_000;
/// The most days a fine table may charge for one incident: a year.
pub const MAX_CAP_DAYS: u32 = 365;
/// The longest response-time limit, in seconds: a day.
pub const MAX_RESPONSE_SECONDS: f64 = 86_400.0;

/// Whether `id` is a valid id: lower-case ASCII letters, digits and `-`, not empty.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
}

/// The byte offset of the line that sets `key` in the table that begins at `from` (a
/// `[table]` or `[[array]]` header, or the top of the file), or `None`. The search ends at the
/// next table header, so a key is never found in another table.
fn key_at(src: &str, from: usize, key: &str) -> Option<usize> {
    let mut off = from.min(src.len());
    while !src.is_char_boundary(off) {
        off -= 1;
    }
    let mut first = true;
    for line in src[off..].split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with('[') {
            if !first {
                return None;
            }
        } else if let Some(rest) = t.strip_prefix(key) {
            let rest = rest.trim_start();
            if rest.starts_with('=') || rest.starts_with('.') {
                return Some(off + (line.len() - t.len()));
            }
        }
        first = false;
        off += line.len();
    }
    None
}

/// A config error at `key` of the table that begins at `from` (or at `from` itself).
fn key_error(src: &str, file: &str, from: usize, key: &str, message: String) -> Error {
    error_at(src, file, key_at(src, from, key).unwrap_or(from), message)
}

/// Kroner within `0..=MAX_KRONER`, or the refusal naming the key and the range.
fn check_kroner(src: &str, file: &str, from: usize, key: &str, what: &str, kr: u64) -> Result<()> {
    if kr > MAX_KRONER {
        return Err(key_error(
            src,
            file,
            from,
            key,
            format!("{what} = {kr} is out of range; give kroner from 0 to {MAX_KRONER}"),
        ));
    }
    Ok(())
}

/// A percentage that is a finite number from 0 to 100, or the refusal naming the key.
fn check_percent(src: &str, file: &str, from: usize, key: &str, p: f64) -> Result<()> {
    if !p.is_finite() || !(0.0..=100.0).contains(&p) {
        return Err(key_error(
            src,
            file,
            from,
            key,
            format!("{key} = {p} is out of range; give a percentage from 0 to 100"),
        ));
    }
    Ok(())
}

/// The checks of one fine table (`from`: its category's header).
fn check_fine(src: &str, file: &str, from: usize, id: &str, f: &FineTable) -> Result<()> {
    let err = |m: String| key_error(src, file, from, "fine", m);
    if f.cap_days == 0 || f.cap_days > MAX_CAP_DAYS || f.higher < f.lower {
        return Err(err(format!(
            "category '{id}': fine needs cap_days from 1 to {MAX_CAP_DAYS} and higher ≥ lower (got cap_days = {}, lower = {}, higher = {})",
            f.cap_days, f.lower, f.higher
        )));
    }
    for (name, kr) in [("lower", f.lower), ("higher", f.higher)] {
        if kr > MAX_KRONER {
            return Err(err(format!(
                "category '{id}': fine.{name} = {kr} is out of range; give kroner per day from 0 to {MAX_KRONER}"
            )));
        }
    }
    if f.grace.0 > Target::MAX_MINUTES {
        return Err(err(format!(
            "category '{id}': fine.grace of {} minutes is out of range; give at most {}h",
            f.grace.0,
            Target::MAX_MINUTES / 60
        )));
    }
    Ok(())
}

/// The default of `suggest_threshold`: a suggestion must be at least this sure (0–1) to be
/// pre-selected.
pub const DEFAULT_SUGGEST_THRESHOLD: f64 = 0.5;

/// A resolution waits this long for acceptance before the municipality is reminded.
pub const DEFAULT_ACCEPTANCE_REMINDER: Target = Target::WorkingDays(3);

fn default_holidays() -> String {
    "dk".into()
}

/// A checked contract.
#[derive(Debug, Clone, Serialize)]
pub struct Contract {
    pub id: String,
    pub name: String,
    pub source: String,
    #[serde(serialize_with = "ser_tz")]
    pub tz: Tz,
    pub holidays: String,
    pub holiday_kinds: Vec<DayKind>,
    pub window: WeekHours,
    pub desk: WeekHours,
    pub availability: Option<Availability>,
    pub response_fine: Option<ResponseFine>,
    pub response_times: Vec<ResponseLimit>,
    /// A classifier suggestion less sure than this (0–1) is shown but not pre-selected: the
    /// agent chooses (contract key `suggest_threshold`, in percent; default 50).
    pub suggest_threshold: f64,
    /// How long a resolution may wait for acceptance before the municipality is reminded, and
    /// the least time between two reminders (contract key `acceptance_reminder`, default 3wd).
    pub acceptance_reminder: Target,
    pub categories: Vec<Category>,
}

fn ser_tz<S: serde::Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

impl Contract {
    /// Reads and checks a contract; `file` names it in error messages.
    pub fn parse(src: &str, file: &str) -> Result<Contract> {
        let raw: RawContract = parse_toml(src, file)?;
        let tz: Tz = raw.timezone.get_ref().parse().map_err(|_| {
            error_at(
                src,
                file,
                raw.timezone.span().start,
                format!(
                    "unknown time zone '{}'; use an IANA name such as \"Europe/Copenhagen\"",
                    raw.timezone.get_ref()
                ),
            )
        })?;
        if !valid_id(&raw.id) {
            return Err(key_error(
                src,
                file,
                0,
                "id",
                format!(
                    "contract id '{}' must be lower-case letters a–z, digits and '-' (e.g. \"laasesystem\"); it names the contract in the log",
                    raw.id
                ),
            ));
        }
        let availability = match raw.availability {
            None => None,
            Some(a) => {
                let at = a.span().start;
                let a = a.into_inner();
                check_percent(src, file, at, "target_percent", a.target_percent)?;
                check_kroner(
                    src,
                    file,
                    at,
                    "fine_per_half_point",
                    "fine_per_half_point",
                    a.fine_per_half_point,
                )?;
                Some(a)
            }
        };
        let response_fine = match raw.response_fine {
            None => None,
            Some(f) => {
                let at = f.span().start;
                let f = f.into_inner();
                check_kroner(src, file, at, "monthly_fee", "monthly_fee", f.monthly_fee)?;
                check_kroner(
                    src,
                    file,
                    at,
                    "min_per_point",
                    "min_per_point",
                    f.min_per_point,
                )?;
                check_percent(src, file, at, "percent_per_point", f.percent_per_point)?;
                if f.min_measurements == 0 || f.min_measurements > 1_000_000 {
                    return Err(key_error(
                        src,
                        file,
                        at,
                        "min_measurements",
                        format!(
                            "min_measurements = {} is out of range; give a count from 1 to 1000000 (default 20)",
                            f.min_measurements
                        ),
                    ));
                }
                Some(f)
            }
        };
        let mut response_times: Vec<ResponseLimit> = Vec::with_capacity(raw.response_time.len());
        for spanned in raw.response_time {
            let at = spanned.span().start;
            let r = spanned.into_inner();
            if r.name.trim().is_empty() {
                return Err(key_error(
                    src,
                    file,
                    at,
                    "name",
                    "a response-time type needs a name; measurements are matched by it".into(),
                ));
            }
            for (key, v) in [("p95", r.p95), ("max", r.max)] {
                if let Some(v) = v {
                    if !v.is_finite() || v <= 0.0 || v > MAX_RESPONSE_SECONDS {
                        return Err(key_error(
                            src,
                            file,
                            at,
                            key,
                            format!(
                                "{key} = {v} for '{}' is out of range; give seconds above 0 and at most {MAX_RESPONSE_SECONDS} (or leave it out for batch)",
                                r.name
                            ),
                        ));
                    }
                }
            }
            if let (Some(p), Some(m)) = (r.p95, r.max) {
                if p > m {
                    return Err(key_error(
                        src,
                        file,
                        at,
                        "p95",
                        format!(
                            "p95 = {p} for '{}' is above max = {m}; the 95 % limit cannot exceed the maximum",
                            r.name
                        ),
                    ));
                }
            }
            response_times.push(r);
        }
        let mut categories: Vec<Category> = Vec::with_capacity(raw.category.len());
        for spanned in raw.category {
            let at = spanned.span().start;
            let c = spanned.into_inner();
            let err = |m: String| error_at(src, file, at, m);
            if !valid_id(&c.id) {
                return Err(key_error(
                    src,
                    file,
                    at,
                    "id",
                    format!(
                        "category id '{}' must be lower-case letters a–z, digits and '-' (e.g. \"akut-montering\")",
                        c.id
                    ),
                ));
            }
            if categories.iter().any(|o| o.id == c.id) {
                return Err(err(format!("category id '{}' appears twice", c.id)));
            }
            if c.day.resolution.is_none() && c.day.reaction.is_none() {
                return Err(err(format!(
                    "category '{}' has no day target; give `day = {{ resolution = \"…\" }}`",
                    c.id
                )));
            }
            if let Some(f) = c.fine {
                check_fine(src, file, at, &c.id, &f)?;
                if c.day.resolution.is_none() {
                    return Err(err(format!(
                        "category '{}' has a fine but no resolution target",
                        c.id
                    )));
                }
            }
            categories.push(c);
        }
        if categories.is_empty() {
            return Err(Error::Config {
                file: file.into(),
                line: 1,
                field: "category".into(),
                message: "the contract has no [[category]]".into(),
            });
        }
        let window = WeekHours::from_table(&raw.window, src, file)?;
        let desk = match &raw.desk {
            Some(d) => WeekHours::from_table(d, src, file)?,
            None => window,
        };
        if window.0.iter().all(Option::is_none) {
            return Err(Error::Config {
                file: file.into(),
                line: crate::error::line_of(src, src.find("[window]").unwrap_or(0)),
                field: "window".into(),
                message: "the service window is empty; give at least one weekday, e.g. mon = \"07:00-16:15\"".into(),
            });
        }
        let suggest_threshold = match &raw.suggest_threshold {
            None => DEFAULT_SUGGEST_THRESHOLD,
            Some(v) => {
                let p = *v.get_ref();
                if !p.is_finite() || !(0.0..=100.0).contains(&p) {
                    return Err(Error::Config {
                        file: file.into(),
                        line: crate::error::line_of(src, v.span().start),
                        field: "suggest_threshold".into(),
                        message: format!(
                            "suggest_threshold = {p} is out of range; give a percentage from 0 to 100 (default 50)"
                        ),
                    });
                }
                p / 100.0
            }
        };
        let acceptance_reminder = match &raw.acceptance_reminder {
            None => DEFAULT_ACCEPTANCE_REMINDER,
            Some(v) => match Target::parse(v.get_ref()) {
                Some(t) if t.in_bounds() => t,
                _ => {
                    return Err(Error::Config {
                        file: file.into(),
                        line: crate::error::line_of(src, v.span().start),
                        field: "acceptance_reminder".into(),
                        message: format!(
                            "acceptance_reminder = \"{}\" is not a period; write working days (\"3wd\", at most {}), calendar days (\"2d\") or hours (\"8h\"); default 3wd",
                            v.get_ref(),
                            Target::MAX_WORKING_DAYS
                        ),
                    })
                }
            },
        };
        Ok(Contract {
            id: raw.id,
            acceptance_reminder,
            name: raw.name,
            source: raw.source,
            tz,
            holidays: raw.holidays,
            holiday_kinds: raw.holiday_kinds,
            desk,
            window,
            availability,
            response_fine,
            response_times,
            suggest_threshold,
            categories,
        })
    }

    /// A built-in contract by name.
    pub fn builtin(name: &str) -> Option<Contract> {
        BUILTIN.iter().find(|(n, _)| *n == name).map(|(n, src)| {
            Contract::parse(src, &format!("contracts/{n}.toml"))
                .expect("built-in contracts are valid")
        })
    }

    /// The default (lock-system) contract.
    pub fn default_contract() -> Contract {
        Self::builtin(DEFAULT).expect("the default contract is built in")
    }

    /// A category by id, or an error listing the valid ids.
    pub fn category(&self, id: &str) -> Result<&Category> {
        self.categories
            .iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::UnknownCategory {
                id: id.to_string(),
                contract: self.id.clone(),
                valid: self.categories.iter().map(|c| c.id.clone()).collect(),
            })
    }

    /// The longest service-window day of the contract: one "working day" when a working-day
    /// countdown or overrun is shown as a decimal (`0,5 arbejdsdage`), so the board, Brud and
    /// the report count the same.
    pub fn full_window_day(&self) -> chrono::TimeDelta {
        self.window
            .0
            .iter()
            .flatten()
            .map(|(o, c)| *c - *o)
            .max()
            .unwrap_or(chrono::TimeDelta::hours(8))
    }

    /// The working calendar of this contract over the given holiday rules.
    pub fn calendar(&self, rules: &HolidayRules) -> WorkCalendar {
        WorkCalendar::new(rules, &self.holiday_kinds, self.tz, self.window)
    }
}
