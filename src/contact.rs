//! The municipalities' contact people: who may write to the desk for a municipality and whose
//! written acceptance counts. Kept as events in the log's own stream
//! ([`crate::ticket::LOG_STREAM`]), so every change is in the audit chain; the list now is the
//! fold of those events ([`Book`]).
//!
//! Pure: no clock, no disk.

use crate::i18n::Lang;
use crate::ticket::{Event, EventKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A municipality's contact person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub municipality: String,
    pub name: String,
    /// As registered; compared without regard to case ([`same_address`]).
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// When and by whom the contact was registered.
    pub added: DateTime<Utc>,
    pub added_by: String,
}

/// Whether two mail addresses are the same mailbox for frist's purposes: equal ignoring case
/// and surrounding blanks (municipal mail systems do not tell `Lone@Aarhus.dk` from
/// `lone@aarhus.dk`).
pub fn same_address(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim()) || a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The contacts now: the fold of the log stream's contact events, in the order added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Book {
    pub contacts: Vec<Contact>,
}

/// Why a contact change is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    EmptyName,
    EmptyMunicipality,
    /// Not a mail address (`what` is what was given).
    BadEmail(String),
    /// The municipality has this address already.
    Exists {
        municipality: String,
        email: String,
    },
    /// The municipality has no contact with this address.
    Unknown {
        municipality: String,
        email: String,
    },
}

impl Refusal {
    /// The refusal in the user's language, saying how to mend it.
    pub fn message(&self, l: Lang) -> String {
        let s = crate::safe::text;
        match (self, l) {
            (Refusal::EmptyName, _) => l
                .t(
                    "kontaktpersonen skal have et navn (--name)",
                    "the contact needs a name (--name)",
                )
                .into(),
            (Refusal::EmptyMunicipality, _) => l
                .t(
                    "angiv kontaktpersonens kommune (--municipality)",
                    "give the contact's municipality (--municipality)",
                )
                .into(),
            (Refusal::BadEmail(e), Lang::Da) => format!(
                "'{}' er ikke en mailadresse; skriv den som navn@kommune.dk (--email)",
                s(e)
            ),
            (Refusal::BadEmail(e), Lang::En) => format!(
                "'{}' is not a mail address; write it as name@municipality.dk (--email)",
                s(e)
            ),
            (
                Refusal::Exists {
                    municipality,
                    email,
                },
                Lang::Da,
            ) => format!(
                "{} er allerede kontaktperson for {}; se `frist contact list`",
                s(email),
                s(municipality)
            ),
            (
                Refusal::Exists {
                    municipality,
                    email,
                },
                Lang::En,
            ) => format!(
                "{} is already a contact of {}; see `frist contact list`",
                s(email),
                s(municipality)
            ),
            (
                Refusal::Unknown {
                    municipality,
                    email,
                },
                Lang::Da,
            ) => format!(
                "{} har ingen kontaktperson med adressen {}; se `frist contact list`",
                s(municipality),
                s(email)
            ),
            (
                Refusal::Unknown {
                    municipality,
                    email,
                },
                Lang::En,
            ) => format!(
                "{} has no contact with the address {}; see `frist contact list`",
                s(municipality),
                s(email)
            ),
        }
    }
}

