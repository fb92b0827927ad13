//! `frist add --from FILE`: the JSON-lines / CSV parser (`cli::add_from::rows`), before any
//! ticket is checked or written. Must refuse with a line number, never panic.
#![no_main]
use frist::i18n::Lang;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = frist::cli::add_from::rows(text, Lang::Da);
    }
});
