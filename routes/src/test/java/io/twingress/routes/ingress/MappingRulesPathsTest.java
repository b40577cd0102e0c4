package io.twingress.routes.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.twingress.ingest.MappingRules;

/**
 * A rules file's JSONPath expressions are checked when the file is read (camel-jsonpath is on this module's path, not
 * on processors'): a path that cannot be compiled refuses the file, where it used to find nothing in every message.
 */
class MappingRulesPathsTest {

    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    private static String mapping(String match, String set) {
        return """
                mappings:
                  - id: vendor
                    match: "%s"
                    twin: "${header.deviceId}"
                    set:
                      Temperature: "%s"
                """.formatted(match, set);
    }

    /** The README's example rules file is read as it stands. */
    @Test
    void theReadmeExampleIsAValidRulesFile() throws Exception {
        Matcher block = Pattern.compile("```yaml\\n# ingress-rules.yaml\\n(.*?)```", Pattern.DOTALL)
                .matcher(Files.readString(Path.of("../README.md")));
        assertThat(block.find()).as("README.md shows # ingress-rules.yaml").isTrue();
        MappingRules rules = MappingRules.parse(block.group(1), context);
        assertThat(rules.mappings()).extracting(MappingRules.Mapping::id).containsExactly("vendor-x");
        assertThat(rules.propagations()).hasSize(1);
        Exchange message = new DefaultExchange(context);
        message.getMessage().setHeader("deviceId", "t-1");
        message.getMessage().setBody("{\"payload\":{\"temp\":21.5,\"ts\":\"2026-01-01T00:00:00Z\"}}");
        MappingRules.Mapping mapping = rules.mappings().get(0);
        assertThat(mapping.matches(message)).isTrue();
        assertThat(MappingRules.evaluate(mapping.twin(), message)).isEqualTo("t-1-sensor");
        assertThat(MappingRules.evaluate(mapping.set().get("Temperature"), message)).isEqualTo(21.5);
    }

    @Test
    void aPathThatCannotBeCompiledRefusesTheFile() {
        assertThatThrownBy(() -> MappingRules.parse(mapping("$.[[[", "$.payload.temp"), context))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mapping vendor match")
                .hasMessageContaining("$.[[[");
        assertThatThrownBy(() -> MappingRules.parse(mapping("$.payload.temp", "$.payload..[[[temp"), context))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mapping vendor set.Temperature");
    }

    /** A rule's sourceTime may be epoch milliseconds: JSONPath must give them as a whole number, not a double. */
    @Test
    void aSourceTimePathGivesEpochMillisecondsAsAWholeNumber() {
        MappingRules rules = MappingRules.parse(mapping("$.payload.temp", "$.payload.temp")
                + "    sourceTime: \"$.payload.ts\"\n", context);
        Exchange message = new DefaultExchange(context);
        message.getMessage().setBody("{\"payload\":{\"temp\":1,\"ts\":1772600000000}}");
        assertThat(MappingRules.evaluate(rules.mappings().get(0).sourceTime(), message)).isEqualTo(1772600000000L);
    }

    /** jq gives JSON nodes: a twin id or a source time must come out as its value, not as quoted JSON text. */
    @Test
    void jqGivesValuesNotJsonText() {
        MappingRules rules = MappingRules.parse("""
                mappings:
                  - id: vendor
                    match: "jq:.payload.temp"
                    twin: "jq:.payload.twin"
                    set:
                      Temperature: "jq:.payload.temp"
                    sourceTime: "jq:.payload.ts"
                """, context);
        Exchange message = new DefaultExchange(context);
        message.getMessage().setBody("{\"payload\":{\"temp\":1.5,\"twin\":\"dev7-sensor\",\"ts\":1772600000000}}");
        MappingRules.Mapping mapping = rules.mappings().get(0);
        assertThat(MappingRules.evaluate(mapping.twin(), message)).isEqualTo("dev7-sensor");
        assertThat(MappingRules.evaluate(mapping.sourceTime(), message)).isEqualTo(1772600000000L);
        assertThat(MappingRules.evaluate(mapping.set().get("Temperature"), message)).isEqualTo(1.5);
        assertThat(mapping.matches(message)).isTrue();
    }

    @Test
    void aValidPathIsTakenEvenThoughAnEmptyDocumentLacksIt() {
        MappingRules rules = MappingRules.parse(mapping("$.payload.temp", "$.payload['temp']"), context);
        assertThat(rules.mappings()).extracting(MappingRules.Mapping::id).containsExactly("vendor");
    }
}
