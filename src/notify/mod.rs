//! Outgoing mail: the resolution notice to the municipality, reminders of resolutions that wait
//! for acceptance, alerts of timers at risk or breached, and the monthly report.
//!
//! [`compose`] and [`plan`] are pure (what to write, what is due); [`send`] is the edge (SMTP or
//! the outbox folder). This module ties them to the store: every mail about a ticket is kept on
//! the ticket as a `mail-sent` event (its Message-ID is what a reply names), or as `mail-failed`
//! with the whole message, which [`Notifier::retry`] sends later. Both the CLI and the TUI use it.

pub mod compose;
pub mod plan;
pub mod send;

use crate::i18n::Lang;
use crate::load::Loaded;
use crate::store::{Filter, Store, StoreError, StoreResult};
use crate::ticket::{EventKind, MailKind, MailVia, Ticket, TicketId};
use chrono::{DateTime, Utc};
use compose::Mail;
use send::{Delivery, Postman};
use std::collections::BTreeMap;

/// What a run of the mail did, for the user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// One line per mail: sent, put in the outbox, or failed.
    pub lines: Vec<String>,
    /// What the user should know though nothing went out (no contacts, nobody to alert).
    pub notes: Vec<String>,
    pub sent: usize,
    pub failed: usize,
}

impl Outcome {
    fn add(&mut self, other: Outcome) {
        self.lines.extend(other.lines);
        self.notes.extend(other.notes);
        self.sent += other.sent;
        self.failed += other.failed;
    }
}

/// The addresses of the people who get mail: a municipality's contacts, an agent, supervisors.
pub trait AddressBook {
    /// The mail addresses of a municipality's contacts.
    fn municipality(&self, municipality: &str) -> StoreResult<Vec<String>>;
    /// An agent's (login's) address.
    fn agent(&self, login: &str) -> Option<String>;
    /// The supervisors' addresses.
    fn supervisors(&self) -> Vec<String>;
}

/// Sends and records mail about the log's tickets.
pub struct Notifier<'a> {
    pub store: &'a dyn Store,
    pub postman: &'a Postman,
    pub book: &'a dyn AddressBook,
    pub loaded: &'a Loaded,
    pub user: &'a str,
    /// The instant mail is decided and recorded at (its events' effective time).
    pub now: DateTime<Utc>,
    pub lang: Lang,
}

