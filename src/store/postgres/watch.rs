//! The live board's ear: LISTEN on a connection of its own.

use super::connect::{connect, Url};
use super::pg_error;
use crate::store::{StoreError, StoreResult};
use crate::ticket::TicketId;
use postgres::Client;

/// Hears of other people's changes: the trigger notifies channel `frist` with `ticket seq`
/// for every event (ids only, as every login may listen on every channel; the board reads
/// what changed through its own rights). A lost connection is retried every few seconds.
pub struct Watcher {
    url: Url,
    client: Option<Client>,
    retry_at: Option<std::time::Instant>,
}

impl Watcher {
    pub(super) fn new(url: Url) -> Watcher {
        Watcher {
            url,
            client: None,
            retry_at: None,
        }
    }

    /// The tickets changed since the last call, without waiting. `Err` while the connection
    /// is lost (it is retried on later calls).
    pub fn poll(&mut self) -> StoreResult<Vec<TicketId>> {
        use postgres::fallible_iterator::FallibleIterator;
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.client = None;
            let now = std::time::Instant::now();
            if self.retry_at.is_some_and(|t| now < t) {
                return Err(StoreError::Postgres(
                    "the connection to the database was lost".into(),
                ));
            }
            self.retry_at = Some(now + std::time::Duration::from_secs(3));
            let mut c = connect(&self.url)?;
            c.batch_execute("LISTEN frist")
                .map_err(|e| pg_error(e, None))?;
            self.client = Some(c);
            self.retry_at = None;
        }
        let Some(c) = self.client.as_mut() else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let mut lost = None;
        {
            // A short wait, not a bare non-blocking look: the driver learns that the socket is
            // readable only when it gets to wait on it.
            let mut notes = c.notifications();
            let mut it = notes.timeout_iter(std::time::Duration::from_millis(5));
            loop {
                match it.next() {
                    Ok(Some(n)) => {
                        let id = n.payload().split(' ').next().and_then(|s| s.parse().ok());
                        if let Some(id) = id.filter(|id| !out.contains(id)) {
                            out.push(id);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        lost = Some(e);
                        break;
                    }
                }
            }
        }
        if let Some(e) = lost {
            self.client = None;
            self.retry_at = Some(std::time::Instant::now() + std::time::Duration::from_secs(3));
            return Err(pg_error(e, None));
        }
        Ok(out)
    }
}
