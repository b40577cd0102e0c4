package io.twingress.routes;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.event.RetryPolicy;
import io.twingress.history.DataHistory;
import io.twingress.history.HistoryConnection;

/**
 * Once every route runs: keeps one route pair per history connection with a Kafka sink, made from the templates
 * {@code history-sink} (in {@code history.camel.yaml}) and {@code egress-send-kafka}, in step with the connections
 * in the store (on this instance or, through the history feed's reload, on another sharing it).
 */
final class HistorySinks implements ExtendedStartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(HistorySinks.class);

    /** What each running sink's routes were made from. */
    private final Map<String, HistoryConnection> running = new HashMap<>();
    private CamelContext context;
    private DataHistory history;

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        this.context = context;
        this.history = context.getRegistry().lookupByNameAndType("dataHistory", DataHistory.class);
        history.onKafkaSinks(this::apply);
        try {
            // services stop after the routes: by then no sink sends, and the leases can be let go
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    Map.copyOf(running).keySet().forEach(history::forget);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the history sinks' shutdown", e);
        }
    }

    synchronized void apply(Map<String, HistoryConnection> sinks) {
        for (String name : Map.copyOf(running).keySet()) {
            if (!sinks.containsKey(name)) {
                remove(name);
            }
        }
        sinks.forEach((name, connection) -> {
            if (!connection.equals(running.get(name))) {
                remove(name);
                try {
                    add(connection);
                    running.put(name, connection);
                } catch (Exception e) {
                    // the connection stays in the store; the next change tries again
                    LOG.error("cannot start the Kafka sink of history connection {}: {}", name, e.getMessage(), e);
                    remove(name);
                }
            }
        });
    }

    private void add(HistoryConnection connection) throws Exception {
        String name = connection.name();
        Map<String, Object> send = new LinkedHashMap<>();
        send.put("name", sendName(name));
        EgressRoutes.kafka(connection.kafka().connection().client(), send,
                EgressRoutes.secrets(context, sendName(name)));
        context.addRouteFromTemplate(sendRouteId(name), "egress-send-kafka", send);
        RetryPolicy retry = connection.kafka().retryPolicy();
        Map<String, Object> sink = new LinkedHashMap<>();
        sink.put("name", name);
        sink.put("send", sendName(name));
        sink.put("initialDelay", retry.initialDelay().toMillis());
        sink.put("maxDelay", retry.maxDelay().toMillis());
        sink.put("multiplier", retry.multiplier());
        sink.put("jitter", retry.jitter());
        context.addRouteFromTemplate(sinkRouteId(name), "history-sink", sink);
        context.getRouteController().startRoute(sendRouteId(name));
        context.getRouteController().startRoute(sinkRouteId(name));
        LOG.info("history connection {} sending to Kafka topic {}", name, connection.kafka().connection().topic());
    }

    private void remove(String name) {
        running.remove(name);
        for (String id : new String[] {sinkRouteId(name), sendRouteId(name)}) {
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
        EgressRoutes.forgetSecrets(context, sendName(name));
        history.forget(name);
    }

    /** The Kafka send template's name: holds a '.', which no endpoint's name may, so it is no endpoint's. */
    static String sendName(String name) {
        return "history." + name;
    }

    static String sinkRouteId(String name) {
        return "history-sink-" + name;
    }

    static String sendRouteId(String name) {
        return "history-send-" + name;
    }
}
