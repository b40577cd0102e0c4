package io.twingress.routes;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.api.ApiAccess;
import io.twingress.auth.Authentication;
import io.twingress.store.TwinStore;

/**
 * Before the routes start, refuses to go on if the API's port could not be bound. Once every route runs, gives the
 * API's router (where Camel's routes are) ADT's error replies and its 405s the methods each path takes, then logs
 * where the API is served, the line a user (and the startup benchmark) waits for.
 */
final class ApiStarted implements ExtendedStartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(ApiStarted.class);

    /**
     * Before any route starts: platform-http logs a port that is taken (another Twingress on it, say) and carries on,
     * and the ingress and egress would run (joining consumer groups, taking MQTT client ids) with the API unreachable.
     */
    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        everyOperationIsChecked(context);
        var properties = context.getPropertiesComponent();
        int port = Integer.parseInt(properties.resolveProperty("camel.server.port").orElseThrow());
        HttpGuard guard = context.getRegistry().lookupByNameAndType("httpGuard", HttpGuard.class);
        guard.admitWith(port, context.getRegistry().lookupByNameAndType("apiAccess", ApiAccess.class),
                properties.resolveProperty("camel.rest.apiContextPath").orElse(""));
        if (!guard.listening(port)) {
            throw new IllegalStateException("Twingress cannot serve its API on "
                    + properties.resolveProperty("camel.server.host").orElseThrow() + ":" + port + ": the port is"
                    + " taken or the address is not this machine's (see the error above); set camel.server.port or"
                    + " camel.server.host");
        }
    }

    /**
     * Every route a REST operation sends to runs with a route configuration that checks requests (its
     * {@code interceptFrom}: the rate, credentials, roles): a user route that replaces a built-in one without
     * {@code routeConfigurationId: api} (or {@code ingress-http}) would open that operation to anyone, so the start is
     * refused instead.
     */
    static void everyOperationIsChecked(CamelContext context) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        Set<String> checking = new HashSet<>();
        model.getRouteConfigurationDefinitions().stream().filter(c -> !c.getInterceptFroms().isEmpty())
                .forEach(c -> checking.add(c.getId()));
        Map<String, Route> byEndpoint = new HashMap<>();
        context.getRoutes().forEach(route -> byEndpoint.put(route.getEndpoint().getEndpointUri(), route));
        for (RestDefinition rest : model.getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                if (verb.getTo() == null) {
                    continue;
                }
                Route route = byEndpoint.get(context.getEndpoint(verb.getTo().getUri()).getEndpointUri());
                if (route == null) {
                    continue;
                }
                String configurations = route.getConfigurationId() == null ? "" : route.getConfigurationId();
                if (Arrays.stream(configurations.split(",")).map(String::strip).noneMatch(checking::contains)) {
                    throw new IllegalStateException("The route " + route.getRouteId() + " serves the REST operation "
                            + verb.getId() + " but runs without a route configuration that checks its requests (rate,"
                            + " credentials, roles): give it the routeConfigurationId of the built-in route it"
                            + " replaces (api, or ingress-http for the device and webhook paths).");
                }
            }
        }
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        var properties = context.getPropertiesComponent();
        int port = Integer.parseInt(properties.resolveProperty("camel.server.port").orElseThrow());
        HttpGuard guard = context.getRegistry().lookupByNameAndType("httpGuard", HttpGuard.class);
        HttpGuard.replyInAdtShape(VertxPlatformHttpRouter.lookup(context,
                VertxPlatformHttpRouter.getRouterNameFromPort(port)));
        Map<String, Set<String>> operations = new HashMap<>();
        for (RestDefinition rest : context.getCamelContextExtension().getContextPlugin(Model.class)
                .getRestDefinitions()) {
            for (VerbDefinition verb : rest.getVerbs()) {
                operations.computeIfAbsent((rest.getPath() == null ? "" : rest.getPath()) + verb.getPath(),
                        p -> new TreeSet<>()).add(verb.asVerb().toUpperCase(Locale.ROOT));
            }
        }
        guard.apiOperations(port, operations);
        LOG.info("Twingress is serving the Azure Digital Twins data-plane API at {}://{}:{} ({} store)",
                properties.resolveProperty("camel.ssl.enabled").orElseThrow().equals("true") ? "https" : "http",
                properties.resolveProperty("camel.server.host").orElseThrow(), port,
                context.getRegistry().lookupByNameAndType("twinStore", TwinStore.class).kind());
        Authentication authentication = context.getRegistry().lookupByNameAndType("apiAccess", ApiAccess.class)
                .authentication();
        if (authentication.isOff()) {
            LOG.warn("Authentication is off (twingress.auth.mode=none): anyone who can reach {}:{} may read and change"
                    + " everything. Set twingress.auth.mode to oidc or apikey before serving other machines.",
                    properties.resolveProperty("camel.server.host").orElseThrow(), port);
        } else {
            LOG.info("Authentication: {} (twingress.auth.mode)", authentication.mode());
        }
    }
}
