//! Sending: SMTP through `lettre`, or `.eml` files in an outbox folder when no SMTP server is
//! configured. The edge: it reads the environment and the config file, writes files and talks
//! to the network.
//!
//! Configuration, strongest first: `FRIST_SMTP` (a URL, `smtp://USER:PASS@HOST:587?tls=required`
//! or `smtps://…:465`), then `[mail]` in the config file (`FRIST_CONFIG`, else `config.toml` in
//! the platform's config folder for frist). The outbox is `--outbox DIR` / `FRIST_OUTBOX`, then
//! `[mail] outbox`, then a folder beside the log.

use super::compose::Mail;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The config file's mail part (and the agents' addresses on a local log).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub mail: MailSection,
    /// Agents' addresses on a local log: `mette = "mette@leverandor.dk"` (team mode reads
    /// `frist user add --email`).
    #[serde(default)]
    pub agents: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSection {
    /// The sender: `Support <support@leverandor.dk>`.
    pub from: Option<String>,
    /// The outbox folder, when `--outbox`/`FRIST_OUTBOX` do not say.
    pub outbox: Option<PathBuf>,
    /// Addresses that get breach alerts (and unassigned tickets' alerts) on a local log.
    #[serde(default)]
    pub supervisors: Vec<String>,
    pub smtp: Option<SmtpSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSection {
    pub host: String,
    pub port: Option<u16>,
    /// `starttls` (default), `tls` (implicit, port 465) or `none` (a relay on the machine).
    #[serde(default)]
    pub tls: TlsMode,
    pub user: Option<String>,
    pub password: Option<String>,
    /// The environment variable holding the password, so it need not stand in the file.
    pub password_env: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Starttls,
    Tls,
    None,
}

/// Where the config file is: `FRIST_CONFIG`, else the platform's config folder.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FRIST_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("dk", "frist", "frist")
        .map(|d| d.config_dir().join("config.toml"))
}

/// Reads the config file; a missing file is an empty configuration, a broken one an error that
/// names the file, the line and the field.
pub fn read_config(path: Option<&Path>) -> crate::error::Result<ConfigFile> {
    let Some(path) = path else {
        return Ok(ConfigFile::default());
    };
    let src = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(e) => {
            return Err(crate::error::Error::Said {
                da: format!(
                    "kan ikke læse konfigurationsfilen {}: {e}; ret filens rettigheder, eller peg FRIST_CONFIG på en anden",
                    path.display()
                ),
                en: format!(
                    "cannot read the config file {}: {e}; mend its permissions, or point FRIST_CONFIG at another",
                    path.display()
                ),
            })
        }
    };
    crate::config::parse_toml(&src, &path.display().to_string())
}

/// How mail leaves frist.
pub enum Route {
    Smtp(Box<SmtpTransport>),
    Outbox,
}

/// Everything needed to send: the route, the sender, the outbox, the agents' addresses.
pub struct Postman {
    pub route: Route,
    pub from: Mailbox,
    pub outbox: PathBuf,
    pub config: ConfigFile,
}

/// What became of one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Smtp,
    /// Written to this file in the outbox.
    Outbox(PathBuf),
    /// Not sent: why, and the message to send later.
    Failed {
        error: String,
        raw: String,
    },
}

