//! The audit chain: one chain over every event in the order it was appended. Each link is
//! `SHA-256(previous hash ‖ canonical bytes of the event)`, so an edited, deleted, inserted or
//! reordered event breaks every later link. The canonical bytes are the serde_json encoding of
//! [`Event`] (field order fixed by the struct).

use super::{Break, VerifyOutcome};
use crate::contact::Book;
use crate::ticket::{fold, Event, EventKind, Ticket, TicketId, LOG_STREAM};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub type Hash = [u8; 32];

/// The hash before the first event.
pub const GENESIS: Hash = [0; 32];

/// The canonical bytes of an event: what is hashed and stored.
pub fn canonical(ev: &Event) -> Vec<u8> {
    serde_json::to_vec(ev).expect("an Event always serializes")
}

/// The next link of the chain.
pub fn link(prev: &Hash, bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(bytes);
    h.finalize().into()
}

/// One event of the log with its place in the chain: a line of `frist export`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the log, 1-based.
    pub n: u64,
    /// The link's hash, hex.
    #[serde(with = "hex_hash")]
    pub hash: Hash,
    pub event: Event,
}

mod hex_hash {
    use super::Hash;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out)
            .map_err(|e| D::Error::custom(format!("hash '{s}': {e}")))?;
        Ok(out)
    }
}

/// Checks a sequence of records as a log: the chain links, the positions count up from 1, and
/// each ticket's events start with `reported` and number 0, 1, 2, … Returns the folded tickets.
pub struct Checker {
    prev: Hash,
    n: u64,
    pub tickets: HashMap<TicketId, Ticket>,
    /// How many events the log's own stream ([`LOG_STREAM`]) holds.
    pub stream: u32,
    /// The contacts, folded from the log's own stream.
    pub book: Book,
}

impl Default for Checker {
    fn default() -> Self {
        Checker {
            prev: GENESIS,
            n: 0,
            tickets: HashMap::new(),
            stream: 0,
            book: Book::default(),
        }
    }
}

impl Checker {
    /// The hash of the last link checked.
    pub fn head(&self) -> (u64, Hash) {
        (self.n, self.prev)
    }

    /// Checks the next event given its stored bytes and stored hash.
    pub fn next_bytes(
        &mut self,
        position: u64,
        stored: &Hash,
        bytes: &[u8],
    ) -> Result<Event, Break> {
        let brk = |ticket: Option<TicketId>, event: Option<u32>, what: String| Break {
            position: Some(position),
            ticket,
            event,
            what,
        };
        if position != self.n + 1 {
            return Err(brk(
                None,
                None,
                format!(
                    "expected event number {} in the log, found {position}: an event is missing or out of order",
                    self.n + 1
                ),
            ));
        }
        let ev: Event = serde_json::from_slice(bytes)
            .map_err(|e| brk(None, None, format!("the stored event cannot be read: {e}")))?;
        let computed = link(&self.prev, bytes);
        if &computed != stored {
            return Err(brk(
                Some(ev.ticket),
                Some(ev.seq),
                format!(
                    "hash differs: stored {}, computed {} — the event or one before it was changed, removed or reordered",
                    short(stored),
                    short(&computed)
                ),
            ));
        }
        if canonical(&ev) != bytes {
            return Err(brk(
                Some(ev.ticket),
                Some(ev.seq),
                "the stored bytes are not the event's canonical form".into(),
            ));
        }
        self.structure(&ev)
            .map_err(|w| brk(Some(ev.ticket), Some(ev.seq), w))?;
        self.prev = computed;
        self.n = position;
        Ok(ev)
    }

    /// Checks the next record (an export line): recomputes its canonical bytes and the link.
    pub fn next_record(&mut self, r: &Record) -> Result<(), Break> {
        let bytes = canonical(&r.event);
        self.next_bytes(r.n, &r.hash, &bytes).map(|_| ())
    }

    /// Appends an event without a stored hash (building the chain), checking its place.
    pub fn push(&mut self, ev: &Event) -> Result<(u64, Hash, Vec<u8>), Break> {
        let bytes = canonical(ev);
        let hash = link(&self.prev, &bytes);
        let n = self.n + 1;
        self.next_bytes(n, &hash, &bytes)?;
        Ok((n, hash, bytes))
    }

    fn structure(&mut self, ev: &Event) -> Result<(), String> {
        if ev.ticket == LOG_STREAM {
            if !ev.kind.is_log_level() {
                return Err(format!(
                    "a '{}' event in the log's own stream, where only contacts belong",
                    ev.kind.name()
                ));
            }
            if ev.seq != self.stream {
                return Err(format!(
                    "the log's own stream has event number {} where {} was expected",
                    ev.seq, self.stream
                ));
            }
            self.stream += 1;
            self.book.apply(ev);
            return Ok(());
        }
        if ev.kind.is_log_level() {
            return Err(format!(
                "a '{}' event on ticket {}: it belongs to the log's own stream",
                ev.kind.name(),
                ev.ticket
            ));
        }
        match (&ev.kind, self.tickets.get_mut(&ev.ticket)) {
            (EventKind::Reported { .. }, None) if ev.seq == 0 => {
                let t = fold(std::slice::from_ref(ev)).ok_or("cannot fold the report")?;
                self.tickets.insert(ev.ticket, t);
                Ok(())
            }
            (EventKind::Reported { .. }, None) => Err(format!(
                "the report of ticket {} has number {}, not 0",
                ev.ticket, ev.seq
            )),
            (EventKind::Reported { .. }, Some(_)) => {
                Err(format!("ticket {} is reported twice", ev.ticket))
            }
            (_, None) => Err(format!(
                "event of ticket {} comes before the ticket's report",
                ev.ticket
            )),
            (_, Some(t)) if ev.seq != t.events => Err(format!(
                "ticket {} has event number {} where {} was expected",
                ev.ticket, ev.seq, t.events
            )),
            (_, Some(t)) => {
                t.apply(ev);
                Ok(())
            }
        }
    }

    /// The outcome once every event was checked.
    pub fn outcome(&self) -> VerifyOutcome {
        VerifyOutcome::Intact {
            events: self.n,
            tickets: self.tickets.len() as u64,
        }
    }
}

/// The first 12 hex digits, enough to tell hashes apart in a message.
pub fn short(h: &Hash) -> String {
    hex::encode(&h[..6])
}
