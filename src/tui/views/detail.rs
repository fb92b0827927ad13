//! A ticket in full: every field, the two timers as gauges with their deadlines and the
//! engine's explanation, the event timeline and the dagsbod's days.

use super::{bold, dim, look_style};
use crate::i18n::{kroner, Lang};
use crate::sla::{self, Status};
use crate::ticket::{ClassifiedBy, Event, EventKind, TimerEval};
use crate::tui::app::App;
use crate::tui::format::{self, Look};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, LineGauge, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let Some(d) = &app.detail else { return };
    let Some(row) = app.row(d.id) else { return };
    let l = app.lang;
    let t = &row.ticket;
    let at = |x| l.datetime(app.cal.local(x));
    let category = app
        .contract
        .categories
        .iter()
        .find(|c| c.id == t.category)
        .map(|c| match l {
            Lang::En if !c.name_en.is_empty() => c.name_en.clone(),
            _ => c.name.clone(),
        })
        .unwrap_or_default();
    let mut fields = vec![
        vec![
            Span::styled(format!("{} {} ", l.t("Sag", "Ticket"), t.id), bold()),
            Span::styled(t.title.clone(), bold()),
        ],
        vec![
            Span::styled(format!("{}: ", l.t("Kommune", "Municipality")), dim()),
            Span::raw(t.municipality.clone()),
            Span::styled(format!("  {}: ", l.t("Anmelder", "Reporter")), dim()),
            Span::raw(t.reporter.clone()),
            Span::styled(format!("  {}: ", l.t("Tilstand", "State")), dim()),
            Span::raw(t.state.short_label(l)),
        ],
        vec![
            Span::styled(format!("{}: ", l.t("Kategori", "Category")), dim()),
            Span::raw(format!("{category} ({})", t.category)),
            Span::styled(format!("  {}: ", l.t("Anmeldt", "Reported")), dim()),
            Span::raw(at(t.reported)),
            Span::raw(
                match row.eval.as_ref().map(|e| e.deadlines.reported_in_window) {
                    Some(true) => {
                        format!(" ({})", l.t("i dagtimer", "in the service window"))
                    }
                    Some(false) => format!(
                        " ({})",
                        l.t("uden for dagtimer", "outside the service window")
                    ),
                    None => String::new(),
                },
            ),
        ],
    ];
    let mut steps = Vec::new();
    if let Some(r) = t.reacted {
        steps.push(format!("{} {}", l.t("reageret", "reacted"), at(r)));
    }
    if let Some(r) = t.resolved {
        steps.push(format!("{} {}", l.t("løst", "resolved"), at(r)));
    }
    if let Some(a) = &t.accepted {
        steps.push(format!(
            "{} {} {} {}, ref. {}",
            l.t("accepteret", "accepted"),
            at(a.at),
            l.t("af", "by"),
            a.by,
            a.text
        ));
    }
    if !t.rejections.is_empty() {
        steps.push(format!(
            "{} {}×",
            l.t("afvist", "rejected"),
            t.rejections.len()
        ));
    }
    if !t.pauses.is_empty() {
        steps.push(format!("{} {}", l.t("pauser", "pauses"), t.pauses.len()));
    }
    if !steps.is_empty() {
        fields.push(vec![
            Span::styled(format!("{}: ", l.t("Forløb", "Steps")), dim()),
            Span::raw(steps.join(" · ")),
        ]);
    }
    // Who may answer for the municipality; said also when nobody is registered while the
    // resolution waits for a written acceptance.
    if !d.contacts.is_empty() || t.awaiting_acceptance() {
        fields.push(vec![
            Span::styled(format!("{}: ", l.t("Kontakt", "Contacts")), dim()),
            Span::raw(contacts_line(&d.contacts, l)),
        ]);
    }
    if !t.description.trim().is_empty() {
        fields.push(vec![
            Span::styled(format!("{}: ", l.t("Beskrivelse", "Description")), dim()),
            Span::raw(t.description.trim().to_string()),
        ]);
    }
    // The fields are wrapped here, so the header is as high as its wrapped text: the whole
    // description shows at any width. The gauges give up their explanations for it first;
    // only when the header alone is higher than the screen does it scroll (↑/↓), before the
    // timeline does.
    let top_lines: Vec<Line> = fields
        .iter()
        .flat_map(|f| super::wrap_spans(f, area.width, 1))
        .collect();
    let field_h = u16::try_from(top_lines.len()).unwrap_or(u16::MAX);
    let gauge_h = if area.height >= 20 && area.height >= field_h.saturating_add(6 + 3) {
        6
    } else if area.height >= field_h.saturating_add(2) {
        2
    } else {
        0
    };
    let overflow = field_h.saturating_sub(area.height.saturating_sub(gauge_h));
    let [top, gauges, bottom] = Layout::vertical([
        Constraint::Length(field_h.min(area.height)),
        Constraint::Length(gauge_h),
        Constraint::Min(0),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(top_lines).scroll((d.scroll.min(overflow), 0)),
        top,
    );
    let timeline_scroll = d.scroll.saturating_sub(overflow);

    let Some(e) = &row.eval else {
        f.render_widget(
            Paragraph::new(Line::styled(
                format!(" {}", row.error.clone().unwrap_or_default()),
                Style::new().fg(Color::Red),
            )),
            gauges,
        );
        return;
    };
    let explain = gauges.height >= 6;
    let parts = Layout::vertical(if explain {
        vec![
            Constraint::Length(1),
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Length(2),
        ]
    } else {
        vec![
            Constraint::Length(1),
            Constraint::Length(0),
            Constraint::Length(1),
            Constraint::Length(0),
        ]
    })
    .split(gauges);
    for (k, (name, timer)) in [
        (l.t("Reaktion", "Reaction"), &e.reaction),
        (l.t("Løsning", "Resolution"), &e.resolution),
    ]
    .into_iter()
    .enumerate()
    {
        gauge(f, parts[k * 2], app, name, timer, e.now);
        if explain {
            if let Some(tm) = &timer.timer {
                let mut text = sla::explain_timer(app.cal, l, tm).unwrap_or_default();
                if timer.deadline != Some(tm.deadline) {
                    if let Some(dl) = timer.deadline {
                        text.push_str(&format!(
                            " {} {}.",
                            l.t("Pauser flytter fristen til", "Pauses move the deadline to"),
                            at(dl)
                        ));
                    }
                }
                f.render_widget(
                    Paragraph::new(Line::styled(format!("   {text}"), dim()))
                        .wrap(Wrap { trim: false }),
                    parts[k * 2 + 1],
                );
            }
        }
    }

    let fine_w = if bottom.width >= 90 { 40 } else { 0 };
    let [timeline, fine] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(fine_w)]).areas(bottom);
    let retracted = crate::ticket::retractions(&d.events);
    let mut lines: Vec<Line> = d
        .events
        .iter()
        .map(|ev| {
            let by = retracted.iter().find(|r| r.0 == ev.seq).map(|r| r.1);
            event_line(app, ev, by)
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled(l.t("(indlæser …)", "(loading …)"), dim()));
    }
    if fine_w == 0 && e.fine.total > 0 {
        lines.insert(
            0,
            Line::styled(
                format!("{}: {}", l.t("Dagsbod", "Dagsbod"), kroner(e.fine.total)),
                look_style(Look::Breached),
            ),
        );
    }
    f.render_widget(
        Paragraph::new(lines)
            .block(
                Block::new()
                    .borders(Borders::TOP)
                    .title(l.t(" Forløb ", " Timeline ")),
            )
            .wrap(Wrap { trim: false })
            .scroll((timeline_scroll, 0)),
        timeline,
    );
    if fine_w > 0 {
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("{} ", l.t("I alt", "Total")), dim()),
            Span::styled(
                kroner(e.fine.total),
                if e.fine.total > 0 {
                    look_style(Look::Breached)
                } else {
                    bold()
                },
            ),
        ])];
        if e.fine.overrun_minutes > 0 {
            lines.push(Line::styled(
                format!(
                    "{} {}",
                    l.t("overskredet", "overrun"),
                    l.duration(chrono::TimeDelta::minutes(e.fine.overrun_minutes))
                ),
                dim(),
            ));
        }
        for (n, day) in e.fine.days.iter().enumerate() {
            lines.push(Line::raw(format!(
                "{:>2}. {}  {:>10}",
                n + 1,
                l.datetime(app.cal.local(day.begins)),
                kroner(day.amount)
            )));
        }
        if e.fine.days.is_empty() {
            let none = match app
                .contract
                .category(&t.category)
                .ok()
                .and_then(|c| c.fine.as_ref())
            {
                Some(_) => l.t("ingen dage", "no days"),
                None => l.t(
                    "kategorien har ingen dagsbod",
                    "the category has no dagsbod",
                ),
            };
            lines.push(Line::styled(none, dim()));
        }
        f.render_widget(
            Paragraph::new(lines).block(
                Block::new()
                    .borders(Borders::TOP | Borders::LEFT)
                    .title(l.t(" Dagsbod ", " Dagsbod ")),
            ),
            fine,
        );
    }
}

