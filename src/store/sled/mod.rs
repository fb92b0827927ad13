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
//!   load runs, `stream`: the log's own stream (contacts; ticket id 0) as the log positions of
//!   its events and the contacts they fold to (JSON).
//!
//! Schema 2 kept one key per event (`events`: position → hash ‖ bytes) and an index
//! `by_ticket`: id ‖ event number → position. Opening such a database moves them into `log` and
//! the tickets' positions, then drops them.

use super::chain::{self, Checker, Hash, Record, GENESIS};
use super::{
    Break, Filter, Indexer, NewTicket, Store, StoreError, StoreResult, Stored, VerifyOutcome,
    SLED_SCHEMA_VERSION,
};
use crate::contact::Book;
use crate::contract::version::ContractVersion;
use crate::sla::Measurement;
use crate::ticket::{Event, EventKind, State, Ticket, TicketId, LOG_STREAM};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sled::transaction::{ConflictableTransactionError, TransactionError, TransactionalTree};
use sled::{Batch, Db, Transactional, Tree};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

mod folder;
use folder::*;
use layout::*;
mod layout;
mod migrate;
mod shared;
mod store_impl;
mod testing;

/// Runs a call into sled, turning a panic in it (sled 0.34 panics on some damaged files) into
/// a corruption error.
fn guard<T>(f: impl FnOnce() -> sled::Result<T>) -> sled::Result<T> {
    quiet_sled_panics();
    GUARDED.with(|g| g.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(sled::Error::Corruption { at: None, bt: () }));
    GUARDED.with(|g| g.set(false));
    r
}

thread_local! {
    /// Whether this thread is inside [`guard`], which turns a panic into an error.
    static GUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// What to say when sled panics outside [`guard`] (while reading a damaged file after it
/// opened): set by the command that opened the log, in the user's language, naming it.
static ON_SLED_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Sets the message a panic inside sled ends the process with (exit code 1), instead of a
/// panic line and exit code 101.
pub fn say_on_sled_panic(message: String) {
    quiet_sled_panics();
    if let Ok(mut m) = ON_SLED_PANIC.lock() {
        *m = Some(message);
    }
}

/// Keeps sled's own panic lines (such as "tried to serialize Uninitialized" on a damaged
/// file) off the user's terminal: [`guard`] turns them into a message that names the database
/// and what to do. Panics anywhere else are printed as before.
pub fn quiet_sled_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_sled = info.location().is_some_and(|l| {
                let file = l.file().replace('\\', "/");
                file.contains("/sled-0.34")
            });
            if !in_sled {
                return before(info);
            }
            if GUARDED.with(|g| g.get()) {
                return;
            }
            let said = ON_SLED_PANIC.lock().ok().and_then(|m| m.clone());
            match said {
                Some(m) => {
                    use std::io::Write;
                    let _ = writeln!(std::io::stderr(), "frist: {m}");
                    std::process::exit(1);
                }
                None => before(info),
            }
        }));
    });
}

const SCHEMA: &[u8] = b"schema";
const NEXT_ID: &[u8] = b"next_id";
const HEAD: &[u8] = b"head";
const BULK: &[u8] = b"bulk";
const MODEL: &[u8] = b"classifier_model";
const STREAM: &[u8] = b"stream";
/// `meta` keys `msg:` ‖ Message-ID → the (ticket, event number) of the events carrying it.
const MSG: &[u8] = b"msg:";

fn msg_key(id: &str) -> Vec<u8> {
    [MSG, id.as_bytes()].concat()
}

fn decode_msgs(v: Option<&[u8]>) -> StoreResult<Vec<(TicketId, u32)>> {
    match v {
        None => Ok(Vec::new()),
        Some(b) => serde_json::from_slice(b)
            .map_err(|e| StoreError::Corrupt(format!("the Message-ID index: {e}"))),
    }
}

/// The log's own stream ([`LOG_STREAM`]) as kept under `meta`'s `stream` key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct StreamState {
    /// The log positions of its events, by event number.
    #[serde(rename = "p", default)]
    positions: Vec<u64>,
    /// The contacts its events fold to.
    #[serde(rename = "c", default)]
    contacts: Vec<crate::contact::Contact>,
}

fn decode_stream(v: Option<&[u8]>) -> StoreResult<StreamState> {
    match v {
        None => Ok(StreamState::default()),
        Some(b) => serde_json::from_slice(b)
            .map_err(|e| StoreError::Corrupt(format!("the log's own stream: {e}"))),
    }
}

