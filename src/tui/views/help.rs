//! The help overlay, generated from the active keymap: keys and what they do, each description
//! whole (wrapped, never cut), inside the terminal whatever its size; it scrolls when the
//! list is longer than the screen. The actions' internal names (the keymap file's vocabulary)
//! are not shown: a user reads the keys and the words.

use super::{bold, centered, dim, popup};
use crate::tui::app::App;
use crate::wrap::wrap;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};
use ratatui::Frame;

/// The widest the keys column gets; longer key lists wrap at their commas' spaces.
const KEYS_MAX: usize = 24;
/// The widest the overlay gets on a large terminal (a line of text stays readable).
const WIDTH_MAX: u16 = 100;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let bindings: Vec<(String, &str)> = app
        .keymap
        .bindings
        .iter()
        .filter(|b| !b.keys.is_empty())
        .map(|b| (b.keys_text(), b.desc(l)))
        .collect();
    let keys_w = bindings
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(5, KEYS_MAX);
    let desc_need = bindings
        .iter()
        .map(|(_, d)| d.chars().count())
        .max()
        .unwrap_or(0);
    // Borders (2) + keys + a gap of 2 + descriptions.
    let want = u16::try_from(keys_w + 2 + desc_need + 2).unwrap_or(WIDTH_MAX);
    let r = centered(
        area,
        want.min(WIDTH_MAX),
        area.height.saturating_sub(2).max(1),
    );
    let inner_w = usize::from(r.width.saturating_sub(2));
    // On a narrow terminal the keys column gives way first, down to a third of the width.
    let keys_w = keys_w.min((inner_w / 3).max(1));
    let desc_w = inner_w.saturating_sub(keys_w + 2).max(1);

    let mut lines: Vec<Line> = vec![Line::from(vec![
        Span::raw(format!("{:<keys_w$}  ", l.t("Taster", "Keys"))),
        Span::raw(l.t("Det gør de", "What they do")),
    ])
    .style(bold().add_modifier(Modifier::UNDERLINED))];
    let head = lines.len();
    for (keys, desc) in &bindings {
        let ks = wrap(keys, keys_w);
        let ds = wrap(desc, desc_w);
        for i in 0..ks.len().max(ds.len()) {
            let k = ks.get(i).map_or("", String::as_str);
            let d = ds.get(i).map_or("", String::as_str);
            lines.push(Line::from(vec![
                Span::styled(format!("{k:<keys_w$}  "), Style::new().fg(Color::Cyan)),
                Span::raw(d.to_string()),
            ]));
        }
    }
    let visible = usize::from(r.height.saturating_sub(2)).saturating_sub(head);
    let body = lines.len() - head;
    let scroll = usize::from(app.help_scroll).min(body.saturating_sub(visible));
    let more = body > visible;
    let shown: Vec<Line> = lines[..head]
        .iter()
        .cloned()
        .chain(lines[head..].iter().skip(scroll).cloned())
        .collect();

    popup(f, r);
    let bottom = if more {
        format!(
            " {} · ↑/↓ {} ({}–{} / {}) ",
            l.t("Esc eller ? lukker", "Esc or ? closes"),
            l.t("ruller", "scroll"),
            scroll + 1,
            (scroll + visible).min(body),
            body
        )
    } else {
        format!(" {} ", l.t("Esc eller ? lukker", "Esc or ? closes"))
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .title(Span::styled(
            format!(
                " {} ({}) ",
                l.t("Hjælp: taster", "Help: keys"),
                app.keymap.name
            ),
            bold(),
        ))
        .title_bottom(Span::styled(bottom, dim()));
    f.render_widget(Paragraph::new(shown).block(block), r);
}
