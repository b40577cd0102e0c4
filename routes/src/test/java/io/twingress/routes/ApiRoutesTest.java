package io.twingress.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.twingress.Json;
import io.twingress.api.ApiAccess;
import io.twingress.api.ApiErrors;
import io.twingress.api.HistoryApi;
import io.twingress.api.IngressApi;
import io.twingress.history.DataHistory;
import io.twingress.history.HistoryQuery;
import io.twingress.ingest.IngressDeadLetters;
import io.twingress.api.EgressApi;
import io.twingress.auth.Authentication;
import io.twingress.event.DeadLetters;
import io.twingress.event.EgressMetrics;
import io.twingress.event.EgressSettings;
import io.twingress.event.EndpointLimits;
import io.twingress.event.EventRecorder;
import io.twingress.api.ModelsApi;
import io.twingress.api.QueryApi;
import io.twingress.api.RelationshipsApi;
import io.twingress.api.TelemetryApi;
import io.twingress.api.TwinsApi;
import io.twingress.ingest.TelemetryHeaders;
import io.twingress.ingest.TelemetryIntake;
import io.twingress.model.ModelService;
import io.twingress.model.TestModels;
import io.twingress.query.QueryEngine;
import io.twingress.query.QueryLimits;
import io.twingress.query.StoreGraphSource;
import io.twingress.store.SqliteTwinStore;
import io.twingress.twin.RelationshipOperations;
import io.twingress.twin.TwinModels;
import io.twingress.twin.TwinOperations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The API's YAML routes without a server: the api route configuration's error mapping, telemetry's hand-off once per
 * Message-Id (and again after a failed hand-off), and a user route replacing a built-in one. Requests enter at the
 * routes' direct endpoints with the headers the HTTP server would set.
 */
class ApiRoutesTest extends CamelTestSupport {

    static final String V = "api-version=2023-10-31";

    @TempDir
    static Path dir;

    private SqliteTwinStore store;
    private TwinOperations twins;

    ApiRoutesTest() {
        testConfiguration().withUseAdviceWith(true);
    }

    @Override
    protected void bindToRegistry(Registry registry) throws Exception {
        store = new SqliteTwinStore(Files.createTempDirectory(dir, "store").resolve("twins.db"), "NORMAL");
        ModelService models = new ModelService(store);
        models.upload(TestModels.all());
        TwinModels twinModels = new TwinModels(models);
        twins = new TwinOperations(store, twinModels, Clock.systemUTC());
        registry.bind("twinsApi", new TwinsApi(twins));
        registry.bind("modelsApi", new ModelsApi(models));
        registry.bind("relationshipsApi", new RelationshipsApi(new RelationshipOperations(store, twinModels)));
        QueryEngine engine = new QueryEngine(new StoreGraphSource(store, models), Json.MAPPER,
                new QueryLimits(10_000, 200_000, Duration.ofSeconds(10)), Clock.systemUTC());
        // the ingress and history handlers, for the API routes that call them (not exercised here)
        registry.bind("ingressApi", new IngressApi(new IngressDeadLetters(store, null, context)));
        registry.bind("historyApi", new HistoryApi(new DataHistory(store, Clock.systemUTC(), "test", 100,
                Duration.ofSeconds(30), EndpointLimits.PRODUCTION), new HistoryQuery(store), engine));
        registry.bind("queryApi", new QueryApi(engine));
        registry.bind("apiErrors", new ApiErrors());
        registry.bind("apiAccess", new ApiAccess(Authentication.none(), null, "api-key"));
        TelemetryIntake intake = new TelemetryIntake(store, twinModels, context.createProducerTemplate(), false);
        registry.bind("telemetryIntake", intake);
        registry.bind("telemetryApi", new TelemetryApi(intake));
        EventRecorder recorder = new EventRecorder(store, "localhost", Clock.systemUTC());
        registry.bind("eventRecorder", recorder);
        EgressSettings egress = new EgressSettings(store, recorder, EndpointLimits.PRODUCTION, Clock.systemUTC());
        registry.bind("egressApi", new EgressApi(egress, new DeadLetters(store, egress, EgressMetrics.NONE,
                Clock.systemUTC(), null)));
    }

