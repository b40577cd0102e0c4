package io.twingress.routes;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import com.azure.messaging.eventhubs.CheckpointStore;
import com.azure.messaging.eventhubs.checkpointstore.blob.BlobCheckpointStore;
import com.azure.storage.blob.BlobContainerAsyncClient;
import com.azure.storage.blob.BlobContainerClientBuilder;
import io.vertx.core.Vertx;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.Predicate;
import org.apache.camel.PropertyInject;
import org.apache.camel.builder.ThreadPoolProfileBuilder;

import io.twingress.Json;
import io.twingress.api.ApiAccess;
import io.twingress.api.ApiErrors;
import io.twingress.api.EgressApi;
import io.twingress.api.ModelsApi;
import io.twingress.api.QueryApi;
import io.twingress.api.RelationshipsApi;
import io.twingress.api.TelemetryApi;
import io.twingress.api.TwinsApi;
import io.twingress.auth.Authentication;
import io.twingress.event.DeadLetters;
import io.twingress.event.EgressSettings;
import io.twingress.event.EndpointLimits;
import io.twingress.event.EventBindings;
import io.twingress.event.EventRecorder;
import io.twingress.event.OutboxPruner;
import io.twingress.event.OutboxRelay;
import io.twingress.api.HistoryApi;
import io.twingress.api.HttpIngress;
import io.twingress.api.IngressApi;
import io.twingress.history.DataHistory;
import io.twingress.history.HistoryQuery;
import io.twingress.ingest.DedupPruner;
import io.twingress.ingest.DeviceTwins;
import io.twingress.ingest.IngressDeadLetters;
import io.twingress.ingest.IngressPipeline;
import io.twingress.ingest.Propagator;
import io.twingress.ingest.RulesFile;
import io.twingress.ingest.TelemetryIntake;
import io.twingress.limit.ClientRateLimiter;
import io.twingress.model.ModelService;
import io.twingress.query.QueryEngine;
import io.twingress.query.QueryLimits;
import io.twingress.query.StoreGraphSource;
import io.twingress.store.PostgresTwinStore;
import io.twingress.store.SqliteTwinStore;
import io.twingress.store.TwinStore;
import io.twingress.twin.RelationshipOperations;
import io.twingress.twin.TwinModels;
import io.twingress.twin.TwinOperations;

/**
 * The twin domain's beans, each bound once under the name the YAML routes call it by. Every setting comes from
 * {@code application.properties}, where its default lives and is documented. Beans are lazy, so each is made when
 * the first route or bean asks for it, whatever the order of the methods here.
 */
@Configuration
public class TwingressConfiguration implements CamelConfiguration {

    @BindToRegistry(value = "twinStore", lazy = true, destroyMethod = "close")
    public TwinStore twinStore(CamelContext context, @PropertyInject("twingress.store.type") String type,
            @PropertyInject("twingress.store.sqlite.file") String sqliteFile,
            @PropertyInject("twingress.store.sqlite.historyFile") String sqliteHistoryFile,
            @PropertyInject("twingress.store.sqlite.synchronous") String synchronous,
            @PropertyInject("twingress.store.postgresql.url") String url,
            @PropertyInject("twingress.store.postgresql.user") String user,
            @PropertyInject("twingress.store.postgresql.password") String password,
            @PropertyInject("twingress.store.postgresql.poolSize") int poolSize) {
        TwinStore store = switch (type) {
            case "sqlite" -> new SqliteTwinStore(Path.of(sqliteFile),
                    sqliteHistoryFile.isBlank() ? null : Path.of(sqliteHistoryFile), synchronous);
            case "postgresql" -> new PostgresTwinStore(url, user, password, poolSize);
            default -> throw new IllegalArgumentException("twingress.store.type must be sqlite or postgresql, not "
                    + type);
        };
        store.reportTo(new StoreMeters(context));
        return store;
    }

    @BindToRegistry(value = "modelService", lazy = true)
    public ModelService modelService(@BeanInject("twinStore") TwinStore store) {
        return new ModelService(store);
    }

    @BindToRegistry(value = "twinModels", lazy = true)
    public TwinModels twinModels(@BeanInject("modelService") ModelService models) {
        return new TwinModels(models);
    }

