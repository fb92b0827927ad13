//! The [`Store`] trait on the embedded log's files.

use super::*;
use crate::contact::Book;
use crate::contract::version::ContractVersion;
use crate::sla::Measurement;
use crate::store::{Filter, NewTicket, Store, VerifyOutcome};
use crate::ticket::{Event, EventKind, LOG_STREAM};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::io::{BufReader, Read, Seek, SeekFrom};

impl LocalStore {
    /// The events at these log positions (a ticket's or the log stream's, `id`).
    fn read_at(&self, o: &Open, id: TicketId, positions: &[u64]) -> StoreResult<Vec<Event>> {
        let Some(f) = &o.files else {
            return Ok(Vec::new());
        };
        f.offsets(positions, o.head.events)?
            .into_iter()
            .map(|off| {
                let (_, bytes) = f.event_record(off, o.head.lens.events)?;
                serde_json::from_slice(&bytes)
                    .map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))
            })
            .collect()
    }

    /// The tickets whose slots pass `keep` and whose states pass `also`, read in the order of
    /// their states on disk.
    fn load_where(
        &self,
        keep: impl Fn(&Slot) -> bool,
        also: impl Fn(&Stored) -> bool,
    ) -> StoreResult<Vec<Ticket>> {
        let o = self.state();
        let mut slots: Vec<(TicketId, Slot)> = self
            .all_slots(&o)?
            .into_iter()
            .filter(|(_, s)| keep(s))
            .collect();
        slots.sort_unstable_by_key(|(_, s)| s.off);
        let f = o.files.as_ref().ok_or_else(|| cut("the states"))?;
        let mut out = Vec::with_capacity(slots.len());
        for (id, s) in &slots {
            let stored = f.state(*id, s)?;
            if also(&stored) {
                out.push(stored.ticket);
            }
        }
        out.sort_unstable_by_key(|t| t.id);
        Ok(out)
    }

    /// The tickets with an event after log position `seen`, and the log's head. Reads only the
    /// events from `seen` on.
    pub fn changed_since(&self, seen: u64) -> StoreResult<(u64, Vec<TicketId>)> {
        #[derive(serde::Deserialize)]
        struct Only {
            ticket: TicketId,
        }
        let o = self.state();
        let head = o.head.events;
        let Some(f) = o.files.as_ref().filter(|_| seen < head) else {
            return Ok((head, Vec::new()));
        };
        let mut ids = std::collections::BTreeSet::new();
        let start = f.offsets(&[seen + 1], head)?[0];
        let mut r = BufReader::new(&f.events);
        r.seek(SeekFrom::Start(start)).map_err(io)?;
        for n in seen + 1..=head {
            let (_, bytes) = next_record(&mut r, n)?;
            let e: Only = serde_json::from_slice(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("event {n}: {e}")))?;
            ids.insert(e.ticket);
        }
        ids.remove(&LOG_STREAM);
        Ok((head, ids.into_iter().collect()))
    }
}

/// More bytes than any event holds (a mail's raw bytes included): a length beyond it is
/// damage, not something to allocate.
const MAX_EVENT: usize = 1 << 28;

/// Reads the next event record from a reader over `events`.
pub(super) fn next_record(r: &mut impl Read, n: u64) -> StoreResult<(Hash, Vec<u8>)> {
    let short = |_| StoreError::Corrupt(format!("event {n}: the log's events are cut short"));
    let mut h = [0u8; 36];
    r.read_exact(&mut h).map_err(short)?;
    let len = u32::from_be_bytes(h[..4].try_into().expect("4 bytes")) as usize;
    if len > MAX_EVENT {
        return Err(StoreError::Corrupt(format!(
            "event {n}: a record of {len} bytes, more than an event can be"
        )));
    }
    let mut hash = [0u8; 32];
    hash.copy_from_slice(&h[4..]);
    let mut bytes = vec![0u8; len];
    r.read_exact(&mut bytes).map_err(short)?;
    Ok((hash, bytes))
}

