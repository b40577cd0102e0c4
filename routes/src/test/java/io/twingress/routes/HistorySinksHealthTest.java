package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/** History sinks that cannot start are reported as failing endpoints are: DOWN, named, with the reason. */
class HistorySinksHealthTest {

    @Test
    void aSinkThatCannotStartIsNamedWithItsReason() {
        Map<String, String> failed = new HashMap<>();
        HistorySinks.NotStarted check = new HistorySinks.NotStarted(() -> failed);
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
