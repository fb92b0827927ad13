-- frist's shared log on PostgreSQL, schema 1. Run by the database's owner through
-- `frist db init`; never edited after release (a change is a new file).
--
-- Who may do what (domain §9) is enforced here, not in frist:
--   * every login's writes are INSERTs of events; no login but the owner has UPDATE or DELETE
--     on any table;
--   * the database fills in who wrote an event (session_user) and when (now()), links it into
--     the audit chain and derives the ticket's state, in a trigger owned by the owner;
--   * row-level security (forced, so the owner's own sessions obey it too) lets a
--     municipality's login see only its own tickets and events, and insert only acceptances,
--     rejections of its own resolved tickets and notes; supervisors insert notes and breach
--     disputes; agents every step.

-- Group roles, one per role of domain §9. Roles are cluster-wide: created once, shared by
-- every frist database of the cluster (each database's `people` table says who is whom there).
DO $$
BEGIN
    BEGIN
        CREATE ROLE frist_agent NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE frist_supervisor NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE frist_municipality NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
END
$$;

REVOKE ALL ON SCHEMA frist FROM PUBLIC;
GRANT USAGE ON SCHEMA frist TO frist_agent, frist_supervisor, frist_municipality;

-- The people of this log: a database login each, with its role.
CREATE TABLE frist.people (
    login name PRIMARY KEY,
    role text NOT NULL CHECK (role IN ('agent', 'supervisor', 'municipality')),
    municipality text,
    email text,
    added timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'municipality') = (municipality IS NOT NULL))
);

-- The schema's owner: the one login that administers the log.
-- (No SET clause and qualified names, so that it is cheap to call in every policy.)
CREATE FUNCTION frist.owner_name() RETURNS name
    LANGUAGE sql STABLE
AS $$
    SELECT r.rolname FROM pg_catalog.pg_namespace n
    JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner
    WHERE n.nspname = 'frist'
$$;

-- The logged-in person's role ('owner', 'agent', 'supervisor', 'municipality', or NULL for a
-- login that is not one of this log's people). session_user, not current_user: inside the
-- owner's functions current_user is the owner.
CREATE FUNCTION frist.my_role() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, frist
AS $$
    SELECT CASE WHEN session_user = frist.owner_name() THEN 'owner'
                ELSE (SELECT p.role FROM frist.people p WHERE p.login = session_user) END
$$;

CREATE FUNCTION frist.my_municipality() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, frist
AS $$
    SELECT p.municipality FROM frist.people p WHERE p.login = session_user
$$;

-- Each ticket's state as far as the database needs it (rights, filters); derived from the
-- events by the trigger below. frist folds the events themselves for everything else.
CREATE TABLE frist.tickets (
    id bigint PRIMARY KEY,
    municipality text NOT NULL,
    state text NOT NULL,
    category text NOT NULL,
    reported timestamptz NOT NULL,
    resolved timestamptz,
    reacted boolean NOT NULL DEFAULT false,
    events integer NOT NULL,
    assignee text,
    updated timestamptz NOT NULL,
    -- The whole fold of the ticket's events, in frist's own JSON form (what the board and
    -- lists read; verify checks it against frist's fold of the events).
    fold jsonb NOT NULL
);
CREATE INDEX tickets_state ON frist.tickets (state);
-- The board and list --open read the tickets not closed: a few thousand among millions.
CREATE INDEX tickets_not_closed ON frist.tickets (id) WHERE state <> 'closed';
CREATE INDEX tickets_municipality ON frist.tickets (municipality);
CREATE INDEX tickets_reported ON frist.tickets (reported);
CREATE INDEX tickets_resolved ON frist.tickets (resolved);

-- The log: one row per event, in the order it was appended. `body` is the event's canonical
-- JSON as frist hashes it; `hash` = sha256(previous hash || body), computed here.
CREATE TABLE frist.events (
    n bigint PRIMARY KEY,
    ticket bigint NOT NULL,
    seq integer NOT NULL,
    kind text NOT NULL,
    municipality text NOT NULL,
    -- The ticket's state when this event came (for the rules on verdicts); NULL for a report.
    state_before text,
    login name NOT NULL,
    recorded timestamptz NOT NULL,
    body text NOT NULL,
    hash bytea NOT NULL,
    UNIQUE (ticket, seq)
);

-- The chain's head. Its row lock serialises every append; only the owner can take it (no
-- login has UPDATE here, so none can SELECT … FOR UPDATE or stall the chain with a lock).
CREATE TABLE frist.chain (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    n bigint NOT NULL,
    hash bytea NOT NULL
);
INSERT INTO frist.chain VALUES (true, 0, decode(repeat('00', 32), 'hex'));

