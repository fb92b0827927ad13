//! Bringing a database of an older schema up to this one.

use super::*;

impl SledStore {
    /// Brings a database of an older schema up to this one, then records the schema. Each
    /// step can be run again: a migration stopped half-way is redone on the next open.
    pub(super) fn migrate(&self, found: u32) -> StoreResult<()> {
        if found < 3 {
            self.build_log()?;
        }
        if found < 2 {
            self.build_active()?;
        }
        if found < 4 {
            self.refold_notes()?;
        }
        self.meta
            .insert(SCHEMA, &SLED_SCHEMA_VERSION.to_be_bytes())?;
        self.flush()?;
        Ok(())
    }

    /// Schema 2 → 3: moves the events into blocks of `log` and their positions into the
    /// tickets' states (and the copies in `open`).
    fn build_log(&self) -> StoreResult<()> {
        let events = self.db.open_tree("events")?;
        let by_ticket = self.db.open_tree("by_ticket")?;
        if events.is_empty() {
            // Nothing to move (and never clear a `log` that has no source).
            return Ok(());
        }
        self.log.clear()?;
        let mut batch = Batch::default();
        let mut block = Vec::new();
        let (mut current, mut pending, mut expected) = (0u64, 0usize, 1u64);
        for kv in events.iter() {
            let (k, v) = kv?;
            let pos = read_u64(&k)?;
            if pos != expected {
                return Err(StoreError::Corrupt(format!(
                    "the log has no event {expected}; an event was removed"
                )));
            }
            expected += 1;
            let (b, _) = block_of(pos);
            if b != current {
                batch.insert(&u64_key(current), std::mem::take(&mut block));
                current = b;
                pending += 1;
                if pending >= 5_000 {
                    self.log.apply_batch(std::mem::take(&mut batch))?;
                    pending = 0;
                }
            }
            let (hash, bytes) = split_record(&v)?;
            push_record(&mut block, &hash, bytes);
        }
        if !block.is_empty() {
            batch.insert(&u64_key(current), block);
        }
        self.log.apply_batch(batch)?;
        let mut positions: HashMap<TicketId, Vec<u64>> = HashMap::new();
        for kv in by_ticket.iter() {
            let (k, pos) = kv?;
            positions
                .entry(read_u64(&k)?)
                .or_default()
                .push(read_u64(&pos)?);
        }
        self.rewrite_states(|id, stored| {
            stored.positions = positions.remove(&id).unwrap_or_default();
            Ok(true)
        })
    }

    /// A migration's pass over every ticket's state: `change` mends one in place and says
    /// whether it changed; changed states are written to `tickets` and, when not closed, to
    /// `open`, in batches.
    fn rewrite_states(
        &self,
        mut change: impl FnMut(TicketId, &mut Stored) -> StoreResult<bool>,
    ) -> StoreResult<()> {
        let (mut tk, mut op) = (Batch::default(), Batch::default());
        let mut pending = 0usize;
        for kv in self.tickets.iter() {
            let (k, v) = kv?;
            let mut stored = decode(&v)?;
            if !change(read_u64(&k)?, &mut stored)? {
                continue;
            }
            let bytes = encode(&stored);
            if stored.ticket.state != State::Closed {
                op.insert(&k, bytes.clone());
            }
            tk.insert(&k, bytes);
            pending += 1;
            if pending >= 50_000 {
                self.tickets.apply_batch(std::mem::take(&mut tk))?;
                self.open.apply_batch(std::mem::take(&mut op))?;
                pending = 0;
            }
        }
        self.tickets.apply_batch(tk)?;
        self.open.apply_batch(op)?;
        Ok(())
    }

    /// Schema 3 → 4: the tickets' states carry their notes (for search); fold again from the
    /// log the tickets with a note-bearing step (more than the report and classification).
    fn refold_notes(&self) -> StoreResult<()> {
        self.rewrite_states(|id, stored| {
            if stored.ticket.events <= 2 || !stored.ticket.notes.is_empty() {
                return Ok(false);
            }
            let Some(t) = crate::ticket::fold(&self.events(id)?) else {
                return Ok(false);
            };
            if t.notes.is_empty() {
                return Ok(false);
            }
            stored.ticket.notes = t.notes;
            Ok(true)
        })
    }

    /// Drops schema 2's `events` and `by_ticket` once their contents are in `log` (also when
    /// a migration stopped after recording schema 3).
    pub(super) fn drop_schema_2_trees(&self) -> StoreResult<()> {
        let names = self.db.tree_names();
        let mut dropped = false;
        for name in ["events", "by_ticket"] {
            if names.iter().any(|n| n.as_ref() == name.as_bytes()) {
                self.db.drop_tree(name)?;
                dropped = true;
            }
        }
        if dropped {
            self.flush()?;
        }
        Ok(())
    }

    /// Schema 1 → 2: indexes every ticket by its active months and keeps the state of those
    /// not closed in `open`.
    fn build_active(&self) -> StoreResult<()> {
        self.active.clear()?;
        let mut b = Batch::default();
        let mut pending = 0usize;
        let mut open = Batch::default();
        for kv in self.tickets.iter() {
            let (id, v) = kv?;
            let ticket = decode(&v)?.ticket;
            if ticket.state != State::Closed {
                open.insert(id, v);
            }
            for k in active_keys(&ticket) {
                b.insert(&k, &[]);
                pending += 1;
            }
            if pending >= 50_000 {
                self.active.apply_batch(std::mem::take(&mut b))?;
                pending = 0;
            }
        }
        self.active.apply_batch(b)?;
        self.open.apply_batch(open)?;
        Ok(())
    }
}