impl Notifier<'_> {
    /// Sends one mail and records it on every ticket it is about.
    fn send(&self, mail: &Mail) -> StoreResult<Outcome> {
        let l = self.lang;
        let kind = mail.kind.unwrap_or(MailKind::ResolutionNotice);
        let mut out = Outcome::default();
        let delivery = match self.postman.deliver(mail) {
            Ok(d) => d,
            // The message cannot even be written (an address a mail server would refuse):
            // nothing to keep or retry; the user mends the contact and the next run sends it.
            Err(e) => {
                out.failed += 1;
                out.notes.push(format!(
                    "{} {} {}: {e}",
                    kind.label(l),
                    l.t("til", "to"),
                    mail.to.join(", ")
                ));
                return Ok(out);
            }
        };
        let mut line = |s: String| out.lines.push(s);
        let tickets: Vec<String> = mail.about.iter().map(|(id, _)| format!("#{id}")).collect();
        match &delivery {
            Delivery::Smtp => line(format!(
                "{} {} {} ({})",
                kind.label(l),
                l.t("sendt til", "sent to"),
                mail.to.join(", "),
                tickets.join(" ")
            )),
            Delivery::Outbox(p) => line(format!(
                "{} {} {} ({}): {}",
                kind.label(l),
                l.t("lagt i udbakken til", "put in the outbox for"),
                mail.to.join(", "),
                tickets.join(" "),
                p.display()
            )),
            Delivery::Failed { error, .. } => line(format!(
                "{} {} {} ({}) {}: {error}; {}",
                kind.label(l),
                l.t("til", "to"),
                mail.to.join(", "),
                tickets.join(" "),
                l.t("blev ikke sendt", "was not sent"),
                l.t(
                    "den er gemt i loggen, og `frist mail send` prøver igen",
                    "it is kept in the log, and `frist mail send` tries again"
                )
            )),
        }
        match delivery {
            Delivery::Failed { .. } => out.failed += 1,
            _ => out.sent += 1,
        }
        // Kept as a reply names it in In-Reply-To, without its angle brackets (what `frist mail
        // import` looks up).
        let message_id = crate::mail::normalize_id(&mail.message_id);
        for (id, key) in &mail.about {
            let ev = match &delivery {
                Delivery::Smtp | Delivery::Outbox(_) => EventKind::MailSent {
                    message_id: message_id.clone(),
                    to: mail.to.clone(),
                    subject: mail.subject.clone(),
                    kind,
                    via: if matches!(delivery, Delivery::Smtp) {
                        MailVia::Smtp
                    } else {
                        MailVia::Outbox
                    },
                    key: key.clone(),
                },
                Delivery::Failed { error, raw } => EventKind::MailFailed {
                    message_id: message_id.clone(),
                    to: mail.to.clone(),
                    subject: mail.subject.clone(),
                    kind,
                    key: key.clone(),
                    error: error.clone(),
                    raw: raw.clone(),
                },
            };
            self.record(*id, ev)?;
        }
        Ok(out)
    }

    fn record(&self, id: TicketId, ev: EventKind) -> StoreResult<Ticket> {
        self.store.append(
            id,
            ev,
            self.user,
            crate::edge::recorded_now(),
            self.now,
            self.now,
        )
    }

    fn message_id(&self, what: &str) -> String {
        send::new_message_id(what, &self.postman.domain())
    }

    fn no_contacts(&self, t: &Ticket) -> Outcome {
        let l = self.lang;
        Outcome {
            notes: vec![format!(
                "{} {} {}; {} `frist contact add --municipality \"{}\" --name … --email …`",
                l.t("sag", "ticket"),
                t.id,
                l.t(
                    "er løst, men kommunen har ingen kontakter med mail, så ingen besked er sendt",
                    "is resolved, but its municipality has no contacts with mail, so no notice was sent"
                ),
                l.t("tilføj en med", "add one with"),
                crate::safe::text(&t.municipality)
            )],
            ..Outcome::default()
        }
    }

    /// Writes the municipality the resolution notice of a ticket just resolved.
    pub fn resolution_notice(&self, id: TicketId) -> StoreResult<Outcome> {
        let t = self
            .store
            .ticket(id)?
            .ok_or(StoreError::UnknownTicket(id))?;
        if !t.awaiting_acceptance() {
            return Ok(Outcome::default());
        }
        let to = self.book.municipality(&t.municipality)?;
        if to.is_empty() {
            return Ok(self.no_contacts(&t));
        }
        let events = self.store.events(id)?;
        let note = events
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                EventKind::Resolved { note } => Some(note.as_str()),
                _ => None,
            })
            .unwrap_or("");
        // The ticket's own contract version (the log keeps it), whatever file is at hand.
        let contracts = crate::contracts::Contracts::of_store(self.loaded, self.store);
        let terms = contracts.terms(&t).ok_or_else(|| {
            StoreError::BadInput(format!(
                "ticket {id}: its contract {} is unknown",
                t.contract
            ))
        })?;
        let ev = crate::ticket::evaluate(&t, terms.contract(), terms.calendar(), self.now)
            .map_err(|e| StoreError::BadInput(e.message(self.lang)))?;
        let mail = compose::resolution_notice(
            &t,
            note,
            &ev,
            terms.contract(),
            &to,
            &self.message_id(&id.to_string()),
            self.now,
        );
        self.send(&mail)
    }

    /// Sends the reminders due now (resolutions waiting for acceptance longer than the
    /// contract's `acceptance_reminder`, inside the service window).
    pub fn reminders(&self) -> StoreResult<Outcome> {
        let mut out = Outcome::default();
        let waiting: Vec<Ticket> = self
            .store
            .tickets(Filter::NotClosed)?
            .into_iter()
            .filter(|t| t.awaiting_acceptance())
            .collect();
        let ids: Vec<TicketId> = waiting.iter().map(|t| t.id).collect();
        let events = self.store.events_of(&ids)?;
        // Each ticket's own contract version: its reminder period and working days.
        let contracts = crate::contracts::Contracts::of_store(self.loaded, self.store);
        // Municipalities without a contact to remind: one note each, not one per ticket.
        let mut unreachable_for: BTreeMap<String, Vec<TicketId>> = BTreeMap::new();
        for t in &waiting {
            let evs = events.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
            let Some(terms) = contracts.terms(t) else {
                continue;
            };
            let Some(due) =
                plan::reminder_due(t, evs, terms.contract(), terms.calendar(), self.now)
                    .map_err(|e| StoreError::BadInput(e.message(self.lang)))?
            else {
                continue;
            };
            let to = self.book.municipality(&t.municipality)?;
            if to.is_empty() {
                unreachable_for
                    .entry(t.municipality.clone())
                    .or_default()
                    .push(t.id);
                continue;
            }
            let mail = compose::acceptance_reminder(
                t,
                terms.contract(),
                due.number,
                &to,
                due.notice.as_deref(),
                &self.message_id(&t.id.to_string()),
                self.now,
            );
            out.add(self.send(&mail)?);
        }
        let l = self.lang;
        for (m, ids) in unreachable_for {
            let ids: Vec<String> = ids.iter().map(|id| format!("#{id}")).collect();
            out.notes.push(format!(
                "{} {}: {}; {} `frist contact add --municipality \"{}\" --name … --email …`",
                crate::safe::text(&m),
                l.t(
                    "har ingen kontakter med mail, så disse påmindelser er ikke sendt",
                    "has no contacts with mail, so these reminders were not sent"
                ),
                ids.join(" "),
                l.t("tilføj en med", "add one with"),
                crate::safe::text(&m)
            ));
        }
        Ok(out)
    }

    /// Sends the timer alerts due now, one mail per person: the assigned agent gets their
    /// tickets' timers at risk or breached, supervisors every breach (and the unassigned
    /// tickets' alerts). Nothing is sent outside the service window.
    pub fn alerts(&self) -> StoreResult<Outcome> {
        let mut out = Outcome::default();
        let (c, cal) = (&self.loaded.contract, &self.loaded.calendar);
        // The desk's own service window decides when alerts go out.
        if !cal
            .in_window(self.now)
            .map_err(|e| StoreError::BadInput(e.message(self.lang)))?
        {
            return Ok(out);
        }
        let open = self.store.tickets(Filter::Unresolved)?;
        let contracts = crate::contracts::Contracts::of_store(self.loaded, self.store);
        let mut due = Vec::new();
        for t in &open {
            let Some(ev) = contracts.evaluate(t, self.now) else {
                continue;
            };
            if matches!(
                ev.worst(),
                Some(crate::sla::Status::AtRisk | crate::sla::Status::Breached)
            ) {
                due.push((t, ev));
            }
        }
        let ids: Vec<TicketId> = due.iter().map(|(t, _)| t.id).collect();
        let events = self.store.events_of(&ids)?;
        // Recipient → alerts; the same alert to several people is one mail each.
        let mut by_person: BTreeMap<String, Vec<compose::Alert>> = BTreeMap::new();
        let supervisors = self.book.supervisors();
        let mut nobody: Vec<TicketId> = Vec::new();
        for (t, ev) in &due {
            let evs = events.get(&t.id).map(Vec::as_slice).unwrap_or(&[]);
            for a in plan::alerts_due(t, ev, evs) {
                let mut to: Vec<String> = t
                    .assignee
                    .as_deref()
                    .and_then(|l| self.book.agent(l))
                    .into_iter()
                    .collect();
                if a.status == crate::sla::Status::Breached || to.is_empty() {
                    to.extend(supervisors.iter().cloned());
                }
                to.sort();
                to.dedup();
                if to.is_empty() && !nobody.contains(&t.id) {
                    nobody.push(t.id);
                }
                for p in to {
                    by_person.entry(p).or_default().push(a.clone());
                }
            }
        }
        if !nobody.is_empty() {
            let ids: Vec<String> = nobody.iter().map(|id| format!("#{id}")).collect();
            out.notes.push(format!(
                "{}: {}",
                self.lang.t(
                    "ingen at varsle om (ingen mail for den tildelte medarbejder eller for supervisorer; se docs/mail.md)",
                    "nobody to alert about (no address for the assigned agent or for supervisors; see docs/mail.md)"
                ),
                ids.join(" ")
            ));
        }
        for (person, alerts) in by_person {
            let mail = compose::timer_alerts(
                &alerts,
                &[person],
                self.lang,
                &c.tz,
                &self.message_id("alert"),
                self.now,
            );
            out.add(self.send(&mail)?);
        }
        Ok(out)
    }

    /// Sends again every mail that failed and is not sent yet (of tickets not closed).
    pub fn retry(&self) -> StoreResult<Outcome> {
        let mut out = Outcome::default();
        let l = self.lang;
        // A mail about a closed ticket no longer matters (the municipality has answered).
        let waiting: Vec<Ticket> = self
            .store
            .tickets(Filter::NotClosed)?
            .into_iter()
            .filter(|t| !t.mail_unsent.is_empty())
            .collect();
        let ids: Vec<TicketId> = waiting.iter().map(|t| t.id).collect();
        let events = self.store.events_of(&ids)?;
        // One message may be about many tickets (an alert): send it once.
        let mut done: BTreeMap<String, Delivery> = BTreeMap::new();
        for t in &waiting {
            for mid in &t.mail_unsent {
                let Some(EventKind::MailFailed {
                    to,
                    subject,
                    kind,
                    key,
                    raw,
                    ..
                }) = events.get(&t.id).and_then(|evs| {
                    evs.iter().rev().map(|e| &e.kind).find(
                        |k| matches!(k, EventKind::MailFailed { message_id, .. } if message_id == mid),
                    )
                })
                else {
                    continue;
                };
                let delivery = done
                    .entry(mid.clone())
                    .or_insert_with(|| {
                        let d = self.postman.deliver_raw(raw, mid);
                        match &d {
                            Delivery::Failed { error, .. } => {
                                out.failed += 1;
                                out.lines.push(format!(
                                    "{} {} {}: {error}",
                                    kind.label(l),
                                    l.t(
                                        "kunne stadig ikke sendes til",
                                        "still could not be sent to"
                                    ),
                                    to.join(", ")
                                ));
                            }
                            _ => {
                                out.sent += 1;
                                out.lines.push(format!(
                                    "{} {} {}",
                                    kind.label(l),
                                    l.t("sendt til", "sent to"),
                                    to.join(", ")
                                ));
                            }
                        }
                        d
                    })
                    .clone();
                let via = match delivery {
                    Delivery::Smtp => MailVia::Smtp,
                    Delivery::Outbox(_) => MailVia::Outbox,
                    // Still kept in the log from the first failure: nothing new to record.
                    Delivery::Failed { .. } => continue,
                };
                self.record(
                    t.id,
                    EventKind::MailSent {
                        message_id: mid.clone(),
                        to: to.clone(),
                        subject: subject.clone(),
                        kind: *kind,
                        via,
                        key: key.clone(),
                    },
                )?;
            }
        }
        Ok(out)
    }

    /// `frist mail remind`: first the mails that failed before, then reminders and alerts.
    pub fn remind(&self) -> StoreResult<Outcome> {
        let mut out = self.retry()?;
        out.add(self.reminders()?);
        out.add(self.alerts()?);
        Ok(out)
    }
}
