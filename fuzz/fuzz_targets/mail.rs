//! Incoming mail: the raw bytes as an mbox (split at `From ` lines) and as one message; every
//! message goes to `frist::mail::parse`, and the text of a parsed one to the verdict function,
//! as `frist mail import` does. Must refuse, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut messages = vec![data.to_vec()];
    if frist::mail::source::is_mbox(data) {
        messages.extend(frist::mail::source::split_mbox(data));
    }
    for m in &messages {
        if let Ok(p) = frist::mail::parse(m) {
            let _ = frist::mail::verdict::judge(&p.text);
        }
    }
});
