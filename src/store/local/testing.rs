//! Ways to damage a log on purpose, for tests of `verify` and of damaged logs.

use super::*;
use std::os::unix::fs::FileExt;

impl LocalStore {
    /// The canonical bytes of the event at log position `pos`.
    pub fn raw_event(&self, pos: u64) -> StoreResult<Option<Vec<u8>>> {
        let o = self.state();
        let Some(f) = o.files.as_ref().filter(|_| pos > 0 && pos <= o.head.events) else {
            return Ok(None);
        };
        let off = f.offsets(&[pos], o.head.events)?[0];
        Ok(Some(f.event_record(off, o.head.lens.events)?.1))
    }

    /// Overwrites the canonical bytes of the event at `pos` in place with `bytes` of the same
    /// length (a tamperer who keeps the file's shape).
    pub fn tamper_event(&self, pos: u64, bytes: &[u8]) -> StoreResult<()> {
        let o = self.state();
        let f = o.files.as_ref().ok_or_else(|| cut("the events"))?;
        let off = f.offsets(&[pos], o.head.events)?[0];
        let (_, old) = f.event_record(off, o.head.lens.events)?;
        assert_eq!(old.len(), bytes.len(), "a tamperer keeps the length");
        let w = file(&self.path, EVENTS, true).map_err(io)?;
        w.write_all_at(bytes, off + 36).map_err(io)
    }

    /// Replaces a ticket's stored state with `stored` changed by `change` (a new state record
    /// and its slot, committed as a write would, but without an event).
    pub fn tamper_state(&self, id: TicketId, change: impl FnOnce(&mut Ticket)) -> StoreResult<()> {
        self.write(|s, o, tx| {
            let mut stored = s.stored_in(o, id)?.ok_or(StoreError::UnknownTicket(id))?;
            change(&mut stored.ticket);
            tx.state(id, &stored);
            Ok(())
        })
    }

    /// Drops the last `n` log positions from a ticket's state (its state no longer points at
    /// all of its events).
    pub fn tamper_positions(&self, id: TicketId, n: usize) -> StoreResult<()> {
        self.write(|s, o, tx| {
            let mut stored = s.stored_in(o, id)?.ok_or(StoreError::UnknownTicket(id))?;
            let keep = stored.positions.len().saturating_sub(n);
            stored.positions.truncate(keep);
            tx.state(id, &stored);
            Ok(())
        })
    }

    /// Sets the committed head's event count and hash (a tamperer who removes the last events
    /// and fixes the head).
    pub fn tamper_head(&self, events: u64, hash: Hash) -> StoreResult<()> {
        let mut o = self.state();
        self.exclusive(&mut o)?;
        o.head.events = events;
        o.head.hash = hash;
        o.head.lens.pos = events * 8;
        write_head(&self.path, &o.head)
    }
}
