package io.twingress.routes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.event.RetryPolicy;

/**
 * Routes made from templates, one group per named spec (an endpoint, a history connection's sink), kept in step with
 * the specs wanted: {@link #apply} adds a group for a new spec, makes it again for a changed one, and removes it for
 * one that is gone. A group that fails to start (a broker that cannot be reached, say) is removed, and tried again by
 * a later {@link #apply} (which its owner calls periodically), {@link #FIRST_RETRY} after the failure, doubling to
 * {@link #LAST_RETRY}; meanwhile {@link #failed} names it.
 *
 * @param <S> the spec a group is made from; equal specs make the same routes
 */
abstract class TemplatedRoutes<S> {

    private static final Logger LOG = LoggerFactory.getLogger(TemplatedRoutes.class);
    static final Duration FIRST_RETRY = Duration.ofSeconds(5);
    static final Duration LAST_RETRY = Duration.ofMinutes(5);

    protected final CamelContext context;
    private final Clock clock;
    /** What each running group was made from. */
    private final Map<String, S> running = new HashMap<>();
    /** The groups that failed to start, by name: why, and when they are tried again. Read unlocked by health checks. */
    private final Map<String, Failure<S>> failed = new ConcurrentHashMap<>();

    private record Failure<S>(S spec, String reason, int attempts, Instant retryAt) {
    }

    TemplatedRoutes(CamelContext context) {
        this(context, Clock.systemUTC());
    }

    TemplatedRoutes(CamelContext context, Clock clock) {
        this.context = context;
        this.clock = clock;
    }

    synchronized void apply(Map<String, ? extends S> wanted) {
        for (String name : Map.copyOf(running).keySet()) {
            if (!wanted.containsKey(name)) {
                remove(name);
            }
        }
        failed.keySet().retainAll(wanted.keySet());
        Instant now = clock.instant();
        wanted.forEach((name, spec) -> {
            if (spec.equals(running.get(name))) {
                return;
            }
            Failure<S> before = failed.get(name);
            boolean again = before != null && before.spec().equals(spec);
            if (again && now.isBefore(before.retryAt())) {
                return;
            }
            remove(name);
            try {
                add(name, spec);
                running.put(name, spec);
                if (failed.remove(name) != null) {
                    LOG.info("{} started", describe(name));
                }
            } catch (Exception e) {
                // the spec stays in the store, and a later apply tries again
                int attempts = again ? before.attempts() + 1 : 1;
                Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(attempts - 1, 6));
                Instant retryAt = now.plus(wait.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait);
                failed.put(name, new Failure<>(spec, String.valueOf(e.getMessage()), attempts, retryAt));
                if (attempts == 1) {
                    LOG.error("cannot start {} (tried again from {}): {}", describe(name), retryAt, e.getMessage(), e);
                } else {
                    LOG.warn("still cannot start {} after {} attempts (tried again from {}): {}", describe(name),
                            attempts, retryAt, e.getMessage());
                }
                remove(name);
            }
        });
    }

    /** The names of the groups running now. */
    synchronized Set<String> running() {
        return Set.copyOf(running.keySet());
    }

    /** Why each group that failed to start did, by name, while it waits to be tried again. */
    Map<String, String> failed() {
        Map<String, String> reasons = new HashMap<>();
        failed.forEach((name, failure) -> reasons.put(name, failure.reason()));
        return reasons;
    }

    /** Makes and starts the group's routes. */
    protected abstract void add(String name, S spec) throws Exception;

    /** The id of every route {@link #add} may have made for the name. */
    protected abstract List<String> routeIds(String name);

    /** Lets go of what the group held besides its routes (registry entries, leases), once they are removed. */
    protected abstract void released(String name);

    /** The group, for a log line: e.g. "the delivery routes of endpoint x". */
    protected abstract String describe(String name);

    /** The retry parameters the delivery templates share. */
    static void retry(RetryPolicy retry, Map<String, Object> parameters) {
        parameters.put("initialDelay", retry.initialDelay().toMillis());
        parameters.put("maxDelay", retry.maxDelay().toMillis());
        parameters.put("multiplier", retry.multiplier());
        parameters.put("jitter", retry.jitter());
    }

    private void remove(String name) {
        running.remove(name);
        for (String id : routeIds(name)) {
            if (context.getRoute(id) == null) {
                continue;
            }
            try {
                context.getRouteController().stopRoute(id);
                context.removeRoute(id);
            } catch (Exception e) {
                LOG.warn("cannot remove route {}: {}", id, e.getMessage());
            }
        }
        released(name);
    }
}
