//! A typed time: `parse_time` must refuse, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = frist::time::parse_time(s, &chrono_tz::Europe::Copenhagen);
    }
});
