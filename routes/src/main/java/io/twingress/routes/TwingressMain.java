package io.twingress.routes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs Twingress on Camel Main: configuration in application.properties, beans in {@link TwingressConfiguration}. */
public final class TwingressMain {

    private static final Logger LOG = LoggerFactory.getLogger(TwingressMain.class);

    private TwingressMain() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** A configured, not yet started Twingress; tests add override properties before starting it. */
    public static Main create() {
        return create(System.getenv());
    }

    /** As {@link #create()}, on a Main of the caller's (one that makes an OSGi-aware CamelContext, say). */
    public static Main configure(Main main) {
        return configure(main, System.getenv());
    }

    /** As {@link #create()}, with the environment variables given (a test's). */
    static Main create(Map<String, String> environment) {
        return configure(new Main(), environment);
    }

    private static Main configure(Main main, Map<String, String> environment) {
        main.configure().addConfiguration(TwingressConfiguration.class);
        main.addMainListener(new UserRoutesReplaceBuiltIns());
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configured) {
                // before any route is made, so that every route is timed
                configured.getCamelContext().addRoutePolicyFactory(new RouteMeters());
            }
        });
        environmentOverrides(environment, System.getProperties()).forEach(main::addOverrideProperty);
        return main;
    }

    /**
     * Every setting of application.properties given as an environment variable: the key in upper case with dots and
     * dashes as underscores ({@code CAMEL_SERVER_PORT} for {@code camel.server.port}). Camel Main applies such
     * variables to some of its own settings but not to all (not to {@code camel.server.*}, so the API would bind
     * one port and look for its router on another), so they are applied here, to every key, once. A key also given
     * as a JVM system property ({@code -Dkey=value}) with another value is refused: Camel's HTTP server binds the
     * system property while its settings read the variable, so the API could listen on an address that the check
     * against serving a network address without authentication never saw.
     */
    static Map<String, String> environmentOverrides(Map<String, String> environment, Properties system) {
        Properties defaults = new Properties();
        try (InputStream in = TwingressMain.class.getResourceAsStream("/application.properties")) {
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read application.properties", e);
        }
        Map<String, String> overrides = new TreeMap<>();
        for (String key : defaults.stringPropertyNames()) {
            String variable = key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
            String value = environment.get(variable);
            if (value == null) {
                continue;
            }
            String property = system.getProperty(key);
            if (property != null && !property.equals(value)) {
                throw new IllegalArgumentException("The environment variable " + variable + " and the system property"
                        + " -D" + key + " give different values: give one of them. (Camel's HTTP server and its"
                        + " settings would each take another, and the API could listen where its checks do not look.)");
            }
            overrides.put(key, value);
        }
        return overrides;
    }

    /**
     * Loads the user's {@code *.camel.yaml} files from {@code twingress.routes.dir} after the built-in routes. A user
     * route with the id of a built-in route replaces it: Camel Main refuses duplicate ids among the routes it
     * discovers, so the user's files are loaded here instead and the built-in definition is dropped before any
     * route is created. A user route template with the id of a built-in one replaces it too (Camel would keep
     * both and make routes from the first), so every route made from it later (one per endpoint) is the user's.
     */
    static final class UserRoutesReplaceBuiltIns extends MainListenerSupport {

        private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

        @Override
        public void afterConfigure(BaseMainSupport main) {
            CamelContext context = main.getCamelContext();
            replaceBuiltIns(context, Path.of(context.getPropertiesComponent().resolveProperty("twingress.routes.dir")
                    .orElseThrow()));
        }

        /** Loads the {@code *.camel.yaml} files of {@code dir}; a route with a built-in route's id replaces it. */
        static void replaceBuiltIns(CamelContext context, Path dir) {
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> yamlFiles = files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).sorted()
                        .toList();
                Resource[] resources = yamlFiles.stream()
                        .map(f -> PluginHelper.getResourceLoader(context).resolveResource("file:" + f.toAbsolutePath()))
                        .toArray(Resource[]::new);
                if (resources.length == 0) {
                    return;
                }
                Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
                List<RouteDefinition> builtIn = new ArrayList<>(model.getRouteDefinitions());
                List<RouteTemplateDefinition> builtInTemplates = new ArrayList<>(model.getRouteTemplateDefinitions());
                refuseRepeatedIds(yamlFiles);
                PluginHelper.getRoutesLoader(context).loadRoutes(resources);
                Set<String> userTemplateIds = new HashSet<>();
                model.getRouteTemplateDefinitions().stream().filter(t -> !builtInTemplates.contains(t))
                        .forEach(t -> userTemplateIds.add(t.getId()));
                List<RouteTemplateDefinition> replacedTemplates = builtInTemplates.stream()
                        .filter(t -> userTemplateIds.contains(t.getId())).toList();
                if (!replacedTemplates.isEmpty()) {
                    model.removeRouteTemplateDefinitions(replacedTemplates);
                    LOG.info("Built-in route templates replaced by the user's: {}", replacedTemplates.stream()
                            .map(RouteTemplateDefinition::getId).toList());
                }
                List<RouteDefinition> user = model.getRouteDefinitions().stream().filter(r -> !builtIn.contains(r))
                        .toList();
                Set<String> userIds = new HashSet<>();
                user.forEach(r -> userIds.add(r.getRouteId()));
                List<RouteDefinition> replaced = builtIn.stream().filter(r -> userIds.contains(r.getRouteId())).toList();
                if (!replaced.isEmpty()) {
                    // removal goes by id and takes the user's definition too, so that one is added back
                    Set<String> replacedIds = new HashSet<>();
                    replaced.forEach(r -> replacedIds.add(r.getRouteId()));
                    model.removeRouteDefinitions(replaced);
                    model.addRouteDefinitions(user.stream().filter(r -> replacedIds.contains(r.getRouteId())).toList());
                    LOG.info("Built-in routes replaced by the user's routes: {}", replacedIds);
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot load the user routes from " + dir, e);
            }
        }

        /**
         * Refuses a route id that two of the files give ({@code - route: {id: ...}}): Camel keeps one of the two and
         * drops the other without a word. A file that does not parse is left to Camel's loader, which says why.
         */
        private static void refuseRepeatedIds(List<Path> files) throws IOException {
            Map<String, Path> fileOfRoute = new HashMap<>();
            for (Path file : files) {
                JsonNode root;
                try {
                    root = YAML.readTree(Files.readString(file));
                } catch (JsonProcessingException e) {
                    continue;
                }
                for (JsonNode element : root == null ? MissingNode.getInstance() : root) {
                    JsonNode id = element.path("route").path("id");
                    Path earlier = id.isTextual() ? fileOfRoute.put(id.asText(), file) : null;
                    if (earlier != null) {
                        throw new IllegalArgumentException("The route id " + id.asText() + " is in both " + earlier
                                + " and " + file + ": give each route its own.");
                    }
                }
            }
        }
    }
}
