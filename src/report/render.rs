//! The report as Markdown (for an e-mail), CSV (for Danish Excel: `;`, decimal comma, UTF-8
//! with BOM), JSON and one self-contained HTML file with inline SVG charts that prints well.
//!
//! All three text formats are drawn from one neutral document ([`Doc`]) so they never disagree.

use super::{Report, TimerStats};
use crate::contract::Target;
use crate::i18n::{kroner, Lang};
use crate::safe::{self, Sheet};
use crate::sla::explain::target_words;
use crate::sla::{Clock, TimerKind};
use chrono::{DateTime, TimeDelta, Utc};
use std::fmt::Write as _;

/// An output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Markdown, to paste into an e-mail.
    #[default]
    Md,
    /// CSV for Danish Excel (semicolons, decimal comma, UTF-8 with BOM).
    Csv,
    /// The report's figures as JSON, for other programs.
    Json,
    /// One self-contained HTML file with charts.
    Html,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Html => "html",
        }
    }
}

/// The report in a format.
pub fn render(r: &Report, format: Format, lang: Lang) -> String {
    match format {
        Format::Md => render_markdown(r, lang),
        Format::Csv => render_csv(r, lang),
        Format::Json => render_json(r),
        Format::Html => render_html(r, lang),
    }
}

/// Pretty JSON with a final newline.
pub fn render_json(r: &Report) -> String {
    let mut s =
        serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

/// Text: for people (Markdown, HTML). Sheet: for a spreadsheet (plain numbers, ISO dates).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Text,
    Sheet,
}

struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Columns to right-align (numbers).
    right: Vec<usize>,
}

enum Block {
    Para(String),
    Table(Table),
    /// HTML only: a chart.
    Chart(Chart),
}

#[derive(Clone, Copy)]
enum Chart {
    Resolution,
    Availability,
}

struct Section {
    title: String,
    blocks: Vec<Block>,
}

struct Doc {
    title: String,
    meta: Vec<String>,
    sections: Vec<Section>,
}

/// A number with `decimals` digits, decimal comma in Danish (always in sheets).
fn num(lang: Lang, mode: Mode, x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    if lang == Lang::Da || mode == Mode::Sheet {
        s.replace('.', ",")
    } else {
        s
    }
}

/// A percentage cut (not rounded) to two decimals, so 98.999 % never shows as 99,00 %.
fn percent(lang: Lang, mode: Mode, p: f64) -> String {
    let cut = (p * 100.0 + 1e-9).floor() / 100.0;
    num(lang, mode, cut, 2)
}

/// A count of minutes: thousands separated in text, bare for a spreadsheet.
fn int(lang: Lang, mode: Mode, n: i64) -> String {
    match mode {
        Mode::Text => crate::i18n::integer(lang, n),
        Mode::Sheet => n.to_string(),
    }
}

fn money(mode: Mode, kr: u64) -> String {
    match mode {
        Mode::Text => kroner(kr),
        Mode::Sheet => kr.to_string(),
    }
}

fn when(r: &Report, lang: Lang, mode: Mode, t: DateTime<Utc>) -> String {
    let local = t.with_timezone(&r.tz).naive_local();
    match mode {
        Mode::Text => lang.datetime(local),
        Mode::Sheet => local.format("%Y-%m-%d %H:%M").to_string(),
    }
}

fn minutes_text(lang: Lang, mode: Mode, m: i64) -> String {
    match mode {
        Mode::Text => lang.duration(TimeDelta::minutes(m)),
        Mode::Sheet => m.to_string(),
    }
}

/// Minutes of a clock: service-window time in hours and minutes only (a "day" of window time
/// would read as 24 hours), wall time as the board shows it.
fn clock_minutes(lang: Lang, mode: Mode, clock: Clock, m: i64) -> String {
    match (mode, clock) {
        (Mode::Text, Clock::Business | Clock::WorkingDays) => {
            let (h, min) = (m / 60, m % 60);
            match (h, min) {
                (0, min) => format!("{min}m"),
                (h, 0) => format!("{h}{}", lang.t("t", "h")),
                (h, min) => format!("{h}{} {min}m", lang.t("t", "h")),
            }
        }
        _ => minutes_text(lang, mode, m),
    }
}

fn category_name<'a>(r: &'a Report, lang: Lang, id: &'a str) -> &'a str {
    r.categories
        .iter()
        .find(|c| c.id == id)
        .map(|c| match lang {
            Lang::En if !c.name_en.is_empty() => c.name_en.as_str(),
            _ => c.name.as_str(),
        })
        .unwrap_or(id)
}

fn target_text(lang: Lang, s: &TimerStats) -> String {
    let words = |t: &str| Target::parse(t).map_or(t.to_string(), |t| target_words(lang, t));
    let mut out = words(&s.target);
    if let Some(o) = &s.target_outside {
        let _ = write!(
            out,
            " ({} {})",
            lang.t("uden for dagtimer", "outside hours"),
            words(o)
        );
    }
    out
}

