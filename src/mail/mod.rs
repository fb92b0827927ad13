//! Incoming mail: the municipality's answers read from `.eml` files, an mbox file or a Maildir
//! folder ([`source`]), matched to their tickets ([`matching`]) and kept as evidence: the raw
//! bytes unchanged with their SHA-256, Message-ID, sender and date (see docs/mail.md).
//! Outgoing mail (notices, reminders) lives in `crate::notify`.
//!
//! This module and [`matching`] and [`verdict`] are pure: no clock, no disk.

pub mod import;
pub mod inbox;
pub mod matching;
pub mod source;
pub mod verdict;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use mailparse::{MailHeaderMap, ParsedMail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Whose mail it is, checked against the contacts when it was imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SenderCheck {
    /// A registered contact of the ticket's municipality.
    Contact,
    /// A registered contact, but of another municipality: attached unverified, flagged.
    OtherMunicipality,
    /// No registered contact: attached unverified, flagged.
    Unknown,
}

/// How a mail found its ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    /// Its In-Reply-To or References name a Message-ID recorded on the ticket.
    Reply,
    /// Its subject carries `[frist #ID]`.
    SubjectTag,
    /// It matched no ticket; an agent made it a new ticket.
    Confirmed,
    /// It matched no ticket (a suggestion in the log's own stream).
    None,
}

/// A suggested new ticket from a mail that matched none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The sender's municipality (the sender is one of its contacts).
    pub municipality: String,
    /// The classifier's category for the subject and text, as `add` would guess it.
    pub category: Option<String>,
    #[serde(default)]
    pub confidence: f64,
}

/// A mail as kept in the log (the body of `mail-received` and `mail-suggested` events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    /// The Message-ID without its angle brackets (`sha256:HEX` for a mail without one).
    pub message_id: String,
    /// The sender's address (From).
    pub from: String,
    #[serde(default)]
    pub from_name: String,
    #[serde(default)]
    pub subject: String,
    /// The mail's own Date header, if it had a readable one.
    #[serde(default)]
    pub date: Option<DateTime<Utc>>,
    /// SHA-256 of the raw bytes, hex.
    pub sha256: String,
    /// The raw bytes, unchanged, in base64.
    pub raw: String,
    pub sender: SenderCheck,
    /// The municipality the sender is a contact of, when it is another one's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sender_municipality: String,
    pub matched_by: MatchedBy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
}

impl Received {
    /// Whether the sender was a contact of the ticket's municipality.
    pub fn verified(&self) -> bool {
        self.sender == SenderCheck::Contact
    }

    /// The raw bytes, as they came.
    pub fn raw_bytes(&self) -> Option<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.raw)
            .ok()
    }

    /// The readable text of the mail (see [`Parsed::text`]), read again from the raw bytes.
    pub fn text(&self) -> String {
        self.raw_bytes()
            .and_then(|b| parse(&b).ok())
            .map(|p| p.text)
            .unwrap_or_default()
    }

    /// The sender as a verdict's `by`: `Name <address>`, or the address.
    pub fn by(&self) -> String {
        if self.from_name.trim().is_empty() {
            self.from.clone()
        } else {
            format!("{} <{}>", self.from_name.trim(), self.from)
        }
    }

    /// The mail in one line for a timeline: sender, subject, and the flag of an unverified
    /// sender.
    pub fn summary(&self, l: crate::i18n::Lang) -> String {
        let flag = match self.sender {
            SenderCheck::Contact => String::new(),
            SenderCheck::OtherMunicipality => format!(
                " ⚠ {} {}",
                l.t("ubekræftet: kontaktperson for", "unverified: a contact of"),
                self.sender_municipality
            ),
            SenderCheck::Unknown => format!(
                " ⚠ {}",
                l.t(
                    "ubekræftet: ikke en kontaktperson",
                    "unverified: not a contact"
                )
            ),
        };
        format!(
            "{} {}: {}{flag}",
            l.t("fra", "from"),
            crate::safe::text(&self.by()),
            crate::safe::text(&self.subject)
        )
    }

    /// The written reference of a verdict taken from this mail: Message-ID and hash.
    pub fn reference(&self) -> String {
        format!("mail <{}> sha256:{}", self.message_id, self.sha256)
    }
}

/// A mail read from its raw bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub raw: Vec<u8>,
    pub sha256: String,
    pub message_id: String,
    /// In-Reply-To, then References: the Message-IDs it answers, nearest first.
    pub answers: Vec<String>,
    pub from: String,
    pub from_name: String,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    /// The plain-text body (or the HTML body's text when there is none), decoded from its
    /// transfer encoding and charset.
    pub text: String,
}

