//! Where checkpoints live on this machine, outside the log: the signing key and, beside it, the
//! last checkpoint of each log with the hashes it committed to (so that a later `verify` names
//! the first event that differs). The edge's side of [`super`]: it reads and writes files.
//!
//! The folder is `FRIST_KEYS` when set, else `checkpoint/` in the platform's config directory
//! (`~/.config/frist/checkpoint` on Linux). It is created 0700, its files 0600.
//!
//! ```text
//! key                       the Ed25519 secret key, hex
//! logs/<log>.json           the last checkpoint of the log whose first event has hash <log>
//! logs/<log>.hashes         the chain hashes it committed to (or the first of them), 32 bytes
//!                           each
//! places/<sha256(place)>    the log last checkpointed at a place (a sled folder, a database)
//! ```

use super::Checkpoint;
use crate::i18n::Lang;
use crate::store::chain::Hash;
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that names the checkpoint folder.
pub const ENV: &str = "FRIST_KEYS";

/// A file of the checkpoint folder that cannot be read or written.
#[derive(Debug)]
pub struct KeepError {
    pub path: PathBuf,
    pub what: String,
}

impl KeepError {
    fn io(path: &Path, e: impl std::fmt::Display) -> KeepError {
        KeepError {
            path: path.to_path_buf(),
            what: e.to_string(),
        }
    }

    pub fn message(&self, l: Lang) -> String {
        format!(
            "{} {}: {}",
            l.t("kontrolpunktets fil", "the checkpoint file"),
            self.path.display(),
            self.what
        )
    }
}

/// A checkpoint this machine made, with the hashes it committed to (all, or the first of
/// them) when they are kept.
pub type Kept = (Checkpoint, Option<Vec<Hash>>);

/// The checkpoint folder.
pub struct Keeper {
    dir: PathBuf,
}

impl Keeper {
    /// `FRIST_KEYS`, else the platform's config directory.
    pub fn locate() -> Result<Keeper, KeepError> {
        if let Some(d) = std::env::var_os(ENV).filter(|d| !d.is_empty()) {
            return Ok(Keeper::at(PathBuf::from(d)));
        }
        directories::ProjectDirs::from("dk", "frist", "frist")
            .map(|d| Keeper::at(d.config_dir().join("checkpoint")))
            .ok_or_else(|| KeepError {
                path: PathBuf::from(ENV),
                what: "no config directory found for this user; set FRIST_KEYS to a folder".into(),
            })
    }

    pub fn at(dir: PathBuf) -> Keeper {
        Keeper { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn key_file(&self) -> PathBuf {
        self.dir.join("key")
    }

    /// The signing key, made on first use.
    pub fn key(&self) -> Result<SigningKey, KeepError> {
        if let Some(k) = self.existing_key()? {
            return Ok(k);
        }
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| KeepError::io(&self.key_file(), e))?;
        let path = self.key_file();
        make_dir(&self.dir)?;
        let mut f = private_file(&path, true)?;
        f.write_all(format!("{}\n", hex::encode(secret)).as_bytes())
            .and_then(|_| f.sync_all())
            .map_err(|e| KeepError::io(&path, e))?;
        Ok(SigningKey::from_bytes(&secret))
    }

    /// The signing key if one was made.
    pub fn existing_key(&self) -> Result<Option<SigningKey>, KeepError> {
        let path = self.key_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(KeepError::io(&path, e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map_err(|e| KeepError::io(&path, e))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(KeepError::io(
                    &path,
                    format!(
                        "others may read the key (mode {:o}); run `chmod 600 {}`",
                        mode & 0o777,
                        path.display()
                    ),
                ));
            }
        }
        let mut secret = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut secret)
            .map_err(|e| KeepError::io(&path, format!("not a key: {e}")))?;
        Ok(Some(SigningKey::from_bytes(&secret)))
    }

    fn log_file(&self, log: &str, ext: &str) -> PathBuf {
        // The identity is hex from our own files or a checked checkpoint; keep it a plain name.
        let name: String = log.chars().filter(char::is_ascii_hexdigit).collect();
        self.dir.join("logs").join(format!("{name}.{ext}"))
    }

