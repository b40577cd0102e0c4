package io.twingress.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.models.JsonPatchDocument;
import com.azure.core.util.Context;
import com.azure.digitaltwins.core.BasicDigitalTwin;
import com.azure.digitaltwins.core.BasicDigitalTwinComponent;
import com.azure.digitaltwins.core.BasicDigitalTwinMetadata;
import com.azure.digitaltwins.core.BasicRelationship;
import com.azure.digitaltwins.core.DigitalTwinsClient;
import com.azure.digitaltwins.core.DigitalTwinsClientBuilder;
import com.azure.digitaltwins.core.models.DigitalTwinsEventRoute;
import com.azure.digitaltwins.core.models.IncomingRelationship;
import com.azure.digitaltwins.core.models.ListModelsOptions;
import com.azure.digitaltwins.core.models.QueryOptions;
import com.azure.digitaltwins.core.models.UpdateComponentOptions;
import com.azure.digitaltwins.core.models.DigitalTwinsModelData;
import com.azure.core.exception.HttpResponseException;
import io.netty.handler.ssl.SslContextBuilder;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.core.publisher.Mono;

import io.twingress.store.SharedPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The end-to-end sample of the ADT documentation (reference §9), driven by the official Azure Digital Twins Java
 * SDK against Twingress over HTTPS, on both stores.
 */
class AdtSdkScenarioIT {

    static final String SPACE = "dtmi:contosocom:DigitalTwins:Space;1";
    static final String THERMOSTAT = "dtmi:contosocom:DigitalTwins:Thermostat;1";

    abstract static class Scenario {

        TwingressServer server;
        DigitalTwinsClient client;

        abstract Map<String, String> storeProperties() throws Exception;

