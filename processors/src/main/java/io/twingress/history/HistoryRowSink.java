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
     * The embedded sink: rows are collected while the events are read, and inserted by {@link StoreRows#writeTo} in
     * the unit that moves the connection's cursor, the value rows as one batch per table.
     */
    static StoreRows collect() {
        return new StoreRows();
    }

    final class StoreRows implements HistoryRowSink {

        private final List<HistoryRows.PropertyEvent> properties = new ArrayList<>();
        private final List<HistoryRows.PropertyEvent> telemetry = new ArrayList<>();
        private final List<HistoryRows.TwinLifecycle> twins = new ArrayList<>();
        private final List<HistoryRows.RelationshipLifecycle> relationships = new ArrayList<>();

        private StoreRows() {
        }

        @Override
        public void value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent row) {
            (table == HistoryRows.ValueTable.PROPERTY ? properties : telemetry).add(row);
        }

        @Override
        public void twinLifecycle(HistoryRows.TwinLifecycle row) {
            twins.add(row);
        }

        @Override
        public void relationshipLifecycle(HistoryRows.RelationshipLifecycle row) {
            relationships.add(row);
        }

        void writeTo(StoreTx tx) {
            tx.insertValueRows(HistoryRows.ValueTable.PROPERTY, properties);
            tx.insertValueRows(HistoryRows.ValueTable.TELEMETRY, telemetry);
            twins.forEach(tx::insertTwinLifecycle);
            relationships.forEach(tx::insertRelationshipLifecycle);
        }
    }
}
