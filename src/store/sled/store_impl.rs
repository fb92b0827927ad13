//! The [`Store`] trait on the sled trees.

use super::*;

impl Store for SledStore {
    fn create_many(
        &self,
        new: &[NewTicket],
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<Vec<Ticket>> {
        let trees = (
            &self.log,
            &self.tickets,
            &self.open,
            &self.municipalities,
            &self.meta,
            &self.active,
        );
        let tickets = trees
            .transaction(|(lg_t, tk_t, op_t, mu_t, me_t, ac_t)| {
                let mut id = match me_t.get(NEXT_ID)? {
                    Some(v) => tx_ok(read_u64(&v))?,
                    None => 1,
                };
                let mut out = Vec::with_capacity(new.len());
                for n in new {
                    let (events, ticket) = tx_ok(n.first(id, user, recorded))?;
                    let mut positions = Vec::with_capacity(events.len());
                    for e in &events {
                        positions.push(write_event(lg_t, me_t, e)?);
                    }
                    let bytes = encode(&Stored {
                        ticket: ticket.clone(),
                        breach_months: Vec::new(),
                        positions,
                    });
                    tk_t.insert(&u64_key(id), bytes.clone())?;
                    op_t.insert(&u64_key(id), bytes)?;
                    for k in active_keys(&ticket) {
                        ac_t.insert(&k, &[])?;
                    }
                    mu_t.insert(ticket.municipality.as_bytes(), &[])?;
                    id += 1;
                    out.push(ticket);
                }
                me_t.insert(NEXT_ID, &u64_key(id))?;
                Ok(out)
            })
            .map_err(from_tx)?;
        self.flush()?;
        Ok(tickets)
    }

    fn append(
        &self,
        id: TicketId,
        kind: EventKind,
        user: &str,
        recorded: DateTime<Utc>,
        effective: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Ticket> {
        let trees = (
            &self.log,
            &self.tickets,
            &self.open,
            &self.breach,
            &self.meta,
            &self.active,
        );
        let known = super::super::retraction_known(self, id, &kind)?;
        let ticket = trees
            .transaction(|(lg_t, tk_t, op_t, br_t, me_t, ac_t)| {
                let Some(raw) = tk_t.get(u64_key(id))? else {
                    return abort(StoreError::UnknownTicket(id));
                };
                let mut stored = tx_ok(decode(&raw))?;
                let event = tx_ok(super::super::next_event(
                    &stored.ticket,
                    kind.clone(),
                    known,
                    user,
                    recorded,
                    effective,
                    now,
                ))?;
                let pos = write_event(lg_t, me_t, &event)?;
                stored.positions.push(pos);
                let was_active = active_keys(&stored.ticket);
                stored.ticket.apply(&event);
                let is_active = active_keys(&stored.ticket);
                if was_active != is_active {
                    for k in &was_active {
                        ac_t.remove(k)?;
                    }
                    for k in &is_active {
                        ac_t.insert(k, &[])?;
                    }
                }
                let closed = stored.ticket.state == State::Closed;
                let months = self.months(&stored.ticket);
                for m in &stored.breach_months {
                    br_t.remove(&breach_key(*m, id))?;
                }
                for m in &months {
                    br_t.insert(&breach_key(*m, id), &[])?;
                }
                stored.breach_months = months;
                let bytes = encode(&stored);
                if closed {
                    op_t.remove(&u64_key(id))?;
                } else {
                    op_t.insert(&u64_key(id), bytes.clone())?;
                }
                tk_t.insert(&u64_key(id), bytes)?;
                Ok(stored.ticket)
            })
            .map_err(from_tx)?;
        self.flush()?;
        Ok(ticket)
    }

    fn append_log(
        &self,
        kind: EventKind,
        user: &str,
        recorded: DateTime<Utc>,
    ) -> StoreResult<Event> {
        super::super::log_level_only(&kind)?;
        let event = (&self.log, &self.meta)
            .transaction(|(lg_t, me_t)| {
                let mut stream = tx_ok(decode_stream(me_t.get(STREAM)?.as_deref()))?;
                let mut book = Book {
                    contacts: std::mem::take(&mut stream.contacts),
                };
                if let Err(r) = book.check(&kind) {
                    return abort(StoreError::Contact(r));
                }
                let event = Event {
                    ticket: LOG_STREAM,
                    seq: stream.positions.len() as u32,
                    user: user.to_string(),
                    recorded,
                    effective: recorded,
                    kind: kind.clone(),
                };
                stream.positions.push(write_event(lg_t, me_t, &event)?);
                book.apply(&event);
                stream.contacts = book.contacts;
                me_t.insert(STREAM, encode_stream(&stream))?;
                Ok(event)
            })
            .map_err(from_tx)?;
        self.flush()?;
        Ok(event)
    }

    fn find_message(&self, message_id: &str) -> StoreResult<Vec<(TicketId, u32)>> {
        decode_msgs(self.meta.get(msg_key(message_id))?.as_deref())
    }

    fn log_events(&self) -> StoreResult<Vec<Event>> {
        let stream = decode_stream(self.meta.get(STREAM)?.as_deref())?;
        self.read_at(LOG_STREAM, &stream.positions)
    }

    fn contacts(&self, municipality: Option<&str>) -> StoreResult<Vec<crate::contact::Contact>> {
        let stream = decode_stream(self.meta.get(STREAM)?.as_deref())?;
        Ok(Book {
            contacts: stream.contacts,
        }
        .of(municipality))
    }

    fn ticket(&self, id: TicketId) -> StoreResult<Option<Ticket>> {
        Ok(self.stored(id)?.map(|s| s.ticket))
    }

    fn events(&self, id: TicketId) -> StoreResult<Vec<Event>> {
        let Some(stored) = self.stored(id)? else {
            return Ok(Vec::new());
        };
        self.read_at(id, &stored.positions)
    }

    fn tickets(&self, filter: Filter) -> StoreResult<Vec<Ticket>> {
        match filter {
            Filter::All | Filter::Closed => {
                let mut out = Vec::new();
                for kv in self.tickets.iter() {
                    let (_, v) = kv?;
                    let t = decode(&v)?.ticket;
                    if filter == Filter::All || t.state == State::Closed {
                        out.push(t);
                    }
                }
                Ok(out)
            }
            Filter::NotClosed => self.not_closed(),
            Filter::Unresolved => {
                let mut out = Vec::new();
                for id in self.ids_of(&self.active, &UNRESOLVED.to_be_bytes(), 4)? {
                    if let Some(v) = self.open.get(u64_key(id))? {
                        out.push(decode(&v)?.ticket);
                    }
                }
                Ok(out)
            }
            Filter::BreachCandidates(month) => {
                let mut out = self.not_closed()?;
                let prefix = month.map(|m| m.to_be_bytes().to_vec()).unwrap_or_default();
                let ids: BTreeSet<TicketId> =
                    self.ids_of(&self.breach, &prefix, 4)?.into_iter().collect();
                out.extend(
                    self.load(ids)?
                        .into_iter()
                        .filter(|t| t.state == State::Closed),
                );
                Ok(out)
            }
            Filter::Active { from, to } => {
                let mut ids: BTreeSet<TicketId> = BTreeSet::new();
                let (first, last) = (utc_month(from), utc_month(to));
                for kv in self
                    .active
                    .range(breach_key(first, 0)..=breach_key(last, u64::MAX))
                    .keys()
                {
                    ids.insert(read_u64(&kv?[4..])?);
                }
                ids.extend(self.ids_of(&self.active, &UNRESOLVED.to_be_bytes(), 4)?);
                Ok(self
                    .load(ids)?
                    .into_iter()
                    .filter(|t| t.reported < to && t.resolved.is_none_or(|r| r >= from))
                    .collect())
            }
        }
    }

    fn for_each_event(&self, f: &mut dyn FnMut(&Record) -> StoreResult<()>) -> StoreResult<()> {
        for kv in self.log.iter() {
            let (k, v) = kv?;
            let first = read_u64(&k)? * BLOCK + 1;
            for (n, (hash, bytes, _)) in (first..).zip(records(&v)?) {
                let event: Event = serde_json::from_slice(bytes)
                    .map_err(|e| StoreError::Corrupt(format!("event {n}: {e}")))?;
                f(&Record { n, hash, event })?;
            }
        }
        Ok(())
    }

    fn link_at(&self, n: u64) -> StoreResult<Option<Hash>> {
        if n == 0 {
            return Ok(None);
        }
        let (b, i) = block_of(n);
        match self.log.get(u64_key(b))? {
            Some(v) => Ok(records(&v)?.get(i).map(|r| r.0)),
            None => Ok(None),
        }
    }

    fn head(&self) -> StoreResult<(u64, Hash)> {
        let Some((k, v)) = self.log.last()? else {
            return Ok((0, GENESIS));
        };
        let recs = records(&v)?;
        match recs.last() {
            Some(r) => Ok((read_u64(&k)? * BLOCK + recs.len() as u64, r.0)),
            None => Err(StoreError::Corrupt("the log's last block is empty".into())),
        }
    }

    fn is_empty(&self) -> StoreResult<bool> {
        Ok(self.log.is_empty() && self.tickets.is_empty())
    }

    fn municipalities(&self) -> StoreResult<Vec<String>> {
        self.municipalities
            .iter()
            .keys()
            .map(|k| Ok(String::from_utf8_lossy(&k?).into_owned()))
            .collect()
    }

    fn import(&self, events: &mut dyn Iterator<Item = Event>) -> StoreResult<u64> {
        if !self.is_empty()? {
            return Err(StoreError::NotEmpty);
        }
        self.meta.insert(BULK, &[1])?;
        self.flush()?;
        let mut checker = Checker::default();
        let mut lg_b = Batch::default();
        let mut block = Vec::new();
        let mut pending = 0usize;
        let mut positions: HashMap<TicketId, Vec<u64>> = HashMap::new();
        let mut messages: HashMap<String, Vec<(TicketId, u32)>> = HashMap::new();
        for ev in events {
            let (n, hash, bytes) = checker
                .push(&ev)
                .map_err(|b| StoreError::BadInput(b.what))?;
            let (b, i) = block_of(n);
            if i == 0 && b > 0 {
                lg_b.insert(&u64_key(b - 1), std::mem::take(&mut block));
                pending += 1;
                if pending == 5_000 {
                    self.log.apply_batch(std::mem::take(&mut lg_b))?;
                    pending = 0;
                }
            }
            push_record(&mut block, &hash, &bytes);
            positions.entry(ev.ticket).or_default().push(n);
            if let Some(id) = crate::mail::message_id_of(&ev.kind) {
                messages.entry(id).or_default().push((ev.ticket, ev.seq));
            }
        }
        if !block.is_empty() {
            lg_b.insert(&u64_key(block_of(checker.head().0).0), block);
        }
        self.log.apply_batch(lg_b)?;
        let mut tk_b = Batch::default();
        let mut op_b = Batch::default();
        let mut br_b = Batch::default();
        let mut ac_b = Batch::default();
        let mut mu_b = Batch::default();
        let mut max_id = 0;
        let mut written = 0usize;
        let mut municipalities: HashMap<String, ()> = HashMap::new();
        for (id, ticket) in std::mem::take(&mut checker.tickets) {
            max_id = max_id.max(id);
            let months = self.months(&ticket);
            for m in &months {
                br_b.insert(&breach_key(*m, id), &[]);
            }
            let closed = ticket.state == State::Closed;
            for k in active_keys(&ticket) {
                ac_b.insert(&k, &[]);
            }
            if municipalities
                .insert(ticket.municipality.clone(), ())
                .is_none()
            {
                mu_b.insert(ticket.municipality.as_bytes(), &[]);
            }
            let bytes = encode(&Stored {
                ticket,
                breach_months: months,
                positions: positions.remove(&id).unwrap_or_default(),
            });
            if !closed {
                op_b.insert(&u64_key(id), bytes.clone());
            }
            tk_b.insert(&u64_key(id), bytes);
            written += 1;
            if written.is_multiple_of(50_000) {
                self.tickets.apply_batch(std::mem::take(&mut tk_b))?;
                self.open.apply_batch(std::mem::take(&mut op_b))?;
                self.breach.apply_batch(std::mem::take(&mut br_b))?;
                self.active.apply_batch(std::mem::take(&mut ac_b))?;
            }
        }
        self.tickets.apply_batch(tk_b)?;
        self.open.apply_batch(op_b)?;
        self.breach.apply_batch(br_b)?;
        self.active.apply_batch(ac_b)?;
        self.municipalities.apply_batch(mu_b)?;
        let (n, hash) = checker.head();
        let mut me_b = Batch::default();
        me_b.insert(HEAD, head_value(n, &hash));
        for (id, at) in messages {
            me_b.insert(
                msg_key(&id),
                serde_json::to_vec(&at).expect("pairs serialize"),
            );
        }
        if let Some(p) = positions.remove(&LOG_STREAM) {
            me_b.insert(
                STREAM,
                encode_stream(&StreamState {
                    positions: p,
                    contacts: std::mem::take(&mut checker.book.contacts),
                }),
            );
        }
        me_b.insert(NEXT_ID, &u64_key(max_id + 1));
        me_b.remove(BULK);
        self.meta.apply_batch(me_b)?;
        self.flush()?;
        Ok(n)
    }

    fn verify(&self) -> StoreResult<VerifyOutcome> {
        let mut checker = Checker::default();
        let brk = |ticket: Option<TicketId>, event: Option<u32>, what: String| {
            Ok(VerifyOutcome::Broken(Break {
                position: None,
                ticket,
                event,
                what,
            }))
        };
        // Where each ticket's events are in the log, to check against the ticket's state.
        let mut positions: HashMap<TicketId, Vec<u64>> = HashMap::new();
        for kv in self.log.iter() {
            let (k, v) = kv?;
            let first = read_u64(&k)? * BLOCK + 1;
            for (pos, (hash, bytes, _)) in (first..).zip(records(&v)?) {
                let ev = match checker.next_bytes(pos, &hash, bytes) {
                    Ok(ev) => ev,
                    Err(b) => return Ok(VerifyOutcome::Broken(b)),
                };
                positions.entry(ev.ticket).or_default().push(pos);
            }
        }
        let (n, hash) = checker.head();
        let (hn, hh) = parse_head(self.meta.get(HEAD)?.as_deref())?;
        if (n, hash) != (hn, hh) {
            return brk(
                None,
                None,
                format!(
                    "the log ends at event {n} ({}) but the recorded head is event {hn} ({}): events at the end were removed or the head was changed",
                    chain::short(&hash),
                    chain::short(&hh)
                ),
            );
        }
        let stream = match decode_stream(self.meta.get(STREAM)?.as_deref()) {
            Ok(s) => s,
            Err(e) => return brk(Some(LOG_STREAM), None, e.to_string()),
        };
        if positions.remove(&LOG_STREAM).unwrap_or_default() != stream.positions {
            return brk(
                Some(LOG_STREAM),
                None,
                "the log's own stream (contacts) does not point at its events in the log".into(),
            );
        }
        if stream.contacts != checker.book.contacts {
            return brk(
                Some(LOG_STREAM),
                None,
                "the stored contacts differ from the fold of the log's contact events".into(),
            );
        }
        let mut seen = 0u64;
        for kv in self.tickets.iter() {
            let (k, v) = kv?;
            let id = read_u64(&k)?;
            let (stored, at) = match decode(&v) {
                Ok(s) => (s.ticket, s.positions),
                Err(e) => return brk(Some(id), None, e.to_string()),
            };
            seen += 1;
            if positions.get(&id).is_some_and(|p| *p != at) {
                return brk(
                    Some(id),
                    None,
                    "the ticket's state does not point at its events in the log".into(),
                );
            }
            match checker.tickets.get(&id) {
                None => {
                    return brk(
                        Some(id),
                        None,
                        "a ticket state without events in the log".into(),
                    )
                }
                Some(folded) if folded != &stored => {
                    return brk(
                        Some(id),
                        None,
                        "the stored state differs from the fold of the ticket's events".into(),
                    )
                }
                Some(_) => {}
            }
            for key in active_keys(&stored) {
                if !self.active.contains_key(key)? {
                    return brk(
                        Some(id),
                        None,
                        "the month index does not list the ticket in a month it was active".into(),
                    );
                }
            }
            let indexed_open = self.open.get(&k)?;
            let copy_ok = match &indexed_open {
                Some(v) => decode(v).is_ok_and(|c| c.ticket == stored),
                None => true,
            };
            if indexed_open.is_some() != (stored.state != State::Closed) || !copy_ok {
                return brk(
                    Some(id),
                    None,
                    "the open-ticket index disagrees with the state".into(),
                );
            }
        }
        if seen != checker.tickets.len() as u64 {
            let missing = checker
                .tickets
                .keys()
                .find(|id| !self.tickets.contains_key(u64_key(**id)).unwrap_or(false))
                .copied();
            return brk(
                missing,
                None,
                "a ticket in the log has no stored state".into(),
            );
        }
        Ok(checker.outcome())
    }

    fn classifier_model(&self) -> StoreResult<Option<Vec<u8>>> {
        Ok(self.meta.get(MODEL)?.map(|v| v.to_vec()))
    }

    fn set_classifier_model(&self, json: &[u8]) -> StoreResult<()> {
        self.meta.insert(MODEL, json)?;
        self.flush()?;
        Ok(())
    }

    fn add_measurements(&self, ms: &[Measurement]) -> StoreResult<()> {
        let mut b = Batch::default();
        for m in ms {
            let mut k = Vec::with_capacity(16);
            let micros = m.at.timestamp_micros() as u64 ^ (1 << 63);
            k.extend_from_slice(&micros.to_be_bytes());
            k.extend_from_slice(&self.db.generate_id()?.to_be_bytes());
            b.insert(k, serde_json::to_vec(m).expect("a measurement serializes"));
        }
        self.measurements.apply_batch(b)?;
        self.flush()?;
        Ok(())
    }

    fn contract_versions(&self) -> StoreResult<Vec<ContractVersion>> {
        self.contracts
            .iter()
            .values()
            .map(|v| {
                serde_json::from_slice(&v?)
                    .map_err(|e| StoreError::Corrupt(format!("a contract version: {e}")))
            })
            .collect()
    }

    fn add_contract_version(&self, v: &ContractVersion) -> StoreResult<()> {
        let key = self.db.generate_id()?.to_be_bytes();
        self.contracts.insert(
            key,
            serde_json::to_vec(v).expect("a contract version serializes"),
        )?;
        self.flush()?;
        Ok(())
    }

    fn measurements(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Measurement>> {
        let key = |t: DateTime<Utc>| (t.timestamp_micros() as u64 ^ (1 << 63)).to_be_bytes();
        self.measurements
            .range(key(from)..key(to))
            .values()
            .map(|v| {
                serde_json::from_slice(&v?)
                    .map_err(|e| StoreError::Corrupt(format!("a measurement: {e}")))
            })
            .collect()
    }
}