fn clock_unit(lang: Lang, c: Clock) -> &'static str {
    match c {
        Clock::WorkingDays => lang.t("arbejdsdage", "working days"),
        Clock::Business => lang.t("min. i dagtimer", "window minutes"),
        Clock::Continuous | Clock::CalendarDays => lang.t("min.", "min."),
    }
}

fn actual(lang: Lang, mode: Mode, s: &TimerStats, max: bool) -> String {
    let (m, wd) = if max {
        (s.max_minutes, s.max_working_days)
    } else {
        (s.average_minutes, s.average_working_days)
    };
    match (s.clock, m, wd) {
        (_, None, _) => "–".into(),
        (Clock::WorkingDays, _, Some(d)) => match mode {
            Mode::Text => format!("{} {}", num(lang, mode, d, 1), lang.t("arb.dage", "w.days")),
            Mode::Sheet => num(lang, mode, d, 1),
        },
        (c, Some(m), _) => clock_minutes(lang, mode, c, m),
    }
}

fn met_breached(lang: Lang, s: &TimerStats) -> String {
    let mut out = format!("{} / {}", s.met, s.breached);
    if s.open > 0 {
        let _ = write!(
            out,
            " ({})",
            crate::i18n::count(lang, s.open as usize, ("åben", "åbne"), ("open", "open"))
        );
    }
    out
}

fn timer_words(lang: Lang, k: TimerKind) -> &'static str {
    match k {
        TimerKind::Reaction => lang.t("Reaktionstid", "Reaction"),
        TimerKind::Resolution => lang.t("Løsningstid", "Resolution"),
    }
}

/// A table, or the sentence that says there is nothing to list (a table with no rows).
fn table_or(none: String, t: Table) -> Vec<Block> {
    if t.rows.is_empty() {
        vec![Block::Para(none)]
    } else {
        vec![Block::Table(t)]
    }
}

fn title(r: &Report, lang: Lang) -> String {
    let (y, m) = r.month.split_once('-').unwrap_or((&r.month, "1"));
    let month = lang.month_name(m.parse().unwrap_or(1));
    format!(
        "{} {} {} — {}",
        lang.t("Servicerapport", "Service report"),
        month,
        y,
        r.contract_name
    )
}

