//! Sager: one row per ticket in the current filter, nearest running deadline first. Only the
//! visible window of rows is built.

use super::{bold, dim, look_style};
use crate::i18n::kroner;
use crate::tui::app::App;
use crate::tui::format::{self, Look};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let [filter, table] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let search = if app.searching {
        Span::styled(format!("{}▏", app.search), Style::new().fg(Color::Yellow))
    } else if app.search.is_empty() {
        Span::styled(l.t("(ingen)", "(none)"), dim())
    } else {
        Span::raw(app.search.clone())
    };
    let line = Line::from(vec![
        Span::styled(format!(" {}: ", l.t("Filter", "Filter")), dim()),
        Span::styled(app.filter.label(l), bold()),
        Span::styled(format!(" · {}: ", l.t("Kommune", "Municipality")), dim()),
        Span::styled(
            app.municipality
                .clone()
                .unwrap_or_else(|| l.t("alle", "all").into()),
            bold(),
        ),
        Span::styled(format!(" · {}: ", l.t("Søg", "Search")), dim()),
        search,
        Span::styled(
            format!(
                " · {} {}",
                app.board.len(),
                if app.board.len() == 1 {
                    l.t("sag", "ticket")
                } else {
                    l.t("sager", "tickets")
                }
            ),
            dim(),
        ),
    ]);
    f.render_widget(Paragraph::new(line), filter);

    let wide = area.width >= 110;
    let widest = area.width >= 150;
    let mut head = vec![l.t("Sag", "No."), l.t("Kommune", "Municipality")];
    let mut widths = vec![
        Constraint::Length(6),
        Constraint::Length(if wide { 12 } else { 11 }),
    ];
    if wide {
        head.push(l.t("Kategori", "Category"));
        widths.push(Constraint::Length(if widest { 22 } else { 16 }));
    }
    head.extend([
        l.t("Titel", "Title"),
        l.t("Reaktion", "Reaction"),
        l.t("Løsning", "Resolution"),
    ]);
    // 17 columns hold "⏸ 9,6 arbejdsdage" and "-11,4 arbejdsdage" whole: a unit cut to
    // "arbejdsdag" would read as singular.
    let timer_w = 17;
    widths.extend([
        Constraint::Fill(1),
        Constraint::Length(timer_w),
        Constraint::Length(timer_w),
    ]);
    if widest {
        head.push(l.t("Tilstand", "State"));
        widths.push(Constraint::Length(16));
    }
    if wide {
        head.push(l.t("Tildelt", "Assignee"));
        widths.push(Constraint::Length(10));
    }
    head.push(l.t("Dagsbod", "Dagsbod"));
    widths.push(Constraint::Length(11));

    let page = usize::from(table.height.saturating_sub(1));
    let start = app.offset.min(app.board.len());
    let end = (start + page).min(app.board.len());
    let now = app.now;
    let rows = app.board[start..end].iter().map(|i| {
        let r = &app.rows[*i];
        let t = &r.ticket;
        let category = app
            .contract
            .categories
            .iter()
            .find(|c| c.id == t.category)
            .map(|c| match l {
                crate::i18n::Lang::En if !c.name_en.is_empty() => c.name_en.clone(),
                _ => c.name.clone(),
            })
            .unwrap_or_else(|| t.category.clone());
        let mut cells = vec![
            Cell::from(format!("{:>5}", t.id)),
            Cell::from(t.municipality.clone()),
        ];
        if wide {
            cells.push(Cell::from(category));
        }
        // A resolution waiting past the reminder period, and mail not sent, are marked.
        let marks = crate::notify::plan::marks(t, app.contract, app.cal, now, l);
        if marks.is_empty() {
            cells.push(Cell::from(t.title.clone()));
        } else {
            let mut spans = vec![Span::raw(t.title.clone())];
            for m in marks {
                spans.push(Span::styled(format!(" [{m}]"), look_style(Look::AtRisk)));
            }
            cells.push(Cell::from(Line::from(spans)));
        }
        match &r.eval {
            Some(e) => {
                for timer in [&e.reaction, &e.resolution] {
                    let look = Look::of(timer, now);
                    let text = format::countdown(app.cal, l, timer, e.now, now, app.full_day);
                    cells.push(Cell::from(Span::styled(text, look_style(look))));
                }
                if widest {
                    let worst = [Look::of(&e.reaction, now), Look::of(&e.resolution, now)]
                        .into_iter()
                        .min_by_key(|k| match k {
                            Look::Breached => 0,
                            Look::AtRisk => 1,
                            Look::Paused => 2,
                            Look::Running => 3,
                            Look::Met => 4,
                            Look::None => 5,
                        })
                        .unwrap_or(Look::None);
                    let state = t.state.short_label(l);
                    cells.push(Cell::from(Line::from(vec![
                        Span::raw(format!("{state} ")),
                        Span::styled(
                            if matches!(worst, Look::Breached | Look::AtRisk) {
                                worst.label(l)
                            } else {
                                ""
                            },
                            look_style(worst),
                        ),
                    ])));
                }
                if wide {
                    cells.push(Cell::from(t.assignee.clone().unwrap_or_default()));
                }
                let fine = e.fine.total;
                cells.push(Cell::from(Span::styled(
                    if fine > 0 {
                        format!("{:>11}", kroner(fine))
                    } else {
                        String::new()
                    },
                    look_style(Look::Breached),
                )));
            }
            None => {
                let msg = r.error.clone().unwrap_or_default();
                cells.push(Cell::from(Span::styled(msg, Style::new().fg(Color::Red))));
            }
        }
        Row::new(cells)
    });
    let header = Row::new(head).style(bold().add_modifier(Modifier::UNDERLINED));
    let t = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD),
        );
    let mut state = TableState::default();
    if app.selected >= start && app.selected < end {
        state.select(Some(app.selected - start));
    }
    if app.board.is_empty() {
        f.render_widget(t, table);
        let msg = Paragraph::new(Line::styled(
            format!(
                " {}",
                if app.loading {
                    l.t(
                        "Indlæser sagerne fra loggen …",
                        "Reading the tickets from the log …",
                    )
                } else {
                    l.t(
                        "Ingen sager i dette filter. n opretter en ny sag.",
                        "No tickets in this filter. n creates a new ticket.",
                    )
                }
            ),
            dim(),
        ));
        if table.height > 1 {
            f.render_widget(
                msg,
                Rect {
                    y: table.y + 1,
                    height: 1,
                    ..table
                },
            );
        }
    } else {
        f.render_stateful_widget(t, table, &mut state);
    }
}
