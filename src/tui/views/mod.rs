//! Drawing. Views only draw: they read the [`App`] and write to the frame, nothing else.

mod acceptance;
mod board;
mod breaches;
mod detail;
mod forms;
mod help;
mod inbox;
mod picker;
mod report;

use super::app::{App, Tab};
use super::format::{self, Look};
use crate::i18n::kroner;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

/// Lines above the board's table rows: header, tabs, filter line, table header; and the two
/// footer lines.
const BOARD_CHROME: u16 = 6;

/// How many ticket rows the board shows in a terminal `height` lines high.
pub fn board_page(height: u16) -> usize {
    usize::from(height.saturating_sub(BOARD_CHROME))
}

/// The colour of a timer's state.
pub fn look_style(look: Look) -> Style {
    match look {
        Look::Running => Style::new().fg(Color::Green),
        Look::AtRisk => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        Look::Breached => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Look::Met => Style::new().fg(Color::DarkGray),
        Look::Paused => Style::new().fg(Color::Cyan),
        Look::None => Style::new().fg(Color::DarkGray),
    }
}

pub(crate) fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub(crate) fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    // A long message (the engine's refusal) may take up to three lines.
    let status_h = match &app.status {
        Some((m, _)) if area.width > 2 => {
            ((m.chars().count() + 1) / usize::from(area.width - 1) + 1).min(3) as u16
        }
        _ => 1,
    };
    let [head, tabs, body, totals, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(status_h),
    ])
    .areas(area);
    header(f, head, app);
    tab_line(f, tabs, app);
    if app.new.is_some() {
        forms::new_ticket(f, body, app);
    } else if app.detail.is_some() {
        detail::draw(f, body, app);
    } else {
        match app.tab {
            Tab::Board => board::draw(f, body, app),
            Tab::Acceptance => acceptance::draw(f, body, app),
            Tab::Breaches => breaches::draw(f, body, app),
            Tab::Report => report::draw(f, body, app),
            Tab::Inbox => inbox::draw(f, body, app),
        }
    }
    footer(f, totals, hints, app);
    if app.form.is_some() {
        forms::step(f, body, app);
    }
    if app.picker.is_some() {
        picker::draw(f, body, app);
    }
    if app.help {
        help::draw(f, area, app);
    }
}