    @BindToRegistry(value = "modelsApi", lazy = true)
    public ModelsApi modelsApi(@BeanInject("modelService") ModelService models) {
        return new ModelsApi(models);
    }

    /**
     * Twin changes, whatever makes them, are recorded for egress, then propagated by the ingress rules, and seen by
     * ingress's finding of a device's twin.
     */
    @BindToRegistry(value = "twinOperations", lazy = true)
    public TwinOperations twinOperations(@BeanInject("twinStore") TwinStore store,
            @BeanInject("twinModels") TwinModels models, @BeanInject("eventRecorder") EventRecorder events,
            @BeanInject("propagator") Propagator propagator, @BeanInject("deviceTwins") DeviceTwins deviceTwins) {
        TwinOperations twins = new TwinOperations(store, models, Clock.systemUTC(),
                events.then(propagator).then(deviceTwins));
        propagator.applyWith(twins);
        return twins;
    }

    @BindToRegistry(value = "twinsApi", lazy = true)
    public TwinsApi twinsApi(@BeanInject("twinOperations") TwinOperations twins) {
        return new TwinsApi(twins);
    }

    @BindToRegistry(value = "relationshipsApi", lazy = true)
    public RelationshipsApi relationshipsApi(@BeanInject("twinStore") TwinStore store,
            @BeanInject("twinModels") TwinModels models, @BeanInject("eventRecorder") EventRecorder events,
            @BeanInject("propagator") Propagator propagator) {
        // a relationship created or deleted sets the aggregates over it again
        return new RelationshipsApi(new RelationshipOperations(store, models, events.then(propagator)));
    }

    // ingress

    @BindToRegistry(value = "rulesFile", lazy = true)
    public RulesFile rulesFile(CamelContext context, @PropertyInject("twingress.ingress.rulesFile") String file) {
        return new RulesFile(file.isBlank() ? null : Path.of(file), context);
    }

    @BindToRegistry(value = "propagator", lazy = true)
    public Propagator propagator(@BeanInject("rulesFile") RulesFile rules,
            @BeanInject("twinModels") TwinModels models) {
        return new Propagator(rules, models);
    }

    @BindToRegistry(value = "deviceTwins", lazy = true)
    public DeviceTwins deviceTwins(@PropertyInject("twingress.ingress.twinIdProperty") String twinIdProperty) {
        return new DeviceTwins(twinIdProperty);
    }

    @BindToRegistry(value = "ingressPipeline", lazy = true)
    public IngressPipeline ingressPipeline(CamelContext context, @BeanInject("twinStore") TwinStore store,
            @BeanInject("twinModels") TwinModels models, @BeanInject("twinOperations") TwinOperations twins,
            @BeanInject("rulesFile") RulesFile rules, @BeanInject("deviceTwins") DeviceTwins deviceTwins,
            @PropertyInject("twingress.ingress.sourceTimeField") String sourceTimeField) {
        return new IngressPipeline(store, models, twins, rules, context.createProducerTemplate(),
                new IngressMeters(context), Clock.systemUTC(), deviceTwins, sourceTimeField);
    }

    @BindToRegistry(value = "ingressApi", lazy = true)
    public IngressApi ingressApi(CamelContext context, @BeanInject("twinStore") TwinStore store,
            @BeanInject("ingressPipeline") IngressPipeline pipeline) {
        return new IngressApi(new IngressDeadLetters(store, pipeline, context));
    }

    @BindToRegistry(value = "ingressEnvelopes", lazy = true)
    public IngressEnvelopes ingressEnvelopes() {
        return new IngressEnvelopes();
    }

