//! One write: what it appends, committed at once (see the module above).

use super::at::At;
use super::*;
use crate::ticket::Event;

/// A write being built: the bytes it appends to each file and the head it commits.
pub(super) struct Tx {
    /// The head this write commits (the committed one, changed as the write goes).
    pub head: Head,
    base: Lens,
    events: Vec<u8>,
    pos: Vec<u8>,
    states: Vec<u8>,
    slots: HashMap<TicketId, Slot>,
    lines: [Vec<u8>; 4],
}

impl Tx {
    fn new(head: &Head) -> Tx {
        Tx {
            head: head.clone(),
            base: head.lens.clone(),
            events: Vec::new(),
            pos: Vec::new(),
            states: Vec::new(),
            slots: HashMap::new(),
            lines: Default::default(),
        }
    }

    /// Links an event into the chain; returns its log position.
    pub fn event(&mut self, event: &Event) -> u64 {
        let bytes = chain::canonical(event);
        let hash = chain::link(&self.head.hash, &bytes);
        let off = self.base.events + self.events.len() as u64;
        encode_event(&hash, &bytes, &mut self.events);
        self.pos.extend_from_slice(&off.to_be_bytes());
        self.head.events += 1;
        self.head.hash = hash;
        if let Some(id) = crate::mail::message_id_of(&event.kind) {
            self.line(MESSAGES, &(id, event.ticket, event.seq));
        }
        self.head.events
    }

    /// Keeps a ticket's new state.
    pub fn state(&mut self, id: TicketId, stored: &Stored) {
        let off = self.base.states + self.states.len() as u64;
        let len = encode_state(id, stored, &mut self.states);
        self.slots.insert(id, Slot::of(off, len, stored));
    }

    /// Appends a line to one of the JSON-lines files.
    pub fn line<T: Serialize>(&mut self, name: &str, v: &T) {
        let i = LINES.iter().position(|n| *n == name).expect("a known file");
        serde_json::to_writer(&mut self.lines[i], v).expect("a line serializes");
        self.lines[i].push(b'\n');
    }
}

impl LocalStore {
    /// Runs a write: takes the log for itself, lets `f` build the write against what is
    /// committed, and commits it when `f` succeeds (nothing is written when it fails).
    pub(super) fn write<T>(
        &self,
        f: impl FnOnce(&LocalStore, &Open, &mut Tx) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut o = self.state();
        self.exclusive(&mut o)?;
        // The last commit's slots, should writing them have failed after its commit.
        if o.pending {
            o.files
                .as_ref()
                .expect("a writer has its files open")
                .write_slots(&o.overlay)?;
            o.pending = false;
        }
        let mut tx = Tx::new(&o.head);
        let out = f(self, &o, &mut tx)?;
        self.commit(&mut o, tx)?;
        Ok(out)
    }

    /// Appends the write's bytes past the committed lengths, syncs them, commits the head
    /// (the rename), then writes the slots and tells boards.
    fn commit(&self, o: &mut Open, tx: Tx) -> StoreResult<()> {
        let files = o.files.as_ref().expect("a writer has its files open");
        let append = |f: &File, at: u64, b: &[u8]| -> StoreResult<()> {
            if b.is_empty() {
                return Ok(());
            }
            f.write_all_at(b, at).map_err(io)?;
            f.sync_data().map_err(io)
        };
        let mut head = tx.head;
        append(&files.events, tx.base.events, &tx.events)?;
        append(&files.pos, tx.base.pos, &tx.pos)?;
        append(&files.states, tx.base.states, &tx.states)?;
        for (name, bytes) in LINES.iter().zip(&tx.lines) {
            if bytes.is_empty() {
                continue;
            }
            let f = file(&self.path, name, true).map_err(io)?;
            append(&f, lines_len(&tx.base, name), bytes)?;
            *lines_len_mut(&mut head.lens, name) += bytes.len() as u64;
        }
        head.lens.events = tx.base.events + tx.events.len() as u64;
        head.lens.pos = tx.base.pos + tx.pos.len() as u64;
        head.lens.states = tx.base.states + tx.states.len() as u64;
        head.lens.slots_from = tx.base.states;
        write_head(&self.path, &head)?;
        o.head = head;
        o.overlay = tx.slots;
        o.pending = true;
        files.write_slots(&o.overlay)?;
        o.pending = false;
        publish_head(&self.path, o.head.events);
        Ok(())
    }
}

/// The file in the log's folder that holds the number of events in the log, written after
/// every commit: open boards read it a few times a second, without the log.
pub const HEAD_FILE: &str = "frist-head";

/// The head the log's last write published, read without opening the log; `None` when no
/// write published one yet (or the file is being written).
pub fn published_head(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path.join(HEAD_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Writes the log's head into [`HEAD_FILE`]. Only a hint for boards: a failure is ignored (a
/// board then sees the change with the next write).
pub(super) fn publish_head(path: &Path, n: u64) {
    use std::io::Write;
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    if let Ok(mut f) = open.open(path.join(HEAD_FILE)) {
        let _ = f.write_all(n.to_string().as_bytes());
    }
}
