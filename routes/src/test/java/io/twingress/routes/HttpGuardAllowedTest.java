package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which methods a 405 names in {@code Allow}: the REST templates matched segment by segment. */
class HttpGuardAllowedTest {

    private static final Map<String, Set<String>> TEMPLATES = Map.of(
            "/query", Set.of("POST"),
            "/digitaltwins/{id}", Set.of("GET", "PUT", "PATCH", "DELETE"),
            "/ingress/deadletters", Set.of("GET"),
            "/ingress/deadletters/{id}", Set.of("GET"),
            "/ingress/{action}", Set.of("POST"));

    @Test
    void aPathTakesTheMethodsOfEveryTemplateItMatches() {
        assertThat(HttpGuard.allowed(TEMPLATES, "/query", true)).containsExactly("POST");
        assertThat(HttpGuard.allowed(TEMPLATES, "/digitaltwins/t1", true)).containsExactly("DELETE", "GET", "PATCH",
                "PUT");
        assertThat(HttpGuard.allowed(TEMPLATES, "/ingress/deadletters", true)).containsExactly("GET");
        assertThat(HttpGuard.allowed(TEMPLATES, "/ingress/deadletters:replay", true)).containsExactly("POST");
    }

    @Test
    void anActionTemplateTakesOnlyAnOperationSegment() {
        assertThat(HttpGuard.allowed(TEMPLATES, "/ingress/x", true)).isEmpty();
        // only the operations there are: a GET of a misspelled one is 404, as its POST is
        assertThat(HttpGuard.allowed(TEMPLATES, "/ingress/deadletters:Replay", true)).isEmpty();
        assertThat(HttpGuard.allowed(TEMPLATES, "/ingress/deadletters:purge", true)).containsExactly("POST");
        // matched as any segment, it is the path a 405 came from: not a resource (404), not a plain 405
        assertThat(HttpGuard.allowed(TEMPLATES, "/ingress/x", false)).containsExactly("POST");
    }

    @Test
    void segmentsMustAllMatchAndNoneBeEmpty() {
        assertThat(HttpGuard.allowed(TEMPLATES, "/digitaltwins/", true)).isEmpty();
        assertThat(HttpGuard.allowed(TEMPLATES, "/digitaltwins/t1/x", true)).isEmpty();
        assertThat(HttpGuard.allowed(TEMPLATES, "/openapi.json", false)).isEmpty();
    }
}
