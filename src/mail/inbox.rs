//! The inbox (*Indbakke*): incoming mail on resolved tickets that waits for the agent's
//! decision — accept or reject the resolution with the mail as the written reference.

use super::verdict::{judge, Judgement};
use super::Received;
use crate::store::{Filter, Store, StoreResult};
use crate::ticket::{EventKind, Ticket};

/// One mail awaiting a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub ticket: Ticket,
    /// The event number of the mail on the ticket.
    pub seq: u32,
    pub mail: Received,
    /// The mail's text (to be shown through `safe::text`).
    pub text: String,
    pub judgement: Judgement,
}

/// The mails that came after the resolution of a ticket that still waits for acceptance,
/// newest resolution first.
pub fn items_of(t: &Ticket, events: &[crate::ticket::Event]) -> Vec<Item> {
    let Some(resolved) = t.resolved.filter(|_| t.awaiting_acceptance()) else {
        return Vec::new();
    };
    // The events after the resolution step that counts.
    let from = events
        .iter()
        .rposition(|e| matches!(e.kind, EventKind::Resolved { .. }))
        .unwrap_or(0);
    events[from..]
        .iter()
        .filter(|e| e.effective >= resolved)
        .filter_map(|e| match &e.kind {
            EventKind::MailReceived(m) => {
                let text = m.text();
                Some(Item {
                    ticket: t.clone(),
                    seq: e.seq,
                    mail: (**m).clone(),
                    judgement: judge(&text),
                    text,
                })
            }
            _ => None,
        })
        .collect()
}

/// Every mail awaiting a decision, by ticket.
pub fn items(store: &dyn Store) -> StoreResult<Vec<Item>> {
    let waiting: Vec<Ticket> = store
        .tickets(Filter::NotClosed)?
        .into_iter()
        .filter(Ticket::awaiting_acceptance)
        .collect();
    let ids: Vec<_> = waiting.iter().map(|t| t.id).collect();
    let events = store.events_of(&ids)?;
    let mut out = Vec::new();
    for t in &waiting {
        if let Some(evs) = events.get(&t.id) {
            out.extend(items_of(t, evs));
        }
    }
    Ok(out)
}