    fn place_file(&self, place: &str) -> PathBuf {
        self.dir
            .join("places")
            .join(hex::encode(Sha256::digest(place.as_bytes())))
    }

    /// The last checkpoint made of the log with this identity, with the hashes it committed
    /// to (all, or the first of them, when they are kept).
    pub fn last(&self, log: &str) -> Result<Option<Kept>, KeepError> {
        let path = self.log_file(log, "json");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(KeepError::io(&path, e)),
        };
        let cp = Checkpoint::parse(&text).map_err(|e| KeepError::io(&path, e))?;
        let hashes = std::fs::read(self.log_file(log, "hashes"))
            .ok()
            .and_then(|b| {
                (b.len() % 32 == 0 && b.len() as u64 <= cp.events * 32).then(|| {
                    b.chunks_exact(32)
                        .map(|c| c.try_into().expect("32 bytes"))
                        .collect()
                })
            });
        Ok(Some((cp, hashes)))
    }

    /// The last checkpoint made of whatever log was at `place` then.
    pub fn last_at_place(&self, place: &str) -> Result<Option<Kept>, KeepError> {
        let path = self.place_file(place);
        match std::fs::read_to_string(&path) {
            Ok(log) => self.last(log.trim()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(KeepError::io(&path, e)),
        }
    }

    /// Keeps `cp` as the last checkpoint of its log (and of `place`), with the hashes it
    /// committed to when given. Without them the hashes kept for an earlier checkpoint stay:
    /// the caller has checked that the log still holds that one, so they are the first of
    /// this one's.
    pub fn save(
        &self,
        cp: &Checkpoint,
        hashes: Option<&[Hash]>,
        place: &str,
    ) -> Result<(), KeepError> {
        if let Some(hashes) = hashes {
            let mut bytes = Vec::with_capacity(hashes.len() * 32);
            for h in hashes {
                bytes.extend_from_slice(h);
            }
            write_private(&self.log_file(&cp.log, "hashes"), &bytes)?;
        }
        write_private(
            &self.log_file(&cp.log, "json"),
            format!("{}\n", cp.to_json()).as_bytes(),
        )?;
        write_private(&self.place_file(place), cp.log.as_bytes())
    }
}

fn make_dir(dir: &Path) -> Result<(), KeepError> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(|e| KeepError::io(dir, e))
}

fn private_file(path: &Path, new: bool) -> Result<std::fs::File, KeepError> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if new {
        o.create_new(true);
    } else {
        o.create(true).truncate(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(|e| KeepError::io(path, e))
}

/// Writes a 0600 file whole or not at all (a temporary file beside it, renamed into place).
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), KeepError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    make_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".frist-")
        .tempfile_in(dir)
        .map_err(|e| KeepError::io(path, e))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| KeepError::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| KeepError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_private_and_a_checkpoint_is_kept_by_log_and_place() {
        let d = tempfile::tempdir().unwrap();
        let k = Keeper::at(d.path().join("keys"));
        assert!(k.existing_key().unwrap().is_none());
        let key = k.key().unwrap();
        assert_eq!(k.key().unwrap().to_bytes(), key.to_bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&d.path().join("keys/key")), 0o600);
            assert_eq!(mode(&d.path().join("keys")), 0o700);
        }
        let hashes = [[1u8; 32], [2; 32]];
        let cp = Checkpoint::sign(&key, &hashes, chrono::Utc::now()).unwrap();
        k.save(&cp, Some(&hashes), "/tmp/db").unwrap();
        let (got, kept) = k.last(&cp.log).unwrap().unwrap();
        assert_eq!(got, cp);
        assert_eq!(kept.unwrap(), hashes.to_vec());
        assert_eq!(k.last_at_place("/tmp/db").unwrap().unwrap().0, cp);
        assert!(k.last_at_place("/tmp/other").unwrap().is_none());
    }
}
