//! Commands of the timer engine: holidays, calendar, contracts, deadline, fine.

use super::{CmdResult, Ctx, Failure};
use crate::calendar::WorkCalendar;
use crate::contract::{Category, Contract};
use crate::i18n::{kroner, Lang};
use crate::sla::{self, explain::target_words, Timer};
use crate::time::{parse_time, rfc3339};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use clap::Args;
use serde_json::{json, Value};
use std::io::Write;

#[derive(Debug, Args)]
pub struct HolidaysArgs {
    /// The year, e.g. 2026.
    pub year: i32,
    /// Print JSON: an array of {date, name, kind, closes}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// The month as YYYY-MM (default: this month).
    pub month: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContractsArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DeadlineArgs {
    /// Category id (see `frist contracts`).
    #[arg(long)]
    pub category: String,
    /// When the fault was reported: 'YYYY-MM-DD HH:MM' (contract-local) or RFC 3339.
    #[arg(long)]
    pub reported: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FineArgs {
    /// Category id (see `frist contracts`).
    #[arg(long)]
    pub category: String,
    /// The resolution deadline.
    #[arg(long)]
    pub deadline: String,
    /// When it was resolved (default: now, for a ticket still open).
    #[arg(long)]
    pub resolved: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn year_in_range(year: i32) -> Result<(), Failure> {
    if !(crate::calendar::FIRST_YEAR..=crate::calendar::LAST_YEAR).contains(&year) {
        return Err(Failure::usage(format!(
            "year {year} is outside the calendar's range; give a year from {} to {}",
            crate::calendar::FIRST_YEAR,
            crate::calendar::LAST_YEAR
        )));
    }
    Ok(())
}

fn time_arg(ctx: &Ctx, flag: &str, s: &str) -> Result<DateTime<Utc>, Failure> {
    parse_time(s, &ctx.loaded.contract.tz)
        .map_err(|e| Failure::usage(format!("{flag}: {}", e.message(ctx.lang))))
}

pub(super) fn json_out(out: &mut impl Write, v: &Value) -> CmdResult {
    serde_json::to_writer_pretty(&mut *out, v).map_err(|e| Failure {
        message: e.to_string(),
        code: 1,
    })?;
    writeln!(out)?;
    Ok(())
}

/// `frist` with no command, until the TUI exists: what it is and its commands.
pub fn overview(ctx: &Ctx, out: &mut impl Write) -> CmdResult {
    let l = ctx.lang;
    let c = &ctx.loaded.contract;
    writeln!(
        out,
        "frist — {}",
        l.t(
            "servicemål, frister og dagsbod",
            "service targets, deadlines and fines"
        )
    )?;
    writeln!(
        out,
        "{}: {} ({})",
        l.t("Kontrakt", "Contract"),
        c.id,
        c.name
    )?;
    writeln!(
        out,
        "{}: {}",
        l.t("Nu", "Now"),
        l.datetime(ctx.loaded.calendar.local(ctx.now))
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        l.t(
            "Kommandoer (frist --help for alle):",
            "Commands (frist --help for all):"
        )
    )?;
    for (cmd, da, en) in [
        ("frist contracts", "kontrakter, kategorier og mål", "contracts, categories and targets"),
        ("frist holidays 2026", "lukkedage og halve dage", "closed and shortened days"),
        ("frist calendar 2026-06", "månedens kalender med dagtimer", "the month with its service window"),
        ("frist deadline --category kritisk --reported '2025-03-03 15:30'", "frister med forklaring", "deadlines with explanation"),
        ("frist fine --category kritisk --deadline '2025-03-07 08:00' --resolved '2025-04-06 08:00'", "dagsbod", "daily fine"),
        ("frist classify Ingen kan logge ind i app'en", "foreslå kategori med begrundelse", "suggest a category with reasons"),
    ] {
        writeln!(out, "  {cmd}\n      {}", l.t(da, en))?;
    }
    Ok(())
}

pub fn holidays(ctx: &Ctx, a: &HolidaysArgs, out: &mut impl Write) -> CmdResult {
    year_in_range(a.year)?;
    let days = ctx.loaded.calendar.year(a.year);
    if a.json {
        return json_out(out, &serde_json::to_value(&days).unwrap_or(Value::Null));
    }
    let l = ctx.lang;
    writeln!(
        out,
        "{} {} — {} ({})",
        l.t("Lukkedage og halve dage", "Closed and shortened days"),
        a.year,
        ctx.loaded.contract.id,
        ctx.loaded.rules.name
    )?;
    for d in days {
        let what = match d.closes {
            None => l.t("lukket", "closed").to_string(),
            Some(t) => format!(
                "{} {}",
                l.t("dagtimer slutter", "window ends"),
                t.format("%H:%M")
            ),
        };
        let kind = match d.kind {
            crate::calendar::DayKind::Public => l.t("helligdag", "public holiday"),
            crate::calendar::DayKind::Customary => l.t("sædvane", "customary"),
        };
        writeln!(
            out,
            "  {} {}  {:<24} {:<22} {}",
            l.weekday(d.date.weekday()),
            l.date(d.date),
            d.name,
            what,
            kind
        )?;
    }
    Ok(())
}

fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.trim().split_once('-')?;
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

pub fn calendar(ctx: &Ctx, a: &CalendarArgs, out: &mut impl Write) -> CmdResult {
    let cal = &ctx.loaded.calendar;
    let l = ctx.lang;
    let first = match &a.month {
        Some(s) => parse_month(s).ok_or_else(|| {
            Failure::usage(crate::error::Error::BadMonth(s.trim().to_string()).message(l))
        })?,
        None => cal.local(ctx.now).date().with_day(1).unwrap_or_default(),
    };
    year_in_range(first.year())?;
    let month = first.month();
    let days: Vec<NaiveDate> = first
        .iter_days()
        .take_while(|d| d.month() == month)
        .collect();
    let title = format!("{} {}", l.month_name(month), first.year());
    // Lower-case in Danish, as in running text (`juni 2026`); English names are capitalised.
    writeln!(out, "{title:^34}")?;
    write!(out, " {}", l.t("uge", "wk "))?;
    for wd in 0..7 {
        write!(
            out,
            " {:>3}",
            l.weekday(chrono::Weekday::try_from(wd as u8).unwrap_or(chrono::Weekday::Mon))
        )?;
    }
    writeln!(out)?;
    let lead = first.weekday().num_days_from_monday() as usize;
    let mut col = 0;
    write!(out, " {:>3}", first.iso_week().week())?;
    for _ in 0..lead {
        write!(out, "    ")?;
        col += 1;
    }
    for d in &days {
        if col == 7 {
            writeln!(out)?;
            write!(out, " {:>3}", d.iso_week().week())?;
            col = 0;
        }
        let mark = day_mark(cal, *d)?;
        write!(out, " {:>2}{}", d.day(), mark)?;
        col += 1;
    }
    writeln!(out)?;
    writeln!(
        out,
        "  {}",
        l.t(
            "* lukket (helligdag/weekend)   ½ kortere dagtimer   · arbejdsdag",
            "* closed (holiday/weekend)   ½ shortened window   · working day"
        )
    )?;
    writeln!(out)?;
    for d in &days {
        let window = cal.window_local(*d).map_err(|e| Failure::of(e, ctx.lang))?;
        let special = cal.special(*d);
        let desc = match (window, special) {
            (Some((o, c)), Some(s)) => format!(
                "{}–{}  {} ({})",
                o.format("%H:%M"),
                c.format("%H:%M"),
                s.name,
                l.t("kort dag", "short day")
            ),
            (Some((o, c)), None) => format!("{}–{}", o.format("%H:%M"), c.format("%H:%M")),
            (None, Some(s)) => format!("{:<11}  {}", l.t("lukket", "closed"), s.name),
            (None, None) => l.t("lukket", "closed").to_string(),
        };
        writeln!(out, "  {} {}  {}", l.weekday(d.weekday()), l.date(*d), desc)?;
    }
    Ok(())
}

fn day_mark(cal: &WorkCalendar, d: NaiveDate) -> Result<char, Failure> {
    Ok(match (cal.window_local(d)?, cal.special(d)) {
        (None, _) => '*',
        (Some(_), Some(_)) => '½',
        (Some(_), None) => '·',
    })
}

fn category_json(c: &Category) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "clock": c.clock,
        "day": c.day,
        "outside": c.outside,
        "fine": c.fine,
        "downtime": c.downtime,
        "service_order": c.service_order,
    })
}

