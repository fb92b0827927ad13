//! Incoming mail: the municipality's answers read from `.eml` files, an mbox file or a Maildir
//! folder, matched to their tickets and kept as evidence (see docs/mail.md). Outgoing mail
//! (notices, reminders) lives in `crate::notify`.
