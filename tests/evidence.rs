//! A log that holds up in a dispute (issue 13): true recorded times and steps recorded late.
//! Real sled logs in temporary directories, through the real binary.

mod common;
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use common::*;
use serde_json::Value;

/// Runs frist on the log at the real clock (no `FRIST_NOW`).
fn real(log: &Log, args: &[&str]) -> Run {
    out(log.cmd(args).env_remove("FRIST_NOW").output().unwrap())
}

fn real_ok(log: &Log, args: &[&str]) -> String {
    let r = real(log, args);
    assert_eq!(r.code, 0, "frist {args:?} failed: {}", r.stderr);
    r.stdout
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

fn events(log: &Log) -> Vec<Value> {
    log.export()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["event"].clone())
        .collect()
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

#[test]
fn a_write_is_recorded_at_the_real_clock_whatever_now_says() {
    // FRIST_NOW is 2025-03-10 12:00 for every command of `Log`.
    let log = Log::new();
    let before = Utc::now() - TimeDelta::seconds(1);
    log.add(&["--category", "kritisk", "--at", "2025-03-03 15:30"]);
    log.ok(&["react", "1", "--at", "2025-03-03 16:00"]);
    log.ok(&["resolve", "1"]);
    let after = Utc::now() + TimeDelta::seconds(1);
    let evs = events(&log);
    assert_eq!(evs.len(), 4);
    for e in &evs {
        let recorded = instant(&e["recorded"]);
        assert!(
            recorded >= before && recorded <= after,
            "recorded at the machine's clock, not FRIST_NOW: {e}"
        );
    }
    // --now is still when the step took effect (the default of --at) and what is evaluated.
    assert_eq!(instant(&evs[3]["effective"]), utc("2025-03-10T11:00:00Z"));
    let v = log.json(&["show", "1", "--json"]);
    assert_eq!(v["resolution"]["done"], "2025-03-10T12:00:00+01:00");
    assert!(log.ok(&["verify"]).starts_with("OK"));
}

#[test]
fn show_marks_a_step_recorded_days_after_it_happened() {
    let log = Log::new();
    let reported = Utc::now() - TimeDelta::days(3) - TimeDelta::hours(2);
    let id = real_ok(
        &log,
        &[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Låsen reagerer ikke",
            "--category",
            "laaseenhed",
            "--at",
            &rfc(reported),
        ],
    );
    assert_eq!(id.trim(), "1");
    real_ok(&log, &["note", "1", "ringede til kommunen"]);
    let human = real_ok(&log, &["show", "1"]);
    let lines: Vec<&str> = human.lines().collect();
    let reported_line = lines.iter().find(|l| l.contains("#0")).unwrap();
    assert!(
        reported_line.contains("registreret 3 dage senere"),
        "{human}"
    );
    let note_line = lines.iter().find(|l| l.contains("#2")).unwrap();
    assert!(!note_line.contains("registreret"), "{human}");
    let en = real_ok(&log, &["--lang", "en", "show", "1"]);
    assert!(en.contains("recorded 3 days later"), "{en}");
}

#[test]
fn the_monthly_report_lists_steps_recorded_late_in_every_format() {
    let log = Log::new();
    let reported = Utc::now() - TimeDelta::days(3) - TimeDelta::hours(2);
    real_ok(
        &log,
        &[
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Låsen reagerer ikke",
            "--category",
            "laaseenhed",
            "--at",
            &rfc(reported),
        ],
    );
    // Logged at once: not late.
    real_ok(&log, &["note", "1", "ringede til kommunen"]);
    let local = reported.with_timezone(&chrono_tz::Europe::Copenhagen);
    let month = format!("{}-{:02}", local.year(), local.month());
    let report = |format: &str| real_ok(&log, &["report", "--month", &month, "--format", format]);
    let json: Value = serde_json::from_str(&report("json")).unwrap();
    let late = json["late_recordings"].as_array().unwrap();
    assert_eq!(late.len(), 2, "the report and its classification: {late:?}");
    assert_eq!(late[0]["ticket"], 1);
    assert_eq!(late[0]["step"], "reported");
    assert!(late[0]["minutes_later"].as_i64().unwrap() >= 3 * 24 * 60 + 120);
    let md = report("md");
    assert!(
        md.contains("Skridt registreret senere end de skete"),
        "{md}"
    );
    assert!(md.contains("registreret 3 dage senere"), "{md}");
    let csv = report("csv");
    assert!(
        csv.contains("Skridt registreret senere end de skete"),
        "{csv}"
    );
    assert!(csv.contains("1;#0;reported;mette;"), "{csv}");
    let html = report("html");
    assert!(html.contains("registreret 3 dage senere"), "{html}");
}

#[test]
fn the_board_clock_follows_the_wall_clock_from_a_now_start() {
    use frist::tui::run::{board_now, clock_offset};
    let loaded = frist::load::contract("laasesystem").unwrap();
    let wall = utc("2026-11-29T08:00:00Z");
    let mut ctx = frist::edge::Ctx {
        loaded,
        now: utc("2025-03-04T09:00:00Z"),
        fixed: true,
        lang: frist::i18n::Lang::Da,
    };
    // A --now start: the board starts at --now and runs on with the wall clock, also over
    // a laptop's sleep (the wall clock jumps, the board jumps with it).
    let offset = clock_offset(&ctx, wall);
    assert_eq!(board_now(offset, wall), ctx.now);
    assert_eq!(
        board_now(offset, wall + TimeDelta::hours(2)),
        ctx.now + TimeDelta::hours(2)
    );
    // Without --now the board shows the wall clock, however long a question waited before
    // the screen opened (ctx.now was read before it).
    ctx.fixed = false;
    ctx.now = wall - TimeDelta::seconds(61);
    let offset = clock_offset(&ctx, wall);
    assert_eq!(
        board_now(offset, wall + TimeDelta::seconds(5)),
        wall + TimeDelta::seconds(5)
    );
}
