-- Telemetry history (beyond ADT, which historizes no telemetry): one row per telemetry value of the models and names a
-- history connection opts into, in the columns of the property table that apply to telemetry.
CREATE TABLE history_telemetry_events (
    id                BIGSERIAL PRIMARY KEY,
    connection        TEXT NOT NULL,
    time_stamp        TEXT NOT NULL,
    source_time_stamp TEXT,
    service_id        TEXT NOT NULL,
    twin_id           TEXT NOT NULL,
    model_id          TEXT,
    key               TEXT NOT NULL,
    value             TEXT
);
CREATE INDEX history_telemetry_events_by_twin ON history_telemetry_events (connection, twin_id, time_stamp);
CREATE INDEX history_telemetry_events_by_time ON history_telemetry_events (connection, time_stamp);
