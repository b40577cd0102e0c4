-- Message ids are kept for a retention window and pruned by age, so the table needs a numeric time and an index
-- on it. The ids recorded before this migration are dropped: their duplicates, if any arrive, are applied again
-- (delivery is at least once).
DROP TABLE ingress_seen;
CREATE TABLE ingress_seen (
    scope      TEXT   NOT NULL,
    message_id TEXT   NOT NULL,
    seen_at    BIGINT NOT NULL,
    PRIMARY KEY (scope, message_id)
);
CREATE INDEX ingress_seen_by_time ON ingress_seen (seen_at);
