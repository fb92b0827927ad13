//! The small lifecycle forms (a popup over the current view) and the new-ticket page with the
//! classifier's suggestion beside it.

use super::{bold, centered, dim, popup};
use crate::i18n::Lang;
use crate::tui::app::{App, Field, FieldKind, NEW_CATEGORY, NEW_MUNICIPALITY};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};
use ratatui::Frame;

fn field_line(app: &App, field: &Field, focused: bool, label_w: usize) -> Line<'static> {
    let l = app.lang;
    let label = format!(" {:<w$} ", field.label(l), w = label_w);
    let label_style = if focused {
        Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
    } else {
        dim()
    };
    let value = match &field.kind {
        FieldKind::Category(c) => {
            let name = c
                .and_then(|i| app.contract.categories.get(i))
                .map(|c| match l {
                    Lang::En if !c.name_en.is_empty() => c.name_en.clone(),
                    _ => c.name.clone(),
                })
                .unwrap_or_else(|| l.t("(vælg)", "(choose)").into());
            if focused {
                format!("‹ {name} ›")
            } else {
                name
            }
        }
        _ if focused => format!("{}▏", field.value),
        _ => field.value.clone(),
    };
    let value_style = if focused {
        Style::new().add_modifier(Modifier::BOLD)
    } else {
        Style::new()
    };
    Line::from(vec![
        Span::styled(label, label_style),
        Span::styled(value, value_style),
    ])
}

fn check_line(l: Lang, check: &Result<(), String>) -> Line<'static> {
    match check {
        Ok(()) => Line::styled(
            format!(
                " ✓ {}",
                l.t(
                    "klar: Enter gemmer, Esc fortryder",
                    "ready: Enter saves, Esc cancels"
                )
            ),
            Style::new().fg(Color::Green),
        ),
        Err(m) => Line::styled(format!(" ✗ {m}"), Style::new().fg(Color::Red)),
    }
}

