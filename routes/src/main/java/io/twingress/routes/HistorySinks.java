package io.twingress.routes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.history.DataHistory;
import io.twingress.history.HistoryConnection;
import io.twingress.routes.health.DownstreamHealth;

/**
 * Once every route runs: keeps one route pair per history connection with a Kafka sink, made from the templates
 * {@code history-sink} (in {@code history.camel.yaml}) and {@code egress-send-kafka}, in step with the connections
 * in the store (on this instance or, through the history feed's reload, on another sharing it).
 */
final class HistorySinks implements ExtendedStartupListener {

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        DataHistory history = context.getRegistry().lookupByNameAndType("dataHistory", DataHistory.class);
        SinkRoutes routes = new SinkRoutes(context, history);
        history.onKafkaSinks(routes::apply);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            // the sinks whose routes cannot start (a broker unreachable, say), while they are tried again
            health.register(new DownstreamHealth("history-sinks", "historyConnection",
                    "history sink(s) cannot start", routes::failed));
        }
        try {
            // services stop after the routes: by then no sink sends, and the leases can be let go
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    routes.running().forEach(history::forget);
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the history sinks' shutdown", e);
        }
    }

    private static final class SinkRoutes extends TemplatedRoutes<HistoryConnection> {

        private static final Logger LOG = LoggerFactory.getLogger(HistorySinks.class);

        private final DataHistory history;

        SinkRoutes(CamelContext context, DataHistory history) {
            super(context);
            this.history = history;
        }

        @Override
        protected void add(String name, HistoryConnection connection) throws Exception {
            Map<String, Object> send = new LinkedHashMap<>();
            send.put("name", sendName(name));
            EgressRoutes.kafka(connection.kafka().connection().client(), send,
                    EgressRoutes.secrets(context, sendName(name)));
            context.addRouteFromTemplate(sendRouteId(name), "egress-send-kafka", send);
            Map<String, Object> sink = new LinkedHashMap<>();
            sink.put("name", name);
            sink.put("send", sendName(name));
            retry(connection.kafka().retryPolicy(), sink);
            context.addRouteFromTemplate(sinkRouteId(name), "history-sink", sink);
            context.getRouteController().startRoute(sendRouteId(name));
            context.getRouteController().startRoute(sinkRouteId(name));
            LOG.info("history connection {} sending to Kafka topic {}", name,
                    connection.kafka().connection().topic());
        }

        @Override
        protected List<String> routeIds(String name) {
            return List.of(sinkRouteId(name), sendRouteId(name));
        }

        @Override
        protected void released(String name) {
            EgressRoutes.forgetSecrets(context, sendName(name));
            history.forget(name);
        }

        @Override
        protected String describe(String name) {
            return "the Kafka sink of history connection " + name;
        }
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
