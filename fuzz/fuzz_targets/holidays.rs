//! A holiday file: `HolidayRules::parse` must refuse, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = frist::calendar::HolidayRules::parse(src, "fuzz");
    }
});
