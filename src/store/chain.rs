//! The audit chain: one chain over every event in the order it was appended. Each link is
//! `SHA-256(previous hash ‖ canonical bytes of the event)`, so an edited, deleted, inserted or
//! reordered event breaks every later link. The canonical bytes are the serde_json encoding of
//! [`Event`] (field order fixed by the struct).

use super::{Break, VerifyOutcome};
use crate::contact::Book;
use crate::i18n::Lang;
use crate::ticket::{fold, Event, EventKind, Ticket, TicketId, LOG_STREAM};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

pub type Hash = [u8; 32];

/// The hash before the first event.
pub const GENESIS: Hash = [0; 32];

/// The canonical bytes of an event: what is hashed and stored.
pub fn canonical(ev: &Event) -> Vec<u8> {
    serde_json::to_vec(ev).expect("an Event always serializes")
}

/// The next link of the chain.
pub fn link(prev: &Hash, bytes: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(bytes);
    h.finalize().into()
}

/// One event of the log with its place in the chain: a line of `frist export`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Position in the log, 1-based.
    pub n: u64,
    /// The link's hash, hex.
    #[serde(with = "hex_hash")]
    pub hash: Hash,
    pub event: Event,
}

pub(crate) mod hex_hash {
    use super::Hash;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(h: &Hash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hash, D::Error> {
        let s = String::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(&s, &mut out)
            .map_err(|e| D::Error::custom(format!("hash '{s}': {e}")))?;
        Ok(out)
    }
}

/// The highest ticket id a log may hold. Ids count up from 1, one per ticket: a desk logging a
/// thousand tickets a second for thirty years stays below it. An imported id beyond it (or
/// u64::MAX, after which the next id would wrap to 0 and overwrite ticket 1) is refused, and
/// the bound fits PostgreSQL's `bigint`.
pub const MAX_TICKET_ID: TicketId = 1_000_000_000_000;

/// The first line of `frist export`: how many events follow, so that a file cut at a line
/// boundary is told from a whole one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    pub export: StartBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// The export format; 1 is the first with a start and an end line.
    pub format: u32,
    pub events: u64,
}

/// The last line of `frist export`: how many events it held and the chain's hash at the last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct End {
    pub end: EndBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndBody {
    pub events: u64,
    #[serde(with = "hex_hash")]
    pub head: Hash,
}

/// The export format this build writes and reads.
pub const EXPORT_FORMAT: u32 = 1;

impl Start {
    pub fn new(events: u64) -> Start {
        Start {
            export: StartBody {
                format: EXPORT_FORMAT,
                events,
            },
        }
    }
}

impl End {
    pub fn new(events: u64, head: Hash) -> End {
        End {
            end: EndBody { events, head },
        }
    }
}

/// What an imported log must obey beyond its chain: the checks a live write passes.
pub struct Strict {
    /// The instant the lifecycle checks against (no step in the future).
    pub now: DateTime<Utc>,
    /// The contract ids a ticket may name.
    pub contracts: Vec<String>,
    /// The language and zone of the refusals.
    pub lang: Lang,
    pub tz: chrono_tz::Tz,
}

/// Checks a sequence of records as a log: the chain links, the positions count up from 1, and
/// each ticket's events start with `reported` and number 0, 1, 2, … Returns the folded tickets.
/// [`Checker::strict`] also checks each step as a live write is checked.
pub struct Checker {
    prev: Hash,
    n: u64,
    pub tickets: HashMap<TicketId, Ticket>,
    strict: Option<Strict>,
    /// Each ticket's events so far, kept when strict: a retraction is checked against them.
    history: HashMap<TicketId, Vec<Event>>,
    /// How many events the log's own stream ([`LOG_STREAM`]) holds.
    pub stream: u32,
    /// The contacts, folded from the log's own stream.
    pub book: Book,
    /// How many tickets were reported: [`Checker::tickets`] may have let go of some (a bulk
    /// load writes the states it holds out when it holds many).
    pub reported: u64,
    /// How many events each ticket has still to come, when known beforehand
    /// ([`Checker::with_counts`]): a ticket whose last event was checked is let go of.
    remaining: Option<HashMap<TicketId, u32>>,
}

impl Default for Checker {
    fn default() -> Self {
        Checker {
            prev: GENESIS,
            n: 0,
            tickets: HashMap::new(),
            strict: None,
            history: HashMap::new(),
            stream: 0,
            book: Book::default(),
            reported: 0,
            remaining: None,
        }
    }
}

