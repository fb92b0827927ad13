//! Ways to change a log behind frist's back, as a tamperer with the files would: for the
//! tests of `verify` and of damaged logs. Nothing in frist calls them.

use super::*;

impl LocalStore {
    /// The record of the event at log position `pos`: its hash (32 bytes) ‖ its canonical
    /// bytes.
    pub fn raw_event(&self, pos: u64) -> StoreResult<Option<Vec<u8>>> {
        let o = self.state();
        let Some(f) = o.files.as_ref().filter(|_| pos > 0 && pos <= o.head.events) else {
            return Ok(None);
        };
        let off = f.offsets(&[pos], o.head.events)?[0];
        let (hash, bytes) = f.event_record(off, o.head.lens.events)?;
        Ok(Some([&hash[..], &bytes].concat()))
    }

    /// Replaces the record at `pos` (hash ‖ bytes, as [`LocalStore::raw_event`] gives it) or
    /// removes it (`None`), rewriting the events and their offsets around it; the head and
    /// the states are left as they are.
    pub fn tamper_event(&self, pos: u64, record: Option<&[u8]>) -> StoreResult<()> {
        let mut o = self.state();
        self.exclusive(&mut o)?;
        let f = o.files.as_ref().ok_or_else(|| cut("the events"))?;
        let mut events = Vec::new();
        let mut offsets = Vec::new();
        let all: Vec<u64> = (1..=o.head.events).collect();
        for (n, off) in (1..).zip(f.offsets(&all, o.head.events)?) {
            let (hash, bytes) = f.event_record(off, o.head.lens.events)?;
            let rec = match (n == pos, record) {
                (true, None) => continue,
                (true, Some(r)) => r.to_vec(),
                (false, _) => [&hash[..], &bytes].concat(),
            };
            offsets.extend_from_slice(&(events.len() as u64).to_be_bytes());
            encode_event(
                rec[..32].try_into().expect("a record starts with its hash"),
                &rec[32..],
                &mut events,
            );
        }
        std::fs::write(self.path.join(EVENTS), &events).map_err(io)?;
        std::fs::write(self.path.join(POS), &offsets).map_err(io)?;
        o.head.lens.events = events.len() as u64;
        o.head.lens.pos = offsets.len() as u64;
        write_head(&self.path, &o.head)
    }

    /// Changes the committed head as JSON.
    pub fn tamper_head(&self, change: impl FnOnce(&mut serde_json::Value)) -> StoreResult<()> {
        let mut o = self.state();
        self.exclusive(&mut o)?;
        let mut v = serde_json::to_value(&o.head).expect("a head serializes");
        change(&mut v);
        let bytes = serde_json::to_vec(&v).expect("a value serializes");
        files::replace(&self.path, HEAD, "head.tmp", &bytes)?;
        if let Ok(h) = serde_json::from_value(v) {
            o.head = h;
        }
        Ok(())
    }

    /// Replaces a ticket's stored state, changed by `change`, as a write would but without
    /// an event.
    pub fn tamper_state(&self, id: TicketId, change: impl FnOnce(&mut Ticket)) -> StoreResult<()> {
        self.write(|s, o, tx| {
            let mut stored = s.stored_in(o, id)?.ok_or(StoreError::UnknownTicket(id))?;
            change(&mut stored.ticket);
            tx.state(id, &stored);
            Ok(())
        })
    }
}
