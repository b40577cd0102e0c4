package io.twingress.routes;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
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
        var properties = context.getPropertiesComponent();
        int port = Integer.parseInt(properties.resolveProperty("camel.server.port").orElseThrow());
        if (!context.getRegistry().lookupByNameAndType("httpGuard", HttpGuard.class).listening(port)) {
            throw new IllegalStateException("Twingress cannot serve its API on "
                    + properties.resolveProperty("camel.server.host").orElseThrow() + ":" + port + ": the port is"
                    + " taken or the address is not this machine's (see the error above); set camel.server.port or"
                    + " camel.server.host");
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
