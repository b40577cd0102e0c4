package io.twingress.karaf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.camel.main.Main;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleWiring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.routes.TwingressMain;

/**
 * One Twingress application (a Camel Main) at a time, started with the configuration admin's properties over the
 * defaults of {@code application.properties}. Starts and stops run one after another on a thread of their own, whose
 * context class loader is the bundle's: Camel, Vert.x and Flyway find their service files and resources through it.
 */
final class KarafTwingress implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KarafTwingress.class);
    private static final String ROUTES_INCLUDE = "camel.main.routesIncludePattern";

    private final BundleContext context;
    private final ClassLoader classLoader;
    private final ExecutorService lifecycle;
    private Main main;
    /** What the running Twingress was started with. */
    private Map<String, String> running;

    KarafTwingress(BundleContext context) {
        this.context = context;
        this.classLoader = KarafTwingress.class.getClassLoader();
        this.lifecycle = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "twingress-lifecycle");
            thread.setContextClassLoader(classLoader);
            return thread;
        });
    }

    /** Configuration admin's callback: {@code null} when there is no configuration yet (the defaults apply). */
    void configure(Dictionary<String, ?> configuration) {
        Map<String, String> overrides = overrides(configuration);
        lifecycle.execute(() -> restart(overrides));
    }

    /**
     * Where Twingress keeps its files unless the configuration says otherwise: under Karaf's data and etc directories
     * rather than Karaf's working directory. Then the configuration's {@code camel.*} and {@code twingress.*} keys
     * (configuration admin adds keys of its own, such as {@code service.pid}). Last, the built-in routes as a list.
     */
    Map<String, String> overrides(Dictionary<String, ?> configuration) {
        Map<String, String> overrides = new LinkedHashMap<>();
        String data = context.getProperty("karaf.data");
        if (data != null) {
            overrides.put("twingress.data.dir", data + "/twingress");
        }
        String etc = context.getProperty("karaf.etc");
        if (etc != null) {
            overrides.put("twingress.routes.dir", etc + "/twingress-routes");
        }
        if (configuration != null) {
            for (String key : Collections.list(configuration.keys())) {
                if (key.startsWith("camel.") || key.startsWith("twingress.")) {
                    overrides.put(key, String.valueOf(configuration.get(key)));
                }
            }
        }
        String includes = overrides.getOrDefault(ROUTES_INCLUDE, defaults().getProperty(ROUTES_INCLUDE));
        overrides.put(ROUTES_INCLUDE, BundleResources.expand(includes,
                context.getBundle().adapt(BundleWiring.class)));
        return overrides;
    }

    private void restart(Map<String, String> overrides) {
        if (main != null && overrides.equals(running)) {
            // the same settings again: Karaf writes a feature's configuration to etc/ and file install reads it back
            return;
        }
        stopMain();
        Main starting;
        try {
            starting = TwingressMain.configure(OsgiCamel.wanted(context.getBundle())
                    ? new OsgiCamel.OsgiMain(context) : new Main());
        } catch (RuntimeException e) {
            // the settings themselves (an environment variable and a system property that disagree, say)
            LOG.error("Twingress did not start; fix its settings: {}", e.getMessage(), e);
            return;
        }
        overrides.forEach(starting::addOverrideProperty);
        try {
            starting.start();
            main = starting;
            running = overrides;
            LOG.info("Twingress started: API on {}:{}", overrides.getOrDefault("camel.server.host",
                    defaults().getProperty("camel.server.host")), overrides.getOrDefault("camel.server.port",
                    defaults().getProperty("camel.server.port")));
        } catch (Exception | LinkageError e) {
            LOG.error("Twingress did not start; fix etc/{}.cfg (it restarts on every change)",
                    TwingressActivator.PID, e);
            // what did start (the HTTP servers, the store) must not outlive the failed start
            starting.stop();
        }
    }

    private void stopMain() {
        if (main != null) {
            main.stop();
            main = null;
            LOG.info("Twingress stopped");
        }
    }

    private Properties defaults() {
        Properties defaults = new Properties();
        try (InputStream in = classLoader.getResourceAsStream("application.properties")) {
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read application.properties", e);
        }
        return defaults;
    }

    /** Stops Twingress and waits for it: the bundle's class loader must not go away under a running Camel. */
    @Override
    public void close() {
        lifecycle.execute(this::stopMain);
        lifecycle.shutdown();
        try {
            if (!lifecycle.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.warn("Twingress did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
