//! The files of the embedded log, read and written at offsets (see the module above).

use super::at::At;
use super::*;
use std::fs::OpenOptions;

pub(super) const HEAD: &str = "head";
const HEAD_TMP: &str = "head.tmp";
const LOCK: &str = "lock";
pub(super) const EVENTS: &str = "events";
pub(super) const POS: &str = "events.pos";
pub(super) const STATES: &str = "states";
pub(super) const SLOTS: &str = "slots";
pub(super) const MUNICIPALITIES: &str = "municipalities";
pub(super) const MESSAGES: &str = "messages";
pub(super) const CONTRACTS: &str = "contracts";
pub(super) const MEASUREMENTS: &str = "measurements";
pub(super) const MODEL: &str = "model.json";
const MODEL_TMP: &str = "model.json.tmp";

/// Every file the log keeps in its folder (for removing what a refused first command made).
pub const NAMES: &[&str] = &[
    HEAD,
    HEAD_TMP,
    LOCK,
    EVENTS,
    POS,
    STATES,
    SLOTS,
    MUNICIPALITIES,
    MESSAGES,
    CONTRACTS,
    MEASUREMENTS,
    MODEL,
    MODEL_TMP,
    super::tx::HEAD_FILE,
];

/// Bytes of a slot.
pub(super) const SLOT: u64 = 32;

/// Bytes of an entry in `slots`: the ticket id (u64 BE) ‖ its slot. The entries are sorted by
/// id (ids only grow: a new ticket's entry goes at the end), so a lookup is a binary search
/// and an imported log's sparse ids cost nothing.
pub(super) const ENTRY: u64 = 8 + SLOT;

/// The `to` month of a ticket not resolved.
pub(super) const UNRESOLVED: u32 = u32::MAX;

/// Where a ticket's newest state is, and what the indexes need of it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Slot {
    /// The state record's offset in `states` and its length (0: no ticket).
    pub off: u64,
    pub len: u32,
    /// Not closed.
    pub open: bool,
    /// The first and last month (yyyymm, UTC) the ticket was active; `to` is [`UNRESOLVED`]
    /// while it is not resolved.
    pub from: u32,
    pub to: u32,
    /// Its first and last breach month (0: none).
    pub bmin: u32,
    pub bmax: u32,
}

pub(super) fn utc_month(t: chrono::DateTime<chrono::Utc>) -> u32 {
    crate::calendar::yyyymm(t.date_naive())
}

impl Slot {
    pub fn of(off: u64, len: u32, s: &Stored) -> Slot {
        let t = &s.ticket;
        Slot {
            off,
            len,
            open: t.state != crate::ticket::State::Closed,
            from: utc_month(t.reported),
            to: t
                .resolved
                .map_or(UNRESOLVED, |r| utc_month(r.max(t.reported))),
            bmin: s.breach_months.iter().copied().min().unwrap_or(0),
            bmax: s.breach_months.iter().copied().max().unwrap_or(0),
        }
    }

    /// Whether its record lies inside the committed states (false on any overflow).
    pub fn within(&self, states_len: u64) -> bool {
        self.off
            .checked_add(self.len as u64)
            .is_some_and(|end| end <= states_len)
    }

    fn encode(&self) -> [u8; SLOT as usize] {
        let mut b = [0u8; SLOT as usize];
        b[..8].copy_from_slice(&self.off.to_be_bytes());
        b[8..12].copy_from_slice(&self.len.to_be_bytes());
        b[12..16].copy_from_slice(&u32::from(self.open).to_be_bytes());
        b[16..20].copy_from_slice(&self.from.to_be_bytes());
        b[20..24].copy_from_slice(&self.to.to_be_bytes());
        b[24..28].copy_from_slice(&self.bmin.to_be_bytes());
        b[28..32].copy_from_slice(&self.bmax.to_be_bytes());
        b
    }

    fn decode(b: &[u8]) -> Slot {
        let u32_at = |i: usize| u32::from_be_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        Slot {
            off: u64::from_be_bytes(b[..8].try_into().expect("8 bytes")),
            len: u32_at(8),
            open: u32_at(12) != 0,
            from: u32_at(16),
            to: u32_at(20),
            bmin: u32_at(24),
            bmax: u32_at(28),
        }
    }

    /// An entry of `slots`.
    pub fn entry(id: TicketId, s: &Slot) -> [u8; ENTRY as usize] {
        let mut b = [0u8; ENTRY as usize];
        b[..8].copy_from_slice(&id.to_be_bytes());
        b[8..].copy_from_slice(&s.encode());
        b
    }