/// Why a mail cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not a mail message: {0}")]
    NotMail(String),
    #[error("the mail has no sender address (From)")]
    NoSender,
}

/// The Message-IDs in a header value: every `<…>`, or the bare value when it has none
/// (some clients drop the brackets).
pub fn message_ids(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start + 1..].find('>') else {
            break;
        };
        let id = rest[start + 1..start + 1 + len].trim();
        if !id.is_empty() {
            out.push(id.to_string());
        }
        rest = &rest[start + 1 + len + 1..];
    }
    if out.is_empty() {
        out.extend(
            value
                .split_whitespace()
                .filter(|w| w.contains('@'))
                .map(str::to_string),
        );
    }
    out
}

/// The Message-ID an event carries (a mail received, suggested or sent), if any. Any
/// `mail-…` event with a `message_id` field counts, so a kind added later (the notices frist
/// sends) is matched without a change here.
pub fn message_id_of(kind: &crate::ticket::EventKind) -> Option<String> {
    use crate::ticket::EventKind as K;
    match kind {
        K::MailReceived(m) | K::MailSuggested(m) => Some(m.message_id.clone()),
        K::MailDismissed { .. } => None,
        k if k.name().starts_with("mail-") => serde_json::to_value(k)
            .ok()?
            .get("message_id")?
            .as_str()
            .map(normalize_id),
        _ => None,
    }
}

/// A Message-ID as given on the command line: with or without its angle brackets.
pub fn normalize_id(id: &str) -> String {
    let id = id.trim();
    id.strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(id)
        .trim()
        .to_string()
}

/// The ticket a subject's `[frist #ID]` tag names (also `[FRIST #ID]`, `[frist#ID]`).
pub fn subject_tag(subject: &str) -> Option<u64> {
    let lower = subject.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("[frist") {
        let after = rest[i + 6..].trim_start();
        if let Some(num) = after.strip_prefix('#') {
            let digits: String = num.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() && num[digits.len()..].trim_start().starts_with(']') {
                return digits.parse().ok();
            }
        }
        rest = &rest[i + 6..];
    }
    None
}

fn sha256_hex(raw: &[u8]) -> String {
    hex::encode(Sha256::digest(raw))
}

/// The text of a mail: its first text/plain part, else its first text/html part with the
/// tags taken out.
fn body_text(m: &ParsedMail) -> String {
    let plain = m
        .parts()
        .find(|p| p.ctype.mimetype == "text/plain" && !is_attachment(p));
    if let Some(p) = plain {
        return p.get_body().unwrap_or_default();
    }
    m.parts()
        .find(|p| p.ctype.mimetype == "text/html" && !is_attachment(p))
        .map(|p| html_text(&p.get_body().unwrap_or_default()))
        .unwrap_or_default()
}

fn is_attachment(p: &ParsedMail) -> bool {
    p.get_content_disposition().disposition == mailparse::DispositionType::Attachment
}

/// Rough text of an HTML body: tags out, line breaks at block ends, the common entities.
fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut tag = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => {
                in_tag = true;
                tag.clear();
            }
            (true, '>') => {
                in_tag = false;
                let t = tag.trim_start_matches('/').to_lowercase();
                if ["br", "p", "div", "tr", "li", "blockquote"]
                    .iter()
                    .any(|b| t.starts_with(b))
                {
                    out.push('\n');
                }
            }
            (true, c) => tag.push(c),
            (false, c) => out.push(c),
        }
    }
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&aelig;", "æ")
        .replace("&oslash;", "ø")
        .replace("&aring;", "å")
        .replace("&AElig;", "Æ")
        .replace("&Oslash;", "Ø")
        .replace("&Aring;", "Å")
        .replace("&amp;", "&")
}

