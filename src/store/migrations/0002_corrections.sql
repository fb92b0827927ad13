-- frist's shared log on PostgreSQL, schema 2: corrections as events (issue 13, domain §9).
-- Run by the database's owner through `frist db init`; never edited after release.
--
-- Three new kinds of event mend the log without changing what it holds:
--   * `retracted` withdraws the latest step still in force (a reaction, pause, resumption,
--     resolution, acceptance or rejection); the fold undoes it and the ticket returns to the
--     state the event names (`restores`);
--   * `edited` replaces the report's title, description or reporter;
--   * `breach-disputed` records a supervisor's dispute of the ticket's breach.
-- Who may insert them:
--   * agents: `retracted` and `edited` (they log every step, so they mend them), not
--     `breach-disputed` (domain §9: disputing a breach is the supervisor's);
--   * supervisors: `retracted`, `edited` and `breach-disputed` (besides notes);
--   * municipalities: none of them. A municipality that finds a step wrong says so in a note or
--     by rejecting the resolution; withdrawing the vendor's steps is the vendor's to do, and
--     a municipality's own acceptance is withdrawn by the desk on its written word.
-- A retraction is checked here against the events, as frist checks it: the database refuses
-- one a login writes by hand that names the wrong step or state, or one a later step builds on.

-- A ticket's fold, one event further (the copy of frist's `Ticket::apply`, src/ticket/mod.rs),
-- now with the corrections. 0001's fold is renamed and keeps every earlier kind; the new
-- fold_step folds the three corrections and hands it the rest (frist.derive calls fold_step by
-- name). A correction is counted as an event and moves no instant.
ALTER FUNCTION frist.fold_step(jsonb, text, jsonb) RENAME TO fold_step_1;

