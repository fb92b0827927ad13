//! What a command costs on a local log: the bytes written and the time taken by opening the
//! log, reading a ticket (`show`), and logging one ticket (`add`), measured in this process
//! with `/proc/self/io` (Linux).
//!
//! ```text
//! cargo run --release --example log_cost -- PATH [--add | --adds N | --many N]
//! ```
//!
//! PATH is a local log (make one with `frist --db PATH demo --tickets 100000`). Without
//! `--add` it only reads ticket 1 (a read writes nothing); with it one
//! ticket is added (use a copy), with `--many N` N tickets as `add --from` logs them. Run it twice: an open after
//! a write costs more than one after a read.

use frist::store::{LocalStore, Store};
use std::time::Instant;

/// Bytes this process has written so far: through `write`-like calls (`wchar`) and to the
/// storage layer (`write_bytes`).
fn written() -> (u64, u64) {
    let io = std::fs::read_to_string("/proc/self/io").unwrap_or_default();
    let field = |name: &str| {
        io.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (field("wchar:"), field("write_bytes:"))
}

fn mb(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

/// Runs `f`, then prints its time and the bytes it wrote.
fn measure<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (w0, b0) = written();
    let t = Instant::now();
    let out = f();
    let took = t.elapsed();
    let (w1, b1) = written();
    println!(
        "{what:<28} {:>8.1} ms   written {:>10} (to disk {})",
        took.as_secs_f64() * 1e3,
        mb(w1 - w0),
        mb(b1 - b0)
    );
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first().filter(|a| !a.starts_with("--")) else {
        frist::say_err!("usage: log_cost PATH [--add | --many N]");
        std::process::exit(2);
    };
    let path = std::path::Path::new(path);
    if let Some(n) = args
        .iter()
        .position(|a| a == "--adds")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse::<usize>().expect("--adds N: a number"))
    {
        return adds(path, n);
    }
    let store = measure("open", || LocalStore::open(path).expect("open the log"));
    let now = chrono::Utc::now();
    let reported = frist::ticket::EventKind::Reported {
        municipality: "Aarhus".into(),
        reporter: String::new(),
        title: "Låsen reagerer ikke".into(),
        description: String::new(),
        category: "kritisk".into(),
        contract: "laasesystem".into(),
    };
    let many = args
        .iter()
        .position(|a| a == "--many")
        .and_then(|i| args.get(i + 1))
        .map(|n| n.parse::<usize>().expect("--many N: a number"));
    if let Some(n) = many {
        // What `add --from` does with a file of N tickets once it is checked: a thousand to
        // a transaction.
        let new = frist::store::NewTicket {
            reported,
            classified: None,
            effective: now,
        };
        let all = vec![new; n];
        measure(&format!("add {n} (1 000 a batch)"), || {
            for batch in all.chunks(1000) {
                store.create_many(batch, "bench", now).expect("add");
            }
        });
    } else if args.iter().any(|a| a == "--add") {
        measure("add (one ticket, flushed)", || {
            store
                .create(reported, None, "bench", now, now)
                .expect("add")
        });
    } else {
        measure("show (ticket 1, its events)", || {
            store.ticket(1).expect("read");
            store.events(1).expect("read");
        });
    }
    measure("close", || store.close().expect("close"));
}

/// N tickets, each logged as one `frist add` logs it: open the log, write, let go.
fn adds(path: &std::path::Path, n: usize) {
    let (w0, b0) = written();
    let mut took: Vec<f64> = (0..n)
        .map(|i| {
            let t = Instant::now();
            let store = LocalStore::open(path).expect("open the log");
            let now = chrono::Utc::now();
            let reported = frist::ticket::EventKind::Reported {
                municipality: "Aarhus".into(),
                reporter: String::new(),
                title: format!("Låsen reagerer ikke {i}"),
                description: String::new(),
                category: "kritisk".into(),
                contract: "laasesystem".into(),
            };
            store
                .create(reported, None, "bench", now, now)
                .expect("add");
            store.close().expect("close");
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let (w1, b1) = written();
    took.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| took[((took.len() - 1) as f64 * q) as usize];
    println!(
        "{n} adds, each open + add + close: median {:.1} ms, 90 % {:.1} ms, max {:.1} ms; written {} (to disk {})",
        at(0.5),
        at(0.9),
        at(1.0),
        mb(w1 - w0),
        mb(b1 - b0)
    );
}
