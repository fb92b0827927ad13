//! The embedded log (layout 6): frist's own append-only files in one folder.
//!
//! sled 0.34, which held the log up to schema 5, writes on every open (it overwrites every free
//! segment of its file and then writes a new snapshot of its page table) and reads its whole
//! page table first, so every command cost what the log's size costs; no setting turns that
//! off (docs/embedded-log.md says where in sled's source). This layout reads only what a
//! command asks for and writes only what it adds:
//!
//! - `events`: the audit chain, one record per event: length (u32 BE) ‖ hash (32 bytes) ‖ the
//!   event's canonical bytes. Only ever appended to.
//! - `events.pos`: the byte offset in `events` of each log position (u64 BE, position `n` at
//!   `8·(n−1)`). Appended to with the events.
//! - `states`: ticket states, one record per change: length (u32 BE) ‖ ticket id (u64 BE) ‖
//!   the state (JSON: the fold, its breach months and its events' log positions). Appended to;
//!   the newest record of a ticket is its state.
//! - `slots`: one 40-byte entry per ticket, sorted by id: the id, where its newest state is
//!   and what the indexes need (open or closed, the months it was active, its breach months).
//!   The only file changed in place, and only after the change is committed (see below).
//! - `municipalities`, `messages` (the Message-ID index), `contracts` (kept contract versions)
//!   and `measurements`: JSON lines, appended to.
//! - `model.json`: the classifier's model, replaced whole (a rename).
//! - `head`: what is committed: the number of events and the chain's hash, the next ticket id,
//!   the committed length of every appended file, and the log's own stream (contacts). Written
//!   to `head.tmp`, synced and renamed over `head`: the rename is the commit.
//! - `lock`: a command that reads holds a shared lock on it, one that writes an exclusive one.
//!
//! A write appends to the files past their committed lengths, syncs them, commits the head,
//! and then updates the slots. A process killed before the rename leaves bytes past the
//! committed lengths, which the next writer cuts off; one killed after it leaves slots behind
//! the head, which every opening reads again from the committed state records (`slots_from`).
//! Opening reads the head (a few hundred bytes) and the last commit's state records, nothing
//! else; a read command writes nothing. A log an earlier frist kept in sled is moved into this
//! layout on its first opening, once (`migrate.rs`).

mod at;
mod bulk;
mod files;
mod migrate;
mod store_impl;
mod testing;
mod tx;

use super::chain::{self, Hash, GENESIS};
use super::{Indexer, StoreError, StoreResult, Stored};
use crate::ticket::{Ticket, TicketId};
use files::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use files::NAMES;
pub use migrate::SLED_KEPT;
pub use tx::{published_head, HEAD_FILE};

/// The layout this build writes, kept in the head. A log with a higher one is refused.
pub const LAYOUT: u32 = 6;

/// The committed lengths of the appended files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Lens {
    events: u64,
    pos: u64,
    states: u64,
    /// Where the state records of the last commit start: their slots may not be written yet.
    slots_from: u64,
    municipalities: u64,
    messages: u64,
    contracts: u64,
    measurements: u64,
}

/// The log's own stream ([`crate::ticket::LOG_STREAM`]): its events' positions and the contacts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Stream {
    positions: Vec<u64>,
    contacts: Vec<crate::contact::Contact>,
}

/// What is committed (the `head` file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Head {
    layout: u32,
    events: u64,
    #[serde(with = "chain::hex_hash")]
    hash: Hash,
    next_id: u64,
    lens: Lens,
    stream: Stream,
    /// Set while a bulk load (import, demo) runs; it commits only at its end.
    #[serde(default)]
    bulk: bool,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            layout: LAYOUT,
            events: 0,
            hash: GENESIS,
            next_id: 1,
            lens: Lens::default(),
            stream: Stream::default(),
            bulk: false,
        }
    }
}

/// The open files and what is committed, as this process last read or wrote them.
struct Open {
    head: Head,
    /// Slots of the last commit's states, which may not be in `slots` yet.
    overlay: HashMap<TicketId, Slot>,
    files: Option<Files>,
    exclusive: bool,
    /// Whether the overlay's slots may not be in `slots` yet (their write failed).
    pending: bool,
}

