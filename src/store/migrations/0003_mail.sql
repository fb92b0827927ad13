-- frist's shared log on PostgreSQL: contacts and incoming mail (schema 3; 0002 is the
-- corrections'). Run by the database's owner through `frist db init`; never edited after
-- release.
--
-- Who may do what:
--   * contacts (`contact-added`, `contact-removed`) are events of the log's own stream, ticket
--     id 0, linked into the same audit chain as every ticket's events. Agents, supervisors and
--     the owner add and remove them; a municipality's login reads its own municipality's
--     contacts and writes none (it could otherwise make itself the contact whose mail counts
--     as the written acceptance).
--   * incoming mail (`mail-received` on a ticket; `mail-suggested`, `mail-dismissed` in the
--     log's own stream) is imported by the desk: agents and the owner (0001's policies
--     already let agents insert every kind and no one else these). A municipality's login
--     reads the mail on its own tickets; the suggestions are the desk's.
--   * the fold (frist.fold_step) needs nothing: a mail changes no field of a ticket but its
--     event count and last instant, as fold_step does for a kind it does not name.

-- The event trigger of 0001 with the log's own stream: its events skip the ticket's fold and
-- take their municipality from the event (for the read policy), and contact events are
-- refused on a ticket.
CREATE OR REPLACE FUNCTION frist.before_event() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, frist
AS $$
DECLARE
    j jsonb;
    head record;
    t record;
    -- Inside this function current_user is the owner; the writer is session_user.
    by_owner boolean := session_user = current_user;
BEGIN
    BEGIN
        j := NEW.body::jsonb;
    EXCEPTION WHEN others THEN
        RAISE EXCEPTION 'frist: the event is not JSON' USING ERRCODE = 'invalid_text_representation';
    END;
    IF (j->>'ticket')::bigint IS DISTINCT FROM NEW.ticket
        OR (j->>'seq')::integer IS DISTINCT FROM NEW.seq THEN
        RAISE EXCEPTION 'frist: the event names ticket % number %, its row ticket % number %',
            j->>'ticket', j->>'seq', NEW.ticket, NEW.seq
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- Only the owner moving a log in (import) writes other people's events and times.
    IF NOT by_owner THEN
        IF j->>'user' IS DISTINCT FROM session_user::text THEN
            RAISE EXCEPTION 'frist: an event is written as its login %, not as %',
                session_user, j->>'user' USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF (j->>'recorded')::timestamptz IS DISTINCT FROM now() THEN
            RAISE EXCEPTION 'frist: an event is recorded at the database''s time %, not at %',
                now(), j->>'recorded' USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    NEW.kind := j->>'type';
    NEW.login := j->>'user';
    NEW.recorded := (j->>'recorded')::timestamptz;

    -- The log's own stream (ticket id 0): the municipalities' contacts, linked into the same
    -- chain. Kept by the desk: agents, supervisors and the owner.
    IF NEW.ticket = 0 THEN
        IF NEW.kind NOT IN ('contact-added', 'contact-removed', 'mail-suggested',
                            'mail-dismissed') THEN
            RAISE EXCEPTION 'frist: a % event belongs to a ticket, not to the log''s own stream',
                NEW.kind USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF NOT by_owner AND frist.my_role() IS DISTINCT FROM 'agent'
            AND frist.my_role() IS DISTINCT FROM 'supervisor' THEN
            RAISE EXCEPTION 'frist: contacts are kept by the desk (agents, supervisors, the owner)'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        -- The chain's lock first: it serialises the stream's writers.
        SELECT c.n, c.hash INTO head FROM frist.chain c FOR UPDATE;
        IF (SELECT count(*) FROM frist.events x WHERE x.ticket = 0) <> NEW.seq THEN
            RAISE EXCEPTION 'frist: the log''s own stream changed meanwhile'
                USING ERRCODE = 'serialization_failure';
        END IF;
        -- A municipality's login reads its own municipality's contacts; the suggested
        -- tickets are the desk's.
        NEW.municipality := CASE WHEN NEW.kind IN ('contact-added', 'contact-removed')
                                 THEN coalesce(j->>'municipality', '') ELSE '' END;
        NEW.state_before := NULL;
        NEW.n := head.n + 1;
        NEW.hash := sha256(head.hash || convert_to(NEW.body, 'UTF8'));
        UPDATE frist.chain SET n = NEW.n, hash = NEW.hash;
        PERFORM pg_notify('frist', NEW.ticket::text || ' ' || NEW.seq::text);
        RETURN NEW;
    END IF;
    IF NEW.kind IN ('contact-added', 'contact-removed', 'mail-suggested', 'mail-dismissed') THEN
        RAISE EXCEPTION 'frist: a % event belongs to the log''s own stream, not to ticket %',
            NEW.kind, NEW.ticket USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF NEW.kind = 'reported' THEN
        IF NEW.seq <> 0 THEN
            RAISE EXCEPTION 'frist: a report is a ticket''s first event' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF EXISTS (SELECT 1 FROM frist.tickets x WHERE x.id = NEW.ticket) THEN
            RAISE EXCEPTION 'frist: ticket % exists', NEW.ticket USING ERRCODE = 'unique_violation';
        END IF;
        IF NOT by_owner AND NEW.ticket > (SELECT s.last_value FROM frist.ticket_id s) THEN
            RAISE EXCEPTION 'frist: ticket ids come from frist.ticket_id' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        NEW.municipality := j->>'municipality';
    ELSE
        -- The ticket's row lock serialises two writers to one ticket (the later one then
        -- finds the ticket changed); writers to other tickets do not wait for it.
        SELECT x.municipality, x.events, x.state INTO t FROM frist.tickets x
        WHERE x.id = NEW.ticket FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'frist: no ticket %', NEW.ticket USING ERRCODE = 'no_data_found';
        END IF;
        IF t.events <> NEW.seq THEN
            -- Someone else wrote to the ticket since the writer read it: read it again.
            RAISE EXCEPTION 'frist: ticket % changed meanwhile', NEW.ticket
                USING ERRCODE = 'serialization_failure';
        END IF;
        NEW.municipality := t.municipality;
        NEW.state_before := t.state;
    END IF;
    PERFORM frist.derive(NEW, j);
    -- The chain, last, so that writers wait for each other as briefly as possible: its row's
    -- lock serialises every writer and is held until the transaction ends. (A bulk load does
    -- not come through here: `import` writes its rows with this trigger off, as updating one
    -- row for every event of a million-event transaction would walk all its earlier versions.)
    SELECT c.n, c.hash INTO head FROM frist.chain c FOR UPDATE;
    NEW.n := head.n + 1;
    NEW.hash := sha256(head.hash || convert_to(NEW.body, 'UTF8'));
    UPDATE frist.chain SET n = NEW.n, hash = NEW.hash;
    -- Ids only: every login can listen on every channel; each reads what changed through its
    -- own rights.
    PERFORM pg_notify('frist', NEW.ticket::text || ' ' || NEW.seq::text);
    RETURN NEW;
END
$$;

-- Supervisors keep the contact list too (agents may insert every kind already).
CREATE POLICY supervisor_writes_contacts ON frist.events FOR INSERT
    WITH CHECK ((SELECT frist.my_role()) = 'supervisor'
                AND ticket = 0
                AND kind IN ('contact-added', 'contact-removed'));

-- The Message-IDs of the mail events (received, suggested, sent), for matching a reply to
-- its ticket and for importing a mail once: `kind LIKE 'mail-%'` in the query picks it.
CREATE INDEX events_message_id ON frist.events ((body::jsonb ->> 'message_id'))
    WHERE kind LIKE 'mail-%';
