package io.twingress.routes;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.Json;
import io.twingress.api.ApiErrors;
import io.twingress.api.QueryApi;
import io.twingress.api.ModelsApi;
import io.twingress.api.RelationshipsApi;
import io.twingress.api.TelemetryApi;
import io.twingress.api.TwinsApi;
import io.twingress.ingest.DedupPruner;
import io.twingress.model.ModelService;
import io.twingress.query.QueryEngine;
import io.twingress.query.StoreGraphSource;
import io.twingress.store.PostgresTwinStore;
import io.twingress.store.SqliteTwinStore;
import io.twingress.store.TwinStore;
import io.twingress.twin.TwinService;

/**
 * Creates the twin domain from {@code twingress.*} properties and binds each bean once, under the name the YAML
 * routes call it by.
 */
public class TwingressConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(TwingressConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        TwinStore store = openStore(context);
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                store.close();
            }
        });
        ModelService models = new ModelService(store);
        TwinService twins = new TwinService(store, models);
        var registry = context.getRegistry();
        registry.bind("twinStore", store);
        registry.bind("modelService", models);
        registry.bind("twinService", twins);
        registry.bind("modelsApi", new ModelsApi(models));
        registry.bind("twinsApi", new TwinsApi(twins));
        registry.bind("relationshipsApi", new RelationshipsApi(twins));
        registry.bind("telemetryApi", new TelemetryApi(twins));
        registry.bind("queryApi", new QueryApi(new QueryEngine(new StoreGraphSource(store, models), Json.MAPPER)));
        registry.bind("apiErrors", new ApiErrors());
        registry.bind("dedupPruner", new DedupPruner(store, Duration.parse(property(context,
                "twingress.ingress.dedupRetention", "PT24H")), Clock.systemUTC()));
        registry.bind(ApiHttpEngine.NAME, new ApiHttpEngine(Integer.parseInt(property(context, "camel.server.port",
                "8080"))));
        context.addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
                LOG.info("Twingress is serving the Azure Digital Twins data-plane API at {}://{}:{} ({} store)",
                        property(ctx, "camel.ssl.enabled", "false").equals("true") ? "https" : "http",
                        property(ctx, "camel.server.host", "0.0.0.0"), property(ctx, "camel.server.port", "8080"),
                        store.kind());
            }
        });
    }

    private static TwinStore openStore(CamelContext context) {
        String type = property(context, "twingress.store.type", "sqlite");
        return switch (type) {
            case "sqlite" -> new SqliteTwinStore(Path.of(property(context, "twingress.store.sqlite.file",
                    "data/twingress.db")), property(context, "twingress.store.sqlite.synchronous", "FULL"));
            case "postgresql" -> new PostgresTwinStore(property(context, "twingress.store.postgresql.url", ""),
                    property(context, "twingress.store.postgresql.user", ""),
                    property(context, "twingress.store.postgresql.password", ""),
                    Integer.parseInt(property(context, "twingress.store.postgresql.poolSize", "16")));
            default -> throw new IllegalArgumentException("twingress.store.type must be sqlite or postgresql, not "
                    + type);
        };
    }

    static String property(CamelContext context, String key, String defaultValue) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(defaultValue);
    }
}
