//! A local log whose files were damaged on disk (a cut tail, overwritten bytes, a broken
//! head) or left by a killed writer: frist says which database and what to do, never panics,
//! and cuts off only what was never committed.

mod common;
use common::*;
use std::path::Path;

/// A log of 300 demo tickets, and what `verify` says of it.
fn demo_log() -> (Log, String) {
    let log = Log::new();
    log.ok(&["demo", "--tickets", "300"]);
    let verified = log.ok(&["verify"]);
    let first = verified.lines().next().unwrap().to_string();
    assert!(first.starts_with("OK: "), "{verified}");
    (log, first)
}

fn overwrite(file: &Path, at: usize, bytes: &[u8]) {
    let mut all = std::fs::read(file).unwrap();
    all[at..at + bytes.len()].copy_from_slice(bytes);
    std::fs::write(file, all).unwrap();
}

fn len(file: &Path) -> u64 {
    std::fs::metadata(file).unwrap().len()
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
    for name in ["events", "states"] {
        let file = log.db.join(name);
        let whole = std::fs::read(&file).unwrap();
        std::fs::write(&file, &whole[..whole.len() / 2]).unwrap();
        refused_with_what_to_do(&log);
        std::fs::write(&file, &whole).unwrap();
        log.ok(&["verify"]);
    }
}

#[test]
fn a_damaged_head_is_refused_with_what_to_do() {
    let (log, _) = demo_log();
    overwrite(&log.db.join("head"), 2, b"\xff\xff\xff");
    refused_with_what_to_do(&log);
}

#[test]
fn bytes_overwritten_in_the_middle_of_the_events_break_the_chain() {
    let (log, _) = demo_log();
    let middle = len(&log.db.join("events")) as usize / 2;
    overwrite(&log.db.join("events"), middle, &[0xff; 64]);
    let r = log.run(&["verify"]);
    assert_eq!(r.code, 1, "{} {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("revisionssporet er brudt"),
        "{}",
        r.stderr
    );
    for args in [
        &["list"][..],
        &["show", "150"],
        &["report", "--month", "2025-02"],
    ] {
        let r = log.run(args);
        assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

#[test]
fn what_a_killed_writer_left_past_its_commit_is_cut_off() {
    let (log, verified) = demo_log();
    let before: Vec<u64> = ["events", "events.pos", "states"]
        .iter()
        .map(|n| len(&log.db.join(n)))
        .collect();
    // A writer killed before its commit: bytes past the committed lengths, a torn index entry.
    for name in ["events", "events.pos", "states", "slots"] {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(log.db.join(name))
            .unwrap();
        if name == "slots" {
            // A whole entry of zeros, as a power loss may leave.
            f.write_all(&[0u8; 40]).unwrap();
        }
        f.write_all(&[7u8; 13]).unwrap();
    }
    // Readers read what is committed.
    assert_eq!(log.ok(&["verify"]).lines().next().unwrap(), verified);
    assert!(log.ok(&["list"]).contains("300 sager"));
    // The next writer cuts the rest off and writes on.
    log.add(&["--category", "kritisk"]);
    let after: Vec<u64> = ["events", "events.pos", "states"]
        .iter()
        .map(|n| len(&log.db.join(n)))
        .collect();
    assert!(after.iter().zip(&before).all(|(a, b)| a > b));
    assert_eq!(len(&log.db.join("slots")) % 40, 0);
    assert!(log.ok(&["verify"]).contains("301 sager"));
}
