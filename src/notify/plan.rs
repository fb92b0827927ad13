//! Which mails are due: reminders of resolutions that wait for acceptance, and alerts of timers
//! at risk or breached. Pure: decided from a ticket, its events, the contract and `now`. What was
//! already mailed is read from the ticket's own `mail-sent`/`mail-failed` events, so a rerun
//! sends nothing new.

use super::compose::Alert;
use crate::calendar::WorkCalendar;
use crate::contract::{ClockKind, Contract};
use crate::error::Result;
use crate::sla::{deadline_from, Clock, Status};
use crate::ticket::{Evaluation, Event, EventKind, MailKind, State, Ticket};
use chrono::{DateTime, Utc};

/// A reminder that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderDue {
    /// 1 for the first reminder of this resolution.
    pub number: u32,
    /// The resolution notice's Message-ID, which the reminder follows up.
    pub notice: Option<String>,
}

/// The mails of `kind` about the resolution that counts now (after the last `resolved`), sent or
/// kept for sending, with when: a failed one will go out, so it counts as sent.
fn mails_since_resolution(events: &[Event], kind: MailKind) -> Vec<(&Event, &str)> {
    let from = events
        .iter()
        .rposition(|e| matches!(e.kind, EventKind::Resolved { .. }))
        .map_or(events.len(), |i| i + 1);
    events[from..]
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MailSent {
                kind: k,
                message_id,
                ..
            }
            | EventKind::MailFailed {
                kind: k,
                message_id,
                ..
            } if *k == kind => Some((e, message_id.as_str())),
            _ => None,
        })
        .collect()
}

/// When a wait that began at `from` has lasted the contract's `acceptance_reminder`: working
/// days step to the same time on the N-th working day, hours count inside the service window,
/// calendar days are wall time.
pub fn reminder_after(
    contract: &Contract,
    cal: &WorkCalendar,
    from: DateTime<Utc>,
) -> Result<DateTime<Utc>> {
    let t = contract.acceptance_reminder;
    deadline_from(cal, Clock::of(ClockKind::Business, t), t, from, None)
}

/// Whether a resolved ticket has waited for acceptance longer than the contract's
/// `acceptance_reminder` at `now` (the board marks it).
pub fn acceptance_overdue(
    ticket: &Ticket,
    contract: &Contract,
    cal: &WorkCalendar,
    now: DateTime<Utc>,
) -> bool {
    match (ticket.state, ticket.resolved) {
        (State::Resolved, Some(r)) => reminder_after(contract, cal, r).is_ok_and(|due| now >= due),
        _ => false,
    }
}

/// What the board and `list` mark on a ticket about its mail: an acceptance overdue (the
/// reminder period has passed) and mail that failed and waits to be sent.
pub fn marks(
    ticket: &Ticket,
    contract: &Contract,
    cal: &WorkCalendar,
    now: DateTime<Utc>,
    l: crate::i18n::Lang,
) -> Vec<&'static str> {
    let mut v = Vec::new();
    if acceptance_overdue(ticket, contract, cal, now) {
        v.push(l.t("accept forsinket", "acceptance overdue"));
    }
    if !ticket.mail_unsent.is_empty() {
        v.push(l.t("mail ikke sendt", "mail not sent"));
    }
    v
}

/// The reminder due for a ticket at `now`, if any: the ticket waits for acceptance, a period has
/// passed since its resolution or its last reminder, and `now` lies inside the service window.
pub fn reminder_due(
    ticket: &Ticket,
    events: &[Event],
    contract: &Contract,
    cal: &WorkCalendar,
    now: DateTime<Utc>,
) -> Result<Option<ReminderDue>> {
    let (State::Resolved, Some(resolved)) = (ticket.state, ticket.resolved) else {
        return Ok(None);
    };
    if !cal.in_window(now)? {
        return Ok(None);
    }
    let sent = mails_since_resolution(events, MailKind::AcceptanceReminder);
    let since = sent
        .iter()
        .map(|(e, _)| e.effective)
        .max()
        .unwrap_or(resolved)
        .max(resolved);
    if now < reminder_after(contract, cal, since)? {
        return Ok(None);
    }
    let notice = mails_since_resolution(events, MailKind::ResolutionNotice)
        .first()
        .map(|(_, id)| id.to_string());
    Ok(Some(ReminderDue {
        number: sent.len() as u32 + 1,
        notice,
    }))
}

