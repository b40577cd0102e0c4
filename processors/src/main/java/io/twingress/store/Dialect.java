package io.twingress.store;

/** What the SQL of the two stores differs in. */
enum Dialect {

    /**
     * One writer at a time for the whole file, so no row locks; JSON1 functions are built in; its planner needs
     * telling to scan a family of models in id order.
     */
    SQLITE(false, true, true, "0", "SELECT " + Long.MAX_VALUE, "json_extract(body, '$.\"' || ? || '\"')", true),
    /**
     * Row locks serialize writers per twin; bodies are text, so JSON filters would parse every row. Transactions
     * commit in any order, so outbox rows carry their transaction's id, and readers stop below the oldest one
     * still running.
     */
    POSTGRESQL(true, false, false, "pg_current_xact_id()::text::bigint",
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint", "(body::jsonb ->> ?)", false);

    final boolean rowLocks;
    final boolean jsonBounds;
    final boolean scanFamiliesById;
    /** The id of the writing transaction, as stored with each outbox row. */
    final String currentTxId;
    /** The lowest transaction id that may still be running: rows of lower ids are final. */
    final String outboxHorizon;
    /** A twin's top-level property as SQL, its name the one parameter. */
    final String topLevelProperty;
    /**
     * One writer inserts every row, so a table's rowid order is the order of the commits. Seen message ids are pruned
     * from the lowest rowid (the oldest) rather than through an index on their time, and outbox events are read and
     * pruned in {@code seq} order alone (their {@code tx_id} is always 0): either index would be another B-tree
     * written in every commit.
     */
    final boolean insertsInCommitOrder;

    Dialect(boolean rowLocks, boolean jsonBounds, boolean scanFamiliesById, String currentTxId, String outboxHorizon,
            String topLevelProperty, boolean insertsInCommitOrder) {
        this.rowLocks = rowLocks;
        this.jsonBounds = jsonBounds;
        this.scanFamiliesById = scanFamiliesById;
        this.currentTxId = currentTxId;
        this.outboxHorizon = outboxHorizon;
        this.topLevelProperty = topLevelProperty;
        this.insertsInCommitOrder = insertsInCommitOrder;
    }
}
