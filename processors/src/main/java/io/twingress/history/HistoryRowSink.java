package io.twingress.history;

import io.twingress.store.HistoryRows;
import io.twingress.store.StoreTx;

/** Where {@link HistoryRecorder} puts a connection's rows: the embedded tables, or a batch for a Kafka sink. */
interface HistoryRowSink {

    void value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent row);

    void twinLifecycle(HistoryRows.TwinLifecycle row);

    void relationshipLifecycle(HistoryRows.RelationshipLifecycle row);

    /** The embedded sink: rows are inserted in the unit that moves the connection's cursor. */
    static HistoryRowSink of(StoreTx tx) {
        return new HistoryRowSink() {
            @Override
            public void value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent row) {
                if (table == HistoryRows.ValueTable.PROPERTY) {
                    tx.insertPropertyEvent(row);
                } else {
                    tx.insertTelemetryEvent(row);
                }
            }

            @Override
            public void twinLifecycle(HistoryRows.TwinLifecycle row) {
                tx.insertTwinLifecycle(row);
            }

            @Override
            public void relationshipLifecycle(HistoryRows.RelationshipLifecycle row) {
                tx.insertRelationshipLifecycle(row);
            }
        };
    }
}