fn doc(r: &Report, lang: Lang, mode: Mode) -> Doc {
    let l = lang;
    let mut meta = vec![
        format!(
            "{}: {}",
            l.t("Kommune", "Municipality"),
            r.municipality
                .clone()
                .unwrap_or_else(|| l.t("alle kommuner", "all municipalities").into())
        ),
        {
            let day = |t: DateTime<Utc>| {
                let d = t.with_timezone(&r.tz).date_naive();
                match mode {
                    Mode::Text => l.date(d),
                    Mode::Sheet => d.format("%Y-%m-%d").to_string(),
                }
            };
            let last = if r.period.partial {
                format!(
                    "{} {}",
                    when(r, l, mode, r.period.until),
                    l.t("(måneden er ikke slut)", "(month to date)")
                )
            } else {
                day(r.period.until - TimeDelta::seconds(1))
            };
            format!(
                "{}: {} – {last}",
                l.t("Periode", "Period"),
                day(r.period.start)
            )
        },
        format!(
            "{}: {}",
            l.t("Udarbejdet", "Made"),
            when(r, l, mode, r.generated)
        ),
    ];
    meta.push(format!("{}: {}", l.t("Kontrakt", "Contract"), r.contract));

    let mut sections = Vec::new();

    // Fines first: the sum a municipality looks for.
    let f = &r.fines;
    sections.push(Section {
        title: l.t("Samlet bodsbeløb", "Fines in total").into(),
        blocks: vec![Block::Table(Table {
            headers: vec![l.t("Bod", "Fine").into(), l.t("Beløb", "Amount").into()],
            rows: vec![
                vec![
                    l.t(
                        "Bod for forsinket fejlrettelse (dagsbod)",
                        "Late resolution (daily fines)",
                    )
                    .into(),
                    money(mode, f.resolution),
                ],
                vec![
                    l.t("Bod for driftseffektivitet", "Availability").into(),
                    money(mode, f.availability),
                ],
                vec![
                    l.t("Bod for svartider", "Response times").into(),
                    money(mode, f.response_times),
                ],
                vec![l.t("I alt", "Total").into(), money(mode, f.total)],
            ],
            right: vec![1],
        })],
    });

    // The category table of seed 000.
    let unit = |s: &TimerStats| match mode {
        Mode::Text => String::new(),
        Mode::Sheet => format!(" ({})", clock_unit(l, s.clock)),
    };
    let mut rows = Vec::new();
    for c in &r.categories {
        let mut row = vec![category_name(r, l, &c.id).to_string(), c.count.to_string()];
        for t in [&c.reaction, &c.resolution] {
            match t {
                Some(s) => row.extend([
                    target_text(l, s),
                    format!(
                        "{}{}",
                        actual(l, mode, s, false),
                        if s.count > 0 { unit(s) } else { String::new() }
                    ),
                    format!(
                        "{}{}",
                        actual(l, mode, s, true),
                        if s.count > 0 { unit(s) } else { String::new() }
                    ),
                    met_breached(l, s),
                ]),
                None => row.extend(["–".into(), "–".into(), "–".into(), "–".into()]),
            }
        }
        rows.push(row);
    }
    let mut blocks = vec![Block::Table(Table {
        headers: vec![
            l.t("Fejlkategori", "Category").into(),
            l.t("Sager", "Tickets").into(),
            l.t("Krav til reaktionstid", "Reaction target").into(),
            l.t("Faktisk gns. reaktionstid", "Average reaction").into(),
            l.t("Længste reaktionstid", "Longest reaction").into(),
            l.t("Overholdt / overskredet", "Met / breached").into(),
            l.t("Krav til løsningstid", "Resolution target").into(),
            l.t("Faktisk gns. løsningstid", "Average resolution").into(),
            l.t("Længste løsningstid", "Longest resolution").into(),
            l.t("Overholdt / overskredet", "Met / breached").into(),
        ],
        rows,
        right: vec![1],
    })];
    blocks.push(Block::Para(
        l.t(
            "Tider er uden pauser og målt i målets eget ur: dagtimer for dagtimemål, arbejdsdage for arbejdsdagsmål, ellers døgnets timer.",
            "Times leave out pauses and are measured in the target's own clock: service-window time for window targets, working days for working-day targets, wall time otherwise.",
        )
        .into(),
    ));
    blocks.push(Block::Chart(Chart::Resolution));
    sections.push(Section {
        title: l.t("Indberettede fejl", "Reported faults").into(),
        blocks,
    });

    // Breaches.
    let rows: Vec<Vec<String>> = r
        .breaches
        .iter()
        .map(|b| {
            let overrun = match mode {
                Mode::Text => crate::i18n::overrun(
                    l,
                    b.clock,
                    b.overrun_minutes,
                    TimeDelta::minutes(r.window_day_minutes),
                ),
                Mode::Sheet => match b.overrun_working_days {
                    Some(d) => num(l, mode, d, 1),
                    None => b.overrun_minutes.to_string(),
                },
            };
            let mut title = b.title.clone();
            if let Some(why) = &b.disputed {
                let _ = write!(title, " ({}: {why})", l.t("bestridt", "disputed"));
            }
            if b.rejections > 0 {
                let _ = write!(
                    title,
                    " ({} {})",
                    l.t("afvist løsning ×", "rejected resolution ×"),
                    b.rejections
                );
            }
            let mut row = vec![
                b.ticket.to_string(),
                b.municipality.clone(),
                title,
                category_name(r, l, &b.category).to_string(),
                timer_words(l, b.timer).to_string(),
                when(r, l, mode, b.deadline),
                b.done
                    .map_or_else(|| l.t("åben", "open").to_string(), |d| when(r, l, mode, d)),
                overrun,
                if b.timer == TimerKind::Resolution {
                    money(mode, b.fine)
                } else {
                    "–".into()
                },
            ];
            // A sheet keeps plain numbers, so the unit of each row's overrun has a column.
            if mode == Mode::Sheet {
                row.insert(8, clock_unit(l, b.clock).to_string());
            }
            row
        })
        .collect();
    let mut headers: Vec<String> = vec![
        l.t("Sag", "Ticket").into(),
        l.t("Kommune", "Municipality").into(),
        l.t("Titel", "Title").into(),
        l.t("Kategori", "Category").into(),
        l.t("Frist", "Target").into(),
        l.t("Frist udløb", "Deadline").into(),
        l.t("Opfyldt", "Done").into(),
        l.t("Overskridelse", "Overrun").into(),
        l.t("Dagsbod", "Daily fine").into(),
    ];
    let mut right = vec![0, 7, 8];
    if mode == Mode::Sheet {
        headers.insert(8, l.t("Enhed", "Unit").into());
        right = vec![0, 7, 9];
    }
    sections.push(Section {
        title: l
            .t("Overskredne frister og dagsbod", "Breaches and daily fines")
            .into(),
        blocks: if rows.is_empty() {
            vec![Block::Para(
                l.t("Ingen frister blev overskredet.", "No target was breached.")
                    .into(),
            )]
        } else {
            vec![Block::Table(Table {
                headers,
                rows,
                right,
            })]
        },
    });

    // Availability.
    let a = &r.availability;
    let mut blocks = Vec::new();
    let target = a
        .target_percent
        .map(|t| {
            format!(
                " ({} {} %)",
                l.t("krav", "target"),
                num(l, Mode::Text, t, 1)
            )
        })
        .unwrap_or_default();
    blocks.push(Block::Table(Table {
        headers: vec![l.t("Mål", "Measure").into(), l.t("Værdi", "Value").into()],
        rows: vec![
            vec![
                format!(
                    "{}{}",
                    l.t("Driftseffektivitet (%)", "Availability (%)"),
                    target
                ),
                percent(l, mode, a.percent),
            ],
            vec![
                l.t("Nedetid (min.)", "Downtime (min.)").into(),
                int(l, mode, a.downtime_minutes),
            ],
            vec![
                l.t("Aftalt driftstid (min.)", "Agreed operating time (min.)")
                    .into(),
                int(l, mode, a.period_minutes),
            ],
            vec![
                l.t(
                    "Påbegyndte halve procentpoint under kravet",
                    "Started half points below target",
                )
                .into(),
                a.half_points_below.to_string(),
            ],
            vec![l.t("Bod", "Fine").into(), money(mode, a.fine)],
        ],
        right: vec![1],
    }));
    blocks.push(Block::Chart(Chart::Availability));
    if a.incidents.is_empty() {
        blocks.push(Block::Para(
            l.t("Ingen driftsafbrydelser.", "No downtime incidents.")
                .into(),
        ));
    } else {
        blocks.push(Block::Para(
            l.t("Driftsafbrydelser:", "Downtime incidents:").into(),
        ));
        blocks.push(Block::Table(Table {
            headers: vec![
                l.t("Sag", "Ticket").into(),
                l.t("Kategori", "Category").into(),
                l.t("Opstået", "Start").into(),
                l.t("Klarmeldt", "Restored").into(),
                l.t("Nedetid i måneden (min.)", "Downtime in month (min.)")
                    .into(),
                l.t("Art og årsag", "Kind and cause").into(),
                l.t("Afhjælpning", "Remedy").into(),
            ],
            rows: a
                .incidents
                .iter()
                .map(|i| {
                    vec![
                        i.ticket.to_string(),
                        category_name(r, l, &i.category).to_string(),
                        when(r, l, mode, i.start),
                        i.end.map_or_else(
                            || l.t("ikke klarmeldt", "not restored").to_string(),
                            |e| when(r, l, mode, e),
                        ),
                        int(l, mode, i.minutes_in_month),
                        i.cause.clone(),
                        if i.remedy.is_empty() {
                            "–".into()
                        } else {
                            i.remedy.clone()
                        },
                    ]
                })
                .collect(),
            right: vec![0, 4],
        }));
    }
    sections.push(Section {
        title: l.t("Driftseffektivitet", "Availability").into(),
        blocks,
    });

    // Pauses.
    sections.push(Section {
        title: l
            .t(
                "Pauser (venter på kommunen)",
                "Pauses (waiting for the municipality)",
            )
            .into(),
        blocks: table_or(
            l.t("Ingen pauser.", "No pauses.").into(),
            Table {
                headers: vec![
                    l.t("Sag", "Ticket").into(),
                    l.t("Fra", "From").into(),
                    l.t("Til", "To").into(),
                    l.t("Minutter i måneden", "Minutes in month").into(),
                    l.t("Begrundelse", "Reason").into(),
                ],
                rows: r
                    .pauses
                    .iter()
                    .map(|p| {
                        vec![
                            p.ticket.to_string(),
                            when(r, l, mode, p.start),
                            p.end.map_or_else(
                                || l.t("varer stadig", "still paused").to_string(),
                                |e| when(r, l, mode, e),
                            ),
                            int(l, mode, p.minutes_in_month),
                            p.reason.clone(),
                        ]
                    })
                    .collect(),
                right: vec![0, 3],
            },
        ),
    });

    // Steps recorded long after they took effect (domain §4.8).
    sections.push(Section {
        title: l
            .t(
                "Skridt registreret senere end de skete",
                "Steps recorded later than they happened",
            )
            .into(),
        blocks: table_or(
            l.t(
                "Ingen: alle skridt i måneden er registreret inden for en time.",
                "None: every step of the month was recorded within an hour.",
            )
            .into(),
            Table {
                headers: vec![
                    l.t("Sag", "Ticket").into(),
                    l.t("Hændelse", "Event").into(),
                    l.t("Skridt", "Step").into(),
                    l.t("Bruger", "User").into(),
                    l.t("Skete", "Happened").into(),
                    l.t("Registreret", "Recorded").into(),
                    l.t("Forsinkelse", "Delay").into(),
                ],
                rows: r
                    .late_recordings
                    .iter()
                    .map(|x| {
                        vec![
                            x.ticket.to_string(),
                            format!("#{}", x.event),
                            x.step.clone(),
                            x.user.clone(),
                            when(r, l, mode, x.effective),
                            when(r, l, mode, x.recorded),
                            match mode {
                                Mode::Text => l.recorded_later(TimeDelta::minutes(x.minutes_later)),
                                Mode::Sheet => x.minutes_later.to_string(),
                            },
                        ]
                    })
                    .collect(),
                right: vec![0],
            },
        ),
    });

    // Corrections of the month's tickets: what was withdrawn, mended or disputed, and why.
    sections.push(Section {
        title: l.t("Rettelser", "Corrections").into(),
        blocks: table_or(
            l.t(
                    "Ingen: intet skridt i månedens sager er trukket tilbage, ingen tekst rettet og intet brud bestridt.",
                    "None: no step of the month's tickets was retracted, no text edited and no breach disputed.",
                )
                .into(),
            Table {
                headers: vec![
                    l.t("Sag", "Ticket").into(),
                    l.t("Hændelse", "Event").into(),
                    l.t("Rettelse", "Correction").into(),
                    l.t("Bruger", "User").into(),
                    l.t("Registreret", "Recorded").into(),
                    l.t("Hvad og hvorfor", "What and why").into(),
                ],
                rows: r
                    .corrections
                    .iter()
                    .map(|x| {
                        vec![
                            x.ticket.to_string(),
                            format!("#{}", x.event),
                            x.correction.label(l).to_string(),
                            x.user.clone(),
                            when(r, l, mode, x.recorded),
                            x.correction.correction_text(l).unwrap_or_default(),
                        ]
                    })
                    .collect(),
                right: vec![0],
            },
        ),
    });

    // Operational test.
    let o = &r.operational_test;
    let date = |d: chrono::NaiveDate| match mode {
        Mode::Text => l.date(d),
        Mode::Sheet => d.format("%Y-%m-%d").to_string(),
    };
    let verdict = if o.deadlines_fell_due == 0 {
        l.t(
            "ingen frister er faldet i perioden, så driftsprøven kan ikke vurderes endnu (krav: 20)",
            "no deadline has fallen due in the period, so the operational test cannot be judged yet (needs 20)",
        )
    } else if o.passed {
        l.t(
            "driftsprøven er bestået (krav: 20)",
            "the operational test is passed (needs 20)",
        )
    } else {
        l.t(
            "driftsprøven er ikke bestået (krav: 20)",
            "the operational test is not passed (needs 20)",
        )
    };
    let days = l.working_days(o.streak_working_days);
    let mut text = format!(
        "{}{} {} {}: {verdict}.",
        if o.at_least {
            l.t("mindst ", "at least ")
        } else {
            ""
        },
        days,
        l.t(
            "i træk uden overskredne frister, til og med",
            "in a row without a breached target, up to"
        ),
        date(o.ends),
    );
    if let Some(b) = o.broken_on {
        let _ = write!(
            text,
            " {} {}.",
            l.t("Sidste overskridelse:", "Last breach:"),
            date(b)
        );
    }
    sections.push(Section {
        title: l.t("Driftsprøve", "Operational test").into(),
        blocks: vec![Block::Para(text)],
    });

    // Response times.
    let rt = &r.response_times;
    if rt.measurements > 0 {
        let secs = |x: Option<f64>| x.map_or("–".into(), |v| num(l, mode, v, 2));
        let mut blocks = vec![Block::Table(Table {
            headers: vec![
                l.t("Transaktionstype", "Transaction type").into(),
                l.t("Målinger", "Measurements").into(),
                l.t("Krav 95 % (s)", "95 % limit (s)").into(),
                l.t("95 %-fraktil (s)", "95th percentile (s)").into(),
                l.t("95 % overholdt", "95 % met").into(),
                l.t("Maks. krav (s)", "Max limit (s)").into(),
                l.t("Længste (s)", "Longest (s)").into(),
                l.t("Fejl I/II/III/IV", "Faults I/II/III/IV").into(),
                l.t("Point", "Points").into(),
            ],
            rows: rt
                .types
                .iter()
                .filter(|t| t.count > 0 || t.max_limit.is_some())
                .map(|t| {
                    vec![
                        t.name.clone(),
                        t.count.to_string(),
                        secs(t.p95_limit),
                        secs(t.p95),
                        match t.p95_met {
                            Some(true) => l.t("ja", "yes").into(),
                            Some(false) => l.t("nej", "no").into(),
                            None if t.count > 0 && !t.p95_judged => format!(
                                "{} {}",
                                l.t("for få målinger, under", "too few, under"),
                                rt.min_measurements
                            ),
                            None => "–".into(),
                        },
                        secs(t.max_limit),
                        secs(t.max),
                        format!(
                            "{}/{}/{}/{}",
                            t.faults[0], t.faults[1], t.faults[2], t.faults[3]
                        ),
                        t.points.to_string(),
                    ]
                })
                .collect(),
            right: vec![1, 2, 3, 5, 6, 8],
        })];
        if !rt.faults.is_empty() {
            blocks.push(Block::Table(Table {
                headers: vec![
                    l.t("Tidspunkt", "Time").into(),
                    l.t("Transaktionstype", "Transaction type").into(),
                    l.t("Svartid (s)", "Response (s)").into(),
                    l.t("Maks. krav (s)", "Max limit (s)").into(),
                    l.t("Over maks. (%)", "Over max (%)").into(),
                    l.t("Fejlkategori", "Fault category").into(),
                    l.t("Point", "Points").into(),
                ],
                rows: rt
                    .faults
                    .iter()
                    .map(|f| {
                        vec![
                            when(r, l, mode, f.at),
                            f.kind.clone(),
                            num(l, mode, f.seconds, 2),
                            num(l, mode, f.max_limit, 2),
                            num(l, mode, f.over_percent, 1),
                            f.category.as_str().into(),
                            f.points.to_string(),
                        ]
                    })
                    .collect(),
                right: vec![2, 3, 4, 6],
            }));
        }
        blocks.push(Block::Para(format!(
            "{}: {} × {} = {}",
            l.t("Bod for svartider", "Response-time fine"),
            rt.points,
            kroner(rt.per_point),
            kroner(rt.fine)
        )));
        sections.push(Section {
            title: l.t("Svartider", "Response times").into(),
            blocks,
        });
    }

    // The checkpoint: the log's state the report was made from, signed.
    if let Some(c) = &r.checkpoint {
        sections.push(Section {
            title: l.t("Kontrolpunkt", "Checkpoint").into(),
            blocks: vec![
                Block::Para(format!(
                    "{} {}: {} {}, {} {}, log {}, {} {}.",
                    l.t(
                        "Rapporten er lavet af loggen som den var",
                        "The report was made from the log as it was at"
                    ),
                    when(r, l, mode, c.at),
                    c.events,
                    l.t("hændelser", "events"),
                    l.t("hoved", "head"),
                    c.head,
                    c.log,
                    l.t("signeret med nøglen", "signed with the key"),
                    c.key
                )),
                Block::Para(format!(
                    "{} `frist verify --checkpoint {}`:",
                    l.t(
                        "Gem linjen herunder i en fil og bevis at loggen stadig rummer denne tilstand med",
                        "Save the line below to a file and prove that the log still holds this state with"
                    ),
                    l.t("FIL", "FILE")
                )),
                Block::Para(c.to_json()),
            ],
        });
    }

    Doc {
        title: title(r, l),
        meta,
        sections,
    }
}

