//! A keymap file, alone and over the built-in map: `Keymap::parse` must refuse, never panic.
#![no_main]
use frist::tui::keymap::Keymap;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static BASE: OnceLock<Keymap> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if let Ok(src) = std::str::from_utf8(data) {
        let _ = Keymap::parse(src, "fuzz", None);
        let base = BASE.get_or_init(Keymap::default_keymap);
        let _ = Keymap::parse(src, "fuzz", Some(base));
    }
});
