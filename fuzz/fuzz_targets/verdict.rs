//! The verdict of a municipality's reply (accepted / rejected / unclear): `mail::verdict::judge`
//! on any text, quoted notices and negations included. Must answer, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = frist::mail::verdict::judge(&text);
    let _ = frist::mail::verdict::fresh_text(&text);
    let _ = frist::mail::subject_tag(&text);
    let _ = frist::mail::message_ids(&text);
});
