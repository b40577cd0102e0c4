package io.twingress.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/camel-k against Camel K's CRDs (../shared/reference/camel-k, copied from apache/camel-k): each resource
 * validates against the openAPIV3Schema of its kind, made strict (an object with declared properties accepts no other
 * field unless the CRD says x-kubernetes-preserve-unknown-fields, which is what the API server's pruning would
 * silently drop). Then what the schemas cannot see: the Integration's sources are exactly the built-in route files,
 * and every Pipe gives our Kamelets their required properties and nothing they do not declare.
 */
class CamelKResourcesTest {

    private static final Path CAMEL_K = Repo.DEPLOY.resolve("camel-k");
    private static final Path CRDS = crds();

    /**
     * Where Camel K's CRDs are: {@code -Dtwingress.camelk.crds}, else the workplace's reference copy beside the
     * repository or at its usual place. They are not part of the repository (they are Camel K's files).
     */
    private static Path crds() {
        String given = System.getProperty("twingress.camelk.crds");
        if (given != null) {
            return Path.of(given);
        }
        for (Path candidate : List.of(Repo.ROOT.resolve("../shared/reference/camel-k"),
                Path.of("/work/shared/reference/camel-k"))) {
            if (java.nio.file.Files.isDirectory(candidate)) {
                return candidate.normalize();
            }
        }
        return null;
    }
    private static final Map<String, String> CRD_FILES = Map.of(
            "Integration", "camel.apache.org_integrations.yaml",
            "Kamelet", "camel.apache.org_kamelets.yaml",
            "Pipe", "camel.apache.org_pipes.yaml");

    @ParameterizedTest
    @ValueSource(strings = {"twingress.integration.yaml", "twingress-sink.kamelet.yaml",
            "twingress-events-source.kamelet.yaml", "jms-to-twingress.pipe.yaml", "twingress-events-to-http.pipe.yaml"})
    void validatesAgainstItsCrd(String file) {
        ObjectNode resource = Kustomize.readAll(CAMEL_K.resolve(file)).get(0);
        assertThat(resource.path("apiVersion").asText()).isEqualTo("camel.apache.org/v1");
        assertThat(errors(resource)).as(file).isEmpty();
    }

    @Test
    void everyCamelKResourceIsCovered() throws IOException {
        try (Stream<Path> files = Files.list(CAMEL_K)) {
            List<String> camelK = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml") && !f.equals("twingress-camel-k-config.yaml")).sorted().toList();
            for (String f : camelK) {
                assertThat(errors(Kustomize.readAll(CAMEL_K.resolve(f)).get(0))).as(f).isEmpty();
            }
            assertThat(camelK).hasSize(5);
        }
    }

    @Test
    void aMisspeltTraitOrPropertyIsRefused() {
        ObjectNode integration = Kustomize.readAll(CAMEL_K.resolve("twingress.integration.yaml")).get(0);
        ((ObjectNode) integration.at("/spec/traits/health")).put("livenesProbeEnabled", true);
        assertThat(errors(integration)).anyMatch(e -> e.contains("livenesProbeEnabled"));
        ObjectNode kamelet = Kustomize.readAll(CAMEL_K.resolve("twingress-sink.kamelet.yaml")).get(0);
        ((ObjectNode) kamelet.at("/spec/definition/properties/url")).put("type", 7);
        assertThat(errors(kamelet)).isNotEmpty();
    }

