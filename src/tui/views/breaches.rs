//! Brud: every breached timer of a month with overrun and dagsbod, totals per municipality and
//! per category, and a bar chart of dagsbod per municipality.

use super::{bold, dim, look_style};
use crate::i18n::{kroner, Lang};
use crate::sla::TimerKind;
use crate::tui::app::{App, BreachSort};
use crate::tui::format::Look;
use chrono::Datelike;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let b = &app.breaches;
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let line = Line::from(vec![
        Span::styled(
            format!(
                " {} {} {} ",
                l.t("Brud i", "Breaches in"),
                l.month_name(b.month.month()),
                b.month.year()
            ),
            bold(),
        ),
        Span::styled(
            format!(
                "· {} {} · {} {} · ",
                b.list.len(),
                l.t("overskredne frister", "breached timers"),
                l.t("sorteret efter", "sorted by"),
                match b.sort {
                    BreachSort::Amount => l.t("beløb", "amount"),
                    BreachSort::Deadline => l.t("frist", "deadline"),
                }
            ),
            dim(),
        ),
        Span::styled(
            format!(
                "{} {}",
                l.t("dagsbod i alt", "total dagsbod"),
                kroner(b.total)
            ),
            if b.total > 0 {
                look_style(Look::Breached)
            } else {
                bold()
            },
        ),
    ]);
    f.render_widget(Paragraph::new(line), title);

    let wide = body.width >= 110;
    let (list_area, side) = if wide {
        let [a, s] = Layout::horizontal([Constraint::Min(0), Constraint::Length(42)]).areas(body);
        (a, s)
    } else {
        let [a, s] = Layout::vertical([Constraint::Percentage(60), Constraint::Min(0)]).areas(body);
        (a, s)
    };

    let cat_name = |id: &str| {
        app.contract
            .categories
            .iter()
            .find(|c| c.id == id)
            .map(|c| match l {
                Lang::En if !c.name_en.is_empty() => c.name_en.clone(),
                _ => c.name.clone(),
            })
            .unwrap_or_else(|| id.to_string())
    };
    let header = Row::new(vec![
        l.t("Sag", "No."),
        l.t("Kommune", "Municipality"),
        l.t("Kategori", "Category"),
        l.t("Timer", "Timer"),
        l.t("Frist", "Deadline"),
        l.t("Overskredet", "Overrun"),
        l.t("Dagsbod", "Dagsbod"),
    ])
    .style(bold().add_modifier(Modifier::UNDERLINED));
    let page = usize::from(list_area.height.saturating_sub(1)).max(1);
    let start = if b.selected >= page {
        b.selected + 1 - page
    } else {
        0
    };
    let end = (start + page).min(b.list.len());
    let rows = b.list[start.min(end)..end].iter().map(|x| {
        Row::new(vec![
            Cell::from(format!("{:>5}", x.id)),
            Cell::from(x.municipality.clone()),
            Cell::from(cat_name(&x.category)),
            Cell::from(match x.timer {
                TimerKind::Reaction => l.t("reaktion", "reaction"),
                TimerKind::Resolution => l.t("løsning", "resolution"),
            }),
            Cell::from(short_time(l, app.cal.local(x.deadline))),
            Cell::from(Span::styled(
                l.duration(x.overrun),
                look_style(Look::Breached),
            )),
            Cell::from(if x.fine > 0 {
                format!("{:>11}", kroner(x.fine))
            } else {
                String::new()
            }),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(11),
            Constraint::Fill(1),
            Constraint::Length(9),
            Constraint::Length(15),
            Constraint::Length(11),
            Constraint::Length(11),
        ],
    )
    .header(header)
    .row_highlight_style(
        Style::new()
            .bg(Color::DarkGray)
            .add_modifier(Modifier::BOLD),
    );
    let mut state = TableState::default();
    if !b.list.is_empty() {
        state.select(Some(b.selected - start));
    }
    f.render_stateful_widget(table, list_area, &mut state);
    if b.list.is_empty() && list_area.height > 1 {
        f.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " {}",
                    l.t("Ingen brud i måneden.", "No breaches this month.")
                ),
                dim(),
            )),
            Rect {
                y: list_area.y + 1,
                height: 1,
                ..list_area
            },
        );
    }

    // Totals and the bar chart.
    let totals = |title: String, v: &[(String, u64, usize)], name: &dyn Fn(&str) -> String| {
        let lines: Vec<Line> = v
            .iter()
            .map(|(k, amount, n)| {
                Line::from(vec![
                    Span::raw(format!(" {:<22.22}", name(k))),
                    Span::styled(format!("{n:>3}× "), dim()),
                    Span::raw(format!("{:>11}", kroner(*amount))),
                ])
            })
            .collect();
        Paragraph::new(lines).block(Block::new().borders(Borders::TOP).title(title))
    };
    let (per_m, per_c, chart) = if wide {
        let [a, c, d] = Layout::vertical([
            Constraint::Percentage(35),
            Constraint::Percentage(30),
            Constraint::Percentage(35),
        ])
        .areas(side);
        (a, c, Some(d))
    } else {
        let [a, c] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(side);
        (a, c, None)
    };
    f.render_widget(
        totals(
            format!(" {} ", l.t("Pr. kommune", "By municipality")),
            &b.by_municipality,
            &|s| s.to_string(),
        ),
        per_m,
    );
    f.render_widget(
        totals(
            format!(" {} ", l.t("Pr. kategori", "By category")),
            &b.by_category,
            &cat_name,
        ),
        per_c,
    );
    if let Some(chart) = chart {
        let bars: Vec<Bar> = b
            .by_municipality
            .iter()
            .filter(|x| x.1 > 0)
            .map(|(m, amount, _)| {
                Bar::default()
                    .label(Line::from(m.clone()))
                    .value(*amount)
                    .text_value(kroner(*amount))
                    .style(Style::new().fg(Color::Red))
            })
            .collect();
        let bc = BarChart::default()
            .direction(Direction::Horizontal)
            .data(ratatui::widgets::BarGroup::default().bars(&bars))
            .bar_width(1)
            .bar_gap(0)
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .title(l.t(" Dagsbod pr. kommune ", " Dagsbod by municipality ")),
            );
        f.render_widget(bc, chart);
    }
}

/// `man 03.03 19:00` / `Mon 03-03 19:00`.
fn short_time(l: Lang, n: chrono::NaiveDateTime) -> String {
    match l {
        Lang::Da => format!("{} {}", l.weekday(n.weekday()), n.format("%d.%m %H:%M")),
        Lang::En => format!("{} {}", l.weekday(n.weekday()), n.format("%m-%d %H:%M")),
    }
}