pub fn contracts(ctx: &Ctx, a: &ContractsArgs, out: &mut impl Write) -> CmdResult {
    let mut loaded: Vec<Contract> = Vec::new();
    for name in crate::load::known_contracts() {
        match crate::load::contract(&name) {
            Ok(l) => loaded.push(l.contract),
            Err(e) => return Err(e.into()),
        }
    }
    if !loaded.iter().any(|c| c.id == ctx.loaded.contract.id) {
        loaded.push(ctx.loaded.contract.clone());
    }
    if a.json {
        let v: Vec<Value> = loaded
            .iter()
            .map(|c| json!({"id": c.id, "name": c.name, "active": c.id == ctx.loaded.contract.id, "categories": c.categories.iter().map(category_json).collect::<Vec<_>>()}))
            .collect();
        return json_out(out, &Value::Array(v));
    }
    let l = ctx.lang;
    for c in &loaded {
        let active = if c.id == ctx.loaded.contract.id {
            l.t("  (aktiv)", "  (active)")
        } else {
            ""
        };
        writeln!(out, "{} — {}{active}", c.id, c.name)?;
        writeln!(
            out,
            "  {:<16} {:<12} {:<21} {:<21} {}",
            l.t("kategori", "category"),
            l.t("ur", "clock"),
            l.t("dagtimer reak/løsn", "day react/resolve"),
            l.t("udenfor reak/løsn", "outside react/resolve"),
            l.t("dagsbod", "daily fine")
        )?;
        for cat in &c.categories {
            let pair = |t: crate::contract::Targets| {
                format!(
                    "{} / {}",
                    t.reaction
                        .map(|x| target_words(l, x))
                        .unwrap_or_else(|| "–".into()),
                    t.resolution
                        .map(|x| target_words(l, x))
                        .unwrap_or_else(|| "–".into())
                )
            };
            let outside = cat
                .outside
                .map(pair)
                .unwrap_or_else(|| l.t("ikke omfattet", "not covered").into());
            let fine = cat
                .fine
                .map(|f| {
                    format!(
                        "{} / {}, max {}",
                        kroner(f.lower),
                        kroner(f.higher),
                        l.calendar_days(f.cap_days)
                    )
                })
                .unwrap_or_else(|| "–".into());
            let clock = match cat.clock {
                crate::contract::ClockKind::Continuous => l.t("uafbrudt", "continuous"),
                crate::contract::ClockKind::Business => l.t("dagtimer", "business"),
            };
            writeln!(
                out,
                "  {:<16} {:<12} {:<21} {:<21} {}",
                cat.id,
                clock,
                pair(cat.day),
                outside,
                fine
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

fn timer_json(t: &Option<Timer>, tz: &chrono_tz::Tz) -> Value {
    match t {
        Some(t) => Value::String(rfc3339(t.deadline, tz)),
        None => Value::Null,
    }
}

pub fn deadline(ctx: &Ctx, a: &DeadlineArgs, out: &mut impl Write) -> CmdResult {
    let c = &ctx.loaded.contract;
    let cal = &ctx.loaded.calendar;
    let cat = c
        .category(&a.category)
        .map_err(|e| Failure::of(e, ctx.lang))?;
    let reported = time_arg(ctx, "--reported", &a.reported)?;
    let lang = |e| Failure::of(e, ctx.lang);
    let d = sla::deadlines(cal, cat, reported).map_err(lang)?;
    let explain = sla::explain_deadlines(cal, ctx.lang, cat, &d).map_err(lang)?;
    if a.json {
        return json_out(
            out,
            &json!({
                "contract": c.id,
                "category": cat.id,
                "window": d.window.as_str(),
                "reported_in_window": d.reported_in_window,
                "reported": rfc3339(reported, &c.tz),
                "reaction": timer_json(&d.reaction, &c.tz),
                "resolution": timer_json(&d.resolution, &c.tz),
                "explain": explain,
            }),
        );
    }
    let l = ctx.lang;
    writeln!(
        out,
        "{}: {}   {}: {} ({})",
        l.t("Kontrakt", "Contract"),
        c.id,
        l.t("Kategori", "Category"),
        cat.id,
        cat.name
    )?;
    let win = if d.reported_in_window {
        l.t("inden for dagtimer", "inside the service window")
    } else {
        l.t("uden for dagtimer", "outside the service window")
    };
    writeln!(
        out,
        "{}: {}  ({win})",
        l.t("Anmeldt", "Reported"),
        l.datetime(cal.local(reported))
    )?;
    for (name, t) in [
        (l.t("Reaktionstid", "Reaction"), &d.reaction),
        (l.t("Løsningstid", "Resolution"), &d.resolution),
    ] {
        match t {
            Some(t) => writeln!(
                out,
                "{:<13} {:<14} {} {}",
                format!("{name}:"),
                target_words(l, t.target),
                l.t("frist", "deadline"),
                l.datetime(cal.local(t.deadline))
            )?,
            None => writeln!(out, "{:<13} –", format!("{name}:"))?,
        }
    }
    writeln!(out)?;
    writeln!(out, "{}:", l.t("Forklaring", "Explanation"))?;
    for e in explain {
        writeln!(out, "  - {e}")?;
    }
    Ok(())
}

pub fn fine(ctx: &Ctx, a: &FineArgs, out: &mut impl Write) -> CmdResult {
    let c = &ctx.loaded.contract;
    let cal = &ctx.loaded.calendar;
    let cat = c
        .category(&a.category)
        .map_err(|e| Failure::of(e, ctx.lang))?;
    let deadline = time_arg(ctx, "--deadline", &a.deadline)?;
    let end = match &a.resolved {
        Some(s) => time_arg(ctx, "--resolved", s)?,
        None => ctx.now,
    };
    let fine = match &cat.fine {
        Some(table) => {
            sla::fine(cal, table, deadline, end).map_err(|e| Failure::of(e, ctx.lang))?
        }
        None => sla::Fine {
            overrun_minutes: (end - deadline).num_minutes().max(0),
            ..Default::default()
        },
    };
    if a.json {
        let days: Vec<Value> = fine
            .days
            .iter()
            .map(|d| json!({"begins": rfc3339(d.begins, &c.tz), "amount": d.amount}))
            .collect();
        return json_out(
            out,
            &json!({"overrun_minutes": fine.overrun_minutes, "days": days, "total": fine.total}),
        );
    }
    write_fine(ctx.lang, cal, cat, &fine, out)
}

fn write_fine(
    l: Lang,
    cal: &WorkCalendar,
    cat: &Category,
    fine: &sla::Fine,
    out: &mut impl Write,
) -> CmdResult {
    writeln!(
        out,
        "{}: {} ({})",
        l.t("Kategori", "Category"),
        cat.id,
        cat.name
    )?;
    writeln!(
        out,
        "{}: {}",
        l.t("Overskridelse", "Overrun"),
        l.duration(chrono::TimeDelta::minutes(fine.overrun_minutes))
    )?;
    match &cat.fine {
        None => writeln!(
            out,
            "{}",
            l.t(
                "Kategorien har ingen dagsbod i kontrakten.",
                "The category has no daily fine in the contract."
            )
        )?,
        Some(t) if fine.days.is_empty() => writeln!(
            out,
            "{} ({} {})",
            l.t("Ingen dagsbod", "No fine"),
            l.t("overskridelse under", "overrun below"),
            l.duration(t.grace())
        )?,
        Some(_) => {
            for (i, d) in fine.days.iter().enumerate() {
                writeln!(
                    out,
                    "  {}. {} {}  {:>10}",
                    i + 1,
                    l.t("dag fra", "day from"),
                    l.datetime(cal.local(d.begins)),
                    kroner(d.amount)
                )?;
            }
        }
    }
    writeln!(
        out,
        "{}: {}",
        l.t("Dagsbod i alt", "Total fine"),
        kroner(fine.total)
    )?;
    Ok(())
}
