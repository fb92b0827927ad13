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
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let b = &app.breaches;
    let [title, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let earlier_n = b.list.iter().filter(|x| x.earlier).count();
    let own_n = b.list.len() - earlier_n;
    // Money first: what a supervisor looks for, and what a narrow terminal keeps.
    let mut spans = vec![
        Span::styled(
            format!(
                " {} {} {} · ",
                l.t("Overskridelser i", "Breaches in"),
                l.month_name(b.month.month()),
                b.month.year()
            ),
            bold(),
        ),
        Span::styled(
            format!(
                "{} {}",
                l.t("månedens dagsbod", "the month's dagsbod"),
                kroner(b.total)
            ),
            if b.total > 0 {
                look_style(Look::Breached)
            } else {
                bold()
            },
        ),
    ];
    if earlier_n > 0 {
        spans.push(Span::styled(
            format!(
                " · {} {}",
                l.t("fra tidligere frister", "from earlier deadlines"),
                kroner(b.earlier_total)
            ),
            look_style(Look::Breached),
        ));
    }
    spans.push(Span::styled(
        format!(
            " · {} · {} {}",
            crate::i18n::count(
                l,
                own_n,
                ("overskreden frist", "overskredne frister"),
                ("breached timer", "breached timers")
            ),
            l.t("sorteret efter", "sorted by"),
            match b.sort {
                BreachSort::Amount => l.t("beløb", "amount"),
                BreachSort::Deadline => l.t("frist", "deadline"),
            }
        ),
        dim(),
    ));
    f.render_widget(Paragraph::new(Line::from(spans)), title);

    // The totals and the chart go beside the list only when the list keeps room for its
    // title and category columns.
    let beside = body.width >= 150;
    let (list_area, side) = if beside {
        let [a, s] = Layout::horizontal([Constraint::Min(0), Constraint::Length(42)]).areas(body);
        (a, s)
    } else {
        let [a, s] = Layout::vertical([Constraint::Percentage(60), Constraint::Min(0)]).areas(body);
        (a, s)
    };
    // The line under the list: the dagsbod of tickets not closed, which for this month is
    // the footer's "påløbet dagsbod", so the two can be compared.
    let [list_area, sum_area] = if list_area.height >= 4 {
        Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(list_area)
    } else {
        [list_area, Rect::default()]
    };
    let wide = list_area.width >= 110;

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
    let timer_word = |k: TimerKind| match k {
        TimerKind::Reaction => l.t("reaktion", "reaction"),
        TimerKind::Resolution => l.t("løsning", "resolution"),
    };
    let timer_w = [TimerKind::Reaction, TimerKind::Resolution]
        .iter()
        .map(|k| timer_word(*k).chars().count())
        .max()
        .unwrap_or(8) as u16;
    let mut head = vec![l.t("Sag", "No."), l.t("Kommune", "Municipality")];
    head.push(l.t("Titel", "Title"));
    if wide {
        head.push(l.t("Kategori", "Category"));
    }
    head.extend([
        l.t("Mål", "Target"),
        l.t("Frist", "Deadline"),
        l.t("Overskredet", "Overrun"),
        l.t("Dagsbod", "Dagsbod"),
    ]);
    let header = Row::new(head).style(bold().add_modifier(Modifier::UNDERLINED));
    let page = usize::from(
        list_area
            .height
            .saturating_sub(1 + u16::from(earlier_n > 0)),
    )
    .max(1);
    let start = if b.selected >= page {
        b.selected + 1 - page
    } else {
        0
    };
    let end = (start + page).min(b.list.len());
    let full_day = app.full_day;
    // Two tables with the same columns: the month's own breaches under the header, then a
    // line and the fines still accruing from earlier deadlines.
    let mut rows = [Vec::new(), Vec::new()];
    let mut selected_row = [None, None];
    for (k, x) in b.list.iter().enumerate().take(end).skip(start.min(end)) {
        let part = usize::from(x.earlier);
        if k == b.selected {
            selected_row[part] = Some(rows[part].len());
        }
        let when = app.cal.local(x.deadline);
        let mut cells = vec![
            Cell::from(format!("{:>5}", x.id)),
            Cell::from(x.municipality.clone()),
            Cell::from(match &x.disputed {
                // The vendor does not accept the fine as it stands: said under the title.
                Some(why) => Text::from(vec![
                    Line::from(x.title.clone()),
                    Line::styled(
                        format!("{}: {why}", l.t("bestridt", "disputed")),
                        Style::new().fg(Color::Yellow),
                    ),
                ]),
                None => Text::from(x.title.clone()),
            }),
        ];
        if wide {
            cells.push(Cell::from(cat_name(&x.category)));
        }
        cells.extend([
            Cell::from(timer_word(x.timer)),
            Cell::from(if wide || x.earlier {
                short_time(l, when)
            } else {
                when.format("%d.%m %H:%M").to_string()
            }),
            Cell::from(Span::styled(
                crate::i18n::overrun(l, x.clock, x.overrun.num_minutes(), full_day),
                look_style(Look::Breached),
            )),
            Cell::from(if x.fine > 0 {
                format!("{:>11}", kroner(x.fine))
            } else {
                String::new()
            }),
        ]);
        let height = if x.disputed.is_some() { 2 } else { 1 };
        rows[part].push(Row::new(cells).height(height));
    }
    let mut widths = vec![
        Constraint::Length(5),
        Constraint::Length(if wide { 11 } else { 10 }),
        Constraint::Fill(2),
    ];
    if wide {
        widths.push(Constraint::Fill(1));
    }
    widths.extend([
        Constraint::Length(timer_w),
        Constraint::Length(if wide || earlier_n > 0 { 15 } else { 11 }),
        Constraint::Length(17),
        Constraint::Length(11),
    ]);
    let [own_rows, earlier_rows] = rows;
    let own_h = u16::try_from(own_rows.len() + 1).unwrap_or(u16::MAX);
    let [own_area, sep_area, earlier_area] = if earlier_rows.is_empty() {
        [list_area, Rect::default(), Rect::default()]
    } else {
        Layout::vertical([
            Constraint::Length(own_h),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(list_area)
    };
    let highlight = Style::new()
        .bg(Color::DarkGray)
        .add_modifier(Modifier::BOLD);
    let table = Table::new(own_rows, widths.clone())
        .header(header)
        .row_highlight_style(highlight);
    let mut state = TableState::default();
    state.select(selected_row[0]);
    f.render_stateful_widget(table, own_area, &mut state);
    if !earlier_rows.is_empty() {
        f.render_widget(
            Paragraph::new(Line::styled(
                format!(
                    " {} · {}",
                    l.t(
                        "Dagsbod der stadig påløber fra tidligere frister",
                        "Dagsbod still accruing from earlier deadlines"
                    ),
                    kroner(b.earlier_total)
                ),
                bold(),
            )),
            sep_area,
        );
        let table = Table::new(earlier_rows, widths).row_highlight_style(highlight);
        let mut state = TableState::default();
        state.select(selected_row[1]);
        f.render_stateful_widget(table, earlier_area, &mut state);
    }
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
    if sum_area.height > 0 {
        let this_month = app.cal.local(app.now).date().with_day(1) == Some(b.month);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(
                    format!(
                        " {} ",
                        l.t(
                            "Påløbet på sager, der ikke er lukket:",
                            "Accrued on tickets not closed:"
                        )
                    ),
                    dim(),
                ),
                Span::styled(kroner(b.not_closed_total), bold()),
                Span::styled(
                    if this_month {
                        format!(" ({})", l.t("som i bunden", "as in the footer"))
                    } else {
                        String::new()
                    },
                    dim(),
                ),
            ])),
            sum_area,
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
    let (per_m, per_c, chart) = if beside {
        let [a, c, d] = Layout::vertical([
            Constraint::Percentage(35),
            Constraint::Percentage(30),
            Constraint::Percentage(35),
        ])
        .areas(side);
        (a, c, Some(d))
    } else if side.width >= 110 {
        let [a, c, d] = Layout::horizontal([
            Constraint::Length(40),
            Constraint::Length(40),
            Constraint::Min(0),
        ])
        .spacing(1)
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
