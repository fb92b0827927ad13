//! Deadlines of 100 000 (category, report instant) pairs spread over 2024–2027.
//! Goal: ≥ 1 000 000 deadlines per second on one core for hour targets.

use chrono::{DateTime, Utc};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use frist::calendar::HolidayRules;
use frist::contract::{Contract, Target};
use frist::sla;
use std::hint::black_box;

/// Deterministic pseudo-random report instants (a fixed LCG keeps the bench input stable).
fn pairs(contract: &Contract, hour_targets_only: bool, n: usize) -> Vec<(usize, DateTime<Utc>)> {
    let cats: Vec<usize> = contract
        .categories
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            !hour_targets_only
                || [c.day.reaction, c.day.resolution]
                    .into_iter()
                    .flatten()
                    .all(|t| matches!(t, Target::Minutes(_)))
        })
        .map(|(i, _)| i)
        .collect();
    let start = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
        .unwrap()
        .timestamp();
    let span = DateTime::parse_from_rfc3339("2027-12-24T00:00:00Z")
        .unwrap()
        .timestamp()
        - start;
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let secs = (x >> 33) as i64 % span;
            (
                cats[(x >> 13) as usize % cats.len()],
                DateTime::from_timestamp(start + secs / 60 * 60, 0).unwrap(),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let contract = Contract::default_contract();
    let cal = contract.calendar(&HolidayRules::danish());
    let mut g = c.benchmark_group("deadlines");
    g.throughput(Throughput::Elements(100_000));
    g.sample_size(20);
    for (name, hours_only) in [("hour-targets", true), ("all-categories", false)] {
        let input = pairs(&contract, hours_only, 100_000);
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut n = 0u32;
                for (cat, r) in &input {
                    let d = sla::deadlines(&cal, &contract.categories[*cat], *r).unwrap();
                    n += u32::from(d.resolution.is_some());
                }
                black_box(n)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
