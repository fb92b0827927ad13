//! A team database URL (`--db`, `FRIST_DB`): `store::postgres::parse_url` and the month of
//! `report --month` (`report::parse_month`). Must refuse, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = frist::store::postgres::parse_url(s);
        let _ = frist::report::parse_month(s);
    }
});
