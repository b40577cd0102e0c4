package io.twingress.routes.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** What fails downstream (endpoints, history sinks that cannot start): DOWN, named, with the reason. */
class DownstreamHealthTest {

    @Test
    void aSinkThatCannotStartIsNamedWithItsReason() {
        Map<String, String> failed = new HashMap<>();
        DownstreamHealth check = new DownstreamHealth("history-sinks", "historyConnection",
                "history sink(s) cannot start", () -> failed);
        check.setCamelContext(new DefaultCamelContext());
        assertThat(check.isLiveness()).isFalse();
        assertThat(check.isReadiness()).isFalse();
        assertThat(check.call().getState()).isEqualTo(HealthCheck.State.UP);

        failed.put("adx", "broker unreachable");
        HealthCheck.Result down = check.call();
        assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(down.getMessage()).hasValue("1 history sink(s) cannot start: adx");
        assertThat(down.getDetails()).containsEntry("historyConnection.adx", "broker unreachable");
    }
}
