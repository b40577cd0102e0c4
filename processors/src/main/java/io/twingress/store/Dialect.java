package io.twingress.store;

/** What the SQL of the two stores differs in. */
enum Dialect {

    /**
     * One writer at a time for the whole file, so no row locks; JSON1 functions are built in; its planner needs
     * telling to scan a family of models in id order.
     */
    SQLITE(false, true, true),
    /** Row locks serialize writers per twin; bodies are text, so JSON filters would parse every row. */
    POSTGRESQL(true, false, false);

    final boolean rowLocks;
    final boolean jsonBounds;
    final boolean scanFamiliesById;

    Dialect(boolean rowLocks, boolean jsonBounds, boolean scanFamiliesById) {
        this.rowLocks = rowLocks;
        this.jsonBounds = jsonBounds;
        this.scanFamiliesById = scanFamiliesById;
    }
}
