//! The database's folder: sled's leftover snapshot files and the rewrite into a fresh copy.

use super::*;

/// Removes the snapshot files sled did not finish writing (`snap.*.generating`) in a database
/// folder; whether there were any.
pub(super) fn remove_unfinished_snapshots(path: &Path) -> bool {
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
pub(super) fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(ext);
    PathBuf::from(p)
}

/// The newest of sled's snapshot files in the database folder `path` when it is damaged: sled
/// 0.34 writes a snapshot as its bytes ‖ their length (u64 LE) ‖ their CRC-32 (u32 LE), and
/// refuses to open when the newest one does not add up.
pub(super) fn damaged_snapshot(path: &Path) -> Option<PathBuf> {
    let mut snaps: Vec<PathBuf> = std::fs::read_dir(path)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy())
                .is_some_and(|n| n.starts_with("snap.") && !n.ends_with(".in___motion"))
        })
        .collect();
    snaps.sort();
    let newest = snaps.pop()?;
    let buf = std::fs::read(&newest).ok()?;
    let Some(body) = buf.len().checked_sub(12) else {
        return Some(newest);
    };
    let crc = u32::from_le_bytes(buf[buf.len() - 4..].try_into().ok()?);
    (crc32fast::hash(&buf[..body]) != crc).then_some(newest)
}

/// Moves a snapshot file into `<path>/damaged/`, where sled does not look for one; sled then
/// reads its page table from the log itself. Returns where it went.
pub(super) fn set_aside(path: &Path, snap: &Path) -> std::io::Result<PathBuf> {
    let dir = path.join("damaged");
    std::fs::create_dir_all(&dir)?;
    let to = dir.join(snap.file_name().unwrap_or_default());
    std::fs::rename(snap, &to)?;
    Ok(to)
}

/// Whether another process (or this one) holds the sled database in `dir` open.
fn held(dir: &Path) -> bool {
    use fs2::FileExt;
    std::fs::File::open(dir.join("db")).is_ok_and(|f| f.try_lock_exclusive().is_err())
}

/// Mends what a rewrite ([`SledStore::compact`]) killed half-way left beside the database at
/// `path`: killed between its two renames, the original is whole in `<path>.old` and is put
/// back; a partial copy in `<path>.compacting` is removed. A rewrite still running holds both
/// folders: the database is then [`StoreError::Locked`] (a waiting open waits for it).
pub(super) fn mend_rewrite(path: &Path) -> StoreResult<()> {
    let (fresh, old) = (sibling(path, ".compacting"), sibling(path, ".old"));
    if !path.exists() && old.exists() {
        if held(&old) {
            return Err(StoreError::Locked(path.to_path_buf()));
        }
        if std::fs::rename(&old, path).is_err() {
            return Err(StoreError::RewriteInterrupted {
                old,
                path: path.to_path_buf(),
            });
        }
    }
    if fresh.exists() && !held(&fresh) {
        let _ = std::fs::remove_dir_all(&fresh);
    }
    Ok(())
}

impl SledStore {
    /// Whether a copy of the log at `path` without its snapshot opens, its chain verifies and
    /// it holds at least the events the last write published. The copy is removed after.
    pub(super) fn recovers_without_snapshot(path: &Path) -> bool {
        let trial = sibling(path, ".recovering");
        let _ = std::fs::remove_dir_all(&trial);
        let copied = (|| -> std::io::Result<()> {
            std::fs::create_dir(&trial)?;
            for name in ["conf", "db"] {
                std::fs::copy(path.join(name), trial.join(name))?;
            }
            let blobs = path.join("blobs");
            if blobs.is_dir() {
                std::fs::create_dir(trial.join("blobs"))?;
                for e in std::fs::read_dir(&blobs)? {
                    let e = e?;
                    std::fs::copy(e.path(), trial.join("blobs").join(e.file_name()))?;
                }
            }
            Ok(())
        })()
        .is_ok();
        let holds = copied && SledStore::open_once(&trial).is_ok_and(|s| {
            let published = crate::store::published_head(path).unwrap_or(0);
            matches!(s.verify(), Ok(VerifyOutcome::Intact { events, .. }) if events >= published)
        });
        let _ = std::fs::remove_dir_all(&trial);
        holds
    }
}
