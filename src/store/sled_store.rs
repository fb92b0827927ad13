//! The [`Store`] on sled 0.34.
//!
//! Trees:
//! - `log`: block number (u64 BE) → the records of log positions `block·16+1 ..= block·16+16`,
//!   each length (u32 BE) ‖ hash (32 bytes) ‖ canonical event bytes. Append-only; the audit
//!   chain. Sixteen events share a key because sled's start-up time grows with the number of
//!   keys (one per event made a log of a million tickets open in 0.6 s instead of 0.2 s).
//! - `tickets`: ticket id → current state (the fold) and the log positions of its events, for
//!   fast listing.
//! - `open`: id → the same state as in `tickets`, for the tickets not closed (a covering index:
//!   the board and `list --open` read them in one scan instead of a lookup each).
//! - `breach`: month (yyyymm, u32 BE) ‖ id → (): finished tickets with a breach in that month.
//! - `active`: month (yyyymm in UTC, u32 BE) ‖ id → (): every month from a ticket's report to
//!   its resolution; a ticket not resolved is under month `u32::MAX` instead. A month's report
//!   reads only the tickets under its months (schema 2; built from `tickets` when a schema-1
//!   database is opened). The tickets not resolved, under `u32::MAX`, are what the board shows
//!   first.
//! - `municipalities`: name → ().
//! - `measurements`: instant ‖ unique id → measurement (JSON).
//! - `meta`: `schema` (u32), `next_id` (u64), `head` (position ‖ hash), `bulk` while a bulk
//!   load runs.
//!
//! Schema 2 kept one key per event (`events`: position → hash ‖ bytes) and an index
//! `by_ticket`: id ‖ event number → position. Opening such a database moves them into `log` and
//! the tickets' positions, then drops them.

use super::chain::{self, Checker, Hash, Record, GENESIS};
use super::{
    Break, Filter, Indexer, NewTicket, Store, StoreError, StoreResult, VerifyOutcome,
    SCHEMA_VERSION,
};
use crate::sla::Measurement;
use crate::ticket::{Event, EventKind, State, Ticket, TicketId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{Batch, Db, Transactional, Tree};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const SCHEMA: &[u8] = b"schema";
const NEXT_ID: &[u8] = b"next_id";
const HEAD: &[u8] = b"head";
const BULK: &[u8] = b"bulk";
const MODEL: &[u8] = b"classifier_model";

/// A ticket's state as kept in the `tickets` tree, with the breach months indexed for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    #[serde(rename = "t")]
    ticket: Ticket,
    #[serde(rename = "b", default, skip_serializing_if = "Vec::is_empty")]
    breach_months: Vec<u32>,
    /// The log positions of the ticket's events, by event number.
    #[serde(rename = "p", default)]
    positions: Vec<u64>,
}

/// The sled-backed store.
pub struct SledStore {
    db: Db,
    path: PathBuf,
    log: Tree,
    tickets: Tree,
    open: Tree,
    breach: Tree,
    pub(super) active: Tree,
    municipalities: Tree,
    measurements: Tree,
    meta: Tree,
    indexer: Box<Indexer>,
    /// Whether opening it moved an older schema's data (which leaves free space behind).
    migrated: bool,
}

fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Schema 2's `by_ticket` key: ticket id ‖ event number.
fn event_key(id: TicketId, seq: u32) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&id.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// Events per key of the `log` tree.
const BLOCK: u64 = 16;

/// The block of a log position (from 1) and the record's place in it.
fn block_of(pos: u64) -> (u64, usize) {
    ((pos - 1) / BLOCK, ((pos - 1) % BLOCK) as usize)
}

/// Appends a record to a block's bytes.
fn push_record(block: &mut Vec<u8>, hash: &Hash, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("an event is far smaller than 4 GB");
    block.extend_from_slice(&len.to_be_bytes());
    block.extend_from_slice(hash);
    block.extend_from_slice(bytes);
}

/// One record of a block: its hash, its canonical event bytes, and its byte range in the block.
type BlockRecord<'a> = (Hash, &'a [u8], std::ops::Range<usize>);