fn gauge(
    f: &mut Frame,
    area: Rect,
    app: &App,
    name: &str,
    t: &TimerEval,
    evaluated: chrono::DateTime<chrono::Utc>,
) {
    let l = app.lang;
    let look = Look::of(t, app.now);
    let Some(deadline) = t.deadline else {
        f.render_widget(
            Paragraph::new(Line::styled(
                format!(" {name:<9} {}", l.t("intet servicemål", "no target")),
                dim(),
            )),
            area,
        );
        return;
    };
    let left = format::countdown(app.cal, l, t, evaluated, app.now, app.full_day);
    let target = t
        .timer
        .map(|tm| sla::explain::target_words(l, tm.target))
        .unwrap_or_default();
    let status = match t.status_at(app.now) {
        Some(Status::Met) | Some(Status::Breached) if t.done.is_some() => format!(
            "{} {}",
            l.t("udført", "done"),
            l.datetime(app.cal.local(t.done.unwrap_or(deadline)))
        ),
        _ if left.starts_with('-') => format!(
            "{} {}",
            l.t("overskredet med", "overrun by"),
            left.trim_start_matches('-')
        ),
        _ => format!("{left} {}", l.t("tilbage", "left")),
    };
    // "overskredet med 16t" already says it: no second "overskredet" after it.
    let look_label = if t.done.is_none() && left.starts_with('-') {
        String::new()
    } else {
        format!(" · {}", look.label(l))
    };
    let label = format!(
        " {name:<9} {target} · {} {} · {status}{look_label}",
        l.t("frist", "due"),
        l.datetime(app.cal.local(deadline)),
    );
    let ratio = format::used_ratio(app.cal, t, evaluated, app.now);
    let g = LineGauge::default()
        .ratio(ratio)
        .label(Span::styled(label, look_style(look)))
        .filled_style(look_style(look))
        .unfilled_style(dim());
    f.render_widget(g, area);
}

