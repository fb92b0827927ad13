//! Letting go of a sled log, and making its writes durable. (Since layout 6 a sled log is only
//! read, to move it into frist's own files; see `crate::store::local`.)

use super::*;

impl SledStore {
    /// Flushes, then lets go of the database and its lock, for a process that goes on (the
    /// board between its turns). Unlike [`SledStore::close`], sled's teardown runs.
    pub fn release(self) -> StoreResult<()> {
        self.flush()?;
        drop(self);
        Ok(())
    }

    /// Makes what was written durable: sled's flush, then an fsync of its data file (sled 0.34
    /// flushes with `sync_file_range`, which does not write the file's metadata nor the disk's
    /// cache: sled issue #1452).
    pub(super) fn flush(&self) -> StoreResult<()> {
        let io = |e: std::io::Error| StoreError::Sled(sled::Error::Io(e));
        self.db.flush()?;
        std::fs::File::open(self.path.join("db"))
            .and_then(|f| f.sync_data())
            .map_err(io)?;
        Ok(())
    }
}
