-- The move of a *_recent per-twin table into the large one runs in chunks of whole twins, one chunk per history write
-- (see JdbcStoreTx.moveRecentByTwin), so that no one commit writes the whole run; this keeps the twin last moved by
-- the move under way, committed with the chunk it ends.
CREATE TABLE history_by_twin_moves (
    by_twin    TEXT NOT NULL PRIMARY KEY,
    connection TEXT NOT NULL,
    twin_id    TEXT NOT NULL
);