/// Whether `e` is a plain mail address (`local@domain.tld`): one `@`, something on each side,
/// a dot in the domain, no blanks, controls or angle brackets. Display names and comments
/// (`Lone <lone@aarhus.dk>`) are not addresses.
pub fn valid_email(e: &str) -> bool {
    let e = e.trim();
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>()[],;:\"@\\".contains(c);
    !local.is_empty()
        && !domain.is_empty()
        && !local.chars().any(bad)
        && !domain.chars().any(bad)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

impl Book {
    /// Folds the log stream's events (other kinds are passed over).
    pub fn fold<'a>(events: impl IntoIterator<Item = &'a Event>) -> Book {
        let mut b = Book::default();
        for e in events {
            b.apply(e);
        }
        b
    }

    /// Applies one event of the log stream.
    pub fn apply(&mut self, e: &Event) {
        match &e.kind {
            EventKind::ContactAdded {
                municipality,
                name,
                email,
                phone,
            } => {
                self.remove(municipality, email);
                self.contacts.push(Contact {
                    municipality: municipality.clone(),
                    name: name.clone(),
                    email: email.clone(),
                    phone: phone.clone(),
                    added: e.effective,
                    added_by: e.user.clone(),
                });
            }
            EventKind::ContactRemoved {
                municipality,
                email,
            } => self.remove(municipality, email),
            _ => {}
        }
    }

    fn remove(&mut self, municipality: &str, email: &str) {
        self.contacts
            .retain(|c| !(c.municipality == municipality && same_address(&c.email, email)));
    }

    /// Checks a contact event against the list now, without changing anything.
    pub fn check(&self, kind: &EventKind) -> Result<(), Refusal> {
        match kind {
            EventKind::ContactAdded {
                municipality,
                name,
                email,
                ..
            } => {
                if municipality.trim().is_empty() {
                    return Err(Refusal::EmptyMunicipality);
                }
                if name.trim().is_empty() {
                    return Err(Refusal::EmptyName);
                }
                if !valid_email(email) {
                    return Err(Refusal::BadEmail(email.clone()));
                }
                if self.find(municipality, email).is_some() {
                    return Err(Refusal::Exists {
                        municipality: municipality.clone(),
                        email: email.clone(),
                    });
                }
                Ok(())
            }
            EventKind::ContactRemoved {
                municipality,
                email,
            } => match self.find(municipality, email) {
                Some(_) => Ok(()),
                None => Err(Refusal::Unknown {
                    municipality: municipality.clone(),
                    email: email.clone(),
                }),
            },
            _ => Ok(()),
        }
    }

    /// The municipality's contact with this address.
    pub fn find(&self, municipality: &str, email: &str) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|c| c.municipality == municipality && same_address(&c.email, email))
    }

    /// Every contact with this address (an address may serve several municipalities, e.g.
    /// a joint IT service).
    pub fn by_address<'a>(&'a self, email: &'a str) -> impl Iterator<Item = &'a Contact> + 'a {
        self.contacts
            .iter()
            .filter(move |c| same_address(&c.email, email))
    }

    /// The contacts of one municipality (or all), sorted by municipality and name.
    pub fn of(&self, municipality: Option<&str>) -> Vec<Contact> {
        let mut v: Vec<Contact> = self
            .contacts
            .iter()
            .filter(|c| municipality.is_none_or(|m| c.municipality == m))
            .cloned()
            .collect();
        v.sort_by(|a, b| {
            (a.municipality.as_str(), a.name.as_str(), a.email.as_str()).cmp(&(
                b.municipality.as_str(),
                b.name.as_str(),
                b.email.as_str(),
            ))
        });
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::LOG_STREAM;

    fn ev(seq: u32, kind: EventKind) -> Event {
        let t = "2026-03-02T09:00:00Z".parse().unwrap();
        Event {
            ticket: LOG_STREAM,
            seq,
            user: "mette".into(),
            recorded: t,
            effective: t,
            kind,
        }
    }

    fn added(m: &str, email: &str) -> EventKind {
        EventKind::ContactAdded {
            municipality: m.into(),
            name: "Lone Berg".into(),
            email: email.into(),
            phone: String::new(),
        }
    }

    #[test]
    fn a_removed_contact_is_gone_and_can_be_added_again() {
        let mut b = Book::fold(&[
            ev(0, added("Aarhus", "lone@aarhus.dk")),
            ev(1, added("Odense", "it@odense.dk")),
        ]);
        assert_eq!(b.of(Some("Aarhus")).len(), 1);
        let removed = EventKind::ContactRemoved {
            municipality: "Aarhus".into(),
            email: "LONE@aarhus.dk".into(),
        };
        assert_eq!(b.check(&removed), Ok(()));
        b.apply(&ev(2, removed.clone()));
        assert!(b.of(Some("Aarhus")).is_empty());
        assert_eq!(b.of(None).len(), 1);
        assert!(matches!(b.check(&removed), Err(Refusal::Unknown { .. })));
        assert_eq!(b.check(&added("Aarhus", "lone@aarhus.dk")), Ok(()));
    }

    #[test]
    fn the_same_address_twice_in_one_municipality_is_refused_but_not_in_another() {
        let b = Book::fold(&[ev(0, added("Aarhus", "lone@aarhus.dk"))]);
        assert!(matches!(
            b.check(&added("Aarhus", "Lone@Aarhus.dk")),
            Err(Refusal::Exists { .. })
        ));
        assert_eq!(b.check(&added("Skanderborg", "lone@aarhus.dk")), Ok(()));
    }

    #[test]
    fn an_address_must_look_like_one() {
        for bad in [
            "",
            "lone",
            "lone@",
            "@aarhus.dk",
            "lone@aarhus",
            "Lone <lone@aarhus.dk>",
            "lo ne@aarhus.dk",
            "lone@aarhus..dk",
        ] {
            assert!(!valid_email(bad), "{bad}");
            let b = Book::default();
            assert!(
                matches!(b.check(&added("Aarhus", bad)), Err(Refusal::BadEmail(_))),
                "{bad}"
            );
        }
        assert!(valid_email("lone.berg+it@aarhus.dk"));
        assert!(valid_email("søren@ærø.dk"));
    }
}