fn encode_stream(s: &StreamState) -> Vec<u8> {
    serde_json::to_vec(s).expect("the stream's state always serializes")
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
    /// Kept contract versions: unique increasing id → version (JSON).
    contracts: Tree,
    meta: Tree,
    indexer: Box<Indexer>,
    /// Whether opening it moved an older schema's data (which leaves free space behind).
    migrated: bool,
}

/// sled's page cache, in bytes. Its default (1 GB, counted loosely) held the pages of a bulk
/// load that are written once and never read again: `demo --tickets 100000` peaked at 1.1 GB.
/// A command reads a page about once, and the operating system caches the file anyway.
const CACHE: u64 = 64 << 20;

/// How frist opens a sled database at `path`.
pub(super) fn config(path: &Path) -> sled::Config {
    sled::Config::new().path(path).cache_capacity(CACHE)
}

impl SledStore {
    /// Opens (or creates) the database at `path`. Refuses one held by another process, one
    /// written by a newer schema and one whose bulk load was interrupted.
    pub fn open(path: &Path) -> StoreResult<SledStore> {
        match SledStore::open_once(path) {
            // sled refuses the whole log for a damaged snapshot, which is only a cache of its
            // page table: set it aside and let sled read the log itself — when a trial on a
            // copy shows that the log then holds (sled would otherwise take a damaged log's
            // first bad byte as its end, and write over the rest).
            Err(StoreError::Damaged(p)) => {
                let Some(snap) = damaged_snapshot(path) else {
                    return Err(StoreError::Damaged(p));
                };
                if !SledStore::recovers_without_snapshot(path) {
                    return Err(StoreError::Damaged(p));
                }
                set_aside(path, &snap).map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
                SledStore::open_once(path)
            }
            r => r,
        }
    }

    fn open_once(path: &Path) -> StoreResult<SledStore> {
        mend_rewrite(path)?;
        let open = || guard(|| config(path).open());
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
            sled::Error::Corruption { .. } => StoreError::Damaged(path.to_path_buf()),
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
            contracts: tree("contracts")?,
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
                if found > SLED_SCHEMA_VERSION {
                    return Err(StoreError::NewerSchema {
                        found,
                        known: SLED_SCHEMA_VERSION,
                    });
                }
                if found < SLED_SCHEMA_VERSION {
                    s.migrate(found)?;
                    // Schema 5 only names the new kinds of events: nothing moved, nothing to
                    // rewrite.
                    s.migrated = found < 4;
                }
                s.drop_schema_2_trees()?;
            }
            None => {
                s.meta.insert(SCHEMA, &SLED_SCHEMA_VERSION.to_be_bytes())?;
                s.flush()?;
            }
        }
        if s.meta.get(BULK)?.is_some() {
            return Err(StoreError::Interrupted);
        }
        Ok(s)
    }

    /// Sets how finished tickets are indexed by breach month (see [`Indexer`]).
    pub fn with_indexer(mut self, f: Box<Indexer>) -> SledStore {
        self.indexer = f;
        self
    }
    /// Flushes and lets go of the database without sled's teardown, for a process that is
    /// about to exit. The teardown walks every page (about half a second on a log of a
    /// million tickets) and writes nothing that a flush has not; sled opens a database left
    /// this way as after any stop. The file lock is held until the process exits.
    pub fn close(self) -> StoreResult<()> {
        self.flush()?;
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
    fn stored(&self, id: TicketId) -> StoreResult<Option<Stored>> {
        self.tickets
            .get(u64_key(id))?
            .map(|v| decode(&v))
            .transpose()
    }

    fn months(&self, t: &Ticket) -> Vec<u32> {
        super::breach_months(&*self.indexer, t)
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

    /// The events at these log positions (a ticket's or the log stream's, `id`).
    fn read_at(&self, id: TicketId, positions: &[u64]) -> StoreResult<Vec<Event>> {
        let missing = || StoreError::Corrupt(format!("ticket {id}: an event is missing"));
        let mut out = Vec::with_capacity(positions.len());
        // A ticket's events often share a block: read and split each block once.
        for same in positions.chunk_by(|a, b| block_of(*a).0 == block_of(*b).0) {
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

    fn load(&self, ids: impl IntoIterator<Item = TicketId>) -> StoreResult<Vec<Ticket>> {
        ids.into_iter()
            .filter_map(|id| self.stored(id).transpose())
            .map(|s| s.map(|s| s.ticket))
            .collect()
    }
}
