//! Importing mail into the log: each message matched ([`super::matching`]) and written as one
//! event — on its ticket, or as a suggested ticket in the log's own stream. A message whose
//! Message-ID the log knows already adds nothing. Shared by the command line and the TUI.

use super::matching::{place, Placement};
use super::{MatchedBy, Parsed, Received, SenderCheck, Suggestion};
use crate::contact::Book;
use crate::contract::Contract;
use crate::store::{Store, StoreResult};
use crate::ticket::{EventKind, Ticket, TicketId, LOG_STREAM};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Attached to the ticket.
    Attached {
        ticket: TicketId,
        by: MatchedBy,
        sender: SenderCheck,
        sender_municipality: String,
    },
    /// Kept as a suggested new ticket for the municipality.
    Suggested {
        municipality: String,
        category: Option<String>,
        confidence: f64,
    },
    /// The log has this Message-ID already: nothing added.
    Known,
    /// Matched no ticket and the sender is no contact: nothing added.
    Unmatched,
}

/// The ticket that carries a Message-ID (not the log's own stream).
pub fn ticket_of_message(store: &dyn Store, id: &str) -> StoreResult<Option<TicketId>> {
    Ok(store
        .find_message(id)?
        .into_iter()
        .map(|(t, _)| t)
        .find(|t| *t != LOG_STREAM))
}

/// When a mail took effect on a ticket: its Date, kept between the ticket's last step and
/// now (a Date in the future or before the last step is the sender's clock, not the log's).
pub fn effective(date: Option<DateTime<Utc>>, t: &Ticket, now: DateTime<Utc>) -> DateTime<Utc> {
    let floor = t.last_effective.max(t.reported);
    date.unwrap_or(now).clamp(floor.min(now), now)
}

/// Imports one parsed mail.
pub fn import_one(
    store: &dyn Store,
    contract: &Contract,
    mail: &Parsed,
    user: &str,
    recorded: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Outcome> {
    if !store.find_message(&mail.message_id)?.is_empty() {
        return Ok(Outcome::Known);
    }
    let book = Book {
        contacts: store.contacts(None)?,
    };
    let mut answered: HashMap<String, TicketId> = HashMap::new();
    for id in &mail.answers {
        if let Some(t) = ticket_of_message(store, id)? {
            answered.insert(id.clone(), t);
        }
    }
    let mut tickets: HashMap<TicketId, Ticket> = HashMap::new();
    for id in answered
        .values()
        .copied()
        .chain(super::subject_tag(&mail.subject))
    {
        if let Some(t) = store.ticket(id)? {
            tickets.insert(id, t);
        }
    }
    let placed = place(mail, &book, &|id| answered.get(id).copied(), &|t| {
        tickets.get(&t).map(|t| t.municipality.clone())
    });
    match placed {
        Placement::Ticket {
            id,
            by,
            sender,
            sender_municipality,
        } => {
            let t = &tickets[&id];
            let kind =
                EventKind::MailReceived(Box::new(mail.received(sender, &sender_municipality, by)));
            store.append(id, kind, user, recorded, effective(mail.date, t, now), now)?;
            Ok(Outcome::Attached {
                ticket: id,
                by,
                sender,
                sender_municipality,
            })
        }
        Placement::Suggest { municipality } => {
            let guess = crate::store::labels::classifier(contract, store)?
                .classify(&mail.subject, &mail.text);
            let confidence = (guess.confidence * 100.0).round() / 100.0;
            let category = (!guess.category.is_empty()).then_some(guess.category);
            let mut r: Received = mail.received(SenderCheck::Contact, "", MatchedBy::None);
            r.suggestion = Some(Suggestion {
                municipality: municipality.clone(),
                category: category.clone(),
                confidence,
            });
            store.append_log(EventKind::MailSuggested(Box::new(r)), user, recorded)?;
            Ok(Outcome::Suggested {
                municipality,
                category,
                confidence,
            })
        }
        Placement::Unmatched => Ok(Outcome::Unmatched),
    }
}

/// The suggested tickets not yet confirmed or dismissed, oldest first.
pub fn pending_suggestions(store: &dyn Store) -> StoreResult<Vec<Received>> {
    let mut out: Vec<Received> = Vec::new();
    for e in store.log_events()? {
        match e.kind {
            EventKind::MailSuggested(r) => out.push(*r),
            EventKind::MailDismissed { message_id, .. } => {
                out.retain(|r| r.message_id != message_id)
            }
            _ => {}
        }
    }
    let mut pending = Vec::new();
    for r in out {
        if ticket_of_message(store, &r.message_id)?.is_none() {
            pending.push(r);
        }
    }
    Ok(pending)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_mail_takes_effect_at_its_date_kept_between_the_last_step_and_now() {
        let at = |d, h| Utc.with_ymd_and_hms(2025, 3, d, h, 0, 0).unwrap();
        let mut t = crate::ticket::fold(&[crate::ticket::Event {
            ticket: 1,
            seq: 0,
            user: "a".into(),
            recorded: at(3, 9),
            effective: at(3, 9),
            kind: EventKind::Reported {
                municipality: "Aarhus".into(),
                reporter: String::new(),
                title: "t".into(),
                description: String::new(),
                category: "kritisk".into(),
                contract: "laasesystem".into(),
            },
        }])
        .unwrap();
        t.last_effective = at(4, 9);
        let now = at(10, 12);
        assert_eq!(effective(Some(at(5, 9)), &t, now), at(5, 9));
        assert_eq!(effective(Some(at(2, 9)), &t, now), at(4, 9));
        assert_eq!(effective(Some(at(20, 9)), &t, now), now);
        assert_eq!(effective(None, &t, now), now);
    }
}