/// The records of a block, in log order.
fn records(block: &[u8]) -> StoreResult<Vec<BlockRecord<'_>>> {
    let cut = || StoreError::Corrupt("a stored event is cut short".into());
    let mut out = Vec::with_capacity(BLOCK as usize);
    let mut at = 0;
    while at < block.len() {
        let len = block
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
            .ok_or_else(cut)? as usize;
        let end = at + 4 + 32 + len;
        let rec = block.get(at + 4..end).ok_or_else(cut)?;
        let (hash, bytes) = split_record(rec)?;
        out.push((hash, bytes, at..end));
        at = end;
    }
    Ok(out)
}

fn breach_key(month: u32, id: TicketId) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..4].copy_from_slice(&month.to_be_bytes());
    k[4..].copy_from_slice(&id.to_be_bytes());
    k
}

/// The `active` month of a ticket not resolved.
const UNRESOLVED: u32 = u32::MAX;

fn utc_month(t: DateTime<Utc>) -> u32 {
    crate::calendar::yyyymm(t.date_naive())
}

fn next_month(m: u32) -> u32 {
    if m % 100 >= 12 {
        (m / 100 + 1) * 100 + 1
    } else {
        m + 1
    }
}

/// The `active` keys of a ticket (see the module's doc).
fn active_keys(t: &Ticket) -> Vec<[u8; 12]> {
    let Some(resolved) = t.resolved else {
        return vec![breach_key(UNRESOLVED, t.id)];
    };
    let (mut m, last) = (utc_month(t.reported), utc_month(resolved.max(t.reported)));
    let mut keys = vec![breach_key(m, t.id)];
    while m < last {
        m = next_month(m);
        keys.push(breach_key(m, t.id));
    }
    keys
}

/// Removes the snapshot files sled did not finish writing (`snap.*.generating`) in a database
/// folder; whether there were any.
fn remove_unfinished_snapshots(path: &Path) -> bool {
    let Ok(dir) = std::fs::read_dir(path) else {
        return false;
    };
    let mut removed = false;
    for entry in dir.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.")
            && name.ends_with(".generating")
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed = true;
        }
    }
    removed
}

/// `path` with `ext` appended (`db` → `db.old`).
fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(ext);
    PathBuf::from(p)
}

fn read_u64(b: &[u8]) -> StoreResult<u64> {
    b.get(..8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| StoreError::Corrupt("a number is cut short".into()))
}

fn head_value(n: u64, h: &Hash) -> Vec<u8> {
    let mut v = Vec::with_capacity(40);
    v.extend_from_slice(&n.to_be_bytes());
    v.extend_from_slice(h);
    v
}

fn parse_head(v: Option<&[u8]>) -> StoreResult<(u64, Hash)> {
    match v {
        None => Ok((0, GENESIS)),
        Some(b) if b.len() == 40 => {
            let mut h = [0u8; 32];
            h.copy_from_slice(&b[8..]);
            Ok((read_u64(b)?, h))
        }
        Some(_) => Err(StoreError::Corrupt(
            "the chain's head has the wrong length".into(),
        )),
    }
}

fn record_value(hash: &Hash, bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(32 + bytes.len());
    v.extend_from_slice(hash);
    v.extend_from_slice(bytes);
    v
}

fn split_record(v: &[u8]) -> StoreResult<(Hash, &[u8])> {
    if v.len() < 32 {
        return Err(StoreError::Corrupt("a stored event is cut short".into()));
    }
    let mut h = [0u8; 32];
    h.copy_from_slice(&v[..32]);
    Ok((h, &v[32..]))
}

fn encode(s: &Stored) -> Vec<u8> {
    serde_json::to_vec(s).expect("a ticket always serializes")
}

fn decode(b: &[u8]) -> StoreResult<Stored> {
    serde_json::from_slice(b).map_err(|e| StoreError::Corrupt(format!("a ticket's state: {e}")))
}

type Tx<T> = Result<T, ConflictableTransactionError<StoreError>>;

fn abort<T>(e: StoreError) -> Tx<T> {
    Err(ConflictableTransactionError::Abort(e))
}

fn from_tx(e: TransactionError<StoreError>) -> StoreError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Sled(e),
    }
}

/// Turns a failed read inside a transaction into an abort with a store error.
fn tx_ok<T>(r: StoreResult<T>) -> Tx<T> {
    r.map_err(ConflictableTransactionError::Abort)
}