    fn from_entry(b: &[u8]) -> (TicketId, Slot) {
        (
            u64::from_be_bytes(b[..8].try_into().expect("8 bytes")),
            Slot::decode(&b[8..]),
        )
    }
}

/// Opens (creating, for a writer) a file of the log, private to its owner.
pub(super) fn file(path: &Path, name: &str, write: bool) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true);
    if write {
        o.write(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.mode(0o600);
        }
    }
    o.open(path.join(name))
}

pub(super) fn lock_file(path: &Path) -> StoreResult<File> {
    file(path, LOCK, true).map_err(io)
}

/// The committed head; an empty log's when there is none yet.
pub(super) fn read_head(path: &Path) -> StoreResult<Head> {
    match std::fs::read(path.join(HEAD)) {
        Ok(b) => serde_json::from_slice(&b).map_err(|_| StoreError::Damaged(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Head::default()),
        Err(e) => Err(io(e)),
    }
}

/// Writes `bytes` to `name.tmp`, syncs it and renames it over `name`, then syncs the folder:
/// the file is either the old one or the new one, whatever happens.
pub(super) fn replace(path: &Path, name: &str, tmp: &str, bytes: &[u8]) -> StoreResult<()> {
    let f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path.join(tmp))
        .map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = f.set_permissions(std::fs::Permissions::from_mode(0o600));
    }
    f.write_all_at(bytes, 0).map_err(io)?;
    f.sync_data().map_err(io)?;
    std::fs::rename(path.join(tmp), path.join(name)).map_err(io)?;
    // The rename is durable once the folder is (a folder cannot be opened so on Windows).
    #[cfg(unix)]
    File::open(path).and_then(|d| d.sync_all()).map_err(io)?;
    Ok(())
}

/// Commits a head.
pub(super) fn write_head(path: &Path, head: &Head) -> StoreResult<()> {
    let bytes = serde_json::to_vec(head).expect("a head serializes");
    replace(path, HEAD, HEAD_TMP, &bytes)
}

pub(super) fn write_model(path: &Path, json: &[u8]) -> StoreResult<()> {
    replace(path, MODEL, MODEL_TMP, json)
}

/// The appended JSON-lines files and their committed lengths.
pub(super) fn lines_len(lens: &Lens, name: &str) -> u64 {
    match name {
        MUNICIPALITIES => lens.municipalities,
        MESSAGES => lens.messages,
        CONTRACTS => lens.contracts,
        _ => lens.measurements,
    }
}

pub(super) fn lines_len_mut<'a>(lens: &'a mut Lens, name: &str) -> &'a mut u64 {
    match name {
        MUNICIPALITIES => &mut lens.municipalities,
        MESSAGES => &mut lens.messages,
        CONTRACTS => &mut lens.contracts,
        _ => &mut lens.measurements,
    }
}

pub(super) const LINES: [&str; 4] = [MUNICIPALITIES, MESSAGES, CONTRACTS, MEASUREMENTS];

/// The committed lines of a JSON-lines file, parsed.
pub(super) fn read_lines<T: serde::de::DeserializeOwned>(
    path: &Path,
    lens: &Lens,
    name: &str,
) -> StoreResult<Vec<T>> {
    let len = lines_len(lens, name);
    if len == 0 {
        return Ok(Vec::new());
    }
    let f = file(path, name, false).map_err(io)?;
    if f.metadata().map_err(io)?.len() < len {
        return Err(cut(name));
    }
    let mut b = vec![0u8; len as usize];
    f.read_exact_at(&mut b, 0).map_err(|_| cut(name))?;
    b.split(|c| *c == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            serde_json::from_slice(l)
                .map_err(|e| StoreError::Corrupt(format!("a line of the log's {name}: {e}")))
        })
        .collect()
}

/// The log's main files.
pub(super) struct Files {
    pub events: File,
    pub pos: File,
    pub states: File,
    pub slots: File,
}