impl Checker {
    /// A checker for a log from outside (an import): every event must also pass the lifecycle
    /// check a live step passes ([`Ticket::check`]) and every ticket name a known contract.
    pub fn strict(rules: Strict) -> Checker {
        Checker {
            strict: Some(rules),
            ..Checker::default()
        }
    }

    /// A checker told beforehand how many events each ticket has (`counts`, from a first
    /// reading of the same log): once a ticket's last event is checked, its folded state and
    /// its history are let go of, so a long log is checked holding only its unfinished
    /// tickets ([`Checker::tickets`] holds those; [`Checker::reported`] still counts all). An
    /// event beyond a ticket's count is refused: the log is not the one that was counted.
    pub fn with_counts(mut self, counts: HashMap<TicketId, u32>) -> Checker {
        self.remaining = Some(counts);
        self
    }

    /// The hash of the last link checked.
    pub fn head(&self) -> (u64, Hash) {
        (self.n, self.prev)
    }

    /// Checks the next event given its stored bytes and stored hash.
    pub fn next_bytes(
        &mut self,
        position: u64,
        stored: &Hash,
        bytes: &[u8],
    ) -> Result<Event, Break> {
        let brk = |ticket: Option<TicketId>, event: Option<u32>, what: String| Break {
            position: Some(position),
            ticket,
            event,
            what,
        };
        if position != self.n + 1 {
            return Err(brk(
                None,
                None,
                format!(
                    "expected event number {} in the log, found {position}: an event is missing or out of order",
                    self.n + 1
                ),
            ));
        }
        let ev: Event = serde_json::from_slice(bytes)
            .map_err(|e| brk(None, None, format!("the stored event cannot be read: {e}")))?;
        let computed = link(&self.prev, bytes);
        if &computed != stored {
            return Err(brk(
                Some(ev.ticket),
                Some(ev.seq),
                format!(
                    "hash differs: stored {}, computed {} — the event or one before it was changed, removed or reordered",
                    short(stored),
                    short(&computed)
                ),
            ));
        }
        if canonical(&ev) != bytes {
            return Err(brk(
                Some(ev.ticket),
                Some(ev.seq),
                "the stored bytes are not the event's canonical form".into(),
            ));
        }
        self.structure(&ev)
            .map_err(|w| brk(Some(ev.ticket), Some(ev.seq), w))?;
        self.prev = computed;
        self.n = position;
        Ok(ev)
    }

    /// Checks the next record (an export line): recomputes its canonical bytes and the link.
    pub fn next_record(&mut self, r: &Record) -> Result<(), Break> {
        let bytes = canonical(&r.event);
        self.next_bytes(r.n, &r.hash, &bytes).map(|_| ())
    }

    /// Appends an event without a stored hash (building the chain), checking its place.
    pub fn push(&mut self, ev: &Event) -> Result<(u64, Hash, Vec<u8>), Break> {
        let bytes = canonical(ev);
        let hash = link(&self.prev, &bytes);
        let n = self.n + 1;
        self.next_bytes(n, &hash, &bytes)?;
        Ok((n, hash, bytes))
    }

    fn structure(&mut self, ev: &Event) -> Result<(), String> {
        if ev.ticket == LOG_STREAM {
            if !ev.kind.is_log_level() {
                return Err(format!(
                    "ticket id 0 is out of range: ids run from 1 to {MAX_TICKET_ID} (0 is the \
                     log's own stream, where only contacts belong, not a '{}' event)",
                    ev.kind.name()
                ));
            }
            if ev.seq != self.stream {
                return Err(format!(
                    "the log's own stream has event number {} where {} was expected",
                    ev.seq, self.stream
                ));
            }
            self.stream += 1;
            self.book.apply(ev);
            return Ok(());
        }
        if ev.kind.is_log_level() {
            return Err(format!(
                "a '{}' event on ticket {}: it belongs to the log's own stream",
                ev.kind.name(),
                ev.ticket
            ));
        }
        let Some(remaining) = self.remaining.as_mut() else {
            return self.ticket_step(ev);
        };
        let Some(left) = remaining.get_mut(&ev.ticket).filter(|n| **n > 0) else {
            return Err(format!(
                "ticket {} has more events than were counted before the check: the log changed while it was read",
                ev.ticket
            ));
        };
        *left -= 1;
        let last = *left == 0;
        self.ticket_step(ev)?;
        if last {
            if let Some(r) = self.remaining.as_mut() {
                r.remove(&ev.ticket);
            }
            self.tickets.remove(&ev.ticket);
            self.history.remove(&ev.ticket);
        }
        Ok(())
    }