/// A table cell: on one line, its `|` escaped, control characters shown as escapes.
fn md_cell(s: &str) -> String {
    safe::text(&s.replace('|', "\\|").replace(['\n', '\r'], " ")).into_owned()
}

/// Markdown that reads well pasted into an e-mail.
pub fn render_markdown(r: &Report, lang: Lang) -> String {
    let d = doc(r, lang, Mode::Text);
    // Text from the log (a municipality, a title, a note) never reaches the reader's terminal
    // or mail program with its control characters.
    let mut out = format!("# {}\n\n", safe::text(&d.title));
    for m in &d.meta {
        let _ = writeln!(out, "- {}", safe::text(m));
    }
    for s in &d.sections {
        let _ = write!(out, "\n## {}\n\n", safe::text(&s.title));
        for b in &s.blocks {
            match b {
                Block::Para(p) => {
                    let _ = writeln!(out, "{}\n", safe::text(p));
                }
                Block::Table(t) => {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        t.headers
                            .iter()
                            .map(|h| md_cell(h))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                    let _ = writeln!(
                        out,
                        "|{}|",
                        (0..t.headers.len())
                            .map(|i| if t.right.contains(&i) { "---:" } else { "---" })
                            .collect::<Vec<_>>()
                            .join("|")
                    );
                    for row in &t.rows {
                        let _ = writeln!(
                            out,
                            "| {} |",
                            row.iter()
                                .map(|c| md_cell(c))
                                .collect::<Vec<_>>()
                                .join(" | ")
                        );
                    }
                    out.push('\n');
                }
                Block::Chart(_) => {}
            }
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// CSV for Danish Excel: UTF-8 with BOM, `;` between fields, decimal comma, ISO dates, plain
/// numbers (minutes, kroner). Sections follow each other, separated by an empty line.
pub fn render_csv(r: &Report, lang: Lang) -> String {
    let d = doc(r, lang, Mode::Sheet);
    let mut w = Sheet::new();
    w.row([d.title.as_str()]);
    for m in &d.meta {
        let (k, v) = m.split_once(": ").unwrap_or((m, ""));
        w.row([k, v]);
    }
    for s in &d.sections {
        w.row([""]);
        w.row([s.title.as_str()]);
        for b in &s.blocks {
            match b {
                Block::Para(p) => w.row([p.as_str()]),
                Block::Table(t) => {
                    w.row(&t.headers);
                    for row in &t.rows {
                        w.row(row);
                    }
                }
                Block::Chart(_) => {}
            }
        }
    }
    w.finish()
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Resolution time against target per category: one bar per category with timers, its
/// length the average as a share of the target; the target is the dashed line.
fn resolution_chart(r: &Report, lang: Lang) -> String {
    let rows: Vec<(String, f64, String)> = r
        .categories
        .iter()
        .filter_map(|c| {
            let s = c.resolution.as_ref()?;
            let ratio = s.ratio_to_target()?;
            Some((
                category_name(r, lang, &c.id).to_string(),
                ratio,
                format!(
                    "{} / {}",
                    actual(lang, Mode::Text, s, false),
                    target_text(lang, s)
                ),
            ))
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    // The label and value columns are as wide as their longest text (about 7 and 6.5 px a
    // character at 12 and 11 px), so no label is cut; the page scales the whole chart down
    // to its width (`max-width: 100%`), text included.
    let chars = |s: &str| s.chars().count() as f64;
    let label_w = 12.0 + 7.0 * rows.iter().map(|r| chars(&r.0)).fold(0.0, f64::max);
    let text_w = 12.0 + 6.5 * rows.iter().map(|r| chars(&r.2)).fold(0.0, f64::max);
    let (bar_w, row_h) = (300.0, 26.0);
    let scale = 2.0; // the bar area shows 0–200 % of the target
    let height = 30.0 + row_h * rows.len() as f64;
    let width = (label_w + bar_w + text_w).ceil();
    let mut s = format!(
        "<svg role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMinYMin meet\"><title>{}</title>",
        esc(lang.t("Gennemsnitlig løsningstid i forhold til kravet", "Average resolution time against target"))
    );
    for (i, (name, ratio, text)) in rows.iter().enumerate() {
        let y = 10.0 + row_h * i as f64;
        let w = (ratio / scale).clamp(0.0, 1.0) * bar_w;
        let colour = if *ratio <= 1.0 { "#2e7d32" } else { "#c62828" };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            label_w - 6.0,
            y + 13.0,
            esc(name),
            row_h - 8.0,
            label_w + bar_w + 6.0,
            y + 13.0,
            esc(text)
        );
    }
    let x = label_w + bar_w / scale;
    let _ = write!(
        s,
        "<line x1=\"{x}\" y1=\"4\" x2=\"{x}\" y2=\"{}\" stroke=\"#000\" stroke-dasharray=\"4 3\"/><text x=\"{x}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text></svg>",
        height - 14.0,
        height - 3.0,
        esc(lang.t("krav", "target"))
    );
    s
}

/// Availability against its target on a scale from a little below the lower of the two.
fn availability_chart(r: &Report, lang: Lang) -> String {
    let a = &r.availability;
    let target = a.target_percent.unwrap_or(99.0);
    let low = (a.percent.min(target) - 1.0).floor().clamp(0.0, 95.0);
    let (x0, w, width) = (20.0, 560.0, 620.0);
    let pos = |p: f64| x0 + (p - low) / (100.0 - low) * w;
    let colour = if a.percent >= target {
        "#2e7d32"
    } else {
        "#c62828"
    };
    // The target's label sits above the bar, anchored so it never runs past either end or
    // over the scale's labels below.
    let tx = pos(target);
    let anchor = if tx > x0 + 0.8 * w {
        "end"
    } else if tx < x0 + 0.2 * w {
        "start"
    } else {
        "middle"
    };
    format!(
        "<svg role=\"img\" width=\"{width}\" height=\"84\" viewBox=\"0 0 {width} 84\" preserveAspectRatio=\"xMinYMin meet\"><title>{t}</title>\
<rect x=\"{x0}\" y=\"18\" width=\"{w}\" height=\"24\" fill=\"#eee\" stroke=\"#999\"/>\
<rect x=\"{x0}\" y=\"18\" width=\"{bw:.1}\" height=\"24\" fill=\"{colour}\"/>\
<line x1=\"{tx:.1}\" y1=\"14\" x2=\"{tx:.1}\" y2=\"46\" stroke=\"#000\" stroke-dasharray=\"4 3\"/>\
<text x=\"{tx:.1}\" y=\"11\" font-size=\"11\" text-anchor=\"{anchor}\">{tl}</text>\
<text x=\"{x0}\" y=\"58\" font-size=\"11\">{lo} %</text><text x=\"{xe}\" y=\"58\" font-size=\"11\" text-anchor=\"end\">100 %</text>\
<text x=\"{x0}\" y=\"78\" font-size=\"12\">{al}: {ap} %</text></svg>",
        t = esc(lang.t("Driftseffektivitet i forhold til kravet", "Availability against target")),
        bw = pos(a.percent) - x0,
        tl = esc(&format!("{} {} %", lang.t("krav", "target"), num(lang, Mode::Text, target, 1))),
        lo = num(lang, Mode::Text, low, 0),
        xe = x0 + w,
        al = esc(lang.t("Driftseffektivitet", "Availability")),
        ap = percent(lang, Mode::Text, a.percent),
    )
}

/// One self-contained HTML file (no external references) with the tables and inline SVG
/// charts; prints on A4.
pub fn render_html(r: &Report, lang: Lang) -> String {
    let d = doc(r, lang, Mode::Text);
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
body{{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;font-size:14px;color:#111;margin:1.5em;max-width:1100px}}\n\
h1{{font-size:1.5em}} h2{{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}}\n\
table{{border-collapse:collapse;margin:.5em 0 1em;max-width:100%}} th,td{{border:1px solid #bbb;padding:3px 6px;vertical-align:top;overflow-wrap:break-word}}\n\
table.wide{{width:100%;font-size:12.5px}} table.wide th,table.wide td{{padding:2px 4px}}\n\
th{{background:#f0f0f0;text-align:left}} td.n{{text-align:right;white-space:nowrap}}\n\
ul.meta{{list-style:none;padding:0;color:#333}} svg{{display:block;margin:.5em 0;max-width:100%;height:auto}}\n\
@page{{size:A4 landscape;margin:12mm}}\n\
@media print{{body{{margin:0;font-size:10pt;max-width:none}} table.wide{{font-size:8.5pt}} h2{{break-after:avoid}} tr,svg{{break-inside:avoid}} th{{background:#f0f0f0;-webkit-print-color-adjust:exact;print-color-adjust:exact}} rect{{-webkit-print-color-adjust:exact;print-color-adjust:exact}}}}\n\
</style>\n</head>\n<body>\n<h1>{}</h1>\n<ul class=\"meta\">\n",
        lang.t("da", "en"),
        esc(&d.title),
        esc(&d.title)
    );
    for m in &d.meta {
        let _ = writeln!(o, "<li>{}</li>", esc(m));
    }
    o.push_str("</ul>\n");
    for s in &d.sections {
        let _ = writeln!(o, "<h2>{}</h2>", esc(&s.title));
        for b in &s.blocks {
            match b {
                Block::Para(p) => {
                    let _ = writeln!(o, "<p>{}</p>", esc(p));
                }
                Block::Table(t) => {
                    // A table of many columns takes the page's width in a smaller type, and
                    // every cell may wrap, so none runs off the right edge.
                    o.push_str(if t.headers.len() > 6 {
                        "<table class=\"wide\">\n<thead><tr>"
                    } else {
                        "<table>\n<thead><tr>"
                    });
                    for h in &t.headers {
                        let _ = write!(o, "<th>{}</th>", esc(h));
                    }
                    o.push_str("</tr></thead>\n<tbody>\n");
                    for row in &t.rows {
                        o.push_str("<tr>");
                        for (i, c) in row.iter().enumerate() {
                            let class = if t.right.contains(&i) {
                                " class=\"n\""
                            } else {
                                ""
                            };
                            let _ = write!(o, "<td{class}>{}</td>", esc(c));
                        }
                        o.push_str("</tr>\n");
                    }
                    o.push_str("</tbody>\n</table>\n");
                }
                Block::Chart(c) => {
                    let chart = match c {
                        Chart::Resolution => resolution_chart(r, lang),
                        Chart::Availability => availability_chart(r, lang),
                    };
                    o.push_str(&chart);
                    o.push('\n');
                }
            }
        }
    }
    o.push_str("</body>\n</html>\n");
    o
}

/// The figures of a report as the TUI's Rapport view shows them: the same words and units as
/// the rendered report, so the screen and the exported file agree.
pub mod cells {
    use super::{Lang, Mode, Report, TimerStats};

    pub fn title(r: &Report, lang: Lang) -> String {
        super::title(r, lang)
    }
    pub fn target(lang: Lang, s: &TimerStats) -> String {
        super::target_text(lang, s)
    }
    pub fn average(lang: Lang, s: &TimerStats) -> String {
        super::actual(lang, Mode::Text, s, false)
    }
    pub fn longest(lang: Lang, s: &TimerStats) -> String {
        super::actual(lang, Mode::Text, s, true)
    }
    pub fn met_breached(lang: Lang, s: &TimerStats) -> String {
        super::met_breached(lang, s)
    }
    pub fn percent(lang: Lang, p: f64) -> String {
        super::percent(lang, Mode::Text, p)
    }
}
