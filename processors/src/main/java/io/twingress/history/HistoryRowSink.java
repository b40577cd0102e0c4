package io.twingress.history;

import java.util.ArrayList;
import java.util.List;

import io.twingress.store.HistoryRows;
import io.twingress.store.StoreTx;

/** Where {@link HistoryRecorder} puts a connection's rows: the embedded tables, or a batch for a Kafka sink. */
interface HistoryRowSink {

    void value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent row);

    void twinLifecycle(HistoryRows.TwinLifecycle row);

    void relationshipLifecycle(HistoryRows.RelationshipLifecycle row);

    /**
     * The embedded sink: rows are inserted in the unit that moves the connection's cursor, the value rows as one batch
     * per table when {@link StoreRows#flush} is called.
     */
    static StoreRows of(StoreTx tx) {
        return new StoreRows(tx);
    }

    final class StoreRows implements HistoryRowSink {

        private final StoreTx tx;
        private final List<HistoryRows.PropertyEvent> properties = new ArrayList<>();
        private final List<HistoryRows.PropertyEvent> telemetry = new ArrayList<>();

        private StoreRows(StoreTx tx) {
            this.tx = tx;
        }

        @Override
        public void value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent row) {
            (table == HistoryRows.ValueTable.PROPERTY ? properties : telemetry).add(row);
        }

        @Override
        public void twinLifecycle(HistoryRows.TwinLifecycle row) {
            tx.insertTwinLifecycle(row);
        }

        @Override
        public void relationshipLifecycle(HistoryRows.RelationshipLifecycle row) {
            tx.insertRelationshipLifecycle(row);
        }

        void flush() {
            tx.insertValueRows(HistoryRows.ValueTable.PROPERTY, properties);
            tx.insertValueRows(HistoryRows.ValueTable.TELEMETRY, telemetry);
            properties.clear();
            telemetry.clear();
        }
    }
}
