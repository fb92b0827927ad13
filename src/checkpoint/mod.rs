//! Checkpoints: signed statements of the log's state that anchor the audit chain outside the
//! log. The chain alone cannot tell a log that was cut at its tail, rolled back to an older
//! copy, or edited and hashed anew from an honest one: each of those verifies. A checkpoint
//! says "this log held exactly `events` events, the last with hash `head`", signed with an
//! Ed25519 key kept outside the log; `frist verify` proves the log still holds those events
//! and only appends after them.
//!
//! This module is pure (the statement, its signature, the comparison with a log's hashes);
//! [`keep`] keeps the key and the last checkpoint of each log on disk.

pub mod keep;

use crate::store::chain::Hash;
use crate::ticket::TicketId;
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};

/// A signed statement of a log's state (`frist checkpoint`). Field order is the file's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The log's identity: the hash of its first event (hex), which every copy, export and
    /// import of the log shares.
    pub log: String,
    /// How many events the log held.
    pub events: u64,
    /// The chain's hash at the last of them (hex).
    pub head: String,
    /// When the checkpoint was made (the real clock, whole seconds).
    pub at: DateTime<Utc>,
    /// The Ed25519 public key that signed it (hex).
    pub key: String,
    /// The signature over [`Checkpoint::message`] (hex).
    pub signature: String,
}

/// One event of the log as a checkpoint sees it: its chain hash and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub hash: Hash,
    pub ticket: TicketId,
    pub seq: u32,
}

/// Why a checkpoint cannot be read or does not hold its signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadCheckpoint {
    #[error("the file is not a checkpoint as `frist checkpoint` writes it: {0}")]
    Unreadable(String),
    #[error("the checkpoint's signature does not hold: the file was changed after it was signed")]
    Signature,
}

impl Checkpoint {
    /// Signs the state of a log whose events have these hashes (at least one).
    pub fn sign(key: &SigningKey, hashes: &[Hash], at: DateTime<Utc>) -> Option<Checkpoint> {
        let (first, last) = (hashes.first()?, hashes.last()?);
        Some(Checkpoint::sign_state(
            key,
            first,
            hashes.len() as u64,
            last,
            at,
        ))
    }

    /// Signs the state of a log of `events` events whose first has hash `first` and whose
    /// last has hash `head`.
    pub fn sign_state(
        key: &SigningKey,
        first: &Hash,
        events: u64,
        head: &Hash,
        at: DateTime<Utc>,
    ) -> Checkpoint {
        let at = DateTime::from_timestamp(at.timestamp(), 0).unwrap_or(at);
        let mut c = Checkpoint {
            log: hex::encode(first),
            events,
            head: hex::encode(head),
            at,
            key: hex::encode(key.verifying_key().as_bytes()),
            signature: String::new(),
        };
        c.signature = hex::encode(key.sign(c.message().as_bytes()).to_bytes());
        c
    }

    /// The bytes signed: every field but the signature, one a line, in a fixed form.
    pub fn message(&self) -> String {
        format!(
            "frist checkpoint v1\nlog {}\nevents {}\nhead {}\nat {}\nkey {}\n",
            self.log,
            self.events,
            self.head,
            self.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            self.key
        )
    }

    /// Reads a checkpoint file and checks its signature against the key it names.
    pub fn parse(json: &str) -> Result<Checkpoint, BadCheckpoint> {
        let c: Checkpoint = serde_json::from_str(json.trim())
            .map_err(|e| BadCheckpoint::Unreadable(e.to_string()))?;
        c.check_signature()?;
        Ok(c)
    }

    /// Whether the signature holds for the key the checkpoint names.
    pub fn check_signature(&self) -> Result<(), BadCheckpoint> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(&self.key, &mut key)
            .map_err(|e| BadCheckpoint::Unreadable(format!("key: {e}")))?;
        let key = VerifyingKey::from_bytes(&key)
            .map_err(|e| BadCheckpoint::Unreadable(format!("key: {e}")))?;
        let mut sig = [0u8; 64];
        hex::decode_to_slice(&self.signature, &mut sig)
            .map_err(|e| BadCheckpoint::Unreadable(format!("signature: {e}")))?;
        key.verify_strict(
            self.message().as_bytes(),
            &ed25519_dalek::Signature::from_bytes(&sig),
        )
        .map_err(|_| BadCheckpoint::Signature)
    }

    /// The checkpoint as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint serializes")
    }
}

/// What comparing a log with a checkpoint found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The log holds every event the checkpoint committed to; this many came after.
    Holds { appended: u64 },
    /// The event at this position (1-based) is not the one the checkpoint committed to: it or
    /// one before it was rewritten and the chain hashed anew, or the log was rolled back and
    /// written on.
    Differs { position: u64, at: Option<Link> },
    /// The log has fewer events than the checkpoint committed to (a cut tail, or a rollback
    /// to an older copy).
    Missing { have: u64, expected: u64 },
}

