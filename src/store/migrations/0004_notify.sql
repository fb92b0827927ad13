-- Schema 4: outgoing mail (issue 17). Never edited after release.
--
-- Every mail frist writes about a ticket is an event on it: `mail-sent` (handed to the SMTP
-- server, or written into the outbox) or `mail-failed` (not sent; the whole message is kept in
-- the event until `frist mail send` sends it and appends a `mail-sent` with the same
-- message_id). Neither moves the lifecycle; the fold keeps the Message-IDs still waiting in
-- `mail_unsent`, as frist's `Ticket::apply` does (src/ticket/mod.rs).
--
-- Who may insert them:
--   * agents: every kind already (0001's agent_writes), so also these: `resolve` mails the
--     municipality, and `frist mail remind` / `mail send` run as an agent's login;
--   * supervisors: `mail-sent` and `mail-failed` too, so that a supervisor's login can run the
--     reminders from cron (below);
--   * municipalities: neither (0001's municipality_writes names its kinds; nothing changes).
--
-- An agent's or supervisor's address for timer alerts is frist.people.email (since 0001),
-- set by `frist user add --email`.

-- 0002's fold keeps every other kind: it is renamed, and the new fold_step hands it all but
-- the two mail kinds (frist.derive calls fold_step by name).
ALTER FUNCTION frist.fold_step(jsonb, text, jsonb) RENAME TO fold_step_2;

CREATE FUNCTION frist.fold_step(f jsonb, kind text, j jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, frist
AS $$
BEGIN
    IF kind NOT IN ('mail-sent', 'mail-failed') THEN
        RETURN frist.fold_step_2(f, kind, j);
    END IF;
    -- A mail is counted as an event; it moves no instant and no state.
    f := jsonb_set(f, '{events}', to_jsonb((f->>'events')::integer + 1));
    CASE kind
        WHEN 'mail-sent' THEN
            -- Sent at last: no longer waiting (the key goes when the list is empty, as
            -- frist's fold leaves it out then).
            IF f ? 'mail_unsent' THEN
                f := jsonb_set(f, '{mail_unsent}', coalesce(
                    (SELECT jsonb_agg(m) FROM jsonb_array_elements(f->'mail_unsent') m
                     WHERE m <> j->'message_id'), '[]'::jsonb));
                IF jsonb_array_length(f->'mail_unsent') = 0 THEN
                    f := f - 'mail_unsent';
                END IF;
            END IF;
        WHEN 'mail-failed' THEN
            IF NOT coalesce(f->'mail_unsent', '[]'::jsonb) @> jsonb_build_array(j->'message_id') THEN
                f := f || jsonb_build_object('mail_unsent',
                    coalesce(f->'mail_unsent', '[]'::jsonb) || jsonb_build_array(j->'message_id'));
            END IF;
    END CASE;
    RETURN f;
END
$$;

CREATE POLICY supervisor_mail ON frist.events FOR INSERT
    WITH CHECK ((SELECT frist.my_role()) = 'supervisor'
                AND kind IN ('mail-sent', 'mail-failed'));
