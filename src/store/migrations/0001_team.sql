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
CREATE FUNCTION frist.owner_name() RETURNS name
    LANGUAGE sql STABLE
    SET search_path = pg_catalog
AS $$
    SELECT r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner
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
    updated timestamptz NOT NULL
);
CREATE INDEX tickets_state ON frist.tickets (state);
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
    last record;
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

    -- The head: the chain's row (locked, which serialises every writer), unless rows this
    -- statement inserted before this one went past it (the row is brought up to date once per
    -- statement, by events_head below: updating it for every row of a bulk load would make
    -- each update walk all of the row's earlier versions in the transaction).
    SELECT c.n, c.hash INTO head FROM frist.chain c FOR UPDATE;
    SELECT e.n, e.hash INTO last FROM frist.events e ORDER BY e.n DESC LIMIT 1;
    IF FOUND AND last.n > head.n THEN
        head := last;
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
        SELECT x.municipality, x.events, x.state INTO t FROM frist.tickets x WHERE x.id = NEW.ticket;
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
    NEW.n := head.n + 1;
    NEW.hash := sha256(head.hash || convert_to(NEW.body, 'UTF8'));
    PERFORM frist.derive(NEW, j);
    -- Ids only: every login can listen on every channel; each reads what changed through its
    -- own rights.
    PERFORM pg_notify('frist', NEW.ticket::text || ' ' || NEW.seq::text);
    RETURN NEW;
END
$$;

-- The ticket's state after an event (the database's part of the fold; frist's own fold is
-- checked against it by `verify`). Runs inside the event's trigger, so a refused event
-- leaves no trace: the statement and its changes are rolled back together.
CREATE FUNCTION frist.derive(e frist.events, j jsonb) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, frist
AS $$
DECLARE
    eff timestamptz := (j->>'effective')::timestamptz;
BEGIN
    IF e.kind = 'reported' THEN
        INSERT INTO frist.tickets (id, municipality, state, category, reported, events, updated)
        VALUES (e.ticket, e.municipality, 'open', j->>'category', eff, 1, e.recorded);
        RETURN;
    END IF;
    UPDATE frist.tickets x SET
        events = x.events + 1,
        updated = e.recorded,
        category = CASE e.kind WHEN 'classified' THEN j->>'category'
                               WHEN 'reclassified' THEN j->>'to'
                               ELSE x.category END,
        reacted = x.reacted OR e.kind = 'reacted',
        state = CASE e.kind
            WHEN 'reacted' THEN CASE WHEN x.state = 'open' THEN 'reacted' ELSE x.state END
            WHEN 'paused' THEN 'paused'
            WHEN 'resumed' THEN CASE WHEN x.reacted THEN 'reacted' ELSE 'open' END
            WHEN 'resolved' THEN 'resolved'
            WHEN 'accepted' THEN 'closed'
            WHEN 'rejected' THEN CASE WHEN x.reacted THEN 'reacted' ELSE 'open' END
            ELSE x.state END,
        resolved = CASE e.kind WHEN 'resolved' THEN eff
                               WHEN 'rejected' THEN NULL
                               ELSE x.resolved END,
        reported = CASE e.kind WHEN 'report-time-corrected' THEN (j->>'to')::timestamptz
                               ELSE x.reported END,
        assignee = CASE e.kind WHEN 'assigned' THEN j->>'to' ELSE x.assignee END
    WHERE x.id = e.ticket;
END
$$;
REVOKE EXECUTE ON FUNCTION frist.derive(frist.events, jsonb) FROM PUBLIC;

CREATE TRIGGER event_before BEFORE INSERT ON frist.events
    FOR EACH ROW EXECUTE FUNCTION frist.before_event();

-- After each statement: the chain's row holds the last event, so that a log cut at its tail
-- is noticed (verify compares) and the next event does not reuse the lost numbers.
CREATE FUNCTION frist.after_events() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, frist
AS $$
BEGIN
    UPDATE frist.chain c SET n = e.n, hash = e.hash
    FROM (SELECT x.n, x.hash FROM frist.events x ORDER BY x.n DESC LIMIT 1) e
    WHERE e.n > c.n;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_head AFTER INSERT ON frist.events
    FOR EACH STATEMENT EXECUTE FUNCTION frist.after_events();

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
    USING ((SELECT frist.my_role()) IN ('agent', 'supervisor')
           OR municipality = (SELECT frist.my_municipality()));

CREATE POLICY owner_all ON frist.events
    USING (current_user = (SELECT frist.owner_name()))
    WITH CHECK (current_user = (SELECT frist.owner_name()));
CREATE POLICY read ON frist.events FOR SELECT
    USING ((SELECT frist.my_role()) IN ('agent', 'supervisor')
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
