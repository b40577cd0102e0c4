package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import io.twingress.MovableClock;

/** A group of routes that fails to start is tried again, after a pause that grows, and named while it waits. */
class TemplatedRoutesTest {

    private final MovableClock clock = new MovableClock();
    private final Flaky routes = new Flaky(clock);

    @Test
    void aGroupThatFailedToStartIsTriedAgainAfterAPauseThatGrows() {
        routes.failures = 2;
        routes.apply(Map.of("a", "spec-1"));
        assertThat(routes.failed()).containsEntry("a", "broker down");
        assertThat(routes.running()).isEmpty();

        // within the pause, applying the same spec does not try it again
        clock.move(Duration.ofSeconds(4));
        routes.apply(Map.of("a", "spec-1"));
        assertThat(routes.attempts).isEqualTo(1);
        clock.move(Duration.ofSeconds(1));
        routes.apply(Map.of("a", "spec-1"));
        assertThat(routes.attempts).isEqualTo(2);
        // the second failure waits twice as long
        clock.move(Duration.ofSeconds(9));
        routes.apply(Map.of("a", "spec-1"));
        assertThat(routes.attempts).isEqualTo(2);
        clock.move(Duration.ofSeconds(1));
        routes.apply(Map.of("a", "spec-1"));
        assertThat(routes.attempts).isEqualTo(3);
        assertThat(routes.running()).containsExactly("a");
        assertThat(routes.failed()).isEmpty();
    }

    @Test
    void aChangedSpecIsTriedAtOnceAndOneNoLongerWantedIsForgotten() {
        routes.failures = 1;
        routes.apply(Map.of("a", "spec-1"));
        routes.apply(Map.of("a", "spec-2"));
        assertThat(routes.attempts).isEqualTo(2);
        assertThat(routes.running()).containsExactly("a");

        routes.failures = 1;
        routes.apply(Map.of("a", "spec-2", "b", "spec-1"));
        assertThat(routes.failed()).containsOnlyKeys("b");
        routes.apply(Map.of("a", "spec-2"));
        assertThat(routes.failed()).isEmpty();
    }

    private static final class Flaky extends TemplatedRoutes<String> {
        int failures;
        int attempts;
        final List<String> added = new ArrayList<>();

        Flaky(Clock clock) {
            super(new DefaultCamelContext(), clock);
        }

        @Override
        protected void add(String name, String spec) {
            attempts++;
            if (failures-- > 0) {
                throw new IllegalStateException("broker down");
            }
            added.add(name + "=" + spec);
        }

        @Override
        protected List<String> routeIds(String name) {
            return List.of();
        }

        @Override
        protected void released(String name) {
        }

        @Override
        protected String describe(String name) {
            return "group " + name;
        }
    }
}