CREATE SEQUENCE frist.ticket_id;

CREATE TABLE frist.measurements (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    body text NOT NULL,
    login name NOT NULL DEFAULT session_user,
    recorded timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX measurements_at ON frist.measurements (at);

CREATE TABLE frist.classifier (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    model bytea NOT NULL,
    login name NOT NULL,
    recorded timestamptz NOT NULL
);

-- Before an event is stored: check it against its row and its writer, fill in what the
-- database knows, and link it into the chain.
CREATE FUNCTION frist.before_event() RETURNS trigger
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

-- A ticket's fold, one event further: the database's copy of frist's `Ticket::apply`
-- (src/ticket/mod.rs), over the same JSON. `verify` compares the two for every ticket.
CREATE FUNCTION frist.close_pause(f jsonb, t text) RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog
AS $$
    SELECT CASE WHEN jsonb_array_length(f->'pauses') > 0
                     AND f->'pauses'->-1->'end' = 'null'::jsonb
                THEN jsonb_set(f, ARRAY['pauses', (jsonb_array_length(f->'pauses') - 1)::text, 'end'],
                               to_jsonb(t))
                ELSE f END
$$;

-- A note, trimmed as Rust's str::trim does (Unicode White_Space), kept when not empty.
CREATE FUNCTION frist.add_note(f jsonb, t text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog
AS $$
DECLARE
    ws constant text := '[\t\n\u000B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]';
    trimmed text := regexp_replace(coalesce(t, ''), '^' || ws || '+|' || ws || '+$', '', 'g');
BEGIN
    IF trimmed = '' THEN
        RETURN f;
    END IF;
    RETURN jsonb_set(f, '{notes}', coalesce(f->'notes', '[]'::jsonb) || to_jsonb(trimmed));
END
$$;

CREATE FUNCTION frist.fold_step(f jsonb, kind text, j jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, frist
AS $$
DECLARE
    eff text := j->>'effective';
    was_reacted boolean := f->'reacted' <> 'null'::jsonb;
    reopened text;
BEGIN
    f := jsonb_set(f, '{events}', to_jsonb((f->>'events')::integer + 1));
    IF kind NOT IN ('note', 'assigned', 'classified', 'reclassified')
        AND eff::timestamptz > (f->>'last_effective')::timestamptz THEN
        f := jsonb_set(f, '{last_effective}', to_jsonb(eff));
    END IF;
    reopened := CASE WHEN was_reacted THEN 'reacted' ELSE 'open' END;
    CASE kind
        WHEN 'classified' THEN
            f := jsonb_set(f, '{category}', j->'category');
        WHEN 'reclassified' THEN
            f := jsonb_set(f, '{category}', j->'to');
        WHEN 'assigned' THEN
            f := f || jsonb_build_object('assignee', j->'to');
        WHEN 'note' THEN
            f := frist.add_note(f, j->>'text');
        WHEN 'reacted' THEN
            f := frist.add_note(f, j->>'note');
            IF NOT was_reacted THEN
                f := jsonb_set(f, '{reacted}', to_jsonb(eff));
            END IF;
            IF f->>'state' = 'open' THEN
                f := jsonb_set(f, '{state}', '"reacted"');
            END IF;
        WHEN 'paused' THEN
            f := jsonb_set(f, '{pauses}', (f->'pauses') || jsonb_build_array(
                jsonb_build_object('start', eff, 'end', NULL, 'reason', j->'reason')));
            f := jsonb_set(f, '{state}', '"paused"');
        WHEN 'resumed' THEN
            f := frist.close_pause(f, eff);
            f := jsonb_set(f, '{state}', to_jsonb(reopened));
        WHEN 'resolved' THEN
            f := frist.add_note(f, j->>'note');
            f := frist.close_pause(f, eff);
            f := jsonb_set(f, '{resolved}', to_jsonb(eff));
            f := jsonb_set(f, '{state}', '"resolved"');
        WHEN 'accepted' THEN
            f := jsonb_set(f, '{accepted}',
                jsonb_build_object('at', eff, 'by', j->'by', 'text', j->'reference'));
            f := jsonb_set(f, '{state}', '"closed"');
        WHEN 'rejected' THEN
            f := jsonb_set(f, '{rejections}', (f->'rejections') || jsonb_build_array(
                jsonb_build_object('at', eff, 'by', j->'by', 'text', j->'reason')));
            IF f->'resolved' <> 'null'::jsonb THEN
                f := jsonb_set(f, '{rejected_resolutions}',
                    (f->'rejected_resolutions') || jsonb_build_array(f->'resolved'));
                f := jsonb_set(f, '{resolved}', 'null');
            END IF;
            f := jsonb_set(f, '{state}', to_jsonb(reopened));
        WHEN 'report-time-corrected' THEN
            f := jsonb_set(f, '{reported}', j->'to');
        ELSE
            NULL;
    END CASE;
    RETURN f;
END
$$;

-- The ticket's state after an event: its fold and the columns the rights and filters read.
-- Runs inside the event's trigger, so a refused event leaves no trace: the statement and its
-- changes are rolled back together.
CREATE FUNCTION frist.derive(e frist.events, j jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, frist
AS $$
DECLARE
    f jsonb;
BEGIN
    IF e.kind = 'reported' THEN
        f := jsonb_build_object(
            'id', e.ticket, 'municipality', j->'municipality',
            'reporter', coalesce(j->'reporter', '""'), 'title', j->'title',
            'description', coalesce(j->'description', '""'), 'category', j->'category',
            'contract', j->'contract', 'reported', j->'effective', 'state', 'open',
            'reacted', NULL, 'resolved', NULL, 'rejected_resolutions', '[]'::jsonb,
            'pauses', '[]'::jsonb, 'accepted', NULL, 'rejections', '[]'::jsonb,
            'last_effective', j->'effective', 'events', 1);
        INSERT INTO frist.tickets (id, municipality, state, category, reported, events, updated,
                                   fold)
        VALUES (e.ticket, e.municipality, 'open', f->>'category', (f->>'reported')::timestamptz,
                1, e.recorded, f);
        RETURN;
    END IF;
    SELECT frist.fold_step(x.fold, e.kind, j) INTO f FROM frist.tickets x WHERE x.id = e.ticket;
    UPDATE frist.tickets x SET
        fold = f,
        events = (f->>'events')::integer,
        updated = e.recorded,
        category = f->>'category',
        reacted = f->'reacted' <> 'null'::jsonb,
        state = f->>'state',
        resolved = (f->>'resolved')::timestamptz,
        reported = (f->>'reported')::timestamptz,
        assignee = f->>'assignee'
    WHERE x.id = e.ticket;
END
$$;
REVOKE EXECUTE ON FUNCTION frist.derive(frist.events, jsonb) FROM PUBLIC;

CREATE TRIGGER event_before BEFORE INSERT ON frist.events
    FOR EACH ROW EXECUTE FUNCTION frist.before_event();


-- The classifier's learned model: replaced whole by an agent, through the owner.
CREATE FUNCTION frist.set_classifier_model(m bytea) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path = pg_catalog, frist
AS $$
    INSERT INTO frist.classifier (one, model, login, recorded) VALUES (true, m, session_user, now())
    ON CONFLICT (one) DO UPDATE SET model = EXCLUDED.model, login = EXCLUDED.login,
        recorded = EXCLUDED.recorded
$$;
REVOKE EXECUTE ON FUNCTION frist.set_classifier_model(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION frist.set_classifier_model(bytea) TO frist_agent;

-- Row-level security, forced so that it binds the owner's own sessions too (the owner's
-- policies name the owner explicitly).
ALTER TABLE frist.people ENABLE ROW LEVEL SECURITY;
ALTER TABLE frist.people FORCE ROW LEVEL SECURITY;
ALTER TABLE frist.tickets ENABLE ROW LEVEL SECURITY;
ALTER TABLE frist.tickets FORCE ROW LEVEL SECURITY;
ALTER TABLE frist.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE frist.events FORCE ROW LEVEL SECURITY;
ALTER TABLE frist.measurements ENABLE ROW LEVEL SECURITY;
ALTER TABLE frist.measurements FORCE ROW LEVEL SECURITY;
ALTER TABLE frist.classifier ENABLE ROW LEVEL SECURITY;
ALTER TABLE frist.classifier FORCE ROW LEVEL SECURITY;

CREATE POLICY owner_all ON frist.people
    USING (current_user = (SELECT frist.owner_name()))
    WITH CHECK (current_user = (SELECT frist.owner_name()));
CREATE POLICY read ON frist.people FOR SELECT
    USING (login = session_user OR (SELECT frist.my_role()) IN ('agent', 'supervisor'));

CREATE POLICY owner_all ON frist.tickets
    USING (current_user = (SELECT frist.owner_name()))
    WITH CHECK (current_user = (SELECT frist.owner_name()));
CREATE POLICY read ON frist.tickets FOR SELECT
    USING (current_user = (SELECT frist.owner_name())
           OR (SELECT frist.my_role()) IN ('agent', 'supervisor')
           OR municipality = (SELECT frist.my_municipality()));

CREATE POLICY owner_all ON frist.events
    USING (current_user = (SELECT frist.owner_name()))
    WITH CHECK (current_user = (SELECT frist.owner_name()));
CREATE POLICY read ON frist.events FOR SELECT
    USING (current_user = (SELECT frist.owner_name())
           OR (SELECT frist.my_role()) IN ('agent', 'supervisor')
           OR municipality = (SELECT frist.my_municipality()));
CREATE POLICY agent_writes ON frist.events FOR INSERT
    WITH CHECK ((SELECT frist.my_role()) = 'agent');
CREATE POLICY supervisor_writes ON frist.events FOR INSERT
    WITH CHECK ((SELECT frist.my_role()) = 'supervisor'
                AND kind IN ('note', 'breach-disputed'));
-- A municipality: notes on its own tickets, and the verdict on its own resolved ones.
CREATE POLICY municipality_writes ON frist.events FOR INSERT
    WITH CHECK ((SELECT frist.my_role()) = 'municipality'
                AND municipality = (SELECT frist.my_municipality())
                AND (kind = 'note'
                     OR (kind IN ('accepted', 'rejected') AND state_before = 'resolved')));

CREATE POLICY owner_all ON frist.measurements
    USING (current_user = (SELECT frist.owner_name()))
    WITH CHECK (current_user = (SELECT frist.owner_name()));
CREATE POLICY read ON frist.measurements FOR SELECT
    USING ((SELECT frist.my_role()) IS NOT NULL);
CREATE POLICY agent_writes ON frist.measurements FOR INSERT
    WITH CHECK ((SELECT frist.my_role()) = 'agent' AND login = session_user);

CREATE POLICY owner_all ON frist.classifier
    USING (current_user = (SELECT frist.owner_name()))
    WITH CHECK (current_user = (SELECT frist.owner_name()));
CREATE POLICY read ON frist.classifier FOR SELECT
    USING ((SELECT frist.my_role()) IS NOT NULL);

-- Privileges: reads for every role, INSERTs of events (the columns a writer gives; the rest
-- the trigger fills in), and nothing else.
GRANT SELECT ON frist.people, frist.tickets, frist.events, frist.chain, frist.measurements,
    frist.classifier, frist.schema_migrations
    TO frist_agent, frist_supervisor, frist_municipality;
GRANT INSERT (ticket, seq, body) ON frist.events
    TO frist_agent, frist_supervisor, frist_municipality;
GRANT INSERT (at, body) ON frist.measurements TO frist_agent;
GRANT USAGE ON SEQUENCE frist.measurements_id_seq TO frist_agent;
GRANT USAGE ON SEQUENCE frist.ticket_id TO frist_agent;