/// A lifecycle step as a popup.
pub fn step(f: &mut Frame, area: Rect, app: &App) {
    let Some(form) = &app.form else { return };
    let l = app.lang;
    let label_w = form
        .fields
        .iter()
        .map(|x| x.label(l).chars().count())
        .max()
        .unwrap_or(10);
    let w = area.width.min(84);
    let h = (form.fields.len() as u16) + 6;
    let r = centered(area, w, h);
    popup(f, r);
    let title = app
        .row(form.id)
        .map(|row| {
            format!(
                " {} — {} {}: {} ",
                form.step.title(l),
                l.t("sag", "ticket"),
                form.id,
                row.ticket.title
            )
        })
        .unwrap_or_default();
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .title(Span::styled(title, bold()));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut lines: Vec<Line> = form
        .fields
        .iter()
        .enumerate()
        .map(|(i, x)| field_line(app, x, i == form.focus, label_w))
        .collect();
    lines.push(Line::raw(""));
    lines.push(check_line(l, &form.check));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The new-ticket page: the form on the left, the suggested category on the right.
pub fn new_ticket(f: &mut Frame, area: Rect, app: &App) {
    let Some(n) = &app.new else { return };
    let l = app.lang;
    let wide = area.width >= 90;
    let (left, right) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(area);
        (a, b)
    } else {
        let [a, b] = Layout::vertical([Constraint::Length(12), Constraint::Min(0)]).areas(area);
        (a, b)
    };
    let label_w = n
        .fields
        .iter()
        .map(|x| x.label(l).chars().count())
        .max()
        .unwrap_or(10);
    let mut lines = vec![
        Line::styled(format!(" {}", l.t("Ny sag", "New ticket")), bold()),
        Line::raw(""),
    ];
    for (i, x) in n.fields.iter().enumerate() {
        lines.push(field_line(app, x, i == n.focus, label_w));
        if i == NEW_MUNICIPALITY && n.focus == NEW_MUNICIPALITY {
            let c = app.completions(&x.value);
            if !c.is_empty() {
                lines.push(Line::from(vec![
                    Span::raw(format!(" {:<w$} ", "", w = label_w)),
                    Span::styled(format!("Tab → {}", c.join(", ")), dim()),
                ]));
            }
        }
        if i == NEW_CATEGORY {
            let suggested = n.suggestion.category.as_deref();
            let chosen = match x.kind {
                FieldKind::Category(Some(c)) => {
                    app.contract.categories.get(c).map(|c| c.id.as_str())
                }
                _ => None,
            };
            if suggested.is_some() && suggested == chosen && !n.picked {
                lines.push(Line::from(vec![
                    Span::raw(format!(" {:<w$} ", "", w = label_w)),
                    Span::styled(
                        l.t("★ forslaget", "★ the suggestion"),
                        Style::new().fg(Color::Yellow),
                    ),
                ]));
            } else if suggested.is_some() && chosen.is_none() {
                // Too unsure to pre-select: the agent must choose.
                lines.push(Line::from(vec![
                    Span::raw(format!(" {:<w$} ", "", w = label_w)),
                    Span::styled(
                        l.t(
                            "☆ usikkert forslag: vælg selv",
                            "☆ unsure suggestion: choose yourself",
                        ),
                        Style::new().fg(Color::Yellow),
                    ),
                ]));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(check_line(l, &n.check));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), left);

    // The suggestion.
    let s = &n.suggestion;
    let mut lines = Vec::new();
    match s
        .category
        .as_ref()
        .and_then(|c| app.contract.categories.iter().find(|k| &k.id == c))
    {
        Some(c) => {
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", l.t("Forslag:", "Suggestion:")), dim()),
                Span::styled(
                    match l {
                        Lang::En if !c.name_en.is_empty() => c.name_en.clone(),
                        _ => c.name.clone(),
                    },
                    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
                ),
            ]));
            lines.push(Line::from(vec![
                Span::styled(format!("{} ", l.t("Sikkerhed:", "Confidence:")), dim()),
                Span::raw(format!("{:.0} %", s.confidence * 100.0)),
            ]));
            if s.confidence < app.contract.suggest_threshold {
                lines.push(Line::styled(
                    format!(
                        "{} {:.0} %: {}",
                        l.t("Under", "Below"),
                        app.contract.suggest_threshold * 100.0,
                        l.t(
                            "ikke valgt på forhånd; vælg kategorien selv.",
                            "not pre-selected; choose the category yourself."
                        )
                    ),
                    Style::new().fg(Color::Yellow),
                ));
            }
            if !s.reasons.is_empty() {
                lines.push(Line::styled(l.t("Fordi:", "Because:"), dim()));
                for r in &s.reasons {
                    lines.push(Line::raw(format!("  • {r}")));
                }
            }
        }
        None => lines.push(Line::styled(
            l.t(
                "Intet forslag endnu: skriv titel og beskrivelse.",
                "No suggestion yet: type a title and a description.",
            ),
            dim(),
        )),
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        l.t(
            "Kategorier (←/→ i kategorifeltet):",
            "Categories (←/→ in the category field):",
        ),
        dim(),
    ));
    let chosen = match n.fields[NEW_CATEGORY].kind {
        FieldKind::Category(c) => c,
        _ => None,
    };
    for (i, c) in app.contract.categories.iter().enumerate() {
        let mark = if Some(i) == chosen { "▶" } else { " " };
        let star = if s.category.as_deref() == Some(c.id.as_str()) {
            "★"
        } else {
            " "
        };
        let name = match l {
            Lang::En if !c.name_en.is_empty() => c.name_en.clone(),
            _ => c.name.clone(),
        };
        let style = if Some(i) == chosen {
            bold()
        } else {
            Style::new()
        };
        lines.push(Line::styled(format!("{mark}{star} {name}"), style));
    }
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::LEFT | Borders::TOP)
                .title(l.t(" Fejlkategori ", " Category ")),
        ),
        right,
    );
}
