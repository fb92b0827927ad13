//! Afventer kommunen: resolved tickets waiting for the municipality's written acceptance,
//! grouped by municipality.

use super::{bold, dim};
use crate::tui::app::App;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let mut lines = vec![Line::styled(
        format!(
            " {}",
            l.t(
                "Løste sager, der venter på kommunens skriftlige accept. a: accept (navn og reference) · x: afvis (genåbner) · Enter: åbn",
                "Resolved tickets waiting for the municipality's written acceptance. a: accept (name and reference) · x: reject (reopens) · Enter: open"
            )
        ),
        dim(),
    )];
    let mut selected_line = 0;
    let mut last: Option<&str> = None;
    for (k, i) in app.acceptance.iter().enumerate() {
        let t = &app.rows[*i].ticket;
        if last != Some(t.municipality.as_str()) {
            let n = app
                .acceptance
                .iter()
                .filter(|j| app.rows[**j].ticket.municipality == t.municipality)
                .count();
            lines.push(Line::raw(""));
            lines.push(Line::styled(format!(" {} ({n})", t.municipality), bold()));
            last = Some(t.municipality.as_str());
        }
        let waited = t
            .resolved
            .map(|r| l.duration(app.now - r))
            .unwrap_or_default();
        let style = if k == app.acc_selected {
            selected_line = lines.len();
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let mut rejected = if t.rejections.is_empty() {
            String::new()
        } else {
            format!(" · {} {}×", l.t("afvist", "rejected"), t.rejections.len())
        };
        for m in crate::notify::plan::marks(t, app.contract, app.cal, app.now, l) {
            rejected.push_str(&format!(" · {m}"));
        }
        lines.push(
            Line::from(vec![
                Span::raw(format!("   {:>5}  ", t.id)),
                Span::raw(t.title.clone()),
                Span::styled(
                    format!(
                        "  {} {} · {} {}{rejected}",
                        l.t("løst", "resolved"),
                        t.resolved
                            .map(|r| l.datetime(app.cal.local(r)))
                            .unwrap_or_default(),
                        l.t("venter", "waiting"),
                        waited
                    ),
                    dim(),
                ),
            ])
            .style(style),
        );
    }
    if app.acceptance.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                " {}",
                l.t(
                    "Ingen sager venter på kommunen.",
                    "No tickets await acceptance."
                )
            ),
            dim(),
        ));
    }
    let h = usize::from(area.height);
    let scroll = if selected_line >= h {
        selected_line + 1 - h
    } else {
        0
    };
    f.render_widget(
        Paragraph::new(lines).scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        area,
    );
}
