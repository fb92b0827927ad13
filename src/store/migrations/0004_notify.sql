-- Schema 4: outgoing mail (issue 17). Never edited after release.
--
-- Every mail frist writes about a ticket is an event on it: `mail-sent` (handed to the SMTP
-- server, or written into the outbox) or `mail-failed` (not sent; the whole message is kept in
-- the event until `frist mail send` sends it and appends a `mail-sent` with the same
-- message_id). Neither moves the lifecycle; the fold keeps the Message-IDs still waiting in
-- `mail_unsent`, as frist's `Ticket::apply` does (src/ticket/mod.rs).
-- The fold below is 0002_corrections' fold_step with the two mail kinds added.
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

CREATE OR REPLACE FUNCTION frist.fold_step(f jsonb, kind text, j jsonb) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, frist
AS $$
DECLARE
    eff text := j->>'effective';
    was_reacted boolean := f->'reacted' <> 'null'::jsonb;
    reopened text;
    has_pause boolean := jsonb_array_length(f->'pauses') > 0;
BEGIN
    f := jsonb_set(f, '{events}', to_jsonb((f->>'events')::integer + 1));
    IF kind NOT IN ('note', 'assigned', 'classified', 'reclassified',
                    'retracted', 'edited', 'breach-disputed', 'mail-sent', 'mail-failed')
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
        ELSE
            NULL;
    END CASE;
    RETURN f;
END
$$;

CREATE POLICY supervisor_mail ON frist.events FOR INSERT
    WITH CHECK ((SELECT frist.my_role()) = 'supervisor'
                AND kind IN ('mail-sent', 'mail-failed'));
