//! The municipality picker as a popup over the view it chooses for.

use super::{bold, centered, dim, popup};
use crate::tui::app::App;
use crate::tui::picker::PickFor;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let Some(p) = &app.picker else { return };
    let l = app.lang;
    let rect = centered(area, 44, 16);
    if rect.width < 3 || rect.height < 3 {
        return;
    }
    popup(f, rect);
    let title = match p.target {
        PickFor::Board => l.t(
            " Kommune: filtrér sagerne ",
            " Municipality: filter the tickets ",
        ),
        PickFor::Report => l.t(" Kommune: rapportens ", " Municipality: the report's "),
    };
    let block = Block::new().borders(Borders::ALL).title(title);
    let inner = block.inner(rect);
    f.render_widget(block, rect);
    let shown = p.shown();
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", l.t("Søg:", "Search:")), dim()),
            Span::styled(format!("{}▏", p.query), bold()),
        ]),
        Line::styled(
            format!(
                "{} · ↑/↓ · enter · esc",
                crate::i18n::count(
                    l,
                    shown.iter().filter(|x| x.is_some()).count(),
                    ("kommune", "kommuner"),
                    ("municipality", "municipalities")
                )
            ),
            dim(),
        ),
    ];
    let room = usize::from(inner.height.saturating_sub(2)).max(1);
    let start = p.selected.saturating_sub(room - 1);
    for (k, choice) in shown.iter().enumerate().skip(start).take(room) {
        let name = choice
            .clone()
            .unwrap_or_else(|| l.t("alle kommuner", "all municipalities").to_string());
        let mark = if *choice == p.current { "• " } else { "  " };
        let style = if k == p.selected {
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        lines.push(Line::styled(format!("{mark}{name}"), style));
    }
    if shown.is_empty() {
        lines.push(Line::styled(
            l.t("  ingen kommune passer", "  no municipality matches"),
            dim(),
        ));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
