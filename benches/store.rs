//! The store's hot paths on sled in a temporary directory: a durable create and append (one
//! transaction + flush each), reading one ticket, and listing the tickets not closed.

use chrono::{TimeDelta, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use frist::store::{Filter, LocalStore, Store};
use frist::ticket::EventKind;
use std::time::Duration;

fn report(i: u64) -> EventKind {
    EventKind::Reported {
        municipality: "Aarhus".into(),
        reporter: "Lone Madsen, IT-afdelingen".into(),
        title: format!("Låsen på hoveddøren reagerer ikke ({i})"),
        description: "Hjemmeplejen kunne ikke komme ind hos borgeren i morges.".into(),
        category: "laaseenhed".into(),
        contract: "laasesystem".into(),
    }
}

fn store_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let s = LocalStore::open(&dir.path().join("db")).unwrap();
    let t0 = Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).unwrap();
    let now = t0 + TimeDelta::days(30);
    // 5 000 tickets, a tenth left open, loaded through the bulk path.
    let mut events = Vec::new();
    for id in 1..=5_000u64 {
        let at = t0 + TimeDelta::minutes(id as i64);
        let mk = |seq, kind| frist::ticket::Event {
            ticket: id,
            seq,
            user: "mette".into(),
            recorded: at,
            effective: at,
            kind,
        };
        events.push(mk(0, report(id)));
        if id % 10 != 0 {
            events.push(mk(
                1,
                EventKind::Resolved {
                    note: String::new(),
                },
            ));
            events.push(mk(
                2,
                EventKind::Accepted {
                    by: "Lone".into(),
                    reference: "mail".into(),
                },
            ));
        }
    }
    s.import(&mut events.into_iter()).unwrap();

    let mut g = c.benchmark_group("store");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    g.bench_function("create (durable)", |b| {
        b.iter(|| s.create(report(0), None, "mette", now, now).unwrap())
    });
    g.bench_function("append note (durable)", |b| {
        b.iter(|| {
            s.append(
                10,
                EventKind::Note {
                    text: "ringet".into(),
                },
                "mette",
                now,
                now,
                now,
            )
            .unwrap()
        })
    });
    g.bench_function("ticket by id", |b| b.iter(|| s.ticket(2_500).unwrap()));
    g.bench_function("tickets not closed (500 of 5 000+)", |b| {
        b.iter(|| s.tickets(Filter::NotClosed).unwrap().len())
    });
    g.finish();
}

criterion_group!(benches, store_benches);
criterion_main!(benches);