/// The embedded store.
pub struct LocalStore {
    path: PathBuf,
    lock: File,
    open: Box<Mutex<Open>>,
    indexer: Box<Indexer>,
    /// How long a write waits for readers to let go of the log.
    wait: Duration,
    /// Told once when a write has waited for a second.
    waiting: Mutex<Option<Box<dyn FnMut() + Send>>>,
    migrated: bool,
}

/// After this long, a waiting open tells the user it waits.
const SAY_AFTER: Duration = Duration::from_secs(1);
/// How long a waiting open sleeps between its tries, at most.
const MAX_PAUSE: Duration = Duration::from_millis(50);

impl LocalStore {
    /// Opens (or starts) the log in the folder `path`, waiting up to 10 s for a writer.
    pub fn open(path: &Path) -> StoreResult<LocalStore> {
        LocalStore::open_with(
            path,
            Duration::from_secs(10),
            Box::new(|| {}),
            Box::new(|_| Vec::new()),
        )
    }

    /// Opens the log for reading, waiting up to `wait` while another process writes to it
    /// (and, later, for a write, while others read it); `waiting` is called once, when it has
    /// waited for a second. A log that an earlier frist kept in sled is moved into this layout
    /// first (once). `indexer` says in which months a finished ticket was breached.
    pub fn open_with(
        path: &Path,
        wait: Duration,
        waiting: Box<dyn FnMut() + Send>,
        indexer: Box<Indexer>,
    ) -> StoreResult<LocalStore> {
        super::files::prepare(path).map_err(io)?;
        let lock = lock_file(path)?;
        let mut store = LocalStore {
            path: path.to_path_buf(),
            lock,
            open: Box::new(Mutex::new(Open {
                head: Head::default(),
                overlay: HashMap::new(),
                files: None,
                exclusive: false,
                pending: false,
            })),
            indexer,
            wait,
            waiting: Mutex::new(Some(waiting)),
            migrated: false,
        };
        store.take_lock(false)?;
        // sled's files beside ours: a move not finished (or not begun).
        if super::files::holds_sled_log(path) {
            store.migrated = migrate::from_sled(&store)?;
        }
        {
            let mut o = store.state();
            store.reread(&mut o)?;
        }
        Ok(store)
    }