/// The municipality's contact people in one line: who may write and accept for it.
fn contacts_line(contacts: &[crate::contact::Contact], l: Lang) -> String {
    if contacts.is_empty() {
        return l
            .t(
                "ingen registreret (frist contact add)",
                "none registered (frist contact add)",
            )
            .into();
    }
    contacts
        .iter()
        .map(|c| {
            let phone = if c.phone.trim().is_empty() {
                String::new()
            } else {
                format!(", {}", crate::safe::text(c.phone.trim()))
            };
            format!(
                "{} <{}>{phone}",
                crate::safe::text(&c.name),
                crate::safe::text(&c.email)
            )
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn event_line(app: &App, ev: &Event, retracted_by: Option<u32>) -> Line<'static> {
    let l = app.lang;
    let cat = |id: &str| id.to_string();
    let (text, style) = match &ev.kind {
        EventKind::Reported {
            reporter, title, ..
        } => (
            format!("{} {reporter}: {title}", l.t("anmeldt af", "reported by")),
            Style::new(),
        ),
        EventKind::Classified {
            category,
            by,
            confidence,
            reasons,
        } => (
            format!(
                "{} {}{}{}",
                l.t("kategori", "category"),
                cat(category),
                match (by, confidence) {
                    (ClassifiedBy::Auto, Some(c)) =>
                        format!(" ({} {:.0} %)", l.t("forslag", "suggested"), c * 100.0),
                    (ClassifiedBy::Auto, None) => format!(" ({})", l.t("forslag", "suggested")),
                    (ClassifiedBy::Agent, _) =>
                        format!(" ({})", l.t("valgt af medarbejder", "chosen by the agent")),
                },
                if reasons.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", reasons.join(", "))
                }
            ),
            dim(),
        ),
        EventKind::Reclassified { from, to, reason } => (
            format!(
                "{} {from} → {to}: {reason}",
                l.t("ny kategori", "reclassified")
            ),
            Style::new().fg(Color::Magenta),
        ),
        EventKind::Reacted { note } => (
            format!("{}{}", l.t("reaktion", "reaction"), colon(note)),
            Style::new().fg(Color::Green),
        ),
        EventKind::Paused { reason } => (
            format!("{}{}", l.t("pause", "paused"), colon(reason)),
            look_style(Look::Paused),
        ),
        EventKind::Resumed => (
            l.t("genoptaget", "resumed").to_string(),
            look_style(Look::Paused),
        ),
        EventKind::Resolved { note } => (
            format!("{}{}", l.t("løst", "resolved"), colon(note)),
            Style::new().fg(Color::Green),
        ),
        EventKind::Accepted { by, reference } => (
            format!(
                "{} {by}, ref. {reference}",
                l.t("accepteret af", "accepted by")
            ),
            Style::new().fg(Color::Green),
        ),
        EventKind::Rejected { by, reason } => (
            format!(
                "{} {by}: {reason} — {}",
                l.t("afvist af", "rejected by"),
                l.t("sagen er genåbnet", "the ticket is reopened")
            ),
            Style::new().fg(Color::Red),
        ),
        EventKind::Note { text } => (
            format!("{}{}", l.t("bemærkning", "note"), colon(text)),
            Style::new(),
        ),
        EventKind::Assigned { to } => (
            format!("{} {to}", l.t("tildelt", "assigned to")),
            Style::new(),
        ),
        EventKind::ReportTimeCorrected { from, to, reason } => (
            format!(
                "{} {} → {}: {reason}",
                l.t("anmeldelsestid rettet", "report time corrected"),
                l.datetime(app.cal.local(*from)),
                l.datetime(app.cal.local(*to))
            ),
            Style::new().fg(Color::Magenta),
        ),
        EventKind::MailSent { .. } => (
            ev.kind.mail_summary(l).unwrap_or_default(),
            Style::new().fg(Color::Blue),
        ),
        EventKind::MailFailed { .. } => (
            ev.kind.mail_summary(l).unwrap_or_default(),
            Style::new().fg(Color::Red),
        ),
        EventKind::ContactAdded {
            municipality,
            name,
            email,
            ..
        } => (
            format!(
                "{} {municipality}: {name} <{email}>",
                l.t("kontaktperson tilføjet", "contact added")
            ),
            dim(),
        ),
        EventKind::ContactRemoved {
            municipality,
            email,
        } => (
            format!(
                "{} {municipality}: {email}",
                l.t("kontaktperson fjernet", "contact removed")
            ),
            dim(),
        ),
        EventKind::MailReceived(m) | EventKind::MailSuggested(m) => (
            format!("{} {}", l.t("mail", "mail"), m.summary(l)),
            if m.verified() {
                Style::new().fg(Color::Blue)
            } else {
                Style::new().fg(Color::Yellow)
            },
        ),
        EventKind::MailDismissed { message_id, reason } => (
            format!(
                "{} <{message_id}>: {reason}",
                l.t("forslag afvist", "suggestion dismissed")
            ),
            dim(),
        ),
        k @ EventKind::BreachDisputed { .. } => (
            format!(
                "{}: {}",
                k.label(l),
                k.correction_text(l).unwrap_or_default()
            ),
            Style::new().fg(Color::Yellow),
        ),
        k => (
            k.correction_text(l).unwrap_or_default(),
            Style::new().fg(Color::Magenta),
        ),
    };
    let mut spans = vec![
        Span::styled(
            format!(" {} ", l.datetime(app.cal.local(ev.effective))),
            dim(),
        ),
        Span::styled(format!("{:<10} ", ev.user), Style::new().fg(Color::Cyan)),
        Span::styled(text, style),
    ];
    // A withdrawn step stays in the timeline, struck through and marked with what withdrew it.
    if let Some(by) = retracted_by {
        if let Some(s) = spans.last_mut() {
            s.style = s.style.add_modifier(Modifier::CROSSED_OUT);
        }
        spans.push(Span::styled(
            format!(" {} (nr. {by})", l.t("trukket tilbage", "retracted")),
            Style::new().fg(Color::Magenta),
        ));
    }
    if let Some(lag) = ev.recorded_late() {
        // Logged long after the fact: marked, because the municipality may dispute it.
        spans.push(Span::styled(
            format!(
                " ⚠ {} ({})",
                l.recorded_later(lag),
                l.datetime(app.cal.local(ev.recorded))
            ),
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    } else if (ev.recorded - ev.effective).num_minutes().abs() >= 1 {
        spans.push(Span::styled(
            format!(
                " ({} {})",
                l.t("registreret", "recorded"),
                l.datetime(app.cal.local(ev.recorded))
            ),
            dim(),
        ));
    }
    Line::from(spans)
}

fn colon(s: &str) -> String {
    if s.trim().is_empty() {
        String::new()
    } else {
        format!(": {s}")
    }
}