    @BeforeEach
    void loadRoutes() throws Exception {
        // as application.properties sets it: the two telemetry operations share one route
        context.getRestConfiguration().setInlineRoutes(false);
        PluginHelper.getRoutesLoader(context).loadRoutes(
                PluginHelper.getResourceLoader(context).resolveResource("classpath:camel/api.camel.yaml"),
                PluginHelper.getResourceLoader(context).resolveResource("classpath:camel/telemetry.camel.yaml"));
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        // the REST DSL's own routes need the HTTP server; requests enter at the direct endpoints instead
        List<RouteDefinition> rest = model.getRouteDefinitions().stream()
                .filter(r -> r.getInput().getEndpointUri().startsWith("rest:")).toList();
        model.removeRouteDefinitions(rest);
        twins.put("r1", TestModels.json("{'$metadata':{'$model':'" + TestModels.ROOM + "'},'comp1':{}}"), null);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void domainErrorsBecomeAdtsErrorReplies() throws Exception {
        context.start();

        Exchange missing = request("direct:api-twin-get", "/digitaltwins/ghost?" + V, null, Map.of());
        assertAdtReply(missing, 404, "DigitalTwinNotFound", "ghost");

        Exchange noVersion = request("direct:api-twin-get", "/digitaltwins/r1", null, Map.of());
        assertAdtReply(noVersion, 400, "MissingApiVersionParameter", "api-version");
    }

    @Test
    void anUnexpectedFailureIsA500NamingAnIncident() throws Exception {
        AdviceWith.adviceWith(context, "api-twin-get", a -> a.weaveAddFirst().process(e -> {
            throw new IllegalStateException("disk on fire");
        }));
        context.start();

        Exchange reply = request("direct:api-twin-get", "/digitaltwins/r1?" + V, null, Map.of());

        assertAdtReply(reply, 500, "InternalServerError", "incident");
        assertThat(reply.getMessage().getBody(String.class)).doesNotContain("disk on fire");
    }

    @Test
    void telemetryIsHandedOnOncePerMessageId() throws Exception {
        AdviceWith.adviceWith(context, "twin-telemetry", a -> a.weaveAddLast().to("mock:handed"));
        context.start();
        MockEndpoint handed = getMockEndpoint("mock:handed");
        handed.expectedBodiesReceived("{\"temp\":21.5}", "{\"temp\":22}");
        handed.expectedHeaderValuesReceivedInAnyOrder(TelemetryHeaders.MESSAGE_ID, "m1", "m2");
        NotifyBuilder fourCompleted = new NotifyBuilder(context).fromRoute("api-telemetry").whenExactlyCompleted(4)
                .create();

        for (String[] message : new String[][] {{"m1", "{\"temp\":21.5}"}, {"m1", "{\"temp\":21.5}"},
                {"m2", "{\"temp\":22}"}, {"m1", "{\"temp\":21.5}"}}) {
            Exchange reply = request("direct:api-telemetry", "/digitaltwins/r1/telemetry?" + V, message[1],
                    Map.of("Message-Id", message[0]));
            assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(204);
        }

        assertThat(fourCompleted.matches(1, TimeUnit.SECONDS)).as("all four answered, none failed").isTrue();
        handed.assertIsSatisfied();
    }

    @Test
    void aFailedHandOffRecordsNothingSoTheResendIsHandedOn() throws Exception {
        AtomicBoolean failNext = new AtomicBoolean(true);
        AdviceWith.adviceWith(context, "twin-telemetry", a -> {
            a.weaveAddFirst().process(e -> {
                if (failNext.getAndSet(false)) {
                    throw new IllegalStateException("endpoint down");
                }
            });
            a.weaveAddLast().to("mock:handed");
        });
        context.start();
        MockEndpoint handed = getMockEndpoint("mock:handed");
        handed.expectedMessageCount(1);

        Exchange failed = request("direct:api-telemetry", "/digitaltwins/r1/telemetry?" + V, "{\"temp\":1}",
                Map.of("Message-Id", "m1"));
        assertAdtReply(failed, 500, "InternalServerError", "incident");
        Exchange resent = request("direct:api-telemetry", "/digitaltwins/r1/telemetry?" + V, "{\"temp\":1}",
                Map.of("Message-Id", "m1"));
        assertThat(resent.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(204);
        Exchange duplicate = request("direct:api-telemetry", "/digitaltwins/r1/telemetry?" + V, "{\"temp\":1}",
                Map.of("Message-Id", "m1"));
        assertThat(duplicate.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(204);

        handed.assertIsSatisfied();
    }

    @Test
    void aUserRouteReplacesTheBuiltInRouteWithItsId() throws Exception {
        Path routes = Files.createTempDirectory(dir, "routes");
        Files.writeString(routes.resolve("mine.camel.yaml"), """
                - route:
                    id: twin-telemetry
                    from:
                      uri: "direct:twin-telemetry"
                      steps:
                        - to: "mock:mine"
                """);
        TwingressMain.UserRoutesReplaceBuiltIns.replaceBuiltIns(context, routes);
        context.start();
        getMockEndpoint("mock:mine").expectedMessageCount(1);

        request("direct:api-telemetry", "/digitaltwins/r1/telemetry?" + V, "{\"temp\":1}", Map.of("Message-Id", "u1"));

        MockEndpoint.assertIsSatisfied(context);
        assertThat(context.getRoutes().stream().filter(r -> r.getRouteId().equals("twin-telemetry")).count())
                .isEqualTo(1);
    }

    /** Replacing an API route without its route configuration would drop its access checks: refused at the start. */
    @Test
    void aUserRouteThatReplacesAnApiRouteKeepsItsRouteConfigurationOrIsRefused() throws Exception {
        Path open = Files.createTempDirectory(dir, "open");
        Files.writeString(open.resolve("open.camel.yaml"), """
                - route:
                    id: api-twin-get
                    from:
                      uri: "direct:api-twin-get"
                      steps:
                        - setBody: {constant: "{}"}
                """);
        TwingressMain.UserRoutesReplaceBuiltIns.replaceBuiltIns(context, open);
        context.start();
        assertThatThrownBy(() -> ApiStarted.everyOperationIsChecked(context)).hasMessage("The route api-twin-get"
                + " serves the REST operation rest-api-twin-get but runs without a route configuration that checks its"
                + " requests (rate, credentials, roles): give it the routeConfigurationId of the built-in route it"
                + " replaces (api, or ingress-http for the device and webhook paths).");

        Path twice = Files.createTempDirectory(dir, "twice");
        String route = """
                - route:
                    id: mine
                    from:
                      uri: "timer:%s"
                      steps:
                        - log: "x"
                """;
        Files.writeString(twice.resolve("a.camel.yaml"), route.formatted("a"));
        Files.writeString(twice.resolve("b.camel.yaml"), route.formatted("b"));
        assertThatThrownBy(() -> TwingressMain.UserRoutesReplaceBuiltIns.replaceBuiltIns(new DefaultCamelContext(),
                twice))
                .rootCause().hasMessageStartingWith("The route id mine is in both ").hasMessageEndingWith(
                        "b.camel.yaml: give each route its own.");
    }

    private Exchange request(String endpoint, String uri, String body, Map<String, String> headers) {
        return template.request(endpoint, e -> {
            e.getMessage().setHeader(Exchange.HTTP_URI, uri);
            e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            headers.forEach(e.getMessage()::setHeader);
            e.getMessage().setBody(body);
        });
    }

    private static void assertAdtReply(Exchange reply, int status, String code, String fragment) {
        assertThat(reply.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(status);
        assertThat(reply.getMessage().getHeader("x-ms-error-code")).isEqualTo(code);
        JsonNode body = Json.parse(reply.getMessage().getBody(String.class));
        assertThat(body.at("/error/code").asText()).isEqualTo(code);
        assertThat(body.at("/error/message").asText()).contains(fragment);
    }
}
