//! A whole log loaded in batches, by column (import, demo).

use crate::store::chain::Hash;
use crate::ticket::{Event, Ticket};
use chrono::{DateTime, Utc};
use postgres::Transaction;

/// A batch of event rows for a bulk load, by column.
#[derive(Default)]
pub(super) struct EventRows {
    n: Vec<i64>,
    ticket: Vec<i64>,
    seq: Vec<i32>,
    kind: Vec<&'static str>,
    municipality: Vec<String>,
    state_before: Vec<Option<String>>,
    login: Vec<String>,
    recorded: Vec<DateTime<Utc>>,
    body: Vec<String>,
    hash: Vec<Vec<u8>>,
}

impl EventRows {
    /// Rows waiting to be written.
    pub(super) fn len(&self) -> usize {
        self.n.len()
    }

    pub(super) fn push(
        &mut self,
        n: u64,
        ev: &Event,
        municipality: String,
        state_before: Option<String>,
        bytes: Vec<u8>,
        hash: Hash,
    ) {
        self.n.push(n as i64);
        self.ticket.push(ev.ticket as i64);
        self.seq.push(ev.seq as i32);
        self.kind.push(ev.kind.name());
        self.municipality.push(municipality);
        self.state_before.push(state_before);
        self.login.push(ev.user.clone());
        self.recorded.push(ev.recorded);
        self.body
            .push(String::from_utf8(bytes).expect("JSON is UTF-8"));
        self.hash.push(hash.to_vec());
    }

    pub(super) fn write(
        &mut self,
        tx: &mut Transaction<'_>,
        insert: &postgres::Statement,
    ) -> Result<(), postgres::Error> {
        tx.execute(
            insert,
            &[
                &self.n,
                &self.ticket,
                &self.seq,
                &self.kind,
                &self.municipality,
                &self.state_before,
                &self.login,
                &self.recorded,
                &self.body,
                &self.hash,
            ],
        )?;
        *self = EventRows::default();
        Ok(())
    }
}

/// A batch of derived ticket rows for a bulk load, by column.
#[derive(Default)]
pub(super) struct TicketRows {
    id: Vec<i64>,
    municipality: Vec<String>,
    state: Vec<&'static str>,
    category: Vec<String>,
    reported: Vec<DateTime<Utc>>,
    resolved: Vec<Option<DateTime<Utc>>>,
    reacted: Vec<bool>,
    events: Vec<i32>,
    assignee: Vec<Option<String>>,
    updated: Vec<DateTime<Utc>>,
    fold: Vec<String>,
}

impl TicketRows {
    /// Rows waiting to be written.
    pub(super) fn len(&self) -> usize {
        self.id.len()
    }

    pub(super) fn push(&mut self, t: &Ticket, updated: DateTime<Utc>) {
        self.id.push(t.id as i64);
        self.municipality.push(t.municipality.clone());
        self.state.push(t.state.as_str());
        self.category.push(t.category.clone());
        self.reported.push(t.reported);
        self.resolved.push(t.resolved);
        self.reacted.push(t.reacted.is_some());
        self.events.push(t.events as i32);
        self.assignee.push(t.assignee.clone());
        self.updated.push(updated);
        self.fold
            .push(serde_json::to_string(t).expect("a ticket serializes"));
    }

    pub(super) fn write(
        &mut self,
        tx: &mut Transaction<'_>,
        insert: &postgres::Statement,
    ) -> Result<(), postgres::Error> {
        tx.execute(
            insert,
            &[
                &self.id,
                &self.municipality,
                &self.state,
                &self.category,
                &self.reported,
                &self.resolved,
                &self.reacted,
                &self.events,
                &self.assignee,
                &self.updated,
                &self.fold,
            ],
        )?;
        *self = TicketRows::default();
        Ok(())
    }
}
