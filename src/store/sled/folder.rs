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

impl SledStore {
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
            // sled's own cache size for the copy: with frist's smaller one, the rewrite of a
            // million imported tickets grew the copy to 4.8 GB (2.9 GB with sled's default).
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
        std::mem::forget(config(&path).open()?);
        Ok(())
    }
}
