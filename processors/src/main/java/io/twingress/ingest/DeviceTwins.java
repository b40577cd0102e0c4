package io.twingress.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.JsonNode;

import io.twingress.store.StoreTx;
import io.twingress.twin.Change;
import io.twingress.twin.ChangeLog;

/**
 * How a device's twin is found: the twin whose id is the device id, or, with {@code twingress.ingress.twinIdProperty}
 * set, the one twin whose top-level property of that name is the device id. Finding it by property scans the twins,
 * so the twin found is remembered; the pipeline checks the remembered twin still has the value at every use, and this
 * log forgets a device id as soon as a twin of this instance gets the property set to it, so that the next message
 * looks again and finds both twins if there are two. Such a device id is not remembered again for
 * {@link #CONTESTED}: the change that set it is not committed yet when this log sees it, and a search that ran
 * meanwhile (in a transaction of its own, on PostgreSQL) found one twin only. (A change made by another instance on a
 * shared store is seen when the remembered twin no longer has the value.)
 */
public final class DeviceTwins implements ChangeLog {

    /** Past this many devices the remembered twins are dropped and found again. */
    private static final int MAX_REMEMBERED = 100_000;
    /** How long a device id a twin was just given is looked up anew at every message. */
    static final long CONTESTED = TimeUnit.SECONDS.toNanos(30);

    private final String property;
    private final LongSupplier nanoTime;
    private final Map<String, String> twinOfDevice = new ConcurrentHashMap<>();
    /** Device ids a twin was given lately, with when they may be remembered again ({@link System#nanoTime}). */
    private final Map<String, Long> contested = new ConcurrentHashMap<>();

    /** @param property the twins' property that holds a device id, or null or blank if a device's id is its twin's */
    public DeviceTwins(String property) {
        this(property, System::nanoTime);
    }

    DeviceTwins(String property, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.property = property == null || property.isBlank() ? null : property.trim();
        if (this.property != null && !this.property.matches("[A-Za-z](?:[A-Za-z0-9_]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("twingress.ingress.twinIdProperty must be a DTDL property name, not '"
                    + property + "'");
        }
    }

    /** The property that holds a device id, or null if a device's id is its twin's. */
    public String property() {
        return property;
    }

    /** The twin the device was last found at, or its own id if devices are twins; null if not known. */
    String known(String deviceId) {
        return property == null ? deviceId : twinOfDevice.get(deviceId);
    }

    void remember(String deviceId, String twinId) {
        Long until = contested.get(deviceId);
        if (until != null) {
            if (nanoTime.getAsLong() - until < 0) {
                return;
            }
            contested.remove(deviceId, until);
        }
        if (twinOfDevice.size() > MAX_REMEMBERED) {
            twinOfDevice.clear();
        }
        twinOfDevice.put(deviceId, twinId);
    }

    void forget(String deviceId, String twinId) {
        twinOfDevice.remove(deviceId, twinId);
    }

    @Override
    public void record(StoreTx tx, Change change) {
        if (property == null || change.isRelationship() || change.after() == null
                || change.kind() == Change.Kind.TWIN_UPDATE && !sets(change)) {
            return;
        }
        JsonNode value = change.after().get(property);
        if (value != null && value.isTextual() && !change.twinId().equals(twinOfDevice.get(value.asText()))) {
            if (contested.size() > MAX_REMEMBERED) {
                contested.clear();
            }
            contested.put(value.asText(), nanoTime.getAsLong() + CONTESTED);
            twinOfDevice.remove(value.asText());
        }
    }

    private boolean sets(Change change) {
        String path = "/" + property;
        for (JsonNode op : change.patch()) {
            if (op.path("path").asText().equals(path)) {
                return true;
            }
        }
        return false;
    }
}
