//! Rapport: the monthly service report on screen (the same figures as `frist report`), for
//! the tab's own month and municipality, which its heading names.

use super::{bold, dim};
use crate::tui::app::App;
use chrono::Datelike;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    use crate::report::cells;
    use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Gauge, Row, Table};
    let l = app.lang;
    let rp = &app.rapport;
    // The heading names what the tab shows, before the report is in: its month and its
    // municipality (the tab's own choice, not the board's filter).
    let who = rp
        .municipality
        .clone()
        .unwrap_or_else(|| l.t("alle kommuner", "all municipalities").to_string());
    let r = match &rp.report {
        None => {
            f.render_widget(
                Paragraph::new(Line::styled(
                    format!(
                        " {} {} {} · {}: {who} · {}",
                        l.t("Servicerapport", "Service report"),
                        l.month_name(rp.month.month()),
                        rp.month.year(),
                        l.t("Kommune", "Municipality"),
                        l.t("bygges …", "being built …")
                    ),
                    bold(),
                )),
                area,
            );
            return;
        }
        Some(Err(m)) => {
            let p = Paragraph::new(format!(" {m}")).style(Style::new().fg(Color::Red));
            f.render_widget(p, area);
            return;
        }
        Some(Ok(r)) => r,
    };
    let [head, table, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(r.categories.len() as u16 + 2),
        Constraint::Min(0),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!(" {}", cells::title(r, l)), bold()),
            Span::styled(format!(" · {}: ", l.t("Kommune", "Municipality")), dim()),
            Span::styled(who, bold()),
        ])),
        head,
    );
    let dash = || "–".to_string();
    let rows = r.categories.iter().map(|c| {
        let name = if l == crate::i18n::Lang::En {
            &c.name_en
        } else {
            &c.name
        };
        let cell = |s: &Option<crate::report::TimerStats>, what: u8| {
            s.as_ref().map_or_else(dash, |s| match what {
                0 => cells::target(l, s),
                1 => cells::average(l, s),
                _ => cells::met_breached(l, s),
            })
        };
        Row::new(vec![
            name.clone(),
            c.count.to_string(),
            cell(&c.reaction, 0),
            cell(&c.reaction, 1),
            cell(&c.resolution, 0),
            cell(&c.resolution, 1),
            cell(&c.resolution, 2),
        ])
    });
    let t = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Length(5),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Fill(2),
            // "overholdt/overskredet", whole.
            Constraint::Length(21),
        ],
    )
    .header(
        Row::new(vec![
            l.t("Kategori", "Category"),
            l.t("Sager", "Tickets"),
            l.t("Reaktion mål", "Reaction target"),
            l.t("gns.", "avg."),
            l.t("Løsning mål", "Resolution target"),
            l.t("gns.", "avg."),
            l.t("overholdt/overskredet", "met/breached"),
        ])
        .style(bold()),
    );
    f.render_widget(t, table);
    let [chart, side] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(bottom);
    let bars: Vec<Bar> = r
        .categories
        .iter()
        .filter_map(|c| {
            let pct = (c.resolution.as_ref()?.ratio_to_target()? * 100.0).round() as u64;
            Some(
                Bar::default()
                    .label(Line::from(c.id.chars().take(8).collect::<String>()))
                    .value(pct)
                    .text_value(format!("{pct}%"))
                    .style(Style::new().fg(if pct > 100 { Color::Red } else { Color::Green })),
            )
        })
        .collect();
    f.render_widget(
        BarChart::default()
            .block(Block::bordered().title(l.t(
                " Løsningstid i % af målet (gns.) ",
                " Resolution time, % of target (avg.) ",
            )))
            .data(BarGroup::default().bars(&bars))
            .bar_width(6)
            .bar_gap(1),
        chart,
    );
    let [gauge, figures] =
        Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(side);
    let a = &r.availability;
    let target = a.target_percent.unwrap_or(99.0);
    f.render_widget(
        Gauge::default()
            .block(Block::bordered().title(format!(
                " {} ({} {} %) ",
                l.t("Driftseffektivitet", "Availability"),
                l.t("mål", "target"),
                cells::percent(l, target)
            )))
            .gauge_style(Style::new().fg(if a.percent < target {
                Color::Red
            } else {
                Color::Green
            }))
            .ratio((a.percent / 100.0).clamp(0.0, 1.0))
            .label(format!("{} %", cells::percent(l, a.percent))),
        gauge,
    );
    let kr = crate::i18n::kroner;
    let op = &r.operational_test;
    let lines = vec![
        Line::from(format!(
            " {}: {} min.",
            l.t("Nedetid", "Downtime"),
            crate::i18n::integer(l, a.downtime_minutes)
        )),
        Line::from(format!(
            " {}: {}",
            l.t("Dagsbod for løsningstid", "Late-resolution fines"),
            kr(r.fines.resolution)
        )),
        Line::from(format!(
            " {}: {}",
            l.t("Bod for driftseffektivitet", "Availability fine"),
            kr(r.fines.availability)
        )),
        Line::from(format!(
            " {}: {}",
            l.t("Bod for svartider", "Response-time fine"),
            kr(r.fines.response_times)
        )),
        Line::styled(
            format!(
                " {}: {}",
                l.t("Samlet bodsbeløb", "Total fines"),
                kr(r.fines.total)
            ),
            bold(),
        ),
        Line::from(format!(
            " {}: {} {} ({})",
            l.t("Driftsprøve", "Operational test"),
            l.working_days(op.streak_working_days),
            l.t("i træk", "in a row"),
            if op.deadlines_fell_due == 0 {
                l.t("kan ikke vurderes endnu", "cannot be judged yet")
            } else if op.passed {
                l.t("bestået", "passed")
            } else {
                l.t("ikke bestået", "not passed")
            }
        )),
        Line::from(format!(
            " {}: {}",
            l.t("Overskredne frister", "Breached deadlines"),
            r.breaches.len()
        )),
    ];
    f.render_widget(Paragraph::new(lines), figures);
}
