-- Ingress messages that could not be applied (unparsable, an unknown twin, a value the model refuses, nothing
-- matched): the original message, where it came from, and why. Listed, replayed and purged through the API.
CREATE TABLE ingress_dead_letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT    NOT NULL,
    message_id  TEXT,
    device_id   TEXT,
    received    TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    message     TEXT    NOT NULL
);