    @Test
    void theIntegrationRunsEveryBuiltInRouteFile() throws IOException {
        JsonNode integration = Kustomize.readAll(CAMEL_K.resolve("twingress.integration.yaml")).get(0);
        Set<String> sources = new TreeSet<>();
        for (JsonNode source : integration.at("/spec/sources")) {
            assertThat(source.path("contentRef").asText()).isEqualTo("twingress-routes");
            assertThat(source.path("contentKey").asText()).isEqualTo(source.path("name").asText());
            sources.add(source.path("name").asText());
        }
        try (Stream<Path> files = Files.list(Repo.BUILT_IN_ROUTES)) {
            assertThat(sources).containsExactlyElementsOf(files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".camel.yaml")).sorted().toList());
        }
        assertThat(integration.at("/spec/dependencies").toString())
                .contains("mvn:io.twingress:twingress-processors:0.1.0-SNAPSHOT");
        JsonNode traits = integration.at("/spec/traits");
        assertThat(traits.at("/health/enabled").asBoolean()).isTrue();
        assertThat(traits.at("/service/enabled").asBoolean()).isTrue();
        assertThat(traits.at("/ingress/enabled").asBoolean()).isTrue();
        assertThat(traits.at("/mount/configs").toString()).contains("configmap:twingress-camel-k-config");
        ObjectNode config = Kustomize.readAll(CAMEL_K.resolve("twingress-camel-k-config.yaml")).get(0);
        assertThat(config.at("/metadata/name").asText()).isEqualTo("twingress-camel-k-config");
        Set<String> keys = new TreeSet<>(Repo.settingsByEnvironmentVariable().values());
        for (String line : config.at("/data/application.properties").asText().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                assertThat(keys).as("a key of application.properties").contains(line.split("=")[0].trim());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jms-to-twingress.pipe.yaml", "twingress-events-to-http.pipe.yaml"})
    void pipesGiveOurKameletsWhatTheyDeclare(String file) {
        JsonNode pipe = Kustomize.readAll(CAMEL_K.resolve(file)).get(0);
        int ours = 0;
        for (String end : List.of("source", "sink")) {
            JsonNode ref = pipe.at("/spec/" + end + "/ref");
            Path kamelet = CAMEL_K.resolve(ref.path("name").asText() + ".kamelet.yaml");
            if (!Files.exists(kamelet)) {
                continue;
            }
            ours++;
            JsonNode definition = Kustomize.readAll(kamelet).get(0).at("/spec/definition");
            assertThat(Kustomize.readAll(kamelet).get(0).at("/metadata/labels/camel.apache.org~1kamelet.type")
                    .asText()).isEqualTo(end);
            Set<String> given = new TreeSet<>();
            pipe.at("/spec/" + end + "/properties").fieldNames().forEachRemaining(given::add);
            for (JsonNode required : definition.path("required")) {
                assertThat(given).as("%s gives %s", file, required.asText()).contains(required.asText());
            }
            Set<String> declared = new TreeSet<>();
            definition.path("properties").fieldNames().forEachRemaining(declared::add);
            assertThat(declared).as("%s's properties", ref.path("name").asText()).containsAll(given);
        }
        assertThat(ours).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"twingress-sink.kamelet.yaml", "twingress-events-source.kamelet.yaml"})
    void kameletTemplatesUseOnlyDeclaredProperties(String file) {
        JsonNode kamelet = Kustomize.readAll(CAMEL_K.resolve(file)).get(0);
        Set<String> declared = new TreeSet<>();
        kamelet.at("/spec/definition/properties").fieldNames().forEachRemaining(declared::add);
        for (JsonNode required : kamelet.at("/spec/definition/required")) {
            assertThat(declared).contains(required.asText());
        }
        java.util.regex.Matcher placeholder = java.util.regex.Pattern.compile("\\{\\{\\??([^}:]+)")
                .matcher(kamelet.at("/spec/template").toString());
        Set<String> used = new TreeSet<>();
        while (placeholder.find()) {
            used.add(placeholder.group(1));
        }
        assertThat(declared).as("declared properties").containsAll(used);
        assertThat(used).as("every declared property is used").containsAll(declared);
        kamelet.at("/spec/definition/properties").fields().forEachRemaining(p -> {
            if (p.getKey().toLowerCase().contains("key") || p.getKey().toLowerCase().contains("jaas")) {
                assertThat(p.getValue().path("format").asText()).as(p.getKey()).isEqualTo("password");
            }
        });
    }

    // helpers

    private static List<String> errors(JsonNode resource) {
        JsonSchema schema = schema(resource.path("kind").asText());
        return schema.validate(resource).stream().map(ValidationMessage::getMessage).toList();
    }

    private static final Map<String, JsonSchema> SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();

    private static JsonSchema schema(String kind) {
        // a checkout without Camel K's CRDs beside it skips the schema checks rather than failing on a missing file
        org.junit.jupiter.api.Assumptions.assumeTrue(CRDS != null, "Camel K's CRDs are not here: set"
                + " -Dtwingress.camelk.crds to the directory of camel.apache.org_*.yaml to validate against them");
        return SCHEMAS.computeIfAbsent(kind, k -> {
            String file = CRD_FILES.get(k);
            assertThat(file).as("a CRD for kind %s", k).isNotNull();
            JsonNode crd = Kustomize.readAll(CRDS.resolve(file)).get(0);
            JsonNode openApi = null;
            for (JsonNode version : crd.at("/spec/versions")) {
                if (version.path("name").asText().equals("v1")) {
                    openApi = version.at("/schema/openAPIV3Schema").deepCopy();
                }
            }
            assertThat(openApi).isNotNull();
            strict((ObjectNode) openApi);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
        });
    }

    /** additionalProperties: false wherever the CRD declares properties and does not keep unknown fields. */
    private static void strict(ObjectNode schema) {
        if (schema.has("properties") && !schema.has("additionalProperties")
                && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            schema.put("additionalProperties", false);
        }
        for (Iterator<JsonNode> it = schema.elements(); it.hasNext(); ) {
            JsonNode child = it.next();
            if (child instanceof ObjectNode object) {
                strict(object);
            } else if (child.isArray()) {
                child.forEach(c -> {
                    if (c instanceof ObjectNode o) {
                        strict(o);
                    }
                });
            }
        }
    }
}