    /**
     * Where the Event Hubs connector keeps each partition's checkpoint and owner: a blob container of a storage
     * account (or azurite), created if missing. Made only when the connector is enabled.
     */
    @BindToRegistry(value = "eventHubsCheckpointStore", lazy = true)
    public CheckpointStore eventHubsCheckpointStore(
            @PropertyInject("twingress.ingress.eventhubs.checkpoint.connectionString") String connectionString,
            @PropertyInject("twingress.ingress.eventhubs.checkpoint.container") String container) {
        if (connectionString.isBlank()) {
            throw new IllegalArgumentException("twingress.ingress.eventhubs.checkpoint.connectionString is not set:"
                    + " give the connection string of the storage account that keeps the Event Hubs checkpoints");
        }
        BlobContainerAsyncClient blobs = new BlobContainerClientBuilder().connectionString(connectionString)
                .containerName(container).buildAsyncClient();
        try {
            blobs.createIfNotExists().block(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            throw new IllegalStateException("The Event Hubs checkpoint container " + container + " cannot be reached"
                    + " or created at " + blobs.getBlobContainerUrl() + ": " + e.getMessage(), e);
        }
        return new BlobCheckpointStore(blobs);
    }

    /**
     * The MQTT connectors' TLS settings for {@code ssl://} and {@code wss://} brokers, as Paho's SSL properties: the
     * trust store and client certificate of {@code twingress.tls.*}; each one not set falls back to the JVM's
     * ({@code javax.net.ssl.*}, the JDK's CA certificates).
     */
    @BindToRegistry(value = "mqttTls", lazy = true)
    public Properties mqttTls(@PropertyInject("twingress.tls.trustStore") String trustStore,
            @PropertyInject("twingress.tls.trustStorePassword") String trustStorePassword,
            @PropertyInject("twingress.tls.keyStore") String keyStore,
            @PropertyInject("twingress.tls.keyStorePassword") String keyStorePassword) {
        Properties paho = new Properties();
        if (!trustStore.isBlank()) {
            paho.setProperty("com.ibm.ssl.trustStore", trustStore);
            paho.setProperty("com.ibm.ssl.trustStorePassword", trustStorePassword);
        }
        if (!keyStore.isBlank()) {
            paho.setProperty("com.ibm.ssl.keyStore", keyStore);
            paho.setProperty("com.ibm.ssl.keyStorePassword", keyStorePassword);
        }
        return paho;
    }

    /** Webhooks: {@code twingress.ingress.webhooks}, a comma-separated list of {@code <name>=<where the device id is>}. */
    @BindToRegistry(value = "httpIngress", lazy = true)
    public HttpIngress httpIngress(@PropertyInject("twingress.ingress.webhooks") String webhooks,
            @PropertyInject("twingress.ingress.http.maxMessageSize") int maxMessageSize) {
        Map<String, String> byName = new HashMap<>();
        for (String entry : webhooks.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String where = eq < 0 ? "" : entry.substring(eq + 1).trim();
            if (eq < 1 || !where.matches("(header|query|body):.+")) {
                throw new IllegalArgumentException("twingress.ingress.webhooks: '" + entry.trim() + "' is not"
                        + " <name>=header:<name>, <name>=query:<name> or <name>=body:<field>");
            }
            String name = entry.substring(0, eq).trim();
            if (byName.put(name, where) != null) {
                throw new IllegalArgumentException("twingress.ingress.webhooks names the webhook " + name + " twice:"
                        + " give each one place for its device id");
            }
        }
        return new HttpIngress(byName, maxMessageSize, Clock.systemUTC());
    }

    // egress

    @BindToRegistry(value = "eventRecorder", lazy = true)
    public EventRecorder eventRecorder(@BeanInject("twinStore") TwinStore store,
            @PropertyInject("twingress.events.source") String source) {
        return new EventRecorder(store, source, Clock.systemUTC());
    }

    @BindToRegistry(value = "egressSettings", lazy = true)
    public EgressSettings egressSettings(@BeanInject("twinStore") TwinStore store,
            @BeanInject("eventRecorder") EventRecorder recorder,
            @PropertyInject("twingress.egress.minTimeToLive") String minTimeToLive,
            @PropertyInject("twingress.egress.maxTimeToLive") String maxTimeToLive,
            @PropertyInject("twingress.egress.deadLetterDirectory") String deadLetterDirectory) {
        return new EgressSettings(store, recorder, new EndpointLimits(Duration.parse(minTimeToLive),
                Duration.parse(maxTimeToLive), deadLetterDirectory.isBlank() ? null : Path.of(deadLetterDirectory)),
                Clock.systemUTC());
    }

    @BindToRegistry(value = "egressMetrics", lazy = true)
    public EgressMeters egressMetrics(CamelContext context) {
        return new EgressMeters(context);
    }

    @BindToRegistry(value = "outboxRelay", lazy = true)
    public OutboxRelay outboxRelay(@BeanInject("twinStore") TwinStore store,
            @BeanInject("egressSettings") EgressSettings settings, @BeanInject("egressMetrics") EgressMeters metrics,
            @PropertyInject("twingress.instance.id") String instanceId,
            @PropertyInject("camel.server.port") int port,
            @PropertyInject("twingress.egress.batchSize") int batchSize,
            @PropertyInject("twingress.egress.lease") String lease) {
        return new OutboxRelay(store, settings, new EventBindings(), metrics,
                instanceId.isBlank() ? hostName() + ":" + port : instanceId, Clock.systemUTC(), batchSize,
                Duration.parse(lease));
    }

    /** This machine's name (a Kubernetes pod's name), to tell instances apart in the endpoint leases. */
    private static String hostName() {
        String name = System.getenv("HOSTNAME");
        if (name != null && !name.isBlank()) {
            return name;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return UUID.randomUUID().toString();
        }
    }

    /** The endpoint routes' retryWhile: retry while the unit's events are younger than the endpoint's time to live. */
    @BindToRegistry(value = "egressRetryWhile", lazy = true)
    public Predicate egressRetryWhile(@BeanInject("outboxRelay") OutboxRelay relay) {
        return relay::retryWhile;
    }

    @BindToRegistry(value = "deadLetters", lazy = true)
    public DeadLetters deadLetters(CamelContext context, @BeanInject("twinStore") TwinStore store,
            @BeanInject("egressSettings") EgressSettings settings, @BeanInject("egressMetrics") EgressMeters metrics) {
        return new DeadLetters(store, settings, metrics, Clock.systemUTC(), context.createProducerTemplate());
    }

    @BindToRegistry(value = "egressApi", lazy = true)
    public EgressApi egressApi(@BeanInject("egressSettings") EgressSettings settings,
            @BeanInject("deadLetters") DeadLetters deadLetters) {
        return new EgressApi(settings, deadLetters);
    }

    @BindToRegistry(value = "outboxPruner", lazy = true)
    public OutboxPruner outboxPruner(@BeanInject("twinStore") TwinStore store) {
        return new OutboxPruner(store, 5_000);
    }

    @BindToRegistry(value = "telemetryIntake", lazy = true)
    public TelemetryIntake telemetryIntake(CamelContext context, @BeanInject("twinStore") TwinStore store,
            @BeanInject("twinModels") TwinModels models, @PropertyInject("twingress.telemetry.strict") boolean strict) {
        return new TelemetryIntake(store, models, context.createProducerTemplate(), strict);
    }

    @BindToRegistry(value = "telemetryApi", lazy = true)
    public TelemetryApi telemetryApi(@BeanInject("telemetryIntake") TelemetryIntake intake) {
        return new TelemetryApi(intake);
    }

    @BindToRegistry(value = "queryEngine", lazy = true)
    public QueryEngine queryEngine(@BeanInject("twinStore") TwinStore store,
            @BeanInject("modelService") ModelService models,
            @PropertyInject("twingress.query.scanBudget") int scanBudget,
            @PropertyInject("twingress.query.costBudget") long costBudget,
            @PropertyInject("twingress.query.timeout") String timeout) {
        return new QueryEngine(new StoreGraphSource(store, models), Json.MAPPER,
                new QueryLimits(scanBudget, costBudget, Duration.parse(timeout)), Clock.systemUTC());
    }

    @BindToRegistry(value = "queryApi", lazy = true)
    public QueryApi queryApi(@BeanInject("queryEngine") QueryEngine engine) {
        return new QueryApi(engine);
    }

    // data history

    /** Made on first use (the history feed's timer), with the default connection a fresh installation has. */
    @BindToRegistry(value = "dataHistory", lazy = true)
    public DataHistory dataHistory(@BeanInject("twinStore") TwinStore store,
            @BeanInject("outboxRelay") OutboxRelay relay, @BeanInject("egressSettings") EgressSettings egress,
            @PropertyInject("twingress.history.batchSize") int batchSize,
            @PropertyInject("twingress.egress.lease") String lease) {
        DataHistory history = new DataHistory(store, store.historyStore(), Clock.systemUTC(), relay.instanceId(),
                batchSize, Duration.parse(lease), egress.limits());
        history.ensureDefault();
        return history;
    }

    /** A Kafka sink's retryWhile: retry while the batch's events are younger than the connection's time to live. */
    @BindToRegistry(value = "historyRetryWhile", lazy = true)
    public Predicate historyRetryWhile(@BeanInject("dataHistory") DataHistory history) {
        return history::retryWhile;
    }

    @BindToRegistry(value = "historyApi", lazy = true)
    public HistoryApi historyApi(@BeanInject("dataHistory") DataHistory history,
            @BeanInject("twinStore") TwinStore store, @BeanInject("queryEngine") QueryEngine engine) {
        return new HistoryApi(history, new HistoryQuery(store.historyStore()), engine);
    }

    @BindToRegistry("apiErrors")
    public ApiErrors apiErrors() {
        return new ApiErrors();
    }

    @BindToRegistry(value = "dedupPruner", lazy = true)
    public DedupPruner dedupPruner(@BeanInject("twinStore") TwinStore store,
            @PropertyInject("twingress.ingress.dedupRetention") String retention) {
        return new DedupPruner(store, Duration.parse(retention), Clock.systemUTC());
    }

    /**
     * Who may call the API (twingress.auth.*) and how often (twingress.limits.*). Made when Camel starts, not on
     * first use, so a configuration that would leave the API open on a network address stops the start.
     */
    @BindToRegistry("apiAccess")
    public ApiAccess apiAccess(CamelContext context, @PropertyInject("twingress.auth.mode") String mode,
            @PropertyInject("camel.server.host") String host,
            @PropertyInject("twingress.auth.allowUnauthenticated") boolean allowUnauthenticated,
            @PropertyInject("twingress.auth.apikeyHeader") String apiKeyHeader,
            @PropertyInject("twingress.limits.clientRequestsPerSecond") double rate,
            @PropertyInject("twingress.limits.clientRequestBurst") int burst) {
        var properties = context.getPropertiesComponent();
        Authentication authentication = AuthSettings.authentication(mode, host, allowUnauthenticated,
                key -> properties.resolveProperty(key).orElse(""));
        if (rate < 0 || Double.isNaN(rate)) {
            throw new IllegalArgumentException("twingress.limits.clientRequestsPerSecond must be 0 (no limit) or more,"
                    + " not " + rate);
        }
        ClientRateLimiter limiter = rate == 0 ? null : new ClientRateLimiter(rate, burst, 100_000, System::nanoTime);
        return new ApiAccess(authentication, limiter, apiKeyHeader);
    }

    /**
     * The Vert.x instance Camel's HTTP servers are made with, which gives them the limits of {@link HttpGuard}. The
     * guard itself is bound as {@code httpGuard} here, not by a method of its own: Camel calls these methods in no
     * set order, and one that injected the other failed when it came first.
     */
    @BindToRegistry(value = "vertx", destroyMethod = "close")
    public Vertx vertx(CamelContext context, @PropertyInject("twingress.http.idleTimeout") int idleTimeoutSeconds,
            @PropertyInject("twingress.http.firstRequestTimeout") long firstRequestMillis,
            @PropertyInject("twingress.http.requestTimeout") long requestMillis,
            @PropertyInject("twingress.http.maxConnectionsPerClient") int maxConnectionsPerClient) {
        HttpGuard guard = new HttpGuard(idleTimeoutSeconds, firstRequestMillis, requestMillis, maxConnectionsPerClient);
        context.getRegistry().bind("httpGuard", guard);
        return guard.guardedVertx();
    }

    /** platform-http's engine, bound to the API port (see {@link ApiHttpEngine}). */
    @BindToRegistry(ApiHttpEngine.NAME)
    public ApiHttpEngine apiHttpEngine(@PropertyInject("camel.server.port") int port) {
        return new ApiHttpEngine(port);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        context.addStartupListener(new ApiStarted());
        context.addStartupListener(new EgressStarted());
        context.addStartupListener(new HistorySinks());
        // the threads that send one-event units of an endpoint's batch at once; each endpoint route's split makes
        // its own pool from this profile, so a slow endpoint cannot take another's threads
        int parallelSends = Integer.parseInt(context.getPropertiesComponent()
                .resolveProperty("twingress.egress.parallelSends").orElseThrow());
        context.getExecutorServiceManager().registerThreadPoolProfile(new ThreadPoolProfileBuilder("egressSenders")
                .poolSize(parallelSends).maxPoolSize(parallelSends).maxQueueSize(-1).build());
    }
}
