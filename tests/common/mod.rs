#![allow(dead_code)]
//! Shared helpers for the integration tests.

use chrono::{DateTime, TimeZone, Utc};
use frist::calendar::{HolidayRules, WorkCalendar};
use frist::contract::Contract;

/// The default contract and its calendar, built once per test binary.
pub fn lock_contract() -> (&'static Contract, &'static WorkCalendar) {
    static BUILT: std::sync::OnceLock<(Contract, WorkCalendar)> = std::sync::OnceLock::new();
    let (c, cal) = BUILT.get_or_init(|| {
        let c = Contract::default_contract();
        let cal = c.calendar(&HolidayRules::danish());
        (c, cal)
    });
    (c, cal)
}

/// A Copenhagen wall-clock time that exists exactly once, as UTC.
pub fn cph(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono_tz::Europe::Copenhagen
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("an unambiguous local time")
        .with_timezone(&Utc)
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const NOW: &str = "2025-03-10 12:00";

/// A temporary database and a way to run the real binary against it.
pub struct Log {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Log {
    pub fn new() -> Log {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db");
        Log { dir, db }
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_frist"));
        c.args(args)
            .env("FRIST_DB", &self.db)
            .env("FRIST_NOW", NOW)
            .env("FRIST_USER", "mette")
            // Checkpoint keys in the test's own folder, never the runner's config directory.
            .env("FRIST_KEYS", self.keys())
            // Mail settings from the test's own folder, never the runner's config directory.
            .env("FRIST_CONFIG", self.dir.path().join("config.toml"))
            .env_remove("FRIST_SMTP")
            .env_remove("FRIST_OUTBOX")
            .env_remove("FRIST_LANG")
            .env_remove("FRIST_CONTRACT");
        c
    }

    /// The checkpoint folder (key and last checkpoints) of this test.
    pub fn keys(&self) -> PathBuf {
        self.dir.path().join("keys")
    }

    pub fn run(&self, args: &[&str]) -> Run {
        out(self.cmd(args).output().unwrap())
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "frist {args:?} failed: {}", r.stderr);
        r.stdout
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Every event, as exported.
    pub fn export(&self) -> String {
        self.ok(&["export"])
    }

    pub fn add(&self, extra: &[&str]) -> u64 {
        let mut args = vec![
            "add",
            "--municipality",
            "Aarhus",
            "--title",
            "Låsen reagerer ikke",
        ];
        args.extend_from_slice(extra);
        self.ok(&args).trim().parse().unwrap()
    }
}

/// Runs the real binary against the log `db` (a `postgres://` address in team mode), with
/// checkpoint keys in `keys`, never the runner's config directory.
pub fn run_at(db: &str, keys: &Path, args: &[&str]) -> Run {
    out(Command::new(env!("CARGO_BIN_EXE_frist"))
        .args(args)
        .env("FRIST_DB", db)
        .env("FRIST_NOW", NOW)
        .env("FRIST_KEYS", keys)
        .env_remove("FRIST_LANG")
        .output()
        .unwrap())
}

pub fn out(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of the lock-system contract as `custom` in the log's folder, with its critical
/// category's fine; its path.
pub fn custom_contract(log: &Log, fine: u64) -> String {
    let text = std::fs::read_to_string("contracts/laasesystem.toml")
        .unwrap()
        .replace("id = \"laasesystem\"", "id = \"custom\"")
        .replace(
            "fine = { lower = 5000, higher = 10000, cap_days = 7 }",
            &format!("fine = {{ lower = {fine}, higher = {fine}, cap_days = 7 }}"),
        );
    let p = log.dir.path().join("custom.toml");
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}
