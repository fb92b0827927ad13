//! An in-memory [`Backend`] seeded with a handful of tickets, so the TUI can be tried by hand
//! before it is wired to the sled store. Not a stand-in for the store in tests.

use super::{Backend, NewTicket};
use crate::ticket::{self, ClassifiedBy, Event, EventKind, Ticket, TicketId};
use chrono::{DateTime, TimeDelta, Utc};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Tickets as event lists in memory.
pub struct MemoryBackend {
    logs: Mutex<BTreeMap<TicketId, Vec<Event>>>,
    contract: String,
}

impl MemoryBackend {
    pub fn new(contract: &str) -> MemoryBackend {
        MemoryBackend {
            logs: Mutex::new(BTreeMap::new()),
            contract: contract.to_string(),
        }
    }

    /// A few tickets of the lock-system contract around `now`: running, at risk, breached,
    /// paused, awaiting acceptance and closed.
    pub fn seeded(contract: &str, now: DateTime<Utc>) -> MemoryBackend {
        let b = MemoryBackend::new(contract);
        let h = TimeDelta::hours;
        let m = TimeDelta::minutes;
        let seeds: &[(&str, &str, &str, &str, TimeDelta)] = &[
            (
                "Aarhus",
                "Jens Holm, IT",
                "Ingen kan åbne låse i hjemmeplejen",
                "kritisk",
                h(2) + m(30),
            ),
            (
                "Odense",
                "Mette Lund",
                "Rapporter om adgang er meget langsomme",
                "systemfejl",
                h(1),
            ),
            (
                "Vejle",
                "Peter Skov",
                "Låseenhed på Kirkevej 4 reagerer ikke",
                "laaseenhed",
                h(4),
            ),
            (
                "Aalborg",
                "Anne Bak",
                "Hvordan opretter vi en ny medarbejdergruppe?",
                "driftsmaessig",
                h(26),
            ),
            (
                "Aarhus",
                "Jens Holm, IT",
                "Batteriskift på 12 enheder i Viby",
                "batteriskift",
                h(3),
            ),
            (
                "Kolding",
                "Lars Møller",
                "Integration til vagtplan fejler",
                "systemfejl",
                h(30),
            ),
            (
                "Odense",
                "Mette Lund",
                "Montering af låseenhed, Østergade 2",
                "montering",
                h(50),
            ),
        ];
        for (i, (muni, who, title, cat, ago)) in seeds.iter().enumerate() {
            let reported = now - *ago;
            let new = NewTicket {
                municipality: muni.to_string(),
                reporter: who.to_string(),
                title: title.to_string(),
                description: String::new(),
                category: cat.to_string(),
                classified_by: ClassifiedBy::Agent,
                confidence: None,
                reasons: Vec::new(),
                reported,
            };
            let Ok(t) = b.create(&new, "agent", now) else {
                continue;
            };
            let step = |kind: EventKind, at: DateTime<Utc>| {
                let _ = b.append(t.id, kind, "agent", at, now);
            };
            match i {
                1 => step(
                    EventKind::Reacted {
                        note: "Ringet op".into(),
                    },
                    reported + m(20),
                ),
                2 => step(
                    EventKind::Paused {
                        reason: "Venter på adgang til bygningen".into(),
                    },
                    reported + m(30),
                ),
                4 => {
                    step(
                        EventKind::Reacted {
                            note: String::new(),
                        },
                        reported + m(10),
                    );
                    step(
                        EventKind::Resolved {
                            note: "Batterier skiftet".into(),
                        },
                        reported + h(2),
                    );
                }
                6 => {
                    step(
                        EventKind::Resolved {
                            note: "Monteret".into(),
                        },
                        reported + h(20),
                    );
                    step(
                        EventKind::Accepted {
                            by: "Mette Lund".into(),
                            reference: "mail 14.03".into(),
                        },
                        reported + h(24),
                    );
                }
                _ => {}
            }
        }
        b
    }

    fn with<R>(
        &self,
        f: impl FnOnce(&mut BTreeMap<TicketId, Vec<Event>>) -> R,
    ) -> Result<R, String> {
        let mut g = self
            .logs
            .lock()
            .map_err(|_| "the in-memory log is poisoned".to_string())?;
        Ok(f(&mut g))
    }
}

impl Backend for MemoryBackend {
    fn tickets(&self) -> Result<Vec<Ticket>, String> {
        self.with(|logs| logs.values().filter_map(|e| ticket::fold(e)).collect())
    }

    fn events(&self, id: TicketId) -> Result<Vec<Event>, String> {
        self.with(|logs| logs.get(&id).cloned())?
            .ok_or_else(|| format!("ticket {id} does not exist"))
    }

    fn create(&self, new: &NewTicket, user: &str, now: DateTime<Utc>) -> Result<Ticket, String> {
        if new.reported > now {
            return Err("the report time lies in the future".into());
        }
        let contract = self.contract.clone();
        self.with(|logs| {
            let id = logs.keys().next_back().map_or(1, |k| k + 1);
            let ev = |seq, kind| Event {
                ticket: id,
                seq,
                user: user.to_string(),
                recorded: now,
                effective: new.reported,
                kind,
            };
            let events = vec![
                ev(
                    0,
                    EventKind::Reported {
                        municipality: new.municipality.clone(),
                        reporter: new.reporter.clone(),
                        title: new.title.clone(),
                        description: new.description.clone(),
                        category: new.category.clone(),
                        contract,
                    },
                ),
                ev(
                    1,
                    EventKind::Classified {
                        category: new.category.clone(),
                        by: new.classified_by,
                        confidence: new.confidence,
                        reasons: new.reasons.clone(),
                    },
                ),
            ];
            let t = ticket::fold(&events).ok_or("cannot fold the new ticket")?;
            logs.insert(id, events);
            Ok(t)
        })?
    }

    fn append(
        &self,
        id: TicketId,
        kind: EventKind,
        user: &str,
        effective: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Ticket, String> {
        self.with(|logs| {
            let events = logs
                .get_mut(&id)
                .ok_or_else(|| format!("ticket {id} does not exist"))?;
            let mut t = ticket::fold(events).ok_or("the ticket's log is empty")?;
            t.check(&kind, effective, now).map_err(|e| e.message)?;
            let ev = Event {
                ticket: id,
                seq: events.len() as u32,
                user: user.to_string(),
                recorded: now,
                effective,
                kind,
            };
            t.apply(&ev);
            events.push(ev);
            Ok(t)
        })?
    }
}
