//! Bulk loads (import, demo, moving a sled log here) and `verify`, streamed: each holds a
//! bounded number of tickets, not the log.

use super::store_impl::next_record;
use super::*;
use crate::store::{Break, VerifyOutcome};
use crate::ticket::{Event, LOG_STREAM};
use chain::Checker;
use std::collections::HashSet;
use std::io::{BufReader, BufWriter, Read, Write};

/// How many folded tickets a bulk load holds before it writes their states out. A ticket
/// with more events later is read back (its state written twice); a log's tickets mostly end
/// before many others begin.
const HELD: usize = 50_000;

/// A bulk load into an empty log: events go straight to disk; nothing is committed until
/// [`Bulk::finish`]. A process killed meanwhile leaves the log marked as interrupted.
pub(super) struct Bulk<'a> {
    store: &'a LocalStore,
    pub(super) o: MutexGuard<'a, Open>,
    checker: Checker,
    events: BufWriter<File>,
    events_len: u64,
    pos: BufWriter<File>,
    states: BufWriter<File>,
    states_len: u64,
    messages: BufWriter<File>,
    messages_len: u64,
    /// The log positions of the held tickets' events.
    positions: HashMap<TicketId, Vec<u64>>,
    /// Where the states written out are.
    slots: HashMap<TicketId, Slot>,
    stream: Vec<u64>,
    municipalities: HashSet<String>,
    scratch: Vec<u8>,
}

impl LocalStore {
    /// Starts a bulk load; refuses a log that is not empty.
    pub(super) fn bulk(&self) -> StoreResult<Bulk<'_>> {
        let mut o = self.state();
        self.exclusive(&mut o)?;
        if !(o.head.events == 0 && o.head.next_id == 1) {
            return Err(StoreError::NotEmpty);
        }
        let marked = Head {
            bulk: true,
            ..o.head.clone()
        };
        write_head(&self.path, &marked)?;
        let fresh = |name: &str| -> StoreResult<File> {
            let f = file(&self.path, name, true).map_err(io)?;
            f.set_len(0).map_err(io)?;
            Ok(f)
        };
        let big = |f: File| BufWriter::with_capacity(1 << 20, f);
        fresh(SLOTS)?;
        fresh(MUNICIPALITIES)?;
        Ok(Bulk {
            store: self,
            checker: Checker::default(),
            events: big(fresh(EVENTS)?),
            events_len: 0,
            pos: big(fresh(POS)?),
            states: big(fresh(STATES)?),
            states_len: 0,
            messages: big(fresh(MESSAGES)?),
            messages_len: 0,
            positions: HashMap::new(),
            slots: HashMap::new(),
            stream: Vec::new(),
            municipalities: HashSet::new(),
            scratch: Vec::new(),
            o,
        })
    }
}