/// The writes of one event: its record in the log's last block and the head. Returns the
/// event's log position (for the ticket's state).
fn write_event(lg_t: &TransactionalTree, me_t: &TransactionalTree, event: &Event) -> Tx<u64> {
    let (n, prev) = tx_ok(parse_head(me_t.get(HEAD)?.as_deref()))?;
    let bytes = chain::canonical(event);
    let hash = chain::link(&prev, &bytes);
    let pos = n + 1;
    let (b, i) = block_of(pos);
    let mut block = match lg_t.get(u64_key(b))? {
        Some(v) => v.to_vec(),
        None => Vec::new(),
    };
    if tx_ok(records(&block))?.len() != i {
        return abort(StoreError::Corrupt(format!(
            "the log's block {b} does not end at event {n}; run `frist verify`"
        )));
    }
    push_record(&mut block, &hash, &bytes);
    lg_t.insert(&u64_key(b), block)?;
    me_t.insert(HEAD, head_value(pos, &hash))?;
    Ok(pos)
}

impl SledStore {
    /// Opens (or creates) the database at `path`. Refuses one held by another process, one
    /// written by a newer schema and one whose bulk load was interrupted.
    pub fn open(path: &Path) -> StoreResult<SledStore> {
        let old = sibling(path, ".old");
        if !path.exists() && old.exists() {
            return Err(StoreError::RewriteInterrupted {
                old,
                path: path.to_path_buf(),
            });
        }
        let open = || sled::Config::new().path(path).open();
        let db = match open() {
            // sled 0.34 writes its snapshot to `snap.N.generating` and renames it when done, but
            // reads the newest `snap.*` file on open, a `.generating` one included: a process
            // killed while writing one (sled writes one on every open) leaves a log that no
            // longer opens. sled holds the file lock when it reads the snapshot, so no other
            // process is writing one: it is a leftover, and the log itself is intact.
            Err(sled::Error::Corruption { .. }) if remove_unfinished_snapshots(path) => open(),
            r => r,
        }
        .map_err(|e| match &e {
            sled::Error::Io(io)
                if io.kind() == std::io::ErrorKind::WouldBlock
                    || io.to_string().contains("could not acquire lock") =>
            {
                StoreError::Locked(path.to_path_buf())
            }
            _ => StoreError::Sled(e),
        })?;
        let tree = |n: &str| db.open_tree(n);
        let mut s = SledStore {
            log: tree("log")?,
            tickets: tree("tickets")?,
            open: tree("open")?,
            breach: tree("breach")?,
            active: tree("active")?,
            municipalities: tree("municipalities")?,
            measurements: tree("measurements")?,
            meta: tree("meta")?,
            path: path.to_path_buf(),
            indexer: Box::new(|_| Vec::new()),
            migrated: false,
            db,
        };
        match s.meta.get(SCHEMA)? {
            Some(v) => {
                let found =
                    v.as_ref().try_into().map(u32::from_be_bytes).map_err(|_| {
                        StoreError::Corrupt("the schema version is unreadable".into())
                    })?;
                if found > SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        found,
                        known: SCHEMA_VERSION,
                    });
                }
                if found < SCHEMA_VERSION {
                    s.migrate(found)?;
                    s.migrated = true;
                }
                s.drop_schema_2_trees()?;
            }
            None => {
                s.meta.insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
                s.db.flush()?;
            }
        }
        if s.meta.get(BULK)?.is_some() {
            return Err(StoreError::Interrupted);
        }
        Ok(s)
    }

    /// Brings a database of an older schema up to this one, then records the schema. Each
    /// step can be run again: a migration stopped half-way is redone on the next open.
    fn migrate(&self, found: u32) -> StoreResult<()> {
        if found < 3 {
            self.build_log()?;
        }
        if found < 2 {
            self.build_active()?;
        }
        if found < 4 {
            self.refold_notes()?;
        }
        self.meta.insert(SCHEMA, &SCHEMA_VERSION.to_be_bytes())?;
        self.db.flush()?;
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
    fn drop_schema_2_trees(&self) -> StoreResult<()> {
        let names = self.db.tree_names();
        let mut dropped = false;
        for name in ["events", "by_ticket"] {
            if names.iter().any(|n| n.as_ref() == name.as_bytes()) {
                self.db.drop_tree(name)?;
                dropped = true;
            }
        }
        if dropped {
            self.db.flush()?;
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

    /// Sets how finished tickets are indexed by breach month (see [`Indexer`]).
    pub fn with_indexer(mut self, f: Box<Indexer>) -> SledStore {
        self.indexer = f;
        self
    }

    /// Rewrites the database into a fresh file and puts it in its place, for a process that
    /// is about to exit (the store is consumed). A bulk load leaves sled's file with many free
    /// segments, which sled zeroes on every open (on a log of a million tickets, 800 MB written
    /// per start); the rewritten file has almost none. Every tree is copied and counted before
    /// the copy replaces the original; were the process stopped between the two renames, the
    /// original is kept as `<path>.old`.
    pub fn compact(self) -> StoreResult<()> {
        let path = self.path.clone();
        let io = |e: std::io::Error| StoreError::Sled(sled::Error::Io(e));
        let (fresh, old) = (sibling(&path, ".compacting"), sibling(&path, ".old"));
        if old.exists() {
            return Err(StoreError::BadInput(format!(
                "{} is in the way of the rewrite; move it aside (it may hold an earlier copy of the database)",
                old.display()
            )));
        }
        if fresh.exists() {
            // An earlier rewrite that stopped half-way: only a partial copy.
            std::fs::remove_dir_all(&fresh).map_err(io)?;
        }
        self.db.flush()?;
        {
            let dst = sled::Config::new().path(&fresh).open()?;
            for name in self.db.tree_names() {
                let (a, b) = (self.db.open_tree(&name)?, dst.open_tree(&name)?);
                let mut batch = Batch::default();
                let mut n = 0usize;
                for kv in a.iter() {
                    let (k, v) = kv?;
                    batch.insert(k, v);
                    n += 1;
                    if n.is_multiple_of(50_000) {
                        b.apply_batch(std::mem::take(&mut batch))?;
                    }
                }
                b.apply_batch(batch)?;
                let copied = b.iter().keys().count();
                if copied != n {
                    return Err(StoreError::Corrupt(format!(
                        "compacting: tree {} has {n} entries, the copy {copied}",
                        String::from_utf8_lossy(&name),
                    )));
                }
            }
            dst.flush()?;
            // Let go of it (and its file lock): it is opened again below.
            drop(dst);
        }
        std::mem::forget(self);
        std::fs::rename(&path, &old).map_err(io)?;
        std::fs::rename(&fresh, &path).map_err(io)?;
        std::fs::remove_dir_all(&old).map_err(io)?;
        // sled's first open of a fresh file reads it all (1.5 s for a million tickets) and
        // leaves a snapshot of its page table; make that the rewrite's cost, not the next
        // start's.
        std::mem::forget(sled::Config::new().path(&path).open()?);
        Ok(())
    }

    /// Flushes and lets go of the database without sled's teardown, for a process that is
    /// about to exit. The teardown walks every page (about half a second on a log of a
    /// million tickets) and writes nothing that a flush has not; sled opens a database left
    /// this way as after any stop. The file lock is held until the process exits.
    pub fn close(self) -> StoreResult<()> {
        self.db.flush()?;
        std::mem::forget(self);
        Ok(())
    }

    /// Whether opening it brought an older schema up to date. The moves leave free space that
    /// sled would zero on every start, so the CLI rewrites such a database ([`Self::compact`])
    /// when it is done with it.
    pub fn migrated(&self) -> bool {
        self.migrated
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

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
    pub(super) fn db_tree_names(&self) -> Vec<String> {
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

    fn stored(&self, id: TicketId) -> StoreResult<Option<Stored>> {
        self.tickets
            .get(u64_key(id))?
            .map(|v| decode(&v))
            .transpose()
    }

    fn months(&self, t: &Ticket) -> Vec<u32> {
        if t.is_open() {
            Vec::new()
        } else {
            let mut m = (self.indexer)(t);
            m.sort_unstable();
            m.dedup();
            m
        }
    }

    fn ids_of(&self, tree: &Tree, prefix: &[u8], offset: usize) -> StoreResult<Vec<TicketId>> {
        tree.scan_prefix(prefix)
            .keys()
            .map(|k| read_u64(&k?[offset..]))
            .collect()
    }

    /// The tickets not closed, in one scan of the `open` tree.
    fn not_closed(&self) -> StoreResult<Vec<Ticket>> {
        self.open
            .iter()
            .values()
            .map(|v| Ok(decode(&v?)?.ticket))
            .collect()
    }

    fn load(&self, ids: impl IntoIterator<Item = TicketId>) -> StoreResult<Vec<Ticket>> {
        ids.into_iter()
            .filter_map(|id| self.stored(id).transpose())
            .map(|s| s.map(|s| s.ticket))
            .collect()
    }
}

impl Store for SledStore {
    fn create_many(
        &self,
        new: &[NewTicket],
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<Vec<Ticket>> {
        let trees = (
            &self.log,
            &self.tickets,
            &self.open,
            &self.municipalities,
            &self.meta,
            &self.active,
        );
        let tickets = trees
            .transaction(|(lg_t, tk_t, op_t, mu_t, me_t, ac_t)| {
                let mut id = match me_t.get(NEXT_ID)? {
                    Some(v) => tx_ok(read_u64(&v))?,
                    None => 1,
                };
                let mut out = Vec::with_capacity(new.len());
                for n in new {
                    let events = tx_ok(n.events(id, user, recorded))?;
                    let mut positions = Vec::with_capacity(events.len());
                    for e in &events {
                        positions.push(write_event(lg_t, me_t, e)?);
                    }
                    let ticket = tx_ok(crate::ticket::fold(&events).ok_or_else(|| {
                        StoreError::BadInput("a ticket starts with its report".into())
                    }))?;
                    let bytes = encode(&Stored {
                        ticket: ticket.clone(),
                        breach_months: Vec::new(),
                        positions,
                    });
                    tk_t.insert(&u64_key(id), bytes.clone())?;
                    op_t.insert(&u64_key(id), bytes)?;
                    for k in active_keys(&ticket) {
                        ac_t.insert(&k, &[])?;
                    }
                    mu_t.insert(ticket.municipality.as_bytes(), &[])?;
                    id += 1;
                    out.push(ticket);
                }
                me_t.insert(NEXT_ID, &u64_key(id))?;
                Ok(out)
            })
            .map_err(from_tx)?;
        self.db.flush()?;
        Ok(tickets)
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
        let trees = (
            &self.log,
            &self.tickets,
            &self.open,
            &self.breach,
            &self.meta,
            &self.active,
        );
        let ticket = trees
            .transaction(|(lg_t, tk_t, op_t, br_t, me_t, ac_t)| {
                let Some(raw) = tk_t.get(u64_key(id))? else {
                    return abort(StoreError::UnknownTicket(id));
                };
                let mut stored = tx_ok(decode(&raw))?;
                if let Err(e) = stored.ticket.check(&kind, effective, now) {
                    return abort(e.into());
                }
                let event = Event {
                    ticket: id,
                    seq: stored.ticket.events,
                    user: user.to_string(),
                    recorded,
                    effective,
                    kind: kind.clone(),
                };
                let pos = write_event(lg_t, me_t, &event)?;
                stored.positions.push(pos);
                let was_active = active_keys(&stored.ticket);
                stored.ticket.apply(&event);
                let is_active = active_keys(&stored.ticket);
                if was_active != is_active {
                    for k in &was_active {
                        ac_t.remove(k)?;
                    }
                    for k in &is_active {
                        ac_t.insert(k, &[])?;
                    }
                }
                let closed = stored.ticket.state == State::Closed;
                let months = self.months(&stored.ticket);
                for m in &stored.breach_months {
                    br_t.remove(&breach_key(*m, id))?;
                }
                for m in &months {
                    br_t.insert(&breach_key(*m, id), &[])?;
                }
                stored.breach_months = months;
                let bytes = encode(&stored);
                if closed {
                    op_t.remove(&u64_key(id))?;
                } else {
                    op_t.insert(&u64_key(id), bytes.clone())?;
                }
                tk_t.insert(&u64_key(id), bytes)?;
                Ok(stored.ticket)
            })
            .map_err(from_tx)?;
        self.db.flush()?;
        Ok(ticket)
    }

    fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        Ok(self.stored(id)?.map(|s| s.ticket))
    }

    fn events(&self, id: TicketId) -> StoreResult<Vec<Event>> {
        let Some(stored) = self.stored(id)? else {
            return Ok(Vec::new());
        };
        let missing = || StoreError::Corrupt(format!("ticket {id}: an event is missing"));
        let mut out = Vec::with_capacity(stored.positions.len());
        // A ticket's events often share a block: read and split each block once.
        for same in stored
            .positions
            .chunk_by(|a, b| block_of(*a).0 == block_of(*b).0)
        {
            let raw = self
                .log
                .get(u64_key(block_of(same[0]).0))?
                .ok_or_else(missing)?;
            let recs = records(&raw)?;
            for pos in same {
                let (_, bytes, _) = recs.get(block_of(*pos).1).ok_or_else(missing)?;
                out.push(
                    serde_json::from_slice(bytes)
                        .map_err(|e| StoreError::Corrupt(format!("ticket {id}: {e}")))?,
                );
            }
        }
        Ok(out)
    }

    fn tickets(&self, filter: Filter) -> StoreResult<Vec<Ticket>> {
        match filter {
            Filter::All | Filter::Closed => {
                let mut out = Vec::new();
                for kv in self.tickets.iter() {
                    let (_, v) = kv?;
                    let t = decode(&v)?.ticket;
                    if filter == Filter::All || t.state == State::Closed {
                        out.push(t);
                    }
                }
                Ok(out)
            }
            Filter::NotClosed => self.not_closed(),
            Filter::Unresolved => {
                let mut out = Vec::new();
                for id in self.ids_of(&self.active, &UNRESOLVED.to_be_bytes(), 4)? {
                    if let Some(v) = self.open.get(u64_key(id))? {
                        out.push(decode(&v)?.ticket);
                    }
                }
                Ok(out)
            }
            Filter::BreachCandidates(month) => {
                let mut out = self.not_closed()?;
                let prefix = month.map(|m| m.to_be_bytes().to_vec()).unwrap_or_default();
                let ids: BTreeSet<TicketId> =
                    self.ids_of(&self.breach, &prefix, 4)?.into_iter().collect();
                out.extend(
                    self.load(ids)?
                        .into_iter()
                        .filter(|t| t.state == State::Closed),
                );
                Ok(out)
            }
            Filter::Active { from, to } => {
                let mut ids: BTreeSet<TicketId> = BTreeSet::new();
                let (first, last) = (utc_month(from), utc_month(to));
                for kv in self
                    .active
                    .range(breach_key(first, 0)..=breach_key(last, u64::MAX))
                    .keys()
                {
                    ids.insert(read_u64(&kv?[4..])?);
                }
                ids.extend(self.ids_of(&self.active, &UNRESOLVED.to_be_bytes(), 4)?);
                Ok(self
                    .load(ids)?
                    .into_iter()
                    .filter(|t| t.reported < to && t.resolved.is_none_or(|r| r >= from))
                    .collect())
            }
        }
    }

    fn for_each_event(&self, f: &mut dyn FnMut(&Record) -> StoreResult<()>) -> StoreResult<()> {
        for kv in self.log.iter() {
            let (k, v) = kv?;
            let first = read_u64(&k)? * BLOCK + 1;
            for (n, (hash, bytes, _)) in (first..).zip(records(&v)?) {
                let event: Event = serde_json::from_slice(bytes)
                    .map_err(|e| StoreError::Corrupt(format!("event {n}: {e}")))?;
                f(&Record { n, hash, event })?;
            }
        }
        Ok(())
    }

    fn link_at(&self, n: u64) -> StoreResult<Option<Hash>> {
        if n == 0 {
            return Ok(None);
        }
        let (b, i) = block_of(n);
        match self.log.get(u64_key(b))? {
            Some(v) => Ok(records(&v)?.get(i).map(|r| r.0)),
            None => Ok(None),
        }
    }

    fn head(&self) -> StoreResult<(u64, Hash)> {
        let Some((k, v)) = self.log.last()? else {
            return Ok((0, GENESIS));
        };
        let recs = records(&v)?;
        match recs.last() {
            Some(r) => Ok((read_u64(&k)? * BLOCK + recs.len() as u64, r.0)),
            None => Err(StoreError::Corrupt("the log's last block is empty".into())),
        }
    }

    fn is_empty(&self) -> StoreResult<bool> {
        Ok(self.log.is_empty() && self.tickets.is_empty())
    }

    fn municipalities(&self) -> StoreResult<Vec<String>> {
        self.municipalities
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }

    fn import(&self, events: &mut dyn Iterator<Item = Event>) -> StoreResult<u64> {
        if !self.is_empty()? {
            return Err(StoreError::NotEmpty);
        }
        self.meta.insert(BULK, &[1])?;
        self.db.flush()?;
        let mut checker = Checker::default();
        let mut lg_b = Batch::default();
        let mut block = Vec::new();
        let mut pending = 0usize;
        let mut positions: HashMap<TicketId, Vec<u64>> = HashMap::new();
        for ev in events {
            let (n, hash, bytes) = checker
                .push(&ev)
                .map_err(|b| StoreError::BadInput(b.what))?;
            let (b, i) = block_of(n);
            if i == 0 && b > 0 {
                lg_b.insert(&u64_key(b - 1), std::mem::take(&mut block));
                pending += 1;
                if pending == 5_000 {
                    self.log.apply_batch(std::mem::take(&mut lg_b))?;
                    pending = 0;
                }
            }
            push_record(&mut block, &hash, &bytes);
            positions.entry(ev.ticket).or_default().push(n);
        }
        if !block.is_empty() {
            lg_b.insert(&u64_key(block_of(checker.head().0).0), block);
        }
        self.log.apply_batch(lg_b)?;
        let mut tk_b = Batch::default();
        let mut op_b = Batch::default();
        let mut br_b = Batch::default();
        let mut ac_b = Batch::default();
        let mut mu_b = Batch::default();
        let mut max_id = 0;
        let mut written = 0usize;
        let mut municipalities: HashMap<String, ()> = HashMap::new();
        for (id, ticket) in std::mem::take(&mut checker.tickets) {
            max_id = max_id.max(id);
            let months = self.months(&ticket);
            for m in &months {
                br_b.insert(&breach_key(*m, id), &[]);
            }
            let closed = ticket.state == State::Closed;
            for k in active_keys(&ticket) {
                ac_b.insert(&k, &[]);
            }
            if municipalities
                .insert(ticket.municipality.clone(), ())
                .is_none()
            {
                mu_b.insert(ticket.municipality.as_bytes(), &[]);
            }
            let bytes = encode(&Stored {
                ticket,
                breach_months: months,
                positions: positions.remove(&id).unwrap_or_default(),
            });
            if !closed {
                op_b.insert(&u64_key(id), bytes.clone());
            }
            tk_b.insert(&u64_key(id), bytes);
            written += 1;
            if written.is_multiple_of(50_000) {
                self.tickets.apply_batch(std::mem::take(&mut tk_b))?;
                self.open.apply_batch(std::mem::take(&mut op_b))?;
                self.breach.apply_batch(std::mem::take(&mut br_b))?;
                self.active.apply_batch(std::mem::take(&mut ac_b))?;
            }
        }
        self.tickets.apply_batch(tk_b)?;
        self.open.apply_batch(op_b)?;
        self.breach.apply_batch(br_b)?;
        self.active.apply_batch(ac_b)?;
        self.municipalities.apply_batch(mu_b)?;
        let (n, hash) = checker.head();
        let mut me_b = Batch::default();
        me_b.insert(HEAD, head_value(n, &hash));
        me_b.insert(NEXT_ID, &u64_key(max_id + 1));
        me_b.remove(BULK);
        self.meta.apply_batch(me_b)?;
        self.db.flush()?;
        Ok(n)
    }

    fn verify(&self) -> StoreResult<VerifyOutcome> {
        let mut checker = Checker::default();
        let brk = |ticket: Option<TicketId>, event: Option<u32>, what: String| {
            Ok(VerifyOutcome::Broken(Break {
                position: None,
                ticket,
                event,
                what,
            }))
        };
        // Where each ticket's events are in the log, to check against the ticket's state.
        let mut positions: HashMap<TicketId, Vec<u64>> = HashMap::new();
        for kv in self.log.iter() {
            let (k, v) = kv?;
            let first = read_u64(&k)? * BLOCK + 1;
            for (pos, (hash, bytes, _)) in (first..).zip(records(&v)?) {
                let ev = match checker.next_bytes(pos, &hash, bytes) {
                    Ok(ev) => ev,
                    Err(b) => return Ok(VerifyOutcome::Broken(b)),
                };
                positions.entry(ev.ticket).or_default().push(pos);
            }
        }
        let (n, hash) = checker.head();
        let (hn, hh) = parse_head(self.meta.get(HEAD)?.as_deref())?;
        if (n, hash) != (hn, hh) {
            return brk(
                None,
                None,
                format!(
                    "the log ends at event {n} ({}) but the recorded head is event {hn} ({}): events at the end were removed or the head was changed",
                    chain::short(&hash),
                    chain::short(&hh)
                ),
            );
        }
        let mut seen = 0u64;
        for kv in self.tickets.iter() {
            let (k, v) = kv?;
            let id = read_u64(&k)?;
            let (stored, at) = match decode(&v) {
                Ok(s) => (s.ticket, s.positions),
                Err(e) => return brk(Some(id), None, e.to_string()),
            };
            seen += 1;
            if positions.get(&id).is_some_and(|p| *p != at) {
                return brk(
                    Some(id),
                    None,
                    "the ticket's state does not point at its events in the log".into(),
                );
            }
            match checker.tickets.get(&id) {
                None => {
                    return brk(
                        Some(id),
                        None,
                        "a ticket state without events in the log".into(),
                    )
                }
                Some(folded) if folded != &stored => {
                    return brk(
                        Some(id),
                        None,
                        "the stored state differs from the fold of the ticket's events".into(),
                    )
                }
                Some(_) => {}
            }
            for key in active_keys(&stored) {
                if !self.active.contains_key(key)? {
                    return brk(
                        Some(id),
                        None,
                        "the month index does not list the ticket in a month it was active".into(),
                    );
                }
            }
            let indexed_open = self.open.get(&k)?;
            let copy_ok = match &indexed_open {
                Some(v) => decode(v).is_ok_and(|c| c.ticket == stored),
                None => true,
            };
            if indexed_open.is_some() != (stored.state != State::Closed) || !copy_ok {
                return brk(
                    Some(id),
                    None,
                    "the open-ticket index disagrees with the state".into(),
                );
            }
        }
        if seen != checker.tickets.len() as u64 {
            let missing = checker
                .tickets
                .keys()
                .find(|id| !self.tickets.contains_key(u64_key(**id)).unwrap_or(false))
                .copied();
            return brk(
                missing,
                None,
                "a ticket in the log has no stored state".into(),
            );
        }
        Ok(checker.outcome())
    }

    fn classifier_model(&self) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.meta.get(MODEL)?.map(|v| v.to_vec()))
    }

    fn set_classifier_model(&self, json: &[u8]) -> StoreResult<()> {
        self.meta.insert(MODEL, json)?;
        self.db.flush()?;
        Ok(())
    }

    fn add_measurements(&self, ms: &[Measurement]) -> StoreResult<()> {
        let mut b = Batch::default();
        for m in ms {
            let mut k = Vec::with_capacity(16);
            let micros = m.at.timestamp_micros() as u64 ^ (1 << 63);
            k.extend_from_slice(&micros.to_be_bytes());
            k.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
            b.insert(k, serde_json::to_vec(m).expect("a measurement serializes"));
        }
        self.measurements.apply_batch(b)?;
        self.db.flush()?;
        Ok(())
    }

    fn measurements(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Measurement>> {
        let key = |t: DateTime<Utc>| (t.timestamp_micros() as u64 ^ (1 << 63)).to_be_bytes();
        self.measurements
            .range(key(from)..key(to))
            .values()
            .map(|v| {
                serde_json::from_slice(&v?)
                    .map_err(|e| StoreError::Corrupt(format!("a measurement: {e}")))
            })
            .collect()
    }
}
