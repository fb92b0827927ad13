//! Words and numbers as the TUI shows them: countdowns in the target's own clock, statuses,
//! states, the service-window line.

use crate::calendar::WorkCalendar;
use crate::contract::Contract;
use crate::i18n::Lang;
use crate::sla::{self, Clock, Status};
use crate::ticket::TimerEval;
use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};

/// How a timer looks on the board: the text and the colour class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Look {
    Running,
    AtRisk,
    Breached,
    Met,
    Paused,
    /// No target of this kind.
    None,
}

impl Look {
    pub fn of(t: &TimerEval, now: DateTime<Utc>) -> Look {
        match t.status_at(now) {
            None => Look::None,
            Some(_) if t.paused => Look::Paused,
            Some(Status::Running) => Look::Running,
            Some(Status::AtRisk) => Look::AtRisk,
            Some(Status::Breached) => Look::Breached,
            Some(Status::Met) => Look::Met,
        }
    }

    pub fn label(self, l: Lang) -> &'static str {
        match self {
            Look::Running => l.t("kører", "running"),
            Look::AtRisk => l.t("i fare", "at risk"),
            Look::Breached => l.t("overskredet", "breached"),
            Look::Met => l.t("overholdt", "met"),
            Look::Paused => l.t("pause", "paused"),
            Look::None => "",
        }
    }
}

pub fn status_label(s: Status, l: Lang) -> &'static str {
    match s {
        Status::Running => l.t("kører", "running"),
        Status::AtRisk => l.t("i fare", "at risk"),
        Status::Breached => l.t("overskredet", "breached"),
        Status::Met => l.t("overholdt", "met"),
    }
}

/// The longest service-window day of the contract (a "full working day" for `0,5 arbejdsdage`).
pub fn full_window_day(contract: &Contract) -> TimeDelta {
    contract.full_window_day()
}

/// Working days with one decimal and the language's decimal mark, always in the plural:
/// `0,5 arbejdsdage`, `2,3 arbejdsdage`, `-0,5 arbejdsdage`.
pub fn working_days_decimal(l: Lang, left: TimeDelta, full_day: TimeDelta) -> String {
    crate::i18n::working_days_decimal(l, left, full_day)
}

/// Time left (negative: overrun) of a timer in its own clock, as the board shows it: `1t 25m`,
/// `0,5 arbejdsdage`, `-2t 10m`. A paused timer shows the time it had left when paused; a
/// done one `✓` (met) or its overrun at the moment it was done.
pub fn countdown(
    cal: &WorkCalendar,
    l: Lang,
    t: &TimerEval,
    evaluated: DateTime<Utc>,
    now: DateTime<Utc>,
    full_day: TimeDelta,
) -> String {
    let (Some(timer), Some(deadline)) = (t.timer, t.deadline) else {
        return "—".into();
    };
    let at = match t.done {
        Some(d) if d <= deadline => return "✓".into(),
        Some(d) => d,
        None if t.paused => evaluated,
        None => now,
    };
    let Ok(left) = sla::remaining(cal, timer.clock, deadline, at) else {
        return "?".into();
    };
    let text = match timer.clock {
        Clock::WorkingDays => working_days_decimal(l, left, full_day),
        _ => l.duration(left),
    };
    if t.paused {
        format!("⏸ {text}")
    } else {
        text
    }
}

/// The share of a timer's target already used, for the detail gauges (0.0–1.0).
pub fn used_ratio(
    cal: &WorkCalendar,
    t: &TimerEval,
    evaluated: DateTime<Utc>,
    now: DateTime<Utc>,
) -> f64 {
    let (Some(timer), Some(deadline)) = (t.timer, t.deadline) else {
        return 0.0;
    };
    let at = t.done.unwrap_or(if t.paused { evaluated } else { now });
    let (Ok(total), Ok(left)) = (
        sla::target_length(cal, &timer),
        sla::remaining(cal, timer.clock, deadline, at),
    ) else {
        return 0.0;
    };
    if total <= TimeDelta::zero() {
        return 1.0;
    }
    let used = (total - left).num_seconds() as f64 / total.num_seconds() as f64;
    used.clamp(0.0, 1.0)
}

