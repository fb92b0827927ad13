//! Team mode's speed on a real PostgreSQL log, as the desk meets it (issue: the board within
//! 500 ms, `list --open` under 1 s, a month's report under 2 s, one step under 30 ms at the
//! 95th percentile with 8 agents writing at once).
//!
//! Fill a database first, as its owner (see docs/team.md):
//!
//!     frist --db postgres://frist_owner@localhost/bench db init
//!     frist --db postgres://frist_owner@localhost/bench --now "2026-11-23 12:00" demo --tickets 100000
//!
//! then, with the release binary built (`cargo build --release`):
//!
//!     cargo run --release --example team_bench -- postgres://frist_owner@localhost/bench [STEPS] [AGENTS]
//!
//! It adds eight agent logins (`bench_w0` … `bench_w7`) if they are missing, times the real
//! binary's `list --open` and a month's report five times each, and has the eight agents add
//! notes to tickets at the same time (each its own connection, as eight people would), timing
//! every step. The board's start is timed by `examples/first_board` with the same URL.

use frist::store::postgres::{self as fpg, PgStore, Role};
use frist::store::{Filter, Store};
use frist::ticket::EventKind;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn time_binary(frist: &std::path::Path, url: &str, args: &[&str]) -> Duration {
    let runs: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let out = std::process::Command::new(frist)
                .args(["--db", url, "--now", "2026-11-23 12:00"])
                .args(args)
                .output()
                .expect("frist runs");
            assert!(
                out.status.success(),
                "frist {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            start.elapsed()
        })
        .collect();
    median(runs)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let owner_url = std::env::args()
        .nth(1)
        .ok_or("usage: team_bench postgres://OWNER@HOST/DB")?;
    let steps: usize = std::env::args()
        .nth(2)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(50);
    let agents: usize = std::env::args()
        .nth(3)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(8)
        .clamp(1, 8);
    let frist = std::env::current_exe()?
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("frist"))
        .ok_or("no target directory")?;
    let owner = PgStore::open(&fpg::parse_url(&owner_url)?)?;
    let people = owner.users()?;
    let logins: Vec<String> = (0..8).map(|i| format!("bench_w{i}")).collect();
    for l in &logins {
        if !people.iter().any(|p| &p.login == l) {
            owner.add_user(l, Role::Agent, None, None, None)?;
        }
    }
    let url_of = |login: &str| -> String {
        // The owner's URL with another user.
        let (scheme, rest) = owner_url
            .split_once("://")
            .unwrap_or(("postgres", &owner_url));
        let rest = rest.split_once('@').map_or(rest, |(_, r)| r);
        format!("{scheme}://{login}@{rest}")
    };

    let t = Instant::now();
    let open = owner.tickets(Filter::NotClosed)?;
    let all = owner.tickets(Filter::Unresolved)?;
    println!(
        "{} tickets not closed, {} being worked on (read in {})",
        open.len(),
        all.len(),
        ms(t.elapsed())
    );
    println!(
        "list --open (real binary, median of 5): {}",
        ms(time_binary(
            &frist,
            &url_of(&logins[0]),
            &["list", "--open"]
        ))
    );
    let out = std::env::temp_dir().join("frist-team-bench-report.json");
    println!(
        "report --month 2026-10 (real binary, median of 5): {}",
        ms(time_binary(
            &frist,
            &url_of(&logins[0]),
            &[
                "report",
                "--month",
                "2026-10",
                "--format",
                "json",
                "--out",
                out.to_str().ok_or("temp dir")?,
            ]
        ))
    );
    let _ = std::fs::remove_file(&out);

    let targets: Vec<u64> = open.iter().map(|t| t.id).collect();
    if targets.is_empty() {
        return Err("no open tickets to write to".into());
    }
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(agents));
    let handles: Vec<_> = logins[..agents]
        .iter()
        .enumerate()
        .map(|(w, login)| {
            let url = fpg::parse_url(&url_of(login)).expect("url");
            let targets = targets.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || -> Vec<Duration> {
                let store = PgStore::open(&url).expect("agent connects");
                let mut rng = fastrand::Rng::with_seed(w as u64);
                barrier.wait();
                (0..steps)
                    .map(|i| {
                        let id = targets[rng.usize(..targets.len())];
                        let now = chrono::Utc::now();
                        let start = Instant::now();
                        store
                            .append(
                                id,
                                EventKind::Note {
                                    text: format!("bench {w}.{i}"),
                                },
                                "",
                                now,
                                now,
                                now,
                            )
                            .expect("a note is written");
                        start.elapsed()
                    })
                    .collect()
            })
        })
        .collect();
    let mut lat: Vec<Duration> = Vec::new();
    for h in handles {
        lat.extend(h.join().map_err(|_| "a writer panicked")?);
    }
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    println!(
        "one step, {agents} agents at once ({} steps): p50 {}, p95 {}, max {}",
        lat.len(),
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(lat[lat.len() - 1])
    );
    Ok(())
}
