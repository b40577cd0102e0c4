package io.twingress.event;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;
import io.twingress.event.EndpointSettings.ContentMode;
import io.twingress.event.EndpointSettings.WebhookAuthentication;
import io.twingress.event.KafkaConnection.SaslMechanism;
import io.twingress.event.KafkaConnection.SecurityProtocol;
import io.twingress.model.IsoDuration;

/**
 * Reads an endpoint's {@code properties} into an {@link EndpointSpec} and writes them back, with or without
 * secrets. Both directions live here so that every property name is spelled in one place. What is written with the
 * secrets reads back as the same endpoint, which is how the store keeps it.
 */
final class EndpointCodec {

    static final String RESOURCE_TYPE = "Microsoft.DigitalTwins/digitalTwinsInstances/endpoints";

    private static final List<String> COMMON = List.of("endpointType", "authenticationType", "retryPolicy",
            "deadLetter", "deadLetterUri", "deadLetterSecret",
            // read-only: GET returns them, so a body edited from a GET may carry them; they are ignored
            "provisioningState", "createdTime");
    private static final List<String> KAFKA = List.of("bootstrapServers", "topic", "securityProtocol",
            "saslMechanism", "saslUsername", "saslPassword", "connectionString");
    private static final Map<EndpointType, List<String>> SPECIFIC = new EnumMap<>(Map.of(
            EndpointType.EventHub, List.of("connectionStringPrimaryKey", "connectionStringSecondaryKey",
                    "endpointUri", "entityPath"),
            EndpointType.ServiceBus, List.of("primaryConnectionString", "secondaryConnectionString", "endpointUri",
                    "entityPath", "entityType"),
            EndpointType.EventGrid, List.of("TopicEndpoint", "accessKey1", "accessKey2"),
            EndpointType.Kafka, concat(KAFKA, List.of("contentMode")),
            EndpointType.Webhook, List.of("url", "contentMode", "authentication", "headers", "timeout"),
            EndpointType.Mqtt, List.of("brokerUrl", "topic", "qos", "protocolVersion", "username", "password",
                    "clientId", "retain")));
    private static final List<String> RETRY = List.of("timeToLive", "initialDelay", "maxDelay", "multiplier",
            "jitter");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])");
    private static final Pattern ENTITY_PATH = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,258}[A-Za-z0-9])?");
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final String LABEL = "[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?";
    private static final Pattern HOST_PORT = Pattern.compile("(" + LABEL + "(?:\\." + LABEL
            + ")*|\\[[0-9A-Fa-f:.]+\\]):(\\d{1,5})");
    private static final Pattern HTTP_TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern HEADER_VALUE = Pattern.compile("[\\t\\x20-\\x7e\\x80-\\xff]*");
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "content-type",
            "authorization", "transfer-encoding", "connection");
    /** The most a webhook's own headers, a secret sent in one, or a URL may hold: what HTTP servers commonly take. */
    private static final int MAX_HEADER_BYTES = 8 * 1024;
    private static final int MAX_URL_LENGTH = 8 * 1024;
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)\\}");
    private static final Set<String> MQTT_PLACEHOLDERS = Set.of("subject", "type", "twinId");
    private static final Pattern MQTT_CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MIN_WEBHOOK_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_WEBHOOK_TIMEOUT = Duration.ofMinutes(5);
    private static final String DURATION_FORM = "write an ISO 8601 duration of days, hours, minutes and seconds,"
            + " e.g. PT30S, PT20M, PT24H or P1D";
    private static final String NO_BLOB = " is not supported: Twingress does not dead-letter to blob storage; use"
            + " properties.deadLetter with type Store (the default, listed under /endpoints/{name}/deadletters),"
            + " Files (with a directory), Kafka or None";

    private EndpointCodec() {
    }

    // ---- reading

    static EndpointSpec parse(String name, JsonNode body, EndpointLimits limits, Instant createdTime) {
        checkName(name);
        Props top = Props.of(body, "");
        top.allowOnly(List.of("properties", "id", "name", "type"), "an endpoint resource (id, name and type are"
                + " read-only)");
        String bodyName = top.text("name");
        if (bodyName != null && !bodyName.equals(name)) {
            throw Props.invalid("name in the body ('" + Props.shorten(bodyName) + "') differs from the endpoint name"
                    + " in the path ('" + name + "'); leave it out or make them agree");
        }
        Props p = top.object("properties");
        if (p == null) {
            throw Props.invalid("properties is required: send {\"properties\": {\"endpointType\": ...}}");
        }
        EndpointType type = p.choice("endpointType", EndpointType.values(), Enum::name, null);
        if (type == null) {
            throw Props.invalid("properties.endpointType is required: one of " + names(EndpointType.values()));
        }
        p.allowOnly(concat(COMMON, SPECIFIC.get(type)), "a" + (type == EndpointType.EventHub ? "n " : " ") + type
                + " endpoint");
        AuthenticationType auth = p.choice("authenticationType", AuthenticationType.values(), Enum::name,
                AuthenticationType.KeyBased);
        if (auth == AuthenticationType.IdentityBased && type != EndpointType.EventHub
                && type != EndpointType.ServiceBus) {
            throw Props.invalid("properties.authenticationType IdentityBased is for EventHub and ServiceBus endpoints"
                    + " only; a " + type + " endpoint is KeyBased");
        }
        // the checks added after endpoints may have been stored apply to new ones only: a stored endpoint that a later
        // release would refuse keeps delivering, rather than stopping the reload of every endpoint
        boolean fresh = limits != EndpointLimits.ANY;
        EndpointSettings settings = switch (type) {
            case EventHub -> eventHub(p, auth);
            case ServiceBus -> serviceBus(p, auth);
            case EventGrid -> eventGrid(p, fresh);
            case Kafka -> new EndpointSettings.Kafka(kafka(p), p.choice("contentMode", new ContentMode[] {
                ContentMode.BINARY, ContentMode.STRUCTURED}, ContentMode::jsonName, ContentMode.BINARY));
            case Webhook -> webhook(p, fresh);
            case Mqtt -> mqtt(p, name);
        };
        return new EndpointSpec(name, auth, settings, retryPolicy(p.object("retryPolicy"), limits),
                deadLetter(p, limits), createdTime);
    }

    static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.chars().allMatch(Character::isDigit)) {
            throw Props.invalid("the endpoint name " + (name == null ? "is missing" : "'" + Props.shorten(name)
                    + "' is not allowed") + ": use 2 to 50 letters, digits and '-', not starting or ending with '-'"
                    + " and not only digits");
        }
    }

    private record SbTarget(Secret primary, Secret secondary, URI endpointUri, String entityPath) {
    }

    private static EndpointSettings.EventHub eventHub(Props p, AuthenticationType auth) {
        SbTarget t = sbTarget(p, auth, "connectionStringPrimaryKey", "connectionStringSecondaryKey", "an Event Hubs",
                "the event hub");
        return new EndpointSettings.EventHub(t.primary(), t.secondary(), t.endpointUri(), t.entityPath());
    }

    private static EndpointSettings.ServiceBus serviceBus(Props p, AuthenticationType auth) {
        SbTarget t = sbTarget(p, auth, "primaryConnectionString", "secondaryConnectionString", "a Service Bus",
                "the topic or queue");
        EndpointSettings.ServiceBus.EntityType entityType = p.choice("entityType",
                EndpointSettings.ServiceBus.EntityType.values(), Enum::name,
                EndpointSettings.ServiceBus.EntityType.topic);
        return new EndpointSettings.ServiceBus(t.primary(), t.secondary(), t.endpointUri(), t.entityPath(),
                entityType);
    }

    /** Event Hubs and Service Bus share ADT's shape: connection strings, or an identity with endpointUri. */
    private static SbTarget sbTarget(Props p, AuthenticationType auth, String primaryKey, String secondaryKey,
            String kind, String entity) {
        String entityPath = p.text("entityPath");
        if (entityPath != null) {
            checkEntityPath(p.path("entityPath"), entityPath);
        }
        String host = null;
        String endpointUri = p.text("endpointUri");
        if (endpointUri != null) {
            host = AzureConnectionString.host(endpointUri);
            if (host == null) {
                throw Props.invalid(p.path("endpointUri") + " must be sb://<namespace host>/, e.g."
                        + " sb://contoso.servicebus.windows.net/");
            }
        }
        if (auth == AuthenticationType.IdentityBased) {
            String why = "is for KeyBased authentication; IdentityBased signs in with an Azure identity to"
                    + " endpointUri and entityPath";
            p.refuse(primaryKey, why);
            p.refuse(secondaryKey, why);
            if (host == null) {
                throw Props.invalid(p.path("endpointUri") + " is required for IdentityBased authentication:"
                        + " sb://<namespace host>/");
            }
            if (entityPath == null) {
                throw Props.invalid(p.path("entityPath") + " is required for IdentityBased authentication: the name"
                        + " of " + entity);
            }
            return new SbTarget(null, null, URI.create("sb://" + host + "/"), entityPath);
        }
        Secret primary = p.secret(primaryKey);
        if (primary == null) {
            throw Props.invalid(p.path(primaryKey) + " is required for KeyBased authentication: " + kind
                    + " connection string (or set authenticationType IdentityBased with endpointUri and entityPath)."
                    + " Secrets are never returned, so a PUT that replaces an endpoint sends them again");
        }
        AzureConnectionString parts = AzureConnectionString.parse(p.path(primaryKey), kind, primary);
        Secret secondary = p.secret(secondaryKey);
        if (secondary != null) {
            AzureConnectionString.parse(p.path(secondaryKey), kind, secondary);
        }
        if (host != null && !host.equals(parts.host())) {
            throw Props.invalid(p.path("endpointUri") + " names another namespace than " + p.path(primaryKey)
                    + "; leave endpointUri out with KeyBased authentication, it comes from the connection string");
        }
        String effective = entityPath;
        if (parts.entityPath() != null) {
            checkEntityPath("the EntityPath in " + p.path(primaryKey), parts.entityPath());
            if (entityPath != null && !entityPath.equals(parts.entityPath())) {
                throw Props.invalid(p.path("entityPath") + " differs from the EntityPath in " + p.path(primaryKey)
                        + "; give one of them or make them agree");
            }
            effective = parts.entityPath();
        }
        if (effective == null) {
            throw Props.invalid("an EntityPath is required: add ;EntityPath=<name> to " + p.path(primaryKey)
                    + " or set " + p.path("entityPath") + " to the name of " + entity);
        }
        return new SbTarget(primary, secondary, URI.create("sb://" + parts.host() + "/"), effective);
    }

    private static void checkEntityPath(String what, String entityPath) {
        if (!ENTITY_PATH.matcher(entityPath).matches()) {
            throw Props.invalid(what + " must be 1 to 260 letters, digits, '.', '-', '_' and '/', starting and"
                    + " ending with a letter or digit");
        }
    }

    private static EndpointSettings.EventGrid eventGrid(Props p, boolean fresh) {
        URI topicEndpoint = url(p, "TopicEndpoint", true, "the topic's https URL, e.g."
                + " https://<topic>.<region>.eventgrid.azure.net/api/events", fresh);
        Secret accessKey1 = p.secret("accessKey1");
        if (accessKey1 == null) {
            throw Props.invalid(p.path("accessKey1") + " is required: the topic's access key. Secrets are never"
                    + " returned, so a PUT that replaces an endpoint sends them again");
        }
        return new EndpointSettings.EventGrid(topicEndpoint, accessKey1, p.secret("accessKey2"));
    }

    /** The Kafka settings of a Kafka endpoint or a Kafka dead letter. */
    private static KafkaConnection kafka(Props p) {
        Secret connectionString = p.secret("connectionString");
        String topic = p.text("topic");
        if (topic != null) {
            checkKafkaTopic(p.path("topic"), topic);
        }
        if (connectionString != null) {
            for (String key : List.of("bootstrapServers", "securityProtocol", "saslMechanism", "saslUsername",
                    "saslPassword")) {
                p.refuse(key, "cannot be combined with connectionString, which implies <namespace host>:9093,"
                        + " SASL_SSL, PLAIN and the credentials");
            }
            AzureConnectionString parts = AzureConnectionString.parse(p.path("connectionString"), "an Event Hubs",
                    connectionString);
            if (topic == null) {
                if (parts.entityPath() == null) {
                    throw Props.invalid(p.path("topic") + " is required: " + p.path("connectionString")
                            + " has no EntityPath to take the topic from");
                }
                checkKafkaTopic("the EntityPath in " + p.path("connectionString"), parts.entityPath());
                topic = parts.entityPath();
            }
            return new KafkaConnection(null, topic, null, null, null, null, connectionString);
        }
        String bootstrap = bootstrapServers(p);
        if (topic == null) {
            throw Props.invalid(p.path("topic") + " is required: the Kafka topic, 1 to 249 letters, digits, '.', '_'"
                    + " and '-'");
        }
        SecurityProtocol protocol = p.choice("securityProtocol", SecurityProtocol.values(), Enum::name,
                SecurityProtocol.PLAINTEXT);
        if (!protocol.sasl()) {
            for (String key : List.of("saslMechanism", "saslUsername", "saslPassword")) {
                p.refuse(key, "is only used with securityProtocol SASL_PLAINTEXT or SASL_SSL");
            }
            return new KafkaConnection(bootstrap, topic, protocol, null, null, null, null);
        }
        SaslMechanism mechanism = p.choice("saslMechanism", SaslMechanism.values(), SaslMechanism::kafkaName,
                SaslMechanism.PLAIN);
        String username = p.requiredText("saslUsername", "securityProtocol " + protocol + " signs in with"
                + " saslUsername and saslPassword");
        Secret password = p.secret("saslPassword");
        if (password == null) {
            throw Props.invalid(p.path("saslPassword") + " is required: securityProtocol " + protocol + " signs in"
                    + " with saslUsername and saslPassword. Secrets are never returned, so a PUT that replaces an"
                    + " endpoint sends them again");
        }
        return new KafkaConnection(bootstrap, topic, protocol, mechanism, username, password, null);
    }

    private static String bootstrapServers(Props p) {
        String text = p.requiredText("bootstrapServers", "a comma-separated list of host:port, e.g."
                + " kafka-1:9092,kafka-2:9092");
        List<String> servers = new ArrayList<>();
        for (String server : text.split(",", -1)) {
            Matcher m = HOST_PORT.matcher(server.trim());
            int port = m.matches() ? Integer.parseInt(m.group(2)) : 0;
            if (port < 1 || port > 65535) {
                throw Props.invalid(p.path("bootstrapServers") + " must be a comma-separated list of host:port with"
                        + " ports 1 to 65535, e.g. kafka-1:9092,kafka-2:9092; '" + Props.shorten(server.trim())
                        + "' is not one");
            }
            servers.add(server.trim());
        }
        return String.join(",", servers);
    }

    private static void checkKafkaTopic(String what, String topic) {
        if (!KAFKA_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw Props.invalid(what + " is not a Kafka topic name: use 1 to 249 letters, digits, '.', '_' and '-'"
                    + " (not '.' or '..')");
        }
    }

    private static EndpointSettings.Webhook webhook(Props p, boolean fresh) {
        URI url = url(p, "url", false, "the absolute http or https URL that receives the events", fresh);
        ContentMode contentMode = p.choice("contentMode", ContentMode.values(), ContentMode::jsonName,
                ContentMode.BINARY);
        WebhookAuthentication authentication = webhookAuthentication(p.object("authentication"), fresh);
        Map<String, String> headers = new LinkedHashMap<>();
        Props h = p.object("headers");
        if (h != null) {
            Set<String> seen = new HashSet<>();
            int size = 0;
            for (String header : h.keys()) {
                String what = h.path(header);
                String lower = header.toLowerCase(Locale.ROOT);
                if (!HTTP_TOKEN.matcher(header).matches()) {
                    throw Props.invalid(what + ": a header name is letters, digits and !#$%&'*+-.^_`|~ only");
                }
                if (RESERVED_HEADERS.contains(lower)) {
                    throw Props.invalid(what + " is set by Twingress and cannot be given; the reserved headers are"
                            + " Host, Content-Length, Content-Type, Authorization (use authentication),"
                            + " Transfer-Encoding and Connection");
                }
                if (lower.startsWith("ce-")) {
                    throw Props.invalid(what + ": headers starting with ce- carry CloudEvents attributes and are set"
                            + " by Twingress");
                }
                if (fresh && lower.startsWith("camel")) {
                    throw Props.invalid(what + ": headers starting with Camel are Camel's own, which would steer the"
                            + " request (its path, query or method) instead of being sent");
                }
                if (authentication.type() == WebhookAuthentication.Type.Key
                        && lower.equals(authentication.headerName().toLowerCase(Locale.ROOT))) {
                    throw Props.invalid(what + " is the header authentication.headerName sends the key in");
                }
                if (!seen.add(lower)) {
                    throw Props.invalid(what + " is given twice (header names ignore case)");
                }
                String value = h.text(header);
                if (value == null || !HEADER_VALUE.matcher(value).matches()) {
                    throw Props.invalid(what + " must be a header value: printable ISO-8859-1 text (no line breaks,"
                            + " control characters or characters beyond U+00FF, which HTTP headers cannot carry)");
                }
                headers.put(header, value);
                size += header.length() + value.length();
            }
            if (fresh && size > MAX_HEADER_BYTES) {
                throw Props.invalid(p.path("headers") + " hold " + size + " characters of names and values; at most "
                        + MAX_HEADER_BYTES + " are taken");
            }
        }
        Duration timeout = duration(p, "timeout");
        if (timeout == null) {
            timeout = DEFAULT_WEBHOOK_TIMEOUT;
        } else if (timeout.compareTo(MIN_WEBHOOK_TIMEOUT) < 0 || timeout.compareTo(MAX_WEBHOOK_TIMEOUT) > 0) {
            throw Props.invalid(p.path("timeout") + " " + timeout + " is outside the allowed range PT1S to PT5M");
        }
        return new EndpointSettings.Webhook(url, contentMode, authentication, headers, timeout);
    }

    private static WebhookAuthentication webhookAuthentication(Props a, boolean fresh) {
        if (a == null) {
            return WebhookAuthentication.NONE;
        }
        WebhookAuthentication.Type type = a.choice("type", WebhookAuthentication.Type.values(), Enum::name,
                WebhookAuthentication.Type.None);
        switch (type) {
            case None -> {
                a.allowOnly(List.of("type"), "authentication of type None");
                return WebhookAuthentication.NONE;
            }
            case Bearer -> {
                a.allowOnly(List.of("type", "token"), "authentication of type Bearer");
                Secret token = a.secret("token");
                if (token == null) {
                    throw Props.invalid(a.path("token") + " is required for type Bearer. Secrets are never returned,"
                            + " so a PUT that replaces an endpoint sends them again");
                }
                if (fresh) {
                    checkHeaderSecret(a.path("token"), token);
                }
                return new WebhookAuthentication(type, token, null, null);
            }
            default -> {
                a.allowOnly(List.of("type", "headerName", "key"), "authentication of type Key");
                String headerName = a.text("headerName");
                if (headerName == null) {
                    headerName = WebhookAuthentication.DEFAULT_KEY_HEADER;
                } else if (!HTTP_TOKEN.matcher(headerName).matches()
                        || RESERVED_HEADERS.contains(headerName.toLowerCase(Locale.ROOT))
                        || fresh && (headerName.toLowerCase(Locale.ROOT).startsWith("camel")
                        || headerName.toLowerCase(Locale.ROOT).startsWith("ce-"))) {
                    throw Props.invalid(a.path("headerName") + " must be a header name (letters, digits and"
                            + " !#$%&'*+-.^_`|~) other than Host, Content-Length, Content-Type, Authorization,"
                            + " Transfer-Encoding and Connection, and not starting with Camel or ce-");
                }
                Secret key = a.secret("key");
                if (key == null) {
                    throw Props.invalid(a.path("key") + " is required for type Key. Secrets are never returned, so a"
                            + " PUT that replaces an endpoint sends them again");
                }
                if (fresh) {
                    checkHeaderSecret(a.path("key"), key);
                }
                return new WebhookAuthentication(type, null, headerName, key);
            }
        }
    }

    /** A secret sent in a header: header text (the message does not repeat it), of a size servers take. */
    private static void checkHeaderSecret(String what, Secret secret) {
        String value = secret.reveal();
        if (!HEADER_VALUE.matcher(value).matches()) {
            throw Props.invalid(what + " is sent in a header, so it must be printable ISO-8859-1 text (no line breaks"
                    + " or control characters)");
        }
        if (value.length() > MAX_HEADER_BYTES) {
            throw Props.invalid(what + " is longer than the " + MAX_HEADER_BYTES + " characters a header may hold");
        }
    }

    private static URI url(Props p, String key, boolean httpsOnly, String hint, boolean fresh) {
        String text = p.requiredText(key, hint);
        String schemes = httpsOnly ? "https" : "http or https";
        if (fresh && text.length() > MAX_URL_LENGTH) {
            throw Props.invalid(p.path(key) + " is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            // the reason, not the message: the message repeats the URL, whose query may hold a key
            throw Props.invalid(p.path(key) + " is not a URL (" + e.getReason() + " at character " + e.getIndex()
                    + "); it must be an absolute " + schemes + " URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || !httpsOnly && scheme.equals("http")) || uri.getHost() == null) {
            throw Props.invalid(p.path(key) + " must be an absolute " + schemes + " URL with a host, e.g."
                    + " https://example.com/events");
        }
        if (uri.getRawUserInfo() != null) {
            throw Props.invalid(p.path(key) + " must not hold a user name or password (user:password@host)"
                    + (httpsOnly ? "" : "; use authentication"));
        }
        if (uri.getRawFragment() != null) {
            throw Props.invalid(p.path(key) + " must not have a #fragment, which is never sent");
        }
        // a scheme ignores case (RFC 3986), but Camel finds its HTTP component only by the lower-case one
        return scheme.equals(uri.getScheme()) ? uri : URI.create(scheme + text.substring(uri.getScheme().length()));
    }

    private static EndpointSettings.Mqtt mqtt(Props p, String name) {
        URI brokerUrl = brokerUrl(p);
        String topic = p.requiredText("topic", "the MQTT topic to publish to, e.g. twins/{twinId}/{type}");
        checkMqttTopic(p.path("topic"), topic);
        int qos = 1;
        JsonNode q = p.raw("qos");
        if (q != null) {
            if (!q.isIntegralNumber() || q.asInt() < 0 || q.asInt() > 2 || !q.canConvertToInt()) {
                throw Props.invalid(p.path("qos") + " must be 0, 1 or 2");
            }
            qos = q.asInt();
        }
        int protocolVersion = protocolVersion(p);
        String username = p.text("username");
        Secret password = p.secret("password");
        if (password != null && username == null && protocolVersion == 3) {
            throw Props.invalid(p.path("password") + " needs a username with MQTT 3.1.1");
        }
        String clientId = p.text("clientId");
        if (clientId == null) {
            clientId = "twingress-" + name;
        } else if (!MQTT_CLIENT_ID.matcher(clientId).matches()) {
            throw Props.invalid(p.path("clientId") + " must be 1 to 128 letters, digits, '.', '_', ':' and '-'");
        }
        Boolean retain = p.bool("retain");
        return new EndpointSettings.Mqtt(brokerUrl, topic, qos, protocolVersion, username, password, clientId,
                retain != null && retain);
    }

    private static URI brokerUrl(Props p) {
        String text = p.requiredText("brokerUrl", "tcp://, ssl://, ws:// or wss:// with host and port, e.g."
                + " tcp://broker:1883");
        String form = " must be tcp://, ssl://, ws:// or wss:// with host and port, e.g. tcp://broker:1883 or"
                + " wss://broker:443/mqtt";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw Props.invalid(p.path("brokerUrl") + " is not a URL (" + e.getReason() + ");" + form);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!Set.of("tcp", "ssl", "ws", "wss").contains(scheme) || uri.getHost() == null) {
            throw Props.invalid(p.path("brokerUrl") + form);
        }
        if (uri.getPort() == -1) {
            throw Props.invalid(p.path("brokerUrl") + " needs a port, e.g. tcp://broker:1883");
        }
        if (uri.getRawUserInfo() != null) {
            throw Props.invalid(p.path("brokerUrl") + " must not hold a user name or password; use username and"
                    + " password");
        }
        boolean hasPath = uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/");
        if (uri.getRawFragment() != null || !scheme.startsWith("ws") && (hasPath || uri.getRawQuery() != null)) {
            throw Props.invalid(p.path("brokerUrl") + " may have a path only for ws:// and wss://, and never a"
                    + " #fragment;" + form);
        }
        return uri;
    }

    private static void checkMqttTopic(String what, String topic) {
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw Props.invalid(what + " must not contain the wildcards + or #, which are for subscribing");
        }
        if (topic.startsWith("$")) {
            throw Props.invalid(what + " must not start with $, which brokers keep for themselves");
        }
        if (topic.indexOf('\u0000') >= 0 || topic.getBytes(StandardCharsets.UTF_8).length > 65535) {
            throw Props.invalid(what + " must be at most 65535 bytes of UTF-8 without NUL characters");
        }
        Matcher m = PLACEHOLDER.matcher(topic);
        StringBuilder rest = new StringBuilder();
        while (m.find()) {
            if (!MQTT_PLACEHOLDERS.contains(m.group(1))) {
                throw Props.invalid(what + " has the placeholder {" + Props.shorten(m.group(1)) + "}; the"
                        + " placeholders are {subject}, {type} and {twinId}");
            }
            m.appendReplacement(rest, "");
        }
        m.appendTail(rest);
        if (rest.indexOf("{") >= 0 || rest.indexOf("}") >= 0) {
            throw Props.invalid(what + " has a '{' or '}' outside the placeholders {subject}, {type} and {twinId}");
        }
    }

    /** A number 3 or 5, or the version as text: "3.1.1" or "3" for MQTT 3.1.1, "5" or "5.0" for MQTT 5. */
    private static int protocolVersion(Props p) {
        JsonNode v = p.raw("protocolVersion");
        if (v == null) {
            return 5;
        }
        if (v.isIntegralNumber() && v.canConvertToInt() && (v.asInt() == 3 || v.asInt() == 5)) {
            return v.asInt();
        }
        if (v.isTextual()) {
            switch (v.textValue()) {
                case "3", "3.1.1" -> {
                    return 3;
                }
                case "5", "5.0" -> {
                    return 5;
                }
                default -> {
                }
            }
        }
        throw Props.invalid(p.path("protocolVersion") + " must be 3 (MQTT 3.1.1) or 5 (MQTT 5)");
    }

    private static RetryPolicy retryPolicy(Props r, EndpointLimits limits) {
        if (r == null) {
            r = Props.of(Json.object(), "properties.retryPolicy");
        }
        r.allowOnly(RETRY, "retryPolicy");
        Duration ttl = duration(r, "timeToLive");
        String range = limits.minTimeToLive() + " to " + limits.maxTimeToLive();
        if (ttl == null) {
            ttl = clamp(RetryPolicy.DEFAULT_TIME_TO_LIVE, limits.minTimeToLive(), limits.maxTimeToLive());
        } else if (ttl.compareTo(limits.minTimeToLive()) < 0 || ttl.compareTo(limits.maxTimeToLive()) > 0) {
            throw Props.invalid(r.path("timeToLive") + " " + ttl + " is outside the allowed range " + range);
        }
        Duration maxDelay = duration(r, "maxDelay");
        if (maxDelay == null) {
            maxDelay = min(RetryPolicy.DEFAULT_MAX_DELAY, ttl);
        } else if (maxDelay.compareTo(ttl) > 0) {
            throw Props.invalid(r.path("maxDelay") + " " + maxDelay + " is longer than timeToLive " + ttl);
        }
        Duration initialDelay = duration(r, "initialDelay");
        if (initialDelay == null) {
            initialDelay = min(RetryPolicy.DEFAULT_INITIAL_DELAY, maxDelay);
        } else if (initialDelay.compareTo(maxDelay) > 0) {
            throw Props.invalid(r.path("initialDelay") + " " + initialDelay + " is longer than maxDelay " + maxDelay
                    + (r.has("maxDelay") ? "" : " (the default, or timeToLive if shorter)"));
        }
        double multiplier = number(r, "multiplier", RetryPolicy.DEFAULT_MULTIPLIER, RetryPolicy.MIN_MULTIPLIER,
                RetryPolicy.MAX_MULTIPLIER);
        double jitter = number(r, "jitter", RetryPolicy.DEFAULT_JITTER, 0.0, 1.0);
        return new RetryPolicy(ttl, initialDelay, maxDelay, multiplier, jitter);
    }

    private static double number(Props p, String key, double absent, double min, double max) {
        Double value = p.number(key);
        if (value == null) {
            return absent;
        }
        if (value < min || value > max) {
            throw Props.invalid(p.path(key) + " " + value + " is outside the allowed range " + min + " to " + max);
        }
        return value;
    }

    /** A positive ISO 8601 duration without years, months or weeks, or null when absent. */
    private static Duration duration(Props p, String key) {
        String text = p.text(key);
        if (text == null) {
            return null;
        }
        if (text.startsWith("-")) {
            throw Props.invalid(p.path(key) + " must be positive; " + DURATION_FORM);
        }
        String problem = IsoDuration.problem(text);
        if (problem != null) {
            throw Props.invalid(p.path(key) + " is not an ISO 8601 duration: " + problem);
        }
        Duration d;
        try {
            d = Duration.parse(text);
        } catch (DateTimeException | ArithmeticException e) {
            // IsoDuration accepted it, so it has years, months or weeks, which java.time's Duration refuses
            throw Props.invalid(p.path(key) + " cannot use years, months or weeks, which have no fixed length; "
                    + DURATION_FORM);
        }
        if (d.isZero()) {
            throw Props.invalid(p.path(key) + " must be positive; " + DURATION_FORM);
        }
        return d;
    }

    private static DeadLetter deadLetter(Props p, EndpointLimits limits) {
        p.refuse("deadLetterSecret", "(a blob storage SAS URL)" + NO_BLOB);
        String uri = p.text("deadLetterUri");
        Props d = p.object("deadLetter");
        if (uri != null) {
            if (d != null) {
                throw Props.invalid("give properties.deadLetter or properties.deadLetterUri, not both");
            }
            return new DeadLetter(DeadLetter.Type.Files, confined(p.path("deadLetterUri"),
                    fileUri(p.path("deadLetterUri"), uri), limits), null);
        }
        if (d == null) {
            return DeadLetter.STORE;
        }
        DeadLetter.Type type = d.choice("type", DeadLetter.Type.values(), Enum::name, DeadLetter.Type.Store);
        String what = "a dead letter of type " + type;
        switch (type) {
            case Files -> {
                d.allowOnly(List.of("type", "directory"), what);
                String directory = d.requiredText("directory", "the directory to write dead-lettered events to");
                Path path;
                try {
                    path = Path.of(directory);
                } catch (InvalidPathException e) {
                    throw Props.invalid(d.path("directory") + " is not a path: " + e.getReason());
                }
                return new DeadLetter(type, confined(d.path("directory"), path, limits), null);
            }
            case Kafka -> {
                d.allowOnly(concat(List.of("type"), KAFKA), what);
                return new DeadLetter(type, null, kafka(d));
            }
            default -> {
                d.allowOnly(List.of("type"), what);
                return type == DeadLetter.Type.Store ? DeadLetter.STORE : new DeadLetter(type, null, null);
            }
        }
    }

    /**
     * A Files dead letter's directory as it will be written: taken relative to the limits' root, and refused if it
     * leaves it (an absolute path elsewhere, or {@code ..}); as given where there is no root.
     */
    private static Path confined(String what, Path directory, EndpointLimits limits) {
        Path root = limits.deadLetterRoot();
        if (root == null) {
            return directory;
        }
        Path resolved = root.resolve(directory).normalize();
        if (!resolved.startsWith(root)) {
            throw Props.invalid(what + " must be inside the dead-letter directory " + root
                    + " (twingress.egress.deadLetterDirectory): give a path relative to it");
        }
        return resolved;
    }

    /** ADT's deadLetterUri names a blob container; here only a file: URI, which is taken as a Files directory. */
    private static Path fileUri(String what, String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            uri = null;
        }
        if (uri == null || !"file".equalsIgnoreCase(uri.getScheme())) {
            throw Props.invalid(what + " must be a file: URI such as file:///var/twingress/deadletters; blob storage"
                    + NO_BLOB);
        }
        try {
            return Path.of(uri);
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            throw Props.invalid(what + " must be an absolute file: URI without a host, such as"
                    + " file:///var/twingress/deadletters");
        }
    }

    // ---- writing

    /**
     * The endpoint's properties as JSON. With {@code secrets} every secret is written as it is, for the store;
     * without, every secret key is present with the value null, as ARM answers.
     */
    static ObjectNode properties(EndpointSpec spec, boolean secrets) {
        ObjectNode p = Json.object();
        p.put("endpointType", spec.type().name());
        p.put("authenticationType", spec.authenticationType().name());
        if (!secrets) {
            p.put("provisioningState", "Succeeded");
            p.put("createdTime", spec.createdTime().toString());
        }
        EndpointSettings s = spec.settings();
        if (s instanceof EndpointSettings.EventHub e) {
            secret(p, "connectionStringPrimaryKey", e.connectionStringPrimaryKey(), secrets);
            secret(p, "connectionStringSecondaryKey", e.connectionStringSecondaryKey(), secrets);
            p.put("endpointUri", e.endpointUri().toString());
            p.put("entityPath", e.entityPath());
        } else if (s instanceof EndpointSettings.ServiceBus b) {
            secret(p, "primaryConnectionString", b.primaryConnectionString(), secrets);
            secret(p, "secondaryConnectionString", b.secondaryConnectionString(), secrets);
            p.put("endpointUri", b.endpointUri().toString());
            p.put("entityPath", b.entityPath());
            p.put("entityType", b.entityType().name());
        } else if (s instanceof EndpointSettings.EventGrid g) {
            p.put("TopicEndpoint", g.topicEndpoint().toString());
            secret(p, "accessKey1", g.accessKey1(), secrets);
            secret(p, "accessKey2", g.accessKey2(), secrets);
        } else if (s instanceof EndpointSettings.Kafka k) {
            kafka(p, k.connection(), secrets);
            p.put("contentMode", k.contentMode().jsonName());
        } else if (s instanceof EndpointSettings.Webhook w) {
            p.put("url", w.url().toString());
            p.put("contentMode", w.contentMode().jsonName());
            ObjectNode a = p.putObject("authentication");
            a.put("type", w.authentication().type().name());
            switch (w.authentication().type()) {
                case Bearer -> secret(a, "token", w.authentication().token(), secrets);
                case Key -> {
                    a.put("headerName", w.authentication().headerName());
                    secret(a, "key", w.authentication().key(), secrets);
                }
                default -> {
                }
            }
            ObjectNode headers = p.putObject("headers");
            w.headers().forEach(headers::put);
            p.put("timeout", w.timeout().toString());
        } else if (s instanceof EndpointSettings.Mqtt m) {
            p.put("brokerUrl", m.brokerUrl().toString());
            p.put("topic", m.topic());
            p.put("qos", m.qos());
            p.put("protocolVersion", m.protocolVersion());
            p.put("username", m.username());
            secret(p, "password", m.password(), secrets);
            p.put("clientId", m.clientId());
            p.put("retain", m.retain());
        }
        RetryPolicy r = spec.retryPolicy();
        ObjectNode retry = p.putObject("retryPolicy");
        retry.put("timeToLive", r.timeToLive().toString());
        retry.put("initialDelay", r.initialDelay().toString());
        retry.put("maxDelay", r.maxDelay().toString());
        retry.put("multiplier", r.multiplier());
        retry.put("jitter", r.jitter());
        DeadLetter dl = spec.deadLetter();
        ObjectNode deadLetter = p.putObject("deadLetter");
        deadLetter.put("type", dl.type().name());
        if (dl.directory() != null) {
            deadLetter.put("directory", dl.directory().toString());
        }
        if (dl.kafka() != null) {
            kafka(deadLetter, dl.kafka(), secrets);
        }
        return p;
    }

    private static void kafka(ObjectNode p, KafkaConnection k, boolean secrets) {
        p.put("bootstrapServers", k.bootstrapServers());
        p.put("topic", k.topic());
        p.put("securityProtocol", k.securityProtocol() == null ? null : k.securityProtocol().name());
        p.put("saslMechanism", k.saslMechanism() == null ? null : k.saslMechanism().kafkaName());
        p.put("saslUsername", k.saslUsername());
        secret(p, "saslPassword", k.saslPassword(), secrets);
        secret(p, "connectionString", k.connectionString(), secrets);
    }

    private static void secret(ObjectNode node, String key, Secret secret, boolean reveal) {
        node.put(key, reveal && secret != null ? secret.reveal() : null);
    }

    // ---- small helpers

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    private static String names(Enum<?>[] values) {
        List<String> names = new ArrayList<>();
        for (Enum<?> value : values) {
            names.add(value.name());
        }
        return String.join(", ", names) + " (case-sensitive)";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }
}
