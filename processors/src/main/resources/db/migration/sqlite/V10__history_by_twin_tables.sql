-- The value rows' per-twin index becomes two tables (see JdbcStoreTx.BY_TWIN_RUN): new rows' entries go to the small
-- *_recent one, and move to the large one in sorted runs. An index on the rows took each new row to a random page.
CREATE TABLE history_property_by_twin (
    connection TEXT NOT NULL,
    twin_id    TEXT NOT NULL,
    time_stamp TEXT NOT NULL,
    id         INTEGER NOT NULL,
    PRIMARY KEY (connection, twin_id, time_stamp, id)
) WITHOUT ROWID;
CREATE TABLE history_property_by_twin_recent (
    connection TEXT NOT NULL,
    twin_id    TEXT NOT NULL,
    time_stamp TEXT NOT NULL,
    id         INTEGER NOT NULL,
    PRIMARY KEY (connection, twin_id, time_stamp, id)
) WITHOUT ROWID;
INSERT INTO history_property_by_twin
    SELECT connection, twin_id, time_stamp, id FROM history_property_events ORDER BY connection, twin_id, time_stamp, id;
DROP INDEX history_property_events_by_twin;

CREATE TABLE history_telemetry_by_twin (
    connection TEXT NOT NULL,
    twin_id    TEXT NOT NULL,
    time_stamp TEXT NOT NULL,
    id         INTEGER NOT NULL,
    PRIMARY KEY (connection, twin_id, time_stamp, id)
) WITHOUT ROWID;
CREATE TABLE history_telemetry_by_twin_recent (
    connection TEXT NOT NULL,
    twin_id    TEXT NOT NULL,
    time_stamp TEXT NOT NULL,
    id         INTEGER NOT NULL,
    PRIMARY KEY (connection, twin_id, time_stamp, id)
) WITHOUT ROWID;
INSERT INTO history_telemetry_by_twin
    SELECT connection, twin_id, time_stamp, id FROM history_telemetry_events ORDER BY connection, twin_id, time_stamp, id;
DROP INDEX history_telemetry_events_by_twin;
