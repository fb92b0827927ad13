//! The mail settings: the first line is `FRIST_SMTP` (a URL), the rest the config file's TOML
//! (`[mail]`, `[mail.smtp]`, `[agents]`). Both go to `notify::send::Postman::new` as
//! `frist mail send` does (no connection is made: lettre only builds the transport). Must
//! refuse, never panic.
#![no_main]
use frist::notify::send::{ConfigFile, Postman};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    let (url, toml) = src.split_once('\n').unwrap_or((src, ""));
    let outbox = Path::new("fuzz-outbox");
    let _ = Postman::new(ConfigFile::default(), Some(url), None, outbox);
    if let Ok(config) = frist::config::parse_toml::<ConfigFile>(toml, "fuzz") {
        let _ = Postman::new(config, None, None, outbox);
    }
});
