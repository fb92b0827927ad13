//! Response-time measurement lines (svartider) against the shipped laasesystem contract's
//! `[[response_time]]` table: `parse_measurements_csv` must refuse, never panic.
#![no_main]
use frist::contract::Contract;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CONTRACT: OnceLock<Contract> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let c = CONTRACT.get_or_init(|| {
        Contract::parse(
            include_str!("../../contracts/laasesystem.toml"),
            "contracts/laasesystem.toml",
        )
        .expect("the shipped contract parses")
    });
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = frist::report::parse_measurements_csv(src, "fuzz", &c.tz, &c.response_times);
    }
});