/// Compares a log's events (in order) with a checkpoint. `committed` are the hashes of the
/// checkpoint's first events (all of them, or the first of them) when they are known (this
/// machine keeps them): a difference among those is named exactly; any other difference is
/// found at the checkpoint's last event.
pub fn compare(log: &[Link], cp: &Checkpoint, committed: Option<&[Hash]>) -> Finding {
    let mut c = Comparison::new(cp, committed);
    for l in log {
        c.push(l);
    }
    c.finish()
}

/// [`compare`] one link at a time, for a log too long to hold (an import streams its file):
/// keeps only the first difference from `committed`, the link at the checkpoint's count and
/// how many links came.
pub struct Comparison<'a> {
    cp: &'a Checkpoint,
    committed: Option<&'a [Hash]>,
    have: u64,
    /// The first link that differs from the log's identity or from `committed`.
    differs: Option<Finding>,
    /// The link at the checkpoint's count (position `cp.events`).
    at_count: Option<Link>,
}

impl<'a> Comparison<'a> {
    pub fn new(cp: &'a Checkpoint, committed: Option<&'a [Hash]>) -> Comparison<'a> {
        let expected = cp.events;
        let committed = committed.filter(|c| {
            c.len() as u64 <= expected
                && c.first().map(hex::encode).as_deref() == Some(cp.log.as_str())
                && (c.len() as u64 != expected
                    || c.last().map(hex::encode).as_deref() == Some(cp.head.as_str()))
        });
        Comparison {
            cp,
            committed,
            have: 0,
            differs: None,
            at_count: None,
        }
    }

    /// The log's next link.
    pub fn push(&mut self, link: &Link) {
        let i = self.have as usize;
        self.have += 1;
        if self.differs.is_none() {
            let other_log = i == 0 && hex::encode(link.hash) != self.cp.log;
            let other_than_kept = self
                .committed
                .and_then(|c| c.get(i))
                .is_some_and(|h| h != &link.hash);
            if other_log || other_than_kept {
                self.differs = Some(Finding::Differs {
                    position: self.have,
                    at: Some(*link),
                });
            }
        }
        if self.have == self.cp.events {
            self.at_count = Some(*link);
        }
    }

    /// What the links pushed show.
    pub fn finish(self) -> Finding {
        let (have, expected) = (self.have, self.cp.events);
        if let Some(f) = self.differs {
            return f;
        }
        if have < expected {
            return Finding::Missing { have, expected };
        }
        match self.at_count {
            Some(l) if hex::encode(l.hash) != self.cp.head => Finding::Differs {
                position: expected,
                at: Some(l),
            },
            _ => Finding::Holds {
                appended: have - expected,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(n: u8) -> Vec<Link> {
        (1..=n)
            .map(|i| Link {
                hash: [i; 32],
                ticket: u64::from(i),
                seq: 0,
            })
            .collect()
    }

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn at() -> DateTime<Utc> {
        DateTime::from_timestamp(1_764_400_000, 123).unwrap()
    }

    #[test]
    fn a_signed_checkpoint_reads_back_and_an_edited_one_does_not() {
        let hashes: Vec<Hash> = links(5).iter().map(|l| l.hash).collect();
        let cp = Checkpoint::sign(&key(), &hashes, at()).unwrap();
        assert_eq!(cp.events, 5);
        assert_eq!(Checkpoint::parse(&cp.to_json()), Ok(cp.clone()));
        let edited = cp.to_json().replace("\"events\":5", "\"events\":4");
        assert_eq!(Checkpoint::parse(&edited), Err(BadCheckpoint::Signature));
        assert!(matches!(
            Checkpoint::parse("{}"),
            Err(BadCheckpoint::Unreadable(_))
        ));
    }

    #[test]
    fn a_log_that_grew_holds_and_a_cut_or_rewritten_one_does_not() {
        let all = links(6);
        let hashes: Vec<Hash> = all[..4].iter().map(|l| l.hash).collect();
        let cp = Checkpoint::sign(&key(), &hashes, at()).unwrap();
        for committed in [None, Some(&hashes[..])] {
            assert_eq!(
                compare(&all, &cp, committed),
                Finding::Holds { appended: 2 }
            );
            assert_eq!(
                compare(&all[..3], &cp, committed),
                Finding::Missing {
                    have: 3,
                    expected: 4
                }
            );
        }
        // Event 2 rewritten and everything after it hashed anew.
        let mut forged = all.clone();
        for l in &mut forged[1..] {
            l.hash[0] ^= 0xff;
        }
        assert!(matches!(
            compare(&forged, &cp, Some(&hashes)),
            Finding::Differs { position: 2, .. }
        ));
        // Without the committed hashes the difference shows at the checkpoint's head.
        assert!(matches!(
            compare(&forged, &cp, None),
            Finding::Differs { position: 4, .. }
        ));
        // A rollback written on: event 3 onwards are other events.
        let mut rolled = all[..2].to_vec();
        rolled.extend(links(3)[..].iter().map(|l| Link {
            hash: [l.hash[0] + 100; 32],
            ..*l
        }));
        assert!(matches!(
            compare(&rolled, &cp, Some(&hashes)),
            Finding::Differs { position: 3, .. }
        ));
    }
}