impl Store for LocalStore {
    fn create_many(
        &self,
        new: &[NewTicket],
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<Vec<Ticket>> {
        self.write(|s, _, tx| {
            let mut known: HashSet<String> =
                read_lines::<String>(&s.path, &tx.head.lens, MUNICIPALITIES)?
                    .into_iter()
                    .collect();
            let mut id = tx.head.next_id;
            let mut out = Vec::with_capacity(new.len());
            for n in new {
                let (events, ticket) = n.first(id, user, recorded)?;
                let positions = events.iter().map(|e| tx.event(e)).collect();
                if known.insert(ticket.municipality.clone()) {
                    tx.line(MUNICIPALITIES, &ticket.municipality);
                }
                tx.state(
                    id,
                    &Stored {
                        ticket: ticket.clone(),
                        breach_months: Vec::new(),
                        positions,
                    },
                );
                id += 1;
                out.push(ticket);
            }
            tx.head.next_id = id;
            Ok(out)
        })
    }

    fn append(
        &self,
        id: TicketId,
        kind: EventKind,
        user: &str,
        recorded: DateTime<Utc>,
        effective: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let known = crate::store::retraction_known(self, id, &kind)?;
        self.write(|s, o, tx| {
            let Some(mut stored) = s.stored_in(o, id)? else {
                return Err(StoreError::UnknownTicket(id));
            };
            let event = crate::store::next_event(
                &stored.ticket,
                kind,
                known,
                user,
                recorded,
                effective,
                now,
            )?;
            stored.positions.push(tx.event(&event));
            stored.ticket.apply(&event);
            stored.breach_months = s.months(&stored.ticket);
            tx.state(id, &stored);
            Ok(stored.ticket)
        })
    }

    fn append_log(
        &self,
        kind: EventKind,
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<Event> {
        crate::store::log_level_only(&kind)?;
        self.write(|_, _, tx| {
            let mut book = Book {
                contacts: std::mem::take(&mut tx.head.stream.contacts),
            };
            book.check(&kind).map_err(StoreError::Contact)?;
            let event = Event {
                ticket: LOG_STREAM,
                seq: tx.head.stream.positions.len() as u32,
                user: user.to_string(),
                recorded,
                effective: recorded,
                kind,
            };
            let pos = tx.event(&event);
            tx.head.stream.positions.push(pos);
            book.apply(&event);
            tx.head.stream.contacts = book.contacts;
            Ok(event)
        })
    }

    fn find_message(&self, message_id: &str) -> StoreResult<Vec<(TicketId, u32)>> {
        let o = self.state();
        Ok(
            read_lines::<(String, TicketId, u32)>(&self.path, &o.head.lens, MESSAGES)?
                .into_iter()
                .filter(|(m, _, _)| m == message_id)
                .map(|(_, t, s)| (t, s))
                .collect(),
        )
    }

    fn log_events(&self) -> StoreResult<Vec<Event>> {
        let o = self.state();
        self.read_at(&o, LOG_STREAM, &o.head.stream.positions)
    }

    fn contacts(&self, municipality: Option<&str>) -> StoreResult<Vec<crate::contact::Contact>> {
        let o = self.state();
        Ok(Book {
            contacts: o.head.stream.contacts.clone(),
        }
        .of(municipality))
    }

    fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        Ok(self.stored(id)?.map(|s| s.ticket))
    }

    fn events(&self, id: TicketId) -> StoreResult<Vec<Event>> {
        let o = self.state();
        let Some(stored) = self.stored_in(&o, id)? else {
            return Ok(Vec::new());
        };
        self.read_at(&o, id, &stored.positions)
    }

    fn tickets(&self, filter: Filter) -> StoreResult<Vec<Ticket>> {
        match filter {
            Filter::All => self.load_where(|_| true, |_| true),
            Filter::Closed => self.load_where(|s| !s.open, |_| true),
            Filter::NotClosed => self.load_where(|s| s.open, |_| true),
            Filter::Unresolved => self.load_where(|s| s.open && s.to == UNRESOLVED, |_| true),
            Filter::BreachCandidates(month) => {
                let hit = |s: &Slot| match month {
                    Some(m) => s.bmin <= m && m <= s.bmax,
                    None => s.bmax != 0,
                };
                // The slot knows the first and last breach month; the state knows them all.
                self.load_where(
                    |s| s.open || hit(s),
                    |s| {
                        s.ticket.state != crate::ticket::State::Closed
                            || month.is_none_or(|m| s.breach_months.contains(&m))
                    },
                )
            }
            Filter::Active { from, to } => {
                let (first, last) = (utc_month(from), utc_month(to));
                Ok(self
                    .load_where(|s| s.from <= last && s.to >= first, |_| true)?
                    .into_iter()
                    .filter(|t| t.reported < to && t.resolved.is_none_or(|r| r >= from))
                    .collect())
            }
        }
    }

    fn for_each_event(
        &self,
        f: &mut dyn FnMut(&chain::Record) -> StoreResult<()>,
    ) -> StoreResult<()> {
        // Read through a file of its own, without holding the store: `f` may read it too.
        let (events, len) = {
            let o = self.state();
            (o.head.events, o.head.lens.events)
        };
        if events == 0 {
            return Ok(());
        }
        let file = file(&self.path, EVENTS, false).map_err(io)?;
        let mut r = BufReader::with_capacity(1 << 20, file.take(len));
        for n in 1..=events {
            let (hash, bytes) = next_record(&mut r, n)?;
            let event: Event = serde_json::from_slice(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("event {n}: {e}")))?;
            f(&chain::Record { n, hash, event })?;
        }
        Ok(())
    }

