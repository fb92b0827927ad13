//! A checkpoint file (`frist checkpoint verify FILE`): `Checkpoint::parse` reads the JSON and
//! checks the signature. Must refuse, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(json) = std::str::from_utf8(data) {
        let _ = frist::checkpoint::Checkpoint::parse(json);
    }
});
