//! A sled log whose files were damaged on disk (a cut tail, overwritten bytes, a broken
//! snapshot): frist says which database and what to do, never panics, and mends only what is
//! a cache.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// A log of 300 demo tickets (rewritten after the load, as the CLI does), and the events it
/// holds.
fn demo_log() -> (Log, String) {
    let log = Log::new();
    log.ok(&["demo", "--tickets", "300"]);
    let verified = log.ok(&["verify"]);
    let first = verified.lines().next().unwrap().to_string();
    assert!(first.starts_with("OK: "), "{verified}");
    (log, first)
}

/// The end of the bytes sled has written in its data file (after it, only zeros).
fn used(db: &Path) -> usize {
    let bytes = std::fs::read(db.join("db")).unwrap();
    bytes.iter().rposition(|b| *b != 0).unwrap() + 1
}

fn snapshot(db: &Path) -> PathBuf {
    std::fs::read_dir(db)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("snap.")
        })
        .expect("sled keeps a snapshot")
}

fn overwrite(file: &Path, at: usize, bytes: &[u8]) {
    let mut all = std::fs::read(file).unwrap();
    all[at..at + bytes.len()].copy_from_slice(bytes);
    std::fs::write(file, all).unwrap();
}

/// `verify` (which reads every byte of the log) refuses the damaged log with exit 1 and a
/// message that names it and says how to restore it; other commands either work (what they
/// read is intact) or refuse it the same way. None panics.
fn refused_with_what_to_do(log: &Log) {
    let named = |args: &[&str], r: &Run| {
        assert!(
            r.stderr.contains("er beskadiget")
                && r.stderr.contains(log.db.to_str().unwrap())
                && r.stderr.contains("frist import"),
            "{args:?}: {}",
            r.stderr
        );
    };
    let r = log.run(&["verify"]);
    assert_eq!(r.code, 1, "verify: {} {}", r.stdout, r.stderr);
    named(&["verify"], &r);
    for args in [
        &["list"][..],
        &["show", "1"],
        &["report", "--month", "2025-02"],
        &[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Døren",
            "--category",
            "kritisk",
        ],
    ] {
        let r = log.run(args);
        assert!(
            r.code == 0 || r.code == 1,
            "{args:?}: exit {} {}",
            r.code,
            r.stderr
        );
        if r.code == 1 {
            named(args, &r);
        }
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    let en = log.run(&["--lang", "en", "verify"]);
    assert_eq!(en.code, 1);
    assert!(en.stderr.contains("is damaged") && en.stderr.contains("restore the log"));
}

#[test]
fn a_cut_tail_is_refused_with_what_to_do() {
    let (log, _) = demo_log();
    let file = log.db.join("db");
    let keep = used(&log.db) / 2;
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.set_len(keep as u64).unwrap();
    drop(f);
    refused_with_what_to_do(&log);
}

#[test]
fn bytes_overwritten_in_the_middle_are_refused_with_what_to_do() {
    let (log, _) = demo_log();
    let middle = used(&log.db) / 2;
    overwrite(&log.db.join("db"), middle, &[0xff; 4096]);
    refused_with_what_to_do(&log);
}

#[test]
fn a_damaged_snapshot_is_set_aside_and_the_log_reads_on() {
    let (log, verified) = demo_log();
    let snap = snapshot(&log.db);
    let name = snap.file_name().unwrap().to_owned();
    overwrite(&snap, 40, &[0xff; 8]);
    let r = log.run(&["verify"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().next().unwrap(),
        verified,
        "every event is there"
    );
    assert!(log.db.join("damaged").join(&name).exists(), "kept aside");
    log.ok(&["show", "1"]);
}

#[test]
fn a_damaged_snapshot_over_a_damaged_log_is_left_as_it_is() {
    let (log, _) = demo_log();
    let snap = snapshot(&log.db);
    overwrite(&snap, 40, &[0xff; 8]);
    let middle = used(&log.db) / 2;
    overwrite(&log.db.join("db"), middle, &[0xff; 4096]);
    let before = std::fs::read(log.db.join("db")).unwrap();
    refused_with_what_to_do(&log);
    assert!(snap.exists(), "the snapshot stays where it was");
    assert_eq!(
        std::fs::read(log.db.join("db")).unwrap(),
        before,
        "nothing in the log was written over"
    );
    assert!(!log.dir.path().join("db.recovering").exists());
}
