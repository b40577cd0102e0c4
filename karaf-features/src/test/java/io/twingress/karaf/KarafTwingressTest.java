package io.twingress.karaf;

import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWiring;

import static org.assertj.core.api.Assertions.assertThat;

class KarafTwingressTest {

    /** A bundle context in a Karaf at /opt/karaf whose bundle holds two route files. */
    static BundleContext karafContext() {
        BundleWiring wiring = proxy(BundleWiring.class, Map.of("listResources",
                List.of("camel/b.camel.yaml", "camel/a.camel.yaml")));
        Bundle bundle = proxy(Bundle.class, Map.of("adapt", wiring, "getHeaders", new Hashtable<String, String>()));
        return proxy(BundleContext.class, Map.of("getBundle", bundle,
                "getProperty:karaf.data", "/opt/karaf/data", "getProperty:karaf.etc", "/opt/karaf/etc"));
    }

    /** Answers a call by its method name, or by name and first argument ({@code "getProperty:karaf.data"}). */
    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, Map<String, Object> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            if (args != null && args.length > 0 && answers.containsKey(method.getName() + ":" + args[0])) {
                return answers.get(method.getName() + ":" + args[0]);
            }
            return answers.get(method.getName());
        });
    }

    @Test
    void withoutConfigurationTheFilesGoUnderKarafsDirectoriesAndTheBuiltInRoutesAreThoseNamedByDefault()
            throws Exception {
        Properties defaults = new Properties();
        try (InputStream in = KarafTwingress.class.getClassLoader().getResourceAsStream("application.properties")) {
            defaults.load(in);
        }
        String named = defaults.getProperty("camel.main.routesIncludePattern");
        assertThat(named).as("the default names its files, no wildcard").doesNotContain("*");
        try (KarafTwingress twingress = new KarafTwingress(karafContext())) {
            assertThat(twingress.overrides(null)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "twingress.data.dir", "/opt/karaf/data/twingress",
                    "twingress.routes.dir", "/opt/karaf/etc/twingress-routes",
                    "camel.main.routesIncludePattern", named.replaceAll("\\s", "")));
        }
    }

    @Test
    void aConfiguredWildcardOverTheBundleIsListed() {
        Dictionary<String, Object> configuration = new Hashtable<>();
        configuration.put("camel.main.routesIncludePattern", "classpath:camel/*.camel.yaml");
        try (KarafTwingress twingress = new KarafTwingress(karafContext())) {
            assertThat(twingress.overrides(configuration)).containsEntry("camel.main.routesIncludePattern",
                    "classpath:camel/a.camel.yaml,classpath:camel/b.camel.yaml");
        }
    }

    @Test
    void theConfigurationsTwingressAndCamelKeysWinAndConfigAdminsOwnAreLeftOut() {
        Dictionary<String, Object> configuration = new Hashtable<>();
        configuration.put("service.pid", "io.twingress");
        configuration.put("felix.fileinstall.filename", "file:/opt/karaf/etc/io.twingress.cfg");
        configuration.put("org.apache.karaf.features.configKey", "io.twingress");
        configuration.put("camel.server.port", 18080);
        configuration.put("twingress.data.dir", "/var/lib/twingress");
        configuration.put("camel.main.routesIncludePattern", "file:/opt/routes/*.camel.yaml");

        try (KarafTwingress twingress = new KarafTwingress(karafContext())) {
            assertThat(twingress.overrides(configuration)).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "twingress.data.dir", "/var/lib/twingress",
                    "twingress.routes.dir", "/opt/karaf/etc/twingress-routes",
                    "camel.server.port", "18080",
                    "camel.main.routesIncludePattern", "file:/opt/routes/*.camel.yaml"));
        }
    }
}