impl Postman {
    /// Sets up sending from the environment and the config file. `outbox` is `--outbox` /
    /// `FRIST_OUTBOX`; `beside_log` the default folder.
    pub fn new(
        config: ConfigFile,
        smtp_env: Option<&str>,
        outbox: Option<&Path>,
        beside_log: &Path,
    ) -> Result<Postman, String> {
        let from_text = config
            .mail
            .from
            .clone()
            .unwrap_or_else(|| "frist <frist@localhost>".to_string());
        let from: Mailbox = from_text.parse().map_err(|e| {
            format!("[mail] from = \"{from_text}\" is not an address ({e}); write e.g. \"Support <support@leverandor.dk>\"")
        })?;
        let route = match (smtp_env.filter(|s| !s.trim().is_empty()), &config.mail.smtp) {
            (Some(url), _) => Route::Smtp(Box::new(
                SmtpTransport::from_url(url.trim())
                    .map_err(|e| format!("FRIST_SMTP is not an SMTP address ({e}); write smtp://USER:PASSWORD@HOST:587?tls=required or smtps://USER:PASSWORD@HOST:465"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build(),
            )),
            (None, Some(s)) => Route::Smtp(Box::new(smtp_from_section(s)?)),
            (None, None) => Route::Outbox,
        };
        let outbox = outbox
            .map(Path::to_path_buf)
            .or_else(|| config.mail.outbox.clone())
            .unwrap_or_else(|| beside_log.to_path_buf());
        Ok(Postman {
            route,
            from,
            outbox,
            config,
        })
    }

    /// Whether mail goes to an SMTP server (else into the outbox).
    pub fn smtp(&self) -> bool {
        matches!(self.route, Route::Smtp(_))
    }

    /// Sends a composed mail (or writes it into the outbox). A failure keeps the message.
    pub fn deliver(&self, mail: &Mail) -> Result<Delivery, String> {
        let message = to_message(mail, &self.from)?;
        self.deliver_message(&message, &mail.message_id)
    }

    /// Sends a message kept from an earlier failure.
    pub fn deliver_raw(&self, raw: &str, message_id: &str) -> Delivery {
        match &self.route {
            Route::Smtp(t) => {
                let envelope = match envelope_of(raw) {
                    Ok(e) => e,
                    Err(error) => {
                        return Delivery::Failed {
                            error,
                            raw: raw.to_string(),
                        }
                    }
                };
                match t.send_raw(&envelope, raw.as_bytes()) {
                    Ok(_) => Delivery::Smtp,
                    Err(e) => Delivery::Failed {
                        error: e.to_string(),
                        raw: raw.to_string(),
                    },
                }
            }
            Route::Outbox => match self.write_eml(raw.as_bytes(), message_id) {
                Ok(p) => Delivery::Outbox(p),
                Err(error) => Delivery::Failed {
                    error,
                    raw: raw.to_string(),
                },
            },
        }
    }

    fn deliver_message(&self, m: &Message, message_id: &str) -> Result<Delivery, String> {
        let raw = String::from_utf8_lossy(&m.formatted()).into_owned();
        Ok(match &self.route {
            Route::Smtp(t) => match t.send(m) {
                Ok(_) => Delivery::Smtp,
                Err(e) => Delivery::Failed {
                    error: e.to_string(),
                    raw,
                },
            },
            Route::Outbox => self.deliver_raw(&raw, message_id),
        })
    }

    /// Keeps a message that could not be sent as an `.eml` file in the outbox.
    pub fn keep(&self, raw: &str, message_id: &str) -> Result<PathBuf, String> {
        self.write_eml(raw.as_bytes(), message_id)
    }

    /// Writes a message as an `.eml` file into the outbox, whole or not at all.
    fn write_eml(&self, bytes: &[u8], message_id: &str) -> Result<PathBuf, String> {
        let fail = |e: std::io::Error| {
            format!(
                "cannot write into the outbox {}: {e}",
                self.outbox.display()
            )
        };
        std::fs::create_dir_all(&self.outbox).map_err(fail)?;
        let name: String = message_id
            .trim_matches(['<', '>'])
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.outbox.join(format!("{name}.eml"));
        let mut tmp = tempfile::Builder::new()
            .prefix(".frist-mail-")
            .tempfile_in(&self.outbox)
            .map_err(fail)?;
        tmp.write_all(bytes).map_err(fail)?;
        tmp.as_file().sync_all().map_err(fail)?;
        tmp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(path)
    }

    /// The domain of the sender, for Message-IDs.
    pub fn domain(&self) -> String {
        self.from.email.domain().to_string()
    }
}

fn smtp_from_section(s: &SmtpSection) -> Result<SmtpTransport, String> {
    let tls = |host: &str| {
        TlsParameters::new(host.to_string()).map_err(|e| format!("[mail.smtp] TLS for {host}: {e}"))
    };
    let mut b = SmtpTransport::builder_dangerous(&s.host);
    b = match s.tls {
        TlsMode::Starttls => b
            .port(s.port.unwrap_or(587))
            .tls(Tls::Required(tls(&s.host)?)),
        TlsMode::Tls => b
            .port(s.port.unwrap_or(465))
            .tls(Tls::Wrapper(tls(&s.host)?)),
        TlsMode::None => b.port(s.port.unwrap_or(25)).tls(Tls::None),
    };
    if let Some(user) = &s.user {
        let password = match (&s.password, &s.password_env) {
            (Some(p), _) => p.clone(),
            (None, Some(var)) => std::env::var(var).map_err(|_| {
                format!(
                    "[mail.smtp] password_env = \"{var}\": that environment variable is not set"
                )
            })?,
            (None, None) => {
                return Err("[mail.smtp] has a user but no password or password_env".into())
            }
        };
        b = b.credentials(Credentials::new(user.clone(), password));
    }
    Ok(b.timeout(Some(std::time::Duration::from_secs(20))).build())
}

/// The envelope of a kept message: its From and every To.
fn envelope_of(raw: &str) -> Result<lettre::address::Envelope, String> {
    let head = raw.split("\r\n\r\n").next().unwrap_or(raw);
    // Unfold continuation lines, then read From: and To:.
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    let field = |name: &str| {
        unfolded
            .split("\r\n")
            .find_map(|l| {
                l.split_once(':')
                    .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_default()
    };
    let parse = |v: &str| -> Result<Vec<lettre::Address>, String> {
        v.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                let s = s.trim();
                let addr = s
                    .rsplit_once('<')
                    .map_or(s, |(_, a)| a.trim_end_matches('>'));
                addr.trim()
                    .parse::<lettre::Address>()
                    .map_err(|e| format!("the kept message's address {s}: {e}"))
            })
            .collect()
    };
    let from = parse(&field("From"))?.into_iter().next();
    let to = parse(&field("To"))?;
    lettre::address::Envelope::new(from, to).map_err(|e| e.to_string())
}

/// The composed mail as a MIME message from `from`.
pub fn to_message(mail: &Mail, from: &Mailbox) -> Result<Message, String> {
    let mut b = Message::builder()
        .from(from.clone())
        .subject(mail.subject.clone())
        .message_id(Some(mail.message_id.clone()))
        .date(mail.date.into());
    for to in &mail.to {
        let mb: Mailbox = to
            .parse()
            .map_err(|e| format!("'{to}' is not a mail address ({e})"))?;
        b = b.to(mb);
    }
    if let Some(r) = &mail.in_reply_to {
        let r = format!("<{}>", crate::mail::normalize_id(r));
        b = b.in_reply_to(r.clone()).references(r);
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text.clone());
    let body = match &mail.html {
        Some(html) => MultiPart::alternative()
            .singlepart(text)
            .singlepart(SinglePart::html(html.clone())),
        None if mail.attachments.is_empty() => {
            return b.singlepart(text).map_err(|e| e.to_string());
        }
        None => MultiPart::mixed().singlepart(text),
    };
    let body = if mail.attachments.is_empty() {
        body
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in &mail.attachments {
            let ct = ContentType::parse(&a.content_type).map_err(|e| e.to_string())?;
            mixed = mixed.singlepart(Attachment::new(a.name.clone()).body(a.bytes.clone(), ct));
        }
        mixed
    };
    let mut m = b.multipart(body).map_err(|e| e.to_string())?;
    // Mark the mail as frist's, so an auto-reply rule can tell it from a person's.
    m.headers_mut().insert_raw(HeaderValue::new(
        HeaderName::new_from_ascii_str("X-Frist-Kind"),
        match mail.kind {
            Some(k) => serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            None => "report".into(),
        },
    ));
    Ok(m)
}

/// A new Message-ID: `<frist.ID.RANDOM@DOMAIN>`.
pub fn new_message_id(what: &str, domain: &str) -> String {
    let mut bytes = [0u8; 8];
    for b in &mut bytes {
        *b = fastrand::u8(..);
    }
    format!("<frist.{what}.{}@{domain}>", hex::encode(bytes))
}