/// The header: contract, clock, service window and staffing. In a narrow terminal the date
/// gives way first, then the contract's name is shortened, so the window and the staffing
/// (what an agent looks up there) stay whole as long as they fit.
fn header(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let now = app.cal.local(app.now);
    let window = format::window_line(app.cal, l, app.now);
    let in_window = app.cal.in_window(app.now).unwrap_or(false);
    let desk = format::desk_line(app.cal, app.contract, l, app.now);
    let date = format!(
        "{} {}",
        l.weekday(chrono::Datelike::weekday(&now)),
        now.format(match l {
            crate::i18n::Lang::Da => "%d.%m.%Y %H:%M:%S",
            crate::i18n::Lang::En => "%Y-%m-%d %H:%M:%S",
        })
    );
    let width = |s: &str| Span::raw(s).width();
    let sep = " │ ";
    // Brand and a space, then the separators around the clock, window and desk.
    let fixed = width(" frist ") + 1 + 2 * width(sep) + width(&window) + width(&desk);
    let room = usize::from(area.width);
    let clock = if fixed + width(&date) + width(sep) + width(&app.contract.name) <= room {
        date
    } else {
        now.format("%H:%M:%S").to_string()
    };
    let left = room.saturating_sub(fixed + width(&clock) + width(sep));
    let name = app.contract.name.as_str();
    let contract = if width(name) <= left {
        name.to_string()
    } else if left >= 4 {
        let mut cut = String::new();
        for c in name.chars() {
            if width(&cut) + width(&c.to_string()) + 1 > left {
                break;
            }
            cut.push(c);
        }
        format!("{}…", cut.trim_end())
    } else {
        String::new()
    };
    let mut spans = vec![
        Span::styled(" frist ", Style::new().fg(Color::Black).bg(Color::Cyan)),
        Span::raw(" "),
    ];
    if !contract.is_empty() {
        spans.push(Span::styled(contract, bold()));
        spans.push(Span::styled(sep, dim()));
    }
    spans.extend([
        Span::raw(clock),
        Span::styled(sep, dim()),
        Span::styled(
            window,
            if in_window {
                Style::new().fg(Color::Green)
            } else {
                Style::new().fg(Color::Yellow)
            },
        ),
        Span::styled(sep, dim()),
        Span::raw(desk),
    ]);
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn tab_line(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let mut spans = Vec::new();
    for (n, t) in Tab::ALL.iter().enumerate() {
        let mut label = format!(" {} {} ", n + 1, t.label(l));
        if *t == Tab::Acceptance && !app.acceptance.is_empty() {
            label = format!(" {} {} ({}) ", n + 1, t.label(l), app.acceptance.len());
        }
        if *t == Tab::Inbox && !app.inbox.mails.is_empty() {
            label = format!(" {} {} ({}) ", n + 1, t.label(l), app.inbox.mails.len());
        }
        let style = if *t == app.tab && app.new.is_none() {
            Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            dim()
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    if app.new.is_some() {
        spans.push(Span::styled(
            format!(" {} ", l.t("Ny sag", "New ticket")),
            Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
        ));
    } else if let Some(d) = &app.detail {
        spans.push(Span::styled(
            format!(" {} {} ", l.t("Sag", "Ticket"), d.id),
            Style::new()
                .fg(Color::Black)
                .bg(Color::White)
                .add_modifier(Modifier::BOLD),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn footer(f: &mut Frame, totals: Rect, hints: Rect, app: &App) {
    let l = app.lang;
    let t = &app.totals;
    // While the tickets awaiting acceptance are still being read, what depends on them is not
    // counted yet.
    let later = |s: String| if app.loading { "…".to_string() } else { s };
    let line = Line::from(vec![
        Span::raw(format!(" {} {}", l.t("Åbne", "Open"), t.open)),
        Span::styled(" · ", dim()),
        Span::raw(format!(
            "{} {}",
            l.t("afventer", "awaiting"),
            later(t.awaiting.to_string())
        )),
        Span::styled(" · ", dim()),
        Span::styled(
            format!("{} {}", l.t("i fare", "at risk"), t.at_risk),
            if t.at_risk > 0 {
                look_style(Look::AtRisk)
            } else {
                Style::new()
            },
        ),
        Span::styled(" · ", dim()),
        Span::styled(
            format!(
                "{} {}",
                l.t("overskredet", "breached"),
                later(t.breached.to_string())
            ),
            if t.breached > 0 {
                look_style(Look::Breached)
            } else {
                Style::new()
            },
        ),
        Span::styled(" · ", dim()),
        Span::raw(format!(
            "{} {}",
            l.t("påløbet dagsbod", "accrued dagsbod"),
            later(kroner(t.dagsbod))
        )),
    ]);
    f.render_widget(Paragraph::new(line), totals);
    let line = match &app.status {
        Some((m, true)) => Line::from(Span::styled(format!(" {m}"), Style::new().fg(Color::Red))),
        Some((m, false)) => {
            Line::from(Span::styled(format!(" {m}"), Style::new().fg(Color::Green)))
        }
        None => hint_line(app),
    };
    f.render_widget(
        Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: false }),
        hints,
    );
}

fn hint_line(app: &App) -> Line<'static> {
    use super::action::Action as A;
    let l = app.lang;
    let km = &app.keymap;
    let list: Vec<(A, &str, &str)> = if app.picker.is_some() {
        vec![
            (A::Confirm, "vælg", "choose"),
            (A::Back, "fortryd", "cancel"),
        ]
    } else if app.form.is_some() || app.new.is_some() {
        vec![
            (A::Confirm, "gem", "save"),
            (A::NextField, "næste felt", "next field"),
            (A::Back, "fortryd", "cancel"),
        ]
    } else if app.detail.is_some() {
        vec![
            (A::React, "reaktion", "react"),
            (A::PauseResume, "pause", "pause"),
            (A::Resolve, "løs", "resolve"),
            (A::Note, "bemærkning", "note"),
            (A::Back, "tilbage", "back"),
            (A::Help, "hjælp", "help"),
        ]
    } else {
        match app.tab {
            Tab::Breaches => vec![
                (A::PrevMonth, "forrige md.", "prev month"),
                (A::NextMonth, "næste md.", "next month"),
                (A::Sort, "sortér", "sort"),
                (A::Export, "CSV", "CSV"),
                (A::Help, "hjælp", "help"),
                (A::Quit, "afslut", "quit"),
            ],
            Tab::Report => vec![
                (A::PrevMonth, "forrige md.", "prev month"),
                (A::NextMonth, "næste md.", "next month"),
                (A::FilterMunicipality, "kommune", "municipality"),
                (
                    A::Export,
                    "eksportér md/csv/json/html",
                    "export md/csv/json/html",
                ),
                (A::Help, "hjælp", "help"),
                (A::Quit, "afslut", "quit"),
            ],
            Tab::Acceptance | Tab::Inbox => vec![
                (A::Accept, "accept", "accept"),
                (A::Reject, "afvis", "reject"),
                (A::Confirm, "åbn", "open"),
                (A::Help, "hjælp", "help"),
                (A::Quit, "afslut", "quit"),
            ],
            _ => vec![
                (A::NewTicket, "ny sag", "new"),
                (A::Confirm, "åbn", "open"),
                (A::Search, "søg", "search"),
                (A::Filter, "filter", "filter"),
                (A::FilterMunicipality, "kommune", "municipality"),
                (A::Help, "hjælp", "help"),
                (A::Quit, "afslut", "quit"),
            ],
        }
    };
    let mut spans = vec![Span::raw(" ")];
    for (a, da, en) in list {
        if !app.rights.offers(a) {
            continue;
        }
        let k = km.hint(a);
        if k.is_empty() {
            continue;
        }
        spans.push(Span::styled(k, Style::new().fg(Color::Cyan)));
        spans.push(Span::styled(format!(" {}  ", l.t(da, en)), dim()));
    }
    Line::from(spans)
}

/// One logical line of styled spans wrapped at `width` columns (words kept whole), each line
/// after a margin of `margin` spaces, as the lines to draw: their number is then exactly the
/// height, which a wrapped `Paragraph` does not tell.
pub(crate) fn wrap_spans(spans: &[Span<'_>], width: u16, margin: u16) -> Vec<Line<'static>> {
    let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
    // Where each span begins in `text`.
    let mut bounds = Vec::with_capacity(spans.len());
    let mut at = 0;
    for s in spans {
        bounds.push((at, at + s.content.len(), s.style));
        at += s.content.len();
    }
    let pad = " ".repeat(usize::from(margin));
    crate::wrap::ranges(&text, usize::from(width.saturating_sub(margin)))
        .into_iter()
        .map(|(a, b)| {
            let mut line = vec![Span::raw(pad.clone())];
            line.extend(
                bounds
                    .iter()
                    .filter(|(s, e, _)| *s < b && *e > a)
                    .map(|(s, e, style)| {
                        Span::styled(text[(*s).max(a)..(*e).min(b)].to_string(), *style)
                    }),
            );
            Line::from(line)
        })
        .collect()
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears a popup's area.
pub(crate) fn popup(f: &mut Frame, area: Rect) {
    f.render_widget(Clear, area);
}
