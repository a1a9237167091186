-- git-warden's shared store (warden.store.url). Applied by Flyway at start-up; history in warden_schema_history.

-- One row per revoked session; every replica holds the newest ones in memory (warden.revocations.max-entries)
-- and learns new rows through NOTIFY warden_revocation. Rows past keep_until are deleted by the replicas.
CREATE TABLE warden_revocation (
    session    text        PRIMARY KEY,
    revoked_at timestamptz NOT NULL,
    keep_until timestamptz NOT NULL
);
CREATE INDEX warden_revocation_revoked_at ON warden_revocation (revoked_at);
CREATE INDEX warden_revocation_keep_until ON warden_revocation (keep_until);

-- One hash chain per replica start: events of a chain carry consecutive seq numbers and the hash of the previous line.
CREATE TABLE warden_audit_chain (
    chain      uuid        PRIMARY KEY,
    started_at timestamptz NOT NULL,
    host       text
);

-- line is the event exactly as hashed (JSON text with its chain, seq and prev); the other columns are copies of
-- its fields for the admin query's filters, which `audit verify` checks against the line.
CREATE TABLE warden_audit_event (
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    chain      uuid        NOT NULL,
    seq        bigint      NOT NULL,
    time       timestamptz NOT NULL,
    request_id text,
    session    text,
    repo       text,
    decision   text,
    line       text        NOT NULL,
    PRIMARY KEY (chain, seq)
);
-- Keyset pagination newest first: ORDER BY time DESC, id DESC, optionally filtered by one of these.
CREATE UNIQUE INDEX warden_audit_event_time ON warden_audit_event (time, id);
CREATE INDEX warden_audit_event_session ON warden_audit_event (session, time, id) WHERE session IS NOT NULL;
CREATE INDEX warden_audit_event_repo ON warden_audit_event (repo, time, id) WHERE repo IS NOT NULL;
CREATE INDEX warden_audit_event_decision ON warden_audit_event (decision, time, id);
