//! Doors behind the program's back, for tests that tamper with the log.

use super::*;

impl SledStore {
    /// Writes a raw value into a tree, bypassing every rule. Only for tests that tamper with
    /// the log behind the program's back.
    #[doc(hidden)]
    pub fn tamper(&self, tree: &str, key: &[u8], value: Option<&[u8]>) -> StoreResult<()> {
        let t = self.db.open_tree(tree)?;
        match value {
            Some(v) => t.insert(key, v)?,
            None => t.remove(key)?,
        };
        self.db.flush()?;
        Ok(())
    }

    /// Puts the database back in schema 2's layout: one key per event in `events`, the index
    /// `by_ticket`, no positions in the states. Only for tests of the migration.
    #[doc(hidden)]
    pub fn downgrade_to_schema_2(&self) -> StoreResult<()> {
        let (events, by_ticket) = (
            self.db.open_tree("events")?,
            self.db.open_tree("by_ticket")?,
        );
        self.for_each_event(&mut |r| {
            events.insert(
                u64_key(r.n),
                record_value(&r.hash, &chain::canonical(&r.event)),
            )?;
            by_ticket.insert(event_key(r.event.ticket, r.event.seq), &u64_key(r.n))?;
            Ok(())
        })?;
        self.log.clear()?;
        for tree in [&self.tickets, &self.open] {
            for kv in tree.iter() {
                let (k, v) = kv?;
                let mut stored = decode(&v)?;
                stored.positions.clear();
                tree.insert(k, encode(&stored))?;
            }
        }
        self.meta.insert(SCHEMA, &2u32.to_be_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    /// The names of the database's trees (tests).
    #[cfg(test)]
    pub(in crate::store) fn db_tree_names(&self) -> Vec<String> {
        self.db
            .tree_names()
            .iter()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .collect()
    }

    /// The stored hash ‖ canonical bytes of the event at a log position (tests).
    #[doc(hidden)]
    pub fn raw_event(&self, pos: u64) -> StoreResult<Option<Vec<u8>>> {
        let (b, i) = block_of(pos);
        let Some(block) = self.log.get(u64_key(b))? else {
            return Ok(None);
        };
        Ok(records(&block)?
            .get(i)
            .map(|(hash, bytes, _)| record_value(hash, bytes)))
    }

    /// Replaces the event at a log position with `hash ‖ bytes`, or with `None` cuts its
    /// block off there, bypassing every rule (tests that tamper with the log).
    #[doc(hidden)]
    pub fn tamper_event(&self, pos: u64, value: Option<&[u8]>) -> StoreResult<()> {
        let (b, i) = block_of(pos);
        let block = self.log.get(u64_key(b))?.unwrap_or_default();
        let recs = records(&block)?;
        let Some((_, _, range)) = recs.get(i) else {
            return Err(StoreError::BadInput(format!("no event {pos}")));
        };
        let mut out = block[..range.start].to_vec();
        if let Some(v) = value {
            let (hash, bytes) = split_record(v)?;
            push_record(&mut out, &hash, bytes);
            out.extend_from_slice(&block[range.end..]);
        }
        self.log.insert(u64_key(b), out)?;
        self.db.flush()?;
        Ok(())
    }

    /// Raw bytes of a tree entry (tests).
    #[doc(hidden)]
    pub fn raw(&self, tree: &str, key: &[u8]) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.db.open_tree(tree)?.get(key)?.map(|v| v.to_vec()))
    }
}
