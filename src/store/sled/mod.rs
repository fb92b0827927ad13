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

mod folder;
use folder::*;
use layout::*;
mod layout;
mod migrate;
mod store_impl;
mod testing;

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
        let old = sibling(path, ".old");
        if !path.exists() && old.exists() {
            return Err(StoreError::RewriteInterrupted {
                old,
                path: path.to_path_buf(),
            });
        }
        let open = || config(path).open();
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