    fn link_at(&self, n: u64) -> StoreResult<Option<Hash>> {
        let o = self.state();
        let Some(f) = o.files.as_ref().filter(|_| n > 0 && n <= o.head.events) else {
            return Ok(None);
        };
        let off = f.offsets(&[n], o.head.events)?[0];
        Ok(Some(f.event_record(off, o.head.lens.events)?.0))
    }

    fn head(&self) -> StoreResult<(u64, Hash)> {
        let n = self.state().head.events;
        match self.link_at(n)? {
            Some(h) => Ok((n, h)),
            None => Ok((0, GENESIS)),
        }
    }

    fn is_empty(&self) -> StoreResult<bool> {
        let o = self.state();
        Ok(o.head.events == 0 && o.head.next_id == 1)
    }

    fn municipalities(&self) -> StoreResult<Vec<String>> {
        let o = self.state();
        let mut m: Vec<String> = read_lines(&self.path, &o.head.lens, MUNICIPALITIES)?;
        m.sort();
        m.dedup();
        Ok(m)
    }

    fn import(&self, events: &mut dyn Iterator<Item = Event>) -> StoreResult<u64> {
        let mut load = self.bulk()?;
        for ev in events {
            if let Err(e) = load.push(&ev) {
                load.abandon();
                return Err(e);
            }
        }
        load.finish()
    }

    fn verify(&self) -> StoreResult<VerifyOutcome> {
        self.verify_files()
    }

    fn classifier_model(&self) -> StoreResult<Option<Vec<u8>>> {
        match std::fs::read(self.path.join(MODEL)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    fn set_classifier_model(&self, json: &[u8]) -> StoreResult<()> {
        // Replaced whole by a rename; not part of the chain, so no head to commit.
        let mut o = self.state();
        self.exclusive(&mut o)?;
        write_model(&self.path, json)
    }

    fn add_measurements(&self, ms: &[Measurement]) -> StoreResult<()> {
        self.write(|_, _, tx| {
            for m in ms {
                tx.line(MEASUREMENTS, m);
            }
            Ok(())
        })
    }

    fn measurements(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Measurement>> {
        let o = self.state();
        let mut m: Vec<Measurement> = read_lines(&self.path, &o.head.lens, MEASUREMENTS)?;
        m.retain(|m| m.at >= from && m.at < to);
        m.sort_by_key(|m| m.at);
        Ok(m)
    }

    fn contract_versions(&self) -> StoreResult<Vec<ContractVersion>> {
        let o = self.state();
        read_lines(&self.path, &o.head.lens, CONTRACTS)
    }

    fn add_contract_version(&self, v: &ContractVersion) -> StoreResult<()> {
        self.write(|_, _, tx| {
            tx.line(CONTRACTS, v);
            Ok(())
        })
    }
}
