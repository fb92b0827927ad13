//! Crash safety: the real binary is killed with SIGKILL at random moments while it adds and
//! updates tickets. After every kill the database opens, every change whose command reported
//! success is there, the audit chain verifies, and no ticket is half-written.

mod common;
use common::*;
use frist::store::{LocalStore, Store, VerifyOutcome};
use frist::ticket::{fold, State};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// What the test knows for sure: the ids that were added and the state each ticket had
/// after its last step that reported success.
#[derive(Default)]
struct Confirmed {
    steps: HashMap<u64, usize>,
}

#[test]
fn sigkill_at_random_moments_loses_nothing_confirmed() {
    let log = Log::new();
    let mut rng = fastrand::Rng::with_seed(2025);
    let mut confirmed = Confirmed::default();
    let mut kills = 0;
    let started = Instant::now();
    let steps: &[&[&str]] = &[
        &["react"],
        &["resolve"],
        &["accept", "--by", "Lone", "--ref", "mail"],
    ];
    let mut round = 0u32;
    while kills < 24 {
        round += 1;
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the crash test runs too long"
        );
        // A few commands that complete, each recorded only once it reported success.
        for _ in 0..2 {
            let r = log.run(&[
                "add",
                "--municipality",
                "Aarhus",
                "--title",
                "Låsen reagerer ikke",
                "--category",
                "laaseenhed",
            ]);
            assert_eq!(r.code, 0, "{}", r.stderr);
            confirmed.steps.insert(r.stdout.trim().parse().unwrap(), 0);
        }
        // Advance a random ticket one step and kill the command at a random moment.
        let ids: Vec<u64> = confirmed
            .steps
            .iter()
            .filter(|(_, s)| **s < steps.len())
            .map(|(id, _)| *id)
            .collect();
        let mut victim: Vec<String> = Vec::new();
        let (target, step) = if ids.is_empty() || rng.bool() {
            victim.extend(
                [
                    "add",
                    "--municipality",
                    "Rebild",
                    "--title",
                    "Batteri",
                    "--category",
                    "batteriskift",
                ]
                .map(String::from),
            );
            (None, 0)
        } else {
            let id = ids[rng.usize(..ids.len())];
            let s = confirmed.steps[&id];
            victim.push(steps[s][0].to_string());
            victim.push(id.to_string());
            victim.extend(steps[s][1..].iter().map(|x| x.to_string()));
            (Some(id), s + 1)
        };
        let args: Vec<&str> = victim.iter().map(String::as_str).collect();
        let mut child = log
            .cmd(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.u64(0..40_000)));
        let killed = matches!(child.try_wait(), Ok(None));
        if killed {
            child.kill().unwrap(); // SIGKILL on Unix
            kills += 1;
        }
        let out = out(child.wait_with_output().unwrap());
        if !killed && out.code == 0 {
            match target {
                Some(id) => {
                    confirmed.steps.insert(id, step);
                }
                None => {
                    confirmed
                        .steps
                        .insert(out.stdout.trim().parse().unwrap(), 0);
                }
            }
        }
        // After every kill: the database opens, verifies, and holds what was confirmed.
        let store =
            LocalStore::open(&log.db).unwrap_or_else(|e| panic!("round {round}: cannot open: {e}"));
        match store.verify().unwrap() {
            VerifyOutcome::Intact { .. } => {}
            VerifyOutcome::Broken(b) => {
                panic!("round {round}: the chain broke after a kill: {b:?}")
            }
        }
        for (id, s) in &confirmed.steps {
            let t = store
                .ticket(*id)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: ticket {id} lost"));
            let events = store.events(*id).unwrap();
            assert_eq!(
                fold(&events).as_ref(),
                Some(&t),
                "round {round}: ticket {id} half-written"
            );
            // The ticket reached at least the confirmed step (a killed step may have landed).
            let want = [State::Open, State::Reacted, State::Resolved, State::Closed][*s];
            assert!(
                t.state >= want,
                "round {round}: ticket {id} is {} but {want} was confirmed",
                t.state
            );
        }
    }
    assert!(kills >= 20);
    assert!(log.ok(&["verify"]).starts_with("OK"));
}
