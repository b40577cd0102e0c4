package io.twingress.store;

/** What the SQL of the two stores differs in. */
enum Dialect {

    /** One writer at a time for the whole file, so no row locks; JSON1 functions are built in. */
    SQLITE(false, true),
    /** Row locks serialize writers per twin; bodies are text, so JSON filters would parse every row. */
    POSTGRESQL(true, false);

    final boolean rowLocks;
    final boolean jsonBounds;

    Dialect(boolean rowLocks, boolean jsonBounds) {
        this.rowLocks = rowLocks;
        this.jsonBounds = jsonBounds;
    }
}
