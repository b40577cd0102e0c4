package io.twingress.routes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.event.DeadLetter;
import io.twingress.event.DeadLetters;
import io.twingress.event.EndpointSettings;
import io.twingress.event.EndpointSpec;
import io.twingress.event.EventBindings;
import io.twingress.event.KafkaClient;
import io.twingress.event.OutboxRelay;

/**
 * Keeps one delivery route pair per endpoint running, made from the templates in {@code egress.camel.yaml}: it is
 * told every endpoint after each change (on this instance or, through the periodic reload, on another sharing the
 * store) and adds, replaces or removes routes to match. A user's route template with a built-in template's id
 * replaces it (TwingressMain), so the routes made here are the user's; a user route with one of their ids is not
 * kept, as these routes are made again whenever their endpoint changes.
 */
public final class EgressRoutes extends TemplatedRoutes<EndpointSpec> {

    private static final Logger LOG = LoggerFactory.getLogger(EgressRoutes.class);
    /** The registry names of the send routes' secrets: this prefix, the route's name, '-' and the option's key. */
    private static final String SECRET_BEAN = "twingress-egress-secret-";
    private static final String[] SECRET_KEYS = {"saslJaasConfig", "password", "connectionString"};

    private final OutboxRelay relay;

    public EgressRoutes(CamelContext context, OutboxRelay relay) {
        super(context);
        this.relay = relay;
    }

    @Override
    protected void add(String name, EndpointSpec spec) throws Exception {
        Map<String, Object> send = new LinkedHashMap<>();
        send.put("name", name);
        String template = sendTemplate(spec, send, secrets(context, name));
        context.addRouteFromTemplate(sendRouteId(name), template, send);
        if (spec.deadLetter().type() == DeadLetter.Type.Kafka) {
            Map<String, Object> deadLetters = new LinkedHashMap<>();
            String deadLetterRoute = DeadLetters.kafkaRouteName(name);
            deadLetters.put("name", deadLetterRoute);
            kafka(spec.deadLetter().kafka().client(), deadLetters, secrets(context, deadLetterRoute));
            context.addRouteFromTemplate(sendRouteId(DeadLetters.kafkaRouteName(name)), "egress-send-kafka",
                    deadLetters);
            context.getRouteController().startRoute(sendRouteId(DeadLetters.kafkaRouteName(name)));
        }
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("name", name);
        retry(spec.retryPolicy(), endpoint);
        context.addRouteFromTemplate(endpointRouteId(name), "egress-endpoint", endpoint);
        context.getRouteController().startRoute(sendRouteId(name));
        context.getRouteController().startRoute(endpointRouteId(name));
        LOG.info("endpoint {} ({}) delivering", name, spec.type());
    }

    /**
     * Binds the secrets of the send route {@code name} in the registry, as Strings the route refers to by
     * {@code #bean:} (see egress.camel.yaml), and returns the reference to use for each one.
     */
    static Secrets secrets(CamelContext context, String name) {
        return (key, value) -> {
            String bean = SECRET_BEAN + name + "-" + key;
            context.getRegistry().bind(bean, value);
            return "#bean:" + bean;
        };
    }

    /** Unbinds what {@link #secrets} bound for the send route {@code name}. */
    static void forgetSecrets(CamelContext context, String name) {
        for (String key : SECRET_KEYS) {
            context.getRegistry().unbind(SECRET_BEAN + name + "-" + key);
        }
    }

    @FunctionalInterface
    interface Secrets {
        String bind(String key, String value);
    }

    /** Fills the parameters of the endpoint type's send template and returns the template's id. */
    private static String sendTemplate(EndpointSpec spec, Map<String, Object> p, Secrets secrets) {
        EndpointSettings settings = spec.settings();
        if (settings instanceof EndpointSettings.Kafka kafka) {
            kafka(kafka.client(), p, secrets);
            return "egress-send-kafka";
        }
        if (settings instanceof EndpointSettings.Webhook webhook) {
            p.put("url", EventBindings.withoutQuery(webhook.url()));
            p.put("timeout", webhook.timeout().toMillis());
            return "egress-send-http";
        }
        if (settings instanceof EndpointSettings.EventGrid grid) {
            p.put("url", EventBindings.withoutQuery(grid.topicEndpoint()));
            p.put("timeout", 30_000);
            return "egress-send-http";
        }
        if (settings instanceof EndpointSettings.Mqtt mqtt) {
            if (mqtt.protocolVersion() != 5) {
                throw new IllegalArgumentException("MQTT endpoints publish with MQTT 5; set protocolVersion 5");
            }
            p.put("brokerUrl", mqtt.brokerUrl().toString());
            p.put("clientId", mqtt.clientId());
            p.put("qos", mqtt.qos());
            p.put("retain", mqtt.retain());
            p.put("userName", mqtt.username() == null ? "" : mqtt.username());
            p.put("password", secrets.bind("password", mqtt.password() == null ? "" : mqtt.password().reveal()));
            return "egress-send-mqtt";
        }
        if (settings instanceof EndpointSettings.ServiceBus bus) {
            p.put("entityPath", bus.entityPath());
            p.put("entityType", bus.entityType().name());
            p.put("connectionString", secrets.bind("connectionString", bus.primaryConnectionString().reveal()));
            return "egress-send-servicebus";
        }
        if (settings instanceof EndpointSettings.EventHub hub) {
            p.put("connectionString", secrets.bind("connectionString", hub.connectionStringPrimaryKey().reveal()));
            return "egress-send-eventhubs";
        }
        throw new IllegalArgumentException("no delivery route for endpoint type " + settings.type());
    }

    /** The parameters of the Kafka send template for a producer to this client. */
    static void kafka(KafkaClient client, Map<String, Object> p, Secrets secrets) {
        p.put("topic", client.topic());
        p.put("brokers", client.bootstrapServers());
        p.put("securityProtocol", client.securityProtocol().name());
        p.put("saslMechanism", client.saslMechanism() == null ? "PLAIN" : client.saslMechanism().kafkaName());
        p.put("saslJaasConfig", secrets.bind("saslJaasConfig", client.securityProtocol().sasl() ? jaas(client) : ""));
    }

    private static String jaas(KafkaClient client) {
        String module = client.saslMechanism() == null || client.saslMechanism().name().equals("PLAIN")
                ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                : "org.apache.kafka.common.security.scram.ScramLoginModule";
        return module + " required username=\"" + quote(client.username()) + "\" password=\""
                + quote(client.password().reveal()) + "\";";
    }

    private static String quote(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    protected List<String> routeIds(String name) {
        return List.of(endpointRouteId(name), sendRouteId(name), sendRouteId(DeadLetters.kafkaRouteName(name)));
    }

    @Override
    protected void released(String name) {
        forgetSecrets(context, name);
        forgetSecrets(context, DeadLetters.kafkaRouteName(name));
        relay.forget(name);
    }

    @Override
    protected String describe(String name) {
        return "the delivery routes of endpoint " + name;
    }

    static String endpointRouteId(String name) {
        return "egress-endpoint-" + name;
    }

    static String sendRouteId(String name) {
        return "egress-send-" + name;
    }
}
