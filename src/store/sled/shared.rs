//! One sled log, several processes: the board and the CLI take turns.
//!
//! sled 0.34 takes an exclusive lock on its data file for as long as a `Db` lives, so only one
//! process can have the log open. A process that finds it held waits for it
//! ([`SledStore::open_waiting`]); the board holds it only for a turn of reading or writing and
//! lets go of it after ([`SledStore::release`]).
//!
//! Every write publishes the log's head (its number of events) in a small file beside sled's
//! own, [`HEAD_FILE`], after the write is on disk. A board reads that file — without the log —
//! a few times a second; when the number moved, it opens the log and reads the tickets of the
//! events after the number it saw ([`SledStore::changed_since`]), not the whole log.

use super::*;
use std::time::{Duration, Instant};

/// The file in the log's folder that holds the number of events in the log, written after
/// every write.
pub const HEAD_FILE: &str = "frist-head";

/// How long a waiting open sleeps between its tries, at most.
const MAX_PAUSE: Duration = Duration::from_millis(50);

/// After this long, a waiting open tells the user it waits.
const SAY_AFTER: Duration = Duration::from_secs(1);

impl SledStore {
    /// [`SledStore::open`], waiting up to `wait` while another process holds the log. `waiting`
    /// is called once, when it has waited for a second (to tell the user); the error after
    /// `wait` is [`StoreError::Locked`].
    pub fn open_waiting(
        path: &Path,
        wait: Duration,
        waiting: &mut dyn FnMut(),
    ) -> StoreResult<SledStore> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        let mut said = false;
        loop {
            match SledStore::open(path) {
                Err(StoreError::Locked(p)) => {
                    let waited = start.elapsed();
                    if waited >= wait {
                        return Err(StoreError::Locked(p));
                    }
                    if waited >= SAY_AFTER && !said {
                        said = true;
                        waiting();
                    }
                    std::thread::sleep(pause.min(wait - waited));
                    pause = (pause * 2).min(MAX_PAUSE);
                }
                r => return r,
            }
        }
    }

    /// Flushes, then lets go of the database and its lock, for a process that goes on (the
    /// board between its turns). Unlike [`SledStore::close`], sled's teardown runs.
    pub fn release(self) -> StoreResult<()> {
        self.flush()?;
        drop(self);
        Ok(())
    }

    /// [`SledStore::release`] with sled's teardown on another thread: it walks every page
    /// (tens of milliseconds on a log of ten thousand tickets, half a second on a million), and
    /// the board should not wait for it. The flush is done before this returns; the lock goes
    /// when the teardown ends (an open meanwhile, in this process too, waits for it).
    pub fn release_in_background(self) -> StoreResult<()> {
        self.flush()?;
        std::thread::spawn(move || drop(self));
        Ok(())
    }

    /// Makes what was written durable and tells other processes: sled's flush, then an fsync
    /// of its data file (sled 0.34 flushes with `sync_file_range`, which does not write the
    /// file's metadata nor the disk's cache: sled issue #1452), then the head in
    /// [`HEAD_FILE`].
    pub(super) fn flush(&self) -> StoreResult<()> {
        let io = |e: std::io::Error| StoreError::Sled(sled::Error::Io(e));
        self.db.flush()?;
        std::fs::File::open(self.path.join("db"))
            .and_then(|f| f.sync_data())
            .map_err(io)?;
        let (n, _) = parse_head(self.meta.get(HEAD)?.as_deref())?;
        publish_head(&self.path, n);
        Ok(())
    }

    /// The tickets with an event after log position `seen`, and the log's head. Reads only the
    /// log's blocks from `seen` on.
    pub fn changed_since(&self, seen: u64) -> StoreResult<(u64, Vec<TicketId>)> {
        #[derive(Deserialize)]
        struct Only {
            ticket: TicketId,
        }
        let mut ids = BTreeSet::new();
        let mut head = seen;
        let from = block_of(seen.max(1)).0;
        for kv in self.log.range(u64_key(from)..) {
            let (k, v) = kv?;
            let first = read_u64(&k)? * BLOCK + 1;
            for (pos, (_, bytes, _)) in (first..).zip(records(&v)?) {
                head = head.max(pos);
                if pos > seen {
                    let e: Only = serde_json::from_slice(bytes)
                        .map_err(|e| StoreError::Corrupt(format!("event {pos}: {e}")))?;
                    ids.insert(e.ticket);
                }
            }
        }
        Ok((head, ids.into_iter().collect()))
    }
}

/// Writes the log's head into [`HEAD_FILE`]. Only a hint for boards: a failure is ignored (a
/// board then sees the change with the next write).
pub(super) fn publish_head(path: &Path, n: u64) {
    use std::io::Write;
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    // Private like the log's own files (issue 13 point 8), also when it is made here.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    if let Ok(mut f) = open.open(path.join(HEAD_FILE)) {
        let _ = f.write_all(n.to_string().as_bytes());
    }
}

/// The head the log's last write published, read without opening the log; `None` when no
/// write published one yet (or the file is being written).
pub fn published_head(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path.join(HEAD_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()
}
