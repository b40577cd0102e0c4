package io.twingress.karaf;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.osgi.framework.wiring.BundleWiring;

import static org.assertj.core.api.Assertions.assertThat;

class BundleResourcesTest {

    /** A wiring whose class path holds these resources, listed as Felix lists them: in no particular order. */
    static BundleWiring wiring(Map<String, List<String>> byDirAndPattern) {
        return (BundleWiring) Proxy.newProxyInstance(BundleWiring.class.getClassLoader(),
                new Class<?>[] {BundleWiring.class}, (proxy, method, args) -> {
                    if (method.getName().equals("listResources")) {
                        return byDirAndPattern.getOrDefault(args[0] + "|" + args[1], List.of());
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void aClasspathWildcardBecomesTheSortedListOfItsMatches() {
        BundleWiring wiring = wiring(Map.of("camel|*.camel.yaml",
                List.of("camel/ingress.camel.yaml", "camel/api.camel.yaml", "camel/egress.camel.yaml")));

        assertThat(BundleResources.expand("classpath:camel/*.camel.yaml", wiring)).isEqualTo(
                "classpath:camel/api.camel.yaml,classpath:camel/egress.camel.yaml,classpath:camel/ingress.camel.yaml");
    }

    @Test
    void otherPatternsAreKeptAsTheyAre() {
        BundleWiring wiring = wiring(Map.of("extra|*.yaml", List.of("extra/a.yaml")));

        assertThat(BundleResources.expand("file:/opt/routes/*.camel.yaml, classpath:extra/*.yaml ,classpath:one.yaml,",
                wiring)).isEqualTo("file:/opt/routes/*.camel.yaml,classpath:extra/a.yaml,classpath:one.yaml");
    }

    @Test
    void aWildcardThatMatchesNothingLeavesNothing() {
        assertThat(BundleResources.expand("classpath:none/*.camel.yaml", wiring(Map.of()))).isEmpty();
    }
}
