package io.twingress.twin;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import io.twingress.store.OutboxEvent;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredTwin;

/**
 * A write unit's twin changes, worked out before the unit against twins read ahead (an ingress batch's read
 * transaction; a PATCH's twin as this instance last wrote or read it), and replayed in the unit if nothing they read
 * has changed since. Parsing, patching, validating and serializing twins and events is most of a change's cost, and on
 * SQLite every write unit runs on the one writer thread: done here, it runs on the other cores while the writer
 * commits, and the unit is left with its SQL.
 *
 * <p>The work sees a {@link StoreTx} that reads twins from what was read ahead or the read transaction (remembering
 * each etag) and keeps the twin updates and outbox events it writes. Anything else it asks of the store
 * (relationships for a propagation rule, a model row, a twin it wrote itself) ends the speculation, and the unit does
 * the work itself, as it does when a twin's etag or the model set moved in between.
 */
public final class Speculation {

    /** Thrown inside the work when it asks for something a speculation cannot answer or keep. */
    public static final class NotSpeculable extends RuntimeException {
        public NotSpeculable(String what) {
            super(what, null, false, false);
        }
    }

    private final long modelsVersion;
    /** Twins read ahead for a batch of speculations (null: none), by id, null for one that does not exist. */
    private final Map<String, StoredTwin> readAhead;
    /** Each twin read, by id, with the etag it had (null: it did not exist). */
    private final Map<String, String> read = new LinkedHashMap<>();
    private final Set<String> written = new HashSet<>();
    private final List<Consumer<StoreTx>> writes = new ArrayList<>();
    /** The events among {@link #writes}. */
    private final List<OutboxEvent> events = new ArrayList<>();
    /** The first write, if it updates the one twin read: replayed as an update conditional on that twin's etag. */
    private StoredTwin guarded;

    private Speculation(long modelsVersion, Map<String, StoredTwin> readAhead) {
        this.modelsVersion = modelsVersion;
        this.readAhead = readAhead;
    }

    /**
     * Runs {@code work} against {@code readTx}; returns what it would write, or null if it cannot be worked out ahead
     * (it failed, or asked for something a speculation cannot answer: the unit then runs it and reports for itself).
     * A twin in {@code readAhead} (null if it did not exist) is taken from there; with no {@code readTx} (null), a
     * twin that is not there ends the speculation.
     */
    public static Speculation run(StoreTx readTx, Map<String, StoredTwin> readAhead, long modelsVersion,
            Consumer<StoreTx> work) {
        Speculation speculation = new Speculation(modelsVersion, readAhead);
        try {
            work.accept(speculation.tx(readTx));
            return speculation;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * In the write unit: if every twin read still has its etag and the model set is unchanged, writes what the work
     * wrote and returns true; else writes nothing and returns false.
     */
    public boolean replay(StoreTx tx) {
        if (guarded != null && read.size() == 1) {
            // the one twin read is the first one written: its update checks the etag and the model set's version
            // itself, and writes nothing if either moved, so nothing before it needs undoing
            if (updatesOneTwinWithOneEvent()) {
                return tx.updateTwinIfUnchanged(guarded, read.get(guarded.id()), modelsVersion, events.get(0));
            }
            if (!tx.updateTwinIfUnchanged(guarded, read.get(guarded.id()), modelsVersion)) {
                return false;
            }
            writes.subList(1, writes.size()).forEach(w -> w.accept(tx));
            return true;
        }
        if (tx.modelsVersion() != modelsVersion) {
            return false;
        }
        for (Map.Entry<String, String> twin : read.entrySet()) {
            StoredTwin now = tx.twinForUpdate(twin.getKey());
            if (!Objects.equals(now == null ? null : now.etag(), twin.getValue())) {
                return false;
            }
        }
        writes.forEach(w -> w.accept(tx));
        return true;
    }

    /**
     * What the work wrote as one {@link StoreTx#replayIfUnchanged} with the message's id, when it is the common case:
     * the one twin it read updated, and one event. Null for anything else: the unit then records the id and replays
     * (or runs the work) itself.
     */
    public StoreTx.ReplayRequest request(String scope, String messageId) {
        if (!updatesOneTwinWithOneEvent()) {
            return null;
        }
        return new StoreTx.ReplayRequest(scope, messageId, guarded, read.get(guarded.id()), modelsVersion,
                events.get(0));
    }

    /**
     * The common case: the work updated the one twin it read and wrote one event. Its replay is one guarded write that
     * writes both or neither ({@link StoreTx#updateTwinIfUnchanged(StoredTwin, String, long, OutboxEvent)}).
     */
    public boolean updatesOneTwinWithOneEvent() {
        return guarded != null && read.size() == 1 && writes.size() == 2 && events.size() == 1;
    }

    private StoreTx tx(StoreTx readTx) {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "twin", "twinForUpdate" -> readTwin(readTx, (String) args[0]);
            case "updateTwin" -> {
                StoredTwin twin = (StoredTwin) args[0];
                guarded = writes.isEmpty() && read.size() == 1 && read.get(twin.id()) != null ? twin : null;
                written.add(twin.id());
                writes.add(t -> t.updateTwin(twin));
                yield null;
            }
            case "appendEvent" -> {
                OutboxEvent event = (OutboxEvent) args[0];
                events.add(event);
                writes.add(t -> t.appendEvent(event));
                yield null;
            }
            case "toString" -> "speculative StoreTx";
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> throw new NotSpeculable(method.getName());
        };
        return (StoreTx) Proxy.newProxyInstance(StoreTx.class.getClassLoader(), new Class<?>[] {StoreTx.class},
                handler);
    }

    private StoredTwin readTwin(StoreTx readTx, String id) {
        if (written.contains(id)) {
            // the read transaction cannot show the work its own write
            throw new NotSpeculable("a twin read after the work wrote it");
        }
        StoredTwin twin;
        if (readAhead != null && readAhead.containsKey(id)) {
            twin = readAhead.get(id);
        } else if (readTx != null) {
            twin = readTx.twin(id);
        } else {
            throw new NotSpeculable("a twin not read ahead");
        }
        read.putIfAbsent(id, twin == null ? null : twin.etag());
        return twin;
    }
}