        @BeforeAll
        void start() throws Exception {
            Path dir = Files.createTempDirectory("twingress-sdk-it");
            TestTls tls = TestTls.create(dir);
            Map<String, String> props = new java.util.HashMap<>(tls.serverProperties());
            props.putAll(storeProperties());
            server = TwingressServer.start(dir, props);
            TokenCredential anyToken = request -> Mono.just(new AccessToken("any", OffsetDateTime.now().plusHours(1)));
            var netty = reactor.netty.http.client.HttpClient.create().secure(spec -> {
                try {
                    spec.sslContext(SslContextBuilder.forClient().trustManager(tls.certificate()).build());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            client = new DigitalTwinsClientBuilder()
                    .endpoint(server.baseUrl())
                    .credential(anyToken)
                    .httpClient(new NettyAsyncHttpClientBuilder(netty).build())
                    .buildClient();
        }

        @AfterAll
        void stop() {
            if (server != null) {
                server.close();
            }
        }

        @Test
        void buildingScenarioFromTheAdtSample() throws Exception {
            Iterable<DigitalTwinsModelData> created = client.createModels(List.of(model("space.json"),
                    model("thermostat.json")));
            assertThat(created).extracting(DigitalTwinsModelData::getModelId).containsExactly(SPACE, THERMOSTAT);
            assertThat(client.getModel(THERMOSTAT).getDtdlModel()).contains("FirmwareVersion");
            assertThat(client.listModels()).extracting(DigitalTwinsModelData::getModelId).contains(SPACE, THERMOSTAT);

            for (String[] twin : new String[][] {{"floor1", SPACE}, {"room21", SPACE}, {"thermostat67", THERMOSTAT}}) {
                BasicDigitalTwin created1 = client.createOrReplaceDigitalTwin(twin[0], new BasicDigitalTwin(twin[0])
                        .setMetadata(new BasicDigitalTwinMetadata().setModelId(twin[1]))
                        .addToContents("Temperature", 0), BasicDigitalTwin.class);
                assertThat(created1.getId()).isEqualTo(twin[0]);
                assertThat(created1.getETag()).startsWith("W/\"");
            }
            client.createOrReplaceRelationship("floor1", "floor_to_room_edge", relationship("floor_to_room_edge",
                    "floor1", "room21"), BasicRelationship.class);
            client.createOrReplaceRelationship("room21", "room_to_therm_edge", relationship("room_to_therm_edge",
                    "room21", "thermostat67"), BasicRelationship.class);

            client.updateDigitalTwin("thermostat67", new JsonPatchDocument().appendReplace("/Temperature", 70.5));
            BasicDigitalTwin thermostat = client.getDigitalTwin("thermostat67", BasicDigitalTwin.class);
            assertThat(((Number) thermostat.getContents().get("Temperature")).doubleValue()).isEqualTo(70.5);
            assertThat(thermostat.getMetadata().getModelId()).isEqualTo(THERMOSTAT);
            assertThat(thermostat.getMetadata().getPropertyMetadata()).containsKey("Temperature");

            List<IncomingRelationship> incoming = new ArrayList<>();
            client.listIncomingRelationships("room21").forEach(incoming::add);
            assertThat(incoming).singleElement().satisfies(r -> {
                assertThat(r.getSourceId()).isEqualTo("floor1");
                assertThat(r.getRelationshipName()).isEqualTo("contains");
                assertThat(r.getRelationshipId()).isEqualTo("floor_to_room_edge");
            });
            List<BasicRelationship> outgoing = new ArrayList<>();
            client.listRelationships("floor1", BasicRelationship.class).forEach(outgoing::add);
            assertThat(outgoing).singleElement().satisfies(r -> {
                assertThat(r.getTargetId()).isEqualTo("room21");
                assertThat(r.getProperties()).containsEntry("ownershipUser", "Contoso");
            });

            // ADT refuses to delete a twin that still has relationships
            assertAdtError(() -> client.deleteDigitalTwin("room21"), 400, "RelationshipsNotDeleted", "room21");

            client.deleteRelationship("room21", "room_to_therm_edge");
            client.deleteRelationship("floor1", "floor_to_room_edge");
            for (String id : List.of("thermostat67", "room21", "floor1")) {
                client.deleteDigitalTwin(id);
            }
            assertAdtError(() -> client.getDigitalTwin("room21", BasicDigitalTwin.class), 404, "DigitalTwinNotFound",
                    "room21");
            client.deleteModel(THERMOSTAT);
            client.deleteModel(SPACE);
            assertThat(client.listModels()).extracting(DigitalTwinsModelData::getModelId)
                    .doesNotContain(SPACE, THERMOSTAT);
        }

        @Test
        void optimisticConcurrencyWithEtags() throws Exception {
            client.createModels(List.of(model("space.json").replace("Space;1", "Space;2")));
            com.azure.core.http.rest.Response<BasicDigitalTwin> created = client.createOrReplaceDigitalTwinWithResponse("etag1",
                    new BasicDigitalTwin("etag1").setMetadata(new BasicDigitalTwinMetadata()
                            .setModelId("dtmi:contosocom:DigitalTwins:Space;2")).addToContents("Temperature", 1),
                    BasicDigitalTwin.class, null, com.azure.core.util.Context.NONE);
            String etag = created.getValue().getETag();
            client.updateDigitalTwinWithResponse("etag1", new JsonPatchDocument().appendReplace("/Temperature", 2),
                    new com.azure.digitaltwins.core.models.UpdateDigitalTwinOptions().setIfMatch(etag),
                    com.azure.core.util.Context.NONE);
            assertAdtError(() -> client.updateDigitalTwinWithResponse("etag1",
                    new JsonPatchDocument().appendReplace("/Temperature", 3),
                    new com.azure.digitaltwins.core.models.UpdateDigitalTwinOptions().setIfMatch(etag),
                    com.azure.core.util.Context.NONE), 412, "PreconditionFailed", "etag1");
            assertThat(client.getDigitalTwin("etag1", BasicDigitalTwin.class).getContents().get("Temperature"))
                    .isEqualTo(2);
        }

        /** What the SDK user sees of an ADT error: the status, x-ms-error-code, and the error body in the message. */
        /** The SDK operations the building scenario does not use, each as a client sees its answer. */
        @Test
        void eventRoutesThroughTheSdk() throws Exception {
            // the SDK has no endpoint calls (ADT manages them in its control plane): made through the bean here
            server.main().getCamelContext().getRegistry().lookupByNameAndType("egressSettings",
                    io.twingress.event.EgressSettings.class).putEndpoint("sdk-hook", io.twingress.Json.parse(
                    "{\"properties\":{\"endpointType\":\"Webhook\",\"url\":\"http://127.0.0.1:9/\"}}"));
            String filter = "type = 'Microsoft.DigitalTwins.Twin.Create' AND STARTS_WITH($body.$dtId, 'sdk')";
            client.createOrReplaceEventRoute("sdk-route", new DigitalTwinsEventRoute("sdk-hook").setFilter(filter));
            DigitalTwinsEventRoute route = client.getEventRoute("sdk-route");
            assertThat(route.getEventRouteId()).isEqualTo("sdk-route");
            assertThat(route.getEndpointName()).isEqualTo("sdk-hook");
            assertThat(route.getFilter()).isEqualTo(filter);
            assertThat(client.listEventRoutes()).extracting(DigitalTwinsEventRoute::getEventRouteId)
                    .contains("sdk-route");
            assertAdtError(() -> client.createOrReplaceEventRoute("sdk-bad",
                    new DigitalTwinsEventRoute("sdk-hook").setFilter("type = ")), 400, "EventRouteFilterInvalid",
                    "position 8");
            client.deleteEventRoute("sdk-route");
            assertAdtError(() -> client.getEventRoute("sdk-route"), 404, "EventRouteNotFound", "sdk-route");
        }

        @Test
        void theOtherSdkOperations() throws Exception {
            String sensor = "dtmi:twingress:sdk:Sensor;1";
            String device = "dtmi:twingress:sdk:Device;1";
            client.createModels(List.of(
                    "{\"@id\":\"" + sensor + "\",\"@type\":\"Interface\",\"@context\":\"dtmi:dtdl:context;2\","
                            + "\"contents\":[{\"@type\":\"Property\",\"name\":\"level\",\"schema\":\"double\"},"
                            + "{\"@type\":\"Telemetry\",\"name\":\"reading\",\"schema\":\"double\"}]}",
                    "{\"@id\":\"" + device + "\",\"@type\":\"Interface\",\"@context\":\"dtmi:dtdl:context;2\","
                            + "\"contents\":[{\"@type\":\"Component\",\"name\":\"probe\",\"schema\":\"" + sensor
                            + "\"},{\"@type\":\"Relationship\",\"name\":\"feeds\",\"properties\":[{\"@type\":"
                            + "\"Property\",\"name\":\"weight\",\"schema\":\"double\"}]}]}"));
            assertAdtError(() -> client.createModels(List.of("{\"@id\":\"" + sensor + "\",\"@type\":\"Interface\","
                    + "\"@context\":\"dtmi:dtdl:context;2\"}")), 409, "ModelAlreadyExists", sensor);
            assertAdtError(() -> client.getModel("dtmi:twingress:sdk:Nope;1"), 404, "ModelNotFound", "Nope");
            List<String> dependencies = new ArrayList<>();
            client.listModels(new ListModelsOptions().setDependenciesFor(List.of(device)).setIncludeModelDefinition(true),
                    Context.NONE).forEach(m -> dependencies.add(m.getModelId()));
            assertThat(dependencies).containsExactlyInAnyOrder(device, sensor);

            for (String id : List.of("dev1", "dev2", "dev3")) {
                client.createOrReplaceDigitalTwin(id, new BasicDigitalTwin(id)
                        .setMetadata(new BasicDigitalTwinMetadata().setModelId(device))
                        .addToContents("probe", new BasicDigitalTwinComponent()), BasicDigitalTwin.class);
            }
            client.updateComponent("dev1", "probe", new JsonPatchDocument().appendAdd("/level", 4.5));
            BasicDigitalTwinComponent probe = client.getComponent("dev1", "probe", BasicDigitalTwinComponent.class);
            assertThat(((Number) probe.getContents().get("level")).doubleValue()).isEqualTo(4.5);
            // the component's GET carries the twin's etag, which a PATCH of the component names in If-Match
            String etag = client.getComponentWithResponse("dev1", "probe", BasicDigitalTwinComponent.class,
                    Context.NONE).getDeserializedHeaders().getETag();
            assertThat(etag).isEqualTo(client.getDigitalTwin("dev1", BasicDigitalTwin.class).getETag());
            client.updateComponentWithResponse("dev1", "probe", new JsonPatchDocument().appendReplace("/level", 5.0),
                    new UpdateComponentOptions().setIfMatch(etag), Context.NONE);
            assertAdtError(() -> client.updateComponentWithResponse("dev1", "probe", new JsonPatchDocument()
                    .appendReplace("/level", 6.0), new UpdateComponentOptions().setIfMatch(etag), Context.NONE), 412,
                    "PreconditionFailed", "it changed since it was read");
            assertAdtError(() -> client.getComponent("dev1", "nope", BasicDigitalTwinComponent.class), 404,
                    "ComponentNotFound", "nope");

            client.createOrReplaceRelationship("dev1", "f1", new BasicRelationship("f1", "dev1", "dev2", "feeds")
                    .addProperty("weight", 1.0), BasicRelationship.class);
            client.updateRelationship("dev1", "f1", new JsonPatchDocument().appendReplace("/weight", 2.0));
            BasicRelationship feeds = client.getRelationship("dev1", "f1", BasicRelationship.class);
            assertThat(((Number) feeds.getProperties().get("weight")).doubleValue()).isEqualTo(2.0);
            assertAdtError(() -> client.getRelationship("dev1", "nope", BasicRelationship.class), 404,
                    "RelationshipNotFound", "nope");

            client.publishTelemetry("dev1", "sdk-m1", Map.of("anything", 1));
            client.publishComponentTelemetry("dev1", "probe", "sdk-m2", Map.of("reading", 20.5));
            assertAdtError(() -> client.publishTelemetry("ghost", "sdk-m3", Map.of("x", 1)), 404,
                    "DigitalTwinNotFound", "ghost");

            // the SDK follows continuation tokens (and resends the query with them) until the last page
            List<String> ids = new ArrayList<>();
            client.query("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL('" + device + "')", BasicDigitalTwin.class,
                    new QueryOptions().setMaxItemsPerPage(1), Context.NONE).forEach(t -> ids.add(t.getId()));
            assertThat(ids).containsExactly("dev1", "dev2", "dev3");

            client.deleteRelationship("dev1", "f1");
            for (String id : List.of("dev1", "dev2", "dev3")) {
                client.deleteDigitalTwin(id);
            }
            client.decommissionModel(device);
            assertThat(client.getModel(device).isDecommissioned()).isTrue();
            assertAdtError(() -> client.createOrReplaceDigitalTwin("dev4", new BasicDigitalTwin("dev4")
                    .setMetadata(new BasicDigitalTwinMetadata().setModelId(device))
                    .addToContents("probe", new BasicDigitalTwinComponent()), BasicDigitalTwin.class), 400,
                    "ModelDecommissioned", device);
            client.deleteModel(device);
            client.deleteModel(sensor);
        }

        private static void assertAdtError(ThrowingCallable call, int status, String code, String... messageParts) {
            assertThatThrownBy(call).isInstanceOfSatisfying(HttpResponseException.class, e -> {
                assertThat(e.getResponse().getStatusCode()).isEqualTo(status);
                assertThat(e.getResponse().getHeaderValue("x-ms-error-code")).isEqualTo(code);
                assertThat(e.getMessage()).contains("\"code\":\"" + code + "\"").contains(messageParts);
            });
        }

        private static String model(String file) throws Exception {
            try (var in = AdtSdkScenarioIT.class.getResourceAsStream("/models/" + file)) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
        }

        private static BasicRelationship relationship(String id, String source, String target) {
            return new BasicRelationship(id, source, target, "contains")
                    .addProperty("ownershipUser", "Contoso")
                    .addProperty("ownershipDepartment", "Comms Division");
        }
    }

    @org.junit.jupiter.api.Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnSqlite extends Scenario {
        @Override
        Map<String, String> storeProperties() {
            return Map.of("twingress.store.type", "sqlite");
        }
    }

    @org.junit.jupiter.api.Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnPostgresql extends Scenario {
        @Override
        Map<String, String> storeProperties() {
            return Map.of("twingress.store.type", "postgresql",
                    "twingress.store.postgresql.url", SharedPostgres.createDatabase(),
                    "twingress.store.postgresql.user", SharedPostgres.USER,
                    "twingress.store.postgresql.password", SharedPostgres.PASSWORD);
        }
    }
}
