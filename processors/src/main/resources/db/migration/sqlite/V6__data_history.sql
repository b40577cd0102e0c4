-- Data history in ADT's schema (its Azure Data Explorer tables), on the embedded sink: one row per changed property,
-- and the twin and relationship lifecycles. Rows of every history connection using this sink share the tables,
-- told apart by connection. Columns as ADT names them, in snake case.
CREATE TABLE history_connections (
    name TEXT NOT NULL PRIMARY KEY,
    spec TEXT NOT NULL
);

CREATE TABLE history_property_events (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    connection          TEXT NOT NULL,
    time_stamp          TEXT NOT NULL,
    source_time_stamp   TEXT,
    service_id          TEXT NOT NULL,
    twin_id             TEXT NOT NULL,
    model_id            TEXT,
    key                 TEXT NOT NULL,
    value               TEXT,
    relationship_target TEXT,
    relationship_id     TEXT,
    action              TEXT
);
CREATE INDEX history_property_events_by_twin ON history_property_events (connection, twin_id, time_stamp);
CREATE INDEX history_property_events_by_time ON history_property_events (connection, time_stamp);

CREATE TABLE history_twin_lifecycle (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    connection TEXT NOT NULL,
    twin_id    TEXT NOT NULL,
    action     TEXT NOT NULL,
    time_stamp TEXT NOT NULL,
    service_id TEXT NOT NULL,
    model_id   TEXT
);
CREATE INDEX history_twin_lifecycle_by_time ON history_twin_lifecycle (connection, time_stamp);

CREATE TABLE history_relationship_lifecycle (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    connection      TEXT NOT NULL,
    relationship_id TEXT NOT NULL,
    name            TEXT NOT NULL,
    action          TEXT NOT NULL,
    time_stamp      TEXT NOT NULL,
    service_id      TEXT NOT NULL,
    source          TEXT NOT NULL,
    target          TEXT NOT NULL
);
CREATE INDEX history_relationship_lifecycle_by_time ON history_relationship_lifecycle (connection, time_stamp);
