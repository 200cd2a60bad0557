-- Audit trail: one row per write, or per write refused, in the same transaction as the
-- write it records. Append-only: no code in this project updates or deletes these rows
-- (a test scans the sources for such statements). Times are UTC.
CREATE SEQUENCE audit_id_seq START 1;

CREATE TABLE audit_log (
    id           BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    at_utc       TIMESTAMP NOT NULL,      -- when, UTC
    actor        VARCHAR NOT NULL,        -- signed-in e-mail or subject, or the OS user
    on_behalf_of VARCHAR,                 -- CLI --author: the person the actor wrote for
    role         VARCHAR NOT NULL,
    mode         VARCHAR NOT NULL CHECK (mode IN ('local', 'signed-in', 'cli')),
    action       VARCHAR NOT NULL,        -- e.g. annotation.edit, evidence.import
    target_kind  VARCHAR NOT NULL,        -- annotation, evidence, organisation, ...
    target_id    VARCHAR,
    before       JSON,                    -- the state before the write (NULL: none)
    after        JSON,                    -- the state after it (NULL: refused, or removed)
    outcome      VARCHAR NOT NULL CHECK (outcome IN ('ok', 'refused')),
    reason       VARCHAR                  -- why a write was refused
);
