//! Plain-language explanations of how a deadline was reached, for agents and municipalities.

use super::{deadline_from, Clock, Deadlines, Timer, TimerKind, Window};
use crate::calendar::{Span, WorkCalendar};
use crate::contract::{Category, Target};
use crate::error::Result;
use crate::i18n::Lang;
use chrono::{DateTime, Utc};

/// A target in words: `3t`, `4t 30m`, `1 arbejdsdag`, `14 dage`.
pub fn target_words(lang: Lang, t: Target) -> String {
    match t {
        Target::Minutes(m) => lang.duration(chrono::TimeDelta::minutes(m.into())),
        Target::WorkingDays(n) => lang.working_days(n),
        Target::CalendarDays(n) => lang.calendar_days(n),
    }
}

fn clock_words(lang: Lang, c: Clock) -> &'static str {
    match c {
        Clock::Continuous => lang.t(
            "uafbrudt ur: al tid tæller",
            "continuous clock: all time counts",
        ),
        Clock::Business => lang.t(
            "kun tid i dagtimer tæller",
            "only service-window time counts",
        ),
        Clock::WorkingDays => lang.t(
            "arbejdsdage: samme klokkeslæt på den N. arbejdsdag",
            "working days: same time on the N-th working day",
        ),
        Clock::CalendarDays => lang.t("kalenderdage: N × 24 timer", "calendar days: N × 24 hours"),
    }
}

fn at(cal: &WorkCalendar, lang: Lang, t: DateTime<Utc>) -> String {
    lang.datetime(cal.local(t))
}

fn span_words(cal: &WorkCalendar, lang: Lang, s: &Span) -> String {
    let (a, b) = (cal.local(s.start), cal.local(s.end));
    format!(
        "{} {}–{} ({})",
        lang.weekday(chrono::Datelike::weekday(&a)),
        a.format("%H:%M"),
        b.format("%H:%M"),
        lang.duration(s.end - s.start)
    )
}

/// Explains one timer: its target, its clock, the spans counted and the deadline.
pub fn explain_timer(cal: &WorkCalendar, lang: Lang, timer: &Timer) -> Result<String> {
    let what = match timer.kind {
        TimerKind::Reaction => lang.t("Reaktionstid", "Reaction"),
        TimerKind::Resolution => lang.t("Løsningstid", "Resolution"),
    };
    let head = format!(
        "{what} {} ({}) {} {}",
        target_words(lang, timer.target),
        clock_words(lang, timer.clock),
        lang.t("fra", "from"),
        at(cal, lang, timer.start)
    );
    let body = match timer.clock {
        Clock::Business => {
            let mut spans = Vec::new();
            deadline_from(
                cal,
                timer.clock,
                timer.target,
                timer.start,
                Some(&mut spans),
            )?;
            let list: Vec<String> = spans.iter().map(|s| span_words(cal, lang, s)).collect();
            format!("{}: {}", lang.t("talt", "counted"), list.join(", "))
        }
        Clock::WorkingDays => {
            let n = match timer.target {
                Target::WorkingDays(n) => n,
                _ => 0,
            };
            let local = cal.local(timer.start);
            let day = cal.add_working_days(local.date(), n)?;
            let dl = cal.local(timer.deadline);
            let mut s = format!(
                "{} {}. {} {} {}",
                lang.t("samme klokkeslæt", "same time"),
                n,
                lang.t("arbejdsdag er", "working day is"),
                lang.weekday(chrono::Datelike::weekday(&day)),
                lang.date(day)
            );
            if dl.time() != local.time() {
                s.push_str(&format!(
                    "; {} {} {}",
                    lang.t("dagtimerne", "the window"),
                    lang.t("lukker", "closes at"),
                    dl.format("%H:%M")
                ));
            }
            s
        }
        Clock::Continuous | Clock::CalendarDays => format!(
            "{} + {}",
            at(cal, lang, timer.start),
            target_words(lang, timer.target)
        ),
    };
    Ok(format!(
        "{head}; {body} → {} {}",
        lang.t("frist", "deadline"),
        at(cal, lang, timer.deadline)
    ))
}

/// Explains which targets applied and how each deadline was reached.
pub fn explain_deadlines(
    cal: &WorkCalendar,
    lang: Lang,
    category: &Category,
    d: &Deadlines,
) -> Result<Vec<String>> {
    let reported = at(cal, lang, d.reported);
    let first =
        match (d.reported_in_window, d.window) {
            (true, _) => format!(
                "{} {reported} {} ({}): {}",
                lang.t("Anmeldt", "Reported"),
                lang.t("inden for dagtimer", "inside the service window"),
                category.name,
                lang.t("dagtimer-målene gælder", "the day targets apply")
            ),
            (false, Window::Outside) => format!(
                "{} {reported} {} ({}): {}",
                lang.t("Anmeldt", "Reported"),
                lang.t("uden for dagtimer", "outside the service window"),
                category.name,
                lang.t(
                    "målene uden for dagtimer gælder fra anmeldelsen",
                    "the outside targets apply from the report"
                )
            ),
            (false, Window::Day) => format!(
            "{} {reported} {} ({}): {} {}",
            lang.t("Anmeldt", "Reported"),
            lang.t("uden for dagtimer", "outside the service window"),
            category.name,
            lang.t(
                "ikke omfattet uden for dagtimer, så dagtimer-målene gælder fra næste åbning",
                "not covered outside the window, so the day targets apply from the next opening"
            ),
            at(cal, lang, d.reaction.or(d.resolution).map(|t| t.start).unwrap_or(d.reported))
        ),
        };
    let mut out = vec![first];
    for t in [d.reaction, d.resolution].into_iter().flatten() {
        out.push(explain_timer(cal, lang, &t)?);
    }
    if d.reaction.is_none() {
        out.push(
            lang.t(
                "Kategorien har intet reaktionstidsmål.",
                "The category has no reaction target.",
            )
            .to_string(),
        );
    }
    Ok(out)
}
