//! Indbakke: the municipality's mail awaiting a decision — a list on the left, the selected
//! mail's text and the suggested verdict on the right. Every text from the mail is shown
//! through `safe::text`.

use super::{bold, dim};
use crate::mail::verdict::Verdict;
use crate::safe::text;
use crate::tui::app::App;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

fn verdict_style(v: Verdict) -> Style {
    match v {
        Verdict::Accept => Style::new().fg(Color::Green),
        Verdict::Reject => Style::new().fg(Color::Red),
        Verdict::Unclear => Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let inbox = &app.inbox;
    let [top, area] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let head = Line::styled(
        format!(
            " {}",
            l.t(
                "Kommunens mails på løste sager. a: accepter med mailen som reference · x: afvis (genåbner) · Enter: åbn sagen",
                "The municipality's mail on resolved tickets. a: accept with the mail as reference · x: reject (reopens) · Enter: open the ticket"
            )
        ),
        dim(),
    );
    f.render_widget(Paragraph::new(head), top);
    let mut lines = Vec::new();
    if let Some(e) = &inbox.error {
        lines.push(Line::styled(
            format!(" {}", text(e)),
            Style::new().fg(Color::Red),
        ));
    }
    if inbox.mails.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                " {}",
                l.t(
                    "Ingen mails venter på en afgørelse (frist mail import).",
                    "No mail awaits a decision (frist mail import)."
                )
            ),
            dim(),
        ));
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let [list, body] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(area);
    for (k, m) in inbox.mails.iter().enumerate() {
        let style = if k == inbox.selected {
            Style::new()
                .bg(Color::DarkGray)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let flag = if m.verified { " " } else { "⚠" };
        lines.push(
            Line::from(vec![
                Span::raw(format!(" {:>5} {flag} ", m.ticket)),
                Span::raw(format!("{} ", text(&m.municipality))),
                Span::styled(
                    m.judgement.verdict.words(l).to_string(),
                    verdict_style(m.judgement.verdict),
                ),
            ])
            .style(style),
        );
    }
    let h = usize::from(list.height);
    let sel = inbox.selected + 1;
    let scroll = sel.saturating_sub(h.saturating_sub(1));
    f.render_widget(
        Paragraph::new(lines).scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        list,
    );
    let Some(m) = inbox.current() else { return };
    let mut detail = vec![
        Line::from(vec![
            Span::styled(format!("{} {} ", l.t("Sag", "Ticket"), m.ticket), bold()),
            Span::raw(text(&m.title).into_owned()),
        ]),
        Line::from(vec![
            Span::styled(format!("{}: ", l.t("Fra", "From")), dim()),
            Span::raw(text(&m.by).into_owned()),
        ]),
        Line::from(vec![
            Span::styled(format!("{}: ", l.t("Emne", "Subject")), dim()),
            Span::raw(text(&m.subject).into_owned()),
        ]),
        Line::from(vec![
            Span::styled(format!("{}: ", l.t("Modtaget", "Received")), dim()),
            Span::raw(l.datetime(app.cal.local(m.arrived))),
        ]),
    ];
    if !m.verified {
        detail.push(Line::styled(
            l.t(
                "⚠ Afsenderen er ikke kontaktperson for sagens kommune: mailen er ikke kommunens skriftlige svar.",
                "⚠ The sender is not a contact of the ticket's municipality: the mail is not the municipality's written answer.",
            ),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    }
    let j = &m.judgement;
    let mut why = Vec::new();
    if !j.accept.is_empty() {
        why.push(format!("+ {}", j.accept.join(", ")));
    }
    if !j.reject.is_empty() {
        why.push(format!("− {}", j.reject.join(", ")));
    }
    detail.push(Line::from(vec![
        Span::styled(j.verdict.words(l).to_string(), verdict_style(j.verdict)),
        Span::styled(
            if why.is_empty() {
                String::new()
            } else {
                format!("  ({})", text(&why.join("; ")))
            },
            dim(),
        ),
    ]));
    detail.push(Line::raw(""));
    for line in m.text.lines() {
        detail.push(Line::raw(text(line).into_owned()));
    }
    f.render_widget(
        Paragraph::new(detail)
            .wrap(Wrap { trim: false })
            .block(Block::new().borders(Borders::LEFT)),
        body,
    );
}
