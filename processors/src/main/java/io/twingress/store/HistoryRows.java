package io.twingress.store;

/** The rows of ADT's data-history tables, as the embedded sink stores them; {@code id} is assigned by the store. */
public final class HistoryRows {

    private HistoryRows() {
    }

    /** The tables of value rows: ADT's property events, and telemetry (which ADT does not historize). */
    public enum ValueTable {
        PROPERTY("history_property"), TELEMETRY("history_telemetry");

        private final String prefix;

        ValueTable(String prefix) {
            this.prefix = prefix;
        }

        public String sqlName() {
            return prefix + "_events";
        }

        /** The value table of that SQL name, or null for another table. */
        static ValueTable of(String sqlName) {
            for (ValueTable table : values()) {
                if (table.sqlName().equals(sqlName)) {
                    return table;
                }
            }
            return null;
        }

        /**
         * On SQLite, the rows' per-twin index as a table ({@code connection, twin_id, time_stamp, id}), filled from
         * {@link #byTwinRecent} in sorted runs.
         */
        String byTwin() {
            return prefix + "_by_twin";
        }

        /** On SQLite, the per-twin index entries of the newest rows, until they are moved to {@link #byTwin}. */
        String byTwinRecent() {
            return prefix + "_by_twin_recent";
        }
    }

    /**
     * {@code AdtPropertyEvents}: one changed property; {@code value} is JSON text, null for a removal. A telemetry row
     * has the same shape, with the telemetry's name as {@code key} and no relationship or action.
     */
    public record PropertyEvent(long id, String connection, String timeStamp, String sourceTimeStamp,
            String serviceId, String twinId, String modelId, String key, String value, String relationshipTarget,
            String relationshipId, String action) {
    }

    /** What downsampling reads of a value row: its key, time and value (JSON text, null for a removal). */
    public record Value(String key, String timeStamp, String value) {
    }

    /** {@code AdtTwinLifeCycleEvents}. */
    public record TwinLifecycle(long id, String connection, String twinId, String action, String timeStamp,
            String serviceId, String modelId) {
    }

    /** {@code AdtRelationshipLifeCycleEvents}. */
    public record RelationshipLifecycle(long id, String connection, String relationshipId, String name, String action,
            String timeStamp, String serviceId, String source, String target) {
    }
}
