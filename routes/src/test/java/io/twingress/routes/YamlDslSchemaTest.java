package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route file Twingress ships or documents validates against Camel's own YAML DSL schema, the
 * {@code schema/camelYamlDsl.json} inside the camel-yaml-dsl jar on the classpath (so always the schema of the Camel
 * that runs the routes): the built-in {@code *.camel.yaml}, the templates of deploy/camel-k's Kamelets (as the
 * route template the kamelet component makes of them), and the user routes in the README. The schema refuses unknown
 * keys, so a misspelt option or a step in the wrong place fails here, not at start-up.
 */
class YamlDslSchemaTest {

    static final Path BUILT_IN = Path.of("src/main/resources/camel");
    static final Path KAMELETS = Path.of("../deploy/camel-k");
    static final YAMLMapper YAML = new YAMLMapper();
    /** A whole value that is one property placeholder: {@code {{key}}}, {@code {{?key}}}, {@code {{key:default}}}. */
    static final String PLACEHOLDER = "^\\{\\{[^{}]+\\}\\}$";
    static final JsonSchema SCHEMA = schema();

    static Stream<Arguments> routeFiles() throws IOException {
        List<Arguments> files = new ArrayList<>();
        try (Stream<Path> builtIn = Files.list(BUILT_IN); Stream<Path> kamelets = Files.list(KAMELETS)) {
            builtIn.filter(f -> f.toString().endsWith(".camel.yaml")).sorted()
                    .forEach(f -> files.add(Arguments.of(f.toString(), read(f))));
            kamelets.filter(f -> f.toString().endsWith(".kamelet.yaml")).sorted()
                    .forEach(f -> files.add(Arguments.of(f.toString(), asRouteTemplate(read(f)))));
        }
        ReadmeExamples.all().forEach((name, yaml) -> files.add(Arguments.of("README.md: " + name, parse(yaml))));
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void validatesAgainstCamelsYamlDslSchema(String file, JsonNode routes) {
        List<String> errors = errors(routes);
        assertThat(errors).as("%s against camel-yaml-dsl's schema/camelYamlDsl.json:%n  %s", file,
                String.join("\n  ", errors)).isEmpty();
    }

    @Test
    void everyShippedAndDocumentedFileIsChecked() throws IOException {
        List<String> names = routeFiles().map(a -> (String) a.get()[0]).toList();
        assertThat(names).contains("src/main/resources/camel/ingress.camel.yaml",
                "src/main/resources/camel/api.camel.yaml", "../deploy/camel-k/twingress-sink.kamelet.yaml",
                "../deploy/camel-k/twingress-events-source.kamelet.yaml");
        assertThat(names).filteredOn(n -> n.startsWith("README.md")).hasSize(3);
    }

    @Test
    void aMisspeltOptionOrAMisplacedStepIsRefused() {
        assertThat(errors(parse("""
                - route:
                    id: r
                    from:
                      uri: direct:a
                      steps:
                        - bean: {ref: x, methd: y}
                """))).anyMatch(e -> e.contains("methd"));
        assertThat(errors(parse("""
                - route:
                    id: r
                    from: {uri: direct:a}
                    steps:
                      - log: hello
                """))).isNotEmpty();
        String retries = """
                - route:
                    id: r
                    errorHandler:
                      defaultErrorHandler:
                        redeliveryPolicy:
                          maximumRedeliveries: %s
                    from: {uri: direct:a, steps: [{log: hello}]}
                """;
        assertThat(errors(parse(retries.formatted("3")))).isEmpty();
        assertThat(errors(parse(retries.formatted("\"{{twingress.retries}}\"")))).isEmpty();
        assertThat(errors(parse(retries.formatted("lots")))).anyMatch(e -> e.contains("maximumRedeliveries"));
    }

    // helpers

    static List<String> errors(JsonNode routes) {
        return SCHEMA.validate(routes).stream().map(ValidationMessage::getMessage).toList();
    }

    /** A Kamelet's spec.template is the route of a route template named after the Kamelet. */
    static JsonNode asRouteTemplate(JsonNode kamelet) {
        ObjectNode template = JsonNodeFactory.instance.objectNode();
        template.put("id", kamelet.at("/metadata/name").asText());
        template.setAll((ObjectNode) kamelet.at("/spec/template"));
        ArrayNode routes = JsonNodeFactory.instance.arrayNode();
        routes.addObject().set("routeTemplate", template);
        return routes;
    }

    private static JsonSchema schema() {
        try (InputStream in = YamlDslSchemaTest.class.getResourceAsStream("/schema/camelYamlDsl.json")) {
            assertThat(in).as("schema/camelYamlDsl.json in the camel-yaml-dsl jar").isNotNull();
            JsonNode schema = YAML.readTree(in);
            allowPlaceholders(schema);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Camel resolves a property placeholder before it converts an option to its type, so {@code "{{key}}"} is a valid
     * value of every option; the schema types numbers and booleans without saying so. A number or boolean is let be
     * a string that is one placeholder, and nothing else: a literal of the wrong type is still refused.
     */
    private static void allowPlaceholders(JsonNode node) {
        if (node instanceof ObjectNode object && object.has("type")
                && List.of("number", "integer", "boolean").contains(object.get("type").asText())
                && !object.has("pattern")) {
            String type = object.get("type").asText();
            object.putArray("type").add(type).add("string");
            object.put("pattern", PLACEHOLDER);
        }
        node.forEach(YamlDslSchemaTest::allowPlaceholders);
    }

    private static JsonNode read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
