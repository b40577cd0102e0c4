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

-- With TimescaleDB installed in this database (CREATE EXTENSION timescaledb, before Twingress first starts here), the
-- value tables become hypertables. They are chunked by row id, which grows with time, because their times are kept as
-- text (UTC, nine fraction digits, so that text order is time order) and a hypertable's unique keys must hold its
-- partitioning column. Without the extension nothing happens.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        PERFORM create_hypertable('history_property_events', 'id', chunk_time_interval => 10000000,
                                  migrate_data => true, if_not_exists => true);
        PERFORM create_hypertable('history_telemetry_events', 'id', chunk_time_interval => 10000000,
                                  migrate_data => true, if_not_exists => true);
    END IF;
END
$$;