impl Bulk<'_> {
    /// Links the next event into the chain and writes it; returns its hash.
    pub fn push(&mut self, ev: &Event) -> StoreResult<Hash> {
        let id = ev.ticket;
        if id != LOG_STREAM && !self.checker.tickets.contains_key(&id) {
            if let Some(slot) = self.slots.get(&id).copied() {
                // Written out earlier: read it back.
                self.states.flush().map_err(io)?;
                let f = self.o.files.as_ref().expect("a writer has its files open");
                let stored = f.state(id, &slot)?;
                self.checker.tickets.insert(id, stored.ticket);
                self.positions.insert(id, stored.positions);
            }
        }
        let (n, hash, bytes) = self
            .checker
            .push(ev)
            .map_err(|b| StoreError::BadInput(b.what))?;
        self.scratch.clear();
        encode_event(&hash, &bytes, &mut self.scratch);
        self.events.write_all(&self.scratch).map_err(io)?;
        self.pos
            .write_all(&self.events_len.to_be_bytes())
            .map_err(io)?;
        self.events_len += self.scratch.len() as u64;
        if id == LOG_STREAM {
            self.stream.push(n);
        } else {
            self.positions.entry(id).or_default().push(n);
        }
        if let Some(m) = crate::mail::message_id_of(&ev.kind) {
            let mut line = serde_json::to_vec(&(m, id, ev.seq)).expect("a line serializes");
            line.push(b'\n');
            self.messages.write_all(&line).map_err(io)?;
            self.messages_len += line.len() as u64;
        }
        if self.checker.tickets.len() >= HELD {
            self.write_out()?;
        }
        Ok(hash)
    }

    /// Writes the held tickets' states out and lets go of them.
    fn write_out(&mut self) -> StoreResult<()> {
        let mut held: Vec<(TicketId, Ticket)> = self.checker.tickets.drain().collect();
        held.sort_unstable_by_key(|(id, _)| *id);
        for (id, ticket) in held {
            if !self.municipalities.contains(&ticket.municipality) {
                self.municipalities.insert(ticket.municipality.clone());
            }
            let stored = Stored {
                breach_months: self.store.months(&ticket),
                positions: self.positions.remove(&id).unwrap_or_default(),
                ticket,
            };
            self.scratch.clear();
            let len = encode_state(id, &stored, &mut self.scratch);
            self.states.write_all(&self.scratch).map_err(io)?;
            self.slots
                .insert(id, Slot::of(self.states_len, len, &stored));
            self.states_len += len as u64;
        }
        Ok(())
    }

    /// Writes the index and the head: the load is committed.
    pub fn finish(mut self) -> StoreResult<u64> {
        self.write_out()?;
        let path = self.store.path.clone();
        let mut slots: Vec<(TicketId, Slot)> =
            std::mem::take(&mut self.slots).into_iter().collect();
        slots.sort_unstable_by_key(|(id, _)| *id);
        let max_id = slots.last().map_or(0, |(id, _)| *id);
        {
            let mut w = BufWriter::with_capacity(1 << 20, file(&path, SLOTS, true).map_err(io)?);
            for (id, s) in &slots {
                w.write_all(&Slot::entry(*id, s)).map_err(io)?;
            }
            w.into_inner()
                .map_err(|e| io(e.into_error()))?
                .sync_data()
                .map_err(io)?;
        }
        let mut names: Vec<&String> = self.municipalities.iter().collect();
        names.sort();
        let mut m = Vec::new();
        for n in names {
            serde_json::to_writer(&mut m, n).expect("a name serializes");
            m.push(b'\n');
        }
        let mf = file(&path, MUNICIPALITIES, true).map_err(io)?;
        super::at::At::write_all_at(&mf, &m, 0).map_err(io)?;
        mf.sync_data().map_err(io)?;
        for w in [
            &mut self.events,
            &mut self.pos,
            &mut self.states,
            &mut self.messages,
        ] {
            w.flush().map_err(io)?;
            w.get_ref().sync_data().map_err(io)?;
        }
        let (n, hash) = self.checker.head();
        let before = self.o.head.lens.clone();
        let head = Head {
            layout: LAYOUT,
            events: n,
            hash,
            next_id: max_id + 1,
            lens: Lens {
                events: self.events_len,
                pos: n * 8,
                states: self.states_len,
                slots_from: self.states_len,
                municipalities: m.len() as u64,
                messages: self.messages_len,
                contracts: before.contracts,
                measurements: before.measurements,
            },
            stream: Stream {
                positions: std::mem::take(&mut self.stream),
                contacts: std::mem::take(&mut self.checker.book.contacts),
            },
            bulk: false,
        };
        write_head(&path, &head)?;
        self.o.head = head;
        self.o.overlay.clear();
        tx::publish_head(&path, n);
        Ok(n)
    }

    /// Gives up: the log is left empty, as it was.
    pub fn abandon(self) {
        let path = self.store.path.clone();
        for name in [EVENTS, POS, STATES, SLOTS, MESSAGES, MUNICIPALITIES] {
            if let Ok(f) = file(&path, name, true) {
                let _ = f.set_len(0);
            }
        }
        let _ = write_head(&path, &self.o.head);
    }
}

/// Where `verify` found the log broken.
fn broken(ticket: Option<TicketId>, position: Option<u64>, what: &str) -> VerifyOutcome {
    VerifyOutcome::Broken(Break {
        position,
        ticket,
        event: None,
        what: what.to_string(),
    })
}

