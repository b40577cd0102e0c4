-- The one writer commits outbox events in seq order and their tx_id is always 0, so they are read and pruned by seq,
-- the table's own key; the index on (tx_id, seq) was one more B-tree page written in every commit.
DROP INDEX outbox_events_by_position;
