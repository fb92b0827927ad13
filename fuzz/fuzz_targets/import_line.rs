//! Lines of `frist export` as `frist import` reads them: each non-empty line through
//! `serde_json` into a `chain::Record` (the start and end lines into theirs), then the chain
//! `Checker`. Must refuse, never panic.
#![no_main]
use frist::store::chain::{Checker, End, Record, Start};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let mut checker = Checker::default();
    for line in src.lines() {
        if line.trim().is_empty()
            || serde_json::from_str::<Start>(line).is_ok()
            || serde_json::from_str::<End>(line).is_ok()
        {
            continue;
        }
        let Ok(r) = serde_json::from_str::<Record>(line) else {
            return;
        };
        if checker.next_record(&r).is_err() {
            return;
        }
    }
});
