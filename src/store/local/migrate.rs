//! Moving a log that an earlier frist kept in sled (schema 1–5) into this layout, once.

use super::*;
use crate::store::{SledStore, Store};

/// The folder, inside the log's, where sled's files are put once their log has moved.
pub const SLED_KEPT: &str = "sled-schema-5";

/// Moves the sled log in `store`'s folder into the store: every event, linked anew and
/// compared link by link with sled's chain, the contract versions, measurements and the
/// classifier's model. sled's files are then moved into [`SLED_KEPT`], untouched. Returns
/// whether it moved anything (another process may have done it meanwhile).
pub(super) fn from_sled(store: &LocalStore) -> StoreResult<bool> {
    let path = store.path.clone();
    store.take_lock_alone()?;
    let head = match path.join(HEAD).exists() {
        true => read_head(&path).ok(),
        false => None,
    };
    if head.as_ref().is_some_and(|h| !h.bulk) {
        // Moved, but killed before sled's files were set aside: only that is left to do.
        set_aside(&path)?;
        return Ok(false);
    }
    // A move killed half-way left its own files: they are only a start, begin again.
    let _ = std::fs::remove_file(path.join(HEAD));
    let old = SledStore::open(&path)?;
    let mut load = match store.bulk() {
        Err(StoreError::NotEmpty) => return Ok(false),
        r => r?,
    };
    let mut moved = old.for_each_event(&mut |r| {
        let hash = load.push(&r.event)?;
        if hash != r.hash {
            return Err(StoreError::Corrupt(format!(
                "event {} links differently than in the sled log; run `frist verify` with the frist that wrote it",
                r.n
            )));
        }
        Ok(())
    });
    let mut lines = |name: &str, items: Vec<serde_json::Value>| -> StoreResult<()> {
        let mut b = Vec::new();
        for v in items {
            serde_json::to_writer(&mut b, &v).expect("a line serializes");
            b.push(b'\n');
        }
        if b.is_empty() {
            return Ok(());
        }
        let f = file(&path, name, true).map_err(io)?;
        f.set_len(0).map_err(io)?;
        super::at::At::write_all_at(&f, &b, 0).map_err(io)?;
        f.sync_data().map_err(io)?;
        *lines_len_mut(&mut load.o.head.lens, name) = b.len() as u64;
        Ok(())
    };
    if moved.is_ok() {
        moved = old
            .contract_versions()
            .and_then(|v| lines(CONTRACTS, v.iter().map(value).collect()));
    }
    if moved.is_ok() {
        let (from, to) = (
            chrono::DateTime::<chrono::Utc>::MIN_UTC,
            chrono::DateTime::<chrono::Utc>::MAX_UTC,
        );
        moved = old
            .measurements(from, to)
            .and_then(|v| lines(MEASUREMENTS, v.iter().map(value).collect()));
    }
    if moved.is_ok() {
        if let Some(m) = old.classifier_model()? {
            moved = write_model(&path, &m);
        }
    }
    if let Err(e) = moved {
        // Nothing moved: without a head the folder is still the sled log, and the next
        // command tries again (and says why it cannot).
        load.abandon();
        let _ = std::fs::remove_file(path.join(HEAD));
        return Err(e);
    }
    load.finish()?;
    old.release()?;
    set_aside(&path)?;
    Ok(true)
}

/// Moves sled's files into [`SLED_KEPT`], as they are: `conf` and `db` last, so that a move
/// killed half-way is still seen (and finished) by the next command. Nothing in the kept
/// folder is replaced.
fn set_aside(path: &Path) -> StoreResult<()> {
    let kept = path.join(SLED_KEPT);
    std::fs::create_dir_all(&kept).map_err(io)?;
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .filter(|n| {
            let n = n.to_string_lossy();
            n == "conf" || n == "db" || n == "blobs" || n.starts_with("snap.")
        })
        .collect();
    names.sort_by_key(|n| n == "conf" || n == "db");
    for name in names {
        let to = kept.join(&name);
        if to.exists() {
            return Err(StoreError::BadInput(format!(
                "{} is already there; move the folder {} aside and run the command again",
                to.display(),
                kept.display()
            )));
        }
        std::fs::rename(path.join(&name), to).map_err(io)?;
    }
    Ok(())
}

/// Anything serializable, as a JSON value.
fn value<T: serde::Serialize>(x: &T) -> serde_json::Value {
    serde_json::to_value(x).expect("a value serializes")
}