    /// Sets how finished tickets are indexed by breach month (see [`Indexer`]).
    pub fn with_indexer(mut self, f: Box<Indexer>) -> LocalStore {
        self.indexer = f;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether opening it moved a log from an older frist's sled database.
    pub fn migrated(&self) -> bool {
        self.migrated
    }

    /// Lets go of the log (and its lock): as the process ends, or the board between its
    /// turns.
    pub fn close(self) -> StoreResult<()> {
        drop(self);
        Ok(())
    }

    fn state(&self) -> MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the lock, shared or exclusive, waiting up to the store's `wait`.
    fn take_lock(&self, exclusive: bool) -> StoreResult<()> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        let mut said = false;
        loop {
            let got = if exclusive {
                fs2::FileExt::try_lock_exclusive(&self.lock)
            } else {
                fs2::FileExt::try_lock_shared(&self.lock)
            };
            match got {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == fs2::lock_contended_error().kind() => {}
                Err(e) => return Err(io(e)),
            }
            let waited = start.elapsed();
            if waited >= self.wait {
                return Err(StoreError::Locked(self.path.clone()));
            }
            if waited >= SAY_AFTER && !said {
                said = true;
                if let Some(f) = self
                    .waiting
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_mut()
                {
                    f();
                }
            }
            std::thread::sleep(pause.min(self.wait - waited));
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }

    /// Whether the log, as committed on disk now, holds no ticket and no event (what a refused
    /// first command may remove again: nobody else wrote to it while this process holds it).
    pub fn holds_nothing(&self) -> bool {
        let _held = self.state();
        read_head(&self.path).is_ok_and(|h| h.events == 0 && h.next_id == 1)
    }

    /// Takes the exclusive lock without reading the log (for moving a sled log in, whose
    /// half-made files may not read).
    fn take_lock_alone(&self) -> StoreResult<()> {
        let mut o = self.state();
        if !o.exclusive {
            fs2::FileExt::unlock(&self.lock).map_err(io)?;
            self.take_lock(true)?;
            o.exclusive = true;
        }
        o.head = Head::default();
        o.overlay.clear();
        o.files = Some(Files::open(&self.path, true)?);
        Ok(())
    }

    /// Reads the committed head and the last commit's slots again.
    fn reread(&self, o: &mut Open) -> StoreResult<()> {
        o.head = read_head(&self.path)?;
        if o.head.layout > LAYOUT {
            return Err(StoreError::NewerSchema {
                found: o.head.layout,
                known: LAYOUT,
            });
        }
        if o.head.bulk {
            return Err(StoreError::Interrupted);
        }
        if o.files.is_none() && self.path.join(HEAD).exists() {
            o.files = Some(Files::open(&self.path, false)?);
        }
        o.overlay = match &o.files {
            Some(f) => {
                f.check_lengths(&o.head.lens, &self.path)?;
                last_slots(f, &o.head.lens)?
            }
            None => HashMap::new(),
        };
        Ok(())
    }

    /// Makes this process the log's only user, for a write: lets go of the shared lock, takes
    /// the exclusive one (waiting for readers), reads what others committed meanwhile, cuts off
    /// what a killed writer left past the committed lengths and brings the slots up to date.
    fn exclusive(&self, o: &mut Open) -> StoreResult<()> {
        if o.exclusive {
            return Ok(());
        }
        fs2::FileExt::unlock(&self.lock).map_err(io)?;
        if let Err(e) = self.take_lock(true) {
            // Stay a reader, of what is committed now: another process may have written
            // while this one held no lock.
            self.take_lock(false)?;
            self.reread(o)?;
            return Err(e);
        }
        o.files = Some(Files::open(&self.path, true)?);
        self.reread(o)?;
        let files = o.files.as_ref().expect("opened above");
        files.cut_to(&o.head.lens, &self.path)?;
        files.cut_slots(o.head.next_id)?;
        files.write_slots(&o.overlay)?;
        o.exclusive = true;
        Ok(())
    }

    /// The slot of a ticket, if it has one.
    fn slot(&self, o: &Open, id: TicketId) -> StoreResult<Option<Slot>> {
        if let Some(s) = o.overlay.get(&id) {
            return Ok(Some(*s));
        }
        let Some(f) = &o.files else { return Ok(None) };
        if id >= o.head.next_id {
            return Ok(None);
        }
        f.slot(id, o.head.lens.states)
    }

    fn stored_in(&self, o: &Open, id: TicketId) -> StoreResult<Option<Stored>> {
        let Some(slot) = self.slot(o, id)? else {
            return Ok(None);
        };
        let f = o.files.as_ref().ok_or_else(|| cut("the states"))?;
        f.state(id, &slot).map(Some)
    }

    fn stored(&self, id: TicketId) -> StoreResult<Option<Stored>> {
        let o = self.state();
        self.stored_in(&o, id)
    }

    /// Every ticket's slot, in id order, the last commit's included.
    fn all_slots(&self, o: &Open) -> StoreResult<Vec<(TicketId, Slot)>> {
        let mut out = match &o.files {
            Some(f) => f.slots(o.head.next_id, o.head.lens.states)?,
            None => Vec::new(),
        };
        if !o.overlay.is_empty() {
            let mut by_id: std::collections::BTreeMap<TicketId, Slot> = out.into_iter().collect();
            by_id.extend(o.overlay.iter().map(|(k, v)| (*k, *v)));
            out = by_id.into_iter().collect();
        }
        Ok(out)
    }

    fn months(&self, t: &Ticket) -> Vec<u32> {
        super::breach_months(&*self.indexer, t)
    }
}

/// The slots of the state records in the last commit, read from the records themselves.
fn last_slots(f: &Files, lens: &Lens) -> StoreResult<HashMap<TicketId, Slot>> {
    let mut out = HashMap::new();
    let mut at = lens.slots_from;
    while at < lens.states {
        let (id, len, stored) = f.state_record(at, lens.states)?;
        out.insert(id, Slot::of(at, len, &stored));
        at += len as u64;
    }
    Ok(out)
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(e)
}

fn cut(what: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} of the log are cut short"))
}
