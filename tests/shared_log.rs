//! One local log used by several processes at once: the board and commands, two scripts.
//! Readers share the log; a writer has it to itself, and the others wait their turn. A read
//! writes nothing.

mod common;
use common::*;
use frist::store::{LocalStore, Store};
use frist::tui::store_backend::{Source, StoreBackend, Turns};
use frist::tui::Backend;
use std::collections::BTreeSet;

/// A board on the log at `db`, holding it the way the TUI does: only between a read or a
/// write and [`Backend::release`].
fn board<'a>(l: &'a frist::load::Loaded, db: &std::path::Path) -> StoreBackend<'a> {
    let path = db.to_path_buf();
    StoreBackend {
        source: Source::Turns(Box::new(Turns::new(
            db.to_path_buf(),
            Box::new(move || {
                LocalStore::open(&path)
                    .map(frist::store::Log::Local)
                    .map_err(|e| e.to_string())
            }),
        ))),
        contract: &l.contract,
        calendar: &l.calendar,
        lang: frist::i18n::Lang::Da,
        watch: None,
        mail: None,
    }
}

#[test]
fn two_scripts_of_a_hundred_adds_each_all_land() {
    let log = Log::new();
    log.add(&[]);
    let script = |who: &'static str| {
        let log = &log;
        move || {
            (0..100)
                .map(|i| {
                    let title = format!("{who} {i}");
                    let r = log.run(&[
                        "add",
                        "--municipality",
                        "Aarhus",
                        "--title",
                        &title,
                        "--category",
                        "kritisk",
                    ]);
                    assert_eq!(r.code, 0, "{who} add {i} was refused: {}", r.stderr);
                    r.stdout.trim().parse::<u64>().expect("an id")
                })
                .collect::<Vec<u64>>()
        }
    };
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(script("a"));
        let b = s.spawn(script("b"));
        (a.join().unwrap(), b.join().unwrap())
    });
    let ids: BTreeSet<u64> = a.iter().chain(&b).copied().collect();
    assert_eq!(ids.len(), 200, "every add got its own id");
    let listed = log.json(&["list", "--json"]);
    let titles: BTreeSet<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_string())
        .collect();
    for who in ["a", "b"] {
        for i in 0..100 {
            assert!(
                titles.contains(&format!("{who} {i}")),
                "{who} {i} is missing"
            );
        }
    }
    assert_eq!(log.run(&["verify"]).code, 0);
}

#[test]
fn a_command_waits_for_the_board_and_the_board_sees_what_it_wrote() {
    let log = Log::new();
    log.add(&[]);
    let l = frist::load::contract("laasesystem").unwrap();
    let b = board(&l, &log.db);
    let first = b.tickets(frist::store::Filter::NotClosed).unwrap();
    assert_eq!(first.len(), 1);
    // The board is in the middle of a turn (it holds the log): a command waits for it.
    let mut add = log.cmd(&["add", "--municipality", "Odense", "--title", "Døren"]);
    let mut child = add
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // After a second it says that it waits; the board's turn ends only then.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut said).unwrap();
    assert_eq!(said.trim(), "venter på loggen…");
    b.release();
    let r = out(child.wait_with_output().unwrap());
    std::io::Read::read_to_string(&mut stderr, &mut said).unwrap();
    assert_eq!(r.code, 0, "the command ran once the board let go: {said}");
    let id: u64 = r.stdout.trim().parse().unwrap();
    // Between turns the board does not hold the log: commands run at once.
    log.ok(&["show", "1"]);
    // The board's next look finds the new ticket without reading the whole log.
    assert_eq!(b.changes().unwrap(), vec![id]);
    b.release();
    assert_eq!(b.changes().unwrap(), Vec::<u64>::new(), "nothing new since");
    log.ok(&["note", "1", "ringede"]);
    assert_eq!(b.changes().unwrap(), vec![1]);
    b.release();
}

#[test]
fn a_log_held_too_long_says_so_after_waiting() {
    let log = Log::new();
    log.add(&[]);
    // A writer holds the log (readers share it with each other, not with a writer).
    let holder = LocalStore::open(&log.db).unwrap();
    holder.add_measurements(&[]).unwrap();
    let r = log.run(&["--wait", "2", "show", "1"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("venter på loggen…"), "{}", r.stderr);
    assert!(
        r.stderr.contains("bruges af en anden frist-proces"),
        "{}",
        r.stderr
    );
    let en = log.run(&["--lang", "en", "--wait", "2", "show", "1"]);
    assert!(en.stderr.contains("waiting for the log…"), "{}", en.stderr);
    holder.close().unwrap();
    log.ok(&["--wait", "0", "show", "1"]);
}

/// Every file of the log, with its bytes and when it was last changed.
fn files_of(db: &std::path::Path) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let mut out: Vec<_> = std::fs::read_dir(db)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            let p = e.path();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
                std::fs::metadata(&p).unwrap().modified().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_read_command_writes_nothing() {
    let log = Log::new();
    log.ok(&["demo", "--tickets", "200", "--seed", "8"]);
    // As a log from before frist kept contract versions: the first write keeps one, a read
    // computes with the file.
    LocalStore::open(&log.db)
        .unwrap()
        .tamper_head(|h| h["lens"]["contracts"] = 0.into())
        .unwrap();
    std::fs::write(log.db.join("contracts"), b"").unwrap();
    let before = files_of(&log.db);
    for args in [
        &["list"][..],
        &["list", "--open"],
        &["show", "7"],
        &["breaches"],
        &["report", "--month", "2025-02"],
        &["export"],
        &["verify"],
        &["contracts"],
    ] {
        log.ok(args);
    }
    assert!(
        before == files_of(&log.db),
        "a read changed the log's files"
    );
    log.add(&["--category", "kritisk"]);
    assert!(!std::fs::read(log.db.join("contracts")).unwrap().is_empty());
}
