//! Measures what the board's turn on a local log costs, now that it holds the log only
//! for a turn: opening the log, looking for other processes' changes, and letting go of it.
//!
//! `cargo run --release --example board_turn -- DB`
//!
//! Make a big log first, e.g.
//! `frist --db /tmp/big/db --now "2026-11-23 12:00" demo --tickets 1000000`.

use frist::store::{published_head, LocalStore, Store};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db: PathBuf = std::env::args()
        .nth(1)
        .ok_or("usage: board_turn DB")?
        .into();
    for round in 1..=3 {
        let t = Instant::now();
        let head = published_head(&db);
        let look = t.elapsed();
        let t = Instant::now();
        let s = LocalStore::open(&db)?;
        let open = t.elapsed();
        let t = Instant::now();
        let (n, _) = s.head()?;
        let changed = s.changed_since(n.saturating_sub(10))?;
        let read = t.elapsed();
        let t = Instant::now();
        s.close()?;
        let release = t.elapsed();
        println!(
            "round {round}: published head {head:?} read in {:.2} ms; open {:.0} ms; \
             the tickets of the last 10 events ({}) {:.1} ms; release {:.0} ms",
            ms(look),
            ms(open),
            changed.1.len(),
            ms(read),
            ms(release)
        );
    }
    Ok(())
}
