//! The help overlay, generated from the active keymap.

use super::{bold, centered, dim, popup};
use crate::tui::app::App;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, BorderType, Borders, Cell, Row, Table};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let r = centered(area, 90, area.height.saturating_sub(2).max(1));
    popup(f, r);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .title(Span::styled(
            format!(
                " {} — keymap {} ",
                l.t("Hjælp: tastatur", "Help: keys"),
                app.keymap.name
            ),
            bold(),
        ))
        .title_bottom(Span::styled(
            format!(" {} ", l.t("Esc eller ? lukker", "Esc or ? closes")),
            dim(),
        ));
    let rows = app
        .keymap
        .bindings
        .iter()
        .filter(|b| !b.keys.is_empty())
        .skip(usize::from(app.help_scroll))
        .map(|b| {
            Row::new(vec![
                Cell::from(Span::styled(b.keys_text(), Style::new().fg(Color::Cyan))),
                Cell::from(Span::styled(b.action.name(), dim())),
                Cell::from(b.desc(l).to_string()),
            ])
        });
    let header = Row::new(vec![
        l.t("Taster", "Keys"),
        l.t("Handling", "Action"),
        l.t("Beskrivelse", "Description"),
    ])
    .style(bold().add_modifier(Modifier::UNDERLINED));
    let t = Table::new(
        rows,
        [
            Constraint::Length(26),
            Constraint::Length(20),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .block(block);
    f.render_widget(t, r);
}