impl LocalStore {
    /// Walks the chain once, in order, checking every link and folding each ticket; a ticket's
    /// fold is compared with its stored state as soon as its last event has gone by, so only
    /// the tickets under way are held.
    pub(super) fn verify_files(&self) -> StoreResult<VerifyOutcome> {
        let o = self.state();
        let Some(files) = &o.files else {
            return Ok(VerifyOutcome::Intact {
                events: 0,
                tickets: 0,
            });
        };
        // Each ticket's state: how many events it lists, and its index entry.
        let mut expect: HashMap<TicketId, (Slot, u32)> = HashMap::new();
        let slots = match self.all_slots(&o) {
            Ok(s) => s,
            Err(e) => return Ok(broken(None, None, &e.to_string())),
        };
        for (id, slot) in slots {
            let stored = match files.state(id, &slot) {
                Ok(s) => s,
                Err(e) => return Ok(broken(Some(id), None, &e.to_string())),
            };
            if Slot::of(slot.off, slot.len, &stored) != slot || stored.ticket.id != id {
                return Ok(broken(
                    Some(id),
                    None,
                    "the index disagrees with the ticket's state",
                ));
            }
            expect.insert(id, (slot, stored.positions.len() as u32));
        }
        let mut checker = Checker::default();
        let mut positions: HashMap<TicketId, Vec<u64>> = HashMap::new();
        let mut done: HashSet<TicketId> = HashSet::new();
        let mut stream = Vec::new();
        let open = |name| file(&self.path, name, false).map_err(io);
        let mut events = BufReader::with_capacity(1 << 20, open(EVENTS)?.take(o.head.lens.events));
        let mut pos = BufReader::with_capacity(1 << 16, open(POS)?.take(o.head.lens.pos));
        let mut offset = 0u64;
        for n in 1..=o.head.events {
            let mut at = [0u8; 8];
            let (hash, bytes) = match (pos.read_exact(&mut at), next_record(&mut events, n)) {
                (Ok(()), Ok(r)) => r,
                (_, Err(e)) => return Ok(broken(None, Some(n), &e.to_string())),
                (Err(_), _) => {
                    return Ok(broken(None, Some(n), "the event positions are cut short"))
                }
            };
            if u64::from_be_bytes(at) != offset {
                return Ok(broken(
                    None,
                    Some(n),
                    "the index of event positions does not point at the event",
                ));
            }
            offset += 36 + bytes.len() as u64;
            let ev = match checker.next_bytes(n, &hash, &bytes) {
                Ok(ev) => ev,
                Err(mut b) => {
                    if b.ticket.is_some_and(|t| done.contains(&t)) {
                        b.what =
                            "the ticket has more events in the log than its state lists".into();
                    }
                    return Ok(VerifyOutcome::Broken(b));
                }
            };
            let id = ev.ticket;
            if id == LOG_STREAM {
                stream.push(n);
                continue;
            }
            if done.contains(&id) {
                return Ok(broken(
                    Some(id),
                    Some(n),
                    "the ticket has more events in the log than its state lists",
                ));
            }
            let Some(&(slot, want)) = expect.get(&id) else {
                return Ok(broken(
                    Some(id),
                    Some(n),
                    "a ticket in the log has no stored state",
                ));
            };
            let p = positions.entry(id).or_default();
            p.push(n);
            if p.len() as u32 == want {
                let p = positions.remove(&id).unwrap_or_default();
                let folded = checker.tickets.remove(&id);
                let stored = files.state(id, &slot)?;
                if stored.positions != p {
                    return Ok(broken(
                        Some(id),
                        None,
                        "the ticket's state does not point at its events in the log",
                    ));
                }
                if folded.as_ref() != Some(&stored.ticket) {
                    return Ok(broken(
                        Some(id),
                        None,
                        "the stored state differs from the fold of the ticket's events",
                    ));
                }
                done.insert(id);
            }
        }
        if let Some(id) = positions.keys().min() {
            return Ok(broken(
                Some(*id),
                None,
                "the ticket's state does not point at its events in the log",
            ));
        }
        if let Some(id) = expect.keys().filter(|id| !done.contains(id)).min() {
            return Ok(broken(
                Some(*id),
                None,
                "a ticket state without events in the log",
            ));
        }
        let (n, hash) = checker.head();
        if (n, hash) != (o.head.events, o.head.hash) {
            return Ok(broken(
                None,
                None,
                &format!(
                    "the log ends at event {n} ({}) but the recorded head is event {} ({}): events at the end were removed or the head was changed",
                    chain::short(&hash),
                    o.head.events,
                    chain::short(&o.head.hash)
                ),
            ));
        }
        if stream != o.head.stream.positions {
            return Ok(broken(
                Some(LOG_STREAM),
                None,
                "the log's own stream (contacts) does not point at its events in the log",
            ));
        }
        if checker.book.contacts != o.head.stream.contacts {
            return Ok(broken(
                Some(LOG_STREAM),
                None,
                "the stored contacts differ from the fold of the log's contact events",
            ));
        }
        Ok(checker.outcome())
    }
}
