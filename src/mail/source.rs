//! Where incoming mail is read from: `.eml` files (one message each), mbox files (many, each
//! starting with a `From ` line) and Maildir folders (`cur/` and `new/`, one message a file),
//! so that any IMAP fetcher (fetchmail, mbsync, offlineimap) can feed `frist mail import`.
//!
//! Splitting an mbox ([`split_mbox`]) is pure; [`read`] touches the disk.

use std::path::{Path, PathBuf};

/// One message as read, with where it came from (for messages to the agent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    pub origin: String,
    pub bytes: Vec<u8>,
}

/// Why a path cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{0}: a folder, but not a Maildir (it has no cur/ or new/ folder)")]
    NotMaildir(PathBuf),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SourceError + '_ {
    move |error| SourceError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// Whether `bytes` are an mbox: they begin with a `From ` separator line.
pub fn is_mbox(bytes: &[u8]) -> bool {
    bytes.starts_with(b"From ")
}

/// The messages of an mbox: split at each line starting with `From ` (the separator, left
/// out); a body line escaped as `>From ` (mboxrd/mboxo) gets its `>` back, and the blank line
/// that ends each message is the separator's, not the message's.
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut cur: Option<Vec<u8>> = None;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"From ") {
            if let Some(m) = cur.take() {
                out.push(finish(m));
            }
            cur = Some(Vec::new());
            continue;
        }
        let Some(m) = cur.as_mut() else { continue };
        let stripped = line.iter().take_while(|b| **b == b'>').count();
        if stripped > 0 && line[stripped..].starts_with(b"From ") {
            m.extend_from_slice(&line[1..]);
        } else {
            m.extend_from_slice(line);
        }
    }
    if let Some(m) = cur {
        out.push(finish(m));
    }
    out.retain(|m| !m.is_empty());
    out
}

/// A message of an mbox without the blank line that separates it from the next.
fn finish(mut m: Vec<u8>) -> Vec<u8> {
    if m.ends_with(b"\r\n\r\n") {
        m.truncate(m.len() - 2);
    } else if m.ends_with(b"\n\n") {
        m.truncate(m.len() - 1);
    }
    m
}

/// Reads every message at `path`: a Maildir folder, an mbox file or one `.eml` file. The
/// messages of a Maildir come in file-name order (delivery order for the usual names).
pub fn read(path: &Path) -> Result<Vec<Raw>, SourceError> {
    if path.is_dir() {
        let mut files = Vec::new();
        let mut found = false;
        for sub in ["new", "cur"] {
            let dir = path.join(sub);
            if !dir.is_dir() {
                continue;
            }
            found = true;
            for entry in std::fs::read_dir(&dir).map_err(io(&dir))? {
                let p = entry.map_err(io(&dir))?.path();
                let hidden = p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if p.is_file() && !hidden {
                    files.push(p);
                }
            }
        }
        if !found {
            return Err(SourceError::NotMaildir(path.to_path_buf()));
        }
        files.sort();
        return files
            .into_iter()
            .map(|p| {
                Ok(Raw {
                    bytes: std::fs::read(&p).map_err(io(&p))?,
                    origin: p.display().to_string(),
                })
            })
            .collect();
    }
    let bytes = std::fs::read(path).map_err(io(path))?;
    if is_mbox(&bytes) {
        return Ok(split_mbox(&bytes)
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| Raw {
                origin: format!("{} #{}", path.display(), i + 1),
                bytes,
            })
            .collect());
    }
    Ok(vec![Raw {
        origin: path.display().to_string(),
        bytes,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mbox_splits_into_its_messages_with_escaped_from_lines_restored() {
        let mbox = b"From lone@aarhus.dk Tue Mar  4 09:15:00 2025\n\
Subject: a\n\nHej\n>From now on it works\n\n\
From ib@odense.dk Tue Mar  4 10:00:00 2025\n\
Subject: b\n\nAfvist\n";
        let m = split_mbox(mbox);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0], b"Subject: a\n\nHej\nFrom now on it works\n".to_vec());
        assert_eq!(m[1], b"Subject: b\n\nAfvist\n".to_vec());
    }
}