CREATE FUNCTION frist.fold_step(f jsonb, kind text, j jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, frist
AS $$
DECLARE
    eff text := j->>'effective';
    has_pause boolean := jsonb_array_length(f->'pauses') > 0;
BEGIN
    IF kind NOT IN ('retracted', 'edited', 'breach-disputed') THEN
        RETURN frist.fold_step_1(f, kind, j);
    END IF;
    f := jsonb_set(f, '{events}', to_jsonb((f->>'events')::integer + 1));
    CASE kind
        -- Ticket::undo: the withdrawn step's own change, then the state it left.
        WHEN 'retracted' THEN
            CASE j->>'step'
                WHEN 'reacted' THEN
                    f := jsonb_set(f, '{reacted}', 'null');
                WHEN 'paused' THEN
                    f := jsonb_set(f, '{pauses}', (f->'pauses') - (-1));
                WHEN 'resumed' THEN
                    IF has_pause THEN
                        f := jsonb_set(f, '{pauses,-1,end}', 'null');
                    END IF;
                WHEN 'resolved' THEN
                    f := jsonb_set(f, '{resolved}', 'null');
                    IF j->>'restores' = 'paused' AND has_pause THEN
                        f := jsonb_set(f, '{pauses,-1,end}', 'null');
                    END IF;
                WHEN 'accepted' THEN
                    f := jsonb_set(f, '{accepted}', 'null');
                WHEN 'rejected' THEN
                    f := jsonb_set(f, '{rejections}', (f->'rejections') - (-1));
                    f := jsonb_set(f, '{resolved}',
                        coalesce(f->'rejected_resolutions'->-1, 'null'::jsonb));
                    f := jsonb_set(f, '{rejected_resolutions}',
                        (f->'rejected_resolutions') - (-1));
                ELSE
                    RETURN f;
            END CASE;
            f := jsonb_set(f, '{state}', j->'restores');
        WHEN 'edited' THEN
            IF coalesce(j->'title', 'null'::jsonb) <> 'null'::jsonb THEN
                f := jsonb_set(f, '{title}', j->'title');
            END IF;
            IF coalesce(j->'description', 'null'::jsonb) <> 'null'::jsonb THEN
                f := jsonb_set(f, '{description}', j->'description');
            END IF;
            IF coalesce(j->'reporter', 'null'::jsonb) <> 'null'::jsonb THEN
                f := jsonb_set(f, '{reporter}', j->'reporter');
            END IF;
        WHEN 'breach-disputed' THEN
            f := f || jsonb_build_object('disputed',
                jsonb_build_object('at', eff, 'by', j->'user', 'text', j->'reason'));
    END CASE;
    RETURN f;
END
$$;

-- A retraction names the latest step still in force of its ticket, with that step's kind and
-- the state before it (the step's own `state_before`), and a reason; as `ticket::retraction`.
CREATE FUNCTION frist.check_retraction() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, frist
AS $$
DECLARE
    j jsonb := NEW.body::jsonb;
    target record;
    steps constant text[] := ARRAY['reacted', 'paused', 'resumed', 'resolved', 'accepted',
                                   'rejected'];
BEGIN
    IF NEW.kind <> 'retracted' THEN
        RETURN NEW;
    END IF;
    IF btrim(coalesce(j->>'reason', '')) = '' THEN
        RAISE EXCEPTION 'frist: a retraction needs a reason' USING ERRCODE = 'check_violation';
    END IF;
    SELECT e.seq, e.kind, e.state_before INTO target FROM frist.events e
    WHERE e.ticket = NEW.ticket AND e.seq = (j->>'retracts')::integer;
    IF NOT FOUND OR NOT target.kind = ANY (steps) THEN
        RAISE EXCEPTION 'frist: ticket % has no step % to retract', NEW.ticket, j->>'retracts'
            USING ERRCODE = 'check_violation';
    END IF;
    IF target.kind IS DISTINCT FROM j->>'step' OR target.state_before IS DISTINCT FROM j->>'restores' THEN
        RAISE EXCEPTION 'frist: event % of ticket % is % from %, not % from %', target.seq,
            NEW.ticket, target.kind, target.state_before, j->>'step', j->>'restores'
            USING ERRCODE = 'check_violation';
    END IF;
    -- Retracted already, or a later step still in force builds on it.
    IF EXISTS (SELECT 1 FROM frist.events e WHERE e.ticket = NEW.ticket AND e.kind = 'retracted'
               AND (e.body::jsonb->>'retracts')::integer = target.seq)
       OR EXISTS (SELECT 1 FROM frist.events e WHERE e.ticket = NEW.ticket AND e.seq > target.seq
                  AND e.kind = ANY (steps)
                  AND NOT EXISTS (SELECT 1 FROM frist.events r
                                  WHERE r.ticket = NEW.ticket AND r.kind = 'retracted'
                                  AND (r.body::jsonb->>'retracts')::integer = e.seq)) THEN
        RAISE EXCEPTION 'frist: event % of ticket % is retracted or a later step builds on it',
            target.seq, NEW.ticket USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

-- After `event_before` (triggers fire in name order), which sets the row's kind.
CREATE TRIGGER event_check_retraction BEFORE INSERT ON frist.events
    FOR EACH ROW EXECUTE FUNCTION frist.check_retraction();

ALTER POLICY agent_writes ON frist.events
    WITH CHECK ((SELECT frist.my_role()) = 'agent' AND kind <> 'breach-disputed');
ALTER POLICY supervisor_writes ON frist.events
    WITH CHECK ((SELECT frist.my_role()) = 'supervisor'
                AND kind IN ('note', 'breach-disputed', 'retracted', 'edited'));

-- Contract versions (domain §10): the text of each contract version the log evaluates with,
-- kept so that a ticket's fine never follows whatever file lies in a working directory.
-- Every login reads them (each evaluates its tickets with them). Agents and supervisors keep
-- one: frist records the first version it evaluates with (when an agent logs a ticket) and an
-- amendment (`frist contract amend`); a municipality keeps none. Who and when are the
-- database's; nobody updates or deletes a version.
CREATE TABLE frist.contracts (
    n bigserial PRIMARY KEY,
    contract text NOT NULL,
    -- The version as frist writes it (JSON: from, text, holidays, origin).
    body text NOT NULL,
    login name NOT NULL DEFAULT session_user,
    recorded timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE frist.contracts ENABLE ROW LEVEL SECURITY;
ALTER TABLE frist.contracts FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_all ON frist.contracts
    USING (current_user = (SELECT frist.owner_name()))
    WITH CHECK (current_user = (SELECT frist.owner_name()));
CREATE POLICY read ON frist.contracts FOR SELECT
    USING ((SELECT frist.my_role()) IS NOT NULL);
CREATE POLICY desk_writes ON frist.contracts FOR INSERT
    WITH CHECK ((SELECT frist.my_role()) IN ('agent', 'supervisor') AND login = session_user);
GRANT SELECT ON frist.contracts TO frist_agent, frist_supervisor, frist_municipality;
GRANT INSERT (contract, body) ON frist.contracts TO frist_agent, frist_supervisor;
GRANT USAGE ON SEQUENCE frist.contracts_n_seq TO frist_agent, frist_supervisor;
