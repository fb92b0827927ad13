//! The local log's place on disk, around [`super::LocalStore::open`]: the folder is made private
//! (0700, its files 0600, for the log holds the municipalities' reports and who did what), a
//! path that holds no log is told apart from one that does (so that a read command does not
//! make an empty log), and what a refused first command made is removed again.

use std::io;
use std::path::{Path, PathBuf};

/// Whether `path` holds a log: one in frist's own layout (its `head`), or one an earlier
/// frist kept in sled.
pub fn holds_log(path: &Path) -> bool {
    holds_log_here(path) || holds_sled_log(path)
}

/// Whether `path` holds a log in frist's own layout.
pub fn holds_log_here(path: &Path) -> bool {
    path.join("head").is_file()
}

/// Whether `path` holds a log an earlier frist kept in sled (sled 0.34 writes `conf` and `db`
/// in its folder).
pub fn holds_sled_log(path: &Path) -> bool {
    path.join("conf").is_file() || path.join("db").is_file()
}

/// What lay at a log's path before a command opened it, so that a first command that is
/// refused leaves nothing behind ([`Before::undo`]).
#[derive(Debug)]
pub struct Before {
    path: PathBuf,
    /// The folders that did not exist, outermost first (the log's own folder last).
    missing: Vec<PathBuf>,
    had_log: bool,
}

impl Before {
    pub fn of(path: &Path) -> Before {
        let mut missing: Vec<PathBuf> = path
            .ancestors()
            .take_while(|p| !p.as_os_str().is_empty() && !p.exists())
            .map(Path::to_path_buf)
            .collect();
        missing.reverse();
        Before {
            path: path.to_path_buf(),
            missing,
            had_log: holds_log(path),
        }
    }

    /// The log's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the path held a log.
    pub fn had_log(&self) -> bool {
        self.had_log
    }

    /// Removes the log a refused first command made: the folders it created, or, in a folder
    /// that was there (empty of a log), the files sled wrote. Nothing when a log was there.
    pub fn undo(&self) {
        if self.had_log {
            return;
        }
        if self.missing.last().is_some_and(|p| p == &self.path) {
            let _ = std::fs::remove_dir_all(&self.path);
        } else if let Ok(entries) = std::fs::read_dir(&self.path) {
            for e in entries.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                let sleds = name == "conf"
                    || name == "db"
                    || name == "blobs"
                    || name.starts_with("snap.")
                    || super::LOCAL_FILES.contains(&&*name);
                if sleds {
                    let p = e.path();
                    let _ = if p.is_dir() {
                        std::fs::remove_dir_all(p)
                    } else {
                        std::fs::remove_file(p)
                    };
                }
            }
        }
        // The parents it made, innermost first, each only when empty.
        for p in self.missing.iter().rev() {
            let _ = std::fs::remove_dir(p);
        }
    }
}

/// Creates the log's folder and any missing parent, each 0700.
pub fn prepare(path: &Path) -> io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(path)
}

/// Makes the log's folder 0700 and everything in it 0700 (folders) or 0600 (files): sled
/// creates its files with the process's umask. Called after the log is opened and after it
/// is rewritten.
pub fn secure(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::symlink_metadata(path)?;
        if meta.file_type().is_symlink() {
            return Ok(());
        }
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        if meta.permissions().mode() & 0o777 != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        }
        if meta.is_dir() {
            for e in std::fs::read_dir(path)? {
                secure(&e?.path())?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undo_removes_only_what_a_first_command_made() {
        let d = tempfile::tempdir().unwrap();
        let log = d.path().join("a/b/log.sled");
        let before = Before::of(&log);
        assert!(!before.had_log());
        prepare(&log).unwrap();
        std::fs::write(log.join("conf"), "x").unwrap();
        std::fs::write(log.join("db"), "x").unwrap();
        assert!(holds_log(&log));
        before.undo();
        assert!(!d.path().join("a").exists());

        // A folder that was there stays, with what was in it; sled's files go.
        let there = d.path().join("there");
        std::fs::create_dir(&there).unwrap();
        std::fs::write(there.join("notes.txt"), "mine").unwrap();
        let before = Before::of(&there);
        std::fs::write(there.join("conf"), "x").unwrap();
        std::fs::create_dir(there.join("blobs")).unwrap();
        before.undo();
        let left: Vec<_> = std::fs::read_dir(&there)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["notes.txt"]);

        // A log that was there is never touched.
        std::fs::write(there.join("db"), "x").unwrap();
        Before::of(&there).undo();
        assert!(there.join("db").exists());
    }

    #[cfg(unix)]
    #[test]
    fn secure_makes_the_folder_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let log = d.path().join("log.sled");
        std::fs::create_dir(&log).unwrap();
        std::fs::create_dir(log.join("blobs")).unwrap();
        std::fs::write(log.join("db"), "x").unwrap();
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o755)).unwrap();
        secure(&log).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&log), 0o700);
        assert_eq!(mode(&log.join("blobs")), 0o700);
        assert_eq!(mode(&log.join("db")), 0o600);
    }
}
