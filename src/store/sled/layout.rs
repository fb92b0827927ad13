//! How the log, the states and the head are laid out in sled's trees (see the module above).

use super::*;

pub(super) fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Schema 2's `by_ticket` key: ticket id ‖ event number.
pub(super) fn event_key(id: TicketId, seq: u32) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..8].copy_from_slice(&id.to_be_bytes());
    k[8..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// Events per key of the `log` tree.
pub(super) const BLOCK: u64 = 16;

/// The block of a log position (from 1) and the record's place in it.
pub(super) fn block_of(pos: u64) -> (u64, usize) {
    ((pos - 1) / BLOCK, ((pos - 1) % BLOCK) as usize)
}

/// Appends a record to a block's bytes.
pub(super) fn push_record(block: &mut Vec<u8>, hash: &Hash, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).expect("an event is far smaller than 4 GB");
    block.extend_from_slice(&len.to_be_bytes());
    block.extend_from_slice(hash);
    block.extend_from_slice(bytes);
}

/// One record of a block: its hash, its canonical event bytes, and its byte range in the block.
pub(super) type BlockRecord<'a> = (Hash, &'a [u8], std::ops::Range<usize>);

/// The records of a block, in log order.
pub(super) fn records(block: &[u8]) -> StoreResult<Vec<BlockRecord<'_>>> {
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

pub(super) fn breach_key(month: u32, id: TicketId) -> [u8; 12] {
    let mut k = [0u8; 12];
    k[..4].copy_from_slice(&month.to_be_bytes());
    k[4..].copy_from_slice(&id.to_be_bytes());
    k
}

/// The `active` month of a ticket not resolved.
pub(super) const UNRESOLVED: u32 = u32::MAX;

pub(super) fn utc_month(t: DateTime<Utc>) -> u32 {
    crate::calendar::yyyymm(t.date_naive())
}

pub(super) fn next_month(m: u32) -> u32 {
    if m % 100 >= 12 {
        (m / 100 + 1) * 100 + 1
    } else {
        m + 1
    }
}

/// The `active` keys of a ticket (see the module's doc).
pub(super) fn active_keys(t: &Ticket) -> Vec<[u8; 12]> {
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

pub(super) fn read_u64(b: &[u8]) -> StoreResult<u64> {
    b.get(..8)
        .and_then(|s| s.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| StoreError::Corrupt("a number is cut short".into()))
}

pub(super) fn head_value(n: u64, h: &Hash) -> Vec<u8> {
    let mut v = Vec::with_capacity(40);
    v.extend_from_slice(&n.to_be_bytes());
    v.extend_from_slice(h);
    v
}

pub(super) fn parse_head(v: Option<&[u8]>) -> StoreResult<(u64, Hash)> {
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

pub(super) fn record_value(hash: &Hash, bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(32 + bytes.len());
    v.extend_from_slice(hash);
    v.extend_from_slice(bytes);
    v
}

pub(super) fn split_record(v: &[u8]) -> StoreResult<(Hash, &[u8])> {
    if v.len() < 32 {
        return Err(StoreError::Corrupt("a stored event is cut short".into()));
    }
    let mut h = [0u8; 32];
    h.copy_from_slice(&v[..32]);
    Ok((h, &v[32..]))
}

pub(super) fn encode(s: &Stored) -> Vec<u8> {
    serde_json::to_vec(s).expect("a ticket always serializes")
}

pub(super) fn decode(b: &[u8]) -> StoreResult<Stored> {
    serde_json::from_slice(b).map_err(|e| StoreError::Corrupt(format!("a ticket's state: {e}")))
}

pub(super) type Tx<T> = Result<T, ConflictableTransactionError<StoreError>>;

pub(super) fn abort<T>(e: StoreError) -> Tx<T> {
    Err(ConflictableTransactionError::Abort(e))
}

pub(super) fn from_tx(e: TransactionError<StoreError>) -> StoreError {
    match e {
        TransactionError::Abort(e) => e,
        TransactionError::Storage(e) => StoreError::Sled(e),
    }
}

/// Turns a failed read inside a transaction into an abort with a store error.
pub(super) fn tx_ok<T>(r: StoreResult<T>) -> Tx<T> {
    r.map_err(ConflictableTransactionError::Abort)
}

/// The writes of one event: its record in the log's last block and the head. Returns the
/// event's log position (for the ticket's state).
pub(super) fn write_event(
    lg_t: &TransactionalTree,
    me_t: &TransactionalTree,
    event: &Event,
) -> Tx<u64> {
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
