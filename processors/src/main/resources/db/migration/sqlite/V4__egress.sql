-- Egress: the outbox of change events, the endpoints and event routes that deliver them, each endpoint's position
-- in the outbox, and the events it could not deliver.
--
-- An event is written in the same transaction as the change that caused it. SQLite has one writer, so events
-- commit in seq order and tx_id is unused (0).
CREATE TABLE outbox_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    tx_id       BIGINT  NOT NULL DEFAULT 0,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    source      TEXT    NOT NULL,
    subject     TEXT,
    -- when the event was recorded (epoch milliseconds): its time to live counts from here
    recorded    BIGINT  NOT NULL,
    time        TEXT    NOT NULL,
    dataschema  TEXT,
    traceparent TEXT,
    data        TEXT    NOT NULL,
    extra       TEXT,
    -- a replayed dead letter goes to this endpoint only, as the CloudEvent it was
    only_for    TEXT
);
CREATE INDEX outbox_events_by_position ON outbox_events (tx_id, seq);

-- Where each consumer (an endpoint's delivery route) stands in the outbox, and which instance holds it until when.
CREATE TABLE outbox_cursors (
    consumer    TEXT   NOT NULL PRIMARY KEY,
    after_tx    BIGINT NOT NULL,
    after_seq   BIGINT NOT NULL,
    owner       TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE egress_endpoints (
    name    TEXT NOT NULL PRIMARY KEY,
    spec    TEXT NOT NULL
);

CREATE TABLE event_routes (
    id            TEXT NOT NULL PRIMARY KEY,
    endpoint_name TEXT NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX event_routes_by_endpoint ON event_routes (endpoint_name, id);

CREATE TABLE dead_letters (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint     TEXT   NOT NULL,
    event_id     TEXT   NOT NULL,
    event        TEXT   NOT NULL,
    reason       TEXT   NOT NULL,
    attempts     INTEGER NOT NULL,
    last_attempt TEXT   NOT NULL
);
CREATE INDEX dead_letters_by_endpoint ON dead_letters (endpoint, id);
