-- The twin graph: models, twins, relationships, and the ids of messages already ingested.
-- Ids use the "C" collation so that keyset paging orders them by code point, as the embedded store does.
CREATE TABLE models (
    seq            BIGSERIAL PRIMARY KEY,
    id             TEXT COLLATE "C" NOT NULL UNIQUE,
    definition     TEXT    NOT NULL,
    upload_time    TEXT    NOT NULL,
    decommissioned BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE twins (
    id       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    model_id TEXT COLLATE "C" NOT NULL,
    etag     TEXT NOT NULL,
    body     TEXT NOT NULL
);
CREATE INDEX twins_by_model ON twins (model_id, id);

CREATE TABLE relationships (
    source_id TEXT COLLATE "C" NOT NULL REFERENCES twins (id),
    id        TEXT COLLATE "C" NOT NULL,
    target_id TEXT COLLATE "C" NOT NULL REFERENCES twins (id),
    name      TEXT COLLATE "C" NOT NULL,
    etag      TEXT NOT NULL,
    body      TEXT NOT NULL,
    PRIMARY KEY (source_id, id)
);
CREATE INDEX relationships_by_target ON relationships (target_id, source_id, id);
CREATE INDEX relationships_by_name ON relationships (source_id, name, id);

CREATE TABLE ingress_seen (
    scope      TEXT NOT NULL,
    message_id TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (scope, message_id)
);