    /// The step of a ticket (not of the log's own stream).
    fn ticket_step(&mut self, ev: &Event) -> Result<(), String> {
        let strict = self.strict.as_ref();
        match (&ev.kind, self.tickets.get_mut(&ev.ticket)) {
            (EventKind::Reported { .. }, None) if ev.ticket == 0 || ev.ticket > MAX_TICKET_ID => {
                Err(format!(
                    "ticket id {} is out of range: ids run from 1 to {MAX_TICKET_ID}",
                    ev.ticket
                ))
            }
            (EventKind::Reported { contract, .. }, None) if ev.seq == 0 => {
                if let Some(s) = strict {
                    s.report(ev, contract)?;
                }
                let t = fold(std::slice::from_ref(ev)).ok_or("cannot fold the report")?;
                self.tickets.insert(ev.ticket, t);
                self.reported += 1;
                if strict.is_some() {
                    self.history.insert(ev.ticket, vec![ev.clone()]);
                }
                Ok(())
            }
            (EventKind::Reported { .. }, None) => Err(format!(
                "the report of ticket {} has number {}, not 0",
                ev.ticket, ev.seq
            )),
            (EventKind::Reported { .. }, Some(_)) => {
                Err(format!("ticket {} is reported twice", ev.ticket))
            }
            (_, None) => Err(format!(
                "event of ticket {} comes before the ticket's report",
                ev.ticket
            )),
            (_, Some(t)) if ev.seq != t.events => Err(format!(
                "ticket {} has event number {} where {} was expected",
                ev.ticket, ev.seq, t.events
            )),
            (_, Some(t)) => {
                if let Some(s) = strict {
                    let refused = |why: String| {
                        format!(
                            "{} {}, {} #{} ({}): {why}",
                            s.lang.t("sag", "ticket"),
                            ev.ticket,
                            s.lang.t("hændelse", "event"),
                            ev.seq,
                            ev.kind.name(),
                        )
                    };
                    t.check(&ev.kind, ev.effective, s.now)
                        .map_err(|e| refused(e.message(s.lang, &s.tz)))?;
                    // A retraction names a step of the ticket still in force and not built
                    // on, as on the live path.
                    let history = self.history.entry(ev.ticket).or_default();
                    super::check_retraction(&ev.kind, history)
                        .map_err(|e| refused(e.message(s.lang, &s.tz)))?;
                    history.push(ev.clone());
                }
                t.apply(ev);
                Ok(())
            }
        }
    }

    /// The outcome once every event was checked.
    pub fn outcome(&self) -> VerifyOutcome {
        VerifyOutcome::Intact {
            events: self.n,
            tickets: self.reported,
        }
    }
}

impl Strict {
    /// A ticket's report: a known contract, named by its id (never a path), and not in the
    /// future.
    fn report(&self, ev: &Event, contract: &str) -> Result<(), String> {
        let l = self.lang;
        if !self.contracts.iter().any(|c| c == contract) {
            return Err(match l {
                Lang::Da => format!(
                    "sag {} nævner kontrakten '{}', som ikke er et kendt kontrakt-id (kendte: {}); en kontrakt nævnes ved sit id, aldrig ved en sti",
                    ev.ticket,
                    crate::safe::text(contract),
                    self.contracts.join(", ")
                ),
                Lang::En => format!(
                    "ticket {} names the contract '{}', which is not a known contract id (known: {}); a contract is named by its id, never by a path",
                    ev.ticket,
                    crate::safe::text(contract),
                    self.contracts.join(", ")
                ),
            });
        }
        if ev.effective > self.now {
            let at = ev.effective.with_timezone(&self.tz).naive_local();
            return Err(format!(
                "{} {}: {} {}",
                l.t("sag", "ticket"),
                ev.ticket,
                l.t("anmeldt i fremtiden,", "reported in the future,"),
                l.datetime(at)
            ));
        }
        Ok(())
    }
}