/// The alerts due for an unresolved ticket: each timer at risk or breached, not yet done, that
/// no earlier alert covered (the same timer and status is never alerted twice).
pub fn alerts_due(ticket: &Ticket, ev: &Evaluation, events: &[Event]) -> Vec<Alert> {
    if !ticket.is_open() {
        return Vec::new();
    }
    let sent: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MailSent {
                kind: MailKind::TimerAlert,
                key,
                ..
            }
            | EventKind::MailFailed {
                kind: MailKind::TimerAlert,
                key,
                ..
            } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (name, t) in [("reaction", &ev.reaction), ("resolution", &ev.resolution)] {
        let (Some(status), Some(deadline), None) = (t.status, t.deadline, t.done) else {
            continue;
        };
        if !matches!(status, Status::AtRisk | Status::Breached) {
            continue;
        }
        let a = Alert {
            ticket: ticket.id,
            municipality: ticket.municipality.clone(),
            title: ticket.title.clone(),
            timer: name,
            status,
            deadline,
        };
        if !sent.contains(&a.key().as_str()) {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::HolidayRules;
    use crate::ticket::{fold, MailVia};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn ev(seq: u32, t: &str, kind: EventKind) -> Event {
        Event {
            ticket: 1,
            seq,
            user: "mette".into(),
            recorded: at(t),
            effective: at(t),
            kind,
        }
    }

    fn reported(t: &str) -> Event {
        ev(
            0,
            t,
            EventKind::Reported {
                municipality: "Aarhus".into(),
                reporter: String::new(),
                title: "Låse".into(),
                description: String::new(),
                category: "laaseenhed".into(),
                contract: "laasesystem".into(),
            },
        )
    }

    fn reminder(seq: u32, t: &str) -> Event {
        ev(
            seq,
            t,
            EventKind::MailSent {
                message_id: format!("<r{seq}@x>"),
                to: vec!["lone@aarhus.dk".into()],
                subject: "påmindelse".into(),
                kind: MailKind::AcceptanceReminder,
                via: MailVia::Smtp,
                key: String::new(),
            },
        )
    }

    #[test]
    fn a_reminder_comes_after_three_working_days_and_then_once_a_period() {
        let c = Contract::default_contract();
        let cal = c.calendar(&HolidayRules::danish());
        // Resolved Monday 2026-03-02 10:00 local; three working days on: Thursday 10:00.
        let mut events = vec![
            reported("2026-03-02T08:00:00Z"),
            ev(
                1,
                "2026-03-02T09:00:00Z",
                EventKind::Resolved {
                    note: String::new(),
                },
            ),
        ];
        let t = fold(&events).unwrap();
        let due = |events: &[Event], now: &str| {
            let t = fold(events).unwrap();
            reminder_due(&t, events, &c, &cal, at(now)).unwrap()
        };
        assert_eq!(due(&events, "2026-03-05T08:59:00Z"), None);
        assert!(!acceptance_overdue(
            &t,
            &c,
            &cal,
            at("2026-03-05T08:59:00Z")
        ));
        assert!(acceptance_overdue(&t, &c, &cal, at("2026-03-05T09:00:00Z")));
        assert_eq!(due(&events, "2026-03-05T09:00:00Z").unwrap().number, 1);
        // Outside the service window (Thursday 20:00 local) nothing is sent.
        assert_eq!(due(&events, "2026-03-05T19:00:00Z"), None);
        events.push(reminder(2, "2026-03-05T09:00:00Z"));
        // Sent: nothing more until another period has passed.
        assert_eq!(due(&events, "2026-03-09T09:00:00Z"), None);
        assert_eq!(due(&events, "2026-03-10T09:00:00Z").unwrap().number, 2);
    }
}