impl Files {
    pub fn open(path: &Path, write: bool) -> StoreResult<Files> {
        let open = |n: &str| {
            file(path, n, write).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => StoreError::Damaged(path.to_path_buf()),
                _ => io(e),
            })
        };
        Ok(Files {
            events: open(EVENTS)?,
            pos: open(POS)?,
            states: open(STATES)?,
            slots: open(SLOTS)?,
        })
    }

    /// Refuses a log whose files are shorter than what was committed (cut or replaced).
    pub fn check_lengths(&self, lens: &Lens, path: &Path) -> StoreResult<()> {
        let len = |f: &File| f.metadata().map(|m| m.len()).map_err(io);
        if len(&self.events)? < lens.events
            || len(&self.pos)? < lens.pos
            || len(&self.states)? < lens.states
        {
            return Err(StoreError::Damaged(path.to_path_buf()));
        }
        Ok(())
    }

    /// Cuts off what a writer killed before its commit left past the committed lengths.
    pub fn cut_to(&self, lens: &Lens, path: &Path) -> StoreResult<()> {
        for (f, l) in [
            (&self.events, lens.events),
            (&self.pos, lens.pos),
            (&self.states, lens.states),
        ] {
            if f.metadata().map_err(io)?.len() > l {
                f.set_len(l).map_err(io)?;
            }
        }
        for name in LINES {
            let l = lines_len(lens, name);
            if let Ok(f) = file(path, name, true) {
                if f.metadata().map_err(io)?.len() > l {
                    f.set_len(l).map_err(io)?;
                }
            }
        }
        Ok(())
    }

    /// How many whole entries `slots` holds (a torn last one is not counted).
    fn entries(&self) -> StoreResult<u64> {
        Ok(self.slots.metadata().map_err(io)?.len() / ENTRY)
    }

    fn entry_at(&self, i: u64) -> StoreResult<(TicketId, Slot)> {
        let mut b = [0u8; ENTRY as usize];
        self.slots
            .read_exact_at(&mut b, i * ENTRY)
            .map_err(|_| cut("the ticket index"))?;
        Ok(Slot::from_entry(&b))
    }

    /// Where a ticket's entry is in `slots`, by binary search.
    fn find(&self, id: TicketId, count: u64) -> StoreResult<Result<(u64, Slot), u64>> {
        let (mut lo, mut hi) = (0, count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (found, slot) = self.entry_at(mid)?;
            match found.cmp(&id) {
                std::cmp::Ordering::Equal => return Ok(Ok((mid, slot))),
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        Ok(Err(lo))
    }

    /// Writes slots in place (a new ticket's at the end) and syncs them.
    pub fn write_slots(&self, slots: &HashMap<TicketId, Slot>) -> StoreResult<()> {
        if slots.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<&TicketId> = slots.keys().collect();
        ids.sort_unstable();
        let mut count = self.entries()?;
        for id in ids {
            let at = match self.find(*id, count)? {
                Ok((i, _)) => i,
                Err(i) if i == count => {
                    count += 1;
                    i
                }
                Err(_) => {
                    return Err(StoreError::Corrupt(format!(
                        "ticket {id} is new but the index has later tickets"
                    )))
                }
            };
            self.slots
                .write_all_at(&Slot::entry(*id, &slots[id]), at * ENTRY)
                .map_err(io)?;
        }
        self.slots.sync_data().map_err(io)
    }

    /// Cuts off what a writer killed while it wrote new tickets' entries left at the end of
    /// `slots`: a torn entry, or whole ones out of order or past `next_id` (a power loss may
    /// leave zeros). The last commit's entries are written again from its states.
    pub fn cut_slots(&self, next_id: u64) -> StoreResult<()> {
        let mut count = self.entries()?;
        while count > 0 {
            let (id, _) = self.entry_at(count - 1)?;
            let before = match count {
                1 => None,
                _ => Some(self.entry_at(count - 2)?.0),
            };
            if id < next_id && before.is_none_or(|b| b < id) {
                break;
            }
            count -= 1;
        }
        if self.slots.metadata().map_err(io)?.len() != count * ENTRY {
            self.slots.set_len(count * ENTRY).map_err(io)?;
        }
        Ok(())
    }

    pub fn slot(&self, id: TicketId, states_len: u64) -> StoreResult<Option<Slot>> {
        let Ok((_, s)) = self.find(id, self.entries()?)? else {
            return Ok(None);
        };
        if !s.within(states_len) {
            return Err(StoreError::Corrupt(format!(
                "ticket {id}: its slot points past the committed states"
            )));
        }
        Ok(Some(s))
    }

    /// Every ticket's slot below `next_id`, in id order, read a megabyte at a time.
    pub fn slots(&self, next_id: u64, states_len: u64) -> StoreResult<Vec<(TicketId, Slot)>> {
        let end = self.entries()? * ENTRY;
        let mut out = Vec::new();
        let mut at = 0;
        let mut last: Option<TicketId> = None;
        let mut buf = vec![0u8; (1 << 20) / ENTRY as usize * ENTRY as usize];
        while at < end {
            let n = ((end - at) as usize).min(buf.len());
            self.slots.read_exact_at(&mut buf[..n], at).map_err(io)?;
            for c in buf[..n].chunks_exact(ENTRY as usize) {
                let (id, s) = Slot::from_entry(c);
                if id == 0 || id >= next_id {
                    // Left by a writer killed while it wrote a new ticket's entry (cut off by
                    // the next writer), or not committed yet.
                    continue;
                }
                if last.is_some_and(|l| l >= id) {
                    return Err(StoreError::Corrupt(format!(
                        "the ticket index is out of order or lists ticket {id} twice"
                    )));
                }
                last = Some(id);
                if !s.within(states_len) {
                    return Err(StoreError::Corrupt(format!(
                        "ticket {id}: its slot points past the committed states"
                    )));
                }
                out.push((id, s));
            }
            at += n as u64;
        }
        Ok(out)
    }

    pub fn read(&self, f: &File, off: u64, len: usize, what: &str) -> StoreResult<Vec<u8>> {
        let mut b = vec![0u8; len];
        f.read_exact_at(&mut b, off).map_err(|_| cut(what))?;
        Ok(b)
    }

    /// The state record at `at` (before `end`): its ticket id, length and state.
    pub fn state_record(&self, at: u64, end: u64) -> StoreResult<(TicketId, u32, Stored)> {
        if at.checked_add(12).is_none_or(|e| e > end) {
            return Err(cut("the states"));
        }
        let h = self.read(&self.states, at, 12, "the states")?;
        let len = u32::from_be_bytes(h[..4].try_into().expect("4 bytes"));
        let id = u64::from_be_bytes(h[4..12].try_into().expect("8 bytes"));
        let total = 12 + len as u64;
        if at.checked_add(total).is_none_or(|e| e > end) {
            return Err(cut("the states"));
        }
        let b = self.read(&self.states, at + 12, len as usize, "the states")?;
        Ok((id, total as u32, decode_state(id, &b)?))
    }

    pub fn state(&self, id: TicketId, slot: &Slot) -> StoreResult<Stored> {
        let b = self.read(&self.states, slot.off, slot.len as usize, "the states")?;
        let found = u64::from_be_bytes(
            b.get(4..12)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| cut("the states"))?,
        );
        if found != id {
            return Err(StoreError::Corrupt(format!(
                "ticket {id}: its slot points at ticket {found}'s state"
            )));
        }
        decode_state(id, &b[12..])
    }

    /// The byte offsets in `events` of these log positions.
    pub fn offsets(&self, positions: &[u64], events: u64) -> StoreResult<Vec<u64>> {
        let mut out = Vec::with_capacity(positions.len());
        // A ticket's events are often near each other: read runs of offsets at once.
        let mut i = 0;
        while i < positions.len() {
            let first = positions[i];
            let mut last = first;
            let mut j = i + 1;
            while j < positions.len() && positions[j] > last && positions[j] - first < 512 {
                last = positions[j];
                j += 1;
            }
            if first == 0 || last > events {
                return Err(StoreError::Corrupt(format!(
                    "a log position {last} past the log's {events} events"
                )));
            }
            let b = self.read(
                &self.pos,
                (first - 1) * 8,
                ((last - first + 1) * 8) as usize,
                "the event positions",
            )?;
            for p in &positions[i..j] {
                let k = ((p - first) * 8) as usize;
                out.push(u64::from_be_bytes(b[k..k + 8].try_into().expect("8 bytes")));
            }
            i = j;
        }
        Ok(out)
    }

    /// The event record at `off` (before `end`): its hash and canonical bytes.
    pub fn event_record(&self, off: u64, end: u64) -> StoreResult<(Hash, Vec<u8>)> {
        if off.checked_add(36).is_none_or(|e| e > end) {
            return Err(cut("the events"));
        }
        let h = self.read(&self.events, off, 36, "the events")?;
        let len = u32::from_be_bytes(h[..4].try_into().expect("4 bytes")) as u64;
        // off + 36 <= end (above) and len < 2^32: no overflow.
        if off + 36 + len > end {
            return Err(cut("the events"));
        }
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&h[4..36]);
        Ok((
            hash,
            self.read(&self.events, off + 36, len as usize, "the events")?,
        ))
    }
}

pub(super) fn encode_state(id: TicketId, s: &Stored, out: &mut Vec<u8>) -> u32 {
    let json = serde_json::to_vec(s).expect("a ticket always serializes");
    let len = u32::try_from(json.len()).expect("a ticket's state is far smaller than 4 GB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&json);
    12 + len
}

fn decode_state(id: TicketId, b: &[u8]) -> StoreResult<Stored> {
    serde_json::from_slice(b)
        .map_err(|e| StoreError::Corrupt(format!("ticket {id}: its state: {e}")))
}

pub(super) fn encode_event(hash: &Hash, bytes: &[u8], out: &mut Vec<u8>) {
    let len = u32::try_from(bytes.len()).expect("an event is far smaller than 4 GB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(hash);
    out.extend_from_slice(bytes);
}
