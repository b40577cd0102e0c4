package io.twingress.routes.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void aValidPathIsTakenEvenThoughAnEmptyDocumentLacksIt() {
        MappingRules rules = MappingRules.parse(mapping("$.payload.temp", "$.payload['temp']"), context);
        assertThat(rules.mappings()).extracting(MappingRules.Mapping::id).containsExactly("vendor");
    }
}