/// The first 12 hex digits, enough to tell hashes apart in a message.
pub fn short(h: &Hash) -> String {
    hex::encode(&h[..6])
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 3, h, 0, 0).unwrap()
    }

    fn ev(ticket: TicketId, seq: u32, effective: DateTime<Utc>, kind: EventKind) -> Event {
        Event {
            ticket,
            seq,
            user: "mette".into(),
            recorded: effective,
            effective,
            kind,
        }
    }

    fn reported(ticket: TicketId, contract: &str) -> Event {
        ev(
            ticket,
            0,
            at(10),
            EventKind::Reported {
                municipality: "Aarhus".into(),
                reporter: String::new(),
                title: "Låsen".into(),
                description: String::new(),
                category: "kritisk".into(),
                contract: contract.into(),
            },
        )
    }

    fn strict() -> Checker {
        Checker::strict(Strict {
            now: at(20),
            contracts: vec!["laasesystem".into()],
            lang: Lang::En,
            tz: chrono_tz::Europe::Copenhagen,
        })
    }

    /// The first refusal of the events, pushed in order.
    fn refusal(mut c: Checker, events: &[Event]) -> Option<String> {
        events.iter().find_map(|e| c.push(e).err().map(|b| b.what))
    }

    #[test]
    fn a_strict_checker_refuses_what_a_live_write_refuses() {
        let resolved = |h| ev(1, 1, at(h), EventKind::Resolved { note: "ok".into() });
        let accepted = ev(
            1,
            1,
            at(11),
            EventKind::Accepted {
                by: "Lone".into(),
                reference: "mail".into(),
            },
        );
        // What the chain alone lets through …
        for events in [
            vec![reported(1, "laasesystem"), resolved(9)],
            vec![reported(1, "laasesystem"), accepted.clone()],
            vec![reported(1, "../../etc/passwd")],
            vec![reported(1, "laasesystem"), resolved(21)],
        ] {
            assert_eq!(refusal(Checker::default(), &events), None);
            // … a strict checker refuses, naming the ticket.
            let why = refusal(strict(), &events).expect("refused");
            assert!(why.contains("ticket 1"), "{why}");
        }
        assert_eq!(
            refusal(strict(), &[reported(1, "laasesystem"), resolved(12)]),
            None
        );
    }

    #[test]
    fn ids_out_of_range_are_refused_by_every_checker() {
        for id in [0, MAX_TICKET_ID + 1, u64::MAX] {
            let why = refusal(Checker::default(), &[reported(id, "laasesystem")]);
            assert!(why.is_some_and(|w| w.contains("out of range")), "{id}");
        }
        assert_eq!(
            refusal(strict(), &[reported(MAX_TICKET_ID, "laasesystem")]),
            None
        );
    }

    /// Tickets `1..=n`, two at a time: both reported, both resolved, both resolutions
    /// withdrawn (as `ticket::retraction` writes it).
    fn pairs(n: TicketId) -> Vec<Event> {
        let resolved = |t| ev(t, 1, at(12), EventKind::Resolved { note: "ok".into() });
        let retracted = |t| {
            let kind =
                crate::ticket::retraction(&[reported(t, "laasesystem"), resolved(t)], 1, "fejl")
                    .expect("the resolution can be withdrawn");
            ev(t, 2, at(13), kind)
        };
        (1..=n)
            .step_by(2)
            .flat_map(|a| {
                let b = a + 1;
                [
                    reported(a, "laasesystem"),
                    reported(b, "laasesystem"),
                    resolved(a),
                    resolved(b),
                    retracted(a),
                    retracted(b),
                ]
            })
            .collect()
    }

    fn counts(events: &[Event]) -> HashMap<TicketId, u32> {
        let mut c = HashMap::new();
        for e in events {
            *c.entry(e.ticket).or_default() += 1;
        }
        c
    }

    #[test]
    fn a_checker_told_the_counts_lets_go_of_finished_tickets_and_still_checks_retractions() {
        let events = pairs(1000);
        let mut counted = strict().with_counts(counts(&events));
        let mut held = strict();
        for e in &events {
            counted.push(e).expect("a whole log");
            held.push(e).expect("a whole log");
            assert!(counted.tickets.len() <= 2 && counted.history.len() <= 2);
        }
        // Every ticket was checked and is counted; only the one without counts holds them all.
        assert_eq!(counted.outcome(), held.outcome());
        assert_eq!((counted.reported, held.tickets.len()), (1000, 1000));
        assert!(counted.tickets.is_empty() && counted.history.is_empty());

        // A retraction of the report (not a step) is refused with counts as without.
        let mut bad = pairs(1000);
        let last_but_one = bad.len() - 2;
        bad[last_but_one].kind = EventKind::Retracted {
            retracts: 0,
            step: "reported".into(),
            restores: crate::ticket::State::Open,
            reason: "fejl".into(),
        };
        let with = refusal(strict().with_counts(counts(&bad)), &bad).expect("refused");
        assert_eq!(Some(with.clone()), refusal(strict(), &bad));
        assert!(with.contains("ticket 999"), "{with}");
    }

    #[test]
    fn an_event_beyond_its_tickets_count_is_refused() {
        let events = pairs(4);
        let mut short = counts(&events);
        short.insert(3, 2);
        let why = refusal(strict().with_counts(short), &events).expect("refused");
        assert!(
            why.contains("ticket 3 has more events than were counted"),
            "{why}"
        );
    }
}
