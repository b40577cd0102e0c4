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
     * Seen message ids are pruned from the lowest rowid (the oldest, as the one writer inserts them in time order)
     * rather than through an index on their time, which would be another B-tree written per message.
     */
    final boolean seenPrunedByRowid;

    Dialect(boolean rowLocks, boolean jsonBounds, boolean scanFamiliesById, String currentTxId, String outboxHorizon,
            String topLevelProperty, boolean seenPrunedByRowid) {
        this.rowLocks = rowLocks;
        this.jsonBounds = jsonBounds;
        this.scanFamiliesById = scanFamiliesById;
        this.currentTxId = currentTxId;
        this.outboxHorizon = outboxHorizon;
        this.topLevelProperty = topLevelProperty;
        this.seenPrunedByRowid = seenPrunedByRowid;
    }
}
