package io.twingress.routes;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * Binds REST routes to the API server's port. Camel's engine guesses the port from the single Vert.x server in
 * the registry; with the management server running beside it there are two, the guess falls back to 8080, and
 * routes fail to start on any other port.
 */
final class ApiHttpEngine extends VertxPlatformHttpEngine {

    /** The registry name platform-http looks its engine up by. */
    static final String NAME = "platform-http-engine";

    private final int port;

    ApiHttpEngine(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
