-- The version of the model set. Every unit that uploads, decommissions or deletes models moves it on in its own
-- transaction, so an instance learns with one read whether its in-memory catalogue is still current; and because
-- those units take this row's lock first, changes to the model set are serialized across instances.
CREATE TABLE model_catalogue (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT  NOT NULL
);
INSERT INTO model_catalogue (id, version) VALUES (1, 0);