/// Reads a mail from its raw bytes (kept as they are).
pub fn parse(raw: &[u8]) -> Result<Parsed, ParseError> {
    let m = mailparse::parse_mail(raw).map_err(|e| ParseError::NotMail(e.to_string()))?;
    let h = &m.headers;
    if h.is_empty() {
        return Err(ParseError::NotMail("no headers".into()));
    }
    let from_header = h.get_first_header("From").ok_or(ParseError::NoSender)?;
    let (from, from_name) = match mailparse::addrparse_header(from_header)
        .ok()
        .and_then(|l| l.extract_single_info())
    {
        Some(s) => (s.addr, s.display_name.unwrap_or_default()),
        None => {
            let v = from_header.get_value();
            let ids = message_ids(&v);
            (ids.first().cloned().unwrap_or(v), String::new())
        }
    };
    if !from.contains('@') {
        return Err(ParseError::NoSender);
    }
    let sha256 = sha256_hex(raw);
    let message_id = h
        .get_first_value("Message-ID")
        .and_then(|v| message_ids(&v).into_iter().next())
        .unwrap_or_else(|| format!("sha256:{sha256}"));
    let mut answers: Vec<String> = Vec::new();
    for key in ["In-Reply-To", "References"] {
        for v in h.get_all_values(key) {
            let mut ids = message_ids(&v);
            if key == "References" {
                // The nearest ancestor is the last one.
                ids.reverse();
            }
            for id in ids {
                if !answers.contains(&id) {
                    answers.push(id);
                }
            }
        }
    }
    let date = h
        .get_first_value("Date")
        .and_then(|d| mailparse::dateparse(&d).ok())
        .and_then(|s| DateTime::from_timestamp(s, 0));
    Ok(Parsed {
        raw: raw.to_vec(),
        sha256,
        message_id,
        answers,
        from: from.trim().to_string(),
        from_name: from_name.trim().to_string(),
        subject: h.get_first_value("Subject").unwrap_or_default(),
        date,
        text: body_text(&m).replace("\r\n", "\n"),
    })
}

impl Parsed {
    /// The mail as kept in the log.
    pub fn received(
        &self,
        sender: SenderCheck,
        sender_municipality: &str,
        matched_by: MatchedBy,
    ) -> Received {
        Received {
            message_id: self.message_id.clone(),
            from: self.from.clone(),
            from_name: self.from_name.clone(),
            subject: self.subject.clone(),
            date: self.date,
            sha256: self.sha256.clone(),
            raw: base64::engine::general_purpose::STANDARD.encode(&self.raw),
            sender,
            sender_municipality: sender_municipality.to_string(),
            matched_by,
            suggestion: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_tag_names_the_ticket_in_any_case_and_spacing() {
        assert_eq!(subject_tag("SV: [frist #42] Løst: låse"), Some(42));
        assert_eq!(subject_tag("Re: [FRIST#7]"), Some(7));
        assert_eq!(subject_tag("[frist # 7]"), None);
        assert_eq!(subject_tag("[frist #7x]"), None);
        assert_eq!(subject_tag("Vedr. sag 42"), None);
    }

    #[test]
    fn message_ids_are_read_with_and_without_brackets() {
        assert_eq!(
            message_ids("<a@x.dk>\r\n <b@y.dk>"),
            vec!["a@x.dk".to_string(), "b@y.dk".to_string()]
        );
        assert_eq!(message_ids("a@x.dk"), vec!["a@x.dk".to_string()]);
        assert_eq!(normalize_id(" <a@x.dk> "), "a@x.dk");
    }

    #[test]
    fn a_quoted_printable_danish_mail_is_read_and_its_bytes_kept() {
        let raw = b"From: =?utf-8?q?Lone_M=C3=B8ller?= <lone@aarhus.dk>\r\n\
Subject: =?iso-8859-1?q?SV=3A_=5Bfrist_=2312=5D_L=F8st?=\r\n\
Message-ID: <abc@aarhus.dk>\r\n\
In-Reply-To: <n1@frist>\r\n\
References: <n0@frist> <n1@frist>\r\n\
Date: Tue, 04 Mar 2025 09:15:00 +0100\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Vi har testet, og l=E5sene virker. Accepteret.\r\n";
        let p = parse(raw).unwrap();
        assert_eq!(p.from, "lone@aarhus.dk");
        assert_eq!(p.from_name, "Lone Møller");
        assert_eq!(p.subject, "SV: [frist #12] Løst");
        assert_eq!(p.message_id, "abc@aarhus.dk");
        assert_eq!(p.answers, vec!["n1@frist".to_string(), "n0@frist".into()]);
        assert_eq!(p.date.unwrap().to_rfc3339(), "2025-03-04T08:15:00+00:00");
        assert!(p.text.contains("låsene virker"), "{}", p.text);
        assert_eq!(p.raw, raw.to_vec());
        let r = p.received(SenderCheck::Contact, "", MatchedBy::Reply);
        assert_eq!(r.raw_bytes().unwrap(), raw.to_vec());
        assert!(r.reference().starts_with("mail <abc@aarhus.dk> sha256:"));
        assert_eq!(r.by(), "Lone Møller <lone@aarhus.dk>");
    }

    #[test]
    fn bytes_that_are_no_mail_are_refused_not_panicked_on() {
        assert!(parse(b"").is_err());
        assert!(parse(b"hello world").is_err());
        assert!(parse(b"Subject: x\r\n\r\nno sender").is_err());
    }
}