/// The header's window line: `dagtimer til 16:15` or `uden for dagtimer — åbner man 07:00`.
pub fn window_line(cal: &WorkCalendar, l: Lang, now: DateTime<Utc>) -> String {
    let today = cal.local(now).date();
    match cal.in_window(now) {
        Ok(true) => {
            let close = cal
                .window_local(today)
                .ok()
                .flatten()
                .map(|(_, c)| c)
                .unwrap_or(NaiveTime::MIN);
            format!(
                "{} {}",
                l.t("dagtimer til", "service window until"),
                close.format("%H:%M")
            )
        }
        _ => match cal.next_opening(now) {
            Ok(o) => {
                let o = cal.local(o);
                let when = if o.date() == today {
                    l.t("i dag", "today").to_string()
                } else if (o.date() - today).num_days() < 7 {
                    l.weekday(o.weekday()).to_string()
                } else {
                    l.date(o.date())
                };
                format!(
                    "{} — {} {when} {}",
                    l.t("uden for dagtimer", "outside the service window"),
                    l.t("åbner", "opens"),
                    o.format("%H:%M")
                )
            }
            Err(_) => l
                .t("uden for dagtimer", "outside the service window")
                .into(),
        },
    }
}

/// Whether the desk is staffed now, in words.
pub fn desk_line(cal: &WorkCalendar, contract: &Contract, l: Lang, now: DateTime<Utc>) -> String {
    match cal.in_hours(now, &contract.desk) {
        Ok(true) => l.t("vagten er bemandet", "desk staffed").into(),
        _ => l.t("vagten er ubemandet", "desk unstaffed").into(),
    }
}

/// Reads a time typed in a form: empty = now, `HH:MM` = today (contract-local), or any
/// format `frist` accepts on the command line.
pub fn parse_when(
    input: &str,
    cal: &WorkCalendar,
    now: DateTime<Utc>,
    l: Lang,
) -> Result<DateTime<Utc>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(now);
    }
    if let Ok(t) = NaiveTime::parse_from_str(s, "%H:%M") {
        return Ok(cal.to_utc(cal.local(now).date().and_time(t)));
    }
    crate::time::parse_time(s, &cal.tz).map_err(|e| e.message(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_days_use_the_danish_decimal_comma() {
        let day = TimeDelta::minutes(555);
        let cases = [
            // A decimal number takes the plural, whatever its value.
            (277, Lang::Da, "0,5 arbejdsdage"),
            (555, Lang::Da, "1,0 arbejdsdage"),
            (832, Lang::Da, "1,5 arbejdsdage"),
            (1277, Lang::Da, "2,3 arbejdsdage"),
            (-277, Lang::Da, "-0,5 arbejdsdage"),
            (0, Lang::Da, "0,0 arbejdsdage"),
            (-10, Lang::Da, "0,0 arbejdsdage"),
            (277, Lang::En, "0.5 working days"),
            (555, Lang::En, "1.0 working days"),
            (0, Lang::En, "0.0 working days"),
            (1277, Lang::En, "2.3 working days"),
        ];
        for (m, l, want) in cases {
            assert_eq!(working_days_decimal(l, TimeDelta::minutes(m), day), want);
        }
    }

    #[test]
    fn a_time_field_says_what_is_wrong_in_the_agents_language() {
        let loaded = crate::load::contract("laasesystem").expect("built in");
        let now = loaded.calendar.to_utc(
            chrono::NaiveDate::from_ymd_opt(2025, 3, 4)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
        );
        let cal = &loaded.calendar;
        assert_eq!(parse_when("", cal, now, Lang::Da), Ok(now));
        let at_nine = cal.to_utc(
            chrono::NaiveDate::from_ymd_opt(2025, 3, 4)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
        );
        assert_eq!(parse_when("09:00", cal, now, Lang::Da), Ok(at_nine));
        let da = parse_when("i går", cal, now, Lang::Da).unwrap_err();
        assert!(da.starts_with("kan ikke læse tidspunktet 'i går'"), "{da}");
        let en = parse_when("i går", cal, now, Lang::En).unwrap_err();
        assert!(en.starts_with("cannot read the time 'i går'"), "{en}");
    }
}
